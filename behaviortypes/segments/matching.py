"""Match the types of a new run to those of a previous run (stable type ids)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from ..errors import InputError

__all__ = ["match_types"]


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
