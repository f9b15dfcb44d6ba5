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

A second bent one group, measured in session 17 but **not a candidate of the engine**
(:func:`fit_shash_group`; ``bench/flat_one_group.py``), bends each margin in tail weight as
well as skew, so that it can also be *flat*: the sinh-arcsinh transform of Jones & Pewsey
(2009), ``x -> sinh(delta * asinh(x) - epsilon)`` with two parameters per feature
(``delta > 1`` lighter tails than the normal, ``delta < 1`` heavier; ``epsilon`` the
skew). It calls the field-like null study s80 one group (a Gaussian mixture fits its flat
factor with two halves), but also two planted types 3 SDs apart on one factor: a flat margin
and two close halves have the same shape (``docs/choosing_k.md``, session 17).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.optimize import minimize, minimize_scalar

__all__ = ["SkewedGroup", "fit_shash_group", "fit_skewed_group", "sinh_arcsinh", "yeo_johnson"]

_LOG_2PI = float(np.log(2 * np.pi))
#: the transforms searched (a wider one is a distribution that no survey scale has)
_LAMBDA_BOUNDS = (-3.0, 5.0)
#: sinh-arcsinh: skew ``epsilon`` and log tail weight ``log(delta)`` searched (delta from
#: 0.2, far heavier tails than the normal, to 5, far lighter)
_EPS_BOUNDS = (-5.0, 5.0)
_LOG_DELTA_BOUNDS = (float(np.log(0.2)), float(np.log(5.0)))
#: deterministic starts (epsilon, log delta) of the bounded search: identity, lighter, heavier
_SHASH_STARTS = ((0.0, 0.0), (0.0, float(np.log(2.0))), (0.0, float(np.log(0.6))))
#: ridge on the covariance, as the engine's mixtures have (``fit_mixture(reg=1e-3)``): a
#: constant feature compares equal, not infinitely likely
_REG = 1e-3


class SkewedGroup(NamedTuple):
    """One Gaussian group on bent features (in standardised feature space)."""

    lambdas: np.ndarray  # Yeo-Johnson (d,), 1 = not bent; sinh-arcsinh (d, 2) (eps, delta)
    loglik: float  # weighted log-likelihood of the features as given (weights mean 1)
    n_params: int  # d (sinh-arcsinh: 2d) transforms + d means + d(d+1)/2 covariances


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


def sinh_arcsinh(x: np.ndarray, eps: float, delta: float) -> tuple[np.ndarray, np.ndarray]:
    """The sinh-arcsinh transform ``sinh(delta * asinh(x) - eps)`` of ``x`` and the log of
    its derivative, per value (Jones & Pewsey 2009: if the transform of ``x`` is standard
    normal, ``x`` has their density ``delta C(x) / sqrt(2 pi (1 + x^2)) exp(-S(x)^2 / 2)``
    with ``S`` the transform and ``C = cosh(delta * asinh(x) - eps)``)."""
    x = np.asarray(x, dtype=float)
    a = delta * np.arcsinh(x) - eps
    # log cosh(a) without overflow: |a| + log1p(exp(-2|a|)) - log 2
    log_cosh = np.abs(a) + np.log1p(np.exp(-2 * np.abs(a))) - np.log(2.0)
    return np.sinh(a), np.log(delta) + log_cosh - 0.5 * np.log1p(x * x)


def _profile_loglik(t: np.ndarray, log_deriv: np.ndarray, w: np.ndarray) -> float:
    """Weighted profile log-likelihood of a normal margin on transformed values ``t``."""
    mean = np.average(t, weights=w)
    var = float(np.average((t - mean) ** 2, weights=w)) + _REG
    return float(-0.5 * w.sum() * (np.log(var) + 1 + _LOG_2PI) + np.dot(w, log_deriv))


def _margin_loglik(x: np.ndarray, w: np.ndarray, lam: float) -> float:
    """Weighted profile log-likelihood of a normal margin after the Yeo-Johnson transform."""
    return _profile_loglik(*yeo_johnson(x, lam), w)


def _shash_margin(x: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """(epsilon, delta) of the sinh-arcsinh margin of ``x`` by weighted maximum likelihood:
    a bounded quasi-Newton search from fixed starts (deterministic; no seed needed)."""

    def nll(p):
        t, log_deriv = sinh_arcsinh(x, p[0], float(np.exp(p[1])))
        value = -_profile_loglik(t, log_deriv, w)
        return value if np.isfinite(value) else 1e300

    best = None
    for start in _SHASH_STARTS:
        res = minimize(nll, np.asarray(start), method="L-BFGS-B",
                       bounds=[_EPS_BOUNDS, _LOG_DELTA_BOUNDS])
        if best is None or res.fun < best.fun:
            best = res
    return float(best.x[0]), float(np.exp(best.x[1]))


def _bent_normal_loglik(T: np.ndarray, w: np.ndarray, log_jac: float) -> float:
    """Weighted log-likelihood of one multivariate normal on bent features ``T`` plus the
    bends' log-Jacobian: the log-likelihood of the features as given."""
    d = T.shape[1]
    mean = np.average(T, axis=0, weights=w)
    D = T - mean
    S = (D * w[:, None]).T @ D / w.sum() + _REG * np.eye(d)
    chol = np.linalg.cholesky(S)
    y = np.linalg.solve(chol, D.T)
    maha = np.sum(y * y, axis=0)
    logdet = 2 * float(np.sum(np.log(np.diag(chol))))
    return float(np.dot(w, -0.5 * (maha + d * _LOG_2PI + logdet))) + log_jac


def _prepare(Z, w):
    Z = np.asarray(Z, dtype=float)
    w = np.ones(Z.shape[0]) if w is None else np.asarray(w, dtype=float)
    return Z, w / w.mean()


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
    Z, w = _prepare(Z, w)
    d = Z.shape[1]
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
    return SkewedGroup(lambdas, _bent_normal_loglik(T, w, log_jac), 2 * d + d * (d + 1) // 2)


def fit_shash_group(Z: np.ndarray, w: np.ndarray | None = None) -> SkewedGroup:
    """Fit one group with sinh-arcsinh-bent margins (skew and tail weight) to ``Z``.

    As :func:`fit_skewed_group`, with two parameters per feature: ``lambdas`` holds
    ``(epsilon, delta)`` per feature, shape (d, 2); ``(0, 1)`` is not bent. Counted
    parameters: 2d transforms + d means + d(d+1)/2 covariances.
    """
    Z, w = _prepare(Z, w)
    d = Z.shape[1]
    params = np.empty((d, 2))
    T = np.empty_like(Z)
    log_jac = 0.0
    for j in range(d):
        params[j] = _shash_margin(Z[:, j], w)
        T[:, j], log_deriv = sinh_arcsinh(Z[:, j], *params[j])
        log_jac += float(np.dot(w, log_deriv))
    return SkewedGroup(params, _bent_normal_loglik(T, w, log_jac), 3 * d + d * (d + 1) // 2)
