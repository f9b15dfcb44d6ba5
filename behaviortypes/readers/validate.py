"""Checking a responses table against the instrument; every problem found at once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CodedProblem, Number, Problem, Said, as_written
from ..instrument import Instrument
from ._common import coerce, column_hint, id_column_hint, ids_to_str, is_missing, to_number
from .tables import repeated_header_rows


#: Too few respondents for the number of items: error below ``max(2 * items, 20)``.
MIN_RESPONDENTS_PER_ITEM = 2
MIN_RESPONDENTS = 20

#: Warn below this many respondents per item (factor analysis gets unstable).
WARN_RESPONDENTS_PER_ITEM = 5

#: Warn when an item is missing for more than this share of respondents.
WARN_MISSING_SHARE = 0.2

#: Warn when one answer is given by at least this share of respondents.
WARN_MODAL_SHARE = 0.9



def _rows(mask: pd.Series | np.ndarray, numbers: np.ndarray | None = None) -> list[int]:
    """1-based data row numbers where ``mask`` is true (``numbers``: each row's number in
    the file when rows were left out, e.g. Qualtrics previews)."""
    where = np.flatnonzero(np.asarray(mask))
    if numbers is not None:
        return [int(numbers[i]) for i in where]
    return [int(i) + 1 for i in where]


_SPLIT_CELL = re.compile(r"[;,\t|]")


def _header_row(frame: pd.DataFrame, names: list[str]) -> int | None:
    """The data row (0-based) that holds the instrument's column names, if one does.

    A title row above the header makes the title the header and puts the real header
    in the first data row(s); a CSV whose title line has no separators is read as one
    column, so cells are also split at the usual separators.
    """
    wanted = {str(n) for n in names if n}
    need = max(2, int(0.8 * len(wanted)))
    for r in range(min(5, len(frame))):
        tokens: set[str] = set()
        for cell in frame.iloc[r]:
            if isinstance(cell, str):
                tokens.update(t.strip().strip('"') for t in _SPLIT_CELL.split(cell))
            elif cell is not None and not (isinstance(cell, float) and np.isnan(cell)):
                tokens.add(str(cell).strip())
        if len(wanted & tokens) >= need:
            return r
    return None


def _text_header_row(frame: pd.DataFrame, items: list[str], labels: dict | None) -> bool:
    """Whether the first data row holds texts (a second header row of question texts)
    where the rows below hold numbers."""
    if len(frame) < 3 or len(items) < 2:
        return False
    texty = 0
    for col in items:
        first = frame[col].iloc[:1]
        num, bad = _parse_answers(first, labels)
        if bool(bad.iloc[0]):
            rest, rest_bad = _parse_answers(frame[col].iloc[1:], labels)
            if rest.notna().sum() and rest_bad.mean() < 0.05:
                texty += 1
    return texty >= max(2, int(0.8 * len(items)))


def _shorten(text: Any, n: int = 40) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _scale_run(values: set[int], start: int, step: int) -> list[int]:
    """The values ``start, start+step, ...`` all present in ``values`` (a longer scale)."""
    run = []
    v = start
    while v in values and len(run) < 10:
        run.append(v)
        v += step
    return run


def _descriptor_problems(frame: pd.DataFrame, inst: Instrument, file: Any) -> list[Problem]:
    """``descriptors:`` of instrument.yaml that ``profile`` could not tabulate, found now.

    A descriptor column of the responses file with more distinct values than
    ``profile`` tabulates (e.g. age in years) would otherwise pass ``check`` and
    ``discover`` and fail only at ``profile``. Columns not in the responses file may come
    from the customer base and are checked by ``profile``.
    """
    from ..instrument import MAX_LEVELS

    where = Path(file).parent / "instrument.yaml" if file is not None else Path("instrument.yaml")
    source = Path(file).name if file is not None else Said("problem_the_responses_file")
    problems = []
    for entry in inst.descriptors:
        if entry.column not in frame.columns:
            continue
        values = frame[entry.column]
        values = values[~is_missing(values) & ~inst.declared_missing(entry.column, values)]
        n_levels = values.astype(str).str.strip().nunique()
        if n_levels > MAX_LEVELS:
            problems.append(Problem(
                code="problem_descriptor_levels", file=where, column=entry.column,
                values={"column": entry.column, "n": n_levels, "source": source, "max": MAX_LEVELS}))
    return problems


#: Texts read as 1 / 0 in an outcome column (English and Swedish).
YES_WORDS = frozenset({"1", "yes", "y", "true", "ja", "j", "sant"})
NO_WORDS = frozenset({"0", "no", "n", "false", "nej", "falskt"})


def _profile_column_problems(frame: pd.DataFrame, inst: Instrument, file: Any,
                             numbers: np.ndarray) -> list[Problem]:
    """``outcomes:`` and ``descriptors:`` of instrument.yaml that ``profile`` would refuse.

    An outcome or descriptor column of the responses file that is empty for everyone or
    has one value, or an outcome holding text other than yes/no ("unknown"), would
    otherwise pass ``check`` and ``discover`` and fail only at ``profile``; the messages
    are ``profile``'s. Columns not in the responses file may come from the customer base
    and are checked by ``profile``.
    """
    source = Path(file).name if file is not None else Said("problem_the_responses_file")
    problems = []
    listed = [("outcome", e) for e in inst.outcomes] + [("descriptor", e) for e in inst.descriptors]
    for kind, entry in listed:
        col = entry.column
        if col not in frame.columns:
            continue
        values = frame[col]
        if isinstance(values, pd.DataFrame):  # a repeated column name: reported by the header check
            continue
        missing = is_missing(values) | inst.declared_missing(col, values)
        said = {"kind": Said(f"problem_kind_{kind}"), "key": f"{kind}s", "source": source}
        if missing.all():
            problems.append(Problem(code="problem_profile_empty", values=said, file=source, column=col))
            continue
        if kind == "outcome":
            num = to_number(values.where(~missing))
            text = values.where(~missing & num.isna())
            words = text.dropna().astype(str).str.strip().str.casefold()
            yes, no = words.isin(YES_WORDS), words.isin(NO_WORDS)
            stray = pd.Series(False, index=values.index)
            stray[words.index[~(yes | no)]] = True
            if stray.any():
                problems.append(_value_problem(col, values, stray, source, "problem_outcome_text",
                                               numbers=numbers, values_said=said))
                continue
            num[yes[yes].index] = 1.0
            num[no[no].index] = 0.0
            present = num.dropna()
        else:
            present = values[~missing].astype(str).str.strip()
        if present.nunique() < 2:
            first = present.iloc[0]
            if isinstance(first, float) and first.is_integer():
                first = int(first)
            problems.append(Problem(code="problem_profile_constant", values=said, file=source, column=col,
                                    value=first))
    return problems


#: Missing tokens said when read (user trial 20: "N/A" answers vanished silently while "Vet
#: ej" was refused); an empty cell, NA and nan are the usual blanks and go unsaid.
_SAID_TOKENS = ("n/a", "#n/a", "null", "none", ".", "-")


def _skip_empty_rows(frame: pd.DataFrame, numbers: np.ndarray, file: Any
                     ) -> tuple[pd.DataFrame, np.ndarray, list[Problem]]:
    """Rows empty in every column (``,,,,`` as Excel leaves them at the end) left out, said
    once (user trial 20: refused as "respondent id is empty"); a row with answers but no id
    is still refused."""
    if frame.empty or not len(frame.columns):
        return frame, numbers, []
    cells = frame.apply(lambda c: c.isna() | c.astype(str).str.strip().eq(""))
    blank = cells.all(axis=1).to_numpy()
    if not blank.any() or blank.all():
        return frame, numbers, []
    said = Problem(code="warn_empty_rows_skipped", file=file, rows=_rows(pd.Series(blank), numbers),
                   values={"n": int(blank.sum())})
    attrs = dict(frame.attrs)
    kept = frame[~blank].reset_index(drop=True)
    kept.attrs.update(attrs)
    return kept, numbers[~blank], [said]


def read_as_missing(frame: pd.DataFrame, items: list[str], file: Any,
                    numbers: np.ndarray | None = None, code: str = "warn_read_as_missing") -> list[Problem]:
    """One warning for answers read as no answer from a token other than an empty cell or NA
    ("N/A", Excel's "#N/A", "NULL", "-"): which, how many, where the first are. ``frame``
    holds the cells as read (text); ``numbers``: each row's number in the file, else the
    1-based data row. The responses' reader and the customer base's say it alike (``code``:
    the customer base's sentence says values, not answers)."""
    found, first, tokens = 0, None, []
    for col in items:
        values = frame[col]
        if pd.api.types.is_numeric_dtype(values):
            continue
        text = values.astype(str).str.strip()
        hit = text.str.lower().isin(_SAID_TOKENS) & values.notna()
        if hit.any():
            found += int(hit.sum())
            tokens += [t for t in pd.unique(text[hit]) if t not in tokens]
            first = first or (col, hit)
    if not found:
        return []
    col, hit = first
    return [Problem(code=code, file=file, column=col, rows=_rows(hit, numbers),
                    values={"n": found, "tokens": ", ".join(repr(t) for t in tokens[:5])})]


def _date_ids(frame: pd.DataFrame, inst: Instrument, file: Any, numbers: np.ndarray) -> list[Problem]:
    """Respondent ids that a spreadsheet turned into dates (user trial 20: an Excel date read
    as the id ``2026-03-01 00:00:00``, which no other file's id matches)."""
    import datetime as dt

    if inst.id_column not in frame.columns:
        return []
    values = frame[inst.id_column]
    dated = values.map(lambda v: isinstance(v, (dt.date, dt.datetime, pd.Timestamp, np.datetime64)))
    if not dated.any():
        return []
    first = values[dated].iloc[0]
    return [Problem(code="warn_id_date", file=file, column=inst.id_column, rows=_rows(dated, numbers),
                    value=str(first), values={"value": str(first), "n": int(dated.sum())})]


def _absent_profile_columns(frame: pd.DataFrame, inst: Instrument, file: Any) -> list[Problem]:
    """``outcomes:`` and ``descriptors:`` of instrument.yaml whose column is not in the file.

    A warning each, with ``profile``'s line (user trial 20: only ``profile`` said it, after
    ``check`` and ``discover`` had passed): not an error, as such a column may come from the
    customer base (``profile --customers``, README).
    """
    source = Path(file).name if file is not None else Said("problem_the_responses_file")
    reserved = {inst.id_column, inst.customer_id_column, inst.weight_column, inst.duration_column,
                *inst.item_ids, *(c.id for c in inst.attention_checks)}
    others = [str(c) for c in frame.columns if c not in reserved]
    out = []
    for entry in [*inst.outcomes, *inst.descriptors]:
        if entry.column not in frame.columns:
            out.append(Problem(code="problem_not_in_responses", file=source, column=entry.column,
                               values={"columns": ", ".join(others[:12]) or Said("problem_none_brackets")}))
    return out


def _name_respondents(problems: list[Problem], frame: pd.DataFrame, inst: Instrument,
                      numbers: np.ndarray) -> None:
    """Give each problem about a respondent's cell the respondent id of its first row."""
    if inst.id_column not in frame.columns:
        return
    ids = dict(zip(numbers.tolist(), frame[inst.id_column].tolist()))
    for problem in problems:
        if not problem.rows or problem.column == inst.id_column or problem.respondent is not None:
            continue
        rid = ids.get(problem.rows[0])
        if rid is not None and not is_missing(pd.Series([rid])).iloc[0]:
            problem.respondent = str(int(rid)) if isinstance(rid, float) and rid.is_integer() else str(rid)


def _parse_answers(values: pd.Series, labels: dict[int, str] | None) -> tuple[pd.Series, pd.Series]:
    """Numbers of a column and a mask of cells that are not numbers (nor scale labels)."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype(float), pd.Series(False, index=values.index)
    missing = is_missing(values)
    num = to_number(values.where(~missing))
    bad = ~missing & num.isna()
    if bad.any() and labels:
        by_label = {str(t).strip().casefold(): float(k) for k, t in labels.items()}
        from_label = values[bad].astype(str).str.strip().str.casefold().map(by_label)
        num[bad] = from_label
        bad = ~missing & num.isna()
    return num, bad


def _value_problem(col, values, mask, file, code, hint=None, numbers=None, values_said=None) -> Problem:
    """The problem ``code`` of the cells of ``values`` where ``mask`` is true: their rows and
    the first one's value."""
    rows = _rows(mask, numbers)
    first = values[np.asarray(mask)].iloc[0]
    if isinstance(first, (np.floating, float)):
        first = int(first) if float(first).is_integer() else float(first)
    elif isinstance(first, np.integer):
        first = int(first)
    return Problem(code=code, values=values_said, file=file, column=col, rows=rows, value=first, hint=hint)


def _header_problems(frame: pd.DataFrame, inst: Instrument, file: Any,
                     numbers: np.ndarray | None = None) -> list[Problem]:
    """A misplaced or two-row header: one clear message instead of every column "missing"
    (``numbers``: each data row's number in the file)."""
    columns = list(frame.columns)
    named_cols = [inst.id_column, *inst.item_ids]
    header_rows = int(frame.attrs.get("header_rows", 1) or 1)
    if inst.id_column not in columns or sum(i not in columns for i in inst.item_ids) > len(inst.item_ids) / 2:
        found = _header_row(frame, named_cols)
        if found is not None:
            row = int(numbers[found]) if numbers is not None else header_rows + found + 1
            above = _shorten(next((c for c in columns if not str(c).startswith("Unnamed")), columns[0]))
            return [Problem(code="problem_header_row" if row - header_rows == 1 else "problem_header_rows",
                            values={"row": row, "header": header_rows, "above": above, "n": row - header_rows},
                            file=file)]
    elif repeats := repeated_header_rows(frame, named_cols):  # two exports pasted together (trial 24)
        rows = [int(numbers[r]) if numbers is not None else header_rows + r + 1 for r in repeats]
        return [Problem(code="problem_header_repeated" if len(rows) == 1 else "problem_header_repeated_rows",
                        values={"row": rows[0], "rows": ", ".join(map(str, rows))}, file=file)]
    elif _text_header_row(frame, [i for i in inst.item_ids if i in columns], inst.scale.labels):
        first_item = next(i for i in inst.item_ids if i in columns)
        return [Problem(code="problem_two_header_rows", file=file,
                        values={"texts": header_rows + 1, "start": header_rows + 2,
                                "example": _shorten(frame[first_item].iloc[0])})]
    return []


def _column_problems(frame: pd.DataFrame, inst: Instrument, file: Any) -> list[Problem]:
    """Columns the instrument names that are repeated or missing in the file."""
    errors: list[Problem] = []
    columns = list(frame.columns)
    dupes = set(frame.attrs.get("duplicate_columns", []))
    named = [inst.id_column, *inst.item_ids, *(c.id for c in inst.attention_checks),
             inst.duration_column, inst.weight_column, inst.customer_id_column]
    for name in sorted({re.sub(r"\.\d+$", "", d) for d in dupes} & {c for c in named if c}):
        errors.append(Problem(code="problem_column_repeated", file=file, column=name))
    if inst.id_column not in columns:
        errors.append(Problem(code="problem_id_missing", file=file, column=inst.id_column, values={
            "column": inst.id_column, "fix": id_column_hint(inst.id_column, columns, "id_column", named, frame.head(1000))}))
    missing_items = [i for i in inst.item_ids if i not in columns]
    if missing_items:
        shown = ", ".join(missing_items[:8]) + (" ..." if len(missing_items) > 8 else "")
        hint = column_hint(missing_items[0], columns, Said("problem_what_items"), named)
        repeated = sorted({re.sub(r"\.\d+$", "", d) for d in dupes})
        if repeated:  # a repeat often stands where the missing statement belongs
            hint = Said("problem_fix_repeated", {"repeated": ", ".join(repr(c) for c in repeated[:3]),
                                                 "item": missing_items[0], "fix": hint})
        errors.append(Problem(code="problem_items_missing", values={"n": len(missing_items), "shown": shown},
                              file=file, column=missing_items[0], hint=hint))
    other = [(Said("problem_what_attention"), c.id) for c in inst.attention_checks] + [
        (label, name) for label, name in (("duration_column", inst.duration_column),
                                          ("weight_column", inst.weight_column),
                                          ("customer_id_column", inst.customer_id_column))
        if name]
    for label, col in other:
        if col not in columns:
            errors.append(Problem(code="problem_other_missing", values={"label": label}, file=file,
                                  column=col, hint=column_hint(col, columns, label, named)))
    return errors


def _respondent_ids(frame: pd.DataFrame, inst: Instrument, file: Any, numbers: np.ndarray | None
                    ) -> tuple[pd.Series | None, list[Problem]]:
    """Respondent ids as text, and the problems of empty or repeated ids."""
    if inst.id_column not in frame.columns:
        return None, []
    errors: list[Problem] = []
    ids = ids_to_str(frame[inst.id_column])
    empty = ids.isna()
    if empty.any():
        errors.append(Problem(code="problem_id_empty", file=file, column=inst.id_column,
                              rows=_rows(empty, numbers)))
    dup = ids.duplicated(keep=False) & ~empty
    if dup.any():
        first = ids[dup].iloc[0]
        errors.append(Problem(code="problem_id_duplicate", values={"n": dup.sum(), "ids": ids[dup].nunique()},
                              file=file, column=inst.id_column, rows=_rows(dup, numbers), value=first))
    return ids, errors


@dataclass(frozen=True)
class _ScaleCheck:
    """Whether the answers run on beyond the instrument's scale in many statements."""

    wrong: bool
    new_min: float
    new_max: float
    problems: list[Problem]


def _check_scale(frame: pd.DataFrame, inst: Instrument, present_items: list[str], file: Any
                 ) -> _ScaleCheck:
    """A wrong scale: answers beyond it in many statements, running on from its end."""
    scale = inst.scale
    codes = set(float(c) for c in scale.missing_codes)
    raw_answers = {}
    for col in present_items:
        num, _ = _parse_answers(frame[col], scale.labels)
        raw_answers[col] = num.where(~num.isin(codes))
    seen = {int(v) for s in raw_answers.values() for v in s.dropna().unique() if float(v).is_integer()}
    up = _scale_run(seen, int(scale.max) + 1, 1)
    down = _scale_run(seen, int(scale.min) - 1, -1)
    new_min = down[-1] if down else scale.min
    new_max = up[-1] if up else scale.max
    if down and not up and seen and max(seen) < scale.max:  # the whole scale shifted down (0–6)
        new_max = max(seen)
    hit = [c for c, s in raw_answers.items() if ((s > scale.max) & (s <= new_max)).any()
           or ((s < scale.min) & (s >= new_min)).any()]
    wrong_scale = bool(up or down) and len(hit) >= max(2, len(present_items) / 2)
    if not wrong_scale:
        return _ScaleCheck(False, new_min, new_max, [])
    ends = {"new_min": f"{new_min:g}", "new_max": f"{new_max:g}"}
    where = Said("problem_in_all" if len(hit) == len(present_items) else "problem_in_some",
                 {"n": len(present_items), "hit": len(hit)})
    goes = Said("problem_goes_up" if up and not down else "problem_goes_down" if down and not up
                else "problem_goes_both", ends)
    return _ScaleCheck(True, new_min, new_max, [Problem(
        code="problem_wrong_scale", file=file,
        values={"goes": goes, "where": where, "scale": f"{scale.min:g}–{scale.max:g}", **ends})])


def _text_answer_hint(bad: pd.Series, scale: Any, labels: Any, file: Any = None) -> Said:
    """How to fix text answers; answers that carry their code first ("3 Not too well", as
    R writes a labelled factor) get told so, with the labels line that reads them."""
    texts = bad.dropna().astype(str).str.strip().drop_duplicates()
    codes = texts.str.extract(r"^(\d+)\b", expand=False)
    if len(texts) and codes.notna().all() and all(scale.min <= int(c) <= scale.max for c in codes):
        return Said("problem_fix_code_first")
    points = range(int(scale.min), int(scale.max) + 1)
    unlabelled = [p for p in points if not any(float(k) == p for k in (labels or {}))]
    if labels and unlabelled and len(points) <= 11:
        # only some points labelled (1 Disagree, 3 Neutral, 5 Agree) while the answers are
        # written out for every point ("Somewhat agree", user trial 21)
        return Said("problem_fix_labels_partial", {"points": ", ".join(str(p) for p in unlabelled),
                                                   "example": texts.iloc[0] if len(texts) else "",
                                                   "file": Path(str(file)).name if file else "responses.csv"})
    # a text such as "Vet ej" or "Don't know" is usually no answer (user trial 20): say how
    # to declare it, as text codes are not scale missing codes
    return Said("problem_fix_recode_or_blank" if labels else "problem_fix_recode_labels_or_blank")


def _other_scale(num: pd.Series, outside: pd.Series) -> dict | None:
    """The range of a column whose answers run over another, wider scale (a 0-10 question
    among 0-4 statements, user trial 20), or ``None`` for a few stray values.

    Another scale: whole numbers, at least three different values outside the statements'
    scale, and at least a fifth of the answers outside it (declaring them missing codes, as
    the plain hint says, would blank that share of the column).
    """
    answered = num.dropna()
    out = num[outside]
    if answered.empty or (answered != np.floor(answered)).any() or out.nunique() < 3:
        return None
    share = len(out) / len(answered)
    if share < 0.2:
        return None
    return {"low": f"{answered.min():g}", "high": f"{answered.max():g}", "n_out": int(len(out)),
            "n": int(len(answered))}


def _convert_item(values: pd.Series, col: str, inst: Instrument, scale_check: _ScaleCheck, file: Any,
                  numbers: np.ndarray | None, errors: list[Problem], warns: list[Problem]) -> pd.Series:
    """One statement's answers as numbers on the scale; its problems appended to the lists."""
    scale = inst.scale
    scale_text = f"{scale.min:g}–{scale.max:g}"
    labels = scale.labels
    codes = set(float(c) for c in scale.missing_codes)
    n = len(values)
    num, bad = _parse_answers(values, labels)
    if bad.any():
        errors.append(_value_problem(col, values, bad, file, "problem_non_numeric",
                                     _text_answer_hint(values[bad], scale, labels, file), numbers,
                                     {"scale": scale_text}))
    num = num.where(~num.isin(codes))
    outside = (num < scale.min) | (num > scale.max)
    if scale_check.wrong:  # reported once above; only values beyond the longer scale remain
        outside &= (num < scale_check.new_min) | (num > scale_check.new_max)
    if outside.any():
        bad_value = as_written(values[outside].iloc[0], num[outside].iloc[0])  # "7,0" as in the file
        other = _other_scale(num, outside)
        errors.append(Problem(code="problem_value_outside_other_scale" if other else "problem_value_outside",
                              values={"value": bad_value, "scale": scale_text, **(other or {})},
                              file=file, column=col, rows=_rows(outside, numbers), value=bad_value))
    # a Likert answer is one of the scale's points: 3.5 on a 1-6 scale is a typing or export
    # error (or an average), not an answer (only checked when the scale's ends are whole)
    between = pd.Series(False, index=num.index)
    if float(scale.min).is_integer() and float(scale.max).is_integer():
        between = num.notna() & ~outside & (num != np.floor(num))
        if between.any():
            first = as_written(values[between].iloc[0], num[between].iloc[0])  # "3,5" as in the file
            errors.append(Problem(code="problem_not_a_point", file=file, column=col,
                                  rows=_rows(between, numbers), value=first, values={
                                      "value": first, "scale": scale_text, "min": f"{scale.min:g}",
                                      "next": f"{scale.min + 1:g}", "max": f"{scale.max:g}"}))
    num = num.where(~((num < scale.min) | (num > scale.max)))
    answered = num.dropna()
    if n and not bad.any() and not outside.any() and not between.any() and not scale_check.wrong:
        if answered.nunique() <= 1:
            errors.append(Problem(code="problem_no_answers" if answered.empty else "problem_same_answer",
                                  values={} if answered.empty else {"answer": f"{answered.iloc[0]:g}"},
                                  file=file, column=col, hint=Said("problem_fix_remove_item")))
            return num
        share_missing = 1 - len(answered) / n
        if share_missing > WARN_MISSING_SHARE:
            warns.append(CodedProblem(f"{share_missing:.0%} of respondents did not answer this item",
                                      file=file, column=col, hint="check routing; consider dropping the item",
                                      code="warn_item_missing", values={"share": float(share_missing)}))
        modal = answered.value_counts(normalize=True).iloc[0]
        if modal >= WARN_MODAL_SHARE:
            warns.append(CodedProblem(f"low variance: {modal:.0%} of respondents gave the same "
                                      "answer", file=file, column=col, hint="the item will barely separate types",
                                      code="warn_item_low_variance", values={"share": float(modal)}))
    return num


def _convert_other_columns(frame: pd.DataFrame, inst: Instrument, file: Any, numbers: np.ndarray | None,
                           errors: list[Problem]) -> dict[str, pd.Series]:
    """Attention checks, duration, weight and customer id converted; problems appended."""
    columns = list(frame.columns)
    out: dict[str, pd.Series] = {}
    for check in inst.attention_checks:
        if check.id in columns:
            num, bad = _parse_answers(frame[check.id], inst.scale.labels)
            if bad.any():
                errors.append(_value_problem(check.id, frame[check.id], bad, file, "problem_attention_text",
                                             numbers=numbers))
            out[check.id] = num
    if inst.duration_column and inst.duration_column in columns:
        col = inst.duration_column
        num, bad = _parse_answers(frame[col], None)
        if bad.any():
            errors.append(_value_problem(col, frame[col], bad, file, "problem_duration_text", numbers=numbers))
        neg = num < 0
        if neg.any():
            errors.append(_value_problem(col, num, neg, file, "problem_duration_negative", numbers=numbers))
        out[col] = num
    if inst.weight_column and inst.weight_column in columns:
        col = inst.weight_column
        num, bad = _parse_answers(frame[col], None)
        if bad.any():
            errors.append(_value_problem(col, frame[col], bad, file, "problem_weight_text",
                                         Said("problem_fix_weights"), numbers))
        nonpos = ~bad & ~(num > 0)
        if nonpos.any():
            errors.append(_value_problem(col, frame[col], nonpos, file, "problem_weight_nonpositive",
                                         Said("problem_fix_weights"), numbers))
        out[col] = num
    if inst.customer_id_column and inst.customer_id_column in columns:
        out[inst.customer_id_column] = ids_to_str(frame[inst.customer_id_column])  # "007" stays
    return out


def _size_problems(n: int, n_items: int, file: Any) -> tuple[list[Problem], list[Problem]]:
    """Too few respondents (an error) or few per item (a warning)."""
    need = max(MIN_RESPONDENTS_PER_ITEM * n_items, MIN_RESPONDENTS)
    if 0 < n < need:
        return [Problem(code="problem_too_few", values={"n": n, "p": n_items, "need": need}, file=file)], []
    if n and n < WARN_RESPONDENTS_PER_ITEM * n_items:
        return [], [CodedProblem(f"few respondents: {n} for {n_items} items; factors and types may "
                                 f"be unstable below {WARN_RESPONDENTS_PER_ITEM * n_items}", file=file,
                                 code="warn_few_respondents_file",
                                 values={"n": int(n), "p": int(n_items), "need": WARN_RESPONDENTS_PER_ITEM * n_items})]
    return [], []


def implausible_value_warnings(frame: pd.DataFrame, inst: Instrument, file: Any,
                               numbers: np.ndarray) -> list[Problem]:
    """Numeric ``outcomes:`` and ``descriptors:`` holding values that look like missing
    codes (99, 999999999) or lie far outside the rest (an age of 412434), found by
    :func:`behaviortypes.describe.plausible.implausible_values`; a warning each (user
    trial 7: such values made a mean age of 51,253)."""
    from ..describe.plausible import (implausible_codes, implausible_codes_more, implausible_examples, implausible_hint,
                                      implausible_values)

    source = Path(file).name if file is not None else "the responses file"
    out: list[Problem] = []
    columns = dict.fromkeys(e.column for e in [*inst.outcomes, *inst.descriptors])
    declared = {e.column: set(e.levels) for e in inst.descriptors if e.levels}
    for col in columns:
        if col not in frame.columns or isinstance(frame[col], pd.DataFrame):
            continue
        values = frame[col].where(~is_missing(frame[col]) & ~inst.declared_missing(col, frame[col]))
        num = to_number(values)
        if num.notna().sum() < 0.95 * values.notna().sum():
            continue  # text levels: not numbers to check
        found = implausible_values(num.reset_index(drop=True))
        levels = declared.get(col, ())  # a descriptor's declared level (9: "prefer not to say")
        found = found[[(str(int(v)) if float(v).is_integer() else str(v)) not in levels for v in found]]
        if found.empty:
            continue
        rows = pd.Series(numbers, index=range(len(numbers)))
        shown, where = implausible_examples(found, rows)
        # which respondents: every one of the file (profile counts the kept ones; trial 8)
        total = int(num.notna().sum())
        key = "outcomes" if col in {e.column for e in inst.outcomes} else "descriptors"
        codes, more = implausible_codes(found), implausible_codes_more(found)
        listed = "" if more is None else Said("implausible_codes_more", {"listed": more[0], "distinct": more[1]})
        out.append(CodedProblem(
            f"{len(found)} of the file's {total} values (all respondents) look like missing codes or "
            f"lie far outside the rest: {shown} (rows {where}{', …' if len(found) > 3 else ''})",
            file=source, column=col, code="warn_implausible_values",
            values={"n": len(found), "total": total, "values": shown,
                    "rows": where + (", …" if len(found) > 3 else ""), "key": key, "codes": codes, "listed": listed},
            hint=implausible_hint(source, col, key, codes, more)))
    return out


#: Statements missing at shares this close (largest - smallest, as a share of respondents)
#: and unrelated to the other answers (|r| of each one's missingness with the mean of the
#: respondent's other answers below :data:`PLANNED_MISSING_R`) look like planned missingness.
PLANNED_MISSING_SPREAD = 0.10
PLANNED_MISSING_R = 0.10


def _missing_as_a_set(warns: list[Problem], answers: dict[str, pd.Series], file: Any) -> list[Problem]:
    """The statements' "did not answer" warnings said once for the set when two or more have
    one (user trial 22: eight lines for a planned-missingness design, each advising to drop
    the item). Several statements missing at about the same share, unrelated to the other
    answers, look planned (a three-form or matrix-sampled survey): then the warning says that
    discover uses the partial answers, not to drop them."""
    said = [w for w in warns if getattr(w, "code", None) == "warn_item_missing"]
    if len(said) < 2:
        return warns
    items = [w.column for w in said]
    shares = [float(w.values["share"]) for w in said]
    frame = pd.DataFrame(answers)
    others = frame.drop(columns=items).mean(axis=1) if frame.shape[1] > len(items) else None
    with np.errstate(invalid="ignore", divide="ignore"):
        related = [abs(frame[i].isna().astype(float).corr(others)) if others is not None else np.nan
                   for i in items]
    planned = (max(shares) - min(shares) <= PLANNED_MISSING_SPREAD
               and all(np.isfinite(r) and r < PLANNED_MISSING_R for r in related))
    listed = ", ".join(items)
    low, high = f"{100 * min(shares):.0f}", f"{max(shares):.0%}"  # "37-41%"
    values = {"file": Path(file).name if file else "", "items": listed, "n": len(items),
              "low_share": float(min(shares)), "high_share": float(max(shares))}
    if planned:
        one = CodedProblem(
            f"{len(items)} statements ({listed}) were each not answered by {low}-{high} of respondents, "
            "at about the same rate and unrelated to their other answers, as in a planned-missingness "
            "design", file=file, hint="nothing to do if that was planned: discover keeps these respondents "
            "and uses the answers they gave (the factor analysis reads the statements pair by pair, the CFA "
            "check by full-information maximum likelihood); if it was not planned, check the routing",
            code="warn_items_missing_planned", values=values)
    else:
        one = CodedProblem(
            f"{len(items)} statements ({listed}) were each not answered by {low}-{high} of respondents",
            file=file, hint="check routing; consider dropping those items", code="warn_items_missing",
            values=values)
    first = next(i for i, w in enumerate(warns) if w is said[0])
    rest = [w for w in warns if not any(w is x for x in said)]
    return rest[:first] + [one] + rest[first:]


#: from this many respondents with answers, a declared end point that no one used on any
#: statement is said (user trial 23: 1-7 declared, 4,520 answered only 1-5)
UNUSED_END_MIN_N = 200


def scale_ends_unused(frame: pd.DataFrame, scale: Any) -> tuple[int, list[int], list[int], tuple[float, float]] | None:
    """The declared scale's end points no respondent used on any statement: ``(n respondents
    with an answer, unused top points, unused bottom points, the range the answers fit)``,
    ``None`` when there are fewer than :data:`UNUSED_END_MIN_N` respondents with an answer,
    the scale is not of whole points, or both ends were used."""
    seen = frame.stack()
    if frame.notna().any(axis=1).sum() < UNUSED_END_MIN_N or seen.empty \
            or not (float(scale.min).is_integer() and float(scale.max).is_integer()):
        return None
    n, lo, hi = int(frame.notna().any(axis=1).sum()), float(seen.min()), float(seen.max())
    declared = {float(v) for v in scale.missing_codes}  # a missing code inside the scale is no answer point
    top = [v for v in range(int(np.floor(hi)) + 1, int(scale.max) + 1) if v not in declared]
    bottom = [v for v in range(int(scale.min), int(np.ceil(lo))) if v not in declared]
    if not top and not bottom:
        return None
    # the range the answers fit, the same in both warnings when neither end is used
    return n, top, bottom, (lo if bottom else scale.min, hi if top else scale.max)


def answered_scale(frame: pd.DataFrame, scale: Any) -> tuple[float, float] | None:
    """The range the answers fit when an end of the declared scale was used by no one (the
    case :func:`unused_scale_ends` warns about), else ``None``. Screening measures response
    styles on it: user trial 24 (HSQ, 1-5 answers, scale declared 1-7) counted 142
    respondents (13.3 %) as disagreeing with both poles against the midpoint 4 that the
    answers never used."""
    found = scale_ends_unused(frame, scale)
    return None if found is None else (float(found[3][0]), float(found[3][1]))


def unused_scale_ends(answers: dict[str, pd.Series], inst: Instrument, file: Any) -> list[Problem]:
    """A warning per end of the declared scale that no respondent used on any statement.

    Said only from :data:`UNUSED_END_MIN_N` respondents with an answer and for whole
    points: a skewed statement leaves its end empty, but with hundreds of people and
    every statement empty at the same end the declared scale is likely wrong. A point
    a few people used is not said.
    """
    scale = inst.scale
    found = scale_ends_unused(pd.DataFrame(answers), scale)
    if found is None:
        return []
    n, top, bottom, used = found
    out = []
    for end, unused in (("top", top), ("bottom", bottom)):
        if len(unused):
            points = [str(v) for v in unused]
            said = points[0] if len(points) == 1 else Said("problem_either", {"a": ", ".join(points[:-1]),
                                                                              "b": points[-1]})
            out.append(Problem(code=f"warn_scale_{end}_unused", file=file, values={
                "n": n, "points": said,
                "scale": f"{scale.min:g}–{scale.max:g}", "used": f"{used[0]:g}–{used[1]:g}"}))
    return out


#: a declared statement whose answers correlate less than this with every other statement
#: (from :data:`UNUSED_END_MIN_N` respondents) is said (user trial 23: a code column ``source``,
#: max |r| 0.12; the weakest real statement there, O9, 0.20; R psych's bfi O4 0.21)
UNRELATED_MAX_R = 0.15


def unrelated_statements(answers: dict[str, pd.Series], file: Any) -> list[Problem]:
    """A warning per declared statement that correlates with no other statement."""
    frame = pd.DataFrame(answers)
    if frame.shape[1] < 3 or frame.notna().any(axis=1).sum() < UNUSED_END_MIN_N:
        return []
    with np.errstate(invalid="ignore", divide="ignore"):
        r = frame.corr(min_periods=UNUSED_END_MIN_N).abs()
    r = r.where(~np.eye(len(r), dtype=bool))
    top = r.max(axis=1)
    return [Problem(code="warn_statement_unrelated", file=file, column=str(c),
                    values={"r": Number(top[c]), "bound": Number(UNRELATED_MAX_R)})
            for c in frame.columns if np.isfinite(top[c]) and top[c] < UNRELATED_MAX_R]


def convert_responses(frame: pd.DataFrame, instrument: Instrument, file: Any
                      ) -> tuple[pd.DataFrame, list[Problem], list[Problem]]:
    """Check a raw responses frame against the instrument and convert it.

    Parameters
    ----------
    frame : DataFrame
        The table as read (:func:`~behaviortypes.readers.read_table`); rows in file order.
    instrument : Instrument
    file : str or Path or None
        Named in the problems (default ``frame.attrs["file"]``).

    Returns
    -------
    converted : DataFrame
        Indexed by ``respondent_id`` (text); statements as float on the scale (missing
        codes and values outside it → NaN), every other column kept.
    errors, warnings : list of Problem
    """
    file = file if file is not None else frame.attrs.get("file")
    errors: list[Problem] = []
    warns: list[Problem] = []
    numbers_attr = frame.attrs.get("data_rows")
    header_rows = int(frame.attrs.get("header_rows", 1) or 1)
    frame = frame.reset_index(drop=True)
    # rows as the user sees them in the file (Excel's row, the CSV's line when no cell
    # spans lines): the header takes row 1 (three rows in a Qualtrics export)
    data_rows = (np.asarray(numbers_attr, dtype=int) if numbers_attr and len(numbers_attr) == len(frame)
                 else np.arange(1, len(frame) + 1))
    numbers = data_rows + header_rows
    inst = instrument
    frame, numbers, skipped = _skip_empty_rows(frame, numbers, file)
    warns += skipped
    columns = list(frame.columns)
    n = len(frame)
    if n == 0:
        errors.append(Problem(code="problem_no_respondents", file=file))
    header = _header_problems(frame, inst, file, numbers)
    if header:
        return frame, errors + header, warns
    errors += _column_problems(frame, inst, file)
    ids, id_errors = _respondent_ids(frame, inst, file, numbers)
    errors += id_errors
    present_items = [i for i in inst.item_ids if i in columns]
    scale_check = _check_scale(frame, inst, present_items, file)
    errors += scale_check.problems
    out = {col: _convert_item(frame[col], col, inst, scale_check, file, numbers, errors, warns)
           for col in present_items}
    warns[:] = _missing_as_a_set(warns, out, file)
    if not errors and not scale_check.wrong:
        warns += unused_scale_ends(out, inst, file) + unrelated_statements(out, file)
    out.update(_convert_other_columns(frame, inst, file, numbers, errors))
    errors += _descriptor_problems(frame, inst, file)
    errors += _profile_column_problems(frame, inst, file, numbers)
    warns += implausible_value_warnings(frame, inst, file, numbers)
    warns += _absent_profile_columns(frame, inst, file)
    warns += read_as_missing(frame, present_items, file, numbers)
    warns += _date_ids(frame, inst, file, numbers)
    _name_respondents(errors + warns, frame, inst, numbers)
    size_errors, size_warns = _size_problems(n, len(inst.item_ids), file)
    errors += size_errors
    warns += size_warns
    result = pd.DataFrame({col: out[col] if col in out else coerce(frame[col])
                           for col in columns if col != inst.id_column}, index=frame.index)
    if ids is not None:
        result.index = pd.Index(ids.astype(str).where(ids.notna(), ""), name="respondent_id")
    else:
        result.index = pd.Index([str(i + 1) for i in range(n)], name="respondent_id")
    # each respondent's row in the file (header = row 1), for messages of later stages
    result.attrs["file_rows"] = FileRows(int(r) for r in numbers)
    return result, errors, warns


class FileRows(tuple):
    """Each respondent's row in the responses file (``attrs["file_rows"]``; header = row 1).

    A tuple that deep-copies as itself: pandas deep-copies a frame's ``attrs`` into every
    frame derived from it, and a list of every row number was copied about 3,500 times
    per ``discover`` (1 CPU second at the demo's 1,200 respondents, session 22). It
    cannot change, so sharing it is safe.
    """

    __slots__ = ()

    def __deepcopy__(self, memo):
        return self


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
    _, errors, warns = convert_responses(frame, instrument, file)
    return errors, warns


def instrument_warnings(instrument: Instrument, file: str | Path | None = None) -> list[Problem]:
    """What in an instrument is allowed but likely a slip (user trial 4).

    * Two statements with the same text (ignoring case and spacing): one question asked
      twice, or a copy-paste slip in the texts (the report would show two equal rows).
    * A theme of two or more statements that are *all* marked ``reverse``: ``reverse``
      means worded against its theme's direction, so a theme named for what its statements
      say (``Calm`` for "I feel calm") needs none; marked all, the theme's types are named
      upside down ("calm-indifferent" for the calmest).
    * A ``scale.missing_codes`` value that is a point of the scale (3 on 1–5): every answer
      3 is then no answer (``check``, ``discover``, ``typing-tool --score`` and the
      workbook all read it so), which is rarely what a survey meant.
    """
    out: list[Problem] = []
    scale = instrument.scale
    on_scale = [c for c in scale.missing_codes if scale.min <= float(c) <= scale.max]
    if on_scale:
        out.append(Problem(code="problem_missing_code_on_scale", file=file, values={
            "codes": ", ".join(f"{float(c):g}" for c in on_scale), "scale": f"{scale.min:g}–{scale.max:g}"}))
    seen: dict[str, str] = {}
    for item in instrument.items:
        key = " ".join(str(item.text).split()).casefold()
        if key and key in seen:
            out.append(Problem(code="problem_same_text", values={"a": repr(seen[key]), "b": repr(item.id)},
                               file=file, value=item.text))
        seen.setdefault(key, item.id)
    themes: dict[str, list] = {}
    for item in instrument.items:
        if item.theme is not None:
            themes.setdefault(str(item.theme), []).append(item)
    for theme, items in themes.items():
        if len(items) >= 2 and all(i.reverse for i in items):
            out.append(Problem(code="problem_all_reverse", values={"theme": repr(theme)}, file=file))
    reversed_labels = _labels_reversed(scale.labels or {}, file)
    return out + ([reversed_labels] if reversed_labels is not None else [])


def _labels_reversed(labels: dict, file: str | Path | None) -> Problem | None:
    """``scale.labels`` that read as agreement *falling* with the code (1 "Agree strongly",
    5 "Disagree strongly"), while a higher number must mean more agreement (user trial 19:
    accepted silently, the reports then printed the wrong anchors). Read with the labels
    ``instrument draft`` knows (:func:`~behaviortypes.readers.draft.label_place`)."""
    from .draft import label_place

    known = sorted((float(code), label_place(text), str(text)) for code, text in labels.items()
                   if label_place(text) is not None)
    if len(known) < 2 or not all(b[1] < a[1] for a, b in zip(known, known[1:])):
        return None
    (lo, _, lo_text), (hi, _, hi_text) = known[0], known[-1]
    return Problem(code="problem_labels_reversed", file=file,
                   values={"low": f"{lo:g} \"{lo_text}\"", "high": f"{hi:g} \"{hi_text}\""})


def validate_responses(frame: pd.DataFrame, instrument: Instrument, *,
                       file: str | Path | None = None) -> list[Problem]:
    """Every error in a responses table (see :func:`check_responses`); ``[]`` when it is fine."""
    return check_responses(frame, instrument, file=file)[0]
