"""User trial 7: outcomes and banners that cannot be right (findings 5, 6, 10, 11)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from behaviortypes.describe import outcome_means


def _near_the_top(seed: int = 0, n: int = 240):
    """Two overlapping types with calibrated posteriors; type 1 answers 9 or 10 on a 1-10
    item (true mean 9.85), type 2 anything from 1 to 10."""
    rng = np.random.default_rng(seed)
    p1 = rng.beta(0.7, 0.7, n)
    t = (rng.random(n) > p1).astype(int)
    proba = pd.DataFrame({"p_1": p1, "p_2": 1 - p1}, index=[f"r{i}" for i in range(n)])
    y = np.where(t == 0, np.where(rng.random(n) < 0.85, 10, 9), rng.integers(1, 11, n))
    return proba, pd.DataFrame({"y": y.astype(float)}, index=proba.index)


def test_outcome_intervals_stay_on_the_answer_scale():
    # trial 7: CUSL3 type 1 bias-adjusted 9.62 [9.17, 10.08] on a 1-10 item
    proba, outs = _near_the_top(0)
    tab = outcome_means(proba, outs, bounds={"y": (1, 10)})
    bch = tab.query("method == 'bch' and type_id == 1").iloc[0]
    assert bch["mean"] == pytest.approx(9.566, abs=1e-3)  # 9.566 [8.869, 10.263] before
    assert bch["ci_low"] == pytest.approx(bch["mean"] - 1.96 * bch["se"], abs=1e-3)
    assert bch["ci_high"] == 10.0
    assert (tab["ci_low"] >= 1.0).all() and (tab["ci_high"] <= 10.0).all()


def test_a_bias_adjusted_mean_just_past_an_end_is_set_to_the_end():
    from behaviortypes.describe.threestep import bounded_interval

    assert bounded_interval(10.2, 0.3, 1, 10, 1.96) == pytest.approx((10.0, 10.2 - 0.588, 10.0))
    assert bounded_interval(5.5, 0.05, 1, 10, 1.96) == pytest.approx((5.5, 5.402, 5.598))
    assert bounded_interval(10.0, 0.0, 1, 10, 1.96) == (10.0, 10.0, 10.0)
    assert np.isnan(bounded_interval(-94476.6, 10.0, 13, 100, 1.96)).all()


def test_a_bias_adjusted_mean_far_outside_the_values_is_never_given():
    # trial 7: BIG5 age, a BCH mean of -94,477 years; here posteriors that overstate the
    # overlap push type 1's bias-adjusted mean to 11.9 on a 1-10 item, interval 11.1-12.7
    rng = np.random.default_rng(0)
    n = 240
    t = rng.integers(0, 2, n)
    p1 = np.where(t == 0, rng.uniform(0.55, 0.95, n), rng.uniform(0.05, 0.45, n))
    proba = pd.DataFrame({"p_1": p1, "p_2": 1 - p1}, index=[f"r{i}" for i in range(n)])
    y = np.where(t == 0, np.where(rng.random(n) < 0.9, 10, 9), rng.integers(1, 11, n))
    tab = outcome_means(proba, pd.DataFrame({"y": y.astype(float)}, index=proba.index))
    shown = tab.dropna(subset=["mean"])
    assert (shown["mean"] >= 1).all() and (shown["mean"] <= 10).all()
    hidden = tab[tab["mean"].isna()]
    assert len(hidden) >= 1 and hidden["n"].notna().all()  # not a small cell: no estimate
    assert hidden["ci_low"].isna().all() and hidden["se"].isna().all()
