"""Checks shared by every learner: frames, survey weights and random state.

One message per mistake, the same wherever it is made: weights name the rows that
are wrong (1-based, as the user counts them), frames say what they must hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError

__all__ = ["check_frame", "check_sample_weight", "check_random_state"]


def check_frame(data: object, *, name: str = "data", what: str = "one row per respondent") -> pd.DataFrame:
    """``data`` itself when it is a non-empty DataFrame.

    Raises
    ------
    InputError
        Saying what ``name`` must be (``what``) when it is not a DataFrame or has no rows.
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"{name} must be a pandas DataFrame ({what})", value=type(data).__name__)
    if len(data) == 0:
        raise InputError(f"{name} has no rows", hint=f"pass {what}")
    return data


def check_sample_weight(
    sample_weight: np.ndarray | pd.Series | Sequence[float] | None,
    n_rows: int,
    *,
    file: str | Path | None = None,
    column: str | None = None,
) -> np.ndarray | None:
    """Survey weights as a float array: one non-negative finite number per row, not all zero.

    Returns None when ``sample_weight`` is None.

    Raises
    ------
    InputError
        Naming the rows (1-based) whose weight is missing, negative or infinite.
    """
    if sample_weight is None:
        return None
    try:
        w = np.asarray(sample_weight, dtype=float).ravel()
    except (TypeError, ValueError):
        raise InputError("sample_weight must hold numbers", file=file, column=column,
                         hint="check the survey weight column") from None
    if w.shape != (n_rows,):
        raise InputError(f"sample_weight has {w.size} values for {n_rows} rows", file=file, column=column,
                         hint="give one weight per row")
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        rows = (np.flatnonzero(bad) + 1).tolist()
        raise InputError("sample_weight must be one non-negative finite number per row", file=file,
                         column=column, rows=rows, value=float(w[bad][0]),
                         hint="check the survey weight column")
    if w.sum() <= 0:
        raise InputError("every sample_weight is zero", file=file, column=column,
                         hint="check the survey weight column")
    return w


def check_random_state(random_state: int | np.random.Generator | None) -> np.random.Generator:
    """The one generator of a fit (scikit-learn's convention: made once, passed down).

    Raises
    ------
    InputError
        When ``random_state`` is neither None, a non-negative whole number nor a Generator.
    """
    if random_state is None or isinstance(random_state, np.random.Generator):
        return np.random.default_rng(random_state)
    if isinstance(random_state, (bool, np.bool_)) or not isinstance(random_state, (int, np.integer)) \
            or random_state < 0:
        raise InputError("random_state must be None, a non-negative whole number or a numpy Generator",
                         value=random_state)
    return np.random.default_rng(int(random_state))
