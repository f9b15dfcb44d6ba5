"""Label shift or covariate shift: when the prior-shift correction applies (trial 3, finding 1).

The Saerens correction assumes the survey over- or under-samples *types* (label shift).
When people answered because of the CRM columns themselves (education, age: covariate
shift), the raw predicted shares are right and the correction is wrong; the label-shift
check (:func:`behaviortypes.lookalike.label_shift_check`) tells the two apart.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from shift_study import decide, planted, select

from behaviortypes.lookalike import crm_indicators, label_shift_check, raw_share_intervals

DATA = Path(__file__).parent / "data" / "spi_shift" / "spi_shift.csv.gz"


@pytest.fixture(scope="module", autouse=True)
def _one_blas_thread():
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


def _decide(frame, t, pick, seed=0):
    d = decide(frame, pick, t[pick], seed=seed)
    return d["model"], d["choice"], d["check"], d["em"]


@pytest.mark.parametrize("seed", [1, 2])
def test_selection_on_crm_columns_is_not_corrected(seed):
    frame, t = planted(seed)
    pick = select(frame, t, seed + 10, on="crm", n=1_500)
    truth = np.bincount(t, minlength=4)[1:] / len(t)
    model, choice, check, em = _decide(frame, t, pick)
    assert check["rejected"] and check["worst"]["column"] in {"education", "age"}
    # x1, x2 are off too (the re-mix is wrong), but less than the columns selected on
    assert {"education", "age"} & set(check["flagged"][:2])
    assert not choice["corrected"] and choice["reason"] == "covariate_shift"
    assert choice["method"].startswith("raw predicted: the survey differs from the base in")
    assert "base mean" in choice["note"] and "a re-mix of the survey's types gives" in choice["note"]
    # the raw predicted shares are right (within 2 points); the correction would not be
    assert np.max(np.abs(choice["shares"] - truth)) < 0.02
    assert np.max(np.abs(em - truth)) > np.max(np.abs(choice["shares"] - truth))
    table = raw_share_intervals(model.pipeline_, frame.iloc[pick], t[pick], frame.iloc[:3000],
                                classes=model.type_ids_, point=choice["shares"], n_boot=60, random_state=0)
    assert ((table["ci_low"] < choice["shares"]) & (choice["shares"] < table["ci_high"])).all()
    assert ((table["ci_low"] <= truth) & (truth <= table["ci_high"])).all()
    # the respondents are resampled as a whole, so the interval carries the survey's sampling
    # error of the type counts: 5.0 points wide for a share of 0.44 at n = 1,500 on its own
    # (within-type resampling gave under 6 points; now 6.7 at most)
    assert (table["ci_high"] - table["ci_low"]).max() < 0.08


@pytest.mark.parametrize("seed", [1, 2])
def test_selection_on_the_type_is_corrected(seed):
    frame, t = planted(seed)
    pick = select(frame, t, seed + 10, on="type", n=3_000)
    truth = np.bincount(t, minlength=4)[1:] / len(t)
    survey = np.bincount(t[pick], minlength=4)[1:] / len(pick)
    assert np.max(np.abs(survey - truth)) > 0.1  # a real shift to correct
    _, choice, check, _ = _decide(frame, t, pick)
    assert not check["rejected"] and not check["flagged"]
    assert abs(check["worst"]["smd"]) < 0.1
    # the EM's own error with 3,000 respondents: measured 1.1-2.1 points on these two seeds
    assert choice["corrected"] and np.max(np.abs(choice["shares"] - truth)) < 0.025


def test_real_spi_selected_on_education_and_age_is_not_corrected():
    # SAPA spi (psychTools; Condon 2018): 4,000 people, their CRM-like columns (age,
    # education, noisy trait proxies, exercise ...) and their type from a 70-statement
    # classifier (true_p_*); the survey = 1,835 people selected on education and age (trial 3)
    data = pd.read_csv(DATA).set_index("customer_id")
    crm = data.drop(columns=[c for c in data.columns if c.startswith("true_p_")] + ["survey_type"])
    truth = data[[f"true_p_{t}" for t in (1, 2, 3, 4)]].mean().to_numpy()
    resp = data["survey_type"].notna().to_numpy()
    y = data["survey_type"].to_numpy()[resp].astype(int)
    d = decide(crm, resp, y)
    model, em, check, choice = d["model"], d["em"], d["check"], d["choice"]
    assert check["rejected"] and check["worst"]["column"] in {"education", "age"}
    assert not choice["corrected"]
    # before: the correction moved type 1 from 51 % to 48 % and type 4 to 19 %, the truth 53 % / 13 %
    assert np.max(np.abs(em - truth)) > 0.04
    table = raw_share_intervals(model.pipeline_, crm[resp], y, crm, classes=model.type_ids_,
                                point=choice["shares"], n_boot=100, random_state=0)
    # the "truth" is itself a classifier's (82 % cross-validated accuracy): half a point of slack
    assert ((table["ci_low"] - 0.005 <= truth) & (truth <= table["ci_high"] + 0.005)).all()
    assert np.max(np.abs(choice["shares"] - truth)) < 0.025


def test_label_shift_check_known_answer():
    # two types, one numeric column: type means 0 and 2 (sd 1 within), survey 50/50
    rng = np.random.default_rng(0)
    y = np.repeat([1, 2], 400)
    x = np.where(y == 1, 0.0, 2.0) + rng.normal(0, 1, size=len(y))
    resp = pd.DataFrame({"x": x})
    ind = crm_indicators(resp, [{"name": "x", "kind": "numeric"}])
    mu = [x[y == 1].mean(), x[y == 2].mean()]
    # a base whose mean is the re-mix at 30/70: not rejected
    base = pd.DataFrame({"mean": [0.3 * mu[0] + 0.7 * mu[1], 0.0], "sd": [1.0, 0.0], "n": [1e4, 1e4]},
                        index=["x", "x: missing"])
    ok = label_shift_check(ind, y, base, [0.3, 0.7], classes=[1, 2])
    assert not ok["rejected"] and abs(ok["worst"]["smd"]) < 1e-12
    # 0.5 sd above it: rejected, with the numbers
    base.loc["x", "mean"] += 0.5
    bad = label_shift_check(ind, y, base, [0.3, 0.7], classes=[1, 2])
    se = np.sqrt(0.3**2 * x[y == 1].var() / 400 + 0.7**2 * x[y == 2].var() / 400)
    assert bad["rejected"] and bad["flagged"] == ["x"]
    assert bad["worst"]["smd"] == pytest.approx(0.5) and bad["worst"]["z"] == pytest.approx(0.5 / se)
