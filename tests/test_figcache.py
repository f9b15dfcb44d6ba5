"""The report's figures are drawn once for each set of inputs (session 22, SUITEB).

Drawing and writing the ~20 SVG figures was 2.3-2.6 of the ~3 CPU seconds of every
``build_context``; re-rendering after an edit drew them all again. A kept figure must be
the same SVG, byte for byte, as one drawn afresh, and a change in anything the figure is
drawn from (the data, a name, the number style, the size) must draw it again.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.figure import Figure

from behaviortypes import plots
from behaviortypes.report import build_context, figcache, load_report_data, render_html

from reportfixture import make_discovery_folder


@pytest.fixture(scope="module")
def disc(tmp_path_factory):
    return make_discovery_folder(tmp_path_factory.mktemp("figcache") / "disc", k=3, n=300, seed=8)


@pytest.fixture()
def saved(monkeypatch):
    """Counts the figures matplotlib writes (``Figure.savefig``), the cache emptied first."""
    figcache.clear()
    calls = []
    savefig = Figure.savefig

    def counted(self, *args, **kwargs):
        calls.append(self)
        return savefig(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", counted)
    return calls


def _fresh_html(data, lang, monkeypatch) -> str:
    """The report's HTML with every figure drawn afresh (the SVG writer wrapped: nothing kept)."""
    to_svg = plots.figure_to_svg
    with monkeypatch.context() as mp:
        mp.setattr(plots, "figure_to_svg", lambda fig, **kw: to_svg(fig, **kw))
        return render_html(data, lang)


def test_kept_figures_are_the_figures_drawn_afresh(disc, saved, monkeypatch):
    """The Swedish context built outside Swedish number style first (its figures keep English
    numbers), then the report: the same HTML, byte for byte, as drawing every figure anew
    (English: the edit's test below)."""
    lang = "sv"
    data = load_report_data(disc).in_language(lang)
    one = build_context(data, lang)  # outside number_style: English numbers in the figures
    first = len(saved)
    assert first >= 15 and figcache.kept()[0] == first
    two = build_context(data, lang)  # a second context draws no figure
    assert len(saved) == first and one["overview"]["sizes_svg"] == two["overview"]["sizes_svg"]
    cached = render_html(data, lang)  # in lang's number style: Swedish figures are drawn again
    before = len(saved)
    assert before == 2 * first  # every figure again in Swedish number style
    assert cached == render_html(data, lang)
    assert len(saved) == before  # the second render drew nothing
    assert cached == _fresh_html(data, lang, monkeypatch)
    assert len(saved) - before >= first  # drawn afresh indeed


def test_an_edit_redraws_only_the_figures_it_changes(disc, saved, tmp_path, monkeypatch):
    """A renamed type: the figures that show type names are drawn again, the scree plot,
    the loadings, the funnel and the lookalike's calibration are not; the result is what
    drawing afresh gives."""
    import shutil

    data = load_report_data(disc)
    before = build_context(data, "en")
    drawn = len(saved)
    edited = tmp_path / "disc"
    shutil.copytree(disc, edited)
    doc = yaml.safe_load((edited / "types.yaml").read_text())
    doc["types"][0]["name"] = "Penny Pinchers"
    (edited / "types.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True))
    new = load_report_data(edited)
    after = build_context(new, "en")
    again = len(saved) - drawn
    assert 0 < again < drawn / 2
    assert "Penny Pinchers" in after["overview"]["sizes_svg"]
    assert after["overview"]["sizes_svg"] != before["overview"]["sizes_svg"]
    for part, fig in (("measurement", "scree_svg"), ("lookalike", "calibration_svg")):
        assert after["appendix"][part][fig] == before["appendix"][part][fig]
    assert after["appendix"]["loadings_svg"] == before["appendix"]["loadings_svg"]
    assert render_html(new, "en") == _fresh_html(new, "en", monkeypatch)


def test_every_input_is_in_the_key(saved):
    """Data cells, index, a name, the colour, the size, the number style and matplotlib's
    settings each make another figure; the same inputs in new objects make the same one."""
    frame = pd.DataFrame({"type_id": [1, 2], "share": [0.6, 0.4], "ci_low": [0.5, 0.3], "ci_high": [0.7, 0.5]})
    names = {1: "One", 2: "Two"}

    def svg(f=frame, n=names, inches=(5.0, 1.5), **kw):
        return figcache.svg_of(plots.plot_sizes, f.copy(), names=dict(n), inches=inches, **kw)

    base = svg()
    assert svg() == base and len(saved) == 1  # equal inputs, new objects: kept
    variants = [svg(f=frame.assign(share=[0.6000001, 0.4])), svg(f=frame.set_index(pd.Index([5, 6]))),
                svg(n={1: "One", 2: "Too"}), svg(n={2: "Two", 1: "One"}), svg(inches=(5.0, 1.6)),
                svg(colors={1: "#ff0000", 2: "#00ff00"})]
    with plots.number_style("sv"):
        variants.append(svg())
    with matplotlib.rc_context({"font.size": 13}):
        variants.append(svg())
    assert len(saved) == 1 + len(variants)
    assert svg(f=frame.astype({"share": "float32"})) is not None and len(saved) == 2 + len(variants)


class _Odd:
    """An argument the digest does not read."""

    def __init__(self, x: float) -> None:
        self.x = x


def _emblem_of(odd: _Odd):
    return plots.plot_emblem({"F1": odd.x, "F2": -0.5, "F3": 0.3})


def _emblem(x: float):
    return plots.plot_emblem({"F1": x, "F2": -0.5, "F3": 0.3})


def test_what_cannot_be_keyed_is_drawn_afresh_and_not_kept(saved):
    """A closure, or an argument the digest does not read, is drawn each time and not
    kept; a function named in its module is kept."""
    def closure(x):
        return _emblem(x)

    for _ in range(2):
        figcache.svg_of(closure, 1.0)
        figcache.svg_of(_emblem_of, _Odd(1.0))
    assert len(saved) == 4 and figcache.kept()[0] == 0
    for _ in range(2):
        figcache.svg_of(_emblem, 1.0)
    assert len(saved) == 5 and figcache.kept()[0] == 1


def test_the_kept_figures_are_bounded(saved, monkeypatch):
    monkeypatch.setattr(figcache, "MAX_CHARS", 30_000)
    for x in np.linspace(0.1, 1.0, 6):
        figcache.svg_of(plots.plot_emblem, {"F1": float(x), "F2": -0.5, "F3": 0.3})
    n, chars = figcache.kept()
    assert 1 <= n < 6 and (chars <= 30_000 or n == 1)
