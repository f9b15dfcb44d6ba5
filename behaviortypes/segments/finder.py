"""``TypeFinder``: candidate type solutions, the evidence for k, and the final types."""

from __future__ import annotations

import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)

from ..errors import InputError, SurveyQualityWarning
from ..threads import one_thread
from ..workers import start_workers  # noqa: F401  (public here: segments.start_workers)
from ._evidence import blrt_pvalue, run_blrt, run_resamples
from ._models import (
    Mixture,
    fit_kmeans,
    fit_mixture,
    fit_mixture_multistart,
    mixture_log_resp,
    merge_starts,
    n_mixture_params,
    refine_mixture,
    split_starts,
    WardTree,
    best_fit,
    collapse_reference,
    is_collapsed,
    MIN_ROUNDING_RATIO,
    rounding_reference,
)
from .nexttype import NEXT_MAX_WIDTH, NEXT_MIN_DISTANCE, new_type
from .skewed import fit_skewed_group
from .unimodal import DIP_MIN_P, split_dip

__all__ = ["TypeFinder", "size_words", "STABLE_JACCARD", "MIN_MEAN_JACCARD", "MIN_PREDICTION_STRENGTH",
           "MIN_TYPE_N", "SMALL_SHARE", "SMALL_TYPE_JACCARD"]

#: a type is "stable" when its mean best Jaccard over resamples reaches this (Hennig 2007)
STABLE_JACCARD = 0.75
#: a solution "predicts" when its prediction strength reaches this (Tibshirani & Walther 2005)
MIN_PREDICTION_STRENGTH = 0.8
#: the chosen solution's types must be reproducible on average (mean Jaccard)
MIN_MEAN_JACCARD = 0.7
#: default absolute floor: every type needs at least this many (effective, weighted)
#: respondents; a type's profile then has 95 % intervals of about +-0.3 SD on a factor
MIN_TYPE_N = 40
#: a type under this share of the sample is "small": it is kept only when reproducible
SMALL_SHARE = 0.05
#: a small type must keep at least this mean Jaccard over the resamples (Hennig 2007:
#: below 0.5 a type "dissolves")
SMALL_TYPE_JACCARD = 0.5
_SILHOUETTE_SAMPLE = 2000
_N_STARTS = 20  # k-means++ starts of the reference mixtures (em-EM)
#: starts of the free-covariance model's em-EM: the first k-means starts, the Ward cut
#: and the shared-shape fit's posteriors (its split-and-merge restarts follow)
_N_FULL_STARTS = 6
#: degrees of freedom tried for the t mixture (the best likelihood is kept)
_T_NU = (4.0, 8.0, 16.0, 50.0)
#: mixture models whose BIC chooses k by default (see docs/choosing_k.md): shared shape,
#: free covariance, t with shared shape, and mclust's own-shape model VEV (own volume and
#: orientation, one shape) with t components. The t mixture with shared correlations and
#: own spreads per type and factor (``tspreads``) was a default until session 10: on
#: unseen field-like studies it bought the floor and ceiling of Likert scales (a type
#: pressed against a scale's end is narrower there) with extra or misplaced types, and t
#: VEV now covers the own-shape studies it was adopted for.
DEFAULT_MODELS = ("scaled", "full", "tscaled", "tVEV")
#: every model that can take part in the choice (``TypeFinder(models=...)``): the defaults,
#: the t own-spreads model, mclust's VVE (one orientation, own volume and shape per type;
#: Gaussian and t) and the Gaussian VEV — measured, not default (VVE over-split an
#: end-to-end synth study)
MODELS = DEFAULT_MODELS + ("tspreads", "VVE", "VEV", "tVVE")
#: evidence column holding each choice model's BIC
_BIC_COLUMN = {"scaled": "bic", "full": "bic_full", "tscaled": "bic_t",
               "tspreads": "bic_t_spreads", "VVE": "bic_vve", "VEV": "bic_vev",
               "tVVE": "bic_t_vve", "tVEV": "bic_t_vev"}
#: the models fitted from the others' posteriors when chosen (cost: see docs/choosing_k.md)
_EXTRA_KINDS = ("VVE", "VEV", "tVVE", "tVEV")
#: of those, the dear ones (an iterated M-step: 5-10x the others' time), fitted only at
#: the k whose best BIC over the other models is within ``_DEAR_MARGIN`` of the lowest
_DEAR_KINDS = ("VVE", "tVVE")
_DEAR_MARGIN = 100.0
#: ``method_`` of each model
_METHOD = {"scaled": "gaussian_mixture_shared_shape", "full": "gaussian_mixture_full",
           "tscaled": "t_mixture_shared_shape", "tspreads": "t_mixture_shared_correlation",
           "VVE": "gaussian_mixture_VVE", "VEV": "gaussian_mixture_VEV",
           "tVVE": "t_mixture_VVE", "tVEV": "t_mixture_VEV"}
#: BIC difference that counts as very strong evidence (Kass & Raftery 1995): the types
#: must beat one homogeneous group by at least this much
_STRONG_BIC = 10.0
#: mixture models fitted by the multi-start search (the others start from "scaled")
_SEARCH_KINDS = ("scaled", "full")


class _Coded(str):
    """A warning's English text that also carries its sentence as a code of the report's
    texts and its values, so that the command line says it in the language it speaks."""

    def __new__(cls, text, code, **values):
        obj = super().__new__(cls, text)
        obj.code, obj.values = code, values
        return obj


def size_words(n, sample_share, base_share=None, base_ci=None):
    """A type's size in plain words, with its share of the customer base when known.

    The hook for reporting a small type honestly: a survey can under-sample a type
    (engaged customers answer more often), so its share of the respondents is shown
    beside its bias-corrected share of the base (the lookalike's prior-shift estimate)
    and that share's confidence interval.

    Parameters
    ----------
    n : float
        Respondents in the type (weighted).
    sample_share : float
        Share of the respondents, 0..1.
    base_share : float, optional
        Bias-corrected share of the customer base, 0..1.
    base_ci : (float, float), optional
        95 % interval of ``base_share``.

    Returns
    -------
    str
        e.g. ``"93 respondents (3.7 % of respondents, 7.5 % of the customer base,
        95 % CI 6.1-8.9 %)"``.
    """
    text = f"{n:.0f} respondents ({100 * sample_share:.1f} % of respondents"
    if base_share is not None and np.isfinite(base_share):
        text += f", {100 * base_share:.1f} % of the customer base"
        if base_ci is not None:
            lo, hi = base_ci
            text += f", 95 % CI {100 * lo:.1f}-{100 * hi:.1f} %"
    return text + ")"


def _reference_task(Z, w, k, seeds, ward_labels, guard):
    """Full-data fits at one k: k-means (10 starts) and the search mixtures by em-EM from
    20 k-means starts and the Ward cut (a worker function: explicit seeds)."""
    with one_thread():
        km_labels, centres, inertia = fit_kmeans(Z, w, k, n_init=10, seed=int(seeds[0]))
        starts = [km_labels] + [
            fit_kmeans(Z, w, k, n_init=1, seed=int(s))[0] for s in seeds[1:]
        ]
        if np.unique(ward_labels).size == k:  # ties in the tree can give fewer groups
            starts.insert(1, ward_labels)
        mixes = {"scaled": fit_mixture_multistart(Z, w, starts, k, kind="scaled", guard=guard)}
        # the free model pays k*d*(d+1)/2 parameters and rarely wins; fewer random starts
        # plus the shared-shape optimum (session 4: half of the full-data fits' time)
        warm = np.exp(mixture_log_resp(Z, mixes["scaled"])[0])
        mixes["full"] = fit_mixture_multistart(
            Z, w, starts[:_N_FULL_STARTS] + [warm], k, kind="full", guard=guard)
    return dict(mixes=mixes, km_labels=km_labels, ward_labels=ward_labels,
                centres=centres, inertia=inertia)


def _split_merge_task(Z, w, fits, guard):
    """Split-and-merge restarts of one model kind over all k (``fits``: k -> Mixture)."""
    with one_thread():
        fits = dict(fits)
        ks = sorted(fits)
        for lo, hi in zip(ks, ks[1:]):  # upwards: split
            if hi == lo + 1:
                fits[hi] = refine_mixture(Z, w, fits[hi], split_starts(Z, fits[lo]),
                                          guard=guard)
        for lo, hi in zip(ks[::-1][1:], ks[::-1]):  # downwards: merge
            if hi == lo + 1:
                fits[lo] = refine_mixture(Z, w, fits[lo], merge_starts(Z, w, fits[hi]),
                                          guard=guard)
    return fits


def _fit_t(Z, w, resp, k, kind, guard):
    """Multivariate t mixture (``tscaled`` or ``tspreads``) from Gaussian posteriors;
    the degrees of freedom with the best likelihood among fits that did not collapse."""
    fits = [fit_mixture(Z, w, resp, k, kind=kind, nu=nu, max_iter=300) for nu in _T_NU]
    return best_fit(fits, guard)


def _derived_task(Z, w, k, scaled, full, extra, guard):
    """The models fitted from the final shared-shape fit: own spreads (Gaussian and t),
    shared-shape t, diagonal and tied, and the ``extra`` own-shape models; plus the
    reference labels and posteriors."""
    with one_thread():
        log_resp, _ = mixture_log_resp(Z, scaled)
        labels = np.argmax(log_resp, axis=1)
        resp = np.exp(log_resp)
        mixes = {"spreads": fit_mixture(Z, w, resp, k, kind="spreads"),
                 "tscaled": _fit_t(Z, w, resp, k, "tscaled", guard),
                 "tspreads": _fit_t(Z, w, resp, k, "tspreads", guard)}
        for kind in ("diag", "tied"):
            mixes[kind] = fit_mixture(Z, w, labels, k, kind=kind)
        mixes.update(_own_shape_fits(Z, w, k, dict(mixes, scaled=scaled, full=full), extra,
                                     guard))
    return mixes, dict(labels=labels, log_resp=log_resp)


def _own_shape_fits(Z, w, k, mixes, kinds, guard):
    """mclust's own-shape models ``kinds`` (VVE, VEV, tVVE, tVEV) at one k: Gaussian from
    the shared-shape and free fits' posteriors, t from the Gaussian form's (when fitted)
    with the shared-shape t mixture's degrees of freedom; the best that did not collapse."""
    out = {}
    starts = [np.exp(mixture_log_resp(Z, mixes[kd])[0]) for kd in ("scaled", "full")]
    for kind in sorted(kinds, key=lambda kd: kd.startswith("t")):  # Gaussian forms first
        if kind.startswith("t"):
            base = out.get(kind[1:]) or mixes.get(kind[1:])
            st = [np.exp(mixture_log_resp(Z, base)[0])] if base is not None else starts
            fits = [fit_mixture(Z, w, r, k, kind=kind, nu=mixes["tscaled"].nu, max_iter=300)
                    for r in st]
        else:
            fits = [fit_mixture(Z, w, r, k, kind=kind) for r in starts]
        out[kind] = best_fit(fits, guard)
    return out


def _own_shape_task(Z, w, k, mixes, kinds, guard):
    """:func:`_own_shape_fits` in a worker (one BLAS thread)."""
    with one_thread():
        return _own_shape_fits(Z, w, k, mixes, kinds, guard)


def _t_words(nu: float) -> str:
    """Plain words for t components with ``nu`` degrees of freedom."""
    if nu >= max(_T_NU):
        return f"t distributions with near-Gaussian tails, {nu:.0f} df"
    return f"heavy-tailed t distributions, {nu:.0f} df"


_EDGE_WHY = {
    "k_edge_size": "a type falls below the size floor",
    "k_edge_dissolve": "a small type dissolves in resamples",
    "k_edge_unstable": "its types are not reproducible in resamples",
}


#: appended to the reason when the types were fitted to the dequantized scores
_DEQUANTIZED_WORDS = (
    "Some fits put a type on single answer points (narrower than the answers' own rounding: "
    "a factor made mostly of one or two statements takes only a few values), so the types "
    "were fitted to the scores with the answers' rounding added back, as for any whole-point "
    "answers; everyone is typed on their scores as given.")


def _edge_words(edge: dict) -> str:
    """The English sentence of a ``k_reason_edge*`` code (the report renders the codes)."""
    v = edge["values"]
    if edge["code"] == "k_reason_edge":
        return (f"More types fit very strongly better by BIC (k={v['k_more']}, {v['diff']:.1f} "
                f"points lower) but were set aside ({_EDGE_WHY[v['why']]}), so {v['k']} is the "
                "largest number of types this sample supports, not the BIC's own minimum: finer "
                "types may exist that a larger sample could show.")
    if edge["code"] == "k_reason_edge_collapsed":
        return (f"The BIC still falls at k={v['k']} ({v['diff']:.1f} points below k={v['k_prev']}) "
                f"and every fit of more types collapses, so {v['k']} is the largest number of types "
                "these data can show, not the BIC's own minimum.")
    if edge["code"] == "k_reason_edge_floor":
        return (f"The BIC still falls at k={v['k']} ({v['diff']:.1f} points below k={v['k_prev']}), "
                f"the most types of {v['min_n']} respondents this sample holds: finer types may exist "
                "that a larger sample could show.")
    return (f"The BIC still falls at k={v['k']} ({v['diff']:.1f} points below k={v['k_prev']}), "
            "the largest number of types searched: finer types may exist beyond it.")


def _next_words(v: dict) -> str:
    """The English sentence of ``k_reason_next_type`` (the report renders the code)."""
    return (f"One type more than the BIC alone would keep: the BIC of {v['k']} types differs by "
            f"{v['diff']:+.1f} points from that of {v['k_prev']} types (not very strongly worse), and "
            f"the extra type ({v['n_new']} respondents, {v['new_share']:.1%} of the sample) lies "
            f"{v['distance']:.1f} within-type standard deviations from the nearest type (at "
            f"least {v['min_distance']:.1f}) and is {v['width']:.2f} times as wide as the type "
            f"it came from (at most {v['max_width']:.2f}): a distinct small type, not the "
            "tails of another.")


def _own_shape_words(v: dict) -> str:
    """The English sentence of ``k_reason_own_shape_next`` (the report renders the code)."""
    return (f"One type more than the BIC's own minimum: {v['k_prev']} types have the lowest BIC, "
            "won by a model in which each type has its own covariance shape, and the best such fit "
            f"of {v['k']} types is only {v['diff']:.1f} points above it (less than {v['bound']}), "
            "with every type large enough and reproducible; when types have their own shapes, "
            "such a close finer fit has been a real type in planted studies, so "
            f"{v['k']} types are kept.")


def _within_words(v: dict) -> str:
    """The English sentence of ``k_reason_within_model`` (the report renders the code)."""
    return (f"One type fewer than the BIC's choice: {v['k_more']} types fit better than {v['k']} only "
            f"with a change of model; within the model that fits {v['k']} types best (one covariance "
            f"shape for all types) the extra type lowers the BIC by {v['diff']:.1f} points, less than "
            f"the {v['strong']} that count as very strong evidence: in planted studies such an extra "
            f"type was one type cut in two where answers have heavy tails, so {v['k']} types are kept.")


def _model_words(col: str, row) -> str:
    """Plain English for the model whose BIC is in evidence column ``col`` (only that model's
    degrees of freedom are read from ``row``: an evidence row without ``nu_t_spreads``, or
    without ``nu_t``, still has words for the others)."""
    def t(name):
        nu = row.get(name) if hasattr(row, "get") else getattr(row, name, None)
        nu = None if nu is None else float(nu)
        return "t distributions" if nu is None or not np.isfinite(nu) else _t_words(nu)

    words = {
        "bic": lambda: "Gaussian mixture (latent profile model) with one covariance shape "
                       "scaled per type",
        "bic_full": lambda: "Gaussian mixture (latent profile model) with a free covariance "
                            "per type",
        "bic_t": lambda: f"mixture with one covariance shape scaled per type ({t('nu_t')})",
        "bic_t_spreads": lambda: f"mixture with shared correlations and each type's own spread "
                                 f"on every factor ({t('nu_t_spreads')})",
        "bic_vve": lambda: "Gaussian mixture with shared axes and each type's own volume and "
                           "shape (mclust VVE)",
        "bic_vev": lambda: "Gaussian mixture with each type's own volume and orientation and "
                           "one shape (mclust VEV)",
        "bic_t_vve": lambda: f"mixture with shared axes and each type's own volume and shape "
                             f"(mclust VVE; {t('nu_t')})",
        "bic_t_vev": lambda: f"mixture with each type's own volume and orientation and one shape "
                             f"(mclust VEV; {t('nu_t')})",
    }
    return words[col]()


class TypeFinder(BaseEstimator):
    """Find behaviour types and choose how many there are, on evidence.

    For every candidate k in ``k_min..k_max`` a weighted k-means (many starts) and
    weighted Gaussian and t mixtures (latent profile models with several covariance
    structures; em-EM from 20 k-means starts and Ward's hierarchical clustering, then
    restarts from the neighbouring k's fits) are
    fitted; split-half resamples measure how reproducible each solution is; k is chosen
    by BIC among solutions whose types are large enough (see Notes). The final types
    are the winning mixture at that k, with soft membership probabilities.

    Parameters
    ----------
    k : int, optional
        Fix the number of types (``--k``). The evidence is still gathered for every k of
        the range (and one group), as without it: ``k_by_evidence_`` and ``reason_`` say
        what the evidence alone gives.
    k_min, k_max : int, default=1, 10
        Candidate range. With ``k_min=1`` one homogeneous group is a candidate: it is
        chosen (``k_ = 1``) when no set of types fits at least 10 BIC points better (see
        Notes); ``k_min=2`` always returns types. The search stops earlier at the most
        types of ``min_n`` the (effective) respondents hold, ``n_eff // min_n`` (more
        could never be chosen; ``reason_`` says so), and at ``n // 20``.
    n_resamples : int, default=30
        Split-half resamples for stability and prediction strength. The rule reads the
        mean Jaccard of small types against 0.5; at 30 resamples its standard error is
        about 0.03 (use 100+ for a report's per-type stability table).
    min_size : float, default=0.0
        Optional floor as a share of the (weighted) respondents, tested within sampling
        error; 0 = none. The default floor is ``min_n`` in respondents: a survey can
        under-sample a type that is substantial in the market.
    min_n : float, default=40
        Smallest acceptable type in effective (Kish) respondents. Types under 5 % of the
        sample must also reproduce in the resamples (mean Jaccard >= 0.5).
    n_bootstrap : int, default=20
        Parametric bootstrap draws of the likelihood-ratio test of k against k-1 types
        (``blrt_p`` in ``evidence_``; 0 skips it). p-values resolve to 1/(B+1).
    random_state : int, numpy Generator or None, default=None
        Seed; the same seed gives the same result, whatever ``n_jobs``.
    n_jobs : int, default=-1
        Parallel workers for the resamples (-1: all cores).
    progress : bool, default=False
        Show a progress bar.
    models : sequence of str, optional
        The mixture models whose BIC chooses k (default :data:`DEFAULT_MODELS`:
        ``"scaled"`` shared shape, ``"full"`` free covariance, ``"tscaled"`` t
        components with the shared shape, ``"tVEV"`` mclust's own-shape model VEV with
        t components). :data:`MODELS` adds ``"tspreads"`` (t components with shared
        correlations and each type's own spreads; a default until session 10),
        mclust's ``"VVE"`` (Gaussian; ``"tVVE"`` with t components) and the Gaussian
        ``"VEV"``. The own-shape models are fitted from the others' posteriors (VVE and
        tVVE only at the k within 100 BIC points of the best); see docs/choosing_k.md for
        what each was measured to do.

    Attributes
    ----------
    k_ : int
        Chosen number of types.
    k_by_evidence_ : int
        The number of types the evidence alone gives (``k_`` unless ``k`` was set).
    labels_ : Series of int
        Type id 1..k per respondent (index of ``X``), numbered by descending weighted size.
    proba_ : DataFrame of shape (n_respondents, k)
        Membership probabilities ``p_1..p_k``.
    certainty_ : Series
        ``1 - entropy(proba) / log(k)`` per respondent (1 = certain).
    centroids_ : DataFrame of shape (k, n_features)
        Weighted mean of each feature per type, in the units of ``X``.
    rounding_checked_ : bool
        Whether fits with a type narrower than the answers' rounding were set aside
        (``fit(score_rounding=...)``).
    lattice_ : bool
        Whether some fit had a type narrower than the answers' rounding (the scores sit
        on the lattice of the answer points and the mixtures found it).
    dequantized_ : bool
        Whether the types were then fitted again to the scores plus the answers'
        rounding noise (``fit(score_rounding=...)``: when a fit on the lattice appeared
        at or below the number of types first chosen).
    evidence_ : DataFrame
        One row per candidate k with every index (see Notes).
    stability_ : DataFrame
        Per type of the chosen solution: weighted share, n, mean and 10th-percentile
        Jaccard, share of resamples where the type was recovered (Jaccard >= 0.75)
        and dissolved (< 0.5), k-means Jaccard, the consensus agreement and ``avepp``
        (average posterior probability of the type among its members).
    avepp_ : dict
        Per candidate k: the average posterior probability of each type among its
        members (largest type first), on the model that wins the BIC at that k.
    consensus_ : Series of int
        Consensus type per respondent: the majority vote of all resampled Gaussian
        mixture and k-means solutions, aligned to the final types.
    consensus_agreement_ : Series
        Share of those votes that agree with the consensus type.
    reason_ : str
        Plain-English explanation of the choice of k.
    reason_code_ : list of dict
        The same explanation, language-neutral: sentences ``{"code": ..., "values": ...}``
        whose codes name templates of the report's texts (``k_reason_*``; rendered by
        :func:`behaviortypes.i18n.reason_text` in the report's language).
    structure_warning_ : str or None
        Set when the evidence for any type structure is weak (for example one
        homogeneous group of respondents); ``None`` otherwise.
    method_ : str
        The final model.
    candidates_ : dict
        Every candidate fit: ``candidates_[k][model]`` is the fitted mixture (weights,
        means, covariances in the standardised feature space) of each model in
        ``models`` at each k (for inspection; ``method_`` names the one used).
    feature_names_in_ : list of str
    n_features_in_ : int

    Notes
    -----
    Latent-profile evidence in ``evidence_`` (tidyLPA / Mplus conventions): ``entropy``
    (relative entropy, 1 - sum p log p / (n log k), weighted), ``n_min`` (the smallest
    type in effective respondents), ``avepp_min`` (the lowest average posterior
    probability of a type among its members), ``blrt_lr``/``blrt_p`` (bootstrap LR test
    of k against k-1 shared-shape Gaussian types; McLachlan 1987, Nylund et al. 2007;
    computed for the chosen k and k+1), ``jaccard_small`` (the least reproducible type under
    5 % of the sample), ``size_ok`` (every type reaches ``min_n``).
    Other indices in ``evidence_`` (one row per k): ``bic_best`` (the lowest BIC of the
    models that choose k; lower is better), ``bic`` (Gaussian mixture with one
    covariance shape scaled per type; takes part in the choice),
    ``bic_full``/``bic_diag``/``bic_tied`` (other covariance structures; ``bic_full``
    takes part in the choice), ``bic_t`` and ``nu_t`` (the multivariate t mixture with
    the shared-shape structure, and its degrees of freedom; takes part in the choice),
    ``bic_t_spreads`` and ``nu_t_spreads`` (t mixture with one shared correlation
    matrix and each type's own spread on every feature; takes part in the choice),
    ``bic_spreads`` (its Gaussian form; reported only), ``bic_skewed`` (k = 1 only: one
    group with Yeo-Johnson-bent features; takes part in the choice of one group),
    ``bic_t_vev`` (mclust's VEV with t components: each type its own volume and orientation, one shape, ``nu_t``
    degrees of freedom; takes part in the choice; ``bic_vve``, ``bic_vev`` and
    ``bic_t_vve`` when ``models`` adds them — VVE only at the k within 100 BIC points
    of the best, NaN elsewhere), ``set_aside`` (choice models
    whose fit at that k is spurious: a type collapsed onto identical answers, variance
    in some direction below 3 % of the whole sample's, or — with ``score_rounding`` —
    below 3/4 of what the answers' rounding alone gives; their BIC is NaN),
    ``min_share`` (smallest type), ``jaccard_min`` (the least stable type's mean
    Jaccard), ``jaccard_mean``, ``ari`` (split-half agreement),
    ``prediction_strength``, the same for k-means (``*_km``), ``gmm_km_ari`` (agreement
    of the mixture and k-means solutions), ``gmm_ward_ari`` (the same for Ward's
    hierarchical clustering, which is also one of the mixtures' starts),
    ``certainty`` (mean), ``silhouette``
    (on a subsample of 2,000), ``calinski_harabasz``, ``davies_bouldin``,
    ``passes`` (type sizes ok, resampled, and every type under 5 % reproducible),
    ``all_types_stable``, ``chosen`` and ``note``.

    The rule (validated on planted and field-like suites, ``docs/choosing_k.md``): among
    the k whose every type has at least ``min_n`` respondents and whose types under 5 %
    of the sample reproduce in the resamples (a small type is kept for its substance,
    not dropped for its share of a possibly biased sample), take the k
    with the lowest BIC over four mixture models (Gaussian with a shared covariance
    shape scaled per type, Gaussian with a free covariance per type, multivariate t
    with the shared-shape structure, and mclust's own-shape model VEV with t
    components), as mclust does across models; spurious fits are set aside. The t
    mixture keeps a heavy-tailed type from being split into a core and a "tails"
    component; VEV lets types differ in the orientation and spread of their answers,
    which otherwise splits a type in two (measured in docs/choosing_k.md, sessions 5 and
    10; the own-spreads t model, a default until session 10, is an option). More types must be worth
    a very strong BIC difference: the fewest types within 10 BIC points of that lowest
    BIC are chosen (Kass & Raftery 1995; session 6) — unless one type more passes too, its
    BIC is less than 10 above, and its extra type is distinct: at least 2.5 pooled
    within-type standard deviations from the nearest type and at most 1.25 times as wide as
    the type it came from (:func:`~behaviortypes.segments.new_type`; a wider one is laid
    over that type's tails; session 16).
    With ``k_min=1`` (the default) one homogeneous group is chosen instead (``k_ = 1``,
    with ``structure_warning_``) when no set of types has a BIC at least 10 below one
    group's — the best of a Gaussian group, a t group and a group whose scores lean
    towards one end (each feature bent by a Yeo-Johnson transform, ``bic_skewed`` in the
    evidence's k = 1 row; :mod:`behaviortypes.segments.skewed`): mixtures cut a skewed
    single population into 2-3 slices of its lean (session 12, docs/choosing_k.md).
    When the evidence chooses 2 types, one group is chosen too if the respondents have a
    single mode along the line that separates the two types: Hartigan's dip of their
    positions on the 2-type fit's Fisher direction has a p-value of at least 0.5
    (:mod:`behaviortypes.segments.unimodal`; ``dip``, ``dip_p`` in the evidence's k = 2 row;
    reason ``k_reason_one_group_unimodal``): two Gaussians fit one *flat* population better
    than any one group does (session 18, docs/choosing_k.md).
    Every k's fit is also restarted from its neighbours' (a component of the k-1 fit
    split, a pair of the k+1 fit merged), so that a missed optimum at one k does not
    decide the comparison.
    Stability is reported per k and per type and qualifies the reason (mean Jaccard < 0.7: "only
    partly reproducible") but does not move k: as a veto or as "largest stable k" it
    chose too few types on the suite (half-sample fits miss small types). Either BIC
    alone errs (free: too few types; shared shape: too many when types differ in
    shape); silhouette and prediction strength favour 2-3 types; they are reported only.
    ``structure_warning_`` is set (and a ``SurveyQualityWarning`` issued) when no
    solution's BIC is at least 10 below that of one homogeneous group ("very strong"
    evidence, Kass & Raftery 1995; then ``k_ = 1`` unless ``k_min`` >= 2), when the chosen types are not reproducible (mean
    Jaccard < 0.5), when every solution has a too-small type, or when every fit has
    collapsed. The
    final model is the mixture that won the BIC at the chosen k.

    References
    ----------
    Hennig, C. (2007). Cluster-wise assessment of cluster stability. CSDA 52, 258-271.
    Tibshirani, R., & Walther, G. (2005). Cluster validation by prediction strength.
    JCGS 14, 511-528.
    McLachlan, G. J., & Peel, D. (2000). Finite Mixture Models, ch. 7 (t mixtures).
    Wiley.
    Fraley, C., & Raftery, A. E. (2002). Model-based clustering, discriminant analysis
    and density estimation. JASA 97, 611-631.
    """

    def __init__(
        self,
        *,
        k=None,
        k_min=1,
        k_max=10,
        n_resamples=30,
        min_size=0.0,
        min_n=MIN_TYPE_N,
        n_bootstrap=20,
        random_state=None,
        n_jobs=-1,
        progress=False,
        models=None,
    ):
        self.k = k
        self.k_min = k_min
        self.k_max = k_max
        self.n_resamples = n_resamples
        self.min_size = min_size
        self.min_n = min_n
        self.n_bootstrap = n_bootstrap
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.progress = progress
        self.models = models

    @property
    def _kinds(self):
        """The models whose BIC chooses k (``models``, or the defaults)."""
        return DEFAULT_MODELS if self.models is None else tuple(self.models)

    @property
    def _cols(self):
        return [_BIC_COLUMN[kd] for kd in self._kinds]

    # ------------------------------------------------------------------ checks
    def _check_params(self, n):
        bad = [m for m in ([] if self.models is None else list(self.models)) if m not in MODELS]
        if bad or (self.models is not None and len(list(self.models)) == 0):
            raise InputError(
                "models must name one or more of the types engine's mixture models",
                value=bad[0] if bad else "(none)", hint=f"choose from {', '.join(MODELS)}",
            )
        if not (isinstance(self.k_min, (int, np.integer)) and self.k_min >= 1):
            raise InputError(
                "k_min must be an integer of at least 1", value=self.k_min,
                hint="use k_min=1 (one homogeneous group is a candidate) or 2 (always types)",
            )
        if not (isinstance(self.k_max, (int, np.integer)) and self.k_max >= self.k_min):
            raise InputError(
                f"k_max must be an integer >= k_min={self.k_min}", value=self.k_max,
                hint="e.g. k_max=10",
            )
        if self.k is not None and not (
            isinstance(self.k, (int, np.integer)) and 2 <= self.k <= n // 2
        ):
            raise InputError(
                f"k (the number of types) must be an integer between 2 and {n // 2}",
                value=self.k, hint="omit --k to let the evidence choose",
            )
        if not (0 <= float(self.min_size) < 0.5):
            raise InputError(
                "min_size is a share of respondents and must be in [0, 0.5)",
                value=self.min_size,
                hint="the default is 0 (no share floor; min_n sets the floor in respondents)",
            )
        if not (isinstance(self.min_n, (int, np.integer, float)) and self.min_n >= 0):
            raise InputError(
                "min_n (the smallest type, in respondents) must be a number >= 0",
                value=self.min_n, hint=f"the default is {MIN_TYPE_N}",
            )
        if not (isinstance(self.n_bootstrap, (int, np.integer)) and self.n_bootstrap >= 0):
            raise InputError(
                "n_bootstrap must be an integer >= 0 (0 skips the bootstrap LR test)",
                value=self.n_bootstrap, hint="use 20 for a quick look, 100+ for a report",
            )
        if not (isinstance(self.n_resamples, (int, np.integer)) and self.n_resamples >= 2):
            raise InputError(
                "n_resamples must be an integer of at least 2", value=self.n_resamples,
                hint="use 100 or more for a report, 10-20 for a quick look",
            )

    @staticmethod
    def _check_X(X, where="X"):
        if not isinstance(X, pd.DataFrame):
            raise InputError(
                f"{where} must be a pandas DataFrame (respondents x features)",
                value=type(X).__name__, hint="pass factor scores as a DataFrame",
            )
        bad = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
        if bad:
            raise InputError(
                "clustering features must be numeric", column=str(bad[0]),
                value=str(X[bad[0]].dtype), hint="pass factor scores or keyed item scores",
            )
        values = X.to_numpy(dtype=float)
        finite = np.isfinite(values)
        if not finite.all():
            r, c = np.nonzero(~finite)
            raise InputError(
                "missing or infinite values in the clustering features",
                column=str(X.columns[c[0]]), rows=sorted(set((r + 1).tolist())),
                value=values[r[0], c[0]],
                hint="impute or drop these respondents before finding types",
            )
        return values

    @staticmethod
    def _check_weights(sample_weight, n):
        if sample_weight is None:
            return np.ones(n)
        w = np.asarray(sample_weight, dtype=float).ravel()
        if w.size != n:
            raise InputError(
                f"sample_weight has {w.size} values for {n} respondents",
                value=w.size, hint="pass one weight per row of X",
            )
        bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
        if bad.size:
            raise InputError(
                "survey weights must be finite and non-negative", column="weight",
                rows=(bad + 1).tolist(), value=w[bad[0]],
                hint="fix or drop these weights",
            )
        if w.sum() <= 0:
            raise InputError("all survey weights are zero", column="weight", value=0.0,
                             hint="check the weight column")
        return w

    # --------------------------------------------------------------------- fit
    def fit(self, X, sample_weight=None, score_rounding=None):
        """Fit candidate solutions, gather the evidence and choose the types.

        Parameters
        ----------
        X : DataFrame of shape (n_respondents, n_features)
            Clustering basis; the pipeline passes EFA factor scores ``F1..Fm``.
        sample_weight : array-like of shape (n_respondents,), optional
            Survey weights.
        score_rounding : DataFrame or array of shape (n_answers, n_features), optional
            How far each feature moves per point of each answer it is built from, when
            ``X`` is linear in answers given as whole scale points
            (:meth:`behaviortypes.factors.FactorModel.score_weights_per_point`; the
            pipeline passes it). Each answer carries a rounding error of 1/12 of a point
            squared (Sheppard), so no real type can be narrower than ``B' B / 12`` in any
            direction; a fit with a type narrower than :data:`MIN_ROUNDING_RATIO` of it
            sits on the lattice of the answer points (a factor dominated by one or two
            four-point statements splits into its answer points) and is set aside like a
            collapsed fit (``lattice_``). When such a fit appears at or below the number
            of types chosen, the chosen types may use the lattice too, without being that
            narrow: the types are then fitted again to ``X + U @ score_rounding``, ``U``
            seeded and uniform on (-1/2, 1/2) per answer (dequantization, as a continuous
            density must be fitted to discrete data; Theis, van den Oord & Bethge 2016),
            the chosen types refitted to ``X`` from there, and everyone typed on ``X``
            itself, so equal answers get equal types (``dequantized_``). Not always: the
            noise blurs small types and own shapes and moves the choice by its draw
            (docs/choosing_k.md, session 11).
            ``None``: ``X`` is taken as measured without rounding.

        Returns
        -------
        self

        Raises
        ------
        InputError
            On non-numeric or missing features, bad weights or bad settings.
        """
        # one BLAS/OpenMP thread per process: parallelism comes from the resamples
        with one_thread():
            with warnings.catch_warnings(record=True) as first:  # said once, below
                warnings.simplefilter("always")
                self._fit(X, sample_weight, score_rounding)
            if not (self.lattice_ and min(self._lattice_ks) <= self.k_):
                for w in first:
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
                return self
            # the lattice reaches the chosen number of types: again, dequantized
            self._fit(X, sample_weight, score_rounding, dequantize=True)
            self.reason_ = f"{self.reason_} {_DEQUANTIZED_WORDS}"
            self.reason_code_ = [*self.reason_code_, {"code": "k_reason_dequantized",
                                                      "values": {}}]
            return self

    @staticmethod
    def _check_rounding(score_rounding, X, scale):
        """Inverse Cholesky factor of the scores' rounding covariance and the weights per
        answer point (standardised units), or ``(None, None)``."""
        if score_rounding is None:
            return None, None
        hint = "pass FactorModel.score_weights_per_point() of the model that made X"
        if isinstance(score_rounding, pd.DataFrame):
            cols = [str(c) for c in X.columns]
            if sorted(map(str, score_rounding.columns)) != sorted(cols):
                raise InputError("score_rounding must have the features of X as columns",
                                 value=", ".join(map(str, score_rounding.columns)), hint=hint)
            score_rounding = score_rounding.rename(columns=str)[cols]
        B = np.asarray(score_rounding, dtype=float)
        if B.ndim != 2 or B.shape[1] != X.shape[1] or not np.all(np.isfinite(B)):
            raise InputError(f"score_rounding must be a finite (answers x {X.shape[1]}) matrix",
                             value=str(B.shape), hint=hint)
        return rounding_reference(B / scale[None, :]), B / scale[None, :]

    def _standardise(self, values, wn):
        """Weighted z-scores of the features; keeps the effective n, means and scales."""
        self._n_eff = float(wn.sum() ** 2 / np.sum(wn**2))
        mean = np.average(values, axis=0, weights=wn)
        scale = np.sqrt(np.average((values - mean) ** 2, axis=0, weights=wn))
        scale[scale == 0] = 1.0
        self._mean, self._scale = mean, scale
        return (values - mean) / scale

    def _set_rounding(self, score_rounding, X, dequantize):
        """Check ``score_rounding`` and reset the rounding attributes; the weights per point."""
        self._rounding, per_point = self._check_rounding(score_rounding, X, self._scale)
        self.rounding_checked_ = self._rounding is not None
        if not dequantize:
            self.lattice_ = False  # set by _spurious: a fit had a type narrower than the rounding
            self._lattice_ks = set()  # ... at these numbers of types
        self.dequantized_ = bool(dequantize)
        return per_point

    @staticmethod
    def _dequantize(Z, per_point, seed):
        """``Z`` plus the answers' rounding noise: ``U @ per_point``, ``U`` uniform on
        (-1/2, 1/2) per answer (seeded)."""
        U = np.random.default_rng(seed).uniform(-0.5, 0.5, size=(Z.shape[0], per_point.shape[0]))
        return Z + U @ per_point

    def _fit(self, X, sample_weight=None, score_rounding=None, dequantize=False):
        values = self._check_X(X)
        n, d = values.shape
        self._check_params(n)
        w = self._check_weights(sample_weight, n)
        k_least = int(self.k) if self.k is not None else max(2, int(self.k_min))
        if n < 20 * k_least:
            raise InputError(
                f"too few respondents ({n}) to find {k_least} types",
                value=n, hint="types need at least 20 respondents each",
            )
        rng = np.random.default_rng(self.random_state)
        wn = w / w.mean()
        Z = self._standardise(values, wn)
        ks = self._candidate_ks(n)
        per_point = self._set_rounding(score_rounding, X, dequantize)

        ref_seeds = rng.integers(0, 2**31 - 1, size=(len(ks), _N_STARTS))
        resample_seeds = rng.integers(0, 2**31 - 1, size=int(self.n_resamples))
        sil_idx = np.sort(rng.choice(n, size=min(n, _SILHOUETTE_SAMPLE), replace=False))
        ward_seed = int(rng.integers(0, 2**31 - 1))
        blrt_seeds = rng.integers(0, 2**31 - 1, size=(ks[-1] + 1, int(self.n_bootstrap)))
        Z_given = Z  # everyone is typed on the scores as given (``_finalise``)
        if dequantize:
            Z = self._dequantize(Z, per_point, int(rng.integers(0, 2**31 - 1)))
        ward = WardTree(Z, seed=ward_seed)
        self._guard = collapse_reference(Z, wn)

        refs, one = self._all_fits(Z, wn, ks, ref_seeds, ward)
        del ward  # holds the data; not part of the fitted model
        skewed = fit_skewed_group(Z, wn)  # one group leaning to one end (skewed.py)
        self._bic_skewed = -2 * skewed.loglik + skewed.n_params * np.log(n)
        bic1 = min([self._bic(m, n, d) for m in one] + [self._bic_skewed])

        # resample only the k the rule can choose, best BIC first, until one passes
        per_resample = [dict() for _ in resample_seeds]
        votes = {}

        def resample(kset):
            new = [k for k in dict.fromkeys(kset) if k in refs and k not in votes]
            if not new:
                return
            res, v = run_resamples(
                Z, wn, new, {k: refs[k]["labels"] for k in new},
                {k: refs[k]["km_labels"] for k in new}, resample_seeds,
                n_jobs=self.n_jobs, progress=self.progress,
                ref_resp={k: np.exp(refs[k]["log_resp"]) for k in new},
            )
            for old, add in zip(per_resample, res):
                old.update(add)
            votes.update(v)

        # the evidence is gathered as without --k, so that it can say what it alone gives
        best = {k: min(self._choice_bics(refs[k], n, d).values()) for k in ks}
        order = sorted((k for k in ks if self._size_ok(refs[k], wn) and np.isfinite(best[k])),
                       key=best.get)
        for k in order:
            resample([k] + [j for j in (k - 1, k + 1) if j in order])
            if self._small_types_stable(refs[k], wn, per_resample, k):
                # fewer types within a not-strong BIC margin may be kept instead
                resample([j for j in order if j < k and best[j] <= best[k] + _STRONG_BIC])
                break
        self._avepp = {}
        rows = [self._evidence_row(Z, wn, k, refs[k], per_resample, sil_idx) for k in ks]
        if int(self.k_min) <= 1:
            rows.insert(0, self._one_group_row(Z, wn, one))
        ev = pd.DataFrame(rows).set_index("k")
        ev.insert(0, "bic_best", ev[self._cols].min(axis=1))
        if 1 in ev.index:  # one group: also the skewed one (not a mixture; no column of _cols)
            ev.loc[1, "bic_best"] = min(float(ev.loc[1, "bic_best"]), self._bic_skewed)
        ev = self._judge(self._with_dip(ev, Z, wn, refs, rng, None if dequantize else per_point), bic1)
        k_ch, reason, warn = self._choose(ev, bic1, fits=(Z, refs))
        reason_code = self._reason_code
        self._k_evidence = int(k_ch)
        if self.k is not None:  # the user's number of types; the reason follows below
            k_ch = int(self.k)
        self.candidates_ = {k: {kd: refs[k]["mixes"][kd] for kd in self._kinds
                                if refs[k]["mixes"].get(kd) is not None} for k in ks}
        if int(k_ch) == 1:  # one homogeneous group: no types to resample
            self._add_blrt(ev, refs, one[0], n, blrt_seeds, [2] if 2 in refs else [])
            self._set_choice(ev, 1, reason, reason_code, warn)
            self._finalise_one(X, values, wn, one)
            return self
        if int(k_ch) not in votes:  # a fallback choice: resample it for its stability
            resample([int(k_ch)])
            row = self._evidence_row(Z, wn, int(k_ch), refs[int(k_ch)], per_resample, sil_idx)
            for col, value in row.items():  # the judged columns are judged again below
                if col != "k":
                    ev.loc[int(k_ch), col] = value
            ev.loc[int(k_ch), "bic_best"] = ev.loc[int(k_ch), self._cols].min()
            ev = self._judge(ev, bic1)
        if self.k is not None:
            reason, reason_code, warn = self._user_reason(ev)
        # the test that reads beside the choice: k against k-1, and k+1 against k
        self._add_blrt(ev, refs, one[0], n, blrt_seeds,
                       [j for j in (int(k_ch), int(k_ch) + 1) if j in refs])
        self._set_choice(ev, int(k_ch), reason, reason_code, warn)
        if dequantize:
            self._refit_given(Z_given, wn, refs[self.k_])
        self._finalise(X, values, Z_given, wn, refs[self.k_], per_resample, votes[self.k_])
        return self

    def _with_dip(self, ev, Z, w, refs, rng, per_point):
        """The evidence with ``dip``, ``dip_p`` in its k = 2 row: Hartigan's dip along the
        Fisher direction of the best 2-type fit (the choice model with the lowest BIC at
        k = 2; :mod:`.unimodal`), kept as ``_dip`` for :meth:`_choose` (None without one).
        ``per_point``: the answers' rounding, added as noise (None: ``Z`` is dequantized
        already, or no rounding was given)."""
        self._dip = None
        seed = int(rng.integers(0, 2**31 - 1))  # drawn last: the other seeds are as before
        ev = ev.assign(dip=np.nan, dip_p=np.nan)
        if 2 not in refs or 2 not in ev.index:
            return ev
        n, d = Z.shape
        bics = self._choice_bics(refs[2], n, d)
        kind = min(bics, key=bics.get)
        if not np.isfinite(bics[kind]):
            return ev
        self._dip = split_dip(Z, refs[2]["mixes"][kind], weights=w, seed=seed, rounding=per_point)
        ev.loc[2, ["dip", "dip_p"]] = [self._dip.dip, self._dip.p]
        return ev

    def _refit_given(self, Z, w, ref):
        """The chosen k's winning fit, refitted by EM to the scores as given, started from
        its dequantized posteriors; kept unless it falls back onto the lattice (spurious)."""
        n, d = Z.shape
        bics = self._choice_bics(ref, n, d)
        kind = min(bics, key=bics.get)
        mix = ref["mixes"][kind]
        start = np.exp(mixture_log_resp(Z, mix)[0])
        refit = fit_mixture(Z, w, start, mix.weights.size, kind=mix.kind, nu=mix.nu)
        if not self._spurious(refit):
            ref["mixes"][kind] = refit

    def _candidate_ks(self, n):
        """The numbers of types fitted (k = 1 is fitted apart): ``k_min..k_max``, bounded by
        ``n // 20`` and by how many types of ``min_n`` the effective respondents hold (a
        type fewer than that can never be chosen), and reaching the user's ``k``."""
        self._n_rows = n
        top = min(int(self.k_max), max(2, n // 20))
        held = int(self._n_eff / float(self.min_n) + 1e-9) if float(self.min_n) > 0 else top
        # said in the reason when it bounds the search (``_range_reason``); under 2 types,
        # k = 2 is still fitted and the reason says that no number of types is large enough
        self._k_held = held if 2 <= held < top else None
        top = min(top, max(2, held))
        lo = max(2, int(self.k_min))
        user = int(self.k) if self.k is not None else lo
        return list(range(min(lo, user), max(lo, top, user) + 1))

    def _range_reason(self):
        """The reason code and sentence saying that the search stopped at the number of
        types of ``min_n`` the respondents hold (None when ``k_max`` or ``n // 20`` did)."""
        if getattr(self, "_k_held", None) is None:
            return None, ""
        weighted = abs(self._n_eff - self._n_rows) > 0.5
        values = {"n": int(round(self._n_eff)), "k_top": int(self._k_held),
                  "min_n": int(round(float(self.min_n))), "k_min": int(self.k_min)}
        code = {"code": "k_reason_range_weighted" if weighted else "k_reason_range", "values": values}
        who = (f"{values['n']} respondents (effective number, with the survey weights)" if weighted
               else f"{values['n']} respondents")
        return code, (f"{who} hold at most {values['k_top']} types of {values['min_n']} (the smallest "
                      f"type allowed), so {values['k_min']} to {values['k_top']} types were compared.")

    def _user_reason(self, ev):
        """The reason (codes, sentence) and warning of the number of types set with ``k``:
        what the evidence alone gives, then the user's types' size and stability."""
        k, k_ev = int(self.k), int(self._k_evidence)
        code = [{"code": "k_reason_user", "values": {"k": k}}]
        reason = f"{k} types, as set with --k."
        if k_ev == 1 and any(c.get("code") == "k_reason_one_group_unimodal" for c in self._reason_code or []):
            code.append(self._user_unimodal_code(k))
            reason += self._user_unimodal_words(k)
        elif k_ev == 1 and not np.isfinite(ev.loc[ev.index >= 2, self._cols].to_numpy(float)).any():
            # every fit of two or more types was set aside (session 19's one group): no BIC to quote
            code.append({"code": "k_reason_user_evidence_no_fit", "values": {"k": k}})
            reason += (" The evidence alone gives one group: every mixture fit of two or more types "
                       f"collapsed onto identical answers. {k} types were set with --k, to describe "
                       "subgroups, not because the data hold distinct groups.")
        elif k_ev == 1:
            multi = ev.loc[ev.index >= 2, self._cols].min(axis=1)
            one, best, k_best = float(ev.loc[1, "bic_best"]), float(multi.min()), int(multi.idxmin())
            code.append({"code": "k_reason_user_evidence_one", "values": {
                "k": k, "bic_one": int(round(one)), "bic_best": int(round(best)), "k_best": k_best}})
            reason += (f" The evidence alone gives one group (BIC {one:.0f} against {best:.0f} for the "
                       f"best set of types, {k_best} types): {k} types were set with --k, to describe "
                       "subgroups, not because the data hold distinct groups.")
        elif k_ev != k:
            code.append({"code": "k_reason_user_evidence", "values": {"k": k, "k_evidence": k_ev}})
            reason += f" The evidence alone gives {k_ev} types; {k} were set with --k."
        else:
            code.append({"code": "k_reason_user_evidence_same", "values": {"k": k}})
            reason += " The evidence alone gives the same number of types."
        row = ev.loc[k]
        if not bool(row["size_ok"]):
            n_small, _ = self._chosen_smallest(row)
            code.append({"code": "k_reason_user_small", "values": {
                "k": k, "n_min": n_small, "min_n": int(round(float(self.min_n)))}})
            reason += (f" At k = {k} the smallest type has {n_small} respondents, under the floor "
                       f"of {float(self.min_n):.0f}: its profile is uncertain.")
        reason, warn = self._stability_reason(row, code, reason, None)
        return reason, code, warn

    def _user_unimodal_code(self, k):
        """The evidence's one group, when the dip rule gave it (``k_reason_one_group_unimodal``),
        beside the user's ``k``: BIC prefers two types, one mode says they are halves (sv19)."""
        values = dict(next(c["values"] for c in self._reason_code if c["code"] == "k_reason_one_group_unimodal"))
        return {"code": "k_reason_user_evidence_unimodal", "values": {**values, "k": int(k)}}

    def _user_unimodal_words(self, k):
        v = self._user_unimodal_code(k)["values"]
        return (f" The evidence alone gives one group: two types fit better by BIC ({v['bic_best']} against "
                f"{v['bic_one']} for one group), but the respondents have a single mode along the line that "
                f"separates the two (Hartigan's dip test, p = {v['p']:.2f}), so they are halves of one group: "
                f"{k} types were set with --k, to describe subgroups, not because the data hold distinct groups.")

    def _set_choice(self, ev, k, reason, reason_code, warn):
        """Record the choice: evidence (with ``chosen``), k, reason (with the bound of the
        search, when the respondents bounded it) and warning."""
        ev["chosen"] = ev.index == k
        bound, words = self._range_reason()
        if bound is not None:
            reason_code, reason = [*reason_code, bound], f"{reason} {words}"
        self.k_by_evidence_ = int(self._k_evidence)
        self.avepp_ = dict(self._avepp)
        self.evidence_ = ev
        self.k_, self.reason_, self.reason_code_ = k, reason, reason_code
        self.structure_warning_ = None if warn is None else str(warn)
        # the warning's sentence as a code of the report's texts, for solution.json (sv19)
        self.structure_warning_code_ = None if getattr(warn, "code", None) is None else {
            "code": warn.code, "values": dict(warn.values)}
        if warn:
            warnings.warn(SurveyQualityWarning(str(warn), code=getattr(warn, "code", None),
                                               values=getattr(warn, "values", None)),
                          stacklevel=3)

    def _all_fits(self, Z, w, ks, seeds, ward):
        """Every candidate fit (each k's, refined from its neighbours) and one group's."""
        # one step a fit, one group's included: "Fitting 1-10 types" moves 10 steps (trial 22: 11 for 9)
        label = f"Fitting 1-{ks[-1]} types" if list(ks) == list(range(2, ks[-1] + 1)) else \
            f"Fitting 1 and {', '.join(map(str, ks))} types"
        with self._bar(label, len(ks) + 1) as advance:
            refs = self._references(Z, w, ks, seeds, ward, advance)
            self._split_merge(Z, w, refs)
            self._derived_all(Z, w, refs)
            self._dear_all(Z, w, refs)
            one = self._fit_one(Z, w)
            advance(1)
        return refs, one

    @contextmanager
    def _bar(self, label, total):
        """A progress bar (``progress=True``) of ``total`` steps; yields ``advance(n)``."""
        if not self.progress:
            yield lambda n=1: None
            return
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            job = bar.add_task(label, total=total)
            yield lambda n=1: bar.advance(job, n)

    def _references(self, Z, w, ks, seeds, ward, advance=lambda n=1: None):
        """The full-data fits for every k (in parallel over k; results in k order)."""
        from joblib import Parallel, delayed

        # largest k first: the slowest tasks start first, so the workers finish together
        order = sorted(range(len(ks)), key=lambda i: -ks[i])
        tasks = [delayed(_reference_task)(Z, w, ks[i], seeds[i], ward.labels(ks[i]), self._guard)
                 for i in order]
        n_jobs = self.n_jobs if len(ks) > 1 else 1
        out = {}
        for i, res in zip(order, Parallel(n_jobs=n_jobs, return_as="generator")(tasks)):
            out[ks[i]] = res
            advance(1)
        return {k: out[k] for k in ks}

    def _size_ok(self, ref, w):
        """Every type reaches ``min_n`` effective respondents (and ``min_size`` of the
        sample within sampling error, when that share floor is set)."""
        mix = ref["mixes"]["scaled"]
        labels = ref["labels"]
        k = mix.weights.size
        hard = np.bincount(labels, weights=w, minlength=k) / w.sum()
        share = min(float(mix.weights.min()), float(hard.min()))
        ok = share * self._n_eff >= float(self.min_n) - 1e-9
        if float(self.min_size) > 0:
            ok = ok and share >= self._size_floor() - 1e-12
        return bool(ok)

    @staticmethod
    def _type_jaccard(per_resample, k):
        if k not in per_resample[0]:
            return None
        return np.vstack([r[k]["jaccard"] for r in per_resample]).mean(axis=0)

    def _small_types_stable(self, ref, w, per_resample, k):
        """Every type under ``SMALL_SHARE`` of the sample is reproducible: its mean
        Jaccard over the resamples reaches ``SMALL_TYPE_JACCARD`` (it does not dissolve)."""
        jac = self._type_jaccard(per_resample, k)
        if jac is None:
            return False
        share = np.bincount(ref["labels"], weights=w, minlength=k) / w.sum()
        small = share < SMALL_SHARE
        return bool(np.all(jac[small] >= SMALL_TYPE_JACCARD))

    def _add_blrt(self, ev, refs, one, n, seeds, ks):
        """Bootstrap LR test of k against k-1 types (shared-shape Gaussian models) for the
        k in ``ks`` (the chosen k and k+1): ``blrt_lr`` (observed 2 x log-likelihood gain) and ``blrt_p``;
        none where either fit was set aside."""
        ev["blrt_lr"] = np.nan
        ev["blrt_p"] = np.nan
        B = int(self.n_bootstrap)
        if B == 0:
            return
        nulls, observed = {}, {}
        for k in ks:
            null = one if k == 2 else refs.get(k - 1, {}).get("mixes", {}).get("scaled")
            # no test against or with a fit set aside (user trial 19: "p 0.048" for a k whose
            # every fit had collapsed onto identical answers)
            if null is None or self._set_aside(refs[k]["mixes"].get("scaled")) or \
                    (k > 2 and self._set_aside(null)):
                continue
            nulls[k] = null
            observed[k] = 2.0 * (refs[k]["mixes"]["scaled"].loglik - null.loglik)
        draws = run_blrt(nulls, n, {k: seeds[k] for k in nulls}, self._guard,
                         n_jobs=self.n_jobs)
        for k in nulls:
            ev.loc[k, "blrt_lr"] = observed[k]
            ev.loc[k, "blrt_p"] = blrt_pvalue(observed[k], draws[k])

    def _split_merge(self, Z, w, refs):
        """Improve each k's fit from its neighbours: split a component of the k-1 fit,
        merge a pair of the k+1 fit (as mclust's hierarchical starts and split-and-merge
        EM, Ueda et al. 2000). Random starts alone can miss the optimum at one k, which
        then loses the BIC comparison to its neighbours. One worker per model kind."""
        from joblib import Parallel, delayed

        ks = sorted(refs)
        tasks = [delayed(_split_merge_task)(Z, w, {k: refs[k]["mixes"][kind] for k in ks},
                                            self._guard) for kind in _SEARCH_KINDS]
        for kind, fits in zip(_SEARCH_KINDS, Parallel(n_jobs=self.n_jobs)(tasks)):
            for k in ks:
                refs[k]["mixes"][kind] = fits[k]

    def _derived_all(self, Z, w, refs):
        """The models fitted from each k's final shared-shape fit (in parallel over k)."""
        from joblib import Parallel, delayed

        ks = sorted(refs)
        extra = [kd for kd in self._kinds if kd in _EXTRA_KINDS and kd not in _DEAR_KINDS]
        tasks = [delayed(_derived_task)(Z, w, k, refs[k]["mixes"]["scaled"],
                                        refs[k]["mixes"]["full"], extra, self._guard)
                 for k in ks]
        for k, (mixes, extra) in zip(ks, Parallel(n_jobs=self.n_jobs)(tasks)):
            refs[k]["mixes"].update(mixes)
            refs[k].update(extra)

    def _dear_all(self, Z, w, refs):
        """The dear own-shape models (VVE: an iterated M-step, 5-10x the others' time)
        only at the k whose best BIC over the other models is within ``_DEAR_MARGIN`` of
        the lowest: elsewhere they would have to gain more than that to matter."""
        from joblib import Parallel, delayed

        dear = [kd for kd in self._kinds if kd in _DEAR_KINDS]
        if not dear:
            return
        n, d = Z.shape
        ks = sorted(refs)
        for k in ks:
            refs[k]["mixes"].update(dict.fromkeys(dear))  # None: not fitted at this k
        best = {k: min(self._choice_bics(refs[k], n, d).values()) for k in ks}
        low = min(best.values())
        near = [k for k in ks if best[k] <= low + _DEAR_MARGIN] if np.isfinite(low) else []
        tasks = [delayed(_own_shape_task)(Z, w, k, refs[k]["mixes"], dear, self._guard)
                 for k in near]
        n_jobs = self.n_jobs if len(near) > 1 else 1
        for k, mixes in zip(near, Parallel(n_jobs=n_jobs)(tasks)):
            refs[k]["mixes"].update(mixes)

    def _fit_t(self, Z, w, resp, k, kind="tscaled"):
        return _fit_t(Z, w, resp, k, kind, self._guard)

    def _collapse(self, model: Mixture) -> str | None:
        """Why a fit is set aside: ``"guard"`` (a type collapsed onto (nearly) identical
        answers in some direction), ``"lattice"`` (a type narrower than the rounding of the
        answers it is measured with, ``fit(score_rounding=...)``) or None (a valid fit).
        The one check :meth:`_set_aside` and :meth:`_spurious` share."""
        if is_collapsed(model, self._guard):
            return "guard"
        if getattr(self, "_rounding", None) is not None and is_collapsed(
                model, self._rounding, MIN_ROUNDING_RATIO):
            return "lattice"
        return None

    def _set_aside(self, model: Mixture | None) -> bool:
        """:meth:`_spurious` without recording the lattice (for a fit already judged)."""
        return model is None or self._collapse(model) is not None

    def _spurious(self, model: Mixture) -> bool:
        """A fit set aside (:meth:`_collapse`); a lattice fit is recorded (``lattice_``)."""
        why = self._collapse(model)
        if why == "lattice":
            self.lattice_ = True
            self._lattice_ks.add(int(model.weights.size))
        return why is not None

    def _choice_bics(self, ref, n, d):
        """BIC of each model that can choose k; ``inf`` for a spurious fit."""
        mixes = ref["mixes"]
        return {kd: np.inf if mixes.get(kd) is None or self._spurious(mixes[kd])
                else self._bic(mixes[kd], n, d) for kd in self._kinds}

    @staticmethod
    def _bic(model: Mixture, n, d):
        return -2 * model.loglik + n_mixture_params(model.weights.size, d, model.kind) * np.log(n)

    def _fit_one(self, Z, w):
        """One homogeneous group: the shared-shape Gaussian and the t form."""
        lab = np.zeros(Z.shape[0], int)
        return [fit_mixture(Z, w, lab, 1, kind="scaled"),
                self._fit_t(Z, w, np.ones((Z.shape[0], 1)), 1)]

    def _evidence_row(self, Z, w, k, ref, per_resample, sil_idx):
        n, d = Z.shape
        labels = ref["labels"]
        bics = self._choice_bics(ref, n, d)  # inf: the fit collapsed (set aside)
        shares = np.bincount(labels, weights=w, minlength=k) / w.sum()
        resampled = k in per_resample[0]
        nan = np.full((1, k), np.nan)
        jac = np.vstack([r[k]["jaccard"] for r in per_resample]) if resampled else nan
        jac_km = np.vstack([r[k]["jaccard_km"] for r in per_resample]) if resampled else nan

        def _mean(key):
            return float(np.mean([r[k][key] for r in per_resample])) if resampled else np.nan

        proba = np.exp(ref["log_resp"])
        ent = -np.sum(proba * np.log(np.clip(proba, 1e-300, None)), axis=1)
        cert = 1 - ent / np.log(k)
        # LPA conventions (Mplus, tidyLPA) on the model that wins the BIC at this k
        win = min(bics, key=bics.get) if np.isfinite(min(bics.values())) else "scaled"
        p_win = np.exp(mixture_log_resp(Z, ref["mixes"][win])[0])
        e_win = -np.sum(p_win * np.log(np.clip(p_win, 1e-300, None)), axis=1)
        lab_win = np.argmax(p_win, axis=1)
        avepp = np.array([
            np.average(p_win[lab_win == j, j], weights=w[lab_win == j])
            if np.any(w[lab_win == j] > 0) else np.nan for j in range(k)
        ])
        size_win = np.bincount(lab_win, weights=w, minlength=k)
        # the smallest type of that model (the one discover keeps at this k): respondents and
        # share of the sample, as sizes.csv will give them (not the scaled mixture's)
        j_small = int(np.argmin(size_win))
        n_small_win = int(np.bincount(lab_win, minlength=k)[j_small])
        share_small_win = float(size_win[j_small] / w.sum())
        self._avepp[k] = [float(a) for a in avepp[np.argsort(-size_win, kind="stable")]]
        small = shares < SMALL_SHARE
        jac_types = jac.mean(0)
        lab_s = labels[sil_idx]
        n_lab = np.unique(lab_s).size
        internal = dict(silhouette=np.nan, calinski_harabasz=np.nan, davies_bouldin=np.nan)
        if 1 < n_lab < sil_idx.size:
            internal = dict(
                silhouette=silhouette_score(Z[sil_idx], lab_s),
                calinski_harabasz=calinski_harabasz_score(Z, labels)
                if np.unique(labels).size > 1 else np.nan,
                davies_bouldin=davies_bouldin_score(Z, labels)
                if np.unique(labels).size > 1 else np.nan,
            )
        return dict(
            k=k,
            **{_BIC_COLUMN[kd]: (b if np.isfinite(b) else np.nan) for kd, b in bics.items()},
            nu_t=float(ref["mixes"]["tscaled"].nu),
            nu_t_spreads=float(ref["mixes"]["tspreads"].nu),
            bic_spreads=self._bic(ref["mixes"]["spreads"], n, d),
            set_aside=", ".join(_BIC_COLUMN[kd] for kd, b in bics.items()
                                if not np.isfinite(b) and ref["mixes"].get(kd) is not None),
            bic_diag=self._bic(ref["mixes"]["diag"], n, d),
            bic_tied=self._bic(ref["mixes"]["tied"], n, d),
            loglik=ref["mixes"]["scaled"].loglik,
            min_share=float(ref["mixes"]["scaled"].weights.min()),
            min_share_hard=float(shares.min()),
            n_min=float(min(shares.min(), ref["mixes"]["scaled"].weights.min()) * self._n_eff),
            n_min_model=float(n_small_win),
            min_share_model=share_small_win,
            entropy=float(1 - np.average(e_win, weights=w) / np.log(k)),
            avepp_min=float(np.nanmin(avepp)),
            jaccard_small=float(jac_types[small].min()) if small.any() else np.nan,
            jaccard_min=float(jac.mean(0).min()),
            jaccard_mean=float(jac.mean()),
            ari=_mean("ari"),
            prediction_strength=_mean("ps"),
            jaccard_min_km=float(jac_km.mean(0).min()),
            ari_km=_mean("ari_km"),
            prediction_strength_km=_mean("ps_km"),
            gmm_km_ari=float(adjusted_rand_score(labels, ref["km_labels"])),
            gmm_ward_ari=float(adjusted_rand_score(labels, ref["ward_labels"])),
            certainty=float(np.average(cert, weights=w)),
            **{key: float(v) for key, v in internal.items()},
        )

    def _one_group_row(self, Z, w, one):
        """The evidence row of k=1: one homogeneous group (no resamples, no entropy)."""
        n, d = Z.shape
        bic_g, bic_t = self._bic(one[0], n, d), self._bic(one[1], n, d)
        lab = np.zeros(n, int)
        self._avepp[1] = [1.0]
        # with one group every Gaussian structure is one free covariance, every t one too
        bics = {_BIC_COLUMN[kd]: (bic_t if kd.startswith("t") else bic_g) for kd in self._kinds}
        return dict(
            k=1, **bics, bic_skewed=float(self._bic_skewed),
            nu_t=float(one[1].nu), nu_t_spreads=float(one[1].nu), bic_spreads=bic_g,
            set_aside="", bic_diag=self._bic(fit_mixture(Z, w, lab, 1, kind="diag"), n, d),
            bic_tied=bic_g, loglik=one[0].loglik, min_share=1.0, min_share_hard=1.0,
            n_min=float(self._n_eff), n_min_model=float(n), min_share_model=1.0, avepp_min=1.0,
        )

    def _size_floor(self):
        """``min_size`` less its one-sided 95 % sampling margin (Kish effective n)."""
        p = float(self.min_size)
        return p - 1.645 * np.sqrt(p * (1 - p) / self._n_eff)

    def _judge(self, ev, bic1):
        ev = ev.copy()
        size_ok = ev["n_min"] >= float(self.min_n) - 1e-9
        if float(self.min_size) > 0:
            size_ok &= ev[["min_share", "min_share_hard"]].min(axis=1) >= self._size_floor() - 1e-12
        resampled = ev["jaccard_mean"].notna()
        small_ok = ev["jaccard_small"].isna() | (ev["jaccard_small"] >= SMALL_TYPE_JACCARD)
        reproducible = ev["jaccard_mean"] >= MIN_MEAN_JACCARD
        stable = ev["jaccard_min"] >= STABLE_JACCARD
        ev["size_ok"] = size_ok
        ev["passes"] = size_ok & resampled & small_ok
        ev["all_types_stable"] = stable
        notes, self.evidence_note_codes_ = [], {}
        tried = ev.loc[resampled & (ev.index > 1), "bic_best"] if "bic_best" in ev else pd.Series(dtype=float)
        lead = (int(tried.idxmin()), float(tried.min())) if tried.notna().any() else None
        for k, row in ev.iterrows():
            if k == 1:  # chosen by its own rule (see _choose), never by "passes"
                ev.loc[k, "passes"] = False
            parts = self._note_parts(k, row, "bic_best" in ev, bool(size_ok[k]), bool(small_ok[k]),
                                     bool(reproducible[k]), lead)
            notes.append("; ".join(text for text, _ in parts))
            self.evidence_note_codes_[int(k)] = [code for _, code in parts]
        ev["note"] = notes
        return ev

    def _note_parts(self, k, row, has_bic, size_ok, small_ok, reproducible, lead=None):
        """The evidence table's ``note`` of ``k``: its parts in English, each with its code
        and values (``solution.json`` says them in the study's language; sv19). ``lead`` is
        the resampled k with the lowest BIC and that BIC: a k the search never reached is
        said to be that many BIC points behind it (user trial 21: "cannot be chosen" said
        no why)."""
        if k == 1:
            return [("one homogeneous group (no types)", {"code": "k_note_one_group", "values": {}})]
        why = []
        if has_bic and not np.isfinite(row.bic_best):
            why.append(("every model's fit collapsed (a type shrank to a few respondents): set aside, no BIC",
                        {"code": "k_note_collapsed", "values": {}}))
        if not size_ok:
            values = {"n_min": int(round(float(row.n_min))), "min_share": float(row.n_min / self._n_eff),
                      "min_n": int(round(float(self.min_n)))}
            if float(self.min_size) > 0:
                values["floor_share"] = float(self.min_size)
            why.append((f"smallest type {row.n_min:.0f} respondents ({row.n_min / self._n_eff:.1%}) is below "
                        f"the floor of {self._floor_words()}",
                        {"code": "k_note_small_share" if float(self.min_size) > 0 else "k_note_small",
                         "values": values}))
        if not np.isfinite(row.jaccard_mean):
            gap = float(row.bic_best) - lead[1] if has_bic and lead is not None else np.nan
            if size_ok and np.isfinite(gap) and gap > 0:  # resampling goes best BIC first (see _fit)
                values = {"gap": int(round(gap)), "k_lead": lead[0]}
                why.append((f"not resampled: its BIC is {values['gap']} points above that of {lead[0]} types, "
                            "which the search reached first (it resamples the lowest BIC first)",
                            {"code": "k_note_not_resampled_bic", "values": values}))
            else:
                why.append(("not resampled (cannot be chosen)", {"code": "k_note_not_resampled", "values": {}}))
        else:
            if not small_ok:
                why.append((f"a small type (under {SMALL_SHARE:.0%}) dissolves in resamples "
                            f"(Jaccard {row.jaccard_small:.2f} < {SMALL_TYPE_JACCARD})",
                            {"code": "k_note_small_dissolves", "values": {
                                "small_share": float(SMALL_SHARE), "jaccard": float(row.jaccard_small),
                                "threshold": float(SMALL_TYPE_JACCARD)}}))
            if not reproducible:
                why.append((f"types only partly reproducible (mean Jaccard {row.jaccard_mean:.2f} < "
                            f"{MIN_MEAN_JACCARD})", {"code": "k_note_partly", "values": {
                                "jaccard": float(row.jaccard_mean), "threshold": float(MIN_MEAN_JACCARD)}}))
        return why or [("passes", {"code": "k_note_passes", "values": {}})]

    def _chosen_smallest(self, row):
        """The smallest type of the model kept at ``row``'s k (the lowest BIC there):
        respondents and share of the sample, as ``sizes.csv`` gives them."""
        n_model = row.get("n_min_model", np.nan)
        if np.isfinite(n_model):
            return int(round(float(n_model))), float(row.min_share_model)
        return int(round(float(row.n_min))), float(row.n_min / self._n_eff)

    def _floor_words(self):
        words = f"{float(self.min_n):.0f} respondents"
        if float(self.min_size) > 0:
            words += f" and {float(self.min_size):.0%} of the sample"
        return words

    def _choose(self, ev, bic1, fits=None):
        """The number of types the evidence alone gives: k, its reason and any warning
        (``fits``: the standardised scores and every k's fits, for :meth:`_next_type`)."""
        self._reason_code = []
        one_bic = float(ev.loc[1, "bic_best"]) if 1 in ev.index else np.nan
        # the one group that wins is the skewed one (skewed.py), not a Gaussian or t group
        skewed = 1 in ev.index and bool(one_bic < float(ev.loc[1, self._cols].min()))
        ev = ev[ev.index >= 2]
        cols = self._cols
        best_multi = float(np.nanmin(ev[cols].to_numpy())) if ev[cols].notna().any().any() \
            else np.nan
        if np.isfinite(one_bic) and np.isfinite(best_multi) and best_multi > one_bic - _STRONG_BIC:
            return self._choose_one(ev, one_bic, best_multi, skewed)
        size_ok = ev.index[ev["size_ok"]]
        warn = None
        if len(size_ok) == 0:
            k = int(ev["n_min"].idxmax())
            reason = (f"No number of types keeps every type at {self._floor_words()} or more; "
                      f"k={k} has the largest smallest type ({ev.loc[k, 'n_min']:.0f} "
                      "respondents).")
            warn = _Coded("Weak evidence for distinct types: every candidate solution has a "
                          f"type smaller than {self._floor_words()}.", "warn_types_no_size",
                          min_n=int(round(float(self.min_n))))
            self._reason_code = [{"code": "k_reason_no_size", "values": {
                "k": k, "min_n": int(round(float(self.min_n))), "n_min": int(round(float(ev.loc[k, "n_min"])))}}]
            return k, reason, warn
        cols = self._cols
        best_bic = ev[cols].min(axis=1)  # spurious fits are NaN and skipped
        if best_bic[size_ok].isna().all():  # every model collapsed at every k
            return self._choose_no_fit(size_ok, one_bic)
        eligible = ev.index[ev["passes"] & best_bic.notna()]
        if len(eligible) == 0:  # every small type dissolves: types of 5 % or more only
            big = [k for k in size_ok if ev.loc[k, "min_share_hard"] >= SMALL_SHARE
                   and np.isfinite(best_bic[k])]
            eligible = pd.Index(big or [k for k in size_ok if np.isfinite(best_bic[k])])
        k_low = int(best_bic[eligible].idxmin())
        # parsimony: more types must be worth a very strong BIC difference
        k = int(min(j for j in eligible if best_bic[j] <= best_bic[k_low] + _STRONG_BIC))
        # ... unless one type more is a distinct small type, not a tail (session 16)
        nxt = self._next_type(ev, best_bic, eligible, k, fits)
        k = k + 1 if nxt is not None else k
        if k == 2 and np.isfinite(one_bic) and fits is not None and self._dip_says_one():
            return self._choose_unimodal(one_bic, float(best_bic[2]))
        own = self._own_shape_next(ev, k)  # ... and one more for own-shape types (session 22)
        k = k + 1 if own is not None else k
        # ... and one fewer when the extra type is a Gaussian over-split of a t fit (session 23)
        fewer = self._within_model_prev(ev, k) if nxt is None and own is None else None
        k = k - 1 if fewer is not None else k
        # a 2 reached by W2 is read by the dip as any 2 is (session 24)
        if fewer is not None and k == 2 and np.isfinite(one_bic) and fits is not None \
                and self._dip_says_one():
            return self._choose_unimodal(one_bic, float(best_bic[2]))
        row = ev.loc[k]
        best_col = str(row[cols].astype(float).idxmin())
        model = _model_words(best_col, row)
        n_small, share_small = self._chosen_smallest(row)
        code = [{"code": "k_reason_bic", "values": {
            "k": k, "model": f"k_model_{best_col}", "min_n": int(round(float(self.min_n))),
            "n_min": n_small, "min_share": share_small}}]
        if nxt is not None:
            code.append(nxt)
        for step in (own, fewer):
            if step is not None:
                code.append(step)
        if k < k_low and fewer is None:  # (not when the guard kept k_low + 1: that sentence says its BIC)
            diff = float(best_bic[k] - best_bic[k_low])
            code.append({"code": "k_reason_parsimony", "values": {
                "k": k, "k_low": k_low, "diff": diff, "strong": int(_STRONG_BIC)}})
        # said only when the kept model has such a type (the check reads the shared-shape fit's)
        kept_small = np.isfinite(row.jaccard_small) and not row.get("min_share_model", 0.0) >= SMALL_SHARE
        if kept_small:
            code.append({"code": "k_reason_small", "values": {
                "small_share": float(SMALL_SHARE), "jaccard_small": float(row.jaccard_small)}})
        small = "" if not kept_small else (
            f"; a type under {SMALL_SHARE:.0%} of the sample is kept because it is "
            f"reproducible (Jaccard {row.jaccard_small:.2f})")
        reason = (
            f"{k} types: the {model} has the "
            f"lowest BIC at k={k} among solutions whose types all reach "
            f"{self._floor_words()} and do not dissolve in resamples (smallest type "
            f"{n_small} respondents, {share_small:.1%} of the sample{small})."
        )
        if nxt is not None:
            reason += " " + _next_words(nxt["values"])
        if own is not None:
            reason += " " + _own_shape_words(own["values"])
        if fewer is not None:
            reason += " " + _within_words(fewer["values"])
        if k < k_low and fewer is None:  # (not when the guard kept k_low + 1: that sentence says its BIC)
            reason += (f" {k_low} types have a BIC only {best_bic[k] - best_bic[k_low]:.1f} points "
                       f"lower, less than the {_STRONG_BIC:.0f} that count as very strong "
                       "evidence (Kass & Raftery 1995), so the fewer types are kept.")
        reason, warn = self._stability_reason(row, code, reason, warn)
        edge = self._edge_reason(ev, best_bic, k) if fewer is None else None
        if edge is not None:
            code.append(edge)
            reason += " " + _edge_words(edge)
        if warn is None:
            reason, warn = self._homogeneous_caution(code, reason, float(ev[cols].min().min()), bic1)
        self._reason_code = code
        return k, reason, warn

    def _choose_no_fit(self, size_ok, one_bic):
        """Every mixture fit of every number of types (whose types are large enough) has
        collapsed onto identical answers. With one group fitted (a finite BIC), nothing is
        evidence for types: one group (session 19, R poLCA's gss82: the seeds whose starts
        all collapsed gave 2 types, the others one group by the dip). Without it (``k_min``
        of 2 or more), the smallest such number of types, as before."""
        if np.isfinite(one_bic):
            self._reason_code = [{"code": "k_reason_no_fit_one", "values": {
                "bic_one": int(round(one_bic))}}]
            warn = _Coded("No distinct types: every mixture fit of two or more types has a type "
                          "that collapses onto identical answers, so no set of types could be "
                          "compared with one group; one group (k=1) is reported. Set the number "
                          "of types to describe subgroups anyway, as descriptive groups rather "
                          "than real segments.", "warn_one_group_no_fit")
            return 1, ("One homogeneous group: every mixture fit of two or more types has a type "
                       "that collapses onto identical answers (the fits set aside are listed in "
                       f"the evidence table), so no set of types is valid to compare with one "
                       f"group (BIC {one_bic:.0f}). Set the number of types (--k) to describe "
                       "subgroups anyway."), warn
        k = int(min(size_ok))
        warn = _Coded("Weak evidence for distinct types: at every number of types whose "
                      "types are large enough, every mixture fit has a type that collapses "
                      "onto identical answers; the smallest such number is reported.",
                      "warn_types_no_fit")
        self._reason_code = [{"code": "k_reason_no_fit", "values": {"k": k}}]
        return k, (f"{k} types: no valid mixture fit to compare (the fits set aside "
                   "are listed in the evidence table)."), warn

    def _next_type(self, ev, best_bic, eligible, k, fits):
        """The reason code for keeping ``k + 1`` types instead of ``k``, or None.

        One type more is kept when the ``k + 1`` solution is eligible (its types reach
        ``min_n`` and its small types reproduce), its BIC is not very strongly worse
        (less than ``_STRONG_BIC`` above k's) and its new type is distinct: its centre at
        least :data:`~.nexttype.NEXT_MIN_DISTANCE` pooled within-type standard deviations
        from the nearest other type and no more than :data:`~.nexttype.NEXT_MAX_WIDTH`
        times as wide as the type it came from (a wider one is laid over that type's
        tails). Measured in docs/choosing_k.md, "Session 16". ``fits``: ``(Z, refs)`` from
        ``_fit``; without them (``_choose`` on an evidence table alone) returns None.
        """
        if fits is None or (k + 1) not in eligible or not best_bic[k + 1] < best_bic[k] + _STRONG_BIC:
            return None
        Z, refs = fits
        cols = self._cols
        kinds = {_BIC_COLUMN[kd]: kd for kd in self._kinds}
        mix = [refs[j]["mixes"][kinds[str(ev.loc[j, cols].astype(float).idxmin())]]
               for j in (k, k + 1)]
        nt = new_type(Z, mix[0], mix[1])
        if not nt.distinct:
            return None
        return {"code": "k_reason_next_type", "values": {
            "k": k + 1, "k_prev": k, "diff": float(best_bic[k + 1] - best_bic[k]),
            "n_new": nt.n, "new_share": nt.share, "distance": nt.distance, "width": nt.width,
            "min_distance": NEXT_MIN_DISTANCE, "max_width": NEXT_MAX_WIDTH}}

    def _own_shape_next(self, ev, k):
        """The reason code for keeping ``k + 1`` own-shape types instead of ``k`` (rule OM,
        :mod:`.ownshape`; docs/choosing_k.md, "Session 22"), or None."""
        from .ownshape import own_shape_next

        values = own_shape_next(ev, self._cols, k)
        return None if values is None else {"code": "k_reason_own_shape_next", "values": values}

    def _within_model_prev(self, ev, k):
        """The reason code for keeping ``k - 1`` types instead of ``k`` (rule W2,
        :mod:`.withinmodel`; docs/choosing_k.md, "Session 23"), or None."""
        from .withinmodel import within_model_prev

        values = within_model_prev(ev, self._cols, k)
        return None if values is None else {"code": "k_reason_within_model", "values": values}

    def _stability_reason(self, row, code, reason, warn):
        """The chosen solution's stability: its reason codes and sentence, and the warning
        when its types are not reproducible."""
        stab = {"jaccard_mean": float(row.jaccard_mean), "jaccard_min": float(row.jaccard_min)}
        code.append({"code": "k_reason_stable" if row.jaccard_mean >= MIN_MEAN_JACCARD
                     else "k_reason_unstable", "values": stab})
        # how many: a study file's 100 and discover's 30 give other figures (user trial 6)
        code.append({"code": "k_reason_resamples", "values": {"n_resamples": int(self.n_resamples)}})
        if row.jaccard_mean >= MIN_MEAN_JACCARD:
            reason += (f" Its types are reproducible across {int(self.n_resamples)} split-half "
                       f"resamples (mean Jaccard {row.jaccard_mean:.2f}, least stable type "
                       f"{row.jaccard_min:.2f}; the figures move in the second decimal with "
                       "more resamples).")
        else:
            reason += (f" Caution: its types are only partly reproducible across "
                       f"{int(self.n_resamples)} resamples (mean Jaccard {row.jaccard_mean:.2f}); see the "
                       f"per-type stability table.")
            if row.jaccard_mean < 0.5:
                warn = _Coded(
                    "Weak evidence for distinct types: the chosen types are not "
                    f"reproducible across resamples (mean Jaccard {row.jaccard_mean:.2f}); "
                    "treat them as descriptive, not as real segments.",
                    "warn_types_unstable", jaccard=float(row.jaccard_mean))
        return reason, warn

    @staticmethod
    def _homogeneous_caution(code, reason, best_multi, bic1):
        """The caution (reason and warning) when one group fits about as well as the types."""
        if best_multi <= bic1 - _STRONG_BIC:
            return reason, None
        better = "better than" if bic1 < best_multi else "about as well as"
        warn = _Coded(
            f"Weak evidence for distinct types: one homogeneous group fits the data "
            f"{better} any set of types (BIC {bic1:.0f} vs best {best_multi:.0f}; "
            f"the types' BIC should be at least {_STRONG_BIC:.0f} lower); treat the "
            "types as descriptive, not as real segments.", "warn_types_homogeneous",
            better="k_better_than" if bic1 < best_multi else "k_about_as_well_as",
            bic_one=int(round(bic1)), bic_best=int(round(best_multi)), strong=int(_STRONG_BIC))
        code.append({"code": "k_reason_homogeneous", "values": {
            "better": "k_better_than" if bic1 < best_multi else "k_about_as_well_as"}})
        return reason + f" But a single homogeneous group fits {better} the types (BIC).", warn

    def _edge_reason(self, ev, best_bic, k):
        """Why the BIC's own minimum lies beyond the chosen ``k``, when it does.

        The rule keeps the lowest BIC among solutions whose types are large enough and
        reproducible. When more types fit very strongly better (by ``_STRONG_BIC``) but
        were set aside, or when the BIC still falls very strongly at ``k`` and every fit
        of more types collapsed or lies beyond the range searched, ``k`` is the largest
        number of types the sample supports rather than a minimum of the BIC: finer
        types may exist that the sample cannot show reliably. Returns a reason code, or
        None when the BIC itself stops at ``k``.
        """
        ks = [int(j) for j in ev.index]
        more = [j for j in ks if j > k and np.isfinite(best_bic[j])
                and best_bic[j] < best_bic[k] - _STRONG_BIC]
        if more:
            j = min(more, key=lambda m: best_bic[m])
            row = ev.loc[j]
            if not bool(row["size_ok"]):
                why = "k_edge_size"
            elif np.isfinite(row.jaccard_small) and row.jaccard_small < SMALL_TYPE_JACCARD:
                why = "k_edge_dissolve"
            else:
                why = "k_edge_unstable"
            return {"code": "k_reason_edge", "values": {
                "k": k, "k_more": j, "diff": float(best_bic[k] - best_bic[j]), "why": why}}
        prev = k - 1
        if prev not in ks or not np.isfinite(best_bic[prev]) \
                or best_bic[k] >= best_bic[prev] - _STRONG_BIC:
            return None
        beyond = [j for j in ks if j > k]
        if beyond and all(not np.isfinite(best_bic[j]) for j in beyond):
            return {"code": "k_reason_edge_collapsed", "values": {
                "k": k, "k_prev": prev, "diff": float(best_bic[prev] - best_bic[k])}}
        if not beyond and k >= int(self.k_max):
            return {"code": "k_reason_edge_range", "values": {
                "k": k, "k_prev": prev, "diff": float(best_bic[prev] - best_bic[k])}}
        held = getattr(self, "_k_held", None)  # set by fit (``_candidate_ks``)
        if not beyond and held is not None and k >= held:
            # the search stopped at the most types of min_n the sample holds: not a continuum
            return {"code": "k_reason_edge_floor", "values": {
                "k": k, "k_prev": prev, "diff": float(best_bic[prev] - best_bic[k]),
                "min_n": int(round(float(self.min_n)))}}
        return None

    def _dip_says_one(self):
        dip = getattr(self, "_dip", None)
        return dip is not None and dip.unimodal

    def _choose_unimodal(self, one_bic, best_two):
        """k=1: two types fit better by BIC, but the respondents have one mode along the
        line that separates them (Hartigan's dip, :mod:`.unimodal`; session 18): the two
        types are halves of one flat group."""
        dip = self._dip
        values = {"bic_one": int(round(one_bic)), "bic_best": int(round(best_two)),
                  "p": float(dip.p)}
        self._reason_code = [{"code": "k_reason_one_group_unimodal", "values": values}]
        reason = (
            f"One homogeneous group: two types fit better by BIC ({best_two:.0f} against "
            f"{one_bic:.0f} for one group), but the respondents have a single mode along the "
            f"line that separates the two types (Hartigan's dip test, p = {dip.p:.2f}; one mode "
            f"is read from p = {DIP_MIN_P:g} up): the two types are halves of one flat group, not "
            "distinct groups. "
            "Set the number of types (--k) to describe subgroups anyway."
        )
        warn = _Coded(
            "No distinct types: the two types that fit best are halves of one group with a "
            f"single mode (Hartigan's dip test, p = {dip.p:.2f}); one group (k=1) is reported. "
            "Set the number of types to describe subgroups anyway, as descriptive groups "
            "rather than real segments.", "warn_one_group_unimodal", p=f"{dip.p:.2f}")
        return 1, reason, warn

    def _choose_one(self, ev, one_bic, best_multi, skewed=False):
        """k=1: no set of types fits at least ``_STRONG_BIC`` better than one group
        (``skewed``: the one group that does is the skewed one, :mod:`.skewed`)."""
        cols = self._cols
        k_best = int(ev[cols].min(axis=1).idxmin())
        better = "better than" if one_bic < best_multi else "about as well as"
        self._reason_code = [{"code": "k_reason_one_group", "values": {
            "better": "k_better_than" if one_bic < best_multi else "k_about_as_well_as",
            "bic_one": int(round(one_bic)), "bic_best": int(round(best_multi)),
            "k_best": k_best, "strong": int(_STRONG_BIC)}}]
        reason = (
            f"One homogeneous group: a single group fits the data {better} any set of "
            f"types (BIC {one_bic:.0f} against {best_multi:.0f} for the best, {k_best} "
            f"types; types need a BIC at least {_STRONG_BIC:.0f} lower). Set the number of "
            "types (--k) to describe subgroups anyway."
        )
        if skewed:
            self._reason_code.append({"code": "k_reason_one_group_skewed", "values": {}})
            reason += (" The group's answers lean towards one end of the scales: one group with "
                       "each factor's scores bent to a normal shape (a Yeo-Johnson transform) "
                       "fits them, and types would be slices of that lean, not distinct groups.")
        warn = _Coded(
            f"No distinct types: one homogeneous group fits the data {better} any set of "
            f"types (BIC {one_bic:.0f} vs best {best_multi:.0f}); one group (k=1) is "
            "reported. Set the number of types to describe subgroups anyway, as "
            "descriptive groups rather than real segments.", "warn_one_group",
            better="k_better_than" if one_bic < best_multi else "k_about_as_well_as",
            bic_one=int(round(one_bic)), bic_best=int(round(best_multi)))
        return 1, reason, warn

    def _finalise_one(self, X, values, w, one):
        """The fitted attributes of one homogeneous group (``k_ = 1``)."""
        idx = X.index
        n = values.shape[0]
        self._mixture = one[0]
        self.feature_names_in_ = [str(c) for c in X.columns]
        self.n_features_in_ = values.shape[1]
        self.proba_ = pd.DataFrame({"p_1": np.ones(n)}, index=idx)
        self.labels_ = pd.Series(np.ones(n, int), index=idx, name="type_id")
        self.certainty_ = pd.Series(np.ones(n), index=idx, name="certainty")
        tid = pd.Index([1], name="type_id")
        self.centroids_ = pd.DataFrame(np.average(values, axis=0, weights=w)[None, :],
                                       index=tid, columns=X.columns)
        self.consensus_ = pd.Series(np.ones(n, int), index=idx, name="type_id")
        self.consensus_agreement_ = pd.Series(np.ones(n), index=idx, name="agreement")
        nan = np.nan
        self.stability_ = pd.DataFrame(
            {"share": [1.0], "n": [n], "jaccard_mean": [nan], "jaccard_p10": [nan],
             "recovered": [nan], "dissolved": [nan], "jaccard_km": [nan],
             "consensus_agreement": [1.0], "avepp": [1.0]}, index=tid)
        self.method_ = "one_group"

    # ---------------------------------------------------------------- finalise
    def _finalise(self, X, values, Z, w, ref, per_resample, votes):
        k = self.k_
        n, d = Z.shape
        bics = self._choice_bics(ref, n, d)
        kind = min(bics, key=bics.get)
        mix = ref["mixes"][kind]
        if kind != "scaled":  # number its types like the reference (resampled) solution
            lab = np.argmax(mixture_log_resp(Z, mix)[0], axis=1)
            cont = np.bincount(ref["labels"] * k + lab, minlength=k * k).reshape(k, k)
            _, cols = linear_sum_assignment(-cont)
            mix = mix._replace(weights=mix.weights[cols], means=mix.means[cols],
                               covs=mix.covs[cols])
        log_resp, _ = mixture_log_resp(Z, mix)
        labels0 = np.argmax(log_resp, axis=1)
        sizes = np.bincount(labels0, weights=w, minlength=k)
        order = np.argsort(-sizes, kind="stable")  # new id j+1 <- old order[j]
        perm = np.empty(k, int)
        perm[order] = np.arange(k)
        self._mixture = mix._replace(
            weights=mix.weights[order], means=mix.means[order], covs=mix.covs[order]
        )
        proba = np.exp(log_resp)[:, order]
        cols = [f"p_{j}" for j in range(1, k + 1)]
        idx = X.index
        self.feature_names_in_ = [str(c) for c in X.columns]
        self.n_features_in_ = values.shape[1]
        self.proba_ = pd.DataFrame(proba, index=idx, columns=cols)
        self.labels_ = pd.Series(perm[labels0] + 1, index=idx, name="type_id")
        ent = -np.sum(proba * np.log(np.clip(proba, 1e-300, None)), axis=1)
        self.certainty_ = pd.Series(1 - ent / np.log(k), index=idx, name="certainty")
        cent = np.vstack([
            np.average(values[labels0 == old], axis=0, weights=w[labels0 == old])
            if np.any(w[labels0 == old] > 0) else np.full(values.shape[1], np.nan)
            for old in order
        ])
        self.centroids_ = pd.DataFrame(
            cent, index=pd.Index(range(1, k + 1), name="type_id"), columns=X.columns
        )
        v = votes[:, order]
        cons = np.argmax(v, axis=1)
        self.consensus_ = pd.Series(cons + 1, index=idx, name="type_id")
        self.consensus_agreement_ = pd.Series(
            v.max(axis=1) / np.maximum(v.sum(axis=1), 1), index=idx, name="agreement"
        )
        jac = np.vstack([r[k]["jaccard"] for r in per_resample])[:, order]
        jac_km = np.vstack([r[k]["jaccard_km"] for r in per_resample])
        # k-means types aligned to the mixture types for the per-type table
        cont = np.bincount(ref["km_labels"] * k + labels0, minlength=k * k).reshape(k, k)
        km_rows, mix_cols = linear_sum_assignment(-cont)
        km_of_mix = np.empty(k, int)
        km_of_mix[mix_cols] = km_rows
        km_perm = km_of_mix[order]
        lab = self.labels_.to_numpy()
        agree = self.consensus_agreement_.to_numpy()
        self.stability_ = pd.DataFrame(
            {
                "share": sizes[order] / sizes.sum(),
                "n": np.bincount(lab - 1, minlength=k),
                "jaccard_mean": jac.mean(0),
                "jaccard_p10": np.quantile(jac, 0.1, axis=0),
                "recovered": (jac >= STABLE_JACCARD).mean(0),
                "dissolved": (jac < 0.5).mean(0),
                "jaccard_km": jac_km.mean(0)[km_perm],
                "consensus_agreement": [agree[lab == j].mean() if np.any(lab == j) else np.nan
                                        for j in range(1, k + 1)],
                "avepp": [np.average(proba[lab == j, j - 1], weights=w[lab == j])
                          if np.any(w[lab == j] > 0) else np.nan for j in range(1, k + 1)],
            },
            index=pd.Index(range(1, k + 1), name="type_id"),
        )
        self.method_ = _METHOD[kind]

    # ----------------------------------------------------------------- predict
    def _check_fitted(self):
        # scikit-learn's NotFittedError (a ValueError and an AttributeError)
        check_is_fitted(self, "k_", msg="TypeFinder is not fitted yet; call fit(X) first")

    def predict_proba(self, X):
        """Membership probabilities ``p_1..p_k`` for new respondents.

        Parameters
        ----------
        X : DataFrame with the columns used in ``fit``.

        Returns
        -------
        DataFrame of shape (n_respondents, k)
        """
        self._check_fitted()
        missing = [c for c in self.feature_names_in_ if c not in map(str, X.columns)]
        if missing:
            raise InputError(
                "a clustering feature used in fit is missing", column=missing[0],
                hint=f"pass the columns {', '.join(self.feature_names_in_)}",
            )
        X2 = X.rename(columns=str)[self.feature_names_in_]
        values = self._check_X(X2)
        Z = (values - self._mean) / self._scale
        log_resp, _ = mixture_log_resp(Z, self._mixture)
        cols = [f"p_{j}" for j in range(1, self.k_ + 1)]
        return pd.DataFrame(np.exp(log_resp), index=X.index, columns=cols)

    def predict(self, X):
        """Most likely type id (1..k) for new respondents; a Series indexed like ``X``."""
        p = self.predict_proba(X)
        return pd.Series(np.argmax(p.to_numpy(), axis=1) + 1, index=X.index, name="type_id")

    # ------------------------------------------------------------------ report
    def to_dict(self):
        """Machine-readable result for ``solution.json`` (k, evidence, reason, sizes)."""
        self._check_fitted()
        ev = self.evidence_.reset_index()
        k_evidence = [
            {c: (None if isinstance(v, float) and not np.isfinite(v) else
                 (v.item() if hasattr(v, "item") else v)) for c, v in r.items()}
            for r in ev.to_dict(orient="records")
        ]
        st = self.stability_
        return {
            "k": self.k_,
            "k_reason": self.reason_,
            "k_reason_code": self.reason_code_,
            "k_by_evidence": int(getattr(self, "k_by_evidence_", self.k_)),
            "k_evidence": k_evidence,
            "structure_warning": self.structure_warning_,
            "method": self.method_,
            "lattice": bool(getattr(self, "lattice_", False)),
            "dequantized": bool(getattr(self, "dequantized_", False)),
            "sizes": {int(t): {"n": int(st.loc[t, "n"]), "share": float(st.loc[t, "share"])}
                      for t in st.index},
            "stability": {int(t): {c: (float(st.loc[t, c]) if np.isfinite(st.loc[t, c])
                                       else None) for c in st.columns if c != "n"}
                          for t in st.index},
            "avepp": {int(k): [a if np.isfinite(a) else None for a in v]
                      for k, v in self.avepp_.items()},
            "settings": {
                "k": self.k, "k_min": self.k_min, "k_max": self.k_max,
                "n_resamples": self.n_resamples, "min_size": self.min_size,
                "min_n": self.min_n, "n_bootstrap": self.n_bootstrap,
                "models": list(self._kinds),
            },
        }

    def summary(self):
        """A short plain-text summary for people."""
        self._check_fitted()
        lines = [f"{self.k_} type{'' if self.k_ == 1 else 's'} ({self.method_}). {self.reason_}"]
        if self.structure_warning_:
            lines.append(f"warning: {self.structure_warning_}")  # as the CLI and check say it
        cols = ["min_share", "jaccard_min", "prediction_strength", "bic_best", "passes"]
        lines.append(self.evidence_[cols].round(3).to_string())
        lines.append(self.stability_[["share", "jaccard_mean", "recovered"]].round(3).to_string())
        return "\n".join(lines)
