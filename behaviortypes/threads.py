"""One BLAS / OpenMP thread for blocks of many small computations.

``threadpoolctl.threadpool_limits`` looks up the process's loaded libraries on every
call (about 10 ms); the factor retention search and the types engine's tasks enter
such a block dozens of times per run (demo: 59 times, 0.6 s). :func:`one_thread`
keeps one :class:`threadpoolctl.ThreadpoolController` per process and looks again
only when a module was imported since (a new module may have loaded a new thread
pool), so every pool loaded at the time of the call is limited, as before.
"""

from __future__ import annotations

import sys
import threading

from threadpoolctl import ThreadpoolController

__all__ = ["one_thread"]

_lock = threading.Lock()
_state: dict[str, object] = {"controller": None, "n_modules": -1}


def _controller() -> ThreadpoolController:
    with _lock:
        n_modules = len(sys.modules)
        if _state["controller"] is None or _state["n_modules"] != n_modules:
            _state["controller"] = ThreadpoolController()
            _state["n_modules"] = n_modules
        return _state["controller"]  # type: ignore[return-value]


def one_thread(user_api: str | None = None):
    """Limit the thread pools to one thread inside a ``with`` block.

    Parameters
    ----------
    user_api : {"blas", "openmp"}, optional
        Only this kind of pool (default: all).

    Returns
    -------
    context manager
        Restores the earlier limits on exit (``threadpoolctl``'s ``limit``).
    """
    return _controller().limit(limits=1, user_api=user_api)
