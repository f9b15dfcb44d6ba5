"""How the random-responder screen does on planted studies and on real data (R psych's bfi).

Planted: ``behaviortypes.synth`` studies (5 seeds, 1,200 respondents, default flaw rates):
recall of each planted flaw (share left out) and precision (share of the left-out that
were planted flawed); the random screen's own recall on planted random responders.
Real: a survey folder (e.g. bfi) given as the first argument: how many are left out and why.

Usage: ``python bench/screen_random.py [SURVEY_DIR]``
"""

from __future__ import annotations

import sys
import tempfile
import warnings
from pathlib import Path

import pandas as pd

from behaviortypes import quality
from behaviortypes.readers import load_survey
from behaviortypes.synth import make_study


def planted(seeds=range(5)) -> pd.DataFrame:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            study = make_study(Path(tmp) / f"s{seed}", seed=seed, n_respondents=1200, n_customers=2000,
                               truth_dir=Path(tmp) / f"t{seed}")
            truth = pd.read_csv(Path(tmp) / f"t{seed}" / "respondents.csv", dtype={"respondent_id": str})
            flaw = truth.set_index("respondent_id")["flaw"]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = quality.screen(load_survey(Path(tmp) / f"s{seed}"))
            out = ~result.table["kept"].reindex(flaw.index)
            rnd = result.flags["random"].reindex(flaw.index)
            row = {"seed": seed, "left_out": int(out.sum()),
                   "precision": float((flaw[out] != "none").mean()),
                   "good_left_out": float(out[flaw == "none"].mean()),
                   "random_screen_on_good": int(rnd[flaw == "none"].sum())}
            for f in sorted(set(flaw) - {"none"}):
                row[f"recall_{f}"] = float(out[flaw == f].mean())
            row["random_screen_recall_random"] = float(rnd[flaw == "random"].mean())
            rows.append(row)
    return pd.DataFrame(rows)


def real(survey_dir: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = quality.screen(load_survey(survey_dir))
    n = len(result.table)
    counts = result.flags.sum().to_dict()
    return (f"{survey_dir}: {n - result.n_kept} of {n} left out ({(n - result.n_kept) / n:.1%}); "
            f"flags by screen {counts}")


if __name__ == "__main__":
    pd.set_option("display.width", 200)
    print(planted().round(3).to_string(index=False))
    if len(sys.argv) > 1:
        print(real(sys.argv[1]))
