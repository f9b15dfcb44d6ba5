"""The report's figures, drawn once for each set of inputs (session 22, SUITEB).

Drawing a figure and writing it as SVG is most of the time a report takes to build
(about 2.5 of 3 CPU seconds for a study of four types). A figure is a function of what
it is given, so :func:`svg_of` keeps the SVG of each figure it drew, keyed on a digest of
everything the drawing depends on: the function, its arguments (values, not identities:
the data frames' cells, index and types), the figure's size, the figures' number style
(:func:`behaviortypes.plots.number_style`) and matplotlib's settings. Re-rendering after
an edit of ``types.yaml`` then draws again only the figures the edit changes (the type
names are in the sizes chart, not in the scree plot), and the several layout passes of
one render draw a figure once.

What is kept is the same SVG, byte for byte, as drawing afresh (tests/test_figcache.py).
A figure is drawn afresh, and not kept, when its function cannot be named again by its
module and name (a closure, a lambda, a function replaced in a test), when the SVG
writer is not :func:`behaviortypes.plots.figure_to_svg` itself, or when an argument is
of a kind the digest does not read.
"""

from __future__ import annotations

import hashlib
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .. import plots

__all__ = ["svg_of", "clear", "kept", "MAX_CHARS"]

#: The kept SVG is at most this many characters in all (about 64 MB); the least
#: recently used figures go first.
MAX_CHARS = 64_000_000

_KEPT: OrderedDict[str, str] = OrderedDict()
_LOCK = threading.Lock()
_TO_SVG = plots.figure_to_svg


class _Unreadable(TypeError):
    """An argument the digest does not read: the figure is drawn afresh."""


def clear() -> None:
    """Forget every kept figure."""
    with _LOCK:
        _KEPT.clear()


def kept() -> tuple[int, int]:
    """How many figures are kept, and their SVG's characters in all."""
    with _LOCK:
        return len(_KEPT), sum(len(s) for s in _KEPT.values())


def _named(func: Callable) -> bool:
    """Whether ``func`` is what its module's attribute of its name is (not a closure or lambda)."""
    obj: Any = sys.modules.get(getattr(func, "__module__", None) or "")
    for part in str(getattr(func, "__qualname__", "<")).split("."):
        obj = getattr(obj, part, None)
    return obj is func


def _feed_array(h, values: Any) -> None:
    arr = np.asarray(values)
    h.update(f"a{arr.dtype.str}{arr.shape}".encode())
    if arr.dtype.kind in "biufcmM":
        h.update(np.ascontiguousarray(arr).tobytes())
    elif arr.dtype.kind == "O" or arr.dtype.kind in "US":
        for v in arr.ravel().tolist():
            _feed(h, v)
    else:
        raise _Unreadable(str(arr.dtype))


def _feed_index(h, index: pd.Index) -> None:
    h.update(f"i{type(index).__name__}{index.names!r}{index.dtype}".encode())
    if isinstance(index, pd.MultiIndex):
        for level in range(index.nlevels):
            _feed_array(h, index.get_level_values(level).to_numpy(dtype=object))
    else:
        _feed_array(h, index.to_numpy())


def _feed(h, value: Any) -> None:
    """Feed ``value`` into the digest ``h``, tagged with its type (``1`` and ``1.0`` differ)."""
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes, np.generic)):
        h.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, pd.DataFrame):
        h.update(b"DF")
        _feed_index(h, value.index)
        _feed_index(h, value.columns)
        for _, column in value.items():
            h.update(str(column.dtype).encode())
            _feed_array(h, column.to_numpy())
    elif isinstance(value, pd.Series):
        h.update(f"S{value.name!r}{value.dtype}".encode())
        _feed_index(h, value.index)
        _feed_array(h, value.to_numpy())
    elif isinstance(value, np.ndarray):
        _feed_array(h, value)
    elif isinstance(value, Mapping):
        h.update(f"M{type(value).__name__}{len(value)}(".encode())
        for k, v in value.items():  # in order: the order of names and colours is drawn
            _feed(h, k)
            _feed(h, v)
        h.update(b")")
    elif isinstance(value, (list, tuple)):
        h.update(f"L{type(value).__name__}{len(value)}(".encode())
        for v in value:
            _feed(h, v)
        h.update(b")")
    else:
        raise _Unreadable(type(value).__name__)


def _key(make: Callable, args: tuple, kwargs: dict, inches: tuple | None) -> str | None:
    """The digest of everything the figure depends on, or ``None`` when it cannot be made."""
    import matplotlib

    if not _named(make) or plots.figure_to_svg is not _TO_SVG:
        return None
    h = hashlib.sha256()
    h.update(f"{make.__module__}.{make.__qualname__}|{plots.current_number_style()}|".encode())
    try:
        _feed(h, (args, sorted(kwargs.items()), inches))
        # every setting but the backend (reading it may start one), which draws no SVG differently
        _feed(h, [(k, repr(matplotlib.rcParams[k])) for k in sorted(matplotlib.rcParams) if not k.startswith("backend")])
    except _Unreadable:
        return None
    return h.hexdigest()


def svg_of(make: Callable, *args: Any, inches: tuple[float, float] | None = None, **kwargs: Any) -> str:
    """The SVG of the figure ``make(*args, **kwargs)`` returns, set to ``inches`` (width,
    height) when given; drawn once for each set of inputs and kept (see the module's docstring).

    ``make`` must depend on nothing but its arguments, the number style and matplotlib's
    settings (as every ``plots.plot_*`` function does).
    """
    key = _key(make, args, kwargs, inches)
    if key is not None:
        with _LOCK:
            if key in _KEPT:
                _KEPT.move_to_end(key)
                return _KEPT[key]
    fig = make(*args, **kwargs)
    if inches is not None:
        fig.set_size_inches(*inches)
    svg = plots.figure_to_svg(fig)
    fig.clear()
    if key is not None:
        with _LOCK:
            _KEPT[key] = svg
            total = sum(len(s) for s in _KEPT.values())
            while total > MAX_CHARS and len(_KEPT) > 1:
                total -= len(_KEPT.popitem(last=False)[1])
    return svg
