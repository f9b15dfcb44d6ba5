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
from .threestep import (
    bch_weights,
    classification_error_matrix,
    covariate_model,
    multinomial_three_step,
    outcome_means,
)

__all__ = [
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
