"""What a user meets at the command line (session 16): each refusal one line in the
CLI's own terms, with the file, row and value, in English and Swedish; the summary of
``typing-tool --score`` with the types' counts; no stray lines around progress.

Every test runs ``behaviortypes`` in a subprocess, as a user does.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from clirun import error_line  # noqa: E402
from test_scoring import FEATURES, make_base  # noqa: E402


def bt(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "behaviortypes.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=600, cwd=cwd, check=False)


@pytest.fixture(scope="module")
def model_dirs(tmp_path_factory):
    """A saved lookalike model (English folder ``en``, Swedish ``sv``) and its customer base."""
    from behaviortypes.files import write_yaml
    from behaviortypes.lookalike import LookalikeModel, save_model

    root = tmp_path_factory.mktemp("polish")
    frame, truth = make_base(900, seed=3)
    features = frame.set_index("customer_id")[FEATURES]
    model = LookalikeModel(models=("logistic",), cv=3, random_state=0).fit(features, pd.Series(truth, index=features.index))
    save_model(model, root / "en" / "lookalike.skops")
    write_yaml(root / "en" / "types.yaml", {"types": [{"type_id": t, "name": n} for t, n in
                                                      enumerate(["Loyalists", "Bargain hunters", "Explorers"], 1)]})
    shutil.copytree(root / "en", root / "sv")
    (root / "sv" / "source.json").write_text(json.dumps({"instrument": {"language": "sv"}}), encoding="utf-8")
    frame.to_csv(root / "customers.csv", index=False)
    return root


@pytest.mark.parametrize(("lang", "want"), [
    ("en", "error: customers.csv: --table only applies when --customers is a DuckDB database (.duckdb) "
           "(value 'kunder'). Hint: leave --table out for a CSV or Parquet file"),
    ("sv", "fel: customers.csv: --table gäller bara när --customers är en DuckDB-databas (.duckdb) "
           "(värde 'kunder'). Tips: ta bort --table för en CSV- eller Parquet-fil"),
])
def test_score_table_on_a_csv_is_refused_in_the_clis_terms(model_dirs, tmp_path, lang, want):
    """Session 15: "table= and query= only apply to a DuckDB database" — Python's argument
    names, which a user of the command line never typed (and there is no --query)."""
    res = bt("score", model_dirs / lang, "--customers", model_dirs / "customers.csv", "--out", tmp_path / "o.parquet",
             "--table", "kunder")
    assert error_line(res) == want
    assert not (tmp_path / "o.parquet").exists()


@pytest.mark.parametrize(("lang", "want"), [
    ("en", "error: o.parquet: --out-table only applies when --out is a DuckDB file (.duckdb) (value 'typed'). "
           "Hint: write --out to a .duckdb file, or leave --out-table out"),
    ("sv", "fel: o.parquet: --out-table gäller bara när --out är en DuckDB-fil (.duckdb) (värde 'typed'). "
           "Tips: skriv --out till en .duckdb-fil, eller ta bort --out-table"),
])
def test_score_out_table_on_a_parquet_is_refused_in_the_clis_terms(model_dirs, tmp_path, lang, want):
    res = bt("score", model_dirs / lang, "--customers", model_dirs / "customers.csv", "--out", tmp_path / "o.parquet",
             "--out-table", "typed")
    assert error_line(res) == want
    assert not (tmp_path / "o.parquet").exists()


def test_score_which_table_is_said_as_the_option(model_dirs, tmp_path):
    """A database of two tables: the fix names ``--table``, not ``table=``."""
    import duckdb

    frame = pd.read_csv(model_dirs / "customers.csv")
    with duckdb.connect(str(tmp_path / "crm.duckdb")) as con:
        con.register("f", frame)
        con.execute("CREATE TABLE kunder AS SELECT * FROM f")
        con.execute("CREATE TABLE orders AS SELECT 1 AS x")
    line = error_line(bt("score", model_dirs / "en", "--customers", tmp_path / "crm.duckdb", "--out",
                         tmp_path / "o.parquet"))
    assert line.endswith("Hint: pass --table (tables: kunder, orders)"), line


@pytest.fixture(scope="module")
def typing_dirs(tmp_path_factory):
    """A typing tool (English ``en`` and Swedish ``sv`` discovery folders) and its statements."""
    from test_typing_deliverables import _make_study

    root = tmp_path_factory.mktemp("typing16")
    folders = {}
    for lang, names in (("en", ["Explorers", "Planners", "Hunters"]), ("sv", ["Utforskarna", "Planerarna", "Jägarna"])):
        folders[lang] = _make_study(root / lang, k=3, lo=1, hi=5, n_items=8, n=300, seed=4, language=lang,
                                    names=names, taglines=["a", "b", "c"], texts=["I plan.", "I compare.", "I buy."])
    from behaviortypes.deliver import load_typing_spec

    return folders, list(load_typing_spec(folders["en"]).items)


def answers_rows(items: list[str], n: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return ["respondent_id," + ",".join(items)] + [
        f"R{i}," + ",".join(str(v) for v in rng.integers(1, 6, len(items))) for i in range(n)]


@pytest.mark.parametrize("line", [2, 5])
@pytest.mark.parametrize(("lang", "want"), [
    ("en", "error: answers.csv: rows have different numbers of columns: line {line} has {fields} fields, the header "
           "has {header}. Hint: the separator looks like ','; check for unquoted separators in text answers"),
    ("sv", "fel: answers.csv: raderna har olika många kolumner: rad {line} har {fields} fält, rubrikraden har "
           "{header}. Tips: avgränsaren ser ut att vara ','; leta efter avgränsare utan citattecken i textsvaren"),
])
def test_typing_tool_score_refuses_a_row_with_more_fields_than_the_header(typing_dirs, tmp_path, line, lang, want):
    """Session 15: an extra field in a row was dropped without a word (line 5), or, in the
    first row, made pandas take the ids as an index and crash with a traceback (line 2)."""
    folders, items = typing_dirs
    rows = answers_rows(items, 30)
    rows[line - 1] += ",4"
    (tmp_path / "answers.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    res = bt("typing-tool", folders[lang], "--score", tmp_path / "answers.csv", "--out", tmp_path / "typed.csv")
    header = len(items) + 1
    assert error_line(res) == want.format(line=line, fields=header + 1, header=header)
    assert not (tmp_path / "typed.csv").exists()


def test_check_refuses_a_first_row_with_more_fields_than_the_header(typing_dirs, tmp_path):
    """Session 15: `check` read a long first row as pandas does (the ids become an index, every
    column shifts by one) and listed four wrong problems instead of the one."""
    folders, _ = typing_dirs
    survey = tmp_path / "survey"
    shutil.copytree(folders["en"].parent / "survey", survey)
    lines = (survey / "responses.csv").read_text(encoding="utf-8").splitlines()
    lines[1] += ",3"
    (survey / "responses.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    line = error_line(bt("check", survey))
    assert line.startswith("error: responses.csv: rows have different numbers of columns: line 2 has 10 fields, "
                           "the header has 9."), line


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
@pytest.mark.parametrize(("lang", "want"), [
    ("en", "error: answers.{suffix}, column '{item}', row 5 (respondent R3): answers must be numbers on the scale "
           "(value 'x'). Hint: use 1 to 5; leave a missing answer blank"),
    ("sv", "fel: answers.{suffix}, kolumn '{item}', rad 5 (svarande R3): svaren måste vara tal på skalan "
           "(värde 'x'). Tips: använd 1 till 5; lämna ett saknat svar tomt"),
])
def test_a_not_a_number_answer_names_its_value(typing_dirs, tmp_path, suffix, lang, want):
    """Session 15: "answers.xlsx, ...: answers must be numbers on the scale" without the value:
    the value was left out whenever its text occurred anywhere in the line ('x' in "xlsx")."""
    folders, items = typing_dirs
    frame = pd.read_csv(pd.io.common.StringIO("\n".join(answers_rows(items, 30)))).astype(object)
    frame.loc[3, items[2]] = "x"
    path = tmp_path / f"answers.{suffix}"
    frame.to_excel(path, index=False) if suffix == "xlsx" else frame.to_csv(path, index=False)
    res = bt("typing-tool", folders[lang], "--score", path, "--out", tmp_path / "typed.csv")
    assert error_line(res) == want.format(suffix=suffix, item=items[2])
    assert not (tmp_path / "typed.csv").exists()


def test_typing_progress_is_left_out_for_a_small_file_and_agrees_with_the_summary(typing_dirs, tmp_path):
    """Session 15: 1,500 rows printed ten progress lines at 13 %, 20 %, 33 % ... (chunks of 100
    rows), and 30 rows a line of their own beside the summary. Under 2,000 rows no progress is
    shown; from 2,000 rows a line every 10 %, the last with the summary's figures."""
    import re

    folders, items = typing_dirs
    (tmp_path / "small.csv").write_text("\n".join(answers_rows(items, 1500)) + "\n", encoding="utf-8")
    lines = bt("typing-tool", folders["en"], "--score", tmp_path / "small.csv", "--out", tmp_path / "s.csv"
               ).stdout.splitlines()
    assert not [line for line in lines if line.startswith("Typing ")], lines
    (tmp_path / "big.csv").write_text("\n".join(answers_rows(items, 5000)) + "\n", encoding="utf-8")
    lines = bt("typing-tool", folders["en"], "--score", tmp_path / "big.csv", "--out", tmp_path / "b.csv"
               ).stdout.splitlines()
    progress = [line for line in lines if line.startswith("Typing big.csv: ")]
    assert [re.search(r"\((\d+) %\)", line).group(1) for line in progress] == [str(p) for p in range(10, 101, 10)]
    last = re.fullmatch(r"Typing big.csv: 5,000 of 5,000 rows \(100 %\), ([\d,]+) rows/s, ([\d.]+) s", progress[-1])
    assert f"Typed 5,000 rows in {last.group(2)} s ({last.group(1)} rows/s)" in lines, lines


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_typing_summary_counts_each_type_and_hides_small_counts(typing_dirs, tmp_path, lang):
    """Session 15: the count of each type was only in ``TypedFile.table``; the command line
    said "Wrote typed.csv: 25 respondents typed" and no more. Now a line per run gives each
    type's count and share of the typed, and a count under the smallest cell (10, as
    ``profile`` without the instrument's ``min_group_size``) only as "fewer than 10"."""
    folders, items = typing_dirs
    (tmp_path / "answers.csv").write_text("\n".join(answers_rows(items, 25, seed=4)) + "\n", encoding="utf-8")
    res = bt("typing-tool", folders[lang], "--score", tmp_path / "answers.csv", "--out", tmp_path / "typed.csv")
    assert res.returncode == 0, res.stderr
    typed = pd.read_csv(tmp_path / "typed.csv", sep=None, engine="python", encoding="utf-8-sig")
    counts = typed["type_name"].value_counts()
    names = (["Explorers", "Planners", "Hunters"] if lang == "en" else ["Utforskarna", "Planerarna", "Jägarna"])
    assert counts.min() < 10 <= counts.max(), counts  # both kinds of cell are said
    parts = []
    for name in names:
        n = int(counts.get(name, 0))
        if n >= 10:
            parts.append(f"{name} {n} ({round(100 * n / counts.sum())} %)")
        else:
            parts.append(f"{name} {'fewer than' if lang == 'en' else 'färre än'} 10")
    lead = "By type: " if lang == "en" else "Per typ: "
    assert lead + ", ".join(parts) in res.stdout.splitlines(), res.stdout


def test_the_smallest_count_shown_is_the_instruments_min_group_size_when_set(typing_dirs, tmp_path):
    import yaml

    from behaviortypes.deliver import load_typing_spec
    from behaviortypes.deliver.typing_file import smallest_cell

    folders, _ = typing_dirs
    study = tmp_path / "study"
    shutil.copytree(folders["en"].parent, study)
    source = json.loads((study / "discovery" / "source.json").read_text(encoding="utf-8"))
    source["survey_dir"] = str(study / "survey")
    (study / "discovery" / "source.json").write_text(json.dumps(source), encoding="utf-8")
    assert smallest_cell(load_typing_spec(study / "discovery")) == 10
    inst = yaml.safe_load((study / "survey" / "instrument.yaml").read_text(encoding="utf-8"))
    (study / "survey" / "instrument.yaml").write_text(yaml.safe_dump({**inst, "min_group_size": 5}), encoding="utf-8")
    assert smallest_cell(load_typing_spec(study / "discovery")) == 5



def test_run_prints_no_empty_line_before_the_lookalikes_progress(tmp_path_factory, tmp_path):
    """Session 15: `run` printed an empty line after "• Training the lookalike …" when the
    output is not a terminal (a log): the last frame of the linking's transient bar."""
    from sharedcache import swedish_run

    # the Swedish study, the customer base of test_swedish_pipeline (with a statement and a
    # free text), a study file with customers and scored: run, made once per test run
    res = swedish_run(tmp_path_factory, tmp_path)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert "" not in lines, res.stdout


@pytest.fixture(scope="module")
def swedish_ut(tmp_path_factory):
    """The Swedish test study's discovery folder (for ``lookalike``)."""
    from sharedcache import swedish_discovered

    root = tmp_path_factory.mktemp("ut16")
    assert swedish_discovered(tmp_path_factory, root).returncode == 0  # made once per run
    return root / "ut"


def _folder(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "notes.txt").write_text("not a table", encoding="utf-8")
    return path


def test_a_folder_given_as_a_file_is_said_to_be_a_folder(typing_dirs, model_dirs, swedish_ut, tmp_path):
    """Session 15's bad files: a folder named like the file said "file not found" (typing-tool
    --score), "no responses file in the survey folder ... add responses.csv" (check, with a
    folder responses.csv in it) and "the customer file has no rows" without a fix (lookalike)."""
    folders, _ = typing_dirs
    line = error_line(bt("typing-tool", folders["en"], "--score", _folder(tmp_path / "answers.csv"),
                         "--out", tmp_path / "typed.csv"))
    assert line == (f"error: answers.csv: this is a folder, not a file. Hint: give the path of the file itself "
                    f"(looked at {tmp_path / 'answers.csv'})"), line
    line = error_line(bt("typing-tool", folders["sv"], "--score", tmp_path / "answers.csv", "--out", tmp_path / "t.csv"))
    assert line.startswith("fel: answers.csv: det här är en mapp, inte en fil. Tips: ange sökvägen till själva filen"), line
    survey = tmp_path / "survey"
    survey.mkdir()
    shutil.copy(folders["en"].parent / "survey" / "instrument.yaml", survey)
    _folder(survey / "responses.csv")
    line = error_line(bt("check", survey))
    assert line.startswith("error: responses.csv: this is a folder, not a file. Hint: give the path"), line
    line = error_line(bt("lookalike", swedish_ut, "--customers", _folder(tmp_path / "kunder.csv")))
    assert line == ("fel: kunder.csv: mappen innehåller inga .parquet-filer. Tips: använd en .parquet-fil (eller en "
                    "mapp med sådana), en .csv-fil eller en .duckdb-databas"), line
    assert not (tmp_path / "typed.csv").exists() and not (swedish_ut / "lookalike.skops").exists()


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_typing_summary_hides_a_second_count_when_one_hidden_count_follows_from_the_total(lang):
    """Review, session 16: one count hidden as "fewer than 10" beside the total and the
    other counts was the total minus them (805 - 500 - 300 = 5): a second count is hidden
    too, the smallest shown, as profile's secondary suppression does."""
    from behaviortypes.deliver.typing_file import TypedFile

    def by_type(counts):
        typed = TypedFile(out=Path("typed.csv"), answers=Path("answers.csv"), id_column="id",
                          n_rows=sum(counts.values()), n_typed=sum(counts.values()), min_answered=1, n_items=8,
                          type_counts=counts, type_names={1: "Explorers", 2: "Planners", 3: "Hunters"},
                          seconds=1.0, rows_per_s=805.0, shown={"rows": "805", "seconds": "1.0", "rate": "805"},
                          lang=lang)
        return next(line for line in typed.summary().splitlines() if line.startswith(("By type", "Per typ")))

    line = by_type({1: 500, 2: 5, 3: 300})
    assert "500" in line and "300" not in line and "5 (" not in line, line
    assert ("Hunters hidden" if lang == "en" else "Hunters dold") in line, line
    assert ("Planners fewer than 10" if lang == "en" else "Planners färre än 10") in line, line
    # two small counts hide each other (only their sum follows); none small: all shown
    two = by_type({1: 496, 2: 5, 3: 300, 4: 4})
    assert "496 (62 %)" in two and "300 (37 %)" in two and "hidden" not in two and "dold" not in two, two
    full = by_type({1: 500, 2: 15, 3: 290})
    assert "500 (62 %)" in full and "15 (2 %)" in full and "290 (36 %)" in full, full
