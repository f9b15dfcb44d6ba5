"""Who the types are and what they are worth: banner tables, outcomes and covariates.

* :mod:`~behaviortypes.describe.banner` — banner tables (type vs rest tests, FDR) and
  Rao–Scott association tests.
* :mod:`~behaviortypes.describe.threestep` — bias-adjusted three-step outcome means (BCH)
  and the ML-corrected multinomial model of type on covariates.
* :mod:`~behaviortypes.describe.profile` — ``behaviortypes profile``: reads a discovery
  folder, writes ``banner.csv``, ``banner_tests.csv``, ``outcomes.csv``, ``covariates.csv``.
* :mod:`~behaviortypes.describe.workbook` — the formatted banner workbook.
* :mod:`~behaviortypes.describe.words` — the plain-words "Who they are" block per type.
"""

from .banner import banner_table, banner_tests, kish_n, level_key, rao_scott
from .profile import ProfileResult, load_profile, profile_types_by
from .threestep import (
    bch_weights,
    classification_error_matrix,
    covariate_model,
    multinomial_three_step,
    outcome_means,
)
from .words import banner_overview, who_they_are
from .workbook import write_banner_workbook

__all__ = [
    "profile_types_by",
    "load_profile",
    "ProfileResult",
    "write_banner_workbook",
    "who_they_are",
    "banner_overview",
    "banner_table",
    "banner_tests",
    "rao_scott",
    "kish_n",
    "level_key",
    "classification_error_matrix",
    "bch_weights",
    "outcome_means",
    "multinomial_three_step",
    "covariate_model",
]
