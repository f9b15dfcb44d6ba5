"""Score a whole customer base with a lookalike model, in bounded memory.

A customer base rarely fits in memory, and at the largest clients not on one machine.
:func:`score_customers` therefore never loads the base: it streams it.

* **local engine** (default): reads the customer file in batches of ``batch_size`` rows
  with pyarrow (``ParquetFile.iter_batches`` for Parquet, ``pyarrow.csv.open_csv`` for
  CSV in its sniffed dialect: separator, decimal comma, encoding; a DuckDB Arrow record-batch reader for a table or query in a ``.duckdb`` file),
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
``customer_id`` keeps the source's type: integer ids stay integers (``int64``, ``BIGINT``
in DuckDB), so the scored base merges with the customer file; other ids are text.

A CSV output is for people: ``csv_dialect="excel"`` (default) writes UTF-8 with a
byte-order mark, so Excel shows å/ä/ö; ``"excel-sv"`` also uses ``;`` and decimal commas,
as Excel expects in Swedish, Dutch or German settings; ``"plain"`` is for programs.

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

from ._model import UNASSIGNED_NAME
from ._progress import SHOW_FROM_ROWS, RowMeter
from ._publish import CSV_DIALECTS, DEFAULT_CSV_DIALECT
from .api import DEFAULT_OUT_TABLE, ScoreSummary, score_customers, warn_weak_evidence

__all__ = ["ScoreSummary", "score_customers", "warn_weak_evidence", "DEFAULT_OUT_TABLE", "UNASSIGNED_NAME", "CSV_DIALECTS",
           "DEFAULT_CSV_DIALECT", "RowMeter", "SHOW_FROM_ROWS"]
