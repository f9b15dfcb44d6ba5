"""Is a two-type split of one population unimodal? Screen, then the engine where it could act.

Issue 13, session 18 (docs/choosing_k.md, "Session 18: a dip test along the two-type split").
The rule (``segments/unimodal.py``): when the evidence chooses 2 types, one group is chosen
instead if Hartigan's dip of the respondents' positions on the 2-type fit's Fisher direction
has a p-value >= ``DIP_MIN_P`` (0.5). It can only act on a study whose choice is 2.

``screen`` computes per study, cheaply, on the scores as the pipeline makes them (standardised
as the engine standardises them): the dip and its p-value along the Fisher direction of a
scikit-learn 2-component full-covariance Gaussian mixture (``n_init=2``, seed 0,
``reg_covar=1e-3``; the answers' rounding added as noise, seed 0, as the engine does), and
that mixture's BIC at 2 and at 3 components. A study whose 2-type
split has p < 0.5 cannot be moved by the rule even if the engine chose 2.

``bound`` (for the studies whose 2-type split is unimodal by the screen): could the engine
choose 2? The engine's shared-shape Gaussian and t mixtures at 2 and 3 types from those
fits' posteriors (``gap32`` = BIC at 3 minus at 2; ``n_min3`` the smallest type at 3).

``engine`` runs ``TypeFinder`` as the pipeline runs it (``score_rounding``, ``n_resamples=4``,
no BLRT, seed 0) and records k with the rule (``k``) and without it (``k_before``: 2 when the
rule fired, else k — the rule draws its seed after every other, so nothing else moves), the
engine's own dip and p at k = 2 and the reason codes.

``probe`` is session 17's probe: two types of 650 and 550 respondents, within-type SD 0.6 on 4
features, centres apart along one feature by 2.4-4.0 within-type SDs, seeds 0-2, through
``TypeFinder`` (4 resamples, no BLRT, seed 0).

Usage::

    nice -n 10 .venv/bin/python bench/split_dip.py screen field --field-seed 40 \\
        --per-kind 50 --out /tmp/s18/dip/screen_field40.jsonl
    nice -n 10 .venv/bin/python bench/split_dip.py screen main|alt|real --out FILE
    nice -n 10 .venv/bin/python bench/split_dip.py engine field --only null80 \\
        --field-seed 80 --per-kind 1 --out FILE
    nice -n 10 .venv/bin/python bench/split_dip.py probe --out FILE

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
from sklearn.mixture import GaussianMixture

sys.path.insert(0, str(Path(__file__).resolve().parent))

from flat_one_group import studies  # noqa: E402  (the same suites and scores as session 17)

from behaviortypes.segments import (  # noqa: E402
    TypeFinder, fit_mixture, mixture_log_resp, n_mixture_params, split_dip)


class _Split:
    """A scikit-learn mixture's parameters as ``split_dip`` reads them."""

    def __init__(self, gm):
        self.weights, self.means, self.covs = gm.weights_, gm.means_, gm.covariances_


from _records import record, recorded_studies  # noqa: E402  (bench/, run as a script)
def screen_row(name, k_true, X, pp):
    scale = X.std(ddof=0)
    Z = ((X - X.mean()) / scale).to_numpy()
    gms = {k: GaussianMixture(k, covariance_type="full", n_init=2, random_state=0,
                              reg_covar=1e-3).fit(Z) for k in (2, 3)}
    rounding = None if pp is None else pp[list(X.columns)].to_numpy() / scale.to_numpy()[None, :]
    sd = split_dip(Z, _Split(gms[2]), seed=0, rounding=rounding)
    return dict(study=name, n=int(Z.shape[0]), d=int(Z.shape[1]), dip=round(sd.dip, 5),
                dip_p=round(sd.p, 4), unimodal=sd.unimodal,
                share2=round(float(gms[2].weights_.min()), 3),
                bic2=round(float(gms[2].bic(Z)), 1), bic3=round(float(gms[3].bic(Z)), 1))


def bound_row(name, k_true, X):
    """Could the engine choose 2? Its own shared-shape Gaussian and t mixtures (``fit_mixture``,
    ``nu`` 4-50) at 2 and 3 types, started from scikit-learn full mixtures' posteriors
    (``n_init=2``, seed 0): the BIC of each k's best, and the smallest hard-assigned type at 3.
    With 3 types eligible, 2 is chosen only if its BIC is within 10 of 3's (or lower), and
    the engine's multi-start fits at 2 are rarely more than a few points better than these."""
    Z = ((X - X.mean()) / X.std(ddof=0)).to_numpy()
    n, w, out = len(Z), np.ones(len(Z)), dict(study=name)
    for k in (2, 3):
        resp = GaussianMixture(k, covariance_type="full", n_init=2, random_state=0,
                               reg_covar=1e-3).fit(Z).predict_proba(Z)
        fits = [fit_mixture(Z, w, resp, k, kind="scaled")]
        fits += [fit_mixture(Z, w, resp, k, kind="tscaled", nu=nu, max_iter=300)
                 for nu in (4.0, 8.0, 16.0, 50.0)]
        bics = [-2 * m.loglik + n_mixture_params(k, Z.shape[1], m.kind) * np.log(n) for m in fits]
        best = fits[int(np.argmin(bics))]
        out[f"bic{k}e"] = round(float(min(bics)), 1)
        if k == 3:
            lab = np.argmax(mixture_log_resp(Z, best)[0], axis=1)
            out["n_min3"] = int(np.bincount(lab, minlength=3).min())
    out["gap32"] = round(out["bic3e"] - out["bic2e"], 1)  # negative: 3 types better
    return out


def engine_row(name, X, pp, resamples):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tf = TypeFinder(random_state=0, n_jobs=1, n_resamples=resamples,
                        n_bootstrap=0).fit(X, score_rounding=pp)
    ev = tf.evidence_
    codes = [c["code"] for c in tf.reason_code_]
    fired = "k_reason_one_group_unimodal" in codes
    two = ev.loc[2] if 2 in ev.index else None
    return dict(study=name, k=int(tf.k_), k_before=2 if fired else int(tf.k_), fired=fired,
                dip=None if two is None else round(float(two["dip"]), 5),
                dip_p=None if two is None else round(float(two["dip_p"]), 4),
                reasons=codes, bic1=round(float(ev.loc[1, "bic_best"]), 1),
                bic2=None if two is None else round(float(two["bic_best"]), 1),
                dequantized=bool(tf.dequantized_))


def probe_studies(seps=(2.4, 2.8, 3.2, 3.6, 4.0), seeds=(0, 1, 2)):
    """Two types (650, 550), SD 0.6 on 4 features, ``sep`` within-type SDs apart on one."""
    for sep in seps:
        for seed in seeds:
            def make(sep=sep, seed=seed):
                rng = np.random.default_rng(seed)
                means = np.zeros((2, 4))
                means[1, 0] = sep * 0.6
                X = pd.DataFrame(np.vstack([rng.normal(m, 0.6, size=(s, 4))
                                            for m, s in zip(means, (650, 550))]),
                                 columns=["F1", "F2", "F3", "F4"])
                return X, None, 2
            yield f"probe{sep}_s{seed}", make


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=["screen", "bound", "engine", "probe"])
    ap.add_argument("suite", nargs="?", choices=["field", "main", "alt", "real"])
    ap.add_argument("--field-seed", type=int, default=40)
    ap.add_argument("--per-kind", type=int, default=50)
    ap.add_argument("--kinds", nargs="+", default=None)
    ap.add_argument("--only", nargs="+", default=None, help="only these study names")
    ap.add_argument("--resamples", type=int, default=4)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    done = recorded_studies(args.out)
    todo = probe_studies() if args.mode == "probe" else studies(args.suite, args)
    for name, make in todo:
        if name in done or (args.only and name not in args.only):
            continue
        t = time.perf_counter()
        X, pp, k_true = make()
        row = (screen_row(name, k_true, X, pp) if args.mode == "screen"
               else bound_row(name, k_true, X) if args.mode == "bound"
               else engine_row(name, X, pp, args.resamples))
        row["k_true"] = k_true
        row["secs"] = round(time.perf_counter() - t, 1)
        record(args.out, row)


if __name__ == "__main__":
    main()
