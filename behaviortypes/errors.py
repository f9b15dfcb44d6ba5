"""One exception family for behaviortypes.

User mistakes (a bad file, a wrong column, a value outside the scale) raise
:class:`InputError`, which carries the file, column, rows and value involved and a
hint on how to fix it. The CLI prints ``str(error)`` as one line and exits non-zero;
notebooks show the same message. Programming errors are ordinary Python exceptions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "BehaviortypesError",
    "InputError",
    "Problem",
    "SurveyQualityWarning",
    "TypesOverlapWarning",
    "CodedProblem",
    "BehaviortypesWarning",
    "format_rows",
    "show_value",
    "as_written",
]


def format_rows(rows: Iterable[int] | None, limit: int = 5) -> str:
    """Format row numbers as ``"3, 7, 12 and 4 more"``."""
    if rows is None:
        return ""
    rows = list(rows)
    shown = ", ".join(str(r) for r in rows[:limit])
    if len(rows) > limit:
        shown += f" and {len(rows) - limit} more"
    return shown


def show_value(value: object) -> str:
    """A value as a message shows it: numbers plainly (``1``, ``3.5``; never
    ``np.float64(1.0)``), texts quoted, long values cut at 80 characters."""
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        try:
            value = item()  # numpy scalar -> Python scalar
        except (TypeError, ValueError):
            pass
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    shown = f"{value:g}" if isinstance(value, float) else repr(value)
    return shown if len(shown) <= 80 else shown[:79] + "…"


def as_written(raw: object, number: float) -> int | float | str:
    """A cell's value for a message as the user wrote it in their file.

    A text cell that is not written as the plain number is echoed as it stands
    (``"3,5"`` from a file with decimal commas, not the ``3.5`` it was read as), so the
    user can search their file for it; otherwise the number, plainly (``3.5``, ``7``).

    Parameters
    ----------
    raw : object
        The cell as read from the file.
    number : float
        The number it was read as.
    """
    plain = int(number) if float(number).is_integer() else float(number)
    if isinstance(raw, str) and raw.strip() and raw.strip() != show_value(plain):
        return raw.strip()
    return plain


class BehaviortypesError(Exception):
    """Base class of every error raised on purpose by behaviortypes."""


class Problem:
    """One thing wrong with a user's input.

    Parameters
    ----------
    message : str
        What is wrong, in the user's terms.
    file, column : str or Path, optional
        Where it is.
    rows : sequence of int, optional
        Row numbers as the user sees them in the file: Excel's row number, the line of
        a CSV file (the header is row 1, so the first respondent is row 2; row 4 in a
        Qualtrics export with three header rows).
    value : object, optional
        The offending value.
    hint : str, optional
        How to fix it.
    respondent : str, optional
        The respondent id of the (first) row, shown after the row number.
    """

    __slots__ = ("message", "file", "column", "rows", "value", "hint", "respondent")

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        column: str | None = None,
        rows: Sequence[int] | None = None,
        value: object = None,
        hint: str | None = None,
        respondent: str | None = None,
    ) -> None:
        self.message = message
        self.respondent = None if respondent is None else str(respondent)
        self.file = None if file is None else str(file)
        self.column = column
        self.rows = None if rows is None else [int(r) for r in rows]
        self.value = value
        self.hint = hint

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(Path(self.file).name)
        if self.column is not None:
            where.append(f"column '{self.column}'")
        if self.rows:
            label = "row" if len(self.rows) == 1 else "rows"
            where.append(f"{label} {format_rows(self.rows)}")
            if self.respondent is not None:
                first = "" if len(self.rows) == 1 else "first "
                where[-1] += f" ({first}respondent {self.respondent})"
        text = (", ".join(where) + ": " if where else "") + self.message
        if self.value is not None and show_value(self.value) not in text and str(self.value) not in text:
            text += f" (value {show_value(self.value)})"  # a value may be megabytes long: its start
        if self.hint:
            text += f". Hint: {self.hint}"
        return text

    def to_dict(self) -> dict:
        return {s: getattr(self, s) for s in Problem.__slots__}


class CodedProblem(Problem):
    """A :class:`Problem` whose sentence is also a ``report/i18n`` code and its values, so
    that a warning made of it can be said in the command line's language
    (:meth:`warning`); ``str()`` and :meth:`to_dict` are the plain problem's."""

    __slots__ = ("code", "values")

    def __init__(self, message: str, *, code: str, values: dict[str, object] | None = None,
                 **where: Any) -> None:
        super().__init__(message, **where)
        self.code, self.values = code, dict(values or {})

    def warning(self, category: type[BehaviortypesWarning]) -> BehaviortypesWarning:
        """The problem as a warning of ``category`` carrying its code, file and column."""
        where = {"file": Path(self.file).name if self.file else "", "column": self.column or ""}
        return category(str(self), code=self.code, values={**where, **self.values})


class InputError(BehaviortypesError, ValueError):
    """Something is wrong with the user's data or settings.

    Raise with one problem (keyword arguments as :class:`Problem`) or with a list of
    problems found at once (``problems=[...]``). ``str(error)`` is always one line.
    """

    def __init__(
        self,
        message: str | None = None,
        *,
        file: str | Path | None = None,
        column: str | None = None,
        rows: Sequence[int] | None = None,
        value: object = None,
        hint: str | None = None,
        problems: Sequence[Problem] | None = None,
        respondent: str | None = None,
    ) -> None:
        if problems is None:
            if message is None:
                raise TypeError("InputError needs a message or problems")
            problems = [
                Problem(message, file=file, column=column, rows=rows, value=value, hint=hint,
                        respondent=respondent)
            ]
        self.problems = list(problems)
        first = self.problems[0]
        self.file, self.column, self.rows = first.file, first.column, first.rows
        self.value, self.hint = first.value, first.hint
        super().__init__(self._one_line())

    def _one_line(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        # the same problem in several columns (text answers in all 12 statements) is said
        # once, with its first occurrence: a line a person reads, not 2,000 characters
        groups: dict[tuple, list[Problem]] = {}
        for p in self.problems:
            key = (p.file, p.message, p.hint) if p.column is not None else (id(p),)
            groups.setdefault(key, []).append(p)
        parts = "; ".join(f"({i}) {_said_once(ps)}" for i, ps in enumerate(groups.values(), 1))
        return f"{len(self.problems)} problems: {parts}"


def _said_once(problems: list[Problem]) -> str:
    """One problem as it reads, or the same problem in several columns: the columns, then
    where it first occurs (row, respondent, value) and the hint once."""
    if len(problems) == 1:
        return str(problems[0])
    first = problems[0]
    columns = [p.column for p in problems]
    names = ", ".join(f"'{c}'" for c in columns[:3]) + (
        f" and {len(columns) - 3} more" if len(columns) > 3 else "")
    text = (f"{Path(first.file).name}, " if first.file else "") + f"{len(columns)} columns ({names}): "
    text += f"{first.message}; first in column '{first.column}'"
    if first.rows:
        text += f", {'row' if len(first.rows) == 1 else 'rows'} {format_rows(first.rows, limit=3)}"
        if first.respondent is not None:
            text += f" ({'' if len(first.rows) == 1 else 'first '}respondent {first.respondent})"
    if first.value is not None:
        text += f" (value {show_value(first.value)})"
    if first.hint:
        text += f". Hint: {first.hint}"
    return text


class BehaviortypesWarning(UserWarning):
    """Base class of behaviortypes warnings.

    A warning may also carry its sentence as a ``code`` of ``report/i18n/<lang>.yaml``
    and its ``values`` (said by :func:`behaviortypes.i18n.reason_text`), so that the
    command line says it in the language it speaks; its text (``str(warning)``) is
    the English one.
    """

    def __init__(self, *args: object, code: str | None = None,
                 values: dict[str, object] | None = None) -> None:
        super().__init__(*args)
        self.code = code
        self.values = dict(values or {})


class SurveyQualityWarning(BehaviortypesWarning):
    """The data can be analysed, but something deserves a look (high missingness, low variance...)."""


class TypesOverlapWarning(SurveyQualityWarning):
    """The kept types overlap heavily (relative entropy below 0.7).

    A :class:`SurveyQualityWarning`, so filters on that category catch it. The command
    line does not print it: ``discover``'s summary says the same, and more, in its
    continuum box (:func:`behaviortypes.pipeline.continuum_lines`).
    """
