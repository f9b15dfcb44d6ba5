"""Trial 9 of the interview stage: NVivo's UTF-16 positions, pseudonyms in the theme files,
spreadsheet exports of Taguette / ATLAS.ti / MAXQDA, counts and empty input."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from behaviortypes.interviews import read_interviews

NVIVO_TEXT = (
    "Kommentar 1 😀😀 nagyon jó 🙂\n"
    "Senkit nem lehet kötelezni, mindenki úgy élhet.\n"
    "3 👍 Az oltás fontos dolog szerintem.\n"
    "Vége."
)
QUOTES = ["Senkit nem lehet kötelezni, mindenki úgy élhet.", "Az oltás fontos dolog szerintem."]


def _u16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def nvivo_like_qdpx(path: Path, *, origin: str = "NVivo for Windows 12.6", utf16: bool = True) -> Path:
    """A two-selection project whose positions count UTF-16 units, as NVivo (.NET) writes them."""
    sels = []
    for i, q in enumerate(QUOTES):
        s = NVIVO_TEXT.index(q)
        e = s + len(q)
        if utf16:
            s, e = _u16(NVIVO_TEXT, s), _u16(NVIVO_TEXT, e)
        sels.append(
            f'<PlainTextSelection guid="5{i}000000-0000-4000-8000-000000000000" startPosition="{s}" '
            f'endPosition="{e}"><Coding guid="6{i}000000-0000-4000-8000-000000000000">'
            f'<CodeRef targetGUID="c{i}000000-0000-4000-8000-000000000000"/></Coding>'
            "</PlainTextSelection>"
        )
    project = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<Project xmlns="urn:QDA-XML:project:1.0" name="t" origin="{origin}"><CodeBook><Codes>'
        '<Code guid="c0000000-0000-4000-8000-000000000000" name="Kötelezés" isCodable="true"/>'
        '<Code guid="c1000000-0000-4000-8000-000000000000" name="Fontosság" isCodable="true"/>'
        "</Codes></CodeBook><Sources>"
        '<TextSource guid="d0000000-0000-4000-8000-000000000000" name="Kommentek.docx" '
        'plainTextPath="internal://d0.txt">' + "".join(sels) + "</TextSource></Sources></Project>"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", project)
        zf.writestr("sources/d0.txt", NVIVO_TEXT.encode("utf-8"))
    return path


@pytest.mark.parametrize("origin", ["NVivo for Windows 12.6", "some other tool"])
def test_nvivo_utf16_positions_cut_the_coded_words(tmp_path, origin):
    iv = read_interviews(nvivo_like_qdpx(tmp_path / "n.qdpx", origin=origin))
    assert iv.codings["quote"].tolist() == QUOTES
    assert iv.position_unit == "utf-16"
    # start/end stay code-point offsets into the transcript (the documented contract)
    for q, s in zip(QUOTES, iv.codings["start"]):
        assert iv.transcripts["Kommentek.docx"][s : s + len(q)] == q


def test_code_point_positions_still_read_as_code_points(tmp_path):
    iv = read_interviews(nvivo_like_qdpx(tmp_path / "c.qdpx", origin="QualCoder 3.5", utf16=False))
    assert iv.codings["quote"].tolist() == QUOTES
    assert iv.position_unit == "code points"
