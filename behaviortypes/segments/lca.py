"""Latent class models on the Likert statements themselves.

A latent class model explains the answers to a set of statements by a few classes of
respondents: within a class the statements are answered independently ("local
independence"), each with its own distribution of answers per class. Two indicator
models are offered:

``"multinomial"``
    Every statement has a free distribution over its categories in every class (the
    model of R's poLCA; Linzer & Lewis 2011). ``(k - 1) + J * k * (C - 1)`` parameters.
``"ordinal"``
    The adjacent-category logit model for ordered categories that Latent GOLD uses by
    default for ordinal indicators (Vermunt & Magidson 2005, 2016: "ordinal" indicators
    with uniform category scores)::

        log P(x_j = c | class t) / P(x_j = c - 1 | class t) = tau_jc + beta_jt

    with item thresholds ``tau_jc`` shared by the classes and one location ``beta_jt``
    per class and statement (effect coded: ``sum_t beta_jt = 0``); equivalently
    ``log P(x_j = c | t) = a_jc + beta_jt * (c - 1) + const``, the row-effect
    association model of Goodman (1979) / Agresti (2010, ch. 6). ``(k - 1) + J * (C - 1)
    + J * (k - 1)`` parameters. With one class, or two categories, it is the
    multinomial model.

Both are fitted by EM from several random starts (the best likelihood is kept);
missing answers (NaN) are left out of the likelihood (missing at random, as poLCA with
``na.rm = FALSE``); survey weights enter the likelihood as frequency weights rescaled
to a mean of 1, so BIC uses the number of respondents. :func:`choose_n_classes` fits
k = 1..k_max and picks k by BIC (the table is kept).

References
----------
Goodman, L. A. (1979). Simple models for the analysis of association in
cross-classifications having ordered categories. JASA 74, 537-552.

Linzer, D. A. & Lewis, J. B. (2011). poLCA: an R package for polytomous variable latent
class analysis. Journal of Statistical Software 42(10).

Vermunt, J. K. & Magidson, J. (2016). Technical guide for Latent GOLD 5.1: basic,
advanced and syntax. Statistical Innovations, Belmont MA (section 2.3, ordinal
indicators).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import logsumexp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ..errors import InputError, SurveyQualityWarning
from ..threads import one_thread

__all__ = ["LatentClassModel", "ClassChoice", "choose_n_classes", "INDICATORS"]

#: the indicator models on offer
INDICATORS = ("ordinal", "multinomial")
_TINY = np.finfo(float).tiny
_RIDGE = 1e-6  # keeps ordinal thresholds finite when a category is never used
_NEWTON_STEPS = 2  # Newton steps per M-step of the ordinal model (a generalised EM)


# ---------------------------------------------------------------------------- input


def _answers(X, n_categories=None, columns=None):
    """Check answers; return (codes 0..C-1 with -1 for missing, C, item names)."""
    if isinstance(X, pd.DataFrame):
        frame = X
    else:
        arr = np.asarray(X, dtype=object)
        if arr.ndim != 2:
            raise InputError(
                f"answers must be a table of respondents x statements, got {arr.ndim} dimension(s)",
                hint="pass a DataFrame with one column per statement")
        frame = pd.DataFrame(arr, columns=[f"item{j + 1}" for j in range(arr.shape[1])])
    if columns is not None:
        missing = [c for c in columns if c not in frame.columns] if isinstance(X, pd.DataFrame) \
            else ([] if frame.shape[1] == len(columns) else list(columns))
        if missing:
            raise InputError(
                f"the answers lack {len(missing)} statement(s) the model was fitted on",
                column=str(missing[0]), hint="pass the same statements as when fitting")
        frame = frame[list(columns)] if isinstance(X, pd.DataFrame) else frame.set_axis(
            list(columns), axis=1)
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise InputError(f"answers have {frame.shape[0]} respondents and {frame.shape[1]} "
                         "statements; at least one of each is needed")
    values = np.empty(frame.shape, dtype=float)
    for j, col in enumerate(frame.columns):
        raw = frame[col]
        num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = np.isnan(num) & raw.notna().to_numpy()
        if not bad.any():
            bad = ~np.isnan(num) & ((num != np.round(num)) | ~np.isfinite(num))
        if bad.any():
            rows = np.flatnonzero(bad)
            value = raw.iloc[rows[0]]
            raise InputError(
                "answers must be whole numbers (categories 1, 2, ...) or missing",
                column=str(col), rows=rows + 1,
                value=value.item() if isinstance(value, np.generic) else value,
                hint="code every answer as its category number 1..C (empty for no answer)")
        values[:, j] = num
    observed = ~np.isnan(values)
    top = int(np.nanmax(values)) if observed.any() else 0
    C = int(n_categories) if n_categories is not None else top
    if C < 2:
        raise InputError(f"answers need at least 2 categories, found {C}",
                         hint="pass n_categories= for the scale's number of categories")
    out = observed & ((values < 1) | (values > C))
    if out.any():
        i, j = np.argwhere(out)[0]
        rows = np.flatnonzero(out[:, j]) + 1
        raise InputError(
            f"answer outside the scale 1..{C}", column=str(frame.columns[j]), rows=rows,
            value=int(values[i, j]),
            hint=f"code answers as 1..{C} (or pass n_categories= for a longer scale)")
    codes = np.where(observed, np.nan_to_num(values) - 1, -1).astype(int)
    return codes, C, [str(c) for c in frame.columns]


def _weights(sample_weight, n):
    if sample_weight is None:
        return np.ones(n)
    w = np.asarray(sample_weight, dtype=float).ravel()
    if w.size != n:
        raise InputError(f"sample_weight has {w.size} values for {n} respondents",
                         hint="pass one weight per respondent")
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        raise InputError("survey weights must be finite and not negative", column="weight",
                         rows=np.flatnonzero(bad) + 1, value=w[bad][0].item())
    if w.sum() <= 0:
        raise InputError("survey weights are all zero", column="weight")
    return w * (n / w.sum())


def _one_hot(codes, C):
    n, J = codes.shape
    oh = np.zeros((n, J, C))
    i, j = np.nonzero(codes >= 0)
    oh[i, j, codes[i, j]] = 1.0
    return oh.reshape(n, J * C)


# ---------------------------------------------------------------------- the model


def _exp(x):
    """exp, with results under 1e-300 set to 0 (subnormal numbers slow every later
    product by orders of magnitude)."""
    return np.exp(np.maximum(x, -690.0)) * (x > -690.0)


def _class_loglik(oh, logp):
    """log f(x_i | class t) of shape (n, k); logp has shape (J, k, C)."""
    J, k, C = logp.shape
    return oh @ logp.transpose(0, 2, 1).reshape(J * C, k)


def _counts(oh, resp_w, J, C):
    """Weighted answer counts per item, class and category: shape (J, k, C)."""
    return (resp_w.T @ oh).reshape(-1, J, C).transpose(1, 0, 2)


def _design(k, C):
    """Design of the ordinal model, shape (k, C, P): a_2..a_C, then b_2..b_k * s_c."""
    P = C - 1 + k - 1
    phi = np.zeros((k, C, P))
    for c in range(1, C):
        phi[:, c, c - 1] = 1.0
    s = np.arange(C, dtype=float)
    for t in range(1, k):
        phi[t, :, C - 1 + t - 1] = s
    return phi


def _ordinal_logp(theta, phi):
    eta = np.einsum("kcp,jp->jkc", phi, theta)
    return eta - logsumexp(eta, axis=2, keepdims=True)


def _ordinal_objective(theta, phi, N):
    return np.sum(N * _ordinal_logp(theta, phi), axis=(1, 2)) - 0.5 * _RIDGE * np.sum(
        theta**2, axis=1)


def _ordinal_mstep(theta, phi, N, steps):
    """A few Newton steps (with step halving, per statement) on the concave expected
    complete-data log-likelihood of the adjacent-category model."""
    P = phi.shape[2]
    Nk = N.sum(axis=2)
    f = _ordinal_objective(theta, phi, N)
    for _ in range(steps):
        p = _exp(_ordinal_logp(theta, phi))
        g = np.einsum("jkc,kcp->jp", N - Nk[:, :, None] * p, phi) - _RIDGE * theta
        m = np.einsum("jkc,kcp->jkp", p, phi)
        S = np.einsum("jkc,kcp,kcq->jkpq", p, phi, phi)
        info = np.einsum("jk,jkpq->jpq", Nk, S - m[..., :, None] * m[..., None, :])
        info += _RIDGE * np.eye(P)
        step = np.linalg.solve(info, g[..., None])[..., 0]
        t = np.ones(len(theta))
        for _ in range(30):
            new = theta + t[:, None] * step
            f_new = _ordinal_objective(new, phi, N)
            worse = f_new < f - 1e-12 * np.abs(f)
            if not worse.any():
                break
            t = np.where(worse, t / 2, t)
        keep = f_new >= f - 1e-12 * np.abs(f)
        theta = np.where(keep[:, None], new, theta)
        f = np.where(keep, f_new, f)
    return theta


def _multinomial_logp(N):
    tot = N.sum(axis=2, keepdims=True)
    C = N.shape[2]
    p = np.where(tot > 0, N / np.where(tot > 0, tot, 1), 1.0 / C)
    return np.log(np.maximum(p, _TINY))


def _estep(oh, logp, log_pi, w):
    joint = _class_loglik(oh, logp) + log_pi
    ll_i = logsumexp(joint, axis=1)
    return _exp(joint - ll_i[:, None]), float(w @ ll_i)


def _start(rng, oh, codes, k, C, start):
    """Initial item probabilities: even starts seed each class on a random respondent's
    answers (blended with the statement's answer shares), odd starts draw them at
    random as poLCA does."""
    n, J = codes.shape
    if start % 2 == 0:
        marg = oh.reshape(n, J, C).sum(axis=0) + 1.0
        marg /= marg.sum(axis=1, keepdims=True)
        rows = rng.choice(n, size=k, replace=n < k)
        lam = rng.uniform(0.3, 0.7)
        p = (1 - lam) * marg[:, None, :] + lam * oh.reshape(n, J, C)[rows].transpose(1, 0, 2)
        p += (oh.reshape(n, J, C)[rows].sum(axis=2) == 0).T[..., None] * lam / C  # missing
    else:
        p = rng.uniform(size=(J, k, C))
    return np.log(p / p.sum(axis=2, keepdims=True))


def _fit_em(oh, codes, w, k, C, indicator, rng, start, max_iter, tol):
    J = codes.shape[1]
    W = w.sum()
    log_pi = np.full(k, -np.log(k))
    resp, _ = _estep(oh, _start(rng, oh, codes, k, C, start), log_pi, w)
    phi = _design(k, C) if indicator == "ordinal" else None
    theta = np.zeros((J, phi.shape[2])) if phi is not None else None
    ll_old, converged, it = -np.inf, False, 0
    for it in range(1, max_iter + 1):
        rw = resp * w[:, None]
        pi = rw.sum(axis=0) / W
        log_pi = np.log(np.maximum(pi, _TINY))
        N = _counts(oh, rw, J, C)
        if phi is None:
            logp = _multinomial_logp(N)
        else:
            theta = _ordinal_mstep(theta, phi, N, 10 if it == 1 else _NEWTON_STEPS)
            logp = _ordinal_logp(theta, phi)
        resp, ll = _estep(oh, logp, log_pi, w)
        if ll - ll_old < tol * W:
            converged = True
            break
        ll_old = ll
    return dict(ll=ll, pi=pi, logp=logp, theta=theta, resp=resp, n_iter=it,
                converged=converged)


class LatentClassModel(BaseEstimator):
    """Latent class model of Likert answers (statements as ordinal or nominal indicators).

    Parameters
    ----------
    n_classes : int, default=2
        Number of latent classes k.
    indicator : {"ordinal", "multinomial"}, default="ordinal"
        ``"ordinal"``: the adjacent-category logit with item thresholds shared by the
        classes and one location per class and statement (Latent GOLD's default for
        ordinal indicators); ``"multinomial"``: a free answer distribution per class and
        statement (poLCA's model). See the module docstring.
    n_categories : int, optional
        Number of answer categories C (answers are 1..C). Default: the largest answer.
    n_init : int, default=10
        Random starts of EM; the best log-likelihood is kept.
    max_iter : int, default=1000
        EM iterations per start.
    tol : float, default=1e-6
        EM stops when the mean log-likelihood per respondent rises by less than this.
    random_state : int, numpy Generator or None, default=None
        Seed of the starts.

    Attributes
    ----------
    weights_ : ndarray of shape (n_classes,)
        Class shares (weighted), largest first.
    item_probabilities_ : ndarray of shape (n_items, n_classes, n_categories)
        P(answer = c | class) per statement.
    thresholds_ : DataFrame of shape (n_items, n_categories - 1) or None
        Ordinal model: ``tau_jc``, the log-odds of category c against c - 1 for an
        average class (columns ``"2"``..``"C"``); None for the multinomial model.
    locations_ : DataFrame of shape (n_items, n_classes) or None
        Ordinal model: ``beta_jt`` (sum 0 over classes); a class with a higher location
        gives higher answers to the statement. None for the multinomial model.
    loglik_ : float
        Log-likelihood of the best start (weights rescaled to a mean of 1).
    n_parameters_ : int
    bic_, aic_ : float
        ``-2 loglik + n_parameters * log(n_respondents)`` and ``-2 loglik + 2 n_parameters``.
    labels_ : ndarray of shape (n_respondents,)
        Most probable class (0-based) of each fitted respondent.
    n_iter_ : int
        EM iterations of the best start.
    converged_ : bool
    n_categories_ : int
    feature_names_in_ : ndarray of str
    n_features_in_ : int

    Notes
    -----
    EM (Dempster, Laird & Rubin 1977): the E-step computes each respondent's class
    posteriors; the M-step of the multinomial model is the weighted answer shares per
    class, that of the ordinal model two Newton steps (with step halving, so the
    likelihood never falls) on each statement's concave log-linear likelihood, warm
    started (a generalised EM). Starts alternate between classes seeded on random
    respondents and random item probabilities (poLCA's starts).

    Examples
    --------
    >>> lca = LatentClassModel(n_classes=3, random_state=0).fit(answers)  # doctest: +SKIP
    >>> lca.predict_proba(answers)  # doctest: +SKIP
    """

    def __init__(self, n_classes=2, *, indicator="ordinal", n_categories=None, n_init=10,
                 max_iter=1000, tol=1e-6, random_state=None):
        self.n_classes = n_classes
        self.indicator = indicator
        self.n_categories = n_categories
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def fit(self, X, y=None, sample_weight=None):
        """Fit the model by EM from ``n_init`` starts.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_respondents, n_items)
            Answers 1..C; NaN for a missing answer.
        y : ignored
        sample_weight : array-like of shape (n_respondents,), optional
            Survey weights (rescaled to a mean of 1).

        Returns
        -------
        self

        Raises
        ------
        InputError
            An answer that is not a whole number in 1..C (naming the column, rows and
            value), bad weights, or more classes than respondents.
        """
        if self.indicator not in INDICATORS:
            raise InputError(f"indicator must be one of {INDICATORS}", value=self.indicator)
        k = int(self.n_classes)
        codes, C, names = _answers(X, self.n_categories)
        n, J = codes.shape
        if not 1 <= k <= n:
            raise InputError(f"n_classes={k} must be between 1 and the {n} respondents",
                             value=k)
        w = _weights(sample_weight, n)
        oh = _one_hot(codes, C)
        rng = np.random.default_rng(self.random_state)
        best = None
        # small products: threaded BLAS only waits for busy cores here
        with one_thread():
            for start in range(max(1, int(self.n_init)) if k > 1 else 1):
                fit = _fit_em(oh, codes, w, k, C, self.indicator, rng, start,
                              int(self.max_iter), float(self.tol))
                if best is None or fit["ll"] > best["ll"]:
                    best = fit
        order = np.argsort(-best["pi"], kind="stable")
        self.weights_ = best["pi"][order]
        self.item_probabilities_ = np.exp(best["logp"][:, order, :])
        self._logp = best["logp"][:, order, :]
        self.loglik_ = best["ll"]
        self.n_iter_ = best["n_iter"]
        self.converged_ = best["converged"]
        self.labels_ = np.argmax(best["resp"][:, order], axis=1)
        self.n_categories_ = C
        self.feature_names_in_ = np.asarray(names, dtype=object)
        self.n_features_in_ = J
        per_item = k * (C - 1) if self.indicator == "multinomial" else (C - 1) + (k - 1)
        self.n_parameters_ = (k - 1) + J * per_item
        self.bic_ = -2 * self.loglik_ + self.n_parameters_ * np.log(n)
        self.aic_ = -2 * self.loglik_ + 2 * self.n_parameters_
        self.thresholds_ = self.locations_ = None
        if self.indicator == "ordinal":
            theta = best["theta"]
            b = np.hstack([np.zeros((J, 1)), theta[:, C - 1:]])[:, order]
            a = np.hstack([np.zeros((J, 1)), theta[:, :C - 1]])
            b_bar = b.mean(axis=1)
            self.locations_ = pd.DataFrame(b - b_bar[:, None], index=names,
                                           columns=[f"class{t + 1}" for t in range(k)])
            self.thresholds_ = pd.DataFrame(np.diff(a, axis=1) + b_bar[:, None], index=names,
                                            columns=[str(c) for c in range(2, C + 1)])
        return self

    def _joint(self, X):
        check_is_fitted(self, "weights_")
        codes, _, _ = _answers(X, self.n_categories_, list(self.feature_names_in_))
        oh = _one_hot(codes, self.n_categories_)
        return _class_loglik(oh, self._logp) + np.log(np.maximum(self.weights_, _TINY))

    def predict_proba(self, X):
        """Class posteriors of shape (n_respondents, n_classes)."""
        joint = self._joint(X)
        return np.exp(joint - logsumexp(joint, axis=1, keepdims=True))

    def predict(self, X):
        """Most probable class (0-based) of each respondent."""
        return np.argmax(self._joint(X), axis=1)

    def score_samples(self, X):
        """Log-likelihood of each respondent's answers."""
        return logsumexp(self._joint(X), axis=1)

    def score(self, X, y=None):
        """Mean log-likelihood per respondent."""
        return float(np.mean(self.score_samples(X)))

    def item_probabilities(self):
        """Tidy table of P(answer | class): columns item, class, category, probability."""
        check_is_fitted(self, "weights_")
        J, k, C = self.item_probabilities_.shape
        idx = pd.MultiIndex.from_product(
            [self.feature_names_in_, range(1, k + 1), range(1, C + 1)],
            names=["item", "class", "category"])
        return pd.DataFrame(
            {"probability": self.item_probabilities_.ravel()}, index=idx).reset_index()


@dataclass(frozen=True)
class ClassChoice:
    """The result of :func:`choose_n_classes`.

    Attributes
    ----------
    k : int
        The number of classes with the lowest BIC (or ICL).
    model : LatentClassModel
        The fitted model with ``k`` classes.
    table : DataFrame
        One row per k: loglik, n_parameters, bic, aic, icl (BIC + 2 E, E the
        classification entropy), entropy (relative entropy 1 - E / (n log k); 1 = crisp
        classes, NaN for k = 1), smallest_share, converged.
    models : dict
        k -> fitted model.
    """

    k: int
    model: LatentClassModel
    table: pd.DataFrame
    models: dict

    def summary(self) -> str:
        """The BIC table as text, the chosen k marked."""
        t = self.table.copy()
        t["chosen"] = np.where(t.k == self.k, "*", "")
        return t.to_string(index=False, float_format=lambda v: f"{v:.3f}")


def choose_n_classes(X, *, k_max=8, k_min=1, indicator="ordinal", criterion="bic",
                     sample_weight=None, n_categories=None, n_init=10, max_iter=1000, tol=1e-6,
                     random_state=None):
    """Fit latent class models with k = k_min..k_max classes and choose k by BIC (or ICL).

    Parameters
    ----------
    X : DataFrame or array-like of shape (n_respondents, n_items)
        Answers 1..C; NaN for missing.
    k_max, k_min : int, default=8, 1
    indicator : {"ordinal", "multinomial"}, default="ordinal"
    criterion : {"bic", "icl"}, default="bic"
        ``"icl"``: BIC plus twice the classification entropy (the ICL-BIC of Biernacki,
        Celeux & Govaert 2000), which also penalises classes that overlap.
    sample_weight : array-like of shape (n_respondents,), optional
    n_categories, n_init, max_iter, tol
        As :class:`LatentClassModel`.
    random_state : int, numpy Generator or None
        Seed; each k gets its own seed drawn from it.

    Returns
    -------
    ClassChoice
    """
    if criterion not in ("bic", "icl"):
        raise InputError("criterion must be 'bic' or 'icl'", value=criterion)
    if not 1 <= int(k_min) <= int(k_max):
        raise InputError(f"k_min={k_min} and k_max={k_max} must satisfy 1 <= k_min <= k_max")
    rng = np.random.default_rng(random_state)
    seeds = rng.integers(2**32, size=int(k_max) - int(k_min) + 1)
    rows, models = [], {}
    for k, seed in zip(range(int(k_min), int(k_max) + 1), seeds):
        m = LatentClassModel(k, indicator=indicator, n_categories=n_categories, n_init=n_init,
                             max_iter=max_iter, tol=tol, random_state=int(seed))
        m.fit(X, sample_weight=sample_weight)
        models[k] = m
        post = m.predict_proba(X)
        w = _weights(sample_weight, len(post))
        e = -float(w @ np.sum(post * np.log(np.maximum(post, _TINY)), axis=1))
        rows.append(dict(k=k, loglik=m.loglik_, n_parameters=m.n_parameters_, bic=m.bic_,
                         aic=m.aic_, icl=m.bic_ + 2 * e,
                         entropy=1 - e / (len(post) * np.log(k)) if k > 1 else np.nan,
                         smallest_share=float(m.weights_.min()), converged=m.converged_))
    table = pd.DataFrame(rows)
    k = int(table.k[table[criterion].idxmin()])
    if k == int(k_max) > int(k_min):
        warnings.warn(f"the {criterion.upper()} is lowest at the largest number of classes tried "
                      f"(k_max={k_max}): more classes may fit better still — raise k_max, or read "
                      f"k={k} as 'at least {k}'", SurveyQualityWarning, stacklevel=2)
    return ClassChoice(k=k, model=models[k], table=table, models=models)
