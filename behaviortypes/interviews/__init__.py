"""Coded interviews: import from QDA tools, analyse themes, trace themes to statements.

Strategists code in-depth interviews in NVivo, ATLAS.ti, MAXQDA or QualCoder (all
export the REFI-QDA standard, ``.qdpx``) or in a spreadsheet of codes and quotes.
This subpackage reads them (:func:`read_interviews`), shows what participants
differ on (:func:`theme_matrix`, :func:`prevalence`, :func:`cooccurrence`,
:func:`theme_splits`, :func:`proto_types`), links themes to survey statements
(:func:`traceability`), brings discovered types to life with anonymised quotes
(:func:`type_quotes`, :func:`anonymise`, :func:`pseudonymise`) and writes the types
back into the QDA project (:func:`write_qdpx`, :func:`write_types_to_qdpx`).

Examples
--------
>>> from behaviortypes.interviews import read_interviews, theme_splits
>>> iv = read_interviews("surveys/demo/interviews")  # doctest: +SKIP
>>> theme_splits(iv).head()  # doctest: +SKIP
"""

from .analysis import (
    ProtoTypes,
    cooccurrence,
    interviews_language,
    participant_names,
    prevalence,
    proto_types,
    theme_matrix,
    theme_splits,
    write_theme_files,
)
from .anonymise import FIRST_NAMES, anonymise, pseudonymise
from .data import CODEBOOK_COLUMNS, CODING_COLUMNS, Interviews
from .read import interviews_from_frame, read_codings_csv, read_interviews, find_column
from .refi import CODEBOOK_NS, PROJECT_NS, read_qdc, read_qdpx
from .refi_write import write_qdpx, write_types_to_qdpx
from .trace import Traceability, traceability, type_quotes

__all__ = [
    "Interviews",
    "CODING_COLUMNS",
    "CODEBOOK_COLUMNS",
    "read_interviews",
    "read_codings_csv",
    "find_column",
    "interviews_from_frame",
    "read_qdpx",
    "read_qdc",
    "write_qdpx",
    "write_types_to_qdpx",
    "PROJECT_NS",
    "CODEBOOK_NS",
    "theme_matrix",
    "prevalence",
    "interviews_language",
    "cooccurrence",
    "theme_splits",
    "proto_types",
    "ProtoTypes",
    "write_theme_files",
    "participant_names",
    "traceability",
    "Traceability",
    "type_quotes",
    "anonymise",
    "pseudonymise",
    "FIRST_NAMES",
]
