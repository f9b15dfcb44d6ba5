"""Every matplotlib figure of behaviortypes.

Each ``plot_*`` function takes results that were already computed (DataFrames,
Series, dicts read from the analysis files), draws them and returns the
:class:`~matplotlib.figure.Figure`. Pass ``ax=`` to draw into an existing axes
(the function then returns ``ax.figure``); otherwise a new figure is made with the
object-oriented API (no pyplot state, no ``plt.show()``, no backend switching), so
the functions are safe in notebooks, scripts and the report renderer alike.

Plots never compute statistics: they lay out what they are given.
:func:`figure_to_svg` and :func:`figure_to_png` serialise a figure for the report.

Numbers drawn in a figure (tick labels, annotations, percentages) follow the
report's language: ``lang="sv"`` writes ``0,81``, ``−0,45``, ``34 %`` and
``12 345`` (decimal comma, typographic minus, a no-break space before ``%`` and
a narrow no-break space between thousands, as Swedish typography does);
``lang="en"`` (the default) writes ``0.81``, ``-0.45``, ``34%`` and ``12,345``.
Pass ``lang=`` to a ``plot_*`` function, or draw several figures inside
``with number_style("sv"):``.

Text given by the user (type names, statements, themes) is drawn as written,
never parsed as mathtext (``"$50-$100"`` stays as typed), also when the figure
is drawn into a caller's ``ax=``; the caller's other axes are left alone.

Examples
--------
>>> fig = plot_sizes(sizes_frame)                    # doctest: +SKIP
>>> svg = figure_to_svg(fig)                         # doctest: +SKIP
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import io
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap, to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import ScalarFormatter

from .numbers import (AMOUNT_WHOLE, INTERVAL_EXTRA_DIGITS, amount_digits, fixed,  # noqa: F401 (re-exported)
                      grouped, interval_digits)

__all__ = [
    "labels_in",
    "DEFAULT_PALETTE",
    "LANGUAGES",
    "number_style",
    "current_number_style",
    "type_colors",
    "type_label",
    "fixed",
    "interval_digits",
    "amount_digits",
    "grouped",
    "AMOUNT_WHOLE",
    "figure_to_svg",
    "figure_to_png",
    "plot_scree",
    "plot_loadings",
    "plot_k_evidence",
    "plot_stability",
    "plot_umap",
    "plot_profile_heatmap",
    "plot_sizes",
    "plot_funnel",
    "plot_calibration",
    "plot_confusion",
    "plot_cooccurrence",
    "plot_dendrogram",
    "plot_theme_prevalence",
    "plot_emblem",
    "plot_drivers",
    "plot_importances",
]

#: Colour-blind-safe default palette (Okabe & Ito 2008, then Tol's muted scheme).
DEFAULT_PALETTE = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
    "#882255", "#117733", "#332288", "#999933", "#44AA99", "#AA4499",
]

_INK = "#333333"
_GRID = "#dddddd"
_DIVERGING = LinearSegmentedColormap.from_list("bt_div", ["#2166ac", "#f7f7f7", "#b2182b"])
_SEQUENTIAL = LinearSegmentedColormap.from_list("bt_seq", ["#f7fbff", "#08306b"])


def type_colors(type_ids: Sequence[int], given: Mapping[int, str | None] | None = None) -> dict[int, str]:
    """Colour per type: the given colour where set, else the default palette by position.

    Parameters
    ----------
    type_ids : sequence of int
        Type ids in display order.
    given : mapping of int to str or None, optional
        Colours chosen by the user (``types.yaml``'s ``color``).

    Returns
    -------
    dict of int to str
        Hex colours (``"#rrggbb"``), deterministic for the same inputs.
    """
    given = given or {}
    out = {}
    for pos, t in enumerate(type_ids):
        colour = given.get(int(t))
        out[int(t)] = to_hex(colour) if colour else DEFAULT_PALETTE[pos % len(DEFAULT_PALETTE)]
    return out

#: Languages whose number style the figures know.
LANGUAGES = ("en", "sv")

_LANG: ContextVar[str] = ContextVar("behaviortypes_plot_lang", default="en")


def labels_in(lang: str = "en") -> dict[str, object]:
    """The figures' own words in ``lang``, as the report labels them: ``labels=`` of
    :func:`plot_scree` (``"scree"``), :func:`plot_k_evidence` (``"k"``), :func:`plot_sizes`,
    :func:`plot_calibration`, :func:`plot_confusion`, and the ``xlabel`` of
    :func:`plot_stability` (``"stability"``) and :func:`plot_importances` (``"importance"``).
    A notebook of a Swedish study draws its figures with these (user trial 12)."""
    from .texts import load_texts

    t = load_texts(lang if lang in LANGUAGES else "en")
    return {
        "scree": {"x": t["plot_factor_number"], "y": t["plot_eigenvalue"], "observed": t["plot_observed"],
                  "threshold": t["plot_threshold"], "retained": t["plot_retained"]},
        "k": {"x": t["plot_k"], "stability": t["plot_stability"], "jaccard_min": t["plot_jaccard_min"],
              "prediction_strength": t["plot_prediction_strength"], "bic": t["plot_bic"],
              "bic_best": t["plot_bic"], "silhouette": t["plot_silhouette"], "one_group": t["lpa_one_group"],
              "no_bic": t["plot_no_bic"]},
        "sizes": {"x": t["plot_share"], "survey": t["plot_survey"], "base": t["plot_base"]},
        "calibration": {"x": t["plot_predicted_prob"], "y": t["plot_observed_freq"], "ideal": t["plot_ideal"]},
        "confusion": {"x": t["plot_predicted_type"], "y": t["plot_survey_type"]},
        "stability": t["plot_stability"], "importance": t["plot_importance"],
    }


def type_label(type_id: int, name: str | None, *, width: int = 30, max_lines: int = 2) -> str:
    """A type's label for figures and tables: its number, then its name wrapped on lines.

    The name is never cut where it can be wrapped: only a name longer than
    ``max_lines`` lines of ``width`` characters loses its end (marked "…"), and the
    type number always stays, so two types with similar names remain distinct.

    Parameters
    ----------
    type_id : int
        The type's number.
    name : str or None
        The type's name (``None`` or empty: the number only, as "Type 2").
    width : int, default=30
        Characters per line (the number and " · " count on the first line).
    max_lines : int, default=2
        At most this many lines.

    Returns
    -------
    str
        For example ``"2 · The extraversion-driven\n(high on extraversion)"``.

    Examples
    --------
    >>> type_label(3, "The agreeableness-indifferent")
    '3 · The agreeableness-indifferent'
    """
    import textwrap

    name = " ".join(str(name or "").split())
    if not name:
        return f"Type {int(type_id)}"
    text = f"{int(type_id)} · {name}"
    width = max(8, int(width))
    lines = textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False)
    if any(len(line) > width for line in lines):  # a long word: break it after a hyphen
        lines = textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=True)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        if len(last) >= width:
            cut = max(last.rfind(" "), last.rfind("-"))
            last = last[:cut] if cut > 0 else last[: width - 1]
        lines = lines[: max_lines - 1] + [last.rstrip(" ,;:-(") + "…"]
    return "\n".join(lines)


def _check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"lang={lang!r} is not a figure language; use one of: {', '.join(LANGUAGES)}")
    return lang


@contextmanager
def number_style(lang: str) -> Iterator[None]:
    """Draw the numbers of every figure made inside the block as a reader of ``lang`` writes them.

    Parameters
    ----------
    lang : {'en', 'sv'}
        ``"sv"``: decimal comma, ``34 %``, ``12 345``; ``"en"``: ``0.81``, ``34%``, ``12,345``.
        An explicit ``lang=`` given to a ``plot_*`` function wins.

    Raises
    ------
    ValueError
        If ``lang`` is not one of :data:`LANGUAGES`.

    Examples
    --------
    >>> with number_style("sv"):                     # doctest: +SKIP
    ...     fig = plot_sizes(sizes_frame)
    """
    token = _LANG.set(_check_lang(lang))
    try:
        yield
    finally:
        _LANG.reset(token)


def current_number_style() -> str:
    """The language whose number style a figure made here gets (see :func:`number_style`)."""
    return _LANG.get()


class _Numbers:
    """Numbers as text in one language (the figures' counterpart of the report's ``Formatter``)."""

    def __init__(self, lang: str) -> None:
        self.comma = lang == "sv"

    def dec(self, text: str) -> str:
        """Swedish: decimal comma and typographic minus; English: unchanged."""
        if not self.comma:
            return text
        return text.replace("-", "\u2212").replace(".", ",")

    def num(self, x: float, digits: int = 2) -> str:
        return self.dec(fixed(x, digits))

    def count(self, x: float) -> str:
        text = f"{int(fixed(x)):,}" if np.isfinite(x) else "–"
        return text.replace(",", "\u202f").replace("-", "\u2212") if self.comma else text

    def pct(self, x: float, digits: int = 0) -> str:
        if not self.comma:
            return fixed(x, digits, scale=100) + "%"
        return self.dec(fixed(x, digits, scale=100)) + "\u00a0%"


def _numbers() -> _Numbers:
    return _Numbers(_LANG.get())


class _CommaScalarFormatter(ScalarFormatter):
    """Matplotlib's default tick labels with a decimal comma (``0,5``, ``−1,0``)."""

    def __call__(self, x, pos=None):  # noqa: D102 (matplotlib's)
        return _Numbers("sv").dec(super().__call__(x, pos))

    def get_offset(self):  # noqa: D102 (matplotlib's)
        return _Numbers("sv").dec(super().get_offset())


def _comma_ticks(ax: Axes) -> None:
    for axis in (ax.xaxis, ax.yaxis):
        if type(axis.get_major_formatter()) is ScalarFormatter:
            axis.set_major_formatter(_CommaScalarFormatter())


def _plain_text(ax: Axes) -> None:
    """Every text of ``ax`` (labels, ticks, legend, annotations) shown as written, not as mathtext."""
    from matplotlib.text import Text

    for text in ax.findobj(Text):
        text.set_parse_math(False)


_LANG_DOC = """
    lang : {'en', 'sv'}, optional
        Number style of tick labels and annotations (decimal comma and ``34 %`` in
        Swedish); default: the enclosing :func:`number_style`, else English.
"""


def _figure(func: Callable[..., Figure]) -> Callable[..., Figure]:
    """Give a ``plot_*`` function its ``lang=`` and keep the user's text out of mathtext.

    The number style is fixed when the figure is made (a figure drawn later, in
    another language's block, keeps its own). On a caller's ``ax=`` only the axes
    drawn into are touched.
    """

    @functools.wraps(func)
    def wrapper(*args, lang: str | None = None, **kwargs):
        lang = _check_lang(lang or _LANG.get())
        token = _LANG.set(lang)
        try:
            fig = func(*args, **kwargs)
        finally:
            _LANG.reset(token)
        given = kwargs.get("ax")
        axes = list(np.atleast_1d(given)) if given is not None else list(fig.axes)
        for a in axes:
            if lang == "sv":
                _comma_ticks(a)
            if given is not None:
                _plain_text(a)
        return fig

    sig = inspect.signature(func)
    extra = inspect.Parameter("lang", inspect.Parameter.KEYWORD_ONLY, default=None, annotation="str | None")
    wrapper.__signature__ = sig.replace(parameters=[*sig.parameters.values(), extra])
    doc = func.__doc__ or ""
    if "Parameters\n    ----------" not in doc:
        doc = doc.rstrip() + "\n\n    Parameters\n    ----------"
    wrapper.__doc__ = doc.rstrip() + _LANG_DOC
    return wrapper


class _PlainTextFigure(Figure):
    """A figure whose text is shown as written, never parsed as mathtext.

    Type names, item texts and themes are the user's text: matplotlib would read
    ``"$50-$100"`` as a formula and fail on ``"Saver $\\frac$ 50"``. Every text of the
    figure (tick labels made while drawing included) is drawn with mathtext off.

    ``fitters`` are called (without arguments) before each draw, after the caller
    may have resized the figure: :func:`_fit_column_labels` wraps labels to the
    columns' width then.
    """

    fitters: list[Callable[[], None]]

    def _repr_mimebundle_(self, include=None, exclude=None):  # noqa: D105 (IPython's)
        """In a notebook, the picture alone: the inline backend adds it (``image/png``);
        no ``<_PlainTextFigure size 500x164 with 1 Axes>`` line is said beside it."""
        return {"text/plain": ""}

    def draw(self, renderer):  # noqa: D102 (matplotlib's)
        import matplotlib
        from matplotlib.text import Text

        for fit in getattr(self, "fitters", ()):  # labels that fit the size the figure has now
            fit()
        for text in self.findobj(Text):
            text.set_parse_math(False)
        with matplotlib.rc_context({"text.parse_math": False}):
            return super().draw(renderer)


#: Font sizes (points) tried for column labels, largest first; see :func:`_fit_column_labels`.
_COLUMN_FONT_SIZES = (7.0, 6.5, 6.0, 5.5, 5.0)

#: At most this many lines per column label before a smaller font is tried.
_COLUMN_MAX_LINES = 8


@functools.lru_cache(maxsize=4096)
def _text_width(text: str, size: float) -> float:
    """Width in points of ``text`` in the figures' font at ``size`` points."""
    from matplotlib.font_manager import FontProperties

    renderer = _measuring_renderer()
    return renderer.get_text_width_height_descent(text, FontProperties(size=size), ismath=False)[0]


@functools.lru_cache(maxsize=1024)
def _text_height(text: str, size: float) -> float:
    """Height in points of ``text`` (lines as matplotlib spaces them) at ``size`` points."""
    fig = Figure(dpi=72)  # one pixel is one point, as the measuring renderer
    return float(fig.text(0, 0, text, fontsize=size).get_window_extent(renderer=_measuring_renderer()).height)


_MEASURING = threading.local()


def _measuring_renderer():
    """A renderer to measure text with, one per thread (figures may be drawn in several)."""
    from matplotlib.backends.backend_agg import RendererAgg

    if getattr(_MEASURING, "renderer", None) is None:
        _MEASURING.renderer = RendererAgg(8, 8, 72)  # 72 dpi: one pixel is one point
    return _MEASURING.renderer


def _label_tokens(text: str) -> list[str]:
    """Words of a label; a type's "3 ·" stays one word so the number never ends a line alone."""
    tokens: list[str] = []
    for word in " ".join(str(text).split()).split(" "):
        if word == "·" and tokens:
            tokens[-1] += " ·"
        elif word:
            tokens.append(word)
    return tokens


def _wrap_to_width(text: str, width: float, size: float, *, force: bool = False) -> list[str] | None:
    """``text`` wrapped on lines at most ``width`` points wide at ``size`` points.

    Lines break between words, then after a hyphen inside a word; a word still wider
    than ``width`` makes it fail (``None``), unless ``force``: then it is broken
    between letters, with a hyphen. Nothing is ever left out.
    """
    pieces: list[tuple[str, bool]] = []  # (piece, joins the previous piece without a space)
    for token in _label_tokens(text):
        parts = re.findall(r"[^-]+-?|-", token) if _text_width(token, size) > width else [token]
        for j, part in enumerate(parts):
            chunks = [part]
            if _text_width(part, size) > width:
                if not force:
                    return None
                chunks = [""]
                for c in part:  # as many letters as fit a line, then a hyphen
                    if chunks[-1] and _text_width(chunks[-1] + c + "-", size) > width:
                        chunks[-1] += "-"
                        chunks.append("")
                    chunks[-1] += c
            pieces += [(chunk, j > 0 or i > 0) for i, chunk in enumerate(chunks)]
    lines: list[str] = []
    for piece, glued in pieces:
        joined = (lines[-1] + ("" if glued else " ") + piece) if lines else piece
        if lines and _text_width(joined, size) <= width:
            lines[-1] = joined
        else:
            lines.append(piece)
    return lines


def _wrapped_at(texts: Sequence[str], width: float) -> tuple[float, list[list[str]]] | None:
    """The largest of :data:`_COLUMN_FONT_SIZES` at which every text wraps to ``width``
    points in at most :data:`_COLUMN_MAX_LINES` lines with no word broken, and the
    lines; None when there is none."""
    for size in _COLUMN_FONT_SIZES:
        wrapped = [_wrap_to_width(t, width, size) for t in texts]
        if all(w is not None and len(w) <= _COLUMN_MAX_LINES for w in wrapped):
            return size, wrapped  # type: ignore[return-value]
    return None


def _fit_column_labels(ax: Axes, texts: Sequence[str]) -> None:
    """Put ``texts`` under the columns of ``ax``, each wrapped to its column's width.

    The labels stand upright, centred under their column, and never overlap or leave
    the figure, however many columns there are: each is wrapped (between words) to
    the column's width, in the largest of :data:`_COLUMN_FONT_SIZES` at which every
    label needs at most :data:`_COLUMN_MAX_LINES` lines and no word is wider than its
    column. When a word is wider than its column even at the smallest size (ten
    dimensions named with long words, "Självbestämmande"), the labels are staggered:
    every other one a row lower, so that each may take two columns' width; only a word
    wider than that is broken between letters, with a hyphen. Nothing is cut: a type's
    number and every word of its name stay. The room the labels take (the last one reaching
    past the plot's right edge) can narrow the columns once the figure is laid out: they are
    then fitted again to the narrower columns (8 types' long names collided before, session 24).
    """
    fig = ax.figure
    n = len(texts)
    if not n:
        return
    ax.set_xticks(range(n), ["" for _ in texts], rotation=0, ha="center")
    engine = fig.get_layout_engine()
    if engine is not None:  # where the columns are once the labels are out of the way
        engine.execute(fig)
    column = ax.get_window_extent().width / fig.dpi * 72 / n
    for _ in range(4):  # staggered labels reach past the plot: its columns narrow, fitted again (session 24)
        if not _put_column_labels(ax, texts, column) or engine is None:
            return
        engine.execute(fig)
        now = ax.get_window_extent().width / fig.dpi * 72 / n
        if now >= column - 0.5:
            return
        column = now


def _put_column_labels(ax: Axes, texts: Sequence[str], column: float) -> bool:
    """:func:`_fit_column_labels`' labels for columns ``column`` points wide; whether they
    are staggered (each up to two columns wide: the last reaches past the plot's edge)."""
    import matplotlib

    n = len(texts)
    gap = max(6.0, 0.15 * column)  # keeps neighbours apart
    fitted = _wrapped_at(texts, max(1.0, column - gap))
    stagger = fitted is None and n > 1
    span = max(1.0, (2 if stagger else 1) * column - gap)
    if stagger:
        fitted = _wrapped_at(texts, span)
    if fitted is None:
        size = _COLUMN_FONT_SIZES[-1]
        fitted = size, [_wrap_to_width(t, span, size, force=True) or [t] for t in texts]
    size, wrapped = fitted
    ax.set_xticks(range(n), ["\n".join(w) for w in wrapped], fontsize=size, rotation=0, ha="center")
    pad = float(matplotlib.rcParams["xtick.major.pad"])
    # the lower row starts below the upper row's tallest label, and a gap
    drop = (max(_text_height("\n".join(w), size) for w in wrapped[0::2]) + 2.0) if stagger else 0.0
    for i, tick in enumerate(ax.xaxis.get_major_ticks()[:n]):
        tick.set_pad(pad + (drop if i % 2 else 0.0))
    return stagger


def _column_labels(ax: Axes, texts: Sequence[str]) -> None:
    """Column labels of ``ax`` that fit (:func:`_fit_column_labels`) at the size the
    figure is drawn at: refitted before each draw of a figure made here, fitted once
    on a caller's axes (at its size now).

    ``savefig`` lays a figure out in a first draw and then draws it again with the
    layout engine off: that draw keeps the labels the layout was made for (refitting
    them to the laid-out columns could wrap them anew, and taller labels would leave
    the figure, staggered ones by a whole line)."""
    texts = list(texts)
    _fit_column_labels(ax, texts)
    fig = ax.figure
    if not isinstance(fig, _PlainTextFigure):
        return
    fitted: dict = {"size": None}

    def refit() -> None:
        from matplotlib.layout_engine import PlaceHolderLayoutEngine  # savefig's "layout off"

        size = tuple(fig.get_size_inches())
        laying_out = not isinstance(fig.get_layout_engine(), (type(None), PlaceHolderLayoutEngine))
        if ax not in fig.axes or (not laying_out and fitted["size"] == size):
            return
        _fit_column_labels(ax, texts)
        fitted["size"] = size

    fig.fitters = [*getattr(fig, "fitters", []), refit]


def _new(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig = _PlainTextFigure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _style(ax: Axes, grid: str | None = "x") -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color("#999999")
    ax.spines["bottom"].set_color("#999999")
    ax.tick_params(colors=_INK, labelsize=8)
    if grid:
        ax.grid(axis=grid, color=_GRID, linewidth=0.6)
        ax.set_axisbelow(True)


def figure_to_svg(fig: Figure, *, text_as_path: bool = False) -> str:
    """Serialise a figure to an SVG string for inline embedding in HTML.

    Parameters
    ----------
    fig : Figure
    text_as_path : bool, default=False
        Draw text as outlines (exact look, not selectable) instead of ``<text>``.

    Returns
    -------
    str
        The ``<svg>`` element (XML declaration and DOCTYPE stripped).
    """
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path" if text_as_path else "none",
                                "svg.hashsalt": "behaviortypes"}):
        # no <metadata> block (the report's HTML carries the figure, not a file of its own)
        fig.savefig(buf, format="svg", transparent=True, metadata=dict.fromkeys(("Date", "Creator", "Format", "Type")))
    text = buf.getvalue()
    start = text.find("<svg")
    svg = _without_bare_groups(text[start:])
    # unique ids per figure so several inline SVGs in one page never collide
    prefix = "f" + hashlib.sha1(svg.encode("utf-8")).hexdigest()[:10]
    svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', lambda m: f"url(#{prefix}{m.group(1)})", svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', lambda m: f'xlink:href="#{prefix}{m.group(1)}"', svg)
    return svg


_GROUP_TAG = re.compile(r"<g\b[^>]*>|</g>")
_BARE_GROUP = re.compile(r'<g(?: id="[^"]*")?>')


def _without_bare_groups(svg: str) -> str:
    """``svg`` without matplotlib's ``<g id="...">`` (and ``<g>``) wrappers that carry nothing but an id
    (no transform, style or clip): the same picture with about half the elements, which
    WeasyPrint styles, lays out and draws one by one (session 19: a quarter of a report's
    render time). Nothing refers to these ids; groups with other attributes stay."""
    cut: list[tuple[int, int]] = []
    stack: list[tuple[int, int] | None] = []
    for m in _GROUP_TAG.finditer(svg):
        tag = m.group(0)
        if tag == "</g>":
            opened = stack.pop() if stack else None
            if opened is not None:
                cut += [opened, _with_space(svg, m.start(), m.end())]
        elif not tag.endswith("/>"):
            stack.append(_with_space(svg, m.start(), m.end()) if _BARE_GROUP.fullmatch(tag) else None)
    if not cut:
        return svg
    parts, last = [], 0
    for start, end in sorted(cut):
        parts.append(svg[last:start])
        last = end
    return "".join(parts) + svg[last:]


def _with_space(svg: str, start: int, end: int) -> tuple[int, int]:
    """The span of a tag and the line break and indentation after it."""
    while end < len(svg) and svg[end] in " \n":
        end += 1
    return start, end


def figure_to_png(fig: Figure, *, dpi: int = 150) -> bytes:
    """Serialise a figure to PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


# --------------------------------------------------------------------------- method
@_figure
def plot_scree(retention: pd.DataFrame, *, n_factors: int | None = None, ax: Axes | None = None,
               labels: Mapping[str, str] | None = None) -> Figure:
    """Scree plot with the parallel-analysis threshold (Horn 1965).

    Parameters
    ----------
    retention : DataFrame
        One row per number of factors: ``n_factors``, ``eigenvalue`` and optionally
        ``pa_threshold`` (the percentile of random-data eigenvalues).
    n_factors : int, optional
        The retained number of factors, marked with a vertical line.
    ax : Axes, optional
    labels : mapping, optional
        Axis and legend text (keys ``x``, ``y``, ``observed``, ``threshold``, ``retained``).
    """
    lab = {"x": "Factor number", "y": "Eigenvalue", "observed": "Observed",
           "threshold": "Parallel analysis (random data)", "retained": "Retained"}
    lab.update(labels or {})
    fig, ax = _new(ax, (5, 3))
    ax.plot(retention["n_factors"], retention["eigenvalue"], "o-", color="#0072B2",
            markersize=4, label=lab["observed"])
    if "pa_threshold" in retention:
        ax.plot(retention["n_factors"], retention["pa_threshold"], "s--", color="#999999",
                markersize=3, label=lab["threshold"])
    if n_factors:
        ax.axvline(n_factors + 0.5, color="#D55E00", linewidth=1, linestyle=":",
                   label=f"{lab['retained']}: {n_factors}")
    ax.set_xlabel(lab["x"], fontsize=8)
    ax.set_ylabel(lab["y"], fontsize=8)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize=7, frameon=False)
    _style(ax, "y")
    return fig


@_figure
def plot_loadings(loadings: pd.DataFrame, *, item_labels: Mapping[str, str] | None = None,
                  factor_labels: Mapping[str, str] | None = None, threshold: float = 0.3,
                  ax: Axes | None = None) -> Figure:
    """Heatmap of rotated factor loadings (items × factors), salient loadings annotated.

    Parameters
    ----------
    loadings : DataFrame
        Indexed by item id, one column per factor (``F1..Fm``).
    item_labels, factor_labels : mapping, optional
        Display text for item ids and factor ids.
    threshold : float, default=0.3
        Loadings with ``|value| >= threshold`` are printed in their cell.
    """
    import textwrap

    nums = _numbers()
    n_items, n_fac = loadings.shape
    # whole statements wrapped to 70 characters (never cut); the figure is made wide and
    # tall enough for them, so the heatmap keeps its room (trial 11: 120-character GCBS
    # statements left the axes no width: "constrained_layout not applied")
    labels = ["\n".join(textwrap.wrap(str((item_labels or {}).get(i, str(i))), 70, break_long_words=False))
              or str(i) for i in loadings.index]
    longest = max((len(line) for lab in labels for line in lab.split("\n")), default=0)
    most_lines = max((lab.count("\n") + 1 for lab in labels), default=1)
    fig, ax = _new(ax, (1.6 + 0.9 * n_fac + 0.045 * longest, 0.8 + n_items * max(0.22, 0.04 + 0.1 * most_lines)))
    values = loadings.to_numpy(dtype=float)
    im = ax.imshow(values, cmap=_DIVERGING, vmin=-1, vmax=1, aspect="auto")
    ax.set_xticks(range(n_fac), [(factor_labels or {}).get(c, c) for c in loadings.columns],
                  fontsize=7, rotation=30, ha="right")
    ax.set_yticks(range(n_items), labels, fontsize=6)
    for (r, c), v in np.ndenumerate(values):
        if abs(v) >= threshold:
            ax.text(c, r, nums.num(v), ha="center", va="center", fontsize=5.5,
                    color="white" if abs(v) > 0.6 else _INK)
    ax.tick_params(length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    fig.colorbar(im, ax=ax, shrink=0.5, aspect=20).ax.tick_params(labelsize=6)
    return fig


_K_INDEX_LABELS = {
    "stability": "Stability (Jaccard)",
    "jaccard_min": "Least stable type (Jaccard)",
    "prediction_strength": "Prediction strength",
    "bic": "BIC (lower is better)",
    "bic_best": "BIC, best model (lower is better)",
    "silhouette": "Silhouette",
}


@_figure
def plot_k_evidence(evidence: pd.DataFrame, *, chosen_k: int | None = None,
                    ax: Axes | Sequence[Axes] | None = None,
                    labels: Mapping[str, str] | None = None) -> Figure:
    """Evidence for the number of types: one small panel per index that is present.

    Parameters
    ----------
    evidence : DataFrame
        Column ``k`` plus any of ``stability``, ``jaccard_min`` (the least stable
        type's mean Jaccard), ``prediction_strength``, ``bic`` or ``bic_best`` (the
        latter shown when both are present), ``silhouette`` (others are ignored).
    chosen_k : int, optional
        Highlighted in every panel.
    ax : Axes or sequence of Axes, optional
        One axes per index present (in the order above).
    labels : mapping, optional
        Titles per index, ``x`` for the axis label, ``one_group`` for the label of
        the k = 1 point (default "one group") and ``no_bic`` for the note at a chosen k
        without a BIC (every fit set aside; ``{k}`` is the k).

    Notes
    -----
    The row ``k = 1`` is one homogeneous group (no types): only the BIC is defined
    for it; the other indices are blank there. Its BIC point is drawn hollow and
    labelled "one group", and every panel shares the same k axis. Indices that are
    blank for every k (nothing was resampled) get no panel.
    """
    lab = dict(_K_INDEX_LABELS, x="Number of types (k)", one_group="one group",
               no_bic="k = {k}: no BIC")
    lab.update(labels or {})
    # the best model's BIC (the one that chose k) replaces the single-model one
    present = [c for c in _K_INDEX_LABELS if c in evidence.columns
               and not (c == "bic" and "bic_best" in evidence.columns)]
    if not present:
        raise ValueError("evidence has none of the columns " + ", ".join(_K_INDEX_LABELS))
    filled = [c for c in present if pd.to_numeric(evidence[c], errors="coerce").notna().any()]
    present = filled or present[:1]
    ks = pd.to_numeric(evidence["k"], errors="coerce")
    xlim = (float(ks.min()) - 0.5, float(ks.max()) + 0.5)
    if ax is None:
        fig = _PlainTextFigure(figsize=(2.1 * len(present) + 0.4, 2.2), layout="constrained")
        axes = list(np.atleast_1d(fig.subplots(1, len(present))))
    else:
        axes = list(np.atleast_1d(ax))
        if len(axes) < len(present):
            raise ValueError(f"need {len(present)} axes for {present}, got {len(axes)}")
        fig = axes[0].figure
    for a, col in zip(axes, present):
        y_all = pd.to_numeric(evidence[col], errors="coerce")
        a.plot(ks, y_all, "o-", color="#0072B2", markersize=4)
        one = (ks == 1) & y_all.notna()
        if one.any():  # one homogeneous group: a different kind of model, drawn hollow
            a.plot(ks[one], y_all[one], "o", markerfacecolor="white", markeredgecolor="#0072B2",
                   markersize=5, zorder=3)
            # beside the point at its height, not above it: above, a label at the panel's highest
            # point ran out of the panel into the axis ticks (user trial 21)
            a.annotate(lab["one_group"], (1, float(y_all[one].iloc[0])), textcoords="offset points",
                       xytext=(7, 0), va="center", ha="left", fontsize=6, color=_INK)
        if chosen_k is not None and (ks == chosen_k).any():
            y = y_all[ks == chosen_k].iloc[0]
            a.plot([chosen_k], [y], "o", color="#D55E00", markersize=8, zorder=4)
            if col in ("bic", "bic_best") and pd.isna(y):  # kept without a BIC (user trial 19)
                a.axvline(chosen_k, color="#D55E00", linewidth=0.8, linestyle=":")
                a.annotate(lab["no_bic"].format(k=chosen_k), (chosen_k, 0.04), xycoords=a.get_xaxis_transform(),
                           xytext=(3, 0), textcoords="offset points", fontsize=6,
                           color="#D55E00").set_in_layout(False)
        a.set_xlim(*xlim)
        if col in ("stability", "jaccard_min", "prediction_strength"):
            a.axhline(0.8 if col == "prediction_strength" else 0.75, color="#999999", linewidth=0.8, linestyle="--")
        a.set_title(lab[col], fontsize=8)
        a.set_xlabel(lab["x"], fontsize=7)
        a.xaxis.get_major_locator().set_params(integer=True)
        _style(a, "y")
    return fig


#: Longest type label of :func:`plot_stability` (on one line; longer ones end in "…"):
#: at 7 pt about half of a 6-inch figure.
STABILITY_LABEL_CHARS = 70


@_figure
def plot_stability(stability: pd.Series | Mapping[int, float], *, names: Mapping[int, str] | None = None,
                   colors: Mapping[int, str] | None = None, threshold: float = 0.75,
                   ax: Axes | None = None, xlabel: str = "Mean Jaccard similarity across resamples") -> Figure:
    """Per-type stability bars (Hennig 2007: ≥ 0.75 stable, < 0.6 dissolved).

    Parameters
    ----------
    stability : Series or mapping
        Stability per type id.
    names, colors : mapping, optional
        Display name and colour per type id.
    threshold : float, default=0.75
        Drawn as a dashed reference line.
    """
    nums = _numbers()
    s = pd.Series(stability, dtype=float)
    s.index = [int(i) for i in s.index]
    fig, ax = _new(ax, (4.5, 0.5 + 0.32 * len(s)))
    colours = type_colors(list(s.index), colors)
    ypos = np.arange(len(s))[::-1]
    ax.barh(ypos, s.to_numpy(), color=[colours[t] for t in s.index], height=0.6)
    for y, v in zip(ypos, s.to_numpy()):
        ax.text(v + 0.01, y, nums.num(v), va="center", fontsize=7, color=_INK)
    # one line a type: a report sizes the figure at about a label's height per bar, and
    # wrapped names ran into each other there (user trial 20, p. 11); long ones are cut
    labels = [" ".join(str((names or {}).get(t, f"Type {t}")).split()) for t in s.index]
    labels = [lab if len(lab) <= STABILITY_LABEL_CHARS else lab[:STABILITY_LABEL_CHARS - 1].rstrip() + "…"
              for lab in labels]
    ax.set_yticks(ypos, labels, fontsize=7)
    ax.axvline(threshold, color="#999999", linestyle="--", linewidth=0.8)
    ax.set_xlim(0, 1.08)
    ax.set_xlabel(xlabel, fontsize=7)
    _style(ax, "x")
    return fig


# --------------------------------------------------------------------------- types
@_figure
def plot_umap(embedding: pd.DataFrame, *, names: Mapping[int, str] | None = None,
              colors: Mapping[int, str] | None = None, ax: Axes | None = None,
              label_types: bool = True) -> Figure:
    """Map of respondents (UMAP coordinates) coloured by type.

    Parameters
    ----------
    embedding : DataFrame
        Columns ``x``, ``y`` and ``type_id`` (one row per respondent).
    names, colors : mapping, optional
        Display name and colour per type id.
    label_types : bool, default=True
        Mark each type's median with its number (a circle in its colour) and list
        "number · name" in a legend under the map.
    """
    fig, ax = _new(ax, (5, 4))
    type_ids = sorted(int(t) for t in embedding["type_id"].unique())
    colours = type_colors(type_ids, colors)
    many = len(embedding) > 3000
    size = 4 if len(embedding) < 1500 else 1.5
    for t in type_ids:
        pts = embedding[embedding["type_id"] == t]
        ax.scatter(pts["x"], pts["y"], s=size, color=colours[t], alpha=0.6, linewidths=0,
                   rasterized=many, label=(names or {}).get(t, f"Type {t}"))
    if label_types:
        # a numbered marker at each type's median and the names in a legend below:
        # names written on the map overlap when two types lie close together
        handles = []
        xr = float(np.ptp(embedding["x"])) or 1.0
        yr = float(np.ptp(embedding["y"])) or 1.0
        placed: list[tuple[float, float]] = []
        for t in type_ids:
            pts = embedding[embedding["type_id"] == t]
            x, y = float(pts["x"].median()), float(pts["y"].median())
            # nudge a marker up until it clears those already placed (about a marker apart)
            for _ in range(20):
                if all(abs(x - px) / xr > 0.035 or abs(y - py) / yr > 0.06 for px, py in placed):
                    break
                y += 0.06 * yr
            placed.append((x, y))
            ax.text(x, y, str(t), fontsize=7.5, weight="bold",
                    ha="center", va="center", color=_INK,
                    bbox={"boxstyle": "circle,pad=0.25", "fc": "white", "ec": colours[t], "lw": 1.2, "alpha": 0.9})
            handles.append(Line2D([], [], marker="o", linestyle="", markersize=6, markerfacecolor=colours[t],
                                  markeredgecolor=colours[t],
                                  label=type_label(t, (names or {}).get(t), width=200, max_lines=1)))
        two = len(handles) > 1 and max(len(h.get_label()) for h in handles) <= 48  # long names: one column
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=2 if two else 1,
                  fontsize=7, frameon=False, handletextpad=0.3, columnspacing=1.5)
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_color(_GRID)
    return fig


@_figure
def plot_profile_heatmap(profile: pd.DataFrame, *, names: Mapping[int, str] | None = None,
                         labels: Mapping[str, str] | None = None, ax: Axes | None = None,
                         vmax: float | None = None, fmt: str = "{:+.2f}") -> Figure:
    """How types differ: heatmap of type × feature differences from the average.

    Parameters
    ----------
    profile : DataFrame
        Indexed by type id, one column per feature (factor or item); values are
        differences from the overall mean (z units for factors).
    names : mapping, optional
        Display name per type id.
    labels : mapping, optional
        Display name per column (feature, or type when the types are the columns),
        written on one line: each is wrapped to its column's width when the figure is
        drawn (also after ``set_size_inches``), upright, at 7 down to 5 points, so
        that no two labels overlap or leave the figure at any number of columns; a
        type's "3 ·" stays with its name and no word is left out.
    vmax : float, optional
        Colour scale limit (symmetric); defaults to the largest absolute value.
    """
    nums = _numbers()
    n_t, n_f = profile.shape
    fig, ax = _new(ax, (1.8 + 0.75 * n_f, 0.8 + 0.4 * n_t))
    values = profile.to_numpy(dtype=float)
    lim = vmax or float(np.nanmax(np.abs(values))) or 1.0
    ax.imshow(values, cmap=_DIVERGING, vmin=-lim, vmax=lim, aspect="auto")
    # column labels stand upright, wrapped to their column (also after the figure is resized)
    _column_labels(ax, [(labels or {}).get(c, str(c)) for c in profile.columns])
    ax.set_yticks(range(n_t), [(names or {}).get(t, f"Type {t}" if isinstance(t, (int, np.integer)) else str(t))
                               for t in profile.index], fontsize=7.5)
    for (r, c), v in np.ndenumerate(values):
        if np.isfinite(v):
            m = re.fullmatch(r"\{:(\+?)\.(\d+)f\}", fmt)  # the one rounding rule (half away from zero)
            text = fixed(v, int(m.group(2)), sign=bool(m.group(1))) if m else fmt.format(v)
            text = nums.dec(text.lstrip("+-") if float(text) == 0 else text.replace("-", "−"))
            ax.text(c, r, text, ha="center", va="center", fontsize=6.5,
                    color="white" if abs(v) > 0.6 * lim else _INK)
    ax.tick_params(length=0)
    for s in ax.spines.values():
        s.set_visible(False)
    return fig


@_figure
def plot_sizes(sizes: pd.DataFrame, *, names: Mapping[int, str] | None = None,
               colors: Mapping[int, str] | None = None, base_shares: Mapping[int, float] | None = None,
               ax: Axes | None = None, labels: Mapping[str, str] | None = None) -> Figure:
    """Type sizes: survey share with its 95 % interval, and the customer-base share.

    Parameters
    ----------
    sizes : DataFrame
        ``type_id``, ``share``, ``ci_low``, ``ci_high`` (proportions 0..1).
    names, colors : mapping, optional
        Display name and colour per type id.
    base_shares : mapping, optional
        Bias-corrected share of the scored customer base per type id (diamond marker).
    labels : mapping, optional
        Legend/axis text: ``survey``, ``base``, ``x``.
    """
    lab = {"survey": "Survey (95% CI)", "base": "Customer base", "x": "Share"}
    lab.update(labels or {})
    nums = _numbers()
    type_ids = [int(t) for t in sizes["type_id"]]
    colours = type_colors(type_ids, colors)
    fig, ax = _new(ax, (5, 0.6 + 0.38 * len(type_ids)))
    ypos = np.arange(len(type_ids))[::-1]
    share = sizes["share"].to_numpy(dtype=float)
    err = np.vstack([share - sizes["ci_low"].to_numpy(dtype=float),
                     sizes["ci_high"].to_numpy(dtype=float) - share])
    ax.barh(ypos, share, color=[colours[t] for t in type_ids], height=0.6, label=lab["survey"])
    ax.errorbar(share, ypos, xerr=err, fmt="none", ecolor=_INK, elinewidth=0.8, capsize=2)
    if base_shares:
        bs = [base_shares.get(t, np.nan) for t in type_ids]
        ax.plot(bs, ypos, "D", color="white", markeredgecolor=_INK, markersize=5, label=lab["base"])
        ax.legend(fontsize=7, frameon=False, loc="lower left", bbox_to_anchor=(0, 1), ncol=2)
    ax.set_yticks(ypos, [(names or {}).get(t, f"Type {t}") for t in type_ids], fontsize=7.5)
    ax.xaxis.set_major_formatter(lambda v, _: nums.pct(v))
    ax.set_xlabel(lab["x"], fontsize=7)
    _style(ax, "x")
    return fig


@_figure
def plot_funnel(stages: pd.Series | Mapping[str, int], *, ax: Axes | None = None,
                colors: Sequence[str] | None = None) -> Figure:
    """Data-quality funnel: received → screened out → analysed.

    Parameters
    ----------
    stages : Series or mapping
        Ordered stage label → number of respondents.
    colors : sequence of str, optional
        One colour per stage (default: light blue, orange, blue).
    """
    nums = _numbers()
    st = pd.Series(stages, dtype=float)
    fig, ax = _new(ax, (5, 0.5 + 0.38 * len(st)))
    colours = list(colors or ["#9ecae1", "#D55E00", "#0072B2", "#08519c", "#08306b"])
    ypos = np.arange(len(st))[::-1]
    top = float(st.max()) or 1.0
    ax.barh(ypos, st.to_numpy(), color=colours[: len(st)], height=0.65)
    for y, v in zip(ypos, st.to_numpy()):
        ax.text(v + 0.01 * top, y, f"{nums.count(v)}  ({nums.pct(v / top)})", va="center", fontsize=7.5,
                color=_INK)
    ax.set_yticks(ypos, [str(i) for i in st.index], fontsize=8)
    ax.set_xlim(0, top * 1.22)
    ax.set_xticks([])
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    return fig


# --------------------------------------------------------------------------- lookalike
@_figure
def plot_calibration(bins: pd.DataFrame, *, ax: Axes | None = None,
                     labels: Mapping[str, str] | None = None) -> Figure:
    """Reliability diagram of the lookalike's probabilities.

    Parameters
    ----------
    bins : DataFrame
        ``mean_predicted`` and ``observed`` per probability bin (optionally ``count``,
        drawn as marker size).
    labels : mapping, optional
        ``x``, ``y`` and ``ideal`` text.
    """
    lab = {"x": "Predicted probability", "y": "Observed frequency", "ideal": "Perfect calibration"}
    lab.update(labels or {})
    fig, ax = _new(ax, (3.2, 3))
    ax.plot([0, 1], [0, 1], "--", color="#999999", linewidth=0.8, label=lab["ideal"])
    size = None
    if "count" in bins:
        c = bins["count"].to_numpy(dtype=float)
        size = 10 + 60 * c / (c.max() or 1)
    ax.plot(bins["mean_predicted"], bins["observed"], "-", color="#0072B2", linewidth=1)
    ax.scatter(bins["mean_predicted"], bins["observed"], s=size, color="#0072B2", zorder=3)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel(lab["x"], fontsize=7)
    ax.set_ylabel(lab["y"], fontsize=7)
    ax.legend(fontsize=6.5, frameon=False, loc="upper left")
    _style(ax, "both")
    return fig


@_figure
def plot_confusion(matrix: pd.DataFrame, *, names: Mapping[int, str] | None = None,
                   ax: Axes | None = None, labels: Mapping[str, str] | None = None) -> Figure:
    """Confusion matrix (rows: survey type, columns: predicted type), counts annotated.

    Parameters
    ----------
    matrix : DataFrame
        Square, indexed and labelled by type id.
    names : mapping, optional
        Display name per type id, on the rows; the columns (the same types) carry the
        type's number, so that long names never run into each other (user trial 10).
    labels : mapping, optional
        ``x`` and ``y`` axis text.
    """
    lab = {"x": "Predicted type", "y": "Survey type"}
    lab.update(labels or {})
    nums = _numbers()
    n = len(matrix)
    fig, ax = _new(ax, (1.6 + 0.45 * n, 1.2 + 0.45 * n))
    values = matrix.to_numpy(dtype=float)
    ax.imshow(values, cmap=_SEQUENTIAL, aspect="equal")
    tick = [(names or {}).get(int(t), str(t)) for t in matrix.index]
    ax.set_xticks(range(n), [str(int(t)) for t in matrix.columns], fontsize=6.5)
    ax.set_yticks(range(n), tick, fontsize=6.5)
    top = values.max() or 1
    for (r, c), v in np.ndenumerate(values):
        ax.text(c, r, nums.count(v), ha="center", va="center", fontsize=6.5,
                color="white" if v > 0.55 * top else _INK)
    ax.set_xlabel(lab["x"], fontsize=7)
    ax.set_ylabel(lab["y"], fontsize=7)
    ax.tick_params(length=0)
    return fig


@_figure
def plot_importances(importances: pd.Series, *, ax: Axes | None = None, color: str = "#0072B2",
                     xlabel: str = "Permutation importance") -> Figure:
    """Horizontal bars of feature importances (already sorted as wanted)."""
    s = pd.Series(importances, dtype=float)
    fig, ax = _new(ax, (4, 0.5 + 0.25 * len(s)))
    ypos = np.arange(len(s))[::-1]
    ax.barh(ypos, s.to_numpy(), color=color, height=0.6)
    ax.set_yticks(ypos, [str(i) for i in s.index], fontsize=7)
    ax.set_xlabel(xlabel, fontsize=7)
    _style(ax, "x")
    return fig


# --------------------------------------------------------------------------- interviews
@_figure
def plot_cooccurrence(matrix: pd.DataFrame, *, ax: Axes | None = None, annotate: bool = True) -> Figure:
    """Theme × theme co-occurrence (e.g. Jaccard) heatmap; the diagonal is left blank.

    Parameters
    ----------
    matrix : DataFrame
        Square, indexed and labelled by theme.
    annotate : bool, default=True
        Print values in cells (only when there are at most 20 themes).
    """
    nums = _numbers()
    n = len(matrix)
    fig, ax = _new(ax, (1.5 + 0.35 * n, 1.2 + 0.35 * n))
    values = matrix.to_numpy(dtype=float).copy()
    np.fill_diagonal(values, np.nan)
    ax.imshow(values, cmap=_SEQUENTIAL, aspect="equal", vmin=0)
    ax.set_xticks(range(n), list(matrix.columns), fontsize=6.5, rotation=60, ha="right")
    ax.set_yticks(range(n), list(matrix.index), fontsize=6.5)
    if annotate and n <= 20:
        top = np.nanmax(values) if np.isfinite(values).any() else 1
        for (r, c), v in np.ndenumerate(values):
            if np.isfinite(v):
                ax.text(c, r, nums.dec(fixed(v, 2).lstrip("0")), ha="center", va="center", fontsize=5.5,
                        color="white" if v > 0.6 * top else _INK)
    ax.tick_params(length=0)
    return fig


@_figure
def plot_dendrogram(linkage: np.ndarray, labels: Sequence[str], *, ax: Axes | None = None,
                    color_threshold: float | None = None, ylabel: str = "Distance") -> Figure:
    """Dendrogram of a hierarchical clustering (scipy linkage matrix) of interview participants or themes.

    Parameters
    ----------
    linkage : ndarray of shape (n - 1, 4)
        As returned by :func:`scipy.cluster.hierarchy.linkage`.
    labels : sequence of str
        Leaf labels, in the order of the clustered observations.
    color_threshold : float, optional
        Passed to scipy: branches below it share a colour.
    """
    from scipy.cluster.hierarchy import dendrogram

    fig, ax = _new(ax, (max(4.0, 0.18 * len(labels)), 3))
    dendrogram(np.asarray(linkage, dtype=float), labels=list(labels), ax=ax,
               color_threshold=color_threshold, leaf_font_size=6.5, above_threshold_color="#999999")
    ax.set_ylabel(ylabel, fontsize=7)
    _style(ax, "y")
    return fig


@_figure
def plot_theme_prevalence(prevalence: pd.Series | pd.DataFrame, *, ax: Axes | None = None,
                          color: str = "#0072B2", xlabel: str = "Share of participants") -> Figure:
    """Bars of theme prevalence (share of interview participants mentioning each theme).

    Parameters
    ----------
    prevalence : Series or DataFrame
        Series theme → share, or a DataFrame with ``theme`` and ``share`` columns
        (``prevalence`` is accepted for ``share``), as
        :func:`~behaviortypes.interviews.prevalence` returns it; its ``ci_low`` and
        ``ci_high`` columns, when present, are drawn as a whisker on each bar. Drawn in
        the given order.
    """
    ci = None
    if isinstance(prevalence, pd.DataFrame):
        table = prevalence.set_index("theme") if "theme" in prevalence else prevalence
        s = table["share" if "share" in table else "prevalence"]
        if {"ci_low", "ci_high"} <= set(table.columns):
            ci = table[["ci_low", "ci_high"]].astype(float)
    else:
        s = prevalence
    s = pd.Series(s, dtype=float)
    fig, ax = _new(ax, (4.5, 0.5 + 0.25 * len(s)))
    ypos = np.arange(len(s))[::-1]
    ax.barh(ypos, s.to_numpy(), color=color, height=0.65)
    if ci is not None:  # the interval as given (prevalence computes it; a plot never does)
        x = s.to_numpy()
        err = np.vstack([x - ci["ci_low"].to_numpy(), ci["ci_high"].to_numpy() - x])
        ax.errorbar(x, ypos, xerr=np.clip(err, 0, None), fmt="none", ecolor="#333333", elinewidth=0.8,
                    capsize=2)
    ax.set_yticks(ypos, [str(i) for i in s.index], fontsize=7)
    if s.max() <= 1:
        nums = _numbers()
        ax.xaxis.set_major_formatter(lambda v, _: nums.pct(v))
    ax.set_xlabel(xlabel, fontsize=7)
    _style(ax, "x")
    return fig


# --------------------------------------------------------------------------- persona
@_figure
def plot_emblem(profile: pd.Series | Mapping[str, float], *, color: str = "#0072B2",
                ax: Axes | None = None, limit: float = 2.0, size: float = 1.6) -> Figure:
    """A type's emblem: a radial glyph of its factor profile.

    Each factor is a petal at a fixed angle (factor 1 at twelve o'clock, clockwise);
    its length grows with the type's z-score on that factor, the dashed circle being
    the average respondent. Above-average factors are filled in the type's colour
    (stronger for larger z), below-average ones are short light petals, and a soft
    outline joins the petal tips. The same profile always gives the same emblem and
    types with different profiles get visibly different shapes.

    Parameters
    ----------
    profile : Series or mapping
        Factor id → difference from the average in z units, in a fixed factor order.
    color : str, default="#0072B2"
    limit : float, default=2.0
        z-score drawn at the outer edge (larger values are clipped).
    size : float, default=1.6
        Figure size in inches (square) when ``ax`` is not given.
    """
    s = pd.Series(profile, dtype=float).fillna(0.0)
    if ax is None:
        fig = _PlainTextFigure(figsize=(size, size))
        ax = fig.add_axes((0, 0, 1, 1))
    else:
        fig = ax.figure
    ax.set_xlim(-1.08, 1.08)
    ax.set_ylim(-1.08, 1.08)
    ax.set_aspect("equal")
    ax.set_axis_off()
    n = max(len(s), 1)
    base = 0.42
    z = np.clip(s.to_numpy(), -limit, limit) / limit
    radius = np.where(z >= 0, base + (1 - base) * z, base * (1 + 0.75 * z))
    angles = np.pi / 2 - 2 * np.pi * np.arange(n) / n
    ax.add_patch(_circle(0, 0, 1.03, fc=color, ec="none", alpha=0.08))
    ax.add_patch(_circle(0, 0, base, fc="none", ec="#9a9a9a", lw=0.7, ls=(0, (2, 2))))
    if n >= 3:  # outline through the petal tips
        tips = np.c_[radius * np.cos(angles), radius * np.sin(angles)]
        ax.fill(tips[:, 0], tips[:, 1], fc=color, alpha=0.12, ec=color, lw=0.8)
    width = 2 * np.pi / n * 0.62
    for zi, r, angle in zip(z, radius, angles):
        theta = np.linspace(angle - width / 2, angle + width / 2, 30)
        xs = np.r_[0, r * np.cos(theta), 0]
        ys = np.r_[0, r * np.sin(theta), 0]
        if zi >= 0:
            ax.fill(xs, ys, fc=color, alpha=0.45 + 0.55 * zi, ec="white", lw=0.6)
        else:
            ax.fill(xs, ys, fc="#d9d9d9", ec="white", lw=0.6)
    ax.add_patch(_circle(0, 0, 0.1, fc="white", ec=color, lw=1.4))
    return fig


def _circle(x: float, y: float, r: float, **kw) -> "Circle":
    from matplotlib.patches import Circle

    return Circle((x, y), r, **kw)


@_figure
def plot_drivers(profile: pd.Series | Mapping[str, float], *, color: str = "#0072B2",
                 labels: Mapping[str, str] | None = None, ax: Axes | None = None,
                 limit: float | None = None, xlabel: str = "Difference from average (z)") -> Figure:
    """A type's factor profile as diverging bars (what drives them, what leaves them cold).

    Parameters
    ----------
    profile : Series or mapping
        Factor id → difference from the average in z units.
    color : str
        The type's colour (positive bars); negative bars are grey.
    labels : mapping, optional
        Display name per factor id.
    limit : float, optional
        Symmetric x-axis limit (use the same value on every persona page to compare).
    """
    s = pd.Series(profile, dtype=float)
    fig, ax = _new(ax, (3.2, 0.4 + 0.3 * len(s)))
    ypos = np.arange(len(s))[::-1]
    vals = s.to_numpy()
    ax.barh(ypos, vals, color=[color if v >= 0 else "#b0b0b0" for v in vals], height=0.62)
    ax.axvline(0, color=_INK, linewidth=0.8)
    ax.set_yticks(ypos, [(labels or {}).get(k, str(k)) for k in s.index], fontsize=7.5)
    lim = limit or max(1.0, float(np.nanmax(np.abs(vals))) * 1.15)
    ax.set_xlim(-lim, lim)
    ax.set_xlabel(xlabel, fontsize=6.5)
    _style(ax, "x")
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    return fig
