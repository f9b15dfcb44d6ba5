"""Input checks shared by the measurement functions (private to :mod:`behaviortypes.factors`).

Every user mistake becomes one :class:`~behaviortypes.errors.InputError` naming the
column, the 1-based row numbers (the position of the respondent in the data, as in the
responses file) and the value, with a hint.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from behaviortypes.errors import InputError

__all__ = ["ItemData", "check_items", "check_weights", "check_choice"]

MIN_ITEMS = 3
MIN_RESPONDENTS = 10
MIN_PAIR_OBSERVATIONS = 5


class ItemData:
    """Validated item responses: a float array with NaN for missing cells, plus labels."""

    __slots__ = ("values", "items", "index", "weights")

    def __init__(self, values, items, index, weights):
        self.values = values
        self.items = items
        self.index = index
        self.weights = weights

    @property
    def n(self) -> int:
        """Number of respondents (rows)."""
        return self.values.shape[0]

    @property
    def n_effective(self) -> float:
        """Kish's effective sample size (the number of rows without weights)."""
        if self.weights is None:
            return float(self.n)
        w = self.weights
        return float(w.sum() ** 2 / np.sum(w**2))


def check_choice(name: str, value, allowed: Sequence[str]) -> str:
    """Return ``value`` lower-cased if it is one of ``allowed``, else raise InputError."""
    key = value.lower() if isinstance(value, str) else value
    if key not in allowed:
        raise InputError(
            f"{name} must be one of {', '.join(map(repr, allowed))}",
            value=value,
            hint=f"use for example {name}={allowed[0]!r}",
        )
    return key


def check_weights(sample_weight, index: pd.Index) -> np.ndarray | None:
    """Validate ``sample_weight`` (array or Series aligned on ``index``); mean-normalise."""
    if sample_weight is None:
        return None
    if isinstance(sample_weight, pd.Series):
        missing = index.difference(sample_weight.index)
        if len(missing):
            raise InputError(
                "sample_weight has no weight for some respondents",
                column="sample_weight",
                value=str(missing[0]),
                hint="give one weight per respondent, indexed like the item data",
            )
        w = pd.to_numeric(sample_weight.loc[index], errors="coerce").to_numpy(float)
    else:
        w = np.asarray(sample_weight, dtype=float).ravel()
        if w.shape[0] != len(index):
            raise InputError(
                f"sample_weight has {w.shape[0]} values but the data has {len(index)} respondents",
                column="sample_weight",
                hint="give one weight per respondent",
            )
    bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
    if bad.size:
        raise InputError(
            "sample_weight must be finite and non-negative",
            column="sample_weight",
            rows=(bad + 1).tolist(),
            value=w[bad[0]],
            hint="fix or drop these respondents' weights",
        )
    if w.sum() <= 0:
        raise InputError("sample_weight sums to zero", column="sample_weight",
                         hint="give positive weights")
    return w * (len(w) / w.sum())


def _as_frame(data, what: str) -> pd.DataFrame:
    """The table as a DataFrame with unique column names (2-D arrays get item1..itemp)."""
    if isinstance(data, np.ndarray):
        if data.ndim != 2:
            raise InputError(f"{what} must be a 2-D table (respondents × items)",
                             value=f"array with {data.ndim} dimension(s)",
                             hint="pass a pandas DataFrame with one column per item")
        data = pd.DataFrame(data, columns=[f"item{j + 1}" for j in range(data.shape[1])])
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"{what} must be a pandas DataFrame (respondents × items)",
                         value=type(data).__name__,
                         hint="pass a DataFrame with one column per item")
    cols = [str(c) for c in data.columns]
    dup = sorted({c for c in cols if cols.count(c) > 1})
    if dup:
        raise InputError("item columns must have unique names", column=dup[0],
                         hint="rename or drop the duplicated column")
    return data


def _numeric_values(data: pd.DataFrame, cols: list[str], what: str) -> np.ndarray:
    """The answers as a float matrix; text cells and infinities are named with their rows."""
    all_numeric = all(pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)
                      for t in data.dtypes)
    values = data.to_numpy(dtype=float, na_value=np.nan) if all_numeric else \
        np.empty(data.shape, dtype=float)
    for j, col in enumerate([] if all_numeric else data.columns):
        s = data[col]
        if pd.api.types.is_bool_dtype(s) or not (
            pd.api.types.is_numeric_dtype(s) or s.dtype == object or
            pd.api.types.is_string_dtype(s)
        ):
            raise InputError(f"{what} must be numeric", column=str(col), value=str(s.dtype),
                             hint="recode the answers as numbers on the scale")
        num = pd.to_numeric(s, errors="coerce")
        bad = np.flatnonzero(num.isna().to_numpy() & s.notna().to_numpy())
        if bad.size:
            raise InputError(
                f"{what} must be numeric",
                column=str(col),
                rows=(bad + 1).tolist(),
                value=s.iloc[bad[0]],
                hint="recode text answers as numbers, or blank them to mark them missing",
            )
        values[:, j] = num.to_numpy(dtype=float)
    inf = np.argwhere(np.isinf(values))
    if inf.size:
        r, j = inf[0]
        raise InputError(f"{what} must be finite", column=cols[j], rows=[r + 1],
                         value=values[r, j], hint="blank the cell to mark it missing")
    return values


def _check_size(n: int, p: int, min_items: int, min_respondents: int) -> None:
    if p < min_items:
        raise InputError(
            f"need at least {min_items} items, got {p}",
            value=p,
            hint="factor analysis and reliability need several items per scale",
        )
    if n < max(min_respondents, 1):
        raise InputError(
            f"too few respondents: n_respondents={n} should be >= {min_respondents}",
            value=n,
            hint="collect more responses or check the screening (too many excluded?)",
        )


def _check_spread(values: np.ndarray, observed: np.ndarray, cols: list[str]) -> None:
    """No item may be empty or constant."""
    counts = observed.sum(0)
    spread = np.nanmax(values, axis=0, initial=-np.inf, where=observed) - \
        np.nanmin(values, axis=0, initial=np.inf, where=observed)
    for j in np.flatnonzero((counts == 0) | (spread == 0)):
        obs = values[observed[:, j], j]
        if obs.size == 0:
            raise InputError("item has no answers", column=cols[j],
                             hint="drop the item or check the missing-value codes")
        if np.ptp(obs) == 0:
            raise InputError(
                "item is constant: everybody gave the same answer, so it carries no information",
                column=cols[j],
                value=obs[0],
                hint="drop the item from the analysis",
            )


def _check_pairs(observed: np.ndarray, cols: list[str]) -> None:
    """Every pair of items answered together often enough for a pairwise correlation."""
    if observed.all():
        return
    pair_n = observed.T.astype(float) @ observed.astype(float)
    low = np.argwhere(np.triu(pair_n < MIN_PAIR_OBSERVATIONS, k=1))
    if low.size:
        a, b = low[0]
        raise InputError(
            f"items '{cols[a]}' and '{cols[b]}' were answered together by only "
            f"{int(pair_n[a, b])} respondents (need >= {MIN_PAIR_OBSERVATIONS})",
            column=cols[a],
            value=int(pair_n[a, b]),
            hint="drop one of the items or check the routing of the questionnaire",
        )


def check_items(
    data,
    *,
    sample_weight=None,
    min_items: int = MIN_ITEMS,
    min_respondents: int = MIN_RESPONDENTS,
    what: str = "items",
    scoring: bool = False,
) -> ItemData:
    """Validate a respondents × items table and return it as :class:`ItemData`.

    Checks, in order: a 2-D table with unique column names; numeric values (text
    cells are reported with their rows); at least ``min_items`` items and
    ``min_respondents`` respondents; no item that is empty or constant; every pair of
    items answered together by at least 5 respondents (pairwise correlations need it).
    With ``scoring=True`` (data to be scored by a fitted model) only the values are
    checked. The input is never modified.
    """
    data = _as_frame(data, what)
    cols = [str(c) for c in data.columns]
    values = _numeric_values(data, cols, what)
    if scoring:
        return ItemData(values, cols, data.index, None)
    n, p = values.shape
    _check_size(n, p, min_items, min_respondents)
    observed = ~np.isnan(values)
    _check_spread(values, observed, cols)
    weights = check_weights(sample_weight, data.index)
    if weights is not None and np.count_nonzero(weights) < min_respondents:
        raise InputError(
            f"too few respondents with a positive weight: {np.count_nonzero(weights)} "
            f"should be >= {min_respondents}",
            column="sample_weight", hint="check the weights")
    _check_pairs(observed, cols)
    return ItemData(values, cols, data.index, weights)
