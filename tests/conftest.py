import os

# `make test` runs two pytest workers on two cores (`-n 2`). A BLAS or OpenMP pool of two threads
# in each worker (and in each command-line run a test starts) oversubscribes the cores, and
# OpenBLAS's threads then wait on each other: one ML factor extraction of R psych's test06 took
# 24.5 CPU s instead of 1.3 (session 18). One thread per worker, as scikit-learn's own test
# configuration does; set before numpy is first imported, and inherited by subprocesses.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

# The same for joblib's processes: the types engine's default (``n_jobs=-1``) starts a process
# per core, in each pytest worker and in each ``discover``/``run``/``demo`` a test starts, while
# the xdist workers already keep the cores busy. Each such process imports numpy, scipy,
# scikit-learn and the engine and is sent the data: a command-line ``discover`` of the Swedish
# test study took 12.5 CPU s with them and 8.1 without (session 20), same files (the engine's
# results do not depend on ``n_jobs``: tests/test_segments.py checks it, with two processes).
# Under xdist only: ``pytest tests/test_x.py`` alone keeps the parallel fits.
_workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
if _workers > 1:
    os.environ.setdefault("LOKY_MAX_CPU_COUNT", str(max(1, (os.cpu_count() or 1) // _workers)))

# Most CLI tests start ``behaviortypes`` in a subprocess (tests/clirun.py), a few hundred per
# run. Where PYTHONDONTWRITEBYTECODE is set (this project's CI machine sets it), each of them
# compiled the package's modules from source again (1.9 MB; check and discover refusing a
# missing survey: 0.06-0.14 CPU s each, session 21). The commands the tests start may keep
# their compiled modules (``__pycache__``, ignored by git); the pytest workers are unchanged.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

if os.environ.get("BT_CLI_LOG"):  # every command a test runs, logged (tests/clirun.py)
    import sys

    sys.path.insert(0, os.path.dirname(__file__))
    from clirun import log_commands

    log_commands(os.environ["BT_CLI_LOG"])

import matplotlib  # noqa: E402

matplotlib.use("Agg")

#: Test files that take minutes (session 18's `--durations`), run first: with `--dist loadfile`
#: a worker takes whole files in collection order (`--no-loadscope-reorder` in the Makefile:
#: xdist would otherwise order files by their number of tests, and the five statistical suites
#: of test_segments_suites.py, 9 minutes, ran last and alone while the other worker idled).
LONG_FILES = (
    "test_segments_suites.py", "test_report.py", "test_cli.py", "test_notebooks.py",
    "test_segments.py", "test_swedish_pipeline.py", "test_pipeline.py", "test_reference_psych.py",
    "test_plots.py", "test_swedish_terminal.py", "test_safety.py", "test_cli_polish.py",
    "test_one_group.py", "test_swedish_paths.py", "test_swedish_everywhere.py",
)


def pytest_collection_modifyitems(session, config, items):
    """Long files first (in LONG_FILES' order), then the rest as collected."""
    rank = {name: i for i, name in enumerate(LONG_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


#: ``BT_TEST_CPU=path.jsonl``: one line per test (its setup, call and teardown together; a module
#: fixture counts for the first test that uses it) with its wall seconds and the CPU seconds of
#: the pytest worker and of the subprocesses it waited for (``behaviortypes`` at the command
#: line, notebooks' kernels). The machine is often shared: CPU seconds compare runs where wall
#: seconds do not (bench/README.md, "The test suite").
_CPU_LOG = os.environ.get("BT_TEST_CPU")

if _CPU_LOG:
    import json
    import resource
    import time

    import pytest

    def _cpu() -> tuple[float, float, float]:
        me = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.perf_counter(), me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(item, nextitem):
        start = _cpu()
        yield
        end = _cpu()
        row = {"test": item.nodeid, "worker": os.environ.get("PYTEST_XDIST_WORKER", "main"),
               "end": round(time.time(), 1), "wall": round(end[0] - start[0], 3),
               "cpu": round(end[1] - start[1], 3), "kids": round(end[2] - start[2], 3)}
        with open(_CPU_LOG, "a", encoding="utf-8") as log:
            log.write(json.dumps(row) + "\n")
