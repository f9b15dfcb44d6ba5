"""The model as scoring sees it: :class:`Scorer` and how a model file or folder is resolved.

``Scorer`` is pickled and shipped to Dask workers, so it lives at module level here.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError, Problem, Said, phrase

UNASSIGNED_NAME = "Unassigned"
MODEL_FILE = "lookalike.skops"


@dataclass(frozen=True)
class Scorer:
    """A model with everything scoring needs; picklable, shipped to Dask workers."""

    model: Any
    type_ids: tuple[int, ...]
    type_names: dict[int, str]
    feature_columns: tuple[str, ...]
    id_column: str | None
    threshold: float | None
    folder: Path | None
    id_type: pa.DataType = pa.string()  # of ``customer_id``: the source's (int64 or string)

    @property
    def proba_columns(self) -> list[str]:
        return [f"p_{t}" for t in self.type_ids]

    @property
    def out_schema(self) -> pa.Schema:
        fields = [
            pa.field("customer_id", self.id_type),
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
        ids = _customer_ids(batch.column(id_column), id_column, first_row=first_row, file=file,
                            kind=self.id_type)
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


def relocated(problem: Problem, *, offset: int = 0, file: Any = None, note: Said | None = None) -> Problem:
    """``problem`` with its rows shifted by ``offset``, its file named (when it names none)
    and ``note`` added to its hint (when it has rows), as a copy.

    The copy keeps everything else: the catalogue code and values of its sentence and
    hint, its respondent and value, so a Swedish study's line stays Swedish (rebuilt from
    the English text, it lost them: session 14).
    """
    moved = copy.copy(problem)
    if problem.rows is not None:
        moved.rows = [r + offset for r in problem.rows]
    if problem.file is None and file is not None:
        moved.file = str(file)
    if note is not None and problem.rows:
        hint = problem.hint_said or problem.hint
        moved.hint_said = note if hint is None else Said("problem_hint_note", {"hint": hint, "note": note})
        moved.hint = phrase(moved.hint_said.code, "en", moved.hint_said.values)
    return moved


def _rebase(err: InputError, offset: int, file: Any) -> InputError:
    """Shift the (batch-relative) rows of a model's error to file rows and name the file."""
    return InputError(problems=[relocated(p, offset=offset, file=file) for p in err.problems])


def _customer_ids(arr: pa.Array | pa.ChunkedArray, column: str, *, first_row: int, file: Any,
                  kind: pa.DataType = pa.string()) -> pa.Array:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_integer(kind):
        arr = arr if arr.type == kind else pc.cast(arr, kind)
        bad = arr.is_null()
    else:
        if not pa.types.is_string(arr.type):
            arr = pc.cast(arr, pa.string())
        bad = pc.or_kleene(arr.is_null(), pc.equal(pc.utf8_trim_whitespace(arr), ""))
    bad = pc.fill_null(bad, True)
    if pc.any(bad).as_py():
        rows = (np.flatnonzero(bad.to_numpy(zero_copy_only=False)) + first_row).tolist()
        raise InputError(code="problem_customers_without_id", values={"n": len(rows)},
                         file=file, column=column, rows=rows)
    return arr


def _load_model_file(path: Path) -> Any:
    from ..lookalike import load_model  # imported late: scoring works with any model object

    return load_model(path)


def _discovery(folder: Path | None) -> Any:
    """The discovery folder holding the model, read and checked (None when it is not one)."""
    if folder is None or not (folder / "solution.json").is_file():
        return None
    from .. import study

    return study.load(folder)


def _type_names_from_folder(folder: Path | None, disc: Any) -> dict[int, str]:
    """Names from ``types.yaml`` (the one parser of it), in a discovery folder or beside the model."""
    if disc is not None:
        return dict(disc.type_names)
    if folder is None or not (folder / "types.yaml").is_file():
        return {}
    from .. import study

    return study.read_types(folder / "types.yaml").names


def _id_column_from_folder(disc: Any) -> str | None:
    if disc is None:
        return None
    if disc.card is not None:
        return disc.card.id_column
    value = disc.instrument.get("customer_id_column")
    return str(value) if value else None


def resolve_model(model: Any) -> Scorer:
    """Load ``model`` (a ``.skops`` path, a folder holding one, or an object)."""
    folder = None
    if isinstance(model, (str, os.PathLike)):
        path = Path(model)
        if path.is_dir():
            folder = path
            path = path / MODEL_FILE
            if not path.is_file():
                raise InputError(code="problem_no_model", values={"file": MODEL_FILE}, file=folder,
                                 hint=Said("problem_no_model_fix"))
        elif not path.is_file():
            raise InputError(code="problem_not_found", values={"what": Said("problem_what_model_file")}, file=path,
                             hint=Said("problem_model_file_fix", {"file": MODEL_FILE}))
        folder = path.parent
        model = _load_model_file(path)
    for attr in ("predict_proba", "type_ids_", "feature_columns_"):
        if not hasattr(model, attr):
            raise TypeError(f"model has no {attr!r}; pass a fitted LookalikeModel or its file")
    type_ids = tuple(int(t) for t in model.type_ids_)
    disc = _discovery(folder)
    names = dict(getattr(model, "type_names_", None) or {}) or _type_names_from_folder(folder, disc)
    names = {int(k): str(v) for k, v in names.items()}
    threshold = getattr(model, "unassigned_threshold_", None)
    if threshold is None:
        threshold = getattr(model, "unassigned_threshold", None)
    return Scorer(
        model=model,
        type_ids=type_ids,
        type_names={t: names.get(t, f"Type {t}") for t in type_ids},
        feature_columns=tuple(str(c) for c in model.feature_columns_),
        id_column=getattr(model, "id_column_", None) or _id_column_from_folder(disc),
        threshold=None if threshold is None else float(threshold),
        folder=folder,
    )
