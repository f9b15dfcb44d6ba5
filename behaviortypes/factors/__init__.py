"""The measurement model: correlations, factorability, retention, EFA, reliability, CFA check.

Public API (see ``docs/architecture.md``):

- :func:`correlation_matrix` — pairwise (weighted) Pearson or polychoric, logged;
- :func:`kmo`, :func:`bartlett` — factorability;
- :func:`fa_parallel` (R psych's ``fa.parallel``), :func:`velicer_map`,
  :func:`empirical_kaiser`, :func:`parallel_analysis` — how many factors;
- :class:`FactorModel` — EFA with psych's defaults (minres as psych's own search; ML and
  rotations through factor-analyzer), labelled
  loadings, flags, reliability, names and factor scores;
- :func:`cronbach_alpha`, :func:`item_reliability`, :func:`omega_total` (a scale's
  omega from a one-factor model of its items, as psych's ``omega(x, nfactors = 1)``),
  :func:`omega` (from given loadings), :func:`scale_reliability` — reliability;
- :func:`cfa_check` — the structure confirmed on held-out respondents (semopy).

factor-analyzer is used only inside this package (it breaks with scikit-learn ≥ 1.8).
"""

from .cfa import cfa_check
from .correlation import bivariate_normal_cdf, correlation_matrix
from .model import FactorModel
from .reliability import (
    cronbach_alpha,
    item_reliability,
    omega,
    omega_total,
    scale_reliability,
)
from .retention import (
    bartlett,
    empirical_kaiser,
    fa_parallel,
    kmo,
    parallel_analysis,
    velicer_map,
)

__all__ = [
    "FactorModel",
    "bartlett",
    "bivariate_normal_cdf",
    "cfa_check",
    "correlation_matrix",
    "cronbach_alpha",
    "empirical_kaiser",
    "fa_parallel",
    "item_reliability",
    "kmo",
    "omega",
    "omega_total",
    "parallel_analysis",
    "scale_reliability",
    "velicer_map",
]
