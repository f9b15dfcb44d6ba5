"""Session 23 (K23, issue 13): the dip along a two-type split read over several draws of the
answers' rounding (rule D, docs/choosing_k.md, "Session 23"); the factors' reason when the
floor holds back a one-statement factor; the model's words without ``nu_t_spreads``."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pandas as pd
import pytest

from behaviortypes.i18n import reason_text
from behaviortypes.report.render import load_texts
from behaviortypes.segments import TypeFinder
from behaviortypes.segments import unimodal

_Mix = namedtuple("_Mix", "means covs weights")


def _flat_split():
    """One flat group: a factor summed from three five-point answers (a lattice), cut in two
    halves by a two-component fit; the score change per answer point, as the engine passes it."""
    rng = np.random.default_rng(5)
    n = 1500
    f = rng.standard_normal(n)
    items = np.clip(np.round(f[:, None] + rng.standard_normal((n, 3)) * 0.6 + 3), 1, 5)
    s = items.sum(1)
    Z = np.column_stack([(s - s.mean()) / s.std(), rng.standard_normal(n)])
    per_point = np.zeros((3, 2))
    per_point[:, 0] = 1 / s.std()
    mix = _Mix(np.array([[-0.7, 0.0], [0.7, 0.0]]),
               np.array([np.diag([0.3, 1.0]), np.diag([0.3, 1.0])]), np.array([0.5, 0.5]))
    return Z, mix, per_point


def test_the_dip_of_one_flat_group_does_not_hang_on_one_draw_of_the_rounding():
    """Null study s133 of seeds 130-149 was called two types because one draw of the answers'
    rounding gave the dip p = 0.41 (40 other draws: median 0.98, 39 of 40 >= 0.5). Here one
    draw says 'not one mode' for 3 of 60 seeds; the median over DIP_DRAWS draws says one mode
    for every seed."""
    Z, mix, per_point = _flat_split()
    dips = [unimodal.split_dip(Z, mix, seed=s, rounding=per_point) for s in range(60)]
    assert all(d.unimodal for d in dips), sorted(d.p for d in dips)[:5]
    assert unimodal.DIP_DRAWS == 9 and min(d.p for d in dips) > 0.7


def test_the_dip_without_draws_is_one_exact_reading():
    """Without rounding and with equal weights nothing is drawn: the same dip for every seed."""
    Z, mix, _ = _flat_split()
    ps = {unimodal.split_dip(Z, mix, seed=s).p for s in range(3)}
    assert len(ps) == 1


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


def _judged5(bic, bic_full, bic_t, bic_t_vev):
    """A judged evidence table of k = 3, 4, 5 with the default models' BIC columns."""
    ev = pd.DataFrame(dict(
        bic=bic, bic_full=bic_full, bic_t=bic_t, bic_t_vev=bic_t_vev,
        min_share=[0.2, 0.1, 0.05], min_share_hard=[0.2, 0.1, 0.05], n_min=[300.0, 150.0, 90.0],
        nu_t=[8.0] * 3, nu_t_spreads=[8.0] * 3, nu_t_vev=[8.0] * 3, jaccard_mean=[0.93] * 3,
        jaccard_min=[0.86] * 3, jaccard_small=[np.nan] * 3), index=pd.Index([3, 4, 5], name="k"))
    tf = TypeFinder()
    tf._n_eff = 2000.0
    return tf, tf._judge(ev, 0.0)


def test_a_gaussian_over_split_of_a_t_fit_keeps_the_t_fit_types():
    """Extreme s123 of seeds 110-129 (4 planted types): 4 types won by the shared-shape t model,
    5 by the Gaussian one 29.8 BIC points lower, but within the t model the 5th type gains only
    6.7: 4 types (the rule before kept 5)."""
    tf, ev = _judged5(bic=[36200.0, 36100.0, 36040.2], bic_full=[36400.0, 36300.0, 36300.0],
                      bic_t=[36150.0, 36070.0, 36063.3], bic_t_vev=[36400.0, 36300.0, 36300.0])
    k, reason, warn = tf._choose(ev, bic1=40000.0)
    assert (k, warn) == (4, None)
    fewer = [c for c in tf._reason_code if c["code"] == "k_reason_within_model"]
    assert len(fewer) == 1 and fewer[0]["values"]["k_more"] == 5
    assert fewer[0]["values"]["diff"] == pytest.approx(6.7)
    assert "k_reason_parsimony" not in [c["code"] for c in tf._reason_code]
    assert "the extra type lowers the BIC by 6.7 points" in reason, reason
    assert reason.startswith("4 types: the mixture with one covariance shape scaled per type"), reason
    assert "sänker den extra typen BIC med 6" in reason_text(tf._reason_code, load_texts("sv"))


@pytest.mark.parametrize("case", ["strong_within", "own_shape_before"])
def test_the_extra_type_stays_when_it_is_strong_within_the_model_or_the_model_has_own_shapes(case):
    bic_t = [36150.0, 36070.0, 36058.0] if case == "strong_within" else [36150.0, 36070.0, 36063.3]
    bic_full = [36400.0, 36300.0, 36300.0]
    bic = [36200.0, 36100.0, 36040.2]
    if case == "own_shape_before":  # the free-covariance model wins at 4 (few_items s98-like)
        bic_full = [36400.0, 36060.0, 36300.0]
    tf, ev = _judged5(bic=bic, bic_full=bic_full, bic_t=bic_t, bic_t_vev=[36400.0, 36300.0, 36300.0])
    k, _, _ = tf._choose(ev, bic1=40000.0)
    assert k == 5
    assert "k_reason_within_model" not in [c["code"] for c in tf._reason_code]
