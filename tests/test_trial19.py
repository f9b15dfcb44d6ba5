"""Session 19's user trial on R poLCA's ``gss82`` (real, public; McCutcheon 1987): what it found.

Data: ``tests/data/real/gss82.csv.gz`` — 1,202 respondents of the 1982 General Social Survey,
four attitudes to surveys as poLCA codes them (1 = its first level): PURPOSE (good, depends,
waste of time), ACCURACY (mostly true, not true), UNDERSTA (good, fair/poor), COOPERAT
(interested, cooperative, impatient/hostile). Here they are recoded so that a higher number
is the more positive answer (README: higher = more agreement).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from behaviortypes.segments import TypeFinder

DATA = Path(__file__).parent / "data" / "real" / "gss82.csv.gz"
#: poLCA's number of levels per item (the recoding turns level c into levels + 1 - c)
LEVELS = {"PURPOSE": 3, "ACCURACY": 2, "UNDERSTA": 2, "COOPERAT": 3}
ITEMS = {"PURPOSE": ("purpose", "Surveys serve a good purpose (1 waste of time, 2 depends, 3 good)", "value"),
         "ACCURACY": ("accuracy", "Surveys are mostly true (1 not true, 2 mostly true)", "value"),
         "UNDERSTA": ("understand", "Understood the questions (1 fair/poor, 2 good)", "engagement"),
         "COOPERAT": ("cooperate", "Cooperation (1 impatient/hostile, 2 cooperative, 3 interested)",
                      "engagement")}


def gss_survey(folder: Path, *, recode: bool = True, scale: dict | None = None) -> Path:
    """A survey folder of gss82; ``recode=False`` leaves PURPOSE as poLCA codes it (1 = good)."""
    codes = pd.read_csv(DATA)
    answers = pd.DataFrame({ITEMS[c][0]: LEVELS[c] + 1 - codes[c] for c in LEVELS})
    if not recode:
        answers["purpose"] = codes["PURPOSE"]
    answers.insert(0, "respondent_id", [f"G{i:04d}" for i in range(1, len(answers) + 1)])
    folder.mkdir(parents=True)
    answers.to_csv(folder / "responses.csv", index=False)
    inst = {"name": "Attitudes towards surveys (GSS 1982)", "id_column": "respondent_id",
            "scale": scale or {"min": 1, "max": 3, "labels": {1: "Negative", 3: "Positive"}},
            "items": [{"id": i, "text": t, "reverse": False, "theme": th} for i, t, th in ITEMS.values()]}
    (folder / "instrument.yaml").write_text(yaml.safe_dump(inst, sort_keys=False, allow_unicode=True))
    return folder


def test_the_gss82_copy_is_poLCAs():
    """McCutcheon's (1987) table: 1,202 respondents, 419 in the all-first-levels cell."""
    codes = pd.read_csv(DATA)
    assert list(codes.columns) == list(LEVELS) and len(codes) == 1202
    assert codes["PURPOSE"].value_counts().to_dict() == {1: 919, 3: 179, 2: 104}
    assert codes["ACCURACY"].value_counts().to_dict() == {1: 625, 2: 577}
    assert int((codes == 1).all(axis=1).sum()) == 419


# ------------------------------------------------------------------ 1. k with no valid fit
def test_no_valid_fit_of_two_or_more_types_is_one_group():
    """Every fit of 2+ types set aside (collapsed) but one group fitted: nothing is
    evidence for types, so one group, with its own reason code and warning. Before: 2 types
    ("no valid mixture fit to compare"), skipping the comparison with one group."""
    tf = TypeFinder(models=("scaled", "full"))
    tf._n_eff = 1000.0
    nan = np.nan
    base = dict(min_share=[1.0, 0.3, 0.2, 0.1], min_share_hard=[1.0, 0.3, 0.2, 0.1],
                n_min=[1000.0, 300.0, 200.0, 100.0], nu_t=[50.0] * 4, nu_t_spreads=[50.0] * 4,
                jaccard_mean=[nan] * 4, jaccard_min=[nan] * 4, jaccard_small=[nan] * 4,
                bic=[3100.0, nan, nan, nan], bic_full=[3100.0, nan, nan, nan])
    ev = pd.DataFrame(base, index=pd.Index([1, 2, 3, 4], name="k"))
    ev.insert(0, "bic_best", [3044.0, nan, nan, nan])
    ev = tf._judge(ev, 3044.0)
    k, reason, warn = tf._choose(ev, bic1=3044.0)
    assert k == 1, reason
    assert [c["code"] for c in tf._reason_code] == ["k_reason_no_fit_one"]
    assert tf._reason_code[0]["values"] == {"bic_one": 3044}
    assert warn.code == "warn_one_group_no_fit" and "one group (k=1)" in str(warn)
    assert "BIC 3044" in reason


@pytest.mark.slow
def test_gss82_gives_the_same_number_of_types_for_every_seed(tmp_path):
    """The trial: seeds 19 and 3 gave 2 types "no valid mixture fit to compare" (every 2-type
    fit's starts collapsed onto the 419 respondents of one answer cell), seeds 1, 2, 7, 42 one
    group (a valid 2-type fit, one mode by the dip). Now one group at every seed."""
    from behaviortypes.readers import load_survey
    from behaviortypes.stages import run_factors, run_screen, run_types

    screen = run_screen(load_survey(gss_survey(tmp_path / "gss")))
    got = {}
    for seed in (19, 3, 1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            factors = run_factors(screen, seed=seed, cfa=False)
            finder = run_types(factors, seed=seed, n_resamples=4).finder
        got[seed] = (finder.k_, [c["code"] for c in finder.reason_code_])
    assert {k for k, _ in got.values()} == {1}, got
    assert not any("k_reason_no_fit" in codes for _, codes in got.values()), got
