"""Names of types when one interview theme splits into several factors (user trial 8, FTI).

The Fisher Temperament Inventory's four designed temperaments came out as nine factors, so
three themes had two or three factors each. The factor model numbered the repeats
("Analytical and direct 3"), which read as a counter for duplicate *type* names: "The group
low on empathy and imagination 2". Type 4 was named after a two-statement factor (z 0.83)
with its most distinctive trait (z −2.17 on empathy) in brackets, and its tagline said one
theme twice ("high on analytical and direct 3, high on analytical and direct").
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from behaviortypes.i18n import factor_label
from behaviortypes.profiles import suggest_names

#: trial 8, `discover --k 4`: centroids.csv (mean z per type and factor)
TRIAL8_MEANS = pd.DataFrame(
    [[0.704, 0.023, 0.094, 0.157, -0.178, -0.001, -0.084, 0.143, -0.116],
     [-0.920, -0.019, -0.089, -0.119, 0.321, 0.080, 0.231, -0.177, 0.193],
     [-0.255, 0.079, -0.164, -0.301, -0.104, -0.138, -0.220, -0.131, -0.135],
     [-2.173, -0.466, 0.036, 0.019, 0.749, 0.140, 0.601, -0.194, 0.827]],
    columns=[f"F{i}" for i in range(1, 10)], index=pd.Index([1, 2, 3, 4], name="type_id"))
THEMES = {"F1": "Empathy and imagination", "F2": "Caution and tradition", "F3": "Curiosity and energy",
          "F4": "Empathy and imagination", "F5": "Analytical and direct", "F6": "Caution and tradition",
          "F7": "Analytical and direct", "F8": "Curiosity and energy", "F9": "Analytical and direct"}


def _factor_names() -> dict[str, str]:
    """The names the factor model gives these factors (each theme's first factor plain)."""
    seen: dict[str, int] = {}
    out = {}
    for f, theme in THEMES.items():
        seen[theme] = seen.get(theme, 0) + 1
        out[f] = theme if seen[theme] == 1 else f"{theme} (part {seen[theme]})"
    return out


def test_a_split_theme_says_part_in_the_report_language():
    # the factor model's own names: tests/test_factors.py::test_duplicate_theme_names_are_numbered
    assert factor_label("F2", "trust (part 2)", "sv") == "trust (del 2)"
    assert factor_label("F2", "trust (part 2)", "en") == "trust (part 2)"


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_trial8_names_and_taglines(lang):
    names = suggest_names(TRIAL8_MEANS, _factor_names(), lang=lang, lexicon=False)
    for name in names["name"]:
        assert not re.search(r"\s\d+(\)|$)", re.sub(r"\((part|del) \d+\)", "", name)), name
    # the most distinctive trait heads type 4's name (z -2.17 against 0.83 for a 2-statement scale)
    assert "mpathy" in names.loc[4, "name"].split("(")[0], names.loc[4, "name"]
    assert names.loc[4, "name"] != names.loc[2, "name"]
    assert names.loc[4, "tagline"] != names.loc[2, "tagline"]
    # no theme twice in one tagline
    for tag in names["tagline"]:
        for theme in set(THEMES.values()):
            assert tag.lower().count(theme.lower()) <= 1, tag
    part = "(part 2)" if lang == "en" else "(del 2)"
    assert part in names.loc[3, "name"], names.loc[3, "name"]
