"""Two types that are the halves of one flat group are one group: Hartigan's dip along the
2-type split (issue 13, session 18; behaviortypes/segments/unimodal.py).

Field-like null study s80 was called 2 types (45/55 %, 80 BIC points better than one group):
one of its factors is flat, and two Gaussians fit a flat margin better than any one-group
candidate. Along the line that separates the two types its respondents have one mode.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from behaviortypes.errors import SurveyQualityWarning
from behaviortypes.i18n import reason_text
from behaviortypes.report.render import load_texts
from behaviortypes.segments import DIP_MIN_P, TypeFinder, fisher_direction, split_dip

sys.path.insert(0, str(Path(__file__).resolve().parent))


class _Two:
    def __init__(self, means, covs, weights):
        self.means, self.covs, self.weights = np.asarray(means), np.asarray(covs), np.asarray(weights)


def _fit(X, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyQualityWarning)
        return TypeFinder(random_state=0, n_resamples=4, n_bootstrap=0, n_jobs=1, k_max=4, **kw).fit(X)


def _flat_population(n=1500, seed=0):
    """One population, no types: one flat factor (a Beta(1.7, 1.7) margin, excess kurtosis
    about -0.8, as s80's F5: -0.89) and three normal ones."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(np.column_stack([rng.beta(1.7, 1.7, n) * 4, rng.normal(size=(n, 3))]),
                        columns=["F1", "F2", "F3", "F4"])


def _two_types_on_one_factor(sep, seed=0):
    """Two types of 650 and 550, within-type SD 0.6 on 4 features, ``sep`` SDs apart on F1."""
    rng = np.random.default_rng(seed)
    means = np.zeros((2, 4))
    means[1, 0] = sep * 0.6
    return pd.DataFrame(np.vstack([rng.normal(m, 0.6, size=(s, 4)) for m, s in zip(means, (650, 550))]),
                        columns=["F1", "F2", "F3", "F4"])


# ---------------------------------------------------------------- the statistic
def test_fisher_direction_known_answers():
    eye = np.eye(2)
    assert_allclose(fisher_direction([[0, 0], [3, 4]], [eye, eye], [0.5, 0.5]), [0.6, 0.8])
    # S^-1 d with S = diag(4, 1), d = (2, 1): (0.5, 1) normalised; diagonals as vectors too
    S = np.diag([4.0, 1.0])
    want = np.array([0.5, 1.0]) / np.hypot(0.5, 1.0)
    assert_allclose(fisher_direction([[0, 0], [2, 1]], [S, S], [0.3, 0.7]), want)
    assert_allclose(fisher_direction([[0, 0], [2, 1]], [[4.0, 1.0], [4.0, 1.0]], [1, 1]), want)
    with pytest.raises(ValueError, match="two components"):
        fisher_direction(np.zeros((3, 2)), [eye] * 3, [1, 1, 1])


def test_dip_known_cases():
    """Hartigan & Hartigan (1985): the dip is 0 for a unimodal empirical distribution
    function and at most 1/4, reached by two equal clusters far apart; p-values from the
    package's table against the uniform."""
    two = _Two([[0.0], [1.0]], [np.eye(1)] * 2, [0.5, 0.5])
    lattice = split_dip(np.arange(200.0)[:, None], two)
    assert lattice.dip == 0.0 and lattice.p == pytest.approx(1.0) and lattice.unimodal
    far = split_dip(np.r_[np.arange(100.0), 1e6 + np.arange(100.0)][:, None], two)
    assert far.dip == pytest.approx(0.25, abs=1e-3) and far.p < 1e-6 and not far.unimodal
    rng = np.random.default_rng(1)
    n = 1500
    flat = split_dip(rng.beta(1.5, 1.5, n)[:, None], two)
    apart = split_dip((np.where(rng.random(n) < 0.5, 0, 4.0) + rng.normal(size=n))[:, None], two)
    assert flat.p >= DIP_MIN_P and apart.p < 0.01


def test_a_lattice_of_answer_points_is_not_read_as_modes():
    """Scores of two five-point answers sit on a few values: the dip reads the atoms as
    modes; with the answers' rounding added (score change per answer point) they are one."""
    rng = np.random.default_rng(2)
    latent = rng.normal(size=1500)
    answers = np.clip(np.round(3 + latent[:, None] + rng.normal(0, 0.5, (1500, 2))), 1, 5)
    score = answers.mean(axis=1)[:, None]
    two = _Two([[-1.0], [1.0]], [np.eye(1)] * 2, [0.5, 0.5])
    per_point = np.full((2, 1), 0.5)  # each answer point moves the score by 1/2
    assert not split_dip(score, two).unimodal  # p far below 0.5 on the lattice
    assert split_dip(score, two, rounding=per_point, seed=0).unimodal


def test_split_dip_equal_weights_are_no_weights_and_seeded():
    X = _flat_population(600).to_numpy()
    two = _Two([[-1, 0, 0, 0], [1, 0, 0, 0]], [np.eye(4)] * 2, [0.5, 0.5])
    assert split_dip(X, two) == split_dip(X, two, weights=np.full(600, 2.0), seed=5)
    w = np.r_[np.ones(300), np.full(300, 3.0)]
    assert split_dip(X, two, weights=w, seed=5) == split_dip(X, two, weights=w, seed=5)


# ---------------------------------------------------------------- the engine
def test_a_flat_single_population_is_one_group_and_says_why():
    X = _flat_population()
    tf = _fit(X)
    ev = tf.evidence_
    # two types beat every one-group candidate by more than 10 BIC points ...
    assert ev.loc[2, "bic_best"] < ev.loc[1, "bic_best"] - 10
    # ... but the respondents have one mode along the line that separates them
    assert ev.loc[2, "dip_p"] >= DIP_MIN_P and ev.loc[[1, 3], "dip_p"].isna().all()
    assert tf.k_ == 1 and tf.k_by_evidence_ == 1 and tf.method_ == "one_group"
    assert tf.reason_code_[0]["code"] == "k_reason_one_group_unimodal"
    assert "single mode" in tf.structure_warning_
    en = reason_text(tf.reason_code_[:1], load_texts("en"))
    sv = reason_text(tf.reason_code_[:1], load_texts("sv"))
    assert "Hartigan" in en and "single mode" in en and "en enda topp" in sv
    assert en.startswith(tf.reason_.split(" (")[0])
    # descriptive types on request: --k 2 keeps the two halves
    assert _fit(X, k=2).k_ == 2


def test_two_types_apart_on_one_factor_stay_two():
    """Session 17's probe: 3.6 within-type SDs apart on one factor is clearly bimodal."""
    tf = _fit(_two_types_on_one_factor(3.6))
    assert tf.k_ == 2 and tf.evidence_.loc[2, "dip_p"] < 0.05
    assert "k_reason_one_group_unimodal" not in [c["code"] for c in tf.reason_code_]


@pytest.mark.slow
def test_null_study_s80_is_one_group():
    """The field-like null study s80 (one flat factor) was 2 types; the halves have one mode."""
    from fieldlike import make_fieldlike, pipeline_scores

    X, pp = pipeline_scores(make_fieldlike("null", seed=80, points=5), styles=True, rounding=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyQualityWarning)
        tf = TypeFinder(random_state=0, n_resamples=4, n_bootstrap=0, n_jobs=1).fit(X, score_rounding=pp)
    assert tf.k_ == 1 and tf.reason_code_[0]["code"] == "k_reason_one_group_unimodal"
    assert tf.evidence_.loc[2, "bic_best"] < tf.evidence_.loc[1, "bic_best"] - 10
