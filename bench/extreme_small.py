"""Why the field-like ``extreme`` kind's small type is missed (issue 13, session 17).

The ``extreme`` studies of ``tests/fieldlike.py`` (4 types in 7 dimensions of 3 statements,
one type ~3.8 % of the sample, 20 % extreme responders) are the rule's weakest kind: in most
misses the small planted type is not even in the engine's k0 + 1 solution. For each study this
bench runs ``TypeFinder`` as the pipeline does (the pipeline's scores with the answers'
rounding; ``n_resamples=4``, ``n_bootstrap=0``, seed 0) and then asks, with the package's
public fitting functions only:

* **search or model?** (``true``): every default model kind that the engine fits
  (shared-shape Gaussian ``scaled``, ``full``, t ``tscaled``) refitted by EM at the true k
  from the true types (random responders start in the nearest true centre), against the
  engine's own fit of that kind at the true k. ``ll_gap = ll_true - ll_engine`` > 0: the
  engine's starts miss a better optimum; <= 0: the likelihood does not favour the truth.
  ``dbic_true``: the best true-start BIC minus the engine's best BIC at k0 (what the rule
  compares); ``ari_true``: the ARI of that true-start fit.
* **search fixes** at k0 + 1, each a set of extra starts from the engine's k0 shared-shape
  fit, run by em-EM (``fit_mixture_multistart``) and completed as the engine completes a fit
  (t from its posteriors over nu = 4, 8, 16, 50; ``full`` from its posteriors); fits that
  collapse or fall on the answers' lattice are set aside as the engine does:
  ``worst`` (the 5 % of respondents with the lowest density under k0 as the new type),
  ``worstclus`` (the lowest 15 %, cut in 3 by k-means: one start per cluster), ``maha`` (per
  type, its 15 % members farthest from its centre), ``tail`` (per type and side, members
  beyond 1 SD along its leading axis), ``many`` (100 extra k-means starts). Per fix:
  ``ll`` gain over the engine's k0 + 1 fit, the best BIC at k0 + 1 minus k0's, ARI, the
  smallest type's n, and ``move``: whether the rule would then keep k0 + 1 (BIC lower by 10,
  or session 16's guard: BIC < 10 above and ``new_type(...).distinct``; the smallest type at
  least 40 respondents; the small-type stability check is *not* replayed).
* **response styles** (``--styles``): the engine run again on scores from the answers
  corrected within each person: ``spread`` (each respondent's deviations from the midpoint
  divided by their root-mean-square deviation, times the sample's median: extreme responding
  as a stretch), ``centre`` (``correct_response_styles(method="centre")``, Sawtooth's
  respondent centring, the person's mean shrunk by 0.9: full centring makes the statements
  linearly dependent, which ``FactorModel`` refuses), ``themes`` (no factor model: the mean
  keyed answer of each true dimension's statements, the right number of dimensions), ``noext`` (diagnostic, not a fix: the engine on the respondents not
  marked extreme, ``ers`` < ``marked_extreme_share``; ARI on those). Per variant: factors,
  k, ARI.

Usage::

    nice -n 10 .venv/bin/python bench/extreme_small.py run --kind extreme --seeds 40-69 \\
        --out /tmp/s17/ext/train.jsonl [--styles] [--no-search] [--resamples 4]
    nice -n 10 .venv/bin/python bench/extreme_small.py run --seeds 44,48 --styles --no-search \
        --variants spread --out /tmp/s17/ext/spread.jsonl     # the engine on one variant only
    nice -n 10 .venv/bin/python bench/extreme_small.py visible extreme 40-69 /tmp/s17/ext/vis.jsonl
    .venv/bin/python bench/extreme_small.py table /tmp/s17/ext/train.jsonl
    .venv/bin/python bench/extreme_small.py lda extreme 40-69      # the small type's LDA Jaccard

``visible`` is the cheap question without the engine: per feature space (``pipeline``, and the
variants above), the BIC of the true 4-type fit minus the best 3-type fit (em-EM from 10
k-means starts and from the truth with the small type merged), the ARI and small-type Jaccard
of the true-start fit, the number of factors and the LDA/QDA ceiling.

One JSON line per study (appended; studies already in ``--out`` are skipped). ``table``
prints the per-study table and the replayed k right per fix. docs/notes/extreme_kind.md has
the session's figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fieldlike import instrument, make_fieldlike, pipeline_scores, supervised_ari_best  # noqa: E402

from behaviortypes.segments import (  # noqa: E402
    TypeFinder,
    collapse_reference,
    fit_mixture,
    fit_mixture_multistart,
    is_collapsed,
    mixture_log_resp,
    n_mixture_params,
    new_type,
    quick_kmeans,
)

#: the evidence column of each model the engine chooses with, and the kinds refitted here
COLUMN = {"scaled": "bic", "full": "bic_full", "tscaled": "bic_t", "tVEV": "bic_t_vev"}
KINDS = ("scaled", "full", "tscaled")
T_NU = (4.0, 8.0, 16.0, 50.0)
FIXES = ("worst", "worstclus", "maha", "tail", "many")
STRONG = 10.0  # the rule's parsimony margin (BIC points)
MIN_N = 40


class Space:
    """The standardised scores and the engine's two guards (collapse, answers' lattice)."""

    def __init__(self, X: pd.DataFrame, per_point):
        self.Z = ((X - X.mean()) / X.std(ddof=0)).to_numpy()
        self.n, self.d = self.Z.shape
        self.w = np.ones(self.n)
        self.guard = collapse_reference(self.Z, self.w)
        self.lattice = None
        if per_point is not None:
            B = np.asarray(per_point, dtype=float) / X.std(ddof=0).to_numpy()[None, :]
            R = B.T @ B / 12.0
            ridge = 1e-9 * max(float(np.trace(R)) / R.shape[0], 1e-12)
            self.lattice = np.linalg.inv(np.linalg.cholesky(R + ridge * np.eye(self.d)))

    def spurious(self, mix) -> bool:
        return is_collapsed(mix, self.guard) or (
            self.lattice is not None and is_collapsed(mix, self.lattice, 0.75))

    def loglik(self, mix) -> float:
        return float(mixture_log_resp(self.Z, mix)[1].sum())

    def bic(self, mix) -> float:
        if mix is None or self.spurious(mix):
            return np.inf
        k = mix.weights.size
        return -2 * self.loglik(mix) + n_mixture_params(k, self.d, mix.kind) * np.log(self.n)

    def labels(self, mix) -> np.ndarray:
        return np.argmax(mixture_log_resp(self.Z, mix)[0], axis=1)

    def resp(self, mix) -> np.ndarray:
        return np.exp(mixture_log_resp(self.Z, mix)[0])


from _records import record, recorded_studies  # noqa: E402  (bench/, run as a script)
def t_fit(sp: Space, start, k):
    """The shared-shape t mixture from a start, best nu among fits that are not spurious."""
    fits = [fit_mixture(sp.Z, sp.w, start, k, kind="tscaled", nu=nu, max_iter=300) for nu in T_NU]
    ok = [m for m in fits if not sp.spurious(m)] or fits
    return max(ok, key=lambda m: m.loglik)


def complete(sp: Space, scaled, k) -> dict:
    """A shared-shape fit and the models the engine derives from it (t, free covariance)."""
    resp = sp.resp(scaled)
    return {"scaled": scaled, "tscaled": t_fit(sp, resp, k),
            "full": fit_mixture(sp.Z, sp.w, resp, k, kind="full")}


def best_of(sp: Space, fits: dict):
    """(kind, fit, BIC) with the lowest BIC among fits that are not spurious."""
    bics = {kd: sp.bic(m) for kd, m in fits.items() if m is not None}
    kd = min(bics, key=bics.get)
    return kd, fits[kd], bics[kd]


def engine_fits(tf, k) -> dict:
    """The engine's fits at k of the models it chooses with."""
    return {kd: m for kd, m in tf.candidates_.get(k, {}).items() if kd in COLUMN}


def oracle_labels(Z, truth, good):
    """0-based true types; random responders start in the nearest true centre."""
    types = np.sort(np.unique(truth[good]))
    centres = np.array([Z[good & (truth == t)].mean(axis=0) for t in types])
    lab = np.argmin(((Z[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
    lab[good] = np.searchsorted(types, truth[good])
    return lab


def ari(st, lab):
    good = st.good.to_numpy()
    return round(float(adjusted_rand_score(st.truth.to_numpy()[good], lab[good])), 3)


def small_jaccard(st, lab) -> float:
    """Jaccard of the planted small type (the last) with the cluster that holds most of it."""
    small = st.truth.to_numpy() == st.k
    c = np.bincount(lab[small]).argmax()
    return round(float(np.sum(small & (lab == c)) / np.sum(small | (lab == c))), 3)


def true_start(sp: Space, st, tf) -> dict:
    """Search or model: each kind from the true types against the engine's at the true k."""
    kt = st.k
    lab = oracle_labels(sp.Z, st.truth.to_numpy(), st.good.to_numpy())
    fits = {"scaled": fit_mixture(sp.Z, sp.w, lab, kt, kind="scaled"),
            "full": fit_mixture(sp.Z, sp.w, lab, kt, kind="full"),
            "tscaled": t_fit(sp, lab, kt)}
    eng = engine_fits(tf, kt)
    out = {"ll_gap": {kd: round(sp.loglik(fits[kd]) - sp.loglik(eng[kd]), 1)
                      for kd in KINDS if kd in eng}}
    kd, mix, b = best_of(sp, fits)
    ekd, emix, eb = best_of(sp, eng)
    b0 = best_of(sp, engine_fits(tf, int(tf.k_)))[2]
    out.update(true_model=kd, bic_true=round(b, 1), bic_eng_kt=round(eb, 1), eng_model_kt=ekd,
               dbic_true=round(b - b0, 1), ari_true=ari(st, sp.labels(mix)),
               ari_eng_kt=ari(st, sp.labels(emix)), jac_small_true=small_jaccard(st, sp.labels(mix)),
               jac_small_eng_kt=small_jaccard(st, sp.labels(emix)), n_min_true=int(np.bincount(
                   sp.labels(mix), minlength=kt).min()))
    return out


def fix_starts(sp: Space, mix0, name: str) -> list:
    """Extra starts for k0 + 1 components from the k0 shared-shape fit (see the docstring)."""
    Z, k = sp.Z, mix0.weights.size
    resp, dens = np.exp(mixture_log_resp(Z, mix0)[0]), mixture_log_resp(Z, mix0)[1]
    lab = resp.argmax(1)

    def start(sel):
        r = np.column_stack([resp, np.zeros(sp.n)])
        r[sel] = 0.0
        r[sel, k] = 1.0
        return r

    if name == "many":
        return [quick_kmeans(Z, sp.w, k + 1, n_init=1, seed=s)[0] for s in range(100)]
    if name == "worst":
        return [start(dens <= np.quantile(dens, 0.05))]
    if name == "worstclus":
        idx = np.flatnonzero(dens <= np.quantile(dens, 0.15))
        cl = quick_kmeans(Z[idx], np.ones(idx.size), 3, n_init=4, seed=0)[0]
        return [start(idx[cl == c]) for c in range(3)]
    out = []
    for j in range(k):
        diff = Z - mix0.means[j]
        members = lab == j
        if name == "maha":
            m = np.einsum("ni,ni->n", diff @ np.linalg.inv(mix0.covs[j]), diff)
            out.append(start(members & (m >= np.quantile(m[members], 0.85))))
        else:  # tail
            val, vec = np.linalg.eigh(mix0.covs[j])
            proj = diff @ vec[:, -1] / np.sqrt(val[-1])
            out += [start(members & (proj > 1.0)), start(members & (proj < -1.0))]
    return [s for s in out if s[:, k].sum() >= 10]


def fix_row(sp: Space, st, tf, name: str) -> dict:
    """One search fix at k0 + 1 and what the rule would then choose."""
    k0 = int(tf.k_)
    e0, e1 = engine_fits(tf, k0), engine_fits(tf, k0 + 1)
    if "scaled" not in e0 or not e1:
        return {}
    scaled = fit_mixture_multistart(sp.Z, sp.w, fix_starts(sp, e0["scaled"], name), k0 + 1,
                                    kind="scaled", guard=sp.guard)
    fits = complete(sp, scaled, k0 + 1)
    _, mix, b = best_of(sp, fits)
    kd0, mix0, b0 = best_of(sp, e0)
    _, emix1, eb1 = best_of(sp, e1)
    if not b < eb1:  # the engine's own k0 + 1 fit stays
        mix, b = emix1, eb1
    n_min = int(np.bincount(sp.labels(mix), minlength=k0 + 1).min())
    nt = new_type(sp.Z, mix0, mix)
    move = bool(n_min >= MIN_N and (b < b0 - STRONG or (b < b0 + STRONG and nt.distinct)))
    return dict(ll_gain=round(sp.loglik(fits["scaled"]) - sp.loglik(e1["scaled"]), 1),
                dbic=round(b - b0, 1), better=bool(b < eb1), n_min=n_min,
                dist=round(nt.distance, 2), width=round(nt.width, 2), move=move,
                ari=ari(st, sp.labels(mix)), k=k0 + int(move))


def engine(X, per_point, resamples, weight=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return TypeFinder(random_state=0, n_jobs=1, n_resamples=resamples,
                          n_bootstrap=0).fit(X, sample_weight=weight, score_rounding=per_point)


def variant_scores(st, method: str):
    """Factor scores of answers corrected within each person (``spread`` or ``centre``)."""
    from behaviortypes.factors import FactorModel
    from behaviortypes.quality import correct_response_styles

    inst = instrument(st)
    lo, hi = float(inst.scale.min), float(inst.scale.max)
    mid = (lo + hi) / 2
    if method == "themes":  # the mean keyed answer per true dimension: no factor model
        X = st.items.T.groupby(pd.Series(st.themes)).mean().T
        per = pd.DataFrame([[1.0 / sum(t == c for t in st.themes.values()) if st.themes[i] == c
                             else 0.0 for c in X.columns] for i in st.items.columns],
                           index=st.items.columns, columns=X.columns)
        return X, per
    if method == "centre":  # shrunk by 0.9: full centring makes the answers linearly dependent
        full = correct_response_styles(st.raw, inst, method="centre")
        keyed = 0.9 * full + 0.1 * st.items.astype(float)
    else:
        dev = st.raw.astype(float) - mid
        rms = np.sqrt((dev**2).mean(axis=1)).clip(lower=0.25)
        raw = mid + dev.div(rms / rms.median(), axis=0)
        keyed = raw.copy()
        keyed[st.reverse] = lo + hi - keyed[st.reverse]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fm = FactorModel(random_state=0).fit(keyed, item_themes=inst.item_themes)
        # centred answers are off the answer points: no lattice to guard against
        return fm.transform(keyed), None if method == "centre" else fm.score_weights_per_point()


def style_rows(st, resamples, variants=("spread", "centre", "themes", "noext")) -> dict:
    """The engine on scores corrected for response styles, and without extreme responders."""
    from behaviortypes.quality import marked_extreme_share, response_styles

    out = {}
    for method in [v for v in variants if v != "noext"]:
        X, pp = variant_scores(st, method)
        tf = engine(X, pp, resamples)
        out[method] = dict(factors=int(X.shape[1]), k=int(tf.k_), ari=ari(st, tf.labels_))
    if "noext" not in variants:
        return out
    ers = response_styles(st.raw, instrument(st))["ers"].to_numpy()
    keep = ers < marked_extreme_share(5)
    X, pp = pipeline_scores(st, styles=True, rounding=True)
    tf = engine(X[keep], pp, resamples)
    good = st.good.to_numpy()[keep]
    out["noext"] = dict(n_dropped=int((~keep).sum()), k=int(tf.k_), ari=round(float(
        adjusted_rand_score(st.truth.to_numpy()[keep][good], tf.labels_[good])), 3),
        dropped_small=int((~keep & (st.truth.to_numpy() == st.k)).sum()))
    return out


def study_row(kind, seed, resamples, styles, search=True, variants=None) -> dict:
    """One study: the engine, the true starts and the fixes (``search``), the style variants
    (``styles``; without ``search`` the engine is run on the variants only)."""
    t = time.perf_counter()
    st = make_fieldlike(kind, seed=seed, points=5)
    X, pp = pipeline_scores(st, styles=True, rounding=True)
    row = dict(study=f"{kind}{seed}", k=int(st.k), factors=int(X.shape[1]), dims=int(st.n_dims),
               n_small=int(np.sum(st.truth.to_numpy() == st.k)),
               small_share=round(float(st.sample_shares[-1]), 4),
               sup=round(supervised_ari_best(X, st.truth), 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if search:
            tf = engine(X, pp, resamples)
            sp = Space(X, pp)
            row.update(k0=int(tf.k_), dequantized=bool(tf.dequantized_), ari0=ari(st, tf.labels_),
                       jac_small0=small_jaccard(st, np.asarray(tf.labels_)))
            row.update(true_start(sp, st, tf))
            e1 = engine_fits(tf, row["k0"] + 1)
            if e1:
                row["ari_next"] = ari(st, sp.labels(best_of(sp, e1)[1]))
                row["jac_small_next"] = small_jaccard(st, sp.labels(best_of(sp, e1)[1]))
            row["fix"] = {name: fix_row(sp, st, tf, name) for name in FIXES}
        if styles:
            row["styles"] = style_rows(st, resamples, *([variants] if variants else []))
    row["secs"] = round(time.perf_counter() - t, 1)
    return row


def space_of(st, name):
    """(X, weights per answer point, rows kept) of one feature space for :func:`visible`."""
    if name in ("pipeline", "noext"):
        X, pp = pipeline_scores(st, styles=True, rounding=True)
        keep = np.ones(len(X), bool)
        if name == "noext":
            from behaviortypes.quality import marked_extreme_share, response_styles

            keep = response_styles(st.raw, instrument(st))["ers"].to_numpy() < marked_extreme_share(5)
        return X[keep], pp, keep
    X, pp = variant_scores(st, name)
    return X, pp, np.ones(len(X), bool)


def visible(st, name) -> dict:
    """Does the likelihood see the small type in a feature space? The true-start fit at the
    true k (best of shared-shape Gaussian and t) against the best fit one type fewer (em-EM
    from 10 k-means starts and from the truth with the small type merged into its nearest)."""
    X, pp, keep = space_of(st, name)
    sp = Space(X, pp)
    truth, good = st.truth.to_numpy()[keep], st.good.to_numpy()[keep]
    kt = st.k
    lab = oracle_labels(sp.Z, truth, good)
    true_fits = {"scaled": fit_mixture(sp.Z, sp.w, lab, kt, kind="scaled"), "tscaled": t_fit(sp, lab, kt)}
    _, mix_t, b_t = best_of(sp, true_fits)
    cen = np.array([sp.Z[lab == j].mean(0) for j in range(kt)])
    near = int(np.argmin([np.inf if j == kt - 1 else np.linalg.norm(cen[j] - cen[kt - 1])
                          for j in range(kt)]))
    merged = np.where(lab == kt - 1, near, lab)
    starts = [merged] + [quick_kmeans(sp.Z, sp.w, kt - 1, n_init=1, seed=s)[0] for s in range(10)]
    low = fit_mixture_multistart(sp.Z, sp.w, starts, kt - 1, kind="scaled", guard=sp.guard)
    _, mix_l, b_l = best_of(sp, {"scaled": low, "tscaled": t_fit(sp, sp.resp(low), kt - 1)})
    sub = type("S", (), {"truth": pd.Series(truth), "good": pd.Series(good), "k": kt})
    return dict(factors=int(X.shape[1]), dbic=round(b_t - b_l, 1),
                ari_true=ari(sub, sp.labels(mix_t)), jac_small=small_jaccard(sub, sp.labels(mix_t)),
                sup=round(supervised_ari_best(X, pd.Series(truth, index=X.index)), 3))


def lda_small(st) -> dict:
    """How well a classifier *shown the labels* recovers the small type: 5-fold cross-validated
    LDA on the pipeline's scores (good respondents); Jaccard and recall of the small type."""
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    X = pipeline_scores(st, styles=True)
    good = st.good.to_numpy()
    t = st.truth.to_numpy()[good]
    pred = cross_val_predict(LinearDiscriminantAnalysis(), X[good], t,
                             cv=StratifiedKFold(5, shuffle=True, random_state=0))
    s, p = t == st.k, pred == st.k
    return dict(lda_jac_small=round(float((s & p).sum() / (s | p).sum()), 3),
                recall=round(float((s & p).sum() / s.sum()), 3),
                small_ext_share=round(float((st.style.to_numpy()[good] == "extreme")[s].mean()), 3))


def table(files) -> None:
    """Per-study table and, per fix and style variant, the k right (replayed)."""
    rows = [json.loads(line) for f in files for line in Path(f).read_text().splitlines() if line]
    flat = []
    for r in rows:
        f = {c: r.get(c) for c in ("study", "k", "k0", "factors", "sup", "ari0", "ari_next",
                                    "ari_true", "dbic_true", "jac_small0", "jac_small_next",
                                    "jac_small_eng_kt", "jac_small_true")}
        f.update(gap_scaled=r.get("ll_gap", {}).get("scaled"), gap_t=r.get("ll_gap", {}).get("tscaled"))
        for name, fx in r.get("fix", {}).items():
            f[name] = f"{fx.get('k', '-')}/{fx.get('dbic', '-')}" if fx else "-"
        for name, sv in r.get("styles", {}).items():
            f[name] = f"{sv['k']}/{sv['ari']}"
        flat.append(f)
    print(pd.DataFrame(flat).dropna(axis=1, how="all").to_string(index=False))
    print(f"\nk right: engine {sum(r.get('k0') == r['k'] for r in rows)}/{len(rows)}")
    strict = [(r["k0"] + int(bool(fx.get("move")) and fx.get("ll_gain", 0) > 0), r["k"])
              for r in rows for name, fx in r.get("fix", {}).items() if name == "worst" and fx]
    print(f"  fix worst as an engine start (kept only when its shared-shape loglik is higher): "
          f"{sum(a == b for a, b in strict)}/{len(strict)}")
    for group, names in (("fix", FIXES), ("styles", ("spread", "centre", "themes", "noext"))):
        for name in names:
            ks = [(r[group][name].get("k") or r.get("k0"), r["k"]) for r in rows
                  if name in r.get(group, {})]
            if ks:
                print(f"  {group} {name:10s} {sum(a == b for a, b in ks)}/{len(ks)}")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["table"]:
        return table(argv[1:])
    if argv[:1] == ["lda"]:  # lda KIND FIRST-LAST
        lo, hi = map(int, argv[2].split("-"))
        for seed in range(lo, hi + 1):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                row = lda_small(make_fieldlike(argv[1], seed=seed, points=5))
            print(json.dumps(dict(study=f"{argv[1]}{seed}", **row)), flush=True)
        return None
    if argv[:1] == ["visible"]:  # visible KIND FIRST-LAST OUT
        kind, (lo, hi), out = argv[1], map(int, argv[2].split("-")), Path(argv[3])
        for seed in range(lo, hi + 1):
            st = make_fieldlike(kind, seed=seed, points=5)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                row = dict(study=f"{kind}{seed}", **{name: visible(st, name) for name in
                           ("pipeline", "spread", "centre", "themes", "noext")})
            with out.open("a") as fh:
                fh.write(json.dumps(row) + "\n")
            print(json.dumps(row), flush=True)
        return None
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cmd", choices=["run"])
    ap.add_argument("--kind", default="extreme")
    ap.add_argument("--seeds", required=True, help="first-last, e.g. 40-69, or a list 41,44")
    ap.add_argument("--resamples", type=int, default=4)
    ap.add_argument("--styles", action="store_true")
    ap.add_argument("--no-search", action="store_true", help="skip the true starts and fixes")
    ap.add_argument("--variants", nargs="+", default=None, help="style variants (default all)")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    done = recorded_studies(args.out)
    if "," in args.seeds or "-" not in args.seeds:
        seeds = [int(s) for s in args.seeds.split(",")]
    else:
        lo, hi = (int(s) for s in args.seeds.split("-"))
        seeds = list(range(lo, hi + 1))
    for seed in seeds:
        if f"{args.kind}{seed}" in done:
            continue
        row = study_row(args.kind, seed, args.resamples, args.styles, not args.no_search,
                        args.variants)
        record(args.out, row)


if __name__ == "__main__":
    main()
