"""Messages found wrong in user trial 3 (SAPA spi): the smallest type named in the reason
for k, the typing tool's below-target sentence, the warning on overlapping types."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from behaviortypes.errors import SurveyQualityWarning
from behaviortypes.segments import TypeFinder


def _own_shape_study(seed=4):
    """Three types each tighter on a different factor, t4 tails: the kept model is a t
    mixture with own spreads, not the shared-shape Gaussian the size floor is read on."""
    rng = np.random.default_rng(seed)
    lab = np.repeat([0, 1, 2], [500, 300, 200])
    sd = np.array([[0.45, 1.0, 0.7], [1.0, 0.45, 0.7], [0.7, 0.7, 0.45]])[lab]
    T = rng.standard_t(4, size=(1000, 3)) / np.sqrt(2)
    Z = T * sd + np.array([[-2.0, 0, 0], [2.0, 0, 0], [0, 2.5, 0]])[lab]
    return pd.DataFrame(Z, columns=["F1", "F2", "F3"])


def test_reason_names_the_kept_models_smallest_type():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyQualityWarning)
        tf = TypeFinder(random_state=0, n_resamples=4, k_max=5, n_jobs=1).fit(_own_shape_study())
    assert tf.method_ != "gaussian_mixture" and tf.k_ == 3
    m = re.search(r"smallest type (\d+) respondents, ([\d.]+)% of the sample", tf.reason_)
    assert m, tf.reason_
    n_small = int(tf.labels_.value_counts().min())
    assert int(m.group(1)) == n_small
    assert float(m.group(2)) == pytest.approx(100 * n_small / len(tf.labels_), abs=0.051)
    # the reason code (the report's sentence) says the same
    code = next(c for c in tf.reason_code_ if c["code"] == "k_reason_bic")
    assert code["values"]["n_min"] == n_small
    ev = tf.evidence_.loc[3]
    assert ev["n_min_model"] == n_small
