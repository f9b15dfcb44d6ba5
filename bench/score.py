"""Benchmark: scoring a customer base — rows/s and peak memory per engine and size.

Usage::

    .venv/bin/python bench/score.py                      # 1M, 5M and 20M rows; local, dask, pandas
    .venv/bin/python bench/score.py --rows 1M,5M --engines local,pandas
    .venv/bin/python bench/score.py --rows 200k --batch-size 100k --json figures.json

For each size it generates (once, cached under ``bench/.data/``) a synthetic customer
base in Parquet — a customer id and 12 CRM features (10 numeric, one categorical, one
boolean) drawn from four planted types — generated chunk by chunk, never whole in
memory. It trains one real model on a small labelled sample (a
:class:`behaviortypes.lookalike.LookalikeModel`, saved with skops), then scores the base
in a fresh **subprocess** per engine and measures:

* ``seconds`` / ``rows/s`` — the scoring call only (imports and start-up excluded),
  and the child's wall time;
* ``peak RSS`` — the child's own high-water mark (Linux ``VmHWM``; ``ru_maxrss`` would
  include the parent's memory at fork) and, sampled every 0.1 s with psutil, the peak
  *sum* over the child and its descendants ("tree": with the dask engine the work
  happens in two worker processes plus the scheduler);
* ``CPU s`` — user + system CPU of the child and its descendants (``wait4``), a figure
  less sensitive than wall time to other jobs sharing the machine.

Engines: ``local`` (streaming, :func:`behaviortypes.scoring.score_customers`), ``dask``
(local cluster of two single-threaded worker processes), ``duckdb`` (local engine reading
a DuckDB table — the base is imported once into ``bench/.data/``), and ``pandas``, the
baseline: read the needed columns of the whole file into pandas, ``predict_proba`` in one
go and write the same output columns with ``to_parquet``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

N_TYPES = 4
CHUNK = 500_000
NUMERIC = [
    "visits_90d", "orders_12m", "spend_12m", "avg_basket", "days_since_order",
    "returns_rate", "app_sessions_30d", "email_open_rate", "discount_share", "tenure_months",
]
CHANNELS = np.array(["web", "app", "store", "phone"])


# --------------------------------------------------------------------------- data
def parse_rows(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    mult = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * mult)


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1_000}k"


def make_chunk(n: int, seed: int, start: int) -> tuple[pd.DataFrame, np.ndarray]:
    """``n`` customers of four planted types; ids continue from ``start``."""
    rng = np.random.default_rng(seed)
    types = rng.choice(N_TYPES, size=n, p=[0.4, 0.3, 0.2, 0.1])
    centres = np.random.default_rng(12345).normal(scale=0.9, size=(N_TYPES, len(NUMERIC)))
    z = centres[types] + rng.normal(size=(n, len(NUMERIC)))
    cols = {"customer_id": pa.array([f"C{i:09d}" for i in range(start, start + n)])}
    frame = pd.DataFrame(z, columns=NUMERIC)
    frame["visits_90d"] = np.round(np.exp(1.5 + 0.5 * frame["visits_90d"]))
    frame["orders_12m"] = np.round(np.exp(1.0 + 0.4 * frame["orders_12m"]))
    frame["spend_12m"] = np.round(np.exp(5.5 + 0.6 * frame["spend_12m"]), 2)
    frame["days_since_order"] = np.round(np.exp(3.5 + 0.6 * frame["days_since_order"]))
    frame["channel"] = CHANNELS[(types + (rng.random(n) < 0.4) * rng.integers(0, 4, n)) % 4]
    frame["newsletter"] = rng.random(n) < (0.2 + 0.2 * types)
    frame.insert(0, "customer_id", cols["customer_id"].to_pandas())
    return frame, types + 1


def customer_file(n: int) -> Path:
    """Cached Parquet base of ``n`` rows, written chunk by chunk (atomic rename)."""
    DATA.mkdir(parents=True, exist_ok=True)
    (DATA / ".gitignore").write_text("*\n")
    path = DATA / f"customers_{label(n)}.parquet"
    if path.exists():
        return path
    tmp = path.with_suffix(".parquet.tmp")
    writer = None
    t0 = time.perf_counter()
    for i, start in enumerate(range(0, n, CHUNK)):
        frame, _ = make_chunk(min(CHUNK, n - start), seed=1000 + i, start=start)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if writer is None:
            writer = pq.ParquetWriter(tmp, table.schema)
        writer.write_table(table, row_group_size=250_000)
    writer.close()
    os.replace(tmp, path)
    print(f"  generated {path.name} ({path.stat().st_size / 2**20:,.0f} MiB) in {time.perf_counter() - t0:.0f} s",
          flush=True)
    return path


def duckdb_file(parquet: Path) -> Path:
    import duckdb

    path = parquet.with_suffix(".duckdb")
    if not path.exists():
        tmp = path.with_suffix(".duckdb.tmp")
        with duckdb.connect(str(tmp), config={"memory_limit": "512MB"}) as con:
            con.execute(f"CREATE TABLE customers AS SELECT * FROM read_parquet('{parquet}')")
        os.replace(tmp, path)
    return path


def model_dir() -> Path:
    """A real fitted model (LookalikeModel via skops) trained on 20,000 labelled customers."""
    folder = DATA / "model"
    if (folder / "lookalike.skops").exists():
        return folder
    from behaviortypes.files import write_yaml
    from behaviortypes.lookalike import LookalikeModel, save_model

    folder.mkdir(parents=True, exist_ok=True)
    frame, types = make_chunk(20_000, seed=7, start=900_000_000)
    frame = frame.set_index("customer_id")
    t0 = time.perf_counter()
    model = LookalikeModel(models=("logistic",), cv=3, random_state=0).fit(
        frame, pd.Series(types, index=frame.index)
    )
    save_model(model, folder / "lookalike.skops")
    write_yaml(folder / "types.yaml", {"types": [{"type_id": t, "name": f"Type {t}"} for t in model.type_ids_]})
    print(f"  trained {model.chosen_model_} lookalike in {time.perf_counter() - t0:.0f} s", flush=True)
    return folder


# --------------------------------------------------------------------------- child
def child(args: argparse.Namespace) -> None:
    """Run one engine in this (fresh) process and print a JSON line."""
    out = Path(args.out)
    # import everything first: the figures measure scoring, not Python start-up
    import duckdb  # noqa: F401
    import sklearn.pipeline  # noqa: F401

    from behaviortypes.lookalike import load_model
    from behaviortypes.scoring import score_customers

    if args.engine == "dask":
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
    t0 = time.perf_counter()
    if args.engine == "pandas":
        model = load_model(Path(args.model) / "lookalike.skops")
        frame = pd.read_parquet(args.customers, columns=["customer_id", *model.feature_columns_])
        proba = model.predict_proba(frame[model.feature_columns_])
        p = proba.to_numpy()
        best = p.argmax(axis=1)
        ids = np.asarray(model.type_ids_)[best]
        scored = pd.DataFrame({
            "customer_id": frame["customer_id"].astype(str).to_numpy(),
            "type_id": ids,
            "type_name": pd.Categorical.from_codes(best, [f"Type {t}" for t in model.type_ids_]).astype(str),
            "probability": p[np.arange(len(p)), best],
        })
        scored = pd.concat([scored, proba.reset_index(drop=True)], axis=1)
        scored.to_parquet(out, index=False)
        n_rows = len(scored)
    else:
        kwargs = {}
        engine = args.engine
        if engine == "duckdb":
            engine, kwargs = "local", {"table": "customers"}
        summary = score_customers(
            args.model, args.customers, out, engine=engine, batch_size=args.batch_size, **kwargs
        )
        n_rows = summary.n_rows
    seconds = time.perf_counter() - t0
    print(json.dumps({"n_rows": n_rows, "seconds": seconds, "vmhwm_mib": vmhwm_mib()}), flush=True)


def vmhwm_mib() -> float:
    """This process's own peak RSS (Linux VmHWM; unlike ru_maxrss it excludes the parent at fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_child(engine: str, customers: Path, model: Path, batch_size: int) -> dict:
    import psutil

    out = DATA / f"scored_{engine}.parquet"
    cmd = [sys.executable, __file__, "--child", "--engine", engine, "--customers", str(customers),
           "--model", str(model), "--out", str(out), "--batch-size", str(batch_size)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    peak_tree = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        try:
            parent = psutil.Process(proc.pid)
            while not stop.is_set():
                total = 0
                for p in [parent, *parent.children(recursive=True)]:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
                peak_tree = max(peak_tree, total)
                time.sleep(0.1)
        except psutil.Error:
            return

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    stdout = proc.stdout.read()
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    thread.join()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{engine} failed:\n{stderr.decode()[-3000:]}")
    result = json.loads(stdout.decode().strip().splitlines()[-1])
    result.update(
        engine=engine,
        wall_s=wall,
        rows_per_s=result["n_rows"] / result["seconds"],
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_rss_mib=result["vmhwm_mib"],
        peak_tree_mib=peak_tree / 2**20,
    )
    if out.is_dir():
        import shutil

        shutil.rmtree(out)
    else:
        out.unlink(missing_ok=True)
    return result


# --------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1M,5M,20M", help="sizes, e.g. 1M,5M,20M or 200k")
    parser.add_argument("--engines", default="local,dask,pandas",
                        help="comma list of local, dask, duckdb, pandas (baseline)")
    parser.add_argument("--batch-size", default="200k", help="rows per batch for the local engine")
    parser.add_argument("--pandas-max-rows", default="5M",
                        help="skip the pandas baseline above this size (it needs ~0.8 GiB per million rows)")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--customers", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.batch_size = parse_rows(str(args.batch_size))
    pandas_max = parse_rows(str(args.pandas_max_rows))
    if args.child:
        child(args)
        return
    sizes = [parse_rows(r) for r in args.rows.split(",") if r.strip()]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines) - {"local", "dask", "duckdb", "pandas"}
    if unknown:
        parser.error(f"unknown engine(s): {', '.join(sorted(unknown))}")
    print(f"scoring bench: {os.cpu_count()} cores, batch {args.batch_size:,} rows", flush=True)
    model = model_dir()
    results = []
    header = (f"{'rows':>6} {'engine':>7} {'seconds':>8} {'rows/s':>11} {'CPU s':>7} {'peak RSS MiB':>13} "
              f"{'tree MiB':>9} {'wall s':>7}")
    for n in sizes:
        customers = customer_file(n)
        print(header, flush=True)
        for engine in engines:
            if engine == "pandas" and n > pandas_max:
                print(f"{label(n):>6} {engine:>7}  skipped (> --pandas-max-rows; would need "
                      f"~{0.8 * n / 1e6:.0f} GiB)", flush=True)
                continue
            source = duckdb_file(customers) if engine == "duckdb" else customers
            r = run_child(engine, source, model, args.batch_size)
            r["rows"] = n
            results.append(r)
            print(f"{label(n):>6} {engine:>7} {r['seconds']:8.1f} {r['rows_per_s']:11,.0f} {r['cpu_s']:7.1f} "
                  f"{r['peak_rss_mib']:13,.0f} {r['peak_tree_mib']:9,.0f} {r['wall_s']:7.1f}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
