"""The stages chained: check → discover → lookalike → score → report.

Orchestration only: each function reads the previous stage's files, calls the stage
module, and writes its own documented files (atomically, through
:mod:`behaviortypes.files`). The CLI and the notebooks call these functions.
"""

from __future__ import annotations

import datetime as _dt
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from . import study
from .errors import InputError, Problem
from .files import library_versions, load_user_yaml
from .stages import (
    FactorsResult,
    MapResult,
    ProfilesResult,
    ScreenResult,
    TypesResult,
    TypingToolResult,
    previous_centroids,
    run_factors,
    run_map,
    run_profiles,
    run_screen,
    run_types,
    run_typing_tool,
    warn_types_restart,
)

__all__ = [
    "CheckResult",
    "DiscoveryResult",
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
]

Progress = Callable[[str], None]

#: Packages whose versions are recorded in ``source.json``.
_PACKAGES = ("behaviortypes", "numpy", "pandas", "scikit-learn", "factor-analyzer", "umap-learn")


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

    def summary(self) -> str:
        inst = self.survey.instrument
        table = self.screening.table
        lines = [
            f"Survey: {self.survey.responses_file.name} — {len(table)} respondents, "
            f"{len(inst.items)} statements (scale {inst.scale.min}–{inst.scale.max})",
            f"Screening: {int(table['kept'].sum())} kept, {int((~table['kept']).sum())} flagged",
        ]
        summ = self.screening.summary()
        for reason, row in summ.iterrows():
            if reason in {"any", "kept"}:
                continue
            lines.append(f"  - {reason}: {int(row['count'])} ({row['share']:.1%})")
        if len(self.reliability):
            lines.append("Reliability by interview theme (Cronbach's alpha [95% CI]):")
            for theme, row in self.reliability.iterrows():
                lines.append(
                    f"  - {theme}: {row['alpha']:.2f} [{row['ci_low']:.2f}, {row['ci_high']:.2f}]"
                    f" ({int(row['n_items'])} items)"
                )
        if self.traceability is not None:
            lines.append(str(self.traceability.summary()))
        for w in self.warnings:
            lines.append(f"Warning: {w}")
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
    from .quality import check_sample_size, screen
    from .readers import keyed_items, load_survey

    survey_dir = Path(survey_dir)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        survey = load_survey(survey_dir)
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
    return CheckResult(survey, screening, reliability, trace, messages)


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

    def summary(self) -> str:
        sol = self.solution
        lines = [
            f"Kept {sol['n_kept']} of {sol['n_respondents']} respondents after screening.",
            *([self.factors.styles.summary()] if self.factors.styles is not None else []),
            f"Factors: {sol['n_factors']} ({sol['factor_reason']})",
            f"Types: k = {sol['k']} ({sol['k_reason']})",
            self.profiling.summary(),
            f"Written to {self.out}",
        ]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {"solution": self.solution, "source": self.source}

    def to_files(self, folder: Path) -> list[Path]:
        """Every file of the discovery folder (each stage's, then ``solution.json`` and ``source.json``)."""
        paths: list[Path] = []
        for stage in (self.screen, self.factors, self.clustering, self.profiling, self.map, self.typing_tool):
            if stage is not None:
                paths += stage.to_files(folder)
        paths.append(study.save(folder, "solution.json", self.solution))
        paths.append(study.save(folder, "source.json", self.source))
        return paths


def _solution(survey_dir: Path, screen: ScreenResult, factors: FactorsResult, types: TypesResult,
              profiles: ProfilesResult, tool: TypingToolResult, *, seed: int,
              n_resamples: int) -> dict[str, Any]:
    """The content of ``solution.json``."""
    fm, finder = factors.model, types.finder
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
        "k_evidence": finder.evidence_.reset_index(drop=False).to_dict(orient="records"),
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
    if factors.styles is not None:
        solution["response_styles"] = factors.styles.to_dict()
    if finder.structure_warning_:
        solution["structure_warning"] = str(finder.structure_warning_)
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
    n_resamples: int = 30,
    make_map: bool = True,
    progress: bool | Progress = False,
    reuse: DiscoveryResult | None = None,
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
    seed : int, default=0
        Seed for every random step.
    n_resamples : int, default=30
        Resamples for the stability evidence.
    make_map : bool, default=True
        Compute the UMAP map of respondents (``umap.csv``).
    progress : bool or callable
        Show progress (``True``) or call ``progress(message)`` at each step.
    reuse : DiscoveryResult, optional
        An earlier result on the same survey (same checksum) with the same settings:
        its screening, factors, types and map are reused; types are matched, profiled
        and named again against ``out`` (so ``types.yaml`` edits are taken up).
    """
    from .readers import load_survey

    say: Progress = progress if callable(progress) else _noop
    out, survey_dir = Path(out), Path(survey_dir)
    if out.exists() and not out.is_dir():
        raise InputError("the output must be a folder, but a file of that name exists", file=out,
                         hint="choose another output folder")
    types_yaml = out / "types.yaml"
    if types_yaml.is_file():  # read the user's edits now, not after the analysis
        study.read_types(types_yaml)
    settings = {"factors": factors, "k": k, "seed": seed, "n_resamples": n_resamples}
    say("Reading and validating the survey")
    survey = load_survey(survey_dir)
    if _reusable(reuse, survey, settings):
        screen, fac = reuse.screen, reuse.factors
    else:
        reuse = None
        say("Screening respondents")
        screen = run_screen(survey)
        say("Factor analysis")
        fac = run_factors(screen, n_factors=factors, seed=seed)
    say("Finding behaviour types")
    previous = previous_centroids(out, fac.model.loadings_)
    if previous is None and types_yaml.is_file():
        warn_types_restart(types_yaml)
    if reuse is not None:
        types = reuse.clustering.relabelled(previous)
    else:
        types = run_types(fac, k=k, n_resamples=n_resamples, seed=seed, sample_weight=screen.weights,
                          previous=previous, progress=bool(progress))
    say("Profiling and naming the types")
    interviews_path = _find_interviews(survey_dir)
    interviews = None
    if interviews_path is not None:
        from .interviews import read_interviews

        interviews = read_interviews(interviews_path)
    profiles = run_profiles(screen, fac, types, types_yaml=types_yaml if previous is not None else None,
                            interviews=interviews, seed=seed)
    type_map = None
    if make_map:
        say("Drawing the map of respondents (UMAP)")
        type_map = (reuse.map.with_labels(types.labels) if reuse is not None and reuse.map is not None
                    else run_map(fac, types, seed=seed))
    say("Building the typing tool")
    tool = run_typing_tool(screen, types, profiles.names, seed=seed)
    result = DiscoveryResult(
        out, screen, fac, types, profiles, type_map, tool,
        solution=_solution(survey_dir, screen, fac, types, profiles, tool, seed=seed, n_resamples=n_resamples),
        source=_source(survey_dir, survey, seed), settings=settings,
    )
    say("Writing the discovery folder")
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
) -> Any:
    """Train the lookalike model from a discovery folder and a customer base."""
    from .lookalike import train_lookalike

    load_discovery(out)
    return train_lookalike(out, customers, id_column=id_column, seed=seed, progress=progress)


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
) -> Any:
    """Score a customer base with a saved lookalike model (see :mod:`behaviortypes.scoring`)."""
    from .scoring import score_customers

    summary = score_customers(
        model, customers, out, engine=engine, scheduler=scheduler, table=table,
        out_table=out_table, id_column=id_column, progress=progress,
    )
    folder = Path(model) if Path(model).is_dir() else Path(model).parent
    if (folder / "solution.json").is_file():
        summary.to_files(folder)
    return summary


def report(out: str | Path, *, pdf: str | Path | None = None, lang: str = "en",
           formats: tuple[str, ...] = ("pdf",), out_dir: str | Path | None = None) -> list[Path]:
    """Render the persona report from a discovery folder (no analysis is re-run)."""
    from .report import render_report

    load_discovery(out)
    return render_report(out, pdf=pdf, lang=lang, formats=formats, out_dir=out_dir)


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
        if tool_path.is_dir():
            tool_path = tool_path / "typing_tool.yaml"
        scored = load_typing_tool(tool_path).score(table.set_index(ids), file=participants)
        values = scored["type_name"].astype(str)
    mapping = dict(zip(ids, values.to_numpy()))
    if Path(out).resolve() == Path(qdpx).resolve():
        raise InputError("the output would overwrite the input project", file=out,
                         hint="write to a new file and open that in the QDA tool")
    return write_types_to_qdpx(qdpx, out, mapping, variable=variable)


# --------------------------------------------------------------------------- run / demo
_LANGS = ("en", "sv")
_FORMATS = ("pdf", "html", "pptx", "png")
_STUDY_KEYS = ("survey", "out", "customers", "scored", "seed", "factors", "k", "engine", "report", "name")

#: What a study-file key must be, when pydantic rejects it.
_STUDY_MESSAGES = {
    "seed": "'seed' must be a whole number of at least 0",
    "factors": "'factors' must be a whole number of at least 1",
    "k": "'k' must be a whole number of at least 2",
    "engine": "'engine' must be one or more of local, dask",
    "langs": f"'report.langs' must be one or more of {', '.join(_LANGS)}",
    "formats": f"'report.formats' must be one or more of {', '.join(_FORMATS)}",
}


class StudyConfig(BaseModel):
    """A study file for ``behaviortypes run STUDY.yaml`` (paths relative to the file).

    Keys: ``survey`` (folder, required), ``out`` (discovery folder, default
    ``<survey>/discovery``), ``customers`` (customer base; enables lookalike and
    scoring), ``scored`` (scored output, default ``<out>/scored_customers.parquet``),
    ``seed``, ``factors``, ``k``, ``engine``, ``report`` (``{langs: [en, sv], formats:
    [pdf, pptx, png], dir: reports/<study>}``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    survey: Path
    out: Path
    customers: Path | None = None
    scored: Path | None = None
    seed: StrictInt = Field(0, ge=0)
    factors: StrictInt | None = Field(None, ge=1)
    k: StrictInt | None = Field(None, ge=2)
    engine: Literal["local", "dask"] = "local"
    langs: tuple[Literal["en", "sv"], ...] = Field(("en",), min_length=1)
    formats: tuple[Literal["pdf", "html", "pptx", "png"], ...] = Field(("pdf",), min_length=1)
    report_dir: Path | None = None

    @classmethod
    def load(cls, path: str | Path) -> "StudyConfig":
        """Read and check a study file.

        Raises
        ------
        InputError
            Naming the file and the key that is wrong.
        """
        path = Path(path)
        if not path.is_file():
            raise InputError("study file not found", file=path)
        data = load_user_yaml(path)
        if not isinstance(data, dict) or "survey" not in data:
            raise InputError("a study file needs at least 'survey: FOLDER'", file=path)
        unknown = sorted(set(data) - set(_STUDY_KEYS))
        if unknown:
            raise InputError(f"unknown key(s) {', '.join(unknown)}", file=path,
                             hint=f"allowed keys: {', '.join(sorted(_STUDY_KEYS))}")
        rep = data.get("report") or {}
        if not isinstance(rep, dict) or set(rep) - {"langs", "formats", "dir"}:
            raise InputError("'report' takes langs, formats and dir", file=path, column="report", value=rep)
        base = path.parent

        def where(value: Any) -> Path | None:
            return (base / str(value)).resolve() if value else None

        def listed(value: Any) -> Any:
            return (value,) if isinstance(value, str) else value

        survey = where(data["survey"])
        out = where(data.get("out")) or survey / "discovery"
        values = {
            "survey": survey, "out": out, "customers": where(data.get("customers")),
            "scored": where(data.get("scored")) or (out / "scored_customers.parquet" if data.get("customers") else None),
            "seed": data.get("seed", 0), "factors": data.get("factors"), "k": data.get("k"),
            "engine": data.get("engine", "local"), "langs": listed(rep.get("langs", ["en"])),
            "formats": listed(rep.get("formats", ["pdf"])), "report_dir": where(rep.get("dir")),
        }
        try:
            return cls(**values)
        except ValidationError as err:
            problems: dict[str, Problem] = {}
            for e in err.errors():
                key = str(e["loc"][0])
                column = f"report.{key}" if key in {"langs", "formats"} else key
                problems.setdefault(key, Problem(_STUDY_MESSAGES.get(key, str(e["msg"])), file=path,
                                                 column=column, value=data.get(key, rep.get(key))))
            raise InputError(problems=list(problems.values())) from None


def run(study: str | Path | StudyConfig, *, progress: bool | Progress = False) -> dict[str, Any]:
    """Run every stage a study file asks for; returns what each stage produced."""
    cfg = study if isinstance(study, StudyConfig) else StudyConfig.load(study)
    say: Progress = progress if callable(progress) else _noop
    results: dict[str, Any] = {}
    results["discovery"] = discover(
        cfg.survey, cfg.out, factors=cfg.factors, k=cfg.k, seed=cfg.seed, progress=progress
    )
    inst = results["discovery"].survey.instrument
    if inst.descriptors or inst.outcomes:
        say("Profiling the types (who they are, what they are worth)")
        from .describe import profile_types_by

        results["profile"] = profile_types_by(cfg.out)
        results["profile"].to_files()
    if (cfg.out / "typing_tool.yaml").is_file():
        say("Writing the typing tool (web form and workbook)")
        from .deliver import write_typing_deliverables

        results["typing_tool"] = write_typing_deliverables(cfg.out)
    if cfg.customers is not None:
        say("Training the lookalike model")
        results["lookalike"] = lookalike(cfg.out, cfg.customers, seed=cfg.seed, progress=bool(progress))
        say("Scoring the customer base")
        results["score"] = score(cfg.out, cfg.customers, cfg.scored, engine=cfg.engine, progress=bool(progress))
    say("Rendering the report")
    paths: list[Path] = []
    for lang in cfg.langs:
        paths += report(cfg.out, lang=lang, formats=cfg.formats, out_dir=cfg.report_dir)
    results["report"] = paths
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
    from .synth import make_study

    say: Progress = progress if callable(progress) else _noop
    root = Path(root)
    survey = root / "surveys" / "demo"
    say(f"Generating the demo study in {survey}")
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

