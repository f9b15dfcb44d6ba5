"""Session 24 (SUITE24B): the engine's hot loops made cheaper with the same results, bit for bit.

Each test compares with the computation as it was before (written out here) with
``np.array_equal``: the discovery folder's files and the statistical suites' k and ARI rest
on these numbers, so a faster step must give the same floats, not nearly the same.
"""

from __future__ import annotations

import numpy as np
import pytest

from behaviortypes.factors import fiml
from behaviortypes.segments import _models


def _old_e_step(X, pats, mu, S):
    """fiml._e_step as it was (session 23): the answers and blocks indexed in every call."""
    p = X.shape[1]
    T1, T2, ll, n = np.zeros(p), np.zeros((p, p)), 0.0, 0
    for o, rows in pats:
        m = ~o
        D = X[np.ix_(rows, o)] - mu[o]
        Soo = S[np.ix_(o, o)]
        L = np.linalg.cholesky(Soo)
        Z = np.linalg.solve(L, D.T)
        ll -= 0.5 * (float(np.sum(Z ** 2))
                     + rows.size * (o.sum() * fiml._LOG2PI + 2 * float(np.sum(np.log(np.diag(L))))))
        full = np.empty((rows.size, p))
        full[:, o] = D + mu[o]
        C = np.zeros((p, p))
        if m.any():
            B = np.linalg.solve(Soo, S[np.ix_(o, m)]).T
            full[:, m] = mu[m] + D @ B.T
            C[np.ix_(m, m)] = S[np.ix_(m, m)] - B @ S[np.ix_(o, m)]
        T1 += full.sum(0)
        T2 += full.T @ full + rows.size * C
        n += rows.size
    return T1 / n, T2 / n, ll, n


def test_fiml_patterns_carry_their_answers_and_the_e_step_is_unchanged():
    rng = np.random.default_rng(3)
    A = rng.standard_normal((6, 6))
    X = rng.multivariate_normal(np.arange(6.0), A @ A.T + np.eye(6), size=400)
    X[rng.random(X.shape) < 0.2] = np.nan  # many missingness patterns
    X = X[~np.isnan(X).all(axis=1)]
    pats = fiml._patterns(X)
    assert len(pats) > 10
    for o, rows, answers, *_ in pats:  # taken out once, not in every EM iteration
        assert np.array_equal(answers, X[np.ix_(rows, o)], equal_nan=False)
    mu, S = np.nanmean(X, axis=0), np.diag(np.nanvar(X, axis=0))
    for _ in range(5):  # a few EM iterations: every moment and the log-likelihood, bit for bit
        new = fiml._e_step(X, pats, mu, S)
        old = _old_e_step(X, [(o, rows) for o, rows, *_ in pats], mu, S)
        assert np.array_equal(new[0], old[0]) and np.array_equal(new[1], old[1])
        assert new[2] == old[2] and new[3] == old[3]
        mu, S = new[0], new[1] - np.outer(new[0], new[0])


def _old_maha(Z, model):
    """The Mahalanobis distances as session 23 computed them: k batched products."""
    chol = np.linalg.cholesky(model.covs)
    inv = np.linalg.inv(chol)
    shift = np.einsum("kij,kj->ki", inv, model.means)
    y = np.matmul(Z[None, :, :], inv.transpose(0, 2, 1)) - shift[:, None, :]
    return np.einsum("knd,knd->nk", y, y)


@pytest.mark.parametrize("n,d,k,nu", [(1900, 7, 6, np.inf), (1275, 8, 3, 8.0), (2829, 5, 9, np.inf),
                                      (700, 10, 2, 4.0), (500, 3, 1, np.inf)])
def test_mixture_e_step_is_the_batched_products_bit_for_bit(n, d, k, nu):
    rng = np.random.default_rng(n + d + k)
    Z = rng.standard_normal((n, d)) * 1.3 + 0.2
    A = rng.standard_normal((k, d, d))
    model = _models.Mixture(rng.dirichlet(np.ones(k)), rng.standard_normal((k, d)),
                            A @ A.transpose(0, 2, 1) + np.eye(d), "tscaled", 0.0, 1, nu)
    _, _, maha = _models._log_resp_maha(Z, model)
    old = _old_maha(Z, model)
    assert np.array_equal(maha, old)
    assert maha.flags["F_CONTIGUOUS"] == old.flags["F_CONTIGUOUS"]  # the M-step's sums follow it


@pytest.mark.parametrize("kind", ["scaled", "full", "tscaled", "VEV", "tVEV"])
def test_m_step_second_moments_are_unchanged(kind):
    rng = np.random.default_rng(5)
    n, d, k = 1500, 7, 5
    Z = rng.standard_normal((n, d))
    w = rng.uniform(0.5, 2.0, n)
    resp = np.asfortranarray(rng.dirichlet(np.ones(k), size=n))
    u = rng.uniform(0.3, 1.5, (n, k)) if kind.startswith("t") else None
    new = _models._m_step(Z, w, resp, kind, 1e-3, u=u)
    # the products as session 23 formed them (strided rows of resp.T and Z.T)
    ru = resp * w[:, None] * (1 if u is None else u)
    second = np.matmul(ru.T[:, None, :] * Z.T[None, :, :], Z)
    fast = np.matmul(np.ascontiguousarray(ru.T)[:, None, :] * np.ascontiguousarray(Z.T)[None], Z)
    assert np.array_equal(second, fast)
    again = _models._m_step(Z, w, resp, kind, 1e-3, u=u)
    assert all(np.array_equal(a, b) for a, b in zip(new[:3], again[:3]))


def _old_multistart(Z, w, starts, k, kind, n_keep=3):
    """fit_mixture_multistart as it was (session 23): every start run, twins too."""
    short = [_models._fit_mixture_resp(Z, w, lab, k, kind=kind, max_iter=10) for lab in starts]
    best = sorted(range(len(short)), key=lambda i: -short[i][0].loglik)[:n_keep]
    fits = [_models.fit_mixture(Z, w, np.exp(short[i][1]), k, kind=kind) for i in best]
    return _models.best_fit(fits, None)


def test_a_start_given_twice_is_fitted_once_with_the_same_result(monkeypatch):
    rng = np.random.default_rng(0)
    Z = np.vstack([rng.normal(m, 1.0, (150, 3)) for m in (-2.5, 0.0, 2.5)])
    w = np.ones(len(Z))
    starts = [_models.fit_kmeans(Z, w, 3, n_init=1, seed=s)[0] for s in range(4)]
    starts += [s.astype(np.int32) for s in starts] + [starts[0].copy()]
    old = _old_multistart(Z, w, starts, 3, "scaled")
    calls = []
    real = _models._fit_mixture_resp
    monkeypatch.setattr(_models, "_fit_mixture_resp",
                        lambda *a, **kw: calls.append(1) or real(*a, **kw))
    new = _models.fit_mixture_multistart(Z, w, starts, 3, kind="scaled")
    unique = len({s.astype(np.int64).tobytes() for s in starts})
    # short runs: one per distinct start; long runs: one per distinct short run kept (<= 3)
    assert unique <= 4 and len(calls) <= unique + 3 < len(starts) + 3
    assert all(np.array_equal(a, b) for a, b in zip(old[:3], new[:3]))
    assert old.loglik == new.loglik and old.n_iter == new.n_iter
