"""The entry point :func:`score_customers` and its result, :class:`ScoreSummary`."""

from __future__ import annotations

import contextlib
import dataclasses
import math
import resource
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from ..errors import InputError, Said
from ..i18n import said
from ._engines import run_dask, run_local
from ._model import UNASSIGNED_NAME, resolve_model
from ._progress import RowMeter
from ._publish import (DEFAULT_CSV_DIALECT, check_csv_dialect, check_out_target, find_duplicate_ids, output_kind,
                       publish_csv, publish_duckdb, replace_output, staging_dir, summarise)
from ._sources import (DUCKDB_SUFFIXES, check_source_columns, file_suffix, id_type, natural_key, open_source,
                       typed_for)

DEFAULT_OUT_TABLE = "scored_customers"
#: Fewest seconds of start-up (before the first batch) the score summary says.
STARTUP_SAID_FROM = 1.0


# --------------------------------------------------------------------------- result
@dataclass(frozen=True)
class ScoreSummary:
    """What a scoring run did, for people (:meth:`summary`) and machines (:meth:`to_dict`).

    Attributes
    ----------
    n_rows : int
        Customers scored (rows written).
    seconds : float
        Wall time of the run (reading, scoring, checking and publishing).
    rows_per_s : float
        ``n_rows`` over the seconds from the first batch: the scoring's own rate, without
        the start-up (user trial 24: 434 rows/s for 3,000 rows, 7 s of them start-up).
    shares : dict of int to float
        Estimated share of each type in the base: the mean probability ``p_<type_id>``
        over all customers (prior-corrected when the model is).
    most_likely_shares : dict of int to float
        Share of customers whose most likely type is each type (unassigned customers,
        if any, are counted in ``unassigned_share`` instead).
    type_names : dict of int to str
        Type names used in the output.
    out : Path
        Where the scored base was written.
    engine : str
        ``"local"`` or ``"dask"``.
    out_table : str or None
        The DuckDB table written, when ``out`` is a DuckDB database.
    unassigned_share : float
        Share of customers below the model's unassigned threshold (0 without one).
    n_batches : int or None
        Batches (local engine) or partitions (dask engine) scored.
    peak_rss_mib : float or None
        Peak resident memory of this Python process so far, in MiB (Linux
        ``getrusage``; with the dask engine the workers' memory is not included).
    startup_seconds : float
        Seconds of ``seconds`` before the first batch (reading the model, opening and
        checking the base); the summary says them from :data:`STARTUP_SAID_FROM` seconds.
    """

    n_rows: int
    seconds: float
    rows_per_s: float
    shares: dict[int, float]
    most_likely_shares: dict[int, float]
    type_names: dict[int, str]
    out: Path
    engine: str
    out_table: str | None = None
    unassigned_share: float = 0.0
    n_batches: int | None = None
    peak_rss_mib: float | None = None
    startup_seconds: float = 0.0
    customers: Path | None = field(default=None, repr=False)

    @property
    def table(self) -> pd.DataFrame:
        """Tidy shares table indexed by ``type_id``: ``type_name, share, most_likely_share``."""
        ids = list(self.shares)
        frame = pd.DataFrame(
            {
                "type_name": [self.type_names.get(t, f"Type {t}") for t in ids],
                "share": [self.shares[t] for t in ids],
                "most_likely_share": [self.most_likely_shares.get(t, 0.0) for t in ids],
            },
            index=pd.Index(ids, name="type_id"),
        )
        return frame

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict of every figure."""
        return {
            "n_rows": int(self.n_rows),
            "seconds": float(self.seconds),
            "rows_per_s": float(self.rows_per_s),
            "shares": {int(k): float(v) for k, v in self.shares.items()},
            "most_likely_shares": {int(k): float(v) for k, v in self.most_likely_shares.items()},
            "type_names": {int(k): str(v) for k, v in self.type_names.items()},
            "unassigned_share": float(self.unassigned_share),
            "out": str(self.out),
            "out_table": self.out_table,
            "engine": self.engine,
            "n_batches": self.n_batches,
            "peak_rss_mib": self.peak_rss_mib,
            "startup_seconds": float(self.startup_seconds),
            "customers": None if self.customers is None else str(self.customers),
        }

    def to_files(self, folder: str | Path) -> list[Path]:
        """``base_shares.json`` in the discovery folder: the scored base's type shares.

        Written only when the scored file is the customer base the lookalike was fitted on
        (``lookalike_card.json``, ``fingerprint``: the same resolved path, size and SHA-256);
        for any other file nothing is written (the report keeps showing the fitted base's
        shares) and a :class:`~behaviortypes.errors.BehaviortypesWarning` says so in one
        line: the scored file's own shares are in :meth:`summary`.

        With ``ci_low``/``ci_high`` per type: the 95 % bootstrap interval of the base
        share that ``lookalike`` reports (:func:`behaviortypes.lookalike.card_base_shares`).
        ``corrected`` is False when the card says the prior-shift correction was not
        applied (``base.method``, ``base.note``): the shares are then the raw predicted
        ones, and a :class:`~behaviortypes.errors.SurveyQualityWarning` says so.
        """
        import json
        import warnings

        from .. import study
        from ..errors import BehaviortypesWarning, SurveyQualityWarning
        from ..errors import Problem
        from ..lookalike import card_base_shares, raw_shares_reason

        card_path = Path(folder) / "lookalike_card.json"
        card = json.loads(card_path.read_text(encoding="utf-8")) if card_path.is_file() else {}
        same, why, why_said = _is_fitted_base(self.customers, card.get("fingerprint") or {})
        if not same:
            kept = Problem(f"score: {Path(folder) / 'base_shares.json'} left as it was: {why}, so its shares are not "
                           "the customer base's (this file's own shares are in the run's summary)",
                           code="warn_score_base_shares_kept",
                           values={"path": str(Path(folder) / "base_shares.json"), "why": why_said})
            warnings.warn(BehaviortypesWarning(kept.message, problem=kept), stacklevel=2)
            return []
        doc: dict[str, Any] = {
            "shares": {int(k): float(v) for k, v in self.shares.items()}, "n_customers": int(self.n_rows),
            "scored_file": str(self.out), "corrected": True,
        }
        reported = card_base_shares(card)
        if not reported.attrs["corrected"]:
            doc["corrected"] = False
            doc["method"] = reported.attrs["method"]
            raw = Problem(
                "score: the shares printed are the lookalike's raw predicted shares (mean predicted probability "
                "over the customers), not corrected for the survey's response bias: "
                + (reported.attrs["method"].split(":", 1)[-1].split(";")[0].strip() or "see lookalike_card.json")
                + " (lookalike_card.json, base.note)",
                code="warn_score_raw_shares", values={"why": raw_shares_reason(card.get("base") or {})})
            warnings.warn(SurveyQualityWarning(raw.message, problem=raw), stacklevel=2)
        known = reported.dropna(subset=["ci_low", "ci_high"])
        if len(known):
            doc["ci_low"] = {int(t): float(v) for t, v in known["ci_low"].items()}
            doc["ci_high"] = {int(t): float(v) for t, v in known["ci_high"].items()}
        return [study.save(folder, "base_shares.json", doc)]

    def summary(self, lang: str = "en") -> str:
        """A few lines for people: rows, speed, where, and the type shares, in ``lang``
        (the command line's: the study's language)."""
        if lang == "en":  # (English as ever: "Scored 1,360 customers in 3.8 s ...")
            return self._summary_en()
        from ..i18n import said
        from ..texts import Formatter

        fmt, nbsp = Formatter(lang), "\u00a0"
        where = f"{self.out}" + (said("score_cli_table", lang, table=self.out_table) if self.out_table else "")
        lines = [said("score_cli_scored", lang, n=f"{self.n_rows:,}".replace(",", nbsp),
                      seconds=f"{self.seconds:.1f}".replace(".", ","),
                      rate=f"{self.rows_per_s:,.0f}".replace(",", nbsp),
                      engine=said(f"score_cli_engine_{self.engine}", lang), where=where)]
        if self.peak_rss_mib is not None:
            lines[0] += said("score_cli_memory", lang, mib=f"{self.peak_rss_mib:,.0f}".replace(",", nbsp))
        if self.startup_seconds >= STARTUP_SAID_FROM:
            lines[0] += said("score_cli_startup", lang, seconds=f"{self.startup_seconds:.1f}".replace(".", ","))
        for tid, row in self.table.iterrows():
            lines.append(said("score_cli_type", lang, type_id=tid, type_name=row.type_name,
                              share=fmt.pct(row.share, 1), likely=fmt.pct(row.most_likely_share, 1)))
        if self.unassigned_share:
            lines.append(said("score_cli_unassigned", lang, share=fmt.pct(self.unassigned_share, 1)))
        return "\n".join(lines)

    def _summary_en(self) -> str:
        """A few lines for people: rows, speed, where, and the type shares."""
        where = f"{self.out}" + (f" (table {self.out_table})" if self.out_table else "")
        lines = [
            f"Scored {self.n_rows:,} customers in {self.seconds:.1f} s "
            f"({self.rows_per_s:,.0f} rows/s, {self.engine} engine) -> {where}",
        ]
        if self.peak_rss_mib is not None:
            lines[0] += f"; peak memory {self.peak_rss_mib:,.0f} MiB"
        if self.startup_seconds >= STARTUP_SAID_FROM:
            lines[0] += said("score_cli_startup", "en", seconds=f"{self.startup_seconds:.1f}")
        for tid, row in self.table.iterrows():
            lines.append(
                f"  type {tid} {row.type_name}: share {row.share:.1%} "
                f"(most likely for {row.most_likely_share:.1%})"
            )
        if self.unassigned_share:
            lines.append(f"  {UNASSIGNED_NAME}: {self.unassigned_share:.1%}")
        return "\n".join(lines)


def _is_fitted_base(customers: Path | None, fingerprint: dict) -> tuple[bool, str, Said | None]:
    """Whether ``customers`` is the base the lookalike was fitted on, and if not, why not
    (in English, and as a sentence of the catalogue to say in the study's language)."""
    from ..lookalike import customers_fingerprint

    if customers is None:
        return False, "the scored file is not known", Said("score_why_unknown")
    if not fingerprint.get("customers_file") or not fingerprint.get("customers_sha256"):
        return (False, "lookalike_card.json does not record the customer base it was fitted on (re-run lookalike)",
                Said("score_why_unrecorded"))
    customers = Path(customers)
    if str(customers.resolve()) != fingerprint["customers_file"]:
        return False, ("the scored file is not the customer base the lookalike was fitted on "
                       f"({fingerprint['customers_file']})"), Said("score_why_other_file",
                                                                  {"file": fingerprint["customers_file"]})
    size = fingerprint.get("customers_bytes")
    if size is not None:
        now = (sum(p.stat().st_size for p in customers.rglob("*") if p.is_file()) if customers.is_dir()
               else customers.stat().st_size)
        if int(now) != int(size):
            return (False, "the customer base has changed since the lookalike was fitted (its size differs)",
                    Said("score_why_size"))
    if customers_fingerprint(customers) != fingerprint["customers_sha256"]:
        return (False, "the customer base has changed since the lookalike was fitted (its checksum differs)",
                Said("score_why_checksum"))
    return True, "", None


def _peak_rss_mib() -> float:
    """Peak resident memory of this process in MiB.

    Linux ``VmHWM`` (the high-water mark of this program's memory since it started);
    ``getrusage`` elsewhere, which on Linux would also count the parent's memory at
    the time this process was forked.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    scale = 1024.0 * 1024.0 if sys.platform == "darwin" else 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


# --------------------------------------------------------------------------- entry point
def folder_types_weak(folder: Path | None) -> bool:
    """:func:`behaviortypes.stages.folder_types_weak` (kept here for callers of this name)."""
    from ..stages import folder_types_weak as weak

    return weak(folder)


def warn_weak_evidence(folder: Path | None, weak: bool | None = None) -> None:
    """Say once, as a :class:`~behaviortypes.errors.SurveyQualityWarning` (the command line's
    ``warning:`` line, en + sv: ``warn_weak_evidence_scored``), that the discovery in ``folder``
    gave weak evidence for distinct types: the typed or scored file has no column that says so.
    The sentence names the field of ``solution.json`` that says it
    (:func:`behaviortypes.stages.weak_types_field`: ``structure_warning``, else
    ``warn_weak_evidence_scored_field`` with ``continuum_warning`` …). ``weak``: already known
    (the typing tool's spec); else read from ``folder``'s ``solution.json``."""
    import warnings

    from ..errors import SurveyQualityWarning
    from ..stages import folder_weak_field
    from ..texts import load_texts

    field = folder_weak_field(folder)
    if weak is None:
        weak = field is not None
    if weak:
        code, values = "warn_weak_evidence_scored", {}
        if field is not None and field != "structure_warning":
            code, values = "warn_weak_evidence_scored_field", {"field": field}
        warnings.warn(SurveyQualityWarning(load_texts("en")[code].format(**values), code=code, values=values),
                      stacklevel=3)


def score_customers(
    model: Any,
    customers: str | Path,
    out: str | Path,
    *,
    engine: str = "local",
    scheduler: Any = None,
    id_column: str | None = None,
    table: str | None = None,
    query: str | None = None,
    out_table: str | None = None,
    batch_size: int = 200_000,
    check_duplicates: bool = True,
    progress: bool = False,
    csv_dialect: str = DEFAULT_CSV_DIALECT,
    lang: str = "en",
) -> ScoreSummary:
    """Tag every customer of a base with the most likely type and all type probabilities.

    Parameters
    ----------
    model : str, Path or fitted model
        ``lookalike.skops``, the discovery folder holding it, or a fitted model with
        ``predict_proba``, ``type_ids_`` and ``feature_columns_`` (see
        :class:`behaviortypes.lookalike.LookalikeModel`).
    customers : str or Path
        The customer base: a ``.parquet`` file or a folder of them, a ``.csv`` (optionally
        ``.csv.gz``) file, or a ``.duckdb`` database (with ``table=`` or ``query=``). A CSV
        is read in its own dialect, sniffed from its first 64 KiB as the survey reader does
        (:func:`behaviortypes.readers.customers.sniff_csv_dialect`): comma, semicolon, tab
        or pipe separators, a decimal comma (Swedish Excel: ``;`` and ``49,5``), UTF-8 with
        or without BOM, UTF-16, cp1252.
    out : str or Path
        Where to write: ``.parquet`` (default format), ``.duckdb`` (table ``out_table``)
        or ``.csv``. Folders are created; an existing output is replaced only on success.
    engine : {"local", "dask"}, default="local"
        ``"local"`` streams the base in batches on this machine; ``"dask"`` scores
        partitions on a Dask distributed cluster.
    scheduler : str or distributed.Client, optional
        Dask scheduler address (``tcp://host:8786``) or a connected ``Client``; ``None``
        starts a local cluster of two single-threaded worker processes.
    id_column : str, optional
        Customer id column of the file. Default: the model's id column (from training),
        else ``customer_id``. The output column is always named ``customer_id`` and keeps
        the source's type: integer ids stay integers (``int64``; ``BIGINT`` in DuckDB),
        other ids are text (a CSV id with leading zeros, ``00123``, stays text).
    table, query : str, optional
        For a DuckDB input: the table to read (needed when the database has several) or a
        SQL query returning one row per customer.
    out_table : str, optional
        DuckDB table to write, default ``"scored_customers"``.
    batch_size : int, default=200_000
        Rows per batch (local engine). Memory grows with it, not with the base.
    check_duplicates : bool, default=True
        Fail when a customer id appears twice (see Notes).
    progress : bool, default=False
        Show progress with rows/s on standard output: a bar on a terminal; otherwise
        (a log file, CI) one line per 10 % of the rows, or every 30 s when the number
        of rows is not known. Its rows/s is the summary's: rows so far over seconds
        since the run started, and at the end ``n_rows / seconds`` of the whole run.
    csv_dialect : {"excel", "excel-sv", "plain"}, default="excel"
        How a ``.csv`` output is written: ``"excel"`` UTF-8 with a byte-order mark, ``,``
        and decimal point (opens with å/ä/ö intact in Excel, and reads unchanged in
        pandas, R and DuckDB); ``"excel-sv"`` UTF-8 with a byte-order mark, ``;`` and
        decimal comma, as Excel expects in Swedish, Dutch or German settings;
        ``"plain"`` UTF-8 without a byte-order mark, for programs. Ignored for Parquet
        and DuckDB outputs.
    lang : {"en", "sv"}, default="en"
        Language of the progress lines (the summary's is :meth:`ScoreSummary.summary`'s).

    Returns
    -------
    ScoreSummary

    Raises
    ------
    InputError
        The model or customer file is missing or in an unknown format; the id column or
        a feature column is missing or of the wrong type; a DuckDB table is missing
        (the tables present are listed); a customer has no id; a value cannot be read;
        a customer id is duplicated.

    Notes
    -----
    *Memory.* The local engine reads only the id and feature columns and holds three
    batches at most: the next one being read (in a background thread), the one being
    scored, and the previous one being written (in another thread). Memory is set by
    ``batch_size`` and the number of features and types, not by the number of
    customers: with the default 200,000 rows, a 12-feature, 4-type model peaks at about
    0.6–0.75 GiB of resident memory at 1M, 5M and 20M rows alike (``bench/score.py``),
    most of it the libraries themselves. DuckDB inputs are read with a memory limit
    (128 MB for a table, 512 MB for a query). The dask engine reads partitions of about
    ``batch_size`` rows (whole Parquet row groups) and scores them in batches.

    *Duplicate ids* cannot be found by looking at one batch, and remembering every id
    seen would grow with the base. After scoring, the staged output is checked by
    DuckDB: a ``GROUP BY`` on 64-bit hashes of ``customer_id`` (memory-limited to 256 MB,
    spilling to disk beyond), and only when a hash repeats, on the ids themselves. The
    check is exact, memory stays flat, and it costs one extra read of the id column
    (about 5 s for 20M rows). A duplicate fails the run (nothing is written), naming the
    id and its rows. ``check_duplicates=False`` skips it.

    *Atomic output.* Scored rows go to a hidden staging folder beside ``out``. Parquet
    and CSV outputs are moved into place by rename; a DuckDB output is written with
    ``CREATE OR REPLACE TABLE`` inside one transaction, so readers see the old table
    until the commit and a crash rolls back. The staging folder is removed on success
    and on error; a killed run can leave a hidden ``.<out>.scoring-*`` folder, which the
    next run on the same ``out`` removes (with a warning). An existing ``out`` is replaced
    only when it is a scored output behaviortypes wrote (see docs/data_safety.md).

    *Row numbers* in errors are 1-based data rows of the customer file (or of the DuckDB
    query result). Errors raised by the model for a batch are shifted to file rows. With
    the dask engine, rows are counted within the partition named in the message.

    *Order.* Rows are written in input order with both engines.
    """
    started = time.perf_counter()
    if engine not in ("local", "dask"):
        raise InputError(code="problem_score_engine", values={"engine": repr(engine)}, value=engine)
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise InputError(code="problem_score_batch_size", value=batch_size)
    out = Path(out)
    out_kind = output_kind(out, out_table)
    check_csv_dialect(csv_dialect)
    out_table = (out_table or DEFAULT_OUT_TABLE) if out_kind == "duckdb" else None
    if engine == "dask" and file_suffix(Path(customers)) in DUCKDB_SUFFIXES:
        raise InputError(code="problem_score_dask_duckdb", file=customers)
    if out.resolve() == Path(customers).resolve() and (out_kind != "duckdb" or out_table == table):
        raise InputError(code="problem_score_out_is_customers", file=out)
    check_out_target(out, Path(customers), out_kind)  # never replace what we did not write
    # the user's file before the model: a base that cannot be read, or --table for a CSV, is
    # refused without loading it (skops and scikit-learn: 2 CPU s)
    source = open_source(customers, table=table, query=query)
    scorer = resolve_model(model)
    source = typed_for(source, scorer)
    id_column = check_source_columns(source, scorer, id_column)
    scorer = dataclasses.replace(scorer, id_type=id_type(source, id_column))  # integer ids stay integers

    out.parent.mkdir(parents=True, exist_ok=True)
    # one clock for the progress display and the summary: both show n_rows / seconds
    label = f"Scoring {source.label}" if lang == "en" else said("progress_scoring", lang, file=source.label)
    meter = RowMeter(source.n_rows, label, started=started, enabled=progress, lang=lang)
    try:
        with staging_dir(out) as staging:  # also removes stale staging of killed runs
            parts = staging / "parts"
            parts.mkdir()
            meter.begin()  # the rate is the scoring's own, from the first batch (trial 24)
            if engine == "local":
                n_batches = run_local(source, scorer, id_column, parts, batch_size=int(batch_size), meter=meter)
            else:
                n_batches = run_dask(
                    source, scorer, id_column, parts, scheduler=scheduler, batch_size=int(batch_size), meter=meter
                )
            files = sorted(parts.glob("*.parquet"), key=natural_key)
            spill = staging / "spill"
            spill.mkdir()
            if not files:  # an empty base: still write a valid, empty output
                pq.write_table(scorer.out_schema.empty_table(), parts / "part-000000.parquet")
                files = [parts / "part-000000.parquet"]
            n_rows, shares, likely, unassigned = summarise(files, scorer, spill)
            if check_duplicates and n_rows:
                find_duplicate_ids(files, id_column, source, spill)
            if out_kind == "duckdb":
                publish_duckdb(files, out, out_table)
            elif out_kind == "csv":
                publish_csv(files, out, csv_dialect)
            elif engine == "local" and len(files) == 1:
                replace_output(files[0], out)
            else:
                replace_output(parts, out)
        seconds = time.perf_counter() - started
        meter.finish(n_rows, seconds)
    finally:
        meter.close()
    if source.kind == "csv" and source.null_columns:  # "N/A", "none", ".", "-": said once, as lookalike does (L2)
        from ..readers.customers import say_read_as_missing

        say_read_as_missing(source.path, [c for c in source.columns if c in source.null_columns], id_column)
    warn_weak_evidence(scorer.folder)
    return ScoreSummary(
        n_rows=n_rows,
        seconds=seconds,
        rows_per_s=meter.rate() if seconds > meter.startup else math.inf,  # what the progress display showed last
        startup_seconds=meter.startup,
        shares=shares,
        most_likely_shares=likely,
        type_names=dict(scorer.type_names),
        out=out,
        engine=engine,
        out_table=out_table,
        unassigned_share=unassigned,
        n_batches=n_batches,
        peak_rss_mib=_peak_rss_mib(),
        customers=Path(customers),
    )
