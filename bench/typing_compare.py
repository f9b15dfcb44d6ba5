"""Recorded check: ``typing-tool --score`` writes the same bytes as an older checkout.

Usage::

    git archive d2c0e62 | tar -x -C /tmp/old       # the code before streaming (session 14)
    .venv/bin/python bench/typing_compare.py /tmp/old [--demo surveys/demo]

Builds the Swedish study of ``tests/test_typing_stream.py`` (scale 1-7 with labels, the
missing code 9) and 3,000 respondents' answers with blanks, too few answers (not typed),
label texts, ``3,0`` and ids with spaces; writes them as a Swedish Excel CSV (``;``), a
plain CSV, cp1252, numeric ids (``007``), a Qualtrics export and an .xlsx; types each
with both checkouts in a fresh process (``python -m behaviortypes.cli``), and prints the
SHA-256 of both outputs. With ``--demo`` the demo study's ``responses.csv`` is typed too
(``behaviortypes demo`` writes it), in the default and the ``excel-sv`` dialect.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def _inputs(folder: Path) -> list[tuple[Path, Path, list[str]]]:
    from test_typing_deliverables import _make_study
    from test_typing_stream import _answers

    study = _make_study(folder / "sv", k=3, lo=1, hi=7, n_items=10, n=400, seed=3, language="sv",
                        names=["=Planeraren", "Jämföraren", "Spontanköparen"], taglines=["a", "b", "c"],
                        texts=["Jag jämför priser.", "Jag köper direkt.", "Jag gör listor."],
                        labels={1: "Instämmer inte alls", 7: "Instämmer helt"}, missing_codes=[9])
    a = _answers(study, 3000, seed=5)
    files = []
    for name, kw, extra in (("semicolon.csv", {"sep": ";"}, []), ("comma.csv", {}, ["--csv-dialect", "plain"]),
                            ("cp1252.csv", {"encoding": "cp1252"}, ["--csv-dialect", "excel"])):
        a.to_csv(folder / name, index=False, **kw)
        files.append((study, folder / name, extra))
    b = a.assign(resp=[f"{i:03d}" for i in range(len(a))])
    b.to_csv(folder / "numeric_ids.csv", index=False)
    meta = pd.DataFrame([{c: f"Q {c}" for c in a.columns}, {c: json.dumps({"ImportId": c}) for c in a.columns}])
    pd.concat([meta, a.astype(object)]).to_csv(folder / "qualtrics.csv", index=False)
    a.to_excel(folder / "answers.xlsx", index=False)
    files += [(study, folder / "numeric_ids.csv", []), (study, folder / "qualtrics.csv", []),
              (study, folder / "answers.xlsx", [])]
    return files


def _typed(code: Path, disc: Path, src: Path, out: Path, extra: list[str]) -> str:
    run = subprocess.run([sys.executable, "-m", "behaviortypes.cli", "typing-tool", str(disc), "--score", str(src),
                          "--out", str(out), *extra], cwd=out.parent, env={"PYTHONPATH": str(code), "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise SystemExit(run.stderr)
    return hashlib.sha256(out.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path, help="the older checkout (its folder holds behaviortypes/)")
    parser.add_argument("--demo", type=Path, help="the demo study's folder (surveys/demo)")
    args = parser.parse_args(argv)
    differ = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = _inputs(folder)
        if args.demo:
            files += [(args.demo / "discovery", args.demo / "responses.csv", []),
                      (args.demo / "discovery", args.demo / "responses.csv", ["--csv-dialect", "excel-sv"])]
        for i, (disc, src, extra) in enumerate(files):
            old = _typed(args.old.resolve(), disc, src, folder / f"old_{i}.csv", extra)
            new = _typed(ROOT, disc, src, folder / f"new_{i}.csv", extra)
            differ += old != new
            print(f"{src.name:18} {' '.join(extra):24} {new[:16]} {'identical' if old == new else 'DIFFERENT: ' + old[:16]}")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
