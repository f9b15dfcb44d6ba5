"""Helpers shared by the readers: file types, cell parsing, ids and column hints."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd


#: Cell texts read as "no answer" in text files (compared case-insensitively).
MISSING_TOKENS = frozenset({"", "na", "n/a", "#n/a", "nan", "null", "none", ".", "-"})

_TEXT_EXT = {".csv", ".tsv", ".txt", ".tab"}
_EXCEL_EXT = {".xlsx", ".xlsm"}
_SPSS_EXT = {".sav", ".zsav"}
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


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
