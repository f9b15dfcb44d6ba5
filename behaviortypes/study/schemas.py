"""Pydantic schemas of the discovery folder's JSON and YAML files.

Contracts (what later stages, the report and users rely on) are typed and required;
evidence (tables of indices that grow as methods improve) is a dict or a list of
dicts that accepts any keys. Every model allows keys it does not know, so a folder
written by a newer version still loads, and a field added by a stage is kept.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "Record",
    "SizeEntry",
    "StabilityRow",
    "Solution",
    "Retention",
    "FactorsFile",
    "TypeEntry",
    "TypesFile",
    "ConfusionMatrix",
    "CardMetrics",
    "CardLink",
    "ImportanceRow",
    "CardShare",
    "LookalikeCard",
    "BaseShares",
    "Source",
    "ScreeningCount",
    "ScreeningSummary",
    "CfaFile",
]

#: An evidence record: any keys, any JSON values.
Record = dict[str, Any]


class _File(BaseModel):
    """A file's top level: typed contract fields, unknown keys kept."""

    model_config = ConfigDict(extra="allow", frozen=True)


class SizeEntry(_File):
    """One type's size in ``solution.json``: weighted share with its 95 % interval."""

    n: int = Field(ge=0)
    share: float = Field(ge=0, le=1)
    ci_low: float = Field(ge=0, le=1)
    ci_high: float = Field(ge=0, le=1)


class StabilityRow(_File):
    """One type's stability in ``solution.json`` (``jaccard_mean``: split-half Jaccard)."""

    type_id: int = Field(ge=1)
    jaccard_mean: float | None = None


class Solution(_File):
    """``solution.json``: the number of factors and types, why, and the type sizes."""

    survey: str | None = None
    n_respondents: int = Field(ge=0)
    n_kept: int = Field(ge=0)
    n_factors: int = Field(ge=1)
    factor_reason: str
    #: The factor reason, language-neutral (``{"code", "values"}`` sentences for
    #: :func:`behaviortypes.i18n.reason_text`); the report prefers it to ``factor_reason``.
    factor_reason_code: list[Record] | None = None
    factor_evidence: list[Record]
    k: int = Field(ge=1)
    k_reason: str
    #: The k reason, language-neutral, when the types stage records one.
    k_reason_code: list[Record] | Record | None = None
    k_evidence: list[Record]
    k_method: str = ""
    sizes: dict[int, SizeEntry]
    stability: list[StabilityRow] = Field(default_factory=list)
    seed: int
    n_resamples: int | None = None
    structure_warning: str | None = None
    typing_tool: Record = Field(default_factory=dict)
    #: The response-style decision (``quality.StyleDecision.to_dict()``): ``corrected``,
    #: ``method``, ``reason``, ``evidence``, ``thresholds``.
    response_styles: Record | None = None
    #: Whether the types are levels of one general dimension
    #: (:func:`behaviortypes.stages.level_share`: ``share``, ``general``, ``levels``).
    k_levels: Record | None = None

    @model_validator(mode="after")
    def _one_size_per_type(self) -> "Solution":
        if len(self.sizes) != self.k:
            raise ValueError(f"'sizes' has {len(self.sizes)} entries for k = {self.k} types")
        return self

    def stability_of(self, type_id: int) -> float | None:
        """Mean split-half Jaccard of a type (None when not recorded)."""
        for row in self.stability:
            if row.type_id == type_id:
                return row.jaccard_mean
        return None


class Retention(_File):
    """``factors.json`` ``retention``: the reason for the number kept and the evidence table."""

    reason: str
    rule: str = ""
    table: dict[str, Record] = Field(default_factory=dict)


class FactorsFile(_File):
    """``factors.json``: the fitted factor model as a record (see ``FactorModel.to_dict``)."""

    n_factors: int = Field(ge=1)
    retention: Retention
    factor_names: dict[str, str] = Field(default_factory=dict)
    factorability: list[Record] = Field(default_factory=list)
    loadings: dict[str, Record] = Field(default_factory=dict)
    reliability: dict[str, Record] = Field(default_factory=dict)
    heywood: list[str] = Field(default_factory=list)
    flags: list[Record] = Field(default_factory=list)


#: a hex colour as matplotlib reads one (``#rgb``, ``#rgba``, ``#rrggbb``, ``#rrggbbaa``)
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")


def _colour_ok(value: str) -> bool:
    if isinstance(value, str) and _HEX_COLOUR.fullmatch(value):  # types.yaml's own colours: without
        return True  # matplotlib (0.4 CPU s; every command that reads a discovery folder)
    from matplotlib.colors import is_color_like  # a named colour ("teal"): no pyplot

    return bool(is_color_like(value))


class TypeEntry(_File):
    """One entry of ``types.yaml``; the user may add keys of their own (they are kept)."""

    type_id: int = Field(ge=1)
    name: str = Field(min_length=1)
    tagline: str = ""
    description: str = ""
    color: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _needs_id_and_name(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "type_id" not in data or "name" not in data:
            raise ValueError("needs type_id and name")
        # a blank tagline or description (``tagline:``) is as if it were not there
        return {k: v for k, v in data.items() if not (v is None and k in {"tagline", "description", "color"})}

    @field_validator("type_id", mode="before")
    @classmethod
    def _whole(cls, value: Any) -> Any:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError("type_id must be a whole number")
        if isinstance(value, str) and not value.strip().isdigit():
            raise ValueError("type_id must be a whole number")
        return value

    @field_validator("name", "tagline", "description", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return value if isinstance(value, str) or value is None else str(value)

    @field_validator("color", mode="before")
    @classmethod
    def _colour(cls, value: Any) -> Any:
        if value in (None, ""):
            return None
        if not _colour_ok(str(value)):
            raise ValueError("not a colour")
        return str(value)


class TypesFile(_File):
    """``types.yaml``: ``types: [{type_id, name, tagline, description, color}]``."""

    types: list[TypeEntry] = Field(min_length=1)

    @property
    def names(self) -> dict[int, str]:
        """Type id → name."""
        return {t.type_id: t.name for t in self.types}

    def get(self, type_id: int) -> TypeEntry | None:
        """The entry of a type, or None."""
        return next((t for t in self.types if t.type_id == type_id), None)


class ConfusionMatrix(_File):
    """Cross-validated confusion matrix: rows true type, columns predicted type."""

    type_ids: list[int]
    counts: list[list[float]]

    @model_validator(mode="after")
    def _square(self) -> "ConfusionMatrix":
        n = len(self.type_ids)
        if len(self.counts) != n or any(len(r) != n for r in self.counts):
            raise ValueError(f"counts must be {n} × {n} (one row and column per type id)")
        return self


class CardMetrics(_File):
    """Cross-validated metrics of the chosen lookalike model."""

    accuracy: float
    macro_f1: float
    log_loss: float
    ece: float
    reliability: list[Record] = Field(default_factory=list)
    per_type: list[Record] = Field(default_factory=list)
    confusion_matrix: ConfusionMatrix | None = None


class CardLink(_File):
    """How many respondents were linked to customers."""

    n_respondents: int = Field(ge=0)
    n_linked: int = Field(ge=0)


class ImportanceRow(_File):
    """Permutation importance of one customer feature."""

    feature: str
    importance: float


class CardShare(_File):
    """A type's share: in the survey, raw predicted in the base, corrected for the priors."""

    type_id: int
    survey_share: float
    corrected_share: float
    corrected_ci_low: float | None = None
    corrected_ci_high: float | None = None


class LookalikeCard(_File):
    """``lookalike_card.json``: features, cross-validated metrics, calibration, priors."""

    id_column: str
    feature_columns: list[str]
    type_ids: list[int]
    type_names: dict[int, str] = Field(default_factory=dict)
    chosen_model: str
    chosen_calibration: str | None = None
    link: CardLink
    metrics: CardMetrics
    permutation_importance: list[ImportanceRow] = Field(default_factory=list)
    shares: list[CardShare] = Field(default_factory=list)
    base_priors: dict[int, float] = Field(default_factory=dict)
    typing_tool: Record = Field(default_factory=dict)


class BaseShares(_File):
    """``base_shares.json``: the type shares of the scored customer base."""

    shares: dict[int, float]
    n_customers: int = Field(ge=0)
    scored_file: str = ""
    corrected: bool = True
    #: 95 % bootstrap interval of each corrected share (from ``lookalike_card.json``), when known.
    ci_low: dict[int, float] = Field(default_factory=dict)
    ci_high: dict[int, float] = Field(default_factory=dict)


class Source(_File):
    """``source.json``: which survey (and which bytes of it) the folder came from."""

    survey_dir: str
    responses_file: str
    checksum: str
    instrument: Record
    seed: int
    created: str = ""
    versions: dict[str, str] = Field(default_factory=dict)


class ScreeningCount(_File):
    """Respondents flagged by one screen."""

    count: int = Field(ge=0)
    share: float = Field(ge=0, le=1)


class ScreeningSummary(_File):
    """``screening_summary.json``: respondents flagged per screen (``any``, ``kept`` too)."""

    n_respondents: int = Field(ge=0)
    n_kept: int = Field(ge=0)
    summary: dict[str, ScreeningCount]
    settings: Record = Field(default_factory=dict)

    @property
    def reasons(self) -> dict[str, int]:
        """Flag counts per screen, without the ``any`` and ``kept`` totals."""
        return {k: v.count for k, v in self.summary.items() if k not in {"any", "kept"}}


class CfaFile(_File):
    """``cfa.json``: the factor structure confirmed on a held-out half (``discover``'s CFA check).

    Fit indices are null when no model was fitted (``note_code`` says why: ``no_model``,
    ``few_respondents``, ``failed``); ``not_converged`` keeps them, not to be trusted.
    ``missing``: ``"ml"`` when respondents with unanswered statements were included by
    full-information ML (``n_complete`` of the ``n`` answered every statement),
    ``"listwise"`` when only complete respondents were; both absent in folders written
    before session 13.
    """

    n: int = Field(ge=0)
    n_complete: int | None = Field(None, ge=0)
    missing: str | None = None  # "ml", "listwise"
    n_factors: int = Field(ge=0)
    cfi: float | None = None
    tli: float | None = None
    rmsea: float | None = None
    srmr: float | None = None
    chi2: float | None = None
    df: float | None = None
    p_value: float | None = None
    model: str = ""
    dropped_factors: list[str] = Field(default_factory=list)
    converged: bool | None = None
    note_code: str = ""  # "", no_model, few_respondents, not_converged, failed
    note: str = ""
    holdout: float = Field(0.5, gt=0, lt=1)
    seed: int | None = None

    @property
    def fitted(self) -> bool:
        """Whether there are fit indices to read (fitted and converged)."""
        return self.note_code == "" and self.cfi is not None and self.rmsea is not None
