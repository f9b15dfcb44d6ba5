"""Types engine: candidate clusterings, the evidence for the number of types, stable ids.

Public API: :class:`TypeFinder` and :func:`match_types`. See ``docs/choosing_k.md``
for the rule that chooses k and how it was validated on planted studies.
"""

from .finder import (
    MIN_MEAN_JACCARD,
    MIN_PREDICTION_STRENGTH,
    MIN_TYPE_N,
    SMALL_SHARE,
    SMALL_TYPE_JACCARD,
    STABLE_JACCARD,
    TypeFinder,
    size_words,
)
from .matching import match_types

__all__ = [
    "TypeFinder",
    "match_types",
    "STABLE_JACCARD",
    "MIN_MEAN_JACCARD",
    "MIN_PREDICTION_STRENGTH",
    "MIN_TYPE_N",
    "SMALL_SHARE",
    "SMALL_TYPE_JACCARD",
    "size_words",
]
