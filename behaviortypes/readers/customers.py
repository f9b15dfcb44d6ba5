"""Customer bases (CSV, Parquet or DuckDB), read whole or streamed in bounded memory."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError, Said
from ._common import TEXT_EXT, column_hint, id_column_hint, ids_to_str

#: File suffixes read as Parquet (a file, or the parts of a folder).
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
from .tables import decode_text, sniff_delimiter




def _query(con, query: str, path: Path, columns):
    """Run ``query`` on a DuckDB connection; keep ``columns``; a failed query closes it."""
    import duckdb

    try:
        rel = con.sql(query)
    except duckdb.Error as err:
        con.close()
        raise InputError(code="problem_base_query", values={"detail": str(err).splitlines()[0]}, file=path,
                         hint=Said("problem_base_query_fix")) from None
    _check_columns(path, rel.columns, columns)
    if columns:
        rel = rel.select(*[_quote_ident(c) for c in columns])
    return rel

def _natural(part: str) -> list[Any]:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", part)]


def parquet_folder_files(path: str | Path) -> list[Path]:
    """The Parquet files of a customer-base folder, its partition sub-folders included.

    Spark, Dask and pyarrow write a base as a folder of parts, often hive-partitioned
    (``base/region=north/part-0.parquet``). Files and folders whose names start with
    ``.`` or ``_`` (Spark's ``_SUCCESS``, ``_temporary``, checksums) are skipped at every
    level, as are files that are not ``.parquet``/``.pq``/``.parq``.

    Returns
    -------
    list of Path
        In natural order of their paths below ``path`` (``part-2`` before ``part-10``).
    """
    root = Path(path)
    found = []
    for file in root.rglob("*"):
        parts = file.relative_to(root).parts
        if file.suffix.lower() in PARQUET_SUFFIXES and not any(p.startswith((".", "_")) for p in parts) \
                and file.is_file():
            found.append(file)
    return sorted(found, key=lambda f: [_natural(p) for p in f.relative_to(root).parts])


def parquet_dataset(path: str | Path, files: Sequence[Path] | None = None):
    """A pyarrow dataset over a Parquet file, or a folder of parts read with hive partitioning.

    A folder's ``key=value`` sub-folders become columns (``region`` from
    ``region=north/``; pyarrow infers integers, else text). The files are
    :func:`parquet_folder_files` (or ``files``), in that order.

    Raises
    ------
    InputError
        If a folder holds no Parquet file, or a file is not Parquet.
    """
    import pyarrow as pa
    import pyarrow.dataset as ds

    path = Path(path)
    try:
        if not path.is_dir():
            return ds.dataset(str(path), format="parquet")
        files = parquet_folder_files(path) if files is None else list(files)
        if not files:  # (score's refusal; lookalike said "no rows")
            raise InputError(code="problem_score_no_parquet", file=path, hint=Said("problem_score_formats"))
        return ds.dataset([str(f) for f in files], format="parquet", partitioning="hive",
                          partition_base_dir=str(path))
    except (pa.ArrowInvalid, OSError) as err:
        raise InputError(code="problem_base_parquet", values={"detail": str(err).splitlines()[0]}, file=path,
                         hint=Said("problem_base_parquet_fix")) from None


def iter_parquet_batches(dataset, columns: Sequence[str], batch_size: int):
    """Stream a Parquet dataset's ``columns`` file by file, in bounded memory.

    Each file is read a batch at a time without pre-buffering (pyarrow's read cache
    otherwise keeps every row group read so far); a hive partition column is added to
    each batch as its file's value.

    Yields
    ------
    pyarrow.RecordBatch
        With ``columns`` in that order (at most ``batch_size`` rows each).
    """
    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    schema = dataset.schema
    for fragment in dataset.get_fragments():
        keys = ds.get_partition_keys(fragment.partition_expression)
        with pq.ParquetFile(fragment.path, pre_buffer=False, buffer_size=1 << 22) as handle:
            own = [c for c in columns if c in handle.schema_arrow.names]
            for batch in handle.iter_batches(batch_size=batch_size, columns=own):
                arrays = [batch.column(c).cast(schema.field(c).type) if c in own
                          else pa.array([keys.get(c)] * batch.num_rows, type=schema.field(c).type)
                          for c in columns]
                yield pa.RecordBatch.from_arrays(arrays, schema=pa.schema([schema.field(c) for c in columns]))


def _quote_ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def unknown_customer_format(path: str | Path) -> InputError:
    """The one error for a customer base in a format not read (``score`` and ``lookalike``).

    Parameters
    ----------
    path : str or Path
        The customer file.

    Returns
    -------
    InputError
        Naming the file and its extension, with how to save it in a format read.
    """
    path = Path(path)
    suffix = "".join(path.suffixes[-1:]).lower()
    what = Said("problem_a_file", {"suffix": suffix}) if suffix else Said("problem_a_file_no_suffix")
    excel = suffix in {".xlsx", ".xls", ".xlsm", ".ods"}
    return InputError(code="problem_base_format", values={"what": what}, file=path, value=None,
                      hint=Said("problem_base_from_excel" if excel else "problem_base_formats"))


def sniff_csv_dialect(path: str | Path) -> dict[str, Any]:
    """Encoding, delimiter and decimal mark of a CSV file, sniffed from its first 64 KiB.

    The same detection as the responses reader (:func:`~behaviortypes.readers.tables.decode_text`,
    :func:`~behaviortypes.readers.tables.sniff_delimiter`): UTF-8 with or without BOM,
    UTF-16, cp1252/latin-1; comma, semicolon, tab or pipe; a decimal comma when the
    delimiter is not a comma and most decimal-looking cells use one (Swedish Excel:
    ``;`` and ``49,5``). Compressed files (``.csv.gz``...) are decompressed on the fly.

    Returns
    -------
    dict
        ``encoding`` (Python codec name), ``delimiter`` and ``decimal``.
    """
    import pyarrow as pa

    path = Path(path)
    with pa.input_stream(str(path), compression="detect") as stream:
        head = stream.read(1 << 16)
    return _dialect_of(head, path)


def _dialect_hint(path: Path) -> Said:
    d = sniff_csv_dialect(path)
    return Said("problem_base_csv_dialect", {"delimiter": repr(d["delimiter"]), "decimal": repr(d["decimal"]),
                                             "encoding": d["encoding"]})


def _csv_options(path: Path) -> dict[str, Any]:
    return sniff_csv_dialect(path)


def _dialect_of(head: bytes, path: Path) -> dict[str, Any]:
    if not head.strip():
        raise InputError(code="problem_empty_file", file=path, hint=Said("problem_base_export"))
    text, encoding = decode_text(head, path, partial=True)
    delim = sniff_delimiter(text)
    decimal = "."
    if delim != ",":
        cells = [c.strip() for row in csv.reader(io.StringIO(text, newline=""), delimiter=delim) for c in row]
        commas = sum(bool(re.fullmatch(r"[+-]?\d+,\d+", c)) for c in cells)
        points = sum(bool(re.fullmatch(r"[+-]?\d+\.\d+", c)) for c in cells)
        decimal = "," if commas > points else "."
    return {"encoding": encoding, "delimiter": delim, "decimal": decimal}


def _csv_arrow_options(path: Path, columns, id_column, batch_rows: int | None = None):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    opts = _csv_options(path)
    enc = {"utf-8-sig": "utf8", "utf-8": "utf8"}.get(opts["encoding"], opts["encoding"])
    read = pacsv.ReadOptions(encoding=enc, block_size=1 << 22 if batch_rows else None)
    parse = pacsv.ParseOptions(delimiter=opts["delimiter"])
    types = {id_column: pa.string()} if id_column else None
    convert = pacsv.ConvertOptions(include_columns=list(columns) if columns else None,
                                   decimal_point=opts["decimal"], column_types=types,
                                   strings_can_be_null=True, null_values=csv_null_values())
    return read, parse, convert


def csv_null_values() -> list[str]:
    """The cell texts a customer base's CSV reads as no value: the responses' words
    (``readers._common.MISSING_TOKENS``: "N/A", "#N/A", "NULL", "none", ".", "-" ...) as
    written, in capitals and capitalised, beside pyarrow's own. Before (LEFT21), "none", "."
    and "-" made a numeric column text (a category), while "N/A" and "NULL" vanished."""
    import pyarrow.csv as pacsv

    from ._common import MISSING_TOKENS

    words = {w for t in MISSING_TOKENS for w in (t, t.upper(), t.capitalize(), t.title())}
    return sorted(set(pacsv.ConvertOptions().null_values) | words)


def null_columns(batch) -> list[str]:
    """The names of the columns of a pyarrow ``Table`` or ``RecordBatch`` with a cell read as
    no value (a blank, or a word of :func:`csv_null_values`), in the batch's order: what
    :func:`say_read_as_missing` is given, as the base is read whole, streamed or scored."""
    return [name for name, col in zip(batch.schema.names, batch.columns) if col.null_count]


#: Rows of a column's cells read as no value that :func:`say_read_as_missing` keeps to say
#: "rows 2, 3, 4 and 999,997 more" (beyond this, "more" counts only these).
_MISSING_ROWS_KEPT = 1_000_000


def say_read_as_missing(path: Path, names: Sequence[str], id_column: str | None = None) -> None:
    """Warn once, as the responses' reader does (:func:`~behaviortypes.readers.validate.read_as_missing`:
    count, words, the first column's rows), of the customer base's cells read as no value
    from a word such as "N/A", "NULL" or "-". ``names``: the CSV's columns that came out
    empty somewhere; only those are read once more, as text."""
    import warnings

    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from ..errors import Problem, SurveyQualityWarning
    from .validate import read_as_missing

    names = [c for c in names if c != id_column]
    if not names:
        return
    read, parse, _ = _csv_arrow_options(path, None, id_column)
    convert = pacsv.ConvertOptions(include_columns=names, column_types={c: pa.string() for c in names},
                                   null_values=[""], strings_can_be_null=True)
    # streamed block by block, as the base itself is (a base of millions of rows must not be
    # held as text): each column's count and words summed over the blocks, the rows of the
    # first column that has any (at most _MISSING_ROWS_KEPT of them: memory stays bounded)
    col, rows, n, tokens, offset = None, [], 0, [], 0
    with pacsv.open_csv(str(path), read_options=read, parse_options=parse, convert_options=convert) as reader:
        for batch in reader:
            frame, numbers = batch.to_pandas(), np.arange(offset + 1, offset + batch.num_rows + 1)
            offset += batch.num_rows
            for name in names:
                for found in read_as_missing(frame[[name]], [name], path, numbers, code="warn_base_read_as_missing"):
                    col = col or name
                    if name == col and len(rows) < _MISSING_ROWS_KEPT:
                        rows += found.rows[:_MISSING_ROWS_KEPT - len(rows)]
                    n += int(found.values["n"])
                    tokens += [t for t in str(found.values["tokens"]).split(", ") if t not in tokens]
    if col is not None:
        problem = Problem(code="warn_base_read_as_missing", file=path, column=col, rows=rows,
                          values={"n": n, "tokens": ", ".join(tokens[:5])})
        # as the responses' reader warns (survey._as_warning): its code, for the CLI's language
        warnings.warn(SurveyQualityWarning(str(problem), problem=problem), stacklevel=4)


def _check_columns(path: Path, available: Sequence[str], columns: Sequence[str] | None,
                   id_column: str | None = None) -> None:
    if not columns:
        return
    available = list(available)
    missing = [c for c in columns if c not in available]
    repeated = [c for c in dict.fromkeys(available) if available.count(c) > 1]
    named = [c for c in repeated if c in columns] or (repeated if missing else [])
    if named:  # two `age` columns: which one is meant is unknown
        code = ("problem_base_column_twice" if not missing else "problem_base_column_twice_lacks"
                if len(missing) > 1 else "problem_base_column_twice_lacks_one")
        raise InputError(code=code, values={"missing": ", ".join(missing)}, file=path,
                         column=named[0], hint=Said("problem_base_column_unique"))
    if missing:
        hint = (id_column_hint if missing[0] == id_column else column_hint)(  # (never a column of names as the id)
            missing[0], list(available), Said("problem_what_column"), columns)
        raise InputError(code="problem_base_columns", values={"missing": ", ".join(missing)}, file=path,
                         column=missing[0], hint=hint)


def _duckdb_relation(path: Path, columns, table, query, id_column):
    """A DuckDB connection and relation for a customer base (any supported format)."""
    import duckdb

    ext = path.suffix.lower()
    if table is not None and query is not None:
        raise InputError("give table= or query=, not both", file=path)
    if ext in {".duckdb", ".db", ".ddb"}:
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as err:
            raise InputError(code="problem_base_duckdb", values={"detail": err}, file=path) from None
        if query is None:
            tables = [r[0] for r in con.execute(
                "SELECT table_name FROM information_schema.tables").fetchall()]
            if table is None:
                if len(tables) != 1:
                    con.close()
                    raise InputError(code="problem_base_name_table", file=path, hint=Said(
                        "problem_base_name_table_fix", {"tables": ", ".join(tables) or Said("problem_none")}))
                table = tables[0]
            if table not in tables:
                con.close()
                raise InputError(code="problem_base_no_table", values={"table": repr(table)}, file=path,
                                 value=table, hint=Said("problem_base_tables", {
                                     "tables": ", ".join(tables) or Said("problem_none")}))
            query = f"SELECT * FROM {_quote_ident(table)}"
    else:
        con = duckdb.connect()
        if table is not None:
            raise InputError("table= is for DuckDB databases", file=path,
                             hint="for a CSV or Parquet file use query= with the view 'customers'")
        source = _read_customer_arrow(path, None, id_column)
        con.register("customers", source)
        query = query or "SELECT * FROM customers"
    return con, _query(con, query, path, columns)


def _read_customer_arrow(path: Path, columns, id_column):
    """Read a CSV or Parquet customer base as a pyarrow Table (lazily for Parquet)."""
    import pyarrow.csv as pacsv
    import pyarrow as pa

    ext = path.suffix.lower()
    if ext == ".parquet" or path.is_dir():
        dataset = parquet_dataset(path)
        _check_columns(path, dataset.schema.names, columns, id_column)
        return dataset
    if ext in TEXT_EXT:
        read, parse, convert = _csv_arrow_options(path, None, id_column)
        try:
            table = pacsv.read_csv(str(path), read_options=read, parse_options=parse,
                                   convert_options=convert)
        except pa.ArrowInvalid as err:
            raise InputError(code="problem_base_csv", values={"detail": str(err).splitlines()[0]}, file=path,
                             hint=Said("problem_base_csv_fix")) from None
        _check_columns(path, table.column_names, columns, id_column)
        table = table.select(list(columns)) if columns else table
        say_read_as_missing(path, null_columns(table), id_column)
        return table
    raise unknown_customer_format(path)


def read_customers(path: str | Path, *, columns: Sequence[str] | None = None,
                   table: str | None = None, query: str | None = None,
                   id_column: str | None = None) -> pd.DataFrame:
    """Read a whole customer base.

    Parameters
    ----------
    path : str or Path
        ``.csv`` (delimiter, encoding and decimal comma sniffed), ``.parquet`` (file or
        folder) or a DuckDB database (``.duckdb``/``.db``).
    columns : sequence of str, optional
        Columns to read (default all).
    table : str, optional
        Table of a DuckDB database (default: its only table).
    query : str, optional
        SQL run by DuckDB; for CSV/Parquet the file is the view ``customers``.
    id_column : str, optional
        Column read as text (keeps leading zeros of ids).

    Returns
    -------
    DataFrame

    Raises
    ------
    InputError
        If the file, table or columns do not exist, or the query fails.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(code="problem_not_found", values={"what": Said("problem_what_customer_file")}, file=path)
    if query is None and table is None and path.suffix.lower() not in {".duckdb", ".db", ".ddb"}:
        source = _read_customer_arrow(path, columns, id_column)
        table_ = source.to_table(columns=list(columns) if columns else None) \
            if hasattr(source, "to_table") else source
        frame = table_.to_pandas()
    else:
        con, rel = _duckdb_relation(path, columns, table, query, id_column)
        try:
            frame = rel.df()
        finally:
            con.close()
    if id_column and id_column in frame.columns:
        frame[id_column] = ids_to_str(frame[id_column])
    return frame


def _rebatch(batches, batch_size: int, id_column: str | None) -> Iterator[pd.DataFrame]:
    import pyarrow as pa

    pending: list = []
    count = 0
    for batch in batches:
        if batch.num_rows == 0:
            continue
        pending.append(batch)
        count += batch.num_rows
        while count >= batch_size:
            table = pa.Table.from_batches(pending)
            head, rest = table.slice(0, batch_size), table.slice(batch_size)
            yield _batch_frame(head, id_column)
            pending = rest.to_batches() if rest.num_rows else []
            count = rest.num_rows
    if count:
        yield _batch_frame(pa.Table.from_batches(pending), id_column)


def _batch_frame(table, id_column: str | None) -> pd.DataFrame:
    frame = table.to_pandas()
    if id_column and id_column in frame.columns:
        frame[id_column] = ids_to_str(frame[id_column])
    return frame


def iter_customer_batches(path: str | Path, *, batch_size: int = 100_000,
                          columns: Sequence[str] | None = None, table: str | None = None,
                          query: str | None = None, id_column: str | None = None
                          ) -> Iterator[pd.DataFrame]:
    """Stream a customer base in DataFrames of ``batch_size`` rows (the last may be shorter).

    Memory stays bounded by the batch size: Parquet is read with
    ``pyarrow.dataset`` batch scanning, CSV with ``pyarrow.csv.open_csv``, DuckDB
    tables and queries with ``to_arrow_reader``. Parameters are as in
    :func:`read_customers`.

    Yields
    ------
    DataFrame
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    path = Path(path)
    if batch_size < 1:
        raise InputError(f"batch_size must be at least 1, not {batch_size}", value=batch_size)
    if not path.exists():
        raise InputError(code="problem_not_found", values={"what": Said("problem_what_customer_file")}, file=path)
    ext = path.suffix.lower()
    if query is None and table is None and (ext == ".parquet" or path.is_dir()):
        dataset = parquet_dataset(path)
        _check_columns(path, dataset.schema.names, columns, id_column)
        batches = iter_parquet_batches(dataset, list(columns) if columns else dataset.schema.names, batch_size)
        yield from _rebatch(batches, batch_size, id_column)
        return
    if query is None and table is None and ext in TEXT_EXT:
        read, parse, convert = _csv_arrow_options(path, None, id_column, batch_rows=batch_size)
        try:
            reader = pacsv.open_csv(str(path), read_options=read, parse_options=parse,
                                    convert_options=convert)
        except pa.ArrowInvalid as err:
            raise InputError(code="problem_base_csv", values={"detail": str(err).splitlines()[0]}, file=path,
                             hint=_dialect_hint(path)) from None
        _check_columns(path, reader.schema.names, columns, id_column)

        def selected():
            empty: dict[str, None] = {}  # the columns with a cell read as no value (said at the end)
            try:
                for batch in reader:
                    batch = batch.select(list(columns)) if columns else batch
                    empty |= dict.fromkeys(null_columns(batch))
                    yield batch
            except pa.ArrowInvalid as err:
                raise InputError(code="problem_base_csv", values={"detail": str(err).splitlines()[0]},
                                 file=path, hint=_dialect_hint(path)) from None
            say_read_as_missing(path, list(empty), id_column)

        yield from _rebatch(selected(), batch_size, id_column)
        return
    if ext not in {".duckdb", ".db", ".ddb"}:
        # a query over a CSV/Parquet file: DuckDB scans an Arrow stream of the file
        import duckdb

        if table is not None:
            raise InputError("table= is for DuckDB databases", file=path,
                             hint="for a CSV or Parquet file use query= with the view 'customers'")
        if ext == ".parquet" or path.is_dir():
            source = parquet_dataset(path)
        elif ext in TEXT_EXT:
            read, parse, convert = _csv_arrow_options(path, None, id_column, batch_rows=batch_size)
            source = pacsv.open_csv(str(path), read_options=read, parse_options=parse,
                                    convert_options=convert)
        else:
            raise unknown_customer_format(path)
        con = duckdb.connect()
        con.register("customers", source)
        rel = _query(con, query or "SELECT * FROM customers", path, columns)
    else:
        con, rel = _duckdb_relation(path, columns, table, query, id_column)
    try:
        reader = rel.to_arrow_reader(batch_size)
        yield from _rebatch(reader, batch_size, id_column)
    finally:
        con.close()
