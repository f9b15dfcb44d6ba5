"""Drafting an instrument (``instrument.yaml``) from a responses file."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..files import write_text
from ..instrument import instrument_from_dict
from ._common import _SPSS_EXT, _coerce
from .tables import _read_raw, _read_spss


_QUALTRICS_META = {
    "startdate", "enddate", "status", "ipaddress", "progress", "duration (in seconds)",
    "finished", "recordeddate", "responseid", "recipientlastname", "recipientfirstname",
    "recipientemail", "externalreference", "locationlatitude", "locationlongitude",
    "distributionchannel", "userlanguage",
}
_ID_NAMES = ("respondent_id", "responseid", "respid", "resp_id", "respondent", "id", "caseid",
             "case_id", "participant_id", "record")


def _guess_column(columns: Sequence[str], patterns: Sequence[str]) -> str | None:
    lower = {c.lower(): c for c in columns}
    for p in patterns:
        if p in lower:
            return lower[p]
    for p in patterns:
        for low, col in lower.items():
            if p in low:
                return col
    return None


def _longest_run(codes: list[int]) -> list[int]:
    best: list[int] = []
    run: list[int] = []
    for c in sorted(set(codes)):
        run = run + [c] if run and c == run[-1] + 1 else [c]
        if len(run) > len(best):
            best = run
    return best


def _flip_signs(r: np.ndarray) -> np.ndarray:
    """Signs (+1/-1) making the items' correlations as positive as possible (local search);
    oriented so that at most half are -1."""
    signs = np.ones(len(r))
    for _ in range(4 * len(r)):
        score = (r @ signs) * signs
        worst = int(np.argmin(score))
        if score[worst] >= 0:
            break
        signs[worst] *= -1
    return -signs if (signs < 0).sum() > len(signs) / 2 else signs


def _suggest_reverse(data: pd.DataFrame) -> dict[str, bool]:
    """Suggest reverse-keyed items from the answers.

    Items are grouped by average-linkage clustering of ``1 - |r|`` into as many groups as
    the correlation matrix has eigenvalues above 1; within a group the signs that make
    the correlations most positive are found, the minority being reverse-keyed. An item
    alone in its group takes the sign of its correlations with the others.
    """
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    cols = list(data.columns)
    out = {c: False for c in cols}
    r = data.corr().to_numpy()
    if len(data) < 30 or len(cols) < 3 or not np.all(np.isfinite(r)):
        return out
    k = max(1, int(np.sum(np.linalg.eigvalsh(r) > 1.0)))
    dist = 1 - np.abs(r)
    np.fill_diagonal(dist, 0)
    groups = fcluster(linkage(squareform(dist, checks=False), "average"), k, "maxclust")
    signs = np.ones(len(cols))
    np.fill_diagonal(r, 0)
    singles = []
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        if len(idx) == 1:
            singles.append(idx[0])
        else:
            signs[idx] = _flip_signs(r[np.ix_(idx, idx)])
    for i in singles:
        pull = np.sum(r[i] * np.abs(r[i]) * signs)
        signs[i] = -1.0 if pull < 0 else 1.0
    return {c: bool(sg < 0) for c, sg in zip(cols, signs)}


def draft_instrument(path: str | Path) -> dict[str, Any]:
    """Draft an instrument from a responses file (best from ``.sav`` or a Qualtrics export).

    Items are the integer-valued columns sharing the most common answer range; texts
    come from SPSS variable labels or Qualtrics question texts; the scale and its labels
    from SPSS value labels (labelled codes outside the scale, and SPSS user-missing
    values, become ``missing_codes``) or else from the answers. Items whose answers run
    against the rest of their cluster of correlated items are drafted with
    ``reverse: true`` (a suggestion from the data; see ``_suggest_reverse``). Review the draft
    before use.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    dict
        Plain data for ``instrument.yaml`` (validated by
        :func:`~behaviortypes.instrument.instrument_from_dict`).

    Raises
    ------
    InputError
        If no column looks like a Likert item.
    """
    path = Path(path)
    if path.suffix.lower() in _SPSS_EXT:
        raw = _read_spss(path, user_missing=True)
    else:
        raw = _read_raw(path)
    attrs = dict(raw.attrs)
    frame = pd.DataFrame({c: _coerce(raw[c]) for c in raw.columns})
    columns = [str(c) for c in frame.columns]
    value_labels = attrs.get("value_labels", {})
    texts = attrs.get("column_labels") or attrs.get("question_text") or {}
    user_missing: dict[str, set[float]] = {}
    for col, ranges in attrs.get("missing_ranges", {}).items():
        user_missing[col] = {float(r["lo"]) for r in ranges if r["lo"] == r["hi"]}
    id_col = _guess_column(columns, _ID_NAMES)
    if id_col is None or frame[id_col].duplicated().any():
        id_col = next((c for c in columns if frame[c].notna().all() and not frame[c].duplicated().any()),
                      columns[0])
    duration = _guess_column(columns, ("duration (in seconds)", "duration", "seconds"))
    weight = _guess_column(columns, ("weight", "gewicht", "vikt", "poids"))
    skip = {id_col, duration, weight} | {c for c in columns if c.lower() in _QUALTRICS_META}
    # candidate items: integer-valued numeric columns with at least three answers
    ranges: dict[str, tuple[int, int, list[float]]] = {}
    for col in columns:
        s = frame[col]
        if col in skip or not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        vals = s.dropna()
        if vals.empty or not np.all(np.mod(vals, 1) == 0):
            continue
        labelled = sorted(int(k) for k in value_labels.get(col, {}))
        main = _longest_run(labelled) if len(labelled) >= 3 else []
        if main:
            lo, hi = main[0], main[-1]
        else:
            core = vals[(vals > -1) & (vals < 90)]
            if core.empty:
                continue
            lo, hi = int(core.min()), int(core.max())
        extra = sorted({float(v) for v in vals.unique() if v < lo or v > hi}
                       | {float(k) for k in labelled if k < lo or k > hi}
                       | user_missing.get(col, set()))
        if 2 <= hi - lo <= 10 and vals[(vals >= lo) & (vals <= hi)].nunique() >= 2:
            ranges[col] = (lo, hi, extra)
    if not ranges:
        raise InputError("no column looks like a Likert item (integer answers on a common scale)",
                         file=path, hint="write instrument.yaml by hand; see README.md")
    common = pd.Series([(lo, hi) for lo, hi, _ in ranges.values()]).value_counts().index[0]
    lo, hi = common
    items = [c for c, (a, b, _) in ranges.items() if (a, b) == common]
    missing_codes = sorted({v for c in items for v in ranges[c][2] if v < lo or v > hi})
    data = frame[items].where(~frame[items].isin(missing_codes)).astype(float)
    # instructed-response items: named so, or nearly everyone gives one answer
    checks = []
    for col in items:
        shares = data[col].value_counts(normalize=True)
        named = re.search(r"att(n|ention)|check|instruct", col, re.IGNORECASE)
        if len(shares) and (named or shares.iloc[0] >= 0.9):
            checks.append({"id": col, "expect": int(shares.index[0])})
    items = [c for c in items if c not in {ch["id"] for ch in checks}]
    data = data[items]
    if len(items) < 2:
        raise InputError("no column looks like a Likert item (integer answers on a common scale)",
                         file=path, hint="write instrument.yaml by hand; see README.md")
    reverse = _suggest_reverse(data)
    scale: dict[str, Any] = {"min": int(lo), "max": int(hi)}
    label_sets = [value_labels[c] for c in items if c in value_labels]
    if label_sets:
        chosen = pd.Series([json.dumps(sorted(d.items())) for d in label_sets]).value_counts().index[0]
        labels = dict(json.loads(chosen))
        scale["labels"] = {int(float(k)): str(v) for k, v in labels.items() if lo <= float(k) <= hi}
    if missing_codes:
        scale["missing_codes"] = [int(v) if float(v).is_integer() else v for v in missing_codes]
    draft: dict[str, Any] = {"name": path.stem, "id_column": id_col, "scale": scale}
    if duration:
        draft["duration_column"] = duration
    if weight:
        draft["weight_column"] = weight
    draft["items"] = [
        {"id": c, "text": str(texts.get(c) or c).strip() or c, "reverse": reverse[c]} for c in items
    ]
    if checks:
        draft["attention_checks"] = checks
    instrument_from_dict(draft, file=path)  # a draft must load
    return draft


def write_instrument_draft(path: str | Path, out: str | Path | None = None, *,
                           overwrite: bool = False) -> Path:
    """Write :func:`draft_instrument` of ``path`` as YAML (default ``instrument.yaml`` beside it).

    Raises
    ------
    InputError
        If ``out`` exists and ``overwrite`` is false.
    """
    import yaml

    path = Path(path)
    out = Path(out) if out is not None else path.with_name("instrument.yaml")
    if out.exists() and not overwrite:
        raise InputError("the instrument file already exists", file=out,
                         hint="choose another --out, or delete the existing file first")
    draft = draft_instrument(path)
    text = (f"# Drafted by behaviortypes from {path.name}. Check the item texts, the scale and\n"
            "# which items are reverse-keyed (reverse: true) before running the analysis.\n")
    text += yaml.safe_dump(draft, sort_keys=False, allow_unicode=True, width=100)
    return write_text(out, text)
