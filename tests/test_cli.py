"""The CLI end to end, as a strategist runs it, and its one-line errors."""

import subprocess
import sys
from pathlib import Path

import numpy as np
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


@pytest.fixture(scope="module")
def discovered(demo_root, tmp_path_factory):
    """A function that copies ``out [draft]`` into a folder and returns the copy and what
    ``discover surveys/demo --out "out [draft]" --resamples 10 --no-map --seed 3`` printed
    (run once per module: the first stage of :func:`test_stages_one_by_one` and the folder
    :func:`test_deliverables_in_the_discovery_folder_follow_its_types` starts from, 15-20 CPU s
    each before session 23). Paths in the files and in the output read as the copy's."""
    sys.path.insert(0, str(Path(__file__).parent))
    from sharedcache import as_record, cached_folder, said

    def make(root):
        res = bt("discover", demo_root / "surveys" / "demo", "--out", root / "out [draft]", "--resamples", 10,
                 "--no-map", "--seed", 3)
        return {"discover": as_record(res)}

    def copy(dest):
        return dest / "out [draft]", said(cached_folder(tmp_path_factory, "demo_discovered", make, dest)["discover"])

    return copy


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
    pages = [page.extract_text() for page in PdfReader(reports / "behaviour_types_en.pdf").pages]
    text = " ".join(pages)
    for name in assign["type_name"].unique():
        assert name in text
    # the evidence for the number of types fits its page (session 19: its stability figure, kept
    # with its note, went to a page of its own; the page shrinks as the other one-page sections)
    evidence = next(i for i, page in enumerate(pages) if "How many types? The evidence" in page)
    assert "Stability of each type" in pages[evidence] and "Lookalike model card" in pages[evidence + 1]
    scored = pd.read_parquet(demo_root / "surveys" / "demo" / "discovery" / "scored_customers.parquet")
    assert len(scored) == 8000
    assert list(scored.columns[:4]) == ["customer_id", "type_id", "type_name", "probability"]
    k = assign["type_id"].nunique()
    assert [c for c in scored.columns if c.startswith("p_")] == [f"p_{i}" for i in range(1, k + 1)]


def test_stages_one_by_one(demo_root, discovered, tmp_path):
    survey = demo_root / "surveys" / "demo"
    res = bt("check", survey)
    assert res.returncode == 0, res.stderr
    assert "kept" in res.stdout
    # brackets in a path are text, not Rich markup: `discover survey --out "out [draft]"
    # --resamples 10 --no-map --seed 3` (run once per module, copied here)
    out, res = discovered(tmp_path)
    assert res.returncode == 0, res.stderr
    assert f"Written to {out}" in res.stdout
    # whole lines (a log is not wrapped at 80 columns): the reason for k ends on its own line
    assert any(line.startswith("Types: k = ") and line.endswith(")") for line in res.stdout.splitlines())
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
    # the row as Excel shows it (header = row 1) and the respondent's id
    assert f"column 's03', row 215 (respondent {frame.loc[213, 'respondent_id']})" in line and "7" in line
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
    """Every stage option in the study file; paths relative to the study file's folder."""
    import shutil

    demo = demo_root / "surveys" / "demo"
    survey = tmp_path / "kundstudie"  # the demo study with integer customer ids, as a CRM has them
    shutil.copytree(demo, survey, ignore=shutil.ignore_patterns("discovery", "interviews", "customers.*"))
    responses = pd.read_csv(survey / "responses.csv")
    responses["customer_id"] = responses["customer_id"].str.extract(r"(\d+)", expand=False).astype("Int64")
    responses.to_csv(survey / "responses.csv", index=False)
    frame = pd.read_parquet(demo / "customers.parquet")
    frame = frame.rename(columns={"customer_id": "kundnummer"})
    frame["kundnummer"] = frame["kundnummer"].str.extract(r"(\d+)", expand=False).astype("int64")
    (tmp_path / "data").mkdir()
    frame.to_parquet(tmp_path / "data" / "kunder.parquet", index=False)
    study = tmp_path / "studies" / "study.yaml"
    study.parent.mkdir()
    study.write_text("survey: ../kundstudie\nout: ../out\nseed: 1\nresamples: 10\nmap: false\nk: 4\n"
                     "customers: ../data/kunder.parquet\nid_column: kundnummer\nscored: ../out/scored.csv\n"
                     "lang: sv\nreport: {dir: ../rep}\n", encoding="utf-8")
    res = bt("run", study, cwd=demo_root)  # started elsewhere: paths still resolve from the study file
    assert res.returncode == 0, res.stderr
    out = tmp_path / "out"
    assert (out / "assignments.csv").is_file() and not (out / "umap.csv").exists()  # map: false
    assert pd.read_csv(out / "assignments.csv")["type_id"].nunique() == 4  # k: 4
    assert (tmp_path / "rep" / "behaviour_types_sv.pdf").is_file() and not list((tmp_path / "rep").glob("*_en.pdf"))
    # lang: sv only -> the scored CSV is for Swedish Excel; integer ids stay integers
    raw = (out / "scored.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw[3:].split(b"\r\n")[0].startswith(b"customer_id;type_id;")
    scored = pd.read_csv(out / "scored.csv", sep=";", decimal=",")
    assert scored["customer_id"].dtype == "int64"
    assert len(scored.merge(frame, left_on="customer_id", right_on="kundnummer")) == len(frame)
    assert "Typad kundbas: " in res.stdout  # the terminal in the study file's one language (session 12)


def test_run_study_file_errors_are_one_line_with_full_paths(tmp_path):
    study = tmp_path / "s" / "study.yaml"
    study.parent.mkdir()
    (tmp_path / "survey").mkdir()
    cases = {
        "survey: ../nosuch\n": ("'survey'", str(tmp_path / "nosuch"), "relative to the study file"),
        "survey: ../survey\ncustomers: crm.parquet\n": ("'customers'", str(tmp_path / "s" / "crm.parquet"), "not found"),
        "survey: ../survey\ncsv_dialect: excel-de\n": ("'csv_dialect' must be one of excel, excel-sv, plain",),
        "survey: ../survey\nresamples: 3\n": ("'resamples' must be a whole number of at least 10",),
        "survey: ../survey\nlang: de\n": ("'lang' must be one or more of en, sv",),
        "survey: ../survey\nmap: perhaps\n": ("'map' must be true or false",),
        "survey: ../survey\nprofile: {min_cell: 0}\n": ("'profile.min_cell' must be a whole number",),
        "survey: ../survey\nprofile: {banner: x}\n": ("'profile' takes by, outcomes, min_cell and xlsx",),
        "survey: ../survey\nmin_group_size: 20\n": ("unknown key(s) min_group_size", "set in instrument.yaml"),
        "survey: ../survey\nlang: en\nreport: {langs: [sv]}\n": ("the languages are given twice",),  # (lang: sv: Swedish)
    }
    for text, needles in cases.items():
        study.write_text(text)
        line = _one_line_error(bt("run", study))
        assert str(study) in line, (text, line)  # the study file, in full
        for needle in needles:
            assert needle in line, (text, line)
    line = _one_line_error(bt("run", tmp_path / "nope.yaml"))
    assert str(tmp_path / "nope.yaml") in line


def test_study_config_takes_every_stage_option(tmp_path):
    from behaviortypes.pipeline import StudyConfig

    (tmp_path / "survey").mkdir()
    (tmp_path / "crm.csv").write_text("id\n1\n")
    study = tmp_path / "study.yaml"
    study.write_text("survey: survey\nfactors: 3\nk: 4\nseed: 7\nresamples: 50\nmap: false\n"
                     "customers: crm.csv\nid_column: kundnummer\nengine: dask\nscheduler: tcp://h:8786\n"
                     "scored: s.duckdb\nout_table: typer\ncsv_dialect: plain\nlang: [en, sv]\n"
                     "profile: {by: [alder, region], outcomes: nps, min_cell: 5, xlsx: banner.xlsx}\n"
                     "report: {formats: [pdf, pptx], dir: rep}\n")
    cfg = StudyConfig.load(study)
    assert (cfg.factors, cfg.k, cfg.seed, cfg.resamples, cfg.make_map) == (3, 4, 7, 50, False)
    assert cfg.customers == tmp_path / "crm.csv" and cfg.scored == tmp_path / "s.duckdb"
    assert (cfg.id_column, cfg.engine, cfg.scheduler, cfg.out_table, cfg.csv_dialect) == (
        "kundnummer", "dask", "tcp://h:8786", "typer", "plain")
    assert cfg.langs == ("en", "sv") and cfg.formats == ("pdf", "pptx") and cfg.report_dir == tmp_path / "rep"
    assert cfg.profile and cfg.by == ("alder", "region") and cfg.outcomes == ("nps",) and cfg.min_cell == 5
    assert cfg.xlsx == tmp_path / "banner.xlsx" and cfg.out == tmp_path / "survey" / "discovery"
    # the CSV dialect follows a Swedish-only report unless given
    study.write_text("survey: survey\nlang: sv\n")
    assert StudyConfig.load(study).csv_dialect == "excel-sv"
    study.write_text("survey: survey\nreport: {langs: [en, sv]}\n")
    assert StudyConfig.load(study).csv_dialect == "excel"


def test_run_help_says_how_paths_resolve():
    res = bt("run", "--help")
    assert res.returncode == 0
    assert "relative to the study file" in " ".join(res.stdout.split())


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
    # an interviewee who answered (almost) nothing is not typed as the average respondent
    answers.iloc[1, 1:] = np.nan
    answers.to_csv(tmp_path / "participants.csv", index=False)
    line = _one_line_error(bt("qdpx-types", qdpx, "--participants", tmp_path / "participants.csv",
                              "--out", tmp_path / "typed2.qdpx", "--typing-tool", survey / "discovery"))
    assert "row 2: too few answers to type an interviewee: 0 of the" in line, line
    assert not (tmp_path / "typed2.qdpx").exists()


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



def test_report_wrote_lines_are_in_the_language_asked_for(tmp_path, capsys):
    """User trial 5: `report --lang sv` said "Wrote …" in English."""
    from reportfixture import make_discovery_folder

    from behaviortypes.cli import main

    disc = make_discovery_folder(tmp_path / "disc", k=3, n=300, seed=2, with_quotes=False)
    for lang, word in (("sv", "Skrev "), ("en", "Wrote ")):
        pdf = tmp_path / f"r_{lang}.pdf"
        assert main(["report", str(disc), "--pdf", str(pdf), "--lang", lang]) == 0
        assert capsys.readouterr().out.splitlines() == [f"{word}{pdf}"]


def test_deliverables_in_the_discovery_folder_follow_its_types(demo_root, discovered, tmp_path):
    """User trial 6: `typing-tool OUT --lang sv` overwrote the English typing_tool.html/.xlsx,
    and a banner workbook and a Swedish typing tool written into OUT by name stayed there,
    describing 3 types, after `discover OUT --k 2`. Now the other language gets its own
    names, and every deliverable written into OUT is recorded as behaviortypes' own: a new
    discovery removes them with the rest of what described the previous types; a file of
    the user's stays."""
    survey = demo_root / "surveys" / "demo"
    run = lambda *a: bt(*map(str, a))  # noqa: E731
    out, res = discovered(tmp_path)  # discover survey --out OUT --resamples 10 --no-map (--seed 3), copied
    assert res.returncode == 0, res.stderr
    assert run("typing-tool", out).returncode == 0
    english = (out / "typing_tool.html").read_bytes()
    res = run("typing-tool", out, "--lang", "sv")
    assert res.returncode == 0, res.stderr
    assert (out / "typing_tool.html").read_bytes() == english  # not overwritten
    assert (out / "typing_tool_sv.html").is_file() and (out / "typing_tool_sv.xlsx").is_file()
    assert 'lang="sv"' in (out / "typing_tool_sv.html").read_text(encoding="utf-8")
    res = run("profile", out, "--xlsx", out / "banner.xlsx")
    assert res.returncode == 0, res.stderr
    res = run("typing-tool", out, "--lang", "sv", "--html", out / "formular.html")
    assert res.returncode == 0, res.stderr
    (out / "mine.xlsx").write_bytes(b"the user's own file")
    res = run("discover", survey, "--out", out, "--resamples", 10, "--no-map", "--k", 2)
    assert res.returncode == 0, res.stderr
    for stale in ("banner.xlsx", "formular.html", "typing_tool_sv.html", "typing_tool_sv.xlsx",
                  "typing_tool.html", "typing_tool.xlsx"):
        assert not (out / stale).exists(), stale
    assert (out / "mine.xlsx").read_bytes() == b"the user's own file"


def test_run_and_discover_share_one_resamples_default(tmp_path):
    """Trial 10: `run` defaulted to 100 resamples, `discover` (CLI and Python) to 30: the same
    study and seed gave other stability numbers (Jaccard 0.89 against 0.92) by the two commands."""
    import inspect

    import typer

    from behaviortypes import cli, pipeline
    from behaviortypes.pipeline import DEFAULT_RESAMPLES, StudyConfig

    (tmp_path / "survey").mkdir()
    study = tmp_path / "study.yaml"
    study.write_text("survey: survey\n")
    option = inspect.signature(cli.discover).parameters["resamples"].default
    python = inspect.signature(pipeline.discover).parameters["n_resamples"].default
    assert StudyConfig.load(study).resamples == python == option == DEFAULT_RESAMPLES == 30
    assert StudyConfig.model_fields["resamples"].default == DEFAULT_RESAMPLES
    assert not isinstance(option, typer.models.OptionInfo)
