"""Tests for behaviortypes.report: the persona PDF, deck and cards from a discovery folder."""

from __future__ import annotations

import json
import re
import shutil
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from markupsafe import escape

from behaviortypes.errors import InputError
from behaviortypes.report import (
    LANGUAGES,
    anonymise_quote,
    build_context,
    load_report_data,
    render_html,
    render_report,
)
from behaviortypes.report.render import TEMPLATES, load_texts, render_document
from behaviortypes.stages import run_report

from reportfixture import make_discovery_folder


@lru_cache(maxsize=8)
def _pdf_pages_text(path: Path) -> list[str]:
    """Text of each PDF page, whitespace-normalised (pdfium's extractor; cached per file)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return [" ".join(pdf[i].get_textpage().get_text_range().split()) for i in range(len(pdf))]
    finally:
        pdf.close()


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    """A complete discovery folder rendered once in English (PDF, deck, cards)."""
    root = tmp_path_factory.mktemp("full")
    disc = make_discovery_folder(root / "disc", k=4, n=600, seed=3)
    files = render_report(disc, out_dir=root / "out", lang="en", formats=("pdf", "pptx", "png"))
    return disc, root / "out", files


@pytest.fixture(scope="module")
def swedish(full):
    disc, out, _ = full
    (pdf,) = render_report(disc, out_dir=out, lang="sv")
    return pdf


@pytest.fixture(scope="module")
def minimal(tmp_path_factory):
    """Only what `discover` writes (no lookalike, no interviews), with a type below 30."""
    root = tmp_path_factory.mktemp("minimal")
    disc = make_discovery_folder(root / "disc", k=4, n=400, seed=1, with_lookalike=False,
                                 with_quotes=False, tiny_type=True)
    (pdf,) = render_report(disc, pdf=root / "out" / "report.pdf")
    return disc, pdf


def test_writes_the_requested_files(full):
    _, out, files = full
    assert [f.relative_to(out).as_posix() for f in files] == [
        "behaviour_types_en.pdf", "behaviour_types_en.pptx",
        "cards_en/type_1.png", "cards_en/type_2.png", "cards_en/type_3.png", "cards_en/type_4.png",
    ]
    assert all(f.stat().st_size > 10_000 for f in files)


def test_pdf_names_every_type_and_shows_its_size(full):
    disc, out, _ = full
    pages = _pdf_pages_text(out / "behaviour_types_en.pdf")
    sizes = pd.read_csv(disc / "sizes.csv")
    shares = yaml.safe_load((disc / "types.yaml").read_text())
    base = pd.read_json(disc / "base_shares.json", typ="series")["shares"]
    assert "Behaviour types" in pages[0]
    for r, entry in zip(sizes.itertuples(), shares["types"]):
        assert entry["name"] in pages[0]
        page = pages[2 + r.type_id - 1]  # overview, differences, then one page per type
        assert entry["name"] in page and entry["tagline"] in page
        assert f"{round(100 * r.share)}%" in page
        assert f"{round(100 * r.ci_low)}–{round(100 * r.ci_high)}%" in page
        assert f"{round(100 * base[str(r.type_id)])}%" in page
        assert f"{r.n}" in page


def test_page_count_and_one_page_per_persona(full):
    disc, out, _ = full
    pages = _pdf_pages_text(out / "behaviour_types_en.pdf")
    # overview, differences, 4 personas, quality, measurement, loadings, k, lookalike
    assert len(pages) == 11
    names = [t["name"] for t in yaml.safe_load((disc / "types.yaml").read_text())["types"]]
    for i, name in enumerate(names):
        assert pages[2 + i].upper().count(f"TYPE {i + 1} OF 4") == 1
        assert name in pages[2 + i]
    assert "Data quality" in pages[6] and "Lookalike model card" in pages[10]


def test_pages_render_to_png_and_are_not_blank(full):
    import pypdfium2 as pdfium

    _, out, _ = full
    pdf = pdfium.PdfDocument(str(out / "behaviour_types_en.pdf"))
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            w, h = page.get_size()
            assert (round(w), round(h)) == (595, 842)  # A4 in points
            img = np.asarray(page.render(scale=0.4).to_pil().convert("L"), dtype=float)
            inked = (img < 200).mean()
            assert inked > 0.02, f"page {i + 1} is (nearly) blank: {inked:.3f}"
    finally:
        pdf.close()


def test_cards_are_persona_pages(full):
    from PIL import Image

    _, out, files = full
    cards = [f for f in files if f.suffix == ".png"]
    for card in cards:
        img = Image.open(card)
        assert img.size == (893, 1199)  # the A4 page without its 15 mm footer margin
        grey = np.asarray(img.convert("L"), dtype=float)
        assert (grey < 200).mean() > 0.05


def test_deck_has_one_slide_per_type(full):
    from pptx import Presentation

    disc, out, _ = full
    deck = Presentation(str(out / "behaviour_types_en.pptx"))
    slides = list(deck.slides)
    names = [t["name"] for t in yaml.safe_load((disc / "types.yaml").read_text())["types"]]
    assert len(slides) == 2 + len(names)
    for slide, name in zip(slides[2:], names):
        text = " ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
        assert name in text and "What they do" in text


def test_swedish_report_has_swedish_labels(swedish):
    text = " ".join(_pdf_pages_text(swedish))
    for label in ("Beteendetyper", "Storlek", "Citat", "Vad de gör", "Andel av kundbasen",
                  "Svarande", "Metodbilaga", "Datakvalitet", "Faktorladdningar", "TYP 1 AV 4"):
        assert label.upper() in text.upper(), label
    assert "What they do" not in text and "Share of survey" not in text
    assert "Deltagare A" in text and "Participant A" not in text  # pseudonyms in Swedish too
    assert re.search(r"\d+ %", text)  # Swedish percent: space before %
    assert re.search(r"\d,\d\d", text)  # decimal comma


def test_small_type_gets_no_page_and_a_note(minimal):
    disc, pdf = minimal
    sizes = pd.read_csv(disc / "sizes.csv")
    assert sizes["n"].iloc[-1] == 12
    pages = _pdf_pages_text(pdf)
    tiny = yaml.safe_load((disc / "types.yaml").read_text())["types"][-1]["name"]
    # overview, differences, 3 personas, quality, measurement, loadings, k (no lookalike card)
    assert len(pages) == 9
    assert f"{tiny} gets no page: fewer than 30 respondents" in pages[0]
    assert not any("TYPE 4 OF" in p.upper() for p in pages)
    assert all(tiny not in p for p in pages[2:5])
    assert "TYPE 3 OF 3" in pages[4].upper()


def test_minimal_folder_leaves_out_sections_without_inputs(minimal):
    _, pdf = minimal
    text = " ".join(_pdf_pages_text(pdf))
    assert "Lookalike model card" not in text
    # what is not known, said to the client; no command lines (user trial 6)
    assert "no customer base was linked" in text and "CRM signals identify this type is not known" in text
    assert "Run behaviortypes" not in text and "`" not in text
    assert "No interview quotes" in text
    assert "Who they are" not in text  # `profile` has not run: no block, no banner page


def _half_up(x: float, digits: int = 0) -> str:
    """Round as a spreadsheet does (half away from zero), independently of the package."""
    from decimal import ROUND_HALF_UP, Decimal

    return str(Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def test_numbers_match_the_analysis_files(full):
    disc, _, _ = full
    data = load_report_data(disc)
    ctx = build_context(data, "en")
    sizes = pd.read_csv(disc / "sizes.csv").set_index("type_id")
    profiles = pd.read_csv(disc / "profiles.csv")
    items = {i["id"]: i["text"] for i in pd.read_json(disc / "source.json", typ="series")["instrument"]["items"]}
    for p in ctx["personas"]:
        r = sizes.loc[p["id"]]
        assert p["n"] == f"{r.n:,}"
        assert p["share"] == f"{_half_up(100 * r.share)}%"
        assert p["ci"] == f"{_half_up(100 * r.ci_low)}–{_half_up(100 * r.ci_high)}%"
        prof = profiles[(profiles.type_id == p["id"]) & (profiles.kind == "item")]
        top = prof.nlargest(len(p["do"]), "diff_sd")
        assert [b["text"] for b in p["do"]] == [items[k] for k in top["key"]]
        assert [b["mean"] for b in p["do"]] == [_half_up(m, 1) for m in top["mean"]]
        assert all(e >= 0.2 for e in top["diff_sd"])
    assert [r["name"] for r in ctx["overview"]["table"]] == list(data.types["name"])


def test_editing_types_yaml_rerenders_without_rerunning(tmp_path):
    disc = make_discovery_folder(tmp_path / "disc", k=3, n=300, seed=2, with_lookalike=False)
    before = {p.name: p.stat().st_mtime_ns for p in disc.iterdir()}
    doc = yaml.safe_load((disc / "types.yaml").read_text())
    doc["types"][1].update(name="Speedy Shoppers", tagline="No time to lose", color="#aa3377",
                           description="Edited by the strategist.")
    (disc / "types.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True))
    html = render_html(load_report_data(disc), "en")
    assert "Speedy Shoppers" in html and "No time to lose" in html and "Edited by the strategist." in html
    assert "--type: #aa3377" in html
    after = {p.name: p.stat().st_mtime_ns for p in disc.iterdir()}
    assert {k: v for k, v in after.items() if k != "types.yaml"} == {k: v for k, v in before.items() if k != "types.yaml"}


def test_same_inputs_give_the_same_html(tmp_path):
    disc = make_discovery_folder(tmp_path / "disc", k=2, n=200, seed=5, with_lookalike=False, with_quotes=False)
    data = load_report_data(disc)
    assert render_html(data, "en") == render_html(data, "en")


def test_report_stage_result(tmp_path):
    """The report runner returns a frozen result like the other stages'."""
    disc = make_discovery_folder(tmp_path / "disc", k=2, n=200, seed=5, with_lookalike=False, with_quotes=False)
    result = run_report(disc, lang=("en", "sv"), formats=("html",), out_dir=tmp_path / "out")
    assert result.files == (tmp_path / "out" / "behaviour_types_en.html",
                            tmp_path / "out" / "behaviour_types_sv.html")
    assert all(p.is_file() for p in result.files)
    assert result.to_dict() == {"discovery": str(disc), "langs": ["en", "sv"], "formats": ["html"],
                                "files": [str(p) for p in result.files]}
    text = result.summary()
    assert text.splitlines()[0] == "Report (en, sv; html): 2 file(s)"
    assert all(str(p) in text for p in result.files)
    with pytest.raises(AttributeError):
        result.files = ()  # frozen
    again = result.to_files(tmp_path / "again")  # the same report, rendered elsewhere
    assert [p.read_text() for p in again] == [p.read_text() for p in result.files]
    with pytest.raises(InputError, match="unknown report format 'doc'"):
        run_report(disc, formats=("doc",), out_dir=tmp_path / "x")


def test_no_identifiers_reach_the_report(tmp_path):
    disc = make_discovery_folder(tmp_path / "disc", k=3, n=300, seed=4)
    quotes = pd.read_csv(disc / "quotes.csv")
    quotes.loc[0, "quote"] = "Mail me at anna.berg@example.com or call +46 70 123 45 67, thanks."
    quotes.to_csv(disc / "quotes.csv", index=False)
    html = render_html(load_report_data(disc), "en")
    assert "anna.berg@example.com" not in html and "123 45 67" not in html
    assert "[email]" in html and "[phone]" in html
    ids = pd.read_csv(disc / "assignments.csv", dtype=str)["respondent_id"]
    assert not any(re.search(rf"\b{i}\b", html) for i in ids[:50])


def test_anonymise_quote():
    assert anonymise_quote("write to a.b@c.se today") == "write to [email] today"
    assert anonymise_quote("ring 08-123 456 78!") == "ring [phone]!"
    assert anonymise_quote("see https://x.se/a?b=1 now") == "see [url] now"
    assert anonymise_quote("I buy 2 or 3 things") == "I buy 2 or 3 things"


def test_default_output_folder_is_reports_study(tmp_path, monkeypatch):
    disc = make_discovery_folder(tmp_path / "disc", k=2, n=200, seed=6, with_lookalike=False,
                                 with_quotes=False, study="spring_2026")
    monkeypatch.chdir(tmp_path)
    (html,) = render_report(disc, formats=("html",))
    assert html.resolve() == (tmp_path / "reports" / "spring_2026" / "behaviour_types_en.html").resolve()


def test_translations_cover_every_template_key():
    used = set()
    for tpl in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"\bt\.(\w+)", tpl.read_text()))
    assert set(LANGUAGES) == {"en", "sv"}
    en, sv = load_texts("en"), load_texts("sv")
    assert set(en) == set(sv)
    assert used <= set(en), used - set(en)


# --------------------------------------------------------------------------- user errors
@pytest.fixture()
def disc(tmp_path):
    return make_discovery_folder(tmp_path / "disc", k=3, n=240, seed=7)


def test_error_missing_folder(tmp_path):
    with pytest.raises(InputError, match="nowhere: discovery folder not found. Hint: pass the output folder"):
        load_report_data(tmp_path / "nowhere")


def test_error_missing_required_file(disc):
    (disc / "sizes.csv").unlink()
    with pytest.raises(InputError, match=r"sizes.csv: file not found in the discovery folder\. Hint: run `behaviortypes discover"):
        load_report_data(disc)


def test_error_missing_column(disc):
    pd.read_csv(disc / "sizes.csv").drop(columns="ci_low").to_csv(disc / "sizes.csv", index=False)
    with pytest.raises(InputError, match=r"sizes.csv, column 'ci_low': missing column 'ci_low' \(found: type_id"):
        load_report_data(disc)


def test_error_quotes_without_pseudonym(disc):
    pd.read_csv(disc / "quotes.csv").drop(columns="pseudonym").to_csv(disc / "quotes.csv", index=False)
    with pytest.raises(InputError, match=r"quotes.csv, column 'pseudonym': missing column"):
        load_report_data(disc)


def test_error_bad_colour(disc):
    doc = yaml.safe_load((disc / "types.yaml").read_text())
    doc["types"][1]["color"] = "blurple"
    (disc / "types.yaml").write_text(yaml.safe_dump(doc))
    with pytest.raises(InputError, match=r"types.yaml, column 'color', row 2: not a colour \(value 'blurple'\)\. Hint: use a hex"):
        load_report_data(disc)


def test_error_unknown_type_id(disc):
    doc = yaml.safe_load((disc / "types.yaml").read_text())
    doc["types"][0]["type_id"] = 9
    (disc / "types.yaml").write_text(yaml.safe_dump(doc))
    with pytest.raises(InputError, match=r"types.yaml, column 'type_id', row 1: type_id 9 is not a type of this analysis \(types: 1, 2, 3\)"):
        load_report_data(disc)


def test_error_malformed_types_yaml(disc):
    (disc / "types.yaml").write_text("types:\n  - type_id: 1\n    name: [unclosed\n")
    with pytest.raises(InputError, match=r"types.yaml, row \d: malformed YAML"):
        load_report_data(disc)


def test_error_bad_profile_kind(disc):
    prof = pd.read_csv(disc / "profiles.csv")
    prof.loc[4, "kind"] = "theme"
    prof.to_csv(disc / "profiles.csv", index=False)
    with pytest.raises(InputError, match=r"profiles.csv, column 'kind', row 5: kind must be 'factor' or 'item'"):
        load_report_data(disc)


def test_error_non_integer_type_id(disc):
    sizes = pd.read_csv(disc / "sizes.csv")
    sizes["type_id"] = sizes["type_id"].astype(str)
    sizes.loc[2, "type_id"] = "three"
    sizes.to_csv(disc / "sizes.csv", index=False)
    with pytest.raises(InputError, match=r"sizes.csv, column 'type_id', row 3: type ids must be whole numbers"):
        load_report_data(disc)


def test_error_unknown_language_and_format(disc, tmp_path):
    with pytest.raises(InputError, match=r"no report text for language 'de'.*Hint: use one of: en, sv"):
        render_report(disc, out_dir=tmp_path / "o", lang="de")
    with pytest.raises(InputError, match=r"unknown report format 'docx'.*Hint: use any of: pdf, html, pptx, png"):
        render_report(disc, out_dir=tmp_path / "o", formats=("docx",))
    with pytest.raises(InputError, match="one PDF file is named, but several languages"):
        render_report(disc, pdf=tmp_path / "x.pdf", lang=("en", "sv"))


def test_error_base_shares_without_shares(disc):
    (disc / "base_shares.json").write_text('{"n_customers": 5}')
    with pytest.raises(InputError, match=r"base_shares.json, column 'shares': 'shares' is missing\. Hint: re-run `behaviortypes score`"):
        load_report_data(disc)


@pytest.mark.slow
def test_rerender_reads_only_the_folder(full, tmp_path):
    """Re-rendering reads the folder and writes only the report (its speed is in bench/, not here)."""
    disc, _, _ = full
    copy = tmp_path / "disc"
    shutil.copytree(disc, copy)
    before = {p.name: p.read_bytes() for p in copy.iterdir()}
    written = render_report(copy, out_dir=tmp_path / "out")
    assert [p.name for p in written] == ["behaviour_types_en.pdf"]
    assert {p.name: p.read_bytes() for p in copy.iterdir()} == before


def test_reach_section_falls_back_to_the_card_without_crm_profile(tmp_path):
    disc = make_discovery_folder(tmp_path / "disc", k=3, n=300, seed=8)
    (disc / "crm_profile.csv").unlink()
    ctx = build_context(load_report_data(disc), "en")
    card = pd.read_json(disc / "lookalike_card.json", typ="series")
    top = card["permutation_importance"][0]["feature"].replace("_", " ")
    for p in ctx["personas"]:
        assert p["crm"] == [] and top in p["crm_note"]


def test_lookalike_card_parts_are_read(full):
    disc, _, _ = full
    data = load_report_data(disc)
    card = pd.read_json(disc / "lookalike_card.json", typ="series")
    assert data.card_metrics == {k: card["metrics"][k] for k in ("accuracy", "macro_f1", "log_loss", "ece")}
    np.testing.assert_array_equal(data.confusion.to_numpy(), card["metrics"]["confusion_matrix"]["counts"])
    assert list(data.confusion.index) == [1, 2, 3, 4]
    np.testing.assert_allclose(data.calibration["mean_predicted"],
                               [b["confidence"] for b in card["metrics"]["reliability"]])
    assert data.n_linked == card["link"]["n_linked"]
    assert list(data.importances.index[:2]) == [r["feature"] for r in card["permutation_importance"][:2]]
    assert data.types["stability"].notna().all() and data.retention is not None


@pytest.mark.slow
def test_long_edits_still_fit_one_page_per_persona(tmp_path):
    from behaviortypes.report import render_document

    disc = make_discovery_folder(tmp_path / "disc", k=6, n=900, seed=9)
    doc = yaml.safe_load((disc / "types.yaml").read_text())
    for t in doc["types"]:
        t["name"] += " and Their Extraordinarily Long Descriptive Name"
        t["tagline"] = "A tagline that goes on and on because the strategist had a lot to say about this type"
        t["description"] = "A long description paragraph written by a strategist. " * 8
    (disc / "types.yaml").write_text(yaml.safe_dump(doc))
    quotes = pd.read_csv(disc / "quotes.csv")
    quotes["quote"] += " And then I went on about it for a long time, because it matters a lot to me." * 4
    quotes.to_csv(disc / "quotes.csv", index=False)
    rendered = render_document(load_report_data(disc), "sv")
    starts = [rendered.section_pages[f"type-{t}"] for t in range(1, 7)]
    assert np.diff(starts).tolist() == [1] * 5
    assert rendered.section_pages["quality"] == starts[-1] + 1


def test_numbers_are_written_the_way_each_language_writes_them():
    from behaviortypes.report.render import Formatter

    en, sv = Formatter("en"), Formatter("sv")
    assert (en.pct(0.3349), sv.pct(0.3349)) == ("33%", "33\u00a0%")
    assert (en.pct_range(0.298, 0.374), sv.pct_range(0.298, 0.374)) == ("30–37%", "30–37\u00a0%")
    assert (en.count(100000), sv.count(100000)) == ("100,000", "100\u202f000")
    assert (en.num(0.8149), sv.num(0.8149)) == ("0.81", "0,81")
    # one rounding everywhere, half away from zero as a spreadsheet's number format
    assert (en.signed(-0.25, 1), sv.signed(1.26, 1)) == ("−0.3", "+1,3")
    assert (en.pct(0.625), sv.pct(0.625), en.pct(0.285), en.num(2.675)) == ("63%", "63\u00a0%", "29%", "2.68")
    assert en.pvalue(0.0001) == "< 0.001" and sv.pvalue(0.0234) == "= 0,023"
    assert en.num(float("nan")) == "–"


def test_an_interval_that_rounds_to_one_number_gets_decimals_until_it_informs(tmp_path):
    """User trial 5 (PISA, 62,655 respondents): "28% (28–28%)". An interval whose ends round
    to the same number is written with one more decimal (two at most), and so is its share;
    a wide interval keeps whole percentages."""
    from behaviortypes.report.render import Formatter

    en, sv = Formatter("en"), Formatter("sv")
    assert en.share_ci(0.2787, 0.2752, 0.2822) == ("27.9%", "27.5–28.2%")
    assert sv.share_ci(0.2787, 0.2752, 0.2822) == ("27,9\u00a0%", "27,5–28,2\u00a0%")
    assert en.share_ci(0.27874, 0.27861, 0.27889) == ("27.87%", "27.86–27.89%")
    assert en.share_ci(0.30, 0.27, 0.33) == ("30%", "27–33%")
    assert en.share_ci(0.05, 0.046, 0.054, 1) == ("5.0%", "4.6–5.4%")
    disc = make_discovery_folder(tmp_path / "disc", k=4, n=400, seed=1, with_quotes=False)
    sizes = pd.read_csv(disc / "sizes.csv")
    sizes.loc[0, ["share", "ci_low", "ci_high"]] = [0.2787, 0.2752, 0.2822]
    sizes.to_csv(disc / "sizes.csv", index=False)
    first, wide = int(sizes.loc[0, "type_id"]), sizes.iloc[1]
    data = load_report_data(disc)
    for lang, pct in (("en", "%"), ("sv", "\u00a0%")):
        ctx = build_context(data, lang)
        d = (lambda x: x.replace(".", ",")) if lang == "sv" else (lambda x: x)
        rows = {r["id"]: r for r in ctx["overview"]["table"]}
        assert (rows[first]["share"], rows[first]["ci"]) == (d("27.9") + pct, d("27.5–28.2") + pct)
        other = rows[int(wide["type_id"])]
        # one precision per column (user trial 8: "52 % (52–53 %)" beside "18,2 % (17,9–18,3 %)"):
        # the overview writes the wide interval with the narrow one's decimal; its persona
        # page, alone, with whole percentages
        assert other["ci"] == Formatter(lang).pct_range(wide["ci_low"], wide["ci_high"], 1)
        assert {p["id"]: p for p in ctx["personas"]}[int(wide["type_id"])]["ci"] == \
            Formatter(lang).pct_range(wide["ci_low"], wide["ci_high"], 0)
        persona = {p["id"]: p for p in ctx["personas"]}[first]
        assert (persona["share"], persona["ci"]) == (d("27.9") + pct, d("27.5–28.2") + pct)


def test_omega_of_a_two_statement_dimension_is_explained(tmp_path):
    """Trial 5 (PISA): a factor of two statements. Its omega is psych's 2r/(1+r), and the
    appendix says so (en, sv); without such a factor there is no note."""
    disc = make_discovery_folder(tmp_path / "disc", k=4, n=400, seed=1)
    ctx = build_context(load_report_data(disc), "en")
    assert not ctx["appendix"]["measurement"].get("omega_note")
    rel = pd.read_csv(disc / "reliability.csv")
    rel.loc[0, ["n_items", "alpha", "omega"]] = [2, 0.705, 0.707]
    rel.to_csv(disc / "reliability.csv", index=False)
    data = load_report_data(disc)
    for lang, words in (("en", "two statements"), ("sv", "två påståenden")):
        meas = build_context(data, lang)["appendix"]["measurement"]
        assert words in meas["omega_note"] and "2r/(1+r)" in meas["omega_note"]
        assert meas["reliability"][0]["omega"] == ("0.71" if lang == "en" else "0,71")


def test_alpha_interval_that_rounds_to_one_number_gets_a_decimal(tmp_path):
    """As a share's interval (trial 5): alpha 0.8666 [0.8652, 0.8681] is not "0.87 (0.87–0.87)"."""
    disc = make_discovery_folder(tmp_path / "disc", k=4, n=400, seed=1)
    rel = pd.read_csv(disc / "reliability.csv")
    rel.loc[0, ["alpha", "ci_low", "ci_high"]] = [0.8666, 0.8652, 0.8681]
    rel.loc[1, ["alpha", "ci_low", "ci_high"]] = [0.80, 0.76, 0.83]
    rel.to_csv(disc / "reliability.csv", index=False)
    rows = build_context(load_report_data(disc), "sv")["appendix"]["measurement"]["reliability"]
    assert (rows[0]["alpha"], rows[0]["ci"]) == ("0,867", "0,865–0,868")
    assert (rows[1]["alpha"], rows[1]["ci"]) == ("0,80", "0,76–0,83")


def test_small_types_state_their_base_share_with_its_interval(tmp_path):
    """base_shares.json's ci_low/ci_high reach the overview, the persona and the small-type note."""
    import json

    disc = make_discovery_folder(tmp_path / "disc", k=4, n=400, seed=1, with_quotes=False, tiny_type=True)
    doc = json.loads((disc / "base_shares.json").read_text())
    shares = {int(t): s for t, s in doc["shares"].items()}
    lo = {t: round(s * 0.7, 4) for t, s in shares.items()}
    hi = {t: round(min(1.0, s * 1.3), 4) for t, s in shares.items()}
    doc.update(ci_low={str(t): v for t, v in lo.items()}, ci_high={str(t): v for t, v in hi.items()})
    (disc / "base_shares.json").write_text(json.dumps(doc))
    data = load_report_data(disc)
    assert data.folder.base_shares.ci_low == lo
    sizes = pd.read_csv(disc / "sizes.csv").set_index("type_id")
    tiny = int(sizes.index[-1])
    for lang, ci, pct in (("en", "95% CI", "%"), ("sv", "95 % KI", "\u00a0%")):
        ctx = build_context(data, lang)
        dec = (lambda x: f"{100 * x:.1f}".replace(".", ",")) if lang == "sv" else (lambda x: f"{100 * x:.1f}")
        # as many decimals as the base share: one below 10 %, none above
        one = (lambda x, t: f"{100 * x:.1f}" if shares[t] < 0.1 else f"{100 * x:.0f}")
        one_l = (lambda x, t: one(x, t).replace(".", ",")) if lang == "sv" else one

        def rng(t):
            return f"{one_l(lo[t], t)}–{one_l(hi[t], t)}{pct}"
        # the small type (no page) is stated with survey share, base share and the interval
        assert (f"{dec(sizes.loc[tiny, 'share'])}{pct}" in ctx["hidden_note"]
                and f"[{ci} {rng(tiny)}]" in ctx["hidden_note"])
        for p in ctx["personas"]:
            assert f"{ci} {rng(p['id'])}" in p["base_note"]
        # the overview's column has one precision (user trial 8): a small type's decimal for all
        rows = {r["id"]: r for r in ctx["overview"]["table"]}
        col = (lambda x: dec(x)) if any(s < 0.1 for s in shares.values()) else (lambda x: f"{100 * x:.0f}")
        assert all(rows[t]["base_ci"] == f"{col(lo[t])}–{col(hi[t])}{pct}" for t in shares), rows
    # without intervals the sentences carry none
    doc.pop("ci_low"), doc.pop("ci_high")
    (disc / "base_shares.json").write_text(json.dumps(doc))
    ctx = build_context(load_report_data(disc), "en")
    assert "CI" not in ctx["hidden_note"] and "of the customer base" in ctx["hidden_note"]


def test_k_reason_code_is_said_in_the_report_language(tmp_path):
    import json

    disc = make_discovery_folder(tmp_path / "disc", k=4, n=400, seed=1, with_quotes=False)
    sol = json.loads((disc / "solution.json").read_text())
    plain = build_context(load_report_data(disc), "sv")["appendix"]["k"]["reason"]
    assert plain == sol["k_reason"]  # an English-only reason is shown as it is
    sol["k_reason_code"] = [{"code": "k_reason_user", "values": {"k": 4}}]
    (disc / "solution.json").write_text(json.dumps(sol))
    data = load_report_data(disc)
    assert build_context(data, "sv")["appendix"]["k"]["reason"] == "4 typer, enligt --k."
    assert build_context(data, "en")["appendix"]["k"]["reason"] == "4 types, as set with --k."


def _svg_words(svg: str) -> str:
    """Every text line of a figure, joined by spaces (matplotlib writes one <text> a line)."""
    return " ".join(re.findall(r"<text[^>]*>([^<]+)</text>", svg))


def test_type_labels_keep_what_tells_types_apart(tmp_path):
    """Names as in the bfi trial (k = 4): no figure cuts them to "The…", each carries its
    number, and the captions say what the bars and the statements heatmap show."""
    from behaviortypes.plots import type_label

    names = {1: "The neuroticism-driven", 2: "The extraversion-driven (high on extraversion)",
             3: "The agreeableness-indifferent", 4: "The extraversion-driven"}
    assert type_label(3, names[3]) .replace("\n", " ") == "3 · The agreeableness-indifferent"
    assert type_label(2, names[2]) == "2 · The extraversion-driven\n(high on extraversion)"
    long = type_label(5, "The " + "very " * 30 + "long name")
    assert long.startswith("5 · The very") and long.endswith("…") and long.count("\n") == 1
    assert max(len(line) for line in long.splitlines()) <= 30
    disc = make_discovery_folder(tmp_path / "disc", k=4, n=400, seed=3, with_lookalike=False, with_quotes=False)
    doc = yaml.safe_load((disc / "types.yaml").read_text())
    for ty in doc["types"]:
        ty["name"] = names[ty["type_id"]]
    (disc / "types.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True))
    data = load_report_data(disc)
    ctx = build_context(data, "en", compact={"differences": 2})  # 10 statements
    figures = {"sizes": ctx["overview"]["sizes_svg"], "factors": ctx["differences"]["factor_svg"],
               "statements": ctx["differences"]["items_svg"]}
    if ctx["overview"]["umap_svg"]:
        figures["map"] = ctx["overview"]["umap_svg"]
    for what, svg in figures.items():
        words = _svg_words(svg)
        assert "The…" not in words and "…" not in words, what
        for tid, name in names.items():
            if tid in set(data.types.index[data.types["shown"]]) or what in ("sizes", "map"):
                # the number and every word of the name, whatever the line breaks
                assert f"{tid} · The" in words, (what, tid)
                for word in name.replace("-", "- ").split():
                    assert word in words.replace("-", "- "), (what, word)
    n_items = data.item_profile(list(data.types.index[data.types["shown"]])).shape[1]
    assert n_items > 10  # so the compact heatmap shows only some statements
    assert ctx["differences"]["items_title"] == \
        f"Statements that separate the types: the 10 of {n_items} that separate them most"
    # the persona bars' length is the effect size; the caption says so, and what the numbers are
    assert ctx["scale_note"].startswith("Bar: how far this type is from everyone")
    assert "Numbers: average answer on the" in ctx["scale_note"]


def test_map_marks_types_by_number_apart_with_names_in_a_legend():
    """Two types with the same centre: their numbered markers do not sit on each other,
    and the legend names every type in full with its number."""
    from behaviortypes import plots

    rng = np.random.default_rng(1)
    pts = rng.normal(size=(90, 2))
    embedding = pd.DataFrame({"x": pts[:, 0], "y": pts[:, 1], "type_id": np.tile([1, 2, 3], 30)})
    embedding.loc[embedding["type_id"] == 2, ["x", "y"]] = embedding.loc[embedding["type_id"] == 1, ["x", "y"]].to_numpy()
    names = {1: "The extraversion-driven (high on extraversion)", 2: "The extraversion-driven", 3: "The third"}
    ax = plots.plot_umap(embedding, names=names).axes[0]
    marks = {t.get_text(): np.array(t.get_position()) for t in ax.texts}
    assert set(marks) == {"1", "2", "3"}
    span = np.ptp(embedding[["x", "y"]].to_numpy(), axis=0)
    gap = np.abs(marks["1"] - marks["2"]) / span
    assert gap[0] > 0.035 or gap[1] > 0.06
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [f"{i} · {n}" for i, n in names.items()]


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_heatmap_type_labels_stand_apart_at_seven_types(tmp_path, monkeypatch, lang):
    """The STAI trial (k = 7, long names, Swedish longer): the type labels under the columns
    of "Statements that separate the types" ran into each other and lost their ends. As
    the report draws them: no two overlap, all inside the figure, each with its number
    and whole name; and the factor heatmap's labels likewise."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from test_plots import LONG_TYPE_NAMES, assert_labels_apart_and_inside

    from behaviortypes import plots

    disc = make_discovery_folder(tmp_path / "disc", k=7, n=840, seed=3, with_lookalike=False, with_quotes=False)
    doc = yaml.safe_load((disc / "types.yaml").read_text())
    for ty in doc["types"]:
        ty["name"] = LONG_TYPE_NAMES[lang][ty["type_id"] - 1]
    (disc / "types.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True))
    heatmaps = []
    to_svg = plots.figure_to_svg

    def checked(fig, **kwargs):  # the figure as it is serialised into the report
        if fig.axes and fig.axes[0].images:
            FigureCanvasAgg(fig)
            ax = fig.axes[0]
            assert_labels_apart_and_inside(fig, ax.get_xticklabels())
            assert_labels_apart_and_inside(fig, ax.get_yticklabels())
            heatmaps.append([" ".join(t.get_text().split()) for t in ax.get_xticklabels()])
        return to_svg(fig, **kwargs)

    monkeypatch.setattr(plots, "figure_to_svg", checked)
    build_context(load_report_data(disc), lang)
    statements = next(h for h in heatmaps if len(h) == 7)
    assert statements == [f"{t} · {name}" for t, name in enumerate(LONG_TYPE_NAMES[lang][:7], 1)]


def test_the_cfa_check_is_in_the_evidence_appendix(tmp_path):
    """Trial 5 (PISA: CFI 0.92, RMSEA 0.099): the held-out CFA check goes into the
    measurement appendix in each language, with the Hu & Bentler verdicts; a check that
    did not converge is a note; a folder of an older version (no ``cfa.json``) still
    renders, without the part."""
    from behaviortypes import study

    disc = make_discovery_folder(tmp_path / "disc", k=4, n=400, seed=1)
    assert not (disc / "cfa.json").exists()
    old = load_report_data(disc)
    assert build_context(old, "en")["appendix"]["measurement"]["cfa"] is None
    assert 'id="cfa-check"' not in render_html(old, "en")
    fit = {"n": 1361, "n_factors": 3, "cfi": 0.92, "tli": 0.9049, "rmsea": 0.099, "srmr": 0.05, "chi2": 492.1,
           "df": 41.0, "p_value": 0.0, "model": "F1 =~ a + b", "dropped_factors": ["F3"], "converged": True,
           "note_code": "", "note": "", "holdout": 0.5, "seed": 0}
    study.save(disc, "cfa.json", fit)
    data = load_report_data(disc)
    expected = {"en": ("n = 1,361): CFI 0.92 (acceptable), TLI 0.90 (acceptable), RMSEA 0.099 (poor).",
                       "Hu & Bentler 1999", "fewer than two statements"),
                "sv": ("n = 1\u202f361): CFI 0,92 (godtagbar), TLI 0,90 (godtagbar), RMSEA 0,099 (svag).",
                       "Hu & Bentler 1999", "färre än två påståenden")}
    for lang, (numbers, cutoffs, dropped) in expected.items():
        cfa = build_context(data, lang)["appendix"]["measurement"]["cfa"]
        assert numbers in cfa["fit"] and cutoffs in cfa["cutoffs"] and dropped in cfa["dropped"]
        # then what the check covers (user trial 12): the model's 2 statements, 1 of its 2 factors
        assert {"en": "and 1 of 2 factors", "sv": "och 1 av 2 faktorer"}[lang] in cfa["fit"], cfa["fit"]
        assert data.factor_names.get("F3", "F3") in cfa["dropped"]
        page = render_html(data, lang).split('id="sec-measurement"')[1].split("</section>")[0]
        assert 'id="cfa-check"' in page and numbers.replace("&", "&amp;") in page
    study.save(disc, "cfa.json", {**fit, "rmsea": 0.05, "cfi": 0.96, "tli": 0.95, "dropped_factors": []})
    good = build_context(load_report_data(disc), "en")["appendix"]["measurement"]["cfa"]
    assert "CFI 0.96 (good), TLI 0.95 (good), RMSEA 0.050 (good)" in good["fit"] and good["dropped"] is None
    study.save(disc, "cfa.json", {**fit, "converged": False, "note_code": "not_converged"})
    for lang, words in (("en", "did not converge"), ("sv", "konvergerade inte")):
        cfa = build_context(load_report_data(disc), lang)["appendix"]["measurement"]["cfa"]
        assert cfa["fit"] is None and words in cfa["note"]


def test_pdf_layout_does_not_flood_the_log_with_weasyprint_css_warnings(tmp_path, caplog):
    """User trial 6: `behaviortypes run` printed 14,430 lines of "WARNING:weasyprint:Ignored
    `fill: ...` unknown property" (the figures' SVG styles) once another library had set up
    logging; `report` printed none. Laying out and writing the PDF keeps WeasyPrint's
    warnings about our own figures' CSS out of the user's log, whatever the logging setup."""
    import logging

    disc = make_discovery_folder(tmp_path / "disc", k=3, n=400, seed=2)
    with caplog.at_level(logging.WARNING):
        rendered = render_document(load_report_data(disc), "en")
        rendered.pdf_bytes()
    assert rendered.n_pages > 3
    noisy = [r for r in caplog.records if r.name.startswith("weasyprint")]
    assert not noisy, f"{len(noisy)} WeasyPrint warnings, e.g. {noisy[0].getMessage()[:120]}"


def test_persona_bars_and_needs_measure_the_type_against_everyone(tmp_path):
    # As for a type of three quarters of the sample: Cohen's d against the small rest is
    # several times the distance from everyone. The caption says "how far this type is
    # from everyone", so the bars, the statements listed and "What they need" follow
    # diff_sd (difference from everyone in everyone's SD), not effect_size.
    from behaviortypes.profiles import theme_needs
    from behaviortypes.report.data import pretty_name

    disc = make_discovery_folder(tmp_path / "disc", k=3, n=300, seed=2, with_lookalike=False)
    prof = pd.read_csv(disc / "profiles.csv")
    prof["diff_sd"] = prof["effect_size"]
    prof["effect_size"] = 5 * prof["diff_sd"]
    prof.to_csv(disc / "profiles.csv", index=False)
    data = load_report_data(disc)
    ctx = build_context(data, "en")
    texts = dict(data.item_texts)
    n_needs = 0
    for p in ctx["personas"]:
        items = prof[(prof.type_id == p["id"]) & (prof.kind == "item")]
        do = items[items.diff_sd >= 0.2].nlargest(len(p["do"]), "diff_sd")
        avoid = items[items.diff_sd <= -0.2].nsmallest(len(p["avoid"]), "diff_sd")
        assert len(p["do"]) == min(5, (items.diff_sd >= 0.2).sum())
        assert [b["text"] for b in p["do"]] == [texts.get(k, k) for k in do["key"]]
        assert [b["text"] for b in p["avoid"]] == [texts.get(k, k) for k in avoid["key"]]
        assert [b["width"] for b in p["do"] + p["avoid"]] == pytest.approx(
            [min(100.0, 100 * abs(d) / 1.5) for d in [*do["diff_sd"], *avoid["diff_sd"]]])
        needs = theme_needs(items, data.item_themes, data.item_reverse)
        assert p["needs"] == list(dict.fromkeys(pretty_name(t) for t in needs["theme"]))[:6]
        n_needs += len(p["needs"])
    assert n_needs  # the fixture's themes do give needs


def test_profiles_without_diff_sd_fall_back_to_effect_size(tmp_path):
    # a discovery folder written before session 12 has no diff_sd: the report still renders
    disc = make_discovery_folder(tmp_path / "disc", k=3, n=300, seed=2, with_lookalike=False)
    prof = pd.read_csv(disc / "profiles.csv").drop(columns="diff_sd")
    prof.to_csv(disc / "profiles.csv", index=False)
    ctx = build_context(load_report_data(disc), "en")
    for p in ctx["personas"]:
        items = prof[(prof.type_id == p["id"]) & (prof.kind == "item")]
        do = items[items.effect_size >= 0.2].nlargest(len(p["do"]), "effect_size")
        assert p["do"] and [b["width"] for b in p["do"]] == pytest.approx(
            [min(100.0, 100 * d / 1.5) for d in do["effect_size"]])


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_persona_pages_give_the_client_no_command_lines(tmp_path, lang):
    """User trial 6: every persona page of a study without a customer base told the client
    "Run `behaviortypes score`…" and "Run `behaviortypes lookalike`…" — analyst
    instructions in a PDF a strategist hands over. They say what is not known instead."""
    disc = make_discovery_folder(tmp_path / "disc", k=3, n=400, seed=4, with_lookalike=False)
    html = render_html(load_report_data(disc), lang)
    personas = html[html.index('id="sec-type-1"'):]
    assert "behaviortypes" not in personas.replace("behaviortypes.", "")
    assert ("no customer base was linked" if lang == "en" else "ingen kundbas kopplades") in personas


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_a_type_that_stands_out_on_no_statement_says_so(tmp_path, lang):
    """With the bars against everyone (diff_sd), a type of three quarters of the sample may
    be 0.2 SD above everyone on no statement (user trial 6): "What they do" then says so
    instead of showing an empty list."""
    disc = make_discovery_folder(tmp_path / "disc", k=3, n=400, seed=4)
    prof = pd.read_csv(disc / "profiles.csv")
    one = prof["type_id"].eq(1) & prof["kind"].eq("item")
    prof.loc[one, "diff_sd"] = prof.loc[one, "diff_sd"].clip(upper=0.1)
    prof.to_csv(disc / "profiles.csv", index=False)
    html = render_html(load_report_data(disc), lang)
    first = html[html.index('id="sec-type-1"'):html.index('id="sec-type-2"')]
    other = html[html.index('id="sec-type-2"'):]
    said = load_texts(lang)["none_above"].split("{sd}")[0]
    assert said in first and said not in other


def test_reach_arrows_only_for_significant_differences(tmp_path):
    # trial 8: every CRM row got an arrow however small (Age 32.0 vs 32.3, d = -0.04, got a
    # red one), and a blank row (a yes/no column read as numbers) got one on every page
    disc = make_discovery_folder(tmp_path / "disc", k=3, n=300, seed=8)
    rows = []
    for t in (1, 2, 3):
        rows += [
            (t, "age", 32.0, 32.3, -0.3, -0.04, -0.03, "numeric", None, 90, 0.7, 0.8, False),
            (t, "spend", 410.0, 300.0, 110.0, 0.61, 0.5, "numeric", None, 90, 1e-6, 1e-5, True),
            (t, "visits", 2.0, 4.0, -2.0, -0.52, -0.45, "numeric", None, 90, 1e-5, 1e-4, True),
            (t, "english_native", None, None, None, None, None, "boolean", None, None, None, None, False),
            (t, "newsletter", 0.62, 0.45, 0.17, 0.35, 0.3, "boolean", None, 60, 1e-3, 4e-3, True),
        ]
    rows += [(2, "gender", 0.45, 0.28, 0.17, 0.38, 0.33, "categorical", "Male", 40, 1e-4, 1e-3, True)]
    pd.DataFrame(rows, columns=["type_id", "feature", "mean", "overall", "diff", "effect_size", "diff_sd", "kind",
                                "level", "n", "p_value", "p_adjusted", "significant"]).to_csv(
        disc / "crm_profile.csv", index=False)
    for lang in ("en", "sv"):
        ctx = build_context(load_report_data(disc), lang)
        crm = {c["feature"]: c for c in ctx["personas"][0]["crm"]}
        assert crm["Spend"]["dir"] == "up" and crm["Visits"]["dir"] == "down"
        assert crm["Age"]["dir"] is None  # d = -0.04, not significant: no arrow
        assert "English native" not in crm  # nothing to show: no row, no arrow
        # a yes/no column is the share of "yes"; a category names its level, as a share
        assert crm["Newsletter"]["dir"] == "up" and "62" in crm["Newsletter"]["mean"]
        assert "%" in crm["Newsletter"]["mean"] and "45" in crm["Newsletter"]["overall"]
        assert len(crm) == 4 and list(crm)[-1] == "Age"  # the significant rows first
        other = {c["feature"]: c for c in ctx["personas"][1]["crm"]}
        assert other["Gender: Male"]["dir"] == "up" and "45" in other["Gender: Male"]["mean"]
        # the rule is said beside the table
        note = ctx["personas"][0]["crm_note"]
        assert ("false discovery rate" if lang == "en" else "falska upptäckter") in note
    # on the page: Age's row and no other shows no arrow; the two significant ones do
    from behaviortypes.report.render import render_html

    html = render_html(load_report_data(disc), "en")
    page = html[html.index('<table class="crm">'):]
    page = page[:page.index("</table>")]
    cells = re.findall(r"<td>([^<]+)</td>.*?<td class=\"dir[^\"]*\">([^<]*)</td>", page, flags=re.S)
    assert dict(cells)["Age"] == "" and dict(cells)["Spend"] == "▲" and dict(cells)["Visits"] == "▼"


def test_factor_page_says_which_loading_cut_each_count_uses(tmp_path):
    """User trial 8: "3 or more statements on every factor" (counted at |λ| ≥ 0.25) and a
    reliability table listing dimensions of 2 statements (|λ| ≥ 0.40) on one page, with
    nothing saying the counts use different cuts. Both say their cut, in English and Swedish."""
    from behaviortypes.i18n import reason_text
    from behaviortypes.report.render import Formatter

    disc = make_discovery_folder(tmp_path / "disc", k=3, n=300, seed=5, with_quotes=False,
                                 with_lookalike=False)
    data = load_report_data(disc)
    # said where the counts visibly differ: every dimension has its 4 statements here -> no note
    html = render_html(data, "en")
    assert "|λ| ≥ 0.40" not in html[html.index(load_texts("en")["reliability_title"]):]
    data.reliability.iloc[0, data.reliability.columns.get_loc("n_items")] = 2  # the trial's 2-statement scale
    for lang, strong, weak in (("en", "0.40", "0.25"), ("sv", "0,40", "0,25")):
        html = render_html(data, lang)
        table = html[html.index(load_texts(lang)["reliability_title"]):]
        note = re.search(r'</table>\s*<p class="note">(.*?)</p>', table, re.S).group(1)
        assert f"|λ| ≥ {strong}" in note and f"|λ| ≥ {weak}" in note, note
        solid = reason_text({"code": "factor_reason_solid", "values": {"m": 9, "min_items": 3}},
                            load_texts(lang), Formatter(lang))
        assert f"|λ| ≥ {weak}" in solid, solid


def test_about_the_analysis_names_the_survey_not_its_folder(tmp_path):
    """User trial 8: the Swedish "Om analysen" read "Enkät survey (fil responses.csv…)": the
    folder's name where the survey's belongs. The instrument's name is used, quoted; a survey
    without one is called by its folder's name, quoted as a name."""
    disc = make_discovery_folder(tmp_path / "disc", k=3, n=300, seed=5, with_quotes=False,
                                 with_lookalike=False)
    data = load_report_data(disc)
    folder = data.study
    named = data.title != folder
    for lang, quoted in (("en", "Survey “{}” (file "), ("sv", "Enkät ”{}” (fil ")):
        html = render_html(data, lang)
        assert quoted.format(data.title) in html, lang
        if named:
            assert quoted.format(folder) not in html
    import dataclasses

    unnamed = dataclasses.replace(data, title=folder)
    assert "Enkät ”{}” (fil ".format(folder) in render_html(unnamed, "sv")


def test_overview_columns_and_typing_box_keep_one_precision(tmp_path):
    """User trial 8: the base-share column mixed "52 % (52–53 %)" with "18,2 % (17,9–18,3 %)",
    and the typing-tool box said "86 %" beside "88,9 %". One precision per column and box."""
    import dataclasses

    disc = make_discovery_folder(tmp_path / "disc", k=4, n=600, seed=3)
    data = load_report_data(disc)
    types = data.types.copy()
    ids = list(types.index)
    trial = {"base_share": [0.528, 0.242, 0.182, 0.048], "base_ci_low": [0.521, 0.231, 0.179, 0.049],
             "base_ci_high": [0.534, 0.251, 0.183, 0.052]}
    for col, values in trial.items():
        types.loc[ids, col] = values
    data = dataclasses.replace(data, types=types)

    def decimals(text: str) -> int:
        number = re.search(r"\d+(?:[.,](\d+))?", text)
        return len(number.group(1) or "")

    for lang in ("en", "sv"):
        table = build_context(data, lang)["overview"]["table"]
        for col in ("share", "base"):
            assert len({decimals(r[col]) for r in table}) == 1, [r[col] for r in table]
        assert {decimals(r["base"]) for r in table} == {1}
    tool = dict(data.typing_tool or {})
    assert tool.get("items")
    tool["agreement"] = 0.864
    html = render_html(dataclasses.replace(data, typing_tool=tool), "en")
    assert "86.4%" in html and " 86% " not in html


def test_reach_table_says_its_figures_are_the_linked_customers(tmp_path):
    """Session 14: the CRM table's second column was headed "All respondents", but its figures
    are the survey respondents linked to the customer base (crm_profile.csv's ``overall``)."""
    from behaviortypes.report.render import render_html

    disc = make_discovery_folder(tmp_path / "disc", k=3, n=300, seed=8)
    for lang, head in (("en", "All linked customers"), ("sv", "Alla länkade kunder")):
        html = render_html(load_report_data(disc), lang)
        page = html[html.index('<table class="crm">'):]
        page = page[:page.index("</thead>")]
        assert head in page, page


#: An internal file or a JSON key as the analyst's files name them ("lookalike_card.json",
#: "base.method", "crm_profile.csv"): never on a page a client reads.
_INTERNAL = re.compile(r"\b\w+\.(?:json|csv|yaml|skops)\b|\bbase\.(?:method|note)\b")


def _client_pages(html: str) -> str:
    """The overview and persona pages of a rendered report (the appendix is for analysts)."""
    end = html.index('id="sec-quality"') if 'id="sec-quality"' in html else len(html)
    return re.sub(r"<svg.*?</svg>", "", html[:end], flags=re.S)


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_client_pages_cite_no_internal_file_or_key(tmp_path, lang):
    """User trial 10: the persona stat box and the overview note said "(lookalike_card.json,
    base.method)" on pages a client reads; the reach note cited crm_profile.csv. They say
    what the number is, in words, and nothing about the analyst's files."""
    disc = make_discovery_folder(tmp_path / "disc", k=3, n=300, seed=8)
    base = json.loads((disc / "base_shares.json").read_text())
    base["corrected"] = False
    (disc / "base_shares.json").write_text(json.dumps(base))
    html = _client_pages(render_html(load_report_data(disc), lang))
    assert ("not corrected" if lang == "en" else "ej justerad") in html  # the caveat stays
    assert not _INTERNAL.findall(html)
    # an older crm_profile.csv without the tests, and none at all (the card's signals)
    crm = pd.read_csv(disc / "crm_profile.csv")
    crm.drop(columns=[c for c in ("p_value", "p_adjusted", "significant") if c in crm]).to_csv(
        disc / "crm_profile.csv", index=False)
    assert not _INTERNAL.findall(_client_pages(render_html(load_report_data(disc), lang)))
    (disc / "crm_profile.csv").unlink()
    html = _client_pages(render_html(load_report_data(disc), lang))
    assert "visits" in html.lower() and not _INTERNAL.findall(html)


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_deck_says_an_uncorrected_base_share_is_not_corrected(tmp_path, lang):
    """User trial 10: the PDF said the customer-base shares were raw predictions, not
    corrected for who answered; the deck's "Share of customer base: 34 %" dropped that."""
    from pptx import Presentation

    disc = make_discovery_folder(tmp_path / "disc", k=3, n=300, seed=8)
    base = json.loads((disc / "base_shares.json").read_text())
    base["corrected"] = False
    (disc / "base_shares.json").write_text(json.dumps(base))
    (deck,) = render_report(disc, out_dir=tmp_path / "out", lang=lang, formats=("pptx",))
    t = load_texts(lang)
    caveat = t["deck_base_uncorrected"]
    slides = [" ".join(sh.text_frame.text for sh in s.shapes if sh.has_text_frame)
              for s in Presentation(str(deck)).slides]
    for text in slides[1:]:  # the overview and every persona slide
        assert t["base_share"] in text and caveat in text
    assert not any(_INTERNAL.findall(text) for text in slides)
    # a corrected share carries no caveat
    base["corrected"] = True
    (disc / "base_shares.json").write_text(json.dumps(base))
    (deck,) = render_report(disc, out_dir=tmp_path / "out", lang=lang, formats=("pptx",))
    assert not any(caveat in " ".join(sh.text_frame.text for sh in s.shapes if sh.has_text_frame)
                   for s in Presentation(str(deck)).slides)


def _glyph_colours(document, glyph: str) -> set[tuple]:
    """The colours (r, g, b) WeasyPrint drew ``glyph`` with, over every page."""
    found = set()

    def walk(box):
        if getattr(box, "text", None) == glyph:
            c = box.style["color"]
            found.add(tuple(round(float(v), 3) for v in c[:3]))
        for child in getattr(box, "children", []) or []:
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return found


def test_reach_arrows_follow_the_one_colour_rule(tmp_path):
    """User trial 10: in "How to reach them" ▲ was drawn in the type's colour (blue on a
    blue type, which reads as "below") and ▼ grey, against README's one colour rule: red
    ▲ above, blue ▼ below, as the banner pages and banner.xlsx draw them; the deck too."""
    from matplotlib.colors import to_rgb
    from pptx import Presentation

    disc = make_discovery_folder(tmp_path / "disc", k=3, n=300, seed=8)
    types = yaml.safe_load((disc / "types.yaml").read_text())
    for ty in types["types"]:
        ty["color"] = "#0072B2"  # every type blue: a type-coloured ▲ would be blue
    (disc / "types.yaml").write_text(yaml.safe_dump(types, allow_unicode=True))
    crm = pd.read_csv(disc / "crm_profile.csv")
    assert {"up", "down"} <= set(np.where(crm["diff"] > 0, "up", "down")[crm["significant"].astype(bool)])
    doc = render_document(load_report_data(disc), "en").document
    red, blue = (tuple(round(v, 3) for v in to_rgb(c)) for c in ("#b42318", "#1f4e9a"))
    assert _glyph_colours(doc, "▲") == {red} and _glyph_colours(doc, "▼") == {blue}
    (deck,) = render_report(disc, out_dir=tmp_path / "out", lang="en", formats=("pptx",))
    runs = [r for s in Presentation(str(deck)).slides for sh in s.shapes if sh.has_text_frame
            for para in sh.text_frame.paragraphs for r in para.runs]
    up = {str(r.font.color.rgb) for r in runs if r.text.startswith("▲")}
    down = {str(r.font.color.rgb) for r in runs if r.text.startswith("▼")}
    assert up == {"B42318"} and down == {"1F4E9A"}


def test_a_column_has_one_label_on_a_page(tmp_path):
    """User trial 10: "Kortköp senaste 12 mån (kr)" (the outcome's label in instrument.yaml)
    in "Who they are", "Kortkop 12m kr" in "How to reach them" on the same page; CRM columns
    could not be labelled ("Alder", "Kon"). The reach table, the card's signals and the
    appendix use the instrument's label (an outcome's or descriptor's, else column_labels:)."""
    disc = make_discovery_folder(tmp_path / "disc", k=3, n=300, seed=8)
    src = json.loads((disc / "source.json").read_text())
    src["instrument"]["outcomes"] = [{"column": "basket_value", "label": "Korgvärde (kr)"}]
    src["instrument"]["column_labels"] = {"visits_per_month": "Besök per månad", "basket_value": "ignored"}
    (disc / "source.json").write_text(json.dumps(src))
    rows = []
    for t in (1, 2, 3):
        rows += [(t, "basket_value", 410.0, 300.0, 110.0, 0.61, 0.5, "numeric", None, 90, 1e-6, 1e-5, True),
                 (t, "visits_per_month", 2.0, 4.0, -2.0, -0.52, -0.45, "numeric", None, 90, 1e-5, 1e-4, True),
                 (t, "kundtjänst_kontakter", 1.0, 1.5, -0.5, -0.3, -0.3, "numeric", None, 90, 1e-3, 1e-2, True)]
    pd.DataFrame(rows, columns=["type_id", "feature", "mean", "overall", "diff", "effect_size", "diff_sd", "kind",
                                "level", "n", "p_value", "p_adjusted", "significant"]).to_csv(
        disc / "crm_profile.csv", index=False)
    ctx = build_context(load_report_data(disc), "sv")
    assert {c["feature"] for c in ctx["personas"][0]["crm"]} == {
        "Korgvärde (kr)", "Besök per månad", "Kundtjänst kontakter"}
    (disc / "crm_profile.csv").unlink()
    ctx = build_context(load_report_data(disc), "sv")
    note = ctx["personas"][0]["crm_note"]
    assert "besök per månad" in note.lower() and "visits" not in note


def test_amounts_are_whole_and_grouped_in_thousands():
    """User trial 10: kronor printed as "119333,0" and "118753,5": no thousands separators,
    a needless decimal. An amount of 100 or more is whole and grouped; a small one (9.3
    app logins) keeps its decimal; the two numbers of a row share one precision."""
    from behaviortypes.report.render import Formatter

    sv, en = Formatter("sv"), Formatter("en")
    assert sv.amount(119333.0) == "119\u202f333" and en.amount(79592.24) == "79,592"
    assert sv.amount(118753.5) == "118\u202f754" and sv.amount(-1234.5) == "−1\u202f235"
    assert sv.amount(9.3) == "9,3" and en.amount(16.5) == "16.5"
    assert sv.amount(54.2, like=[54.2, 1200.0]) == "54"  # a row's pair alike
    assert en.amount(float("nan")) == "–"


def test_crm_and_who_amounts_are_grouped(tmp_path):
    disc = make_discovery_folder(tmp_path / "disc", k=3, n=300, seed=8)
    rows = [(t, "spend_kr", 118753.5, 81459.0, 37294.5, 0.6, 0.5, "numeric", None, 90, 1e-6, 1e-5, True)
            for t in (1, 2, 3)]
    pd.DataFrame(rows, columns=["type_id", "feature", "mean", "overall", "diff", "effect_size", "diff_sd", "kind",
                                "level", "n", "p_value", "p_adjusted", "significant"]).to_csv(
        disc / "crm_profile.csv", index=False)
    (row,) = build_context(load_report_data(disc), "sv")["personas"][0]["crm"]
    assert (row["mean"], row["overall"]) == ("118\u202f754", "81\u202f459")


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_confusion_matrix_says_why_small_counts_are_shown(tmp_path, lang):
    """User trial 10: the confusion matrix showed cells of 5-10 respondents while the
    report says no group under 30 is shown. Counts of the model's agreement describe no
    group: the figure says so (and which axis is which), in the report's language."""
    disc = make_discovery_folder(tmp_path / "disc", k=3, n=300, seed=8)
    html = render_html(load_report_data(disc), lang)
    page = html[html.index('id="sec-lookalike"'):]
    note = load_texts(lang)["confusion_note"]
    assert str(escape(note)) in page and ("privacy minimum" if lang == "en" else "sekretessgränsen") in note


def test_the_cfa_check_is_not_left_alone_on_a_page(tmp_path):
    """User trial 10: the measurement appendix ran a little over its page, which left the CFA
    check alone on a page that was 85 % empty. An overflowing measurement page is laid out
    again with a lower scree figure, as an overflowing persona page is."""
    from behaviortypes import study

    disc = make_discovery_folder(tmp_path / "disc", k=4, n=400, seed=1)
    study.save(disc, "cfa.json", {"n": 1361, "n_factors": 4, "cfi": 0.95, "tli": 0.93, "rmsea": 0.07, "srmr": 0.05,
                                  "chi2": 492.1, "df": 41.0, "p_value": 0.0, "model": "F1 =~ a + b",
                                  "dropped_factors": [], "converged": True, "note_code": "", "note": "",
                                  "holdout": 0.5, "seed": 0})
    fx = json.loads((disc / "factors.json").read_text())  # the retention evidence table, six rows
    fx["retention"]["table"] = {str(m): {"eigenvalue": 5.5 / m, "pa_threshold": 0.4 - 0.05 * m, "map": 0.013 + 0.001 * m,
                                         "salient": "·".join(["4"] * m), "rmsea": 0.09 - 0.01 * m,
                                         "rmsea_low": 0.08 - 0.01 * m, "rmsea_high": 0.1 - 0.01 * m,
                                         "tli": 0.77 + 0.03 * m, "bic": 400 - 100 * m, "chosen": m == 4}
                                for m in range(1, 7)}
    (disc / "factors.json").write_text(json.dumps(fx))
    sol = json.loads((disc / "solution.json").read_text())
    sol["factor_reason"] = " ".join([sol["factor_reason"]] * 11)  # a long reason: the page overflows a little
    (disc / "solution.json").write_text(json.dumps(sol))
    doc = render_document(load_report_data(disc), "sv")
    pages = doc.section_pages
    after = min(p for p in pages.values() if p > pages["measurement"])
    assert after == pages["measurement"] + 1  # one page: the CFA check with the rest
    assert 'id="cfa-check"' in doc.html


def test_uncorrected_base_shares_say_the_one_reason_and_their_lean(tmp_path):
    """Trial 10: the overview note gave both possible reasons for not correcting the base shares
    ("...the customer columns, or ... too weakly") and said nothing of the raw predictions'
    pull toward the survey's mix; two of four true shares fell outside their intervals."""
    import json

    disc = make_discovery_folder(tmp_path / "disc", k=4, n=400, seed=1, with_quotes=False)
    doc = json.loads((disc / "base_shares.json").read_text())
    doc["corrected"] = False
    (disc / "base_shares.json").write_text(json.dumps(doc))
    card = json.loads((disc / "lookalike_card.json").read_text())
    for reason, en, sv in (("not_identified", "tell the types apart too weakly", "skiljer typerna åt för svagt"),
                           ("covariate_shift", "in the customer columns themselves", "i själva kundkolumnerna")):
        card["base"] = {"corrected": False, "reason": reason}
        (disc / "lookalike_card.json").write_text(json.dumps(card))
        data = load_report_data(disc)
        for lang, one, lean, other in (
                ("en", en, "lean toward the survey's own mix", "or the customer data"),
                ("sv", sv, "dras", "eller kunddata")):
            ctx = build_context(data, lang)
            note = ctx["t"]["base_uncorrected_note"]
            assert ctx["overview"]["base_uncorrected"] and one in note and lean in note, note
            assert other not in note and "lookalike_card.json" not in note, note
            html = render_html(data, lang)
            assert one in html


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_linked_but_unscored_base_says_run_score_not_no_base(tmp_path, lang):
    """User trial 11: a customer base WAS linked (lookalike card, CRM signals on the page) but
    not scored; every persona said "no customer base was linked". Say what is true and what to run."""
    disc = make_discovery_folder(tmp_path / "disc", k=3, n=300, seed=8)
    (disc / "base_shares.json").unlink()
    assert (disc / "lookalike_card.json").exists()
    t = load_texts(lang)
    with pytest.warns(UserWarning, match=r"not scored.*run `behaviortypes score OUT --customers FILE --out "
                      r"SCORED.parquet`"):
        html = render_html(load_report_data(disc), lang)  # the analyst is told what to run
    assert t["no_base"] not in html and t["no_base_scored"] in html
    personas = html[html.index('id="sec-type-1"'):]
    assert "behaviortypes" not in personas.replace("behaviortypes.", "")  # the client is not (trial 6)
    (disc / "lookalike_card.json").unlink()  # nothing linked: the old sentence is true
    html = render_html(load_report_data(disc), lang)
    assert t["no_base"] in html and t["no_base_scored"] not in html


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_appendix_says_straightliners_of_a_forward_only_survey_were_dropped(tmp_path, lang):
    """User trial 11: 15.7 % screened out as straightliners on an all-forward survey, and the
    report's data-quality appendix said nothing of it."""
    disc = make_discovery_folder(tmp_path / "disc", k=3, n=300, seed=8)
    summary = json.loads((disc / "screening_summary.json").read_text())
    summary.setdefault("summary", {})["straightlining"] = {"count": 12, "share": 0.04}
    (disc / "screening_summary.json").write_text(json.dumps(summary))
    t = load_texts(lang)
    words = t["straightlining_forward_only"].split("{n}")[0]
    assert words not in render_html(load_report_data(disc), lang)  # it has reverse-worded statements
    source = json.loads((disc / "source.json").read_text())
    for item in source["instrument"]["items"]:
        item["reverse"] = False
    (disc / "source.json").write_text(json.dumps(source))
    html = render_html(load_report_data(disc), lang)
    assert words + "12" in html and "longstring_share: 1.01" in html


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_quotes_are_said_to_illustrate_the_theme_not_the_types_side(tmp_path, lang):
    """User trial 11: "The most positive raters" (strongest believers) were quoted "Aliens?
    Honestly, I think it's nonsense." The codes carry no direction, so the page says so."""
    disc = make_discovery_folder(tmp_path / "disc", k=3, n=300, seed=8)
    data = load_report_data(disc)
    assert data.quotes is not None and len(data.quotes)
    t = load_texts(lang)
    assert str(escape(t["quotes_theme_note"])) in render_html(data, lang)


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_the_unscored_base_warning_names_every_option_score_requires(lang):
    """Review, session 16: the warning said to run `behaviortypes score OUT --customers FILE`,
    which score refuses ("Missing option '--out'"): the command it names must run as written."""
    import re

    import typer

    from behaviortypes.cli import app

    command = typer.main.get_command(app).commands["score"]
    required = {p.opts[0] for p in command.params if p.required and p.opts[0].startswith("--")}
    said = re.search(r"`(behaviortypes score [^`]*)`", load_texts(lang)["warn_report_base_not_scored"]).group(1)
    assert required == {"--customers", "--out"} and required <= set(said.split()), said
