"""Which report files behaviortypes wrote: only those are ever replaced.

``report --pdf FILE`` and the report folder (``reports/<study>/``) may name a file that
already exists. It is replaced only when it is a report behaviortypes wrote, known by
a mark inside the file: the PDF's Creator (set through the HTML's
``<meta name="generator">``), the HTML's generator tag, the PowerPoint deck's
comments and the persona card PNG's ``Software`` text. Reports written before the
mark existed are recognised by what WeasyPrint and python-pptx put there and the
report's title. Anything else is the user's and is refused with one line, before
anything is rendered.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

from ..errors import Said
from ..files import marked_as_ours, refuse_unmarked_files

__all__ = ["REPORT_MARK", "CARD_MARK", "written_by_behaviortypes", "refuse_foreign_files"]

#: The mark in every report file behaviortypes writes (PDF Creator, HTML generator,
#: PowerPoint comments).
REPORT_MARK = "behaviortypes persona report"
#: The ``Software`` text of a persona card PNG.
CARD_MARK = "behaviortypes persona card"

#: The report's title in each language (``report_title`` of ``i18n/<lang>.yaml``), for
#: reports written before the mark.
_TITLES = ("Behaviour types – ", "Beteendetyper – ")
_HEAD = 8192  # bytes of an HTML file read to find its generator tag and title


def _pdf_is_ours(path: Path) -> bool:
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError, ValueError):
        return False
    try:
        meta = doc.get_metadata_dict()
    except (pdfium.PdfiumError, ValueError):
        return False
    finally:
        doc.close()
    creator, producer, title = (str(meta.get(k) or "") for k in ("Creator", "Producer", "Title"))
    if creator == REPORT_MARK:
        return True
    # a report from before the mark: WeasyPrint's, no Creator, the report's title
    return not creator and producer.startswith("WeasyPrint") and title.startswith(_TITLES)


def _html_is_ours(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(_HEAD).decode("utf-8", errors="replace")
    if f'<meta name="generator" content="{REPORT_MARK}">' in head:
        return True
    title = re.search(r"<title>([^<]*)</title>", head)
    return head.startswith("<!DOCTYPE html>") and bool(title) and title.group(1).startswith(_TITLES)


def _pptx_is_ours(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("docProps/core.xml")
            if info.file_size > 1 << 20:
                return False
            core = zf.read(info).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return False
    # ours, or a deck from before the mark (python-pptx's own last-modified-by)
    return REPORT_MARK in core or "<cp:lastModifiedBy>python-pptx</cp:lastModifiedBy>" in core


def _png_is_ours(path: Path) -> bool:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return image.format == "PNG" and image.info.get("Software") == CARD_MARK
    except (OSError, UnidentifiedImageError, ValueError):
        return False


_CHECKS = {".pdf": _pdf_is_ours, ".html": _html_is_ours, ".pptx": _pptx_is_ours, ".png": _png_is_ours}


def written_by_behaviortypes(path: str | Path) -> bool:
    """Whether the file at ``path`` is a report file behaviortypes wrote (by its mark).

    A symbolic link, a folder, or a file of another kind is never ours.
    """
    return marked_as_ours(path, _CHECKS)


def refuse_foreign_files(paths: Iterable[str | Path]) -> None:
    """Refuse, with one line, to replace an existing file behaviortypes did not write.

    Raises
    ------
    InputError
        Naming the first such file of ``paths`` and, in the hint, its folder (a card
        ``type_1.png`` could be in any ``cards_<lang>/``).
    """
    for path in map(Path, paths):
        refuse_unmarked_files([path], _CHECKS, what=Said("problem_what_a_report"),
                              hint=Said("problem_not_ours_report_fix", {"folder": path.absolute().parent}))
