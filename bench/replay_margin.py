"""Replay the choice of k offline for other parsimony margins (docs/choosing_k.md, session 14).

Reads the JSON lines of ``bench/choosing_k.py ... --models scaled full tscaled tVEV`` (each
study's BIC per k and model, eligibility and ARI per model) and applies the rule of
``TypeFinder._choose`` — one group unless types beat it by 10 BIC points; the lowest BIC among
eligible k; the fewest types within ``margin`` of it — for margins 0-10. At 10 it reproduces the
engine's choice (a study where it does not is printed as MISMATCH).

Usage::

    .venv/bin/python bench/choosing_k.py field --field-seed 60 --per-kind 10 --jobs 1 \\
        --models scaled full tscaled tVEV > f60.log
    .venv/bin/python bench/replay_margin.py f60.log
"""

from __future__ import annotations

import collections
import json
import math
import sys

MARGINS = (0, 2, 4, 6, 8, 10)
#: the evidence column of each model's BIC
COLUMN = {"scaled": "bic", "full": "bic_full", "tscaled": "bic_t", "tVEV": "bic_t_vev"}


def choose(evidence: dict, margin: float) -> int | None:
    e = {int(k): v for k, v in evidence.items()}
    best = {k: (v["bic_best"] if v["bic_best"] is not None else math.inf) for k, v in e.items() if k >= 2}
    if 1 in e and min(best.values()) > e[1]["bic_best"] - 10:
        return 1
    eligible = [k for k in best if e[k]["passes"] and math.isfinite(best[k])]
    if not eligible:
        return None
    low = min(eligible, key=best.get)
    return min(j for j in eligible if best[j] <= best[low] + margin)


def main(paths: list[str]) -> None:
    tally = collections.defaultdict(collections.Counter)
    for path in paths:
        for line in open(path, encoding="utf-8"):
            if not line.startswith("{"):
                continue
            row = json.loads(line)
            if "evidence" not in row:
                continue
            ev = row["evidence"]
            chosen = {m: choose(ev, m) for m in MARGINS}
            if chosen[10] != row["k_hat"]:
                print("MISMATCH", row["study"], row["k_hat"], chosen[10])
            for m, k in chosen.items():
                tally[m]["studies"] += 1
                tally[m]["k right"] += k == row["k"]
                if k == row["k"] and row["k"] > 1:
                    fits = ev[str(k)]
                    bics = {kd: fits.get(col) for kd, col in COLUMN.items() if fits.get(col) is not None}
                    model = min(bics, key=bics.get)
                    tally[m]["ARI within 0.03"] += row["ari_by"][str(k)][model] - row["supervised"] >= -0.03
            if len(set(chosen.values())) > 1:
                print(f"  {row['study']:40s} true {row['k']} " + " ".join(f"m{m}:{chosen[m]}" for m in MARGINS))
    for m in MARGINS:
        print(f"margin {m:>2}: " + ", ".join(f"{key} {n}" for key, n in tally[m].items()))


if __name__ == "__main__":
    main(sys.argv[1:])
