"""The lookalike (twin) model: tag every customer with their most likely behaviour type.

Trained on survey respondents who are also customers (their CRM behaviour and
their assigned type), calibrated, corrected for survey response bias by
estimating the base's type shares (Saerens EM), saved safely with skops, and
accompanied by a short "typing tool" of golden questions.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

#: Each public name → the module that defines it. Imported when first asked for (PEP 562):
#: ``from behaviortypes.lookalike import personal_data_columns`` (the readers', pandas only) or
#: ``train_lookalike`` (which reads the customer file before it fits) do not import
#: scikit-learn, scipy and skops, so a refusal of the user's customer file is said without them
#: (``behaviortypes lookalike``: 2.5 CPU s before session 23, tests/test_suite23b.py).
_WHERE = {
    **dict.fromkeys(("CALIBRATION_CHOICES", "MODEL_CHOICES", "UNASSIGNED", "LookalikeModel"), "model"),
    **dict.fromkeys(("TRUSTED_TYPES", "load_model", "save_model"), "persist"),
    **dict.fromkeys(("LookalikeResult", "card_base_shares", "choose_base_shares", "customers_fingerprint",
                     "raw_shares_reason", "train_lookalike"), "train"),
    "personal_data_columns": "_features",
    **dict.fromkeys(("TypingTool", "build_typing_tool", "load_typing_tool"), "typing_tool"),
    **dict.fromkeys(("BOOTSTRAP_DRAWS", "MAX_SHARE_SE", "LABEL_SHIFT_MAX_SMD", "LABEL_SHIFT_MIN_Z", "CrmMoments",
                     "base_share_intervals", "calibration_table", "crm_indicators", "label_shift_check",
                     "raw_share_intervals", "estimate_base_priors", "expected_calibration_error",
                     "shift_identifiability", "shift_posteriors"), "priors"),
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)  # (not kept here: a test's patch of it ends)


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})


if TYPE_CHECKING:  # pragma: no cover
    from ._features import personal_data_columns
    from .model import CALIBRATION_CHOICES, MODEL_CHOICES, UNASSIGNED, LookalikeModel
    from .persist import TRUSTED_TYPES, load_model, save_model
    from .priors import (BOOTSTRAP_DRAWS, LABEL_SHIFT_MAX_SMD, LABEL_SHIFT_MIN_Z, MAX_SHARE_SE, CrmMoments,
                         base_share_intervals, calibration_table, crm_indicators, estimate_base_priors,
                         expected_calibration_error, label_shift_check, raw_share_intervals,
                         shift_identifiability, shift_posteriors)
    from .train import (LookalikeResult, card_base_shares, choose_base_shares, customers_fingerprint,
                        raw_shares_reason, train_lookalike)
    from .typing_tool import TypingTool, build_typing_tool, load_typing_tool

__all__ = [
    "LookalikeModel",
    "LookalikeResult",
    "train_lookalike",
    "personal_data_columns",
    "card_base_shares",
    "choose_base_shares",
    "raw_shares_reason",
    "customers_fingerprint",
    "label_shift_check",
    "raw_share_intervals",
    "crm_indicators",
    "CrmMoments",
    "LABEL_SHIFT_MAX_SMD",
    "LABEL_SHIFT_MIN_Z",
    "TypingTool",
    "build_typing_tool",
    "load_typing_tool",
    "UNASSIGNED",
    "MODEL_CHOICES",
    "CALIBRATION_CHOICES",
    "TRUSTED_TYPES",
    "save_model",
    "load_model",
    "estimate_base_priors",
    "base_share_intervals",
    "BOOTSTRAP_DRAWS",
    "MAX_SHARE_SE",
    "shift_identifiability",
    "shift_posteriors",
    "expected_calibration_error",
    "calibration_table",
]
