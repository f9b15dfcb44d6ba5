"""The CLI end to end, as a strategist runs it, and its one-line errors."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

BT = str(Path(sys.executable).parent / "behaviortypes")


def bt(*args, cwd=None):
    return subprocess.run([BT, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=900)


@pytest.fixture(scope="module")
def demo_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    res = bt("demo", "--root", root, "--customers", 8000)
    assert res.returncode == 0, res.stderr[-3000:]
    return root


def test_help_lists_design_commands():
    res = bt("--help")
    assert res.returncode == 0
    for cmd in ("demo", "check", "discover", "lookalike", "score", "report", "run"):
        assert cmd in res.stdout


def test_demo_writes_reports_naming_every_type(demo_root):
    from pypdf import PdfReader

    reports = demo_root / "reports" / "demo"
    pdfs = sorted(reports.glob("*.pdf"))
    assert len(pdfs) >= 2  # English and Swedish
    assign = pd.read_csv(demo_root / "surveys" / "demo" / "discovery" / "assignments.csv")
    text = " ".join(page.extract_text() for page in PdfReader(pdfs[0]).pages)
    for name in assign["type_name"].unique():
        assert name in text
    scored = pd.read_parquet(demo_root / "surveys" / "demo" / "discovery" / "scored_customers.parquet")
    assert len(scored) == 8000
    assert list(scored.columns[:4]) == ["customer_id", "type_id", "type_name", "probability"]
    k = assign["type_id"].nunique()
    assert [c for c in scored.columns if c.startswith("p_")] == [f"p_{i}" for i in range(1, k + 1)]


def test_stages_one_by_one(demo_root, tmp_path):
    survey = demo_root / "surveys" / "demo"
    res = bt("check", survey)
    assert res.returncode == 0, res.stderr
    assert "kept" in res.stdout
    out = tmp_path / "out"
    res = bt("discover", survey, "--out", out, "--resamples", 20, "--no-map", "--seed", 3)
    assert res.returncode == 0, res.stderr
    for f in ("assignments.csv", "screening.csv", "solution.json", "loadings.csv", "types.yaml",
              "typing_tool.yaml"):  # the typing tool is built at discovery, from the survey alone
        assert (out / f).is_file()
    res = bt("lookalike", out, "--customers", survey / "customers.parquet")
    assert res.returncode == 0, res.stderr
    assert (out / "lookalike.skops").is_file() and (out / "lookalike_card.json").is_file()
    res = bt("score", out / "lookalike.skops", "--customers", survey / "customers.parquet", "--out", tmp_path / "s.parquet")
    assert res.returncode == 0, res.stderr
    assert len(pd.read_parquet(tmp_path / "s.parquet")) == 8000
    res = bt("report", out, "--pdf", tmp_path / "r.pdf")
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "r.pdf").stat().st_size > 10_000
    # a hand-edited file that breaks its contract: one line naming the file and the field
    solution = (out / "solution.json").read_text()
    (out / "solution.json").write_text(solution.replace('"k": ', '"k": "many", "was_k": ', 1))
    line = _one_line_error(bt("report", out))
    assert "solution.json, column 'k'" in line, line


def _one_line_error(res):
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    lines = [l for l in res.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_bad_value_in_responses_is_one_line(demo_root, tmp_path):
    survey = tmp_path / "bad"
    src = demo_root / "surveys" / "demo"
    survey.mkdir()
    (survey / "instrument.yaml").write_text((src / "instrument.yaml").read_text())
    frame = pd.read_csv(src / "responses.csv")
    frame.loc[213, "s03"] = 7
    frame.to_csv(survey / "responses.csv", index=False)
    before = (survey / "responses.csv").read_bytes()
    line = _one_line_error(bt("discover", survey, "--out", tmp_path / "out"))
    assert "s03" in line and "214" in line and "7" in line
    assert (survey / "responses.csv").read_bytes() == before
    assert not (tmp_path / "out").exists()


def test_missing_paths_are_one_line(tmp_path):
    _one_line_error(bt("check", tmp_path / "nope"))
    _one_line_error(bt("report", tmp_path))
    _one_line_error(bt("score", tmp_path / "m.skops", "--customers", tmp_path / "c.parquet", "--out", tmp_path / "o.parquet"))
    bad = tmp_path / "study.yaml"
    bad.write_text("survey: x\nsurvey_dir: y\n")
    _one_line_error(bt("run", bad))


@pytest.mark.parametrize("args, needle", [
    (["discover", "s", "--out", "o", "--k", "abc"], "Invalid value for '--k'"),
    (["discover", "--kk", "3"], "No such option: --kk"),
    (["discover"], "Missing argument"),
    (["nosuch"], "No such command 'nosuch'"),
])
def test_command_line_mistakes_are_one_line(args, needle):
    res = bt(*args)
    _one_line_error(res)
    assert needle in res.stderr and "--help" in res.stderr


def test_bare_command_shows_help():
    res = bt()
    assert res.returncode == 2
    assert "Usage: behaviortypes" in res.stdout and "error" not in res.stderr


def test_themes_command(demo_root, tmp_path):
    res = bt("themes", demo_root / "surveys" / "demo" / "interviews" / "demo_interviews.qdpx", "--out", tmp_path / "themes")
    assert res.returncode == 0, res.stderr
    prevalence = pd.read_csv(tmp_path / "themes" / "prevalence.csv")
    codes = pd.read_csv(demo_root / "surveys" / "demo" / "interviews" / "codes.csv")
    assert set(prevalence["theme"]) == set(codes["theme"])
    _one_line_error(bt("themes", tmp_path / "themes" / "prevalence.csv", "--out", tmp_path / "x"))


def test_instrument_draft_from_spss(tmp_path):
    import pyreadstat

    frame = pd.DataFrame({"resp": ["a", "b", "c"], "q1": [1.0, 2.0, 5.0], "q2": [5.0, 4.0, 1.0]})
    labels = {1.0: "Disagree strongly", 2.0: "Disagree", 3.0: "Neutral", 4.0: "Agree", 5.0: "Agree strongly"}
    pyreadstat.write_sav(frame, tmp_path / "survey.sav", column_labels=["Respondent", "I compare prices", "I buy on impulse"],
                         variable_value_labels={"q1": labels, "q2": labels})
    res = bt("instrument", "draft", tmp_path / "survey.sav", "--out", tmp_path / "instrument.yaml")
    assert res.returncode == 0, res.stderr
    import yaml

    draft = yaml.safe_load((tmp_path / "instrument.yaml").read_text())
    assert draft["scale"]["min"] == 1 and draft["scale"]["max"] == 5
    assert {i["id"]: i["text"] for i in draft["items"]} == {"q1": "I compare prices", "q2": "I buy on impulse"}
    _one_line_error(bt("instrument", "draft", tmp_path / "survey.sav", "--out", tmp_path / "instrument.yaml"))


def test_run_study_file(demo_root, tmp_path):
    study = tmp_path / "study.yaml"
    survey = demo_root / "surveys" / "demo"
    study.write_text(f"survey: {survey}\nout: {tmp_path / 'out'}\nseed: 1\nreport: {{langs: [sv], dir: {tmp_path / 'rep'}}}\n")
    res = bt("run", study)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "out" / "assignments.csv").is_file()
    assert (tmp_path / "rep" / "behaviour_types_sv.pdf").is_file()


def test_qdpx_types_from_typing_tool(demo_root, tmp_path):
    from behaviortypes.interviews import read_interviews

    survey = demo_root / "surveys" / "demo"
    qdpx = survey / "interviews" / "demo_interviews.qdpx"
    codes = pd.read_csv(survey / "interviews" / "codes.csv")
    people = sorted(codes["participant_id"].unique())
    answers = pd.read_csv(survey / "responses.csv").head(len(people)).drop(columns=["respondent_id"])
    answers.insert(0, "participant_id", people)
    answers.to_csv(tmp_path / "participants.csv", index=False)
    before = qdpx.read_bytes()
    res = bt("qdpx-types", qdpx, "--participants", tmp_path / "participants.csv", "--out", tmp_path / "typed.qdpx",
             "--typing-tool", survey / "discovery")
    assert res.returncode == 0, res.stderr
    assert qdpx.read_bytes() == before
    typed = read_interviews(tmp_path / "typed.qdpx").participants
    names = set(pd.read_csv(survey / "discovery" / "assignments.csv")["type_name"])
    assert set(typed["behaviour_type"]) <= names and typed["behaviour_type"].notna().all()
    _one_line_error(bt("qdpx-types", qdpx, "--participants", survey / "interviews" / "participants.csv",
                       "--out", tmp_path / "x.qdpx"))


@pytest.mark.parametrize("option, suggestion", [
    ("--clusters", "Did you mean --k?"),      # the same thing, not the look-alike --factors
    ("--n-types", "Did you mean --k?"),
    ("--factor", "Did you mean --factors?"),  # a typo
    ("--frobnicate", None),
])
def test_unknown_option_suggests_what_it_means(option, suggestion, capsys):
    from behaviortypes.cli import main

    assert main(["discover", "s", "--out", "o", option, "3"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"No such option: {option}" in err
    if suggestion:
        assert suggestion in err
    else:
        assert "Did you mean" not in err and "--factors" not in err
