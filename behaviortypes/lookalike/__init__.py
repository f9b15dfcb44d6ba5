"""The lookalike (twin) model: tag every customer with their most likely behaviour type.

Trained on survey respondents who are also customers (their CRM behaviour and
their assigned type), calibrated, corrected for survey response bias by
estimating the base's type shares (Saerens EM), saved safely with skops, and
accompanied by a short "typing tool" of golden questions.
"""

from .model import CALIBRATION_CHOICES, MODEL_CHOICES, UNASSIGNED, LookalikeModel
from .persist import TRUSTED_TYPES, load_model, save_model
from .train import (LookalikeResult, card_base_shares, choose_base_shares, customers_fingerprint,
                    raw_shares_reason, train_lookalike)
from ._features import personal_data_columns
from .typing_tool import TypingTool, build_typing_tool, load_typing_tool
from .priors import (
    BOOTSTRAP_DRAWS,
    MAX_SHARE_SE,
    LABEL_SHIFT_MAX_SMD,
    LABEL_SHIFT_MIN_Z,
    CrmMoments,
    base_share_intervals,
    calibration_table,
    crm_indicators,
    label_shift_check,
    raw_share_intervals,
    estimate_base_priors,
    expected_calibration_error,
    shift_identifiability,
    shift_posteriors,
)

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
