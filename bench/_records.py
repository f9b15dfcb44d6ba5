"""The JSONL records the #13 benches write as they go (one line per study), shared by them."""

from __future__ import annotations

import json
from pathlib import Path


def recorded_studies(out: Path) -> set[str]:
    """The studies already recorded in ``out`` (a run that stopped resumes after them); the
    folder of ``out`` is made if missing."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not out.exists():
        return set()
    return {json.loads(line)["study"] for line in out.read_text().splitlines() if line}


def record(out: Path, row: dict) -> None:
    """Append one study's ``row`` to ``out`` at once (a stopped run keeps what it measured)
    and print it."""
    line = json.dumps(row)
    with Path(out).open("a") as fh:
        fh.write(line + "\n")
    print(line, flush=True)
