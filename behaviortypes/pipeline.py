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
from typing import Any

import numpy as np
import pandas as pd

from .errors import BehaviortypesWarning, InputError
from .files import library_versions, load_user_yaml, read_json, staged_dir, write_csv, write_json, write_yaml

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

#: Files of a discovery folder that describe the previous types: removed by a new discovery
#: unless it writes them again (the lookalike model and scoring must be re-run).
_STALE_AFTER_DISCOVERY = (
    "umap.csv", "quotes.csv", "reliability.csv", "lookalike.skops", "lookalike_card.json",
    "typing_tool.yaml", "crm_profile.csv", "base_shares.json",
)

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


def _kept_after_screening(survey: Any, screening: Any) -> list[str]:
    """The kept respondents' ids; an error when too few are left to analyse."""
    kept_ids = list(screening.kept_ids)
    n_items = len(survey.instrument.items)
    min_needed = max(10, 3 * n_items)
    if len(kept_ids) < min_needed:
        reasons = screening.summary().drop(index=["any", "kept"], errors="ignore")
        top = ", ".join(f"{r} {int(c)}" for r, c in reasons["count"].items() if c) or "none"
        raise InputError(
            f"only {len(kept_ids)} of {len(screening.table)} respondents are left after screening "
            f"(flagged: {top}); at least {min_needed} are needed for {n_items} statements",
            file=survey.responses_file,
            hint="look at screening.csv or relax the thresholds under 'quality:' in instrument.yaml",
        )
    return kept_ids


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
    from .quality import screen
    from .readers import keyed_items, load_survey

    survey_dir = Path(survey_dir)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        survey = load_survey(survey_dir)
        screening = screen(survey)
    kept = survey.responses.loc[_kept_after_screening(survey, screening)]
    keyed = keyed_items(kept, survey.instrument)
    reliability = _theme_reliability(keyed, survey.instrument.item_themes)
    trace = None
    interviews_path = _find_interviews(survey_dir)
    if interviews_path is not None:
        from .interviews import read_interviews, traceability

        trace = traceability(survey.instrument, read_interviews(interviews_path))
    messages = list(dict.fromkeys([*map(str, getattr(survey, "warnings", []) or []),
                                   *(str(w.message) for w in caught)]))
    return CheckResult(survey, screening, reliability, trace, messages)


# --------------------------------------------------------------------------- discover
@dataclass(frozen=True)
class DiscoveryResult:
    """Everything ``discover`` found; the same content is in the output folder."""

    out: Path
    survey: Any
    screening: Any
    factor_model: Any
    type_finder: Any
    profiles: Any
    assignments: pd.DataFrame
    types: dict[str, Any]
    solution: dict[str, Any]

    def summary(self) -> str:
        sol = self.solution
        lines = [
            f"Kept {sol['n_kept']} of {sol['n_respondents']} respondents after screening.",
            f"Factors: {sol['n_factors']} ({sol['factor_reason']})",
            f"Types: k = {sol['k']} ({sol['k_reason']})",
        ]
        for t in self.types["types"]:
            size = sol["sizes"][str(t["type_id"])]
            lines.append(
                f"  {t['type_id']}. {t['name']} — {size['share']:.0%} "
                f"[{size['ci_low']:.0%}, {size['ci_high']:.0%}], n = {size['n']}"
            )
        lines.append(f"Written to {self.out}")
        return "\n".join(lines)


#: Tucker congruence each factor must keep with the previous run's for types to be matched.
_SAME_FACTOR = 0.9


def _previous_centroids(out: Path, loadings: pd.DataFrame) -> pd.DataFrame | None:
    """The previous run's type centroids, expressed in this run's factors; None if not comparable.

    Centroids live in factor-score space, so they can only be compared when the factors
    are the same: same items, same number of factors, and each new factor congruent
    (|Tucker φ| ≥ 0.9) with one old factor. Factors are paired by the assignment that
    maximises congruence (their order or sign may change between runs), and the old
    centroids are re-ordered and re-signed to match.
    """
    from scipy.optimize import linear_sum_assignment

    if not ((out / "centroids.csv").is_file() and (out / "loadings.csv").is_file()):
        return None
    old = pd.read_csv(out / "loadings.csv", index_col="item")
    old.index = old.index.astype(str)
    if sorted(old.index) != sorted(loadings.index) or old.shape[1] != loadings.shape[1]:
        return None
    a = old.loc[loadings.index].to_numpy(float)
    b = loadings.to_numpy(float)
    phi = (a.T @ b) / np.sqrt(np.outer((a * a).sum(axis=0), (b * b).sum(axis=0)))
    rows, cols = linear_sum_assignment(-np.abs(phi))
    if not (np.abs(phi[rows, cols]) >= _SAME_FACTOR).all():
        return None
    centroids = pd.read_csv(out / "centroids.csv", index_col="type_id")
    if list(centroids.columns) != list(old.columns):
        return None
    mapped = pd.DataFrame(index=centroids.index)
    for r, c in zip(rows, cols):
        mapped[loadings.columns[c]] = np.sign(phi[r, c]) * centroids[old.columns[r]]
    return mapped[list(loadings.columns)]


def _relabel(finder: Any, previous_centroids: pd.DataFrame | None) -> dict[int, int]:
    """Map the new type ids to the previous run's (identity when there is none)."""
    ids = [int(i) for i in finder.centroids_.index]
    if previous_centroids is None:
        return {i: i for i in ids}
    from .segments import match_types

    return {int(k): int(v) for k, v in match_types(previous_centroids, finder.centroids_).items()}


def _study_ids(survey) -> list[str]:
    """Respondent and customer ids of the survey, for the quote anonymiser (data safety)."""
    ids = [str(i) for i in survey.responses.index]
    column = survey.instrument.customer_id_column
    if column and column in survey.responses.columns:
        ids += [str(v) for v in survey.responses[column].dropna()]
    return ids


def discover(
    survey_dir: str | Path,
    out: str | Path,
    *,
    factors: int | None = None,
    k: int | None = None,
    seed: int = 0,
    n_resamples: int = 100,
    make_map: bool = True,
    progress: bool | Progress = False,
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
    n_resamples : int, default=100
        Resamples for the stability evidence.
    make_map : bool, default=True
        Compute the UMAP map of respondents (``umap.csv``).
    progress : bool or callable
        Show progress (``True``) or call ``progress(message)`` at each step.
    """
    from .factors import FactorModel
    from .quality import screen
    from .readers import keyed_items, load_survey
    from .segments import TypeFinder
    from .profiles import merge_types_yaml, profile_types, read_types_yaml, type_map

    say: Progress = progress if callable(progress) else _noop
    out = Path(out)
    survey_dir = Path(survey_dir)
    if out.exists() and not out.is_dir():
        raise InputError("the output must be a folder, but a file of that name exists", file=out,
                         hint="choose another --out")
    if (out / "types.yaml").is_file():  # read the user's edits now, not after the analysis
        read_types_yaml(out / "types.yaml")
    say("Reading and validating the survey")
    survey = load_survey(survey_dir)
    inst = survey.instrument
    say("Screening respondents")
    screening = screen(survey)
    kept_ids = _kept_after_screening(survey, screening)
    kept = survey.responses.loc[kept_ids]
    keyed = keyed_items(kept, inst)
    weights = None
    if inst.weight_column:
        weights = kept[inst.weight_column].astype(float)

    say("Factor analysis")
    fm = FactorModel(n_factors=factors, random_state=seed).fit(
        keyed, sample_weight=weights, item_themes=inst.item_themes
    )
    scores = fm.transform(keyed)

    say("Finding behaviour types")
    previous_centroids = _previous_centroids(out, fm.loadings_)
    keep_edits = previous_centroids is not None
    if not keep_edits and (out / "types.yaml").is_file():
        warnings.warn(
            f"{out / 'types.yaml'}: the factors changed since the previous run, so its types "
            "cannot be matched; names and edits start afresh (the old file is replaced)",
            BehaviortypesWarning,
            stacklevel=2,
        )
    finder = TypeFinder(
        k=k, n_resamples=n_resamples, random_state=seed, progress=bool(progress)
    ).fit(scores, sample_weight=weights)
    mapping = _relabel(finder, previous_centroids)
    labels = finder.labels_.map(mapping).astype(int)
    labels.name = "type_id"
    proba = finder.proba_.rename(columns={f"p_{a}": f"p_{b}" for a, b in mapping.items()})
    proba = proba[[f"p_{i}" for i in sorted(mapping.values())]]
    centroids = finder.centroids_.rename(index=mapping).sort_index()
    centroids.index.name = "type_id"

    say("Profiling and naming the types")
    raw_items = kept[inst.item_ids].astype(float)
    profiles = profile_types(
        raw_items, scores, labels, sample_weight=weights, factor_names=fm.factor_names_
    )
    types_doc = merge_types_yaml(out / "types.yaml" if keep_edits else None, profiles.names, sizes=profiles.sizes)
    names = {t["type_id"]: t["name"] for t in types_doc["types"]}

    assignments = pd.DataFrame(
        {
            "respondent_id": labels.index.astype(str),
            "type_id": labels.to_numpy(),
            "type_name": [names[int(t)] for t in labels],
            "probability": proba.max(axis=1).to_numpy(),
        }
    )
    sizes = profiles.sizes
    sizes_out = sizes.reset_index()
    sizes_out.insert(1, "type_name", [names[int(t)] for t in sizes_out["type_id"]])

    fm_dict = fm.to_dict()
    factor_reason = str(getattr(fm, "retention_reason_", None) or fm_dict.get("retention_reason", ""))
    solution = {
        "survey": str(survey_dir.resolve()),
        "n_respondents": int(len(survey.responses)),
        "n_kept": int(len(kept_ids)),
        "n_factors": int(fm.n_factors_),
        "factor_reason": factor_reason or ("set by --factors" if factors else "parallel analysis"),
        "factor_evidence": fm.retention_.reset_index().to_dict(orient="records"),
        "k": int(finder.k_),
        "k_reason": str(finder.reason_),
        "k_evidence": finder.evidence_.reset_index(drop=False).to_dict(orient="records"),
        "k_method": str(getattr(finder, "method_", "")),
        "sizes": {
            str(int(t)): {"n": int(row["n"]), **{k2: float(row[k2]) for k2 in ("share", "ci_low", "ci_high")}}
            for t, row in sizes.iterrows()
        },
        "stability": finder.stability_.rename(index=mapping).reset_index().to_dict(orient="records"),
        "seed": seed,
        "n_resamples": n_resamples,
    }
    warn = getattr(finder, "structure_warning_", None)
    if warn:
        solution["structure_warning"] = str(warn)

    source = {
        "survey_dir": str(survey_dir.resolve()),
        "responses_file": str(Path(survey.responses_file).resolve()),
        "checksum": survey.checksum,
        "instrument": inst.to_dict(),
        "seed": seed,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "versions": library_versions(_PACKAGES),
    }

    umap_frame = None
    if make_map:
        say("Drawing the map of respondents (UMAP)")
        umap_frame = type_map(scores, random_state=seed)
        umap_frame["type_id"] = labels

    quotes = None
    interviews_path = _find_interviews(survey_dir)
    if interviews_path is not None:
        say("Linking interview quotes to the types")
        from .interviews import anonymise, read_interviews, type_quotes

        interviews = read_interviews(interviews_path)
        item_profile = profiles.table[profiles.table.kind == "item"].rename(columns={"key": "item"})
        # A theme's quotes express the theme; a reverse-keyed statement says the opposite, so
        # agreeing with it is evidence *against* the theme: key the effects before choosing.
        flip = item_profile["item"].isin(inst.reverse_ids)
        item_profile = item_profile.assign(
            effect_size=item_profile["effect_size"].where(~flip, -item_profile["effect_size"])
        )
        quotes = type_quotes(interviews, item_profile, inst, n=3, random_state=seed)
        study_ids = _study_ids(survey)  # respondent and customer ids never reach a quote
        quotes["quote"] = [anonymise(q, ids=study_ids) for q in quotes["quote"]]

    say("Writing the discovery folder")
    with staged_dir(out, stale=_STALE_AFTER_DISCOVERY) as stage:
        write_csv(stage / "assignments.csv", assignments)
        write_csv(stage / "screening.csv", screening.table.reset_index())
        write_json(stage / "solution.json", solution)
        loadings = fm.loadings_.copy()
        loadings.index.name = "item"
        write_csv(stage / "loadings.csv", loadings.reset_index())
        write_yaml(stage / "types.yaml", types_doc)
        write_json(stage / "source.json", source)
        sc = scores.copy()
        sc.index.name = "respondent_id"
        write_csv(stage / "scores.csv", sc.reset_index())
        pr = proba.copy()
        pr.index.name = "respondent_id"
        write_csv(stage / "probabilities.csv", pr.reset_index())
        write_json(stage / "factors.json", fm_dict)
        write_csv(stage / "evidence_k.csv", finder.evidence_.reset_index(drop="k" in finder.evidence_.columns))
        write_csv(stage / "profiles.csv", profiles.table)
        write_csv(stage / "sizes.csv", sizes_out)
        write_csv(stage / "centroids.csv", centroids.reset_index())
        if umap_frame is not None:
            um = umap_frame.copy()
            um.index.name = "respondent_id"
            write_csv(stage / "umap.csv", um.reset_index())
        if quotes is not None and len(quotes):
            write_csv(stage / "quotes.csv", quotes, spreadsheet=True)
        rel = getattr(fm, "reliability_", None)
        if isinstance(rel, pd.DataFrame):
            write_csv(stage / "reliability.csv", rel.reset_index())
    return DiscoveryResult(out, survey, screening, fm, finder, profiles, assignments, types_doc, solution)


def load_discovery(out: str | Path) -> dict[str, Any]:
    """Read a discovery folder's ``source.json`` and check that it is complete.

    Raises
    ------
    InputError
        If the folder is not a discovery folder.
    """
    out = Path(out)
    missing = [f for f in ("assignments.csv", "solution.json", "source.json", "types.yaml") if not (out / f).is_file()]
    if not out.is_dir() or missing:
        raise InputError(
            f"not a discovery folder (missing {', '.join(missing) or 'the folder itself'})",
            file=out,
            hint="run `behaviortypes discover SURVEY_DIR --out OUT` first and pass OUT",
        )
    return read_json(out / "source.json")


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
        shares = getattr(summary, "shares", None)
        write_json(
            folder / "base_shares.json",
            {"shares": shares, "n_customers": int(summary.n_rows), "scored_file": str(out), "corrected": True},
        )
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
                             hint="add a type_name column, or pass --typing-tool typing_tool.yaml with "
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
@dataclass(frozen=True)
class StudyConfig:
    """A study file for ``behaviortypes run STUDY.yaml`` (paths relative to the file).

    Keys: ``survey`` (folder, required), ``out`` (discovery folder, default
    ``<survey>/discovery``), ``customers`` (customer base; enables lookalike and
    scoring), ``scored`` (scored output, default ``<out>/scored_customers.parquet``),
    ``seed``, ``factors``, ``k``, ``engine``, ``report`` (``{langs: [en, sv], formats:
    [pdf, pptx, png], dir: reports/<study>}``).
    """

    survey: Path
    out: Path
    customers: Path | None
    scored: Path | None
    seed: int = 0
    factors: int | None = None
    k: int | None = None
    engine: str = "local"
    langs: tuple[str, ...] = ("en",)
    formats: tuple[str, ...] = ("pdf",)
    report_dir: Path | None = None

    @classmethod
    def load(cls, path: str | Path) -> "StudyConfig":
        path = Path(path)
        if not path.is_file():
            raise InputError("study file not found", file=path)
        data = load_user_yaml(path)
        if not isinstance(data, dict) or "survey" not in data:
            raise InputError("a study file needs at least 'survey: FOLDER'", file=path)
        allowed = {"survey", "out", "customers", "scored", "seed", "factors", "k", "engine", "report", "name"}
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise InputError(f"unknown key(s) {', '.join(unknown)}", file=path,
                             hint=f"allowed keys: {', '.join(sorted(allowed))}")
        base = path.parent

        def p(key: str) -> Path | None:
            return (base / str(data[key])).resolve() if data.get(key) else None

        def whole(key: str, default: int | None, minimum: int) -> int | None:
            value = data.get(key, default)
            if value is None and default is None:
                return None
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                raise InputError(f"'{key}' must be a whole number of at least {minimum}", file=path,
                                 column=key, value=value)
            return value

        def choices(value: Any, key: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
            values = [value] if isinstance(value, str) else value
            if not isinstance(values, list) or not values or any(v not in allowed for v in values):
                raise InputError(f"'{key}' must be one or more of {', '.join(allowed)}", file=path,
                                 column=key, value=value)
            return tuple(values)

        survey = p("survey")
        out = p("out") or survey / "discovery"
        rep = data.get("report") or {}
        if not isinstance(rep, dict) or set(rep) - {"langs", "formats", "dir"}:
            raise InputError("'report' takes langs, formats and dir", file=path, column="report", value=rep)
        engine = choices(data.get("engine", "local"), "engine", ("local", "dask"))
        if len(engine) != 1:
            raise InputError("'engine' is one of local, dask", file=path, column="engine", value=engine)
        return cls(
            survey=survey,
            out=out,
            customers=p("customers"),
            scored=p("scored") or (out / "scored_customers.parquet" if data.get("customers") else None),
            seed=whole("seed", 0, 0),
            factors=whole("factors", None, 1),
            k=whole("k", None, 2),
            engine=engine[0],
            langs=choices(rep.get("langs", ["en"]), "report.langs", ("en", "sv")),
            formats=choices(rep.get("formats", ["pdf"]), "report.formats", ("pdf", "html", "pptx", "png")),
            report_dir=(base / str(rep["dir"])).resolve() if rep.get("dir") else None,
        )


def run(study: str | Path | StudyConfig, *, progress: bool | Progress = False) -> dict[str, Any]:
    """Run every stage a study file asks for; returns what each stage produced."""
    cfg = study if isinstance(study, StudyConfig) else StudyConfig.load(study)
    say: Progress = progress if callable(progress) else _noop
    results: dict[str, Any] = {}
    results["discovery"] = discover(
        cfg.survey, cfg.out, factors=cfg.factors, k=cfg.k, seed=cfg.seed, progress=progress
    )
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

