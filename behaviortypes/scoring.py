"""Score a whole customer base with a lookalike model, in bounded memory.

A customer base rarely fits in memory, and at the largest clients not on one machine.
:func:`score_customers` therefore never loads the base: it streams it.

* **local engine** (default): reads the customer file in batches of ``batch_size`` rows
  with pyarrow (``ParquetFile.iter_batches`` for Parquet, ``pyarrow.csv.open_csv`` for
  CSV, a DuckDB Arrow record-batch reader for a table or query in a ``.duckdb`` file),
  scores each batch with ``model.predict_proba`` and appends it to a Parquet file with
  ``pq.ParquetWriter``. Only the model's feature columns and the id column are read. The
  next batch is read and the previous one written in background threads while the
  current one is scored; at most three batches are alive at once, so peak memory
  depends on ``batch_size``, not on the number of customers.
* **dask engine**: ``dask.dataframe.read_parquet``/``read_csv`` → ``map_partitions`` →
  ``to_parquet`` on a Dask distributed cluster (``scheduler`` address, a ``Client``, or a
  local two-worker cluster). The model is scattered to every worker once.

The scored output has one row per customer, in input order: ``customer_id, type_id,
type_name, probability`` then ``p_<type_id>`` per type (and a boolean ``unassigned``
column when the model has an ``unassigned_threshold``: those rows get an empty
``type_id`` and ``type_name`` "Unassigned"). It is written to Parquet (the local engine
writes one file; the dask engine a folder of ``part-NNNNNN.parquet`` files, readable as
one table by pandas, pyarrow, DuckDB and Spark), to a DuckDB table, or to CSV.

Output is all-or-nothing: scored rows go to a hidden staging folder beside ``out``; only
when every batch has been scored and checked are they moved into place (a rename for
Parquet, one transaction for DuckDB), so an interrupted or failed run leaves the previous
output untouched and no partial file.

Examples
--------
>>> summary = score_customers("out/demo", "surveys/demo/customers.parquet",
...                           "out/demo/scored.parquet")  # doctest: +SKIP
>>> print(summary.summary())  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .errors import InputError, Problem
from .files import atomic_path, read_json, read_yaml

__all__ = ["ScoreSummary", "score_customers", "DEFAULT_OUT_TABLE", "UNASSIGNED_NAME"]

DEFAULT_OUT_TABLE = "scored_customers"
UNASSIGNED_NAME = "Unassigned"
MODEL_FILE = "lookalike.skops"

_PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
_CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".csv.zst")
_DUCKDB_SUFFIXES = (".duckdb", ".ddb", ".db")
_FORMATS_HINT = "use a .parquet file (or a folder of them), a .csv file or a .duckdb database"
# DuckDB memory limits, so a run's memory stays flat in the size of the base: reading a
# table (DuckDB's block cache otherwise grows with the table), running a user's query
# (joins and aggregates spill to disk beyond it), and the final checks on the output.
_DUCKDB_SCAN_MEMORY = "128MB"
_DUCKDB_QUERY_MEMORY = "512MB"
_DUCKDB_MEMORY = "256MB"
_CONNECT_TIMEOUT = "20s"  # to reach a Dask scheduler


# --------------------------------------------------------------------------- result
@dataclass(frozen=True)
class ScoreSummary:
    """What a scoring run did, for people (:meth:`summary`) and machines (:meth:`to_dict`).

    Attributes
    ----------
    n_rows : int
        Customers scored (rows written).
    seconds : float
        Wall time of the run (reading, scoring, checking and publishing).
    rows_per_s : float
        ``n_rows / seconds``.
    shares : dict of int to float
        Estimated share of each type in the base: the mean probability ``p_<type_id>``
        over all customers (prior-corrected when the model is).
    most_likely_shares : dict of int to float
        Share of customers whose most likely type is each type (unassigned customers,
        if any, are counted in ``unassigned_share`` instead).
    type_names : dict of int to str
        Type names used in the output.
    out : Path
        Where the scored base was written.
    engine : str
        ``"local"`` or ``"dask"``.
    out_table : str or None
        The DuckDB table written, when ``out`` is a DuckDB database.
    unassigned_share : float
        Share of customers below the model's unassigned threshold (0 without one).
    n_batches : int or None
        Batches (local engine) or partitions (dask engine) scored.
    peak_rss_mib : float or None
        Peak resident memory of this Python process so far, in MiB (Linux
        ``getrusage``; with the dask engine the workers' memory is not included).
    """

    n_rows: int
    seconds: float
    rows_per_s: float
    shares: dict[int, float]
    most_likely_shares: dict[int, float]
    type_names: dict[int, str]
    out: Path
    engine: str
    out_table: str | None = None
    unassigned_share: float = 0.0
    n_batches: int | None = None
    peak_rss_mib: float | None = None
    customers: Path | None = field(default=None, repr=False)

    @property
    def table(self) -> pd.DataFrame:
        """Tidy shares table indexed by ``type_id``: ``type_name, share, most_likely_share``."""
        ids = list(self.shares)
        frame = pd.DataFrame(
            {
                "type_name": [self.type_names.get(t, f"Type {t}") for t in ids],
                "share": [self.shares[t] for t in ids],
                "most_likely_share": [self.most_likely_shares.get(t, 0.0) for t in ids],
            },
            index=pd.Index(ids, name="type_id"),
        )
        return frame

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict of every figure."""
        return {
            "n_rows": int(self.n_rows),
            "seconds": float(self.seconds),
            "rows_per_s": float(self.rows_per_s),
            "shares": {int(k): float(v) for k, v in self.shares.items()},
            "most_likely_shares": {int(k): float(v) for k, v in self.most_likely_shares.items()},
            "type_names": {int(k): str(v) for k, v in self.type_names.items()},
            "unassigned_share": float(self.unassigned_share),
            "out": str(self.out),
            "out_table": self.out_table,
            "engine": self.engine,
            "n_batches": self.n_batches,
            "peak_rss_mib": self.peak_rss_mib,
            "customers": None if self.customers is None else str(self.customers),
        }

    def summary(self) -> str:
        """A few lines for people: rows, speed, where, and the type shares."""
        where = f"{self.out}" + (f" (table {self.out_table})" if self.out_table else "")
        lines = [
            f"Scored {self.n_rows:,} customers in {self.seconds:.1f} s "
            f"({self.rows_per_s:,.0f} rows/s, {self.engine} engine) -> {where}",
        ]
        if self.peak_rss_mib is not None:
            lines[0] += f"; peak memory {self.peak_rss_mib:,.0f} MiB"
        for tid, row in self.table.iterrows():
            lines.append(
                f"  type {tid} {row.type_name}: share {row.share:.1%} "
                f"(most likely for {row.most_likely_share:.1%})"
            )
        if self.unassigned_share:
            lines.append(f"  {UNASSIGNED_NAME}: {self.unassigned_share:.1%}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- the model
def _sql_str(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _sql_ident(name: str) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in str(name).split("."))


@dataclass(frozen=True)
class _Scorer:
    """A model with everything scoring needs; picklable, shipped to Dask workers."""

    model: Any
    type_ids: tuple[int, ...]
    type_names: dict[int, str]
    feature_columns: tuple[str, ...]
    id_column: str | None
    threshold: float | None
    folder: Path | None

    @property
    def proba_columns(self) -> list[str]:
        return [f"p_{t}" for t in self.type_ids]

    @property
    def out_schema(self) -> pa.Schema:
        fields = [
            pa.field("customer_id", pa.string()),
            pa.field("type_id", pa.int64()),
            pa.field("type_name", pa.string()),
            pa.field("probability", pa.float64()),
        ]
        fields += [pa.field(c, pa.float64()) for c in self.proba_columns]
        if self.threshold is not None:
            fields.append(pa.field("unassigned", pa.bool_()))
        return pa.schema(fields)

    def score_batch(
        self, batch: pa.RecordBatch | pa.Table, id_column: str, *, first_row: int, file: Any
    ) -> pa.Table:
        """Score one batch; ``first_row`` is the 1-based file row of its first row."""
        ids = _customer_ids(batch.column(id_column), id_column, first_row=first_row, file=file)
        features = batch.select(list(self.feature_columns)).to_pandas()
        try:
            proba = self.model.predict_proba(features)
        except InputError as err:
            raise _rebase(err, first_row - 1, file) from None
        missing = [c for c in self.proba_columns if c not in getattr(proba, "columns", [])]
        if missing or len(proba) != len(features):
            raise RuntimeError(
                f"model.predict_proba returned columns {list(getattr(proba, 'columns', []))} "
                f"and {len(proba)} rows; expected {self.proba_columns} and {len(features)} rows"
            )
        p = np.asarray(proba[self.proba_columns].to_numpy(dtype=np.float64))
        best = p.argmax(axis=1)
        top = p[np.arange(len(p)), best]
        type_ids = np.asarray(self.type_ids, dtype=np.int64)[best]
        names = [self.type_names.get(t, f"Type {t}") for t in self.type_ids]
        name_idx = best.astype(np.int32)
        unassigned = None
        type_mask = None
        if self.threshold is not None:
            unassigned = top < self.threshold
            name_idx = np.where(unassigned, len(names), name_idx).astype(np.int32)
            names = [*names, UNASSIGNED_NAME]
            type_mask = unassigned
        columns = [
            ids,
            pa.array(type_ids, type=pa.int64(), mask=type_mask),
            pa.DictionaryArray.from_arrays(pa.array(name_idx), pa.array(names)).dictionary_decode(),
            pa.array(top, type=pa.float64()),
        ]
        columns += [pa.array(p[:, j], type=pa.float64()) for j in range(p.shape[1])]
        if unassigned is not None:
            columns.append(pa.array(unassigned, type=pa.bool_()))
        return pa.Table.from_arrays(columns, schema=self.out_schema)


def _rebase(err: InputError, offset: int, file: Any) -> InputError:
    """Shift the (batch-relative) rows of a model's error to file rows and name the file."""
    problems = [
        Problem(
            p.message,
            file=p.file or file,
            column=p.column,
            rows=None if p.rows is None else [r + offset for r in p.rows],
            value=p.value,
            hint=p.hint,
        )
        for p in err.problems
    ]
    return InputError(problems=problems)


def _customer_ids(arr: pa.Array | pa.ChunkedArray, column: str, *, first_row: int, file: Any) -> pa.Array:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pa.types.is_string(arr.type):
        arr = pc.cast(arr, pa.string())
    bad = pc.or_kleene(arr.is_null(), pc.equal(pc.utf8_trim_whitespace(arr), ""))
    bad = pc.fill_null(bad, True)
    if pc.any(bad).as_py():
        rows = (np.flatnonzero(bad.to_numpy(zero_copy_only=False)) + first_row).tolist()
        raise InputError(
            f"{len(rows)} customer(s) without an id",
            file=file,
            column=column,
            rows=rows,
            hint="every customer needs an id; drop or fill these rows",
        )
    return arr


def _load_model_file(path: Path) -> Any:
    from .lookalike import load_model  # imported late: scoring works with any model object

    return load_model(path)


def _type_names_from_yaml(folder: Path | None) -> dict[int, str]:
    if folder is None or not (folder / "types.yaml").is_file():
        return {}
    data = read_yaml(folder / "types.yaml") or {}
    names = {}
    for entry in data.get("types", []) or []:
        with contextlib.suppress(KeyError, TypeError, ValueError):
            names[int(entry["type_id"])] = str(entry.get("name") or f"Type {entry['type_id']}")
    return names


def _id_column_from_folder(folder: Path | None) -> str | None:
    if folder is None:
        return None
    card = folder / "lookalike_card.json"
    if card.is_file():
        value = (read_json(card) or {}).get("id_column")
        if value:
            return str(value)
    source = folder / "source.json"
    if source.is_file():
        value = ((read_json(source) or {}).get("instrument") or {}).get("customer_id_column")
        if value:
            return str(value)
    return None


def _resolve_model(model: Any) -> _Scorer:
    """Load ``model`` (a ``.skops`` path, a folder holding one, or an object)."""
    folder = None
    if isinstance(model, (str, os.PathLike)):
        path = Path(model)
        if path.is_dir():
            folder = path
            path = path / MODEL_FILE
            if not path.is_file():
                raise InputError(
                    f"no {MODEL_FILE} in this folder",
                    file=folder,
                    hint="train the model first with `behaviortypes lookalike OUT --customers PATH`",
                )
        elif not path.is_file():
            raise InputError(
                "model file not found", file=path, hint=f"pass {MODEL_FILE} or the folder holding it"
            )
        folder = path.parent
        model = _load_model_file(path)
    for attr in ("predict_proba", "type_ids_", "feature_columns_"):
        if not hasattr(model, attr):
            raise TypeError(f"model has no {attr!r}; pass a fitted LookalikeModel or its file")
    type_ids = tuple(int(t) for t in model.type_ids_)
    names = dict(getattr(model, "type_names_", None) or {}) or _type_names_from_yaml(folder)
    names = {int(k): str(v) for k, v in names.items()}
    threshold = getattr(model, "unassigned_threshold_", None)
    if threshold is None:
        threshold = getattr(model, "unassigned_threshold", None)
    return _Scorer(
        model=model,
        type_ids=type_ids,
        type_names={t: names.get(t, f"Type {t}") for t in type_ids},
        feature_columns=tuple(str(c) for c in model.feature_columns_),
        id_column=getattr(model, "id_column_", None) or _id_column_from_folder(folder),
        threshold=None if threshold is None else float(threshold),
        folder=folder,
    )


# --------------------------------------------------------------------------- the input
def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in (*_CSV_SUFFIXES, *_PARQUET_SUFFIXES, *_DUCKDB_SUFFIXES):
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def _natural_key(path: Path) -> list[Any]:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.name)]


@dataclass
class _Source:
    """A customer base on disk: its format, schema and a way to stream it."""

    path: Path
    kind: str  # parquet | csv | duckdb
    schema: pa.Schema
    n_rows: int | None
    files: list[Path] = field(default_factory=list)  # parquet
    relation: str | None = None  # duckdb: quoted table or (query)
    csv_types: dict[str, pa.DataType] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.path.name

    @property
    def columns(self) -> list[str]:
        return list(self.schema.names)

    def batches(self, columns: list[str], batch_size: int) -> Iterator[pa.RecordBatch]:
        if self.kind == "parquet":
            yield from _rebatch(self._parquet(columns, batch_size), batch_size)
        elif self.kind == "csv":
            yield from _rebatch(self._csv(columns, batch_size), batch_size)
        else:
            yield from _rebatch(self._duckdb(columns, batch_size), batch_size)

    def _parquet(self, columns: list[str], batch_size: int) -> Iterator[pa.RecordBatch]:
        for file in self.files:
            # pre_buffer=False: with pre-buffering, pyarrow's read cache keeps every row
            # group read so far alive until the file is closed (memory grows with the file)
            with pq.ParquetFile(file, pre_buffer=False, buffer_size=1 << 22) as handle:
                yield from handle.iter_batches(batch_size=batch_size, columns=columns)

    def _csv(self, columns: list[str], batch_size: int) -> Iterator[pa.RecordBatch]:
        block = _csv_block_size(self.path, batch_size)
        try:  # open_csv already converts the first block
            reader = pacsv.open_csv(
                self.path,
                read_options=pacsv.ReadOptions(block_size=block),
                convert_options=pacsv.ConvertOptions(
                    include_columns=columns, column_types=self.csv_types, strings_can_be_null=True
                ),
            )
        except pa.ArrowInvalid as err:
            raise _csv_value_error(self, err, after_row=0) from None
        done = 0
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except pa.ArrowInvalid as err:
                raise _csv_value_error(self, err, after_row=done) from None
            done += batch.num_rows
            yield batch

    def _duckdb(self, columns: list[str], batch_size: int) -> Iterator[pa.RecordBatch]:
        import duckdb

        select = ", ".join(_sql_ident(c) for c in columns)
        # the memory limit caps DuckDB's block cache, which otherwise grows with the table
        limit = _DUCKDB_SCAN_MEMORY if self.relation.startswith('"') else _DUCKDB_QUERY_MEMORY
        with _duckdb_connect(self.path, read_only=True, memory_limit=limit) as con:
            try:
                reader = _arrow_reader(con, f"SELECT {select} FROM {self.relation}", batch_size)
                yield from reader
            except duckdb.Error as err:
                raise InputError(
                    f"DuckDB could not read the customers: {str(err).splitlines()[0]}",
                    file=self.path,
                    hint="check the table or query",
                ) from None


def _rebatch(batches: Iterator[pa.RecordBatch], size: int) -> Iterator[pa.RecordBatch]:
    """Regroup a stream of record batches into batches of exactly ``size`` rows (last may be short)."""
    pending: list[pa.RecordBatch] = []
    n_pending = 0
    for batch in batches:
        if batch.num_rows == 0:
            continue
        if not pending and batch.num_rows == size:
            yield batch
            continue
        pending.append(batch)
        n_pending += batch.num_rows
        while n_pending >= size:
            table = pa.Table.from_batches(pending)
            head = table.slice(0, size).combine_chunks().to_batches()[0]
            rest = table.slice(size)
            pending = rest.combine_chunks().to_batches() if rest.num_rows else []
            n_pending = rest.num_rows
            yield head
    if n_pending:
        table = pa.Table.from_batches(pending).combine_chunks()
        yield from table.to_batches()


def _csv_block_size(path: Path, batch_size: int) -> int:
    """A CSV block of about ``batch_size`` rows, from the mean line length of the file's start."""
    with pa.input_stream(str(path), compression="detect") as stream:
        sample = stream.read(1 << 20)
    n_lines = max(sample.count(b"\n"), 1)
    per_row = len(sample) / n_lines
    return int(min(max(per_row * batch_size, 1 << 20), 1 << 28))


def _arrow_reader(con: Any, sql: str, batch_size: int) -> pa.RecordBatchReader:
    """Stream a query's result as a pyarrow RecordBatchReader (no full copy).

    DuckDB 2 renamed the relation method (``fetch_arrow_reader`` → ``to_arrow_reader``).
    """
    relation = con.sql(sql)
    method = getattr(relation, "to_arrow_reader", None) or relation.fetch_arrow_reader
    return method(batch_size)


@contextlib.contextmanager
def _duckdb_connect(path: Path, *, read_only: bool, memory_limit: str | None = None) -> Iterator[Any]:
    import duckdb

    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as err:
        raise InputError(
            f"cannot open the DuckDB database: {str(err).splitlines()[0]}",
            file=path,
            hint="check it is a DuckDB file and close other programs that have it open",
        ) from None
    try:
        if memory_limit:
            con.execute(f"SET memory_limit = {_sql_str(memory_limit)}")
        yield con
    finally:
        con.close()


def _open_source(
    path: str | Path, *, table: str | None, query: str | None, scorer: _Scorer
) -> _Source:
    path = Path(path)
    if not path.exists():
        raise InputError("customer file not found", file=path, hint="check the path")
    if table is not None and query is not None:
        raise InputError(
            "pass either table= or query=, not both", file=path, hint="a query can name the table itself"
        )
    suffix = _suffix(path)
    is_duckdb = suffix in _DUCKDB_SUFFIXES
    if (table is not None or query is not None) and not is_duckdb:
        raise InputError(
            "table= and query= only apply to a DuckDB database",
            file=path,
            value=table or query,
            hint="drop table=/query= for Parquet and CSV files",
        )
    if path.is_dir():
        files = sorted(
            (p for p in path.iterdir() if _suffix(p) in _PARQUET_SUFFIXES and not p.name.startswith(".")),
            key=_natural_key,
        )
        if not files:
            raise InputError("folder holds no .parquet files", file=path, hint=_FORMATS_HINT)
        return _parquet_source(path, files)
    if suffix in _PARQUET_SUFFIXES:
        return _parquet_source(path, [path])
    if suffix in _CSV_SUFFIXES:
        return _csv_source(path, scorer)
    if is_duckdb:
        return _duckdb_source(path, table=table, query=query)
    raise InputError(
        f"unknown customer file format {suffix or '(no extension)'!r}", file=path, hint=_FORMATS_HINT
    )


def _parquet_source(path: Path, files: list[Path]) -> _Source:
    n_rows = 0
    schema = None
    for file in files:
        try:
            meta = pq.read_metadata(file)
            if schema is None:
                schema = pq.read_schema(file)
        except (pa.ArrowInvalid, OSError) as err:
            raise InputError(
                f"not a readable Parquet file ({str(err).splitlines()[0]})", file=file, hint=_FORMATS_HINT
            ) from None
        n_rows += meta.num_rows
    return _Source(path=path, kind="parquet", schema=schema, n_rows=n_rows, files=files)


def _csv_source(path: Path, scorer: _Scorer) -> _Source:
    try:
        reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 18))
        schema = reader.schema
        reader.close()
    except (pa.ArrowInvalid, OSError) as err:
        raise InputError(
            f"cannot read the CSV file ({str(err).splitlines()[0]})",
            file=path,
            hint="save it as UTF-8 CSV with a header row",
        ) from None
    kinds = {}
    for spec in getattr(scorer.model, "feature_schema_", None) or []:
        with contextlib.suppress(KeyError, TypeError):
            kinds[str(spec["name"])] = str(spec["kind"])
    types: dict[str, pa.DataType] = {}
    for f in schema:
        if f.name not in scorer.feature_columns:
            continue
        kind = kinds.get(f.name)
        if kind == "categorical":
            types[f.name] = pa.string()
        elif kind == "numeric" or (kind is None and (pa.types.is_integer(f.type) or pa.types.is_null(f.type))):
            # integers in the first block may be followed by decimals later on
            types[f.name] = pa.float64()
    schema = pa.schema([pa.field(f.name, types.get(f.name, f.type)) for f in schema])
    return _Source(path=path, kind="csv", schema=schema, n_rows=None, csv_types=types)


def _set_csv_id_type(source: _Source, id_column: str) -> None:
    # ids are text: keep leading zeros ("00123") and never parse them as numbers
    source.csv_types[id_column] = pa.string()
    source.schema = source.schema.set(
        source.schema.get_field_index(id_column), pa.field(id_column, pa.string())
    )


def _csv_value_error(source: _Source, err: pa.ArrowInvalid, *, after_row: int) -> InputError:
    """Turn pyarrow's CSV conversion error into one naming the column, rows and value."""
    text = str(err)
    match = re.search(r"column #(\d+).*?conversion error to (\w+): invalid value '(.*)'", text, re.S)
    if match is None:
        return InputError(
            f"cannot read the CSV file after row {after_row} ({text.splitlines()[0]})",
            file=source.path,
            hint="check quoting and the number of fields on each line",
        )
    index, target, value = int(match.group(1)), match.group(2), match.group(3)
    header = pacsv.open_csv(source.path, read_options=pacsv.ReadOptions(block_size=1 << 16)).schema
    column = header.names[index] if index < len(header.names) else f"#{index + 1}"
    rows: list[int] = []
    reader = pacsv.open_csv(
        source.path,
        convert_options=pacsv.ConvertOptions(include_columns=[column], column_types={column: pa.string()}),
    )
    seen = 0
    for batch in reader:
        hits = np.flatnonzero(pc.fill_null(pc.equal(batch.column(0), value), False).to_numpy(zero_copy_only=False))
        rows.extend((hits + seen + 1).tolist())
        seen += batch.num_rows
        if len(rows) >= 5:
            break
    return InputError(
        f"value {value!r} is not a {'number' if target in ('double', 'int64', 'float') else target}",
        file=source.path,
        column=column,
        rows=rows or None,
        value=value,
        hint="fix or blank these cells (use '.' as the decimal point)",
    )


def _duckdb_source(path: Path, *, table: str | None, query: str | None) -> _Source:
    import duckdb

    with _duckdb_connect(path, read_only=True) as con:
        tables = [
            r[0] if r[1] == "main" else f"{r[1]}.{r[0]}"
            for r in con.execute(
                "SELECT table_name, table_schema FROM information_schema.tables "
                "ORDER BY table_schema, table_name"
            ).fetchall()
        ]
        if query is None:
            if table is None:
                if len(tables) != 1:
                    raise InputError(
                        f"the database has {len(tables)} tables; say which one holds the customers",
                        file=path,
                        hint=f"pass table= (tables: {', '.join(tables) or 'none'})",
                    )
                table = tables[0]
            if table not in tables:
                raise InputError(
                    f"no table {table!r} in the database",
                    file=path,
                    value=table,
                    hint=f"tables present: {', '.join(tables) or 'none'}",
                )
            relation = _sql_ident(table)
        else:
            relation = f"({query.strip().rstrip(';')}) AS customers"
        try:
            schema = _arrow_reader(con, f"SELECT * FROM {relation} LIMIT 0", 1024).schema
            n_rows = (
                int(con.execute(f"SELECT count(*) FROM {relation}").fetchone()[0])
                if query is None
                else None
            )
        except duckdb.Error as err:
            raise InputError(
                f"DuckDB could not run the query: {str(err).splitlines()[0]}",
                file=path,
                value=query,
                hint="check the SQL; it must return one row per customer",
            ) from None
    return _Source(path=path, kind="duckdb", schema=schema, n_rows=n_rows, relation=relation)


def _check_columns(source: _Source, scorer: _Scorer, id_column: str | None) -> str:
    """Validate the id and feature columns up front; return the id column."""
    present = source.columns
    shown = ", ".join(present[:20]) + (" ..." if len(present) > 20 else "")
    if id_column is None:
        id_column = scorer.id_column
    if id_column is None:
        if "customer_id" in present:
            id_column = "customer_id"
        else:
            raise InputError(
                "cannot tell which column holds the customer ids",
                file=source.path,
                hint=f"pass id_column= (columns: {shown})",
            )
    if id_column not in present:
        raise InputError(
            f"no customer id column {id_column!r}",
            file=source.path,
            column=id_column,
            hint=f"pass id_column= naming one of: {shown}",
        )
    if source.kind == "csv":
        _set_csv_id_type(source, id_column)
    check = getattr(scorer.model, "check_features", None)
    if check is not None:
        check({f.name: str(f.type) for f in source.schema}, file=source.path)
    missing = [c for c in scorer.feature_columns if c not in present]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(repr(m) for m in missing)} the model needs",
            file=source.path,
            column=missing[0],
            hint=f"the model was trained on {', '.join(scorer.feature_columns)}; the file has {shown}",
        )
    return id_column


# --------------------------------------------------------------------------- engines
def _progress_bar(total: int | None, label: str) -> tuple[Any, Any]:
    """A started rich progress bar showing rows done and rows/s (rich imported lazily)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            if speed is None and task.elapsed:
                speed = task.completed / task.elapsed
            return Text("" if speed is None else f"{speed:,.0f} rows/s", style="progress.data.speed")

    bar = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), RateColumn(), TimeElapsedColumn()
    )
    bar.start()
    return bar, bar.add_task(label, total=total)


def _run_local(
    source: _Source, scorer: _Scorer, id_column: str, parts: Path, *, batch_size: int, progress: bool
) -> int:
    columns = list(dict.fromkeys([id_column, *scorer.feature_columns]))
    target = parts / "part-000000.parquet"
    n_batches = 0
    done = 0
    bar = None
    if progress:
        bar, task = _progress_bar(source.n_rows, f"Scoring {source.label}")
    try:
        batches = _prefetch(source.batches(columns, batch_size))
        with pq.ParquetWriter(target, scorer.out_schema, compression="snappy") as writer, \
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="behaviortypes-write") as pool, \
                contextlib.closing(batches):  # closes the reader (and a DuckDB connection) on error
            writing = None
            for batch in batches:
                scored = scorer.score_batch(batch, id_column, first_row=done + 1, file=source.path)
                if writing is not None:
                    writing.result()  # at most one scored batch waits to be written
                writing = pool.submit(writer.write_table, scored, row_group_size=batch_size)
                done += batch.num_rows
                n_batches += 1
                if bar is not None:
                    bar.update(task, advance=batch.num_rows)
            if writing is not None:
                writing.result()
    finally:
        if bar is not None:
            bar.stop()
    return n_batches


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


def _score_partition(
    frame: pd.DataFrame, scorer: _Scorer, id_column: str, batch_size: int, partition_info: Any = None
) -> pd.DataFrame:
    """Score one dask partition (runs on a worker), ``batch_size`` rows at a time."""
    number = (partition_info or {}).get("number", 0)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if table.num_rows == 0:  # models (scikit-learn) refuse empty input
        return _to_pandas(scorer.out_schema.empty_table())
    scored = [
        scorer.score_batch(
            table.slice(start, batch_size), id_column, first_row=start + 1, file=f"partition {number}"
        )
        for start in range(0, table.num_rows, batch_size)
    ]
    return _to_pandas(pa.concat_tables(scored))


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    mapping = {pa.string(): pd.StringDtype("pyarrow"), pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}
    return table.to_pandas(types_mapper=mapping.get)


@contextlib.contextmanager
def _dask_client(scheduler: Any) -> Iterator[Any]:
    from distributed import Client, LocalCluster

    if scheduler is not None and not isinstance(scheduler, str):
        yield scheduler  # an existing distributed.Client
        return
    if scheduler:
        try:
            client = Client(scheduler, timeout=_CONNECT_TIMEOUT)
        except OSError as err:
            raise InputError(
                f"cannot reach the Dask scheduler ({err})",
                value=scheduler,
                hint="check the address (tcp://host:8786) and that the scheduler is running",
            ) from None
        with client:
            yield client
        return
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


def _run_dask(
    source: _Source, scorer: _Scorer, id_column: str, parts: Path, *, scheduler: Any, batch_size: int, progress: bool
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
        dtype = {c: ("float64" if pa.types.is_floating(t) else "string") for c, t in source.csv_types.items()}
        compressed = _suffix(source.path) != ".csv"
        ddf = dd.read_csv(
            str(source.path),
            usecols=columns,
            dtype=dtype,
            blocksize=None if compressed else max(_csv_block_size(source.path, batch_size), 1 << 24),
            keep_default_na=True,
        )
    meta = _to_pandas(scorer.out_schema.empty_table())
    with _dask_client(scheduler) as client:
        shipped = client.scatter(scorer, broadcast=True)
        scored = ddf.map_partitions(_score_partition, shipped, id_column, batch_size, meta=meta)
        job = scored.to_parquet(
            str(parts),
            write_index=False,
            name_function=lambda i: f"part-{i:06d}.parquet",
            schema=scorer.out_schema,
            compute=False,
        )
        if progress:
            from distributed import progress as dask_progress

            future = client.compute(job)
            dask_progress(future)
            future.result()
        else:
            client.compute(job).result()
        return int(ddf.npartitions)


# --------------------------------------------------------------------------- checks & publish
def _parquet_list(files: Sequence[Path]) -> str:
    return "[" + ", ".join(_sql_str(str(f)) for f in files) + "]"


def _summarise(files: list[Path], scorer: _Scorer, tmp: Path) -> tuple[int, dict, dict, float]:
    import duckdb

    p_cols = scorer.proba_columns
    avgs = ", ".join(f"avg({_sql_ident(c)})" for c in p_cols)
    counts = ", ".join(f"count(*) FILTER (WHERE type_id = {t})" for t in scorer.type_ids)
    with contextlib.closing(duckdb.connect(config={"memory_limit": _DUCKDB_MEMORY, "threads": 2,
                                                   "temp_directory": str(tmp)})) as con:
        row = con.execute(
            f"SELECT count(*), {avgs}, {counts}, count(*) FILTER (WHERE type_id IS NULL) "
            f"FROM read_parquet({_parquet_list(files)})"
        ).fetchone()
    n = int(row[0])
    k = len(p_cols)
    shares = {t: float(row[1 + j] or 0.0) for j, t in enumerate(scorer.type_ids)}
    likely = {t: (int(row[1 + k + j]) / n if n else 0.0) for j, t in enumerate(scorer.type_ids)}
    unassigned = int(row[1 + 2 * k]) / n if n else 0.0
    return n, shares, likely, unassigned


def _check_duplicates(files: list[Path], id_column: str, source: _Source, tmp: Path) -> None:
    """Fail when a customer id appears more than once (DuckDB group-by, spills to disk)."""
    import duckdb

    listing = _parquet_list(files)
    with contextlib.closing(duckdb.connect(config={"memory_limit": _DUCKDB_MEMORY, "threads": 2,
                                                   "temp_directory": str(tmp),
                                                   "preserve_insertion_order": False})) as con:
        # group 64-bit hashes, not strings: a quarter of the memory; a hash seen twice is
        # then verified on the ids themselves (collisions are rare and only cost time)
        candidates = con.execute(
            f"SELECT count(*) FROM (SELECT hash(customer_id) AS h FROM read_parquet({listing}) "
            "GROUP BY h HAVING count(*) > 1)"
        ).fetchone()[0]
        if not candidates:
            return
        counted = (
            f"SELECT customer_id, count(*) AS n FROM read_parquet({listing}) "
            "GROUP BY customer_id HAVING count(*) > 1"
        )
        dups = con.execute(f"{counted} ORDER BY n DESC, customer_id LIMIT 6").fetchall()
        if not dups:
            return
        n_dup = con.execute(f"SELECT count(*) FROM ({counted})").fetchone()[0]
        first = dups[0][0]
        hits = con.execute(
            f"SELECT filename, file_row_number FROM read_parquet({listing}, filename=true, "
            "file_row_number=true) WHERE customer_id = ? ORDER BY filename, file_row_number LIMIT 10",
            [first],
        ).fetchall()
    offsets, start = {}, 0
    for f in files:
        offsets[str(f)] = start
        start += pq.read_metadata(f).num_rows
    rows = sorted(offsets.get(str(fn), 0) + int(r) + 1 for fn, r in hits)
    others = ", ".join(repr(d[0]) for d in dups[1:5])
    raise InputError(
        f"customer id {first!r} appears {dups[0][1]} times"
        + (f"; {n_dup - 1} more ids are duplicated ({others}...)" if n_dup > 1 else ""),
        file=source.path,
        column=id_column,
        rows=rows,
        value=first,
        hint="each customer must appear once; remove duplicate rows (or pass check_duplicates=False)",
    )


def _replace(src: Path, dest: Path) -> None:
    """Move ``src`` (file or folder) to ``dest``, replacing what is there."""
    if dest.exists() and (dest.is_dir() or src.is_dir()):
        backup = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old.", dir=dest.parent))
        os.replace(dest, backup / dest.name)
        try:
            os.replace(src, dest)
        except OSError:
            os.replace(backup / dest.name, dest)
            raise
        finally:
            shutil.rmtree(backup, ignore_errors=True)
    else:
        os.replace(src, dest)


def _publish_duckdb(files: list[Path], out: Path, out_table: str) -> None:
    import duckdb

    created = not out.exists()
    try:
        with _duckdb_connect(out, read_only=False) as con:
            con.execute("BEGIN TRANSACTION")
            con.execute(
                f"CREATE OR REPLACE TABLE {_sql_ident(out_table)} AS "
                f"SELECT * FROM read_parquet({_parquet_list(files)})"
            )
            con.execute("COMMIT")
    except duckdb.Error as err:
        if created:
            for leftover in (out, out.with_name(out.name + ".wal")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
        raise InputError(
            f"cannot write table {out_table!r}: {str(err).splitlines()[0]}",
            file=out,
            hint="check the table name and that no other program has the database open",
        ) from None
    except BaseException:
        if created:
            for leftover in (out, out.with_name(out.name + ".wal")):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
        raise


def _publish_csv(files: list[Path], out: Path) -> None:
    with atomic_path(out) as tmp:
        writer = None
        try:
            for f in files:
                with pq.ParquetFile(f) as handle:
                    for batch in handle.iter_batches(batch_size=100_000):
                        if writer is None:
                            writer = pacsv.CSVWriter(str(tmp), batch.schema)
                        writer.write_batch(batch)
        finally:
            if writer is not None:
                writer.close()


def _out_kind(out: Path, out_table: str | None) -> str:
    suffix = _suffix(out)
    if suffix in _DUCKDB_SUFFIXES:
        return "duckdb"
    if out_table is not None:
        raise InputError(
            "out_table= only applies to a DuckDB output", file=out, value=out_table,
            hint="write to a .duckdb file or drop out_table=",
        )
    if suffix in _PARQUET_SUFFIXES or (out.is_dir() and suffix == ""):
        return "parquet"
    if suffix == ".csv":
        return "csv"
    raise InputError(
        f"unknown output format {suffix or '(no extension)'!r}",
        file=out,
        hint="write to .parquet (default), .duckdb (with out_table=) or .csv",
    )


def _peak_rss_mib() -> float:
    """Peak resident memory of this process in MiB.

    Linux ``VmHWM`` (the high-water mark of this program's memory since it started);
    ``getrusage`` elsewhere, which on Linux would also count the parent's memory at
    the time this process was forked.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    scale = 1024.0 * 1024.0 if sys.platform == "darwin" else 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


# --------------------------------------------------------------------------- entry point
def score_customers(
    model: Any,
    customers: str | Path,
    out: str | Path,
    *,
    engine: str = "local",
    scheduler: Any = None,
    id_column: str | None = None,
    table: str | None = None,
    query: str | None = None,
    out_table: str | None = None,
    batch_size: int = 200_000,
    check_duplicates: bool = True,
    progress: bool = False,
) -> ScoreSummary:
    """Tag every customer of a base with the most likely type and all type probabilities.

    Parameters
    ----------
    model : str, Path or fitted model
        ``lookalike.skops``, the discovery folder holding it, or a fitted model with
        ``predict_proba``, ``type_ids_`` and ``feature_columns_`` (see
        :class:`behaviortypes.lookalike.LookalikeModel`).
    customers : str or Path
        The customer base: a ``.parquet`` file or a folder of them, a ``.csv`` (optionally
        ``.csv.gz``) file, or a ``.duckdb`` database (with ``table=`` or ``query=``).
    out : str or Path
        Where to write: ``.parquet`` (default format), ``.duckdb`` (table ``out_table``)
        or ``.csv``. Folders are created; an existing output is replaced only on success.
    engine : {"local", "dask"}, default="local"
        ``"local"`` streams the base in batches on this machine; ``"dask"`` scores
        partitions on a Dask distributed cluster.
    scheduler : str or distributed.Client, optional
        Dask scheduler address (``tcp://host:8786``) or a connected ``Client``; ``None``
        starts a local cluster of two single-threaded worker processes.
    id_column : str, optional
        Customer id column of the file. Default: the model's id column (from training),
        else ``customer_id``. The output column is always ``customer_id`` (text).
    table, query : str, optional
        For a DuckDB input: the table to read (needed when the database has several) or a
        SQL query returning one row per customer.
    out_table : str, optional
        DuckDB table to write, default ``"scored_customers"``.
    batch_size : int, default=200_000
        Rows per batch (local engine). Memory grows with it, not with the base.
    check_duplicates : bool, default=True
        Fail when a customer id appears twice (see Notes).
    progress : bool, default=False
        Show a progress bar with rows/s.

    Returns
    -------
    ScoreSummary

    Raises
    ------
    InputError
        The model or customer file is missing or in an unknown format; the id column or
        a feature column is missing or of the wrong type; a DuckDB table is missing
        (the tables present are listed); a customer has no id; a value cannot be read;
        a customer id is duplicated.

    Notes
    -----
    *Memory.* The local engine reads only the id and feature columns and holds three
    batches at most: the next one being read (in a background thread), the one being
    scored, and the previous one being written (in another thread). Memory is set by
    ``batch_size`` and the number of features and types, not by the number of
    customers: with the default 200,000 rows, a 12-feature, 4-type model peaks at about
    0.6–0.75 GiB of resident memory at 1M, 5M and 20M rows alike (``bench/score.py``),
    most of it the libraries themselves. DuckDB inputs are read with a memory limit
    (128 MB for a table, 512 MB for a query). The dask engine reads partitions of about
    ``batch_size`` rows (whole Parquet row groups) and scores them in batches.

    *Duplicate ids* cannot be found by looking at one batch, and remembering every id
    seen would grow with the base. After scoring, the staged output is checked by
    DuckDB: a ``GROUP BY`` on 64-bit hashes of ``customer_id`` (memory-limited to 256 MB,
    spilling to disk beyond), and only when a hash repeats, on the ids themselves. The
    check is exact, memory stays flat, and it costs one extra read of the id column
    (about 5 s for 20M rows). A duplicate fails the run (nothing is written), naming the
    id and its rows. ``check_duplicates=False`` skips it.

    *Atomic output.* Scored rows go to a hidden staging folder beside ``out``. Parquet
    and CSV outputs are moved into place by rename; a DuckDB output is written with
    ``CREATE OR REPLACE TABLE`` inside one transaction, so readers see the old table
    until the commit and a crash rolls back. The staging folder is removed on success
    and on error (only a killed process can leave a hidden ``.<out>.scoring-*`` folder).

    *Row numbers* in errors are 1-based data rows of the customer file (or of the DuckDB
    query result). Errors raised by the model for a batch are shifted to file rows. With
    the dask engine, rows are counted within the partition named in the message.

    *Order.* Rows are written in input order with both engines.
    """
    started = time.perf_counter()
    if engine not in ("local", "dask"):
        raise InputError(f"unknown engine {engine!r}", value=engine, hint="use 'local' or 'dask'")
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise InputError("batch_size must be a positive number of rows", value=batch_size, hint="e.g. 200_000")
    out = Path(out)
    out_kind = _out_kind(out, out_table)
    out_table = (out_table or DEFAULT_OUT_TABLE) if out_kind == "duckdb" else None
    if engine == "dask" and _suffix(Path(customers)) in _DUCKDB_SUFFIXES:
        raise InputError(
            "the dask engine reads Parquet or CSV, not DuckDB",
            file=customers,
            hint="use engine='local' (it streams DuckDB) or export the table to Parquet first",
        )
    scorer = _resolve_model(model)
    source = _open_source(customers, table=table, query=query, scorer=scorer)
    id_column = _check_columns(source, scorer, id_column)

    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{out.name}.scoring-", dir=out.parent) as staging:
        staging = Path(staging)
        parts = staging / "parts"
        parts.mkdir()
        if engine == "local":
            n_batches = _run_local(source, scorer, id_column, parts, batch_size=int(batch_size), progress=progress)
        else:
            n_batches = _run_dask(
                source, scorer, id_column, parts, scheduler=scheduler, batch_size=int(batch_size), progress=progress
            )
        files = sorted(parts.glob("*.parquet"), key=_natural_key)
        spill = staging / "spill"
        spill.mkdir()
        if not files:  # an empty base: still write a valid, empty output
            pq.write_table(scorer.out_schema.empty_table(), parts / "part-000000.parquet")
            files = [parts / "part-000000.parquet"]
        n_rows, shares, likely, unassigned = _summarise(files, scorer, spill)
        if check_duplicates and n_rows:
            _check_duplicates(files, id_column, source, spill)
        if out_kind == "duckdb":
            _publish_duckdb(files, out, out_table)
        elif out_kind == "csv":
            _publish_csv(files, out)
        elif engine == "local" and len(files) == 1:
            _replace(files[0], out)
        else:
            _replace(parts, out)
    seconds = time.perf_counter() - started
    return ScoreSummary(
        n_rows=n_rows,
        seconds=seconds,
        rows_per_s=n_rows / seconds if seconds > 0 else math.inf,
        shares=shares,
        most_likely_shares=likely,
        type_names=dict(scorer.type_names),
        out=out,
        engine=engine,
        out_table=out_table,
        unassigned_share=unassigned,
        n_batches=n_batches,
        peak_rss_mib=_peak_rss_mib(),
        customers=Path(customers),
    )
