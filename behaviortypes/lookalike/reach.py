"""How each type's linked customers differ on the CRM columns (``crm_profile.csv``).

Computation only: :func:`crm_profile` takes the linked customers' raw CRM columns and
their types and returns a tidy DataFrame; ``train_lookalike`` writes it and the report's
"How to reach them" reads it. The columns are read exactly as the lookalike model reads
them (:func:`~behaviortypes.lookalike.prepare_features`), so a yes/no column is a share
of "yes", not an empty row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._features import prepare_features

__all__ = ["CRM_PROFILE_COLUMNS", "crm_profile"]

#: Columns of ``crm_profile.csv``: the first seven as ``profiles.csv``; then the feature's
#: kind, the level of a categorical column (empty for numbers and yes/no), the type's
#: count of linked customers in the cell, and the type-vs-rest test.
CRM_PROFILE_COLUMNS = ["type_id", "feature", "mean", "overall", "diff", "effect_size", "diff_sd",
                       "kind", "level", "n", "p_value", "p_adjusted", "significant"]


def _welch(x: np.ndarray, w: np.ndarray, inside: np.ndarray) -> tuple[float, int]:
    """Two-sided Welch test of the type's weighted mean against the rest's (Kish sizes)."""
    from ..describe import kish_n

    ok = ~np.isnan(x)
    a, b = ok & inside, ok & ~inside
    n_in = int(a.sum())
    ne1, ne2 = kish_n(w[a]), kish_n(w[b])
    if ne1 < 2 or ne2 < 2:
        return np.nan, n_in
    m1, m2 = np.average(x[a], weights=w[a]), np.average(x[b], weights=w[b])
    v1 = np.average((x[a] - m1) ** 2, weights=w[a]) * ne1 / (ne1 - 1)
    v2 = np.average((x[b] - m2) ** 2, weights=w[b]) * ne2 / (ne2 - 1)
    s1, s2 = v1 / ne1, v2 / ne2
    if s1 + s2 <= 0:
        return np.nan, n_in
    df = (s1 + s2) ** 2 / (s1**2 / (ne1 - 1) + s2**2 / (ne2 - 1))
    return float(2 * stats.t.sf(abs(m1 - m2) / np.sqrt(s1 + s2), df)), n_in


def _numeric_rows(frame: pd.DataFrame, labels: pd.Series, w: np.ndarray, min_cell: int,
                  alpha: float) -> pd.DataFrame:
    from ..profiles import profile_features

    table = profile_features(frame, labels, pd.Series(w, index=labels.index), kind="numeric")
    lab = labels.to_numpy()
    tests = {(int(t), str(c)): _welch(frame[c].to_numpy(float), w, lab == t)
             for t in np.unique(lab) for c in frame.columns}
    table["p_value"] = [tests[(r.type_id, r.key)][0] for r in table.itertuples()]
    table["n"] = [tests[(r.type_id, r.key)][1] for r in table.itertuples()]
    # Benjamini-Hochberg over each feature's table (its types), as the banner adjusts per variable
    table["p_adjusted"] = np.nan
    for _, idx in table.groupby("key").groups.items():
        p = table.loc[idx, "p_value"].to_numpy(float)
        ok = np.isfinite(p)
        if ok.any():
            adj = np.full(len(p), np.nan)
            adj[ok] = stats.false_discovery_control(p[ok], method="bh")
            table.loc[idx, "p_adjusted"] = adj
    small = table["n"] < min_cell
    table.loc[small, ["mean", "diff", "effect_size", "diff_sd", "p_value", "p_adjusted"]] = np.nan
    table["significant"] = table["p_adjusted"] < alpha
    table["level"] = None
    return table


def _level_rows(values: pd.DataFrame, labels: pd.Series, w: np.ndarray, kinds: Mapping[str, str],
                levels: Mapping[str, Sequence[str]], min_cell: int, alpha: float) -> pd.DataFrame:
    """Yes/no and categorical columns: the share at each level, tested and suppressed as a banner."""
    from ..describe import banner_table
    from ..profiles import profile_features

    weights = pd.Series(w, index=labels.index)
    banner = banner_table(labels, values, weights=weights, levels=levels, min_cell=min_cell, alpha=alpha)
    parts = []
    for name in values.columns:
        keys = values[name]
        shown = ["1"] if kinds[name] == "boolean" else _shown_levels(keys, w, levels[name])
        dummies = pd.DataFrame({lv: (keys == lv).where(keys.notna()).astype(float) for lv in shown},
                               index=keys.index)
        prof = profile_features(dummies, labels, weights, kind=kinds[name]).rename(columns={"key": "level"})
        prof["key"] = name
        parts.append(prof)
    table = pd.concat(parts, ignore_index=True)
    tests = banner.rename(columns={"variable": "key"})[["key", "level", "type_id", "n", "overall_share",
                                                        "p_value", "p_adjusted", "significant"]]
    table = table.merge(tests, on=["key", "level", "type_id"], how="left")
    hidden = table["n"].isna()  # suppressed by the banner's rule (primary or secondary)
    table.loc[hidden, ["mean", "diff", "effect_size", "diff_sd"]] = np.nan
    table.loc[table["overall_share"].isna(), "overall"] = np.nan
    table.loc[table["kind"] == "boolean", "level"] = None
    return table.drop(columns="overall_share")


def _shown_levels(keys: pd.Series, w: np.ndarray, levels: Sequence[str]) -> list[str]:
    """The levels of a categorical column that get a row: all but "other"; of two, one.

    Two levels are mirrors (A 30 % / B 70 %): as a banner shows a yes/no column's "yes",
    only the less common level (by weight; the later one on a tie) gets a row.
    """
    shown = [lv for lv in levels if lv != _OTHER]
    if len(levels) != 2 or len(shown) != 2:
        return shown
    weight = [float(w[(keys == lv).to_numpy()].sum()) for lv in shown]
    return [shown[0]] if weight[0] < weight[1] else [shown[1]]


#: The level that values the model treats as "other" (rarer than its categories) fall in:
#: kept in the base of the shares, never shown as a row.
_OTHER = "\x00other"


def crm_profile(
    features: pd.DataFrame,
    labels: pd.Series,
    schema: Sequence[Mapping[str, Any]],
    *,
    sample_weight: np.ndarray | None = None,
    min_cell: int = 10,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """How each type's linked customers differ from all linked customers on each CRM column.

    Parameters
    ----------
    features : DataFrame of shape (n_linked, n_columns)
        The linked customers' raw CRM columns (as the model was fitted on).
    labels : array-like of shape (n_linked,)
        Type id of each row.
    schema : list of dict
        The model's feature schema (``LookalikeModel.feature_schema_``): which columns
        are numbers, yes/no, categories or dates.
    sample_weight : array-like of shape (n_linked,), optional
        Survey weights.
    min_cell : int, default=10
        Cells (type x level) with fewer linked customers are suppressed as in the banner
        (:func:`~behaviortypes.describe.banner_table`), and so are numeric means of fewer.
    alpha : float, default=0.05
        False discovery rate of ``significant``.

    Returns
    -------
    DataFrame
        Columns :data:`CRM_PROFILE_COLUMNS`, one row per type and numeric or yes/no
        column, and per type and level of a categorical column.

    Notes
    -----
    Numbers: ``mean`` is the type's weighted mean, ``overall`` everyone's, ``effect_size``
    Cohen's d against the other types, ``diff_sd`` the difference from everyone in SD
    (as :func:`~behaviortypes.profiles.profile_features`); the test is Welch's t-test of
    the type against the rest on Kish effective sizes. Yes/no and categories: ``mean``
    is the share of the type at the level ("yes" for yes/no), ``overall`` everyone's,
    ``effect_size`` Cohen's d of the level's 0/1 indicator; the test, the
    Benjamini-Hochberg adjustment (per feature) and the suppression of small cells are the
    banner's. Levels the model treats as "other" (rarer than its categories) stay in the
    base of the shares but get no row. A column of two levels gets one row, its less common
    level (the other is its mirror). Date columns are not profiled.
    """
    labels = pd.Series(np.asarray(labels), index=features.index)
    w = np.ones(len(labels)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    kinds = {s["name"]: s["kind"] for s in schema if s["name"] in features and s["kind"] != "date"}
    prepared = prepare_features(features, [s for s in schema if s["name"] in kinds], None)
    numeric = [c for c, k in kinds.items() if k == "numeric"]
    leveled = [c for c, k in kinds.items() if k != "numeric"]
    parts = []
    if numeric:
        parts.append(_numeric_rows(prepared[numeric].astype(float), labels, w, min_cell, alpha))
    if leveled:
        values, levels = {}, {}
        for spec in schema:
            name = spec["name"]
            if name not in leveled:
                continue
            col = prepared[name]
            if kinds[name] == "boolean":
                values[name] = col.map({1.0: "1", 0.0: "0"})
                levels[name] = ["0", "1"]
            else:
                cats = [str(c) for c in spec.get("categories", [])]
                text = col.where(col.isna(), col.astype(str))
                values[name] = text.where(text.isna() | text.isin(cats), _OTHER)
                # "other" only when someone is in it: an empty level counts as a small cell and
                # its complementary suppression hid a real level for every type (review, session 14)
                levels[name] = cats + ([_OTHER] if (values[name] == _OTHER).any() else [])
        parts.append(_level_rows(pd.DataFrame(values, index=labels.index), labels, w, kinds, levels,
                                 min_cell, alpha))
    if not parts:
        return pd.DataFrame(columns=CRM_PROFILE_COLUMNS)
    table = pd.concat(parts, ignore_index=True).rename(columns={"key": "feature"})
    order = {name: i for i, name in enumerate(kinds)}
    table = table.sort_values(["type_id", "feature"], key=lambda s: s.map(order) if s.name == "feature" else s,
                              kind="stable")
    table["n"] = table["n"].astype("Int64")
    table["significant"] = table["significant"].fillna(False).astype(bool)
    return table[CRM_PROFILE_COLUMNS].reset_index(drop=True)
