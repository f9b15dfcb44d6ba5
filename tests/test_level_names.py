"""Types that are just high or low on everything, and the label of an unnamed factor.

User trial 7 (ECSI mobi, a satisfaction survey, k = 3): the types were above, below and
in the middle on every factor, and the shopping lexicon named them "The quality seeker"
and "The good-enough buyer" because the themes are called quality and value; type 2 is
the dissatisfied customers, not people who settle for less. A type that is above (or
below) everyone on every factor by a similar amount is a *level* type (a general
evaluation or an answer style) and is named for that. The same trial's BIG5 report in
Swedish said "högt på factor 7" and "Factor 7" in its tables: the tool's own label of an
unnamed factor follows the language.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from behaviortypes.profiles import AVERAGE_NAMES, names_in_language, suggest_names
from behaviortypes.report import build_context, load_report_data
from reportfixture import make_discovery_folder
from test_profiles import BFI_NAMES, BFI_TRIAL_MEANS, HSQ_NAMES, HSQ_TRIAL_MEANS

#: The type means (z) of trial 7 on ECSI mobi with --k 3 (out/mobi_k3/profiles.csv,
#: kind == "factor", column mean): high, low and middle on every factor.
MOBI_TRIAL_MEANS = pd.DataFrame(
    {"F1": [0.756, -0.712, -0.281], "F2": [0.822, -0.859, -0.180], "F3": [0.713, -0.812, -0.058]},
    index=pd.Index([1, 2, 3], name="type_id"))
MOBI_NAMES = {"F1": "image", "F2": "quality", "F3": "value"}

#: The demo study's type means (``behaviortypes demo``, seed 0; surveys/demo/discovery/profiles.csv)
#: and the names it has always had: shaped types keep their lexicon names.
#: What an insight team calls them (en, sv): high, low; and their taglines.
LEVEL = {"en": ("The positive raters", "The critical raters",
                "High on everything, by about the same amount.", "Low on everything, by about the same amount."),
         "sv": ("De positiva bedömarna", "De kritiska bedömarna",
                "Högt på allt, ungefär lika mycket.", "Lågt på allt, ungefär lika mycket.")}


def level_name(high: bool, lang: str) -> str:
    return LEVEL[lang][0 if high else 1]


def level_tagline(high: bool, lang: str) -> str:
    return LEVEL[lang][2 if high else 3]


DEMO_MEANS = pd.DataFrame(
    {"F1": [-1.16, 1.05, -0.00, 0.58, -0.58], "F2": [1.15, -1.19, 0.40, -0.35, -0.11],
     "F3": [-1.12, 1.22, -0.20, -0.17, 0.48], "F4": [-0.17, -0.05, -1.10, 1.52, -0.17],
     "F5": [-0.04, -0.11, 1.47, -1.21, -0.12], "F6": [-0.17, -0.23, -0.28, -0.31, 1.80]},
    index=pd.Index([1, 2, 3, 4, 5], name="type_id"))
DEMO_FACTORS = {"F1": "research_depth", "F2": "convenience", "F3": "inspiration", "F4": "price_focus",
                "F5": "loyalty", "F6": "social_proof"}


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_types_high_or_low_on_everything_are_named_for_the_level(lang):
    names = suggest_names(MOBI_TRIAL_MEANS, MOBI_NAMES, lang=lang)
    # before: "The quality seeker" / "The good-enough buyer" (Kvalitetssökaren / Den nöjsamma)
    assert names.loc[1, "name"] == level_name(True, lang)
    assert names.loc[2, "name"] == level_name(False, lang)
    assert names.loc[1, "tagline"] == level_tagline(True, lang)
    assert names.loc[2, "tagline"] == level_tagline(False, lang)
    assert names.loc[3, "name"] == AVERAGE_NAMES[lang][0]
    assert not any(w in " ".join(names["name"]) for w in ("quality", "Kvalitet", "good-enough", "nöjsam"))
    # the top factor is still recorded (the persona page's driver chart starts there)
    assert names.loc[2, "top_factor"] == "F2"


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_shaped_types_keep_their_names(lang):
    # the demo's five types and the earlier trials have profile shapes: names as before
    demo = suggest_names(DEMO_MEANS, DEMO_FACTORS, lang=lang)
    expected = {"en": ["The quick searcher (gut-feel buyer)", "The explorer", "The loyal regular",
                       "The bargain hunter", "The social shopper"],
                "sv": ["Den snabba (den spontana)", "Utforskaren", "Stamkunden", "Prisjägaren",
                       "Den sociala"]}[lang]
    assert list(demo["name"]) == expected
    for fm, themes in [(BFI_TRIAL_MEANS, BFI_NAMES), (HSQ_TRIAL_MEANS, HSQ_NAMES)]:
        names = suggest_names(fm, themes, lang=lang)
        assert not names["name"].isin([level_name(True, lang), level_name(False, lang)]).any()
    # one sign everywhere is not enough: a type far higher on one factor has a shape
    fm = pd.DataFrame({"F1": [0.5], "F2": [1.2], "F3": [0.4]}, index=pd.Index([1], name="type_id"))
    seeker = {"en": "The quality seeker", "sv": "Kvalitetssökaren"}[lang]
    assert suggest_names(fm, MOBI_NAMES, lang=lang).loc[1, "name"] == seeker
    # nor is a level on two factors: too few to show a shape
    fm = pd.DataFrame({"F1": [0.8], "F2": [0.75]}, index=pd.Index([1], name="type_id"))
    assert suggest_names(fm, MOBI_NAMES, lang=lang).loc[1, "name"] != level_name(True, lang)


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_two_positive_level_types_are_told_apart(lang):
    fm = pd.DataFrame({"F1": [0.6, 1.5, -0.8], "F2": [0.7, 1.4, -0.7], "F3": [0.55, 1.6, -0.75]},
                      index=pd.Index([1, 2, 3], name="type_id"))
    names = suggest_names(fm, MOBI_NAMES, lang=lang)
    most = {"en": "The most positive raters", "sv": "De mest positiva bedömarna"}[lang]
    assert names.loc[2, "name"] == most  # the higher of the two, not "The group highest on value"
    assert names.loc[1, "name"] == level_name(True, lang)
    assert names.loc[3, "name"] == level_name(False, lang)


def test_level_names_follow_the_language_of_the_report():
    en = suggest_names(MOBI_TRIAL_MEANS, MOBI_NAMES, lang="en")
    types = pd.DataFrame({"name": list(en["name"]), "tagline": list(en["tagline"]),
                          "suggested_name": list(en["name"]), "suggested_tagline": list(en["tagline"])},
                         index=pd.Index([1, 2, 3], name="type_id"))
    sv = names_in_language(types, MOBI_TRIAL_MEANS, MOBI_NAMES, "sv", source_lang="en")
    assert list(sv["name"]) == ["De positiva bedömarna", "De kritiska bedömarna", "Den breda mitten"]


# ----------------------------------------------------------------- the unnamed factor's label

def test_the_default_factor_label_follows_the_language():
    from behaviortypes.i18n import factor_label

    assert factor_label("F7", "Factor 7", "sv") == "Faktor 7"
    assert factor_label("F7", "Factor 7", "en") == "Factor 7"
    # the study's own theme names stay as written, also one that reads like a label
    assert factor_label("F7", "openness 2", "sv") == "openness 2"
    assert factor_label("F2", "Factor 7", "sv") == "Factor 7"
    assert factor_label("F7", "Faktor 7", "en") == "Factor 7"  # data already shown in Swedish
    big5 = {"F1": "extraversion", "F2": "openness", "F3": "Factor 3"}
    fm = pd.DataFrame({"F1": [-0.9, 0.1], "F2": [0.6, -0.2], "F3": [0.5, -1.0]},
                      index=pd.Index([1, 2], name="type_id"))
    sv = suggest_names(fm, big5, lang="sv")
    # before: "Lågt på extraversion, högt på openness, högt på factor 3." and "… lågt på factor 3"
    assert "factor" not in " ".join(sv["tagline"]).lower() + " ".join(sv["name"]).lower()
    assert "högt på faktor 3" in sv.loc[1, "tagline"]
    assert sv.loc[2, "name"] == "Gruppen som ligger lågt på faktor 3"
    en = suggest_names(fm, big5, lang="en")
    assert en.loc[2, "name"] == "The group low on factor 3"


def test_a_swedish_report_says_faktor_wherever_it_shows_an_unnamed_factor(tmp_path):
    out = make_discovery_folder(tmp_path / "disc", k=3, n=300)
    factors = json.loads((out / "factors.json").read_text(encoding="utf-8"))
    factors["factor_names"]["F4"] = "Factor 4"  # no theme among its top statements
    (out / "factors.json").write_text(json.dumps(factors), encoding="utf-8")
    (out / "cfa.json").write_text(json.dumps(
        {"n": 150, "n_factors": 4, "cfi": 0.95, "tli": 0.94, "rmsea": 0.05, "dropped_factors": ["F4"]}), encoding="utf-8")
    data = load_report_data(out)
    seen = {}
    for lang in ("en", "sv"):
        ctx = build_context(data, lang)
        # the reliability table, the CFA note, the loadings figure and the heat map
        seen[lang] = json.dumps(ctx["appendix"], ensure_ascii=False, default=str) + ctx["differences"]["factor_svg"]
    # before: "Factor 4" in the Swedish heat map, reliability table and CFA note
    assert "Factor 4" not in seen["sv"] and "Faktor 4" in seen["sv"]
    assert "Factor 4" in seen["en"] and "Faktor 4" not in seen["en"]
    # the stored ids and names are not changed
    assert json.loads((out / "factors.json").read_text(encoding="utf-8"))["factor_names"]["F4"] == "Factor 4"


# ----------------------------------------------------------------- "What they need" of a level type

def _level_folder(tmp_path):
    """A report fixture whose type 1 is higher than everyone on every factor and theme by
    about 0.8 SD (its theme ``top`` by 1.3), and type 3 lower by about as much (its theme
    ``bottom`` by 1.3): level types (session 13's "The positive raters")."""
    out = make_discovery_folder(tmp_path / "disc", k=3, n=300)
    themes, rev = load_report_data(out).item_themes, load_report_data(out).item_reverse
    named = sorted({th for th in themes.values() if th})
    assert len(named) >= 3
    top, bottom = named[0], named[1]
    prof = pd.read_csv(out / "profiles.csv")
    for tid, level, odd in ((1, 0.8, top), (3, -0.8, bottom)):
        factors = (prof["type_id"] == tid) & (prof["kind"] == "factor")
        for col in ("mean", "diff", "diff_sd"):
            prof.loc[factors, col] = level * (1 + 0.05 * (prof.index[factors] % 2))
        items = (prof["type_id"] == tid) & (prof["kind"] == "item")
        # the raw agreement moves with the level on forward statements, not against it on the
        # reverse ones (there it stays put): an answer style can be a level (trial 10: a type
        # that agrees *more* with the reverse statements holds a view and is named by it)
        sign = prof.loc[items, "key"].map(lambda k: 0.0 if rev.get(k) else 1.0)
        size = prof.loc[items, "key"].map(lambda k: 1.3 if themes.get(k) == odd else 0.8) * (1 if level > 0 else -1)
        for col in ("diff", "diff_sd"):
            prof.loc[items, col] = sign * size
    prof.to_csv(out / "profiles.csv", index=False)
    return out, top, bottom, named


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_what_a_level_type_needs_is_its_level_and_the_themes_beyond_it(tmp_path, lang):
    from behaviortypes.report.data import pretty_name

    out, top, bottom, named = _level_folder(tmp_path)
    ctx = build_context(load_report_data(out), lang)
    page = {p["id"]: p for p in ctx["personas"]}
    # before: every theme of the study was a "need" of the positive raters
    assert page[1]["needs"] == [pretty_name(top)]
    high = {"en": "Higher than others on every theme", "sv": "Högre än andra på alla teman"}[lang]
    low = {"en": "Lower than others on every theme", "sv": "Lägre än andra på alla teman"}[lang]
    assert page[1]["needs_note"].startswith(high), page[1]["needs_note"]
    # the critical raters: their level said, the theme they are lowest on beyond it listed
    assert page[3]["needs"] == [pretty_name(bottom)]
    assert page[3]["needs_note"].startswith(low), page[3]["needs_note"]
    # a type with a shape keeps its needs as before, without the note
    assert page[2]["needs_note"] == ""
    html = __import__("behaviortypes.report.render", fromlist=["render_html"]).render_html(
        load_report_data(out), lang)
    assert high in html and low in html


# --------------------------------------------------------------------------- trial 10: keyed vs raw
def _keyed_study(reverse_with_content: bool, seed: int = 3):
    """Three types on three factors of forward statements (a, b, c) and two reverse-keyed
    statements (r1, r2) outside them: type 1 lower and type 2 higher than everyone on every
    factor by about as much, type 3 with a shape. With ``reverse_with_content`` the raw
    agreement of types 1 and 2 on the reverse statements moves *against* their forward
    agreement (a view: low on work ethic, agrees that leisure matters: user trial 10); else
    with it (an answer style: type 1 disagrees with everything)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    level = {1: (2.2, 2.2, 2.2), 2: (3.8, 3.8, 3.8), 3: (3.3, 2.7, 3.0)}
    rev = {1: 4.4 if reverse_with_content else 1.8, 2: 1.6 if reverse_with_content else 4.2, 3: 3.0}
    rows, labels = [], []
    for t in (1, 2, 3):
        for _ in range(200):
            f = [m + rng.normal(0, 0.6) for m in level[t]]
            row = {f"{g}{j}": f[i] + rng.normal(0, 0.5) for i, g in enumerate("abc") for j in (1, 2, 3)}
            row |= {f"r{j}": rev[t] + rng.normal(0, 0.6) for j in (1, 2)}
            rows.append(row)
            labels.append(t)
    items = pd.DataFrame(rows).clip(1, 5).round()
    items.index = [f"R{i:04d}" for i in range(len(items))]
    scores = pd.DataFrame({f"F{i + 1}": items[[f"{g}{j}" for j in (1, 2, 3)]].mean(axis=1)
                           for i, g in enumerate("abc")})
    return items, scores, pd.Series(labels, index=items.index)


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_a_type_low_on_forward_and_high_on_reverse_statements_is_named_by_content(lang):
    from behaviortypes.profiles import answer_styles, profile_types

    reverse = {"r1": True, "r2": True}
    names3 = {"F1": "arbete", "F2": "fritid", "F3": "sparsamhet"} if lang == "sv" else \
        {"F1": "work", "F2": "leisure", "F3": "thrift"}
    for content in (True, False):
        items, scores, labels = _keyed_study(content)
        prof = profile_types(items, scores, labels, factor_names=names3, lang=lang, item_reverse=reverse)
        styles = answer_styles(prof.table, reverse)
        assert styles == {1: not content, 2: not content, 3: True}
        names = prof.names
        if content:  # views, not answer styles: named by what they are low / high on
            assert names.at[1, "name"] not in LEVEL[lang] and names.at[2, "name"] not in LEVEL[lang]
            assert names.at[1, "tagline"] != level_tagline(False, lang)
            assert names.at[2, "tagline"] != level_tagline(True, lang)
        else:  # raw agreement moves the same way on forward and reverse statements: a level
            assert names.at[1, "name"] == level_name(False, lang)
            assert names.at[2, "name"] == level_name(True, lang)
        # the same factor means without the reverse keys: a level either way, but named by
        # content, as an answer style cannot be told from a view there (user trial 11)
        before = profile_types(items, scores, labels, factor_names=names3, lang=lang).names
        assert before.at[1, "name"] == CONTENT[lang][1]
        # and the report (another language) names them as discovery did
        other = "en" if lang == "sv" else "sv"
        frame = names[["name", "tagline"]].assign(suggested_name=names["name"],
                                                  suggested_tagline=names["tagline"])
        shown = names_in_language(frame, prof.factor_means, names3, other, source_lang=lang, styles=styles)
        assert (shown.at[1, "name"] in LEVEL[other]) is (not content)


#: User trial 11 (GCBS, all statements forward-keyed): names and taglines by content.
CONTENT = {"en": ("The group high on all three themes", "The group low on all three themes",
                  "High on all three themes, by about the same amount.",
                  "Low on all three themes, by about the same amount."),
           "sv": ("Gruppen som ligger högt på alla tre teman", "Gruppen som ligger lågt på alla tre teman",
                  "Högt på alla tre teman, ungefär lika mycket.", "Lågt på alla tre teman, ungefär lika mycket.")}


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_a_level_type_without_reverse_statements_is_named_by_content(lang):
    """Trial 11: on the all-forward GCBS the strongest believers in conspiracy claims were
    "The positive raters" and the sceptics "The critical raters"; without reverse-worded
    statements the answer-style reading cannot be checked, so they are named by content."""
    from behaviortypes.profiles import answer_styles, profile_types

    names3 = {"F1": "arbete", "F2": "fritid", "F3": "sparsamhet"} if lang == "sv" else \
        {"F1": "work", "F2": "leisure", "F3": "thrift"}
    items, scores, labels = _keyed_study(False)
    items = items.drop(columns=["r1", "r2"])
    prof = profile_types(items, scores, labels, factor_names=names3, lang=lang, item_reverse={})
    assert set(answer_styles(prof.table, {}).values()) == {None}
    names = prof.names
    assert (names.at[2, "name"], names.at[1, "name"]) == CONTENT[lang][:2]
    assert (names.at[2, "tagline"], names.at[1, "tagline"]) == CONTENT[lang][2:]
    assert not names["name"].isin(LEVEL[lang][:2]).any()
    # the more extreme of two such types (trial 11's type 4 stayed "The most positive raters")
    fm = pd.DataFrame({"F1": [0.8, 0.1, -1.0, 1.5], "F2": [0.7, -0.9, -1.1, 1.3], "F3": [0.75, 0.2, -1.0, 1.4]},
                      index=pd.Index([1, 2, 3, 4], name="type_id"))
    two = suggest_names(fm, names3, lang=lang, styles=dict.fromkeys(range(1, 5)))
    most = {"en": "The group highest on all three themes", "sv": "Gruppen som ligger högst på alla tre teman"}[lang]
    assert two.at[4, "name"] == most and two.at[1, "name"] == CONTENT[lang][0]


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_what_a_level_type_needs_without_reverse_statements_says_it_cannot_tell(tmp_path, lang):
    out, top, bottom, named = _level_folder(tmp_path)
    source = json.loads((out / "source.json").read_text())
    for item in source["instrument"]["items"]:
        item["reverse"] = False
    (out / "source.json").write_text(json.dumps(source))
    page = {p["id"]: p for p in build_context(load_report_data(out), lang)["personas"]}
    note = page[3]["needs_note"]
    assert {"en": "no reverse-worded statements", "sv": "inga omvänt formulerade"}[lang] in note, note
    assert {"en": "critical view", "sv": "kritisk syn"}[lang] not in note
    assert page[3]["name"] not in LEVEL[lang]
