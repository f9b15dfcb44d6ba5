"""Banner tables from cell counts, for the tests of the banner's suppression
(tests/test_trial20.py, tests/test_left21.py, tests/test_trial22b.py)."""

from __future__ import annotations

import pandas as pd


def table_from_counts(counts: dict[str, list[int]]) -> tuple[pd.Series, pd.DataFrame]:
    """Respondents whose banner has ``counts[level][t - 1]`` respondents of type ``t`` at
    each level of one descriptor ``g``: their types (a Series) and ``g`` (a DataFrame), both
    indexed ``r0, r1, …``, as :func:`behaviortypes.describe.banner.banner_table` takes them."""
    types, levels = [], []
    for level, per_type in counts.items():
        for t, n in enumerate(per_type):
            types += [t + 1] * n
            levels += [level] * n
    idx = [f"r{i}" for i in range(len(types))]
    return pd.Series(types, index=idx), pd.DataFrame({"g": levels}, index=idx)
