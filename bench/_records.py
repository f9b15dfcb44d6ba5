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
