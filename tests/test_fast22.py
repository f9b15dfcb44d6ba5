"""Session 22 (FAST22): cfa.json is the same in every process, and discover's first call."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data" / "real"

#: run_cfa on R psych's bfi (2,800 respondents, 364 with a missing answer: the FIML path)
#: and on its complete rows (semopy's complete-data fit), written as discover writes cfa.json
_CFA = """
import sys, warnings
import numpy as np, pandas as pd
from behaviortypes import study
from behaviortypes.stages import run_cfa

warnings.simplefilter("ignore")
bfi = pd.read_csv(sys.argv[1])
loadings = pd.DataFrame(0.0, index=bfi.columns, columns=[f"F{t}" for t in "ACENO"])
for item in bfi.columns:
    loadings.loc[item, "F" + item[0]] = 0.7
study.save(sys.argv[2], "cfa.json", run_cfa(bfi, loadings, seed=0))
complete = bfi.dropna()
study.save(sys.argv[3], "cfa.json", run_cfa(complete.iloc[:800], loadings, seed=0))
"""


def _cfa_bytes(tmp_path: Path, hash_seed: str) -> tuple[bytes, bytes]:
    ml, complete = tmp_path / f"ml{hash_seed}", tmp_path / f"complete{hash_seed}"
    ml.mkdir()
    complete.mkdir()
    env = {**__import__("os").environ, "PYTHONHASHSEED": hash_seed}
    res = subprocess.run([sys.executable, "-c", _CFA, str(DATA / "bfi.csv.gz"), str(ml), str(complete)],
                         capture_output=True, text=True, env=env, timeout=600)
    assert res.returncode == 0, res.stderr
    return (ml / "cfa.json").read_bytes(), (complete / "cfa.json").read_bytes()


def test_cfa_json_is_the_same_bytes_in_every_process(tmp_path):
    """Same inputs and seed, another process: the same cfa.json, byte for byte.

    semopy orders the factors' covariance parameters by iterating over a set of factor
    names, whose order depends on the process's string hashing (PYTHONHASHSEED): the
    optimiser then summed in another order and SRMR differed in its last digits
    (session 21). The hash seeds here are ones that gave different files before.
    """
    runs = [_cfa_bytes(tmp_path, seed) for seed in ("1", "2", "5")]
    assert b'"srmr": 0.0' in runs[0][0] and b'"srmr": 0.0' in runs[0][1]  # both were fitted
    assert runs[0] == runs[1] == runs[2]


def test_starting_the_workers_does_not_import_the_engine_here():
    """discover starts the workers as soon as the survey is read: starting them must not
    first import scikit-learn and the engine in this process (1.3 CPU s in a new process,
    during which the second core stood idle)."""
    code = ("import sys\nfrom behaviortypes.workers import start_workers\n"
            "print(sorted(m for m in ('sklearn', 'scipy', 'behaviortypes.segments') if m in sys.modules))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


def test_a_failing_start_of_the_workers_is_silent_and_harmless(monkeypatch):
    """The start computes nothing: when joblib cannot start the workers, the thread ends
    without a traceback (the fit starts, and reports on, its own workers)."""
    import threading

    import joblib

    from behaviortypes import workers

    def refuse(*args, **kwargs):
        raise OSError("no processes here")

    seen = []
    monkeypatch.setattr(joblib, "Parallel", refuse)
    monkeypatch.setattr(threading, "excepthook", lambda args: seen.append(args.exc_value))
    thread = workers.start_workers(2)
    thread.join(timeout=60)
    assert not thread.is_alive() and seen == []
    assert workers.start_workers(1) is None  # one job: nothing to start


def test_the_file_rows_are_shared_not_copied_into_every_derived_frame(tmp_path):
    """pandas deep-copies a frame's attrs into each frame derived from it: the answers'
    row numbers (a list of every respondent's row) were copied ~3,500 times per discover
    (1 CPU s at the demo's size). They are now an immutable tuple that copies as itself,
    with the same row numbers."""
    import copy

    from behaviortypes.readers import load_survey
    from behaviortypes.synth import make_study

    make_study(tmp_path / "s", seed=1, n_respondents=300, n_customers=1000)
    survey = load_survey(tmp_path / "s")
    responses = survey.responses
    rows = responses.attrs["file_rows"]
    assert list(rows) == list(range(2, len(responses) + 2))
    derived = responses[survey.instrument.item_ids[:3]].astype(float).dropna(how="all")
    assert derived.attrs["file_rows"] is rows
    assert copy.deepcopy(responses.attrs)["file_rows"] is rows
