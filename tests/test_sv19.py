"""The last English a Swedish strategist met, and two API edges (session 19).

1. the human sentences beside the codes of ``solution.json``, ``factors.json`` and
   ``lookalike_card.json``, and the customer file's refusals, in the study's language;
2. a seed that is not a whole number of 0 or more refused in one line from Python;
3. a weak lookalike that is no better than guessing the largest type said so;
4. ``--k`` beside the dip's one group: BIC's preference explained.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from swedish import study as swedish  # noqa: E402


# ------------------------------------------------------------ 2. a seed refused in one line
@pytest.mark.parametrize("seed", [-1, 1.5, "7", True])
def test_discover_refuses_a_bad_seed_in_one_line(tmp_path, seed):
    """``discover(seed=-1)`` raised numpy's "expected non-negative integer" (a ValueError
    from deep in the analysis), ``seed=1.5`` a TypeError from SeedSequence."""
    from behaviortypes import pipeline
    from behaviortypes.errors import InputError

    folder = swedish.write_csv_study(tmp_path / "kundstudie", n=60)
    with pytest.raises(InputError) as err:
        pipeline.discover(folder, tmp_path / "ut", seed=seed, make_map=False, cfa=False)
    assert str(err.value).startswith("seed must be a whole number of 0 or more (value "), str(err.value)
    assert "\n" not in str(err.value)
    assert err.value.said("sv").startswith("seed måste vara ett heltal, 0 eller större")
    assert not (tmp_path / "ut").exists()  # refused before anything is written


def test_the_other_public_functions_with_a_seed_refuse_it_alike(tmp_path):
    from behaviortypes import pipeline
    from behaviortypes.errors import InputError

    with pytest.raises(InputError, match=r"^seed must be a whole number of 0 or more \(value -2\)"):
        pipeline.lookalike(tmp_path / "nothing", tmp_path / "kunder.csv", seed=-2)  # random_state before
    with pytest.raises(InputError, match=r"^seed must be a whole number of 0 or more \(value -3\)"):
        pipeline.demo(tmp_path, seed=-3)
    assert not any(tmp_path.iterdir())
    assert pipeline.check_seed(np.int64(4)) == 4


# ------------------------------------------------------------ 3. no better than the guess
def _weak(margin):
    return {"weak": True, "accuracy": 0.36 + margin, "majority_accuracy": 0.36, "largest_type": 1,
            "margin": margin, "low_recall_types": []}


def test_a_weak_model_no_better_than_guessing_says_so():
    """"bara −0,6 procentenheter bättre" read oddly for a model worse than the guess."""
    from behaviortypes.lookalike.weak import weakness_lines

    worse_sv, worse_en = weakness_lines(_weak(-0.006), "sv")[0], weakness_lines(_weak(-0.006), "en")[0]
    assert "procentenheter bättre" not in worse_sv and "−" not in worse_sv, worse_sv
    assert ("träffsäkerheten 35,4\u00a0% är inte bättre än att alltid gissa den största typen, typ 1 (36,0\u00a0%), "
            "utan 0,6 procentenheter sämre") in worse_sv, worse_sv
    assert "is no better than always guessing the largest type, type 1 (36.0%): it is 0.6 points below it" in worse_en
    equal = weakness_lines(_weak(0.0003), "sv")[0]  # prints as 0,0: no better
    assert "inte bättre än att alltid gissa" in equal and "sämre" not in equal and "0,0" not in equal, equal
    assert "no better than always guessing" in weakness_lines(_weak(0.0), "en")[0]
    assert "bara 2,0 procentenheter bättre" in weakness_lines(_weak(0.02), "sv")[0]  # as before


# ------------------------------------------------------------ 4. --k beside the dip's one group
def test_k_set_beside_the_dips_one_group_explains_bics_preference():
    """The reason read "the evidence alone gives one group (BIC 17123 against 17051 ...)"
    beside BIC figures that favour two types."""
    from behaviortypes.errors import SurveyQualityWarning
    from behaviortypes.i18n import reason_text
    from behaviortypes.segments import TypeFinder
    from behaviortypes.texts import Formatter, load_texts

    rng = np.random.default_rng(0)  # one population with one flat factor (tests/test_unimodal_split.py)
    X = pd.DataFrame(np.column_stack([rng.beta(1.7, 1.7, 1500) * 4, rng.normal(size=(1500, 3))]),
                     columns=["F1", "F2", "F3", "F4"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyQualityWarning)
        tf = TypeFinder(random_state=0, n_resamples=4, n_bootstrap=0, n_jobs=1, k_max=4, k=2).fit(X)
    assert tf.k_ == 2 and tf.k_by_evidence_ == 1
    codes = [c["code"] for c in tf.reason_code_]
    assert "k_reason_user_evidence_unimodal" in codes and "k_reason_user_evidence_one" not in codes
    assert "two types fit better by BIC (17051 against 17123 for one group), but the respondents have a " \
           "single mode along the line that separates the two (Hartigan's dip test, p = 0.87)" in tf.reason_
    sv = reason_text(tf.reason_code_, load_texts("sv"), Formatter("sv"))
    assert ("Enbart evidensen ger en enda grupp: två typer passar bättre enligt BIC (17\u202f051 mot 17\u202f123 för en "
            "grupp), men respondenterna har en enda topp längs linjen") in sv, sv
    assert "(Hartigans diptest, p = 0,87), så de är halvor av en grupp: 2 typer valdes med --k" in sv
