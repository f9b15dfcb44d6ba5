"""REFI-QDA exchange files: read ``.qdpx`` projects and ``.qdc`` codebooks.

A ``.qdpx`` file is a zip archive holding ``project.qde`` (XML in the namespace
``urn:QDA-XML:project:1.0``) and the transcripts, referenced from ``TextSource``
elements as ``plainTextPath="internal://<file>"``. Coded segments are
``PlainTextSelection`` elements whose ``startPosition``/``endPosition`` count
characters from 0, the end position exclusive; each carries
``Coding/CodeRef targetGUID`` pointing at a ``Code`` of the codebook. A ``.qdc`` file
is a bare codebook (namespace ``urn:QDA-XML:codebook:1.0``).

Positions: the standard says "characters" without naming the unit, and the tools
disagree. Python tools (QualCoder) count Unicode code points; NVivo (.NET) counts
UTF-16 code units, so every emoji or other character beyond U+FFFF before a
selection counts 2 (measured on a real NVivo 12.6 export: read as code points, 20 of
303 selections start and end on word boundaries; read as UTF-16, 293). The two agree
on text without such characters. Where they differ, :func:`read_qdpx` reads the
project both ways and keeps the counting under which more selections start and end
on word boundaries (a tie goes to UTF-16 for an NVivo ``origin``, else to code
points), and says which in :attr:`Interviews.position_unit`. Offsets in
:attr:`Interviews.codings` are always code points.

Safety: only what the user pointed at is read. Transcripts come from inside the archive
(``internal://``) or inline (``PlainTextContent``); a source stored outside the archive
(``absolute://``, ``file://``, ``relative://``) is read only when ``sources_dir`` names
the folder holding it, and never from outside that folder. Archive members are read
with limits on their unpacked size and compression ratio (:data:`MAX_MEMBER_BYTES`,
:data:`MAX_ARCHIVE_BYTES`, :data:`MAX_RATIO`), so a zip bomb is an error, not an
exhausted machine.

References
----------
REFI-QDA Standard, Project exchange 1.0 (Project.xsd) and Codebook exchange 1.0,
https://www.qdasoftware.org/
"""

from __future__ import annotations

import zipfile
from bisect import bisect_left
from functools import lru_cache
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from xml.etree import ElementTree as ET

import defusedxml
import defusedxml.ElementTree as SafeET
import pandas as pd

from ..errors import InputError
from .data import CODEBOOK_COLUMNS, CODING_COLUMNS, Interviews

__all__ = ["PROJECT_NS", "CODEBOOK_NS", "read_qdpx", "read_qdc", "MAX_MEMBER_BYTES",
           "MAX_ARCHIVE_BYTES", "MAX_RATIO"]

#: Largest unpacked archive member read into memory (project.qde, one transcript), bytes.
MAX_MEMBER_BYTES = 64 * 1024 * 1024
#: Most unpacked bytes read from one archive in total.
MAX_ARCHIVE_BYTES = 512 * 1024 * 1024
#: Largest compression ratio accepted for a member over 1 MiB unpacked (text and XML
#: compress 3-30 times; zip bombs about 1,000 times).
MAX_RATIO = 200
_RATIO_FLOOR = 1024 * 1024
_EXTERNAL = ("absolute://", "file://", "relative://")

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
_HINT_EXPORT = "export the project again from your QDA tool (File > Export > REFI-QDA project)"


def qname(tag: str, ns: str = PROJECT_NS) -> str:
    """The ElementTree name of ``tag`` in namespace ``ns`` (``{ns}tag``)."""
    return f"{{{ns}}}{tag}"


def norm_guid(guid: str | None) -> str:
    """A GUID compared the REFI-QDA way: braces and case ignored."""
    return (guid or "").strip().strip("{}").lower()


def parse_xml(data: bytes, file: Path, member: str) -> ET.Element:
    """Parse one archive member safely (defusedxml); an InputError naming the member and line."""
    try:
        return SafeET.fromstring(data)
    except ET.ParseError as err:
        line = err.position[0] if getattr(err, "position", None) else None
        raise InputError(
            f"{member} is not well-formed XML ({err.msg if hasattr(err, 'msg') else err})"
            + (f" at line {line}" if line else ""),
            file=file,
            rows=[line] if line else None,
            hint=_HINT_EXPORT,
        ) from None
    except defusedxml.DefusedXmlException as err:
        raise InputError(
            f"{member} uses XML features refused for safety ({type(err).__name__})",
            file=file,
            hint=_HINT_EXPORT,
        ) from None


def _namespace(tag: str) -> str | None:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else None


def check_root(root: ET.Element, file: Path, member: str, expected: dict[str, str]) -> str:
    """The namespace of ``root`` when it is one of ``expected`` ({namespace: tag}); else an InputError."""
    ns = _namespace(root.tag)
    local = root.tag.split("}", 1)[-1]
    for want_ns, want_tag in expected.items():
        if ns == want_ns and local == want_tag:
            return want_ns
    wanted = " or ".join(f"<{t}> in namespace {n}" for n, t in expected.items())
    raise InputError(
        f"{member} has root <{local}> in namespace {ns or '(none)'}; expected {wanted}",
        file=file,
        value=ns,
        hint="the file is not a REFI-QDA 1.0 export; " + _HINT_EXPORT,
    )


def _codebook_frame(
    codes_el: ET.Element | None, ns: str, sets_el: ET.Element | None = None
) -> tuple[pd.DataFrame, dict]:
    """Walk nested ``Code`` elements; return the codebook and guid -> (theme, parent).

    Code groups (``Sets/Set/MemberCode``, how ATLAS.ti exports categories) become the
    parent of member codes that have no parent code.
    """
    rows: list[dict] = []
    if codes_el is not None:
        stack = [(child, None) for child in codes_el.findall(qname("Code", ns))]
        order: list[tuple[ET.Element, str | None]] = []
        while stack:  # depth-first, document order
            el, parent = stack.pop(0)
            order.append((el, parent))
            name = (el.get("name") or "").strip()
            stack[0:0] = [(c, name) for c in el.findall(qname("Code", ns))]
        for el, parent in order:
            desc = el.find(qname("Description", ns))
            rows.append(
                {
                    "theme": (el.get("name") or "").strip(),
                    "parent": parent,
                    "guid": norm_guid(el.get("guid")),
                    "description": (desc.text or "").strip() if desc is not None else None,
                }
            )
    group_of: dict[str, str] = {}
    groups: list[dict] = []
    for st in [] if sets_el is None else sets_el.findall(qname("Set", ns)):
        members = [norm_guid(m.get("targetGUID") or m.get("guid"))
                   for m in st.findall(qname("MemberCode", ns))]  # fmt: skip
        name = (st.get("name") or "").strip()
        if members and name:
            groups.append({"theme": name, "parent": None, "guid": norm_guid(st.get("guid")),
                           "description": None})  # fmt: skip
            for guid in members:
                group_of.setdefault(guid, name)
    for row in rows:
        if row["parent"] is None and row["guid"] in group_of:
            row["parent"] = group_of[row["guid"]]
    names = {r["theme"] for r in rows}
    rows = [g for g in groups if g["theme"] not in names] + rows
    book = pd.DataFrame(rows, columns=CODEBOOK_COLUMNS)
    # the same name under two parents (NVivo allows it) is qualified as "parent > name"
    dupes = book["theme"].duplicated(keep=False) & book["parent"].notna()
    book.loc[dupes, "theme"] = book.loc[dupes, "parent"] + " > " + book.loc[dupes, "theme"]
    lookup = {r.guid: (r.theme, r.parent) for r in book.itertuples() if r.guid}
    return book, lookup


def read_qdc(path: str | Path) -> Interviews:
    """Read a REFI-QDA codebook (``.qdc``): the codebook alone, no codings.

    Raises
    ------
    InputError
        If the file is empty, not well-formed XML or not a REFI-QDA codebook.
    """
    path = Path(path)
    if path.is_file() and path.stat().st_size > MAX_MEMBER_BYTES:
        raise InputError(
            f"the codebook file is {path.stat().st_size / 1048576:.0f} MiB; codebooks are "
            f"limited to {MAX_MEMBER_BYTES // 1048576} MiB",
            file=path, hint=_HINT_EXPORT,
        )
    data = path.read_bytes()
    if not data.strip():
        raise InputError("the codebook file is empty", file=path, hint=_HINT_EXPORT)
    root = parse_xml(data, path, path.name)
    ns = check_root(root, path, path.name, {CODEBOOK_NS: "CodeBook", PROJECT_NS: "CodeBook"})
    book, _ = _codebook_frame(root.find(qname("Codes", ns)), ns, root.find(qname("Sets", ns)))
    return Interviews(
        codings=pd.DataFrame(columns=CODING_COLUMNS),
        participants=pd.DataFrame(index=pd.Index([], name="participant_id", dtype=object)),
        codebook=book,
        source_file=path,
    )


def _variable_value(vv: ET.Element) -> object:
    for tag, conv in (
        ("TextValue", str),
        ("BooleanValue", lambda s: s.strip().lower() in {"true", "1"}),
        ("IntegerValue", int),
        ("FloatValue", float),
        ("DateValue", str),
        ("DateTimeValue", str),
    ):
        el = vv.find(qname(tag))
        if el is not None:
            text = el.text or ""
            try:
                return conv(text)
            except ValueError:
                return text
    return None


def open_zip(path: Path) -> zipfile.ZipFile:
    """Open a ``.qdpx`` archive; an InputError when it is missing, empty or not a zip."""
    if not path.is_file():
        raise InputError("file not found", file=path, hint="check the path")
    if path.stat().st_size == 0:
        raise InputError("the .qdpx file is empty", file=path, hint=_HINT_EXPORT)
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise InputError(
            "not a zip archive; a .qdpx project is a zip holding project.qde and the sources",
            file=path,
            hint=_HINT_EXPORT,
        ) from None


def _mib(n: int) -> str:
    return f"{n / 1048576:,.0f} MiB"


def check_member(info: zipfile.ZipInfo, path: Path, *, limit: int | None = MAX_MEMBER_BYTES) -> None:
    """Refuse a member that unpacks beyond ``limit`` or far beyond its packed size."""
    if limit is not None and info.file_size > limit:
        raise InputError(
            f"{info.filename[:80]} unpacks to {_mib(info.file_size)}; archive members read "
            f"into memory are limited to {_mib(limit)}",
            file=path,
            hint="this is not a normal QDA export (it may be a zip bomb); " + _HINT_EXPORT,
        )
    if info.file_size > _RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise InputError(
            f"{info.filename[:80]} unpacks {info.file_size // max(info.compress_size, 1):,} times "
            f"its packed size (more than {MAX_RATIO} is refused)",
            file=path,
            hint="this is not a normal QDA export (it may be a zip bomb); " + _HINT_EXPORT,
        )


class ReadBudget:
    """Unpacked bytes still allowed from one archive (:data:`MAX_ARCHIVE_BYTES`)."""

    def __init__(self, path: Path, total: int = MAX_ARCHIVE_BYTES) -> None:
        self.path, self.left = path, total

    def take(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise InputError(
                f"the archive unpacks to more than {_mib(MAX_ARCHIVE_BYTES)} of project and "
                "transcripts",
                file=self.path,
                hint="this is not a normal QDA export (it may be a zip bomb); " + _HINT_EXPORT,
            )


def read_member(zf: zipfile.ZipFile, name: str | zipfile.ZipInfo, path: Path, budget: ReadBudget) -> bytes:
    """Read one member within the limits; a member whose data disagree with its header fails."""
    info = name if isinstance(name, zipfile.ZipInfo) else zf.getinfo(name)
    check_member(info, path)
    budget.take(info.file_size)
    try:
        with zf.open(info) as fh:  # zipfile stops at the size the header declares
            data = fh.read(info.file_size + 1)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as err:
        raise InputError(
            f"{info.filename[:80]} cannot be unpacked ({type(err).__name__}: {str(err)[:80]})",
            file=path,
            hint=_HINT_EXPORT,
        ) from None
    if len(data) > info.file_size:
        raise InputError(f"{info.filename[:80]} is larger than its header says", file=path,
                         hint=_HINT_EXPORT)
    return data


def project_member(zf: zipfile.ZipFile, path: Path) -> str:
    """The name of the archive's ``project.qde`` (the shallowest); an InputError when it has none."""
    names = [n for n in zf.namelist() if PurePosixPath(n).name.lower() == "project.qde"]
    if not names:
        found = ", ".join(zf.namelist()[:5]) or "nothing"
        raise InputError(
            f"the archive has no project.qde (it holds {found})",
            file=path,
            hint=_HINT_EXPORT,
        )
    return min(names, key=lambda n: n.count("/"))


def _external_file(ref: str, name: str, path: Path, sources_dir: Path | None) -> Path:
    """The file an external source points at, only inside ``sources_dir``."""
    shown = ref if len(ref) <= 100 else ref[:99] + "…"
    if sources_dir is None:
        raise InputError(
            f"source '{name}' is stored outside the archive ({shown}); external sources are "
            "read only from a folder you name",
            file=path,
            hint="export the project with sources embedded, or pass the folder holding the "
            "transcripts (--sources-dir / sources_dir=)",
        )
    base = Path(sources_dir).resolve()
    scheme, _, rest = ref.partition("://")
    if scheme.lower() == "relative":
        candidate = base / rest.lstrip("/\\")
    else:
        rest = rest[len("localhost"):] if rest.lower().startswith("localhost/") else rest
        candidate = Path(rest)
        if not candidate.is_absolute():
            candidate = base / candidate
    try:
        resolved = candidate.resolve()
    except (OSError, RuntimeError, ValueError):
        resolved = None
    if resolved is None or (resolved != base and base not in resolved.parents):
        raise InputError(
            f"source '{name}' points at {shown}, outside the sources folder {base.name}; "
            "it is not read",
            file=path,
            hint="move the transcripts into the sources folder, or export the project with "
            "sources embedded",
        )
    if not resolved.is_file():
        raise InputError(
            f"source '{name}' points at {shown}, which is not in the sources folder",
            file=path,
            hint="check the sources folder, or export the project with sources embedded (internal://)",
        )
    size = resolved.stat().st_size
    if size > MAX_MEMBER_BYTES:
        raise InputError(
            f"transcript of source '{name}' is {_mib(size)}; transcripts are limited to "
            f"{_mib(MAX_MEMBER_BYTES)}",
            file=path,
            hint="a transcript is plain text; check the source",
        )
    return resolved


def _read_source_text(
    zf: zipfile.ZipFile,
    path: Path,
    src: ET.Element,
    by_name: dict[str, str],
    budget: ReadBudget,
    sources_dir: Path | None = None,
) -> str:
    name = (src.get("name") or src.get("guid") or "")[:80]
    content = src.find(qname("PlainTextContent"))
    if content is not None:
        return content.text or ""
    ref = src.get("plainTextPath")
    if not ref:
        raise InputError(
            f"TextSource '{name}' has neither plainTextPath nor PlainTextContent",
            file=path,
            hint=_HINT_EXPORT,
        )
    if ref.lower().startswith("internal://"):
        fname = PurePosixPath(ref[len("internal://") :].replace("\\", "/")).name.lower()
        member = by_name.get(fname)
        if member is None:
            raise InputError(
                f"source '{name}' points at {ref[:100]}, which is not in the archive",
                file=path,
                hint="export the project again with its sources included",
            )
        data = read_member(zf, member, path, budget)
    elif ref.lower().startswith(_EXTERNAL):
        disk = _external_file(ref, name, path, sources_dir)
        budget.take(disk.stat().st_size)
        data = disk.read_bytes()
    else:
        raise InputError(
            f"source '{name}' has an unknown kind of path ({ref[:100]})",
            file=path,
            hint="REFI-QDA paths start with internal://, relative:// or absolute://; " + _HINT_EXPORT,
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(
            f"transcript of source '{name}' is not UTF-8 text (byte {err.start})",
            file=path,
            hint="REFI-QDA transcripts are UTF-8; re-export the project",
        ) from None


def read_qdpx(path: str | Path, *, sources_dir: str | Path | None = None) -> Interviews:
    """Read a REFI-QDA project (``.qdpx``): codebook, sources, coded segments, cases.

    Parameters
    ----------
    path : str or Path
        The project archive.
    sources_dir : str or Path, optional
        Folder holding transcripts the project stores *outside* the archive
        (``absolute://``, ``file://`` or ``relative://`` paths). Without it such a
        project is refused; with it, only files inside this folder are read
        (``relative://`` paths are taken relative to it).

    Participants are the project's ``Case`` elements (linked to transcripts by
    ``SourceRef``/``SelectionRef``); a transcript that belongs to no case is its own
    participant, named after the source (file extension dropped). Case variables
    and source variables become participant attributes.

    Raises
    ------
    InputError
        If the file is not a zip, has no ``project.qde``, the XML is malformed or in
        the wrong namespace, a ``CodeRef`` points at an unknown code, a selection's
        offsets fall outside its transcript, a transcript is missing, a source is
        stored outside the archive (and ``sources_dir`` does not hold it), or a member
        unpacks beyond the size limits.
    """
    path = Path(path)
    budget = ReadBudget(path)
    with open_zip(path) as zf:
        member = project_member(zf, path)
        root = parse_xml(read_member(zf, member, path, budget), path, member)
        check_root(root, path, member, {PROJECT_NS: "Project"})
        codebook_el = root.find(qname("CodeBook"))
        book, codes = _codebook_frame(
            codebook_el.find(qname("Codes")) if codebook_el is not None else None,
            PROJECT_NS,
            root.find(qname("Sets")),
        )
        variables = {
            norm_guid(v.get("guid")): (v.get("name") or "").strip()
            for v in root.iter(qname("Variable"))
        }
        by_name = {PurePosixPath(n).name.lower(): n for n in zf.namelist() if not n.endswith("/")}
        # cases: participant names, their variables, and what they point at
        owner: dict[str, str] = {}
        attrs: dict[str, dict] = {}
        for case in root.iter(qname("Case")):
            pid = (case.get("name") or case.get("guid") or "").strip()
            attrs.setdefault(pid, {})
            for vv in case.findall(qname("VariableValue")):
                ref = vv.find(qname("VariableRef"))
                var = variables.get(norm_guid(ref.get("targetGUID")) if ref is not None else "")
                if var:
                    attrs[pid][var] = _variable_value(vv)
            for tag in ("SourceRef", "SelectionRef"):
                for ref in case.findall(qname(tag)):
                    owner.setdefault(norm_guid(ref.get("targetGUID")), pid)
        rows: list[dict] = []
        selections: list[tuple] = []
        transcripts: dict[str, str] = {}
        sources_el = root.find(qname("Sources"))
        for src in [] if sources_el is None else sources_el.findall(qname("TextSource")):
            sname = (src.get("name") or src.get("guid") or "").strip()
            text = _read_source_text(zf, path, src, by_name, budget, sources_dir)
            transcripts[sname] = text
            default_pid = owner.get(norm_guid(src.get("guid")), PurePosixPath(sname).stem)
            src_attrs = attrs.setdefault(default_pid, {})
            for vv in src.findall(qname("VariableValue")):
                ref = vv.find(qname("VariableRef"))
                var = variables.get(norm_guid(ref.get("targetGUID")) if ref is not None else "")
                if var:
                    src_attrs.setdefault(var, _variable_value(vv))
            for coding in src.findall(qname("Coding")):  # whole document coded
                theme, parent = _resolve(coding, codes, path, f"source '{sname}'")
                rows.append(_row(default_pid, theme, parent, None, sname, None, None))
            for sel in src.findall(qname("PlainTextSelection")):
                sguid = sel.get("guid") or "?"
                try:
                    start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
                except (TypeError, ValueError):
                    raise InputError(
                        f"selection {sguid} in source '{sname}' has a non-integer "
                        f"startPosition/endPosition ({sel.get('startPosition')!r}, "
                        f"{sel.get('endPosition')!r})",
                        file=path,
                        hint=_HINT_EXPORT,
                    ) from None
                pid = owner.get(norm_guid(sguid), default_pid)
                attrs.setdefault(pid, {})
                found = [_resolve(c, codes, path, f"selection {sguid}")
                         for c in sel.findall(qname("Coding"))]  # fmt: skip
                selections.append((pid, sname, sguid, start, end, found))
        unit = position_unit(selections, transcripts, root.get("origin") or "")
        for pid, sname, sguid, start, end, found in selections:
            text = transcripts[sname]
            start, end = _to_code_points(text, start, end, unit, path, sname, sguid)
            for theme, parent in found:
                rows.append(_row(pid, theme, parent, text[start:end], sname, start, end))
    codings = pd.DataFrame(rows, columns=CODING_COLUMNS)
    codings[["start", "end"]] = codings[["start", "end"]].astype("Int64")
    pids = sorted(set(attrs) | set(codings["participant_id"]))
    columns = list(dict.fromkeys(k for values in attrs.values() for k in values))
    participants = pd.DataFrame(
        [[attrs.get(p, {}).get(c) for c in columns] for p in pids],
        index=pd.Index(pids, name="participant_id", dtype=object),
        columns=columns,
        dtype=object,
    )
    return Interviews(
        codings=codings,
        participants=participants,
        codebook=book,
        source_file=path,
        transcripts=MappingProxyType(transcripts),
        position_unit=unit,
    )


@lru_cache(maxsize=8)
def _utf16_index(text: str) -> tuple[int, ...] | None:
    """UTF-16 offset of each code point of ``text`` (and of its end); None when the two agree."""
    if text.isascii() or all(ord(ch) <= 0xFFFF for ch in text):
        return None
    index, at = [], 0
    for ch in text:
        index.append(at)
        at += 2 if ord(ch) > 0xFFFF else 1
    index.append(at)
    return tuple(index)


def _cut(text: str, start: int, end: int, unit: str) -> tuple[int, int] | None:
    """Code-point offsets of a selection given in ``unit``; None when it falls outside ``text``."""
    index = _utf16_index(text) if unit == "utf-16" else None
    if index is not None:
        if not 0 <= start <= end <= index[-1]:
            return None
        return bisect_left(index, start), bisect_left(index, end)
    return (start, end) if 0 <= start <= end <= len(text) else None


def _on_words(text: str, span: tuple[int, int] | None) -> bool:
    if span is None:
        return False
    start, end = span
    inside = (lambda i: 0 < i < len(text) and text[i - 1].isalnum() and text[i].isalnum())
    return not inside(start) and not inside(end)


def position_unit(selections: list[tuple], transcripts: dict[str, str], origin: str) -> str:
    """How a project counts selection positions: ``"code points"`` or ``"utf-16"``.

    Only selections in transcripts holding characters beyond U+FFFF tell the two apart;
    the counting that puts more of them on word boundaries wins; a tie goes to UTF-16
    for an NVivo project (NVivo is a .NET program), else to code points (the reading
    of Python tools such as QualCoder).
    """
    votes = {"code points": 0, "utf-16": 0}
    for _pid, sname, _guid, start, end, _found in selections:
        text = transcripts[sname]
        if _utf16_index(text) is None:
            continue
        for unit in votes:
            votes[unit] += _on_words(text, _cut(text, start, end, unit))
    if votes["utf-16"] != votes["code points"]:
        return max(votes, key=votes.get)
    return "utf-16" if "nvivo" in origin.lower() else "code points"


def _to_code_points(text, start, end, unit, path, sname, sguid) -> tuple[int, int]:
    span = _cut(text, start, end, unit)
    if span is None:
        length = (f"{len(text)} characters" if unit == "code points"
                  else f"{len(text.encode('utf-16-le')) // 2} UTF-16 units")  # fmt: skip
        raise InputError(
            f"selection {sguid} in source '{sname}' has offsets start={start}, "
            f"end={end} outside the transcript of length {length}",
            file=path,
            value=(start, end),
            hint="the transcript in the archive may not be the one that was coded; "
            + _HINT_EXPORT,
        )
    return span


def _row(pid, theme, parent, quote, source, start, end) -> dict:
    return dict(
        participant_id=str(pid), theme=theme, parent=parent, quote=quote,
        source=source, start=start, end=end,
    )  # fmt: skip


def _resolve(coding: ET.Element, codes: dict, path: Path, where: str) -> tuple[str, str | None]:
    ref = coding.find(qname("CodeRef"))
    target = norm_guid(ref.get("targetGUID")) if ref is not None else ""
    if target not in codes:
        raise InputError(
            f"{where} is coded with code {target or '(none)'}, which is not in the codebook",
            file=path,
            value=target or None,
            hint="the export is incomplete; re-export the project with its full codebook",
        )
    return codes[target]
