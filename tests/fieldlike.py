"""Field-like studies: the kinds of survey that real segmentation projects meet.

A third generator, independent of ``behaviortypes.synth`` and of ``tests/planted.py``
(its own latent model, item thresholds, response styles and sampling), so that the
types engine is checked on studies it was not tuned on. Each study is drawn from a
*customer base* with type shares, and respondents are *sampled* from it with a response
propensity per type (engaged customers answer more often), so a type's share of the
sample can be half its share of the base. Items are five-point Likert statements cut
from a continuous response at per-statement thresholds; respondents may have a
response style:

* **acquiescent** respondents agree more with every statement, whatever its keying
  (a shift on the raw scale, so reverse-keyed statements move the other way once keyed);
* **extreme** responders stretch their answers towards the end points.

Kinds (:data:`KINDS`):

``undersampled``
    5 types in 5 dimensions x 4 statements, 2,500 respondents; one type is 7.5 % of the
    base but about 3.7 % of the sample (low response propensity).
``extreme``
    4 types in 7 dimensions x 3 statements, 2,000 respondents; one type is 9 % of the
    base but about 3.8 % of the sample; 20 % extreme responders.
``shapes``
    5 types, each with its own within-type correlation matrix and spreads per dimension.
``tails``
    4 types with heavy-tailed (t, 4 df) within-type scatter and 25 % acquiescent
    respondents, about half the statements reverse-keyed.
``few_items``
    4 types in 6 dimensions measured by 2-3 statements each (coarse factor scores).
``null``
    one homogeneous group (no types), with the same response styles.

Outside the suite (:data:`EXTRA_KINDS`, session 12):

``null_skewed``
    one homogeneous group whose traits lean towards one end: 2-3 of 5 latent dimensions
    skewed (most people high, a long tail low, as agreement with a popular statement;
    the factor scores' skewness about -0.5 to -0.9), the same response styles. User trial 6 (the Humor Styles
    Questionnaire) showed mixtures cutting such a population into 2-3 "types".

The pipeline's discovery stage is emulated with the package's own code: an EFA
(:class:`behaviortypes.factors.FactorModel`, parallel analysis chooses the number of
factors) gives factor scores, which :class:`behaviortypes.segments.TypeFinder` clusters.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["FieldStudy", "KINDS", "make_fieldlike", "field_suite", "pipeline_scores",
           "supervised_ari_best"]

KINDS = ("undersampled", "extreme", "shapes", "tails", "few_items", "null")
#: kinds that :func:`make_fieldlike` makes but :func:`field_suite` does not include
EXTRA_KINDS = ("null_skewed",)


@dataclass(frozen=True)
class FieldStudy:
    """One field-like study.

    Attributes
    ----------
    name : str
    kind : str
        One of :data:`KINDS`.
    items : DataFrame
        Keyed five-point answers (reverse-keyed statements turned back), respondents x items.
    raw : DataFrame
        Answers as given.
    reverse : list of str
        Reverse-keyed statement ids.
    truth : Series of int
        True type 1..k, 0 for a random responder.
    style : Series of str
        ``"none"``, ``"acquiescent"`` or ``"extreme"`` per respondent.
    base_shares : ndarray
        Each type's share of the customer base.
    n_dims : int
    themes : dict
        Statement id -> its dimension (``"d1"``...), as an instrument's ``theme``.
    settings : dict
    """

    name: str
    kind: str
    items: pd.DataFrame
    raw: pd.DataFrame
    reverse: list
    truth: pd.Series
    style: pd.Series
    base_shares: np.ndarray
    n_dims: int
    themes: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)

    @property
    def k(self) -> int:
        """Number of true types (1 for the null study)."""
        return int(self.truth[self.truth > 0].nunique())

    @property
    def good(self) -> pd.Series:
        """Respondents who are not random responders."""
        return self.truth > 0

    @property
    def sample_shares(self) -> np.ndarray:
        """Each type's share of the (good) respondents."""
        t = self.truth[self.truth > 0]
        return np.bincount(t, minlength=self.k + 1)[1:] / len(t)


def _centres(rng, k, m, sd, min_sep, tries=3000):
    """Type centres: each type stands out on 2-4 dimensions; pairs at least ``min_sep``
    pooled within-type SDs apart (the best draw if none reaches it)."""
    best, best_sep = None, -1.0
    for _ in range(tries):
        mu = np.zeros((k, m))
        for j in range(k):
            dims = rng.choice(m, size=int(rng.integers(2, min(4, m) + 1)), replace=False)
            mu[j, dims] = rng.choice([-1, 1], dims.size) * rng.uniform(0.8, 1.7, dims.size)
        sep = min(np.linalg.norm(mu[a] - mu[b]) / np.sqrt((sd[a] ** 2 + sd[b] ** 2) / 2)
                  for a in range(k) for b in range(a + 1, k)) if k > 1 else np.inf
        if sep >= min_sep:
            return mu
        if sep > best_sep:
            best, best_sep = mu, sep
    return best


def _random_corr(rng, m, strength):
    a = rng.normal(size=(m, m)) * strength
    c = a @ a.T + np.eye(m)
    s = 1 / np.sqrt(np.diag(c))
    return c * s[:, None] * s[None, :]


def make_fieldlike(kind: str, *, seed: int = 0, n: int | None = None, points: int = 5) -> FieldStudy:
    """Generate one field-like study of ``kind`` (see the module docstring).

    Parameters
    ----------
    kind : str
        One of :data:`KINDS`.
    seed : int
        Seed; the same seed and kind give the same study.
    n : int, optional
        Respondents (default by kind: 2,500 / 2,000 / 1,800 / 1,600 / 1,500 / 1,500).
    points : int, default=5
        Answer points (5: the studies of every session; 7 or 4: the same latent study cut
        into that many points, thresholds evenly spread over the same range).
    """
    if kind not in KINDS + EXTRA_KINDS:
        raise ValueError(f"kind must be one of {KINDS + EXTRA_KINDS}")
    rng = np.random.default_rng([(KINDS + EXTRA_KINDS).index(kind), seed])
    cfg = dict(
        undersampled=dict(k=5, m=5, per=(4, 4), n=2500, small=(0.075, 0.037), acq=0.05,
                          ext=0.05, tails=None, shapes=False, sep=3.4),
        extreme=dict(k=4, m=7, per=(3, 3), n=2000, small=(0.09, 0.038), acq=0.05,
                     ext=0.20, tails=None, shapes=False, sep=3.4),
        shapes=dict(k=5, m=6, per=(3, 6), n=1800, small=None, acq=0.05, ext=0.05,
                    tails=None, shapes=True, sep=3.4),
        tails=dict(k=4, m=5, per=(3, 6), n=1600, small=None, acq=0.25, ext=0.0,
                   tails=4.0, shapes=False, sep=3.6),
        few_items=dict(k=4, m=6, per=(2, 3), n=1500, small=None, acq=0.05, ext=0.05,
                       tails=None, shapes=False, sep=3.6),
        null=dict(k=1, m=5, per=(3, 6), n=1500, small=None, acq=0.10, ext=0.10,
                  tails=None, shapes=False, sep=0.0),
        null_skewed=dict(k=1, m=5, per=(3, 6), n=1500, small=None, acq=0.10, ext=0.10,
                         tails=None, shapes=False, sep=0.0, skew=True),
    )[kind]
    k, m = cfg["k"], cfg["m"]
    n = int(n or cfg["n"])
    # customer base shares and response propensities
    if k == 1:
        base = np.array([1.0])
        prop = np.array([1.0])
    else:
        while True:
            base = rng.dirichlet(np.full(k, 2.0))
            if base.min() >= 0.08 and base.max() <= 0.45:
                break
        prop = rng.uniform(0.8, 1.6, size=k)
        if cfg["small"] is not None:
            b_small, s_small = cfg["small"]
            base = np.concatenate([base[:-1] / base[:-1].sum() * (1 - b_small), [b_small]])
            others = base[:-1] * prop[:-1]
            # propensity of the small type so its expected sample share is s_small
            prop[-1] = s_small * others.sum() / ((1 - s_small) * b_small)
    sample_p = base * prop / np.sum(base * prop)
    n_random = int(round(0.02 * n))
    n_good = n - n_random
    truth = rng.choice(k, size=n_good, p=sample_p) + 1
    sd = rng.uniform(0.5, 0.85, size=k)
    mu = _centres(rng, k, m, sd, cfg["sep"]) if k > 1 else np.zeros((1, m))
    shared = _random_corr(rng, m, 0.35)
    z = rng.standard_normal((n_good, m))
    if cfg["tails"]:
        nu = cfg["tails"]
        z = z / np.sqrt(rng.chisquare(nu, size=(n_good, 1)) / (nu - 2))
    f = np.empty((n_good, m))
    for j in range(k):
        sel = truth == j + 1
        if cfg["shapes"]:
            c = _random_corr(rng, m, 0.9)
            s = sd[j] * rng.uniform(0.6, 1.4, size=m)
        else:
            c, s = shared, np.full(m, sd[j])
        f[sel] = mu[j] + (z[sel] @ np.linalg.cholesky(c).T) * s
    if cfg.get("skew"):  # lean towards the top: -exp(-a f), standardised (skewness < 0)
        for j in rng.choice(m, size=int(rng.integers(2, 4)), replace=False):
            g = -np.exp(-rng.uniform(0.6, 1.0) * f[:, j] / f[:, j].std())
            f[:, j] = (g - g.mean()) / g.std() * f[:, j].std()
    # statements
    n_per = rng.integers(cfg["per"][0], cfg["per"][1] + 1, size=m)
    dim_of = np.repeat(np.arange(m), n_per)
    p = dim_of.size
    load = rng.uniform(0.6, 0.9, size=p)
    cross = np.zeros((p, m))
    for i in np.flatnonzero(rng.random(p) < 0.15):
        cross[i, rng.choice([d for d in range(m) if d != dim_of[i]])] = rng.uniform(0.15, 0.3)
    L = cross
    L[np.arange(p), dim_of] = load
    resp = f @ L.T + rng.standard_normal((n_good, p)) * np.sqrt(1 - load**2)
    resp = (resp - resp.mean(0)) / resp.std(0)
    reverse = rng.random(p) < (0.5 if kind == "tails" else 0.3)
    raw_cont = np.where(reverse, -resp, resp)  # the continuous answer as given
    style = np.full(n_good, "none", dtype=object)
    u = rng.random(n_good)
    acq = u < cfg["acq"]
    ext = (u >= cfg["acq"]) & (u < cfg["acq"] + cfg["ext"])
    style[acq], style[ext] = "acquiescent", "extreme"
    raw_cont[acq] += rng.uniform(0.3, 0.7, size=(acq.sum(), 1))
    raw_cont[ext] *= rng.uniform(1.4, 2.0, size=(ext.sum(), 1))
    # per-statement thresholds on the continuous answer (skewed scales)
    shift = rng.uniform(-0.5, 0.5, size=p)
    width = rng.uniform(0.8, 1.2, size=p)
    step = 4.0 / (points - 1)  # 1 on five points: the cuts -1.5, -0.5, 0.5, 1.5 of every session
    cuts = (np.arange(points - 1) - (points - 2) / 2) * step
    jitter = rng.uniform(-0.15, 0.15, size=(p, points - 1)) * step
    gaps = (cuts[None] + jitter) * width[:, None] + shift[:, None]
    raw = 1 + np.sum(raw_cont[:, :, None] > gaps[None], axis=2)
    if n_random:
        raw = np.vstack([raw, rng.integers(1, points + 1, size=(n_random, p))])
        truth = np.concatenate([truth, np.zeros(n_random, int)])
        style = np.concatenate([style, np.full(n_random, "random", dtype=object)])
    order = rng.permutation(n)
    raw, truth, style = raw[order].astype(float), truth[order], style[order]
    ids = [f"s{i + 1:02d}" for i in range(p)]
    index = pd.Index([f"f{i + 1:05d}" for i in range(n)], name="respondent_id")
    raw_df = pd.DataFrame(raw, index=index, columns=ids)
    rev_ids = [c for c, r in zip(ids, reverse) if r]
    items = raw_df.copy()
    items[rev_ids] = points + 1 - items[rev_ids]
    return FieldStudy(
        name=f"{kind}_k{k}_m{m}_n{n}_s{seed}" + ("" if points == 5 else f"_p{points}"), kind=kind, items=items, raw=raw_df,
        reverse=rev_ids, truth=pd.Series(truth, index=index, name="truth"),
        style=pd.Series(style, index=index, name="style"), base_shares=base, n_dims=m,
        themes={c: f"d{int(j) + 1}" for c, j in zip(ids, dim_of)},
        settings=dict(cfg, seed=seed, n=n, propensity=prop.tolist(), points=points),
    )


def field_suite(n_per_kind: int = 3, *, seed: int = 0) -> list[tuple[str, int]]:
    """(kind, seed) of every study in the field-like suite; one null study in all."""
    out = [(kind, seed + i) for kind in KINDS if kind != "null" for i in range(n_per_kind)]
    return out + [("null", seed)]


def instrument(study: FieldStudy):
    """The study's :class:`behaviortypes.instrument.Instrument` (its scale's points, each
    statement's dimension as its theme, the reverse-keyed statements marked)."""
    from behaviortypes.instrument import Instrument, Item, Scale

    rev = set(study.reverse)
    return Instrument(
        id_column="respondent_id", scale=Scale(min=1, max=int(study.settings.get("points", 5))),
        items=[Item(id=c, text=c, reverse=c in rev, theme=study.themes.get(c))
               for c in study.raw.columns])


def pipeline_scores(study: FieldStudy, *, seed: int = 0, styles: bool = True,
                    rounding: bool = False):
    """Factor scores as ``pipeline.discover`` computes them: the response-style decision
    on the raw answers (:func:`behaviortypes.quality.decide_style_correction`; when it
    says so, the answers corrected for acquiescence as the pipeline's factors stage
    does), then ``FactorModel`` (parallel analysis chooses the number of factors) and EFA
    scores. ``styles=False`` factors the keyed answers as given (sessions 1-3).
    ``rounding=True`` returns ``(scores, weights per answer point)``, the second as the
    pipeline passes it to ``TypeFinder.fit(score_rounding=...)``."""
    from behaviortypes.factors import FactorModel
    from behaviortypes.quality import decide_style_correction
    from behaviortypes.stages import style_corrected_keyed

    inst = instrument(study)
    keyed = study.items
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if styles and study.themes:
            decision = decide_style_correction(study.raw, inst)
            if decision.use:
                keyed = style_corrected_keyed(study.raw, inst, decision)
        fm = FactorModel(random_state=seed).fit(keyed, item_themes=inst.item_themes)
        X = fm.transform(keyed)
    # as the pipeline's types stage: TypeFinder.fit(X, score_rounding=...)
    return (X, fm.score_weights_per_point()) if rounding else X


def supervised_ari_best(X: pd.DataFrame, truth: pd.Series, *, seed: int = 0) -> float:
    """The better ARI (over good respondents) of a 5-fold cross-validated LDA and QDA
    trained on the true types: the ceiling an unsupervised method should approach."""
    from sklearn.discriminant_analysis import (
        LinearDiscriminantAnalysis,
        QuadraticDiscriminantAnalysis,
    )
    from sklearn.metrics import adjusted_rand_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    good = truth > 0
    cv = StratifiedKFold(5, shuffle=True, random_state=seed)
    best = -1.0
    for model in (LinearDiscriminantAnalysis(), QuadraticDiscriminantAnalysis(reg_param=0.01)):
        pred = cross_val_predict(model, X[good], truth[good], cv=cv)
        best = max(best, float(adjusted_rand_score(truth[good], pred)))
    return best
