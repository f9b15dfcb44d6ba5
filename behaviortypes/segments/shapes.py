"""mclust's parsimonious Gaussian mixtures: types with their own shapes.

Every covariance is decomposed as ``Sigma_j = lambda_j D_j A_j D_j'`` (volume, orientation,
shape with ``det(A_j) = 1``; Banfield & Raftery 1993, Celeux & Govaert 1995), and each of
the three parts is either Equal across types, Variable, or the Identity. The fourteen
models mclust fits are here as weighted M-steps that return the same
``(weights, means, covs)`` as the engine's own kinds, so the engine's EM loop
(``fit_mixture`` in the types engine) runs them unchanged: ``kind="VVE"`` etc.

==== ====== =========== ===========  =========================================
kind volume shape       orientation  M-step
==== ====== =========== ===========  =========================================
EII  equal  identity    --           closed form
VII  own    identity    --           closed form
EEI  equal  equal       axes         closed form
VEI  own    equal       axes         iterated (Celeux & Govaert 1995)
EVI  equal  own         axes         closed form
VVI  own    own         axes         closed form (the engine's ``diag``)
EEE  equal  equal       equal        closed form (the engine's ``tied``)
VEE  own    equal       equal        iterated (the engine's ``scaled``)
EVE  equal  own         equal        MM (Browne & McNicholas 2014)
VVE  own    own         equal        MM (Browne & McNicholas 2014)
EEV  equal  equal       own          closed form (eigen-decompositions)
VEV  own    equal       own          iterated (Celeux & Govaert 1995)
EVV  equal  own         own          closed form
VVV  own    own         own          closed form (the engine's ``full``)
==== ====== =========== ===========  =========================================

The M-steps follow mclust 6's Fortran (``src/mclust.f``, ``src/mclust2.f``): the
same starting values and stopping rule for the iterated ones (relative change of the
inner target below ``sqrt(eps)``), so the same partition gives the same fit; survey
weights multiply the posterior memberships. ``tests/test_shapes_mclust.py`` compares
the M-steps, EM from R's own starting partitions, and BIC tables with numbers R's
mclust 6.0.0 printed (``tests/data/mclust/``).

References
----------
Banfield, J. D., & Raftery, A. E. (1993). Model-based Gaussian and non-Gaussian
clustering. Biometrics, 49, 803-821.
Celeux, G., & Govaert, G. (1995). Gaussian parsimonious clustering models. Pattern
Recognition, 28, 781-793.
Browne, R. P., & McNicholas, P. D. (2014). Estimating common principal components in
high dimensions. Advances in Data Analysis and Classification, 8, 217-226.
Scrucca, L., Fop, M., Murphy, T. B., & Raftery, A. E. (2016). mclust 5: clustering,
classification and density estimation using Gaussian finite mixture models. The R
Journal, 8, 289-317.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "KINDS",
    "FA_KINDS",
    "ALL_KINDS",
    "n_var_params",
    "n_params",
    "m_step",
    "fit",
    "bic",
    "hc_svd_labels",
    "bic_table",
    "is_singular",
    "SINGULAR_RELATIVE_VARIANCE",
]

#: the fourteen mclust models, in mclust's order (``mclust.options("emModelNames")``)
KINDS = ("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV",
         "EVV", "VVV")

#: a fit in which some type's variance in some direction is below this share of the
#: sample's (SD under 0.3 %) has a numerically singular type: mclust stops such fits and
#: reports NA. On the five reference data sets (tests/data/mclust) this rule drops the
#: fits that decide mclust's choice (R's NA fits sat at 6e-10 median, the lowest fit R
#: kept at 1.5e-5) and the BIC then chooses mclust's model and k on all five.
SINGULAR_RELATIVE_VARIANCE = 1e-5

#: mixtures of factor analysers, Sigma_j = Lambda_j Lambda_j' + Psi_j with q factors
#: per type (Ghahramani & Hinton 1996; McLachlan & Peel 2000, ch. 8): not in mclust
FA_KINDS = ("MFA1", "MFA2")
ALL_KINDS = KINDS + FA_KINDS

_EPS = np.finfo(float).eps
_INNER_TOL = np.sqrt(_EPS)  # mclust's emControl()$tol[2]
_FLOOR = 1e-12  # eigenvalues below this (relative to the largest) count as zero


def n_var_params(kind: str, k: int, d: int) -> int:
    """Free covariance parameters of model ``kind`` with ``k`` types in ``d`` dimensions.

    The counts of mclust's ``nVarParams``: an equal volume costs 1 and own volumes
    ``k``; an equal shape ``d - 1`` and own shapes ``k (d - 1)``; an equal orientation
    ``d (d - 1) / 2`` and own orientations ``k d (d - 1) / 2``.
    """
    if kind in FA_KINDS:
        q = int(kind[3:])
        return k * (d * q - q * (q - 1) // 2 + d)
    if kind not in KINDS:
        raise ValueError(f"kind={kind!r} is not one of mclust's models {KINDS}")
    vol = {"E": 1, "V": k}[kind[0]]
    if kind[1] == "I":
        shape = 0
    else:
        shape = (d - 1) * (1 if kind[1] == "E" else k)
    orient = {"I": 0, "E": d * (d - 1) // 2, "V": k * d * (d - 1) // 2}[kind[2]]
    if kind[1] == "I":  # EII / VII: lambda I
        return vol
    return vol + shape + orient


def n_params(k: int, d: int, kind: str) -> int:
    """All free parameters: means, proportions, covariances (mclust's ``nMclustParams``)."""
    return k * d + (k - 1) + n_var_params(kind, k, d)


def _scatter(Z, w, resp, u=None):
    """Weighted type sizes (k,), means (k, d) and scatter matrices W_j (k, d, d).

    ``u`` (n, k): the t components' E[u | z] (McLachlan & Peel 2000, 7.5); means and
    scatter are then ``resp * w * u``-weighted while the sizes stay ``resp * w``, so the
    structured covariance steps below are the t mixture's M-step unchanged."""
    rw = resp * w[:, None]
    nk = rw.sum(axis=0) + 1e-10
    ru = rw if u is None else rw * u
    su = ru.sum(axis=0) + 1e-10
    means = (ru.T @ Z) / su[:, None]
    # contiguous rows: the same products as ru.T's and Z.T's, faster (session 24)
    second = np.matmul(np.ascontiguousarray(ru.T)[:, None, :] * np.ascontiguousarray(Z.T)[None], Z)
    W = second - su[:, None, None] * means[:, :, None] * means[:, None, :]
    W = 0.5 * (W + W.transpose(0, 2, 1))
    return nk, means, W


def _geo(x, axis=-1):
    """Geometric mean along ``axis`` (of positive numbers)."""
    return np.exp(np.mean(np.log(x), axis=axis))


def _floor(x):
    top = np.max(np.abs(x))
    return np.maximum(x, _FLOOR * (top if top > 0 else 1.0))


def _eig_desc(W):
    """Eigenvalues (decreasing) and eigenvectors (columns) of each matrix in W (k, d, d)."""
    vals, vecs = np.linalg.eigh(W)
    return _floor(vals[..., ::-1]), vecs[..., ::-1]


def _volume_and_shape(vals, nk, d, tol, max_inner):
    """Each type's volume and the common shape from per-type variances along fixed axes.

    The alternating VEI/VEV M-step (mclust): ``vals`` (k, d) are the scatter's variances
    along each type's own axes (the diagonal for VEI, the eigenvalues for VEV).
    """
    shape = vals.sum(axis=0)
    g = _geo(shape)
    scale = g / nk
    shape = shape / g
    prev = np.inf
    for _ in range(max_inner):
        scale = (vals / shape[None]).sum(axis=1) / (d * nk)
        shape = (vals / scale[:, None]).sum(axis=0)
        shape = shape / _geo(shape)
        target = float(np.sum(nk * np.log(scale)))
        if abs(target - prev) / (1 + abs(target)) <= tol:
            break
        prev = target
    return scale, shape


def _vei(W, nk, d, tol, max_inner):
    diagW = _floor(np.diagonal(W, axis1=1, axis2=2))  # (k, d)
    scale, shape = _volume_and_shape(diagW, nk, d, tol, max_inner)
    return scale[:, None] * shape[None]  # diagonal variances (k, d)


def _vee(W, nk, d, tol, max_inner):
    scale = np.ones(nk.size)
    prev = np.finfo(float).max / 2
    for _ in range(max_inner):
        C = np.einsum("k,kij->ij", 1.0 / scale, W)
        C = C / _geo(_floor(np.linalg.eigvalsh(C)))
        Cinv = np.linalg.inv(C)
        scale = np.einsum("ij,kji->k", Cinv, W) / (d * nk)
        scale = np.maximum(scale, _FLOOR)
        target = nk.sum() * d + d * float(np.sum(np.log(scale) * nk))
        if abs(target - prev) / (1 + abs(target)) <= tol:
            break
        prev = target
    return scale[:, None, None] * C[None]


def _common_orientation(W, nk, d, own_volume, tol, max_inner, warm=None):
    """EVE / VVE: one orientation D for all types, own shapes A_j (Browne & McNicholas 2014).

    mclust 2's ``mseve``/``msvve``: two majorisation-minimisation updates of D per round
    (MM 1 and MM 2), then the shapes; D starts at the identity and the shapes at 1
    (``mstep``), or where the previous EM iteration left them (``warm``, as ``me``).
    Returns the covariances and ``(D, shapes)``.
    """
    k = nk.size
    omega = _eig_desc(W)[0][:, 0]  # largest eigenvalue of each W_j
    if warm is None:
        D, shape = np.eye(d), np.ones((k, d))
    else:
        D, shape = warm
    prev = np.finfo(float).max / 2
    scale = np.ones(k)
    for _ in range(max_inner):
        # MM 1: F = sum_j A_j^-1 D' W_j - omega_j A_j^-1 D'
        AinvDt = D.T[None] / shape[:, :, None]  # (k, d, d)
        F = np.sum(AinvDt @ W - omega[:, None, None] * AinvDt, axis=0)
        P, _, Rt = np.linalg.svd(F)
        D = (P @ Rt).T
        # MM 2: F = sum_j W_j D A_j^-1 - max(1 / a_j) W_j D
        WD = W @ D[None]
        F = np.sum(WD / shape[:, None, :] - (1.0 / shape).max(axis=1)[:, None, None] * WD,
                   axis=0)
        P, _, Rt = np.linalg.svd(F)
        D = P @ Rt
        diag = _floor(np.einsum("ji,kjl,li->ki", D, W, D))  # diag(D' W_j D), (k, d)
        if own_volume:
            scale = _geo(diag / nk[:, None])
            shape = diag / nk[:, None] / scale[:, None]
        else:
            shape = diag / _geo(diag)[:, None]
        shape = _floor(shape)
        target = float(np.sum(diag / shape))  # sum_j tr(D' W_j D A_j^-1), as mclust
        if abs(target - prev) / (1 + abs(target)) <= tol:
            break
        prev = target
    if not own_volume:
        scale = np.full(k, target / (nk.sum() * d))
    return scale[:, None, None] * np.einsum("ij,kj,lj->kil", D, shape, D), (D, shape)


def _vev(W, nk, d, tol, max_inner):
    vals, vecs = _eig_desc(W)  # Omega_j, D_j
    scale, shape = _volume_and_shape(vals, nk, d, tol, max_inner)
    return scale[:, None, None] * np.einsum("kij,j,klj->kil", vecs, shape, vecs)


def _factor_analyse(S, q, n_iter=200, tol=1e-6, start=None):
    """ML factor analysis of a covariance S (d, d) with q factors, by EM (Rubin & Thayer
    1982), started from principal axes or from ``start`` = (Lambda, psi); returns
    Lambda Lambda' + Psi and (Lambda, psi). Uniquenesses are floored at 1e-4 of the
    variances (a Heywood case stays estimable)."""
    d = S.shape[0]
    floor = 1e-4 * np.diag(S)
    if start is None:
        vals, vecs = np.linalg.eigh(S)
        vals, vecs = vals[::-1], vecs[:, ::-1]
        rest = float(np.mean(vals[q:])) if d > q else 0.0
        L = vecs[:, :q] * np.sqrt(np.maximum(vals[:q] - rest, 1e-6 * vals[0]))
        psi = np.maximum(np.diag(S) - np.sum(L**2, axis=1), floor)
    else:
        L, psi = start
    prev = None
    eye = np.eye(q)
    for _ in range(n_iter):
        # beta = L' (L L' + Psi)^-1 via the Woodbury identity (q x q inverse)
        Lp = L / psi[:, None]
        M = np.linalg.inv(eye + L.T @ Lp)
        beta = M @ Lp.T
        SB = S @ beta.T
        Ezz = eye - beta @ L + beta @ SB
        L = SB @ np.linalg.inv(Ezz)
        psi = np.maximum(np.diag(S) - np.sum(L * SB, axis=1), floor)
        change = np.max(np.abs(psi - prev) / psi) if prev is not None else np.inf
        if change <= tol:
            break
        prev = psi
    return L @ L.T + np.diag(psi), (L, psi)


def m_step(
    Z: np.ndarray,
    w: np.ndarray,
    resp: np.ndarray,
    kind: str,
    reg: float = 0.0,
    *,
    tol: float = _INNER_TOL,
    max_inner: int = 500,
    u: np.ndarray | None = None,
    warm=None,
    return_state: bool = False,
):
    """Weighted maximum-likelihood parameters of model ``kind`` given memberships.

    The iterated M-steps start as mclust's ``mstep`` does (EVE/VVE: orientation at the
    identity, shapes at 1); :func:`fit` carries them from one EM iteration to the next
    as mclust's ``me`` does.

    Parameters
    ----------
    Z : ndarray of shape (n_respondents, n_features)
        Features.
    w : ndarray of shape (n_respondents,)
        Respondent (survey) weights; they multiply the memberships.
    resp : ndarray of shape (n_respondents, k)
        Membership probabilities (a hard partition as 0/1 columns).
    kind : str
        One of :data:`KINDS`.
    reg : float, default=0.0
        Ridge added to every covariance diagonal after the M-step (the engine uses
        1e-3 to keep small types estimable; 0 reproduces mclust).
    tol : float, default=sqrt(machine epsilon)
        Stopping rule of the iterated M-steps (VEI, VEE, EVE, VVE, VEV): relative change
        of the inner target, as mclust's ``emControl()$tol[2]``.
    max_inner : int, default=500
        Cap on those inner iterations (mclust has none; 500 is never reached on the
        suites' fits, which take 2-60).
    u : ndarray of shape (n_respondents, k), optional
        Multivariate t components: each respondent's expected precision weight
        E[u | z] = (nu + d) / (nu + Mahalanobis distance) from the E-step. Means and
        scatter are then weighted by it (McLachlan & Peel 2000, section 7.5); the
        covariance structure's step is the same. None: Gaussian components.
    warm : tuple, optional
        EVE/VVE (orientation, shapes) and MFA (loadings, uniquenesses) where the previous
        EM iteration left them (``return_state=True`` returns them), as mclust's ``me``
        carries them; None starts afresh as ``mstep`` does.
    return_state : bool, default=False
        Also return that state (None for the other models) as a fourth value.

    Returns
    -------
    weights : ndarray of shape (k,)
    means : ndarray of shape (k, n_features)
    covs : ndarray of shape (k, n_features, n_features)
    """
    out = _m_step_state(Z, w, resp, kind, reg, tol, max_inner, warm, u)
    return out if return_state else out[:3]


def _m_step_state(Z, w, resp, kind, reg, tol, max_inner, warm, u=None):
    """:func:`m_step` plus the EVE/VVE orientation and shapes (``warm`` starts them)."""
    if kind not in ALL_KINDS:
        raise ValueError(f"kind={kind!r} is not one of mclust's models {KINDS} "
                         f"or a mixture of factor analysers {FA_KINDS}")
    state = None
    nk, means, W = _scatter(Z, np.asarray(w, dtype=float), np.asarray(resp, dtype=float), u)
    k, d = means.shape
    n = nk.sum()
    eye = np.eye(d)
    if kind in FA_KINDS:
        q = min(int(kind[3:]), d - 1)
        # from principal axes: 200 FA-EM steps at most; warm (fit): 5 per EM iteration,
        # an AECM cycle (each step raises the likelihood, McLachlan & Peel 2000, 8.5)
        fits = [_factor_analyse(W[j] / nk[j], q, n_iter=200 if warm is None else 5,
                                start=None if warm is None else warm[j])
                for j in range(k)]
        covs = np.stack([c for c, _ in fits])
        state = [st for _, st in fits]
    elif kind == "EII":
        covs = np.repeat((np.trace(W.sum(axis=0)) / (n * d) * eye)[None], k, axis=0)
    elif kind == "VII":
        lam = np.trace(W, axis1=1, axis2=2) / (nk * d)
        covs = lam[:, None, None] * eye[None]
    elif kind == "EEI":
        var = np.diagonal(W.sum(axis=0)) / n
        covs = np.repeat(np.diag(var)[None], k, axis=0)
    elif kind == "VEI":
        covs = _vei(W, nk, d, tol, max_inner)[:, :, None] * eye[None]
    elif kind == "EVI":
        diagW = _floor(np.diagonal(W, axis1=1, axis2=2))
        g = _geo(diagW)
        lam = g.sum() / n
        covs = (lam * diagW / g[:, None])[:, :, None] * eye[None]
    elif kind == "VVI":
        covs = (np.diagonal(W, axis1=1, axis2=2) / nk[:, None])[:, :, None] * eye[None]
    elif kind == "EEE":
        covs = np.repeat((W.sum(axis=0) / n)[None], k, axis=0)
    elif kind == "VEE":
        covs = _vee(W, nk, d, tol, max_inner)
    elif kind in ("EVE", "VVE"):
        covs, state = _common_orientation(W, nk, d, kind == "VVE", tol, max_inner, warm)
    elif kind == "EEV":
        vals, vecs = _eig_desc(W)
        shape = vals.sum(axis=0)
        g = _geo(shape)
        covs = (g / n) * np.einsum("kij,j,klj->kil", vecs, shape / g, vecs)
    elif kind == "VEV":
        covs = _vev(W, nk, d, tol, max_inner)
    elif kind == "EVV":
        g = _geo(_eig_desc(W)[0])  # det(W_j)^(1/d)
        covs = (g.sum() / n) * W / g[:, None, None]
    else:  # VVV
        covs = W / nk[:, None, None]
    covs = 0.5 * (covs + covs.transpose(0, 2, 1)) + reg * eye
    return nk / n, means, covs, state


def fit(
    Z: np.ndarray,
    w: np.ndarray | None,
    start: np.ndarray,
    k: int,
    kind: str,
    *,
    reg: float = 0.0,
    tol: float = 1e-5,
    max_iter: int = 1000,
    warm: bool = True,
):
    """EM for model ``kind`` from a partition or memberships, stopping as mclust's ``me``.

    M-step, E-step, repeated until the relative change of the log-likelihood
    ``|l - l_prev| / (1 + |l|)`` is at most ``tol`` (mclust's ``emControl()$tol[1]``);
    the parameters returned are those of the last M-step, the log-likelihood that of
    the last E-step, as ``me`` returns them. The engine's ``fit_mixture`` runs the same
    kinds with its own stopping rule and ridge.

    Parameters
    ----------
    Z : ndarray of shape (n_respondents, n_features)
    w : ndarray of shape (n_respondents,) or None
        Survey weights (None: everyone 1).
    start : ndarray of shape (n_respondents,) or (n_respondents, k)
        Starting partition (0..k-1) or membership probabilities.
    k : int
    kind : str
        One of :data:`KINDS`.
    reg, tol, max_iter
        Ridge (0 as mclust), relative tolerance, iteration cap.
    warm : bool, default=True
        EVE/VVE: start each M-step's orientation and shapes where the previous one left
        them, as mclust's ``me`` does; False starts them afresh every time, as
        ``me.weighted`` (which calls ``mstep``) and the engine's ``fit_mixture`` do.
        MFA1/MFA2: the same for the loadings and uniquenesses (an AECM-like EM; the
        inner factor analysis of each type is run to convergence in either case).

    Returns
    -------
    Mixture
        The engine's fitted-mixture tuple (``kind`` is the mclust name).
    """
    from ._models import Mixture, mixture_log_resp  # the engine's tuple and E-step

    if kind not in ALL_KINDS:
        raise ValueError(f"kind={kind!r} is not one of mclust's models {KINDS} "
                         f"or a mixture of factor analysers {FA_KINDS}")
    w = np.ones(Z.shape[0]) if w is None else np.asarray(w, dtype=float)
    w = w / w.mean()
    if np.ndim(start) == 2:
        resp = np.asarray(start, dtype=float)
    else:
        resp = np.zeros((Z.shape[0], k))
        resp[np.arange(Z.shape[0]), np.asarray(start, dtype=int)] = 1.0
    prev = np.nan
    model = state = None
    for it in range(1, max_iter + 1):
        weights, means, covs, state = _m_step_state(Z, w, resp, kind, reg, _INNER_TOL, 500,
                                                    state if warm else None)
        model = Mixture(weights, means, covs, kind, np.nan, it)
        log_resp, lse = mixture_log_resp(Z, model)
        ll = float(w @ lse)
        model = model._replace(loglik=ll)
        if abs(ll - prev) / (1 + abs(ll)) <= tol:
            break
        resp = np.exp(log_resp)
        prev = ll
    return model


def bic(model, n: float) -> float:
    """mclust's BIC, ``2 loglik - n_params log(n)`` (larger is better)."""
    k, d = model.means.shape
    return 2.0 * model.loglik - n_params(k, d, model.kind) * np.log(n)


def hc_svd_labels(Z: np.ndarray, ks, *, seed: int = 0) -> dict[int, np.ndarray]:
    """Starting partitions for each k as mclust's: ``hc(modelName = "VVV", use = "SVD")``.

    mclust (>= 5.4) starts EM from model-based agglomerative clustering with the VVV
    criterion on the centred, scaled data rotated to its principal axes and divided by
    the square roots of the singular values (``hcUse = "SVD"``). Both are ported in
    :mod:`behaviortypes.segments.hc` (:func:`~behaviortypes.segments.hc.hc_partitions`),
    merge for merge: on the five reference data sets the partitions equal R's
    ``hclass(hc(X, use = "SVD"), 1:9)`` label for label. Above 2000 respondents a seeded
    random subset is agglomerated, as mclust does (``seed``; R's draws are not
    reproduced). Until session 6 this was Ward's tree on the same transform; the
    difference is measured in ``docs/choosing_k.md`` ("Session 6: mclust's hc ported").

    Returns
    -------
    dict
        ``{k: labels}``, 0-based.
    """
    from .hc import hc_partitions

    return hc_partitions(Z, ks, model="VVV", use="SVD", seed=seed)


def is_singular(model, Z: np.ndarray, w: np.ndarray | None = None) -> bool:
    """Whether some type's variance in some direction is below
    :data:`SINGULAR_RELATIVE_VARIANCE` of the sample's (generalised eigenvalues of each
    covariance against the weighted sample covariance)."""
    d = Z.shape[1]
    T = np.cov(Z, rowvar=False, aweights=w).reshape(d, d)
    L = np.linalg.inv(np.linalg.cholesky(T))
    rel = L[None] @ model.covs @ L.T[None]
    return bool(np.linalg.eigvalsh(rel).min() < SINGULAR_RELATIVE_VARIANCE)


def bic_table(
    Z: np.ndarray,
    w: np.ndarray | None = None,
    ks=range(1, 10),
    kinds=KINDS,
    *,
    starts: dict | None = None,
    reg: float = 0.0,
) -> dict[tuple[str, int], tuple[float, float]]:
    """BIC and log-likelihood of every model and k, each fitted once from the start for k.

    As mclust's ``mclustBIC``: one EM per (kind, k) from the hierarchical partition for
    k (``starts``, default :func:`hc_svd_labels`, mclust's own VVV/SVD starts). Returns ``{(kind, k): (bic, loglik)}``;
    a fit that fails or ends with a singular type (:func:`is_singular`) is left out, as
    mclust reports NA for it.
    """
    ks = list(ks)
    if starts is None:
        starts = hc_svd_labels(Z, ks)
    n = Z.shape[0]
    out = {}
    for g in ks:
        for kind in kinds:
            lab = np.asarray(starts[g])
            kk = int(lab.max()) + 1 if lab.ndim == 1 else lab.shape[1]
            try:
                m = fit(Z, w, lab, kk, kind, reg=reg)
            except np.linalg.LinAlgError:
                continue
            if np.isfinite(m.loglik) and not is_singular(m, Z, w):
                out[(kind, g)] = (bic(m, n), m.loglik)
    return out
