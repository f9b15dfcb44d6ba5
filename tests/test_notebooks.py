"""The stage notebooks run top to bottom on a generated demo study (as `make lab` users run them)."""

import os
from pathlib import Path

import pandas as pd
import pytest

from behaviortypes.synth import make_study

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("[0-9][0-9]_*.py"))

pytestmark = pytest.mark.slow

#: figures each notebook must show (interviews: prevalence, co-occurrence, dendrogram; ...)
MIN_FIGURES = {"01": 3, "02": 1, "03": 2, "04": 5, "05": 1, "06": 1, "07": 1}


def _execute(stem_or_path):
    """Run one notebook (a path, or the stem's first two digits) as a kernel would; no cell may
    end in an error. Returns the executed notebook."""
    path = stem_or_path if isinstance(stem_or_path, Path) else next(
        p for p in NOTEBOOKS if p.stem.startswith(stem_or_path))
    import jupytext  # (nbformat's import takes ~1.5 CPU s: only in the worker that runs notebooks)
    from nbclient import NotebookClient

    nb = jupytext.read(path)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, f"{path.name}: {errors[0]['ename']}: {errors[0]['evalue']}"
    return nb


def _swedish_study(tmp_path, n):
    """The Swedish CSV study of tests/data/swedish (``n`` respondents) in ``tmp_path/kundstudie``."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "swedish_study", Path(__file__).parent / "data" / "swedish" / "study.py")
    sw = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sw)
    return sw.write_csv_study(tmp_path / "kundstudie", n=n)


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    root = tmp_path_factory.mktemp("nb")
    make_study(root / "demo", seed=0, n_customers=10_000)
    return root


def test_there_are_the_stage_notebooks():
    assert [p.stem[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05", "06", "07"]


def test_notebooks_run_in_order(study, monkeypatch):
    monkeypatch.setenv("BT_STUDY", str(study / "demo"))
    monkeypatch.setenv("BT_OUT", str(study / "demo" / "discovery"))
    monkeypatch.setenv("BT_REPORTS", str(study / "reports"))
    monkeypatch.setenv("BT_RESAMPLES", "10")
    monkeypatch.setenv("BT_SEED", "3")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    for path in NOTEBOOKS:
        nb = _execute(path)
        # no lists of respondent ids in what a notebook shows (the CFA's two halves)
        shown = [str(o.get("data", {}).get("text/plain", "")) + str(o.get("text", ""))
                 for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
        assert not any("holdout_index" in text or "explore_index" in text for text in shown), path.name
        images = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                  if "image/png" in o.get("data", {})]
        # the figures a strategist needs are shown as pictures, not as "<Figure ...>" text
        assert len(images) >= MIN_FIGURES[path.stem[:2]], f"{path.name}: {len(images)} figures shown"
    discovery = study / "demo" / "discovery"
    for name in ("screening.csv", "loadings.csv", "assignments.csv", "lookalike.skops"):
        assert (discovery / name).is_file(), name
    # notebook 05 honours BT_SEED as `lookalike --seed` does (it was fixed at 0; user trial 12)
    import json

    assert json.loads((discovery / "lookalike_card.json").read_text(encoding="utf-8"))["seed"] == 3
    assert list((study / "reports").glob("*.pdf"))


def test_notebooks_on_a_study_without_interviews_or_customers(tmp_path, monkeypatch):
    """BT_STUDY points the notebooks at another study; missing optional inputs are skipped
    with a sentence, not an error."""
    study = _swedish_study(tmp_path, n=200)
    monkeypatch.setenv("BT_STUDY", str(study))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    # (the notebooks' notes and the screening's summary speak the study's language, Swedish
    # here: "198 behållna"; the notes were English before session 13)
    for stem, note in (("01", "Inga kodade intervjuer i"), ("02", "behållna"), ("05", "Ingen kundbas i")):
        path = next(p for p in NOTEBOOKS if p.stem.startswith(stem))
        outputs = [o for c in _execute(path).cells if c.cell_type == "code" for o in c.get("outputs", [])]
        text = " ".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
        assert note in text, (path.name, text[:300])
        if stem == "02":  # the notebook states the screening the discovery folder holds
            kept = int(pd.read_csv(study / "discovery" / "screening.csv")["kept"].sum())
            assert f"{kept} behållna" in text and 190 <= kept < 200, (kept, text[:300])
    assert (study / "discovery" / "screening.csv").is_file()
    assert not (study / "discovery" / "themes").exists()


def test_factor_and_type_notebooks_take_their_parameters_from_the_environment(tmp_path, monkeypatch):
    """03 and 04 on another study, with the number of factors and types and seed from BT_*; the
    notes follow the study's language (Swedish) with no BT_LANG, as the command line does, and
    warnings are the command line's one line, not Python's ``file.py:NNN: Class:`` (user trial 12)."""
    import json

    study = _swedish_study(tmp_path, n=300)
    out = tmp_path / "analys"
    for key, value in {"BT_STUDY": study, "BT_OUT": out, "BT_FACTORS": 2, "BT_K": 2, "BT_SEED": 5,
                       "BT_RESAMPLES": 10, "MPLBACKEND": "Agg"}.items():
        monkeypatch.setenv(key, str(value))
    monkeypatch.delenv("BT_LANG", raising=False)
    for stem in ("03", "04"):
        nb = _execute(stem)
        text = " ".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                        for o in c.get("outputs", []) if o.get("output_type") == "stream")
        assert "Warning:" not in text and ".py:" not in text, (stem, text[:600])
        if stem == "03":
            assert "Faktorer: 2" in text and "Varför 2 faktorer" in text, text[:600]
        else:
            assert "Typer" in text and "Why" not in text and "types:" not in text, text[:600]
            # trial 24: the number of types came from BT_K, not from --k (FIX24B)
            assert "enligt BT_K (anteckningsbokens miljö)" in text and "--k" not in text, text[:900]
    solution = json.loads((out / "solution.json").read_text(encoding="utf-8"))
    assert solution["n_factors"] == 2 and solution["k"] == 2 and solution["k_set_with"] == "BT_K"
    assert json.loads((out / "factors.json").read_text(encoding="utf-8"))["n_factors"] == 2


def test_type_notebook_says_an_overlap_once(tmp_path, monkeypatch):
    """Notebook 04 on types that overlap (entropy 0.66 at k = 4): the discover cell says so once,
    in the summary's continuum box, not also as a warning (session 12)."""
    study = tmp_path / "fuzzy"
    make_study(study, n_respondents=600, n_customers=2000, separation=0.45)
    for key, value in {"BT_STUDY": study, "BT_OUT": tmp_path / "out", "BT_K": 4, "BT_RESAMPLES": 10,
                       "MPLBACKEND": "Agg"}.items():
        monkeypatch.setenv(key, str(value))
    nb = _execute("04")
    cell = next(c for c in nb.cells if c.cell_type == "code" and "pipeline.discover(" in c.source)
    said = " ".join(o.get("text", "") for o in cell.get("outputs", []))
    assert "Read with care: a continuum" in said
    assert said.lower().count("overlap") == 1, said


def test_type_notebook_says_where_the_number_of_factors_came_from(tmp_path, monkeypatch):
    """User trial 7: notebook 04 passed notebook 03's number of factors to discover as if the
    user had set it ("set by the user (3)"), and resampled 100 times where `discover` does
    30. Now 04 passes a number only when one was set (BT_FACTORS in 04, or in 03 as
    factors.json records it); else discover applies the rule and says why, and the
    stability comes from the CLI's 30 resamples."""
    import json

    study = _swedish_study(tmp_path, n=300)
    out = tmp_path / "analys"
    for key, value in {"BT_STUDY": study, "BT_OUT": out, "BT_K": 2, "MPLBACKEND": "Agg"}.items():
        monkeypatch.setenv(key, str(value))
    monkeypatch.delenv("BT_RESAMPLES", raising=False)

    def run(stem, factors=None):
        if factors is None:
            monkeypatch.delenv("BT_FACTORS", raising=False)
        else:
            monkeypatch.setenv("BT_FACTORS", str(factors))
        _execute(stem)
        return json.loads((out / ("factors.json" if stem == "03" else "solution.json")).read_text("utf-8"))

    chosen = run("03")["n_factors"]  # the rule's number, nobody set one
    solution = run("04")
    codes = [c["code"] for c in solution["factor_reason_code"]]
    assert solution["n_factors"] == chosen and "factor_reason_user" not in codes
    assert "set by the user" not in solution["factor_reason"]
    assert solution["n_resamples"] == 30  # as `behaviortypes discover`
    # a number set in notebook 03 is the user's, and 04 says so
    set_in_03 = 1 if chosen != 1 else 2
    assert run("03", factors=set_in_03)["n_factors"] == set_in_03
    solution = run("04")
    assert solution["n_factors"] == set_in_03
    assert solution["factor_reason_code"][0]["code"] == "factor_reason_user"


def test_interview_notebook_on_two_swedish_interviews_skips_proto_types(tmp_path, monkeypatch):
    """Trial 9: a real project of 2 sources stopped the notebook with a traceback in the
    proto-types cell; and a Swedish study got English caveats, axes and pseudonyms."""
    study = _swedish_study(tmp_path, n=200)
    (study / "interviews").mkdir()
    (study / "interviews" / "codes.csv").write_text(
        "deltagare;tema;citat\nSiv Lundqvist;pris;Jag jämför alltid priser.\n"
        "Märta Håkansson;snabbhet;Det ska gå fort.\nMärta Håkansson;pris;Billigt är bra.\n", encoding="utf-8")
    monkeypatch.setenv("BT_STUDY", str(study))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    outputs = [o for c in _execute("01").cells if c.cell_type == "code" for o in c.get("outputs", [])]
    text = " ".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "Inga prototyper" in text, text[:500]
    assert "Based on" not in text and "Participant" not in text
    themes = study / "discovery" / "themes"
    codings = (themes / "codings.csv").read_text(encoding="utf-8")
    assert "Deltagare " in codings and "Lundqvist" not in codings
    assert "splits participants" not in (themes / "splits.csv").read_text(encoding="utf-8")
