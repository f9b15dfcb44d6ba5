"""Session 23, rule D: the dip along the two-type split read over several draws of the
answers' rounding (``segments.unimodal.DIP_DRAWS``) instead of one (issue #13; docs/choosing_k.md,
"Session 23").

Re-fits the studies named (as the records of ``own_shape_replay.py run`` were made: the
package's defaults but ``n_bootstrap=0`` and the four choice models given, seed 0) with
today's engine, and prints for each the dip's p of one draw (the rule before: the draw the
engine made then) and the median over the draws (rule D), the k the engine gives with D, and
the p of 40 other single draws on the same fit (how much one draw varies).

    nice -n 10 .venv/bin/python bench/dip_draws.py null:133 null:97 real:gss82
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import behaviortypes.segments.finder as finder  # noqa: E402
from behaviortypes.segments import unimodal  # noqa: E402
from own_shape_replay import MODELS, real_row  # noqa: E402


def _one_draw(cap, seed):
    """The dip of one draw seeded ``seed`` (the rule before D when ``seed`` is the engine's)."""
    Z, mix = cap["Z"], cap["mix"]
    a = unimodal.fisher_direction(mix.means, mix.covs, mix.weights)
    shift = None if cap["rounding"] is None else np.asarray(cap["rounding"], float) @ a
    w = cap["w"]
    y = unimodal._drawn(Z @ a, shift, None if w is None else np.asarray(w, float),  # noqa: SLF001
                        np.random.default_rng(seed))
    return unimodal._dip_of(y)  # noqa: SLF001


def study(spec: str) -> dict:
    """Re-fit one study (``kind:seed`` of tests/fieldlike.py, or ``real:name``)."""
    from choosing_k import field_row

    cap = {}
    orig = finder.split_dip

    def spy(Z, mix, weights=None, seed=0, rounding=None):
        cap.update(Z=np.asarray(Z, float), mix=mix, w=weights, seed=seed, rounding=rounding)
        return orig(Z, mix, weights=weights, seed=seed, rounding=rounding)

    finder.split_dip = spy
    try:
        kind, name = spec.split(":")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            row = real_row(name, 1) if kind == "real" else field_row(
                kind, int(name), None, 1, models=MODELS)
    finally:
        finder.split_dip = orig
    out = dict(study=spec, k=row.get("k"), k_D=row["k_hat"], model=row["model"])
    if cap:
        d = orig(cap["Z"], cap["mix"], weights=cap["w"], seed=cap["seed"], rounding=cap["rounding"])
        ps = [_one_draw(cap, s).p for s in range(40)]
        out.update(p_one=round(_one_draw(cap, cap["seed"]).p, 3), p_D=round(d.p, 3),
                   p40=[round(float(x), 2) for x in np.percentile(ps, [0, 25, 50, 75, 100])],
                   share_one_mode=round(float(np.mean(np.array(ps) >= unimodal.DIP_MIN_P)), 2))
    return out


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("studies", nargs="+", help="kind:seed (tests/fieldlike.py) or real:name")
    p.add_argument("--out", default=None, help="append one JSON line per study here")
    args = p.parse_args(argv)
    for spec in args.studies:
        line = json.dumps(study(spec))
        print(line, flush=True)
        if args.out:
            with open(args.out, "a") as fh:
                fh.write(line + "\n")


if __name__ == "__main__":
    main()
