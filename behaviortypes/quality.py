"""Respondent screening: who is kept for the analysis, and why the others are not.

Panels contain straightliners, speeders, inattentive and random respondents; each
distorts every factor and type downstream. :func:`screen` measures every respondent on
each screen, flags those beyond the instrument's thresholds
(:class:`~behaviortypes.instrument.QualitySettings`) and gives a reason for every flag.

Screens (names usable in ``quality.enabled``):

``straightlining``
    *Longstring*: the longest run of identical consecutive answers as a share of the
    answered items, and the *same-answer share* (the share of answers equal to the
    respondent's most frequent answer, in any order, which catches near-constant
    patterns); both flag at ``>= longstring_share``. *IRV*, the intra-individual
    response variability (standard deviation of a respondent's answers in scale points),
    flags below ``min_irv`` (Johnson 2005; Dunn et al. 2018). Only respondents who
    answered at least half of the items are judged.
``speeding``
    Interview length relative to the median (flag below ``speed_ratio``, default 1/3).
``attention``
    Failed instructed-response items (flag above ``max_failed_checks``; no answer counts
    as failed).
``random``
    Person fit: the squared Mahalanobis distance of a respondent's keyed answers from the
    respondents' centre (flag when its p-value is below ``mahalanobis_alpha``, against a
    chi-square fitted to the respondents' own distances, so that about that share of
    ordinary respondents is flagged by chance even though Likert data are not normal),
    and, when ``min_even_odd`` is set and items have themes, the Spearman-Brown corrected
    even-odd consistency (Curran 2016) (flag below ``min_even_odd``).
``missing``
    Share of items unanswered (flag above ``max_missing_share``).

References
----------
Curran, P. G. (2016). Methods for the detection of carelessly invalid responses in
survey data. *Journal of Experimental Social Psychology*, 66, 4-19.
Dunn, A. M., Heggestad, E. D., Shanock, L. R., & Theilgard, N. (2018). Intra-individual
response variability as an indicator of insufficient effort responding. *Journal of
Business and Psychology*, 33, 105-121.
Johnson, J. A. (2005). Ascertaining the validity of individual protocols from web-based
personality inventories. *Journal of Research in Personality*, 39, 103-129.
Meade, A. W., & Craig, S. B. (2012). Identifying careless responses in survey data.
*Psychological Methods*, 17, 437-455.
Rousseeuw, P. J., & Van Driessen, K. (1999). A fast algorithm for the minimum covariance
determinant estimator. *Technometrics*, 41, 212-223.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import warnings

import numpy as np
import pandas as pd

from .errors import InputError, Said, SurveyQualityWarning
from .files import write_csv, write_json
from .instrument import Instrument, QualitySettings

__all__ = [
    "SCREENS",
    "ScreeningResult",
    "screen",
    "screen_responses",
    "longstring",
    "same_share",
    "irv",
    "mahalanobis_pvalues",
    "even_odd",
    "min_sample_size",
    "check_sample_size",
    "MISKEYED_R",
    "miskeyed_items",
    "split_halves",
    "STYLE_COLUMNS",
    "STYLE_CORRECTIONS",
    "MARKED_ACQUIESCENCE",
    "MARKED_EXTREME_EXCESS",
    "marked_extreme_share",
    "StyleDecision",
    "response_styles",
    "acquiescence_shrinkage",
    "correct_response_styles",
    "decide_style_correction",
]

#: The screens, in the order reasons are listed.
SCREENS = ("straightlining", "speeding", "attention", "random", "missing")
#: Respondents beyond this chi-square tail are left out when the person-fit centre and
#: covariance are re-estimated (the 97.5 % cut-off of reweighted MCD).
REWEIGHT_ALPHA = 0.025


# ----------------------------------------------------------------------------- metrics
def longstring(items: pd.DataFrame) -> pd.Series:
    """Longest run of identical consecutive answers, as a share of the answered items.

    Parameters
    ----------
    items : DataFrame of shape (n_respondents, n_items)
        Raw answers in questionnaire order (NaN = no answer; a gap ends a run).

    Returns
    -------
    Series
        In [0, 1]; NaN for a respondent with no answers.
    """
    x = items.to_numpy(dtype=float)
    n, p = x.shape
    run = np.ones(n)
    best = np.where(np.isnan(x[:, 0]), 0.0, 1.0) if p else np.zeros(n)
    run = best.copy()
    for j in range(1, p):
        same = x[:, j] == x[:, j - 1]
        run = np.where(np.isnan(x[:, j]), 0.0, np.where(same, run + 1, 1.0))
        best = np.maximum(best, run)
    answered = np.sum(~np.isnan(x), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(answered > 0, best / np.maximum(answered, 1), np.nan)
    return pd.Series(share, index=items.index, name="longstring")


def same_share(items: pd.DataFrame) -> pd.Series:
    """Share of a respondent's answers equal to their most frequent answer (in any order).

    Returns NaN for a respondent with no answers.
    """
    x = items.to_numpy(dtype=float)
    answered = np.sum(~np.isnan(x), axis=1)
    best = np.zeros(len(x))
    for value in np.unique(x[~np.isnan(x)]):
        best = np.maximum(best, np.sum(x == value, axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(answered > 0, best / np.maximum(answered, 1), np.nan)
    return pd.Series(share, index=items.index, name="same_share")


def irv(items: pd.DataFrame) -> pd.Series:
    """Intra-individual response variability: the SD of a respondent's answers (scale points).

    Returns NaN for respondents with fewer than two answers.
    """
    x = items.to_numpy(dtype=float)
    answered = np.sum(~np.isnan(x), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nanmean(np.where(answered[:, None] > 0, x, 0.0), axis=1)
        var = np.nansum((x - mean[:, None]) ** 2, axis=1) / np.maximum(answered, 1)
    sd = np.where(answered >= 2, np.sqrt(var), np.nan)
    return pd.Series(sd, index=items.index, name="irv")


def mahalanobis_pvalues(items: pd.DataFrame, *, alpha: float = 0.001,
                        fit_mask: pd.Series | np.ndarray | None = None) -> pd.DataFrame:
    """Person fit: reweighted Mahalanobis distances of the answers the common factors leave.

    The centre and covariance are estimated from the respondents in ``fit_mask``
    (default all). The leading principal components (as many as the correlation matrix
    has eigenvalues above 1, the Kaiser count ``m``) carry what respondents share; the
    squared Mahalanobis distance is taken in the remaining ``p - m`` dimensions, where a
    careless respondent's answers stand out most (with ``m = 0`` it is the classical
    distance). Likert answers are not multivariate normal: their distances have a longer
    tail than chi-square on ``p - m`` degrees of freedom (on R psych's ``bfi`` a plain
    chi-square cut at 0.001 flags 7 % of 2,800 real respondents). So the reference is a
    scaled chi-square ``c * chi2(nu)`` whose median and 80th percentile match those of the
    fit sample (on multivariate-normal data ``nu = p - m`` and ``c = 1``); ``p < alpha``
    then means what it says: about ``alpha`` of the respondents' own population is
    flagged by chance. Respondents beyond the 97.5 % cut-off (or ``alpha`` if larger) are
    then set aside, the centre and covariance re-estimated from the rest and the
    distances recomputed, twice (reweighting as in Rousseeuw & Van Driessen 1999); the
    quantiles of the trimmed fit sample are matched to the corresponding chi-square
    quantiles. Missing answers are set to the item mean, which can only make a
    respondent look more typical.

    Parameters
    ----------
    items : DataFrame of shape (n_respondents, n_items)
        Keyed answers.
    alpha : float, default=0.001
        The flagging level; respondents with ``p < alpha`` are always left out of the
        re-estimate.
    fit_mask : bool array of shape (n_respondents,), optional
        Respondents allowed into the estimate (e.g. those not flagged by other screens).

    Returns
    -------
    DataFrame
        ``mahalanobis_d2`` (divided by ``c``), ``mahalanobis_p`` (upper tail of
        ``chi2(nu)``), indexed like ``items``; ``attrs["dof"]`` holds ``p - m`` and
        ``attrs["reference_dof"]`` ``nu``.
    """
    from scipy import stats
    x = np.ascontiguousarray(items.to_numpy(dtype=float))  # row-major: fast BLAS products
    n, p = x.shape
    use = np.ones(n, bool) if fit_mask is None else np.asarray(fit_mask, bool).copy()
    use &= ~np.all(np.isnan(x), axis=1)
    d2 = np.full(n, np.nan)
    pvals = np.full(n, np.nan)
    dof = p
    ref_dof = float(p)
    fit = use.copy()
    for _ in range(3 if p >= 3 else 0):
        if fit.sum() <= p + 1:
            break
        mean = np.nanmean(x[fit], axis=0)
        centred = np.where(np.isnan(x), 0.0, x - mean)
        dev = centred[fit] - centred[fit].mean(axis=0)
        cov = dev.T @ dev / max(fit.sum() - 1, 1)
        sd = np.sqrt(np.diag(cov))
        if not np.all(np.isfinite(cov)) or np.any(sd <= 0):
            break
        m = int(np.sum(np.linalg.eigvalsh(cov / np.outer(sd, sd)) > 1.0))
        m = min(m, p - 2)
        values, vectors = np.linalg.eigh(cov)
        order = np.argsort(values)[::-1]
        values, vectors = values[order][m:], vectors[:, order][:, m:]
        keep = values > values.max() * 1e-10
        values, vectors = values[keep], vectors[:, keep]
        dof = len(values)
        raw = np.sum((centred @ vectors) ** 2 / values, axis=1)
        # median and 80th percentile of the fit sample against the matching quantiles of
        # c * chi2(nu) (the upper tail beyond the reweighting cut-off is not in the fit sample)
        kept_share = fit.sum() / max(use.sum(), 1)
        ref_dof, factor = _reference_chi2(raw[fit], kept_share, dof)
        d2 = raw / factor if factor > 0 else raw
        pvals = stats.chi2.sf(d2, ref_dof)
        d2[~np.isfinite(x).any(axis=1)] = np.nan
        pvals[~np.isfinite(x).any(axis=1)] = np.nan
        fit = use & ~(pvals < max(alpha, REWEIGHT_ALPHA))
    out = pd.DataFrame({"mahalanobis_d2": d2, "mahalanobis_p": pvals}, index=items.index)
    out.attrs["dof"] = dof
    out.attrs["reference_dof"] = ref_dof
    return out


#: The upper quantile of the fit sample matched by the person-fit reference distribution.
REFERENCE_QUANTILE = 0.8


def _reference_chi2(raw: np.ndarray, kept_share: float, dof: int) -> tuple[float, float]:
    """``(nu, c)`` of ``c * chi2(nu)`` matching the median and upper quantile of ``raw``.

    ``raw`` holds the fit sample's distances, the lower ``kept_share`` of all. Falls back
    to ``(dof, median match)`` when the two quantiles cannot be matched.
    """
    from scipy import optimize, stats
    q = REFERENCE_QUANTILE
    lo_q, hi_q = kept_share * 0.5, kept_share * q
    med, upper = np.quantile(raw, [0.5, q])
    nu = float(dof)
    if med > 0 and upper > med:
        def gap(v: float) -> float:
            return stats.chi2.ppf(hi_q, v) / stats.chi2.ppf(lo_q, v) - upper / med
        try:
            nu = float(optimize.brentq(gap, 0.05, 1e5))
        except ValueError:  # quantiles no chi-square matches: keep the dimensions
            nu = float(dof)
    return nu, float(med / stats.chi2.ppf(lo_q, nu))


def even_odd(items: pd.DataFrame, groups: dict[str, list[str]]) -> pd.Series:
    """Even-odd consistency: correlation of odd- and even-half scale means, Spearman-Brown corrected.

    Parameters
    ----------
    items : DataFrame of shape (n_respondents, n_items)
        Keyed answers.
    groups : dict of str to list of str
        Scales (e.g. interview themes) and their items in questionnaire order; scales
        with fewer than two items are skipped.

    Returns
    -------
    Series
        In [-1, 1]; NaN when fewer than three scales can be split or a half has no
        variance across scales.
    """
    odd, even = [], []
    for ids in groups.values():
        ids = [i for i in ids if i in items.columns]
        if len(ids) < 2:
            continue
        odd.append(items[ids[0::2]].mean(axis=1))
        even.append(items[ids[1::2]].mean(axis=1))
    if len(odd) < 3:
        return pd.Series(np.nan, index=items.index, name="even_odd")
    a = pd.concat(odd, axis=1).to_numpy()
    b = pd.concat(even, axis=1).to_numpy()
    ok = ~np.isnan(a) & ~np.isnan(b)
    a, b = np.where(ok, a, np.nan), np.where(ok, b, np.nan)
    with warnings.catch_warnings():  # a respondent with no answers: NaN, reported as missing
        warnings.simplefilter("ignore", RuntimeWarning)
        a = a - np.nanmean(a, axis=1, keepdims=True)
        b = b - np.nanmean(b, axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.nansum(a * b, axis=1) / np.sqrt(np.nansum(a * a, axis=1) * np.nansum(b * b, axis=1))
        r = np.where(ok.sum(axis=1) >= 3, r, np.nan)
        corrected = 2 * r / (1 + r)
    corrected = np.where(r <= -1, -1.0, corrected)
    return pd.Series(corrected, index=items.index, name="even_odd")


# ----------------------------------------------------------------------------- result
@dataclass(frozen=True, eq=False)
class ScreeningResult:
    """Who is kept, who is not, and why.

    Attributes
    ----------
    table : DataFrame
        One row per respondent (index ``respondent_id``): ``kept``, ``reasons``
        ("; "-joined, ``""`` when kept) and the metrics ``longstring``, ``irv``,
        ``duration_ratio``, ``failed_checks``, ``missing_share``, ``mahalanobis_d2``,
        ``mahalanobis_p``, ``even_odd``, then the response styles of
        :func:`response_styles` (``acquiescence``, ``ars``, ``dars``, ``ers``, ``mrs``),
        which describe respondents and never drop them.
    flags : DataFrame of bool
        One column per screen in :data:`SCREENS`.
    settings : QualitySettings
        The thresholds used.
    scale_range : float, default=NaN
        ``max - min`` of the scale the response styles were measured on (for the
        marked-acquiescence count).
    styles_scale : (min, max) or None
        The range the answers used, when no one used an end of the declared scale and the
        response styles were measured on it (``None``: measured on the declared scale).
    declared_scale : (min, max) or None
        The instrument's scale.
    """

    table: pd.DataFrame
    flags: pd.DataFrame
    settings: QualitySettings
    scale_range: float = float("nan")
    styles_scale: tuple[float, float] | None = None
    declared_scale: tuple[float, float] | None = None

    @property
    def kept_ids(self) -> pd.Index:
        """Respondent ids kept for the analysis."""
        return self.table.index[self.table["kept"].to_numpy()]

    @property
    def n_kept(self) -> int:
        return int(self.table["kept"].sum())

    def summary(self) -> str:
        """For people: how many were kept, and how many each screen flagged.

        Returns
        -------
        str
            ``"Screening: <kept> of <n> respondents kept"``, then one line per row of
            :meth:`to_frame` with a count (``any`` and ``kept`` left out), then
            :meth:`notes`.
        """
        lines = [f"Screening: {self.n_kept} of {len(self.table)} respondents kept"]
        for reason, row in self.to_frame().iterrows():
            if reason not in {"any", "kept"} and row["count"]:
                lines.append(f"  - {reason}: {int(row['count'])} ({row['share']:.1%})")
        lines.extend(f"  - {note}" for note in self.notes())
        return "\n".join(lines)

    @property
    def has_midpoint(self) -> bool:
        """Whether the answer scale has a middle point (an odd number of points), so that
        ``mrs`` is measured; ``True`` when the scale is not known."""
        return not (np.isfinite(self.scale_range) and round(self.scale_range) % 2 == 1)

    def notes(self) -> list[str]:
        """What the counts leave unsaid: on a scale with an even number of points, that
        midpoint responding (``mrs``) is not measured (the report says it in its language,
        ``styles_no_midpoint``); that the response styles were measured on the range the
        answers used, not on the declared scale (``check_styles_scale``)."""
        out = []
        if self.styles_scale is not None and self.declared_scale is not None:
            out.append(self.styles_scale_note())
        if not self.has_midpoint:
            out.append(f"midpoint responding: not measured (a {self.scale_range + 1:g}-point scale "
                       "has no midpoint)")
        return out

    def styles_scale_note(self, lang: str = "en") -> str:
        """The note that the response styles were measured on the range the answers used."""
        from .texts import Formatter, load_texts

        (lo, hi), (dlo, dhi) = self.styles_scale, self.declared_scale
        mid = (lo + hi) / 2  # 2.5 on 1-4 answers: "2,5" in Swedish
        return load_texts(lang)["check_styles_scale"].format(
            used=f"{lo:g}–{hi:g}", scale=f"{dlo:g}–{dhi:g}",
            mid=f"{mid:g}" if float(mid).is_integer() else Formatter(lang).num(mid, 1))

    def to_frame(self) -> pd.DataFrame:
        """Respondents flagged per screen (a respondent can have several reasons).

        Returns
        -------
        DataFrame
            Index ``reason`` (each screen, then ``any`` and ``kept``, then the kept
            respondents with a marked response style, ``acquiescent_kept`` (agreeing),
            ``disacquiescent_kept`` (disagreeing with both poles) and ``extreme_kept``,
            see :data:`MARKED_ACQUIESCENCE` and :func:`marked_extreme_share`); columns
            ``count``, ``share`` (of all respondents)
            and ``drops`` (whether the row counts dropped respondents).
        """
        n = max(len(self.table), 1)
        counts = {s: int(self.flags[s].sum()) for s in SCREENS}
        counts["any"] = int((~self.table["kept"]).sum())
        counts["kept"] = self.n_kept
        counts.update(_marked_styles(self.table, self.scale_range))
        frame = pd.DataFrame({"count": pd.Series(counts)})
        frame["share"] = frame["count"] / n
        frame["drops"] = [r in SCREENS or r == "any" for r in frame.index]
        frame.index.name = "reason"
        return frame

    def to_dict(self) -> dict[str, Any]:
        """Settings, counts and the dropped respondents with their reasons."""
        dropped = self.table.loc[~self.table["kept"], "reasons"]
        return {
            "n_respondents": len(self.table),
            "n_kept": self.n_kept,
            "settings": self.settings.model_dump(mode="json"),
            "summary": {k: {"count": int(r["count"]), "share": float(r["share"])}
                        for k, r in self.to_frame().iterrows()},
            "dropped": {str(k): v for k, v in dropped.items()},
        }

    def to_files(self, folder: str | Path) -> list[Path]:
        """Write ``screening.csv`` (every respondent, ``respondent_id`` first) and
        ``screening_summary.json`` atomically; return their paths."""
        from .study import claim

        folder = Path(folder)
        table = self.table.reset_index()
        claim(folder, ["screening.csv", "screening_summary.json"])  # never a user's own file
        paths = [write_csv(folder / "screening.csv", table),
                 write_json(folder / "screening_summary.json", self.to_dict())]
        return paths


def _marked_styles(table: pd.DataFrame, span: float) -> dict[str, int]:
    """Kept respondents with a marked acquiescent (agreeing), disacquiescent (disagreeing)
    or extreme style (0 without the columns). The two directions are counted apart: a
    respondent who disagrees with both poles is not "agreeing whatever the statement says"
    (user trial 4, the STAI: most marked respondents were of that kind)."""
    if "acquiescence" not in table or "ers" not in table:
        return {"acquiescent_kept": 0, "disacquiescent_kept": 0, "extreme_kept": 0}
    kept = table["kept"].to_numpy(bool)
    acq = table["acquiescence"].to_numpy(float)
    limit = MARKED_ACQUIESCENCE * span if np.isfinite(span) else np.inf
    with np.errstate(invalid="ignore"):
        agree, disagree = kept & (acq >= limit), kept & (acq <= -limit)
    ers_limit = marked_extreme_share(span + 1) if np.isfinite(span) else np.inf
    with np.errstate(invalid="ignore"):
        marked_ers = kept & (table["ers"].to_numpy(float) >= ers_limit)
    return {"acquiescent_kept": int(agree.sum()), "disacquiescent_kept": int(disagree.sum()),
            "extreme_kept": int(marked_ers.sum())}


# ----------------------------------------------------------------------------- screening
def _settings(settings: QualitySettings | dict | None, instrument: Instrument) -> QualitySettings:
    if settings is None:
        settings = instrument.quality
    elif isinstance(settings, dict):
        try:
            settings = QualitySettings.model_validate({**instrument.quality.model_dump(), **settings})
        except ValueError as err:
            raise InputError(f"bad quality settings: {err}".replace("\n", " "),
                             hint="see QualitySettings for names and types") from None
    unknown = sorted(set(settings.enabled or []) - set(SCREENS))
    if unknown:
        raise InputError(f"unknown screen(s) in quality.enabled: {', '.join(unknown)}",
                         value=unknown[0], hint=f"choose from {', '.join(SCREENS)}")
    return settings


def _fmt(x: float) -> str:
    return f"{x:.2g}" if abs(x) < 0.01 else f"{x:.2f}"


class _Reasons:
    """The screening reasons' sentences (``screen_reason_*`` of ``report/i18n``) in the study's
    language, numbers as it writes them: "50%" and "0.80" in English, "50 %" and "0,80" in
    Swedish (the report's :class:`~behaviortypes.report.render.Formatter`)."""

    def __init__(self, lang: str | None) -> None:
        from .texts import Formatter, load_texts  # (the report imports this module)

        self.lang = lang if lang in ("en", "sv") else "en"
        self._texts, self._fmt = load_texts(self.lang), Formatter(self.lang)

    def pct(self, x: float) -> str:
        return f"{x:.0%}" if self.lang == "en" else self._fmt.pct(x, 0)

    def num(self, x: float, digits: int = 2) -> str:
        return f"{x:.{digits}f}" if self.lang == "en" else self._fmt.num(x, digits)

    def p(self, x: float) -> str:
        """A p-value or cut-off: two significant digits below 0.01 ("2.3e-05"), else two decimals."""
        if self.lang == "en":
            return _fmt(x)
        return self._fmt.sig(x, 2) if abs(x) < 0.01 else self._fmt.num(x, 2)

    def alpha(self, x: float) -> str:
        return f"{x:g}" if self.lang == "en" else self._fmt.sig(x, 1)

    def __call__(self, code: str, **values: Any) -> str:
        return self._texts[f"screen_reason_{code}"].format(**values)


def _straightlining(items: pd.DataFrame, s: QualitySettings, say: _Reasons
                    ) -> tuple[dict[str, pd.Series], pd.Series, pd.Series]:
    """The straightlining metrics and flag, each flagged respondent's reason (in ``say``'s
    language), and answers given.

    Returns ``({"longstring", "same_share", "irv", "flag"}, reasons, n_answered)``.
    """
    index, n_items = items.index, items.shape[1]
    ls, same, sd = longstring(items), same_share(items), irv(items)
    answered = items.notna().sum(axis=1)
    enough = answered >= max(3, int(np.ceil(n_items / 2)))
    long_flag = enough & (ls >= s.longstring_share)
    same_flag = enough & (same >= s.longstring_share) & ~long_flag
    irv_flag = enough & (sd < s.min_irv)
    text = pd.Series("", index=index)
    cut = say.num(s.longstring_share)
    text[long_flag] = ls[long_flag].map(lambda v: say("longstring", share=say.pct(v), value=say.num(v), cut=cut))
    text[same_flag] = same[same_flag].map(lambda v: say("same_answer", share=say.pct(v), value=say.num(v), cut=cut))
    long_flag = long_flag | same_flag
    only_irv = irv_flag & ~long_flag
    text[only_irv] = sd[only_irv].map(lambda v: say("irv", value=say.num(v), cut=say.num(s.min_irv)))
    metrics = {"longstring": ls, "same_share": same, "irv": sd, "flag": long_flag | irv_flag}
    return metrics, text, answered


def _warn_forward_only_straightlining(n: int, n_all: int) -> None:
    """Say loudly that straightliners were screened out of a survey without reverse-worded
    statements, where the same answer throughout can be a real view (user trial 11: GCBS,
    191 of 1,215, 15.7 %, dropped silently; 72 of them answered every statement alike)."""
    if not n:
        return
    share = n / max(n_all, 1)  # (a number: the Swedish line writes it "15,7 %")
    warnings.warn(SurveyQualityWarning(
        f"straightlining: {n} respondents ({share:.1%}) are screened out for giving (nearly) the same answer "
        "to every statement, but the survey has no reverse-worded statements, so answering alike "
        "throughout cannot be told from holding the same view on every statement (\"all not true\" can "
        "be a real answer); to keep them, set quality: {longstring_share: 1.01, min_irv: 0} in "
        "instrument.yaml and compare the types", code="warn_straightlining_forward_only",
        values={"n": n, "share": share}), stacklevel=3)


#: A share of straightliners screened out above which ``check`` says so: careless answering
#: of every kind is about 10 % of online samples (Meade & Craig 2012, 10-12 %; Curran 2016),
#: straightlining alone usually a few per cent (the demo panel plants 3 %).
STRAIGHT_SHARE_WARN = 0.10


def _warn_many_straightliners(n: int, n_all: int) -> None:
    """Say when straightliners are a large share of a survey with reverse-worded statements
    (user trial 21: 306 of 1,500, 20.4 %, dropped with no word)."""
    share = n / max(n_all, 1)
    if share < STRAIGHT_SHARE_WARN:
        return
    warnings.warn(SurveyQualityWarning(
        f"straightlining: {n} respondents ({share:.1%}) are screened out for giving (nearly) the same "
        "answer to every statement, more than the few per cent usual in a survey: the types describe the "
        "others only. Look at how the survey was answered (a panel paid per survey, a long grid on a "
        "phone); if those answers are real, quality: {longstring_share: 1.01, min_irv: 0} in "
        "instrument.yaml keeps them", code="warn_straightlining_many", values={"n": n, "share": share}),
        stacklevel=3)


def screen_responses(responses: pd.DataFrame, instrument: Instrument,
                     settings: QualitySettings | dict | None = None) -> ScreeningResult:
    """Screen respondents of a responses table (see :func:`screen`)."""
    s = _settings(settings, instrument)
    enabled = set(SCREENS if s.enabled is None else s.enabled)
    scale = instrument.scale
    items = responses[instrument.item_ids].astype(float)
    lo, hi = scale.min, scale.max
    keyed = items.copy()
    if instrument.reverse_ids:
        keyed[instrument.reverse_ids] = lo + hi - keyed[instrument.reverse_ids]
    index = responses.index
    n_items = items.shape[1]
    table = pd.DataFrame(index=index)
    flags = pd.DataFrame(False, index=index, columns=list(SCREENS))
    reasons: dict[str, list[tuple[int, str]]] = {r: [] for r in index}
    say = _Reasons(instrument.language)  # the reasons in the study's language (screening.csv)

    def add(screen_name: str, mask: pd.Series, texts: pd.Series) -> None:
        mask = mask.fillna(False).astype(bool)
        if screen_name not in enabled:
            return
        flags.loc[mask, screen_name] = True
        order = SCREENS.index(screen_name)
        for rid, text in texts[mask].items():
            reasons[rid].append((order, text))

    # missing
    missing_share = items.isna().sum(axis=1) / max(n_items, 1)
    table["missing_share"] = missing_share
    add("missing", missing_share > s.max_missing_share,
        missing_share.map(lambda v: say("missing", share=say.pct(v), max=say.pct(s.max_missing_share))))
    # straightlining
    straight, text, answered = _straightlining(items, s, say)
    table["longstring"], table["same_share"], table["irv"] = (
        straight["longstring"], straight["same_share"], straight["irv"])
    add("straightlining", straight["flag"], text)
    if "straightlining" in enabled and not instrument.reverse_ids:
        _warn_forward_only_straightlining(int(straight["flag"].fillna(False).sum()), len(index))
    elif "straightlining" in enabled:
        _warn_many_straightliners(int(straight["flag"].fillna(False).sum()), len(index))
    # speeding
    col = instrument.duration_column
    if col is not None and col in responses.columns:
        dur = pd.to_numeric(responses[col], errors="coerce").astype(float)
        median = float(np.nanmedian(dur)) if dur.notna().any() else np.nan
        ratio = dur / median if median and median > 0 else pd.Series(np.nan, index=index)
        table["duration_ratio"] = ratio
        fast = (ratio < s.speed_ratio).fillna(False).astype(bool)
        add("speeding", fast, pd.Series(
            [say("speeding", seconds=say.num(d, 0), ratio=say.num(r), median=say.num(median, 0),
                 cut=say.num(s.speed_ratio)) if f else "" for d, r, f in zip(dur, ratio, fast)], index=index))
    else:
        table["duration_ratio"] = np.nan
    # attention checks
    failed = pd.Series(0, index=index, dtype=int)
    for check in instrument.attention_checks:
        if check.id in responses.columns:
            values = pd.to_numeric(responses[check.id], errors="coerce")
            ok = values.map(lambda v: bool(np.isfinite(v) and check.passes(float(v))))
            failed += (~ok).astype(int)
    table["failed_checks"] = failed
    if instrument.attention_checks:
        add("attention", failed > s.max_failed_checks, failed.map(
            lambda v: say("attention", failed=v, n=len(instrument.attention_checks), max=s.max_failed_checks)))
    # random responding: estimate the centre from respondents no other screen flagged
    others = flags[["straightlining", "speeding", "attention", "missing"]].any(axis=1)
    fit_mask = ~others & (answered >= 2)
    maha = mahalanobis_pvalues(keyed, alpha=s.mahalanobis_alpha, fit_mask=fit_mask.to_numpy())
    table["mahalanobis_d2"], table["mahalanobis_p"] = maha["mahalanobis_d2"], maha["mahalanobis_p"]
    groups: dict[str, list[str]] = {}
    for item in instrument.items:
        if item.theme is not None:
            groups.setdefault(item.theme, []).append(item.id)
    eo = even_odd(keyed, groups)
    table["even_odd"] = eo
    maha_flag = maha["mahalanobis_p"] < s.mahalanobis_alpha
    eo_flag = (eo < s.min_even_odd) if s.min_even_odd is not None else pd.Series(False, index=index)
    text = pd.Series("", index=index)
    text[maha_flag] = maha["mahalanobis_p"][maha_flag].map(
        lambda v: say("mahalanobis", p=say.p(v), alpha=say.alpha(s.mahalanobis_alpha)))
    only_eo = eo_flag & ~maha_flag
    text[only_eo] = eo[only_eo].map(lambda v: say("even_odd", value=say.num(v), cut=say.num(s.min_even_odd)))
    add("random", maha_flag | eo_flag, text)

    kept = ~flags.any(axis=1)
    out = pd.DataFrame(index=index)
    out["kept"] = kept
    out["reasons"] = pd.Series({rid: "; ".join(t for _, t in sorted(r))
                                for rid, r in reasons.items()}, dtype=object)
    # the screens that flagged each respondent as codes, the same in every language (for programs)
    out["screens"] = flags.apply(lambda row: "; ".join(name for name in SCREENS if row[name]), axis=1).astype(object)
    for name in ("longstring", "same_share", "irv", "duration_ratio", "failed_checks", "missing_share",
                 "mahalanobis_d2", "mahalanobis_p", "even_odd"):
        out[name] = table[name]
    return _with_styles(out, flags, s, items, instrument)


def _with_styles(out: pd.DataFrame, flags: pd.DataFrame, s: QualitySettings, items: pd.DataFrame,
                 instrument: Instrument) -> ScreeningResult:
    """The screening result with the response styles: described, never a reason to drop (see
    :func:`response_styles`), on the range the answers used when no one used an end of the
    declared scale (user trial 24)."""
    from .readers import answered_scale

    lo, hi = float(instrument.scale.min), float(instrument.scale.max)
    used = answered_scale(items, instrument.scale)
    out = out.join(response_styles(items, instrument, scale=used))
    out.index.name = "respondent_id"
    flags.index.name = "respondent_id"
    span = hi - lo if used is None else used[1] - used[0]
    return ScreeningResult(table=out, flags=flags, settings=s, scale_range=span, styles_scale=used,
                           declared_scale=(lo, hi))


def screen(survey: Any, settings: QualitySettings | dict | None = None) -> ScreeningResult:
    """Screen the respondents of a survey.

    Parameters
    ----------
    survey : Survey
        From :func:`behaviortypes.readers.load_survey` (anything with ``responses`` and
        ``instrument``).
    settings : QualitySettings or dict, optional
        Thresholds; default ``survey.instrument.quality``. A dict overrides single
        settings, e.g. ``{"speed_ratio": 0.25}``.

    Returns
    -------
    ScreeningResult

    Raises
    ------
    InputError
        If ``enabled`` names an unknown screen or a setting has the wrong type, or when the
        answers look reverse-scored already (:func:`check_reversed_already`).

    Notes
    -----
    Every respondent stays in ``table``; ``kept_ids`` are those no enabled screen
    flagged. The person-fit screen estimates the centre and covariance from respondents
    not flagged by the other screens, so planted straightliners and speeders do not mask
    random responders. Correlated Likert items make good respondents look unusual now
    and then, and Likert answers have a longer tail than the normal; the distance is
    compared with a reference fitted to the respondents' own distances (see
    :func:`mahalanobis_pvalues`), so ``mahalanobis_alpha`` is the share of ordinary
    respondents flagged by chance (on R psych's ``bfi``, 2,800 real respondents: 13
    flagged at 0.001, where a plain chi-square cut flagged 199). Power against random
    answering depends on how strongly the items hang together: on planted studies the
    screen finds nearly all uniform random responders; on data with bfi's weak
    structure a random responder looks like an unusual real one. On planted factor-structured
    data (24 five-point items, 1,000 good respondents) the defaults drop about 0.2 % of
    good respondents and catch all straightliners and speeders and about 97 % of
    uniform random responders; power against random answering falls with fewer items
    (about 68 % with 12 items) and rises with ``mahalanobis_alpha=0.01`` (99 % with 24
    items, 1 % of good respondents dropped).
    """
    said = check_reversed_already(survey.responses, survey.instrument,
                                  file=getattr(survey, "responses_file", None))
    result = screen_responses(survey.responses, survey.instrument, settings)
    _warn_theme_case(survey.instrument)
    _warn_miskeyed(survey.responses.loc[result.kept_ids], survey.instrument,
                   tuple(f["theme"] for f in said))
    return result


def _warn_theme_case(instrument: Instrument) -> None:
    """One warning per theme written in two ways that differ only in capitals or spaces
    (user trial 21: one statement's ``Narcissism`` beside eight ``narcissism`` made a theme
    of one statement that left the reliability list)."""
    spellings: dict[str, dict[str, list[str]]] = {}
    for item, theme in instrument.item_themes.items():
        if theme:
            spellings.setdefault(" ".join(str(theme).split()).casefold(), {}).setdefault(str(theme), []).append(item)
    for ways in spellings.values():
        if len(ways) < 2:
            continue
        main, *others = sorted(ways, key=lambda t: -len(ways[t]))
        for other in others:
            items = ", ".join(ways[other][:5]) + (" …" if len(ways[other]) > 5 else "")
            warnings.warn(SurveyQualityWarning(
                f"theme '{other}' ({items}) differs from theme '{main}' ({len(ways[main])} statements) only "
                f"in capitals or spaces, so they are read as two themes: write '{main}' for them in "
                "instrument.yaml if they are one", code="warn_theme_case",
                values={"other": other, "items": items, "main": main, "n": len(ways[main])}), stacklevel=3)


# ----------------------------------------------------------------------------- keying
#: A statement whose corrected item-rest correlation with its theme is at or below this (and
#: below zero beyond chance, 1 % one-sided) is said to be keyed the wrong way. A statement of
#: a theme correlates positively with the rest of it; user trial 19 (poLCA's gss82, PURPOSE
#: left coded 1 = good): r = -0.30, alpha -0.87, and nothing said it.
MISKEYED_R = -0.10


def _rest_r(item: pd.Series, rest: pd.DataFrame) -> float:
    """Correlation of ``item`` with the mean of ``rest`` (its columns' available answers)."""
    if rest.shape[1] == 0:
        return float("nan")
    return float(item.corr(rest.mean(axis=1)))


def _clearly_negative(r: float, n: int) -> bool:
    """At or below :data:`MISKEYED_R` and below zero beyond chance (Fisher z, 1 % one-sided)."""
    return bool(np.isfinite(r) and r <= MISKEYED_R and n > 3 and np.arctanh(r) * np.sqrt(n - 3) < -2.326)


def _theme_miskeyed(keyed: pd.DataFrame, items: list[str]) -> list[tuple[str, float]]:
    """The statements of one theme keyed against the rest, with their item-rest correlation:
    the most negative is taken and turned, then the rest read again (so that two statements
    keyed the wrong way do not pull a right one below zero; the correlation of each is with the
    ones named before it turned), up to half of them."""
    data = keyed[items].copy()
    n = int(data.notna().all(axis=1).sum())
    outside = keyed[[c for c in keyed.columns if c not in items]]
    found: list[tuple[str, float]] = []
    while 2 * len(found) < len(items):
        rs = {i: _rest_r(data[i], data[[c for c in items if c != i]]) for i in items}
        worst = min((i for i in items if np.isfinite(rs[i])), key=rs.get, default=None)
        if worst is None or not _clearly_negative(rs[worst], n):
            break
        if len(items) == 2:  # both alike: the one that also runs against the other themes
            against = [i for i in items if _rest_r(keyed[i], outside) < 0]
            return [(i, rs[i]) for i in (against if len(against) == 1 else items)]
        found.append((worst, rs[worst]))
        data[worst] = -data[worst]
    return found


def miskeyed_items(keyed: pd.DataFrame, themes: dict[str, str | None]) -> pd.DataFrame:
    """Statements that correlate clearly negatively with the rest of their theme.

    Parameters
    ----------
    keyed : DataFrame of shape (n_respondents, n_items)
        The keyed answers (reverse-keyed statements turned).
    themes : dict
        Statement id -> theme (``Instrument.item_themes``); themes of two or more statements
        are read.

    Returns
    -------
    DataFrame
        ``item, theme, r``: the corrected item-rest correlation (the statement against the
        mean of its theme's other statements), for the statements at or below
        :data:`MISKEYED_R` and below zero beyond chance (Fisher z, 1 % one-sided); after the
        most negative one is turned, the others are read again. In a theme of two statements
        both correlate alike: the one that also runs against the statements outside the
        theme is named, both when that does not tell them apart. On R psych's ``bfi`` with
        no statement keyed back: its seven reverse-worded statements (A1, C4, C5, E1, E2, O2,
        O5; r -0.13 to -0.51), and no other (without turning the first found, E4 read -0.20);
        keyed as psych keys it: none.
    """
    groups: dict[str, list[str]] = {}
    for item, theme in themes.items():
        if theme and item in keyed.columns:
            groups.setdefault(theme, []).append(item)
    rows = [{"item": item, "theme": theme, "r": r} for theme, items in groups.items() if len(items) >= 2
            for item, r in _theme_miskeyed(keyed, items)]
    return pd.DataFrame(rows, columns=["item", "theme", "r"])


def split_halves(found: pd.DataFrame, themes: dict[str, str | None]) -> dict[str, tuple[list[str], list[str]]]:
    """The themes of :func:`miskeyed_items`' rows whose statements split (nearly) half against
    half: theme -> ``(the half named, the other half)``, two or more statements in each, the
    halves' sizes at most one apart. The answers cannot tell which half runs the wrong way,
    only that the two run against each other: user trial 22 (HSQ, the aggressive-humour
    statements 7 15 23 31 not reversed) had ``check`` advise reverse: true for the other,
    rightly keyed four. One statement against a clear majority is not a split."""
    out = {}
    for theme, rows in found.groupby("theme", sort=False):
        named = list(rows["item"])
        rest = [i for i, t in themes.items() if t == theme and i not in named]
        if len(named) >= 2 and len(rest) >= 2 and abs(len(rest) - len(named)) <= 1:
            out[str(theme)] = (named, rest)
    return out


#: A theme's reverse: true statements whose raw answers (as in the file) correlate at least
#: this with its other statements' (and above zero beyond chance, 1 % one-sided) run *with*
#: them, so reversed they run against them (:func:`reversed_already`).
ALREADY_REVERSED_R = 0.10

#: ... and refused only when every such theme's correlation reaches this. Acquiescent
#: respondents (agreeing with both poles) pull a theme's reversed and forward statements
#: together, so a weakly positive correlation can be a population's response style rather
#: than a file reversed already: below this bound each theme is warned about and the
#: analysis goes on. Files reversed already: 0.37-0.73 (HSQ, user trial 24), 0.31-0.59
#: (R psych's bfi reversed); the raw files with their keys: -0.37 to -0.73 and none above 0.
REFUSE_REVERSED_R = 0.30


def reversed_already(answers: pd.DataFrame, themes: dict[str, str | None],
                     reverse: list[str] | tuple[str, ...]) -> tuple[list[dict[str, Any]], int]:
    """The themes whose reverse: true statements run with their forward ones in the raw answers.

    Parameters
    ----------
    answers : DataFrame of shape (n_respondents, n_items)
        The *raw* answers (as in the responses file, not reverse-keyed).
    themes : dict
        Statement id -> theme (``Instrument.item_themes``).
    reverse : list of str
        The statements declared ``reverse: true``.

    Returns
    -------
    (list of dict, int)
        One dict per such theme (``theme``, ``reverse`` and ``forward`` statements, ``r``:
        the correlation of the reverse statements' mean raw answer with the forward ones'),
        and the number of themes that have both kinds. Statements worded against a theme
        are answered *against* its other statements (r < 0); when they are answered with
        them (r at or above :data:`ALREADY_REVERSED_R`, above zero beyond chance) the
        reversal turns them against the theme: the answers were reverse-scored already, or
        reverse: true is on statements not worded against the theme. User trial 24 (HSQ,
        1,071 respondents, Martin et al.'s key on answers already reversed): r 0.37 to 0.73
        in all four themes with both kinds; the raw answers with the same key: -0.37 to
        -0.73; R psych's bfi with psych's key: none.
    """
    rev = set(reverse)
    groups: dict[str, list[str]] = {}
    for item, theme in themes.items():
        if theme and item in answers.columns:
            groups.setdefault(theme, []).append(item)
    found, mixed = [], 0
    for theme, items in groups.items():
        back, forward = [i for i in items if i in rev], [i for i in items if i not in rev]
        if not back or not forward:
            continue
        mixed += 1
        a, b = answers[back].mean(axis=1), answers[forward].mean(axis=1)
        n = int((a.notna() & b.notna()).sum())
        r = float(a.corr(b))
        if np.isfinite(r) and r >= ALREADY_REVERSED_R and n > 3 and np.arctanh(min(r, 0.999999)) * np.sqrt(n - 3) > 2.326:
            found.append({"theme": str(theme), "reverse": back, "forward": forward, "r": r})
    return found, mixed


def _listed(items: list[str], most: int = 12) -> str:
    return ", ".join(items[:most]) + (" …" if len(items) > most else "")


def check_reversed_already(responses: pd.DataFrame, instrument: Instrument, *,
                           file: str | Path | None = None) -> list[dict[str, Any]]:
    """Refuse answers that look reverse-scored already; warn about single themes.

    When every theme with both forward and reverse: true statements (two or more such
    themes) has its reverse statements running with the forward ones in the raw answers
    (:func:`reversed_already`), each at least :data:`REFUSE_REVERSED_R`, the file was most
    likely reverse-scored before: reversing
    it again would turn each theme's meaning round for those statements (user trial 24:
    the factor named "affiliative" came out with "I usually don't laugh …" loading +0.61,
    and an acquiescence correction followed from the keying error), so nothing is
    analysed. A theme of its own (not all of them) is warned about, naming its statements.

    Returns
    -------
    list of dict
        The themes warned about (their per-statement keying warnings are not said).

    Raises
    ------
    InputError
        ``problem_answers_reversed_already``: the themes, the statements and the fix.
    """
    items = responses[[i for i in instrument.item_ids if i in responses.columns]].astype(float)
    found, mixed = reversed_already(items, instrument.item_themes, instrument.reverse_ids)
    if not found:
        return []
    order = list(instrument.item_ids)
    back = sorted((i for f in found for i in f["reverse"]), key=order.index)
    values = {"themes": ", ".join(f"'{f['theme']}'" for f in found), "items": _listed(back), "n": len(found)}
    if mixed >= 2 and len(found) == mixed and min(f["r"] for f in found) >= REFUSE_REVERSED_R:
        raise InputError(code="problem_answers_reversed_already", file=file, values=values)
    for f in found:
        one = {"theme": f["theme"], "items": _listed(f["reverse"]), "r": float(f["r"])}
        if f["r"] < REFUSE_REVERSED_R:  # as strong acquiescers pull them together: not a fix to give
            warnings.warn(SurveyQualityWarning(
                f"the reverse: true statements of theme '{one['theme']}' ({one['items']}) are answered "
                f"with its other statements (r = {one['r']:.2f} before reversing): many respondents may "
                "agree with every statement (acquiescence), or the answers may be reverse-scored already "
                "in the file. Hint: compare a few respondents' answers to "
                f"{one['items']} in the file with what they answered; remove reverse: true only if the "
                "file was reversed already",
                code="warn_theme_reversed_already_weak", values=one), stacklevel=3)
            continue
        warnings.warn(SurveyQualityWarning(
            f"the reverse: true statements of theme '{one['theme']}' ({one['items']}) are answered with "
            f"its other statements (r = {one['r']:.2f} before reversing), so reversed they run against them: "
            "the answers may be reverse-scored already in the file, or those statements are not worded "
            f"against the theme. Hint: remove reverse: true from {one['items']} in instrument.yaml, "
            "or give the raw answers (as the respondents gave them)",
            code="warn_theme_reversed_already", values=one), stacklevel=3)
    return found


def _warn_miskeyed(responses: pd.DataFrame, instrument: Instrument, said: tuple[str, ...] = ()) -> None:
    """One warning per statement keyed against its theme (:func:`miskeyed_items`); one per
    theme split half against half (:func:`split_halves`), naming both halves; none for the
    themes in ``said`` (warned about as reverse-scored already)."""
    from .readers import keyed_items

    reversed_ = {item.id for item in instrument.items if item.reverse}
    keyed = keyed_items(responses, instrument)
    found = miskeyed_items(keyed, instrument.item_themes)
    found = found[~found["theme"].isin(list(said))]
    themes = {i: t for i, t in instrument.item_themes.items() if i in keyed.columns}
    split = split_halves(found, themes)
    for theme, (named, rest) in split.items():
        first, second = ", ".join(sorted(named, key=list(themes).index)), ", ".join(rest)
        warnings.warn(SurveyQualityWarning(
            f"the statements of theme '{theme}' split half against half: {first} against {second} "
            "(each half correlates negatively with the other), so the answers cannot tell which half "
            "is keyed the wrong way: read their wording (or the questionnaire's published key) and set "
            "reverse: true in instrument.yaml only for the half worded against the theme (the opposite "
            "of what a high score should mean), and take it off the other half",
            code="warn_theme_split", values={"theme": theme, "first": first, "second": second}),
            stacklevel=3)
    for row in found[~found["theme"].isin(list(split))].itertuples():
        if row.item in reversed_:  # already reverse: true: the fix is to take it off (user trial 21)
            warnings.warn(SurveyQualityWarning(
                f"statement '{row.item}' correlates negatively with the rest of its theme '{row.theme}' "
                f"(corrected item-rest correlation {row.r:.2f}) as keyed with reverse: true, so it is "
                "probably not worded against the theme (it turns the theme's alpha down): remove "
                "reverse: true for it in instrument.yaml",
                code="warn_item_miskeyed_reversed",
                values={"item": row.item, "theme": row.theme, "r": float(row.r)}), stacklevel=3)
            continue
        warnings.warn(SurveyQualityWarning(
            f"statement '{row.item}' correlates negatively with the rest of its theme '{row.theme}' "
            f"(corrected item-rest correlation {row.r:.2f}), so it is probably keyed the wrong way "
            "(it turns the theme's alpha down and loads against the other statements): if it is "
            "worded against the theme, set reverse: true for it in instrument.yaml, or recode its "
            "answers so that a higher number means more agreement",
            code="warn_item_miskeyed", values={"item": row.item, "theme": row.theme, "r": float(row.r)}),
            stacklevel=3)


# ----------------------------------------------------------------------------- sample size
def min_sample_size(n_items: int) -> int:
    """Fewest respondents left after screening to analyse ``n_items`` statements.

    Three per statement and never fewer than ten: below that the correlation matrix
    is too noisy for factor analysis (a floor, not a target; see ``FactorModel`` for
    the warning at five per item and 100 in total).
    """
    return max(10, 3 * int(n_items))


def check_sample_size(result: ScreeningResult, n_items: int, *, file: str | Path | None = None) -> pd.Index:
    """The kept respondents' ids; an error when too few are left to analyse.

    Raises
    ------
    InputError
        Naming how many are left, how many each screen flagged and how many are needed.
    """
    kept_ids = result.kept_ids
    needed = min_sample_size(n_items)
    if len(kept_ids) < needed:
        summary = result.to_frame()
        reasons = summary[summary["drops"]].drop(index=["any"], errors="ignore")
        top = ", ".join(f"{r} {int(c)}" for r, c in reasons["count"].items() if c) or Said("problem_none")
        raise InputError(code="problem_too_few_kept", file=file, values={
            "kept": len(kept_ids), "n": len(result.table), "flagged": top, "need": needed, "p": n_items})
    return kept_ids


# ----------------------------------------------------------------------------- response styles
# Kept in its own block (functions and constants only) so that other changes to the
# screening code merge cleanly.

#: Per-respondent response-style columns added to the screening table.
STYLE_COLUMNS = ("acquiescence", "ars", "dars", "ers", "mrs")
#: A respondent's style is *marked* (counted in ``ScreeningResult.to_frame``, never a
#: reason to drop them) when the balanced acquiescence index is at least this share of
#: the scale's range in either direction (0.8 points on a 1-5 scale) ...
MARKED_ACQUIESCENCE = 0.2
#: ... or when their share of end-point answers (``ers``) goes beyond what uniform random
#: answering gives (``2 / points``) by at least this share of the room left above it:
#: 0.6 on a five-point scale, 2/3 on four points (see :func:`marked_extreme_share`).
MARKED_EXTREME_EXCESS = 1 / 3
#: The corrections :func:`correct_response_styles` offers.
STYLE_CORRECTIONS = ("acquiescence", "centre")


def marked_extreme_share(points: float | np.ndarray) -> float:
    """The share of end-point answers (``ers``) from which extreme responding is *marked*.

    Parameters
    ----------
    points : int or array-like of int
        The number of answer points of the scale (``max - min + 1``), or of each item
        when items have scales of their own (an instrument has one scale today; the
        screening passes its points).

    Returns
    -------
    float
        ``e + MARKED_EXTREME_EXCESS * (1 - e)``, where ``e`` is the share of end-point
        answers a respondent answering uniformly at random gives (``2 / points``, averaged
        over the items): 2/3 on four points, 0.6 on five, 5/9 on six, 11/21 (0.52) on
        seven. ``inf`` (nobody marked) when every answer is an end point (two points).

    Notes
    -----
    ERS is the share of a respondent's answers at either end of the scale (Greenleaf
    1992; Baumgartner & Steenkamp 2001); the literature gives no cut-off, and the share
    depends on the number of points (Weijters, Cabooter & Schillewaert 2010): on four
    points half the points are end points, so a fixed 0.6 marked a quarter of uniform
    random answerers on 20 statements (as on R psychTools' STAI ``sai``). Measured
    against chance instead, like Cohen's kappa, a respondent is marked when at least a
    third of the answers that random answering would put on the inner points are at the
    ends; 1/3 keeps the five-point rule at 0.6, and random answering on 20 statements is
    then marked as rarely on four points as on five (5.8 % and 5.7 %; fewer with more
    statements).

    References
    ----------
    Baumgartner, H., & Steenkamp, J.-B. E. M. (2001). Response styles in marketing
    research: a cross-national investigation. *Journal of Marketing Research*, 38,
    143-156.
    Greenleaf, E. A. (1992). Measuring extreme response style. *Public Opinion
    Quarterly*, 56, 328-351.
    Weijters, B., Cabooter, E., & Schillewaert, N. (2010). The effect of rating scale
    format on response styles: the number of response categories and response category
    labels. *International Journal of Research in Marketing*, 27, 236-247.
    """
    k = np.asarray(points, dtype=float).ravel()
    if k.size == 0 or not np.all(np.isfinite(k)):
        return float("nan")
    if np.all(k <= 2):
        return float("inf")
    chance = float(np.mean(np.minimum(2.0 / np.maximum(k, 1.0), 1.0)))
    return chance + MARKED_EXTREME_EXCESS * (1.0 - chance)


def _style_groups(items: pd.DataFrame, reverse: list[str] | tuple[str, ...],
                  groups: dict[str, list[str]] | None) -> list[tuple[list[str], list[str]]]:
    """(regular, reversed) item lists of the scales that have both; one pooled pair if none."""
    rev = set(reverse)
    cols = list(items.columns)
    pairs = []
    for ids in (groups or {}).values():
        ids = [i for i in ids if i in cols]
        reg, rv = [i for i in ids if i not in rev], [i for i in ids if i in rev]
        if reg and rv:
            pairs.append((reg, rv))
    if not pairs:
        reg, rv = [i for i in cols if i not in rev], [i for i in cols if i in rev]
        if reg and rv:
            pairs.append((reg, rv))
    return pairs


def _instrument_parts(instrument: Instrument, items: pd.DataFrame):
    groups: dict[str, list[str]] = {}
    for item in instrument.items:
        if item.theme is not None and item.id in items.columns:
            groups.setdefault(item.theme, []).append(item.id)
    return (float(instrument.scale.min), float(instrument.scale.max),
            [i for i in instrument.reverse_ids if i in items.columns], groups)


def _theme_indices(items: pd.DataFrame, mid: float,
                   pairs: list[tuple[list[str], list[str]]]) -> np.ndarray:
    """Balanced acquiescence per (regular, reversed) pair: array (n_respondents, n_pairs)."""
    out = np.full((len(items), len(pairs)), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a respondent who skipped a scale
        for j, (reg, rv) in enumerate(pairs):
            a = np.nanmean(items[reg].to_numpy(float), axis=1) - mid
            b = np.nanmean(items[rv].to_numpy(float), axis=1) - mid
            out[:, j] = (a + b) / 2
    return out


def response_styles(items: pd.DataFrame, instrument: Instrument, *,
                    scale: tuple[float, float] | None = None) -> pd.DataFrame:
    """Acquiescence and extreme responding of every respondent.

    Parameters
    ----------
    items : DataFrame of shape (n_respondents, n_items)
        *Raw* answers (not reverse-keyed), NaN = no answer.
    instrument : Instrument
        Scale, reverse keying and themes.
    scale : (min, max), optional
        The scale to measure on (its midpoint and ends); default the instrument's.
        Screening gives the range the answers used when no one used an end of the
        declared scale (:func:`behaviortypes.readers.answered_scale`).

    Returns
    -------
    DataFrame
        Indexed like ``items``, columns :data:`STYLE_COLUMNS`:

        ``acquiescence``
            Balanced net acquiescence in scale points: within each theme that has both
            regular and reverse-keyed statements, the mean of (regular items' mean
            answer − midpoint) and (reversed items' mean raw answer − midpoint), then
            averaged over those themes (all items pooled when no theme has both).
            Content cancels, because a respondent high on the theme agrees with the
            regular and disagrees with the reversed statements; what is left is
            agreement with both poles. 0 = none, +1 = one point towards "agree" on
            both. NaN without reverse-keyed statements.
        ``ars``, ``dars``
            Baumgartner & Steenkamp (2001) acquiescence and disacquiescence: the mean
            distance above (below) the midpoint over all answers (on a 1-5 scale a 4
            counts 1, a 5 counts 2). ``ars - dars`` is their net acquiescence (NARS),
            which, unlike ``acquiescence``, still holds content when statements are
            not balanced.
        ``ers``
            Extreme response style: the share of answers at either end point (marked
            from :func:`marked_extreme_share`, which depends on the number of points).
        ``mrs``
            Midpoint response style: the share of answers at the midpoint (NaN on
            scales with an even number of points, which have none; the screening
            summary and the report say so).

    Notes
    -----
    Baumgartner & Steenkamp compute ARS/ERS on a random sample of heterogeneous items so
    that content averages out; in a segmentation survey the statements are about the
    very traits that differ between types, so the content-free measure of acquiescence
    here is the balanced one (reverse-keyed pairs, Winkler, Kanouse & Ware 1982; Billiet
    & McClendon 2000). ``ers`` does hold some content (respondents with strong views
    answer at the ends more often); read it as a description, not a defect.

    References
    ----------
    Baumgartner, H., & Steenkamp, J.-B. E. M. (2001). Response styles in marketing
    research: a cross-national investigation. *Journal of Marketing Research*, 38,
    143-156.
    Billiet, J. B., & McClendon, M. J. (2000). Modeling acquiescence in measurement
    models for two balanced sets of items. *Structural Equation Modeling*, 7, 608-628.
    Winkler, J. D., Kanouse, D. E., & Ware, J. E. (1982). Controlling for acquiescence
    response set in scale development. *Journal of Applied Psychology*, 67, 555-561.
    """
    lo, hi, reverse, groups = _instrument_parts(instrument, items)
    if scale is not None:
        lo, hi = float(scale[0]), float(scale[1])
    mid = (lo + hi) / 2
    x = items.to_numpy(dtype=float)
    answered = np.sum(~np.isnan(x), axis=1)
    pairs = _style_groups(items, reverse, groups)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        acq = (np.nanmean(_theme_indices(items, mid, pairs), axis=1) if pairs
               else np.full(len(items), np.nan))
        dev = x - mid
        ars = np.nanmean(np.clip(dev, 0, None), axis=1)
        dars = np.nanmean(np.clip(-dev, 0, None), axis=1)
        ers = np.nanmean(np.where(np.isnan(x), np.nan, (x == lo) | (x == hi)), axis=1)
        odd = float(mid).is_integer()
        mrs = (np.nanmean(np.where(np.isnan(x), np.nan, x == mid), axis=1) if odd
               else np.full(len(items), np.nan))
    out = pd.DataFrame({"acquiescence": acq, "ars": ars, "dars": dars, "ers": ers, "mrs": mrs},
                       index=items.index)
    out.loc[answered == 0, :] = np.nan
    return out


def correct_response_styles(items: pd.DataFrame, instrument: Instrument, *,
                            method: str = "acquiescence") -> pd.DataFrame:
    """Remove acquiescence from the answers; return them reverse-keyed, ready for factoring.

    Parameters
    ----------
    items : DataFrame of shape (n_respondents, n_items)
        *Raw* answers (not reverse-keyed).
    instrument : Instrument
    method : {"acquiescence", "centre"}, default="acquiescence"
        ``"acquiescence"`` subtracts each respondent's balanced acquiescence index (see
        :func:`response_styles`) from every raw answer: the person-specific intercept of
        a random-intercept factor model (Maydeu-Olivares & Coffman 2006), estimated from
        the reverse-keyed pairs, so content stays. ``"centre"`` is within-person centring
        (ipsatisation): every raw answer minus the respondent's mean raw answer, plus
        the midpoint, as Sawtooth's CCEA offers ("respondent centring"); it also removes
        the content of unbalanced themes, so prefer ``"acquiescence"`` when statements
        are reverse-keyed.

    Returns
    -------
    DataFrame
        Corrected answers, reverse-keyed as ``min + max - x``, on the scale's units
        (values can fall outside the scale and are no longer whole numbers).

    Raises
    ------
    InputError
        If ``method`` is unknown, or ``"acquiescence"`` is asked of an instrument with
        no reverse-keyed statements.

    References
    ----------
    Maydeu-Olivares, A., & Coffman, D. L. (2006). Random intercept item factor analysis.
    *Psychological Methods*, 11, 344-362.
    """
    if method not in STYLE_CORRECTIONS:
        raise InputError("unknown response-style correction", value=method,
                         hint=f"choose from {', '.join(STYLE_CORRECTIONS)}")
    lo, hi, reverse, _ = _instrument_parts(instrument, items)
    raw = items.astype(float)
    if method == "acquiescence":
        shift = response_styles(items, instrument)["acquiescence"]
        if shift.isna().all():
            raise InputError("no reverse-keyed statements, so acquiescence cannot be separated "
                             "from content", value=method,
                             hint="use method='centre' or add reverse-keyed statements")
        shift = shift.fillna(0.0)
    else:
        shift = raw.mean(axis=1).fillna((lo + hi) / 2) - (lo + hi) / 2
    corrected = raw.sub(shift, axis=0)
    if reverse:
        corrected[reverse] = lo + hi - corrected[reverse]
    return corrected


def _key_gap(keyed: pd.DataFrame, pairs: list[tuple[list[str], list[str]]]) -> float:
    """Mean within-theme correlation of same-keyed minus opposite-keyed statement pairs."""
    corr = keyed.corr().to_numpy()
    pos = {c: i for i, c in enumerate(keyed.columns)}
    same, opposite = [], []
    for reg, rv in pairs:
        for a in range(len(reg + rv)):
            for b in range(a + 1, len(reg + rv)):
                i, j = (reg + rv)[a], (reg + rv)[b]
                r = corr[pos[i], pos[j]]
                if not np.isfinite(r):
                    continue
                if (i in rv) == (j in rv):
                    same.append(r)
                else:
                    opposite.append(r)
    if not same or not opposite:
        return float("nan")
    return float(np.mean(same) - np.mean(opposite))


def acquiescence_shrinkage(split_half_r: float) -> float:
    """Weight of a respondent's acquiescence index in its Kelley true-score estimate.

    The Spearman-Brown reliability ``2r / (1 + r)`` of the decision's split-half
    correlation, clipped to ``[0, 0.99]`` (0 when ``r`` is not positive): the correction
    subtracts ``mean + weight * (index - mean)``, never the raw index, which would make
    the statements' correlation matrix singular.
    """
    r = float(split_half_r)
    return float(np.clip(2 * r / (1 + r), 0.0, 0.99)) if np.isfinite(r) and r > 0 else 0.0


def _crossfit_corrected(items: pd.DataFrame, lo: float, hi: float, reverse: list[str],
                        pairs: list[tuple[list[str], list[str]]], method: str,
                        r: float) -> pd.DataFrame:
    """Keyed answers of the balanced themes, each theme corrected by the *other* themes.

    The pipeline's correction (``stages.style_corrected_keyed``: the acquiescence index
    shrunk by its Spearman-Brown reliability; ``"centre"``: the respondent's mean) is
    applied to each theme's statements with the index built from the other themes only
    (leave one theme out). An index built from a statement's own answer carries that
    answer's error with the opposite sign, which alone pushes the same- vs opposite-keyed
    gap below zero even when there is no style; cross-fitting keeps the error out, so the
    gap after the correction measures the style the correction leaves, not its noise.
    """
    mid = (lo + hi) / 2
    raw = items.astype(float)
    if method == "acquiescence":
        per = _theme_indices(items, mid, pairs)
        rho = acquiescence_shrinkage(r)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            per = np.column_stack([np.nanmean(raw[reg + rv].to_numpy(), axis=1) - mid
                                   for reg, rv in pairs])
        rho = 1.0
    out = raw.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a respondent without other themes
        for t, (reg, rv) in enumerate(pairs):
            other = np.nanmean(np.delete(per, t, axis=1), axis=1)
            centre = float(np.nanmean(other)) if np.isfinite(other).any() else 0.0
            shift = np.where(np.isfinite(other), centre + rho * (other - centre), centre)
            out[reg + rv] = raw[reg + rv].sub(shift, axis=0)
    if reverse:
        out[reverse] = lo + hi - out[reverse]
    return out


@dataclass(frozen=True, eq=False)
class StyleDecision:
    """Whether to correct the answers for acquiescence, and the evidence.

    Attributes
    ----------
    use : bool
        True when the correction measurably helps (see :func:`decide_style_correction`).
    method : str
        The correction that was judged.
    reason : str
        One sentence for people.
    evidence : DataFrame
        Index ``measure``; columns ``value`` and ``threshold`` (NaN where none).
    styles : DataFrame
        :func:`response_styles` of the respondents judged.
    """

    use: bool
    method: str
    reason: str
    evidence: pd.DataFrame
    styles: pd.DataFrame

    def summary(self) -> str:
        return f"Response styles: {'correct' if self.use else 'no correction'} — {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        """The ``response_styles`` block for ``solution.json``."""
        s = self.styles
        ev = {str(k): (None if not np.isfinite(v) else float(v))
              for k, v in self.evidence["value"].items()}
        th = {str(k): float(v) for k, v in self.evidence["threshold"].items() if np.isfinite(v)}
        return {
            "corrected": bool(self.use),
            "method": self.method if self.use else None,
            "judged_method": self.method,
            "reason": self.reason,
            "criterion": "acquiescence variance share and its split-half test, and the "
                         "same- vs opposite-keyed correlation gap before and after",
            "evidence": ev,
            "thresholds": th,
            "n_respondents": int(len(s)),
            "mean": {c: (None if not np.isfinite(v) else float(v))
                     for c, v in s.mean(numeric_only=True).items()},
        }


def decide_style_correction(items: pd.DataFrame, instrument: Instrument, *,
                            method: str = "acquiescence", min_share: float = 0.03,
                            alpha: float = 0.01) -> StyleDecision:
    """Decide, on evidence, whether correcting for acquiescence helps this survey.

    Parameters
    ----------
    items : DataFrame of shape (n_respondents, n_items)
        *Raw* answers of the respondents kept after screening.
    instrument : Instrument
    method : {"acquiescence", "centre"}, default="acquiescence"
        The correction judged (see :func:`correct_response_styles`).
    min_share : float, default=0.03
        Smallest share of a statement's variance that acquiescence must carry.
    alpha : float, default=0.01
        Level of the one-sided test that the acquiescence index is reliable.

    Returns
    -------
    StyleDecision
        ``use`` is True only when all three hold:

        1. *Acquiescence is there*: the balanced index of two halves of the themes
           (alternate themes with both regular and reversed statements) correlate
           positively, one-sided Fisher-z p < ``alpha``. Content cancels within a
           theme, so only a person's agreement with both poles can correlate across
           disjoint themes.
        2. *It matters*: its variance (the covariance of the two halves, an unbiased
           estimate of the true-score variance of acquiescence) is at least
           ``min_share`` of the mean raw statement variance — the share of every
           statement's variance that is style, not content.
        3. *The correction helps the factor structure*: acquiescence adds to the
           correlations of same-keyed statements and subtracts from opposite-keyed
           ones within a theme; the gap (same − opposite, keyed answers) must shrink
           in absolute value after the correction. The gap after is cross-fitted:
           each theme is corrected as the pipeline corrects (the index shrunk by its
           reliability) but with the index of the *other* themes, so that the noise of
           a statement's own answer, which an in-sample index subtracts from it, does
           not read as an overshoot (in-sample, the gap of a survey without any style
           falls to about −0.02 to −0.07; see ``docs/response_styles.md``).

        The evidence table holds each number and its threshold. The decision is
        deterministic (no resampling).

    Notes
    -----
    Without reverse-keyed statements in at least two themes, acquiescence cannot be told
    from content and the decision is "no correction" with that reason. A theme whose
    reverse-keyed statements are answered with its forward ones (:func:`reversed_already`,
    a keying error) does not count: its balanced index is content. User trial 24 (HSQ
    answers reverse-scored already, reverse: true declared on them): a correction of
    11.7 % "acquiescence" followed; ``check`` and ``discover`` now refuse those answers. On planted data
    (24 five-point statements in 4 themes, 30 % reversed, 1,000 respondents) with no
    response styles, the acquiescence share is about 0 and no correction is chosen;
    when 25 % of respondents agree 0.8 latent SD more with every statement the share
    is ~ 5 %, the test is decisive and the correction is chosen (see
    ``docs/response_styles.md``).
    """
    from scipy import stats
    if method not in STYLE_CORRECTIONS:
        raise InputError("unknown response-style correction", value=method,
                         hint=f"choose from {', '.join(STYLE_CORRECTIONS)}")
    lo, hi, reverse, groups = _instrument_parts(instrument, items)
    mid = (lo + hi) / 2
    styles = response_styles(items, instrument)
    # a theme whose reverse statements are answered with its forward ones at r >= 0.30 is a
    # keying error (warned about), not agreement with both poles: left out (user trial 24:
    # 11.7 %); a weaker pull is what strong acquiescers give, the case the correction is for
    keying = {f["theme"] for f in reversed_already(items, instrument.item_themes, reverse)[0]
              if f["r"] >= REFUSE_REVERSED_R}
    groups = {t: ids for t, ids in groups.items() if t not in keying}
    # with no themes, _style_groups pools all items into one pair: nothing to split
    themed = _style_groups(items, reverse, groups) if groups else []
    nan = float("nan")
    values = {"n_balanced_themes": float(len(themed) if groups else 0), "split_half_r": nan,
              "split_half_p": nan, "acquiescence_variance": nan, "statement_variance": nan,
              "acquiescence_share": nan, "key_gap_before": nan, "key_gap_after": nan}
    thresholds = {"n_balanced_themes": 2.0, "split_half_p": alpha, "acquiescence_share": min_share}

    def done(use: bool, reason: str) -> StyleDecision:
        ev = pd.DataFrame({"value": pd.Series(values, dtype=float),
                           "threshold": pd.Series(thresholds, dtype=float).reindex(list(values))})
        ev.index.name = "measure"
        return StyleDecision(use=use, method=method, reason=reason, evidence=ev, styles=styles)

    if not groups or len(themed) < 2:
        return done(False, "fewer than two themes have both regular and reverse-keyed "
                           "statements, so acquiescence cannot be told from content")
    per_theme = _theme_indices(items, mid, themed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        half_a = np.nanmean(per_theme[:, 0::2], axis=1)
        half_b = np.nanmean(per_theme[:, 1::2], axis=1)
    ok = np.isfinite(half_a) & np.isfinite(half_b)
    n = int(ok.sum())
    if n < 10:
        return done(False, f"only {n} respondents answered statements of both halves")
    cov = float(np.cov(half_a[ok], half_b[ok])[0, 1])
    r = float(np.corrcoef(half_a[ok], half_b[ok])[0, 1])
    p = float(stats.norm.sf(np.arctanh(np.clip(r, -0.999999, 0.999999)) * np.sqrt(max(n - 3, 1))))
    item_var = float(np.nanmean(items.astype(float).var(axis=0).to_numpy()))
    keyed = items.astype(float).copy()
    if reverse:
        keyed[reverse] = lo + hi - keyed[reverse]
    values.update(split_half_r=r, split_half_p=p, acquiescence_variance=cov,
                  statement_variance=item_var,
                  acquiescence_share=cov / item_var if item_var > 0 else nan,
                  key_gap_before=_key_gap(keyed, themed),
                  key_gap_after=_key_gap(_crossfit_corrected(items, lo, hi, reverse, themed,
                                                             method, r), themed))
    share, before, after = (values["acquiescence_share"], values["key_gap_before"],
                            values["key_gap_after"])
    if not p < alpha:
        return done(False, f"no reliable acquiescence: the two halves' indices correlate "
                           f"r = {r:.2f} (p = {_fmt(p)} >= {alpha:g})")
    if not share >= min_share:
        return done(False, f"acquiescence carries {share:.1%} of a statement's variance "
                           f"(< {min_share:.0%}): too little to be worth correcting")
    if not abs(after) < abs(before):
        return done(False, f"the correction does not bring same- and opposite-keyed "
                           f"statements closer (gap {before:.3f} → {after:.3f})")
    return done(True, f"acquiescence carries {share:.1%} of a statement's variance "
                      f"(split-half r = {r:.2f}, p = {_fmt(p)}); correcting it brings "
                      f"same- and opposite-keyed statements closer (gap {before:.3f} → "
                      f"{after:.3f})")
