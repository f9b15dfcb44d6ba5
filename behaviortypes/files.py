"""Atomic, documented file output.

Every stage writes through these helpers: a file is written to a temporary name in
the same folder and renamed into place, so an interrupted run never leaves a
half-written file. :func:`staged_dir` does the same for a whole output folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import glob
import json
import math
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

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
    "declared_in_yaml_text",
    "staged_dir",
    "OUTPUTS_MARKER",
    "claim_outputs",
    "record_outputs",
    "check_outputs_free",
    "marked_as_ours",
    "refuse_unmarked_files",
    "xlsx_is_marked",
    "csv_header_names",
    "sha256_file",
    "to_jsonable",
    "library_versions",
    "neutralise_formula",
    "neutralise_formulas",
    "restore_formula",
    "check_name_length",
    "check_output_folder",
    "check_output_file",
    "MAX_YAML_BYTES",
    "MAX_YAML_NODES",
    "cp1252_meant",
]


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()

# Most file systems (ext4, APFS, NTFS) allow 255 bytes per file name; temporary names
# add a prefix and a random tail, so they are built from a shortened name.
_NAME_MAX = 255
_TEMP_STEM = 80


def check_name_length(path: str | Path) -> Path:
    """Refuse an output file name longer than file systems allow, with one clear line.

    Raises
    ------
    InputError
        If the last part of ``path`` is longer than 255 bytes (UTF-8).
    """
    from .errors import InputError

    path = Path(path)
    size = len(path.name.encode("utf-8"))
    if size > _NAME_MAX:
        raise InputError(code="problem_output_name_long", values={"size": size, "max": _NAME_MAX},
                         file=Path(path.name[:40] + "…"))
    return path


def _check_output_place(path: Path, *, folder: bool) -> None:
    """One-line errors for an output path that is a folder (for a file) or a file (for a folder)."""
    from .errors import InputError

    if path.name in ("", ".", ".."):
        raise InputError(code="problem_output_unnamed", file=path.resolve())
    if not folder and path.is_dir():
        raise InputError(code="problem_output_file_is_folder", file=path)
    if folder and path.exists() and not path.is_dir():
        raise InputError(code="problem_output_folder_is_file", file=path)
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise InputError(code="problem_output_below_file", values={"name": parent.name}, file=path)
            break


def check_output_folder(path: str | Path) -> Path:
    """Refuse, before any work, an output folder that cannot be written as named.

    Raises
    ------
    InputError
        If ``path`` is unnamed (``.``, ``..``), an existing file, below a file, or its
        name is longer than file systems allow.
    """
    path = check_name_length(path)
    _check_output_place(path, folder=True)
    return path


def _cannot_write(path: Path, err: OSError) -> Exception:
    """The one-line error for an output that cannot be written, naming ``path``
    (never the temporary file beside it)."""
    from .errors import InputError

    if isinstance(err, IsADirectoryError) or path.is_dir():
        return InputError(code="problem_output_file_is_folder", file=path)
    return InputError(code="problem_output_denied", file=path)


def check_output_file(path: str | Path) -> Path:
    """Refuse, before any work, an output file that cannot be written as named.

    Checks the name, that ``path`` is not a folder nor below a file, that an
    existing ``path`` can be opened for writing (not read-only, not locked by
    another program) and that its folder (or nearest existing parent) takes a new
    file. Nothing of the user's is changed: the probe file is this run's own and
    removed at once.

    Raises
    ------
    InputError
        Naming ``path`` and how to fix it.
    """
    path = check_name_length(path)
    _check_output_place(path, folder=False)
    try:
        if path.is_file():
            os.close(os.open(path, os.O_WRONLY))  # no O_TRUNC: the file is left as it is
        place = next((p for p in path.parents if p.exists()), Path("."))
        fd, probe = tempfile.mkstemp(prefix=temp_prefix(path.name, "probe"), dir=place)
        os.close(fd)
        os.unlink(probe)
    except (PermissionError, IsADirectoryError) as err:
        raise _cannot_write(path, err) from None
    return path


def temp_prefix(name: str, tag: str = "") -> str:
    """A hidden temporary-name prefix for ``name`` that stays within the name limit."""
    return f".{name[:_TEMP_STEM]}.{tag}"


@contextlib.contextmanager
def atomic_path(path: str | Path, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` on success.

    On an exception the temporary file is removed and ``path`` is left as it was.
    """
    path = check_name_length(path)
    _check_output_place(path, folder=False)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=temp_prefix(path.name), suffix=(suffix or ".tmp")[:20], dir=path.parent
        )
    except (PermissionError, IsADirectoryError) as err:
        raise _cannot_write(path, err) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if tmp_path.is_file():  # mkstemp creates 0600; give the file the usual permissions
            os.chmod(tmp_path, 0o666 & ~_UMASK)
        os.replace(tmp_path, path)
    except BaseException as err:
        with contextlib.suppress(FileNotFoundError):
            if tmp_path.is_dir():
                shutil.rmtree(tmp_path)
            else:
                tmp_path.unlink()
        if isinstance(err, (PermissionError, IsADirectoryError)) and {err.filename, err.filename2} & {
            tmp, str(tmp_path), str(path)
        }:  # name the file the user asked for, not the temporary one beside it
            raise _cannot_write(path, err) from None
        raise


def write_bytes(path: str | Path, data: bytes) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(path: str | Path, text: str) -> Path:
    return write_bytes(path, text.encode("utf-8"))


# Spreadsheet formula injection (OWASP "CSV Injection"): a text cell starting with one of
# these characters is run as a formula by Excel, LibreOffice and Google Sheets. Cells that
# already start with apostrophes before such a character get one more, so that
# :func:`restore_formula` undoes the change exactly.
_RISKY = re.compile(r"'*[=+\-@\t\r]")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


def neutralise_formula(value: Any) -> Any:
    """Make a text cell safe to open in a spreadsheet (OWASP's CSV-injection defence).

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading apostrophe (``'=SUM(A1)``), so spreadsheet programs show it as text
    instead of running it. Numbers, including text that is a plain number such as
    ``-12.5`` or ``+3``, and every other value are returned unchanged. The change is
    undone exactly by :func:`restore_formula`.

    Examples
    --------
    >>> neutralise_formula('=HYPERLINK("http://x")')
    '\'=HYPERLINK("http://x")'
    >>> neutralise_formula("-12.5"), neutralise_formula(-3), neutralise_formula("Saver")
    ('-12.5', -3, 'Saver')
    """
    if isinstance(value, str) and _RISKY.match(value) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def restore_formula(value: Any) -> Any:
    """Undo :func:`neutralise_formula` (for programs that read a people-facing CSV back)."""
    if isinstance(value, str) and value.startswith("'") and _RISKY.match(value, 1):
        return value[1:]
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with :func:`neutralise_formula` applied to every text cell.

    Column names and a text index are neutralised too; numeric columns are untouched.
    """
    import pandas as pd  # not at the top: the command line's start-up and refusals need no pandas

    out = frame.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])):
            out[col] = out[col].map(neutralise_formula)
    out.columns = [neutralise_formula(c) for c in out.columns]
    if not pd.api.types.is_numeric_dtype(out.index):
        out.index = out.index.map(neutralise_formula)
    return out


def write_csv(
    path: str | Path, frame: pd.DataFrame, *, index: bool = False, spreadsheet: bool = False
) -> Path:
    """Write ``frame`` as UTF-8 CSV, atomically.

    Parameters
    ----------
    spreadsheet : bool, default=False
        The file is meant to be opened by people in Excel or a similar program:
        neutralise text cells that a spreadsheet would run as a formula (see
        :func:`neutralise_formula` and docs/data_safety.md). Files other programs
        read (joins, later stages) keep their values exactly.
    """
    if spreadsheet:
        frame = neutralise_formulas(frame)
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=index, encoding="utf-8")
    return Path(path)


def to_jsonable(obj: Any) -> Any:
    """Convert numpy/pandas values inside ``obj`` to plain JSON types."""
    # numpy's and pandas' values exist only once they are imported: reading a folder's JSON
    # does not import them (a refusal stays light, bench/README.md "Session 24: lighter refusals")
    np, pd = sys.modules.get("numpy"), sys.modules.get("pandas")
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [to_jsonable(v) for v in obj]
    if pd is not None and isinstance(obj, pd.DataFrame):
        return to_jsonable(obj.to_dict(orient="records"))
    if pd is not None and isinstance(obj, pd.Series):
        return to_jsonable(obj.to_dict())
    if np is not None and isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if np is not None and isinstance(obj, (np.bool_,)):
        return bool(obj)
    if np is not None and isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, float) or (np is not None and isinstance(obj, np.floating)):
        value = float(obj)
        return None if not math.isfinite(value) else value
    if isinstance(obj, Path) or (np is not None and isinstance(obj, np.str_)):
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
    """Read a YAML file: the same safe, bounded loader as :func:`load_user_yaml`.

    Files we write (``types.yaml``, ``typing_tool.yaml``) may be edited by people, so
    they are read with the same limits.
    """
    return load_user_yaml(path)


#: Largest YAML file a person edits that we read (instrument.yaml, types.yaml, study files).
MAX_YAML_BYTES = 2 * 1024 * 1024
#: Most values (scalars, lists, mappings) a YAML document may expand to once its aliases
#: (``*name``) are followed: a few hundred bytes of nested aliases can otherwise expand to
#: billions of values (the "billion laughs" attack).
MAX_YAML_NODES = 200_000


def _expanded_nodes(root: yaml.Node, limit: int) -> int:
    """Count the values ``root`` expands to when aliases are followed (stops past ``limit``).

    Shared nodes (aliases) are counted once per use, as a program reading the data
    would see them, but each node's own size is computed once (memoised), so this is
    linear in the size of the file.
    """
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    on_path: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            if isinstance(node, yaml.SequenceNode):
                children = node.value
            elif isinstance(node, yaml.MappingNode):
                children = [x for pair in node.value for x in pair]
            else:
                children = []
            sizes[key] = min(limit + 1, 1 + sum(sizes.get(id(c), limit + 1) for c in children))
            continue
        if key in sizes:
            continue
        if key in on_path:  # a recursive alias (&a [*a]): unbounded
            return limit + 1
        on_path.add(key)
        stack.append((node, True))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((c, False) for c in node.value if id(c) not in sizes)
        elif isinstance(node, yaml.MappingNode):
            stack.extend((c, False) for pair in node.value for c in pair if id(c) not in sizes)
    return sizes[id(root)]


def cp1252_meant(char: str) -> str:
    """The Windows-1252 character that the byte ``ord(char)`` stands for: what a C1 control
    character (U+0080-U+009F) was before its byte was read as Latin-1 (U+0096 -> '–'), and
    the character of a byte 0x80-0xFF that is not UTF-8. '' for the five bytes Windows-1252
    does not define (0x81, 0x8D, 0x8F, 0x90, 0x9D) and for a character past U+00FF.
    """
    code = ord(char)
    if code > 0xFF:
        return ""
    try:
        return bytes([code]).decode("cp1252")
    except UnicodeDecodeError:
        return ""


_SAVE_AS_UTF8 = "save it as UTF-8 (in Notepad: File > Save as, Encoding: UTF-8)"


def _decode_user_text(raw: bytes, path: Path) -> str:
    """A settings file's text: UTF-8 (with or without a BOM), UTF-16 with a BOM (Notepad's
    "Unicode"), or else its bytes that are not UTF-8 read as Windows-1252.

    Windows-1252 is what Notepad (before Windows 10 1903) saves as "ANSI" on Swedish,
    English and Dutch Windows, and what the responses reader already accepts; each byte
    that is not UTF-8 is read as its Windows-1252 character, so a UTF-8 file edited by
    such a program keeps its other characters. One warning names the line, the column
    (counting characters from 1) and the first such byte. A byte that Windows-1252 does
    not define either (0x81, 0x8D, 0x8F, 0x90, 0x9D) is refused at its place.
    """
    import warnings

    from .errors import BehaviortypesWarning, InputError, Said

    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(code="problem_yaml_bad_utf16", file=path, hint=Said("problem_yaml_save_utf8")) from None
    text = raw.decode("utf-8-sig", errors="surrogateescape")
    bad = re.search("[\udc80-\udcff]", text)
    if bad is None:
        return text
    pos = bad.start()
    where = _place(text, pos)
    byte = ord(bad.group()) - 0xDC00

    def cp1252(match: re.Match) -> str:
        code = ord(match.group()) - 0xDC00
        meant = cp1252_meant(chr(code))
        if not meant:
            raise InputError(code="problem_yaml_bad_byte", values={
                "byte": f"0x{code:02X}", "where": _place_said(text, match.start())},
                file=path, hint=Said("problem_yaml_save_utf8"))
        return meant

    text = re.sub("[\udc80-\udcff]", cp1252, text)
    warnings.warn(BehaviortypesWarning(
        f"{path.name}, {where}: byte 0x{byte:02X} is not UTF-8, so the file was read as "
        f"Windows-1252 (Western European) text, where it is '{text[pos]}'. Hint: {_SAVE_AS_UTF8}, "
        "the encoding every program reads alike", code="warn_yaml_cp1252", values={
            "file": path.name, "where": _place_said(text, pos), "byte": f"0x{byte:02X}", "char": text[pos]}),
        stacklevel=3)
    return text


def _place(text: str, pos: int) -> str:
    """``line L, column C`` of character ``pos`` of ``text``, both counted from 1."""
    return f"line {text.count(chr(10), 0, pos) + 1}, column {pos - text.rfind(chr(10), 0, pos)}"


def _place_said(text: str, pos: int) -> Any:
    """:func:`_place` as a sentence of the message catalogue (``rad L, kolumn C`` in Swedish)."""
    from .errors import Said

    return Said("problem_yaml_place", {"line": text.count(chr(10), 0, pos) + 1,
                                       "column": pos - text.rfind(chr(10), 0, pos)})


def _control_character(err: Any, text: str, path: Path) -> Any:
    """The one-line error for a character YAML does not allow (PyYAML's ``ReaderError``),
    naming its line and column. A C1 control character (U+0080-U+009F) is what a
    Windows-1252 character becomes when its byte is read as Latin-1 (an en dash 0x96 becomes
    U+0096): the hint names the character it probably was."""
    from .errors import InputError, Said

    code = int(getattr(err, "character", 0) or 0)
    pos = int(getattr(err, "position", 0) or 0)
    values = {"char": f"U+{code:04X}", "where": _place_said(text, pos)}
    meant = cp1252_meant(chr(code)) if 0x80 <= code <= 0x9F else ""
    if meant:
        return InputError(code="problem_yaml_c1_char", values={**values, "meant": meant}, file=path,
                          hint=Said("problem_yaml_c1_char_fix", {"meant": meant}))
    return InputError(code="problem_yaml_control_char", values=values, file=path,
                      hint=Said("problem_yaml_control_char_fix"))


#: PyYAML's commonest complaints, said in the study's language (others are quoted as PyYAML says them).
_YAML_PROBLEMS = {
    "mapping values are not allowed here": "problem_yaml_why_mapping_values",
    "could not find expected ':'": "problem_yaml_why_no_colon",
    "found character '\\t' that cannot start any token": "problem_yaml_why_tab",
    "found unexpected end of stream": "problem_yaml_why_end",
    "found undefined alias": "problem_yaml_why_alias",
    "expected ',' or ']'": "problem_yaml_why_list",  # (then ", but got ...": the start is enough)
    "expected ',' or '}'": "problem_yaml_why_braces",
}


def _yaml_problem(problem: str) -> Any:
    """PyYAML's complaint as a sentence of the catalogue when it is a common one, else as it is."""
    from .errors import Said

    if not problem:
        return Said("problem_yaml_why_invalid")
    code = next((c for start, c in _YAML_PROBLEMS.items() if problem.startswith(start)), None)
    return Said(code) if code else problem[:120]


def declared_in_yaml_text(path: str | Path, key: str) -> str | None:
    """The value of a top-level ``key: value`` line of a YAML file that may not parse, or None.

    For saying a broken file's error in its own language: ``instrument.yaml`` with a syntax
    error on line 2 still says ``language: sv`` on line 3. Reads at most :data:`MAX_YAML_BYTES`.
    """
    try:
        with open(path, "rb") as fh:
            text = fh.read(MAX_YAML_BYTES).decode("utf-8-sig", errors="replace")
    except OSError:
        return None
    match = re.search(rf"^{re.escape(key)}[ \t]*:[ \t]*(['\"]?)([\w-]+)\1[ \t]*(#.*)?\r?$", text, re.MULTILINE)
    return match.group(2) if match else None


#: a line ``key: value`` (in a list or not) whose unquoted value holds another ``: ``
_COLON_IN_TEXT = re.compile(r"^[ \t]*(?:-[ \t]+)?([\w-]+):[ \t]+[^'\"\s|>&*!\[{#][^#]*?:(?:[ \t]|$)")


def _colon_in_text(text: str, line: int) -> str | None:
    """The key of line ``line`` (0-based) of ``text`` when its value is an unquoted text
    holding a second ``': '`` (YAML reads that as a mapping in a mapping), else ``None``."""
    lines = text.splitlines()
    match = _COLON_IN_TEXT.match(lines[line]) if 0 <= line < len(lines) else None
    return match.group(1) if match else None


def load_user_yaml(path: str | Path, *, hint: Any = None) -> Any:
    """Parse a YAML file a person may have edited; mistakes become one-line ``InputError``s.

    This is the one loader for YAML that comes from users (instrument, types, study
    files). It is safe on hostile input: only plain data (``yaml.SafeLoader``); files
    over :data:`MAX_YAML_BYTES` are refused before parsing; a document whose aliases
    expand to more than :data:`MAX_YAML_NODES` values is refused before it is built;
    nesting deeper than Python can follow is refused. The message names the file and
    the line (counting from 1) where the parser stopped, and never echoes the content.

    Raises
    ------
    InputError
        If the file is missing, too large, not text, malformed, or expands too far.

    Warns
    -----
    BehaviortypesWarning
        If the file is not UTF-8 and is read as Windows-1252 (see :func:`_decode_user_text`).
    """
    from .errors import InputError, Said

    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(code="problem_yaml_not_found", file=path, hint=Said("problem_yaml_not_found_fix")) from None
    if size > MAX_YAML_BYTES:
        raise InputError(code="problem_yaml_too_big", values={"mib": f"{size / 1048576:.1f}",
                                                              "max": MAX_YAML_BYTES // 1048576},
                         file=path, hint=Said("problem_yaml_too_big_fix"))
    with open(path, "rb") as fh:
        text = _decode_user_text(fh.read(MAX_YAML_BYTES + 1), path)
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as err:  # a control character (user trial 22: U+0096)
        raise _control_character(err, text, path) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_nodes(node, MAX_YAML_NODES) > MAX_YAML_NODES:
            raise InputError(code="problem_yaml_aliases", values={"max": f"{MAX_YAML_NODES:,}"}, file=path,
                             hint=Said("problem_yaml_aliases_fix"))
        return loader.construct_document(node)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        why = _yaml_problem(str(getattr(err, "problem", None) or ""))
        colon = _colon_in_text(text, mark.line) if mark is not None else None
        if colon is not None:  # "text: Note: I ..." (trial 24: the hint said indentation)
            hint = Said("problem_yaml_colon_in_text_fix", {"key": colon})
        raise InputError(code="problem_yaml_malformed", values={"why": why}, file=path,
                         rows=[mark.line + 1] if mark is not None else None,
                         hint=hint or Said("problem_yaml_malformed_fix")) from None
    except RecursionError:
        raise InputError(code="problem_yaml_too_deep", file=path, hint=Said("problem_yaml_too_deep_fix")) from None
    finally:
        loader.dispose()


#: Written into every output folder behaviortypes fills (:func:`staged_dir`,
#: :func:`claim_outputs`): JSON with ``written`` (the files behaviortypes wrote there)
#: and ``keep`` (files of the user's found there, which are never replaced or removed).
#: A file of the folder that is not listed in ``written`` is the user's.
OUTPUTS_MARKER = ".behaviortypes_output"


class _Owner:
    """Which files of an output folder behaviortypes wrote (read from its marker)."""

    def __init__(self, out: Path, *legacy: set[str]) -> None:
        self.out = out
        self.written: set[str] = set()
        self.keep: set[str] = set()
        self.everything = False  # no marker and the folder looks like ours from before it
        self.nothing = False  # unreadable marker: protect every file
        marker = out / OUTPUTS_MARKER
        if marker.is_file():
            try:
                data = json.loads(marker.read_text(encoding="utf-8"))
                self.keep = {str(n) for n in data.get("keep", [])}
                if "written" in data:
                    self.written = {str(n) for n in data["written"]}
                else:  # the first marker (keep list only): everything else was ours
                    self.written = {n for n in self._present() if n not in self.keep}
            except (OSError, ValueError, AttributeError, TypeError):
                self.nothing = True
        elif out.is_dir() and any(names and all((out / n).is_file() for n in names)
                                  for names in legacy):
            self.everything = True  # written by a version before the marker

    def _present(self) -> set[str]:
        if not self.out.is_dir():
            return set()
        return {p.relative_to(self.out).as_posix() for p in self.out.rglob("*")
                if p.is_file() and p.name != OUTPUTS_MARKER}

    def ours(self, name: str) -> bool:
        """Whether ``name`` (relative to the folder) is a file behaviortypes wrote."""
        if self.nothing:
            return False
        return self.everything or (name in self.written and name not in self.keep)

    def users(self, names: set[str]) -> set[str]:
        """The names of ``names`` present in the folder that behaviortypes did not write."""
        return {n for n in names if (self.out / n).is_file() and not self.ours(n)}

    def refuse_clash(self, names: set[str]) -> None:
        """One-line error when writing ``names`` would replace a file of the user's."""
        from .errors import InputError, Said

        clash = sorted(self.users(names))
        if clash:
            more = Said("problem_folder_holds_more", {"n": len(clash) - 1, "names": ", ".join(clash[1:4])}) \
                if len(clash) > 1 else ""
            raise InputError(code="problem_folder_holds", values={"name": clash[0], "more": more}, file=self.out,
                             hint=Said("problem_folder_holds_unreadable" if self.nothing else
                                       "problem_folder_holds_fix"))

    def record(self, written: set[str], removed: set[str] = frozenset(), seen: set[str] = frozenset()) -> None:
        """Write the marker: ``written`` added, ``removed`` dropped, user files of ``seen`` kept."""
        if self.nothing:  # leave an unreadable marker as it is: everything stays protected
            return
        ours = set(self.written)
        if self.everything:
            ours |= self._present()
        keep = self.keep | {n for n in seen - written if (self.out / n).is_file() and not self.ours(n)}
        ours = (ours | written) - removed - keep
        marker = {"written_by": "behaviortypes", "written": sorted(ours), "keep": sorted(keep)}
        write_text(self.out / OUTPUTS_MARKER, json.dumps(marker, indent=1) + "\n")


def claim_outputs(folder: str | Path, names: Iterable[str], *, legacy: Iterable[str] = ()) -> None:
    """Check that files may be written into an output folder, and record them as ours.

    Call before writing files one by one into a folder that is also an output folder
    (the discovery folder of notebooks and stages): a file of one of ``names`` that is
    already there and was not written by behaviortypes (not listed in the folder's
    :data:`OUTPUTS_MARKER`) is the user's, and is never replaced. The names are then
    added to the marker (created when missing), so that later runs, including a
    whole-folder :func:`staged_dir`, know them as their own.

    Parameters
    ----------
    folder : str or Path
    names : iterable of str
        File names relative to ``folder``.
    legacy : iterable of str, default=()
        Files that, all present in a folder without a marker, mark it as written by a
        version of behaviortypes from before the marker: its files count as ours.

    Raises
    ------
    InputError
        If a file of ``names`` is in ``folder`` and behaviortypes did not write it.
    """
    folder = check_name_length(folder)
    _check_output_place(folder, folder=True)
    names = {Path(n).as_posix() for n in names}
    owner = _Owner(folder, set(legacy))
    owner.refuse_clash(names)
    folder.mkdir(parents=True, exist_ok=True)
    owner.record(names, seen=names)


def check_outputs_free(folder: str | Path, names: Iterable[str], *, legacy: Iterable[str] = ()) -> None:
    """Check, without writing anything, that ``names`` may be written into ``folder``.

    For a stage that knows some of its output names before long work starts (the
    discovery's own files): a file of the user's with one of those names is reported
    at once instead of after the analysis. :func:`staged_dir` checks every output again
    when it moves them in.

    Raises
    ------
    InputError
        If a file of ``names`` is in ``folder`` and behaviortypes did not write it.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return
    names = {Path(n).as_posix() for n in names}
    _Owner(folder, names, set(legacy)).refuse_clash(names)


def record_outputs(folder: str | Path, paths: Iterable[str | Path]) -> None:
    """Record the files of ``paths`` that lie in ``folder`` as written by behaviortypes (in
    its :data:`OUTPUTS_MARKER`), after the caller has checked that each may be replaced (a
    deliverable the user asked for by name, written into the discovery folder: a later
    discovery then knows it describes the previous types); files elsewhere are left out."""
    folder = Path(folder)
    if not folder.is_dir():
        return
    inside = {Path(p).name for p in paths if Path(p).resolve().parent == folder.resolve()}
    if inside:
        _Owner(folder).record(inside)


def marked_as_ours(path: str | Path, checks: Mapping[str, Callable[[Path], bool]]) -> bool:
    """Whether the file at ``path`` carries behaviortypes' mark, by its suffix's check.

    For files a user names on the command line (a report PDF, a typing-tool form): the
    mark inside the file tells a file behaviortypes wrote from one of the user's. A
    symbolic link, a folder, a file whose suffix has no check, or one that cannot be
    read is never ours.
    """
    path = Path(path)
    if path.is_symlink() or not path.is_file():
        return False
    check = checks.get(path.suffix.lower())
    try:
        return bool(check and check(path))
    except OSError:
        return False


def csv_header_names(path: str | Path) -> list[str]:
    """The column names on the first line of a CSV file, as the checks of which outputs
    behaviortypes wrote read them.

    A UTF-8 byte-order mark is dropped; names are split at ``,`` or ``;`` (Swedish
    Excel) and stripped of spaces and double quotes. Bytes that are not UTF-8 are read
    as U+FFFD (such a file is not ours, and is never refused for its encoding); at most
    64 KiB of the first line is read.

    Raises
    ------
    OSError
        If the file cannot be read (the callers treat it as not ours).
    """
    with open(path, encoding="utf-8", errors="replace") as fh:
        header = fh.readline(1 << 16)
    return [c.strip().strip('"') for c in re.split("[,;]", header.lstrip("\ufeff").strip())]


def xlsx_is_marked(path: str | Path, mark: str, legacy_sheets: Iterable[str] = ()) -> bool:
    """Whether an ``.xlsx`` file is a workbook behaviortypes wrote: its creator
    (``docProps/core.xml``) is ``mark``, or — a workbook of a version before the mark —
    openpyxl's default creator with every sheet of ``legacy_sheets``. Read with bounded
    memory; a file that is not a readable workbook is not ours."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            parts = {}
            for name in ("docProps/core.xml", "xl/workbook.xml"):
                info = zf.getinfo(name)
                if info.file_size > 1 << 20:
                    return False
                parts[name] = zf.read(info).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return False
    found = re.search(r"<dc:creator[^>]*>([^<]*)</dc:creator>", parts["docProps/core.xml"])
    creator = found.group(1) if found else ""
    legacy = list(legacy_sheets)
    return creator == mark or (creator == "openpyxl" and bool(legacy) and all(
        f'name="{sheet}"' in parts["xl/workbook.xml"] for sheet in legacy))


def refuse_unmarked_files(paths: Iterable[str | Path], checks: Mapping[str, Callable[[Path], bool]],
                          *, what: str | Said, hint: str | Said) -> None:
    """Refuse, with one line, to replace an existing file that is not ``what`` behaviortypes wrote
    (``what`` and ``hint`` as sentences of the catalogue, :class:`~behaviortypes.errors.Said`,
    to say the line in the study's language).

    Raises
    ------
    InputError
        Naming the first file of ``paths`` that exists without the mark (see
        :func:`marked_as_ours`).
    """
    from .errors import InputError, Said

    for path in map(Path, paths):
        if (path.exists() or path.is_symlink()) and not path.is_dir() and not marked_as_ours(path, checks):
            if isinstance(what, Said):
                raise InputError(code="problem_not_ours_file", values={"what": what}, file=path, hint=hint)
            raise InputError(f"the file exists and is not {what} behaviortypes wrote; it was left as it is",
                             file=path, hint=hint)


@contextlib.contextmanager
def staged_dir(
    out: str | Path, *, stale: tuple[str, ...] = (), legacy: Iterable[str] = ()
) -> Iterator[Path]:
    """Build an output folder's new files in a staging folder, then move them in.

    Files written under the yielded folder are moved into ``out`` (each by an atomic
    rename) only when the block succeeds; on failure ``out`` is untouched and the
    staging folder is removed. A file of the user's is never replaced or removed: the
    folder's :data:`OUTPUTS_MARKER` lists the files behaviortypes wrote there, and an
    output whose name is taken by any other file is an :class:`InputError` raised
    before anything moves. Files already in ``out`` that the stage does not write
    again are kept, except the names in ``stale``: those describe an earlier result
    and are removed when this run did not write them and they are ours. A folder
    without a marker counts as ours (written by a version before the marker) when it
    holds every non-stale file the stage writes, or every file of ``legacy`` (say, the
    discovery's own files, for a stage that adds files to the discovery folder).

    Raises
    ------
    InputError
        If ``out`` is not a usable folder name, or an output would replace a file of
        the user's.
    """
    out = Path(out)
    check_name_length(out)
    _check_output_place(out, folder=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=temp_prefix(out.name, "staging."), dir=out.parent))
    try:
        yield stage
        # (markers that writers left inside the staging folder are not outputs)
        files = [p for p in sorted(stage.rglob("*")) if p.is_file() and p.name != OUTPUTS_MARKER]
        written = {p.relative_to(stage).as_posix() for p in files}
        # a stale name may be a pattern (``typing_tool_*.html``): the files it matches now
        stale = tuple(dict.fromkeys(
            n for pattern in stale for n in ([pattern] if not glob.has_magic(pattern) else
                                             sorted(q.name for q in out.glob(pattern) if q.is_file()))))
        owner = _Owner(out, written - set(stale), set(legacy))
        owner.refuse_clash(written)
        removable = {n for n in stale if n not in written and (out / n).is_file() and owner.ours(n)}
        out.mkdir(parents=True, exist_ok=True)
        for src in files:
            dest = out / src.relative_to(stage)
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dest)
        for name in sorted(removable):
            with contextlib.suppress(FileNotFoundError):
                (out / name).unlink()
        owner.record(written, removed=removable, seen=set(stale))
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
