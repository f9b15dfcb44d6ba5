"""Benchmark the types engine: time and peak memory of ``TypeFinder.fit``.

Emulates the discovery pipeline on planted studies of 1,000 / 5,000 / 20,000
respondents x 60 five-point items (6 latent dimensions x 10 items, 4 types):
EFA factor scores (minres + oblimin) -> ``TypeFinder(n_resamples=200).fit``.

Usage::

    .venv/bin/python bench/discover.py [--sizes 1000 5000 20000] [--resamples 200] [--jobs 2]

Peak memory is the maximum resident set size of this process and of the joblib
workers (``resource.getrusage``), in MiB. Timings depend on the machine's load.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from planted import factor_scores, make_planted  # noqa: E402

from behaviortypes.errors import SurveyQualityWarning  # noqa: E402
from behaviortypes.segments import TypeFinder  # noqa: E402


def _peak_mib() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return me, kids


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--resamples", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(f"{'n':>7} {'items':>5} {'k':>3} {'resamples':>9} {'fit_s':>7} {'efa_s':>6} "
          f"{'peak_main_MiB':>13} {'peak_worker_MiB':>15}")
    for n in args.sizes:
        st = make_planted(n=n, k=4, m=6, items_per_dim=(10, 10), min_dist=4.0,
                          seed=args.seed)
        t0 = time.perf_counter()
        X = factor_scores(st)
        t_efa = time.perf_counter() - t0
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SurveyQualityWarning)
            tf = TypeFinder(n_resamples=args.resamples, random_state=args.seed,
                            n_jobs=args.jobs).fit(X)
        t_fit = time.perf_counter() - t0
        me, kids = _peak_mib()
        print(f"{n:>7} {st.items.shape[1]:>5} {tf.k_:>3} {args.resamples:>9} "
              f"{t_fit:>7.1f} {t_efa:>6.1f} {me:>13.0f} {kids:>15.0f}", flush=True)


if __name__ == "__main__":
    main()
