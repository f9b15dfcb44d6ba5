"""behaviortypes — from coded interviews and a survey to behaviour types, a lookalike
model that tags the whole customer base, and persona reports.

The stages live in their own modules (``readers``, ``quality``, ``interviews``,
``factors``, ``segments``, ``profiles``, ``lookalike``, ``scoring``, ``report``);
:mod:`behaviortypes.pipeline` chains them and :mod:`behaviortypes.cli` is the
command line.
"""

from typing import Any

from .errors import InputError, SurveyQualityWarning

__all__ = ["InputError", "SurveyQualityWarning", "Instrument", "load_instrument", "__version__"]


def __getattr__(name: str) -> Any:
    """``Instrument``, ``load_instrument`` and ``__version__``, read when first asked for: the
    instrument's schema needs pydantic, and every command line start imports this package
    (a refusal of a missing folder need not pay for it)."""
    if name in ("Instrument", "load_instrument"):
        from . import instrument

        return getattr(instrument, name)
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("behaviortypes")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
