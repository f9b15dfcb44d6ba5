"""Numbers as every output writes them: one rounding rule, grouped thousands, interval decimals.

Kept apart from :mod:`behaviortypes.plots` (which re-exports them) so that the command
line's messages and the report's :class:`behaviortypes.texts.Formatter` can write a
number without importing matplotlib.
"""

from __future__ import annotations

__all__ = ["fixed", "grouped", "amount_digits", "interval_digits", "AMOUNT_WHOLE",
           "INTERVAL_EXTRA_DIGITS"]


def fixed(x: float, digits: int = 0, *, scale: int = 1, sign: bool = False) -> str:
    """``x * scale`` with ``digits`` decimals, rounded half away from zero.

    The one rounding rule of every output (report, figures, workbooks): it is how a
    spreadsheet shows a number format (``0%`` shows 0.625 as 63%), whereas Python's
    ``f"{0.625:.0%}"`` gives 62% (half to even on the binary value). The number is
    rounded as written (its shortest decimal form), so 0.285 as a percentage is 29.

    Parameters
    ----------
    x : float
    digits : int, default=0
        Decimals to keep.
    scale : int, default=1
        Multiply first (100 for a percentage), exactly.
    sign : bool, default=False
        Write ``+`` before a positive number.

    Returns
    -------
    str
        ``"63"`` for ``fixed(0.625, scale=100)``; a rounded zero has no minus sign.

    Examples
    --------
    >>> fixed(0.625, scale=100), fixed(2.25, 1), fixed(-0.04, 1, sign=True)
    ('63', '2.3', '0.0')
    """
    from decimal import ROUND_HALF_UP, Decimal

    import numpy as np  # (here: a one-line message need not import it)

    if not np.isfinite(x):
        return "nan"
    q = (Decimal(repr(float(x))) * scale).quantize(Decimal(1).scaleb(-int(digits)), rounding=ROUND_HALF_UP)
    if q == 0:
        q = abs(q)
    text = f"{q:f}"
    return "+" + text if sign and q > 0 else text


#: At most this many decimals are added to an interval whose ends round to one number.
INTERVAL_EXTRA_DIGITS = 2


#: An average of this size or more (kronor, counts) is written as a whole number.
AMOUNT_WHOLE = 100


def amount_digits(*values: float, small: int = 1) -> int:
    """Decimals for an average of an amount or a count: none when any of ``values`` is
    :data:`AMOUNT_WHOLE` or more (118,754 kr, not "118753,5"), else ``small`` (9.3 logins).
    The numbers written side by side (a type and everyone) are given the same decimals;
    small numbers that differ but would be written alike get up to two more ("0.31 vs
    0.28", not "0.3 vs 0.3" with an arrow between them; user trial 12)."""
    import numpy as np

    sizes = [float(v) for v in values if v is not None and np.isfinite(float(v))]
    if sizes and max(abs(v) for v in sizes) >= AMOUNT_WHOLE:
        return 0
    digits = small
    while (digits < small + 2 and len(set(sizes)) > 1
           and len({fixed(v, digits) for v in sizes}) == 1):
        digits += 1
    return digits


def grouped(text: str, sep: str = ",") -> str:
    """A number as :func:`fixed` writes it, its whole part in groups of three:
    ``grouped("-118754.5", " ")`` → ``"-118 754.5"``."""
    sign, body = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, dot, frac = body.partition(".")
    if not whole.isdigit():
        return text
    return sign + f"{int(whole):,}".replace(",", sep) + dot + frac


def interval_digits(low: float, high: float, digits: int = 0, *, scale: int = 1) -> int:
    """Decimals to write an interval with so that its two ends differ.

    A large sample gives a narrow interval: 62,655 respondents put a 28 % type at
    27.6–28.3 %, which whole percentages write as "28–28%" — an interval that says
    nothing. It is given one more decimal, up to :data:`INTERVAL_EXTRA_DIGITS` more,
    until its ends differ as written (rounded by :func:`fixed`); the point estimate is
    best written with the same decimals.

    Parameters
    ----------
    low, high : float
        The interval's ends (NaN: ``digits`` unchanged).
    digits : int, default=0
        The decimals the output would use otherwise.
    scale : int, default=1
        As in :func:`fixed` (100 for percentages).

    Returns
    -------
    int
        ``digits`` when the ends already differ, else the fewest decimals (at most
        ``digits + INTERVAL_EXTRA_DIGITS``) at which they do.

    Examples
    --------
    >>> interval_digits(0.2752, 0.2822, scale=100), interval_digits(0.27, 0.33, scale=100)
    (1, 0)
    """
    import numpy as np

    if not (np.isfinite(low) and np.isfinite(high)):
        return int(digits)
    for d in range(int(digits), int(digits) + INTERVAL_EXTRA_DIGITS + 1):
        if fixed(low, d, scale=scale) != fixed(high, d, scale=scale):
            return d
    return int(digits) + INTERVAL_EXTRA_DIGITS
