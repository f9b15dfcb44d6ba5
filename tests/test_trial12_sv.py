"""User trial 12 (Karin, a Swedish insight strategist; session 17): what a Swedish study's
deliverables say — yes/no columns as shares, the deck's cautions, the CFA check's coverage,
masks and quotation marks, command-line mistakes in Swedish, banner sheets, the typing
tool's sentence, and the notebooks' figure words."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clirun import bt, error_line
from reportfixture import make_discovery_folder
from swedish import study as sw


# --------------------------------------------------------------------------- F5
def _crm_rows(feature: str, values: np.ndarray, types: np.ndarray) -> list[dict]:
    """crm_profile.csv rows as the lookalike writes them (diff_sd = diff / everyone's SD)."""
    overall, sd = values.mean(), values.std()
    rows = []
    for tid in np.unique(types):
        mean = values[types == tid].mean()
        rows.append({"type_id": int(tid), "feature": feature, "mean": mean, "overall": overall,
                     "diff": mean - overall, "effect_size": (mean - overall) / sd,
                     "diff_sd": (mean - overall) / sd, "kind": "numeric", "level": None,
                     "n": int((types == tid).sum()), "p_value": 0.01, "p_adjusted": 0.01, "significant": True})
    return rows


def test_a_yes_no_customer_column_is_a_share_and_a_proportion_column_stays_a_number():
    """Trial 12: churn_12m (0/1) read "0,0 mot 0,1 ▼" under "Så når du dem" while "Vilka de
    är" said "4 % mot 10 %"; andel_eko (a share between 0 and 1) is not a yes/no column."""
    from behaviortypes.report.data import yes_no_as_shares

    rng = np.random.default_rng(12)
    types = rng.integers(1, 5, 1116)
    churn = (rng.random(1116) < np.where(types == 3, 0.05, 0.11)).astype(float)
    organic = np.clip(rng.beta(2, 5, 1116) + 0.03 * (types == 1), 0, 1)
    crm = pd.DataFrame(_crm_rows("churn_12m", churn, types) + _crm_rows("andel_eko", organic, types))
    kinds = yes_no_as_shares(crm).groupby("feature")["kind"].first()
    assert kinds["churn_12m"] == "boolean" and kinds["andel_eko"] == "numeric"
    # the file as read is not changed; a file without diff_sd is left as it is
    assert set(crm["kind"]) == {"numeric"}
    assert yes_no_as_shares(crm.drop(columns="diff_sd")).equals(crm.drop(columns="diff_sd"))
    assert yes_no_as_shares(None) is None


@pytest.mark.parametrize("values, digits", [((0.311, 0.282), 2), ((0.3111, 0.3112), 3), ((7.4, 7.3), 1),
                                            ((4936.4, 4654.8), 0), ((0.3, 0.3), 1)])
def test_small_averages_that_differ_are_not_written_alike(values, digits):
    """"Andel ekologiskt 0,3 | 0,3 ▲" (trial 12): two more decimals at most, until they differ."""
    from behaviortypes.plots import amount_digits

    assert amount_digits(*values) == digits


def test_how_to_reach_them_shows_yes_no_as_percent_and_no_arrow_between_equal_texts(tmp_path):
    from behaviortypes.report import load_report_data
    from behaviortypes.report.render import build_context

    out = make_discovery_folder(tmp_path / "d", k=3, n=400)
    types = np.repeat([1, 2, 3], [150, 150, 100])
    rng = np.random.default_rng(0)
    churn = (rng.random(400) < np.where(types == 3, 0.04, 0.12)).astype(float)
    same = np.full(400, 0.3)
    same[types == 1] = 0.3004  # differs, but by less than a third decimal
    extra = pd.DataFrame(_crm_rows("churn_12m", churn, types) + _crm_rows("same_share", same, types))
    extra.to_csv(out / "crm_profile.csv", index=False)
    data = load_report_data(out)
    ctx = build_context(data, "sv")
    rows = {(p["id"], r["feature"]): r for p in ctx["personas"] for r in p["crm"]}
    churn3 = next(r for (tid, f), r in rows.items() if tid == 3 and "churn" in f.lower())
    assert churn3["mean"].endswith("\u00a0%") and churn3["overall"].endswith("\u00a0%"), churn3
    for r in rows.values():  # never an arrow between two numbers written alike
        assert r["dir"] is None or r["mean"] != r["overall"], r
    # the page says why "Vilka de är" can give the same column other numbers (BCH vs linked)
    from behaviortypes.report.render import render_html

    html = render_html(data, "sv", context=ctx)
    assert ("(BCH), de här gäller de länkade kunderna" in html) == any(p["who"] for p in ctx["personas"])


# --------------------------------------------------------------------------- F6
def test_the_deck_carries_the_reports_caution_and_speaker_notes(tmp_path):
    from pptx import Presentation

    from behaviortypes.report import load_report_data
    from behaviortypes.report.exports import export_pptx
    from behaviortypes.report.render import build_context

    out = make_discovery_folder(tmp_path / "d", k=3, n=400)
    data = load_report_data(out)
    ctx = build_context(data, "sv")
    ctx["overview"]["continuum"] = "De 3 typerna skiljer sig främst i nivå, inte i slag."
    ctx["overview"]["continuum_title"] = "Läs med försiktighet: typerna är nivåer av en dimension"
    card = dict(data.card or {}, weakness={"weak": True, "accuracy": 0.426, "majority_accuracy": 0.409})
    from dataclasses import replace

    deck = Presentation(str(export_pptx(replace(data, card=card), tmp_path / "d.pptx", context=ctx)))
    overview = deck.slides[1]
    texts = [s.text_frame.text for s in overview.shapes if s.has_text_frame]
    line = next(t for t in texts if t.startswith("Läs med försiktighet"))
    assert "nivåer av en dimension." in line and "42,6\u00a0% mot 40,9\u00a0%" in line and "p_1" in line
    notes = overview.notes_slide.notes_text_frame.text
    assert "skiljer sig främst i nivå" in notes and "bilagan" in notes and "faktablad" in notes
    for slide in list(deck.slides)[2:]:
        assert "PDF-rapporten" in slide.notes_slide.notes_text_frame.text


def test_a_deck_without_cautions_has_no_caution_line(tmp_path):
    from pptx import Presentation

    from behaviortypes.report import load_report_data
    from behaviortypes.report.exports import deck_cautions, export_pptx
    from behaviortypes.report.render import build_context

    data = load_report_data(make_discovery_folder(tmp_path / "d", k=3, n=400))
    ctx = build_context(data, "en")
    ctx["overview"]["continuum"] = ""
    assert deck_cautions(data, ctx) == []
    deck = Presentation(str(export_pptx(data, tmp_path / "d.pptx", context=ctx)))
    assert not any("Read with care" in s.text_frame.text for s in deck.slides[1].shapes if s.has_text_frame)
    assert "Where the evidence is" in deck.slides[1].notes_slide.notes_text_frame.text


# --------------------------------------------------------------------------- F7
_CFA = {"n": 558, "n_factors": 3, "cfi": 0.9377, "tli": 0.9066, "rmsea": 0.0609,
        "model": "F1 =~ p11 + p19 + p20 + p21\nF2 =~ p02 + p07\nF3 =~ p23 + p24 + p25",
        "dropped_factors": ["F4"], "note_code": ""}


def test_the_cfa_verdict_says_how_much_it_covers():
    from behaviortypes.pipeline import cfa_lines
    from behaviortypes.report.render import Formatter, cfa_sentences, load_texts

    en = cfa_sentences(_CFA, load_texts("en"), Formatter("en"), n_items=25)["fit"]
    assert "(acceptable)" in en and "covers 9 of 25 statements and 3 of 4 factors" in en
    sv = cfa_sentences(_CFA, load_texts("sv"), Formatter("sv"), n_items=25)["fit"]
    assert "omfattar 9 av 25 påståenden och 3 av 4 faktorer" in sv
    assert "omfattar 9 påståenden och 3 av 4 faktorer" in " ".join(cfa_lines(_CFA, "sv"))
    assert "9 av 25" in " ".join(cfa_lines(_CFA, "sv", n_items=25))


# --------------------------------------------------------------------------- F8
def test_masks_and_quotation_marks_follow_a_swedish_study():
    from behaviortypes.interviews import anonymise
    from behaviortypes.report.render import load_texts

    quote = "Ring mig på 070-123 45 67 om ni vill veta mer, jag heter Karin. Mejla karin@example.se"
    said = anonymise(quote, lang="sv")
    assert "[telefon]" in said and "[namn]" in said and "[e-post]" in said and "[phone]" not in said
    assert anonymise(quote) == anonymise(quote, lang="en") and "[phone]" in anonymise(quote)
    assert anonymise("Ring [phone], fråga efter [name].", lang="sv") == "Ring [telefon], fråga efter [namn]."
    assert load_texts("sv")["quoted"].format(text="Bra") == "”Bra”"
    assert load_texts("en")["quoted"].format(text="Good") == "“Good”"


def test_theme_files_of_a_swedish_study_mask_in_swedish(tmp_path):
    from behaviortypes.interviews import read_interviews, write_theme_files

    path = tmp_path / "codes.csv"
    path.write_text("deltagare;tema;citat\nK;service;Ring mig på 070-123 45 67, jag heter Karin.\n"
                    "L;pris;Jag jämför alltid priser.\nM;pris;Billigt är bra.\n", encoding="utf-8")
    write_theme_files(read_interviews(path), tmp_path / "teman", lang="sv")
    codings = (tmp_path / "teman" / "codings.csv").read_text(encoding="utf-8")
    assert "[telefon]" in codings and "[namn]" in codings and "[phone]" not in codings


@pytest.fixture(scope="module")
def swedish_study(tmp_path_factory):
    return sw.write_csv_study(tmp_path_factory.mktemp("sv") / "kundstudie", n=120)


@pytest.mark.parametrize("args, expected", [
    (("--lnag", "sv"), "fel: okänt alternativ: --lnag. Menade du --lang? (se 'behaviortypes check --help')"),
    (("--lang", "se"), "fel: ogiltigt värde för '--lang': 'se' är inte ett av 'en', 'sv'."),
    (("extra",), "fel: oväntade extra argument (extra)"),
])
def test_command_line_mistakes_in_a_swedish_study_are_one_swedish_line(swedish_study, args, expected):
    res = bt("check", str(swedish_study), *args)
    assert res.returncode == 2 and error_line(res).startswith(expected), res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_command_line_mistakes_in_swedish_with_lang_sv_and_in_english_otherwise(swedish_study, tmp_path):
    res = bt("discover", str(swedish_study), "--out", str(tmp_path / "x"), "--k", "två")
    assert error_line(res).startswith("fel: ogiltigt värde för '--k': 'två' är inte ett heltal."), res.stderr
    res = bt("discover", str(swedish_study))
    assert error_line(res).startswith("fel: alternativet '--out' saknas."), res.stderr
    res = bt("report", str(tmp_path / "nowhere"), "--lang", "sv", "--bogus")
    assert error_line(res).startswith("fel: okänt alternativ: --bogus"), res.stderr
    res = bt("check", str(tmp_path / "nowhere"), "--lnag", "sv")  # no study, no --lang: English as before
    assert error_line(res).startswith("error: No such option: --lnag. Did you mean --lang?"), res.stderr
    assert not (tmp_path / "x").exists()


# --------------------------------------------------------------------------- F12
def test_banner_sheets_are_named_by_their_labels(tmp_path):
    """Trial 12: the sheets were the raw column names (kon, aldersgrupp) though their headers
    were labelled (Kön, Åldersgrupp)."""
    from types import SimpleNamespace

    from openpyxl import load_workbook

    from behaviortypes.describe.workbook import write_banner_workbook

    rows = [{"variable": var, "level": lev, "type_id": tid, "n": 40, "share": 0.5, "ci_low": 0.4,
             "ci_high": 0.6, "overall_share": 0.5, "p_value": 0.5, "p_adjusted": 0.5, "significant": False}
            for var, levels in (("kon", ("Kvinna", "Man")), ("region", ("Norr", "Syd")))
            for lev in levels for tid in (1, 2)]
    meta = {"language": "sv", "min_cell": 30, "type_names": {"1": "A", "2": "B"}, "outcomes": [],
            "descriptors": [{"column": "kon", "label": "Kön", "levels": ["Kvinna", "Man"]},
                            {"column": "region", "levels": ["Norr", "Syd"]}]}
    result = SimpleNamespace(meta=meta, banner=pd.DataFrame(rows), out=tmp_path / "none",
                             tests=pd.DataFrame(columns=["variable", "statistic", "df1", "df2", "p_value"]),
                             outcomes=pd.DataFrame(columns=["variable", "type_id", "method", "mean", "se",
                                                            "ci_low", "ci_high", "overall_mean", "n"]))
    wb = load_workbook(write_banner_workbook(result, tmp_path / "b.xlsx"))
    assert wb.sheetnames[:2] == ["Kön", "region"], wb.sheetnames


def test_the_typing_tools_sentence_groups_thousands():
    from behaviortypes.deliver.texts import agreement_note

    info = {"agreement": 0.93, "target": 0.9, "n_items": 3, "n_respondents": 1116}
    assert "I enkäten med 1\u202f116 svarande" in agreement_note(info, "sv")
    assert "survey of 1,116 respondents" in agreement_note(info, "en")


def test_figure_words_in_the_studys_language():
    from behaviortypes.plots import labels_in

    sv = labels_in("sv")
    assert sv["k"]["x"] == "Antal typer (k)" and sv["k"]["jaccard_min"].startswith("Minst stabila")
    assert labels_in("en")["k"]["x"] == "Number of types (k)" and labels_in("xx") == labels_in("en")


def test_no_factor_er_in_swedish_prose():
    from behaviortypes.report.render import load_texts

    t = load_texts("sv")
    for key in ("factor_reason_theme", "factor_reason_minor", "factor_reason_empty", "warn_minor_factors"):
        assert "faktor(er)" not in t[key], key
