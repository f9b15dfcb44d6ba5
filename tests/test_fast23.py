"""Session 23 (FAST23): less CPU in ``discover``'s first call, with the same results.

- A Swedish ``discover`` says its sentences (``solution.json``'s reasons, the terminal's
  summary with the CFA line) without importing the report's stack: ``styles_sentence`` and
  ``cfa_sentences`` live in :mod:`behaviortypes.said` (re-exported by ``report.render``).
- The shared-shape M-step computes each pass's starting volumes once, and em-EM's long runs
  start from the posteriors their short runs computed last: the same numbers, bit for bit,
  as the code before (written out here as it was).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from behaviortypes.segments import _models

TESTS = Path(__file__).parent

_SWEDISH = r"""
import sys, warnings
sys.path.insert(0, sys.argv[2])
warnings.simplefilter("ignore")
from swedish import study
from behaviortypes import pipeline

study.write_csv_study(sys.argv[1] + "/kundstudie")
res = pipeline.discover(sys.argv[1] + "/kundstudie", sys.argv[1] + "/ut", make_map=False, n_resamples=3)
lines = res.summary()
said = pipeline.solution_said(res.solution, "sv")
print(sorted(m for m in sys.modules if m.startswith("behaviortypes.report")))
print(lines)
"""


def test_a_swedish_discover_says_its_sentences_without_the_report(tmp_path):
    """Before session 23, ``solution_said`` (Swedish) and ``cfa_lines`` imported
    ``behaviortypes.report.render`` (Jinja2, matplotlib, the report's data and figures)."""
    res = subprocess.run([sys.executable, "-c", _SWEDISH, str(tmp_path), str(TESTS / "data")],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    loaded, *summary = res.stdout.splitlines()
    assert loaded == "[]", loaded  # no behaviortypes.report module at all
    text = "\n".join(summary)
    assert "CFI" in text and "svarande" in text  # the CFA line and the summary, in Swedish


def test_the_report_says_the_same_sentences():
    from behaviortypes import said
    from behaviortypes.report import render

    for name in ("styles_sentence", "cfa_sentences", "cfa_coverage", "CFA_CUTOFFS"):
        assert getattr(render, name) is getattr(said, name)
        assert name in render.__all__ and name in said.__all__


# --------------------------------------------------------------------------- the fitting code
def _m_step_scaled_before(Z, w, resp, reg):
    """The shared-shape M-step as it was before session 23 (six inverses a call)."""
    d = Z.shape[1]
    rw = resp * w[:, None]
    nk = rw.sum(axis=0) + 1e-10
    means = (rw.T @ Z) / nk[:, None]
    second = np.matmul(rw.T[:, None, :] * Z.T[None, :, :], Z) / nk[:, None, None]
    S = second - means[:, :, None] * means[:, None, :]
    eye = np.eye(d)
    share = nk / nk.sum()
    C = np.einsum("k,kij->ij", share, S)
    for _ in range(3):
        Cinv = np.linalg.inv(C + reg * eye)
        lam = np.einsum("ij,kji->k", Cinv, S) / d
        lam = np.clip(lam, 1e-3, None)
        C = np.einsum("k,kij->ij", share / lam, S)
        C = C * d / np.trace(C)
        Cinv = np.linalg.inv(C + reg * eye)
        lam = np.clip(np.einsum("ij,kji->k", Cinv, S) / d, 1e-3, None)
    covs = lam[:, None, None] * C[None] + reg * eye
    return nk / nk.sum(), means, covs


def _data(seed, n=300, d=4, k=3):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 2.5, (k, d))
    labels = rng.integers(k, size=n)
    Z = centres[labels] + rng.normal(0, 1 + labels[:, None] * 0.5, (n, d))
    w = rng.uniform(0.5, 2.0, n)
    resp = rng.dirichlet(np.ones(k), size=n)
    return Z, w / w.mean(), resp, labels


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("kind", ["scaled", "tscaled"])
def test_the_shared_shape_m_step_is_the_same_bits(seed, kind):
    Z, w, resp, _ = _data(seed)
    got = _models._m_step(Z, w, resp, kind, 1e-3)
    want = _m_step_scaled_before(Z, w, resp, 1e-3)
    for a, b in zip(got[:3], want):
        assert np.array_equal(a, b)


def _multistart_before(Z, w, starts, k, kind, n_keep=3, short_iter=10, guard=None):
    """em-EM as it was before session 23: the short runs' posteriors computed again."""
    short = [_models.fit_mixture(Z, w, lab, k, kind=kind, max_iter=short_iter) for lab in starts]
    best = sorted(range(len(short)), key=lambda i: -short[i].loglik)[:n_keep]
    fits = [_models.fit_mixture(Z, w, np.exp(_models.mixture_log_resp(Z, short[i])[0]), k, kind=kind)
            for i in best]
    return _models.best_fit(fits, guard)


@pytest.mark.parametrize("kind", ["scaled", "full", "spreads", "tscaled"])
def test_em_em_gives_the_same_fit(kind):
    Z, w, _, labels = _data(7)
    rng = np.random.default_rng(3)
    starts = [labels] + [rng.integers(3, size=labels.size) for _ in range(5)]
    got = _models.fit_mixture_multistart(Z, w, starts, 3, kind=kind)
    want = _multistart_before(Z, w, starts, 3, kind)
    assert got.loglik == want.loglik and got.n_iter == want.n_iter
    for a, b in zip(got[:3], want[:3]):
        assert np.array_equal(a, b)
