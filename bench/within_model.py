"""Session 23: rule W replayed on every record — one type more must also be very strongly
better within the model that won at k - 1 (issue #13; docs/choosing_k.md, "Session 23").

Pre-registered (notes ``_prompts/s23/notes/k23.md``, 01:41 UTC): let k be the engine's choice
when it is the parsimony step's (computed from the evidence; W does not act when the
next-type step or rule OM added the type). If k >= 3, the k - 1 row has ``size_ok`` and
``passes``, M is the choice model with the lowest BIC at k - 1, the model with the lowest BIC
at k is not M, M's BIC at k is finite and ``BIC_M(k) > BIC_M(k-1) - 10`` (the parsimony
margin), take k - 1. A function of the recorded evidence (``own_shape_replay.py run``):

    .venv/bin/python bench/within_model.py /tmp/k2*/*.jsonl [--shared-only]

Not adopted (docs/choosing_k.md, "Session 23"): W loses 11 right studies of the records, in
each of which an own-shape model won at k - 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from own_shape_replay import COLS, own_shape_next  # noqa: E402

STRONG = 10.0  # the rule's parsimony margin (segments.finder._STRONG_BIC)


def _bics(e: dict) -> dict:
    return {c: e[c] for c in COLS if e.get(c) is not None}


def parsimony_k(ev: dict):
    """The parsimony step's k from an evidence table: the fewest passing k >= 2 whose best
    BIC is within ``STRONG`` of the lowest passing one (None when none passes)."""
    best = {int(j): min(_bics(e).values()) for j, e in ev.items()
            if int(j) >= 2 and e.get("passes") and _bics(e)}
    if not best:
        return None
    low = min(best.values())
    return min(j for j, b in best.items() if b <= low + STRONG)


def today_k(row: dict) -> int:
    """The engine's k today: the recorded k, plus rule OM's step on records made before it."""
    k, _ = own_shape_next(row, 20.0, own_minimum=True)
    return int(k)


def within_model(row: dict, margin: float = STRONG, shared_only: bool = False):
    """``(k, detail)`` rule W gives for one record; ``detail`` is None when W does not act.
    ``shared_only``: variant W2 (pre-registered 01:42 UTC after W's replay on the records of
    sessions 20-22): only when the model that won at k - 1 is a shared-shape one."""
    ev, k = row["evidence"], today_k(row)
    if k < 3 or parsimony_k(ev) != k or str(k - 1) not in ev:
        return k, None
    prev, cur = ev[str(k - 1)], ev[str(k)]
    if not (prev.get("size_ok") and prev.get("passes")):
        return k, None
    b_prev, b_cur = _bics(prev), _bics(cur)
    if not b_prev or not b_cur:
        return k, None
    m = min(b_prev, key=b_prev.get)
    if shared_only and COLS[m] not in ("scaled", "tscaled"):
        return k, None
    if min(b_cur, key=b_cur.get) == m or b_cur.get(m) is None:
        return k, None
    within = b_cur[m] - b_prev[m]
    if within > -margin:
        return k - 1, dict(model=COLS[m], within=round(within, 1),
                           winner=COLS[min(b_cur, key=b_cur.get)],
                           across=round(min(b_cur.values()) - b_prev[m], 1))
    return k, None


def replay(files, margin: float = STRONG, shared_only: bool = False) -> None:
    for f in files:
        rows = [json.loads(x) for x in Path(f).read_text().splitlines() if x.strip()]
        rows = [r for r in rows if "evidence" in r]  # (rows of other benches have none)
        typed = before = after = null1 = null_after = 0
        moved = []
        for r in rows:
            k0 = today_k(r)
            k1, d = within_model(r, margin, shared_only)
            truth = r.get("k")
            if d is not None:
                tag = ("gain" if k1 == truth else "LOSS" if k0 == truth
                       else "real: moves" if truth is None else "still wrong")
                moved.append(f"{r.get('kind', '')} {r['study']} truth {truth}: {k0} → {k1} "
                             f"({d['model']} won at {k1}, within it {d['within']:+.1f}; "
                             f"{d['winner']} at {k0} {d['across']:+.1f}; {tag})")
            if truth == 1:
                null1 += k0 == 1
                null_after += k1 == 1
            elif truth is not None:
                typed += 1
                before += k0 == truth
                after += k1 == truth
        print(f"{f}: typed {typed}, right today {before}, with W {after}; null one group "
              f"{null1} -> {null_after}; moved {len(moved)}")
        for m in moved:
            print("   ", m)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("files", nargs="+")
    p.add_argument("--margin", type=float, default=STRONG)
    p.add_argument("--shared-only", action="store_true", help="variant W2")
    args = p.parse_args(argv)
    replay(args.files, args.margin, args.shared_only)


if __name__ == "__main__":
    main()
