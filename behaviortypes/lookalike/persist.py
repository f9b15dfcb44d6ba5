"""Safe model files: skops only, loaded against an explicit list of trusted types.

A ``.skops`` file is a zip of JSON and ``.npy`` arrays; loading it never runs
pickle. :func:`load_model` first lists every type the file would construct and
refuses the file unless each one is on :data:`TRUSTED_TYPES` (the classes our
own pipelines are built from), so a tampered file cannot smuggle in ``os.system``
or a pickled object.

One trusted type needs more: scikit-learn's gradient-boosting ``TreePredictor`` walks
its node array in compiled code without bounds checks (which is why skops does not
trust it by default), so a crafted node index would read outside memory and crash the
process. After loading, :func:`load_model` checks every tree (child indices point
forward and inside the array, feature indices inside the model's inputs, no
categorical splits, which our models never make) before the model is used.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, Said
from ..files import atomic_path
from .model import LookalikeModel

__all__ = ["TRUSTED_TYPES", "save_model", "load_model"]

#: Every non-builtin type a behaviortypes lookalike model file may contain.
TRUSTED_TYPES: tuple[str, ...] = (
    "behaviortypes.lookalike.model.LookalikeModel",
    "sklearn.pipeline.Pipeline",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.impute._base.SimpleImputer",
    "sklearn.impute._base.MissingIndicator",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.preprocessing._encoders.OneHotEncoder",
    "sklearn.preprocessing._label.LabelEncoder",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn._loss.loss.HalfMultinomialLoss",
    "sklearn._loss.loss.HalfBinomialLoss",
    "sklearn._loss.link.MultinomialLogit",
    "sklearn._loss.link.LogitLink",
    "sklearn._loss.link.Interval",
    "sklearn._loss._loss.CyHalfMultinomialLoss",
    "sklearn._loss._loss.CyHalfBinomialLoss",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.isotonic.IsotonicRegression",
    "sklearn.model_selection._split.StratifiedKFold",
    "sklearn.utils._bunch.Bunch",
    "builtins.slice",
    "numpy.ndarray",
    "numpy.dtype",
    "numpy.float64",
    "numpy.int64",
    "numpy.bool_",
    "numpy.str_",
)


def save_model(model: LookalikeModel, path: str | Path) -> Path:
    """Write a fitted model as a skops file, atomically.

    Parameters
    ----------
    model : LookalikeModel
        A fitted model (with or without base priors).
    path : str or Path
        Destination, conventionally ``lookalike.skops``.

    Returns
    -------
    Path
    """
    import skops.io as sio

    if not isinstance(model, LookalikeModel):
        raise TypeError(f"save_model expects a LookalikeModel, got {type(model).__name__}")
    model._check_fitted()
    path = Path(path)
    with atomic_path(path, suffix=".skops") as tmp:
        sio.dump(model, tmp)
    return path


def load_model(path: str | Path) -> LookalikeModel:
    """Load a model saved by :func:`save_model`, trusting only known types.

    Raises
    ------
    InputError
        If the file is missing, is not a skops file (e.g. a pickle), contains a
        type that is not on :data:`TRUSTED_TYPES`, or holds something other than
        a :class:`LookalikeModel`.
    """
    import skops.io as sio

    path = Path(path)
    if not path.is_file():
        raise InputError(code="problem_model_not_found", file=path)
    hint = Said("problem_model_use_ours")
    if not zipfile.is_zipfile(path):
        raise InputError(code="problem_model_not_skops", file=path, hint=hint)
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as err:
        raise InputError(code="problem_model_not_ours", values={"why": f"{type(err).__name__}: {err}"},
                         file=path, hint=hint) from None
    refused = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if refused:
        raise InputError(code="problem_model_untrusted", values={"types": ", ".join(refused[:5])}, file=path,
                         value=refused[0], hint=Said("problem_model_retrain"))
    try:
        model = sio.load(path, trusted=list(TRUSTED_TYPES))
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, AttributeError) as err:
        raise InputError(code="problem_model_damaged", values={"why": f"{type(err).__name__}: {err}"},
                         file=path, hint=hint) from None
    if not isinstance(model, LookalikeModel):
        raise InputError(code="problem_model_not_ours", values={"why": Said(
            "problem_model_holds", {"what": type(model).__name__})}, file=path, hint=hint)
    problem = _check_trees(model)
    if problem:
        raise InputError(code="problem_model_altered", values={"why": problem}, file=path,
                         hint=Said("problem_model_retrain"))
    return model


def _unfitted(booster: Any) -> bool:
    """True for a template never fitted: no trees and no fitted (``name_``) attribute at all.

    :class:`~sklearn.calibration.CalibratedClassifierCV` keeps its unfitted ``estimator``
    beside the fitted copies; it is never evaluated. A booster that keeps any fitted
    attribute (trees, feature count, classes) is checked in full, so stripping one
    attribute from a fitted booster does not let it pass.
    """
    if hasattr(booster, "_predictors"):
        return False
    return not any(name.endswith("_") and not name.startswith("__") for name in vars(booster))


def _boosters(obj: Any) -> list[Any]:
    """Every gradient-boosting estimator inside ``obj`` (pipelines, calibration, lists) that
    may predict: all but a :class:`~sklearn.calibration.CalibratedClassifierCV`'s unfitted
    template (its ``estimator``). An unfitted booster anywhere else is returned, and refused
    by :func:`_check_trees`, so a booster the calibration predicts with cannot pass for the
    template by losing its fitted attributes."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier

    found, seen, stack = [], set(), [(obj, False)]
    while stack:
        item, template = stack.pop()
        if (id(item), template) in seen or isinstance(item, (str, bytes, int, float, np.ndarray, np.generic)):
            continue
        seen.add((id(item), template))
        if isinstance(item, HistGradientBoostingClassifier) and not (template and _unfitted(item)) and \
                all(b is not item for b in found):
            found.append(item)
        if isinstance(item, dict):
            stack.extend((value, False) for value in item.values())
        elif isinstance(item, (list, tuple, set)):
            stack.extend((value, False) for value in item)
        elif hasattr(item, "__dict__") and type(item).__module__.startswith(("sklearn", "behaviortypes")):
            stack.extend((value, isinstance(item, CalibratedClassifierCV) and name == "estimator")
                         for name, value in vars(item).items())
    return found


_NODE_FIELDS = ("left", "right", "feature_idx", "is_leaf", "is_categorical")


def _check_trees(model: Any) -> str | None:
    """Why the boosted trees of ``model`` are unsafe to evaluate, or ``None`` when they are sound.

    Compiled prediction code follows ``left``/``right`` from node 0 and reads column
    ``feature_idx`` of the input without checks. A tree we wrote stores every child
    after its parent, so a child index must be greater than its node's and smaller
    than the number of nodes (this also rules out loops); a split's feature index must
    be one of the model's input columns.
    """
    for booster in _boosters(model):
        n_features = getattr(booster, "n_features_in_", None)
        if not isinstance(n_features, (int, np.integer)) or n_features < 1:
            return "a boosted model has no valid number of input features"
        if getattr(booster, "is_categorical_", None) is not None and np.any(booster.is_categorical_):
            return "a boosted model has categorical splits, which behaviortypes never writes"
        for iteration in getattr(booster, "_predictors", None) or []:
            for tree in iteration:
                nodes = getattr(tree, "nodes", None)
                if not isinstance(nodes, np.ndarray) or nodes.ndim != 1 or nodes.size == 0 or \
                        nodes.dtype.names is None or not set(_NODE_FIELDS) <= set(nodes.dtype.names):
                    return "a tree has no valid node table"
                internal = ~nodes["is_leaf"].astype(bool)
                here = np.arange(nodes.size)[internal]
                for side in ("left", "right"):
                    child = nodes[side][internal].astype(np.int64)
                    if np.any(child <= here) or np.any(child >= nodes.size):
                        return f"a tree's {side} child index points outside its {nodes.size} nodes"
                feature = nodes["feature_idx"][internal].astype(np.int64)
                if np.any(feature < 0) or np.any(feature >= n_features):
                    return f"a tree splits on feature {int(feature.max())} of {int(n_features)}"
                if np.any(nodes["is_categorical"][internal]):
                    return "a tree has categorical splits, which behaviortypes never writes"
    return None
