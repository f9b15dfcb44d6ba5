"""The lookalike when the customer columns barely predict the type (issue 13, trial 2).

On poLCA's ``election`` data with age, education, gender and party as CRM columns the
classifier was no better than guessing the largest type, the prior-shift EM ran to its
iteration cap and drove the base shares to a corner (15.6 % -> 54.9 %, 3.6 % -> 0.0 %),
and ``lookalike`` took 334 s (the bootstrap's EM fell back to 5,000 plain EM iterations
per draw at the boundary of the simplex).

Here a ``behaviortypes.synth`` study (the demo's types, the small type under-sampled as in
``bench/lookalike_undersampled.py``) is discovered once with the true k, then the
lookalike is trained on customer files whose CRM columns are *shuffled across customers*
for a share ``f`` of them (``f = 1``: the columns say nothing about the type; ``f = 0``:
the study as made). For each ``f`` we print the identifiability measures
(``max_share_se``, the delta-method standard error of the corrected shares, which decides,
and ``sigma_min``), whether the correction was applied, the out-of-fold accuracy against
the largest type's share, the largest distance of the reported base shares from the
truth and from the survey, the widest interval, the unregularised EM estimate's largest
distance from the truth, and the seconds ``train_lookalike`` took.

Usage::

    .venv/bin/python bench/lookalike_weak_signal.py [--seed 0] [--customers 20000]
        [--shuffle 1.0 0.9 0.6 0.0]

Prints one JSON line per shuffle level. About a minute for discovery plus 10-20 s per level.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from behaviortypes import pipeline
from behaviortypes.lookalike import train_lookalike
from behaviortypes.synth import make_study

from lookalike_undersampled import SHARES, types  # noqa: E402  (bench/ is the script's folder)


def shuffled(customers: pd.DataFrame, share: float, seed: int) -> pd.DataFrame:
    """The CRM columns of a random ``share`` of the customers permuted among themselves."""
    rng = np.random.default_rng(seed)
    out = customers.copy()
    rows = np.flatnonzero(rng.random(len(out)) < share)
    for col in out.columns.drop("customer_id"):
        values = out[col].to_numpy().copy()
        values[rows] = values[rng.permutation(rows)]
        out[col] = values
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--shuffle", type=float, nargs="+", default=[1.0, 0.9, 0.6, 0.0])
    args = parser.parse_args(argv)
    seed = args.seed
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            make_study(tmp / "s", truth_dir=tmp / "truth", seed=seed, n_respondents=2500,
                       n_customers=args.customers, types=types())
            pipeline.discover(tmp / "s", tmp / "out", k=len(SHARES), seed=seed, n_resamples=10,
                              make_map=False)
        customers = pd.read_parquet(tmp / "s/customers.parquet")
        truth = pd.read_parquet(tmp / "truth/customers.parquet")
        read = dict(dtype={"respondent_id": str, "customer_id": str})
        resp_truth = pd.read_csv(tmp / "truth/respondents.csv", **read).set_index("respondent_id")
        assign = pd.read_csv(tmp / "out/assignments.csv", **read).set_index("respondent_id")
        # discovered type id -> its planted type (majority of its respondents)
        to_key = (pd.crosstab(assign["type_id"], resp_truth.loc[assign.index, "type"])
                  .idxmax(axis=1).to_dict())
        true_share = truth["type"].value_counts(normalize=True)
        for share in args.shuffle:
            path = tmp / f"customers_{share}.parquet"
            shuffled(customers, share, seed + 1).to_parquet(path, index=False)
            t0 = time.perf_counter()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = train_lookalike(tmp / "out", path, seed=seed)
            seconds = time.perf_counter() - t0
            card = result.card
            ident = card["base"]["identifiability"]
            rows = card["shares"]
            t = np.array([true_share.get(to_key[r["type_id"]], 0.0) for r in rows])
            got = np.array([r["corrected_share"] for r in rows])
            survey = np.array([r["linked_share"] for r in rows])
            em_estimate = {int(k): v for k, v in card["base"]["em_estimate"].items()}
            em = np.array([em_estimate[int(r["type_id"])] for r in rows])
            width = max(r["corrected_ci_high"] - r["corrected_ci_low"] for r in rows)
            print(json.dumps({
                "shuffled": share,
                "max_share_se": None if ident["max_share_se"] is None else round(ident["max_share_se"], 4),
                "sigma_min": round(ident["sigma_min"], 4),
                "corrected": card["base"]["corrected"],
                "accuracy": round(ident["accuracy"], 3), "largest_type": round(ident["majority_accuracy"], 3),
                "max_error_vs_truth": round(float(np.abs(got - t).max()), 4),
                "survey_max_error_vs_truth": round(float(np.abs(survey - t).max()), 4),
                "em_max_error_vs_truth": round(float(np.abs(em - t).max()), 4),
                "max_shift_from_survey": round(float(np.abs(got - survey).max()), 4),
                "widest_interval": round(float(width), 4),
                "em_iterations": card["base"]["em_iterations"],
                "warned": any("cannot be told apart" in str(w.message) for w in caught),
                "lookalike_s": round(seconds, 1),
            }), flush=True)


if __name__ == "__main__":
    main()
