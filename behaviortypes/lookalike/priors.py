"""Prior-shift correction (Saerens EM) and calibration measures.

Survey respondents are not a random sample of customers: engaged types answer
more often, so a classifier trained on respondents carries the *survey's* type
shares as its priors. When the CRM behaviour of a type is the same among
respondents and non-respondents (label shift), the type shares of the whole base
can be estimated from the classifier's posteriors on the unlabelled base, and the
posteriors adjusted to them (Saerens, Latinne & Decaestecker, 2002). Whether the
survey differs from the base by label shift at all, and not in the CRM columns
themselves (covariate shift, where the raw predicted shares are right), is checked by
:func:`label_shift_check` (docs/lookalike.md).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "BOOTSTRAP_DRAWS",
    "base_share_intervals",
    "MAX_SHARE_SE",
    "shift_identifiability",
    "estimate_base_priors",
    "LABEL_SHIFT_MAX_SMD",
    "LABEL_SHIFT_MIN_Z",
    "crm_indicators",
    "CrmMoments",
    "label_shift_check",
    "describe_statistic",
    "raw_share_intervals",
    "RAW_BOOTSTRAP_DRAWS",
    "shift_posteriors",
    "expected_calibration_error",
    "calibration_table",
]


def _as_array(proba: np.ndarray | pd.DataFrame) -> np.ndarray:
    arr = np.asarray(proba, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"probabilities must be 2-D (n_rows, n_types), got shape {arr.shape}")
    return arr


def shift_posteriors(
    raw_proba: np.ndarray | pd.DataFrame,
    train_priors: Sequence[float] | np.ndarray | pd.Series,
    new_priors: Sequence[float] | np.ndarray | pd.Series,
) -> np.ndarray | pd.DataFrame:
    """Adjust posteriors from the training priors to new priors.

    ``p_new(y|x) ∝ p_raw(y|x) · new(y) / train(y)``, renormalised per row.

    Parameters
    ----------
    raw_proba : array-like of shape (n_rows, n_types)
        Posteriors of a classifier trained with ``train_priors``.
    train_priors, new_priors : array-like of shape (n_types,)
        Class shares in training and in the population scored.

    Returns
    -------
    ndarray or DataFrame
        Same shape (and labels, when ``raw_proba`` is a DataFrame).
    """
    arr = _as_array(raw_proba)
    train = np.asarray(train_priors, dtype=float)
    new = np.asarray(new_priors, dtype=float)
    if train.shape != (arr.shape[1],) or new.shape != (arr.shape[1],):
        raise ValueError(
            f"priors must have one value per type ({arr.shape[1]}), "
            f"got {train.shape} and {new.shape}"
        )
    ratio = np.divide(new, train, out=np.zeros_like(new), where=train > 0)
    adjusted = arr * ratio
    total = adjusted.sum(axis=1, keepdims=True)
    # a row whose every type has zero new prior keeps its raw posterior
    adjusted = np.where(total > 0, adjusted / np.where(total > 0, total, 1.0), arr)
    if isinstance(raw_proba, pd.DataFrame):
        return pd.DataFrame(adjusted, index=raw_proba.index, columns=raw_proba.columns)
    return adjusted


def estimate_base_priors(
    raw_proba: np.ndarray | pd.DataFrame,
    train_priors: Sequence[float] | np.ndarray | pd.Series,
    *,
    tol: float = 1e-6,
    max_iter: int = 1000,
) -> tuple[np.ndarray, int]:
    """Estimate the class shares of an unlabelled population by Saerens EM.

    Parameters
    ----------
    raw_proba : array-like of shape (n_rows, n_types)
        Calibrated posteriors of a classifier trained with ``train_priors``,
        evaluated on (a uniform sample of) the unlabelled population.
    train_priors : array-like of shape (n_types,)
        Class shares of the training data (as weighted in training).
    tol : float, default=1e-6
        Stop when no share moves by more than ``tol`` in an iteration.
    max_iter : int, default=1000
        Upper bound on EM iterations.

    Returns
    -------
    priors : ndarray of shape (n_types,)
        Estimated population shares (sum to one).
    n_iter : int
        Iterations used.

    Notes
    -----
    E step: ``p_s(y|x) ∝ p_raw(y|x) · π_s(y) / π_train(y)``; M step:
    ``π_{s+1}(y) = mean_x p_s(y|x)``. The EM maximises the base's likelihood
    ``sum_x log sum_y p_raw(y|x) π(y) / π_train(y)`` (concave in π); its maximum is
    found first by Newton's method on the simplex (active set: a share pushed to zero is
    held there while the gradient says so), started from ``π_train``, then confirmed by
    EM iterations from it (``n_iter`` counts both). Plain EM alone can need thousands of
    iterations when types overlap or the maximum is on the boundary. The estimate is
    the maximum-likelihood class mixture under label shift, only as good as the
    calibration of ``raw_proba``, and only identified when the classifier separates
    the types (:func:`shift_identifiability`).

    References
    ----------
    Saerens, M., Latinne, P., & Decaestecker, C. (2002). Adjusting the outputs of
    a classifier to new a priori probabilities: a simple procedure. *Neural
    Computation*, 14(1), 21–41.
    """
    arr = _as_array(raw_proba)
    if arr.shape[0] == 0:
        raise ValueError("no rows to estimate priors from")
    train = np.asarray(train_priors, dtype=float)
    train = train / train.sum()
    # Newton (active set) finds the maximum in a few steps where plain EM may need
    # thousands (overlapping types, a maximum on the boundary); EM steps then confirm it
    newton, steps = _newton_em(arr, train, train, tol=min(tol, 1e-9))
    if newton is None:
        return _plain_em(arr, train, train, tol=tol, max_iter=max_iter)
    priors, n_iter = _plain_em(arr, train, newton, tol=tol, max_iter=max(max_iter - steps, 1))
    return priors, steps + n_iter


def _plain_em(arr: np.ndarray, train: np.ndarray, start: np.ndarray, *, tol: float,
              max_iter: int) -> tuple[np.ndarray, int]:
    """Saerens EM iterations from ``start`` (E: shift the posteriors; M: their mean)."""
    priors = start.copy()
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        post = shift_posteriors(arr, train, priors)
        new = post.mean(axis=0)
        new = new / new.sum()
        delta = np.max(np.abs(new - priors))
        priors = new
        if delta < tol:
            break
    return priors, n_iter


def calibration_table(
    proba: np.ndarray | pd.DataFrame,
    labels: Sequence[int] | np.ndarray | pd.Series,
    *,
    classes: Sequence[int] | None = None,
    n_bins: int = 10,
    sample_weight: np.ndarray | None = None,
) -> pd.DataFrame:
    """Reliability table of the top-label confidence.

    Each row is one equal-width bin of the highest predicted probability:
    ``bin, low, high, n, weight, confidence`` (mean top probability),
    ``accuracy`` (share where the top type is the label) and ``gap``.
    Empty bins are left out.

    Parameters
    ----------
    proba : array-like of shape (n_rows, n_types)
    labels : array-like of shape (n_rows,)
        True type ids.
    classes : sequence of int, optional
        Type id of each probability column; defaults to ``1..n_types``, or to the
        ``p_<id>`` column names of a DataFrame.
    """
    arr = _as_array(proba)
    if classes is None:
        if isinstance(proba, pd.DataFrame):
            classes = [int(str(c).removeprefix("p_")) for c in proba.columns]
        else:
            classes = list(range(1, arr.shape[1] + 1))
    classes = np.asarray(classes)
    y = np.asarray(labels)
    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    conf = arr.max(axis=1)
    correct = (classes[arr.argmax(axis=1)] == y).astype(float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, n_bins - 1)
    rows = []
    for b in range(n_bins):
        mask = which == b
        if not mask.any():
            continue
        wb = w[mask]
        c = float(np.average(conf[mask], weights=wb))
        a = float(np.average(correct[mask], weights=wb))
        rows.append(
            {
                "bin": b + 1,
                "low": edges[b],
                "high": edges[b + 1],
                "n": int(mask.sum()),
                "weight": float(wb.sum()),
                "confidence": c,
                "accuracy": a,
                "gap": a - c,
            }
        )
    return pd.DataFrame(
        rows, columns=["bin", "low", "high", "n", "weight", "confidence", "accuracy", "gap"]
    )


def expected_calibration_error(
    proba: np.ndarray | pd.DataFrame,
    labels: Sequence[int] | np.ndarray | pd.Series,
    *,
    classes: Sequence[int] | None = None,
    n_bins: int = 10,
    sample_weight: np.ndarray | None = None,
) -> float:
    """Expected calibration error of the top-label confidence.

    ``ECE = Σ_b (w_b / W) · |accuracy_b − confidence_b|`` over equal-width bins
    of the highest predicted probability (Guo et al., 2017). 0 is perfect; 0.05
    means the stated confidence is off by five points on average.

    References
    ----------
    Guo, C., Pleiss, G., Sun, Y., & Weinberger, K. Q. (2017). On calibration of
    modern neural networks. *ICML*.
    """
    table = calibration_table(
        proba, labels, classes=classes, n_bins=n_bins, sample_weight=sample_weight
    )
    if table.empty:
        return float("nan")
    return float(np.sum(table["weight"] * table["gap"].abs()) / table["weight"].sum())


# ------------------------------------------------------------ identifiability
#: Largest standard error of a corrected base share (as a proportion) at which the
#: prior-shift correction is applied (see :func:`shift_identifiability`): 0.05 is ±10
#: points at 95 %. Measured (``bench/lookalike_weak_signal.py``, seed 0): a synth
#: study's classifier with out-of-fold accuracy 0.81 gives 0.014, and 0.02 / 0.037 with
#: 20 % / 40 % of the customers' CRM rows shuffled, 0.038 with 50 %; 0.28 with 60 %, 19 with 90 %;
#: poLCA's ``election`` with age, education, gender and party as CRM columns (accuracy
#: 0.446 against 0.443 for always guessing the largest type) gives 1.01.
MAX_SHARE_SE = 0.05


def shift_identifiability(
    oof_proba: np.ndarray | pd.DataFrame,
    labels: Sequence[int] | np.ndarray | pd.Series,
    *,
    base_proba: np.ndarray | pd.DataFrame | None = None,
    base_share: Sequence[float] | np.ndarray | None = None,
    classes: Sequence[int] | None = None,
    sample_weight: np.ndarray | None = None,
    max_se: float = MAX_SHARE_SE,
) -> dict:
    """Can the base's type shares be told apart from the survey's with this classifier?

    The prior-shift correction is only identified when the classifier separates the
    types. Its moment form (black-box shift estimation; Lipton, Wang & Smola 2018)
    solves ``C @ pi = mu``, where ``mu`` is the mean posterior on the base and column
    ``j`` of the *soft confusion matrix* ``C`` is the mean posterior among respondents
    of type ``j``; the EM's maximum satisfies the same equations when the posteriors are
    calibrated. When the posteriors hardly depend on the type, every column of ``C`` is
    near the survey's shares, ``C`` is near singular, the EM's likelihood is flat, and
    sampling noise of a fraction of a point in ``mu`` or ``C`` moves the estimate to a
    corner of the simplex. The delta method gives the estimate's covariance,
    ``C^-1 (Cov_base / N + sum_j pi_j^2 Cov_j / n_j) C^-T`` (base rows, and the
    respondents of each type behind ``C``); the shift is called identified when every
    share's standard error is at most ``max_se``.

    Parameters
    ----------
    oof_proba : array-like of shape (n_respondents, n_types)
        Out-of-fold posteriors of the respondents (``LookalikeModel.oof_proba_``).
    labels : array-like of shape (n_respondents,)
        Their type ids.
    base_proba : array-like of shape (n_base, n_types), optional
        Raw posteriors on (a uniform sample of) the base; without it the base's own
        sampling noise is left out (an infinite base).
    base_share : array-like of shape (n_types,), optional
        The estimate whose precision is judged (default: the respondents' shares).
    classes : sequence of int, optional
        Type id of each column (default ``1..n_types``).
    sample_weight : array-like, optional
        Survey weights (effective counts by Kish's formula).
    max_se : float, default=MAX_SHARE_SE
        Largest standard error of a share for the shift to count as identified.

    Returns
    -------
    dict
        ``share_se`` (standard error of each type's share, in ``classes`` order),
        ``max_share_se``, ``identified`` (``max_share_se <= max_se``), ``max_se``,
        ``sigma_min`` (smallest singular value of ``C``: 1 for a perfect classifier, 0
        for one whose posteriors ignore the type), ``accuracy`` (out-of-fold) and
        ``majority_accuracy`` (always guessing the largest type), ``log_loss``
        (out-of-fold) and ``prior_log_loss`` (predicting the survey's shares for
        everyone), and ``informative`` (the classifier beats guessing the largest type
        by a point of accuracy or cuts the prior-only log-loss by 10 %).

    References
    ----------
    Lipton, Z., Wang, Y.-X., & Smola, A. (2018). Detecting and correcting for label
    shift with black box predictors. *ICML*.
    Azizzadenesheli, K., Liu, A., Yang, F., & Anandkumar, A. (2019). Regularized
    learning for domain adaptation under label shifts. *ICLR*.
    """
    oof = _as_array(oof_proba)
    k = oof.shape[1]
    classes = np.asarray(list(range(1, k + 1)) if classes is None else classes)
    pos = {int(t): j for j, t in enumerate(classes)}
    y = np.array([pos[int(t)] for t in np.asarray(labels)])
    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    if oof.shape[0] != len(y):
        raise ValueError(f"oof_proba has {oof.shape[0]} rows, labels {len(y)}")
    share = np.bincount(y, weights=w, minlength=k) / w.sum()
    pi = share if base_share is None else np.asarray(base_share, dtype=float)
    cols, noise = [], np.zeros((k, k))
    for j in range(k):
        member = (y == j) & (w > 0)
        if not member.any():
            cols.append(np.zeros(k))
            continue
        wj = w[member]
        cols.append(np.average(oof[member], axis=0, weights=wj))
        n_eff = wj.sum() ** 2 / np.sum(wj**2)
        if n_eff > 1:
            noise += pi[j] ** 2 * np.cov(oof[member].T, aweights=wj) / n_eff
    c = np.column_stack(cols)
    if base_proba is not None:
        base = _as_array(base_proba)
        if len(base) > 1:
            noise += np.cov(base.T) / len(base)
    sigma = float(np.linalg.svd(c, compute_uv=False).min())
    if sigma > 1e-9:
        inv = np.linalg.pinv(c)
        se = np.sqrt(np.clip(np.diag(inv @ noise @ inv.T), 0.0, None))
    else:  # singular: no direction of the shift is pinned down
        se = np.full(k, np.inf)
    accuracy = float(np.average(oof.argmax(axis=1) == y, weights=w))
    log_loss = float(-np.average(np.log(np.clip(oof[np.arange(len(y)), y], 1e-15, None)), weights=w))
    prior_ll = float(-np.sum(share[share > 0] * np.log(share[share > 0])))
    majority = float(share.max())
    max_share_se = float(se.max())
    return {
        "share_se": [float(v) for v in se],
        "max_share_se": max_share_se,
        "identified": bool(max_share_se <= max_se),
        "max_se": float(max_se),
        "sigma_min": sigma,
        "accuracy": accuracy,
        "majority_accuracy": majority,
        "log_loss": log_loss,
        "prior_log_loss": prior_ll,
        "informative": bool(accuracy > majority + 0.01 or log_loss < 0.9 * prior_ll),
    }


# ------------------------------------------------------------ confidence intervals
#: Default bootstrap draws for :func:`base_share_intervals`. Efron & Tibshirani (1993)
#: advise 1,000+ for percentile intervals; with 500 each end is the mean of the ~12
#: draws beyond it, and the ends move by a few percent of the interval's width between
#: seeds, well under a point on any share (measured in docs/response_styles.md), at
#: half the time.
BOOTSTRAP_DRAWS = 500
#: Base rows used inside the bootstrap (a seeded uniform subsample of the EM sample);
#: the draws' *shifts* are computed on the same rows, so the subsample adds no noise of
#: its own to the interval.
BOOTSTRAP_BASE_ROWS = 5_000


def _log_proba(proba: np.ndarray) -> np.ndarray:
    return np.log(np.clip(proba, 1e-12, None))


#: Upper bound on the fitted inverse temperature: when the respondents' types are
#: (nearly) separable by the posteriors the likelihood keeps rising as the temperature
#: falls; beyond 20 the posteriors are 0/1 anyway.
_MAX_INVERSE_TEMPERATURE = 20.0


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=1, keepdims=True)


def _apply_bcts(logp: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """``softmax(s * log p + b)`` for ``theta = (s, b_2, ..., b_k)`` (``b_1 = 0``)."""
    return _softmax(theta[0] * logp + np.concatenate([[0.0], theta[1:]]))


def _fit_bcts(logp: np.ndarray, y: np.ndarray, w: np.ndarray,
              start: np.ndarray | None = None, max_iter: int = 50) -> np.ndarray:
    """Bias-corrected temperature scaling fitted by weighted Newton.

    ``softmax(s * log p + b)`` is a conditional logit, linear in ``theta = (s, b_2, ...,
    b_k)``, so the log-likelihood is concave and Newton with step halving converges in
    a few iterations. Returns ``theta``; ``s`` is the inverse temperature.
    """
    n, k = logp.shape
    rows = np.arange(n)
    wn = w / w.sum()
    onehot = np.zeros((n, k))
    onehot[rows, y] = 1.0
    theta = np.concatenate([[1.0], np.zeros(k - 1)]) if start is None else start.copy()

    def loglik(th):
        z = th[0] * logp + np.concatenate([[0.0], th[1:]])
        z = z - z.max(axis=1, keepdims=True)
        lse = np.log(np.exp(z).sum(axis=1))
        return float(np.sum(wn * (z[rows, y] - lse))), np.exp(z - lse[:, None])

    value, p = loglik(theta)
    for _ in range(max_iter):
        pl = p * logp
        mean_s = pl.sum(axis=1)
        grad = np.concatenate([[np.sum(wn * (logp[rows, y] - mean_s))],
                               (wn @ (onehot - p))[1:]])
        hess = np.empty((k, k))
        hess[0, 0] = np.sum(wn * ((pl * logp).sum(axis=1) - mean_s**2))
        cross = wn @ (pl - mean_s[:, None] * p)
        hess[0, 1:] = hess[1:, 0] = cross[1:]
        pw = p * wn[:, None]
        hess[1:, 1:] = (np.diag(pw.sum(axis=0)) - pw.T @ p)[1:, 1:]
        try:
            step = np.linalg.solve(hess + 1e-10 * np.eye(k), grad)
        except np.linalg.LinAlgError:
            break
        t = 1.0
        while True:
            new_value, new_p = loglik(theta + t * step)
            if new_value >= value - 1e-12 or t < 1e-6:
                break
            t /= 2
        theta, gain = theta + t * step, new_value - value
        value, p = new_value, new_p
        if abs(gain) < 1e-8:
            break
        if theta[0] > _MAX_INVERSE_TEMPERATURE:  # separable: sharper forever; stop there
            theta[0] = _MAX_INVERSE_TEMPERATURE
            value, p = loglik(theta)
            break
    return theta


def _newton_em(proba: np.ndarray, train: np.ndarray, start: np.ndarray, tol: float = 1e-9,
               max_iter: int = 100) -> tuple[np.ndarray | None, int]:
    """The Saerens EM's fixed point, reached by an active-set Newton method.

    The EM maximises the base's log-likelihood ``sum_x log sum_y a_xy pi_y`` with
    ``a_xy = p(y|x) / train_y`` over the simplex (concave); Newton steps with the
    equality constraint reach the same maximum in a handful of iterations where plain EM
    needs hundreds when types overlap. A share that a step would push below zero is set
    to zero and held there (the active set) while its gradient says so (KKT:
    ``g_y <= g_free``), so a maximum on the boundary of the simplex costs a few more
    Newton steps, not thousands of EM iterations. Returns ``(None, steps)`` if a Newton
    system is singular or the iterations run out.
    """
    a = proba / np.where(train > 0, train, np.inf)
    k = a.shape[1]
    pi = np.clip(start, 1e-6, None)
    pi = pi / pi.sum()
    free = np.ones(k, dtype=bool)
    steps = 0
    for steps in range(1, max_iter + 1):
        r = a @ pi
        r = np.where(r > 0, r, 1e-300)
        q = a / r[:, None]
        g = q.sum(axis=0)
        f = np.flatnonzero(free)
        kkt = np.zeros((len(f) + 1, len(f) + 1))
        kkt[:-1, :-1] = -(q[:, f].T @ q[:, f])
        kkt[:-1, -1] = kkt[-1, :-1] = 1.0
        try:
            step_f = np.linalg.solve(kkt, np.concatenate([-g[f], [0.0]]))[:-1]
        except np.linalg.LinAlgError:
            break
        if not np.all(np.isfinite(step_f)):
            break
        step = np.zeros(k)
        step[f] = step_f
        neg = step < 0
        t = 1.0
        if np.any(pi[neg] + step[neg] <= 0):
            t = float(np.min(pi[neg] / -step[neg]))
        new = np.clip(pi + t * step, 0.0, None)
        if t < 1.0:  # the step hit the boundary: hold the share(s) that reached it at zero
            hit = free & neg & (new <= pi * 1e-12 + 1e-15)
            if hit.sum() >= free.sum():
                break
            new[hit] = 0.0
            free &= ~hit
        new = new / new.sum()
        moved = np.max(np.abs(new - pi))
        pi = new
        if moved < tol and t == 1.0:
            # converged on the free set: release a held share whose gradient is larger
            r = a @ pi
            g = (a / np.where(r > 0, r, 1e-300)[:, None]).sum(axis=0)
            held = np.flatnonzero(~free)
            gain = g[held] - g[free].mean() if len(held) else np.empty(0)
            if len(held) == 0 or gain.max() <= 1e-9 * len(a):
                return pi, steps
            j = held[int(np.argmax(gain))]
            free[j] = True
            pi[j] = 1e-6
            pi = pi / pi.sum()
    return None, steps


def _em(proba: np.ndarray, train: np.ndarray, start: np.ndarray) -> np.ndarray:
    """The EM's maximum from ``start`` (Newton; 200 EM iterations if Newton fails)."""
    pi, _ = _newton_em(proba, train, start)
    if pi is None:
        pi, _ = _plain_em(proba, train, train, tol=1e-7, max_iter=200)
    return pi


def _resample_respondents(rng: np.random.Generator, y: np.ndarray, tries: int = 100) -> np.ndarray:
    """Row positions of one bootstrap draw: the respondents resampled with replacement as a
    whole, so that the types' counts vary as the survey's sampling makes them vary (resampling
    within each type held them fixed and left the survey's sampling error out of the interval:
    trial 8, "4.9 % [4.9 %, 5.2 %]" for a survey share of 5 % [4-6 %]). A draw that misses a
    type (possible only for a type of a handful of respondents) is drawn again."""
    present = np.unique(y)
    for _ in range(tries):
        idx = rng.integers(0, len(y), len(y))
        if len(np.unique(y[idx])) == len(present):
            break
    return idx


def base_share_intervals(
    base_proba: np.ndarray | pd.DataFrame,
    train_priors: Sequence[float] | np.ndarray | pd.Series,
    labels: Sequence[int] | np.ndarray | pd.Series,
    oof_proba: np.ndarray | pd.DataFrame,
    *,
    classes: Sequence[int] | None = None,
    sample_share: Sequence[float] | np.ndarray | pd.Series | None = None,
    sample_weight: np.ndarray | None = None,
    base_share: Sequence[float] | np.ndarray | None = None,
    corrected: bool = True,
    n_boot: int = BOOTSTRAP_DRAWS,
    level: float = 0.95,
    max_rows: int = BOOTSTRAP_BASE_ROWS,
    random_state: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Base shares from the prior-shift correction, with bootstrap confidence intervals.

    Parameters
    ----------
    base_proba : array-like of shape (n_base, n_types)
        Raw posteriors of the fitted classifier on the customer base (or the uniform
        sample of it that the EM uses), computed once.
    train_priors : array-like of shape (n_types,)
        The classifier's training shares (``LookalikeModel.train_priors_``).
    labels : array-like of shape (n_respondents,)
        The linked respondents' type ids.
    oof_proba : array-like of shape (n_respondents, n_types)
        The respondents' *out-of-fold* posteriors from the same kind of model
        (``LookalikeModel.oof_proba_``), columns in ``classes`` order.
    classes : sequence of int, optional
        Type id of each column; default ``1..n_types`` (or the ``p_<id>`` column names).
    sample_share : array-like of shape (n_types,), optional
        Each type's share of the survey sample for the table (default: the weighted
        shares of ``labels``).
    sample_weight : array-like of shape (n_respondents,), optional
        Survey weights of the linked respondents.
    base_share : array-like of shape (n_types,), optional
        The point estimate (default: :func:`estimate_base_priors` on ``base_proba``).
    corrected : bool, default=True
        Whether the reported base shares are the prior-shift corrected ones. When False
        (the correction is not identified, :func:`shift_identifiability`, or the survey
        differs from the base in the CRM columns themselves, :func:`label_shift_check`)
        the reported shares are the *raw predicted* ones (the mean posterior over the
        base; default point: the mean of ``base_proba``) and the interval is that of the
        mean posterior: each draw recalibrates the posteriors as below and takes their
        mean over the base, without the EM.
    n_boot : int, default=BOOTSTRAP_DRAWS (500)
        Bootstrap draws.
    level : float, default=0.95
        Confidence level of the percentile intervals.
    max_rows : int, default=BOOTSTRAP_BASE_ROWS (5,000)
        Base rows used in the bootstrap (a seeded uniform subsample when larger).
    random_state : int, Generator or None
        Seeds the resampling; same inputs and seed, same intervals.

    Returns
    -------
    DataFrame
        One row per type: ``type_id, sample_share, base_share, ci_low, ci_high``.

    Notes
    -----
    *What varies.* The base is the whole population being described (a census), and
    its posteriors are computed once; what is uncertain is the classifier, learned from
    a few hundred or thousand respondents, and in particular its *calibration*, on
    which the Saerens EM relies (the estimate is exactly right only when the posteriors
    are calibrated), and the survey's own sampling error of the type counts. Each draw
    resamples the respondents with replacement as a whole (so each type's count varies as
    the survey's sampling makes it vary; resampling within type held the counts fixed and,
    without the correction, gave intervals a tenth of the survey share's own: trial 8,
    "4.9 % [4.9 %, 5.2 %]" beside 5 % [4-6 %]), fits a bias-corrected
    temperature scaling (one temperature and one bias per type; Alexandari, Kundaje
    & Shrikumar 2020) to their out-of-fold posteriors, applies it to the base's
    posteriors and re-runs the EM with the draw's training shares. The draw's shift from
    the same computation on all respondents is added to ``base_share``; the interval is
    the ``(1 - level) / 2`` and ``(1 + level) / 2`` percentiles of these (clipped to
    [0, 1]). With ``corrected=False`` the same is done for the mean recalibrated
    posterior (the raw predicted share) instead of the EM's estimate.

    *Why not refit the classifier.* Refitting and re-scoring a base of 100,000
    customers per draw would cost a model fit plus a full scoring pass, hundreds of
    times. The recalibration is ``n_types`` parameters fitted on the respondents'
    posteriors (milliseconds), and the EM runs on at most ``max_rows`` base rows, warm
    started; both the full-sample and the bootstrap computations use the same rows,
    so the subsample adds no noise of its own to the shifts. The classifier's ranking
    of customers is held fixed; on planted data this interval covers the true base
    share in about 95 % of studies (``tests/test_priors.py``: 97.5 % of 120 shares with
    the correction; 92.5 % without it, for a random-sample survey whose CRM columns say
    nothing about the type, where within-type resampling covered 10 %).

    References
    ----------
    Alexandari, A., Kundaje, A., & Shrikumar, A. (2020). Maximum likelihood with
    bias-corrected calibration is hard-to-beat at label shift adaptation. *ICML*.
    Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*.
    Chapman & Hall.
    Saerens, M., Latinne, P., & Decaestecker, C. (2002). Adjusting the outputs of a
    classifier to new a priori probabilities. *Neural Computation*, 14, 21-41.
    """
    base = _as_array(base_proba)
    oof = _as_array(oof_proba)
    k = base.shape[1]
    if classes is None:
        frame = base_proba if isinstance(base_proba, pd.DataFrame) else None
        if frame is not None and all(str(c).startswith("p_") for c in frame.columns):
            classes = [int(str(c).removeprefix("p_")) for c in frame.columns]
        else:
            classes = list(range(1, k + 1))
    classes = np.asarray(classes)
    y_ids = np.asarray(labels)
    if oof.shape != (len(y_ids), k) or len(classes) != k:
        raise ValueError(f"oof_proba must be (n_respondents={len(y_ids)}, n_types={k}), "
                         f"got {oof.shape}")
    pos = {int(t): j for j, t in enumerate(classes)}
    unknown = sorted({int(t) for t in y_ids} - set(pos))
    if unknown:
        raise ValueError(f"labels hold type id(s) {unknown} with no probability column")
    y = np.array([pos[int(t)] for t in y_ids])
    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    train = np.asarray(train_priors, dtype=float)
    train = train / train.sum()
    if base_share is None:
        point = estimate_base_priors(base, train)[0] if corrected else base.mean(axis=0)
    else:
        point = np.asarray(base_share, dtype=float)
    if sample_share is None:
        sample = np.bincount(y, weights=w, minlength=k) / w.sum()
    else:
        sample = np.asarray(sample_share, dtype=float)
    if int(n_boot) < 1 or not 0 < level < 1:
        raise ValueError(f"need n_boot >= 1 and 0 < level < 1, got {n_boot} and {level}")

    rng = np.random.default_rng(random_state)
    if len(base) > max_rows:
        base = base[np.sort(rng.choice(len(base), max_rows, replace=False))]
    log_base, log_oof = _log_proba(base), _log_proba(oof)
    theta0 = _fit_bcts(log_oof, y, w)
    if corrected:
        ref = _em(_apply_bcts(log_base, theta0), np.bincount(y, weights=w, minlength=k) / w.sum(),
                  point)
    else:
        ref = _apply_bcts(log_base, theta0).mean(axis=0)
    draws = np.empty((int(n_boot), k))
    for b in range(int(n_boot)):
        idx = _resample_respondents(rng, y)
        wb, yb = w[idx], y[idx]
        theta = _fit_bcts(log_oof[idx], yb, wb, start=theta0)
        train_b = np.bincount(yb, weights=wb, minlength=k) / wb.sum()
        recal = _apply_bcts(log_base, theta)
        draws[b] = _em(recal, train_b, ref) if corrected else recal.mean(axis=0)
    tail = (1 - level) / 2
    low = np.clip(point + np.quantile(draws - ref, tail, axis=0), 0.0, 1.0)
    high = np.clip(point + np.quantile(draws - ref, 1 - tail, axis=0), 0.0, 1.0)
    return pd.DataFrame({"type_id": classes.astype(int), "sample_share": sample,
                         "base_share": point, "ci_low": low, "ci_high": high})


# ------------------------------------------------------------ label shift or covariate shift
#: Smallest standardised mean difference (base against the re-mix of the survey's types)
#: that counts as a real difference: 0.1 is the usual threshold of a negligible imbalance
#: between two groups (Austin 2009, propensity-score balance). See :func:`label_shift_check`.
LABEL_SHIFT_MAX_SMD = 0.1
#: ... and the difference must also be beyond this many standard errors of the re-mix
#: (the per-type means come from a few hundred linked respondents each; with some 10-60
#: statistics per study a 3-SE rule keeps the chance of a false alarm by noise near 5 %
#: over all of them, as a Bonferroni bound does).
LABEL_SHIFT_MIN_Z = 3.0


def crm_indicators(prepared: pd.DataFrame, schema: Sequence[dict]) -> pd.DataFrame:
    """The statistics the label-shift check compares, as one column each.

    For a numeric, boolean or date column ``c`` (as the model prepares it): ``c`` (its
    value, missing where missing: the check compares means of the observed values) and
    ``c: missing`` (0/1). For a categorical column: ``c = level`` (0/1) for each level
    of the schema and ``c: missing``.

    Parameters
    ----------
    prepared : DataFrame
        Columns as :func:`behaviortypes.lookalike.LookalikeModel` prepares them (numbers
        as float, categories as text).
    schema : sequence of dict
        The model's ``feature_schema_`` (``name``, ``kind``, ``categories``).
    """
    out: dict[str, pd.Series] = {}
    for spec in schema:
        name = spec["name"]
        if name not in prepared.columns:
            continue
        col = prepared[name]
        if spec["kind"] == "categorical":
            text = col.astype(object)
            for level in spec.get("categories", []):
                out[f"{name} = {level}"] = (text == level).astype(float)
        else:
            out[name] = pd.to_numeric(col, errors="coerce").astype(float)
        out[f"{name}: missing"] = col.isna().astype(float)
    return pd.DataFrame(out, index=prepared.index)


#: :class:`CrmMoments` sums its values per binary exponent (``np.frexp``), offset to bins 0..
_EXP_OFFSET, _EXP_BINS = 1075, 2100


class CrmMoments:
    """Streaming sums of :func:`crm_indicators` over a customer base (one pass, any size).

    ``update(indicators)`` per batch; :meth:`table` gives ``mean``, ``sd`` and ``n``
    (observed values) per statistic.
    """

    #: per numeric statistic, this many of its largest and smallest values are kept, so that
    #: values that look like missing codes can be taken out of its sums afterwards (trial 23)
    EXTREMES = 1000

    def __init__(self) -> None:
        self._s: dict[str, np.ndarray] = {}  # per statistic: sums per binary exponent (_EXP_BINS)
        self._ss: dict[str, np.ndarray] = {}
        self._c: dict[str, np.ndarray] = {}  # observed values per binary exponent (their sum: n)
        # per numeric statistic: (values, counts) of its EXTREMES smallest and largest distinct values
        self._ends: dict[str, tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]] = {}
        self.n_rows = 0

    def update(self, indicators: pd.DataFrame) -> None:
        """Add a batch of :func:`crm_indicators`."""
        self.n_rows += len(indicators)
        values = indicators.to_numpy(float)
        seen = np.isfinite(values)
        filled = np.where(seen, values, 0.0)
        # sums per binary exponent of the value: a code of 999999999 in 5,000 rows does not swamp
        # the other values' sums, so it can be taken out afterwards without losing them
        _, exps = np.frexp(filled)
        bins = np.clip(exps + _EXP_OFFSET, 0, _EXP_BINS - 1)
        for j, name in enumerate(indicators.columns):
            b = bins[:, j]
            self._s[name] = self._s.get(name, 0.0) + np.bincount(b, weights=filled[:, j], minlength=_EXP_BINS)
            self._ss[name] = self._ss.get(name, 0.0) + np.bincount(b, weights=filled[:, j] ** 2,
                                                                   minlength=_EXP_BINS)
            self._c[name] = self._c.get(name, 0) + np.bincount(b[seen[:, j]], minlength=_EXP_BINS)
            if " = " not in name and not name.endswith(": missing"):  # a number: keep its ends
                empty = (np.empty(0), np.empty(0))
                low, high = self._ends.get(name, (empty, empty))
                v = values[seen[:, j], j]
                self._ends[name] = (_counted(low, v, self.EXTREMES, largest=False),
                                    _counted(high, v, self.EXTREMES, largest=True))

    def extremes(self, name: str) -> np.ndarray:
        """The smallest and largest values seen of a numeric statistic (up to
        :attr:`EXTREMES` of each end)."""
        empty = (np.empty(0), np.empty(0))
        (low, _), (high, _) = self._ends.get(name, (empty, empty))
        return np.unique(np.r_[low, high])

    def table(self, without: Mapping[str, tuple[float, float]] | None = None) -> pd.DataFrame:
        """``mean, sd, n`` per statistic (index: the statistic's name); ``without``: per
        numeric statistic the ``(low, high)`` outside which its values are left out (when
        the kept ends hold them all)."""
        rows = {}
        for name, c in self._c.items():
            n = float(c.sum())  # the observed values (one state: the counts per binary exponent)
            s, ss = self._s[name].copy(), self._ss[name].copy()
            if without and name in without and name in self._ends:
                lo, hi = without[name]
                (low, c_low), (high, c_high) = self._ends[name]
                # every row of a value kept is counted (a code repeated 5,000 times is 5,000 rows)
                out = np.r_[low[low < lo], high[high > hi]]
                counts = np.r_[c_low[low < lo], c_high[high > hi]]
                b = np.clip(np.frexp(out)[1] + _EXP_OFFSET, 0, _EXP_BINS - 1)
                np.subtract.at(s, b, counts * out)
                np.subtract.at(ss, b, counts * out * out)
                left = self._c[name].astype(float)
                np.subtract.at(left, b, counts)
                s[left <= 0], ss[left <= 0] = 0.0, 0.0  # a bin of the left-out values alone: exactly none
                n -= float(counts.sum())
            s, ss = math.fsum(s), math.fsum(ss)
            if n <= 0:
                continue
            mean = s / n
            var = max(ss / n - mean**2, 0.0)
            rows[name] = {"mean": mean, "sd": float(np.sqrt(var)), "n": n}
        return pd.DataFrame.from_dict(rows, orient="index", columns=["mean", "sd", "n"])


def _counted(kept: tuple[np.ndarray, np.ndarray], values: np.ndarray, keep: int, *,
             largest: bool) -> tuple[np.ndarray, np.ndarray]:
    """The ``keep`` smallest (or largest) distinct values of ``kept`` and ``values`` together,
    each with how many rows hold it (:class:`CrmMoments`' ends)."""
    seen, counts = kept
    u, inv = np.unique(np.r_[seen, values], return_inverse=True)
    c = np.bincount(inv.ravel(), weights=np.r_[counts, np.ones(len(values))], minlength=len(u))
    return (u[-keep:], c[-keep:]) if largest else (u[:keep], c[:keep])


def implausible_bounds(moments: CrmMoments, sample: pd.DataFrame, respondents: pd.DataFrame,
                       schema: Sequence[dict]) -> dict[str, dict[str, Any]]:
    """Per numeric CRM column whose values include some that look like missing codes or lie
    far outside the rest (:func:`behaviortypes.describe.plausible.implausible_values` on a
    uniform sample of the base, the linked respondents and the base's extreme values):
    ``{"bounds": (low, high), "values": [...], "n": count in the base}``. The label-shift
    check leaves such values out (user trial 23: ages of 1e9 made the base's SD 7.1e6, the
    age column's standardised difference about 0, and the check could not see the column
    the survey was selected on)."""
    from ..describe.plausible import implausible_values

    found: dict[str, dict[str, Any]] = {}
    for spec in schema:
        name = spec["name"]
        if spec.get("kind") != "numeric" or name not in sample.columns:
            continue
        ends = moments.extremes(name)
        pool = pd.concat([pd.to_numeric(sample[name], errors="coerce"),
                          pd.to_numeric(respondents.get(name, pd.Series(dtype=float)), errors="coerce"),
                          pd.Series(ends)], ignore_index=True).dropna()
        flagged = implausible_values(pool)
        if flagged.empty:
            continue
        mid = float(pool.median())
        high, low = flagged[flagged > mid], flagged[flagged < mid]
        bounds = (float(np.nextafter(low.max(), np.inf)) if len(low) else -np.inf,
                  float(np.nextafter(high.min(), -np.inf)) if len(high) else np.inf)
        outside = ends[(ends < bounds[0]) | (ends > bounds[1])]
        n_base = int(moments.table().loc[name, "n"] - moments.table({name: bounds}).loc[name, "n"])
        found[name] = {"bounds": bounds, "values": sorted(set(outside.tolist()), key=lambda v: -abs(v - mid)),
                       "n": n_base}
    return found


def label_shift_check(
    indicators: pd.DataFrame,
    labels: Sequence[int] | np.ndarray | pd.Series,
    base: pd.DataFrame,
    priors: Sequence[float] | np.ndarray,
    *,
    classes: Sequence[int],
    sample_weight: np.ndarray | None = None,
    max_smd: float = LABEL_SHIFT_MAX_SMD,
    min_z: float = LABEL_SHIFT_MIN_Z,
) -> dict:
    """Does the survey differ from the base only in its mix of types (label shift)?

    The prior-shift correction assumes that the customers of one type look alike in the
    survey and in the base (``p(CRM | type)`` is the same: the survey over- or
    under-samples *types*). Then the base's CRM distribution is a re-mix of the linked
    respondents' per-type CRM distributions with the corrected shares: for every
    statistic ``f`` (a numeric column's mean, a category's share, a column's share of
    missing values) ``E_base[f] = sum_y pi_y E_survey[f | y]``. When the survey selected
    people on the CRM columns themselves (education, age: covariate shift), it is
    ``p(type | CRM)`` that carries over, the raw predicted shares are right and the
    correction is wrong; the re-mix then misses the base on the columns selected on.

    Each statistic's base value is compared with its re-mix: ``smd`` is the difference in
    the base's standard deviations, ``z`` in standard errors of the re-mix (the sampling
    error of the per-type means of the linked respondents, ``sum_y (pi_y o_y / S)^2
    var_y / n_y``; the base is a census). Label shift is *rejected* when some statistic
    has ``|smd| > max_smd`` and ``|z| > min_z``: a difference both too large to matter
    little and too large to be noise.

    Parameters
    ----------
    indicators : DataFrame of shape (n_respondents, n_statistics)
        :func:`crm_indicators` of the linked respondents.
    labels : array-like of shape (n_respondents,)
        Their type ids.
    base : DataFrame
        :meth:`CrmMoments.table` of the base (index: the statistics).
    priors : array-like of shape (n_types,)
        The corrected base shares, in ``classes`` order.
    classes : sequence of int
        Type id of each share.
    sample_weight : array-like, optional
        Survey weights of the respondents.
    max_smd, min_z : float
        The rule (:data:`LABEL_SHIFT_MAX_SMD`, :data:`LABEL_SHIFT_MIN_Z`).

    Returns
    -------
    dict
        ``rejected`` (bool), ``max_smd``/``min_z`` (the rule), ``worst`` (the flagged
        statistic with the largest ``|smd|``, or the largest overall when none is
        flagged: ``statistic, column, base, remix, smd, z``; None without statistics) and
        ``flagged`` (the names of the flagged statistics, largest first).

    References
    ----------
    Lipton, Z., Wang, Y.-X., & Smola, A. (2018). Detecting and correcting for label
    shift with black box predictors. *ICML* (label shift against covariate shift).
    Austin, P. C. (2009). Balance diagnostics for comparing the distribution of baseline
    covariates between treatment groups in propensity-score matched samples.
    *Statistics in Medicine*, 28, 3083-3107.
    """
    y = np.asarray(labels)
    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    pi = np.asarray(priors, dtype=float)
    rows = []
    for name in indicators.columns:
        if name not in base.index or not base.loc[name, "sd"] > 0:
            continue
        values = indicators[name].to_numpy(float)
        num = den = var = 0.0
        parts = []
        for j, t in enumerate(classes):
            member = (y == t) & (w > 0)
            wt = w[member]
            if wt.sum() <= 0:
                continue
            v = values[member]
            seen = np.isfinite(v)
            o = float(wt[seen].sum() / wt.sum())
            if not seen.any():
                continue
            mu = float(np.average(v[seen], weights=wt[seen]))
            vy = float(np.average((v[seen] - mu) ** 2, weights=wt[seen]))
            n_eff = wt[seen].sum() ** 2 / np.sum(wt[seen] ** 2)
            parts.append((pi[j] * o, mu, vy / max(n_eff, 1.0)))
            num += pi[j] * o * mu
            den += pi[j] * o
        if den <= 0:
            continue
        remix = num / den
        var = sum((a / den) ** 2 * v for a, _, v in parts)
        diff = float(base.loc[name, "mean"] - remix)
        smd = diff / float(base.loc[name, "sd"])
        z = diff / np.sqrt(var) if var > 0 else (np.inf if diff else 0.0)
        column = name.split(" = ")[0].removesuffix(": missing")
        rows.append({"statistic": name, "column": column, "base": float(base.loc[name, "mean"]),
                     "remix": float(remix), "smd": float(smd), "z": float(z)})
    table = pd.DataFrame(rows, columns=["statistic", "column", "base", "remix", "smd", "z"])
    if table.empty:
        return {"rejected": False, "max_smd": max_smd, "min_z": min_z, "worst": None, "flagged": []}
    flagged = table[(table["smd"].abs() > max_smd) & (table["z"].abs() > min_z)]
    order = (flagged if len(flagged) else table).assign(a=lambda f: f["smd"].abs()).sort_values(
        "a", ascending=False, kind="stable")
    worst = order.iloc[0].drop("a").to_dict()
    return {"rejected": bool(len(flagged)), "max_smd": float(max_smd), "min_z": float(min_z),
            "worst": {k: (v if isinstance(v, str) else float(v)) for k, v in worst.items()},
            "flagged": list(order["statistic"]) if len(flagged) else [],
            "table": table}


def describe_statistic(row: dict) -> str:
    """``education: base mean 4.1, a re-mix of the survey's types gives 5.4`` for a check row."""
    name = row["statistic"]
    if name.endswith(": missing"):
        what, b, r = f"{row['column']}: share missing in the base", f"{row['base']:.0%}", f"{row['remix']:.0%}"
    elif " = " in name:
        what, b, r = f"{name}: base share", f"{row['base']:.0%}", f"{row['remix']:.0%}"
    else:
        what, b, r = f"{name}: base mean", f"{row['base']:.3g}", f"{row['remix']:.3g}"
    return f"{what} {b}, a re-mix of the survey's types gives {r}"


#: Bootstrap refits of the classifier for the interval of the raw predicted shares
#: (:func:`raw_share_intervals`): each costs one fit on the linked respondents and one
#: prediction of at most ``BOOTSTRAP_BASE_ROWS`` base rows.
RAW_BOOTSTRAP_DRAWS = 200


def raw_share_intervals(
    estimator: Any,
    features: pd.DataFrame,
    labels: Sequence[int] | np.ndarray,
    base_features: pd.DataFrame,
    *,
    classes: Sequence[int],
    point: Sequence[float] | np.ndarray,
    sample_weight: np.ndarray | None = None,
    n_boot: int = RAW_BOOTSTRAP_DRAWS,
    level: float = 0.95,
    random_state: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """95 % bootstrap intervals of the raw predicted base shares (mean posterior over the base).

    Used when the prior-shift correction is not applied. The raw predicted share of a type
    is the mean of the classifier's posterior over the base; under covariate shift the
    classifier's own estimation error dominates it (the base may lie where the survey has
    few people), so each draw refits a clone of the classifier on the respondents
    resampled with replacement (as a whole, so that the types' counts carry the survey's
    sampling error: on planted random-sample surveys with uninformative CRM columns this
    covers the true share in 90 % of 80 cases, within-type resampling in 22 %;
    ``tests/test_priors.py``), predicts the same uniform sample of base
    rows and takes the mean posterior; the draw's shift from the full fit's mean on those
    rows is added to ``point`` (percentile intervals, clipped to [0, 1]).

    Parameters
    ----------
    estimator : scikit-learn classifier
        The fitted pipeline (cloned, never changed); its ``predict_proba`` columns are in
        ``classes`` order.
    features : DataFrame
        The linked respondents' prepared features (as the estimator was fitted on).
    labels : array-like
        Their type ids.
    base_features : DataFrame
        Prepared features of a uniform sample of the base.
    classes : sequence of int
    point : array-like of shape (n_types,)
        The raw predicted shares on the whole base.
    sample_weight : array-like, optional
    n_boot : int, default=RAW_BOOTSTRAP_DRAWS (200)
    level : float, default=0.95
    random_state : int, Generator or None

    Returns
    -------
    DataFrame
        ``type_id, base_share, ci_low, ci_high``.
    """
    from sklearn.base import clone

    rng = np.random.default_rng(random_state)
    y = np.asarray(labels)
    w = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
    classes = [int(t) for t in classes]
    order = [list(estimator.classes_).index(t) for t in classes]
    ref = np.asarray(estimator.predict_proba(base_features), float)[:, order].mean(axis=0)
    draws = []
    with _checked_once(features):  # the same checks 200 times over: 20 % of the draws' CPU
        for _ in range(int(n_boot)):
            idx = _resample_respondents(rng, y)
            fitted = clone(estimator)
            kwargs = {} if w is None else {"classifier__sample_weight": w[idx]}
            try:
                fitted.fit(features.iloc[idx], y[idx], **kwargs)
            except ValueError:  # a draw the calibration cannot fold (a type with too few rows): skip it
                continue
            proba = np.asarray(fitted.predict_proba(base_features), float)
            cols = [list(fitted.classes_).index(t) for t in classes]
            draws.append(proba[:, cols].mean(axis=0))
    point = np.asarray(point, dtype=float)
    if not draws:
        return pd.DataFrame({"type_id": classes, "base_share": point, "ci_low": np.nan, "ci_high": np.nan})
    shift = np.asarray(draws) - ref
    tail = (1 - level) / 2
    return pd.DataFrame({
        "type_id": classes, "base_share": point,
        "ci_low": np.clip(point + np.quantile(shift, tail, axis=0), 0.0, 1.0),
        "ci_high": np.clip(point + np.quantile(shift, 1 - tail, axis=0), 0.0, 1.0),
    })


def _checked_once(features: pd.DataFrame) -> Any:
    """scikit-learn's checks of parameters and finite values left out for the bootstrap's refits
    (:func:`raw_share_intervals`): the estimator's parameters were checked when it was fitted,
    and the base rows when its full fit predicted them, so each draw would repeat the same
    checks (about 20 % of a draw's CPU; the draws' numbers are the same to the last digit).
    Features holding an infinite number keep the finite check (a draw refused, as before)."""
    import sklearn

    numbers = features.select_dtypes("number").to_numpy(dtype=float, na_value=np.nan)
    return sklearn.config_context(skip_parameter_validation=True,
                                  assume_finite=not bool(np.isinf(numbers).any()))
