"""What the typing-tool deliverables need: the tool, the study's words, and the checks.

:func:`load_typing_spec` gathers the typing tool (``typing_tool.yaml``) with what the
deliverables show around it: type names and taglines from ``types.yaml`` (the
strategist's edits win over the names frozen into the tool), the scale and its labels,
missing-value codes, the id column and the study's language from ``source.json``.
:func:`statements_needed` answers "how many statements would reach the
target agreement?".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from .. import study
from ..errors import InputError
from ..files import load_user_yaml, read_json
from ..lookalike import TypingTool, build_typing_tool, load_typing_tool
from .owned import refuse_folder_without_tool

__all__ = [
    "TypingSpec",
    "load_typing_spec",
    "CSV_DIALECTS",
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
    weak_evidence : bool
        The discovery warned of weak evidence for distinct types (``solution.json``'s
        ``structure_warning``) or the number of types was set with ``--k`` against the
        evidence (:func:`behaviortypes.stages.types_weak`): the form and the workbook say
        to read the types with care.
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
    weak_evidence: bool = False

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
        from ..profiles import answer_styles, factor_means_from_profiles, names_in_language, reverse_keys, study_lexicon

        disc = study.load(folder, require=("profiles.csv",))
        ids = self.type_ids
        frame = pd.DataFrame({
            "name": [self.names.get(int(k)) for k in ids],
            "tagline": [self.taglines.get(int(k)) for k in ids],
            "suggested_name": [self.suggested_names.get(int(k)) for k in ids],
            "suggested_tagline": [self.suggested_taglines.get(int(k)) for k in ids],
        }, index=pd.Index([int(k) for k in ids], name="type_id"), dtype=object)
        factor_names = dict(disc.factors.factor_names) if disc.factors is not None else {}
        profiles = disc.table("profiles.csv", required=True)
        # (a level type only when its raw answers say answer style: the report's rule, trial 10)
        out = names_in_language(frame, factor_means_from_profiles(profiles), factor_names, lang,
                                source_lang=self.language, lexicon=study_lexicon(disc.instrument),
                                styles=answer_styles(profiles, reverse_keys(disc.instrument)))
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
        refuse_folder_without_tool(path)
        if path.is_dir():
            folder, path = path, path / TOOL_FILE
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
    from ..stages import folder_types_weak  # one reading with the scored files' warning (LEFT21 L3)

    weak = folder_types_weak(folder)
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
        weak_evidence=weak,
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
