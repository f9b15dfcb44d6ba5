"""mclust's parsimonious models (behaviortypes.segments.shapes) against R's mclust 6.0.0.

The reference numbers were printed by R (tests/data/mclust/make_reference.R; versions in
versions.csv) on iris, faithful, mclust's diabetes and banknote, and one planted study in
which every type has its own covariance shape. R's own hierarchical starting partitions
are stored with them, so the M-step, EM and BIC are compared independently of how the
starts are found.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from behaviortypes.segments import (
    Mixture,
    fit_mixture,
    mixture_log_resp,
    n_mixture_params,
    shapes,
)

REF = Path(__file__).parent / "data" / "mclust"
SETS = ("iris", "faithful", "diabetes", "banknote", "planted_k5_m6")


def _data(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Data as R fitted it and R's hc partitions (column g-1: g groups, 0-based)."""
    if name == "planted_k5_m6":
        X = pd.read_csv(REF / "planted_k5_m6.csv").drop(columns="truth").to_numpy()
    else:
        X = pd.read_csv(REF / f"{name}_data.csv").to_numpy(float)
    return X, pd.read_csv(REF / f"{name}_hc.csv").to_numpy() - 1


def _loglik(X, w, params, kind):
    weights, means, covs = params
    return float(w @ mixture_log_resp(X, Mixture(weights, means, covs, kind, 0.0, 0))[1])


@pytest.mark.parametrize("name", SETS)
def test_m_step_matches_mclust_mstep(name):
    """One M-step from R's 3-group partition: the log-likelihood at mstep()'s parameters."""
    X, hc = _data(name)
    ref = pd.read_csv(REF / "mstep.csv").query("data == @name")
    resp = np.eye(3)[hc[:, 2]]
    w = np.ones(X.shape[0])
    for row in ref.itertuples():
        ll = _loglik(X, w, shapes.m_step(X, w, resp, row.model), row.model)
        # (the public data sets' CSVs carry 15 significant digits: 1e-7 is their rounding)
        np.testing.assert_allclose(ll, row.mstep_loglik, rtol=1e-6, err_msg=row.model)


@pytest.mark.parametrize("name", ["iris", "diabetes", "planted_k5_m6",
                                  pytest.param("faithful", marks=pytest.mark.slow),
                                  pytest.param("banknote", marks=pytest.mark.slow)])
def test_em_matches_mclust_me(name):
    """EM from R's 3-group partition, tight tolerance: same optimum, same iterations."""
    X, hc = _data(name)
    ref = pd.read_csv(REF / "mstep.csv").query("data == @name")
    for row in ref.itertuples():
        m = shapes.fit(X, None, hc[:, 2], 3, row.model, tol=1e-10)
        np.testing.assert_allclose(m.loglik, row.me_loglik, rtol=1e-6, err_msg=row.model)
        assert abs(m.n_iter - row.me_iter) <= 1, (row.model, m.n_iter, row.me_iter)


def test_survey_weights_match_mclust_me_weighted():
    """Weights 1, 2, 3 repeating on iris: me.weighted()'s log-likelihood for every model."""
    X, hc = _data("iris")
    w = np.resize([1.0, 2.0, 3.0], X.shape[0])
    ref = pd.read_csv(REF / "weighted.csv")
    for row in ref.itertuples():
        # (me.weighted calls mstep at every iteration: no warm start of EVE/VVE's MM)
        m = shapes.fit(X, w, hc[:, 2], 3, row.model, tol=1e-10, warm=False)
        # ours is sum_i w_i log f(x_i) with weights of mean 1; mclust 6.0.0 reports it
        # with weights scaled to a maximum of 1 (sum_i w_i / max(w) log f(x_i))
        np.testing.assert_allclose(m.loglik * w.mean() / w.max(), row.loglik, rtol=1e-6,
                                   err_msg=row.model)


def test_integer_weights_equal_repeated_rows():
    """A weight of 2 is the same respondent twice (every model, its M-step and EM)."""
    X, hc = _data("iris")
    rng = np.random.default_rng(3)
    w = rng.integers(1, 3, X.shape[0]).astype(float)
    Xr, labr = np.repeat(X, w.astype(int), axis=0), np.repeat(hc[:, 2], w.astype(int))
    for kind in shapes.KINDS:
        a = shapes.fit(X, w, hc[:, 2], 3, kind, tol=1e-8)
        b = shapes.fit(Xr, None, labr, 3, kind, tol=1e-8)
        np.testing.assert_allclose(a.covs, b.covs, rtol=1e-6, atol=1e-10, err_msg=kind)
        np.testing.assert_allclose(a.loglik * w.sum() / w.size, b.loglik, rtol=1e-8)


def test_bic_matches_mclustbic_small():
    """BIC (log-likelihood and mclust's parameter counts) of every model, G = 1..4, iris."""
    X, hc = _data("iris")
    ref = pd.read_csv(REF / "bic.csv").query("data == 'iris' and G <= 4").dropna()
    tab = shapes.bic_table(X, ks=range(1, 5), starts={g: hc[:, g - 1] for g in range(1, 5)})
    assert len(ref) >= 50
    for row in ref.itertuples():
        np.testing.assert_allclose(tab[(row.model, row.G)][0], row.bic, rtol=1e-6,
                                   err_msg=f"{row.model} G={row.G}")


@pytest.mark.slow
@pytest.mark.parametrize("name", SETS)
def test_bic_table_and_choice_match_mclust(name):
    """mclustBIC's whole table (G = 1..9) and Mclust's choice, from R's hc partitions."""
    X, hc = _data(name)
    ref = pd.read_csv(REF / "bic.csv").query("data == @name").dropna()
    tab = shapes.bic_table(X, starts={g: hc[:, g - 1] for g in range(1, 10)})
    for row in ref.itertuples():
        if (row.model, row.G) in tab:  # (a fit ours drops as singular is not compared)
            np.testing.assert_allclose(tab[(row.model, row.G)][0], row.bic, rtol=1e-5,
                                       err_msg=f"{row.model} G={row.G}")
    kept = sum((r.model, r.G) in tab for r in ref.itertuples())
    assert kept >= 0.9 * len(ref)
    chosen = pd.read_csv(REF / "chosen.csv").query("data == @name").iloc[0]
    best = max(tab, key=lambda key: tab[key][0])
    assert best == (chosen.model, chosen.G)
    np.testing.assert_allclose(tab[best], (chosen.bic, chosen.loglik), rtol=1e-6)


def test_engine_em_runs_the_mclust_kinds():
    """The engine's fit_mixture and parameter count dispatch mclust's names to shapes."""
    X, hc = _data("iris")
    w = np.ones(X.shape[0])
    for kind in ("VVE", "EVE", "VEV", "EEV", "VVI"):
        ours = shapes.fit(X, None, hc[:, 2], 3, kind, tol=1e-12)
        eng = fit_mixture(X, w, hc[:, 2], 3, kind=kind, reg=0.0, tol=1e-12, max_iter=2000)
        # EVE/VVE: both EMs carry the orientation from one iteration to the next (as
        # mclust's me does); their stopping rules differ, so they end up to 1e-5 apart
        np.testing.assert_allclose(eng.loglik, ours.loglik, rtol=1e-4, err_msg=kind)
        assert n_mixture_params(3, 4, kind) == shapes.n_params(3, 4, kind)
    # the engine's own kinds keep their counts: VVV == full, VVI == diag, EEE == tied
    for ours, engine in (("VVV", "full"), ("VVI", "diag"), ("EEE", "tied")):
        assert n_mixture_params(4, 5, ours) == n_mixture_params(4, 5, engine)


def test_t_weights_in_the_structured_m_step():
    """t components (McLachlan & Peel 2000, section 7.5): means and scatter weighted by
    membership x weight x E[u | z], type sizes by membership x weight (by hand for VVV);
    u = 1 is the Gaussian step; with a huge nu the t forms fit as the Gaussian ones."""
    X, hc = _data("iris")
    resp = np.eye(3)[hc[:, 2]]
    rng = np.random.default_rng(0)
    w, u = rng.uniform(0.5, 2.0, 150), rng.uniform(0.2, 1.5, (150, 3))
    weights, means, covs = shapes.m_step(X, w, resp, "VVV", u=u)
    for j in range(3):
        a = resp[:, j] * w
        b = a * u[:, j]
        mu = b @ X / b.sum()
        np.testing.assert_allclose(means[j], mu, rtol=1e-10)
        np.testing.assert_allclose(covs[j], (b[:, None] * (X - mu)).T @ (X - mu) / a.sum(),
                                   rtol=1e-7)  # (the one-pass second moment)
    np.testing.assert_allclose(weights, (resp * w[:, None]).sum(axis=0) / w.sum())
    for kind in ("VVE", "VEV"):
        for g, t in zip(shapes.m_step(X, w, resp, kind),
                        shapes.m_step(X, w, resp, kind, u=np.ones((150, 3)))):
            np.testing.assert_allclose(g, t, rtol=1e-10, atol=1e-12)
        gauss = fit_mixture(X, np.ones(150), hc[:, 2], 3, kind=kind)
        heavy = fit_mixture(X, np.ones(150), hc[:, 2], 3, kind=f"t{kind}", nu=1e7)
        np.testing.assert_allclose(heavy.loglik, gauss.loglik, rtol=1e-4)
        assert n_mixture_params(3, 4, f"t{kind}") == n_mixture_params(3, 4, kind) + 1


def test_unknown_kind_is_refused():
    X, hc = _data("iris")
    with pytest.raises(ValueError, match="not one of mclust's models"):
        shapes.m_step(X, np.ones(150), np.eye(3)[hc[:, 2]], "VXV")


@pytest.mark.parametrize("q", [1, 2])
def test_factor_analyser_type_is_ml_factor_analysis(q):
    """One type of MFA{q} is maximum-likelihood factor analysis: scikit-learn's answer."""
    from sklearn.decomposition import FactorAnalysis

    rng = np.random.default_rng(1)  # q planted factors, no Heywood case (iris has one)
    X = (rng.normal(size=(800, q)) @ rng.normal(size=(6, q)).T
         + rng.normal(size=(800, 6)) * np.sqrt(rng.uniform(0.2, 1.0, 6)))
    fa = FactorAnalysis(n_components=q, tol=1e-9, max_iter=5000).fit(X)
    m = shapes.fit(X, None, np.zeros(X.shape[0], dtype=int), 1, f"MFA{q}", tol=1e-12)
    np.testing.assert_allclose(m.loglik, fa.score(X) * X.shape[0], rtol=1e-6)
    np.testing.assert_allclose(m.covs[0], fa.get_covariance(), rtol=1e-3, atol=1e-4)
    # loadings (rotation-free: d q - q (q - 1) / 2) and uniquenesses, then mean
    assert shapes.n_params(1, 6, f"MFA{q}") == 6 + 6 * q - q * (q - 1) // 2 + 6
