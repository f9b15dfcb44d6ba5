"""Types that are levels of one general dimension are said to be so (session 16, trial 11).

The user trial's Generic Conspiracist Beliefs Scale (one strong general factor) gave four
types whose centres were flat across the factors (+1.04…+1.66, −0.98…−1.14), relative
entropy 0.78: no continuum box appeared, and nothing told the client that the "types"
were ordered levels of one dimension. :func:`behaviortypes.stages.level_share` measures
it; the continuum box (terminal, report) says it, in English and Swedish.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from behaviortypes.errors import SurveyQualityWarning
from behaviortypes.factors import FactorModel
from behaviortypes.pipeline import continuum_lines
from behaviortypes.report.render import Formatter, continuum_note, continuum_title, load_texts
from behaviortypes.segments import TypeFinder
from behaviortypes.stages import LEVELS_SHARE, continuum_reason, level_share

sys.path.insert(0, str(Path(__file__).parent))
from fieldlike import make_fieldlike, pipeline_scores  # noqa: E402

#: the trial's type centres (centroids.csv, factor-score space) and shares (sizes.csv)
GCBS = pd.DataFrame([[0.515, 0.592, 0.472, 0.419], [-0.367, -0.547, -0.299, -0.110],
                     [-0.992, -0.980, -1.076, -1.135], [1.322, 1.661, 1.414, 1.041]],
                    index=[1, 2, 3, 4], columns=["F1", "F2", "F3", "F4"])
GCBS_SHARES = [0.377, 0.344, 0.189, 0.090]
#: the trial's k reason: the BIC's minimum inside the range, stable; entropy 0.78
BIC = [{"code": "k_reason_bic", "values": {"k": 4}}]
TITLE = {"en": "the types are levels of one dimension", "sv": "typerna är nivåer av en dimension"}
SAID = {"en": "ordered levels of one general dimension", "sv": "ordnade nivåer av en generell dimension"}


def _fit(X, rounding=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyQualityWarning)
        f = TypeFinder(n_resamples=2, random_state=0, n_jobs=1).fit(X, score_rounding=rounding)
    return f, level_share(f.centroids_, f.proba_.sum(axis=0))


def gcbs_like(seed: int = 1, n: int = 1500) -> pd.DataFrame:
    """One strong, skewed general factor (most disbelieve) + 5 facets of 3 statements, 5-point;
    no types planted."""
    rng = np.random.default_rng(seed)
    g = rng.gamma(0.7, 1.0, size=n)
    g = (g - g.mean()) / g.std()
    cols = {}
    for f in range(5):
        s = rng.normal(size=n)
        for j in range(3):
            z = 0.85 * g + 0.3 * s + 0.4 * rng.normal(size=n)
            cols[f"gc{f}_{j}"] = np.clip(np.round(2.6 + 1.2 * z), 1, 5)
    return pd.DataFrame(cols)


def test_the_trials_types_are_levels_and_the_box_says_so():
    lv = level_share(GCBS, GCBS_SHARES)
    assert lv["general"] and lv["levels"] and lv["share"] == pytest.approx(0.979, abs=0.002)
    assert continuum_reason(4, BIC, 0.78) == []  # before: entropy 0.78 ≥ 0.7, no box
    codes = continuum_reason(4, BIC, 0.78, levels=lv)
    assert [c["code"] for c in codes] == ["k_continuum_levels", "k_continuum_levels_body",
                                          "k_continuum_levels_todo"]
    sol = {"k": 4, "k_reason_code": BIC, "k_evidence": [{"k": 4, "entropy": 0.78}], "k_levels": lv}
    for lang in ("en", "sv"):
        line = continuum_lines(sol, lang)[0]
        assert SAID[lang] in line and "97" in line and TITLE[lang] in line
        note = continuum_note(sol, pd.DataFrame({"k": [4], "entropy": [0.78]}), load_texts(lang), Formatter(lang))
        assert SAID[lang] in note
        assert continuum_title(sol, load_texts(lang)).endswith(TITLE[lang])
    en = continuum_lines(sol, "en")[0]
    assert "not distinct groups" not in en and "no types" not in en  # the box's body: levels, a score
    assert "score on that dimension" in en


def test_two_types_or_a_pattern_are_not_levels():
    # two centres always lie on one line: not a sign
    two = level_share(GCBS.iloc[[2, 3]], [0.5, 0.5])
    assert two["share"] == pytest.approx(1.0) and continuum_reason(2, BIC, 0.9, levels=two) == []
    # types that differ in pattern: one high on F1, low on F2 and the reverse
    pattern = level_share(pd.DataFrame([[1, -1, 0], [-1, 1, 0], [0, 0, 1.2]]), [1, 1, 1])
    assert not pattern["levels"] and pattern["share"] < LEVELS_SHARE
    # the same line but one factor going the other way: not a general level
    bipolar = level_share(pd.DataFrame([[1, -1], [0, 0], [-1, 1]]), [1, 1, 1])
    assert bipolar["share"] == pytest.approx(1.0) and not bipolar["general"] and not bipolar["levels"]


def test_a_generated_general_factor_population_gives_level_bands():
    items = gcbs_like(seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fm = FactorModel(random_state=0).fit(items)
        X = fm.transform(items)
    f, lv = _fit(X, fm.score_weights_per_point())
    assert f.k_ >= 3 and lv["levels"] and lv["share"] > 0.99
    assert continuum_reason(f.k_, f.reason_code_, 0.9, levels=lv)[0]["code"] == "k_continuum_levels"


def test_field_like_distinct_types_are_not_levels():
    study = make_fieldlike("extreme", seed=40)
    X, r = pipeline_scores(study, seed=40, rounding=True)
    f, lv = _fit(X, r)
    assert f.k_ >= 3 and not lv["levels"] and lv["share"] < 0.7
