"""A realistic discovery folder for report and plot tests.

:func:`make_discovery_folder` writes every file that ``behaviortypes discover`` (and,
optionally, ``lookalike``/``score`` and the interview stage) puts in a discovery
folder, with the columns documented in ``docs/architecture.md``. The numbers are
computed from a small planted study (types with known factor profiles), so they are
internally consistent: sizes add up, profiles are the type means, shares have
Wilson intervals. The report only reads these files, so tests can check that every
number it prints matches the file it came from.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from behaviortypes import study as bt_study
from behaviortypes.quality import SCREENS

__all__ = ["make_discovery_folder", "FACTOR_NAMES", "ITEMS"]

FACTOR_NAMES = {
    "F1": "Price focus",
    "F2": "Convenience",
    "F3": "Digital engagement",
    "F4": "Sustainability",
}

#: (item id, text, factor, theme, reverse)
ITEMS = [
    ("s01", "I compare prices before every purchase", "F1", "price", False),
    ("s02", "I wait for offers before buying", "F1", "price", False),
    ("s03", "I rarely think about what things cost", "F1", "price", True),
    ("s04", "I use discount codes whenever I can", "F1", "deals", False),
    ("s05", "I want delivery to be as fast as possible", "F2", "speed", False),
    ("s06", "I pay extra to save time", "F2", "speed", False),
    ("s07", "I don't mind queueing in a store", "F2", "convenience", True),
    ("s08", "I order from the same shop out of habit", "F2", "habit", False),
    ("s09", "I use the app several times a week", "F3", "app", False),
    ("s10", "I read the newsletter", "F3", "newsletter", False),
    ("s11", "I follow the brand on social media", "F3", "social", False),
    ("s12", "I prefer talking to a person over using a website", "F3", "service", True),
    ("s13", "I choose products with an eco label", "F4", "sustainability", False),
    ("s14", "I return packaging for recycling", "F4", "sustainability", False),
    ("s15", "I would pay more for locally made goods", "F4", "local", False),
    ("s16", "I buy second hand when I can", "F4", "circular", False),
]

_NAMES = [
    ("Bargain Hunters", "Every krona counts", "#1f77b4"),
    ("Time Savers", "Fast, easy, done", "#ff7f0e"),
    ("Digital Natives", "Always one tap away", None),
    ("Conscious Buyers", "Better, not more", "#2ca02c"),
    ("Loyal Regulars", "Same shop, same day", "#9467bd"),
    ("Curious Browsers", "Just looking, for now", None),
    ("Premium Seekers", "Only the best will do", "#8c564b"),
    ("Weekend Planners", "Saturday is for shopping", None),
]

_QUOTES = {
    "price": ["I always check three sites before I pay anything.",
              "If it's not on sale, I just wait a couple of weeks."],
    "deals": ["Discount codes are basically a hobby for me."],
    "speed": ["When I order something, I want it tomorrow, not next week.",
              "Honestly I'd pay double to skip the queue."],
    "convenience": ["I don't have time to walk around a shop."],
    "habit": ["I just go back to the same place, it's easier."],
    "app": ["The app is on my home screen, I check it on the bus."],
    "newsletter": ["I actually read the Friday newsletter with my coffee."],
    "social": ["I found the new range through their Instagram."],
    "service": ["I'd rather call someone than fight with a chatbot."],
    "sustainability": ["I look for the eco label first, price second.",
                       "We recycle everything, the packaging matters to me."],
    "local": ["Knowing it was made nearby makes me trust it more."],
    "circular": ["Second hand is my first stop, new is the last resort."],
}

_CRM = ["visits_per_month", "basket_value", "app_sessions", "newsletter_opens",
        "share_discounted", "days_since_last_order", "store_share", "eco_range_share"]


def _wilson(n: np.ndarray, total: int, z: float = 1.959964) -> tuple[np.ndarray, np.ndarray]:
    p = n / total
    denom = 1 + z**2 / total
    centre = (p + z**2 / (2 * total)) / denom
    half = z * np.sqrt(p * (1 - p) / total + z**2 / (4 * total**2)) / denom
    return centre - half, centre + half


class _Files:
    """The fixture as a stage result: ``to_files(folder)`` writes every file."""

    def __init__(self, **kwargs) -> None:
        self.kwargs = kwargs

    def to_files(self, folder: Path) -> list[Path]:
        _write_files(folder, **self.kwargs)
        return sorted(folder.iterdir())


def make_discovery_folder(
    path: str | Path,
    *,
    k: int = 4,
    n: int = 600,
    seed: int = 0,
    with_lookalike: bool = True,
    with_quotes: bool = True,
    tiny_type: bool = False,
    study: str = "fixture_study",
) -> Path:
    """Write a discovery folder for a planted study of ``k`` types and ``n`` respondents.

    Parameters
    ----------
    path : str or Path
        The discovery folder to create (its parent gets a fake ``surveys/<study>``).
    k : int, default=4
        Number of types (2..8).
    n : int, default=600
        Respondents kept after screening.
    seed : int, default=0
        Seed of every random draw.
    with_lookalike : bool, default=True
        Also write ``lookalike_card.json``, ``typing_tool.yaml``, ``base_shares.json``
        and ``crm_profile.csv``.
    with_quotes : bool, default=True
        Also write ``quotes.csv`` and ``reliability.csv``.
    tiny_type : bool, default=False
        Make the last type smaller than the minimum group size (12 respondents).
    study : str, default="fixture_study"
        Name of the survey folder recorded in ``source.json``.

    Returns
    -------
    Path
        The discovery folder.
    """
    if not 2 <= k <= len(_NAMES):
        raise ValueError(f"k={k} must be between 2 and {len(_NAMES)}")
    out = Path(path)
    bt_study.write(out, _Files(k=k, n=n, seed=seed, with_lookalike=with_lookalike, with_quotes=with_quotes,
                               tiny_type=tiny_type, study=study), stale=())
    return out


def _write_files(out: Path, *, k: int, n: int, seed: int, with_lookalike: bool, with_quotes: bool,
                 tiny_type: bool, study: str) -> None:
    """Write every file of the fixture into ``out`` through the folder's writer."""
    rng = np.random.default_rng(seed)
    factors = list(FACTOR_NAMES)
    m = len(factors)
    item_ids = [it[0] for it in ITEMS]

    # --- planted types -------------------------------------------------------------
    centroids = rng.normal(0, 1.0, size=(k, m))
    for t in range(k):  # every type has one clearly defining factor
        centroids[t, t % m] += 1.6 if t < m else -1.6
    weights = np.linspace(1.6, 0.8, k)
    weights /= weights.sum()
    if tiny_type:
        sizes_n = np.floor(weights * (n - 12)).astype(int)
        sizes_n[-1] = 12
        sizes_n[0] += n - sizes_n.sum()
    else:
        sizes_n = np.floor(weights * n).astype(int)
        sizes_n[0] += n - sizes_n.sum()
    labels = np.repeat(np.arange(1, k + 1), sizes_n)
    rng.shuffle(labels)
    scores = centroids[labels - 1] + rng.normal(0, 0.6, size=(n, m))
    resp_ids = [f"R{i:05d}" for i in range(1, n + 1)]

    load = np.zeros((len(ITEMS), m))
    for j, (_, _, f, _, rev) in enumerate(ITEMS):
        load[j, factors.index(f)] = rng.uniform(0.55, 0.85)
        load[j, (factors.index(f) + 1) % m] = rng.uniform(-0.1, 0.2)
    latent = scores @ load.T + rng.normal(0, 0.6, size=(n, len(ITEMS)))
    keyed = np.clip(np.round(3 + latent), 1, 5)
    # profiles describe answers as given (agreement with the statement), not reverse-keyed
    rev = np.array([it[4] for it in ITEMS])
    answers = np.where(rev, 6 - keyed, keyed)

    # --- probabilities and assignments --------------------------------------------
    logits = -((scores[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
    proba = np.exp(logits - logits.max(axis=1, keepdims=True))
    proba /= proba.sum(axis=1, keepdims=True)
    proba[np.arange(n), labels - 1] += 0.5  # assigned type is the most likely one
    proba /= proba.sum(axis=1, keepdims=True)
    names = {t: _NAMES[t - 1][0] for t in range(1, k + 1)}
    bt_study.save(out, "assignments.csv", pd.DataFrame({
        "respondent_id": resp_ids,
        "type_id": labels,
        "type_name": [names[t] for t in labels],
        "probability": proba[np.arange(n), labels - 1].round(4),
    }))
    bt_study.save(out, "probabilities.csv", pd.DataFrame(
        proba.round(4), columns=[f"p_{t}" for t in range(1, k + 1)]
    ).assign(respondent_id=resp_ids)[["respondent_id"] + [f"p_{t}" for t in range(1, k + 1)]])
    bt_study.save(out, "scores.csv", pd.DataFrame(scores.round(4), columns=factors)
              .assign(respondent_id=resp_ids)[["respondent_id"] + factors])

    # --- screening: ~9 % screened out with reasons ---------------------------------
    n_out = int(round(n * 0.09))
    p_screen = {"straightlining": .35, "speeding": .3, "attention": .2, "missing": .1, "random": .05}
    flagged = [sorted(set(rng.choice(list(p_screen), size=rng.integers(1, 3), p=list(p_screen.values()))))
               for _ in range(n_out)]
    reasons = ["; ".join(f"{r}: flagged by the fixture" for r in flags) for flags in flagged]
    screening = pd.DataFrame({
        "respondent_id": resp_ids + [f"R{i:05d}" for i in range(n + 1, n + n_out + 1)],
        "kept": [True] * n + [False] * n_out,
        "reasons": [""] * n + reasons,
        "longstring_share": np.r_[rng.uniform(0.1, 0.5, n), rng.uniform(0.3, 1.0, n_out)].round(3),
        "duration_ratio": np.r_[rng.uniform(0.6, 2.0, n), rng.uniform(0.1, 1.0, n_out)].round(3),
    })
    total = n + n_out
    counts_by_screen = {r: sum(r in f for f in flagged) for r in SCREENS}
    bt_study.save(out, "screening_summary.json", {
        "n_respondents": total, "n_kept": n, "settings": {},
        "summary": {r: {"count": c, "share": c / total} for r, c in
                    {**counts_by_screen, "any": n_out, "kept": n}.items()},
    })
    bt_study.save(out, "screening.csv", screening)

    # --- factors ------------------------------------------------------------------
    loadings = pd.DataFrame(load.round(3), columns=factors)
    loadings.insert(0, "item", item_ids)
    bt_study.save(out, "loadings.csv", loadings)
    eig = np.r_[np.sort(rng.uniform(1.4, 4.5, m))[::-1], np.sort(rng.uniform(0.3, 0.95, len(ITEMS) - m))[::-1]]
    pa = np.linspace(1.35, 0.75, len(ITEMS))
    retention = [
        {"n_factors": i + 1, "eigenvalue": round(float(eig[i]), 4),
         "pa_threshold": round(float(pa[i]), 4),
         "map": round(float(0.02 + 0.004 * (i + 1 - m) ** 2), 4)}
        for i in range(len(ITEMS))
    ]
    factor_reason = (f"parallel analysis: principal-axis eigenvalues above the 95th percentile of "
                     f"100 random data sets: {m}; Velicer's MAP agrees")
    reliability = [
        {"factor": f, "alpha": round(float(a), 3), "ci_low": round(float(a) - 0.04, 3),
         "ci_high": round(float(a) + 0.03, 3), "omega": round(float(a) + 0.02, 3), "n_items": 4}
        for f, a in zip(factors, rng.uniform(0.72, 0.88, m))
    ]
    # layout of FactorModel.to_dict(): tables as {row id: {column: value}}
    bt_study.save(out, "factors.json", {
        "n_factors": m,
        "retention": {
            "rule": "parallel analysis",
            "reason": factor_reason,
            "table": {str(r["n_factors"]): {c: v for c, v in r.items() if c != "n_factors"} | {"chosen": r["n_factors"] == m}
                      for r in retention},
        },
        "factorability": [
            {"measure": "kmo", "item": "", "value": 0.84, "label": "meritorious"},
            {"measure": "msa", "item": "s01", "value": 0.81, "label": "meritorious"},
            {"measure": "bartlett_chi2", "item": "", "value": 3120.5, "label": ""},
            {"measure": "bartlett_df", "item": "", "value": 120, "label": ""},
            {"measure": "bartlett_p", "item": "", "value": 0.0, "label": ""},
        ],
        "reliability": {r["factor"]: {c: v for c, v in r.items() if c != "factor"} for r in reliability},
        "factor_names": FACTOR_NAMES,
        "factor_corr": {f: {g: float(f == g) for g in factors} for f in factors},
        "heywood": [],
    })
    if with_quotes:
        bt_study.save(out, "reliability.csv", pd.DataFrame(reliability))

    # --- types, sizes, profiles ------------------------------------------------------
    counts = np.array([(labels == t).sum() for t in range(1, k + 1)])
    lo, hi = _wilson(counts, n)
    sizes = pd.DataFrame({
        "type_id": np.arange(1, k + 1),
        "type_name": [names[t] for t in range(1, k + 1)],
        "n": counts,
        "share": (counts / n).round(4),
        "ci_low": lo.round(4),
        "ci_high": hi.round(4),
    })
    bt_study.save(out, "sizes.csv", sizes)
    rows = []
    for kind, data, keys in (("factor", scores, factors), ("item", answers, item_ids)):
        overall = data.mean(axis=0)
        sd = data.std(axis=0, ddof=0)
        for t in range(1, k + 1):
            inside, rest = data[labels == t], data[labels != t]
            mean = inside.mean(axis=0)
            pooled = np.sqrt(((len(inside) - 1) * inside.var(axis=0, ddof=0)
                              + (len(rest) - 1) * rest.var(axis=0, ddof=0)) / (len(data) - 2))
            d = (mean - rest.mean(axis=0)) / pooled  # Cohen's d against the rest
            for j, key in enumerate(keys):
                rows.append((t, kind, key, mean[j], overall[j], mean[j] - overall[j],
                             d[j], (mean[j] - overall[j]) / sd[j]))
    profiles = pd.DataFrame(rows, columns=["type_id", "kind", "key", "mean", "overall", "diff", "effect_size",
                                           "diff_sd"])
    bt_study.save(out, "profiles.csv", profiles.round(4))
    bt_study.save(out, "centroids.csv", pd.DataFrame(centroids.round(4), columns=factors)
              .assign(type_id=np.arange(1, k + 1))[["type_id"] + factors])

    proj = rng.normal(size=(m, 2))
    xy = scores @ proj + rng.normal(0, 0.2, size=(n, 2))
    bt_study.save(out, "umap.csv", pd.DataFrame({
        "respondent_id": resp_ids, "x": xy[:, 0].round(4), "y": xy[:, 1].round(4), "type_id": labels,
    }))

    ks = np.arange(2, 8)
    stab = np.where(ks <= k, 0.93 - 0.02 * (ks - 2), 0.93 - 0.12 * (ks - k))
    evidence = pd.DataFrame({  # columns as TypeFinder.evidence_ writes them (a subset)
        "k": ks,
        "jaccard_min": stab.round(3),
        "jaccard_mean": (stab + 0.03).round(3),
        "prediction_strength": (stab - 0.05).round(3),
        "bic": (-2 * n * 4 + 900 * np.abs(ks - k) + 80 * ks).round(1),
        "silhouette": (0.32 - 0.03 * np.abs(ks - k)).round(3),
        "min_share": [round(1 / (kk * 1.6), 3) for kk in ks],
        "passes": ks <= k,
    })
    bt_study.save(out, "evidence_k.csv", evidence)
    stability = [{"type_id": t, "share": float(counts[t - 1] / n), "n": int(counts[t - 1]),
                  "jaccard_mean": round(float(s), 3), "recovered": 1.0}
                 for t, s in zip(range(1, k + 1), rng.uniform(0.78, 0.95, k))]
    reason = (f"k={k}: the largest number of types whose types are all stable "
              f"(min Jaccard ≥ 0.75) with prediction strength ≥ 0.8")
    bt_study.save(out, "solution.json", {
        "n_factors": m,
        "factor_reason": factor_reason,
        "factor_evidence": retention,
        "k": k,
        "k_evidence": evidence.to_dict(orient="records"),
        "k_reason": reason,
        "sizes": {int(r.type_id): {"n": int(r.n), "share": r.share, "ci_low": r.ci_low, "ci_high": r.ci_high}
                  for r in sizes.itertuples()},
        "stability": stability,
        "n_respondents": n + n_out,
        "n_kept": n,
        "seed": seed,
    })
    bt_study.save(out, "types.yaml", {"types": [
        {"type_id": t, "name": _NAMES[t - 1][0], "tagline": _NAMES[t - 1][1],
         "description": f"{_NAMES[t - 1][0]} make up about {counts[t - 1] / n:.0%} of the sample.",
         "color": _NAMES[t - 1][2]}
        for t in range(1, k + 1)
    ]})
    survey_dir = out.parent / "surveys" / study
    bt_study.save(out, "source.json", {
        "survey_dir": str(survey_dir.resolve()),
        "responses_file": "responses.csv",
        "checksum": "0" * 64,
        "instrument": {
            "id_column": "respondent_id",
            "name": "Fixture study",
            "scale": {"min": 1, "max": 5, "labels": {1: "Disagree", 5: "Agree"}},
            "items": [{"id": i, "text": txt, "reverse": rev, "theme": th} for i, txt, _, th, rev in ITEMS],
            "customer_id_column": "customer_id",
            "min_group_size": 30,
        },
        "seed": seed,
        "created": "2026-11-23T10:00:00+00:00",
        "versions": {"behaviortypes": "0.1.0"},
    })

    # --- interviews: anonymised quotes per type ----------------------------------------
    if with_quotes:
        qrows = []
        item_prof = profiles[profiles.kind == "item"]
        theme_of = {i: th for i, _, _, th, _ in ITEMS}
        for t in range(1, k + 1):
            top = item_prof[item_prof.type_id == t].nlargest(3, "diff")["key"]
            used: set[str] = set()
            for j, item in enumerate(top):
                theme = theme_of[item]
                quote = next((q for q in _QUOTES[theme] if q not in used), _QUOTES[theme][0])
                used.add(quote)
                qrows.append((t, theme, quote, f"Participant {chr(65 + (3 * (t - 1) + j) % 26)}"))
        bt_study.save(out, "quotes.csv", pd.DataFrame(qrows, columns=["type_id", "theme", "quote", "pseudonym"]))

    # --- lookalike, scoring -------------------------------------------------------------
    if with_lookalike:
        base_share = np.clip(counts / n + rng.normal(0, 0.03, k), 0.02, None)
        base_share /= base_share.sum()
        bt_study.save(out, "base_shares.json", {
            "shares": {str(t): round(float(s), 4) for t, s in zip(range(1, k + 1), base_share)},
            "n_customers": 100_000,
            "corrected": True,
        })
        conf = np.diag(counts).astype(float) * 0.8
        conf += rng.uniform(0, 1, (k, k)) * counts[:, None] * 0.2 / k
        conf = np.round(conf).astype(int)
        predicted = np.linspace(0.05, 0.95, 10)
        card = {  # the layout of lookalike.train_lookalike (the parts the report reads)
            "kind": "behaviortypes lookalike card",
            "id_column": "customer_id",
            "feature_columns": list(_CRM),
            "type_ids": list(range(1, k + 1)),
            "chosen_model": "gbm",
            "cv_results": [
                {"model": "logistic", "accuracy": 0.781, "macro_f1": 0.75, "log_loss": 0.62},
                {"model": "gbm", "accuracy": 0.812, "macro_f1": 0.788, "log_loss": 0.561},
            ],
            "metrics": {
                "n": int(n * 0.8), "accuracy": 0.812, "macro_f1": 0.788, "log_loss": 0.561, "ece": 0.031,
                "reliability": [
                    {"bin": b + 1, "low": b / 10, "high": (b + 1) / 10, "n": int(rng.integers(20, 200)),
                     "confidence": round(float(p), 3),
                     "accuracy": round(float(np.clip(p + rng.normal(0, 0.03), 0, 1)), 3)}
                    for b, p in enumerate(predicted)],
                "per_type": [{"type_id": t, "precision": round(float(rng.uniform(0.7, 0.9)), 3),
                              "recall": round(float(rng.uniform(0.7, 0.9)), 3), "support": int(counts[t - 1])}
                             for t in range(1, k + 1)],
                "confusion_matrix": {"rows": "true type_id", "columns": "predicted type_id",
                                     "type_ids": list(range(1, k + 1)), "counts": conf.tolist()},
            },
            "permutation_importance": [{"feature": f, "importance": round(float(v), 4), "std": 0.01, "kind": "numeric"}
                                       for f, v in zip(_CRM, np.sort(rng.uniform(0.005, 0.12, len(_CRM)))[::-1])],
            "shares": [{"type_id": t, "survey_share": float(counts[t - 1] / n), "corrected_share": round(float(s), 4)}
                       for t, s in zip(range(1, k + 1), base_share)],
            "link": {"n_respondents": n, "n_linked": int(n * 0.8), "n_unlinked": n - int(n * 0.8)},
            "features": [{"name": f, "kind": "numeric", "dtype": "float64"} for f in _CRM],
            "seed": seed,
        }
        bt_study.save(out, "lookalike_card.json", card)
        bt_study.save(out, "typing_tool.yaml", {
            "items": [{"id": i, "text": txt} for i, txt, *_ in ITEMS[::3]],
            "agreement": 0.91,
            "scale": {"min": 1, "max": 5},
            "type_ids": list(range(1, k + 1)),
        })
        crows = []
        for t in range(1, k + 1):
            for f in _CRM:
                overall = float(rng.uniform(1, 50))
                eff = float(rng.normal(0, 0.5))
                # as lookalike writes it: tested type vs rest (here: "significant" from |d| > 0.3)
                crows.append((t, f, overall * (1 + 0.3 * eff), overall, overall * 0.3 * eff, eff, "numeric", None,
                              50, 0.001 if abs(eff) > 0.3 else 0.5, 0.004 if abs(eff) > 0.3 else 0.6,
                              abs(eff) > 0.3))
        bt_study.save(out, "crm_profile.csv", pd.DataFrame(
            crows, columns=["type_id", "feature", "mean", "overall", "diff", "effect_size", "kind", "level", "n",
                            "p_value", "p_adjusted", "significant"]).round(4))
