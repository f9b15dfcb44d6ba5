"""The measurement model: exploratory factor analysis with evidence for every choice.

:class:`FactorModel` chooses the correlation matrix, checks factorability, picks the
number of factors (parallel analysis, with Velicer's MAP and the scree beside it), fits
the EFA (minres extraction as psych's own search, ML extraction and rotation through
factor-analyzer), and reports labelled
loadings, communalities, factor correlations, flags, reliability, suggested factor
names and factor scores. Its defaults match R psych's ``fa()`` (minres, oblimin,
pairwise correlations) so results can be compared with R.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from factor_analyzer.rotator import OBLIQUE_ROTATIONS, POSSIBLE_ROTATIONS
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from behaviortypes.errors import InputError, SurveyQualityWarning

from .checks import ItemData, check_choice, check_items
from .correlation import CORR_METHODS, item_correlation, pearson_matrix
from .efa import factor_reliability, flag_items, parse_themes, suggest_names
from .extraction import extract, matrix_sqrt, order_and_sign, rotate
from .reliability import group_reliability, item_sds
from .retention import (
    as_generator,
    bartlett_table,
    check_pa_args,
    ekc_table,
    fa_parallel_table,
    fit_statistics,
    kmo_table,
    map_table,
    pairwise_pearson,
    usable_corr,
)

__all__ = ["FactorModel"]

METHODS = ("minres", "ml", "principal")
ROTATIONS = ("none", *POSSIBLE_ROTATIONS)
SCORE_METHODS = ("regression", "tenberge")
RETENTION_RULE = "psych-pa+substance"
#: a statement is salient on a factor when that factor is its main one and |λ| reaches this
MINOR_SALIENT = 0.25
#: a factor with fewer salient statements than this is minor (not a behaviour dimension),
#: unless it is a short theme's own factor (:func:`theme_factors`)
MINOR_MIN_ITEMS = 3


class FactorModel(BaseEstimator):
    """Exploratory factor analysis of keyed survey items, with the evidence for each choice.

    Parameters
    ----------
    n_factors : int or None, default=None
        Number of factors. None: chosen by parallel analysis (see Notes); an integer
        overrides it (the CLI's ``--factors N``), the evidence is still reported.
    method : {"minres", "ml", "principal"}, default="minres"
        Extraction: minimum residual (psych's default), maximum likelihood, or
        principal components.
    rotation : str, default="oblimin"
        ``"oblimin"`` (psych's default), ``"promax"``, ``"quartimin"``,
        ``"geomin_obl"`` (oblique); ``"varimax"``, ``"quartimax"``, ``"equamax"``,
        ``"geomin_ort"``, ``"oblimax"`` (orthogonal); or ``"none"``.
    corr : {"pearson", "polychoric"}, default="pearson"
        Correlation matrix (pairwise-complete; weighted when ``sample_weight``).
    n_iter : int, default=20
        Simulated (and resampled) data sets in parallel analysis (psych's ``n.iter``).
    percentile : float, default=95
        Percentile of the comparison eigenvalues used as the threshold (psych's
        ``quant = .95``).
    scores : {"regression", "tenberge"}, default="regression"
        Factor-score method of :meth:`transform`: Thurstone's regression scores
        (psych's default) or ten Berge's correlation-preserving scores.
    random_state : int, Generator or None, default=None
        Seeds parallel analysis.

    Attributes
    ----------
    n_factors_ : int
    retention_ : DataFrame
        Per number of factors (index ``n_factors``): ``eigenvalue`` (psych's factor
        eigenvalue), ``pa_threshold`` (95th percentile, simulated), ``pa_simulated_mean``,
        ``pa_resampled_mean``, ``pa_resampled_threshold``, ``pc_eigenvalue``,
        ``pc_threshold``, ``ekc_reference``, ``map``; for the candidate solutions
        ``salient`` (e.g. ``"5/5/4"``), ``n_minor``, ``rmsea``, ``rmsea_low``,
        ``rmsea_high``, ``tli``, ``bic``; ``chosen`` and ``reason`` (on the chosen row).
    loadings_ : DataFrame of shape (n_items, n_factors)
        Rotated pattern loadings, columns ``F1..Fm`` ordered by variance explained,
        each column's loadings summing positive.
    structure_ : DataFrame of shape (n_items, n_factors)
        Item-factor correlations ``P Φ``.
    communalities_, uniquenesses_ : Series
        psych's ``h2 = diag(P Φ Pᵀ)`` and ``u2 = 1 - h2``.
    factor_corr_ : DataFrame of shape (n_factors, n_factors)
        Factor correlations Φ (identity for orthogonal rotations).
    eigenvalues_ : DataFrame
        ``observed`` (eigenvalues of the correlation matrix, psych's ``e.values``) and
        ``common`` (of the reduced matrix with communalities on the diagonal, psych's
        ``values``).
    variance_ : DataFrame
        Per factor: ``ss_loadings`` (``diag(Φ PᵀP)``), ``proportion``, ``cumulative``.
    factorability_ : DataFrame
        Long table ``measure, item, value, label``: overall KMO, per-item MSA,
        Bartlett's chi², df and p.
    reliability_ : DataFrame
        Per factor: ``n_items``, ``alpha``, ``ci_low``, ``ci_high``, ``omega``,
        ``items`` (salient items: primary |loading| ≥ .40). ``omega`` is psych's
        omega total of a one-factor model of those items (:func:`omega_total`) on the
        analysed correlations; for two items psych's ``2r / (1 + r)`` (equal loadings),
        NaN for one.
    item_reliability_ : DataFrame
        Indexed by item: ``factor``, ``item_rest_r``, ``alpha_if_deleted`` for the
        salient items of each factor with 3 or more items.
    theme_reliability_ : DataFrame or None
        The same per interview theme when ``item_themes`` is given.
    flags_ : DataFrame
        ``item, flag, factors, value, message`` for cross-loadings (|λ| ≥ .30 on two
        or more factors), weak items (max |λ| < .40), negative primary loadings and
        Heywood cases (communality ≥ .995, the uniqueness bound).
    heywood_ : list of str
        Items with a Heywood case.
    factor_names_ : dict
        ``F1`` -> suggested name: the most frequent theme among the factor's top items
        (up to 5, by |loading|), else ``"Factor 1"``.
    corr_method_ : str
    corr_ : DataFrame
        The correlation matrix analysed; ``attrs`` record how it was computed.
    weights_ : DataFrame
        Factor-score weights (standardised items × factors).
    converged_ : bool
    retention_reason_ : str
        Plain-English sentence: the rule that chose the number of factors and its values.
    retention_reason_code_ : list of dict
        The same reason, language-neutral: sentences ``{"code", "values"}`` naming the
        ``factor_reason_*`` templates of ``report/i18n/<lang>.yaml`` (render with
        :func:`behaviortypes.i18n.reason_text`).
    fit_ : dict
        psych's fit of the chosen solution: ``chi2``, ``df``, ``p_value``, ``rmsea``,
        ``rmsea_low``, ``rmsea_high`` (90 % interval), ``tli``, ``bic``.
    feature_names_in_ : list of str

    Notes
    -----
    **Retention rule** (``docs/choosing_factors.md``). (1) R psych's ``fa.parallel``:
    factor eigenvalues (correlation matrix with one-factor minres communalities on the
    diagonal) against the 95th percentile of the same eigenvalues in ``n_iter`` simulated
    normal data sets; the factors before the first one that does not beat chance.
    (2) Velicer's MAP (as psych's ``VSS``) and the empirical Kaiser criterion are
    reported beside it. (3) Substance check: in the solution with the larger of the PA
    and MAP numbers, a factor on which fewer than 3 statements load |λ| ≥ 0.25 as their
    main factor is minor — unless (``item_themes`` given) at least 2 do, all of one theme,
    and no other factor has a salient statement of that theme (a short theme's own
    factor, as field surveys with 2-3 statements per theme have); the number of factors
    is lowered by the number of minor factors, once, but not below the smaller of the two.
    (4) The solution with that number is fitted and checked in turn: while it has a factor
    on which no statement loads as its main factor, the number is lowered by those and
    the solution refitted — below psych's range if need be (a factor without statements
    is never a dimension; IPIP Big-Five, PA 10, MAP 6: 10 → 7 → 6 → 5, the five traits).
    On psych's ``bfi`` it keeps the five traits
    (PA 6, MAP 5; the former SMC-eigenvalue rule kept 8). ``retention_`` has the
    evidence per candidate number (eigenvalues, thresholds, MAP, salient statements per
    factor, RMSEA with 90 % CI, TLI, BIC) and ``retention_reason_`` the sentence.

    References
    ----------
    Horn, J. L. (1965). A rationale and test for the number of factors in factor
    analysis. *Psychometrika*, 30, 179-185.
    Humphreys, L. G., & Ilgen, D. R. (1969). Note on a criterion for the number of
    common factors. *Educational and Psychological Measurement*, 29, 571-578.
    Revelle, W. (2024). psych: Procedures for psychological, psychometric, and
    personality research (``fa``, ``fa.parallel``, ``factor.scores``).
    ten Berge, J. M. F., Krijnen, W. P., Wansbeek, T., & Shapiro, A. (1999). Some new
    results on correlation-preserving factor scores prediction methods. *Linear
    Algebra and its Applications*, 289, 311-318.
    """

    def __init__(self, *, n_factors=None, method="minres", rotation="oblimin",
                 corr="pearson", n_iter=20, percentile=95, scores="regression",
                 random_state=None):
        self.n_factors = n_factors
        self.method = method
        self.rotation = rotation
        self.corr = corr
        self.n_iter = n_iter
        self.percentile = percentile
        self.scores = scores
        self.random_state = random_state

    # ------------------------------------------------------------------ fitting
    def _settings(self, p: int) -> tuple[str, str, str, str]:
        method = check_choice("method", self.method, METHODS)
        rotation = "none" if self.rotation is None else self.rotation
        rotation = check_choice("rotation", rotation, ROTATIONS)
        corr = check_choice("corr", self.corr, CORR_METHODS)
        scores = check_choice("scores", self.scores, SCORE_METHODS)
        check_pa_args(self.n_iter, self.percentile)
        if self.n_factors is not None:
            nf = self.n_factors
            if not isinstance(nf, (int, np.integer)) or isinstance(nf, bool) or not 1 <= nf < p:
                raise InputError(
                    f"n_factors must be a whole number from 1 to {p - 1} (the number of "
                    f"items minus one)", column="--factors", value=nf,
                    hint="leave it unset to let parallel analysis choose")
        return method, rotation, corr, scores

    def fit(self, items_keyed: pd.DataFrame, sample_weight=None, item_themes=None):
        """Fit the measurement model.

        Parameters
        ----------
        items_keyed : DataFrame of shape (n_respondents, n_items)
            Answers with reverse-keyed items already reversed; NaN = missing. Not
            modified.
        sample_weight : array-like or Series of shape (n_respondents,), optional
            Respondent weights (weighted correlations; Kish's effective n in parallel
            analysis and Bartlett's test).
        item_themes : mapping item id -> theme, optional
            Interview theme of each item; used for factor names, per-theme
            reliability and the substance check (a short theme's own factor is not
            minor; see Notes).

        Returns
        -------
        self : FactorModel

        Raises
        ------
        InputError
            Non-numeric or constant items, too few respondents or items, linearly
            dependent items, invalid settings.
        """
        d = check_items(items_keyed, sample_weight=sample_weight)
        method, rotation, corr, score_method = self._settings(len(d.items))
        rng = as_generator(self.random_state)
        items = d.items
        R_raw, info = item_correlation(d, corr)
        complete = not np.isnan(d.values).any()
        R = usable_corr(R_raw, items, complete=complete)
        info["smoothed"] = bool(info["smoothed"] or R is not R_raw)
        p = len(items)
        n_eff = int(round(d.n_effective))
        if n_eff < 5 * p or n_eff < 100:
            warnings.warn(SurveyQualityWarning(
                f"only {d.n} respondents for {p} items: factor solutions are unstable "
                "below about 5 respondents per item and 100 in total",
                code="warn_few_respondents", values={"n": int(d.n), "p": int(p)}), stacklevel=2)

        self.factorability_ = _factorability(R, items, d.n_effective)

        # retention
        themes = parse_themes(item_themes, items)
        ret, n_f, reason, code, cand = self._retention(
            R, d, n_eff, method, rotation, rng, [themes.get(i) for i in items] if themes else None)
        self.retention_ = ret
        self.n_factors_ = n_f
        self.retention_reason_ = reason
        self.retention_reason_code_ = code
        if ((p - n_f) ** 2 - (p + n_f)) < 0 and method == "ml":
            warnings.warn(SurveyQualityWarning(f"{n_f} factors for {p} items leave negative degrees of freedom",
                                               code="warn_negative_df", values={"k": int(n_f), "p": int(p)}),
                          stacklevel=2)

        # extraction and rotation
        L, converged = cand[n_f]["extraction"] if n_f in cand else extract(R, n_f, method)
        P, phi = rotate(L, rotation)
        P, phi = order_and_sign(P, phi)
        S = P @ phi
        h2 = np.sum(P * S, axis=1)
        fnames = [f"F{i + 1}" for i in range(n_f)]
        idx = pd.Index(items, name="item")
        self.converged_ = bool(converged)
        if not converged:
            warnings.warn(SurveyQualityWarning("the factor extraction did not converge; read the loadings with care",
                                               code="warn_not_converged"), stacklevel=2)
        self.corr_method_ = corr
        self.corr_ = pd.DataFrame(R, index=idx, columns=items)
        self.corr_.attrs.update(info)
        self.loadings_ = pd.DataFrame(P, index=idx, columns=fnames)
        self.structure_ = pd.DataFrame(S, index=idx, columns=fnames)
        self.factor_corr_ = pd.DataFrame(phi, index=pd.Index(fnames, name="factor"), columns=fnames)
        self.communalities_ = pd.Series(h2, index=idx, name="communality")
        self.uniquenesses_ = pd.Series(1 - h2, index=idx, name="uniqueness")
        pc_eigs = np.linalg.eigvalsh(R)[::-1]
        reduced = R.copy()
        np.fill_diagonal(reduced, h2)
        self.eigenvalues_ = pd.DataFrame(
            {"observed": pc_eigs, "common": np.linalg.eigvalsh(reduced)[::-1]},
            index=pd.Index(np.arange(1, p + 1), name="number"))
        ss = np.diag(phi @ P.T @ P)
        self.variance_ = pd.DataFrame(
            {"ss_loadings": ss, "proportion": ss / p, "cumulative": np.cumsum(ss) / p},
            index=pd.Index(fnames, name="factor"))
        self.feature_names_in_ = list(items)
        self.n_features_in_ = len(items)
        self.oblique_ = rotation in OBLIQUE_ROTATIONS
        self.fit_ = fit_statistics(R, P, phi, d.n_effective)

        # flags, reliability, names, score weights
        self.flags_, self.heywood_ = flag_items(P, h2, items, fnames, method)
        sds = item_sds(d)
        R_pearson = R if corr == "pearson" else usable_corr(pearson_matrix(d), items,
                                                             complete=complete)
        self.reliability_, self.item_reliability_ = factor_reliability(
            self.loadings_, R_pearson, self.corr_, sds, d.n)
        self.theme_reliability_ = (group_reliability(R_pearson, sds, items, d.n, themes, 0.95,
                                                     R_omega=R)
                                   if themes else None)
        self.factor_names_ = suggest_names(self.loadings_, themes)
        minor = cand[n_f]["minor"] if n_f in cand else []
        if minor and self.n_factors is None and ret.attrs["pa_n_factors"] > 0:
            # (after naming: the warning names the factors as the report does)
            named = ", ".join(f"{f} '{self.factor_names_.get(f, f)}'" for f in minor)
            warnings.warn(SurveyQualityWarning(
                f"the {n_f}-factor solution still has minor factor(s) {named} (fewer than "
                f"{MINOR_MIN_ITEMS} statements load |λ| ≥ {MINOR_SALIENT:.2f} on them as "
                "their main factor); read them with care", code="warn_minor_factors",
                values={"k": int(n_f), "factors": named, "min": MINOR_MIN_ITEMS, "salient": MINOR_SALIENT}),
                stacklevel=2)
        self.means_ = pd.Series(self._nanmeans(d), index=idx, name="mean")
        self.scales_ = pd.Series(sds, index=idx, name="sd")
        self.weights_ = pd.DataFrame(self._score_weights(R, P, phi, score_method),
                                     index=idx, columns=fnames)
        self.score_method_ = score_method
        return self

    def _retention(self, R, d, n_eff, method, rotation, rng, themes=None):
        """psych's parallel analysis, MAP and EKC, then the substance check (see Notes).

        Returns the evidence table, the number of factors, the reason, the reason as
        language-neutral codes and the candidate solutions.
        """
        p = R.shape[0]
        corr_fn = pairwise_pearson if self.corr == "pearson" else None
        pa = fa_parallel_table(R, n_eff, n_iter=int(self.n_iter),
                               quant=float(self.percentile) / 100, rng=rng, values=d.values,
                               weights=d.weights, corr_fn=corr_fn)
        mp = map_table(R)
        ek = ekc_table(R, n_eff)
        counts = {"pa": int(pa.attrs["n_factors"]),
                  "map": int(mp["map"].iloc[1:].idxmin()) if len(mp) > 1 else 1,
                  "ekc": int(ek.attrs["n_factors"])}
        ledermann = max(int(np.floor((2 * p + 1 - np.sqrt(8 * p + 1)) / 2)), 1)
        top = min(max(counts["pa"], counts["map"], self.n_factors or 0) + 1, ledermann, p - 1)
        # evidence around the range
        low = max(1, min(counts["pa"], counts["map"], self.n_factors or p) - 1)
        cand = {m: _candidate(R, m, method, rotation, d.n_effective, themes)
                for m in range(low, top + 1)}

        def solve(m):  # the m-factor solution, fitted when the rule first asks for it
            if m not in cand:
                cand[m] = _candidate(R, m, method, rotation, d.n_effective, themes)
            return cand[m]

        n_f, reason, code = _decide(counts, solve, p, ledermann, n_factors=self.n_factors,
                                    n_iter=int(self.n_iter), percentile=float(self.percentile))
        ret = _evidence_table(pa, mp, ek, cand, n_f, reason)
        ret.attrs.update({"rule": RETENTION_RULE, "pa_n_factors": counts["pa"],
                          "pa_resampled_n_factors": pa.attrs.get("n_factors_resampled"),
                          "pc_n_components": int(pa.attrs["n_components"]),
                          "map_n_factors": counts["map"], "ekc_n_factors": counts["ekc"],
                          "map_0": float(mp["map"].iloc[0]), "n_iter": int(self.n_iter),
                          "percentile": float(self.percentile),
                          "minor_salient": MINOR_SALIENT, "minor_min_items": MINOR_MIN_ITEMS,
                          "user_n_factors": self.n_factors})
        return ret, n_f, reason, code, cand

    @staticmethod
    def _nanmeans(d: ItemData) -> np.ndarray:
        obs = ~np.isnan(d.values)
        w = np.ones(d.n) if d.weights is None else d.weights
        return np.array([np.average(d.values[obs[:, j], j], weights=w[obs[:, j]])
                         for j in range(d.values.shape[1])])

    @staticmethod
    def _score_weights(R, P, phi, method):
        if method == "regression":
            return np.linalg.solve(R, P @ phi)
        phi_half = matrix_sqrt(phi)
        L = P @ phi_half
        r_inv_half = matrix_sqrt(R, inverse=True)
        inner = matrix_sqrt(L.T @ np.linalg.solve(R, L), inverse=True)
        C = r_inv_half @ L @ inner
        return r_inv_half @ C @ phi_half

    # ---------------------------------------------------------------- scoring
    def _check_fitted(self):
        check_is_fitted(self, "loadings_")

    def transform(self, items_keyed: pd.DataFrame) -> pd.DataFrame:
        """Factor scores of respondents (regression or ten Berge, see ``scores``).

        Parameters
        ----------
        items_keyed : DataFrame of shape (n_respondents, n_items)
            Must contain the fitted items (extra columns are ignored). Not modified.

        Returns
        -------
        DataFrame of shape (n_respondents, n_factors)
            Indexed like ``items_keyed``, columns ``F1..Fm``.

        Notes
        -----
        Items are standardised with the fitted means and SDs. A missing answer is
        replaced by the item's fitted mean (i.e. contributes 0 after
        standardisation), so a respondent's score is built from the items they
        answered; respondents with no answer at all get NaN.
        """
        self._check_fitted()
        if not isinstance(items_keyed, pd.DataFrame):
            raise InputError("items_keyed must be a DataFrame", value=type(items_keyed).__name__,
                             hint="pass the keyed item answers with item ids as columns")
        data = items_keyed.rename(columns=str)
        missing = [c for c in self.feature_names_in_ if c not in data.columns]
        if missing:
            raise InputError(f"{len(missing)} fitted item(s) are missing from the data",
                             column=missing[0],
                             hint="score data with the same items as the fitted model")
        d = check_items(data[self.feature_names_in_], scoring=True)
        z = (d.values - self.means_.to_numpy()) / self.scales_.to_numpy()
        none = np.isnan(z).all(axis=1)
        scores = np.nan_to_num(z) @ self.weights_.to_numpy()
        scores[none] = np.nan
        return pd.DataFrame(scores, index=items_keyed.index, columns=list(self.loadings_.columns))

    def score_weights_per_point(self) -> pd.DataFrame:
        """How far each factor score moves per scale point of each keyed answer.

        Returns
        -------
        DataFrame of shape (n_items, n_factors)
            ``weights_ / sd`` (the score weights of the standardised answers over the
            items' standard deviations, ``scales_``; 0 for an item without spread). The
            scores are linear in the answers, so an answer known only to within half a
            point either side (it was given as a whole point; Sheppard's rounding error,
            variance 1/12 of a point squared) moves the scores by at most half a row.

        Notes
        -----
        ``TypeFinder.fit(..., score_rounding=...)`` uses it to dequantize the scores
        before it fits its mixtures: a continuous density fitted to values that sit on a
        lattice gains likelihood by putting a narrow component on each lattice point
        (Theis, van den Oord & Bethge 2016), which a factor dominated by one four-point
        statement invites (``docs/choosing_k.md``, session 11). A correction for response
        styles shifts the answers but keeps their rounding.

        References
        ----------
        Sheppard, W. F. (1898). On the calculation of the most probable values of
        frequency-constants, for data arranged according to equidistant division of a
        scale. *Proceedings of the London Mathematical Society*, 29, 353-380.
        Theis, L., van den Oord, A., & Bethge, M. (2016). A note on the evaluation of
        generative models. *ICLR*.
        """
        self._check_fitted()
        sd = self.scales_.to_numpy(dtype=float)
        per_point = np.where(sd > 0, 1.0 / np.where(sd > 0, sd, 1.0), 0.0)
        return self.weights_.mul(per_point, axis=0)

    def fit_transform(self, items_keyed, sample_weight=None, item_themes=None) -> pd.DataFrame:
        """Fit, then return the factor scores of ``items_keyed``."""
        return self.fit(items_keyed, sample_weight=sample_weight,
                        item_themes=item_themes).transform(items_keyed)

    # ---------------------------------------------------------------- reports
    def summary(self) -> str:
        """A short text summary for people: retention, factorability, loadings, flags."""
        self._check_fitted()
        kmo_v = self.factorability_.query("measure == 'kmo'")
        lines = [
            f"Factor model: {self.n_factors_} factor(s), {self.method} extraction, "
            f"{self.rotation or 'no'} rotation, {self.corr_method_} correlations "
            f"(n = {self.corr_.attrs['n_respondents']}, {len(self.feature_names_in_)} items)",
            f"Why {self.n_factors_}: {self.retention_.loc[self.n_factors_, 'reason']}",
            f"KMO = {kmo_v['value'].iloc[0]:.2f} ({kmo_v['label'].iloc[0]})",
            _fit_text(self.fit_),
        ]
        for f in self.loadings_.columns:
            r = self.reliability_.loc[f]
            dg = 2  # a narrow interval (large sample) gets decimals until its ends differ
            while dg < 4 and f"{r['ci_low']:.{dg}f}" == f"{r['ci_high']:.{dg}f}":
                dg += 1
            lines.append(f"{f} '{self.factor_names_[f]}': {r['n_items']} items, "
                         f"alpha {r['alpha']:.{dg}f} [{r['ci_low']:.{dg}f}, {r['ci_high']:.{dg}f}], "
                         f"omega {r['omega']:.2f}; "
                         f"{self.variance_.loc[f, 'proportion']:.0%} of variance")
        if self.oblique_ and self.n_factors_ > 1:
            off = self.factor_corr_.to_numpy()[np.triu_indices(self.n_factors_, 1)]
            lines.append(f"Factor correlations from {off.min():.2f} to {off.max():.2f}")
        lines.append("Loadings (|λ| ≥ .30 shown):")
        shown = self.loadings_.where(self.loadings_.abs() >= 0.30).round(2)
        lines.append(shown.to_string(na_rep=""))
        if len(self.flags_):
            lines.append("Flags:")
            lines += [f"  {r.item}: {r.message}" for r in self.flags_.itertuples()]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """JSON-ready record of the fitted model (for ``factors.json``)."""
        self._check_fitted()

        def frame(df):
            return {str(k): {str(c): _py(v) for c, v in row.items()} for k, row in df.iterrows()}

        return {
            "n_factors": int(self.n_factors_),
            "settings": {"n_factors": self.n_factors, "method": self.method,
                         "rotation": self.rotation, "corr": self.corr, "n_iter": self.n_iter,
                         "percentile": self.percentile, "scores": self.scores,
                         "random_state": self.random_state
                         if isinstance(self.random_state, (int, type(None))) else "generator"},
            "correlation": {k: _py(v) for k, v in self.corr_.attrs.items()},
            "retention_reason": self.retention_reason_,
            "fit": {k: _py(v) for k, v in self.fit_.items()},
            "retention": {"rule": RETENTION_RULE,
                          "reason": self.retention_reason_,
                          **{k: _py(v) for k, v in self.retention_.attrs.items()},
                          "table": frame(self.retention_.drop(columns="reason"))},
            "factorability": self.factorability_.map(_py).to_dict(orient="records"),
            "loadings": frame(self.loadings_),
            "communalities": {k: _py(v) for k, v in self.communalities_.items()},
            "factor_corr": frame(self.factor_corr_),
            "variance": frame(self.variance_),
            "reliability": frame(self.reliability_),
            "theme_reliability": None if self.theme_reliability_ is None
            else frame(self.theme_reliability_),
            "flags": self.flags_.map(_py).to_dict(orient="records"),
            "heywood": list(self.heywood_),
            "factor_names": dict(self.factor_names_),
            "converged": self.converged_,
        }


def _candidate(R: np.ndarray, m: int, method: str, rotation: str, n: float,
               themes: list | None = None) -> dict:
    """The m-factor solution's salient statements per factor, minor factors and fit.

    ``themes`` (each statement's theme or None): a factor with fewer than
    :data:`MINOR_MIN_ITEMS` but at least 2 salient statements is not minor when it is a
    theme's own factor (see :func:`theme_factors`).
    """
    L, converged = extract(R, m, method)
    P, phi = rotate(L, rotation)
    P, phi = order_and_sign(P, phi)
    A = np.abs(P)
    main = A.argmax(axis=1)
    is_salient = A[np.arange(len(A)), main] >= MINOR_SALIENT
    salient = [int(np.sum((main == f) & is_salient)) for f in range(m)]
    own = theme_factors(main, is_salient, themes) if themes else {}
    minor = [f"F{f + 1}" for f in range(m) if salient[f] < MINOR_MIN_ITEMS and f not in own]
    return {"salient": salient, "minor": minor, "fit": fit_statistics(R, P, phi, n),
            "theme_factors": {f"F{f + 1}": t for f, t in own.items()},
            "extraction": (L, converged)}


def theme_factors(main: np.ndarray, is_salient: np.ndarray, themes: list) -> dict:
    """Factors that are one theme's own factor: {factor index: theme}.

    A factor is a theme's own when at least 2 statements are salient on it, all of one
    theme, and every salient statement of that theme is salient on this factor (no other
    factor measures the theme). A short theme (2-3 statements, as field surveys often
    have) then counts as a behaviour dimension; a doublet of similar statements inside
    a longer theme, or across themes, does not.
    """
    out = {}
    for f in np.unique(main[is_salient]):
        on_f = np.flatnonzero((main == f) & is_salient)
        got = {themes[i] for i in on_f}
        if len(on_f) < 2 or len(got) != 1 or None in got:
            continue
        theme = got.pop()
        of_theme = [i for i in range(len(themes)) if themes[i] == theme and is_salient[i]]
        if all(main[i] == f for i in of_theme):
            out[int(f)] = theme
    return out


def _factorability(R: np.ndarray, items: list[str], n: float) -> pd.DataFrame:
    """``factorability_``: overall KMO, per-item MSA and Bartlett's test (long table)."""
    kmo_t = kmo_table(R, items)
    bart = bartlett_table(R, n)
    rows = [("kmo", "", kmo_t["msa"].iloc[0], kmo_t["label"].iloc[0])]
    rows += [("msa", it, kmo_t.loc[it, "msa"], kmo_t.loc[it, "label"]) for it in items]
    b = bart.iloc[0]
    rows += [("bartlett_chi2", "", b["chi2"], ""), ("bartlett_df", "", b["df"], ""),
             ("bartlett_p", "", b["p_value"], "")]
    if kmo_t["msa"].iloc[0] < 0.6:
        warnings.warn(SurveyQualityWarning(
            f"KMO = {kmo_t['msa'].iloc[0]:.2f} ({kmo_t['label'].iloc[0]}): the "
            "items share little variance; factors may not be meaningful", code="warn_low_kmo",
            values={"kmo": float(kmo_t["msa"].iloc[0]), "label": str(kmo_t["label"].iloc[0])}), stacklevel=3)
    return pd.DataFrame(rows, columns=["measure", "item", "value", "label"])


def _decide(counts: dict, solve, p: int, ledermann: int, *, n_factors, n_iter: int,
            percentile: float) -> tuple[int, str, list]:
    """The retention rule: the number of factors, its reason and the reason's codes.

    Start at the larger of psych's PA and MAP numbers (at most the Ledermann bound) and
    step down by the minor factors until the solution has none (:func:`_step_down`).
    ``solve(m)`` returns the m-factor candidate solution (:func:`_candidate`).
    ``n_factors`` (the user's) overrides the rule.
    """
    pa_n, map_n, ekc_n = counts["pa"], counts["map"], counts["ekc"]
    pa_text = (f"parallel analysis as in R psych (factor eigenvalues above the "
               f"{percentile:g}th percentile of {n_iter} simulated data sets) suggests {pa_n}")
    others = f"Velicer's MAP {map_n}, empirical Kaiser criterion {ekc_n}"
    # the same reason, language-neutral: sentences as template codes and values
    # (report/i18n factor_reason_*, rendered by behaviortypes.i18n.reason_text)
    code = [{"code": "factor_reason_psych", "values": {
        "pa": pa_n, "map": map_n, "ekc": ekc_n, "n_iter": n_iter,
        "percentile": int(percentile) if percentile.is_integer() else percentile}}]
    if n_factors is not None:
        n_f = int(n_factors)
        code.insert(0, {"code": "factor_reason_user", "values": {"m": n_f}})
        return n_f, f"set by the user ({n_f}); {pa_text}, {others}", code
    if pa_n == 0:
        code.append({"code": "factor_reason_none", "values": {"m": 1}})
        warnings.warn(SurveyQualityWarning("parallel analysis found no factor above chance; 1 factor kept",
                                           code="warn_no_factor"), stacklevel=4)
        return 1, f"{pa_text}: no factor stands above random data; 1 factor kept ({others})", code
    top_range = max(pa_n, map_n)
    start = min(top_range, ledermann)
    floor = max(1, min(start, pa_n, map_n))
    reason = pa_text
    if map_n > pa_n:
        reason += f"; Velicer's MAP suggests {map_n}, the top of the range is tried first"
        code.append({"code": "factor_reason_map_top", "values": {"map": map_n}})
    if start < top_range:
        reason += (f"; capped at {start}, the most factors {p} items can identify "
                   "(Ledermann bound)")
        code.append({"code": "factor_reason_ledermann", "values": {"start": start, "p": p}})
    own = solve(start).get("theme_factors", {})
    short = {f: t for f, t in own.items()
             if solve(start)["salient"][int(f[1:]) - 1] < MINOR_MIN_ITEMS}
    if short:
        listed = ", ".join(f"{f}: '{t}'" for f, t in short.items())
        reason += (f"; in the {start}-factor solution {len(short)} factor(s) with fewer than "
                   f"{MINOR_MIN_ITEMS} statements count as dimensions because their statements "
                   f"all belong to one theme, which no other factor measures ({listed})")
        code.append({"code": "factor_reason_theme", "values": {
            "start": start, "n": len(short), "min_items": MINOR_MIN_ITEMS,
            "themes": ", ".join(sorted(set(short.values())))}})
    n_f, text, steps = _step_down(solve, start, floor)
    reason += text
    code += steps
    reason += f" ({others})"
    return n_f, reason, code


def _step_down(solve, start: int, floor: int) -> tuple[int, str, list]:
    """Drop the minor factors once, then every factor without statements, refitting each time.

    (1) The ``start``-factor solution's minor factors are not kept: m is lowered by
    their number, once, not below ``floor`` (the smaller of psych's PA and MAP numbers).
    (2) The m-factor solution is fitted in turn; while it has *empty* factors (no
    statement loads |λ| ≥ :data:`MINOR_SALIENT` on them as its main factor) m is lowered
    by their number and the solution refitted, below ``floor`` if need be; so while it has
    factors with ONE statement (user trial 23). A refit can leave a real dimension with
    2 statements, and stepping on those cascades (``docs/choosing_factors.md``), so they
    are kept; a factor with no statement or one is never a dimension.
    Returns the number of factors, the English reason's tail and its codes.
    """
    c = solve(start)
    minor = c["minor"] if start > floor else []
    m = max(start - len(minor), floor) if minor else start
    text, code, thinned = "", [], False
    if minor:
        listed = ", ".join(f"{f}: {c['salient'][int(f[1:]) - 1]}" for f in minor)
        text += (f"; in the {start}-factor solution {len(minor)} factor(s) are minor (fewer than "
                 f"{MINOR_MIN_ITEMS} statements load |λ| ≥ {MINOR_SALIENT:.2f} on them as their "
                 f"main factor: {listed})")
        code.append({"code": "factor_reason_minor_one" if m == 1 else "factor_reason_minor", "values": {
            "start": start, "n": len(minor), "m": m, "min_items": MINOR_MIN_ITEMS,
            "salient": float(MINOR_SALIENT)}})
    while m > 1:
        c = solve(m)
        empty = [f for f in c["minor"] if c["salient"][int(f[1:]) - 1] == 0]
        # one statement is no dimension either (user trial 22: planned missingness kept a
        # 1-statement F5), below the floor too (user trial 23: PA 8, MAP 6 kept a 1-statement F6)
        single = [f for f in c["minor"] if c["salient"][int(f[1:]) - 1] == 1]
        thinned = thinned or bool(single)
        if not empty and not single:
            break
        text += (f", so the {m}-factor solution was fitted: it has" if text else
                 f"; the {m}-factor solution has")
        listed = ", ".join(f"{f}: {c['salient'][int(f[1:]) - 1]}" for f in empty + single)
        text += (f" {len(empty) + len(single)} factor(s) on which no statement, or only one, loads as its "
                 f"main factor ({listed})")
        one = m - len(empty) - len(single) == 1  # (a singular sentence: "so 1 dimension is kept")
        code.append({"code": ("factor_reason_single_one" if one else "factor_reason_single") if single else
                     ("factor_reason_empty_one" if one else "factor_reason_empty"),
                     "values": {"start": m, "n": len(empty) + len(single), "m": m - len(empty) - len(single)}})
        m = max(m - len(empty) - len(single), 1)  # (every factor empty or of one statement: one)
    c = solve(m)
    if code:
        text += ", so 1 factor is kept" if m == 1 else f", so {m} factors are kept"
    if minor and start - len(minor) < floor and m >= floor:  # (not when a refit's one-statement factor stepped below)
        text += " (not fewer than psych's parallel analysis and MAP allow)"
        code.append({"code": "factor_reason_floor", "values": {}})
    elif c["minor"] and not code:  # at the floor from the start: its minor factors stay
        listed = ", ".join(f"{f}: {c['salient'][int(f[1:]) - 1]}" for f in c["minor"])
        text += (f"; the {m}-factor solution has minor factor(s) ({listed}), kept: not fewer "
                 "than psych's parallel analysis and MAP allow")
        code.append({"code": "factor_reason_floor", "values": {}})
    elif c["minor"]:  # stepped to m, whose refit keeps minor factors of 2 statements: said (user trial 22)
        listed = ", ".join(f"{f}: {c['salient'][int(f[1:]) - 1]}" for f in c["minor"])
        text += f"; the {m}-factor solution still has minor factor(s) ({listed}), kept"
        code.append({"code": "factor_reason_still_minor", "values": {"start": m, "themes": listed,  # (the factors)
                                                                      "min_items": MINOR_MIN_ITEMS}})
    if not c["minor"]:
        short = any(c["salient"][int(f[1:]) - 1] < MINOR_MIN_ITEMS for f in c.get("theme_factors", {}))
        text += (f"; the {m}-factor solution has {MINOR_MIN_ITEMS} or more "
                 f"statements (|λ| ≥ {MINOR_SALIENT:.2f}) on every {'other ' if short else ''}factor")
        code.append({"code": "factor_reason_solid_others" if short else "factor_reason_solid",
                     "values": {"m": m, "min_items": MINOR_MIN_ITEMS}})
    if m < floor:
        text += (f"; that is fewer than psych's parallel analysis and MAP suggest (at least {floor}), "
                 f"because their solutions keep a factor on which {'at most one statement' if thinned else 'no statement'}"
                 " loads as its main factor")
        code.append({"code": "factor_reason_below_range_single" if thinned else "factor_reason_below_range",
                     "values": {"floor": floor, "m": m}})
    return m, text, code


def _evidence_table(pa: pd.DataFrame, mp: pd.DataFrame, ek: pd.DataFrame, cand: dict,
                    n_f: int, reason: str) -> pd.DataFrame:
    """``retention_``: one row per number of factors (see :class:`FactorModel`)."""
    p = len(pa)
    ret = pd.DataFrame({
        "eigenvalue": pa["observed"].to_numpy(),
        "pa_threshold": pa["simulated_quantile"].to_numpy(),
        "pa_simulated_mean": pa["simulated_mean"].to_numpy(),
        "pa_resampled_mean": pa["resampled_mean"].to_numpy(),
        "pa_resampled_threshold": pa["resampled_quantile"].to_numpy(),
        "pc_eigenvalue": pa["pc_observed"].to_numpy(),
        "pc_threshold": pa["pc_simulated_quantile"].to_numpy(),
        "ekc_reference": ek["reference"].to_numpy(),
        "map": mp["map"].reindex(np.arange(1, p + 1)).to_numpy(),
    }, index=pd.Index(np.arange(1, p + 1), name="n_factors"))
    for col in ("salient", "n_minor", "rmsea", "rmsea_low", "rmsea_high", "tli", "bic"):
        ret[col] = [(_salient_text(cand[m]) if col == "salient" else
                     len(cand[m]["minor"]) if col == "n_minor" else cand[m]["fit"][col])
                    if m in cand else (None if col == "salient" else np.nan)
                    for m in ret.index]
    ret["chosen"] = ret.index == n_f
    ret["reason"] = np.where(ret["chosen"], reason, "")
    return ret


def _fit_text(fit: dict) -> str:
    """psych's fit line: RMSEA with its 90 % interval, TLI and BIC."""
    def num(v, k=3):
        return "NA" if v is None or not np.isfinite(v) else f"{v:.{k}f}"
    return (f"RMSEA = {num(fit['rmsea'])} (90 % CI {num(fit['rmsea_low'])}-"
            f"{num(fit['rmsea_high'])}), TLI = {num(fit['tli'])}, BIC = {num(fit['bic'], 1)}")


def _salient_text(c: dict) -> str:
    return "/".join(str(k) for k in c["salient"])


def _py(v):
    """Plain Python scalar (NaN -> None) for JSON."""
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return None if np.isnan(v) else float(v)
    return v
