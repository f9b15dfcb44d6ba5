"""One runner per stage: screen, factors, types, profiles, map, typing tool, report.

Each runner takes the previous stages' results and its own settings and returns a
frozen result with ``summary()`` (text), ``to_dict()`` and ``to_files(folder)``.
:func:`behaviortypes.pipeline.discover` only composes them and hands the results to
:func:`behaviortypes.study.write`. A result can be reused: re-running the profiles
after a ``types.yaml`` edit, or a test of re-run behaviour, does not redo the factor
analysis or the search for the number of types.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import study
from .errors import BehaviortypesWarning, InputError, Said, SurveyQualityWarning, TypesOverlapWarning
from .readers import Survey, keyed_items

__all__ = [
    "ScreenResult",
    "FactorsResult",
    "TypesResult",
    "ProfilesResult",
    "MapResult",
    "TypingToolResult",
    "run_screen",
    "run_factors",
    "run_cfa",
    "CFA_ERRORS",
    "style_corrected_keyed",
    "run_types",
    "continuum_caution",
    "continuum_reason",
    "continuum_title_key",
    "user_k_caution",
    "statements_on",
    "FEW_STATEMENTS_LEVELS",
    "types_weak",
    "weak_types_field",
    "folder_types_weak",
    "folder_weak_field",
    "kept_k_row",
    "level_share",
    "LEVELS_SHARE",
    "CONTINUUM_ENTROPY",
    "run_profiles",
    "run_map",
    "start_map",
    "warn_few_statements",
    "FEW_GOLDEN_QUESTIONS",
    "FEW_STATEMENTS_AGREEMENT",
    "two_statement_agreement",
    "run_typing_tool",
    "ONE_GROUP_TOOL",
    "retention_reason",
    "previous_centroids",
    "warn_types_restart",
    "load_source_survey",
    "ReportResult",
    "run_report",
]


def _frame_out(frame: pd.DataFrame, index_name: str) -> pd.DataFrame:
    out = frame.copy()
    out.index.name = index_name
    return out.reset_index()


def load_source_survey(folder: str | Path | study.DiscoveryFolder) -> Survey:
    """The survey a discovery folder was made from, read once from its recorded folder.

    For the stages after discovery run on a folder alone (``lookalike`` from the CLI);
    a runner that still has the survey passes it instead. The survey's quality warnings
    were shown by discovery and are not repeated.

    Parameters
    ----------
    folder : path or DiscoveryFolder
        A discovery folder (read through :func:`behaviortypes.study.load`).

    Returns
    -------
    Survey

    Raises
    ------
    InputError
        Naming ``source.json`` and the recorded folder when the survey is no longer there.
    """
    from .readers import load_survey

    folder = folder if isinstance(folder, study.DiscoveryFolder) else study.load(folder)
    survey_dir = folder.source.survey_dir
    if not Path(survey_dir).is_dir():
        raise InputError(
            "the survey folder recorded by discovery is not there",
            file=folder.path / "source.json",
            value=survey_dir,
            hint="move the survey back or re-run `behaviortypes discover`",
        )
    with warnings.catch_warnings():  # already reported by discovery
        warnings.simplefilter("ignore", SurveyQualityWarning)
        return load_survey(survey_dir)


# --------------------------------------------------------------------------- screen
@dataclass(frozen=True)
class ScreenResult:
    """The survey and who was kept after screening (at least the minimum sample)."""

    survey: Survey
    screening: Any  # quality.ScreeningResult
    kept_ids: pd.Index

    @property
    def kept(self) -> pd.DataFrame:
        """The kept respondents' responses (every column)."""
        return self.survey.responses.loc[self.kept_ids]

    @property
    def keyed(self) -> pd.DataFrame:
        """The kept respondents' statements, reverse-keyed."""
        return keyed_items(self.kept, self.survey.instrument)

    @property
    def weights(self) -> pd.Series | None:
        """Survey weights of the kept respondents (None without ``weight_column``)."""
        column = self.survey.instrument.weight_column
        return self.kept[column].astype(float) if column else None

    def summary(self) -> str:
        return self.screening.summary()

    def to_dict(self) -> dict[str, Any]:
        return self.screening.to_dict()

    def to_files(self, folder: Path) -> list[Path]:
        """``screening.csv`` and ``screening_summary.json``."""
        return self.screening.to_files(folder)


def run_screen(survey: Survey, settings: Any = None) -> ScreenResult:
    """Screen respondents; an error when fewer than the minimum sample are left.

    Raises
    ------
    InputError
        See :func:`behaviortypes.quality.check_sample_size`.
    """
    from .customer_links import warn_repeated_customers
    from .quality import check_sample_size, screen

    warn_repeated_customers(survey)
    screening = screen(survey, settings)
    kept = check_sample_size(screening, len(survey.instrument.items), file=survey.responses_file)
    return ScreenResult(survey, screening, kept)


# --------------------------------------------------------------------------- factors
def retention_reason(model: Any) -> str:
    """Why the model kept its number of factors (``FactorModel.retention_reason_``)."""
    return str(model.retention_reason_)


@dataclass(frozen=True)
class FactorsResult:
    """The fitted factor model and the kept respondents' factor scores.

    ``styles`` is the response-style decision (:class:`~behaviortypes.quality.StyleDecision`)
    made on the kept respondents' raw answers; when it says ``use``, the model was fitted
    and the scores computed on the corrected answers. ``cfa`` is the held-out CFA check
    (:func:`run_cfa`; the content of ``cfa.json``), None when it was not asked for.
    """

    model: Any  # factors.FactorModel
    scores: pd.DataFrame
    styles: Any = None  # quality.StyleDecision
    cfa: dict[str, Any] | None = None

    @property
    def reason(self) -> str:
        return retention_reason(self.model)

    def summary(self) -> str:
        text = self.model.summary()
        return text if self.styles is None else f"{self.styles.summary()}\n{text}"

    def to_dict(self) -> dict[str, Any]:
        return self.model.to_dict()

    def to_files(self, folder: Path, lang: str = "en") -> list[Path]:
        """``loadings.csv``, ``scores.csv``, ``factors.json``, ``reliability.csv``, ``cfa.json``;
        ``factors.json``'s reason for the number of factors in ``lang`` (the run's language)."""
        fm = self.model
        return [
            study.save(folder, "loadings.csv", _frame_out(fm.loadings_, "item")),
            study.save(folder, "scores.csv", _frame_out(self.scores, "respondent_id")),
            study.save(folder, "factors.json", factors_said(fm.to_dict(), getattr(fm, "retention_reason_code_", None),
                                                            lang)),
            study.save(folder, "reliability.csv", fm.reliability_.reset_index()),
            *([study.save(folder, "cfa.json", self.cfa)] if self.cfa is not None else []),
        ]


def factors_said(doc: dict[str, Any], code: Any, lang: str = "en") -> dict[str, Any]:
    """``factors.json`` with its reason for the number of factors (``retention_reason`` and
    ``retention.reason``) said in ``lang`` from its ``code`` (the model's
    ``retention_reason_code_``, as ``solution.json``'s ``factor_reason``); keys, the rule's
    code and numbers as they were; English, or a reason without a code, as written (sv19)."""
    if lang == "en" or not code:
        return doc
    from .i18n import reason_text
    from .texts import Formatter, load_texts

    said = reason_text(code, load_texts(lang), Formatter(lang))
    out = {**doc, "retention_reason": said}
    if isinstance(doc.get("retention"), dict):
        out["retention"] = {**doc["retention"], "reason": said}
    return out


#: What a failing CFA fit raises (semopy, numpy, scipy): discover notes it and goes on.
CFA_ERRORS = (np.linalg.LinAlgError, ValueError, ArithmeticError, KeyError, IndexError)


def run_cfa(keyed: pd.DataFrame, loadings: pd.DataFrame, *, seed: int = 0) -> dict[str, Any]:
    """The CFA check of the factor structure on a held-out half of the kept respondents.

    :func:`behaviortypes.factors.cfa_check` with the EFA's loadings (a statement on the
    factor it loads most on, at |loading| ≥ .40) on half of ``keyed`` drawn with ``seed``. Never raises for
    the data: a model that cannot be identified, too few complete respondents, a fit
    that does not converge or fails numerically is a ``note_code`` (``no_model``,
    ``few_respondents``, ``not_converged``, ``failed``) with NaN fit indices. Returns
    the content of ``cfa.json``: the fit (``n, n_factors, cfi, tli, rmsea, srmr, chi2,
    df, p_value``), ``model``, ``dropped_factors`` (fewer than two salient
    statements, left out of the model), ``converged``, ``note_code``, ``note``,
    ``holdout`` and ``seed`` (the respondents' ids are not kept).
    """
    from .factors import cfa_check

    base = {"n": 0, "n_factors": 0, "cfi": None, "tli": None, "rmsea": None, "srmr": None,
            "chi2": None, "df": None, "p_value": None, "model": "", "dropped_factors": [],
            "converged": None}
    try:
        fit = cfa_check(keyed, loadings, random_state=seed, warn=False)
    except CFA_ERRORS as err:
        fit = {**base, "note_code": "failed", "note": f"the CFA could not be fitted: {err}"}
    out = {**base, **{k: v for k, v in fit.items() if not k.endswith("_index")}}
    out.update(holdout=0.5, seed=seed)
    for key in ("cfi", "tli", "rmsea", "srmr", "chi2", "df", "p_value"):
        value = out[key]
        out[key] = float(value) if value is not None and np.isfinite(value) else None
    return out


def style_corrected_keyed(raw: pd.DataFrame, instrument: Any, styles: Any) -> pd.DataFrame:
    """Answers corrected for acquiescence, reverse-keyed, ready for factoring.

    As :func:`behaviortypes.quality.correct_response_styles` with ``"acquiescence"``,
    except that each respondent's index is shrunk towards the mean by its reliability
    (Kelley's true-score estimate): ``shift = mean + rho * (index - mean)``, with ``rho``
    the Spearman-Brown reliability ``2r / (1 + r)`` of the decision's split-half ``r``.
    Subtracting the raw index itself (weights summing to one over the answers it is
    built from) makes the statements' correlation matrix exactly singular, so no factor
    model could be fitted; the shrunk index removes the style as far as it is known
    and keeps the matrix full rank. ``styles`` is the
    :class:`~behaviortypes.quality.StyleDecision`; another ``method`` than
    ``"acquiescence"`` is passed on to ``correct_response_styles`` unchanged.
    """
    from .quality import acquiescence_shrinkage, correct_response_styles, response_styles

    if styles.method != "acquiescence":
        return correct_response_styles(raw, instrument, method=styles.method)
    rho = acquiescence_shrinkage(styles.evidence.loc["split_half_r", "value"])
    lo, hi = float(instrument.scale.min), float(instrument.scale.max)
    raw = raw.astype(float)
    index = response_styles(raw, instrument)["acquiescence"]
    mean = float(index.mean()) if index.notna().any() else 0.0
    shift = (mean + rho * (index - mean)).fillna(mean)
    out = raw.sub(shift, axis=0)
    reverse = [i for i in instrument.reverse_ids if i in out.columns]
    if reverse:
        out[reverse] = lo + hi - out[reverse]
    return out


def run_factors(screen: ScreenResult, *, n_factors: int | None = None, seed: int = 0,
                cfa: bool = True) -> FactorsResult:
    """Factor analysis of the kept respondents' keyed statements (see ``FactorModel``).

    First decides on the kept respondents' raw answers whether to correct them for
    acquiescence (:func:`behaviortypes.quality.decide_style_correction`); when the
    evidence says so, the factors (and so the types, found on the factor scores) use
    the corrected answers (:func:`style_corrected_keyed`). The
    type profiles stay on the answers as given. With ``cfa`` the structure is then
    checked on a held-out half of the same answers (:func:`run_cfa`, same ``seed``).
    """
    from .factors import FactorModel
    from .quality import decide_style_correction

    inst = screen.survey.instrument
    p = len(inst.item_ids)
    if n_factors is not None and not 1 <= n_factors < p:  # (said in the study's language)
        raise InputError(code="problem_n_factors_range", values={"max": p - 1}, column="--factors",
                         value=n_factors, hint=Said("problem_n_factors_range_fix"))
    raw = screen.kept[inst.item_ids].astype(float)
    styles = decide_style_correction(raw, inst)
    keyed = style_corrected_keyed(raw, inst, styles) if styles.use else screen.keyed
    fm = FactorModel(n_factors=n_factors, random_state=seed).fit(
        keyed, sample_weight=screen.weights, item_themes=inst.item_themes
    )
    warn_wording_factors(fm.loadings_, inst.reverse_ids)
    check = run_cfa(keyed, fm.loadings_, seed=seed) if cfa else None
    return FactorsResult(fm, fm.transform(keyed), styles, check)


#: A statement belongs to the factor it loads most on when that loading is at least this.
WORDING_SALIENT = 0.4


def warn_wording_factors(loadings: pd.DataFrame, reverse: Sequence[str]) -> list[str]:
    """Warn about factors whose statements are all worded one way while the survey words
    its statements both ways: such a factor may be the wording (a method factor), not an
    attitude.

    Negatively worded statements often form a factor of their own whatever they are about
    (Marsh 1996; DiStefano & Motl 2006): on PISA 2009's reading items (user trial 5) the
    two factors were the six positively and the five negatively worded statements, named
    after themes they do not hold. A factor is flagged when at least two statements load
    on it most, with |loading| >= :data:`WORDING_SALIENT`, all reverse-keyed, while the
    survey has at least two statements that are not. Returns the flagged factors.
    """
    rev = set(reverse) & set(loadings.index)
    if not rev or len(set(loadings.index) - rev) < 2 or loadings.shape[1] < 2:
        return []
    absl = loadings.abs()
    main = absl.idxmax(axis=1)[absl.max(axis=1) >= WORDING_SALIENT]
    flagged = []
    for factor in loadings.columns:
        mine = list(main.index[main == factor])
        if len(mine) >= 2 and set(mine) <= rev:
            flagged.append(str(factor))
            warnings.warn(SurveyQualityWarning(
                f"factor {factor} holds only reverse-keyed statements ({', '.join(mine)}): it may be "
                "how the statements are worded (people answer negatively worded statements "
                "differently) rather than an attitude — check its loadings (notebook 03) before "
                "naming types after it", code="warn_wording_factor",
                values={"factor": str(factor), "items": ", ".join(mine)}), stacklevel=3)
    return flagged


# --------------------------------------------------------------------------- types
def previous_centroids(folder: Path, loadings: pd.DataFrame) -> pd.DataFrame | None:
    """An earlier run's type centroids in this run's factors (None when not comparable).

    Reads ``loadings.csv`` and ``centroids.csv`` of ``folder`` when both are there;
    see :func:`behaviortypes.segments.matching.centroids_in_new_factors`.
    """
    from .segments.matching import centroids_in_new_factors

    if not ((folder / "centroids.csv").is_file() and (folder / "loadings.csv").is_file()):
        return None
    old = pd.read_csv(folder / "loadings.csv", index_col="item")
    centroids = pd.read_csv(folder / "centroids.csv", index_col="type_id")
    return centroids_in_new_factors(old, centroids, loadings)


@dataclass(frozen=True)
class TypesResult:
    """The behaviour types: the fitted finder, with ids matched to an earlier run's.

    ``mapping`` maps the finder's ids to the ids used (identity on a first run);
    ``matched`` says whether an earlier run's types were matched.
    """

    finder: Any  # segments.TypeFinder
    labels: pd.Series
    proba: pd.DataFrame
    centroids: pd.DataFrame
    mapping: Mapping[int, int]
    matched: bool
    #: :func:`type_overlap` of the kept types (survey weights applied); None when unknown.
    overlap: Mapping[str, float] | None = None

    @property
    def stability(self) -> pd.DataFrame:
        return self.finder.stability_.rename(index=dict(self.mapping))

    def summary(self) -> str:
        return self.finder.summary()

    def to_dict(self) -> dict[str, Any]:
        return self.finder.to_dict()

    def to_files(self, folder: Path, lang: str = "en") -> list[Path]:
        """``probabilities.csv``, ``evidence_k.csv``, ``centroids.csv``; ``evidence_k.csv``'s
        ``note`` in ``lang`` (the run's language, as ``solution.json``'s notes)."""
        ev = evidence_notes_said(self.finder.evidence_, getattr(self.finder, "evidence_note_codes_", None), lang)
        if self.overlap is not None and "k" not in ev.columns and self.finder.k_ in ev.index:
            ev = ev.copy()  # the report's overlap sentence reads it at the kept k
            ev["typed_differently"] = np.nan
            ev.loc[self.finder.k_, "typed_differently"] = float(self.overlap["typed_differently"])
        return [
            study.save(folder, "probabilities.csv", _frame_out(self.proba, "respondent_id")),
            study.save(folder, "evidence_k.csv", ev.reset_index(drop="k" in ev.columns)),
            study.save(folder, "centroids.csv", self.centroids.reset_index()),
        ]

    def relabelled(self, previous: pd.DataFrame | None) -> "TypesResult":
        """The same types with their ids matched to ``previous`` centroids (a re-run)."""
        return _relabel(self.finder, previous, self.overlap)


def evidence_notes_said(evidence: pd.DataFrame, codes: Mapping[int, Any] | None, lang: str = "en") -> pd.DataFrame:
    """The evidence table with each row's ``note`` said in ``lang`` from its codes.

    ``codes`` maps k to the note's parts as codes (``TypeFinder.evidence_note_codes_``);
    English, or a row without codes, is left as written (session 19 wrote the notes in
    English in a Swedish study's ``evidence_k.csv`` while ``solution.json`` said them in
    Swedish). The columns and numbers are the same in every language.
    """
    if lang == "en" or not codes or "note" not in evidence.columns:
        return evidence
    from .i18n import reason_text
    from .texts import Formatter, load_texts  # not the report stack (a discover's notes)

    t, fmt = load_texts(lang), Formatter(lang)
    ks = evidence["k"] if "k" in evidence.columns else evidence.index
    out = evidence.copy()
    out["note"] = ["; ".join(reason_text(part, t, fmt) for part in codes[int(k)]) if int(k) in codes else note
                   for k, note in zip(ks, evidence["note"])]
    return out


def _relabel(finder: Any, previous: pd.DataFrame | None,
             overlap: Mapping[str, float] | None = None) -> TypesResult:
    from .segments import match_types

    ids = [int(i) for i in finder.centroids_.index]
    if previous is None:
        mapping = {i: i for i in ids}
    else:
        mapping = {int(a): int(b) for a, b in match_types(previous, finder.centroids_).items()}
    labels = finder.labels_.map(mapping).astype(int)
    labels.name = "type_id"
    proba = finder.proba_.rename(columns={f"p_{a}": f"p_{b}" for a, b in mapping.items()})
    proba = proba[[f"p_{i}" for i in sorted(mapping.values())]]
    centroids = finder.centroids_.rename(index=mapping).sort_index()
    centroids.index.name = "type_id"
    return TypesResult(finder, labels, proba, centroids, mapping, previous is not None, overlap)


def run_types(
    factors: FactorsResult,
    *,
    k: int | None = None,
    n_resamples: int = 30,
    seed: int = 0,
    sample_weight: pd.Series | None = None,
    previous: pd.DataFrame | None = None,
    progress: bool = False,
) -> TypesResult:
    """Find the types in the factor scores; ids follow ``previous`` centroids when given."""
    from .segments import TypeFinder

    n = len(factors.scores)
    if k is not None and n < 20 * k:  # (TypeFinder's refusal, said in the study's language)
        raise InputError(code="problem_k_too_many", values={"n": n, "k": k}, value=n,
                         hint=Said("problem_k_too_many_fix"))
    # the answers are whole scale points: fits on their lattice are set aside (TypeFinder.fit)
    finder = TypeFinder(k=k, n_resamples=n_resamples, random_state=seed, progress=progress).fit(
        factors.scores, sample_weight=sample_weight,
        score_rounding=factors.model.score_weights_per_point(),
    )
    overlap = type_overlap(finder.proba_, sample_weight)
    warn_overlapping_types(finder.proba_, sample_weight)
    return _relabel(finder, previous, overlap)


#: Relative entropy (Mplus) below which ``discover`` warns that the types overlap. Clark &
#: Muthén (2009) call 0.4 low, 0.6 medium and 0.8 high separation (0.8 is the usual "good"
#: in tidyLPA and Mplus practice); 0.7 is half-way from medium to high: at 0.62 on SAPA spi
#: about a fifth of the respondents belonged to another type by the model's own posteriors.
OVERLAP_ENTROPY = 0.7


#: Relative entropy below which the report's headline says the types are a cut of a
#: continuum: the cut at which ``discover`` already warns that the types overlap
#: (:data:`OVERLAP_ENTROPY`, 0.7). 0.8, the usual "good separation" of latent-profile
#: practice, would call real types a continuum: field-like studies with a small planted
#: type often sit at 0.7-0.8 (session 11).
CONTINUUM_ENTROPY = OVERLAP_ENTROPY


#: Share of the between-type variance of the type centres on their first principal
#: direction at or above which, that direction being a general level (every factor the
#: same sign), the continuum box says the types are ordered levels of one dimension.
#: Chosen on evidence (docs/choosing_k.md, session 16): the user trial's GCBS types 0.98,
#: a one-factor population with facets 0.96-0.99; field-like and planted studies with
#: real types at most 0.87 and rarely with a general direction.
LEVELS_SHARE = 0.9

#: Share of the levels direction (its squared unit weights) on one factor at or above which
#: the types are levels of that one factor, not of a general dimension on which every factor
#: rises together. User trial 12 (ASTI): 0.87 on F2 (+1.39 on F2 against +0.29/+0.72/+0.30
#: on the others for the highest type), and the box said "about as high on every factor";
#: trial 11's GCBS types, flat across the factors, at most 0.32. 0.5: more than half of it.
ONE_FACTOR_SHARE = 0.5


def level_share(centres: Any, sizes: Any) -> dict[str, Any]:
    """How much the types differ only in level: one direction through their centres.

    Parameters
    ----------
    centres : DataFrame or array of shape (k, n_factors)
        The type centres in factor-score space, as the types were fitted
        (``centroids.csv``).
    sizes : array-like of shape (k,)
        The types' sizes or shares (weights of the between-type variance).

    Returns
    -------
    dict
        ``share``: the share of the size-weighted between-type variance of the centres
        on their first principal direction (1 = the types lie on one line; NaN for
        fewer than two types or no spread); ``general``: that direction has the same
        sign on every factor (a general level: higher on one factor is higher on all);
        ``levels``: both, ``share`` at least :data:`LEVELS_SHARE`; ``factor`` and
        ``factor_share``: the factor (a column of ``centres``, else its position from 1)
        that holds the largest part of that direction and that part (its squared unit
        weight), so that a direction carried by one factor is not called general: the
        types are then levels of that factor (``factor_share`` at least
        :data:`ONE_FACTOR_SHARE`, user trial 12).

    Notes
    -----
    Latent-profile practice reads profiles that differ only in level as the sign of a
    global factor rather than of distinct groups (Morin & Marsh 2015).
    """
    C = np.asarray(centres, dtype=float)
    w = np.clip(np.asarray(sizes, dtype=float).ravel(), 0.0, None)
    nan = {"share": float("nan"), "general": False, "levels": False}
    if C.ndim != 2 or len(C) < 2 or len(w) != len(C) or not w.sum() > 0 or not np.isfinite(C).all():
        return nan
    w = w / w.sum()
    D = C - w @ C
    vals, vecs = np.linalg.eigh((D * w[:, None]).T @ D)
    if not vals.sum() > 1e-12:
        return nan
    share = float(vals[-1] / vals.sum())
    v = vecs[:, -1]
    general = bool(C.shape[1] >= 2 and (np.all(v > 0) or np.all(v < 0)))
    top = int(np.argmax(v ** 2))
    names = [str(c) for c in centres.columns] if isinstance(centres, pd.DataFrame) else \
        [f"F{j + 1}" for j in range(C.shape[1])]
    return {"share": share, "general": general, "levels": bool(general and share >= LEVELS_SHARE),
            "factor": names[top], "factor_share": float(v[top] ** 2)}


def continuum_reason(k: int | None, reason_code: Any, entropy: Any = None, *,
                     typed_differently: Any = None, levels: Any = None) -> list[dict[str, Any]]:
    """Why the kept types are a convenient cut of a continuum rather than distinct groups.

    Two signs, each enough: the number of types is the largest that was searched while
    the BIC still falls there (the finder's ``k_reason_edge_range``: no number of types
    fits best, more would fit better still), or the types overlap heavily (relative
    entropy at the kept k below :data:`CONTINUUM_ENTROPY`). The PISA 2009 trial: one
    factor (Velicer's MAP 1), 10 types at the top of the range, entropy 0.68 — and the
    report's headline presented them as found.

    Parameters
    ----------
    k : int or None
        The number of types kept.
    reason_code : list of dict or None
        The finder's reason codes (``solution.json`` ``k_reason_code``).
    entropy : float, optional
        Relative entropy at ``k`` (``evidence_k.csv``); missing or NaN: not used.
    typed_differently : float, optional
        The expected share of respondents in another type than their own
        (:func:`type_overlap`, ``evidence_k.csv``): the overlap sentence says it
        (``k_continuum_overlap_share``) when it is known.
    levels : dict, optional
        :func:`level_share` of the kept types (``solution.json`` ``k_levels``): a third
        sign when ``levels`` is true and there are at least 3 types (two centres always
        lie on one line): the types are ordered levels of one general dimension
        (``k_continuum_levels``, with the share), read as bands along it
        (``k_continuum_levels_body``, ``k_continuum_levels_todo``) — the GCBS trial:
        4 types, entropy 0.78, centres flat across the factors, share 0.98. Carried
        mostly by one factor (``factor``, its id, and ``factor_share``): levels of that
        factor (``k_continuum_levels_factor``), called by its name when ``factor_name``
        (its name in ``factors.json``) is there (``k_continuum_levels_named``: "Negative
        affectivity", its id only where a file needs it; user trial 20 read "F2").

    Returns
    -------
    list of dict
        Reason codes for :func:`behaviortypes.i18n.reason_text` (templates of
        ``report/i18n/<lang>.yaml``): ``k_continuum_edge`` and/or
        ``k_continuum_overlap`` (or ``k_continuum_overlap_share``), then
        ``k_continuum_body`` and ``k_continuum_todo`` (which also says to search more
        types; ``k_continuum_todo_overlap`` without that when the BIC did not still fall
        at the top of the range; ``k_continuum_todo_user`` when the number of types was
        set with ``--k``, ``k_reason_user``: not told to set it); empty when neither sign
        is there (and for k = 1).
    """
    if k is None or int(k) < 2:
        return []
    codes = [c for c in (reason_code or []) if isinstance(c, Mapping)]
    out: list[dict[str, Any]] = [{"code": "k_continuum_edge", "values": dict(c.get("values") or {})}
                                 for c in codes if c.get("code") == "k_reason_edge_range"][:1]
    try:
        ent = float(entropy)
    except (TypeError, ValueError):
        ent = float("nan")
    if np.isfinite(ent) and ent < CONTINUUM_ENTROPY:
        values = {"entropy": ent, "threshold": CONTINUUM_ENTROPY}
        try:
            share = float(typed_differently)
        except (TypeError, ValueError):
            share = float("nan")
        if np.isfinite(share):  # how many respondents, as the overlap warning says
            out.append({"code": "k_continuum_overlap_share", "values": {**values, "share": share}})
        else:
            out.append({"code": "k_continuum_overlap", "values": values})
    lv = levels if isinstance(levels, Mapping) else {}
    on_one_line = bool(lv.get("levels")) and int(k) >= 3
    # carried by one factor (trial 12): levels of that factor, not "every factor rises together"
    one = on_one_line and float(lv.get("factor_share") or 0.0) >= ONE_FACTOR_SHARE
    level_values = {"k": int(k), "share": float(lv["share"])} if on_one_line else {}
    named = one and bool(str(lv.get("factor_name") or "").strip())
    if one:
        level_values |= {"factor": str(lv.get("factor")), "factor_share": float(lv["factor_share"])}
        if named:  # the factor as the report calls it; its id where a file needs it (trial 20)
            level_values["name"] = _factor_said(str(lv.get("factor")), str(lv["factor_name"]))
        out.append({"code": "k_continuum_levels_named" if named else "k_continuum_levels_factor",
                    "values": level_values})
    elif on_one_line:
        out.append({"code": "k_continuum_levels", "values": level_values})
    if not out:
        return []
    if on_one_line:  # the types are levels: say how to read them, not "not distinct groups"
        tail = ("_named" if named else "_factor") if one else ""
        # "a factor carried by few statements … try --factors with one fewer" only when it
        # is (user trial 22: said of a factor of 8 statements)
        many = bool(one and int(lv.get("n_statements") or 0) > FEW_STATEMENTS_LEVELS)
        return out + [{"code": f"k_continuum_levels{tail}_body" + ("_many" if many else ""), "values": level_values},
                      {"code": f"k_continuum_levels{tail}_todo" + ("_many" if many else ""), "values": level_values}]
    # "search more types" only when the BIC still fell at the top of the range (trial 7:
    # it was said when the BIC had its minimum inside the range)
    edge = out[0]["code"] == "k_continuum_edge"
    todo = "k_continuum_todo" if edge else "k_continuum_todo_overlap"
    if any(c.get("code") == "k_reason_user" for c in codes):
        # the user set k with --k: not told to set it (session 14), nor to search more types
        todo = "k_continuum_todo_user"
    return out + [{"code": "k_continuum_body", "values": {"k": int(k)}},
                  {"code": todo, "values": {"k": int(k)}}]


#: A factor with at most this many statements (primary, |λ| ≥ 0.25) can split a sample into
#: bands by itself: the levels box then says so and suggests one factor fewer.
FEW_STATEMENTS_LEVELS = 4

def statements_on(solution: Mapping[str, Any], factor: str) -> int | None:
    """How many statements load mainly on ``factor`` (``F2``) in the kept factor solution:
    its part of the chosen row's ``salient`` in ``solution.json``'s ``factor_evidence``
    ("8/8/7/8"), or ``None`` when not recorded."""
    import re

    found = re.fullmatch(r"F(\d+)", str(factor))
    rows = [r for r in solution.get("factor_evidence") or [] if isinstance(r, Mapping) and r.get("chosen")]
    if not found or not rows or not isinstance(rows[0].get("salient"), str):
        return None
    parts = rows[0]["salient"].split("/")
    j = int(found.group(1)) - 1
    return int(parts[j]) if 0 <= j < len(parts) and parts[j].strip().isdigit() else None


_ONE_GROUP_CODES = ("k_reason_user_evidence_one", "k_reason_user_evidence_unimodal",
                    "k_reason_user_evidence_no_fit")


def user_k_caution(solution: Mapping[str, Any]) -> dict[str, Any] | None:
    """The "read these types with care" warning for a number of types set with ``--k``
    against the evidence (``solution.json``'s ``structure_warning_code``), or ``None``.

    Against the evidence: ``k_reason_user`` among ``k_reason_code``, ``k`` differs from
    ``k_by_evidence``, and the evidence alone gives one group (``warn_user_k_one_group``)
    or :func:`continuum_reason` finds the kept types are levels of one dimension
    (``warn_user_k_levels``) or a cut of a continuum (``warn_user_k_continuum``). User
    trial 22: ``--k 4`` where the evidence gave one group and the four were bands of one
    factor; the typing tool's form and workbook carried no caution.
    """
    codes = [c for c in solution.get("k_reason_code") or [] if isinstance(c, Mapping)]
    said = {c.get("code") for c in codes}
    k, k_evidence = solution.get("k"), solution.get("k_by_evidence")
    if "k_reason_user" not in said or k is None or int(k) < 2 or (k_evidence is not None and int(k_evidence) == int(k)):
        return None
    values = {"k": int(k)}
    if said & set(_ONE_GROUP_CODES) or (k_evidence is not None and int(k_evidence) == 1):
        return {"code": "warn_user_k_one_group", "values": values}
    signs = continuum_reason(k, codes, kept_k_row(solution).get("entropy"), levels=solution.get("k_levels"))
    if not signs:
        return None
    levels = continuum_title_key(signs) == "k_continuum_levels_title"
    return {"code": "warn_user_k_levels" if levels else "warn_user_k_continuum", "values": values}


def kept_k_row(solution: Mapping[str, Any]) -> Mapping[str, Any]:
    """``solution.json``'s ``k_evidence`` row at its kept ``k`` (``{}`` when there is none):
    the entropy (and ``typed_differently``) the continuum's sentences read."""
    k = solution.get("k")
    rows = [r for r in solution.get("k_evidence") or [] if isinstance(r, Mapping) and r.get("k") == k]
    return rows[0] if rows else {}


def continuum_caution(solution: Mapping[str, Any] | None, *,
                      typed_differently: float | None = None) -> list[dict[str, Any]]:
    """The report's "a continuum, not distinct groups" / "levels of one dimension" reasons
    for a ``solution.json`` (:func:`continuum_reason` on its ``k``, ``k_reason_code``, the
    entropy at ``k`` in ``k_evidence`` and ``k_levels``), or ``[]``. ``discover`` records
    their English sentence as ``continuum_warning``; a folder written before that gets the
    same answer from the same fields. User trial 23: the report and ``discover`` said "a
    continuum … do not present them as segments", and the form, the workbooks and
    ``typing-tool --score`` said nothing. ``typed_differently`` (the share of respondents
    typed differently, ``discover``'s overlap; default: the kept row's, when recorded): the
    overlap sentence says it, as the report and the terminal do (one sentence everywhere)."""
    if not isinstance(solution, Mapping):
        return []
    row = kept_k_row(solution)
    if typed_differently is None:
        typed_differently = row.get("typed_differently")
    return continuum_reason(solution.get("k"), solution.get("k_reason_code"), row.get("entropy"),
                            typed_differently=typed_differently, levels=solution.get("k_levels"))


def weak_types_field(solution: Mapping[str, Any] | None) -> str | None:
    """The field of ``solution.json`` that says its types are to be read with care, or
    ``None`` (:func:`types_weak`): ``structure_warning`` (weak evidence for distinct types, or
    ``--k`` against the evidence), ``continuum_warning`` (a continuum or levels of one
    dimension); for a folder written before these were recorded, the fields they are read
    from: ``k_evidence`` (a continuum) or ``k_reason_code`` (``--k`` against the evidence)."""
    if not isinstance(solution, Mapping):
        return None
    for name in ("structure_warning", "continuum_warning"):
        if solution.get(name):
            return name
    if continuum_caution(solution):
        return "k_evidence"
    return "k_reason_code" if user_k_caution(solution) is not None else None


def types_weak(solution: Mapping[str, Any] | None) -> bool:
    """Whether a discovery's types are to be read with care: ``solution.json`` holds a
    ``structure_warning`` (weak evidence for distinct types), the types are a cut of a
    continuum or levels of one dimension (``continuum_warning``, :func:`continuum_caution`,
    as the report's headline says; user trial 23), or the number of types was set with
    ``--k`` against the evidence (:func:`user_k_caution`, also for a folder written before
    that was recorded). The one source of the typing tool's form, workbook and the scored
    files' warning (:func:`weak_types_field` names the field)."""
    return weak_types_field(solution) is not None


def folder_weak_field(folder: Path | None) -> str | None:
    """:func:`weak_types_field` of the ``solution.json`` in ``folder``; None without a folder
    or a ``solution.json``."""
    from .files import read_json

    solution = Path(folder) / "solution.json" if folder is not None else None
    return weak_types_field(read_json(solution)) if solution is not None and solution.is_file() else None


def folder_types_weak(folder: Path | None) -> bool:
    """Whether the discovery in ``folder`` gave types to read with care (its ``solution.json``:
    :func:`types_weak`); False without a folder or a ``solution.json``. The one reading of it
    for the scored files' warning and the typing tool's spec (LEFT21 L3)."""
    return folder_weak_field(folder) is not None


def _factor_said(factor_id: str, name: str) -> Any:
    """A factor's name as the report shows it, said in the report's language: a theme
    written as a code reads as words ("negative_affectivity" → "Negative affectivity"),
    a theme split over factors keeps its part ("(part 2)", "(del 2)"), and the tool's
    label of a factor with no theme ("Factor 3") is that language's."""
    import re

    from .i18n import theme_part
    from .instrument import column_label as pretty  # the report's pretty_name (one function)

    theme, part = theme_part(name)
    if part is not None:
        return Said("k_levels_name_part", {"name": pretty(theme), "n": int(part)})
    found = re.fullmatch(r"F(\d+)", factor_id)
    if found and re.fullmatch(r"(Factor|Faktor) " + found.group(1), name.strip()):
        return Said("k_levels_name_factor", {"n": int(found.group(1))})
    return Said("k_levels_name", {"name": pretty(name)})


def continuum_title_key(codes: Sequence[Mapping[str, Any]]) -> str:
    """The continuum box's title for :func:`continuum_reason`'s codes: types that are
    levels of one dimension are not called "not distinct groups"
    (``k_continuum_levels_title``); else ``k_continuum_title``."""
    levels = any(str(c.get("code")).removesuffix("_many") in (
        "k_continuum_levels_body", "k_continuum_levels_factor_body", "k_continuum_levels_named_body") for c in codes)
    return "k_continuum_levels_title" if levels else "k_continuum_title"


def type_overlap(proba: pd.DataFrame, weights: pd.Series | None = None) -> dict[str, float]:
    """How clearly the respondents fall into their types.

    Parameters
    ----------
    proba : DataFrame of shape (n_respondents, k)
        Posterior probabilities of each type (rows sum to 1).
    weights : Series, optional
        Survey weights (aligned on ``proba``'s index).

    Returns
    -------
    dict
        ``entropy``: relative entropy 1 − Σ p log p / (n log k), as Mplus and tidyLPA
        report it (1 = every respondent certain; NaN for k = 1); ``typed_differently``:
        the expected share of respondents who belong to another type than the one they
        are assigned, by the model's own probabilities (mean of 1 − the highest
        probability).
    """
    p = np.clip(np.asarray(proba, dtype=float), 0.0, 1.0)
    k = p.shape[1]
    w = np.ones(len(p)) if weights is None else np.asarray(pd.Series(weights).reindex(proba.index), float)
    if k < 2 or len(p) == 0:
        return {"entropy": float("nan"), "typed_differently": 0.0}
    ent = -np.sum(p * np.log(np.clip(p, 1e-300, None)), axis=1)
    return {"entropy": float(1 - np.average(ent, weights=w) / np.log(k)),
            "typed_differently": float(np.average(1 - p.max(axis=1), weights=w))}


def warn_overlapping_types(proba: pd.DataFrame, weights: pd.Series | None = None, *,
                           threshold: float = OVERLAP_ENTROPY) -> bool:
    """Warn (one :class:`~behaviortypes.errors.TypesOverlapWarning` line, a
    :class:`~behaviortypes.errors.SurveyQualityWarning`) when the types overlap: relative
    entropy below ``threshold`` (:data:`OVERLAP_ENTROPY`). Returns whether it warned.

    For Python users; the command line leaves it out, as ``discover``'s summary says the
    overlap in its continuum box (:func:`continuum_reason`, the same entropy and cut)."""
    o = type_overlap(proba, weights)
    if not o["entropy"] < threshold:  # NaN (one group) does not warn
        return False
    d = 2 if round(o["entropy"], 2) != round(threshold, 2) else 3  # not "0.70 (below 0.70)"
    warnings.warn(
        f"types overlap: entropy {o['entropy']:.{d}f} (below {threshold:.{d}f}; 0.8 counts as good "
        f"separation); by the model's own probabilities about {o['typed_differently']:.0%} of "
        "respondents belong to another type than the one they are assigned — read the types as "
        "tendencies rather than clear-cut groups, and expect a typing tool to agree with them less "
        "often", TypesOverlapWarning, stacklevel=3)
    return True


# --------------------------------------------------------------------------- profiles
@dataclass(frozen=True)
class ProfilesResult:
    """Profiles, sizes and names of the types; ``types.yaml`` with the user's edits kept."""

    profiles: Any  # profiles.Profiles
    types_doc: dict[str, Any]
    assignments: pd.DataFrame
    sizes: pd.DataFrame
    quotes: pd.DataFrame | None = None

    @property
    def names(self) -> dict[int, str]:
        return {int(t["type_id"]): str(t["name"]) for t in self.types_doc["types"]}

    def summary(self, lang: str = "en", *, names: Mapping[int, str] | None = None) -> str:
        """A line per type: its number, name, share with its interval and n (numbers in
        ``lang``; ``names``: type id → the name to show, default the ``sizes`` table's)."""
        from .profiles import size_digits, size_line

        names, d = names or {}, size_digits(self.sizes)  # one rounding for the whole table
        return "\n".join(size_line(r.type_id, names.get(int(r.type_id), r.type_name), r.share, r.ci_low,
                                    r.ci_high, r.n, lang=lang, digits=d) for r in self.sizes.itertuples())

    def to_dict(self) -> dict[str, Any]:
        return {"types": self.types_doc["types"], "sizes": self.sizes.to_dict(orient="records")}

    def to_files(self, folder: Path) -> list[Path]:
        """``assignments.csv``, ``profiles.csv``, ``sizes.csv``, ``types.yaml``, ``quotes.csv``."""
        paths = [
            study.save(folder, "assignments.csv", self.assignments),
            study.save(folder, "profiles.csv", self.profiles.table),
            study.save(folder, "sizes.csv", self.sizes),
            study.save(folder, "types.yaml", self.types_doc),
        ]
        if self.quotes is not None and len(self.quotes):
            paths.append(study.save(folder, "quotes.csv", self.quotes))
        return paths


def study_ids(survey: Any) -> list[str]:
    """Respondent and customer ids of the survey, for the quote anonymiser (data safety)."""
    ids = [str(i) for i in survey.responses.index]
    column = survey.instrument.customer_id_column
    if column and column in survey.responses.columns:
        ids += [str(v) for v in survey.responses[column].dropna()]
    return ids


def run_profiles(
    screen: ScreenResult,
    factors: FactorsResult,
    types: TypesResult,
    *,
    types_yaml: Path | None = None,
    interviews: Any = None,
    seed: int = 0,
) -> ProfilesResult:
    """Profile, size and name the types; keep the edits of ``types_yaml`` (an earlier run's).

    ``interviews`` (coded interviews) adds representative quotes per type.
    """
    from .profiles import merge_types_yaml, profile_types, study_lexicon

    inst = screen.survey.instrument
    raw_items = screen.kept[inst.item_ids].astype(float)
    profiles = profile_types(raw_items, factors.scores, types.labels, sample_weight=screen.weights,
                             factor_names=factors.model.factor_names_, lang=inst.language,
                             lexicon=study_lexicon(inst), item_reverse={i.id: i.reverse for i in inst.items})
    types_doc = merge_types_yaml(types_yaml, profiles.names, sizes=profiles.sizes, lang=inst.language)
    names = {t["type_id"]: t["name"] for t in types_doc["types"]}
    labels = types.labels
    assignments = pd.DataFrame({
        "respondent_id": labels.index.astype(str),
        "type_id": labels.to_numpy(),
        "type_name": [names[int(t)] for t in labels],
        "probability": types.proba.max(axis=1).to_numpy(),
    })
    sizes = profiles.sizes.reset_index()
    sizes.insert(1, "type_name", [names[int(t)] for t in sizes["type_id"]])
    quotes = None
    if interviews is not None:
        from .interviews import type_quotes

        from .interviews import anonymise

        quotes = type_quotes(interviews, profiles.table[profiles.table.kind == "item"], inst, n=3,
                             random_state=seed)
        ids = study_ids(screen.survey)  # respondent and customer ids never reach a quote
        quotes["quote"] = [anonymise(q, ids=ids) for q in quotes["quote"]]
    return ProfilesResult(profiles, types_doc, assignments, sizes, quotes)


# --------------------------------------------------------------------------- map
@dataclass(frozen=True)
class MapResult:
    """A two-dimensional UMAP map of respondents with their type."""

    frame: pd.DataFrame
    #: Respondents with factor scores (the map holds a random sample when there are more
    #: than :data:`behaviortypes.profiles.MAP_MAX_RESPONDENTS`); None: as many as mapped.
    n_total: int | None = None

    def summary(self) -> str:
        n, total = len(self.frame), self.n_total or len(self.frame)
        if total > n:
            return (f"Map of a random sample of {n:,} of the {total:,} respondents (UMAP of the "
                    "factor scores; a map of every respondent would take minutes)")
        return f"Map of {n} respondents (UMAP of the factor scores)"

    def to_dict(self) -> dict[str, Any]:
        return {"n_respondents": int(len(self.frame)),
                "n_total": int(self.n_total or len(self.frame))}

    def to_files(self, folder: Path) -> list[Path]:
        """``umap.csv``."""
        return [study.save(folder, "umap.csv", _frame_out(self.frame, "respondent_id"))]

    def with_labels(self, labels: pd.Series) -> "MapResult":
        """The same map with new type ids (after a re-run's matching)."""
        return MapResult(self.frame.assign(type_id=labels), n_total=self.n_total)


def start_map(factors: FactorsResult, *, seed: int = 0) -> Any:
    """Start the UMAP map in a background thread; :func:`run_map` (``started=``) collects it.

    The map needs only the factor scores, so it can be drawn while the types engine's
    worker processes search for the types and this process mostly waits for them
    (``pipeline.discover`` does so). The same seed gives the same map as
    :func:`run_map` alone: UMAP runs single-threaded with a seed.

    Returns
    -------
    concurrent.futures.Future
        Of the map's frame (``x``, ``y`` per respondent).
    """
    from concurrent.futures import ThreadPoolExecutor

    from .profiles import type_map

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="behaviortypes-map")
    try:
        return pool.submit(type_map, factors.scores, random_state=seed)
    finally:
        pool.shutdown(wait=False)


def run_map(factors: FactorsResult, types: TypesResult, *, seed: int = 0,
            started: Any = None) -> MapResult:
    """UMAP of the factor scores (see :func:`behaviortypes.profiles.type_map`), labelled
    with the types; ``started``: the future of :func:`start_map` for these factors."""
    from .profiles import type_map

    frame = (started.result() if started is not None
             else type_map(factors.scores, random_state=seed)).copy()
    frame["type_id"] = types.labels
    return MapResult(frame, n_total=len(factors.scores))


# --------------------------------------------------------------------------- typing tool
#: Why ``discover`` builds no typing tool when it found one homogeneous group (k = 1).
ONE_GROUP_TOOL = ("not built: the discovery found no distinct types (one homogeneous group, k = 1), "
                  "so there is nothing for golden questions to tell apart")

@dataclass(frozen=True)
class TypingToolResult:
    """The typing tool (golden questions), or why it could not be built."""

    tool: Any = None  # lookalike.TypingTool
    error: str | None = None
    #: :func:`behaviortypes.deliver.statements_needed` when the tool is below its target.
    needed: dict[str, Any] | None = None
    #: The types the tool was built on (respondent → type id) and the seed: a re-run
    #: with the same ones reuses the tool (:func:`run_typing_tool`, ``reuse=``).
    labels: pd.Series | None = field(default=None, compare=False, repr=False)
    seed: int | None = None
    #: Why the tool could not be built, as the error (said in the study's language by
    #: :meth:`headline`; ``error`` is its English line).
    problem: Any = field(default=None, compare=False, repr=False)
    #: The warning that the types follow the answers of at most two statements
    #: (:func:`few_statements_caution`) as its ``code`` and ``values``; None without one.
    caution: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    FILE = "typing_tool.yaml"

    def summary(self) -> str:
        if self.tool is None:
            return f"No typing tool: {self.error}"
        text = self.tool.summary()
        if self.needed is not None:
            from .deliver import needed_sentence  # the one wording (typing-tool, report: the same)

            said = needed_sentence(self.needed, "en", n_items=len(self.tool.items_),
                                   agreement=self.tool.agreement_)
            text += f"\n  Below the {self.tool.target_:.0%} target:{said}"
        return text

    def headline(self, lang: str = "en") -> str:
        """:meth:`summary` without the list of questions: the agreement reached and, when
        below its target, how many statements would reach it (``discover``'s summary).

        In Swedish (``lang="sv"``) the typing-tool deliverables' sentence
        (:func:`behaviortypes.deliver.agreement_note`)."""
        if lang != "en":
            from .deliver import agreement_note
            from .texts import load_texts

            t = load_texts(lang)
            if self.tool is None:
                error = (t["typing_tool_one_group"] if self.error == ONE_GROUP_TOOL else
                         self.problem.said(lang) if self.problem is not None else self.error)
                return t["cli_no_typing_tool"].format(error=error)
            n_resp = len(self.labels) if self.labels is not None else None
            info = {"agreement": self.tool.agreement_, "target": self.tool.target_,
                    "n_items": len(self.tool.items_), "n_respondents": n_resp, "needed": self.needed}
            return t["cli_typing_tool"].format(sentence=agreement_note(info, lang))
        lines = self.summary().splitlines()
        return "\n".join(lines[:1] + [line for line in lines[1:] if line.startswith("  Below")])

    def _needed_keys(self) -> dict[str, Any]:
        if self.needed is None:
            return {}
        # every key the agreement sentence needs (deliver.agreement_note): how many statements
        # reach the target, or how many exist / were checked when none does
        return {k: self.needed.get(k) for k in ("n_needed", "agreement_needed", "best_agreement",
                                                "n_available", "checked_up_to", "reach_selection",
                                                "best_fresh")}

    def to_dict(self) -> dict[str, Any]:
        """``items``, ``agreement``, ``target``, ``file`` (and ``n_needed``,
        ``agreement_needed``, ``best_agreement``, ``n_available``, ``checked_up_to`` when
        below target); or ``error``."""
        if self.tool is None:
            return {"error": str(self.error), **({"skipped": "one_group"} if self.error == ONE_GROUP_TOOL else {})}
        return {"items": list(self.tool.items_), "agreement": self.tool.agreement_,
                "target": self.tool.target_, "file": self.FILE, **self._needed_keys()}

    def to_files(self, folder: Path) -> list[Path]:
        """``typing_tool.yaml`` (nothing when there is no tool)."""
        if self.tool is None:
            return []
        study.claim(folder, [self.FILE])  # never a user's own file of that name
        if self.needed is None:
            return [self.tool.to_yaml(Path(folder) / self.FILE)]
        from .files import write_yaml

        return [write_yaml(Path(folder) / self.FILE, {**self.tool.to_dict(), **self._needed_keys()})]


def run_typing_tool(screen: ScreenResult, types: TypesResult, names: Mapping[int, str], *,
                    seed: int = 0, reuse: TypingToolResult | None = None) -> TypingToolResult:
    """The shortest set of statements that types a respondent like the full survey.

    Needs only the survey and the types (see :func:`behaviortypes.lookalike.build_typing_tool`).
    When the tool's agreement is below its target, also how many statements would
    reach it (:func:`behaviortypes.deliver.statements_needed`, same folds and order).

    Parameters
    ----------
    screen : ScreenResult
    types : TypesResult
    names : mapping type id → name
    seed : int, default=0
    reuse : TypingToolResult, optional
        A previous run's tool: reused (renamed to ``names`` if they changed) when it was
        built on the same respondents' answers, the same type of each respondent and the
        same seed, instead of being rebuilt. The caller vouches that the answers are the
        same (``discover`` reuses a tool only with the screening it reuses).
    """
    from .lookalike import build_typing_tool

    if (reuse is not None and reuse.labels is not None and reuse.seed == seed
            and reuse.labels.equals(types.labels)):
        if reuse.tool is None or reuse.tool.type_names_ == {int(k): str(v) for k, v in names.items()}:
            return reuse
        return TypingToolResult(tool=reuse.tool.with_type_names(names), needed=reuse.needed,
                                labels=reuse.labels, seed=seed, caution=reuse.caution)
    if len(types.centroids) < 2:  # one homogeneous group (k = 1): nothing to tell apart
        return TypingToolResult(error=ONE_GROUP_TOOL, labels=types.labels, seed=seed)
    inst = screen.survey.instrument
    try:
        tool = build_typing_tool(screen.keyed, types.labels, instrument=inst,
                                 type_names=dict(names), random_state=seed)
    except InputError as err:
        return TypingToolResult(error=str(err), labels=types.labels, seed=seed, problem=err)
    caution = few_statements_caution(tool, len(types.centroids), answers=screen.keyed, labels=types.labels)
    if caution is not None:
        warnings.warn(caution, stacklevel=2)
    needed = None
    if tool.agreement_ < tool.target_:
        from .deliver import statements_needed  # (the deliverables' package: only when needed)

        needed = statements_needed(screen.keyed, types.labels, target=tool.target_, instrument=inst,
                                   random_state=seed)
    return TypingToolResult(tool=tool, needed=needed, labels=types.labels, seed=seed,
                            caution=None if caution is None else {"code": caution.code, "values": dict(caution.values)})


#: Golden questions this few reproducing three or more types mean the types are the
#: combinations of those statements' answers (a four-point pair has 16), not groups of people.
FEW_GOLDEN_QUESTIONS = 2


#: In-sample agreement of the best rule on at most two statements (each combination of
#: their answers given its most common type) at or above which the types follow those
#: statements rather than groups of people. User trial 12 (ASTI, four-point): the 4 types
#: were bands of p02 + p07, a rule on them typed 88.6 % as discover did, and the golden
#: questions took a third statement to reach 90 %, so the old check (golden ≤ 2) was
#: silent. Measured (rule pre-registered before the figures, session 17): the planted suites'
#: TRUE types (tests/planted.py suite + suite_alt, 32 studies, k = 3-6) 0.58-0.825, the
#: discovered types of their four highest studies 0.808-0.827, the demo study's (seed 0,
#: k = 5) 0.666; trial 12 0.886 (default 4 factors) and 0.875 (--factors 5). The margin to
#: real three-type studies is small (0.83 against 0.85): the warning says "read with care",
#: and k = 2 never warns.
FEW_STATEMENTS_AGREEMENT = 0.85


def _codes(column: pd.Series) -> tuple[np.ndarray, int]:
    """An answer column as category codes 0..m-1 (a missing answer is a category)."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    return codes.astype(np.int64), max(len(uniques), 1)


def two_statement_agreement(answers: pd.DataFrame, labels: pd.Series, *,
                            max_levels: int = 11) -> dict[str, Any]:
    """The best rule on one or two statements: how many respondents it types as the types do.

    For every statement and every pair of statements, each combination of their answers is
    given its most common type; the rule's agreement is the share of respondents whose type
    that gives (in-sample, unweighted: a four-point pair has 16 cells, a seven-point 49, so
    with hundreds of respondents the optimism is small).

    Parameters
    ----------
    answers : DataFrame
        Respondents × statements (keyed answers); columns with more than ``max_levels``
        distinct answers (not a rating scale) are left out.
    labels : Series
        Each respondent's type, indexed like (a subset of) ``answers``.

    Returns
    -------
    dict
        ``items`` (the best statements, one or two) and ``agreement`` (NaN when there is
        nothing to test).
    """
    y, types = pd.factorize(labels.to_numpy())
    X = answers.reindex(labels.index)
    cols = [c for c in X.columns if X[c].nunique(dropna=False) <= max_levels]
    best: dict[str, Any] = {"items": [], "agreement": float("nan")}
    if not len(y) or len(types) < 2 or not cols:
        return best
    k, n, coded = len(types), len(y), [_codes(X[c]) for c in cols]

    def hits(code: np.ndarray, m: int) -> int:
        return int(np.bincount(code * k + y, minlength=m * k).reshape(m, k).max(axis=1).sum())

    top, where = -1, ()
    for i, (ci, mi) in enumerate(coded):
        h = hits(ci, mi)
        if h > top:
            top, where = h, (i,)
        for j in range(i + 1, len(coded)):
            cj, mj = coded[j]
            h = hits(ci * mj + cj, mi * mj)
            if h > top:
                top, where = h, (i, j)
    return {"items": [str(cols[i]) for i in where], "agreement": top / n}


def warn_few_statements(tool: Any, k: int, *, answers: pd.DataFrame | None = None,
                        labels: pd.Series | None = None) -> bool:
    """Warn when three or more types follow the answers of at most two statements
    (:func:`few_statements_caution`); returns whether it warned."""
    caution = few_statements_caution(tool, k, answers=answers, labels=labels)
    if caution is not None:
        warnings.warn(caution, stacklevel=2)
    return caution is not None


def few_statements_caution(tool: Any, k: int, *, answers: pd.DataFrame | None = None,
                           labels: pd.Series | None = None) -> SurveyQualityWarning | None:
    """The warning when three or more types follow the answers of at most two statements.

    Two signs, either enough: the golden questions are :data:`FEW_GOLDEN_QUESTIONS`
    statements or fewer and reach their target (on R poLCA's ``election``, four-point
    ratings with a third factor of two statements, the five types were the answer
    combinations of two statements: the typing tool typed 95 % of respondents from them
    alone; session 7); or, given ``answers`` and ``labels``, the best rule on at most two
    statements of all (:func:`two_statement_agreement`) reaches
    :data:`FEW_STATEMENTS_AGREEMENT` (user trial 12: 88.6 % from p02 + p07, while the
    golden questions took a third statement). Returns the warning (with its ``code`` and
    ``values``: ``solution.json`` records it, sv19), or None.
    """
    items = list(tool.items_) if tool is not None else []
    if k < 3:
        return None
    if items and len(items) <= FEW_GOLDEN_QUESTIONS and tool.agreement_ >= tool.target_:
        return SurveyQualityWarning(
            f"the {k} types are told apart by {len(items)} statement{'s' if len(items) > 1 else ''} alone "
            f"({', '.join(items)} type {tool.agreement_:.0%} of respondents as the whole survey does): "
            "types found on so few answers follow the combinations of those answers rather than groups of "
            "people — check for a dimension with fewer than three statements (try discover --factors with "
            "one fewer) and read the types with care",
            code="warn_few_statements" if len(items) > 1 else "warn_few_statements_one",
            values={"k": int(k), "n": len(items), "items": ", ".join(items), "share": float(tool.agreement_)})
    if answers is None or labels is None:
        return None
    best = two_statement_agreement(answers, labels)
    if not best["agreement"] >= FEW_STATEMENTS_AGREEMENT:
        return None
    shown = " + ".join(best["items"])
    return SurveyQualityWarning(
        f"the {k} types largely follow the answers to {shown} ({best['agreement']:.1%} of respondents get "
        f"the same type from a rule on those {len(best['items'])} statement(s) alone): such types are bands or "
        "combinations of those answers rather than groups of people — a factor carried by those statements "
        "may be splitting them (try discover --factors with one fewer) and read the types with care",
        code="warn_two_statements", values={"k": int(k), "items": shown, "share": float(best["agreement"])})


def warn_types_restart(types_yaml: Path) -> None:
    """Warn that an earlier ``types.yaml`` cannot be kept (the factors changed)."""
    warnings.warn(BehaviortypesWarning(
        f"{types_yaml}: the factors changed since the previous run, so its types "
        "cannot be matched; names and edits start afresh (the old file is replaced)",
        code="warn_types_restart", values={"path": str(types_yaml)}), stacklevel=3)



# --------------------------------------------------------------------------- report
@dataclass(frozen=True)
class ReportResult:
    """The persona report rendered from a discovery folder: which files, in which languages.

    The report assembles what the earlier stages wrote and never recomputes them, so
    ``to_files(folder)`` renders the same report again into another folder.
    """

    discovery: Path
    langs: tuple[str, ...]
    formats: tuple[str, ...]
    files: tuple[Path, ...]

    def summary(self, lang: str | None = None) -> str:
        """The files written, in ``lang`` (default: the report's language when it was
        rendered in one, else English): ``Rapport (sv; pdf): 1 fil(er)`` and the paths."""
        from .i18n import said

        lang = lang or (self.langs[0] if len(self.langs) == 1 else "en")
        lines = [said("report_summary", lang, langs=", ".join(self.langs), formats=", ".join(self.formats),
                      n=len(self.files))]
        lines += [f"  {path}" for path in self.files]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """``discovery``, ``langs``, ``formats`` and the ``files`` written (as text)."""
        return {"discovery": str(self.discovery), "langs": list(self.langs),
                "formats": list(self.formats), "files": [str(p) for p in self.files]}

    def to_files(self, folder: Path) -> list[Path]:
        """Render the same report into ``folder`` (``behaviour_types_<lang>.pdf`` ...)."""
        from .report import render_report

        return render_report(self.discovery, out_dir=folder, lang=list(self.langs), formats=self.formats)


def run_report(discovery_dir: str | Path, *, lang: str | tuple[str, ...] | list[str] = "en",
               formats: tuple[str, ...] = ("pdf",), out_dir: str | Path | None = None,
               pdf: str | Path | None = None) -> ReportResult:
    """Render the persona report of a discovery folder (see :func:`behaviortypes.report.render_report`).

    Parameters
    ----------
    discovery_dir : str or Path
        The discovery folder, checked through :func:`behaviortypes.study.load`.
    lang : str or sequence of str, default="en"
        ``"en"``, ``"sv"`` or several.
    formats : tuple of str, default=("pdf",)
        Any of ``"pdf"``, ``"html"``, ``"pptx"``, ``"png"``.
    out_dir, pdf : path, optional
        As in :func:`~behaviortypes.report.render_report`.

    Returns
    -------
    ReportResult

    Raises
    ------
    InputError
        When the folder breaks its contract, or for an unknown language or format.
    """
    from .report import render_report

    study.load(discovery_dir)
    langs = (lang,) if isinstance(lang, str) else tuple(lang)
    files = render_report(discovery_dir, pdf=pdf, lang=list(langs), formats=formats, out_dir=out_dir)
    return ReportResult(Path(discovery_dir), langs, tuple(formats), tuple(files))
