"""Time and peak memory of hostile inputs after the data-safety limits (issue 14).

Each case runs in a fresh Python process (so peak memory is the case's own), through
the CLI as a user would, and reports exit code, seconds, peak resident MiB (Linux
``VmHWM`` via ``/usr/bin/time``-like ``resource`` accounting of the child) and the
length of the one-line message.

Also: ``themes --out`` into a folder of 100,000 files of the user's (as ``--out ~``
would), with and without a clash with an output's name.

Run: ``PYTHONPATH=. python bench/safety.py [--big]``. ``--big`` adds the 1 GiB zip bomb
of the issue (takes about a minute to build the archive).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path


def yaml_bomb(path: Path, levels: int) -> Path:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghijklmnop"
    for prev, cur in zip(names[: levels - 1], names[1:levels]):
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines.append(f"id_column: *{names[levels - 1]}")
    path.mkdir(parents=True, exist_ok=True)
    (path / "instrument.yaml").write_text("\n".join(lines) + "\n")
    (path / "responses.csv").write_text("id,q1\n1,3\n")
    return path


def zip_bomb(path: Path, size_mib: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("project.qde", "w", force_zip64=True) as fh:
            block = b"\0" * (1 << 20)
            for _ in range(size_mib):
                fh.write(block)
    return path


def run(label: str, args: list[str]) -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "behaviortypes.cli", *args], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB, max over children so far
    line = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    print(f"{label:<34} exit {done.returncode}  {seconds:6.1f} s  peak {peak / 1024:7.0f} MiB"
          f"{'' if peak > before else ' (<= earlier case)'}  message {len(done.stderr)} chars: {line[:110]}")


N_USER_FILES = 100_000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--big", action="store_true")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        run("baseline: --help", ["--help"])
        for levels in (9, 10):
            survey = yaml_bomb(tmp / f"yaml{levels}", levels)
            size = (survey / "instrument.yaml").stat().st_size
            run(f"YAML alias bomb ({size} bytes)", ["check", str(survey)])
        bomb = zip_bomb(tmp / "bomb.qdpx", 1024 if opts.big else 128)
        run(f"zip bomb .qdpx ({bomb.stat().st_size / 1e6:.1f} MB packed)", ["themes", str(bomb), "--out", str(tmp / "t")])
        # an output folder that is a big folder of the user's (say --out ~): the ownership
        # check reads the marker and looks only at the names the stage writes
        codes = tmp / "codes.csv"
        codes.write_text("participant_id,theme,quote\n" + "".join(
            f"P{i:03d},theme{i % 7},quote {i}\n" for i in range(300)))
        run("themes --out new folder", ["themes", str(codes), "--out", str(tmp / "new")])
        home = tmp / "home"
        for i in range(N_USER_FILES):
            sub = home / f"d{i // 1000:03d}"
            if i % 1000 == 0:
                sub.mkdir(parents=True)
            (sub / f"f{i}.txt").write_bytes(b"x")
        (home / "codings.csv").write_text("the user's own")
        run(f"themes --out {N_USER_FILES:,} user files + codings.csv", ["themes", str(codes), "--out", str(home)])
        (home / "codings.csv").unlink()
        run(f"themes --out folder of {N_USER_FILES:,} user files", ["themes", str(codes), "--out", str(home)])


if __name__ == "__main__":
    os.environ.setdefault("PYTHONPATH", str(Path(__file__).resolve().parents[1]))
    main()
