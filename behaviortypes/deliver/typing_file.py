"""Typing a file of answers with the typing tool (``typing-tool OUT --score``), in bounded memory.

:func:`score_answers_file` reads a CSV file of answers a bounded number of rows at a
time (:func:`behaviortypes.deliver.answers.open_answers`), checks each chunk, types it
and appends it to a temporary file beside the output, which is renamed into place only
when every row has been checked: nothing is written when any row is refused, and an
existing file of the user's is never touched. Peak memory does not grow with the rows,
except for 16 bytes per row kept to find repeated ids (16 MB per million rows). Excel
and SPSS files are read whole (their readers cannot stream), then checked, typed and
written a chunk at a time. :func:`score_answers` types answers held in memory.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import yaml

from ..errors import InputError
from ..files import atomic_path, neutralise_formulas
from ..i18n import output_language, said
from ..scoring import SHOW_FROM_ROWS, RowMeter
from .answers import AnswerChecker, AnswerRows, open_answers, rows_per_chunk
from .owned import refuse_foreign_typed_csv
from .spec import CSV_DIALECTS, TypingSpec, default_min_answered, load_typing_spec

__all__ = ["TypedFile", "score_answers", "score_answers_file", "write_typed_csv"]


# --------------------------------------------------------------------------- result
@dataclass(frozen=True)
class TypedFile:
    """What :func:`score_answers_file` did, for people (:meth:`summary`) and machines (:meth:`to_dict`).

    Attributes
    ----------
    out : Path
        The typed-respondents CSV written.
    answers : Path
        The answers file read.
    id_column : str
        The answers' id column (the first column of ``out``).
    n_rows : int
        Respondents in the file (rows written).
    n_typed : int
        Respondents typed; the others answered fewer than ``min_answered`` statements.
    min_answered, n_items : int
        The rule applied: fewest answered of the ``n_items`` golden statements.
    type_counts : dict of int to int
        Respondents typed as each type (every type of the tool, 0 included).
    type_names : dict of int to str
        Type names used in the output.
    seconds, rows_per_s : float
        The whole run (reading, checking, typing, writing), as the progress display's
        last line shows it.
    shown : dict of str to str
        ``rows``, ``seconds`` and ``rate`` as the progress lines write them (in ``lang``).
    lang : str
        The language of the progress lines (the ``lang`` asked for, else the study's), and
        of :meth:`summary` by default.
    min_cell : int, default=10
        The smallest count :meth:`summary` shows (smaller: "fewer than 10"), as ``profile``:
        the study's ``min_group_size`` when its instrument.yaml sets it.
    frame : DataFrame or None
        Every typed respondent (as :func:`score_answers` gives them), only when asked for
        with ``keep_frame=True``; ``None`` otherwise (the file may not fit in memory).
    """

    out: Path
    answers: Path
    id_column: str
    n_rows: int
    n_typed: int
    min_answered: int
    n_items: int
    type_counts: dict[int, int]
    type_names: dict[int, str]
    seconds: float
    rows_per_s: float
    shown: dict[str, str] = field(default_factory=dict)
    lang: str = "en"
    frame: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    min_cell: int = 10

    @property
    def n_not_typed(self) -> int:
        """Respondents left untyped (too few statements answered)."""
        return self.n_rows - self.n_typed

    @property
    def table(self) -> pd.DataFrame:
        """Tidy counts indexed by ``type_id``: ``type_name, n, share`` (of the typed respondents)."""
        ids = list(self.type_counts)
        n = [self.type_counts[t] for t in ids]
        return pd.DataFrame({"type_name": [self.type_names.get(t, f"Type {t}") for t in ids], "n": n,
                             "share": [c / self.n_typed if self.n_typed else np.nan for c in n]},
                            index=pd.Index(ids, name="type_id"))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict of every figure (not the frame)."""
        return {"out": str(self.out), "answers": str(self.answers), "id_column": self.id_column,
                "n_rows": int(self.n_rows), "n_typed": int(self.n_typed), "n_not_typed": int(self.n_not_typed),
                "min_answered": int(self.min_answered), "n_items": int(self.n_items),
                "type_counts": {int(k): int(v) for k, v in self.type_counts.items()},
                "type_names": {int(k): str(v) for k, v in self.type_names.items()},
                "seconds": float(self.seconds), "rows_per_s": float(self.rows_per_s), "shown": dict(self.shown),
                "lang": self.lang}

    def hidden_counts(self) -> tuple[set[int], set[int]]:
        """The types whose count :meth:`summary` hides: those under :attr:`min_cell`, and
        when that is one type, the smallest other count too — else the hidden one is the
        total less the counts shown (secondary suppression, as ``profile``'s tables)."""
        small = {t for t, c in self.type_counts.items() if c < self.min_cell}
        shown = {t: c for t, c in self.type_counts.items() if t not in small}
        if len(small) == 1 and shown:
            return small, {min(shown, key=lambda t: (shown[t], t))}
        return small, set()

    def summary(self, lang: str | None = None) -> str:
        """The lines ``typing-tool --score`` prints, in ``lang`` (default :attr:`lang`):
        who was typed (and how many not, and why), each type's count and share of the
        typed (a count under :attr:`min_cell` only as "fewer than"), then rows, seconds and
        rows/s as the progress display's last line shows them."""
        need, n, lang = self.min_answered, self.n_items, lang or self.lang
        few = said("cli_few_answered", lang, need=need, n=n) if need > 1 else said("cli_none_answered", lang, n=n)
        note = said("cli_not_typed", lang, m=self.n_not_typed, few=few) if self.n_not_typed else ""
        group = lambda v: f"{int(v):,}".replace(",", "\u00a0" if lang == "sv" else ",")  # noqa: E731 (as the progress line)
        key = "cli_typed_one" if self.n_typed == 1 else "cli_typed"
        lines = [said(key, lang, path=self.out, n=group(self.n_typed)) + note]
        if self.n_typed:
            small, hidden = self.hidden_counts()
            counts = [said("cli_typed_type_few", lang, name=self.type_names.get(t, f"Type {t}"), min=self.min_cell)
                      if t in small else
                      said("cli_typed_type_hidden", lang, name=self.type_names.get(t, f"Type {t}"), min=self.min_cell)
                      if t in hidden else
                      said("cli_typed_type_n", lang, name=self.type_names.get(t, f"Type {t}"), n=group(c),
                           pct=f"{100 * c / self.n_typed:.0f}")
                      for t, c in self.type_counts.items()]
            lines.append(said("cli_typed_by_type", lang, counts=", ".join(counts)))
        return "\n".join([*lines, said("cli_typed_speed", lang, **self.shown)])


# --------------------------------------------------------------------------- typing
def _need(n: int, min_answered: int | None) -> int:
    """The fewest answered statements for a type, checked against the ``n`` statements."""
    need = default_min_answered(n) if min_answered is None else int(min_answered)
    if not 1 <= need <= n:
        raise InputError(f"--min-answered must be between 1 and {n} (the typing tool's statements)",
                         value=need, hint=f"the default is half the statements, {default_min_answered(n)}")
    return need


def score_answers(answers: pd.DataFrame, spec: TypingSpec, *, file: str | Path | None = None,
                  min_answered: int | None = None, lang: str | None = None) -> pd.DataFrame:
    """Type checked answers: ``<id>, type_id, type_name, probability, p_<type_id>..., not_typed``.

    The numbers are :meth:`TypingTool.score`'s; the names are the spec's. A respondent
    who answered fewer than ``min_answered`` golden statements (default
    :func:`default_min_answered`: half of them) is not typed: ``type_id``,
    ``type_name`` and the probabilities stay empty and ``not_typed`` says why (in
    ``lang``, default the study's language); it is empty for everyone typed.
    """
    from .texts import ui_text

    n = len(spec.items)
    need = _need(n, min_answered)
    lang = lang or (spec.language if spec.language in ("en", "sv") else "en")
    scored = spec.tool.score(answers, file=file)
    scored["type_name"] = [spec.names.get(int(t), f"Type {t}") for t in scored["type_id"]]
    answered = answers[spec.items].notna().sum(axis=1).to_numpy()
    few = answered < need
    scored["type_id"] = scored["type_id"].astype("Int64")
    if few.any():
        scored.loc[few, "type_id"] = pd.NA
        scored.loc[few, "type_name"] = ""
        p_cols = ["probability"] + [c for c in scored.columns if c.startswith("p_")]
        scored.loc[few, p_cols] = np.nan
    why = ui_text(lang)["too_few"]
    scored["not_typed"] = [why.format(a=int(a), n=n, m=need) if f else "" for a, f in zip(answered, few)]
    scored.index.name = answers.index.name or "respondent_id"
    out = scored.reset_index()
    out.attrs.update(min_answered=need, n_items=n)
    return out


def _check_dialect(dialect: str) -> None:
    if dialect not in CSV_DIALECTS:
        raise InputError(f"unknown CSV dialect {dialect!r}", column="csv_dialect", value=dialect,
                         hint=f"use one of: {', '.join(CSV_DIALECTS)} (excel-sv: ';' and decimal comma "
                              "for Excel in Swedish, Dutch, German ... settings)")


def _typed_bytes(scored: pd.DataFrame, dialect: str, header: bool = True) -> bytes:
    """Typed rows as the CSV dialect writes them (formulas neutralised), without a byte-order mark."""
    frame = neutralise_formulas(scored)
    if dialect == "excel-sv":
        text = frame.to_csv(sep=";", decimal=",", float_format="%.6f", index=False, lineterminator="\r\n",
                            header=header)
    else:
        text = frame.to_csv(index=False, header=header)
    return text.encode("utf-8")


def _bom(dialect: str) -> bytes:
    return b"" if dialect == "plain" else "\ufeff".encode("utf-8")


def write_typed_csv(path: str | Path, scored: pd.DataFrame, dialect: str = "excel") -> Path:
    """Write typed respondents as CSV for people, in one of ``behaviortypes score``'s dialects.

    ``excel``: UTF-8 with a byte-order mark, ``,`` and decimal point; ``excel-sv``: UTF-8
    with a byte-order mark, ``;`` and decimal comma (six decimals), for Excel in
    Swedish settings; ``plain``: UTF-8 without a byte-order mark, for programs. Text a
    spreadsheet would run as a formula gets a leading apostrophe
    (:func:`behaviortypes.files.neutralise_formula`). Written atomically.
    """
    _check_dialect(dialect)
    with atomic_path(path) as tmp:
        Path(tmp).write_bytes(_bom(dialect) + _typed_bytes(scored, dialect))
    return Path(path)


@dataclass
class _Tally:
    """What the typed chunks held: rows typed per type, and the rows when they are kept."""

    counts: dict[int, int]
    n_typed: int = 0
    frames: list[pd.DataFrame] | None = None

    def add(self, scored: pd.DataFrame) -> None:
        typed = scored["type_id"].dropna().astype(int)
        self.n_typed += len(typed)
        for k, v in typed.value_counts().items():
            self.counts[int(k)] = self.counts.get(int(k), 0) + int(v)
        if self.frames is not None:
            self.frames.append(scored)


def _type_chunks(answers: AnswerRows, spec: TypingSpec, out_path: Path, dialect: str,
                 min_answered: int | None, meter: RowMeter, tally: _Tally, chunk_rows: int | None) -> None:
    """Check, type and write each chunk to a temporary file beside ``out_path``, renamed into
    place at the end; on any problem it is removed and ``out_path`` is left as it was. The
    problem said is the one reading the whole file gives (answers, then ``min_answered``,
    then the output's place), after every row has been checked."""
    checker, header = AnswerChecker(spec, answers.path), True
    try:
        need, need_error = _need(len(spec.items), min_answered), None
    except InputError as err:
        need, need_error = None, err
    with ExitStack() as stack:
        try:
            out: IO[bytes] | None = stack.enter_context(open(stack.enter_context(atomic_path(out_path)), "wb"))
            write_error = None
        except InputError as err:  # (an unwritable place) said after the answers' problems
            out, write_error = None, err
        for chunk in answers.chunks(rows_per_chunk(answers.n_rows, chunk_rows)):
            values = checker.values(chunk)
            if checker.flag is None and need_error is None and out is not None:
                scored = score_answers(pd.DataFrame(values, columns=list(spec.items),
                                                    index=pd.Index(chunk.ids, name=answers.id_col)),
                                       spec, file=answers.path, min_answered=need)
                out.write((_bom(dialect) if header else b"") + _typed_bytes(scored, dialect, header))
                header = False
                tally.add(scored)
            meter.advance(len(chunk.ids))
        checker.raise_problem()
        for error in (need_error, write_error):
            if error is not None:
                raise error
        if header:  # no respondent: the header alone
            empty = pd.DataFrame(np.zeros((0, len(spec.items))), columns=list(spec.items),
                                 index=pd.Index([], dtype=object, name=answers.id_col))
            scored = score_answers(empty, spec, file=answers.path, min_answered=need)
            out.write(_bom(dialect) + _typed_bytes(scored, dialect))
            tally.add(scored)


def score_answers_file(tool: str | Path | TypingSpec, answers_path: str | Path,
                       out_path: str | Path, *, csv_dialect: str | None = None,
                       id_column: str | None = None, min_answered: int | None = None,
                       progress: bool = False, lang: str | None = None, keep_frame: bool = False,
                       chunk_rows: int | None = None) -> TypedFile:
    """Type every respondent of an answers file and write the result as CSV, in bounded memory.

    A CSV file is read, checked, typed and written a chunk of rows at a time (at most
    ``chunk_rows``, default 10,000), so memory does not grow with the rows (16 bytes per
    row are kept to find repeated ids); Excel and SPSS files are read whole (their
    readers cannot stream), then checked, typed and written in chunks. Every row is
    checked before the output is put in place: a refused file writes nothing.

    Parameters
    ----------
    tool : path or TypingSpec
        A discovery folder, a ``typing_tool.yaml`` or a loaded spec.
    answers_path : path
        CSV, Excel or SPSS file of answers (see :func:`read_answers`).
    out_path : path
        The CSV to write: the answers' id column (under its own name), ``type_id,
        type_name, probability``, ``p_<type_id>`` per type and ``not_typed`` (written
        to a temporary file beside it, renamed at the end). It is meant for people in a
        spreadsheet: text cells that a spreadsheet would run as a formula (an id or a
        type name starting ``=``, ``+``, ``-``, ``@``) get a leading apostrophe
        (:func:`behaviortypes.files.neutralise_formula`; undone exactly by
        :func:`behaviortypes.files.restore_formula`). An existing file is replaced only
        when it is a typed-respondents CSV behaviortypes wrote.
    csv_dialect : {"excel", "excel-sv", "plain"}, optional
        As ``behaviortypes score --csv-dialect`` (:func:`write_typed_csv`); default
        ``excel-sv`` for a Swedish study (``language: sv``), else ``excel``.
    id_column : str, optional
        The answers' id column when it is neither ``respondent_id`` nor the survey's.
    min_answered : int, optional
        Fewest answered statements to be typed (default: half of them; see
        :func:`score_answers`).
    progress : bool, default=False
        Show progress on standard output as ``behaviortypes score`` does: a bar with
        rows/s on a terminal, otherwise a line every 10 % of the rows and a last one.
    lang : {"en", "sv"}, optional
        Language of the progress lines and of the summary (default: the study's language, else English).
    keep_frame : bool, default=False
        Also keep every typed respondent in memory, as ``result.frame`` (for a small
        file, in a notebook); memory then grows with the rows.
    chunk_rows : int, optional
        Most rows read and typed at a time (default 10,000; fewer for small files, so
        that progress shows every 10 %). The output does not depend on it.

    Returns
    -------
    TypedFile
        The run's figures: rows, typed and not typed, the count per type, the rule
        applied, seconds and rows/s as the progress display's last line shows them
        (``shown``), and ``frame`` when ``keep_frame=True``. For answers already in
        memory use :func:`score_answers`, which returns the typed DataFrame.

    Raises
    ------
    InputError
        For bad answers (see :func:`read_answers`), or when ``out_path`` is the answers
        file or a file behaviortypes did not write.
    """
    spec = tool if isinstance(tool, TypingSpec) else load_typing_spec(tool)
    answers_path, out_path = Path(answers_path), Path(out_path)
    if out_path.exists() and out_path.resolve() == answers_path.resolve():
        raise InputError("the output would overwrite the answers file", file=out_path,
                         hint="write the typed respondents to a new file")
    refuse_foreign_typed_csv(out_path)  # never a file of the user's
    dialect = csv_dialect or ("excel-sv" if spec.language == "sv" else "excel")
    _check_dialect(dialect)
    # one clock for the progress and the summary, as `score`: both show rows / seconds of the run
    started = time.perf_counter()
    lang = output_language(lang, spec.language)  # a Swedish study's progress in Swedish, as its errors
    meter = RowMeter(None, said("progress_typing", lang, file=answers_path.name), started=started,
                     enabled=progress, lang=lang, show_from=SHOW_FROM_ROWS)
    tally = _Tally(dict.fromkeys((int(k) for k in spec.type_ids), 0), frames=[] if keep_frame else None)
    try:
        answers = open_answers(answers_path, spec, id_column, min_answered)
        meter.set_total(answers.n_rows)
        _type_chunks(answers, spec, out_path, dialect, min_answered, meter, tally, chunk_rows)
        meter.finish(answers.n_rows, time.perf_counter() - started)
    finally:
        meter.close()
    from ..scoring import warn_weak_evidence

    warn_weak_evidence(spec.folder, weak=spec.weak_evidence)  # TYPED.csv has no column that says so
    frame = None
    if tally.frames is not None:
        frame = pd.concat(tally.frames, ignore_index=True)
        frame.attrs.update(min_answered=_need(len(spec.items), min_answered), n_items=len(spec.items))
    return TypedFile(out=out_path, answers=answers_path, id_column=answers.id_col, n_rows=answers.n_rows,
                     n_typed=tally.n_typed, min_answered=_need(len(spec.items), min_answered),
                     n_items=len(spec.items), type_counts=tally.counts, type_names=dict(spec.names),
                     seconds=meter.seconds(), rows_per_s=meter.rate(), shown=meter.figures(), lang=lang,
                     frame=frame, min_cell=smallest_cell(spec))


def smallest_cell(spec: TypingSpec) -> int:
    """The smallest count a summary shows, as ``profile`` decides it: the study's
    ``min_group_size`` when its instrument.yaml (the survey ``source.json`` names) sets
    it, else :data:`~behaviortypes.describe.profile.DEFAULT_MIN_CELL` (10)."""
    from ..describe.profile import DEFAULT_MIN_CELL
    from ..files import read_json

    source = spec.folder / "source.json" if spec.folder is not None else None
    survey = (read_json(source) or {}).get("survey_dir") if source is not None and source.is_file() else None
    path = Path(survey) / "instrument.yaml" if survey else None
    if path is None or not path.is_file():
        return DEFAULT_MIN_CELL
    try:
        size = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("min_group_size")
    except (OSError, UnicodeDecodeError, yaml.YAMLError, AttributeError):
        return DEFAULT_MIN_CELL
    return int(size) if isinstance(size, int) and not isinstance(size, bool) and size >= 1 else DEFAULT_MIN_CELL
