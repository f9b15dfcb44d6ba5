"""The engines: local streaming (:func:`run_local`) and Dask (:func:`run_dask`).

Dask workers unpickle :func:`_score_and_write` by its module path, so it stays at module
level here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import InputError, Number, Said
from ._model import Scorer, relocated
from ._progress import RowMeter
from ._sources import csv_block_size, Source, file_suffix

_CONNECT_TIMEOUT = "20s"  # to reach a Dask scheduler, unless Dask's own setting is given:
#: the environment variable of Dask's ``distributed.comm.timeouts.connect`` (e.g. "5s")
CONNECT_TIMEOUT_ENV = "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT"


def connect_timeout() -> float:
    """Seconds to wait for a Dask scheduler: Dask's ``distributed.comm.timeouts.connect`` when
    set in the environment (``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=5s``), else 20 s."""
    import os

    from dask.utils import parse_timedelta

    given = os.environ.get(CONNECT_TIMEOUT_ENV, "").strip()
    try:
        seconds = parse_timedelta(given or _CONNECT_TIMEOUT, default="s")
    except (ValueError, KeyError, TypeError):
        seconds = None
    if seconds is None or not seconds > 0:
        raise InputError(code="problem_dask_timeout_setting", values={"name": CONNECT_TIMEOUT_ENV}, value=given,
                         hint=Said("problem_dask_timeout_setting_hint"))
    return float(seconds)


def run_local(
    source: Source, scorer: Scorer, id_column: str, parts: Path, *, batch_size: int, meter: RowMeter
) -> int:
    columns = list(dict.fromkeys([id_column, *scorer.feature_columns]))
    target = parts / "part-000000.parquet"
    n_batches = 0
    done = 0
    # rows as the user sees them: a CSV's header is row 1, so its first customer is row 2;
    # Parquet and DuckDB tables have no header row: their first record is row 1
    first = 2 if source.kind == "csv" else 1
    batches = _prefetch(source.batches(columns, batch_size))
    with pq.ParquetWriter(target, scorer.out_schema, compression="snappy") as writer, \
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="behaviortypes-write") as pool, \
            contextlib.closing(batches):  # closes the reader (and a DuckDB connection) on error
        writing = None
        for batch in batches:
            try:
                scored = scorer.score_batch(batch, id_column, first_row=done + first, file=source.path)
            except InputError as err:
                raise _rows_explained(err, source.kind) from None
            if writing is not None:
                writing.result()  # at most one scored batch waits to be written
            writing = pool.submit(writer.write_table, scored, row_group_size=batch_size)
            done += batch.num_rows
            n_batches += 1
            meter.advance(batch.num_rows)
        if writing is not None:
            writing.result()
    return n_batches


def _rows_explained(err: InputError, kind: str) -> InputError:
    """Say what a row number means in a file without a header row (Parquet, DuckDB)."""
    if kind == "csv" or not any(p.rows for p in err.problems):
        return err
    note = Said("problem_rows_parquet" if kind == "parquet" else "problem_rows_table")
    return InputError(problems=[relocated(p, note=note) for p in err.problems])


def _prefetch(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Read the next batch in a background thread while the current one is scored.

    pyarrow and DuckDB release the GIL while reading and decoding, so reading overlaps
    scoring; at most one batch is read ahead. Errors from the reader are re-raised here.
    """
    end = object()
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="behaviortypes-read") as pool:
            ahead = pool.submit(next, batches, end)
            while True:
                batch = ahead.result()
                if batch is end:
                    return
                ahead = pool.submit(next, batches, end)
                yield batch
    finally:
        close = getattr(batches, "close", None)
        if close is not None:
            close()


@contextlib.contextmanager
def _dask_client(scheduler: Any) -> Iterator[Any]:
    from distributed import Client, LocalCluster

    if scheduler is not None and not isinstance(scheduler, str):
        yield scheduler  # an existing distributed.Client
        return
    if scheduler:
        seconds = connect_timeout()
        try:
            client = Client(scheduler, timeout=seconds)
        except OSError as err:
            if str(err).startswith("Timed out"):  # (distributed's words): said in the study's language
                shown = Number(seconds, len(f"{seconds:g}".partition(".")[2]))  # 0.5 s: "0,5 s" in Swedish
                raise InputError(code="problem_dask_timeout", values={"seconds": shown},
                                 value=scheduler, hint=Said("problem_dask_unreachable_hint")) from None
            raise InputError(code="problem_dask_unreachable", values={"why": str(err)}, value=scheduler) from None
        with client:
            yield client
        return
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


def run_dask(
    source: Source, scorer: Scorer, id_column: str, parts: Path, *, scheduler: Any, batch_size: int, meter: RowMeter
) -> int:
    import dask.dataframe as dd

    columns = list(dict.fromkeys([id_column, *scorer.feature_columns]))
    if source.kind == "parquet":
        paths = [str(f) for f in source.files]
        # partitions of about batch_size rows (whole row groups): memory per worker stays
        # bounded however large the files are
        info = pq.read_metadata(source.files[0])
        group_rows = max(info.row_group(0).num_rows, 1) if info.num_row_groups else batch_size
        ddf = dd.read_parquet(
            paths if len(paths) > 1 else paths[0],
            columns=columns,
            split_row_groups=max(1, round(batch_size / group_rows)),
        )
    else:
        dtype = {c: ("float64" if pa.types.is_floating(t) else "Int64" if pa.types.is_integer(t) else "string")
                 for c, t in source.csv_types.items()}
        dialect = source.csv_dialect  # sniffed: Swedish Excel's ';', decimal comma, BOM or cp1252
        # a multi-byte encoding cannot be split at arbitrary byte offsets: read it whole
        whole = file_suffix(source.path) != ".csv" or dialect["encoding"] == "utf-16"
        ddf = dd.read_csv(
            str(source.path),
            usecols=columns,
            dtype=dtype,
            blocksize=None if whole else max(csv_block_size(source.path, batch_size), 1 << 24),
            keep_default_na=True,
            sep=dialect["delimiter"],
            decimal=dialect["decimal"],
            encoding=dialect["encoding"],
        )
    meta = pd.DataFrame({"rows": pd.Series([], dtype="int64")})
    with _dask_client(scheduler) as client:
        from distributed import as_completed

        shipped = client.scatter(scorer, broadcast=True)
        written = ddf.map_partitions(_score_and_write, shipped, id_column, batch_size, str(parts), meta=meta)
        futures = client.compute(written.to_delayed())
        for future in as_completed(futures):  # rows counted as partitions finish, in any order
            meter.advance(int(future.result()["rows"].sum()))
        return int(ddf.npartitions)


def _score_and_write(frame: pd.DataFrame, scorer: Scorer, id_column: str, batch_size: int, folder: str,
                     partition_info: Any = None) -> pd.DataFrame:
    """Score one dask partition and write it as ``part-NNNNNN.parquet`` (runs on a worker)."""
    number = (partition_info or {}).get("number", 0)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    scored = [
        scorer.score_batch(
            table.slice(start, batch_size), id_column, first_row=start + 1, file=f"partition {number}"
        )
        for start in range(0, table.num_rows, batch_size)
    ]  # models (scikit-learn) refuse empty input: an empty partition writes an empty part
    out = pa.concat_tables(scored) if scored else scorer.out_schema.empty_table()
    pq.write_table(out, Path(folder) / f"part-{number:06d}.parquet", compression="snappy")
    return pd.DataFrame({"rows": [out.num_rows]}, dtype="int64")
