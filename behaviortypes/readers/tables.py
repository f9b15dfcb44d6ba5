"""Raw tables: CSV sniffing and encodings, Excel, SPSS and Qualtrics exports."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from pathlib import Path
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError, Said
from ..files import cp1252_meant
from ._common import EXCEL_EXT, SPSS_EXT, TEXT_EXT, coerce


_DELIMITERS = (",", ";", "\t", "|")
#: Most columns a responses table may have (Qualtrics exports of long surveys reach a
#: few thousand); a wider header is refused before the file is parsed.
MAX_COLUMNS = 20_000
#: Longest cell Python's CSV reader accepts (``csv.field_size_limit()``, 131,072).
MAX_CELL = csv.field_size_limit()
#: Limits on an .xlsx (a zip of XML): unpacked size of one part, and its packing ratio.
_XLSX_MAX_PART = 512 * 1024 * 1024
_XLSX_MAX_RATIO = 500
#: Excel's ``sep=;`` first line, ended as any line of the file may be: ``\r\n``, ``\n``, or
#: ``\r`` alone (old Excel for Mac's "CSV (Macintosh)"; every text reader takes all three).
_SEP_DIRECTIVE = re.compile(r'"?sep=(.)"?(\r\n|\r|\n)')


def _check_header_width(path: Path) -> None:
    """Refuse a header wider than :data:`MAX_COLUMNS` by reading only the first line.

    The first line is read in 1 MiB chunks and its candidate separators counted, so a
    file with a million columns is refused without being held in memory.
    """
    counts = dict.fromkeys(_DELIMITERS, 0)
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            line = re.split(b"[\r\n]", chunk, maxsplit=1)[0]  # (a Mac "CSV (Macintosh)" ends lines in \r)
            for delim in _DELIMITERS:
                counts[delim] += line.count(delim.encode())
            widest = max(counts.values()) + 1
            if widest > MAX_COLUMNS:
                raise InputError(code="problem_header_too_wide", values={"max": MAX_COLUMNS}, file=path)
            if len(line) < len(chunk):
                return


def _csv_error(err: csv.Error, path: Path, line: int | None) -> InputError:
    """A one-line error for Python's CSV reader (most often a cell over 131,072 characters)."""
    where = Said("problem_on_line", {"line": line}) if line else ""
    if "field larger than field limit" in str(err):
        return InputError(code="problem_cell_too_long", values={"where": where, "max": MAX_CELL}, file=path)
    return InputError(code="problem_not_csv", values={"where": where, "why": str(err)[:100]}, file=path)


def decode_text(raw: bytes, path: Path, *, partial: bool = False) -> tuple[str, str]:
    """Decode a text file, sniffing UTF-16/UTF-8 (BOM or not) and cp1252/latin-1.

    With ``partial=True`` ``raw`` is the start of a file and may end inside a character.
    """
    if raw.startswith(b"PK\x03\x04"):
        raise InputError(code="problem_zip_as_csv", file=path)
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16"
    head = raw[:8192]
    control = sum(b < 9 or 13 < b < 32 for b in head)
    if b"\x00" in head or (head and control / len(head) > 0.01):
        raise InputError(code="problem_binary_csv", file=path)
    bom = raw.startswith(codecs.BOM_UTF8)
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(raw[3:] if bom else raw,
                                                              final=not partial)
        return text, "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    """Pick the delimiter giving a multi-column header with the most consistent row widths."""
    sample = text[: 1 << 16]
    best, best_score = ",", (False, False, 0.0, 0)
    for delim in _DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delim))[:60]
        except csv.Error:  # a very long cell (or a cut one) in the sample: not this one
            continue
        if len(rows) > 2 and len(sample) < len(text):
            rows = rows[:-1]  # the last sampled row may be cut short
        rows = [r for r in rows if any(cell.strip() for cell in r)]
        if not rows:
            continue
        width = len(rows[0])
        consistent = sum(len(r) == width for r in rows) / len(rows)
        # a multi-column header wins over a single column even when some rows are ragged
        score = (width > 1 and consistent >= 0.9, width > 1, consistent, width)
        if score > best_score:
            best, best_score = delim, score
    return best


def _qualtrics_meta(frame: pd.DataFrame) -> dict[str, Any] | None:
    """If ``frame`` (header = row 1) has Qualtrics' 2nd and 3rd header rows, return them."""
    if len(frame) < 2:
        return None
    third = frame.iloc[1]
    hits = third.map(lambda v: isinstance(v, str) and v.strip().startswith('{"ImportId"'))
    if hits.mean() < 0.5:
        return None
    import_ids, texts = {}, {}
    for col in frame.columns:
        cell = third[col]
        try:
            import_ids[col] = str(json.loads(cell)["ImportId"]) if isinstance(cell, str) else None
        except (ValueError, KeyError, TypeError):
            import_ids[col] = None
        text = frame.iloc[0][col]
        texts[col] = header_name(text) if isinstance(text, str) else None
    return {"import_ids": import_ids, "question_text": texts}


_C1 = re.compile("[\u0080-\u009f]")


def header_name(name: object) -> str:
    """A column name as behaviortypes reads it: stripped, and each C1 control character
    (U+0080-U+009F) read as the Windows-1252 character it was, as
    :func:`~behaviortypes.files.cp1252_meant` (user trial 22: a Google Forms header held
    U+0096 for an en dash, and the drafted instrument.yaml could not be read back: YAML
    refuses control characters)."""
    return _C1.sub(lambda m: cp1252_meant(m.group()), str(name).strip())


def _c1_fixed(names: Iterable[object]) -> dict[str, str]:
    """The C1 characters of ``names`` and what they were read as: ``{"U+0096": "–"}``."""
    return {f"U+{ord(ch):04X}": cp1252_meant(ch) for name in names for ch in _C1.findall(str(name))}


#: What SurveyMonkey writes in its second header row over a question with one answer column.
_SM_ONE_ANSWER = {"response", "open-ended response", "other (please specify)"}


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or not str(value).strip()


def _surveymonkey_names(frame: pd.DataFrame, header: list[object]) -> tuple[list[str], dict[str, str]] | None:
    """A SurveyMonkey export's column names and question texts, or None for another table.

    SurveyMonkey writes two header rows: the question in row 1 (blank over the other
    statements of a matrix question) and, in row 2, each statement of a matrix or
    ``Response`` under a question of one answer; ``Respondent ID`` and ``Collector ID``
    are its first columns, blank in row 2. A statement's column is named by its statement
    (``question - statement`` when two share one), a one-answer question's by the question
    (user trial 22: "no column looks like a Likert item"). ``header`` is the file's row 1
    as read, before :func:`header_name`."""
    lower = [str(c).strip().lower() for c in header]
    if len(frame) < 2 or not {"respondent id", "collector id"} <= set(lower):
        return None
    second = frame.iloc[0]
    if not _blank(second.iloc[lower.index("respondent id")]) or all(_blank(v) for v in second):
        return None
    names: list[str] = []
    texts: dict[str, str] = {}
    question = ""
    for col, below in zip(header, second):
        if not str(col).startswith("Unnamed:"):
            question = header_name(col)
        statement = "" if _blank(below) else header_name(below)
        name = question if not statement or statement.lower() in _SM_ONE_ANSWER else statement
        if name in names or not name:
            name = f"{question} - {statement}" if statement else f"{question} ({len(names) + 1})"
        names.append(name)
        texts[name] = f"{question} - {statement}" if statement and name != question else question
    return names, texts


_GRID = re.compile(r"^(.*\S)\s*\[(.+)\]$")


def _grid_names(columns: list[str]) -> dict[str, tuple[str, str]]:
    """Google Forms' grid columns, ``Stem [Statement]``: column -> (stem, statement), for
    stems that two or more columns share (user trial 22: the stem was in every id). A
    statement has three or more words: ``Spend [SEK]``, ``Revenue [2024]`` are a unit or a
    year, kept as named."""
    found = {c: m.groups() for c in columns if (m := _GRID.match(c)) and len(m.group(2).split()) >= 3}
    stems = pd.Series([stem for stem, _ in found.values()]).value_counts()
    return {c: (stem.strip(), st.strip()) for c, (stem, st) in found.items() if stems.get(stem, 0) >= 2}


def _split_grid(frame: pd.DataFrame, attrs: dict[str, Any]) -> pd.DataFrame:
    """Name Google Forms' grid columns by their statements; the stem kept as question text and
    the whole header as the column's other name (an instrument that names it still reads)."""
    grid = _grid_names(list(frame.columns))
    taken = set(frame.columns) - set(grid)
    rename = {}
    for col, (stem, statement) in grid.items():
        if statement not in taken:
            rename[col] = statement
            taken.add(statement)
    if not rename:
        return frame
    attrs.setdefault("question_text", {}).update({new: f"{grid[old][0]} - {new}" for old, new in rename.items()})
    attrs.setdefault("import_ids", {}).update({new: old for old, new in rename.items()})
    return frame.rename(columns=rename)


def _finish(frame: pd.DataFrame, path: Path, attrs: dict[str, Any]) -> pd.DataFrame:
    """Split off Qualtrics' and SurveyMonkey's header rows and attach reading metadata."""
    original = list(frame.columns)
    if "c1_fixed" not in attrs:  # (read_text has said the whole header's when it read only some columns)
        fixed = _c1_fixed(original)
        if fixed:
            attrs["c1_fixed"] = fixed
    frame.columns = [header_name(c) for c in original]
    meta = _qualtrics_meta(frame)
    monkey = None if meta is not None else _surveymonkey_names(frame, original)
    if meta is not None:
        frame = frame.iloc[2:].reset_index(drop=True)
        attrs.update(format="qualtrics-" + attrs["format"], header_rows=3, **meta)
    elif monkey is not None:
        frame = frame.iloc[1:].reset_index(drop=True)
        frame.columns = monkey[0]
        attrs.update(format="surveymonkey-" + attrs["format"], header_rows=2, question_text=monkey[1])
    else:
        frame = _split_grid(frame, attrs)
    frame.attrs.update(attrs)
    frame.attrs["file"] = str(path)
    return frame


def _check_short_rows(lines: Iterable[str], delim: str, path: Path) -> None:
    """Rows with fewer fields than the header would be padded silently: say where they are.
    A row with more fields than the header is refused at once (its line and fields): pandas
    drops the extra field of a row when only some columns are read, and takes the first
    column for an index when the first row is the long one.

    ``lines`` is the text (a ``StringIO``, or a file opened with ``newline=""``: read a
    line at a time, in constant memory)."""
    import csv

    reader = csv.reader(lines, delimiter=delim)
    try:
        header = next(reader, None)
    except csv.Error as err:
        raise _csv_error(err, path, 1) from None
    if header is None:
        return
    short = []
    try:
        for fields in reader:
            if len(fields) > len(header):
                raise InputError(code="problem_ragged_rows", file=path, values={"delim": repr(delim), "detail": Said(
                    "problem_line_fields", {"line": reader.line_num, "fields": len(fields), "header": len(header)})})
            if fields and len(fields) < len(header) and any(f.strip() for f in fields):
                short.append((reader.line_num, len(fields)))
    except csv.Error as err:
        raise _csv_error(err, path, reader.line_num) from None
    if short:
        lines = ", ".join(str(line) for line, _ in short[:5])
        if len(short) > 5:
            lines = Said("problem_and_more", {"shown": lines, "n": len(short) - 5})
        raise InputError(code="problem_short_rows", file=path, values={
            "line": short[0][0], "fields": short[0][1], "header": len(header), "lines": lines, "delim": repr(delim)})


def _ragged(err: pd.errors.ParserError, delim: str, path: Path) -> InputError:
    """pandas' parser error as one line: the line and its fields when pandas names them."""
    match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(err))
    detail = (Said("problem_line_fields", {"line": match.group(2), "fields": match.group(3),
                                           "header": match.group(1)})
              if match else str(err).replace("\n", " "))
    return InputError(code="problem_ragged_rows", values={"detail": detail, "delim": repr(delim)}, file=path)


def _read_text(path: Path, columns: Callable[[str], bool] | None = None) -> pd.DataFrame:
    _check_header_width(path)
    text, encoding = decode_text(path.read_bytes(), path)
    if not text.strip():
        raise InputError(code="problem_empty_file", file=path)
    directive = _SEP_DIRECTIVE.match(text)  # Excel's "sep=;" first line
    if directive:
        text, delim = text[directive.end():], directive.group(1)
    else:
        delim = sniff_delimiter(text)
    _check_short_rows(io.StringIO(text, newline=""), delim, path)  # (before pandas drops or shifts a long row's field)
    header = None
    try:
        if columns is not None:  # the header first: all its names are kept in attrs
            header = list(pd.read_csv(io.StringIO(text, newline=""), sep=delim, dtype=str, nrows=0).columns)
        frame = pd.read_csv(io.StringIO(text, newline=""), sep=delim, dtype=str, keep_default_na=False,
                            na_values=[], skip_blank_lines=True,
                            usecols=None if columns is None else (lambda c: columns(header_name(c))))
    except pd.errors.ParserError as err:
        raise _ragged(err, delim, path) from None
    names = header if header is not None else list(frame.columns)
    dupes = [c for c in names if re.fullmatch(r".+\.\d+", str(c)) and re.sub(r"\.\d+$", "", str(c)) in names]
    attrs = {"format": "csv", "encoding": encoding, "delimiter": delim,
             "header_rows": 1, "duplicate_columns": dupes}
    if header is not None:
        attrs["columns_in_file"] = [header_name(c) for c in header]
        fixed = _c1_fixed(header)  # (the file's whole header, as columns_in_file)
        if fixed:
            attrs["c1_fixed"] = fixed
    return _finish(frame, path, attrs)


def _read_excel(path: Path) -> pd.DataFrame:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException
    import zipfile

    _check_xlsx_parts(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError) as err:
        raise InputError(code="problem_not_a_workbook", values={"why": type(err).__name__}, file=path) from None
    except ValueError as err:  # defusedxml refuses DTDs and entities (DTDForbidden, ...)
        raise InputError(code="problem_not_a_workbook", values={"why": _xml_refusal(err)}, file=path) from None
    try:
        for sheet in book.worksheets:
            rows, sheet_rows = [], []  # blank rows left out; each kept row's number in the sheet
            for number, r in enumerate(sheet.iter_rows(values_only=True), start=1):
                if len(r) > MAX_COLUMNS:
                    raise InputError(code="problem_sheet_too_wide", values={"max": MAX_COLUMNS}, file=path)
                if any(v is not None and str(v).strip() != "" for v in r):
                    rows.append(list(r))
                    sheet_rows.append(number)
            if rows:
                break
        else:
            raise InputError(code="problem_empty_workbook", file=path)
    except InputError:
        raise
    except (ValueError, KeyError, zipfile.BadZipFile, EOFError) as err:
        raise InputError(code="problem_unreadable_workbook", values={"why": _xml_refusal(err)},
                         file=path) from None
    finally:
        names = list(book.sheetnames)  # said when the sheet read is not the answers (survey.py)
        book.close()
    width = max(max((i + 1 for i, v in enumerate(r) if v is not None), default=0) for r in rows)
    header, seen, dupes = [], {}, []
    for i, v in enumerate(rows[0][:width]):
        name = f"Unnamed: {i}" if v is None else str(v).strip()
        if name in seen:  # mangle repeats as pandas does for CSV: x, x.1, x.2
            seen[name] += 1
            dupes.append(f"{name}.{seen[name]}")
            name = dupes[-1]
        else:
            seen[name] = 0
        header.append(name)
    body = [list(r[:width]) + [None] * (width - len(r)) for r in rows[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=object)
    frame = frame.map(lambda v: v.strip() if isinstance(v, str) else v)
    # rows as Excel numbers them: the header's sheet row, and each data row's below it
    head = sheet_rows[0]
    return _finish(frame, path, {"format": "xlsx", "sheet": sheet.title, "sheets": names, "header_rows": head,
                                 "data_rows": [r - head for r in sheet_rows[1:]],
                                 "duplicate_columns": dupes})


def _xml_refusal(err: BaseException) -> str:
    """Name what openpyxl (or defusedxml beneath it) refused, in one short line."""
    refused = {"DTDForbidden", "EntitiesForbidden", "ExternalReferenceForbidden", "NotSupportedError"}
    cause: BaseException | None = err
    while cause is not None:
        if type(cause).__name__ in refused:
            return f"it uses XML features refused for safety: {type(cause).__name__}"
        cause = cause.__cause__ or cause.__context__
    first = str(err).strip().splitlines()[0] if str(err).strip() else ""
    return f"{type(err).__name__}: {first[:100]}"


def _check_xlsx_parts(path: Path) -> None:
    """Refuse a workbook whose parts unpack to far more than a workbook holds (a zip bomb)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError):
        return  # openpyxl names the problem
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _XLSX_MAX_PART or (info.file_size > 16 << 20 and ratio > _XLSX_MAX_RATIO):
            raise InputError(code="problem_zip_bomb", file=path, values={
                "part": info.filename[:60], "mib": info.file_size / 1048576, "ratio": ratio})


def _split_label_codes(coded: dict) -> tuple[dict[float, str], dict[str, str]]:
    """An SPSS variable's value labels as ``(number -> label, text code -> label)``: a text
    variable's codes are numbers written as text ("1") or text codes ("SD"), the latter
    read as their labels (float("SD") crashed every reader: session 14)."""
    numbers: dict[float, str] = {}
    texts: dict[str, str] = {}
    for code, text in coded.items():
        try:
            numbers[float(code)] = str(text)
        except (TypeError, ValueError):
            texts[str(code).strip()] = str(text)
    return numbers, texts


def read_spss(path: Path, *, user_missing: bool = False) -> pd.DataFrame:
    """Read an SPSS ``.sav``/``.zsav`` file with value labels kept (``frame.attrs``); an InputError if unreadable."""
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(path), user_missing=user_missing)
    except pyreadstat.ReadstatError as err:
        raise InputError(code="problem_not_spss", values={"why": err}, file=path) from None
    labels = {}
    for col, coded in meta.variable_value_labels.items():
        numbers, texts = _split_label_codes(coded)
        labels[col] = numbers
        if texts and col in frame.columns:  # a text variable coded "SD" ... "SA": its labels
            frame[col] = frame[col].map(lambda v, t=texts: t.get(v.strip(), v) if isinstance(v, str) else v)
    attrs = {
        "format": "sav", "header_rows": 1, "value_labels": labels,
        "column_labels": dict(zip(meta.column_names, meta.column_labels)),
        "missing_ranges": {k: [dict(r) for r in v] for k, v in meta.missing_ranges.items()},
        "encoding": meta.file_encoding,
    }
    frame.attrs.update(attrs)
    frame.attrs["file"] = str(path)
    return frame


def _refuse_not_a_file(path: Path) -> None:
    """A table's path must be a file: a folder named like one (``answers.csv/``) is said to be
    a folder, not "not found"."""
    if path.is_dir():
        raise InputError(code="problem_is_folder", file=path, values={"path": str(path.absolute())})
    if not path.is_file():
        raise InputError(code="problem_no_file", file=path, values={"path": str(path.absolute())})


def read_raw(path: str | Path, *, columns: Callable[[str], bool] | None = None) -> pd.DataFrame:
    """Read a responses table with cells as read (text for CSV), Qualtrics rows split off.

    ``columns``, when given, keeps only the columns whose (stripped) name it accepts; a
    text file then reads only those (a fraction of the memory for a wide file), and
    ``attrs["columns_in_file"]`` lists every column of the file.
    """
    path = Path(path)
    _refuse_not_a_file(path)
    if path.suffix.lower() in TEXT_EXT:
        return _read_text(path, columns)
    frame = _read_other(path)
    if columns is None:
        return frame
    attrs = {**frame.attrs, "columns_in_file": [str(c) for c in frame.columns]}
    frame = frame[[c for c in frame.columns if columns(str(c).strip())]]
    frame.attrs = attrs
    return frame


#: Bytes read at a time when a text table is streamed (encoding check, delimiter sniffing).
_BLOCK = 1 << 20


def _decodes(path: Path, encoding: str, skip: int) -> tuple[bool, bool]:
    """Whether the whole file decodes in ``encoding`` (read a block at a time), and
    whether it holds any text other than white space."""
    decoder = codecs.getincrementaldecoder(encoding)()
    text_seen = False
    try:
        with open(path, "rb") as fh:
            fh.seek(skip)
            while block := fh.read(_BLOCK):
                text_seen = bool(decoder.decode(block).strip()) or text_seen
            text_seen = bool(decoder.decode(b"", final=True).strip()) or text_seen
    except UnicodeDecodeError:
        return False, text_seen
    return True, text_seen


def sniff_encoding(path: str | Path) -> str:
    """The encoding :func:`decode_text` gives the whole file, found a block at a time.

    UTF-16 by its byte-order mark, else UTF-8 (``utf-8-sig`` with a byte-order mark)
    when every byte decodes, else cp1252, else latin-1; the file is never held whole.

    Raises
    ------
    InputError
        If the file is a zip (an .xlsx renamed), binary, or holds no text.
    """
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(8192)
    try:
        decode_text(head, path, partial=True)  # zip, binary: the same refusals, from the same bytes
    except UnicodeDecodeError:
        pass  # UTF-16 cut inside a character: the whole file is decoded below
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [("utf-16", 0)]
    else:
        bom = head.startswith(codecs.BOM_UTF8)
        candidates = [("utf-8-sig" if bom else "utf-8", 0), ("cp1252", 0), ("latin-1", 0)]
    for encoding, skip in candidates:
        ok, text_seen = _decodes(path, encoding, skip)
        if ok:
            if not text_seen:
                raise InputError(code="problem_empty_file", file=path)
            return encoding
    raise InputError(code="problem_binary_csv", file=path)  # (latin-1 decodes every byte)


@dataclass(frozen=True)
class TextTable:
    """A CSV/text table opened for streaming: its dialect and header, read without its rows.

    Made by :func:`open_text_table`. :meth:`chunks` reads the rows a bounded number at a
    time with the same parser and settings as :func:`read_raw` (cells as text, blank
    lines skipped), so the cells, the rows and their numbers are those of the whole
    file read at once; :meth:`check_short_rows` is :func:`read_raw`'s check of rows with
    too few or too many fields, a line at a time (before :meth:`chunks`: pandas drops a long
    row's extra field or shifts the first row's).

    Attributes
    ----------
    path : Path
    encoding, delimiter : str
    directive : bool
        The file starts with Excel's ``sep=;`` line (skipped).
    columns_in_file : list of str
        Every column name of the header (stripped).
    duplicate_columns : list of str
        Repeated header names as pandas renames them (``q1.1``).
    header_rows : int
        1, or 3 for a Qualtrics export (its second and third header rows are skipped).
    """

    path: Path
    encoding: str
    delimiter: str
    directive: bool
    columns_in_file: list[str] = field(default_factory=list)
    duplicate_columns: list[str] = field(default_factory=list)
    header_rows: int = 1

    def _read(self, columns: Callable[[str], bool] | list[int] | None, **kw: Any) -> Any:
        usecols = (lambda c: columns(str(c).strip())) if callable(columns) else columns
        return pd.read_csv(self.path, sep=self.delimiter, encoding=self.encoding, dtype=str,
                           keep_default_na=False, na_values=[], skip_blank_lines=True, usecols=usecols,
                           skiprows=1 if self.directive else None, **kw)

    def chunks(self, rows: int, columns: Callable[[str], bool] | list[int] | None = None
               ) -> Iterator[pd.DataFrame]:
        """The data rows, ``rows`` at a time (the last chunk may be shorter), with only
        the columns whose stripped name ``columns`` accepts (or at those positions).

        Column names are stripped; each chunk's index continues the previous one's
        (0 = the first data row). A Qualtrics export's two extra header rows are left out.

        Raises
        ------
        InputError
            If pandas cannot parse the file (read_raw's message).
        """
        drop = self.header_rows - 1
        try:
            with self._read(columns, chunksize=max(int(rows), 2)) as reader:
                for frame in reader:
                    frame.columns = [str(c).strip() for c in frame.columns]
                    if drop:
                        cut = min(drop, len(frame))
                        frame, drop = frame.iloc[cut:], drop - cut
                    frame.index = frame.index - (self.header_rows - 1)
                    yield frame
        except pd.errors.ParserError as err:
            raise _ragged(err, self.delimiter, self.path) from None

    def check_short_rows(self) -> None:
        """:func:`read_raw`'s refusal of rows with fewer fields than the header, reading a
        line at a time."""
        with open(self.path, encoding=self.encoding, newline="") as fh:
            if self.directive:
                fh.readline()
            _check_short_rows(fh, self.delimiter, self.path)


def open_text_table(path: str | Path, *, columns: Callable[[str], bool] | None = None) -> TextTable:
    """Open a CSV/text table for streaming (:class:`TextTable`): encoding, delimiter and
    header as :func:`read_raw` finds them, from the first megabyte and a block-wise pass.

    ``columns`` are the columns that will be read: a Qualtrics export is recognised, as
    :func:`read_raw` does, from its third row in those columns.

    Raises
    ------
    InputError
        As :func:`read_raw` for a missing, empty, binary or too wide file.
    """
    path = Path(path)
    _refuse_not_a_file(path)
    _check_header_width(path)
    encoding = sniff_encoding(path)
    with open(path, "rb") as fh:
        head = fh.read(_BLOCK)
    text = codecs.getincrementaldecoder(encoding)().decode(head, final=len(head) < _BLOCK)
    directive = _SEP_DIRECTIVE.match(text)
    if directive:
        text, delim = text[directive.end():], directive.group(1)
    else:
        delim = sniff_delimiter(text)
    table = TextTable(path=path, encoding=encoding, delimiter=delim, directive=bool(directive))
    try:
        names = [str(c) for c in table._read(None, nrows=0).columns]
        first = table._read(columns, nrows=2)
    except pd.errors.ParserError as err:
        raise _ragged(err, delim, path) from None
    first.columns = [str(c).strip() for c in first.columns]
    dupes = [c for c in names if re.fullmatch(r".+\.\d+", c) and re.sub(r"\.\d+$", "", c) in names]
    return TextTable(path=path, encoding=encoding, delimiter=delim, directive=bool(directive),
                     columns_in_file=[c.strip() for c in names], duplicate_columns=dupes,
                     header_rows=3 if _qualtrics_meta(first) is not None else 1)


def _read_other(path: Path) -> pd.DataFrame:
    ext = path.suffix.lower()
    if ext in EXCEL_EXT:
        return _read_excel(path)
    if ext in SPSS_EXT:
        return read_spss(path)
    if ext == ".parquet":
        return _finish(pd.read_parquet(path), path, {"format": "parquet", "header_rows": 1})
    if ext == ".xls":
        raise InputError(code="problem_xls", file=path)
    raise InputError(code="problem_file_type", values={"ext": repr(ext)}, file=path)


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a table as it is, sniffing its format; no instrument needed.

    Parameters
    ----------
    path : str or Path
        ``.csv``/``.tsv``/``.txt`` (delimiter, encoding and decimal comma sniffed),
        ``.xlsx`` (first sheet with data), ``.sav`` or ``.parquet``. Qualtrics exports
        (three header rows) are recognised and their header rows split off.

    Returns
    -------
    DataFrame
        Columns whose every non-empty cell is a number become numeric; others keep their
        text (stripped). ``frame.attrs`` records ``format``, ``encoding``, ``delimiter``,
        and for Qualtrics ``import_ids`` and ``question_text``, for SPSS
        ``value_labels`` and ``column_labels``.

    Raises
    ------
    InputError
        If the file is missing, empty, binary, of an unknown type or has ragged rows.
    """
    raw = read_raw(path)
    attrs = dict(raw.attrs)
    frame = pd.DataFrame({c: coerce(raw[c]) for c in raw.columns}, index=raw.index)
    frame.attrs.update(attrs)
    return frame


def is_qualtrics(path: str | Path) -> bool:
    """Whether a CSV/Excel file is a Qualtrics export (third row holds ``{"ImportId": ...}``)."""
    path = Path(path)
    if path.suffix.lower() in TEXT_EXT:
        try:
            with open(path, "rb") as fh:
                head = fh.read(1 << 16)
            text, _ = decode_text(head, path, partial=True)
        except InputError:
            return False
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text)))[:3]
        except csv.Error:  # a cell too long for the reader: reading the file will say so
            return False
        return len(rows) == 3 and sum(c.strip().startswith('{"ImportId"') for c in rows[2]) >= max(
            1, len(rows[2]) / 2)
    if path.suffix.lower() in EXCEL_EXT:
        try:
            return str(_read_excel(path).attrs.get("format", "")).startswith("qualtrics")
        except InputError:
            return False
    return False


def repeated_header_rows(frame: pd.DataFrame, names: Iterable[str]) -> list[int]:
    """The rows (0-based positions in ``frame``) that repeat the header: at least 80 % of
    ``names`` (the columns the reader needs; two at least) hold their own column's name.

    Two exports pasted together leave the second one's header among the answers (user
    trial 24: row 502 of a responses file, row 2 of a typing tool's answers); read as
    answers, every statement's column held a "text answer" and the hint said to recode
    them. A cell matches when it is the column's name as read (a comparison of whole
    arrays: ``typing-tool --score`` runs it on every chunk of a large file).
    """
    wanted = [str(n) for n in dict.fromkeys(names) if n is not None and str(n) in frame.columns]
    if len(wanted) < 2 or not len(frame):
        return []
    need = max(2, int(0.8 * len(wanted)))
    hits = np.zeros(len(frame), dtype=int)
    for col in wanted:
        cells = frame[col]
        cells = cells.iloc[:, 0] if isinstance(cells, pd.DataFrame) else cells
        if pd.api.types.is_numeric_dtype(cells):
            continue  # (a column of numbers holds no header)
        hits += cells.eq(col).fillna(False).to_numpy(dtype=bool)  # (pd.NA in a "string" column)
    return [int(r) for r in np.flatnonzero(hits >= need)]
