"""Benchmark: ``typing-tool OUT --score ANSWERS --out TYPED.csv`` — seconds and peak memory by rows.

Usage::

    .venv/bin/python bench/typing_score.py                        # 140k and 1M rows
    .venv/bin/python bench/typing_score.py --rows 140k,1M,3M --json figures.json

It builds (once, cached under ``bench/.data/typing/``) a planted study's typing tool — 12
golden statements chosen from 40 on a 1-5 scale, three types — and, per size, an answers file
shaped as user trial 8's: an id column, the 12 golden statements and 52 other columns (65
in all), 3 % blank answers and 2 % of respondents with too few answers. Each run types
the file in a fresh **subprocess** with :func:`behaviortypes.deliver.score_answers_file`
and measures:

* ``seconds`` — the typing call (reading, checking, typing, writing);
* ``wall s`` — the whole child, imports included;
* ``peak MiB`` — the child's own high-water mark (Linux ``VmHWM``; ``ru_maxrss`` would
  include the parent's memory at fork);
* ``CPU s`` — user + system CPU of the child.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data" / "typing"
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

N_ITEMS, N_GOLDEN, N_OTHER, K = 40, 12, 52, 3
CHUNK = 100_000


def parse_rows(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    mult = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * mult)


def label(n: int) -> str:
    return f"{n / 1_000_000:g}M" if n >= 1_000_000 else f"{n // 1_000}k"


def make_study() -> Path:
    """A discovery folder with a typing tool built on 1,500 planted respondents (cached)."""
    import yaml

    from behaviortypes.instrument import load_instrument
    from behaviortypes.lookalike import build_typing_tool
    from behaviortypes.readers import keyed_items, read_responses

    disc = DATA / "discovery"
    DATA.mkdir(parents=True, exist_ok=True)
    (DATA.parent / ".gitignore").write_text("*\n")  # generated data stays out of git
    if (disc / "typing_tool.yaml").is_file():
        return disc
    survey = DATA / "survey"
    survey.mkdir(parents=True, exist_ok=True)
    disc.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    truth = rng.integers(1, K + 1, size=1500)
    centres = rng.uniform(1.8, 4.2, size=(K, N_ITEMS))
    answers = np.clip(np.rint(centres[truth - 1] + rng.normal(0, 0.8, size=(1500, N_ITEMS))), 1, 5)
    items = [f"s{j + 1:02d}" for j in range(N_ITEMS)]
    frame = pd.DataFrame(answers.astype(int), columns=items)
    frame.insert(0, "respondent_id", [f"P{i:05d}" for i in range(1500)])
    frame.to_csv(survey / "responses.csv", index=False)
    doc = {"name": "Typing bench", "language": "en", "id_column": "respondent_id", "scale": {"min": 1, "max": 5},
           "items": [{"id": i, "text": f"Statement {i}", "reverse": False} for i in items]}
    (survey / "instrument.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    instrument = load_instrument(survey / "instrument.yaml")
    responses = read_responses(survey / "responses.csv", instrument)
    labels = pd.Series(truth, index=responses.index, name="type_id")
    tool = build_typing_tool(keyed_items(responses, instrument), labels, instrument=instrument,
                             type_names={1: "The planner", 2: "The bargain hunter", 3: "The impulse buyer"},
                             random_state=0, max_items=N_GOLDEN, target=2.0)
    tool.to_yaml(disc / "typing_tool.yaml")
    (disc / "source.json").write_text(json.dumps({"instrument": instrument.to_dict()}), encoding="utf-8")
    return disc


def make_answers(disc: Path, n: int) -> Path:
    """``n`` respondents' answers, 65 columns, written a chunk at a time (cached)."""
    from behaviortypes.deliver import load_typing_spec

    path = DATA / f"answers_{label(n)}.csv"
    if path.is_file():
        return path
    golden = load_typing_spec(disc).items
    others = [f"x{j:02d}" for j in range(N_OTHER)]
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        for start in range(0, n, CHUNK):
            m = min(CHUNK, n - start)
            rng = np.random.default_rng(start)
            data = rng.integers(1, 6, size=(m, N_GOLDEN)).astype(object)
            data[rng.random(data.shape) < 0.03] = ""
            data[rng.random(m) < 0.02, : N_GOLDEN - 3] = ""  # too few answers: not typed
            frame = pd.DataFrame(data, columns=golden)
            frame.insert(0, "respondent_id", [f"R{i:08d}" for i in range(start, start + m)])
            for j, col in enumerate(others):
                frame[col] = rng.integers(0, 100, size=m) if j % 2 else "text"
            frame.to_csv(fh, index=False, header=start == 0)
    tmp.replace(path)
    return path


CHILD = r"""
import re, sys, time, json
from pathlib import Path
t0 = time.perf_counter()
from behaviortypes.deliver import score_answers_file
t1 = time.perf_counter()
result = score_answers_file(sys.argv[1], sys.argv[2], sys.argv[3], csv_dialect="excel")
t2 = time.perf_counter()
rows = result.n_rows if hasattr(result, "n_rows") else len(result)
hwm = int(re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text()).group(1))
print(json.dumps({"seconds": t2 - t1, "rows": rows, "peak_mib": hwm / 1024}))
"""


def run_one(disc: Path, answers: Path, code_root: Path) -> dict:
    out = DATA / f"typed_{answers.stem}.csv"
    disc, answers = disc.resolve(), answers.resolve()
    env = {**os.environ, "PYTHONPATH": str(code_root)}  # and run there: `python -c` imports from its cwd
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(disc), str(answers), str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=code_root)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    stdout, stderr = proc.stdout.read(), proc.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(stderr)
    figures = json.loads(stdout.strip().splitlines()[-1])
    return {"rows": figures["rows"], "seconds": round(figures["seconds"], 2), "wall_s": round(wall, 2),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 2), "peak_mib": round(figures["peak_mib"], 1),
            "out_bytes": out.stat().st_size}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="140k,1M", help="sizes, e.g. 140k,1M")
    parser.add_argument("--code", type=Path, default=ROOT,
                        help="the behaviortypes checkout to measure (e.g. an older commit's, for before/after)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    disc = make_study()
    rows = []
    for n in (parse_rows(r) for r in args.rows.split(",")):
        answers = make_answers(disc, n)
        rows.append({"size": label(n), **run_one(disc, answers, args.code)})
        r = rows[-1]
        print(f"{r['size']:>6}: {r['seconds']:7.1f} s typing, {r['wall_s']:7.1f} s wall, {r['cpu_s']:7.1f} CPU s, "
              f"peak {r['peak_mib']:7.1f} MiB ({r['rows']:,} rows, {r['rows'] / r['seconds']:,.0f} rows/s)", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
