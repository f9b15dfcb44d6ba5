"""Survey folders: finding and reading the responses file, checked against the instrument."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import CodedProblem, InputError, Problem, SurveyQualityWarning
from ..files import sha256_file
from ..instrument import Instrument, load_instrument
from ._common import EXCEL_EXT, TEXT_EXT, drop_qualtrics_previews
from .tables import read_raw, is_qualtrics
from .validate import convert_responses, instrument_warnings


_RESPONSE_NAMES = ("responses.csv", "responses.xlsx", "responses.sav", "responses.tsv",
                   "responses.zsav", "responses.txt")


def _map_import_ids(frame: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Rename Qualtrics columns whose ImportId (e.g. ``QID7_2``) is what the instrument names."""
    import_ids = frame.attrs.get("import_ids")
    if not import_ids:
        return frame
    wanted = {instrument.id_column, *instrument.item_ids, *(c.id for c in instrument.attention_checks),
              instrument.duration_column, instrument.weight_column, instrument.customer_id_column}
    wanted.discard(None)
    by_import = {str(v): k for k, v in import_ids.items() if v}
    rename = {by_import[w]: w for w in wanted
              if w not in frame.columns and w in by_import and by_import[w] not in wanted}
    if rename:
        attrs = dict(frame.attrs)
        frame = frame.rename(columns=rename)
        frame.attrs.update(attrs)
    return frame


def _read_checked(path: str | Path, instrument: Instrument
                  ) -> tuple[pd.DataFrame, list[Problem], dict[str, Any]]:
    raw = _map_import_ids(read_raw(path), instrument)
    raw, n_preview, preview_rows = drop_qualtrics_previews(raw)
    frame, errors, warns = convert_responses(raw, instrument, Path(path))
    if errors:
        sheets = [str(name) for name in raw.attrs.get("sheets", [])]
        if len(sheets) > 1:  # which sheet was read, when the workbook has others (user trial 19)
            others = ", ".join(repr(name) for name in sheets if name != raw.attrs.get("sheet"))
            errors.insert(0, Problem(code="problem_sheet_read", file=Path(path), values={
                "sheet": repr(str(raw.attrs.get("sheet"))), "others": others}))
        raise InputError(problems=errors)
    if n_preview:
        warns.insert(0, Problem(
            code="problem_qualtrics_previews", values={"n": n_preview}, file=Path(path),
            rows=[r + int(raw.attrs.get("header_rows", 1) or 1) for r in preview_rows or []] or None))
    return frame, warns, dict(raw.attrs)


def read_responses(path: str | Path, instrument: Instrument) -> pd.DataFrame:
    """Read a responses file and check it against the instrument.

    Parameters
    ----------
    path : str or Path
        CSV, Excel, SPSS ``.sav`` or Qualtrics export. Qualtrics columns can be named in
        the instrument by their field name or by their ImportId (``QID12_3``).
    instrument : Instrument

    Returns
    -------
    DataFrame
        Indexed by ``respondent_id`` (str). Item, attention-check, duration and weight
        columns are float; declared ``missing_codes`` and scale-label texts are turned
        into NaN and numbers; other columns are kept as read. Items are *not* reverse-keyed
        (see :func:`keyed_items`). ``attrs`` keep ``value_labels`` of a ``.sav`` file.

    Raises
    ------
    InputError
        Listing every problem found (see :func:`check_responses`).

    Warns
    -----
    SurveyQualityWarning
        For high missingness, low-variance items and few respondents per item, and
        when Qualtrics survey previews or test responses (``Status``/``DistributionChannel``)
        were left out.
    """
    frame, warns, _ = _read_checked(path, instrument)
    for w in warns:
        warnings.warn(_as_warning(w), stacklevel=2)
    return frame


def _as_warning(problem: Problem) -> SurveyQualityWarning:
    """A problem of the responses as a warning (with its code, for the command line's language)."""
    if isinstance(problem, CodedProblem):
        return problem.warning(SurveyQualityWarning)
    return SurveyQualityWarning(str(problem), problem=problem if problem.code else None)


def keyed_items(responses: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """The item columns, reverse-keyed items turned as ``min + max - x``.

    Parameters
    ----------
    responses : DataFrame
        As returned by :func:`read_responses`.
    instrument : Instrument

    Returns
    -------
    DataFrame of shape (n_respondents, n_items)
        Float, columns in instrument order, same index.
    """
    items = responses[instrument.item_ids].astype(float).copy()
    rev = instrument.reverse_ids
    if rev:
        items[rev] = instrument.scale.min + instrument.scale.max - items[rev]
    return items


@dataclass(frozen=True, eq=False)
class Survey:
    """A survey folder, read and checked.

    Attributes
    ----------
    path : Path
        The survey folder.
    instrument : Instrument
    responses : DataFrame
        Indexed by ``respondent_id`` (str); see :func:`read_responses`.
    responses_file : Path
    checksum : str
        SHA-256 of the responses file (recorded by later stages).
    warnings : tuple of str
        Things that do not stop the analysis but deserve a look.
    value_labels : dict
        ``{column: {code: label}}`` from an SPSS file (empty otherwise).
    """

    path: Path
    instrument: Instrument
    responses: pd.DataFrame
    responses_file: Path
    checksum: str
    warnings: tuple[str, ...] = ()
    value_labels: dict[str, dict[float, str]] = field(default_factory=dict)

    @property
    def items(self) -> pd.DataFrame:
        """Item answers as given (not reverse-keyed), of shape (n_respondents, n_items)."""
        return self.responses[self.instrument.item_ids]

    @property
    def keyed(self) -> pd.DataFrame:
        """Item answers with reverse-keyed items turned (see :func:`keyed_items`)."""
        return keyed_items(self.responses, self.instrument)

    @property
    def weights(self) -> pd.Series | None:
        """Survey weights (float) or ``None`` when the instrument names no weight column."""
        col = self.instrument.weight_column
        return None if col is None else self.responses[col].astype(float)

    def summary(self) -> str:
        """For people: the file, respondents, statements, missing answers and warnings.

        Returns
        -------
        str
            E.g. ``"responses.csv: 60 respondents, 12 statements, 1.5% of answers missing"``,
            then one ``"  warning: ..."`` line per warning.
        """
        d = self.to_dict()
        lines = [f"{d['responses_file']}: {d['n_respondents']} respondents, {d['n_items']} statements, "
                 f"{d['missing_share']:.1%} of answers missing"]
        lines += [f"  warning: {w}" for w in d["warnings"]]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Counts for machines: ``responses_file``, ``n_respondents``, ``n_items``,
        ``missing_share`` (of statement answers) and ``warnings`` (texts)."""
        return {
            "responses_file": self.responses_file.name,
            "n_respondents": len(self.responses),
            "n_items": len(self.instrument.item_ids),
            "missing_share": float(self.items.isna().to_numpy().mean()),
            "warnings": [str(w) for w in self.warnings],
        }


#: compressed files: not read as responses (said so, not "no responses file")
_PACKED_EXT = frozenset((".gz", ".zip", ".bz2", ".xz", ".zst", ".7z", ".tgz"))


def find_responses_file(survey_dir: str | Path) -> Path:
    """The one responses file of a survey folder.

    ``responses.csv``, ``.xlsx``, ``.sav`` (or ``.tsv``/``.txt``/``.zsav``), or any other
    CSV/Excel file with a Qualtrics three-row header.

    Raises
    ------
    InputError
        If there is none, or more than one.
    """
    folder = Path(survey_dir)
    for name in _RESPONSE_NAMES:  # a folder named responses.csv: not "no responses file ... add responses.csv"
        if (folder / name).is_dir():
            raise InputError(code="problem_is_folder", file=folder / name,
                             values={"path": str((folder / name).absolute())})
    found = [folder / n for n in _RESPONSE_NAMES if (folder / n).is_file()]
    for other in sorted(folder.iterdir()):
        if (other.is_file() and other not in found and not other.name.startswith(".")
                and other.suffix.lower() in TEXT_EXT | EXCEL_EXT and is_qualtrics(other)):
            found.append(other)
    if not found:
        packed = [p for p in sorted(folder.iterdir()) if p.is_file() and p.name.lower().startswith("responses.")
                  and p.suffix.lower() in _PACKED_EXT]  # (user trial 23: responses.csv.gz)
        if packed:
            inner = packed[0].name[:-len(packed[0].suffix)]  # responses.csv.gz -> responses.csv
            if Path(inner).suffix.lower() not in TEXT_EXT | EXCEL_EXT:  # responses.zip -> responses.csv
                inner = "responses.csv"
            raise InputError(code="problem_responses_packed", file=packed[0], values={
                "ext": packed[0].suffix.lower(), "name": inner})
        raise InputError(code="problem_no_responses", file=folder)
    if len(found) > 1:
        raise InputError(code="problem_several_responses", values={"names": ", ".join(p.name for p in found)},
                         file=folder)
    return found[0]


def load_survey(survey_dir: str | Path) -> Survey:
    """Read ``instrument.yaml`` and the responses file of a survey folder and check them.

    Parameters
    ----------
    survey_dir : str or Path
        Folder holding ``instrument.yaml`` and one responses file
        (see :func:`find_responses_file`).

    Returns
    -------
    Survey

    Raises
    ------
    InputError
        If the folder, instrument or responses file is missing, the YAML is malformed or
        the responses do not fit the instrument; every problem of the responses file is
        listed at once.

    Warns
    -----
    SurveyQualityWarning
        One per warning (also kept in ``Survey.warnings``).
    """
    folder = Path(survey_dir)
    if folder.is_file():  # a responses file given for the folder (user trial 5)
        raise InputError(code="problem_is_a_file", values={"parent": folder.parent}, file=folder)
    if not folder.is_dir():
        raise InputError(code="problem_no_survey_folder", file=folder, values={"path": str(folder.absolute())})
    inst_path = folder / "instrument.yaml"
    if not inst_path.is_file() and (folder / "instrument.yml").is_file():
        inst_path = folder / "instrument.yml"
    instrument = load_instrument(inst_path)
    responses_file = find_responses_file(folder)
    frame, warns, attrs = _read_checked(responses_file, instrument)
    warns = [*instrument_warnings(instrument, inst_path), *warns]
    for w in warns:
        warnings.warn(_as_warning(w), stacklevel=2)
    return Survey(
        path=folder,
        instrument=instrument,
        responses=frame,
        responses_file=responses_file,
        checksum=sha256_file(responses_file),
        warnings=tuple(str(w) for w in warns),
        value_labels=dict(attrs.get("value_labels", {})),
    )
