"""The words and numbers of every output, per language, without the report's weight.

:func:`load_texts` reads ``report/i18n/<lang>.yaml``; :class:`Formatter` writes numbers as a
reader of the language does (decimal comma and ``34 %`` in Swedish). Both are re-exported by
:mod:`behaviortypes.report.render`; they live here so that a one-line message at the command
line does not import the report (Jinja2, WeasyPrint, matplotlib) to be said.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError
from .numbers import amount_digits, fixed, grouped, interval_digits

__all__ = ["I18N", "LANGUAGES", "load_texts", "Formatter", "is_finite"]

I18N = Path(__file__).parent / "report" / "i18n"
#: Languages with template text in ``report/i18n``.
LANGUAGES = tuple(sorted(p.stem for p in I18N.glob("*.yaml")))


def is_finite(v: Any) -> bool:
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


@lru_cache(maxsize=None)
def load_texts(lang: str) -> dict[str, str]:
    """Template text for a language (``report/i18n/<lang>.yaml``).

    Raises
    ------
    InputError
        If there is no text for ``lang``.
    """
    if lang not in LANGUAGES:
        raise InputError(f"no report text for language {lang!r}", column="lang", value=lang,
                         hint=f"use one of: {', '.join(LANGUAGES)}")
    # LibYAML's parser when PyYAML has it (the same plain data, 0.02 s against 0.27 s for the
    # 130 KB catalogue): every command that says a line reads it, a refusal too
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load((I18N / f"{lang}.yaml").read_text(encoding="utf-8"), Loader=loader)


class Formatter:
    """Numbers as a reader of ``lang`` writes them (decimal comma and ``34 %`` in Swedish)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._comma = lang == "sv"

    def _dec(self, text: str) -> str:
        return text.replace(".", ",").replace("-", "−") if self._comma else text.replace("-", "−")

    def sig(self, x: Any, digits: int = 3) -> str:
        """``digits`` significant digits, e.g. ``0.00583`` (R psych prints Velicer's MAP so)."""
        if not is_finite(x):  # text, None, NaN, inf
            return "–"
        x = float(x)
        if x == 0:
            return self.num(0.0, digits - 1)
        return self.num(x, max(0, digits - 1 - int(math.floor(math.log10(abs(x))))))

    def num(self, x: float | None, digits: int = 2) -> str:
        """A decimal number, e.g. ``0.81`` / ``0,81``."""
        if x is None or (isinstance(x, float) and not math.isfinite(x)):
            return "–"
        return self._dec(fixed(x, digits))

    def amount(self, x: float | None, like: Sequence[float] | None = None) -> str:
        """An average amount or count with thousands grouped and no needless decimals:
        ``118 754`` (kronor), ``9,3`` (logins); ``like``: the numbers written beside it,
        which share its decimals (:func:`behaviortypes.amount_digits`)."""
        if not is_finite(x):  # text, None, NaN, inf
            return "–"
        x = float(x)
        text = fixed(x, amount_digits(x, *(like or ())))
        return self._dec(grouped(text, "\u202f" if self._comma else ","))

    def signed(self, x: float, digits: int = 2) -> str:
        """A signed difference, e.g. ``+0.42``."""
        return self._dec(fixed(x, digits, sign=True))

    def count(self, x: float | int) -> str:
        """A whole number with thousands separators (``100,000`` / ``100 000``)."""
        text = f"{int(fixed(x)):,}"
        return text.replace(",", "\u202f") if self._comma else text

    def pct(self, x: float | None, digits: int = 0) -> str:
        """A share 0..1 as a percentage (``34%`` / ``34 %``)."""
        if x is None or not math.isfinite(float(x)):
            return "–"
        return self._dec(fixed(x, digits, scale=100)) + ("\u00a0%" if self._comma else "%")

    def pct_range(self, lo: float, hi: float, digits: int = 0) -> str:
        """An interval of shares, e.g. ``30–37%``."""
        return f"{self._dec(fixed(lo, digits, scale=100))}–{self.pct(hi, digits)}"

    def share_ci(self, share: float, lo: float, hi: float, digits: int = 0) -> tuple[str, str]:
        """A share and its interval, e.g. ``("34%", "30–37%")``, written with ``digits``
        decimals or more when the interval's ends would otherwise read as one number
        (``("27.9%", "27.5–28.2%")``, not ``("28%", "28–28%")``; see
        :func:`behaviortypes.interval_digits`)."""
        d = interval_digits(lo, hi, digits, scale=100)
        return self.pct(share, d), self.pct_range(lo, hi, d)

    def pvalue(self, p: float) -> str:
        """``< 0.001`` or ``= 0.023``."""
        return "< " + self.num(0.001, 3) if p < 0.001 else "= " + self.num(p, 3)
