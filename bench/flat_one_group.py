"""Which studies can the sinh-arcsinh one group change? Screen, then the engine where it could.

Issue 13, session 17 (docs/choosing_k.md, "Session 17: a one group with sinh-arcsinh
margins"; measured, not adopted). The one-group candidate
(``segments.skewed.fit_shash_group``) would only lower the BIC of the k = 1 row, and the
engine calls one group iff no set of types has a BIC at least 10 below it. So a study called
one group stays one group, and a typed study can only move to k = 1, and only if
``BIC_shash < BIC_best_types + 10``.

``screen`` computes, per study, on the scores as the pipeline makes them (standardised as the
engine standardises them): the one-group BICs (Gaussian, Yeo-Johnson, sinh-arcsinh; as the
engine computes them) and an upper bound ``ub`` of the engine's best-types BIC: the BIC of a
scikit-learn full-covariance Gaussian mixture with the true number of types (2-4 when
there is none; ``n_init=2``, seed 0, ``reg_covar=1e-3`` as the engine's ridge). When
``bic_shash < ub + 10 + MARGIN`` (MARGIN = 100 for the engine's fits differing from ours)
a tighter bound ``ub_t`` is fitted too: the engine's shared-shape Gaussian and t mixtures
(``fit_mixture``, ``nu`` 4, 8, 16, 50 as the engine's) started from that mixture's
posteriors; ``flag`` is true when
``bic_shash < min(ub, ub_t) + 10 + MARGIN``. Only flagged studies can flip, and they get
``engine``.

``engine`` runs ``TypeFinder`` as the pipeline runs it (``score_rounding``, ``n_resamples=4``,
no BLRT, seed 0) and records k, the reason codes, every one-group BIC and the best types'
BIC (``best_multi``; the choice's other input). The session's engine rows were recorded with
the candidate in the engine (branch null80, commit ebe836d: ``bic_shash`` in the k = 1 row);
it was not adopted, so on the package as it is ``bic_shash`` is blank there.

Usage::

    nice -n 10 .venv/bin/python bench/flat_one_group.py screen field --field-seed 40 \\
        --per-kind 50 --out /tmp/s17/null80/screen_field.jsonl
    nice -n 10 .venv/bin/python bench/flat_one_group.py screen main|alt|real --out FILE
    nice -n 10 .venv/bin/python bench/flat_one_group.py engine field --only null80 \\
        --field-seed 80 --per-kind 1 --out FILE

One JSON line per study, appended as it goes (studies already in ``--out`` are skipped).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.mixture import GaussianMixture

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fieldlike import KINDS, make_fieldlike, pipeline_scores  # noqa: E402
from planted import factor_scores, make_planted, suite, suite_alt  # noqa: E402

from behaviortypes.segments import TypeFinder, fit_mixture, n_mixture_params  # noqa: E402
from behaviortypes.segments.skewed import fit_shash_group, fit_skewed_group  # noqa: E402
from _records import record, recorded_studies  # noqa: E402  (bench/, run as a script)

MARGIN = 100.0
REAL = ("bfi", "epi", "msq", "spi_b5")


def real_scores(name):
    """Factor scores of a real data set as ``bench/levels.py`` makes them (session 16)."""
    from behaviortypes.factors import FactorModel

    base = Path(__file__).resolve().parents[1] / "tests" / "data" / "real"
    d = pd.read_csv(base / f"{name}.csv.gz")
    d = d.loc[d.isna().mean(axis=1) < 0.1]
    d = d.fillna(d.median())  # a handful of missing cells: the median answer
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fm = FactorModel(random_state=0).fit(d)
        return fm.transform(d), fm.score_weights_per_point(), None


def studies(suite_name, args):
    """(name, maker of (scores, rounding, true k or None)) per study of the suite."""
    if suite_name == "field":
        kinds = args.kinds or list(KINDS)
        for seed in range(args.field_seed, args.field_seed + args.per_kind):
            for kind in kinds:
                def make(kind=kind, seed=seed):
                    st = make_fieldlike(kind, seed=seed, points=5)
                    return (*pipeline_scores(st, styles=True, rounding=True), int(st.k))
                yield f"{kind}{seed}", make
    elif suite_name == "real":
        for name in REAL:
            yield name, (lambda name=name: real_scores(name))
    else:
        settings = {"main": lambda: suite(24), "alt": lambda: suite_alt(8)}[suite_name]()
        for i, s in enumerate(settings):
            def make(s=s):
                st = make_planted(**s)
                return (*factor_scores(st, rounding=True), int(st.k))
            yield f"{suite_name}{i}", make


def one_group_bics(Z):
    n, d = Z.shape
    S = np.cov(Z, rowvar=False, bias=True) + 1e-3 * np.eye(d)
    gauss = stats.multivariate_normal(Z.mean(0), S).logpdf(Z).sum()
    yj, sh = fit_skewed_group(Z), fit_shash_group(Z)
    bic = lambda ll, p: float(-2 * ll + p * np.log(n))  # noqa: E731
    return dict(bic_gauss=round(bic(gauss, d + d * (d + 1) // 2), 1),
                bic_skewed=round(bic(yj.loglik, yj.n_params), 1),
                bic_shash=round(bic(sh.loglik, sh.n_params), 1),
                kurt=np.round(stats.kurtosis(Z), 2).tolist(),
                shash=np.round(sh.lambdas, 2).tolist())


def screen_row(name, k_true, X):
    Z = ((X - X.mean()) / X.std(ddof=0)).to_numpy()
    row = dict(study=name, n=int(Z.shape[0]), d=int(Z.shape[1]), **one_group_bics(Z))
    row["shash_wins"] = bool(row["bic_shash"] < min(row["bic_gauss"], row["bic_skewed"]))
    if k_true == 1:  # a study without types: called one group before, so after too
        return row
    ub = {}
    for k in ([k_true] if k_true and k_true >= 2 else [2, 3, 4]):
        gm = GaussianMixture(k, covariance_type="full", n_init=2, random_state=0,
                             reg_covar=1e-3).fit(Z)
        ub[k] = round(float(gm.bic(Z)), 1)
    row["ub"], row["ub_k"] = min(ub.values()), min(ub, key=ub.get)
    row["flag"] = bool(row["bic_shash"] < row["ub"] + 10 + MARGIN)
    if row["flag"]:  # a tighter bound: the engine's own models from that fit's posteriors
        k = row["ub_k"]
        resp = GaussianMixture(k, covariance_type="full", n_init=2, random_state=0,
                               reg_covar=1e-3).fit(Z).predict_proba(Z)
        w = np.ones(len(Z))
        fits = [fit_mixture(Z, w, resp, k, kind="scaled")]
        fits += [fit_mixture(Z, w, resp, k, kind="tscaled", nu=nu, max_iter=300)
                 for nu in (4.0, 8.0, 16.0, 50.0)]
        bics = [-2 * m.loglik + n_mixture_params(k, Z.shape[1], m.kind) * np.log(len(Z))
                for m in fits]
        row["ub_t"] = round(float(min(bics)), 1)
        row["flag"] = bool(row["bic_shash"] < min(row["ub"], row["ub_t"]) + 10 + MARGIN)
    return row


def engine_row(name, X, pp, resamples):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tf = TypeFinder(random_state=0, n_jobs=1, n_resamples=resamples,
                        n_bootstrap=0).fit(X, score_rounding=pp)
    ev = tf.evidence_
    multi = ev.loc[ev.index >= 2, "bic_best"]
    one = ev.loc[1]
    return dict(study=name, k=int(tf.k_), method=tf.method_, dequantized=bool(tf.dequantized_),
                reasons=[c["code"] for c in tf.reason_code_],
                bic_gauss=round(float(one["bic"]), 1), bic_t=round(float(one["bic_t"]), 1),
                bic_skewed=round(float(one["bic_skewed"]), 1),
                bic_shash=round(float(one.get("bic_shash", np.nan)), 1),
                best_multi=round(float(multi.min()), 1), k_best_multi=int(multi.idxmin()),
                bic_chosen=round(float(ev.loc[int(tf.k_), "bic_best"]), 1))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["screen", "engine"])
    ap.add_argument("suite", choices=["field", "main", "alt", "real"])
    ap.add_argument("--field-seed", type=int, default=40)
    ap.add_argument("--per-kind", type=int, default=50)
    ap.add_argument("--kinds", nargs="+", default=None)
    ap.add_argument("--only", nargs="+", default=None, help="only these study names")
    ap.add_argument("--resamples", type=int, default=4)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    done = recorded_studies(args.out)
    for name, make in studies(args.suite, args):
        if name in done or (args.only and name not in args.only):
            continue
        t = time.perf_counter()
        X, pp, k_true = make()
        row = (screen_row(name, k_true, X) if args.mode == "screen"
               else engine_row(name, X, pp, args.resamples))
        row["k_true"] = k_true
        row["secs"] = round(time.perf_counter() - t, 1)
        record(args.out, row)


if __name__ == "__main__":
    main()
