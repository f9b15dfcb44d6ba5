"""Latent class models on the statements against the types engine: docs/lca.md.

For each study: k chosen by BIC (k = 1..k_max) for the two latent class models of
``behaviortypes.segments.lca`` fitted on the keyed Likert answers (``ordinal``: the
adjacent-category logit, Latent GOLD's default; ``multinomial``: poLCA's model), the
ARI of their classes with the truth on the good respondents (``ari_*``) and, to tell
the model from the choice of k, the ARI of the same model at the true k
(``ari_*_truek``), the same models with k chosen by ICL-BIC (``k_*_icl``) and at the engine's k (``ari_*_enginek``: the latent class model as
a second model at a k chosen by the engine); beside them the engine (``TypeFinder`` on the factor scores, as
``bench/choosing_k.py`` runs it) and the supervised ceiling (the better of a 5-fold
cross-validated LDA and QDA trained on the truth, on the factor scores:
``supervised``; on the answers themselves: ``supervised_items``).

Suites:

* ``field`` — ``tests/fieldlike.py::field_suite(per_kind)``: factor scores through the
  package's own response-style decision and ``FactorModel`` (``pipeline_scores``);
* ``main``  — ``tests/planted.py::suite(24)`` (+ its null study);
* ``alt``   — ``tests/planted.py::suite_alt(8)`` (own shapes, t5 tails).

One JSON line per study, then a summary per method. Usage::

    nice -n 10 .venv/bin/python bench/lca.py field --per-kind 2
    nice -n 10 .venv/bin/python bench/lca.py field --per-kind 8 --kinds few_items
    nice -n 10 .venv/bin/python bench/lca.py main --first 0 --last 8
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
from sklearn.metrics import adjusted_rand_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fieldlike import (  # noqa: E402
    field_suite,
    make_fieldlike,
    pipeline_scores,
    supervised_ari_best,
)
from planted import factor_scores, make_planted, suite, suite_alt  # noqa: E402

from behaviortypes.segments import TypeFinder  # noqa: E402
from behaviortypes.segments.lca import choose_n_classes  # noqa: E402

METHODS = ("engine", "ordinal", "multinomial", "ordinal_icl", "multinomial_icl")


def study_row(st, X, *, k_max: int, n_init: int, jobs: int) -> dict:
    """Fit the engine and both latent class models on one study."""
    good = st.good.to_numpy()
    truth = st.truth.to_numpy()
    row = dict(study=st.name, k=st.k, n=len(truth), items=st.items.shape[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = time.perf_counter()
        tf = TypeFinder(random_state=0, n_jobs=jobs).fit(X)
        row.update(k_engine=int(tf.k_), secs_engine=round(time.perf_counter() - t, 1))
        if st.k > 1:
            row["ari_engine"] = round(adjusted_rand_score(truth[good], tf.labels_[good]), 3)
        for ind in ("ordinal", "multinomial"):
            t = time.perf_counter()
            ch = choose_n_classes(st.items, k_max=k_max, indicator=ind, n_init=n_init,
                                  random_state=0)
            row[f"k_{ind}"] = ch.k
            row[f"secs_{ind}"] = round(time.perf_counter() - t, 1)
            if st.k > 1:
                row[f"ari_{ind}"] = round(
                    adjusted_rand_score(truth[good], ch.model.labels_[good]), 3)
                for col, kk in ((f"ari_{ind}_truek", st.k), (f"ari_{ind}_enginek", tf.k_)):
                    if kk in ch.models:
                        row[col] = round(adjusted_rand_score(
                            truth[good], ch.models[kk].labels_[good]), 3)
            k_icl = int(ch.table.k[ch.table.icl.idxmin()])
            row[f"k_{ind}_icl"] = k_icl
            if st.k > 1:
                row[f"ari_{ind}_icl"] = round(adjusted_rand_score(
                    truth[good], ch.models[k_icl].labels_[good]), 3)
            row[f"bic_{ind}"] = {int(r.k): round(float(r.bic), 1) for r in ch.table.itertuples()}
        if st.k > 1:
            row["supervised"] = round(supervised_ari_best(X, st.truth), 3)
            row["supervised_items"] = round(supervised_ari_best(st.items, st.truth), 3)
    return row


def summary(rows: list[dict]) -> dict:
    """Per method: k right, mean ARI, mean gap to the supervised ceiling, seconds."""
    table = pd.DataFrame(rows)
    typed = table[table.k > 1]
    out = {}
    for m in METHODS:
        null = table[table.k == 1]
        s = {}
        if len(null):
            s["null_called_one"] = f"{int((null[f'k_{m}'] == 1).sum())}/{len(null)}"
        out[m] = s
        if not len(typed):
            continue
        right = typed[f"k_{m}"] == typed.k
        gap = typed[f"ari_{m}"] - typed.supervised
        s.update(k_right=f"{int(right.sum())}/{len(typed)}",
                 ari_mean=round(float(typed[f"ari_{m}"].mean()), 3),
                 gap_mean=round(float(gap.mean()), 3), gap_worst=round(float(gap.min()), 3),
                 within_003=f"{int((gap >= -0.03).sum())}/{len(typed)}",
                 secs_mean=round(float(table[f"secs_{m.split('_')[0]}"].mean()), 1))
        if m in ("ordinal", "multinomial"):
            s["ari_truek_mean"] = round(float(typed[f"ari_{m}_truek"].mean()), 3)
            if f"ari_{m}_enginek" in typed:
                gap_e = typed[f"ari_{m}_enginek"] - typed.supervised
                s["ari_enginek_mean"] = round(float(typed[f"ari_{m}_enginek"].mean()), 3)
                s["enginek_within_003"] = f"{int((gap_e >= -0.03).sum())}/{len(typed)}"
    if not len(typed):
        return out
    out["supervised_mean"] = round(float(typed.supervised.mean()), 3)
    out["supervised_items_mean"] = round(float(typed.supervised_items.mean()), 3)
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite", choices=["field", "main", "alt"])
    parser.add_argument("--per-kind", type=int, default=2, help="field: studies per kind")
    parser.add_argument("--kinds", nargs="+", default=None, help="field: only these kinds")
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--last", type=int, default=None, help="exclusive")
    parser.add_argument("--k-max", type=int, default=8)
    parser.add_argument("--n-init", type=int, default=5, help="EM starts per k")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args(argv)
    rows = []
    if args.suite == "field":
        for kind, seed in field_suite(args.per_kind)[args.first:args.last]:
            if args.kinds and kind not in args.kinds:
                continue
            st = make_fieldlike(kind, seed=seed)
            X = pipeline_scores(st)
            rows.append(study_row(st, X, k_max=args.k_max, n_init=args.n_init, jobs=args.jobs))
            print(json.dumps(rows[-1]), flush=True)
    else:
        settings = suite(24) if args.suite == "main" else suite_alt(8)
        for s in settings[args.first:args.last]:
            st = make_planted(**s)
            rows.append(study_row(st, factor_scores(st), k_max=args.k_max,
                                  n_init=args.n_init, jobs=args.jobs))
            print(json.dumps(rows[-1]), flush=True)
    print(json.dumps({"summary": summary(rows)}), flush=True)


if __name__ == "__main__":
    main()
