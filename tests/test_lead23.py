"""Session 23's final read: what the review of the session's changes found, each failing before.

1. the customer base's extreme values were kept with their repeats, so 5,000 rows of one code
   (999999999) were taken out of the base's mean as 1,000;
2. the factors' step-down said "not fewer than parallel analysis and MAP allow" and then "fewer
   than they suggest" when a refit's one-statement factor stepped below the floor;
3. the draft's code-column comment wrote its bound with a decimal point in Swedish;
4. both ends of the scale unused: the two warnings named different ranges the answers fit; a
   missing code inside the scale was said as an unused answer point;
5. ``responses.zip``: "save it as responses" (no extension);
6. a survey descriptor (banded age) made the base's raw ages 60 categories;
7. a lookalike model saved before ``categorical`` existed could not show its parameters.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from behaviortypes.errors import InputError
from behaviortypes.instrument import instrument_from_dict


def test_a_code_repeated_in_many_rows_is_taken_out_of_the_base_whole():
    from behaviortypes.lookalike.priors import CrmMoments

    rng = np.random.default_rng(0)
    ages = rng.integers(18, 75, 20_000).astype(float)
    ages[rng.choice(20_000, 5_000, replace=False)] = 999_999_999.0
    moments = CrmMoments()
    for part in np.array_split(ages, 7):  # in batches, as the base is read
        moments.update(pd.DataFrame({"age": part}))
    clean = ages[ages < 1e6]
    table = moments.table({"age": (-np.inf, 1e6)})
    assert table.loc["age", "n"] == len(clean)
    assert table.loc["age", "mean"] == pytest.approx(clean.mean())
    assert table.loc["age", "sd"] == pytest.approx(clean.std(), rel=1e-6)
    assert 999_999_999.0 in moments.extremes("age") and 18.0 in moments.extremes("age")


def test_a_one_statement_refit_below_the_floor_is_not_also_said_to_be_at_it():
    from behaviortypes.factors.model import _step_down  # (the module's own step, as test_trial23a)

    def solver(table):
        return lambda m: {"salient": table[m], "theme_factors": {},
                          "minor": [f"F{i + 1}" for i, s in enumerate(table[m]) if s < 3]}

    # start 8, floor 7: F7, F8 minor -> 7 (the floor); its refit has F7: 1 -> 6
    m, text, code = _step_down(solver({8: [9, 9, 9, 9, 9, 9, 2, 2], 7: [9, 9, 9, 9, 9, 9, 1],
                                       6: [9, 9, 9, 9, 9, 9]}), 8, 7)
    codes = [c["code"] for c in code]
    assert m == 6 and "factor_reason_floor" not in codes, codes
    assert codes[-1] == "factor_reason_below_range_single", codes
    assert "not fewer than" not in text, text
    # every factor of one statement or none: one factor, never a solution of none
    m, _, _ = _step_down(solver({2: [1, 0], 1: [9]}), 2, 2)
    assert m == 1


def _scale_frame(n=300, lo=1, hi=5, seed=0):
    rng = np.random.default_rng(seed)
    f = rng.standard_normal(n)
    return {f"q{j}": pd.Series(np.clip(np.round(3 + f + rng.standard_normal(n)), lo, hi)) for j in range(1, 6)}


def _instrument(lo, hi, missing=()):
    return instrument_from_dict({"name": "t", "id_column": "id",
                                 "scale": {"min": lo, "max": hi, "missing_codes": list(missing)},
                                 "items": [{"id": f"q{j}", "text": f"S{j}"} for j in range(1, 6)]})


def test_both_unused_ends_name_one_range_and_a_missing_code_is_no_answer_point():
    from behaviortypes.readers.validate import unused_scale_ends

    answers = _scale_frame(lo=2, hi=5)  # answers 2-5, declared 1-7
    said = [p.said("en") for p in unused_scale_ends(answers, _instrument(1, 7), "responses.csv")]
    assert len(said) == 2 and all("the answers fit the scale 2–5" in s for s in said), said
    # 1-6 declared with 6 = "don't know" (a missing code): 6 unused is not said
    answers = _scale_frame(lo=1, hi=5)
    assert unused_scale_ends(answers, _instrument(1, 6, missing=[6]), "responses.csv") == []
    assert len(unused_scale_ends(answers, _instrument(1, 6), "responses.csv")) == 1


def test_the_drafts_code_column_comment_writes_swedish_decimals(tmp_path):
    from test_trial23a import _likert_survey

    from behaviortypes.readers import instrument_draft_yaml

    rng = np.random.default_rng(3)
    folder = _likert_survey(tmp_path / "d", extra={"source": rng.integers(1, 6, 300)})
    sv = instrument_draft_yaml(folder / "responses.csv", lang="sv")
    assert "|r| < 0,15" in sv and "0.15" not in sv, sv[:600]
    assert "|r| < 0.15" in instrument_draft_yaml(folder / "responses.csv", lang="en")

def test_a_zipped_responses_file_is_said_to_be_saved_as_csv(tmp_path):
    from behaviortypes.readers.survey import find_responses_file

    (tmp_path / "responses.zip").write_bytes(b"PK\x03\x04")
    with pytest.raises(InputError) as caught:
        find_responses_file(tmp_path)
    assert caught.value.problems[0].values["name"] == "responses.csv"
    (tmp_path / "responses.zip").unlink()
    (tmp_path / "responses.xlsx.gz").write_bytes(b"\x1f\x8b")
    with pytest.raises(InputError) as caught:
        find_responses_file(tmp_path)
    assert caught.value.problems[0].values["name"] == "responses.xlsx"


def test_a_declared_descriptor_with_many_values_in_the_base_stays_a_number():
    from behaviortypes.lookalike._features import detect_schema

    rng = np.random.default_rng(1)
    base = pd.DataFrame({"age": rng.integers(18, 80, 2_000), "gender": rng.integers(0, 3, 2_000)})
    kinds = {s["name"]: s["kind"] for s in detect_schema(base, categorical=("age", "gender"))[0]}
    assert kinds == {"age": "numeric", "gender": "categorical"}


def test_a_lookalike_model_saved_before_categorical_shows_its_parameters():
    from behaviortypes.lookalike.model import LookalikeModel

    model = LookalikeModel(random_state=0)
    del model.__dict__["categorical"]  # as unpickled from a model saved before user trial 23
    assert model.get_params()["categorical"] == ()
    assert "LookalikeModel" in repr(model)
