"""Training the lookalike model from a discovery folder and a customer base.

:func:`train_lookalike` links the survey's respondents to their customer records,
fits :class:`LookalikeModel`, streams the customer base twice in batches (first
to collect the linked customers, then to predict a uniform random sample for the
prior-shift estimate), and writes ``lookalike.skops``, ``lookalike_card.json`` and
``typing_tool.yaml`` into the discovery folder.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError, SurveyQualityWarning
from ..files import library_versions, read_json, read_yaml, sha256_file, write_csv, write_json
from ..instrument import Instrument, instrument_from_dict
from .model import LookalikeModel
from .persist import save_model
from .priors import base_share_intervals, estimate_base_priors, shift_posteriors
from .typing_tool import TypingTool, build_typing_tool

__all__ = ["LookalikeResult", "train_lookalike"]

MODEL_FILE = "lookalike.skops"
CARD_FILE = "lookalike_card.json"
TYPING_TOOL_FILE = "typing_tool.yaml"
_SCORED_COLUMN = re.compile(r"^(type_id|type_name|probability|p_\d+)$")


@dataclass(frozen=True)
class LookalikeResult:
    """What :func:`train_lookalike` produced.

    Attributes
    ----------
    model : LookalikeModel
        Fitted, with ``base_priors_`` set to the estimated base shares.
    card : dict
        The content of ``lookalike_card.json``.
    typing_tool : TypingTool or None
        None when it could not be built (the reason is in ``card["typing_tool"]``).
    files : dict of str to Path
        ``model``, ``card`` and ``typing_tool`` paths written.
    """

    model: LookalikeModel
    card: dict[str, Any]
    typing_tool: TypingTool | None
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def shares(self) -> pd.DataFrame:
        """Survey, raw predicted and prior-corrected base shares, indexed by type id."""
        return pd.DataFrame(self.card["shares"]).set_index("type_id")

    def summary(self) -> str:
        """A few lines for people."""
        c = self.card
        m = c["metrics"]
        lines = [
            f"Lookalike: {c['link']['n_linked']} of {c['link']['n_respondents']} respondents "
            f"linked to {c['base']['n_customers']:,} customers; chosen model "
            f"{c['chosen_model']} ({c['chosen_calibration'] or 'own probabilities'})",
            f"Cross-validated accuracy {m['accuracy']:.3f}, macro-F1 {m['macro_f1']:.3f}, "
            f"log-loss {m['log_loss']:.3f}, ECE {m['ece']:.3f}",
            "Type shares (survey → raw predicted → corrected base [95 % CI]):",
        ]
        for row in c["shares"]:
            ci = (f" [{row['corrected_ci_low']:.1%}, {row['corrected_ci_high']:.1%}]"
                  if "corrected_ci_low" in row else "")
            lines.append(
                f"  {row['type_id']} {row['type_name']}: {row['survey_share']:.1%} → "
                f"{row['raw_predicted_share']:.1%} → {row['corrected_share']:.1%}{ci}"
            )
        tool = c.get("typing_tool", {})
        if "agreement" in tool:
            lines.append(
                f"Typing tool: {len(tool['items'])} questions, agreement {tool['agreement']:.1%}"
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.card)


# ------------------------------------------------------------------ inputs
def _read_assignments(folder: Path) -> pd.DataFrame:
    path = folder / "assignments.csv"
    if not path.is_file():
        raise InputError(
            "assignments.csv not found in the discovery folder",
            file=folder,
            hint="run `behaviortypes discover SURVEY_DIR --out OUT` first",
        )
    frame = pd.read_csv(path, dtype={"respondent_id": str})
    need = ["respondent_id", "type_id"]
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise InputError(
            f"column '{missing[0]}' is missing",
            file=path,
            column=missing[0],
            hint=f"assignments.csv has {', '.join(map(str, frame.columns))}",
        )
    ids = pd.to_numeric(frame["type_id"], errors="coerce")
    bad = ids.isna() | (ids != ids.round())
    if bad.any():
        raise InputError(
            "type ids must be whole numbers",
            file=path,
            column="type_id",
            rows=(np.flatnonzero(bad.to_numpy()) + 1).tolist(),
            value=frame.loc[bad, "type_id"].iloc[0],
        )
    frame["type_id"] = ids.astype(int)
    return frame.set_index("respondent_id")


def _type_names(folder: Path, assignments: pd.DataFrame) -> dict[int, str]:
    names: dict[int, str] = {}
    if "type_name" in assignments.columns:
        first = assignments.groupby("type_id")["type_name"].first()
        names.update({int(k): str(v) for k, v in first.items()})
    if (folder / "types.yaml").is_file():
        data = read_yaml(folder / "types.yaml") or {}
        for entry in data.get("types", []) or []:
            if isinstance(entry, dict) and "type_id" in entry and entry.get("name"):
                names[int(entry["type_id"])] = str(entry["name"])
    return names


def _load_responses(source: dict, instrument: Instrument, source_path: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series | None]:
    """Responses (indexed by respondent id), keyed items and weights."""
    from .. import readers

    survey_dir = source.get("survey_dir")
    if not survey_dir or not Path(survey_dir).is_dir():
        raise InputError(
            "the survey folder recorded by discovery is not there",
            file=source_path,
            value=survey_dir,
            hint="move the survey back or re-run `behaviortypes discover`",
        )
    with warnings.catch_warnings():  # already reported by discovery
        warnings.simplefilter("ignore", SurveyQualityWarning)
        survey = readers.load_survey(survey_dir)
    responses = survey.responses.copy()
    responses.index = responses.index.astype(str)
    keyed = readers.keyed_items(responses, instrument)
    weights = None
    if instrument.weight_column is not None and instrument.weight_column in responses.columns:
        weights = pd.to_numeric(responses[instrument.weight_column], errors="coerce")
    return responses, keyed, weights


def _fingerprint(path: Path) -> str:
    if path.is_dir():
        digest = hashlib.sha256()
        for part in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(part.relative_to(path).as_posix().encode())
            digest.update(sha256_file(part).encode())
        return digest.hexdigest()
    return sha256_file(path)


def _batches(path: Path, id_column: str, batch_size: int, columns=None) -> Iterator[pd.DataFrame]:
    from .. import readers

    for batch in readers.iter_customer_batches(
        path, batch_size=batch_size, columns=columns, id_column=id_column
    ):
        yield batch


class _Progress:
    """Rich progress over batches when asked (no total: the base is streamed)."""

    def __init__(self, enabled: bool, label: str) -> None:
        self.enabled, self.label, self._p, self._task = enabled, label, None, None

    def __enter__(self) -> "_Progress":
        if self.enabled:
            from rich.progress import Progress

            self._p = Progress(transient=True)
            self._p.__enter__()
            self._task = self._p.add_task(self.label, total=None)
        return self

    def advance(self, n: int) -> None:
        if self._p is not None:
            self._p.update(self._task, advance=n)

    def __exit__(self, *exc) -> None:
        if self._p is not None:
            self._p.__exit__(*exc)


# -------------------------------------------------------------------- main
def train_lookalike(
    discovery_dir: str | Path,
    customers: str | Path,
    *,
    id_column: str | None = None,
    seed: int = 0,
    sample_size: int = 500_000,
    models: Sequence[str] = ("logistic", "gbm"),
    cv: int = 5,
    calibration: str | None = "sigmoid",
    unassigned_threshold: float | None = None,
    min_per_type: int = 10,
    batch_size: int = 100_000,
    progress: bool = False,
) -> LookalikeResult:
    """Train, calibrate and prior-correct the lookalike model; write its files.

    Parameters
    ----------
    discovery_dir : str or Path
        Folder written by ``behaviortypes discover`` (``assignments.csv``,
        ``source.json``); the model, card and typing tool are written here.
    customers : str or Path
        Customer base (``.parquet`` file or folder, ``.csv``, DuckDB database).
    id_column : str, optional
        Customer id column of the customer file; default: the instrument's
        ``customer_id_column``.
    seed : int, default=0
        Seeds every random step (folds, boosting, base sample, typing tool).
    sample_size : int, default=500_000
        The base's type shares are estimated on all customers when the base has
        at most this many, else on a uniform random sample of this size (the base
        is streamed; only the sample's probabilities are kept in memory).
    models, cv, calibration, unassigned_threshold
        As in :class:`LookalikeModel`.
    min_per_type : int, default=10
        Fewest linked respondents accepted per type.
    batch_size : int, default=100_000
        Customers per batch when streaming the base.
    progress : bool, default=False
        Show progress bars.

    Returns
    -------
    LookalikeResult

    Raises
    ------
    InputError
        If the discovery folder is incomplete, the instrument names no
        ``customer_id_column``, the id column is not in the customer file, too
        few respondents (or too few of one type) can be linked, or a batch of the
        base does not fit the training schema.

    Warns
    -----
    SurveyQualityWarning
        When survey items (or earlier scoring output) are in the customer file:
        they are dropped as features (leakage).
    """
    folder = Path(discovery_dir)
    customers = Path(customers)
    if not customers.exists():
        raise InputError("customer file not found", file=customers, hint="check the path")
    assignments = _read_assignments(folder)
    source_path = folder / "source.json"
    if not source_path.is_file():
        raise InputError(
            "source.json not found in the discovery folder",
            file=folder,
            hint="re-run `behaviortypes discover`; it records which survey the types came from",
        )
    source = read_json(source_path)
    instrument = instrument_from_dict(source.get("instrument"), file=source_path)
    link = instrument.customer_id_column
    if link is None:
        raise InputError(
            "the instrument names no customer_id_column, so respondents cannot be linked "
            "to customers",
            file=source_path,
            hint="add `customer_id_column: <column>` to instrument.yaml and re-run discover",
        )
    cust_col = id_column or link
    responses, keyed, weights = _load_responses(source, instrument, source_path)
    kept = assignments.index.intersection(responses.index)
    labels_all = assignments.loc[kept, "type_id"]
    names = _type_names(folder, assignments)
    cust_of = responses.loc[kept, link]
    cust_of = cust_of[cust_of.notna()].astype(str).str.strip()
    cust_of = cust_of[cust_of != ""]
    wanted = set(cust_of.to_numpy())
    rng = np.random.default_rng(seed)

    # ---- pass 1: linked customers' rows, base size, columns
    parts, n_base, columns = [], 0, None
    with _Progress(progress, "Linking respondents to customers") as bar:
        for batch in _batches(customers, cust_col, batch_size):
            if columns is None:
                columns = [str(c) for c in batch.columns]
                if cust_col not in columns:
                    raise InputError(
                        f"the customer id column '{cust_col}' is not in the customer file",
                        file=customers,
                        column=cust_col,
                        hint=f"its columns are {', '.join(columns[:20])}; "
                        "pass --id-column NAME",
                    )
            n_base += len(batch)
            ids = batch[cust_col].astype(str).str.strip()
            hit = ids.isin(wanted).to_numpy()
            if hit.any():
                rows = batch.loc[hit].copy()
                rows[cust_col] = ids[hit].to_numpy()
                parts.append(rows)
            bar.advance(len(batch))
    if columns is None:
        raise InputError("the customer file has no rows", file=customers)
    linked_rows = (
        pd.concat(parts, ignore_index=True).set_index(cust_col)
        if parts
        else pd.DataFrame(columns=[c for c in columns if c != cust_col])
    )
    repeated = linked_rows.index[linked_rows.index.duplicated()].unique()
    if len(repeated):
        raise InputError(
            f"{len(repeated)} customer id(s) appear more than once in the customer file",
            file=customers, column=cust_col, value=str(repeated[0]),
            hint="each customer must appear once: remove the duplicate rows",
        )
    linked = cust_of[cust_of.isin(linked_rows.index)]
    k = labels_all.nunique()
    if len(linked) < min_per_type * k:
        example = ", ".join(list(cust_of.iloc[:3])) or "none"
        raise InputError(
            f"only {len(linked)} of {len(kept)} respondents could be linked to the customer "
            f"file; at least {min_per_type * k} are needed ({min_per_type} per type × {k} types)",
            file=customers,
            column=cust_col,
            value=len(linked),
            hint=f"check that '{link}' in the survey holds the ids of '{cust_col}' "
            f"(survey ids look like: {example})",
        )
    y = labels_all.loc[linked.index]
    counts = y.value_counts()
    short = [(int(t), int(counts.get(t, 0))) for t in sorted(labels_all.unique())
             if counts.get(t, 0) < min_per_type]
    if short:
        text = ", ".join(f"type {t} ({names.get(t, '')}) has {n}" for t, n in short)
        raise InputError(
            f"too few linked respondents per type: {text}; at least {min_per_type} are needed",
            file=customers,
            value=short[0][1],
            hint="link more respondents (more customers in the survey) or merge small types",
        )

    # ---- features, with leakage guard
    features = linked_rows.loc[linked.to_numpy()].copy()
    features.index = pd.Index(linked.to_numpy(), name=cust_col)
    survey_cols = set(instrument.item_ids) | {c.id for c in instrument.attention_checks}
    leaked = [c for c in features.columns if str(c) in survey_cols]
    scored = [c for c in features.columns if _SCORED_COLUMN.match(str(c))]
    if leaked or scored:
        warnings.warn(
            "lookalike: dropped columns of the customer file that would leak the answer: "
            + ", ".join(map(str, leaked + scored))
            + " (survey items or earlier scoring output are not behaviour features)",
            SurveyQualityWarning,
            stacklevel=2,
        )
        features = features.drop(columns=leaked + scored)
    sw = None
    if weights is not None:
        sw = weights.loc[linked.index].astype(float).fillna(0.0).to_numpy()

    model = LookalikeModel(
        models=tuple(models),
        cv=cv,
        calibration=calibration,
        unassigned_threshold=unassigned_threshold,
        random_state=seed,
    ).fit(features, pd.Series(y.to_numpy(), index=features.index), sample_weight=sw)

    # ---- pass 2: raw predictions on the base (uniform sample for EM)
    kk = len(model.type_ids_)
    raw_sum = np.zeros(kk)
    raw_hard = np.zeros(kk)
    sample = np.empty((0, kk))
    keys = np.empty(0)
    need = [cust_col] + model.feature_columns_
    with _Progress(progress, "Predicting the customer base") as bar:
        for batch in _batches(customers, cust_col, batch_size, columns=need):
            model.check_features(batch, file=customers)
            proba = model.predict_proba(batch, raw=True).to_numpy()
            raw_sum += proba.sum(axis=0)
            raw_hard += np.bincount(proba.argmax(axis=1), minlength=kk)
            batch_keys = rng.random(len(proba))
            sample = np.vstack([sample, proba])
            keys = np.concatenate([keys, batch_keys])
            if len(keys) > sample_size:
                keep = np.argpartition(keys, sample_size - 1)[:sample_size]
                keep.sort()
                sample, keys = sample[keep], keys[keep]
            bar.advance(len(batch))
    priors, n_iter = estimate_base_priors(sample, model.train_priors_)
    final = model.with_base_priors(priors)
    final.type_names_ = {t: names.get(t, f"Type {t}") for t in final.type_ids_}
    final.id_column_ = cust_col
    corrected = shift_posteriors(sample, model.train_priors_, priors)
    hard = np.bincount(corrected.argmax(axis=1), minlength=kk) / len(corrected)

    w_all = None if weights is None else weights.loc[kept].astype(float).fillna(0.0)
    survey_share = (
        labels_all.value_counts(normalize=True)
        if w_all is None
        else w_all.groupby(labels_all).sum() / w_all.sum()
    )
    # 95 % bootstrap intervals on the corrected shares (over respondents, through the EM)
    intervals = base_share_intervals(
        sample, model.train_priors_.to_numpy(), y.to_numpy(), model.oof_proba_,
        classes=model.type_ids_, sample_weight=sw, base_share=priors, random_state=seed,
    )
    shares = [
        {
            "type_id": t,
            "type_name": final.type_names_[t],
            "survey_share": float(survey_share.get(t, 0.0)),
            "linked_share": float(model.train_priors_[t]),
            "raw_predicted_share": float(raw_sum[j] / n_base),
            "raw_assigned_share": float(raw_hard[j] / n_base),
            "corrected_share": float(priors[j]),
            "corrected_ci_low": float(intervals["ci_low"].iloc[j]),
            "corrected_ci_high": float(intervals["ci_high"].iloc[j]),
            "corrected_assigned_share": float(hard[j]),
        }
        for j, t in enumerate(final.type_ids_)
    ]

    # ---- typing tool
    tool, tool_card = None, {}
    try:
        tool = build_typing_tool(
            keyed.loc[kept], labels_all, instrument=instrument, type_names=final.type_names_,
            random_state=seed,
        )
        tool_card = {
            "items": tool.items_,
            "agreement": tool.agreement_,
            "target": tool.target_,
            "file": TYPING_TOOL_FILE,
        }
    except InputError as err:
        tool_card = {"error": str(err)}

    unassigned = None
    if unassigned_threshold is not None:
        unassigned = {
            "threshold": float(unassigned_threshold),
            "base_share": float((corrected.max(axis=1) < unassigned_threshold).mean()),
            "cv": model.metrics_.get("unassigned"),
        }
    card = {
        "kind": "behaviortypes lookalike card",
        "version": 1,
        "id_column": cust_col,
        "survey_link_column": link,
        "features": model.feature_schema_,
        "feature_columns": model.feature_columns_,
        "dropped_features": model.dropped_features_
        + [{"name": str(c), "reason": "leakage (survey item)"} for c in leaked]
        + [{"name": str(c), "reason": "leakage (earlier scoring output)"} for c in scored],
        "reference_date": model.reference_date_,
        "type_ids": model.type_ids_,
        "type_names": final.type_names_,
        "link": {
            "n_respondents": int(len(kept)),
            "n_linked": int(len(linked)),
            "n_unlinked": int(len(kept) - len(linked)),
            "per_type": {int(t): int(counts.get(t, 0)) for t in model.type_ids_},
            "weighted": sw is not None,
        },
        "cv_results": model.cv_results_.to_dict(orient="records"),
        "chosen_model": model.chosen_model_,
        "chosen_calibration": model.chosen_calibration_,
        "metrics": model.metrics_,
        "permutation_importance": model.importances_.reset_index().to_dict(orient="records"),
        "base": {
            "n_customers": int(n_base),
            "n_em_sample": int(len(sample)),
            "em_iterations": int(n_iter),
            "method": "Saerens, Latinne & Decaestecker (2002) EM on raw posteriors",
        },
        "shares": shares,
        "train_priors": {int(t): float(v) for t, v in model.train_priors_.items()},
        "base_priors": {int(t): float(v) for t, v in final.base_priors_.items()},
        "unassigned": unassigned,
        "typing_tool": tool_card,
        "fingerprint": {
            "customers_sha256": _fingerprint(customers),
            "assignments_sha256": sha256_file(folder / "assignments.csv"),
            "customers_file": str(customers.resolve()),
        },
        "seed": seed,
        "versions": library_versions(("behaviortypes", "numpy", "pandas", "scikit-learn", "skops", "pyarrow")),
    }
    files = {"model": save_model(final, folder / MODEL_FILE)}
    files["crm_profile"] = _write_crm_profile(folder, features, y, sw, model.feature_schema_)
    if tool is not None:
        files["typing_tool"] = tool.to_yaml(folder / TYPING_TOOL_FILE)
    files["card"] = write_json(folder / CARD_FILE, card)
    return LookalikeResult(model=final, card=card, typing_tool=tool, files=files)


def _write_crm_profile(folder: Path, features: pd.DataFrame, labels: pd.Series,
                       sample_weight: np.ndarray | None, schema: list[dict]) -> Path:
    """``crm_profile.csv``: how each type's linked customers differ on each numeric feature.

    Columns ``type_id, feature, mean, overall, diff, effect_size`` (Cohen's d of the type
    against the other linked customers), for the report's "how to reach them".
    """
    from ..profiles import profile_features

    numeric = [f["name"] for f in schema if f.get("kind") in {"numeric", "boolean"} and f["name"] in features]
    frame = features[numeric].apply(pd.to_numeric, errors="coerce").astype(float)
    lab = pd.Series(labels.to_numpy(), index=frame.index)
    weights = None if sample_weight is None else pd.Series(sample_weight, index=frame.index)
    table = profile_features(frame, lab, weights, kind="crm").drop(columns="kind")
    return write_csv(folder / "crm_profile.csv", table.rename(columns={"key": "feature"}))
