"""What a user meets at the command line (session 16): each refusal one line in the
CLI's own terms, with the file, row and value, in English and Swedish; the summary of
``typing-tool --score`` with the types' counts; no stray lines around progress.

Every test runs ``behaviortypes`` in a subprocess, as a user does.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_scoring import FEATURES, make_base  # noqa: E402


def bt(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "behaviortypes.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=600, cwd=cwd, check=False)


def error_line(res) -> str:
    """The one line a refusal prints (exit 2, nothing else on stderr, no traceback)."""
    assert res.returncode == 2, (res.stdout, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    return lines[0]


@pytest.fixture(scope="module")
def model_dirs(tmp_path_factory):
    """A saved lookalike model (English folder ``en``, Swedish ``sv``) and its customer base."""
    from behaviortypes.files import write_yaml
    from behaviortypes.lookalike import LookalikeModel, save_model

    root = tmp_path_factory.mktemp("polish")
    frame, truth = make_base(900, seed=3)
    features = frame.set_index("customer_id")[FEATURES]
    model = LookalikeModel(models=("logistic",), cv=3, random_state=0).fit(features, pd.Series(truth, index=features.index))
    save_model(model, root / "en" / "lookalike.skops")
    write_yaml(root / "en" / "types.yaml", {"types": [{"type_id": t, "name": n} for t, n in
                                                      enumerate(["Loyalists", "Bargain hunters", "Explorers"], 1)]})
    shutil.copytree(root / "en", root / "sv")
    (root / "sv" / "source.json").write_text(json.dumps({"instrument": {"language": "sv"}}), encoding="utf-8")
    frame.to_csv(root / "customers.csv", index=False)
    return root


@pytest.mark.parametrize(("lang", "want"), [
    ("en", "error: customers.csv: --table only applies when --customers is a DuckDB database (.duckdb) "
           "(value 'kunder'). Hint: leave --table out for a CSV or Parquet file"),
    ("sv", "fel: customers.csv: --table gäller bara när --customers är en DuckDB-databas (.duckdb) "
           "(värde 'kunder'). Tips: ta bort --table för en CSV- eller Parquet-fil"),
])
def test_score_table_on_a_csv_is_refused_in_the_clis_terms(model_dirs, tmp_path, lang, want):
    """Session 15: "table= and query= only apply to a DuckDB database" — Python's argument
    names, which a user of the command line never typed (and there is no --query)."""
    res = bt("score", model_dirs / lang, "--customers", model_dirs / "customers.csv", "--out", tmp_path / "o.parquet",
             "--table", "kunder")
    assert error_line(res) == want
    assert not (tmp_path / "o.parquet").exists()


@pytest.mark.parametrize(("lang", "want"), [
    ("en", "error: o.parquet: --out-table only applies when --out is a DuckDB file (.duckdb) (value 'typed'). "
           "Hint: write --out to a .duckdb file, or leave --out-table out"),
    ("sv", "fel: o.parquet: --out-table gäller bara när --out är en DuckDB-fil (.duckdb) (värde 'typed'). "
           "Tips: skriv --out till en .duckdb-fil, eller ta bort --out-table"),
])
def test_score_out_table_on_a_parquet_is_refused_in_the_clis_terms(model_dirs, tmp_path, lang, want):
    res = bt("score", model_dirs / lang, "--customers", model_dirs / "customers.csv", "--out", tmp_path / "o.parquet",
             "--out-table", "typed")
    assert error_line(res) == want
    assert not (tmp_path / "o.parquet").exists()


def test_score_which_table_is_said_as_the_option(model_dirs, tmp_path):
    """A database of two tables: the fix names ``--table``, not ``table=``."""
    import duckdb

    frame = pd.read_csv(model_dirs / "customers.csv")
    with duckdb.connect(str(tmp_path / "crm.duckdb")) as con:
        con.register("f", frame)
        con.execute("CREATE TABLE kunder AS SELECT * FROM f")
        con.execute("CREATE TABLE orders AS SELECT 1 AS x")
    line = error_line(bt("score", model_dirs / "en", "--customers", tmp_path / "crm.duckdb", "--out",
                         tmp_path / "o.parquet"))
    assert line.endswith("Hint: pass --table (tables: kunder, orders)"), line
