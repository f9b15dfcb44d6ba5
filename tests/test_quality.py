"""Tests for behaviortypes.quality: metrics on known answers and planted flawed respondents."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from numpy.testing import assert_allclose
from scipy import stats

from behaviortypes.errors import InputError
from behaviortypes.files import OUTPUTS_MARKER
from behaviortypes.instrument import QualitySettings, instrument_from_dict
from behaviortypes.quality import (
    MARKED_ACQUIESCENCE,
    SCREENS,
    STYLE_COLUMNS,
    ScreeningResult,
    correct_response_styles,
    decide_style_correction,
    even_odd,
    irv,
    marked_extreme_share,
    longstring,
    mahalanobis_pvalues,
    response_styles,
    same_share,
    screen,
    screen_responses,
)


def planted(seed=0, *, n_good=1000, n_factors=4, per=6, n_straight=40, n_random=40,
            n_speed=30, loading=0.7, k_types=3, scale=5, reverse_share=0.3,
            missing_rate=0.0, checks=False):
    """Factor-structured Likert answers from planted types, plus planted flawed respondents.

    Straightliners: half give one answer throughout, half the same answer with two items
    one point off. Random responders: uniform answers. Speeders: below a third of the
    median duration, answering at random or with one answer throughout.
    """
    rng = np.random.default_rng(seed)
    p = n_factors * per
    centres = rng.normal(0, 1.0, (k_types, n_factors))
    f = centres[rng.integers(0, k_types, n_good)] + rng.normal(0, 0.8, (n_good, n_factors))
    f = (f - f.mean(0)) / f.std(0)
    lam = np.zeros((p, n_factors))
    for j in range(p):
        lam[j, j // per] = rng.uniform(loading - 0.15, loading + 0.15)
        if rng.random() < 0.2:
            lam[j, rng.integers(n_factors)] += rng.uniform(-0.3, 0.3)
    uniq = np.sqrt(np.clip(1 - (lam**2).sum(1), 0.1, None))
    y = f @ lam.T + rng.normal(0, 1, (n_good, p)) * uniq
    rev = rng.random(p) < reverse_share
    y[:, rev] *= -1
    shift = rng.normal(0, 0.4, p)
    cuts = np.linspace(-1.5, 1.5, scale - 1)
    x = 1.0 + (y[:, :, None] > (cuts[None, None, :] + shift[None, :, None])).sum(2)
    if missing_rate:
        x[rng.random(x.shape) < missing_rate] = np.nan
    straight = np.repeat(rng.integers(1, scale + 1, n_straight)[:, None], p, 1).astype(float)
    for i in range(n_straight // 2, n_straight):
        idx = rng.choice(p, 2, replace=False)
        straight[i, idx] = np.clip(straight[i, idx] + rng.choice([-1, 1], 2), 1, scale)
    random_ = rng.integers(1, scale + 1, (n_random, p)).astype(float)
    speed = np.where(rng.random((n_speed, 1)) < 0.5, rng.integers(1, scale + 1, (n_speed, p)),
                     np.repeat(rng.integers(1, scale + 1, n_speed)[:, None], p, 1)).astype(float)
    X = np.vstack([x, straight, random_, speed])
    kind = np.array(["good"] * n_good + ["straight"] * n_straight + ["random"] * n_random
                    + ["speeder"] * n_speed)
    n = len(X)
    duration = rng.lognormal(np.log(600), 0.35, n)
    median = np.median(duration)
    duration[kind == "speeder"] = median * rng.uniform(0.05, 0.3, n_speed)
    ids = pd.Index([f"r{i:05d}" for i in range(n)], name="respondent_id")
    items = [f"s{j + 1:02d}" for j in range(p)]
    frame = pd.DataFrame(X, columns=items, index=ids)
    frame["duration"] = duration
    spec = {"id_column": "id", "scale": {"min": 1, "max": scale}, "duration_column": "duration",
            "items": [{"id": it, "text": f"statement {it}", "reverse": bool(r),
                       "theme": f"T{j // per + 1}"} for j, (it, r) in enumerate(zip(items, rev))]}
    if checks:
        frame["att1"] = np.where(kind == "random", rng.integers(1, scale + 1, n), 2).astype(float)
        spec["attention_checks"] = [{"id": "att1", "expect": 2}]
    order = rng.permutation(n)
    frame = frame.iloc[order]
    return frame, instrument_from_dict(spec), pd.Series(kind[order], index=frame.index)


def _rates(result: ScreeningResult, kind: pd.Series) -> pd.Series:
    return (~result.table["kept"]).groupby(kind).mean()


# ------------------------------------------------------------------ metrics, known answers
def test_longstring_irv_same_share_known_answers():
    items = pd.DataFrame(
        [[1, 1, 1, 2, 2], [3, 3, 3, 3, 3], [1, 2, 1, 2, 1], [4, np.nan, 4, 4, 5],
         [np.nan] * 5],
        index=list("abcde"), columns=list("vwxyz"), dtype=float)
    assert_allclose(longstring(items).to_numpy(), [3 / 5, 1.0, 1 / 5, 2 / 4, np.nan])
    assert_allclose(same_share(items).to_numpy(), [3 / 5, 1.0, 3 / 5, 3 / 4, np.nan])
    expected_irv = [np.std([1, 1, 1, 2, 2]), 0.0, np.std([1, 2, 1, 2, 1]), np.std([4, 4, 4, 5]),
                    np.nan]
    assert_allclose(irv(items).to_numpy(), expected_irv)
    assert list(longstring(items).index) == list("abcde")


def test_even_odd_known_answers():
    themes = {f"T{t}": [f"T{t}_{i}" for i in range(4)] for t in range(4)}
    cols = [c for ids in themes.values() for c in ids]
    consistent = [1, 1, 1, 1, 3, 3, 3, 3, 5, 5, 5, 5, 2, 2, 2, 2]
    # odd halves rise where even halves fall: r = -1 -> corrected -1
    opposed = [1, 5, 1, 5, 2, 4, 2, 4, 4, 2, 4, 2, 5, 1, 5, 1]
    flat = [3] * 16
    items = pd.DataFrame([consistent, opposed, flat], columns=cols, dtype=float)
    eo = even_odd(items, themes)
    assert_allclose(eo.iloc[:2].to_numpy(), [1.0, -1.0])
    assert np.isnan(eo.iloc[2])
    assert even_odd(items, {"T0": themes["T0"]}).isna().all()  # fewer than three scales


def test_mahalanobis_pvalues_uniform_for_gaussian_and_finds_outlier():
    rng = np.random.default_rng(3)
    cov = 0.5 * np.ones((8, 8)) + 0.5 * np.eye(8)
    x = rng.multivariate_normal(np.zeros(8), cov, size=3000)
    x[0] = [3, -3, 3, -3, 3, -3, 3, -3]  # typical size per item, impossible pattern
    frame = pd.DataFrame(x, columns=[f"i{j}" for j in range(8)])
    out = mahalanobis_pvalues(frame, alpha=0.001)
    assert out["mahalanobis_p"].iloc[0] < 1e-10
    p = out["mahalanobis_p"].iloc[1:]
    assert stats.kstest(p, "uniform").pvalue > 0.001
    assert_allclose((p < 0.01).mean(), 0.01, atol=0.006)
    assert out.attrs["dof"] == 7  # one eigenvalue of the correlation matrix above 1


# ------------------------------------------------------------------ planted flaws
@pytest.mark.parametrize("seed", [0, 1])
def test_planted_flaws_caught_good_kept(seed):
    frame, inst, kind = planted(seed)
    result = screen_responses(frame, inst)
    rates = _rates(result, kind)
    assert rates["good"] <= 0.03
    assert rates["straight"] >= 0.9
    assert rates["random"] >= 0.9
    assert rates["speeder"] >= 0.9
    flags = result.flags.groupby(kind).mean()
    assert flags.loc["straight", "straightlining"] == 1.0
    assert flags.loc["speeder", "speeding"] == 1.0
    assert flags.loc["random", "random"] >= 0.9


@pytest.mark.slow
@pytest.mark.parametrize("settings", [
    {}, {"n_factors": 5, "per": 5}, {"scale": 7}, {"missing_rate": 0.03},
    {"n_factors": 6, "per": 6, "k_types": 5}, {"loading": 0.85},
])
def test_planted_flaws_many_seeds(settings):
    rates = pd.DataFrame([_rates(screen_responses(*planted(seed, **settings)[:2]),
                                 planted(seed, **settings)[2]) for seed in range(2, 8)])
    assert rates["good"].max() <= 0.03
    assert rates["straight"].min() >= 0.9
    assert rates["random"].mean() >= 0.9
    assert rates["speeder"].min() >= 0.9


def test_reasons_name_each_screen_and_values():
    frame, inst, kind = planted(0, n_good=300, checks=True)
    frame.iloc[0, : len(inst.item_ids) // 2] = np.nan  # half the items missing
    result = screen_responses(frame, inst)
    table = result.table
    assert table.index.name == "respondent_id"
    assert list(table.columns[:2]) == ["kept", "reasons"]
    for col in ("longstring", "same_share", "irv", "duration_ratio", "failed_checks",
                "missing_share", "mahalanobis_p", "even_odd"):
        assert col in table.columns
    assert (table.loc[table["kept"], "reasons"] == "").all()
    assert (table.loc[~table["kept"], "reasons"] != "").all()
    first = table.iloc[0]
    assert "missing: 50% of items unanswered (> 20%)" in first["reasons"]
    speeders = table[kind == "speeder"]
    assert speeders["reasons"].str.contains(r"speeding: \d+ s, 0\.\d\d of the median").all()
    assert (table.loc[kind == "random", "failed_checks"] > 0).any()
    failed = table[table["failed_checks"] > 0]
    assert failed["reasons"].str.contains("attention: failed 1 of 1 attention check").all()
    assert (table.loc[kind == "good", "failed_checks"] == 0).all()
    summary = result.to_frame()
    assert list(summary.index) == [*SCREENS, "any", "kept", "acquiescent_kept", "disacquiescent_kept",
                                    "extreme_kept"]
    assert list(summary["drops"]) == [True] * (len(SCREENS) + 1) + [False] * 4
    assert summary.loc["kept", "count"] == result.n_kept == len(result.kept_ids)
    assert summary.loc["any", "count"] + summary.loc["kept", "count"] == len(frame)
    assert_allclose(summary["share"], summary["count"] / len(frame))
    text = result.summary()  # for people: always text, one line per screen that flagged anyone
    assert isinstance(text, str)
    assert text.splitlines()[0] == f"Screening: {result.n_kept} of {len(frame)} respondents kept"
    for reason in SCREENS:
        count = int(summary.loc[reason, "count"])
        assert (f"  - {reason}: {count} (" in text) is (count > 0)
    assert summary.loc["attention", "count"] == (table["failed_checks"] > 0).sum()


def test_thresholds_from_settings_and_enabled():
    frame, inst, kind = planted(1, n_good=300)
    default = screen_responses(frame, inst)
    only_speed = screen_responses(frame, inst, {"enabled": ["speeding"]})
    assert set(only_speed.table.index[~only_speed.table["kept"]]) == set(
        frame.index[frame["duration"] / frame["duration"].median() < 1 / 3])
    assert only_speed.flags[["straightlining", "random", "missing"]].sum().sum() == 0
    stricter = screen_responses(frame, inst, QualitySettings(speed_ratio=0.5))
    assert stricter.flags["speeding"].sum() >= default.flags["speeding"].sum()
    assert stricter.settings.speed_ratio == 0.5
    # thresholds written in instrument.yaml are used
    inst2 = instrument_from_dict({**inst.to_dict(), "quality": {"min_irv": 5.0}})
    assert screen_responses(frame, inst2).flags["straightlining"].all()


def test_even_odd_flag_when_configured():
    frame, inst, kind = planted(2, n_good=400)
    result = screen_responses(frame, inst, {"min_even_odd": 0.0, "mahalanobis_alpha": 1e-300})
    random_flag = result.flags["random"].groupby(kind).mean()
    assert random_flag["random"] > random_flag["good"]
    assert result.table["reasons"].str.contains("even-odd").any()


def test_unknown_screen_and_bad_setting():
    frame, inst, _ = planted(0, n_good=100)
    with pytest.raises(InputError, match="unknown screen.*speedy.*choose from straightlining"):
        screen_responses(frame, inst, {"enabled": ["speedy"]})
    with pytest.raises(InputError, match="bad quality settings"):
        screen_responses(frame, inst, {"speed_ratio": "fast"})


def test_screen_deterministic_and_input_untouched(tmp_path):
    frame, inst, _ = planted(4, n_good=300)
    before = frame.copy()
    survey = type("S", (), {"responses": frame, "instrument": inst})()
    a, b = screen(survey), screen(survey)
    pd.testing.assert_frame_equal(frame, before)
    pd.testing.assert_frame_equal(a.table, b.table)
    paths = a.to_files(tmp_path)
    assert [p.name for p in paths] == ["screening.csv", "screening_summary.json"]
    written = pd.read_csv(tmp_path / "screening.csv", dtype={"respondent_id": str},
                          keep_default_na=False)
    assert written.columns[0] == "respondent_id"
    assert len(written) == len(frame)
    assert list(written["respondent_id"]) == list(frame.index)
    d = a.to_dict()
    assert d["n_respondents"] == len(frame) and d["n_kept"] == a.n_kept
    assert set(d["dropped"]) == set(frame.index[~a.table["kept"]])
    # no temporary files left (the folder's record of what behaviortypes wrote stays)
    assert [p.name for p in tmp_path.glob(".*")] == [OUTPUTS_MARKER]


def test_reasons_listed_in_screen_order():
    frame, inst, kind = planted(5, n_good=300)
    rid = frame.index[kind == "speeder"][0]
    frame.loc[rid, inst.item_ids] = 3.0
    frame.loc[rid, inst.item_ids[:13]] = np.nan  # 13 of 24 missing: too much missing
    frame.loc[rid, inst.item_ids[13:]] = 3.0
    result = screen_responses(frame, inst)
    reasons = result.table.loc[rid, "reasons"].split("; ")
    # too few answers to judge straightlining
    assert [r.split(":")[0] for r in reasons] == ["speeding", "missing"]
    frame.loc[rid, inst.item_ids[:11]] = 3.0  # now 22 answered, all 3
    reasons = screen_responses(frame, inst).table.loc[rid, "reasons"].split("; ")
    assert [r.split(":")[0] for r in reasons] == ["straightlining", "speeding"]


# ----------------------------------------------------------------------------- response styles
def styled(seed=0, *, n=800, n_factors=4, per=6, acq_rate=0.0, acq_shift=0.6, ext_rate=0.0,
           ext_stretch=2.0, themes=True, points=5, spread=1.5):
    """Planted factor-structured answers (two reverse-keyed statements per theme) with a known
    acquiescence shift (added to the latent response of every statement, both poles) for a
    share of respondents, and extreme responders (latent response stretched), on a scale of
    1 to ``points`` whose inner cut-offs span ``-spread`` to ``spread`` latent SDs."""
    rng = np.random.default_rng(seed)
    p = n_factors * per
    centres = rng.normal(0, 1.0, (3, n_factors))
    f = centres[rng.integers(0, 3, n)] + rng.normal(0, 0.8, (n, n_factors))
    f = (f - f.mean(0)) / f.std(0)
    lam = np.zeros((p, n_factors))
    for j in range(p):
        lam[j, j // per] = rng.uniform(0.55, 0.85)
    y = f @ lam.T + rng.normal(0, 1, (n, p)) * np.sqrt(1 - (lam**2).sum(1))
    rev = np.zeros(p, bool)
    for t in range(n_factors):
        rev[t * per + rng.choice(per, 2, replace=False)] = True
    y[:, rev] *= -1
    acq = np.where(rng.random(n) < acq_rate, acq_shift, 0.0)
    ext = rng.random(n) < ext_rate
    y = y + acq[:, None]
    y[ext] *= ext_stretch
    cuts = np.linspace(-spread, spread, points - 1)[None, None, :] + rng.normal(0, 0.3, p)[None, :, None]
    x = 1.0 + (y[:, :, None] > cuts).sum(2)
    ids = pd.Index([f"r{i:04d}" for i in range(n)], name="respondent_id")
    items = [f"s{j + 1:02d}" for j in range(p)]
    spec = {"id_column": "id", "scale": {"min": 1, "max": points},
            "items": [{"id": it, "text": f"statement {it}", "reverse": bool(r),
                       **({"theme": f"T{j // per + 1}"} if themes else {})}
                      for j, (it, r) in enumerate(zip(items, rev))]}
    truth = pd.DataFrame({"acq": acq, "ext": ext}, index=ids)
    return (pd.DataFrame(x, columns=items, index=ids), instrument_from_dict(spec), truth,
            pd.DataFrame(f, index=ids, columns=[f"T{t + 1}" for t in range(n_factors)]))


def _auc(truth, score):
    return stats.mannwhitneyu(score[truth], score[~truth]).statistic / (truth.sum() * (~truth).sum())


def test_response_styles_known_answers():
    spec = {"id_column": "id", "scale": {"min": 1, "max": 5},
            "items": [{"id": "a", "text": "a", "reverse": False, "theme": "T1"},
                      {"id": "b", "text": "b", "reverse": True, "theme": "T1"},
                      {"id": "c", "text": "c", "reverse": False, "theme": "T2"},
                      {"id": "d", "text": "d", "reverse": False, "theme": "T2"},
                      {"id": "e", "text": "e", "reverse": True, "theme": "T2"}]}
    inst = instrument_from_dict(spec)
    x = pd.DataFrame([[5, 5, 5, 5, 5],          # agrees with everything
                      [5, 1, 5, 5, 1],          # strong views, no style
                      [3, 3, 3, 3, 3],          # midpoint throughout
                      [4, np.nan, 2, 5, 4],     # T1 has no reversed answer: left out
                      [np.nan] * 5], columns=list("abcde"), index=list("vwxyz"), dtype=float)
    st = response_styles(x, inst)
    assert list(st.columns) == list(STYLE_COLUMNS)
    # acquiescence: mean over themes of (regular dev + reversed dev) / 2
    assert_allclose(st["acquiescence"].iloc[:4], [2.0, 0.0, 0.0, (0.5 + 1) / 2])
    assert_allclose(st["ars"].iloc[:4], [2.0, 1.2, 0.0, 1.0])
    assert_allclose(st["dars"].iloc[:4], [0.0, 0.8, 0.0, 0.25])
    assert_allclose(st["ers"].iloc[:4], [1.0, 1.0, 0.0, 0.25])
    assert_allclose(st["mrs"].iloc[:4], [0.0, 0.0, 1.0, 0.0])
    assert st.loc["z"].isna().all()
    # without themes all statements are pooled; an even scale has no midpoint
    inst4 = instrument_from_dict({**spec, "scale": {"min": 1, "max": 4},
                                  "items": [{k: v for k, v in i.items() if k != "theme"}
                                            for i in spec["items"]]})
    st4 = response_styles(x.clip(upper=4), inst4)
    assert_allclose(st4.loc["v", "acquiescence"], 1.5)
    assert st4["mrs"].isna().all()


def test_planted_styles_recovered_and_shown_in_screening(tmp_path):
    frame, inst, truth, traits = styled(0, acq_rate=0.15, ext_rate=0.15)
    st = response_styles(frame, inst)
    acq_true, ext_true = truth["acq"].to_numpy() > 0, truth["ext"].to_numpy()
    assert _auc(acq_true, st["acquiescence"].to_numpy()) > 0.97
    assert _auc(ext_true, st["ers"].to_numpy()) > 0.9
    # the balanced index is free of content: it does not correlate with the themes' traits
    # among respondents without the style
    plain = ~acq_true & ~ext_true
    result = screen_responses(frame, inst)
    table = result.table
    assert_allclose(table[list(STYLE_COLUMNS)].to_numpy(), st.to_numpy())
    summary = result.to_frame()
    kept = table["kept"]
    # the two directions apart: agreeing with both poles, or disagreeing with both
    assert summary.loc["acquiescent_kept", "count"] == (
        kept & (table["acquiescence"] >= MARKED_ACQUIESCENCE * 4)).sum() > 0
    assert summary.loc["disacquiescent_kept", "count"] == (
        kept & (table["acquiescence"] <= -MARKED_ACQUIESCENCE * 4)).sum()
    assert summary.loc["extreme_kept", "count"] == (kept & (table["ers"] >= 0.6)).sum() > 0  # five points: as before
    # styles never add a reason of their own
    assert not table["reasons"].str.contains("acquiesc|extreme").any()
    result.to_files(tmp_path)
    written = pd.read_csv(tmp_path / "screening.csv", index_col="respondent_id")
    assert_allclose(written[list(STYLE_COLUMNS)].to_numpy(), st.to_numpy())
    def content(score):
        return max(abs(np.corrcoef(score[plain], traits.loc[plain, t])[0, 1]) for t in traits)
    assert content(st["acquiescence"]) < 0.2 and content(st["ars"] - st["dars"]) > 0.3


def _four_point_random(seed=0, n=1000, p=20):
    """Uniform random answers to a STAI-like study: 20 four-point statements, half reversed."""
    rng = np.random.default_rng(seed)
    items = [f"s{j + 1:02d}" for j in range(p)]
    frame = pd.DataFrame(rng.integers(1, 5, (n, p)).astype(float), columns=items,
                         index=pd.Index([f"r{i:04d}" for i in range(n)], name="respondent_id"))
    inst = instrument_from_dict({
        "id_column": "id", "scale": {"min": 1, "max": 4},
        "items": [{"id": it, "text": f"statement {it}", "reverse": j % 2 == 1, "theme": f"T{j // 5 + 1}"}
                  for j, it in enumerate(items)]})
    return frame, inst


def test_extreme_marking_follows_the_number_of_points():
    """On four points half the points are ends: uniform random answering has ers 0.5, and
    the fixed 0.6 marked a quarter of such respondents (user trial on psychTools' sai)."""
    assert_allclose([marked_extreme_share(k) for k in (4, 5, 6, 7)], [2 / 3, 0.6, 5 / 9, 11 / 21])
    assert marked_extreme_share(2) == np.inf  # every answer is an end point
    assert_allclose(marked_extreme_share([4, 4, 6, 6]), (5 / 12) + (7 / 12) / 3)  # items' own points
    frame, inst = _four_point_random()
    result = screen_responses(frame, inst)
    assert result.n_kept > 950
    summary = result.to_frame()
    # 25 % with 0.6; now as rare as random answering on five points (5.7 % on 20 statements)
    assert summary.loc["extreme_kept", "share"] < 0.08
    five = pd.DataFrame(np.random.default_rng(1).integers(1, 6, frame.shape).astype(float),
                        index=frame.index, columns=frame.columns)
    five_inst = instrument_from_dict({**inst.to_dict(), "scale": {"min": 1, "max": 5}})
    five_summary = screen_responses(five, five_inst).to_frame()
    assert abs(five_summary.loc["extreme_kept", "share"] - summary.loc["extreme_kept", "share"]) < 0.03


def test_planted_extreme_responders_marked_on_four_points():
    frame, inst, truth, _ = styled(0, n=1000, n_factors=2, per=10, ext_rate=0.1, ext_stretch=4.0,
                                   points=4, spread=1.0)
    result = screen_responses(frame, inst)
    table = result.table
    kept, ext = table["kept"].to_numpy(), truth["ext"].to_numpy()
    marked = kept & (table["ers"].to_numpy() >= marked_extreme_share(4))
    assert result.to_frame().loc["extreme_kept", "count"] == marked.sum()
    assert marked[kept & ext].mean() > 0.9  # the planted extreme responders
    assert marked[kept & ~ext].mean() < 0.025  # 5.3 % of the others with 0.6


def test_even_scale_says_midpoint_responding_is_not_measured(tmp_path):
    from behaviortypes import pipeline

    frame, inst = _four_point_random(n=300)
    result = screen_responses(frame, inst)
    assert not result.has_midpoint and result.table["mrs"].isna().all()
    note = "midpoint responding: not measured (a 4-point scale has no midpoint)"
    assert note in result.summary()
    five, five_inst, _, _ = styled(0, n=300)
    assert screen_responses(five, five_inst).has_midpoint
    assert "midpoint" not in screen_responses(five, five_inst).summary()
    # ``behaviortypes check`` prints it too
    survey = tmp_path / "survey"
    survey.mkdir()
    frame.reset_index().rename(columns={"respondent_id": "id"}).to_csv(survey / "responses.csv", index=False)
    (survey / "instrument.yaml").write_text(yaml.safe_dump(inst.to_dict()), encoding="utf-8")
    assert note in pipeline.check(survey).summary()


def test_even_scale_midpoint_sentence_in_the_report_in_both_languages(tmp_path):
    import json

    from behaviortypes.report import build_context, load_report_data
    from reportfixture import make_discovery_folder

    disc = make_discovery_folder(tmp_path / "disc", k=3, n=240, seed=7, with_lookalike=False,
                                 with_quotes=False)
    expected = {"en": "Midpoint responding (answering in the middle of the scale) is not measured: "
                      "the 1–4 scale has an even number of points and no midpoint.",
                "sv": "Mittpunktssvar (att svara i mitten av skalan) mäts inte: skalan 1–4 har ett "
                      "jämnt antal steg och ingen mittpunkt."}
    data = load_report_data(disc)
    for lang in ("en", "sv"):  # five points: nothing to say
        assert "idpunkt" not in (build_context(data, lang)["appendix"]["quality"]["styles_note"] or "")
    source = json.loads((disc / "source.json").read_text(encoding="utf-8"))
    source["instrument"]["scale"] = {"min": 1, "max": 4}
    (disc / "source.json").write_text(json.dumps(source), encoding="utf-8")
    data = load_report_data(disc)
    for lang in ("en", "sv"):
        assert expected[lang] in build_context(data, lang)["appendix"]["quality"]["styles_note"]


def test_correction_methods():
    frame, inst, truth, f = styled(1, acq_rate=0.3)
    keyed = frame.copy()
    keyed[inst.reverse_ids] = 6 - keyed[inst.reverse_ids]
    fixed = correct_response_styles(frame, inst)
    assert list(fixed.columns) == list(frame.columns)
    # subtracting the index leaves no balanced acquiescence
    raw_back = fixed.copy()
    raw_back[inst.reverse_ids] = 6 - raw_back[inst.reverse_ids]
    assert_allclose(response_styles(raw_back, inst)["acquiescence"], 0.0, atol=1e-12)
    # ... and the theme scores follow the planted traits more closely than before
    def recovery(k):
        return np.mean([np.corrcoef(k[[i.id for i in inst.items if i.theme == t]].mean(axis=1),
                                    f[t])[0, 1] for t in f.columns])
    assert recovery(fixed) > recovery(keyed) + 0.001
    centred = correct_response_styles(frame, inst, method="centre")
    raw_c = centred.copy()
    raw_c[inst.reverse_ids] = 6 - raw_c[inst.reverse_ids]
    assert_allclose(raw_c.mean(axis=1), 3.0)
    with pytest.raises(InputError, match="unknown response-style correction"):
        correct_response_styles(frame, inst, method="ipsative")
    plain = instrument_from_dict({**inst.to_dict(), "items": [
        {**i.model_dump(exclude_none=True), "reverse": False} for i in inst.items]})
    with pytest.raises(InputError, match="no reverse-keyed statements"):
        correct_response_styles(frame, plain)


@pytest.mark.parametrize("seed", [0, 1])
def test_decision_corrects_only_when_styles_are_there(seed):
    none = decide_style_correction(*styled(seed, ext_rate=0.2)[:2])
    assert not none.use
    assert none.evidence.loc["acquiescence_share", "value"] < 0.01
    acq = decide_style_correction(*styled(seed, acq_rate=0.25)[:2])
    assert acq.use, acq.reason
    ev = acq.evidence["value"]
    assert ev["acquiescence_share"] > 0.03 and ev["split_half_p"] < 1e-6
    assert abs(ev["key_gap_after"]) < abs(ev["key_gap_before"])
    block = acq.to_dict()
    assert block["corrected"] and block["method"] == "acquiescence"
    assert block["evidence"]["acquiescence_share"] == pytest.approx(ev["acquiescence_share"])
    again = decide_style_correction(*styled(seed, acq_rate=0.25)[:2])
    pd.testing.assert_frame_equal(again.evidence, acq.evidence)


def test_decision_not_fooled_by_the_index_own_noise():
    """Criterion 3 is cross-fitted: an in-sample index subtracts each answer's own error,
    which pushed the keyed gap of a survey *without* styles from about 0 to -0.02..-0.07
    and made the decision decline real acquiescence as an "overshoot" (the field-like tails
    study 2: 0.055 -> -0.074; two of eight planted factor studies with minor factors,
    doublets and acquiescence: 0.046 -> -0.080, 0.062 -> -0.094). Cross-fitted, a survey
    without styles keeps its gap and those three are corrected."""
    from fieldlike import instrument, make_fieldlike
    from planted_factors import factor_suites, make_factor_study, themed_instrument

    for seed in (0, 1):
        none = decide_style_correction(*styled(seed, ext_rate=0.2)[:2]).evidence["value"]
        assert abs(none["key_gap_after"] - none["key_gap_before"]) < 0.01
    tails = make_fieldlike("tails", seed=2)
    decision = decide_style_correction(tails.raw, instrument(tails))
    assert decision.use, decision.reason
    ev = decision.evidence["value"]
    assert 0 <= ev["key_gap_after"] < ev["key_gap_before"]
    for kw in [factor_suites(8, seed=12)["all"][i] for i in (4, 7)]:
        inst, raw = themed_instrument(*make_factor_study(**kw))
        assert decide_style_correction(raw, inst).use


def test_decision_without_themes_says_why():
    frame, inst, _, _ = styled(2, acq_rate=0.3, themes=False)
    decision = decide_style_correction(frame, inst)
    assert not decision.use
    assert "cannot be told from content" in decision.reason
    assert decision.to_dict()["method"] is None


def test_random_screen_on_real_likert_data_flags_about_alpha():
    """R psych's bfi (2,800 real respondents, 25 six-point items): Likert answers are not
    normal, and a plain chi-square cut at 0.001 left out 199 (7 %). The calibrated
    reference flags a share of the order of alpha, and still finds uniform random answers
    planted into the same data when the structure lets them stand out (planted studies)."""
    from pathlib import Path

    data = pd.read_csv(Path(__file__).parent / "data" / "real" / "bfi.csv.gz")
    keys = {"A1", "C4", "C5", "E1", "E2", "O2", "O5"}
    inst = instrument_from_dict({
        "id_column": "id", "scale": {"min": 1, "max": 6},
        "items": [{"id": c, "text": c, "reverse": c in keys, "theme": c[0]} for c in data.columns]})
    result = screen_responses(data, inst)
    flagged = result.flags["random"].mean()
    assert flagged < 0.01  # alpha = 0.001: 0.5 % here; 7.1 % before the calibration
    strict = screen_responses(data, inst, {"mahalanobis_alpha": 0.01}).flags["random"].mean()
    assert flagged < strict < 0.05  # the setting still moves the cut


def _forward_only_study(folder, reverse: bool):
    """300 respondents, 6 statements on 2 themes, 40 of them answer 1 to everything."""
    import yaml as _yaml

    rng = np.random.default_rng(11)
    g = rng.normal(size=300)
    items = {f"s{j}": np.clip(np.rint(3 + g + rng.normal(size=300)), 1, 5).astype(int) for j in range(1, 7)}
    frame = pd.DataFrame(items)
    frame.iloc[:40] = 1
    if reverse:
        frame["s6"] = 6 - frame["s6"]
    frame.insert(0, "respondent_id", [f"R{i:03d}" for i in range(300)])
    folder.mkdir(parents=True)
    frame.to_csv(folder / "responses.csv", index=False)
    inst = {"name": "forward only", "id_column": "respondent_id", "scale": {"min": 1, "max": 5},
            "items": [{"id": f"s{j}", "text": f"Statement {j}", "theme": "a" if j <= 3 else "b",
                       "reverse": reverse and j == 6} for j in range(1, 7)]}
    (folder / "instrument.yaml").write_text(_yaml.safe_dump(inst), encoding="utf-8")
    return folder


@pytest.mark.parametrize("reverse", [False, True])
def test_check_says_loudly_that_straightliners_of_a_forward_only_survey_were_dropped(tmp_path, reverse):
    """User trial 11 (GCBS, all forward-keyed): 191 (15.7 %) screened out as straightliners,
    silently, though "all not true" is a real view there. Say how many, why it is doubtful
    and how to keep them; a survey with reverse-worded statements can tell, and is not told."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    study = _forward_only_study(tmp_path / "s", reverse)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    run = subprocess.run([sys.executable, "-m", "behaviortypes.cli", "check", str(study)],
                         capture_output=True, text=True, env=env, timeout=300)
    said = " ".join((run.stdout + run.stderr).split())
    assert run.returncode == 0, said
    assert ("no reverse-worded statements" in said) is (not reverse), said
    if not reverse:
        import re

        n = int(re.search(r"- straightlining: (\d+) \(", said).group(1))
        assert n >= 40 and f"straightlining: {n} respondents ({n / 300:.1%}) are screened out" in said
        assert "longstring_share: 1.01, min_irv: 0" in said
