"""Extraction and rotation of factors (factor-analyzer inside), ordered and signed as psych.

A leaf module: :mod:`.efa`, :mod:`.reliability` and :mod:`.retention` import it, it
imports none of them (this removes the former efa <-> reliability import cycle).
"""

from __future__ import annotations

import warnings

import numpy as np
from factor_analyzer import FactorAnalyzer, Rotator
from scipy.optimize import minimize

from ..threads import one_thread

__all__ = ["extract", "rotate", "order_and_sign", "matrix_sqrt", "minres_loadings"]


def extract(R: np.ndarray, n_factors: int, method: str) -> tuple[np.ndarray, bool]:
    """Unrotated loadings of ``n_factors`` factors of correlation matrix ``R``.

    ``"minres"`` is psych's own search (:func:`minres_loadings`: L-BFGS-B on the
    uniquenesses with psych's analytic gradient); ``"ml"`` runs
    :class:`factor_analyzer.FactorAnalyzer` on the correlation matrix (SMC starting
    values, uniquenesses bounded at 0.005 as in psych); ``"principal"`` returns
    principal-component loadings ``V √λ``. Returns the loadings and whether the
    optimiser converged.

    Notes
    -----
    minres went through factor-analyzer until session 4; its numerical gradient made a
    12-factor solution of 72 statements take 15 s (0.85 s now) and its loadings were
    within 4e-5 of psych's on msq, the port's 5e-5 (``docs/choosing_factors.md``).
    The search stops at a relative change of 1e-13 in the loss (psych's ``optim``
    default, ~2e-9, stops early where the loss is flat).
    """
    if method == "principal":
        vals, vecs = np.linalg.eigh(R)
        order = np.argsort(vals)[::-1][:n_factors]
        L = vecs[:, order] * np.sqrt(np.maximum(vals[order], 0))
        return L, True
    if method == "minres":
        return minres_search(R, n_factors)
    fa = FactorAnalyzer(n_factors=n_factors, rotation=None, method=method,
                        is_corr_matrix=True, use_smc=True, bounds=(0.005, 1))
    # factor-analyzer's ML search takes numerical gradients: thousands of small eigen-problems,
    # which a BLAS pool of several threads slows down on a busy machine (24.5 CPU s instead of
    # 1.3 for R psych's test06 beside another process, session 18)
    with warnings.catch_warnings(record=True) as caught, one_thread("blas"):
        warnings.simplefilter("always")
        fa.fit(R.copy())
    converged = not any("converge" in str(w.message) for w in caught)
    return np.asarray(fa.loadings_, float), converged


def rotate(L: np.ndarray, rotation: str) -> tuple[np.ndarray, np.ndarray]:
    """Rotate loadings with factor-analyzer's :class:`~factor_analyzer.Rotator`.

    Returns the pattern matrix and the factor correlations (identity for orthogonal
    rotations and for ``"none"``). Rotator's own ``phi_`` is used directly, before any
    column re-ordering, which avoids FactorAnalyzer 0.5.1's mis-ordered ``phi_``.
    """
    m = L.shape[1]
    if rotation == "none" or m < 2:
        return L.copy(), np.eye(m)
    rot = Rotator(method=rotation)
    P = np.asarray(rot.fit_transform(L.copy()), float)
    phi = np.eye(m) if rot.phi_ is None else np.asarray(rot.phi_, float)
    return P, phi


def order_and_sign(P: np.ndarray, phi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order factors by variance explained, ``diag(Φ PᵀP)`` (psych), signs so columns sum > 0."""
    var = np.diag(phi @ P.T @ P)
    order = np.argsort(-var, kind="stable")
    P, phi = P[:, order], phi[np.ix_(order, order)]
    signs = np.sign(P.sum(0))
    signs[signs == 0] = 1
    return P * signs, phi * np.outer(signs, signs)


def matrix_sqrt(M: np.ndarray, inverse: bool = False) -> np.ndarray:
    """Symmetric (inverse) square root of a positive-definite matrix."""
    vals, vecs = np.linalg.eigh((M + M.T) / 2)
    vals = np.maximum(vals, 1e-12)
    return (vecs * (vals ** (-0.5 if inverse else 0.5))) @ vecs.T


def minres_loadings(R: np.ndarray, n_factors: int) -> np.ndarray:
    """Unrotated minimum-residual loadings as psych's ``fa(fm="minres")`` finds them.

    Uniquenesses ``Ψ`` start at ``1 - SMC`` and are bounded in [0.005, 1]; for a given
    ``Ψ`` the loadings are the first ``n_factors`` eigenvectors of ``R`` with
    ``1 - Ψ`` on the diagonal scaled by the root eigenvalues; the objective is the sum
    of squared off-diagonal residuals and the search is L-BFGS-B with psych's gradient
    ``diag(ΛΛᵀ + Ψ - R)`` (``FAgr.minres``), on the ``parscale = 0.01`` scale.
    """
    return minres_search(R, n_factors)[0]


def minres_search(R: np.ndarray, n_factors: int) -> tuple[np.ndarray, bool]:
    """:func:`minres_loadings` and whether the search converged (not stopped by its limit)."""
    p = R.shape[0]
    smc = np.clip(1 - 1 / np.diag(np.linalg.pinv(R)), 0, 1)
    low = np.tril_indices(p, -1)
    scale = 0.01

    def loadings(psi):
        S = R.copy()
        np.fill_diagonal(S, 1 - psi)
        vals, vecs = np.linalg.eigh(S)
        vals, vecs = vals[::-1][:n_factors], vecs[:, ::-1][:, :n_factors]
        return vecs * np.sqrt(np.maximum(vals, 0))

    def objective(x):
        L = loadings(x * scale)
        res = (R - L @ L.T)[low]
        return float(res @ res)

    def gradient(x):
        psi = x * scale
        L = loadings(psi)
        return (np.sum(L**2, axis=1) + psi - 1) * scale

    # small eigen-problems: BLAS threads only add overhead on a shared machine
    with one_thread("blas"):
        res = minimize(objective, (1 - smc) / scale, jac=gradient, method="L-BFGS-B",
                       bounds=[(0.005 / scale, 1 / scale)] * p,
                       options={"ftol": 1e-13, "gtol": 1e-10,
                                "maxiter": 500})
        L = loadings(res.x * scale)
    # status 1: iteration limit; 2 (line search could not improve) happens at the optimum
    return L, res.status != 1
