"""Start the types engine's worker processes early, without importing the engine here.

``pipeline.discover`` calls :func:`start_workers` as soon as the survey is read and
valid. The workers then import numpy, scipy, scikit-learn and the engine (about 1.9 CPU
seconds each) while this process screens the answers and fits the factors, and the
first :meth:`~behaviortypes.segments.TypeFinder.fit` finds them running. This module
imports only joblib: importing the engine in this process first (scikit-learn and the
engine, about 1.3 CPU seconds in a new process) kept the second core idle that long
before the workers started (session 22). Re-exported as
:func:`behaviortypes.segments.start_workers`.
"""

from __future__ import annotations

__all__ = ["start_workers"]


def _worker_ready() -> int:
    """Run in a worker: import what the engine's tasks need (the first task's cost)."""
    from .segments import finder, shapes  # noqa: F401  (finder imports the rest of the engine)

    return 1


def _start(n_jobs: int, n: int) -> None:
    """The starting thread's work; a failure to start is the fit's to report, not this."""
    from joblib import Parallel, delayed

    try:
        Parallel(n_jobs=n_jobs)(delayed(_worker_ready)() for _ in range(n))
    except Exception:  # pragma: no cover - the fit starts (and reports on) its own workers
        pass


def start_workers(n_jobs: int = -1):
    """Start the engine's worker processes now, in a background thread.

    The first :meth:`~behaviortypes.segments.TypeFinder.fit` of a Python process
    otherwise waits while joblib starts its workers and they import numpy, scipy,
    scikit-learn and the engine. A stage that has other work to do first
    (``pipeline.discover`` screens the answers and fits the factors) calls this before
    it, so that the start-up overlaps that work; the workers are joblib's reusable ones,
    so ``fit`` finds them running. Nothing is computed (the results do not depend on
    it); calling it twice costs nothing.

    Parameters
    ----------
    n_jobs : int, default=-1
        As ``TypeFinder(n_jobs=...)``; 1 starts nothing.

    Returns
    -------
    threading.Thread or None
        The thread starting them (join it to wait), None when ``n_jobs`` is 1.
    """
    import threading

    from joblib import effective_n_jobs

    n = effective_n_jobs(n_jobs)
    if n <= 1:
        return None
    thread = threading.Thread(target=_start, args=(n_jobs, n), name="behaviortypes-start-workers",
                              daemon=True)
    thread.start()
    return thread
