"""Reading and checking a file of answers to the typing tool's statements, a chunk of rows at a time.

:func:`open_answers` checks what can be checked before the answers are read — the
file's structure, the id column (blank or repeated ids), the statements' columns — and
returns the rows as chunks (:class:`AnswerRows`): a CSV file is read a bounded number of
rows at a time (twice: the id column, then the statements), keeping 16 bytes per row to
find repeated ids; Excel and SPSS files are read whole (openpyxl and pyreadstat read them
so). :class:`AnswerChecker` checks the answers chunk by chunk. The problems and their
messages are those of reading the whole file at once: the same first problem, rows
numbered as a spreadsheet shows them in the whole file (the header is row 1), the
respondent's id and the value. :func:`read_answers` reads a file whole, checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError, Problem, Said, as_written
from ..readers import TEXT_EXT, coerce, open_text_table
from ..readers.tables import read_raw, repeated_header_rows
from .spec import TypingSpec, default_min_answered

__all__ = ["AnswerChunk", "AnswerRows", "AnswerChecker", "open_answers", "read_answers", "rows_per_chunk",
           "MAX_CHUNK_ROWS"]

#: Most rows read, checked and typed at a time (pandas parses every column of a chunk: a wide file costs more).
MAX_CHUNK_ROWS = 10_000


# --------------------------------------------------------------------------- one file, in chunks
@dataclass
class AnswerChunk:
    """Rows of an answers file.

    Attributes
    ----------
    frame : DataFrame
        The id's and the statements' cells as read (text for a CSV), columns stripped.
    ids : ndarray of str
        The respondents' ids, as the whole column reads them (``007`` is 7 when every id
        is a number).
    numbers : ndarray of int
        Each row's number as a spreadsheet shows it in the whole file (the header is row 1).
    """

    frame: pd.DataFrame
    ids: np.ndarray
    numbers: np.ndarray


@dataclass
class AnswerRows:
    """An answers file whose structure, ids and columns are checked (:func:`open_answers`).

    Attributes
    ----------
    path : Path
    id_col : str
        The id column's name in the file.
    n_rows : int
        Respondents (data rows).
    chunks : callable
        ``chunks(rows)`` iterates over the rows as :class:`AnswerChunk` of at most
        ``rows`` rows, in file order (each call reads the file again).
    """

    path: Path
    id_col: str
    n_rows: int
    chunks: Callable[[int], Iterator[AnswerChunk]]


def rows_per_chunk(n: int, most: int | None = None) -> int:
    """Rows checked at a time: about 20 chunks (a progress line every 10 %), 100 to MAX_CHUNK_ROWS (10,000) rows."""
    return max(1, min(int(most or MAX_CHUNK_ROWS), max(100, -(-n // 20))))


def _id_column(frame: pd.DataFrame, spec: TypingSpec, file: Path, id_column: str | None = None) -> str:
    by_lower = {str(c).strip().lower(): c for c in frame.columns}
    every = frame.attrs.get("columns_in_file") or list(frame.columns)  # the file's, not only those read
    found = ", ".join(map(str, every[:8])) + (" …" if len(every) > 8 else "")
    if id_column is not None:
        if str(id_column).strip().lower() in by_lower:
            return by_lower[str(id_column).strip().lower()]
        raise InputError(code="problem_answers_no_id_named", values={"name": repr(id_column), "found": found},
                         file=file, value=id_column)
    names = list(dict.fromkeys(["respondent_id", spec.id_column]))
    for name in names:
        if name.lower() in by_lower:
            return by_lower[name.lower()]
    named = names[0] if len(names) == 1 else Said("problem_either", {"a": names[0], "b": names[1]})
    raise InputError(code="problem_answers_no_id", values={"named": named, "found": found}, file=file)


def _row_numbers(frame: pd.DataFrame) -> np.ndarray:
    """Each data row's number as the user sees it (Excel's row; the header is row 1)."""
    header_rows = int(frame.attrs.get("header_rows", 1) or 1)
    data_rows = frame.attrs.get("data_rows")
    base = (np.asarray(data_rows, dtype=int) if data_rows and len(data_rows) == len(frame)
            else np.arange(1, len(frame) + 1))
    return base + header_rows


def _lacking(path: Path, spec: TypingSpec, missing: list[str], min_answered: int | None) -> InputError:
    """Statements' columns missing: the hint says they can be added empty (a blank is
    unanswered, typed from the rest) while enough remain for a type (trial 8)."""
    n, k = len(spec.items), len(missing)
    need = min(max(1, int(min_answered)), n) if min_answered else default_min_answered(n)
    values = {"missing": ", ".join(missing), "items": ", ".join(spec.items), "k": k, "n": n,
              "need": need, "spare": n - need, "have": n - k}
    code = "problem_answers_lack" if k > 1 else "problem_answers_lack_one"
    hint = None if n - k >= need else Said("problem_answers_lack_many_hint" if n > k else "problem_answers_lack_all_hint", values)
    return InputError(code=code, values=values, hint=hint, file=path, column=missing[0])


def _check_columns(path: Path, spec: TypingSpec, columns: list[str], duplicate_columns: list[str],
                   id_col: str, min_answered: int | None, in_file: list[str] | None = None) -> None:
    """Refuse a repeated header name (which answers are meant is unknown, and the repeat
    often stands where a statement is missing) and statements' columns missing (``in_file``:
    every column of the file, to say when the statements' texts head them)."""
    missing_cols = [i for i in spec.items if i not in columns]
    repeated = list(dict.fromkeys(re.sub(r"\.\d+$", "", str(c)) for c in duplicate_columns or []))
    repeated = [c for c in repeated if c in spec.items or c == id_col] if not missing_cols else repeated
    if repeated:
        lack = (f", and the statement{'s' if len(missing_cols) > 1 else ''} {', '.join(missing_cols)} "
                f"{'are' if len(missing_cols) > 1 else 'is'} missing (is a repeat meant to be "
                f"{'one of them' if len(missing_cols) > 1 else missing_cols[0]}?)") if missing_cols else ""
        raise InputError(
            f"the column appears more than once in the header{lack}", file=path, column=repeated[0],
            hint="give every column a unique name (the typing tool needs the columns "
                 f"{', '.join(spec.items)})")
    if missing_cols:
        _refuse_texts_as_names(path, spec, list(in_file or columns), missing_cols)
        raise _lacking(path, spec, missing_cols, min_answered)


def _refuse_texts_as_names(path: Path, spec: TypingSpec, columns: list[str], missing_cols: list[str]) -> None:
    """Columns headed with the missing statements' texts (an export that writes the question,
    not its id): say which statement the first one is and to name it by its id (trial 23)."""
    def plain(text: object) -> str:  # a heading as the statement's text: spaces and case aside
        return " ".join(str(text).split()).casefold()

    texts = {plain(t): i for i, t in spec.tool.texts_.items() if i in missing_cols and t}
    named = [c for c in columns if plain(c) in texts]
    if named:
        item = texts[plain(named[0])]
        raise InputError(code="problem_answers_column_is_text", file=path, column=named[0],
                         values={"column": named[0], "item": item, "n": len(named), "items": ", ".join(spec.items)})


def _id_texts(coerced: pd.Series) -> np.ndarray:
    """Ids as text, from the id column as :func:`behaviortypes.readers.coerce` reads it
    (a whole-number id loses its ``.0``; a blank is ``""``)."""
    ids = coerced.map(lambda v: "" if pd.isna(v) else str(v).strip())
    ids = ids.map(lambda s: s[:-2] if s.endswith(".0") and s[:-2].lstrip("-").isdigit() else s)
    return ids.to_numpy(object)


def _refuse_blank_or_repeated(path: Path, id_col: str, ids: np.ndarray, numbers: np.ndarray) -> None:
    blank = ids == ""
    if blank.any():
        raise InputError(code="problem_answers_blank_id", file=path, column=id_col, rows=numbers[blank].tolist())
    dupes = pd.Series(ids).duplicated(keep=False).to_numpy()
    if dupes.any():
        raise InputError(code="problem_answers_ids_unique", file=path, column=id_col,
                         rows=numbers[dupes].tolist(), value=ids[dupes][0])


def _whole_answers(path: Path, spec: TypingSpec, wanted: Callable[[str], bool], id_column: str | None,
                   min_answered: int | None) -> AnswerRows:
    """An Excel, SPSS (or Parquet) file: read whole (their readers cannot stream), checked as a whole."""
    frame = read_raw(path, columns=wanted)
    numbers = _row_numbers(frame)
    frame = frame.reset_index(drop=True)
    frame.columns = [str(c).strip() for c in frame.columns]
    id_col = _id_column(frame, spec, path, id_column)
    ids = _id_texts(coerce(frame[id_col]))
    _refuse_blank_or_repeated(path, id_col, ids, numbers)
    _check_columns(path, spec, list(frame.columns), frame.attrs.get("duplicate_columns") or [], id_col,
                   min_answered, frame.attrs.get("columns_in_file"))
    frame = frame[list(dict.fromkeys([id_col, *spec.items]))]

    def chunks(step: int) -> Iterator[AnswerChunk]:
        for start in range(0, len(frame), step):
            part = slice(start, start + step)
            yield AnswerChunk(frame.iloc[part], ids[part], numbers[part])

    return AnswerRows(path, id_col, len(frame), chunks)


@dataclass
class _IdScan:
    """What a pass over a CSV's id column found, in 16 bytes per row: how the whole
    column reads (all numbers, whole numbers), blank rows, and keys to find repeats."""

    numeric: bool = True
    whole: bool = True
    n_rows: int = 0
    blank_rows: list[np.ndarray] = field(default_factory=list)
    text_keys: list[np.ndarray] = field(default_factory=list)
    numbers: list[np.ndarray] = field(default_factory=list)

    def add(self, raw: pd.Series, first_row: int) -> None:
        rows = first_row + np.arange(len(raw))
        coerced = coerce(raw)
        blank = coerced.isna().to_numpy()
        if blank.any():
            self.blank_rows.append(rows[blank])
        self.text_keys.append(pd.util.hash_array(_id_texts(_coerce_text(raw))))
        if self.numeric and pd.api.types.is_numeric_dtype(coerced):
            num = coerced.to_numpy(float)
            self.numbers.append(num)
            ok = num[~blank]
            self.whole = self.whole and bool(np.all(np.mod(ok, 1) == 0) and (np.abs(ok).max(initial=0) < 2**53))
        else:
            self.numeric, self.numbers = False, []
        self.n_rows += len(raw)

    def mode(self) -> str:
        """How the whole column reads (``coerce`` of the whole column): ``int``, ``float`` or ``text``."""
        if not self.numeric:
            return "text"
        return "int" if self.whole and not self.blank_rows else "float"

    def repeated_keys(self, mode: str) -> np.ndarray:
        """Keys seen more than once (equal ids have equal keys; a text key may collide)."""
        if mode == "text":
            keys = np.concatenate(self.text_keys) if self.text_keys else np.zeros(0, np.uint64)
        else:
            num = np.concatenate(self.numbers) if self.numbers else np.zeros(0)
            keys = num.astype(np.int64) if mode == "int" else np.ascontiguousarray(num).view(np.int64)
        self.text_keys, self.numbers = [], []  # (one copy of the keys at a time)
        keys.sort()
        return np.unique(keys[1:][keys[1:] == keys[:-1]])


def _coerce_text(raw: pd.Series) -> pd.Series:
    """The id column's cells as ``coerce`` reads a column that is not all numbers: stripped text."""
    return raw.map(lambda v: v.strip() if isinstance(v, str) else v).where(~coerce(raw).isna(), np.nan)


def _chunk_ids(raw: pd.Series, mode: str) -> np.ndarray:
    """One chunk's ids as text, as ``coerce`` of the whole column gives them (``mode``)."""
    if mode == "text":
        return _id_texts(_coerce_text(raw))
    num = coerce(raw).astype(float)
    return _id_texts(num.astype("int64") if mode == "int" else num)


def _id_key(ids: np.ndarray, raw: pd.Series, mode: str) -> np.ndarray:
    if mode == "text":
        return pd.util.hash_array(ids)
    num = coerce(raw).to_numpy(float)
    return num.astype(np.int64) if mode == "int" else np.ascontiguousarray(num).view(np.int64)


def _scan_ids(table: Any, id_col: str | None, step: int) -> _IdScan:
    """First pass over a CSV: the id column (or the first, to parse the file as pandas does)."""
    scan = _IdScan()
    column = [id_col] if id_col is not None else [0]
    pick = (lambda c: c == id_col) if id_col is not None else column
    for frame in table.chunks(step, pick):
        if id_col is not None:
            scan.add(frame[id_col], scan.n_rows)
        else:
            scan.n_rows += len(frame)
    return scan


def _exact_repeats(table: Any, id_col: str, step: int, mode: str, keys: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Rows (0-based) and ids of the ids that really repeat, among the rows whose key repeats."""
    rows, ids = [], []
    start = 0
    for frame in table.chunks(step, lambda c: c == id_col):
        text = _chunk_ids(frame[id_col], mode)
        hit = np.isin(_id_key(text, frame[id_col], mode), keys)
        rows.append(start + np.flatnonzero(hit))
        ids.append(text[hit])
        start += len(frame)
    rows_a, ids_a = np.concatenate(rows), np.concatenate(ids) if ids else np.zeros(0, object)
    dupes = pd.Series(ids_a).duplicated(keep=False).to_numpy()
    return rows_a[dupes], ids_a[dupes]


def _streamed_answers(path: Path, spec: TypingSpec, wanted: Callable[[str], bool], id_column: str | None,
                      min_answered: int | None) -> AnswerRows:
    """A CSV: read a chunk of rows at a time, twice (the id column, then the statements),
    checked in the order and with the messages of reading it whole."""
    table = open_text_table(path, columns=wanted)
    columns = [c for c in table.columns_in_file if wanted(c)]
    header = pd.DataFrame(columns=columns)
    header.attrs["columns_in_file"] = table.columns_in_file
    try:
        id_col, id_error = _id_column(header, spec, path, id_column), None
    except InputError as err:  # said after the file is parsed, as when it is read whole
        id_col, id_error = None, err
    table.check_short_rows()  # (a long row read by pandas loses a field, or shifts the ids)
    scan = _scan_ids(table, id_col, MAX_CHUNK_ROWS)
    if id_error is not None:
        raise id_error
    first_row = table.header_rows + 1  # the first respondent's row as a spreadsheet shows it
    if scan.blank_rows:
        raise InputError(code="problem_answers_blank_id", file=path, column=id_col,
                         rows=(np.concatenate(scan.blank_rows) + first_row).tolist())
    mode = scan.mode()
    keys = scan.repeated_keys(mode)
    if len(keys):
        rows, ids = _exact_repeats(table, id_col, MAX_CHUNK_ROWS, mode, keys)
        if len(rows):
            order = np.argsort(rows, kind="stable")
            raise InputError(code="problem_answers_ids_unique", file=path, column=id_col,
                             rows=(rows[order] + first_row).tolist(), value=ids[order][0])
    n_rows = scan.n_rows
    del scan
    _check_columns(path, spec, columns, table.duplicate_columns, id_col, min_answered, table.columns_in_file)
    return AnswerRows(path, id_col, n_rows, lambda step: _csv_chunks(table, spec, id_col, mode, step, first_row))


def _csv_chunks(table: Any, spec: TypingSpec, id_col: str, mode: str, step: int, first_row: int
                ) -> Iterator[AnswerChunk]:
    """Second pass: the id's and the statements' columns, ``step`` rows at a time."""
    order = list(dict.fromkeys([id_col, *spec.items]))
    keep = set(order)
    start = 0
    for frame in table.chunks(step, lambda c: c in keep):
        frame = frame[order]
        yield AnswerChunk(frame, _chunk_ids(frame[id_col], mode), first_row + start + np.arange(len(frame)))
        start += len(frame)


# --------------------------------------------------------------------------- checks and typing
def _answer_batch(raw: pd.Series, spec: TypingSpec, by_label: dict[str, float]
                  ) -> tuple[np.ndarray, list[np.ndarray], list[Any]]:
    """One statement's answers in a batch of rows as numbers (NaN: missing), and the masks
    of answers that are no number, off the scale, or between points, with the first
    unreadable answer as written."""
    none = np.zeros(len(raw), bool)
    bad, first_bad = none, None
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        num = raw.astype(float)
    else:
        text = raw.map(lambda v: v if pd.isna(v) else str(v).strip())
        num = pd.to_numeric(text.map(lambda v: v.replace(",", ".") if isinstance(v, str) else v),
                            errors="coerce").astype(float)
        labelled = num.isna() & text.notna()
        if labelled.any() and by_label:
            num[labelled] = text[labelled].str.casefold().map(by_label)
        bad = (num.isna() & text.notna()).to_numpy()
        first_bad = raw[bad].iloc[0] if bad.any() else None
    if spec.missing_codes:
        num[num.isin(spec.missing_codes)] = np.nan
    outside = (num.notna() & ((num < spec.scale_min) | (num > spec.scale_max))).to_numpy()
    between = none
    if float(spec.scale_min).is_integer() and float(spec.scale_max).is_integer():
        between = (num.notna() & (num != np.floor(num))).to_numpy() & ~outside  # 3.5: not a scale point
    return num.to_numpy(float), [bad, outside, between], [first_bad, None, None]


@dataclass
class _Flag:
    """The first problem with the answers so far (statement, kind), its rows and first value."""

    key: tuple[int, int]
    value: Any
    respondent: str
    rows: list[np.ndarray] = field(default_factory=list)


class AnswerChecker:
    """Checks the statements' answers a chunk at a time (:meth:`values`, then
    :meth:`raise_problem` after the last chunk). The problem it reports is the
    one a check of whole columns gives: the first statement with a problem, not a number
    before off the scale before not a point of the scale, naming all its rows. Only that
    problem's rows are kept (a problem of an earlier statement or kind replaces it)."""

    KINDS = ("problem_answer_not_number", "problem_answer_outside", "problem_not_a_point")

    def __init__(self, spec: TypingSpec, path: Path) -> None:
        self.spec, self.path = spec, path
        self.by_label = {t.strip().casefold(): float(k) for k, t in spec.scale_labels.items()}
        self.flag: _Flag | None = None

    def values(self, chunk: AnswerChunk) -> np.ndarray:
        """The chunk's answers as numbers (NaN: missing); problems are remembered."""
        repeats = repeated_header_rows(chunk.frame, chunk.frame.columns)
        if repeats:  # two files pasted together: one line, not "answers must be numbers" (trial 24)
            rows = [int(chunk.numbers[r]) for r in repeats]
            raise InputError(problems=[Problem(
                code="problem_header_repeated" if len(rows) == 1 else "problem_header_repeated_rows",
                values={"row": rows[0], "rows": ", ".join(map(str, rows))}, file=self.path)])
        out = np.full((len(chunk.ids), len(self.spec.items)), np.nan)
        for j, item in enumerate(self.spec.items):
            num, masks, firsts = _answer_batch(coerce(chunk.frame[item]), self.spec, self.by_label)
            out[:, j] = num
            for kind, mask in enumerate(masks):
                if not mask.any() or (self.flag is not None and (j, kind) > self.flag.key):
                    continue
                if self.flag is None or (j, kind) < self.flag.key:  # first seen in this chunk
                    first = int(np.flatnonzero(mask)[0])
                    value = firsts[kind] if kind == 0 else as_written(chunk.frame[item].iloc[first], num[first])
                    self.flag = _Flag((j, kind), value, chunk.ids[first])
                self.flag.rows.append(chunk.numbers[mask])
        return out

    def raise_problem(self) -> None:
        """Raise the problem found, if any."""
        if self.flag is None:
            return
        spec, (j, kind) = self.spec, self.flag.key
        scale = {"scale": f"{spec.scale_min:g}–{spec.scale_max:g}", "min": f"{spec.scale_min:g}",
                 "next": f"{spec.scale_min + 1:g}", "max": f"{spec.scale_max:g}"}
        value = self.flag.value
        hint = None
        labelled = {int(float(k)): str(t) for k, t in spec.scale_labels.items()}
        unlabelled = [p for p in range(int(spec.scale_min), int(spec.scale_max) + 1) if p not in labelled]
        if kind == 0 and labelled and unlabelled:  # text answers, some points without a text (trial 21)
            hint = Said("problem_answer_labels_partial_hint", {
                **scale, "labels": ", ".join(f"{p} = {t}" for p, t in sorted(labelled.items())),
                "unlabelled": ", ".join(str(p) for p in unlabelled)})
        raise InputError(problems=[Problem(
            code=self.KINDS[kind], values={**scale, "value": value}, file=self.path, column=spec.items[j],
            rows=np.concatenate(self.flag.rows).tolist(), value=value, respondent=self.flag.respondent,
            hint=hint)])


def open_answers(path: str | Path, spec: TypingSpec, id_column: str | None = None,
                 min_answered: int | None = None) -> AnswerRows:
    """Check an answers file's structure, ids and columns; its rows come a chunk at a time.

    A CSV file (``.csv``, ``.tsv``, ``.txt``, ``.tab``) is read twice a chunk of rows at
    a time (the id column now, the statements when the chunks are read), in memory that
    does not grow with the rows but for 16 bytes per row (to find repeated ids); an
    Excel or SPSS file is read whole. Parameters as :func:`read_answers`.

    Raises
    ------
    InputError
        As :func:`read_answers` for everything but the answers themselves (those are
        checked by :class:`AnswerChecker`), with the same messages and row numbers.
    """
    path = Path(path)
    wanted = {str(c).strip().lower() for c in ("respondent_id", spec.id_column, id_column, *spec.items) if c}
    # as text, only the id's and the statements' columns (a repeat too): memory and time (trial 8)
    pick = lambda c: re.sub(r"\.\d+$", "", c).lower() in wanted  # noqa: E731
    if path.suffix.lower() in TEXT_EXT and path.is_file():
        return _streamed_answers(path, spec, pick, id_column, min_answered)
    return _whole_answers(path, spec, pick, id_column, min_answered)


def read_answers(path: str | Path, spec: TypingSpec, *, id_column: str | None = None,
                 min_answered: int | None = None, meter: Any = None) -> pd.DataFrame:
    """Read answers to the typing tool's statements (CSV, Excel or SPSS) and check them.

    The whole file in memory: for a file of any size, :func:`score_answers_file` checks
    and types it a chunk of rows at a time.

    Parameters
    ----------
    path : str or Path
        A table with an id column (``respondent_id``, the survey's id column or
        ``id_column``) and one column per golden statement; other columns are ignored.
        Blank cells, missing tokens (``NA``...) and the instrument's ``missing_codes``
        are missing answers; scale label texts (``Agree``) are read as their number.
    spec : TypingSpec
    id_column : str, optional
        The id column's name when it is neither ``respondent_id`` nor the survey's.
    min_answered : int, optional
        The minimum ``--score`` will apply (default: half the statements); only used to
        say, when statements' columns are missing, whether adding them empty still
        leaves enough answered for a type.
    meter : RowMeter, optional
        Progress (:class:`behaviortypes.scoring.RowMeter`): its total is set to the rows
        read, and it advances as chunks of rows are checked.

    Returns
    -------
    DataFrame
        Indexed by the ids (str; the index is named as the file's id column), one float
        column per statement (NaN = missing).

    Raises
    ------
    InputError
        Naming file, column, row (as a spreadsheet shows it: the header is row 1) and
        value, and the respondent id of a bad answer, if the id column or a statement's
        column is missing, an id is blank or repeated, or an answer is not a number on
        the scale.
    """
    answers = open_answers(path, spec, id_column, min_answered)
    checker, values, ids = AnswerChecker(spec, answers.path), [], []
    if meter is not None:
        meter.set_total(answers.n_rows)
    for chunk in answers.chunks(rows_per_chunk(answers.n_rows)):
        part = checker.values(chunk)
        if checker.flag is None:
            values.append(part)
            ids.append(chunk.ids)
        if meter is not None:
            meter.advance(len(chunk.ids))
    checker.raise_problem()
    matrix = np.concatenate(values) if values else np.zeros((0, len(spec.items)))
    index = np.concatenate(ids) if ids else np.zeros(0, object)
    return pd.DataFrame(matrix, columns=list(spec.items), index=pd.Index(index, name=answers.id_col))
