"""Session 21: replay of session 20's candidate own-shape rule on every recorded study.

The rule (``docs/choosing_k.md``, "Session 20"; pre-registered unchanged in session 21):
after the engine's choice k (k >= 2), when the winning model at k is an own-shape one
(Gaussian ``full`` or t ``VEV``), the k + 1 row of the evidence has ``size_ok`` and
``passes``, and the best own-shape BIC at k + 1 is less than ``bound`` (20) points above
k's best BIC, take k + 1. It is a function of the evidence table alone, so each study is
fitted once (the package's defaults, every k's BIC per model recorded) and any bound is
replayed offline.

    # record (one JSON line per study; a stopped run resumes after the studies it has)
    nice -n 10 .venv/bin/python bench/own_shape_replay.py run --suite field --kinds shapes \
        --seeds 24 32 --out /tmp/k21/shapes.jsonl
    nice -n 10 .venv/bin/python bench/own_shape_replay.py run --suite alt --out /tmp/k21/alt.jsonl
    nice -n 10 .venv/bin/python bench/own_shape_replay.py run --suite real --out /tmp/k21/real.jsonl
    # replay (also reads bench/unseen_seeds.py's and bench/choosing_k.py's rows)
    .venv/bin/python bench/own_shape_replay.py replay /tmp/k21/*.jsonl --bound 20

Session 22: the ``--own-minimum`` variant (rule OM) is in the engine (``segments/ownshape.py``,
on by default); records made with it have OM's k as ``k_hat``, so replaying the rule on them
asks whether it would move k once more (it takes one step only: read them as the new rule).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _records import record, recorded_studies  # noqa: E402
from choosing_k import _fit_row, field_row, planted_row  # noqa: E402
from discover import _cpu_s  # noqa: E402

MODELS = ["scaled", "full", "tscaled", "tVEV"]  # the package's default choice models
COLS = {"bic": "scaled", "bic_full": "full", "bic_t": "tscaled", "bic_t_vev": "tVEV"}
OWN = ("full", "tVEV")
REAL = {"bfi": 4, "epi": 4, "election": 3, "ds14": None}  # the engine's k before (docs)
# session 22: the other raw item-level sets of tests/data/real (first recorded then)
REAL_MORE = ("ability", "holzinger_swineford1939", "msq", "spi_b5", "gss82")


def _own_minimum(ev: dict, k: int) -> bool:
    """Whether k has the lowest best BIC among the recorded solutions that pass (k was not
    kept by the parsimony margin against a larger k)."""
    best = {int(j): min(e[c] for c in COLS if e.get(c) is not None) for j, e in ev.items()
            if int(j) >= 2 and e.get("passes") and any(e.get(c) is not None for c in COLS)}
    return bool(best) and min(best, key=best.get) == k


def own_shape_next(row: dict, bound: float = 20.0, own_minimum: bool = False):
    """``(k, diff)`` the rule gives for one recorded study: ``diff`` is the best own-shape
    BIC at k + 1 minus the best BIC at the chosen k when the rule fires, else None.
    ``own_minimum``: the variant formed after session 21's replay (not pre-registered):
    only when k is the BIC's own minimum among passing solutions."""
    ev, k = row["evidence"], int(row["k_hat"])
    if k < 2 or str(k + 1) not in ev or str(k) not in ev:
        return k, None
    if own_minimum and not _own_minimum(ev, k):
        return k, None
    e, e1 = ev[str(k)], ev[str(k + 1)]
    bics = {c: e[c] for c in COLS if e.get(c) is not None}
    if not bics or COLS[min(bics, key=bics.get)] not in OWN:
        return k, None
    if not (e1.get("size_ok") and e1.get("passes")):
        return k, None
    own = [e1[c] for c in ("bic_full", "bic_t_vev") if e1.get(c) is not None]
    if not own:
        return k, None
    diff = min(own) - min(bics.values())
    return (k + 1, round(diff, 1)) if diff < bound else (k, None)


def real_row(name: str, jobs: int) -> dict:
    """A real data set as bench/flat_one_group.py reads it (rows under 10 % missing, the
    median answer in the rest; ``FactorModel``, then ``TypeFinder`` with the defaults)."""
    import pandas as pd

    from behaviortypes.factors import FactorModel

    base = Path(__file__).resolve().parents[1] / "tests" / "data" / "real"
    d = pd.read_csv(base / f"{name}.csv.gz")
    d = d.drop(columns=[c for c in ("respondent_id", "gender", "age") if c in d])
    d = d.loc[d.isna().mean(axis=1) < 0.1]
    d = d.fillna(d.median())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fm = FactorModel(random_state=0).fit(d)
        X = fm.transform(d)

    class _Real:  # what _fit_row reads of a study (no truth: k = 1 skips the ARI)
        k, good = 1, None

    st = _Real()
    st.name = name
    row = _fit_row(st, X, None, jobs, 0, MODELS, fm.score_weights_per_point())
    row.update(k=None, factors_hat=X.shape[1], k_before=REAL.get(name))
    return row


def studies(args):
    """(name, maker of a row) per study of the suite asked for."""
    if args.suite == "field":
        for seed in range(*args.seeds):
            for kind in args.kinds:
                yield f"{kind}{seed}", (lambda kind=kind, seed=seed: dict(
                    field_row(kind, seed, None, args.jobs, models=MODELS), kind=kind, seed=seed))
    elif args.suite == "real":
        for name in args.names or REAL:
            yield name, (lambda name=name: real_row(name, args.jobs))
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
        from planted import suite, suite_alt

        settings = suite(24) if args.suite == "main" else suite_alt(8)
        for i, s in enumerate(settings):
            yield f"{args.suite}{i}", (lambda s=s, i=i: dict(
                planted_row(s, None, args.jobs, models=MODELS), kind=args.suite, seed=i))


def run(args) -> None:
    done = recorded_studies(Path(args.out))
    for name, make in studies(args):
        if name in done:
            continue
        c0, t0 = _cpu_s(), time.perf_counter()
        row = make()
        row.update(study=name, cpu_s=round(_cpu_s() - c0, 1),
                   wall_s=round(time.perf_counter() - t0, 1))
        record(Path(args.out), row)


def replay(files, bound: float, own_minimum: bool = False) -> None:
    """Per suite: right before and with the rule; every study the rule moves."""
    for f in files:
        rows = [json.loads(x) for x in Path(f).read_text().splitlines() if x.strip()]
        before = after = typed = 0
        moved = []
        for r in rows:
            k_new, diff = own_shape_next(r, bound, own_minimum)
            truth = r.get("k")
            if diff is not None:
                tag = ("gain" if k_new == truth else "LOSS" if r["k_hat"] == truth
                       else "real: moves" if truth is None else "still wrong")
                moved.append(f"{r.get('kind', '')} {r['study']} {truth} "
                             f"{r['k_hat']} → {k_new} ({diff:+.1f}; {tag})")
            if truth is not None and truth > 1:
                typed += 1
                before += r["k_hat"] == truth
                after += k_new == truth
        print(f"{f}: typed {typed}, right before {before}, with the rule {after}; "
              f"moved {len(moved)}")
        for m in moved:
            print("   ", m)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--suite", choices=["field", "main", "alt", "real"], required=True)
    r.add_argument("--seeds", type=int, nargs=2, default=[24, 32])
    r.add_argument("--kinds", nargs="+", default=["shapes"])
    r.add_argument("--jobs", type=int, default=2)
    r.add_argument("--names", nargs="+", default=None,
                   help="real: these sets of tests/data/real (default: " + ", ".join(REAL)
                   + "; session 22 added " + ", ".join(REAL_MORE) + ")")
    r.add_argument("--out", required=True)
    q = sub.add_parser("replay")
    q.add_argument("files", nargs="+")
    q.add_argument("--bound", type=float, default=20.0)
    q.add_argument("--own-minimum", action="store_true",
                   help="the post-hoc variant: only when k is the BIC's own minimum")
    args = p.parse_args(argv)
    if args.cmd == "run":
        run(args)
    else:
        replay(args.files, args.bound, args.own_minimum)


if __name__ == "__main__":
    main()
