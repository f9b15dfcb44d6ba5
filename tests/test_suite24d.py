"""Refusals said before the imports they do not need (session 24, bench/README.md "Session 24:
lighter refusals").

``typing-tool`` of a folder without a typing tool or with a bad ``--score`` file, ``run`` of a study
file with a wrong key, ``check`` of a survey folder with a wrong instrument and ``score`` of a
missing customer file refused after importing scikit-learn, SciPy's statistics, the pipeline or
pandas (1.0-2.6 CPU s a refusal against ~0.4 s). The refusal lines are checked word for word by
tests/test_cli.py, test_swedish_terminal.py, test_swedish_errors.py, test_typing_deliverables.py
and others; here, that each is said without those modules.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from reportfixture import make_discovery_folder  # noqa: E402

#: run the command line in-process and print, after it returns, which heavy modules it loaded
_PROBE = """
import sys
from behaviortypes.cli import main
code = main(sys.argv[1:])
heavy = ("sklearn", "scipy.stats", "scipy.linalg", "matplotlib", "weasyprint", "jinja2", "openpyxl",
         "behaviortypes.pipeline", "pandas")
print("exit", code)
print("loaded", *[m for m in heavy if m in sys.modules])
"""


def _probe(*args, cwd: Path) -> tuple[list[str], str]:
    res = subprocess.run([sys.executable, "-c", _PROBE, *map(str, args)], capture_output=True, text=True,
                         timeout=300, cwd=cwd)
    return res.stdout.splitlines(), res.stderr


def test_typing_tool_refuses_a_folder_without_a_tool_light(tmp_path):
    (tmp_path / "empty").mkdir()
    for extra in ((), ("--html", "form.html"), ("--score", "answers.csv", "--out", "typed.csv")):
        (tmp_path / "answers.csv").write_text("respondent_id,q1\n1,3\n", encoding="utf-8")
        out, err = _probe("typing-tool", "empty", *extra, cwd=tmp_path)
        assert out == ["exit 2", "loaded"], (extra, out, err)
        assert err == ("error: empty: the folder has no typing tool (typing_tool.yaml). Hint: pass the "
                       "discovery folder of a study whose analysis has run to the end\n"), err
    assert not (tmp_path / "form.html").exists() and not (tmp_path / "typed.csv").exists()


def _tool_folder(folder: Path) -> Path:
    """A folder holding a typing tool of four statements (built here: the test's process)."""
    import numpy as np
    import pandas as pd

    from behaviortypes.instrument import instrument_from_dict
    from behaviortypes.lookalike import build_typing_tool

    rng = np.random.default_rng(0)
    labels = pd.Series(rng.integers(1, 3, 200))
    answers = pd.DataFrame({f"q{j}": np.clip(np.rint(3 + (labels - 1.5) * 2 * (j % 2 * 2 - 1)
                                                     + rng.normal(size=200)), 1, 5) for j in range(4)})
    inst = instrument_from_dict({"id_column": "id", "scale": {"min": 1, "max": 5}, "language": "en",
                                 "items": [{"id": f"q{j}", "text": f"Statement {j}"} for j in range(4)]})
    folder.mkdir()
    build_typing_tool(answers, labels, instrument=inst, random_state=0).to_yaml(folder / "typing_tool.yaml")
    return folder


def test_typing_tool_and_score_refusals_in_a_discovery_folder_light(tmp_path):
    disc = make_discovery_folder(tmp_path / "disc", k=3, n=300, seed=2, with_quotes=False)
    _tool_folder(tmp_path / "tool")
    (tmp_path / "answers.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    out, err = _probe("typing-tool", "tool", "--score", "answers.csv", "--out", "typed.csv", cwd=tmp_path)
    assert out == ["exit 2", "loaded pandas"], (out, err)  # the answers are read; no model stack
    assert err.startswith("error: answers.csv: the answers have no id column (respondent_id). Hint: "), err
    out, err = _probe("typing-tool", disc.name, "--min-answered", "3", cwd=tmp_path)
    assert out == ["exit 2", "loaded"], (out, err)  # solution.json read for k = 1 without pandas
    assert err.startswith("error: --min-answered only applies with --score."), err
    out, err = _probe("score", disc.name, "--customers", "missing.csv", "--out", "o.parquet", cwd=tmp_path)
    assert out == ["exit 2", "loaded"], (out, err)
    assert err.startswith("error: missing.csv: customer file not found."), err


def test_run_refuses_a_study_file_before_the_pipeline(tmp_path):
    (tmp_path / "bad.yaml").write_text("survey: s\nbogus: 1\n", encoding="utf-8")
    (tmp_path / "nosurvey.yaml").write_text("survey: nowhere\n", encoding="utf-8")
    (tmp_path / "sv.yaml").write_text("survey: s\nlang: sv\nseed: -1\n", encoding="utf-8")
    said = {}
    for name in ("bad", "nosurvey", "sv"):
        out, said[name] = _probe("run", f"{name}.yaml", cwd=tmp_path)
        assert out == ["exit 2", "loaded"], (name, out, said[name])
    assert said["bad"].startswith(f"error: {tmp_path / 'bad.yaml'}: unknown key(s) bogus. Hint: allowed keys: survey,")
    assert said["nosurvey"].startswith(f"error: {tmp_path / 'nosurvey.yaml'}, key 'survey': survey folder "
                                       f"{tmp_path / 'nowhere'} not found."), said["nosurvey"]
    assert said["sv"] == f"fel: {tmp_path / 'sv.yaml'}, nyckel 'seed': 'seed' ska vara ett heltal, minst 0 (värde -1)\n"


def test_check_refuses_an_instrument_before_the_pipeline(tmp_path):
    (tmp_path / "empty").mkdir()
    out, err = _probe("check", "empty", cwd=tmp_path)
    assert out == ["exit 2", "loaded"], (out, err)
    assert err.startswith("error: instrument.yaml: instrument file not found. Hint: looked for "), err
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "instrument.yaml").write_text("language: sv\nitems: []\nskala: 5\n", encoding="utf-8")
    (tmp_path / "s" / "responses.csv").write_text("respondent_id\n1\n", encoding="utf-8")
    out, err = _probe("check", "s", cwd=tmp_path)
    assert out == ["exit 2", "loaded"], (out, err)
    assert err.startswith("fel: ") and "instrument.yaml" in err and "\n" not in err.rstrip("\n"), err


def test_the_study_file_is_the_pipelines():
    from behaviortypes import pipeline, studyfile

    assert pipeline.StudyConfig is studyfile.StudyConfig
    assert pipeline.DEFAULT_RESAMPLES == studyfile.DEFAULT_RESAMPLES == 30
