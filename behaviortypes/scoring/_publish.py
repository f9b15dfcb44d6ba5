"""Checks on the staged output (shares, duplicate ids) and publishing it all-or-nothing.

Parquet and CSV outputs are moved into place by rename; a DuckDB output is written in one
transaction.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..errors import InputError
from ..files import atomic_path
from ._model import Scorer
from ._sources import (
    DUCKDB_SUFFIXES,
    PARQUET_SUFFIXES,
    duckdb_connect,
    Source,
    sql_ident,
    sql_str,
    file_suffix,
)

# DuckDB memory limit for the final checks on the output (spills to disk beyond it), so a
# run's memory stays flat in the size of the base.
_DUCKDB_MEMORY = "256MB"


def _parquet_list(files: Sequence[Path]) -> str:
    return "[" + ", ".join(sql_str(str(f)) for f in files) + "]"


def summarise(files: list[Path], scorer: Scorer, tmp: Path) -> tuple[int, dict, dict, float]:
    import duckdb

    p_cols = scorer.proba_columns
    avgs = ", ".join(f"avg({sql_ident(c)})" for c in p_cols)
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


def find_duplicate_ids(files: list[Path], id_column: str, source: Source, tmp: Path) -> None:
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
        hint="each customer must appear once: remove the duplicate rows from the customer file",
    )


def replace_output(src: Path, dest: Path) -> None:
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


def publish_duckdb(files: list[Path], out: Path, out_table: str) -> None:
    import duckdb

    created = not out.exists()
    try:
        with duckdb_connect(out, read_only=False) as con:
            con.execute("BEGIN TRANSACTION")
            con.execute(
                f"CREATE OR REPLACE TABLE {sql_ident(out_table)} AS "
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


def publish_csv(files: list[Path], out: Path) -> None:
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


def output_kind(out: Path, out_table: str | None) -> str:
    suffix = file_suffix(out)
    if suffix in DUCKDB_SUFFIXES:
        return "duckdb"
    if out_table is not None:
        raise InputError(
            "out_table= only applies to a DuckDB output", file=out, value=out_table,
            hint="write to a .duckdb file or drop out_table=",
        )
    if suffix in PARQUET_SUFFIXES or (out.is_dir() and suffix == ""):
        return "parquet"
    if suffix == ".csv":
        return "csv"
    raise InputError(
        f"unknown output format {suffix or '(no extension)'!r}",
        file=out,
        hint="write to .parquet (default), .duckdb (with out_table=) or .csv",
    )
