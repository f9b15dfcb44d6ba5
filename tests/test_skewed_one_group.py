"""One group whose scores lean towards one end is one group, not 2-3 slices of the lean
(user trial 6: the Humor Styles Questionnaire; behaviortypes/segments/skewed.py)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from behaviortypes.errors import SurveyQualityWarning
from behaviortypes.i18n import reason_text
from behaviortypes.report.render import load_texts
from behaviortypes.segments import TypeFinder
from behaviortypes.segments.skewed import fit_skewed_group, yeo_johnson


def _leaning_population(n=1200, seed=3):
    """One population, no types: four correlated features, two of them skewed the way
    agreement with a popular statement is (most near the top, a long tail below)."""
    rng = np.random.default_rng(seed)
    C = np.full((4, 4), 0.3) + 0.7 * np.eye(4)
    L = rng.multivariate_normal(np.zeros(4), C, size=n)
    X = np.column_stack([-np.exp(-0.35 * L[:, 0]), L[:, 1], -np.exp(-0.3 * L[:, 2]), L[:, 3]])
    return pd.DataFrame(X, columns=["affiliative", "self_enhancing", "aggressive", "self_defeating"])


def _fit(X, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyQualityWarning)
        return TypeFinder(random_state=0, n_resamples=4, n_bootstrap=0, **kw).fit(X)


def test_a_leaning_single_population_is_one_group_and_says_why():
    X = _leaning_population()
    assert X["affiliative"].skew() < -1  # as the trial's factor (-1.06)
    tf = _fit(X)
    ev = tf.evidence_
    # before: 2 types (the Gaussian and t one groups lose to a mixture by 150+ points)
    assert ev.loc[1, ["bic", "bic_t"]].min() > ev.loc[ev.index >= 2, "bic_best"].min() + 100
    assert tf.k_ == 1 and tf.structure_warning_
    assert ev.loc[1, "bic_best"] == ev.loc[1, "bic_skewed"]
    assert ev.loc[ev.index >= 2, "bic_skewed"].isna().all()
    codes = [c["code"] for c in tf.reason_code_]
    assert codes == ["k_reason_one_group", "k_reason_one_group_skewed"]
    assert "lean towards one end" in tf.reason_
    en, sv = (reason_text(tf.reason_code_, load_texts(lang)) for lang in ("en", "sv"))
    assert "Yeo-Johnson" in en and "lutar åt ena änden" in sv


def test_types_asked_for_on_a_leaning_population_are_called_weak():
    """``k_min=2`` (types always): the types come with the caution that one group fits
    as well — the skewed one group; with the Gaussian one group alone there was none."""
    tf = _fit(_leaning_population(), k_min=2)
    assert tf.k_ >= 2 and "one homogeneous group fits the data better" in tf.structure_warning_
    assert "k_reason_homogeneous" in [c["code"] for c in tf.reason_code_]


def test_types_are_still_types_when_their_scores_are_skewed():
    """Three planted types, one small at the low end, make the margins skewed too; the
    skewed one group must not swallow them."""
    rng = np.random.default_rng(5)
    means = np.array([[0.8, 0.5, 0, 0], [0.6, -0.6, 0.5, 0], [-2.2, 0, -1.5, 0.8]])
    sizes = [600, 500, 100]
    X = pd.DataFrame(np.vstack([rng.normal(m, 0.45, size=(s, 4)) for m, s in zip(means, sizes)]),
                     columns=list("abcd"))
    assert X["a"].skew() < -0.8
    tf = _fit(X)
    assert tf.k_ == 3
    assert tf.evidence_.loc[1, "bic_skewed"] > tf.evidence_.loc[3, "bic_best"] + 100


def test_skewed_group_loglik_is_the_scores_as_given():
    """The transform's Jacobian is in: on one feature the log-likelihood equals scipy's
    normal log-density of the transformed values plus the log-derivative; on Gaussian
    data the transform stays near the identity and the fit is the Gaussian's."""
    rng = np.random.default_rng(0)
    z = stats.skewnorm.rvs(-5, size=800, random_state=rng)
    z = (z - z.mean()) / z.std()
    g = fit_skewed_group(z[:, None])
    t = stats.yeojohnson(z, g.lambdas[0])
    ref = stats.norm.logpdf(t, t.mean(), t.std()).sum() + np.sum(yeo_johnson(z, g.lambdas[0])[1])
    assert_allclose(g.loglik, ref, rtol=1e-6)
    # numerical derivative of the transform = exp(log-derivative)
    x = np.linspace(-2.5, 2.5, 11)
    for lam in (-1.0, 0.0, 0.7, 2.0, 3.5):
        h = 1e-6
        num = (yeo_johnson(x + h, lam)[0] - yeo_johnson(x - h, lam)[0]) / (2 * h)
        assert_allclose(num, np.exp(yeo_johnson(x, lam)[1]), rtol=1e-5)
    G = rng.multivariate_normal([0, 0, 0], np.eye(3) + 0.4, size=2000)
    G = (G - G.mean(0)) / G.std(0)
    g = fit_skewed_group(G)
    gauss = stats.multivariate_normal(G.mean(0), np.cov(G, rowvar=False, bias=True)).logpdf(G).sum()
    assert np.all(np.abs(g.lambdas - 1) < 0.2) and 0 <= g.loglik - gauss < 5


def test_integer_weights_are_repeated_respondents():
    rng = np.random.default_rng(1)
    Z = rng.gamma(2.0, size=(300, 2))
    w = rng.integers(1, 4, size=300).astype(float)
    a = fit_skewed_group(Z, w)
    b = fit_skewed_group(np.repeat(Z, w.astype(int), axis=0))
    assert_allclose(a.lambdas, b.lambdas, atol=1e-3)
    # weights are scaled to mean 1: the weighted log-likelihood is the repeated one / mean(w)
    assert_allclose(a.loglik * w.mean(), b.loglik, rtol=1e-4)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_finder_still_refuses_bad_values(bad):
    X = _leaning_population(200)
    X.iloc[3, 1] = bad
    with pytest.raises(Exception, match="row|value|finite|missing"):
        _fit(X)
