"""Reliability of scales: Cronbach's alpha with Feldt's interval, McDonald's omega, item analysis.

All functions work from the pairwise (optionally weighted) covariance matrix, so
missing answers are allowed; with complete data the results are the textbook ones.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from behaviortypes.errors import InputError

from .checks import ItemData, check_items
from .correlation import pearson_matrix
from .extraction import extract

__all__ = ["cronbach_alpha", "item_reliability", "omega", "omega_total", "scale_reliability",
           "item_table"]


def item_sds(d: ItemData) -> np.ndarray:
    """Per-item standard deviations over all answers (ddof=1; weighted when weights)."""
    x = d.values
    obs = ~np.isnan(x)
    w = np.ones(d.n) if d.weights is None else d.weights
    out = np.empty(x.shape[1])
    for j in range(x.shape[1]):
        xj, wj = x[obs[:, j], j], w[obs[:, j]]
        mu = np.average(xj, weights=wj)
        var = np.sum(wj * (xj - mu) ** 2) / np.sum(wj)
        n = obs[:, j].sum()
        out[j] = np.sqrt(var * n / (n - 1))
    return out


def covariance(d: ItemData) -> np.ndarray:
    """Item covariance matrix: pairwise correlations scaled by each item's SD."""
    sd = item_sds(d)
    return pearson_matrix(d) * np.outer(sd, sd)


def _alpha(C: np.ndarray) -> float:
    k = C.shape[0]
    return float(k / (k - 1) * (1 - np.trace(C) / C.sum()))


def _feldt(alpha: float, n: int, k: int, ci: float) -> tuple[float, float]:
    df1, df2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - alpha) * stats.f.ppf(1 - (1 - ci) / 2, df1, df2)
    high = 1 - (1 - alpha) * stats.f.ppf((1 - ci) / 2, df1, df2)
    return float(low), float(high)


def _check_ci(ci) -> float:
    if not 0 < float(ci) < 1:
        raise InputError("ci must be between 0 and 1", value=ci, hint="use ci=0.95")
    return float(ci)


def alpha_row(C: np.ndarray, n: int, ci: float, signs: np.ndarray | None = None) -> dict:
    """Alpha, Feldt CI, n and n_items from a covariance matrix (items flipped by ``signs``)."""
    if signs is not None:
        C = C * np.outer(signs, signs)
    a = _alpha(C)
    low, high = _feldt(a, n, C.shape[0], ci)
    return {"alpha": a, "ci_low": low, "ci_high": high, "n": n, "n_items": C.shape[0]}


def cronbach_alpha(data: pd.DataFrame, *, ci: float = 0.95, sample_weight=None) -> pd.DataFrame:
    """Cronbach's alpha with Feldt's confidence interval.

    Parameters
    ----------
    data : DataFrame of shape (n_respondents, n_items)
        Keyed answers (reverse-keyed items already reversed); NaN = missing.
    ci : float, default=0.95
        Confidence level of the interval.
    sample_weight : array-like of shape (n_respondents,), optional

    Returns
    -------
    DataFrame
        One row (index ``"alpha"``): ``alpha``, ``ci_low``, ``ci_high``, ``n``
        (respondents), ``n_items``.

    Notes
    -----
    ``alpha = k/(k-1) (1 - Σ s²_i / s²_total)`` from the item covariance matrix
    (pairwise correlations × item SDs when answers are missing). Feldt's interval uses
    ``(1 - α)/(1 - α̂) ~ F(n-1, (n-1)(k-1))``. Alpha is a lower bound of reliability
    under tau-equivalence; omega (see :func:`omega`) does not assume equal loadings.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    *Psychometrika*, 16, 297-334.
    Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
    coefficient alpha. *Applied Psychological Measurement*, 11, 93-103.
    """
    ci = _check_ci(ci)
    d = check_items(data, sample_weight=sample_weight, min_items=2, min_respondents=3)
    return pd.DataFrame([alpha_row(covariance(d), d.n, ci)],
                        index=pd.Index(["alpha"], name="scale"))


def item_reliability(data: pd.DataFrame, *, sample_weight=None) -> pd.DataFrame:
    """Item analysis of one scale: item-rest correlation and alpha if the item is deleted.

    Parameters
    ----------
    data : DataFrame of shape (n_respondents, n_items)
        Keyed answers of the items of one scale; NaN = missing.
    sample_weight : array-like of shape (n_respondents,), optional

    Returns
    -------
    DataFrame
        Indexed by ``item``: ``n`` (answers), ``mean``, ``sd``, ``item_rest_r`` (the
        corrected item-total correlation: the item with the sum of the other items),
        ``alpha_if_deleted``.

    Notes
    -----
    An item whose ``alpha_if_deleted`` is above the scale's alpha, or whose
    ``item_rest_r`` is below about .30, does not hang together with the others
    (often a reverse-keyed item that was not reversed).
    """
    d = check_items(data, sample_weight=sample_weight, min_items=3, min_respondents=3)
    obs = ~np.isnan(d.values)
    w = np.ones(d.n) if d.weights is None else d.weights
    out = item_table(covariance(d), d.items)
    out.insert(0, "n", obs.sum(0).astype(int))
    out.insert(1, "mean", [float(np.average(d.values[obs[:, j], j], weights=w[obs[:, j]]))
                           for j in range(len(d.items))])
    return out


def item_table(C: np.ndarray, items: list[str]) -> pd.DataFrame:
    """``sd``, ``item_rest_r`` and ``alpha_if_deleted`` from a covariance matrix."""
    k = C.shape[0]
    rows = []
    for i in range(k):
        rest = np.delete(np.arange(k), i)
        var_rest = C[np.ix_(rest, rest)].sum()
        rows.append({"sd": float(np.sqrt(C[i, i])),
                     "item_rest_r": float(C[i, rest].sum() / np.sqrt(C[i, i] * var_rest)),
                     "alpha_if_deleted": _alpha(C[np.ix_(rest, rest)])})
    return pd.DataFrame(rows, index=pd.Index(list(items), name="item"))


def assign_items(loadings: pd.DataFrame, threshold: float) -> pd.Series:
    """Primary factor of each item (largest |loading|), or NaN when below ``threshold``."""
    absl = loadings.abs()
    primary = absl.idxmax(axis=1)
    return primary.where(absl.max(axis=1) >= threshold)


def omega(loadings: pd.DataFrame, *, uniquenesses=None, corr: pd.DataFrame | None = None,
          threshold: float = 0.40) -> pd.DataFrame:
    """McDonald's omega of each factor's scale (its salient items), from given loadings.

    Use it when the loadings are a one-factor model of each scale (or a confirmatory
    model). Do not feed it the rotated loadings of a multi-factor EFA: a main-factor
    pattern loading leaves out what the item shares with the other factors, and omega
    comes out too low (even below alpha). For a scale's reliability from data use
    :func:`omega_total` or :func:`scale_reliability` (psych's ``omega.tot``), which fit
    one factor to the scale's own items; ``FactorModel.reliability_`` does so.

    Parameters
    ----------
    loadings : DataFrame of shape (n_items, n_factors)
        Pattern loadings, indexed by item id, one column per factor.
    uniquenesses : Series or array-like of shape (n_items,), optional
        Unique variances; default ``1 - loading²`` on the item's own factor.
    corr : DataFrame of shape (n_items, n_items), optional
        The item correlation matrix. When given, the denominator is the model-free
        variance of the (standardised) sum score, ``1' R 1``, which also counts
        cross-loadings and correlated errors (psych's ``omega.tot`` logic).
    threshold : float, default=0.40
        An item belongs to the factor on which it loads most, if that |loading| is at
        least ``threshold``.

    Returns
    -------
    DataFrame
        Indexed by ``factor``: ``omega``, ``n_items``, ``items`` (``"; "``-joined).
        ``omega`` is NaN for a factor with fewer than 2 salient items.

    Notes
    -----
    ``ω = (Σ|λ_i|)² / ((Σ|λ_i|)² + Σ ψ_i)`` (congeneric model), or
    ``(Σ|λ_i|)² / s'Rs`` with ``corr``, where ``s`` are the signs of the loadings
    (items with negative loadings count reversed).

    References
    ----------
    McDonald, R. P. (1999). *Test theory: A unified treatment*. Erlbaum.
    """
    if not isinstance(loadings, pd.DataFrame):
        raise InputError("loadings must be a DataFrame (items × factors)",
                         value=type(loadings).__name__,
                         hint="pass FactorModel().fit(...).loadings_")
    primary = assign_items(loadings, threshold)
    if uniquenesses is not None:
        u_all = pd.Series(np.asarray(uniquenesses, float).ravel(), index=loadings.index) \
            if not isinstance(uniquenesses, pd.Series) else uniquenesses.reindex(loadings.index)
    rows = []
    for f in loadings.columns:
        items = list(primary.index[primary == f])
        lam = loadings.loc[items, f].to_numpy(float)
        num = np.abs(lam).sum() ** 2
        if len(items) < 2:
            val = np.nan
        elif corr is not None:
            s = np.sign(lam)
            R = corr.loc[items, items].to_numpy(float)
            val = num / float(s @ R @ s)
        else:
            u = (1 - lam**2) if uniquenesses is None else u_all.loc[items].to_numpy(float)
            val = num / (num + u.sum())
        rows.append({"omega": float(val), "n_items": len(items), "items": "; ".join(items)})
    return pd.DataFrame(rows, index=pd.Index(list(loadings.columns), name="factor"))


def omega_total(corr) -> float:
    """McDonald's omega total of one scale, from a one-factor model of its items (psych's).

    Parameters
    ----------
    corr : array-like of shape (n_items, n_items)
        The correlation matrix of the scale's items (Pearson, or polychoric for ordinal
        omega). Items may be keyed either way: they are flipped by the sign of their
        loading, as psych does.

    Returns
    -------
    float
        ``ω_t = (1'R1 - Σ u²) / 1'R1`` on the flipped matrix, where ``u² = 1 - λ²`` are
        the uniquenesses of a one-factor minres fit. Two items do not identify one
        factor; as psych, both then load ``√|r|`` and ``ω_t = 2|r| / (1 + |r|)``, the
        Spearman–Brown reliability of the pair (standardised alpha). NaN for one item.

    Notes
    -----
    This is ``psych::omega(x, nfactors = 1)$omega.tot`` (Revelle's ``omegah`` with the
    one-factor ``schmid`` solution), two items included (psych 2.2.9 returns
    ``2|r|/(1+|r|)`` there, with the message that omega hierarchical is not meaningful
    for one factor). It counts every shared variance, correlated errors
    included, in the true score; it differs from ``(Σλ)² / 1'R1`` (omega hierarchical of
    a one-factor model) by the off-diagonal residuals.

    References
    ----------
    McDonald, R. P. (1999). *Test theory: A unified treatment*. Erlbaum.
    Revelle, W., & Zinbarg, R. E. (2009). Coefficients alpha, beta, omega, and the glb.
    *Psychometrika*, 74(1), 145-154.
    """
    R = np.asarray(corr, dtype=float)
    if R.ndim != 2 or R.shape[0] != R.shape[1]:
        raise InputError("corr must be a square correlation matrix", value=str(R.shape),
                         hint="pass the items' correlation matrix (n_items × n_items)")
    if R.shape[0] < 2:
        return float("nan")
    if R.shape[0] == 2:  # not identified: equal loadings, as psych's fa settles on
        r = float(R[0, 1])
        lam = np.sqrt(abs(r)) * np.array([1.0, 1.0 if r >= 0 else -1.0])
    else:
        lam = extract(R, 1, "minres")[0][:, 0]
    s = np.sign(lam)
    s[s == 0] = 1
    total = float(s @ R @ s)
    return float((total - np.sum(np.diag(R) - lam**2)) / total)


def group_reliability(R: np.ndarray, sds: np.ndarray, items: list[str], n: int,
                      groups: Mapping[str, str], ci: float,
                      R_omega: np.ndarray | None = None) -> pd.DataFrame:
    """Per-group alpha, Feldt CI and omega from a correlation matrix and item SDs.

    Alpha from the Pearson ``R`` × SDs; omega (:func:`omega_total`) from ``R_omega``
    when given (the analysed matrix, e.g. polychoric), else from ``R``.
    """
    R_om = R if R_omega is None else np.asarray(R_omega, float)
    g = pd.Series({k: v for k, v in dict(groups).items() if k in items and v is not None
                   and not (isinstance(v, float) and np.isnan(v))}, dtype=object)
    rows, names = [], []
    for name, members in g.groupby(g, sort=True):
        idx = [items.index(m) for m in members.index]
        row = {"n_items": len(idx), "alpha": np.nan, "ci_low": np.nan, "ci_high": np.nan,
               "omega": np.nan, "n": n, "items": "; ".join(members.index)}
        if len(idx) >= 2:
            sub = R[np.ix_(idx, idx)]
            row.update(alpha_row(sub * np.outer(sds[idx], sds[idx]), n, ci))
            row["omega"] = omega_total(R_om[np.ix_(idx, idx)])  # two items: psych's 2r/(1+r)
        rows.append(row)
        names.append(str(name))
    cols = ["n_items", "alpha", "ci_low", "ci_high", "omega", "n", "items"]
    return pd.DataFrame(rows, index=pd.Index(names, name="group"), columns=cols)


def scale_reliability(data: pd.DataFrame, groups: Mapping[str, str] | pd.Series, *,
                      ci: float = 0.95, sample_weight=None) -> pd.DataFrame:
    """Alpha (with Feldt CI) and omega of each group of items, e.g. per interview theme.

    Parameters
    ----------
    data : DataFrame of shape (n_respondents, n_items)
        Keyed answers; NaN = missing.
    groups : mapping or Series, item id -> group name
        Items not in ``groups`` (or mapped to None/NaN) are ignored.
    ci : float, default=0.95
    sample_weight : array-like of shape (n_respondents,), optional

    Returns
    -------
    DataFrame
        Indexed by ``group``: ``n_items``, ``alpha``, ``ci_low``, ``ci_high``,
        ``omega`` (omega total from a one-factor minres fit; two items: 2r/(1+r), as psych),
        ``n`` (respondents), ``items``. Groups of a single item get NaN reliabilities.
    """
    ci = _check_ci(ci)
    d = check_items(data, sample_weight=sample_weight, min_items=2, min_respondents=3)
    return group_reliability(pearson_matrix(d), item_sds(d), d.items, d.n, dict(groups), ci)
