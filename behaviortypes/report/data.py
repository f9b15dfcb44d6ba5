"""Reading a discovery folder for the report.

:func:`load_report_data` reads the files an analysis left in a discovery folder
(``docs/architecture.md`` lists them) and checks that each has its documented
columns. It never recomputes a statistic: it only reads, checks and joins what
the pipeline wrote. Files written by later stages (lookalike, scoring,
interviews) are optional; a section of the report appears only when its files
exist.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.colors import is_color_like, to_hex

from ..files import load_user_yaml, restore_formula
from ..interviews.anonymise import anonymise as anonymise_quote  # the one anonymiser (issue 14)
from ..errors import InputError
from ..plots import type_colors

__all__ = ["ReportData", "load_report_data", "REQUIRED_FILES", "anonymise_quote"]

#: Files the report cannot do without.
REQUIRED_FILES = ("source.json", "solution.json", "types.yaml", "sizes.csv", "profiles.csv")

_COLUMNS = {
    "sizes.csv": ["type_id", "n", "share", "ci_low", "ci_high"],
    "profiles.csv": ["type_id", "kind", "key", "mean", "overall", "diff", "effect_size"],
    "assignments.csv": ["respondent_id", "type_id", "type_name", "probability"],
    "screening.csv": ["kept"],
    "loadings.csv": ["item"],
    "umap.csv": ["x", "y", "type_id"],
    "evidence_k.csv": ["k"],
    "quotes.csv": ["type_id", "theme", "quote", "pseudonym"],
    "crm_profile.csv": ["type_id", "feature", "mean", "overall", "diff", "effect_size"],
}

_RERUN = "re-run `behaviortypes discover` or restore the file as written (docs/architecture.md lists its columns)"


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows, as read from a discovery folder.

    Attributes
    ----------
    path : Path
        The discovery folder.
    study : str
        Name of the survey folder the analysis came from (``reports/<study>/``).
    title : str
        Study name shown in the report (the instrument's ``name``, else ``study``).
    source, solution : dict
        ``source.json`` and ``solution.json`` as read.
    types : DataFrame
        Indexed by ``type_id``: ``name``, ``tagline``, ``description``, ``color``
        (resolved hex), ``n``, ``share``, ``ci_low``, ``ci_high``, ``base_share``
        (NaN without ``base_shares.json``), ``stability`` (NaN when not recorded),
        ``shown`` (``n >= min_group_size``).
    min_group_size : int
        Types with fewer respondents get no page (privacy).
    profiles : DataFrame
        ``profiles.csv`` (long format).
    item_texts, item_themes, item_reverse : dict
        Item id → text, interview theme and reverse keying, from the instrument
        recorded in ``source.json``.
    factor_names : dict
        Factor id → display name (``factors.json``), else the id.
    loadings, screening, umap, evidence_k, retention, reliability : DataFrame or None
    factors : dict or None
        ``factors.json``.
    card : dict or None
        ``lookalike_card.json``; parsed parts in ``card_metrics``, ``calibration``,
        ``confusion``, ``importances``, ``per_type``.
    typing_tool : dict or None
    base : dict or None
        ``base_shares.json``.
    quotes, crm : DataFrame or None
        ``quotes.csv`` and ``crm_profile.csv``.
    """

    path: Path
    study: str
    title: str
    source: dict
    solution: dict
    types: pd.DataFrame
    min_group_size: int
    profiles: pd.DataFrame
    item_texts: dict
    item_themes: dict
    item_reverse: dict
    factor_names: dict
    loadings: pd.DataFrame | None = None
    screening: pd.DataFrame | None = None
    umap: pd.DataFrame | None = None
    evidence_k: pd.DataFrame | None = None
    factors: dict | None = None
    retention: pd.DataFrame | None = None
    reliability: pd.DataFrame | None = None
    card: dict | None = None
    card_metrics: dict = field(default_factory=dict)
    calibration: pd.DataFrame | None = None
    confusion: pd.DataFrame | None = None
    importances: pd.Series | None = None
    per_type: pd.DataFrame | None = None
    n_linked: int | None = None
    typing_tool: dict | None = None
    base: dict | None = None
    quotes: pd.DataFrame | None = None
    crm: pd.DataFrame | None = None

    @property
    def shown_types(self) -> pd.DataFrame:
        """Types large enough to get a page (``n >= min_group_size``)."""
        return self.types[self.types["shown"]]

    @property
    def hidden_types(self) -> pd.DataFrame:
        """Types below the minimum group size."""
        return self.types[~self.types["shown"]]

    def factor_profile(self, type_ids: Iterable[int] | None = None) -> pd.DataFrame:
        """Type × factor differences from the average (``profiles.csv`` rows of kind ``factor``)."""
        return self._wide("factor", type_ids)

    def item_profile(self, type_ids: Iterable[int] | None = None) -> pd.DataFrame:
        """Type × item differences from the average (``profiles.csv`` rows of kind ``item``)."""
        return self._wide("item", type_ids)

    def _wide(self, kind: str, type_ids: Iterable[int] | None) -> pd.DataFrame:
        rows = self.profiles[self.profiles["kind"] == kind]
        wide = rows.pivot(index="type_id", columns="key", values="diff")
        order = list(dict.fromkeys(rows["key"]))  # file order (F1..Fm, items as listed)
        wide = wide[order]
        if type_ids is not None:
            wide = wide.reindex([int(t) for t in type_ids])
        return wide


# --------------------------------------------------------------------------- readers
def _need(path: Path) -> None:
    if not path.is_file():
        raise InputError(
            "file not found in the discovery folder",
            file=path,
            hint=f"run `behaviortypes discover SURVEY_DIR --out {path.parent}` first "
            "(the report reads only files the analysis wrote)",
        )


def _optional_file(folder: Path, name: str, required: bool) -> Path | None:
    """``folder / name`` when it exists; None for a missing optional file; an error if required."""
    path = folder / name
    if not path.is_file():
        if required:
            _need(path)
        return None
    return path


def _read_csv(folder: Path, name: str, *, required: bool = False) -> pd.DataFrame | None:
    path = _optional_file(folder, name, required)
    if path is None:
        return None
    try:
        frame = pd.read_csv(path, dtype={"respondent_id": str, "key": str, "item": str,
                                         "feature": str, "theme": str, "quote": str,
                                         "pseudonym": str, "reasons": str})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read the file: {str(err).splitlines()[0]}", file=path, hint=_RERUN) from None
    cols = _COLUMNS.get(name, [])
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise InputError(
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(repr(c) for c in missing)}"
            f" (found: {', '.join(map(str, frame.columns))})",
            file=path, column=missing[0], hint=_RERUN,
        )
    if "type_id" in frame.columns:
        frame["type_id"] = _int_column(frame["type_id"], path, "type_id")
    return frame


def _int_column(col: pd.Series, path: Path, name: str) -> pd.Series:
    num = pd.to_numeric(col, errors="coerce")
    bad = num.isna() | (num != np.round(num))
    if bad.any():
        rows = list(np.flatnonzero(bad.to_numpy()) + 1)
        raise InputError("type ids must be whole numbers", file=path, column=name, rows=rows,
                         value=col[bad].iloc[0], hint=_RERUN)
    return num.astype(int)


def _read_json(folder: Path, name: str, *, required: bool = False) -> Any:
    path = _optional_file(folder, name, required)
    if path is None:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise InputError(f"not valid JSON: {err.msg}", file=path, rows=[err.lineno],
                         hint="the line number counts from 1; " + _RERUN) from None


def _read_yaml(folder: Path, name: str, *, required: bool = False) -> Any:
    path = _optional_file(folder, name, required)
    if path is None:
        return None
    return load_user_yaml(path, hint="check the indentation and quote text containing ':' or '#'")


def _records(obj: Any) -> pd.DataFrame | None:
    """A table stored in JSON as a list of records or a dict of columns."""
    if isinstance(obj, list) and obj and isinstance(obj[0], dict):
        return pd.DataFrame(obj)
    if isinstance(obj, dict) and obj and all(isinstance(v, list) for v in obj.values()):
        lengths = {len(v) for v in obj.values()}
        if len(lengths) == 1:
            return pd.DataFrame(obj)
    if isinstance(obj, dict) and obj and all(isinstance(v, dict) for v in obj.values()):
        return pd.DataFrame.from_dict(obj, orient="index")  # {row id: {column: value}}
    return None


def _first(d: dict, *keys: str) -> Any:
    for k in keys:
        if isinstance(d, dict) and k in d and d[k] is not None:
            return d[k]
    return None


# --------------------------------------------------------------------------- types
def _types_table(folder: Path, sizes: pd.DataFrame, solution: dict, base: dict | None,
                 min_group: int) -> pd.DataFrame:
    path = folder / "types.yaml"
    doc = _read_yaml(folder, "types.yaml", required=True)
    entries = doc.get("types") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise InputError("expected a list under 'types:'", file=path, column="types",
                         hint="types.yaml looks like `types: [{type_id: 1, name: ..., tagline: ...}]`")
    known = set(sizes["type_id"])
    edits: dict[int, dict] = {}
    for pos, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or "type_id" not in entry:
            raise InputError("each entry needs a type_id", file=path, column="type_id", rows=[pos],
                             hint="keep the type_id line of every type as written by the analysis")
        try:
            tid = int(entry["type_id"])
        except (TypeError, ValueError):
            raise InputError("type_id must be a whole number", file=path, column="type_id",
                             rows=[pos], value=entry["type_id"]) from None
        if tid not in known:
            raise InputError(
                f"type_id {tid} is not a type of this analysis (types: {', '.join(map(str, sorted(known)))})",
                file=path, column="type_id", rows=[pos], value=tid,
                hint="edit names and taglines, not type ids",
            )
        if tid in edits:
            first = [i for i, e in enumerate(entries, 1) if isinstance(e, dict) and str(e.get("type_id")) == str(entry["type_id"])]
            raise InputError(f"type_id {tid} is listed more than once", file=path, column="type_id",
                             rows=first, value=tid, hint="keep one entry per type")
        colour = entry.get("color")
        if colour not in (None, "") and not is_color_like(str(colour)):
            raise InputError(
                "not a colour", file=path, column="color", rows=[pos], value=colour,
                hint="use a hex colour such as '#1f77b4' (in quotes) or a CSS colour name",
            )
        edits[tid] = entry
    types = sizes.set_index("type_id").sort_index()
    ids = list(types.index)
    names = {t: str(edits.get(t, {}).get("name") or (types.loc[t, "type_name"] if "type_name" in types else "")
                    or f"Type {t}") for t in ids}
    given = {t: (to_hex(str(edits[t]["color"])) if edits.get(t, {}).get("color") else None) for t in ids}
    table = pd.DataFrame(index=pd.Index(ids, name="type_id"))
    table["name"] = pd.Series(names)
    table["tagline"] = pd.Series({t: str(edits.get(t, {}).get("tagline") or "") for t in ids})
    table["description"] = pd.Series({t: str(edits.get(t, {}).get("description") or "") for t in ids})
    table["color"] = pd.Series(type_colors(ids, given))
    for col in ("n", "share", "ci_low", "ci_high"):
        table[col] = types[col].astype(float)
    table["n"] = table["n"].astype(int)
    shares = (base or {}).get("shares") or {}
    table["base_share"] = pd.Series({t: float(shares[str(t)]) if str(t) in shares else
                                     float(shares.get(t, np.nan)) for t in ids}, dtype=float)
    stab = solution.get("stability") or {}
    if isinstance(stab, dict) and stab and all(isinstance(v, dict) for v in stab.values()):
        stab = {int(t): _first(v, "stability", "jaccard_mean", "jaccard", "mean_jaccard") for t, v in stab.items()}
    if isinstance(stab, list):  # records [{type_id, stability|jaccard}]
        stab = {int(r["type_id"]): _first(r, "stability", "jaccard_mean", "jaccard", "mean_jaccard") for r in stab}
    table["stability"] = pd.Series({t: float(stab.get(str(t), stab.get(t, np.nan)) or np.nan) for t in ids},
                                   dtype=float)
    table["shown"] = table["n"] >= min_group
    return table


# --------------------------------------------------------------------------- card
def _parse_card(card: dict) -> dict:
    """Pull the parts the report shows out of ``lookalike_card.json``.

    Reads the layout written by :func:`behaviortypes.lookalike.train_lookalike`
    (``metrics`` with ``reliability`` bins, ``per_type`` and ``confusion_matrix``;
    ``permutation_importance`` records; ``link.n_linked``) and tolerates the older
    flat layout (``calibration.bins``, top-level ``confusion_matrix``/``per_type``).
    """
    out: dict[str, Any] = {}
    metrics = card.get("metrics") if isinstance(card.get("metrics"), dict) else {}
    chosen = card.get("chosen_model")
    if not metrics and isinstance(card.get("cv_results"), list) and chosen:
        metrics = next((r for r in card["cv_results"] if r.get("model") == chosen), {})
    calib = card.get("calibration")
    bins = None
    if isinstance(metrics.get("reliability"), list):
        bins = _records(metrics["reliability"])
    elif isinstance(calib, dict):
        if "ece" in calib and "ece" not in metrics:
            metrics = {**metrics, "ece": calib["ece"]}
        raw = _first(calib, "bins", "reliability", "curve")
        bins = _records(raw) if raw is not None else None
        if bins is None and {"prob_pred", "prob_true"} <= set(calib):
            bins = pd.DataFrame({"mean_predicted": calib["prob_pred"], "observed": calib["prob_true"]})
    elif calib is not None:
        bins = _records(calib)
    if bins is not None:
        bins = bins.rename(columns={"confidence": "mean_predicted", "prob_pred": "mean_predicted",
                                    "predicted": "mean_predicted", "accuracy": "observed",
                                    "prob_true": "observed", "fraction_positive": "observed", "n": "count"})
        if {"mean_predicted", "observed"} <= set(bins.columns):
            out["calibration"] = bins
    conf = _first(metrics, "confusion_matrix", "confusion") or _first(card, "confusion_matrix", "confusion")
    matrix = None
    if isinstance(conf, dict) and ("matrix" in conf or "counts" in conf):
        values = conf.get("matrix", conf.get("counts"))
        labels = conf.get("labels") or conf.get("type_ids") or list(range(1, len(values) + 1))
        matrix = pd.DataFrame(values, index=[int(x) for x in labels], columns=[int(x) for x in labels])
    elif isinstance(conf, dict) and conf:
        matrix = pd.DataFrame(conf).T
        matrix.index = [int(x) for x in matrix.index]
        matrix.columns = [int(x) for x in matrix.columns]
    elif isinstance(conf, list) and conf and isinstance(conf[0], list):
        matrix = pd.DataFrame(conf, index=range(1, len(conf) + 1), columns=range(1, len(conf) + 1))
    if matrix is not None:
        out["confusion"] = matrix
    imp = _first(card, "permutation_importance", "permutation_importances", "importances")
    if isinstance(imp, list) and imp and isinstance(imp[0], dict):
        frame = pd.DataFrame(imp)
        val = "importance" if "importance" in frame else ("importance_mean" if "importance_mean" in frame else None)
        if "feature" in frame and val:
            out["importances"] = frame.set_index("feature")[val].astype(float).sort_values(ascending=False)
    elif isinstance(imp, dict):
        out["importances"] = pd.Series(imp, dtype=float).sort_values(ascending=False)
    per_type = _records(_first(metrics, "per_type") or _first(card, "per_type", "per_type_metrics"))
    if per_type is not None and "type_id" in per_type:
        per_type["type_id"] = per_type["type_id"].astype(int)
        out["per_type"] = per_type.set_index("type_id")
    link = card.get("link") if isinstance(card.get("link"), dict) else {}
    n_linked = _first(link, "n_linked") or card.get("n_linked")
    out["n_linked"] = int(n_linked) if n_linked is not None else None
    out["metrics"] = {k: float(v) for k, v in metrics.items()
                      if isinstance(v, (int, float)) and not isinstance(v, bool) and k != "n"}
    return out


# --------------------------------------------------------------------------- public
def load_report_data(discovery_dir: str | Path) -> ReportData:
    """Read a discovery folder for the report.

    Parameters
    ----------
    discovery_dir : str or Path
        Folder written by ``behaviortypes discover`` (and optionally ``lookalike``,
        ``score`` and the interview stage).

    Returns
    -------
    ReportData

    Raises
    ------
    InputError
        If the folder or a required file is missing, or a file lacks a documented
        column, or ``types.yaml`` names an unknown type or an invalid colour.
    """
    folder = Path(discovery_dir)
    if not folder.is_dir():
        raise InputError("discovery folder not found", file=folder,
                         hint="pass the --out folder of `behaviortypes discover`")
    source = _read_json(folder, "source.json", required=True)
    solution = _read_json(folder, "solution.json", required=True)
    for name, obj in (("source.json", source), ("solution.json", solution)):
        if not isinstance(obj, dict):
            raise InputError("expected a JSON object", file=folder / name, hint=_RERUN)
    instrument = source.get("instrument") or {}
    survey_dir = source.get("survey_dir") or folder.name
    study = Path(str(survey_dir)).name or folder.name
    min_group = int(instrument.get("min_group_size", 30) or 30)

    sizes = _read_csv(folder, "sizes.csv", required=True)
    profiles = _read_csv(folder, "profiles.csv", required=True)
    bad_kind = ~profiles["kind"].isin(["factor", "item"])
    if bad_kind.any():
        raise InputError("kind must be 'factor' or 'item'", file=folder / "profiles.csv", column="kind",
                         rows=list(np.flatnonzero(bad_kind.to_numpy()) + 1),
                         value=profiles.loc[bad_kind, "kind"].iloc[0], hint=_RERUN)
    base = _read_json(folder, "base_shares.json")
    if base is not None and not isinstance(base.get("shares") if isinstance(base, dict) else None, dict):
        raise InputError("expected a 'shares' mapping of type id to share", file=folder / "base_shares.json",
                         column="shares", hint="re-run `behaviortypes score`")
    types = _types_table(folder, sizes, solution, base, min_group)

    factors = _read_json(folder, "factors.json")
    factor_names: dict[str, str] = {}
    retention = reliability = None
    if isinstance(factors, dict):
        names = _first(factors, "factor_names", "names")
        if isinstance(names, dict):
            factor_names = {str(k): str(v) for k, v in names.items()}
        ret = _first(factors, "retention", "retention_evidence", "retention_table")
        if isinstance(ret, dict) and "table" in ret:
            ret = ret["table"]
        retention = _records(ret)
        reliability = _records(_first(factors, "reliability"))
        if reliability is not None and "factor" not in reliability:
            reliability = reliability.rename_axis("factor").reset_index()
    if retention is None or "n_factors" not in retention:
        if retention is not None and "eigenvalue" in retention:
            retention = retention.rename_axis("n_factors").reset_index()
    if retention is None:
        retention = _records(solution.get("factor_evidence"))
    if retention is not None:
        if not {"n_factors", "eigenvalue"} <= set(retention.columns):
            retention = None
        else:
            retention["n_factors"] = pd.to_numeric(retention["n_factors"]).astype(int)
    rel_csv = _read_csv(folder, "reliability.csv")
    if rel_csv is not None:
        reliability = rel_csv
    fac_keys = profiles.loc[profiles["kind"] == "factor", "key"].unique()
    factor_names = {str(f): _pretty(factor_names.get(str(f), str(f))) for f in fac_keys} | {
        k: _pretty(v) for k, v in factor_names.items() if k not in fac_keys}

    items = instrument.get("items") or []
    item_texts = {str(i.get("id")): str(i.get("text", i.get("id"))) for i in items if isinstance(i, dict)}
    item_themes = {str(i.get("id")): i.get("theme") for i in items if isinstance(i, dict)}
    item_reverse = {str(i.get("id")): str(i.get("reverse", False)).lower() in {"true", "yes", "1", "y"}
                    for i in items if isinstance(i, dict)}

    loadings = _read_csv(folder, "loadings.csv")
    if loadings is not None:
        loadings = loadings.set_index("item")
    card = _read_json(folder, "lookalike_card.json")
    parsed = _parse_card(card) if isinstance(card, dict) else {}
    quotes = _read_csv(folder, "quotes.csv")
    if quotes is not None:
        quotes = quotes.dropna(subset=["quote"]).drop_duplicates(subset=["type_id", "quote"])
        quotes["quote"] = quotes["quote"].map(lambda q: anonymise_quote(restore_formula(q)))
    return ReportData(
        path=folder, study=study, title=str(instrument.get("name") or study), source=source,
        solution=solution, types=types, min_group_size=min_group, profiles=profiles,
        item_texts=item_texts, item_themes=item_themes, item_reverse=item_reverse, factor_names=factor_names,
        loadings=loadings, screening=_read_csv(folder, "screening.csv"), umap=_read_csv(folder, "umap.csv"),
        evidence_k=_read_csv(folder, "evidence_k.csv"), factors=factors if isinstance(factors, dict) else None,
        retention=retention, reliability=reliability, card=card if isinstance(card, dict) else None,
        card_metrics=parsed.get("metrics", {}), calibration=parsed.get("calibration"),
        confusion=parsed.get("confusion"), importances=parsed.get("importances"),
        per_type=parsed.get("per_type"), n_linked=parsed.get("n_linked"), typing_tool=_read_yaml(folder, "typing_tool.yaml"),
        base=base, quotes=quotes, crm=_read_csv(folder, "crm_profile.csv"),
    )


def _pretty(name: str) -> str:
    """``research_depth`` → ``Research depth`` (names written as codes read better as words)."""
    text = str(name).replace("_", " ").strip()
    return text[:1].upper() + text[1:]
