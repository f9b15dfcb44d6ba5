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
    parser.add_argument("--summary", default=None,
                        help="print the table of a JSONL file of rows instead of running")
    parser.add_argument("--skip", default=None, help="a JSONL file of rows already done")
    args = parser.parse_args(argv)
    if args.summary:
        summary([json.loads(line) for line in Path(args.summary).read_text().splitlines()
                 if line.strip()])
        return
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


def summary(rows: list[dict]) -> None:
    """Per kind: k right, the misses, ARI gap to the better of LDA/QDA with the right k,
    wall and CPU seconds per study (median)."""
    import numpy as np

    print("| kind | studies | k right | misses (true → chosen) | right k: gap within 0.03, mean, "
          "worst | wall s | CPU s |")
    print("|---|---|---|---|---|---|---|")
    for kind in KINDS:
        rs = [r for r in rows if r["kind"] == kind]
        if not rs:
            continue
        right = [r for r in rs if r["k"] == r["k_hat"]]
        miss = ", ".join(f"s{r['seed']} {r['k']} → {r['k_hat']}" for r in rs if r not in right)
        gaps = [r["gap"] for r in right if r.get("gap") is not None]
        gap = (f"{sum(g >= -0.03 for g in gaps)}/{len(gaps)}, {np.mean(gaps):+.3f}, {min(gaps):+.3f}"
               if gaps else "—")
        print(f"| {kind} | {len(rs)} | {len(right)}/{len(rs)} | {miss or '—'} | {gap} | "
              f"{np.median([r['secs'] for r in rs]):.0f} | {np.median([r['cpu_s'] for r in rs]):.1f} |")
    typed = [r for r in rows if r["k"] > 1]
    print(f"typed: {sum(r['k'] == r['k_hat'] for r in typed)}/{len(typed)}; null studies one "
          f"group: {sum(r['k_hat'] == 1 for r in rows if r['k'] == 1)}/"
          f"{sum(r['k'] == 1 for r in rows)}")


if __name__ == "__main__":
    main()
