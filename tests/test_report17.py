"""Session 17 (REPORT17): what the client opens.

1. The loadings page shows the factor correlations of an oblique rotation (psych's ``Phi``,
   SPSS's "Factor Correlation Matrix"), or says that an orthogonal rotation has none.
2. The differences page cut statements beyond two lines with "…"; statements of 150-220
   characters (English and Swedish) now read whole, on a page of their own.
3. The typing workbook printed 16-17 pages in LibreOffice; its print setup now gives the
   sheets a person reads (checked by LibreOffice headless and read back with openpyxl).
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest

from behaviortypes.report import build_context, load_report_data
from behaviortypes.report.render import (
    FACTOR_CORR_STRONG,
    ITEM_LABEL_WIDTH,
    factor_correlations,
    load_texts,
    render_document,
    Formatter,
)

from reportfixture import FACTOR_NAMES, ITEMS, make_discovery_folder

# --------------------------------------------------------------------------- long statements
#: 150-220 characters each (as the user trial's instruments had): a statement, then a
#: qualification; the last word of each is its own, so a cut one is seen.
_TAIL_EN = ("especially when the purchase is large enough that a mistake would cost me real money "
            "or a lot of time later on, which I always try hard to avoid")
_TAIL_SV = ("särskilt när köpet är så stort att ett misstag skulle kosta mig riktiga pengar eller "
            "mycket tid senare, vilket jag alltid försöker undvika")
_SV = ["Jag jämför priser före varje köp", "Jag väntar på erbjudanden innan jag köper",
       "Jag tänker sällan på vad saker kostar", "Jag använder rabattkoder när jag kan",
       "Jag vill att leveransen ska gå så fort som möjligt", "Jag betalar extra för att spara tid",
       "Jag har inget emot att köa i en butik", "Jag handlar i samma butik av vana",
       "Jag använder appen flera gånger i veckan", "Jag läser nyhetsbrevet",
       "Jag följer varumärket i sociala medier", "Jag pratar hellre med en människa än använder en webbplats",
       "Jag väljer produkter med miljömärkning", "Jag lämnar tillbaka förpackningar till återvinning",
       "Jag skulle betala mer för lokalt tillverkade varor", "Jag köper begagnat när jag kan"]


def _long_texts(lang: str) -> dict[str, str]:
    texts = {}
    for j, (item, text, *_rest) in enumerate(ITEMS):
        base = (_SV[j] if lang == "sv" else text)
        said = f"{base}, {_TAIL_SV if lang == 'sv' else _TAIL_EN} (nr {j + 1}{'abcdefghijklmnop'[j]})."
        texts[item] = said
    return texts


def _long_study(path: Path, lang: str, *, k: int = 4) -> tuple[Path, dict[str, str]]:
    disc = make_discovery_folder(path, k=k, n=500, seed=5, with_lookalike=False, with_quotes=False)
    texts = _long_texts(lang)
    assert all(150 <= len(t) <= 220 for t in texts.values()), sorted(map(len, texts.values()))
    src = json.loads((disc / "source.json").read_text())
    for item in src["instrument"]["items"]:
        item["text"] = texts[item["id"]]
    src["instrument"]["language"] = lang
    (disc / "source.json").write_text(json.dumps(src, ensure_ascii=False))
    return disc, texts


def _svg_lines(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]+)</text>", svg)


def _pdf_text(pdf: bytes) -> list[str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return [" ".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc))]
    finally:
        doc.close()


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_long_statements_read_whole_on_a_page_of_their_own(tmp_path, lang):
    """Statements of 150-220 characters were cut with "…" after two lines on the differences
    page. Laid out, every shown statement is there word for word (no "…"), on a page of its
    own after the dimensions, and every page of the differences fits one A4 page."""
    disc, texts = _long_study(tmp_path / "disc", lang)
    data = load_report_data(disc).in_language(lang)
    doc = render_document(data, lang)
    ctx = doc.context
    assert ctx["differences"]["own_page"]
    assert ctx["sections"][:3] == ["overview", "differences", "statements"]
    svg = ctx["differences"]["items_svg"]
    lines = _svg_lines(svg)
    assert not any("…" in line for line in lines)
    # every shown statement whole, as its wrapped lines (the figure writes one <text> a line)
    joined = " ".join(lines)
    shown = [k for k, v in texts.items() if v.split("(nr ")[1] in joined]
    assert len(shown) >= 10, joined[:400]
    for item in shown:
        assert " ".join(textwrap.wrap(texts[item], 66)) in joined, texts[item]
    pages = doc.section_pages
    assert pages["statements"] == pages["differences"] + 1  # each on one page, in order
    assert pages["type-1"] == pages["statements"] + 1
    text = _pdf_text(doc.pdf_bytes())[pages["statements"]]
    title = load_texts(lang)["items_heatmap_title_some"].split(":")[0]
    assert text.startswith(title) and "…" not in text
    assert f"nr {len(ITEMS)}" in text or any(f"nr {j + 1}" in text for j in range(len(ITEMS)))


def test_short_statements_stay_under_the_dimensions_wrapped_on_two_lines(tmp_path):
    """Statements that fit two lines (the fixture's) keep the one differences page."""
    disc = make_discovery_folder(tmp_path / "disc", k=4, n=400, seed=3, with_lookalike=False, with_quotes=False)
    ctx = build_context(load_report_data(disc), "en")
    assert not ctx["differences"]["own_page"] and "statements" not in ctx["sections"]
    assert all(len(textwrap.wrap(text, ITEM_LABEL_WIDTH)) <= 2 for _, text, *_ in ITEMS)
    assert not any("…" in line for line in _svg_lines(ctx["differences"]["items_svg"]))


# --------------------------------------------------------------------------- factor correlations
def _with_phi(disc: Path, phi: np.ndarray | None, rotation: str | None) -> Path:
    fx = json.loads((disc / "factors.json").read_text())
    ids = list(FACTOR_NAMES)
    if phi is not None:
        fx["factor_corr"] = {a: {b: float(phi[i, j]) for j, b in enumerate(ids)} for i, a in enumerate(ids)}
    if rotation is not None:
        fx["settings"] = {"rotation": rotation, "method": "minres"}
    (disc / "factors.json").write_text(json.dumps(fx))
    return disc


_PHI = np.array([[1.0, 0.41, -0.12, 0.05],
                 [0.41, 1.0, -0.335, 0.299],
                 [-0.12, -0.335, 1.0, 0.0],
                 [0.05, 0.299, 0.0, 1.0]])


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_oblique_factor_correlations_are_on_the_loadings_page(tmp_path, lang):
    disc = _with_phi(make_discovery_folder(tmp_path / "disc", k=3, n=300, seed=2, with_lookalike=False,
                                           with_quotes=False), _PHI, "oblimin")
    data = load_report_data(disc).in_language(lang)
    t, fmt = load_texts(lang), Formatter(lang)
    corr = factor_correlations(data, t, fmt)
    rows = corr["table"]["rows"]
    assert corr["table"]["columns"] == [1, 2, 3, 4]
    assert [r["name"] for r in rows] == [data.factor_names[f] for f in FACTOR_NAMES]
    # the lower triangle, two decimals, the diagonal 1; |r| >= 0.30 strong (0.299 is not)
    got = [[(c["text"], c["strong"]) for c in r["cells"]] for r in rows]
    dec = "," if lang == "sv" else "."
    assert got[1] == [(f"0{dec}41", True), ("1", False)]
    assert got[2] == [(f"−0{dec}12", False), (f"−0{dec}34", True), ("1", False)]
    assert got[3] == [(f"0{dec}05", False), (f"0{dec}30", False), (f"0{dec}00", False), ("1", False)]
    assert [r["blank"] for r in rows] == [3, 2, 1, 0]
    assert FACTOR_CORR_STRONG == 0.3 and "oblimin" in corr["note"] and f"0{dec}30" in corr["note"]
    doc = render_document(data, lang)
    page = _pdf_text(doc.pdf_bytes())[doc.section_pages["loadings"]]
    assert t["loadings_title"] in page and t["fcorr_title"] in page  # beside the loadings, one page
    assert f"−0{dec}34" in page and corr["note"][:40] in page
    assert re.search(r"<strong>−0[.,]34</strong>", doc.html) and not re.search(r"<strong>0[.,]30</strong>", doc.html)


@pytest.mark.parametrize("rotation", ["varimax", None])
def test_an_orthogonal_rotation_says_it_has_no_factor_correlations(tmp_path, rotation):
    disc = _with_phi(make_discovery_folder(tmp_path / "disc", k=3, n=300, seed=2, with_lookalike=False,
                                           with_quotes=False), np.eye(4), rotation)
    for lang in ("en", "sv"):
        corr = factor_correlations(load_report_data(disc), load_texts(lang), Formatter(lang))
        assert corr["table"] is None
        key = "fcorr_orthogonal" if rotation else "fcorr_orthogonal_unnamed"
        assert corr["note"] == load_texts(lang)[key].format(rotation=rotation)
        assert (rotation or "") in corr["note"]
    html = build_context(load_report_data(disc), "en")["appendix"]["factor_corr"]
    assert html["note"].startswith("The rotation (varimax) is orthogonal" if rotation else "The dimensions are uncorrelated")


def test_one_dimension_or_no_record_gives_no_factor_correlations(tmp_path):
    disc = make_discovery_folder(tmp_path / "disc", k=3, n=300, seed=2, with_lookalike=False, with_quotes=False)
    fx = json.loads((disc / "factors.json").read_text())
    fx.pop("factor_corr")
    (disc / "factors.json").write_text(json.dumps(fx))
    assert factor_correlations(load_report_data(disc), load_texts("en"), Formatter("en")) is None
    fx["factor_corr"] = {"F1": {"F1": 1.0}}
    (disc / "factors.json").write_text(json.dumps(fx))
    assert factor_correlations(load_report_data(disc), load_texts("en"), Formatter("en")) is None


# --------------------------------------------------------------------------- the typing workbook printed
def _workbook_study(root: Path, lang: str) -> Path:
    from test_typing_deliverables import _make_study

    if lang == "sv":
        return _make_study(root, k=3, lo=1, hi=7, n_items=10, n=600, seed=5, language="sv",
                           names=["Planeraren", "Spontanköparen", "Den försiktiga"],
                           taglines=["Jämför och väljer", "Köper på känsla", "Tänker två gånger"],
                           texts=["Jag jämför priser.", "Jag köper det jag gillar direkt.", "Jag skriver listor."])
    return _make_study(root, k=5, lo=1, hi=5, n_items=12, n=800, seed=9, language="en",
                       names=["The planner", "The impulse buyer", "The careful one", "The loyal one", "The social one"],
                       taglines=["Thinks first.", "Buys on a whim.", "Checks twice.", "Comes back.", "Asks friends."],
                       texts=["I compare prices.", "I buy what I like at once.", "I make lists."])


_SHEETS = {"en": ("How to use", "answers", "types", "model", "calc"),
           "sv": ("Så använder du", "svar", "typer", "modell", "beräkning")}


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_workbook_page_setup_reads_back(tmp_path, lang):
    """Every sheet a person reads prints on one page width with its header row on each page
    and a footer naming the sheet and the page; the help sheet's print area is its text; the
    arithmetic sheet is hidden, so it never prints."""
    import warnings

    from openpyxl import load_workbook

    from behaviortypes.deliver import write_typing_xlsx

    book = write_typing_xlsx(_workbook_study(tmp_path / "s", lang), tmp_path / "tool.xlsx", lang)
    with warnings.catch_warnings():  # the types sheet's print area by formula (Excel's), dropped by openpyxl
        warnings.simplefilter("ignore", UserWarning)
        wb = load_workbook(book)
    help_ws, ans, typ, mod, calc = (wb[s] for s in _SHEETS[lang])
    assert wb.sheetnames == list(_SHEETS[lang])
    assert calc.sheet_state == "hidden" and all(ws.sheet_state == "visible" for ws in (help_ws, ans, typ, mod))
    for ws in (help_ws, ans, typ, mod):
        setup = ws.page_setup
        assert (setup.fitToWidth, setup.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage) == (1, 0, True), ws.title
        assert ws.oddFooter.left.text == "&A" and ws.oddFooter.right.text == "&P / &N", ws.title
    assert help_ws.print_area == f"'{help_ws.title}'!$A$1:$C${help_ws.max_row}"
    assert help_ws.page_setup.orientation == typ.page_setup.orientation == "portrait"
    assert mod.page_setup.orientation == "landscape"
    assert ans.print_title_rows == typ.print_title_rows == mod.print_title_rows == "$1:$1"
    # the answers sheet turns landscape only when its columns are wider than a portrait page
    width = sum(ans.column_dimensions[c].width for c in ans.column_dimensions)
    assert ans.page_setup.orientation == ("landscape" if width > 100 else "portrait"), width


def _pages_by_sheet(pdf: Path, sheets: tuple[str, ...]) -> dict[str, list[int]]:
    """Printed pages per sheet, read from each page's footer ("types 3 / 16")."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    found: dict[str, list[int]] = {s: [] for s in sheets}
    try:
        for i in range(len(doc)):
            text = doc[i].get_textpage().get_text_range()
            footer = re.search(rf"({'|'.join(map(re.escape, sheets))})\s+{i + 1} / {len(doc)}\s", text)
            assert footer, (i + 1, text[:200])
            found[footer.group(1)].append(i + 1)
    finally:
        doc.close()
    return found


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_workbook_printed_by_libreoffice_gives_each_sheet_a_person_reads(tmp_path, lang):
    """LibreOffice headless prints the workbook to PDF: the help sheet, the answers sheet and
    the model on one page each, the arithmetic sheet not at all, every page's footer naming
    its sheet. 30 typed rows print on the types sheet's first page. LibreOffice 7.4 drops
    the types sheet's print area by formula (Excel follows it), so there the types sheet
    still prints its 1,000 formula rows; the count is recorded, not hidden."""
    from openpyxl import load_workbook

    from behaviortypes.deliver import write_typing_xlsx
    from test_typing_deliverables import _libreoffice

    book = write_typing_xlsx(_workbook_study(tmp_path / "s", lang), tmp_path / "tool.xlsx", lang)
    names = _SHEETS[lang]
    pages = _pages_by_sheet(_libreoffice(book, "pdf", tmp_path / "lo"), names)
    assert [len(pages[s]) for s in (names[0], names[1], names[3], names[4])] == [1, 1, 1, 0], pages
    assert pages[names[2]] == list(range(3, 3 + len(pages[names[2]])))  # help, answers, types, model
    wb = load_workbook(book)
    ans = wb[names[1]]
    items = [c.value for c in ans[1]][1:]
    for r in range(2, 32):
        ans.cell(r, 1, f"R{r:03d}")
        for j in range(len(items)):
            ans.cell(r, 2 + j, 1 + (r + j) % 5)
    wb.save(tmp_path / "filled.xlsx")
    (tmp_path / "lo2").mkdir()
    out = _libreoffice(tmp_path / "filled.xlsx", "pdf", tmp_path / "lo2")
    filled = _pages_by_sheet(out, names)
    assert [len(filled[s]) for s in (names[0], names[1], names[3], names[4])] == [1, 1, 1, 0], filled
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(out))
    first = doc[filled[names[2]][0] - 1].get_textpage().get_text_range()
    doc.close()
    assert "R002" in first and "R031" in first  # every typed row on the types sheet's first page
    print(f"\n{lang}: LibreOffice pages by sheet, empty workbook {({s: len(p) for s, p in pages.items()})}")
