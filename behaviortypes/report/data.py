"""Reading a discovery folder for the report.

:func:`load_report_data` reads the files an analysis left in a discovery folder
(``docs/architecture.md`` lists them) and checks that each has its documented
columns. It never recomputes a statistic: it only reads, checks and joins what
the pipeline wrote. Files written by later stages (lookalike, scoring,
interviews) are optional; a section of the report appears only when its files
exist.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.colors import to_hex

from .. import study
from ..files import restore_formula
from ..interviews.anonymise import anonymise as anonymise_quote  # the one anonymiser (issue 14)
from ..describe.profile import load_profile
from ..errors import BehaviortypesWarning, InputError
from ..i18n import factor_label
from ..instrument import column_label
from ..plots import type_colors
from ..profiles import answer_styles, factor_means_from_profiles, names_in_language, reverse_keys, study_lexicon

__all__ = ["ReportData", "load_report_data", "REQUIRED_FILES", "anonymise_quote", "pretty_name", "yes_no_as_shares"]

#: Files the report cannot do without.
REQUIRED_FILES = ("source.json", "solution.json", "types.yaml", "sizes.csv", "profiles.csv")

_RERUN = "re-run `behaviortypes discover` or restore the file as written (docs/architecture.md lists its columns)"


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows, as read from a discovery folder.

    Attributes
    ----------
    path : Path
        The discovery folder.
    study : str
        Name of the survey folder the analysis came from (``reports/<study>/``).
    title : str
        Study name shown in the report (the instrument's ``name``, else ``study``).
    source, solution : dict
        ``source.json`` and ``solution.json`` as read.
    types : DataFrame
        Indexed by ``type_id``: ``name``, ``tagline``, ``description``, ``color``
        (resolved hex), ``suggested_name``, ``suggested_tagline`` (the tool's
        suggestions recorded in ``types.yaml``, ``None`` when not recorded), ``n``, ``share``, ``ci_low``, ``ci_high``, ``base_share``
        (NaN without ``base_shares.json``), ``base_ci_low``, ``base_ci_high`` (its
        95 % interval, NaN when not recorded), ``stability`` (NaN when not recorded),
        ``shown`` (``n >= min_group_size``).
    min_group_size : int
        Types with fewer respondents get no page (privacy).
    profiles : DataFrame
        ``profiles.csv`` (long format).
    item_texts, item_themes, item_reverse : dict
        Item id → text, interview theme and reverse keying, from the instrument
        recorded in ``source.json``.
    factor_names : dict
        Factor id → display name (``factors.json``), else the id; after
        :meth:`in_language` the tool's own label of an unnamed factor is in that
        language ("Faktor 7").
    loadings, screening, umap, evidence_k, retention, reliability : DataFrame or None
    factors : dict or None
        ``factors.json``.
    card : dict or None
        ``lookalike_card.json``; parsed parts in ``card_metrics``, ``calibration``,
        ``confusion``, ``importances``, ``per_type``.
    typing_tool : dict or None
    base : dict or None
        ``base_shares.json``.
    quotes, crm : DataFrame or None
        ``quotes.csv`` and ``crm_profile.csv``.
    screening_reasons : dict or None
        Respondents flagged per screen (``screening_summary.json``).
    folder : DiscoveryFolder
        The folder as read by :func:`behaviortypes.study.load`.
    profile : ProfileResult or None
        What ``behaviortypes profile`` wrote (banner, outcomes), else ``None``.
    names_lang : str or None
        The language the generated type names and taglines of ``types`` are in after
        :meth:`in_language`; ``None`` as read (the instrument's).
    """

    path: Path
    study: str
    title: str
    source: dict
    solution: dict
    types: pd.DataFrame
    min_group_size: int
    profiles: pd.DataFrame
    item_texts: dict
    item_themes: dict
    item_reverse: dict
    factor_names: dict
    loadings: pd.DataFrame | None = None
    screening: pd.DataFrame | None = None
    umap: pd.DataFrame | None = None
    evidence_k: pd.DataFrame | None = None
    factors: dict | None = None
    retention: pd.DataFrame | None = None
    reliability: pd.DataFrame | None = None
    card: dict | None = None
    card_metrics: dict = field(default_factory=dict)
    calibration: pd.DataFrame | None = None
    confusion: pd.DataFrame | None = None
    importances: pd.Series | None = None
    per_type: pd.DataFrame | None = None
    n_linked: int | None = None
    typing_tool: dict | None = None
    base: dict | None = None
    quotes: pd.DataFrame | None = None
    crm: pd.DataFrame | None = None
    screening_reasons: dict[str, int] | None = None
    folder: study.DiscoveryFolder | None = None
    profile: Any = None
    names_lang: str | None = None
    cfa: dict | None = None
    column_labels: dict = field(default_factory=dict)

    def label(self, column: str) -> str:
        """How the report names a column (a CRM signal, a profiled column): the label
        instrument.yaml gives it (an outcome's or descriptor's ``label``, else
        ``column_labels:``), else its name with spaces (:func:`behaviortypes.instrument.column_label`),
        so that one column has one name on a page (user trial 10)."""
        return column_label(column, self.column_labels)

    def in_language(self, lang: str) -> "ReportData":
        """The same data with the names and taglines the tool generated in ``lang``.

        The factor names too: the tool's label of a factor with no theme ("Factor 7")
        becomes that language's ("Faktor 7") in every table, figure and note; the
        study's own theme names and the factor ids stay as they are.

        Names and taglines the analyst left as suggested (equal to ``suggested_name`` /
        ``suggested_tagline`` in ``types.yaml``) are the tool's words: they follow the
        report's language, worked out from the type's factor means in ``profiles.csv``
        and the factor names in ``factors.json`` by
        :func:`behaviortypes.profiles.names_in_language`; what the analyst wrote stays
        as written. Nothing is recomputed from the survey. Data already in ``lang``
        (:attr:`names_lang`) is returned as it is.
        """
        if self.names_lang == lang:
            return self
        means = factor_means_from_profiles(self.profiles)
        raw_names = dict((self.factors or {}).get("factor_names") or {})
        instrument = self.source.get("instrument") or {}
        types = names_in_language(self.types, means, raw_names, lang, source_lang=instrument.get("language"),
                                  lexicon=study_lexicon(instrument),
                                  styles=answer_styles(self.profiles, reverse_keys(instrument)))
        shown = {f: factor_label(f, name, lang) for f, name in self.factor_names.items()}
        return replace(self, types=types, factor_names=shown, names_lang=lang)

    @property
    def shown_types(self) -> pd.DataFrame:
        """Types large enough to get a page (``n >= min_group_size``)."""
        return self.types[self.types["shown"]]

    @property
    def hidden_types(self) -> pd.DataFrame:
        """Types below the minimum group size."""
        return self.types[~self.types["shown"]]

    def factor_profile(self, type_ids: Iterable[int] | None = None) -> pd.DataFrame:
        """Type × factor differences from the average (``profiles.csv`` rows of kind ``factor``)."""
        return self._wide("factor", type_ids)

    def item_profile(self, type_ids: Iterable[int] | None = None) -> pd.DataFrame:
        """Type × item differences from the average (``profiles.csv`` rows of kind ``item``)."""
        return self._wide("item", type_ids)

    def _wide(self, kind: str, type_ids: Iterable[int] | None) -> pd.DataFrame:
        rows = self.profiles[self.profiles["kind"] == kind]
        wide = rows.pivot(index="type_id", columns="key", values="diff")
        order = list(dict.fromkeys(rows["key"]))  # file order (F1..Fm, items as listed)
        wide = wide[order]
        if type_ids is not None:
            wide = wide.reindex([int(t) for t in type_ids])
        return wide


# --------------------------------------------------------------------------- types
def _types_table(folder: study.DiscoveryFolder, sizes: pd.DataFrame, min_group: int) -> pd.DataFrame:
    """Types with the user's names, taglines and colours, sizes, base shares and stability."""
    edits = {t.type_id: t for t in folder.types.types}
    types = sizes.set_index("type_id").sort_index()
    ids = [int(t) for t in types.index]
    table = pd.DataFrame(index=pd.Index(ids, name="type_id"))
    table["name"] = pd.Series({t: edits[t].name if t in edits else str(types.loc[t, "type_name"] or f"Type {t}")
                               for t in ids})
    table["tagline"] = pd.Series({t: edits[t].tagline if t in edits else "" for t in ids})
    table["description"] = pd.Series({t: edits[t].description if t in edits else "" for t in ids})
    for key in ("suggested_name", "suggested_tagline"):  # the tool's words (names_in_language)
        table[key] = pd.Series({t: _extra_text(edits.get(t), key) for t in ids}, dtype=object)
    given = {t: to_hex(edits[t].color) if t in edits and edits[t].color else None for t in ids}
    table["color"] = pd.Series(type_colors(ids, given))
    for col in ("n", "share", "ci_low", "ci_high"):
        table[col] = types[col].astype(float)
    table["n"] = table["n"].astype(int)
    shares = folder.base_shares.shares if folder.base_shares is not None else {}
    table["base_share"] = pd.Series({t: shares.get(t, np.nan) for t in ids}, dtype=float)
    bs = folder.base_shares
    for col in ("ci_low", "ci_high"):
        known = getattr(bs, col) if bs is not None else {}
        table[f"base_{col}"] = pd.Series({t: known.get(t, np.nan) for t in ids}, dtype=float)
    stability = {t: folder.solution.stability_of(t) for t in ids}
    table["stability"] = pd.Series({t: np.nan if v is None else v for t, v in stability.items()}, dtype=float)
    table["shown"] = table["n"] >= min_group
    return table


def _extra_text(entry: study.TypeEntry | None, key: str) -> str | None:
    """A text field of ``types.yaml`` outside the contract (``suggested_name``), or None."""
    value = (entry.model_extra or {}).get(key) if entry is not None else None
    return value if isinstance(value, str) else None


# --------------------------------------------------------------------------- card
def _parse_card(card: study.LookalikeCard) -> dict:
    """The parts of ``lookalike_card.json`` the report shows, as tables.

    Reliability bins (``confidence``, ``accuracy``, ``n``) become ``mean_predicted``,
    ``observed`` and ``count``; the confusion matrix is indexed by true type id with
    one column per predicted type id.
    """
    metrics = card.metrics
    out: dict[str, Any] = {"n_linked": card.link.n_linked}
    if metrics.reliability:
        bins = pd.DataFrame(metrics.reliability).rename(
            columns={"confidence": "mean_predicted", "accuracy": "observed", "n": "count"})
        out["calibration"] = bins
    if metrics.confusion_matrix is not None:
        ids = metrics.confusion_matrix.type_ids
        out["confusion"] = pd.DataFrame(metrics.confusion_matrix.counts, index=ids, columns=ids)
    if card.permutation_importance:
        out["importances"] = (pd.Series({r.feature: r.importance for r in card.permutation_importance}, dtype=float)
                              .sort_values(ascending=False))
    if metrics.per_type:
        per_type = pd.DataFrame(metrics.per_type)
        per_type["type_id"] = per_type["type_id"].astype(int)
        out["per_type"] = per_type.set_index("type_id")
    dumped = metrics.model_dump()
    out["metrics"] = {k: float(v) for k, v in dumped.items()
                      if isinstance(v, (int, float)) and not isinstance(v, bool) and k != "n"}
    return out


def _retention(factors: study.FactorsFile | None) -> pd.DataFrame | None:
    """The retention evidence (``n_factors``, ``eigenvalue``, ``pa_threshold`` ...) of ``factors.json``."""
    if factors is None or not factors.retention.table:
        return None
    table = pd.DataFrame.from_dict(factors.retention.table, orient="index")
    table = table.rename_axis("n_factors").reset_index()
    table["n_factors"] = pd.to_numeric(table["n_factors"]).astype(int)
    return table if "eigenvalue" in table else None


# --------------------------------------------------------------------------- public
def load_report_data(discovery_dir: str | Path) -> ReportData:
    """Read a discovery folder for the report.

    Parameters
    ----------
    discovery_dir : str or Path
        Folder written by ``behaviortypes discover`` (and optionally ``lookalike``,
        ``score`` and the interview stage).

    Returns
    -------
    ReportData

    Raises
    ------
    InputError
        If the folder or a required file is missing, or a file lacks a documented
        column or field, or ``types.yaml`` names an unknown type or an invalid colour.
    """
    if not Path(discovery_dir).is_dir():
        raise InputError("discovery folder not found", file=discovery_dir,
                         hint="pass the output folder of `behaviortypes discover`")
    folder = study.load(discovery_dir, require=REQUIRED_FILES)
    path = folder.path
    instrument = folder.instrument
    study_name = Path(folder.source.survey_dir).name or path.name
    min_group = int(instrument.get("min_group_size", 30) or 30)

    sizes = folder.table("sizes.csv", required=True)
    profiles = folder.table("profiles.csv", required=True)
    bad_kind = ~profiles["kind"].isin(["factor", "item"])
    if bad_kind.any():
        raise InputError("kind must be 'factor' or 'item'", file=path / "profiles.csv", column="kind",
                         rows=list(np.flatnonzero(bad_kind.to_numpy()) + 1),
                         value=profiles.loc[bad_kind, "kind"].iloc[0], hint=_RERUN)
    types = _types_table(folder, sizes, min_group)

    factors = folder.factors
    factor_names = dict(factors.factor_names) if factors is not None else {}
    reliability = folder.table("reliability.csv")
    if reliability is None and factors is not None and factors.reliability:
        reliability = pd.DataFrame.from_dict(factors.reliability, orient="index").rename_axis("factor").reset_index()
    fac_keys = profiles.loc[profiles["kind"] == "factor", "key"].unique()
    factor_names = {str(f): pretty_name(factor_names.get(str(f), str(f))) for f in fac_keys} | {
        k: pretty_name(v) for k, v in factor_names.items() if k not in fac_keys}

    items = [i for i in instrument.get("items") or [] if isinstance(i, dict)]
    item_texts = {str(i.get("id")): str(i.get("text", i.get("id"))) for i in items}
    item_themes = {str(i.get("id")): i.get("theme") for i in items}
    item_reverse = {str(i.get("id")): str(i.get("reverse", False)).lower() in {"true", "yes", "1", "y"}
                    for i in items}

    loadings = folder.table("loadings.csv")
    if loadings is not None:
        loadings = loadings.set_index("item")
    parsed = _parse_card(folder.card) if folder.card is not None else {}
    profile = load_profile(path)
    if folder.card is not None and folder.base_shares is None:  # linked, not scored (trial 11)
        warnings.warn(BehaviortypesWarning(
            f"{path}: customer data is linked (lookalike_card.json) but the customer base is not scored, so "
            "the report gives no share of the customer base; run `behaviortypes score OUT --customers FILE "
            "--out SCORED.parquet` and make the report again", code="warn_report_base_not_scored",
            values={"path": str(path)}),
            stacklevel=2)
    quotes = folder.table("quotes.csv")
    if quotes is not None:
        quotes = quotes.dropna(subset=["quote"]).drop_duplicates(subset=["type_id", "quote"])
        lang = str(instrument.get("language") or "en")  # masks in the study's language (user trial 12)
        quotes["quote"] = quotes["quote"].map(lambda q: anonymise_quote(restore_formula(q), lang=lang))
    return ReportData(
        path=path, study=study_name, title=str(instrument.get("name") or study_name),
        source=folder.source.model_dump(mode="json"), solution=folder.solution.model_dump(mode="json"),
        types=types, min_group_size=min_group, profiles=profiles,
        item_texts=item_texts, item_themes=item_themes, item_reverse=item_reverse, factor_names=factor_names,
        loadings=loadings, screening=folder.table("screening.csv"), umap=folder.table("umap.csv"),
        evidence_k=folder.table("evidence_k.csv"),
        factors=factors.model_dump(mode="json") if factors is not None else None,
        retention=_retention(factors), reliability=reliability,
        card=folder.card.model_dump(mode="json") if folder.card is not None else None,
        card_metrics=parsed.get("metrics", {}), calibration=parsed.get("calibration"),
        confusion=parsed.get("confusion"), importances=parsed.get("importances"),
        per_type=parsed.get("per_type"), n_linked=parsed.get("n_linked"), typing_tool=folder.typing_tool,
        base=folder.base_shares.model_dump(mode="json") if folder.base_shares is not None else None,
        quotes=quotes, crm=yes_no_as_shares(folder.table("crm_profile.csv")),
        screening_reasons=folder.screening_summary.reasons if folder.screening_summary is not None else None,
        folder=folder, profile=profile,
        cfa=folder.cfa.model_dump(mode="json") if folder.cfa is not None else None,
        column_labels=_column_labels(instrument, profile),
    )


def yes_no_as_shares(crm: pd.DataFrame | None) -> pd.DataFrame | None:
    """``crm_profile.csv`` with its 0/1 columns marked ``kind = boolean`` (shown as shares).

    The lookalike writes a 0/1 customer column (``churn_12m``) as ``numeric``; the report
    would show its mean as "0.0 vs 0.1" where "Who they are" says "4 % vs 10 %" (user
    trial 12). A column is 0/1 when everyone's mean ``p`` lies in [0, 1] and everyone's
    standard deviation, read back from the file as ``diff / diff_sd``, is that of a 0/1
    column, ``sqrt(p (1 - p))``, within 1 %: a column with values between 0 and 1 has
    the largest spread only when every value is 0 or 1. A share (0.31 of purchases
    organic) stays a number. Nothing is recomputed from the customers.
    """
    if crm is None or not {"feature", "kind", "overall", "diff", "diff_sd"} <= set(crm.columns):
        return crm
    kinds = crm["kind"].astype(str)
    numbers = crm[kinds.eq("numeric")]
    yes_no = []
    for feature, rows in numbers.groupby("feature", sort=False):
        p = pd.to_numeric(rows["overall"], errors="coerce")
        d, dsd = (pd.to_numeric(rows[c], errors="coerce") for c in ("diff", "diff_sd"))
        ok = d.notna() & dsd.notna() & (dsd.abs() > 1e-12) & (d.abs() > 1e-12)
        if not ok.any() or not p.between(0, 1).all():
            continue
        sd = (d[ok] / dsd[ok]).abs()
        expected = np.sqrt(p[ok] * (1 - p[ok]))
        if ((sd - expected).abs() <= 0.01 * expected).all():
            yes_no.append(feature)
    if not yes_no:
        return crm
    crm = crm.copy()
    crm.loc[kinds.eq("numeric") & crm["feature"].isin(yes_no), "kind"] = "boolean"
    return crm


def _column_labels(instrument: dict, profile: Any) -> dict[str, str]:
    """Column → label: the instrument recorded by ``discover`` (``source.json``), then what
    ``profile`` recorded when it ran (``profile.json``: newer; what "Who they are" shows).
    A descriptor's or outcome's own label wins over ``column_labels:``."""
    labels: dict[str, str] = {}
    metas = [instrument, profile.meta if profile is not None else {}]
    for meta in metas:
        labels |= {str(k): str(v) for k, v in (meta.get("column_labels") or {}).items() if v}
    for meta in metas:
        for spec in [*(meta.get("descriptors") or []), *(meta.get("outcomes") or [])]:
            if isinstance(spec, dict) and spec.get("label") and spec["label"] != spec.get("column"):
                labels[str(spec["column"])] = str(spec["label"])
    return labels


def pretty_name(name: str) -> str:
    """``research_depth`` → ``Research depth`` (names written as codes read better as words;
    :func:`behaviortypes.instrument.column_label`'s fallback, the one function that says it)."""
    return column_label(name)
