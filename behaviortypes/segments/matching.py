"""Match the types of a new run to those of a previous run (stable type ids)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from ..errors import InputError

__all__ = ["match_types", "tucker_congruence", "centroids_in_new_factors", "SAME_FACTOR"]

#: Tucker congruence each factor must keep with the previous run's for types to be matched
#: (|φ| ≥ .90: "fair similarity", Lorenzo-Seva & ten Berge 2006).
SAME_FACTOR = 0.9


def match_types(previous_centroids, new_centroids, *, max_distance=None):
    """Map the new run's type ids to the previous run's (Hungarian on centroid distance).

    Parameters
    ----------
    previous_centroids, new_centroids : DataFrame of shape (n_types, n_features)
        Centroids indexed by type id (``TypeFinder.centroids_`` or ``centroids.csv``).
        Only the features present in both are used.
    max_distance : float, optional
        Pairs further apart than this (Euclidean, in the units of the centroids) are
        not matched. By default a pair is matched unless it is further apart than
        the median distance between the previous run's own types.

    Returns
    -------
    dict of int to int
        ``{new_id: id_to_use}``: matched types take the previous id; unmatched new
        types get fresh ids after the largest previous id, in their new order.

    Raises
    ------
    InputError
        When the two runs share no feature.
    """
    prev = pd.DataFrame(previous_centroids)
    new = pd.DataFrame(new_centroids)
    common = [c for c in new.columns if c in set(prev.columns)]
    if not common:
        raise InputError(
            "the previous and the new centroids share no feature", file="centroids.csv",
            value=list(map(str, new.columns))[:5],
            hint="match runs that used the same clustering features (e.g. F1..Fm)",
        )
    P = prev[common].to_numpy(float)
    N = new[common].to_numpy(float)
    dist = np.sqrt(((N[:, None, :] - P[None, :, :]) ** 2).sum(-1))
    if max_distance is None:
        if len(P) > 1:
            own = np.sqrt(((P[:, None, :] - P[None, :, :]) ** 2).sum(-1))
            max_distance = float(np.median(own[np.triu_indices(len(P), 1)]))
        else:
            max_distance = np.inf
    rows, cols = linear_sum_assignment(dist)
    prev_ids = [int(i) for i in prev.index]
    new_ids = [int(i) for i in new.index]
    mapping = {}
    for r, c in zip(rows, cols):
        if dist[r, c] <= max_distance:
            mapping[new_ids[r]] = prev_ids[c]
    next_id = max(prev_ids, default=0) + 1
    for nid in new_ids:
        if nid not in mapping:
            mapping[nid] = next_id
            next_id += 1
    return mapping


def tucker_congruence(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Tucker's congruence coefficient φ between the factors of two loading matrices.

    Parameters
    ----------
    a, b : DataFrame of shape (n_items, n_factors)
        Loadings indexed by item id (``b``'s items are taken in ``a``'s order).

    Returns
    -------
    DataFrame
        ``a``'s factors × ``b``'s factors, φ in [-1, 1].

    References
    ----------
    Lorenzo-Seva, U. & ten Berge, J. M. F. (2006). Tucker's congruence coefficient as a
    meaningful index of factor similarity. *Methodology*, 2(2), 57-64.
    """
    x = a.to_numpy(float)
    y = b.loc[a.index].to_numpy(float)
    phi = (x.T @ y) / np.sqrt(np.outer((x * x).sum(axis=0), (y * y).sum(axis=0)))
    return pd.DataFrame(phi, index=a.columns, columns=b.columns)


def centroids_in_new_factors(
    old_loadings: pd.DataFrame,
    old_centroids: pd.DataFrame,
    new_loadings: pd.DataFrame,
    *,
    min_congruence: float = SAME_FACTOR,
) -> pd.DataFrame | None:
    """A previous run's type centroids expressed in this run's factors; None if not comparable.

    Centroids live in factor-score space, so they can only be compared when the factors
    are the same: same items, same number of factors, and each new factor congruent
    (|Tucker φ| ≥ ``min_congruence``) with one old factor. Factors are paired by the
    assignment that maximises |φ| (their order or sign may change between runs), and the
    old centroids are re-ordered and re-signed to match.

    Parameters
    ----------
    old_loadings, new_loadings : DataFrame of shape (n_items, n_factors)
        Loadings indexed by item id (``loadings.csv`` of each run).
    old_centroids : DataFrame of shape (n_types, n_factors)
        The previous run's ``centroids.csv``, indexed by type id.

    Returns
    -------
    DataFrame or None
        Indexed by the previous type ids, with ``new_loadings``' factor columns.
    """
    old = old_loadings.copy()
    old.index = old.index.astype(str)
    if sorted(old.index) != sorted(map(str, new_loadings.index)) or old.shape[1] != new_loadings.shape[1]:
        return None
    if list(old_centroids.columns) != list(old.columns):
        return None
    new = new_loadings.copy()
    new.index = new.index.astype(str)
    phi = tucker_congruence(new, old).T.to_numpy()  # old factors × new factors
    rows, cols = linear_sum_assignment(-np.abs(phi))
    if not (np.abs(phi[rows, cols]) >= min_congruence).all():
        return None
    mapped = pd.DataFrame(index=old_centroids.index)
    for r, c in zip(rows, cols):
        mapped[new.columns[c]] = np.sign(phi[r, c]) * old_centroids[old.columns[r]]
    return mapped[list(new.columns)]
