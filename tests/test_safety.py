"""Hostile and careless inputs (issue 14): nothing lost, nothing read from outside, bounded.

Each test first builds the attack or the mistake as a user could make it, then checks
that the run refuses it with one clear line (or gives correct output) and that nothing
outside the run's own outputs changed.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from sklearn.linear_model import LogisticRegression

from behaviortypes.errors import BehaviortypesWarning, InputError
from behaviortypes.scoring import score_customers

FEATURES = ["visits", "basket", "share_online"]


# ------------------------------------------------------------------------------ helpers
class TinyModel:
    """A real LogisticRegression behind the scoring interface of LookalikeModel."""

    def __init__(self, names=None):
        rng = np.random.default_rng(0)
        x = rng.normal(size=(300, 3))
        y = np.where(x[:, 0] > 0.3, 1, np.where(x[:, 1] > 0, 2, 3))
        self.clf = LogisticRegression(max_iter=300).fit(x, y)
        self.type_ids_ = [1, 2, 3]
        self.type_names_ = names or {1: "Loyalists", 2: "Bargain hunters", 3: "Explorers"}
        self.feature_columns_ = list(FEATURES)
        self.feature_schema_ = [{"name": c, "kind": "numeric", "dtype": "float64"} for c in FEATURES]
        self.id_column_ = "customer_id"
        self.unassigned_threshold = None

    def predict_proba(self, features: pd.DataFrame) -> pd.DataFrame:
        p = self.clf.predict_proba(features[FEATURES].to_numpy(dtype=float))
        return pd.DataFrame(p, columns=["p_1", "p_2", "p_3"], index=features.index)


def customers(folder: Path, n: int = 200, ids=None) -> Path:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal(size=(n, 3)), columns=FEATURES)
    frame.insert(0, "customer_id", ids if ids is not None else [f"C{i:06d}" for i in range(n)])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "customers.parquet"
    frame.to_parquet(path, index=False)
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones included) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ------------------------------------------------------------- 1. score --out never deletes
def test_out_folder_holding_the_customer_file_is_refused(tmp_path):
    data = tmp_path / "data"
    path = customers(data)
    (data / "notes.txt").write_text("my notes")
    before = snapshot(tmp_path)
    with pytest.raises(InputError, match="output folder holds the customer file customers.parquet"):
        score_customers(TinyModel(), path, data)
    assert snapshot(tmp_path) == before


def test_out_dot_and_parent_folders_are_refused(tmp_path, monkeypatch):
    path = customers(tmp_path / "in")
    work = tmp_path / "work"
    work.mkdir()
    (work / "keep.txt").write_text("x")
    monkeypatch.chdir(work)
    before = snapshot(tmp_path)
    for out in (".", "..", str(work)):
        with pytest.raises(InputError, match="current folder") as info:
            score_customers(TinyModel(), path, out)
        assert "\n" not in str(info.value)
    assert snapshot(tmp_path) == before


def test_existing_foreign_folder_or_file_is_left_alone(tmp_path):
    path = customers(tmp_path / "in")
    other = tmp_path / "reports"
    other.mkdir()
    (other / "q3.xlsx").write_bytes(b"precious")
    table = tmp_path / "sales.parquet"
    pd.DataFrame({"order": [1, 2]}).to_parquet(table)
    text = tmp_path / "notes.csv"
    text.write_text("a,b\n1,2\n")
    before = snapshot(tmp_path)
    with pytest.raises(InputError, match=r"reports: .*not a scored output.*holds q3.xlsx"):
        score_customers(TinyModel(), path, other)
    with pytest.raises(InputError, match="sales.parquet: .*existing file that is not a scored output"):
        score_customers(TinyModel(), path, table)
    with pytest.raises(InputError, match="notes.csv: .*not a scored output"):
        score_customers(TinyModel(), path, text)
    assert snapshot(tmp_path) == before


def test_our_own_outputs_are_replaced_on_a_rerun(tmp_path):
    path = customers(tmp_path / "in")
    for name in ("scored.parquet", "scored.csv"):
        out = tmp_path / name
        score_customers(TinyModel(), path, out)
        first = out.read_bytes()
        score_customers(TinyModel(), path, out)  # a re-run replaces its own output
        assert out.read_bytes() == first
    # a Parquet dataset folder written by score (marker + part files) is replaced too,
    # but not once someone has put a file of their own in it
    folder = tmp_path / "scored_dir"
    folder.mkdir()
    (tmp_path / "scored.parquet").rename(folder / "part-000000.parquet")
    score_customers(TinyModel(), path, folder)
    assert folder.is_file() and len(pd.read_parquet(folder)) == 200
    folder.unlink()
    folder.mkdir()
    (folder / "_behaviortypes_scored.json").write_text("{}")
    (folder / "summary.xlsx").write_bytes(b"mine")
    with pytest.raises(InputError, match="holds summary.xlsx"):
        score_customers(TinyModel(), path, folder)
    assert (folder / "summary.xlsx").read_bytes() == b"mine"


def test_duckdb_table_that_is_not_ours_is_kept(tmp_path):
    path = customers(tmp_path / "in")
    db = tmp_path / "crm.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE scored_customers AS SELECT 1 AS order_id, 'x' AS note")
    with pytest.raises(InputError, match="table 'scored_customers' exists and is not a scored output"):
        score_customers(TinyModel(), path, db)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT * FROM scored_customers").fetchall() == [(1, "x")]
    score_customers(TinyModel(), path, db, out_table="types")  # another table is fine
    score_customers(TinyModel(), path, db, out_table="types")  # and replaced on a re-run
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM types").fetchone()[0] == 200


def test_stale_parts_of_a_killed_run_are_removed_and_reported(tmp_path):
    path = customers(tmp_path / "in")
    out = tmp_path / "scored.parquet"
    # what `kill -9` during score leaves: a staging folder with scored parts, owner gone
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = tmp_path / ".scored.parquet.scoring-abc123"
    (stale / "parts").mkdir(parents=True)
    pq.write_table(pq.read_table(path), stale / "parts" / "part-000000.parquet")
    (stale / "owner.json").write_text(
        f'{{"pid": {dead}, "host": "{os.uname().nodename}", "out": "{out.resolve()}"}}')
    legacy = tmp_path / ".scored.parquet.scoring-old999"  # from before owner files
    (legacy / "parts").mkdir(parents=True)
    (legacy / "parts" / "part-000000.parquet").write_bytes(b"PAR1")
    live = tmp_path / ".scored.parquet.scoring-live00"  # a run still working: kept
    (live / "parts").mkdir(parents=True)
    (live / "owner.json").write_text(
        f'{{"pid": {os.getpid()}, "host": "{os.uname().nodename}", "out": "{out.resolve()}"}}')
    foreign = tmp_path / ".scored.parquet.scoring-user"  # not ours: other content
    foreign.mkdir()
    (foreign / "diary.txt").write_text("x")
    with pytest.warns(BehaviortypesWarning, match=r"removed \.scored\.parquet\.scoring-.*stopped"):
        score_customers(TinyModel(), path, out)
    assert not stale.exists() and not legacy.exists()
    assert live.exists() and (foreign / "diary.txt").exists()
    assert len(pd.read_parquet(out)) == 200


def test_long_output_names(tmp_path):
    path = customers(tmp_path / "in")
    long_ok = tmp_path / ("s" * 240 + ".parquet")  # 248 bytes: allowed, temp names shortened
    score_customers(TinyModel(), path, long_ok)
    assert len(pd.read_parquet(long_ok)) == 200
    with pytest.raises(InputError, match=r"output name is too long \(308 bytes"):
        score_customers(TinyModel(), path, tmp_path / ("s" * 300 + ".parquet"))


# ------------------------------------------------------------- 6. CSV formula injection
def test_scored_csv_neutralises_formulas_and_keeps_numbers(tmp_path):
    ids = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
           "\t=1", "-42", "+46", "C000007"] + [f"C{i}" for i in range(8, 200)]
    path = customers(tmp_path / "in", ids=ids)
    model = TinyModel(names={1: "=1+1 Loyal", 2: "Bargain hunters", 3: "-Explorers"})
    out = tmp_path / "scored.csv"
    score_customers(model, path, out)
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert frame["customer_id"].tolist()[:8] == [
        "'=HYPERLINK(\"http://evil\",\"x\")", "'+1+cmd|' /C calc'!A0", "'-2+3", "'@SUM(A1)",
        "'\t=1", "-42", "+46", "C000007"]
    assert set(frame["type_name"]) <= {"'=1+1 Loyal", "Bargain hunters", "'-Explorers"}
    # machine formats keep the ids exactly, so they still join
    score_customers(model, path, tmp_path / "scored.parquet")
    assert pd.read_parquet(tmp_path / "scored.parquet")["customer_id"].tolist() == ids
