"""Session 24: rule PL replayed on every record — the parsimony margin does not hold back a
large, highly stable type of the same model (issue #13; docs/choosing_k.md, "Session 24").

Pre-registered (notes ``_prompts/s24/notes/k24.md``): let k be the engine's choice when it is
the parsimony step's (computed from the evidence; PL does not act when the next-type step,
rule OM or rule W2 moved k). Let k_low be the passing k >= 2 with the lowest best BIC. If
k_low = k + 1, the same choice model has the lowest BIC at k and at k + 1, the k + 1 solution's
smallest type (``min_share_hard``, the size rule's shares) is at least 5 % of the sample
(``SMALL_SHARE``) and its mean Jaccard over the resamples is at least 0.90 (above Hennig 2007's 0.85,
"highly stable"), take k + 1. A function of the recorded evidence (``own_shape_replay.py
run``; no re-fit):

    .venv/bin/python bench/parsimony_large.py /tmp/k2*/*.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from own_shape_replay import COLS, own_shape_next  # noqa: E402
from within_model import parsimony_k, within_model  # noqa: E402

SMALL_SHARE = 0.05  # segments.finder.SMALL_SHARE
HIGHLY_STABLE = 0.90  # mean Jaccard; Hennig (2007) calls >= 0.85 "highly stable"; 0.90 see the docs


def _bics(e: dict) -> dict:
    return {c: e[c] for c in COLS if e.get(c) is not None}


def today_k(row: dict) -> int:
    """The engine's k before PL: the recorded k with rules OM and W2 on records made before."""
    k, _ = within_model(row, shared_only=True)
    return int(k)


def parsimony_large(row: dict):
    """``(k, detail)`` rule PL gives for one record; ``detail`` is None when PL does not act."""
    ev = row["evidence"]
    k = today_k(row)
    if k < 2 or parsimony_k(ev) != k:  # another step moved k (or one group)
        return k, None
    best = {int(j): min(_bics(e).values()) for j, e in ev.items()
            if int(j) >= 2 and e.get("passes") and _bics(e)}
    if not best or min(best, key=best.get) != k + 1:
        return k, None
    e0, e1 = ev[str(k)], ev[str(k + 1)]
    b0, b1 = _bics(e0), _bics(e1)
    m0, m1 = min(b0, key=b0.get), min(b1, key=b1.get)
    if m0 != m1:
        return k, None
    share, jac = e1.get("min_share_hard"), e1.get("jaccard_mean")
    if share is None or jac is None or share < SMALL_SHARE or jac < HIGHLY_STABLE:
        return k, None
    return k + 1, dict(model=COLS[m0], diff=round(min(b0.values()) - min(b1.values()), 1),
                       share=round(share, 3), jaccard=round(jac, 3))


def replay(files) -> None:
    for f in files:
        rows = [json.loads(x) for x in Path(f).read_text().splitlines() if x.strip()]
        rows = [r for r in rows if "evidence" in r]
        typed = before = after = null1 = null_after = 0
        moved = []
        for r in rows:
            k0 = today_k(r)
            k1, d = parsimony_large(r)
            truth = r.get("k")
            if d is not None:
                tag = ("gain" if k1 == truth else "LOSS" if k0 == truth
                       else "real: moves" if truth is None else "still wrong")
                moved.append(f"{r.get('kind', '')} {r['study']} truth {truth}: {k0} → {k1} "
                             f"({d['model']} at both, {d['diff']:+.1f} lower, smallest type "
                             f"{d['share']:.3f}, mean Jaccard {d['jaccard']:.3f}; {tag})")
            if truth == 1:
                null1 += k0 == 1
                null_after += k1 == 1
            elif truth is not None:
                typed += 1
                before += k0 == truth
                after += k1 == truth
        print(f"{f}: typed {typed}, right today {before}, with PL {after}; null one group "
              f"{null1} -> {null_after}; moved {len(moved)}")
        for m in moved:
            print("   ", m)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("files", nargs="+")
    replay(p.parse_args(argv).files)


if __name__ == "__main__":
    main()
