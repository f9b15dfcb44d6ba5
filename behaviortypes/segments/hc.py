"""mclust's model-based hierarchical agglomeration (``hc``), ported: the starts of EM.

mclust starts every EM of ``mclustBIC``/``Mclust`` from a partition cut from one
agglomerative tree: ``hc(modelName = "VVV", use = "SVD")`` (``mclust.options("hcModelName",
"hcUse")``). This module reproduces that tree merge for merge.

**The criterion** (Fraley 1998; Banfield & Raftery 1993). Every observation starts as its
own group; at each step the two groups whose merge raises the (regularised) VVV
classification criterion least are merged. For a group of ``l`` points with scatter
matrix ``W`` (sum of squared deviations from its mean) the term is

* ``l log(beta (tr W + alpha) / l)`` while ``l <= d`` (too few points for a covariance),
* ``l log(det(W / l) + beta (tr W + alpha) / l)`` once ``l > d``,

with ``beta = 1`` and ``alpha = tr(T) / (n d)`` (``T`` the total scatter of the data;
``hcVVV``'s defaults ``alpha = 1, beta = 1`` times ``traceW(data / sqrt(n d))``). The cost of
a merge is the merged group's term minus the two groups' terms; the smallest cost wins.

**The port** (:func:`hc_vvv`; the kernels in :mod:`.hc_fortran`) transliterates mclust
6.0.0's Fortran ``hcvvv`` (``src/mclust.f``): the scaled group sums, the triangular
factors of ``W`` updated by Givens rotations (``mclrup`` with the reference BLAS 3.11
``drotg``, which R on Debian links), the packed table of merge costs and its renumbering
after each merge (``wardsw``), so that the floating-point values, and therefore ties and
near-ties, come out as R's. **Ties**: mclust keeps the *last* pair with the smallest cost
(``<=``) in the packed order ``(1,2), (1,3), (2,3), (1,4), ...`` of the current group
numbers; so does the port. One quirk is kept on purpose: after a merge, mclust stores the
*first* row of the merged group's factor in every row of its store (``dcopy(p, r(1,1), p,
x(l,1), n)``), so the determinants of later merges with that group are not those of its
scatter matrix. Storing the right rows changes the tree of ``faithful`` and ``diabetes``
on the raw data (``use = "VARS"``; ARI against mclust's partitions 0.98-1 and 0.43-0.92 at
G = 2..9), and none of the five reference trees on the ``"SVD"`` transform. The port
follows mclust, as the point is to start where it starts.

**Checked** (``tests/test_hc.py``): the whole merge sequence equals R's ``hc()`` (VARS and
SVD) on iris, faithful, diabetes, banknote and a planted own-shape study, and the
partitions for G = 1..9 equal ``hclass()``'s label for label.

**Cost**: ``O(n^2)`` memory (the packed cost table, 8 bytes per pair: 16 MB at n = 2000) and
``O(n^3)`` time, as mclust. :func:`hc_partitions` therefore agglomerates a random subset
of ``subset`` respondents when there are more (mclust's ``mclust.options("subset")``, 2000)
and assigns everyone by one M-step on the subset's partition and one E-step, as
``mclustBIC`` starts EM. R's random numbers are not reproduced: the subset is drawn with
numpy's generator from ``seed`` (same seed, same subset), so above 2000 respondents the
starts are mclust's method, not mclust's draws. ``bench/hc.py`` times it.

The kernels are compiled with numba on first use (10-25 s once; cached on disk).

References
----------
Banfield, J. D., & Raftery, A. E. (1993). Model-based Gaussian and non-Gaussian
clustering. Biometrics, 49, 803-821.
Fraley, C. (1998). Algorithms for model-based Gaussian hierarchical clustering. SIAM
Journal on Scientific Computing, 20, 270-281.
Scrucca, L., Fop, M., Murphy, T. B., & Raftery, A. E. (2016). mclust 5: clustering,
classification and density estimation using Gaussian finite mixture models. The R
Journal, 8, 289-317.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .hc_fortran import hcvvv

__all__ = [
    "HcTree",
    "HC_MODELS",
    "HC_USES",
    "SUBSET",
    "MAX_GROUPS",
    "hc_vvv",
    "hc_eii",
    "hclass",
    "hc_transform",
    "hc_partitions",
]

#: the agglomeration criteria offered: mclust's default VVV and Ward's sum of squares (EII)
HC_MODELS = ("VVV", "EII")
#: the data transforms of mclust's ``hc(use = ...)`` offered here
HC_USES = ("SVD", "VARS", "STD")
#: mclust 6's ``mclust.options("subset")``: above this many rows, agglomerate a subset
SUBSET = 2000
#: :func:`hc_vvv` refuses more starting groups (a 400 MB cost table, minutes of work)
MAX_GROUPS = 10_000

_EPSMAX = 2.2204460492503131e-16


class HcTree(NamedTuple):
    """An agglomerative tree in mclust's form.

    Attributes
    ----------
    merges : ndarray of shape (n_groups - 1, 2)
        The merges in order, as 0-based group numbers ``(i, j)`` with ``i < j``: group ``j``
        joins group ``i`` (mclust's ``hc`` object, minus one). A merged group keeps the
        smaller number.
    costs : ndarray of shape (n_groups - 1,)
        The change in the criterion at each merge (VVV: mclust's; EII: Ward's height).
    initial : ndarray of shape (n,)
        The starting partition, 0-based (singletons: ``0..n-1``).
    model : str
        ``"VVV"`` or ``"EII"``.
    """

    merges: np.ndarray
    costs: np.ndarray
    initial: np.ndarray
    model: str


# ---------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------
def _as_data(X) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] < 2 or X.shape[1] < 1:
        raise ValueError(f"X must be a 2-D array with at least 2 rows, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X has missing or infinite values; hierarchical clustering needs "
                         "complete data")
    return X


def _trace_w(X: np.ndarray) -> float:
    """mclust's ``traceW`` (Fortran ``mcltrw``): the trace of the total scatter matrix,
    summed in the same order."""
    n, p = X.shape
    fac = 1.0 / math.sqrt(float(n))
    u = np.zeros(p)
    for i in range(n):
        u = u + fac * X[i]
    ss = 0.0
    for j in range(p):
        col = X[:, j] + (-fac) * u[j]
        t = 0.0
        for c in col.tolist():
            t = t + c * c
        ss = ss + t
    return ss


def _first_appearance(labels: np.ndarray) -> np.ndarray:
    """Relabel 0..g-1 in order of first appearance (mclust's ``partconv(consec = TRUE)``)."""
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    return rank[inverse.ravel()]


def hc_vvv(X, partition=None, *, alpha: float = 1.0, beta: float = 1.0) -> HcTree:
    """mclust's ``hcVVV``: model-based agglomeration with the VVV criterion.

    Parameters
    ----------
    X : array-like of shape (n, d)
        The data as they are agglomerated (transform them first: :func:`hc_transform`).
    partition : array-like of shape (n,), optional
        A starting partition (any labels; each group starts as one); None: singletons, as
        ``hc()`` starts.
    alpha, beta : float, default=1.0
        mclust's regularisation: ``alpha`` multiplies ``tr(T) / (n d)`` (the data's total
        scatter per entry), ``beta`` the trace term (see the module docstring).

    Returns
    -------
    HcTree
        The merges down to one group, 0-based (``hclass`` cuts them).

    Notes
    -----
    Memory ``O(n^2)`` (a packed table of ``n (n - 1) / 2`` costs) and time ``O(n^3)``, as
    mclust: keep ``n`` to a few thousand (:func:`hc_partitions` subsets above
    :data:`SUBSET`); more than :data:`MAX_GROUPS` starting groups raise ``ValueError``.
    """
    X = _as_data(X)
    n, p = X.shape
    if partition is None:
        ic0 = np.arange(n, dtype=np.int64)
    else:
        partition = np.asarray(partition)
        if partition.shape != (n,):
            raise ValueError(f"partition must have one label per row ({n}), got shape "
                             f"{partition.shape}")
        ic0 = _first_appearance(partition)
    ng = int(ic0.max()) + 1
    if ng > MAX_GROUPS:
        raise ValueError(f"{ng} starting groups: the agglomeration needs {ng} x {ng} / 2 "
                         f"costs in memory; agglomerate a subset (hc_partitions does above "
                         f"{SUBSET} rows) or start from a coarser partition")
    if ng < 2:
        raise ValueError("the starting partition has one group: nothing to merge")
    ns = ng - 1
    a = max(alpha * _trace_w(X / math.sqrt(float(n * p))), _EPSMAX)
    nd = max(n, ng * (ng - 1) // 2 + 1, 3 * ns)
    x = np.zeros((n + 1, p + 2))
    x[1:, 1:p + 1] = X
    ic = np.zeros(n + 1, dtype=np.int64)
    ic[1:] = ic0 + 1
    pairs, costs = hcvvv(x, ic, n, p, ng, ns, a, float(beta), nd)
    return HcTree(pairs.astype(np.int64) - 1, costs.copy(), ic0, "VVV")


def hc_eii(X) -> HcTree:
    """Ward's agglomeration (mclust's ``hcEII``, the sum-of-squares criterion) as an
    :class:`HcTree`, by scipy's ``linkage(method="ward")``.

    The tree is Ward's; on exact ties scipy's order of merges may differ from mclust's
    ``hceii``, which is not ported.

    Parameters
    ----------
    X : array-like of shape (n, d)

    Returns
    -------
    HcTree
    """
    from scipy.cluster.hierarchy import linkage

    X = _as_data(X)
    n = X.shape[0]
    link = linkage(X, method="ward")
    rep = np.concatenate([np.arange(n), np.zeros(n - 1, dtype=np.int64)])
    merges = np.empty((n - 1, 2), dtype=np.int64)
    for t, (a, b) in enumerate(link[:, :2].astype(np.int64)):
        i, j = sorted((rep[a], rep[b]))
        merges[t] = (i, j)
        rep[n + t] = i
    return HcTree(merges, link[:, 2].copy(), np.arange(n), "EII")


def hclass(tree: HcTree, ks) -> dict[int, np.ndarray]:
    """Cut a tree into ``k`` groups for each ``k`` in ``ks`` (mclust's ``hclass``).

    Parameters
    ----------
    tree : HcTree
    ks : iterable of int
        Numbers of groups, each between 1 and the starting number of groups.

    Returns
    -------
    dict
        ``{k: labels}``, 0-based labels numbered in order of first appearance (R's
        ``hclass`` minus one, label for label).
    """
    labels = np.asarray(tree.initial, dtype=np.int64).copy()
    ng = int(labels.max()) + 1
    ks = sorted({int(k) for k in ks})
    if not ks or ks[0] < 1 or ks[-1] > ng:
        raise ValueError(f"ks must lie between 1 and {ng} (the starting groups), got {ks}")
    out = {}
    if ng in ks:
        out[ng] = _first_appearance(labels)
    for step, (i, j) in enumerate(tree.merges[: ng - ks[0]], start=1):
        labels[labels == j] = i
        if ng - step in ks:
            out[ng - step] = _first_appearance(labels)
    return {k: out[k] for k in ks}


def hc_transform(X, use: str = "SVD") -> np.ndarray:
    """The data as mclust's ``hc(use = ...)`` agglomerates them.

    Parameters
    ----------
    X : array-like of shape (n, d)
    use : {"SVD", "VARS", "STD"}, default="SVD"
        ``"SVD"`` (mclust's ``hcUse`` default): standardise each column (SD with ``n - 1``),
        drop columns that are not finite then (constant ones), rotate to the principal
        axes and divide each by the square root of its singular value. ``"VARS"``: as they
        are (``hc()``'s own default). ``"STD"``: standardised.

    Returns
    -------
    ndarray of shape (n, d')
    """
    X = _as_data(X)
    use = use.upper()
    if use not in HC_USES:
        raise ValueError(f"use={use!r} is not one of {HC_USES}")
    if use == "VARS":
        return X
    with np.errstate(invalid="ignore", divide="ignore"):
        Z = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    Z = Z[:, np.all(np.isfinite(Z), axis=0)]
    if Z.shape[1] == 0:
        raise ValueError("every column of X is constant: nothing to cluster")
    if use == "STD":
        return Z
    _, s, Vt = np.linalg.svd(Z, full_matrices=False)
    keep = s > s[0] * 1e-12  # (mclust divides by every singular value; a zero one is NaN)
    return (Z @ Vt[keep].T) * (1.0 / np.sqrt(s[keep]))[None, :]  # (as R: V diag(1/sqrt(d)))


def hc_partitions(Z, ks, model: str = "VVV", use: str = "SVD", *, subset: int = SUBSET,
                  seed: int = 0) -> dict[int, np.ndarray]:
    """mclust's starting partitions: transform, agglomerate, cut at each ``k``.

    Parameters
    ----------
    Z : array-like of shape (n, d)
        Features (respondents x dimensions).
    ks : iterable of int
        The numbers of groups wanted.
    model : {"VVV", "EII"}, default="VVV"
        The agglomeration criterion (:func:`hc_vvv`, :func:`hc_eii`).
    use : {"SVD", "VARS", "STD"}, default="SVD"
        The transform (:func:`hc_transform`).
    subset : int, default=2000
        Above this many rows, agglomerate a random subset of this size (mclust's
        ``mclust.options("subset")``) and give everyone the type of highest posterior
        after one M-step of ``model`` (a ridge of 1e-6 of the mean variance keeps a small
        group's covariance invertible) on the subset's partition and one E-step, as
        ``mclustBIC`` starts EM.
    seed : int, default=0
        Seeds the subset (numpy's generator; R's draws are not reproduced).

    Returns
    -------
    dict
        ``{k: labels}`` (0-based, in order of first appearance) for every ``k`` in ``ks``.
    """
    if model not in HC_MODELS:
        raise ValueError(f"model={model!r} is not one of {HC_MODELS}")
    T = hc_transform(Z, use)
    n = T.shape[0]
    ks = sorted({int(k) for k in ks})
    agglomerate = hc_vvv if model == "VVV" else hc_eii
    if n <= subset:
        return hclass(agglomerate(T), ks)
    idx = np.sort(np.random.default_rng(seed).choice(n, size=subset, replace=False))
    parts = hclass(agglomerate(T[idx]), ks)
    from . import shapes
    from ._models import Mixture, mixture_log_resp  # the engine's tuple and E-step

    w = np.ones(subset)
    ridge = 1e-6 * float(np.mean(np.var(T[idx], axis=0)))
    out = {}
    for k, lab in parts.items():
        if k == 1:
            out[k] = np.zeros(n, dtype=np.int64)
            continue
        weights, means, covs = shapes.m_step(T[idx], w, np.eye(k)[lab], model, reg=ridge)
        log_resp, _ = mixture_log_resp(T, Mixture(weights, means, covs, model, 0.0, 0))
        out[k] = _first_appearance(np.argmax(log_resp, axis=1))
    return out
