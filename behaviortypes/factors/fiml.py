"""Full-information maximum likelihood (FIML) for a CFA with missing answers.

As lavaan's ``cfa(..., missing = "ml")``: every respondent who answered at least one of
the modelled statements counts, with the likelihood of the answers they gave (missing at
random). The unrestricted model (means and covariances free, "h1") is fitted by EM
(Dempster, Laird & Rubin 1977; the sufficient statistics completed per missingness
pattern); the CFA ("h0", means free) by EM too (Jamshidian & Bentler 1999): the
E-step completes the statistics under the model's covariance, the M-step is semopy's
complete-data ML fit to them. The chi-square is twice the log-likelihood difference of
h1 and h0; the baseline (independence) model has each statement's observed mean and
variance. Fit indices as lavaan computes them (SRMR over the covariances and the means).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["fiml_cfa"]

_LOG2PI = float(np.log(2 * np.pi))


def _patterns(X: np.ndarray) -> list[tuple]:
    """(observed columns o, rows, their observed answers, the indices of S's o-o, o-m and m-m
    blocks, m = missing) per missingness pattern with at least one answer: taken out once,
    not in every EM iteration (session 24)."""
    keys, inv = np.unique(np.isnan(X), axis=0, return_inverse=True)
    inv = np.ravel(inv)
    pats = [(~keys[g], np.flatnonzero(inv == g)) for g in range(len(keys)) if (~keys[g]).any()]
    return [(o, rows, X[np.ix_(rows, o)], np.ix_(o, o), np.ix_(o, ~o), np.ix_(~o, ~o))
            for o, rows in pats]


def _e_step(X: np.ndarray, pats, mu: np.ndarray, S: np.ndarray):
    """Completed first and second moments and the observed-data log-likelihood."""
    p = X.shape[1]
    T1, T2, ll, n = np.zeros(p), np.zeros((p, p)), 0.0, 0
    for o, rows, answers, oo, om, mm in pats:
        m = ~o
        D = answers - mu[o]
        Soo = S[oo]
        L = np.linalg.cholesky(Soo)
        Z = np.linalg.solve(L, D.T)
        ll -= 0.5 * (float(np.sum(Z ** 2))
                     + rows.size * (o.sum() * _LOG2PI + 2 * float(np.sum(np.log(np.diag(L))))))
        full = np.empty((rows.size, p))
        full[:, o] = D + mu[o]
        C = np.zeros((p, p))
        if m.any():
            B = np.linalg.solve(Soo, S[om]).T
            full[:, m] = mu[m] + D @ B.T
            C[mm] = S[mm] - B @ S[om]
        T1 += full.sum(0)
        T2 += full.T @ full + rows.size * C
        n += rows.size
    return T1 / n, T2 / n, ll, n


def _em_h1(X: np.ndarray, pats, *, tol: float, max_iter: int):
    """Unrestricted means and covariances by EM: (mu, S, loglik, n, converged)."""
    mu = np.nanmean(X, axis=0)
    S = np.diag(np.nanvar(X, axis=0))
    prev = -np.inf
    for _ in range(max_iter):
        m1, m2, ll, n = _e_step(X, pats, mu, S)
        mu, S = m1, m2 - np.outer(m1, m1)
        if ll - prev < tol:
            return mu, S, ll, n, True
        prev = ll
    return mu, S, _e_step(X, pats, mu, S)[2], n, False


def _baseline_loglik(X: np.ndarray) -> float:
    """Independence model: each column's own observed mean and (ML) variance."""
    ll = 0.0
    for col in X.T:
        seen = col[~np.isnan(col)]
        ll -= 0.5 * seen.size * (_LOG2PI + np.log(seen.var()) + 1)
    return float(ll)


def _srmr_means(S: np.ndarray, mu: np.ndarray, sigma: np.ndarray, mu_model: np.ndarray) -> float:
    """lavaan's SRMR (Bentler) with a mean structure: standardised residual covariances
    (lower triangle) and means."""
    d = np.sqrt(np.diag(S))
    res = (S - sigma) / np.outer(d, d)
    tri = np.tril_indices(S.shape[0])
    mres = (mu - mu_model) / d
    return float(np.sqrt((np.sum(res[tri] ** 2) + np.sum(mres ** 2)) / (tri[0].size + mu.size)))


def fiml_cfa(frame: pd.DataFrame, model, *, tol: float = 1e-6, max_iter: int = 500) -> dict:
    """Fit a semopy CFA ``model`` to ``frame`` (answers, NaN = missing) by FIML.

    Parameters
    ----------
    frame : DataFrame of shape (n_respondents, n_items)
        The modelled statements, columns named as the model's observed variables; rows
        without any answer are left out.
    model : semopy.Model
        The measurement model (not yet fitted); fitted here.
    tol : float, default=1e-6
        EM stops when the log-likelihood gains less than ``tol`` per respondent.
    max_iter : int, default=500
        EM iterations per model at most.

    Returns
    -------
    dict
        ``n`` (respondents with at least one answer), ``n_complete`` (with all), ``chi2``,
        ``df``, ``p_value``, ``cfi``, ``tli``, ``rmsea``, ``srmr``, ``loglik`` (h0),
        ``loglik_h1``, ``converged`` (both EMs and the last M-step).
    """
    X = frame.to_numpy(dtype=float)
    X = X[~np.isnan(X).all(axis=1)]
    n_rows, p = X.shape
    pats = _patterns(X)
    tol_ll = tol * n_rows
    mu1, S1, ll1, n, ok1 = _em_h1(X, pats, tol=tol_ll, max_iter=max_iter)
    cols = list(frame.columns)
    fit = model.fit(cov=pd.DataFrame(S1, index=cols, columns=cols), n_samples=n)
    obs = list(model.vars["observed"])
    order = [cols.index(c) for c in obs]
    Xo, mu, prev, ok0 = X[:, order], mu1[order], -np.inf, False
    pats_o = _patterns(Xo)
    for _ in range(max_iter):
        sigma = model.calc_sigma()[0]
        m1, m2, ll0, _ = _e_step(Xo, pats_o, mu, sigma)
        if ll0 - prev < tol_ll:
            ok0 = True
            break
        prev, mu = ll0, m1
        fit = model.fit(cov=pd.DataFrame(m2 - np.outer(m1, m1), index=obs, columns=obs),
                        n_samples=n, clean_slate=False)
    q = len(model.param_vals) + p  # the CFA's parameters and the p free means
    chi2 = max(2 * (ll1 - ll0), 0.0)
    df = p * (p + 1) // 2 + p - q
    chi_b, df_b = max(2 * (ll1 - _baseline_loglik(Xo)), 0.0), p * (p - 1) // 2
    excess = max(chi2 - df, 0.0)
    cfi = 1 - excess / max(chi2 - df, chi_b - df_b, 1e-12)
    tli = (chi_b / df_b - chi2 / df) / (chi_b / df_b - 1) if df > 0 else np.nan
    S1o = S1[np.ix_(order, order)]
    return {"n": int(n), "n_complete": int((~np.isnan(X)).all(axis=1).sum()),
            "chi2": float(chi2), "df": float(df),
            "p_value": float(stats.chi2.sf(chi2, df)) if df > 0 else np.nan,
            "cfi": float(min(max(cfi, 0.0), 1.0)), "tli": float(tli),
            "rmsea": float(np.sqrt(excess / (df * n))) if df > 0 else np.nan,
            "srmr": _srmr_means(S1o, mu1[order], model.calc_sigma()[0], mu),
            "loglik": float(ll0), "loglik_h1": float(ll1),
            "converged": bool(ok1 and ok0 and getattr(fit, "success", True))}
