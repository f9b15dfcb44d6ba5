"""Run the ``behaviortypes`` command line in a subprocess, as a user does (shared by the CLI tests)."""

from __future__ import annotations

import subprocess
import sys
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
