"""Checks on the staged output (shares, duplicate ids) and publishing it all-or-nothing.

Parquet and CSV outputs are moved into place by rename; a DuckDB output is written in one
transaction.

Safety: an existing ``out`` is replaced only when it is a scored output this tool wrote
(:func:`check_out_target`); anything else, such as the folder holding the customer file,
is refused before scoring starts. A Parquet dataset folder we write carries the marker
file :data:`SCORED_MARKER`. Staging folders left by a killed run are removed by the next
run on the same output (:func:`staging_dir`), with a warning.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..errors import BehaviortypesWarning, InputError, Problem, Said
from ..files import atomic_path, check_name_length, csv_header_names, temp_prefix
from ._model import Scorer
from ._sources import (
    DUCKDB_SUFFIXES,
    PARQUET_SUFFIXES,
    duckdb_connect,
    Source,
    sql_ident,
    sql_str,
    file_suffix,
)

#: Marker file written into every Parquet dataset folder ``score`` publishes; a folder is
#: replaced by a later run only when it holds this file and our part files, nothing else.
#: (Parquet readers skip names starting with ``_``.)
SCORED_MARKER = "_behaviortypes_scored.json"
_PART = re.compile(r"part-\d+\.parquet")
_OUR_COLUMNS = ["customer_id", "type_id", "type_name", "probability"]
_OUR_EXTRAS = {SCORED_MARKER, "_metadata", "_common_metadata"}
_OWNER = "owner.json"  # in a staging folder: which process is using it

# DuckDB memory limit for the final checks on the output (spills to disk beyond it), so a
# run's memory stays flat in the size of the base.
_DUCKDB_MEMORY = "256MB"


def _parquet_list(files: Sequence[Path]) -> str:
    return "[" + ", ".join(sql_str(str(f)) for f in files) + "]"


def summarise(files: list[Path], scorer: Scorer, tmp: Path) -> tuple[int, dict, dict, float]:
    import duckdb

    p_cols = scorer.proba_columns
    avgs = ", ".join(f"avg({sql_ident(c)})" for c in p_cols)
    counts = ", ".join(f"count(*) FILTER (WHERE type_id = {t})" for t in scorer.type_ids)
    with contextlib.closing(duckdb.connect(config={"memory_limit": _DUCKDB_MEMORY, "threads": 2,
                                                   "temp_directory": str(tmp)})) as con:
        row = con.execute(
            f"SELECT count(*), {avgs}, {counts}, count(*) FILTER (WHERE type_id IS NULL) "
            f"FROM read_parquet({_parquet_list(files)})"
        ).fetchone()
    n = int(row[0])
    k = len(p_cols)
    shares = {t: float(row[1 + j] or 0.0) for j, t in enumerate(scorer.type_ids)}
    likely = {t: (int(row[1 + k + j]) / n if n else 0.0) for j, t in enumerate(scorer.type_ids)}
    unassigned = int(row[1 + 2 * k]) / n if n else 0.0
    return n, shares, likely, unassigned


def find_duplicate_ids(files: list[Path], id_column: str, source: Source, tmp: Path) -> None:
    """Fail when a customer id appears more than once (DuckDB group-by, spills to disk)."""
    import duckdb

    listing = _parquet_list(files)
    with contextlib.closing(duckdb.connect(config={"memory_limit": _DUCKDB_MEMORY, "threads": 2,
                                                   "temp_directory": str(tmp),
                                                   "preserve_insertion_order": False})) as con:
        # group 64-bit hashes, not strings: a quarter of the memory; a hash seen twice is
        # then verified on the ids themselves (collisions are rare and only cost time)
        candidates = con.execute(
            f"SELECT count(*) FROM (SELECT hash(customer_id) AS h FROM read_parquet({listing}) "
            "GROUP BY h HAVING count(*) > 1)"
        ).fetchone()[0]
        if not candidates:
            return
        counted = (
            f"SELECT customer_id, count(*) AS n FROM read_parquet({listing}) "
            "GROUP BY customer_id HAVING count(*) > 1"
        )
        dups = con.execute(f"{counted} ORDER BY n DESC, customer_id LIMIT 6").fetchall()
        if not dups:
            return
        n_dup = con.execute(f"SELECT count(*) FROM ({counted})").fetchone()[0]
        first = dups[0][0]
        hits = con.execute(
            f"SELECT filename, file_row_number FROM read_parquet({listing}, filename=true, "
            "file_row_number=true) WHERE customer_id = ? ORDER BY filename, file_row_number LIMIT 10",
            [first],
        ).fetchall()
    offsets, start = {}, 0
    for f in files:
        offsets[str(f)] = start
        start += pq.read_metadata(f).num_rows
    first_row = 2 if source.kind == "csv" else 1  # a CSV's header is row 1
    rows = sorted(offsets.get(str(fn), 0) + int(r) + first_row for fn, r in hits)
    others = ", ".join(repr(d[0]) for d in dups[1:5])
    more = Said("problem_scored_id_more", {"n": n_dup - 1, "others": others}) if n_dup > 1 else ""
    raise InputError(code="problem_scored_id_twice", values={"id": repr(first), "times": dups[0][1], "more": more},
                     file=source.path, column=id_column, rows=rows, value=first)


def replace_output(src: Path, dest: Path) -> None:
    """Move ``src`` (file or folder) to ``dest``, replacing a scored output we wrote there.

    A folder gets the :data:`SCORED_MARKER` first. ``dest`` is checked again here (it is
    checked before scoring too): anything that is not our own output is never removed.
    """
    if src.is_dir():
        marker = {"written_by": "behaviortypes score", "files": sorted(p.name for p in src.iterdir())}
        (src / SCORED_MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
    if os.path.lexists(dest):
        problem = _not_our_output(dest, "parquet")
        if problem:
            raise InputError(code=problem.code, values=problem.values, file=dest, hint=_OUT_HINT)
    if dest.exists() and (dest.is_dir() or src.is_dir()):
        backup = Path(tempfile.mkdtemp(prefix=temp_prefix(dest.name, "old."), dir=dest.parent))
        os.replace(dest, backup / dest.name)
        try:
            os.replace(src, dest)
        except OSError:
            os.replace(backup / dest.name, dest)
            raise
        finally:
            shutil.rmtree(backup, ignore_errors=True)
    else:
        os.replace(src, dest)


_OUT_HINT = Said("problem_scored_out_hint")


def _parquet_is_ours(path: Path) -> bool:
    try:
        names = pq.read_schema(path).names
    except (OSError, ValueError):
        return False
    return names[: len(_OUR_COLUMNS)] == _OUR_COLUMNS and all(
        n.startswith("p_") or n == "unassigned" for n in names[len(_OUR_COLUMNS):]
    )


def _csv_is_ours(path: Path) -> bool:
    try:
        names = csv_header_names(path)
    except OSError:
        return False
    return names[: len(_OUR_COLUMNS)] == _OUR_COLUMNS


def _not_our_output(out: Path, kind: str) -> Said | None:
    """Why an existing ``out`` must not be replaced (a sentence of the catalogue), or
    ``None`` when it is our own output."""
    if out.is_symlink():
        return Said("problem_scored_out_symlink")
    if out.is_dir():
        if kind != "parquet":
            return Said("problem_scored_out_folder_not_file", {"kind": kind})
        entries = list(out.iterdir())
        if not entries:  # an empty folder: nothing to lose
            return None
        foreign = [p.name for p in entries if p.name not in _OUR_EXTRAS and not
                   (_PART.fullmatch(p.name) and p.is_file() and not p.is_symlink())]
        parts = [p for p in entries if _PART.fullmatch(p.name)]
        if foreign or (not (out / SCORED_MARKER).is_file() and not (parts and _parquet_is_ours(parts[0]))):
            shown = ", ".join(sorted(foreign)[:3]) + (" ..." if len(foreign) > 3 else "")
            return Said("problem_scored_out_foreign_folder",
                        {"holds": Said("problem_scored_out_holds", {"shown": shown}) if foreign else ""})
        return None
    if out.is_file():
        if kind == "parquet" and not _parquet_is_ours(out):
            return Said("problem_scored_out_foreign_file")
        if kind == "csv" and not _csv_is_ours(out):
            return Said("problem_scored_out_foreign_file")
        return None
    return Said("problem_scored_out_odd")


def check_out_target(out: Path, customers: Path, kind: str) -> None:
    """Refuse, before any work, an ``out`` whose replacement would lose data we did not write.

    Refused: the current folder or one of its parents; a folder or file holding (or being)
    the customer data; an existing folder or file that is not a scored output of this
    tool (a Parquet dataset folder must hold only our part files and
    :data:`SCORED_MARKER`). A DuckDB output is a database the user names on purpose: its
    other tables are kept, and an existing table of the same name is checked when written.
    """
    check_name_length(out)
    if kind == "duckdb":
        return
    here = Path.cwd().resolve()
    target = out.resolve()
    if target == here or target in here.parents:
        raise InputError(code="problem_scored_out_working_folder", file=target, hint=_OUT_HINT)
    source = customers.resolve()
    if target == source or target in source.parents:
        raise InputError(code="problem_scored_out_is_customers" if target == source else
                         "problem_scored_out_holds_customers", values={"file": customers.name},
                         file=out, hint=_OUT_HINT)
    if os.path.lexists(out):
        problem = _not_our_output(out, kind)
        if problem:
            raise InputError(code=problem.code, values=problem.values, file=out, hint=_OUT_HINT)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, another user's
        return True
    return True


def _stale_staging(out: Path) -> list[Path]:
    """Staging folders of earlier runs on ``out`` that were killed before cleaning up."""
    parent = out.parent if out.parent.is_dir() else None
    if parent is None:
        return []
    stale = []
    prefixes = {temp_prefix(out.name, "scoring-"), f".{out.name}.scoring-"}
    for folder in parent.iterdir():
        if not folder.name.startswith(tuple(prefixes)) or folder.is_symlink() or not folder.is_dir():
            continue
        owner_file = folder / _OWNER
        if owner_file.is_file():
            try:
                owner = json.loads(owner_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if owner.get("out") != str(out.resolve()):
                continue  # a different output whose name starts the same way
            if owner.get("host") == socket.gethostname() and _pid_alive(int(owner.get("pid", -1))):
                continue  # another run is still working on it
        # our staging folders hold only parts/, spill/ and the owner file
        if any(p.name not in {"parts", "spill", _OWNER} for p in folder.iterdir()):
            continue
        stale.append(folder)
    return stale


@contextlib.contextmanager
def staging_dir(out: Path) -> Iterator[Path]:
    """A hidden staging folder beside ``out``, removed afterwards.

    Staging folders left by killed runs on the same ``out`` (their owner process is gone)
    are removed first, with a :class:`~behaviortypes.errors.BehaviortypesWarning` saying
    how many files were removed: they hold scored customer ids.
    """
    for folder in _stale_staging(out):
        removed = sum(1 for p in folder.rglob("*.parquet") if p.is_file())
        shutil.rmtree(folder, ignore_errors=True)
        said = Problem(f"removed {folder.name}, left by an earlier scoring run that was stopped "
                       f"({removed} file{'s' if removed != 1 else ''} of scored rows)",
                       code="warn_scored_stale_staging", values={"folder": folder.name, "n": removed})
        warnings.warn(BehaviortypesWarning(said.message, problem=said), stacklevel=3)
    with tempfile.TemporaryDirectory(prefix=temp_prefix(out.name, "scoring-"), dir=out.parent) as staging:
        staging = Path(staging)
        owner = {"pid": os.getpid(), "host": socket.gethostname(), "out": str(out.resolve())}
        (staging / _OWNER).write_text(json.dumps(owner) + "\n", encoding="utf-8")
        yield staging


def publish_duckdb(files: list[Path], out: Path, out_table: str) -> None:
    import duckdb

    created = not out.exists()
    try:
        with duckdb_connect(out, read_only=False) as con:
            con.execute("BEGIN TRANSACTION")
            _check_duckdb_table(con, out, out_table)
            con.execute(
                f"CREATE OR REPLACE TABLE {sql_ident(out_table)} AS "
                f"SELECT * FROM read_parquet({_parquet_list(files)})"
            )
            con.execute("COMMIT")
    except duckdb.Error as err:
        if created:
            for leftover in (out, out.with_name(out.name + ".wal")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
        raise InputError(code="problem_scored_cannot_write_table",
                         values={"table": repr(out_table), "why": str(err).splitlines()[0]}, file=out) from None
    except BaseException:
        if created:
            for leftover in (out, out.with_name(out.name + ".wal")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
        raise


def _check_duckdb_table(con, out: Path, out_table: str) -> None:
    """Refuse to replace an existing table that is not a scored output (it is user data)."""
    schema, _, name = out_table.rpartition(".")
    found = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        + ("AND table_schema = ? " if schema else "") + "ORDER BY ordinal_position",
        [name, schema] if schema else [name],
    ).fetchall()
    columns = [c[0] for c in found]
    if columns and columns[: len(_OUR_COLUMNS)] != _OUR_COLUMNS:
        raise InputError(code="problem_scored_table_foreign",
                         values={"table": repr(out_table), "columns": ", ".join(columns[:4])}, file=out)


# A spreadsheet runs a text cell starting with one of these as a formula (OWASP "CSV
# injection"); the scored CSV is meant for people, so such cells get a leading apostrophe.
# Plain numbers ("-12", "+3.5") are not touched. See docs/data_safety.md.
_FORMULA = r"^'*[=+\-@\t\r]"
_PLAIN_NUMBER = r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$"


def _neutralise_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    columns = []
    for col in batch.columns:
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            risky = pc.and_(pc.match_substring_regex(col, _FORMULA),
                            pc.invert(pc.match_substring_regex(col, _PLAIN_NUMBER)))
            risky = pc.fill_null(risky, False)
            col = pc.if_else(risky, pc.binary_join_element_wise("'", col, ""), col)
        columns.append(col)
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema)


#: How a CSV output is written (``csv_dialect=``, ``--csv-dialect``):
#:
#: ``excel`` (default)
#:     UTF-8 with a byte-order mark, ``,`` between fields, decimal point: Excel in an
#:     English locale opens it with å/ä/ö intact; pandas, R and DuckDB read it unchanged.
#: ``excel-sv``
#:     UTF-8 with a byte-order mark, ``;`` between fields, decimal comma (six decimals):
#:     what Excel expects in Swedish, Dutch, German ... locales (a double-click opens it
#:     in columns, numbers as numbers).
#: ``plain``
#:     UTF-8 without a byte-order mark, ``,`` and decimal point, full precision: for
#:     programs.
CSV_DIALECTS = ("excel", "excel-sv", "plain")
DEFAULT_CSV_DIALECT = "excel"
_BOM = b"\xef\xbb\xbf"


def check_csv_dialect(dialect: str) -> str:
    """``dialect`` when it is one of :data:`CSV_DIALECTS`, else a one-line :class:`InputError`."""
    if dialect not in CSV_DIALECTS:
        raise InputError(code="problem_csv_dialect", values={"dialect": repr(dialect),
                                                              "dialects": ", ".join(CSV_DIALECTS)},
                         column="csv_dialect", value=dialect)
    return dialect


def publish_csv(files: list[Path], out: Path, dialect: str = DEFAULT_CSV_DIALECT) -> None:
    """Write the scored rows as CSV in ``dialect``; text cells a spreadsheet would run are neutralised.

    Integer columns (``type_id``, integer customer ids) are written as integers in every
    dialect; probabilities with full precision (``excel``, ``plain``) or six decimals
    after a decimal comma (``excel-sv``).
    """
    check_csv_dialect(dialect)
    with atomic_path(out) as tmp, open(tmp, "wb") as fh:
        if dialect != "plain":
            fh.write(_BOM)
        writer = None
        first = True
        try:
            for f in files:
                with pq.ParquetFile(f) as handle:
                    for batch in handle.iter_batches(batch_size=100_000):
                        batch = _neutralise_batch(batch)
                        if dialect == "excel-sv":
                            _write_decimal_comma(batch, fh, header=first)
                        else:
                            if writer is None:
                                writer = pacsv.CSVWriter(fh, batch.schema)
                            writer.write_batch(batch)
                        first = False
            if first and dialect == "excel-sv":  # no rows: the header alone
                fh.write((";".join(pq.read_schema(files[0]).names) + "\r\n").encode("utf-8"))
        finally:
            if writer is not None:
                writer.close()


def _write_decimal_comma(batch: pa.RecordBatch, fh, *, header: bool) -> None:
    import pandas as pd

    frame = batch.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}.get)
    fh.write(frame.to_csv(sep=";", decimal=",", float_format="%.6f", index=False, header=header,
                          lineterminator="\r\n").encode("utf-8"))


def output_kind(out: Path, out_table: str | None) -> str:
    suffix = file_suffix(out)
    if suffix in DUCKDB_SUFFIXES:
        return "duckdb"
    if out_table is not None:
        raise InputError(code="problem_out_table_not_duckdb", file=out, value=out_table)
    if suffix in PARQUET_SUFFIXES or (out.is_dir() and suffix == ""):
        return "parquet"
    if suffix == ".csv":
        return "csv"
    raise InputError(code="problem_scored_out_format", values={"suffix": repr(suffix or "(no extension)")}, file=out)
