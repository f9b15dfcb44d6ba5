"""User trial 7: outcomes and banners that cannot be right (findings 5, 6, 10, 11)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from behaviortypes.describe import outcome_means


def _near_the_top(seed: int = 0, n: int = 240):
    """Two overlapping types with calibrated posteriors; type 1 answers 9 or 10 on a 1-10
    item (true mean 9.85), type 2 anything from 1 to 10."""
    rng = np.random.default_rng(seed)
    p1 = rng.beta(0.7, 0.7, n)
    t = (rng.random(n) > p1).astype(int)
    proba = pd.DataFrame({"p_1": p1, "p_2": 1 - p1}, index=[f"r{i}" for i in range(n)])
    y = np.where(t == 0, np.where(rng.random(n) < 0.85, 10, 9), rng.integers(1, 11, n))
    return proba, pd.DataFrame({"y": y.astype(float)}, index=proba.index)


def test_outcome_intervals_stay_on_the_answer_scale():
    # trial 7: CUSL3 type 1 bias-adjusted 9.62 [9.17, 10.08] on a 1-10 item
    proba, outs = _near_the_top(0)
    tab = outcome_means(proba, outs, bounds={"y": (1, 10)})
    bch = tab.query("method == 'bch' and type_id == 1").iloc[0]
    assert bch["mean"] == pytest.approx(9.566, abs=1e-3)  # 9.566 [8.869, 10.263] before
    assert bch["ci_low"] == pytest.approx(bch["mean"] - 1.96 * bch["se"], abs=1e-3)
    assert bch["ci_high"] == 10.0
    assert (tab["ci_low"] >= 1.0).all() and (tab["ci_high"] <= 10.0).all()


def test_a_bias_adjusted_mean_just_past_an_end_is_set_to_the_end():
    from behaviortypes.describe.threestep import bounded_interval

    assert bounded_interval(10.2, 0.3, 1, 10, 1.96) == pytest.approx((10.0, 10.2 - 0.588, 10.0))
    assert bounded_interval(5.5, 0.05, 1, 10, 1.96) == pytest.approx((5.5, 5.402, 5.598))
    assert bounded_interval(10.0, 0.0, 1, 10, 1.96) == (10.0, 10.0, 10.0)
    assert np.isnan(bounded_interval(-94476.6, 10.0, 13, 100, 1.96)).all()


def test_a_bias_adjusted_mean_far_outside_the_values_is_never_given():
    # trial 7: BIG5 age, a BCH mean of -94,477 years; here posteriors that overstate the
    # overlap push type 1's bias-adjusted mean to 11.9 on a 1-10 item, interval 11.1-12.7
    rng = np.random.default_rng(0)
    n = 240
    t = rng.integers(0, 2, n)
    p1 = np.where(t == 0, rng.uniform(0.55, 0.95, n), rng.uniform(0.05, 0.45, n))
    proba = pd.DataFrame({"p_1": p1, "p_2": 1 - p1}, index=[f"r{i}" for i in range(n)])
    y = np.where(t == 0, np.where(rng.random(n) < 0.9, 10, 9), rng.integers(1, 11, n))
    tab = outcome_means(proba, pd.DataFrame({"y": y.astype(float)}, index=proba.index))
    shown = tab.dropna(subset=["mean"])
    assert (shown["mean"] >= 1).all() and (shown["mean"] <= 10).all()
    hidden = tab[tab["mean"].isna()]
    assert len(hidden) >= 1 and hidden["n"].notna().all()  # not a small cell: no estimate
    assert hidden["ci_low"].isna().all() and hidden["se"].isna().all()


# ----------------------------------------------------------------------------- absurd values
def test_implausible_values_are_codes_and_far_out_values_not_a_long_tail():
    from behaviortypes.describe.plausible import implausible_values

    rng = np.random.default_rng(0)
    ages = pd.Series(np.r_[rng.integers(13, 81, 2000), [92, 99, 100, 188, 1997, 412434, 999999999]])
    found = implausible_values(ages)
    assert found.tolist()[:2] == [999999999, 412434]
    assert set(found) == {1997, 412434, 999999999}  # a birth year, not 80, 92, 99 or 100-year-olds
    assert implausible_values(pd.Series([1, 2, 3, 4, 5, 9, 3, 2, 4, 9])).tolist() == [9, 9]  # 9 = no answer
    assert implausible_values(pd.Series(list(range(10)) * 5)).empty  # a 0-9 scale
    assert implausible_values(pd.Series([20, 30, 40, -1, 50, 33])).tolist() == [-1]
    assert implausible_values(pd.Series(rng.lognormal(5, 1, 20000))).empty  # spend keeps its tail
    rating = pd.Series(np.r_[[1, 2], np.full(200, 9), np.full(300, 10), np.full(100, 8)])
    assert implausible_values(rating).empty  # a low answer on a high-rated item is an answer


def test_check_warns_about_an_outcome_with_absurd_values():
    from behaviortypes.instrument import instrument_from_dict
    from behaviortypes.readers import check_responses

    rng = np.random.default_rng(2)
    n = 120
    frame = pd.DataFrame({"id": [f"R{i}" for i in range(n)], "age": rng.integers(18, 70, n)})
    for i in range(6):
        frame[f"q{i}"] = rng.integers(1, 6, n)
    frame.loc[7, "age"], frame.loc[40, "age"] = 999999999, 412434
    inst = instrument_from_dict({"id_column": "id", "scale": {"min": 1, "max": 5},
                                 "items": [{"id": f"q{i}", "text": f"t{i}"} for i in range(6)],
                                 "outcomes": [{"column": "age"}]})
    errors, warns = check_responses(frame, inst, file="responses.csv")
    said = [str(w) for w in warns if w.column == "age"]
    assert len(said) == 1, [str(w) for w in warns]
    assert "999999999, 412434 (rows 9, 42)" in said[0] and "correct them in responses.csv" in said[0]
    # a code declared as a descriptor's level is an answer, not a slip
    frame["sex"] = np.r_[np.tile([1, 2], n // 2 - 2), [9, 9, 9, 9]]
    for levels, flagged in (({1: "female", 2: "male", 9: "prefer not to say"}, False), (None, True)):
        inst = instrument_from_dict({"id_column": "id", "scale": {"min": 1, "max": 5},
                                     "items": [{"id": f"q{i}", "text": f"t{i}"} for i in range(6)],
                                     "descriptors": [{"column": "sex", "levels": levels}]})
        warns = check_responses(frame, inst, file="responses.csv")[1]
        assert any(w.column == "sex" for w in warns) == flagged


# ----------------------------------------------------------------------------- the banner workbook
@pytest.fixture(scope="module")
def small_study(tmp_path_factory):
    """``survey`` (generated, seed 5, 400 respondents) and ``out``, its discovery folder."""
    from sharedcache import small_english_discovered

    return small_english_discovered(tmp_path_factory, tmp_path_factory.mktemp("profile7"))  # made once per run


def test_workbook_names_the_types_as_the_report_does_in_its_language(small_study, tmp_path):
    from openpyxl import load_workbook

    from behaviortypes.cli import main
    from behaviortypes.report.data import load_report_data

    out, book = small_study / "out", tmp_path / "banner_sv.xlsx"
    assert main(["profile", str(out), "--xlsx", str(book), "--lang", "sv"]) == 0
    report = load_report_data(out).in_language("sv").types["name"]
    english = load_report_data(out).in_language("en").types["name"]
    assert (report != english).any()  # the demo's names are the tool's: they follow the language
    head = [c.value for c in load_workbook(book)["utfall"][4]][3:]
    assert head == [f"{t} · {report[t]}" for t in sorted(report.index)]


def test_banner_base_row_shows_type_sizes_and_says_when_most_cells_are_hidden(small_study, tmp_path, capsys):
    from openpyxl import load_workbook

    from behaviortypes.cli import main

    out, book = small_study / "out", tmp_path / "banner.xlsx"
    assert main(["profile", str(out), "--xlsx", str(book), "--min-cell", "60", "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert "Rao–Scott" in printed and "Rao-Scott" not in printed
    banner = pd.read_csv(out / "banner.csv")
    assign = pd.read_csv(out / "assignments.csv", dtype={"respondent_id": str})
    wb = load_workbook(book)
    ws = wb[next(n for n in wb.sheetnames if n.lower() == "region")]  # (sheets are named by their labels)
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    base = next(r for r in rows if r[0] == "n (respondents)")
    sizes = assign["type_id"].value_counts().sort_index()
    region = banner[banner["variable"] == "region"]
    hidden = int(region["n"].isna().sum())
    assert hidden > len(region) / 2  # the case of trial 7: most cells hidden
    assert base[2:2 + len(sizes)] == [int(v) for v in sizes]  # every respondent answered region
    line = f"{hidden} of {len(region)} cells are hidden: each has fewer than 60 respondents"
    assert any(str(r[0]).startswith(line) and "--min-cell N" in str(r[0]) for r in rows), rows
    assert "banner cells are hidden at 60 respondents a cell" in printed


# ----------------------------------------------------------------------------- discover's size lines
def test_size_lines_of_one_table_round_alike():
    """Trial 7 (BIG5 --factors 5): "8.0% [7.6%, 8.3%]" next to "8% [7%, 8%]"."""
    from behaviortypes.stages import ProfilesResult

    sizes = pd.DataFrame({
        "type_id": [5, 6, 8], "type_name": ["a", "b", "c"], "n": [1555, 1524, 531],
        "share": [0.07961294, 0.07802580, 0.02718616],
        "ci_low": [0.07589886, 0.07434680, 0.02499678], "ci_high": [0.08349236, 0.08187076, 0.02956147]})
    result = ProfilesResult(profiles=None, types_doc={"types": []}, assignments=pd.DataFrame(), sizes=sizes)
    lines = result.summary("en").splitlines()
    assert lines[0].endswith("a — 8.0% [7.6%, 8.3%], n = 1555")
    assert lines[1].endswith("b — 7.8% [7.4%, 8.2%], n = 1524")  # was "8% [7%, 8%]"
    assert lines[2].endswith("c — 2.7% [2.5%, 3.0%], n = 531")


def test_profile_warns_about_absurd_outcome_values_in_the_studys_language(tmp_path):
    """Trial 7: profile's warnings were English with --lang sv (cli.py did not say them in
    the study's language)."""
    import subprocess
    import sys

    from behaviortypes.pipeline import discover
    from behaviortypes.synth import make_study

    make_study(tmp_path / "survey", seed=6, n_respondents=300, n_customers=900)
    responses = tmp_path / "survey" / "responses.csv"
    frame = pd.read_csv(responses)
    frame["age"] = np.random.default_rng(0).integers(18, 80, len(frame))
    frame.loc[[3, 50], "age"] = [999999999, 412434]
    frame.to_csv(responses, index=False)
    discover(tmp_path / "survey", tmp_path / "out", seed=0, n_resamples=10, make_map=False)
    for lang, words in (("sv", "(svarande som behölls efter granskningen) ser ut som koder för saknat svar"),
                        ("en", "look like missing codes")):
        run = subprocess.run([sys.executable, "-m", "behaviortypes.cli", "profile", str(tmp_path / "out"),
                              "--outcomes", "age", "--lang", lang], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        assert words in run.stderr, run.stderr


def test_implausible_value_warnings_say_which_respondents_they_count(tmp_path):
    """User trial 8: discover said "6 values … rows 1215, 248, 405" and profile "5 values … rows
    1215, 405, 1181" for the same column: discover checks every respondent of the file,
    profile the respondents kept after screening. Each warning says which it counts."""
    import warnings as w

    from behaviortypes.describe import profile_types_by
    from behaviortypes.errors import BehaviortypesWarning
    from behaviortypes.pipeline import discover
    from behaviortypes.synth import make_study

    make_study(tmp_path / "survey", seed=5, n_respondents=400, n_customers=300)
    path = tmp_path / "survey" / "responses.csv"
    frame = pd.read_csv(path)
    frame.loc[[3, 50, 77], "nps"] = [999999, 412434, 88888]
    frame.to_csv(path, index=False)
    n_file = int(frame["nps"].notna().sum())
    with w.catch_warnings(record=True) as caught:
        w.simplefilter("always")
        discover(tmp_path / "survey", tmp_path / "out", seed=0, n_resamples=5, make_map=False)
    said = [str(c.message) for c in caught if "look like missing codes" in str(c.message)]
    assert said and all(f"of the file's {n_file} values (all respondents)" in s for s in said), said
    kept = int(pd.read_csv(path, dtype={"respondent_id": str}).set_index("respondent_id").loc[
        pd.read_csv(tmp_path / "out" / "assignments.csv", dtype={"respondent_id": str})["respondent_id"], "nps"].notna().sum())
    with w.catch_warnings(record=True) as caught:
        w.simplefilter("always", BehaviortypesWarning)
        profile_types_by(tmp_path / "out")
    said = [str(c.message) for c in caught if "look like missing codes" in str(c.message)]
    assert said and all(f"of {kept} values (respondents kept after screening)" in s for s in said), said
