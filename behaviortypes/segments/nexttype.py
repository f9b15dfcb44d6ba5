"""Is the extra type of the next solution a distinct small type or a tail? (issue 13, session 16)

When the rule's choice ``k`` leaves out a type, the fit with ``k + 1`` types usually holds it.
This module describes that fit's *new* type — the one left over when its types are matched
one-to-one to the ``k`` fit's — by how far its centre lies from the nearest other type and how
wide it is against the type it came from. A missed small type is a compact group of its own;
a spurious extra type on heavy-tailed data is a wide component laid over its parent's tails
(docs/choosing_k.md, "Session 16", measures both on 150 field-like studies).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.optimize import linear_sum_assignment

from ._models import Mixture, mixture_log_resp

__all__ = ["NewType", "new_type", "NEXT_MIN_DISTANCE", "NEXT_MAX_WIDTH"]

#: Smallest distance of the new type's centre to the nearest other type's, in pooled
#: within-type standard deviations (Mahalanobis): two equal normal groups are bimodal
#: beyond 2; 2.5 is a clear gap.
NEXT_MIN_DISTANCE = 2.5
#: Largest width of the new type against its parent, as the ratio of their typical
#: standard deviations (``(det S_new / det S_parent) ** (1 / 2d)``): a component more than
#: 25 % wider than the type it came from is laid over that type's tails.
NEXT_MAX_WIDTH = 1.25


class NewType(NamedTuple):
    """The new type of a ``k + 1`` fit against the ``k`` fit (indices into ``mix1``)."""

    index: int  # the new type
    parent: int  # the k + 1 type matched to the k type most of its members came from
    n: int  # respondents assigned to it
    share: float  # its mixture weight
    distance: float  # Mahalanobis distance to the nearest other centre (pooled metric)
    width: float  # its typical standard deviation over its parent's
    avepp: float  # average posterior probability among its members

    @property
    def distinct(self) -> bool:
        """Far enough from the other types and not a wide component over its parent."""
        return bool(self.distance >= NEXT_MIN_DISTANCE and self.width <= NEXT_MAX_WIDTH)


def new_type(Z: np.ndarray, mix0: Mixture, mix1: Mixture) -> NewType:
    """Describe the type that the fit ``mix1`` (k + 1 types) adds to ``mix0`` (k types).

    Parameters
    ----------
    Z : ndarray of shape (n_respondents, n_features)
        The standardised features both mixtures were fitted to.
    mix0, mix1 : Mixture
        Fits with k and k + 1 types.

    Returns
    -------
    NewType
        The new type is the ``mix1`` type left unmatched when the hard assignments of the
        two fits are matched one-to-one (Hungarian, most respondents in common); its
        parent is the ``mix1`` type matched to the ``mix0`` type most of its members were
        in. The distance is the Mahalanobis distance between centres in the pooled
        within-type covariance (mixture-weighted scale matrices); the width is the ratio
        of the geometric-mean standard deviations of the two types' scale matrices.
    """
    p1 = np.exp(mixture_log_resp(Z, mix1)[0])
    l0 = np.argmax(mixture_log_resp(Z, mix0)[0], axis=1)
    l1 = np.argmax(p1, axis=1)
    k0, k1 = mix0.weights.size, mix1.weights.size
    table = np.zeros((k0, k1))
    np.add.at(table, (l0, l1), 1)
    rows, cols = linear_sum_assignment(-table)
    new = int(next(j for j in range(k1) if j not in set(cols.tolist())))
    parent = int(cols[list(rows).index(int(np.argmax(table[:, new])))])
    mu, S = mix1.means, mix1.covs
    pooled = np.einsum("k,kij->ij", mix1.weights, S)
    dist = min(float(np.sqrt((mu[new] - mu[j]) @ np.linalg.solve(pooled, mu[new] - mu[j])))
               for j in range(k1) if j != new)
    d = Z.shape[1]
    width = float(np.exp((np.linalg.slogdet(S[new])[1] - np.linalg.slogdet(S[parent])[1]) / (2 * d)))
    members = l1 == new
    avepp = float(p1[members, new].mean()) if members.any() else float("nan")
    return NewType(new, parent, int(members.sum()), float(mix1.weights[new]), dist, width, avepp)
