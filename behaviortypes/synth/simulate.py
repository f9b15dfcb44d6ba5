"""Simulate a study in memory: the generative model behind the demo.

:func:`simulate_study` turns a :class:`~behaviortypes.synth.StudyConfig` into a
:class:`SynthStudy` (survey responses, instrument, interviews, customer base *and
the truth*). Other modules use it for planted-structure tests.

The generative model
--------------------
Each type has a centroid on the latent behaviour dimensions. A person's latent
scores are ``separation * centroid + noise * N(0, I)``. A Likert item is the
continuous response ``y = loadings . latent + item_noise * N(0, 1)`` cut into
1..5 by thresholds placed at fixed quantiles of ``y``'s population distribution
(shifted per item); reverse-keyed items are then mirrored (``6 - answer``), and
cross-loading items load on two dimensions. Customers are drawn from the
population (``type.share``); their CRM features depend on their latent scores
through ``crm_effects`` (counts negative binomial, amounts lognormal, shares beta,
recency exponential, a categorical device and a first-order date), so the types
overlap in the base as they do in reality. A ``customer_share`` of respondents is
sampled from the base with probability proportional to their type's
``response_propensity ** response_bias`` (weighted sampling without replacement,
Efraimidis & Spirakis 2006); the rest are non-customers drawn from the population.

Panel flaws (exclusive, exact counts): *straightliners* give one answer to every
item and check and are fast (0.6x); *speeders* take ~0.22x the usual time and
answer 60 % of items at random; *random responders* answer every item and check
uniformly; *attention* failures answer honestly but fail at least one check. Item
cells are then blanked completely at random (``missing_rate``). ``weight`` is a
post-stratification weight on age band (population / sample share, mean 1).
``region`` is drawn independently of the type; ``nps`` is ``round(6.8 + shift + 2 N(0,1))``
clipped to 0-10 and ``churned_12m`` is Bernoulli with a per-type logit
(:func:`type_effects`); they come from a fifth child generator, so the other columns
are the same as without them.

Interviewees are recruited by quota (every type covered). Each is coded with a
dimension's theme with probability ``1 / (1 + exp(1.2 - 3 z))`` (topped up to two
themes with their highest dimensions), plus each extra theme with probability 0.1.
A theme code names what the participant expresses, so every quote agrees with the
theme it is coded with.

With the demo defaults (seeds 0-6) a logistic regression on the items of clean
respondents recovers the type with 93-96 % cross-validated accuracy, EFA + k-means
reaches an adjusted Rand index of about 0.88-0.91 (a full-covariance Gaussian
mixture on the factor scores picks k=5 by BIC), and a logistic regression on the
CRM features reaches about 80 % (majority class 30 %).

References
----------
Efraimidis, P. S., & Spirakis, P. G. (2006). Weighted random sampling with a
reservoir. *Information Processing Letters*, 97(5), 181-185.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..instrument import instrument_from_dict
from .config import (
    CRM_FEATURES,
    DEVICES,
    FLAWS,
    StudyConfig,
    check_config,
    effective_crm_effects,
)
from .texts import (
    ATTENTION_CHECKS,
    CROSS_TEXTS,
    CONTEXTS,
    ENDINGS,
    EXTRA_THEMES,
    HINTS,
    ITEM_BANK,
    NAMES,
    OPENERS,
    PARENTS,
    QUOTES,
    RELATIONS,
    SCALE_LABELS,
    SURNAMES,
)

__all__ = ["SynthStudy", "simulate_study", "type_effects"]

# panel demographics: age bands (tilted per type by ``age_shift``) and countries
_AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
_AGE_BASE = np.array([0.12, 0.22, 0.22, 0.19, 0.15, 0.10])
_COUNTRIES = ("UK", "DE", "NL", "SE", "FR")
_COUNTRY_P = np.array([0.35, 0.25, 0.15, 0.10, 0.15])
# descriptors and outcomes for `behaviortypes profile` (drawn from their own generator):
# region is unrelated to the type; NPS (0-10) and churn within 12 months depend on it.
_REGIONS = ("North", "South", "East", "West", "Capital")
_REGION_P = np.array([0.20, 0.20, 0.20, 0.15, 0.25])
_NPS_BASE, _NPS_SD = 6.8, 2.0
_NPS_SHIFT = {"quick_searcher": -0.6, "explorer": 0.4, "bargain_hunter": -1.2,
              "loyal_regular": 1.8, "social_shopper": 0.6}
_CHURN_BASE = -1.4  # logit
_CHURN_SHIFT = {"quick_searcher": 0.3, "explorer": 0.0, "bargain_hunter": 0.9,
                "loyal_regular": -1.4, "social_shopper": 0.2}
_TAU = np.array([-1.6, -0.7, 0.15, 1.1])  # answer thresholds in sd units of y
_PRIMARY = (0.80, 0.70, 0.75, 0.60, 0.85, 0.65)  # cycled primary loadings


@dataclass(frozen=True)
class SynthStudy:
    """A simulated study and its truth.

    Attributes
    ----------
    config : StudyConfig
    instrument : dict
        The instrument in ``instrument.yaml`` form (loads with ``instrument_from_dict``).
    responses : DataFrame
        As ``responses.csv``: ``respondent_id, customer_id, duration_s, weight, age_band,
        country``, the items and attention checks (nullable ``Int64``, empty = missing),
        then ``region`` (unrelated to the type), ``nps`` (0-10) and ``churned_12m`` (0/1),
        both tied to the type (see :func:`type_effects`).
    interviews : DataFrame
        Coded quotes: ``participant_id, theme, parent, quote``.
    participants : DataFrame
        ``participant_id, age_band, country, segment_hint``.
    customers : DataFrame
        The customer base: ``customer_id`` then the CRM features.
    respondent_truth : DataFrame
        ``respondent_id, customer_id, type, flaw`` and the latent scores ``z_<dimension>``.
    customer_truth : DataFrame
        ``customer_id, type``.
    participant_truth : DataFrame
        ``participant_id, type``.
    pii : DataFrame
        Quotes with planted personal data: ``row`` (1-based data row of ``codes.csv``),
        ``participant_id, kind`` (name/email/phone), ``text`` (the planted first name,
        e-mail address or phone number, verbatim).
    population_shares : Series
        Type key -> share of the customer population.
    centroids : DataFrame
        Type key x dimension: the latent centroids actually used (after ``separation``).
    loadings : DataFrame
        Item x dimension: the generative (keyed) loadings.
    """

    config: StudyConfig
    instrument: dict
    responses: pd.DataFrame
    interviews: pd.DataFrame
    participants: pd.DataFrame
    customers: pd.DataFrame
    respondent_truth: pd.DataFrame
    customer_truth: pd.DataFrame
    participant_truth: pd.DataFrame
    pii: pd.DataFrame
    population_shares: pd.Series
    centroids: pd.DataFrame
    loadings: pd.DataFrame

    def summary(self) -> str:
        """A few lines for people: sizes, type shares, flaws."""
        rt = self.respondent_truth
        survey = rt["type"].value_counts(normalize=True)
        lines = [
            f"{self.config.study_name}: {len(self.responses)} respondents "
            f"({rt['customer_id'].notna().mean():.0%} customers), "
            f"{len(self.instrument['items'])} items, {len(self.customers)} customers, "
            f"{self.participants.shape[0]} interviews ({len(self.interviews)} quotes)",
        ]
        for key, share in self.population_shares.items():
            lines.append(f"  {key:<18} base {share:6.1%}   survey {survey.get(key, 0.0):6.1%}")
        flaws = rt["flaw"].value_counts()
        lines.append("  flaws: " + ", ".join(f"{k} {flaws.get(k, 0)}" for k in FLAWS[1:]))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The truth as plain data (what ``truth.json`` holds)."""
        rt = self.respondent_truth
        return {
            "population_shares": self.population_shares.to_dict(),
            "survey_shares": rt["type"].value_counts(normalize=True).to_dict(),
            "type_names": {t.key: t.name for t in self.config.types},
            "centroids": self.centroids.to_dict(orient="index"),
            "loadings": self.loadings.to_dict(orient="index"),
            "flaw_counts": rt["flaw"].value_counts().to_dict(),
            "missing_cell_share": float(self.responses[self.loadings.index].isna().mean().mean()),
            "participants": self.participant_truth.set_index("participant_id")["type"].to_dict(),
            "pii": self.pii.to_dict(orient="records"),
            "crm_effects": effective_crm_effects(self.config),
            "config": dataclasses.asdict(self.config),
        }



def _centroids(cfg: StudyConfig) -> pd.DataFrame:
    rows = {t.key: [cfg.separation * float(t.centroid.get(d, 0.0)) for d in cfg.dimensions]
            for t in cfg.types}
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(cfg.dimensions))


def _item_design(
    cfg: StudyConfig, per: tuple[int, ...]
) -> tuple[list[dict], pd.DataFrame, np.ndarray]:
    """Items (instrument entries), keyed loadings and per-item offsets; no randomness."""
    dims = list(cfg.dimensions)
    n_items = sum(per)
    n_rev = round(cfg.reverse_share * n_items)
    rev_per = [0] * len(dims)
    for j in range(n_rev):  # spread reverse keying round-robin over dimensions
        d = j % len(dims)
        if rev_per[d] < per[d] - 1:
            rev_per[d] += 1
    cross = {p: s for p, s in cfg.cross_loadings}
    blocks = []
    for d, dim in enumerate(dims):
        fwd, rev = ITEM_BANK.get(dim, ((), ()))
        label = dim.replace("_", " ")
        entries = []
        for k in range(per[d]):
            is_rev = k >= per[d] - rev_per[d]
            j = k - (per[d] - rev_per[d]) if is_rev else k
            bank = rev if is_rev else fwd
            text = bank[j] if j < len(bank) else (
                f"{'I do not care about' if is_rev else 'I care about'} {label} ({k + 1}).")
            entries.append({"dim": dim, "text": text, "reverse": is_rev, "second": None,
                            "load": _PRIMARY[(d + k) % len(_PRIMARY)]})
        if dim in cross:
            slot = min(2, per[d] - rev_per[d] - 1)
            entries[slot].update(second=cross[dim], load=0.6, reverse=False, text=CROSS_TEXTS.get(
                (dim, cross[dim]), f"I care about {label} and {cross[dim].replace('_', ' ')}."))
        blocks.append(entries)
    unique = []  # interleave the dimensions (and keying) so the questionnaire is not blocked
    for d, entries in enumerate(blocks):
        n_fwd = per[d] - rev_per[d]
        key = [k if k < n_fwd else (k - n_fwd + 0.5) * per[d] / rev_per[d] - 0.75
               for k in range(per[d])]
        blocks[d] = [entries[k] for k in np.argsort(key, kind="stable")]
    for k in range(max(per)):
        for j in range(len(dims)):
            d = (j + k) % len(dims)
            if k < per[d]:
                unique.append(blocks[d][k])
    width = max(2, len(str(n_items)))
    ids = [f"s{i + 1:0{width}d}" for i in range(n_items)]
    lam = pd.DataFrame(0.0, index=pd.Index(ids, name="item"), columns=dims)
    items = []
    for iid, e in zip(ids, unique):
        lam.loc[iid, e["dim"]] = e["load"]
        if e["second"]:
            lam.loc[iid, e["second"]] = cfg.cross_loading
        items.append({"id": iid, "text": e["text"], "reverse": bool(e["reverse"]),
                      "theme": e["dim"]})
    offsets = np.array([((i * 7) % 9 - 4) / 13 for i in range(n_items)])  # -0.31..0.31 sd
    return items, lam, offsets


def _latent(type_idx: np.ndarray, cents: np.ndarray, noise: float, rng: np.random.Generator):
    return cents[type_idx] + noise * rng.standard_normal((len(type_idx), cents.shape[1]))


def _answers(z, lam, offsets, cfg, mu, cov, rng) -> np.ndarray:
    """Keyed 1..5 answers from latent scores (thresholds from the population distribution)."""
    L = lam.to_numpy()
    y = z @ L.T + cfg.item_noise * rng.standard_normal((z.shape[0], L.shape[0]))
    mean = L @ mu
    sd = np.sqrt(np.einsum("id,de,ie->i", L, cov, L) + cfg.item_noise**2)
    tau = mean[:, None] + sd[:, None] * (_TAU[None, :] + offsets[:, None])
    return 1 + (y[:, :, None] > tau[None, :, :]).sum(axis=2)


def _crm(z_centered, cfg, ref, rng) -> dict[str, Any]:
    effects = effective_crm_effects(cfg)
    dims = list(cfg.dimensions)

    def eta(name):
        vec = np.array([effects.get(name, {}).get(d, 0.0) for d in dims])
        return cfg.crm_signal * (z_centered @ vec)

    n = z_centered.shape[0]
    out: dict[str, Any] = {}
    for name, (kind, base, spread) in CRM_FEATURES.items():
        if kind == "negbin":
            mean = base * np.exp(eta(name))
            out[name] = rng.negative_binomial(spread, spread / (spread + mean)).astype("int64")
        elif kind == "lognormal":
            value = np.exp(np.log(base) + eta(name) + spread * rng.standard_normal(n))
            out[name] = np.round(value, 2)
        elif kind == "beta":
            mean = 1 / (1 + np.exp(-(math.log(base / (1 - base)) + eta(name))))
            out[name] = np.round(rng.beta(mean * spread, (1 - mean) * spread), 3)
        elif kind == "exponential":
            out[name] = np.ceil(rng.exponential(base * np.exp(eta(name)))).astype("int64")
        elif kind == "poisson1":
            out[name] = 1 + rng.poisson(base * np.exp(eta(name))).astype("int64")
        elif kind == "categorical":
            logits = np.column_stack([eta(f"{name}.{lvl}") + b
                                      for lvl, b in zip(DEVICES, (0.0, 0.2, -0.1))])
            pick = np.argmax(logits + rng.gumbel(size=logits.shape), axis=1)
            out[name] = pd.array(np.asarray(DEVICES, dtype=object)[pick], dtype="string")
        elif kind == "date":
            tenure = np.minimum(rng.exponential(base * np.exp(eta(name))), 12 * 365).astype("int64")
            out[name] = (ref - pd.to_timedelta(tenure, unit="D")).astype("datetime64[ns]")
    return out


def _ids(prefix: str, n: int, width: int) -> list[str]:
    width = max(width, len(str(n)))
    return [f"{prefix}{i:0{width}d}" for i in range(1, n + 1)]


def _age_probs(cfg: StudyConfig) -> np.ndarray:
    pos = (np.arange(len(_AGE_BANDS)) - 2.5) / 2.5
    p = np.array([_AGE_BASE * np.exp(t.age_shift * pos) for t in cfg.types])
    return p / p.sum(axis=1, keepdims=True)


def _survey(cfg, per, cents, shares, cust_type, cust_z, cust_ids, rng_s, rng_f):
    """Responses and respondent truth."""
    k, n = len(cfg.types), cfg.n_respondents
    n_linked = round(cfg.customer_share * n)
    prop = np.array([t.response_propensity for t in cfg.types]) ** cfg.response_bias
    keys = rng_s.exponential(size=len(cust_type)) / prop[cust_type]  # Efraimidis-Spirakis
    picked = np.sort(np.argsort(keys, kind="stable")[:n_linked])
    other = rng_s.choice(k, size=n - n_linked, p=shares)
    t_idx = np.concatenate([cust_type[picked], other])
    z = np.vstack([cust_z[picked], _latent(other, cents, cfg.noise, rng_s)])
    cid = np.concatenate([np.asarray(cust_ids, dtype=object)[picked],
                          np.full(n - n_linked, None, dtype=object)])
    order = rng_s.permutation(n)
    t_idx, z, cid = t_idx[order], z[order], cid[order]

    items, lam, offsets = _item_design(cfg, per)
    mu = shares @ cents
    cov = (cents - mu).T @ np.diag(shares) @ (cents - mu) + cfg.noise**2 * np.eye(len(mu))
    keyed = _answers(z, lam, offsets, cfg, mu, cov, rng_s)
    rev = np.array([it["reverse"] for it in items])
    raw = np.where(rev[None, :], 6 - keyed, keyed)

    counts = [round(getattr(cfg, f"{f}_rate") * n) for f in FLAWS[1:]]
    flaw = np.zeros(n, dtype=int)
    flaw[rng_f.permutation(n)[: sum(counts)]] = np.repeat(np.arange(1, 5), counts)
    checks = ATTENTION_CHECKS[: cfg.n_attention_checks]
    att = np.tile([c[1] for c in checks], (n, 1)) if checks else np.zeros((n, 0), int)
    n_items = raw.shape[1]
    duration = np.exp(np.log(15 * (n_items + len(checks)) + 90) + 0.35 * rng_f.standard_normal(n))
    for i in np.flatnonzero(flaw):
        f = FLAWS[flaw[i]]
        if f == "straightliner":
            v = rng_f.choice(5, p=[0.05, 0.1, 0.35, 0.35, 0.15]) + 1
            raw[i], att[i] = v, v
            duration[i] *= 0.6
        elif f == "speeder":
            mask = rng_f.random(n_items) < 0.6
            raw[i, mask] = rng_f.integers(1, 6, mask.sum())
            att[i] = rng_f.integers(1, 6, len(checks))
            duration[i] *= 0.22
        elif f == "random":
            raw[i] = rng_f.integers(1, 6, n_items)
            att[i] = rng_f.integers(1, 6, len(checks))
            duration[i] *= 0.75
        elif f == "attention" and checks:
            fail = rng_f.random(len(checks)) < 0.5
            fail[rng_f.integers(len(checks))] = True
            for j in np.flatnonzero(fail):
                att[i, j] = rng_f.choice([v for v in range(1, 6) if v != checks[j][1]])
    raw = raw.astype(float)
    raw[rng_f.random(raw.shape) < cfg.missing_rate] = np.nan

    age_p = _age_probs(cfg)
    age = np.array([rng_f.choice(len(_AGE_BANDS), p=age_p[t]) for t in t_idx])
    country = rng_f.choice(len(_COUNTRIES), size=n, p=_COUNTRY_P)
    pop_age = shares @ age_p
    sample_age = np.bincount(age, minlength=len(_AGE_BANDS)) / n
    w = (pop_age / np.maximum(sample_age, 1e-9))[age]
    w = np.round(w / w.mean(), 4)

    rid = _ids("R", n, 5)
    frame = {
        "respondent_id": rid,
        "customer_id": pd.array(cid, dtype="string"),
        "duration_s": np.round(duration).astype("int64"),
        "weight": w,
        "age_band": pd.array(np.asarray(_AGE_BANDS, dtype=object)[age], dtype="string"),
        "country": pd.array(np.asarray(_COUNTRIES, dtype=object)[country], dtype="string"),
    }
    cut = {round(n_items * 0.45): 0, round(n_items * 0.85): 1}
    for j, it in enumerate(items):
        frame[it["id"]] = pd.array(raw[:, j], dtype="Int64")
        if j + 1 in cut and cut[j + 1] < len(checks):
            c = cut[j + 1]
            frame[checks[c][0]] = pd.array(att[:, c], dtype="Int64")
    responses = pd.DataFrame(frame)
    truth = pd.DataFrame({"respondent_id": rid, "customer_id": frame["customer_id"],
                          "type": [cfg.types[t].key for t in t_idx],
                          "flaw": [FLAWS[f] for f in flaw]})
    for d, dim in enumerate(cfg.dimensions):
        truth[f"z_{dim}"] = np.round(z[:, d], 4)
    instrument = {
        "name": cfg.study_name, "language": "en", "id_column": "respondent_id",
        "customer_id_column": "customer_id", "weight_column": "weight",
        "duration_column": "duration_s",
        "scale": {"min": 1, "max": 5, "labels": dict(SCALE_LABELS)},
        "items": items,
        "attention_checks": [{"id": c[0], "expect": c[1]} for c in checks],
    }
    instrument_from_dict(instrument)  # the generated instrument must always be valid
    return instrument, responses, truth, lam


def type_effects(cfg: StudyConfig) -> pd.DataFrame:
    """The planted NPS and churn effects per type: ``nps_mean`` and ``churn_rate`` (truth).

    Types outside the demo get -1, 0, +1 (cyclically) times 0.8 NPS points and 0.6 on
    the churn logit.
    """
    rows = []
    for i, t in enumerate(cfg.types):
        generic = (i % 3) - 1
        nps = _NPS_SHIFT.get(t.key, 0.8 * generic)
        churn = _CHURN_SHIFT.get(t.key, -0.6 * generic)
        rows.append({"type": t.key, "nps_shift": nps, "churn_logit": _CHURN_BASE + churn,
                     "churn_rate": 1 / (1 + math.exp(-(_CHURN_BASE + churn)))})
    return pd.DataFrame(rows).set_index("type")


def _profile_columns(cfg, responses, instrument, truth, rng):
    """Append ``region`` (unrelated to the type), ``nps`` and ``churned_12m`` (tied to it)."""
    eff = type_effects(cfg).reindex(truth["type"])
    n = len(responses)
    region = rng.choice(len(_REGIONS), size=n, p=_REGION_P)
    nps = np.clip(np.rint(_NPS_BASE + eff["nps_shift"].to_numpy()
                          + _NPS_SD * rng.standard_normal(n)), 0, 10).astype("int64")
    churned = (rng.random(n) < eff["churn_rate"].to_numpy()).astype("int64")
    responses = responses.assign(
        region=pd.array(np.asarray(_REGIONS, dtype=object)[region], dtype="string"),
        nps=nps, churned_12m=churned)
    instrument = {
        **instrument,
        "descriptors": [
            {"column": "age_band", "label": "Age", "levels": list(_AGE_BANDS)},
            {"column": "country", "label": "Country"},
            {"column": "region", "label": "Region", "levels": list(_REGIONS)},
        ],
        "outcomes": [
            {"column": "nps", "label": "Likelihood to recommend (0-10)"},
            {"column": "churned_12m", "label": "Churn within 12 months"},
        ],
    }
    instrument_from_dict(instrument)
    return responses, instrument


def _quote(theme: str, rng: np.random.Generator, used: set[str]) -> str:
    """A varied quote that voices ``theme``, avoiding the cores in ``used``."""
    if theme in EXTRA_THEMES:
        bank = EXTRA_THEMES[theme]
    elif theme in QUOTES:
        bank = QUOTES[theme]
    else:
        bank = (f"{theme.replace('_', ' ').capitalize()} matters a lot to me.",)
    fresh = [c for c in bank if c not in used] or list(bank)
    core = fresh[rng.integers(len(fresh))]
    used.add(core)
    opener = OPENERS[rng.integers(len(OPENERS))]
    if opener and not core.startswith(("I ", "I'")):
        core = core[0].lower() + core[1:]
    return (opener + core + CONTEXTS[rng.integers(len(CONTEXTS))]
            + ENDINGS[rng.integers(len(ENDINGS))])


def _interviews(cfg, cents, rng):
    k, n = len(cfg.types), cfg.n_interviews
    by_size = np.argsort([-t.share for t in cfg.types], kind="stable")
    t_idx = rng.permutation(np.resize(by_size, n))  # quota recruitment: every type covered
    z = _latent(t_idx, cents, cfg.noise, rng)
    pid = _ids("P", n, 2)
    rows, age_p = [], _age_probs(cfg)
    for i in range(n):
        themes = []
        for d, dim in enumerate(cfg.dimensions):
            # A theme code names what the participant expresses: quotes coded with a
            # dimension's theme agree with it (the opposite stance is not coded as it).
            if rng.random() < 1 / (1 + np.exp(1.2 - 3.0 * z[i, d])):
                themes.append(dim)
        if len(themes) < 2:
            for d in np.argsort(-z[i]):
                if cfg.dimensions[d] not in themes and len(themes) < 2:
                    themes.append(cfg.dimensions[d])
        themes += [x for x in EXTRA_THEMES if rng.random() < 0.1]
        for theme in themes:
            used: set[str] = set()
            for _ in range(1 + int(rng.random() < 0.35)):
                quote = _quote(theme, rng, used)
                rows.append({"participant_id": pid[i], "theme": theme,
                             "parent": PARENTS.get(theme, "behaviour"), "quote": quote})
    codes = pd.DataFrame(rows, columns=["participant_id", "theme", "parent", "quote"])
    pii = []
    n_pii = min(cfg.n_pii_quotes, len(codes))
    for row in np.sort(rng.choice(len(codes), size=n_pii, replace=False)):
        kind = ("name", "email", "phone")[len(pii) % 3]
        first = NAMES[rng.integers(len(NAMES))]
        if kind == "name":
            text = first
            rel = RELATIONS[rng.integers(len(RELATIONS))]
            extra = (f" {rel.capitalize()} {first} always laughs at me about it.",
                     f" I do it together with {rel} {first}.",
                     f" {first}, {rel}, thinks I overdo it.")[rng.integers(3)]
        elif kind == "email":
            text = f"{first.lower()}.{SURNAMES[rng.integers(len(SURNAMES))]}@example.com"
            extra = f" I can send you the receipts, just email me at {text}."
        else:
            text = f"07700 900{rng.integers(100, 1000)}"
            extra = f" If you need more, call me on {text}."
        codes.loc[row, "quote"] += extra
        pii.append({"row": int(row) + 1, "participant_id": codes.loc[row, "participant_id"],
                    "kind": kind, "text": text})
    keys = [cfg.types[t].key for t in t_idx]
    hints = [HINTS.get(key, key.replace("_", " ")) if rng.random() < 0.8
             else HINTS.get(cfg.types[rng.integers(k)].key, "general shopper") for key in keys]
    participants = pd.DataFrame({
        "participant_id": pid,
        "age_band": [_AGE_BANDS[rng.choice(len(_AGE_BANDS), p=age_p[t])] for t in t_idx],
        "country": [_COUNTRIES[rng.choice(len(_COUNTRIES), p=_COUNTRY_P)] for _ in t_idx],
        "segment_hint": hints,
    })
    truth = pd.DataFrame({"participant_id": pid, "type": keys})
    pii = pd.DataFrame(pii, columns=["row", "participant_id", "kind", "text"])
    return codes, participants, truth, pii


def simulate_study(config: StudyConfig | None = None) -> SynthStudy:
    """Simulate a whole study in memory from ``config`` (default: the demo).

    Parameters
    ----------
    config : StudyConfig, optional
        See :class:`StudyConfig`; :func:`demo_config` builds one with overrides.

    Returns
    -------
    SynthStudy
        Instrument, responses, interviews, customer base and the truth.

    Raises
    ------
    InputError
        If the configuration is inconsistent (see the message's hint).

    Notes
    -----
    Every component draws from its own child of ``numpy.random.SeedSequence(seed)``,
    so e.g. changing ``n_customers`` leaves the interviews unchanged. The full demo
    (100,000 customers) takes about a second; planted-structure tests in other modules
    can pass e.g. ``demo_config(n_customers=2_000)`` (it must be at least
    ``customer_share * n_respondents``).

    Examples
    --------
    >>> from behaviortypes.synth import demo_config
    >>> study = simulate_study(demo_config(n_customers=2_000, n_respondents=200, seed=7))
    >>> sorted(study.respondent_truth["flaw"].unique())
    ['attention', 'none', 'random', 'speeder', 'straightliner']
    >>> study.loadings.shape
    (28, 6)
    """
    cfg = config if config is not None else StudyConfig()
    per = check_config(cfg)
    # children 0-3 as before; child 4 (descriptors, outcomes) leaves their draws unchanged
    rng_c, rng_s, rng_f, rng_i, rng_d = (np.random.default_rng(s)
                                         for s in np.random.SeedSequence(cfg.seed).spawn(5))
    cents_df = _centroids(cfg)
    cents = cents_df.to_numpy()
    shares = np.array([t.share for t in cfg.types], dtype=float)
    shares /= shares.sum()
    cust_type = rng_c.choice(len(cfg.types), size=cfg.n_customers, p=shares)
    cust_z = _latent(cust_type, cents, cfg.noise, rng_c)
    ref = pd.Timestamp(cfg.reference_date)
    cust_ids = _ids("C", cfg.n_customers, 6)
    features = _crm(cust_z - shares @ cents, cfg, ref, rng_c)
    customers = pd.DataFrame({"customer_id": pd.array(cust_ids, dtype="string"), **features})
    customer_truth = pd.DataFrame({"customer_id": customers["customer_id"],
                                   "type": np.asarray([t.key for t in cfg.types])[cust_type]})
    instrument, responses, resp_truth, lam = _survey(
        cfg, per, cents, shares, cust_type, cust_z, cust_ids, rng_s, rng_f)
    codes, participants, part_truth, pii = _interviews(cfg, cents, rng_i)
    responses, instrument = _profile_columns(cfg, responses, instrument, resp_truth, rng_d)
    return SynthStudy(
        config=cfg, instrument=instrument, responses=responses, interviews=codes,
        participants=participants, customers=customers, respondent_truth=resp_truth,
        customer_truth=customer_truth, participant_truth=part_truth, pii=pii,
        population_shares=pd.Series(shares, index=[t.key for t in cfg.types], name="share"),
        centroids=cents_df, loadings=lam,
    )
