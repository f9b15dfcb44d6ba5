"""Folders that several test files make the same way, made once per test run and copied.

The Swedish test study's discovery folder was made by ``discover`` at the command line in
eight test files (13-35 s each, session 18's ``--durations``). :func:`cached_folder` makes
such a folder once per ``pytest`` run, under a file lock that the xdist workers share, and
gives each test its own copy: a test may change its copy freely. The command's own output
(exit code, stdout, stderr) is kept with the folder, so a test that reads what ``discover``
printed reads what it printed when the folder was made. Absolute paths of the folder where it
was made (``source.json`` records the survey's) are rewritten to the copy's in every text
file and in the recorded output, so a copy reads as if it had been made where it lies.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from functools import partial
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).parent))
from clirun import bt  # noqa: E402
from swedish import study as swedish  # noqa: E402

#: files whose text may hold the absolute path of the folder they were made in
TEXT_SUFFIXES = {".json", ".yaml", ".yml", ".csv", ".txt", ".html", ".md"}


def _run_root(tmp_path_factory) -> Path:
    """One folder per ``pytest`` run, shared by its xdist workers (their base folders'
    parent), or the run's own base folder without xdist."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    root = root / "shared-cache"
    root.mkdir(exist_ok=True)
    return root


def _rewrite(tree: Path, old: str, new: str) -> None:
    """``old`` (an absolute path) as ``new`` in every text file under ``tree``."""
    for path in tree.rglob("*"):
        if path.is_file() and path.suffix in TEXT_SUFFIXES:
            text = path.read_text(encoding="utf-8", errors="surrogateescape")
            if old in text:
                path.write_text(text.replace(old, new), encoding="utf-8", errors="surrogateescape")


def cached_folder(tmp_path_factory, name: str, make: Callable[[Path], dict], dest: Path) -> dict:
    """Copy the folder ``name`` to ``dest`` (made first by ``make(root)`` if this run has not
    made it yet) and return what ``make`` returned, with its paths as the copy's.

    ``make(root)`` builds everything under ``root`` and returns a JSON-able record (for example
    a command's exit code and output). Paths under ``root`` in files and in the record read as
    ``dest`` in the copy.
    """
    cache = _run_root(tmp_path_factory)
    done = cache / name
    with open(cache / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other worker waits while the folder is made
        if not done.is_dir():
            building = cache / f"{name}.making"
            shutil.rmtree(building, ignore_errors=True)
            building.mkdir()
            record = make(building)
            (cache / f"{name}.json").write_text(json.dumps({"root": str(building), "record": record}),
                                                encoding="utf-8")
            building.rename(done)
    made = json.loads((cache / f"{name}.json").read_text(encoding="utf-8"))
    dest = Path(dest)
    shutil.copytree(done, dest, dirs_exist_ok=True, symlinks=True)
    _rewrite(dest, made["root"], str(dest))
    text = json.dumps(made["record"]).replace(json.dumps(made["root"])[1:-1], json.dumps(str(dest))[1:-1])
    return json.loads(text)


def said(record: dict) -> subprocess.CompletedProcess:
    """A recorded command's result as ``subprocess.run`` gave it."""
    return subprocess.CompletedProcess(record["args"], record["returncode"], record["stdout"], record["stderr"])


def as_record(res: subprocess.CompletedProcess) -> dict:
    """A command's result as JSON keeps it (:func:`said` gives it back)."""
    return {"args": [str(a) for a in res.args], "returncode": res.returncode, "stdout": res.stdout,
            "stderr": res.stderr}


def _discover_swedish(root: Path) -> dict:
    """The Swedish test study ``kundstudie`` and ``discover kundstudie --out ut --no-map
    --resamples 10`` at the command line."""
    swedish.write_csv_study(root / "kundstudie")
    res = bt("discover", root / "kundstudie", "--out", root / "ut", "--no-map", "--resamples", 10)
    assert res.returncode == 0, res.stderr
    return {"discover": as_record(res)}


def swedish_discovered(tmp_path_factory, dest: Path) -> subprocess.CompletedProcess:
    """``dest/kundstudie`` (the Swedish test study, ``tests/data/swedish/study.py``) and
    ``dest/ut``, its discovery folder as ``discover kundstudie --out ut --no-map --resamples 10``
    writes it; returns that ``discover``'s result (made once per test run)."""
    return said(cached_folder(tmp_path_factory, "swedish_discovered", _discover_swedish, dest)["discover"])


def swedish_customers(folder: Path, path: Path, **extra) -> Path:
    """A made-up customer base for the Swedish study in ``folder``: its respondents' customer
    numbers and 1,000 more, with age, purchases and region (and ``extra`` columns, each a
    function of the rows' random generator and their number)."""
    import numpy as np
    import pandas as pd

    ids = pd.read_csv(folder / "responses.csv", sep=";", encoding="cp1252")["kundnummer"].tolist()
    rng = np.random.default_rng(0)
    ids += [i for i in range(100, 3000) if i not in set(ids)][:1000]
    columns = {"kundnummer": ids, "ålder": rng.integers(18, 80, len(ids)), "köp": rng.poisson(3, len(ids)),
               "region": rng.choice(["Nord", "Syd"], len(ids))}
    columns.update({name: make(rng, len(ids)) for name, make in extra.items()})
    pd.DataFrame(columns).to_csv(path, index=False)
    return path


def english_copy(folder: Path, dest: Path) -> Path:
    """A copy of the discovery folder ``folder`` as an English study's (no ``language`` in
    the instrument recorded in ``source.json``)."""
    shutil.copytree(folder, dest)
    source = json.loads((dest / "source.json").read_text(encoding="utf-8"))
    source["instrument"].pop("language")
    (dest / "source.json").write_text(json.dumps(source), encoding="utf-8")
    return dest


def _with_lookalike(tmp_path_factory, root: Path) -> dict:
    """:func:`swedish_discovered`'s folder, then ``kunder.csv`` and ``lookalike ut --customers
    kunder.csv``, and ``ut_en``: the same folder of an English study."""
    record = {"discover": as_record(swedish_discovered(tmp_path_factory, root))}
    swedish_customers(root / "kundstudie", root / "kunder.csv")
    res = bt("lookalike", root / "ut", "--customers", root / "kunder.csv")
    assert res.returncode == 0, res.stderr
    english_copy(root / "ut", root / "ut_en")
    return {**record, "lookalike": as_record(res)}


def swedish_with_lookalike(tmp_path_factory, dest: Path) -> dict:
    """:func:`swedish_discovered` with a lookalike trained on ``dest/kunder.csv`` (the
    respondents and 1,000 more customers: age, purchases, region) and ``dest/ut_en``, the same
    folder of an English study; returns the commands' results by name."""
    made = cached_folder(tmp_path_factory, "swedish_with_lookalike", partial(_with_lookalike, tmp_path_factory), dest)
    return {name: said(record) for name, record in made.items()}


def _discover_small_english(root: Path) -> dict:
    """The generated English study of seed 5 (400 respondents, 1,500 customers) in
    ``survey`` and ``discover(survey, out, seed=0, n_resamples=10, make_map=False)``."""
    from behaviortypes.pipeline import discover
    from behaviortypes.synth import make_study

    make_study(root / "survey", seed=5, n_respondents=400, n_customers=1500)
    discover(root / "survey", root / "out", seed=0, n_resamples=10, make_map=False)
    return {}


def small_english_discovered(tmp_path_factory, dest: Path) -> Path:
    """``dest/survey`` (``make_study(seed=5, n_respondents=400, n_customers=1500)``) and
    ``dest/out``, its discovery folder (``discover(seed=0, n_resamples=10, make_map=False)``,
    in Python); returns ``dest`` (made once per test run, copied: the test may change it)."""
    cached_folder(tmp_path_factory, "small_english_discovered", _discover_small_english, dest)
    return Path(dest)


def swedish_customers_with_extras(folder: Path, path: Path) -> Path:
    """:func:`swedish_customers` with a statement (``s01``: a leak of the answers) and a free
    text (``anteckning``) among the columns."""
    return swedish_customers(folder, path, s01=lambda rng, n: rng.integers(1, 8, n),
                             anteckning=lambda rng, n: [f"kund {i}" for i in range(n)])


def _run_swedish(root: Path) -> dict:
    """The Swedish test study, its customer base with a statement and a free text
    (``kunder.csv``), a study file without ``lang`` (``studie.yaml``) and ``run studie.yaml``."""
    swedish.write_csv_study(root / "kundstudie")
    swedish_customers_with_extras(root / "kundstudie", root / "kunder.csv")
    (root / "studie.yaml").write_text(
        f"survey: {root / 'kundstudie'}\nout: ut\ncustomers: {root / 'kunder.csv'}\nresamples: 10\n"
        f"map: false\nscored: typade.csv\nreport: {{dir: rapporter}}\n", encoding="utf-8")
    return {"run": as_record(bt("run", root / "studie.yaml"))}


def swedish_run(tmp_path_factory, dest: Path) -> subprocess.CompletedProcess:
    """``dest/kundstudie`` (the Swedish test study), ``dest/kunder.csv`` (its respondents and
    1,000 more customers: age, purchases, region, a statement ``s01`` and a free text
    ``anteckning``), ``dest/studie.yaml`` (survey, ``out: ut``, customers, ``resamples: 10``,
    ``map: false``, ``scored: typade.csv``, ``report: {dir: rapporter}``; no ``lang``) and what
    ``run studie.yaml`` wrote under ``dest``; returns that ``run``'s result (made once per test
    run: three test files ran it, 25 CPU s each)."""
    return said(cached_folder(tmp_path_factory, "swedish_run", _run_swedish, dest)["run"])
