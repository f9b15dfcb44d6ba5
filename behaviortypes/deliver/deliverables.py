"""Both deliverables at once, with the honest agreement line the CLI prints."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from .. import study
from ..errors import BehaviortypesWarning, Problem
from ..files import read_yaml, record_outputs
from .form import write_typing_html
from .owned import refuse_foreign_typing_files
from .spec import TypingSpec, load_typing_spec, statements_needed_for
from .texts import agreement_note
from .workbook import write_typing_xlsx

__all__ = ["load_typing_spec_with_target", "write_typing_deliverables"]

#: What ``typing_tool.yaml`` records below target (``stages.TypingToolResult``).
_NEEDED_KEYS = ("n_needed", "agreement_needed", "best_agreement", "n_available", "checked_up_to",
                "reach_selection", "best_fresh")


def load_typing_spec_with_target(discovery_dir: str | Path) -> TypingSpec:
    """:func:`load_typing_spec`, plus how many statements would reach the target when below it.

    The count needs the survey (re-run forward selection); when the survey can no
    longer be read, the spec says the agreement is below target without a count.
    """
    spec = load_typing_spec(discovery_dir)
    folder = Path(discovery_dir)
    if spec.tool.agreement_ < spec.tool.target_ and folder.is_dir():
        # discover records the count in typing_tool.yaml (n_needed: null when none reaches it);
        # files written before n_available/checked_up_to were recorded lack them (None: the
        # sentence then says "all the survey's statements" without a number)
        stored = read_yaml(folder / "typing_tool.yaml") if (folder / "typing_tool.yaml").is_file() else {}
        if isinstance(stored, dict) and "n_needed" in stored:
            needed = {k: stored.get(k) for k in _NEEDED_KEYS}
        else:
            needed = statements_needed_for(folder, target=spec.tool.target_)
        if needed is not None:
            spec = load_typing_spec(discovery_dir, needed=needed)
    return spec


def write_typing_deliverables(discovery_dir: str | Path, *, html: str | Path | None = None,
                              xlsx: str | Path | None = None, lang: str | None = None
                              ) -> dict[str, Any]:
    """Write the web form and the workbook of a study's typing tool.

    Parameters
    ----------
    discovery_dir : path
        The discovery folder holding ``typing_tool.yaml`` (or the YAML file itself).
    html, xlsx : path, optional
        Where to write them. With neither given, both are written into the discovery
        folder as ``typing_tool.html`` and ``typing_tool.xlsx`` (in a language other than
        the study's: ``typing_tool_<lang>.html`` and ``.xlsx``, so both languages stay);
        with one given, only that one. Files written into the discovery folder are
        recorded as behaviortypes' own, so a new discovery there removes them with the
        rest of what described the previous types. A file named here that exists is
        replaced only when it is a typing tool behaviortypes wrote
        (:mod:`behaviortypes.deliver.owned`); otherwise an
        :class:`~behaviortypes.errors.InputError` is raised before anything is written.
    lang : {"en", "sv"}, optional
        Default: the study's language, else English.

    Returns
    -------
    dict
        ``paths`` (list of Path written), ``lang`` (the language written), ``agreement``
        (one sentence, in ``lang``), ``below_target`` (bool), ``spec``.

    Warns
    -----
    BehaviortypesWarning
        When the statements agree with the full questionnaire less often than the
        target: the agreement sentence (with how many statements would reach it). The
        sentence is in the workbook's "How to use" sheet, not on the web form, which
        respondents see.
    """
    source = Path(discovery_dir)
    folder = source if source.is_dir() else source.parent
    spec = load_typing_spec_with_target(source)
    own = spec.language if spec.language in ("en", "sv") else "en"
    if html is None and xlsx is None:  # the study's language as typing_tool.*, another _<lang>
        stem = "typing_tool" if lang in (None, own) else f"typing_tool_{lang}"
        html, xlsx = folder / f"{stem}.html", folder / f"{stem}.xlsx"
        study.claim(folder, [html.name, xlsx.name])  # never a user's own file of these names
    else:  # files the user named: replaced only when they are typing tools we wrote
        refuse_foreign_typing_files(p for p in (html, xlsx) if p is not None)
    lang = lang or own
    spec = spec.in_language(lang)  # once for both (the generated type names in lang)
    info = spec.agreement_info()  # before writing: a failure leaves neither file half-done
    note, below = agreement_note(info, lang), info["agreement"] < info["target"]
    paths = []
    if html is not None:
        paths.append(write_typing_html(spec, html, lang=lang))
    if xlsx is not None:
        paths.append(write_typing_xlsx(spec, xlsx, lang=lang))
    record_outputs(folder, paths)  # those in the discovery folder: a new discovery removes them
    if below:  # for the analyst (the CLI prints "warning: ..."); the respondents' form never shows it
        said = Problem(note, code="problem_as_said", values={"text": note})  # "varning:" before a Swedish note
        warnings.warn(BehaviortypesWarning(note, problem=said if lang != "en" else None), stacklevel=2)
    return {
        "paths": paths,
        "lang": lang,
        "agreement": note,
        "below_target": below,
        "spec": spec,
    }
