"""mclust's parsimonious models on the own-shape studies: which kinds choose the right k.

For each study the factor scores are computed as in ``bench/choosing_k.py`` (planted:
minres + oblimin with the true number of factors; field-like: the package's
``FactorModel``), standardised as ``TypeFinder`` does, and every model of
``behaviortypes.segments.shapes.KINDS`` is fitted for k = 1..k_max as mclust does it
(one EM per model and k from a hierarchical start, ``shapes.hc_svd_labels``; ridge 0;
fits with a singular type dropped, ``shapes.is_singular``), plus a second start from
k-means (best of 5) with the higher likelihood kept. Per kind the BIC chooses k; the
row gives that k, the ARI of its partition on the good respondents, the ARI at the true
k, and the seconds the kind took over all k. "ICL" is mclust's integrated completed
likelihood (BIC minus twice the classification entropy). "supervised" is the better of
cross-validated LDA and QDA trained on the truth (``supervised_ari_best``).

Usage::

    .venv/bin/python bench/own_shapes.py alt2 field_shapes0 field_shapes1 main0 ...
    .venv/bin/python bench/own_shapes.py alt2 --kinds VVV VVE EVE VEE --kmax 8

Studies: ``altI`` = ``suite_alt(8)[I]``, ``mainI`` = ``suite(24)[I]``,
``field_KINDS`` = ``make_fieldlike(KIND, seed=S)``. One line of JSON per study and kind.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fieldlike import make_fieldlike, pipeline_scores, supervised_ari_best  # noqa: E402
from planted import factor_scores, make_planted, suite, suite_alt  # noqa: E402

from behaviortypes.segments import shapes  # noqa: E402
from behaviortypes.segments._models import mixture_log_resp, quick_kmeans  # noqa: E402


def load(study: str):
    """(name, X DataFrame, truth Series, good mask) of one study."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = re.fullmatch(r"(alt|main)(\d+)", study)
        if m:
            settings = (suite_alt(8) if m.group(1) == "alt" else suite(24))[int(m.group(2))]
            st = make_planted(**settings)
            return st.name, factor_scores(st), st.truth, st.good
        m = re.fullmatch(r"field_([a-z_]+?)(\d+)", study)
        if m:
            st = make_fieldlike(m.group(1), seed=int(m.group(2)))
            return st.name, pipeline_scores(st), st.truth, st.good
    raise SystemExit(f"unknown study {study!r}")


def fit_best(Z, k, kind, hc_start, seed):
    """The higher-likelihood fit of the hc start and a k-means start (None if singular)."""
    fits = []
    starts = [hc_start]
    if k > 1:
        starts.append(quick_kmeans(Z, np.ones(Z.shape[0]), k, n_init=5, seed=seed)[0])
    for lab in starts:
        try:
            m = shapes.fit(Z, None, lab, k, kind)
        except np.linalg.LinAlgError:
            continue
        if np.isfinite(m.loglik) and not shapes.is_singular(m, Z):
            fits.append(m)
    return max(fits, key=lambda m: m.loglik) if fits else None


def run(study: str, kinds, k_max: int, seed: int = 0) -> list[dict]:
    name, X, truth, good = load(study)
    values = X.to_numpy(float)
    Z = (values - values.mean(axis=0)) / values.std(axis=0)
    n = Z.shape[0]
    k_true = int(truth[good].nunique())
    starts = shapes.hc_svd_labels(Z, range(1, k_max + 1))
    sup = supervised_ari_best(X, truth)
    rows = []
    for kind in kinds:
        t = time.perf_counter()
        table = {}
        for k in range(1, k_max + 1):
            m = fit_best(Z, k, kind, starts[k], seed)
            if m is None:
                continue
            log_resp = mixture_log_resp(Z, m)[0]
            resp = np.exp(log_resp)
            entropy = -float(np.sum(resp * log_resp))
            b = shapes.bic(m, n)
            table[k] = (b, b - 2 * entropy, log_resp.argmax(axis=1))
        secs = time.perf_counter() - t
        if not table:
            rows.append(dict(study=name, kind=kind, k=k_true, failed=True))
            continue
        k_bic = max(table, key=lambda k: table[k][0])
        k_icl = max(table, key=lambda k: table[k][1])

        def ari(k):
            return round(float(adjusted_rand_score(truth[good], table[k][2][good.to_numpy()])), 3)

        rows.append(dict(
            study=name, n=n, d=Z.shape[1], kind=kind, k=k_true, k_bic=k_bic, k_icl=k_icl,
            bic=round(table[k_bic][0], 1),
            ari_bic=ari(k_bic), ari_true_k=ari(k_true) if k_true in table else None,
            supervised=round(sup, 3), secs=round(secs, 1),
            bic_true_minus_best=round(table[k_true][0] - table[k_bic][0], 1)
            if k_true in table else None,
        ))
        print(json.dumps(rows[-1]), flush=True)
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("studies", nargs="+")
    parser.add_argument("--kinds", nargs="+", default=list(shapes.KINDS))
    parser.add_argument("--kmax", type=int, default=8)
    args = parser.parse_args(argv)
    rows = []
    for study in args.studies:
        rows += run(study, args.kinds, args.kmax)
    # the best model over all kinds per study (mclust's choice)
    for study in dict.fromkeys(r["study"] for r in rows):
        rs = [r for r in rows if r["study"] == study and "bic" in r]
        best = max(rs, key=lambda r: r["bic"])
        print(f"# {study}: BIC chooses {best['kind']} k={best['k_bic']} (true {best['k']}), "
              f"ARI {best['ari_bic']} vs supervised {best['supervised']}")


if __name__ == "__main__":
    main()
