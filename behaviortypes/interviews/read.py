"""Read coded interviews: a tidy CSV, a REFI-QDA ``.qdpx``/``.qdc``, or an interviews folder."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import InputError
from .data import CODEBOOK_COLUMNS, CODING_COLUMNS, Interviews
from .refi import read_qdc, read_qdpx

__all__ = ["read_interviews", "read_codings_csv", "interviews_from_frame"]

#: Accepted spellings of the CSV columns (matched case-insensitively, spaces as "_").
COLUMN_ALIASES = {
    "participant_id": ("participant_id", "participant", "respondent_id", "interviewee", "case",
                       "case_name", "document", "speaker_id", "id"),
    "theme": ("theme", "code", "code_name", "codes", "tag"),
    "parent": ("parent", "category", "parent_code", "code_group", "group", "parent_theme"),
    "quote": ("quote", "segment", "coded_segment", "excerpt", "text", "quotation"),
}  # fmt: skip
_CSV_HINT = (
    "the interviews CSV needs one row per coded quote with columns participant_id, theme "
    "and optionally parent and quote"
)


_MAX_HEADER_CHARS = 1 << 20
_MAX_COLUMNS = 20_000


def _normal(name: str) -> str:
    return str(name).strip().lower().replace(" ", "_").replace("-", "_")


def find_column(columns: list[str], role: str) -> str | None:
    """The column of ``columns`` that plays ``role`` (participant_id, theme, parent, quote)."""
    normal = {_normal(c): c for c in columns}
    for alias in COLUMN_ALIASES[role]:
        if alias in normal:
            return normal[alias]
    return None


def _read_csv(path: Path) -> pd.DataFrame:
    if path.stat().st_size == 0:
        raise InputError("the file is empty", file=path, hint=_CSV_HINT)
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        header = fh.readline(_MAX_HEADER_CHARS + 1)  # bounded: never a whole one-line file
    if len(header) > _MAX_HEADER_CHARS or max(header.count(c) for c in ",;\t") >= _MAX_COLUMNS:
        raise InputError(
            f"the header line is longer than {_MAX_HEADER_CHARS:,} characters or has more than "
            f"{_MAX_COLUMNS:,} columns",
            file=path,
            hint=_CSV_HINT,
        )
    sep = "\t" if path.suffix.lower() == ".tsv" or "\t" in header else ","
    if sep == "," and ";" in header and "," not in header:
        sep = ";"  # Excel in Swedish, Dutch and German locales
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", sep=sep)
    except pd.errors.EmptyDataError:
        raise InputError("the file is empty", file=path, hint=_CSV_HINT) from None
    except pd.errors.ParserError as err:
        raise InputError(f"not a readable CSV ({err})", file=path, hint=_CSV_HINT) from None
    except UnicodeDecodeError:
        raise InputError("the CSV is not UTF-8 text", file=path,
                         hint="save it as 'CSV UTF-8' from Excel") from None  # fmt: skip
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def read_codings_csv(path: str | Path, participants_path: str | Path | None = None) -> Interviews:
    """Read a tidy CSV of codes and quotes (one row per coded quote).

    Columns (case-insensitive; common synonyms accepted): ``participant_id``,
    ``theme`` (or ``code``), optional ``parent`` (or ``category``) and ``quote``.
    Any other column whose value is constant within each participant becomes a
    participant attribute (e.g. ``age``, ``segment``). ``participants_path`` is an
    optional CSV with a participant id column and more attributes.

    Raises
    ------
    InputError
        If the file is empty, a required column is missing (the columns found are
        listed), or participant/theme cells are blank (rows named).
    """
    path = Path(path)
    frame = _read_csv(path)
    people = _read_participants(Path(participants_path)) if participants_path else None
    return _build(frame, people, path)


def interviews_from_frame(
    codings: pd.DataFrame,
    participants: pd.DataFrame | None = None,
    *,
    source_file: str | Path | None = None,
) -> Interviews:
    """Build :class:`Interviews` from a DataFrame of codes and quotes (as in the CSV).

    Parameters
    ----------
    codings : pandas.DataFrame
        One row per coded quote: ``participant_id``, ``theme`` and optionally
        ``parent`` and ``quote`` (same synonyms as the CSV); other columns constant
        within a participant become attributes.
    participants : pandas.DataFrame, optional
        Attributes by participant: indexed by participant id, or with a
        ``participant_id`` column.
    source_file : str or Path, optional
        Recorded as :attr:`Interviews.source_file` and named in errors.

    Raises
    ------
    InputError
        As :func:`read_codings_csv`.
    """
    frame = codings.astype(object).where(codings.notna(), "").astype(str)
    frame.columns = [str(c).strip() for c in frame.columns]
    people = None
    if participants is not None:
        people = participants.copy()
        col = find_column([str(c) for c in people.columns], "participant_id")
        if col is not None:
            people = people.set_index(col)
        people.index = people.index.astype(str).str.strip().rename("participant_id")
    return _build(frame, people, None if source_file is None else Path(source_file))


def _build(frame: pd.DataFrame, people: pd.DataFrame | None, path: Path | None) -> Interviews:
    columns = list(frame.columns)
    found = {role: find_column(columns, role) for role in COLUMN_ALIASES}
    missing = [r for r in ("participant_id", "theme") if found[r] is None]
    if missing:
        raise InputError(
            f"no {' or '.join(missing)} column; columns found: {', '.join(columns) or 'none'}",
            file=path,
            hint=_CSV_HINT,
        )
    if frame.empty:
        raise InputError("there is a header but no rows", file=path, hint=_CSV_HINT)
    for role in ("participant_id", "theme"):
        col = found[role]
        values = frame[col].str.strip()
        blank = [i + 1 for i in range(len(frame)) if values.iat[i] == ""]
        if blank:
            raise InputError(
                f"{len(blank)} {'row has' if len(blank) == 1 else 'rows have'} no {role}",
                file=path, column=col, rows=blank,
                hint=f"every coded quote needs a {role}",
            )  # fmt: skip
    codings = pd.DataFrame(
        {
            "participant_id": frame[found["participant_id"]].str.strip(),
            "theme": frame[found["theme"]].str.strip(),
            "parent": _optional(frame, found["parent"]),
            "quote": _optional(frame, found["quote"], strip=False),
            "source": None,
            "start": pd.array([pd.NA] * len(frame), dtype="Int64"),
            "end": pd.array([pd.NA] * len(frame), dtype="Int64"),
        },
        columns=CODING_COLUMNS,
    )
    used = {c for c in found.values() if c is not None}
    attributes = [c for c in columns if c not in used]
    grouped = frame.assign(_pid=codings["participant_id"]).groupby("_pid", sort=True)
    constant = [c for c in attributes if (grouped[c].nunique(dropna=False) <= 1).all()]
    participants = grouped[constant].first() if constant else pd.DataFrame(
        index=sorted(codings["participant_id"].unique())
    )
    participants = participants.replace("", None)
    participants.index = participants.index.astype(str).rename("participant_id")
    if people is not None:
        participants = participants.drop(columns=[c for c in people.columns if c in participants])
        participants = participants.join(people, how="outer")
    book = codings[["theme", "parent"]].drop_duplicates("theme")
    parents = [p for p in book["parent"].dropna().unique() if p not in set(book["theme"])]
    book = pd.concat([book, pd.DataFrame({"theme": parents, "parent": None})], ignore_index=True)
    book = book.assign(guid=None, description=None)[CODEBOOK_COLUMNS]
    return Interviews(codings=codings, participants=participants, codebook=book, source_file=path)


def _optional(frame: pd.DataFrame, col: str | None, *, strip: bool = True) -> pd.Series:
    if col is None:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object)
    values = frame[col].str.strip() if strip else frame[col]
    return values.where(values.str.strip() != "", None).astype(object)


def _read_participants(path: Path) -> pd.DataFrame:
    frame = _read_csv(path)
    col = find_column(list(frame.columns), "participant_id")
    if col is None:
        raise InputError(
            f"no participant_id column; columns found: {', '.join(frame.columns)}",
            file=path,
            hint="participants.csv needs a participant_id column and one column per attribute",
        )
    frame[col] = frame[col].str.strip()
    dupes = frame[col].duplicated(keep=False)
    if dupes.any():
        raise InputError(
            "participant ids are repeated", file=path, column=col,
            rows=[i + 1 for i in range(len(frame)) if dupes.iat[i]],
            value=frame.loc[dupes, col].iloc[0], hint="list each participant once",
        )  # fmt: skip
    people = frame.set_index(col).replace("", None)
    people.index = people.index.astype(str).rename("participant_id")
    return people


def read_interviews(path: str | Path, *, sources_dir: str | Path | None = None) -> Interviews:
    """Read coded interviews from a CSV file, a REFI-QDA file or a folder.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` of codes and quotes (see :func:`read_codings_csv`), a REFI-QDA
        project ``.qdpx`` (see :func:`~behaviortypes.interviews.read_qdpx`), a
        REFI-QDA codebook ``.qdc`` (codebook only), or a folder holding
        ``codes.csv`` (+ optional ``participants.csv``) or exactly one ``.qdpx``.
        When a folder holds both, ``codes.csv`` is read.
    sources_dir : str or Path, optional
        For a ``.qdpx`` whose transcripts are stored outside the archive: the folder
        holding them (see :func:`~behaviortypes.interviews.read_qdpx`). Nothing outside
        this folder is read.

    Returns
    -------
    Interviews

    Raises
    ------
    InputError
        If the path does not exist, has an unknown extension, or the file is bad.

    Examples
    --------
    >>> iv = read_interviews("surveys/demo/interviews")  # doctest: +SKIP
    >>> iv.codings.columns.tolist()  # doctest: +SKIP
    ['participant_id', 'theme', 'parent', 'quote', 'source', 'start', 'end']
    """
    path = Path(path)
    if path.is_dir():
        codes = path / "codes.csv"
        if codes.is_file():
            people = path / "participants.csv"
            return read_codings_csv(codes, people if people.is_file() else None)
        projects = sorted(path.glob("*.qdpx"))
        if len(projects) == 1:
            return read_qdpx(projects[0], sources_dir=sources_dir)
        found = ", ".join(p.name for p in projects)
        raise InputError(
            "the interviews folder holds several .qdpx files: " + found
            if projects
            else "the interviews folder has neither codes.csv nor a .qdpx project",
            file=path,
            hint="keep one codes.csv (with participants.csv) or one .qdpx in the folder",
        )
    if not path.is_file():
        raise InputError("file or folder not found", file=path, hint="check the path")
    suffix = path.suffix.lower()
    if suffix in {".csv", ".tsv", ".txt"}:
        return read_codings_csv(path)
    if suffix == ".qdpx":
        return read_qdpx(path, sources_dir=sources_dir)
    if suffix == ".qdc":
        return read_qdc(path)
    raise InputError(
        f"unknown interview file type '{suffix}'",
        file=path,
        value=suffix,
        hint="give a .csv of codes and quotes, a REFI-QDA .qdpx project or a .qdc codebook",
    )
