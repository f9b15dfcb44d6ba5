"""Would weighting the respondents to the customer base by their types find an under-sampled type?

Issue 13, session 15 (docs/choosing_k.md, "Session 15"). Field-like studies
(``tests/fieldlike.py``) draw respondents from a customer base with a response propensity per
type, so a type's share of the sample can be half its share of the base. Session 13 found that
weighting every respondent by the *true* 1/propensity of their type puts the missed small types
right; this bench estimates such weights as a user's data would allow:

1. a simulated CRM export: six features whose means differ by type (``--sep``; a linear
   discriminant trained on the true types reaches the accuracy printed as ``crm_acc``), for a
   base of 20 x n customers drawn with the study's base shares, and for every respondent from
   their true type (random responders: a type drawn with the base shares);
2. the engine's choice as the pipeline makes it (``TypeFinder`` on the pipeline's scores with
   the answers' rounding), k0;
3. the types of a candidate solution (mode ``next``: the fit with k0 + 1 types; ``chosen``:
   k0's own, iterated up to three times from each refit's types), a multinomial logistic
   regression of those types (posterior-weighted) on the respondents' CRM features, the base
   shares by Saerens' prior shift (``estimate_base_priors``) and a weight per respondent
   ``sum_j p_ij * base_j / sample_j``;
4. the engine's choice again with those survey weights (a design-weighted likelihood and BIC);
   ``oracle``: the weights of the true types, as session 13.

Usage::

    .venv/bin/python bench/base_weighted_k.py --kinds undersampled extreme --seeds 24 30 31 \\
        --modes next chosen oracle [--sep 0.6] [--resamples 4]

One JSON line per study: the truth k, the engine's k (``khat``) and ARI, the supervised ceiling
(``sup``, better of LDA/QDA cross-validated on the true types) and per mode the k and ARI after
weighting with the type ratios used. About 1-2 minutes per study and mode on a free core.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import adjusted_rand_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fieldlike import make_fieldlike, pipeline_scores, supervised_ari_best  # noqa: E402

from behaviortypes.lookalike import estimate_base_priors  # noqa: E402
from behaviortypes.segments import TypeFinder, mixture_log_resp  # noqa: E402

#: the evidence column of each default model's BIC
COLUMN = {"scaled": "bic", "full": "bic_full", "tscaled": "bic_t", "tVEV": "bic_t_vev"}


def simulated_crm(st, seed: int, sep: float, d: int = 6, factor: int = 20):
    """CRM features of the respondents and of a base of ``factor`` x n customers; the
    accuracy of an LDA trained on the base's true types (held-out half)."""
    rng = np.random.default_rng([777, seed, st.k])
    mu = rng.normal(0, sep, size=(st.k, d))
    n_base = factor * len(st.truth)
    base_type = rng.choice(st.k, size=n_base, p=st.base_shares)
    base = mu[base_type] + rng.standard_normal((n_base, d))
    t = st.truth.to_numpy()
    own = np.where(t > 0, t - 1, rng.choice(st.k, size=t.size, p=st.base_shares))
    resp = mu[own] + rng.standard_normal((t.size, d))
    half = n_base // 2
    acc = LinearDiscriminantAnalysis().fit(base[:half], base_type[:half]).score(base[half:], base_type[half:])
    return resp, base, float(acc)


def candidate_posteriors(tf, X, k: int) -> np.ndarray:
    """Posteriors of the best-BIC default model among ``tf``'s fits with ``k`` types."""
    Z = ((X - X.mean()) / X.std(ddof=0)).to_numpy()
    fits, ev = tf.candidates_[k], tf.evidence_.loc[k]
    usable = [m for m in fits if m in COLUMN and np.isfinite(ev.get(COLUMN[m], np.inf))]
    best = min(usable, key=lambda m: ev[COLUMN[m]]) if usable else next(iter(fits))
    return np.exp(mixture_log_resp(Z, fits[best])[0])


def base_weights(P: np.ndarray, crm_resp: np.ndarray, crm_base: np.ndarray):
    """Weight per respondent from the prior-shifted base shares of the types ``P``."""
    k = P.shape[1]
    X = np.vstack([crm_resp] * k)
    y = np.repeat(np.arange(k), crm_resp.shape[0])
    clf = LogisticRegression(max_iter=2000).fit(X, y, sample_weight=P.T.ravel())
    sample = P.mean(0)
    base, _ = estimate_base_priors(clf.predict_proba(crm_base), sample)
    ratio = base / sample
    w = P @ ratio
    return w / w.mean(), ratio


def fit(X, per_point, resamples: int, weights=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return TypeFinder(random_state=0, n_jobs=1, n_resamples=resamples).fit(
            X, sample_weight=weights, score_rounding=per_point)


def weighted_choice(mode, st, tf, X, per_point, crm, resamples):
    """k and types after weighting (``mode``: next, chosen or oracle)."""
    if mode == "oracle":
        t = st.truth.to_numpy()
        sample = np.bincount(t[t > 0] - 1, minlength=st.k) / (t > 0).sum()
        ratio = st.base_shares / sample
        w = np.where(t > 0, ratio[np.clip(t - 1, 0, None)], 1.0)
        return fit(X, per_point, resamples, w / w.mean()), ratio, []
    if mode == "next":
        if tf.k_ + 1 not in tf.candidates_:
            return None, None, []
        w, ratio = base_weights(candidate_posteriors(tf, X, tf.k_ + 1), *crm)
        return fit(X, per_point, resamples, w), ratio, []
    current, history = tf, []
    for _ in range(3):  # "chosen": from k0's own types, refitted until k settles
        P = candidate_posteriors(tf, X, tf.k_) if current is tf else current.proba_.to_numpy()
        w, ratio = base_weights(P, *crm)
        refit = fit(X, per_point, resamples, w)
        history.append(int(refit.k_))
        settled = refit.k_ == current.k_ and current is not tf
        current = refit
        if settled:
            break
    return current, ratio, history


def run(kind: str, seed: int, resamples: int, sep: float, modes) -> dict:
    st = make_fieldlike(kind, seed=seed)
    X, per_point = pipeline_scores(st, styles=True, rounding=True)
    good = st.good
    crm_resp, crm_base, acc = simulated_crm(st, seed, sep)
    tf = fit(X, per_point, resamples)
    row = dict(study=st.name, k=st.k, khat=int(tf.k_),
               ari=round(adjusted_rand_score(st.truth[good], tf.labels_[good]), 3),
               sup=round(supervised_ari_best(X, st.truth), 3), crm_acc=round(acc, 3))
    for mode in modes:
        t0 = time.perf_counter()
        refit, ratio, history = weighted_choice(mode, st, tf, X, per_point, (crm_resp, crm_base), resamples)
        if refit is None:
            continue
        row[mode] = dict(k=int(refit.k_), ari=round(adjusted_rand_score(st.truth[good], refit.labels_[good]), 3),
                         ratio=np.round(ratio, 2).tolist(), secs=round(time.perf_counter() - t0, 1))
        if history:
            row[mode]["history"] = history
    return row


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kinds", nargs="+", default=["undersampled", "extreme"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[24, 30, 31])
    ap.add_argument("--resamples", type=int, default=4)
    ap.add_argument("--sep", type=float, default=0.6, help="spread of the CRM features' type means")
    ap.add_argument("--modes", nargs="+", default=["next"], choices=["next", "chosen", "oracle"])
    args = ap.parse_args(argv)
    for kind in args.kinds:
        for seed in args.seeds:
            print(json.dumps(run(kind, seed, args.resamples, args.sep, args.modes)), flush=True)


if __name__ == "__main__":
    main()
