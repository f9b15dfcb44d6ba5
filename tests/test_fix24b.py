"""Session 24, FIX24B: user trial 24 (Humor Styles Questionnaire): a header pasted twice, a
small level that hid the largest group, age bands out of order, score's rate with its
start-up, hints that pointed the wrong way, and notebook 04's "--k". Each test failed before."""

from __future__ import annotations

import time
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from clirun import bt, error_line

ITEMS = [f"Q{i}" for i in range(1, 7)]


def _study(folder, n=60, seed=24, text_line=None):
    """A small survey folder: six statements 1-5, ``n`` respondents."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    common = rng.normal(size=n)
    answers = {q: np.clip(np.rint(3 + common + rng.normal(size=n)), 1, 5).astype(int) for q in ITEMS}
    frame = pd.DataFrame({"respondent_id": [f"R{i:03d}" for i in range(1, n + 1)], **answers})
    items = "".join(f"- id: {q}\n  text: {text_line if (text_line and q == 'Q3') else 'Statement ' + q}\n"
                    f"  reverse: false\n" for q in ITEMS)
    (folder / "instrument.yaml").write_text(
        f"id_column: respondent_id\nscale: {{min: 1, max: 5}}\nitems:\n{items}", encoding="utf-8")
    return frame


# 1. a header repeated in the middle of the answers: one line naming its row ----------------------

def test_check_says_the_row_that_repeats_the_header(tmp_path):
    frame = _study(tmp_path / "s")
    text = frame.to_csv(index=False)
    lines = text.splitlines()
    # two exports pasted together: the second one's header is file row 42
    pasted = "\n".join(lines[:41] + [lines[0]] + lines[41:]) + "\n"
    (tmp_path / "s" / "responses.csv").write_text(pasted, encoding="utf-8")
    assert error_line(bt("check", tmp_path / "s")) == (
        "error: responses.csv: row 42 repeats the header (two files pasted together?). "
        "Hint: delete row 42 and save the file again")


def test_typing_tool_answers_with_the_header_repeated_say_its_row(tmp_path):
    from behaviortypes.deliver.answers import read_answers
    from behaviortypes.deliver.spec import TypingSpec
    from behaviortypes.errors import InputError

    spec = TypingSpec(tool=SimpleNamespace(items_=["q1", "q2", "q3"], type_ids_=[1, 2]),
                      names={1: "A", 2: "B"}, taglines={}, scale_min=1, scale_max=5)
    rows = [["respondent_id", "q1", "q2", "q3"], ["respondent_id", "q1", "q2", "q3"],
            ["a", 1, 2, 3], ["b", 2, 3, 4], ["c", 5, 4, 3]]
    csv = tmp_path / "answers.csv"
    csv.write_text("\n".join(",".join(map(str, r)) for r in rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_answers(csv, spec)
    assert str(err.value) == ("answers.csv: row 2 repeats the header (two files pasted together?). "
                              "Hint: delete row 2 and save the file again")
    xlsx = tmp_path / "answers.xlsx"
    body = [rows[0], rows[2], rows[3], rows[1], rows[4]]  # pasted under the first rows: Excel row 4
    pd.DataFrame(body[1:], columns=body[0]).to_excel(xlsx, index=False)
    with pytest.raises(InputError, match=r"^answers.xlsx: row 4 repeats the header"):
        read_answers(xlsx, spec)


def test_score_customer_base_with_the_header_repeated_says_its_row(tmp_path):
    from test_scoring import discovery_with_lookalike

    disc, frame = discovery_with_lookalike(tmp_path / "disc")
    lines = frame.to_csv(index=False).splitlines()
    (tmp_path / "customers.csv").write_text("\n".join(lines[:101] + [lines[0]] + lines[101:]) + "\n", encoding="utf-8")
    res = bt("score", disc, "--customers", tmp_path / "customers.csv", "--out", tmp_path / "scored.csv")
    assert error_line(res) == ("error: customers.csv: row 102 repeats the header (two files pasted together?). "
                               "Hint: delete row 102 and save the file again")


# 2. a small level is folded into a combined row, not a large one hidden ------------------------

def test_a_small_level_is_folded_with_the_next_smallest_and_no_large_group_is_hidden():
    """Trial 24's gender: 8 "Other" hid "Female" (45 %) in every column, All included."""
    from banner_tables import table_from_counts
    from test_trial20 import _assert_nothing_given_away

    from behaviortypes.describe.banner import banner_table

    counts = {"Male": [349, 137, 57, 22], "Female": [255, 139, 62, 12], "Other": [4, 2, 1, 1]}
    tab = banner_table(*table_from_counts(counts), min_cell=10)
    assert sorted(tab["level"].unique()) == ["Female / Other", "Male"]
    assert tab.attrs["combined_levels"] == {"g": {"level": "Female / Other", "members": ["Female", "Other"],
                                                  "small": ["Other"]}}
    assert tab.attrs["protected_levels"] == {}
    t = tab.set_index(["level", "type_id"])
    assert t.loc[("Female / Other", 1), "n"] == 259 and t.loc[("Male", 1), "n"] == 349
    assert t["overall_share"].notna().all()  # the All column shows every row
    assert (tab["n"].dropna() >= 10).all()
    folded = {"Male": counts["Male"], "Female / Other": [a + b for a, b in zip(counts["Female"], counts["Other"])]}
    _assert_nothing_given_away(tab, folded)


def test_small_levels_that_reach_the_minimum_together_are_one_row_of_their_own():
    from banner_tables import table_from_counts
    from test_trial20 import _assert_nothing_given_away

    from behaviortypes.describe.banner import banner_table

    counts = {"Female": [200, 150], "Male": [220, 160], "Other": [4, 4], "Not stated": [3, 5], "Prefer not": [4, 3]}
    tab = banner_table(*table_from_counts(counts), min_cell=10)
    assert list(dict.fromkeys(tab["level"])) == ["Female", "Male", "Not stated / Other / Prefer not"]
    assert tab["n"].notna().all() and tab.attrs["protected_levels"] == {}  # 11 and 12 a type: all shown
    _assert_nothing_given_away(tab, {"Female": counts["Female"], "Male": counts["Male"],
                                     "Not stated / Other / Prefer not": [11, 12]})


def test_the_note_says_which_levels_were_folded_in_both_languages():
    from behaviortypes.describe.profile import protected_level_lines
    from behaviortypes.texts import load_texts

    meta = {"min_cell": 30, "protected_levels": {},
            "combined_levels": {"gender": {"level": "Female / Other", "members": ["Female", "Other"],
                                           "small": ["Other"]}}}
    [en] = protected_level_lines(meta, load_texts("en"), {"gender": "Gender"})
    assert en.startswith("Gender: 'Other' has fewer than 30 respondents, so it is shown together with "
                         "'Female' as one row, 'Female / Other'"), en
    [sv] = protected_level_lines(meta, load_texts("sv"), only="gender")
    assert sv.startswith("gender: 'Other' har färre än 30 svarande, så den visas tillsammans med 'Female'"), sv


# 3. age bands in their natural order ---------------------------------------------------------

def test_bands_sort_by_their_numbers_unless_the_survey_declares_an_order():
    from behaviortypes.describe.banner import level_order

    seen = np.array(["50+", "under 18", "25-34", "18-24", "35-49", "9", "10"], dtype=object)
    assert level_order(seen, None) == ["9", "10", "under 18", "18-24", "25-34", "35-49", "50+"]
    assert level_order(np.array(["b", "a", "under 18"], dtype=object), ["b"]) == ["b", "under 18", "a"]


def test_profile_banner_lists_age_bands_in_order(tmp_path):
    from banner_tables import table_from_counts

    from behaviortypes.describe.banner import banner_table

    counts = {"50+": [40, 30], "under 18": [60, 50], "18-24": [80, 70], "25-34": [50, 45]}
    tab = banner_table(*table_from_counts(counts), min_cell=10)
    assert list(dict.fromkeys(tab["level"])) == ["under 18", "18-24", "25-34", "50+"]


# 4. score's rows/s is the scoring's own, the start-up said apart -----------------------------

def test_score_rate_counts_from_the_first_batch_and_the_summary_says_the_start_up(tmp_path):
    from behaviortypes.scoring import RowMeter
    from behaviortypes.scoring.api import ScoreSummary

    started = time.perf_counter() - 6.0  # six seconds of reading the model and opening the base
    meter = RowMeter(3000, "Scoring c.parquet", started=started, enabled=False)
    meter.begin()
    time.sleep(0.05)
    meter.advance(3000)
    seconds = time.perf_counter() - started
    meter.finish(3000, seconds)
    assert meter.startup == pytest.approx(6.0, abs=0.05)
    assert meter.rate() > 3000 / 1.0 > 3000 / seconds  # not 3,000 rows over 6 s
    summary = ScoreSummary(n_rows=3000, seconds=seconds, rows_per_s=meter.rate(), shares={1: 1.0},
                           most_likely_shares={1: 1.0}, type_names={1: "A"}, out=tmp_path / "o.parquet",
                           engine="local", startup_seconds=meter.startup)
    first = summary.summary().splitlines()[0]
    assert "; the first 6.0 s were start-up (reading the model, opening the base), not counted in the rows/s" in first
    assert "de första 6,0 s var uppstart" in summary.summary("sv").splitlines()[0]
    assert summary.to_dict()["startup_seconds"] == pytest.approx(6.0, abs=0.05)


# 5. hints that point the right way -----------------------------------------------------------

def test_a_colon_in_a_statements_text_says_to_quote_the_text(tmp_path):
    frame = _study(tmp_path / "s", text_line="Note: I laugh a lot")
    frame.to_csv(tmp_path / "s" / "responses.csv", index=False)
    line = error_line(bt("check", tmp_path / "s"))
    assert line.startswith("error: instrument.yaml, row 11: malformed YAML"), line  # Q3's text
    assert "put the text in quotes" in line and "indentation" not in line, line


def test_score_with_a_wrong_model_file_says_to_pass_the_discovery_folder(tmp_path):
    folder = tmp_path / "disc"
    folder.mkdir()
    (folder / "lookalike.skops").write_bytes(b"")
    pd.DataFrame({"customer_id": [1, 2]}).to_csv(tmp_path / "c.csv", index=False)
    line = error_line(bt("score", folder / "lookalike_model.joblib", "--customers", tmp_path / "c.csv",
                         "--out", tmp_path / "o.parquet"))
    assert line == (f"error: lookalike_model.joblib: model not found. Hint: pass the discovery folder, which "
                    f"holds the model as lookalike.skops: `behaviortypes score {folder} --customers PATH "
                    f"--out PATH`"), line


# 6. notebook 04 says where its number of types came from ------------------------------------

def test_a_number_of_types_from_bt_k_is_said_so_not_as_set_with_dash_dash_k():
    from behaviortypes.i18n import reason_text
    from behaviortypes.said import k_set_with_texts
    from behaviortypes.texts import Formatter, load_texts

    code = [{"code": "k_reason_user", "values": {"k": 4}},
            {"code": "k_reason_user_evidence", "values": {"k": 4, "k_evidence": 3}}]
    sol = {"k_set_with": "BT_K"}
    en = reason_text(code, k_set_with_texts(load_texts("en"), sol), Formatter("en"))
    assert en == ("4 types, as set with BT_K (the notebook's environment). The evidence alone gives 3 types; "
                  "4 were set with BT_K (the notebook's environment)."), en
    sv = reason_text(code, k_set_with_texts(load_texts("sv"), {"k_set_with": "K"}), Formatter("sv"))
    assert "--k" not in sv and "enligt K (anteckningsbokens parametercell)" in sv, sv
    assert "--k" in reason_text(code, k_set_with_texts(load_texts("en"), {}), Formatter("en"))


def test_notebook_04_passes_where_k_came_from():
    from pathlib import Path

    source = (Path(__file__).parents[1] / "notebooks" / "04_behaviour_types.py").read_text(encoding="utf-8")
    assert "k_set_with=K_SET_WITH" in source and "k_set_with_texts(load_texts(SAID), result.solution)" in source
