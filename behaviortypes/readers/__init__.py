"""Reading survey responses and customer bases, and checking them against the instrument.

Survey responses come as CSV (any of ``,`` ``;`` tab or ``|`` separators; UTF-8, UTF-8
with BOM, UTF-16 or cp1252/latin-1; decimal commas), Excel ``.xlsx``, SPSS ``.sav``
(value labels kept) or a Qualtrics export (CSV or Excel with three header rows: field
names, question texts and ``{"ImportId": ...}``). Nothing has to be converted by hand:
a Swedish or Dutch Excel "CSV" works as saved.

Every problem in a responses file is found at once and reported in one
:class:`~behaviortypes.errors.InputError` naming the file, column, the first data rows
(1 = first row under the header) and the offending value, with a hint.

Customer bases (CSV, Parquet or a DuckDB database) are read whole with
:func:`read_customers` or streamed in bounded memory with :func:`iter_customer_batches`.

Examples
--------
>>> survey = load_survey("surveys/demo")  # doctest: +SKIP
>>> survey.items.shape  # doctest: +SKIP
(1200, 24)
"""

from __future__ import annotations

from ._common import MISSING_TOKENS, TEXT_EXT, coerce, grouped_numbers, looks_like_id_name, suggest_id_column, to_number
from .customers import iter_customer_batches, iter_parquet_batches, parquet_dataset, parquet_folder_files, read_customers
from .draft import draft_instrument, draft_notices, draft_summary, instrument_draft_yaml, write_instrument_draft
from .survey import Survey, find_responses_file, keyed_items, load_survey, read_responses
from .tables import TextTable, is_qualtrics, open_text_table, read_table
from .validate import (
    MIN_RESPONDENTS,
    MIN_RESPONDENTS_PER_ITEM,
    WARN_MISSING_SHARE,
    WARN_MODAL_SHARE,
    WARN_RESPONDENTS_PER_ITEM,
    answered_scale,
    check_responses,
    validate_responses,
)

__all__ = [
    "Survey",
    "answered_scale",
    "load_survey",
    "find_responses_file",
    "read_table",
    "open_text_table",
    "TextTable",
    "TEXT_EXT",
    "coerce",
    "to_number",
    "grouped_numbers",
    "read_responses",
    "validate_responses",
    "check_responses",
    "keyed_items",
    "is_qualtrics",
    "draft_instrument",
    "draft_notices",
    "draft_summary",
    "instrument_draft_yaml",
    "write_instrument_draft",
    "read_customers",
    "iter_customer_batches",
    "parquet_dataset",
    "parquet_folder_files",
    "iter_parquet_batches",
    "suggest_id_column",
    "looks_like_id_name",
]
