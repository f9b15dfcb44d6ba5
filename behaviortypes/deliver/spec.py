"""What the typing-tool deliverables need: the tool, the study's words, and the checks.

:func:`load_typing_spec` gathers the typing tool (``typing_tool.yaml``) with what the
deliverables show around it: type names and taglines from ``types.yaml`` (the
strategist's edits win over the names frozen into the tool), the scale and its labels,
missing-value codes, the id column and the study's language from ``source.json``.
:func:`score_answers_file` types a file of answers exactly as the web form and the
workbook do. :func:`statements_needed` answers "how many statements would reach the
target agreement?".
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import study
from ..errors import InputError, Problem, Said
from ..files import atomic_path, load_user_yaml, neutralise_formulas, read_json
from ..i18n import output_language, said
from ..lookalike import TypingTool, build_typing_tool, load_typing_tool
from ..scoring import RowMeter
from .owned import refuse_foreign_typed_csv

__all__ = [
    "TypingSpec",
    "load_typing_spec",
    "read_answers",
    "score_answers",
    "score_answers_file",
    "write_typed_csv",
    "default_min_answered",
    "statements_needed",
    "statements_needed_for",
]

TOOL_FILE = "typing_tool.yaml"


@dataclass(frozen=True)
class TypingSpec:
    """A typing tool with everything its deliverables show.

    Attributes
    ----------
    tool : TypingTool
        The scoring model (weights on raw answers).
    names, taglines : dict of int to str
        Per type id; names from ``types.yaml`` when present, else from the tool.
    scale_min, scale_max : float
        The answer scale.
    scale_labels : dict of int to str
        Label per scale point (may be empty).
    missing_codes : list of float
        Answers that mean "no answer" (e.g. 99).
    id_column : str
        The respondent id column of the survey (``respondent_id`` also works).
    study : str
        Study name.
    language : str or None
        The study's language (``instrument.language``).
    needed : dict or None
        :func:`statements_needed` result when the agreement is below target.
    source : Path or None
        The typing tool file.
    suggested_names, suggested_taglines : dict of int to str
        The tool's own suggestions recorded in ``types.yaml`` (``suggested_name``,
        ``suggested_tagline``): a name equal to its suggestion is the tool's word and
        follows the output language (:meth:`in_language`).
    folder : Path or None
        The discovery folder the spec was read from (its ``profiles.csv`` and
        ``factors.json`` give the names in another language).
    names_lang : str or None
        The language of the generated names after :meth:`in_language` (``None``: as read).
    """

    tool: TypingTool
    names: dict[int, str]
    taglines: dict[int, str]
    scale_min: float
    scale_max: float
    scale_labels: dict[int, str] = field(default_factory=dict)
    missing_codes: list[float] = field(default_factory=list)
    id_column: str = "respondent_id"
    study: str = ""
    language: str | None = None
    needed: dict[str, Any] | None = None
    source: Path | None = None
    suggested_names: dict[int, str] = field(default_factory=dict)
    suggested_taglines: dict[int, str] = field(default_factory=dict)
    folder: Path | None = None
    names_lang: str | None = None

    @property
    def items(self) -> list[str]:
        return list(self.tool.items_)

    @property
    def type_ids(self) -> list[int]:
        return list(self.tool.type_ids_)

    def generated(self, type_id: int) -> tuple[bool, bool]:
        """Whether the type's name and tagline are the tool's words (not the analyst's)."""
        k = int(type_id)
        return (self.names.get(k) is not None and self.names.get(k) == self.suggested_names.get(k),
                bool(self.taglines.get(k)) and self.taglines.get(k) == self.suggested_taglines.get(k))

    def in_language(self, lang: str) -> "TypingSpec":
        """The spec with the names and taglines the tool generated in ``lang``.

        Untouched names and taglines (equal to their suggestion in ``types.yaml``) are
        rewritten by :func:`behaviortypes.profiles.names_in_language` from the discovery
        folder's ``profiles.csv`` (the factor means per type) and ``factors.json`` (the
        factor names); names the analyst wrote stay as written. A spec that was not read
        from a discovery folder, or a folder without those files, is returned as it is.
        """
        folder = self.folder
        needs = ("profiles.csv", "solution.json", "source.json", "types.yaml")
        if self.names_lang == lang:
            return self
        if folder is None or not self.suggested_names or not all((folder / f).is_file() for f in needs):
            return self
        from ..profiles import factor_means_from_profiles, names_in_language, study_lexicon

        disc = study.load(folder, require=("profiles.csv",))
        ids = self.type_ids
        frame = pd.DataFrame({
            "name": [self.names.get(int(k)) for k in ids],
            "tagline": [self.taglines.get(int(k)) for k in ids],
            "suggested_name": [self.suggested_names.get(int(k)) for k in ids],
            "suggested_tagline": [self.suggested_taglines.get(int(k)) for k in ids],
        }, index=pd.Index([int(k) for k in ids], name="type_id"), dtype=object)
        factor_names = dict(disc.factors.factor_names) if disc.factors is not None else {}
        out = names_in_language(frame, factor_means_from_profiles(disc.table("profiles.csv", required=True)),
                                factor_names, lang, source_lang=self.language,
                                lexicon=study_lexicon(disc.instrument))
        return replace(
            self,
            names={**self.names, **{int(k): str(v) for k, v in out["name"].items()}},
            taglines={**self.taglines, **{int(k): str(v or "") for k, v in out["tagline"].items()}},
            suggested_names={int(k): v for k, v in out["suggested_name"].items() if isinstance(v, str)},
            suggested_taglines={int(k): v for k, v in out["suggested_tagline"].items() if isinstance(v, str)},
            names_lang=lang,
        )

    def agreement_info(self) -> dict[str, Any]:
        """``agreement, target, n_items, n_respondents, needed`` for :func:`agreement_note`."""
        return {
            "agreement": float(self.tool.agreement_),
            "target": float(self.tool.target_),
            "n_items": len(self.items),
            "n_respondents": int(self.tool.n_respondents_),
            "needed": self.needed,
        }

    def model_dict(self) -> dict[str, Any]:
        """The numbers the web form and the workbook compute with (plain types)."""
        t = self.tool
        return {
            "items": self.items,
            "texts": [t.texts_.get(i, "") for i in self.items],
            "means": [float(t.means_[i]) for i in self.items],
            "scale": {"min": self.scale_min, "max": self.scale_max},
            "types": [
                {
                    "type_id": int(k),
                    "name": self.names.get(int(k), f"Type {k}"),
                    "tagline": self.taglines.get(int(k), ""),
                    "intercept": float(t.intercepts_[k]),
                    "weights": [float(t.weights_.loc[k, i]) for i in self.items],
                }
                for k in self.type_ids
            ],
        }


def _number(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def load_typing_spec(
    source: str | Path | TypingTool,
    *,
    types: Mapping[int, Mapping[str, Any]] | None = None,
    instrument: Mapping[str, Any] | None = None,
    needed: dict[str, Any] | None = None,
) -> TypingSpec:
    """Read a typing tool and the study's words around it.

    Parameters
    ----------
    source : path or TypingTool
        A discovery folder (holding ``typing_tool.yaml``), a ``typing_tool.yaml``
        file, or a :class:`~behaviortypes.lookalike.TypingTool`. For a path, the
        folder's ``types.yaml`` and ``source.json`` are read when present.
    types : mapping type id → {name, tagline}, optional
        Overrides ``types.yaml``.
    instrument : mapping, optional
        The instrument as a dict (``scale.labels``, ``missing_codes``, ``id_column``,
        ``name``, ``language``); overrides ``source.json``.
    needed : dict, optional
        A :func:`statements_needed` result to report.

    Returns
    -------
    TypingSpec

    Raises
    ------
    InputError
        If the typing tool is missing or has no answer scale, or the discovery found
        no distinct types (one homogeneous group, k = 1).
    """
    folder: Path | None = None
    path: Path | None = None
    if isinstance(source, TypingTool):
        tool = source
    else:
        path = Path(source)
        study.refuse_one_group(path, "the typing tool")
        if path.is_dir():
            folder, path = path, path / TOOL_FILE
            if not path.is_file():
                raise InputError(
                    "the folder has no typing tool (typing_tool.yaml)", file=folder,
                    hint="pass the discovery folder of a study whose analysis has run to the end",
                )
        else:
            folder = path.parent
        tool = load_typing_tool(path)

    if types is None and folder is not None and (folder / "types.yaml").is_file():
        doc = load_user_yaml(folder / "types.yaml") or {}
        rows = doc.get("types", []) if isinstance(doc, dict) else []
        types = {int(r["type_id"]): r for r in rows if isinstance(r, dict) and "type_id" in r}
    if instrument is None and folder is not None and (folder / "source.json").is_file():
        instrument = (read_json(folder / "source.json") or {}).get("instrument")
    instrument = dict(instrument or {})
    types = dict(types or {})

    names, taglines, suggested = {}, {}, ({}, {})
    for k in tool.type_ids_:
        row = types.get(int(k)) or {}
        names[int(k)] = str(row.get("name") or tool.type_names_.get(int(k)) or f"Type {k}")
        taglines[int(k)] = str(row.get("tagline") or "")
        for j, key in enumerate(("suggested_name", "suggested_tagline")):
            if isinstance(row.get(key), str):
                suggested[j][int(k)] = row[key]

    scale = dict(tool.scale_ or instrument.get("scale") or {})
    lo, hi = _number(scale.get("min")), _number(scale.get("max"))
    if lo is None or hi is None or not lo < hi:
        raise InputError(
            "the typing tool has no answer scale (scale: min, max)", file=path,
            hint="rebuild it from a study whose instrument.yaml gives the scale",
        )
    inst_scale = instrument.get("scale") or {}
    labels = {}
    for key, text in (inst_scale.get("labels") or {}).items():
        num = _number(key)
        if num is not None and float(num).is_integer() and text not in (None, ""):
            labels[int(num)] = str(text)
    missing = [float(v) for v in (inst_scale.get("missing_codes") or []) if _number(v) is not None]
    return TypingSpec(
        tool=tool,
        names=names,
        taglines=taglines,
        scale_min=lo,
        scale_max=hi,
        scale_labels=labels,
        missing_codes=missing,
        id_column=str(instrument.get("id_column") or "respondent_id"),
        study=str(instrument.get("name") or ""),
        language=instrument.get("language"),
        needed=needed,
        source=path,
        suggested_names=suggested[0],
        suggested_taglines=suggested[1],
        folder=folder,
    )


# --------------------------------------------------------------------------- answers
#: CSV dialects of ``--score``'s output: those of ``behaviortypes score`` (``--csv-dialect``).
CSV_DIALECTS = ("excel", "excel-sv", "plain")


def default_min_answered(n_items: int) -> int:
    """Fewest answered golden statements for a respondent to be typed: half, rounded up.

    A missing answer counts as the survey's mean answer; below half the statements,
    the survey's means would weigh more in the type than the respondent's own answers.
    """
    return max(1, -(-int(n_items) // 2))


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


def read_answers(path: str | Path, spec: TypingSpec, *, id_column: str | None = None,
                 min_answered: int | None = None, meter: Any = None) -> pd.DataFrame:
    """Read answers to the typing tool's statements (CSV, Excel or SPSS) and check them.

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
        read, and it advances as batches of rows are checked.

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
    from ..readers import coerce
    from ..readers.tables import read_raw

    path = Path(path)
    wanted = {str(c).strip().lower() for c in ("respondent_id", spec.id_column, id_column, *spec.items) if c}
    # as text, only the id's and the statements' columns (a repeat too): memory and time (trial 8)
    frame = read_raw(path, columns=lambda c: re.sub(r"\.\d+$", "", c).lower() in wanted)
    numbers = _row_numbers(frame)
    frame = frame.reset_index(drop=True)
    frame.columns = [str(c).strip() for c in frame.columns]
    id_col = _id_column(frame, spec, path, id_column)
    ids = coerce(frame[id_col]).map(lambda v: "" if pd.isna(v) else str(v).strip())
    ids = ids.map(lambda s: s[:-2] if s.endswith(".0") and s[:-2].lstrip("-").isdigit() else s)
    blank = (ids == "").to_numpy()
    if blank.any():
        raise InputError(code="problem_answers_blank_id", file=path, column=id_col, rows=numbers[blank].tolist())
    dupes = ids.duplicated(keep=False).to_numpy()
    if dupes.any():
        raise InputError(code="problem_answers_ids_unique", file=path, column=id_col,
                         rows=numbers[dupes].tolist(), value=ids[dupes].iloc[0])
    missing_cols = [i for i in spec.items if i not in frame.columns]
    # a repeated header name ("q_12" twice, read as q_12 and q_12.1): which answers are
    # meant is unknown, and the repeat often stands where a statement is missing
    repeated = list(dict.fromkeys(re.sub(r"\.\d+$", "", str(c)) for c in frame.attrs.get("duplicate_columns") or []))
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
        raise _lacking(path, spec, missing_cols, min_answered)

    frame = frame[list(dict.fromkeys([id_col, *spec.items]))]  # the other columns are not read
    if meter is not None:
        meter.set_total(len(frame))
    values = _checked_values(frame, spec, path, ids, numbers, meter)
    return pd.DataFrame(values, columns=list(spec.items), index=pd.Index(ids.to_numpy(), name=id_col))


def _batch_rows(n: int) -> int:
    """Rows checked at a time: about 20 batches (a progress line every 10 %), 100 to 20,000 rows."""
    return max(100, min(20_000, -(-n // 20)))


def _checked_values(frame: pd.DataFrame, spec: TypingSpec, path: Path, ids: pd.Series,
                    numbers: np.ndarray, meter: Any = None) -> np.ndarray:
    """The statements' answers as numbers, checked in batches of rows (``meter`` advances
    after each). The error is the one a check of whole columns gives: the first statement
    with a problem, not-a-number before off-the-scale before not-a-point, naming all its rows."""
    from ..readers import coerce

    scale = {"scale": f"{spec.scale_min:g}–{spec.scale_max:g}", "min": f"{spec.scale_min:g}",
             "next": f"{spec.scale_min + 1:g}", "max": f"{spec.scale_max:g}"}
    by_label = {t.strip().casefold(): float(k) for k, t in spec.scale_labels.items()}
    kinds = ("problem_answer_not_number", "problem_answer_outside", "problem_not_a_point")
    n, step = len(frame), _batch_rows(len(frame))
    out = np.full((n, len(spec.items)), np.nan)
    flagged: dict[tuple[int, int], tuple[np.ndarray, Any]] = {}  # (statement, kind) -> rows, first value
    for start in range(0, n, step):
        for j, item in enumerate(spec.items):
            num, masks, firsts = _answer_batch(coerce(frame[item].iloc[start:start + step]), spec, by_label)
            out[start:start + step, j] = num
            for kind, mask in enumerate(masks):
                if mask.any() and (j, kind) not in flagged:
                    flagged[(j, kind)] = (np.zeros(n, bool), firsts[kind])
                if mask.any():
                    flagged[(j, kind)][0][start:start + step] |= mask
        if meter is not None:
            meter.advance(min(step, n - start))
    if not flagged:
        return out
    (j, kind), (mask, value) = min(flagged.items(), key=lambda kv: kv[0])
    item = spec.items[j]
    if kind > 0:
        value = _as_written(path, item, mask, pd.Series(out[:, j]))
    first = int(np.flatnonzero(mask)[0])
    raise InputError(problems=[Problem(code=kinds[kind], values={**scale, "value": value}, file=path, column=item,
                                       rows=numbers[mask].tolist(), value=value, respondent=ids.iloc[first])])


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


def _as_written(path: Path, item: str, mask: np.ndarray, num: pd.Series) -> int | float | str:
    """The first flagged answer as the user wrote it (``"3,5"``, read as 3.5): the file
    is read again as text, only for the error message."""
    from ..errors import as_written
    from ..readers.tables import read_raw

    first = int(np.flatnonzero(mask)[0])
    raw = read_raw(path)
    raw.columns = [str(c).strip() for c in raw.columns]
    cell = raw[item].iloc[first] if item in raw.columns and len(raw) == len(num) else None
    return as_written(cell, num.iloc[first])


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
    need = default_min_answered(n) if min_answered is None else int(min_answered)
    if not 1 <= need <= n:
        raise InputError(f"--min-answered must be between 1 and {n} (the typing tool's statements)",
                         value=need, hint=f"the default is half the statements, {default_min_answered(n)}")
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


def write_typed_csv(path: str | Path, scored: pd.DataFrame, dialect: str = "excel") -> Path:
    """Write typed respondents as CSV for people, in one of ``behaviortypes score``'s dialects.

    ``excel``: UTF-8 with a byte-order mark, ``,`` and decimal point; ``excel-sv``: UTF-8
    with a byte-order mark, ``;`` and decimal comma (six decimals), for Excel in
    Swedish settings; ``plain``: UTF-8 without a byte-order mark, for programs. Text a
    spreadsheet would run as a formula gets a leading apostrophe
    (:func:`behaviortypes.files.neutralise_formula`). Written atomically.
    """
    _check_dialect(dialect)
    frame = neutralise_formulas(scored)
    if dialect == "excel-sv":
        text = frame.to_csv(sep=";", decimal=",", float_format="%.6f", index=False, lineterminator="\r\n")
    else:
        text = frame.to_csv(index=False)
    data = ("" if dialect == "plain" else "\ufeff") + text
    with atomic_path(path) as tmp:
        Path(tmp).write_bytes(data.encode("utf-8"))
    return Path(path)


def score_answers_file(tool: str | Path | TypingSpec, answers_path: str | Path,
                       out_path: str | Path, *, csv_dialect: str | None = None,
                       id_column: str | None = None, min_answered: int | None = None,
                       progress: bool = False, lang: str | None = None) -> pd.DataFrame:
    """Type every respondent of an answers file and write the result as CSV.

    Parameters
    ----------
    tool : path or TypingSpec
        A discovery folder, a ``typing_tool.yaml`` or a loaded spec.
    answers_path : path
        CSV, Excel or SPSS file of answers (see :func:`read_answers`).
    out_path : path
        The CSV to write: the answers' id column (under its own name), ``type_id,
        type_name, probability``, ``p_<type_id>`` per type and ``not_typed`` (written
        atomically). It is meant for people in a spreadsheet: text cells that a
        spreadsheet would run as a formula (an id or a type name starting ``=``,
        ``+``, ``-``, ``@``) get a leading apostrophe
        (:func:`behaviortypes.files.neutralise_formula`; undone exactly by
        :func:`behaviortypes.files.restore_formula`).
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
        Language of the progress lines (default English, as the command line's lines).

    Returns
    -------
    DataFrame
        The typed respondents, with the text as given (not neutralised);
        ``attrs["min_answered"]`` and ``attrs["n_items"]`` give the rule applied,
        ``attrs["n_rows"]``, ``attrs["seconds"]`` and ``attrs["rows_per_s"]`` the run
        (reading, checking, typing and writing; the progress display's last figures),
        ``attrs["shown"]`` the same as the progress lines write them.

    Raises
    ------
    InputError
        For bad answers (see :func:`read_answers`), or when ``out_path`` is the answers file.
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
                     enabled=progress, lang=lang)
    try:
        answers = read_answers(answers_path, spec, id_column=id_column, min_answered=min_answered, meter=meter)
        scored = score_answers(answers, spec, file=answers_path, min_answered=min_answered)
        del answers
        write_typed_csv(out_path, scored, dialect)  # opened in Excel: formulas neutralised
        meter.finish(len(scored), time.perf_counter() - started)
    finally:
        meter.close()
    scored.attrs.update(n_rows=meter.rows, seconds=meter.seconds(), rows_per_s=meter.rate(), shown=meter.figures())
    return scored


# --------------------------------------------------------------------------- honest agreement
def statements_needed(
    items_keyed: pd.DataFrame,
    labels: pd.Series,
    *,
    target: float = 0.90,
    cv: int = 5,
    instrument: Any = None,
    random_state: int | None = 0,
    max_checks: int = 4,
) -> dict[str, Any]:
    """How many statements the typing tool would need to reach ``target`` agreement.

    Forward selection (:func:`~behaviortypes.lookalike.build_typing_tool`, same folds,
    same order) runs over *all* statements until its selection agreement reaches the
    target; that many statements are then checked on fresh folds, as the tool's own
    agreement is, adding statements in the same order (up to ``max_checks`` more)
    until the fresh-fold agreement holds too.

    Parameters
    ----------
    items_keyed : DataFrame of shape (n_respondents, n_items)
        Reverse-keyed answers of the respondents the tool was built on.
    labels : Series of int
        Their full type assignment.
    target : float, default=0.90
    cv : int, default=5
    instrument : Instrument, optional
    random_state : int or None, default=0
        The seed the typing tool was built with (same folds, same order).
    max_checks : int, default=4
        Lengths checked on fresh folds before giving up.

    Returns
    -------
    dict
        ``target``; ``n_available`` (usable statements); ``order`` (statements in
        selection order, as far as the search went); ``path`` (selection agreement per
        length); ``n_needed`` (None when not found); ``agreement_needed`` (fresh-fold
        agreement at ``n_needed``); ``best_agreement`` (highest selection agreement);
        ``checked_up_to`` (the longest length checked on fresh folds, or None);
        ``reach_selection`` (the length at which the selection agreement first reached
        the target, or None); ``best_fresh`` (the highest fresh-fold agreement among the
        lengths checked, or None). :func:`behaviortypes.deliver.needed_sentence` words it.
    """
    n = items_keyed.shape[1]
    kw = {"cv": cv, "instrument": instrument, "random_state": random_state}
    first = build_typing_tool(items_keyed, labels, max_items=n, target=target, **kw)
    path = [float(a) for a in first.selection_["agreement"]]
    result: dict[str, Any] = {
        "target": float(target),
        "n_available": int(sum(items_keyed[c].std() > 0 for c in items_keyed.columns)),
        "order": [str(i) for i in first.selection_["item"]],
        "path": path,
        "n_needed": None,
        "agreement_needed": None,
        "best_agreement": max(path) if path else 0.0,
        "checked_up_to": None,
        "reach_selection": None,
        "best_fresh": None,
    }
    if not path or path[-1] < target:  # the whole survey never reaches it
        return result
    reach = len(path)
    result.update(checked_up_to=reach, reach_selection=reach, best_fresh=float(first.agreement_))
    if first.agreement_ >= target:
        result.update(n_needed=reach, agreement_needed=float(first.agreement_))
        return result
    longer = build_typing_tool(items_keyed, labels, max_items=min(n, reach + max_checks - 1),
                               target=2.0, **kw)
    order = [str(i) for i in longer.selection_["item"]]
    result.update(order=order, path=[float(a) for a in longer.selection_["agreement"]],
                  best_agreement=float(longer.selection_["agreement"].max()))
    for m in range(reach + 1, len(order) + 1):
        # the fresh folds depend only on the respondents, so the first m statements
        # alone give the same fresh-fold agreement as the full search would
        fresh = build_typing_tool(items_keyed[order[:m]], labels, max_items=m, target=2.0, **kw)
        result["checked_up_to"] = m
        result["best_fresh"] = max(float(result["best_fresh"]), float(fresh.agreement_))
        if fresh.agreement_ >= target:
            result.update(n_needed=m, agreement_needed=float(fresh.agreement_))
            break
    return result


def statements_needed_for(discovery_dir: str | Path, *, target: float | None = None,
                          seed: int | None = None) -> dict[str, Any] | None:
    """:func:`statements_needed` for a discovery folder, from its survey and assignments.

    Returns None when the survey (``source.json``'s ``survey_dir``) can no longer be read
    or has changed since discovery (checksum).
    The seed is the discovery's (``source.json``; ``discover`` builds the typing tool
    with it), so the folds and the order are the tool's own.
    """
    from ..instrument import Instrument
    from ..readers import keyed_items, load_survey

    folder = Path(discovery_dir)
    source = read_json(folder / "source.json")
    if seed is None:  # discover builds the tool with its own seed (not the lookalike's)
        seed = int(source.get("seed", 0) or 0)
    if target is None:
        target = load_typing_tool(folder / TOOL_FILE).target_
    try:
        survey = load_survey(source["survey_dir"])
    except (InputError, KeyError, OSError):
        return None
    if source.get("checksum") and survey.checksum != source["checksum"]:
        return None  # the responses changed since discovery: the count would not be this tool's
    assignments = pd.read_csv(folder / "assignments.csv", dtype={"respondent_id": str})
    labels = assignments.set_index("respondent_id")["type_id"].astype(int)
    instrument = Instrument.model_validate(source["instrument"]) if "instrument" in source else survey.instrument
    if not labels.index.isin(survey.responses.index).all():
        return None
    keyed = keyed_items(survey.responses, instrument).loc[labels.index]
    return statements_needed(keyed, labels, target=target, instrument=instrument, random_state=seed)
