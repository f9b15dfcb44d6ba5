"""A planted customer base for the lookalike's label-shift check (tests and bench).

Three types; ``x1``, ``x2`` tell them apart, ``education`` and ``age`` differ by type a
little. :func:`select` draws a survey that over-samples either on the CRM columns
themselves (covariate shift: p(type | CRM) carries over) or on the type (label shift:
p(CRM | type) carries over). Used by ``tests/test_label_shift.py`` and
``bench/lookalike_label_shift.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The true type shares of the base.
SHARES = np.array([0.45, 0.35, 0.20])


def planted(seed: int, n: int = 20_000) -> tuple[pd.DataFrame, np.ndarray]:
    """The base's CRM frame (indexed by customer id) and each customer's true type (1-3)."""
    rng = np.random.default_rng(seed)
    t = rng.choice([1, 2, 3], size=n, p=SHARES)
    mu = np.array([[0.0, 0.0], [2.0, 0.3], [0.4, 2.2]])[t - 1]
    frame = pd.DataFrame({
        "x1": rng.normal(mu[:, 0], 1.0), "x2": rng.normal(mu[:, 1], 1.0),
        "education": rng.normal(np.array([4.0, 4.6, 5.0])[t - 1], 1.5),
        "age": rng.normal(np.array([40.0, 35.0, 45.0])[t - 1], 12.0),
    }, index=pd.Index([f"C{i:06d}" for i in range(n)], name="customer_id"))
    return frame, t


def select(frame: pd.DataFrame, t: np.ndarray, seed: int, *, on: str, n: int) -> np.ndarray:
    """Survey positions: selection on the CRM columns (``on="crm"``) or on the type."""
    rng = np.random.default_rng(seed)
    if on == "crm":  # the educated and the young answer more: p(type | CRM) carries over
        logit = 1.2 * (frame["education"] - 4.5) / 1.5 - 0.8 * (frame["age"] - 40) / 12
        w = np.exp(logit.to_numpy())
    else:  # type 3 answers a third as often, type 2 twice as often: p(CRM | type) carries over
        w = np.array([1.0, 2.0, 1 / 3])[t - 1]
    return np.sort(rng.choice(len(frame), size=n, replace=False, p=w / w.sum()))


def decide(frame: pd.DataFrame, pick: np.ndarray, y: np.ndarray, seed: int = 0) -> dict:
    """What ``train_lookalike`` decides (``shift_priors``), from the public pieces.

    ``pick``: the survey's rows of ``frame`` (positions or a boolean mask), ``y`` their
    types. Returns the fitted ``model``, the base's ``raw`` posteriors, the EM's ``em``
    shares, the label-shift ``check``, the ``ident``-ifiability and the ``choice``.
    """
    from behaviortypes.lookalike import (CrmMoments, LookalikeModel, choose_base_shares, crm_indicators,
                                         estimate_base_priors, label_shift_check, shift_identifiability)

    survey = frame.iloc[pick]
    model = LookalikeModel(models=("logistic",), cv=3, random_state=seed).fit(
        survey, pd.Series(y, index=survey.index))
    raw = model.predict_proba(frame, raw=True).to_numpy()
    em, _ = estimate_base_priors(raw, model.train_priors_)
    ident = shift_identifiability(model.oof_proba_, y, base_proba=raw, base_share=em, classes=model.type_ids_)
    moments = CrmMoments()
    moments.update(crm_indicators(frame, model.feature_schema_))
    check = label_shift_check(crm_indicators(survey, model.feature_schema_), y, moments.table(), em,
                              classes=model.type_ids_)
    choice = choose_base_shares(em, raw.mean(axis=0), ident, check)
    return {"model": model, "raw": raw, "em": em, "check": check, "ident": ident, "choice": choice}
