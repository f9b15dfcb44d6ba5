"""Accuracy of the choice of k on planted studies: the tables in docs/choosing_k.md.

Suites (one line of JSON per study, then a summary):

* ``main``  — ``tests/planted.py::suite(24)`` + a null study (the suite the tests check);
* ``fresh`` — ``suite(48, seed=99)``: the same generator, seeds never tuned on;
* ``alt``   — ``suite_alt(8)``: every type with its own covariance shape, half t5 tails;
* ``field`` — ``tests/fieldlike.py::field_suite(3)``: a third generator built like field
  data (under-sampled small types, extreme responders with 3 statements per dimension,
  types with their own shapes, heavy tails with acquiescent respondents, 2-3 statements
  per dimension, a null study); Likert items through the package's own ``FactorModel``
  (parallel analysis chooses the number of factors), then ``TypeFinder``;
* ``synth`` — a second generator end to end: ``behaviortypes.synth`` studies with random
  types (3-6 types, 4-6 dimensions, 3-6 items each, 900-3,000 respondents, 2 % each of
  straightliners, speeders, random responders and attention-check failures, survey
  weights) written as survey folders and run through ``pipeline.discover``.

For planted suites the factor scores are computed as the pipeline does (minres + oblimin,
true number of factors); "supervised" is the better of a 5-fold cross-validated LDA and
QDA trained on the true labels with the same scores (the ceiling the issue measures
against; ``sup_lda`` is the LDA alone); ARIs are over good respondents.

Usage::

    .venv/bin/python bench/choosing_k.py main [--first 0] [--last 24] [--resamples 30]
    .venv/bin/python bench/choosing_k.py field --per-kind 2 [--kinds tails] [--no-styles] [--points 7]
    .venv/bin/python bench/choosing_k.py synth --first 0 --last 64 --resamples 10

A full suite takes 5-10 minutes on 2 cores (synth: ~8 s per study).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fieldlike import (  # noqa: E402
    field_suite,
    make_fieldlike,
    pipeline_scores,
    supervised_ari_best,
)
from planted import factor_scores, make_planted, suite, suite_alt, supervised_ari  # noqa: E402

from behaviortypes import pipeline  # noqa: E402
from behaviortypes.segments import TypeFinder, mixture_log_resp  # noqa: E402
from behaviortypes.synth import DEMO_DIMENSIONS, TypeSpec, make_study  # noqa: E402


def planted_row(settings: dict, resamples: int | None, jobs: int = 2, bootstrap: int = 0,
                models=None, rounding: bool = True) -> dict:
    """Fit one planted study as the pipeline's types stage does (``rounding=False``:
    without the answers' rounding, sessions 1-10)."""
    st = make_planted(**settings)
    X, per_point = factor_scores(st, rounding=True)
    return _fit_row(st, X, resamples, jobs, bootstrap, models, per_point if rounding else None)


def field_row(kind: str, seed: int, resamples: int | None, jobs: int = 2, bootstrap: int = 0,
              styles: bool = True, models=None, points: int = 5, rounding: bool = True) -> dict:
    """Fit one field-like study as users' runs do: the response-style decision, items ->
    FactorModel -> TypeFinder with the answers' rounding (``styles=False``: the keyed
    answers as given; ``rounding=False``: without the rounding, sessions 1-10)."""
    st = make_fieldlike(kind, seed=seed, points=points)
    X, per_point = pipeline_scores(st, styles=styles, rounding=True)
    row = _fit_row(st, X, resamples, jobs, bootstrap, models, per_point if rounding else None)
    row.update(factors=st.n_dims, factors_hat=X.shape[1],
               small_sample_share=round(float(st.sample_shares.min()), 3) if st.k > 1 else None,
               small_base_share=round(float(st.base_shares.min()), 3) if st.k > 1 else None)
    return row


def _fit_row(st, X, resamples, jobs, bootstrap, models=None, rounding=None):
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        opts = {} if resamples is None else dict(n_resamples=resamples)
        tf = TypeFinder(random_state=0, n_jobs=jobs, n_bootstrap=bootstrap, models=models,
                        **opts).fit(X, score_rounding=rounding)
    good = st.good
    row = dict(study=st.name, k=st.k, k_hat=tf.k_, model=tf.method_,
               warning=tf.structure_warning_ is not None, secs=round(time.perf_counter() - t, 1))
    if st.k > 1:
        ari = adjusted_rand_score(st.truth[good], tf.labels_[good])
        sup = supervised_ari_best(X, st.truth)
        row.update(ari=round(ari, 3), supervised=round(sup, 3), gap=round(ari - sup, 3),
                   sup_lda=round(supervised_ari(X, st.truth), 3))
    if models is not None:  # per k and model: BIC and ARI, to compare model sets offline
        Z = ((X - X.mean()) / X.std(ddof=0)).to_numpy()
        ev = tf.evidence_
        keep = [c for c in ev.columns if c.startswith("bic")] + [
            "size_ok", "passes", "min_share_hard", "jaccard_small", "jaccard_mean"]
        row["evidence"] = {int(k): {c: (None if isinstance(v, float) and not np.isfinite(v)
                                        else (v.item() if hasattr(v, "item") else v))
                                    for c, v in ev.loc[k, keep].items()} for k in ev.index}
        if st.k > 1:
            row["ari_by"] = {int(k): {kd: round(adjusted_rand_score(
                st.truth[good], np.argmax(mixture_log_resp(Z, m)[0], axis=1)[good]), 3)
                for kd, m in fits.items()} for k, fits in tf.candidates_.items()}
    return row


def synth_config(seed: int) -> dict:
    """A random synth study: 3-6 types (by seed), shares 5-45 % of the population."""
    rng = np.random.default_rng(seed)
    k = 3 + seed % 4
    m = int(rng.integers(4, 7))
    dims = tuple(str(x) for x in rng.choice(DEMO_DIMENSIONS, size=m, replace=False))
    noise = float(rng.uniform(0.4, 0.6))
    for _ in range(5000):
        shares = rng.dirichlet(np.full(k, 1.5))
        if shares.min() >= 0.05 and shares.max() <= 0.45:
            break
    best = None
    for _ in range(3000):  # centroids on 2-3 dimensions each, far enough apart
        C = np.zeros((k, m))
        for j in range(k):
            idx = rng.choice(m, int(rng.integers(2, 4)), replace=False)
            C[j, idx] = rng.choice([-1, 1], idx.size) * rng.uniform(0.7, 1.5, idx.size)
        dmin = min(np.linalg.norm(C[a] - C[b]) for a in range(k) for b in range(a + 1, k))
        if best is None or dmin > best[0]:
            best = (dmin, C)
        if dmin / noise >= 3.2:
            break
    C = best[1]
    types = tuple(
        TypeSpec(f"t{j + 1}", f"Type {j + 1}", float(shares[j]),
                 {d: float(C[j, i]) for i, d in enumerate(dims) if C[j, i]},
                 float(rng.uniform(0.8, 2.5)))
        for j in range(k)
    )
    n = int(rng.integers(900, 3001))
    return dict(seed=seed, n_respondents=n, n_customers=max(5000, 2 * n), dimensions=dims,
                types=types, noise=noise,
                items_per_dimension=tuple(int(x) for x in rng.integers(3, 7, m)),
                cross_loadings=(), straightliner_rate=0.02, speeder_rate=0.02,
                random_rate=0.02, attention_rate=0.02)


def synth_row(seed: int, resamples: int) -> dict:
    """Generate a synth study, run ``discover`` on its folder, compare with the truth."""
    cfg = synth_config(seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            make_study(tmp / "s", truth_dir=tmp / "truth", **cfg)
            t = time.perf_counter()
            pipeline.discover(tmp / "s", tmp / "out", n_resamples=resamples, make_map=False)
            secs = time.perf_counter() - t
        sol = json.loads((tmp / "out/solution.json").read_text())
        read = dict(dtype={"respondent_id": str})
        a = pd.read_csv(tmp / "out/assignments.csv", **read).set_index("respondent_id")
        scores = pd.read_csv(tmp / "out/scores.csv", **read).set_index("respondent_id")
        truth = pd.read_csv(tmp / "truth/respondents.csv", **read).set_index("respondent_id")
    kept = truth.loc[a.index]
    good = kept.flaw == "none"
    ari = adjusted_rand_score(kept.type[good], a.type_id[good])
    labels = (kept.type.astype("category").cat.codes + 1).where(good, 0)
    sup = supervised_ari(scores.loc[a.index], labels)
    return dict(study=f"synth{seed}", k=len(cfg["types"]), k_hat=sol["k"],
                factors=len(cfg["dimensions"]), factors_hat=sol["n_factors"],
                ari=round(ari, 3), supervised=round(sup, 3), gap=round(ari - sup, 3),
                flawed_kept=int((~good).sum()),
                good_dropped=int(((truth.flaw == "none") & ~truth.index.isin(a.index)).sum()),
                secs=round(secs, 1))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite", choices=["main", "fresh", "alt", "field", "synth"])
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--last", type=int, default=None, help="exclusive")
    parser.add_argument("--resamples", type=int, default=None,
                        help="default: the package's (TypeFinder's n_resamples)")
    parser.add_argument("--kinds", nargs="+", default=None, help="field: only these kinds")
    parser.add_argument("--no-styles", action="store_true",
                        help="field: skip the response-style decision (sessions 1-3)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--bootstrap", type=int, default=0, help="BLRT draws (0: skip)")
    parser.add_argument("--per-kind", type=int, default=3, help="field: studies per kind")
    parser.add_argument("--field-seed", type=int, default=0,
                        help="field: the first seed of each kind (studies never looked at: 5 and up)")
    parser.add_argument("--points", type=int, default=5,
                        help="field: answer points of the statements (5: every session's studies)")
    parser.add_argument("--models", nargs="+", default=None,
                        help="TypeFinder(models=...): the models whose BIC chooses k; the "
                             "rows then carry every k's BIC and ARI per model")
    parser.add_argument("--no-rounding", action="store_true",
                        help="fit the types without the answers' rounding (TypeFinder.fit("
                             "score_rounding=None): no lattice check, no dequantized fit; "
                             "sessions 1-10; synth always runs the pipeline)")
    args = parser.parse_args(argv)
    if args.suite == "synth":
        seeds = range(args.first, 64 if args.last is None else args.last)
        rows = []
        for s in seeds:
            rows.append(synth_row(s, args.resamples or 30))
            print_row(rows[-1])
    elif args.suite == "field":
        rows = []
        for kind, seed in field_suite(args.per_kind, seed=args.field_seed)[args.first:args.last]:
            if args.kinds and kind not in args.kinds:
                continue
            rows.append(field_row(kind, seed, args.resamples, args.jobs, args.bootstrap,
                                  styles=not args.no_styles, models=args.models, points=args.points,
                                  rounding=not args.no_rounding))
            print_row(rows[-1])
    else:
        settings = {"main": lambda: suite(24), "fresh": lambda: suite(48, seed=99),
                    "alt": lambda: suite_alt(8)}[args.suite]()
        rows = []
        for s in settings[args.first:args.last]:
            rows.append(planted_row(s, args.resamples, args.jobs, args.bootstrap, args.models,
                                    rounding=not args.no_rounding))
            print_row(rows[-1])
    table = pd.DataFrame(rows)
    typed = table[table.k > 1]
    right = typed.k == typed.k_hat
    print(f"k right: {int(right.sum())}/{len(typed)}", end="")
    if right.any():
        gap = typed.gap[right]
        print(f"; with the right k, gap to supervised mean {gap.mean():+.3f}, worst "
              f"{gap.min():+.3f}, within 0.03: {int((gap >= -0.03).sum())}/{int(right.sum())}",
              end="")
    null = table[table.k == 1]
    if len(null):
        print(f"; null studies warned: {int(null.warning.sum())}/{len(null)}", end="")
    print()


def print_row(row: dict | None) -> None:
    if row is not None:
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
