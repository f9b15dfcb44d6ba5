"""One estimator contract for every learner (scikit-learn's conventions).

Each learner can be cloned, gives the same output for the same seed, leaves its
parameters alone in ``fit`` and leaves itself alone in ``predict``/``transform``.
FactorModel and TypeFinder are marked xfail (not strict) while they are not yet
scikit-learn ``BaseEstimator``s; the marks drop away once they are.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from joblib import hash as state_hash
from sklearn.base import BaseEstimator, clone

import behaviortypes
from behaviortypes.factors import FactorModel
from behaviortypes.lookalike import LookalikeModel
from behaviortypes.segments import TypeFinder


def _lookalike_data():
    rng = np.random.default_rng(3)
    labels = pd.Series(rng.integers(1, 4, 300), index=[f"C{i}" for i in range(300)])
    features = pd.DataFrame({
        "visits": rng.poisson(4 + 3 * labels.to_numpy()),
        "spend": rng.gamma(2, 20 * labels.to_numpy()),
        "app": rng.random(300) < 0.2 * labels.to_numpy(),
    }, index=labels.index)
    return (features, labels), features


def _factor_data():
    rng = np.random.default_rng(4)
    f = rng.normal(size=(400, 2))
    load = np.zeros((8, 2))
    load[:4, 0] = load[4:, 1] = 0.75
    x = np.clip(np.round(3 + f @ load.T + rng.normal(0, 0.6, (400, 8))), 1, 5)
    items = pd.DataFrame(x, columns=[f"s{i}" for i in range(1, 9)], index=[f"R{i}" for i in range(400)])
    return (items,), items


def _type_data():
    rng = np.random.default_rng(5)
    centres = np.array([[1.5, 0.0], [-1.5, 0.5], [0.0, -1.5]])
    x = np.vstack([c + rng.normal(0, 0.5, (120, 2)) for c in centres])
    scores = pd.DataFrame(x, columns=["F1", "F2"], index=[f"R{i}" for i in range(len(x))])
    return (scores,), scores


def _not_yet(cls):
    return pytest.mark.xfail(not issubclass(cls, BaseEstimator), strict=False,
                             reason=f"{cls.__name__} is not yet a scikit-learn BaseEstimator")


LEARNERS = [
    pytest.param(lambda: LookalikeModel(models=("logistic",), cv=3, random_state=0), _lookalike_data,
                 "predict_proba", id="LookalikeModel"),
    pytest.param(lambda: FactorModel(n_factors=2, n_iter=20, random_state=0), _factor_data, "transform",
                 id="FactorModel", marks=_not_yet(FactorModel)),
    pytest.param(lambda: TypeFinder(k=3, n_resamples=4, random_state=0, n_jobs=1), _type_data, "predict_proba",
                 id="TypeFinder", marks=_not_yet(TypeFinder)),
]


@pytest.mark.parametrize("make, data, method", LEARNERS)
def test_clone_keeps_the_parameters(make, data, method):
    est = make()
    copy = clone(est)
    assert copy is not est and type(copy) is type(est)
    assert state_hash(copy.get_params()) == state_hash(est.get_params())
    assert repr(copy) == repr(est)


@pytest.mark.parametrize("make, data, method", LEARNERS)
def test_same_seed_same_output(make, data, method):
    fit_args, X = data()
    a = getattr(clone(make()).fit(*fit_args), method)(X)
    b = getattr(clone(make()).fit(*fit_args), method)(X)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("make, data, method", LEARNERS)
def test_fit_leaves_the_parameters_alone(make, data, method):
    fit_args, _ = data()
    est = make()
    before = state_hash(est.get_params())
    est.fit(*fit_args)
    assert state_hash(est.get_params()) == before


@pytest.mark.parametrize("make, data, method", LEARNERS)
def test_predict_leaves_the_estimator_alone(make, data, method):
    fit_args, X = data()
    est = make().fit(*fit_args)
    before = state_hash(vars(est))
    getattr(est, method)(X)
    getattr(est, method)(X.iloc[:10])
    assert state_hash(vars(est)) == before


# --------------------------------------------------------------------------- code shape
# Packages exempt from the shape checks while being reshaped (none now: factors/ and
# segments/ landed without private imports or long functions).
_PENDING_OWNERS: tuple[str, ...] = ()
PACKAGE = Path(behaviortypes.__file__).parent
MAX_FUNCTION_LINES = 100


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] not in _PENDING_OWNERS:
            yield rel, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines from the first statement after the docstring to the end (blank lines included)."""
    body = node.body
    if (isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)):
        body = body[1:]
    return node.end_lineno - body[0].lineno + 1 if body else 0


def test_no_private_names_imported_across_modules():
    found = [f"{rel}:{node.lineno} imports {alias.name} from {'.' * node.level}{node.module or ''}"
             for rel, tree in _modules() for node in ast.walk(tree)
             if isinstance(node, ast.ImportFrom)
             for alias in node.names
             if alias.name.startswith("_") and not alias.name.startswith("__")]
    assert not found, "private names imported across modules:\n" + "\n".join(found)


def test_no_function_longer_than_the_limit():
    found = [f"{rel}:{node.lineno} {node.name} has {_body_lines(node)} lines"
             for rel, tree in _modules() for node in ast.walk(tree)
             if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
             and _body_lines(node) > MAX_FUNCTION_LINES]
    assert not found, f"functions over {MAX_FUNCTION_LINES} lines of code:\n" + "\n".join(found)


def test_the_shape_checks_see_what_they_look_for():
    tree = ast.parse("from .x import _hidden\n\ndef f():\n    '''doc'''\n" + "    a = 1\n" * 101)
    imports = [a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names]
    assert imports == ["_hidden"]
    func = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))
    assert _body_lines(func) == 101
    assert sum(1 for _ in _modules()) > 50  # the walk really covers the package
