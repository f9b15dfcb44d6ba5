"""A Swedish study speaks Swedish on the paths session 15 left in English (session 16).

The lookalike model's refusals, the typing tool's summary and why it could not be
built, the Dask scheduler that cannot be reached, the output-path checks (an output
file that is a folder, a folder that is a file, a path below a file), ``report`` given
a file of the discovery folder, ``report --png`` with no types, the ``types.yaml`` note
and the scored CSV of a study file without ``lang``. Each test runs the command line on
the Swedish test study and checks the Swedish line and that the English study's line
(the same folder with the study's language taken out) is as before, word for word.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from clirun import bt  # noqa: E402
from clirun import error_line as _error_line  # noqa: E402
from clirun import ok_lines as _ok  # noqa: E402
from sharedcache import swedish_run, swedish_with_lookalike  # noqa: E402


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """The Swedish study ``kundstudie``, its discovery folder ``ut`` with a lookalike trained
    on ``kunder.csv``, and ``ut_en``: the same folder of an English study."""
    import pandas as pd

    root = tmp_path_factory.mktemp("sv16")
    swedish_with_lookalike(tmp_path_factory, root)  # made once per run
    ids = pd.read_csv(root / "kunder.csv")["kundnummer"]
    pd.DataFrame({"kundnummer": ids, "land": "SE"}).to_csv(root / "tom.csv", index=False)
    return root


def test_the_lookalike_models_refusal_is_said_in_the_study_language(study):
    """A customer base with nothing but its id and a constant column: "error: no usable
    feature columns ..." for a Swedish study before session 16."""
    said = {name: _error_line(bt("lookalike", study / name, "--customers", study / "tom.csv"))
            for name in ("ut", "ut_en")}
    assert said["ut"] == ("fel: inga användbara variabelkolumner. Tips: kundfilen behöver beteendekolumner utöver "
                          "id (bortlagda: land)")
    assert said["ut_en"] == ("error: no usable feature columns. Hint: the customer file needs behaviour columns "
                             "besides the id (dropped: land)")


def test_the_lookalike_model_summary_is_said_in_lang(study):
    """``LookalikeModel.summary()`` (a notebook's) had only English."""
    from behaviortypes.lookalike import load_model

    model = load_model(study / "ut" / "lookalike.skops")
    sv, en = model.summary("sv").splitlines(), model.summary().splitlines()
    assert sv[0].startswith(f"Lookalike-modell: {model.chosen_model_} (") and sv[0].endswith(" träningsrader"), sv
    assert sv[1].startswith("Korsvaliderad träffsäkerhet 0,"), sv
    assert sv[2].startswith("Andelar i träningen: 1: ") and "\u00a0%" in sv[2], sv
    assert en[0].startswith(f"Lookalike model: {model.chosen_model_} (") and en[0].endswith(" training rows"), en
    assert en[1].startswith("CV accuracy 0."), en
    assert en[2].startswith("Training shares: 1: ") and en[2].endswith("%") and "\u00a0" not in en[2], en


def test_the_typing_tool_says_why_it_was_not_built_in_the_study_language():
    """A type too small for the typing tool: discover printed "Inget typningsverktyg: type 3
    has 2 respondents; the typing tool needs ..." (the reason in English) before session 16;
    the tool's own summary was English too."""
    import numpy as np
    import pandas as pd

    from behaviortypes.errors import InputError
    from behaviortypes.lookalike import build_typing_tool
    from behaviortypes.stages import TypingToolResult

    rng = np.random.default_rng(0)
    items = pd.DataFrame(rng.integers(1, 6, (40, 4)), columns=["s1", "s2", "s3", "s4"])
    labels = pd.Series([1] * 20 + [2] * 18 + [3] * 2, index=items.index)
    with pytest.raises(InputError) as err:
        build_typing_tool(items, labels, random_state=0)
    result = TypingToolResult(error=str(err.value), problem=err.value)
    assert result.headline("sv") == ("Inget typningsverktyg: typ 3 har 2 svarande; typningsverktyget behöver minst "
                                     "cv=5 per typ och två typer")
    assert result.headline("en") == ("No typing tool: type 3 has 2 respondents; the typing tool needs at least cv=5 "
                                     "per type and two types")
    tool = build_typing_tool(items, labels.replace(3, 2), random_state=0)
    assert tool.summary("sv").splitlines()[0].startswith(f"Typningsverktyg: {len(tool.items_)} frågor ger samma "
                                                         "typ som hela enkäten för ")
    assert tool.summary().splitlines()[0].startswith(f"Typing tool: {len(tool.items_)} questions reproduce ")


def test_an_unreachable_dask_scheduler_is_said_in_the_study_language(study, tmp_path, monkeypatch):
    """"error: cannot reach the Dask scheduler (Timed out trying to connect ...)" for a
    Swedish study before session 16 (27 s: the connection's time-out is 20 s; Dask's own
    setting shortens it here, and the message says the time-out used)."""
    monkeypatch.setenv("DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT", "2s")
    line = _error_line(bt("score", study / "ut", "--customers", study / "kunder.csv", "--out",
                          tmp_path / "s.parquet", "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9"))
    assert line == ("fel: når inte Dask-schemaläggaren (inget svar inom 2 s) (värde 'tcp://127.0.0.1:9'). Tips: "
                    "kontrollera adressen (tcp://värd:8786) och att schemaläggaren körs"), line


def test_output_path_checks_are_said_in_the_study_language(study, tmp_path):
    """An output file that is a folder, one below a file, a discovery folder that is a file
    (or the survey folder): English for a Swedish study before session 16."""
    (tmp_path / "mapp").mkdir()
    (tmp_path / "fil").write_text("mine\n", encoding="utf-8")
    survey = study / "kundstudie"
    said = {}
    for name, lang in (("ut", ()), ("ut_en", ("--lang", "en"))):
        said[name] = [_error_line(bt("typing-tool", study / name, "--html", tmp_path / "mapp")),
                      _error_line(bt("profile", study / name, "--by", "region", "--customers", study / "kunder.csv",
                                     "--xlsx", tmp_path / "fil" / "banner.xlsx")),
                      _error_line(bt("discover", survey, "--out", tmp_path / "fil", "--no-map", *lang)),
                      _error_line(bt("discover", survey, "--out", survey, "--no-map", *lang))]
    assert said["ut"] == [
        "fel: mapp: utfilen är en befintlig mapp. Tips: ange ett filnamn, t.ex. inuti den mappen",
        "fel: banner.xlsx: fil är en fil, inte en mapp. Tips: kontrollera utsökvägen",
        "fel: fil: utdata måste vara en mapp, men det finns en fil med det namnet. Tips: välj en annan utmapp",
        "fel: kundstudie: utmappen är enkätmappen; analysens filer skulle blandas med enkätens. Tips: ange en annan "
        "mapp, t.ex. ut/<studie>"]
    assert said["ut_en"] == [
        "error: mapp: the output file is an existing folder. Hint: give a file name, e.g. inside that folder",
        "error: banner.xlsx: fil is a file, not a folder. Hint: check the output path",
        "error: fil: the output must be a folder, but a file of that name exists. Hint: choose another output folder",
        "error: kundstudie: the output folder is the survey folder; the discovery's files would mix with the "
        "survey's. Hint: give another folder, e.g. out/<study>"]
    assert (tmp_path / "fil").read_text(encoding="utf-8") == "mine\n"


def test_report_given_a_file_of_the_folder_is_said_in_the_study_language(study):
    """`report OUT/solution.json`: the refusal was English for a Swedish study before session
    16 (the language was read only from a folder); test_one_group pins the English one."""
    sv = _error_line(bt("report", study / "ut" / "solution.json"))
    en = _error_line(bt("report", study / "ut_en" / "solution.json"))
    assert sv == ("fel: solution.json: en fil angavs där upptäcktsmappen väntas. Tips: ange dess mapp: behaviortypes "
                  f"report {study / 'ut'}")
    assert en == ("error: solution.json: a file was given where the discovery folder is expected. Hint: pass its "
                  f"folder: behaviortypes report {study / 'ut_en'}")
    assert _error_line(bt("report", study / "ut" / "solution.json", "--lang", "en")).startswith(
        "error: solution.json: a file was given")


def test_types_yaml_tells_how_to_edit_it_in_the_study_language(study):
    """types.yaml is the file a Swedish strategist edits; its note was English before session 16."""
    import yaml

    doc = yaml.safe_load((study / "ut" / "types.yaml").read_text(encoding="utf-8"))
    assert doc["# note"] == "Redigera name, tagline, description och color; en ny körning behåller dina ändringar."
    from behaviortypes.i18n import said

    assert said("types_yaml_note") == "Edit name, tagline, description and color; a re-run keeps your edits."


def test_a_study_file_without_lang_writes_a_swedish_studys_scored_csv_for_swedish_excel(tmp_path_factory, tmp_path):
    """csv_dialect followed only `lang:` of the study file: a Swedish study without it wrote
    the scored CSV with ',' and decimal points (excel) before session 16, while its report,
    terminal and typing tool were Swedish."""
    file = tmp_path / "studie.yaml"  # (scored: typade.csv, no lang): run, made once per test run
    _ok(swedish_run(tmp_path_factory, tmp_path))
    head = (tmp_path / "typade.csv").read_text(encoding="utf-8-sig").splitlines()
    assert head[0] == "customer_id;type_id;type_name;probability;p_1;p_2;p_3", head[0]
    assert ";0," in head[1], head[1]
    # a study file that names the dialect, or an English report, keeps excel
    file.write_text(file.read_text(encoding="utf-8") + "csv_dialect: excel\n", encoding="utf-8")
    from behaviortypes.pipeline import StudyConfig

    assert StudyConfig.load(file).scored_dialect("sv") == "excel"
    file.write_text(file.read_text(encoding="utf-8").replace("csv_dialect: excel\n", "lang: en\n"), encoding="utf-8")
    assert StudyConfig.load(file).scored_dialect("sv") == "excel"
    file.write_text(file.read_text(encoding="utf-8").replace("lang: en\n", ""), encoding="utf-8")
    assert StudyConfig.load(file).scored_dialect("sv") == "excel-sv"
    assert StudyConfig.load(file).scored_dialect("en") == "excel"


def test_score_writes_a_swedish_studys_csv_for_swedish_excel(study, tmp_path):
    """`score --out x.csv` wrote ',' and decimal points for a Swedish study before session 16
    (typing-tool --score and run already followed the study); --csv-dialect still chooses."""
    for name in ("ut", "ut_en"):
        _ok(bt("score", study / name, "--customers", study / "kunder.csv", "--out", tmp_path / f"{name}.csv"))
    sv = (tmp_path / "ut.csv").read_text(encoding="utf-8-sig").splitlines()
    en = (tmp_path / "ut_en.csv").read_text(encoding="utf-8-sig").splitlines()
    assert sv[0] == "customer_id;type_id;type_name;probability;p_1;p_2;p_3" and ";0," in sv[1], sv[:2]
    assert en[0] == '"customer_id","type_id","type_name","probability","p_1","p_2","p_3"' and ",0." in en[1], en[:2]
    _ok(bt("score", study / "ut", "--customers", study / "kunder.csv", "--out", tmp_path / "named.csv",
           "--csv-dialect", "excel"))
    assert (tmp_path / "named.csv").read_text(encoding="utf-8-sig").startswith('"customer_id","type_id"')
