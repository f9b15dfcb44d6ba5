"""Types engine: candidate clusterings, the evidence for the number of types, stable ids.

Public API: :class:`TypeFinder`, :func:`match_types` and :func:`start_workers` (start
the worker processes ahead of a first fit); latent class models on the statements
themselves (:class:`LatentClassModel`, :func:`choose_n_classes`; poLCA's and Latent
GOLD's, an option beside the engine — ``docs/lca.md``). See ``docs/choosing_k.md``
for the rule that chooses k and how it was validated on planted studies.

The building blocks are public too, for checking them one by one and for fitting one
model by hand: the weighted mixture models (:class:`Mixture`, :func:`fit_mixture`,
:func:`fit_mixture_multistart`, :func:`refine_mixture` with :func:`split_starts` and
:func:`merge_starts`, :func:`n_mixture_params`, :func:`mixture_log_resp`, the collapse guard
:func:`collapse_reference` / :func:`is_collapsed` / :func:`best_fit`, :class:`WardTree`,
:func:`quick_kmeans`) and the evidence (:func:`jaccard_to_reference`,
:func:`prediction_strength`, :func:`blrt_pvalue`), and mclust's hierarchical starts
(:func:`hc_partitions`, :func:`hc_vvv`, :func:`hclass`, :class:`HcTree`; module ``hc``),
and the bent one-group candidates (:func:`fit_skewed_group`, :func:`fit_shash_group`;
module ``skewed``).
"""

from ._evidence import blrt_pvalue, jaccard_to_reference, prediction_strength
from ._models import (
    Mixture,
    WardTree,
    best_fit,
    collapse_reference,
    fit_mixture,
    fit_mixture_multistart,
    is_collapsed,
    merge_starts,
    mixture_log_resp,
    n_mixture_params,
    quick_kmeans,
    refine_mixture,
    split_starts,
)

from .finder import (
    DEFAULT_MODELS,
    MODELS,
    MIN_MEAN_JACCARD,
    MIN_PREDICTION_STRENGTH,
    MIN_TYPE_N,
    SMALL_SHARE,
    SMALL_TYPE_JACCARD,
    STABLE_JACCARD,
    TypeFinder,
    size_words,
    start_workers,
)
from .hc import HcTree, hc_partitions, hc_vvv, hclass
from .nexttype import NEXT_MAX_WIDTH, NEXT_MIN_DISTANCE, NewType, new_type
from .skewed import SkewedGroup, fit_shash_group, fit_skewed_group
from .unimodal import DIP_MIN_P, SplitDip, fisher_direction, split_dip
from .lca import ClassChoice, LatentClassModel, choose_n_classes
from .matching import match_types

__all__ = [
    "TypeFinder",
    "SkewedGroup",
    "NewType",
    "new_type",
    "NEXT_MIN_DISTANCE",
    "NEXT_MAX_WIDTH",
    "fit_skewed_group",
    "fit_shash_group",
    "DIP_MIN_P",
    "SplitDip",
    "fisher_direction",
    "split_dip",
    "match_types",
    "LatentClassModel",
    "ClassChoice",
    "choose_n_classes",
    "STABLE_JACCARD",
    "MIN_MEAN_JACCARD",
    "MIN_PREDICTION_STRENGTH",
    "MIN_TYPE_N",
    "SMALL_SHARE",
    "SMALL_TYPE_JACCARD",
    "size_words",
    "start_workers",
    "DEFAULT_MODELS",
    "MODELS",
    "Mixture",
    "WardTree",
    "best_fit",
    "collapse_reference",
    "fit_mixture",
    "fit_mixture_multistart",
    "is_collapsed",
    "merge_starts",
    "mixture_log_resp",
    "n_mixture_params",
    "quick_kmeans",
    "refine_mixture",
    "split_starts",
    "blrt_pvalue",
    "jaccard_to_reference",
    "prediction_strength",
    "HcTree",
    "hc_partitions",
    "hc_vvv",
    "hclass",
]
