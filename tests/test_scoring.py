"""Tests for behaviortypes.scoring: engines agree, order kept, memory bounded, atomic output."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LogisticRegression

from behaviortypes.errors import InputError
from behaviortypes.files import write_yaml
from behaviortypes.scoring import ScoreSummary, score_customers

FEATURES = ["visits", "spend", "tenure"]
TYPE_IDS = [1, 2, 3]


class DoubleModel:
    """A real LogisticRegression behind the LookalikeModel scoring interface.

    Records the size of every frame it scores, to check the engine's batching.
    """

    def __init__(self, clf, *, threshold=None, names=True, id_column="customer_id"):
        self.clf = clf
        self.type_ids_ = list(TYPE_IDS)
        if names:
            self.type_names_ = {1: "Loyalists", 2: "Bargain hunters", 3: "Explorers"}
        self.feature_columns_ = list(FEATURES)
        self.feature_schema_ = [{"name": c, "kind": "numeric", "dtype": "float64"} for c in FEATURES]
        self.id_column_ = id_column
        self.unassigned_threshold = threshold
        self.calls: list[int] = []

    def predict_proba(self, features: pd.DataFrame) -> pd.DataFrame:
        self.calls.append(len(features))
        x = features[FEATURES].to_numpy(dtype=float)
        if np.isnan(x).any():
            rows = (np.flatnonzero(np.isnan(x).any(axis=1)) + 1).tolist()
            raise InputError("missing feature values", column="visits", rows=rows, hint="fill them")
        p = self.clf.predict_proba(x)
        return pd.DataFrame(p, columns=[f"p_{t}" for t in self.type_ids_], index=features.index)


def make_base(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Planted base: three types with shifted feature means."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(TYPE_IDS, size=n, p=[0.5, 0.3, 0.2])
    centres = np.array([[0.0, 0.0, 0.0], [2.0, -1.0, 0.5], [-1.5, 2.0, 1.0]])
    x = centres[truth - 1] + rng.normal(size=(n, 3))
    frame = pd.DataFrame(x, columns=FEATURES)
    frame.insert(0, "customer_id", [f"C{i:06d}" for i in range(n)])
    frame["other"] = "x"
    return frame, truth


def discovery_with_lookalike(folder: Path) -> tuple[Path, pd.DataFrame]:
    """A 3-type discovery folder with a lookalike model fitted on :func:`make_base`'s planted
    base (300 customers, logistic only), and that base, for tests that run ``score``."""
    from reportfixture import make_discovery_folder

    from behaviortypes.lookalike import LookalikeModel, save_model

    disc = make_discovery_folder(folder, k=3, n=300, seed=19, with_quotes=False)
    frame, truth = make_base(300, seed=3)
    features = frame.set_index("customer_id")[FEATURES]
    model = LookalikeModel(models=("logistic",), cv=3, random_state=0).fit(features, pd.Series(truth, index=features.index))
    save_model(model, disc / "lookalike.skops")
    return disc, frame


@pytest.fixture(scope="module")
def fitted():
    base, truth = make_base(3000, seed=1)
    clf = LogisticRegression(max_iter=500).fit(base[FEATURES].to_numpy(), truth)
    return clf


@pytest.fixture()
def base(tmp_path):
    frame, truth = make_base(2500, seed=2)
    path = tmp_path / "customers.parquet"
    frame.to_parquet(path, index=False, row_group_size=700)
    return frame, truth, path


def expected_proba(clf, frame):
    return clf.predict_proba(frame[FEATURES].to_numpy(float))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# ----------------------------------------------------------------------------- local engine
def test_local_parquet_matches_model_and_keeps_order(fitted, base, tmp_path):
    frame, truth, path = base
    model = DoubleModel(fitted)
    out = tmp_path / "out" / "scored.parquet"
    summary = score_customers(model, path, out, batch_size=600)
    scored = pd.read_parquet(out)
    p = expected_proba(fitted, frame)
    assert list(scored.columns) == ["customer_id", "type_id", "type_name", "probability", "p_1", "p_2", "p_3"]
    assert scored["customer_id"].tolist() == frame["customer_id"].tolist()
    assert_allclose(scored[["p_1", "p_2", "p_3"]].to_numpy(), p, rtol=0, atol=1e-12)
    assert (scored["type_id"].to_numpy() == np.asarray(TYPE_IDS)[p.argmax(1)]).all()
    assert_allclose(scored["probability"].to_numpy(), p.max(1), atol=1e-12)
    names = scored["type_name"].map({"Loyalists": 1, "Bargain hunters": 2, "Explorers": 3})
    assert (names.to_numpy() == scored["type_id"].to_numpy()).all()
    # planted structure is recovered (the logistic model is good on this separation)
    assert (scored["type_id"].to_numpy() == truth).mean() > 0.8
    # summary figures are exact
    assert isinstance(summary, ScoreSummary)
    assert summary.n_rows == 2500
    assert summary.n_batches == 5
    assert_allclose([summary.shares[t] for t in TYPE_IDS], p.mean(0), atol=1e-12)
    assert_allclose(
        [summary.most_likely_shares[t] for t in TYPE_IDS],
        [(p.argmax(1) == j).mean() for j in range(3)],
        atol=1e-12,
    )
    assert summary.table.index.name == "type_id"
    assert summary.to_dict()["n_rows"] == 2500
    assert "2,500 customers" in summary.summary()
    assert leftovers(out.parent) == []


def test_batches_are_bounded(fitted, base, tmp_path):
    """The engine never hands the model more than one batch, and covers every row once."""
    frame, _, path = base
    model = DoubleModel(fitted)
    score_customers(model, path, tmp_path / "s.parquet", batch_size=333)
    assert max(model.calls) == 333
    assert sum(model.calls) == len(frame)
    assert len(model.calls) == int(np.ceil(len(frame) / 333))
    # the written file has one row group per batch, so readers can stream it too
    assert pq.ParquetFile(tmp_path / "s.parquet").num_row_groups == len(model.calls)


def test_same_output_whatever_the_batch_size(fitted, base, tmp_path):
    _, _, path = base
    a = score_customers(DoubleModel(fitted), path, tmp_path / "a.parquet", batch_size=97)
    b = score_customers(DoubleModel(fitted), path, tmp_path / "b.parquet", batch_size=100_000)
    pd.testing.assert_frame_equal(pd.read_parquet(a.out), pd.read_parquet(b.out))


def test_csv_and_duckdb_inputs_agree(fitted, base, tmp_path):
    frame, _, path = base
    csv = tmp_path / "customers.csv"
    frame.to_csv(csv, index=False)
    db = tmp_path / "crm.duckdb"
    with duckdb.connect(str(db)) as con:
        con.register("f", frame)
        con.execute("CREATE TABLE customers AS SELECT * FROM f")
        con.execute("CREATE TABLE other AS SELECT 1 AS x")
    ref = pd.read_parquet(score_customers(DoubleModel(fitted), path, tmp_path / "r.parquet").out)
    from_csv = pd.read_parquet(
        score_customers(DoubleModel(fitted), csv, tmp_path / "c.parquet", batch_size=400).out
    )
    from_db = pd.read_parquet(
        score_customers(DoubleModel(fitted), db, tmp_path / "d.parquet", table="customers", batch_size=512).out
    )
    from_query = pd.read_parquet(
        score_customers(
            DoubleModel(fitted), db, tmp_path / "q.parquet",
            query="SELECT * FROM customers WHERE visits > 0",
        ).out
    )
    for got in (from_csv, from_db):
        assert got["customer_id"].tolist() == ref["customer_id"].tolist()
        assert_allclose(got[["p_1", "p_2", "p_3"]], ref[["p_1", "p_2", "p_3"]], rtol=0, atol=1e-12)
    keep = frame["visits"].to_numpy() > 0
    assert from_query["customer_id"].tolist() == frame.loc[keep, "customer_id"].tolist()


def test_duckdb_output_written_back_into_the_input_database(fitted, base, tmp_path):
    frame, _, path = base
    db = tmp_path / "crm.duckdb"
    with duckdb.connect(str(db)) as con:
        con.register("f", frame)
        con.execute("CREATE TABLE customers AS SELECT * FROM f")
    summary = score_customers(DoubleModel(fitted), db, db, table="customers", batch_size=800)
    assert summary.out_table == "scored_customers"
    # a second run replaces the table (same content, no duplicates)
    score_customers(DoubleModel(fitted), db, db, table="customers")
    with duckdb.connect(str(db), read_only=True) as con:
        got = con.execute("SELECT * FROM scored_customers").fetchdf()
        tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    assert tables == {"customers", "scored_customers"}
    assert got["customer_id"].tolist() == frame["customer_id"].tolist()
    assert_allclose(got[["p_1", "p_2", "p_3"]].to_numpy(), expected_proba(fitted, frame), atol=1e-12)
    assert leftovers(tmp_path) == []


def test_duckdb_failure_keeps_the_old_table_and_closes_the_file(fitted, base, tmp_path):
    frame, _, _ = base
    db = tmp_path / "crm.duckdb"
    gaps = frame.copy()
    gaps.loc[2300, "customer_id"] = None
    with duckdb.connect(str(db)) as con:
        con.register("f", frame)
        con.register("g", gaps)
        con.execute("CREATE TABLE customers AS SELECT * FROM f")
        con.execute("CREATE TABLE gaps AS SELECT * FROM g")
    score_customers(DoubleModel(fitted), db, db, table="customers", out_table="scored")
    with pytest.raises(InputError, match=r"crm.duckdb, column 'customer_id', row 2301: 1 customer\(s\) without"):
        score_customers(DoubleModel(fitted), db, db, table="gaps", out_table="scored", batch_size=500)
    # the failed run left the old table as it was, and released the database
    with duckdb.connect(str(db)) as con:
        assert con.execute("SELECT count(*) FROM scored").fetchone()[0] == len(frame)
    score_customers(DoubleModel(fitted), db, db, table="customers", out_table="scored")
    assert leftovers(tmp_path) == []


def test_customer_ids_keep_the_source_type(fitted, base, tmp_path):
    """Integer ids stay integers (pandas merge, DuckDB BIGINT); text ids and leading zeros stay text."""
    frame, _, _ = base
    frame = frame.copy()
    frame["customer_id"] = np.arange(len(frame), dtype=np.int64) * 7 + 10_000_000_001
    path = tmp_path / "num.parquet"
    frame.to_parquet(path, index=False)
    scored = pd.read_parquet(score_customers(DoubleModel(fitted), path, tmp_path / "s.parquet").out)
    assert scored["customer_id"].dtype == np.int64
    merged = frame.merge(scored, on="customer_id", validate="one_to_one")  # object vs int64 would raise
    assert len(merged) == len(frame)
    db = tmp_path / "out.duckdb"
    score_customers(DoubleModel(fitted), path, db)
    with duckdb.connect(str(db)) as con:
        kind = con.execute("SELECT data_type FROM information_schema.columns "
                           "WHERE table_name = 'scored_customers' AND column_name = 'customer_id'").fetchone()[0]
        assert kind == "BIGINT"
        assert con.execute("SELECT sum(customer_id) FROM scored_customers").fetchone()[0] == frame["customer_id"].sum()
    # a CSV of integer ids: integers again, in the Parquet and in a CSV output
    csv = tmp_path / "num.csv"
    frame.to_csv(csv, index=False)
    scored = pd.read_parquet(score_customers(DoubleModel(fitted), csv, tmp_path / "c.parquet").out)
    assert scored["customer_id"].tolist() == frame["customer_id"].tolist() and scored["customer_id"].dtype == np.int64
    out = tmp_path / "scored.csv"
    score_customers(DoubleModel(fitted), csv, out, csv_dialect="plain")
    got = pd.read_csv(out)
    assert got["customer_id"].dtype == np.int64 and len(frame.merge(got, on="customer_id")) == len(frame)
    # leading zeros and text ids are kept as written
    zeros = tmp_path / "zeros.csv"
    frame.assign(customer_id=[f"{i:08d}" for i in range(len(frame))]).to_csv(zeros, index=False)
    scored = pd.read_parquet(score_customers(DoubleModel(fitted), zeros, tmp_path / "z.parquet").out)
    assert scored["customer_id"].iloc[3] == "00000003"
    mixed = tmp_path / "mixed.csv"
    ids = [str(i) for i in range(len(frame) - 1)] + ["K-99"]  # one text id, last: the whole column is text
    frame.assign(customer_id=ids).to_csv(mixed, index=False)
    scored = pd.read_parquet(score_customers(DoubleModel(fitted), mixed, tmp_path / "m.parquet").out)
    assert scored["customer_id"].tolist() == ids


SWEDISH_NAMES = {1: "Prisjägaren", 2: "Den bekväma; snabba", 3: "Öko-\"vännen\""}


def _swedish_model(fitted):
    model = DoubleModel(fitted)
    model.type_names_ = dict(SWEDISH_NAMES)
    return model


def test_csv_dialects_bytes(fitted, base, tmp_path):
    frame, _, path = base
    out = {d: tmp_path / f"{d}.csv" for d in ("excel", "excel-sv", "plain")}
    for dialect, target in out.items():
        score_customers(_swedish_model(fitted), path, target, csv_dialect=dialect)
    excel, sv, plain = (out[d].read_bytes() for d in ("excel", "excel-sv", "plain"))
    assert excel.startswith(b"\xef\xbb\xbf") and sv.startswith(b"\xef\xbb\xbf") and not plain.startswith(b"\xef")
    assert excel[3:] == plain  # the BOM is the only difference
    header = sv[3:].split(b"\r\n")[0].decode("utf-8")
    assert header == "customer_id;type_id;type_name;probability;p_1;p_2;p_3"
    # every program reads them back: pandas (BOM handled), with the right separator and decimal
    ref = pd.read_parquet(score_customers(_swedish_model(fitted), path, tmp_path / "r.parquet").out)
    for got in (pd.read_csv(out["excel"]), pd.read_csv(out["excel-sv"], sep=";", decimal=",")):
        assert list(got.columns) == list(ref.columns)
        assert got["type_name"].tolist() == ref["type_name"].tolist()
        assert_allclose(got[["p_1", "p_2", "p_3"]], ref[["p_1", "p_2", "p_3"]], atol=5e-7)
    assert set(ref["type_name"]) <= set(SWEDISH_NAMES.values())
    with pytest.raises(InputError, match="unknown CSV dialect 'excel-de'.*excel-sv"):
        score_customers(DoubleModel(fitted), path, tmp_path / "x.csv", csv_dialect="excel-de")
    # a re-run replaces its own CSV in any dialect (the header is recognised)
    score_customers(_swedish_model(fitted), path, out["excel-sv"], csv_dialect="excel-sv")


@pytest.mark.slow
def test_excel_sv_csv_opens_in_a_swedish_spreadsheet(fitted, base, tmp_path):
    """LibreOffice (a real spreadsheet engine) with Swedish settings reads numbers as numbers."""
    import shutil
    import subprocess

    from openpyxl import load_workbook

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    frame, _, path = base
    frame = frame.iloc[:200].assign(customer_id=np.arange(200) + 5000)
    small = tmp_path / "small.parquet"
    frame.to_parquet(small, index=False)
    ref = pd.read_parquet(score_customers(_swedish_model(fitted), small, tmp_path / "r.parquet").out)
    books = {}
    # 59 = ';', 44 = ','; 34 = '"'; 76 = UTF-8; 1053 = sv-SE, 1033 = en-US (the import's locale)
    for dialect, options in (("excel-sv", "59,34,76,1,,1053"), ("excel", "44,34,76,1,,1033")):
        csv = tmp_path / f"scored_{dialect}.csv"
        score_customers(_swedish_model(fitted), small, csv, csv_dialect=dialect)
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                        f"--infilter=CSV:{options}", "--convert-to", "xlsx", "--outdir", str(tmp_path / dialect),
                        str(csv)], check=True, capture_output=True, timeout=240)
        books[dialect] = load_workbook(tmp_path / dialect / f"scored_{dialect}.xlsx").active
    for dialect, sheet in books.items():
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == tuple(ref.columns), dialect  # no BOM bytes in the first cell
        body = rows[1:]
        assert len(body) == len(ref)
        assert [r[0] for r in body] == ref["customer_id"].tolist(), dialect
        assert all(isinstance(r[0], int) and isinstance(r[1], int) for r in body), dialect
        assert [r[2] for r in body] == ref["type_name"].tolist(), dialect  # å/ä/ö, ';' and quotes intact
        probs = np.array([r[3:7] for r in body], dtype=object)
        assert all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in probs.ravel()), dialect  # not text
        assert_allclose(probs.astype(float), ref[["probability", "p_1", "p_2", "p_3"]], atol=5e-7)


def test_unassigned_threshold(fitted, base, tmp_path):
    frame, _, path = base
    out = tmp_path / "u.parquet"
    summary = score_customers(DoubleModel(fitted, threshold=0.7), path, out)
    got = pd.read_parquet(out)
    p = expected_proba(fitted, frame)
    low = p.max(1) < 0.7
    assert low.any() and (~low).any()
    assert got.columns[-1] == "unassigned"
    assert (got["unassigned"].to_numpy() == low).all()
    assert got.loc[low, "type_id"].isna().all()
    assert (got.loc[low, "type_name"] == "Unassigned").all()
    assert not got.loc[~low, "type_id"].isna().any()
    assert_allclose(summary.unassigned_share, low.mean(), atol=1e-12)


def test_model_from_folder_with_types_yaml(fitted, base, tmp_path, monkeypatch):
    _, _, path = base
    folder = tmp_path / "disc"
    folder.mkdir()
    (folder / "lookalike.skops").write_bytes(b"stub")
    write_yaml(folder / "types.yaml", {"types": [{"type_id": t, "name": f"Name {t}"} for t in TYPE_IDS]})
    import behaviortypes.scoring._model as scoring_model

    monkeypatch.setattr(scoring_model, "_load_model_file", lambda p: DoubleModel(fitted, names=False))
    summary = score_customers(folder, path, tmp_path / "s.parquet")
    got = pd.read_parquet(summary.out)
    assert set(got["type_name"]) <= {"Name 1", "Name 2", "Name 3"}
    assert summary.type_names == {1: "Name 1", 2: "Name 2", 3: "Name 3"}


# ----------------------------------------------------------------------------- atomicity
def test_bad_value_in_a_later_batch_leaves_nothing(fitted, base, tmp_path):
    frame, _, _ = base
    csv = tmp_path / "in" / "customers.csv"
    csv.parent.mkdir()
    text = frame.to_csv(index=False).splitlines()
    text[2101] = text[2101].replace(text[2101].split(",")[1], "abc", 1)  # file line 2102 (header = row 1)
    csv.write_text("\n".join(text) + "\n")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "scored.parquet"
    with pytest.raises(InputError, match=r"customers.csv, column 'visits', row 2102: value 'abc' is not a number"):
        score_customers(DoubleModel(fitted), csv, out, batch_size=300)
    assert list(out_dir.iterdir()) == []


def test_failure_keeps_the_previous_output(fitted, base, tmp_path):
    frame, _, path = base
    out = tmp_path / "scored.parquet"
    score_customers(DoubleModel(fitted), path, out)
    before = out.read_bytes()
    bad = frame.copy()
    bad.loc[1500, "spend"] = np.nan
    bad_path = tmp_path / "bad.parquet"
    bad.to_parquet(bad_path, index=False)
    # the model's batch-relative row is reported as a file row
    with pytest.raises(InputError, match=r"bad.parquet, column 'visits', row 1501: missing feature values"):
        score_customers(DoubleModel(fitted), bad_path, out, batch_size=400)
    assert out.read_bytes() == before
    assert leftovers(tmp_path) == []


# ----------------------------------------------------------------------------- user errors
def test_missing_customer_file(fitted, tmp_path):
    with pytest.raises(InputError, match="nope.parquet: customer file not found"):
        score_customers(DoubleModel(fitted), tmp_path / "nope.parquet", tmp_path / "o.parquet")


def test_unknown_formats(fitted, base, tmp_path):
    _, _, path = base
    odd = tmp_path / "customers.xlsx"
    odd.write_bytes(b"x")
    with pytest.raises(InputError, match=r"customer base cannot be read from a \.xlsx file.*save it as CSV \(UTF-8\) or Parquet"):
        score_customers(DoubleModel(fitted), odd, tmp_path / "o.parquet")
    with pytest.raises(InputError, match=r"unknown output format '.json'"):
        score_customers(DoubleModel(fitted), path, tmp_path / "o.json")
    bad = tmp_path / "broken.parquet"
    bad.write_bytes(b"not parquet at all")
    with pytest.raises(InputError, match="broken.parquet: not a readable Parquet file"):
        score_customers(DoubleModel(fitted), bad, tmp_path / "o.parquet")


def test_missing_id_column_names_the_columns(fitted, base, tmp_path):
    _, _, path = base
    with pytest.raises(InputError, match=r"column 'cust_no': no customer id column.*visits, spend, tenure"):
        score_customers(DoubleModel(fitted), path, tmp_path / "o.parquet", id_column="cust_no")
    with pytest.raises(InputError, match="cannot tell which column holds the customer ids"):
        frame = pd.read_parquet(path).rename(columns={"customer_id": "cid"})
        frame.to_parquet(tmp_path / "cid.parquet")
        score_customers(DoubleModel(fitted, id_column=None), tmp_path / "cid.parquet", tmp_path / "o.parquet")
    # the override works
    score_customers(DoubleModel(fitted, id_column=None), tmp_path / "cid.parquet", tmp_path / "o.parquet",
                    id_column="cid")


def test_missing_feature_column(fitted, base, tmp_path):
    frame, _, _ = base
    path = tmp_path / "nospend.parquet"
    frame.drop(columns="spend").to_parquet(path)
    with pytest.raises(InputError, match=r"column 'spend': missing column\(s\) 'spend' the model needs"):
        score_customers(DoubleModel(fitted), path, tmp_path / "o.parquet")


def test_missing_and_duplicate_ids(fitted, base, tmp_path):
    frame, _, _ = base
    gaps = frame.copy()
    gaps.loc[[2200, 2210], "customer_id"] = None
    gaps.to_parquet(tmp_path / "gaps.parquet")
    with pytest.raises(InputError, match=r"column 'customer_id', rows 2201, 2211: 2 customer\(s\) without an id"):
        score_customers(DoubleModel(fitted), tmp_path / "gaps.parquet", tmp_path / "o.parquet", batch_size=1000)
    dup = frame.copy()
    dup.loc[2400, "customer_id"] = dup.loc[7, "customer_id"]
    dup.to_parquet(tmp_path / "dup.parquet")
    with pytest.raises(InputError, match=r"rows 8, 2401: customer id 'C000007' appears 2 times"):
        score_customers(DoubleModel(fitted), tmp_path / "dup.parquet", tmp_path / "o.parquet", batch_size=1000)
    assert not (tmp_path / "o.parquet").exists()
    score_customers(DoubleModel(fitted), tmp_path / "dup.parquet", tmp_path / "o.parquet", check_duplicates=False)
    assert len(pd.read_parquet(tmp_path / "o.parquet")) == len(frame)


def test_duckdb_table_errors(fitted, base, tmp_path):
    frame, _, _ = base
    db = tmp_path / "crm.duckdb"
    with duckdb.connect(str(db)) as con:
        con.register("f", frame)
        con.execute("CREATE TABLE customers AS SELECT * FROM f")
        con.execute("CREATE TABLE orders AS SELECT 1 AS x")
    with pytest.raises(InputError, match=r"no table 'custs' in the database.*tables present: customers, orders"):
        score_customers(DoubleModel(fitted), db, tmp_path / "o.parquet", table="custs")
    with pytest.raises(InputError, match=r"the database has 2 tables.*pass table="):
        score_customers(DoubleModel(fitted), db, tmp_path / "o.parquet")
    with pytest.raises(InputError, match="DuckDB could not run the query"):
        score_customers(DoubleModel(fitted), db, tmp_path / "o.parquet", query="SELEC nonsense")
    with pytest.raises(InputError, match="either table= or query="):
        score_customers(DoubleModel(fitted), db, tmp_path / "o.parquet", table="customers", query="SELECT 1")
    with pytest.raises(InputError, match="only apply to a DuckDB database"):
        score_customers(DoubleModel(fitted), base[2], tmp_path / "o.parquet", table="t")


def test_model_errors(fitted, base, tmp_path):
    _, _, path = base
    with pytest.raises(InputError, match="no lookalike.skops in this folder"):
        score_customers(tmp_path, path, tmp_path / "o.parquet")
    with pytest.raises(InputError, match="model file not found"):
        score_customers(tmp_path / "m.skops", path, tmp_path / "o.parquet")
    with pytest.raises(InputError, match="unknown engine 'spark'"):
        score_customers(DoubleModel(fitted), path, tmp_path / "o.parquet", engine="spark")
    with pytest.raises(InputError, match="batch_size must be a positive"):
        score_customers(DoubleModel(fitted), path, tmp_path / "o.parquet", batch_size=0)


def _rate(text: str) -> str:
    import re

    return re.findall(r"([\d,]+) rows/s", text)[-1]


def test_progress_in_a_log_is_a_few_lines_with_the_summarys_rate(fitted, base, tmp_path, capsys):
    _, _, path = base
    summary = score_customers(DoubleModel(fitted), path, tmp_path / "p.parquet", batch_size=100, progress=True)
    printed = capsys.readouterr().out
    assert "\r" not in printed and "\x1b" not in printed  # no redrawing in a log
    lines = printed.splitlines()
    # 25 batches of 100 rows: a line at 10 %, 20 % ... 90 % and a last one
    assert len(lines) == 10, printed
    assert lines[0].startswith("Scoring customers.parquet: 300 of 2,500 rows (12 %)")
    assert lines[-1].startswith("Scoring customers.parquet: 2,500 of 2,500 rows (100 %)")
    assert _rate(lines[-1]) == _rate(summary.summary()) == f"{summary.rows_per_s:,.0f}"
    assert f"{summary.seconds:.1f} s" in lines[-1] and f"{summary.seconds:.1f} s" in summary.summary()


def test_progress_on_a_terminal_ends_with_the_summarys_rate(fitted, base, tmp_path, monkeypatch):
    import io
    import sys

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stdout", screen)
    _, _, path = base
    summary = score_customers(DoubleModel(fitted), path, tmp_path / "p.parquet", batch_size=500, progress=True)
    monkeypatch.undo()
    drawn = screen.getvalue()
    assert "2,500/2,500" in drawn or "2500/2500" in drawn
    assert _rate(drawn) == _rate(summary.summary())


# ----------------------------------------------------------------------------- dask engine
def test_dask_engine_matches_local(fitted, base, tmp_path, capsys):
    from distributed import Client, LocalCluster

    frame, _, path = base
    local = pd.read_parquet(score_customers(DoubleModel(fitted), path, tmp_path / "l.parquet").out)
    parts = tmp_path / "dataset"
    parts.mkdir()
    for i in range(12):  # 12 files: natural order (part-2 before part-10) must be kept
        frame.iloc[i * 210 : (i + 1) * 210].to_parquet(parts / f"part-{i}.parquet", index=False)
    csv = tmp_path / "customers.csv"
    frame.to_csv(csv, index=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        a = score_customers(DoubleModel(fitted), parts, tmp_path / "a.parquet", engine="dask", scheduler=client)
        b = score_customers(
            DoubleModel(fitted), csv, tmp_path / "b.parquet", engine="dask", scheduler=client, progress=True
        )
    printed = capsys.readouterr().out
    assert "\r" not in printed and printed.splitlines()[-1].startswith("Scoring customers.csv: 2,500 rows")
    assert _rate(printed) == _rate(b.summary())
    for summary in (a, b):
        got = pd.read_parquet(summary.out)
        assert got["customer_id"].tolist() == frame["customer_id"].tolist()
        assert_allclose(got[["p_1", "p_2", "p_3"]], local[["p_1", "p_2", "p_3"]], rtol=0, atol=1e-12)
        assert got["type_id"].tolist() == local["type_id"].tolist()
        assert summary.n_rows == len(frame)
        assert_allclose(list(summary.shares.values()), list(a.shares.values()), atol=1e-12)
    assert a.out.is_dir() and a.n_batches == 12
    assert leftovers(tmp_path) == []
    with pytest.raises(InputError, match="the dask engine reads Parquet or CSV"):
        db = tmp_path / "crm.duckdb"
        with duckdb.connect(str(db)) as con:
            con.execute("CREATE TABLE c AS SELECT 1 AS customer_id")
        score_customers(DoubleModel(fitted), db, tmp_path / "x.parquet", engine="dask", scheduler="tcp://x:1")


def test_same_inputs_same_output_bytes(fitted, base, tmp_path):
    """No randomness in scoring: two runs give identical files."""
    _, _, path = base
    a = score_customers(DoubleModel(fitted), path, tmp_path / "a.parquet")
    b = score_customers(DoubleModel(fitted), path, tmp_path / "b.parquet")
    assert pq.read_table(a.out).equals(pq.read_table(b.out))


# ----------------------------------------------------------------------------- the real model
@pytest.fixture(scope="module")
def real_model_dir(tmp_path_factory):
    """A LookalikeModel fitted on a planted base, saved as the lookalike stage does."""
    from behaviortypes.lookalike import LookalikeModel, save_model

    frame, truth = make_base(1500, seed=3)
    frame["channel"] = np.where(truth == 1, "store", np.where(truth == 2, "web", "app"))
    features = frame.set_index("customer_id")[[*FEATURES, "channel"]]
    model = LookalikeModel(models=("logistic",), cv=3, random_state=0).fit(
        features, pd.Series(truth, index=features.index)
    )
    folder = tmp_path_factory.mktemp("discovery")
    save_model(model, folder / "lookalike.skops")
    write_yaml(folder / "types.yaml", {"types": [
        {"type_id": 1, "name": "Loyalists", "tagline": "x"},
        {"type_id": 2, "name": "Bargain hunters"},
        {"type_id": 3, "name": "Explorers"},
    ]})
    return folder, model


@pytest.mark.slow
def test_real_model_engines_agree(real_model_dir, tmp_path):
    from distributed import Client, LocalCluster

    folder, model = real_model_dir
    frame, truth = make_base(2000, seed=4)
    frame["channel"] = np.where(truth == 1, "store", np.where(truth == 2, "web", "app"))
    path = tmp_path / "customers.parquet"
    frame.to_parquet(path, index=False, row_group_size=300)
    db = tmp_path / "crm.duckdb"
    with duckdb.connect(str(db)) as con:
        con.register("f", frame)
        con.execute("CREATE TABLE customers AS SELECT * FROM f")
    want = model.predict_proba(frame[[*FEATURES, "channel"]]).to_numpy()

    local = score_customers(folder, path, tmp_path / "l.parquet", batch_size=450)
    via_db = score_customers(folder / "lookalike.skops", db, db, batch_size=700)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        dask = score_customers(folder, path, tmp_path / "d.parquet", engine="dask", scheduler=client)
    with duckdb.connect(str(db), read_only=True) as con:
        from_db = con.execute("SELECT * FROM scored_customers").fetchdf()
    for got in (pd.read_parquet(local.out), from_db, pd.read_parquet(dask.out)):
        assert got["customer_id"].tolist() == frame["customer_id"].tolist()
        assert_allclose(got[["p_1", "p_2", "p_3"]].to_numpy(), want, rtol=0, atol=1e-12)
        assert set(got["type_name"]) == {"Loyalists", "Bargain hunters", "Explorers"}
    assert (pd.read_parquet(local.out)["type_id"].to_numpy() == truth).mean() > 0.9
    for summary in (local, via_db, dask):  # each engine's summary counts what it wrote
        assert_allclose(list(summary.shares.values()), want.mean(0), atol=1e-12)


def test_real_model_schema_errors(real_model_dir, tmp_path):
    folder, _ = real_model_dir
    frame, _ = make_base(300, seed=5)
    frame["channel"] = "web"
    wrong = frame.assign(spend=frame["spend"].map(lambda v: f"{v:.2f} EUR"))
    wrong.to_parquet(tmp_path / "wrong.parquet")
    with pytest.raises(InputError, match=r"wrong.parquet, column 'spend': has type string but the model expects numbers"):
        score_customers(folder, tmp_path / "wrong.parquet", tmp_path / "o.parquet")
    frame.drop(columns="channel").to_parquet(tmp_path / "nochannel.parquet")
    with pytest.raises(InputError, match=r"column 'channel': missing column 'channel' that the lookalike model"):
        score_customers(folder, tmp_path / "nochannel.parquet", tmp_path / "o.parquet")
    assert leftovers(tmp_path) == []


def test_empty_base_gives_an_empty_scored_file(fitted, base, tmp_path):
    frame, _, _ = base
    frame.iloc[:0].to_parquet(tmp_path / "empty.parquet", index=False)
    summary = score_customers(DoubleModel(fitted), tmp_path / "empty.parquet", tmp_path / "o.parquet")
    got = pd.read_parquet(tmp_path / "o.parquet")
    assert summary.n_rows == 0 and len(got) == 0
    assert list(got.columns) == ["customer_id", "type_id", "type_name", "probability", "p_1", "p_2", "p_3"]


@pytest.mark.slow
def test_dask_engine_default_local_cluster(fitted, base, tmp_path):
    """scheduler=None starts (and stops) a two-process local cluster."""
    frame, _, path = base
    summary = score_customers(DoubleModel(fitted), path, tmp_path / "d.parquet", engine="dask", batch_size=700)
    got = pd.read_parquet(summary.out)
    assert got["customer_id"].tolist() == frame["customer_id"].tolist()
    assert_allclose(got[["p_1", "p_2", "p_3"]].to_numpy(), expected_proba(fitted, frame), rtol=0, atol=1e-12)
    # row groups of 700 rows → one partition per row group
    assert summary.n_batches == 4


def test_unreachable_scheduler(fitted, base, tmp_path, monkeypatch):
    import behaviortypes.scoring._engines as scoring_engines

    monkeypatch.setattr(scoring_engines, "_CONNECT_TIMEOUT", "1s")
    with pytest.raises(InputError, match=r"cannot reach the Dask scheduler.*Hint: check the address"):
        score_customers(DoubleModel(fitted), base[2], tmp_path / "o.parquet", engine="dask",
                        scheduler="tcp://127.0.0.1:9")
    assert leftovers(tmp_path) == []


def test_gzipped_csv_and_parquet_folder_inputs(fitted, base, tmp_path):
    frame, _, path = base
    ref = pd.read_parquet(score_customers(DoubleModel(fitted), path, tmp_path / "r.parquet").out)
    frame.to_csv(tmp_path / "customers.csv.gz", index=False)
    folder = tmp_path / "dataset"
    folder.mkdir()
    for i in range(11):  # natural order: part-2 before part-10
        frame.iloc[i * 230 : (i + 1) * 230].to_parquet(folder / f"part-{i}.parquet", index=False)
    for source in (tmp_path / "customers.csv.gz", folder):
        got = pd.read_parquet(score_customers(DoubleModel(fitted), source, tmp_path / "g.parquet", batch_size=999).out)
        pd.testing.assert_frame_equal(got, ref)


def _swedish_excel_csv(frame: pd.DataFrame, path: Path, encoding: str) -> Path:
    """The base as Swedish Excel saves it: ';' separators, decimal comma, BOM or cp1252."""
    out = frame.copy()
    out["ort"] = "Göteborg"
    out.to_csv(path, sep=";", decimal=",", index=False, encoding=encoding)
    return path


def test_swedish_excel_customer_csv(fitted, base, tmp_path):
    # the trial: "kunder.csv: cannot read the CSV file (CSV parse error: Expected 1 columns,
    # got 4: C100001;49,5;5,0;man;5,0)"
    from distributed import Client, LocalCluster

    frame, _, path = base
    frame = frame.assign(customer_id="kund-å" + frame["customer_id"])  # non-ASCII ids
    frame.to_parquet(path, index=False)
    ref = pd.read_parquet(score_customers(DoubleModel(fitted), path, tmp_path / "r.parquet").out)
    bom = _swedish_excel_csv(frame, tmp_path / "kunder.csv", "utf-8-sig")
    ansi = _swedish_excel_csv(frame, tmp_path / "kunder_ansi.csv", "cp1252")
    assert bom.read_bytes().startswith(b"\xef\xbb\xbfcustomer_id;") and b"\xe5" in ansi.read_bytes()
    assert b";0," in bom.read_bytes() or b";1," in bom.read_bytes() or b";-" in bom.read_bytes()
    for source in (bom, ansi):
        got = pd.read_parquet(score_customers(DoubleModel(fitted), source, tmp_path / "s.parquet",
                                              batch_size=400).out)
        pd.testing.assert_frame_equal(got, ref)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        got = pd.read_parquet(score_customers(DoubleModel(fitted), ansi, tmp_path / "d.parquet", engine="dask",
                                              scheduler=client).out)
    assert got["customer_id"].tolist() == ref["customer_id"].tolist()
    assert_allclose(got[["p_1", "p_2", "p_3"]], ref[["p_1", "p_2", "p_3"]], rtol=0, atol=1e-12)


def test_swedish_csv_errors_name_the_separator(fitted, base, tmp_path):
    frame, _, _ = base
    lines = _swedish_excel_csv(frame.head(50), tmp_path / "k.csv", "utf-8-sig").read_text(
        encoding="utf-8-sig").splitlines()
    bad_value = tmp_path / "value.csv"
    cells = lines[31].split(";")
    cells[2] = "tio"
    bad_value.write_text("\n".join(lines[:31] + [";".join(cells)] + lines[32:]) + "\n", encoding="utf-8-sig")
    with pytest.raises(InputError) as err:
        score_customers(DoubleModel(fitted), bad_value, tmp_path / "o.parquet")
    text = str(err.value)
    assert "'tio'" in text and "row" in text and "';' (semicolon) as the separator" in text
    assert "',' as the decimal mark" in text
    bad_row = tmp_path / "row.csv"
    bad_row.write_text("\n".join(lines[:20] + [lines[20] + ";extra;cells"] + lines[21:]) + "\n",
                       encoding="utf-8-sig")
    with pytest.raises(InputError, match=r"';' \(semicolon\) as the separator"):
        score_customers(DoubleModel(fitted), bad_row, tmp_path / "o.parquet")


def test_refuses_to_overwrite_the_customer_file(fitted, base, tmp_path):
    _, _, path = base
    before = path.read_bytes()
    with pytest.raises(InputError, match="would overwrite the customer file"):
        score_customers(DoubleModel(fitted), path, path)
    assert path.read_bytes() == before


def test_refuses_an_existing_folder_that_is_not_a_scored_output(fitted, base, tmp_path):
    _, _, path = base  # tmp_path holds customers.parquet
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(InputError, match="output folder holds the customer file customers.parquet"):
        score_customers(DoubleModel(fitted), path, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == before and path.is_file()


# ----------------------------------------------------------------------------- base_shares.json
def _card_for(folder: Path, customers: Path, model, *, corrected: bool) -> dict:
    """A lookalike card for ``model`` fitted on ``customers`` (the parts score reads)."""
    import json

    from behaviortypes.lookalike import customers_fingerprint

    rows = [{"type_id": t, "type_name": f"T{t}", "survey_share": 1 / 3, "raw_predicted_share": 0.3,
             "corrected_share": 0.3 + 0.01 * t, "corrected_ci_low": 0.2 + 0.01 * t,
             "corrected_ci_high": 0.4 + 0.01 * t} for t in model.type_ids_]
    card = {"id_column": "customer_id", "feature_columns": model.feature_columns_, "type_ids": model.type_ids_,
            "chosen_model": "logistic", "link": {"n_respondents": 10, "n_linked": 10},
            "metrics": {"accuracy": 0.9, "log_loss": 0.3}, "shares": rows,
            "base": {"corrected": corrected, "method": "Saerens" if corrected else
                     "raw predicted: the survey differs from the base in education themselves; the shares are "
                     "the mean predicted probability over the base"},
            "fingerprint": {"customers_file": str(customers.resolve()),
                            "customers_sha256": customers_fingerprint(customers),
                            "customers_bytes": customers.stat().st_size}}
    (folder / "lookalike_card.json").write_text(json.dumps(card), encoding="utf-8")
    return card


def test_base_shares_only_from_the_base_the_lookalike_was_fitted_on(real_model_dir, tmp_path):
    # trial 3, finding 3: a 300-row test file scored against the discovery folder replaced
    # base_shares.json ("Share of customer base 14 % ... 300 customers scored")
    import shutil

    from behaviortypes.errors import BehaviortypesWarning, SurveyQualityWarning
    from behaviortypes.files import read_json

    src, model = real_model_dir
    folder = tmp_path / "discovery"
    shutil.copytree(src, folder)
    frame, truth = make_base(2000, seed=4)
    frame["channel"] = np.where(truth == 1, "store", np.where(truth == 2, "web", "app"))
    fitted_on = tmp_path / "customers.csv"
    frame.to_csv(fitted_on, index=False)
    _card_for(folder, fitted_on, model, corrected=False)
    with pytest.warns(SurveyQualityWarning, match="raw predicted shares .* differs from the base in education"):
        written = score_customers(folder, fitted_on, tmp_path / "all.parquet").to_files(folder)
    assert written == [folder / "base_shares.json"]
    doc = read_json(folder / "base_shares.json")
    assert doc["n_customers"] == 2000 and doc["corrected"] is False and doc["method"].startswith("raw predicted")
    assert doc["ci_low"] == {str(t): 0.2 + 0.01 * t for t in (1, 2, 3)}  # the card's, for the share reported
    before = (folder / "base_shares.json").read_bytes()
    # another file (a test extract) leaves it alone, and says so in one line
    other = tmp_path / "test_300.csv"
    frame.iloc[:300].to_csv(other, index=False)
    summary = score_customers(folder, other, tmp_path / "few.parquet")
    with pytest.warns(BehaviortypesWarning, match=r"base_shares.json left as it was: the scored file is not"):
        assert summary.to_files(folder) == []
    assert (folder / "base_shares.json").read_bytes() == before
    assert summary.n_rows == 300 and "share" in summary.summary()  # its own shares are still printed
    # the same path with other contents (the base changed since the lookalike) is refused too
    frame.iloc[:1999].to_csv(fitted_on, index=False)
    with pytest.warns(BehaviortypesWarning, match="has changed since the lookalike was fitted"):
        assert score_customers(folder, fitted_on, tmp_path / "again.parquet").to_files(folder) == []
    assert (folder / "base_shares.json").read_bytes() == before


# ----------------------------------------------------------------------------- a Swedish study's errors
class CodedErrorModel(DoubleModel):
    """A model whose error carries a catalogue code (as the study's readers raise them)."""

    def predict_proba(self, features: pd.DataFrame) -> pd.DataFrame:
        x = features[FEATURES].to_numpy(dtype=float)
        if (x > 5).any():
            row = int(np.flatnonzero((x > 5).any(axis=1))[0]) + 1
            raise InputError(code="problem_value_outside", values={"value": 99, "scale": "0–5"},
                             column="visits", rows=[row], value=99, respondent="C1")
        return super().predict_proba(features)


@pytest.mark.parametrize("kind", ["parquet", "csv"])
def test_a_models_coded_error_keeps_its_code_through_the_engine(fitted, base, tmp_path, kind):
    """Session 14: the engine rebuilt the model's problems from their English text (the
    code, the values and the respondent were lost), so a Swedish study's line was English."""
    frame, _, _ = base
    bad = frame.copy()
    bad.loc[1500, "visits"] = 99.0
    path = tmp_path / f"bad.{kind}"
    bad.to_parquet(path, index=False) if kind == "parquet" else bad.to_csv(path, index=False)
    with pytest.raises(InputError) as err:
        score_customers(CodedErrorModel(fitted), path, tmp_path / "o.parquet", batch_size=400)
    problem = err.value.problems[0]
    row = 1501 if kind == "parquet" else 1502  # a CSV's header is row 1
    assert (problem.code, problem.rows, problem.respondent) == ("problem_value_outside", [row], "C1")
    sv = err.value.said("sv")
    assert f"bad.{kind}, kolumn 'visits', rad {row} (svarande C1): värdet 99 ligger utanför skalan 0–5" in sv
    assert "Tips:" in sv and "Hint" not in sv and "outside" not in sv
    if kind == "parquet":  # the note on how rows count, in the study's language
        assert "Parquet-filens poster från 1" in sv
        assert str(err.value).endswith("(rows count the Parquet's records from 1)")


def test_swedish_studys_score_error_is_swedish_on_the_command_line(real_model_dir, tmp_path):
    """``behaviortypes score`` for a Swedish study (source.json's language) says a customer
    file's problem in Swedish, the engine's note on row numbers included."""
    import json
    import shutil
    import subprocess
    import sys

    folder, _ = real_model_dir
    study = tmp_path / "studie"
    shutil.copytree(folder, study)
    (study / "source.json").write_text(json.dumps({"instrument": {"language": "sv"}}), encoding="utf-8")
    frame, _ = make_base(300, seed=6)
    frame["channel"] = "web"
    frame.loc[[40, 44], "customer_id"] = None
    frame.to_parquet(tmp_path / "kunder.parquet", index=False)
    run = subprocess.run([sys.executable, "-m", "behaviortypes.cli", "score", str(study), "--customers",
                          str(tmp_path / "kunder.parquet"), "--out", str(tmp_path / "typade.parquet")],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 2, run.stderr
    line = run.stderr.strip().splitlines()[-1]
    assert line == ("fel: kunder.parquet, kolumn 'customer_id', raderna 41, 45: 2 kund(er) utan id. "
                    "Tips: varje kund behöver ett id; ta bort eller fyll i de raderna "
                    "(raderna räknar Parquet-filens poster från 1)"), line
    assert not (tmp_path / "typade.parquet").exists()
