"""Weighted clustering models used by the types engine.

scikit-learn's ``GaussianMixture`` has no ``sample_weight``, and survey weights must
be honoured throughout, so a small weighted EM for Gaussian mixtures (full or
diagonal covariances) lives here. K-means is scikit-learn's (it takes weights).
All functions are pure: arrays in, arrays/named tuples out.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import gammaln
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.cluster import KMeans

from . import shapes

__all__ = [
    "Mixture",
    "fit_mixture_multistart",
    "fit_kmeans",
    "fit_mixture",
    "mixture_log_resp",
    "n_mixture_params",
    "nearest_centroid",
    "split_starts",
    "merge_starts",
    "refine_mixture",
    "WardTree",
    "collapse_reference",
    "is_collapsed",
    "best_fit",
    "quick_kmeans",
    "sample_mixture",
    "MIN_RELATIVE_VARIANCE",
    "MIN_ROUNDING_RATIO",
    "rounding_reference",
]

_LOG_2PI = np.log(2 * np.pi)
#: t-component kinds and the covariance structure they share with a Gaussian kind
_T_BASE = {"tscaled": "scaled", "tspreads": "spreads", "tVVE": "VVE", "tVEV": "VEV"}
#: a fitted type whose variance in some direction is below this share of the whole
#: sample's variance in that direction (SD below 17 %) has collapsed onto (nearly)
#: identical answers, e.g. everyone at the top of the scale on a short factor: a spurious
#: fit (McLachlan & Peel 2000, section 3.10). Real types sit well above it: factor scores
#: of Likert items carry measurement error (reliability < 0.97), which puts a floor under
#: any type's variance; only answers piled at a scale end escape it. Measured: real types
#: 0.05-0.07 at the lowest, collapsed or split-off ones 0.003-0.017 (docs/choosing_k.md).
#: Error-free features with very tight groups far apart (SD under a sixth of the spread
#: between groups) can fall below it; survey factor scores do not.
MIN_RELATIVE_VARIANCE = 0.03
#: A fitted type whose variance in some direction is below this share of the variance
#: that the rounding of its answers alone gives the scores in that direction (answers are
#: whole scale points: Sheppard's 1/12 of a point squared each, through the score weights)
#: is spurious too: a type cannot be measured as narrower than the answers' rounding
#: unless its members sit on the same few answer points, which is the lattice a factor
#: dominated by one or two four-point statements makes, not a type. In theory a real type
#: is at least 1 (its members' rounding errors are independent of their answers' content
#: once they spread over a point or more); measured (session 11, docs/choosing_k.md): the
#: lattice fits of the field-like tails study on four points 0.41-0.67, the fits at the
#: true number of types of the other four-point studies (seeds 30-32) 1.28 and up, of
#: five-point studies 1.13 and up; 0.75 lies between.
MIN_ROUNDING_RATIO = 0.75


class Mixture(NamedTuple):
    """A fitted Gaussian mixture (in standardised feature space)."""

    weights: np.ndarray  # (k,)
    means: np.ndarray  # (k, d)
    covs: np.ndarray  # (k, d, d) ; diagonal matrices for "diag"
    kind: str  # "full" | "diag" | "scaled" | "tied" | "spreads" | "tscaled" | "tspreads"
    loglik: float  # total weighted log-likelihood (weights scaled to mean 1)
    n_iter: int
    nu: float = float("inf")  # degrees of freedom: finite = multivariate t components


def n_mixture_params(k: int, d: int, kind: str) -> int:
    """Free parameters of a k-component mixture in d dimensions.

    ``full``: one covariance per type; ``diag``: diagonal per type; ``scaled``: one
    shared covariance shape scaled by a volume per type (Sigma_j = lambda_j C);
    ``tied``: one shared covariance; ``spreads``: one shared correlation matrix with
    its own standard deviation per feature and type (Sigma_j = D_j R D_j);
    ``tscaled``/``tspreads``: multivariate t components with the ``scaled``/``spreads``
    structure and one degrees-of-freedom parameter.
    """
    if kind in shapes.ALL_KINDS:  # mclust's parsimonious models, factor analysers
        return shapes.n_params(k, d, kind)
    if _T_BASE.get(kind) in shapes.ALL_KINDS:  # their t form: one degrees of freedom more
        return shapes.n_params(k, d, _T_BASE[kind]) + 1
    sym = d * (d + 1) // 2
    spreads = k * d + d * (d - 1) // 2
    cov = {"full": k * sym, "diag": k * d, "scaled": sym + k - 1, "tied": sym,
           "tscaled": sym + k, "spreads": spreads, "tspreads": spreads + 1}[kind]
    return k * d + cov + k - 1


def mixture_log_resp(Z: np.ndarray, model: Mixture) -> tuple[np.ndarray, np.ndarray]:
    """Log posterior membership (n, k) and per-row log density (n,)."""
    log_resp, lse, _ = _log_resp_maha(Z, model)
    return log_resp, lse


def _log_resp_maha(Z, model):
    n, d = Z.shape
    chol = np.linalg.cholesky(model.covs)  # (k, d, d)
    inv = np.linalg.inv(chol)
    # Mahalanobis distances: y_j = L_j^{-1} (z - mu_j), as (n, k, d): one matrix product of
    # Z with every L_j^{-T} side by side (the same sums, bit for bit, as k batched products
    # in about half their time; session 24)
    shift = np.einsum("kij,kj->ki", inv, model.means)
    y = (Z @ inv.transpose(2, 0, 1).reshape(d, -1)).reshape(n, -1, d) - shift[None]
    maha = np.asfortranarray(np.einsum("nkd,nkd->nk", y, y))  # laid out as before: the
    # posteriors' sums over respondents in the M-step depend on it, to the last bit
    logdet = np.sum(np.log(np.diagonal(chol, axis1=1, axis2=2)), axis=1)
    nu = float(getattr(model, "nu", np.inf))
    if np.isfinite(nu):  # multivariate t (McLachlan & Peel 2000, ch. 7)
        logp = (np.log(model.weights)[None, :] + gammaln((nu + d) / 2) - gammaln(nu / 2)
                - 0.5 * d * np.log(nu * np.pi) - logdet[None, :]
                - 0.5 * (nu + d) * np.log1p(maha / nu))
    else:
        logp = np.log(model.weights)[None, :] - 0.5 * (maha + d * _LOG_2PI) - logdet[None, :]
    top = logp.max(axis=1, keepdims=True)
    lse = top[:, 0] + np.log(np.sum(np.exp(logp - top), axis=1))
    return logp - lse[:, None], lse, maha


def _m_step(Z, w, resp, kind, reg, u=None, state=None):
    """Weighted M-step of any kind: (weights, means, covs, state); ``state`` carries the
    iterated steps of mclust's EVE/VVE and MFA from one EM iteration to the next."""
    if _T_BASE.get(kind, kind) in shapes.ALL_KINDS:  # mclust's models, factor analysers
        return shapes.m_step(Z, w, resp, _T_BASE.get(kind, kind), reg, u=u, warm=state,
                             return_state=True)  # (t: with u)
    d = Z.shape[1]
    rw = resp * w[:, None]
    nk = rw.sum(axis=0) + 1e-10
    ZT = np.ascontiguousarray(Z.T)  # the same products as Z.T's, from contiguous rows
    if u is None:
        means = (rw.T @ Z) / nk[:, None]
        second = np.matmul(np.ascontiguousarray(rw.T)[:, None, :] * ZT[None], Z) / nk[:, None, None]
        S = second - means[:, :, None] * means[:, None, :]
    else:  # t components: each point also weighted by E[u | z] (McLachlan & Peel 2000)
        ru = rw * u
        means = (ru.T @ Z) / (ru.sum(axis=0) + 1e-10)[:, None]
        # sum_i ru_ij (z_i - mu_j)(z_i - mu_j)' = sum_i ru_ij z_i z_i' - s_j mu_j mu_j'
        # (with s_j = sum_i ru_ij, since mu_j is the ru-weighted mean)
        su = ru.sum(axis=0)
        second = np.matmul(np.ascontiguousarray(ru.T)[:, None, :] * ZT[None], Z)
        S = (second - su[:, None, None] * means[:, :, None] * means[:, None, :]) / nk[:, None, None]
    eye = np.eye(d)
    kind = _T_BASE.get(kind, kind)
    if kind == "spreads":
        # own standard deviations per type, one pooled correlation matrix: the
        # closed-form (pooled-correlation) M-step; the likelihood is computed exactly
        sd = np.sqrt(np.clip(np.diagonal(S, axis1=1, axis2=2), 1e-6, None))
        R = np.einsum("k,kij->ij", nk / nk.sum(), S / sd[:, :, None] / sd[:, None, :])
        covs = sd[:, :, None] * R[None] * sd[:, None, :] + reg * eye
    elif kind == "diag":
        covs = np.diagonal(S, axis1=1, axis2=2)[:, :, None] * eye[None] + reg * eye
    elif kind == "full":
        covs = S + reg * eye
    else:
        share = nk / nk.sum()
        C = np.einsum("k,kij->ij", share, S)
        lam = np.ones(nk.size)
        if kind == "scaled":
            # each pass starts from the volumes the last one ended with (computed once:
            # session 23 left out the pass's repeat of its predecessor's last inverse)
            # (np.maximum and .trace(): what np.clip(x, 1e-3, None) and np.trace run, without
            # their wrappers' cost in this hot loop)
            lam = np.maximum(np.einsum("ij,kji->k", np.linalg.inv(C + reg * eye), S) / d, 1e-3)
            for _ in range(3):
                C = np.einsum("k,kij->ij", share / lam, S)
                C = C * d / C.trace()  # fix the scale: lambda carries the volume
                Cinv = np.linalg.inv(C + reg * eye)
                lam = np.maximum(np.einsum("ij,kji->k", Cinv, S) / d, 1e-3)
        covs = lam[:, None, None] * C[None] + reg * eye
    return nk / nk.sum(), means, covs, None


def fit_mixture(
    Z: np.ndarray,
    w: np.ndarray,
    init_labels: np.ndarray,
    k: int,
    *,
    kind: str = "full",
    reg: float = 1e-3,
    max_iter: int = 200,
    tol: float = 1e-4,
    nu: float = float("inf"),
) -> Mixture:
    """Weighted EM for a Gaussian mixture, started from hard labels.

    Parameters
    ----------
    Z : ndarray of shape (n, d)
        Standardised features.
    w : ndarray of shape (n,)
        Non-negative weights (scaled internally to mean 1).
    init_labels : ndarray of shape (n,) or (n, k)
        Starting partition (values 0..k-1) or starting membership probabilities.
    k : int
        Number of components.
    kind : {"full", "diag", "scaled", "tied", "spreads", "tscaled", "tspreads"} or an mclust name
        Covariance structure (see :func:`n_mixture_params`); mclust's fourteen models
        ("EII" ... "VVV", :data:`behaviortypes.segments.shapes.KINDS`) are fitted by
        :func:`behaviortypes.segments.shapes.m_step`.
    reg : float
        Ridge added to every covariance diagonal (keeps small types estimable).
    nu : float, default=inf
        Degrees of freedom of multivariate t components (``kind="tscaled"`` or
        ``"tspreads"``, fixed
        during EM); infinite for Gaussian components.
    """
    return _fit_mixture_resp(Z, w, init_labels, k, kind=kind, reg=reg, max_iter=max_iter,
                             tol=tol, nu=nu)[0]


def _fit_mixture_resp(Z, w, init_labels, k, *, kind, reg=1e-3, max_iter=200, tol=1e-4,
                      nu=float("inf")):
    """:func:`fit_mixture` and the fitted model's log posteriors (n, k), which its last
    step computes anyway (em-EM's long runs start from them: computed once, session 23)."""
    if kind not in _T_BASE:
        nu = float("inf")
    w = w / w.mean()
    if np.ndim(init_labels) == 2:  # soft start (posterior probabilities)
        resp = np.asarray(init_labels, dtype=float)
    else:
        resp = np.zeros((Z.shape[0], k))
        resp[np.arange(Z.shape[0]), init_labels] = 1.0
    prev = -np.inf
    it = 0
    d = Z.shape[1]
    u = state = None
    for it in range(1, max_iter + 1):
        weights, means, covs, state = _m_step(Z, w, resp, kind, reg, u, state)
        model = Mixture(weights, means, covs, kind, prev, it, nu)
        log_resp, lse, maha = _log_resp_maha(Z, model)
        ll = float(w @ lse)
        resp = np.exp(log_resp)
        if np.isfinite(nu):
            u = (nu + d) / (nu + maha)
        if abs(ll - prev) <= tol * Z.shape[0]:
            prev = ll
            break
        prev = ll
    weights, means, covs, _ = _m_step(Z, w, resp, kind, reg, u, state)
    model = Mixture(weights, means, covs, kind, prev, it, nu)
    log_resp, lse = mixture_log_resp(Z, model)
    return model._replace(loglik=float(w @ lse)), log_resp


def fit_kmeans(
    Z: np.ndarray, w: np.ndarray, k: int, *, n_init: int, seed: int
) -> tuple[np.ndarray, np.ndarray, float]:
    """Weighted k-means (k-means++ starts); returns labels, centres and inertia."""
    km = KMeans(n_clusters=k, n_init=n_init, random_state=seed, max_iter=300)
    km.fit(Z, sample_weight=w)
    return km.labels_.astype(int), km.cluster_centers_, float(km.inertia_)


def quick_kmeans(
    Z: np.ndarray, w: np.ndarray, k: int, *, n_init: int = 2, seed: int = 0,
    max_iter: int = 30,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Weighted k-means (k-means++ starts, Lloyd iterations) in plain numpy.

    The same algorithm as scikit-learn's ``KMeans`` without its per-call overhead
    (several ms, which dominated the thousands of small fits of the resamples); returns
    labels, centres and inertia of the best of ``n_init`` starts.
    """
    rng = np.random.default_rng(seed)
    n = Z.shape[0]
    p = w / w.sum()
    sq = np.sum(Z**2, axis=1)
    best = None
    for _ in range(n_init):
        idx = [int(rng.choice(n, p=p))]
        d2 = np.sum((Z - Z[idx[0]]) ** 2, axis=1)
        for _j in range(1, k):
            q = w * d2
            tot = q.sum()
            nxt = int(rng.choice(n, p=q / tot)) if tot > 0 else int(rng.integers(n))
            idx.append(nxt)
            d2 = np.minimum(d2, np.sum((Z - Z[nxt]) ** 2, axis=1))
        centres = Z[idx].copy()
        labels = None
        for _it in range(max_iter):
            dist = sq[:, None] - 2 * Z @ centres.T + np.sum(centres**2, axis=1)[None, :]
            new = np.argmin(dist, axis=1)
            if labels is not None and np.array_equal(new, labels):
                break
            labels = new
            onehot = np.zeros((n, k))
            onehot[np.arange(n), labels] = w
            mass = onehot.sum(axis=0)
            sums = onehot.T @ Z
            ok = mass > 0
            centres[ok] = sums[ok] / mass[ok, None]
        dist = sq[:, None] - 2 * Z @ centres.T + np.sum(centres**2, axis=1)[None, :]
        labels = np.argmin(dist, axis=1)
        inertia = float(np.sum(w * np.maximum(dist[np.arange(n), labels], 0)))
        if best is None or inertia < best[2]:
            best = (labels.astype(int), centres, inertia)
    return best


def sample_mixture(model: Mixture, n: int, rng: np.random.Generator) -> np.ndarray:
    """Draw ``n`` rows from a fitted mixture (Gaussian, or t when ``nu`` is finite)."""
    comp = rng.choice(model.weights.size, size=n, p=model.weights / model.weights.sum())
    d = model.means.shape[1]
    z = rng.standard_normal((n, d))
    if np.isfinite(model.nu):
        z = z / np.sqrt(rng.chisquare(model.nu, size=(n, 1)) / model.nu)
    chol = np.linalg.cholesky(model.covs)
    return model.means[comp] + np.einsum("nij,nj->ni", chol[comp], z)


def nearest_centroid(Z: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Index of the nearest centre for each row."""
    d2 = (
        np.sum(Z**2, axis=1)[:, None]
        - 2 * Z @ centres.T
        + np.sum(centres**2, axis=1)[None, :]
    )
    return np.argmin(d2, axis=1)


def fit_mixture_multistart(
    Z: np.ndarray,
    w: np.ndarray,
    starts: list,
    k: int,
    *,
    kind: str,
    n_keep: int = 3,
    short_iter: int = 10,
    guard: np.ndarray | None = None,
) -> Mixture:
    """Best of many starts by "em-EM" (Biernacki, Celeux & Govaert 2003).

    A short EM (``short_iter`` iterations) from every start, then full EM from the
    ``n_keep`` best; the highest likelihood wins among fits that have not collapsed
    (see :func:`best_fit`; ``guard`` from :func:`collapse_reference`).
    """
    # a start given twice (k-means from two seeds that end in the same partition) is run
    # once: EM is deterministic, so its twin's runs are the same to the last bit
    runs, short = {}, []
    for lab in starts:
        key = _start_key(lab)
        if key not in runs:
            runs[key] = _fit_mixture_resp(Z, w, lab, k, kind=kind, max_iter=short_iter)
        short.append(runs[key])
    best = sorted(range(len(short)), key=lambda i: -short[i][0].loglik)[:n_keep]
    fits, full = [], {}
    for i in best:
        if id(short[i]) not in full:
            resp = np.exp(short[i][1])  # the short run's posteriors
            full[id(short[i])] = fit_mixture(Z, w, resp, k, kind=kind)
        fits.append(full[id(short[i])])
    return best_fit(fits, guard)


def _start_key(start) -> tuple:
    """A start's identity: hard labels (any integer type) or posteriors, by value and memory
    layout (the M-step's sums over respondents follow the layout, to the last bit)."""
    a = np.asarray(start)
    if a.ndim == 1:
        return "labels", a.astype(np.int64).tobytes()
    return "resp", a.shape, a.dtype.str, a.strides, a.tobytes()


def split_starts(Z: np.ndarray, model: Mixture) -> list[np.ndarray]:
    """Starts for k+1 components: each component of ``model`` cut in two.

    Component j's posterior mass is divided by the sign of the projection on its
    covariance's leading axis (the direction in which a component that covers two
    types is most stretched). One start (n, k+1) per component.
    """
    resp = np.exp(mixture_log_resp(Z, model)[0])
    out = []
    for j in range(model.weights.size):
        axis = np.linalg.eigh(model.covs[j])[1][:, -1]
        side = (Z - model.means[j]) @ axis >= 0
        r = np.column_stack([resp, resp[:, j] * side])
        r[:, j] = resp[:, j] * ~side
        out.append(r)
    return out


def merge_starts(
    Z: np.ndarray, w: np.ndarray, model: Mixture, n_pairs: int = 3
) -> list[np.ndarray]:
    """Starts for k-1 components: the ``n_pairs`` most overlapping pairs merged.

    Overlap of a pair is the weighted sum of the products of their posteriors (how much
    respondents are shared between the two components).
    """
    resp = np.exp(mixture_log_resp(Z, model)[0])
    k = resp.shape[1]
    shared = (resp * (w / w.mean())[:, None]).T @ resp
    pairs = sorted(((shared[a, b], a, b) for a in range(k) for b in range(a + 1, k)),
                   reverse=True)[:n_pairs]
    out = []
    for _, a, b in pairs:
        r = np.delete(resp, b, axis=1)
        r[:, a] = resp[:, a] + resp[:, b]
        out.append(r)
    return out


def refine_mixture(
    Z: np.ndarray, w: np.ndarray, current: Mixture, starts: list[np.ndarray], *,
    n_keep: int = 2, short_iter: int = 10, guard: np.ndarray | None = None,
) -> Mixture:
    """``current`` or a better fit from ``starts`` (soft starts, same k and kind), by em-EM.

    "Better" is a higher likelihood among fits that have not collapsed (:func:`best_fit`).
    """
    if not starts:
        return current
    challenger = fit_mixture_multistart(Z, w, starts, current.weights.size, kind=current.kind,
                                        n_keep=n_keep, short_iter=short_iter, guard=guard)
    return best_fit([current, challenger], guard)


def collapse_reference(Z: np.ndarray, w: np.ndarray, reg: float = 1e-3) -> np.ndarray:
    """Inverse Cholesky factor of the sample covariance (plus the mixtures' ridge).

    Component covariances are compared with it by :func:`is_collapsed`; the ridge makes a
    constant feature compare equal rather than collapsed.
    """
    T = np.cov(Z, rowvar=False, aweights=w).reshape(Z.shape[1], Z.shape[1])
    return np.linalg.inv(np.linalg.cholesky(T + reg * np.eye(Z.shape[1])))


def is_collapsed(model: Mixture, guard: np.ndarray,
                 threshold: float = MIN_RELATIVE_VARIANCE) -> bool:
    """Whether some type's variance in some direction is below ``threshold`` times the
    reference's (generalised eigenvalues of each covariance against the reference whose
    inverse Cholesky factor ``guard`` is: the sample's, :func:`collapse_reference`, or the
    answers' rounding, :func:`rounding_reference` with :data:`MIN_ROUNDING_RATIO`)."""
    rel = guard[None] @ model.covs @ guard.T[None]
    return bool(np.linalg.eigvalsh(rel).min() < threshold)


def rounding_reference(per_point: np.ndarray) -> np.ndarray:
    """Inverse Cholesky factor of the features' rounding covariance ``B' B / 12``.

    ``per_point`` (answers x features, standardised units) is how far each feature moves
    per point of each answer; an answer given as a whole point carries a rounding error of
    variance 1/12 (Sheppard 1898). A tiny ridge keeps a feature without rounding (or more
    features than answers) comparable.
    """
    B = np.asarray(per_point, dtype=float)
    R = B.T @ B / 12.0
    ridge = 1e-9 * max(float(np.trace(R)) / max(R.shape[0], 1), 1e-12)
    return np.linalg.inv(np.linalg.cholesky(R + ridge * np.eye(R.shape[0])))


def best_fit(fits: list[Mixture], guard: np.ndarray | None) -> Mixture:
    """The highest-likelihood fit that has not collapsed (of all, if every one has)."""
    valid = fits if guard is None else [m for m in fits if not is_collapsed(m, guard)]
    return max(valid or fits, key=lambda m: m.loglik)


class WardTree:
    """Ward's hierarchical clustering, cut at any k (scipy; memory quadratic in n).

    Above ``max_n`` respondents the tree is grown on a seeded random subsample and
    everyone else joins the nearest Ward centroid. Ward has no survey weights: it serves
    as one more start for the weighted mixtures (as mclust starts EM from a
    hierarchical clustering) and as an agreement check in the evidence.
    """

    def __init__(self, Z: np.ndarray, *, max_n: int = 4000, seed: int = 0):
        n = Z.shape[0]
        if n > max_n:
            self.idx = np.sort(np.random.default_rng(seed).choice(n, max_n, replace=False))
        else:
            self.idx = np.arange(n)
        self.Z = Z
        self.tree = linkage(Z[self.idx], method="ward")

    def labels(self, k: int) -> np.ndarray:
        """Partition of every respondent into at most ``k`` groups (0..k-1).

        Fewer than ``k`` when the tree has ties at the cut (many identical answers).
        """
        sub = fcluster(self.tree, t=k, criterion="maxclust") - 1
        if self.idx.size == self.Z.shape[0]:
            return sub.astype(int)
        Zs = self.Z[self.idx]
        centres = np.vstack([Zs[sub == j].mean(axis=0) for j in np.unique(sub)])
        return nearest_centroid(self.Z, centres)
