"""The report's render does no work twice (session 19, REPSPEED; timings: bench/report_render.py).

A section that overflows its page is laid out again smaller (``render_document``); the
figures of the sections whose level did not change are drawn once per render, the check
of a shrunk section lays out that section alone, and the SVG the figures are embedded as
carries no empty wrappers. None of it changes what the report shows.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET
from collections import Counter

import matplotlib.pyplot as plt
import pytest
import weasyprint
import yaml

from behaviortypes import plots
from behaviortypes.report import build_context, figcache, load_report_data, render_document, render_html
from reportfixture import make_discovery_folder

#: Long enough that the overview (sizes, map, table) overflows its page at levels 0 and 1.
LONG_NAME = "The remarkably thorough, price-conscious and ever-careful planners of every weekly shop {}"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """A report whose overview shrinks twice, rendered once with every figure function and
    every layout counted."""
    disc = make_discovery_folder(tmp_path_factory.mktemp("speed") / "disc", k=3, n=300, seed=2,
                                 with_lookalike=False)
    doc = yaml.safe_load((disc / "types.yaml").read_text())
    for ty in doc["types"]:
        ty["name"] = LONG_NAME.format(ty["type_id"])
        ty["tagline"] = "They compare, they wait, they plan, and they never buy on impulse. " * 3
    (disc / "types.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True))
    data = load_report_data(disc)
    calls: Counter = Counter()
    layouts: list[list[str]] = []
    mp = pytest.MonkeyPatch()
    figcache.clear()  # every figure drawn in this render (none kept from another test's)
    for name in [n for n in dir(plots) if n.startswith("plot_")]:
        # named as the function it counts, so the figures' cache keeps what it draws (session 23)
        @functools.wraps(getattr(plots, name))
        def counted(*args, _f=getattr(plots, name), _name=name, **kwargs):
            calls[_name] += 1
            return _f(*args, **kwargs)
        mp.setattr(plots, name, counted)
    render = weasyprint.HTML.render

    def laid_out(self, *args, **kwargs):
        doc = render(self, *args, **kwargs)
        layouts.append([a[4:] for page in doc.pages for a in page.anchors if a.startswith("sec-")])
        return doc
    mp.setattr(weasyprint.HTML, "render", laid_out)
    try:
        result = render_document(data, "en")
    finally:
        mp.undo()
    return data, result, calls, layouts


def test_the_overview_shrinks_twice(rendered):
    """The fixture does what the other tests need: the overview needs both compact levels."""
    _, result, _, _ = rendered
    assert 'id="sec-overview" class="page overview' in result.html
    assert result.context["overview"]["sizes_svg"]
    pages = sorted(result.section_pages.values()) + [result.n_pages]
    start = result.section_pages["overview"]
    assert pages[pages.index(start) + 1] - start == 1  # it fits now
    assert [p["level"] for p in result.context["personas"]] == [0, 0, 0]


def test_each_figure_is_drawn_once_per_section_and_level(rendered):
    """Before session 19 every figure was drawn again on each of the three passes (the
    emblems and drivers 3 times each here); now only the overview's two figures that depend on
    its level are drawn again, once per level (0, 1, 2)."""
    data, result, calls, _ = rendered
    k = len(result.context["personas"])
    assert k == 3
    assert calls["plot_emblem"] == k and calls["plot_drivers"] == k
    assert calls["plot_sizes"] == 3
    assert calls["plot_umap"] == (3 if data.umap is not None else 0)
    assert calls["plot_profile_heatmap"] == 2  # the dimensions and the statements, once each
    for name in ("plot_loadings", "plot_scree", "plot_funnel", "plot_k_evidence", "plot_stability"):
        assert calls[name] <= 1, name


def test_a_shrunk_section_is_checked_alone(rendered):
    """Three layouts: the whole report, the overview alone at level 1 (still two pages), the
    whole report at the levels found (before: the whole report three times)."""
    _, result, _, layouts = rendered
    assert len(layouts) == 3
    assert layouts[1] == ["overview", "overview"]  # two pages, the other sections not laid out
    assert set(layouts[0]) == set(layouts[2]) == set(result.section_pages)


def test_reused_figures_change_nothing(rendered):
    """The report at the levels found, its figures drawn anew, is the same HTML byte for byte."""
    data, result, _, _ = rendered
    compact = {"overview": 2}
    with plots.number_style("en"):
        context = build_context(data, "en", compact=compact)
    assert render_html(data, "en", context=context) == result.html


def test_figure_svg_has_no_bare_groups():
    """matplotlib wraps every artist in a ``<g id="...">``; those (and bare ``<g>``) are left
    out, the rest of the drawing is kept element for element, and the SVG is well formed."""
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([1, 2, 3], [2, 1, 3], marker="o")
    ax.set_title("a title")
    ax.legend(["a line"])
    svg = plots.figure_to_svg(fig)
    plt.close(fig)
    assert not re.search(r'<g(?: id="[^"]*")?>', svg)
    assert "<metadata" not in svg
    root = ET.fromstring(svg)
    drawn = Counter(el.tag.rsplit("}", 1)[-1] for el in root.iter())
    assert drawn["text"] >= 5 and drawn["use"] >= 3 and drawn["path"] >= 5 and drawn["clipPath"] == 1
    assert all(g.attrib for g in root.iter("{http://www.w3.org/2000/svg}g"))  # what is left carries something
