"""Bad inputs of user trial 3 (SAPA spi): each one a single line naming file, column, row
(the header is row 1, so a CSV's line N is row N) and value, with a hint."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml

from behaviortypes.deliver import TypingSpec, read_answers
from behaviortypes.errors import InputError, Problem, show_value
from behaviortypes.readers import draft_instrument, load_survey, read_customers
from behaviortypes.scoring import score_customers

ITEMS = ["s1", "s2", "s3", "s4"]


def _survey(folder: Path, n: int = 40, *, outcomes: list[str] = (), edit=None) -> Path:
    """A 1-5 survey of four statements plus age and an outcome column; ``edit(frame)``
    spoils it."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.integers(1, 6, size=(n, len(ITEMS))), columns=ITEMS)
    frame.insert(0, "respondent_id", [f"R{i:03d}" for i in range(1, n + 1)])
    frame["spend"] = rng.integers(0, 500, size=n).astype(object)
    frame["club"] = rng.choice(["yes", "no"], size=n)
    if edit is not None:
        edit(frame)
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / "responses.csv", index=False)
    inst = {"id_column": "respondent_id", "scale": {"min": 1, "max": 5},
            "items": [{"id": i, "text": f"Statement {i}"} for i in ITEMS],
            "outcomes": [{"column": c} for c in outcomes]}
    (folder / "instrument.yaml").write_text(yaml.safe_dump(inst, sort_keys=False), encoding="utf-8")
    return folder


# ---------------------------------------------------------------- 10: values shown plainly
def test_numpy_values_are_shown_as_plain_numbers():
    assert show_value(np.float64(1.0)) == "1"
    assert show_value(np.float64(3.5)) == "3.5"
    assert show_value(np.int64(7)) == "7"
    assert show_value("unknown") == "'unknown'"
    text = str(Problem("has one value", file="r.csv", column="x", value=np.float64(1.0)))
    assert text.endswith("(value 1)") and "np." not in text
    assert show_value("x" * 500).endswith("…") and len(show_value("x" * 500)) == 80


# ---------------------------------------------------------------- 11: check reads outcomes
def test_check_refuses_an_empty_outcome(tmp_path):
    folder = _survey(tmp_path / "s", outcomes=["spend"], edit=lambda f: f.__setitem__("spend", None))
    with pytest.raises(InputError, match=r"^responses\.csv, column 'spend': is empty for every respondent, "
                                         r"so the outcome says nothing\. Hint: .*outcomes: in instrument\.yaml$"):
        load_survey(folder)


def test_check_refuses_a_one_value_outcome_and_shows_the_value_plainly(tmp_path):
    folder = _survey(tmp_path / "s", outcomes=["spend"], edit=lambda f: f.__setitem__("spend", 1.0))
    with pytest.raises(InputError, match=r"column 'spend': has the same value for every respondent.*"
                                         r"\(value 1\)\. Hint: drop it from outcomes:"):
        load_survey(folder)


def test_check_refuses_text_in_a_numeric_outcome_naming_file_row_and_respondent(tmp_path):
    def spoil(frame):
        frame.loc[3, "spend"] = "unknown"  # the 4th respondent: file line 5

    folder = _survey(tmp_path / "s", outcomes=["spend", "club"], edit=spoil)
    with pytest.raises(InputError) as err:
        load_survey(folder)
    assert str(err.value).startswith(
        "responses.csv, column 'spend', row 5 (respondent R004): outcome is not a number (nor yes/no) "
        "(value 'unknown'). Hint: ")
    line = (folder / "responses.csv").read_text().splitlines()[4]
    assert line.startswith("R004,") and "unknown" in line
    assert "\n" not in str(err.value)


def test_yes_no_outcome_passes_check(tmp_path):
    survey = load_survey(_survey(tmp_path / "s", outcomes=["club"]))
    assert len(survey.responses) == 40


# ---------------------------------------------------------------- 12: whole scale points
def test_half_answer_is_refused_with_column_row_value(tmp_path):
    def spoil(frame):
        frame["s3"] = frame["s3"].astype(float)
        frame.loc[7, "s3"] = 3.5  # file line 9

    with pytest.raises(InputError, match=r"responses\.csv, column 's3', row 9 \(respondent R008\): "
                                         r"answer 3\.5 is not a point of the scale 1–5\. Hint: answers are "
                                         r"whole scale points \(1, 2, …, 5\)"):
        load_survey(_survey(tmp_path / "s", edit=spoil))


def _spec() -> TypingSpec:
    """A typing tool's spec for answers on 1-6; ``read_answers`` reads only its statements' ids
    from the tool (the weights are not used to read a file)."""
    tool = SimpleNamespace(items_=["q1", "q2"], type_ids_=[1, 2])
    return TypingSpec(tool=tool, names={1: "A", 2: "B"}, taglines={}, scale_min=1, scale_max=6)


def _answers(path: Path, header: list[str], rows: list[list]) -> Path:
    pd.DataFrame(rows, columns=range(len(header))).set_axis(header, axis=1).to_csv(path, index=False)
    return path


def test_typing_tool_score_refuses_half_answers_and_repeated_columns(tmp_path):
    spec = _spec()
    ok = _answers(tmp_path / "ok.csv", ["respondent_id", "q1", "q2"], [["a", 1, 2], ["b", 6, 5]])
    assert read_answers(ok, spec).shape == (2, 2)
    half = _answers(tmp_path / "half.csv", ["respondent_id", "q1", "q2"], [["a", 1, 2], ["b", 3.5, 5]])
    with pytest.raises(InputError, match=r"half\.csv, column 'q1', row 3 \(respondent b\): answer 3\.5 is not "
                                         r"a point of the scale 1–6"):
        read_answers(half, spec)
    twice = _answers(tmp_path / "twice.csv", ["respondent_id", "q1", "q2", "q1"], [["a", 1, 2, 3]])
    with pytest.raises(InputError, match=r"twice\.csv, column 'q1': the column appears more than once"):
        read_answers(twice, spec)
    hides = _answers(tmp_path / "hides.csv", ["respondent_id", "q1", "q1"], [["a", 1, 2]])
    with pytest.raises(InputError, match=r"column 'q1': the column appears more than once in the header, "
                                         r"and the statement q2 is missing \(is a repeat meant to be q2\?\)"):
        read_answers(hides, spec)


# ---------------------------------------------------------------- 9, 12, 13: the customer base
class _Model:
    """A fitted lookalike's surface: two types from one feature."""

    type_ids_ = [1, 2]
    feature_columns_ = ["age"]
    feature_schema_ = [{"name": "age", "kind": "numeric", "dtype": "float64"}]
    id_column_ = "customer_id"
    unassigned_threshold = None

    def predict_proba(self, features: pd.DataFrame) -> pd.DataFrame:
        p = 1 / (1 + np.exp(-(features["age"].to_numpy(float) - 40) / 10))
        return pd.DataFrame({"p_1": p, "p_2": 1 - p}, index=features.index)


def _base(tmp_path: Path) -> pd.DataFrame:
    """Ten customers: id, age and a number-coded sex."""
    frame = pd.DataFrame({"customer_id": [f"C{i}" for i in range(10)], "age": range(20, 30),
                          "sex": [1, 2] * 5})
    return frame


def test_score_rows_are_file_lines_in_csv_and_records_in_parquet(tmp_path):
    frame = _base(tmp_path).astype({"customer_id": object})
    frame.loc[[2, 6], "customer_id"] = None  # CSV lines 4 and 8
    frame.to_csv(tmp_path / "c.csv", index=False)
    lines = (tmp_path / "c.csv").read_text().splitlines()
    assert lines[3].startswith(",") and lines[7].startswith(",")
    with pytest.raises(InputError, match=r"c\.csv, column 'customer_id', rows 4, 8: 2 customer\(s\) without an id"):
        score_customers(_Model(), tmp_path / "c.csv", tmp_path / "o.parquet")
    frame.loc[2, "customer_id"] = "C2"
    frame.to_csv(tmp_path / "c.csv", index=False)  # blank on line 8 only, in the third batch of 3
    with pytest.raises(InputError, match=r"c\.csv, column 'customer_id', row 8: 1 customer\(s\) without an id"):
        score_customers(_Model(), tmp_path / "c.csv", tmp_path / "o.parquet", batch_size=3)
    frame.loc[2, "customer_id"] = None
    frame.to_parquet(tmp_path / "c.parquet", index=False)
    with pytest.raises(InputError, match=r"rows 3, 7: 2 customer\(s\) without an id.*records from 1"):
        score_customers(_Model(), tmp_path / "c.parquet", tmp_path / "o.parquet")
    dup = _base(tmp_path)
    dup.loc[5, "customer_id"] = "C1"  # lines 3 and 7 of the CSV
    dup.to_csv(tmp_path / "d.csv", index=False)
    with pytest.raises(InputError, match=r"rows 3, 7: customer id 'C1' appears 2 times"):
        score_customers(_Model(), tmp_path / "d.csv", tmp_path / "o.parquet")
    assert not (tmp_path / "o.parquet").exists()


def test_repeated_customer_column_is_named(tmp_path):
    frame = _base(tmp_path)
    text = frame.to_csv(index=False).splitlines()
    (tmp_path / "two_age.csv").write_text(
        "\n".join([text[0] + ",age"] + [t + ",99" for t in text[1:]]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"two_age\.csv, column 'age': the column appears more than once"):
        score_customers(_Model(), tmp_path / "two_age.csv", tmp_path / "o.parquet")
    with pytest.raises(InputError, match=r"two_age\.csv, column 'age': the column appears more than once"):
        read_customers(tmp_path / "two_age.csv", columns=["customer_id", "age"], id_column="customer_id")
    (tmp_path / "hides.csv").write_text(  # sex twice where age belongs
        "customer_id,sex,sex\n" + "\n".join(f"{c},1,2" for c in frame["customer_id"]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"column 'sex': the column appears more than once in the header, "
                                         r"and the model's column age is missing"):
        score_customers(_Model(), tmp_path / "hides.csv", tmp_path / "o.parquet")


def test_excel_customer_base_is_refused_in_the_same_words_by_score_and_lookalike(tmp_path):
    path = tmp_path / "customers.xlsx"
    _base(tmp_path).to_excel(path, index=False)
    with pytest.raises(InputError) as by_score:
        score_customers(_Model(), path, tmp_path / "o.parquet")
    with pytest.raises(InputError) as by_reader:  # what lookalike reads the base with
        read_customers(path, columns=["customer_id", "age"], id_column="customer_id")
    assert str(by_score.value) == str(by_reader.value)
    assert str(by_score.value) == ("customers.xlsx: the customer base cannot be read from a .xlsx file. Hint: save "
                                   "it as CSV (UTF-8) or Parquet (in Excel: File > Save As > CSV UTF-8) and pass "
                                   "that file")


def test_empty_customer_file_has_a_hint(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.csv: the file is empty\. Hint: export the customer base again"):
        score_customers(_Model(), tmp_path / "empty.csv", tmp_path / "o.parquet")
    with pytest.raises(InputError, match=r"empty\.csv: the file is empty\. Hint: export the customer base again"):
        read_customers(tmp_path / "empty.csv", id_column="customer_id")


# ---------------------------------------------------------------- 14: instrument draft
def test_draft_without_an_id_column_names_none_and_keeps_health_out(tmp_path):
    """SAPA's raw file: age (few values, repeated), health 1-5 and exer 1-6 beside 1-6
    statements, no id column."""
    rng = np.random.default_rng(3)
    n = 300
    trait = rng.normal(size=n)
    frame = pd.DataFrame({"age": rng.integers(14, 90, size=n), "health": rng.integers(1, 6, size=n),
                          "exer": rng.integers(1, 7, size=n)})
    for j in range(6):
        frame[f"q_{j}"] = np.clip(np.round(3.5 + trait + rng.normal(size=n)), 1, 6).astype(int)
    frame.to_csv(tmp_path / "spi.csv", index=False)
    draft = draft_instrument(tmp_path / "spi.csv")
    assert draft["id_column"] == "respondent_id"  # the column to add, not 'age'
    items = [i["id"] for i in draft["items"]]
    assert "health" not in items and "age" not in items
    assert "health" in [d["column"] for d in draft.get("descriptors", [])]
    from behaviortypes.readers import instrument_draft_yaml

    text = instrument_draft_yaml(tmp_path / "spi.csv")
    assert "# No column holds one different value per row" in text
    assert "# health: named like a background question and answered on another scale" in text
    if "exer" in items:  # on the statements' own scale: kept, and the draft says so
        assert "# exer: named like a background question but answered on the statements' 1-6 scale" in text


def test_draft_takes_a_unique_id_column_but_not_unique_ages(tmp_path):
    rng = np.random.default_rng(4)
    n = 60
    trait = rng.normal(size=n)
    frame = pd.DataFrame({"age": rng.permutation(np.arange(18, 18 + n)),  # unique by chance
                          "kod": [f"K{i}" for i in rng.permutation(n)]})
    for j in range(5):
        frame[f"q_{j}"] = np.clip(np.round(3 + trait + rng.normal(size=n)), 1, 5).astype(int)
    frame.to_csv(tmp_path / "r.csv", index=False)
    assert draft_instrument(tmp_path / "r.csv")["id_column"] == "kod"
    frame.drop(columns="kod").to_csv(tmp_path / "r2.csv", index=False)
    assert draft_instrument(tmp_path / "r2.csv")["id_column"] == "respondent_id"
    frame.drop(columns="kod").assign(nr=np.arange(1, n + 1)).to_csv(tmp_path / "r3.csv", index=False)
    assert draft_instrument(tmp_path / "r3.csv")["id_column"] == "nr"  # a row counter is an id


# ---------------------------------------------------------------- 9: profile's rows
def test_profile_names_the_file_row_and_respondent_of_a_text_outcome(tmp_path):
    from behaviortypes.describe.profile import profile_types_by

    def spoil(frame):
        frame["spend"] = frame["spend"].astype(object)
        frame.loc[3, "spend"] = "unknown"  # file line 5

    survey = _survey(tmp_path / "s", edit=spoil)  # spend is not an outcome of the instrument
    out = tmp_path / "out"
    out.mkdir()
    ids = [f"R{i:03d}" for i in range(1, 41)]
    types = [1 + i % 2 for i in range(40)]
    pd.DataFrame({"respondent_id": ids, "type_id": types}).to_csv(out / "assignments.csv", index=False)
    pd.DataFrame({"respondent_id": ids, "p_1": [float(t == 1) for t in types],
                  "p_2": [float(t == 2) for t in types]}).to_csv(out / "probabilities.csv", index=False)
    (out / "source.json").write_text(json.dumps({"survey_dir": str(survey)}), encoding="utf-8")
    with pytest.raises(InputError) as err:
        profile_types_by(out, outcomes="spend")
    assert str(err.value).startswith("responses.csv, column 'spend', row 5 (respondent R004): outcome is not "
                                     "a number (nor yes/no) (value 'unknown')")


def test_check_says_a_repeated_column_may_hide_a_missing_statement(tmp_path):
    folder = _survey(tmp_path / "s")
    text = (folder / "responses.csv").read_text().splitlines()
    text[0] = text[0].replace("s2", "s4")  # s4 twice, s2 gone
    (folder / "responses.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"column 's4': the column appears more than once in the header.*"
                                         r"column 's2': 1 item\(s\) of the instrument are missing from the data: "
                                         r"s2\. Hint: the repeated column 's4' may stand where s2 belongs"):
        load_survey(folder)
