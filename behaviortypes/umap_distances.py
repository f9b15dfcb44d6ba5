"""All Euclidean distances between respondents, bit for bit as umap-learn computes them.

Below 4,096 points umap-learn computes every distance by calling its numba
``euclidean`` from Python once per pair (scikit-learn's ``pairwise_distances`` with a
callable: at the demo's 1,200 respondents 720,000 calls, 1.2 s). The same numba
function called from a compiled loop gives the same numbers (its ``fastmath`` sum
differs from numpy's in the last bit, which changes the map) in 0.02 s; the loop is
compiled once per machine (numba's cache). Imported only when a map is drawn.
"""

from __future__ import annotations

import numba
import numpy as np
from umap.distances import euclidean

__all__ = ["euclidean_matrix"]


def _pairwise(X):  # pragma: no cover - compiled by numba (coverage cannot see inside)
    n = X.shape[0]
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            d = euclidean(X[i], X[j])
            out[i, j] = d
            out[j, i] = d
    return out


try:
    _compiled = numba.njit(cache=True)(_pairwise)
except Exception:  # pragma: no cover - no writable cache: compiled in every process
    _compiled = numba.njit()(_pairwise)


def euclidean_matrix(X: np.ndarray) -> np.ndarray:
    """The ``(n, n)`` matrix of Euclidean distances between the rows of ``X``.

    Parameters
    ----------
    X : ndarray of shape (n, d)

    Returns
    -------
    ndarray of shape (n, n)
        Symmetric, zero diagonal; each entry is ``umap.distances.euclidean`` of the pair
        of rows as float32 (as umap-learn reads them), stored as float64 (as umap's
        ``pairwise_distances`` stores them).
    """
    # umap-learn reads its data as float32 (``check_array``) before the distances
    return _compiled(np.ascontiguousarray(X, dtype=np.float32))
