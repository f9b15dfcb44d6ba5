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


MINIMAL = Path(__file__).parent / "data" / "interviews" / "minimal.qdpx"


@pytest.mark.parametrize("lang, word", [("en", "Participant"), ("sv", "Deltagare")])
def test_theme_files_carry_pseudonyms_not_names(tmp_path, lang, word):
    from behaviortypes.interviews import pseudonymise, write_theme_files

    iv = read_interviews(MINIMAL)
    assert {"Anna", "Interview B2"} <= set(iv.participant_ids)
    written = write_theme_files(iv, tmp_path / "themes", lang=lang)
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert "Anna" not in text and "Interview B2" not in text, path.name
    codings = (tmp_path / "themes" / "codings.csv").read_text(encoding="utf-8")
    # the same pseudonyms as discover's quotes.csv (pseudonymise, seed 0), in the study's language
    same = pseudonymise(iv.participant_ids)["Anna"].replace("Participant", word)
    assert same in codings
    matrix = (tmp_path / "themes" / "theme_matrix.csv").read_text(encoding="utf-8")
    assert same in matrix


def test_theme_names_starting_with_plus_are_written_as_they_are(tmp_path):
    import pandas as pd

    from behaviortypes.interviews import interviews_from_frame, write_theme_files

    frame = pd.DataFrame({"participant_id": ["p1", "p2", "p3"], "theme": ["+Government", "Price", "+Government"],
                          "quote": ["=cmd|' /C calc'!A0", "cheap is good", "they should decide"]})
    out = tmp_path / "t"
    write_theme_files(interviews_from_frame(frame), out)
    prev = pd.read_csv(out / "prevalence.csv")
    assert "+Government" in set(prev["theme"])
    assert "+Government" in pd.read_csv(out / "theme_matrix.csv").columns
    # a quote is free text an interviewee said: still neutralised for spreadsheets
    assert pd.read_csv(out / "codings.csv")["quote"].str.startswith("'=").any()


# ----------------------------------------------------------------------------- the themes command
import shutil
import subprocess
import sys

BT = [sys.executable, "-m", "behaviortypes.cli"]


def bt(*args):
    return subprocess.run([*BT, *map(str, args)], capture_output=True, text=True, timeout=300)


def test_themes_prints_counts_and_names_the_counting(tmp_path):
    res = bt("themes", nvivo_like_qdpx(tmp_path / "n.qdpx"), "--out", tmp_path / "out")
    assert res.returncode == 0, res.stderr
    assert "1 participants, 2 themes, 2 coded quotes" in res.stdout
    assert "UTF-16" in res.stdout


def test_themes_in_swedish_for_a_swedish_study(tmp_path):
    study = tmp_path / "studie"
    (study / "interviews").mkdir(parents=True)
    (study / "instrument.yaml").write_text("language: sv\n", encoding="utf-8")
    shutil.copy(MINIMAL, study / "interviews" / "k.qdpx")
    res = bt("themes", study / "interviews", "--out", tmp_path / "teman")
    assert res.returncode == 0, res.stderr
    assert "2 deltagare, 3 teman, 5 kodade citat" in res.stdout and "Skrev " in res.stdout and "Wrote" not in res.stdout
    assert "Deltagare " in (tmp_path / "teman" / "codings.csv").read_text(encoding="utf-8")


def test_themes_refuses_a_project_without_codings(tmp_path):
    empty = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("project.qde", '<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="x">'
                    '<CodeBook><Codes><Code guid="c0000000-0000-4000-8000-000000000000" name="A" '
                    'isCodable="true"/></Codes></CodeBook></Project>')
    res = bt("themes", empty, "--out", tmp_path / "out")
    assert res.returncode == 2
    assert "no coded segments" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "out").exists()


def test_themes_out_into_the_interviews_folder_is_refused(tmp_path):
    folder = tmp_path / "interviews"
    folder.mkdir()
    shutil.copy(MINIMAL, folder / "k.qdpx")
    res = bt("themes", folder / "k.qdpx", "--out", folder)
    assert res.returncode == 2 and "interviews folder" in res.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["k.qdpx"]
