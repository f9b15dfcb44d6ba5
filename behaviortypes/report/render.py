"""Rendering the persona report: discovery folder → HTML (Jinja2) → PDF (WeasyPrint).

The renderer reads a discovery folder with :func:`~behaviortypes.report.data.load_report_data`,
draws the figures with :mod:`behaviortypes.plots` (inline SVG), fills the Jinja2
templates in ``report/templates`` with the text of ``report/i18n/<lang>.yaml`` and
lets WeasyPrint lay out the pages with ``report/static/report.css`` (the figures as
images of the same SVG: :func:`figures_as_images`). Nothing is
recomputed, so editing ``types.yaml`` (names, taglines, descriptions, colours) and
re-rendering takes seconds.
"""

from __future__ import annotations

import base64
import datetime as _dt
import logging
import math
import re
import textwrap
import warnings
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from matplotlib.colors import to_rgb

from .. import plots
from ..errors import BehaviortypesWarning, InputError, Said
from ..factors.efa import SALIENT
from ..factors.model import MINOR_SALIENT
from ..files import write_bytes, write_text
from ..i18n import reason_text
from ..said import k_set_with_texts
from ..profiles import answer_styles, factor_means_from_profiles, level_needs, level_pole, theme_needs
from .data import ReportData, load_report_data, pretty_name
from .exports import export_cards, export_pptx
from .figcache import svg_of
from .owned import refuse_foreign_files
from ..texts import I18N, LANGUAGES, Formatter, load_texts  # noqa: F401 (re-exported)
from ..texts import is_finite as _finite
from ..said import CFA_CUTOFFS, cfa_coverage, cfa_sentences, styles_sentence  # noqa: F401 (re-exported)

__all__ = [
    "LANGUAGES",
    "FORMATS",
    "load_texts",
    "Formatter",
    "build_context",
    "render_html",
    "render_document",
    "render_report",
    "RenderedDocument",
    "size_sentence",
    "styles_sentence",
    "typing_target_sentence",
    "overlap_sentence",
    "continuum_note",
    "continuum_title",
    "coded_warning_text",
    "structure_warning_text",
    "lpa_notes",
    "cfa_sentences",
    "cfa_coverage",
    "CFA_CUTOFFS",
    "factor_correlations",
    "FACTOR_CORR_STRONG",
]

_HERE = Path(__file__).parent
TEMPLATES = _HERE / "templates"
STATIC = _HERE / "static"
#: Output formats of :func:`render_report`.
FORMATS = ("pdf", "html", "pptx", "png")

_MAX_DO, _MAX_AVOID, _MAX_QUOTES, _MAX_CRM, _MAX_NEEDS = 5, 3, 3, 4, 6
#: Sections that shrink (fewer lines, shorter text, smaller figures) when they overflow a page.
_COMPACT_LEVELS = 3
_MIN_EFFECT = 0.2  # |difference from everyone| (SD) below this is not called a distinguishing behaviour
_QUOTE_CHARS = 230


# --------------------------------------------------------------------------- helpers
def _ink_on(colour: str) -> str:
    """Black or white text, whichever reads better on ``colour`` (WCAG luminance)."""
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour))
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#1a1a1a" if lum > 0.35 else "#ffffff"


def _tint(colour: str, amount: float = 0.88) -> str:
    r, g, b = to_rgb(colour)
    return "#{:02x}{:02x}{:02x}".format(*(int(round(255 * (c + (1 - c) * amount))) for c in (r, g, b)))


def _wrap_label(text: str, width: int, max_lines: int) -> str:
    """A figure label wrapped on up to ``max_lines`` lines of ``width`` characters; cut
    with "…" only when it needs more lines than that."""
    import textwrap

    lines = textwrap.wrap(" ".join(str(text).split()), width=width) or [""]
    if len(lines) <= max_lines:
        return "\n".join(lines)
    return "\n".join(lines[: max_lines - 1] + [_truncate(" ".join(lines[max_lines - 1:]), width)])


#: Statements in the loadings appendix wrap on two lines up to this many statements (the
#: figure's height is then enough); beyond it each keeps one line, cut at 48 characters.
LOADINGS_WRAP_MAX = 40


def _truncate(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


#: Persona titles longer than these many characters are set smaller (CSS ``long-name``,
#: ``longer-name``); every title wraps, none is cut.
_LONG_NAME, _LONGER_NAME = 26, 48


def _name_length_class(name: str) -> str:
    """The persona title's size class: ``""``, ``"long-name"`` or ``"long-name longer-name"``."""
    n = len(" ".join(str(name).split()))
    return "" if n <= _LONG_NAME else "long-name" if n <= _LONGER_NAME else "long-name longer-name"


def _digits(share: float) -> int:
    """Decimals for a share: one below 10 % (small types), none above."""
    return 1 if math.isfinite(share) and share < 0.1 else 0


def _base_texts(row: Mapping[str, Any], fmt: Formatter, digits: int | None = None
                ) -> tuple[str | None, str | None]:
    """A type's corrected base share and its 95 % interval as written (``None`` when not
    recorded): as many decimals as the share (or ``digits``), more when the interval needs them."""
    base = float(row.get("base_share", math.nan))
    if not math.isfinite(base):
        return None, None
    d = _digits(base) if digits is None else digits
    lo, hi = float(row.get("base_ci_low", math.nan)), float(row.get("base_ci_high", math.nan))
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return fmt.pct(base, d), None
    return fmt.share_ci(base, lo, hi, d)


def _column_digits(types: Any, share: str, low: str, high: str, small: bool) -> int:
    """The decimals one column of shares is written with: the most any row needs (a small
    share's one decimal when ``small``; more where an interval's ends would read alike),
    so that a column never mixes "52 %" with "18,2 %" (user trial 8)."""
    need = [0]
    for _, r in types.iterrows():
        value = float(r.get(share, math.nan))
        if not math.isfinite(value):
            continue
        d = _digits(value) if small else 0
        lo, hi = float(r.get(low, math.nan)), float(r.get(high, math.nan))
        need.append(plots.interval_digits(lo, hi, d, scale=100) if math.isfinite(lo) and math.isfinite(hi) else d)
    return max(need)


def size_sentence(row: Mapping[str, Any], fmt: Formatter, t: Mapping[str, str]) -> str:
    """A type's size in words: survey share, and the customer base's share with its 95 % interval.

    E.g. "3.7% of respondents, 7.5% of the customer base [95% CI 4.7–9.6%]" (small
    shares with one decimal, so that small types are stated honestly).
    """
    share = float(row["share"])
    survey = fmt.pct(share, _digits(share))
    base, ci = _base_texts(row, fmt)
    if base is None:
        return t["size_sentence_survey"].format(share=survey)
    key = "size_sentence" if ci else "size_sentence_no_ci"
    return t[key].format(share=survey, base=base, ci=ci)


def typing_target_sentence(block: Mapping[str, Any] | None, t: Mapping[str, str], fmt: Formatter) -> str:
    """The sentence "That is below the 90% target; N statements would reach it." (or "")."""
    if not block or block.get("agreement") is None or block.get("target") is None:
        return ""
    agreement, target = float(block["agreement"]), float(block["target"])
    if agreement >= target or "n_needed" not in block:
        return ""
    from ..deliver import needed_sentence  # the one wording (discover, typing-tool: the same)

    lang = fmt.lang if fmt.lang in ("en", "sv") else "en"
    return " " + t["typing_below_target"].format(target=fmt.pct(target)) + needed_sentence(
        block, lang, n_items=len(block.get("items") or []) or None, agreement=agreement)


# --------------------------------------------------------------------------- context
def _reach(data: ReportData, tid: int, fmt: Formatter, t: Mapping[str, str]) -> tuple[list[dict[str, Any]], str]:
    """The "how to reach them" rows of a type (crm_profile.csv) and the note under them.

    The rows that differ significantly (``significant``: type vs the other linked
    customers, Benjamini-Hochberg 5 % per feature, as the banner pages) come first, by
    size; only they get an arrow (``dir``). Rows with nothing to show (suppressed small
    cells) are left out. Yes/no columns and categorical levels are shares.
    """
    if data.crm is None:
        if data.importances is not None and len(data.importances):
            top = ", ".join(_in_sentence(data, f) for f in data.importances.index[:4])
            return [], t["crm_from_card"].format(signals=top)
        return [], t["no_crm"]
    c = data.crm[(data.crm["type_id"] == tid) & data.crm["mean"].notna() & data.crm["overall"].notna()]
    tested = "significant" in c
    sig = c["significant"].astype(str).str.lower().eq("true") if tested else False
    c = c.assign(sig_=sig, size_=c["effect_size"].abs().fillna(0.0))
    c = c.sort_values(["sig_", "size_"], ascending=False, kind="stable").head(_MAX_CRM)
    rows = []
    for r in c.itertuples():
        kind = getattr(r, "kind", "numeric")
        level = getattr(r, "level", None)
        share = kind in ("boolean", "categorical")
        if isinstance(level, float) and math.isfinite(level):  # a numeric level read back as a number
            level = str(int(level)) if level.is_integer() else str(level)
        name = data.label(r.feature) + (f": {level}" if isinstance(level, str) and level else "")
        show = (lambda x: fmt.pct(x)) if share else (lambda x: fmt.amount(x, like=(r.mean, r.overall)))
        shown = show(r.mean), show(r.overall)
        rows.append({"feature": name, "mean": shown[0], "overall": shown[1],  # no arrow between equal texts
                     "dir": ("up" if r.diff > 0 else "down") if r.sig_ and shown[0] != shown[1] else None,
                     "width": min(100.0, 100 * abs(r.size_) / 1.0)})
    if not rows and data.importances is not None and len(data.importances):
        top = ", ".join(_in_sentence(data, f) for f in data.importances.index[:4])
        return [], t["crm_from_card"].format(signals=top)
    if not rows:
        return [], t["no_crm"]
    return rows, t["reach_note"] + ". " + t["reach_rule" if tested else "reach_rule_missing"]


def _in_sentence(data: ReportData, column: str) -> str:
    """A column's name inside a sentence: the label instrument.yaml gives it as written
    ("NPS", "Ålder"), else its name in lower case ("visits per month")."""
    return data.column_labels.get(column) or data.label(column).lower()


def _persona(data: ReportData, tid: int, pos: int, n_shown: int, fmt: Formatter,
             t: Mapping[str, str], zlim: float, level: int = 0) -> dict[str, Any]:
    row = data.types.loc[tid]
    prof = data.profiles[data.profiles["type_id"] == tid]
    items = prof[prof["kind"] == "item"]
    factors = prof[prof["kind"] == "factor"].set_index("key")["diff"]
    colour = row["color"]

    # the type against everyone (difference in everyone's SD, as the caption says), not
    # Cohen's d against the rest, which fills the bars of a big type; a profiles.csv
    # written before diff_sd existed has only the latter
    measure = "diff_sd" if "diff_sd" in items else "effect_size"

    def behaviour(r) -> dict[str, Any]:
        return {"text": data.item_texts.get(r.key, r.key), "mean": fmt.num(r.mean, 1),
                "overall": fmt.num(r.overall, 1), "diff": fmt.signed(r.diff, 1),
                "width": min(100.0, 100 * abs(getattr(r, measure)) / 1.5)}

    do = items[items[measure] >= _MIN_EFFECT].nlargest(_MAX_DO - level, measure)
    avoid = items[items[measure] <= -_MIN_EFFECT].nsmallest(_MAX_AVOID - level, measure)
    needs, needs_note = _needs(data, tid, items, measure, t)
    quotes = []
    if data.quotes is not None:
        for q in data.quotes[data.quotes["type_id"] == tid].head(_MAX_QUOTES).itertuples():
            who = q.pseudonym if isinstance(q.pseudonym, str) else ""
            if who.startswith("Participant "):  # pseudonyms as written by interviews.pseudonymise
                who = t.get("participant", "Participant") + who[len("Participant"):]
            quotes.append({"text": _truncate(q.quote, _QUOTE_CHARS - 60 * level), "who": who,
                           "theme": pretty_name(q.theme) if isinstance(q.theme, str) else ""})
    crm, crm_note = _reach(data, tid, fmt, t)
    recall = None
    if data.per_type is not None and tid in data.per_type.index and "recall" in data.per_type:
        recall = fmt.pct(float(data.per_type.loc[tid, "recall"]))
    n_customers = (data.base or {}).get("n_customers")
    stab, (base_share, base_ci) = row["stability"], _base_texts(row, fmt)

    return {
        "id": int(tid), "pos": pos, "of": t["persona_of"].format(i=pos, k=n_shown),
        # the name whole (the analyst's words are never cut): a long one gets a smaller, wrapped title
        "name": " ".join(str(row["name"]).split()), "tagline": _truncate(row["tagline"], 150 - 30 * level),
        "description": _truncate(row["description"], 420 - 140 * level), "level": level,
        "name_size": _name_length_class(row["name"]),
        "color": colour, "ink": _ink_on(colour), "tint": _tint(colour),
        "n": fmt.count(row["n"]), **dict(zip(("share", "ci"), fmt.share_ci(row["share"], row["ci_low"],
                                                                           row["ci_high"]))),
        "base_share": base_share,
        "base_note": ((f"{t['ci95']} {base_ci} · " if base_ci else "")
                      + t["base_share_note" if (data.base or {}).get("corrected", True)
                          else "base_share_note_uncorrected"].format(n=fmt.count(n_customers)))
                     if n_customers else "",
        # linked (a lookalike card) but not scored: say so and what to run, not "no base"
        "base_missing": t["no_base_scored" if data.card is not None else "no_base"],
        "stability": None if not math.isfinite(stab) else fmt.num(stab, 2),
        "stable": bool(math.isfinite(stab) and stab >= 0.75),
        "recall": recall,
        "do": [behaviour(r) for r in do.itertuples()],
        # a large, mainstream type may stand out on no statement: said, not an empty list
        "none_above": t["none_above"].format(sd=fmt.num(_MIN_EFFECT, 1)),
        "avoid": [behaviour(r) for r in avoid.itertuples()],
        "needs": needs, "needs_note": needs_note, "quotes": quotes, "crm": crm, "crm_note": crm_note,
        "emblem": svg_of(plots.plot_emblem, factors, color=colour, size=1.25),
        "drivers": svg_of(plots.plot_drivers, factors.rename(index=data.factor_names),
                          color=colour, limit=zlim, xlabel=t["plot_z"], inches=(3.3, 0.45 + 0.27 * len(factors))),
        "who": _who(data, tid, fmt.lang, level),
    }


def _needs(data: ReportData, tid: int, items: Any, measure: str, t: Mapping[str, str]
           ) -> tuple[list[str], str]:
    """A persona page's "What they need": the themes (chips) and a sentence before them.

    The themes a type is higher on as a whole (keyed mean >= 0.2 SD, not one statement;
    :func:`behaviortypes.profiles.theme_needs`), no sentence. A *level* type (higher, or
    lower, than everyone on every factor by about as much, named "The positive raters" /
    "The critical raters") is higher on every theme, which says nothing: the sentence says
    its level sets it apart, and the chips are the themes it departs from its level on
    (:func:`behaviortypes.profiles.level_needs`)."""
    means = factor_means_from_profiles(data.profiles)
    style = answer_styles(data.profiles, data.item_reverse).get(int(tid), True)
    high = (level_pole(means.loc[tid].astype(float), style is not False)
            if tid in means.index and means.shape[1] else None)
    if high is None:
        found = theme_needs(items, data.item_themes, data.item_reverse, measure=measure)
        return list(dict.fromkeys(pretty_name(th) for th in found["theme"]))[:_MAX_NEEDS], ""
    found = level_needs(items, data.item_themes, data.item_reverse, high=high, measure=measure)
    needs = list(dict.fromkeys(pretty_name(th) for th in found["theme"]))[:_MAX_NEEDS]
    pole = "high" if high else "low"
    # without reverse-worded statements a level is not read as "a more critical view" (trial 11)
    note = t[f"needs_level_{pole}_content" if style is None else f"needs_level_{pole}"]
    return needs, note + (" " + t[f"needs_level_{pole}_most"] if needs else "")


def _who(data: ReportData, tid: int, lang: str, level: int) -> dict[str, Any] | None:
    """The "Who they are" block of a persona page (``None`` when ``profile`` has not run)."""
    if data.profile is None:
        return None
    from ..describe import who_they_are

    meta = data.profile.meta
    # each column named as in "How to reach them" on the same page (user trial 10)
    columns = [s["column"] for s in [*meta.get("descriptors", []), *meta.get("outcomes", [])] if isinstance(s, dict)]
    return who_they_are(data.profile, int(tid), lang=lang, max_levels=max(2, 4 - level),
                        max_outcomes=max(1, 3 - level), labels={c: data.label(c) for c in columns})


def _hidden_note(types, min_group_size, fmt, t) -> str | None:
    """The sentence about types too small to get a page (``None`` when every type has one)."""
    hidden = types[~types["shown"]]
    if not len(hidden):
        return None
    detail = "; ".join(f"{r['name']}: n = {fmt.count(r['n'])}, {size_sentence(r, fmt, t)}"
                       for _, r in hidden.iterrows())
    return t["hidden_note"].format(
        names=", ".join(hidden["name"]), min=min_group_size, detail=detail,
        verb=t["hidden_verb_one"] if len(hidden) == 1 else t["hidden_verb_many"])


def _map_svg(umap: Any, names: Mapping[int, str], colours: Mapping[int, str], lv: int) -> str:
    """The map of respondents as SVG; the legend under it takes a line per type (one
    column) when the names are long."""
    return svg_of(_map_figure, umap, dict(names), dict(colours), lv)


def _map_figure(umap: Any, names: dict[int, str], colours: dict[int, str], lv: int):
    """The map's figure, sized for its legend (see :func:`_map_svg`)."""
    fig = plots.plot_umap(umap, names=names, colors=colours)
    legend = fig.axes[0].get_legend() if fig.axes else None
    rows = len(legend.get_texts()) if legend else 0
    one_column = rows > 1 and max(len(x.get_text()) for x in legend.get_texts()) > 48
    fig.set_size_inches(7.0, 3.9 - 0.9 * lv + (0.14 * (rows // 2) if one_column else 0.0))
    return fig


def _overview_rows(types: Any, fmt: Formatter) -> list[dict[str, Any]]:
    """The overview table's rows (its tagline cell wraps: the tagline is never cut); each
    share column with one number of decimals (:func:`_column_digits`)."""
    d_share = _column_digits(types, "share", "ci_low", "ci_high", small=False)
    d_base = _column_digits(types, "base_share", "base_ci_low", "base_ci_high", small=True)
    return [{"id": int(tid), "name": " ".join(str(r["name"]).split()),
             "tagline": " ".join(str(r["tagline"]).split()), "color": r["color"], "n": fmt.count(r["n"]),
             **dict(zip(("share", "ci"), fmt.share_ci(r["share"], r["ci_low"], r["ci_high"], d_share))),
             **dict(zip(("base", "base_ci"), _base_texts(r, fmt, d_base))),
             "shown": bool(r["shown"])} for tid, r in types.iterrows()]


def _map_sample_note(n_mapped: int, n_kept: int, t: Mapping[str, str], fmt) -> str | None:
    """The map's note when it shows a random sample (``profiles.MAP_MAX_RESPONDENTS``)."""
    if n_mapped >= n_kept:
        return None
    return t["map_sample_note"].format(n=fmt.count(n_mapped), total=fmt.count(n_kept))


def _uncorrected_reason(data: ReportData) -> str:
    """Why the base shares were not corrected: ``not_identified`` (the customer columns tell the
    types apart too weakly) or ``covariate_shift`` (the survey differs in the columns themselves),
    from the card (``base.reason``; a card before it: its ``base.method``)."""
    base = (data.card or {}).get("base") or {}
    reason = base.get("reason")
    if reason in ("not_identified", "covariate_shift"):
        return reason
    method = str(base.get("method") or (data.base or {}).get("method") or "")
    return "covariate_shift" if method.startswith("raw predicted: the survey differs") else "not_identified"


def _texts_of(data: ReportData, lang: str) -> dict[str, str]:
    """The report's texts in ``lang``; the overview's note on base shares that are not corrected
    gives the one reason that applies, and what the shares lean to (trial 10: it gave both)."""
    t = load_texts(lang)
    if (data.base or {}).get("corrected", True):
        return t
    return {**t, "base_uncorrected_note": t[f"base_uncorrected_note_{_uncorrected_reason(data)}"]}


def build_context(data: ReportData, lang: str = "en", *,
                  compact: Mapping[str, int] | None = None) -> dict[str, Any]:
    """Everything the templates show, formatted for ``lang``.

    Parameters
    ----------
    data : ReportData
    lang : str, default="en"
        One of :data:`LANGUAGES`; also the language of the type names and taglines the
        tool generated (:meth:`ReportData.in_language`).
    compact : mapping of str to int, optional
        Section id (``overview``, ``differences``, ``type-<id>``) → how much to
        shrink it (0..2): fewer lines, shorter quotes, smaller figures. Used by
        :func:`render_document` when a section does not fit on its page.

    Returns
    -------
    dict
        Template context: ``t`` (texts), ``study``, ``overview``, ``banner`` (the
        "who they are" overview, ``None`` without ``profile``), ``personas``,
        ``appendix`` sections and ``sections`` (the ids of the page-starting sections,
        in order).
    """
    t = _texts_of(data, lang)
    fmt = Formatter(lang)
    labels = plots.labels_in(lang)  # the figures' words, as the notebooks draw them
    compact = dict(compact or {})
    data = data.in_language(lang)  # the names and taglines the tool generated, in lang
    sol = data.solution
    one_group = _one_group(data)  # no distinct types: no personas, no differences
    types = data.types
    shown = types[types["shown"]]
    # labels in figures: the type's number, then its whole name on up to three lines (never "The…")
    names = {tid: plots.type_label(tid, n, max_lines=3) for tid, n in types["name"].items()}
    two_lines = max((v.count("\n") for v in names.values()), default=0)  # extra lines per label
    colours = types["color"].to_dict()
    base = types["base_share"].dropna().to_dict() or None
    sections: list[str] = ["overview"] if one_group else ["overview", "differences"]

    # overview ----------------------------------------------------------------------
    lv = compact.get("overview", 0)
    table = _overview_rows(types, fmt)
    sizes_frame = types.reset_index()[["type_id", "share", "ci_low", "ci_high"]]

    sizes = svg_of(plots.plot_sizes, sizes_frame, names=names, colors=colours, base_shares=base,
                   labels=labels["sizes"], inches=(7.0, 0.8 + (0.34 + 0.14 * two_lines - 0.08 * lv) * len(types)))

    overview = {"table": table, "sizes_svg": sizes, "has_base": base is not None, "umap_svg": None,
                "base_uncorrected": base is not None and not (data.base or {}).get("corrected", True),
                "one_group": None, "map_title": t["map_title"], "map_sample": None, "continuum_title": continuum_title(sol, t),
                "continuum": continuum_note(sol, data.evidence_k, t, fmt), "set_k": _set_k_note(sol, t, fmt),
                "structure": structure_warning_text(sol, t, fmt)}
    hidden_note = _hidden_note(types, data.min_group_size, fmt, t)
    n_kept = sol.get("n_kept") or int(types["n"].sum())
    if data.umap is not None:
        overview["umap_svg"] = _map_svg(data.umap, types["name"].to_dict(), colours, lv)
        overview["map_sample"] = _map_sample_note(len(data.umap), n_kept, t, fmt)
    subtitle = t["subtitle"].format(study=data.title, k=len(types), n=fmt.count(n_kept))
    if one_group:
        subtitle = t["one_group_subtitle"].format(study=data.title, n=fmt.count(n_kept))
        overview["one_group"] = {
            "title": t["one_group_title"],
            "reason": reason_text(sol.get("k_reason_code") or sol.get("k_reason", ""), k_set_with_texts(t, sol), fmt),
            "body": t["one_group_body"], "hint": t["one_group_hint"]}
        overview["map_title"] = t["map_one_group_title"]

    # differences -------------------------------------------------------------------
    ids = list(shown.index)
    fprof = data.factor_profile(ids)
    differences: dict[str, Any] = {"factor_svg": None, "items_svg": None, "items_title": None, "own_page": False}
    if fprof.shape[1]:
        differences["factor_svg"] = svg_of(
            plots.plot_profile_heatmap, fprof, names=names, labels=data.factor_names,
            inches=(min(7.0, 2.2 + 0.85 * fprof.shape[1]), 0.9 + (0.36 + 0.1 * two_lines) * len(ids)))
    differences.update(_statements_heatmap(data, ids, t, compact))
    if differences["own_page"] and not one_group:  # long statements: a page of their own, after the dimensions
        sections.insert(sections.index("differences") + 1, "statements")
    scale = (data.source.get("instrument") or {}).get("scale") or {}
    differences["items_note"] = t["items_heatmap_note"].format(min=scale.get("min", "min"), max=scale.get("max", "max"))
    scale_note = t["do_note"].format(min=scale.get("min", "min"), max=scale.get("max", "max"))

    # personas ----------------------------------------------------------------------
    zlim = max(1.0, float(np.nanmax(np.abs(fprof.to_numpy()))) * 1.1) if fprof.size else 1.0
    personas = [] if one_group else [
        _persona(data, tid, i, len(ids), fmt, t, zlim, compact.get(f"type-{tid}", 0))
        for i, tid in enumerate(ids, 1)]
    sections += [f"type-{p['id']}" for p in personas]
    for p in personas:  # weak evidence said on every persona page, not only the first (user trial 19)
        p["caution"] = t["persona_weak_evidence"] if overview["structure"] else ""
    banner = None
    if data.profile is not None and len(data.profile.banner) and not one_group:
        from ..describe import banner_overview

        banner = banner_overview(data.profile, lang=lang)
        # the names as edited in types.yaml (profile.json keeps the names of when it ran)
        for ty in banner["types"]:
            if ty["id"] in types.index:
                ty["name"] = f"{ty['id']} · {' '.join(str(types.loc[ty['id'], 'name']).split())}"
        after = "statements" if "statements" in sections else "differences"
        sections.insert(sections.index(after) + 1, "banner")

    appendix, more = _appendix(data, t, fmt, labels, names, colours, n_kept, compact.get("measurement", 0),
                               compact.get("k", 0))
    sections += more

    created = str(data.source.get("created", ""))[:10] or _dt.date.today().isoformat()
    return {
        "t": t, "lang": lang, "title": data.title, "study": data.study, "subtitle": subtitle,
        "created": created, "overview": overview, "hidden_note": hidden_note,
        "differences": None if one_group else differences, "banner": banner, "personas": personas, "appendix": appendix, "sections": sections,
        "scale_note": scale_note, "has_quotes": data.quotes is not None, "has_crm": data.crm is not None,
    }


#: A statement on the differences page wraps on up to two lines of this many characters.
ITEM_LABEL_WIDTH = 52
#: A shown statement longer than two lines of :data:`ITEM_LABEL_WIDTH` puts the statements
#: heatmap on a page of its own, every statement wrapped whole on lines of this many
#: characters at this font size (points): none is cut (user trial 11, session 17).
LONG_ITEM_WIDTH, LONG_ITEM_FONT = 66, 6.8


def _statements_heatmap(data: ReportData, ids: list[int], t: Mapping[str, str],
                        compact: Mapping[str, int]) -> dict[str, Any]:
    """The statements heatmap of the differences page: the statements that separate the
    shown types most (22, fewer when the page is compacted), each labelled with its whole
    text. Statements that fit two lines of :data:`ITEM_LABEL_WIDTH` characters stay under
    the dimensions on the differences page; longer ones make the heatmap a page of its own
    (``own_page``; section ``statements``), wrapped whole on as many lines as they need."""
    out: dict[str, Any] = {"items_svg": None, "items_title": None, "own_page": False}
    iprof = data.item_profile(ids)
    if not iprof.shape[1]:
        return out
    types = data.types
    eff = data.profiles[(data.profiles["kind"] == "item") & data.profiles["type_id"].isin(ids)]
    ranked = eff.groupby("key")["effect_size"].apply(lambda s: s.abs().max())
    ranked = ranked.nlargest(len(ranked))  # ties in file order, as before
    texts = {k: " ".join(str(data.item_texts.get(k, k)).split()) for k in iprof.columns}
    long = any(len(textwrap.wrap(texts[k], ITEM_LABEL_WIDTH)) > 2 for k in ranked.index[:22])
    level = compact.get("statements" if long else "differences", 0)
    keep = ranked.index[:22 - 6 * level]
    n_items = iprof.shape[1]
    iprof = iprof[[c for c in iprof.columns if c in set(keep)]].T
    if len(iprof) < n_items:  # say that only the most separating statements are shown
        out["items_title"] = t["items_heatmap_title_some"].format(n=len(iprof), total=n_items)
    width = LONG_ITEM_WIDTH if long else ITEM_LABEL_WIDTH
    inames = {k: "\n".join(textwrap.wrap(texts[k], width)) or k for k in iprof.index}
    extra = sum(v.count("\n") for v in inames.values())  # lines beyond the first, all rows

    # the types' whole names: the figure wraps them to their columns' width when drawn
    type_labels = {tid: plots.type_label(tid, types.loc[tid, "name"], width=10_000, max_lines=1) for tid in ids}
    # room for the type labels under the columns (wrapped there on about this many lines)
    # (about 3.9 pt a character at 7 pt; the columns share about 4.1 inches)
    label_lines = min(8, max(math.ceil(len(f"{tid} · {types.loc[tid, 'name']}") * 3.9 / (4.1 * 72 / len(ids)))
                             for tid in ids))
    line = 0.1 if not long else LONG_ITEM_FONT * 1.25 / 72  # inches a wrapped line adds to its row
    height = 1.25 + 0.2 * len(iprof) + line * extra + 0.1 * max(0, label_lines - 3)
    out.update(items_svg=svg_of(_statements_figure, iprof, inames, type_labels, long,
                                inches=(7.0, height)), own_page=long)
    return out


def _statements_figure(iprof: Any, inames: dict[str, str], type_labels: dict[int, str], long: bool):
    """The statements heatmap's figure; ``long``: its statements are paragraphs (their own page)."""
    fig = plots.plot_profile_heatmap(iprof, names=inames, fmt="{:+.1f}", labels=type_labels)
    if long:
        for label in fig.axes[0].get_yticklabels():  # a paragraph: its lines start together
            label.set_fontsize(LONG_ITEM_FONT)
            label.set_multialignment("left")
    return fig


#: the reason codes that say what the evidence alone gives when ``--k`` set another number
_SET_K_CODES = ("k_reason_user_evidence_one", "k_reason_user_evidence")


def _set_k_note(solution: Mapping[str, Any], t: Mapping[str, str], fmt: Formatter) -> str:
    """The overview's sentence when ``--k`` set another number of types than the evidence
    alone gives (user trial 7: a client PDF said "3 behaviour types" where the data gave one
    group); "" otherwise, and for an older folder."""
    codes = [c for c in solution.get("k_reason_code") or []
             if isinstance(c, Mapping) and c.get("code") in _SET_K_CODES]
    return reason_text(codes, t, fmt) if codes else ""


def coded_warning_text(solution: Mapping[str, Any], key: str, t: Mapping[str, str], fmt: Formatter) -> str:
    """A warning ``discover`` wrote to ``solution.json`` (``structure_warning``,
    ``statements_warning``) in the report's language: its ``<key>_code`` (a code of the
    catalogue and its values, or a list of them) when the catalogue has every code, else the
    text as written (an older folder, English); "" without the warning."""
    text = solution.get(key)
    if not text:
        return ""
    coded = solution.get(f"{key}_code")
    parts = [coded] if isinstance(coded, Mapping) else coded if isinstance(coded, list) else []
    if parts and all(isinstance(c, Mapping) and c.get("code") in t for c in parts):
        return reason_text([{"code": c["code"], "values": {k: _number_of(v) for k, v in (c.get("values") or {}).items()}}
                            for c in parts], t, fmt)
    # an older folder: a warning without values is the English catalogue's text word for word
    same = [code for code, said in load_texts("en").items() if code.startswith("warn_") and said == text]
    return t[same[0]] if same and same[0] in t else str(text)


def _number_of(value: Any) -> Any:
    """A number written as text with its digits (``"0.87"``, as a warning's values may hold
    it) as the number, so that the report's language writes it (``0,87``); else the value."""
    if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value.strip()):
        return float(value) if "." in value else int(value)
    return value


def _sentence(text: str) -> str:
    """A warning as the command line says it ("the 2 types are …") as a sentence of a page."""
    return text[:1].upper() + text[1:]


def structure_warning_text(solution: Mapping[str, Any], t: Mapping[str, str], fmt: Formatter) -> str:
    """The command line's "Weak evidence for distinct types" warning (``solution.json``
    ``structure_warning``, with ``structure_warning_code``) in the report's language, or ""
    (user trial 19: two personas "stability 1.00" and no word of the weak evidence); for a
    folder written before ``discover`` recorded it, the caution of a number of types set with
    ``--k`` against the evidence (:func:`behaviortypes.stages.user_k_caution`, user trial 22)."""
    from ..stages import user_k_caution

    text = coded_warning_text(solution, "structure_warning", t, fmt)
    caution = None if text else user_k_caution(solution)
    return reason_text(caution, t, fmt) if caution else text


def continuum_note(solution: Mapping[str, Any], evidence: Any, t: Mapping[str, str], fmt: Formatter) -> str:
    """The headline's and the appendix's "a continuum, not distinct groups" sentences (or "").

    Said when :func:`behaviortypes.stages.continuum_reason` finds a sign: the number of
    types is the largest searched while the BIC still falls (``k_reason_edge_range`` in
    ``solution.json``), or the relative entropy at the kept k (``evidence_k.csv``) is
    below :data:`behaviortypes.stages.CONTINUUM_ENTROPY`, or the types are ordered levels
    of one general dimension (``solution.json`` ``k_levels``, :func:`behaviortypes.stages.level_share`).
    """
    from ..stages import continuum_reason

    k = solution.get("k")
    entropy = share = None
    if k is not None and evidence is not None and "k" in evidence and "entropy" in evidence:
        row = evidence[evidence["k"].astype(int) == int(k)]
        entropy = row["entropy"].iloc[0] if not row.empty else None
        if not row.empty and "typed_differently" in row:
            share = row["typed_differently"].iloc[0]
    return reason_text(continuum_reason(k, solution.get("k_reason_code"), entropy, typed_differently=share,
                                        levels=solution.get("k_levels")), t, fmt)


def continuum_title(solution: Mapping[str, Any], t: Mapping[str, str]) -> str:
    """The continuum box's title: "types that are levels of one dimension" when
    :func:`behaviortypes.stages.continuum_reason` says so, else "a continuum, not distinct groups"."""
    from ..stages import continuum_reason, continuum_title_key

    codes = continuum_reason(solution.get("k"), None, None, levels=solution.get("k_levels"))
    return t[continuum_title_key(codes)]


def overlap_sentence(evidence: Any, chosen: Any, t: Mapping[str, str], fmt: Formatter) -> str:
    """The evidence appendix's warning that the kept types overlap (or "").

    Said when the relative entropy at the kept k is below
    :data:`behaviortypes.stages.OVERLAP_ENTROPY`, as ``discover`` warns; the share of
    respondents typed differently is ``evidence_k.csv``'s ``typed_differently``.
    """
    from ..stages import OVERLAP_ENTROPY

    if evidence is None or chosen is None or "k" not in evidence or "entropy" not in evidence:
        return ""
    row = evidence[evidence["k"].astype(int) == int(chosen)]
    if row.empty or not _finite(row["entropy"].iloc[0]):
        return ""
    entropy = float(row["entropy"].iloc[0])
    if not entropy < OVERLAP_ENTROPY:
        return ""
    share = row["typed_differently"].iloc[0] if "typed_differently" in row else None
    key = "k_overlap" if _finite(share) else "k_overlap_no_share"
    return t[key].format(entropy=fmt.num(entropy, 2), threshold=fmt.num(OVERLAP_ENTROPY, 1),
                         good=fmt.num(0.8, 1),
                         share=fmt.pct(float(share), 0) if _finite(share) else "")


def _lpa_rows(evidence, chosen, fmt: Formatter, one_group: str = "one group") -> list[dict[str, Any]]:
    """Latent-profile evidence per candidate k (the types engine's ``evidence_k.csv``):
    BIC, entropy, smallest type n and share, lowest AvePP, BLRT p, least stable type.

    The row k = 1 (one homogeneous group) is labelled ``one_group``; only its BIC and
    size mean something, so its other cells are left blank."""
    cols = ("bic_best", "entropy", "n_min", "avepp_min", "blrt_p")
    if evidence is None or "k" not in evidence or not any(c in evidence for c in cols):
        return []

    def cell(r, c, f):
        v = r.get(c)
        try:
            v = float(v)
        except (TypeError, ValueError):
            return "–"
        return f(v) if math.isfinite(v) else "–"

    rows = []
    for _, r in evidence.iterrows():
        if int(r["k"]) == 1:
            rows.append({"k": 1, "k_label": f"1 ({one_group})",
                         "chosen": chosen is not None and int(chosen) == 1,
                         "bic": cell(r, "bic_best", lambda v: fmt.count(v)),
                         "entropy": "", "n_min": cell(r, "n_min", lambda v: fmt.count(v)),
                         "share_min": cell(r, "min_share", lambda v: fmt.pct(v, 0)),
                         "avepp": "", "blrt": "", "jaccard": ""})
            continue
        # every fit of this k set aside (no BIC): its BLRT p compares collapsed fits (trial 19)
        set_aside = "bic_best" in r and not _finite(r.get("bic_best"))
        rows.append({
            "k": int(r["k"]), "k_label": str(int(r["k"])), "set_aside": set_aside,
            "blrt_hidden": set_aside and _finite(r.get("blrt_p")),
            "chosen": chosen is not None and int(r["k"]) == int(chosen),
            "bic": cell(r, "bic_best", lambda v: fmt.count(v)),
            "entropy": cell(r, "entropy", lambda v: fmt.num(v, 2)),
            # the smallest type of the model kept at this k, as sizes.csv gives it (older
            # folders: the shared-shape Gaussian's)
            "n_min": cell(r, "n_min_model" if _finite(r.get("n_min_model")) else "n_min",
                          lambda v: fmt.count(v)),
            "share_min": cell(r, "min_share_model" if _finite(r.get("min_share_model")) else "min_share",
                              lambda v: fmt.pct(v, 1)),
            "avepp": cell(r, "avepp_min", lambda v: fmt.num(v, 2)),
            "blrt": "–" if set_aside else cell(r, "blrt_p", lambda v: fmt.num(v, 3)),
            "jaccard": cell(r, "jaccard_min", lambda v: fmt.num(v, 2)),
        })
    return rows


def lpa_notes(rows: Sequence[Mapping[str, Any]], t: Mapping[str, str]) -> tuple[str, str]:
    """The latent-profile table's two notes on fits set aside (each "" when it does not
    apply): why a BLRT p is not shown for a number of types whose every fit was set aside,
    and why the number of types kept (in bold) has no BIC (user trial 19)."""
    hidden = [str(r["k"]) for r in rows if r.get("blrt_hidden")]
    chosen = [r for r in rows if r.get("chosen") and r.get("set_aside")]
    return (t["lpa_blrt_set_aside"].format(ks=", ".join(hidden)) if hidden else "",
            t["lpa_chosen_no_bic"].format(k=chosen[0]["k"]) if chosen else "")


def _styles_note(data: ReportData, t: Mapping[str, str], fmt: Formatter) -> str | None:
    """The data-quality note on response styles: the kept respondents with a marked style
    (counted, never screened out) and, on a scale with an even number of points, that
    midpoint responding is not measured; ``None`` when there is nothing to say."""
    parts = []
    if data.screening_reasons is not None:
        acq, dis, ext = (int(data.screening_reasons.get(f"{s}_kept") or 0)
                         for s in ("acquiescent", "disacquiescent", "extreme"))
        if acq or dis or ext:
            parts.append(t["styles_marked_kept"].format(acq=fmt.count(acq), dis=fmt.count(dis),
                                                        ext=fmt.count(ext)))
    straight = int((data.screening_reasons or {}).get("straightlining") or 0)
    if straight and data.item_reverse is not None and not any(data.item_reverse.values()):
        n_all = len(data.screening) if data.screening is not None else data.solution.get("n_respondents") or 0
        parts.append(t["straightlining_forward_only"].format(
            n=fmt.count(straight), share=fmt.pct(straight / n_all, 1) if n_all else "–"))
    scale = (data.source.get("instrument") or {}).get("scale") or {}
    lo, hi = scale.get("min"), scale.get("max")
    if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and (hi - lo + 1) % 2 == 0:
        parts.append(t["styles_no_midpoint"].format(min=f"{lo:g}", max=f"{hi:g}"))
    return " ".join(parts) or None


def _privacy_note(data: ReportData, t: Mapping[str, str]) -> str:
    """The appendix's privacy sentence: the page minimum, and the smallest cell ``profile``
    used when it is below that (user trial 12: "no group under 30" beside cells of 11)."""
    cell = data.profile.meta.get("min_cell") if data.profile is not None else None
    if isinstance(cell, int) and cell < data.min_group_size:
        return t["privacy_note_cells"].format(min=data.min_group_size, cell=cell)
    return t["privacy_note"].format(min=data.min_group_size)


def _appendix(data: ReportData, t: Mapping[str, str], fmt: Formatter, labels: Mapping[str, dict],
              names: Mapping[int, str], colours: Mapping[int, str], n_kept: int,
              measurement_level: int = 0, k_level: int = 0) -> tuple[dict, list[str]]:
    """The method appendix: data quality, measurement, loadings, number of types, lookalike card.

    Each part is present only when its input files are; returns the parts and the
    ids of the sections (pages) they start. ``measurement_level`` (0..2) makes the scree
    figure lower when the measurement page overflows, so that its last part (the CFA
    check) is not left alone on a page of its own (user trial 10).
    """
    sol, types = data.solution, data.types
    sections: list[str] = []
    appendix: dict[str, Any] = dict.fromkeys(("quality", "measurement", "loadings_svg", "factor_corr", "k", "lookalike"))
    received = sol.get("n_respondents")
    if data.screening is not None or received:
        reasons = []
        if data.screening is not None:
            scr = data.screening
            kept = scr["kept"].astype(str).str.lower().isin(["true", "1", "yes"])
            received = len(scr)
            n_kept = int(kept.sum())
        if data.screening_reasons is not None:  # respondents flagged per screen, most first
            flagged = {r: c for r, c in data.screening_reasons.items() if not r.endswith("_kept")}
            counts = sorted(((c, r) for r, c in flagged.items() if c), key=lambda cr: -cr[0])[:12]
            reasons = [{"reason": pretty_name(r), "count": fmt.count(c)} for c, r in counts]
        styles_note = _styles_note(data, t, fmt)
        stages = {t["funnel_received"]: received, t["funnel_screened"]: received - n_kept,
                  t["funnel_analysed"]: n_kept}
        funnel = svg_of(plots.plot_funnel, stages, inches=(6.0, 1.4))
        appendix["quality"] = {"svg": funnel, "reasons": reasons, "styles_note": styles_note}
        sections.append("quality")
    src = data.source
    appendix["provenance"] = t["provenance"].format(  # the survey's name, not its folder's (trial 8)
        study=data.title, file=Path(str(src.get("responses_file", "?"))).name, checksum=str(src.get("checksum", "?"))[:12],
        seed=src.get("seed", sol.get("seed", "?")), created=str(src.get("created", "?"))[:16].replace("T", " "))
    appendix["privacy"] = _privacy_note(data, t)

    fx = data.factors or {}
    if data.retention is not None or data.reliability is not None or fx:
        meas: dict[str, Any] = {"scree_svg": None, "reliability": [], "factorability": None, "cut_note": None,
                                "cfa": cfa_sentences(data.cfa, t, fmt, data.factor_names,
                                                     n_items=len(data.item_texts) or None)}
        fab = fx.get("factorability") or {}
        if isinstance(fab, list):  # records {measure, item, value}
            fab = {r.get("measure"): r.get("value") for r in fab
                   if isinstance(r, dict) and not r.get("item") and r.get("measure")}
        if isinstance(fab, dict) and fab.get("kmo") is not None:
            kmo = fab["kmo"]["overall"] if isinstance(fab["kmo"], dict) else fab["kmo"]
            p = _find_p(fab)
            meas["factorability"] = t["factorability"].format(
                kmo=fmt.num(float(kmo), 2), p=fmt.pvalue(float(p)) if p is not None else "–")
        m = sol.get("n_factors") or fx.get("n_factors")
        if data.retention is not None:
            meas["scree_svg"] = svg_of(plots.plot_scree, data.retention, n_factors=m,
                                       labels=labels["scree"], inches=(6.0, 2.6 - 0.6 * measurement_level))
        meas["retained"] = t["retained_note_one"] if m == 1 else t["retained_note"].format(m=m) if m else ""
        reason = reason_text(sol.get("factor_reason_code") or sol["factor_reason"], t, fmt)
        meas["reason"] = _sentence(reason)
        meas["evidence"] = _factor_evidence(data.retention, fmt)
        meas["styles"] = styles_sentence(sol.get("response_styles"), t, fmt)
        if data.reliability is not None:
            for r in data.reliability.to_dict(orient="records"):
                fid = str(r.get("factor", r.get("dimension", "")))
                has_ci = r.get("ci_low") is not None and r.get("ci_high") is not None
                d = plots.interval_digits(float(r["ci_low"]), float(r["ci_high"]), 2) if has_ci else 2
                meas["reliability"].append({
                    "name": data.factor_names.get(fid, fid),
                    "alpha": fmt.num(r.get("alpha"), d) if r.get("alpha") is not None else "–",
                    "ci": f"{fmt.num(r['ci_low'], d)}–{fmt.num(r['ci_high'], d)}" if has_ci else "–",
                    "omega": fmt.num(r.get("omega"), 2) if r.get("omega") is not None else "–",
                    "n_items": r.get("n_items", ""),
                })
                meas["omega_note"] = t["omega_two_note"] if r.get("n_items") == 2 else meas.get("omega_note")
            # the table counts at the scale cut, the retention sentence at the minor-factor cut:
            # said where they visibly differ, a dimension with fewer than three statements here
            # (trial 8); always said, it pushed the one-group report's page onto a second one
            if any(isinstance(r["n_items"], (int, float)) and r["n_items"] < 3 for r in meas["reliability"]):
                meas["cut_note"] = t["reliability_cut_note"].format(strong=fmt.num(SALIENT, 2),
                                                                   weak=fmt.num(MINOR_SALIENT, 2))
        appendix["measurement"] = meas
        sections.append("measurement")
    if data.loadings is not None:
        appendix["factor_corr"], appendix["loadings_svg"] = _loadings_page(data, t, fmt)
        sections.append("loadings")
    if data.evidence_k is not None or types["stability"].notna().any():
        appendix["k"] = _k_page(data, t, fmt, labels, names, colours, k_level)
        sections.append("k")
    if data.card is not None:
        appendix["lookalike"] = _lookalike_part(data, t, fmt, labels, names)
        sections.append("lookalike")
    return appendix, sections


def _k_page(data: ReportData, t: Mapping[str, str], fmt: Formatter, labels: Mapping[str, dict],
            names: Mapping[int, str], colours: Mapping[int, str], level: int = 0) -> dict[str, Any]:
    """The evidence appendix's page "how many types": the reason, the weak-evidence and
    few-statements warnings, the continuum box, the evidence figure, the latent-profile
    table with its notes and the stability figure. ``level`` (0..2) makes both figures lower
    when the page overflows (session 19: the demo's stability figure, kept with its note,
    went to a page of its own)."""
    sol, types = data.solution, data.types
    kpage: dict[str, Any] = {"reason": reason_text(sol.get("k_reason_code") or sol.get("k_reason", ""), k_set_with_texts(t, sol), fmt),
                             "evidence_svg": None, "stability_svg": None,
                             "lpa": _lpa_rows(data.evidence_k, sol.get("k"), fmt, t["lpa_one_group"]),
                             "continuum": continuum_note(sol, data.evidence_k, t, fmt),
                             "continuum_title": continuum_title(sol, t),
                             # the one-group box says the same as a weak-evidence warning
                             "structure": "" if _one_group(data) else structure_warning_text(sol, t, fmt),
                             "statements": _sentence(coded_warning_text(sol, "statements_warning", t, fmt))}
    kpage["lpa_set_aside"], kpage["lpa_chosen_no_bic"] = lpa_notes(kpage["lpa"], t)
    # the overlap said once on the page: the continuum box says it (same entropy and cut)
    kpage["overlap"] = "" if kpage["continuum"] else overlap_sentence(data.evidence_k, sol.get("k"), t, fmt)
    # past the last level the page takes two pages anyway (LEFT21: trial 20's stability figure,
    # squashed, had the second page to itself): the figures get their full height, the stability
    # figure a taller one
    spilled, n_types = level >= _COMPACT_LEVELS, int(types["stability"].notna().sum())
    if data.evidence_k is not None and any(c in data.evidence_k for c in ("stability", "jaccard_min", "prediction_strength", "bic", "bic_best", "silhouette")):
        kpage["evidence_svg"] = svg_of(plots.plot_k_evidence, data.evidence_k,
                                       chosen_k=sol.get("k"), labels=labels["k"],
                                       inches=(7.0, 2.2 if spilled else 2.2 - 0.45 * level))
    if n_types:
        kpage["stability_svg"] = svg_of(
            plots.plot_stability, types["stability"].dropna(), names=names, colors=colours,
            xlabel=t["plot_jaccard"],
            inches=(6.0, min(6.0, 0.8 + 0.5 * n_types) if spilled else (0.6 + 0.28 * n_types) * (1 - 0.2 * level)))
    return kpage


#: |r| at or above this between two dimensions is set in bold in the factor correlation table.
FACTOR_CORR_STRONG = 0.3


def factor_correlations(data: ReportData, t: Mapping[str, str], fmt: Formatter) -> dict[str, Any] | None:
    """The loadings page's factor correlation table (psych's ``Phi``, SPSS's "Factor
    Correlation Matrix"), read from ``factors.json`` (``factor_corr``, ``settings.rotation``).

    Returns ``None`` for one dimension or a folder without ``factor_corr``; ``{"table": None,
    "note": ...}`` saying so when the rotation was orthogonal (every correlation 0 by
    construction); else ``{"table": {"columns": [...], "rows": [...]}, "note": ...}``: the
    lower triangle, two decimals, ``strong`` where |r| ≥ :data:`FACTOR_CORR_STRONG`.
    Nothing is recomputed: an oblique solution is one whose recorded correlations are not 0.
    """
    fx = data.factors or {}
    phi = fx.get("factor_corr")
    if not isinstance(phi, Mapping) or len(phi) < 2:
        return None
    order = [f for f in (data.loadings.columns if data.loadings is not None else []) if f in phi]
    ids = order + [f for f in phi if f not in order]
    try:
        r = np.array([[float(phi[a][b]) for b in ids] for a in ids])
    except (KeyError, TypeError, ValueError):
        return None  # a hand-edited or partial record: the page shows the loadings alone
    rotation = str((fx.get("settings") or {}).get("rotation") or "").strip()
    off = r[~np.eye(len(ids), dtype=bool)]
    if not np.isfinite(off).all() or np.allclose(off, 0.0, atol=1e-9):
        key = "fcorr_orthogonal" if rotation and rotation != "none" else "fcorr_orthogonal_unnamed"
        return {"table": None, "note": t[key].format(rotation=rotation)}
    rows = []
    for i, f in enumerate(ids):
        cells = [{"text": fmt.num(r[i, j], 2), "strong": abs(r[i, j]) >= FACTOR_CORR_STRONG} for j in range(i)]
        rows.append({"n": i + 1, "name": data.factor_names.get(f, f), "cells": cells + [{"text": "1", "strong": False}],
                     "blank": len(ids) - i - 1})
    key = "fcorr_note" if rotation else "fcorr_note_unnamed"
    return {"table": {"columns": list(range(1, len(ids) + 1)), "rows": rows},
            "note": t[key].format(rotation=rotation, strong=fmt.num(FACTOR_CORR_STRONG, 2))}


def _loadings_page(data: ReportData, t: Mapping[str, str], fmt: Formatter) -> tuple[dict | None, str]:
    """The loadings page's factor correlations and its figure, which leaves room for them."""
    corr = factor_correlations(data, t, fmt)
    # inches for the correlations under the figure (a heading, the table, the note)
    reserve = 0.0 if corr is None else 0.9 if corr["table"] is None else 1.3 + 0.19 * len(corr["table"]["rows"])
    return corr, svg_of(_loadings_figure, data.loadings, data.item_texts, data.factor_names,
                        reserve)


def _loadings_figure(loadings: Any, item_texts: Mapping[str, str], factor_names: Mapping[str, str],
                     reserve: float = 0.0):
    """The loadings figure: rows grouped by each statement's main factor, strongest first.

    ``reserve``: inches of the page kept for what follows the figure (the factor
    correlations); the figure gives up to 15 % of its height for it, no more (its labels
    would touch), else what follows starts the next page."""
    main = loadings.abs().idxmax(axis=1)
    order = sorted(loadings.index, key=lambda i: (list(loadings.columns).index(main[i]),
                                                  -abs(loadings.loc[i, main[i]])))
    # up to LOADINGS_WRAP_MAX statements each wraps on two lines; more keep one line each,
    # cut at 48 characters (the id first, so that the statement can be looked up)
    wrap = len(loadings) <= LOADINGS_WRAP_MAX
    llabels = {k: (_wrap_label(f"{k} {v}", 48, 2) if wrap else _truncate(f"{k} {v}", 48))
               for k, v in item_texts.items()}
    n_wrapped = sum("\n" in llabels.get(k, "") for k in loadings.index)
    fig = plots.plot_loadings(loadings.loc[order], item_labels=llabels, factor_labels=factor_names)
    height = min(9.6, 1.0 + 0.19 * len(loadings) + 0.1 * n_wrapped)
    if reserve and height + reserve > 9.6:
        height = max(0.85 * height, 9.6 - reserve)
    fig.set_size_inches(7.0, height)
    return fig


def _lookalike_part(data: ReportData, t: Mapping[str, str], fmt: Formatter, labels: Mapping[str, dict],
                    names: Mapping[int, str]) -> dict[str, Any]:
    """The lookalike card's appendix page: metrics, calibration, confusion, importances, typing tool."""
    card = data.card
    metrics = [{"label": t[k], "value": fmt.num(data.card_metrics[k], 2 if k != "ece" else 3)}
               for k in ("accuracy", "balanced_accuracy", "macro_f1", "log_loss", "ece")
               if k in data.card_metrics]
    model = card.get("chosen_model") or card.get("model")
    look: dict[str, Any] = {"metrics": metrics, "model": t.get(f"model_{model}", model),  # the tool's word, in lang
                            "calibration_svg": None, "confusion_svg": None, "importance_svg": None,
                            "typing": None,
                            "linked": t["linked"].format(n=fmt.count(data.n_linked)) if data.n_linked else ""}
    from ..lookalike.weak import weakness, weakness_lines

    weak = card.get("weakness") or weakness(card.get("metrics") or {}) if isinstance(card, dict) else None
    if weak and weak.get("weak"):  # the yardstick beside the accuracy, and p_k for selection (trial 12)
        linked = look["linked"] + ("." if look["linked"] and not look["linked"].endswith(".") else "")
        look["linked"] = " ".join([linked, *weakness_lines(weak, fmt.lang)]).strip()
    if data.calibration is not None:
        look["calibration_svg"] = svg_of(plots.plot_calibration, data.calibration,
                                         labels=labels["calibration"], inches=(2.9, 2.7))
    if data.confusion is not None:
        look["confusion_svg"] = svg_of(plots.plot_confusion, data.confusion, names=names,
                                       labels=labels["confusion"], inches=(3.6, 2.9))
    if data.importances is not None and len(data.importances):
        imp = data.importances.head(8)
        imp.index = [data.label(i) for i in imp.index]
        look["importance_svg"] = svg_of(plots.plot_importances, imp, xlabel=t["plot_importance"],
                                        inches=(3.4, 0.5 + 0.22 * len(imp)))
    tool = data.typing_tool if isinstance(data.typing_tool, dict) else None
    if tool and isinstance(tool.get("items"), list):
        qs = [(_first_str(q, "text") or data.item_texts.get(_first_str(q, "id"), _first_str(q, "id")))
              if isinstance(q, dict) else data.item_texts.get(str(q), str(q)) for q in tool["items"]]
        agreement = tool.get("agreement", tool.get("accuracy"))
        # one decimal, as the sentence after it says what all statements reach ("88.9%"; trial 8)
        from ..deliver import agreement_digits, agreement_shown

        target = (data.solution.get("typing_tool") or {}).get("target", tool.get("target_agreement"))
        digits = agreement_digits(float(agreement), target) if agreement is not None else 1  # 89.95 %, not 90.0 %
        note = t["typing_note"].format(n=len(qs), agreement=fmt.pct(agreement_shown(float(agreement), target), digits) if agreement is not None else "–")
        look["typing"] = {"questions": qs, "note": note + typing_target_sentence(data.solution.get("typing_tool"), t, fmt)}
    return look


def _factor_evidence(retention: Any, fmt: Formatter) -> list[dict[str, Any]]:
    """Rows of the factor-retention evidence table (the candidates with a fitted solution)."""
    if retention is None or "salient" not in retention:
        return []
    rows = []
    for r in retention.to_dict(orient="records"):
        if r.get("salient") is None or (isinstance(r.get("salient"), float) and math.isnan(r["salient"])):
            continue
        def n(key, digits=2):
            v = r.get(key)
            return "–" if v is None or (isinstance(v, float) and not math.isfinite(v)) else fmt.num(float(v), digits)
        rows.append({"m": int(r["n_factors"]), "eigen": n("eigenvalue"), "pa": n("pa_threshold"),
                     "map": fmt.sig(r.get("map")), "salient": str(r["salient"]).replace("/", "·"),
                     "rmsea": f"{n('rmsea', 3)} ({n('rmsea_low', 3)}–{n('rmsea_high', 3)})",
                     "tli": n("tli"), "bic": n("bic", 0), "chosen": bool(r.get("chosen"))})
    return rows


def _find_p(fab: dict) -> float | None:
    for key in ("bartlett_p", "p_value", "p"):
        if key in fab:
            return fab[key]
    bart = fab.get("bartlett")
    if isinstance(bart, dict):
        return _find_p(bart)
    return None


def _first_str(d: dict, key: str) -> str | None:
    v = d.get(key)
    return None if v is None else str(v)


#: A command-line option in a sentence ("--k", "--min-cell"): kept on one line.
_OPTION = re.compile(r"(?<![\w-])--[A-Za-z][\w-]*")


def _options_unbroken(value: Any) -> Any:
    """Every ``{{ ... }}`` text of the report, escaped, with each command-line option in a
    ``<span class="opt">`` that does not break (``white-space: nowrap``): WeasyPrint
    otherwise breaks "--k" at its hyphen, leaving "-" at a line's end and "-k" on the next
    (session 14, the Swedish overview). Markup (figures, ``| safe``) is left as it is."""
    if not isinstance(value, str) or isinstance(value, Markup) or "--" not in value:
        return value
    return Markup(_OPTION.sub(lambda m: f'<span class="opt">{m.group(0)}</span>', str(escape(value))))


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      finalize=_options_unbroken)
    return env


def render_html(data: ReportData, lang: str = "en", *, context: dict | None = None) -> str:
    """The report as one HTML document (figures inline as SVG)."""
    if context is None:
        with plots.number_style(lang):  # numbers in the figures as the text writes them
            context = build_context(data, lang)
    css = (STATIC / "report.css").read_text(encoding="utf-8")
    return _environment().get_template("report.html").render(css=css, **context)


@dataclass(frozen=True)
class RenderedDocument:
    """A laid-out report: the WeasyPrint document and where each section starts.

    Attributes
    ----------
    html : str
    context : dict
        The template context (see :func:`build_context`).
    document : weasyprint.Document
    section_pages : dict of str to int
        Section id (``overview``, ``type-3``, ``quality`` ...) → 0-based page index.
    """

    html: str
    context: dict
    document: Any
    section_pages: dict[str, int]

    @property
    def n_pages(self) -> int:
        return len(self.document.pages)

    @cached_property
    def _pdf(self) -> bytes:
        with _quiet_weasyprint():
            return self.document.write_pdf()

    def pdf_bytes(self) -> bytes:
        """The PDF (written once, then reused)."""
        return self._pdf


@contextmanager
def _quiet_weasyprint():
    """WeasyPrint's warnings about CSS it ignores (the figures' SVG styles: thousands of
    lines per report) kept out of the user's log, whatever logging another library set
    up; its errors still show."""
    loggers = [logging.getLogger(name) for name in ("weasyprint", "weasyprint.progress")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


#: The sections that must fit on one page (each shrinks, up to ``_COMPACT_LEVELS - 1`` steps).
_ONE_PAGE = ("overview", "differences", "statements", "measurement", "k")


#: A figure as the templates place it: an inline ``<svg>`` first in its ``.fig`` or ``.emblem`` box.
_FIGURE_SVG = re.compile(r'(<div class="(fig|emblem)(?: [^"]*)?">)(<svg\b([^>]*)>.*?</svg>)', re.S)
_SVG_WIDTH = re.compile(r'\swidth="([^"]+)"')


def figures_as_images(html: str) -> str:
    """``html`` with each figure's inline ``<svg>`` (in a ``.fig`` or ``.emblem`` box) as an
    ``<img class="svg">`` carrying the same SVG as a data URI (session 23). The page is the same:
    WeasyPrint sizes an inline ``<svg>`` by its ``width`` attribute (as a CSS width weaker than
    any rule of the stylesheet), so a figure's image gets that width explicitly (its height follows
    from the SVG's proportions, as ``height: auto`` made the inline one's) and an emblem's keeps
    the stylesheet's; ``img.svg`` has the same rules as ``svg`` there. But the figures' thousands
    of elements are no longer HTML elements that every layout pass parses and styles against the
    report's CSS. The HTML the user gets keeps its inline SVG."""

    def image(m: re.Match) -> str:
        box, kind, svg, attrs = m.groups()
        if "xmlns=" not in attrs:  # an XML parser reads the data URI, not HTML's
            svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
        width = _SVG_WIDTH.search(attrs) if kind == "fig" else None
        size = f' style="width: {width.group(1)}"' if width else ""
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        return f'{box}<img class="svg" alt=""{size} src="data:image/svg+xml;base64,{data}">'

    return _FIGURE_SVG.sub(image, html)


def _laid_out(html: str) -> tuple[Any, dict[str, int], dict[str, int]]:
    """WeasyPrint's layout of ``html`` (its figures as images: :func:`figures_as_images`): the
    document, the page each section starts on (0-based) and how many pages each section takes."""
    from weasyprint import HTML

    with _quiet_weasyprint():
        doc = HTML(string=figures_as_images(html), base_url=str(STATIC)).render()
    pages: dict[str, int] = {}
    for i, page in enumerate(doc.pages):
        for anchor in page.anchors:
            if anchor.startswith("sec-"):
                pages.setdefault(anchor[4:], i)
    starts = sorted(pages.values()) + [len(doc.pages)]
    return doc, pages, {sec: starts[starts.index(p) + 1] - p for sec, p in pages.items()}


_SECTION = re.compile(r'<section id="sec-([^"]+)".*?</section>\s*', re.S)


def _only_sections(html: str, keep: Sequence[str]) -> str:
    """The report's HTML with only the sections ``keep`` (page-starting ``<section
    id="sec-...">`` elements, never nested); the head, styles and the rest stay. Every section
    starts a page of the same size and margins, so a section takes as many pages here as in
    the whole report: a section that shrank is checked without laying out the others again."""
    return _SECTION.sub(lambda m: m.group(0) if m.group(1) in keep else "", html)


def _overflowing(span: Mapping[str, int], compact: Mapping[str, int]) -> list[str]:
    """The one-page sections that take more than one page and can still shrink."""
    return [sec for sec, n in span.items() if n > 1 and (sec in _ONE_PAGE or sec.startswith("type-"))
            and compact.get(sec, 0) < _COMPACT_LEVELS - 1]


def _page_html(data: ReportData, lang: str, compact: Mapping[str, int]) -> tuple[dict, str]:
    """The template context and the HTML of the report at the compaction levels ``compact``."""
    with plots.number_style(lang):  # numbers in the figures as the text writes them
        context = build_context(data, lang, compact=compact)
    return context, render_html(data, lang, context=context)


def render_document(data: ReportData, lang: str = "en") -> RenderedDocument:
    """Lay out the report with WeasyPrint (no file written).

    Every section starts a page; the overview, the differences page, each persona
    and the measurement appendix must fit on one A4 page. A section that overflows (long names edited
    into ``types.yaml``, many types, long quotes) is laid out again in a more
    compact form (fewer lines, shorter quotes, smaller figures), up to two steps.

    The whole report is laid out once, and once more when a section had to shrink; in
    between, only the sections that shrank are laid out to see whether they fit now (each
    section starts a page, so the others cannot change), and a figure is drawn once for each
    set of inputs (:func:`.figcache.svg_of`): a section that kept its level draws nothing again.
    """
    compact: dict[str, int] = {}
    context, html = _page_html(data, lang, compact)
    doc, pages, span = _laid_out(html)
    grow = _overflowing(span, compact)
    for step in range(1, _COMPACT_LEVELS):
        if not grow:
            break
        for sec in grow:
            compact[sec] = compact.get(sec, 0) + 1
        if step == _COMPACT_LEVELS - 1:  # the last step: laid out below, not checked
            break
        _, part = _page_html(data, lang, compact)
        grow = _overflowing(_laid_out(_only_sections(part, grow))[2], compact)
    if compact:  # some section shrank: the whole report at the levels found
        context, html = _page_html(data, lang, compact)
        doc, pages, span = _laid_out(html)
        if span.get("k", 1) > 1 and compact.get("k") == _COMPACT_LEVELS - 1:
            compact["k"] = _COMPACT_LEVELS  # two pages at the smallest: the figures use the second
            context, html = _page_html(data, lang, compact)
            doc, pages, _ = _laid_out(html)
    return RenderedDocument(html=html, context=context, document=doc, section_pages=pages)


def _targets(data: ReportData, langs: Sequence[str], formats: Sequence[str], out_dir: Path,
             pdf: str | Path | None) -> list[Path]:
    """Every file :func:`render_report` will write (same names as below)."""
    paths = []
    for code in langs:
        if "pdf" in formats:
            paths.append(Path(pdf) if pdf is not None else out_dir / f"behaviour_types_{code}.pdf")
        if "html" in formats:
            paths.append(out_dir / f"behaviour_types_{code}.html")
        if "pptx" in formats:
            paths.append(out_dir / f"behaviour_types_{code}.pptx")
        if "png" in formats and not _one_group(data):  # k = 1: no personas, so no cards
            paths += [out_dir / f"cards_{code}" / f"type_{int(t)}.png" for t in data.shown_types.index]
    return paths


def _check_pdf_name(pdf: str | Path, lang: str) -> None:
    """Refuse a ``pdf`` path that names a folder or a file without ``.pdf`` (one line)."""
    path = Path(pdf)
    if path.is_dir() or str(pdf).endswith(("/", "\\")):
        raise InputError(code="problem_pdf_is_folder", file=pdf,
                         hint=Said("problem_pdf_is_folder_fix", {"path": path / f"behaviour_types_{lang}.pdf"}))
    if path.suffix.lower() != ".pdf":
        raise InputError(code="problem_pdf_suffix", file=pdf, value=path.suffix or None,
                         hint=Said("problem_pdf_suffix_fix", {"path": path.with_suffix(".pdf")}))


def _one_group(data: ReportData) -> bool:
    """Whether the discovery found no distinct types (``k: 1`` in ``solution.json``)."""
    return int(data.solution.get("k") or 0) == 1


def _warn_no_cards(data: ReportData) -> None:
    """Say in one line why ``png`` wrote no persona cards for a discovery with k = 1."""
    survey = data.source.get("survey_dir") or "SURVEY_DIR"
    warnings.warn(BehaviortypesWarning(
        f"no persona cards written for {data.path}: the discovery found no distinct types (one homogeneous "
        "group, k = 1), so there are no personas to put on cards (the report's first page says why). "
        f"To describe subgroups anyway, re-run `behaviortypes discover {survey} --out {data.path} --k 2` "
        "(or more): descriptive groups rather than real segments",
        code="warn_no_cards", values={"path": str(data.path), "survey": str(survey)}), stacklevel=3)


def render_report(
    discovery_dir: str | Path,
    *,
    out_dir: str | Path | None = None,
    pdf: str | Path | None = None,
    lang: str | Sequence[str] = "en",
    formats: Sequence[str] = ("pdf",),
) -> list[Path]:
    """Render the persona report of a discovery folder.

    Parameters
    ----------
    discovery_dir : str or Path
        Folder written by ``behaviortypes discover`` (richer with lookalike, scoring
        and interview outputs).
    out_dir : str or Path, optional
        Where to write; default ``reports/<study>/`` (relative to the working
        folder), ``<study>`` being the survey folder's name from ``source.json``.
    pdf : str or Path, optional
        Exact path of the PDF (one language only); other outputs go beside it
        unless ``out_dir`` is given.
    lang : str or sequence of str, default="en"
        ``"en"``, ``"sv"`` or several. The type names and taglines behaviortypes
        suggested (and the analyst left as they were) are shown in each language
        (:meth:`ReportData.in_language`); what the study and the analyst wrote stays
        as written.
    formats : sequence of str, default=("pdf",)
        Any of ``"pdf"`` (``behaviour_types_<lang>.pdf``), ``"html"``,
        ``"pptx"`` (one slide per type, ``behaviour_types_<lang>.pptx``) and
        ``"png"`` (one image per persona page in ``cards_<lang>/``).

    Returns
    -------
    list of Path
        The files written, in the order above, per language. A discovery that found
        no distinct types (k = 1) has no persona pages, so ``"png"`` writes no card
        (the PDF and the deck say that no types were found).

    Raises
    ------
    InputError
        For an unknown language or format, a ``pdf`` path that does not end in
        ``.pdf``, a missing discovery folder or file, a file whose columns are not
        as documented, or an output file that exists and is not a report
        behaviortypes wrote (see :mod:`behaviortypes.report.owned`; nothing is
        written then).

    Warns
    -----
    BehaviortypesWarning
        When ``"png"`` is asked for on a discovery with k = 1: one line saying why no
        persona card is written and how to describe subgroups anyway (``discover
        --k 2``).
    """
    langs = [lang] if isinstance(lang, str) else list(lang)
    for code in langs:
        load_texts(code)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise InputError(f"unknown report format {unknown[0]!r}", column="formats", value=unknown[0],
                         hint=f"use any of: {', '.join(FORMATS)}")
    if pdf is not None and len(langs) > 1:
        raise InputError("one PDF file is named, but several languages were asked for", value=str(pdf),
                         hint="name no PDF file (the files are named behaviour_types_<lang>.pdf) "
                         "or ask for one language")
    data = load_report_data(discovery_dir)
    if out_dir is None:
        out_dir = Path(pdf).parent if pdf is not None else Path("reports") / data.study
    out_dir = Path(out_dir)
    # an existing file is replaced only when it is a report we wrote: checked before rendering
    refuse_foreign_files(_targets(data, langs, formats, out_dir, pdf))
    if pdf is not None:
        _check_pdf_name(pdf, langs[0])
    if "png" in formats and _one_group(data):
        _warn_no_cards(data)
    written: list[Path] = []
    for code in langs:
        data_in = data.in_language(code)  # generated names and taglines in this language
        if {"pdf", "png"} & set(formats):
            rendered = render_document(data_in, code)
            context, html = rendered.context, rendered.html
        else:
            rendered = None
            with plots.number_style(code):
                context = build_context(data_in, code)
            html = render_html(data_in, code, context=context)
        if "pdf" in formats:
            path = Path(pdf) if pdf is not None else out_dir / f"behaviour_types_{code}.pdf"
            written.append(write_bytes(path, rendered.pdf_bytes()))
        if "html" in formats:
            written.append(write_text(out_dir / f"behaviour_types_{code}.html", html))
        if "pptx" in formats:
            written.append(export_pptx(data_in, out_dir / f"behaviour_types_{code}.pptx", context=context))
        if "png" in formats:
            written += export_cards(data_in, out_dir / f"cards_{code}", rendered=rendered)
    return written


