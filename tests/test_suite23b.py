"""The command line's refusals of the user's files before the model and report stack (session 23).

Session 22 made ``discover``, ``check`` and ``draft`` refuse a missing path without the data
stack (tests/test_suitea.py). ``lookalike``, ``score`` and ``typing-tool`` still imported
scikit-learn (and matplotlib, jinja2, skops) before they read the customer file or the
answers file they were given: "cannot read the Parquet file" took 2.5-3.5 CPU s. They now
check the user's files and options first; the error line is the same as before, word for word.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from sharedcache import swedish_with_lookalike  # noqa: E402

#: what these refusals must not import (the model stack and the report stack)
HEAVY = ("sklearn", "matplotlib", "weasyprint")

_PROBE = """
import json, sys
from behaviortypes.cli import main
rc = main(sys.argv[1:])
print(json.dumps({"rc": rc, "heavy": [m for m in %r if m in sys.modules]}))
""" % (HEAVY,)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """The Swedish study's discovery folder ``ut`` with its lookalike (``ut_en``: the same,
    English) and the files a user gets wrong: not Parquet, an id twice, a page of their own."""
    import pandas as pd

    root = tmp_path_factory.mktemp("suite23b")
    swedish_with_lookalike(tmp_path_factory, root)  # made once per run
    base = pd.read_csv(root / "kunder.csv")
    pd.concat([base, base.head(2)]).to_csv(root / "dubbel.csv", index=False)
    (root / "inte.parquet").write_text("x\n", encoding="utf-8")
    (root / "mine.html").write_text("mine\n", encoding="utf-8")
    return root, base["kundnummer"].iloc[0]


def _refused(*args) -> tuple[dict, str]:
    """Run the command line with ``args`` in a fresh interpreter: what it imported of
    :data:`HEAVY` (and its exit code), and its one error line."""
    res = subprocess.run([sys.executable, "-c", _PROBE, *map(str, args)], capture_output=True, text=True,
                         timeout=120)
    return json.loads(res.stdout.splitlines()[-1]), res.stderr.strip()


CASES = [
    (["lookalike", "{x}/ut", "--customers", "{x}/inte.parquet"],
     "fel: inte.parquet: kan inte läsa Parquet-filen (", "). Tips: exportera kundbasen igen som Parquet (eller CSV)"),
    (["lookalike", "{x}/ut_en", "--customers", "{x}/dubbel.csv"],
     "error: dubbel.csv, column 'kundnummer': 2 customer id(s) appear more than once in the customer file "
     "(value '{first}'). Hint: each customer must appear once: remove the duplicate rows", ""),
    (["score", "{x}/ut", "--customers", "{x}/inte.parquet", "--out", "{x}/o.parquet"],
     "fel: inte.parquet: inte en läsbar Parquet-fil (", "Tips: använd en .parquet-fil (eller en mapp med sådana), "
     "en .csv-fil eller en .duckdb-databas"),
    (["score", "{x}/ut_en", "--customers", "{x}/kunder.csv", "--out", "{x}/o.parquet", "--table", "kundtabell"],
     "error: kunder.csv: --table only applies when --customers is a DuckDB database (.duckdb) (value "
     "'kundtabell'). Hint: leave --table out for a CSV or Parquet file", ""),
    (["typing-tool", "{x}/ut", "--score", "{x}/nope.csv", "--out", "{x}/t.csv"],
     "fel: nope.csv: svarsfilen finns inte. Tips: kontrollera sökvägen (letade efter {x}/nope.csv)", ""),
    (["typing-tool", "{x}/ut_en", "--html", "{x}/mine.html"],
     "error: mine.html: the file exists and is not a typing tool behaviortypes wrote; it was left as it is. "
     "Hint: name a new file (e.g. typing_tool.html or typing_tool.xlsx), or move your file first", ""),
]


@pytest.mark.parametrize("args, starts, ends", CASES, ids=[" ".join(c[0][:1] + c[0][2:3] + c[0][-1:]) for c in CASES])
def test_a_refusal_of_the_users_file_does_not_import_the_model_stack(folder, args, starts, ends):
    root, first = folder
    record, line = _refused(*(a.format(x=root) for a in args))
    starts, ends = starts.format(x=root, first=first), ends.format(x=root, first=first)
    assert record["rc"] == 2 and "\n" not in line, line
    assert line.startswith(starts) and line.endswith(ends), line
    assert record["heavy"] == [], record["heavy"]
    assert not (root / "o.parquet").exists() and not (root / "t.csv").exists()


def test_whether_a_folders_types_are_weak_is_read_in_one_place(tmp_path):
    """The typing tool's spec and score's warning each read ``solution.json`` with the same
    expression (review of session 22): one helper now, for a folder with and without it."""
    import inspect

    from behaviortypes.deliver import spec
    from behaviortypes.scoring import api
    from behaviortypes.scoring.api import folder_types_weak

    assert folder_types_weak(None) is False and folder_types_weak(tmp_path) is False  # no solution.json
    (tmp_path / "solution.json").write_text(json.dumps({"k": 3, "structure_warning": "weak"}), encoding="utf-8")
    assert folder_types_weak(tmp_path) is True
    (tmp_path / "solution.json").write_text(json.dumps({"k": 3}), encoding="utf-8")
    assert folder_types_weak(tmp_path) is False
    for module in (spec, api):
        assert inspect.getsource(module).count("types_weak(read_json(") <= (module is api), module.__name__
