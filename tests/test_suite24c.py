"""SUITE24C: the lookalike's bootstrap of the raw base shares leaves out scikit-learn's repeated
checks (parameters, finite values) during its refits, and gives the same numbers."""

import contextlib

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin

from behaviortypes.lookalike import LookalikeModel, priors, raw_share_intervals


def _study(seed=0, n=240, n_base=600):
    rng = np.random.default_rng(seed)

    def crm(m):
        return pd.DataFrame({"age": rng.normal(45, 12, m), "purchases": rng.poisson(3, m).astype(float),
                             "region": rng.choice(["Nord", "Syd"], m)})

    x, base = crm(n), crm(n_base)
    y = np.where(x["age"] > 50, 1, 2) + 2 * (rng.random(n) < 0.3)
    x.loc[x.index[:5], "purchases"] = np.nan  # a missing value: imputed in every refit
    model = LookalikeModel(models=("logistic",), random_state=seed).fit(x, y)
    return model, x, y, base


def test_intervals_equal_the_draws_checked_every_time(monkeypatch):
    from behaviortypes.lookalike._features import prepare_features

    model, x, y, base = _study()
    xp, bp = (prepare_features(f, model.feature_schema_, model.reference_date_) for f in (x, base))
    args = dict(classes=model.type_ids_, point=[0.25] * 4, n_boot=25, random_state=3)
    fast = raw_share_intervals(model.pipeline_, xp, y, bp, **args)
    monkeypatch.setattr(priors, "_checked_once", lambda _features: contextlib.nullcontext())
    slow = raw_share_intervals(model.pipeline_, xp, y, bp, **args)
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    assert (fast["ci_high"] > fast["ci_low"]).all()


class _Spy(ClassifierMixin, BaseEstimator):
    """Records scikit-learn's configuration at each fit (a refit of the bootstrap)."""

    seen: list = []

    def fit(self, x, y, sample_weight=None):
        type(self).seen.append(sklearn.get_config())
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, x):
        return np.full((len(x), len(self.classes_)), 1 / len(self.classes_))


def test_refits_skip_the_repeated_checks_and_keep_them_for_infinite_features():
    x = pd.DataFrame({"a": np.arange(40.0)})
    y = np.tile([1, 2], 20)
    spy = _Spy().fit(x, y)
    _Spy.seen = []
    raw_share_intervals(spy, x, y, x, classes=[1, 2], point=[0.5, 0.5], n_boot=3, random_state=0)
    assert [(c["skip_parameter_validation"], c["assume_finite"]) for c in _Spy.seen] == [(True, True)] * 3
    assert not sklearn.get_config()["skip_parameter_validation"]  # restored after the draws
    _Spy.seen = []
    x.loc[3, "a"] = np.inf
    raw_share_intervals(spy, x, y, x, classes=[1, 2], point=[0.5, 0.5], n_boot=2, random_state=0)
    assert [c["assume_finite"] for c in _Spy.seen] == [False] * 2


@pytest.mark.parametrize("bad", [np.inf, -np.inf])
def test_infinite_feature_gives_what_it_gave_before(bad, monkeypatch):
    from behaviortypes.lookalike._features import prepare_features

    model, x, y, base = _study(1, n=120, n_base=100)
    xp, bp = (prepare_features(f, model.feature_schema_, model.reference_date_) for f in (x, base))
    xp.iloc[0, xp.columns.get_loc("age")] = bad
    args = dict(classes=model.type_ids_, point=[0.25] * 4, n_boot=6, random_state=0)
    fast = raw_share_intervals(model.pipeline_, xp, y, bp, **args)
    monkeypatch.setattr(priors, "_checked_once", lambda _features: contextlib.nullcontext())
    pd.testing.assert_frame_equal(fast, raw_share_intervals(model.pipeline_, xp, y, bp, **args), check_exact=True)
