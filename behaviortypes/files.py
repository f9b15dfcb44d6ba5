"""Atomic, documented file output.

Every stage writes through these helpers: a file is written to a temporary name in
the same folder and renamed into place, so an interrupted run never leaves a
half-written file. :func:`staged_dir` does the same for a whole output folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

__all__ = [
    "atomic_path",
    "write_text",
    "write_bytes",
    "write_csv",
    "write_json",
    "write_yaml",
    "read_json",
    "read_yaml",
    "load_user_yaml",
    "staged_dir",
    "sha256_file",
    "to_jsonable",
    "library_versions",
]


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


@contextlib.contextmanager
def atomic_path(path: str | Path, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` on success.

    On an exception the temporary file is removed and ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=suffix or ".tmp", dir=path.parent
    )
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if tmp_path.is_file():  # mkstemp creates 0600; give the file the usual permissions
            os.chmod(tmp_path, 0o666 & ~_UMASK)
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            if tmp_path.is_dir():
                shutil.rmtree(tmp_path)
            else:
                tmp_path.unlink()
        raise


def write_bytes(path: str | Path, data: bytes) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(path: str | Path, text: str) -> Path:
    return write_bytes(path, text.encode("utf-8"))


def write_csv(path: str | Path, frame: pd.DataFrame, *, index: bool = False) -> Path:
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=index, encoding="utf-8")
    return Path(path)


def to_jsonable(obj: Any) -> Any:
    """Convert numpy/pandas values inside ``obj`` to plain JSON types."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, pd.DataFrame):
        return to_jsonable(obj.to_dict(orient="records"))
    if isinstance(obj, pd.Series):
        return to_jsonable(obj.to_dict())
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        value = float(obj)
        return None if not np.isfinite(value) else value
    if isinstance(obj, (Path, np.str_)):
        return str(obj)
    return obj


def write_json(path: str | Path, data: Any) -> Path:
    text = json.dumps(to_jsonable(data), indent=2, ensure_ascii=False, sort_keys=False)
    return write_text(path, text + "\n")


def write_yaml(path: str | Path, data: Any) -> Path:
    text = yaml.safe_dump(to_jsonable(data), sort_keys=False, allow_unicode=True, width=100)
    return write_text(path, text)


def read_json(path: str | Path) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def read_yaml(path: str | Path) -> Any:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def load_user_yaml(path: str | Path, *, hint: str | None = None) -> Any:
    """Parse a YAML file a person may have edited; mistakes become one-line ``InputError``s.

    The message names the file and the line (counting from 1) where the parser stopped.
    """
    from .errors import InputError

    path = Path(path)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problem = getattr(err, "problem", None) or "not valid YAML"
        raise InputError(
            f"malformed YAML: {problem} (line numbers count from 1)",
            file=path,
            rows=[mark.line + 1] if mark is not None else None,
            hint=hint or "check indentation and that every 'key: value' has a space after the colon",
        ) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=path, hint="save the file as UTF-8") from None


@contextlib.contextmanager
def staged_dir(out: str | Path, *, stale: tuple[str, ...] = ()) -> Iterator[Path]:
    """Build an output folder's new files in a staging folder, then move them in.

    Files written under the yielded folder are moved into ``out`` (each by an atomic
    rename) only when the block succeeds; on failure ``out`` is untouched and the
    staging folder is removed. Files already in ``out`` that the stage does not
    write again are kept, except the names in ``stale``: those describe an earlier
    result and are removed when this run did not write them.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging.", dir=out.parent))
    try:
        yield stage
        out.mkdir(parents=True, exist_ok=True)
        written = {p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file()}
        for src in sorted(stage.rglob("*")):
            if src.is_dir():
                continue
            dest = out / src.relative_to(stage)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dest)
        for name in stale:
            if name not in written:
                with contextlib.suppress(FileNotFoundError):
                    (out / name).unlink()
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes (used to record which input a result came from)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def library_versions(packages: tuple[str, ...]) -> dict[str, str]:
    """Python's and the named packages' versions, recorded beside results for provenance.

    A package that is not installed is reported as ``"not installed"``.
    """
    import platform
    from importlib import metadata

    out = {"python": platform.python_version()}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out
