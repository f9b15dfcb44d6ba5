"""Is a two-type split of one population unimodal? Hartigan's dip along the split.

Issue 13, session 18 (docs/choosing_k.md, "Session 18: a dip test along the two-type split").
Two Gaussian components fit one *flat* population (a factor with light tails) better than any
one-group candidate, and the margins' shape alone cannot tell a flat population from two close
halves (session 17). This module looks along the direction that separates the two fitted
types: the Fisher direction ``a = S^-1 (mu_2 - mu_1)`` with ``S = pi_1 S_1 + pi_2 S_2`` (the
components' covariance or scale matrices), and tests the respondents' positions on it for
unimodality with Hartigan's dip (Hartigan & Hartigan 1985, *Annals of Statistics* 13: 70-84;
the ``diptest`` package: the statistic and its p-value interpolated from the tabulated
null distribution of the uniform, the least favourable unimodal distribution).

Answers are whole points, so factor scores are a lattice: a factor resting on two or three
statements has its scores near a few values, which the dip reads as modes (s80's flat factor
alone: p = 0.004 as given, 0.92-0.99 with its rounding). The dip's null is for continuous data,
so with the answers' rounding (``rounding``: the score change per answer point, answers x
features) the positions are those of the scores plus that rounding as uniform noise, as the
engine dequantizes (seeded).

The rule acts on a *large* p-value (:data:`DIP_MIN_P`): the dip is no larger than the median
dip of as many uniform draws, positive evidence of one mode, not a mere failure to see two.
The direction is chosen to separate the data, which biases the dip towards bimodality (p
downwards); acting only on a large p, that bias can only make the rule act less often.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["DIP_DRAWS", "DIP_MIN_P", "SplitDip", "fisher_direction", "split_dip"]

#: p-value of the dip at or above which a two-type split is read as one mode (pre-registered
#: 2026-12-05 10:33 UTC, before any study was run; docs/choosing_k.md, "Session 18")
DIP_MIN_P = 0.5
#: draws of the answers' rounding (and of the weights' resample) whose median dip and p are read
#: (pre-registered 2026-12-06 01:41 UTC as rule D; docs/choosing_k.md, "Session 23")
DIP_DRAWS = 9


class SplitDip(NamedTuple):
    """Hartigan's dip of the respondents' positions along a two-type split."""

    dip: float  # the dip statistic (0 for a unimodal empirical distribution function)
    p: float  # its p-value against the uniform (diptest's interpolated table)
    n: int  # positions tested
    unimodal: bool  # p >= DIP_MIN_P


def fisher_direction(means, covs, weights) -> np.ndarray:
    """The unit direction that best separates two components: ``S^-1 (mu_2 - mu_1)``,
    ``S`` the weighted mean of their covariance (or scale) matrices."""
    means = np.asarray(means, float)
    covs = np.asarray(covs, float)
    w = np.asarray(weights, float)
    if means.shape[0] != 2:
        raise ValueError("the Fisher direction of a split needs exactly two components")
    if covs.ndim == 2:  # diagonal matrices given as their diagonals
        covs = np.stack([np.diag(c) for c in covs])
    S = np.tensordot(w / w.sum(), covs, axes=1)
    a = np.linalg.solve(S, means[1] - means[0])
    return a / np.linalg.norm(a)


def split_dip(Z, mixture, weights=None, seed: int = 0, rounding=None) -> SplitDip:
    """Hartigan's dip of ``Z`` projected on the Fisher direction of a two-component
    ``mixture`` (a :class:`~._models.Mixture`, fitted to ``Z``).

    ``rounding`` (answers x features, in ``Z``'s units): the score change per answer point;
    the answers' rounding is then added to the positions as uniform noise on (-1/2, 1/2) per
    answer (seeded by ``seed``), so that a lattice of answer points is not read as modes.
    With survey ``weights`` that are not all equal the positions are then drawn again, n of
    them with probabilities proportional to the weights (seeded), since the dip has no
    weighted form. With either, the dip and its p are the medians over :data:`DIP_DRAWS`
    such draws (session 23: one draw's p varied from 0.36 to 1.00 on one null study).
    """
    Z = np.asarray(Z, float)
    a = fisher_direction(mixture.means, mixture.covs, mixture.weights)
    y = Z @ a
    w = None if weights is None else np.asarray(weights, float)
    random = rounding is not None or (w is not None and not np.allclose(w, w[0]))
    if not random:
        return _dip_of(y)
    shift = None if rounding is None else np.asarray(rounding, float) @ a
    draws = [_dip_of(_drawn(y, shift, w, np.random.default_rng(s)))
             for s in np.random.SeedSequence(seed).spawn(DIP_DRAWS)]
    dip = float(np.median([d.dip for d in draws]))
    p = float(np.median([d.p for d in draws]))
    return SplitDip(dip, p, int(y.size), bool(p >= DIP_MIN_P))


def _drawn(y, shift, w, rng):
    """One draw of the positions: the answers' rounding as noise, then the weights' resample."""
    if shift is not None:
        y = y + rng.uniform(-0.5, 0.5, size=(y.size, shift.size)) @ shift
    if w is not None and not np.allclose(w, w[0]):
        y = rng.choice(y, size=y.size, replace=True, p=w / w.sum())
    return y


def _dip_of(y) -> SplitDip:
    import diptest  # Hartigan & Hartigan's algorithm (pypi ``diptest``)

    dip, p = diptest.diptest(np.ascontiguousarray(y, dtype=float))
    return SplitDip(float(dip), float(p), int(y.size), bool(p >= DIP_MIN_P))
