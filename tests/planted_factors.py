"""Planted studies for the number of factors, with the nuisances real surveys have.

Each study plants ``n_factors`` major (behaviour) dimensions measured by 5-point
Likert statements, and optionally the structure that fooled the former retention
rule on real data but is not a dimension a user wants:

- ``minor``: minor common factors (Tucker, Koopman & Linn 1969) — each adds small
  loadings (|λ| ≤ ``minor_load``) on every statement;
- ``doublets``: pairs of statements that share extra variance (similar wording),
  i.e. a two-statement factor;
- ``acquiescence``: a response-style (method) factor — every answer leans towards
  "agree" by a loading of this size before reverse-worded statements are keyed back,
  so after keying it loads + on normal and - on reversed statements;
- few statements per dimension (``items_per_factor=3``).

Truth is ``n_factors``: minor, doublet and method factors are not behaviour
dimensions. Use :func:`make_factor_study` for one study and :func:`factor_suites`
for the named settings reported in ``docs/choosing_factors.md``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["make_factor_study", "factor_suites", "themed_instrument"]


def make_factor_study(n_factors: int, items_per_factor, n: int, *, seed: int,
                      load=(0.45, 0.8), phi_max=0.3, cross=0.1, reverse=0.3,
                      minor: int = 0, minor_load: float = 0.2, doublets: int = 0,
                      doublet_load: float = 0.45, acquiescence: float = 0.0,
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One planted study: keyed 5-point answers and the major-factor loadings.

    Parameters
    ----------
    n_factors : int
        Major dimensions (the truth).
    items_per_factor : int or sequence of int
    n : int
        Respondents.
    seed : int
    load : (float, float)
        Range of the primary loadings.
    phi_max : float
        Factor correlations are uniform in [0, phi_max].
    cross : float
        Share of statements with a secondary loading of .20-.30.
    reverse : float
        Share of reverse-worded statements (keyed back with ``6 - x``).
    minor, minor_load : int, float
        Number of minor factors and the largest |loading| they give.
    doublets, doublet_load : int, float
        Number of statement pairs sharing a doublet factor, and its loading.
    acquiescence : float
        Loading of every raw answer on an agreement-style factor (0 = none).

    Returns
    -------
    items : DataFrame of shape (n, p)
        Keyed answers 1..5; ``attrs["reverse"]`` lists the reverse-worded statements
        (their raw answer is ``6 - keyed``).
    loadings : DataFrame of shape (p, n_factors)
        Planted major loadings.
    """
    rng = np.random.default_rng(seed)
    ipf = np.broadcast_to(np.atleast_1d(items_per_factor), (n_factors,)).astype(int)
    p = int(ipf.sum())
    L = np.zeros((p, n_factors))
    row = 0
    for f, k in enumerate(ipf):
        L[row:row + k, f] = rng.uniform(*load, size=k)
        row += k
    for i in rng.choice(p, int(round(cross * p)), replace=False):
        f = rng.choice([g for g in range(n_factors) if L[i, g] == 0])
        L[i, f] = rng.uniform(0.2, 0.3)
    phi = np.eye(n_factors)
    iu = np.triu_indices(n_factors, 1)
    phi[iu] = rng.uniform(0, phi_max, size=len(iu[0]))
    phi = np.triu(phi) + np.triu(phi, 1).T
    extra = []
    if minor:
        extra.append(rng.uniform(-minor_load, minor_load, size=(p, minor)))
    if doublets:
        D = np.zeros((p, doublets))
        pairs = rng.choice(p, size=(doublets, 2), replace=False)
        for d, (i, j) in enumerate(pairs):
            D[[i, j], d] = doublet_load
        extra.append(D)
    E = np.hstack(extra) if extra else np.zeros((p, 0))
    h2 = np.einsum("ij,jk,ik->i", L, phi, L) + np.sum(E**2, 1) + acquiescence**2
    shrink = np.where(h2 > 0.85, np.sqrt(0.85 / h2), 1.0)
    L *= shrink[:, None]
    E *= shrink[:, None]
    acq = acquiescence * shrink
    h2 = np.einsum("ij,jk,ik->i", L, phi, L) + np.sum(E**2, 1) + acq**2
    F = rng.multivariate_normal(np.zeros(n_factors), phi, size=n)
    rev = rng.random(p) < reverse
    Z = F @ L.T + rng.standard_normal((n, E.shape[1])) @ E.T
    Z[:, rev] *= -1  # reverse-worded: the raw answer runs against the dimension
    Z += rng.standard_normal((n, 1)) * acq  # acquiescence acts on the raw answer
    Z += rng.standard_normal((n, p)) * np.sqrt(np.maximum(1 - h2, 0.05))
    X = np.empty_like(Z)
    for j in range(p):
        cuts = np.array([-1.5, -0.5, 0.5, 1.5]) + rng.uniform(-0.5, 0.5)
        X[:, j] = 1 + np.searchsorted(cuts, Z[:, j])
    X[:, rev] = 6 - X[:, rev]
    items = [f"q{j + 1:02d}" for j in range(p)]
    keyed = pd.DataFrame(X, columns=items)
    # which statements were reverse-worded (the raw answer is 6 - keyed)
    keyed.attrs["reverse"] = [items[j] for j in np.flatnonzero(rev)]
    return (keyed,
            pd.DataFrame(L, index=items, columns=[f"T{f + 1}" for f in range(n_factors)]))


def factor_suites(n_studies: int = 8, *, seed: int = 12) -> dict[str, list[dict]]:
    """Named settings (each a list of :func:`make_factor_study` keyword sets).

    ``clean`` (3-8 dimensions, 3-8 statements, no nuisance), ``minor`` (three minor
    factors), ``doublets`` (three doublets), ``acquiescence`` (a .30 method factor),
    ``seven_by_three`` (7 dimensions × 3 statements) and ``all`` (minor factors,
    doublets and acquiescence together).
    """
    rng = np.random.default_rng(seed)
    suites: dict[str, list[dict]] = {}

    def base(i):
        m = int(rng.integers(3, 9))
        return dict(n_factors=m, items_per_factor=rng.integers(3, 9, size=m).tolist(),
                    n=int(rng.integers(600, 2501)), seed=seed * 1000 + i)

    extras = {"clean": {}, "minor": dict(minor=3), "doublets": dict(doublets=3),
              "acquiescence": dict(acquiescence=0.3),
              "all": dict(minor=3, doublets=2, acquiescence=0.25)}
    for name, kw in extras.items():
        suites[name] = [dict(base(i), **kw) for i in range(n_studies)]
    suites["seven_by_three"] = [dict(n_factors=7, items_per_factor=3, load=(0.4, 0.7),
                                     phi_max=0.4, n=int(rng.integers(400, 1201)),
                                     seed=seed * 1000 + 500 + i)
                                for i in range(n_studies)]
    return suites


def themed_instrument(X, L):
    """The instrument of a factor study: each statement's main factor as its theme, the
    generator's reverse-worded statements marked ``reverse``, a 1-5 scale; and the raw
    answers (reverse-worded statements turned back as respondents gave them)."""
    from behaviortypes.instrument import Instrument

    rev = set(X.attrs["reverse"])
    theme = L.abs().idxmax(axis=1)
    inst = Instrument(id_column="id", scale={"min": 1, "max": 5},
                      items=[{"id": c, "text": c, "reverse": c in rev, "theme": theme[c]}
                             for c in X.columns])
    raw = X.copy()
    raw[sorted(rev)] = 6 - raw[sorted(rev)]
    return inst, raw
