"""The "Who they are" block in plain words, and the overview banner, for the report.

The report assembles; it never recomputes: these functions only read a
:class:`~behaviortypes.describe.profile.ProfileResult` (``load_profile(out)``) and turn
its significant cells into sentences in the report's language. The template partial
``report/templates/who_they_are.html`` renders them (macros ``who_block`` and
``banner_page``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["who_they_are", "banner_overview"]


def _texts(lang: str):
    from ..texts import Formatter, load_texts

    return load_texts(lang), Formatter(lang)


def _labels(meta: dict, key: str) -> dict[str, str]:
    return {d["column"]: d.get("label") or d["column"] for d in meta.get(key, [])}


def who_they_are(profile, type_id: int, *, lang: str = "en", max_levels: int = 4,
                 max_outcomes: int = 3, labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The plain-words block for one type.

    Parameters
    ----------
    profile : ProfileResult
        From :func:`~behaviortypes.describe.profile.load_profile` or ``profile_types_by``.
    type_id : int
    lang : {"en", "sv"}, default="en"
    max_levels, max_outcomes : int
        At most this many descriptor levels (largest differences first) and outcomes.
    labels : mapping of str to str, optional
        Column → the name to call it, over the labels ``profile`` recorded (the report
        passes its own, so that a column has one name on a page).

    Returns
    -------
    dict
        ``title``, ``lines`` (e.g. "25-34 (Age): more often, 29% vs 22%"), ``outcomes``
        (e.g. "Higher Likelihood to recommend (0-10): 8.2 vs 6.9 on average"), ``empty``
        (the sentence to show when both are empty) and ``note`` (how to read it).

    Notes
    -----
    A level is listed when its banner cell is ``significant`` (type vs rest after
    Benjamini–Hochberg). An outcome is listed when the bias-adjusted (BCH) 95 % interval
    of the type's mean excludes the mean of everyone. Suppressed cells never appear.
    """
    t, fmt = _texts(lang)
    meta = profile.meta
    dlab, olab = _labels(meta, "descriptors") | dict(labels or {}), _labels(meta, "outcomes") | dict(labels or {})
    binary = {o["column"]: bool(o.get("binary")) for o in meta.get("outcomes", [])}
    b = profile.banner
    mine = b[(b["type_id"] == int(type_id)) & b["significant"].astype(bool)].copy()
    mine["diff"] = mine["share"] - mine["overall_share"]
    mine = mine.reindex(mine["diff"].abs().sort_values(ascending=False).index).head(max_levels)
    # the level starts the line (a capital there, not mid-sentence: "Ogift (Civilstånd): oftare")
    lines = [t["who_more" if row["diff"] > 0 else "who_less"].format(
        level=str(row["level"])[:1].upper() + str(row["level"])[1:], variable=dlab.get(row["variable"], row["variable"]),
        share=fmt.pct(row["share"]), overall=fmt.pct(row["overall_share"]))
        for _, row in mine.iterrows()]
    outs = []
    o = profile.outcomes
    if len(o):
        sel = o[(o["type_id"] == int(type_id)) & (o["method"] == "bch")].dropna(subset=["mean"])
        sel = sel[(sel["ci_low"] > sel["overall_mean"]) | (sel["ci_high"] < sel["overall_mean"])]
        sel = sel.assign(rel=(sel["mean"] - sel["overall_mean"]).abs()
                         / sel["overall_mean"].abs().replace(0, np.nan))
        for _, row in sel.sort_values("rel", ascending=False).head(max_outcomes).iterrows():
            var = row["variable"]
            pair = (row["mean"], row["overall_mean"])
            show = (lambda v: fmt.pct(v)) if binary.get(var) else (lambda v, pair=pair: fmt.amount(v, like=pair))
            key = "who_outcome_higher" if row["mean"] > row["overall_mean"] else "who_outcome_lower"
            outs.append(t[key].format(outcome=olab.get(var, var), value=show(row["mean"]),
                                      overall=show(row["overall_mean"])))
    alpha = fmt.pct(float(meta.get("alpha", 0.05)))
    note = t["who_note"].format(alpha=alpha, min=meta.get("min_cell", ""))
    declared = {s["column"]: sum((s.get("declared_missing") or {}).values())
                for s in [*meta.get("descriptors", []), *meta.get("outcomes", [])] if isinstance(s, dict)}
    declared = {c: n for c, n in declared.items() if n}
    if declared:  # missing_codes: of instrument.yaml, left out of the tables (profile counted them)
        labels = {**dlab, **olab}
        note += " " + t["who_declared_missing"].format(columns=", ".join(
            f"{labels.get(c, c)} ({fmt.count(n)})" for c, n in declared.items()))
    if meta.get("outcomes"):  # means that include values that look like missing codes, until declared (trial 23)
        from .profile import implausible_notes

        note = " ".join([note, *implausible_notes(meta, t, olab)])
    return {"title": t["who_title"], "lines": lines, "outcomes": outs, "empty": t["who_none"], "note": note}


def banner_overview(profile, *, lang: str = "en") -> dict[str, Any]:
    """The overview banner page: one small table per descriptor, types as columns.

    Returns
    -------
    dict
        ``title``, ``lead``, ``types`` (list of ``{id, name}``, ``name`` as "2 · The
        name"), ``all`` (column title)
        and ``tables``: per descriptor ``{label, rows: [{level, overall, cells: [{text,
        mark}]}]}`` where ``mark`` is ``"up"``, ``"down"`` or ``""`` and suppressed cells
        read ``*``.
    """
    from .profile import protected_level_lines

    t, fmt = _texts(lang)
    meta = profile.meta
    names = {int(k): v for k, v in meta.get("type_names", {}).items()}
    b = profile.banner
    ids = sorted(int(x) for x in pd.unique(b["type_id"]))
    dlab = _labels(meta, "descriptors")
    tables = []
    for var, tab in b.groupby("variable", sort=False):
        rows = []
        for level, grp in tab.groupby("level", sort=False):
            grp = grp.set_index("type_id")
            cells = []
            for tid in ids:
                row = grp.loc[tid] if tid in grp.index else None
                if row is None or pd.isna(row["share"]):
                    cells.append({"text": "*", "mark": ""})
                    continue
                mark = ""
                if bool(row["significant"]):
                    mark = "up" if row["share"] > row["overall_share"] else "down"
                cells.append({"text": fmt.pct(row["share"]), "mark": mark})
            overall = grp["overall_share"].iloc[0]
            rows.append({"level": str(level), "overall": "*" if pd.isna(overall) else fmt.pct(overall),
                         "cells": cells})
        tables.append({"label": dlab.get(var, var), "rows": rows})
    return {"title": t["banner_title"], "lead": t["banner_lead_hidden"].format(min=meta.get("min_cell", "")),
            "all": t["banner_all"],
            # the type's number with its whole name (the header wraps; never cut)
            "types": [{"id": i, "name": f"{i} · {' '.join(str(names.get(i) or '').split())}".rstrip(" ·")}
                      for i in ids],
            "tables": tables,
            # a lone small level that hid a large one: what to do (user trial 22)
            "notes": protected_level_lines(meta, t, dlab)}
