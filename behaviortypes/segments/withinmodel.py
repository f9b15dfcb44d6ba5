"""One type fewer when the extra type is not very strongly better within the model that won
one type below (issue 13, session 23: rule W2).

The extreme kind's over-splits (seeds 123-125, docs/choosing_k.md, "Session 22"): k - 1 types
are won by the t model with a shared covariance shape, k types by the Gaussian one, 14-30 BIC
points lower — the Gaussian over-split of heavy-tailed answers that the t models are in the
choice for — while within the t model the k-th type gains only 4-7 points. This step keeps
k - 1 when k is the parsimony step's choice (no other step added the type), k - 1 passes the
size and stability checks, its winning model is a shared-shape one (Gaussian ``scaled`` or t
``tscaled``), a different model wins at k, and within k - 1's model the k-th type lowers the
BIC by less than :data:`WITHIN_MARGIN` (the rule's parsimony margin). Own-shape winners are
left out: they pay a whole covariance per type, so within them a real k-th type is rarely
very strongly better (rule W without this condition lost 11 right studies). Measured and
decided in docs/choosing_k.md, "Session 23".
"""

from __future__ import annotations

import pandas as pd

__all__ = ["SHARED_SHAPE_COLUMNS", "WITHIN_MARGIN", "within_model_prev"]

#: The parsimony margin ("very strong" BIC evidence, Kass & Raftery 1995; finder._STRONG_BIC).
WITHIN_MARGIN = 10.0
#: The evidence columns of the shared-shape models among the package's default choice models.
SHARED_SHAPE_COLUMNS = ("bic", "bic_t")


def within_model_prev(ev: pd.DataFrame, cols: list[str], k: int) -> dict | None:
    """The values of the step's reason when it keeps ``k - 1`` types, else None.

    ``ev``: the judged evidence table (index k; the BIC columns ``cols``, NaN for a spurious
    or missing fit; boolean ``size_ok`` and ``passes``); ``cols``: the BIC columns of the
    models that choose k, in the engine's order; ``k``: the parsimony step's choice.
    Returns ``{"k": k - 1, "k_more": k, "diff": ..., "within": ..., "across": ..., "strong":
    ..., "model": ..., "model_next": ...}``: ``within`` is the BIC of k types minus that of
    k - 1 in k - 1's winning model (``diff`` the BIC points the k-th type gains there, 0 when
    none), ``across`` k's best BIC minus k - 1's.
    """
    if k < 3 or (k - 1) not in ev.index or k not in ev.index:
        return None
    prev = ev.loc[k - 1]
    if not (bool(prev["size_ok"]) and bool(prev["passes"])):
        return None
    bics = ev.loc[[k - 1, k], cols].astype(float)
    if bics.loc[k - 1].isna().all() or bics.loc[k].isna().all():
        return None
    col, col_next = str(bics.loc[k - 1].idxmin()), str(bics.loc[k].idxmin())
    if col not in SHARED_SHAPE_COLUMNS or col_next == col or pd.isna(bics.loc[k, col]):
        return None
    within = float(bics.loc[k, col] - bics.loc[k - 1, col])
    if not within > -WITHIN_MARGIN:
        return None
    return {"k": k - 1, "k_more": k, "diff": max(-within, 0.0), "within": within,
            "across": float(bics.loc[k].min() - bics.loc[k - 1, col]),
            "strong": int(WITHIN_MARGIN), "model": f"k_model_{col}", "model_next": f"k_model_{col_next}"}
