"""Is the ARI gap a search failure or the estimate's own? EM from the true partition.

For every planted study of a suite this fits ``TypeFinder`` as the pipeline does and then,
at the **true** k, refits each candidate model by EM started from the true partition
(the oracle start; flawed respondents start in the type with the nearest true centre).
Two questions per study, for the model with the lowest BIC at the true k:

* ``search``: the log-likelihood the engine found minus the oracle start's. Negative
  by more than a rounding margin means the engine's starts (k-means, Ward, split-and-merge)
  missed a better optimum that better starts (e.g. mclust's hc) could find.
* ``ari`` / ``ari_oracle`` / ``supervised``: the ARI of the engine's partition, of the
  oracle-started maximum-likelihood fit, and the ceiling (the better of a 5-fold
  cross-validated LDA and QDA trained on the truth). When ``ari_oracle`` itself is more
  than 0.03 below the ceiling, no start can close the gap: it is the gap between an
  unsupervised maximum-likelihood estimate and a classifier that was shown the labels.

Usage::

    .venv/bin/python bench/oracle_start.py main|alt|field [--first 0] [--last N]

One JSON line per study, then a summary. ~8 s per study on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fieldlike import field_suite, make_fieldlike, pipeline_scores, supervised_ari_best  # noqa: E402
from planted import factor_scores, make_planted, suite, suite_alt  # noqa: E402

from behaviortypes.segments import TypeFinder, fit_mixture, mixture_log_resp  # noqa: E402


def oracle_labels(Z: np.ndarray, truth: np.ndarray, good: np.ndarray) -> np.ndarray:
    """0-based true types; flawed respondents join the nearest true centre."""
    types = np.sort(np.unique(truth[good]))
    centres = np.array([Z[good & (truth == t)].mean(axis=0) for t in types])
    lab = np.argmin(((Z[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
    lab[good] = np.searchsorted(types, truth[good])
    return lab


def study_row(name: str, X, truth: np.ndarray, good: np.ndarray, k: int) -> dict:
    """Fit the engine, then every model at the true k from the oracle start."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tf = TypeFinder(random_state=0, n_jobs=2).fit(X)
    Z = ((X - X.mean()) / X.std(ddof=0)).to_numpy()
    w = np.ones(len(Z))
    start = oracle_labels(Z, truth, good)
    row = dict(study=name, k=k, k_hat=int(tf.k_), supervised=round(supervised_ari_best(X, truth), 3))
    if tf.k_ == k:
        row["ari"] = round(adjusted_rand_score(truth[good], tf.labels_[good]), 3)
    fits = tf.candidates_.get(k, {})
    models = {}
    for kind, found in fits.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            oracle = fit_mixture(Z, w, start, k, kind=kind, nu=found.nu)

        def ari(m):
            return adjusted_rand_score(truth[good], np.argmax(mixture_log_resp(Z, m)[0], 1)[good])

        models[kind] = dict(search=round(found.loglik - oracle.loglik, 2),
                            ari_found=round(ari(found), 3), ari_oracle=round(ari(oracle), 3))
    row["models"] = models
    bic = tf.evidence_.loc[k]
    col = {"scaled": "bic", "full": "bic_full", "tscaled": "bic_t", "tspreads": "bic_t_spreads",
           "tVEV": "bic_t_vev", "VVE": "bic_vve", "VEV": "bic_vev", "tVVE": "bic_t_vve"}
    best = min((kd for kd in models if col.get(kd) in bic.index and np.isfinite(bic[col[kd]])),
               key=lambda kd: bic[col[kd]])
    row.update(best_model=best, **{f"best_{a}": b for a, b in models[best].items()})
    return row


def rows(suite_name: str, first: int, last: int | None):
    """Yield (name, X, truth, good, k) for the suite's typed studies."""
    if suite_name in ("main", "alt"):
        settings = suite(24) if suite_name == "main" else suite_alt(8)
        for s in settings[first:last]:
            st = make_planted(**s)
            if st.k > 1:
                yield st.name, factor_scores(st), np.asarray(st.truth), np.asarray(st.good), st.k
    else:
        for kind, seed in field_suite(3)[first:last]:
            st = make_fieldlike(kind, seed=seed)
            if st.k > 1:
                X = pipeline_scores(st, styles=True)
                yield st.name, X, np.asarray(st.truth), np.asarray(st.good), st.k


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite", choices=["main", "alt", "field"])
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--last", type=int, default=None)
    args = parser.parse_args(argv)
    out = []
    for name, X, truth, good, k in rows(args.suite, args.first, args.last):
        r = study_row(name, X, truth, good, k)
        out.append(r)
        print(json.dumps(r), flush=True)
    miss = [r for r in out if r["best_search"] < -1.0]
    right = [r for r in out if "ari" in r]
    print(f"# {args.suite}: {len(out)} typed studies; engine's best model at the true k below the "
          f"oracle start by > 1 log-likelihood unit: {len(miss)} "
          f"({', '.join(r['study'] for r in miss) or '-'})")
    if right:
        gap = np.array([r["ari"] - r["supervised"] for r in right])
        ogap = np.array([r["best_ari_oracle"] - r["supervised"] for r in right])
        print(f"# right k: {len(right)}; ARI within 0.03 of the ceiling: engine {int((gap >= -0.03).sum())}, "
              f"oracle-started fit of the same model {int((ogap >= -0.03).sum())}; mean gap engine "
              f"{gap.mean():+.3f}, oracle start {ogap.mean():+.3f}")


if __name__ == "__main__":
    main()
