"""The lookalike's bootstrap of the raw base shares (``priors.raw_share_intervals``): CPU seconds.

Two measures, both single-threaded as the lookalike runs:

1. ``--direct`` (default): a logistic lookalike (sigmoid calibration) fitted on 360 respondents
   with age, purchases and region as noise (the Swedish test study's customer columns), then
   ``raw_share_intervals`` (200 draws) on 1,360 base rows: CPU s, and the intervals, with and
   without the check-once context (``priors._checked_once``; same numbers expected to the last digit).
2. ``--cli DIR``: the Swedish test study (``tests/data/swedish``) discovered in ``DIR`` as
   ``tests/sharedcache.py`` does (``discover --no-map --resamples 10``, once), its ``kunder.csv``,
   then ``behaviortypes lookalike`` timed (children's CPU s) with the code of each ``--code`` root.

Usage::

    PYTHONPATH=. .venv/bin/python bench/lookalike_boot.py
    PYTHONPATH=. .venv/bin/python bench/lookalike_boot.py --cli /tmp/boot --code /work/main .
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def direct(seed: int = 0) -> None:
    from behaviortypes.lookalike import LookalikeModel, priors
    from behaviortypes.lookalike._features import prepare_features
    from behaviortypes.threads import one_thread

    rng = np.random.default_rng(seed)

    def crm(m: int) -> pd.DataFrame:
        return pd.DataFrame({"age": rng.integers(18, 80, m), "purchases": rng.poisson(3, m),
                             "region": rng.choice(["Nord", "Syd"], m)})

    x, y, base = crm(360), rng.choice([1, 2, 3, 4], 360, p=[.3, .3, .25, .15]), crm(1360)
    model = LookalikeModel(models=("logistic",), random_state=seed).fit(x, y)
    xp, bp = (prepare_features(f, model.feature_schema_, model.reference_date_) for f in (x, base))
    out = {}
    every = ("checked every draw", lambda _f: contextlib.nullcontext())
    once = ("checked once", priors._checked_once)
    for name, ctx in (every, once, once, every):  # twice each, alternated (a shared machine)
        keep = priors._checked_once
        priors._checked_once = ctx
        try:
            start = time.process_time()
            with one_thread():
                out[name] = priors.raw_share_intervals(model.pipeline_, xp, y, bp, classes=model.type_ids_,
                                                       point=[.25] * 4, random_state=seed)
            print(f"{name}: {time.process_time() - start:.2f} CPU s for 200 draws")
        finally:
            priors._checked_once = keep
    a, b = (out[k][["ci_low", "ci_high"]].to_numpy() for k in (every[0], once[0]))
    print("max |difference| of ci_low/ci_high:", float(np.abs(a - b).max()))


def cli(folder: Path, codes: list[str]) -> None:
    from clirun import bt
    from sharedcache import swedish_customers

    from swedish import study as swedish

    if not (folder / "ut").exists():
        swedish.write_csv_study(folder / "kundstudie")
        res = bt("discover", folder / "kundstudie", "--out", folder / "ut", "--no-map", "--resamples", 10)
        assert res.returncode == 0, res.stderr
        swedish_customers(folder / "kundstudie", folder / "kunder.csv")
    exe = str(Path(sys.executable).parent / "behaviortypes")
    for code in codes:
        work = folder / "ut_run"
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(folder / "ut", work)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        res = subprocess.run([exe, "lookalike", str(work), "--customers", str(folder / "kunder.csv")],
                             capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(Path(code).resolve())})
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        assert res.returncode == 0, res.stderr
        card = json.loads((work / "lookalike_card.json").read_text(encoding="utf-8"))
        print(f"{code}: lookalike {cpu:.2f} CPU s; model {card.get('chosen_model')}")
        print("   ", json.dumps({k: v for k, v in card.items() if "ci" in k or "share" in k})[:600])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", type=Path, help="folder for the Swedish study (made once)")
    parser.add_argument("--code", nargs="+", default=["."], help="code roots to time")
    args = parser.parse_args()
    if args.cli:
        cli(args.cli, args.code)
    else:
        direct()


if __name__ == "__main__":
    main()
