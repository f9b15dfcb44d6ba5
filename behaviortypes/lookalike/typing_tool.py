"""The typing tool: a few "golden questions" that reproduce the full type assignment.

Forward selection adds, one at a time, the survey statement that most raises the
cross-validated agreement of a linear discriminant classifier with the full
assignment, and stops at the fewest statements reaching the target agreement
(or at ``max_items``). The result is linear, so it is exported as plain weights in
``typing_tool.yaml`` and new answers can be scored from the YAML alone.
"""

from __future__ import annotations

import copy

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # (scikit-learn and scipy.linalg are imported where they compute: a refusal stays light)
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

from ..errors import InputError, Said
from ..files import read_yaml, write_yaml
from ..threads import one_thread

__all__ = ["TypingTool", "build_typing_tool", "load_typing_tool", "answers_id_column"]

_KIND = "behaviortypes typing tool"


def _lda() -> LinearDiscriminantAnalysis:
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    return LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto")


def _shrunk_cov(X: np.ndarray) -> np.ndarray:
    """Ledoit–Wolf covariance of standardised columns, scaled back (sklearn's ``_cov(X, "auto")``)."""
    n, p = X.shape
    sd = X.std(axis=0)
    sd[sd < 10 * np.finfo(float).eps] = 1.0  # StandardScaler leaves constant columns unscaled
    Z = (X - X.mean(axis=0)) / sd
    Z = Z - Z.mean(axis=0)  # ledoit_wolf centres again
    emp = Z.T @ Z / n
    mu = np.trace(emp) / p
    if p == 1:
        shrinkage = 0.0
    else:  # sklearn.covariance.ledoit_wolf_shrinkage, in one block
        Z2 = Z**2
        trace_diag = Z2.sum(axis=0) / n
        mu_s = trace_diag.sum() / p
        beta_ = float(np.sum(Z2.T @ Z2))
        delta_ = float(np.sum((Z.T @ Z) ** 2)) / n**2
        beta = (beta_ / n - delta_) / (p * n)
        delta = (delta_ - 2.0 * mu_s * trace_diag.sum() + p * mu_s**2) / p
        beta = min(beta, delta)
        shrinkage = 0.0 if beta == 0 else beta / delta
    cov = (1.0 - shrinkage) * emp
    cov.flat[:: p + 1] += shrinkage * mu
    return sd[:, None] * cov * sd[None, :]


def _lda_predict(Xtr: np.ndarray, ytr: np.ndarray, Xte: np.ndarray) -> np.ndarray:
    """Fit and predict as ``_lda()`` does (lsqr solver, Ledoit–Wolf shrinkage), in numpy.

    The greedy search below fits thousands of small models; scikit-learn's per-call
    checks cost more than the algebra (demo: 5.0 -> 1.0 CPU s, same tool).
    ``tests/test_lookalike.py`` checks every step's agreement against scikit-learn.
    """
    classes, scores = _lda_scores(Xtr, ytr, Xte)
    if len(classes) == 2:  # sklearn decides two classes by the sign of the difference
        return classes[(scores[:, 1] - scores[:, 0] > 0).astype(int)]
    return classes[np.argmax(scores, axis=1)]


def _lda_scores(Xtr: np.ndarray, ytr: np.ndarray, Xte: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The classes and each test row's discriminant score per class (the softmax's logits)."""
    import scipy.linalg

    classes, idx = np.unique(ytr, return_inverse=True)
    priors = np.bincount(idx) / len(ytr)
    means = np.vstack([Xtr[idx == c].mean(axis=0) for c in range(len(classes))])
    cov = sum(priors[c] * _shrunk_cov(Xtr[idx == c]) for c in range(len(classes)))
    coef = scipy.linalg.lstsq(cov, means.T)[0].T
    intercept = -0.5 * np.einsum("kj,kj->k", means, coef) + np.log(priors)
    return classes, Xte @ coef.T + intercept


def _cv_agreement(X: np.ndarray, y: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]]) -> float:
    hits = 0
    for train, test in folds:
        hits += int((_lda_predict(X[train], y[train], X[test]) == y[test]).sum())
    return hits / len(y)


#: The range searched for the temperature (LEFT20; docs/typing_tool.md)
TEMPERATURE_RANGE = (0.25, 20.0)


def fit_temperature(X: np.ndarray, y: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """The temperature T that makes the tool's probabilities honest on held-out respondents.

    Each fold's LDA scores its held-out respondents; T minimises the mean log loss of
    softmax(score / T) at their type over all folds (one scalar: the given type, the
    argmax, does not change). LDA assumes normal answers with one shared spread; on
    coarse answers (two or three points) its scores are too far apart, and it states
    p 0.95 where 82 % are that type (user trial 19, gss82): T > 1 then.

    Returns
    -------
    float
        T within :data:`TEMPERATURE_RANGE` (1.0 when there is nothing to fit).

    References
    ----------
    Guo, Pleiss, Sun & Weinberger (2017), On calibration of modern neural networks, ICML
    (temperature scaling); Platt (1999).
    """
    import scipy.optimize

    types = np.unique(y)
    logits, truth = [], []
    for train, test in folds:
        classes, scores = _lda_scores(X[train], y[train], X[test])
        full = np.full((len(test), len(types)), -np.inf)
        full[:, np.searchsorted(types, classes)] = scores
        logits.append(full)
        truth.append(np.searchsorted(types, y[test]))
    S, t = np.vstack(logits), np.concatenate(truth)
    if not np.isfinite(S[np.arange(len(t)), t]).all():
        return 1.0

    def loss(log_t: float) -> float:
        z = S / np.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(t)), t]))

    lo, hi = np.log(TEMPERATURE_RANGE[0]), np.log(TEMPERATURE_RANGE[1])
    found = scipy.optimize.minimize_scalar(loss, bounds=(lo, hi), method="bounded", options={"xatol": 1e-4})
    return float(np.exp(found.x))


class _FoldMoments:
    """One training fold's per-type moments of *all* candidate statements.

    Each column is standardised on its own, so the Ledoit–Wolf covariance of any
    subset of statements is built from sub-blocks of ``Z'Z`` and ``(Z²)'(Z²)``: the
    greedy search then scores every candidate subset of a step in one batch, with the
    same algebra as :func:`_lda_predict` (``tests/test_lookalike.py`` checks both).
    """

    def __init__(self, X: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray) -> None:
        ytr = y[train]
        self.classes, idx = np.unique(ytr, return_inverse=True)
        self.priors = np.bincount(idx) / len(ytr)
        self.n = np.bincount(idx).astype(float)
        groups = [X[train][idx == c] for c in range(len(self.classes))]
        self.means = np.vstack([g.mean(axis=0) for g in groups])
        sds, m1, m2 = [], [], []
        for g in groups:
            sd = g.std(axis=0)
            sd[sd < 10 * np.finfo(float).eps] = 1.0
            Z = (g - g.mean(axis=0)) / sd
            Z = Z - Z.mean(axis=0)
            sds.append(sd)
            m1.append(Z.T @ Z)
            m2.append((Z**2).T @ (Z**2))
        self.sd, self.m1, self.m2 = np.vstack(sds), np.stack(m1), np.stack(m2)
        self.X_test, self.y_test = X[test], y[test]

    def hits(self, subsets: np.ndarray) -> np.ndarray:
        """Correct predictions on the test fold of the LDA on each row's statements."""
        import scipy.linalg

        n_sub, p = subsets.shape
        rows, cols = subsets[:, :, None], subsets[:, None, :]
        n = self.n[:, None]
        m1 = self.m1[:, rows, cols]  # (types, subsets, p, p)
        emp = m1 / n[..., None, None]
        diag = np.diagonal(emp, axis1=-2, axis2=-1)
        mu = diag.sum(axis=-1) / p
        shrinkage = np.zeros_like(mu)
        if p > 1:  # sklearn.covariance.ledoit_wolf_shrinkage, batched
            beta_ = self.m2[:, rows, cols].sum(axis=(-2, -1))
            delta_ = (m1**2).sum(axis=(-2, -1)) / n**2
            beta = (beta_ / n - delta_) / (p * n)
            delta = (delta_ - 2.0 * mu * diag.sum(axis=-1) + p * mu**2) / p
            beta = np.minimum(beta, delta)
            with np.errstate(divide="ignore", invalid="ignore"):
                shrinkage = np.where(beta == 0, 0.0, beta / delta)
        cov = (1.0 - shrinkage)[..., None, None] * emp
        cov = cov + (shrinkage * mu)[..., None, None] * np.eye(p)
        sd = self.sd[:, subsets]
        cov = np.einsum("k,kjab->jab", self.priors, sd[..., :, None] * cov * sd[..., None, :])
        means = self.means[:, subsets]  # (types, subsets, p)
        rhs = means.transpose(1, 2, 0)
        try:
            coef = np.linalg.solve(cov, rhs)  # (subsets, p, types)
        except np.linalg.LinAlgError:  # a singular pooled covariance: least squares, as sklearn
            coef = np.stack([scipy.linalg.lstsq(c, r)[0] for c, r in zip(cov, rhs)])
        intercept = -0.5 * np.einsum("kjp,jpk->jk", means, coef) + np.log(self.priors)
        scores = np.einsum("njp,jpk->njk", self.X_test[:, subsets], coef) + intercept
        if len(self.classes) == 2:  # sklearn decides two classes by the sign of the difference
            pred = self.classes[(scores[..., 1] - scores[..., 0] > 0).astype(int)]
        else:
            pred = self.classes[np.argmax(scores, axis=-1)]
        return (pred == self.y_test[:, None]).sum(axis=0)


def _step_agreements(moments: list[_FoldMoments], chosen: list[int], remaining: list[int],
                     n: int) -> np.ndarray:
    """Cross-validated agreement of ``chosen + [j]`` for every ``j`` in ``remaining``."""
    subsets = np.array([chosen + [j] for j in remaining], dtype=int)
    return sum(m.hits(subsets) for m in moments) / n


class TypingTool:
    """A short questionnaire that assigns new respondents to the types.

    Built by :func:`build_typing_tool` or read by :func:`load_typing_tool`.
    Weights are on the scale of the *raw* answers (as in the responses file):
    reverse keying is folded into them.

    Attributes
    ----------
    items_ : list of str
        The golden questions, in the order they were selected.
    agreement_ : float
        Cross-validated share of respondents whose typing-tool type equals the
        full assignment (on fresh folds; slightly optimistic because the items
        were selected on the same respondents).
    selection_ : DataFrame
        One row per step: ``step, item, agreement`` (cross-validated agreement
        after adding the item).
    weights_ : DataFrame of shape (n_types, n_items)
        Raw-answer weights, indexed by type id.
    intercepts_ : Series
        One per type id.
    means_ : Series
        Raw-answer mean per item, used for a missing answer.
    type_ids_ : list of int
    type_names_ : dict of int to str
    texts_ : dict of str to str
    reverse_ : dict of str to bool
    scale_ : dict or None
        ``{min, max}`` of the answers.
    target_ : float
    n_respondents_ : int
    temperature_ : float
        The weights and intercepts are the LDA's divided by it (fitted on held-out
        folds so that the probabilities are calibrated; 1.0 for a tool written before).
    """

    def __init__(self, state: Mapping[str, Any]) -> None:
        self.items_ = [str(i) for i in state["items"]]
        self.type_ids_ = [int(t) for t in state["type_ids"]]
        self.weights_ = pd.DataFrame(
            np.asarray(state["weights"], dtype=float).reshape(len(self.type_ids_), len(self.items_)),
            index=pd.Index(self.type_ids_, name="type_id"),
            columns=pd.Index(self.items_, name="item"),
        )
        self.intercepts_ = pd.Series(
            np.asarray(state["intercepts"], dtype=float),
            index=pd.Index(self.type_ids_, name="type_id"),
            name="intercept",
        )
        self.means_ = pd.Series(
            np.asarray(state["means"], dtype=float), index=pd.Index(self.items_, name="item"), name="mean"
        )
        self.agreement_ = float(state["agreement"])
        self.selection_ = pd.DataFrame(state.get("selection", []), columns=["step", "item", "agreement"])
        self.type_names_ = {int(k): str(v) for k, v in (state.get("type_names") or {}).items()}
        self.texts_ = {str(k): str(v) for k, v in (state.get("texts") or {}).items()}
        self.reverse_ = {str(k): bool(v) for k, v in (state.get("reverse") or {}).items()}
        self.scale_ = state.get("scale")
        self.target_ = float(state.get("target", 0.9))
        self.n_respondents_ = int(state.get("n_respondents", 0))
        #: the weights and intercepts are the LDA's divided by it (1.0: not calibrated)
        self.temperature_ = float(state.get("temperature") or 1.0)
        #: the sentences beside the numbers in ``typing_tool.yaml`` (``answers``, ``scoring``,
        #: ``agreement_method``): as read back from a file, else in the study's language
        self.notes_ = _notes(state.get("notes"), state.get("language"))

    def with_type_names(self, names: Mapping[int, str]) -> "TypingTool":
        """A copy naming the types ``names`` (e.g. after a ``types.yaml`` edit); same weights.

        Parameters
        ----------
        names : mapping type id → name

        Returns
        -------
        TypingTool
        """
        other = copy.copy(self)
        other.type_names_ = {int(k): str(v) for k, v in names.items()}
        return other

    # ---------------------------------------------------------------- scoring
    def _matrix(self, answers: pd.DataFrame, file: str | Path | None) -> np.ndarray:
        if not isinstance(answers, pd.DataFrame):
            raise InputError(code="problem_tool_answers_frame")
        missing = [i for i in self.items_ if i not in answers.columns]
        if missing:
            raise InputError(code="problem_tool_answers_lack" if len(missing) > 1 else "problem_tool_answers_lacks",
                             values={"missing": ", ".join(missing), "items": ", ".join(self.items_)},
                             file=file, column=missing[0])
        cols = []
        for item in self.items_:
            raw = answers[item]
            num = pd.to_numeric(raw, errors="coerce")
            bad = raw.notna() & num.isna()
            if bad.any():
                raise InputError(code="problem_tool_answers_numbers", file=file, column=item,
                                 rows=(np.flatnonzero(bad.to_numpy()) + 1).tolist(), value=raw[bad].iloc[0])
            cols.append(num.fillna(self.means_[item]).to_numpy(float))
        return np.column_stack(cols) if cols else np.empty((len(answers), 0))

    def score(self, answers: pd.DataFrame, *, file: str | Path | None = None) -> pd.DataFrame:
        """Assign new respondents from their raw answers to the golden questions.

        Parameters
        ----------
        answers : DataFrame
            One row per respondent with (at least) the columns ``items_``, answers
            as given on the survey scale (not reverse-keyed); blanks are
            replaced by the item mean.
        file : str or Path, optional
            Named in errors.

        Returns
        -------
        DataFrame
            ``type_id, type_name, probability`` then ``p_<type_id>``, indexed like
            ``answers``.

        Raises
        ------
        InputError
            If a question's column is missing or holds non-numbers.
        """
        X = self._matrix(answers, file)
        scores = X @ self.weights_.to_numpy().T + self.intercepts_.to_numpy()
        scores -= scores.max(axis=1, keepdims=True)
        proba = np.exp(scores)
        proba /= proba.sum(axis=1, keepdims=True)
        ids = np.asarray(self.type_ids_)[proba.argmax(axis=1)]
        out = pd.DataFrame(
            {
                "type_id": ids,
                "type_name": [self.type_names_.get(int(t), f"Type {t}") for t in ids],
                "probability": proba.max(axis=1),
            },
            index=answers.index,
        )
        for j, t in enumerate(self.type_ids_):
            out[f"p_{t}"] = proba[:, j]
        return out

    # ------------------------------------------------------------------ files
    def to_dict(self) -> dict[str, Any]:
        """Everything needed to score new answers, as plain types."""
        return {
            "kind": _KIND,
            "version": 1,
            "answers": self.notes_["answers"],
            "scoring": self.notes_["scoring"],
            "target_agreement": self.target_,
            "agreement": self.agreement_,
            "agreement_method": self.notes_["agreement_method"],
            "n_respondents": self.n_respondents_,
            "temperature": self.temperature_,
            "scale": self.scale_,
            "items": [
                {
                    "id": i,
                    "text": self.texts_.get(i),
                    "reverse": self.reverse_.get(i, False),
                    "mean": float(self.means_[i]),
                }
                for i in self.items_
            ],
            "types": [
                {
                    "type_id": t,
                    "name": self.type_names_.get(t, f"Type {t}"),
                    "intercept": float(self.intercepts_[t]),
                    "weights": {i: float(self.weights_.loc[t, i]) for i in self.items_},
                }
                for t in self.type_ids_
            ],
            "selection": self.selection_.to_dict(orient="records"),
        }

    def to_yaml(self, path: str | Path) -> Path:
        """Write ``typing_tool.yaml`` (atomically)."""
        return write_yaml(path, self.to_dict())

    def summary(self, lang: str = "en") -> str:
        """One line per golden question, with the agreement reached; in ``lang``."""
        from ..deliver import agreement_digits, agreement_shown  # 89.95 %, never "90.0 % (target 90 %)"
        from ..i18n import said
        from ..texts import Formatter

        shown = agreement_shown(self.agreement_, self.target_)
        digits = agreement_digits(self.agreement_, self.target_)
        fmt = Formatter(lang)
        agreement, target = ((f"{shown:.{digits}%}", f"{self.target_:.0%}") if lang != "sv" else
                             (fmt.pct(shown, digits), fmt.pct(self.target_, 0)))
        lines = [said("typing_tool_summary", lang, n=len(self.items_), agreement=agreement, target=target)]
        for i in self.items_:
            lines.append(f"  {i}: {self.texts_.get(i, '')}".rstrip(": "))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"TypingTool(items={self.items_}, agreement={self.agreement_:.3f})"


def build_typing_tool(
    items_keyed: pd.DataFrame,
    labels: pd.Series | Sequence[int],
    *,
    max_items: int = 12,
    target: float = 0.90,
    cv: int = 5,
    instrument: Any = None,
    type_names: Mapping[int, str] | None = None,
    random_state: int | np.random.Generator | None = None,
    calibrate: bool = True,
) -> TypingTool:
    """Select the fewest survey statements that reproduce the type assignment.

    Parameters
    ----------
    items_keyed : DataFrame of shape (n_respondents, n_items)
        Reverse-keyed item answers (``readers.keyed_items``), columns = item ids.
    labels : Series of int
        The full assignment (type id per respondent), aligned with the rows.
    max_items : int, default=12
        Never select more statements than this.
    target : float, default=0.90
        Stop at the first number of statements whose cross-validated agreement
        reaches this share.
    cv : int, default=5
        Stratified folds for the agreement.
    instrument : Instrument, optional
        Gives item texts, reverse keying and the scale; weights in the tool are
        then for raw answers.
    type_names : mapping type id → name, optional
    random_state : int, numpy Generator or None
        Seeds the folds.
    calibrate : bool, default=True
        Fit a temperature on the fresh folds (:func:`fit_temperature`) and divide the
        weights and intercepts by it, so that the stated probabilities match the share of
        held-out respondents of that type; False leaves the LDA's own (T = 1, the tool
        before session 20).

    Returns
    -------
    TypingTool

    Raises
    ------
    InputError
        If labels and items do not align or a type has fewer than ``cv`` respondents.

    Notes
    -----
    The classifier is linear discriminant analysis with Ledoit–Wolf shrinkage;
    missing answers are replaced by the item mean. ``agreement_`` is re-estimated
    on folds different from those used for the selection; the temperature is fitted
    on those folds too.
    """
    from sklearn.model_selection import StratifiedKFold

    if not isinstance(items_keyed, pd.DataFrame) or items_keyed.shape[1] == 0:
        raise InputError(code="problem_tool_items_frame")
    if isinstance(labels, pd.Series) and labels.index.is_unique and items_keyed.index.is_unique \
            and set(labels.index) == set(items_keyed.index):
        labels = labels.reindex(items_keyed.index)
    y = np.asarray(labels).astype(int)
    if len(y) != len(items_keyed):
        raise InputError(code="problem_tool_labels_rows", values={"n": len(y), "rows": len(items_keyed)})
    type_ids, counts = np.unique(y, return_counts=True)
    if len(type_ids) < 2 or counts.min() < cv:
        t = int(type_ids[counts.argmin()])
        raise InputError(code="problem_tool_type_small", values={"type": t, "n": int(counts.min()), "cv": cv},
                         value=t)
    rng = np.random.default_rng(random_state)
    seeds = rng.integers(0, 2**31 - 1, size=2)
    data = items_keyed.apply(pd.to_numeric, errors="coerce").astype(float)
    means = data.mean()
    data = data.fillna(means)
    usable = [c for c in data.columns if data[c].std() > 0]
    X_all = data[usable].to_numpy()
    folds = list(StratifiedKFold(cv, shuffle=True, random_state=int(seeds[0])).split(X_all, y))

    chosen: list[int] = []
    path: list[dict[str, Any]] = []
    remaining = list(range(len(usable)))
    # many tiny fits: multi-threaded BLAS only adds contention
    with one_thread("blas"):
        moments = [_FoldMoments(X_all, y, train, test) for train, test in folds]
        while remaining and len(chosen) < max_items:
            scores = _step_agreements(moments, chosen, remaining, len(y))
            best = int(np.argmax(scores))
            chosen.append(remaining.pop(best))
            path.append(
                {"step": len(chosen), "item": str(usable[chosen[-1]]), "agreement": float(scores[best])}
            )
            if scores[best] >= target:
                break
        X = X_all[:, chosen]
        fresh = list(StratifiedKFold(cv, shuffle=True, random_state=int(seeds[1])).split(X, y))
        agreement = _cv_agreement(X, y, fresh)
        temperature = fit_temperature(X, y, fresh) if calibrate else 1.0
        lda = _lda().fit(X, y)
    items = [str(usable[j]) for j in chosen]
    coef = np.atleast_2d(lda.coef_).astype(float)
    intercept = np.atleast_1d(lda.intercept_).astype(float)
    if len(type_ids) == 2:  # sklearn gives one row for two classes: scores (0, s)
        coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
        intercept = np.array([0.0, intercept[0]])
    coef, intercept = coef / temperature, intercept / temperature  # the probabilities calibrated
    item_means = means[items].to_numpy(float)

    texts, reverse, scale = {}, {i: False for i in items}, None
    if instrument is not None:
        texts = {i: instrument.item_texts.get(i, "") for i in items}
        reverse = {i: i in set(instrument.reverse_ids) for i in items}
        lo, hi = instrument.scale.min, instrument.scale.max
        scale = {"min": lo, "max": hi}
        # keyed = lo + hi - raw for reverse items: fold the flip into the weights
        for j, i in enumerate(items):
            if reverse[i]:
                intercept = intercept + coef[:, j] * (lo + hi)
                coef[:, j] = -coef[:, j]
                item_means[j] = lo + hi - item_means[j]
    return TypingTool(
        {
            "items": items,
            "type_ids": [int(t) for t in type_ids],
            "weights": coef,
            "intercepts": intercept,
            "means": item_means,
            "agreement": agreement,
            "selection": path,
            "type_names": dict(type_names or {}),
            "texts": texts,
            "reverse": reverse,
            "scale": scale,
            "target": target,
            "n_respondents": len(y),
            "language": getattr(instrument, "language", None),
            "temperature": temperature,
        }
    )


#: The sentences of ``typing_tool.yaml`` for people (keys of the file; ``tool_yaml_<key>`` in
#: ``report/i18n/<lang>.yaml``).
_NOTES = ("answers", "scoring", "agreement_method")


def _notes(read: Mapping[str, Any] | None, language: str | None) -> dict[str, str]:
    """``typing_tool.yaml``'s sentences for people: those a file had (a re-written file keeps
    them), else in ``language`` (the study's; English when it has no texts)."""
    from ..i18n import said

    read = read or {}
    return {key: str(read[key]) if isinstance(read.get(key), str) and read[key].strip()
            else said(f"tool_yaml_{key}", language) for key in _NOTES}


def load_typing_tool(path: str | Path) -> TypingTool:
    """Read ``typing_tool.yaml`` written by :meth:`TypingTool.to_yaml`.

    Raises
    ------
    InputError
        If the file is missing or is not a typing tool.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(code="problem_tool_not_found", file=path, hint=Said("problem_tool_not_found_fix"))
    data = read_yaml(path)
    if not isinstance(data, dict) or data.get("kind") != _KIND:
        raise InputError(code="problem_tool_not_tool", file=path, hint=Said("problem_tool_not_tool_fix"))
    try:
        items = [str(i["id"]) for i in data["items"]]
        types = data["types"]
        return TypingTool(
            {
                "items": items,
                "type_ids": [int(t["type_id"]) for t in types],
                "weights": [[float(t["weights"][i]) for i in items] for t in types],
                "intercepts": [float(t["intercept"]) for t in types],
                "means": [float(i["mean"]) for i in data["items"]],
                "agreement": data["agreement"],
                "selection": data.get("selection", []),
                "type_names": {int(t["type_id"]): t.get("name") for t in types},
                "texts": {str(i["id"]): i.get("text") or "" for i in data["items"]},
                "reverse": {str(i["id"]): bool(i.get("reverse", False)) for i in data["items"]},
                "scale": data.get("scale"),
                "target": data.get("target_agreement", 0.9),
                "n_respondents": data.get("n_respondents", 0),
                "temperature": data.get("temperature", 1.0),
                "notes": {key: data.get(key) for key in _NOTES},
            }
        )
    except (KeyError, TypeError, ValueError) as err:
        raise InputError(code="problem_tool_incomplete", values={"detail": f"{type(err).__name__}: {err}"},
                         file=path, hint=Said("problem_tool_incomplete_fix")) from None


def answers_id_column(discovery_dir: str | Path, answers: str | Path, id_column: str | None = None) -> str | None:
    """The id column to type a file of answers by (``typing-tool --score``).

    ``id_column`` when given; else ``None`` (``respondent_id`` or the survey's id column, as
    :func:`behaviortypes.deliver.score_answers_file` looks for them), unless the file has
    neither but has the study's ``customer_id_column``: then that one. A CRM team types
    customers, by their customer number (user trial 12: ``kundnummer;p02;p07;p16`` was
    refused without ``--id-column kundnummer``).
    """
    if id_column is not None:
        return id_column
    from .. import study
    from ..readers.tables import read_raw

    try:
        inst = study.load(discovery_dir).instrument
        header = read_raw(answers, columns=lambda name: False).attrs.get("columns_in_file") or []
    except (InputError, OSError, ValueError):
        return None  # the scoring names what is wrong with the folder or the file
    columns = {str(c).strip().lower(): str(c).strip() for c in header}
    customer = str(inst.get("customer_id_column") or "").strip()
    ids = {"respondent_id", str(inst.get("id_column") or "respondent_id").strip().lower()}
    if customer and not ids & set(columns) and customer.lower() in columns:
        return columns[customer.lower()]
    return None
