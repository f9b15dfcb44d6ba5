"""The lookalike (twin) classifier: raw CRM columns in, calibrated type probabilities out."""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    log_loss,
    precision_recall_fscore_support,
)
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

from ..errors import InputError, Said
from ..threads import one_thread
from ..validation import check_frame, check_random_state, check_sample_weight
from ..files import to_jsonable
from ._features import (
    check_features_against_schema,
    detect_schema,
    prepare_features,
    reference_date,
    warn_dropped,
)
from .priors import calibration_table, expected_calibration_error, shift_posteriors

__all__ = ["LookalikeModel", "UNASSIGNED", "MODEL_CHOICES", "CALIBRATION_CHOICES"]

#: Type id given by :meth:`LookalikeModel.predict` below the unassigned threshold.
UNASSIGNED = 0
MODEL_CHOICES = ("logistic", "gbm")
CALIBRATION_CHOICES = ("sigmoid", "isotonic", None)
_MISSING_LEVEL = "(missing)"
_FRAME_ATTRS = ("cv_results_", "importances_", "train_priors_", "base_priors_")


def _frame_to_state(obj: Any) -> Any:
    if isinstance(obj, pd.DataFrame):
        return {
            "__frame__": to_jsonable(obj.reset_index().to_dict(orient="list")),
            "index": obj.index.name or "index",
            "columns": [str(c) for c in obj.columns],
        }
    if isinstance(obj, pd.Series):
        return {
            "__series__": [to_jsonable(list(obj.index)), to_jsonable(list(obj.to_numpy()))],
            "name": obj.name,
            "index": obj.index.name,
        }
    return obj


def _frame_from_state(obj: Any) -> Any:
    if isinstance(obj, dict) and "__frame__" in obj:
        frame = pd.DataFrame(obj["__frame__"]).set_index(obj["index"])
        frame.index.name = None if obj["index"] == "index" else obj["index"]
        return frame[obj["columns"]]
    if isinstance(obj, dict) and "__series__" in obj:
        index, values = obj["__series__"]
        return pd.Series(
            np.asarray(values, dtype=float),
            index=pd.Index(index, name=obj["index"]),
            name=obj["name"],
        )
    return obj


class LookalikeModel(ClassifierMixin, BaseEstimator):
    """Calibrated classifier from raw CRM columns to behaviour types.

    The model detects each column's kind (numeric, boolean, categorical →
    one-hot, date → recency in days before a reference date fixed at fit),
    compares the candidate classifiers by stratified cross-validated log-loss
    (each one calibrated exactly as it will be used), refits the best one on all
    rows, and can shift its posteriors to the type shares of the customer base
    (see :meth:`with_base_priors`).

    Parameters
    ----------
    models : tuple of {"logistic", "gbm"}, default=("logistic", "gbm")
        Candidates: multinomial logistic regression on standardised features and
        histogram gradient boosting (early-stopped).
    cv : int, default=5
        Folds of the stratified cross-validation that compares the candidates
        (calibration inside each fit uses ``min(cv, 3)`` folds).
    calibration : {"sigmoid", "isotonic"} or None, default="sigmoid"
        Calibration method tried for each candidate
        (:class:`~sklearn.calibration.CalibratedClassifierCV`). Each candidate is
        cross-validated both with its own probabilities and calibrated, and the
        variant with the lower log-loss is kept: scikit-learn's one-vs-rest
        calibration can *worsen* an already well-calibrated multinomial model,
        and prior-shift correction needs calibrated probabilities. None tries
        the classifiers' own probabilities only. Isotonic needs roughly 1,000+
        rows per fold.
    unassigned_threshold : float, optional
        When set, :meth:`predict` returns ``UNASSIGNED`` (0) for customers whose
        highest type probability is below it.
    random_state : int, numpy Generator or None, default=None
        Seeds the folds and gradient boosting; same seed, same model.

    Attributes
    ----------
    feature_schema_ : list of dict
        ``{name, kind, dtype[, categories]}`` per raw column used.
    feature_columns_ : list of str
        Raw columns a customer file must have.
    dropped_features_ : list of dict
        Columns given to ``fit`` but not used, with the reason.
    reference_date_ : str or None
        ISO date that recency is counted from (the latest date seen in training).
    type_ids_ : list of int
    classes_ : ndarray of int
    chosen_model_ : str
        ``"logistic"`` or ``"gbm"``.
    chosen_calibration_ : str or None
        The calibration kept for the chosen model (None = its own probabilities).
    cv_results_ : DataFrame
        One row per candidate and calibration: ``model, calibration, log_loss,
        accuracy, macro_f1, ece, seconds, chosen`` (out-of-fold, weighted).
    metrics_ : dict
        Out-of-fold metrics of the chosen model: accuracy, macro-F1, log-loss,
        ECE, reliability bins, per-type precision/recall, confusion matrix,
        unassigned share at the threshold.
    importances_ : DataFrame
        Permutation importance (drop in log-likelihood per row) of each raw
        column, on the training rows, indexed by feature.
    train_priors_ : Series
        Weighted type shares in training, indexed by type id.
    oof_proba_ : ndarray of shape (n_rows, n_types)
        Out-of-fold posteriors of the chosen model on the training rows (for the
        confidence intervals of :func:`~behaviortypes.lookalike.base_share_intervals`).
    base_priors_ : Series or None
        Type shares of the customer base the posteriors are shifted to; None
        unless the model came from :meth:`with_base_priors`.
    id_column_ : str or None
        Name of the customer id (the index name of the training features).
    type_names_ : dict of int to str
        Type names for scored output (empty unless set by :func:`train_lookalike`).
    pipeline_ : sklearn Pipeline
        The fitted preprocessing + calibrated classifier.

    Notes
    -----
    Fitting and prediction run single-threaded (BLAS and OpenMP limited with
    ``threadpoolctl``): the problems are small and, on a shared machine,
    OpenMP threads of gradient boosting made a fit ~15× slower. Parallelism
    belongs to the caller (batches, Dask workers in :mod:`behaviortypes.scoring`).

    Examples
    --------
    >>> model = LookalikeModel(random_state=0).fit(features, labels)  # doctest: +SKIP
    >>> model.predict_proba(batch).head()  # doctest: +SKIP
    """

    #: (a model saved before user trial 23 has no ``categorical``: read as none)
    categorical: Sequence[str] = ()

    def __init__(
        self,
        *,
        models: Sequence[str] = ("logistic", "gbm"),
        cv: int = 5,
        calibration: str | None = "sigmoid",
        unassigned_threshold: float | None = None,
        random_state: int | np.random.Generator | None = None,
        categorical: Sequence[str] = (),
    ) -> None:
        self.categorical = categorical
        self.models = models
        self.cv = cv
        self.calibration = calibration
        self.unassigned_threshold = unassigned_threshold
        self.random_state = random_state

    # ----------------------------------------------------------------- build
    def _check_params(self) -> tuple[str, ...]:
        models = (self.models,) if isinstance(self.models, str) else tuple(self.models)
        unknown = [m for m in models if m not in MODEL_CHOICES]
        if not models or unknown:
            raise InputError(code="problem_lookalike_model_unknown", values={"choices": ", ".join(MODEL_CHOICES)},
                             value=unknown[0] if unknown else models)
        if self.calibration not in CALIBRATION_CHOICES:
            raise InputError(code="problem_lookalike_calibration_unknown", value=self.calibration)
        if int(self.cv) < 2:
            raise InputError(code="problem_lookalike_cv", value=self.cv)
        t = self.unassigned_threshold
        if t is not None and not 0 < float(t) < 1:
            raise InputError(code="problem_lookalike_unassigned", value=t)
        return models

    def _preprocessor(self) -> ColumnTransformer:
        num = [s["name"] for s in self.feature_schema_ if s["kind"] != "categorical"]
        cats = [s for s in self.feature_schema_ if s["kind"] == "categorical"]
        parts = []
        if num:
            parts.append(
                (
                    "numeric",
                    Pipeline(
                        [
                            ("impute", SimpleImputer(strategy="median", add_indicator=True)),
                            ("scale", StandardScaler()),
                        ]
                    ),
                    num,
                )
            )
        if cats:
            parts.append(
                (
                    "categorical",
                    Pipeline(
                        [
                            (
                                "impute",
                                SimpleImputer(strategy="constant", fill_value=_MISSING_LEVEL),
                            ),
                            (
                                "onehot",
                                OneHotEncoder(
                                    categories=[
                                        list(s["categories"]) + [_MISSING_LEVEL] for s in cats
                                    ],
                                    handle_unknown="ignore",
                                    sparse_output=False,
                                ),
                            ),
                        ]
                    ),
                    [s["name"] for s in cats],
                )
            )
        return ColumnTransformer(parts, remainder="drop", verbose_feature_names_out=False)

    def _classifier(self, name: str, seed: int):
        if name == "logistic":
            return LogisticRegression(C=1.0, max_iter=2000)
        return HistGradientBoostingClassifier(
            learning_rate=0.1,
            max_iter=200,
            max_leaf_nodes=15,
            min_samples_leaf=20,
            l2_regularization=1.0,
            early_stopping=True,
            validation_fraction=0.15,
            n_iter_no_change=10,
            random_state=seed,
        )

    def _pipeline(self, name: str, seed: int, calibration: str | None) -> Pipeline:
        clf = self._classifier(name, seed)
        if calibration is not None:
            clf = CalibratedClassifierCV(
                clf,
                method=calibration,
                cv=StratifiedKFold(min(int(self.cv), 3), shuffle=True, random_state=seed),
                ensemble=True,
            )
        return Pipeline([("prepare", self._preprocessor()), ("classifier", clf)])

    # ------------------------------------------------------------------- fit
    def fit(
        self,
        features: pd.DataFrame,
        labels: pd.Series | Sequence[int],
        sample_weight: np.ndarray | pd.Series | None = None,
    ) -> "LookalikeModel":
        """Detect feature kinds, choose and calibrate the classifier, refit on all rows.

        Parameters
        ----------
        features : DataFrame of shape (n_respondents, n_columns)
            Raw CRM columns of the linked respondents, indexed by customer id.
        labels : Series of int, length n_respondents
            Type id of each row (aligned on the index when it matches, else by position).
        sample_weight : array-like of shape (n_respondents,), optional
            Survey weights.

        Returns
        -------
        self

        Raises
        ------
        InputError
            If a setting is invalid, labels do not match the rows, or a type has
            fewer than ``cv`` rows.
        """
        models = self._check_params()
        # many small fits: extra BLAS/OpenMP threads only add contention (see Notes)
        with one_thread():
            return self._fit(models, features, labels, sample_weight)

    def _fit(self, models, features, labels, sample_weight) -> "LookalikeModel":
        features = check_frame(features, name="features", what="raw customer columns, one row per customer")
        y = self._align_labels(features, labels)
        w = check_sample_weight(sample_weight, len(features))
        seeds = check_random_state(self.random_state).integers(0, 2**31 - 1, size=3)
        type_ids = self._check_types(y)
        X = self._learn_schema(features, type_ids)
        weights = np.ones(len(y)) if w is None else w
        self.train_priors_ = pd.Series(
            [weights[y == t].sum() / weights.sum() for t in self.type_ids_],
            index=pd.Index(self.type_ids_, name="type_id"),
            name="share",
        )
        self.base_priors_ = None
        calibrations = [None] + ([self.calibration] if self.calibration is not None else [])
        results, oof = self._cross_validate(models, calibrations, X, y, w, int(seeds[0]), int(seeds[1]))
        best = int(results["log_loss"].to_numpy().argmin())
        results["chosen"] = np.arange(len(results)) == best
        self.cv_results_ = results
        self.chosen_model_ = str(results["model"].iloc[best])
        self.chosen_calibration_ = calibrations[best % len(calibrations)]
        self.metrics_ = self._metrics(y, oof[best], w)
        # the chosen variant's out-of-fold posteriors (rows as in fit, columns type_ids_):
        # the bootstrap of the base shares' intervals resamples them (priors.base_share_intervals)
        self.oof_proba_ = oof[best]
        self.pipeline_ = self._pipeline(self.chosen_model_, int(seeds[1]), self.chosen_calibration_)
        self.pipeline_.fit(X, y, **({} if w is None else {"classifier__sample_weight": w}))
        self.importances_ = self._importances(X, y, w, int(seeds[2]))
        return self

    def _check_types(self, y: np.ndarray) -> np.ndarray:
        type_ids, counts = np.unique(y, return_counts=True)
        if len(type_ids) < 2:
            raise InputError(code="problem_lookalike_two_types")
        small = type_ids[counts < int(self.cv)]
        if len(small):
            t = int(small[0])
            raise InputError(code="problem_lookalike_type_rows",
                             values={"type": t, "n": int(counts[type_ids == t][0]), "cv": int(self.cv)}, value=t)
        return type_ids

    def _learn_schema(self, features: pd.DataFrame, type_ids: np.ndarray) -> pd.DataFrame:
        """Detect the feature kinds; set the schema and label attributes; the prepared matrix."""
        schema, dropped = detect_schema(features, categorical=tuple(getattr(self, "categorical", ()) or ()))
        if not schema:
            names = ", ".join(d["name"] for d in dropped)
            raise InputError(code="problem_lookalike_no_features", hint=Said(
                "problem_lookalike_no_features_dropped" if names else "problem_lookalike_no_features_none",
                {"dropped": names}))
        warn_dropped(dropped)
        self.feature_schema_ = schema
        self.feature_columns_ = [s["name"] for s in schema]
        self.dropped_features_ = dropped
        self.reference_date_ = reference_date(features, schema)
        self.id_column_ = None if features.index.name is None else str(features.index.name)
        self.type_names_ = {}
        self.type_ids_ = [int(t) for t in type_ids]
        self.classes_ = np.asarray(self.type_ids_, dtype=int)
        return prepare_features(features, schema, self.reference_date_)

    def _cross_validate(self, models, calibrations, X, y, w, fold_seed: int, model_seed: int):
        """Out-of-fold probabilities and metrics of every model × calibration candidate."""
        folds = StratifiedKFold(int(self.cv), shuffle=True, random_state=fold_seed)
        rows, oof = [], []
        for name, cal in [(m, c) for m in models for c in calibrations]:
            start = time.perf_counter()
            pipe = self._pipeline(name, model_seed, cal)
            params = {} if w is None else {"classifier__sample_weight": w}
            proba = cross_val_predict(pipe, X, y, cv=folds, method="predict_proba", params=params)
            oof.append(proba)
            pred = self.classes_[proba.argmax(axis=1)]
            rows.append({
                "model": name,
                "calibration": cal or "none",
                "log_loss": log_loss(y, proba, sample_weight=w, labels=self.classes_),
                "accuracy": accuracy_score(y, pred, sample_weight=w),
                "macro_f1": f1_score(y, pred, average="macro", sample_weight=w),
                "ece": expected_calibration_error(proba, y, classes=self.classes_, sample_weight=w),
                "seconds": time.perf_counter() - start,
            })
        return pd.DataFrame(rows), oof

    def _importances(self, X, y, w, seed: int) -> pd.DataFrame:
        """Permutation importance on (at most 2,000 of) the training rows."""
        sub = np.sort(np.random.default_rng(seed).permutation(len(y))[: min(len(y), 2000)])
        imp = permutation_importance(
            self.pipeline_, X.iloc[sub], y[sub], scoring="neg_log_loss", n_repeats=5,
            random_state=seed, sample_weight=None if w is None else w[sub],
        )
        return pd.DataFrame(
            {"importance": imp.importances_mean, "std": imp.importances_std,
             "kind": [s["kind"] for s in self.feature_schema_]},
            index=pd.Index(self.feature_columns_, name="feature"),
        ).sort_values("importance", ascending=False, kind="stable")

    def _align_labels(self, features: pd.DataFrame, labels) -> np.ndarray:
        if isinstance(labels, pd.Series) and not labels.index.equals(features.index):
            if (
                labels.index.is_unique
                and features.index.is_unique
                and set(labels.index) == set(features.index)
            ):
                labels = labels.reindex(features.index)
        values = pd.Series(np.asarray(labels))
        if len(values) != len(features):
            raise InputError(code="problem_lookalike_labels_rows", values={"n": len(values), "rows": len(features)})
        numeric = pd.to_numeric(values, errors="coerce")
        bad = numeric.isna() | (numeric != np.round(numeric))
        if bad.any():
            rows = (np.flatnonzero(bad.to_numpy()) + 1).tolist()
            raise InputError(code="problem_lookalike_type_ids", rows=rows, value=values[bad].iloc[0])
        return numeric.to_numpy().astype(int)

    def _metrics(self, y: np.ndarray, proba: np.ndarray, w: np.ndarray | None) -> dict:
        pred = self.classes_[proba.argmax(axis=1)]
        prec, rec, f1, _ = precision_recall_fscore_support(
            y, pred, labels=self.classes_, sample_weight=w, zero_division=0
        )
        support = [int((y == t).sum()) for t in self.classes_]
        cm = confusion_matrix(y, pred, labels=self.classes_)
        metrics: dict[str, Any] = {
            "n": int(len(y)),
            "accuracy": accuracy_score(y, pred, sample_weight=w),
            "macro_f1": f1_score(y, pred, average="macro", sample_weight=w),
            "log_loss": log_loss(y, proba, sample_weight=w, labels=self.classes_),
            "ece": expected_calibration_error(proba, y, classes=self.classes_, sample_weight=w),
            "reliability": calibration_table(proba, y, classes=self.classes_, sample_weight=w)
            .to_dict(orient="records"),
            "per_type": [
                {
                    "type_id": int(t),
                    "precision": prec[i],
                    "recall": rec[i],
                    "f1": f1[i],
                    "support": support[i],
                }
                for i, t in enumerate(self.classes_)
            ],
            "confusion_matrix": {
                "rows": "true type_id",
                "columns": "predicted type_id",
                "type_ids": self.type_ids_,
                "counts": cm.tolist(),
            },
        }
        if self.unassigned_threshold is not None:
            assigned = proba.max(axis=1) >= float(self.unassigned_threshold)
            metrics["unassigned"] = {
                "threshold": float(self.unassigned_threshold),
                "share": float(1 - assigned.mean()),
                "accuracy_assigned": float((pred[assigned] == y[assigned]).mean())
                if assigned.any()
                else None,
            }
        return to_jsonable(metrics)

    # --------------------------------------------------------------- predict
    def _check_fitted(self) -> None:
        """scikit-learn's ``NotFittedError`` (the one "not fitted" error of every learner)."""
        check_is_fitted(self, "pipeline_", msg="This %(name)s is not fitted yet: call fit(features, labels) "
                        "or load a saved model with load_model(path)")

    @property
    def proba_columns_(self) -> list[str]:
        """Probability column names ``p_<type_id>``."""
        self._check_fitted()
        return [f"p_{t}" for t in self.type_ids_]

    def check_features(
        self,
        data: pd.DataFrame | Mapping[str, Any] | Sequence[str],
        *,
        file: str | Path | None = None,
    ) -> None:
        """Check a customer batch (or its column schema) against the training schema.

        Parameters
        ----------
        data : DataFrame, mapping column → type name, or sequence of column names
            A batch of the customer file (columns and values are checked), its
            schema such as ``{name: str(pyarrow_type)}`` or a DuckDB ``DESCRIBE``
            (types are checked), or just the column names (presence only).
        file : str or Path, optional
            The customer file, named in the error.

        Raises
        ------
        InputError
            Naming every missing column, and every column whose values or type do
            not fit what the model was trained on.
        """
        self._check_fitted()
        check_features_against_schema(data, self.feature_schema_, file=file)

    def _raw_proba(self, features: pd.DataFrame) -> np.ndarray:
        X = prepare_features(features, self.feature_schema_, self.reference_date_)
        with one_thread():
            return self.pipeline_.predict_proba(X)

    def predict_proba(self, features: pd.DataFrame, *, raw: bool = False) -> pd.DataFrame:
        """Type probabilities of each customer.

        Parameters
        ----------
        features : DataFrame
            Raw customer columns (at least ``feature_columns_``); extra columns
            are ignored.
        raw : bool, default=False
            Return the probabilities under the training (survey) priors even when
            base priors are set.

        Returns
        -------
        DataFrame of shape (n_customers, n_types)
            Columns ``p_<type_id>``, rows in input order with the input index;
            shifted to ``base_priors_`` when set.
        """
        self._check_fitted()
        self.check_features(features)
        proba = self._raw_proba(features)
        if self.base_priors_ is not None and not raw:
            proba = shift_posteriors(proba, self.train_priors_, self.base_priors_)
        return pd.DataFrame(proba, index=features.index, columns=self.proba_columns_)

    def predict(self, features: pd.DataFrame) -> pd.Series:
        """Most likely type id per customer (``UNASSIGNED`` = 0 below the threshold)."""
        proba = self.predict_proba(features).to_numpy()
        pred = self.classes_[proba.argmax(axis=1)]
        if self.unassigned_threshold is not None:
            pred = np.where(proba.max(axis=1) >= float(self.unassigned_threshold), pred, UNASSIGNED)
        return pd.Series(pred, index=features.index, name="type_id")

    # ----------------------------------------------------------- prior shift
    def with_base_priors(
        self,
        priors: Mapping[int, float] | Sequence[float] | pd.Series | np.ndarray | None,
        *,
        type_names: Mapping[int, str] | None = None,
        id_column: str | None = None,
    ) -> "LookalikeModel":
        """A copy of this model whose posteriors are shifted to ``priors``.

        Parameters
        ----------
        priors : mapping type id → share, Series indexed by type id, array in
            ``type_ids_`` order, or None (a copy without prior shift)
            Type shares of the customer base, e.g. from
            :func:`estimate_base_priors`.
        type_names : mapping type id → name, optional
            Names the copy writes into scored output (``type_names_``).
        id_column : str, optional
            The customer file's id column the copy expects (``id_column_``).

        Returns
        -------
        LookalikeModel
            A new object; this one is unchanged.
        """
        self._check_fitted()
        new = copy.deepcopy(self)
        if type_names is not None:
            new.type_names_ = {int(t): str(type_names.get(t, f"Type {t}")) for t in self.type_ids_}
        if id_column is not None:
            new.id_column_ = str(id_column)
        if priors is None:
            new.base_priors_ = None
            return new
        if isinstance(priors, Mapping) and not isinstance(priors, pd.Series):
            priors = pd.Series({int(k): float(v) for k, v in priors.items()})
        if isinstance(priors, pd.Series):
            missing = [t for t in self.type_ids_ if t not in priors.index]
            if missing:
                raise InputError(code="problem_lookalike_priors_lack", values={"type": missing[0]}, value=missing[0])
            values = priors.reindex(self.type_ids_).to_numpy(float)
        else:
            values = np.asarray(priors, dtype=float)
        if values.shape != (len(self.type_ids_),) or np.any(values < 0) or values.sum() <= 0:
            raise InputError(code="problem_lookalike_priors", value=list(values.ravel()))
        new.base_priors_ = pd.Series(
            values / values.sum(), index=pd.Index(self.type_ids_, name="type_id"), name="share"
        )
        return new

    # ---------------------------------------------------------------- report
    def summary(self, lang: str = "en") -> str:
        """A few lines for people: chosen model, CV metrics, priors; in ``lang`` (``"sv"``:
        Swedish words and a decimal comma)."""
        from ..i18n import said
        from ..texts import Formatter

        self._check_fitted()
        m, fmt = self.metrics_, Formatter(lang)

        def dec(x: float) -> str:
            return f"{x:.3f}" if lang != "sv" else f"{x:.3f}".replace(".", ",")

        def shares(priors: pd.Series) -> str:
            return ", ".join(f"{t}: {v:.1%}" if lang != "sv" else f"{t}: {fmt.pct(v, 1)}" for t, v in priors.items())

        calibration = self.chosen_calibration_ or said("lookalike_cli_own_probabilities", lang)
        lines = [
            said("lookalike_model_summary", lang, model=self.chosen_model_, calibration=calibration,
                 features=len(self.feature_columns_), n=m["n"]),
            said("lookalike_model_metrics", lang, **{k: dec(m[k]) for k in ("accuracy", "macro_f1", "log_loss",
                                                                            "ece")}),
            said("lookalike_model_train_shares", lang, shares=shares(self.train_priors_)),
        ]
        if self.base_priors_ is not None:
            lines.append(said("lookalike_model_base_shares", lang, shares=shares(self.base_priors_)))
        return "\n".join(lines)

    # ------------------------------------------------------ safe persistence
    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())
        for key in _FRAME_ATTRS:
            if key in state:
                state[key] = _frame_to_state(state[key])
        return state

    def __setstate__(self, state: dict) -> None:
        state = dict(state)
        for key in _FRAME_ATTRS:
            if key in state:
                state[key] = _frame_from_state(state[key])
        super().__setstate__(state)
