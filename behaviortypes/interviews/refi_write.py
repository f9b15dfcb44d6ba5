"""REFI-QDA exchange files: write a ``.qdpx`` project, or add types to an existing one.

See :mod:`behaviortypes.interviews.refi` for the format. Everything written here
follows the REFI-QDA Project.xsd 1.0 element order, so NVivo, ATLAS.ti, MAXQDA and
QualCoder can import it.
"""

from __future__ import annotations

import re
import shutil
import uuid
import warnings
import zipfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree as ET

import pandas as pd

from ..errors import BehaviortypesWarning, InputError, phrase
from ..i18n import counted
from ..files import atomic_path
from .data import Interviews
from .refi import (PROJECT_NS, ReadBudget, check_member, check_root, norm_guid, open_zip, parse_xml,
                   project_member, qname, read_member)

__all__ = ["write_qdpx", "write_types_to_qdpx"]

_GUID_NAMESPACE = uuid.UUID("6f1c1b9e-7a55-4a52-9d0e-3c0b2f6a8e41")
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)



def _guid(*parts: object) -> str:
    return str(uuid.uuid5(_GUID_NAMESPACE, "\x1f".join(str(p) for p in parts)))


def _valid_guid(value: object) -> bool:
    pattern = r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}"
    return isinstance(value, str) and re.fullmatch(pattern, value) is not None


def _variable_type(values: pd.Series) -> str:
    values = values.dropna()
    if values.empty:
        return "Text"
    if all(isinstance(v, bool) for v in values):
        return "Boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "Integer"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "Float"
    if all(isinstance(v, str) for v in values):  # CSV attributes arrive as text
        if all(re.fullmatch(r"[+-]?\d{1,18}", v.strip()) for v in values):
            return "Integer"
        if all(re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", v.strip()) for v in values):
            return "Float"
    return "Text"


def _value_element(parent: ET.Element, kind: str, value: object) -> None:
    tag = {"Boolean": "BooleanValue", "Integer": "IntegerValue", "Float": "FloatValue"}.get(
        kind, "TextValue"
    )
    el = ET.SubElement(parent, qname(tag))
    if kind == "Boolean":
        el.text = "true" if value else "false"
    elif kind == "Integer":
        el.text = str(int(value))
    elif kind == "Float":
        el.text = repr(float(value))
    else:
        el.text = str(value)


def _case_variables(interviews: Interviews, extra) -> pd.DataFrame:
    table = interviews.participants.copy()
    if extra is not None:
        more = extra if isinstance(extra, pd.DataFrame) else pd.DataFrame.from_dict(
            {str(k): dict(v) for k, v in extra.items()}, orient="index"
        )
        more = more.copy()
        more.index = more.index.astype(str)
        table = table.drop(columns=[c for c in more.columns if c in table.columns])
        table = table.join(more, how="outer")
    table.index = table.index.astype(str)
    return table.astype(object)


def _place_quotes(text: str | None, quotes: list[tuple], who: str) -> tuple[str, list[tuple]]:
    """Return the transcript and (start, end) for each (quote, start, end) in ``quotes``."""
    if text is None:
        pieces: list[str] = []
        spans: dict[str, tuple[int, int]] = {}
        pos = 0
        for quote, _, _ in quotes:
            if quote in spans:
                continue
            if pieces:
                pos += 2  # paragraph break
            spans[quote] = (pos, pos + len(quote))
            pieces.append(quote)
            pos += len(quote)
        return "\n\n".join(pieces), [spans[q] for q, _, _ in quotes]
    placed = []
    for quote, start, end in quotes:
        if start is not None and not pd.isna(start) and text[int(start) : int(end)] == quote:
            placed.append((int(start), int(end)))
            continue
        at = text.find(quote)
        if at < 0:
            raise InputError(
                f"the quote {quote[:40]!r} of {who} is not in the transcript given",
                value=who,
                hint="pass transcripts that contain every coded quote, or none to build "
                "them from the quotes",
            )
        placed.append((at, at + len(quote)))
    return text, placed


def _add_codebook(root: ET.Element, interviews: Interviews) -> dict[str, str]:
    """Add the ``<CodeBook>`` (every codebook row, plus coded themes and parents it lacks).

    Returns the GUID of every theme.
    """
    book = interviews.codebook.copy()
    extra = interviews.codings[["theme", "parent"]].drop_duplicates("theme")
    extra = extra[~extra["theme"].isin(book["theme"])]
    parents = pd.concat([book["parent"], extra["parent"]]).dropna().unique()
    missing_parents = [p for p in parents if p not in set(book["theme"]) | set(extra["theme"])]
    book = pd.concat(
        [pd.DataFrame({"theme": missing_parents, "parent": None}), book, extra],
        ignore_index=True,
    )
    guid_of: dict[str, str] = {}
    for row in book.itertuples():
        guid_of[row.theme] = row.guid if _valid_guid(row.guid) else _guid("code", row.theme)
    elements: dict[str, ET.Element] = {}
    codes = ET.SubElement(ET.SubElement(root, qname("CodeBook")), qname("Codes"))
    pending = list(book.itertuples())
    while pending:
        rest = []
        for row in pending:
            parent = None if pd.isna(row.parent) else str(row.parent)
            if parent is not None and parent not in elements:
                rest.append(row)
                continue
            container = codes if parent is None else elements[parent]
            label = str(row.theme).split(" > ")[-1] if parent else str(row.theme)
            el = ET.SubElement(
                container,
                qname("Code"),
                {"guid": guid_of[row.theme], "name": label, "isCodable": "true"},
            )
            if isinstance(row.description, str) and row.description:
                ET.SubElement(el, qname("Description")).text = row.description
            elements[row.theme] = el
        if len(rest) == len(pending):  # a cycle in parents: put one code at top level
            rest[0] = rest[0]._replace(parent=None)
        pending = rest
    return guid_of


def _build_project(interviews: Interviews, transcripts, case_variables, name: str):
    root = ET.Element(qname("Project"), {"name": name, "origin": "behaviortypes"})
    user_guid = _guid("user", "behaviortypes")
    users = ET.SubElement(root, qname("Users"))
    ET.SubElement(users, qname("User"), {"guid": user_guid, "name": "behaviortypes"})
    guid_of = _add_codebook(root, interviews)
    # variables and cases
    table = _case_variables(interviews, case_variables)
    pids = sorted(set(table.index) | set(interviews.codings["participant_id"].astype(str)))
    kinds = {col: _variable_type(table[col]) for col in table.columns}
    var_guid = {col: _guid("variable", col) for col in table.columns}
    if kinds:
        variables = ET.SubElement(root, qname("Variables"))
        for col, kind in kinds.items():
            ET.SubElement(
                variables, qname("Variable"),
                {"guid": var_guid[col], "name": str(col), "typeOfVariable": kind},
            )  # fmt: skip
    cases = ET.SubElement(root, qname("Cases"))
    sources = ET.SubElement(root, qname("Sources"))
    files: dict[str, str] = {}
    codings = interviews.codings.copy()
    codings["participant_id"] = codings["participant_id"].astype(str)
    named = codings["source"].notna()
    codings["source"] = codings["source"].where(named, codings["participant_id"])
    for pid in pids:
        case = ET.SubElement(cases, qname("Case"), {"guid": _guid("case", pid), "name": pid})
        if pid in table.index:
            for col, value in table.loc[pid].items():
                if value is None or (not isinstance(value, str) and pd.isna(value)):
                    continue
                vv = ET.SubElement(case, qname("VariableValue"))
                ET.SubElement(vv, qname("VariableRef"), {"targetGUID": var_guid[col]})
                _value_element(vv, kinds[col], value)
        mine = codings[codings["participant_id"] == pid]
        for sname in dict.fromkeys(mine["source"]):
            rows = mine[mine["source"] == sname]
            sguid = _guid("source", pid, sname)
            ET.SubElement(case, qname("SourceRef"), {"targetGUID": sguid})
            given = None
            if transcripts is not None:
                given = transcripts.get(sname, transcripts.get(pid))
            elif sname in interviews.transcripts:
                given = interviews.transcripts[sname]
            quoted = rows[rows["quote"].notna()]
            triples = [
                (str(q), s, e) for q, s, e in zip(quoted["quote"], quoted["start"], quoted["end"])
            ]
            text, spans = _place_quotes(given, triples, f"participant {pid}")
            fname = f"{sguid}.txt"
            files[fname] = text
            src = ET.SubElement(
                sources, qname("TextSource"),
                {"guid": sguid, "name": str(sname), "plainTextPath": f"internal://{fname}",
                 "creatingUser": user_guid},
            )  # fmt: skip
            by_span: dict[tuple[int, int], list[str]] = {}
            for (start, end), theme in zip(spans, quoted["theme"]):
                by_span.setdefault((start, end), []).append(str(theme))
            for (start, end), themes in by_span.items():
                sel = ET.SubElement(
                    src, qname("PlainTextSelection"),
                    {"guid": _guid("selection", sguid, start, end), "name": text[start:end][:60],
                     "startPosition": str(start), "endPosition": str(end),
                     "creatingUser": user_guid},
                )  # fmt: skip
                for theme in dict.fromkeys(themes):
                    coding = ET.SubElement(
                        sel, qname("Coding"),
                        {"guid": _guid("coding", sguid, start, end, theme),
                         "creatingUser": user_guid},
                    )  # fmt: skip
                    ET.SubElement(coding, qname("CodeRef"), {"targetGUID": guid_of[theme]})
            for theme in dict.fromkeys(rows.loc[rows["quote"].isna(), "theme"]):
                coding = ET.SubElement(
                    src, qname("Coding"),
                    {"guid": _guid("coding", sguid, theme), "creatingUser": user_guid},
                )  # fmt: skip
                ET.SubElement(coding, qname("CodeRef"), {"targetGUID": guid_of[str(theme)]})
    if not len(cases):
        root.remove(cases)
    return root, files


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_bytes(root: ET.Element, *, indent: bool = True) -> bytes:
    """Serialise ``root``; characters XML 1.0 forbids (e.g. Word's vertical tab) become spaces."""
    for el in root.iter():
        if el.text and _NOT_XML.search(el.text):
            el.text = _NOT_XML.sub(" ", el.text)
        for key, value in el.attrib.items():
            if _NOT_XML.search(value):
                el.set(key, _NOT_XML.sub(" ", value))
    ET.register_namespace("", PROJECT_NS)
    if indent:
        ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _write_zip(
    path: Path,
    entries: list[tuple[zipfile.ZipInfo | str, bytes]],
    *,
    copy_from: tuple[Path, list[zipfile.ZipInfo]] | None = None,
) -> Path:
    """Write ``entries``, then the members ``copy_from`` names, copied in 1 MiB chunks."""
    with atomic_path(path, suffix=".qdpx") as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for info, data in entries:
                if isinstance(info, str):
                    info = zipfile.ZipInfo(info, date_time=_FIXED_ZIP_TIME)
                    info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
            if copy_from is not None:
                source, members = copy_from
                with zipfile.ZipFile(source) as zin:
                    for info in members:
                        _copy_member(zin, zf, info, source)
    return path


def _copy_member(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo, source: Path) -> None:
    new = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    new.compress_type = info.compress_type if info.compress_type == zipfile.ZIP_STORED else zipfile.ZIP_DEFLATED
    new.external_attr = info.external_attr
    new.comment = info.comment
    if info.is_dir():
        zout.writestr(new, b"")
        return
    try:
        with zin.open(info) as src, zout.open(new, "w", force_zip64=info.file_size > (1 << 31)) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError) as err:
        raise InputError(
            f"{info.filename[:80]} cannot be unpacked ({type(err).__name__}: {str(err)[:80]})",
            file=source,
            hint="export the project again from your QDA tool",
        ) from None


def write_qdpx(
    path: str | Path,
    interviews: Interviews,
    *,
    transcripts: Mapping[str, str] | None = None,
    case_variables: pd.DataFrame | Mapping[str, Mapping[str, object]] | None = None,
    project_name: str | None = None,
) -> Path:
    """Write ``interviews`` as a REFI-QDA project that NVivo, ATLAS.ti, MAXQDA and QualCoder open.

    Parameters
    ----------
    path : str or Path
        The ``.qdpx`` file to write (atomically).
    interviews : Interviews
        Codings, participants and codebook.
    transcripts : Mapping of str to str, optional
        Full transcript text by source name or participant id. Each coded quote
        must occur in its transcript. By default the transcripts read from a
        ``.qdpx`` are reused, and otherwise a transcript is built from the
        participant's quotes (one paragraph each).
    case_variables : DataFrame or Mapping, optional
        Extra case variables by participant id (e.g. ``behaviour_type``); they
        replace participant attributes of the same name.
    project_name : str, optional
        Defaults to the file name.

    Returns
    -------
    Path
        ``path``.

    Notes
    -----
    One ``TextSource`` per participant and source (``sources/<guid>.txt`` in the
    archive), one ``PlainTextSelection`` per coded span (several codes on the same
    span share it), one ``Case`` per participant with its variables and
    ``SourceRef``. GUIDs are derived from the content (UUID 5), so the same input
    gives the same archive, byte for byte; codebook GUIDs read from a project are kept.

    Raises
    ------
    InputError
        If a quote is not found in the transcript given for it.
    """
    path = Path(path)
    root, files = _build_project(
        interviews, transcripts, case_variables, project_name or path.stem
    )
    entries: list = [("project.qde", _xml_bytes(root))]
    entries += [(f"sources/{name}", text.encode("utf-8")) for name, text in sorted(files.items())]
    return _write_zip(path, entries)


def write_types_to_qdpx(
    in_path: str | Path,
    out_path: str | Path,
    participant_types: Mapping[str, str],
    *,
    variable: str = "behaviour_type",
) -> pd.DataFrame:
    """Add (or update) a case variable holding each interviewee's type, leaving the rest intact.

    Parameters
    ----------
    in_path, out_path : str or Path
        The project to read and the project to write (may be the same file; the
        write is atomic).
    participant_types : Mapping of str to str
        Type name (or id) by participant: a case name, or a source name when the
        project has no cases (a case is then created for that source).
    variable : str, default="behaviour_type"
        The case variable's name.

    Returns
    -------
    pandas.DataFrame
        ``participant_id, case_guid, value, created_case``, one row per participant
        written.

    Warns
    -----
    BehaviortypesWarning
        When some participants are neither a case nor a source of the project.

    Raises
    ------
    InputError
        For the archive errors of :func:`read_qdpx`, or when no participant matches.
    """
    in_path, out_path = Path(in_path), Path(out_path)
    with open_zip(in_path) as zf:
        member = project_member(zf, in_path)
        root = parse_xml(read_member(zf, member, in_path, ReadBudget(in_path)), in_path, member)
        check_root(root, in_path, member, {PROJECT_NS: "Project"})
        others = [info for info in zf.infolist() if info.filename != member]
        for info in others:  # copied in chunks (media can be large), but no zip bombs
            check_member(info, in_path, limit=None)
        member_info = zf.getinfo(member)
    var_guid = _ensure_variable(root, variable)
    cases = _child(root, "Cases", after=("Users", "CodeBook", "Variables"))
    by_name = {(c.get("name") or "").strip(): c for c in cases.findall(qname("Case"))}
    sources = {}
    srcs_el = root.find(qname("Sources"))
    for src in [] if srcs_el is None else list(srcs_el):
        sname = (src.get("name") or "").strip()
        sources[sname] = src
        sources.setdefault(PurePosixPath(sname).stem, src)
    done, unknown = [], []
    for pid, value in participant_types.items():
        pid = str(pid)
        case, created = by_name.get(pid), False
        if case is None and pid in sources:
            case = ET.SubElement(cases, qname("Case"), {"guid": _guid("case", pid), "name": pid})
            ET.SubElement(case, qname("SourceRef"), {"targetGUID": sources[pid].get("guid")})
            by_name[pid], created = case, True
        if case is None:
            unknown.append(pid)
            continue
        _set_case_value(case, var_guid, str(value))
        done.append(
            {"participant_id": pid, "case_guid": case.get("guid"), "value": str(value),
             "created_case": created}
        )  # fmt: skip
    if not done:
        raise InputError(
            f"none of the {len(unknown)} participants is a case or source of the project "
            f"(first: {', '.join(unknown[:3])})",
            file=in_path,
            hint="use the case names shown in your QDA tool as participant ids",
        )
    if unknown:
        values = {"n": counted(len(unknown), "participants"), "file": in_path.name, "who": ", ".join(unknown[:5])}
        warnings.warn(BehaviortypesWarning(phrase("warn_qdpx_types_skipped", "en", values),
                                           code="warn_qdpx_types_skipped", values=values), stacklevel=2)
    _write_zip(out_path, [(member_info, _xml_bytes(root, indent=False))], copy_from=(in_path, others))
    return pd.DataFrame(done, columns=["participant_id", "case_guid", "value", "created_case"])


def _child(root: ET.Element, tag: str, *, after: tuple[str, ...]) -> ET.Element:
    """Return ``root``'s ``tag`` child, creating it at its schema position."""
    el = root.find(qname(tag))
    if el is not None:
        return el
    el = ET.Element(qname(tag))
    position = 0
    for i, child in enumerate(list(root)):
        if child.tag.split("}", 1)[-1] in after:
            position = i + 1
    root.insert(position, el)
    return el


def _ensure_variable(root: ET.Element, name: str) -> str:
    variables = _child(root, "Variables", after=("Users", "CodeBook"))
    for var in variables.findall(qname("Variable")):
        if (var.get("name") or "").strip() == name:
            return var.get("guid")
    guid = _guid("variable", name)
    ET.SubElement(variables, qname("Variable"), {"guid": guid, "name": name, "typeOfVariable": "Text"})
    return guid


def _set_case_value(case: ET.Element, var_guid: str, value: str) -> None:
    for vv in case.findall(qname("VariableValue")):
        ref = vv.find(qname("VariableRef"))
        if ref is not None and norm_guid(ref.get("targetGUID")) == norm_guid(var_guid):
            case.remove(vv)
    vv = ET.Element(qname("VariableValue"))
    ET.SubElement(vv, qname("VariableRef"), {"targetGUID": var_guid})
    ET.SubElement(vv, qname("TextValue")).text = value
    position = 0  # after Description, CodeRef and other VariableValues; before SourceRef
    for i, child in enumerate(list(case)):
        if child.tag.split("}", 1)[-1] in {"Description", "CodeRef", "VariableValue"}:
            position = i + 1
    case.insert(position, vv)
