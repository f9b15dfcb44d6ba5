"""Values of an outcome or descriptor column that cannot be meant: missing codes and wild outliers.

An age of 999999999 or 412434 among ages of 13 to 100 makes every mean by type
meaningless (user trial 7: a mean age of 51,253, a bias-adjusted one of −94,477).
:func:`implausible_values` finds such values so that ``check`` and ``profile`` can name
them; it never changes the data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["FAR_OUT", "implausible_values", "implausible_examples", "implausible_codes", "implausible_codes_more",
           "implausible_hint"]

#: Tukey's "far out" fence: this many interquartile ranges beyond the quartiles.
FAR_OUT = 3.0


def _all_nines(v: float) -> bool:
    """9, 99, 999, ... (and -9, -99, ..., -1): the usual codes for "no answer"."""
    if not float(v).is_integer() or v == 0:
        return False
    text = str(abs(int(v)))
    return set(text) == {"9"} or (v < 0 and text == "1")


def implausible_values(values: pd.Series, scale: tuple[float, float] | None = None) -> pd.Series:
    """The values of a numeric column that look like missing codes or lie far out.

    Parameters
    ----------
    values : Series
        The column (text that is not a number is ignored).
    scale : (min, max), optional
        The survey's answer scale: values on it are never flagged (a 1 on a 1–10 item
        answered mostly 8–10 is an answer).

    Returns
    -------
    Series
        The flagged values (index of ``values``), largest distance from the median first.

    Notes
    -----
    A value is flagged when

    * it looks like a missing code: 9, 99, 999, … that is the column's largest value and
      at least 1.5 times the next largest (9 beside answers up to 5; not 9 on a 0–9
      scale), or −1, −9, −99, … in a column that is otherwise never negative; or
    * it lies beyond Tukey's far-out fences (Tukey 1977): above ``Q3 + 3·IQR`` — for a
      column of positive values taken on the log scale, ``Q3·(Q3/Q1)³``, so that a
      skewed column (spend, income) keeps its long tail and an age column flags 188 and
      birth years, not 80-year-olds — and, above, cut off from the rest by a gap of more
      than the quartile ratio (or the interquartile range): the plausible tail of a young
      sample (ages 66-74 beside a median of 20) is not flagged, birth years beyond it and a
      9, 99, 999 beyond the fence are —
      or below ``Q1 − 3·IQR`` and negative (a low
      answer on a rating answered mostly high is an answer).

    0/1 columns and columns with fewer than three distinct values are never flagged.
    """
    x = pd.to_numeric(values, errors="coerce").astype(float)
    x = x[np.isfinite(x)]
    if x.nunique() < 3:
        return x.iloc[:0]
    flagged = pd.Series(False, index=x.index)
    top = x.max()
    below = x[x < top]
    if _all_nines(top) and top > 0 and len(below) and (below.max() <= 0 or top >= 1.5 * below.max()):
        flagged |= x == top
    if (x >= 0).mean() > 0 and ((x < 0) == x.map(_all_nines)).all() and (x < 0).any():
        flagged |= x < 0  # only negative codes below a column of values >= 0
    rest = x[~flagged]
    q1, q3 = rest.quantile(0.25), rest.quantile(0.75)
    if q3 == q1:
        q1, q3 = rest.quantile(0.1), rest.quantile(0.9)
    if q3 > q1:
        high = q3 * (q3 / q1) ** FAR_OUT if q1 > 0 else q3 + FAR_OUT * (q3 - q1)
        low = q1 - FAR_OUT * (q3 - q1)
        # below: only a negative value in a column of positive answers (a 1 on a rating
        # answered mostly 8-10 is far below the quartiles, and an answer)
        # beyond the fence: a 9, 99, 999 (a code), or a value cut off from the tail by a gap
        flagged |= ((x > high) & x.map(_all_nines)) | _beyond_a_gap(x, high, q3 / q1 if q1 > 0 else None, q3 - q1) | (
            (x < low) & ((x < 0) | (q1 < 0)))
    if scale is not None:
        flagged &= ~((x >= scale[0]) & (x <= scale[1]))
    out = x[flagged]
    order = (out - x.median()).abs().sort_values(ascending=False, kind="stable").index
    return out.loc[order]


def _beyond_a_gap(x: pd.Series, fence: float, ratio: float | None, step: float) -> pd.Series:
    """The values above ``fence`` that are cut off from the rest: walking up the sorted
    values from the largest one at or below the fence, a value more than one quartile
    ratio (``ratio``, Q3/Q1, for a column of positive values) or one interquartile range
    (``step``) above the one before starts the far values; the values before it are the
    column's tail, and answers (user trial 23: ages 66-74 in a sample of median 20 were
    proposed as missing codes beside the birth years 1974-1998)."""
    above = np.sort(x[x > fence].unique())
    if not len(above):
        return pd.Series(False, index=x.index)
    inside = x[x <= fence]
    prev = float(inside.max()) if len(inside) else float(fence)
    start = None
    for v in above:
        near = v <= prev * ratio if ratio is not None and prev > 0 else v - prev <= step
        if not near:
            start = float(v)
            break
        prev = float(v)
    return x >= start if start is not None else pd.Series(False, index=x.index)


def implausible_examples(found: pd.Series, rows: pd.Series | None = None, *, first: int = 3
                         ) -> tuple[str, str]:
    """``("999999999, 412434, 2000", "4006, 9989, 10717")``: the most extreme values and
    their rows in the file (``rows``: each index's row number; ``""`` without it)."""
    head = found.head(first)
    values = ", ".join(f"{v:g}" if not float(v).is_integer() else str(int(v)) for v in head)
    where = ", ".join(str(int(rows[i])) for i in head.index if rows is not None and i in rows.index)
    return values, where


def implausible_codes(found: pd.Series, *, first: int = 10) -> str:
    """``"999999999, 412434"``: the distinct flagged values, most extreme first, as a
    ``missing_codes:`` list is written, to paste into instrument.yaml: every one, or the
    ``first`` most extreme when there are more (:func:`implausible_codes_more` says so)."""
    distinct = list(dict.fromkeys(found.tolist()))
    return ", ".join(str(int(v)) if float(v).is_integer() else f"{v:g}" for v in distinct[:first])


def implausible_codes_more(found: pd.Series, *, first: int = 10) -> tuple[int, int] | None:
    """``(listed, distinct)`` when :func:`implausible_codes` lists only the ``first`` of more
    distinct values, else None."""
    distinct = len(dict.fromkeys(found.tolist()))
    return (first, distinct) if distinct > first else None


def implausible_hint(file: str, column: str, key: str, codes: str, more: tuple[int, int] | None = None) -> str:
    """The fix of an implausible-values warning (English; the catalogue's
    ``warn_implausible_values`` says it in the study's language): declare the codes
    missing for the column in instrument.yaml (``key`` is ``outcomes`` or
    ``descriptors``), or correct the values. ``more``: :func:`implausible_codes_more`."""
    listed = "" if more is None else f", the {more[0]} most extreme of {more[1]} distinct values"
    return (f"if they mean 'no answer', declare them in instrument.yaml: {key}: - {{column: {column}, "
            f"missing_codes: [{codes}]}}{listed} (they are then left out and counted); else correct them in "
            f"{file}. With them a mean by type means nothing")
