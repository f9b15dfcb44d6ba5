"""Benchmark the types engine: time and peak memory of ``TypeFinder.fit``.

Emulates the discovery pipeline on planted studies of 1,000 / 5,000 / 20,000
respondents x 60 five-point items (6 latent dimensions x 10 items, 4 types):
EFA factor scores (minres + oblimin) -> ``TypeFinder(n_resamples=200).fit``.

With ``--demo`` it times ``pipeline.discover`` end to end on the demo study
(``behaviortypes demo``'s survey: 1,200 respondents, generated with seed 0) with the
defaults a notebook user gets (30 resamples, 20 bootstrap draws; with and without the
UMAP map), and ``TypeFinder.fit``
alone on its factor scores; CPU seconds (this process and its joblib workers) are shown
beside the wall time, since the machine may be shared. ``--demo --fresh`` runs each
repeat in a new Python process, as a notebook kernel's or the CLI's first call.

Usage::

    .venv/bin/python bench/discover.py [--sizes 1000 5000 20000] [--resamples 200] [--jobs 2]
    .venv/bin/python bench/discover.py --demo [--resamples 30]
    .venv/bin/python bench/discover.py --demo --fresh [--repeat 3]

Peak memory is the maximum resident set size of this process and of the joblib
workers (``resource.getrusage``), in MiB. Timings depend on the machine's load.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from planted import factor_scores, make_planted  # noqa: E402

from behaviortypes.errors import SurveyQualityWarning  # noqa: E402
from behaviortypes.segments import TypeFinder  # noqa: E402


def _peak_mib() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return me, kids


def _cpu_s() -> float:
    """CPU seconds of this process and of its (live) joblib workers."""
    import os

    try:
        import psutil  # not a dependency of the package; installed with the test tools
    except ImportError:  # pragma: no cover - this process only
        return time.process_time()
    me = psutil.Process(os.getpid())
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        try:
            total += sum(child.cpu_times()[:2])
        except psutil.Error:  # pragma: no cover - a worker that just exited
            pass
    return total


def demo(resamples: int, repeat: int) -> None:
    """Time ``discover`` on the demo study (1,200 respondents) with its defaults."""
    import tempfile

    import pandas as pd

    from behaviortypes import pipeline
    from behaviortypes.synth import make_study

    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        make_study(f"{tmp}/demo", seed=0, n_customers=5000)
        print(f"{'step':>22} {'k':>3} {'wall_s':>7} {'cpu_s':>7}")
        for _ in range(repeat):
            for make_map, label in ((True, "discover (with map)"), (False, "discover (no map)")):
                c0, t0 = _cpu_s(), time.perf_counter()
                res = pipeline.discover(f"{tmp}/demo", f"{tmp}/out", n_resamples=resamples,
                                        make_map=make_map)
                print(f"{label:>22} {res.solution['k']:>3} "
                      f"{time.perf_counter() - t0:>7.1f} {_cpu_s() - c0:>7.1f}", flush=True)
            X = pd.read_csv(f"{tmp}/out/scores.csv", index_col=0)
            c0, t0 = _cpu_s(), time.perf_counter()
            tf = TypeFinder(n_resamples=resamples, random_state=0).fit(X)
            print(f"{'TypeFinder.fit':>22} {tf.k_:>3} {time.perf_counter() - t0:>7.1f} "
                  f"{_cpu_s() - c0:>7.1f}", flush=True)


_FRESH = """
import json, os, sys, time, warnings
t0 = time.perf_counter()
from behaviortypes import pipeline
t1 = time.perf_counter()
import psutil

me = psutil.Process(os.getpid())


def _cpu():  # (this process, its live joblib workers) in CPU seconds
    kids = 0.0
    for c in me.children(recursive=True):
        try:
            kids += sum(c.cpu_times()[:2])
        except psutil.Error:
            pass
    return sum(me.cpu_times()[:2]), kids


warnings.simplefilter("ignore")
calls, summaries = [], []
for i in range(2):
    marks = []

    def say(message, marks=marks):
        marks.append((message, time.perf_counter(), *_cpu()))

    say("start")
    res = pipeline.discover(sys.argv[1], sys.argv[2] + str(i), n_resamples=int(sys.argv[3]), progress=say)
    say("end")
    calls.append(marks)
    # what notebook 04 and the CLI print next: the summary (wall s, CPU s of this process)
    s0, c0 = time.perf_counter(), _cpu()[0]
    res.summary()
    summaries.append((time.perf_counter() - s0, _cpu()[0] - c0))
print(json.dumps({"import": t1 - t0, "calls": calls, "summaries": summaries}))
"""

#: the progress messages of ``discover`` (English), as short stage names: a stage runs from
#: its message to the next one
_STAGES = {"Reading": "read", "Screening": "screen", "Factor": "factors+cfa",
           "Finding": "types+map", "Profiling": "profiles", "Collecting": "map (collect)",
           "Drawing": "map", "Building": "typing tool", "Writing": "write"}


def _stages(marks: list) -> list[tuple[str, float, float, float]]:
    """(stage, wall s, CPU s of the main process, CPU s of the workers) per stage of a call;
    the first row is what comes before the first message (checks, texts)."""
    rows = []
    for (msg, t, main, kids), (_, t2, main2, kids2) in zip(marks, marks[1:]):
        name = "start" if msg == "start" else _STAGES.get(msg.split()[0], msg[:14])
        rows.append((name, t2 - t, main2 - main, kids2 - kids))
    return rows


def _load() -> str:
    import os

    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def fresh(resamples: int, repeat: int) -> None:
    """``discover`` as a notebook kernel or the CLI runs it: in a new Python process.

    The first call of a process also imports the stages' libraries and starts the
    worker processes; with the map (the default) it draws with umap-learn's kernels,
    compiled once per machine (``profiles.cache_umap_kernels``; the first run ever
    compiles them). Prints, per process, the import, the first and a second call (wall
    and CPU seconds: the process and its live joblib workers, since the machine is often
    shared), the first call's summary (``result.summary()``, which notebook 04 and the
    CLI print next: wall and CPU s) and the load average (1/5/15 min) before and after;
    then each stage of every process's first call (wall of each, the main process's and
    the workers' CPU as a mean) and of the last process's second call. On two idle cores
    a stage takes about max(main CPU, total CPU / 2).
    """
    import json
    import subprocess
    import tempfile

    from behaviortypes.synth import make_study

    with tempfile.TemporaryDirectory() as tmp:
        make_study(f"{tmp}/demo", seed=0, n_customers=5000)
        print(f"{'process':>7} {'import_s':>8} {'first_s':>7} {'first_cpu':>9} {'summary s/cpu':>13} "
              f"{'second_s':>8} {'second_cpu':>10}  load before -> after")
        firsts = []
        for r in range(repeat):
            before = _load()
            out = subprocess.run([sys.executable, "-c", _FRESH, f"{tmp}/demo", f"{tmp}/out{r}_",
                                  str(resamples)], capture_output=True, text=True, check=True)
            got = json.loads(out.stdout.strip().splitlines()[-1])
            calls = [_stages(marks) for marks in got["calls"]]
            firsts.append(calls[0])
            (first, first_cpu), (second, second_cpu) = (
                (sum(s[1] for s in c), sum(s[2] + s[3] for s in c)) for c in calls)
            summary = got["summaries"][0]
            print(f"{r + 1:>7} {got['import']:>8.1f} {first:>7.1f} {first_cpu:>9.1f} "
                  f"{summary[0]:>8.1f} {summary[1]:>4.1f} {second:>8.1f} {second_cpu:>10.1f}  "
                  f"{before} -> {_load()}", flush=True)
        _print_stages(firsts, calls[1], repeat)


def _print_stages(firsts: list, second: list, repeat: int) -> None:
    """Each stage of the first call of every process (wall s of each; CPU s of the main
    process and of the workers, mean over the processes) and of the last process's second
    call (session 23: the lead compares stages across processes on an idle machine)."""
    print(f"\nstages: the first call of each of the {repeat} processes (wall s each; CPU s, mean: "
          "main process / workers), and the second call of the last")
    print(f"{'stage':>14} {'first_s (each)':>20} {'main':>5} {'workers':>7} {'second_s':>8} {'main':>5} "
          f"{'workers':>7}")
    for i, two in enumerate(second):
        rows = [f[i] for f in firsts if i < len(f)]
        walls = "/".join(f"{row[1]:.2f}" for row in rows)
        main = sum(row[2] for row in rows) / len(rows)
        kids = sum(row[3] for row in rows) / len(rows)
        print(f"{two[0]:>14} {walls:>20} {main:>5.2f} {kids:>7.2f} {two[1]:>8.2f} "
              f"{two[2]:>5.2f} {two[3]:>7.2f}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--resamples", type=int, default=None,
                        help="default 200 (30 with --demo, as discover)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--demo", action="store_true", help="time discover on the demo study")
    parser.add_argument("--fresh", action="store_true",
                        help="with --demo: each repeat in a new Python process (first call)")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    if args.demo and args.fresh:
        fresh(args.resamples or 30, args.repeat)
        return
    if args.demo:
        demo(args.resamples or 30, args.repeat)
        return
    args.resamples = args.resamples or 200
    print(f"{'n':>7} {'items':>5} {'k':>3} {'resamples':>9} {'fit_s':>7} {'efa_s':>6} "
          f"{'peak_main_MiB':>13} {'peak_worker_MiB':>15}")
    for n in args.sizes:
        st = make_planted(n=n, k=4, m=6, items_per_dim=(10, 10), min_dist=4.0,
                          seed=args.seed)
        t0 = time.perf_counter()
        X = factor_scores(st)
        t_efa = time.perf_counter() - t0
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SurveyQualityWarning)
            tf = TypeFinder(n_resamples=args.resamples, random_state=args.seed,
                            n_jobs=args.jobs).fit(X)
        t_fit = time.perf_counter() - t0
        me, kids = _peak_mib()
        print(f"{n:>7} {st.items.shape[1]:>5} {tf.k_:>3} {args.resamples:>9} "
              f"{t_fit:>7.1f} {t_efa:>6.1f} {me:>13.0f} {kids:>15.0f}", flush=True)


if __name__ == "__main__":
    main()
