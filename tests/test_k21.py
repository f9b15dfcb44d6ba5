"""Session 21 (K21): the factors' reason says one dimension set with --factors in the
singular, and keeps its code ``factor_reason_user`` (tests/test_notebooks.py reads it)."""

from __future__ import annotations

import pytest

from behaviortypes.factors import model as factor_model
from behaviortypes.i18n import reason_text
from behaviortypes.report.render import load_texts

COUNTS = {"pa": 3, "map": 2, "ekc": 3}


def _user_code(m):
    n, _, code = factor_model._decide(COUNTS, None, p=12, ledermann=6, n_factors=m,
                                      n_iter=20, percentile=95.0)
    assert n == m
    return code


@pytest.mark.parametrize("lang, one, many", [
    ("en", "1 dimension, as set with --factors.", "2 dimensions, as set with --factors."),
    ("sv", "1 dimension, enligt --factors.", "2 dimensioner, enligt --factors."),
])
def test_one_dimension_set_by_the_user_is_said_in_the_singular(lang, one, many):
    texts = load_texts(lang)
    code = _user_code(1)
    assert code[0] == {"code": "factor_reason_user", "values": {"m": 1}}  # the code as before
    said = reason_text(code, texts)
    assert said.startswith(one)
    assert "1 dimensions" not in said and "1 dimensioner" not in said
    assert reason_text(_user_code(2), texts).startswith(many)  # the plural unchanged
