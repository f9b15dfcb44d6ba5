"""Speed and memory of mclust's hierarchical agglomeration as ported (segments/hc.py).

For n = 500, 1000, 2000 respondents and d = 4..8 dimensions (a planted mixture of four
Gaussian types with their own shapes), each in a fresh process after the kernels are
compiled (numba, cached on disk): seconds of ``hc_partitions(Z, 1..9)`` (SVD transform,
VVV agglomeration, cuts at G = 1..9) and the peak resident memory it added (MiB, from
``getrusage`` before and after), beside the packed cost table's size (n (n - 1) / 2
doubles). Above 2000 respondents ``hc_partitions`` agglomerates a subset of 2000, so
n = 2000 is the most it ever does. One JSON line per run, then a table.

Usage::

    .venv/bin/python bench/hc.py [--ns 500 1000 2000] [--ds 4 5 6 7 8]

The whole grid takes about a minute on one core.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
import numpy as np
from behaviortypes.segments import hc_partitions

n, d = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(n + d)
k = 4
truth = rng.integers(0, k, n)
centres = rng.normal(scale=3.0, size=(k, d))
shapes = [np.linalg.cholesky(np.cov(rng.normal(size=(d, 3 * d)))) for _ in range(k)]
X = centres[truth] + np.einsum("nij,nj->ni", np.stack(shapes)[truth], rng.normal(size=(n, d)))
hc_partitions(X[:50], range(1, 4))  # compile (or load the compiled kernels)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
hc_partitions(X, range(1, 10))
secs = time.perf_counter() - t
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(dict(n=n, d=d, secs=round(secs, 2), peak_mib=round((after - before) / 1024, 1),
                      table_mib=round(n * (n - 1) / 2 * 8 / 2**20, 1))))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ns", type=int, nargs="+", default=[500, 1000, 2000])
    ap.add_argument("--ds", type=int, nargs="+", default=[4, 5, 6, 7, 8])
    args = ap.parse_args()
    rows = []
    for n in args.ns:
        for d in args.ds:
            out = subprocess.run([sys.executable, "-c", CHILD, str(n), str(d)], check=True,
                                 capture_output=True, text=True, cwd=ROOT,
                                 env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
            row = json.loads(out.stdout.strip().splitlines()[-1])
            print(json.dumps(row), flush=True)
            rows.append(row)
    print("\n   n   d   seconds   peak MiB   cost table MiB")
    for r in rows:
        print(f"{r['n']:5d} {r['d']:3d} {r['secs']:9.2f} {r['peak_mib']:10.1f} "
              f"{r['table_mib']:16.1f}")


if __name__ == "__main__":
    main()
