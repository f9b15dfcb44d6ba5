"""Which typing-tool files behaviortypes wrote: only those are ever replaced.

``typing-tool OUT --html FILE --xlsx FILE`` may name files that already exist. They are
replaced only when they are typing tools behaviortypes wrote, known by a mark inside
the file: the form's ``<meta name="generator">`` and the workbook's creator. Files
written before the mark existed are recognised by the form's agreement note element
and by the workbook's four sheets as openpyxl wrote them. Anything else is the
user's and is refused with one line, before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..errors import InputError, Said
from ..files import csv_header_names, marked_as_ours, refuse_unmarked_files, xlsx_is_marked

__all__ = ["TOOL_MARK", "typing_file_is_ours", "refuse_foreign_typing_files",
           "refuse_foreign_typed_csv", "refuse_folder_without_tool"]

#: The mark in every typing-tool file behaviortypes writes (form generator, workbook creator).
TOOL_MARK = "behaviortypes typing tool"
_HTML_LIMIT = 4 << 20  # a form is ~100 KB: read at most this much to find its mark
_LEGACY_SHEETS = ("answers", "types", "model", "calc")


def refuse_folder_without_tool(folder: Path) -> None:
    """The error "the folder has no typing tool" when ``folder`` is a folder without
    ``typing_tool.yaml`` (:func:`behaviortypes.deliver.load_typing_spec` says it; here too
    so that ``typing-tool`` says it before it imports scikit-learn, openpyxl and jinja2)."""
    if folder.is_dir() and not (folder / "typing_tool.yaml").is_file():
        raise InputError(
            "the folder has no typing tool (typing_tool.yaml)", file=folder,
            hint="pass the discovery folder of a study whose analysis has run to the end",
        )


def _html_is_ours(path: Path) -> bool:
    with open(path, "rb") as fh:
        text = fh.read(_HTML_LIMIT).decode("utf-8", errors="replace")
    if f'<meta name="generator" content="{TOOL_MARK}">' in text:
        return True
    return text.startswith("<!DOCTYPE html>") and 'id="tt-agreement"' in text


def _xlsx_is_ours(path: Path) -> bool:
    return xlsx_is_marked(path, TOOL_MARK, _LEGACY_SHEETS)


_CHECKS = {".html": _html_is_ours, ".htm": _html_is_ours, ".xlsx": _xlsx_is_ours}


def typing_file_is_ours(path: str | Path) -> bool:
    """Whether the file at ``path`` is a typing-tool form or workbook behaviortypes wrote.

    A symbolic link, a folder, or a file of another kind is never ours.
    """
    return marked_as_ours(path, _CHECKS)


def refuse_foreign_typing_files(paths: Iterable[str | Path]) -> None:
    """Refuse, with one line, to replace an existing file behaviortypes did not write.

    Raises
    ------
    InputError
        Naming the first such file of ``paths``.
    """
    refuse_unmarked_files(paths, _CHECKS, what=Said("problem_what_a_typing_tool"),
                          hint=Said("problem_not_ours_typing_tool_fix"))


def _typed_csv_is_ours(path: Path) -> bool:
    """A typed-respondents CSV (``typing-tool --score``): its header is the id column, then
    ``type_id, type_name, probability``, ``p_<id>`` per type and ``not_typed``."""
    names = csv_header_names(path)
    return (len(names) >= 6 and names[1:4] == ["type_id", "type_name", "probability"]
            and names[-1] == "not_typed" and all(n.startswith("p_") for n in names[4:-1]))


def refuse_foreign_typed_csv(path: str | Path) -> None:
    """Refuse, with one line, to replace an existing file that is not a typed-respondents
    CSV behaviortypes wrote (``typing-tool --score --out``).

    Raises
    ------
    InputError
        When ``path`` exists (or is a link) and is not such a file.
    """
    refuse_unmarked_files([path], {".csv": _typed_csv_is_ours}, what=Said("problem_what_a_typed_file"),
                          hint=Said("problem_not_ours_typed_fix"))
