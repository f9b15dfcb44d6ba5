"""Session 24, CLEAN24: the last review's leftovers, each with a test that failed before."""

from __future__ import annotations

import numpy as np
import pandas as pd


# 1. the code-column warning names codes, not counts or ratings ------------------------------

def test_few_code_columns_leaves_counts_and_ratings_and_names_codes():
    from behaviortypes.lookalike._features import few_code_columns

    rng = np.random.default_rng(24)
    n = 4000
    frame = pd.DataFrame({
        "children": np.minimum(rng.poisson(1.2, n), 5),  # a count 0-5
        "rating": np.clip(np.rint(rng.normal(3.4, 1.0, n)), 1, 5),  # a 1-5 score
        "tier": rng.integers(0, 4, n),  # a uniform run 0-3: behaves as a number
        "gender": rng.choice([1, 2, 9], n, p=[0.48, 0.48, 0.04]),  # a gap: codes
        "channel": rng.choice([1, 2, 3, 4, 5], n, p=[0.4, 0.05, 0.1, 0.05, 0.4]),  # two peaks: codes
    })
    schema = [{"name": c, "kind": "numeric"} for c in frame]
    found = dict(few_code_columns(frame, schema))
    assert "children" not in found and "rating" not in found and "tier" not in found, found
    assert found.get("gender") == 3 and found.get("channel") == 5, found


# 2. a Problem's decimals in the language it is said in -----------------------------------------

def test_unrelated_statement_warning_writes_its_decimals_with_a_comma_in_swedish():
    from behaviortypes.readers.validate import unrelated_statements

    rng = np.random.default_rng(5)
    common = rng.normal(size=400)
    answers = {f"s{i}": pd.Series(np.rint(3 + common + rng.normal(size=400)).clip(1, 5)) for i in range(1, 5)}
    answers["source"] = pd.Series(rng.integers(1, 6, 400).astype(float))
    found = unrelated_statements(answers, "responses.csv")
    assert [p.column for p in found] == ["source"]
    sv, en = found[0].said("sv"), found[0].said("en")
    assert "under 0,15" in sv and "0.15" not in sv and "|r| är 0," in sv, sv
    assert "below 0.15" in en and str(found[0]) == en, en


def test_number_is_a_float_said_per_language():
    import json
    import pickle

    from behaviortypes.errors import Number, phrase

    x = Number(0.153, 2)
    assert x == 0.153 and f"{x}" == "0.15" and str(x) == "0.15" and f"{x:.1f}" == "0.2"
    assert x.said("sv") == "0,15" and json.dumps({"r": x}) == '{"r": 0.153}'
    assert pickle.loads(pickle.dumps(x)).said("sv") == "0,15"
    assert phrase("problem_dask_timeout", "sv", {"seconds": Number(0.5, 1)}).endswith("inom 0,5 s)")
