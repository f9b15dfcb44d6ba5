"""Tests of behaviortypes.factors: known answers, planted structure, seeds and user errors."""

from __future__ import annotations

import itertools
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import integrate, stats
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from planted_factors import make_factor_study

from behaviortypes.errors import InputError, SurveyQualityWarning
from behaviortypes.factors import (
    FactorModel,
    bartlett,
    bivariate_normal_cdf,
    cfa_check,
    correlation_matrix,
    cronbach_alpha,
    item_reliability,
    kmo,
    omega,
    omega_total,
    parallel_analysis,
    scale_reliability,
    velicer_map,
)
from behaviortypes.factors.correlation import polychoric_pair
from behaviortypes.factors.extraction import extract
from behaviortypes.factors.retention import (
    empirical_kaiser,
    fa_parallel,
    factor_eigenvalues,
    fit_statistics,
    minres_loadings,
    random_eigenvalues,
)
from behaviortypes.quality import screen
from behaviortypes.readers import keyed_items, load_survey
from behaviortypes.synth import make_study


# --------------------------------------------------------------------------- helpers
def planted_likert(n_factors, items_per_factor, n, *, seed, load=(0.5, 0.8), phi_max=0.3,
                   cross=0.1, reverse=0.25):
    """5-point Likert items from a planted oblique factor model.

    Primary loadings uniform in ``load``; a share ``cross`` of items get a secondary
    loading of .20-.30; factor correlations uniform in [0, phi_max]; item-specific
    thresholds (skewed items); a share ``reverse`` of items are reverse-worded and
    then reverse-keyed (``6 - x``), as the pipeline does. Returns keyed answers, the
    true loadings (items × T1..Tm) and Φ.
    """
    rng = np.random.default_rng(seed)
    ipf = np.broadcast_to(np.atleast_1d(items_per_factor), (n_factors,))
    p = int(ipf.sum())
    L = np.zeros((p, n_factors))
    row = 0
    for f, k in enumerate(ipf):
        L[row:row + k, f] = rng.uniform(*load, size=k)
        row += k
    for i in rng.choice(p, int(round(cross * p)), replace=False):
        f = rng.choice([g for g in range(n_factors) if L[i, g] == 0])
        L[i, f] = rng.uniform(0.2, 0.3)
    Phi = np.eye(n_factors)
    iu = np.triu_indices(n_factors, 1)
    Phi[iu] = rng.uniform(0, phi_max, size=len(iu[0]))
    Phi = np.triu(Phi) + np.triu(Phi, 1).T
    h2 = np.einsum("ij,jk,ik->i", L, Phi, L)
    L *= np.where(h2 > 0.85, np.sqrt(0.85 / h2), 1.0)[:, None]
    h2 = np.einsum("ij,jk,ik->i", L, Phi, L)
    F = rng.multivariate_normal(np.zeros(n_factors), Phi, size=n)
    Z = F @ L.T + rng.standard_normal((n, p)) * np.sqrt(1 - h2)
    rev = rng.random(p) < reverse
    Z[:, rev] *= -1
    X = np.empty_like(Z)
    for j in range(p):
        cuts = np.array([-1.5, -0.5, 0.5, 1.5]) + rng.uniform(-0.6, 0.6)
        X[:, j] = 1 + np.searchsorted(cuts, Z[:, j])
    X[:, rev] = 6 - X[:, rev]
    items = [f"q{j + 1:02d}" for j in range(p)]
    return (pd.DataFrame(X, columns=items, index=[f"r{i}" for i in range(n)]),
            pd.DataFrame(L, index=items, columns=[f"T{f + 1}" for f in range(n_factors)]), Phi)


def exact_corr_data(R, n, seed=0):
    """Data whose sample (Pearson) correlation matrix is exactly ``R``."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, len(R)))
    Z -= Z.mean(0)
    Z = Z @ np.linalg.inv(np.linalg.cholesky(np.cov(Z, rowvar=False))).T
    X = Z @ np.linalg.cholesky(R).T
    return pd.DataFrame(X, columns=[f"v{j + 1}" for j in range(len(R))])


def tucker(a, b):
    return np.sum(a * b, axis=0) / np.sqrt(np.sum(a**2, axis=0) * np.sum(b**2, axis=0))


def matched_congruence(true, est):
    best = None
    for perm in itertools.permutations(range(est.shape[1])):
        c = np.abs(tucker(true, est[:, perm]))
        if best is None or c.min() > best[0].min():
            best = (c, perm)
    return best


@pytest.fixture(scope="module")
def planted3():
    X, L, Phi = planted_likert(3, [6, 5, 5], 1500, seed=11, cross=0.0)
    return X, L, Phi


@pytest.fixture(scope="module")
def fitted3(planted3):
    X, L, _ = planted3
    themes = {it: ["price", "service", "speed"][int(np.argmax(L.loc[it].to_numpy()))]
              for it in L.index}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyQualityWarning)
        return FactorModel(random_state=1).fit(X, item_themes=themes)


R3 = np.array([[1.0, 0.5, 0.4], [0.5, 1.0, 0.3], [0.4, 0.3, 1.0]])


# ---------------------------------------------------------------- correlations
def test_bivariate_normal_cdf_matches_numerical_integration():
    rng = np.random.default_rng(0)
    for r in (-0.97, -0.6, -0.1, 0.0, 0.35, 0.8, 0.95):
        h, k = rng.normal(size=5) * 1.5, rng.normal(size=5) * 1.5
        s = np.sqrt(1 - r * r)
        ref = [integrate.quad(lambda x: stats.norm.pdf(x) * stats.norm.cdf((b - r * x) / s),
                              -np.inf, a, epsabs=1e-13)[0] for a, b in zip(h, k)]
        assert_allclose(bivariate_normal_cdf(h, k, r), ref, atol=1e-11)
    assert_allclose(bivariate_normal_cdf([np.inf, -np.inf, 0.3], [0.2, 1.0, np.inf], 0.5),
                    [stats.norm.cdf(0.2), 0.0, stats.norm.cdf(0.3)])


@pytest.mark.parametrize("rho", [-0.6, 0.2, 0.75])
def test_tetrachoric_of_exact_median_split_table(rho):
    # P(X > 0, Y > 0) = 1/4 + asin(rho) / (2 pi) for a median split (Sheppard 1899)
    p11 = 0.25 + np.arcsin(rho) / (2 * np.pi)
    table = 10_000 * np.array([[p11, 0.5 - p11], [0.5 - p11, p11]])
    tau = np.array([-np.inf, 0.0, np.inf])
    assert_allclose(polychoric_pair(table, tau, tau), rho, atol=1e-5)


def test_polychoric_recovers_latent_correlation():
    rng = np.random.default_rng(3)
    Z = rng.multivariate_normal([0, 0, 0], [[1, .6, .3], [.6, 1, .45], [.3, .45, 1]], size=20_000)
    X = pd.DataFrame(1 + np.stack([np.searchsorted([-1.2, -0.3, 0.4, 1.3], Z[:, j])
                                   for j in range(3)], axis=1), columns=["a", "b", "c"])
    R = correlation_matrix(X, method="polychoric")
    assert_allclose(R.to_numpy()[np.triu_indices(3, 1)], [0.6, 0.3, 0.45], atol=0.02)
    assert R.attrs["method"] == "polychoric" and not R.attrs["smoothed"]
    pearson = correlation_matrix(X)
    assert pearson.loc["a", "b"] < R.loc["a", "b"] - 0.02  # Pearson is attenuated


def test_pairwise_pearson_equals_pandas_and_weights_equal_duplication():
    X, _, _ = planted_likert(2, 4, 300, seed=5)
    X = X.mask(np.random.default_rng(1).random(X.shape) < 0.1)
    R = correlation_matrix(X)
    assert_allclose(R.to_numpy(), X.corr().to_numpy(), atol=1e-12)
    assert R.attrs["missing"] == "pairwise" and R.attrs["n_complete"] < len(X)
    w = np.random.default_rng(2).integers(1, 4, len(X))
    dup = X.loc[X.index.repeat(w)]
    assert_allclose(correlation_matrix(X, sample_weight=w).to_numpy(), dup.corr().to_numpy(),
                    atol=1e-12)


# ---------------------------------------------------------------- factorability
def test_kmo_and_bartlett_by_hand_on_a_known_matrix():
    X = exact_corr_data(R3, 200)
    r12, r13, r23 = 0.5, 0.4, 0.3
    p12 = (r12 - r13 * r23) / np.sqrt((1 - r13**2) * (1 - r23**2))
    p13 = (r13 - r12 * r23) / np.sqrt((1 - r12**2) * (1 - r23**2))
    p23 = (r23 - r12 * r13) / np.sqrt((1 - r12**2) * (1 - r13**2))
    overall = (r12**2 + r13**2 + r23**2) / (r12**2 + r13**2 + r23**2 + p12**2 + p13**2 + p23**2)
    msa1 = (r12**2 + r13**2) / (r12**2 + r13**2 + p12**2 + p13**2)
    table = kmo(X)
    assert_allclose(table.loc["(overall)", "msa"], overall, atol=1e-12)
    assert_allclose(table.loc["v1", "msa"], msa1, atol=1e-12)
    assert table.loc["(overall)", "scope"] == "overall"
    det = 1 + 2 * r12 * r13 * r23 - r12**2 - r13**2 - r23**2
    b = bartlett(X)
    chi2 = -(200 - 1 - (2 * 3 + 5) / 6) * np.log(det)
    assert_allclose(b.loc["bartlett", "chi2"], chi2, rtol=1e-12)
    assert b.loc["bartlett", "df"] == 3
    assert_allclose(b.loc["bartlett", "p_value"], stats.chi2.sf(chi2, 3))


def test_linearly_dependent_items_are_named():
    X = exact_corr_data(R3, 100)
    X["total"] = X.sum(axis=1)
    with pytest.raises(InputError, match="linearly dependent.*total"):
        kmo(X)


# ---------------------------------------------------------------- retention
def test_wishart_sampler_matches_simulated_normal_data():
    rng = np.random.default_rng(0)
    fast = random_eigenvalues(150, 8, 400, "pca", rng)
    direct = np.array([np.linalg.eigvalsh(np.corrcoef(rng.standard_normal((150, 8)),
                                                      rowvar=False))[::-1] for _ in range(400)])
    assert_allclose(fast.mean(0), direct.mean(0), atol=0.02)
    assert_allclose(fast.std(0), direct.std(0), atol=0.02)
    assert_allclose(fast.sum(1), 8)  # eigenvalues of a correlation matrix sum to p


def test_parallel_analysis_table_and_seed(planted3):
    X = planted3[0]
    a = parallel_analysis(X, random_state=4, n_iter=50, method="pca")
    b = parallel_analysis(X, random_state=4, n_iter=50, method="pca")
    c = parallel_analysis(X, random_state=5, n_iter=50, method="pca")
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["random_quantile"], c["random_quantile"])
    assert a.attrs["n_factors"] == 3 == a["retained"].sum()
    assert list(a.columns) == ["observed", "random_mean", "random_quantile", "retained"]
    assert a.attrs["percentile"] == 95 and a.attrs["n_iter"] == 50
    assert_allclose(a["observed"].sum(), len(X.columns))  # PCA eigenvalues
    fa = parallel_analysis(X, random_state=4, n_iter=50)
    assert fa.attrs["method"] == "fa" and fa.attrs["n_factors"] == 3
    smc = 1 - 1 / np.diag(np.linalg.inv(X.corr().to_numpy()))
    assert_allclose(fa["observed"].sum(), smc.sum())  # trace of the reduced matrix


def test_velicer_map(planted3):
    X = planted3[0]
    table = velicer_map(X)
    R = X.corr().to_numpy()
    off = ~np.eye(len(R), dtype=bool)
    assert_allclose(table.loc[0, "map"], np.mean(R[off] ** 2))
    assert table.attrs["n_factors"] == 3


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_retention_picks_planted_number(seed):
    rng = np.random.default_rng(100 + seed)
    m = int(rng.integers(3, 9))
    X, _, _ = planted_likert(m, rng.integers(3, 9, size=m), int(rng.integers(900, 3001)),
                             seed=seed, load=(0.45, 0.8), phi_max=0.4, cross=0.15)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyQualityWarning)
        fm = FactorModel(random_state=seed).fit(X)
    assert fm.n_factors_ == m
    assert fm.retention_.loc[m, "chosen"] and fm.retention_["chosen"].sum() == 1
    assert "parallel analysis" in fm.retention_.loc[m, "reason"]


@pytest.mark.slow
def test_retention_suite_across_settings():
    """40 planted studies over realistic settings: the rule must be right in >= 95 %
    and never over-extract (PCA-eigenvalue PA got 56 % on the hardest setting)."""
    settings = [dict(load=(0.5, 0.8), phi_max=0.3, cross=0.1),
                dict(load=(0.45, 0.75), phi_max=0.4, cross=0.3),
                dict(load=(0.6, 0.85), phi_max=0.2, cross=0.1),
                dict(load=(0.45, 0.7), phi_max=0.5, cross=0.15)]
    hits, over = 0, 0
    rng = np.random.default_rng(2024)
    for s in range(40):
        m = int(rng.integers(3, 9))
        X, _, _ = planted_likert(m, rng.integers(3, 9, size=m), int(rng.integers(900, 3001)),
                                 seed=500 + s, **settings[s % 4])
        n = parallel_analysis(X, random_state=s).attrs["n_factors"]
        hits += n == m
        over += n > m
    assert over == 0
    assert hits >= 38


# ---------------------------------------------------------------- the model
def test_planted_loadings_and_factor_correlations_recovered(planted3, fitted3):
    _, L, Phi = planted3
    fm = fitted3
    assert fm.n_factors_ == 3
    cong, perm = matched_congruence(L.to_numpy(), fm.loadings_.to_numpy())
    assert cong.min() >= 0.95
    phi = fm.factor_corr_.to_numpy()[np.ix_(perm, perm)]
    # Likert discretisation attenuates, but the factor correlations stay close
    assert_allclose(phi, Phi, atol=0.08)
    assert list(fm.loadings_.columns) == ["F1", "F2", "F3"]
    assert (fm.loadings_.sum() > 0).all()
    ss = fm.variance_["ss_loadings"].to_numpy()
    assert np.all(np.diff(ss) <= 0)
    assert_allclose(fm.communalities_, np.diag(fm.loadings_ @ fm.factor_corr_ @ fm.loadings_.T))
    assert_allclose(fm.structure_, fm.loadings_ @ fm.factor_corr_)


def test_seed_gives_identical_fit(planted3):
    X = planted3[0]
    a = FactorModel(random_state=7, n_iter=30).fit(X)
    b = FactorModel(random_state=7, n_iter=30).fit(X)
    pd.testing.assert_frame_equal(a.retention_, b.retention_)
    pd.testing.assert_frame_equal(a.loadings_, b.loadings_)
    gen = FactorModel(random_state=np.random.default_rng(7), n_iter=30).fit(X)
    pd.testing.assert_frame_equal(a.retention_, gen.retention_)


def test_reliability_names_and_flags(fitted3):
    fm = fitted3
    rel = fm.reliability_
    assert list(rel.columns) == ["n_items", "alpha", "ci_low", "ci_high", "omega", "items"]
    assert (rel["ci_low"] < rel["alpha"]).all() and (rel["alpha"] < rel["ci_high"]).all()
    assert rel["n_items"].sum() == 16
    assert sorted(fm.factor_names_.values()) == ["price", "service", "speed"]
    assert set(fm.theme_reliability_.index) == {"price", "service", "speed"}
    assert fm.flags_.empty and fm.heywood_ == []
    assert fm.factorability_.query("measure == 'kmo'")["value"].iloc[0] > 0.7
    json.dumps(fm.to_dict())
    text = fm.summary()
    assert "Why 3" in text and "price" in text


def test_flags_for_cross_loading_weak_and_negative_items():
    rng = np.random.default_rng(8)
    n = 2000
    F = rng.standard_normal((n, 2))
    cols = {}
    for j in range(4):
        cols[f"a{j}"] = 0.75 * F[:, 0] + np.sqrt(1 - 0.75**2) * rng.standard_normal(n)
        cols[f"b{j}"] = 0.75 * F[:, 1] + np.sqrt(1 - 0.75**2) * rng.standard_normal(n)
    cols["both"] = 0.55 * F[:, 0] + 0.55 * F[:, 1] + 0.6 * rng.standard_normal(n)
    cols["noise"] = 0.1 * F[:, 0] + rng.standard_normal(n)
    cols["unreversed"] = -0.7 * F[:, 1] + 0.7 * rng.standard_normal(n)
    X = pd.DataFrame(cols)
    fm = FactorModel(n_factors=2, rotation="varimax", random_state=0).fit(X)
    flags = fm.flags_.set_index("item")["flag"]
    assert flags["both"] == "cross-loading"
    assert flags["noise"] == "weak"
    assert flags["unreversed"] == "negative"
    assert len(flags) == 3
    assert fm.factor_names_ == {"F1": "Factor 1", "F2": "Factor 2"}


def test_duplicate_theme_names_are_numbered(planted3):
    """A theme split over factors says "(part 2)", not a bare "2" that reads as a counter for
    duplicate type names (user trial 8: "The group low on empathy and imagination 2")."""
    X = planted3[0]
    fm = FactorModel(n_factors=3, random_state=0).fit(X, item_themes={c: "trust" for c in X})
    assert sorted(fm.factor_names_.values()) == ["trust", "trust (part 2)", "trust (part 3)"]


def test_weighted_fit_equals_duplicated_rows(planted3):
    X = planted3[0].iloc[:600]
    w = np.random.default_rng(3).integers(1, 4, len(X))
    dup = X.loc[X.index.repeat(w)]
    a = FactorModel(n_factors=3, n_iter=5).fit(X, sample_weight=w)
    b = FactorModel(n_factors=3, n_iter=5).fit(dup)
    assert_allclose(a.loadings_, b.loadings_, atol=1e-6)
    assert a.corr_.attrs["weighted"]


def test_scores_regression_and_tenberge(planted3, fitted3):
    X = planted3[0]
    fm = fitted3
    R = fm.corr_.to_numpy()
    S = fm.structure_.to_numpy()
    scores = fm.transform(X)
    assert list(scores.columns) == ["F1", "F2", "F3"] and scores.index.equals(X.index)
    assert_allclose(np.cov(scores.to_numpy(), rowvar=False), S.T @ np.linalg.solve(R, S),
                    atol=1e-8)
    tb = FactorModel(random_state=1, scores="tenberge").fit(X)
    # ten Berge scores reproduce the factor correlations exactly
    assert_allclose(np.cov(tb.transform(X).to_numpy(), rowvar=False), tb.factor_corr_,
                    atol=1e-8)


def test_score_weights_per_point_move_the_scores_by_one_answer_point(planted3, fitted3):
    """One more point on one answer moves every score by that answer's row; the rows are
    the score weights over the items' SDs (so Sheppard's rounding noise of the answers
    reaches the scores as TypeFinder's dequantization assumes)."""
    X = planted3[0].iloc[:50]
    fm = fitted3
    B = fm.score_weights_per_point()
    assert list(B.index) == list(fm.weights_.index) and list(B.columns) == ["F1", "F2", "F3"]
    before = fm.transform(X)
    for item in (B.index[0], B.index[7]):
        moved = X.copy()
        moved[item] = moved[item] + 1
        assert_allclose((fm.transform(moved) - before).to_numpy(),
                        np.tile(B.loc[item].to_numpy(), (len(X), 1)), atol=1e-10)
    assert_allclose(B.to_numpy(), fm.weights_.to_numpy() / fm.scales_.to_numpy()[:, None])


def test_transform_imputes_item_means_and_never_mutates(fitted3, planted3):
    X = planted3[0].iloc[:5].copy()
    before = X.copy()
    X.iloc[0, 2] = np.nan
    X.iloc[1, :] = np.nan
    kept = X.copy()
    out = fitted3.transform(X)
    pd.testing.assert_frame_equal(X, kept)
    filled = X.copy()
    filled.iloc[0, 2] = fitted3.means_.iloc[2]
    assert_allclose(out.iloc[0], fitted3.transform(filled).iloc[0])
    assert out.iloc[1].isna().all()
    assert_allclose(out.iloc[2:], fitted3.transform(before).iloc[2:])


def test_user_can_override_number_of_factors(planted3):
    fm = FactorModel(n_factors=2, n_iter=10, random_state=0).fit(planted3[0])
    assert fm.n_factors_ == 2 and fm.loadings_.shape == (16, 2)
    assert fm.retention_.loc[2, "reason"].startswith("set by the user (2)")
    assert "suggests 3" in fm.retention_.loc[2, "reason"]
    assert [p["code"] for p in fm.retention_reason_code_] == ["factor_reason_user", "factor_reason_psych"]
    assert fm.retention_reason_code_[0]["values"] == {"m": 2}


# ---------------------------------------------------------------- reliability
HAND = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 2, 3, 5, 5], "c": [1, 3, 3, 4, 4]})


def test_alpha_by_hand_with_feldt_interval():
    # item variances 2.5, 2.3, 1.5; total-score variance 17.3
    alpha = 1.5 * (1 - 6.3 / 17.3)
    out = cronbach_alpha(HAND)
    assert_allclose(out.loc["alpha", "alpha"], alpha, atol=1e-12)
    assert out.loc["alpha", "n"] == 5 and out.loc["alpha", "n_items"] == 3
    low = 1 - (1 - alpha) * stats.f.ppf(0.975, 4, 8)
    high = 1 - (1 - alpha) * stats.f.ppf(0.025, 4, 8)
    assert_allclose(out.loc["alpha", ["ci_low", "ci_high"]].to_numpy(float), [low, high])


def test_item_reliability_by_hand():
    out = item_reliability(HAND)
    # without a: var(b) 2.3, var(c) 1.5, cov(b, c) 1.5 -> alpha = 2 (1 - 3.8 / 6.8)
    assert_allclose(out.loc["a", "alpha_if_deleted"], 2 * (1 - 3.8 / 6.8), atol=1e-12)
    # cov(a, b + c) = 4, var(a) = 2.5, var(b + c) = 6.8
    assert_allclose(out.loc["a", "item_rest_r"], 4 / np.sqrt(2.5 * 6.8), atol=1e-12)
    assert_allclose(out["sd"], HAND.std(), atol=1e-12)


def test_omega_formula():
    lam = pd.DataFrame({"F1": [0.7, 0.6, 0.5, 0.1]}, index=["x", "y", "z", "w"])
    expected = 1.8**2 / (1.8**2 + 0.51 + 0.64 + 0.75)
    out = omega(lam)
    assert_allclose(out.loc["F1", "omega"], expected, atol=1e-12)
    assert out.loc["F1", "n_items"] == 3  # w is below .40
    l3 = lam.iloc[:3, 0].to_numpy()
    R = np.outer(l3, l3)
    np.fill_diagonal(R, 1)
    Rdf = pd.DataFrame(R, index=list("xyz"), columns=list("xyz"))
    assert_allclose(omega(lam.iloc[:3], corr=Rdf).loc["F1", "omega"], expected, atol=1e-12)


def test_scale_reliability_per_theme(planted3):
    X, L, _ = planted3
    groups = {it: f"T{int(np.argmax(L.loc[it].to_numpy())) + 1}" for it in L.index}
    out = scale_reliability(X, groups)
    first = [it for it, g in groups.items() if g == "T1"]
    assert_allclose(out.loc["T1", "alpha"], cronbach_alpha(X[first]).loc["alpha", "alpha"])
    assert (out["omega"] >= out["alpha"] - 0.01).all()


REAL = Path(__file__).parent / "data" / "real"
OMEGA_REF = json.loads((REAL / "psych_omega_reference.json").read_text())
#: psych's reverse-worded bfi items (keyed back as 7 - x)
BFI_REVERSED = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]


def _omega_data(name: str) -> pd.DataFrame:
    """The data behind each set of ``psych_omega_reference.json`` (see its R script)."""
    if name.startswith("bfi"):
        x = pd.read_csv(REAL / "bfi.csv.gz")
        x[BFI_REVERSED] = 7 - x[BFI_REVERSED]
        if name == "bfi_trial":
            out = pd.read_csv(REAL / "bfi_trial_screened_out.csv")["row"] - 1
            x = x.drop(index=out)
        return x
    return pd.read_csv(REAL / f"{name}.csv.gz")


def test_omega_total_of_a_one_factor_matrix():
    """Exact one-factor correlations: omega_t = (Σλ)² / ((Σλ)² + Σ(1 - λ²)), any keying."""
    lam = np.array([0.8, 0.7, 0.6, 0.5])
    R = np.outer(lam, lam)
    np.fill_diagonal(R, 1)
    expected = lam.sum() ** 2 / (lam.sum() ** 2 + np.sum(1 - lam**2))
    assert_allclose(omega_total(R), expected, atol=1e-6)
    flip = np.diag([1, -1, 1, -1])
    assert_allclose(omega_total(flip @ R @ flip), expected, atol=1e-6)
    assert np.isnan(omega_total(R[:1, :1]))
    with pytest.raises(InputError, match="square"):
        omega_total(R[:3])


def test_omega_of_two_statements_follows_psych():
    """Trial 5 (PISA): a factor of two statements printed "omega nan". One factor is not
    identified by two statements; ``psych::omega(x, nfactors = 1)`` then gives both equal
    loadings √|r|, so omega_t = 2|r|/(1+|r|), the Spearman-Brown value (R psych 2.2.9:
    ST24Q10/ST24Q11 of the trial, r = 0.5462653 → 0.7065608987; r = -0.38 → 0.5507246377)."""
    for r, psych in ((0.5462653, 0.7065608987), (-0.38, 0.5507246377)):
        assert_allclose(omega_total(np.array([[1, r], [r, 1]])), psych, atol=1e-9)
    rng = np.random.default_rng(5)
    g = rng.normal(size=400)
    x = pd.DataFrame({"a": g + rng.normal(size=400), "b": g + rng.normal(size=400),
                      "c": rng.normal(size=400)})
    out = scale_reliability(x, {"a": "pair", "b": "pair", "c": "single"})
    r = np.corrcoef(x["a"], x["b"])[0, 1]
    assert_allclose(out.loc["pair", "omega"], 2 * r / (1 + r), atol=1e-12)
    assert np.isnan(out.loc["single", "omega"])


@pytest.mark.parametrize("name", sorted(OMEGA_REF["sets"]))
def test_scale_omega_matches_psych(name):
    """psych's omega(x, nfactors = 1)$omega.tot of every scale of four real data sets.

    Pairwise Pearson correlations and the same minres fit: agreement to 1e-5 (the
    minres optimum; observed ≤ 7e-7). Alpha matches psych exactly on complete data;
    with missing answers it differs by < 1e-3 (psych's alpha uses pairwise covariances,
    ours pairwise correlations scaled by each item's SD over all its answers).
    """
    ref = OMEGA_REF["sets"][name]["scales"]
    groups = {it: scale for scale, r in ref.items() for it in r["items"]}
    x = _omega_data(name)[list(groups)]
    out = scale_reliability(x, groups)
    for scale, r in ref.items():
        assert len(x) == r["n"]
        assert_allclose(out.loc[scale, "omega"], r["omega_tot"], atol=1e-5, err_msg=scale)
        tol = 1e-10 if not x.isna().any().any() else 1e-3
        assert_allclose(out.loc[scale, "alpha"], r["alpha"], atol=tol, err_msg=scale)
        assert out.loc[scale, "omega"] >= out.loc[scale, "alpha"] - 1e-3


def test_factor_model_reliability_is_psychs_scale_omega():
    """The trial's bfi case: each factor's omega is psych's omega of its five statements.

    Before, omega came from the 5-factor rotated loadings and fell below alpha
    (Extraversion 0.58 against psych's 0.785). Unkeyed items: the scale keys itself.
    """
    ref = OMEGA_REF["sets"]["bfi_trial"]["scales"]
    x = pd.read_csv(REAL / "bfi.csv.gz")
    x = x.drop(index=pd.read_csv(REAL / "bfi_trial_screened_out.csv")["row"] - 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyQualityWarning)
        fm = FactorModel(n_factors=5, random_state=0).fit(x)
    rel = fm.reliability_
    by_scale = {r["items"][0][0]: f for f, r in rel.iterrows()}
    assert sorted(by_scale) == sorted(ref)  # each factor's scale is one designed trait
    for trait, f in by_scale.items():
        assert rel.loc[f, "items"] == "; ".join(ref[trait]["items"])
        assert_allclose(rel.loc[f, "omega"], ref[trait]["omega_tot"], atol=1e-5, err_msg=trait)
        assert rel.loc[f, "omega"] > rel.loc[f, "alpha"]


@pytest.mark.slow
def test_feldt_interval_coverage():
    """Parallel items with loading .6, k = 5: population alpha = 5r/(1 + 4r), r = .36."""
    rng = np.random.default_rng(9)
    r = 0.36
    true = 5 * r / (1 + 4 * r)
    hits = 0
    for _ in range(400):
        f = rng.standard_normal((120, 1))
        X = pd.DataFrame(0.6 * f + 0.8 * rng.standard_normal((120, 5)))
        X.columns = [f"i{j}" for j in range(5)]
        row = cronbach_alpha(X).iloc[0]
        hits += row["ci_low"] <= true <= row["ci_high"]
    assert 0.92 <= hits / 400 <= 0.98


# ---------------------------------------------------------------- CFA
def test_cfa_check_on_held_out_half(planted3, fitted3):
    X = planted3[0]
    res = cfa_check(X, fitted3.loadings_, random_state=0)
    again = cfa_check(X, fitted3.loadings_, random_state=0)
    assert res["holdout_index"] == again["holdout_index"]
    assert res["n"] == 750 and res["n_factors"] == 3 and res["dropped_factors"] == []
    assert set(res["holdout_index"]).isdisjoint(res["explore_index"])
    assert res["cfi"] > 0.95 and res["tli"] > 0.95
    assert res["rmsea"] < 0.05 and res["srmr"] < 0.05
    assert_allclose(res["cfi"], again["cfi"])


def test_cfa_check_fits_on_one_thread_and_says_when_it_does_not_converge(planted3, fitted3, monkeypatch):
    """On a loaded two-core machine OpenBLAS's threads made the demo's CFA (28 statements,
    6 factors) take 3 s of CPU instead of 0.05 s: the fit runs with one BLAS thread. A fit
    whose optimiser does not converge keeps its numbers but says so (``not_converged``)."""
    import semopy
    from threadpoolctl import threadpool_info

    seen = []
    fit = semopy.Model.fit

    def spy(self, *args, **kwargs):
        seen.extend(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")
        res = fit(self, *args, **kwargs)
        res.success = False
        return res

    monkeypatch.setattr(semopy.Model, "fit", spy)
    res = cfa_check(planted3[0], fitted3.loadings_, random_state=0)
    assert seen and set(seen) == {1}
    assert res["converged"] is False and res["note_code"] == "not_converged"
    assert "did not converge" in res["note"] and np.isfinite(res["cfi"])


def test_cfa_check_warns_only_when_asked(planted3):
    """A poor fit (one factor for three) warns with ``warn=True`` and is silent with
    ``warn=False`` — discover says the verdict in its summary; it warned as well when
    the RMSEA alone was above .08 (an operator-precedence slip)."""
    X = planted3[0]
    one = pd.DataFrame({"F1": 0.7}, index=X.columns)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        res = cfa_check(X, one, random_state=0, warn=False)
    assert res["rmsea"] > 0.08 and res["cfi"] < 0.90
    assert not [w for w in seen if issubclass(w.category, SurveyQualityWarning)]
    with pytest.warns(SurveyQualityWarning, match="fits the held-out respondents poorly"):
        cfa_check(X, one, random_state=0, warn=True)


# ---------------------------------------------------------------- user errors
def test_error_too_few_respondents():
    with pytest.raises(InputError, match="too few respondents: n_respondents=4"):
        FactorModel().fit(HAND.iloc[:4].assign(d=[1, 2, 1, 2]))


def test_error_constant_item(planted3):
    X = planted3[0].copy()
    X["q03"] = 3.0
    with pytest.raises(InputError, match="column 'q03'.*constant"):
        FactorModel().fit(X)


def test_error_non_numeric_item_names_rows(planted3):
    X = planted3[0].iloc[:50].astype(object).copy()
    X.iloc[6, 1] = "agree"
    with pytest.raises(InputError, match=r"column 'q02', row 7: items must be numeric.*'agree'"):
        kmo(X)


def test_error_settings(planted3):
    X = planted3[0]
    with pytest.raises(InputError, match="n_factors must be a whole number from 1 to 15"):
        FactorModel(n_factors=16).fit(X)
    with pytest.raises(InputError, match="rotation must be one of"):
        FactorModel(rotation="oblique").fit(X)
    with pytest.raises(InputError, match="method must be one of"):
        parallel_analysis(X, method="minres")
    with pytest.raises(InputError, match="percentile must be between"):
        parallel_analysis(X, percentile=100)
    with pytest.raises(InputError, match="sample_weight must be finite and non-negative"):
        correlation_matrix(X, sample_weight=-np.ones(len(X)))
    with pytest.raises(InputError, match="ci must be between"):
        cronbach_alpha(X, ci=95)


def test_error_polychoric_needs_ordinal_items():
    X = exact_corr_data(R3, 50)
    with pytest.raises(InputError, match="at most 10 answer categories"):
        correlation_matrix(X, method="polychoric")


def test_error_transform_before_fit_and_missing_items(fitted3, planted3):
    with pytest.raises(NotFittedError, match="not fitted"):
        FactorModel().transform(planted3[0])
    with pytest.raises(InputError, match="column 'q01'.*missing from the data"):
        fitted3.transform(planted3[0].drop(columns="q01"))


def test_item_reliability_per_factor_matches_function(planted3, fitted3):
    X = planted3[0]
    fm = fitted3
    items = fm.reliability_.loc["F1", "items"].split("; ")
    table = fm.item_reliability_.query("factor == 'F1'")
    ref = item_reliability(X[items])
    assert_allclose(table["item_rest_r"], ref["item_rest_r"], atol=1e-12)
    assert_allclose(table["alpha_if_deleted"], ref["alpha_if_deleted"], atol=1e-12)
    assert_allclose(fm.reliability_.loc["F1", "alpha"],
                    cronbach_alpha(X[items]).loc["alpha", "alpha"], atol=1e-12)


def test_polychoric_model_keeps_cronbach_alpha_on_raw_scores(planted3, fitted3):
    X, L, _ = planted3
    themes = {it: ["price", "service", "speed"][int(np.argmax(L.loc[it].to_numpy()))]
              for it in L.index}
    fm = FactorModel(corr="polychoric", n_iter=20, random_state=0).fit(X, item_themes=themes)
    # omega is ordinal omega: the one-factor omega of each scale on the polychoric matrix,
    # per factor and per theme alike; above the Pearson (attenuated) omega
    for table, col in [(fm.reliability_, "omega"), (fm.theme_reliability_, "omega")]:
        for name, row in table.iterrows():
            its = row["items"].split("; ")
            assert_allclose(row[col], omega_total(fm.corr_.loc[its, its]), atol=1e-12)
    pearson = fitted3.theme_reliability_["omega"]
    assert (fm.theme_reliability_["omega"] > pearson).all()
    assert fm.corr_method_ == "polychoric" and fm.corr_.attrs["method"] == "polychoric"
    assert fm.n_factors_ == 3
    items = fm.reliability_.loc["F1", "items"].split("; ")
    assert_allclose(fm.reliability_.loc["F1", "alpha"],
                    cronbach_alpha(X[items]).loc["alpha", "alpha"], atol=1e-12)
    # polychoric loadings are larger than Pearson ones (no discretisation attenuation)
    assert fm.loadings_.abs().max().mean() > fitted3.loadings_.abs().max().mean()


def test_principal_method_matches_factor_analyzer(planted3):
    from factor_analyzer import FactorAnalyzer

    X = planted3[0]
    fm = FactorModel(n_factors=3, method="principal", rotation="none", n_iter=5).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        fa = FactorAnalyzer(n_factors=3, method="principal", rotation=None,
                            svd_method="lapack").fit(X)
    ours = fm.loadings_.to_numpy()
    signs = np.sign(np.sum(ours * fa.loadings_[:, :3], axis=0))
    assert_allclose(ours * signs, fa.loadings_[:, :3], atol=1e-8)


def test_error_item_themes_type(planted3):
    with pytest.raises(InputError, match="item_themes must map item id -> theme"):
        FactorModel(n_factors=2, n_iter=5).fit(planted3[0], item_themes=["price"])


def test_no_structure_keeps_one_factor_with_a_warning():
    rng = np.random.default_rng(12)
    X = pd.DataFrame(rng.integers(1, 6, size=(800, 10)).astype(float),
                     columns=[f"x{j}" for j in range(10)])
    assert parallel_analysis(X, random_state=0).attrs["n_factors"] == 0
    with pytest.warns(SurveyQualityWarning, match="no factor above chance"):
        fm = FactorModel(random_state=0).fit(X)
    assert fm.n_factors_ == 1
    assert "no factor stands above random data" in fm.retention_.loc[1, "reason"]
    assert fm.retention_reason_code_[-1] == {"code": "factor_reason_none", "values": {"m": 1}}


# ------------------------------------------------- psych's fa.parallel, EKC, fit statistics
def test_factor_eigenvalues_use_psychs_minres_search(planted3):
    R = planted3[0].corr().to_numpy()
    a = minres_loadings(R, 1)[:, 0]  # psych's L-BFGS-B search with its gradient
    b = extract(R, 1, "minres")[0][:, 0]
    assert_allclose(np.abs(a), np.abs(b), atol=1e-4)
    S = R.copy()
    np.fill_diagonal(S, a**2)
    assert_allclose(factor_eigenvalues(R), np.linalg.eigvalsh(S)[::-1], atol=1e-4)


def test_fa_parallel_follows_psych_definition(planted3):
    X = planted3[0]
    pa = fa_parallel(X, random_state=3)
    assert pa.attrs["n_iter"] == 20 and pa.attrs["quant"] == 0.95
    assert pa.attrs["n_factors"] == 3 == pa.attrs["n_factors_resampled"]
    # psych's nfact: the factors before the first eigenvalue not above the simulated quantile
    above = pa["observed"] > pa["simulated_quantile"]
    assert pa.attrs["n_factors"] == int(np.argmin(above.to_numpy()))
    assert (pa["simulated_quantile"] >= pa["simulated_mean"]).all()
    assert_allclose(pa["pc_observed"].sum(), X.shape[1])
    again = fa_parallel(X, random_state=3)
    pd.testing.assert_frame_equal(pa, again)
    # resampled data keep each item's distribution but lose the correlations
    assert pa["resampled_mean"].iloc[0] < 0.5 < pa["observed"].iloc[0]


def test_empirical_kaiser_by_hand(planted3):
    X = planted3[0]
    ek = empirical_kaiser(X)
    lam = np.linalg.eigvalsh(X.corr().to_numpy())[::-1]
    p, n = X.shape[1], len(X)
    j = 2  # third component: reference uses the two eigenvalues before it
    ref = max((1 + np.sqrt(p / n)) ** 2 * (p - lam[:2].sum()) / (p - j), 1)
    assert_allclose(ek["reference"].iloc[2], ref)
    assert ek.attrs["n_factors"] == 3


def test_fit_statistics_known_answers():
    L = np.array([[0.8, 0.7, 0.6, 0, 0, 0], [0, 0, 0, 0.7, 0.6, 0.5]]).T
    phi = np.array([[1, 0.3], [0.3, 1]])
    R = L @ phi @ L.T
    np.fill_diagonal(R, 1)
    exact = fit_statistics(R, L, phi, 500)
    assert exact["chi2"] == pytest.approx(0, abs=1e-8) and exact["rmsea"] == 0
    assert exact["df"] == 6 * 5 / 2 - 6 * 2 + 1
    M0 = -np.linalg.slogdet(R)[1] * 2 / (6 * 5)  # psych: TLI exceeds 1 for a perfect fit
    assert exact["tli"] == pytest.approx(M0 / (M0 - 1 / (499 - 17 / 6 - 4 / 3)))
    assert exact["bic"] == pytest.approx(-exact["df"] * np.log(500))
    wrong = fit_statistics(R, L[:, :1], np.eye(1), 500)  # one factor for two
    p, m, n = 6, 1, 500
    M = np.outer(L[:, 0], L[:, 0])
    np.fill_diagonal(M, 1)
    MR = np.linalg.solve(M, R)
    chi2 = (np.trace(MR) - np.linalg.slogdet(MR)[1] - p) * (n - 1 - (2 * p + 5) / 6 - 2 * m / 3)
    assert wrong["chi2"] == pytest.approx(chi2)
    assert wrong["rmsea"] == pytest.approx(np.sqrt(chi2 / (wrong["df"] * n) - 1 / (n - 1)))
    assert wrong["rmsea_low"] < wrong["rmsea"] < wrong["rmsea_high"]
    # the 90 % limits are where the observed chi² is the 95th / 5th percentile
    for lim, q in (("rmsea_low", 0.95), ("rmsea_high", 0.05)):
        ncp = wrong[lim] ** 2 * (n - 1) * wrong["df"]
        assert stats.ncx2.cdf(chi2, wrong["df"], ncp) == pytest.approx(q, abs=1e-6)
    assert wrong["tli"] < 0.95 < exact["tli"]


# ------------------------------------------------------------ the retention rule, estimator
def test_retention_evidence_per_candidate_and_reason(fitted3):
    fm = fitted3
    ret = fm.retention_
    for col in ("eigenvalue", "pa_threshold", "pa_simulated_mean", "pa_resampled_mean",
                "pa_resampled_threshold", "ekc_reference", "map", "salient", "n_minor",
                "rmsea", "rmsea_low", "rmsea_high", "tli", "bic", "chosen", "reason"):
        assert col in ret
    assert ret.attrs["pa_n_factors"] == 3 and ret.attrs["map_n_factors"] == 3
    assert ret.loc[3, "salient"] == "6/5/5" and ret.loc[3, "n_minor"] == 0
    assert ret.loc[2, "rmsea"] > ret.loc[3, "rmsea"] and ret.loc[2, "tli"] < ret.loc[3, "tli"]
    assert ret.loc[2:4, "salient"].notna().all() and ret.loc[5:, "salient"].isna().all()
    assert fm.retention_reason_ == ret.loc[fm.n_factors_, "reason"]
    d = json.loads(json.dumps(fm.to_dict()))
    assert d["retention_reason"] == fm.retention_reason_ == d["retention"]["reason"]
    assert d["retention"]["table"]["3"]["chosen"] is True
    assert set(d["fit"]) >= {"rmsea", "rmsea_low", "rmsea_high", "tli", "bic"}


def test_substance_check_drops_a_doublet_factor():
    """Two statements sharing extra variance (similar wording) make psych's PA count a
    factor; it has fewer than three salient statements, so it is not kept."""
    X, _ = make_factor_study(3, 5, 1500, seed=3, doublets=1, doublet_load=0.7, cross=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyQualityWarning)
        fm = FactorModel(random_state=0).fit(X)
    ret = fm.retention_
    assert ret.attrs["pa_n_factors"] == 4
    assert ret.loc[4, "n_minor"] == 1
    assert fm.n_factors_ == 3
    assert "minor" in fm.retention_reason_ and "so 3 factors are kept" in fm.retention_reason_
    # the same reason as code and values, for the report's languages
    code = {part["code"]: part["values"] for part in fm.retention_reason_code_}
    assert code["factor_reason_psych"]["pa"] == 4
    assert code["factor_reason_minor"] == {"start": 4, "n": 1, "m": 3, "min_items": 3, "salient": 0.25}
    # the kept solution is checked too, and the reason says it is clean
    assert code["factor_reason_solid"] == {"m": 3, "min_items": 3}
    assert "factor_reason_empty" not in code and "factor_reason_below_range" not in code


def test_short_themes_keep_their_factors():
    """Field surveys often measure a theme with 2-3 statements. A theme's own factor with
    2 salient statements is a dimension, not a doublet: with the themes given, the 6
    planted dimensions (3/3/2/3/2/2 statements; psych's PA 6, MAP 1) are kept and the
    reason says why, in both languages; without themes the substance check (fewer than
    3 statements) drops three of them, as before."""
    from planted_factors import themed_instrument

    from behaviortypes.i18n import reason_text
    from behaviortypes.report.render import Formatter, load_texts

    X, L = make_factor_study(n_factors=6, items_per_factor=[3, 3, 2, 3, 2, 2], n=1109,
                             seed=31003)
    inst, _ = themed_instrument(X, L)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyQualityWarning)
        themed = FactorModel(random_state=0).fit(X, item_themes=inst.item_themes)
        bare = FactorModel(random_state=0).fit(X)
    assert themed.retention_.attrs["pa_n_factors"] == 6
    assert themed.n_factors_ == 6 and bare.n_factors_ == 3
    assert themed.retention_.loc[6, "n_minor"] == 0 and bare.retention_.loc[6, "n_minor"] == 3
    code = {part["code"]: part["values"] for part in themed.retention_reason_code_}
    short = sorted(t for t, n in pd.Series(inst.item_themes).value_counts().items() if n == 2)
    assert code["factor_reason_theme"]["themes"] == ", ".join(short)
    assert "factor_reason_solid_others" in code and "factor_reason_minor" not in code
    # each short theme is the name of its own factor
    assert sorted(t for t in themed.factor_names_.values() if t in short) == short
    for lang, word in (("en", "belong to one theme"), ("sv", "hör alla till ett tema")):
        text = reason_text(themed.retention_reason_code_, load_texts(lang), Formatter(lang))
        assert word in text and ", ".join(short) in text


@pytest.mark.parametrize("seed, same_theme", [(19, True), (6, False)])
def test_a_doublet_is_minor_even_with_themes(seed, same_theme):
    """A doublet (two similarly worded statements) is still minor with themes given: its
    pair is of one theme that another factor measures too (seed 19: q09, q10 of T2), or
    of two themes (seed 6)."""
    from planted_factors import themed_instrument

    X, L = make_factor_study(3, 5, 1500, seed=seed, doublets=1, doublet_load=0.7, cross=0.0)
    inst, _ = themed_instrument(X, L)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyQualityWarning)
        fm = FactorModel(random_state=0).fit(X, item_themes=inst.item_themes)
        four = FactorModel(random_state=0, n_factors=4).fit(X, item_themes=inst.item_themes)
    P = four.loadings_.abs()
    main = P.idxmax(axis=1)[P.max(axis=1) >= 0.25]
    pair = main[main == main.value_counts().idxmin()].index
    assert len(pair) == 2 and (len({inst.item_themes[i] for i in pair}) == 1) == same_theme
    assert fm.retention_.attrs["pa_n_factors"] == 4 and fm.n_factors_ == 3
    assert fm.retention_.loc[4, "n_minor"] == 1



@pytest.mark.slow
def test_acquiescence_factor_removed_by_discoverys_style_decision():
    """A .30 acquiescence factor loads on every statement, so the substance check keeps it;
    FactorModel cannot tell it from content. Discovery's response-style decision (themes =
    the interview themes, with regular and reverse-worded statements) corrects it first,
    and the planted number comes back (8 of 8 planted acquiescence studies, see
    docs/choosing_factors.md; this is the first)."""
    from planted_factors import factor_suites, themed_instrument

    from behaviortypes.quality import decide_style_correction
    from behaviortypes.stages import style_corrected_keyed

    kw = factor_suites(8, seed=12)["acquiescence"][0]
    X, L = make_factor_study(**kw)
    inst, raw = themed_instrument(X, L)
    decision = decide_style_correction(raw, inst)
    assert decision.use
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyQualityWarning)
        as_given = FactorModel(random_state=0).fit(X)
        corrected = FactorModel(random_state=0).fit(style_corrected_keyed(raw, inst, decision))
    assert as_given.n_factors_ == kw["n_factors"] + 1
    assert corrected.n_factors_ == kw["n_factors"]

def test_estimator_contract_clone_params_and_seed(planted3):
    fm = FactorModel(n_factors=None, rotation="varimax", n_iter=10, random_state=5)
    assert fm.get_params()["rotation"] == "varimax"
    assert repr(fm) == "FactorModel(n_iter=10, random_state=5, rotation='varimax')"
    params = fm.get_params()
    fm.fit(planted3[0])
    assert fm.get_params() == params  # fit does not rewrite parameters
    twin = clone(fm)
    assert twin.get_params() == params and not hasattr(twin, "loadings_")
    with pytest.raises(NotFittedError):
        twin.summary()
    twin.fit(planted3[0])
    pd.testing.assert_frame_equal(twin.retention_, fm.retention_)
    pd.testing.assert_frame_equal(twin.loadings_, fm.loadings_)
    assert twin.retention_reason_ == fm.retention_reason_


def test_top_of_psych_range_when_map_exceeds_parallel_analysis(tmp_path):
    """psych's one-factor eigenvalues under-count a 6th dimension next to a strong general
    factor (PA 5); MAP says 6 and the 6-factor solution is clean, so 6 are kept."""
    make_study(tmp_path / "s", seed=1, n_respondents=500, n_customers=2000)
    survey = load_survey(tmp_path / "s")
    X = keyed_items(survey.responses.loc[screen(survey).kept_ids], survey.instrument)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyQualityWarning)
        fm = FactorModel(random_state=1).fit(X)
    a = fm.retention_.attrs
    assert a["pa_n_factors"] == 5 and a["map_n_factors"] == 6
    assert fm.n_factors_ == 6 == len(set(survey.instrument.item_themes.values()))
    assert "the top of the range is tried first" in fm.retention_reason_


def test_a_bipolar_factor_is_named_after_its_high_end():
    """User trial 9: price statements load +0.8 and speed statements -0.8 on one factor (price
    seekers are not in a hurry); types high on it care about price, yet the factor was named
    "speed" (its top statements by |loading|) and the report called a price-seeking type "the fast one"."""
    from behaviortypes.factors.efa import suggest_names

    items = ["p1", "p2", "p3", "s1", "s2", "s3", "c1", "c2", "c3"]
    loadings = pd.DataFrame({"F1": [0.78, 0.80, 0.76, -0.85, -0.84, -0.83, 0.05, 0.0, 0.1],
                             "F2": [0.0, 0.1, 0.0, 0.05, 0.0, 0.1, 0.7, 0.72, 0.69]}, index=items)
    themes = {**dict.fromkeys(["p1", "p2", "p3"], "price"), **dict.fromkeys(["s1", "s2", "s3"], "speed"),
              **dict.fromkeys(["c1", "c2", "c3"], "service")}
    assert suggest_names(loadings, themes) == {"F1": "price", "F2": "service"}
    # only the low end has themed statements: not named after them
    assert suggest_names(loadings, {**{it: "speed" for it in ["s1", "s2", "s3"]}})["F1"] == "Factor 1"


def test_a_factor_is_named_after_the_theme_with_most_of_its_loading():
    """User trial 10 (PWE, real data): F4 loads .44 on one leisure statement and .43/.35/.34 on
    three restraint statements; named after its top statement it was "leisure (part 2)"."""
    from behaviortypes.factors.efa import suggest_names

    # the trial's rotated loadings (out/loadings.csv, rounded), themes as the strategist wrote them
    loadings = pd.DataFrame(
        {"F1": [0.09, 0.03, 0.04, 0.09, 0.44, -0.03, 0.32, 0.87, -0.11, 0.81, 0.00, -0.02],
         "F2": [0.23, 0.51, -0.02, 0.04, 0.20, 0.05, 0.09, -0.03, -0.14, 0.00, 0.84, 0.79],
         "F3": [0.08, 0.00, 0.27, 0.62, -0.15, 0.07, 0.07, 0.01, 0.17, 0.06, 0.00, 0.06],
         "F4": [0.44, 0.23, 0.35, -0.02, 0.34, 0.43, 0.33, -0.05, 0.34, 0.02, 0.03, -0.10]},
        index=["p01", "p02", "p03", "p04", "p06", "p08", "p11", "p10", "p14", "p17", "p09", "p15"])
    themes = {"p01": "leisure", "p02": "leisure", "p09": "leisure", "p15": "leisure", "p03": "restraint",
              "p08": "restraint", "p14": "restraint", "p04": "meaning", "p06": "responsibility",
              "p11": "responsibility", "p10": "work", "p17": "work"}
    assert suggest_names(loadings, themes) == {"F1": "work", "F2": "leisure", "F3": "meaning", "F4": "restraint"}
    # a theme really split over two factors (three statements on each) keeps its part
    split = pd.DataFrame({"F1": [0.8, 0.7, 0.75, 0.05, 0.0, 0.1], "F2": [0.0, 0.1, 0.0, 0.7, 0.72, 0.69]},
                         index=["t1", "t2", "t3", "t4", "t5", "t6"])
    assert suggest_names(split, dict.fromkeys(split.index, "trust")) == {"F1": "trust", "F2": "trust (part 2)"}
    # one stray statement of an earlier factor's theme gives way to the factor's own theme
    stray = pd.DataFrame({"F1": [0.8, 0.7, 0.75, 0.05, 0.0, 0.1], "F2": [0.0, 0.1, 0.0, 0.7, 0.45, 0.4]},
                         index=["t1", "t2", "t3", "t4", "c1", "c2"])
    assert suggest_names(stray, {"t1": "trust", "t2": "trust", "t3": "trust", "t4": "trust", "c1": "care",
                                 "c2": "care"}) == {"F1": "trust", "F2": "care"}
