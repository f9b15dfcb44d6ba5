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
        '<Code guid="c2000000-0000-4000-8000-000000000000" name="Oanvänd kod" isCodable="true"/>'
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
    assert "1 participant, 2 themes, 2 coded quotes" in res.stdout
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


# ----------------------------------------------------------------------------- spreadsheets of quotes
TAGUETTE = ('id,document,tag,content\n1,Interview 01,Price sensitivity,"I always check three sites."\n'
            "2,Interview 02,Speed,If it is not here tomorrow I lose interest.\n")
ATLAS = ('\ufeffID,Quotation Name,Document,Codes,Quotation Content,Comment\n'
         '1:1,I always check,Interview 01,Price sensitivity,"I always check three sites.",\n'
         '1:2,If it is not,Interview 02,"Speed\nReviews",If it is not here tomorrow I lose interest.,\n')
MAXQDA = ('\ufeffColor,Document group,Document name,Code,Beginning,End,Weight score,Segment,Modified by\n'
          '#ff0000,Interviews,Interview 01,Shopping\\Price sensitivity,1,1,0,"I always check three sites.",Anna\n'
          '#ff0000,Interviews,Interview 02,Shopping\\Speed,3,3,0,If it is not here tomorrow I lose interest.,Anna\n')
SWEDISH = ("deltagare;tema;överordnat;citat\nD1;prisjämförelse;pris;Jag jämför alltid priser.\n"
           "D2;snabbhet;tid;Det ska gå fort.\n")


@pytest.mark.parametrize("layout", [TAGUETTE, ATLAS, MAXQDA, SWEDISH], ids=["taguette", "atlas", "maxqda", "sv"])
def test_exports_of_qda_tools_keep_their_quotes(tmp_path, layout):
    path = tmp_path / "export.csv"
    path.write_text(layout, encoding="utf-8")
    iv = read_interviews(path)
    quotes = iv.codings["quote"].dropna()
    assert len(quotes) >= 2 and all(q.strip() for q in quotes)
    assert not any("\n" in t or "\\" in t for t in iv.codings["theme"])


def test_atlas_multi_code_cell_and_maxqda_code_path_are_split(tmp_path):
    (tmp_path / "a.csv").write_text(ATLAS, encoding="utf-8")
    atlas = read_interviews(tmp_path / "a.csv").codings
    assert sorted(atlas["theme"]) == ["Price sensitivity", "Reviews", "Speed"]
    assert atlas.loc[atlas["theme"] == "Reviews", "quote"].iloc[0].startswith("If it is not here")
    (tmp_path / "m.csv").write_text(MAXQDA, encoding="utf-8")
    maxqda = read_interviews(tmp_path / "m.csv")
    assert sorted(maxqda.codings["theme"]) == ["Price sensitivity", "Speed"]
    assert set(maxqda.codings["parent"]) == {"Shopping"}


def test_a_spreadsheet_without_quotes_warns(tmp_path):
    from behaviortypes.errors import BehaviortypesWarning

    (tmp_path / "n.csv").write_text("participant_id,theme,quote\nP1,pris,\nP2,pris,\n", encoding="utf-8")
    with pytest.warns(BehaviortypesWarning, match="no quotes"):
        read_interviews(tmp_path / "n.csv")
    (tmp_path / "c.csv").write_text("participant_id,theme,remark\nP1,pris,x\nP2,pris,y\n", encoding="utf-8")
    with pytest.warns(BehaviortypesWarning, match="no quote column.*remark"):
        read_interviews(tmp_path / "c.csv")


def test_a_title_row_above_the_header_is_skipped(tmp_path):
    (tmp_path / "t.csv").write_text("Intervjukodning vår 2026;;;\n" + SWEDISH, encoding="utf-8")
    iv = read_interviews(tmp_path / "t.csv")
    assert sorted(iv.participant_ids) == ["D1", "D2"]


def test_xlsx_and_cp1252_spreadsheets_are_read(tmp_path):
    import pandas as pd

    frame = pd.DataFrame({"deltagare": ["D1", "D2"], "tema": ["pris", "tid"], "citat": ["Billigt är bra.", "Snabbt!"]})
    frame.to_excel(tmp_path / "k.xlsx", index=False)
    assert read_interviews(tmp_path / "k.xlsx").codings["quote"].tolist() == ["Billigt är bra.", "Snabbt!"]
    (tmp_path / "k.csv").write_bytes(SWEDISH.encode("cp1252"))
    assert "Jag jämför alltid priser." in read_interviews(tmp_path / "k.csv").codings["quote"].tolist()


def test_prevalence_counts_real_quotes_and_lists_an_unused_code(tmp_path):
    from behaviortypes.interviews import prevalence, traceability

    (tmp_path / "n.csv").write_text("participant_id,theme,quote\nP1,pris,\nP1,pris,Billigt.\nP2,tid,\n",
                                    encoding="utf-8")
    prev = prevalence(read_interviews(tmp_path / "n.csv")).set_index("theme")
    assert prev.at["pris", "n_quotes"] == 1 and prev.at["tid", "n_quotes"] == 0
    iv = read_interviews(nvivo_like_qdpx(tmp_path / "u.qdpx"))
    assert "Oanvänd kod" in set(iv.codebook["theme"]) - set(iv.codings["theme"])
    prev = prevalence(iv).set_index("theme")
    assert prev.at["Oanvänd kod", "n_participants"] == 0 and prev.at["Oanvänd kod", "n_quotes"] == 0


def test_qdpx_types_speaks_swedish_and_names_the_skipped(tmp_path):
    (tmp_path / "types.csv").write_text("participant_id,type_name\nAnna,Planeraren\nOkänd,Jägaren\n", encoding="utf-8")
    res = bt("qdpx-types", MINIMAL, "--participants", tmp_path / "types.csv", "--out", tmp_path / "t.qdpx",
             "--lang", "sv")
    assert res.returncode == 0, res.stderr
    assert "Skrev" in res.stdout and "1 intervjuperson" in res.stdout and "1 intervjupersoner" not in res.stdout
    assert "hoppades över" in res.stderr and "Okänd" in res.stderr and "skipped" not in res.stderr
    assert "1 deltagare finns inte" in res.stderr and "Said(" not in res.stderr


def test_type_quotes_of_a_swedish_study_say_deltagare():
    import pandas as pd

    from behaviortypes.instrument import instrument_from_dict
    from behaviortypes.interviews import type_quotes

    iv = read_interviews(Path(__file__).parent / "data" / "interviews" / "folder")
    inst = instrument_from_dict({"id_column": "rid", "scale": {"min": 1, "max": 5}, "language": "sv",
                                 "items": [{"id": "s1", "text": "Påstående", "theme": "Price sensitivity"}]})
    profile = pd.DataFrame({"type_id": [1], "item": ["s1"], "effect_size": [0.9]})
    who = type_quotes(iv, profile, inst, n=2, random_state=0)["pseudonym"]
    assert len(who) and all(w.startswith("Deltagare ") for w in who)


def test_themes_counts_say_one_in_the_singular_in_both_languages(tmp_path):
    """Session 14: `themes` printed "1 teman" (Swedish singular: "1 tema") and "1 participants"."""
    one_en = tmp_path / "en" / "codes.csv"
    one_en.parent.mkdir()
    one_en.write_text("participant_id,theme,quote\nP1,Price comparison,I always compare the prices\n", encoding="utf-8")
    res = bt("themes", one_en, "--out", tmp_path / "out_en")
    assert res.returncode == 0, res.stderr
    assert "Read 1 participant, 1 theme, 1 coded quote from" in res.stdout
    # two of each: the plural, as before
    one_en.write_text("participant_id,theme,quote\nP1,Price comparison,I always compare the prices\n"
                      "P2,Delivery speed,I want it delivered tomorrow\n", encoding="utf-8")
    res = bt("themes", one_en, "--out", tmp_path / "out_en2")
    assert "Read 2 participants, 2 themes, 2 coded quotes from" in res.stdout


def test_themes_finds_the_interviews_language_outside_a_study_folder(tmp_path):
    """Session 14: `themes` spoke Swedish only for interviews under <study>/interviews/ of a
    Swedish instrument; it now reads the language of the interviews themselves (theme names,
    then quotes), as `instrument from-themes` does, and --lang still decides over both."""
    sv = tmp_path / "intervjuer.csv"
    sv.write_text("participant_id,theme,quote\nD1,prisjämförelse,Jag jämför alltid priserna först\n", encoding="utf-8")
    res = bt("themes", sv, "--out", tmp_path / "ut")
    assert res.returncode == 0, res.stderr
    assert "Läste 1 deltagare, 1 tema, 1 kodat citat från" in res.stdout and "Wrote" not in res.stdout
    assert "Deltagare " in (tmp_path / "ut" / "codings.csv").read_text(encoding="utf-8")
    res = bt("themes", sv, "--out", tmp_path / "out", "--lang", "en")
    assert "Read 1 participant, 1 theme, 1 coded quote from" in res.stdout
    # a study's declared language decides over the interviews' own words
    study = tmp_path / "study"
    (study / "interviews").mkdir(parents=True)
    (study / "instrument.yaml").write_text("language: en\n", encoding="utf-8")
    shutil.copy(sv, study / "interviews" / "codes.csv")
    res = bt("themes", study / "interviews", "--out", tmp_path / "out2")
    assert "Read 1 participant, 1 theme, 1 coded quote from" in res.stdout
