"""The settings of a simulated study: planted types, CRM features, flaw rates, validation.

:class:`StudyConfig` holds everything that defines a study (its defaults are the
demo) and :func:`demo_config` builds one with overrides; :func:`check_config`
rejects inconsistent settings with an :class:`~behaviortypes.errors.InputError`
before anything is simulated.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError

__all__ = [
    "DEMO_DIMENSIONS",
    "DEMO_TYPES",
    "CRM_FEATURES",
    "FLAWS",
    "TypeSpec",
    "StudyConfig",
    "demo_config",
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
DEVICES = ("app", "mobile_web", "desktop")

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


def check_config(cfg: StudyConfig) -> tuple[int, ...]:
    """Check that ``cfg`` is consistent; return the item count per dimension.

    Raises
    ------
    InputError
        Naming the setting, its value and how to fix it.
    """
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


def effective_crm_effects(cfg: StudyConfig) -> dict[str, dict[str, float]]:
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
                     for j, lvl in enumerate(DEVICES)})
        base["first_order_date"] = {dims[-1]: 0.45}
    base.update({k: dict(v) for k, v in cfg.crm_effects.items()})
    return {k: {d: float(x) for d, x in v.items() if d in dims} for k, v in base.items()}

