"""The demo study generator: planted behaviour types, a survey, coded interviews, a customer base.

Two layers:

* :func:`simulate_study` turns a :class:`StudyConfig` into an in-memory
  :class:`SynthStudy` (survey responses, instrument, interviews, customer base
  *and the truth*). Other modules use it for planted-structure tests.
* :func:`make_study` writes a study folder (``instrument.yaml``, ``responses.csv``,
  ``interviews/codes.csv`` + ``participants.csv``, ``customers.parquet``) and,
  when asked, the truth to a separate folder. ``behaviortypes demo`` calls it.

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

With the demo defaults (seeds 0-6) a logistic regression on the items of clean
respondents recovers the type with 93-96 % cross-validated accuracy, EFA + k-means
reaches an adjusted Rand index of about 0.88-0.91 (a full-covariance Gaussian
mixture on the factor scores picks k=5 by BIC), and a logistic regression on the
CRM features reaches about 80 % (majority class 30 %).

References
----------
Efraimidis, P. S., & Spirakis, P. G. (2006). Weighted random sampling with a
reservoir. *Information Processing Letters*, 97(5), 181-185.

Examples
--------
>>> study = simulate_study(demo_config(n_customers=5_000, n_respondents=300))
>>> study.responses.shape[0]
300
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError
from .files import atomic_path, staged_dir, write_csv, write_json, write_yaml
from .instrument import instrument_from_dict

__all__ = [
    "DEMO_DIMENSIONS",
    "DEMO_TYPES",
    "CRM_FEATURES",
    "FLAWS",
    "TypeSpec",
    "StudyConfig",
    "SynthStudy",
    "demo_config",
    "simulate_study",
    "make_study",
]

FLAWS = ("none", "straightliner", "speeder", "random", "attention")
DEMO_DIMENSIONS = (
    "research_depth", "inspiration", "price_focus", "convenience", "social_proof", "loyalty",
)


@dataclass(frozen=True)
class TypeSpec:
    """One planted behaviour type.

    Parameters
    ----------
    key : str
        Identifier used in the truth tables (e.g. ``"quick_searcher"``).
    name : str
        Display name (e.g. ``"The quick searcher"``).
    share : float
        Share of the customer population (shares are normalised to sum to 1).
    centroid : mapping of str to float
        Latent mean per dimension (dimensions not named are 0).
    response_propensity : float, default=1.0
        Relative propensity to answer a survey invitation.
    age_shift : float, default=0.0
        Tilts the age-band distribution (positive = older).
    """

    key: str
    name: str
    share: float
    centroid: Mapping[str, float]
    response_propensity: float = 1.0
    age_shift: float = 0.0


DEMO_TYPES = (
    TypeSpec("quick_searcher", "The quick searcher", 0.30,
             {"convenience": 1.3, "research_depth": -1.0, "inspiration": -0.8}, 1.0, -0.1),
    TypeSpec("explorer", "The explorer", 0.25,
             {"inspiration": 1.3, "research_depth": 0.9, "convenience": -0.7}, 1.7, -0.2),
    TypeSpec("bargain_hunter", "The bargain hunter", 0.20,
             {"price_focus": 1.4, "loyalty": -0.9, "research_depth": 0.5}, 1.3, 0.2),
    TypeSpec("loyal_regular", "The loyal regular", 0.15,
             {"loyalty": 1.4, "price_focus": -0.8, "convenience": 0.5}, 2.5, 0.6),
    TypeSpec("social_shopper", "The social shopper", 0.10,
             {"social_proof": 1.6, "inspiration": 0.5, "research_depth": -0.6,
              "convenience": 0.2}, 1.5, -0.8),
)

# name -> (kind, base, spread). kind: negbin (mean, r), lognormal (median, sigma),
# beta (mean, concentration), exponential (mean), poisson1 (mean of 1 + Poisson).
CRM_FEATURES: dict[str, tuple[str, float, float]] = {
    "visits_90d": ("negbin", 9.0, 2.0),
    "avg_session_min": ("lognormal", 6.5, 0.5),
    "search_share": ("beta", 0.35, 8.0),
    "orders_12m": ("negbin", 4.0, 2.0),
    "avg_order_value": ("lognormal", 55.0, 0.45),
    "discount_share": ("beta", 0.22, 8.0),
    "days_since_last_order": ("exponential", 40.0, 0.0),
    "app_share": ("beta", 0.40, 4.0),
    "category_breadth": ("poisson1", 3.0, 0.0),
    "reviews_viewed_90d": ("negbin", 5.0, 1.5),
    "wishlist_adds_90d": ("negbin", 3.0, 1.2),
    "newsletter_clicks_90d": ("negbin", 2.0, 1.0),
    # categorical: one logit per level; date: mean tenure in days
    "preferred_device": ("categorical", 0.0, 0.0),
    "first_order_date": ("date", 800.0, 0.0),
}
_DEVICES = ("app", "mobile_web", "desktop")

_DEFAULT_CRM_EFFECTS: dict[str, dict[str, float]] = {
    "visits_90d": {"inspiration": 0.35, "convenience": 0.15, "loyalty": 0.30, "social_proof": 0.15},
    "avg_session_min": {"research_depth": 0.30, "inspiration": 0.30, "convenience": -0.35},
    "search_share": {"convenience": 0.45, "inspiration": -0.40, "research_depth": 0.20},
    "orders_12m": {"loyalty": 0.45, "convenience": 0.25, "price_focus": 0.10},
    "avg_order_value": {"price_focus": -0.30, "loyalty": 0.15, "research_depth": 0.15},
    "discount_share": {"price_focus": 0.80, "loyalty": -0.25},
    "days_since_last_order": {"loyalty": -0.45, "convenience": -0.20},
    "app_share": {"convenience": 0.45, "loyalty": 0.35, "social_proof": 0.20,
                  "research_depth": -0.2},
    "category_breadth": {"inspiration": 0.30, "social_proof": 0.15, "convenience": -0.15},
    "reviews_viewed_90d": {"social_proof": 0.55, "research_depth": 0.45, "convenience": -0.20},
    "wishlist_adds_90d": {"inspiration": 0.50, "social_proof": 0.25, "price_focus": 0.15},
    "newsletter_clicks_90d": {"price_focus": 0.35, "loyalty": 0.30, "inspiration": 0.20},
    "preferred_device.app": {"convenience": 0.6, "loyalty": 0.5},
    "preferred_device.mobile_web": {"social_proof": 0.6, "inspiration": 0.4},
    "preferred_device.desktop": {"research_depth": 0.6, "price_focus": 0.3},
    "first_order_date": {"loyalty": 0.45},
}


@dataclass(frozen=True)
class StudyConfig:
    """Everything that defines a simulated study; the defaults are the demo.

    Parameters
    ----------
    seed : int, default=0
        Seeds every random step (same seed and config give identical output).
    n_respondents, n_customers, n_interviews : int
        Survey respondents (1,200), customers in the base (100,000), interviewees (20).
    dimensions : tuple of str
        Latent behaviour dimensions; each is also an interview theme code.
    types : tuple of TypeSpec
        The planted types (shares, centroids, response propensities).
    separation : float, default=1.0
        Multiplies every centroid (0 = no structure).
    noise : float, default=0.43
        Within-type standard deviation of the latent scores.
    item_noise : float, default=0.45
        Standard deviation of each item's unique part (loadings are 0.6-0.85).
    items_per_dimension : int or tuple of int, default=(5, 5, 5, 5, 4, 4)
        Survey statements per dimension (28 in the demo).
    reverse_share : float, default=0.25
        Share of reverse-keyed statements.
    cross_loadings : tuple of (primary, secondary)
        One item of ``primary`` per pair also loads ``cross_loading`` on ``secondary``.
    cross_loading : float, default=0.4
    straightliner_rate, speeder_rate, random_rate, attention_rate : float
        Shares of respondents with each flaw (exact counts, rounded; exclusive).
    missing_rate : float, default=0.02
        Share of item cells left empty (completely at random).
    n_attention_checks : {0, 1, 2}, default=2
    customer_share : float, default=0.7
        Share of respondents who are customers in the base.
    response_bias : float, default=1.0
        Exponent on ``response_propensity`` (0 = every type answers equally often).
    crm_signal : float, default=1.0
        Multiplies every CRM effect (0 = features carry no type signal).
    crm_effects : mapping, optional
        ``feature -> {dimension: effect}`` on the link scale (log for counts, amounts and
        recency, logit for shares, per-level logit ``preferred_device.<level>``, log mean
        tenure for ``first_order_date``); replaces the defaults of the features named.
    n_pii_quotes : int, default=4
        Interview quotes with planted personal data (names, e-mail, phone).
    reference_date : str, default="2026-06-30"
        "Today" for recency and first-order dates.
    study_name : str, default="Demo e-commerce study"
    """

    seed: int = 0
    n_respondents: int = 1200
    n_customers: int = 100_000
    n_interviews: int = 20
    dimensions: tuple[str, ...] = DEMO_DIMENSIONS
    types: tuple[TypeSpec, ...] = DEMO_TYPES
    separation: float = 1.0
    noise: float = 0.43
    item_noise: float = 0.45
    items_per_dimension: int | tuple[int, ...] = (5, 5, 5, 5, 4, 4)
    reverse_share: float = 0.25
    cross_loadings: tuple[tuple[str, str], ...] = (
        ("price_focus", "research_depth"), ("inspiration", "social_proof"),
        ("convenience", "loyalty"),
    )
    cross_loading: float = 0.4
    straightliner_rate: float = 0.03
    speeder_rate: float = 0.03
    random_rate: float = 0.03
    attention_rate: float = 0.03
    missing_rate: float = 0.02
    n_attention_checks: int = 2
    customer_share: float = 0.7
    response_bias: float = 1.0
    crm_signal: float = 1.0
    crm_effects: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    n_pii_quotes: int = 4
    reference_date: str = "2026-06-30"
    study_name: str = "Demo e-commerce study"


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
        country``, the items and attention checks (nullable ``Int64``, empty = missing).
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
            "crm_effects": _crm_effects(self.config),
            "config": dataclasses.asdict(self.config),
        }


# --------------------------------------------------------------------------- texts
_ITEM_BANK: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "research_depth": ((
        "I read several reviews before I buy anything expensive.",
        "I compare product specifications in detail before deciding.",
        "I like to know everything about a product before I order it.",
        "I check independent tests or comparison sites before buying.",
        "I often spend days researching a purchase.",
        "I read the product description and size guide carefully.",
    ), (
        "I usually buy the first product that looks good enough.",
        "Reading lots of reviews is a waste of my time.",
        "I rarely look at the details before I order.",
    )),
    "inspiration": ((
        "I enjoy browsing online shops without anything particular in mind.",
        "I often discover products I did not know I wanted.",
        "Scrolling through new arrivals is a pleasure for me.",
        "I like shops that surprise me with new ideas.",
        "I save products to wish lists to come back to later.",
        "I look at styled collections and lookbooks for ideas.",
    ), (
        "I only visit a shop when I know exactly what I need.",
        "Browsing without a purpose bores me.",
        "I find product recommendations distracting.",
    )),
    "price_focus": ((
        "I always look for a discount code before I pay.",
        "I wait for the sales before buying things I want.",
        "Price is the most important thing when I choose where to buy.",
        "I sign up to newsletters to get special offers.",
        "I switch shops to save even a small amount.",
        "I check whether the price has dropped before ordering.",
    ), (
        "I am happy to pay more for a better shopping experience.",
        "I rarely think about whether I could get it cheaper.",
        "Hunting for deals is not worth the effort for me.",
    )),
    "convenience": ((
        "I want to be done with my shopping as quickly as possible.",
        "Fast delivery matters more to me than choice.",
        "I use the search bar to go straight to what I want.",
        "I like to reorder things with one click.",
        "A quick checkout is essential for me.",
        "Saved payment details make my life easier.",
    ), (
        "I don't mind taking my time over an online order.",
        "Waiting a few extra days for delivery does not bother me.",
        "I often take the long way through a shop's menus.",
    )),
    "social_proof": ((
        "I trust products that many other people have rated highly.",
        "I buy things I have seen friends or influencers use.",
        "Star ratings strongly influence what I buy.",
        "I like to see photos from other customers before buying.",
        "Bestseller labels make me more likely to buy.",
        "I ask friends for their opinion before a bigger purchase.",
    ), (
        "What other people think of a product does not affect my choice.",
        "I ignore ratings and trust my own judgement.",
        "Influencer recommendations leave me cold.",
    )),
    "loyalty": ((
        "I usually buy from the same few shops.",
        "I go back to a shop that has treated me well.",
        "I am a member of the loyalty programmes of shops I like.",
        "I would recommend my favourite shop to friends.",
        "I check my favourite shop first before looking elsewhere.",
        "I feel a connection with some of the brands I buy.",
    ), (
        "I have no favourite online shop.",
        "I would switch shops without a second thought.",
        "Loyalty points do not make me come back.",
    )),
}
_CROSS_TEXTS = {
    ("price_focus", "research_depth"): "I compare prices on several sites before I order.",
    ("inspiration", "social_proof"): "I get ideas for things to buy from what others post online.",
    ("convenience", "loyalty"): "I stick to the shop where I know checkout is quick.",
}

_QUOTES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "research_depth": ((
        "I read loads of reviews before I commit to anything.",
        "I'll have ten tabs open comparing specs before I buy a laptop.",
        "I want to know exactly what I'm getting, so I dig into the details.",
        "I check the test results and the forums first, always.",
        "I can spend a whole week researching a kettle.",
    ), (
        "I don't really read reviews, I just pick something decent.",
        "If it looks fine I buy it, I don't overthink it.",
        "Researching everything is exhausting, I just go with my gut.",
    )),
    "inspiration": ((
        "I love scrolling through the new-in section on a Sunday.",
        "Half the things I buy I find by accident while browsing.",
        "I get a lot of ideas from the styled pages and lookbooks.",
        "My wish list is enormous, I save everything I like.",
        "Browsing is like window shopping for me, it relaxes me.",
    ), (
        "I never browse, I go in for what I need and I'm out.",
        "The recommendations just distract me.",
        "Browsing for fun? No, I don't have time for that.",
    )),
    "price_focus": ((
        "I never pay full price if I can help it.",
        "I always search for a voucher code before I check out.",
        "I wait for Black Friday for the bigger things.",
        "If another site is two euros cheaper I'll go there.",
        "I'm signed up to all the newsletters just for the discounts.",
    ), (
        "I don't chase deals, it's not worth my time.",
        "I'd rather pay a bit more and have it sorted.",
        "Price isn't really what decides it for me.",
    )),
    "convenience": ((
        "I just type what I want into the search and buy it.",
        "Next-day delivery is the main thing for me.",
        "One-click reorder is a lifesaver with two kids.",
        "If checkout takes more than a minute I give up.",
        "I want it done quickly, in and out.",
    ), (
        "I don't mind if delivery takes a week.",
        "I take my time, there's no rush with online shopping.",
    )),
    "social_proof": ((
        "If something has thousands of five-star reviews I trust it.",
        "I bought those trainers because everyone at work had them.",
        "I always look at the customer photos, not the studio ones.",
        "I've bought quite a few things influencers I follow recommended.",
        "I'll ask my sister before I buy anything big.",
    ), (
        "I don't care what other people rate things.",
        "Ratings can be faked, so I ignore them.",
    )),
    "loyalty": ((
        "I've been buying from them for years, why would I change?",
        "I go to my usual shop first, every time.",
        "Their loyalty points add up, so I keep going back.",
        "They sorted out a return really nicely once, so they've got me now.",
        "I feel like they know me there.",
    ), (
        "I'm not loyal to any shop, whoever has it cheapest or first.",
        "I switch all the time, I don't have a favourite.",
    )),
}
_EXTRA_THEMES = {
    "sustainability": (
        "I try to buy less and buy things that last.",
        "All that packaging really annoys me.",
        "I look for second-hand options first.",
    ),
    "returns_hassle": (
        "Returns are such a hassle that I sometimes just keep things.",
        "I worry about parcels being left outside the door.",
        "Printing return labels drives me mad.",
    ),
}
_PARENTS = {
    "research_depth": "decision_making", "price_focus": "decision_making",
    "social_proof": "decision_making", "inspiration": "shopping_journey",
    "convenience": "shopping_journey", "loyalty": "relationship_with_shops",
    "sustainability": "other_concerns", "returns_hassle": "other_concerns",
}
_OPENERS = ("", "", "", "Honestly, ", "I'd say ", "To be fair, ", "Well, ", "I think ", "For me, ")
_CONTEXTS = ("", "", "", " Especially with clothes.", " That's mostly for electronics.",
             " Same with groceries, really.", " It depends on the category, though.",
             " Even more so since I started working from home.")
_ENDINGS = ("", "", "", " You know?", " I suppose.", " That's just how I am.")
_NAMES = ("Erik", "Sofia", "Jonas", "Maria", "Lars", "Anna", "Tom", "Chloe")
_RELATIONS = ("my husband", "my wife", "my partner", "my friend", "my brother", "my daughter")
_SURNAMES = ("berg", "jansen", "miller", "dubois", "schmidt", "lindqvist")
_HINTS = {
    "quick_searcher": "busy, orders from the app", "explorer": "browses a lot, big wish list",
    "bargain_hunter": "newsletter deal clicker", "loyal_regular": "long-standing member",
    "social_shopper": "follows us on social media",
}
_AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
_AGE_BASE = np.array([0.12, 0.22, 0.22, 0.19, 0.15, 0.10])
_COUNTRIES = ("UK", "DE", "NL", "SE", "FR")
_COUNTRY_P = np.array([0.35, 0.25, 0.15, 0.10, 0.15])
_LABELS = {1: "Strongly disagree", 2: "Disagree", 3: "Neither agree nor disagree",
           4: "Agree", 5: "Strongly agree"}
_CHECKS = (("attn1", 4, "Please select 'Agree' for this statement."),
           ("attn2", 2, "To show you are reading carefully, please select 'Disagree'."))
_TAU = np.array([-1.6, -0.7, 0.15, 1.1])  # answer thresholds in sd units of y
_PRIMARY = (0.80, 0.70, 0.75, 0.60, 0.85, 0.65)  # cycled primary loadings


# --------------------------------------------------------------------------- config
def demo_config(**overrides: Any) -> StudyConfig:
    """The demo :class:`StudyConfig`, with any field replaced by keyword.

    Raises
    ------
    InputError
        If a keyword is not a :class:`StudyConfig` field.
    """
    names = {f.name for f in dataclasses.fields(StudyConfig)}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise InputError(
            f"unknown study setting {', '.join(unknown)}", value=unknown[0],
            hint=f"use one of {', '.join(sorted(names))}",
        )
    return dataclasses.replace(StudyConfig(), **overrides)


def _validate(cfg: StudyConfig) -> tuple[int, ...]:
    def bad(msg: str, value: Any, hint: str) -> InputError:
        return InputError(msg, value=value, hint=hint)

    if cfg.n_respondents < 10:
        raise bad("n_respondents must be at least 10", cfg.n_respondents, "use e.g. 1200")
    if cfg.n_customers < 1:
        raise bad("n_customers must be at least 1", cfg.n_customers, "use e.g. 100000")
    if not cfg.types or len(cfg.types) < 2:
        raise bad("at least two types are needed", len(cfg.types), "list TypeSpec objects in types")
    if len({t.key for t in cfg.types}) != len(cfg.types):
        raise bad("type keys must be unique", [t.key for t in cfg.types], "rename the types")
    for t in cfg.types:
        if not t.share > 0 or not t.response_propensity > 0:
            raise bad(f"type '{t.key}' needs a positive share and response_propensity",
                      t.share, "shares are relative and normalised to sum to 1")
        extra = sorted(set(t.centroid) - set(cfg.dimensions))
        if extra:
            raise bad(f"type '{t.key}' has a centroid on unknown dimension '{extra[0]}'", extra[0],
                      f"dimensions are {', '.join(cfg.dimensions)}")
    for name in ("customer_share", "missing_rate", "reverse_share"):
        value = getattr(cfg, name)
        if not 0 <= value <= 1:
            raise bad(f"{name} must be between 0 and 1", value, "it is a share, e.g. 0.02")
    rates = [getattr(cfg, f"{f}_rate") for f in FLAWS[1:]]
    if min(rates) < 0 or sum(rates) > 0.9:
        raise bad("flaw rates must be >= 0 and sum to at most 0.9", sum(rates),
                  "lower straightliner_rate, speeder_rate, random_rate or attention_rate")
    if cfg.n_attention_checks not in (0, 1, 2):
        raise bad("n_attention_checks must be 0, 1 or 2", cfg.n_attention_checks, "use 2")
    per = cfg.items_per_dimension
    per = (per,) * len(cfg.dimensions) if isinstance(per, int) else tuple(per)
    if len(per) != len(cfg.dimensions) or min(per) < 2:
        raise bad("items_per_dimension needs one count >= 2 per dimension", per,
                  f"give {len(cfg.dimensions)} counts or one int")
    for pair in cfg.cross_loadings:
        if len(pair) != 2 or pair[0] == pair[1] or not set(pair) <= set(cfg.dimensions):
            raise bad("each cross_loadings pair names two different dimensions", pair,
                      f"dimensions are {', '.join(cfg.dimensions)}")
    for feat, eff in cfg.crm_effects.items():
        base = feat.split(".")[0]
        if base not in CRM_FEATURES or not set(eff) <= set(cfg.dimensions):
            raise bad(f"unknown CRM feature or dimension in crm_effects['{feat}']", feat,
                      f"features are {', '.join(CRM_FEATURES)}")
    n_linked = round(cfg.customer_share * cfg.n_respondents)
    if n_linked > cfg.n_customers:
        raise bad(f"{n_linked} respondents should be customers but the base has only "
                  f"{cfg.n_customers}", cfg.n_customers,
                  "raise n_customers or lower customer_share")
    return per


# --------------------------------------------------------------------------- model
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
        fwd, rev = _ITEM_BANK.get(dim, ((), ()))
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
            entries[slot].update(second=cross[dim], load=0.6, reverse=False, text=_CROSS_TEXTS.get(
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


def _crm_effects(cfg: StudyConfig) -> dict[str, dict[str, float]]:
    """Effective ``feature -> {dimension: effect}``: defaults, then ``cfg.crm_effects``.

    Studies whose dimensions are not the demo's get a generic pattern: numeric feature
    ``j`` loads +0.5 on dimension ``j`` and -0.25 on dimension ``j + 1`` (cyclically).
    """
    dims = list(cfg.dimensions)
    if set(dims) & set(DEMO_DIMENSIONS):
        base = {k: dict(v) for k, v in _DEFAULT_CRM_EFFECTS.items()}
    else:
        n = len(dims)
        numeric = [f for f, spec in CRM_FEATURES.items() if spec[0] not in ("categorical", "date")]
        base = {f: {dims[j % n]: 0.5, dims[(j + 1) % n]: -0.25} for j, f in enumerate(numeric)}
        base.update({f"preferred_device.{lvl}": {dims[j % n]: 0.6}
                     for j, lvl in enumerate(_DEVICES)})
        base["first_order_date"] = {dims[-1]: 0.45}
    base.update({k: dict(v) for k, v in cfg.crm_effects.items()})
    return {k: {d: float(x) for d, x in v.items() if d in dims} for k, v in base.items()}


def _crm(z_centered, cfg, ref, rng) -> dict[str, Any]:
    effects = _crm_effects(cfg)
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
                                      for lvl, b in zip(_DEVICES, (0.0, 0.2, -0.1))])
            pick = np.argmax(logits + rng.gumbel(size=logits.shape), axis=1)
            out[name] = pd.array(np.asarray(_DEVICES, dtype=object)[pick], dtype="string")
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
    checks = _CHECKS[: cfg.n_attention_checks]
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
        "duration_column": "duration_s", "scale": {"min": 1, "max": 5, "labels": dict(_LABELS)},
        "items": items,
        "attention_checks": [{"id": c[0], "expect": c[1]} for c in checks],
    }
    instrument_from_dict(instrument)  # the generated instrument must always be valid
    return instrument, responses, truth, lam


def _quote(theme: str, pole: int, rng: np.random.Generator, used: set[str]) -> str:
    """A varied quote for ``theme`` (``pole`` > 0: agrees), avoiding cores in ``used``."""
    if theme in _EXTRA_THEMES:
        bank = _EXTRA_THEMES[theme]
    elif theme in _QUOTES:
        bank = _QUOTES[theme][0 if pole > 0 else 1]
    else:
        label = theme.replace("_", " ")
        bank = (f"{label.capitalize()} matters a lot to me.",) if pole > 0 else (
            f"{label.capitalize()} doesn't really matter to me.",)
    fresh = [c for c in bank if c not in used] or list(bank)
    core = fresh[rng.integers(len(fresh))]
    used.add(core)
    opener = _OPENERS[rng.integers(len(_OPENERS))]
    if opener and not core.startswith(("I ", "I'")):
        core = core[0].lower() + core[1:]
    return (opener + core + _CONTEXTS[rng.integers(len(_CONTEXTS))]
            + _ENDINGS[rng.integers(len(_ENDINGS))])


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
                themes.append((dim, 1))
        if len(themes) < 2:
            for d in np.argsort(-z[i]):
                if all(t[0] != cfg.dimensions[d] for t in themes) and len(themes) < 2:
                    themes.append((cfg.dimensions[d], 1))
        themes += [(x, 1) for x in _EXTRA_THEMES if rng.random() < 0.1]
        for theme, pole in themes:
            used: set[str] = set()
            for _ in range(1 + int(rng.random() < 0.35)):
                quote = _quote(theme, pole, rng, used)
                rows.append({"participant_id": pid[i], "theme": theme,
                             "parent": _PARENTS.get(theme, "behaviour"), "quote": quote})
    codes = pd.DataFrame(rows, columns=["participant_id", "theme", "parent", "quote"])
    pii = []
    n_pii = min(cfg.n_pii_quotes, len(codes))
    for row in np.sort(rng.choice(len(codes), size=n_pii, replace=False)):
        kind = ("name", "email", "phone")[len(pii) % 3]
        first = _NAMES[rng.integers(len(_NAMES))]
        if kind == "name":
            text = first
            rel = _RELATIONS[rng.integers(len(_RELATIONS))]
            extra = (f" {rel.capitalize()} {first} always laughs at me about it.",
                     f" I do it together with {rel} {first}.",
                     f" {first}, {rel}, thinks I overdo it.")[rng.integers(3)]
        elif kind == "email":
            text = f"{first.lower()}.{_SURNAMES[rng.integers(len(_SURNAMES))]}@example.com"
            extra = f" I can send you the receipts, just email me at {text}."
        else:
            text = f"07700 900{rng.integers(100, 1000)}"
            extra = f" If you need more, call me on {text}."
        codes.loc[row, "quote"] += extra
        pii.append({"row": int(row) + 1, "participant_id": codes.loc[row, "participant_id"],
                    "kind": kind, "text": text})
    keys = [cfg.types[t].key for t in t_idx]
    hints = [_HINTS.get(key, key.replace("_", " ")) if rng.random() < 0.8
             else _HINTS.get(cfg.types[rng.integers(k)].key, "general shopper") for key in keys]
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
    >>> study = simulate_study(demo_config(n_customers=2_000, n_respondents=200, seed=7))
    >>> sorted(study.respondent_truth["flaw"].unique())
    ['attention', 'none', 'random', 'speeder', 'straightliner']
    >>> study.loadings.shape
    (28, 6)
    """
    cfg = config if config is not None else StudyConfig()
    per = _validate(cfg)
    rng_c, rng_s, rng_f, rng_i = (np.random.default_rng(s)
                                  for s in np.random.SeedSequence(cfg.seed).spawn(4))
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
    return SynthStudy(
        config=cfg, instrument=instrument, responses=responses, interviews=codes,
        participants=participants, customers=customers, respondent_truth=resp_truth,
        customer_truth=customer_truth, participant_truth=part_truth, pii=pii,
        population_shares=pd.Series(shares, index=[t.key for t in cfg.types], name="share"),
        centroids=cents_df, loadings=lam,
    )


def make_study(
    out_dir: str | Path,
    *,
    seed: int = 0,
    n_respondents: int = 1200,
    n_customers: int = 100_000,
    truth_dir: str | Path | None = None,
    progress: bool = False,
    **overrides: Any,
) -> SynthStudy:
    """Simulate a study and write it as a survey folder (and, optionally, the truth).

    Parameters
    ----------
    out_dir : str or Path
        Survey folder to write: ``instrument.yaml``, ``responses.csv``,
        ``interviews/codes.csv``, ``interviews/participants.csv``, ``customers.parquet``.
    seed, n_respondents, n_customers : int
        As in :class:`StudyConfig`.
    truth_dir : str or Path, optional
        Where to write ``respondents.csv``, ``customers.parquet`` (customer_id, type),
        ``participants.csv`` and ``truth.json``. Keep it outside the survey folder.
    progress : bool, default=False
        Show a progress bar.
    **overrides
        Any other :class:`StudyConfig` field.

    Returns
    -------
    SynthStudy

    Raises
    ------
    InputError
        If a setting is unknown or inconsistent.

    Notes
    -----
    Each folder is written through a staging folder, so an interrupted run leaves the
    previous files intact.
    """
    config = demo_config(seed=seed, n_respondents=n_respondents, n_customers=n_customers,
                         **overrides)
    steps = ["simulate", "survey", "customers"] + (["truth"] if truth_dir is not None else [])
    bar = None
    if progress:
        from rich.progress import Progress
        bar = Progress(transient=True)
        bar.start()
        task = bar.add_task("demo study", total=len(steps))
    try:
        study = simulate_study(config)
        if bar is not None:
            bar.advance(task)
        with staged_dir(out_dir) as stage:
            write_yaml(stage / "instrument.yaml", study.instrument)
            write_csv(stage / "responses.csv", study.responses)
            write_csv(stage / "interviews" / "codes.csv", study.interviews)
            write_csv(stage / "interviews" / "participants.csv", study.participants)
            if bar is not None:
                bar.advance(task)
            with atomic_path(stage / "customers.parquet") as tmp:
                study.customers.to_parquet(tmp, index=False)
        if bar is not None:
            bar.advance(task)
        if truth_dir is not None:
            with staged_dir(truth_dir) as stage:
                write_csv(stage / "respondents.csv", study.respondent_truth)
                write_csv(stage / "participants.csv", study.participant_truth)
                with atomic_path(stage / "customers.parquet") as tmp:
                    study.customer_truth.to_parquet(tmp, index=False)
                write_json(stage / "truth.json", study.to_dict())
            if bar is not None:
                bar.advance(task)
    finally:
        if bar is not None:
            bar.stop()
    return study
