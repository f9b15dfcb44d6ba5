"""A Swedish study speaks Swedish at the terminal, everywhere a strategist meets it (session 14).

Session 13 said the readers' errors in the study's language; what was still English
for a Swedish study: the ``error:``/``warning:`` words before a Swedish line, a value of
the wrong type in instrument.yaml (pydantic's sentence), the study file's key errors,
profile's and typing-tool's own refusals, and a customer base that cannot be read. Each
test runs the command line on a Swedish copy of the test study and checks the Swedish
line and that the English line is as before, word for word.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))
from swedish import study as swedish  # noqa: E402
from sharedcache import swedish_with_lookalike  # noqa: E402

BT = str(Path(sys.executable).parent / "behaviortypes")


def bt(*args):
    return subprocess.run([BT, *map(str, args)], capture_output=True, text=True, timeout=600)


def _error_line(res) -> str:
    assert res.returncode == 2, (res.stdout, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr  # one line, as ever
    return lines[0]


def _study(folder: Path, edit=None) -> Path:
    """The Swedish test study (``language: sv``); ``edit`` changes its instrument (a dict)."""
    swedish.write_csv_study(folder)
    if edit is not None:
        path = folder / "instrument.yaml"
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        edit(doc)
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def discovered(tmp_path_factory):
    """The Swedish study, its discovery folder ``ut`` with a lookalike trained on a made-up
    customer base ``kunder.csv``, and ``ut_en``: the same folder of an English study."""
    root = tmp_path_factory.mktemp("sv14")
    swedish_with_lookalike(tmp_path_factory, root)  # made once per run
    return root


def test_a_swedish_error_line_starts_with_fel_and_an_english_one_with_error(tmp_path):
    folder = _study(tmp_path / "kundstudie", edit=lambda d: d.update(colour="red"))
    assert _error_line(bt("check", folder)) == (
        "fel: instrument.yaml: okänd nyckel 'colour' (värde 'red'). Tips: kontrollera stavningen; tillåtna "
        "nycklar står i README.md")
    assert _error_line(bt("check", folder, "--lang", "en")) == (
        "error: instrument.yaml: unknown key 'colour' (value 'red'). Hint: check the spelling; allowed keys are "
        "listed in README.md")


@pytest.mark.parametrize("edit, swedish_line, english_line", [
    (lambda d: d["scale"].update(min="one"),
     "fel: instrument.yaml: 'scale.min' ska vara ett heltal (värde 'one'). Tips: skriv ett heltal, t.ex. min: 5",
     "error: instrument.yaml: 'scale.min': Input should be a valid integer, unable to parse string as an integer "
     "(value 'one')"),
    (lambda d: d.update(scale=[1, 7]),
     "fel: instrument.yaml: 'scale' ska vara en mappning av nycklar och värden, inte en lista. Tips: skriv en rad "
     "'nyckel: värde' per inställning, indragen under scale: (se README.md)",
     "error: instrument.yaml: 'scale': Input should be a valid dictionary or instance of Scale"),
    (lambda d: d["scale"].update(missing_codes="99"),
     "fel: instrument.yaml: 'scale.missing_codes' ska vara en lista, inte en text (värde '99'). Tips: skriv en rad "
     "'- …' per värde under missing_codes:, eller [a, b] på en rad",
     "error: instrument.yaml: 'scale.missing_codes': Input should be a valid list (value '99')"),
    (lambda d: d.update(quality={"min_irv": "0,3"}),
     "fel: instrument.yaml: 'quality.min_irv' ska vara ett tal (värde '0,3'). Tips: skriv ett tal med decimalpunkt "
     "(inte komma), t.ex. min_irv: 0.3",
     "error: instrument.yaml: 'quality.min_irv': Input should be a valid number, unable to parse string as a "
     "number (value '0,3')"),
    (lambda d: d.update(id_column=["respondent", "kundnummer"]),
     "fel: instrument.yaml: 'id_column' ska vara en text, inte en lista. Tips: skriv en enda text efter id_column:",
     "error: instrument.yaml: 'id_column': Input should be a valid string"),
])
def test_a_value_of_the_wrong_type_in_the_instrument_is_said_in_swedish(tmp_path, edit, swedish_line,
                                                                        english_line):
    """pydantic's English sentence was printed for a Swedish study before session 14."""
    folder = _study(tmp_path / "kundstudie", edit=edit)
    assert _error_line(bt("check", folder)) == swedish_line
    assert _error_line(bt("check", folder, "--lang", "en")) == english_line


@pytest.mark.parametrize("keys, swedish_line, english_line", [
    ("factor: 3\n", "fel: {study}: okänd nyckel factor. Tips: tillåtna nycklar: survey, out, name, customers, "
     "scored, seed, factors, k, resamples, map, id_column, exclude, engine, scheduler, out_table, csv_dialect, "
     "lang, profile, report",
     "error: {study}: unknown key(s) factor. Hint: allowed keys: survey, out, name, customers, scored, seed, "
     "factors, k, resamples, map, id_column, exclude, engine, scheduler, out_table, csv_dialect, lang, profile, "
     "report"),
    ("langs: sv\nmin_group_size: 3\n", "fel: {study}: okända nycklar langs, min_group_size. Tips: språken anges i "
     "'lang' (eller report: {{langs: [...]}}); min_group_size anges i instrument.yaml (enkätens inställningar)",
     "error: {study}: unknown key(s) langs, min_group_size. Hint: languages go in 'lang' (or report: {{langs: "
     "[...]}}); min_group_size is set in instrument.yaml (the survey's settings)"),
    ("k: three\n", "fel: {study}, nyckel 'k': 'k' ska vara ett heltal, minst 2 (värde 'three')",
     "error: {study}, key 'k': 'k' must be a whole number of at least 2 (value 'three')"),
    ("profile: {by: kön, foo: 1}\n", "fel: {study}, nyckel 'profile': 'profile' tar by, outcomes, min_cell och xlsx "
     "(värde {{'by': 'kön', 'foo': 1}}). Tips: t.ex. profile: {{by: ...}}",
     "error: {study}, key 'profile': 'profile' takes by, outcomes, min_cell and xlsx (value {{'by': 'kön', "
     "'foo': 1}}). Hint: e.g. profile: {{by: ...}}"),
    ("customers: kunder.parquet\n", "fel: {study}, nyckel 'customers': kundfilen {root}/kunder.parquet finns inte. "
     "Tips: sökvägar i en studiefil utgår från studiefilens mapp",
     "error: {study}, key 'customers': customer file {root}/kunder.parquet not found. Hint: paths in a study file "
     "are relative to the study file's folder"),
])
def test_the_study_file_errors_are_said_in_the_study_language(tmp_path, keys, swedish_line, english_line):
    """A study file of a Swedish study (no lang: the study's language; lang: sv) gets its
    key errors in Swedish; lang: en, or an English study, the English line as before."""
    folder = _study(tmp_path / "kundstudie")
    study = tmp_path / "studie.yaml"
    for head in ("", "lang: sv\n"):
        study.write_text(f"survey: kundstudie\nout: ut\n{head}{keys}", encoding="utf-8")
        assert _error_line(bt("run", study)) == swedish_line.format(study=study, root=tmp_path)
    study.write_text(f"survey: kundstudie\nout: ut\nlang: en\n{keys}", encoding="utf-8")
    assert _error_line(bt("run", study)) == english_line.format(study=study, root=tmp_path)
    doc = yaml.safe_load((folder / "instrument.yaml").read_text(encoding="utf-8"))
    doc.pop("language")
    (folder / "instrument.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    study.write_text(f"survey: kundstudie\nout: ut\n{keys}", encoding="utf-8")
    assert _error_line(bt("run", study)) == english_line.format(study=study, root=tmp_path)
    assert not (tmp_path / "ut").exists()


def test_typing_tool_and_report_refusals_are_said_in_the_study_language(discovered):
    """The command line's own refusals were English for a Swedish study before session 14."""
    root = discovered
    assert _error_line(bt("typing-tool", root / "ut", "--score", root / "svar.csv")) == (
        "fel: --score och --out hör ihop. Tips: typing-tool OUT --score ANSWERS --out TYPED.csv")
    assert _error_line(bt("typing-tool", root / "ut", "--score", root / "svar.csv", "--lang", "en")) == (
        "error: --score and --out go together. Hint: typing-tool OUT --score ANSWERS --out TYPED.csv")
    assert _error_line(bt("typing-tool", root / "ut", "--min-answered", 3)) == (
        "fel: --min-answered gäller bara med --score. Tips: typing-tool OUT --score ANSWERS --out TYPED.csv "
        "--min-answered ...")
    assert _error_line(bt("typing-tool", root / "ut_en", "--min-answered", 3)) == (
        "error: --min-answered only applies with --score. Hint: typing-tool OUT --score ANSWERS --out TYPED.csv "
        "--min-answered ...")
    assert _error_line(bt("typing-tool", root / "ut" / "solution.json")) == (
        "fel: solution.json: inte ett typningsverktyg från behaviortypes. Tips: använd typing_tool.yaml som "
        "`behaviortypes lookalike` skrev")
    assert _error_line(bt("typing-tool", root / "ut_en" / "solution.json")) == (
        "error: solution.json: not a behaviortypes typing tool. Hint: use the typing_tool.yaml written by "
        "`behaviortypes lookalike`")
    assert _error_line(bt("report", root / "ut" / "solution.json", "--lang", "sv")) == (
        f"fel: solution.json: en fil angavs där upptäcktsmappen väntas. Tips: ange dess mapp: behaviortypes "
        f"report {root / 'ut'}")
    # without --lang, the study's language, read beside the file (English before session 16)
    assert _error_line(bt("report", root / "ut" / "solution.json")) == (
        f"fel: solution.json: en fil angavs där upptäcktsmappen väntas. Tips: ange dess mapp: behaviortypes "
        f"report {root / 'ut'}")
    assert _error_line(bt("report", root / "ut_en" / "solution.json")) == (
        f"error: solution.json: a file was given where the discovery folder is expected. Hint: pass its folder: "
        f"behaviortypes report {root / 'ut_en'}")


def test_a_customer_base_that_cannot_be_read_is_said_in_the_study_language(discovered):
    """Not Parquet, a row with a field too many, an id twice, a column the model needs: the
    lookalike's, profile's and score's errors in the study's language."""
    import pandas as pd

    root = discovered
    (root / "inte.parquet").write_text("x\n", encoding="utf-8")
    for command in (("lookalike", root / "ut", "--customers", root / "inte.parquet"),
                    ("profile", root / "ut", "--by", "ålder", "--customers", root / "inte.parquet")):
        line = _error_line(bt(*command))
        assert line.startswith("fel: inte.parquet: kan inte läsa Parquet-filen (") and line.endswith(
            "). Tips: exportera kundbasen igen som Parquet (eller CSV)"), line
    line = _error_line(bt("lookalike", root / "ut_en", "--customers", root / "inte.parquet"))
    assert line.startswith("error: inte.parquet: cannot read the Parquet file (") and line.endswith(
        "). Hint: export the customer base again as Parquet (or CSV)"), line
    line = _error_line(bt("score", root / "ut", "--customers", root / "inte.parquet", "--out", root / "o.parquet"))
    assert line.startswith("fel: inte.parquet: inte en läsbar Parquet-fil ("), line
    assert line.endswith("Tips: använd en .parquet-fil (eller en mapp med sådana), en .csv-fil eller en .duckdb-databas")

    base = pd.read_csv(root / "kunder.csv")
    pd.concat([base, base.head(2)]).to_csv(root / "dubbel.csv", index=False)
    first = base["kundnummer"].iloc[0]
    assert _error_line(bt("lookalike", root / "ut", "--customers", root / "dubbel.csv")) == (
        f"fel: dubbel.csv, kolumn 'kundnummer': 2 kund-id förekommer mer än en gång i kundfilen (värde '{first}'). "
        "Tips: varje kund ska finnas en gång: ta bort de upprepade raderna")
    assert _error_line(bt("lookalike", root / "ut_en", "--customers", root / "dubbel.csv")) == (
        f"error: dubbel.csv, column 'kundnummer': 2 customer id(s) appear more than once in the customer file "
        f"(value '{first}'). Hint: each customer must appear once: remove the duplicate rows")

    base.drop(columns=["köp"]).to_csv(root / "utan.csv", index=False)
    args = ("--customers", root / "utan.csv", "--out", root / "o.parquet")
    assert _error_line(bt("score", root / "ut", *args)) == (
        "fel: utan.csv, kolumn 'köp': kolumnen 'köp' som lookalike-modellen tränades på saknas. Tips: kundfilen "
        "måste ha träningskolumnerna (ålder, köp, region); den har kundnummer, ålder, region")
    assert _error_line(bt("score", root / "ut_en", *args)) == (
        "error: utan.csv, column 'köp': missing column 'köp' that the lookalike model was trained on. Hint: the "
        "customer file must have the training columns (ålder, köp, region); it has kundnummer, ålder, region")
    text = base.astype(str)
    text.loc[5, "ålder"] = "gammal"
    text.to_csv(root / "text.csv", index=False)
    args = ("--customers", root / "text.csv", "--out", root / "o.parquet")
    assert _error_line(bt("score", root / "ut", *args)) == (
        "fel: text.csv, kolumn 'ålder', rad 7: värdet 'gammal' är inte ett tal. Tips: rätta eller töm dessa celler "
        "(filen lästes med ',' (komma) som avgränsare, '.' som decimaltecken, utf-8-text)")
    assert _error_line(bt("score", root / "ut_en", *args)) == (
        "error: text.csv, column 'ålder', row 7: value 'gammal' is not a number. Hint: fix or blank these cells "
        "(the file was read with ',' (comma) as the separator, '.' as the decimal mark, utf-8 text)")
    assert not (root / "o.parquet").exists()


def test_the_one_group_refusal_is_said_in_the_study_language(discovered, tmp_path):
    """A discovery with no distinct types (k = 1): typing-tool and profile refuse in the
    study's language (English before session 14); the English line is as before."""
    import json
    import shutil

    lines = {}
    for name in ("ut", "ut_en"):
        out = tmp_path / name
        shutil.copytree(discovered / name, out)
        solution = json.loads((out / "solution.json").read_text(encoding="utf-8"))
        solution["k"], solution["sizes"] = 1, dict(list(solution["sizes"].items())[:1])
        (out / "solution.json").write_text(json.dumps(solution), encoding="utf-8")
        lines[name] = [_error_line(bt("typing-tool", out)), _error_line(bt("profile", out))]
    out, survey = tmp_path / "ut", discovered / "kundstudie"
    assert lines["ut"][0] == (
        f"fel: {out}: analysen hittade inga distinkta typer (en enhetlig grupp, k = 1), så det finns inga typer "
        f"för typningsverktyget. Tips: kör `behaviortypes discover {survey} --out {out} --k 2` (eller fler) igen "
        "för att ändå beskriva undergrupper, som beskrivande grupper snarare än verkliga segment")
    assert "så det finns inga typer för profiler per typ (banner, utfall, kovariater). Tips: kör" in lines["ut"][1]
    out = tmp_path / "ut_en"
    assert lines["ut_en"][0] == (
        f"error: {out}: the discovery found no distinct types (one homogeneous group, k = 1), so there are no types "
        f"for the typing tool. Hint: re-run `behaviortypes discover {survey} --out {out} --k 2` (or more) to "
        "describe subgroups anyway, as descriptive groups rather than real segments")
    assert "so there are no types for profiles by type (banner, outcomes, covariates). Hint: re-run" in lines["ut_en"][1]


def test_a_types_yaml_edit_gone_wrong_is_said_in_the_study_language(discovered, tmp_path):
    """types.yaml is the file a strategist edits (names, taglines): a type id changed or
    listed twice is refused in the study's language (English before session 14)."""
    import shutil

    said = {}
    for name in ("ut", "ut_en"):
        for case, old, new in (("unknown", "type_id: 3", "type_id: 4"), ("twice", "type_id: 2", "type_id: 1")):
            out = tmp_path / f"{name}_{case}"
            shutil.copytree(discovered / name, out)
            text = (out / "types.yaml").read_text(encoding="utf-8")
            assert old in text
            (out / "types.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
            said[name, case] = _error_line(bt("typing-tool", out))
    assert said["ut", "unknown"] == (
        "fel: types.yaml, kolumn 'type_id', rad 3: type_id 4 är inte en typ i den här analysen (typer: 1, 2, 3). "
        "Tips: redigera namn och taglines, inte typernas id")
    assert said["ut_en", "unknown"] == (
        "error: types.yaml, column 'type_id', row 3: type_id 4 is not a type of this analysis (types: 1, 2, 3). "
        "Hint: edit names and taglines, not type ids")
    assert said["ut", "twice"] == (
        "fel: types.yaml, kolumn 'type_id', raderna 1, 2: ett type_id står mer än en gång (värde 1). Tips: behåll en post "
        "per typ")
    assert said["ut_en", "twice"] == (
        "error: types.yaml, column 'type_id', rows 1, 2: a type_id is listed more than once (value 1). Hint: keep one entry "
        "per type")
