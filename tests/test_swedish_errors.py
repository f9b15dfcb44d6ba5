"""A Swedish study's user meets no English when their answers file is wrong (session 13).

Until session 13 ``check`` of a Swedish study (``language: sv`` in instrument.yaml, or
``--lang sv``) printed the readers' one-line errors in English ("value 9 is outside the
scale 1–7. Hint: ..."). Each message is now a code of the catalogue
(``report/i18n/<lang>.yaml``, ``problem_*``) that the command line says in the study's
language; the English lines are as they were, word for word.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))
from sharedcache import swedish_discovered  # noqa: E402
from swedish import study as swedish  # noqa: E402

BT = str(Path(sys.executable).parent / "behaviortypes")

#: English words of the readers' messages that a Swedish line must not have.
ENGLISH = ("column", "row", "rows", "respondent id", "value", "Hint", "outside", "scale is",
           "problems", "first in", "not found", "check the path", "missing from the data",
           "duplicate", "header", "answers", "and 2 more")


def bt(*args):
    return subprocess.run([BT, *map(str, args)], capture_output=True, text=True, timeout=600)


def _study(folder: Path, *, lang: str | None = "sv", edit=None) -> Path:
    """The Swedish test study; ``lang=None`` without ``language:`` (an English run);
    ``edit`` changes its responses (a DataFrame of texts, the file's columns)."""
    swedish.write_csv_study(folder)
    if lang is None:
        doc = yaml.safe_load((folder / "instrument.yaml").read_text(encoding="utf-8"))
        doc.pop("language", None)
        (folder / "instrument.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    if edit is not None:
        path = folder / "responses.csv"
        frame = pd.read_csv(path, sep=";", encoding="cp1252", dtype=str)
        edit(frame).to_csv(path, sep=";", encoding="cp1252", index=False)
    return folder


def _answer(frame: pd.DataFrame, row: int, column: str, value: str) -> pd.DataFrame:
    frame.loc[row, column] = value
    return frame


def _error_line(res) -> str:
    assert res.returncode == 2, (res.stdout, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr  # one line, as ever
    return lines[0]


def test_check_says_an_answer_outside_the_scale_in_swedish(tmp_path):
    folder = _study(tmp_path / "kundstudie", edit=lambda f: _answer(f, 4, "s01", "9"))
    line = _error_line(bt("check", folder))
    assert line == ("fel: responses.csv, kolumn 's01', rad 6 (svarande R0005): värdet 9 ligger utanför "
                    "skalan 1–7. Tips: rätta värdet, eller ange det under scale: missing_codes "
                    "(t.ex. 99 = vet ej)")
    # --lang en on the same study, and an English study: the English line as before session 13
    english = ("error: responses.csv, column 's01', row 6 (respondent R0005): value 9 is outside the "
               "scale 1–7. Hint: fix the value, or declare it under scale: missing_codes "
               "(e.g. 99 = don't know)")
    assert _error_line(bt("check", folder, "--lang", "en")) == english
    other = _study(tmp_path / "study", lang=None, edit=lambda f: _answer(f, 4, "s01", "9"))
    assert _error_line(bt("check", other)) == english
    assert _error_line(bt("check", other, "--lang", "sv")).startswith("fel: responses.csv, kolumn 's01', rad 6")


def test_many_problems_in_one_swedish_line(tmp_path):
    """Text answers in five statements and in the duration column, an id twice: the
    count, the grouping of the same problem in several columns and every hint in Swedish."""
    def edit(frame):
        for col in ("s01", "s02", "s03", "s04", "s05", "tid_sek"):
            frame.loc[2, col] = "x"
        frame.loc[5, "respondent"] = frame.loc[4, "respondent"]
        return frame

    folder = _study(tmp_path / "kundstudie", edit=edit)
    line = _error_line(bt("check", folder))
    assert line.startswith("fel: 7 problem: (1) responses.csv, kolumn 'respondent', raderna 6, 7: upprepade "
                           "svarande-id (2 rader delar 1 id) (värde 'R0005'). Tips: ta bort upprepade rader"), line
    assert ("(2) responses.csv, 5 kolumner ('s01', 's02', 's03' och 2 till): svaret är inte ett tal, skalan "
            "är 1–7; först i kolumn 's01', rad 4 (svarande R0003) (värde 'x'). Tips: koda om textsvaren till "
            "tal eller lista dem under scale: labels") in line
    assert "(3) responses.csv, kolumn 'tid_sek', rad 4 (svarande R0003): svarstiden är inte ett antal sekunder" in line
    assert [w for w in ENGLISH if re.search(rf"\b{w}\b", line)] == [], line
    english = _error_line(bt("check", folder, "--lang", "en"))
    assert english.startswith("error: 7 problems: (1) responses.csv, column 'respondent', rows 6, 7: duplicate "
                              "respondent ids (2 rows share 1 id(s)) (value 'R0005'). Hint: remove repeated rows")


@pytest.mark.parametrize("case, swedish_line", [
    ("no_id", "fel: responses.csv, kolumn 'respondent': id-kolumnen saknas i data. Tips: filens kolumner är "
              "kundnummer, tid_sek, s01, s02, s03, s04, s05, s06 ...; rätta id_column i instrument.yaml, eller "
              "lägg till en kolumn respondent med ett unikt id per svarande"),
    ("title_row", "fel: responses.csv: rubrikraden verkar vara rad 2, inte rad 1 (rad 1 innehåller "
                  "'Kundundersökning 2026'). Tips: ta bort raden ovanför kolumnnamnen och spara filen igen"),
    ("scale_1_5", "fel: responses.csv: svaren går upp till 7 i alla 18 påståenden, utanför skalan 1–5 i "
                  "instrument.yaml. Tips: är skalan 1–7? ange `scale: {min: 1, max: 7}` i instrument.yaml"),
    ("too_few", "fel: responses.csv: för få svarande: 15 för 18 påståenden (minst 36 behövs). Tips: samla in "
                "fler svar eller analysera färre påståenden"),
])
def test_check_says_the_common_mistakes_in_swedish(tmp_path, case, swedish_line):
    edits = {"no_id": lambda f: f.drop(columns=["respondent"]), "too_few": lambda f: f.head(15)}
    folder = _study(tmp_path / "kundstudie", edit=edits.get(case))
    if case == "title_row":
        path = folder / "responses.csv"
        path.write_text("Kundundersökning 2026\n" + path.read_text(encoding="cp1252"), encoding="cp1252")
    if case == "scale_1_5":
        doc = yaml.safe_load((folder / "instrument.yaml").read_text(encoding="utf-8"))
        doc["scale"]["max"] = 5
        (folder / "instrument.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert _error_line(bt("check", folder)) == swedish_line


def test_a_wrong_path_follows_lang(tmp_path):
    # the hint gives the path tried, not only its last part (user trial 8: "nope.csv: answers
    # file not found" left the user guessing which folder was searched)
    assert _error_line(bt("check", tmp_path / "saknas", "--lang", "sv")) == (
        f"fel: saknas: enkätmappen finns inte. Tips: kontrollera sökvägen (letade efter {tmp_path / 'saknas'})")
    assert _error_line(bt("check", tmp_path / "missing")) == (
        f"error: missing: survey folder not found. Hint: check the path (looked for {tmp_path / 'missing'})")


def test_discover_says_a_bad_answer_in_swedish(tmp_path):
    folder = _study(tmp_path / "kundstudie", edit=lambda f: _answer(f, 2, "s04", "3,5"))
    line = _error_line(bt("discover", folder, "--out", tmp_path / "ut", "--no-map"))
    assert line == ("fel: responses.csv, kolumn 's04', rad 4 (svarande R0003): svaret 3,5 är inte ett steg på "
                    "skalan 1–7. Tips: svaren är hela skalsteg (1, 2, …, 7): rätta svaret, eller lämna det tomt "
                    "om det saknas")
    assert not (tmp_path / "ut").exists()


def test_every_problem_code_is_said_in_both_languages():
    """The frame and every problem_* template exist in both catalogues with the same fields
    (the catalogue test checks all keys); a Swedish line has its Swedish words."""
    from behaviortypes.errors import InputError, Problem, Said

    err = InputError(problems=[
        Problem(code="problem_value_outside", values={"value": 9, "scale": "1–5"}, file="r.csv",
                column="q1", rows=[3, 4, 5, 6, 7, 8], value=9, respondent="a"),
        Problem(code="problem_id_missing", values={"column": "id", "fix": Said(
            "problem_fix_near", {"near": "ID", "what": "id_column"})}, file="r.csv", column="id"),
        Problem("an old English sentence", file="r.csv"),
    ])
    assert str(err) == err.said("en") == (
        "3 problems: (1) r.csv, column 'q1', rows 3, 4, 5, 6, 7 and 1 more (first respondent a): value 9 is "
        "outside the scale 1–5. Hint: fix the value, or declare it under scale: missing_codes (e.g. 99 = don't "
        "know); (2) r.csv, column 'id': id column is missing from the data. Hint: did you mean 'ID'? Rename the "
        "column or fix the id_column in instrument.yaml, or add a column id with a unique id per respondent; "
        "(3) r.csv: an old English sentence")
    assert err.said("sv") == (
        "3 problem: (1) r.csv, kolumn 'q1', raderna 3, 4, 5, 6, 7 och 1 till (första svarande a): värdet 9 "
        "ligger utanför skalan 1–5. Tips: rätta värdet, eller ange det under scale: missing_codes (t.ex. 99 = "
        "vet ej); (2) r.csv, kolumn 'id': id-kolumnen saknas i data. Tips: menade du 'ID'? Byt namn på kolumnen "
        "eller rätta id_column i instrument.yaml, eller lägg till en kolumn id med ett unikt id per svarande; "
        "(3) r.csv: an old English sentence")


def test_check_says_the_readers_warnings_in_swedish(tmp_path):
    """Two statements with the same text: a warning, said in the study's language (it was
    English in a Swedish check's summary before session 13)."""
    folder = _study(tmp_path / "kundstudie")
    doc = yaml.safe_load((folder / "instrument.yaml").read_text(encoding="utf-8"))
    doc["items"][1]["text"] = doc["items"][0]["text"]
    (folder / "instrument.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    res = bt("check", folder)
    assert res.returncode == 0, res.stderr
    assert ("varning: instrument.yaml: påståendena 's01' och 's02' har samma text (värde 'Jag jämför alltid "
            "priser innan jag köper något'). Tips: kontrollera texterna i instrument.yaml (samma fråga ställd "
            "två gånger?)") in res.stdout, res.stdout
    res = bt("check", folder, "--lang", "en")
    assert ("warning: instrument.yaml: statements 's01' and 's02' have the same text (value 'Jag jämför alltid "
            "priser innan jag köper något'). Hint: check the texts in instrument.yaml (one question asked "
            "twice?)") in res.stdout, res.stdout


def test_profile_and_typing_tool_errors_follow_the_study(tmp_path_factory, tmp_path):
    """After discover, the discovery folder's study language (source.json) says the errors of
    profile and typing-tool --score; --lang en gives the English line."""
    res = swedish_discovered(tmp_path_factory, tmp_path)  # discover kundstudie --out ut, made once per run
    assert res.returncode == 0, res.stderr
    items = yaml.safe_load((tmp_path / "ut" / "typing_tool.yaml").read_text(encoding="utf-8"))["items"]
    ids = [i["id"] for i in items]
    answers = tmp_path / "svar.csv"
    answers.write_text(f"respondent_id,{','.join(ids)}\nA,9,{','.join(['2'] * (len(ids) - 1))}\n", encoding="utf-8")
    args = ("typing-tool", tmp_path / "ut", "--score", answers, "--out", tmp_path / "typade.csv")
    assert _error_line(bt(*args)) == (
        f"fel: svar.csv, kolumn '{ids[0]}', rad 2 (svarande A): svaret ligger utanför skalan 1–7 (värde 9). "
        "Tips: rätta svaret, eller lämna det tomt om det saknas")
    assert _error_line(bt(*args, "--lang", "en")) == (
        f"error: svar.csv, column '{ids[0]}', row 2 (respondent A): answer outside the scale 1–7 (value 9). "
        "Hint: correct the answer, or leave it blank when it is missing")
    assert _error_line(bt("profile", tmp_path / "ut", "--by", "ålder")) == (
        "fel: responses.csv, kolumn 'ålder': kolumnen finns inte i svarsfilen. Tips: kolumner du kan använda: "
        "kommentar; eller lägg till --customers SÖKVÄG för att hämta den från kundbasen")
    assert not (tmp_path / "typade.csv").exists()


def test_run_of_a_swedish_study_file_without_lang_speaks_the_study_language(tmp_path):
    """A study file that names no language: the terminal (progress lines, errors) speaks the
    study's language, as check and discover do; the report stays English (lang's default).
    Before session 13 it spoke English ('lang' defaulted to en for the terminal too)."""
    folder = _study(tmp_path / "kundstudie", edit=lambda f: _answer(f, 4, "s01", "9"))
    study = tmp_path / "studie.yaml"
    study.write_text(f"survey: {folder}\nout: {tmp_path / 'ut'}\n", encoding="utf-8")
    res = bt("run", study)
    assert "Läser och kontrollerar enkäten" in res.stdout, res.stdout
    assert _error_line(res) == (
        f"fel: {folder / 'responses.csv'}, kolumn 's01', rad 6 (svarande R0005): värdet 9 ligger utanför "
        "skalan 1–7. Tips: rätta värdet, eller ange det under scale: missing_codes (t.ex. 99 = vet ej)")
    study.write_text(f"survey: {folder}\nout: {tmp_path / 'ut'}\nlang: en\n", encoding="utf-8")
    res = bt("run", study)
    assert "Reading and validating the survey" in res.stdout and "column 's01', row 6" in _error_line(res)
