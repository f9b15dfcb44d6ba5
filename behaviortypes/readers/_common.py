"""Helpers shared by the readers: file types, cell parsing, ids and column hints."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Said


#: Cell texts read as "no answer" in text files (compared case-insensitively).
MISSING_TOKENS = frozenset({"", "na", "n/a", "#n/a", "nan", "null", "none", ".", "-"})

#: File extensions read as text tables, Excel workbooks and SPSS files.
TEXT_EXT = {".csv", ".tsv", ".txt", ".tab"}
EXCEL_EXT = {".xlsx", ".xlsm"}
SPSS_EXT = {".sav", ".zsav"}
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
#: A number with its thousands grouped by a space as Swedish Excel writes them (``1 367,89``
#: with a no-break space U+00A0, a narrow one U+202F or a plain space; also ``-12 000``).
_GROUPED = re.compile(r"^[+−-]?[1-9]\d{0,2}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d*)?$")
_GROUP_SPACES = re.compile(r"[ \u00a0\u202f]")


def number_text(text: str) -> str:
    """A number text as Python reads it: thousands spaces taken out (``1 367,89`` →
    ``1367.89``), a decimal comma as a point and a typographic minus as ``-``; other
    texts as they are (then not a number)."""
    text = text.strip()
    if _GROUPED.match(text):
        text = _GROUP_SPACES.sub("", text).replace("−", "-")
    return text.replace(",", ".") if _NUMBER.match(text) else text


def to_number(values: pd.Series) -> pd.Series:
    """Parse numbers and number texts (decimal point or comma, thousands grouped by a space
    as Swedish Excel writes them: ``1 367,89``) to float; others become NaN."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    out = pd.to_numeric(values, errors="coerce").astype(float)  # fast path, C speed
    rest = out.isna() & values.notna()
    rest &= ~values.map(lambda v: isinstance(v, bool))
    if rest.any():
        text = values[rest].astype(str).map(number_text)  # (1 367,89: Swedish Excel's thousands)
        ok = text.str.match(_NUMBER).fillna(False)
        if ok.any():
            out[ok[ok].index] = pd.to_numeric(text[ok].str.replace(",", ".", regex=False))
    bools = values.map(lambda v: isinstance(v, bool))
    out[bools.to_numpy()] = np.nan
    return out


def grouped_numbers(values: pd.Series) -> bool:
    """Whether a column of texts holds numbers with their thousands grouped by a space, as
    Swedish Excel writes amounts (``1 367,89``): every cell a number text (or missing) and
    at least one grouped. Such a column is a quantity (:func:`to_number` reads it), not a
    category with a new value in almost every row."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return False
    text = values.dropna()
    text = text[text.map(lambda v: isinstance(v, str))].str.strip()
    text = text[text != ""]
    if text.empty or len(text) < values.notna().sum() * 0.999:
        return False
    if not text.str.match(_GROUPED).any():
        return False
    return bool(text.map(number_text).str.match(_NUMBER).all())


def is_missing(values: pd.Series) -> pd.Series:
    """True where a cell is empty or a missing token such as ``NA``."""
    if pd.api.types.is_numeric_dtype(values):
        return values.isna()
    text = values.astype(str).str.strip().str.lower()
    return values.isna() | text.isin(MISSING_TOKENS)


def coerce(values: pd.Series) -> pd.Series:
    """Return a numeric column when every non-missing cell is a number; else stripped text."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
        return values
    missing = is_missing(values)
    if missing.all():
        return pd.Series(np.nan, index=values.index, dtype=float)
    num = to_number(values.where(~missing))
    if num[~missing].notna().all():
        if not missing.any() and np.all(np.mod(num, 1) == 0) and num.abs().max() < 2**53:
            return num.astype("int64")
        return num
    return values.map(lambda v: v.strip() if isinstance(v, str) else v).where(~missing, np.nan)


def _plain(name: object) -> str:
    """A column name without case, spaces or punctuation (``'st24q04 '`` -> ``'st24q04'``)."""
    return re.sub(r"[\W_]+", "", str(name)).casefold()


def _close(name: str, options: Sequence[str]) -> str | None:
    same = [str(o) for o in options if _plain(o) == _plain(name)]
    if same:
        return same[0]
    match = difflib.get_close_matches(name, [str(o) for o in options], n=1, cutoff=0.6)
    return match[0] if match else None


def column_hint(name: str, columns: Sequence[str], what: str | Said, claimed: Iterable[str] = ()) -> Said:
    """A hint for a column the instrument names but the file lacks: the nearest name, or the file's columns.

    Only a column no other name claims is suggested: ``claimed`` holds the columns
    that are already accounted for (the instrument's other statements, its id
    column, ...). Renaming ST25Q04 to stand for a missing ST24Q04 would silently
    analyse another question.

    Returns
    -------
    Said
        The hint as a sentence of the message catalogue (said in the study's language
        by :meth:`~behaviortypes.errors.Problem.said`).
    """
    taken = {str(c) for c in claimed if c} - {str(name)}
    near = _close(name, [c for c in columns if str(c) not in taken])
    if near is not None:
        return Said("problem_fix_near", {"near": near, "what": what})
    shown = ", ".join(map(str, list(columns)[:8])) + (" ..." if len(columns) > 8 else "")
    return Said("problem_fix_columns", {"shown": shown, "what": what})


#: Words that name an id column (``kundnr``, ``CustomerID``, ``member_no``, ``medlemsnummer``):
#: a word of the header, or the end of one.
_ID_WORDS = ("id", "nr", "no", "nummer", "number", "num", "key", "nyckel", "code", "kod", "uuid", "guid")


def looks_like_id_name(name: object) -> bool:
    """Whether a header names an id: a word (or the end of a word) ``id``, ``nr``, ``nummer``,
    ``number``, ``no``, ``key``, ``code`` ... (``kundnr``, ``CustomerID``, ``member_no``)."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", str(name))
    words = [w.casefold() for w in words]
    return any(w in _ID_WORDS for w in words) or any(
        w.endswith(end) for w in words for end in ("id", "nr", "nummer", "number"))


def suggest_id_column(name: str, columns: Sequence[str], sample: pd.DataFrame | None = None,
                      claimed: Iterable[str] = ()) -> str | None:
    """The column to suggest for an id column ``name`` that a file lacks, or None.

    Never a column of personal data (a name, e-mail address, phone or identity number,
    address: :func:`behaviortypes.lookalike.personal_data_columns`, by header and, with
    ``sample``, by values), nor one that ``claimed`` accounts for. Suggested, in this order:
    the same name written otherwise (``CustomerID`` for ``customer_id``); the id-like column
    nearest to ``name`` (named ``...id``, ``...nr``, ``...nummer`` ...); the only id-like
    column. With ``sample`` (the file's first rows) an id-like column must also hold a
    different value in every row.
    """
    from ..lookalike import personal_data_columns  # (the package's one detector of personal data)

    taken = {str(c) for c in claimed if c} - {str(name)}
    options = [str(c) for c in columns if str(c) not in taken]
    frame = (sample.loc[:, [c for c in sample.columns if str(c) in options]] if sample is not None
             else pd.DataFrame(columns=options))
    frame.columns = [str(c) for c in frame.columns]
    frame = frame.loc[:, ~frame.columns.duplicated()]
    personal = {p["name"] for p in personal_data_columns(frame)}
    options = [c for c in options if c not in personal]
    same = [c for c in options if _plain(c) == _plain(name)]
    if same:
        return same[0]

    def unique(col: str) -> bool:
        if sample is None or col not in frame.columns:
            return sample is None
        values = frame[col].dropna()
        return len(values) > 0 and values.is_unique

    typo = difflib.get_close_matches(_plain(name), [_plain(c) for c in options], n=1, cutoff=0.8)
    if typo:  # the name itself mistyped ('Respondnet' for 'Respondent'), before any other id-like name
        col = next(c for c in options if _plain(c) == typo[0])
        if unique(col):
            return col
    ids = [c for c in options if looks_like_id_name(c) and unique(c)]
    near = difflib.get_close_matches(_plain(name), [_plain(c) for c in ids], n=1, cutoff=0.6)
    if near:
        return next(c for c in ids if _plain(c) == near[0])
    return ids[0] if len(ids) == 1 else None


def id_column_hint(name: str, columns: Sequence[str], what: str | Said, claimed: Iterable[str] = (),
                   sample: pd.DataFrame | None = None) -> Said:
    """:func:`column_hint` for an id column: the suggestion is :func:`suggest_id_column`'s
    (never a column of names, e-mail addresses or phone numbers)."""
    near = suggest_id_column(name, columns, sample, claimed)
    if near is not None:
        return Said("problem_fix_near", {"near": near, "what": what})
    shown = ", ".join(map(str, list(columns)[:8])) + (" ..." if len(columns) > 8 else "")
    return Said("problem_fix_columns", {"shown": shown, "what": what})


def ids_to_str(values: pd.Series) -> pd.Series:
    """Ids as text: whole-number floats lose their ``.0``, blanks become None (object dtype)."""
    def one(v: Any) -> str | None:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            return str(int(v))
        text = str(v).strip()
        return text or None

    return values.map(one).astype(object)


# --------------------------------------------------------------------------- Qualtrics
#: Qualtrics response types that are not real respondents: survey previews and tests
#: (numeric codes of the "Status" column, or its labels), and the distribution channels
#: that say the same.
_QUALTRICS_NOT_REAL_CODES = {1.0, 2.0, 9.0, 17.0}
_QUALTRICS_NOT_REAL_CHANNELS = {"preview", "test"}


def _qualtrics_previews(frame: pd.DataFrame) -> pd.Series:
    """True for the rows of a Qualtrics export that are survey previews or test responses.

    Looks at ``Status`` (``1``/``Survey Preview``, ``2``/``Survey Test``, and the
    preview-spam and offline-preview codes 9 and 17) and ``DistributionChannel``
    (``preview``, ``test``). A table without those columns has none.
    """
    mask = pd.Series(False, index=frame.index)
    cols = {str(c).strip().lower(): c for c in frame.columns}
    status = cols.get("status")
    if status is not None:
        values = frame[status]
        text = values.astype(str).str.strip().str.lower()
        num = to_number(values.where(~is_missing(values)))
        mask |= num.isin(_QUALTRICS_NOT_REAL_CODES) | text.str.contains("preview|test", regex=True, na=False)
    channel = cols.get("distributionchannel")
    if channel is not None:
        mask |= frame[channel].astype(str).str.strip().str.lower().isin(_QUALTRICS_NOT_REAL_CHANNELS)
    return mask


def _looks_like_qualtrics(frame: pd.DataFrame) -> bool:
    fmt = str(frame.attrs.get("format", ""))
    lower = {str(c).strip().lower() for c in frame.columns}
    return fmt.startswith("qualtrics") or {"responseid", "status"} <= lower or (
        {"responseid", "distributionchannel"} <= lower)


def drop_qualtrics_previews(frame: pd.DataFrame) -> tuple[pd.DataFrame, int, list[int]]:
    """Drop survey previews and test responses from a Qualtrics export.

    Parameters
    ----------
    frame : DataFrame
        A responses table as read (rows in file order); other tables are returned as
        they are.

    Returns
    -------
    frame : DataFrame
        Without the preview and test rows; ``attrs["data_rows"]`` keeps the data row
        number (1 = first row under the header) of each remaining row, so that
        messages still name the rows as the file has them.
    n_dropped : int
    rows : list of int
        Data row numbers of the dropped rows.
    """
    if not _looks_like_qualtrics(frame) or frame.empty:
        return frame, 0, []
    numbers = frame.attrs.get("data_rows") or list(range(1, len(frame) + 1))
    mask = _qualtrics_previews(frame).to_numpy()
    if not mask.any():
        return frame, 0, []
    attrs = dict(frame.attrs)
    out = frame.loc[~mask].reset_index(drop=True)
    out.attrs.update(attrs)
    out.attrs["data_rows"] = [int(r) for r, m in zip(numbers, mask) if not m]
    return out, int(mask.sum()), [int(r) for r, m in zip(numbers, mask) if m]


#: Separators between a question's stem and a statement in exported question texts
#: (Qualtrics writes "Stem - Statement").
_STEM_SEPARATORS = (" - ", " – ", " — ", ": ")


def split_question_stems(texts: dict[str, str]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Take the question stem shared by several statements off their texts.

    A matrix question is exported with its stem before every statement
    ("Hur väl stämmer följande påståenden in på dig? - Jag jämför alltid priser");
    the statement is the part after the stem. A stem is taken off only when at least
    two texts share it and every one of them has a statement after it.

    Parameters
    ----------
    texts : dict of str to str
        Column → question text, in questionnaire order.

    Returns
    -------
    statements : dict of str to str
        Column → text without its stem (texts without a shared stem unchanged).
    stems : dict of str to list of str
        Stem → the columns it was taken from (the battery's question, kept once).
    """
    out = {c: str(t).strip() for c, t in texts.items() if isinstance(t, str) and t.strip()}
    stems: dict[str, list[str]] = {}
    for sep in _STEM_SEPARATORS:
        groups: dict[str, list[str]] = {}
        for col, text in out.items():
            if any(col in cols for cols in stems.values()) or sep not in text:
                continue
            head, _, tail = text.partition(sep)
            if head.strip() and tail.strip():
                groups.setdefault(head.strip(), []).append(col)
        for head, cols in groups.items():
            if len(cols) >= 2:
                stems[head] = cols
                for col in cols:
                    out[col] = out[col].partition(sep)[2].strip()
    return out, stems
