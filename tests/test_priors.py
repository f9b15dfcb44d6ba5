"""Tests for behaviortypes.lookalike.priors: base shares with bootstrap intervals.

Planted label shift: Gaussian types in a few CRM-like features, a base with known type
shares, and respondents drawn with type-dependent response propensities, so the sample's
shares differ from the base's. The true base share is what the intervals must cover.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from behaviortypes.lookalike import (MAX_SHARE_SE, base_share_intervals, estimate_base_priors,
                                     raw_share_intervals, shift_identifiability)


def planted(seed, *, n_base=8000, base_shares=(0.4, 0.3, 0.225, 0.075),
            sample_counts=(600, 400, 250, 50), d=6, separation=1.6):
    """Base with exact type counts; respondents drawn per type with fixed counts.

    Returns the classifier's raw posteriors on the base, the respondents' labels and
    out-of-fold posteriors, the training shares and the true base shares.
    """
    rng = np.random.default_rng(seed)
    k = len(base_shares)
    counts = np.round(np.asarray(base_shares) * n_base).astype(int)
    yb = np.repeat(np.arange(k), counts)
    means = rng.normal(0, 1, (k, d))
    means *= separation / np.sqrt((means**2).sum(1, keepdims=True)) * 1.5
    xb = means[yb] + rng.normal(0, 1, (len(yb), d))
    idx = np.concatenate([rng.choice(np.flatnonzero(yb == j), m, replace=False)
                          for j, m in enumerate(sample_counts)])
    xr, yr = xb[idx], yb[idx]
    clf = LogisticRegression(max_iter=2000)
    oof = cross_val_predict(clf, xr, yr, method="predict_proba",
                            cv=StratifiedKFold(5, shuffle=True, random_state=seed))
    clf.fit(xr, yr)
    train = np.bincount(yr, minlength=k) / len(yr)
    return clf.predict_proba(xb), yr + 1, oof, train, counts / counts.sum()


def test_table_is_tidy_deterministic_and_brackets_the_em_estimate():
    base, labels, oof, train, _ = planted(0)
    table = base_share_intervals(base, train, labels, oof, n_boot=100, random_state=3)
    assert list(table.columns) == ["type_id", "sample_share", "base_share", "ci_low", "ci_high"]
    assert table["type_id"].tolist() == [1, 2, 3, 4]
    assert_allclose(table["sample_share"], np.bincount(labels)[1:] / len(labels))
    em, _ = estimate_base_priors(base, train)
    assert_allclose(table["base_share"], em)
    assert (table["ci_low"] < table["base_share"]).all()
    assert (table["base_share"] < table["ci_high"]).all()
    again = base_share_intervals(base, train, labels, oof, n_boot=100, random_state=3)
    pd.testing.assert_frame_equal(table, again)
    other = base_share_intervals(base, train, labels, oof, n_boot=100, random_state=4)
    assert not np.allclose(other["ci_low"], table["ci_low"])
    # a wider level gives a wider interval; a given point estimate is kept
    wide = base_share_intervals(base, train, labels, oof, n_boot=100, level=0.99,
                                base_share=em + 0.001, random_state=3)
    assert (wide["ci_high"] - wide["ci_low"] > table["ci_high"] - table["ci_low"]).all()
    assert_allclose(wide["base_share"], em + 0.001)


def test_bad_shapes_are_refused():
    base, labels, oof, train, _ = planted(1, n_base=2000, sample_counts=(100, 80, 60, 20))
    with pytest.raises(ValueError, match="oof_proba must be"):
        base_share_intervals(base, train, labels, oof[:-1], n_boot=10)
    with pytest.raises(ValueError, match="no probability column"):
        base_share_intervals(base, train, np.where(labels == 4, 9, labels), oof, n_boot=10)


def test_undersampled_type_recovered_with_a_good_classifier():
    # 3.7 % of the sample (93 of 2,500), 7.5 % of the base, classifier accuracy ~0.95
    for seed in (0, 1):
        base, labels, oof, train, truth = planted(
            seed, n_base=20_000, base_shares=(0.375, 0.325, 0.225, 0.075),
            sample_counts=(1000, 800, 607, 93), separation=3.0)
        assert np.mean(labels == 4) == pytest.approx(0.037, abs=0.001)
        table = base_share_intervals(base, train, labels, oof, n_boot=200, random_state=seed)
        assert abs(table["base_share"].iloc[3] - 0.075) < 0.02
        assert np.max(np.abs(table["base_share"] - truth)) < 0.02
        assert table["ci_high"].iloc[3] - table["ci_low"].iloc[3] < 0.04


def test_identifiability_separates_strong_from_weak_classifiers():
    # strong: the under-sampled study above; weak: the same types, features unrelated to them
    strong = planted(0, n_base=6000, sample_counts=(500, 330, 210, 40), separation=3.0)
    weak = planted(0, n_base=6000, sample_counts=(500, 330, 210, 40), separation=0.0)
    s = shift_identifiability(strong[2], strong[1], base_proba=strong[0])
    w = shift_identifiability(weak[2], weak[1], base_proba=weak[0])
    assert s["identified"] and s["max_share_se"] < 0.01 and s["sigma_min"] > 0.5 and s["informative"]
    assert not w["identified"] and w["max_share_se"] > MAX_SHARE_SE and not w["informative"]
    assert w["sigma_min"] < 0.05
    # the measures are what they say: accuracy of the out-of-fold argmax, prior entropy
    share = np.bincount(weak[1])[1:] / len(weak[1])
    assert w["majority_accuracy"] == pytest.approx(share.max())
    assert w["prior_log_loss"] == pytest.approx(-(share * np.log(share)).sum())
    assert w["accuracy"] == pytest.approx(np.mean(weak[2].argmax(1) + 1 == weak[1]))
    # a perfect classifier: the soft confusion matrix is the identity
    onehot = np.eye(4)[strong[1] - 1]
    assert shift_identifiability(onehot, strong[1])["sigma_min"] == pytest.approx(1.0)


def test_identifiability_standard_error_matches_the_spread_of_the_estimate():
    # across planted studies of one design (shares, counts, separation; the class means
    # are drawn per seed), the spread of the moment estimate C^-1 mu around the truth is
    # about what the delta-method standard error of one of them says
    est = []
    for seed in range(20):
        base, labels, oof, train, truth = planted(50 + seed, n_base=6000, sample_counts=(500, 330, 210, 40))
        k = oof.shape[1]
        c = np.column_stack([oof[labels == j + 1].mean(0) for j in range(k)])
        est.append(np.linalg.solve(c, base.mean(0)) - truth)
        if seed == 0:
            se = np.asarray(shift_identifiability(oof, labels, base_proba=base, base_share=truth)["share_se"])
    spread = np.asarray(est).std(axis=0)
    assert np.all(spread < 2.0 * se) and np.all(spread > 0.4 * se)


def test_weak_classifier_interval_is_around_the_raw_predicted_share():
    base, labels, oof, train, truth = planted(2, n_base=6000, sample_counts=(500, 330, 210, 40),
                                              separation=0.0)
    # the unidentified EM runs off towards a corner of the simplex...
    em, _ = estimate_base_priors(base, train, max_iter=20_000)
    assert np.max(np.abs(em - truth)) > 0.05
    # ...so the base share reported is the raw predicted one (the mean posterior), and its
    # interval is around it (trial 3: "52.8% [0.0%, 52.8%]" was the EM's, around nothing)
    table = base_share_intervals(base, train, labels, oof, corrected=False, n_boot=100, random_state=0)
    assert_allclose(table["base_share"], base.mean(axis=0))
    assert (table["ci_low"] < table["base_share"]).all() and (table["base_share"] < table["ci_high"]).all()
    assert (table["ci_high"] - table["ci_low"]).max() < 0.1


def test_tiny_base_type_interval_at_the_boundary():
    # a type at 0.5 % of the base: many bootstrap draws put its share on the boundary of
    # the simplex (zero), where the Newton EM holds it at zero (active set)
    base, labels, oof, train, truth = planted(4, n_base=6000, base_shares=(0.5, 0.3, 0.195, 0.005),
                                              sample_counts=(300, 300, 200, 25), separation=2.0)
    em, _ = estimate_base_priors(base, train, tol=1e-10, max_iter=50_000)
    table = base_share_intervals(base, train, labels, oof, base_share=em, n_boot=100, random_state=0)
    assert np.max(np.abs(em - truth)) < 0.02
    assert (table["ci_low"] >= 0).all() and (table["ci_high"] <= 1).all()
    assert table["ci_low"].iloc[3] <= truth[3] + 0.005 and table["ci_high"].iloc[3] < 0.03
    assert ((table["ci_low"] <= em) & (em <= table["ci_high"])).all()


@pytest.mark.slow
def test_nominal_95_intervals_cover_the_true_base_share():
    hits = []
    for seed in range(30):
        base, labels, oof, train, truth = planted(100 + seed, n_base=6000,
                                                  sample_counts=(500, 330, 210, 40))
        table = base_share_intervals(base, train, labels, oof, n_boot=200, max_rows=3000,
                                     random_state=seed)
        hits.append(((table["ci_low"] <= truth) & (truth <= table["ci_high"])).to_numpy())
    hits = np.array(hits)
    # every type, and all together, at or near the nominal 95 %
    assert hits.mean() >= 0.88
    assert hits.mean(axis=0).min() >= 0.8


def test_lookalike_model_keeps_out_of_fold_posteriors_for_the_intervals():
    from behaviortypes.lookalike import LookalikeModel

    rng = np.random.default_rng(5)
    y = np.repeat([1, 2, 3], [120, 90, 30])
    x = pd.DataFrame({"spend": rng.normal(y * 1.5, 1.0), "visits": rng.normal(-y, 1.0)},
                     index=pd.Index([f"c{i}" for i in range(len(y))], name="customer_id"))
    model = LookalikeModel(models=("logistic",), cv=3, calibration=None, random_state=0)
    model.fit(x, pd.Series(y, index=x.index))
    assert model.oof_proba_.shape == (len(y), 3)
    assert_allclose(model.oof_proba_.sum(axis=1), 1.0)
    # out of fold: less confident on its own rows than the refitted model
    own = model.predict_proba(x, raw=True).to_numpy()
    assert np.mean(np.log(model.oof_proba_[np.arange(len(y)), y - 1])) < np.mean(
        np.log(own[np.arange(len(y)), y - 1]))
    table = base_share_intervals(own, model.train_priors_.to_numpy(), y, model.oof_proba_,
                                 classes=model.type_ids_, n_boot=50, random_state=0)
    assert table["type_id"].tolist() == [1, 2, 3]
    assert_allclose(table["sample_share"], [0.5, 0.375, 0.125])


def planted_random(seed, *, n_base=6000, base_shares=(0.5, 0.25, 0.2, 0.05), n_resp=800, d=4):
    """A survey that is a simple random sample of the base, with CRM columns unrelated to the
    type (the classifier predicts no better than chance): the type counts are the survey's
    sampling error, which the base shares' intervals must carry (trial 8)."""
    rng = np.random.default_rng(seed)
    yb = rng.choice(len(base_shares), size=n_base, p=base_shares)
    xb = rng.normal(0, 1, (n_base, d))
    pick = rng.choice(n_base, n_resp, replace=False)
    xr, yr = xb[pick], yb[pick]
    clf = LogisticRegression(max_iter=2000)
    oof = cross_val_predict(clf, xr, yr, method="predict_proba",
                            cv=StratifiedKFold(5, shuffle=True, random_state=seed))
    clf.fit(xr, yr)
    train = np.bincount(yr, minlength=len(base_shares)) / len(yr)
    truth = np.bincount(yb, minlength=len(base_shares)) / n_base
    return clf, xb, xr, yr + 1, oof, train, truth


def _survey_width(shares, n):
    """Width of a 95 % (Wald) interval of a survey share from a simple random sample of n."""
    shares = np.asarray(shares, float)
    return 2 * 1.96 * np.sqrt(shares * (1 - shares) / n)


def test_uncorrected_interval_is_as_wide_as_the_survey_shares():
    # one study, quick: recalibration (gbm's path) and refit (logistic's path) both carry
    # the survey's sampling error of the type counts (before: 0.3 and 0.2 points wide)
    clf, xb, xr, labels, oof, train, truth = planted_random(7)
    survey = _survey_width(train, len(labels))
    table = base_share_intervals(clf.predict_proba(xb), train, labels, oof, corrected=False, n_boot=100,
                                 random_state=0)
    assert ((table["ci_high"] - table["ci_low"]).to_numpy() > 0.7 * survey).all()
    from sklearn.pipeline import Pipeline

    pipe = Pipeline([("classifier", LogisticRegression(max_iter=2000))]).fit(xr, labels)
    table = raw_share_intervals(pipe, pd.DataFrame(xr), labels, pd.DataFrame(xb[:2000]), classes=[1, 2, 3, 4],
                                point=pipe.predict_proba(xb).mean(axis=0), n_boot=40, random_state=0)
    assert ((table["ci_high"] - table["ci_low"]).to_numpy() > 0.7 * survey).all()


@pytest.mark.slow
def test_uncorrected_intervals_carry_the_surveys_sampling_error():
    # trial 8: "4.9 % [4.9 %, 5.2 %]" for a type the survey puts at 5 % [4-6 %]: resampling
    # within type kept the survey's type counts fixed, so only the calibration varied
    hits, widths = [], []
    for seed in range(30):
        clf, xb, xr, labels, oof, train, truth = planted_random(200 + seed)
        base = clf.predict_proba(xb)
        table = base_share_intervals(base, train, labels, oof, corrected=False, n_boot=100, random_state=seed)
        hits.append(((table["ci_low"] <= truth) & (truth <= table["ci_high"])).to_numpy())
        widths.append((table["ci_high"] - table["ci_low"]).to_numpy())
    hits = np.array(hits)
    assert hits.mean() >= 0.88 and hits.mean(axis=0).min() >= 0.8
    # about the width of the survey share's own 95 % interval (n = 800)
    assert_allclose(np.mean(widths, axis=0), _survey_width([0.5, 0.25, 0.2, 0.05], 800), rtol=0.25)


@pytest.mark.slow
def test_refitted_raw_intervals_carry_the_surveys_sampling_error():
    from sklearn.pipeline import Pipeline

    hits = []
    for seed in range(20):
        _, xb, xr, labels, _, _, truth = planted_random(300 + seed, n_base=3000, n_resp=600)
        pipe = Pipeline([("classifier", LogisticRegression(max_iter=2000))]).fit(xr, labels)
        point = pipe.predict_proba(xb).mean(axis=0)
        table = raw_share_intervals(pipe, pd.DataFrame(xr), labels, pd.DataFrame(xb), classes=[1, 2, 3, 4],
                                    point=point, n_boot=60, random_state=seed)
        hits.append(((table["ci_low"] <= truth) & (truth <= table["ci_high"])).to_numpy())
    assert np.array(hits).mean() >= 0.85
