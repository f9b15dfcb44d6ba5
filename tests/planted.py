"""Planted-study suite for testing and benchmarking the types engine.

Independent of ``behaviortypes.synth``: a different generator, so that
``segments.TypeFinder`` is not tuned to the demo study. Each study plants ``k``
behaviour types in a latent space of ``m`` dimensions, measures every dimension with
3-8 five-point Likert items (noisy items, cross-loadings, reverse keying, skewed
thresholds), and mixes in a few random responders that screening missed.

The pipeline is emulated as the lead wires it: reverse-keyed items are keyed back,
an EFA (factor_analyzer, minres + oblimin, the true number of factors) gives factor
scores, and those scores are what ``TypeFinder.fit`` sees.

Use :func:`make_planted` for one study and :func:`suite` for the settings of the
full benchmark suite (varied seeds, sizes, shares, spreads and separations).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "PlantedStudy",
    "make_planted",
    "suite",
    "suite_alt",
    "supervised_ari",
    "factor_scores",
]


@dataclass(frozen=True)
class PlantedStudy:
    """One planted study.

    Attributes
    ----------
    name : str
        Short label of the settings.
    raw : DataFrame of shape (n_respondents, n_items)
        Responses 1..5 as a respondent would give them (reverse-keyed items reversed).
    items : DataFrame of shape (n_respondents, n_items)
        Keyed items (reverse-keyed items turned back with ``6 - x``).
    reverse : list of str
        Ids of reverse-keyed items.
    truth : Series of int
        Planted type 1..k, 0 for a flawed (random) respondent.
    n_factors : int
        Number of latent dimensions.
    settings : dict
        The generator settings.
    """

    name: str
    raw: pd.DataFrame
    items: pd.DataFrame
    reverse: list
    truth: pd.Series
    n_factors: int
    settings: dict = field(default_factory=dict)

    @property
    def k(self) -> int:
        """Number of planted types (1 for a null study)."""
        return int(self.truth[self.truth > 0].nunique())

    @property
    def good(self) -> pd.Series:
        """Boolean mask of respondents that are not flawed."""
        return self.truth > 0


def _type_means(rng, k, m, min_dist, spreads, max_tries=2000):
    """Draw type means that differ on a subset of dimensions, far enough apart."""
    best, best_d = None, -np.inf
    for _ in range(max_tries):
        mu = np.zeros((k, m))
        for j in range(k):
            n_dims = rng.integers(2, max(3, m // 2 + 2))
            dims = rng.choice(m, size=min(n_dims, m), replace=False)
            mu[j, dims] = rng.choice([-1.0, 1.0], size=dims.size) * rng.uniform(
                0.7, 1.6, size=dims.size
            )
        # distance in units of the pair's pooled within-type spread
        d = np.inf
        for a in range(k):
            for b in range(a + 1, k):
                pooled = np.sqrt((spreads[a] ** 2 + spreads[b] ** 2) / 2)
                d = min(d, np.linalg.norm(mu[a] - mu[b]) / pooled)
        if d >= min_dist:
            return mu
        if d > best_d:
            best, best_d = mu, d
    return best


def make_planted(
    *,
    n: int = 1500,
    k: int = 4,
    m: int = 5,
    items_per_dim: tuple[int, int] = (3, 8),
    shares: list[float] | None = None,
    min_share: float = 0.05,
    max_share: float = 0.45,
    spread: tuple[float, float] = (0.5, 0.9),
    min_dist: float = 3.0,
    flawed: float = 0.025,
    cross_loading: float = 0.3,
    noisy_items: float = 0.1,
    reverse: float = 0.3,
    factor_corr: float = 0.2,
    type_shapes: str = "shared",
    latent: str = "normal",
    seed: int = 0,
    name: str | None = None,
) -> PlantedStudy:
    """Generate one planted study.

    Parameters
    ----------
    n : int, default=1500
        Respondents (including flawed ones).
    k : int, default=4
        Planted types; ``k=1`` makes a null study (one Gaussian blob).
    m : int, default=5
        Latent dimensions.
    items_per_dim : (int, int), default=(3, 8)
        Range of the number of items measuring each dimension.
    shares : list of float, optional
        Type shares; drawn in ``[min_share, max_share]`` when not given.
    spread : (float, float), default=(0.5, 0.9)
        Range of the within-type standard deviation (one value per type).
    min_dist : float, default=3.0
        Minimum distance between two type means in units of their pooled spread.
    flawed : float, default=0.025
        Share of random responders.
    cross_loading : float, default=0.3
        Probability that an item also loads (0.2-0.35) on a second dimension.
    noisy_items : float, default=0.1
        Share of weak items (loading 0.2-0.35).
    reverse : float, default=0.3
        Share of reverse-keyed items.
    factor_corr : float, default=0.2
        Within-type correlation between latent dimensions.
    type_shapes : {"shared", "varied"}, default="shared"
        ``"varied"`` gives every type its own random within-type correlation matrix
        and per-dimension spreads (a different covariance shape per type).
    latent : {"normal", "t"}, default="normal"
        Within-type distribution; ``"t"`` is Student t with 5 degrees of freedom
        (heavier tails than the mixture model assumes).
    seed : int, default=0
        Random seed; the same seed gives the same study.

    Returns
    -------
    PlantedStudy
    """
    rng = np.random.default_rng(seed)
    settings = dict(
        n=n, k=k, m=m, shares=shares, min_share=min_share, max_share=max_share,
        spread=spread, min_dist=min_dist, flawed=flawed, cross_loading=cross_loading,
        noisy_items=noisy_items, reverse=reverse, type_shapes=type_shapes, latent=latent,
        seed=seed,
    )
    n_flawed = int(round(flawed * n))
    n_good = n - n_flawed
    if k == 1:
        shares_arr = np.array([1.0])
    elif shares is None:
        for _ in range(10_000):
            s = rng.dirichlet(np.full(k, 1.5))
            if s.min() >= min_share and s.max() <= max_share:
                break
        else:  # pragma: no cover - settings too tight
            raise ValueError("cannot draw shares in range")
        shares_arr = s
    else:
        shares_arr = np.asarray(shares, float) / np.sum(shares)
    counts = np.floor(shares_arr * n_good).astype(int)
    counts[np.argmax(counts)] += n_good - counts.sum()
    spreads = rng.uniform(*spread, size=k) if k > 1 else np.array([1.0])
    mu = _type_means(rng, k, m, min_dist, spreads) if k > 1 else np.zeros((1, m))
    corr = np.full((m, m), factor_corr) + (1 - factor_corr) * np.eye(m)
    chol = np.linalg.cholesky(corr)
    truth = np.repeat(np.arange(1, k + 1), counts)
    z = rng.standard_normal((n_good, m))
    if latent == "t":
        z = z / np.sqrt(rng.chisquare(5, size=(n_good, 1)) / 3)  # t5, unit variance
    if type_shapes == "varied":
        f = np.empty((n_good, m))
        for j in range(k):
            sel = truth == j + 1
            a = rng.normal(size=(m, m))
            c = a @ a.T + m * np.eye(m)
            dsd = 1 / np.sqrt(np.diag(c))
            c = c * dsd[:, None] * dsd[None, :]
            sd = spreads[j] * rng.uniform(0.7, 1.3, size=m)
            f[sel] = mu[j] + (z[sel] @ np.linalg.cholesky(c).T) * sd
    else:
        f = mu[truth - 1] + spreads[truth - 1, None] * (z @ chol.T)

    # measurement model
    n_items_dim = rng.integers(items_per_dim[0], items_per_dim[1] + 1, size=m)
    dim_of = np.repeat(np.arange(m), n_items_dim)
    p = dim_of.size
    lam = np.zeros((p, m))
    lam[np.arange(p), dim_of] = rng.uniform(0.55, 0.85, size=p)
    weak = rng.random(p) < noisy_items
    lam[weak, dim_of[weak]] = rng.uniform(0.2, 0.35, size=weak.sum())
    for i in np.flatnonzero(rng.random(p) < cross_loading):
        other = rng.choice([d for d in range(m) if d != dim_of[i]])
        lam[i, other] = rng.uniform(0.2, 0.35) * rng.choice([-1, 1])
    psi = rng.uniform(0.45, 0.75, size=p)
    y = f @ lam.T + rng.standard_normal((n_good, p)) * psi
    y = (y - y.mean(0)) / y.std(0)
    offset = rng.uniform(-0.6, 0.6, size=p)
    scale = rng.uniform(0.9, 1.3, size=p)
    keyed = np.clip(np.rint(3 + offset + scale * y), 1, 5)
    if n_flawed:
        keyed = np.vstack([keyed, rng.integers(1, 6, size=(n_flawed, p)).astype(float)])
        truth = np.concatenate([truth, np.zeros(n_flawed, int)])
    order = rng.permutation(n)
    keyed, truth = keyed[order], truth[order]
    item_ids = [f"q{i + 1:02d}" for i in range(p)]
    rev = rng.random(p) < reverse
    raw = keyed.copy()
    raw[:, rev] = 6 - raw[:, rev]
    index = pd.Index([f"r{i + 1:05d}" for i in range(n)], name="respondent_id")
    raw_df = pd.DataFrame(raw, index=index, columns=item_ids)
    items = raw_df.copy()
    rev_ids = [c for c, r in zip(item_ids, rev) if r]
    items[rev_ids] = 6 - items[rev_ids]
    label = name or f"k{k}_m{m}_n{n}_s{seed}"
    return PlantedStudy(
        name=label, raw=raw_df, items=items, reverse=rev_ids,
        truth=pd.Series(truth, index=index, name="truth"), n_factors=m, settings=settings,
    )


def factor_scores(study: PlantedStudy, *, rounding: bool = False):
    """EFA factor scores as the pipeline computes them (minres + oblimin, true m).

    ``rounding=True`` returns ``(scores, weights per answer point)``, the second as the
    pipeline passes it to ``TypeFinder.fit(score_rounding=...)``."""
    from factor_analyzer import FactorAnalyzer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fa = FactorAnalyzer(n_factors=study.n_factors, rotation="oblimin", method="minres")
        fa.fit(study.items.to_numpy())
        s = fa.transform(study.items.to_numpy())
    cols = [f"F{i + 1}" for i in range(study.n_factors)]
    X = pd.DataFrame(s, index=study.items.index, columns=cols)
    return (X, linear_score_weights(study.items, X)) if rounding else X


def linear_score_weights(items: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """Per-point weights of scores that are linear in the answers (as
    ``FactorModel.score_weights_per_point``), recovered by least squares."""
    A = items.to_numpy(float)
    S = scores.to_numpy(float)
    B = np.linalg.lstsq(A - A.mean(axis=0), S - S.mean(axis=0), rcond=None)[0]
    return pd.DataFrame(B, index=items.columns, columns=scores.columns)


def supervised_ari(X: pd.DataFrame, truth: pd.Series, *, seed: int = 0) -> float:
    """ARI over good respondents of a classifier trained on the true labels.

    Linear discriminant analysis with 5-fold cross-validated predictions, trained and
    evaluated on the good (non-flawed) respondents: the ceiling an unsupervised method
    should approach.
    """
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.metrics import adjusted_rand_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    good = truth > 0
    cv = StratifiedKFold(5, shuffle=True, random_state=seed)
    pred = cross_val_predict(LinearDiscriminantAnalysis(), X[good], truth[good], cv=cv)
    return float(adjusted_rand_score(truth[good], pred))


def suite(n_studies: int = 24, *, seed: int = 2026) -> list[dict]:
    """Settings of a varied suite of planted studies (plus one null study).

    Studies span 3-6 types, shares 5-45 %, 900-3,000 respondents, 4-8 dimensions,
    3-8 items per dimension, within-type spreads 0.45-1.0, 1.5-3 % random responders.
    The last entry is a null study (one blob).
    """
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n_studies):
        k = int(3 + i % 4)
        m = int(rng.integers(4, 9))
        lo = float(rng.uniform(0.45, 0.7))
        out.append(
            dict(
                n=int(rng.integers(900, 3001)),
                k=k,
                m=m,
                spread=(lo, lo + float(rng.uniform(0.1, 0.35))),
                min_dist=float(rng.uniform(3.0, 4.2)),
                flawed=float(rng.uniform(0.015, 0.03)),
                cross_loading=float(rng.uniform(0.1, 0.4)),
                noisy_items=float(rng.uniform(0.0, 0.2)),
                seed=int(rng.integers(0, 2**31 - 1)),
            )
        )
    out.append(dict(n=1500, k=1, m=5, flawed=0.02, seed=int(rng.integers(0, 2**31 - 1))))
    return out


def suite_alt(n_studies: int = 8, *, seed: int = 7) -> list[dict]:
    """A second suite that breaks the engine's model assumptions.

    Every type has its own covariance shape, half the studies have heavy-tailed (t5)
    types, and random responders go up to 4 %.
    """
    out = suite(n_studies, seed=seed)[:n_studies]
    for i, s in enumerate(out):
        s.update(type_shapes="varied", latent="t" if i % 2 else "normal",
                 flawed=0.02 + 0.02 * (i % 2))
    return out
