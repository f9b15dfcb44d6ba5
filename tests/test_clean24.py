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
