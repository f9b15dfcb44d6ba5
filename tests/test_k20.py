"""Session 20 (K20): the finder's summary says ``warning:`` as the CLI does; the factors'
retention reason is singular for one dimension; one collapse check shared by the
finder's ``_set_aside`` and ``_spurious``."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from behaviortypes.factors import model as factor_model
from behaviortypes.i18n import reason_text
from behaviortypes.report.render import load_texts
from behaviortypes.segments import TypeFinder


def test_the_finder_summary_says_warning_in_lower_case_as_the_cli():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(300, 3)), columns=["a", "b", "c"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tf = TypeFinder(k_max=3, n_resamples=2, n_bootstrap=0, random_state=0, n_jobs=1).fit(X)
    assert tf.structure_warning_  # one homogeneous group: warned
    lines = tf.summary().splitlines()
    assert lines[1] == f"warning: {tf.structure_warning_}"
    assert "Warning:" not in tf.summary()


def _solver(solutions):
    return lambda m: solutions[m]


@pytest.mark.parametrize("case", ["minor", "empty"])
def test_one_dimension_kept_is_said_in_the_singular(case):
    if case == "minor":  # the 2-factor solution's F2 is minor: stepped down to 1
        solve = _solver({2: {"minor": ["F2"], "salient": [6, 1]}, 1: {"minor": [], "salient": [7]}})
        m, text, code = factor_model._step_down(solve, start=2, floor=1)
    else:  # the 2-factor solution's F2 has no statement: refitted with 1
        solve = _solver({2: {"minor": ["F2"], "salient": [7, 0]}, 1: {"minor": [], "salient": [7]}})
        m, text, code = factor_model._step_down(solve, start=2, floor=2)
    assert m == 1
    assert "1 factor is kept" in text and "1 factors" not in text
    en = reason_text(code, load_texts("en"))
    sv = reason_text(code, load_texts("sv"))
    assert "so 1 dimension is kept" in en and "1 dimensions" not in en
    assert "så 1 dimension behålls" in sv and "1 dimensioner" not in sv


def test_more_dimensions_kept_stay_plural():
    solve = _solver({3: {"minor": ["F3"], "salient": [6, 5, 1]},
                     2: {"minor": [], "salient": [6, 6]}})
    m, text, code = factor_model._step_down(solve, start=3, floor=1)
    assert m == 2 and "so 2 dimensions are kept" in reason_text(code, load_texts("en"))
    assert "så 2 dimensioner behålls" in reason_text(code, load_texts("sv"))


def test_set_aside_and_spurious_share_one_collapse_check(monkeypatch):
    """Session 19 repeated ``_spurious``'s two conditions in ``_set_aside``; both now ask
    ``_collapse``, and only ``_spurious`` records a lattice fit."""
    tf = TypeFinder()
    tf._lattice_ks, tf.lattice_ = set(), False
    fit = type("Fit", (), {"weights": np.ones(3) / 3})()
    for why, aside in (("guard", True), ("lattice", True), (None, False)):
        monkeypatch.setattr(TypeFinder, "_collapse", lambda self, model, why=why: why)
        assert tf._set_aside(fit) is aside and tf._spurious(fit) is aside
    assert tf.lattice_ and tf._lattice_ks == {3}
    assert tf._set_aside(None)
