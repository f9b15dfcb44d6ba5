"""Run the ``behaviortypes`` command line in a subprocess, as a user does (shared by the CLI tests)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

#: the installed console script of the environment running the tests
BT = str(Path(sys.executable).parent / "behaviortypes")


def bt(*args, cwd=None) -> subprocess.CompletedProcess:
    """Run ``behaviortypes ARGS...`` and capture its output (text)."""
    return subprocess.run([BT, *map(str, args)], capture_output=True, text=True, timeout=600, cwd=cwd)


def ok_lines(res) -> list[str]:
    """The printed lines of a run that succeeded (exit 0)."""
    assert res.returncode == 0, (res.stdout, res.stderr)
    return res.stdout.splitlines()


def error_line(res) -> str:
    """The one line a refusal prints (exit 2, nothing else on stderr, no traceback)."""
    assert res.returncode == 2, (res.stdout, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    return lines[0]


def log_commands(path: str) -> None:
    """Log every command the tests run with ``subprocess.run`` to ``path`` (JSON lines: the test,
    argv, working folder, exit code, wall seconds and the command's CPU seconds). The test
    suite calls it when ``BT_CLI_LOG=path.jsonl`` is set (tests/conftest.py); off otherwise
    (bench/README.md, "Session 24: the suite (CLI side)")."""
    run = subprocess.run

    def logged(cmd, *args, **kwargs):
        start, cpu = time.perf_counter(), _children_cpu()
        res = run(cmd, *args, **kwargs)
        row = {"test": os.environ.get("PYTEST_CURRENT_TEST", ""), "argv": [str(a) for a in cmd],
               "cwd": str(kwargs.get("cwd") or ""), "rc": res.returncode,
               "wall": round(time.perf_counter() - start, 3), "cpu": round(_children_cpu() - cpu, 3)}
        with open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps(row) + "\n")
        return res

    subprocess.run = logged


def _children_cpu() -> float:
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return kids.ru_utime + kids.ru_stime
