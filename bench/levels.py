"""Are the kept types levels of one dimension? The statistic of
:func:`behaviortypes.stages.level_share` per study: the table in docs/choosing_k.md
("Session 16: types that are levels of one dimension").

Types are fitted as the pipeline fits them (factor scores, then ``TypeFinder``; few
resamples, as only the kept types' centres matter here). One JSON line per study.

Usage::

    nice -n 10 .venv/bin/python bench/levels.py field --first 40 --last 60
    nice -n 10 .venv/bin/python bench/levels.py main|real|onefactor|gcbs|demo
"""
from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from behaviortypes.segments import TypeFinder  # noqa: E402
from behaviortypes.stages import level_share  # noqa: E402


def fit_levels(X: pd.DataFrame, rounding=None, seed: int = 0) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = TypeFinder(n_resamples=2, random_state=seed).fit(X, score_rounding=rounding)
    sizes = f.proba_.sum(axis=0).to_numpy()
    return {"k": int(len(f.centroids_)), "m": int(X.shape[1]),
            **level_share(f.centroids_, sizes)}


def field(first: int, last: int) -> None:
    from fieldlike import KINDS, make_fieldlike, pipeline_scores
    for seed in range(first, last):
        for kind in KINDS:
            st = make_fieldlike(kind, seed=seed)
            X, r = pipeline_scores(st, seed=seed, rounding=True)
            print(json.dumps({"suite": "field", "kind": kind, "seed": seed, **fit_levels(X, r)}), flush=True)


def main_suite() -> None:
    from planted import factor_scores, make_planted, suite
    for i, s in enumerate(suite(24)):
        X, r = factor_scores(make_planted(**s), rounding=True)
        print(json.dumps({"suite": "main", "study": i, "k_true": s["k"], **fit_levels(X, r)}), flush=True)


def items_scores(items: pd.DataFrame) -> pd.DataFrame:
    from behaviortypes.factors import FactorModel
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fm = FactorModel(random_state=0).fit(items)
        return fm.transform(items), fm.score_weights_per_point()


def real() -> None:
    base = Path(__file__).resolve().parents[1] / "tests" / "data" / "real"
    for name in ("bfi", "epi", "msq", "spi_b5"):
        d = pd.read_csv(base / f"{name}.csv.gz")
        d = d.loc[d.isna().mean(axis=1) < 0.1]
        d = d.fillna(d.median())  # a handful of missing cells: the median answer
        X, r = items_scores(d)
        print(json.dumps({"suite": "real", "study": name, "n": len(d), **fit_levels(X, r)}), flush=True)


def onefactor(seeds=range(5), n: int = 1500, skewed: bool = True) -> None:
    """One strong general factor + 5 facets (3 statements each), no types, 5-point;
    ``skewed``: the general factor gamma(0.7)-distributed (most disbelieve, as GCBS),
    else normal (n = 1200). The same generator as ``tests/test_levels.py::gcbs_like``."""
    for seed in seeds:
        rng = np.random.default_rng(seed)
        g = rng.gamma(0.7, 1.0, size=n) if skewed else rng.normal(size=1200)
        g = (g - g.mean()) / g.std()
        cols = {}
        for f in range(5):
            s = rng.normal(size=len(g))
            for j in range(3):
                z = (0.85 * g + 0.3 * s + 0.4 * rng.normal(size=len(g)) if skewed
                     else 0.8 * g + 0.35 * s + 0.45 * rng.normal(size=len(g)))
                cols[f"gc{f}_{j}"] = np.clip(np.round((2.6 + 1.2 * z) if skewed else (3 + 1.1 * z)), 1, 5)
        X, r = items_scores(pd.DataFrame(cols))
        print(json.dumps({"suite": "onefactor", "skewed": skewed, "seed": seed, **fit_levels(X, r)}), flush=True)


def folder(path: str, name: str) -> None:
    c = pd.read_csv(Path(path) / "centroids.csv", index_col="type_id")
    s = pd.read_csv(Path(path) / "sizes.csv", index_col="type_id")
    print(json.dumps({"suite": name, "k": len(c), "m": c.shape[1],
                      **level_share(c, s.loc[c.index, "share"])}), flush=True)


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "field":
        field(int(sys.argv[sys.argv.index("--first") + 1]), int(sys.argv[sys.argv.index("--last") + 1]))
    elif what == "main":
        main_suite()
    elif what == "real":
        real()
    elif what == "onefactor":
        onefactor()
    else:  # a discovery folder: gcbs PATH, demo PATH
        folder(sys.argv[2], what)
