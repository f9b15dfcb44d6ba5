import os

# `make test` runs two pytest workers on two cores (`-n 2`). A BLAS or OpenMP pool of two threads
# in each worker (and in each command-line run a test starts) oversubscribes the cores, and
# OpenBLAS's threads then wait on each other: one ML factor extraction of R psych's test06 took
# 24.5 CPU s instead of 1.3 (session 18). One thread per worker, as scikit-learn's own test
# configuration does; set before numpy is first imported, and inherited by subprocesses.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

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
