"""Reading survey responses and customer bases, and checking them against the instrument.

Survey responses come as CSV (any of ``,`` ``;`` tab or ``|`` separators; UTF-8, UTF-8
with BOM, UTF-16 or cp1252/latin-1; decimal commas), Excel ``.xlsx``, SPSS ``.sav``
(value labels kept) or a Qualtrics export (CSV or Excel with three header rows: field
names, question texts and ``{"ImportId": ...}``). Nothing has to be converted by hand:
a Swedish or Dutch Excel "CSV" works as saved.

Every problem in a responses file is found at once and reported in one
:class:`~behaviortypes.errors.InputError` naming the file, column, the first data rows
(1 = first row under the header) and the offending value, with a hint.

Customer bases (CSV, Parquet or a DuckDB database) are read whole with
:func:`read_customers` or streamed in bounded memory with :func:`iter_customer_batches`.

Examples
--------
>>> survey = load_survey("surveys/demo")  # doctest: +SKIP
>>> survey.items.shape  # doctest: +SKIP
(1200, 24)
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import json
import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError, Problem, SurveyQualityWarning
from .files import sha256_file, write_text
from .instrument import Instrument, instrument_from_dict, load_instrument

__all__ = [
    "Survey",
    "load_survey",
    "find_responses_file",
    "read_table",
    "read_responses",
    "validate_responses",
    "check_responses",
    "keyed_items",
    "is_qualtrics",
    "draft_instrument",
    "write_instrument_draft",
    "read_customers",
    "iter_customer_batches",
]

#: Cell texts read as "no answer" in text files (compared case-insensitively).
MISSING_TOKENS = frozenset({"", "na", "n/a", "#n/a", "nan", "null", "none", ".", "-"})
#: Too few respondents for the number of items: error below ``max(2 * items, 20)``.
MIN_RESPONDENTS_PER_ITEM = 2
MIN_RESPONDENTS = 20
#: Warn below this many respondents per item (factor analysis gets unstable).
WARN_RESPONDENTS_PER_ITEM = 5
#: Warn when an item is missing for more than this share of respondents.
WARN_MISSING_SHARE = 0.2
#: Warn when one answer is given by at least this share of respondents.
WARN_MODAL_SHARE = 0.9

_TEXT_EXT = {".csv", ".tsv", ".txt", ".tab"}
_EXCEL_EXT = {".xlsx", ".xlsm"}
_SPSS_EXT = {".sav", ".zsav"}
_RESPONSE_NAMES = ("responses.csv", "responses.xlsx", "responses.sav", "responses.tsv",
                   "responses.zsav", "responses.txt")
_DELIMITERS = (",", ";", "\t", "|")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
_ROWS_SHOWN = 5


# ----------------------------------------------------------------------------- raw tables
def _decode(raw: bytes, path: Path, *, partial: bool = False) -> tuple[str, str]:
    """Decode a text file, sniffing UTF-16/UTF-8 (BOM or not) and cp1252/latin-1.

    With ``partial=True`` ``raw`` is the start of a file and may end inside a character.
    """
    if raw.startswith(b"PK\x03\x04"):
        raise InputError(
            "this is an Excel (zip) file, not a text CSV", file=path,
            hint="rename it to .xlsx, or save it from Excel as 'CSV (semicolon/comma delimited)'",
        )
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16"
    head = raw[:8192]
    control = sum(b < 9 or 13 < b < 32 for b in head)
    if b"\x00" in head or (head and control / len(head) > 0.01):
        raise InputError(
            "this looks like a binary file, not a CSV text file", file=path,
            hint="export the responses as CSV, Excel .xlsx or SPSS .sav",
        )
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


def _sniff_delimiter(text: str) -> str:
    """Pick the delimiter giving a multi-column header with the most consistent row widths."""
    sample = text[: 1 << 16]
    best, best_score = ",", (False, 0.0, 0)
    for delim in _DELIMITERS:
        rows = list(csv.reader(io.StringIO(sample), delimiter=delim))[:60]
        if len(rows) > 2 and len(sample) < len(text):
            rows = rows[:-1]  # the last sampled row may be cut short
        rows = [r for r in rows if any(cell.strip() for cell in r)]
        if not rows:
            continue
        width = len(rows[0])
        consistent = sum(len(r) == width for r in rows) / len(rows)
        score = (width > 1 and consistent >= 0.9, consistent, width)
        if score > best_score:
            best, best_score = delim, score
    return best


def _to_number(values: pd.Series) -> pd.Series:
    """Parse numbers and number texts (decimal point or comma) to float; others become NaN."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    out = pd.to_numeric(values, errors="coerce").astype(float)  # fast path, C speed
    rest = out.isna() & values.notna()
    rest &= ~values.map(lambda v: isinstance(v, bool))
    if rest.any():
        text = values[rest].astype(str).str.strip()
        ok = text.str.match(_NUMBER).fillna(False)
        if ok.any():
            out[ok[ok].index] = pd.to_numeric(text[ok].str.replace(",", ".", regex=False))
    bools = values.map(lambda v: isinstance(v, bool))
    out[bools.to_numpy()] = np.nan
    return out


def _is_missing(values: pd.Series) -> pd.Series:
    """True where a cell is empty or a missing token such as ``NA``."""
    if pd.api.types.is_numeric_dtype(values):
        return values.isna()
    text = values.astype(str).str.strip().str.lower()
    return values.isna() | text.isin(MISSING_TOKENS)


def _coerce(values: pd.Series) -> pd.Series:
    """Return a numeric column when every non-missing cell is a number; else stripped text."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
        return values
    missing = _is_missing(values)
    if missing.all():
        return pd.Series(np.nan, index=values.index, dtype=float)
    num = _to_number(values.where(~missing))
    if num[~missing].notna().all():
        if not missing.any() and np.all(np.mod(num, 1) == 0) and num.abs().max() < 2**53:
            return num.astype("int64")
        return num
    return values.map(lambda v: v.strip() if isinstance(v, str) else v).where(~missing, np.nan)


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
        texts[col] = str(text).strip() if isinstance(text, str) else None
    return {"import_ids": import_ids, "question_text": texts}


def _finish(frame: pd.DataFrame, path: Path, attrs: dict[str, Any]) -> pd.DataFrame:
    """Split off Qualtrics header rows and attach reading metadata."""
    frame.columns = [str(c).strip() for c in frame.columns]
    meta = _qualtrics_meta(frame)
    if meta is not None:
        frame = frame.iloc[2:].reset_index(drop=True)
        attrs.update(format="qualtrics-" + attrs["format"], header_rows=3, **meta)
    frame.attrs.update(attrs)
    frame.attrs["file"] = str(path)
    return frame


def _read_text(path: Path) -> pd.DataFrame:
    text, encoding = _decode(path.read_bytes(), path)
    if not text.strip():
        raise InputError("the file is empty", file=path, hint="export the survey again")
    directive = re.match(r'"?sep=(.)"?\r?\n', text)  # Excel's "sep=;" first line
    if directive:
        text, delim = text[directive.end():], directive.group(1)
    else:
        delim = _sniff_delimiter(text)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delim, dtype=str, keep_default_na=False,
                            na_values=[], skip_blank_lines=True)
    except pd.errors.ParserError as err:
        match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(err))
        detail = (f"line {match.group(2)} has {match.group(3)} fields, the header has "
                  f"{match.group(1)}" if match else str(err).replace("\n", " "))
        raise InputError(
            f"rows have different numbers of columns: {detail}", file=path,
            hint=f"the separator looks like {delim!r}; check for unquoted separators in text answers",
        ) from None
    dupes = [c for c in frame.columns if re.fullmatch(r".+\.\d+", str(c)) and
             re.sub(r"\.\d+$", "", str(c)) in frame.columns]
    attrs = {"format": "csv", "encoding": encoding, "delimiter": delim,
             "header_rows": 1, "duplicate_columns": dupes}
    return _finish(frame, path, attrs)


def _read_excel(path: Path) -> pd.DataFrame:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException
    import zipfile

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError) as err:
        raise InputError(f"cannot open as an Excel workbook ({type(err).__name__})", file=path,
                         hint="save it from Excel as .xlsx, or export as CSV") from None
    try:
        for sheet in book.worksheets:
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
            rows = [r for r in rows if any(v is not None and str(v).strip() != "" for v in r)]
            if rows:
                break
        else:
            raise InputError("the workbook has no data", file=path, hint="export the survey again")
    finally:
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
    return _finish(frame, path, {"format": "xlsx", "sheet": sheet.title, "header_rows": 1,
                                 "duplicate_columns": dupes})


def _read_spss(path: Path, *, user_missing: bool = False) -> pd.DataFrame:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(path), user_missing=user_missing)
    except pyreadstat.ReadstatError as err:
        raise InputError(f"cannot read as an SPSS file ({err})", file=path,
                         hint="save it again from SPSS as .sav, or export as CSV") from None
    labels = {k: {float(code): str(text) for code, text in v.items()}
              for k, v in meta.variable_value_labels.items()}
    attrs = {
        "format": "sav", "header_rows": 1, "value_labels": labels,
        "column_labels": dict(zip(meta.column_names, meta.column_labels)),
        "missing_ranges": {k: [dict(r) for r in v] for k, v in meta.missing_ranges.items()},
        "encoding": meta.file_encoding,
    }
    frame.attrs.update(attrs)
    frame.attrs["file"] = str(path)
    return frame


def _read_raw(path: str | Path) -> pd.DataFrame:
    """Read a responses table with cells as read (text for CSV), Qualtrics rows split off."""
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", file=path, hint="check the path and file name")
    ext = path.suffix.lower()
    if ext in _TEXT_EXT:
        return _read_text(path)
    if ext in _EXCEL_EXT:
        return _read_excel(path)
    if ext in _SPSS_EXT:
        return _read_spss(path)
    if ext == ".parquet":
        return _finish(pd.read_parquet(path), path, {"format": "parquet", "header_rows": 1})
    if ext == ".xls":
        raise InputError("old Excel .xls files are not supported", file=path,
                         hint="open it in Excel and save as .xlsx")
    raise InputError(f"unknown file type {ext!r}", file=path,
                     hint="use .csv, .xlsx, .sav or a Qualtrics CSV export")


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
    raw = _read_raw(path)
    attrs = dict(raw.attrs)
    frame = pd.DataFrame({c: _coerce(raw[c]) for c in raw.columns}, index=raw.index)
    frame.attrs.update(attrs)
    return frame


def is_qualtrics(path: str | Path) -> bool:
    """Whether a CSV/Excel file is a Qualtrics export (third row holds ``{"ImportId": ...}``)."""
    path = Path(path)
    if path.suffix.lower() in _TEXT_EXT:
        try:
            with open(path, "rb") as fh:
                head = fh.read(1 << 16)
            text, _ = _decode(head, path, partial=True)
        except InputError:
            return False
        rows = list(csv.reader(io.StringIO(text), delimiter=_sniff_delimiter(text)))[:3]
        return len(rows) == 3 and sum(c.strip().startswith('{"ImportId"') for c in rows[2]) >= max(
            1, len(rows[2]) / 2)
    if path.suffix.lower() in _EXCEL_EXT:
        try:
            return str(_read_excel(path).attrs.get("format", "")).startswith("qualtrics")
        except InputError:
            return False
    return False


# ----------------------------------------------------------------------------- validation
def _rows(mask: pd.Series | np.ndarray) -> list[int]:
    """1-based data row numbers where ``mask`` is true."""
    return [int(i) + 1 for i in np.flatnonzero(np.asarray(mask))]


def _close(name: str, options: Sequence[str]) -> str | None:
    match = difflib.get_close_matches(name, [str(o) for o in options], n=1, cutoff=0.6)
    if not match:
        lower = {str(o).lower(): str(o) for o in options}
        return lower.get(name.lower())
    return match[0]


def _hint_column(name: str, columns: Sequence[str], what: str) -> str:
    near = _close(name, columns)
    if near is not None:
        return f"did you mean '{near}'? Rename the column or fix the {what} in instrument.yaml"
    shown = ", ".join(map(str, list(columns)[:8])) + (" ..." if len(columns) > 8 else "")
    return f"the file's columns are {shown}; fix the {what} in instrument.yaml"


def _ids_to_str(values: pd.Series) -> pd.Series:
    def one(v: Any) -> str | None:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            return str(int(v))
        text = str(v).strip()
        return text or None

    return values.map(one).astype(object)


def _parse_answers(values: pd.Series, labels: dict[int, str] | None) -> tuple[pd.Series, pd.Series]:
    """Numbers of a column and a mask of cells that are not numbers (nor scale labels)."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype(float), pd.Series(False, index=values.index)
    missing = _is_missing(values)
    num = _to_number(values.where(~missing))
    bad = ~missing & num.isna()
    if bad.any() and labels:
        by_label = {str(t).strip().casefold(): float(k) for k, t in labels.items()}
        from_label = values[bad].astype(str).str.strip().str.casefold().map(by_label)
        num[bad] = from_label
        bad = ~missing & num.isna()
    return num, bad


def _value_problem(col, values, mask, file, message, hint) -> Problem:
    rows = _rows(mask)
    first = values[np.asarray(mask)].iloc[0]
    if isinstance(first, (np.floating, float)):
        first = int(first) if float(first).is_integer() else float(first)
    elif isinstance(first, np.integer):
        first = int(first)
    return Problem(message, file=file, column=col, rows=rows, value=first, hint=hint)


def _convert(frame: pd.DataFrame, instrument: Instrument, file: Any
             ) -> tuple[pd.DataFrame, list[Problem], list[Problem]]:
    """Check a raw responses frame against the instrument and convert it.

    Returns the converted frame (index ``respondent_id``), errors and warnings.
    """
    file = file if file is not None else frame.attrs.get("file")
    errors: list[Problem] = []
    warns: list[Problem] = []
    frame = frame.reset_index(drop=True)
    inst, scale = instrument, instrument.scale
    scale_text = f"{scale.min:g}–{scale.max:g}"
    columns = list(frame.columns)
    n = len(frame)
    if n == 0:
        errors.append(Problem("the file has a header but no respondents", file=file,
                              hint="export the survey again with its responses"))
    # --- columns named in the instrument
    dupes = set(frame.attrs.get("duplicate_columns", []))
    named = [inst.id_column, *inst.item_ids, *(c.id for c in inst.attention_checks),
             inst.duration_column, inst.weight_column, inst.customer_id_column]
    for name in sorted({re.sub(r"\.\d+$", "", d) for d in dupes} & {c for c in named if c}):
        errors.append(Problem("the column appears more than once in the header", file=file,
                              column=name, hint="give every column a unique name"))
    if inst.id_column not in columns:
        errors.append(Problem("id column is missing from the data", file=file,
                              column=inst.id_column,
                              hint=_hint_column(inst.id_column, columns, "id_column")))
    missing_items = [i for i in inst.item_ids if i not in columns]
    if missing_items:
        shown = ", ".join(missing_items[:8]) + (" ..." if len(missing_items) > 8 else "")
        hint = _hint_column(missing_items[0], columns, "item ids")
        errors.append(Problem(f"{len(missing_items)} item(s) of the instrument are missing from the "
                              f"data: {shown}", file=file, column=missing_items[0], hint=hint))
    other = [("attention check", c.id) for c in inst.attention_checks] + [
        (label, name) for label, name in (("duration_column", inst.duration_column),
                                          ("weight_column", inst.weight_column),
                                          ("customer_id_column", inst.customer_id_column))
        if name]
    for label, col in other:
        if col not in columns:
            errors.append(Problem(f"{label} column is missing from the data", file=file,
                                  column=col, hint=_hint_column(col, columns, label)))
    out: dict[str, pd.Series] = {}
    # --- respondent ids
    ids = None
    if inst.id_column in columns:
        ids = _ids_to_str(frame[inst.id_column])
        empty = ids.isna()
        if empty.any():
            errors.append(Problem("respondent id is empty", file=file, column=inst.id_column,
                                  rows=_rows(empty), hint="every respondent needs an id"))
        dup = ids.duplicated(keep=False) & ~empty
        if dup.any():
            first = ids[dup].iloc[0]
            errors.append(Problem(f"duplicate respondent ids ({dup.sum()} rows share "
                                  f"{ids[dup].nunique()} id(s))", file=file, column=inst.id_column,
                                  rows=_rows(dup), value=first,
                                  hint="remove repeated rows or give each respondent a unique id"))
    # --- items
    codes = set(float(c) for c in scale.missing_codes)
    labels = scale.labels
    for col in [i for i in inst.item_ids if i in columns]:
        values = frame[col]
        num, bad = _parse_answers(values, labels)
        if bad.any():
            errors.append(_value_problem(
                col, values, bad, file, f"non-numeric answer, the scale is {scale_text}",
                "recode text answers as numbers" + ("" if labels else
                                                    " or list them under scale: labels")))
        num = num.where(~num.isin(codes))
        outside = (num < scale.min) | (num > scale.max)
        if outside.any():
            bad_value = float(num[outside].iloc[0])
            bad_value = int(bad_value) if bad_value.is_integer() else bad_value
            errors.append(Problem(
                f"value {bad_value:g} is outside the scale {scale_text}", file=file, column=col,
                rows=_rows(outside), value=bad_value,
                hint="fix the value, or declare it under scale: missing_codes "
                     "(e.g. 99 = don't know)"))
            num = num.where(~outside)
        out[col] = num
        answered = num.dropna()
        if n and not bad.any() and not outside.any():
            if answered.nunique() <= 1:
                what = "has no answers" if answered.empty else \
                    f"has the same answer ({answered.iloc[0]:g}) from every respondent"
                errors.append(Problem(f"item {what}: zero variance", file=file, column=col,
                                      hint="remove the item from instrument.yaml"))
                continue
            share_missing = 1 - len(answered) / n
            if share_missing > WARN_MISSING_SHARE:
                warns.append(Problem(f"{share_missing:.0%} of respondents did not answer this item",
                                     file=file, column=col,
                                     hint="check routing; consider dropping the item"))
            modal = answered.value_counts(normalize=True).iloc[0]
            if modal >= WARN_MODAL_SHARE:
                warns.append(Problem(f"low variance: {modal:.0%} of respondents gave the same "
                                     "answer", file=file, column=col,
                                     hint="the item will barely separate types"))
    # --- attention checks, duration and weight
    for check in inst.attention_checks:
        if check.id in columns:
            num, bad = _parse_answers(frame[check.id], labels)
            if bad.any():
                errors.append(_value_problem(check.id, frame[check.id], bad, file,
                                             "non-numeric answer to an attention check",
                                             "recode the answers as numbers"))
            out[check.id] = num
    if inst.duration_column and inst.duration_column in columns:
        col = inst.duration_column
        num, bad = _parse_answers(frame[col], None)
        if bad.any():
            errors.append(_value_problem(col, frame[col], bad, file,
                                         "duration is not a number of seconds",
                                         "export durations in seconds"))
        neg = num < 0
        if neg.any():
            errors.append(_value_problem(col, num, neg, file, "negative duration",
                                         "durations are seconds, 0 or more"))
        out[col] = num
    if inst.weight_column and inst.weight_column in columns:
        col = inst.weight_column
        num, bad = _parse_answers(frame[col], None)
        if bad.any():
            errors.append(_value_problem(col, frame[col], bad, file, "weight is not a number",
                                         "weights must be positive numbers"))
        nonpos = ~bad & ~(num > 0)
        if nonpos.any():
            errors.append(_value_problem(col, frame[col], nonpos, file,
                                         "weight is missing, zero or negative",
                                         "weights must be positive numbers"))
        out[col] = num
    if inst.customer_id_column and inst.customer_id_column in columns:
        out[inst.customer_id_column] = _ids_to_str(frame[inst.customer_id_column])  # "007" stays
    # --- enough respondents
    n_items = len(inst.item_ids)
    need = max(MIN_RESPONDENTS_PER_ITEM * n_items, MIN_RESPONDENTS)
    if 0 < n < need:
        errors.append(Problem(f"too few respondents: {n} for {n_items} items (need at least "
                              f"{need})", file=file,
                              hint="collect more responses or analyse fewer items"))
    elif n and n < WARN_RESPONDENTS_PER_ITEM * n_items:
        warns.append(Problem(f"few respondents: {n} for {n_items} items; factors and types may "
                             f"be unstable below {WARN_RESPONDENTS_PER_ITEM * n_items}", file=file))
    # --- assemble
    result = pd.DataFrame({col: out[col] if col in out else _coerce(frame[col])
                           for col in columns if col != inst.id_column}, index=frame.index)
    if ids is not None:
        result.index = pd.Index(ids.astype(str).where(ids.notna(), ""), name="respondent_id")
    else:
        result.index = pd.Index([str(i + 1) for i in range(n)], name="respondent_id")
    return result, errors, warns


def check_responses(frame: pd.DataFrame, instrument: Instrument, *, file: str | Path | None = None
                    ) -> tuple[list[Problem], list[Problem]]:
    """Every error and warning about a responses table, found at once.

    Parameters
    ----------
    frame : DataFrame
        The table as read (:func:`read_table`); rows in file order.
    instrument : Instrument
    file : str or Path, optional
        Named in the messages (default ``frame.attrs["file"]``).

    Returns
    -------
    errors, warnings : list of Problem
        Errors stop the analysis (missing or duplicate ids, items missing from the data,
        non-numeric answers, values outside the scale, zero-variance items, too few
        respondents, bad weights or durations). Warnings do not (high missingness,
        low-variance items, few respondents per item).
    """
    _, errors, warns = _convert(frame, instrument, file)
    return errors, warns


def validate_responses(frame: pd.DataFrame, instrument: Instrument, *,
                       file: str | Path | None = None) -> list[Problem]:
    """Every error in a responses table (see :func:`check_responses`); ``[]`` when it is fine."""
    return check_responses(frame, instrument, file=file)[0]


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
    raw = _map_import_ids(_read_raw(path), instrument)
    frame, errors, warns = _convert(raw, instrument, Path(path))
    if errors:
        raise InputError(problems=errors)
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
        For high missingness, low-variance items and few respondents per item.
    """
    frame, warns, _ = _read_checked(path, instrument)
    for w in warns:
        warnings.warn(str(w), SurveyQualityWarning, stacklevel=2)
    return frame


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


# ----------------------------------------------------------------------------- survey folder
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

    def summary(self) -> dict[str, Any]:
        """Counts for people: respondents, items, file, format and warnings."""
        return {
            "responses_file": self.responses_file.name,
            "n_respondents": len(self.responses),
            "n_items": len(self.instrument.item_ids),
            "missing_share": float(self.items.isna().to_numpy().mean()),
            "warnings": list(self.warnings),
        }


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
    found = [folder / n for n in _RESPONSE_NAMES if (folder / n).is_file()]
    for other in sorted(folder.iterdir()):
        if (other.is_file() and other not in found and not other.name.startswith(".")
                and other.suffix.lower() in _TEXT_EXT | _EXCEL_EXT and is_qualtrics(other)):
            found.append(other)
    if not found:
        raise InputError("no responses file in the survey folder", file=folder,
                         hint="add responses.csv, responses.xlsx, responses.sav or a Qualtrics "
                              "CSV export")
    if len(found) > 1:
        raise InputError(f"several responses files: {', '.join(p.name for p in found)}",
                         file=folder, hint="keep exactly one responses file in the folder")
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
    if not folder.is_dir():
        raise InputError("survey folder not found", file=folder,
                         hint="give the folder holding instrument.yaml and the responses")
    inst_path = folder / "instrument.yaml"
    if not inst_path.is_file() and (folder / "instrument.yml").is_file():
        inst_path = folder / "instrument.yml"
    instrument = load_instrument(inst_path)
    responses_file = find_responses_file(folder)
    frame, warns, attrs = _read_checked(responses_file, instrument)
    for w in warns:
        warnings.warn(str(w), SurveyQualityWarning, stacklevel=2)
    return Survey(
        path=folder,
        instrument=instrument,
        responses=frame,
        responses_file=responses_file,
        checksum=sha256_file(responses_file),
        warnings=tuple(str(w) for w in warns),
        value_labels=dict(attrs.get("value_labels", {})),
    )


# ----------------------------------------------------------------------------- drafting
_QUALTRICS_META = {
    "startdate", "enddate", "status", "ipaddress", "progress", "duration (in seconds)",
    "finished", "recordeddate", "responseid", "recipientlastname", "recipientfirstname",
    "recipientemail", "externalreference", "locationlatitude", "locationlongitude",
    "distributionchannel", "userlanguage",
}
_ID_NAMES = ("respondent_id", "responseid", "respid", "resp_id", "respondent", "id", "caseid",
             "case_id", "participant_id", "record")


def _guess_column(columns: Sequence[str], patterns: Sequence[str]) -> str | None:
    lower = {c.lower(): c for c in columns}
    for p in patterns:
        if p in lower:
            return lower[p]
    for p in patterns:
        for low, col in lower.items():
            if p in low:
                return col
    return None


def _longest_run(codes: list[int]) -> list[int]:
    best: list[int] = []
    run: list[int] = []
    for c in sorted(set(codes)):
        run = run + [c] if run and c == run[-1] + 1 else [c]
        if len(run) > len(best):
            best = run
    return best


def _flip_signs(r: np.ndarray) -> np.ndarray:
    """Signs (+1/-1) making the items' correlations as positive as possible (local search);
    oriented so that at most half are -1."""
    signs = np.ones(len(r))
    for _ in range(4 * len(r)):
        score = (r @ signs) * signs
        worst = int(np.argmin(score))
        if score[worst] >= 0:
            break
        signs[worst] *= -1
    return -signs if (signs < 0).sum() > len(signs) / 2 else signs


def _suggest_reverse(data: pd.DataFrame) -> dict[str, bool]:
    """Suggest reverse-keyed items from the answers.

    Items are grouped by average-linkage clustering of ``1 - |r|`` into as many groups as
    the correlation matrix has eigenvalues above 1; within a group the signs that make
    the correlations most positive are found, the minority being reverse-keyed. An item
    alone in its group takes the sign of its correlations with the others.
    """
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    cols = list(data.columns)
    out = {c: False for c in cols}
    r = data.corr().to_numpy()
    if len(data) < 30 or len(cols) < 3 or not np.all(np.isfinite(r)):
        return out
    k = max(1, int(np.sum(np.linalg.eigvalsh(r) > 1.0)))
    dist = 1 - np.abs(r)
    np.fill_diagonal(dist, 0)
    groups = fcluster(linkage(squareform(dist, checks=False), "average"), k, "maxclust")
    signs = np.ones(len(cols))
    np.fill_diagonal(r, 0)
    singles = []
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        if len(idx) == 1:
            singles.append(idx[0])
        else:
            signs[idx] = _flip_signs(r[np.ix_(idx, idx)])
    for i in singles:
        pull = np.sum(r[i] * np.abs(r[i]) * signs)
        signs[i] = -1.0 if pull < 0 else 1.0
    return {c: bool(sg < 0) for c, sg in zip(cols, signs)}


def draft_instrument(path: str | Path) -> dict[str, Any]:
    """Draft an instrument from a responses file (best from ``.sav`` or a Qualtrics export).

    Items are the integer-valued columns sharing the most common answer range; texts
    come from SPSS variable labels or Qualtrics question texts; the scale and its labels
    from SPSS value labels (labelled codes outside the scale, and SPSS user-missing
    values, become ``missing_codes``) or else from the answers. Items whose answers run
    against the rest of their cluster of correlated items are drafted with
    ``reverse: true`` (a suggestion from the data; see ``_suggest_reverse``). Review the draft
    before use.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    dict
        Plain data for ``instrument.yaml`` (validated by
        :func:`~behaviortypes.instrument.instrument_from_dict`).

    Raises
    ------
    InputError
        If no column looks like a Likert item.
    """
    path = Path(path)
    if path.suffix.lower() in _SPSS_EXT:
        raw = _read_spss(path, user_missing=True)
    else:
        raw = _read_raw(path)
    attrs = dict(raw.attrs)
    frame = pd.DataFrame({c: _coerce(raw[c]) for c in raw.columns})
    columns = [str(c) for c in frame.columns]
    value_labels = attrs.get("value_labels", {})
    texts = attrs.get("column_labels") or attrs.get("question_text") or {}
    user_missing: dict[str, set[float]] = {}
    for col, ranges in attrs.get("missing_ranges", {}).items():
        user_missing[col] = {float(r["lo"]) for r in ranges if r["lo"] == r["hi"]}
    id_col = _guess_column(columns, _ID_NAMES)
    if id_col is None or frame[id_col].duplicated().any():
        id_col = next((c for c in columns if frame[c].notna().all() and not frame[c].duplicated().any()),
                      columns[0])
    duration = _guess_column(columns, ("duration (in seconds)", "duration", "seconds"))
    weight = _guess_column(columns, ("weight", "gewicht", "vikt", "poids"))
    skip = {id_col, duration, weight} | {c for c in columns if c.lower() in _QUALTRICS_META}
    # candidate items: integer-valued numeric columns with at least three answers
    ranges: dict[str, tuple[int, int, list[float]]] = {}
    for col in columns:
        s = frame[col]
        if col in skip or not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        vals = s.dropna()
        if vals.empty or not np.all(np.mod(vals, 1) == 0):
            continue
        labelled = sorted(int(k) for k in value_labels.get(col, {}))
        main = _longest_run(labelled) if len(labelled) >= 3 else []
        if main:
            lo, hi = main[0], main[-1]
        else:
            core = vals[(vals > -1) & (vals < 90)]
            if core.empty:
                continue
            lo, hi = int(core.min()), int(core.max())
        extra = sorted({float(v) for v in vals.unique() if v < lo or v > hi}
                       | {float(k) for k in labelled if k < lo or k > hi}
                       | user_missing.get(col, set()))
        if 2 <= hi - lo <= 10 and vals[(vals >= lo) & (vals <= hi)].nunique() >= 2:
            ranges[col] = (lo, hi, extra)
    if not ranges:
        raise InputError("no column looks like a Likert item (integer answers on a common scale)",
                         file=path, hint="write instrument.yaml by hand; see README.md")
    common = pd.Series([(lo, hi) for lo, hi, _ in ranges.values()]).value_counts().index[0]
    lo, hi = common
    items = [c for c, (a, b, _) in ranges.items() if (a, b) == common]
    missing_codes = sorted({v for c in items for v in ranges[c][2] if v < lo or v > hi})
    data = frame[items].where(~frame[items].isin(missing_codes)).astype(float)
    # instructed-response items: named so, or nearly everyone gives one answer
    checks = []
    for col in items:
        shares = data[col].value_counts(normalize=True)
        named = re.search(r"att(n|ention)|check|instruct", col, re.IGNORECASE)
        if len(shares) and (named or shares.iloc[0] >= 0.9):
            checks.append({"id": col, "expect": int(shares.index[0])})
    items = [c for c in items if c not in {ch["id"] for ch in checks}]
    data = data[items]
    if len(items) < 2:
        raise InputError("no column looks like a Likert item (integer answers on a common scale)",
                         file=path, hint="write instrument.yaml by hand; see README.md")
    reverse = _suggest_reverse(data)
    scale: dict[str, Any] = {"min": int(lo), "max": int(hi)}
    label_sets = [value_labels[c] for c in items if c in value_labels]
    if label_sets:
        chosen = pd.Series([json.dumps(sorted(d.items())) for d in label_sets]).value_counts().index[0]
        labels = dict(json.loads(chosen))
        scale["labels"] = {int(float(k)): str(v) for k, v in labels.items() if lo <= float(k) <= hi}
    if missing_codes:
        scale["missing_codes"] = [int(v) if float(v).is_integer() else v for v in missing_codes]
    draft: dict[str, Any] = {"name": path.stem, "id_column": id_col, "scale": scale}
    if duration:
        draft["duration_column"] = duration
    if weight:
        draft["weight_column"] = weight
    draft["items"] = [
        {"id": c, "text": str(texts.get(c) or c).strip() or c, "reverse": reverse[c]} for c in items
    ]
    if checks:
        draft["attention_checks"] = checks
    instrument_from_dict(draft, file=path)  # a draft must load
    return draft


def write_instrument_draft(path: str | Path, out: str | Path | None = None, *,
                           overwrite: bool = False) -> Path:
    """Write :func:`draft_instrument` of ``path`` as YAML (default ``instrument.yaml`` beside it).

    Raises
    ------
    InputError
        If ``out`` exists and ``overwrite`` is false.
    """
    import yaml

    path = Path(path)
    out = Path(out) if out is not None else path.with_name("instrument.yaml")
    if out.exists() and not overwrite:
        raise InputError("the instrument file already exists", file=out,
                         hint="choose another output name or pass overwrite=True (--force)")
    draft = draft_instrument(path)
    text = (f"# Drafted by behaviortypes from {path.name}. Check the item texts, the scale and\n"
            "# which items are reverse-keyed (reverse: true) before running the analysis.\n")
    text += yaml.safe_dump(draft, sort_keys=False, allow_unicode=True, width=100)
    return write_text(out, text)


# ----------------------------------------------------------------------------- customers
def _quote_ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _csv_options(path: Path) -> dict[str, Any]:
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    if not head.strip():
        raise InputError("the file is empty", file=path)
    text, encoding = _decode(head, path, partial=True)
    delim = _sniff_delimiter(text)
    decimal = "."
    if delim != ",":
        cells = [c.strip() for row in csv.reader(io.StringIO(text), delimiter=delim) for c in row]
        commas = sum(bool(re.fullmatch(r"[+-]?\d+,\d+", c)) for c in cells)
        points = sum(bool(re.fullmatch(r"[+-]?\d+\.\d+", c)) for c in cells)
        decimal = "," if commas > points else "."
    return {"encoding": encoding, "delimiter": delim, "decimal": decimal}


def _csv_arrow_options(path: Path, columns, id_column, batch_rows: int | None = None):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    opts = _csv_options(path)
    enc = {"utf-8-sig": "utf8", "utf-8": "utf8"}.get(opts["encoding"], opts["encoding"])
    read = pacsv.ReadOptions(encoding=enc, block_size=1 << 22 if batch_rows else None)
    parse = pacsv.ParseOptions(delimiter=opts["delimiter"])
    types = {id_column: pa.string()} if id_column else None
    convert = pacsv.ConvertOptions(include_columns=list(columns) if columns else None,
                                   decimal_point=opts["decimal"], column_types=types,
                                   strings_can_be_null=True)
    return read, parse, convert


def _check_columns(path: Path, available: Sequence[str], columns: Sequence[str] | None) -> None:
    if not columns:
        return
    missing = [c for c in columns if c not in available]
    if missing:
        raise InputError(f"column(s) not in the customer base: {', '.join(missing)}", file=path,
                         column=missing[0], hint=_hint_column(missing[0], list(available), "column"))


def _duckdb_relation(path: Path, columns, table, query, id_column):
    """A DuckDB connection and relation for a customer base (any supported format)."""
    import duckdb

    ext = path.suffix.lower()
    if table is not None and query is not None:
        raise InputError("give table= or query=, not both", file=path)
    if ext in {".duckdb", ".db", ".ddb"}:
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as err:
            raise InputError(f"cannot open the DuckDB database ({err})", file=path) from None
        if query is None:
            tables = [r[0] for r in con.execute(
                "SELECT table_name FROM information_schema.tables").fetchall()]
            if table is None:
                if len(tables) != 1:
                    con.close()
                    raise InputError("name the table of customers", file=path,
                                     hint=f"pass table=; the database has: {', '.join(tables) or 'none'}")
                table = tables[0]
            if table not in tables:
                con.close()
                raise InputError(f"no table {table!r} in the database", file=path, value=table,
                                 hint=f"tables: {', '.join(tables) or 'none'}")
            query = f"SELECT * FROM {_quote_ident(table)}"
    else:
        con = duckdb.connect()
        if table is not None:
            raise InputError("table= is for DuckDB databases", file=path,
                             hint="for a CSV or Parquet file use query= with the view 'customers'")
        source = _read_customer_arrow(path, None, id_column)
        con.register("customers", source)
        query = query or "SELECT * FROM customers"
    try:
        rel = con.sql(query)
    except duckdb.Error as err:
        con.close()
        raise InputError(f"the query failed: {str(err).splitlines()[0]}", file=path,
                         hint="check table and column names") from None
    _check_columns(path, rel.columns, columns)
    if columns:
        rel = rel.select(*[_quote_ident(c) for c in columns])
    return con, rel


def _read_customer_arrow(path: Path, columns, id_column):
    """Read a CSV or Parquet customer base as a pyarrow Table (lazily for Parquet)."""
    import pyarrow.csv as pacsv
    import pyarrow.dataset as ds
    import pyarrow as pa

    ext = path.suffix.lower()
    if ext == ".parquet" or path.is_dir():
        dataset = ds.dataset(str(path), format="parquet")
        _check_columns(path, dataset.schema.names, columns)
        return dataset
    if ext in _TEXT_EXT:
        read, parse, convert = _csv_arrow_options(path, None, id_column)
        try:
            table = pacsv.read_csv(str(path), read_options=read, parse_options=parse,
                                   convert_options=convert)
        except pa.ArrowInvalid as err:
            raise InputError(f"cannot read the CSV ({str(err).splitlines()[0]})", file=path,
                             hint="check that every row has the same number of columns") from None
        _check_columns(path, table.column_names, columns)
        return table.select(list(columns)) if columns else table
    raise InputError(f"unknown customer file type {ext!r}", file=path,
                     hint="use .csv, .parquet or a DuckDB .duckdb database")


def read_customers(path: str | Path, *, columns: Sequence[str] | None = None,
                   table: str | None = None, query: str | None = None,
                   id_column: str | None = None) -> pd.DataFrame:
    """Read a whole customer base.

    Parameters
    ----------
    path : str or Path
        ``.csv`` (delimiter, encoding and decimal comma sniffed), ``.parquet`` (file or
        folder) or a DuckDB database (``.duckdb``/``.db``).
    columns : sequence of str, optional
        Columns to read (default all).
    table : str, optional
        Table of a DuckDB database (default: its only table).
    query : str, optional
        SQL run by DuckDB; for CSV/Parquet the file is the view ``customers``.
    id_column : str, optional
        Column read as text (keeps leading zeros of ids).

    Returns
    -------
    DataFrame

    Raises
    ------
    InputError
        If the file, table or columns do not exist, or the query fails.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("customer file not found", file=path, hint="check the path")
    if query is None and table is None and path.suffix.lower() not in {".duckdb", ".db", ".ddb"}:
        source = _read_customer_arrow(path, columns, id_column)
        table_ = source.to_table(columns=list(columns) if columns else None) \
            if hasattr(source, "to_table") else source
        frame = table_.to_pandas()
    else:
        con, rel = _duckdb_relation(path, columns, table, query, id_column)
        try:
            frame = rel.df()
        finally:
            con.close()
    if id_column and id_column in frame.columns:
        frame[id_column] = _ids_to_str(frame[id_column])
    return frame


def _rebatch(batches, batch_size: int, id_column: str | None) -> Iterator[pd.DataFrame]:
    import pyarrow as pa

    pending: list = []
    count = 0
    for batch in batches:
        if batch.num_rows == 0:
            continue
        pending.append(batch)
        count += batch.num_rows
        while count >= batch_size:
            table = pa.Table.from_batches(pending)
            head, rest = table.slice(0, batch_size), table.slice(batch_size)
            yield _batch_frame(head, id_column)
            pending = rest.to_batches() if rest.num_rows else []
            count = rest.num_rows
    if count:
        yield _batch_frame(pa.Table.from_batches(pending), id_column)


def _batch_frame(table, id_column: str | None) -> pd.DataFrame:
    frame = table.to_pandas()
    if id_column and id_column in frame.columns:
        frame[id_column] = _ids_to_str(frame[id_column])
    return frame


def iter_customer_batches(path: str | Path, *, batch_size: int = 100_000,
                          columns: Sequence[str] | None = None, table: str | None = None,
                          query: str | None = None, id_column: str | None = None
                          ) -> Iterator[pd.DataFrame]:
    """Stream a customer base in DataFrames of ``batch_size`` rows (the last may be shorter).

    Memory stays bounded by the batch size: Parquet is read with
    ``pyarrow.dataset`` batch scanning, CSV with ``pyarrow.csv.open_csv``, DuckDB
    tables and queries with ``to_arrow_reader``. Parameters are as in
    :func:`read_customers`.

    Yields
    ------
    DataFrame
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.dataset as ds

    path = Path(path)
    if batch_size < 1:
        raise InputError(f"batch_size must be at least 1, not {batch_size}", value=batch_size)
    if not path.exists():
        raise InputError("customer file not found", file=path, hint="check the path")
    ext = path.suffix.lower()
    if query is None and table is None and (ext == ".parquet" or path.is_dir()):
        dataset = ds.dataset(str(path), format="parquet")
        _check_columns(path, dataset.schema.names, columns)
        batches = dataset.to_batches(columns=list(columns) if columns else None,
                                     batch_size=batch_size)
        yield from _rebatch(batches, batch_size, id_column)
        return
    if query is None and table is None and ext in _TEXT_EXT:
        read, parse, convert = _csv_arrow_options(path, None, id_column, batch_rows=batch_size)
        try:
            reader = pacsv.open_csv(str(path), read_options=read, parse_options=parse,
                                    convert_options=convert)
        except pa.ArrowInvalid as err:
            raise InputError(f"cannot read the CSV ({str(err).splitlines()[0]})", file=path) from None
        _check_columns(path, reader.schema.names, columns)

        def selected():
            try:
                for batch in reader:
                    yield batch.select(list(columns)) if columns else batch
            except pa.ArrowInvalid as err:
                raise InputError(f"cannot read the CSV ({str(err).splitlines()[0]})",
                                 file=path) from None

        yield from _rebatch(selected(), batch_size, id_column)
        return
    if ext not in {".duckdb", ".db", ".ddb"}:
        # a query over a CSV/Parquet file: DuckDB scans an Arrow stream of the file
        import duckdb

        if table is not None:
            raise InputError("table= is for DuckDB databases", file=path,
                             hint="for a CSV or Parquet file use query= with the view 'customers'")
        if ext == ".parquet" or path.is_dir():
            source = ds.dataset(str(path), format="parquet")
        elif ext in _TEXT_EXT:
            read, parse, convert = _csv_arrow_options(path, None, id_column, batch_rows=batch_size)
            source = pacsv.open_csv(str(path), read_options=read, parse_options=parse,
                                    convert_options=convert)
        else:
            raise InputError(f"unknown customer file type {ext!r}", file=path,
                             hint="use .csv, .parquet or a DuckDB .duckdb database")
        con = duckdb.connect()
        con.register("customers", source)
        try:
            rel = con.sql(query or "SELECT * FROM customers")
        except duckdb.Error as err:
            con.close()
            raise InputError(f"the query failed: {str(err).splitlines()[0]}", file=path,
                             hint="check table and column names") from None
        _check_columns(path, rel.columns, columns)
        if columns:
            rel = rel.select(*[_quote_ident(c) for c in columns])
    else:
        con, rel = _duckdb_relation(path, columns, table, query, id_column)
    try:
        reader = rel.to_arrow_reader(batch_size)
        yield from _rebatch(reader, batch_size, id_column)
    finally:
        con.close()
