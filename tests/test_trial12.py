"""User trial 12's harmful findings (session 17, task fixt12a): a customer id given for two
respondents (F3), a ``--min-cell`` below the study's privacy floor (F2b), types that follow two
statements (F1), a draft that files statements as descriptors (F2), a weak lookalike unflagged
(F4) and the small lookalike items of F12."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))

import test_lookalike as tl  # noqa: E402
from clirun import bt, error_line, ok_lines  # noqa: E402
from swedish import study as swedish  # noqa: E402

from behaviortypes.errors import InputError  # noqa: E402
from behaviortypes.lookalike import train_lookalike  # noqa: E402


def _swedish_study(folder: Path, edit=None) -> Path:
    swedish.write_csv_study(folder)
    if edit is not None:
        path = folder / "responses.csv"
        frame = pd.read_csv(path, sep=";", encoding="cp1252", dtype=str)
        edit(frame).to_csv(path, sep=";", encoding="cp1252", index=False)
    return folder


def _same_customer(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[20, "kundnummer"] = frame.loc[21, "kundnummer"]  # file rows 22 and 23
    return frame


# ----------------------------------------------------------------------------- F3
def test_check_says_a_customer_id_given_for_two_respondents(tmp_path):
    folder = _swedish_study(tmp_path / "studie", _same_customer)
    cid = pd.read_csv(folder / "responses.csv", sep=";", encoding="cp1252", dtype=str).loc[21, "kundnummer"]
    lines = [ln for ln in ok_lines(bt("check", folder)) if "kund-id" in ln]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"Varning: responses.csv, kolumn 'kundnummer', raderna 22, 23: kund-id {cid} "
                               "anges för 2 svarande (R0021, R0022)")
    clean = _swedish_study(tmp_path / "ren")
    assert not [ln for ln in ok_lines(bt("check", clean)) if "kund-id" in ln]


def test_discover_screen_warns_of_a_customer_id_given_for_two_respondents(tmp_path):
    from behaviortypes.errors import SurveyQualityWarning
    from behaviortypes.readers import load_survey
    from behaviortypes.stages import run_screen

    survey = load_survey(_swedish_study(tmp_path / "studie", _same_customer))
    with pytest.warns(SurveyQualityWarning, match=r"rows 22, 23: customer id \d+ is given for 2 respondents") as got:
        run_screen(survey)
    said = [w.message.said("sv") for w in got if "kund-id" in (w.message.said("sv") or "")]
    assert len(said) == 1 and said[0].startswith("responses.csv, kolumn 'kundnummer', raderna 22, 23: kund-id ")


def test_lookalike_refuses_two_respondents_of_one_customer_and_writes_nothing(tmp_path):
    out, customers, _ = tl._discovery(tmp_path, n_base=3_000, n_resp=300)
    path = tmp_path / "survey" / "responses.csv"
    resp = pd.read_csv(path, dtype=str)
    resp.loc[101, "customer_id"] = resp.loc[100, "customer_id"]
    resp.to_csv(path, index=False)
    before = sorted(p.name for p in out.iterdir())
    with pytest.raises(InputError, match=rf"responses.csv, column 'customer_id', rows 102, 103: customer id "
                                         rf"{resp.loc[100, 'customer_id']} is given for 2 respondents "
                                         r"\(R0100, R0101\), so that customer would have more than one type"):
        train_lookalike(out, customers, models=("logistic",), cv=3)
    assert sorted(p.name for p in out.iterdir()) == before


def test_lookalike_writes_all_its_files_or_none(tmp_path, monkeypatch):
    # trial 12: the model and its card were written, then crm_profile.csv failed
    import behaviortypes.lookalike.train as train

    out, customers, _ = tl._discovery(tmp_path, n_base=3_000, n_resp=300)
    before = sorted(p.name for p in out.iterdir())

    def broken(*args, **kwargs):
        raise RuntimeError("late failure")

    monkeypatch.setattr(train, "crm_profile", broken)
    with pytest.raises(RuntimeError, match="late failure"):
        train_lookalike(out, customers, models=("logistic",), cv=3, sample_size=2_000)
    assert sorted(p.name for p in out.iterdir()) == before


# ----------------------------------------------------------------------------- F2b
@pytest.fixture(scope="module")
def small_study(tmp_path_factory):
    from behaviortypes.pipeline import discover
    from behaviortypes.synth import make_study

    root = tmp_path_factory.mktemp("trial12")
    make_study(root / "survey", seed=5, n_respondents=400, n_customers=1500)
    discover(root / "survey", root / "out", seed=0, n_resamples=10, make_map=False)
    return root


def test_min_cell_below_the_studys_min_group_size_is_refused(small_study):
    import yaml

    path = small_study / "survey" / "instrument.yaml"
    before = path.read_text(encoding="utf-8")
    doc = yaml.safe_load(before)
    doc["min_group_size"] = 30
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    out = small_study / "out"
    try:
        listing = sorted(p.name for p in out.iterdir())
        line = error_line(bt("profile", out, "--min-cell", 3))
        assert line == ("error: --min-cell 3 is below the study's min_group_size of 30 (instrument.yaml), its "
                        "privacy setting: no table may show a group smaller than that. Hint: leave out --min-cell "
                        "(or give 30 or more); to show smaller cells, lower min_group_size in the survey's "
                        "instrument.yaml, knowing that the report then describes groups that small")
        assert sorted(p.name for p in out.iterdir()) == listing
        ok_lines(bt("profile", out, "--min-cell", 40))  # raising it is fine
    finally:
        path.write_text(before, encoding="utf-8")


@pytest.mark.parametrize("lang, said", [("en", "no cell of the tables by type one smaller than 5 respondents"),
                                        ("sv", "ingen cell i tabellerna per typ en grupp med färre än 5 svarande")])
def test_report_appendix_states_the_smallest_cell_profile_used(small_study, lang, said):
    from behaviortypes.describe.profile import profile_types_by
    from behaviortypes.report import build_context
    from behaviortypes.report.data import load_report_data

    out = small_study / "out"
    profile_types_by(out, min_cell=5).to_files()
    context = build_context(load_report_data(out), lang)
    assert said in context["appendix"]["privacy"]
