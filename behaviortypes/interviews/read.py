"""Read coded interviews: a tidy CSV, a REFI-QDA ``.qdpx``/``.qdc``, or an interviews folder."""

from __future__ import annotations

from pathlib import Path

import warnings

import pandas as pd

from ..errors import BehaviortypesWarning, InputError
from .data import CODEBOOK_COLUMNS, CODING_COLUMNS, Interviews
from .refi import read_qdc, read_qdpx

__all__ = ["read_interviews", "read_codings_csv", "interviews_from_frame"]

#: Accepted spellings of the CSV columns (matched case-insensitively, spaces as "_").
#: The exports of the QDA tools: Taguette's highlights (``id, document, tag, content``),
#: ATLAS.ti's quotations (``Document, Codes, Quotation Content``; several codes in one
#: cell, one a line), MAXQDA's coded segments (``Document name, Code, Segment``; codes
#: as ``Parent\Child``), and Swedish headers (``deltagare, tema, överordnat, citat``).
COLUMN_ALIASES = {
    "participant_id": ("participant_id", "participant", "respondent_id", "interviewee", "case",
                       "case_name", "document", "document_name", "speaker_id", "deltagare",
                       "deltagar_id", "intervjuperson", "respondent", "person", "dokument",
                       "dokumentnamn", "id"),
    "theme": ("theme", "code", "code_name", "codes", "tag", "tags", "tema", "kod", "koder",
              "kodnamn"),
    "parent": ("parent", "category", "parent_code", "code_group", "code_groups", "group",
               "parent_theme", "överordnat", "överordnad", "överordnad_kod", "kategori",
               "kodgrupp", "huvudtema"),
    "quote": ("quote", "segment", "coded_segment", "excerpt", "text", "quotation",
              "quotation_content", "content", "highlight", "citat", "utdrag", "kodat_segment"),
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
    with open(path, "rb") as fh:
        start = fh.read(4)
    # Excel's "Unicode text" is UTF-16 with a byte order mark (user trial 21: read as UTF-8
    # its first column was "ÿþp")
    utf16 = start.startswith((b"\xff\xfe", b"\xfe\xff"))
    encodings = ("utf-16",) if utf16 else ("utf-8-sig", "cp1252")
    with open(path, encoding=encodings[0], errors="replace") as fh:
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
    for encoding in encodings:  # cp1252: Excel's "CSV (semicolon delimited)"
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding, sep=sep)
            break
        except pd.errors.EmptyDataError:
            raise InputError("the file is empty", file=path, hint=_CSV_HINT) from None
        except pd.errors.ParserError as err:
            raise InputError(f"not a readable CSV ({err})", file=path, hint=_CSV_HINT) from None
        except UnicodeDecodeError as err:
            if encoding == "utf-16":
                raise InputError(f"the file starts as UTF-16 text but is not readable as such (byte {err.start})",
                                 file=path, hint="save it as 'CSV UTF-8' from Excel") from None  # fmt: skip
            if encoding == "cp1252":
                raise InputError(f"the CSV is neither UTF-8 nor Windows-1252 text (byte {err.start})",
                                 file=path, hint="save it as 'CSV UTF-8' from Excel") from None  # fmt: skip
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _read_xlsx(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_excel(path, dtype=str, keep_default_na=False, sheet_name=0)
    except (ValueError, OSError, KeyError) as err:
        raise InputError(f"not a readable Excel workbook ({str(err)[:80]})", file=path,
                         hint="save the sheet of codes and quotes as .xlsx or CSV UTF-8") from None  # fmt: skip
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
    frame = _read_xlsx(path) if path.suffix.lower() in {".xlsx", ".xlsm"} else _read_csv(path)
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


def _title_row_skipped(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` re-read with its first row as header when the header is a title above it."""
    columns = list(frame.columns)
    if frame.empty or all(find_column(columns, r) for r in ("participant_id", "theme")):
        return frame
    header = [str(v).strip() for v in frame.iloc[0]]
    if find_column(header, "participant_id") and find_column(header, "theme") and len(set(header)) == len(header):
        rest = frame.iloc[1:].reset_index(drop=True)
        rest.columns = header
        return rest
    return frame


def _split_codes(codings: pd.DataFrame) -> pd.DataFrame:
    """One row per code: ATLAS.ti's cells of several codes (one a line) and MAXQDA's
    ``Parent\\Child`` code paths (the last part is the theme, the one before it its parent)."""
    codings = codings.assign(theme=codings["theme"].str.split(r"\s*[\r\n]+\s*", regex=True)).explode("theme")
    codings = codings[codings["theme"].str.strip() != ""].reset_index(drop=True)
    path = codings["theme"].str.contains("\\", regex=False)
    if path.any():
        parts = codings.loc[path, "theme"].str.split("\\")
        parts = parts.map(lambda p: [x.strip() for x in p if x.strip()])
        codings.loc[path, "theme"] = parts.map(lambda p: p[-1])
        no_parent = path & codings["parent"].isna()
        codings.loc[no_parent, "parent"] = parts[no_parent[path]].map(lambda p: p[-2] if len(p) > 1 else None)
    return codings


def _warn_no_quotes(frame: pd.DataFrame, col: str | None, path: Path | None) -> None:
    where = f"{path.name}: " if path is not None else ""
    if col is None:
        warnings.warn(BehaviortypesWarning(
            f"{where}no quote column; columns found: {', '.join(map(str, frame.columns))}. The themes are "
            "read without quotes; name the column of coded text 'quote' (or content, segment, citat)",
            code="warn_interviews_no_quote_column",
            values={"file": where, "columns": ", ".join(map(str, frame.columns))},
        ), stacklevel=3)  # fmt: skip
    elif not frame[col].str.strip().astype(bool).any():
        warnings.warn(BehaviortypesWarning(
            f"{where}no quotes: every cell of column '{col}' is empty; the themes are read without quotes",
            code="warn_interviews_no_quotes", values={"file": where, "column": col},
        ), stacklevel=3)  # fmt: skip


def _build(frame: pd.DataFrame, people: pd.DataFrame | None, path: Path | None) -> Interviews:
    frame = _title_row_skipped(frame)
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
    if path is not None or found["quote"] is not None:  # a file, or a frame meant to hold quotes
        _warn_no_quotes(frame, found["quote"], path)
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
    codings = _split_codes(codings)
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
    if suffix in {".csv", ".tsv", ".txt", ".xlsx", ".xlsm"}:
        return read_codings_csv(path)
    if suffix == ".qdpx":
        return read_qdpx(path, sources_dir=sources_dir)
    if suffix == ".qdc":
        return read_qdc(path)
    raise InputError(
        f"unknown interview file type '{suffix}'",
        file=path,
        value=suffix,
        hint="give a .csv or .xlsx of codes and quotes, a REFI-QDA .qdpx project or a .qdc codebook",
    )
