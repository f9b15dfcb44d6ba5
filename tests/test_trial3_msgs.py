"""Messages found wrong in user trial 3 (SAPA spi): the smallest type named in the reason
for k, the typing tool's below-target sentence, the warning on overlapping types."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from behaviortypes.errors import SurveyQualityWarning
from behaviortypes.segments import TypeFinder


def _own_shape_study(seed=4):
    """Three types each tighter on a different factor, t4 tails: the kept model is a t
    mixture with own spreads, not the shared-shape Gaussian the size floor is read on."""
    rng = np.random.default_rng(seed)
    lab = np.repeat([0, 1, 2], [500, 300, 200])
    sd = np.array([[0.45, 1.0, 0.7], [1.0, 0.45, 0.7], [0.7, 0.7, 0.45]])[lab]
    T = rng.standard_t(4, size=(1000, 3)) / np.sqrt(2)
    Z = T * sd + np.array([[-2.0, 0, 0], [2.0, 0, 0], [0, 2.5, 0]])[lab]
    return pd.DataFrame(Z, columns=["F1", "F2", "F3"])


def test_reason_names_the_kept_models_smallest_type():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyQualityWarning)
        # the own-spreads t model, an option since session 10, is the one that fits this study
        tf = TypeFinder(random_state=0, n_resamples=4, k_max=5, n_jobs=1,
                        models=("scaled", "full", "tscaled", "tspreads", "tVEV")).fit(_own_shape_study())
    assert tf.method_ != "gaussian_mixture" and tf.k_ == 3
    m = re.search(r"smallest type (\d+) respondents, ([\d.]+)% of the sample", tf.reason_)
    assert m, tf.reason_
    n_small = int(tf.labels_.value_counts().min())
    assert int(m.group(1)) == n_small
    assert float(m.group(2)) == pytest.approx(100 * n_small / len(tf.labels_), abs=0.051)
    # the reason code (the report's sentence) says the same
    code = next(c for c in tf.reason_code_ if c["code"] == "k_reason_bic")
    assert code["values"]["n_min"] == n_small
    ev = tf.evidence_.loc[3]
    assert ev["n_min_model"] == n_small


# --------------------------------------------------------------------------- finding 6
def _needed_case():
    """A planted study whose selection reaches 90 % at 8 statements while the fresh-fold
    check of 8 to 11 statements stays below it (as SAPA spi with 5 factors did)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from planted import make_planted

    from behaviortypes.deliver import statements_needed

    st = make_planted(n=400, k=3, m=3, items_per_dim=(4, 5), min_dist=2.5, flawed=0.0, seed=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return statements_needed(st.items, st.truth, target=0.9, random_state=0)


def test_below_target_sentence_says_what_was_checked_and_on_which_folds():
    from behaviortypes.deliver import needed_sentence
    from behaviortypes.report.render import Formatter, load_texts, typing_target_sentence
    from behaviortypes.stages import TypingToolResult
    from behaviortypes.lookalike import build_typing_tool

    r = _needed_case()
    assert r["n_needed"] is None and r["reach_selection"] is not None
    # the selection agreement reached the target, the fresh folds did not
    assert r["best_agreement"] >= 0.9 > r["best_fresh"]
    assert r["reach_selection"] < r["checked_up_to"] < r["n_available"]
    en = needed_sentence(r, "en")
    assert f"{r['reach_selection']} to {r['checked_up_to']} of the {r['n_available']} statements" in en
    assert f"at most {100 * r['best_fresh']:.1f}%" in en and "longer lists were not checked" in en
    assert "no number" not in en and "More than" not in en
    sv = needed_sentence(r, "sv")
    assert f"{r['reach_selection']} till {r['checked_up_to']} av de {r['n_available']}" in sv
    # discover's summary and the report say the same sentence
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from planted import make_planted

    st = make_planted(n=400, k=3, m=3, items_per_dim=(4, 5), min_dist=2.5, flawed=0.0, seed=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tool = build_typing_tool(st.items, st.truth, random_state=0)
    assert tool.agreement_ < 0.9
    res = TypingToolResult(tool=tool, needed=r)
    assert en.strip() in res.headline() and "Below the 90% target:" in res.headline()
    block = res.to_dict()
    for lang in ("en", "sv"):
        said = typing_target_sentence(block, load_texts(lang), Formatter(lang))
        assert said.endswith(needed_sentence(r, lang))


def test_below_target_sentence_of_all_statements_and_of_older_files():
    from behaviortypes.deliver import needed_sentence

    base = dict(n_needed=None, agreement_needed=None, best_agreement=0.903, n_available=14,
                checked_up_to=14, reach_selection=11, best_fresh=0.8925)
    en = needed_sentence(base, "en")
    assert "11 to all 14 statements agree for at most 89.2%" in en and "longer" not in en
    # older typing_tool.yaml: no reach_selection/best_fresh -> exactly what was checked
    old = {k: base[k] for k in ("n_needed", "agreement_needed", "best_agreement")}
    assert needed_sentence({**old, "n_available": 70, "checked_up_to": 25}, "en") == (
        " The target is not reached with up to 25 of 70 statements checked; longer lists were not checked.")
    assert "up to 25 statements checked" in needed_sentence({**old, "checked_up_to": 25}, "en")
    assert "Even all 70" in needed_sentence({**old, "n_available": 70, "checked_up_to": None}, "en")


# --------------------------------------------------------------------------- finding 15
def _two_types(dist: float, seed: int = 0) -> pd.DataFrame:
    """Two planted types of 300 respondents, ``dist`` standard deviations apart on 3 factors."""
    rng = np.random.default_rng(seed)
    mu = np.repeat([[0.0, 0.0, 0.0], [dist, 0.0, 0.0]], 300, axis=0)
    return pd.DataFrame(mu + rng.normal(size=mu.shape), columns=["F1", "F2", "F3"])


@pytest.mark.parametrize("dist, fuzzy", [(2.0, True), (6.0, False)])
def test_overlapping_types_are_warned_and_said_in_the_report(dist, fuzzy):
    from behaviortypes.report.render import Formatter, load_texts, overlap_sentence
    from behaviortypes.stages import OVERLAP_ENTROPY, type_overlap, warn_overlapping_types

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyQualityWarning)
        tf = TypeFinder(k=2, random_state=0, n_resamples=4, n_jobs=1).fit(_two_types(dist))
    o = type_overlap(tf.proba_)
    # the entropy is the one the evidence table gives at the kept k (Mplus relative entropy)
    assert o["entropy"] == pytest.approx(tf.evidence_.loc[2, "entropy"], abs=1e-9)
    # the expected share typed differently is the model's own misassignment rate: for two
    # equal unit-variance Gaussians d apart the Bayes error is Phi(-d/2)
    from scipy.stats import norm

    assert o["typed_differently"] == pytest.approx(norm.cdf(-dist / 2), abs=0.03)
    assert (o["entropy"] < OVERLAP_ENTROPY) is fuzzy
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        assert warn_overlapping_types(tf.proba_) is fuzzy
    lines = [str(w.message) for w in said if issubclass(w.category, SurveyQualityWarning)]
    assert len(lines) == (1 if fuzzy else 0)
    if fuzzy:
        assert f"entropy {o['entropy']:.2f}" in lines[0]
        assert f"about {o['typed_differently']:.0%} of respondents" in lines[0] and "\n" not in lines[0]
    ev = tf.evidence_.reset_index()
    ev["typed_differently"] = np.where(ev["k"] == 2, o["typed_differently"], np.nan)
    for lang in ("en", "sv"):
        text = overlap_sentence(ev, 2, load_texts(lang), Formatter(lang))
        assert bool(text) is fuzzy
        if fuzzy:
            assert Formatter(lang).num(o["entropy"], 2) in text
            assert Formatter(lang).pct(o["typed_differently"], 0) in text


def test_map_is_shown_with_three_significant_digits():
    from behaviortypes.report.render import Formatter

    # SAPA spi, 12-14 factors: psych's MAP 0.006089, 0.005741, 0.005779 (was "0.006" on every row)
    shown = [Formatter("en").sig(v) for v in (0.006089, 0.005741, 0.005779)]
    assert shown == ["0.00609", "0.00574", "0.00578"]
    assert Formatter("sv").sig(0.006089) == "0,00609" and Formatter("en").sig(0.1234) == "0.123"
    assert Formatter("en").sig(float("nan")) == "–" and Formatter("en").sig(12.34) == "12.3"


# --------------------------------------------------------------------------- finding 8 (cuts)
def test_overview_taglines_and_statements_wrap_rather_than_cut(tmp_path):
    import dataclasses
    import sys
    from pathlib import Path

    import yaml

    sys.path.insert(0, str(Path(__file__).parent))
    from reportfixture import make_discovery_folder

    from behaviortypes.report import load_report_data
    from behaviortypes.report.render import build_context

    disc = make_discovery_folder(tmp_path / "disc", k=4, n=400, seed=3, with_quotes=False)
    doc = yaml.safe_load((disc / "types.yaml").read_text())
    long = "Low on openness 2, high on agreeableness 2, and rather more talkative than most people in the survey"
    for t in doc["types"]:
        t["tagline"] = long
    (disc / "types.yaml").write_text(yaml.safe_dump(doc))
    data = load_report_data(disc)
    item = next(iter(data.item_texts))
    text = "Think that my moods dont change more than most peoples do, whatever the day brings"
    data = dataclasses.replace(data, item_texts={**data.item_texts, item: text})
    ctx = build_context(data, "en")
    assert [row["tagline"] for row in ctx["overview"]["table"]] == [long] * 4  # not "…"
    # every statement of the fixture is shown (fewer than 22): the long one wraps on two lines
    assert item in set(data.item_profile(list(data.types.index)).columns)
    svg = ctx["differences"]["items_svg"]
    assert "…" not in svg and "Think that my moods" in svg and "whatever the day brings" in svg


def test_below_target_sentence_never_contradicts_the_tools_own_agreement():
    """User trial (session 10): a tool of all 11 statements at 86.4% was followed by "Even
    all 11 survey statements reach only 86.0%" (the selection agreement, another estimate).
    All statements selected: no "Even all" figure; fewer: no lower figure than the tool's."""
    from behaviortypes.deliver import agreement_note, needed_sentence
    from behaviortypes.report.render import Formatter, load_texts, typing_target_sentence

    never = dict(n_needed=None, agreement_needed=None, best_agreement=0.8601, n_available=11,
                 checked_up_to=None, reach_selection=None, best_fresh=None)
    info = dict(agreement=0.8644, target=0.9, n_items=11, n_respondents=400, needed=never)
    for lang, all_of, none_of in (("en", "These are all the survey's 11 statements", "Even all"),
                                  ("sv", "Det är alla enkätens 11 påståenden", "Även alla")):
        for said in (agreement_note(info, lang),
                     typing_target_sentence({**never, "items": [f"q{i}" for i in range(11)],
                                             "agreement": 0.8644, "target": 0.9},
                                            load_texts(lang), Formatter(lang))):
            assert all_of in said and none_of not in said and "86,0" not in said and "86.0" not in said
        # fewer selected, the selection agreement lower: no lower figure for all statements
        fewer = agreement_note({**info, "n_items": 8}, lang)
        assert none_of not in fewer and "86,0" not in fewer and "86.0" not in fewer
        assert ("No number of the survey's 11 statements" if lang == "en"
                else "Inget antal av enkätens 11 påståenden") in fewer
        # fewer selected, all statements do better: the figure stays
        assert f"{none_of} 11" in agreement_note({**info, "n_items": 8, "agreement": 0.80}, lang)
    # without the tool's own numbers (older callers) the sentence is as before
    assert "Even all 11 survey statements reach only 86.0%" in needed_sentence(never, "en")


def test_a_factor_of_only_reverse_keyed_statements_is_warned_about():
    """User trial 5 (PISA 2009 reading items): the second factor was the five negatively
    worded statements. A factor whose statements are all reverse-keyed, in a survey that
    words statements both ways, may be a wording factor: warned, naming it; a factor with
    both wordings, or a survey with no reverse keying, is not."""
    from behaviortypes.stages import warn_wording_factors

    load = pd.DataFrame({"F1": [0.7, 0.6, 0.65, 0.1, 0.05, 0.5],
                         "F2": [0.1, 0.05, 0.0, 0.6, 0.7, 0.1]},
                        index=["p1", "p2", "p3", "n1", "n2", "n3"])
    with pytest.warns(SurveyQualityWarning, match=r"factor F2 holds only reverse-keyed statements \(n1, n2\)"):
        assert warn_wording_factors(load, ["n1", "n2", "n3"]) == ["F2"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert warn_wording_factors(load, ["n1", "p1"]) == []       # F2 holds n1 only of the reverse
        assert warn_wording_factors(load, []) == []                 # no reverse keying at all
