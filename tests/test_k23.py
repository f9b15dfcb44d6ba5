"""Session 23 (K23, issue 13): the factors' reason when the floor holds back a one-statement
factor; the model's words without ``nu_t_spreads``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from behaviortypes.factors import model as factor_model
from behaviortypes.i18n import reason_text
from behaviortypes.report.render import load_texts
from behaviortypes.segments import TypeFinder

def _solver(solutions):
    return lambda m: solutions[m]


def test_a_one_statement_factor_held_back_by_the_floor_says_the_floor_is_why():
    """PA 7 with two minor factors; the refitted 5-factor solution's F5 has one statement, and
    min(PA, MAP) = 5 holds it back. The reason said '... still has minor factor(s) (F5: 1),
    kept' and that a refit can thin a real dimension to two statements; now it says the floor."""
    solve = _solver({7: {"minor": ["F6", "F7"], "salient": [8, 7, 6, 5, 4, 2, 0]},
                     5: {"minor": ["F5"], "salient": [8, 8, 7, 7, 1]}})
    m, text, code = factor_model._step_down(solve, start=7, floor=5)
    assert m == 5
    assert "allow no fewer than 5 factors" in text and "(F5: 1)" in text, text
    assert [c["code"] for c in code][-1] == "factor_reason_floor_single", code
    assert "factor_reason_still_minor" not in [c["code"] for c in code]
    en = reason_text(code, load_texts("en"))
    assert "only one statement loads" in en and "allow no fewer than 5 factors" in en, en
    sv = reason_text(code, load_texts("sv"))
    assert "bara ett påstående" in sv and "inte tillåter färre än 5 faktorer" in sv, sv


def test_a_two_statement_factor_kept_beside_a_held_back_one_keeps_its_own_sentence():
    solve = _solver({7: {"minor": ["F6", "F7"], "salient": [8, 7, 6, 5, 4, 2, 0]},
                     5: {"minor": ["F4", "F5"], "salient": [8, 8, 7, 2, 1]}})
    m, text, code = factor_model._step_down(solve, start=7, floor=5)
    codes = [c["code"] for c in code]
    assert m == 5 and codes[-2:] == ["factor_reason_still_minor", "factor_reason_floor_single"], codes
    assert "(F4: 2), kept" in text and "(F5: 1), kept only because" in text, text


def test_the_model_words_need_no_nu_t_spreads_column():
    """_model_words built every model's words, so a t fit's reason needed ``nu_t_spreads``
    (a KeyError / AttributeError on an evidence table without it)."""
    from behaviortypes.segments.finder import _model_words  # (the module's own helper)

    row = pd.Series({"bic_t": 100.0, "nu_t": 8.0})
    assert _model_words("bic_t", row) == ("mixture with one covariance shape scaled per type "
                                          "(heavy-tailed t distributions, 8 df)")
    assert "(mclust VEV; t distributions)" in _model_words("bic_t_vev", pd.Series({"bic": 1.0}))


def test_a_t_choice_is_said_without_nu_t_spreads_in_the_evidence():
    """The same through ``_choose``: a judged evidence table without ``nu_t_spreads`` whose
    3-type t fit wins."""
    ev = pd.DataFrame(dict(
        bic=[520.0, 470.0, 480.0], bic_full=[530.0, 490.0, 500.0], bic_t=[510.0, 440.0, 470.0],
        bic_t_vev=[530.0, 480.0, 490.0], min_share=[0.3, 0.2, 0.1], min_share_hard=[0.3, 0.2, 0.1],
        n_min=[300.0, 200.0, 100.0], nu_t=[6.0] * 3, jaccard_mean=[0.9] * 3,
        jaccard_min=[0.85] * 3, jaccard_small=[np.nan] * 3), index=pd.Index([2, 3, 4], name="k"))
    tf = TypeFinder()
    tf._n_eff = 1000.0
    k, reason, warn = tf._choose(tf._judge(ev, 0.0), bic1=900.0)
    assert (k, warn) == (3, None)
    assert reason.startswith("3 types: the mixture with one covariance shape scaled per type "
                             "(heavy-tailed t distributions, 6 df)"), reason
