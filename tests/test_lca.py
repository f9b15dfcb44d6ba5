"""Latent class models on the statements (behaviortypes.segments.lca).

Known answers: R poLCA 1.6.0.2 on its own example data (numbers stored in
tests/data/polca/polca_reference.json by tests/data/polca/polca_reference.R), StepMix's
categorical measurement model (the same multinomial model), and planted ordinal data.
"""

from __future__ import annotations

import json
import pickle
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import linear_sum_assignment
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score

from behaviortypes.errors import InputError
from behaviortypes.segments.lca import LatentClassModel, choose_n_classes

DATA = Path(__file__).parent / "data" / "polca"
REF = json.loads((DATA / "polca_reference.json").read_text())["models"]


def _data(name):
    return pd.read_csv(DATA / f"{name}.csv")


def _match(ours, theirs):
    """Class order of poLCA matched to ours by the item-response probabilities."""
    cost = np.array([[np.abs(ours[:, a] - theirs[:, b]).sum() for b in range(ours.shape[1])]
                     for a in range(ours.shape[1])])
    return linear_sum_assignment(cost)[1]


def _polca_probs(ref):
    """poLCA's probs as an array (items, classes, categories)."""
    return np.array([np.array(p, dtype=float).reshape(ref["k"], -1) for p in ref["probs"].values()])


@pytest.mark.parametrize("name", ["carcinoma_k1", "carcinoma_k2", "carcinoma_k3", "values_k2"])
def test_multinomial_matches_polca(name):
    ref = REF[name]
    lca = LatentClassModel(ref["k"], indicator="multinomial", n_init=10, tol=1e-12,
                           max_iter=5000, random_state=1).fit(_data(name.split("_")[0]))
    assert lca.n_parameters_ == ref["npar"]
    assert_allclose(lca.loglik_, ref["loglik"], rtol=0, atol=1e-6)
    assert_allclose(lca.bic_, ref["bic"], rtol=0, atol=1e-5)
    assert_allclose(lca.aic_, ref["aic"], rtol=0, atol=1e-5)
    theirs = _polca_probs(ref)
    order = _match(lca.item_probabilities_, theirs)
    assert_allclose(lca.item_probabilities_, theirs[:, order], atol=1e-5)
    assert_allclose(lca.weights_, np.atleast_1d(ref["shares"])[order], atol=1e-5)


@pytest.mark.slow
def test_multinomial_matches_polca_with_missing_answers():
    """poLCA's election example, 3 classes, missing answers kept (na.rm = FALSE)."""
    ref = REF["election_k3"]
    data = _data("election")
    assert data.isna().any().any()
    lca = LatentClassModel(3, indicator="multinomial", n_init=4, tol=1e-11, max_iter=5000,
                           random_state=0).fit(data)
    assert lca.n_parameters_ == ref["npar"]
    assert_allclose(lca.loglik_, ref["loglik"], rtol=0, atol=1e-5)
    theirs = _polca_probs(ref)
    order = _match(lca.item_probabilities_, theirs)
    assert_allclose(lca.item_probabilities_, theirs[:, order], atol=1e-4)
    assert_allclose(lca.weights_, np.array(ref["shares"])[order], atol=1e-4)


def test_bic_choice_matches_polca_table():
    """k = 1..3 on carcinoma: poLCA's BICs and its minimum (k = 3)."""
    from behaviortypes.errors import SurveyQualityWarning

    # poLCA's minimum is the largest k tried: said, as "at least 3" (the election trial's
    # choose_n_classes stopped at k_max = 6 silently)
    with pytest.warns(SurveyQualityWarning, match=r"lowest at the largest number of classes tried \(k_max=3\)"):
        choice = choose_n_classes(_data("carcinoma"), k_max=3, indicator="multinomial",
                                  n_init=10, tol=1e-12, max_iter=5000, random_state=0)
    assert choice.k == 3
    assert_allclose(choice.table.bic, [REF[f"carcinoma_k{k}"]["bic"] for k in (1, 2, 3)],
                    atol=1e-5)
    assert "*" in choice.summary()


def test_ordinal_equals_multinomial_on_two_categories():
    """With binary items the adjacent-category model is the multinomial one: poLCA's
    likelihood and parameter count for carcinoma, 3 classes (up to the tiny ridge that
    keeps logits finite: poLCA's solution has probabilities of 0 and 1)."""
    ref = REF["carcinoma_k3"]
    lca = LatentClassModel(3, indicator="ordinal", n_init=10, tol=1e-12, max_iter=5000,
                           random_state=1).fit(_data("carcinoma"))
    assert lca.n_parameters_ == ref["npar"]
    assert lca.loglik_ <= ref["loglik"] + 1e-9
    assert_allclose(lca.loglik_, ref["loglik"], rtol=0, atol=1e-3)
    theirs = _polca_probs(ref)
    order = _match(lca.item_probabilities_, theirs)
    assert_allclose(lca.item_probabilities_, theirs[:, order], atol=1e-3)
    assert_allclose(lca.weights_, np.array(ref["shares"])[order], atol=1e-3)


def _planted_ordinal(n=2000, seed=0, shares=(0.5, 0.3, 0.2), J=10, C=5):
    """Answers drawn from the ordinal (adjacent-category) latent class model."""
    rng = np.random.default_rng(seed)
    k = len(shares)
    tau = rng.normal(0, 0.5, size=(J, C - 1))
    beta = rng.normal(0, 1.2, size=(J, k))
    beta -= beta.mean(axis=1, keepdims=True)
    a = np.hstack([np.zeros((J, 1)), np.cumsum(tau, axis=1)])
    eta = a[:, None, :] + beta[:, :, None] * np.arange(C)
    p = np.exp(eta - eta.max(axis=2, keepdims=True))
    p /= p.sum(axis=2, keepdims=True)
    z = rng.choice(k, size=n, p=shares)
    cum = np.cumsum(p[np.arange(J)[None, :], z[:, None]], axis=2)
    x = (rng.random((n, J, 1)) > cum).sum(axis=2) + 1
    cols = [f"s{j + 1}" for j in range(J)]
    return pd.DataFrame(x.astype(float), columns=cols), z, tau, beta


def test_ordinal_recovers_planted_classes_and_parameters():
    X, z, tau, beta = _planted_ordinal()
    lca = LatentClassModel(3, indicator="ordinal", n_init=4, tol=1e-9, random_state=0).fit(X)
    assert adjusted_rand_score(z, lca.labels_) > 0.95
    assert_allclose(lca.weights_, [0.5, 0.3, 0.2], atol=0.03)
    # classes are ordered by share, as the planted ones
    assert_allclose(lca.locations_.to_numpy(), beta, atol=0.3)
    assert np.mean(np.abs(lca.locations_.to_numpy() - beta)) < 0.1
    assert np.mean(np.abs(lca.thresholds_.to_numpy() - tau)) < 0.15
    assert_allclose(lca.locations_.sum(axis=1), 0, atol=1e-9)
    # the implied item probabilities agree with the parameters reported
    t, b = lca.thresholds_.to_numpy(), lca.locations_.to_numpy()
    logit = np.log(lca.item_probabilities_[:, :, 1:] / lca.item_probabilities_[:, :, :-1])
    assert_allclose(logit, t[:, None, :] + b[:, :, None], atol=1e-8)
    assert lca.n_parameters_ == 2 + 10 * (4 + 2)


def test_ordinal_nests_in_multinomial_and_bic_prefers_it_on_ordinal_data():
    X, _, _, _ = _planted_ordinal(n=1200, seed=3)
    fits = {ind: LatentClassModel(3, indicator=ind, n_init=4, tol=1e-9, random_state=5).fit(X)
            for ind in ("ordinal", "multinomial")}
    assert fits["ordinal"].loglik_ <= fits["multinomial"].loglik_
    assert fits["ordinal"].bic_ < fits["multinomial"].bic_
    one = {ind: LatentClassModel(1, indicator=ind).fit(X).loglik_
           for ind in ("ordinal", "multinomial")}
    assert_allclose(one["ordinal"], one["multinomial"], rtol=1e-9)


def test_choose_n_classes_finds_planted_k():
    X, _, _, _ = _planted_ordinal(n=800, seed=1, J=8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # k = 3 < k_max: nothing to warn about
        choice = choose_n_classes(X, k_max=4, n_init=2, random_state=0)
    assert choice.k == 3
    assert list(choice.table.k) == [1, 2, 3, 4]
    assert choice.table.entropy.iloc[1:].between(0, 1).all()
    assert (choice.table.icl >= choice.table.bic).all()
    assert choice.table.icl[0] == choice.table.bic[0]  # one class: no entropy
    icl = choose_n_classes(X, k_max=4, n_init=2, criterion="icl", random_state=0)
    assert icl.k == 3
    assert_allclose(icl.table.bic, choice.table.bic)  # same seeds, same fits
    with pytest.raises(InputError, match="criterion must be"):
        choose_n_classes(X, criterion="aic")


def test_multinomial_matches_stepmix():
    from stepmix.stepmix import StepMix

    X, _, _, _ = _planted_ordinal(n=600, seed=2, J=6)
    sm = StepMix(n_components=3, measurement="categorical", n_init=2, max_iter=5000,
                 abs_tol=1e-10, rel_tol=0, random_state=0, verbose=0, progress_bar=0)
    codes = (X - 1).astype(int).to_numpy()
    sm.fit(codes)
    lca = LatentClassModel(3, indicator="multinomial", n_init=2, tol=1e-12, max_iter=5000,
                           random_state=0).fit(X)
    assert_allclose(lca.loglik_, sm.score(codes) * len(X), rtol=0, atol=1e-3)
    assert_allclose(lca.weights_, np.sort(sm.weights_)[::-1], atol=1e-3)


def test_weights_are_frequency_weights_and_seeds_repeat():
    X, _, _, _ = _planted_ordinal(n=300, seed=4, J=6)
    w = np.random.default_rng(0).integers(1, 4, size=len(X))
    weighted = LatentClassModel(2, n_init=3, tol=1e-10, random_state=0).fit(X, sample_weight=w)
    dup = LatentClassModel(2, n_init=3, tol=1e-10, random_state=0).fit(X.loc[X.index.repeat(w)])
    assert_allclose(weighted.loglik_ * w.sum() / len(X), dup.loglik_, rtol=1e-6)
    assert_allclose(weighted.weights_, dup.weights_, atol=1e-5)
    again = LatentClassModel(2, n_init=3, tol=1e-10, random_state=0).fit(X, sample_weight=w)
    assert again.loglik_ == weighted.loglik_
    assert_allclose(again.item_probabilities_, weighted.item_probabilities_)


def test_predict_uses_column_names_and_missing_answers():
    X, _, _, _ = _planted_ordinal(n=400, seed=6, J=6)
    lca = LatentClassModel(3, n_init=2, random_state=0).fit(X)
    proba = lca.predict_proba(X)
    assert_allclose(proba.sum(axis=1), 1)
    assert (lca.predict(X) == lca.labels_).all()
    assert_allclose(lca.predict_proba(X[X.columns[::-1]]), proba)
    gaps = X.copy()
    gaps.iloc[0, :] = np.nan  # nothing answered: the class shares
    assert_allclose(lca.predict_proba(gaps)[0], lca.weights_)
    nullable = X.astype("Int64")
    nullable.iloc[1, 2] = pd.NA  # pandas' own missing value in an integer column
    assert_allclose(lca.predict_proba(nullable)[0], proba[0])
    before = pickle.dumps(lca)
    lca.predict(gaps.iloc[:5])
    assert pickle.dumps(lca) == before  # predict leaves the model alone
    assert clone(lca).get_params() == lca.get_params()
    tidy = lca.item_probabilities()
    assert list(tidy.columns) == ["item", "class", "category", "probability"]
    assert_allclose(tidy.groupby(["item", "class"]).probability.sum(), 1)


def test_bad_answers_name_column_row_and_value():
    X = pd.DataFrame({"s1": [1, 2, 3, 4.0], "s2": [5, 2.5, 1, 1]})
    with pytest.raises(InputError, match=r"column 's2', row 2: answers must be whole.*2\.5"):
        LatentClassModel(2).fit(X)
    X = pd.DataFrame({"s1": [1, 2, 3, 4], "s2": [5, 2, 7, 1]})
    with pytest.raises(InputError, match=r"column 's2', row 3: answer outside the scale 1\.\.5.*7"):
        LatentClassModel(2, n_categories=5).fit(X)
    X = pd.DataFrame({"s1": [1, 2, 3, 4], "s2": [0, 2, 3, 1]})
    with pytest.raises(InputError, match=r"column 's2', row 1: answer outside.*value 0"):
        LatentClassModel(2).fit(X)
    X = pd.DataFrame({"s1": [1, 2, "agree", 4]})
    with pytest.raises(InputError, match=r"column 's1', row 3.*'agree'"):
        LatentClassModel(2).fit(X)
    good = pd.DataFrame({"s1": [1, 2, 3, 4], "s2": [2, 2, 3, 1]})
    with pytest.raises(InputError, match=r"n_classes=5 must be between 1 and the 4"):
        LatentClassModel(5).fit(good)
    with pytest.raises(InputError, match=r"indicator must be one of"):
        LatentClassModel(2, indicator="nominal").fit(good)
    with pytest.raises(InputError, match=r"column 'weight', row 2: survey weights"):
        LatentClassModel(2).fit(good, sample_weight=[1, -1, 1, 1])
    fitted = LatentClassModel(2, random_state=0).fit(good)
    with pytest.raises(InputError, match=r"column 's2'.*lack 1 statement"):
        fitted.predict(good[["s1"]])
    with pytest.raises(InputError, match=r"column 's1', row 1: answer outside the scale 1\.\.4"):
        fitted.predict(pd.DataFrame({"s1": [5], "s2": [1]}))
