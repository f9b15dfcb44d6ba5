"""Training the lookalike model from a discovery folder and a customer base.

:func:`train_lookalike` runs four steps, each its own function: :func:`link` (the
survey's respondents to their customer records, one streamed pass over the base),
:func:`fit` (the calibrated :class:`LookalikeModel` on the linked customers),
:func:`shift_priors` (a second streamed pass predicting a uniform random sample of
the base for the prior-shift estimate) and :func:`card` (``lookalike_card.json``).
It writes ``lookalike.skops``, ``lookalike_card.json`` and ``crm_profile.csv`` into
the discovery folder; the typing tool is built at discovery.
"""

from __future__ import annotations

import hashlib
import re
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import study
from ..errors import InputError, Said, SurveyQualityWarning
from ..files import library_versions, sha256_file
from ..instrument import Instrument, instrument_from_dict
from ..threads import one_thread
from ._features import few_code_columns, prepare_features
from .priors import (BOOTSTRAP_BASE_ROWS, CrmMoments, base_share_intervals, crm_indicators, describe_statistic,
                     implausible_bounds,
                     estimate_base_priors, label_shift_check, raw_share_intervals, shift_identifiability,
                     shift_posteriors)

# scikit-learn, scipy and skops (the model, the typing tool, the CRM profile) are imported where a
# model is fitted or saved, after the customer file is read: its refusals are said without them
# (tests/test_suite23b.py).
if TYPE_CHECKING:
    from .model import LookalikeModel
    from .typing_tool import TypingTool
from .weak import weakness, weakness_lines

__all__ = ["LookalikeResult", "LinkedSample", "PriorShift", "train_lookalike", "link", "shift_priors",
           "lookalike_card", "choose_base_shares", "card_base_shares", "customers_fingerprint",
           "raw_shares_reason"]

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
        The discovery folder's typing tool (built at discovery); None when it could
        not be built (the reason is in ``card["typing_tool"]``).
    files : dict of str to Path
        ``model``, ``card`` and ``crm_profile`` paths written.
    """

    model: LookalikeModel
    card: dict[str, Any]
    typing_tool: TypingTool | None
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def shares(self) -> pd.DataFrame:
        """Survey, raw predicted and prior-corrected base shares, indexed by type id."""
        return pd.DataFrame(self.card["shares"]).set_index("type_id")

    def summary(self, lang: str = "en") -> str:
        """A few lines for people, in ``lang`` (the command line's: the study's language)."""
        from ..i18n import said

        c, n = self.card, _Numbers(lang)
        m = c["metrics"]
        calibration = c["chosen_calibration"] or said("lookalike_cli_own_probabilities", lang)
        lines = [
            said("lookalike_cli_linked", lang, linked=c["link"]["n_linked"], n=c["link"]["n_respondents"],
                 customers=n.count(c["base"]["n_customers"]), model=_model_name(c["chosen_model"], lang),
                 calibration=calibration),
            said("lookalike_cli_metrics", lang, **{k: n.dec(m[k], 3) for k in ("accuracy", "macro_f1", "log_loss",
                                                                                  "ece")}),
            said("lookalike_cli_shares", lang) if c["base"].get("corrected", True) else
            said("lookalike_cli_shares_raw", lang, method=_raw_method(c["base"], lang)),
        ]
        for row in c["shares"]:
            ci = (said("lookalike_cli_ci", lang, low=n.pct(row["corrected_ci_low"]),
                       high=n.pct(row["corrected_ci_high"])) if "corrected_ci_low" in row else "")
            lines.append(said("lookalike_cli_share_row", lang, type_id=row["type_id"], type_name=row["type_name"],
                              survey=n.pct(row["survey_share"]), raw=n.pct(row["raw_predicted_share"]),
                              corrected=n.pct(row["corrected_share"]), ci=ci))
        tool = c.get("typing_tool", {})
        if "agreement" in tool:
            lines.append(said("lookalike_cli_typing_tool", lang, n=len(tool["items"]),
                              agreement=n.pct(tool["agreement"])))
        feats = [f for f in c.get("features") or [] if isinstance(f, dict) and f.get("code")]
        codes = [f["name"] for f in feats if not f.get("declared")]
        if codes:  # numbers named as codes (a postal code): categories, not quantities (trial 12)
            lines.append(said("lookalike_cli_codes", lang, columns=", ".join(codes)))
        if declared := [f["name"] for f in feats if f.get("declared")]:  # descriptors: (trial 23)
            lines.append(said("lookalike_cli_declared", lang, columns=", ".join(declared)))
        lines += weakness_lines(c.get("weakness") or weakness(m), lang)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.card)

    def to_files(self, folder: Path) -> list[Path]:
        """The model (``lookalike.skops``) and its card (``lookalike_card.json``)."""
        from .persist import save_model

        folder = Path(folder)
        study.claim(folder, [MODEL_FILE, CARD_FILE])  # never a user's own file of these names
        return [save_model(self.model, folder / MODEL_FILE), study.save(folder, CARD_FILE, self.card)]


class _Numbers:
    """Numbers of a printed summary as ``lang`` writes them: English as ever (``27.1%``,
    ``20,000``), Swedish with a decimal comma (``27,1 %``, ``20 000``)."""

    def __init__(self, lang: str) -> None:
        from ..texts import Formatter

        self.lang, self._fmt = lang, Formatter(lang)

    def pct(self, x: float) -> str:
        return f"{x:.1%}" if self.lang != "sv" else self._fmt.pct(x, 1)

    def dec(self, x: float, digits: int) -> str:
        return f"{x:.{digits}f}" if self.lang != "sv" else f"{x:.{digits}f}".replace(".", ",")

    def count(self, x: int) -> str:
        return f"{x:,}" if self.lang != "sv" else self._fmt.count(x)


def _model_name(model: str, lang: str) -> str:
    """The chosen model as the summary says it: its code in English (as before), its name in
    another language where the texts have one ("logistisk regression"; user trial 12)."""
    if lang == "en":
        return model
    from ..texts import load_texts

    return load_texts(lang).get(f"model_{model}", model)


def _raw_method(base: dict[str, Any], lang: str) -> str:
    """Why the base's shares are the raw predicted ones (the first clause of ``base.method``)
    in ``lang``."""
    method = (base.get("method") or "").split(";")[0]
    if lang == "en":
        return method
    from ..errors import phrase

    return phrase("lookalike_raw_predicted", lang, {"why": raw_shares_reason(base)})


def raw_shares_reason(base: dict[str, Any]) -> Said:
    """Why a card's base shares are the raw predicted ones, as a sentence of the catalogue
    (said later in the study's language; ``base.method`` is the English one): the survey
    differs from the base in customer columns (label shift rejected), or the customer
    columns do not identify the correction."""
    if (base.get("label_shift") or {}).get("rejected"):
        columns = re.search(r" in (.*) themselves,| i (.*) själva,", base.get("method") or "")  # (sv19: sv too)
        return Said("lookalike_raw_covariate_shift",
                    {"columns": next((g for g in columns.groups() if g), "?") if columns else "?"})
    return Said("lookalike_raw_not_identified")


# ------------------------------------------------------------------ inputs
def _load_responses(survey: Any, instrument: Instrument) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series | None]:
    """Responses (indexed by respondent id), keyed items and weights of the given survey."""
    from .. import readers

    responses = survey.responses.copy()
    responses.index = responses.index.astype(str)
    keyed = readers.keyed_items(responses, instrument)
    weights = None
    if instrument.weight_column is not None and instrument.weight_column in responses.columns:
        weights = pd.to_numeric(responses[instrument.weight_column], errors="coerce")
    return responses, keyed, weights


def customers_fingerprint(path: str | Path) -> str:
    """SHA-256 of a customer file (or of every file of a folder, with their relative paths).

    Recorded in ``lookalike_card.json`` (``fingerprint.customers_sha256``) so that ``score``
    can tell the base the lookalike was fitted on from any other file.
    """
    path = Path(path)
    if path.is_dir():
        digest = hashlib.sha256()
        for part in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(part.relative_to(path).as_posix().encode())
            digest.update(sha256_file(part).encode())
        return digest.hexdigest()
    return sha256_file(path)


class _Progress:
    """Rich progress over batches when asked and standard output is a terminal (no total:
    the base is streamed). Elsewhere (a log, a pipe) nothing: rich's transient bar would
    leave an empty line in its place (`run` printed one after "Training the lookalike …")."""

    def __init__(self, enabled: bool, label: str) -> None:
        isatty = getattr(sys.stdout, "isatty", None)
        enabled = enabled and bool(isatty and isatty())
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


# -------------------------------------------------------------------- link
@dataclass(frozen=True)
class LinkedSample:
    """The survey's kept respondents linked to their customer records.

    Attributes
    ----------
    folder : DiscoveryFolder
    instrument : Instrument
    customers : Path
    id_column : str
        The customer file's id column.
    link_column : str
        The survey column holding each respondent's customer id.
    types : Series
        Type id of every kept respondent (indexed by respondent id).
    weights : Series or None
        Survey weights of the kept respondents.
    features : DataFrame
        The linked customers' behaviour columns (leaking columns dropped), one row per
        linked respondent, indexed by customer id.
    labels : Series
        Type id of each linked respondent (indexed by respondent id, in ``features`` order).
    leaked, scored : list of str
        Columns dropped as survey items or earlier scoring output.
    n_base : int
        Customers in the base.
    excluded : list of str
        Columns the user excluded (``exclude`` of :func:`link`, ``--exclude``).
    """

    folder: study.DiscoveryFolder
    instrument: Instrument
    customers: Path
    id_column: str
    link_column: str
    types: pd.Series
    weights: pd.Series | None
    features: pd.DataFrame
    labels: pd.Series
    leaked: list[str]
    scored: list[str]
    n_base: int
    excluded: list[str] = field(default_factory=list)

    @property
    def sample_weight(self) -> np.ndarray | None:
        """Survey weights of the linked respondents (in ``features`` order)."""
        if self.weights is None:
            return None
        return self.weights.loc[self.labels.index].astype(float).fillna(0.0).to_numpy()


def _respondents(folder: study.DiscoveryFolder, instrument: Instrument, link_column: str, survey: Any):
    """Kept respondents' types, survey weights and customer ids (non-blank)."""
    assignments = folder.table("assignments.csv", required=True).set_index("respondent_id")
    responses, _, weights = _load_responses(survey, instrument)
    kept = assignments.index.intersection(responses.index)
    cust_of = responses.loc[kept, link_column]
    cust_of = cust_of[cust_of.notna()].astype(str).str.strip()
    return assignments.loc[kept, "type_id"], weights, cust_of[cust_of != ""]


def _stream_linked(customers: Path, cust_col: str, wanted: set[str], batch_size: int,
                   progress: bool) -> tuple[pd.DataFrame, int]:
    """Pass over the base: the rows of the wanted customers, and the base's size."""
    from .. import readers

    parts, n_base, columns = [], 0, None
    with _Progress(progress, "Linking respondents to customers") as bar:
        for batch in readers.iter_customer_batches(customers, batch_size=batch_size, id_column=cust_col):
            if columns is None:
                columns = [str(c) for c in batch.columns]
                if cust_col not in columns:
                    # CustomerID for customer_id (trial 11); never a column of names or e-mails
                    close = readers.suggest_id_column(cust_col, columns, batch.head(1000))
                    raise InputError(code="problem_link_no_id", values={"column": cust_col}, file=customers,
                                     column=cust_col, hint=Said(
                                         "problem_link_no_id_fix_close" if close else "problem_link_no_id_fix",
                                         {"columns": ", ".join(columns[:20]), "close": close}))
            n_base += len(batch)
            ids = batch[cust_col].astype(str).str.strip()
            hit = ids.isin(wanted).to_numpy()
            if hit.any():
                rows = batch.loc[hit].copy()
                rows[cust_col] = ids[hit].to_numpy()
                parts.append(rows)
            bar.advance(len(batch))
    if columns is None:
        raise InputError(code="problem_link_no_rows", file=customers)
    linked_rows = (pd.concat(parts, ignore_index=True).set_index(cust_col) if parts
                   else pd.DataFrame(columns=[c for c in columns if c != cust_col]))
    repeated = linked_rows.index[linked_rows.index.duplicated()].unique()
    if len(repeated):  # every repeated id of the file, and how many of them link (trial 23: 500, said 112)
        n_all = max(_repeated_ids(customers, cust_col, batch_size), len(repeated))
        raise InputError(code="problem_link_repeated_all" if n_all > len(repeated) else "problem_link_repeated",
                         values={"n": n_all, "linked": len(repeated)},
                         file=customers, column=cust_col, value=str(repeated[0]), hint=Said("problem_link_repeated_fix"))
    return linked_rows, n_base


def _repeated_ids(customers: Path, cust_col: str, batch_size: int) -> int:
    """How many ids appear more than once in the whole customer file (a second pass, only
    when linked ids repeat: each id kept as a 64-bit hash, 8 bytes a row)."""
    from .. import readers

    hashes = [pd.util.hash_pandas_object(batch[cust_col].astype(str).str.strip(), index=False).to_numpy()
              for batch in readers.iter_customer_batches(customers, batch_size=batch_size, id_column=cust_col)]
    if not hashes:
        return 0
    _, counts = np.unique(np.concatenate(hashes), return_counts=True)
    return int((counts > 1).sum())


def _ids_hint(customers: Path, cust_col: str, cust_of: pd.Series, batch_size: int, link_column: str,
              survey: Any) -> Any:
    """A second pass over the base, only when too few respondents link: its first ids and
    the survey ids that match once leading zeros are removed (:func:`link_ids_hint`)."""
    from .. import readers
    from ..customer_links import IdsSeen, link_ids_hint

    seen = IdsSeen(cust_of.to_numpy())
    # the id column only: the hint needs nothing else, and the first pass has already said what
    # the other columns read as no value (the reader says it of every column but the id)
    for batch in readers.iter_customer_batches(customers, batch_size=batch_size, columns=[cust_col],
                                               id_column=cust_col):
        seen.see(batch[cust_col].astype("string").str.strip())
    file = Path(getattr(survey, "responses_file", "") or "responses.csv").name
    return link_ids_hint(seen, link=link_column, column=cust_col, file=file)


def _check_enough(linked: pd.Series, cust_of: pd.Series, types: pd.Series, names: dict[int, str], *,
                  min_per_type: int, customers: Path, cust_col: str, link_column: str, ids_hint: Any = None) -> None:
    k = types.nunique()
    if len(linked) < min_per_type * k:
        example = ", ".join(list(cust_of.iloc[:3])) or Said("problem_none")
        raise InputError(code="problem_link_few", values={
            "linked": len(linked), "n": len(types), "need": min_per_type * k, "per_type": min_per_type, "k": k},
            file=customers, column=cust_col, value=len(linked), hint=ids_hint or Said("problem_link_few_fix", {
                "link": link_column, "column": cust_col, "example": example}))
    counts = types.loc[linked.index].value_counts()
    short = [(int(t), int(counts.get(t, 0))) for t in sorted(types.unique()) if counts.get(t, 0) < min_per_type]
    if short:
        text = _said_list([Said("problem_link_type_has", {"t": t, "name": names.get(t, ""), "n": n})
                           for t, n in short])
        raise InputError(code="problem_link_few_per_type", values={"types": text, "need": min_per_type},
                         file=customers, value=short[0][1], hint=Said("problem_link_few_per_type_fix"))


def _said_list(parts: list[Said]) -> Said:
    """Sentences of the catalogue joined by ", " (said later in one language)."""
    return parts[0] if len(parts) == 1 else Said("problem_link_list", {"first": parts[0], "rest": _said_list(parts[1:])})


def _drop_leaks(features: pd.DataFrame, instrument: Instrument) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Drop survey items and earlier scoring output from the features (with a warning)."""
    survey_cols = set(instrument.item_ids) | {c.id for c in instrument.attention_checks}
    leaked = [str(c) for c in features.columns if str(c) in survey_cols]
    scored = [str(c) for c in features.columns if _SCORED_COLUMN.match(str(c))]
    if leaked or scored:
        warnings.warn(SurveyQualityWarning(
            "lookalike: dropped columns of the customer file that would leak the answer: "
            + ", ".join(leaked + scored)
            + " (survey items or earlier scoring output are not behaviour features)",
            code="warn_lookalike_leak", values={"columns": ", ".join(leaked + scored)}),
            stacklevel=3,
        )
        features = features.drop(columns=leaked + scored)
    return features, leaked, scored


def link(
    discovery_dir: str | Path,
    customers: str | Path,
    *,
    id_column: str | None = None,
    min_per_type: int = 10,
    batch_size: int = 100_000,
    progress: bool = False,
    survey: Any = None,
    exclude: Sequence[str] = (),
) -> LinkedSample:
    """Link the kept respondents to their customer records (one pass over the base).

    ``exclude`` names customer columns that must not be features (personal data the
    automatic rule of :func:`~behaviortypes.lookalike.personal_data_columns` misses, or any
    column the user does not want the model to use); each must be a column of the file.

    ``survey`` is the discovery's survey (:class:`~behaviortypes.readers.Survey`, as a
    runner has it); when None it is read once from the folder recorded in
    ``source.json`` (:func:`behaviortypes.stages.load_source_survey`).

    Raises
    ------
    InputError
        If the discovery folder is incomplete, the instrument names no
        ``customer_id_column``, the id column is not in the customer file, a linked
        customer id repeats, too few respondents (or too few of one type) are linked, or
        an excluded column is not in the customer file.
    """
    folder = study.load(discovery_dir)
    customers = Path(customers)
    if not customers.exists():
        raise InputError(code="problem_not_found", values={"what": Said("problem_what_customer_file")}, file=customers)
    instrument = instrument_from_dict(folder.instrument, file=folder.path / "source.json")
    link_column = instrument.customer_id_column
    if link_column is None:
        raise InputError(code="problem_link_no_link_column", file=folder.path / "source.json",
                         hint=Said("problem_link_no_link_column_fix"))
    cust_col = id_column or link_column
    if survey is None:
        from ..stages import load_source_survey

        survey = load_source_survey(folder)
    types, weights, cust_of = _respondents(folder, instrument, link_column, survey)
    if cust_of.duplicated().any():  # one customer, two respondents: two types (user trial 12, F3)
        from ..customer_links import repeated_customer_problem

        raise InputError(problems=[repeated_customer_problem(survey, "problem_link_respondents_repeated",
                                                             among=cust_of.index)])
    linked_rows, n_base = _stream_linked(customers, cust_col, set(cust_of.to_numpy()), batch_size, progress)
    linked = cust_of[cust_of.isin(linked_rows.index)]
    ids_hint = None
    if len(linked) < min_per_type * types.nunique():  # the base's ids beside the survey's (trial 22)
        ids_hint = _ids_hint(customers, cust_col, cust_of, batch_size, link_column, survey)
    _check_enough(linked, cust_of, types, folder.type_names, min_per_type=min_per_type, customers=customers,
                  cust_col=cust_col, link_column=link_column, ids_hint=ids_hint)
    features = linked_rows.loc[linked.to_numpy()].copy()
    features.index = pd.Index(linked.to_numpy(), name=cust_col)
    features, leaked, scored = _drop_leaks(features, instrument)
    excluded = _excluded(features, exclude, customers, cust_col)
    return LinkedSample(folder, instrument, customers, cust_col, link_column, types, weights,
                        features.drop(columns=excluded), types.loc[linked.index], leaked, scored, n_base,
                        excluded)


def _excluded(features: pd.DataFrame, exclude: Sequence[str], customers: Path, cust_col: str) -> list[str]:
    """The columns to exclude (``--exclude``), each checked to be in the customer file."""
    exclude = [exclude] if isinstance(exclude, str) else list(exclude or ())
    columns = [str(c) for c in features.columns]
    for name in exclude:
        if str(name) not in columns and str(name) != cust_col:
            raise InputError(code="problem_exclude_unknown", values={"column": name}, file=customers,
                             column=str(name), hint=Said("problem_exclude_unknown_fix", {
                                 "columns": ", ".join(columns[:20]) + (" ..." if len(columns) > 20 else "")}))
    return [c for c in columns if c in {str(n) for n in exclude}]


# -------------------------------------------------------------------- prior shift
@dataclass(frozen=True)
class PriorShift:
    """The base's type shares, estimated from raw predictions on (a sample of) the base.

    ``model`` is the fitted model's copy shifted to the estimated priors.
    """

    model: LookalikeModel
    priors: np.ndarray
    raw_share: np.ndarray
    raw_assigned_share: np.ndarray
    corrected_assigned_share: np.ndarray
    unassigned_share: float | None
    n_base: int
    n_sample: int
    n_iter: int
    ci_low: np.ndarray | None = None
    ci_high: np.ndarray | None = None
    identifiability: dict | None = None
    em_estimate: np.ndarray | None = None
    label_shift: dict | None = None
    choice: dict | None = None


def _raw_sample(model: LookalikeModel, linked: LinkedSample, *, sample_size: int, batch_size: int,
                rng: np.random.Generator, progress: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw type shares of the base and a uniform random sample of its raw posteriors.

    The pass over the base is the scoring engine's (:func:`behaviortypes.scoring.score_customers`,
    streaming, bounded memory, its checks and row numbers); the model is not yet shifted, so
    its probabilities are the raw (training-prior) posteriors. The scored rows are then read
    back in batches and a uniform sample of ``sample_size`` rows is kept (the smallest random
    keys), so memory stays bounded by the sample.
    """
    import tempfile

    import pyarrow.parquet as pq

    from ..scoring import score_customers

    kk = len(model.type_ids_)
    columns = [f"p_{t}" for t in model.type_ids_]
    raw_sum, raw_hard = np.zeros(kk), np.zeros(kk)
    sample, keys = np.empty((0, kk)), np.empty(0)
    with tempfile.TemporaryDirectory(prefix="behaviortypes-lookalike-") as tmp:
        from ..i18n import output_language

        scored = score_customers(model, linked.customers, Path(tmp) / "raw.parquet", id_column=linked.id_column,
                                 batch_size=batch_size, progress=progress,  # (a repeated id: score's error)
                                 lang=output_language(getattr(linked.instrument, "language", None)))
        for batch in pq.ParquetFile(scored.out).iter_batches(batch_size=batch_size, columns=columns):
            proba = np.column_stack([batch.column(c).to_numpy(zero_copy_only=False) for c in columns])
            raw_sum += proba.sum(axis=0)
            raw_hard += np.bincount(proba.argmax(axis=1), minlength=kk)
            sample = np.vstack([sample, proba])
            keys = np.concatenate([keys, rng.random(len(proba))])
            if len(keys) > sample_size:
                keep = np.argpartition(keys, sample_size - 1)[:sample_size]
                keep.sort()
                sample, keys = sample[keep], keys[keep]
    return raw_sum / scored.n_rows, raw_hard / scored.n_rows, sample


def shift_priors(
    model: LookalikeModel,
    linked: LinkedSample,
    *,
    sample_size: int = 500_000,
    batch_size: int = 100_000,
    unassigned_threshold: float | None = None,
    seed: int = 0,
    progress: bool = False,
) -> PriorShift:
    """Estimate the base's type shares (Saerens EM on raw posteriors of a uniform sample).

    The correction is applied only when the classifier identifies it
    (:func:`~behaviortypes.lookalike.shift_identifiability` on the respondents'
    out-of-fold posteriors) and the survey differs from the base only in its mix of types
    (:func:`~behaviortypes.lookalike.label_shift_check`, on the base's CRM statistics from
    a third streamed pass); :func:`choose_base_shares` decides. Otherwise the base's
    shares are the raw predicted ones (the model keeps its training priors), with their
    own bootstrap interval, and a :class:`~behaviortypes.errors.SurveyQualityWarning`
    says why (docs/lookalike.md).
    """
    rng = np.random.default_rng(seed)
    raw_share, raw_hard, sample = _raw_sample(model, linked, sample_size=sample_size, batch_size=batch_size,
                                              rng=rng, progress=progress)
    em_priors, n_iter = estimate_base_priors(sample, model.train_priors_)
    ident = shift_identifiability(model.oof_proba_, linked.labels.to_numpy(), base_proba=sample,
                                  base_share=em_priors, classes=model.type_ids_,
                                  sample_weight=linked.sample_weight)
    moments, base_rows = _base_moments(model, linked, batch_size=batch_size, rng=rng)
    prepared = prepare_features(linked.features, model.feature_schema_, model.reference_date_)
    respondents = crm_indicators(prepared, model.feature_schema_)
    odd = implausible_bounds(moments, base_rows, prepared, model.feature_schema_)
    for name, found in odd.items():  # left out of the check, said (trial 23: ages of 1e9)
        lo, hi = found["bounds"]
        respondents[name] = respondents[name].where(respondents[name].between(lo, hi))
        _warn_crm_implausible(linked.customers, name, found)
    shift_check = label_shift_check(respondents, linked.labels.to_numpy(),
                                    moments.table({n: f["bounds"] for n, f in odd.items()}), em_priors,
                                    classes=model.type_ids_, sample_weight=linked.sample_weight)
    choice = choose_base_shares(em_priors, raw_share, ident, shift_check)
    if choice["corrected"]:
        priors = em_priors
    else:  # the model keeps its training priors: its posteriors are the raw ones
        priors = model.train_priors_.to_numpy(float) / float(model.train_priors_.sum())
        warnings.warn(SurveyQualityWarning("lookalike: " + choice["note"], **_note_said(choice, ident, shift_check)),
                      stacklevel=3)
    final = model.with_base_priors(priors, type_names=linked.folder.type_names, id_column=linked.id_column)
    corrected = shift_posteriors(sample, model.train_priors_, priors)
    kk = len(model.type_ids_)
    unassigned = None
    if unassigned_threshold is not None:
        unassigned = float((corrected.max(axis=1) < unassigned_threshold).mean())
    # 95 % bootstrap intervals (over respondents) around the shares reported: through the
    # EM (recalibrating the posteriors) when corrected, else refitting the classifier
    if choice["corrected"]:
        intervals = base_share_intervals(
            sample, model.train_priors_.to_numpy(), linked.labels.to_numpy(), model.oof_proba_,
            classes=model.type_ids_, sample_weight=linked.sample_weight, base_share=choice["shares"],
            random_state=seed,
        )
    elif model.chosen_model_ not in _REFIT_MODELS:  # a refit costs seconds: recalibration bootstrap
        intervals = base_share_intervals(
            sample, model.train_priors_.to_numpy(), linked.labels.to_numpy(), model.oof_proba_,
            classes=model.type_ids_, sample_weight=linked.sample_weight, base_share=choice["shares"],
            random_state=seed, corrected=False,
        )
    else:
        with one_thread():
            intervals = raw_share_intervals(
                model.pipeline_, prepare_features(linked.features, model.feature_schema_, model.reference_date_),
                linked.labels.to_numpy(), base_rows, classes=model.type_ids_, point=choice["shares"],
                sample_weight=linked.sample_weight, random_state=seed,
            )
    low, high = intervals["ci_low"].to_numpy(float), intervals["ci_high"].to_numpy(float)
    if not choice["corrected"]:
        low, high = _at_least_survey_interval(choice["shares"], low, high, linked, model.type_ids_)
    return PriorShift(
        ci_low=low, ci_high=high,
        model=final, priors=np.asarray(choice["shares"], float), raw_share=raw_share,
        raw_assigned_share=raw_hard,
        corrected_assigned_share=np.bincount(corrected.argmax(axis=1), minlength=kk) / len(corrected),
        unassigned_share=unassigned, n_base=linked.n_base, n_sample=len(sample), n_iter=int(n_iter),
        identifiability=ident, em_estimate=np.asarray(em_priors, float), label_shift=shift_check,
        choice=choice,
    )


def _at_least_survey_interval(point: np.ndarray, low: np.ndarray, high: np.ndarray, linked: LinkedSample,
                              type_ids: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Widen the raw predicted shares' interval to at least the survey share's on each side.

    Without the correction the raw predicted share is the classifier's re-mix of the
    survey's types, so it cannot be known better than the survey share itself: each end
    is moved out, where needed, to the point minus (plus) the distance from the survey
    share to its own 95 % Wilson interval end (Kish effective size, as ``sizes.csv``).
    Trial 8: "4.9 % [4.9 %, 5.2 %]" beside a survey share of 5 % [4-6 %].
    """
    from ..profiles import weighted_sizes

    w = None if linked.weights is None else linked.weights.loc[linked.types.index].astype(float).fillna(0.0)
    sizes = weighted_sizes(linked.types, w).reindex(list(type_ids))
    point = np.asarray(point, float)
    below = (sizes["share"] - sizes["ci_low"]).fillna(0.0).to_numpy(float)
    above = (sizes["ci_high"] - sizes["share"]).fillna(0.0).to_numpy(float)
    return (np.clip(np.minimum(low, point - below), 0.0, 1.0),
            np.clip(np.maximum(high, point + above), 0.0, 1.0))


#: Classifiers cheap enough to refit for the raw shares' bootstrap interval (about 0.1 s a
#: refit on 2,000 respondents; gradient boosting with its calibration takes 4-9 s, so 200
#: refits would take minutes: its interval recalibrates the posteriors instead, which leaves
#: out the classifier's own estimation error and is narrower; docs/lookalike.md).
_REFIT_MODELS = ("logistic",)


def _declared_categories(linked: LinkedSample) -> tuple[str, ...]:
    """The columns declared categories: ``descriptors:`` of the instrument as ``discover``
    read it and as the survey folder's ``instrument.yaml`` lists them now (``profile`` reads
    that one too: a column declared after ``discover`` counts; an unreadable file adds none)."""
    from ..instrument import load_instrument

    names = [d.column for d in linked.instrument.descriptors]
    path = Path(str(linked.folder.source.survey_dir)) / "instrument.yaml"
    try:
        names += [d.column for d in load_instrument(path).descriptors]
    except Exception:  # noqa: BLE001 - discover's copy of the instrument stands
        pass
    return tuple(dict.fromkeys(names))


def _warn_few_codes(customers: Any, found: list[tuple[str, int]]) -> None:
    """One line for the numeric CRM columns that look like codes of categories
    (:func:`~behaviortypes.lookalike._features.few_code_columns`): they are read as
    quantities; how to declare them categories (user trial 23: "race mean 4.94")."""
    if not found:
        return
    file = Path(str(customers)).name
    columns = ", ".join(f"{name} ({n} codes)" for name, n in found)
    first = found[0][0]
    warnings.warn(SurveyQualityWarning(
        f"{file}: column(s) {columns} hold whole numbers with few distinct values and are read as quantities "
        f"(a mean in crm_profile.csv). Hint: if they are codes of categories, list each under descriptors: in "
        f"instrument.yaml (descriptors: - column: {first}), where a column is read as categories, and run "
        f"lookalike again; else nothing to do",
        code="warn_crm_few_codes", values={"file": file, "columns": columns, "first": first}), stacklevel=4)


def _warn_crm_implausible(customers: Any, name: str, found: dict[str, Any]) -> None:
    """One line for a CRM column with values that look like missing codes or lie far out
    (:func:`~behaviortypes.lookalike.priors.implausible_bounds`): the column, the values,
    that the label-shift check leaves them out and how to declare them missing."""
    file = Path(str(customers)).name
    values = ", ".join(f"{v:.15g}" for v in found["values"][:5]) + (", …" if len(found["values"]) > 5 else "")
    said = {"file": file, "column": name, "n": found["n"], "values": values}
    warnings.warn(SurveyQualityWarning(
        f"{file}, column '{name}': {found['n']} value(s) of the customer base look like missing codes or lie far "
        f"outside the rest ({values}); the label-shift check leaves them out (its means and standard deviations "
        f"are taken without them), the model reads them as they are. Hint: if they mean 'no value', write them "
        f"as an empty cell or NA in {file} (read as missing), else correct them, and run lookalike again",
        code="warn_crm_implausible", values=said), stacklevel=4)


def _base_moments(model: LookalikeModel, linked: LinkedSample, *, batch_size: int, rng: np.random.Generator,
                  max_rows: int = BOOTSTRAP_BASE_ROWS) -> tuple[CrmMoments, pd.DataFrame]:
    """One streamed pass over the base: the statistics of its CRM columns (label-shift check)
    and a uniform sample of ``max_rows`` of its prepared rows (the raw shares' bootstrap)."""
    from .. import readers

    moments = CrmMoments()
    schema = model.feature_schema_
    names = [spec["name"] for spec in schema]
    rows, keys = [], np.empty(0)
    for batch in readers.iter_customer_batches(linked.customers, batch_size=batch_size, id_column=linked.id_column):
        if any(name not in batch.columns for name in names):  # scoring the base has already refused such a file
            continue
        prepared = prepare_features(batch, schema, model.reference_date_).reset_index(drop=True)
        moments.update(crm_indicators(prepared, schema))
        rows.append(prepared)
        keys = np.concatenate([keys, rng.random(len(prepared))])
        if len(keys) > max_rows:
            table = pd.concat(rows, ignore_index=True)
            keep = np.sort(np.argpartition(keys, max_rows - 1)[:max_rows])
            rows, keys = [table.iloc[keep].reset_index(drop=True)], keys[keep]
    sample = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=names)
    return moments, sample


#: Said on the card of shares that are not corrected (user trial 10: with the correction declined,
#: two of four true base shares fell ~3 points outside their 95 % intervals, all on the side away
#: from the survey's own mix: a weak model's predictions shrink toward its training shares).
UNCORRECTED_LEAN = ("raw predicted shares lean toward the survey's own mix of types (a model's predictions "
                    "shrink toward the shares it was trained on, the more so the weaker it is): where a base "
                    "share differs from the survey's, the true difference is probably larger, and the interval "
                    "covers the model's refit noise only, not this lean")
UNCORRECTED_LEAN_IF_TYPE = ("if people answered because of their type rather than because of these columns, "
                            + UNCORRECTED_LEAN)


def choose_base_shares(em_estimate: Sequence[float] | np.ndarray, raw_share: Sequence[float] | np.ndarray,
                       identifiability: dict, label_shift: dict | None) -> dict[str, Any]:
    """Which shares are the customer base's: the corrected or the raw predicted ones.

    The one place that decides it; the card records the result (``base.corrected``,
    ``base.method``, ``base.note``, and each type's ``corrected_share`` with its interval),
    and ``score``, ``base_shares.json`` and the report read it from there
    (:func:`card_base_shares`).

    The prior-shift (Saerens EM) estimate is used when both hold:

    * it is identified: every corrected share's standard error is at most
      :data:`~behaviortypes.lookalike.MAX_SHARE_SE` (:func:`~behaviortypes.lookalike.shift_identifiability`);
    * the survey differs from the base only in its mix of types (label shift): the re-mix
      of the survey's types reproduces the base's CRM columns
      (:func:`~behaviortypes.lookalike.priors.label_shift_check`).

    Otherwise the base's shares are the raw predicted ones (mean posterior over the base),
    which are right when the survey selected people on the CRM columns themselves
    (covariate shift) and are the best the data give when the shift is not identified.

    Parameters
    ----------
    em_estimate, raw_share : array-like of shape (n_types,)
        The EM's estimate and the raw predicted shares.
    identifiability : dict
        From :func:`~behaviortypes.lookalike.shift_identifiability`.
    label_shift : dict or None
        From :func:`~behaviortypes.lookalike.priors.label_shift_check` (None: not checked).

    Returns
    -------
    dict
        ``shares`` (ndarray), ``corrected`` (bool), ``method`` (text for ``base.method``),
        ``reason`` (``None``, ``"not_identified"`` or ``"covariate_shift"``) and ``note``
        (the sentence for the card and the warning; None when corrected).
    """
    shifted = label_shift is not None and label_shift["rejected"]
    if identifiability["identified"] and not shifted:
        return {"shares": np.asarray(em_estimate, float), "corrected": True, "reason": None, "note": None,
                "method": "Saerens, Latinne & Decaestecker (2002) EM on raw posteriors (prior-shift corrected: "
                          "the survey differs from the base in its mix of types)"}
    if shifted:
        worst = label_shift["worst"]
        columns = list(dict.fromkeys(
            str(label_shift["table"].set_index("statistic").loc[f, "column"]) for f in label_shift["flagged"]
        ))[:3] if "table" in label_shift else [worst["column"]]
        method = (f"raw predicted: the survey differs from the base in {', '.join(columns)} themselves, not only "
                  "in its mix of types, so the correction for the survey's response bias does not apply; the "
                  "shares are the mean predicted probability over the base")
        note = (f"the survey's respondents differ from the customer base in the customer columns themselves "
                f"({describe_statistic(worst)}), not only in their mix of types, so the correction for the "
                "survey's response bias, which assumes the latter, is not applied: base shares = raw predicted "
                "shares (mean predicted probability over the base), which are right when people answered "
                "because of these columns")
        if not identifiability["identified"]:
            note += ("; besides, the customer columns separate the types too weakly to estimate the correction "
                     f"(standard error of a corrected share up to {_points(identifiability['max_share_se'])})")
        note += "; " + UNCORRECTED_LEAN_IF_TYPE
        return {"shares": np.asarray(raw_share, float), "corrected": False, "reason": "covariate_shift",
                "method": method, "note": note, "columns": columns}
    return {"shares": np.asarray(raw_share, float), "corrected": False, "reason": "not_identified",
            "method": "raw predicted: the customer columns do not identify the correction for the survey's "
                      "response bias; the shares are the mean predicted probability over the base",
            "note": _not_identified_text(identifiability).removeprefix("lookalike: ") + "; " + UNCORRECTED_LEAN}


def card_base_shares(card: dict[str, Any]) -> pd.DataFrame:
    """The customer base's type shares that a lookalike card reports, with their intervals.

    Parameters
    ----------
    card : dict
        The content of ``lookalike_card.json``.

    Returns
    -------
    DataFrame
        Indexed by ``type_id``: ``share`` (prior-shift corrected when ``card["base"]["corrected"]``,
        else the raw predicted share), ``ci_low``, ``ci_high`` (its 95 % bootstrap interval, NaN
        when not recorded); ``attrs["corrected"]`` and ``attrs["method"]`` say which.
    """
    rows = card.get("shares") or []
    table = pd.DataFrame({
        "type_id": [int(r["type_id"]) for r in rows],
        "share": [float(r["corrected_share"]) for r in rows],
        "ci_low": [float(r.get("corrected_ci_low", np.nan)) for r in rows],
        "ci_high": [float(r.get("corrected_ci_high", np.nan)) for r in rows],
    }).set_index("type_id")
    base = card.get("base") or {}
    table.attrs["corrected"] = bool(base.get("corrected", True))
    table.attrs["method"] = base.get("method", "")
    return table


def _size(path: Path) -> int:
    """Bytes of a file, or of every file of a folder."""
    if path.is_dir():
        return int(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()))
    return int(path.stat().st_size)


def _finite(doc: dict) -> dict:
    """JSON-safe: an infinite standard error (singular confusion matrix) becomes null."""
    def one(v):
        if isinstance(v, list):
            return [one(x) for x in v]
        return None if isinstance(v, float) and not np.isfinite(v) else v
    return {k: one(v) for k, v in doc.items()}


def _points(share: float) -> str:
    return "∞ points" if not np.isfinite(share) else f"{100 * share:.1f} points"


def _not_identified_text(ident: dict) -> str:
    """The note (card) and warning (CLI) when the prior-shift correction is not identified."""
    if ident["informative"]:
        how, most = "separate some of the types too weakly", ""
    else:
        how, most = "predict the type no better than chance", " and most customers get the largest type"
    return (
        f"lookalike: the customer columns {how} (out-of-fold accuracy "
        f"{ident['accuracy']:.1%} against {ident['majority_accuracy']:.1%} by always guessing the largest "
        f"type; log-loss {ident['log_loss']:.3f} against {ident['prior_log_loss']:.3f} from the survey's "
        f"shares alone; standard error of a corrected share up to {_points(ident['max_share_se'])}, "
        f"above {_points(ident['max_se'])}), so the "
        "correction for the survey's response bias cannot be estimated: it is not applied (base shares = "
        f"raw predicted shares, the mean predicted probability over the base, with their own interval){most}; "
        "add customer columns that differ between the types"
    )


def _note_said(choice: dict, ident: dict, label_shift: dict | None) -> dict[str, Any]:
    """The code and values of the warning that the base's shares are not corrected (said
    by the command line in the study's language; the warning's text is the English note):
    the sentences of :func:`choose_base_shares` and :func:`_not_identified_text`."""
    def points(share: float) -> str:
        return "∞" if not np.isfinite(share) else f"{100 * share:.1f}"

    if choice["reason"] == "covariate_shift":
        worst = label_shift["worst"]
        name = worst["statistic"]
        kind = "missing" if name.endswith(": missing") else "share" if " = " in name else "mean"
        base, remix = ((f"{row:.0%}".replace("%", "\u00a0%") for row in (worst["base"], worst["remix"]))
                       if kind != "mean" else (f"{worst['base']:.3g}", f"{worst['remix']:.3g}"))
        besides = not ident["identified"]
        return {"code": "warn_lookalike_shift_weak" if besides else "warn_lookalike_shift",
                "values": {"statistic": worst["column"] if kind == "missing" else name,
                           "what": f"lookalike_statistic_{kind}", "base": base, "remix": remix,
                           "se": points(ident["max_share_se"])}}
    return {"code": "warn_lookalike_not_identified" if ident["informative"] else "warn_lookalike_no_better",
            "values": {"accuracy_share": float(ident["accuracy"]), "majority_share": float(ident["majority_accuracy"]),
                       "log_loss": f"{ident['log_loss']:.3f}", "prior_log_loss": f"{ident['prior_log_loss']:.3f}",
                       "se": points(ident["max_share_se"]), "max_se": points(ident["max_se"])}}


# -------------------------------------------------------------------- card
def card_note(choice: dict, ident: dict, label_shift: dict | None, lang: str | None) -> str | None:
    """The card's ``base.note`` in the study's language ``lang``: the sentence of the warning
    that the base's shares are not corrected (:func:`_note_said`, as the command line says it)
    and the lean of raw predicted shares; English (``choice["note"]``) for another language."""
    from ..i18n import output_language, reason_text
    from ..texts import Formatter, load_texts

    lang = output_language(lang)
    if choice.get("note") is None or lang == "en":
        return choice.get("note")
    t, fmt, said = load_texts(lang), Formatter(lang), _note_said(choice, ident, label_shift)
    values = {k: fmt.num(float(v), len(v.split(".")[1])) if isinstance(v, str) and re.fullmatch(r"-?\d+\.\d+", v)
              else v for k, v in said["values"].items()}  # (a number the sentence wrote keeps its digits)
    text = reason_text({"code": said["code"], "values": values}, t, fmt).removeprefix("lookalike: ")
    lean = t["card_note_lean_if_type" if choice.get("reason") == "covariate_shift" else "card_note_lean"]
    return f"{text}; {lean}"


def _label_shift_doc(check: dict | None, lang: str | None = "en") -> dict | None:
    """The label-shift check for the card: the rule, the verdict and the largest differences."""
    if check is None:
        return None
    table = check.get("table")
    top = [] if table is None or table.empty else (
        table.assign(a=table["smd"].abs()).sort_values("a", ascending=False, kind="stable").drop(columns="a")
        .head(10).round(4).to_dict(orient="records"))
    return {
        "rejected": check["rejected"], "max_smd": check["max_smd"], "min_z": check["min_z"],
        "worst": check["worst"], "flagged": check["flagged"], "largest": _finite_rows(top),
        "measure": _words("card_label_shift_measure", lang, LABEL_SHIFT_MEASURE),
    }


#: The card's sentences in English (``base.identifiability.measure``, ``base.label_shift.measure``);
#: the study's language from ``report/i18n`` (:func:`_words`).
IDENTIFIABILITY_MEASURE = ("delta-method standard error of each corrected share from the soft confusion matrix of "
                           "the respondents' out-of-fold posteriors and the base's posteriors (Lipton, Wang & Smola "
                           "2018); the correction is applied when every share's is at most max_se")
LABEL_SHIFT_MEASURE = ("each CRM statistic (numeric mean, category share, missing share) of the base against the "
                       "re-mix of the linked respondents' per-type values with the corrected shares; label shift "
                       "is rejected when |smd| > max_smd and |z| > min_z for some statistic")


def _words(key: str, lang: str | None, english: str, **values: Any) -> str:
    """A sentence of the lookalike card for people: ``english`` (as ever) in English, the
    texts' ``key`` in another language (sv19; keys and codes of the card stay as they are)."""
    if lang in (None, "en"):
        return english
    from ..i18n import said

    return said(key, lang, **values)


def _method_words(shift: PriorShift, lang: str | None) -> str:
    """``base.method``: how the base's shares were estimated (English: the choice's words)."""
    choice = shift.choice
    if not choice:
        return _words("card_method_em", lang, "Saerens, Latinne & Decaestecker (2002) EM on raw posteriors")
    key = ("card_method_corrected" if choice["corrected"] else
           "card_method_covariate_shift" if choice["reason"] == "covariate_shift" else "card_method_not_identified")
    return _words(key, lang, choice["method"], columns=", ".join(choice.get("columns") or []))


def _interval_words(shift: PriorShift, model: LookalikeModel, lang: str | None) -> str | None:
    """``base.interval``: how the base shares' 95 % interval was drawn."""
    choice = shift.choice
    if not choice:
        return None
    if choice["corrected"]:
        return _words("card_interval_corrected", lang,
                      "bootstrap over respondents through the EM (recalibrated posteriors)")
    refit = model.chosen_model_ in _REFIT_MODELS
    english = ("bootstrap over respondents, refitting the classifier; at least the survey share's interval on each "
               "side" if refit else "bootstrap over respondents, recalibrating the posteriors (the classifier is not "
               "refitted); at least the survey share's interval on each side")
    english += "; it does not include the lean of raw predicted shares toward the survey's mix (see note)"
    return _words("card_interval_refit" if refit else "card_interval_recalibrated", lang, english)


def _finite_rows(rows: list[dict]) -> list[dict]:
    return [{k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in r.items()} for r in rows]


def _shares(model: LookalikeModel, linked: LinkedSample, shift: PriorShift) -> list[dict[str, Any]]:
    types, names = linked.types, shift.model.type_names_
    w = None if linked.weights is None else linked.weights.loc[types.index].astype(float).fillna(0.0)
    survey_share = types.value_counts(normalize=True) if w is None else w.groupby(types).sum() / w.sum()
    return [
        {
            "type_id": t,
            "type_name": names[t],
            "survey_share": float(survey_share.get(t, 0.0)),
            "linked_share": float(model.train_priors_[t]),
            "raw_predicted_share": float(shift.raw_share[j]),
            "raw_assigned_share": float(shift.raw_assigned_share[j]),
            # the base share reported (corrected, or raw predicted when base.corrected is false)
            "corrected_share": float(shift.priors[j]),
            **({} if shift.em_estimate is None else {"em_share": float(shift.em_estimate[j])}),
            **({} if shift.ci_low is None else {"corrected_ci_low": float(shift.ci_low[j]),
                                                 "corrected_ci_high": float(shift.ci_high[j])}),
            "corrected_assigned_share": float(shift.corrected_assigned_share[j]),
        }
        for j, t in enumerate(model.type_ids_)
    ]


def lookalike_card(model: LookalikeModel, linked: LinkedSample, shift: PriorShift, *,
                   unassigned_threshold: float | None = None, seed: int = 0) -> dict[str, Any]:
    """The content of ``lookalike_card.json`` (see :class:`behaviortypes.study.LookalikeCard`)."""
    counts = linked.labels.value_counts()
    final = shift.model
    lang = getattr(linked.instrument, "language", None)  # the sentences for people: the study's (sv19)
    return {
        "kind": "behaviortypes lookalike card",
        "version": 1,
        "id_column": linked.id_column,
        "survey_link_column": linked.link_column,
        "features": model.feature_schema_,
        "feature_columns": model.feature_columns_,
        "dropped_features": model.dropped_features_
        + [{"name": c, "reason": "leakage (survey item)"} for c in linked.leaked]
        + [{"name": c, "reason": "leakage (earlier scoring output)"} for c in linked.scored]
        + [{"name": c, "reason": "excluded by the user (--exclude)"} for c in linked.excluded],
        "reference_date": model.reference_date_,
        "type_ids": model.type_ids_,
        "type_names": final.type_names_,
        "link": {
            "n_respondents": int(len(linked.types)),
            "n_linked": int(len(linked.labels)),
            "n_unlinked": int(len(linked.types) - len(linked.labels)),
            "per_type": {int(t): int(counts.get(t, 0)) for t in model.type_ids_},
            "weighted": linked.weights is not None,
        },
        "cv_results": model.cv_results_.to_dict(orient="records"),
        "chosen_model": model.chosen_model_,
        "chosen_calibration": model.chosen_calibration_,
        "metrics": model.metrics_,
        "weakness": weakness(model.metrics_, lang),  # against always guessing the largest type (trial 12)
        "permutation_importance": model.importances_.reset_index().to_dict(orient="records"),
        "base": {
            "n_customers": int(shift.n_base),
            "n_em_sample": int(shift.n_sample),
            "em_iterations": int(shift.n_iter),
            "interval": _interval_words(shift, model, lang),
            "reason": shift.choice["reason"] if shift.choice else None,
            "method": _method_words(shift, lang),
            **({} if shift.identifiability is None else {
                "corrected": bool(shift.choice["corrected"]) if shift.choice
                else bool(shift.identifiability["identified"]),
                "identifiability": {
                    **_finite(shift.identifiability),
                    "measure": _words("card_identifiability_measure", lang, IDENTIFIABILITY_MEASURE),
                },
                "em_estimate": {int(t): float(v) for t, v in zip(model.type_ids_, shift.em_estimate)},
                "note": card_note(shift.choice, shift.identifiability, shift.label_shift,
                                  lang) if shift.choice else None,
                "label_shift": _label_shift_doc(shift.label_shift, lang),
            }),
        },
        "shares": _shares(model, linked, shift),
        "train_priors": {int(t): float(v) for t, v in model.train_priors_.items()},
        "base_priors": {int(t): float(v) for t, v in final.base_priors_.items()},
        "unassigned": None if unassigned_threshold is None else {
            "threshold": float(unassigned_threshold),
            "base_share": shift.unassigned_share,
            "cv": model.metrics_.get("unassigned"),
        },
        "typing_tool": dict(linked.folder.solution.typing_tool) or {
            "error": "the discovery folder has no typing tool; re-run `behaviortypes discover`"},
        "fingerprint": {
            "customers_sha256": customers_fingerprint(linked.customers),
            "assignments_sha256": sha256_file(linked.folder.path / "assignments.csv"),
            "customers_file": str(linked.customers.resolve()),
            "customers_bytes": _size(linked.customers),
        },
        "seed": seed,
        "versions": library_versions(("behaviortypes", "numpy", "pandas", "scikit-learn", "skops", "pyarrow")),
    }


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
    survey: Any = None,
    exclude: Sequence[str] = (),
) -> LookalikeResult:
    """Train, calibrate and prior-correct the lookalike model; write its files.

    Parameters
    ----------
    discovery_dir : str or Path
        Folder written by ``behaviortypes discover``; the model, card and
        ``crm_profile.csv`` are written here.
    customers : str or Path
        Customer base (``.parquet`` file or folder, ``.csv``, DuckDB database).
    id_column : str, optional
        Customer id column of the customer file; default: the instrument's
        ``customer_id_column``.
    seed : int, default=0
        Seeds every random step (folds, boosting, base sample).
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
    survey : Survey, optional
        The survey of the discovery (a runner passes the one it has); default: read
        once from the folder recorded in ``source.json``, an error when it is gone.
    exclude : sequence of str, default=()
        Customer columns never to use as features (``--exclude``), besides the personal-data
        columns (names, e-mail, phone, personal identity numbers, addresses) that are always
        left out (:func:`~behaviortypes.lookalike.personal_data_columns`).

    Returns
    -------
    LookalikeResult

    Raises
    ------
    InputError
        See :func:`link`; also when a batch of the base does not fit the training schema,
        and when the discovery found no distinct types (one homogeneous group, k = 1).

    Warns
    -----
    SurveyQualityWarning
        When survey items (or earlier scoring output) are in the customer file:
        they are dropped as features (leakage).
    """
    study.refuse_one_group(discovery_dir, "the lookalike model")
    linked = link(discovery_dir, customers, id_column=id_column, min_per_type=min_per_type,
                  batch_size=batch_size, progress=progress, survey=survey, exclude=exclude)
    from .model import LookalikeModel
    from .typing_tool import load_typing_tool

    sw = linked.sample_weight
    model = LookalikeModel(
        models=tuple(models), cv=cv, calibration=calibration, unassigned_threshold=unassigned_threshold,
        random_state=seed, categorical=_declared_categories(linked),  # trial 23
    ).fit(linked.features, pd.Series(linked.labels.to_numpy(), index=linked.features.index), sample_weight=sw)
    _warn_few_codes(linked.customers, few_code_columns(linked.features, model.feature_schema_))
    shift = shift_priors(model, linked, sample_size=sample_size, batch_size=batch_size,
                         unassigned_threshold=unassigned_threshold, seed=seed, progress=progress)
    card = lookalike_card(model, linked, shift, unassigned_threshold=unassigned_threshold, seed=seed)
    folder = linked.folder.path
    tool = load_typing_tool(folder / TYPING_TOOL_FILE) if (folder / TYPING_TOOL_FILE).is_file() else None
    result = LookalikeResult(model=shift.model, card=card, typing_tool=tool)
    crm_table = _crm_table(linked, model)  # everything is computed before the first file is written
    written: list[Path] = []
    try:  # all three files or none of this run's (user trial 12, F3: a model without its profile)
        written += result.to_files(folder)
        written.append(study.save(folder, "crm_profile.csv", crm_table))
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    model_path, card_path, crm = written
    return LookalikeResult(model=shift.model, card=card, typing_tool=tool,
                           files={"model": model_path, "crm_profile": crm, "card": card_path})


def _crm_table(linked: LinkedSample, model: LookalikeModel) -> pd.DataFrame:
    """The table of ``crm_profile.csv``: how each type's linked customers differ on each CRM
    column (:func:`~behaviortypes.lookalike.reach.crm_profile`), for the report's "how to reach them".

    Cells smaller than the instrument's ``min_group_size`` (when it sets one, else the
    banner's default of 10) are suppressed, as ``profile`` does.
    """
    from ..describe.profile import DEFAULT_MIN_CELL
    from .reach import crm_profile

    inst = linked.instrument
    cell = int(inst.min_group_size) if "min_group_size" in inst.model_fields_set else DEFAULT_MIN_CELL
    return crm_profile(linked.features, linked.labels.to_numpy(), model.feature_schema_,
                       sample_weight=linked.sample_weight, min_cell=cell)
