"""One type more when the BIC's own choice is an own-shape fit (issue 13, session 22: rule OM).

When the types have their own covariance shapes, the rule's choice k is often won by a model
with a free covariance per type (Gaussian ``full``, t ``VEV``) and the true k + 1 own-shape
types lie a few BIC points above it (docs/choosing_k.md, "Session 20": the shapes kind's
misses). This step takes k + 1 only when k is the BIC's *own* minimum among the solutions that
pass the size and stability checks (not a k kept by the parsimony margin against a larger k:
session 21 found that case undoes parsimony, R poLCA's ``election`` 3 → 4), k's winning model
is an own-shape one, k + 1 passes the same checks, and its best own-shape BIC is less than
:data:`OWN_SHAPE_BOUND` points above k's best BIC. Measured and decided in
docs/choosing_k.md, "Session 22".
"""

from __future__ import annotations

import pandas as pd

__all__ = ["OWN_SHAPE_BOUND", "OWN_SHAPE_COLUMNS", "own_shape_next"]

#: Largest BIC excess of the k + 1 own-shape fit over k's best fit (session 20's bound; the
#: i18n sentence ``k_reason_own_shape_next`` writes it as 20: change both together).
OWN_SHAPE_BOUND = 20.0
#: The evidence columns of the own-shape models among the package's default choice models.
OWN_SHAPE_COLUMNS = ("bic_full", "bic_t_vev")


def own_shape_next(ev: pd.DataFrame, cols: list[str], k: int) -> dict | None:
    """The values of the step's reason when it takes ``k + 1`` types, else None.

    Parameters
    ----------
    ev : DataFrame
        The judged evidence table (index k; the BIC columns ``cols``, NaN for a spurious
        or missing fit; boolean ``size_ok`` and ``passes``).
    cols : list of str
        The BIC columns of the models that choose k, in the engine's order (the first
        wins a tie).
    k : int
        The number of types the rule chose.

    Returns
    -------
    dict or None
        ``{"k": k + 1, "k_prev": k, "diff": ..., "bound": ..., "model": ...}`` where
        ``diff`` is the best own-shape BIC at k + 1 minus the best BIC at k and ``model``
        the name of the template of k's winning model (``k_model_<column>``).
    """
    own = [c for c in OWN_SHAPE_COLUMNS if c in cols]
    if k < 2 or k not in ev.index or (k + 1) not in ev.index or not own:
        return None
    multi = ev[ev.index >= 2]
    bics = multi[cols].astype(float)
    best = bics.min(axis=1)
    passing = best[multi["passes"].astype(bool) & best.notna()]
    if passing.empty or int(passing.idxmin()) != k:  # not the BIC's own minimum
        return None
    row = bics.loc[k]
    col = str(row.idxmin())
    if col not in own:
        return None
    nxt = ev.loc[k + 1]
    if not (bool(nxt["size_ok"]) and bool(nxt["passes"])):
        return None
    own_next = bics.loc[k + 1, own]
    if own_next.isna().all():
        return None
    diff = float(own_next.min() - row.min())
    if not diff < OWN_SHAPE_BOUND:
        return None
    return {"k": k + 1, "k_prev": k, "diff": diff, "bound": int(OWN_SHAPE_BOUND),
            "model": f"k_model_{col}", "model_next": f"k_model_{own_next.idxmin()}"}

