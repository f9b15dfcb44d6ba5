"""The discovery folder: one writer (:func:`save`, :func:`write`) and one reader (:func:`load`).

Every stage that writes into a discovery folder does it through :func:`save` (one
file) or :func:`write` (a whole discovery, staged and moved in atomically); every
stage, the report, the notebooks and the tests read it through :func:`load`. Each
JSON/YAML file is checked against its schema (:mod:`behaviortypes.study.schemas`)
and each CSV file against its documented columns, on write and on read; a file that
breaks its contract is an :class:`~behaviortypes.errors.InputError` naming the file
and the field.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, ValidationError

if TYPE_CHECKING:  # (pandas is imported where a table is read or written: refusals stay light)
    import pandas as pd

from ..errors import InputError, Problem, Said
from ..files import (
    claim_outputs,
    load_user_yaml,
    staged_dir,
    to_jsonable,
    write_csv,
    write_json,
    write_yaml,
)
from . import schemas as s

__all__ = [
    "DiscoveryFolder",
    "HasFiles",
    "SCHEMAS",
    "TABLE_COLUMNS",
    "CONTRACT_FILES",
    "STALE_AFTER_DISCOVERY",
    "load",
    "save",
    "write",
    "claim",
    "read",
    "read_types",
    "check_file",
    "refuse_one_group",
    "one_group_message",
]

#: JSON/YAML files of the folder and their schemas.
SCHEMAS: dict[str, type[BaseModel]] = {
    "solution.json": s.Solution,
    "factors.json": s.FactorsFile,
    "types.yaml": s.TypesFile,
    "lookalike_card.json": s.LookalikeCard,
    "base_shares.json": s.BaseShares,
    "source.json": s.Source,
    "screening_summary.json": s.ScreeningSummary,
    "cfa.json": s.CfaFile,
}

#: CSV files of the folder and the columns each must have (first, in this order when
#: ``ordered``; other columns may follow).
TABLE_COLUMNS: dict[str, list[str]] = {
    "assignments.csv": ["respondent_id", "type_id", "type_name", "probability"],
    "screening.csv": ["respondent_id", "kept", "reasons"],
    "loadings.csv": ["item"],
    "scores.csv": ["respondent_id"],
    "probabilities.csv": ["respondent_id"],
    "evidence_k.csv": ["k"],
    "profiles.csv": ["type_id", "kind", "key", "mean", "overall", "diff", "effect_size"],
    "sizes.csv": ["type_id", "type_name", "n", "share", "ci_low", "ci_high"],
    "centroids.csv": ["type_id"],
    "umap.csv": ["respondent_id", "x", "y", "type_id"],
    "quotes.csv": ["type_id", "theme", "quote", "pseudonym"],
    "reliability.csv": ["factor"],
    "crm_profile.csv": ["type_id", "feature", "mean", "overall", "diff", "effect_size"],
}

#: Text columns (read as text, never as numbers).
_TEXT = {"respondent_id": str, "key": str, "item": str, "feature": str, "theme": str,
         "quote": str, "pseudonym": str, "reasons": str, "factor": str, "type_name": str}

#: What a discovery needs to be a discovery folder.
CONTRACT_FILES = ("assignments.csv", "solution.json", "source.json", "types.yaml")

#: Files describing the previous types: removed by a new discovery unless it writes
#: them again (the lookalike model, scoring and ``profile`` must be re-run).
STALE_AFTER_DISCOVERY = (
    "umap.csv", "quotes.csv", "reliability.csv", "cfa.json", "lookalike.skops", "lookalike_card.json",
    "typing_tool.yaml", "typing_tool.html", "typing_tool.xlsx", "crm_profile.csv", "base_shares.json",
    # written by `behaviortypes profile` from the assignments of its time
    "banner.csv", "banner_tests.csv", "outcomes.csv", "covariates.csv", "profile.json",
    # deliverables written into the folder under other names (the typing tool in another
    # language, a banner workbook named by the user): removed only when behaviortypes
    # recorded them as its own (`files.record_outputs`), never a file of the user's
    "*.html", "*.xlsx",
)

_RERUN = ("re-run `behaviortypes discover` or restore the file as written "
          "(docs/architecture.md lists its fields)")
_RERUN_SAID = Said("problem_folder_rerun")  # the same, said in the study's language

#: How to get a file back as written, per file (default: re-run discover).
_FILE_HINTS = {
    "lookalike_card.json": "re-run `behaviortypes lookalike OUT --customers PATH`",
    "base_shares.json": "re-run `behaviortypes score`",
}

#: Hints for fields a person edits.
_HINTS = {
    ("types.yaml", "color"): "use a hex colour such as '#1f77b4' (in quotes) or a CSS colour name",
    ("types.yaml", "type_id"): "keep the type_id line of every type as written by the analysis",
    ("types.yaml", "name"): "give every type a name",
    ("types.yaml", "types"): "each entry needs type_id and name; delete the file to regenerate it",
}


class HasFiles(Protocol):
    """A stage result that writes its files into a folder."""

    def to_files(self, folder: Path) -> list[Path]: ...


# --------------------------------------------------------------------------- errors
def _problems(err: ValidationError, path: Path, name: str) -> list[Problem]:
    """Pydantic's errors as problems naming the file, field and (for lists) entry."""
    out = []
    for e in err.errors():
        loc = [p for p in e["loc"]]
        rows = None
        # an entry of a list of records (types.yaml types[i]): the entry number is the row
        ints = [i for i, p in enumerate(loc) if isinstance(p, int)]
        if ints and name == "types.yaml":
            i = ints[0]
            rows = [int(loc[i]) + 1]
            loc = loc[i + 1:] or loc[:i]
        field = ".".join(str(p) for p in loc) or None
        msg = str(e["msg"]).removeprefix("Value error, ")
        if msg == "needs type_id and name" and rows:
            msg = f"entry {rows[0]} of 'types' needs type_id and name"
        elif e["type"] == "missing":
            msg = f"'{field}' is missing"
        value = e.get("input")
        if isinstance(value, (dict, list)) or e["type"] == "missing":
            value = None
        last = str(loc[-1]) if loc else name
        hint = _HINTS.get((name, last)) or _FILE_HINTS.get(name, _RERUN)
        out.append(Problem(msg, file=path, column=field, rows=rows, value=value, hint=hint))
    return out


def check_file(name: str, content: Any, *, path: str | Path | None = None) -> BaseModel:
    """Validate the content of one JSON/YAML file of the folder against its schema.

    Raises
    ------
    InputError
        Naming the file and each field that breaks the schema.
    """
    path = Path(path) if path is not None else Path(name)
    model = SCHEMAS[name]
    if not isinstance(content, Mapping):
        raise InputError(code="problem_folder_not_mapping", file=path, hint=_RERUN_SAID)
    try:
        return model.model_validate(to_jsonable(dict(content)))
    except ValidationError as err:
        raise InputError(problems=_problems(err, path, name)) from None


def _check_types_unique(types: s.TypesFile, path: Path) -> None:
    ids = [t.type_id for t in types.types]
    repeated = [i for i, t in enumerate(ids) if ids.count(t) > 1]
    if repeated:
        raise InputError(code="problem_types_repeated", file=path, column="type_id",
                         rows=[i + 1 for i in repeated], value=ids[repeated[0]], hint=Said("problem_types_repeated_fix"))


def _check_columns(name: str, frame: pd.DataFrame, path: Path) -> None:
    cols = TABLE_COLUMNS.get(name, [])
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise InputError(code="problem_folder_missing_columns" if len(missing) > 1 else "problem_folder_missing_column",
                         values={"names": ", ".join(repr(c) for c in missing),
                                 "found": ", ".join(map(str, frame.columns))},
                         file=path, column=missing[0], hint=_RERUN_SAID)


def _is_frame(content: Any) -> bool:
    """Whether ``content`` is a pandas DataFrame (pandas is not imported for the question: a
    DataFrame exists only once pandas is)."""
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(content, pandas.DataFrame)


def _whole_numbers(col: pd.Series, path: Path, name: str) -> pd.Series:
    import numpy as np
    import pandas as pd

    num = pd.to_numeric(col, errors="coerce")
    bad = num.isna() | (num != np.round(num))
    if bad.any():
        raise InputError(code="problem_folder_type_ids_whole", file=path, column=name,
                         rows=list(np.flatnonzero(bad.to_numpy()) + 1), value=col[bad].iloc[0], hint=_RERUN_SAID)
    return num.astype(int)


# --------------------------------------------------------------------------- read
def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise InputError(code="problem_folder_not_json", values={"why": err.msg}, file=path, rows=[err.lineno],
                         hint=Said("problem_folder_json_fix")) from None


def _read_model(folder: Path, name: str, *, required: bool) -> Any:
    path = folder / name
    if not path.is_file():
        if required:
            raise InputError(code="problem_not_in_discovery", file=path,
                             hint=Said("problem_not_in_discovery_fix", {"folder": folder}))
        return None
    if name.endswith(".yaml"):
        return read_types(path) if name == "types.yaml" else load_user_yaml(path)
    return check_file(name, _read_json(path), path=path)


def read(folder: str | Path, name: str) -> BaseModel | dict:
    """Read and check one JSON/YAML file of a (possibly partial) discovery folder.

    For a whole folder use :func:`load`; this reads a single file, e.g. the
    ``factors.json`` of a notebook run before ``discover``.

    Raises
    ------
    InputError
        If the file is missing or breaks its schema.
    """
    return _read_model(Path(folder), name, required=True)


def read_types(path: str | Path) -> s.TypesFile:
    """Read and check ``types.yaml`` (the one parser of that file).

    Raises
    ------
    InputError
        If the file is not valid YAML, has no ``types:`` list, an entry lacks
        ``type_id`` or ``name``, a colour is not a colour or a ``type_id`` repeats.
    """
    path = Path(path)
    data = load_user_yaml(path, hint=Said("problem_yaml_types_fix"))
    if not isinstance(data, dict) or not isinstance(data.get("types"), list) or not data["types"]:
        raise InputError(code="problem_types_list", file=path, column="types", hint=Said("problem_types_list_fix"))
    types = check_file("types.yaml", data, path=path)
    _check_types_unique(types, path)
    return types


@dataclass(frozen=True)
class DiscoveryFolder:
    """A discovery folder as read and checked by :func:`load`.

    Attributes
    ----------
    path : Path
    source : Source
        ``source.json``.
    solution : Solution
        ``solution.json``.
    types : TypesFile
        ``types.yaml`` (the user's edits).
    factors : FactorsFile or None
        ``factors.json``.
    card : LookalikeCard or None
        ``lookalike_card.json`` (after ``lookalike``).
    base_shares : BaseShares or None
        ``base_shares.json`` (after ``score``).
    screening_summary : ScreeningSummary or None
        ``screening_summary.json``: flag counts per screen.
    typing_tool : dict or None
        ``typing_tool.yaml`` as read (see :func:`behaviortypes.lookalike.load_typing_tool`).
    cfa : CfaFile or None
        ``cfa.json``: the CFA check on a held-out half (absent in folders of older
        versions and after ``discover(cfa=False)``).
    """

    path: Path
    source: s.Source
    solution: s.Solution
    types: s.TypesFile
    factors: s.FactorsFile | None = None
    card: s.LookalikeCard | None = None
    base_shares: s.BaseShares | None = None
    screening_summary: s.ScreeningSummary | None = None
    typing_tool: dict | None = None
    cfa: s.CfaFile | None = None

    @property
    def type_ids(self) -> list[int]:
        """The types of the analysis (from ``solution.json``)."""
        return sorted(self.solution.sizes)

    @property
    def type_names(self) -> dict[int, str]:
        """Type id → name as the user left it in ``types.yaml`` (``Type n`` when absent)."""
        names = self.types.names
        return {t: names.get(t) or f"Type {t}" for t in self.type_ids}

    @property
    def instrument(self) -> dict:
        """The instrument recorded in ``source.json`` (as a dict)."""
        return dict(self.source.instrument)

    @property
    def one_group(self) -> bool:
        """Whether the discovery found no distinct types (one homogeneous group, k = 1)."""
        return self.solution.k == 1

    def has(self, name: str) -> bool:
        """Whether the folder holds the file."""
        return (self.path / name).is_file()

    def table(self, name: str, *, required: bool = False) -> pd.DataFrame | None:
        """Read one CSV file of the folder, checked for its documented columns.

        ``type_id`` columns are whole numbers; id, text and name columns are text.
        Returns None for a missing optional file.
        """
        path = self.path / name
        if not path.is_file():
            if required:
                raise InputError(code="problem_not_in_discovery", file=path, hint=_RERUN_SAID)
            return None
        import pandas as pd

        try:
            frame = pd.read_csv(path, dtype=_TEXT)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
            raise InputError(code="problem_folder_cannot_read", values={"why": str(err).splitlines()[0]}, file=path,
                             hint=_RERUN_SAID) from None
        _check_columns(name, frame, path)
        if "type_id" in frame.columns and name != "evidence_k.csv":
            frame["type_id"] = _whole_numbers(frame["type_id"], path, "type_id")
        return frame


def load(path: str | Path, *, require: Iterable[str] = CONTRACT_FILES) -> DiscoveryFolder:
    """Read and check a discovery folder.

    Parameters
    ----------
    path : str or Path
        The ``--out`` folder of ``behaviortypes discover``.
    require : iterable of str, default=CONTRACT_FILES
        Files that must be present.

    Raises
    ------
    InputError
        If the folder or a required file is missing, a file breaks its schema, or
        ``types.yaml`` names a type the analysis does not have.
    """
    folder = Path(path)
    require = tuple(require)
    missing = [f for f in require if not (folder / f).is_file()]
    if not folder.is_dir() or (missing and set(missing) >= {"solution.json", "source.json"}):
        raise InputError(code="problem_not_discovery", file=folder,
                         values={"missing": ", ".join(missing) or Said("problem_the_folder_itself")})
    for name in missing:
        _read_model(folder, name, required=True)  # raises, naming the file
    source = _read_model(folder, "source.json", required=True)
    solution = _read_model(folder, "solution.json", required=True)
    types = _read_model(folder, "types.yaml", required=True)
    known = sorted(solution.sizes)
    for pos, entry in enumerate(types.types, 1):
        if entry.type_id not in solution.sizes:
            raise InputError(code="problem_types_unknown_id", values={
                "type_id": entry.type_id, "types": ", ".join(map(str, known))}, file=folder / "types.yaml",
                column="type_id", rows=[pos], value=entry.type_id, hint=Said("problem_types_unknown_id_fix"))
    tool = _read_model(folder, "typing_tool.yaml", required=False)
    return DiscoveryFolder(
        path=folder, source=source, solution=solution, types=types,
        factors=_read_model(folder, "factors.json", required=False),
        card=_read_model(folder, "lookalike_card.json", required=False),
        base_shares=_read_model(folder, "base_shares.json", required=False),
        screening_summary=_read_model(folder, "screening_summary.json", required=False),
        typing_tool=tool if isinstance(tool, dict) else None,
        cfa=_read_model(folder, "cfa.json", required=False),
    )


# --------------------------------------------------------------------------- k = 1
def one_group_message(folder: str | Path, stage: str, survey: str | Path | None = None) -> str:
    """The one-line refusal of a stage that needs types, on a discovery with k = 1.

    Parameters
    ----------
    folder : path
        The discovery folder.
    stage : str
        What needs types, e.g. ``"the lookalike model"``.
    survey : path, optional
        The survey folder, for the re-run command in the hint.
    """
    survey_text = str(survey) if survey else "SURVEY_DIR"
    return (f"{Path(folder)}: the discovery found no distinct types (one homogeneous group, k = 1), "
            f"so there are no types for {stage}. Hint: re-run "
            f"`behaviortypes discover {survey_text} --out {Path(folder)} --k 2` (or more) to describe "
            "subgroups anyway, as descriptive groups rather than real segments")


def refuse_one_group(folder: str | Path | DiscoveryFolder, stage: str) -> None:
    """Refuse, in one line, a stage that needs types when the discovery found none (k = 1).

    Every stage that needs behaviour types (the typing tool, the lookalike model,
    scoring, profiles by type, a study file's later stages) calls this before it
    writes anything. Nothing happens when ``folder`` holds no ``solution.json`` (the
    stage's own checks then say what is missing) or when it has two or more types.

    Parameters
    ----------
    folder : path or DiscoveryFolder
        The discovery folder, or a file in it (``lookalike.skops``, ``typing_tool.yaml``).
    stage : str
        What needs types, for the message (``"the typing tool"``).

    Raises
    ------
    InputError
        When ``solution.json`` says ``k: 1``: the message names the folder, says that
        the respondents form one homogeneous group and how to describe subgroups
        anyway (``discover --k 2``).
    """
    if isinstance(folder, DiscoveryFolder):
        path, solution = folder.path, folder.solution
    else:
        path = Path(folder)
        if not path.is_dir():
            path = path.parent
        if not (path / "solution.json").is_file():
            return
        solution = _read_model(path, "solution.json", required=True)
    if solution.k != 1:
        return
    survey = solution.survey
    if (path / "source.json").is_file():
        try:
            survey = _read_model(path, "source.json", required=True).survey_dir
        except InputError:
            pass
    folder_text, survey_text = str(path.absolute()), str(survey) if survey else "SURVEY_DIR"
    # said in the study's language; a stage this module does not know is named as given
    said_stage = Said(_STAGES[stage]) if stage in _STAGES else stage
    raise InputError(code="problem_one_group", values={"folder": folder_text, "stage": said_stage},
                     hint=Said("problem_one_group_fix", {"survey": survey_text, "folder": folder_text}))


#: The stages that need types, as their callers name them → their words in the catalogue.
_STAGES = {"the typing tool": "problem_stage_typing_tool", "scoring the customer base": "problem_stage_scoring",
           "the lookalike model": "problem_stage_lookalike",
           "profiles by type (banner, outcomes, covariates)": "problem_stage_profiles"}


# --------------------------------------------------------------------------- write
#: Files meant for people in spreadsheets: text cells that would run as formulas are
#: neutralised (see docs/data_safety.md); machine files stay joinable.
SPREADSHEET_FILES = frozenset({"quotes.csv"})


def save(folder: str | Path, name: str, content: Any) -> Path:
    """Write one file of a discovery folder, atomically, after checking its contract.

    Parameters
    ----------
    folder : str or Path
    name : str
        The file name (``solution.json``, ``types.yaml``, ``sizes.csv`` ...).
    content : dict, pydantic model or DataFrame
        JSON/YAML content (checked against :data:`SCHEMAS` when the file has one) or
        a table (checked for :data:`TABLE_COLUMNS`; written without the index).

    Notes
    -----
    The file is recorded as behaviortypes' own in the folder's ``.behaviortypes_output``
    (see :func:`behaviortypes.files.claim_outputs`), so that a later ``discover`` into
    the same folder (notebooks 02-04) replaces it; a file of that name that
    behaviortypes did not write is never replaced.

    Raises
    ------
    InputError
        If the content breaks the file's contract, or ``folder`` holds a file of that
        name that behaviortypes did not write.
    """
    path = Path(folder) / name
    if isinstance(content, BaseModel):
        content = content.model_dump(mode="json")
    if _is_frame(content):
        _check_columns(name, content, path)
        _claim(Path(folder), name)
        # quotes are read by people in spreadsheets: neutralise cells a spreadsheet would run
        return write_csv(path, content, spreadsheet=name in SPREADSHEET_FILES)
    if name in SCHEMAS:
        model = check_file(name, content, path=path)
        if isinstance(model, s.TypesFile):
            _check_types_unique(model, path)
    _claim(Path(folder), name)
    if name.endswith((".yaml", ".yml")):
        return write_yaml(path, content)
    return write_json(path, content)


def claim(folder: str | Path, names: Iterable[str]) -> None:
    """Before writing files into a discovery folder one by one: refuse to replace a
    file of the user's, and record them in the folder's ``.behaviortypes_output``.

    :func:`save` does this itself; writers of files without a schema (the lookalike
    model, screening, the typing tool's form and workbook) call it first. A folder
    without the marker that holds the discovery's own files (:data:`CONTRACT_FILES`)
    was written by an earlier version: its files count as ours.

    Raises
    ------
    InputError
        If ``folder`` holds a file of one of ``names`` that behaviortypes did not write.
    """
    claim_outputs(folder, names, legacy=CONTRACT_FILES)


def _claim(folder: Path, name: str) -> None:
    claim(folder, [name])


def write(out: str | Path, *results: HasFiles, stale: tuple[str, ...] = STALE_AFTER_DISCOVERY) -> DiscoveryFolder:
    """Write a discovery: each result's files into a staging folder, checked, then moved in.

    Files of an earlier run that this one does not write again are kept, except the
    ``stale`` ones (they describe the previous types). On any error ``out`` is left
    as it was.

    Returns
    -------
    DiscoveryFolder
        The folder as written (read back through :func:`load`).
    """
    out = Path(out)
    with staged_dir(out, stale=stale, legacy=CONTRACT_FILES) as stage:
        for result in results:
            result.to_files(stage)
        load(stage)  # the whole folder keeps its contracts before it replaces anything
    return load(out)
