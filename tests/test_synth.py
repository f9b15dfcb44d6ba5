"""Tests for the demo study generator (behaviortypes.synth)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from behaviortypes.errors import InputError
from behaviortypes.files import OUTPUTS_MARKER
from behaviortypes.instrument import instrument_from_dict, load_instrument
from behaviortypes.synth import (
    CRM_FEATURES,
    DEMO_DIMENSIONS,
    FLAWS,
    StudyConfig,
    SynthStudy,
    TypeSpec,
    demo_config,
    make_study,
    simulate_study,
)

FRAMES = ("responses", "interviews", "participants", "customers", "respondent_truth",
          "customer_truth", "participant_truth", "pii", "centroids", "loadings")


@pytest.fixture(scope="module")
def study() -> SynthStudy:
    return simulate_study(demo_config(n_customers=20_000))


def _item_ids(study: SynthStudy) -> list[str]:
    return [it["id"] for it in study.instrument["items"]]


def _keyed_good(study: SynthStudy) -> tuple[pd.DataFrame, pd.Series]:
    good = study.respondent_truth["flaw"].eq("none").to_numpy()
    items = study.responses.loc[good, _item_ids(study)].astype(float)
    rev = [it["id"] for it in study.instrument["items"] if it["reverse"]]
    items[rev] = 6 - items[rev]
    return items, study.respondent_truth.loc[good, "type"]


def _crm_matrix(study: SynthStudy) -> pd.DataFrame:
    feats = study.customers.drop(columns="customer_id").copy()
    ref = pd.Timestamp(study.config.reference_date)
    feats["first_order_date"] = (ref - feats["first_order_date"]).dt.days
    feats = pd.get_dummies(feats, columns=["preferred_device"], dtype=float)
    return np.log1p(feats.clip(lower=0))


# ----------------------------------------------------------------------------- determinism
def test_same_seed_same_frames_different_seed_differs():
    cfg = demo_config(n_customers=3_000, n_respondents=200, n_interviews=8)
    a, b = simulate_study(cfg), simulate_study(cfg)
    for name in FRAMES:
        assert_frame_equal(getattr(a, name), getattr(b, name))
    assert a.instrument == b.instrument
    c = simulate_study(demo_config(seed=1, n_customers=3_000, n_respondents=200, n_interviews=8))
    for name in ("responses", "interviews", "customers", "respondent_truth"):
        assert not getattr(a, name).equals(getattr(c, name)), name
    assert a.instrument == c.instrument  # the questionnaire does not depend on the seed


def test_make_study_writes_identical_bytes_for_same_seed(tmp_path):
    kw = dict(seed=3, n_respondents=150, n_customers=2_000, n_interviews=6)
    make_study(tmp_path / "a", truth_dir=tmp_path / "ta", **kw)
    make_study(tmp_path / "b", truth_dir=tmp_path / "tb", **kw)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*")
                     if p.is_file() and p.name != OUTPUTS_MARKER)  # (the record of what we wrote)
    assert [str(p) for p in files_a] == [
        "customers.parquet", "instrument.yaml", "interviews/codes.csv",
        "interviews/participants.csv", "responses.csv",
    ]
    for rel in [*files_a, OUTPUTS_MARKER]:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    truth = sorted(p.name for p in (tmp_path / "ta").iterdir() if p.name != OUTPUTS_MARKER)
    assert truth == ["customers.parquet", "participants.csv", "respondents.csv", "truth.json"]
    for name in truth:
        assert (tmp_path / "ta" / name).read_bytes() == (tmp_path / "tb" / name).read_bytes()
    make_study(tmp_path / "c", **{**kw, "seed": 4})
    assert (tmp_path / "c" / "responses.csv").read_bytes() != (tmp_path / "a" / "responses.csv").read_bytes()
    assert not (tmp_path / "c" / "truth.json").exists()


# ----------------------------------------------------------------------------- files
def test_written_demo_instrument_loads_and_round_trips(tmp_path):
    study = make_study(tmp_path / "demo", n_respondents=100, n_customers=1_000,
                       truth_dir=tmp_path / "truth")
    inst = load_instrument(tmp_path / "demo" / "instrument.yaml")
    assert inst.item_ids == [f"s{i:02d}" for i in range(1, 29)]
    assert len(inst.reverse_ids) == 7
    assert set(inst.item_themes.values()) == set(DEMO_DIMENSIONS)
    assert [(c.id, c.expect) for c in inst.attention_checks] == [("attn1", 4), ("attn2", 2)]
    assert inst.scale.min == 1 and inst.scale.max == 5 and inst.scale.labels[4] == "Agree"
    assert (inst.id_column, inst.customer_id_column, inst.weight_column, inst.duration_column) == (
        "respondent_id", "customer_id", "weight", "duration_s")
    back = pd.read_csv(tmp_path / "demo" / "responses.csv", dtype={"respondent_id": str, "customer_id": str})
    assert list(back.columns) == list(study.responses.columns)
    assert_frame_equal(back[inst.item_ids], study.responses[inst.item_ids].astype(float),
                       check_dtype=False)
    assert back["customer_id"].isna().sum() == study.responses["customer_id"].isna().sum()
    customers = pd.read_parquet(tmp_path / "demo" / "customers.parquet")
    assert_frame_equal(customers, study.customers, check_dtype=False)
    truth = pd.read_csv(tmp_path / "truth" / "respondents.csv")
    assert list(truth["flaw"]) == list(study.respondent_truth["flaw"])


def test_full_demo_has_its_documented_size(tmp_path):
    """The default demo: 100,000 customers, 1,200 respondents (its speed is in bench/, not here)."""
    study = make_study(tmp_path / "demo", truth_dir=tmp_path / "truth")
    assert len(study.customers) == 100_000 and len(study.responses) == 1200


# ----------------------------------------------------------------------------- shapes
def test_shapes_columns_and_ids(study):
    r = study.responses
    items = _item_ids(study)
    assert r.shape == (1200, 6 + 28 + 2 + 3)  # + region, nps, churned_12m (profile demo)
    assert list(r.columns[-3:]) == ["region", "nps", "churned_12m"]
    assert list(r.columns[:6]) == ["respondent_id", "customer_id", "duration_s", "weight",
                                   "age_band", "country"]
    assert {"attn1", "attn2"} <= set(r.columns)
    assert r["respondent_id"].str.fullmatch(r"R\d{5}").all() and r["respondent_id"].is_unique
    linked = r["customer_id"].dropna()
    assert linked.str.fullmatch(r"C\d{6}").all() and linked.is_unique
    assert len(linked) == 840  # customer_share 0.7
    assert set(linked) <= set(study.customers["customer_id"])
    vals = r[items].stack()
    assert set(vals.unique()) == {1, 2, 3, 4, 5}
    assert r["weight"].mean() == pytest.approx(1.0, abs=1e-3)
    assert r["weight"].between(0.5, 2.0).all()
    c = study.customers
    assert c.shape[0] == 20_000 and 10 <= c.shape[1] - 1 <= 14
    assert list(c.columns) == ["customer_id", *CRM_FEATURES]
    assert c["first_order_date"].dtype.kind == "M" and c["preferred_device"].nunique() == 3
    assert study.loadings.shape == (28, 6) and list(study.loadings.index) == items
    assert (study.loadings.gt(0).sum(axis=1) == 2).sum() == 3  # three cross-loading items
    instrument_from_dict(study.instrument)


def test_respondent_truth_links_to_customer_truth(study):
    rt = study.respondent_truth.dropna(subset=["customer_id"])
    base = study.customer_truth.set_index("customer_id")["type"]
    assert (base.loc[rt["customer_id"]].to_numpy() == rt["type"].to_numpy()).all()
    assert set(study.respondent_truth["flaw"]) == set(FLAWS)


# ----------------------------------------------------------------------------- flaws
def test_flaw_counts_missing_cells_and_their_signatures(study):
    rt = study.respondent_truth
    counts = rt["flaw"].value_counts()
    for flaw in FLAWS[1:]:
        assert counts[flaw] == 36  # round(0.03 * 1200)
    items = study.responses[_item_ids(study)]
    assert items.isna().to_numpy().mean() == pytest.approx(0.02, abs=0.003)
    attn = study.responses[["attn1", "attn2"]].to_numpy()
    passed = (attn == [4, 2]).all(axis=1)
    assert passed[rt["flaw"].eq("none")].all()
    assert not passed[rt["flaw"].eq("attention")].any()
    sl = items[rt["flaw"].eq("straightliner").to_numpy()]
    assert (sl.nunique(axis=1) == 1).all()
    dur = study.responses["duration_s"]
    median = dur[rt["flaw"].eq("none")].median()
    assert (dur[rt["flaw"].eq("speeder")] < median / 2).mean() > 0.9
    assert (dur[rt["flaw"].eq("none")] < median / 3).mean() < 0.02


def test_flaw_rates_are_configurable():
    s = simulate_study(demo_config(n_customers=2_000, n_respondents=400, straightliner_rate=0.1,
                                   speeder_rate=0, random_rate=0.05, attention_rate=0,
                                   missing_rate=0.1, n_attention_checks=1))
    counts = s.respondent_truth["flaw"].value_counts()
    assert counts["straightliner"] == 40 and counts["random"] == 20 and counts["none"] == 340
    assert "attn2" not in s.responses and "attn1" in s.responses
    assert s.responses[_item_ids(s)].isna().to_numpy().mean() == pytest.approx(0.1, abs=0.01)


# ----------------------------------------------------------------------------- survey vs base
def test_survey_shares_follow_response_bias(study):
    base = study.customer_truth["type"].value_counts()
    linked = study.respondent_truth.dropna(subset=["customer_id"])["type"].value_counts()
    rate = linked / base  # response rate per type in the base
    assert rate.idxmax() == "loyal_regular" and rate.idxmin() == "quick_searcher"
    assert 1.8 < rate["loyal_regular"] / rate["quick_searcher"] < 3.4  # planted 2.5
    survey = linked / linked.sum()
    assert survey["loyal_regular"] > study.population_shares["loyal_regular"] + 0.04
    assert survey["quick_searcher"] < study.population_shares["quick_searcher"] - 0.04
    assert study.customer_truth["type"].value_counts(normalize=True).reindex(
        study.population_shares.index).to_numpy() == pytest.approx(
        study.population_shares.to_numpy(), abs=0.01)


def test_no_response_bias_gives_base_shares():
    s = simulate_study(demo_config(n_customers=20_000, n_respondents=3_000, response_bias=0.0))
    linked = s.respondent_truth.dropna(subset=["customer_id"])["type"].value_counts(normalize=True)
    assert linked.reindex(s.population_shares.index).to_numpy() == pytest.approx(
        s.population_shares.to_numpy(), abs=0.03)


# ----------------------------------------------------------------------------- structure
def test_item_correlations_follow_planted_loadings(study):
    items, _ = _keyed_good(study)
    corr = items.corr().to_numpy()
    dim = study.loadings.idxmax(axis=1).to_numpy()
    same = dim[:, None] == dim[None, :]
    off = ~np.eye(len(dim), dtype=bool)
    within, between = corr[same & off], corr[~same]
    assert within.mean() > 0.4 and between.mean() < 0.15
    assert within.mean() - between.mean() > 0.35
    # every item correlates most with its own dimension's other items
    c = pd.DataFrame(corr, index=study.loadings.index, columns=study.loadings.index)
    np.fill_diagonal(c.values, np.nan)
    by_dim = c.T.groupby(dim).mean().T
    single = study.loadings.gt(0).sum(axis=1) == 1
    assert (by_dim.idxmax(axis=1)[single] == pd.Series(dim, index=c.index)[single]).all()
    # reverse-keyed items really are reversed in the raw answers
    raw = study.responses[_item_ids(study)].astype(float)
    for it in study.instrument["items"]:
        if it["reverse"]:
            mates = [i["id"] for i in study.instrument["items"]
                     if i["theme"] == it["theme"] and not i["reverse"]]
            assert raw[mates].corrwith(raw[it["id"]]).mean() < -0.3


def test_types_are_learnable_from_items(study):
    X, y = _keyed_good(study)
    X = X.fillna(X.median())
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    acc = cross_val_score(model, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0)).mean()
    assert 0.85 <= acc <= 0.99


def test_crm_features_carry_type_signal_but_not_perfectly(study):
    X, y = _crm_matrix(study), study.customer_truth["type"]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    acc = cross_val_score(model, X, y, cv=cv).mean()
    majority = y.value_counts(normalize=True).max()
    assert acc > majority + 0.25
    assert acc < 0.9


def test_crm_signal_zero_removes_the_type_signal():
    s = simulate_study(demo_config(n_customers=6_000, n_respondents=100, crm_signal=0.0))
    X, y = _crm_matrix(s), s.customer_truth["type"]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    acc = cross_val_score(model, X, y, cv=StratifiedKFold(3, shuffle=True, random_state=0)).mean()
    assert acc < y.value_counts(normalize=True).max() + 0.02


# ----------------------------------------------------------------------------- interviews
def test_interviews_are_coded_with_the_dimension_themes(study):
    iv = study.interviews
    assert list(iv.columns) == ["participant_id", "theme", "parent", "quote"]
    assert set(iv["participant_id"]) == set(study.participants["participant_id"])
    assert len(study.participants) == 20
    assert set(DEMO_DIMENSIONS) <= set(iv["theme"])
    assert set(study.participant_truth["type"]) == {t.key for t in study.config.types}
    assert iv.groupby("participant_id")["theme"].nunique().min() >= 2
    assert iv["quote"].nunique() > 0.9 * len(iv)


def test_participants_voice_their_types_salient_themes():
    s = simulate_study(demo_config(n_customers=1_000, n_respondents=100, n_interviews=200))
    coded = pd.crosstab(s.interviews["participant_id"], s.interviews["theme"]).gt(0)
    types = s.participant_truth.set_index("participant_id")["type"].reindex(coded.index)
    for t in s.config.types:
        top = max(t.centroid, key=t.centroid.get)
        assert coded.loc[types == t.key, top].mean() > coded.loc[types != t.key, top].mean() + 0.25


def test_planted_personal_data_is_listed_in_the_truth(study):
    pii = study.pii
    assert len(pii) == 4 and set(pii["kind"]) == {"name", "email", "phone"}
    for row in pii.itertuples():
        quote = study.interviews.iloc[row.row - 1]
        assert row.text in quote["quote"] and quote["participant_id"] == row.participant_id
    flagged = set(pii["row"] - 1)
    others = study.interviews["quote"].drop(index=list(flagged))
    names = "|".join(pii.loc[pii["kind"] == "name", "text"])
    assert not others.str.contains(rf"@|07700|\b(?:{names})\b").any()
    assert re.search(r"[\w.]+@example\.com", " ".join(study.interviews["quote"]))


# ----------------------------------------------------------------------------- general configs
def test_custom_study_with_generic_dimensions():
    cfg = StudyConfig(
        seed=5, n_respondents=300, n_customers=1_500, n_interviews=6,
        dimensions=("alpha", "beta", "gamma"),
        types=(TypeSpec("a", "A", 0.5, {"alpha": 1.5}), TypeSpec("b", "B", 0.3, {"beta": 1.5}),
               TypeSpec("c", "C", 0.2, {"gamma": 1.5}, response_propensity=2.0)),
        items_per_dimension=4, cross_loadings=(("alpha", "gamma"),), reverse_share=0.25,
    )
    s = simulate_study(cfg)
    inst = instrument_from_dict(s.instrument)
    assert inst.item_ids == [f"s{i:02d}" for i in range(1, 13)] and len(inst.reverse_ids) == 3
    assert set(inst.item_themes.values()) == {"alpha", "beta", "gamma"}
    assert s.centroids.loc["a", "alpha"] == 1.5 and s.centroids.loc["a", "beta"] == 0
    assert set(s.interviews["theme"]) & {"alpha", "beta", "gamma"}
    assert set(s.interviews["parent"]) <= {"behaviour", "other_concerns"}
    assert s.population_shares.sum() == pytest.approx(1.0)


def test_custom_dimensions_get_a_generic_crm_signal():
    cfg = demo_config(
        n_respondents=100, n_customers=6_000, dimensions=("alpha", "beta", "gamma"),
        types=(TypeSpec("a", "A", 0.5, {"alpha": 1.5}), TypeSpec("b", "B", 0.5, {"beta": 1.5})),
        items_per_dimension=3, cross_loadings=(),
    )
    s = simulate_study(cfg)
    X, y = _crm_matrix(s), s.customer_truth["type"]
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    acc = cross_val_score(model, X, y, cv=StratifiedKFold(3, shuffle=True, random_state=0)).mean()
    assert acc > 0.75


def test_truth_json_holds_shares_loadings_and_config(tmp_path):
    from behaviortypes.files import read_json

    study = make_study(tmp_path / "s", n_respondents=100, n_customers=1_000,
                       truth_dir=tmp_path / "t")
    truth = read_json(tmp_path / "t" / "truth.json")
    assert truth["population_shares"] == pytest.approx(
        {"quick_searcher": 0.3, "explorer": 0.25, "bargain_hunter": 0.2,
         "loyal_regular": 0.15, "social_shopper": 0.1})
    assert truth["loadings"]["s01"]["research_depth"] == study.loadings.loc["s01", "research_depth"]
    assert truth["config"]["n_respondents"] == 100 and truth["config"]["seed"] == 0
    assert truth["flaw_counts"]["random"] == 3
    assert truth["crm_effects"]["discount_share"]["price_focus"] == 0.8
    assert len(truth["pii"]) == 4
    customers = pd.read_parquet(tmp_path / "t" / "customers.parquet")
    assert list(customers.columns) == ["customer_id", "type"] and len(customers) == 1_000


@pytest.mark.slow
def test_efa_and_clustering_recover_the_planted_types(study):
    import warnings

    from factor_analyzer import FactorAnalyzer
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    X, y = _keyed_good(study)
    X = X.fillna(X.median())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # factor-analyzer on scikit-learn 1.6+
        fa = FactorAnalyzer(n_factors=6, rotation="oblimin", method="minres").fit(X)
        scores = fa.transform(X)
    loadings = pd.DataFrame(fa.loadings_, index=X.columns)
    primary = loadings.abs().idxmax(axis=1)
    planted = study.loadings.idxmax(axis=1)
    # each planted dimension maps onto exactly one factor, and the mapping is one-to-one
    mapping = primary.groupby(planted).agg(lambda v: v.mode()[0])
    assert (primary == planted.map(mapping)).all() and mapping.is_unique
    labels = KMeans(5, n_init=10, random_state=0).fit_predict(StandardScaler().fit_transform(scores))
    assert adjusted_rand_score(y, labels) > 0.75


def test_separation_scales_centroids():
    s = simulate_study(demo_config(n_customers=2_000, n_respondents=100, separation=0.5))
    assert s.centroids.loc["loyal_regular", "loyalty"] == pytest.approx(0.7)


# ----------------------------------------------------------------------------- user errors
@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"n_respondnets": 10}, r"unknown study setting n_respondnets.*Hint: use one of"),
        ({"n_customers": 100}, r"840 respondents should be customers but the base has only 100"),
        ({"straightliner_rate": 0.5, "random_rate": 0.5}, r"flaw rates must be >= 0 and sum"),
        ({"customer_share": 1.5}, r"customer_share must be between 0 and 1"),
        ({"missing_rate": -0.1}, r"missing_rate must be between 0 and 1"),
        ({"n_attention_checks": 3}, r"n_attention_checks must be 0, 1 or 2"),
        ({"items_per_dimension": (5, 5)}, r"items_per_dimension needs one count"),
        ({"cross_loadings": (("loyalty", "loyalty"),)}, r"cross_loadings pair names two different"),
        ({"crm_effects": {"visits": {"loyalty": 1.0}}}, r"unknown CRM feature .*crm_effects\['visits'\]"),
        ({"types": (TypeSpec("a", "A", 1.0, {"speed": 1.0}), TypeSpec("b", "B", 1.0, {}))},
         r"type 'a' has a centroid on unknown dimension 'speed'"),
        ({"types": (TypeSpec("a", "A", 0.0, {}), TypeSpec("b", "B", 1.0, {}))},
         r"type 'a' needs a positive share"),
        ({"types": (TypeSpec("a", "A", 1.0, {}),)}, r"at least two types are needed"),
        ({"n_respondents": 5}, r"n_respondents must be at least 10"),
    ],
)
def test_bad_settings_raise_input_error(overrides, match):
    with pytest.raises(InputError, match=match):
        simulate_study(demo_config(**overrides))


def test_make_study_rejects_unknown_setting(tmp_path):
    with pytest.raises(InputError, match=r"unknown study setting colour"):
        make_study(tmp_path / "x", colour="red")
    assert not (tmp_path / "x").exists()
