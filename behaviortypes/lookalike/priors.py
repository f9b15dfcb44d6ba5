"""Prior-shift correction (Saerens EM) and calibration measures.

Survey respondents are not a random sample of customers: engaged types answer
more often, so a classifier trained on respondents carries the *survey's* type
shares as its priors. When the CRM behaviour of a type is the same among
respondents and non-respondents (label shift), the type shares of the whole base
can be estimated from the classifier's posteriors on the unlabelled base, and the
posteriors adjusted to them (Saerens, Latinne & Decaestecker, 2002).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "estimate_base_priors",
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
    ``π_{s+1}(y) = mean_x p_s(y|x)``; started from ``π_train``. The estimate is
    the maximum-likelihood class mixture under label shift, and is only as good
    as the calibration of ``raw_proba``.

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
    priors = train.copy()
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
