"""The sinh-arcsinh one group (behaviortypes/segments/skewed.py, ``fit_shash_group``): a one
group that can be flat, measured in session 17 for the field-like null study s80 and not
adopted as an engine candidate (docs/choosing_k.md, session 17); its density and fit."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate, stats

from behaviortypes.segments import fit_shash_group
from behaviortypes.segments.skewed import sinh_arcsinh

PARAMS = [(0.0, 1.0), (0.5, 1.5), (-0.8, 0.6), (0.2, 3.0), (1.5, 0.3)]


def _density(x, eps, delta):
    """Jones & Pewsey's sinh-arcsinh density: the standard normal density of the transform
    times the transform's derivative."""
    t, log_deriv = sinh_arcsinh(np.atleast_1d(x), eps, delta)
    return float(np.exp(stats.norm.logpdf(t) + log_deriv)[0])


@pytest.mark.parametrize("eps,delta", PARAMS)
def test_sinh_arcsinh_density_integrates_to_one(eps, delta):
    total, err = integrate.quad(_density, -np.inf, np.inf, args=(eps, delta), limit=200)
    assert abs(total - 1) < 1e-6 and err < 1e-6


def test_sinh_arcsinh_known_values_and_derivative():
    x = np.linspace(-4, 4, 17)
    # (0, 1) is the identity: the standard normal density
    t, log_deriv = sinh_arcsinh(x, 0.0, 1.0)
    assert_allclose(t, x, atol=1e-12) and assert_allclose(log_deriv, 0, atol=1e-12)
    # delta = 2, eps = 0: sinh(2 asinh x) = 2 x sqrt(1 + x^2) (the double-angle formula)
    t, log_deriv = sinh_arcsinh(x, 0.0, 2.0)
    assert_allclose(t, 2 * x * np.sqrt(1 + x * x), rtol=1e-12)
    assert_allclose(np.exp(log_deriv), (2 + 4 * x * x) / np.sqrt(1 + x * x), rtol=1e-12)
    # the generator X = sinh((asinh(Z) + eps) / delta) is inverted exactly
    z = np.linspace(-3, 3, 13)
    for eps, delta in PARAMS:
        X = np.sinh((np.arcsinh(z) + eps) / delta)
        assert_allclose(sinh_arcsinh(X, eps, delta)[0], z, atol=1e-10)
        h = 1e-6 * np.maximum(1, np.abs(X))
        num = (sinh_arcsinh(X + h, eps, delta)[0] - sinh_arcsinh(X - h, eps, delta)[0]) / (2 * h)
        assert_allclose(num, np.exp(sinh_arcsinh(X, eps, delta)[1]), rtol=1e-5)
    # no overflow far out: the log-derivative stays finite
    assert np.all(np.isfinite(sinh_arcsinh(np.array([-40.0, 40.0]), 2.0, 5.0)[1]))


def test_fit_recovers_planted_margins_and_its_loglik_is_the_scores_as_given():
    rng = np.random.default_rng(0)
    z = rng.standard_normal(6000)
    eps, delta = 0.4, 1.6  # lighter tails than the normal, leaning
    x = np.sinh((np.arcsinh(z) + eps) / delta)
    g = fit_shash_group(x[:, None])
    assert g.lambdas.shape == (1, 2) and g.n_params == 1 * 3 + 1
    assert abs(g.lambdas[0, 0] - eps) < 0.1 and abs(g.lambdas[0, 1] - delta) < 0.1
    t, log_deriv = sinh_arcsinh(x, *g.lambdas[0])
    ref = stats.norm.logpdf(t, t.mean(), np.sqrt(t.var() + 1e-3)).sum() + log_deriv.sum()
    assert_allclose(g.loglik, ref, rtol=1e-9)
    truth = np.log([_density(v, eps, delta) for v in x]).sum()
    assert 0 <= g.loglik - truth < 5  # maximum likelihood: at least the truth's, not far off
    # normal features: hardly bent, and the BIC keeps the Gaussian (6 parameters more)
    G = rng.multivariate_normal([0, 0, 0], np.eye(3) + 0.4, size=2000)
    G = (G - G.mean(0)) / G.std(0)
    g = fit_shash_group(G)
    gauss = stats.multivariate_normal(G.mean(0), np.cov(G, rowvar=False, bias=True)).logpdf(G).sum()
    assert np.all(np.abs(g.lambdas - [0, 1]) < 0.15)
    assert -1 <= g.loglik - gauss < 0.5 * 6 * np.log(2000)


def test_integer_weights_are_repeated_respondents():
    rng = np.random.default_rng(1)
    Z = rng.uniform(-1.7, 1.7, size=(300, 2))
    w = rng.integers(1, 4, size=300).astype(float)
    a = fit_shash_group(Z, w)
    b = fit_shash_group(np.repeat(Z, w.astype(int), axis=0))
    assert_allclose(a.lambdas, b.lambdas, atol=2e-3)
    assert_allclose(a.loglik * w.mean(), b.loglik, rtol=1e-4)
