"""Which typing-tool files behaviortypes wrote: only those are ever replaced.

``typing-tool OUT --html FILE --xlsx FILE`` may name files that already exist. They are
replaced only when they are typing tools behaviortypes wrote, known by a mark inside
the file: the form's ``<meta name="generator">`` and the workbook's creator. Files
written before the mark existed are recognised by the form's agreement note element
and by the workbook's four sheets as openpyxl wrote them. Anything else is the
user's and is refused with one line, before anything is written.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

from ..files import marked_as_ours, refuse_unmarked_files

__all__ = ["TOOL_MARK", "typing_file_is_ours", "refuse_foreign_typing_files"]

#: The mark in every typing-tool file behaviortypes writes (form generator, workbook creator).
TOOL_MARK = "behaviortypes typing tool"
_HTML_LIMIT = 4 << 20  # a form is ~100 KB: read at most this much to find its mark
_LEGACY_SHEETS = ('name="answers"', 'name="types"', 'name="model"', 'name="calc"')


def _html_is_ours(path: Path) -> bool:
    with open(path, "rb") as fh:
        text = fh.read(_HTML_LIMIT).decode("utf-8", errors="replace")
    if f'<meta name="generator" content="{TOOL_MARK}">' in text:
        return True
    return text.startswith("<!DOCTYPE html>") and 'id="tt-agreement"' in text


def _xlsx_is_ours(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            parts = {}
            for name in ("docProps/core.xml", "xl/workbook.xml"):
                info = zf.getinfo(name)
                if info.file_size > 1 << 20:
                    return False
                parts[name] = zf.read(info).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return False
    creator = re.search(r"<dc:creator[^>]*>([^<]*)</dc:creator>", parts["docProps/core.xml"])
    creator = creator.group(1) if creator else ""
    if creator == TOOL_MARK:
        return True
    return creator == "openpyxl" and all(s in parts["xl/workbook.xml"] for s in _LEGACY_SHEETS)


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
    refuse_unmarked_files(paths, _CHECKS, what="a typing tool",
                          hint="name a new file (e.g. --html typing_tool.html), or move your file first")
