"""Does the extra type of the k0 + 1 solution tell a missed small type from a spurious one?

Issue 13, session 16 (docs/choosing_k.md, "Session 16"). The rule's misses on unseen five-point
field-like studies are mostly a small type (3-4 % of the sample) that the BIC misses by 0-20
points; every "more liberal" criterion also adds a spurious type on heavy-tailed or own-shape
studies. This bench records, per study, the engine's choice k0 (``TypeFinder`` as the pipeline
runs it: the pipeline's scores with the answers' rounding) and diagnostics of the *new* type of
the engine's own k0 + 1 fit (the best-BIC choice model there; nothing is refitted):

* ``new``: the k0 + 1 type left unmatched when its hard labels are matched one-to-one to k0's
  (Hungarian on the cross-table); ``parent``: the k0 type most of its members came from, and
  ``par1`` that type's match among the k0 + 1 types;
* ``share``, ``n_new``: the new type's mixture weight and hard-assigned respondents;
* ``avepp``: its average posterior probability among its members (LPA convention: >= 0.8);
* ``maha_pool`` / ``maha_own``: Mahalanobis distance of its centre to the nearest other centre
  in the pooled within-type metric / in its own; ``bc``: Bhattacharyya coefficient with that
  type (Gaussian, scale matrices); ``leak``: the share of its posterior mass on respondents
  assigned elsewhere;
* ``out_cos``: the cosine between ``mu_new - mu_par1`` and ``mu_par1 - grand centre`` (a tail
  lies outward along its parent's own direction: near +1); ``out_ratio``: ``|mu_new| / |mu_par1|``
  from the grand centre; ``vol``: the new type's scale relative to its parent's
  (``(det S_new / det S_par1) ** (1 / 2d)``);
* ``dbic``: best BIC at k0 + 1 minus at k0; ``passes1``, ``jac_small1``, ``jac_min1``: the
  engine's eligibility and resampled stability of the k0 + 1 solution;
* ``ari0`` / ``ari1``: ARI of the k0 and k0 + 1 fits against the truth, ``sup``: the better of
  LDA and QDA cross-validated on the true types.

Usage::

    nice -n 10 .venv/bin/python bench/next_type.py field --field-seed 40 --per-kind 30 \\
        --out /tmp/s16/nextk/train.jsonl
    nice -n 10 .venv/bin/python bench/next_type.py main --out /tmp/s16/nextk/main.jsonl

One JSON line per study (appended as it goes; studies already in ``--out`` are skipped).
``bench/next_type.py replay FILE...`` replays session 16's guard offline on such files (keep
k0 + 1 when it passes, its BIC is < 10 above k0's, ``maha_pool >= 2.5`` and ``vol <= 1.25``)
and prints the k right per kind before and after. The session's tables were recorded with the
engine before the guard (commit d7cd677); since it, ``k0`` is the guarded choice already.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fieldlike import field_suite, make_fieldlike, pipeline_scores, supervised_ari_best  # noqa: E402
from planted import factor_scores, make_planted, suite, suite_alt  # noqa: E402

from behaviortypes.segments import TypeFinder, mixture_log_resp  # noqa: E402
from _records import record, recorded_studies  # noqa: E402  (bench/, run as a script)

#: the evidence column of each default model's BIC
COLUMN = {"scaled": "bic", "full": "bic_full", "tscaled": "bic_t", "tVEV": "bic_t_vev"}


def best_fit(tf, k):
    """The choice model with the lowest BIC among ``tf``'s fits with ``k`` types."""
    fits, ev = tf.candidates_[k], tf.evidence_.loc[k]
    usable = [m for m in fits if m in COLUMN and np.isfinite(ev.get(COLUMN[m], np.nan))]
    if not usable:
        return None, None
    m = min(usable, key=lambda m: ev[COLUMN[m]])
    return m, fits[m]


def bhattacharyya(m1, S1, m2, S2):
    S = (S1 + S2) / 2
    diff = m1 - m2
    _, ld = np.linalg.slogdet(S)
    _, l1 = np.linalg.slogdet(S1)
    _, l2 = np.linalg.slogdet(S2)
    db = diff @ np.linalg.solve(S, diff) / 8 + 0.5 * (ld - 0.5 * (l1 + l2))
    return float(np.exp(-db))


def new_type_diagnostics(Z, mix0, mix1):
    """Diagnostics of the k0 + 1 fit's new type (see the module docstring)."""
    p0 = np.exp(mixture_log_resp(Z, mix0)[0])
    p1 = np.exp(mixture_log_resp(Z, mix1)[0])
    l0, l1 = p0.argmax(1), p1.argmax(1)
    k0, k1 = p0.shape[1], p1.shape[1]
    C = np.zeros((k0, k1))
    np.add.at(C, (l0, l1), 1)
    rows, cols = linear_sum_assignment(-C)
    new = int(next(j for j in range(k1) if j not in set(cols)))
    parent = int(C[:, new].argmax())
    par1 = int(cols[list(rows).index(parent)])
    mu, S, pi = mix1.means, mix1.covs, mix1.weights
    d = Z.shape[1]
    pooled = np.einsum("k,kij->ij", pi, S)
    others = [j for j in range(k1) if j != new]

    def maha(a, b, M):
        diff = mu[a] - mu[b]
        return float(np.sqrt(diff @ np.linalg.solve(M, diff)))

    dpool = {j: maha(new, j, pooled) for j in others}
    near = min(dpool, key=dpool.get)
    members = l1 == new
    grand = np.average(mu, axis=0, weights=pi)
    a, b = mu[new] - mu[par1], mu[par1] - grand
    _, ldn = np.linalg.slogdet(S[new])
    _, ldp = np.linalg.slogdet(S[par1])
    return dict(
        new_is_smallest=bool(new == int(np.argmin(pi))),
        share=round(float(pi[new]), 4), n_new=int(members.sum()),
        avepp=round(float(p1[members, new].mean()) if members.any() else np.nan, 3),
        avepp_min1=round(float(min(p1[l1 == j, j].mean() for j in range(k1) if (l1 == j).any())), 3),
        maha_pool=round(dpool[near], 3), maha_own=round(maha(new, near, S[new]), 3),
        near_is_parent=bool(near == par1),
        bc=round(bhattacharyya(mu[new], S[new], mu[near], S[near]), 4),
        leak=round(float(p1[~members, new].sum() / max(p1[:, new].sum(), 1e-12)), 3),
        out_cos=round(float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12)), 3),
        out_ratio=round(float(np.linalg.norm(mu[new] - grand)
                              / (np.linalg.norm(mu[par1] - grand) + 1e-12)), 3),
        vol=round(float(np.exp((ldn - ldp) / (2 * d))), 3),
        labels1=l1,
    )


def study_row(name, st, X, per_point, resamples, bootstrap):
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tf = TypeFinder(random_state=0, n_jobs=1, n_resamples=resamples,
                        n_bootstrap=bootstrap).fit(X, score_rounding=per_point)
    good = st.good
    row = dict(study=name, k=int(st.k), k0=int(tf.k_), model0=tf.method_,
               dequantized=bool(tf.dequantized_))
    Z = ((X - X.mean()) / X.std(ddof=0)).to_numpy()
    if st.k > 1:
        row["ari0"] = round(adjusted_rand_score(st.truth[good], tf.labels_[good]), 3)
        row["sup"] = round(supervised_ari_best(X, st.truth), 3)
    k0, k1 = int(tf.k_), int(tf.k_) + 1
    ev = tf.evidence_
    if k0 >= 2 and k1 in tf.candidates_:
        m0, mix0 = best_fit(tf, k0)
        m1, mix1 = best_fit(tf, k1)
        e1 = ev.loc[k1]
        row.update(model1=m1, dbic=round(float(ev.loc[k1, "bic_best"] - ev.loc[k0, "bic_best"]), 1),
                   passes1=bool(e1["passes"]), size_ok1=bool(e1["size_ok"]),
                   jac_small1=None if not np.isfinite(e1["jaccard_small"]) else round(float(e1["jaccard_small"]), 3),
                   jac_min1=None if not np.isfinite(e1["jaccard_min"]) else round(float(e1["jaccard_min"]), 3),
                   entropy1=round(float(e1["entropy"]), 3),
                   blrt_p1=None if not np.isfinite(e1.get("blrt_p", np.nan)) else float(e1["blrt_p"]))
        if mix1 is not None and mix0 is not None:
            diag = new_type_diagnostics(Z, mix0, mix1)
            l1 = diag.pop("labels1")
            row.update(diag)
            if st.k > 1:
                row["ari1"] = round(adjusted_rand_score(st.truth[good], (l1 + 1)[good]), 3)
    row["secs"] = round(time.perf_counter() - t, 1)
    return row


def studies(suite_name, args):
    if suite_name == "field":
        for kind, seed in field_suite(args.per_kind, seed=args.field_seed):
            if args.kinds and kind not in args.kinds:
                continue
            def make(kind=kind, seed=seed):
                st = make_fieldlike(kind, seed=seed, points=5)
                X, pp = pipeline_scores(st, styles=True, rounding=True)
                return st, X, pp
            yield f"{kind}{seed}", make
    else:
        settings = {"main": lambda: suite(24), "alt": lambda: suite_alt(8)}[suite_name]()
        for i, s in enumerate(settings):
            def make(s=s):
                st = make_planted(**s)
                X, pp = factor_scores(st, rounding=True)
                return st, X, pp
            yield f"{suite_name}{i}", make


def replay(files, dbic_max=10.0, min_distance=2.5, max_width=1.25):
    """Session 16's guard replayed on recorded lines: k right per kind, before and after."""
    import pandas as pd

    t = pd.DataFrame([json.loads(line) for f in files for line in Path(f).read_text().splitlines()
                      if line.strip()])
    for col in ("passes1", "dbic", "maha_pool", "vol"):
        if col not in t:
            t[col] = np.nan
    move = ((t.passes1 == True) & (t.dbic < dbic_max) & (t.maha_pool >= min_distance)  # noqa: E712
            & (t.vol <= max_width) & (t.k0 >= 2))
    t["kind"] = t.study.str.extract(r"^([a-z_]+)", expand=False)
    t["before"], t["after"] = t.k0 == t.k, (t.k0 + move.astype(int)) == t.k
    print(t.groupby("kind")[["before", "after"]].sum().assign(of=t.groupby("kind").size()).to_string())
    print("moved:", ", ".join(f"{s} ({k0} -> {k0 + 1}, truth {k})" for s, k0, k in
                              zip(t.study[move], t.k0[move], t.k[move])) or "none")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["replay"]:
        return replay(argv[1:])
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("suite", choices=["field", "main", "alt"])
    ap.add_argument("--field-seed", type=int, default=40)
    ap.add_argument("--per-kind", type=int, default=30)
    ap.add_argument("--kinds", nargs="+", default=None)
    ap.add_argument("--resamples", type=int, default=4)
    ap.add_argument("--bootstrap", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    done = recorded_studies(args.out)
    for name, make in studies(args.suite, args):
        if name in done:
            continue
        st, X, pp = make()
        row = study_row(name, st, X, pp, args.resamples, args.bootstrap)
        record(args.out, row)


if __name__ == "__main__":
    main()
