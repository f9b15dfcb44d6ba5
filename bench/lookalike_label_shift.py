"""Label shift or covariate shift: what the label-shift check says, and the error of each share.

Planted studies (three types, CRM columns x1, x2, education, age; base 20,000): the survey
is selected either on education and age (covariate shift: 1,500 respondents) or on the
type (label shift: 3,000 respondents, type 3 answering a third as often, type 2 twice as
often). For each seed prints the check's largest |SMD| and z, whether it rejects label
shift, and the largest error (points) of the raw predicted and of the EM-corrected shares
against the true base shares; then the SAPA spi case of trial 3
(``tests/data/spi_shift``, survey selected on education and age).

Usage::

    PYTHONPATH=. .venv/bin/python bench/lookalike_label_shift.py [--seeds 1 2 3 4 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from shift_study import decide, planted, select  # noqa: E402


def measure(crm, resp, y, truth):
    d = decide(crm, resp, y)
    raw, em, check, ident = d["raw"], d["em"], d["check"], d["ident"]
    w = check["worst"]
    return {"rejected": check["rejected"], "flagged": check["flagged"], "worst": w["statistic"],
            "smd": round(w["smd"], 3), "z": round(w["z"], 1), "identified": ident["identified"],
            "raw_err_pts": round(100 * float(np.max(np.abs(raw.mean(0) - truth))), 2),
            "em_err_pts": round(100 * float(np.max(np.abs(em - truth))), 2)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    for on, n in (("crm", 1_500), ("type", 3_000)):
        for seed in args.seeds:
            frame, t = planted(seed)
            pick = select(frame, t, seed + 10, on=on, n=n)
            resp = np.zeros(len(t), bool)
            resp[pick] = True
            truth = np.bincount(t, minlength=4)[1:] / len(t)
            print(json.dumps({"selection": on, "seed": seed, **measure(frame, resp, t[resp], truth)}))
    data = pd.read_csv(Path(__file__).parents[1] / "tests/data/spi_shift/spi_shift.csv.gz").set_index("customer_id")
    crm = data.drop(columns=[c for c in data.columns if c.startswith("true_p_")] + ["survey_type"])
    resp = data["survey_type"].notna().to_numpy()
    truth = data[[f"true_p_{t}" for t in (1, 2, 3, 4)]].mean().to_numpy()
    print(json.dumps({"selection": "spi education+age", **measure(crm, resp, data["survey_type"].to_numpy()[resp].astype(int), truth)}))


if __name__ == "__main__":
    main()
