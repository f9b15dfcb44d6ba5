"""Hostile and careless inputs (issue 14): nothing lost, nothing read from outside, bounded.

Each test first builds the attack or the mistake as a user could make it, then checks
that the run refuses it with one clear line (or gives correct output) and that nothing
outside the run's own outputs changed.
"""

from __future__ import annotations

import io
import json
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


# ----------------------------------------------- 2, 4. QDA archives: only what was pointed at
MINIMAL = Path(__file__).parent / "data" / "interviews" / "minimal.qdpx"
SOURCE_B = 'plainTextPath="internal://7b1e0c3a-1111-4c8e-9a0b-000000000002.TXT"'


def qdpx_with(tmp_path: Path, ref: str, name: str = "attack.qdpx", extra: dict | None = None) -> Path:
    """The minimal project with source B's path replaced by ``ref``."""
    with zipfile.ZipFile(MINIMAL) as src:
        project = src.read("project.qde").decode("utf-8").replace(SOURCE_B, f'plainTextPath="{ref}"')
        members = {i.filename: src.read(i) for i in src.infolist() if i.filename != "project.qde"}
    out = tmp_path / name
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        dst.writestr("project.qde", project)
        for member, data in {**members, **(extra or {})}.items():
            dst.writestr(member, data)
    return out


@pytest.fixture()
def secret(tmp_path):
    """A private file beside (not inside) the folder the user names."""
    path = tmp_path / "private" / "passwords.txt"
    path.parent.mkdir()
    path.write_text("SECRET-LINE " * 20, encoding="utf-8")  # long enough for the offsets
    return path


@pytest.mark.parametrize("scheme", ["absolute://", "file://", "relative://../private/", "relative://"])
def test_qdpx_external_sources_are_not_read_by_default(tmp_path, secret, scheme):
    from behaviortypes.interviews import read_interviews

    ref = scheme + (str(secret) if scheme in ("absolute://", "file://") else secret.name)
    project = qdpx_with(tmp_path, ref)
    with pytest.raises(InputError, match="stored outside the archive.*read only from a folder you name") as info:
        read_interviews(project)
    assert "SECRET" not in str(info.value) and "240" not in str(info.value)
    if scheme != "absolute://":
        return
    # the same through the CLI: one line, exit 2, nothing written
    out = tmp_path / "themes_out"
    result = subprocess.run([sys.executable, "-m", "behaviortypes.cli", "themes", str(project), "--out", str(out)],
                            capture_output=True, text=True, env=_env())
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "SECRET" not in result.stdout + result.stderr and not out.exists()


@pytest.mark.parametrize("ref", ["relative://../private/passwords.txt", "absolute://{secret}",
                                 "file://{secret}", "relative://sub/../../private/passwords.txt"])
def test_qdpx_external_sources_never_escape_the_named_folder(tmp_path, secret, ref):
    from behaviortypes.interviews import read_interviews

    allowed = tmp_path / "transcripts"
    allowed.mkdir()
    (allowed / "link.txt").symlink_to(secret)  # a link out of the folder is outside too
    project = qdpx_with(tmp_path, ref.format(secret=secret))
    with pytest.raises(InputError, match="outside the sources folder transcripts"):
        read_interviews(project, sources_dir=allowed)
    with pytest.raises(InputError, match="outside the sources folder"):
        read_interviews(qdpx_with(tmp_path, "relative://link.txt", "link.qdpx"), sources_dir=allowed)


def test_qdpx_external_source_inside_the_named_folder_is_read(tmp_path):
    from behaviortypes.interviews import read_interviews

    with zipfile.ZipFile(MINIMAL) as src:
        text = src.read("Sources/7b1e0c3a-1111-4c8e-9a0b-000000000002.TXT")
    folder = tmp_path / "transcripts"
    folder.mkdir()
    (folder / "b2.txt").write_bytes(text)
    inside = read_interviews(qdpx_with(tmp_path, "relative://b2.txt"), sources_dir=folder)
    also = read_interviews(qdpx_with(tmp_path, f"absolute://{folder / 'b2.txt'}", "abs.qdpx"),
                           sources_dir=folder)
    embedded = read_interviews(MINIMAL)
    pd.testing.assert_frame_equal(inside.codings, embedded.codings)
    pd.testing.assert_frame_equal(also.codings, embedded.codings)


def _zip_bomb(path: Path, member: str, size: int, project: bytes | None = None) -> Path:
    """A small archive whose ``member`` unpacks to ``size`` bytes of zeros."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        if project is not None:
            zf.writestr("project.qde", project)
        with zf.open(member, "w", force_zip64=True) as fh:
            block = b"\0" * (1 << 20)
            for _ in range(size >> 20):
                fh.write(block)
    return path


def test_qdpx_zip_bomb_is_refused_before_unpacking(tmp_path):
    from behaviortypes.interviews import read_interviews, write_types_to_qdpx

    bomb = _zip_bomb(tmp_path / "bomb.qdpx", "project.qde", 80 << 20)
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(InputError, match=r"project.qde unpacks to 80 MiB; .*limited to 64 MiB"):
        read_interviews(bomb)
    with pytest.raises(InputError, match="unpacks to 80 MiB"):
        write_types_to_qdpx(bomb, tmp_path / "out.qdpx", {"A": "Saver"})
    # a transcript member: the ratio limit (8 MiB of zeros pack ~1000 times)
    with zipfile.ZipFile(MINIMAL) as src:
        project = src.read("project.qde")
    bomb2 = _zip_bomb(tmp_path / "bomb2.qdpx", "Sources/7B1E0C3A-1111-4C8E-9A0B-000000000001.txt",
                      8 << 20, project)
    with pytest.raises(InputError, match=r"unpacks [\d,]+ times its packed size"):
        read_interviews(bomb2)
    # ... also when copied as an extra member (media) by write_types_to_qdpx
    ok = qdpx_with(tmp_path, "internal://7b1e0c3a-1111-4c8e-9a0b-000000000002.TXT", "ok.qdpx")
    with zipfile.ZipFile(ok, "a", zipfile.ZIP_DEFLATED) as zf, zf.open("Sources/video.mp4", "w", force_zip64=True) as fh:
        for _ in range(8):
            fh.write(b"\0" * (1 << 20))
    with pytest.raises(InputError, match="video.mp4 unpacks"):
        write_types_to_qdpx(ok, tmp_path / "out.qdpx", {"Interview Anna": "Saver"})
    assert not (tmp_path / "out.qdpx").exists()


def test_qdpx_member_lying_about_its_size(tmp_path):
    """A header that declares a small size cannot make the reader unpack more."""
    from behaviortypes.interviews import read_interviews

    good = qdpx_with(tmp_path, "internal://7b1e0c3a-1111-4c8e-9a0b-000000000002.TXT", "good.qdpx")
    raw = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("project.qde")
    # patch the central directory's uncompressed size of project.qde to 100 bytes
    central = raw.rfind(b"PK\x01\x02", 0, len(raw))
    while central != -1:
        name_len = int.from_bytes(raw[central + 28:central + 30], "little")
        if raw[central + 46:central + 46 + name_len] == b"project.qde":
            raw[central + 24:central + 28] = (100).to_bytes(4, "little")
            break
        central = raw.rfind(b"PK\x01\x02", 0, central)
    liar = tmp_path / "liar.qdpx"
    liar.write_bytes(bytes(raw))
    assert info.file_size > 100
    with pytest.raises(InputError, match="project.qde"):
        read_interviews(liar)


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1]) + os.pathsep + env.get("PYTHONPATH", "")
    return env


# ------------------------------------------------------------ 3. crafted lookalike.skops
def _craft_tree(src: Path, dst: Path, field: str, value: int) -> None:
    """Rewrite node 0 of the first boosted tree in a skops file (what an attacker can do)."""
    import json

    with zipfile.ZipFile(src) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    stack, target = [json.loads(members["schema.json"])], None
    while stack and target is None:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("__class__") == "TreePredictor":
                target = node["content"]["content"]["nodes"]["file"]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    nodes = np.load(io.BytesIO(members[target]), allow_pickle=False)
    assert not nodes["is_leaf"][0]
    nodes[field][0] = value
    buf = io.BytesIO()
    np.save(buf, nodes, allow_pickle=False)
    members[target] = buf.getvalue()
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


@pytest.fixture(scope="module")
def boosted_model(tmp_path_factory):
    from behaviortypes.lookalike import LookalikeModel, save_model

    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.normal(size=(300, 3)), columns=FEATURES)
    y = np.where(x["visits"] > 0.3, 1, np.where(x["basket"] > 0, 2, 3))
    model = LookalikeModel(models=("gbm",), cv=2, calibration=None, random_state=0).fit(x, y)
    path = tmp_path_factory.mktemp("model") / "lookalike.skops"
    save_model(model, path)
    return path


def test_boosted_model_as_written_loads(boosted_model):
    from behaviortypes.lookalike import load_model

    assert load_model(boosted_model).predict_proba(
        pd.DataFrame(np.zeros((2, 3)), columns=FEATURES)).shape == (2, 3)


@pytest.fixture(scope="module")
def calibrated_boosted_model(tmp_path_factory):
    """A calibrated gbm: CalibratedClassifierCV keeps an unfitted template booster (trial 11)."""
    from behaviortypes.lookalike import LookalikeModel, save_model

    rng = np.random.default_rng(1)
    x = pd.DataFrame(rng.normal(size=(300, 3)), columns=FEATURES)
    y = rng.integers(1, 4, 300)  # noise: the over-confident booster needs calibration
    model = LookalikeModel(models=("gbm",), cv=2, calibration="sigmoid", random_state=0).fit(x, y)
    assert model.chosen_calibration_ == "sigmoid"
    path = tmp_path_factory.mktemp("calmodel") / "lookalike.skops"
    save_model(model, path)
    return path


def test_calibrated_boosted_model_as_written_loads_and_scores(calibrated_boosted_model, tmp_path):
    from behaviortypes.lookalike import load_model

    assert load_model(calibrated_boosted_model).predict_proba(
        pd.DataFrame(np.zeros((2, 3)), columns=FEATURES)).shape == (2, 3)
    path = customers(tmp_path / "in")
    score_customers(calibrated_boosted_model, path, tmp_path / "scored.parquet")
    assert (tmp_path / "scored.parquet").exists()


def test_crafted_tree_in_calibrated_model_is_refused(calibrated_boosted_model, tmp_path):
    from behaviortypes.lookalike import load_model

    evil = tmp_path / "lookalike.skops"
    _craft_tree(calibrated_boosted_model, evil, "left", 100_000_000)
    with pytest.raises(InputError, match="damaged or altered .*left child index points outside"):
        load_model(evil)


def _strip_fitted_boosters(model_path, out, strip) -> None:
    """Write to ``out`` a copy of the saved model ``model_path`` in which ``strip(attrs)``
    has edited every fitted booster's attributes (those holding ``_predictors``)."""
    with zipfile.ZipFile(model_path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    schema, stripped = json.loads(members["schema.json"]), 0
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            attrs = node.get("content", {}).get("content", {}) if node.get("__class__") == \
                "HistGradientBoostingClassifier" else {}
            if "_predictors" in attrs:
                strip(attrs)
                stripped += 1
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    assert stripped >= 1
    members["schema.json"] = json.dumps(schema).encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def test_fitted_booster_stripped_of_its_feature_count_is_still_refused(calibrated_boosted_model, tmp_path):
    """Skipping the unfitted calibration template must not let a fitted booster through."""
    from behaviortypes.lookalike import load_model

    def strip(attrs):
        assert attrs.pop("n_features_in_", None) is not None

    evil = tmp_path / "lookalike.skops"
    _strip_fitted_boosters(calibrated_boosted_model, evil, strip)
    with pytest.raises(InputError, match="damaged or altered .*no valid number of input features"):
        load_model(evil)


@pytest.mark.parametrize("field, value, message", [
    ("left", 100_000_000, "left child index points outside"),  # read far outside memory
    ("right", 0, "right child index points outside"),  # a loop back to the root
    ("feature_idx", 1_000_000, "splits on feature 1000000 of 3"),
    ("is_categorical", 1, "categorical splits"),
])
def test_crafted_tree_arrays_are_refused_before_use(boosted_model, tmp_path, field, value, message):
    from behaviortypes.lookalike import load_model

    evil = tmp_path / "lookalike.skops"
    _craft_tree(boosted_model, evil, field, value)
    with pytest.raises(InputError, match=f"refusing to load: the model file is damaged or altered .*{message}"):
        load_model(evil)
    if field != "left":
        return
    path = customers(tmp_path / "in")  # and score stops with one line, not exit 139
    with pytest.raises(InputError, match="refusing to load"):
        score_customers(evil, path, tmp_path / "scored.parquet")
    assert not (tmp_path / "scored.parquet").exists()


# ------------------------------------------------------ 5. YAML bombs and huge values
def _yaml_bomb(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghijklmnop"
    for prev, cur in zip(names[: levels - 1], names[1:levels]):
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines.append(f"id_column: *{names[levels - 1]}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("levels", [9, 10])  # 363 and 392 bytes in the issue
def test_yaml_alias_bomb_is_refused_before_it_expands(tmp_path, levels):
    from behaviortypes.instrument import load_instrument

    path = tmp_path / "instrument.yaml"
    path.write_text(_yaml_bomb(levels))
    assert path.stat().st_size < 450
    with pytest.raises(InputError, match=r"expands to more than 200,000 values through its aliases") as info:
        load_instrument(path)
    assert len(str(info.value)) < 300


def test_types_yaml_bomb_and_recursive_alias(tmp_path):
    from behaviortypes.files import load_user_yaml, read_yaml

    path = tmp_path / "types.yaml"
    path.write_text(_yaml_bomb(9).replace("id_column", "types"))
    with pytest.raises(InputError, match="expands to more than"):
        read_yaml(path)  # machine-written files that people edit get the same limits
    path.write_text("types: &t [*t]\n")
    with pytest.raises(InputError, match="expands to more than"):
        load_user_yaml(path)
    path.write_text("x: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(InputError, match="nested too deeply|expands to more than"):
        load_user_yaml(path)
    path.write_text("a: &a [1, 2]\nb: *a\nc: *a\n")  # ordinary anchors still work
    assert load_user_yaml(path) == {"a": [1, 2], "b": [1, 2], "c": [1, 2]}


def test_yaml_size_cap_and_long_values_are_not_echoed(tmp_path):
    from behaviortypes.files import MAX_YAML_BYTES, load_user_yaml
    from behaviortypes.instrument import load_instrument

    path = tmp_path / "instrument.yaml"
    path.write_bytes(b"# " + b"x" * MAX_YAML_BYTES + b"\n")
    with pytest.raises(InputError, match="settings files are limited to 2 MiB"):
        load_user_yaml(path)
    long = "y" * 1_000_000
    path.write_text(f"id_column: id\nscale: {{min: 1, max: {long}}}\nitems: [{{id: a, text: t, reverse: {long}}}]\n")
    with pytest.raises(InputError) as info:
        load_instrument(path)
    assert len(str(info.value)) < 600 and "yyyyyyyyyy" * 10 not in str(info.value)
    path.write_text("id_column: id\nscale: {min: 1, max: 5}\nitems: [{id: [[1, 2], [3]], text: t}]\n")
    with pytest.raises(InputError, match="item id must be text or a number, not a list"):
        load_instrument(path)


# ---------------------------------------------------------- 9. careless tables: one line
def test_csv_cell_over_the_field_limit(tmp_path):
    from behaviortypes.readers import read_table

    path = tmp_path / "responses.csv"
    path.write_text('id,q1,comment\n1,3,"' + "x" * 140_000 + '"\n2,4,ok\n')
    with pytest.raises(InputError, match=r"line 2: a cell is longer than 131,072 characters") as info:
        read_table(path)
    assert len(str(info.value)) < 300


def test_header_of_a_million_columns_is_refused_from_its_first_line(tmp_path):
    from behaviortypes.interviews import read_interviews
    from behaviortypes.readers import read_table

    path = tmp_path / "responses.csv"
    with open(path, "w") as fh:
        fh.write(",".join(f"c{i}" for i in range(1_000_000)) + "\n1,2\n")
    with pytest.raises(InputError, match="the header has more than 20,000 columns"):
        read_table(path)
    codes = tmp_path / "codes.csv"
    codes.write_text(",".join(f"c{i}" for i in range(30_000)) + "\n")
    with pytest.raises(InputError, match="more than 20,000 columns"):
        read_interviews(codes)


def _xlsx_with(tmp_path: Path, prefix: str) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["id", "q1"])
    book.active.append([1, 3])
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    out = tmp_path / "evil.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = prefix.encode() + data.split(b"?>", 1)[-1]
            dst.writestr(info, data)
    return out


@pytest.mark.parametrize("prefix, refused", [
    ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>', "EntitiesForbidden"),
    ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
     "EntitiesForbidden|ExternalReferenceForbidden"),
])
def test_xlsx_with_doctype_or_entities(tmp_path, prefix, refused):
    from behaviortypes.readers import read_table

    with pytest.raises(InputError, match=f"XML features refused for safety: ({refused})"):
        read_table(_xlsx_with(tmp_path, prefix))


# ----------------------------------------------------- 9. user text is not mathtext
@pytest.mark.parametrize("name", [r"Saver $\frac$ 50", "$50-$100 spenders", r"Cost $\sqrt{x}$"])
def test_type_names_with_dollar_signs_draw_as_written(name):
    from behaviortypes import plots

    rng = np.random.default_rng(0)
    embedding = pd.DataFrame({"x": rng.normal(size=40), "y": rng.normal(size=40),
                              "type_id": np.repeat([1, 2], 20)})
    sizes = pd.DataFrame({"type_id": [1, 2], "n": [20, 20], "share": [0.5, 0.5],
                          "ci_low": [0.4, 0.4], "ci_high": [0.6, 0.6]})
    names = {1: name, 2: "Plain"}
    for fig in (plots.plot_umap(embedding, names=names), plots.plot_sizes(sizes, names=names)):
        fig.axes[0].set_title(name)  # any text of the figure, tick labels included
        svg = plots.figure_to_svg(fig)
        assert name.replace("&", "&amp;") in svg
        fig.savefig(io.BytesIO(), format="png", bbox_inches="tight")  # as notebooks draw


# ---------------------------------------------------- 8. stale persona cards are removed
def test_cards_of_types_now_below_min_group_size_are_removed(tmp_path):
    import json

    from PIL import Image

    from behaviortypes.report import export_cards, load_report_data, render_document
    from reportfixture import make_discovery_folder

    def export(folder, out):
        data = load_report_data(folder)
        return export_cards(data, out, rendered=render_document(data, "en"))

    disc = make_discovery_folder(tmp_path / "disc", k=2, n=200, seed=3, with_lookalike=False)
    cards = tmp_path / "cards"
    first = export(disc, cards)
    assert sorted(p.name for p in first) == ["type_1.png", "type_2.png"]
    Image.new("RGB", (4, 4)).save(cards / "type_7.png")  # someone else's picture: kept
    (cards / "type_8.png").write_bytes(b"not a png")  # kept too
    sizes = pd.read_csv(disc / "sizes.csv")
    source = json.loads((disc / "source.json").read_text())
    source["instrument"]["min_group_size"] = int(sizes["n"].max())  # the smaller type is hidden now
    (disc / "source.json").write_text(json.dumps(source))
    second = export(disc, cards)
    hidden = int(sizes.loc[sizes["n"].idxmin(), "type_id"])
    assert [p.name for p in second] == [f"type_{3 - hidden}.png"]
    assert sorted(p.name for p in cards.iterdir()) == sorted([f"type_{3 - hidden}.png", "type_7.png", "type_8.png"])


# ------------------------------------------------------- 7. the one quote anonymiser
@pytest.mark.parametrize(("text", "expected"), [
    ("my customer number is C006312", "my customer number is [id]"),
    ("Mrs Johansson at the Torslanda store", "[name] at the Torslanda store"),
    ("I'm Dr. Karlsson", "I'm [name]"),
    ("Herr Svensson och Fru Berg", "[name] och [name]"),
    ("ask Lindgren at the desk", "ask [name] at the desk"),
    ("jag heter Pettersson och mitt kundnummer är 4455667", "jag heter [name] och mitt kundnummer är [id]"),
    ("member no. 88812345, card number: 1234 5678 9012", "member no. [id], card number: [id]"),
])
def test_anonymiser_masks_ids_titles_and_cued_names(text, expected):
    from behaviortypes.interviews import anonymise

    assert anonymise(text) == expected


def test_anonymiser_knows_the_studys_own_ids_and_keeps_numbers():
    from behaviortypes.interviews import anonymise

    ids = ["R0042", "cust-77812", "550123", "17", "2021"]  # short and year-like ids are ignored
    text = "R0042 said: in 2021 I was 17, my number cust-77812 or 550123, price 1500 kr"
    assert anonymise(text, ids=ids) == "[id] said: in 2021 I was 17, my number [id] or [id], price 1500 kr"
    plain = "In 2019-2021 I spent 1500 kr, 20 % more; an A4 printer and 4000 sheets. Ask them."
    assert anonymise(plain) == plain


def test_report_uses_the_interview_anonymiser():
    from behaviortypes.interviews import anonymise
    from behaviortypes.report import anonymise_quote

    assert anonymise_quote is anonymise
    assert anonymise_quote("my customer number is C006312, mail a@b.se") == "my customer number is [id], mail [email]"


# ------------------------------------------------------ 6. formula policy for files people open
def test_formula_neutralising_is_exact_and_reversible():
    from behaviortypes.files import neutralise_formula, neutralise_formulas, restore_formula

    risky = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=1", "\r=1", "'=1", "''-x", "- yes"]
    kept = ["-42", "+46", "-1,5", "3.5e-3", "Saver", "'quoted", "", 7, -3.5, None]
    for value in risky:
        assert neutralise_formula(value) == "'" + value and restore_formula(neutralise_formula(value)) == value
    for value in kept:
        assert neutralise_formula(value) == value and restore_formula(value) == value
    frame = pd.DataFrame({"=name": ["=evil", "ok"], "n": [-1, 2]}, index=["@a", "b"])
    safe = neutralise_formulas(frame)
    assert safe.columns.tolist() == ["'=name", "n"] and safe.index.tolist() == ["'@a", "b"]
    assert safe["'=name"].tolist() == ["'=evil", "ok"] and safe["n"].tolist() == [-1, 2]
    assert frame.columns.tolist() == ["=name", "n"]  # the input is not changed


def test_quotes_and_theme_tables_are_neutralised_for_spreadsheets(tmp_path):
    from behaviortypes.interviews import interviews_from_frame, write_theme_files

    codings = pd.DataFrame({"participant_id": ["p1", "p2", "p3"], "theme": ["=price", "speed", "speed"],
                            "quote": ["=HYPERLINK(\"http://x\")", "-5 stars", "fine"]})
    write_theme_files(interviews_from_frame(codings), tmp_path / "themes")
    out = pd.read_csv(tmp_path / "themes" / "codings.csv", dtype=str, keep_default_na=False)
    assert out["quote"].tolist() == ["'=HYPERLINK(\"http://x\")", "'-5 stars", "fine"]
    # theme names are the analyst's own codes and are joined to instrument.yaml's theme: keys,
    # so they stay exact (trial 9: "'+Government" no longer joined); docs/data_safety.md §6
    assert out["theme"].tolist()[0] == "=price"


def test_staged_dir_removes_stale_results_only_in_its_own_folder(tmp_path):
    from behaviortypes.files import OUTPUTS_MARKER, staged_dir, write_text

    def run(out, with_quotes):
        with staged_dir(out, stale=("quotes.csv",)) as stage:
            write_text(stage / "solution.json", "{}")
            if with_quotes:
                write_text(stage / "quotes.csv", "ours")

    user = tmp_path / "my_folder"  # a user's folder given as --out: their quotes.csv stays
    user.mkdir()
    (user / "quotes.csv").write_text("my own quotes")
    run(user, with_quotes=False)
    run(user, with_quotes=False)  # and not on a second run either
    assert (user / "quotes.csv").read_text() == "my own quotes"
    ours = tmp_path / "disc"
    run(ours, with_quotes=True)
    assert (ours / OUTPUTS_MARKER).is_file()
    run(ours, with_quotes=False)  # our own stale result goes
    assert not (ours / "quotes.csv").exists()
    legacy = tmp_path / "old_disc"  # written by a version before the marker
    legacy.mkdir()
    (legacy / "solution.json").write_text("{}")
    (legacy / "quotes.csv").write_text("old")
    run(legacy, with_quotes=False)
    assert not (legacy / "quotes.csv").exists()


def test_empty_existing_folder_may_be_the_output(tmp_path):
    path = customers(tmp_path / "in")
    out = tmp_path / "scored"
    out.mkdir()
    score_customers(TinyModel(), path, out)
    assert len(pd.read_parquet(out)) == 200


def test_customer_csv_with_a_huge_header(tmp_path):
    path = tmp_path / "customers.csv"
    with open(path, "w") as fh:
        fh.write("customer_id," + ",".join(f"feature_{i}" for i in range(40_000)) + "\nC1\n")
    with pytest.raises(InputError, match="header line is longer than 256 KiB"):
        score_customers(TinyModel(), path, tmp_path / "scored.parquet")


def test_output_paths_that_are_folders_files_or_the_current_folder(tmp_path, monkeypatch):
    from behaviortypes.files import staged_dir, write_text

    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "folder").mkdir()
    with pytest.raises(InputError, match="cannot be the current folder"):
        write_text(".", "x")
    with pytest.raises(InputError, match="output file is an existing folder"):
        write_text("folder", "x")
    with pytest.raises(InputError, match="output folder is an existing file"):
        with staged_dir("notes.txt"):
            pass
    with pytest.raises(InputError, match="notes.txt is a file, not a folder"):
        write_text("notes.txt/x.csv", "x")
    with pytest.raises(InputError, match="cannot be the current folder"):
        with staged_dir("."):
            pass
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "notes.txt"]


def _listing(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_users_file_with_an_outputs_name_is_never_replaced(tmp_path, capsys):
    from behaviortypes.cli import main
    from behaviortypes.files import OUTPUTS_MARKER

    codes = tmp_path / "codes.csv"
    codes.write_text("participant_id,theme,quote\nA,price,cheap\nB,speed,fast\nC,price,deal\n")
    user = tmp_path / "my_notes"  # the user's own folder, with their own codings.csv
    user.mkdir()
    (user / "codings.csv").write_bytes(b"my own codings\r\n\x00")
    (user / "plan.txt").write_text("mine")
    before = _listing(user)
    assert main(["themes", str(codes), "--out", str(user)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "codings.csv" in err and "did not write" in err, err
    assert "choose another output folder, or move your file" in err
    assert _listing(user) == before  # byte-identical, nothing added, no marker
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind
    # the same folder without the clash: written, the user's file kept and recorded as theirs
    (user / "codings.csv").rename(user / "my_codings.csv")
    assert main(["themes", str(codes), "--out", str(user)]) == 0
    assert (user / "my_codings.csv").read_bytes() == b"my own codings\r\n\x00"
    marker = json.loads((user / OUTPUTS_MARKER).read_text())
    assert "codings.csv" in marker["written"] and "my_codings.csv" not in marker["written"]
    assert main(["themes", str(codes), "--out", str(user)]) == 0  # a re-run replaces our own


def test_reruns_replace_our_own_outputs_and_remove_only_ours(tmp_path):
    from behaviortypes.files import staged_dir, write_text

    out = tmp_path / "disc"
    for text in ("first", "second"):
        with staged_dir(out, stale=("quotes.csv",)) as stage:
            write_text(stage / "solution.json", text)
            write_text(stage / "quotes.csv", text)
    assert (out / "solution.json").read_text() == "second"
    with staged_dir(out, stale=("quotes.csv",)) as stage:  # quotes no longer apply: ours go
        write_text(stage / "solution.json", "third")
    assert not (out / "quotes.csv").exists()
    (out / "quotes.csv").write_text("the user's own quotes")  # added later: the user's
    with staged_dir(out, stale=("quotes.csv",)) as stage:
        write_text(stage / "solution.json", "fourth")
    assert (out / "quotes.csv").read_text() == "the user's own quotes"
    with pytest.raises(InputError, match="already holds quotes.csv, a file behaviortypes did not write"):
        with staged_dir(out, stale=("quotes.csv",)) as stage:
            write_text(stage / "solution.json", "fifth")
            write_text(stage / "quotes.csv", "ours")
    assert (out / "solution.json").read_text() == "fourth"


def test_output_marker_from_the_previous_version_and_unreadable_markers(tmp_path):
    from behaviortypes.files import OUTPUTS_MARKER, staged_dir, write_text

    old = tmp_path / "old"  # the first marker format: only the user's files (keep)
    old.mkdir()
    (old / "notes.txt").write_text("mine")
    (old / "solution.json").write_text("ours")
    (old / OUTPUTS_MARKER).write_text(json.dumps({"written_by": "behaviortypes", "keep": ["notes.txt"]}))
    with staged_dir(old) as stage:
        write_text(stage / "solution.json", "new")
    assert (old / "solution.json").read_text() == "new"
    with pytest.raises(InputError, match="holds notes.txt"):
        with staged_dir(old) as stage:
            write_text(stage / "notes.txt", "x")
    broken = tmp_path / "broken"  # an unreadable marker protects every file
    broken.mkdir()
    (broken / "solution.json").write_text("?")
    (broken / OUTPUTS_MARKER).write_text("{not json")
    with pytest.raises(InputError, match="holds solution.json.*behaviortypes_output .* is unreadable"):
        with staged_dir(broken) as stage:
            write_text(stage / "solution.json", "x")
    assert (broken / "solution.json").read_text() == "?"


def test_report_never_replaces_a_file_it_did_not_write(tmp_path, capsys):
    from reportfixture import make_discovery_folder

    from behaviortypes.cli import main
    from behaviortypes.report.owned import written_by_behaviortypes

    disc = make_discovery_folder(tmp_path / "disc", k=3, n=200)
    mine = tmp_path / "board_pack.pdf"  # the user's own PDF (say, from a word processor)
    mine.write_bytes(b"%PDF-1.4\n% the user's board pack\n%%EOF\n")
    notes = tmp_path / "notes.txt"
    notes.write_text("mine")
    for path in (mine, notes):
        assert main(["report", str(disc), "--pdf", str(path)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and path.name in err and "not a report behaviortypes wrote" in err, err
    assert mine.read_bytes() == b"%PDF-1.4\n% the user's board pack\n%%EOF\n"
    assert notes.read_text() == "mine"
    # a report we wrote is replaced on a re-run (known by the PDF's Creator)
    ours = tmp_path / "report.pdf"
    assert main(["report", str(disc), "--pdf", str(ours)]) == 0
    first = ours.read_bytes()
    assert written_by_behaviortypes(ours) and first.startswith(b"%PDF")
    ours.write_bytes(first[:-1] + b" ")  # still ours, changed: the re-run writes it anew
    assert main(["report", str(disc), "--pdf", str(ours)]) == 0
    assert written_by_behaviortypes(ours) and ours.read_bytes() != first[:-1] + b" "
    # the report folder: a user's own file among the names it writes is refused up front
    folder = tmp_path / "reports"
    (folder / "cards_en").mkdir(parents=True)
    (folder / "cards_en" / "type_1.png").write_bytes(b"\x89PNG\r\n\x1a\n not ours")
    assert main(["report", str(disc), "--pdf", str(folder / "r.pdf"), "--png"]) == 2
    assert "type_1.png" in capsys.readouterr().err
    assert sorted(p.name for p in folder.rglob("*")) == ["cards_en", "type_1.png"]


def test_cli_says_in_one_line_that_it_removed_a_killed_runs_parts(tmp_path):
    from behaviortypes.lookalike import LookalikeModel, save_model

    path = customers(tmp_path / "in", n=300)
    frame = pd.read_parquet(path).set_index("customer_id")
    labels = pd.Series(np.where(frame["visits"] > 0.3, 1, np.where(frame["basket"] > 0, 2, 3)), index=frame.index)
    model = LookalikeModel(models=("logistic",), cv=3, random_state=0).fit(frame, labels)
    skops = save_model(model, tmp_path / "model" / "lookalike.skops")
    out = tmp_path / "scored.parquet"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = tmp_path / ".scored.parquet.scoring-abc123"  # what `kill -9` during score leaves
    (stale / "parts").mkdir(parents=True)
    pq.write_table(pq.read_table(path), stale / "parts" / "part-000000.parquet")
    (stale / "owner.json").write_text(
        f'{{"pid": {dead}, "host": "{os.uname().nodename}", "out": "{out.resolve()}"}}')
    result = subprocess.run([sys.executable, "-m", "behaviortypes.cli", "score", str(skops),
                             "--customers", str(path), "--out", str(out)],
                            capture_output=True, text=True, env=_env())
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines == ["warning: removed .scored.parquet.scoring-abc123, left by an earlier scoring run "
                     "that was stopped (1 file of scored rows)"], result.stderr
    assert not stale.exists() and len(pd.read_parquet(out)) == 300


def test_discover_refuses_a_users_solution_json_before_any_analysis(tmp_path, capsys):
    """A file of the user's named like a discovery file is reported at once: the check
    comes before the survey is even read (here a folder with no instrument.yaml in it)."""
    from behaviortypes.cli import main

    out = tmp_path / "my_project"
    out.mkdir()
    (out / "solution.json").write_text('{"mine": true}', encoding="utf-8")
    (tmp_path / "not_a_survey").mkdir()
    assert main(["discover", str(tmp_path / "not_a_survey"), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "already holds solution.json, a file behaviortypes did not write" in err
    assert (out / "solution.json").read_text(encoding="utf-8") == '{"mine": true}'
    assert sorted(p.name for p in out.iterdir()) == ["solution.json"]


def test_fitted_booster_stripped_of_every_fitted_attribute_is_refused(calibrated_boosted_model, tmp_path):
    """Only the calibration's template may be unfitted: a booster the calibration predicts
    with, stripped of its trees and every fitted attribute, looked like the template, loaded,
    and crashed the scoring with a traceback (it was refused before session 16)."""
    from behaviortypes.lookalike import load_model

    def strip(attrs):
        for name in [n for n in attrs if n.endswith("_") or n == "_predictors"]:
            attrs.pop(name)

    evil = tmp_path / "lookalike.skops"
    _strip_fitted_boosters(calibrated_boosted_model, evil, strip)
    with pytest.raises(InputError, match="damaged or altered .*no valid number of input features"):
        load_model(evil)
