"""The rule on never-used seeds of the field-like generator, as users run it (session 20).

Every kind (and a null study) for each seed in ``--seeds A B`` (B exclusive), ordered
seed by seed so a partial run covers every kind; five-point answers, the response-style
decision and ``FactorModel`` as the pipeline does, ``TypeFinder`` with the package's
defaults (30 resamples, the four default models, ``n_jobs=2``, the answers' rounding).
One JSON line per study (``bench/choosing_k.py``'s row: k, k_hat, ARI, the better of a
cross-validated LDA and QDA, each k's BIC per model and each candidate fit's ARI) plus the
CPU seconds of this process and its live joblib workers.

    nice -n 10 .venv/bin/python bench/unseen_seeds.py --seeds 90 110 > /tmp/unseen.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from choosing_k import field_row  # noqa: E402
from discover import _cpu_s  # noqa: E402

KINDS = ("undersampled", "extreme", "shapes", "tails", "few_items", "null")
MODELS = ["scaled", "full", "tscaled", "tVEV"]  # the defaults, named so each k's BIC is recorded


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs=2, default=[90, 110])
    parser.add_argument("--kinds", nargs="+", default=list(KINDS))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--studies", nargs="+", default=None,
                        help="kind:seed pairs instead of --seeds/--kinds, e.g. shapes:46")
    parser.add_argument("--skip", default=None, help="a JSONL file of rows already done")
    args = parser.parse_args(argv)
    done = set()
    if args.skip and Path(args.skip).exists():
        rows = [json.loads(line) for line in Path(args.skip).read_text().splitlines() if line.strip()]
        done = {(r["kind"], r["seed"]) for r in rows}
    pairs = ([(s.split(":")[0], int(s.split(":")[1])) for s in args.studies] if args.studies
             else [(kind, seed) for seed in range(*args.seeds) for kind in args.kinds])
    for kind, seed in pairs:
        if (kind, seed) not in done:
            c0 = _cpu_s()
            row = field_row(kind, seed, None, args.jobs, models=MODELS)
            row.update(kind=kind, seed=seed, cpu_s=round(_cpu_s() - c0, 1))
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
