"""Session 24 (K24, issue 13): a two-type choice reached by rule W2 is read by the dip as any
two-type choice is (docs/choosing_k.md, "Session 24")."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

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
