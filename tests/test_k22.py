"""Session 22 (K22, issue 13): rule OM — one type more when the BIC's own minimum is an
own-shape fit and the k + 1 own-shape fit is less than 20 BIC points above it
(docs/choosing_k.md, "Session 22")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from behaviortypes.i18n import reason_text
from behaviortypes.report.render import load_texts
from behaviortypes.segments import TypeFinder

NAN = np.nan


def _judged(bic, bic_full, bic_t, bic_t_vev, n_min=(300.0, 200.0, 100.0)):
    """A judged evidence table of k = 2, 3, 4 with the default models' BIC columns."""
    ev = pd.DataFrame(dict(
        bic=bic, bic_full=bic_full, bic_t=bic_t, bic_t_vev=bic_t_vev,
        min_share=[0.3, 0.2, 0.1], min_share_hard=[0.3, 0.2, 0.1], n_min=list(n_min),
        nu_t=[50.0] * 3, nu_t_spreads=[50.0] * 3, nu_t_vev=[50.0] * 3, jaccard_mean=[0.9] * 3, jaccard_min=[0.85] * 3,
        jaccard_small=[NAN] * 3), index=pd.Index([2, 3, 4], name="k"))
    tf = TypeFinder()
    tf._n_eff = 1000.0
    return tf, tf._judge(ev, 0.0)


def test_own_shape_minimum_takes_the_close_next_own_shape_fit():
    """k = 3 is the BIC's own minimum, won by the free-covariance model, and the 4-type
    t VEV fit is 12 points above it: 4 types (the rule before kept 3)."""
    tf, ev = _judged(bic=[520.0, 470.0, 480.0], bic_full=[510.0, 440.0, 470.0],
                     bic_t=[521.0, 471.0, 481.0], bic_t_vev=[512.0, 445.0, 452.0])
    k, reason, warn = tf._choose(ev, bic1=900.0)
    assert (k, warn) == (4, None)
    own = [c for c in tf._reason_code if c["code"] == "k_reason_own_shape_next"]
    assert len(own) == 1 and own[0]["values"]["k_prev"] == 3
    assert own[0]["values"]["diff"] == pytest.approx(12.0)
    assert "only 12.0 points above it (less than 20)" in reason
    assert "k_reason_parsimony" not in [c["code"] for c in tf._reason_code]


@pytest.mark.parametrize("case, cols", [
    # 4 types have the lowest BIC (scaled, 436) and 3 are kept by parsimony (full, 440):
    # k is not the BIC's own minimum (R poLCA's election, session 21)
    ("parsimony", dict(bic=[520.0, 470.0, 436.0], bic_full=[510.0, 440.0, 470.0],
                       bic_t=[521.0, 471.0, 481.0], bic_t_vev=[512.0, 445.0, 452.0])),
    # the minimum at 3 is won by the shared-shape model
    ("shared shape", dict(bic=[520.0, 438.0, 480.0], bic_full=[510.0, 440.0, 470.0],
                          bic_t=[521.0, 471.0, 481.0], bic_t_vev=[512.0, 445.0, 452.0])),
    # the 4-type own-shape fit is 20 points above: not close enough
    ("bound", dict(bic=[520.0, 470.0, 480.0], bic_full=[510.0, 440.0, 470.0],
                   bic_t=[521.0, 471.0, 481.0], bic_t_vev=[512.0, 445.0, 460.0])),
])
def test_own_shape_step_leaves_other_choices_alone(case, cols):
    tf, ev = _judged(**cols)
    k, _, _ = tf._choose(ev, bic1=900.0)
    assert k == 3, case
    assert "k_reason_own_shape_next" not in [c["code"] for c in tf._reason_code]


def test_own_shape_step_needs_the_next_solution_to_pass():
    """4 types whose smallest is under min_n (40) do not pass: 3 stay."""
    tf, ev = _judged(bic=[520.0, 470.0, 480.0], bic_full=[510.0, 440.0, 470.0],
                     bic_t=[521.0, 471.0, 481.0], bic_t_vev=[512.0, 445.0, 452.0],
                     n_min=(300.0, 200.0, 30.0))
    assert tf._choose(ev, bic1=900.0)[0] == 3


@pytest.mark.parametrize("lang, words", [
    ("en", "One type more than the BIC's own minimum: 3 types have the lowest BIC"),
    ("sv", "En typ mer än BIC:s eget minimum: 3 typer har lägst BIC"),
])
def test_own_shape_reason_is_said_in_both_languages(lang, words):
    tf, ev = _judged(bic=[520.0, 470.0, 480.0], bic_full=[510.0, 440.0, 470.0],
                     bic_t=[521.0, 471.0, 481.0], bic_t_vev=[512.0, 445.0, 452.0])
    tf._choose(ev, bic1=900.0)
    said = reason_text(tf._reason_code, load_texts(lang))
    assert words in said
    assert "k_reason_own_shape_next" not in said and "{" not in said
