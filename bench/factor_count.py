"""How often the number of factors is wrong, and what other criteria would say (session 16).

One line of JSON per study: the true number of dimensions (``factors``), ``FactorModel``'s
(``factors_hat``, as the pipeline runs it: the response-style decision first for the
field-like and planted-with-style studies), and what each criterion the retention step
computes says on its own: psych's PA (95th percentile of simulated data, ``pa``), PA
against the simulated *mean* (``pa_mean``), against the resampled data's 95th
percentile (``pa_resampled``), PA on principal-component eigenvalues (``pc``), Velicer's
MAP (``map``), the empirical Kaiser criterion (``ekc``). ``themes`` is the number of
interview themes; ``themes_own`` says whether the solution with that many factors has one
factor per theme (every factor a theme's own: 2+ salient statements |λ| ≥ .25, all of one
theme, and no other factor with a salient statement of that theme).

Usage (``nice -n 10``; one process at a time on the shared machine)::

    .venv/bin/python bench/factor_count.py field --first 40 --last 80     # 7 kinds x 40
    .venv/bin/python bench/factor_count.py planted                        # factor_suites(8, seed=12) + two_three
    .venv/bin/python bench/factor_count.py real                           # tests/data/real
    .venv/bin/python bench/factor_count.py types --studies shapes:30 extreme:48   # the types too
    .venv/bin/python bench/factor_count.py diagnose --studies shapes:30:d1 shapes:51:d3 extreme:48:d7

``types`` runs ``bench/choosing_k.py``'s field row (response-style decision, FactorModel,
TypeFinder with the package's defaults, one job) on the studies named ``kind:seed``.

Run it on two checkouts (before / after a change) and compare ``factors_hat``.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fieldlike import EXTRA_KINDS, KINDS, instrument, make_fieldlike  # noqa: E402
from planted_factors import factor_suites, make_factor_study, themed_instrument  # noqa: E402

from behaviortypes.factors import FactorModel  # noqa: E402
from behaviortypes.factors.model import MINOR_SALIENT, theme_factors  # noqa: E402
from behaviortypes.quality import decide_style_correction  # noqa: E402
from behaviortypes.stages import style_corrected_keyed  # noqa: E402


def first_below(eig: pd.Series, ref: pd.Series) -> int:
    """The number of leading eigenvalues above their reference (psych's ``nfact``)."""
    below = np.flatnonzero(~(eig.to_numpy(float) > ref.to_numpy(float)))
    return int(below[0]) if below.size else len(eig)


def themes_own(X: pd.DataFrame, themes: dict | None) -> tuple[int, bool | None]:
    """(number of themes, whether that many factors give one factor per theme)."""
    if not themes:
        return 0, None
    t = [themes.get(c) for c in X.columns]
    n_t = len({x for x in t if x is not None})
    p = X.shape[1]
    if n_t < 2 or n_t > min(int(np.floor((2 * p + 1 - np.sqrt(8 * p + 1)) / 2)), p - 1):
        return n_t, None  # more factors than the statements identify (Ledermann bound)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fm = FactorModel(n_factors=n_t, random_state=0).fit(X, item_themes=themes)
    A = fm.loadings_.abs().to_numpy()
    main = A.argmax(axis=1)
    sal = A[np.arange(len(A)), main] >= MINOR_SALIENT
    return n_t, len(theme_factors(main, sal, t)) == n_t


def row(name: str, X: pd.DataFrame, themes: dict | None, truth: int | None, **extra) -> dict:
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fm = FactorModel(random_state=0).fit(X, item_themes=themes)
    r, a = fm.retention_, fm.retention_.attrs
    n_t, own = themes_own(X, themes)
    out = dict(study=name, factors=truth, factors_hat=int(fm.n_factors_),
               pa=a["pa_n_factors"], pa_mean=first_below(r.eigenvalue, r.pa_simulated_mean),
               pa_resampled=a["pa_resampled_n_factors"], pc=a["pc_n_components"],
               map=a["map_n_factors"], ekc=a["ekc_n_factors"], themes=n_t, themes_own=own,
               salient=r.loc[fm.n_factors_, "salient"],
               codes=[c["code"] for c in fm.retention_reason_code_][1:], **extra)
    nxt = fm.n_factors_ + 1
    if nxt in r.index:
        out.update(eig_next=round(float(r.loc[nxt, "eigenvalue"]), 3),
                   thr_next=round(float(r.loc[nxt, "pa_threshold"]), 3))
    out["secs"] = round(time.perf_counter() - t0, 1)
    return out


def field_rows(first: int, last: int, kinds) -> list[dict]:
    rows = []
    for seed in range(first, last):
        for kind in kinds:
            st = make_fieldlike(kind, seed=seed)
            inst = instrument(st)
            keyed, used = st.items, False
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                dec = decide_style_correction(st.raw, inst)
            if dec.use:
                keyed, used = style_corrected_keyed(st.raw, inst, dec), True
            rows.append(row(st.name, keyed, inst.item_themes, st.n_dims, kind=kind,
                            seed=seed, k=st.k, style_corrected=used))
            print(json.dumps(rows[-1]), flush=True)
    return rows


def two_three(seed: int) -> dict:
    """4-7 dimensions of 2-3 statements, n 600-2,500 (session 9's setting)."""
    rng = np.random.default_rng(seed)
    m = int(rng.integers(4, 8))
    return dict(n_factors=m, items_per_factor=rng.integers(2, 4, size=m).tolist(),
                n=int(rng.integers(600, 2501)), seed=seed)


def planted_rows() -> list[dict]:
    suites = factor_suites(8, seed=12)
    suites["two_three"] = [two_three(31000 + i) for i in range(8)]
    suites["two_three"].append(dict(n_factors=6, items_per_factor=[3, 3, 2, 3, 2, 2],
                                    n=1109, seed=31003))
    rows = []
    for name, settings in suites.items():
        for i, kw in enumerate(settings):
            X, L = make_factor_study(**kw)
            inst, raw = themed_instrument(X, L)
            for themed in (True, False):
                th = inst.item_themes if themed else None
                rows.append(row(f"{name}#{i}", X, th, kw["n_factors"], suite=name,
                                themed=themed))
                print(json.dumps(rows[-1]), flush=True)
            if name in ("acquiescence", "all"):  # as discover factors them
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    dec = decide_style_correction(raw, inst)
                keyed = style_corrected_keyed(raw, inst, dec) if dec.use else X
                rows.append(row(f"{name}#{i}", keyed, inst.item_themes, kw["n_factors"],
                                suite=name, themed=True, style=bool(dec.use)))
                print(json.dumps(rows[-1]), flush=True)
    return rows


def real_rows() -> list[dict]:
    sys.path.insert(0, str(ROOT / "tests"))
    from test_retention_real import DATA, exact_corr_data, load

    rows = []
    spec = {"bfi": lambda c: c[0], "ability": lambda c: c.split(".")[0],
            "holzinger_swineford1939": lambda c: {"x1": "vis", "x2": "vis", "x3": "vis",
                                                   "x4": "txt", "x5": "txt", "x6": "txt"}
            .get(c, "spd")}
    for name in ["bfi", "ability", "holzinger_swineford1939", "epi", "msq", "thurstone",
                 "harman8", "holzinger", "neo"]:
        X = load(name)
        rows.append(row(name, X, None, None))
        print(json.dumps(rows[-1]), flush=True)
        if name in spec:
            th = {c: spec[name](c) for c in X.columns}
            rows.append(row(name + "+themes", X, th, None))
            print(json.dumps(rows[-1]), flush=True)
    ref = json.loads((DATA / "spi_reference.json").read_text())["spi_b5"]
    X = pd.read_csv(DATA / "spi_b5.csv.gz")
    for th in (None, ref["domains"]):
        rows.append(row("spi" + ("+themes" if th else ""), X, th, None))
        print(json.dumps(rows[-1]), flush=True)
    bref = json.loads((DATA / "big5_ipip_reference.json").read_text())
    R = pd.read_csv(DATA / "big5_ipip_corr.csv", index_col=0)
    X = exact_corr_data(R.to_numpy(float), bref["n_obs"])
    X.columns = [str(c) for c in R.columns]
    for th in (None, {c: c[0] for c in X.columns}):
        rows.append(row("big5_ipip" + ("+themes" if th else ""), X, th, 5))
        print(json.dumps(rows[-1]), flush=True)
    return rows


def types_rows(studies) -> list[dict]:
    from choosing_k import field_row

    rows = []
    for spec in studies:
        kind, seed = spec.split(":")
        r = field_row(kind, int(seed), None, jobs=1)
        rows.append(dict(r, kind=kind, seed=int(seed)))
        print(json.dumps(rows[-1]), flush=True)
    return rows


def diagnose_rows(studies) -> list[dict]:
    """Why a theme is lost (``kind:seed:theme``): the R² of its mean score on the other
    themes' pooled and within the true types, and the count on the answers with each true
    type's item means subtracted (good respondents) and with polychoric correlations."""
    rows = []
    for spec in studies:
        kind, seed, lost = spec.split(":")
        st = make_fieldlike(kind, seed=int(seed))
        th = instrument(st).item_themes
        X, t = st.items[st.good], st.truth[st.good]
        S = pd.DataFrame({d: X[[c for c in X if th[c] == d]].mean(axis=1)
                          for d in sorted(set(th.values()))})

        def r2(D):
            A = np.c_[np.ones(len(D)), D.drop(columns=lost)]
            res = D[lost] - A @ np.linalg.lstsq(A, D[lost], rcond=None)[0]
            return round(float(1 - res.var() / D[lost].var()), 3)

        out = dict(study=st.name, lost=lost, r2_pooled=r2(S),
                   r2_within=r2(S - S.groupby(t).transform("mean")))
        for name, data, kw in (("good", X, {}), ("centred", X - X.groupby(t).transform("mean"), {}),
                               ("polychoric", st.items, dict(corr="polychoric"))):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fm = FactorModel(random_state=0, **kw).fit(data, item_themes=th)
            r, a = fm.retention_, fm.retention_.attrs
            out[name] = dict(kept=int(fm.n_factors_), pa=a["pa_n_factors"], map=a["map_n_factors"],
                             eig=round(float(r.loc[st.n_dims, "eigenvalue"]), 3),
                             threshold=round(float(r.loc[st.n_dims, "pa_threshold"]), 3))
        rows.append(out)
        print(json.dumps(out), flush=True)
    return rows


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("suite", choices=["field", "planted", "real", "types", "diagnose"])
    p.add_argument("--studies", nargs="+", default=[],
                   help="types: kind:seed ...; diagnose: kind:seed:theme ...")
    p.add_argument("--first", type=int, default=40)
    p.add_argument("--last", type=int, default=80, help="exclusive")
    p.add_argument("--kinds", nargs="+", default=list(KINDS) + list(EXTRA_KINDS))
    args = p.parse_args(argv)
    rows = {"field": lambda: field_rows(args.first, args.last, args.kinds),
            "planted": planted_rows, "real": real_rows,
            "types": lambda: types_rows(args.studies),
            "diagnose": lambda: diagnose_rows(args.studies)}[args.suite]()
    t = pd.DataFrame(rows)
    known = t[t.factors.notna()] if "factors" in t else t.iloc[:0]
    if len(known):
        diff = known.factors_hat - known.factors
        print(f"# right {int((diff == 0).sum())}/{len(known)}, one short "
              f"{int((diff == -1).sum())}, more short {int((diff < -1).sum())}, "
              f"over {int((diff > 0).sum())}")


if __name__ == "__main__":
    main()
