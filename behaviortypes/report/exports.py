"""Other deliverables from the same content: a PowerPoint deck and PNG persona cards.

The deck (python-pptx) has a title slide, an overview slide and one editable slide
per type (text boxes, not pictures of text), so a strategist can restyle it in
their corporate template. The cards are the persona pages of the PDF rendered to
PNG with pypdfium2, for chat, intranet pages and workshops.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from .. import plots
from ..files import atomic_path, write_bytes
from .data import ReportData
from .owned import CARD_MARK, REPORT_MARK

if TYPE_CHECKING:  # pragma: no cover - annotations only: render imports this module
    from .render import RenderedDocument

__all__ = ["export_pptx", "export_cards", "deck_cautions", "deck_evidence_note"]

#: Height of the bottom page margin that holds the PDF footer, in points (15 mm).
_FOOTER_PT = 15 / 25.4 * 72


def export_cards(
    data: ReportData,
    out_dir: str | Path,
    *,
    rendered: RenderedDocument,
    scale: float = 1.5,
) -> list[Path]:
    """Write one PNG per persona page (``type_<id>.png``).

    Parameters
    ----------
    data : ReportData
    out_dir : str or Path
        Folder for the PNG files (created).
    rendered : RenderedDocument
        The laid-out report in the cards' language (``render_document(data, lang)``).
    scale : float, default=1.5
        Pixels per PDF point (1.5 ≈ 108 dpi: 893 × 1263 px for A4).

    Returns
    -------
    list of Path
        The PNG files, in type order (none for a discovery that found no distinct
        types, k = 1: it has no persona pages).

    Notes
    -----
    Cards written by an earlier run for types that are no longer shown (a type that
    fell below ``min_group_size``) are removed; only cards this tool wrote (marked in
    the PNG's ``Software`` text) are ever removed.
    """
    import pypdfium2 as pdfium

    from PIL.PngImagePlugin import PngInfo

    pdf = pdfium.PdfDocument(rendered.pdf_bytes())
    out_dir = Path(out_dir)
    written = []
    mark = PngInfo()
    mark.add_text("Software", _CARD_MARK)  # how a later run knows the card is ours
    try:
        for tid in [p["id"] for p in rendered.context["personas"]]:  # none when k = 1 (one group)
            index = rendered.section_pages[f"type-{int(tid)}"]
            # a card is the page without the PDF's footer (page number, running title),
            # which sits in the bottom page margin (15 mm, see report.css)
            image = pdf[index].render(scale=scale, crop=(0, _FOOTER_PT, 0, 0)).to_pil()
            buf = io.BytesIO()
            image.save(buf, format="PNG", optimize=True, pnginfo=mark)
            written.append(write_bytes(out_dir / f"type_{int(tid)}.png", buf.getvalue()))
    finally:
        pdf.close()
    _remove_stale_cards(out_dir, written)
    return written


_CARD_MARK = CARD_MARK  # (see report.owned)


def _remove_stale_cards(out_dir: Path, written: list[Path]) -> list[Path]:
    """Remove persona cards of an earlier run whose type is no longer shown.

    A type that fell below ``min_group_size`` (or vanished on a re-run) keeps no card.
    Only ``type_<id>.png`` files carrying our PNG mark are removed; anything else in the
    folder, including a PNG of the same name made by someone else, stays.
    """
    from PIL import Image, UnidentifiedImageError

    keep = {p.name for p in written}
    removed = []
    for path in sorted(out_dir.glob("type_*.png")) if out_dir.is_dir() else []:
        if path.name in keep or path.is_symlink() or not path.is_file():
            continue
        try:
            with Image.open(path) as image:
                ours = image.format == "PNG" and image.info.get("Software") == _CARD_MARK
        except (OSError, UnidentifiedImageError, ValueError):
            ours = False
        if ours:
            path.unlink()
            removed.append(path)
    return removed


def _rgb(colour: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(colour.lstrip("#").upper())


def _text(slide, x, y, w, h, text, *, size=14, bold=False, italic=False, colour="#222222", wrap=True):
    from pptx.util import Pt

    from pptx.enum.text import MSO_AUTO_SIZE

    box = slide.shapes.add_textbox(x, y, w, h)
    frame = box.text_frame
    frame.word_wrap = wrap
    frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE  # PowerPoint shrinks long text to the box
    lines = text if isinstance(text, list) else [text]
    for i, line in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        # a line is a text, or (text, colour) parts: a ▲/▼ in the one colour rule's red or blue
        for part, ink in ([(line, colour)] if isinstance(line, str) else line):
            run = para.add_run()
            run.text = part
            run.font.size = Pt(size)
            run.font.bold = bold
            run.font.italic = italic
            run.font.color.rgb = _rgb(ink)
    return box


#: The one colour rule (README, the banner pages, banner.xlsx): red ▲ above, blue ▼ below.
_ARROWS = {"up": ("▲ ", "#b42318"), "down": ("▼ ", "#1f4e9a")}


def _reach_line(row: dict, everyone: str) -> list[tuple[str, str]]:
    """One "How to reach them" row of a persona slide as (text, colour) parts."""
    rest = f"{row['feature']}: {row['mean']} ({everyone}: {row['overall']})"
    arrow = _ARROWS.get(row["dir"])
    return [arrow, (rest, "#222222")] if arrow else [(rest, "#222222")]


def _notes(slide, text: str) -> None:
    """The slide's speaker notes (what the presenter sees, not the audience)."""
    if text:
        slide.notes_slide.notes_text_frame.text = text


def _caution_line(slide, data: ReportData, context: dict) -> float:
    """The overview slide's caution line (when there is one) and speaker notes; returns where
    the slide's content starts (inches)."""
    from pptx.util import Inches

    cautions = deck_cautions(data, context)
    _notes(slide, deck_evidence_note(data, context))
    if not cautions:
        return 1.4
    _text(slide, Inches(0.6), Inches(1.1), Inches(12.2), Inches(0.5), " ".join(cautions), size=13, bold=True,
          colour="#b42318")
    return 1.7


def deck_cautions(data: ReportData, context: dict) -> list[str]:
    """The report's headline cautions as the deck's one line (user trial 12, F6).

    The "Read these types with care" box of the report's first page (weak evidence for
    distinct types, ``structure_warning``), its "Read with care" box (its title: the types
    are levels of one dimension, or a continuum) and, when the lookalike card records it
    (``weakness``), that the lookalike is barely better than guessing the largest type.
    """
    t, out = context["t"], []
    overview = context.get("overview") or {}
    if overview.get("structure"):  # the first page's "Read these types with care" (LEFT20)
        out.append(t["deck_weak_evidence"])
    if overview.get("continuum"):
        out.append(str(overview.get("continuum_title") or t["k_continuum_title"]).rstrip(".") + ".")
    weak = (data.card or {}).get("weakness") or {}
    if weak.get("weak") and weak.get("accuracy") is not None and weak.get("majority_accuracy") is not None:
        from .render import Formatter  # lazily: render imports this module

        fmt = Formatter(context.get("lang", "en"))
        out.append(t["deck_weak_lookalike"].format(accuracy=fmt.pct(float(weak["accuracy"]), 1),
                                                   majority=fmt.pct(float(weak["majority_accuracy"]), 1)))
    return out


def deck_evidence_note(data: ReportData, context: dict) -> str:
    """The overview slide's speaker notes: the cautions in full and where the evidence is."""
    t = context["t"]
    overview = context.get("overview") or {}
    parts = [overview.get("structure") or "", overview.get("continuum") or "", t["deck_notes_overview"]]
    if data.card is not None:
        parts.append(t["deck_notes_lookalike"])
    return "\n\n".join(p for p in parts if p)


def export_pptx(data: ReportData, path: str | Path, *, context: dict) -> Path:
    """Write a PowerPoint deck: title, overview and one slide per type.

    For a discovery that found no distinct types (k = 1) the deck is the title and one
    slide saying so (the reason, what was not made, how to describe subgroups anyway).

    Parameters
    ----------
    data : ReportData
    path : str or Path
        The ``.pptx`` file to write.
    context : dict
        The report's template context in the deck's language (``build_context(data, lang)``).

    Returns
    -------
    Path
    """
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE
    from pptx.util import Inches

    ctx = context
    t = ctx["t"]
    deck = Presentation()
    deck.core_properties.comments = REPORT_MARK  # how a later run knows the deck is ours
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    blank = deck.slide_layouts[6]

    slide = deck.slides.add_slide(blank)
    _text(slide, Inches(0.8), Inches(2.4), Inches(11.5), Inches(1.2), t["report_title"], size=44, bold=True)
    _text(slide, Inches(0.8), Inches(3.6), Inches(11.5), Inches(1.0), ctx["subtitle"], size=20, colour="#555555")

    slide = deck.slides.add_slide(blank)
    _text(slide, Inches(0.6), Inches(0.4), Inches(12), Inches(0.8), t["deck_overview"], size=28, bold=True)
    one = ctx["overview"].get("one_group")
    if one:  # no distinct types (k = 1): say so; no sizes, no persona slides
        _text(slide, Inches(0.6), Inches(1.4), Inches(12), Inches(0.7), one["title"], size=24, bold=True)
        _text(slide, Inches(0.6), Inches(2.2), Inches(12), Inches(4.6),
              [one["reason"], "", one["body"], "", one["hint"]], size=15)
        path = Path(path)
        with atomic_path(path, suffix=".pptx") as tmp:
            deck.save(str(tmp))
        return path
    rows = [f"{r['name']} — {r['share']} ({r['ci']})" + (f" · {t['base_share']}: {r['base']}" if r["base"] else "")
            for r in ctx["overview"]["table"]]
    # the PDF's caveat, kept: an uncorrected share leans toward the survey's own mix (trial 10)
    raw = ctx["overview"].get("base_uncorrected", False)
    if raw:
        rows += ["", f"{t['base_share']}: {t['deck_base_uncorrected']}."]
    top = _caution_line(slide, data, ctx)  # the report's headline cautions, one line (user trial 12)
    _text(slide, Inches(0.6), Inches(top), Inches(5.8), Inches(6.9 - top), rows, size=15)
    types = data.types
    fig = plots.plot_sizes(types.reset_index()[["type_id", "share", "ci_low", "ci_high"]],
                           names=types["name"].to_dict(), colors=types["color"].to_dict(),
                           base_shares=types["base_share"].dropna().to_dict() or None,
                           labels={"x": t["plot_share"], "survey": t["plot_survey"], "base": t["plot_base"]},
                           lang=ctx["lang"])
    fig.set_size_inches(6, 0.8 + 0.45 * len(types))
    slide.shapes.add_picture(io.BytesIO(plots.figure_to_png(fig, dpi=200)), Inches(6.8), Inches(top), width=Inches(6))
    if ctx["hidden_note"]:
        _text(slide, Inches(0.6), Inches(6.5), Inches(12), Inches(0.8), ctx["hidden_note"], size=11, colour="#777777")

    factors = data.profiles[data.profiles["kind"] == "factor"]
    for p in ctx["personas"]:
        slide = deck.slides.add_slide(blank)
        _notes(slide, t["deck_notes_type"].format(name=p["name"]))
        band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, Inches(4.3), deck.slide_height)
        band.fill.solid()
        band.fill.fore_color.rgb = _rgb(p["color"])
        band.line.fill.background()
        prof = factors[factors["type_id"] == p["id"]].set_index("key")["diff"]
        emblem = plots.plot_emblem(prof, color=p["color"], size=2.2)
        emblem.patch.set_facecolor("white")
        slide.shapes.add_picture(io.BytesIO(plots.figure_to_png(emblem, dpi=200)), Inches(1.05), Inches(0.5),
                                 width=Inches(2.2))
        ink = p["ink"]
        _text(slide, Inches(0.35), Inches(2.9), Inches(3.6), Inches(0.4), p["of"].upper(), size=11, colour=ink)
        # the whole name, smaller when long (the analyst's words are never cut)
        size = 30 if len(p["name"]) <= 26 else 22 if len(p["name"]) <= 48 else 16
        _text(slide, Inches(0.35), Inches(3.25), Inches(3.6), Inches(1.3), p["name"], size=size, bold=True, colour=ink)
        _text(slide, Inches(0.35), Inches(4.5), Inches(3.6), Inches(0.9), p["tagline"], size=17, italic=True, colour=ink)
        keys = [f"{t['survey_share']}: {p['share']} ({p['ci']})", f"{t['respondents']}: {p['n']}"]
        if p["base_share"]:
            keys.insert(1, f"{t['base_share']}: {p['base_share']}"
                        + (f" ({t['deck_base_uncorrected']})" if raw else ""))
        _text(slide, Inches(0.35), Inches(5.5), Inches(3.7), Inches(1.6), keys, size=12, colour=ink)

        _text(slide, Inches(4.7), Inches(0.35), Inches(8.2), Inches(0.5), t["what_they_do"], size=18, bold=True,
              colour=p["color"] if p["ink"] == "#ffffff" else "#222222")
        _text(slide, Inches(4.7), Inches(0.85), Inches(8.2), Inches(2.2),
              [f"• {b['text']}  ({b['mean']} {t['vs']} {b['overall']})" for b in p["do"]] or ["–"], size=13)
        y = 3.05
        if p["needs"] or p.get("needs_note"):
            said = " ".join(x for x in (p.get("needs_note"), ", ".join(p["needs"])) if x)
            _text(slide, Inches(4.7), Inches(y), Inches(8.2), Inches(0.9 if p.get("needs_note") else 0.5),
                  f"{t['what_they_need']}: " + said, size=12 if p.get("needs_note") else 13, bold=True)
            y += 1.0 if p.get("needs_note") else 0.6
        if p["quotes"]:
            _text(slide, Inches(4.7), Inches(y), Inches(8.2), Inches(0.5), t["in_their_words"], size=18, bold=True)
            _text(slide, Inches(4.7), Inches(y + 0.5), Inches(8.2), Inches(1.8),
                  [t["quoted"].format(text=q["text"]) + f" — {q['who']}" for q in p["quotes"][:2]], size=12,
                  italic=True, colour="#444444")
            y += 2.2
        if p["crm"]:
            _text(slide, Inches(4.7), Inches(y), Inches(8.2), Inches(0.5), t["how_to_reach"], size=18, bold=True)
            _text(slide, Inches(4.7), Inches(y + 0.5), Inches(8.2), Inches(1.4),
                  [_reach_line(c, t["everyone_linked"]) for c in p["crm"][:3]], size=12)
        if p.get("caution"):  # weak evidence, on every type's slide (LEFT20)
            _text(slide, Inches(4.7), Inches(0.02), Inches(8.4), Inches(0.35), t["deck_weak_evidence_type"],
                  size=10, bold=True, colour="#b42318")
    path = Path(path)
    with atomic_path(path, suffix=".pptx") as tmp:
        deck.save(str(tmp))
    return path
