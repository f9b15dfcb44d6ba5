"""Session 23 (SUITE23A): the PDF's figures are laid out as images (bench/README.md, "Session 23").

WeasyPrint parsed and styled every element of every inline ``<svg>`` figure on each layout
pass. The HTML it lays out now carries each figure as an ``<img class="svg">`` with the same
SVG as a data URI, a figure sized explicitly as the inline one was (session 22's try without
that changed the lookalike page's grid: the confusion matrix is wider than half the page).
The pages must be the same: same count, same text, every figure at the same place and size.
The user's HTML keeps its inline SVG.
"""

from __future__ import annotations

import base64
import re

import pytest
import weasyprint
from weasyprint.formatting_structure import boxes

from behaviortypes.report import load_report_data, render_document
from behaviortypes.report.render import STATIC

from reportfixture import make_discovery_folder

_IMG = re.compile(r'<img class="svg" alt=""( style="width: ([^"]+)")? src="data:image/svg\+xml;base64,([^"]+)">')


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """A report with a lookalike page (its grid holds the confusion matrix), rendered once,
    with the HTML of every layout kept."""
    disc = make_discovery_folder(tmp_path_factory.mktemp("suite23a") / "disc", k=3, n=300, seed=8)
    laid_out: list[str] = []
    init = weasyprint.HTML.__init__

    def kept(self, *args, string=None, **kwargs):
        laid_out.append(string)
        init(self, *args, string=string, **kwargs)

    mp = pytest.MonkeyPatch()
    mp.setattr(weasyprint.HTML, "__init__", kept)
    try:
        result = render_document(load_report_data(disc), "en")
    finally:
        mp.undo()
    return result, laid_out


def test_figures_are_laid_out_as_images_with_explicit_sizes(rendered):
    """Before: the HTML laid out was the user's, 20-odd inline ``<svg>`` figures."""
    result, laid_out = rendered
    svgs = re.findall(r"<svg\b[^>]*>.*?</svg>", result.html, re.S)
    assert len(svgs) >= 15 and laid_out
    for html in laid_out:
        assert "<svg" not in html
    images = _IMG.findall(laid_out[-1])
    assert len(images) == len(svgs)
    sized = 0
    for svg, (_, width, data) in zip(svgs, images):
        drawn = base64.b64decode(data).decode("utf-8")
        assert drawn == svg or drawn == svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
        if width:  # a .fig figure: the width WeasyPrint gave the inline svg (its attribute)
            assert re.search(rf'<svg\b[^>]*\swidth="{re.escape(width)}"', svg)
            sized += 1
    n_emblems = len(result.context["personas"])
    assert sized == len(svgs) - n_emblems  # the emblems keep the stylesheet's size


def _page_contents(doc) -> list[tuple[list[str], list[tuple]]]:
    """Per page: its text, and the place and size of each figure (replaced box), in points."""
    pages = []
    for page in doc.pages:
        texts, figures = [], []
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            if isinstance(box, boxes.TextBox):
                texts.append(box.text)
            elif isinstance(box, boxes.ReplacedBox):
                figures.append(tuple(round(v, 3) for v in (box.position_x, box.position_y, box.width, box.height)))
            stack.extend(reversed(getattr(box, "children", [])))
        pages.append((texts, figures))
    return pages


def test_the_pages_are_those_of_the_inline_figures(rendered):
    """The user's HTML (inline SVG) laid out as before: the same pages, text and figure boxes
    (without the explicit widths the confusion matrix was 332.6 pt wide, not 345.6)."""
    result, _ = rendered
    inline = weasyprint.HTML(string=result.html, base_url=str(STATIC)).render()
    before, after = _page_contents(inline), _page_contents(result.document)
    assert len(after) == len(before) == result.n_pages
    assert sum(len(figures) for _, figures in after) >= 15
    for page, (was, now) in enumerate(zip(before, after), 1):
        assert now == was, f"page {page}"
