"""Session 24 (K24, issue 13): a two-type choice reached by rule W2 is read by the dip as any
two-type choice is; rule PL, the parsimony margin does not hold back a large, highly stable
type of the same model (docs/choosing_k.md, "Session 24")."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from behaviortypes.i18n import reason_text
from behaviortypes.report.render import load_texts
from behaviortypes.segments import TypeFinder


def _judged(bic, bic_full, bic_t, bic_t_vev, ks=(2, 3, 4), shares=(0.3, 0.2, 0.1),
            jaccard=(0.93, 0.93, 0.93), n_eff=2000.0, one=40000.0):
    """A judged evidence table: one group (BIC ``one``) and the k of ``ks`` with the default
    models' BIC columns (every k resampled)."""
    m = len(ks)
    ev = pd.DataFrame(dict(
        bic=bic, bic_full=bic_full, bic_t=bic_t, bic_t_vev=bic_t_vev,
        min_share=list(shares), min_share_hard=list(shares), n_min=[s * n_eff for s in shares],
        nu_t=[8.0] * m, nu_t_spreads=[8.0] * m, nu_t_vev=[8.0] * m, jaccard_mean=list(jaccard),
        jaccard_min=[j - 0.05 for j in jaccard], jaccard_small=[np.nan] * m),
        index=pd.Index(list(ks), name="k"))
    row1 = pd.DataFrame(dict(bic=[one], bic_full=[one], bic_t=[one], bic_t_vev=[one],
                             min_share=[1.0], min_share_hard=[1.0], n_min=[n_eff], nu_t=[8.0],
                             nu_t_spreads=[8.0], nu_t_vev=[8.0]), index=pd.Index([1], name="k"))
    ev = pd.concat([row1, ev])
    ev["bic_best"] = ev[["bic", "bic_full", "bic_t", "bic_t_vev"]].min(axis=1)
    tf = TypeFinder()
    tf._n_eff = n_eff
    return tf, tf._judge(ev, one)


def test_a_two_type_choice_of_rule_w2_goes_through_the_dip():
    """Parsimony keeps 3 (won by the Gaussian shared-shape model, 30 below 2); within the t model
    that wins 2 the third type gains 5, so W2 keeps 2 — which the dip had not read (it looked only
    at the k the earlier steps chose). The dip along the 2-type split says one mode: one group."""
    tf, ev = _judged(bic=[36100.0, 36050.0, 36080.0], bic_full=[36300.0, 36300.0, 36300.0],
                     bic_t=[36080.0, 36075.0, 36090.0], bic_t_vev=[36300.0, 36300.0, 36300.0])
    tf._dip = SimpleNamespace(unimodal=True, p=0.93, dip=0.01)
    k, reason, warn = tf._choose(ev, bic1=40000.0, fits=("unused", {}))
    assert k == 1, reason
    assert [c["code"] for c in tf._reason_code] == ["k_reason_one_group_unimodal"]
    assert warn is not None and "single mode" in str(warn)
    tf._dip = SimpleNamespace(unimodal=False, p=0.01, dip=0.05)  # two modes: W2's 2 stands
    k, _, _ = tf._choose(ev, bic1=40000.0, fits=("unused", {}))
    assert k == 2 and "k_reason_within_model" in [c["code"] for c in tf._reason_code]


def _s97(share4=0.095, jaccard4=0.928, t_wins_3=False):
    """Few_items s97 of seeds 90-109 (4 planted types): 4 types have the BIC's own minimum, 3.6
    points below 3, both won by the Gaussian shared-shape model; parsimony kept 3."""
    base = 30000.0
    bic = [base + 40.4, base + 3.6, base, base + 32.1]
    bic_t = [base + 69.6, base + 26.9, base + 20.3, base + 51.6]
    if t_wins_3:  # the t model wins 3 (a change of model from 3 to 4: tails s148-like)
        bic_t[1] = base + 1.0
    return _judged(bic=bic, bic_full=[b + 100 for b in bic], bic_t=bic_t,
                   bic_t_vev=[b + 80 for b in bic], ks=(2, 3, 4, 5),
                   shares=(0.278, 0.278, share4, 0.103), jaccard=(0.94, 0.943, jaccard4, 0.849),
                   n_eff=1500.0, one=base + 400.0)


def test_the_margin_does_not_hold_back_a_large_highly_stable_type_of_the_same_model():
    """Rule PL (pre-registered 04:29 UTC): the parsimony step kept 3 against the BIC's own 4;
    the 4th type is 9.5 % of the sample, the types' mean Jaccard 0.93, one model wins both: 4."""
    tf, ev = _s97()
    k, reason, warn = tf._choose(ev, bic1=30400.0)
    assert (k, warn) == (4, None), reason
    codes = [c["code"] for c in tf._reason_code]
    assert "k_reason_large_type" in codes and "k_reason_parsimony" not in codes
    large = next(c for c in tf._reason_code if c["code"] == "k_reason_large_type")["values"]
    assert large["k_prev"] == 3 and large["diff"] == pytest.approx(3.6)
    assert "One type more than the parsimony margin alone would keep: 4 types" in reason, reason
    assert "3.6 points below 3" in reason and "9.5% of the sample" in reason, reason
    en = reason_text(tf._reason_code, load_texts("en"))
    sv = reason_text(tf._reason_code, load_texts("sv"))
    assert "9.5" in en and "One type more than the parsimony margin" in en
    assert "En typ mer än sparsamhetsmarginalen" in sv and "k_reason_large_type" not in sv


@pytest.mark.parametrize("case", ["small_type", "model_change", "jaccard", "two_more"])
def test_the_margin_stays_for_a_small_type_a_change_of_model_or_a_soft_solution(case):
    """The right studies the margin keeps right: a 3-4 % extra type (undersampled s94, s105,
    s112), a change of model (tails s95, s148), a solution under 0.90 mean Jaccard (the
    over-splits shapes s72, s155: 0.89), and a lowest BIC two types up (undersampled s162)."""
    if case == "two_more":
        tf, ev = _s97()
        ev.loc[4, ["bic", "bic_best"]] = 30002.0  # the BIC's own minimum is now 5 (k + 2)
        ev.loc[5, ["bic", "bic_best"]] = 30000.0
    else:
        tf, ev = _s97(share4=0.034 if case == "small_type" else 0.095,
                      jaccard4=0.89 if case == "jaccard" else 0.928,
                      t_wins_3=case == "model_change")
    k, reason, _ = tf._choose(ev, bic1=30400.0)
    assert k == 3, reason
    assert "k_reason_large_type" not in [c["code"] for c in tf._reason_code]
