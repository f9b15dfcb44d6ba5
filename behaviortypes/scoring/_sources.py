"""Customer bases on disk: Parquet files or folders, CSV and DuckDB, read in batches.

:func:`open_source` opens a base and :func:`check_source_columns` validates its id and feature
columns up front; :meth:`Source.batches` then streams only the columns scoring needs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..errors import InputError, Said
from ._model import Scorer

PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
_CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".csv.zst")
DUCKDB_SUFFIXES = (".duckdb", ".ddb", ".db")
_FORMATS_HINT = Said("problem_score_formats")  # "use a .parquet file (or a folder of them), ..."
# DuckDB memory limits, so a run's memory stays flat in the size of the base: reading a
# table (DuckDB's block cache otherwise grows with the table) and running a user's query
# (joins and aggregates spill to disk beyond it).
_DUCKDB_SCAN_MEMORY = "128MB"
_DUCKDB_QUERY_MEMORY = "512MB"


def sql_str(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def sql_ident(name: str) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in str(name).split("."))


def file_suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in (*_CSV_SUFFIXES, *PARQUET_SUFFIXES, *DUCKDB_SUFFIXES):
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def natural_key(path: Path) -> list[Any]:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.name)]


@dataclass
class Source:
    """A customer base on disk: its format, schema and a way to stream it."""

    path: Path
    kind: str  # parquet | csv | duckdb
    schema: pa.Schema
    n_rows: int | None
    files: list[Path] = field(default_factory=list)  # parquet
    #: parquet folder: a pyarrow dataset (hive partition sub-folders become columns)
    dataset: Any = None
    relation: str | None = None  # duckdb: quoted table or (query)
    csv_types: dict[str, pa.DataType] = field(default_factory=dict)
    #: csv: encoding, delimiter and decimal mark (:func:`behaviortypes.readers.customers.sniff_csv_dialect`)
    csv_dialect: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_DIALECT))
    #: csv: the columns that came out empty somewhere as the base was streamed (a blank, or a
    #: word such as "N/A" or "-": :func:`behaviortypes.readers.customers.say_read_as_missing` says the words)
    null_columns: set[str] = field(default_factory=set)

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
        if self.dataset is not None:
            from ..readers import iter_parquet_batches

            yield from iter_parquet_batches(self.dataset, columns, batch_size)
            return
        for file in self.files:
            # pre_buffer=False: with pre-buffering, pyarrow's read cache keeps every row
            # group read so far alive until the file is closed (memory grows with the file)
            with pq.ParquetFile(file, pre_buffer=False, buffer_size=1 << 22) as handle:
                yield from handle.iter_batches(batch_size=batch_size, columns=columns)

    def open_csv(self, *, block_size: int | None = None, include_columns: list[str] | None = None,
                 column_types: dict[str, pa.DataType] | None = None) -> pacsv.CSVStreamingReader:
        """A streaming pyarrow reader of the CSV in its own dialect (encoding, separator, decimal)."""
        return _open_csv(self.path, self.csv_dialect, block_size=block_size, include_columns=include_columns,
                         column_types=column_types)

    def _csv(self, columns: list[str], batch_size: int) -> Iterator[pa.RecordBatch]:
        from ..readers.customers import null_columns  # the readers' one test of a column read as no value

        block = csv_block_size(self.path, batch_size)
        try:  # open_csv already converts the first block
            reader = self.open_csv(block_size=block, include_columns=columns, column_types=self.csv_types)
        except pa.ArrowInvalid as err:
            raise _csv_value_error(self, err, after_row=1) from None
        done = 0
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except pa.ArrowInvalid as err:
                raise _csv_value_error(self, err, after_row=done + 1) from None
            done += batch.num_rows
            self.null_columns.update(null_columns(batch))
            yield batch

    def _duckdb(self, columns: list[str], batch_size: int) -> Iterator[pa.RecordBatch]:
        import duckdb

        select = ", ".join(sql_ident(c) for c in columns)
        # the memory limit caps DuckDB's block cache, which otherwise grows with the table
        limit = _DUCKDB_SCAN_MEMORY if self.relation.startswith('"') else _DUCKDB_QUERY_MEMORY
        with duckdb_connect(self.path, read_only=True, memory_limit=limit) as con:
            try:
                reader = _arrow_reader(con, f"SELECT {select} FROM {self.relation}", batch_size)
                yield from reader
            except duckdb.Error as err:
                raise InputError(code="problem_score_duckdb_read", values={"detail": str(err).splitlines()[0]},
                                 file=self.path, hint=Said("problem_score_duckdb_read_fix")) from None


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


#: pyarrow's own CSV defaults, for a Source built without sniffing
DEFAULT_DIALECT = {"encoding": "utf-8", "delimiter": ",", "decimal": "."}

_SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def _open_csv(path: Path, dialect: dict[str, str], *, block_size: int | None = None,
              include_columns: list[str] | None = None,
              column_types: dict[str, pa.DataType] | None = None) -> pacsv.CSVStreamingReader:
    from ..readers.customers import csv_null_values  # the words lookalike read as no value

    encoding = {"utf-8-sig": "utf8", "utf-8": "utf8"}.get(dialect["encoding"], dialect["encoding"])
    read = pacsv.ReadOptions(encoding=encoding, **({} if block_size is None else {"block_size": block_size}))
    convert = pacsv.ConvertOptions(include_columns=include_columns or [], column_types=column_types or {},
                                   decimal_point=dialect["decimal"], strings_can_be_null=True,
                                   null_values=csv_null_values())
    return pacsv.open_csv(path, read_options=read, parse_options=pacsv.ParseOptions(delimiter=dialect["delimiter"]),
                          convert_options=convert)


def dialect_text(dialect: dict[str, str]) -> Said:
    """How the file was read, for hints (said in the study's language): ``"';' (semicolon) as
    the separator, ',' as the decimal mark, cp1252 text"``."""
    sep = dialect["delimiter"]
    return Said("problem_score_read_with", {
        "sep": repr(sep), "name": Said(f"problem_sep_{_SEPARATOR_NAMES.get(sep, 'character')}"),
        "decimal": repr(dialect["decimal"]), "encoding": dialect["encoding"]})


def csv_block_size(path: Path, batch_size: int) -> int:
    """A CSV block of about ``batch_size`` rows, from the mean line length of the file's start."""
    with pa.input_stream(str(path), compression="detect") as stream:
        sample = stream.read(1 << 20)
    n_lines = max(sample.count(b"\n"), sample.count(b"\r"), 1)  # (\r alone: a Mac "CSV (Macintosh)")
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
def duckdb_connect(path: Path, *, read_only: bool, memory_limit: str | None = None) -> Iterator[Any]:
    import duckdb

    try:
        # nothing is downloaded at run time: DuckDB would otherwise fetch an extension to
        # open, say, a SQLite file named .db
        con = duckdb.connect(str(path), read_only=read_only,
                             config={"autoinstall_known_extensions": False})
    except duckdb.Error as err:
        raise InputError(code="problem_score_duckdb_open", values={"detail": str(err).splitlines()[0]},
                         file=path, hint=Said("problem_score_duckdb_open_fix")) from None
    try:
        if memory_limit:
            con.execute(f"SET memory_limit = {sql_str(memory_limit)}")
        yield con
    finally:
        con.close()


def open_source(
    path: str | Path, *, table: str | None, query: str | None, scorer: Scorer | None = None
) -> Source:
    """The customer base at ``path``, checked as far as it can be without the model: it exists,
    its format, ``table``/``query`` only for DuckDB, a Parquet footer or CSV header that reads.
    A CSV's column types follow the model's features: pass ``scorer`` here, or give the source
    to :func:`typed_for` once the model is loaded (``score`` opens the user's file first, so that
    its refusals come before scikit-learn is imported)."""
    path = Path(path)
    if not path.exists():
        raise InputError(code="problem_not_found", values={"what": Said("problem_what_customer_file")}, file=path)
    if table is not None and query is not None:
        raise InputError(code="problem_source_table_and_query", file=path)
    suffix = file_suffix(path)
    is_duckdb = suffix in DUCKDB_SUFFIXES
    if (table is not None or query is not None) and not is_duckdb:
        raise InputError(code="problem_source_table_not_duckdb", file=path, value=table or query)
    if path.is_dir():  # a folder of parts, hive-partitioned (region=north/part-0.parquet) or not
        from ..readers import parquet_dataset, parquet_folder_files

        files = parquet_folder_files(path)
        if not files:
            raise InputError(code="problem_score_no_parquet", file=path, hint=_FORMATS_HINT)
        source = _parquet_source(path, files)
        source.dataset = parquet_dataset(path, files)
        source.schema = source.dataset.schema
        return source
    if suffix in PARQUET_SUFFIXES:
        return _parquet_source(path, [path])
    if suffix in _CSV_SUFFIXES:
        return _csv_source(path, scorer)
    if is_duckdb:
        return _duckdb_source(path, table=table, query=query)
    from ..readers.customers import unknown_customer_format

    raise unknown_customer_format(path)  # the same words as `lookalike`


def _parquet_source(path: Path, files: list[Path]) -> Source:
    n_rows = 0
    schema = None
    for file in files:
        try:
            meta = pq.read_metadata(file)
            if schema is None:
                schema = pq.read_schema(file)
        except (pa.ArrowInvalid, OSError) as err:
            raise InputError(code="problem_score_parquet", values={"detail": str(err).splitlines()[0]}, file=file,
                             hint=_FORMATS_HINT) from None
        n_rows += meta.num_rows
    return Source(path=path, kind="parquet", schema=schema, n_rows=n_rows, files=files)


def _csv_source(path: Path, scorer: Scorer | None) -> Source:
    from ..readers.customers import sniff_csv_dialect

    dialect = sniff_csv_dialect(path)  # as the responses and `lookalike`'s linking read it
    try:
        reader = _open_csv(path, dialect, block_size=1 << 18)
        schema = reader.schema
        reader.close()
    except (pa.ArrowInvalid, OSError) as err:
        if "cannot infer number of columns" in str(err) and path.stat().st_size > 0:
            # the header does not fit the first block: far too many columns (bounded read)
            raise InputError(code="problem_score_wide_header", file=path,
                             hint=Said("problem_score_wide_header_fix")) from None
        raise InputError(code="problem_score_csv", values={"detail": str(err).splitlines()[0][:200]}, file=path,
                         hint=Said("problem_score_csv_fix", {"read": dialect_text(dialect)})) from None
    source = Source(path=path, kind="csv", schema=schema, n_rows=None, csv_dialect=dialect)
    return source if scorer is None else typed_for(source, scorer)


def typed_for(source: Source, scorer: Scorer) -> Source:
    """A CSV source (:func:`open_source`) whose feature columns are read as the model's features
    are: categories and numbers written as text as text, numbers as floats; others as they are."""
    if source.kind != "csv":
        return source
    kinds, as_text = {}, set()
    for spec in getattr(scorer.model, "feature_schema_", None) or []:
        with contextlib.suppress(KeyError, TypeError):
            kinds[str(spec["name"])] = str(spec["kind"])
            if spec["kind"] == "numeric" and spec.get("dtype") == "object":  # 1 367,89: numbers as text
                as_text.add(str(spec["name"]))
    types: dict[str, pa.DataType] = {}
    for f in source.schema:
        if f.name not in scorer.feature_columns:
            continue
        kind = kinds.get(f.name)
        if kind == "categorical" or f.name in as_text:
            types[f.name] = pa.string()  # (numbers as text, 1 367,89: read by the model's features)
        elif kind == "numeric" or (kind is None and (pa.types.is_integer(f.type) or pa.types.is_null(f.type))):
            # integers in the first block may be followed by decimals later on
            types[f.name] = pa.float64()
    schema = pa.schema([pa.field(f.name, types.get(f.name, f.type)) for f in source.schema])
    return dataclasses.replace(source, schema=schema, csv_types=types)


# an integer id as a CSV cell: no leading zeros ("00123" stays text), no sign but "-",
# at most 18 digits (fits int64)
_INTEGER_ID = r"^-?(0|[1-9][0-9]{0,17})$"


def _csv_ids_are_integers(source: Source, id_column: str) -> bool:
    """Whether every id cell of the CSV is a plain integer (one streamed pass over that column)."""
    reader = source.open_csv(block_size=1 << 22, include_columns=[id_column], column_types={id_column: pa.string()})
    seen = False
    for batch in reader:
        ids = pc.utf8_trim_whitespace(batch.column(0))
        present = pc.drop_null(ids)
        present = present.filter(pc.not_equal(present, ""))
        if len(present) and not pc.all(pc.match_substring_regex(present, _INTEGER_ID)).as_py():
            return False
        seen = seen or len(present) > 0
    return seen


def id_type(source: Source, id_column: str) -> pa.DataType:
    """The type of ``customer_id`` in the scored output: the source's own, as far as it can be.

    Integer ids stay integers (``int64``), so the scored base merges with the source in
    pandas and is ``BIGINT`` in DuckDB; anything else is text. A CSV column is integer when
    every id is a plain integer without leading zeros (``00123`` is kept as text, as
    written); this takes one extra read of the id column.
    """
    if source.kind == "csv":
        if id_column in source.csv_types:  # decided already
            return source.csv_types[id_column]
        integer = _csv_ids_are_integers(source, id_column)
        kind = pa.int64() if integer else pa.string()
        source.csv_types[id_column] = kind  # ids are never read as decimals or dates
        source.schema = source.schema.set(source.schema.get_field_index(id_column), pa.field(id_column, kind))
        return kind
    field_type = source.schema.field(id_column).type
    if pa.types.is_integer(field_type) and not pa.types.is_uint64(field_type):
        return pa.int64()
    return pa.string()


def _csv_value_error(source: Source, err: pa.ArrowInvalid, *, after_row: int) -> InputError:
    """Turn pyarrow's CSV conversion error into one naming the column, rows and value."""
    text = str(err)
    match = re.search(r"column #(\d+).*?conversion error to (\w+): invalid value '(.*)'", text, re.S)
    if match is None:
        return InputError(code="problem_score_csv_after", values={"row": after_row, "detail": text.splitlines()[0]},
                          file=source.path, hint=Said("problem_score_csv_after_fix", {
                              "read": dialect_text(source.csv_dialect)}))
    index, target, value = int(match.group(1)), match.group(2), match.group(3)
    header = source.open_csv(block_size=1 << 16).schema
    column = header.names[index] if index < len(header.names) else f"#{index + 1}"
    rows: list[int] = []
    reader = source.open_csv(include_columns=[column], column_types={column: pa.string()})
    seen = 0
    for batch in reader:
        hits = np.flatnonzero(pc.fill_null(pc.equal(batch.column(0), value), False).to_numpy(zero_copy_only=False))
        rows.extend((hits + seen + 2).tolist())  # the header is row 1
        seen += batch.num_rows
        if len(rows) >= 5:
            break
    if rows and value.strip() == column.strip():  # two files pasted together (user trial 24)
        return InputError(code="problem_header_repeated" if len(rows) == 1 else "problem_header_repeated_rows",
                          values={"row": rows[0], "rows": ", ".join(map(str, rows))}, file=source.path)
    number = target in ("double", "int64", "float")
    return InputError(code="problem_score_not_number" if number else "problem_score_not_type",
                      values={"value": repr(value), "type": target}, file=source.path, column=column,
                      rows=rows or None, value=value, hint=Said("problem_score_fix_cells", {
                          "read": dialect_text(source.csv_dialect)}))


def _duckdb_source(path: Path, *, table: str | None, query: str | None) -> Source:
    import duckdb

    with duckdb_connect(path, read_only=True) as con:
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
                    raise InputError(code="problem_score_which_table", values={"n": len(tables)}, file=path,
                                     hint=Said("problem_score_which_table_fix", {
                                         "tables": ", ".join(tables) or Said("problem_none")}))
                table = tables[0]
            if table not in tables:
                raise InputError(code="problem_base_no_table", values={"table": repr(table)}, file=path, value=table,
                                 hint=Said("problem_score_tables", {"tables": ", ".join(tables) or Said("problem_none")}))
            relation = sql_ident(table)
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
            raise InputError(code="problem_score_query", values={"detail": str(err).splitlines()[0]}, file=path,
                             value=query, hint=Said("problem_score_query_fix")) from None
    return Source(path=path, kind="duckdb", schema=schema, n_rows=n_rows, relation=relation)


def _id_suggestion(source: Source, id_column: str) -> str | None:
    """The column to suggest as the id (:func:`behaviortypes.readers.suggest_id_column`: an
    id-like column, never one of names, e-mail addresses or phone numbers), from the
    header and the first 500 rows."""
    from ..readers import suggest_id_column

    try:
        batch = next(iter(source.batches(source.columns, 500)), None)
    except (InputError, pa.ArrowException):
        batch = None
    return suggest_id_column(id_column, source.columns, None if batch is None else batch.to_pandas())


def check_source_columns(source: Source, scorer: Scorer, id_column: str | None) -> str:
    """Validate the id and feature columns up front; return the id column."""
    present = source.columns
    shown = ", ".join(present[:20]) + (" ..." if len(present) > 20 else "")
    repeated = [c for c in dict.fromkeys(present) if present.count(c) > 1]
    needed = {id_column or scorer.id_column or "customer_id", *scorer.feature_columns}
    lacking = [c for c in scorer.feature_columns if c not in present]
    if any(c in needed for c in repeated) or (repeated and lacking):
        named = [c for c in repeated if c in needed] or repeated
        code = ("problem_base_column_twice" if not lacking else "problem_score_column_twice_lacks"
                if len(lacking) > 1 else "problem_score_column_twice_lacks_one")
        raise InputError(code=code, values={"missing": ", ".join(lacking)}, file=source.path, column=named[0],
                         hint=Said("problem_score_column_unique"))
    if id_column is None:
        id_column = scorer.id_column
    if id_column is None:
        if "customer_id" in present:
            id_column = "customer_id"
        else:
            close = _id_suggestion(source, "customer_id")
            raise InputError(code="problem_score_which_id", file=source.path, hint=Said(
                "problem_score_no_id_fix_close" if close else "problem_score_which_id_fix",
                {"columns": shown, "close": close}))
    if id_column not in present:
        close = _id_suggestion(source, id_column)
        raise InputError(code="problem_score_no_id", values={"column": repr(id_column)}, file=source.path,
                         column=id_column, hint=Said("problem_score_no_id_fix_close" if close else
                                                    "problem_score_no_id_fix", {"columns": shown, "close": close}))
    if source.kind == "csv":
        id_type(source, id_column)  # integer or text, never parsed as a decimal or a date
    check = getattr(scorer.model, "check_features", None)
    if check is not None:
        check({f.name: str(f.type) for f in source.schema}, file=source.path)
    missing = [c for c in scorer.feature_columns if c not in present]
    if missing:
        raise InputError(code="problem_score_columns", values={"missing": ", ".join(repr(m) for m in missing)},
                         file=source.path, column=missing[0], hint=Said("problem_score_columns_fix", {
                             "trained": ", ".join(scorer.feature_columns), "columns": shown}))
    return id_column
