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
    assert lines[0].startswith(f"varning: responses.csv, kolumn 'kundnummer', raderna 22, 23: kund-id {cid} "
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
    import behaviortypes.lookalike.reach as reach  # (train imports crm_profile from it when it writes)

    out, customers, _ = tl._discovery(tmp_path, n_base=3_000, n_resp=300)
    before = sorted(p.name for p in out.iterdir())

    def broken(*args, **kwargs):
        raise RuntimeError("late failure")

    monkeypatch.setattr(reach, "crm_profile", broken)
    with pytest.raises(RuntimeError, match="late failure"):
        train_lookalike(out, customers, models=("logistic",), cv=3, sample_size=2_000)
    assert sorted(p.name for p in out.iterdir()) == before


# ----------------------------------------------------------------------------- F2b
@pytest.fixture(scope="module")
def small_study(tmp_path_factory):
    """``survey`` (generated, seed 5, 400 respondents) and ``out``, its discovery folder."""
    from sharedcache import small_english_discovered

    return small_english_discovered(tmp_path_factory, tmp_path_factory.mktemp("trial12"))  # made once per run


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


# ----------------------------------------------------------------------------- F1
def _bands_of_two(n: int = 1100, seed: int = 12) -> tuple[pd.DataFrame, pd.Series]:
    """Trial 12's shape: 4 types that are bands of the sum of two four-point statements,
    beside 10 statements of other, weakly related dimensions; 8 % of respondents off
    their band (the trial's rule typed 88.6 %)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    g = rng.normal(size=n)
    cols = {f"p{j:02d}": np.clip(np.rint(2.5 + 0.9 * (0.3 * g + rng.normal(size=n))), 1, 4) for j in range(3, 13)}
    a = np.clip(np.rint(2.5 + 1.0 * (g + 0.5 * rng.normal(size=n))), 1, 4)
    b = np.clip(np.rint(2.5 + 1.0 * (g + 0.5 * rng.normal(size=n))), 1, 4)
    total = a + b
    types = np.digitize(total, [3.5, 4.5, 6.5]) + 1
    off = rng.random(n) < 0.08
    types[off] = rng.integers(1, 5, size=off.sum())
    frame = pd.DataFrame({"p01": a, "p02": b, **cols}, index=[f"S{i:04d}" for i in range(n)])
    return frame, pd.Series(types, index=frame.index, name="type_id")


def test_two_statement_agreement_finds_the_pair_the_types_follow():
    from behaviortypes.stages import FEW_STATEMENTS_AGREEMENT, two_statement_agreement

    answers, labels = _bands_of_two()
    best = two_statement_agreement(answers, labels)
    assert best["items"] == ["p01", "p02"] and best["agreement"] >= FEW_STATEMENTS_AGREEMENT
    # planted multi-dimension types (the suite's highest study, 0.83) stay below it
    from planted import make_planted, suite

    study = make_planted(**suite()[12])
    truth = study.truth[study.truth > 0]
    assert two_statement_agreement(study.items.loc[truth.index], truth)["agreement"] < FEW_STATEMENTS_AGREEMENT


def test_types_following_two_statements_warn_although_the_golden_questions_are_three():
    from types import SimpleNamespace

    from behaviortypes.errors import SurveyQualityWarning
    from behaviortypes.i18n import reason_text
    from behaviortypes.report.render import Formatter, load_texts
    from behaviortypes.stages import warn_few_statements

    answers, labels = _bands_of_two()
    tool = SimpleNamespace(items_=["p01", "p02", "p05"], agreement_=0.91, target_=0.9)  # trial 12: 3 golden
    with pytest.warns(SurveyQualityWarning, match=r"the 4 types largely follow the answers to p01 \+ p02 ") as got:
        assert warn_few_statements(tool, 4, answers=answers, labels=labels)
    said = [w.message for w in got if getattr(w.message, "code", None) == "warn_two_statements"][0]
    sv = reason_text({"code": said.code, "values": said.values}, load_texts("sv"), Formatter("sv"))
    assert sv.startswith("de 4 typerna följer i stort sett svaren på p01 + p02 (") and "--factors" in sv
    # two types, or types that do not follow two statements: no warning
    assert not warn_few_statements(tool, 2, answers=answers, labels=labels)
    shuffled = pd.Series(labels.sample(frac=1, random_state=0).to_numpy(), index=labels.index)
    assert not warn_few_statements(tool, 4, answers=answers, labels=shuffled)


#: trial 12's type centres (/tmp/trial12/upptackt/centroids.csv) and shares
TRIAL12 = pd.DataFrame([[0.0088, 0.3888, 0.0067, -0.0852], [-0.1093, -0.5463, -0.2230, -0.0505],
                        [0.2912, 1.3870, 0.7202, 0.2979], [-0.1012, -1.4470, -0.3093, 0.0396]],
                       index=[1, 2, 3, 4], columns=["F1", "F2", "F3", "F4"])
TRIAL12_SHARES = [0.409, 0.303, 0.150, 0.139]


@pytest.mark.parametrize("lang, said, not_said", [
    ("en", "that direction is mostly one factor, F2", "every dimension rises together"),
    ("sv", "den riktningen är till största delen en faktor, F2", "alla dimensioner stiger tillsammans")])
def test_levels_of_one_factor_are_not_called_a_general_level(lang, said, not_said):
    from behaviortypes.i18n import reason_text
    from behaviortypes.report.render import Formatter, load_texts
    from behaviortypes.stages import continuum_reason, level_share

    levels = level_share(TRIAL12, TRIAL12_SHARES)
    assert levels["levels"] and levels["factor"] == "F2" and levels["factor_share"] > 0.8
    codes = continuum_reason(4, [{"code": "k_reason_bic", "values": {"k": 4}}], 0.8, levels=levels)
    text = reason_text(codes, load_texts(lang), Formatter(lang))
    assert said in text and not_said not in text and "--factors" in text
    # trial 11's GCBS types, flat across the factors, keep the general-level sentence
    from test_levels import GCBS, GCBS_SHARES

    flat = continuum_reason(4, [{"code": "k_reason_bic", "values": {"k": 4}}], 0.8,
                            levels=level_share(GCBS, GCBS_SHARES))
    assert [c["code"] for c in flat][0] == "k_continuum_levels"


# ----------------------------------------------------------------------------- F2
def _skewed_four_point(path: Path, n: int = 400, seed: int = 3) -> Path:
    """Trial 12's ASTI shape: 25 correlated four-point statements, 13 of which nobody
    answered 4 (an empty top category), and an NPS 0-10."""
    import numpy as np

    rng = np.random.default_rng(seed)
    g = rng.normal(size=n)
    cols = {}
    for j in range(1, 26):
        x = np.clip(np.rint(2.3 + 0.8 * (0.7 * g + 0.7 * rng.normal(size=n))), 1, 4)
        cols[f"p{j:02d}"] = np.minimum(x, 3) if j % 2 else x  # odd statements top out at 3
    frame = pd.DataFrame({"svarsid": [f"S{i:04d}" for i in range(n)], **cols,
                          "nps": np.clip(np.rint(7 + 2 * g), 0, 10)}).astype({f"p{j:02d}": int for j in range(1, 26)})
    frame["nps"] = frame["nps"].astype(int)
    frame.to_csv(path, index=False)
    return path


def test_draft_takes_the_wider_scale_and_says_which_columns_it_left_out(tmp_path):
    import yaml

    responses = _skewed_four_point(tmp_path / "responses.csv")
    lines = ok_lines(bt("instrument", "draft", responses, "--out", tmp_path / "instrument.yaml", "--lang", "en"))
    doc = yaml.safe_load((tmp_path / "instrument.yaml").read_text(encoding="utf-8"))
    assert doc["scale"]["min"] == 1 and doc["scale"]["max"] == 4
    assert [i["id"] for i in doc["items"]] == [f"p{j:02d}" for j in range(1, 26)]
    said = ("-10): answered on another range than the statements' 1-4 scale, so not drafted as a statement "
            "(listed under descriptors: when few values, else left out)")
    assert any(line.startswith("nps (") and said in line for line in lines), lines
    text = (tmp_path / "instrument.yaml").read_text(encoding="utf-8")
    assert "-10): answered on another range than the statements' 1-4 scale" in text.split("\nname:")[0]


# ----------------------------------------------------------------------------- F4
def _metrics(accuracy, supports, recalls):
    return {"accuracy": accuracy, "per_type": [{"type_id": t, "support": s, "recall": r}
                                              for t, (s, r) in enumerate(zip(supports, recalls), start=1)]}


def test_weakness_rule_on_the_trials_numbers():
    from behaviortypes.lookalike.weak import weakness

    trial = weakness(_metrics(0.426, [456, 338, 167, 155], [0.91, 0.14, 0.0, 0.10]))  # trial 12's card
    assert trial["weak"] and trial["low_recall_types"] == [3] and trial["largest_type"] == 1
    assert abs(trial["majority_accuracy"] - 456 / 1116) < 1e-12 and trial["margin"] < 0.02
    strong = weakness(_metrics(0.74, [376, 300, 200, 124], [0.85, 0.7, 0.65, 0.6]))
    assert not strong["weak"]
    one_type_lost = weakness(_metrics(0.70, [500, 300, 150, 50], [0.9, 0.8, 0.4, 0.0]))
    assert one_type_lost["weak"] and one_type_lost["low_recall_types"] == [4]


def test_weak_lookalike_says_select_by_probabilities_in_card_summary_and_score(tmp_path):
    from behaviortypes.files import read_json

    out, customers, _ = tl._discovery(tmp_path, n_base=3_000, n_resp=600, weak=True)
    with pytest.warns(Warning):
        result = train_lookalike(out, customers, seed=0, models=("logistic",), cv=3, batch_size=1_500)
    card = read_json(out / "lookalike_card.json")
    assert card["weakness"]["weak"] is True and card["weakness"]["margin"] < 0.05
    text = result.summary("en")
    assert ("only" in text and "points above always guessing the largest type" in text
            if round(100 * card["weakness"]["margin"], 1) > 0 else "no better than always guessing" in text)  # sv19
    assert "Select customers by the probabilities p_1 … p_k" in text
    assert "Välj kunder efter sannolikheterna p_1 … p_k" in result.summary("sv")
    lines = ok_lines(bt("score", out / "lookalike.skops", "--customers", customers, "--out", tmp_path / "s.parquet"))
    assert lines[-1].startswith("Select customers by the probabilities p_1 … p_k"), lines


def test_report_lookalike_page_says_a_weak_model_and_the_yardstick(tmp_path):
    import json

    from reportfixture import make_discovery_folder

    from behaviortypes.lookalike.weak import weakness
    from behaviortypes.report import build_context
    from behaviortypes.report.data import load_report_data

    disc = make_discovery_folder(tmp_path / "disc", k=4, n=400, seed=1, with_quotes=False)
    path = disc / "lookalike_card.json"
    sound = build_context(load_report_data(disc), "sv")["appendix"]["lookalike"]["linked"]
    assert "type_id" not in sound
    card = json.loads(path.read_text(encoding="utf-8"))
    card["weakness"] = weakness(_metrics(0.426, [456, 338, 167, 155], [0.91, 0.14, 0.0, 0.10]))
    path.write_text(json.dumps(card), encoding="utf-8")
    page = build_context(load_report_data(disc), "sv")["appendix"]["lookalike"]["linked"].replace("\xa0", " ")
    assert "1,7 procentenheter bättre än att alltid gissa den största typen, typ 1 (40,9 %)" in page
    assert "inte efter type_id" in page


# ----------------------------------------------------------------------------- F12
def test_typing_tool_score_takes_the_studys_customer_id_column(small_study, tmp_path):
    import yaml

    out = small_study / "out"
    tool = yaml.safe_load((out / "typing_tool.yaml").read_text(encoding="utf-8"))
    inst = yaml.safe_load((small_study / "survey" / "instrument.yaml").read_text(encoding="utf-8"))
    customer = inst["customer_id_column"]
    resp = pd.read_csv(small_study / "survey" / "responses.csv", dtype=str).dropna(subset=[customer]).head(5)
    items = [i["id"] if isinstance(i, dict) else str(i) for i in tool["items"]]
    answers = resp[[customer, *items]]  # a CRM team's file: customer ids, no respondent ids
    answers.to_csv(tmp_path / "answers.csv", index=False)
    ok_lines(bt("typing-tool", out, "--score", tmp_path / "answers.csv", "--out", tmp_path / "typed.csv"))
    typed = pd.read_csv(tmp_path / "typed.csv", dtype=str)
    assert typed.columns[0] == customer and list(typed[customer]) == list(answers[customer])


def test_a_postal_code_is_a_category_not_a_number():
    import numpy as np

    from behaviortypes.lookalike._features import detect_schema, is_code_column, prepare_column

    rng = np.random.default_rng(0)
    codes = rng.choice([11122, 41319, 52990, 90325, 75236], size=400)
    frame = pd.DataFrame({"postnummer": codes, "kop_12m_kr": rng.gamma(2.0, 1000.0, size=400),
                          "store_id": rng.integers(1, 6, size=400)})
    schema, dropped = detect_schema(frame)
    kinds = {s["name"]: s for s in schema}
    assert kinds["postnummer"]["kind"] == "categorical" and kinds["postnummer"].get("code") is True
    assert kinds["postnummer"]["categories"] == ["11122", "41319", "52990", "75236", "90325"]
    assert kinds["store_id"]["kind"] == "categorical" and kinds["kop_12m_kr"]["kind"] == "numeric"
    # read as decimals (a CSV batch with an empty cell), the codes are the same texts
    as_float = prepare_column(frame["postnummer"].astype(float), kinds["postnummer"], None)
    assert list(as_float[:5]) == [str(c) for c in codes[:5]]
    assert not is_code_column("nps") and not is_code_column("andel_eko") and is_code_column("Postnr")
