"""behaviortypes — from coded interviews and a survey to behaviour types, a lookalike
model that tags the whole customer base, and persona reports.

The stages live in their own modules (``readers``, ``quality``, ``interviews``,
``factors``, ``segments``, ``profiles``, ``lookalike``, ``scoring``, ``report``);
:mod:`behaviortypes.pipeline` chains them and :mod:`behaviortypes.cli` is the
command line.
"""

from importlib.metadata import PackageNotFoundError, version

from .errors import InputError, SurveyQualityWarning
from .instrument import Instrument, load_instrument

try:
    __version__ = version("behaviortypes")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = ["InputError", "SurveyQualityWarning", "Instrument", "load_instrument", "__version__"]
