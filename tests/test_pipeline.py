"""The whole pipeline on generated studies: planted types recovered, contracts kept, re-runs stable."""

import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.metrics import adjusted_rand_score

from behaviortypes import pipeline, study
from behaviortypes.errors import InputError
from behaviortypes.synth import make_study

pytestmark = pytest.mark.filterwarnings("ignore::behaviortypes.errors.SurveyQualityWarning")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    survey, truth = root / "survey", root / "truth"
    make_study(survey, seed=0, n_customers=20_000, truth_dir=truth)
    result = pipeline.discover(survey, root / "out", seed=0, n_resamples=10)
    return root, survey, truth, result


def test_planted_types_recovered_with_automatic_k(demo_run):
    root, survey, truth, result = demo_run
    true = pd.read_csv(truth / "respondents.csv", dtype={"respondent_id": str}).set_index("respondent_id")
    assign = pd.read_csv(root / "out" / "assignments.csv", dtype={"respondent_id": str}).set_index("respondent_id")
    good = true.index[true["flaw"] == "none"].intersection(assign.index)
    assert len(good) > 0.8 * (true["flaw"] == "none").sum()
    assert result.solution["k"] == true["type"].nunique()
    ari = adjusted_rand_score(true.loc[good, "type"], assign.loc[good, "type_id"])
    assert ari >= 0.8, f"ARI {ari:.3f}"


def test_contract_files_have_documented_columns(demo_run):
    root, survey, truth, result = demo_run
    out = root / "out"
    assign = pd.read_csv(out / "assignments.csv")
    assert list(assign.columns) == ["respondent_id", "type_id", "type_name", "probability"]
    assert assign["probability"].between(0, 1).all()
    screening = pd.read_csv(out / "screening.csv")
    assert list(screening.columns[:3]) == ["respondent_id", "kept", "reasons"]
    responses = pd.read_csv(survey / "responses.csv")
    assert len(screening) == len(responses)
    assert screening["kept"].sum() == len(assign)
    assert (screening.loc[~screening["kept"], "reasons"].fillna("") != "").all()
    solution = json.loads((out / "solution.json").read_text())
    for key in ("n_factors", "k", "factor_evidence", "k_evidence", "k_reason", "sizes"):
        assert key in solution
    assert len(solution["sizes"]) == solution["k"]
    assert sum(s["share"] for s in solution["sizes"].values()) == pytest.approx(1.0)
    loadings = pd.read_csv(out / "loadings.csv")
    assert loadings.columns[0] == "item"
    assert list(loadings.columns[1:]) == [f"F{i}" for i in range(1, solution["n_factors"] + 1)]
    types = yaml.safe_load((out / "types.yaml").read_text())["types"]
    assert sorted(t["type_id"] for t in types) == list(range(1, solution["k"] + 1))
    assert {t["name"] for t in types} == set(assign["type_name"])
    source = json.loads((out / "source.json").read_text())
    assert len(source["checksum"]) == 64


def test_rerun_is_identical_and_keeps_edits(demo_run, tmp_path):
    root, survey, truth, result = demo_run
    out = tmp_path / "again"
    shutil.copytree(root / "out", out)
    doc = yaml.safe_load((out / "types.yaml").read_text())
    doc["types"][0]["name"] = "Edited by the strategist"
    (out / "types.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    again = pipeline.discover(survey, out, seed=0, n_resamples=10, make_map=False, reuse=result)
    assert again.factors is result.factors and again.type_finder is result.type_finder  # not re-run
    # the typing tool is not rebuilt either: same weights, the edited name
    assert again.typing_tool.tool.weights_ is result.typing_tool.tool.weights_
    edited_id = int(doc["types"][0]["type_id"])
    assert again.typing_tool.tool.type_names_[edited_id] == "Edited by the strategist"
    assert result.typing_tool.tool.type_names_[edited_id] != "Edited by the strategist"
    tool_doc = yaml.safe_load((out / "typing_tool.yaml").read_text())
    assert {t["type_id"]: t["name"] for t in tool_doc["types"]}[edited_id] == "Edited by the strategist"
    first_doc = yaml.safe_load((root / "out" / "typing_tool.yaml").read_text())
    for t in first_doc["types"]:
        t["name"] = "Edited by the strategist" if t["type_id"] == edited_id else t["name"]
    assert tool_doc == first_doc  # the same tool as built the first time, renamed
    first = pd.read_csv(root / "out" / "assignments.csv")
    second = pd.read_csv(out / "assignments.csv")
    assert (first["type_id"] == second["type_id"]).all()
    np.testing.assert_allclose(first["probability"], second["probability"])
    types = yaml.safe_load((out / "types.yaml").read_text())["types"]
    assert types[0]["name"] == "Edited by the strategist"
    assert (second.loc[second["type_id"] == types[0]["type_id"], "type_name"] == "Edited by the strategist").all()


def test_folder_carries_the_retention_reason_and_the_typing_tool(demo_run):
    """factor_reason is the reason the retention evidence gives, not a generic label."""
    root, survey, truth, result = demo_run
    folder = study.load(root / "out")
    chosen = [r for r in folder.solution.factor_evidence if r["chosen"]]
    assert [r["n_factors"] for r in chosen] == [folder.solution.n_factors]
    assert folder.solution.factor_reason == chosen[0]["reason"] == folder.factors.retention.reason
    assert folder.solution.factor_reason.startswith("parallel analysis as in R psych")
    assert result.solution["factor_reason"] in result.summary()
    # the typing tool is built at discovery from the survey alone
    tool = folder.solution.typing_tool
    assert (root / "out" / tool["file"]).is_file() and tool["agreement"] >= 0.85, tool
    assert folder.typing_tool["items"] and len(tool["items"]) == len(folder.typing_tool["items"])


def test_discover_on_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="instrument"):
        pipeline.discover(tmp_path, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_new_wave_keeps_type_identities(demo_run, tmp_path):
    """Changed data (a new wave): types are matched to the previous run, so ids and edits follow."""
    root, survey, truth, result = demo_run
    wave = tmp_path / "wave2"
    shutil.copytree(survey, wave)
    responses = pd.read_csv(wave / "responses.csv", dtype=str)
    responses.sample(frac=0.85, random_state=7).to_csv(wave / "responses.csv", index=False)
    out = tmp_path / "out"
    shutil.copytree(root / "out", out)
    doc = yaml.safe_load((out / "types.yaml").read_text())
    edited = doc["types"][-1]
    edited["name"] = "Renamed by the strategist"
    (out / "types.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    pipeline.discover(wave, out, seed=5, n_resamples=10, make_map=False)
    first = pd.read_csv(root / "out" / "assignments.csv", dtype={"respondent_id": str}).set_index("respondent_id")
    second = pd.read_csv(out / "assignments.csv", dtype={"respondent_id": str}).set_index("respondent_id")
    common = first.index.intersection(second.index)
    agreement = (first.loc[common, "type_id"] == second.loc[common, "type_id"]).mean()
    assert agreement > 0.9, agreement
    renamed = second[second["type_name"] == "Renamed by the strategist"]
    assert len(renamed) and (renamed["type_id"] == edited["type_id"]).all()


def test_out_that_is_a_file_and_broken_types_yaml_fail_early(demo_run, tmp_path):
    root, survey, truth, result = demo_run
    afile = tmp_path / "afile"
    afile.write_text("x")
    with pytest.raises(InputError, match="must be a folder"):
        pipeline.discover(survey, afile)
    out = tmp_path / "out"
    out.mkdir()
    (out / "types.yaml").write_text("types:\n  - {type_id: 1, name: a}\n  - {type_id: 1, name: b}\n")
    with pytest.raises(InputError, match="listed more than once"):
        pipeline.discover(survey, out)


def test_check_when_everyone_is_screened_out(demo_run, tmp_path):
    root, survey, truth, result = demo_run
    strict = tmp_path / "strict"
    shutil.copytree(survey, strict, ignore=shutil.ignore_patterns("customers.parquet"))
    inst = yaml.safe_load((strict / "instrument.yaml").read_text())
    inst["quality"] = {"min_irv": 99.0}
    (strict / "instrument.yaml").write_text(yaml.safe_dump(inst, sort_keys=False))
    with pytest.raises(InputError, match=r"only 0 of 1200 respondents are left after screening"):
        pipeline.check(strict)


def test_map_drawn_beside_the_types_engine_is_the_map_alone(demo_run):
    """discover draws the map in a thread while the types engine runs: the same map (same
    seed) as drawn on its own, with each respondent's type."""
    from behaviortypes.profiles import type_map

    root, survey, truth, result = demo_run
    written = pd.read_csv(root / "out" / "umap.csv", dtype={"respondent_id": str}).set_index("respondent_id")
    alone = type_map(result.factors.scores, random_state=0)
    np.testing.assert_allclose(written[["x", "y"]].to_numpy(), alone.loc[written.index].to_numpy(), atol=1e-5)
    assign = pd.read_csv(root / "out" / "assignments.csv", dtype={"respondent_id": str}).set_index("respondent_id")
    assert written["type_id"].equals(assign.loc[written.index, "type_id"])


def test_rerun_removes_files_of_the_old_types(demo_run, tmp_path):
    root, survey, truth, result = demo_run
    out = tmp_path / "out"
    shutil.copytree(root / "out", out)
    study.claim(out, ["lookalike_card.json"])  # a card of the old types, as `lookalike` records it
    (out / "lookalike_card.json").write_text("{}")
    assert (out / "umap.csv").is_file()
    pipeline.discover(survey, out, seed=0, n_resamples=10, make_map=False, reuse=result)
    assert not (out / "lookalike_card.json").exists()
    assert not (out / "umap.csv").exists()  # --no-map: the old map no longer matches


def test_changed_factors_start_types_yaml_afresh(demo_run, tmp_path):
    from behaviortypes.errors import BehaviortypesWarning

    root, survey, truth, result = demo_run
    out = tmp_path / "out"
    shutil.copytree(root / "out", out)
    doc = yaml.safe_load((out / "types.yaml").read_text())
    doc["types"][0]["name"] = "Edited by the strategist"
    (out / "types.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.warns(BehaviortypesWarning, match="factors changed"):
        again = pipeline.discover(survey, out, factors=3, k=4, seed=0, n_resamples=5, make_map=False,
                                  reuse=result)  # other settings: nothing is reused
    assert again.factors is not result.factors and again.solution["n_factors"] == 3
    names = {t["name"] for t in yaml.safe_load((out / "types.yaml").read_text())["types"]}
    assert "Edited by the strategist" not in names


@pytest.mark.parametrize("text, message", [
    ("survey: x\nseed: seven\n", "'seed' must be a whole number"),
    ("survey: x\nk: 1\n", "'k' must be a whole number of at least 2"),
    ("survey: x\nreport: {langs: [de]}\n", "'report.langs' must be one or more of en, sv"),
    ("survey: x\nengine: spark\n", "'engine' must be one or more of local, dask"),
    ("survey: x\nreport: {fmt: pdf}\n", "'report' takes langs, formats and dir"),
    ("survey: [x\n", "malformed YAML"),
    ("survey: x\nexclude: {a: 1}\n", "'exclude' must be a column name or a list of them"),
])
def test_study_file_errors(tmp_path, text, message):
    path = tmp_path / "study.yaml"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        pipeline.StudyConfig.load(path)
    langs = pipeline.StudyConfig.load(_write(tmp_path, "survey: x\nreport: {langs: sv}\n")).langs
    assert langs == ("sv",)
    # session 15 review: the study file names the columns the lookalike never uses, as --exclude
    assert pipeline.StudyConfig.load(_write(tmp_path, "survey: x\nexclude: postnummer\n")).exclude == ("postnummer",)
    assert pipeline.StudyConfig.load(_write(tmp_path, "survey: x\nexclude: [a, b]\n")).exclude == ("a", "b")


def _write(folder, text):
    path = folder / "ok.yaml"
    path.write_text(text)
    return path


def test_qdpx_types_blank_and_repeated_participants(tmp_path):
    table = tmp_path / "p.csv"
    table.write_text("participant_id,type_name\nP01,The explorer\nP02,\n")
    with pytest.raises(InputError, match=r"row 2: a participant has no type"):
        pipeline.interview_types(tmp_path / "x.qdpx", table, tmp_path / "y.qdpx")
    table.write_text("participant_id,type_name\nP01,The explorer\nP01,The explorer\n")
    with pytest.raises(InputError, match=r"rows 1, 2: participant ids must be given once each"):
        pipeline.interview_types(tmp_path / "x.qdpx", table, tmp_path / "y.qdpx")


def test_check_reports_reliability_per_theme(demo_run):
    from behaviortypes.factors import cronbach_alpha
    from behaviortypes.readers import keyed_items

    root, survey, truth, result = demo_run
    checked = pipeline.check(survey)
    themes = pd.Series(checked.survey.instrument.item_themes)
    assert set(checked.reliability.index) == set(themes.value_counts()[lambda c: c >= 2].index)
    kept = checked.survey.responses.loc[checked.screening.kept_ids]
    items = list(themes[themes == "price_focus"].index)
    alpha = cronbach_alpha(keyed_items(kept, checked.survey.instrument)[items].dropna())
    assert checked.reliability.loc["price_focus", "alpha"] == pytest.approx(float(alpha["alpha"].iloc[0]), abs=0.01)


def test_previous_centroids_follow_reordered_and_flipped_factors():
    """Tucker's φ pairs factors across runs: order and sign may change, types still match."""
    from behaviortypes.segments.matching import centroids_in_new_factors, tucker_congruence

    items = [f"s{i}" for i in range(1, 7)]
    old = pd.DataFrame({"F1": [.8, .7, .6, 0, .1, 0], "F2": [0, .1, 0, .7, .8, .6]}, index=items)
    new = pd.DataFrame({"F1": -old["F2"], "F2": old["F1"]}, index=items)  # swapped, F1 flipped
    phi = tucker_congruence(new, old)
    assert phi.loc["F1", "F2"] == pytest.approx(-1.0) and phi.loc["F2", "F1"] == pytest.approx(1.0)
    a = old["F1"].to_numpy()
    b = old["F2"].to_numpy()
    assert phi.loc["F2", "F2"] == pytest.approx(a @ b / np.sqrt((a @ a) * (b @ b)))
    centroids = pd.DataFrame({"F1": [1.0, -1.0], "F2": [0.5, -0.5]}, index=pd.Index([1, 2], name="type_id"))
    mapped = centroids_in_new_factors(old, centroids, new)
    assert mapped["F1"].tolist() == [-0.5, 0.5] and mapped["F2"].tolist() == [1.0, -1.0]
    other = new.copy()
    other.loc["s4", "F1"] = 0.9  # a factor changed its meaning: below φ = .90, not comparable
    other.loc[["s1", "s2"], "F1"] = 0.6
    assert centroids_in_new_factors(old, centroids, other) is None


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """``run`` on a small generated study (descriptors, outcomes, a customer base), HTML only."""
    root = tmp_path_factory.mktemp("run")
    make_study(root / "survey", seed=5, n_respondents=400, n_customers=1500)
    cfg = pipeline.StudyConfig(survey=root / "survey", out=root / "out", seed=0, k=5,
                               customers=root / "survey" / "customers.parquet",
                               scored=root / "out" / "scored.parquet", exclude=("newsletter_clicks_90d",),
                               langs=("en", "sv"), formats=("html",), report_dir=root / "reports")
    return root, cfg, pipeline.run(cfg)


def test_run_leaves_out_the_columns_the_study_file_excludes(small_run):
    """Session 15 review: `run` had no way to exclude a customer column, though the warning
    about personal data tells users to use --exclude."""
    import json

    root, cfg, results = small_run
    card = json.loads((cfg.out / "lookalike_card.json").read_text())
    used = json.dumps(card.get("features") or card)
    assert "newsletter_clicks_90d" not in used and "visits_90d" in used


def test_run_profiles_the_types_and_the_report_says_who_they_are(small_run):
    from behaviortypes.describe import load_profile

    root, cfg, results = small_run
    assert "profile" in results and (cfg.out / "banner.csv").is_file()
    prof = load_profile(cfg.out)
    assert prof is not None and set(prof.banner["type_id"]) == set(results["discovery"].assignments["type_id"])
    for lang, title in (("en", "Who they are"), ("sv", "Vilka de är")):
        html = (root / "reports" / f"behaviour_types_{lang}.html").read_text(encoding="utf-8")
        personas = html.split('id="sec-type-')[1:]
        assert personas and all(f"<h2>{title}</h2>" in p.split("</section>")[0] for p in personas)
        assert html.count('id="sec-banner"') == 1
        # the banner page has one table per descriptor, with the suppression mark of small cells
        banner = html.split('id="sec-banner"')[1].split("</section>")[0]
        assert banner.count("<table>") == prof.banner["variable"].nunique()
        if prof.banner["share"].isna().any():
            assert "<td class=\"\">*</td>" in banner


def test_run_writes_base_share_intervals_and_the_report_states_them(small_run):
    root, cfg, results = small_run
    card = json.loads((cfg.out / "lookalike_card.json").read_text())
    base = study.load(cfg.out).base_shares
    ids = sorted(base.shares)
    assert ids and sorted(base.ci_low) == sorted(base.ci_high) == ids
    for row in card["shares"]:
        t = int(row["type_id"])
        assert base.ci_low[t] == pytest.approx(row["corrected_ci_low"])
        assert base.ci_high[t] == pytest.approx(row["corrected_ci_high"])
        assert base.ci_low[t] <= row["corrected_share"] <= base.ci_high[t]
    html = (root / "reports" / "behaviour_types_en.html").read_text(encoding="utf-8")
    text = re.sub(r"base64,[^\"']*", "", html)  # "KI" can occur in an embedded image
    assert text.count("95% CI") >= len(ids) and "KI" not in text


@pytest.mark.slow
@pytest.mark.parametrize("acq_rate", [0.0, 0.25])
def test_discover_decides_on_response_styles_and_says_so(tmp_path, acq_rate):
    """Planted acquiescence (25 % of respondents) is corrected before factoring; none is not."""
    from test_quality import styled

    from behaviortypes.report import build_context, load_report_data

    items, inst, truth, _ = styled(0, n=800, acq_rate=acq_rate, acq_shift=0.8)
    survey = tmp_path / "survey"
    survey.mkdir()
    items.rename_axis("id").reset_index().to_csv(survey / "responses.csv", index=False)
    (survey / "instrument.yaml").write_text(yaml.safe_dump(inst.to_dict()))
    res = pipeline.discover(survey, tmp_path / "out", factors=4, k=3, seed=0, n_resamples=5, make_map=False)
    block = json.loads((tmp_path / "out" / "solution.json").read_text())["response_styles"]
    assert block["corrected"] is (acq_rate > 0), block["reason"]
    assert block["reason"] and res.factors.styles.summary() in res.summary()
    assert ("no correction" in res.summary()) is (acq_rate == 0)
    # factors (and so types) on the corrected answers: the style no longer rides on the scores
    acq = truth["acq"].reindex(res.factors.scores.index)
    if acq_rate:
        assert res.factors.scores.corrwith(acq).abs().max() < 0.15
    # the profiles stay on the answers as given
    prof = pd.read_csv(tmp_path / "out" / "profiles.csv")
    overall = prof[prof["kind"] == "item"].groupby("key")["overall"].first()
    kept = items.loc[res.screen.kept_ids.astype(items.index.dtype), overall.index]
    np.testing.assert_allclose(overall.to_numpy(), kept.mean().to_numpy(), atol=1e-6)
    data = load_report_data(tmp_path / "out")
    en = build_context(data, "en")["appendix"]["measurement"]["styles"]
    sv = build_context(data, "sv")["appendix"]["measurement"]["styles"]
    if acq_rate:
        assert en.startswith("Response styles: the answers were corrected") and "korrigerades" in sv
    else:
        assert en.startswith("Response styles: no correction, because") and "ingen korrigering" in sv


def test_run_writes_the_typing_tool_deliverables_and_states_its_target(small_run):
    from behaviortypes.deliver import statements_needed
    from behaviortypes.readers import keyed_items

    root, cfg, results = small_run
    assert (cfg.out / "typing_tool.html").is_file() and (cfg.out / "typing_tool.xlsx").is_file()
    block = json.loads((cfg.out / "solution.json").read_text())["typing_tool"]
    stored = yaml.safe_load((cfg.out / "typing_tool.yaml").read_text())
    html = (root / "reports" / "behaviour_types_en.html").read_text(encoding="utf-8")
    sv = (root / "reports" / "behaviour_types_sv.html").read_text(encoding="utf-8")
    # discover's summary says what the tool reaches (and, below target, what would reach it)
    summary = results["discovery"].summary()
    assert f"reproduce the full assignment for {block['agreement']:.1%} of respondents" in summary
    assert ("Below the 90% target" in summary) is (block["agreement"] < block["target"])
    if block["agreement"] >= block["target"]:
        assert "n_needed" not in block and "below the" not in html
        return
    disc = results["discovery"]
    want = statements_needed(keyed_items(disc.screen.kept, disc.survey.instrument),
                             disc.assignments.set_index("respondent_id")["type_id"].reindex(disc.screen.kept_ids),
                             target=block["target"], instrument=disc.survey.instrument, random_state=cfg.seed)
    assert block["n_needed"] == stored["n_needed"] == want["n_needed"]
    if want["n_needed"] is not None:
        # the one wording (deliver.needed_sentence): discover, typing-tool and the report say the same
        assert f"below the 90% target. {want['n_needed']} statements would reach the target" in html
        assert f"under målet 90\u00a0%. {want['n_needed']} påståenden skulle nå målet" in sv


def test_factor_reason_is_recorded_as_code_and_said_in_each_language(small_run):
    from behaviortypes.i18n import reason_text
    from behaviortypes.report.render import Formatter, load_texts

    root, cfg, results = small_run
    sol = json.loads((cfg.out / "solution.json").read_text())
    code = sol["factor_reason_code"]
    fm = results["discovery"].factor_model
    assert code == fm.retention_reason_code_ and code[0]["code"] == "factor_reason_psych"
    assert code[0]["values"]["pa"] == fm.retention_.attrs["pa_n_factors"]
    assert code[0]["values"]["map"] == fm.retention_.attrs["map_n_factors"]
    assert code[-1]["code"] in {"factor_reason_solid", "factor_reason_solid_others", "factor_reason_minor",
                                 "factor_reason_floor"}
    for lang, word in (("en", "suggests"), ("sv", "föreslår")):
        t = load_texts(lang)
        assert all(part["code"] in t for part in code)
        text = reason_text(code, t, Formatter(lang))
        assert f"{word} {code[0]['values']['pa']}" in text and "{" not in text
        html = (root / "reports" / f"behaviour_types_{lang}.html").read_text(encoding="utf-8")
        assert text.split(";")[0] in html.replace("&#39;", "'")


def test_output_checks_come_before_the_survey_and_the_workers(tmp_path, monkeypatch):
    """``discover . --out .`` and ``--out`` = the survey folder are refused at once (they
    were refused after the whole analysis), and an input error ends the run before any
    worker process starts (a worker starting while the process exits printed its traceback)."""
    import threading

    survey = tmp_path / "survey"
    survey.mkdir()
    (survey / "notes.txt").write_text("not a survey yet")  # no instrument.yaml: a survey error
    monkeypatch.chdir(survey)
    for out in (".", ".."):
        with pytest.raises(InputError, match="the output must be named"):
            pipeline.discover(".", out)
    with pytest.raises(InputError, match="the output folder is the survey folder"):
        pipeline.discover(survey, tmp_path / "x" / ".." / "survey")
    with pytest.raises(InputError, match="instrument.yaml"):
        pipeline.discover(survey, tmp_path / "out")
    assert not any(t.name == "behaviortypes-start-workers" for t in threading.enumerate())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["survey"]


def test_discover_checks_the_factors_on_a_held_out_half(demo_run):
    """Trial 5 (PISA): the CFA check of the factors ran only in notebook 03. ``discover``
    runs it on a held-out half of the kept respondents (same seed), writes ``cfa.json``
    and says CFI, TLI and RMSEA with their verdicts in its summary."""
    from behaviortypes.factors import cfa_check
    from behaviortypes.stages import style_corrected_keyed

    root, survey, truth, result = demo_run
    folder = study.load(root / "out")
    assert folder.cfa is not None and folder.cfa.fitted
    stored = json.loads((root / "out" / "cfa.json").read_text())
    screen, styles, inst = result.screen, result.factors.styles, result.survey.instrument
    keyed = (style_corrected_keyed(screen.kept[inst.item_ids].astype(float), inst, styles)
             if styles.use else screen.keyed)  # the answers the factors were fitted on
    again = cfa_check(keyed, result.factors.model.loadings_, random_state=0, warn=False)
    assert stored["n"] == again["n"] and 0 < stored["n"] <= (folder.solution.n_kept + 1) // 2
    np.testing.assert_allclose([stored[k] for k in ("cfi", "tli", "rmsea")],
                               [again[k] for k in ("cfi", "tli", "rmsea")], rtol=1e-6)
    assert "holdout_index" not in stored and stored["seed"] == 0
    line = next(li for li in result.summary().splitlines() if "CFI" in li)
    assert re.search(r"\(n = [\d,]+\): CFI 0\.\d\d \((good|acceptable|poor)\), TLI 0\.\d\d \((good|acceptable|poor)\), "
                     r"RMSEA 0\.\d{3} \((good|acceptable|poor)\)", line), line


def test_a_cfa_that_cannot_be_fitted_is_a_note_not_an_error(demo_run, tmp_path, monkeypatch):
    """A CFA that fails (here: numerically) or has no model to fit (every factor has one
    statement) never fails ``discover``: ``cfa.json`` and the summary say why."""
    from behaviortypes import factors as factors_module
    from behaviortypes.stages import run_cfa

    root, survey, truth, result = demo_run
    keyed, loadings = result.screen.keyed, result.factors.model.loadings_

    def broken(*args, **kwargs):
        raise np.linalg.LinAlgError("Matrix is not positive definite")

    one_each = pd.DataFrame(np.eye(len(loadings), 2) * 0.7, index=loadings.index, columns=["F1", "F2"])
    assert run_cfa(keyed, one_each, seed=0)["note_code"] == "no_model"
    monkeypatch.setattr(factors_module, "cfa_check", broken)
    failed = run_cfa(keyed, loadings, seed=0)
    assert failed["note_code"] == "failed" and failed["cfi"] is None
    out = tmp_path / "out"
    res = pipeline.discover(survey, out, seed=0, n_resamples=10, make_map=False, k=3)
    assert study.load(out).cfa.note_code == "failed"
    assert "No confirmatory check: the model could not be fitted" in res.summary()
    pipeline.discover(survey, out, seed=0, n_resamples=10, make_map=False, k=3, cfa=False)
    assert not (out / "cfa.json").exists()  # not asked for: the earlier run's check is gone


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_the_map_step_says_it_collects_a_map_drawn_during_the_types_step(tmp_path, lang):
    """User trial 11: "Drawing the map of respondents (UMAP) … done in 0.0 s": the map is drawn
    in a thread while the types are found, so its step only collects it and says so."""
    from behaviortypes.report.render import load_texts

    make_study(tmp_path / "s", seed=3, n_respondents=300, n_customers=600)
    said: list[str] = []
    pipeline.discover(tmp_path / "s", tmp_path / "out", seed=0, n_resamples=4, make_map=True,
                      progress=said.append, lang=lang)
    t = load_texts(lang)
    assert t["cli_step_map_collect"] in said and t["cli_step_map"] not in said
    assert said.index(t["cli_step_map_collect"]) > said.index(t["cli_step_types"])
