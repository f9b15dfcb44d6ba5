"""The survey instrument: items, scale, reverse keying, themes, attention checks.

The instrument is a YAML file (``instrument.yaml``) that says how to read a
responses file. Required keys: ``id_column``, ``scale: {min, max}`` and
``items: [{id, text, reverse}]``. Everything else is optional; see
:class:`Instrument` for the full list.

Examples
--------
>>> inst = load_instrument("surveys/demo/instrument.yaml")  # doctest: +SKIP
>>> inst.item_ids[:3]  # doctest: +SKIP
['s01', 's02', 's03']
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import InputError, Problem, Said, phrase
from .files import load_user_yaml

__all__ = [
    "Item",
    "Scale",
    "AttentionCheck",
    "QualitySettings",
    "ProfileColumn",
    "column_label",
    "MAX_LEVELS",
    "AUTO_MAX_LEVELS",
    "Instrument",
    "load_instrument",
    "instrument_from_dict",
]


_SHOWN = 60  # characters of a user's value shown in a message


class _SaidError(ValueError):
    """A validator's message as a catalogue code and values (``errors.phrase``), so that the
    instrument's problems are said in the study's language; ``str()`` is the English."""

    def __init__(self, code: str, **values: Any) -> None:
        super().__init__(phrase(code, "en", values))
        self.code, self.values = code, values


def _kind(value: Any) -> str:
    return {dict: "mapping", list: "list"}.get(type(value), type(value).__name__)


def _short(value: Any) -> str:
    """``repr(value)``, cut to a few dozen characters (a value may be megabytes long)."""
    if isinstance(value, (dict, list)):
        return f"a {_kind(value)}"
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scale(_Model):
    """The answer scale shared by all items (e.g. 1–5 Likert)."""

    min: int
    max: int
    labels: dict[int, str] | None = None
    missing_codes: list[float] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_range(self) -> "Scale":
        if self.max <= self.min:
            raise _SaidError("problem_scale_range", max=self.max, min=self.min)
        return self

    @property
    def midpoint(self) -> float:
        return (self.min + self.max) / 2


class Item(_Model):
    """One survey statement."""

    id: str
    text: str
    reverse: bool = False
    theme: str | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_str(cls, v: Any) -> str:
        # check the type before str(): str() of a nested YAML value can be huge
        if v is not None and not isinstance(v, (str, int, float)):
            raise ValueError(f"item id must be text or a number, not a {_kind(v)}")
        if v is None or str(v).strip() == "":
            raise _SaidError("problem_item_id_empty")
        return str(v).strip()

    @field_validator("text", mode="after")
    @classmethod
    def _text_written(cls, v: str) -> str:
        # a skeleton from the interviews' themes leaves texts to write (interviews/skeleton.py)
        if not v.strip():
            raise _SaidError("problem_item_text_empty")
        return v

    @field_validator("reverse", mode="before")
    @classmethod
    def _reverse_bool(cls, v: Any) -> bool:
        if isinstance(v, bool):
            return v
        if v is None:
            return False
        if not isinstance(v, (str, int, float)):
            raise ValueError(f"reverse must be true or false, not a {_kind(v)}")
        text = str(v).strip().lower()
        if text in {"true", "yes", "1", "y"}:
            return True
        if text in {"false", "no", "0", "n", ""}:
            return False
        raise _SaidError("problem_reverse_value", value=_short(v))


class AttentionCheck(_Model):
    """An instructed-response item: a respondent passes when the answer equals ``expect``."""

    id: str
    expect: float | list[float]

    def passes(self, value: float) -> bool:
        allowed = self.expect if isinstance(self.expect, list) else [self.expect]
        return value in allowed


class QualitySettings(_Model):
    """Thresholds for respondent screening (all optional; defaults are the field's usual ones)."""

    longstring_share: float = 0.8
    min_irv: float = 0.3
    speed_ratio: float = 1 / 3
    max_missing_share: float = 0.2
    #: share of ordinary respondents the random-responding screen flags by chance (the
    #: person-fit distance is judged against a chi-square fitted to the respondents' own
    #: distances, so this holds for non-normal Likert answers too)
    mahalanobis_alpha: float = 0.001
    min_even_odd: float | None = None
    max_failed_checks: int = 0
    enabled: list[str] | None = None


#: A descriptor with more levels than this is refused (band it first); ``check``,
#: ``discover`` and ``profile`` apply it (here, so that reading a survey does not import
#: the profiling stage and its plotting).
MAX_LEVELS = 30
#: Descriptors picked automatically (``profile`` without any listed, ``instrument
#: draft``) have 2 to this many levels.
AUTO_MAX_LEVELS = 12


def _code_text(value: Any) -> str | None:
    """A cell as a missing code is compared: ``2.0`` and ``"2"`` are ``"2"``; missing is None."""
    import numpy as np
    import pandas as pd

    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, bool) or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip().casefold() or None


class ProfileColumn(_Model):
    """A column to profile the types by (``descriptors:``) or to compare them on (``outcomes:``).

    ``levels`` gives the order of a descriptor's levels, as a list of the values or as a
    mapping ``value: label`` (e.g. ``{1: Female, 2: Male}``); SPSS value labels are used
    when it is omitted. ``missing_codes`` lists the values of this column that mean "no
    answer" (e.g. ``[999999999, 99]``, or a text such as ``Vet ej``), as ``scale:
    missing_codes`` does for the statements: ``profile`` and ``check`` take them as empty
    cells, and ``profile`` counts them per column.
    """

    column: str
    label: str | None = None
    levels: list[str] | dict[str, str] | None = None
    missing_codes: list[str] = Field(default_factory=list)

    @field_validator("column", mode="before")
    @classmethod
    def _column_str(cls, v: Any) -> str:
        if v is None or str(v).strip() == "":
            raise _SaidError("problem_column_empty")
        return str(v).strip()

    @field_validator("levels", mode="before")
    @classmethod
    def _levels_text(cls, v: Any) -> Any:
        def text(x: Any) -> str:  # YAML reads 1 and 1.0 as numbers; compare as "1"
            return str(int(x)) if isinstance(x, float) and x.is_integer() else str(x).strip()
        if isinstance(v, dict):
            return {text(k): str(lab) for k, lab in v.items()}
        if isinstance(v, list):
            return [text(x) for x in v]
        return v

    @field_validator("missing_codes", mode="before")
    @classmethod
    def _codes_text(cls, v: Any) -> Any:
        # compared as a descriptor's levels are (999999999.0 and "999999999" alike)
        if v is None:
            return []
        if not isinstance(v, list):
            v = [v]
        return [str(int(x)) if isinstance(x, float) and x.is_integer() else str(x).strip()
                if isinstance(x, (str, int, float)) else x for x in v]

    def declared_missing(self, values: Any) -> Any:
        """A boolean Series: the cells of ``values`` that hold one of :attr:`missing_codes`
        (compared as text, ``2.0`` as ``"2"``, case and surrounding blanks aside)."""
        codes = {c.casefold() for c in self.missing_codes}
        return values.map(lambda x: _code_text(x) in codes)


class Instrument(_Model):
    """A survey instrument.

    Attributes
    ----------
    id_column : str
        Column of the responses file that identifies a respondent.
    scale : Scale
        ``min`` and ``max`` of the answer scale; optional ``labels`` and
        ``missing_codes`` (answers such as 99 = "don't know" that mean missing).
    items : list of Item
        The Likert statements analysed: ``id`` (the column), ``text``, ``reverse``
        and optionally ``theme`` (the interview theme the statement came from).
    name : str, optional
        Study name shown in reports.
    customer_id_column : str, optional
        Column linking respondents to the customer base.
    weight_column, duration_column : str, optional
        Survey weight and interview length in seconds.
    attention_checks : list of AttentionCheck
        Instructed-response items that are screened, not analysed.
    quality : QualitySettings
        Screening thresholds.
    min_group_size : int, default=30
        The smallest group shown in reports (privacy).
    descriptors, outcomes : list of ProfileColumn
        Columns ``behaviortypes profile`` describes the types by (banner tables) and
        compares them on (means by type), when its ``--by``/``--outcomes`` are not given.
    column_labels : dict of str to str
        How reports name a column of the responses file or of the customer base
        (``{alder: Ålder, app_inloggningar_90d: App-inloggningar (90 dagar)}``): the CRM
        signals of the persona pages, profiles by a column given with ``--by``. A
        descriptor's or outcome's own ``label`` wins (:meth:`label_of`).
    """

    id_column: str
    scale: Scale
    items: list[Item]
    name: str | None = None
    customer_id_column: str | None = None
    weight_column: str | None = None
    duration_column: str | None = None
    attention_checks: list[AttentionCheck] = Field(default_factory=list)
    quality: QualitySettings = Field(default_factory=QualitySettings)
    min_group_size: int = 30
    language: str | None = None
    descriptors: list[ProfileColumn] = Field(default_factory=list)
    outcomes: list[ProfileColumn] = Field(default_factory=list)
    column_labels: dict[str, str] = Field(default_factory=dict)

    @field_validator("column_labels", mode="before")
    @classmethod
    def _labels_text(cls, v: Any) -> Any:
        if v is None:
            return {}
        if isinstance(v, dict):  # YAML reads a label 2024 or a column 1 as numbers
            return {str(k).strip(): str(lab).strip() if isinstance(lab, (int, float)) else lab
                    for k, lab in v.items()}
        return v

    @model_validator(mode="after")
    def _check_items(self) -> "Instrument":
        if not self.items:
            raise _SaidError("problem_no_items")
        seen: set[str] = set()
        dupes = []
        for item in self.items:
            if item.id in seen:
                dupes.append(item.id)
            seen.add(item.id)
        if dupes:
            raise _SaidError("problem_item_ids_repeated", ids=", ".join(sorted(set(dupes))))
        checks = {c.id for c in self.attention_checks}
        both = sorted(checks & seen)
        if both:
            raise _SaidError("problem_item_and_check", ids=", ".join(both))
        return self

    @property
    def item_ids(self) -> list[str]:
        return [item.id for item in self.items]

    @property
    def reverse_ids(self) -> list[str]:
        return [item.id for item in self.items if item.reverse]

    @property
    def item_texts(self) -> dict[str, str]:
        return {item.id: item.text for item in self.items}

    @property
    def item_themes(self) -> dict[str, str | None]:
        return {item.id: item.theme for item in self.items}

    def label_of(self, column: str) -> str | None:
        """The label instrument.yaml gives ``column``: its descriptor's or outcome's
        ``label``, else ``column_labels``; ``None`` when it gives none."""
        for entry in [*self.descriptors, *self.outcomes]:
            if entry.column == column and entry.label:
                return entry.label
        return self.column_labels.get(column) or None

    def labels(self) -> dict[str, str]:
        """Every column label instrument.yaml gives (:meth:`label_of` for each column)."""
        named = [e.column for e in [*self.descriptors, *self.outcomes]] + list(self.column_labels)
        return {c: lab for c in dict.fromkeys(named) if (lab := self.label_of(c))}

    def missing_codes_of(self, column: str) -> list[str]:
        """The ``missing_codes`` declared for ``column`` under ``outcomes:`` or
        ``descriptors:`` (both, when it is listed twice)."""
        entries = [e for e in [*self.outcomes, *self.descriptors] if e.column == column]
        return list(dict.fromkeys(c for e in entries for c in e.missing_codes))

    def declared_missing(self, column: str, values: Any) -> Any:
        """A boolean Series: the cells of ``values`` (the column ``column``) that hold one
        of its declared missing codes (:meth:`missing_codes_of`)."""
        return ProfileColumn(column=column, missing_codes=self.missing_codes_of(column)).declared_missing(values)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


def column_label(column: str, labels: Mapping[str, str] | None = None) -> str:
    """How a report names ``column``: its label in ``labels`` (column → label, e.g.
    :meth:`Instrument.labels`), else the name with spaces for underscores and a capital
    first letter (``kundtjänst_kontakter`` → ``Kundtjänst kontakter``; no letter is lost)."""
    label = (labels or {}).get(str(column))
    if label:
        return str(label)
    text = str(column).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _item_problem(parts: list, data: Any, sentence: Said, file: str | Path | None, value: Any) -> Problem | None:
    """A validator's sentence about one statement (``items.10.reverse``) said by the
    statement's id, its line in the file when found and the key: ``statement 'N2' (line
    15): reverse: …`` (user trial 21: the 0-based ``items.10`` was the 11th statement)."""
    import re

    items = data.get("items") if isinstance(data, dict) else None
    if len(parts) < 3 or parts[0] != "items" or not str(parts[1]).isdigit() or not isinstance(items, list):
        return None
    i = int(parts[1])
    item = items[i] if i < len(items) and isinstance(items[i], dict) else {}
    item_id = str(item.get("id", "")).strip()
    if not item_id:
        return None
    line = None
    if file is not None and Path(file).is_file():
        found = re.compile(r"\bid:\s*['\"]?" + re.escape(item_id) + r"['\"]?\s*[,}\n]")
        with open(file, encoding="utf-8", errors="replace") as fh:
            line = next((n for n, text in enumerate(fh, 1) if found.search(text + "\n")), None)
    key = ".".join(str(p) for p in parts[2:])
    where = Said("problem_item_where_line", {"line": line}) if line else Said("problem_item_where_n", {"n": i + 1})
    hint = Said("problem_reverse_value_fix") if sentence.code == "problem_reverse_value" else None
    return Problem(code="problem_at_item", values={"item": item_id, "where": where, "key": key,
                                                   "message": sentence}, file=file, value=value, hint=hint)


def _repeated_id_problem(said: Any, data: Any, file: str | Path | None) -> Problem | None:
    """A repeated statement id said by the lines of its first two entries in the file
    (user trial 23: "item ids must be unique; repeated: N3" named no line)."""
    import re

    items = data.get("items") if isinstance(data, dict) else None
    if said.code != "problem_item_ids_repeated" or not isinstance(items, list) \
            or file is None or not Path(file).is_file():
        return None
    ids = [str(it.get("id", "")).strip() for it in items if isinstance(it, dict)]
    dupe = next((i for n, i in enumerate(ids) if i in ids[:n]), None)
    if dupe is None:
        return None
    found = re.compile(r"\bid:\s*['\"]?" + re.escape(dupe) + r"['\"]?\s*[,}\n]")
    with open(file, encoding="utf-8", errors="replace") as fh:
        lines = [n for n, text in enumerate(fh, 1) if found.search(text + "\n")]
    if len(lines) < 2:
        return None
    return Problem(code="problem_item_id_repeated_line", file=file, value=dupe,
                   values={"id": dupe, "first": lines[0], "second": lines[1], "ids": said.values.get("ids", dupe)})


def _pydantic_problems(err: ValidationError, file: str | Path | None, data: Any = None) -> list[Problem]:
    problems = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"])
        msg = e["msg"].removeprefix("Value error, ")
        value = e.get("input") if e["type"] not in {"missing", "model_type"} else None
        if isinstance(value, (dict, list)):
            value = None
        elif isinstance(value, (str, bytes)) and len(value) > _SHOWN:
            value = value[: _SHOWN - 1] + "…"
        if e["type"] in ("missing", "extra_forbidden"):  # said in the study's language
            code = "problem_key_missing" if e["type"] == "missing" else "problem_key_unknown"
            problems.append(Problem(code=code, values={"key": loc}, file=file, value=value))
            continue
        said = (e.get("ctx") or {}).get("error")
        if isinstance(said, _SaidError):  # a validator's own sentence, in the catalogue
            sentence = Said(said.code, said.values)
            repeated = _repeated_id_problem(said, data, file)
            if repeated is not None:
                problems.append(repeated)
                continue
            item = _item_problem(list(e["loc"]), data, sentence, file, value)
            if item is not None:
                problems.append(item)
                continue
            problems.append(Problem(code="problem_at_key", values={"key": loc, "message": sentence}, file=file,
                                    value=value) if loc else Problem(code=said.code, values=said.values, file=file,
                                                                     value=value))
            continue
        msg = f"'{loc}': {msg}" if loc else msg
        if len(msg) > 200:  # a message quoting a long value
            msg = msg[:199] + "…"
        problems.append(_type_problem(e, msg, file, value) or Problem(msg, file=file, value=value))
    return problems


#: pydantic's type errors, by what the key must be (``problem_type_<what>`` in the catalogue).
_TYPE_SAID = {"int_parsing": "whole", "int_type": "whole", "int_from_float": "whole", "float_parsing": "number",
              "float_type": "number", "bool_parsing": "bool", "bool_type": "bool", "string_type": "text",
              "dict_type": "mapping", "model_type": "mapping", "model_attributes_type": "mapping",
              "list_type": "list", "tuple_type": "list", "set_type": "list"}
_UNION_TAGS = {"int", "float", "str", "bool", "list", "dict"}


def _type_problem(e: dict, message: str, file: str | Path | None, value: Any) -> Problem | None:
    """A value of the wrong type (``min: "one"``, a list where a mapping belongs) as a
    problem said in the study's language: the key, what it must be, what it is and how to
    write it. The English line stays pydantic's sentence, word for word as before."""
    what = _TYPE_SAID.get(e["type"])
    parts = [str(p) for p in e["loc"] if not (str(p) in _UNION_TAGS or "[" in str(p))]  # float | list[float]
    if what is None or not parts:
        return None
    leaf = next((p for p in reversed(parts) if not p.isdigit()), parts[-1])
    given = e.get("input")
    if parts[:2] == ["scale", "missing_codes"] and len(parts) > 2 and what == "number" and isinstance(given, str):
        # "Vet ej" as a scale missing code (user trial 20): the statements' codes are numbers
        return Problem(code="problem_scale_text_missing_code", file=file, value=given,
                       values={"value": given})
    kind = ("empty" if given is None else "bool" if isinstance(given, bool) else "number"
            if isinstance(given, (int, float)) else {dict: "mapping", list: "list"}.get(type(given), "text"))
    problem = Problem(message, file=file, value=value, code=f"problem_type_{what}",
                      values={"key": ".".join(parts), "kind": Said(f"problem_kind_{kind}")})
    problem.hint_said = Said(f"problem_type_{what}_fix", {"leaf": leaf})  # said in the study's language only
    return problem


def instrument_from_dict(data: Any, *, file: str | Path | None = None) -> Instrument:
    """Build an :class:`Instrument` from parsed YAML, reporting every problem at once.

    Raises
    ------
    InputError
        If a required key is missing, a value has the wrong type, or settings conflict.
    """
    if not isinstance(data, dict):
        raise InputError(code="problem_instrument_not_mapping", file=file)
    try:
        return Instrument.model_validate(data)
    except ValidationError as err:
        raise InputError(problems=_pydantic_problems(err, file, data)) from None


def load_instrument(path: str | Path) -> Instrument:
    """Read and validate ``instrument.yaml``.

    Raises
    ------
    InputError
        If the file is missing, is not valid YAML, or does not describe an instrument.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(code="problem_no_instrument", file=path, values={"path": str(path.absolute())})
    data = load_user_yaml(path)
    return instrument_from_dict(data, file=path)
