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
    (a refusal of a missing folder need not pay for it). Kept as the module's attribute once
    read, so that Python does not ask again (``__version__`` read the package metadata on
    every access)."""
    if name in ("Instrument", "load_instrument"):
        from . import instrument

        value = getattr(instrument, name)
    elif name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("behaviortypes")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            value = "0+unknown"
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
