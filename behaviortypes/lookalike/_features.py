"""Feature-type detection, coercion and schema checks for raw CRM columns.

The lookalike model is trained and scored on *raw* customer columns. This module
decides once, at fit time, what each column is (numeric, boolean, categorical or
date), records it as a feature schema, and turns any later batch of the same
columns into the frame the scikit-learn pipeline expects: numbers as float,
booleans as 0/1, categories as text and dates as recency in days before a
reference date fixed at fit.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import BehaviortypesWarning, InputError, Problem, Said

__all__ = [
    "FEATURE_KINDS",
    "detect_schema",
    "prepare_features",
    "check_features_against_schema",
    "personal_data_columns",
]

FEATURE_KINDS = ("numeric", "boolean", "categorical", "date")

_DATE_LIKE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*$")
_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}


def _looks_like_dates(values: pd.Series) -> bool:
    """Whether the non-missing text values are (almost all) ISO dates."""
    sample = values.dropna().astype(str)
    if sample.empty:
        return False
    sample = sample.iloc[:2000]
    return bool(sample.str.match(_DATE_LIKE).mean() >= 0.95)


def _looks_like_booleans(values: pd.Series) -> bool:
    sample = values.dropna()
    if sample.empty:
        return False
    text = set(sample.astype(str).str.strip().str.lower().unique())
    return text <= (_TRUE | _FALSE) and len(text) <= 4 and not text <= {"0", "1"}


def _to_datetime(values: pd.Series) -> pd.Series:
    """Parse dates (tz-aware dates are converted to naive UTC)."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC").dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.astype("datetime64[ns]")
    parsed = pd.to_datetime(values, errors="coerce", format="ISO8601", utc=True)
    return parsed.dt.tz_localize(None)


#: Column names of numbers that are codes, not quantities (user trial 12: ``postnummer`` was
#: a numeric feature, "mean 52990"): postal codes and names ending in code/kod/id. Such a
#: column is used as categories (its most frequent codes), never as a number.
_CODE_NAME = re.compile(r"(post(al)?_?(code|nummer|nr|kod|number|no)|postnr|(^|_)zip(_?code)?($|_)|(^|_)plz$|"
                        r"riktnummer|(^|_)(code|kod|id)$|(?<=[a-z])(code|kod)$)")


def is_code_column(name: Any) -> bool:
    """Whether a column's name says its numbers are codes (a postal code, ``store_id``,
    ``region_code``): categories, not quantities."""
    key = re.sub(r"[\s\-.]+", "_", str(name).strip().lower().translate(_ACCENTS))
    return bool(_CODE_NAME.search(key))


def code_text(values: pd.Series) -> pd.Series:
    """Numbers of a code column as text, whole numbers without a decimal part (``12345``, not
    ``12345.0``), so that a file read as integers and one read as decimals give the same codes."""
    num = pd.to_numeric(values, errors="coerce")
    whole = num.notna() & np.isfinite(num) & (num == np.floor(num))
    out = values.astype("string").astype(object)
    out[whole.to_numpy(bool)] = num[whole].astype("int64").astype(str).to_numpy()
    return out.where(values.notna(), np.nan)


def _kind_of(col: pd.Series) -> str:
    dtype = col.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    if pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    from ..readers import grouped_numbers

    if grouped_numbers(col):  # amounts as Swedish Excel writes them: 1 367,89
        return "numeric"
    if _looks_like_dates(col):
        return "date"
    if _looks_like_booleans(col):
        return "boolean"
    return "categorical"


def _refuse_mostly_numeric_text(name: Any, values: pd.Series) -> None:
    """A column of numbers with a few stray texts is a data error, not a category."""
    numbers = pd.to_numeric(values.astype(str).str.replace(",", ".", regex=False).str.strip(), errors="coerce")
    stray = numbers.isna()
    if 0 < stray.sum() <= 0.05 * len(values) and numbers.nunique() > 10:
        first = values[stray]
        raise InputError(  # the sentence and its hint in the study's language (sv19)
            code="problem_customer_stray_text",
            values={"n": int(stray.sum()), "example": repr(first.iloc[0]), "customer": str(first.index[0])},
            column=str(name),
            value=first.iloc[0],
        )


# ------------------------------------------------------------------ personal data
# Direct identifiers in the sense of GDPR (art. 4(1): a name, an identification number, contact
# details): never features, whatever their values (a first-name column repeats, so the
# "identifier-like" rule below misses it). A header is personal when, written in lower case
# without accents or separators, it is one of the bases, optionally after one qualifier
# ("kund" + "namn", "first" + "name", "e" + "post"). Postal codes, birth years and regions are
# quasi-identifiers, not direct ones: kept (see docs/data_safety.md; --exclude drops them).
_PERSONAL_BASES = {
    "name": ("name", "namn", "surname", "efternamn", "fornamn"),
    "email": ("email", "mail", "epost", "emailaddress", "emailadress", "mailadress", "epostadress",
              "mailaddress", "emailaddr", "mailaddr"),
    "phone": ("phone", "telephone", "telefon", "tel", "tfn", "mobile", "mobil", "telefonnummer",
              "mobiltelefon", "cell", "contactnumber", "kontaktnummer"),
    "id_number": ("personnummer", "personnr", "persnr", "pnr", "ssn", "socialsecuritynumber",
                  "personalnumber", "personalidentitynumber", "nationalid", "samordningsnummer",
                  "personid", "idnumber", "fodelsenummer", "fodelsenr"),
    "address": ("address", "adress", "streetaddress", "street", "streetname", "gatuadress", "gata", "gatunamn",
                "postaladdress", "postadress", "utdelningsadress", "ipaddress", "ipadress", "addr"),
}
#: words before a base ("customer" full "name"); up to two of them
_PERSONAL_QUALIFIERS = ("e", "customer", "customers", "kund", "kundens", "contact", "kontakt", "first", "last",
                        "full", "given", "family", "for", "efter", "tilltals", "mellan", "middle", "display",
                        "user", "anvandar", "person", "privat", "private", "home", "hem", "work", "arbete",
                        "primary", "holder", "account", "konto", "member", "medlem", "owner", "agare", "billing",
                        "faktura", "delivery", "leverans", "cell", "mobile", "mobil", "tele", "main", "alt",
                        "secondary", "street", "gatu")
#: words after a base ("telephone" "number", "address" "line" 1)
_PERSONAL_SUFFIXES = ("", "number", "nummer", "nr", "no", "num", "line", "rad", "s")
#: a base so short or common that the header alone does not say personal data ("mobile" 0/1,
#: campaign "cell" A/B, "mail" consent yes/no, "street" urban/rural): only with many values
_AMBIGUOUS_BASES = {"mail", "tel", "cell", "mobile", "mobil", "street", "gata", "phone", "addr"}
#: a column of a few levels, each shared by several customers, names no one (k-anonymity):
#: a header match of such a column is not personal data
_FEW_LEVELS, _SHARED_BY = 12, 5
_ACCENTS = str.maketrans("åäöéèüøæ", "aaoeeuoa")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_PHONE = re.compile(r"^\+?[\d\s\-().]{7,20}$")
_ID_NUMBER = re.compile(r"^(\d{2})?\d{6}[-+]?\d{4}$")
_FULL_NAME = re.compile(r"^[A-ZÅÄÖÆØÉÜ][a-zåäöæøéèüë'\-]+( [A-ZÅÄÖÆØÉÜ][a-zåäöæøéèüë'\-]+){1,3}$")
_STREET = re.compile(r"^\D*(gatan|gata|vägen|väg|gränd|gränden|torget|torg|allén|allé|stigen|backen|street|st|"
                     r"road|rd|avenue|ave|lane|ln|drive|dr|way|boulevard|blvd|straße|strasse|gade|vej|veien|"
                     r"vegen|katu|tie)\.?,?\s+\d{1,4}\s?[a-zA-Z]?\b", re.IGNORECASE)
#: common first names and surnames (Swedish, Nordic, English): a column of capitalised word
#: pairs is people's names only when many of them start or end with one (brands, stores and
#: places are capitalised word pairs too)
_NAME_WORDS = frozenset("""
anna maria eva karin kristina lena sara kerstin emma ingrid elisabeth marie malin linda johanna birgitta
sofia elin hanna ida julia amanda frida lisa ulla maja astrid ebba alice wilma elsa agnes moa emelie jenny
lars anders johan per erik karl nils jan peter mikael hans thomas daniel fredrik stefan bengt bo magnus
mattias andreas jonas oskar alexander gustav lukas william liam noah hugo elias oliver axel olof leif
sven gunnar ola ole knut bjorn björn mohammed ali ahmed david james john robert michael mary patricia
jennifer linda susan jessica sarah emily tom ted tim mark paul george richard charles joseph
andersson johansson karlsson nilsson eriksson larsson olsson persson svensson gustafsson pettersson
jonsson jansson hansson bengtsson lindberg lindqvist lindgren berg axelsson lundberg lundgren jakobsson
magnusson olofsson lindstrom lindström lundqvist mattsson berglund fredriksson sandberg henriksson
forsberg sjoberg sjöberg wallin engstrom engström eklund danielsson lundin hakansson håkansson
smith johnson williams brown jones miller davis wilson taylor anderson thomas moore martin jackson
hansen jensen nielsen pedersen andersen larsen johansen olsen
""".split())


def _header_kind(name: str) -> tuple[str, bool] | None:
    """(kind, ambiguous) of a header that names a direct identifier, else None; ambiguous: a
    bare word such as "mobile" or "cell" (with "number" after it, it is not)."""
    compact = re.sub(r"[^a-z]", "", str(name).lower().translate(_ACCENTS))
    for kind, bases in _PERSONAL_BASES.items():
        for base in bases:
            for suffix in _PERSONAL_SUFFIXES:
                if not compact.endswith(base + suffix):
                    continue
                if _qualified(compact[: len(compact) - len(base) - len(suffix)]):
                    return kind, base in _AMBIGUOUS_BASES and suffix in ("", "s")
    return None


def _qualified(prefix: str, depth: int = 2) -> bool:
    """``prefix`` is empty or at most ``depth`` qualifier words ("customer" + "full")."""
    if not prefix:
        return True
    return depth > 0 and any(prefix.startswith(q) and _qualified(prefix[len(q):], depth - 1)
                             for q in _PERSONAL_QUALIFIERS)


def _personal_header(name: str, col: pd.Series | None = None) -> str | None:
    """The kind of direct identifier a header names (``"name"``, ``"email"`` ...), else None.
    With the column: a header of an ambiguous word ("mobile", "cell", "mail") counts only
    when its values are many, and no header counts for a column of a few levels (a yes/no
    flag, a campaign cell) whose every value is shared by five customers or more, which
    identifies no one."""
    found = _header_kind(name)
    if found is None:
        return None
    if col is not None:
        counts = col.dropna().value_counts()
        distinct = len(counts)
        if 0 < distinct <= _FEW_LEVELS and counts.min() >= _SHARED_BY:
            return None
        if found[1] and _personal_values(col) is None and distinct < 0.5 * col.notna().sum():
            return None
    return found[0]


def _numeric_identifier(col: pd.Series) -> str | None:
    """Phone or personal identity numbers read as numbers (a leading 0 or + lost): whole
    numbers of 9-12 digits, a new one in most rows."""
    values = col.dropna()
    if values.empty or pd.api.types.is_bool_dtype(col.dtype):
        return None
    whole = values[(values == np.floor(values))].abs()
    digits = np.floor(np.log10(whole[whole >= 1].astype(float))) + 1
    if len(digits) < 0.8 * len(values) or not ((digits >= 9) & (digits <= 12)).mean() >= 0.8:
        return None
    if values.nunique() < 0.5 * len(values):
        return None
    return "id_number" if (digits == 12).mean() >= 0.8 else "phone"  # 19800101 1234; 46 70 123 45 67


def _looks_like_names(text: pd.Series) -> bool:
    """Capitalised word pairs, many starting or ending with a common first name or surname,
    in at least 30 different values (22 brands named after people are not a name column)."""
    if not text.str.match(_FULL_NAME).mean() >= 0.9 or text.nunique() < 30:
        return False
    words = text.str.lower().str.split()
    known = words.map(lambda w: w[0] in _NAME_WORDS or w[-1] in _NAME_WORDS)
    return bool(known.mean() >= 0.3)


def _personal_values(col: pd.Series) -> str | None:
    """The kind of direct identifier most values of a column look like, else None."""
    if pd.api.types.is_bool_dtype(col.dtype) or pd.api.types.is_datetime64_any_dtype(col.dtype):
        return None
    if pd.api.types.is_numeric_dtype(col.dtype):
        return _numeric_identifier(col)
    text = col.dropna().astype(str).str.strip()
    text = text[text != ""].iloc[:2000]
    if text.empty:
        return None
    if text.str.match(_EMAIL).mean() >= 0.8:
        return "email"
    digits = text.str.count(r"\d")
    if (text.str.match(_ID_NUMBER) & (digits >= 10)).mean() >= 0.8:
        return "id_number"
    if (text.str.match(_PHONE) & (digits >= 7) & text.str.match(r"^[+0(]")).mean() >= 0.8:
        return "phone"
    if text.str.match(_STREET).mean() >= 0.8 and text.nunique() >= 30:
        return "address"
    if _looks_like_names(text):
        return "name"
    return None


_PERSONAL_REASON = {
    "name": "a person's name", "email": "e-mail addresses", "phone": "phone numbers",
    "id_number": "personal identity numbers", "address": "postal or street addresses",
}


def personal_data_columns(features: pd.DataFrame) -> list[dict[str, str]]:
    """Columns that identify a person directly: by their header or by their values.

    A name, e-mail address, phone number, personal identity number (personnummer, SSN)
    or street address is a direct identifier (GDPR art. 4(1)); such a column is never a
    feature of the lookalike model, so none of its values is stored in the model, the
    card or ``crm_profile.csv``, and ``score`` never asks for it.

    Returns
    -------
    list of dict
        ``{name, reason}`` per personal column, in input order; the reason says whether the
        header or the values gave it away.
    """
    found = []
    for name in features.columns:
        by_header = _personal_header(str(name), features[name])
        kind = by_header or _personal_values(features[name])
        if kind is not None:
            how = "header" if by_header else "values"
            found.append({"name": str(name), "reason": f"personal data ({_PERSONAL_REASON[kind]}, by its {how})"})
    return found


def detect_schema(
    features: pd.DataFrame,
    *,
    max_categories: int = 50,
    min_category_count: int = 5,
    categorical: Sequence[str] = (),
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Decide the kind of every raw column.

    Parameters
    ----------
    features : DataFrame of shape (n_customers, n_columns)
        Raw CRM columns.
    max_categories : int, default=50
        At most this many (most frequent) levels of a categorical column get their
        own indicator; rarer levels share the all-zero "other" code.
    min_category_count : int, default=5
        Levels seen fewer times than this in training are treated as "other".
    categorical : sequence of str, optional
        Columns declared categories (the instrument's ``descriptors:``): a column of
        numbers among them is read as codes, as a postal code is (user trial 23:
        gender 0-3 was a numeric feature).

    Returns
    -------
    schema : list of dict
        One ``{name, kind, dtype[, categories]}`` per kept column, in input order.
    dropped : list of dict
        ``{name, reason}`` for columns that cannot be used (personal data, see
        :func:`personal_data_columns`; constant, all missing, or identifier-like text
        with a distinct value in almost every row). Personal columns come first.
    """
    schema: list[dict[str, Any]] = []
    dropped: list[dict[str, str]] = personal_data_columns(features)
    personal = {d["name"] for d in dropped}
    n = len(features)
    for name in features.columns:
        if str(name) in personal:
            continue
        col = features[name]
        non_null = col.dropna()
        if non_null.empty:
            dropped.append({"name": str(name), "reason": "all values missing"})
            continue
        kind = _kind_of(col)
        # a postal code (trial 12) or a column declared a category (trial 23) is not a quantity
        # (a declared name whose base column has many values — raw ages where the survey bands them — stays a number)
        declared = (kind == "numeric" and not is_code_column(name) and str(name) in set(map(str, categorical))
                    and non_null.nunique() <= DECLARED_MAX_CODES)
        code = kind == "numeric" and (is_code_column(name) or declared)
        if code:
            kind = "categorical"
        elif kind == "categorical":
            _refuse_mostly_numeric_text(name, non_null)
        entry: dict[str, Any] = {"name": str(name), "kind": kind, "dtype": str(col.dtype),
                                 **({"code": True} if code else {}), **({"declared": True} if declared else {})}
        if kind == "categorical":
            text = code_text(non_null) if code else non_null.astype(str)
            counts = text.value_counts()
            if len(counts) > max_categories and len(counts) >= 0.9 * len(text):
                dropped.append(
                    {"name": str(name), "reason": "identifier-like text (a new value in almost every row)"}
                )
                continue
            counts = counts[counts >= min(min_category_count, max(1, n // 100))]
            keep = counts.sort_values(ascending=False, kind="stable").index[:max_categories]
            entry["categories"] = sorted(str(c) for c in keep)
            if len(entry["categories"]) < 1 or text.nunique() < 2:
                dropped.append({"name": str(name), "reason": "constant"})
                continue
        else:
            if prepare_column(col, entry, None).nunique(dropna=True) < 2:
                dropped.append({"name": str(name), "reason": "constant"})
                continue
        schema.append(entry)
    return schema, dropped


#: a column listed under the survey's ``descriptors:`` is read as categories in the customer base
#: only with at most this many distinct values (a survey's banded age beside the base's raw ages)
DECLARED_MAX_CODES = 30


def few_code_columns(features: pd.DataFrame, schema: Sequence[Mapping[str, Any]]) -> list[tuple[str, int]]:
    """``(name, distinct)`` of the numeric columns that look like codes of categories: whole
    numbers with 3 to 10 distinct values that do not behave as a number, or at most 20 with a
    dip (a code with fewer than a quarter of the rows of both its neighbours: race 1-13 of
    trial 23, where code 2 had 14 rows beside 1,434 and 10,537; a count's frequencies have no
    such dip).

    A run of consecutive whole numbers whose frequencies rise to one peak and fall again
    (children 0-5, a 1-5 rating, a uniform 0-3) behaves as a number — a mean of it says
    something — and is not named (session 24: the warning named counts and ratings, which a
    user could do nothing about); with a gap (1, 2, 9; 10, 20, 30) or a second peak (a valley
    below half of the smaller of the peaks on either side) the values read as codes."""
    found = []
    for spec in schema:
        name = spec["name"]
        if spec.get("kind") != "numeric" or name not in features.columns:
            continue
        x = pd.to_numeric(features[name], errors="coerce").dropna()
        if x.empty or not np.all(np.mod(x.to_numpy(float), 1) == 0):
            continue
        counts = x.value_counts().sort_index()
        if not 3 <= len(counts) <= 20:
            continue
        c = counts.to_numpy(float)
        dip = any(c[i] < 0.25 * min(c[i - 1], c[i + 1]) and min(c[i - 1], c[i + 1]) >= 20
                  for i in range(1, len(c) - 1))
        if dip or (len(c) <= 10 and not _behaves_as_number(counts.index.to_numpy(float), c)):
            found.append((str(name), int(len(c))))
    return found


def _behaves_as_number(values: np.ndarray, counts: np.ndarray) -> bool:
    """Whether whole ``values`` (sorted) with these ``counts`` read as a quantity: consecutive
    (no gap) and with one peak (no valley below half of the smaller peak around it, of at
    least 20 rows)."""
    if np.any(np.diff(values) != 1):
        return False
    for i in range(1, len(counts) - 1):
        around = min(counts[:i].max(), counts[i + 1:].max())
        if around >= 20 and counts[i] < 0.5 * around:
            return False
    return True


def reference_date(features: pd.DataFrame, schema: Sequence[Mapping[str, Any]]) -> str | None:
    """The latest date in the date columns (ISO text), or None when there are none."""
    latest = None
    for spec in schema:
        if spec["kind"] != "date":
            continue
        value = _to_datetime(features[spec["name"]]).max()
        if pd.notna(value) and (latest is None or value > latest):
            latest = value
    return None if latest is None else pd.Timestamp(latest).isoformat()


def prepare_column(col: pd.Series, spec: Mapping[str, Any], ref: str | None) -> pd.Series:
    """Coerce one raw column to what the pipeline expects (float or text)."""
    kind = spec["kind"]
    if kind == "numeric":
        if pd.api.types.is_bool_dtype(col.dtype):
            return col.astype(float)
        if not pd.api.types.is_numeric_dtype(col.dtype):  # texts: 1 367,89 (Swedish Excel) too
            from ..readers import to_number

            return to_number(col.astype(object)).astype(float)
        return pd.to_numeric(col, errors="coerce").astype(float)
    if kind == "boolean":
        if pd.api.types.is_bool_dtype(col.dtype):
            return col.astype(float)
        if pd.api.types.is_numeric_dtype(col.dtype):
            return pd.to_numeric(col, errors="coerce").astype(float)
        text = col.astype("string").str.strip().str.lower()
        out = pd.Series(np.nan, index=col.index, dtype=float)
        out[text.isin(_TRUE).fillna(False).to_numpy(bool)] = 1.0
        out[text.isin(_FALSE).fillna(False).to_numpy(bool)] = 0.0
        return out
    if kind == "date":
        dates = _to_datetime(col)
        base = pd.Timestamp(ref) if ref is not None else dates.max()
        return ((base - dates) / pd.Timedelta(days=1)).astype(float)
    # categorical: text, missing stays missing (imputed as its own level later)
    if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
        return code_text(col)  # a code column read as numbers
    out = col.astype("string").astype(object)
    return out.where(col.notna(), np.nan)


def prepare_features(
    features: pd.DataFrame, schema: Sequence[Mapping[str, Any]], ref: str | None
) -> pd.DataFrame:
    """Coerce raw columns named in ``schema`` (same index, schema order)."""
    return pd.DataFrame(
        {spec["name"]: prepare_column(features[spec["name"]], spec, ref) for spec in schema},
        index=features.index,
    )


def _dtype_kind_ok(kind: str, dtype: str) -> bool:
    """Whether a column *type name* (pandas, numpy, pyarrow or DuckDB) fits a kind."""
    d = dtype.lower()
    numeric = any(t in d for t in ("int", "float", "double", "decimal", "numeric", "real"))
    boolean = "bool" in d
    datey = any(t in d for t in ("date", "time"))
    texty = any(t in d for t in ("object", "str", "utf8", "varchar", "text", "category", "dictionary"))
    if kind == "numeric":
        return (numeric or boolean) and not datey
    if kind == "boolean":
        return boolean or numeric or texty
    if kind == "date":
        return datey or texty
    return True


def check_features_against_schema(
    data: pd.DataFrame | Mapping[str, Any] | Sequence[str],
    schema: Sequence[Mapping[str, Any]],
    *,
    file: str | Path | None = None,
    max_rows: int = 20_000,
) -> None:
    """Raise one :class:`InputError` listing every schema problem in ``data``.

    ``data`` is a DataFrame (columns and values are checked), a mapping column →
    type name (e.g. a Parquet or DuckDB schema; types are checked) or a list of
    column names (presence only).
    """
    problems: list[Problem] = []
    if isinstance(data, pd.DataFrame):
        columns = [str(c) for c in data.columns]
        types = None
    elif isinstance(data, Mapping):
        columns = [str(c) for c in data]
        types = {str(k): str(v) for k, v in data.items()}
    else:
        columns = [str(c) for c in data]
        types = None
    present = set(columns)
    missing = [s["name"] for s in schema if s["name"] not in present]
    if missing:
        problems.append(
            Problem(
                code="problem_model_columns" if len(missing) > 1 else "problem_model_column",
                values={"missing": ", ".join(repr(m) for m in missing)},
                file=file,
                column=missing[0],
                hint=Said("problem_model_columns_fix", {
                    "trained": ", ".join(s["name"] for s in schema),
                    "columns": ", ".join(columns[:15]) + (" ..." if len(columns) > 15 else "")}),
            )
        )
    for spec in schema:
        name, kind = spec["name"], spec["kind"]
        if name not in present:
            continue
        if types is not None:
            as_text = kind == "numeric" and spec.get("dtype") == "object"  # 1 367,89 (grouped_numbers)
            if not _dtype_kind_ok("categorical" if as_text else kind, types[name]):
                problems.append(
                    Problem(
                        code="problem_model_column_type",
                        values={"dtype": types[name], "expected": Said(f"model_expects_{kind}")},
                        file=file,
                        column=name,
                    )
                )
            continue
        if not isinstance(data, pd.DataFrame):
            continue
        col = data[name].iloc[:max_rows]
        bad = _bad_rows(col, spec)
        if bad is not None and bad.any():
            rows = (np.flatnonzero(bad) + 1).tolist()
            problems.append(
                Problem(
                    code="problem_model_column_values",
                    values={"n": len(rows), "expected": Said(f"model_expects_{kind}")},
                    file=file,
                    column=name,
                    rows=rows,
                    value=col[bad].iloc[0],
                )
            )
    if problems:
        raise InputError(problems=problems)


def _bad_rows(col: pd.Series, spec: Mapping[str, Any]) -> np.ndarray | None:
    kind = spec["kind"]
    if kind == "categorical":
        return None
    if kind == "numeric" and (
        pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype)
    ):
        return None
    if kind == "date" and pd.api.types.is_datetime64_any_dtype(col.dtype):
        return None
    if kind == "date" and pd.api.types.is_numeric_dtype(col.dtype):
        return col.notna().to_numpy(bool)
    if kind == "numeric" and pd.api.types.is_datetime64_any_dtype(col.dtype):
        return col.notna().to_numpy(bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        coerced = prepare_column(col, spec, None)
    return (col.notna() & coerced.isna()).to_numpy(bool)


def warn_dropped(dropped: Sequence[Mapping[str, str]]) -> None:
    """One warning naming the columns that were not used as features (and one, in the
    language of the run, naming the personal-data columns)."""
    personal = [d["name"] for d in dropped if d["reason"].startswith("personal data")]
    dropped = [d for d in dropped if not d["reason"].startswith("personal data")]
    if personal:
        columns = ", ".join(personal)
        warnings.warn(BehaviortypesWarning(
            f"lookalike: {columns}: personal data (names, e-mail, phone, personal identity numbers or "
            "addresses) is never a feature of the model; drop other columns with --exclude COLUMN",
            code="warn_personal_columns", values={"columns": columns}), stacklevel=3)
    if dropped:
        text = "; ".join(f"{d['name']} ({d['reason']})" for d in dropped)
        parts = [Said("lookalike_not_used_part", {"name": d["name"], "reason": Said(_DROPPED_SAID[d["reason"]])
                                                  if d["reason"] in _DROPPED_SAID else d["reason"]})
                 for d in dropped]
        said = Problem(f"lookalike: not used as features: {text}", code="warn_lookalike_not_used",
                       values={"columns": _joined(parts)})  # the line in the study's language
        warnings.warn(BehaviortypesWarning(said.message, problem=said), stacklevel=3)


#: The catalogue's sentence of each reason a column is not used (:func:`warn_dropped`).
_DROPPED_SAID = {"all values missing": "lookalike_dropped_missing", "constant": "lookalike_dropped_constant",
                 "identifier-like text (a new value in almost every row)": "lookalike_dropped_id_like"}


def _joined(parts: list[Said]) -> Said:
    """Sentences joined by "; " (said later in one language; halves, so hundreds nest shallowly)."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return Said("lookalike_joined", {"first": _joined(parts[:half]), "rest": _joined(parts[half:])})
