"""Type profiles, names and sizes; the editable ``types.yaml``.

A *profile* says how a behaviour type differs from everyone else: its mean on each
factor (in z units), the statements it over- and under-indexes on (with Cohen's d),
and, once the survey is linked to the customer base, the CRM behaviours where it
differs. Sizes are weighted shares with a 95 % Wilson interval on the Kish effective
sample size. Names and taglines are suggested by deterministic rules from the type's
most distinctive factors; the strategist edits them in ``types.yaml`` and a re-run
keeps those edits.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .errors import BehaviortypesWarning, InputError
from .files import load_user_yaml
from .i18n import (
    NAME_LANGUAGES,
    factor_label,
    guess_language,
    level_name,
    level_tagline,
    lexicon_applies,
    name_extra,
    said,
    tagline as _tagline,
    theme_part,
    type_name,
)

__all__ = [
    "Profiles",
    "profile_types",
    "profile_features",
    "weighted_sizes",
    "size_line",
    "size_digits",
    "suggest_names",
    "study_lexicon",
    "names_in_language",
    "factor_means_from_profiles",
    "merge_types_yaml",
    "read_types_yaml",
    "type_map",
    "cache_umap_kernels",
    "TYPE_COLORS",
    "ONE_GROUP_NAMES",
    "AVERAGE_NAMES",
    "AVERAGE_Z",
    "LEVEL_SPREAD",
    "NEED_MIN_EFFECT",
    "theme_needs",
    "level_pole",
    "level_needs",
    "answer_styles",
    "reverse_keys",
]

#: A colour-blind-friendly palette (Okabe–Ito, then Tableau) used for new types.
TYPE_COLORS = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9",
    "#8C6D31", "#7F7F7F", "#BCBD22", "#17BECF",
]

#: A type named after something it is low on also gets, in brackets, a factor it is high
#: on when its mean z there reaches this.
_NAME_FROM_HIGH = 0.5

#: ... and when that z is at least this share of its most distinctive |z|: a type far more
#: extreme on a low is named for the low, the high goes in the tagline (user trial 8: type 4
#: was named for a two-statement factor at z 0.83, its z -2.17 on empathy in brackets).
_HIGH_SHARE = 0.5

#: A type whose every |mean z| is below this is named as the average middle
#: (:data:`AVERAGE_NAMES`) rather than after a trait; see :func:`suggest_names`.
AVERAGE_Z = 0.3

#: "What they need": a theme's keyed mean difference from everyone (in SD) must reach
#: this; see :func:`theme_needs`.
NEED_MIN_EFFECT = 0.2

#: Name and tagline of a type that is close to average on every factor.
AVERAGE_NAMES = {
    "en": ("The mainstream", "Close to average on everything."),
    "sv": ("Den breda mitten", "Nära genomsnittet på allt."),
}

#: Name and tagline of the single group when the discovery found no distinct types (k = 1).
ONE_GROUP_NAMES = {
    "en": ("Everyone (one group)", "No distinct types: the respondents form one homogeneous group."),
    "sv": ("Alla (en grupp)", "Inga tydliga typer: de svarande bildar en enda homogen grupp."),
}


def _humanise(name: str) -> str:
    """A factor name as a name reads it: a code's ``_`` and ``-`` as spaces; a name written
    as words keeps its hyphens ("Self-enhancing humour", user trial 22: "self enhancing");
    its letters keep the study's casing ("trädgårdsliv", "Openness": session 24, where a
    capital added here and a lower case added mid-sentence changed the user's words)."""
    text = str(name).strip()
    text = re.sub(r"[_]+" if " " in text else r"[_\-]+", " ", text).strip()
    return text or str(name)


def _wmean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    mask = ~np.isnan(x)
    ww = np.where(mask, w[:, None], 0.0)
    total = ww.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, np.nansum(np.where(mask, x, 0.0) * ww, axis=0) / total, np.nan)


def _wvar(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    mean = _wmean(x, w)
    mask = ~np.isnan(x)
    ww = np.where(mask, w[:, None], 0.0)
    total = ww.sum(axis=0)
    dev = np.where(mask, (x - mean) ** 2, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (dev * ww).sum(axis=0) / total, np.nan)


def weighted_sizes(
    labels: pd.Series, sample_weight: pd.Series | None = None, *, ci: float = 0.95
) -> pd.DataFrame:
    """Weighted share of each type with a Wilson interval on the effective sample size.

    Parameters
    ----------
    labels : Series of shape (n_respondents,)
        Type id per respondent.
    sample_weight : Series, optional
        Survey weights aligned with ``labels``; equal weights when omitted.
    ci : float, default=0.95
        Coverage of the interval.

    Returns
    -------
    DataFrame
        Indexed by ``type_id`` with ``n`` (respondents), ``share`` (weighted), ``ci_low``,
        ``ci_high`` and ``n_effective`` (Kish).

    Notes
    -----
    The Wilson score interval is computed with the Kish effective sample size
    ``(Σw)² / Σw²`` in place of n, which widens the interval when weights vary
    (Kish 1965; Wilson 1927).
    """
    w = np.ones(len(labels)) if sample_weight is None else np.asarray(sample_weight, float)
    n_eff = w.sum() ** 2 / (w**2).sum()
    z = stats.norm.ppf(0.5 + ci / 2)
    rows = []
    for type_id in sorted(pd.unique(labels)):
        mask = np.asarray(labels == type_id)
        p = w[mask].sum() / w.sum()
        denom = 1 + z**2 / n_eff
        centre = (p + z**2 / (2 * n_eff)) / denom
        half = z * np.sqrt(p * (1 - p) / n_eff + z**2 / (4 * n_eff**2)) / denom
        rows.append(
            {
                "type_id": int(type_id),
                "n": int(mask.sum()),
                "share": float(p),
                "ci_low": float(max(0.0, centre - half)),
                "ci_high": float(min(1.0, centre + half)),
                "n_effective": float(n_eff),
            }
        )
    return pd.DataFrame(rows).set_index("type_id")


def profile_features(
    data: pd.DataFrame,
    labels: pd.Series,
    sample_weight: pd.Series | None = None,
    *,
    kind: str = "item",
) -> pd.DataFrame:
    """How each type differs from the rest on each column of ``data``.

    Parameters
    ----------
    data : DataFrame of shape (n_respondents, n_features)
        Numeric columns (items, factor scores or CRM features), indexed like ``labels``.
    labels : Series
        Type id per row.
    sample_weight : Series, optional
        Survey weights.
    kind : str, default="item"
        Written to the ``kind`` column (``item``, ``factor`` or ``crm``).

    Returns
    -------
    DataFrame
        Long format with ``type_id, kind, key, mean, overall, diff, effect_size,
        diff_sd``, where

        * ``diff`` is the type's mean minus everyone's mean (``overall``), in the
          column's own units (scale points);
        * ``effect_size`` is Cohen's d of the type against all *other* respondents
          (pooled weighted standard deviation): how well the column separates the type
          from the rest;
        * ``diff_sd`` is ``diff`` divided by everyone's (weighted) standard deviation:
          how far the type is from everyone, the comparison of a segment with the
          total that insight tables make, and what the persona page shows.

    Notes
    -----
    The two measures agree for a small type and part for a large one: for a type of
    74 % of the sample, 4.7 against everyone's 4.4 on a five-point statement is 0.38 SD
    from everyone but d = 1.90 against the remaining 26 % (the HSQ trial of session
    12). Everyone includes the type, so ``diff_sd`` shrinks as the type grows; the
    rest does not, so ``effect_size`` does not. Means and standard deviations are
    weighted by ``sample_weight``; the standard deviation is the weighted population
    one (as the factor scores are standardised in :func:`profile_types`, so that a
    factor's ``diff_sd`` is its ``diff``).
    """
    data = data.loc[labels.index]
    x = data.to_numpy(dtype=float)
    w = np.ones(len(data)) if sample_weight is None else np.asarray(sample_weight.loc[labels.index], float)
    overall = _wmean(x, w)
    sd_all = np.sqrt(_wvar(x, w))
    rows = []
    lab = np.asarray(labels)
    for type_id in sorted(pd.unique(lab)):
        inside = lab == type_id
        m_in, m_out = _wmean(x[inside], w[inside]), _wmean(x[~inside], w[~inside])
        v_in, v_out = _wvar(x[inside], w[inside]), _wvar(x[~inside], w[~inside])
        n_in, n_out = inside.sum(), (~inside).sum()
        pooled = np.sqrt(((n_in - 1) * v_in + (n_out - 1) * v_out) / max(n_in + n_out - 2, 1))
        with np.errstate(invalid="ignore", divide="ignore"):
            d = np.where(pooled > 0, (m_in - m_out) / pooled, 0.0)
            from_all = np.where(sd_all > 0, (m_in - overall) / sd_all, 0.0)
        for j, key in enumerate(data.columns):
            rows.append(
                {
                    "type_id": int(type_id),
                    "kind": kind,
                    "key": str(key),
                    "mean": float(m_in[j]),
                    "overall": float(overall[j]),
                    "diff": float(m_in[j] - overall[j]),
                    "effect_size": float(d[j]),
                    "diff_sd": float(from_all[j]),
                }
            )
    return pd.DataFrame(rows)


def theme_needs(
    table: pd.DataFrame,
    item_themes: Mapping[str, str],
    item_reverse: Mapping[str, bool] | None = None,
    *,
    min_effect: float = NEED_MIN_EFFECT,
    measure: str = "diff_sd",
) -> pd.DataFrame:
    """The themes each type is higher on as a whole: the persona page's "What they need".

    A theme is a need of a type when the type's difference from everyone in SD
    (``diff_sd``) averaged over the theme's statements, keyed (a reverse-worded
    statement counts with its sign flipped), is at least ``min_effect``. One statement
    that happens to differ is not enough: on R psych's bfi (the 2026-12-03 trial) a
    type with Openness z 0.00 had "Openness" as a need because one openness statement
    had d = 0.22 while the theme's keyed average was 0.08.

    Parameters
    ----------
    table : DataFrame
        The long profile table (``Profiles.table`` or ``profiles.csv``): rows with
        ``kind == "item"`` and columns ``type_id, key`` and ``measure`` are used.
    item_themes : mapping
        Statement id → theme; statements without a theme are ignored.
    item_reverse : mapping, optional
        Statement id → reverse-worded (``True``); default none.
    min_effect : float, default=0.2
        Smallest keyed mean of ``measure`` that makes a need.
    measure : str, default="diff_sd"
        The table's column to average: ``diff_sd`` (the type against everyone, in
        everyone's SD), or ``effect_size`` (Cohen's d against the rest) for a
        ``profiles.csv`` written before ``diff_sd`` existed. Against the rest, a type
        of 74 % of the HSQ trial had "needs" 0.05 SD above everyone (d 0.21-0.24).

    Returns
    -------
    DataFrame
        ``type_id, theme, <measure>, n_items``, one row per need, by type and then by
        descending ``measure`` (the order the page lists them in).

    Notes
    -----
    0.2 is Cohen's "small" effect and the threshold the persona page already applies to
    a single statement ("Do" and "Avoid"); here it applies to the theme's average, so
    the page calls a theme a need only when the type differs on the theme at least as
    much as a statement must to be shown.
    """
    rev = dict(item_reverse or {})
    items = table[table["kind"] == "item"] if "kind" in table else table
    items = items[items["key"].map(lambda k: bool(item_themes.get(k)))]
    cols = ["type_id", "theme", measure, "n_items"]
    if items.empty:
        return pd.DataFrame({c: [] for c in cols})
    keyed = items[measure].astype(float) * np.where(
        items["key"].map(lambda k: bool(rev.get(k, False))), -1.0, 1.0)
    frame = pd.DataFrame({"type_id": items["type_id"].astype(int),
                          "theme": items["key"].map(lambda k: str(item_themes[k])),
                          measure: keyed})
    out = (frame.groupby(["type_id", "theme"], sort=True)[measure]
           .agg(**{measure: "mean", "n_items": "size"}).reset_index())
    out = out[out[measure] >= min_effect]
    out = out.sort_values(["type_id", measure], ascending=[True, False], kind="stable")
    return out[cols].reset_index(drop=True)


def level_needs(
    table: pd.DataFrame,
    item_themes: Mapping[str, str],
    item_reverse: Mapping[str, bool] | None = None,
    *,
    high: bool,
    min_effect: float = NEED_MIN_EFFECT,
    measure: str = "diff_sd",
) -> pd.DataFrame:
    """The themes a *level* type (:func:`level_pole`) departs from its own level on.

    A type higher than everyone on every theme by about as much has every theme as a
    need by :func:`theme_needs`, which says nothing: what sets it apart is its level.
    What it needs beyond that are the themes on which it is higher still — by at least
    ``min_effect`` above its level, the mean of its keyed theme differences — and, for a
    type lower on everything (``high=False``), the themes it is lower on still.

    Parameters
    ----------
    table, item_themes, item_reverse, measure
        As for :func:`theme_needs` (one type's rows, or several).
    high : bool
        The type's level: above (``True``) or below everyone.
    min_effect : float, default=0.2
        Smallest distance from the type's level (in the units of ``measure``).

    Returns
    -------
    DataFrame
        ``type_id, theme, <measure>, beyond, n_items`` (``beyond``: the keyed difference
        minus the type's level), furthest beyond first.
    """
    every = theme_needs(table, item_themes, item_reverse, min_effect=-np.inf, measure=measure)
    cols = ["type_id", "theme", measure, "beyond", "n_items"]
    if every.empty:
        return pd.DataFrame({c: [] for c in cols})
    every["beyond"] = every[measure] - every.groupby("type_id")[measure].transform("mean")
    sign = 1.0 if high else -1.0
    out = every[sign * every["beyond"] >= min_effect].copy()
    out["_order"] = -sign * out["beyond"]
    out = out.sort_values(["type_id", "_order"], kind="stable")
    return out[cols].reset_index(drop=True)


@dataclass(frozen=True)
class Profiles:
    """Profiles of the discovered types.

    Attributes
    ----------
    factor_means : DataFrame
        Type × factor mean of the standardised factor scores (z units).
    table : DataFrame
        Long profile table (``type_id, kind, key, mean, overall, diff, effect_size``) for
        factors and items.
    sizes : DataFrame
        From :func:`weighted_sizes`.
    names : DataFrame
        Indexed by ``type_id``: suggested ``name``, ``tagline`` and ``color``.
    """

    factor_means: pd.DataFrame
    table: pd.DataFrame
    sizes: pd.DataFrame
    names: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def top_items(self, type_id: int, n: int = 5, *, direction: str = "high") -> pd.DataFrame:
        """The statements a type over- (``high``) or under-indexes (``low``) on most."""
        t = self.table[(self.table.kind == "item") & (self.table.type_id == type_id)]
        return t.sort_values("effect_size", ascending=direction == "low").head(n)

    @property
    def overview(self) -> pd.DataFrame:
        """Type × (``n, share, ci_low, ci_high, name, tagline``): sizes and suggested names."""
        return self.sizes[["n", "share", "ci_low", "ci_high"]].join(self.names[["name", "tagline"]])

    def summary(self) -> str:
        """One line per type for people: suggested name, share with its 95 % interval, n."""
        d = size_digits(self.overview)
        return "\n".join(size_line(t, row["name"], row["share"], row["ci_low"], row["ci_high"], row["n"],
                                    digits=d) for t, row in self.overview.iterrows())

    def to_dict(self) -> dict[str, Any]:
        return {
            "sizes": self.sizes.reset_index().to_dict(orient="records"),
            "names": self.names.reset_index().to_dict(orient="records"),
            "factor_means": self.factor_means.reset_index().to_dict(orient="records"),
        }


def study_lexicon(instrument: Any) -> bool:
    """Whether a study is a shopping study, whose types may get the lexicon's nouns.

    :func:`behaviortypes.i18n.lexicon_applies` of the instrument's ``name`` and its
    statements' ``text``; the same answer from the instrument object of a survey and
    from the instrument recorded in a discovery folder's ``source.json`` (a dict), so
    that the report renames the types exactly as ``discover`` named them.

    Parameters
    ----------
    instrument : Instrument, mapping or None
        ``None`` (nothing known of the study) gives ``True``: the theme words decide.
    """
    if instrument is None:
        return True
    if isinstance(instrument, Mapping):
        name, items = instrument.get("name"), instrument.get("items") or []
        texts = [it.get("text") for it in items if isinstance(it, Mapping)]
    else:
        name, texts = getattr(instrument, "name", None), [it.text for it in getattr(instrument, "items", [])]
    return lexicon_applies(name, [t for t in texts if isinstance(t, str)])


def size_line(type_id: int, name: str, share: float, ci_low: float, ci_high: float, n: float,
              *, lang: str = "en", digits: int | None = None) -> str:
    """A type's size for the command line: ``"  1. Name — 34% [30%, 37%], n = 412"``
    (Swedish, ``lang="sv"``: ``"34 % [30 %, 37 %]"``, decimal comma).

    Whole percentages, or more decimals when the interval's ends would otherwise read as
    one number (``27.9% [27.5%, 28.2%]``, not ``28% [28%, 28%]``;
    :func:`behaviortypes.plots.interval_digits`). ``digits`` fixes the decimals, so that
    the lines of one table round alike (:func:`size_digits`).
    """
    from .plots import fixed, interval_digits

    d = interval_digits(ci_low, ci_high, scale=100) if digits is None else int(digits)
    if lang == "sv":
        pct = (lambda x: fixed(x, d, scale=100).replace(".", ",") + "\u00a0%")
    else:
        pct = (lambda x: fixed(x, d, scale=100) + "%")
    return f"  {type_id}. {name} — {pct(share)} [{pct(ci_low)}, {pct(ci_high)}], n = {int(n)}"


def size_digits(sizes: pd.DataFrame) -> int:
    """Decimals for every size line of one table (``ci_low``, ``ci_high`` columns): as many
    as its narrowest interval needs, so that "8.0% [7.6%, 8.3%]" is not printed beside
    "8% [7%, 8%]" (user trial 7)."""
    from .plots import interval_digits

    return max((interval_digits(lo, hi, scale=100) for lo, hi in zip(sizes["ci_low"], sizes["ci_high"])),
               default=0)


def suggest_names(
    factor_means: pd.DataFrame,
    factor_names: Mapping[str, str] | None = None,
    *,
    lang: str | None = None,
    lexicon: bool = True,
    styles: Mapping[int, bool] | None = None,
) -> pd.DataFrame:
    """Suggest a persona name and tagline per type from its most distinctive factors.

    The rule is deterministic:

    * a type whose every |mean z| is below 0.3 (:data:`AVERAGE_Z`) is the average
      middle, not named after a trait: "The mainstream" / "Den breda mitten", tagline
      "Close to average on everything." (:data:`AVERAGE_NAMES`);
    * a type above (or below) average on every factor by about the same amount, on
      three or more factors, is a *level* type: a general evaluation or an answer
      style, not a profile shape (the satisfied and the dissatisfied customers of a
      survey that rates a provider's image, quality and value). It is named for that,
      "The positive raters" / "The critical raters" ("De positiva bedömarna" / "De
      kritiska bedömarna"), tagline "High on everything, by about the same amount."
      (:func:`behaviortypes.i18n.level_name`). "By about the same amount": all its
      mean z have one sign, their mean |z| reaches 0.3 and their range (largest |z|
      minus smallest) is at most half their mean |z| (:data:`LEVEL_SPREAD`). A level
      must be an answer style: the raw agreement of the type moves the same way on
      forward and reverse-keyed statements (``styles``, :func:`answer_styles`). A type
      low on every keyed factor that agrees *more* with the reverse-keyed statements
      (user trial 10: forward 2.52 against 3.28 for everyone, reverse 4.56 against 3.49)
      holds views, not a critical answer style: it is named by content, "The group low
      on all three themes" (user trial 20: "The group low on negative affectivity (part
      2)" beside "The group low on negative affectivity" read as one group);
    * otherwise the name's head is what the type does: the factor it is highest on when
      that z is at least 0.5 and at least half its largest |z| (:data:`_HIGH_SHARE`),
      else its most distinctive factor (largest |z|) in its direction: "The bargain hunter" (high on price), "The focused shopper" (low on
      inspiration). The words come from the small grammar of
      :mod:`behaviortypes.i18n`: a persona word of its shopping lexicon when the whole
      theme is one of the lexicon's and the study is about shopping (``lexicon``),
      else a neutral noun with the theme as the study wrote it and the pole said
      plainly ("The group low on social reading" / "Gruppen som ligger högt på pris");
    * the most distinctive factor is always in the name: when it is not the head (a
      low that is more extreme than the high), it is added in brackets: "The explorer
      (unhurried shopper)";
    * where two types would get the same head, the one most extreme on it keeps its
      name; another keeps its own when its add-on already tells it apart, else it gets
      its next most distinctive factor added. An add-on is never the naming factor
      itself, and only a factor with |z| ≥ 0.3 (:data:`AVERAGE_Z`), one the tagline
      would name, is added: a name never says "high on" what the type is average on.
      When no such factor tells the type apart (several average types, or two types
      that differ only in their strength on the naming factor), its type number is
      appended instead: "The mainstream 3", "The bargain hunter 5". The number is
      the type's id, so it matches the "5 ·" in every figure; edit ``types.yaml`` to
      give such a type a name of your own. Types named after two factors of one
      theme split over factors, in one direction ("trust", "trust (part 2)"), share
      the theme's head and are told apart so ("(part 2)" reads as a counter of one
      group, user trial 20), unless only a type number would tell them apart.

    The tagline lists the type's two or three most distinctive factors with |z| ≥ 0.3
    ("High on price, low on convenience." / "Högt på pris, lågt på bekvämlighet."); two
    parts of one theme split over factors ("trust", "trust (part 2)") in one direction
    are said once, as the theme.

    Parameters
    ----------
    factor_means : DataFrame of shape (n_types, n_factors)
        Mean standardised factor score per type.
    factor_names : mapping, optional
        Factor id → readable name (e.g. from ``FactorModel.factor_names_``).
    lang : str, optional
        Language of the names and taglines (``"en"`` or ``"sv"``; others get English).
        By default it is guessed from the factor names (Swedish theme names give
        Swedish names), else English; pass the instrument's ``language`` when known.
    lexicon : bool, default=True
        Whether the lexicon's shopping nouns ("shopper", "buyer") may be used:
        :func:`behaviortypes.i18n.lexicon_applies` of the study's name and statements.
        ``False`` names every type from its theme words with a neutral noun.
    styles : mapping of int to bool, optional
        Type id → whether its profile can be an answer style (:func:`answer_styles`);
        a type mapped to ``False`` is never a level type; one mapped to ``None`` (a
        survey without reverse-keyed statements cannot tell) is a level type named by
        content ("The group high on all five themes"). Default: every type can.

    Returns
    -------
    DataFrame
        Indexed by ``type_id`` with ``name``, ``tagline``, ``color``, ``top_factor``
        (the most distinctive factor, also for an average type).

    Notes
    -----
    0.3 is where the tagline already stops naming a factor: a type within ±0.3 SD of
    the whole sample on every factor has nothing the tagline could honestly say. It
    sits between Cohen's small (0.2) and medium (0.5) effects; two normal groups 0.3 SD
    apart overlap by 88 %. On R psych's bfi (the 2026-12-03 trial, k = 4) the majority
    type (66 %, |z| ≤ 0.23) was "The neuroticism-driven" before.

    The level rule: on ECSI mobi (user trial 7, k = 3) the two level types have a range
    of 0.14 and 0.19 of their mean |z| (z 0.71..0.82 and -0.71..-0.86) and were "The
    quality seeker" / "The good-enough buyer" before; the one-signed types of the
    trials with a shape (HSQ, k = 3) have ranges of 2.0 and 2.1; the demo's types all
    have both signs. Two factors are too few to tell a level from a shape.
    """
    raw_names = factor_names or {}
    if lang is None:
        lang = guess_language(_humanise(raw_names.get(f, f)) for f in factor_means.columns) or "en"
    # the tool's own label of an unnamed factor in lang ("Faktor 7"), the study's names as written
    factor_names = {f: _humanise(factor_label(f, raw_names.get(f, f), lang)) for f in factor_means.columns}
    avg_name, avg_tagline = AVERAGE_NAMES.get(lang, AVERAGE_NAMES["en"])
    rows, candidates = [], {}
    for i, (type_id, z) in enumerate(factor_means.iterrows()):
        z = z.astype(float)
        order = list(z.abs().sort_values(ascending=False, kind="stable").index)
        top = order[0]
        average = bool(z.abs().max() < AVERAGE_Z)
        style = (styles or {}).get(int(type_id), True)
        level = None if average else level_pole(z, style=style is not False)
        # no reverse-worded statement (style None): an answer style cannot be told from a
        # view held on every theme, so the level is named by content (user trial 11)
        content = level_count(z.index, raw_names)  # (count, "themes"/"dimensions"); trial 21
        n_themes = content if style is None else None
        if not average and level is None and style is False and level_pole(z) is not None:
            # low (high) on every factor by about as much, but views rather than an answer
            # style: named by that pattern, by content (user trial 20: "low on negative
            # affectivity (part 2)" for the type lowest on every factor, beside "low on
            # negative affectivity")
            level, n_themes = level_pole(z), content
        # named for what they do: the strongest factor they are clearly high on
        # (z >= 0.5); the most distinctive factor, when it is another (a low), is added
        high = z.max() >= max(_NAME_FROM_HIGH, _HIGH_SHARE * abs(z[top]))
        named = z.idxmax() if (not average and level is None and high) else top
        lead = top if named != top else None
        if average:
            head, tag = avg_name, avg_tagline
        elif level is not None:
            head, tag = level_words(level, lang, content=n_themes)
        else:
            head = type_name(factor_names[named], bool(z[named] > 0), lang, lexicon=lexicon)
            tag = _tagline(_tagline_parts(z, order, factor_names), lang)
        # further add-ons to tell types with the same head apart, best first: the type's
        # other factors by |z|, only those the tagline would name (|z| >= 0.3); never the
        # naming factor nor the one already added. An average type has none.
        candidates[int(type_id)] = [f for f in order if f not in (named, lead) and abs(z[f]) >= AVERAGE_Z]
        rows.append(
            {
                "type_id": int(type_id),
                "name": head if lead is None else
                add_on(head, head, name_extra(factor_names[lead], bool(z[lead] > 0), lang, lexicon=lexicon)),
                "tagline": tag,
                "color": TYPE_COLORS[i % len(TYPE_COLORS)],
                "top_factor": str(top),
                "head": head,
                "strength": abs(float(z[named])) if level is None else float(z.abs().mean()),
                "has_extra": lead is not None,
                "named": named,
                "level": level,
                "n_themes": n_themes,
            }
        )
    names = pd.DataFrame(rows).set_index("type_id")
    fm = factor_means.astype(float).set_axis([int(t) for t in factor_means.index])
    # a type named after a part of a theme split over factors keeps the part ("low on openness
    # (part 2)"): two types never share a name for different factors (user trial 23: "low on
    # openness" for F5 and F6, the second with an add-on; session 20 had given them one head)
    _tell_apart(names, fm, candidates, factor_names, lang=lang, lexicon=lexicon, avg_name=avg_name)
    return names.drop(columns=["head", "strength", "has_extra", "named", "level", "n_themes"])


def _tagline_parts(z: pd.Series, order: list, factor_names: Mapping[str, str]) -> list[tuple[str, bool]]:
    """(name, high) of the tagline's factors: up to three, most distinctive first, down to |z| 0.3.

    Two parts of one split theme in one direction are said once, as the theme ("high on
    analytical and direct", not "high on analytical and direct (part 3), high on
    analytical and direct": user trial 8)."""
    parts: list[tuple[str, bool]] = []
    said: dict[tuple[str, bool], int] = {}
    for f in order:
        if len(parts) == 3 or (abs(z[f]) < AVERAGE_Z and parts):
            break
        theme, _ = theme_part(factor_names[f])
        key = (theme, bool(z[f] > 0))
        if key in said:
            parts[said[key]] = key
            continue
        said[key] = len(parts)
        parts.append((factor_names[f], key[1]))
    return parts


def _tell_apart(names: pd.DataFrame, factor_means: pd.DataFrame, candidates: Mapping[int, list],
                factor_names: Mapping[str, str], *, lang: str, lexicon: bool, avg_name: str) -> None:
    """Make the names of types with the same head differ by what separates them (in place).

    The most extreme on the naming factor (for average types: the closest to average)
    keeps its name; another keeps its own only when its add-on already tells it apart,
    else it gets its next distinctive factor (|z| >= 0.3) on which it is more extreme,
    in its own direction, than every other type of that head: an add-on never says
    "low on self enhancing" of a type that a sibling is lower on still (the HSQ trial
    of session 12). When another type is left with the bare head, the keeper's name is
    said in the superlative where the grammar has one ("The group lowest on
    affiliative" beside "The group low on affiliative"; a lexicon word has none). A
    further type with the bare head gets its type number.
    """
    keepers, others = [], []
    for head, group in names.groupby("head", sort=False):
        order = group["strength"].sort_values(ascending=head == avg_name, kind="stable").index
        keepers.append(order[0])
        others += list(order[1:])
    taken = set(names.loc[keepers, "name"])
    for type_id in others:
        with_extra = bool(names.at[type_id, "has_extra"])
        siblings = names.index[(names["head"] == names.at[type_id, "head"]) & (names.index != type_id)]
        z, zs = factor_means.loc[type_id], factor_means.loc[siblings]
        if not (with_extra and names.at[type_id, "name"] not in taken):
            for f in candidates[type_id]:
                sign = 1.0 if z[f] > 0 else -1.0
                if not (sign * z[f] > sign * zs[f]).all():
                    continue  # a sibling is further that way: it would mislead
                extra = name_extra(factor_names[f], bool(z[f] > 0), lang, lexicon=lexicon)
                name = add_on(str(names.at[type_id, "name"]) if with_extra else names.at[type_id, "head"],
                                  names.at[type_id, "head"], extra)
                if name not in taken:
                    names.at[type_id, "name"] = name
                    break
        taken.add(names.at[type_id, "name"])
    # a type left with the bare head is told apart from the keeper by the keeper's
    # superlative: "The group low on affiliative" and "The group lowest on affiliative"
    for keeper in keepers:
        head = names.at[keeper, "head"]
        if head != avg_name and ((names["head"] == head) & (names["name"] == head)).sum() > (
                names.at[keeper, "name"] == head):
            f, level = names.at[keeper, "named"], names.at[keeper, "level"]
            n_themes = names.at[keeper, "n_themes"]
            n_themes = n_themes if isinstance(n_themes, tuple) else None
            high = bool(factor_means.at[keeper, f] > 0)
            fname = factor_names[f]  # the theme, when the head is one theme's (_one_theme_one_head)
            fname = fname if type_name(fname, high, lang, lexicon=lexicon) == head else theme_part(fname)[0]
            most = (level_words(bool(level), lang, most=True, content=n_themes)[0] if level is not None else
                    type_name(fname, high, lang, lexicon=lexicon, most=True))
            names.at[keeper, "name"] = most + str(names.at[keeper, "name"])[len(head):]
    # none of its distinctive factors tells it apart: its number does (the keeper of a
    # head keeps the name unnumbered, whatever its id)
    _mild_bands(names, factor_means, factor_names, lang, lexicon)
    ranked = names.loc[keepers + others, "name"]
    for type_id in ranked.index[ranked.duplicated(keep="first")]:
        names.at[type_id, "name"] = f"{names.at[type_id, 'name']} {type_id}"


def _mild_bands(names: pd.DataFrame, factor_means: pd.DataFrame, factor_names: Mapping[str, str],
                lang: str, lexicon: bool) -> None:
    """Types left with one bare name ("The group low on X") that differ only in how far
    they sit on X: the least extreme is "The group somewhat low on X" (user trial 22: the
    middle band was "The group low on affiliative humour 2"); more than two still get
    their numbers, but never the mild one."""
    for name, same in names.groupby("name").groups.items():
        if len(same) < 2 or names.loc[same, "level"].notna().any():
            continue
        f = names.at[same[0], "named"]
        if f not in factor_means.columns or (names.loc[same, "named"] != f).any():
            continue
        high = bool(factor_means.at[same[0], f] > 0)
        theme = factor_names[f] if type_name(factor_names[f], high, lang, lexicon=lexicon) == name else None
        if theme is None or (np.sign(factor_means.loc[same, f]) != (1 if high else -1)).any():
            continue
        mild = type_name(theme, high, lang, lexicon=lexicon, mild=True)
        if mild != name and mild not in set(names["name"]):
            names.at[factor_means.loc[same, f].abs().idxmin(), "name"] = mild


def add_on(name: str, head: str, extra: str) -> str:
    """``name`` (``head`` with any add-ons) with one more add-on: ``"The explorer (unhurried
    shopper)"``, then ``"…, low on price)"``. A head or add-on that has brackets of its own
    (a theme's part: "psychopathy (part 2)") takes its add-ons after a comma, so that no
    brackets nest (user trial 21: "The group high on psychopathy (part 2) (low on
    machiavellianism (part 2))").

    >>> add_on("The group high on trust (part 2)", "The group high on trust (part 2)", "low on price")
    'The group high on trust (part 2), low on price'
    """
    rest = name[len(head):]
    if not rest:
        return f"{head}, {extra}" if "(" in head + extra else f"{head} ({extra})"
    if rest.startswith(" (") and rest.endswith(")") and "(" not in extra:
        return f"{name[:-1]}, {extra})"
    if rest.startswith(" ("):  # the bracket would nest: all add-ons after commas
        return f"{head}, {rest[2:-1]}, {extra}"
    return f"{name}, {extra}"


_UNNAMED = re.compile(r"(?:Factor|Faktor) \d+")


def level_count(factors, factor_names: Mapping[str, str] | None = None) -> tuple[int, str]:
    """What a type "on all" its factors is on, counted as a user reads the instrument:
    ``(n, "themes")`` with the number of distinct themes when every factor is named after
    a theme (a theme split over factors, "psychopathy" and "psychopathy (part 2)", counts
    once) and there are three or more, ``(2, "both")`` for two ("both themes"), else
    ``(n_factors, "dimensions")`` (user trial 21: "all five themes" for an
    instrument of three themes and five factors).

    >>> level_count(["F1", "F2", "F3", "F4"], {"F1": "trust", "F2": "price", "F3": "trust (part 2)", "F4": "fun"})
    (3, 'themes')
    >>> level_count(["F1", "F2", "F3"], {"F1": "trust", "F2": "Factor 2"})
    (3, 'dimensions')
    """
    names = [str((factor_names or {}).get(f, f)) for f in factors]
    if any(n == str(f) or _UNNAMED.fullmatch(n.strip()) for n, f in zip(names, factors)):
        return len(names), "dimensions"
    themes = len({theme_part(n)[0].strip().lower() for n in names})
    if themes == 2:
        return 2, "both"
    return (themes, "themes") if themes >= _LEVEL_MIN_FACTORS else (len(names), "dimensions")


def level_words(high: bool, lang: str = "en", *, most: bool = False,
                content: tuple[int, str] | None = None) -> tuple[str, str]:
    """A level type's name and tagline (:func:`behaviortypes.i18n.level_name`); by content
    (``content`` from :func:`level_count`) "The group high on all three themes", "… on both
    themes", or "… all five dimensions" when the factors are not the instrument's themes."""
    if content is None:
        return level_name(high, lang, most=most), level_tagline(high, lang)
    n, noun = content
    if noun == "themes":
        return level_name(high, lang, most=most, n_themes=n), level_tagline(high, lang, n_themes=n)
    lang = lang if lang in NAME_LANGUAGES else "en"
    words = said("level_count_words", lang).split()
    count = words[n] if 0 <= n < len(words) else str(n)
    pole = "high" if high else "low"
    return (said(f"level_{pole}{'_most' if most else ''}_{noun}", lang, n=count),
            said(f"tag_level_{pole}_{noun}", lang, n=count))


#: A type above (or below) average on every factor is a *level* type, named for that
#: rather than for a trait, when the range of its |mean z| (largest minus smallest) is at
#: most this share of their mean; see :func:`suggest_names`.
LEVEL_SPREAD = 0.5

#: A level needs this many factors: with fewer, one sign everywhere says little of shape.
_LEVEL_MIN_FACTORS = 3


def level_pole(z: pd.Series, style: bool = True) -> bool | None:
    """``True`` (``False``) when a type is above (below) average on every factor by about
    as much (:data:`LEVEL_SPREAD`), ``None`` when its profile has a shape (or is the
    average middle): the test by which :func:`suggest_names` names a *level* type.

    Parameters
    ----------
    z : Series
        The type's mean z per factor (a row of :func:`factor_means_from_profiles`).
    style : bool, default=True
        Whether the type's raw agreement moves the same way on forward and reverse-keyed
        statements (:func:`answer_styles`); ``False``: never a level.
    """
    if not style:
        return None
    size = z.abs()
    one_sign = bool((z > 0).all() or (z < 0).all())
    if len(z) < _LEVEL_MIN_FACTORS or not one_sign or size.mean() < AVERAGE_Z:
        return None
    if size.max() - size.min() > LEVEL_SPREAD * size.mean():
        return None
    return bool(z.iloc[0] > 0)


def answer_styles(table: pd.DataFrame, item_reverse: Mapping[str, bool] | None) -> dict[int, bool]:
    """Per type, whether its one-signed profile can be an answer style, not content.

    Factor scores are keyed (a reverse-worded statement counts flipped), so a type that
    agrees less with the forward statements and *more* with the reverse ones is low on
    every keyed factor, yet it is not rating everything low: it holds the other view.
    An answer style (acquiescence, a critical or lenient rater) moves the raw agreement
    the same way on forward and reverse statements. A type is an answer style candidate
    unless its mean raw difference from everyone (``diff_sd``, else ``diff``) over the
    reverse-keyed statements has the opposite sign of that over the forward ones, both at
    least :data:`NEED_MIN_EFFECT` (0.2, Cohen's small effect) from zero.

    Parameters
    ----------
    table : DataFrame
        The long profile table (``profiles.csv`` or :attr:`Profiles.table`); its rows of
        kind ``item`` hold the statements as answered (not keyed).
    item_reverse : mapping
        Statement id → reverse-worded.

    Returns
    -------
    dict of int to bool or None
        Type id → ``True`` (may be a style), ``False`` (the raw agreement moves opposite
        ways) or ``None`` (cannot tell: the survey has no reverse-keyed statement, or no
        forward one). A level type of ``None`` is named by content ("The group high on
        all five themes", :func:`suggest_names`; user trial 11).
    """
    rev = {str(k): bool(v) for k, v in (item_reverse or {}).items()}
    items = table[table["kind"] == "item"] if "kind" in table else table
    if items.empty:
        return {}
    measure = "diff_sd" if "diff_sd" in items else "diff"
    reverse = items["key"].astype(str).map(lambda k: rev.get(k, False)).to_numpy(bool)
    out = {}
    for type_id, rows in items.assign(_rev=reverse).groupby("type_id"):
        fwd = rows.loc[~rows["_rev"], measure].astype(float).mean()
        back = rows.loc[rows["_rev"], measure].astype(float).mean()
        # (opposite ways by at least a small effect, NEED_MIN_EFFECT: not noise around zero)
        opposite = fwd * back < 0 and min(abs(fwd), abs(back)) >= NEED_MIN_EFFECT
        if not rows["_rev"].any() or not (~rows["_rev"]).any():
            out[int(type_id)] = None  # cannot tell: no reverse-keyed (or no forward) statement
        else:
            out[int(type_id)] = not opposite
    return out


def reverse_keys(instrument: Any) -> dict[str, bool]:
    """Statement id → reverse-worded, of an :class:`~behaviortypes.instrument.Instrument` or
    its dict (``source.json``'s ``instrument``)."""
    items = (instrument.get("items") if isinstance(instrument, Mapping) else getattr(instrument, "items", None)) or []
    out = {}
    for item in items:
        if isinstance(item, dict):
            out[str(item.get("id"))] = str(item.get("reverse", False)).lower() in {"true", "yes", "1", "y"}
        else:
            out[str(item.id)] = bool(item.reverse)
    return out


def factor_means_from_profiles(table: pd.DataFrame) -> pd.DataFrame:
    """The mean z per type and factor, as :func:`profile_types` named the types from it.

    Parameters
    ----------
    table : DataFrame
        ``profiles.csv`` of a discovery folder (long format: ``type_id, kind, key,
        mean, ...``), or :attr:`Profiles.table`.

    Returns
    -------
    DataFrame of shape (n_types, n_factors)
        Indexed by ``type_id`` (ascending), one column per factor in the file's order
        (``F1..Fm``): the ``mean`` of the rows of kind ``factor``; empty when the table
        has no factor rows.
    """
    rows = table[table["kind"] == "factor"]
    order = list(dict.fromkeys(str(k) for k in rows["key"]))
    wide = rows.assign(key=rows["key"].astype(str), mean=rows["mean"].astype(float)).pivot(
        index="type_id", columns="key", values="mean")
    wide = wide.reindex(columns=order).sort_index()
    wide.index = wide.index.astype(int)
    wide.index.name, wide.columns.name = "type_id", None
    return wide


def names_in_language(
    types: pd.DataFrame,
    factor_means: pd.DataFrame | None,
    factor_names: Mapping[str, str] | None = None,
    lang: str = "en",
    *,
    source_lang: str | None = None,
    lexicon: bool = True,
    styles: Mapping[int, bool] | None = None,
) -> pd.DataFrame:
    """The types with every name and tagline the tool generated rewritten in ``lang``.

    A name (or tagline) in ``types.yaml`` that equals its ``suggested_name``
    (``suggested_tagline``) is the tool's own word, not the analyst's: a report or
    typing tool in another language than the instrument's shows it in its own
    language, worked out by the same deterministic rule (:func:`suggest_names` on the
    same factor means and factor names), so that it is exactly what a study in
    ``lang`` would have been given. A name or tagline the analyst wrote stays
    verbatim. The single group of a discovery without distinct types (k = 1) is named
    "Everyone (one group)" / "Alla (en grupp)" (:data:`ONE_GROUP_NAMES`) in ``lang``
    unless the analyst renamed it.

    Parameters
    ----------
    types : DataFrame
        Indexed by ``type_id`` with ``name`` and ``tagline``, and ``suggested_name`` /
        ``suggested_tagline`` as :func:`merge_types_yaml` writes them (a ``types.yaml``
        of an older version without them is left as it is; missing values likewise).
    factor_means : DataFrame of shape (n_types, n_factors) or None
        Mean standardised factor score per type, as the names were suggested from
        (:func:`factor_means_from_profiles` of the discovery folder's ``profiles.csv``).
        ``None`` (or a type missing from it) leaves the names as they are, except the
        one group's.
    factor_names : mapping, optional
        Factor id → name as the factor model suggested it (``factors.json``
        ``factor_names``; not prettified: the rule humanises them itself).
    lang : str, default="en"
        The output language (``"en"`` or ``"sv"``; others get English words, as in
        :func:`suggest_names`).
    source_lang : str, optional
        The language the names were suggested in (the instrument's ``language``); by
        default guessed from the factor names as :func:`suggest_names` does. Used only
        to decide whether to warn.
    lexicon : bool, default=True
        As the names were suggested (:func:`suggest_names`): whether the study is a
        shopping study (:func:`behaviortypes.i18n.lexicon_applies` of the instrument).
    styles : mapping of int to bool, optional
        As the names were suggested (:func:`suggest_names`; :func:`answer_styles` of
        ``profiles.csv`` and the instrument's reverse keys).

    Returns
    -------
    DataFrame
        A copy of ``types``; untouched names and taglines (and their ``suggested_*``
        fields) in ``lang``. Applying it again with the same ``lang`` changes nothing.

    Warns
    -----
    BehaviortypesWarning
        When an untouched name or tagline is not what the rule gives for these factor
        means in any language (``types.yaml`` from an older version of behaviortypes,
        or from another run) and ``lang`` is not ``source_lang``: it stays as written,
        and re-running ``discover`` brings it into line.

    Examples
    --------
    A types table of an English study whose analyst renamed type 2:

    >>> means = pd.DataFrame({"F1": [1.2, -0.6], "F2": [-0.4, 0.9]}, index=[1, 2])
    >>> names = {"F1": "price", "F2": "inspiration"}
    >>> en = suggest_names(means, names, lang="en")
    >>> types = pd.DataFrame({"name": [en.at[1, "name"], "Curious cats"],
    ...                       "tagline": list(en["tagline"]),
    ...                       "suggested_name": list(en["name"]),
    ...                       "suggested_tagline": list(en["tagline"])}, index=[1, 2])
    >>> sv = names_in_language(types, means, names, "sv")
    >>> for row in sv[["name", "tagline"]].itertuples():
    ...     print(row.name, "|", row.tagline)
    Prisjägaren | Högt på price, lågt på inspiration.
    Curious cats | Högt på inspiration, lågt på price.

    The theme names (``price``) are the study's own words and stay as written.
    """
    out = types.copy()
    if not len(out):
        return out
    lang = lang if lang in NAME_LANGUAGES else "en"
    one_group = len(out) == 1
    columns = (("name", "suggested_name"), ("tagline", "suggested_tagline"))
    if one_group:  # k = 1: the group's name is ours in any language, not a persona's
        for j, (col, sug) in enumerate(columns):
            ours = {pair[j] for pair in ONE_GROUP_NAMES.values()}
            mine = ONE_GROUP_NAMES.get(lang, ONE_GROUP_NAMES["en"])[j]
            out[col] = [mine if v in ours else v for v in out[col]]
            if sug in out:
                out[sug] = [mine if v in ours else v for v in out[sug]]
        return out
    if factor_means is None or not len(factor_means) or not len(factor_means.columns):
        return out
    by_lang = {code: suggest_names(factor_means, factor_names, lang=code, lexicon=lexicon, styles=styles)
               for code in dict.fromkeys((*NAME_LANGUAGES, lang))}
    stale: list[int] = []
    for type_id in out.index:
        if type_id not in factor_means.index:
            continue
        for col, sug in columns:
            if sug not in out or col not in out:
                continue
            suggested = out.at[type_id, sug]
            if not isinstance(suggested, str):
                continue  # an older types.yaml (no suggestion recorded): as written
            known = {names.at[type_id, col] for names in by_lang.values()}
            if suggested not in known:
                if out.at[type_id, col] == suggested:
                    stale.append(int(type_id))
                continue
            mine = by_lang[lang].at[type_id, col]
            if out.at[type_id, col] == suggested:
                out.at[type_id, col] = mine
            out.at[type_id, sug] = mine
    if stale:
        source = source_lang or guess_language(
            _humanise((factor_names or {}).get(f, f)) for f in factor_means.columns) or "en"
        if (source if source in NAME_LANGUAGES else "en") != lang:
            ids = ", ".join(str(t) for t in dict.fromkeys(stale))
            warnings.warn(
                f"the suggested names or taglines of type(s) {ids} in types.yaml are not what this version "
                f"of behaviortypes suggests for these types, so they are shown as written, not in {lang!r}; "
                "re-run `behaviortypes discover` (your edits are kept) to have them follow the output language",
                BehaviortypesWarning, stacklevel=2)
    return out


def profile_types(
    items: pd.DataFrame,
    scores: pd.DataFrame,
    labels: pd.Series,
    *,
    sample_weight: pd.Series | None = None,
    factor_names: Mapping[str, str] | None = None,
    lang: str | None = None,
    lexicon: bool = True,
    item_reverse: Mapping[str, bool] | None = None,
) -> Profiles:
    """Profile, size and name the types.

    Parameters
    ----------
    items : DataFrame of shape (n_respondents, n_items)
        The statements as answered (not reverse-keyed), so over-indexing reads as the
        statement's own wording.
    scores : DataFrame of shape (n_respondents, n_factors)
        Factor scores; standardised (weighted) before profiling.
    labels : Series
        Type id per respondent (index aligned with ``items`` and ``scores``).
    sample_weight : Series, optional
        Survey weights.
    factor_names : mapping, optional
        Readable factor names used in the suggested names and taglines.
    lang : str, optional
        Language of the suggested names and taglines (see :func:`suggest_names`).
    lexicon : bool, default=True
        Whether the lexicon's shopping nouns may be used (see :func:`suggest_names`).
    item_reverse : mapping, optional
        Statement id → reverse-worded: a type is a level type ("The critical raters")
        only when its raw answers move the same way on forward and reverse statements
        (:func:`answer_styles`).

    Returns
    -------
    Profiles
        When every respondent is in one group (the discovery found no distinct types,
        k = 1), the group is not named as a persona: "Everyone (one group)" / "Alla (en
        grupp)" (:data:`ONE_GROUP_NAMES`).
    """
    if not labels.index.equals(scores.index):
        raise InputError("labels and factor scores are not aligned on respondent id")
    w = np.ones(len(scores)) if sample_weight is None else np.asarray(sample_weight.loc[scores.index], float)
    x = scores.to_numpy(float)
    z = (x - _wmean(x, w)) / np.sqrt(_wvar(x, w))
    zf = pd.DataFrame(z, index=scores.index, columns=scores.columns)
    factor_table = profile_features(zf, labels, sample_weight, kind="factor")
    item_table = profile_features(items.loc[labels.index], labels, sample_weight, kind="item")
    factor_means = (
        factor_table.pivot(index="type_id", columns="key", values="mean")[list(scores.columns)]
    )
    factor_means.columns.name = None
    sizes = weighted_sizes(labels, None if sample_weight is None else sample_weight.loc[labels.index])
    names = suggest_names(factor_means, factor_names, lang=lang, lexicon=lexicon,
                          styles=answer_styles(item_table, item_reverse))
    if len(factor_means) == 1:  # one homogeneous group (k = 1): not a persona
        if lang is None:
            lang = guess_language([_humanise((factor_names or {}).get(f, f)) for f in scores.columns]) or "en"
        names[["name", "tagline"]] = [ONE_GROUP_NAMES.get(lang, ONE_GROUP_NAMES["en"])]
    return Profiles(
        factor_means=factor_means,
        table=pd.concat([factor_table, item_table], ignore_index=True),
        sizes=sizes,
        names=names,
    )


def read_types_yaml(path: str | Path) -> pd.DataFrame:
    """Read ``types.yaml`` into a DataFrame indexed by ``type_id``.

    The file is parsed and checked by :func:`behaviortypes.study.read_types` (the one
    parser of ``types.yaml``); every key of an entry is a column, including keys the
    user added.

    Raises
    ------
    InputError
        If the file is not valid YAML or has no ``types`` list with ``type_id`` and
        ``name``, a colour is not a colour, or a ``type_id`` is listed more than once.
    """
    from .study import read_types

    types = read_types(path)
    frame = pd.DataFrame([t.model_dump(exclude_unset=True) for t in types.types])
    return frame.set_index("type_id")


def merge_types_yaml(
    path: str | Path | None,
    suggested: pd.DataFrame,
    *,
    sizes: pd.DataFrame | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    """The content of ``types.yaml``: suggestions, with the user's edits kept.

    A field the user changed in an earlier ``types.yaml`` (name, tagline, description,
    colour, or anything they added) wins over the new suggestion for the same
    ``type_id``; types that no longer exist are dropped. The previous suggestion is
    remembered in ``suggested_name`` so that an untouched name keeps following the
    analysis.

    Parameters
    ----------
    path : path or None
        An existing ``types.yaml`` (may not exist).
    suggested : DataFrame
        From :func:`suggest_names`, indexed by ``type_id``.
    sizes : DataFrame, optional
        From :func:`weighted_sizes`; shares are written for reference.
    lang : str, optional
        The study's language: the file's ``# note`` (how to edit it) is written in it
        (English when ``None``).
    """
    from .i18n import said

    previous: pd.DataFrame | None = None
    if path is not None and Path(path).is_file():
        previous = read_types_yaml(path)
    out = []
    for type_id, row in suggested.iterrows():
        entry: dict[str, Any] = {
            "type_id": int(type_id),
            "name": row["name"],
            "tagline": row["tagline"],
            "description": "",
            "color": row["color"],
        }
        if previous is not None and type_id in previous.index:
            old = previous.loc[type_id].dropna().to_dict()
            old_suggested = old.get("suggested_name")
            for key, value in old.items():
                if key in {"suggested_name", "share"}:
                    continue
                if key == "name" and old_suggested is not None and value == old_suggested:
                    continue  # the user kept the suggestion: follow the new one
                if key == "tagline" and old.get("suggested_tagline") == value:
                    continue
                if key == "suggested_tagline":
                    continue
                entry[key] = value
        entry["suggested_name"] = row["name"]
        entry["suggested_tagline"] = row["tagline"]
        if sizes is not None and type_id in sizes.index:
            entry["share"] = round(float(sizes.at[type_id, "share"]), 4)
        out.append(entry)
    return {
        "# note": said("types_yaml_note", lang),
        "types": out,
    }


#: UMAP's compiled kernels that umap-learn compiles anew in every Python process (no
#: ``cache=True``): module, function. Together ~10 s of a fresh process's first map at the
#: demo's size (1,200 respondents), ~0.1 s when loaded from numba's disk cache.
_UMAP_KERNELS = (
    ("umap.utils", "fast_knn_indices"),
    ("umap.umap_", "fast_knn_indices"),
    ("umap.umap_", "smooth_knn_dist"),
    ("umap.umap_", "compute_membership_strengths"),
    ("umap.layouts", "_nb_optimize_layout_euclidean_single_epoch"),
)


def cache_umap_kernels() -> int:
    """Let numba keep umap-learn's parallel kernels on disk, compiled once per machine.

    umap-learn compiles its nearest-neighbour, fuzzy-set and layout kernels with numba
    without ``cache=True``, so every new Python process (a notebook kernel, each CLI
    call) spends about 10 s compiling them before its first map at the demo's size
    (1,200 respondents; the map itself then takes ~3 s). This replaces each of them, in
    the modules that call it, by the same Python function compiled with the same
    options plus ``cache=True``: the same machine code, so the same map (the tests
    compare it with umap's own), compiled once and then read from numba's cache
    (``__pycache__`` beside umap's source, or ``NUMBA_CACHE_DIR``). Where a kernel is
    missing (another umap-learn version) or cannot be cached, umap's own is kept.
    Calling it again changes nothing.

    Returns
    -------
    int
        The number of kernels now cached (0 when none could be).
    """
    import importlib

    import numba
    from numba.core.registry import CPUDispatcher

    done: dict[int, Any] = {}  # id of umap's dispatcher -> the cached one (shared by modules)
    count = 0
    for module_name, name in _UMAP_KERNELS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # pragma: no cover - another umap-learn layout
            continue
        kernel = getattr(module, name, None)
        if not isinstance(kernel, CPUDispatcher):
            continue
        if getattr(kernel.stats, "cache_path", None):
            count += 1  # already cached (by umap-learn itself or an earlier call)
            continue
        if id(kernel) not in done:
            options = {k: v for k, v in kernel.targetoptions.items() if k != "nopython"}
            try:
                done[id(kernel)] = numba.njit(cache=True, locals=dict(kernel.locals),
                                              **options)(kernel.py_func)
            except Exception:  # pragma: no cover - no writable cache: keep umap's own
                continue
        setattr(module, name, done[id(kernel)])
        count += 1
    return count


#: :func:`type_map` draws the map of a random sample of this many respondents when there
#: are more (below umap-learn's exact-distance threshold, so the sample's map is umap's own).
MAP_MAX_RESPONDENTS = 3000


def type_map(
    scores: pd.DataFrame, *, random_state: int | None = None, n_neighbors: int = 30,
    max_respondents: int | None = MAP_MAX_RESPONDENTS,
) -> pd.DataFrame:
    """Two-dimensional UMAP map of respondents from their factor scores.

    Parameters
    ----------
    scores : DataFrame of shape (n_respondents, n_factors)
    random_state : int, optional
        Seed; with a seed UMAP runs single-threaded and is reproducible.
    n_neighbors : int, default=30
    max_respondents : int or None, default=MAP_MAX_RESPONDENTS
        Above this many respondents the map is drawn of a random sample of this many
        (seeded by ``random_state``): a map is for looking at, a PDF shows a few thousand
        dots, and UMAP's time grows fast — on 62,655 PISA students with two factors of
        four-point answers (many identical scores) it took 24 minutes single-threaded
        (user trial 5). None maps everyone.

    Returns
    -------
    DataFrame
        Indexed like ``scores`` (or the sample of it, in the order of ``scores``) with
        columns ``x`` and ``y``.

    References
    ----------
    McInnes, Healy & Melville (2018). UMAP: Uniform Manifold Approximation and Projection.
    """
    import umap  # slow import (numba): only when a map is asked for

    cache_umap_kernels()
    if max_respondents is not None and len(scores) > max_respondents:
        keep = np.random.default_rng(random_state).choice(len(scores), max_respondents, replace=False)
        scores = scores.iloc[np.sort(keep)]
    X = scores.to_numpy(float)
    # Below 4,096 respondents umap-learn computes every Euclidean distance by calling its
    # numba distance from Python once per pair (demo: 1.2 s); the same distances from a
    # compiled loop (bit for bit), given as a precomputed matrix, draw umap's own map
    # (``test_profiles`` compares them).
    small = len(X) < _UMAP_EXACT_BELOW
    if small:
        from .umap_distances import euclidean_matrix

        warnings.filterwarnings("ignore", message="using precomputed metric", category=UserWarning,
                                module="umap")  # (inverse_transform: never used here)
        X = euclidean_matrix(X)
    reducer = umap.UMAP(
        n_neighbors=min(n_neighbors, max(2, len(scores) - 1)),
        min_dist=0.3,
        metric="precomputed" if small else "euclidean",
        random_state=random_state,
        n_jobs=1,
    )
    xy = reducer.fit_transform(X)
    return pd.DataFrame(xy, index=scores.index, columns=["x", "y"])


#: umap-learn's own threshold (``UMAP.fit``): below it, all distances; above, NN-descent.
_UMAP_EXACT_BELOW = 4096
