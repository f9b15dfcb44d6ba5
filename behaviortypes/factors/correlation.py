"""Correlation matrices for the measurement model: pairwise (weighted) Pearson and polychoric.

The matrix used is always chosen explicitly and logged: there is no silent fallback
from one method to another. When a polychoric matrix is not positive definite it is
smoothed (as psych's ``cor.smooth``) and a :class:`SurveyQualityWarning` says so; the
smoothing is recorded in ``matrix.attrs["smoothed"]``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar
from scipy.special import ndtr, ndtri

from behaviortypes.errors import InputError, SurveyQualityWarning

from .checks import ItemData, check_choice, check_items

__all__ = ["correlation_matrix", "bivariate_normal_cdf", "polychoric_pair", "smooth_correlation"]

CORR_METHODS = ("pearson", "polychoric")
MAX_CATEGORIES = 10

# Gauss-Legendre half-nodes and weights used by Genz's BVND (n = 6, 12, 20).
_GL = {
    6: (np.array([0.1713244923791705, 0.3607615730481384, 0.4679139345726904]),
        np.array([0.9324695142031522, 0.6612093864662647, 0.2386191860831970])),
    12: (np.array([0.04717533638651177, 0.1069393259953183, 0.1600783285433464,
                   0.2031674267230659, 0.2334925365383547, 0.2491470458134029]),
         np.array([0.9815606342467191, 0.9041172563704750, 0.7699026741943050,
                   0.5873179542866171, 0.3678314989981802, 0.1252334085114692])),
    20: (np.array([0.01761400713915212, 0.04060142980038694, 0.06267204833410906,
                   0.08327674157670475, 0.1019301198172404, 0.1181945319615184,
                   0.1316886384491766, 0.1420961093183821, 0.1491729864726037,
                   0.1527533871307259]),
         np.array([0.9931285991850949, 0.9639719272779138, 0.9122344282513259,
                   0.8391169718222188, 0.7463319064601508, 0.6360536807265150,
                   0.5108670019508271, 0.3737060887154196, 0.2277858511416451,
                   0.07652652113349733])),
}


def _bvn_upper(h: np.ndarray, k: np.ndarray, r: float) -> np.ndarray:
    """P(X > h, Y > k) for a standard bivariate normal with correlation r (finite h, k)."""
    h = np.asarray(h, float)
    k = np.asarray(k, float)
    if r == 0:
        return ndtr(-h) * ndtr(-k)
    n = 6 if abs(r) < 0.3 else 12 if abs(r) < 0.75 else 20
    w, x = _GL[n]
    w = np.concatenate([w, w])
    x = np.concatenate([1 - x, 1 + x])
    tp = 2 * np.pi
    hk = h * k
    if abs(r) < 0.925:
        hs = (h * h + k * k) / 2
        asr = np.arcsin(r) / 2
        sn = np.sin(asr * x)
        terms = np.exp((sn[None, :] * hk[..., None] - hs[..., None]) / (1 - sn**2)[None, :])
        bvn = terms @ w * asr / tp + ndtr(-h) * ndtr(-k)
        return np.clip(bvn, 0, 1)
    kk = -k if r < 0 else k
    hk = h * kk
    bvn = np.zeros_like(h)
    if abs(r) < 1:
        a_s = 1 - r * r
        a = np.sqrt(a_s)
        bs = (h - kk) ** 2
        c = (4 - hk) / 8
        d = (12 - hk) / 80
        asr = -(bs / a_s + hk) / 2
        bvn = np.where(asr > -100,
                       a * np.exp(asr) * (1 - c * (bs - a_s) * (1 - d * bs) / 3 + c * d * a_s**2),
                       0.0)
        b = np.sqrt(bs)
        sp = np.sqrt(tp) * ndtr(-b / a)
        bvn = np.where(hk > -100,
                       bvn - np.exp(-hk / 2) * sp * b * (1 - c * bs * (1 - d * bs) / 3),
                       bvn)
        a = a / 2
        xs = (a * x) ** 2
        asr = -(bs[..., None] / xs[None, :] + hk[..., None]) / 2
        sp = 1 + c[..., None] * xs * (1 + 5 * d[..., None] * xs)
        rs = np.sqrt(1 - xs)
        ep = np.exp(-(hk[..., None] / 2) * xs / (1 + rs) ** 2) / rs
        terms = np.where(asr > -100, np.exp(np.maximum(asr, -100)) * (sp - ep), 0.0)
        bvn = (a * (terms @ w) - bvn) / tp
    if r > 0:
        bvn = bvn + ndtr(-np.maximum(h, kk))
    else:
        low = np.where(h < 0, ndtr(kk) - ndtr(h), ndtr(-h) - ndtr(-kk))
        bvn = np.where(h >= kk, -bvn, low - bvn)
    return np.clip(bvn, 0, 1)


def bivariate_normal_cdf(h, k, r: float) -> np.ndarray:
    """P(X ≤ h, Y ≤ k) for a standard bivariate normal with correlation ``r``.

    Vectorised over ``h`` and ``k`` (same shape), accurate to about 1e-15: Genz's
    BVND algorithm (Drezner & Wesolowsky 1990 with Gauss-Legendre quadrature).
    Infinite limits are allowed.

    References
    ----------
    Genz, A. (2004). Numerical computation of rectangular bivariate and trivariate
    normal and t probabilities. *Statistics and Computing*, 14, 251-260.
    """
    h = np.atleast_1d(np.asarray(h, float))
    k = np.atleast_1d(np.asarray(k, float))
    h, k = np.broadcast_arrays(h, k)
    out = np.empty(h.shape)
    finite = np.isfinite(h) & np.isfinite(k)
    out[finite] = _bvn_upper(-h[finite], -k[finite], float(r))
    # at least one infinite limit: the probability reduces to a univariate one
    inf = ~finite
    hi, ki = h[inf], k[inf]
    out[inf] = np.where((hi == -np.inf) | (ki == -np.inf), 0.0,
                        np.where(hi == np.inf, ndtr(ki), ndtr(hi)))
    return out


def _thresholds(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Category codes (0..c-1, -1 for missing) and normal thresholds from the margins."""
    obs = ~np.isnan(x)
    cats, codes = np.unique(x[obs], return_inverse=True)
    full = np.full(x.shape, -1)
    full[obs] = codes
    props = np.bincount(codes, weights=w[obs], minlength=len(cats))
    cum = np.cumsum(props)[:-1] / props.sum()
    return full, np.concatenate([[-np.inf], ndtri(cum), [np.inf]])


def polychoric_pair(table: np.ndarray, tau_x: np.ndarray, tau_y: np.ndarray) -> float:
    """Maximum-likelihood polychoric correlation of one contingency table.

    Two-step estimator (Olsson 1979): thresholds ``tau_x``, ``tau_y`` (with ±inf at the
    ends) are fixed from the margins; the correlation maximises the multinomial
    likelihood of ``table`` (rows = categories of x). Empty cells get 0.5 as in psych's
    ``polychoric(correct=0.5)``.

    References
    ----------
    Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation
    coefficient. *Psychometrika*, 44, 443-460.
    """
    table = np.where(table > 0, table, 0.5)
    hx, ky = np.meshgrid(tau_x, tau_y, indexing="ij")

    def negloglik(rho: float) -> float:
        cdf = bivariate_normal_cdf(hx.ravel(), ky.ravel(), rho).reshape(hx.shape)
        pi = cdf[1:, 1:] - cdf[:-1, 1:] - cdf[1:, :-1] + cdf[:-1, :-1]
        return -float(np.sum(table * np.log(np.maximum(pi, 1e-300))))

    res = minimize_scalar(negloglik, bounds=(-0.9999, 0.9999), method="bounded",
                          options={"xatol": 1e-7})
    return float(res.x)


def _polychoric(d: ItemData) -> np.ndarray:
    p = d.values.shape[1]
    w = np.ones(d.n) if d.weights is None else d.weights
    codes, taus = [], []
    for j in range(p):
        ncat = np.unique(d.values[~np.isnan(d.values[:, j]), j]).size
        if ncat > MAX_CATEGORIES:
            raise InputError(
                f"polychoric correlations need ordinal items with at most {MAX_CATEGORIES} "
                f"answer categories; this item has {ncat}",
                column=d.items[j], value=ncat,
                hint="use corr='pearson' for continuous scores")
        c, t = _thresholds(d.values[:, j], w)
        codes.append(c)
        taus.append(t)
    R = np.eye(p)
    for a in range(p):
        for b in range(a + 1, p):
            both = (codes[a] >= 0) & (codes[b] >= 0)
            na, nb = len(taus[a]) - 1, len(taus[b]) - 1
            table = np.zeros((na, nb))
            np.add.at(table, (codes[a][both], codes[b][both]), w[both])
            R[a, b] = R[b, a] = polychoric_pair(table, taus[a], taus[b])
    return R


def pearson_matrix(d: ItemData) -> np.ndarray:
    """Pairwise-complete (weighted) Pearson correlations, vectorised."""
    x = d.values
    m = (~np.isnan(x)).astype(float)
    w = np.ones(d.n) if d.weights is None else d.weights
    xc = np.where(m > 0, x - np.nanmean(x, axis=0), 0.0)
    a = m * w[:, None]
    sw = a.T @ m                       # sum of weights where i and j are both observed
    sx = (a * xc).T @ m                # sum of x_i over those rows
    sxx = (a * xc**2).T @ m
    sxy = (a * xc).T @ xc
    with np.errstate(invalid="ignore", divide="ignore"):
        mi = sx / sw
        mj = mi.T
        cov = sxy / sw - mi * mj
        vi = sxx / sw - mi**2
        vj = vi.T
        r = cov / np.sqrt(vi * vj)
    bad = ~np.isfinite(r)
    if bad.any():
        a_, b_ = np.argwhere(bad)[0]
        raise InputError(
            f"items '{d.items[a_]}' and '{d.items[b_]}' have no variance among the "
            "respondents who answered both, so their correlation is undefined",
            column=d.items[a_],
            hint="drop one of the items or check the routing of the questionnaire")
    r = np.clip((r + r.T) / 2, -1, 1)
    np.fill_diagonal(r, 1.0)
    return r


def smooth_correlation(R: np.ndarray, eps: float = 1e-12) -> tuple[np.ndarray, bool]:
    """Return a positive-definite version of ``R`` and whether it had to change.

    Eigenvalues below ``eps`` are raised to ``100 * eps`` and the matrix is rescaled to
    unit diagonal (psych's ``cor.smooth``).
    """
    vals, vecs = np.linalg.eigh(R)
    if vals.min() > eps:
        return R, False
    vals = np.where(vals < eps, 100 * eps, vals)
    vals = vals * len(vals) / vals.sum()
    S = (vecs * vals) @ vecs.T
    dg = np.sqrt(np.diag(S))
    S = S / np.outer(dg, dg)
    np.fill_diagonal(S, 1.0)
    return (S + S.T) / 2, True


def item_correlation(d: ItemData, method: str) -> tuple[np.ndarray, dict]:
    """Correlation matrix of validated data and a log of how it was computed."""
    if method == "pearson":
        R = pearson_matrix(d)
        smoothed = False
    else:
        R, smoothed = smooth_correlation(_polychoric(d))
        if smoothed:
            warnings.warn(
                "the polychoric correlation matrix was not positive definite and was "
                "smoothed (eigenvalues floored, psych's cor.smooth)",
                SurveyQualityWarning, stacklevel=3)
    complete = int(np.sum(~np.isnan(d.values).any(axis=1)))
    info = {
        "method": method,
        "missing": "pairwise",
        "weighted": d.weights is not None,
        "n_respondents": d.n,
        "n_complete": complete,
        "n_effective": round(d.n_effective, 2),
        "smoothed": smoothed,
    }
    return R, info


def correlation_matrix(data: pd.DataFrame, *, method: str = "pearson",
                       sample_weight=None) -> pd.DataFrame:
    """Item correlation matrix, with how it was computed in ``.attrs``.

    Parameters
    ----------
    data : DataFrame of shape (n_respondents, n_items)
        Numeric answers; NaN marks a missing answer.
    method : {"pearson", "polychoric"}, default="pearson"
        ``"pearson"``: pairwise-complete Pearson correlations, as R's
        ``cor(use="pairwise")`` and psych's ``fa()`` default. ``"polychoric"``: the
        two-step maximum-likelihood polychoric correlation of each pair of ordinal
        items (at most 10 categories), thresholds from each item's margins, psych's
        0.5 correction for empty cells; smoothed with a warning when not positive
        definite.
    sample_weight : array-like or Series of shape (n_respondents,), optional
        Respondent weights (weighted Pearson moments / weighted contingency tables).

    Returns
    -------
    DataFrame of shape (n_items, n_items)
        Indexed and labelled by item id. ``attrs`` holds ``method``, ``missing``,
        ``weighted``, ``n_respondents``, ``n_complete``, ``n_effective``, ``smoothed``.

    Raises
    ------
    InputError
        Non-numeric or constant items, too few respondents, an unknown method, or
        (polychoric) items with more than 10 categories.
    """
    method = check_choice("method", method, CORR_METHODS)
    d = check_items(data, sample_weight=sample_weight, what="items")
    R, info = item_correlation(d, method)
    out = pd.DataFrame(R, index=pd.Index(d.items, name="item"), columns=d.items)
    out.attrs.update(info)
    return out
