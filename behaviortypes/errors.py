"""One exception family for behaviortypes.

User mistakes (a bad file, a wrong column, a value outside the scale) raise
:class:`InputError`, which carries the file, column, rows and value involved and a
hint on how to fix it. The CLI prints ``str(error)`` as one line and exits non-zero;
notebooks show the same message. Programming errors are ordinary Python exceptions.

A problem's sentence and hint are kept once, as a code of the message catalogue
(``problem_*`` in ``report/i18n/<lang>.yaml``, with the words around them: ``column``,
``row``, ``Hint:``), and the problem carries the code and its values
(``Problem(code="problem_value_outside", values={...}, file=..., column=...)``):
``str()`` is the English line, :meth:`InputError.said` the line in the study's language
(Swedish: "responses.csv, kolumn 's01', rad 6 (svarande R0005): värdet 9 ligger utanför
skalan 1–7. Tips: ..."). A problem written as a plain text is said as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

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
    "phrase",
    "Said",
    "Number",
]


class Said(NamedTuple):
    """A sentence of the catalogue and its values, said later in the language asked for;
    also a value of another sentence (``{what}`` of "{what} not found")."""

    code: str
    values: dict[str, object] | None = None


class Number(float):
    """A decimal number of a sentence, written as the language it is said in writes it:
    ``Number(0.15)`` is ``0.15`` in English and ``0,15`` in Swedish (:func:`phrase`).

    A :class:`Problem`'s values are said later, in a language not known when the problem is
    made; a number formatted then (``f"{r:.2f}"``) kept its decimal point in Swedish
    (session 24: "största |r| är 0.15"). Elsewhere it is a plain float; ``str()`` and
    ``format()`` without a spec give the English text."""

    digits: int

    def __new__(cls, value: float, digits: int = 2) -> "Number":
        obj = super().__new__(cls, value)
        obj.digits = int(digits)
        return obj

    def __reduce__(self) -> tuple:
        return (Number, (float(self), self.digits))

    def said(self, lang: str = "en") -> str:
        """The number with :attr:`digits` decimals as ``lang`` writes it."""
        text = f"{float(self):.{self.digits}f}"
        if lang == "en":
            return text
        from .texts import Formatter  # (the report's numbers: a decimal comma in Swedish)

        return Formatter(lang).num(float(self), self.digits)

    def __str__(self) -> str:
        return self.said("en")

    def __format__(self, spec: str) -> str:
        return self.said("en") if not spec else format(float(self), spec)


#: codes whose hint names the path tried; the path comes from the problem's file when the
#: raising code does not give it (user trial 8: "nope.csv: not found" left the folder unsaid)
_PATH_HINTS = frozenset({"problem_not_found", "problem_no_file", "problem_is_folder"})

def phrase(code: str, lang: str = "en", values: dict[str, object] | None = None) -> str:
    """A sentence of the message catalogue (``report/i18n/<lang>.yaml``) with its values.

    Every sentence a user error says in more than one language is kept once, under a
    code, in the catalogue of each language (``problem_value_outside: "value {value} is
    outside the scale {scale}"``); the code and the values travel with the
    :class:`Problem`, so the command line can say it in the study's language.

    Parameters
    ----------
    code : str
        The template's key; a language without it falls back to English.
    lang : str, default="en"
    values : dict, optional
        The template's fields, already written as text or plain numbers (a user's
        value as they wrote it: ``3,5`` stays ``3,5``); a :class:`Number` is written as
        ``lang`` writes numbers (``0,15`` in Swedish), a :class:`Said` as its sentence.
    """
    texts = _catalogue(lang)
    template = texts.get(code, _catalogue("en").get(code, code))
    said = {k: phrase(v.code, lang, v.values) if isinstance(v, Said) else v.said(lang) if isinstance(v, Number)
            else v for k, v in (values or {}).items()}
    return str(template).format(**said)


_CATALOGUES: dict[str, dict[str, str]] = {}


def _catalogue(lang: str) -> dict[str, str]:
    """The catalogue of ``lang`` (English for a language without one), read once."""
    if lang not in _CATALOGUES:
        from .texts import LANGUAGES, load_texts  # the report imports this module

        _CATALOGUES[lang] = load_texts(lang if lang in LANGUAGES else "en")
    return _CATALOGUES[lang]


def format_rows(rows: Iterable[int] | None, limit: int = 5, lang: str = "en") -> str:
    """Format row numbers as ``"3, 7, 12 and 4 more"`` (``"3, 7, 12 och 4 till"``)."""
    if rows is None:
        return ""
    rows = list(rows)
    shown = ", ".join(str(r) for r in rows[:limit])
    if len(rows) > limit:
        shown = phrase("problem_and_more", lang, {"shown": shown, "n": len(rows) - limit})
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
    if isinstance(value, str) and shown != f"'{value}'" and _SEEN.sub(" ", value).isprintable() \
            and "'" not in value and "\\" not in value:
        shown = f"'{value}'"  # as the user sees it: '1 367,89', not '1\xa0367,89' (a no-break space)
    return shown if len(shown) <= 80 else shown[:79] + "…"


#: Spaces a spreadsheet writes that Python's repr() would escape (no-break, narrow no-break,
#: thin): shown as they are, since a user sees them as spaces.
_SEEN = re.compile("[\u00a0\u202f\u2009]")


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


def _says_value(message: str, value: object) -> bool:
    """Whether the sentence already says the value (as shown, or as a whole word: "answer
    3,5 is not a point"); a value that is only part of a word or of the file's name ('x' in
    "answers.xlsx") is not said."""
    shown, raw = show_value(value), str(value)
    return shown in message or (raw != "" and re.search(rf"(?<!\w){re.escape(raw)}(?!\w)", message) is not None)


class BehaviortypesError(Exception):
    """Base class of every error raised on purpose by behaviortypes."""


class Problem:
    """One thing wrong with a user's input.

    Parameters
    ----------
    message : str, optional
        What is wrong, in the user's terms; said from the catalogue when ``code`` is
        given and ``message`` is not.
    file, column : str or Path, optional
        Where it is.
    rows : sequence of int, optional
        Row numbers as the user sees them in the file: Excel's row number, the line of
        a CSV file (the header is row 1, so the first respondent is row 2; row 4 in a
        Qualtrics export with three header rows).
    value : object, optional
        The offending value.
    hint : str or Said, optional
        How to fix it: a sentence of the catalogue (:class:`Said`) or a text; said from
        the catalogue's ``<code>_hint`` when ``code`` is given, ``hint`` is not and the
        catalogue has one.
    respondent : str, optional
        The respondent id of the (first) row, shown after the row number.
    code : str, optional
        The message's template in the catalogue (:func:`phrase`), so that
        :meth:`said` can say the problem in another language.
    values : dict, optional
        The template's fields.
    """

    __slots__ = ("message", "file", "column", "rows", "value", "hint", "respondent", "code", "values",
                 "hint_said")
    #: What :meth:`to_dict` gives (the problem as a user reads it).
    FIELDS = ("message", "file", "column", "rows", "value", "hint", "respondent")

    def __init__(
        self,
        message: str | None = None,
        *,
        file: str | Path | None = None,
        column: str | None = None,
        rows: Sequence[int] | None = None,
        value: object = None,
        hint: str | Said | None = None,
        respondent: str | None = None,
        code: str | None = None,
        values: dict[str, object] | None = None,
    ) -> None:
        if message is None and code is None:
            raise TypeError("Problem needs a message or a code")
        self.code, self.values = code, dict(values or {})
        if file is not None and code in _PATH_HINTS:  # "check the path (looked for /abs/x.csv)"
            self.values.setdefault("path", str(Path(file).absolute()))
        self.message = message if message is not None else phrase(code, "en", self.values)
        if hint is None and code is not None and f"{code}_hint" in _catalogue("en"):
            hint = Said(f"{code}_hint", self.values)
        self.hint_said = hint if isinstance(hint, Said) else None
        hint = phrase(hint.code, "en", hint.values) if isinstance(hint, Said) else hint
        self.respondent = None if respondent is None else str(respondent)
        self.file = None if file is None else str(file)
        self.column = column
        self.rows = None if rows is None else [int(r) for r in rows]
        self.value = value
        self.hint = hint

    def __str__(self) -> str:
        return self._framed(self.message, self.hint, "en")

    def said(self, lang: str = "en") -> str:
        """The problem as one line in ``lang``: its file, column, rows and value as
        ``str()`` shows them, with the catalogue's words around them (``kolumn``,
        ``rad``, ``Tips:``) and its message and hint from the catalogue. A problem
        without a code keeps its (English) sentence."""
        return self._framed(*self.sentences(lang), self.language(lang))

    def language(self, lang: str) -> str:
        """The language the problem is said in when ``lang`` is asked for: ``lang`` when
        its sentence is in the catalogue, else English (the sentence as written)."""
        return lang if self.code is not None else "en"

    def sentences(self, lang: str = "en") -> tuple[str, str | None]:
        """The message and the hint in :meth:`language` of ``lang``."""
        if self.language(lang) == "en":
            return self.message, self.hint
        hint = self.hint if self.hint_said is None else phrase(self.hint_said.code, lang, self.hint_said.values)
        return phrase(self.code, lang, self.values), hint

    def _framed(self, message: str, hint: str | None, lang: str) -> str:
        where = []
        if self.file:
            where.append(Path(self.file).name)
        if self.column is not None:
            where.append(phrase("problem_column", lang, {"column": self.column}))
        if self.rows:
            label = "problem_row" if len(self.rows) == 1 else "problem_rows"
            where.append(phrase(label, lang, {"rows": format_rows(self.rows, lang=lang)}))
            if self.respondent is not None:
                who = "problem_respondent" if len(self.rows) == 1 else "problem_first_respondent"
                where[-1] += " " + phrase(who, lang, {"id": self.respondent})
        text = (", ".join(where) + ": " if where else "") + message
        if self.value is not None and not _says_value(message, self.value):
            # a value may be megabytes long: its start
            text += phrase("problem_value", lang, {"value": show_value(self.value)})
        if hint:
            text += phrase("problem_hint", lang, {"hint": hint})
        return text

    def to_dict(self) -> dict:
        return {s: getattr(self, s) for s in Problem.FIELDS}


class CodedProblem(Problem):
    """A :class:`Problem` whose whole line (file and column included) is also a
    ``report/i18n`` code and its values, so that a warning made of it can be said in
    the command line's language (:meth:`warning`); ``str()`` and :meth:`to_dict` are
    the plain problem's."""

    __slots__ = ()

    def __init__(self, message: str, *, code: str, values: dict[str, object] | None = None,
                 **where: Any) -> None:
        super().__init__(message, **where)
        self.code, self.values = code, dict(values or {})

    def said(self, lang: str = "en") -> str:
        """The whole line in ``lang`` (the warning's template), ``str()`` in English."""
        if lang == "en":
            return str(self)
        from .i18n import reason_text
        from .texts import Formatter  # (numbers as the language writes them: "15,7 %")

        where = {"file": Path(self.file).name if self.file else "", "column": self.column or ""}
        return reason_text({"code": self.code, "values": {**where, **self.values}}, _catalogue(lang),
                           Formatter(lang))

    def warning(self, category: type[BehaviortypesWarning]) -> BehaviortypesWarning:
        """The problem as a warning of ``category`` carrying its code, file and column."""
        where = {"file": Path(self.file).name if self.file else "", "column": self.column or ""}
        return category(str(self), code=self.code, values={**where, **self.values})


class InputError(BehaviortypesError, ValueError):
    """Something is wrong with the user's data or settings.

    Raise with one problem (keyword arguments as :class:`Problem`, its sentence as a
    text or as a catalogue ``code`` and ``values``) or with a list of problems found at
    once (``problems=[...]``). ``str(error)`` is always one line, in English;
    :meth:`said` is the line in another language.
    """

    def __init__(
        self,
        message: str | None = None,
        *,
        file: str | Path | None = None,
        column: str | None = None,
        rows: Sequence[int] | None = None,
        value: object = None,
        hint: str | Said | None = None,
        problems: Sequence[Problem] | None = None,
        respondent: str | None = None,
        code: str | None = None,
        values: dict[str, object] | None = None,
    ) -> None:
        if problems is None:
            if message is None and code is None:
                raise TypeError("InputError needs a message, a code or problems")
            problems = [
                Problem(message, file=file, column=column, rows=rows, value=value, hint=hint,
                        respondent=respondent, code=code, values=values)
            ]
        self.problems = list(problems)
        first = self.problems[0]
        self.file, self.column, self.rows = first.file, first.column, first.rows
        self.value, self.hint = first.value, first.hint
        super().__init__(self.said("en"))

    def language(self, lang: str = "en") -> str:
        """The language :meth:`said` speaks when ``lang`` is asked for: ``lang`` when a
        word of the line comes from the catalogue (a problem's sentence, or the count of
        several problems), else English (one problem as written)."""
        return lang if len(self.problems) > 1 else self.problems[0].language(lang)

    def said(self, lang: str = "en") -> str:
        """The error as one line in ``lang`` (``str(error)`` is the English line): the
        problems that carry a catalogue code are said in ``lang``, others as written."""
        if len(self.problems) == 1:
            return self.problems[0].said(lang)
        # the same problem in several columns (text answers in all 12 statements) is said
        # once, with its first occurrence: a line a person reads, not 2,000 characters
        groups: dict[tuple, list[Problem]] = {}
        for p in self.problems:
            key = (p.file, p.message, p.hint) if p.column is not None else (id(p),)
            groups.setdefault(key, []).append(p)
        parts = "; ".join(f"({i}) {_said_once(ps, lang)}" for i, ps in enumerate(groups.values(), 1))
        return phrase("problem_count", lang, {"n": len(self.problems), "parts": parts})


def _said_once(problems: list[Problem], lang: str = "en") -> str:
    """One problem as it reads, or the same problem in several columns: the columns, then
    where it first occurs (row, respondent, value) and the hint once."""
    if len(problems) == 1:
        return problems[0].said(lang)
    first = problems[0]
    said_in = first.language(lang)
    message, hint = first.sentences(lang)
    columns = [p.column for p in problems]
    names = ", ".join(f"'{c}'" for c in columns[:3])
    if len(columns) > 3:
        names = phrase("problem_and_more", said_in, {"shown": names, "n": len(columns) - 3})
    text = (f"{Path(first.file).name}, " if first.file else "") + phrase(
        "problem_columns", said_in, {"n": len(columns), "names": names}) + ": "
    text += phrase("problem_first_in", said_in, {"message": message, "column": first.column})
    if first.rows:
        label = "problem_row" if len(first.rows) == 1 else "problem_rows"
        text += ", " + phrase(label, said_in, {"rows": format_rows(first.rows, limit=3, lang=said_in)})
        if first.respondent is not None:
            who = "problem_respondent" if len(first.rows) == 1 else "problem_first_respondent"
            text += " " + phrase(who, said_in, {"id": first.respondent})
    if first.value is not None:
        text += phrase("problem_value", said_in, {"value": show_value(first.value)})
    if hint:
        text += phrase("problem_hint", said_in, {"hint": hint})
    return text


class BehaviortypesWarning(UserWarning):
    """Base class of behaviortypes warnings.

    A warning may also carry its sentence as a ``code`` of ``report/i18n/<lang>.yaml``
    and its ``values`` (said by :func:`behaviortypes.i18n.reason_text`), or the
    :class:`Problem` it was made of (said by :meth:`Problem.said`), so that the
    command line says it in the language it speaks; its text (``str(warning)``) is
    the English one.
    """

    def __init__(self, *args: object, code: str | None = None,
                 values: dict[str, object] | None = None, problem: Problem | None = None) -> None:
        super().__init__(*args)
        self.code = code
        self.values = dict(values or {})
        self.problem = problem

    def said(self, lang: str = "en") -> str | None:
        """The warning in ``lang`` when it carries its problem (``None`` otherwise)."""
        return None if self.problem is None else self.problem.said(lang)


class SurveyQualityWarning(BehaviortypesWarning):
    """The data can be analysed, but something deserves a look (high missingness, low variance...)."""


class TypesOverlapWarning(SurveyQualityWarning):
    """The kept types overlap heavily (relative entropy below 0.7).

    A :class:`SurveyQualityWarning`, so filters on that category catch it. The command
    line does not print it: ``discover``'s summary says the same, and more, in its
    continuum box (:func:`behaviortypes.pipeline.continuum_lines`).
    """
