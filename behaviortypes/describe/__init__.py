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

from importlib import import_module
from typing import TYPE_CHECKING

#: Where each public name lives. Imported when first used (PEP 562), so that a command that
#: only checks a survey's values (``describe.plausible``) does not import the workbook's
#: plotting (matplotlib) and the three-step models (statsmodels-like weight) to start.
_HOME = {
    "banner_table": "banner", "banner_tests": "banner", "kish_n": "banner", "level_key": "banner",
    "rao_scott": "banner",
    "ProfileResult": "profile", "load_profile": "profile", "profile_types_by": "profile",
    "bch_weights": "threestep", "classification_error_matrix": "threestep",
    "covariate_model": "threestep", "multinomial_three_step": "threestep", "outcome_means": "threestep",
    "banner_overview": "words", "who_they_are": "words",
    "write_banner_workbook": "workbook",
}

if TYPE_CHECKING:  # for type checkers and editors: the names as if imported here
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


def __getattr__(name: str):
    if name in _HOME:
        value = getattr(import_module(f".{_HOME[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


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
