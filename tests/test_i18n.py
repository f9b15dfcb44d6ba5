"""Every word the tool writes is translated: report texts, type names, taglines, reasons."""

from __future__ import annotations

import html
import re
import string

import pandas as pd
import pytest

from behaviortypes.i18n import NAME_LANGUAGES, guess_language, lexicon_applies, reason_text, tagline, type_name
from behaviortypes.profiles import suggest_names
from behaviortypes.quality import SCREENS
from behaviortypes.report import render_report
from behaviortypes.report.render import LANGUAGES, TEMPLATES, Formatter, load_texts

from reportfixture import make_discovery_folder

# Words of the English templates that must never appear in a Swedish report.
ENGLISH = {"the", "and", "of", "on", "high", "low", "type", "types", "respondents", "share",
           "page", "run", "to", "see", "which", "this", "are", "is", "what", "they", "reasons",
           "screened", "analysed", "received", "signals", "quotes", "survey", "customer",
           "straightlining", "speeding", "attention", "random", "missing", "driven", "vs"}


def _placeholders(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_key_in_both_languages_with_the_same_placeholders():
    assert set(LANGUAGES) >= set(NAME_LANGUAGES)
    en, sv = load_texts("en"), load_texts("sv")
    assert set(en) == set(sv), {"only en": set(en) - set(sv), "only sv": set(sv) - set(en)}
    for key in en:
        assert str(en[key]).strip() and str(sv[key]).strip(), key
        assert _placeholders(str(en[key])) == _placeholders(str(sv[key])), key


def test_the_i18n_files_end_with_the_marker_for_appended_keys():
    from behaviortypes.report.render import I18N

    for lang in LANGUAGES:
        lines = (I18N / f"{lang}.yaml").read_text(encoding="utf-8").splitlines()
        assert "# --- appended by other modules below ---" in lines


def _template_text(source: str) -> str:
    """What a template prints by itself: no Jinja, no tags, no entities."""
    source = re.sub(r"\{#.*?#\}", " ", source, flags=re.S)
    source = re.sub(r"\{%.*?%\}", " ", source, flags=re.S)
    source = re.sub(r"\{\{.*?\}\}", " ", source, flags=re.S)
    source = re.sub(r"<style>.*?</style>", " ", source, flags=re.S)
    source = re.sub(r"<[^>]+>", " ", source)
    return html.unescape(source)


def test_no_literal_text_in_the_templates():
    """Every word a template prints comes from report/i18n/<lang>.yaml."""
    for tpl in TEMPLATES.glob("*.html"):
        words = re.findall(r"[^\W\d_]{2,}", _template_text(tpl.read_text(encoding="utf-8")))
        assert not words, f"{tpl.name} prints {words[:5]} outside the translations"


def test_every_text_key_the_templates_use_exists():
    en = load_texts("en")
    for tpl in TEMPLATES.glob("*.html"):
        used = set(re.findall(r"\bt\.(\w+)", tpl.read_text(encoding="utf-8")))
        assert used <= set(en), (tpl.name, used - set(en))
    assert {f"screen_{s}" for s in SCREENS} <= set(en)


@pytest.mark.parametrize("lang", NAME_LANGUAGES)
def test_every_reason_code_renders(lang):
    t = load_texts(lang)
    fmt = Formatter(lang)
    codes = [k for k in t if k.startswith(("factor_reason_", "k_reason_"))]
    values = {"m": 3, "k": 4, "n": 1, "parallel": 3, "map": 3, "model": "k_model_bic",
              "min_share": 0.123, "floor_share": 0.05, "jaccard_mean": 0.913, "jaccard_min": 0.8,
              "better": "k_better_than", "min_n": 40, "n_min": 93, "small_share": 0.05,
              "jaccard_small": 0.81, "pa": 4, "ekc": 3, "percentile": 95, "n_iter": 20,
              "start": 5, "p": 24, "min_items": 3, "salient": 0.4, "floor": 4,
              "bic_one": 20650, "bic_best": 20649, "k_best": 2, "strong": 10,
              "k_low": 5, "diff": 3.9, "themes": "price, quality",
              "k_more": 5, "k_prev": 3, "why": "k_edge_size", "n_resamples": 30,
              "k_evidence": 3, "k_top": 5, "k_min": 1, "n_new": 77, "new_share": 0.04,
              "distance": 2.73, "width": 0.89, "min_distance": 2.5, "max_width": 1.25}
    for code in codes:
        text = reason_text({"code": code, "values": values}, t, fmt)
        assert "{" not in text and code not in text
    text = reason_text([{"code": "k_reason_bic", "values": values}, {"code": "k_reason_stable", "values": values}], t, fmt)
    assert t["k_model_bic"] in text
    assert ("12,3\u00a0%" if lang == "sv" else "12.3%") in text
    assert ("0,91" if lang == "sv" else "0.91") in text
    assert reason_text({"code": "no_such_code"}, t) == "no_such_code"
    assert reason_text("parallel analysis", t) == "parallel analysis"  # an old English reason


def test_guess_language():
    assert guess_language(["Jag jämför alltid priser innan jag köper"]) == "sv"
    assert guess_language(["pris", "bekvämlighet", "inspiration"]) == "sv"
    assert guess_language(["I compare prices before every purchase"]) == "en"
    assert guess_language(["Ik vergelijk altijd de prijzen voor ik iets koop"]) == "nl"
    assert guess_language(["pris", "inspiration", "lojalitet"]) == "sv"  # -itet, not -ity
    assert guess_language(["Price focus", "planning", "screening"]) == "en"  # -ing is English
    assert guess_language(["inspiration"]) is None  # both languages write it so
    assert guess_language(["F1", "F2"]) is None
    # session 15: Hungarian theme names (ö beside é, á) made `themes` speak Swedish
    assert guess_language(["Kötelezés", "Fontosság"]) is None
    assert guess_language(["Kötelezés", "Fontosság", "Jag köper"]) == "sv"
    assert guess_language(["Senkit nem lehet kötelezni, mindenki úgy élhet."]) is None


def test_names_in_swedish_have_no_english_words():
    fm = pd.DataFrame({"F1": [1.2, -0.6, -0.7, 0.9], "F2": [-0.5, 1.1, -0.4, -0.6], "F3": [-0.2, -0.5, 1.0, -0.8]},
                      index=pd.Index([1, 2, 3, 4], name="type_id"))
    themes = {"F1": "pris", "F2": "bekvämlighet", "F3": "trädgårdsliv"}
    sv = suggest_names(fm, themes)  # guessed from the theme names
    text = " ".join(sv["name"]) + " " + " ".join(sv["tagline"])
    assert not set(re.findall(r"\w+", text.lower())) & ENGLISH, text
    assert sv.loc[1, "name"] == "Prisjägaren"
    assert sv.loc[2, "name"] == "Den snabba"
    assert sv.loc[3, "name"] == "Gruppen som ligger högt på trädgårdsliv"  # theme kept as written
    assert sv.loc[1, "tagline"].startswith("Högt på pris, lågt på")
    assert sv["name"].is_unique and sv.loc[4, "name"].startswith("Prisjägaren (")
    en = suggest_names(fm, themes, lang="en")
    assert en.loc[1, "name"] == "The bargain hunter"
    assert en.loc[3, "name"] == "The group high on trädgårdsliv"
    assert en.loc[1, "tagline"].startswith("High on pris, low on")


def test_grammar_patterns():
    assert type_name("Research depth", True, "en") == "The thorough researcher"
    assert type_name("Gardening", False, "en") == "The group low on Gardening"  # the theme's casing (CLEAN24)
    assert type_name("Home cooking", True, "en") == "The group high on Home cooking"
    assert type_name("trädgård", False, "sv") == "Gruppen som ligger lågt på trädgård"
    assert type_name("NPS", True, "sv") == "Gruppen som ligger högt på NPS"
    assert type_name("Prijs", True, "nl") == "The bargain hunter"  # no Dutch grammar yet: English
    assert tagline([], "sv") == ""
    assert tagline([("Pris", True)], "sv") == "Högt på Pris."  # the theme as written (CLEAN24)


def _study_texts(disc) -> list[str]:
    """Every text of the fixture study (statements, themes, names, quotes, CRM signals), and
    the reasons for the number of factors and types, which the library still writes in
    English (listed in the report of the change until it writes them as codes)."""
    import json

    import yaml

    from reportfixture import FACTOR_NAMES, ITEMS

    study: list[str] = []
    sol = json.loads((disc / "solution.json").read_text())
    factors = json.loads((disc / "factors.json").read_text()) if (disc / "factors.json").exists() else {}
    study += [str(sol.get("k_reason", "")), str(sol.get("factor_reason", "")),
              str((factors.get("retention") or {}).get("reason", ""))]
    types = yaml.safe_load((disc / "types.yaml").read_text())["types"]
    study += [str(t.get(k, "")) for t in types for k in ("name", "tagline", "description")]
    for csv, cols in (("quotes.csv", ["quote", "pseudonym", "theme"]), ("crm_profile.csv", ["feature"])):
        if (disc / csv).exists():
            frame = pd.read_csv(disc / csv)
            study += [str(v) for c in cols if c in frame for v in frame[c].dropna()]
            study += [str(v).replace("_", " ") for c in cols if c in frame for v in frame[c].dropna()]
    study += list(FACTOR_NAMES.values()) + [i[1] for i in ITEMS] + [i[3] for i in ITEMS]
    study += ["fixture_study", "fixture study", "Fixture study"]
    return sorted({s for s in study if s}, key=len, reverse=True)


def _english_words(text: str, study: list[str]) -> set[str]:
    for s in study:
        for variant in {s, s[:1].upper() + s[1:]}:
            text = re.sub(rf"(?<!\w){re.escape(variant)}(?!\w)", " ", text)
    return set(re.findall(r"[^\W\d_]+", text.lower())) & ENGLISH


@pytest.fixture(scope="module")
def swedish_outputs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sv")
    disc = make_discovery_folder(tmp / "disc", k=3, n=240, seed=7)
    paths = render_report(disc, out_dir=tmp / "out", lang="sv", formats=("html", "pptx"))
    return disc, paths


def test_swedish_report_has_no_english_template_words(swedish_outputs):
    """The Swedish report of a study prints no English word of its own (study text is the
    study's)."""
    disc, paths = swedish_outputs
    page = next(p for p in paths if p.suffix == ".html").read_text(encoding="utf-8")
    page = re.sub(r"<style>.*?</style>|<svg.*?</svg>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    assert "Skäl till bortsortering" in text  # the screening reasons are there to check
    found = _english_words(text, _study_texts(disc))
    assert not found, sorted(found)


def test_swedish_deck_has_no_english_template_words(swedish_outputs):
    from pptx import Presentation

    disc, paths = swedish_outputs
    deck = Presentation(str(next(p for p in paths if p.suffix == ".pptx")))
    text = " ".join(shape.text_frame.text for slide in deck.slides for shape in slide.shapes
                    if shape.has_text_frame)
    assert " mot " in text  # "5,9 mot 4,2"
    found = _english_words(text, _study_texts(disc))
    assert not found, sorted(found)


def _figure_texts(page: str) -> list[str]:
    """The texts drawn inside the report's figures (inline SVG, text kept as text)."""
    texts = []
    for svg in re.findall(r"<svg.*?</svg>", page, flags=re.S):
        texts += [html.unescape(t).strip() for t in re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)]
    return [t for t in texts if t]


def test_numbers_in_the_swedish_report_figures_are_written_the_swedish_way(swedish_outputs, tmp_path):
    disc, paths = swedish_outputs
    sv = _figure_texts(next(p for p in paths if p.suffix == ".html").read_text(encoding="utf-8"))
    en_page = render_report(disc, out_dir=tmp_path / "en", lang="en", formats=("html",))[0]
    en = _figure_texts(en_page.read_text(encoding="utf-8"))
    number = re.compile(r"^[−-]?\d+([.,]\d+)?(\u00a0?%)?$")
    sv_numbers = [t for t in sv if number.match(t)]
    en_numbers = [t for t in en if number.match(t)]
    assert sv_numbers and len(sv_numbers) == len(en_numbers)  # the same figures, the same ticks
    assert not [t for t in sv_numbers if "." in t or (t.endswith("%") and not t.endswith("\u00a0%"))]
    assert any("," in t for t in sv_numbers) and any(t.endswith("\u00a0%") for t in sv_numbers)
    assert any("." in t for t in en_numbers) and not [t for t in en_numbers if "\u00a0" in t]


# --- names from a shopping lexicon only where they fit (PISA 2009 trial, session 11) ---------

#: The PISA 2009 reading-attitude study (R likert::pisaitems): its name, statements and themes.
PISA_NAME = "PISA 2009 reading attitudes (sample 3000)"
PISA_STATEMENTS = [
    "I read only if I have to.", "Reading is one of my favorite hobbies.",
    "I like talking about books with other people.", "I find it hard to finish books.",
    "I feel happy if I receive a book as a present.", "For me, reading is a waste of time.",
    "I enjoy going to a bookstore or a library.", "I read only to get information that I need.",
    "I cannot sit still and read for more than a few minutes.",
    "I like to express my opinions about books I have read.", "I like to exchange books with my friends.",
]
PISA_THEMES = {"F1": "reading_enjoyment", "F2": "social_reading", "F3": "reading_as_waste_of_time"}
#: The PISA trial's five types (k = 5 on the full data): the readers who talk about books, the
#: keen readers, the middle, and the students who most dislike reading (low on everything).
PISA_MEANS = pd.DataFrame({"F1": [0.9, -1.3, 0.05, 1.2, -0.9], "F2": [1.4, -0.6, 0.1, 0.4, -1.5],
                           "F3": [-0.5, 1.1, 0.0, -0.6, 0.4]}, index=pd.Index([1, 2, 3, 4, 5], name="type_id"))
SHOPPING_NOUNS = {"shopper", "buyer", "hunter", "consumer", "regular", "customer", "independent",
                  "mind", "agent", "kunden", "jägaren", "stamkunden", "sociala", "självständiga",
                  "obundna", "priståliga", "målinriktade", "spontana"}


@pytest.mark.parametrize("lang", ["en", "sv"])
@pytest.mark.parametrize("lexicon", [None, False])
def test_pisa_themes_get_no_shopping_noun(lang, lexicon):
    """A study about reading is not about shopping: "social reading" made "The social
    shopper" and the students who most dislike reading "The independent mind"."""
    kwargs = {} if lexicon is None else {"lexicon": lexicon}
    names = suggest_names(PISA_MEANS, PISA_THEMES, lang=lang, **kwargs)
    words = set(re.findall(r"\w+", " ".join(names["name"]).lower()))
    assert not words & SHOPPING_NOUNS, list(names["name"])
    assert names["name"].is_unique


def test_pisa_names_are_built_from_the_themes_with_a_neutral_noun():
    en = suggest_names(PISA_MEANS, PISA_THEMES, lang="en", lexicon=False)
    sv = suggest_names(PISA_MEANS, PISA_THEMES, lang="sv", lexicon=False)
    assert en.loc[1, "name"] == "The group high on social reading"
    assert sv.loc[1, "name"] == "Gruppen som ligger högt på social reading"
    # the students who most dislike reading: the low pole said plainly, no "indifferent", no persona
    assert en.loc[5, "name"] == "The group low on social reading"
    assert sv.loc[5, "name"] == "Gruppen som ligger lågt på social reading"
    assert en.loc[2, "name"] == "The group high on reading as waste of time (low on reading enjoyment)"
    assert sv.loc[2, "name"] == "Gruppen som ligger högt på reading as waste of time (lågt på reading enjoyment)"


def test_the_study_says_whether_the_shopping_lexicon_fits():
    assert lexicon_applies(PISA_NAME, PISA_STATEMENTS) is False
    assert lexicon_applies(None, PISA_STATEMENTS) is False
    assert lexicon_applies("Demo e-commerce study", []) is True
    assert lexicon_applies(None, ["I compare prices on several sites before I order.",
                                  "I usually buy from the same few shops.", "I like new ideas."]) is True
    assert lexicon_applies(None, ["Jag jämför alltid priser innan jag köper", "Jag gillar nya idéer"]) is True
    assert lexicon_applies("Kundenkät våren 2026", []) is True
    assert lexicon_applies(None, []) is True  # nothing said: the theme words decide
    # a workplace study's "trust" is not a loyal customer's
    assert lexicon_applies("Employee engagement 2026", ["I trust my manager.", "My work is meaningful."]) is False
    assert type_name("trust", True, "en", lexicon=False) == "The group high on trust"


def test_a_lexicon_noun_needs_the_whole_theme():
    """A keyword inside a theme about something else ("social" in "social reading") does
    not make the theme the lexicon's; qualifiers such as "focus" or "proof" do not matter."""
    assert type_name("social_reading", True, "en") == "The group high on social reading"
    assert type_name("social_reading", False, "sv") == "Gruppen som ligger lågt på social reading"
    assert type_name("social_proof", True, "en") == "The social shopper"
    assert type_name("price_focus", True, "sv") == "Prisjägaren"
    assert type_name("prismedvetenhet", True, "sv") == "Prisjägaren"
    assert type_name("research_depth", False, "en") == "The gut-feel buyer"


def test_the_report_renames_a_reading_study_as_discover_named_it():
    """discover decides from the survey's instrument, the report from the one recorded in
    source.json (a dict): the same answer, so the names round-trip between languages."""
    from behaviortypes.instrument import Instrument
    from behaviortypes.profiles import names_in_language, study_lexicon

    doc = {"name": PISA_NAME, "id_column": "student_id", "scale": {"min": 1, "max": 4},
           "items": [{"id": f"Q{i}", "text": t, "reverse": False} for i, t in enumerate(PISA_STATEMENTS)]}
    assert study_lexicon(doc) is False and study_lexicon(Instrument.model_validate(doc)) is False
    assert study_lexicon(None) is True
    en = suggest_names(PISA_MEANS, PISA_THEMES, lang="en", lexicon=study_lexicon(doc))
    types = en[["name", "tagline"]].assign(suggested_name=en["name"], suggested_tagline=en["tagline"])
    sv = names_in_language(types, PISA_MEANS, PISA_THEMES, "sv", lexicon=study_lexicon(doc))
    assert sv.at[5, "name"] == "Gruppen som ligger lågt på social reading"
    back = names_in_language(sv, PISA_MEANS, PISA_THEMES, "en", lexicon=study_lexicon(doc))
    pd.testing.assert_frame_equal(back, types)
