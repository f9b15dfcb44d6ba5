"""The stages chained: check → discover → lookalike → score → report.

Orchestration only: each function reads the previous stage's files, calls the stage
module, and writes its own documented files (atomically, through
:mod:`behaviortypes.files`). The CLI and the notebooks call these functions.
"""

from __future__ import annotations

import datetime as _dt
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import study
from .errors import InputError, Said
from .files import check_output_folder, check_outputs_free, library_versions, load_user_yaml
from .languages import (declared_language, discovery_language, interviews_said_language, study_file_language,
                        study_language)
# the study file (StudyConfig) lives in a light module, for run's refusals; its names stay here too
from .studyfile import DEFAULT_RESAMPLES, StudyConfig
from .stages import (
    FactorsResult,
    MapResult,
    ProfilesResult,
    ReportResult,
    ScreenResult,
    TypesResult,
    TypingToolResult,
    level_share,
    previous_centroids,
    run_factors,
    run_map,
    start_map,
    continuum_caution,
    user_k_caution,
    statements_on,
    run_profiles,
    run_screen,
    run_types,
    run_report,
    run_typing_tool,
    warn_types_restart,
)

__all__ = [
    "CheckResult",
    "DiscoveryResult",
    "continuum_lines",
    "discovery_lines",
    "solution_said",
    "study_language",
    "declared_language",
    "interviews_said_language",
    "discovery_language",
    "check",
    "discover",
    "lookalike",
    "score",
    "interview_types",
    "report",
    "run",
    "demo",
    "load_discovery",
    "StudyConfig",
    "DEFAULT_RESAMPLES",
]

Progress = Callable[[str], None]


#: Packages whose versions are recorded in ``source.json``.
_PACKAGES = ("behaviortypes", "numpy", "pandas", "scikit-learn", "factor-analyzer", "umap-learn")


def check_seed(seed: Any, name: str = "seed") -> int:
    """``seed`` as the seed of every random step: a whole number of 0 or more, else the
    one-line error the command line gives (``--seed`` has ``min=0``), not numpy's
    ``expected non-negative integer`` traceback from deep in the analysis."""
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or int(seed) < 0:
        raise InputError(code="problem_seed_range", values={"name": name}, value=seed)
    return int(seed)


def _noop(_: str) -> None:
    return None


# --------------------------------------------------------------------------- check
@dataclass(frozen=True)
class CheckResult:
    """What ``behaviortypes check`` found: the survey, its screening and reliability."""

    survey: Any
    screening: Any
    reliability: pd.DataFrame
    traceability: Any = None
    warnings: list[str] = field(default_factory=list)
    #: A warning's sentence as a ``report/i18n`` code and values, or as the problem it was
    #: made of (``{"problem": Problem}``), by its English text (the warnings that carry
    #: one), for :meth:`summary` in another language.
    warning_codes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def summary(self, lang: str | None = None) -> str:
        """What ``check`` prints, in ``lang`` (default: the study's language, else English)."""
        from .i18n import output_language, reason_text
        from .texts import Formatter, load_texts

        inst, table = self.survey.instrument, self.screening.table
        lang = output_language(lang, inst.language)
        t, fmt = load_texts(lang), Formatter(lang)
        lines = [
            t["check_survey"].format(file=self.survey.responses_file.name, n=len(table), p=len(inst.items),
                                     min=inst.scale.min, max=inst.scale.max),
            t["check_screening"].format(kept=int(table["kept"].sum()), flagged=int((~table["kept"]).sum())),
        ]
        for reason, row in self.screening.to_frame().iterrows():
            if reason in {"any", "kept"}:
                continue
            share = f"{row['share']:.1%}" if lang == "en" else fmt.pct(row["share"], 1)
            lines.append(t["check_reason"].format(reason=t.get(f"check_reason_{reason}", reason),
                                                  count=int(row["count"]), share=share))
        if lang == "en":
            lines.extend(f"  - {note}" for note in self.screening.notes())
        else:
            if getattr(self.screening, "styles_scale", None) is not None:
                lines.append("  - " + self.screening.styles_scale_note(lang))
            if not self.screening.has_midpoint:
                lines.append("  - " + t["check_no_midpoint"].format(points=f"{self.screening.scale_range + 1:g}"))
        if len(self.reliability):
            lines.append(t["check_reliability"])
            num = (lambda x: f"{x:.2f}") if lang == "en" else (lambda x: fmt.num(x, 2))
            for theme, row in self.reliability.iterrows():
                lines.append(t["check_reliability_row"].format(theme=theme, alpha=num(row["alpha"]),
                                                               low=num(row["ci_low"]), high=num(row["ci_high"]),
                                                               n=int(row["n_items"])))
        if self.traceability is not None:
            lines.append(str(self.traceability.summary(lang)))
        for w in self.warnings:
            said = self.warning_codes.get(w) if lang != "en" else None
            text = said["problem"].said(lang) if said and "problem" in said else reason_text(said, t, fmt) if said else w
            lines.append(t["cli_warning_prefix"] + text)  # as discover says them (was "Warning: ")
        return "\n".join(lines)


def _theme_reliability(keyed: pd.DataFrame, themes: dict[str, str | None]) -> pd.DataFrame:
    """Alpha (Feldt CI) and omega per interview theme with at least two statements."""
    from .factors import scale_reliability

    table = scale_reliability(keyed, {item: theme for item, theme in themes.items() if theme})
    return table[table["n_items"] >= 2]


def _find_interviews(survey_dir: Path) -> Path | None:
    """``interviews/`` when it holds coded interviews (``codes.csv`` or a ``.qdpx``)."""
    folder = survey_dir / "interviews"
    if folder.is_dir() and ((folder / "codes.csv").is_file() or any(folder.glob("*.qdpx"))):
        return folder
    return None


def check(survey_dir: str | Path) -> CheckResult:
    """Read, validate and screen a survey folder; reliability by theme; traceability.

    Raises
    ------
    InputError
        For every problem in the instrument or the responses (all reported at once).
    """
    from .customer_links import warn_repeated_customers
    from .quality import check_sample_size, screen
    from .readers import keyed_items, load_survey

    survey_dir = Path(survey_dir)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        survey = load_survey(survey_dir)
        warn_repeated_customers(survey)
        screening = screen(survey)
    kept = survey.responses.loc[check_sample_size(screening, len(survey.instrument.items),
                                                  file=survey.responses_file)]
    keyed = keyed_items(kept, survey.instrument)
    reliability = _theme_reliability(keyed, survey.instrument.item_themes)
    trace = None
    interviews_path = _find_interviews(survey_dir)
    if interviews_path is not None:
        from .interviews import read_interviews, traceability

        trace = traceability(survey.instrument, read_interviews(interviews_path))
    messages = list(dict.fromkeys([*map(str, survey.warnings),
                                   *(str(w.message) for w in caught)]))
    codes = {str(w.message): {"code": w.message.code, "values": w.message.values}
             for w in caught if getattr(w.message, "code", None)}
    codes.update({str(w.message): {"problem": w.message.problem}
                  for w in caught if getattr(w.message, "problem", None) is not None})
    return CheckResult(survey, screening, reliability, trace, messages, codes)


# --------------------------------------------------------------------------- discover
@dataclass(frozen=True)
class DiscoveryResult:
    """Everything ``discover`` found, stage by stage; the same content is in the output folder.

    The stage results (``screen``, ``factors``, ``clustering``, ``profiling``, ``map``,
    ``typing_tool``) can be passed back to :func:`discover` (``reuse=``) so that a
    re-run after a ``types.yaml`` edit does not redo the analysis. ``survey``,
    ``screening``, ``factor_model``, ``type_finder``, ``profiles``, ``assignments`` and
    ``types`` (the content of ``types.yaml``) are the objects inside them.
    """

    out: Path
    screen: ScreenResult
    factors: FactorsResult
    clustering: TypesResult
    profiling: ProfilesResult
    map: MapResult | None
    typing_tool: TypingToolResult
    solution: dict[str, Any]
    source: dict[str, Any]
    settings: dict[str, Any] = field(default_factory=dict)
    #: The language of :meth:`summary` (``discover``'s ``lang``: ``"en"`` or ``"sv"``).
    lang: str = "en"

    @property
    def survey(self) -> Any:
        return self.screen.survey

    @property
    def screening(self) -> Any:
        return self.screen.screening

    @property
    def factor_model(self) -> Any:
        return self.factors.model

    @property
    def type_finder(self) -> Any:
        return self.clustering.finder

    @property
    def profiles(self) -> Any:
        """The :class:`~behaviortypes.profiles.Profiles` of the types."""
        return self.profiling.profiles

    @property
    def assignments(self) -> pd.DataFrame:
        return self.profiling.assignments

    @property
    def types(self) -> dict[str, Any]:
        """The content of ``types.yaml`` (names and taglines, the user's edits kept)."""
        return self.profiling.types_doc

    @property
    def folder(self) -> study.DiscoveryFolder:
        """The output folder as read back (typed)."""
        return study.load(self.out)

    def summary(self, lang: str | None = None) -> str:
        """The terminal's summary, in ``lang`` (default: the language ``discover`` was run in,
        :attr:`lang`): respondents kept, factors and types with their reasons, the CFA
        check, the continuum box, the types' sizes and the typing tool."""
        return "\n".join(discovery_lines(self, lang or getattr(self, "lang", "en")))

    def to_dict(self) -> dict[str, Any]:
        return {"solution": self.solution, "source": self.source}

    def to_files(self, folder: Path) -> list[Path]:
        """Every file of the discovery folder (each stage's, then ``solution.json`` and ``source.json``)."""
        paths: list[Path] = []
        for stage in (self.screen, self.factors, self.clustering, self.profiling, self.map, self.typing_tool):
            if stage is not None:
                said = stage is self.factors or stage is self.clustering  # sentences in the run's language
                paths += stage.to_files(folder, getattr(self, "lang", "en")) if said else stage.to_files(folder)
        paths.append(study.save(folder, "solution.json", solution_said(self.solution, getattr(self, "lang", "en"))))
        paths.append(study.save(folder, "source.json", self.source))
        return paths


def solution_said(solution: Mapping[str, Any], lang: str = "en") -> dict[str, Any]:
    """``solution.json`` with its sentences for people in ``lang`` (the run's language).

    ``factor_reason`` and ``k_reason`` are said from their codes (``factor_reason_code``,
    ``k_reason_code``, which stay as they are for the report and the terminal), and
    ``response_styles.reason`` from its evidence, as the report says them; every key, code
    and number stays the same. English (or a reason without a code) is left as written.
    """
    out = dict(solution)
    if lang not in ("sv",):
        return out
    from .i18n import reason_text
    from .said import styles_sentence  # not the report's stack (session 23)
    from .texts import Formatter, load_texts

    t, fmt = load_texts(lang), Formatter(lang)
    for key in ("factor_reason", "k_reason"):
        if out.get(f"{key}_code"):
            out[key] = reason_text(out[f"{key}_code"], t, fmt)
    styles = out.get("response_styles")
    if isinstance(styles, Mapping) and styles.get("reason"):
        sentence = styles_sentence(styles, t, fmt)
        out["response_styles"] = {**styles, "reason": sentence or styles["reason"]}
    if isinstance(out.get("response_styles"), Mapping) and out["response_styles"].get("criterion"):
        out["response_styles"] = {**out["response_styles"], "criterion": t["styles_criterion"]}
    out["k_evidence"] = [{**row, "note": "; ".join(reason_text(part, t, fmt) for part in row["note_code"])}
                         if isinstance(row, Mapping) and row.get("note_code") else row
                         for row in out.get("k_evidence") or []]
    for key in ("structure_warning", "statements_warning"):
        warning = out.get(f"{key}_code")
        if out.get(key) and isinstance(warning, Mapping) and warning.get("code") in t:
            out[key] = reason_text(_said_values(warning, fmt), t, fmt)
    return out


def _said_values(coded: Mapping[str, Any], fmt: Any) -> dict[str, Any]:
    """A coded sentence whose values hold numbers written as text with their digits
    (``p="0.87"``, as a warning wrote them) with those numbers as ``fmt`` writes them
    (``0,87``), for :func:`~behaviortypes.i18n.reason_text`."""
    import re

    values = {k: fmt.num(float(v), len(v.split(".")[1])) if isinstance(v, str) and re.fullmatch(r"-?\d+\.\d+", v)
              else v for k, v in (coded.get("values") or {}).items()}
    return {"code": coded["code"], "values": values}


def _bars(progress: bool | Progress) -> bool:
    """Whether the types engine draws its progress bars: asked for, and on a terminal or in
    a notebook. Elsewhere (a log, a pipe) rich's transient bars left a blank line each
    after "Finding behaviour types …" (user trial 7)."""
    if not progress:
        return False
    from rich.console import Console

    console = Console()
    return bool(console.is_terminal or console.is_jupyter)


def discovery_lines(result: Any, lang: str = "en") -> list[str]:
    """The lines of :meth:`DiscoveryResult.summary`, in ``lang`` (``report/i18n/<lang>.yaml``).

    English says the stages' reasons as they wrote them (``factor_reason``, ``k_reason``,
    the response-style and typing-tool summaries); Swedish says the same from their codes
    (``factor_reason_code``, ``k_reason_code``), in the report's sentences and numbers.
    """
    from .i18n import reason_text
    from .said import k_set_with_texts, styles_sentence
    from .texts import Formatter, load_texts

    lang = lang if lang in ("en", "sv") else "en"
    t, fmt, sol = load_texts(lang), Formatter(lang), result.solution
    styles, tool = result.factors.styles, result.typing_tool
    if lang == "en":
        factor_reason, k_reason = sol["factor_reason"], sol["k_reason"]
        style_lines = [styles.summary()] if styles is not None else []
        sizes = result.profiling.summary(names=_names_in(result, lang))
        tool_lines = [tool.headline()] if sol["k"] != 1 and tool is not None else []
    else:
        factor_reason = reason_text(sol.get("factor_reason_code") or sol["factor_reason"], t, fmt).rstrip(".")
        k_reason = reason_text(sol.get("k_reason_code") or sol["k_reason"], k_set_with_texts(t, sol), fmt).rstrip(".")
        style_lines = [styles_sentence(sol.get("response_styles"), t, fmt)] if styles is not None else []
        sizes = result.profiling.summary(lang, names=_names_in(result, lang))
        tool_lines = [tool.headline(lang)] if sol["k"] != 1 and tool is not None else []
    overlap = getattr(getattr(result, "clustering", None), "overlap", None) or {}
    return [
        t["cli_kept"].format(kept=sol["n_kept"], total=sol["n_respondents"]),
        *style_lines,
        t["cli_factors"].format(n=sol["n_factors"], reason=factor_reason),
        *cfa_lines(result.factors.cfa, lang, n_items=len(result.factors.model.loadings_)),
        t["cli_types"].format(k=sol["k"], reason=k_reason),
        *continuum_lines(sol, lang, typed_differently=overlap.get("typed_differently")),
        sizes,
        *tool_lines,
        *([t["cli_one_group"]] if sol["k"] == 1 else []),
        t["cli_written_to"].format(path=result.out),
    ]


def _names_in(result: Any, lang: str) -> dict[int, str] | None:
    """The types' names as :func:`discovery_lines` shows them in ``lang``: those the tool
    suggested in the study's language are said in ``lang`` (as the report and the typing
    tool say them, :func:`behaviortypes.profiles.names_in_language`); the analyst's stay."""
    from .profiles import answer_styles, factor_means_from_profiles, names_in_language, reverse_keys, study_lexicon

    if not isinstance(result, DiscoveryResult):
        return None
    inst = result.survey.instrument
    types = pd.DataFrame(result.types["types"]).set_index("type_id")
    means = factor_means_from_profiles(result.profiles.table)
    named = names_in_language(types, means, dict(result.factors.model.factor_names_), lang,
                              source_lang=inst.language, lexicon=study_lexicon(inst),
                              styles=answer_styles(result.profiles.table, reverse_keys(inst)))
    return {int(t): str(name) for t, name in named["name"].items()}


def continuum_lines(solution: Mapping[str, Any], lang: str = "en", *,
                    typed_differently: float | None = None) -> list[str]:
    """The terminal's "a continuum, not distinct groups" lines for a ``solution.json`` (or none).

    The same sentences as the report's headline (:func:`behaviortypes.stages.continuum_reason`,
    the report's texts in ``lang``): said when the number of types is the largest searched
    while the BIC still falls, or when the types overlap heavily (entropy below 0.7; with
    ``typed_differently``, the share of respondents the model places in another type than
    their own, the sentence says how many). It is the terminal's one statement of the
    overlap: ``discover``'s command line does not also print the
    :class:`~behaviortypes.errors.TypesOverlapWarning` line.
    """
    from .i18n import reason_text
    from .texts import Formatter, load_texts
    from .stages import continuum_caution, continuum_title_key

    codes = continuum_caution(solution, typed_differently=typed_differently)
    if not codes:
        return []
    texts = load_texts(lang)
    return [f"  {texts[continuum_title_key(codes)]}: {reason_text(codes, texts, Formatter(lang))}"]


def cfa_lines(cfa: Mapping[str, Any] | None, lang: str = "en", n_items: int | None = None) -> list[str]:
    """The terminal's line on the CFA check on a held-out half (``cfa.json``), or none.

    The report's sentence in ``lang`` (:func:`behaviortypes.said.cfa_sentences`):
    CFI, TLI and RMSEA, each good, acceptable or poor by Hu & Bentler's (1999) cut-offs,
    or why there is no check; that respondents with unanswered statements are in it (FIML);
    how many of the ``n_items`` statements and of the factors it covers.
    """
    from .said import cfa_sentences
    from .texts import Formatter, load_texts

    said = cfa_sentences(cfa, load_texts(lang), Formatter(lang), n_items=n_items)
    if said is None:
        return []
    return [f"  {text}" for text in (said["fit"] or said["note"], said.get("missing"), said["dropped"])
            if text]


def _solution(survey_dir: Path, screen: ScreenResult, factors: FactorsResult, types: TypesResult,
              profiles: ProfilesResult, tool: TypingToolResult, *, seed: int,
              n_resamples: int) -> dict[str, Any]:
    """The content of ``solution.json``."""
    fm, finder = factors.model, types.finder
    notes = getattr(finder, "evidence_note_codes_", None) or {}  # each note's parts as codes (sv19)
    solution = {
        "survey": str(survey_dir.resolve()),
        "n_respondents": int(len(screen.survey.responses)),
        "n_kept": int(len(screen.kept_ids)),
        "n_factors": int(fm.n_factors_),
        "factor_reason": factors.reason,
        "factor_reason_code": getattr(fm, "retention_reason_code_", None),
        "factor_evidence": fm.retention_.reset_index().to_dict(orient="records"),
        "k": int(finder.k_),
        "k_reason": str(finder.reason_),
        "k_reason_code": finder.reason_code_,  # the same reason, for the report's language
        "k_by_evidence": int(finder.k_by_evidence_),  # what the evidence alone gives (--k: may differ)
        "k_evidence": [{**row, **({"note_code": notes[row["k"]]} if row.get("k") in notes else {})}
                       for row in finder.evidence_.reset_index(drop=False).to_dict(orient="records")],
        "k_method": str(finder.method_),
        "sizes": {
            str(int(t)): {"n": int(row["n"]), **{c: float(row[c]) for c in ("share", "ci_low", "ci_high")}}
            for t, row in profiles.profiles.sizes.iterrows()
        },
        "stability": types.stability.reset_index().to_dict(orient="records"),
        "seed": seed,
        "n_resamples": n_resamples,
        "typing_tool": tool.to_dict(),
    }
    # are the types levels of one general dimension? (the continuum box, stages.level_share)
    shares = profiles.profiles.sizes["share"].reindex(types.centroids.index).fillna(0.0)
    levels = level_share(types.centroids, shares)
    solution["k_levels"] = {**levels, "share": levels["share"] if np.isfinite(levels["share"]) else None}
    if levels.get("factor"):  # the continuum box calls it by its name (trial 20 read "F2")
        solution["k_levels"]["factor_name"] = str(dict(fm.factor_names_).get(levels["factor"], "") or "")
        solution["k_levels"]["n_statements"] = statements_on(solution, levels["factor"])  # trial 22
    if factors.styles is not None:
        solution["response_styles"] = factors.styles.to_dict()
    if getattr(tool, "caution", None):  # the types follow at most two statements: a terminal warning
        # only before; recorded for the report's evidence appendix (sv19)
        from .i18n import reason_text
        from .texts import Formatter, load_texts

        solution["statements_warning"] = reason_text(tool.caution, load_texts("en"), Formatter("en"))
        solution["statements_warning_code"] = tool.caution
    if finder.structure_warning_:
        solution["structure_warning"] = str(finder.structure_warning_)
        if getattr(finder, "structure_warning_code_", None):  # the same sentence, for the study's language
            solution["structure_warning_code"] = finder.structure_warning_code_
    elif (caution := user_k_caution(solution)) is not None:  # --k against the evidence (trial 22)
        from .i18n import reason_text
        from .texts import Formatter, load_texts

        solution["structure_warning"] = reason_text(caution, load_texts("en"), Formatter("en"))
        solution["structure_warning_code"] = caution
    overlap = getattr(types, "overlap", None) or {}  # the share typed differently, as the terminal says it
    if codes := continuum_caution(solution, typed_differently=overlap.get("typed_differently")):  # (trial 23)
        from .i18n import reason_text
        from .texts import Formatter, load_texts

        solution["continuum_warning"] = reason_text(codes, load_texts("en"), Formatter("en"))
    return solution


def _source(survey_dir: Path, survey: Any, seed: int) -> dict[str, Any]:
    """The content of ``source.json``."""
    return {
        "survey_dir": str(survey_dir.resolve()),
        "responses_file": str(Path(survey.responses_file).resolve()),
        "checksum": survey.checksum,
        "instrument": survey.instrument.to_dict(),
        "seed": seed,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "versions": library_versions(_PACKAGES),
    }


def _reusable(reuse: DiscoveryResult | None, survey: Any, settings: dict[str, Any]) -> bool:
    """Whether an earlier result's analysis stands for this survey and these settings."""
    return (reuse is not None and reuse.screen.survey.checksum == survey.checksum
            and reuse.settings == settings)


def discover(
    survey_dir: str | Path,
    out: str | Path,
    *,
    factors: int | None = None,
    k: int | None = None,
    seed: int = 0,
    n_resamples: int = DEFAULT_RESAMPLES,
    make_map: bool = True,
    cfa: bool = True,
    progress: bool | Progress = False,
    reuse: DiscoveryResult | None = None,
    lang: str | None = None,
    k_set_with: str | None = None,
) -> DiscoveryResult:
    """Screen, factor, cluster, profile and name; write the discovery folder.

    Parameters
    ----------
    survey_dir : path
        Folder with ``instrument.yaml`` and a responses file.
    out : path
        Output folder (created; files from an earlier run are replaced, ``types.yaml``
        edits are kept and types are matched to the earlier run's).
    factors, k : int, optional
        Override the number of factors / types chosen from the evidence.
    k_set_with : str, optional
        Where ``k`` came from when not from ``--k`` (notebook 04: ``"BT_K"`` or ``"K"``):
        recorded in ``solution.json`` (``k_set_with``), and the reasons say it.
    seed : int, default=0
        Seed for every random step.
    n_resamples : int, default=30
        Resamples for the stability evidence.
    make_map : bool, default=True
        Compute the UMAP map of respondents (``umap.csv``).
    cfa : bool, default=True
        Check the factor structure on a held-out half of the kept respondents
        (``cfa.json``; :func:`behaviortypes.stages.run_cfa`). It never fails the run: a
        model that cannot be fitted is a note.
    progress : bool or callable
        Show progress (``True``) or call ``progress(message)`` at each step.
    reuse : DiscoveryResult, optional
        An earlier result on the same survey (same checksum) with the same settings:
        its screening, factors, types and map are reused; types are matched, profiled
        and named again against ``out`` (so ``types.yaml`` edits are taken up).
    lang : {"en", "sv"}, optional
        Language of the progress messages and of the result's :meth:`~DiscoveryResult.summary`;
        default: the study's (``instrument.yaml`` ``language``, :func:`study_language`).
    """
    from .readers import load_survey
    from .texts import load_texts

    say: Progress = progress if callable(progress) else _noop
    seed = check_seed(seed)
    out, survey_dir = Path(out), Path(survey_dir)
    if out.exists() and not out.is_dir():
        raise InputError(code="problem_discover_out_is_file", file=out)
    # every cheap check comes before the analysis and before any worker starts
    check_output_folder(out)
    if survey_dir.is_dir() and out.resolve() == survey_dir.resolve():
        raise InputError(code="problem_discover_out_is_survey", file=out)
    types_yaml = out / "types.yaml"
    if types_yaml.is_file():  # read the user's edits now, not after the analysis
        study.read_types(types_yaml)
    # a file of the user's named like the discovery's own files: say so now, not after the analysis
    check_outputs_free(out, (*study.CONTRACT_FILES, "factors.json", *(["cfa.json"] if cfa else [])),
                       legacy=study.CONTRACT_FILES)
    settings = {"factors": factors, "k": k, "seed": seed, "n_resamples": n_resamples, "cfa": cfa}
    lang = lang if lang in ("en", "sv") else study_language(survey_dir)
    step = load_texts(lang)
    say(step["cli_step_read"])
    survey = load_survey(survey_dir)
    from .workers import start_workers  # joblib only: the engine is imported later, in the workers too

    # the types engine's workers start while the answers are screened and factored; only
    # after the survey is valid, so that an input error never ends the process while a
    # worker is still starting (which printed the worker's traceback)
    start_workers()
    if _reusable(reuse, survey, settings):
        screen, fac = reuse.screen, reuse.factors
    else:
        reuse = None
        say(step["cli_step_screen"])
        screen = run_screen(survey)
        say(step["cli_step_factors"])
        fac = run_factors(screen, n_factors=factors, seed=seed, cfa=cfa)
    say(step["cli_step_types"])
    previous = previous_centroids(out, fac.model.loadings_)
    if previous is None and types_yaml.is_file():
        warn_types_restart(types_yaml)
    # the map needs only the factor scores: drawn in a thread while the types engine's
    # workers search (this process mostly waits for them)
    map_job = (start_map(fac, seed=seed)
               if make_map and (reuse is None or reuse.map is None) else None)
    if reuse is not None:
        types = reuse.clustering.relabelled(previous)
    else:
        types = run_types(fac, k=k, n_resamples=n_resamples, seed=seed, sample_weight=screen.weights,
                          previous=previous, progress=_bars(progress))
    say(step["cli_step_profiles"])
    interviews_path = _find_interviews(survey_dir)
    interviews = None
    if interviews_path is not None:
        from .interviews import read_interviews

        interviews = read_interviews(interviews_path)
    profiles = run_profiles(screen, fac, types, types_yaml=types_yaml if previous is not None else None,
                            interviews=interviews, seed=seed)
    type_map = None
    if make_map:
        # drawn in a thread during the types step, its time is in that step's: collecting it
        # is what this step does ("Drawing … done in 0.0 s" misled: user trial 11)
        say(step["cli_step_map_collect" if map_job is not None else "cli_step_map"])
        type_map = (reuse.map.with_labels(types.labels) if reuse is not None and reuse.map is not None
                    else run_map(fac, types, seed=seed, started=map_job))
    say(step["cli_step_tool"])
    tool = run_typing_tool(screen, types, profiles.names, seed=seed,
                           reuse=reuse.typing_tool if reuse is not None else None)
    solution = _solution(survey_dir, screen, fac, types, profiles, tool, seed=seed, n_resamples=n_resamples)
    if k is not None and k_set_with:  # not --k: say where it came from (trial 24)
        from .said import k_set_with_said
        from .texts import load_texts

        solution["k_set_with"] = str(k_set_with)
        solution["k_reason"] = str(solution["k_reason"]).replace("--k", k_set_with_said(load_texts("en"), str(k_set_with)))
    result = DiscoveryResult(
        out, screen, fac, types, profiles, type_map, tool,
        solution=solution,
        source=_source(survey_dir, survey, seed), settings=settings, lang=lang,
    )
    say(step["cli_step_write"])
    study.write(out, result)
    return result


def load_discovery(out: str | Path) -> study.DiscoveryFolder:
    """Read and check a discovery folder (see :func:`behaviortypes.study.load`).

    Raises
    ------
    InputError
        If the folder is not a discovery folder or a file breaks its contract.
    """
    return study.load(out)


# --------------------------------------------------------------------------- lookalike / score / report
def lookalike(
    out: str | Path,
    customers: str | Path,
    *,
    id_column: str | None = None,
    seed: int = 0,
    progress: bool = False,
    survey: Any = None,
    exclude: Sequence[str] = (),
) -> Any:
    """Train the lookalike model from a discovery folder and a customer base.

    ``exclude`` names customer columns never to use as features (besides personal data,
    always left out; see :func:`behaviortypes.lookalike.train_lookalike`).

    ``survey`` is the discovery's :class:`~behaviortypes.readers.Survey` when the caller
    has it (``run``, ``demo``); otherwise it is read once from the folder recorded in
    ``source.json`` (an error naming that file when the survey has moved).
    """
    seed = check_seed(seed)
    study.refuse_one_group(load_discovery(out), "the lookalike model")
    from .lookalike import train_lookalike  # (scikit-learn: after the refusals above)

    return train_lookalike(out, customers, id_column=id_column, seed=seed, progress=progress,
                           survey=survey, exclude=exclude)


def score(
    model: str | Path,
    customers: str | Path,
    out: str | Path,
    *,
    engine: str = "local",
    scheduler: str | None = None,
    table: str | None = None,
    out_table: str | None = None,
    id_column: str | None = None,
    progress: bool = False,
    csv_dialect: str | None = None,
    lang: str = "en",
) -> Any:
    """Score a customer base with a saved lookalike model (see :mod:`behaviortypes.scoring`);
    ``lang``: the language of the progress lines (the study's), and of a ``.csv`` output:
    ``csv_dialect`` defaults to ``excel-sv`` for a Swedish study, else ``excel``."""
    from .scoring import score_customers

    study.refuse_one_group(model, "scoring the customer base")
    summary = score_customers(
        model, customers, out, engine=engine, scheduler=scheduler, table=table,
        out_table=out_table, id_column=id_column, progress=progress, lang=lang,
        csv_dialect=csv_dialect or ("excel-sv" if lang == "sv" else "excel"),
    )
    folder = Path(model) if Path(model).is_dir() else Path(model).parent
    if (folder / "solution.json").is_file():
        summary.to_files(folder)
    return summary


def report(out: str | Path, *, pdf: str | Path | None = None, lang: str | tuple[str, ...] = "en",
           formats: tuple[str, ...] = ("pdf",), out_dir: str | Path | None = None) -> ReportResult:
    """Render the persona report from a discovery folder (no analysis is re-run).

    Returns a :class:`~behaviortypes.stages.ReportResult`; its ``files`` are the paths written.
    """
    return run_report(out, pdf=pdf, lang=lang, formats=formats, out_dir=out_dir)


def interview_types(
    qdpx: str | Path,
    participants: str | Path,
    out: str | Path,
    *,
    typing_tool: str | Path | None = None,
    variable: str = "behaviour_type",
) -> pd.DataFrame:
    """Write each interviewee's behaviour type into a REFI-QDA project as a case variable.

    Parameters
    ----------
    qdpx : path
        The interviews' ``.qdpx`` project (from NVivo, ATLAS.ti, MAXQDA, QualCoder...).
    participants : path
        A table (CSV/Excel) with ``participant_id`` and either a ``type_name`` (or
        ``type``) column, or the interviewees' answers to the typing tool's statements.
    out : path
        The project to write (the input is never modified).
    typing_tool : path, optional
        ``typing_tool.yaml`` (or the discovery folder holding it) used to type
        interviewees from their answers when the table has no type column.

    Returns
    -------
    DataFrame
        ``participant_id, case_guid, value, created_case`` per participant written.
    """
    from .interviews import find_column, write_types_to_qdpx
    from .lookalike import load_typing_tool
    from .readers import read_table

    participants = Path(participants)
    table = read_table(participants)
    pid = find_column([str(c) for c in table.columns], "participant_id")
    if pid is None:
        raise InputError("no participant_id column", file=participants,
                         hint=f"columns found: {', '.join(map(str, table.columns))}")
    ids = table[pid].astype(str).str.strip()
    repeated = ids.duplicated(keep=False) | (ids == "")
    if repeated.any():
        raise InputError("participant ids must be given once each", file=participants, column=pid,
                         rows=list(np.flatnonzero(repeated.to_numpy()) + 1), value=ids[repeated].iloc[0])
    lower = {str(c).strip().lower(): c for c in table.columns}
    type_col = lower.get("type_name") or lower.get("type")
    if type_col is not None:
        values = table[type_col].fillna("").astype(str).str.strip()
        blank = values == ""
        if blank.any():
            raise InputError("a participant has no type", file=participants, column=type_col,
                             rows=list(np.flatnonzero(blank.to_numpy()) + 1),
                             hint="fill in the type or remove the row")
    else:
        if typing_tool is None:
            raise InputError("no type_name column, and no typing tool to type the interviewees",
                             file=participants,
                             hint="add a type_name column, or pass the typing tool (typing_tool.yaml) with "
                             "the interviewees' answers to its statements in the table")
        tool_path = Path(typing_tool)
        study.refuse_one_group(tool_path, "the typing tool")
        if tool_path.is_dir():
            tool_path = tool_path / "typing_tool.yaml"
        tool = load_typing_tool(tool_path)
        _check_answered(table, tool.items_, participants)
        scored = tool.score(table.set_index(ids), file=participants)
        values = scored["type_name"].astype(str)
    mapping = dict(zip(ids, values.to_numpy()))
    if Path(out).resolve() == Path(qdpx).resolve():
        raise InputError("the output would overwrite the input project", file=out,
                         hint="write to a new file and open that in the QDA tool")
    return write_types_to_qdpx(qdpx, out, mapping, variable=variable)


def _check_answered(table: pd.DataFrame, items: Sequence[str], file: Path) -> None:
    """Refuse interviewees who answered too few golden statements to be typed (the
    minimum of ``typing-tool --score``, the form and the workbook)."""
    from .deliver.spec import default_min_answered

    present = [c for c in table.columns if str(c) in set(map(str, items))]
    if len(present) < len(items):
        return  # the typing tool names the missing statements itself
    need = default_min_answered(len(items))
    answered = table[present].apply(pd.to_numeric, errors="coerce").notna().sum(axis=1)
    few = np.flatnonzero((answered < need).to_numpy())
    if few.size:
        raise InputError(
            f"too few answers to type an interviewee: {int(answered.iloc[few[0]])} of the {len(items)} "
            f"golden statements answered, at least {need} needed", file=file,
            rows=(few + 1).tolist(), hint="add their answers, or give their type in a type_name column")


# --------------------------------------------------------------------------- run / demo


def run(study: str | Path | StudyConfig, *, progress: bool | Progress = False) -> dict[str, Any]:
    """Run every stage a study file asks for; returns what each stage produced."""
    from .texts import load_texts

    cfg = study if isinstance(study, StudyConfig) else StudyConfig.load(study)
    cfg.check_inputs()
    say: Progress = progress if callable(progress) else _noop
    results: dict[str, Any] = {}
    results["discovery"] = discover(
        cfg.survey, cfg.out, factors=cfg.factors, k=cfg.k, seed=cfg.seed, n_resamples=cfg.resamples,
        make_map=cfg.make_map, progress=progress, lang=cfg.said_lang,
    )
    step = load_texts(results["discovery"].lang)  # the progress lines in discover's language
    inst = results["discovery"].survey.instrument
    if results["discovery"].solution["k"] == 1:
        return _run_one_group(cfg, results, say)
    if cfg.profile or inst.descriptors or inst.outcomes:
        say(step["cli_step_profile_by"])
        from .describe import profile_types_by

        results["profile"] = profile_types_by(
            cfg.out, by=None if cfg.by is None else list(cfg.by),
            outcomes=None if cfg.outcomes is None else list(cfg.outcomes),
            customers=cfg.customers if cfg.profile and cfg.customers is not None else None,
            id_column=cfg.id_column if cfg.profile and cfg.customers is not None else None,
            min_cell=cfg.min_cell)
        results["profile"].to_files()
        if cfg.xlsx is not None:
            from .describe.workbook import write_banner_workbook

            # in the study file's one language when it names one; else the study's own
            write_banner_workbook(results["profile"], cfg.xlsx, lang=cfg.said_lang)
    if (cfg.out / "typing_tool.yaml").is_file():
        say(step["cli_step_typing_tool"])
        from .deliver import write_typing_deliverables

        # in the study file's one language when it names one; else the study's own (the
        # respondents who fill the form read the statements in the instrument's language)
        results["typing_tool"] = write_typing_deliverables(
            cfg.out, lang=cfg.said_lang)
    if cfg.customers is not None:
        say(step["cli_step_lookalike"])
        results["lookalike"] = lookalike(cfg.out, cfg.customers, id_column=cfg.id_column, seed=cfg.seed,
                                         progress=bool(progress), survey=results["discovery"].survey,
                                         exclude=cfg.exclude)
        say(step["cli_step_score"])
        results["score"] = score(cfg.out, cfg.customers, cfg.scored, engine=cfg.engine, scheduler=cfg.scheduler,
                                 out_table=cfg.out_table, id_column=cfg.id_column,
                                 csv_dialect=cfg.scored_dialect(results["discovery"].lang),
                                 progress=bool(progress), lang=results["discovery"].lang)
    say(step["cli_step_report"])
    results["report"] = report(cfg.out, lang=cfg.report_langs(results["discovery"].lang), formats=tuple(cfg.formats),
                               out_dir=cfg.report_dir)
    return results


def _run_one_group(cfg: StudyConfig, results: dict[str, Any], say: Progress) -> dict[str, Any]:
    """``run`` after a discovery with no distinct types (k = 1): the report, then refuse the rest.

    The discovery folder and the report (which says why there are no types) are
    written; the stages that need types are not run. When the study file asked for
    them (``customers`` or ``profile``), an :class:`InputError` says so in one line;
    profiles that only the instrument's ``descriptors``/``outcomes`` would have
    started are skipped quietly (``results["skipped"]``).
    """
    from .texts import load_texts

    say(load_texts(results["discovery"].lang)["cli_step_report"])
    results["report"] = report(cfg.out, lang=cfg.report_langs(results["discovery"].lang), formats=tuple(cfg.formats),
                               out_dir=cfg.report_dir)
    asked = [name for name, wanted in (("lookalike model and scoring", cfg.customers is not None),
                                       ("profiles by type", cfg.profile)) if wanted]
    results["skipped"] = ["profiles by type", "typing tool",
                          *(["lookalike model and scoring"] if cfg.customers is not None else [])]
    if asked:
        where = f"{cfg.study_file}: " if cfg.study_file else ""
        said = [Said("problem_asked_lookalike" if a.startswith("lookalike") else "problem_asked_profiles")
                for a in asked]
        raise InputError(code="problem_run_one_group", values={
            "where": where, "out": cfg.out,
            "asked": said[0] if len(said) == 1 else Said("problem_asked_both", {"a": said[0], "b": said[1]})},
            hint=Said("problem_run_one_group_fix"))
    return results


def demo(
    root: str | Path = ".",
    *,
    seed: int = 0,
    n_customers: int = 100_000,
    progress: bool | Progress = False,
) -> dict[str, Any]:
    """Generate the demo study under ``root/surveys/demo`` and run every stage on it.

    Writes the discovery folder to ``root/surveys/demo/discovery``, the scored base to
    ``root/surveys/demo/discovery/scored_customers.parquet`` and the reports to
    ``root/reports/demo/``.
    """
    from .texts import load_texts
    from .synth import make_study

    say: Progress = progress if callable(progress) else _noop
    seed = check_seed(seed)
    root = Path(root)
    survey = root / "surveys" / "demo"
    say(load_texts("en")["cli_step_demo"].format(path=survey))  # the demo study is English
    make_study(survey, seed=seed, n_customers=n_customers, progress=bool(progress))
    # The demo ships its interviews both as a spreadsheet and as a REFI-QDA project.
    from .interviews import read_interviews, write_qdpx

    write_qdpx(survey / "interviews" / "demo_interviews.qdpx", read_interviews(survey / "interviews" / "codes.csv"),
               project_name="behaviortypes demo study")
    cfg = StudyConfig(
        survey=survey,
        out=survey / "discovery",
        customers=survey / "customers.parquet",
        scored=survey / "discovery" / "scored_customers.parquet",
        seed=seed,
        langs=("en", "sv"),
        formats=("pdf", "pptx", "png"),
        report_dir=root / "reports" / "demo",
    )
    return run(cfg, progress=progress)

