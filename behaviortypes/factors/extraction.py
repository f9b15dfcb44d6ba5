"""Extraction and rotation of factors (factor-analyzer inside), ordered and signed as psych.

A leaf module: :mod:`.efa`, :mod:`.reliability` and :mod:`.retention` import it, it
imports none of them (this removes the former efa <-> reliability import cycle).
"""

from __future__ import annotations

import warnings

import numpy as np
from factor_analyzer import FactorAnalyzer, Rotator

__all__ = ["extract", "rotate", "order_and_sign", "matrix_sqrt"]


def extract(R: np.ndarray, n_factors: int, method: str) -> tuple[np.ndarray, bool]:
    """Unrotated loadings of ``n_factors`` factors of correlation matrix ``R``.

    ``"minres"`` and ``"ml"`` run :class:`factor_analyzer.FactorAnalyzer` on the
    correlation matrix (SMC starting values, uniquenesses bounded at 0.005 as in
    psych); ``"principal"`` returns principal-component loadings ``V √λ``. Returns the
    loadings and whether the optimiser converged.
    """
    if method == "principal":
        vals, vecs = np.linalg.eigh(R)
        order = np.argsort(vals)[::-1][:n_factors]
        L = vecs[:, order] * np.sqrt(np.maximum(vals[order], 0))
        return L, True
    fa = FactorAnalyzer(n_factors=n_factors, rotation=None, method=method,
                        is_corr_matrix=True, use_smc=True, bounds=(0.005, 1))
    with warnings.catch_warnings(record=True) as caught:
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
