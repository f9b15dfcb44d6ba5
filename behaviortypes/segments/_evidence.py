"""Evidence for the number of types: split-half resampling, stability, prediction strength.

Each resample splits the respondents at random into halves A and B and, for every
candidate k, clusters each half on its own (k-means, then a Gaussian mixture started
from it). From that one resample gives

* **stability** (Hennig 2007, clusterboot): the model fitted on a half predicts every
  respondent; for each type of the full-data solution the best Jaccard overlap with a
  type of the half-model; and the ARI between the two half-models' predictions;
* **prediction strength** (Tibshirani & Walther 2005): how often pairs of respondents
  that B's own clustering puts together are also put together by the model fitted
  on A (and vice versa); the minimum over types;
* **votes** for the consensus: each half-model's prediction, aligned to the full-data
  types (Hungarian on the contingency table), adds one vote per respondent.

Everything is computed in a worker function that takes explicit seeds, so the result
does not depend on ``n_jobs``.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score

from ..threads import one_thread
from ._models import (
    Mixture,
    fit_mixture,
    fit_mixture_multistart,
    mixture_log_resp,
    nearest_centroid,
    quick_kmeans,
    sample_mixture,
    split_starts,
)

__all__ = ["run_resamples", "jaccard_to_reference", "prediction_strength", "align",
           "run_blrt", "blrt_pvalue"]


def _contingency(a: np.ndarray, b: np.ndarray, ka: int, kb: int) -> np.ndarray:
    return np.bincount(a * kb + b, minlength=ka * kb).reshape(ka, kb)


def jaccard_to_reference(ref: np.ndarray, pred: np.ndarray, k_ref: int, k_pred: int):
    """Best Jaccard overlap of each reference type with a predicted type."""
    c = _contingency(ref, pred, k_ref, k_pred).astype(float)
    union = c.sum(1)[:, None] + c.sum(0)[None, :] - c
    with np.errstate(invalid="ignore", divide="ignore"):
        jac = np.where(union > 0, c / union, 0.0)
    return jac.max(axis=1)


def prediction_strength(own: np.ndarray, other: np.ndarray, k: int) -> float:
    """Tibshirani-Walther prediction strength: min over own types of co-membership."""
    c = _contingency(own, other, k, k).astype(float)
    n_j = c.sum(1)
    pairs = n_j * (n_j - 1)
    same = (c * (c - 1)).sum(1)
    ok = n_j >= 2
    if not ok.any():
        return 0.0
    return float(np.min(same[ok] / pairs[ok]))


def align(ref: np.ndarray, pred: np.ndarray, k: int) -> np.ndarray:
    """Relabel ``pred`` so its types match ``ref`` best (Hungarian on overlap)."""
    c = _contingency(ref, pred, k, k)
    rows, cols = linear_sum_assignment(-c)
    mapping = np.empty(k, int)
    mapping[cols] = rows
    return mapping[pred]


def _half_models(Z, w, idx, k, seed, ref_resp=None):
    """k-means and the shared-shape mixture on one half. The mixture is the better (by
    the half's likelihood) of a fit started from the half's k-means and one started from
    the full-data solution's posteriors: the half's maximum likelihood fit, as far as two
    starts find it (a single k-means start often misses a small type that the full-data
    search found, which made real small types look unstable)."""
    km_labels, centres, _ = quick_kmeans(Z[idx], w[idx], k, n_init=2, seed=seed)
    mix = fit_mixture(Z[idx], w[idx], km_labels, k, kind="scaled", max_iter=60, tol=1e-3)
    if ref_resp is not None:
        warm = fit_mixture(Z[idx], w[idx], ref_resp[idx], k, kind="scaled", max_iter=60,
                           tol=1e-3)
        if warm.loglik > mix.loglik:
            mix = warm
    return centres, mix


def _resample_task(Z, w, ks, ref_labels, seeds, n_ref_km, ref_resp=None):
    """Run a chunk of resamples; return per-resample statistics and summed votes."""
    with one_thread():
        return _resample_chunk(Z, w, ks, ref_labels, seeds, n_ref_km, ref_resp)


def _resample_chunk(Z, w, ks, ref_labels, seeds, n_ref_km, ref_resp=None):
    n = Z.shape[0]
    out = []
    votes = {k: np.zeros((n, k), np.int32) for k in ks}
    for seed in seeds:
        rng = np.random.default_rng(seed)
        perm = rng.permutation(n)
        halves = (perm[: n // 2], perm[n // 2 :])
        rec = {}
        for k in ks:
            # the halves' seeds depend on the resample and k only, so a k gives the same
            # result whichever other k are resampled with it
            sub_seeds = np.random.default_rng([int(seed), int(k)]).integers(0, 2**31 - 1, 2)
            preds_g, preds_k = [], []
            for h, idx in enumerate(halves):
                centres, mix = _half_models(Z, w, idx, k, int(sub_seeds[h]),
                                            None if ref_resp is None else ref_resp[k])
                log_resp, _ = mixture_log_resp(Z, mix)
                preds_g.append(np.argmax(log_resp, axis=1))
                preds_k.append(nearest_centroid(Z, centres))
            ref = ref_labels[k]
            ref_km = n_ref_km[k]
            jac = [jaccard_to_reference(ref, p, k, k) for p in preds_g]
            jac_km = [jaccard_to_reference(ref_km, p, k, k) for p in preds_k]
            a, b = halves
            ps = min(
                prediction_strength(preds_g[1][b], preds_g[0][b], k),
                prediction_strength(preds_g[0][a], preds_g[1][a], k),
            )
            ps_km = min(
                prediction_strength(preds_k[1][b], preds_k[0][b], k),
                prediction_strength(preds_k[0][a], preds_k[1][a], k),
            )
            rec[k] = dict(
                jaccard=np.vstack(jac),
                jaccard_km=np.vstack(jac_km),
                ari=adjusted_rand_score(preds_g[0], preds_g[1]),
                ari_km=adjusted_rand_score(preds_k[0], preds_k[1]),
                ps=ps,
                ps_km=ps_km,
            )
            rows = np.arange(n)
            for p in preds_g + preds_k:
                votes[k][rows, align(ref, p, k)] += 1
        out.append(rec)
    return out, votes


def run_resamples(Z, w, ks, ref_labels, ref_km, seeds, *, n_jobs, progress, ref_resp=None):
    """Run all resamples (in parallel when ``n_jobs != 1``); results in seed order.

    ``ref_resp`` (k -> full-data posteriors) adds a warm start to every half's mixture."""
    from joblib import Parallel, delayed

    seeds = list(seeds)
    n_chunks = max(1, min(len(seeds), 4 * max(1, _n_workers(n_jobs))))
    chunks = [c for c in np.array_split(np.asarray(seeds, dtype=np.int64), n_chunks) if c.size]
    tasks = (delayed(_resample_task)(Z, w, ks, ref_labels, c, ref_km, ref_resp)
             for c in chunks)
    results = []
    parallel = Parallel(n_jobs=n_jobs, return_as="generator")
    gen = parallel(tasks)
    if progress:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            job = bar.add_task("Resampling types", total=len(seeds))
            for chunk, res in zip(chunks, gen):
                results.append(res)
                bar.advance(job, len(chunk))
    else:
        results = list(gen)
    per_resample = [r for res, _ in results for r in res]
    votes = {k: sum(v[k] for _, v in results) for k in ks}
    return per_resample, votes


def _n_workers(n_jobs):
    import os

    if n_jobs is None:
        return 1
    if n_jobs < 0:
        return max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return n_jobs


# ------------------------------------------------------------------------ BLRT
def _blrt_task(null_model: Mixture, k: int, n: int, seeds, guard):
    with one_thread():
        return [_blrt_draw(null_model, k, n, int(s), guard) for s in seeds]


def _blrt_draw(null_model, k, n, seed, guard):
    """One parametric bootstrap draw of the k vs k-1 likelihood-ratio statistic.

    Data of ``n`` respondents are drawn from the fitted (k-1)-type model; the k-1 and
    k-type models are fitted to them (k-1 started from the generating model, k from
    splits of the two largest components of the k-1 fit and one k-means start, by em-EM)
    and ``2 (logL_k - logL_{k-1})`` is returned.
    """
    rng = np.random.default_rng(seed)
    Zb = sample_mixture(null_model, n, rng)
    wb = np.ones(n)
    k0 = k - 1
    kind = null_model.kind
    resp0 = np.exp(mixture_log_resp(Zb, null_model)[0]) if k0 > 1 else np.ones((n, 1))
    m0 = fit_mixture(Zb, wb, resp0, k0, kind=kind)
    # splits of the two largest components (where the generating model's extra type is
    # most likely sought) and one k-means start
    splits = split_starts(Zb, m0)
    starts = [splits[j] for j in np.argsort(-m0.weights)[:2]] + [
        quick_kmeans(Zb, wb, k, n_init=1, seed=int(rng.integers(2**31 - 1)))[0]]
    m1 = fit_mixture_multistart(Zb, wb, starts, k, kind=kind, n_keep=1, guard=guard)
    return 2.0 * (m1.loglik - m0.loglik)


def blrt_pvalue(observed: float, draws) -> float:
    """Bootstrap p-value ``(1 + #{draws >= observed}) / (B + 1)`` (Davison & Hinkley 1997)."""
    draws = np.asarray(draws, float)
    return float((1 + np.sum(draws >= observed)) / (draws.size + 1))


def run_blrt(null_models: dict, n: int, seeds: dict, guard, *, n_jobs):
    """Bootstrap likelihood-ratio test draws for every k in ``null_models`` (k -> the
    fitted (k-1)-type model), in parallel; returns k -> array of draws.

    McLachlan (1987); Nylund, Asparouhov & Muthen (2007): the LR statistic of k against
    k-1 types has no chi-square reference distribution, so it is compared with its
    distribution under data simulated from the fitted k-1 model.
    """
    from joblib import Parallel, delayed

    tasks, keys = [], []
    for k, model in null_models.items():
        for chunk in np.array_split(np.asarray(seeds[k], dtype=np.int64),
                                    max(1, min(len(seeds[k]), 2 * _n_workers(n_jobs)))):
            if chunk.size:
                tasks.append(delayed(_blrt_task)(model, k, n, chunk, guard))
                keys.append(k)
    out = {k: [] for k in null_models}
    for k, res in zip(keys, Parallel(n_jobs=n_jobs)(tasks)):
        out[k].extend(res)
    return {k: np.asarray(v) for k, v in out.items()}
