"""One type more when the parsimony margin held back a large, highly stable type of the same
model (issue 13, session 24: rule PL).

The parsimony step keeps the fewest types whose BIC is within 10 points of the lowest. The
margin guards against two kinds of extra type: a small spurious one (a 3-4 % type that
reproduces, a component over another type's tails) and one bought by a change of model (the
Gaussian cutting a heavy-tailed type in two: rule W2). Neither applies when the k + 1 types
that have the BIC's own minimum are won by the same model as k, their smallest type is at
least 5 % of the sample and they are highly reproducible; then the margin only loses a real
type (the misses undersampled s30, few_items s97 and s123, shapes s30 of the unseen seeds:
the true k was the BIC's own minimum, 1.2-8.9 points below the k kept). This step takes
k + 1 then, only when k is the parsimony step's own choice (no other step moved it).
Measured and decided in docs/choosing_k.md, "Session 24".
"""

from __future__ import annotations

import pandas as pd

__all__ = ["LARGE_MIN_SHARE", "LARGE_MIN_JACCARD", "large_type_next"]

#: The extra solution's smallest type (share of the sample, the size rule's hard shares) must
#: be at least this: the engine's line for a small type (``finder.SMALL_SHARE``).
LARGE_MIN_SHARE = 0.05
#: ... and its types' mean Jaccard over the resamples at least this (Hennig 2007 calls 0.85
#: "highly stable"; 0.90 keeps three over-split studies of the records out: session 24). The
#: i18n sentence ``k_reason_large_type`` writes it as 0.90: change both together.
LARGE_MIN_JACCARD = 0.90


def large_type_next(ev: pd.DataFrame, cols: list[str], k: int) -> dict | None:
    """The values of the step's reason when it takes ``k + 1`` types, else None.

    ``ev``: the judged evidence table (index k; the BIC columns ``cols``, NaN for a spurious
    or missing fit; boolean ``passes``; ``min_share_hard``, ``jaccard_mean``); ``cols``: the
    BIC columns of the models that choose k, in the engine's order (the first wins a tie);
    ``k``: the parsimony step's choice. Returns ``{"k": k + 1, "k_prev": k, "diff": ...,
    "min_share": ..., "small_share": ..., "jaccard_mean": ...,
    "model": ...}``: ``diff`` is the BIC points k + 1 lies below k (best model each).
    """
    if k < 2 or k not in ev.index or (k + 1) not in ev.index:
        return None
    multi = ev[ev.index >= 2]
    bics = multi[cols].astype(float)
    best = bics.min(axis=1)
    passing = best[multi["passes"].astype(bool) & best.notna()]
    if passing.empty or int(passing.idxmin()) != k + 1 or pd.isna(best[k]):
        return None
    col, col_next = str(bics.loc[k].idxmin()), str(bics.loc[k + 1].idxmin())
    if col != col_next:
        return None
    share, jac = float(ev.loc[k + 1, "min_share_hard"]), float(ev.loc[k + 1, "jaccard_mean"])
    if not (share >= LARGE_MIN_SHARE and jac >= LARGE_MIN_JACCARD):
        return None
    return {"k": k + 1, "k_prev": k, "diff": float(best[k] - best[k + 1]), "min_share": share,
            "small_share": LARGE_MIN_SHARE, "jaccard_mean": jac,
            "model": f"k_model_{col}"}
