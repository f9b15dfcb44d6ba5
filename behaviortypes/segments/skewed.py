"""One group whose scores lean towards one end: the skewed one-group candidate.

A Gaussian mixture fits a single skewed population with two or three components (a
skewed density is not Gaussian, and a mixture is the most flexible density the engine
has), so without a skewed one-group model the rule "types must beat one group by 10 BIC
points" is tested against the wrong one group: a survey whose respondents all lean the
same way on a scale (most people agree with "I enjoy making people laugh", a few
disagree strongly) came out as 2-3 "types" that were slices of that lean (user trial 6,
the Humor Styles Questionnaire, and six single-population copies of it;
``docs/choosing_k.md``, session 12).

The model: each standardised feature is bent by its own Yeo-Johnson transform (Yeo &
Johnson 2000; one parameter per feature, chosen by weighted maximum likelihood of a
normal margin), and the bent scores are one multivariate normal group. Its
log-likelihood is that of the scores as given (the transforms' Jacobian included), so
its BIC compares with the mixtures' directly. The parameters are chosen one margin at a
time, so the BIC is an upper bound of the joint optimum's (conservative for one group).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.optimize import minimize_scalar

__all__ = ["SkewedGroup", "fit_skewed_group", "yeo_johnson"]

_LOG_2PI = float(np.log(2 * np.pi))
#: the transforms searched (a wider one is a distribution that no survey scale has)
_LAMBDA_BOUNDS = (-3.0, 5.0)
#: ridge on the covariance, as the engine's mixtures have (``fit_mixture(reg=1e-3)``): a
#: constant feature compares equal, not infinitely likely
_REG = 1e-3


class SkewedGroup(NamedTuple):
    """One Gaussian group on Yeo-Johnson-bent features (in standardised feature space)."""

    lambdas: np.ndarray  # (d,) one transform per feature; 1 = not bent
    loglik: float  # weighted log-likelihood of the features as given (weights mean 1)
    n_params: int  # d transforms + d means + d(d+1)/2 covariances


def yeo_johnson(x: np.ndarray, lam: float) -> tuple[np.ndarray, np.ndarray]:
    """The Yeo-Johnson transform of ``x`` and the log of its derivative, per value."""
    x = np.asarray(x, dtype=float)
    pos = x >= 0
    out = np.empty_like(x)
    a, b = x[pos], x[~pos]
    out[pos] = np.log1p(a) if abs(lam) < 1e-9 else np.expm1(lam * np.log1p(a)) / lam
    out[~pos] = (-np.log1p(-b) if abs(lam - 2) < 1e-9
                 else -np.expm1((2 - lam) * np.log1p(-b)) / (2 - lam))
    log_deriv = np.where(pos, (lam - 1) * np.log1p(np.abs(x)), (1 - lam) * np.log1p(np.abs(x)))
    return out, log_deriv


def _margin_loglik(x: np.ndarray, w: np.ndarray, lam: float) -> float:
    """Weighted profile log-likelihood of a normal margin after the transform."""
    t, log_deriv = yeo_johnson(x, lam)
    mean = np.average(t, weights=w)
    var = float(np.average((t - mean) ** 2, weights=w)) + _REG
    return float(-0.5 * w.sum() * (np.log(var) + 1 + _LOG_2PI) + np.dot(w, log_deriv))


def fit_skewed_group(Z: np.ndarray, w: np.ndarray | None = None) -> SkewedGroup:
    """Fit one group with Yeo-Johnson-bent margins to standardised features ``Z``.

    Parameters
    ----------
    Z : ndarray of shape (n, d)
        Standardised features (as the engine fits them).
    w : ndarray of shape (n,), optional
        Non-negative weights (scaled internally to mean 1).

    Returns
    -------
    SkewedGroup
    """
    Z = np.asarray(Z, dtype=float)
    n, d = Z.shape
    w = np.ones(n) if w is None else np.asarray(w, dtype=float)
    w = w / w.mean()
    lambdas = np.empty(d)
    T = np.empty_like(Z)
    log_jac = 0.0
    for j in range(d):
        res = minimize_scalar(lambda lam: -_margin_loglik(Z[:, j], w, lam),
                              bounds=_LAMBDA_BOUNDS, method="bounded",
                              options={"xatol": 1e-4})
        lambdas[j] = float(res.x)
        T[:, j], log_deriv = yeo_johnson(Z[:, j], lambdas[j])
        log_jac += float(np.dot(w, log_deriv))
    mean = np.average(T, axis=0, weights=w)
    D = T - mean
    S = (D * w[:, None]).T @ D / w.sum() + _REG * np.eye(d)
    chol = np.linalg.cholesky(S)
    y = np.linalg.solve(chol, D.T)
    maha = np.sum(y * y, axis=0)
    logdet = 2 * float(np.sum(np.log(np.diag(chol))))
    loglik = float(np.dot(w, -0.5 * (maha + d * _LOG_2PI + logdet))) + log_jac
    return SkewedGroup(lambdas, loglik, 2 * d + d * (d + 1) // 2)
