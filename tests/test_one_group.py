"""A survey with no behaviour types: discover calls it one group (k = 1), the report says
so, and every stage that needs types refuses the folder in one line (issue #13).

One null study (the demo's generator with ``separation=0``: every planted type has the
same centroid, so the respondents are one homogeneous population) is run once for the
module from a study file (discovery, report, then the refusal of the lookalike); that
run (about 20 s) is the module's only slow part.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from behaviortypes import pipeline, plots, study
from behaviortypes.cli import main
from behaviortypes.errors import BehaviortypesWarning, InputError, SurveyQualityWarning
from behaviortypes.profiles import ONE_GROUP_NAMES, profile_types
from behaviortypes.report import build_context, load_report_data, render_document, render_html
from behaviortypes.synth import make_study


@pytest.fixture(scope="module")
def null_study(tmp_path_factory):
    """``run`` on a study file for the null survey: discovery and report, then the refusal."""
    root = tmp_path_factory.mktemp("null")
    survey = root / "survey"
    make_study(survey, seed=1, n_respondents=400, n_customers=2000, n_interviews=4, separation=0.0,
               items_per_dimension=3, cross_loadings=())
    study_file = root / "study.yaml"
    study_file.write_text(f"survey: survey\nout: out\ncustomers: survey/customers.parquet\n"
                          f"resamples: 10\nmap: false\nreport: {{dir: reports}}\n")
    progress = []
    with pytest.warns(SurveyQualityWarning, match="No distinct types"):
        with pytest.raises(InputError) as refused:
            pipeline.run(study_file, progress=progress.append)
    return root, survey, str(refused.value), progress


def _listing(folder):
    return sorted((p.name, p.stat().st_mtime_ns) for p in folder.iterdir())


@pytest.mark.slow
def test_discover_calls_a_study_without_types_one_group(null_study):
    root, _, _, _ = null_study
    out = root / "out"
    sol = json.loads((out / "solution.json").read_text())
    assert sol["k"] == 1 and sol["k_method"] == "one_group"
    assert sol["k_reason_code"][0]["code"] == "k_reason_one_group"
    assert "one group (k=1) is reported" in sol["structure_warning"]
    assert list(sol["sizes"]) == ["1"] and sol["sizes"]["1"]["share"] == 1.0
    # the typing tool is skipped, with the reason, and no typing_tool.yaml is written
    assert sol["typing_tool"]["skipped"] == "one_group"
    assert "nothing for golden questions to tell apart" in sol["typing_tool"]["error"]
    assert not (out / "typing_tool.yaml").exists()
    # every kept respondent is in the one group, named as a group, not as a persona
    folder = study.load(out)
    a = folder.table("assignments.csv")
    assert len(a) == sol["n_kept"] and set(a["type_id"]) == {1}
    assert np.allclose(a["probability"], 1.0)
    assert folder.type_names == {1: ONE_GROUP_NAMES["en"][0]}
    assert len(folder.table("scores.csv")) == sol["n_kept"]
    ev = folder.table("evidence_k.csv")
    assert ev["k"].iloc[0] == 1 and ev["k"].is_monotonic_increasing and len(ev) > 1
    assert ev.loc[0, "note"] == "one homogeneous group (no types)" and np.isnan(ev.loc[0, "entropy"])
    assert bool(ev.loc[0, "chosen"]) and ev.loc[0, "bic_best"] < ev.loc[1:, "bic_best"].min()


@pytest.mark.slow
@pytest.mark.parametrize("args, stage", [
    (["lookalike", "{out}", "--customers", "{survey}/customers.parquet"], "the lookalike model"),
    (["score", "{out}", "--customers", "{survey}/customers.parquet", "--out", "{root}/scored.parquet"],
     "scoring the customer base"),
    (["score", "{out}/lookalike.skops", "--customers", "{survey}/customers.parquet", "--out", "{root}/scored.parquet"],
     "scoring the customer base"),  # the model file a folder with types would hold
    (["typing-tool", "{out}"], "the typing tool"),
    (["typing-tool", "{out}/typing_tool.yaml"], "the typing tool"),
    (["typing-tool", "{out}", "--score", "{survey}/responses.csv", "--out", "{root}/typed.csv"],
     "the typing tool"),
    (["profile", "{out}"], "profiles by type"),
])
def test_stages_that_need_types_refuse_in_one_line(null_study, capsys, args, stage):
    root, survey, _, _ = null_study
    out = root / "out"
    before, before_root = _listing(out), _listing(root)
    argv = [a.format(out=out, survey=survey, root=root) for a in args]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert str(out) in err and "one homogeneous group, k = 1" in err and stage in err
    assert f"discover {survey} --out {out} --k 2" in err
    assert _listing(out) == before and _listing(root) == before_root  # nothing written


@pytest.mark.slow
def test_run_writes_discovery_and_report_then_refuses_the_rest(null_study):
    root, _, message, progress = null_study
    out = root / "out"
    assert len(message.splitlines()) == 1 and str(root / "study.yaml") in message and "k = 1" in message
    assert "lookalike model and scoring did not run" in message and "k: 2" in message
    assert json.loads((out / "solution.json").read_text())["k"] == 1
    assert [p.suffix for p in (root / "reports").iterdir()] == [".pdf"]
    assert progress[-1] == "Rendering the report" and "Training the lookalike model" not in progress
    assert not (out / "lookalike.skops").exists() and not (out / "scored_customers.parquet").exists()


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "sv"])
def test_report_says_no_types_were_found(null_study, lang):
    root, _, _, _ = null_study
    data = load_report_data(root / "out")
    ctx = build_context(data, lang)
    assert ctx["personas"] == [] and ctx["differences"] is None
    assert "differences" not in ctx["sections"] and not any(s.startswith("type-") for s in ctx["sections"])
    one = ctx["overview"]["one_group"]
    assert one["title"] == ctx["t"]["one_group_title"] and "--k 2" in one["hint"]
    assert ("BIC" in one["reason"]) and ("homogeneous" in one["reason"] or "enhetlig" in one["reason"])
    lpa = ctx["appendix"]["k"]["lpa"]
    assert lpa[0]["k_label"] == f"1 ({ctx['t']['lpa_one_group']})" and lpa[0]["chosen"]
    assert lpa[0]["entropy"] == lpa[0]["jaccard"] == lpa[0]["blrt"] == ""
    assert lpa[0]["bic"] != "–" and lpa[0]["n_min"] != "–"
    doc = render_document(data, lang)
    assert doc.n_pages == len(ctx["sections"])  # one page per section: nothing overflowed
    assert list(doc.section_pages)[0] == "overview" and "sec-differences" not in doc.html
    assert ctx["t"]["one_group_title"] in doc.html
    assert ctx["t"]["persona_of"].split("{")[0] not in doc.html


def test_refuse_one_group_leaves_folders_with_types_alone(tmp_path):
    # no solution.json: nothing to judge (the stage's own checks say what is missing)
    study.refuse_one_group(tmp_path, "the typing tool")
    study.refuse_one_group(tmp_path / "lookalike.skops", "scoring the customer base")


@pytest.mark.slow
def test_refuse_one_group_names_folder_and_hint(null_study):
    root, survey, _, _ = null_study
    with pytest.raises(InputError, match=r"one homogeneous group, k = 1\), so there are no types for X"):
        study.refuse_one_group(root / "out", "X")
    with pytest.raises(InputError, match=r"--k 2"):
        study.refuse_one_group(study.load(root / "out"), "X")
    with pytest.raises(InputError, match=str(survey)):
        pipeline.lookalike(root / "out", survey / "customers.parquet")


def test_profile_types_names_one_group_as_a_group_not_a_persona():
    rng = np.random.default_rng(0)
    idx = pd.Index([f"r{i}" for i in range(60)], name="respondent_id")
    scores = pd.DataFrame(rng.normal(size=(60, 2)) + [3.0, 0.0], index=idx, columns=["F1", "F2"])
    items = pd.DataFrame(rng.integers(1, 6, size=(60, 3)), index=idx, columns=["q1", "q2", "q3"])
    one = profile_types(items, scores, pd.Series(1, index=idx), factor_names={"F1": "price focus"}, lang="sv")
    assert one.names.loc[1, "name"] == ONE_GROUP_NAMES["sv"][0]
    assert np.allclose(one.table["diff"], 0.0)  # the group is everyone: no difference from average
    two = profile_types(items, scores, pd.Series(np.r_[np.ones(30), np.full(30, 2)].astype(int), index=idx),
                        factor_names={"F1": "price focus"}, lang="en")
    assert ONE_GROUP_NAMES["en"][0] not in set(two.names["name"])


def _evidence(with_resamples: bool) -> pd.DataFrame:
    k = np.arange(1, 7)
    jac = [np.nan, 0.9, 0.85, 0.6, 0.5, 0.4] if with_resamples else [np.nan] * 6
    return pd.DataFrame({"k": k, "bic_best": [1000.0, 950, 940, 945, 960, 980],
                         "jaccard_min": jac, "prediction_strength": jac,
                         "silhouette": [np.nan, 0.3, 0.25, 0.2, 0.15, 0.1]})


@pytest.mark.parametrize("with_resamples, n_panels", [(True, 4), (False, 2)])
def test_k_evidence_plot_shows_k1_as_one_group(with_resamples, n_panels):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no all-NaN or empty-axis warnings
        fig = plots.plot_k_evidence(_evidence(with_resamples), chosen_k=3, labels={"one_group": "en grupp"})
    assert len(fig.axes) == n_panels  # panels blank at every k are left out
    for ax in fig.axes:
        assert ax.get_xlim() == (0.5, 6.5)  # one k axis for every panel, k = 1 included
    bic = next(a for a in fig.axes if "BIC" in a.get_title())
    assert [t.get_text() for t in bic.texts] == ["en grupp"]
    assert all(not a.texts for a in fig.axes if a is not bic)  # k = 1 has only a BIC


@pytest.mark.slow
def test_report_exports_for_one_group_have_no_persona_cards(null_study, tmp_path):
    root, _, _, _ = null_study
    from pptx import Presentation

    with pytest.warns(BehaviortypesWarning, match="no persona cards written"):
        files = pipeline.report(root / "out", lang="sv", formats=("pdf", "pptx", "png"), out_dir=tmp_path).files
    assert sorted(p.suffix for p in files) == [".pdf", ".pptx"]  # no persona, no card
    deck = Presentation(str(next(p for p in files if p.suffix == ".pptx")))
    texts = [sh.text_frame.text for s in deck.slides for sh in s.shapes if sh.has_text_frame]
    assert len(deck.slides) == 2 and "Inga tydliga beteendetyper hittades" in texts


@pytest.mark.slow
def test_report_png_on_one_group_says_why_in_one_line(null_study, tmp_path, capsys):
    root, survey, _, _ = null_study
    out = root / "out"
    # a card of an earlier run with types (ours) is stale now; a user's file of that name is not ours
    cards = tmp_path / "cards_sv"
    cards.mkdir()
    (cards / "type_1.png").write_text("the user's own picture")
    argv = ["report", str(out), "--pdf", str(tmp_path / "one_group.pdf"), "--lang", "sv", "--png", "--pptx"]
    with pytest.warns(BehaviortypesWarning) as said:  # the CLI prints it as one line "warning: ..."
        assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and len(said) == 1
    line = str(said[0].message)
    assert "\n" not in line and line.startswith(f"no persona cards written for {out}:")
    assert "k = 1" in line and f"discover {survey} --out {out} --k 2" in line
    assert captured.out.count("Skrev ") == 2  # --lang sv: the CLI's lines in Swedish too
    assert sorted(p.name for p in tmp_path.iterdir()) == ["behaviour_types_sv.pptx", "cards_sv", "one_group.pdf"]
    assert [p.name for p in cards.iterdir()] == ["type_1.png"]
    assert (cards / "type_1.png").read_text() == "the user's own picture"  # not in the way, left alone
    # the deck (made) needs no such line; a folder with types gets no warning (see test_report.py)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pipeline.report(out, lang="en", formats=("pdf", "pptx"), out_dir=tmp_path)


@pytest.mark.slow
def test_report_pdf_option_must_name_a_pdf_file(null_study, tmp_path, capsys):
    root, _, _, _ = null_study
    for given, expected in ((tmp_path / "report.txt", "must end in .pdf"),
                            (tmp_path / "report", "must end in .pdf"),
                            (tmp_path, "a folder was given")):
        assert main(["report", str(root / "out"), "--pdf", str(given)]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and expected in err and "Hint: name" in err, err
    assert main(["report", str(root / "out" / "solution.json")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"behaviortypes report {root / 'out'}" in err
    assert main(["report", str(root / "no_such_folder")]) == 2
    assert "discovery folder not found" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.slow
def test_one_group_name_follows_the_report_language_unless_the_user_wrote_it(null_study, tmp_path):
    import shutil

    import yaml

    root, _, _, _ = null_study
    out = shutil.copytree(root / "out", tmp_path / "out")
    assert study.load(out).type_names == {1: ONE_GROUP_NAMES["en"][0]}  # an English instrument
    # the study ran without the map (map: false); a map is where the report shows the name
    a = study.load(out).table("assignments.csv")
    rng = np.random.default_rng(0)
    pd.DataFrame({"respondent_id": a["respondent_id"], "x": rng.normal(size=len(a)), "y": rng.normal(size=len(a)),
                  "type_id": a["type_id"]}).to_csv(out / "umap.csv", index=False)
    data = load_report_data(out)
    for lang in ("en", "sv"):
        ctx = build_context(data, lang)
        assert ctx["overview"]["table"][0]["name"] == ONE_GROUP_NAMES[lang][0]
        assert ctx["overview"]["table"][0]["tagline"] == ONE_GROUP_NAMES[lang][1]
        html = render_html(data, lang, context=ctx)
        assert ctx["overview"]["umap_svg"] and ONE_GROUP_NAMES[lang][0].split()[0] in html  # the map's label
        assert ONE_GROUP_NAMES["sv" if lang == "en" else "en"][0].split()[0] not in html
    # a name the user wrote in types.yaml is theirs: shown as written in every language
    doc = yaml.safe_load((out / "types.yaml").read_text(encoding="utf-8"))
    doc["types"][0]["name"] = "Hela kundbasen"
    (out / "types.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    for lang in ("en", "sv"):
        row = build_context(load_report_data(out), lang)["overview"]["table"][0]
        assert row["name"] == "Hela kundbasen" and row["tagline"] == ONE_GROUP_NAMES[lang][1]


@pytest.mark.slow
def test_screening_table_lists_reasons_only_and_notes_marked_styles(null_study):
    root, _, _, _ = null_study
    data = load_report_data(root / "out")
    marked = {r: c for r, c in data.screening_reasons.items() if r.endswith("_kept")}
    assert sum(marked.values()) > 0  # the null survey has respondents with a marked style
    for lang in ("en", "sv"):
        quality = build_context(data, lang)["appendix"]["quality"]
        shown = {r["reason"].lower() for r in quality["reasons"]}
        assert shown and not any("kept" in r for r in shown)  # kept respondents are not screened out
        assert quality["styles_note"].count(str(marked["acquiescent_kept"])) >= 1


@pytest.mark.slow
def test_notebooks_05_to_07_say_no_types_were_found(null_study, tmp_path, monkeypatch):
    import jupytext
    from nbclient import NotebookClient

    root, survey, _, _ = null_study
    for key, value in {"BT_STUDY": survey, "BT_OUT": root / "out", "BT_REPORTS": tmp_path,
                       "BT_LANGS": "sv", "MPLBACKEND": "Agg"}.items():  # BT_LANGS: the older name
        monkeypatch.setenv(key, str(value))
    monkeypatch.delenv("BT_LANG", raising=False)
    notebooks = Path(__file__).parents[1] / "notebooks"
    for name in ("05_lookalike_scoring.py", "06_report.py", "07_who_they_are.py"):
        nb = jupytext.read(notebooks / name)
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(notebooks)}}).execute()
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
        errors = [o for o in outputs if o.get("output_type") == "error"]
        assert not errors, f"{name}: {errors[0]['ename']}: {errors[0]['evalue']}"
        text = " ".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
        # the notes speak the study's language (English), 06's the one report language asked for
        # (BT_LANGS=sv; session 13: notebooks' notes in the study's or the asked language)
        said = "inga tydliga typer hittades i" if name.startswith("06") else "no distinct types were found in"
        assert said in text.lower() and "K = 2" in text, (name, text[:400])
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".pdf"] == ["behaviour_types_sv.pdf"]
    assert not (root / "out" / "lookalike.skops").exists() and not (root / "out" / "banner.csv").exists()


def test_discover_in_swedish_says_no_types_in_swedish(null_study, tmp_path):
    """The engine's own warning ("No distinct types: ...") was English in a Swedish run
    (session 12); it carries its sentence as a code the command line says in its language."""
    import subprocess
    import sys

    _, survey, _, _ = null_study
    said = subprocess.run([sys.executable, "-m", "behaviortypes.cli", "discover", str(survey),
                           "--out", str(tmp_path / "out"), "--resamples", "10", "--no-map",
                           "--lang", "sv"], capture_output=True, text=True, timeout=600)
    text = said.stdout + said.stderr
    assert said.returncode == 0, text
    assert "Inga skilda typer: en enda enhetlig grupp passar data" in text
    assert "No distinct types" not in text and "homogeneous group" not in text


def test_report_png_on_one_group_says_why_in_swedish(null_study, tmp_path):
    """The line of the test above was English after "varning:" in a Swedish report before
    session 16; it carries its sentence as a code the command line says in its language."""
    import subprocess
    import sys

    root, survey, _, _ = null_study
    out = root / "out"
    said = subprocess.run([sys.executable, "-m", "behaviortypes.cli", "report", str(out), "--pdf",
                           str(tmp_path / "en_grupp.pdf"), "--lang", "sv", "--png"],
                          capture_output=True, text=True, timeout=600)
    assert said.returncode == 0, said.stderr
    assert said.stderr.strip().splitlines() == [
        f"varning: inga personakort skrevs för {out}: analysen hittade inga distinkta typer (en enhetlig grupp, "
        "k = 1), så det finns inga personor att sätta på kort (rapportens första sida säger varför). För att ändå "
        f"beskriva undergrupper, kör `behaviortypes discover {survey} --out {out} --k 2` (eller fler) igen: "
        "beskrivande grupper snarare än verkliga segment"]
