"""The typing tool as an Excel workbook that types respondents by formulas (no macros).

Sheets: a help sheet in the study's language (first, active), ``answers`` (row 1: the
survey's id column, e.g. ``StudentID``, then the golden statement ids), ``types`` (the id
column, ``type_id, type_name, p_<type_id>...``, all formulas), ``model`` (weights,
intercepts, means, type names; protected) and ``calc`` (hidden, protected: the per-row
arithmetic). A survey whose id column is ``respondent_id`` gets ``respondent_id``
(Swedish: ``svarsid``). In Swedish the sheets are ``svar``, ``typer``, ``modell``,
``beräkning`` and the headers ``typ_id, typnamn``; formulas quote every sheet name, so
any name works.

The formulas compute what :meth:`TypingTool.score` computes: an empty answer, or one of
the instrument's missing codes (9 = don't know, pasted from the survey; a code that is a
point of the scale too, as ``--score`` and ``discover`` read it), counts as the
statement's mean, ``score = SUMPRODUCT(weights, answers) + intercept``, probabilities
are a softmax and the type is the first highest score. A row with no id and no answers
stays blank; a row with an answer that is not a point of the scale (text, off the scale,
3.5 on a 1–7 scale: ``--score`` refuses those too), or with fewer answers than a type
needs (half the statements, as ``--score``), shows a message instead of a type. Study text is only ever written as text cells (never formulas;
text starting with ``= + - @`` gets Excel's quote prefix) and formulas refer to the
``model`` sheet instead of quoting names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter as col
from openpyxl.worksheet.datavalidation import DataValidation

from ..files import atomic_path
from .owned import TOOL_MARK
from ..errors import InputError
from .spec import TypingSpec, default_min_answered, load_typing_spec
from .texts import agreement_note, ui_text

__all__ = ["write_typing_xlsx", "DEFAULT_ROWS"]

#: Respondent rows the workbook has formulas for.
DEFAULT_ROWS = 1000

_RISKY = ("=", "+", "-", "@", "\t", "\r", "\n")
_BOLD = Font(bold=True)
_HEAD = PatternFill("solid", fgColor="DDE7F3")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
_CENTER = Alignment(horizontal="center")


def _text(ws, ref: str, value: Any, *, bold: bool = False, wrap: bool = False):
    """Write study or UI text as a text cell; never as a formula."""
    cell = ws[ref]
    cell.value = "" if value is None else str(value)
    cell.data_type = "s"
    if cell.value.startswith(_RISKY):
        cell.quotePrefix = True
    if bold:
        cell.font = _BOLD
    cell.alignment = _WRAP if wrap else _TOP
    return cell


def _lines_height(ws, *cells_and_widths) -> None:
    """Set a row's height so that wrapped text shows whole (spreadsheets do not always)."""
    pairs = list(zip(cells_and_widths[::2], cells_and_widths[1::2]))
    lines = max(max(1, -(-len(str(ws[c].value or "")) // w)) for c, w in pairs)
    ws.row_dimensions[ws[pairs[0][0]].row].height = 15 * lines + 2


def _scale_text(spec: TypingSpec) -> str:
    """The scale's points with their labels (a missing code's label, "9 = Don't know", is
    not a point one may enter)."""
    points = {k: v for k, v in spec.scale_labels.items() if spec.scale_min <= k <= spec.scale_max}
    if points:
        return ", ".join(f"{k} = {v}" for k, v in sorted(points.items()))
    return f"{spec.scale_min:g}–{spec.scale_max:g}"


def _whole_scale(lo: float, hi: float) -> bool:
    """Answers are whole points (3.5 refused, as ``--score`` refuses it) on a scale such as 1–7."""
    return float(lo).is_integer() and float(hi).is_integer()


def _bad_text(t: dict, lo: float, hi: float) -> str:
    return t["wb_bad_whole" if _whole_scale(lo, hi) else "wb_bad"].format(min=f"{lo:g}", max=f"{hi:g}")


def _answer_state(cell: str, lo_ref: str, hi_ref: str, whole: bool, codes: list[float]) -> str:
    """1 for an answer on the scale, 0 for an empty cell or a missing code (unanswered, as
    ``--score`` reads it: every declared code, a point of the scale too), -1 for anything
    else (text, off the scale, 3.5 on a whole scale)."""
    point = f"{cell}>={lo_ref},{cell}<={hi_ref}" + (f",{cell}=INT({cell})" if whole else "")
    on_scale = f"IF(AND({point}),1,-1)"
    state = f"IF(OR({','.join(f'{cell}={c:g}' for c in codes)}),0,{on_scale})" if codes else on_scale
    return f"=IF(ISBLANK({cell}),0,IF(ISNUMBER({cell}),{state},-1))"


def _ref(sheet: str) -> str:
    """A sheet's name as formulas refer to it (always quoted: names may hold å, ä, ö)."""
    return "'" + sheet.replace("'", "''") + "'!"


@dataclass(frozen=True)
class _Layout:
    """Where the model sheet keeps what the other sheets refer to."""

    w0: int          # first weight column
    mean_row: int    # item means under the weights
    msg_row: int     # the "check answers" text and the scale
    lo_ref: str
    hi_ref: str
    ids_rng: str
    names_rng: str
    need_ref: str    # fewest answers for a type
    few_ref: str     # the "too few answers" text
    sheets: dict     # sheet names: answers, types, model, calc (in the workbook's language)
    texts: tuple = ()  # the "check the answers" and "too few answers" texts


def _model_sheet(mod, t: dict, model: dict, lo: float, hi: float, need: int, sheets: dict) -> _Layout:
    """Types, intercepts and weights; item means; the messages, scale and minimum the formulas use."""
    items, types = model["items"], model["types"]
    k = len(types)
    mref = _ref(sheets["model"])
    # row 1: headers; column A type_id, B name, C tagline, D intercept, E.. weights per item
    # row k+3: "mean" then item means under the weights; row k+5: the "check answers" text
    # and the scale; row k+6: the "too few answers" text and the fewest answers for a type
    _text(mod, "A1", t["h_type_id"], bold=True)
    _text(mod, "B1", t["h_type_name"], bold=True)
    _text(mod, "C1", t["h_tagline"], bold=True)
    _text(mod, "D1", t["wb_intercept"], bold=True)
    w0 = 5  # first weight column
    for j, item in enumerate(items):
        _text(mod, f"{col(w0 + j)}1", item, bold=True)
    for r, ty in enumerate(types, start=2):
        mod.cell(r, 1, ty["type_id"]).alignment = _TOP
        _text(mod, f"B{r}", ty["name"], wrap=True)  # long names whole, on screen and printed
        _text(mod, f"C{r}", ty["tagline"], wrap=True)
        _lines_height(mod, f"B{r}", 30, f"C{r}", 45)
        mod.cell(r, 4, ty["intercept"])
        for j, w in enumerate(ty["weights"]):
            mod.cell(r, w0 + j, w)
    mean_row = k + 3
    _text(mod, f"D{mean_row}", t["wb_mean"], bold=True, wrap=True)
    _lines_height(mod, f"D{mean_row}", 22)
    for j, m in enumerate(model["means"]):
        mod.cell(mean_row, w0 + j, m)
    msg_row = k + 5
    _text(mod, f"A{msg_row}", _bad_text(t, lo, hi))
    # the scale as numbers (criteria built from cells stay right under any decimal separator)
    _text(mod, f"D{msg_row}", t["h_scale"], bold=True)
    mod.cell(msg_row, w0, lo)
    mod.cell(msg_row, w0 + 1, hi)
    lo_ref, hi_ref = f"{mref}${col(w0)}${msg_row}", f"{mref}${col(w0 + 1)}${msg_row}"
    _text(mod, f"A{msg_row + 1}", t["wb_too_few"].format(m=need, n=len(items)))
    _text(mod, f"D{msg_row + 1}", t["wb_min_answered"], bold=True, wrap=True)
    mod.cell(msg_row + 1, w0, need)
    _text(mod, f"A{msg_row + 2}", t["wb_model_note"])
    for r in range(msg_row, msg_row + 3):  # the messages read whole: over A:C, wrapped
        mod.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
        mod[f"A{r}"].alignment = _WRAP
        _lines_height(mod, f"A{r}", 85, f"D{r}", 22)
    mod.column_dimensions["B"].width = 32
    mod.column_dimensions["C"].width = 46
    mod.column_dimensions["D"].width = 24
    mod.protection.sheet = True
    ids_rng = f"{mref}$A$2:$A${k + 1}"
    names_rng = f"{mref}$B$2:$B${k + 1}"
    return _Layout(w0, mean_row, msg_row, lo_ref, hi_ref, ids_rng, names_rng,
                   need_ref=f"{mref}${col(w0)}${msg_row + 1}", few_ref=f"{mref}$A${msg_row + 1}", sheets=sheets,
                   texts=(mod[f"A{msg_row}"].value, mod[f"A{msg_row + 1}"].value))


def _answers_sheet(ans, t: dict, model: dict, lo: float, hi: float, last: int) -> None:
    """Where the user types or pastes answers: one row per respondent, checked against the scale."""
    items = model["items"]
    n = len(items)
    _text(ans, "A1", t["h_id"], bold=True)
    ans["A1"].fill = _HEAD
    for j, (item, text) in enumerate(zip(items, model["texts"])):
        c = _text(ans, f"{col(2 + j)}1", item, bold=True)
        c.fill = _HEAD
        if text:
            c.comment = Comment(text, "behaviortypes", width=300, height=110)
        ans.column_dimensions[col(2 + j)].width = max(8, len(item) + 3)
    ans.column_dimensions["A"].width = 16
    ans.freeze_panes = "B2"
    dv = DataValidation(type="whole" if _whole_scale(lo, hi) else "decimal", operator="between",
                        formula1=f"{lo:g}", formula2=f"{hi:g}",
                        allow_blank=True, showErrorMessage=True, errorStyle="stop",
                        error=_bad_text(t, lo, hi)[:255])
    ans.add_data_validation(dv)
    dv.add(f"B2:{col(1 + n)}{last}")


def _calc_sheet(calc, model: dict, lay: _Layout, last: int, *, whole: bool, codes: list[float]
                ) -> tuple[int, int, int, int]:
    """The hidden sheet scoring every row; returns the columns of exps, their sum and the best type."""
    items, types = model["items"], model["types"]
    n, k = len(items), len(types)
    w0, mean_row, lo_ref, hi_ref = lay.w0, lay.mean_row, lay.lo_ref, lay.hi_ref
    a, m = _ref(lay.sheets["answers"]), _ref(lay.sheets["model"])
    # A: blank row?  B: number of bad answers  C..: filled answers  then scores, max, exps, sum,
    # best, the number of answers given and each answer's state (1 answer, 0 none, -1 bad)
    x0 = 3
    s0 = x0 + n           # scores
    mx = s0 + k           # max score
    e0 = mx + 1           # exp(score - max)
    sm = e0 + k           # sum of exps
    bi = sm + 1           # index of the best type
    na = bi + 1           # answers given (on the scale)
    v0 = na + 1           # each answer's state
    heads = ["blank", "n_bad"] + [f"x_{i}" for i in items] + [f"s_{ty['type_id']}" for ty in types] \
        + ["max"] + [f"e_{ty['type_id']}" for ty in types] + ["sum", "best", "n_answered"] \
        + [f"v_{i}" for i in items]
    for j, h in enumerate(heads, start=1):
        _text(calc, f"{col(j)}1", h, bold=True)
    a_last = col(1 + n)
    x_first, x_last = col(x0), col(x0 + n - 1)
    s_first, s_last = col(s0), col(s0 + k - 1)
    for r in range(2, last + 1):
        v_rng = f"${col(v0)}{r}:${col(v0 + n - 1)}{r}"
        calc.cell(r, 1, f"=COUNTA({a}$A{r}:${a_last}{r})=0")
        calc.cell(r, 2, f"=COUNTIF({v_rng},-1)")
        for j in range(n):
            cell = f"{a}{col(2 + j)}{r}"
            calc.cell(r, v0 + j, _answer_state(cell, lo_ref, hi_ref, whole, codes))
            calc.cell(r, x0 + j, f"=IF({col(v0 + j)}{r}=1,{cell},{m}${col(w0 + j)}${mean_row})")
        for q in range(k):
            mrow = q + 2
            calc.cell(r, s0 + q, f"=SUMPRODUCT({m}${col(w0)}${mrow}:${col(w0 + n - 1)}${mrow},"
                                 f"${x_first}{r}:${x_last}{r})+{m}$D${mrow}")
        calc.cell(r, mx, f"=MAX(${s_first}{r}:${s_last}{r})")
        for q in range(k):
            calc.cell(r, e0 + q, f"=EXP({col(s0 + q)}{r}-${col(mx)}{r})")
        calc.cell(r, sm, f"=SUM({col(e0)}{r}:{col(e0 + k - 1)}{r})")
        calc.cell(r, bi, f"=MATCH(${col(mx)}{r},${s_first}{r}:${s_last}{r},0)")
        calc.cell(r, na, f"=COUNTIF({v_rng},1)")
    calc.sheet_state = "hidden"
    calc.protection.sheet = True
    return e0, sm, bi, na


def _types_sheet(typ, t: dict, model: dict, lay: _Layout, last: int, calc_cols: tuple[int, int, int, int]) -> None:
    """Each row's type and probabilities, by formulas over the hidden calc sheet."""
    types = model["types"]
    k = len(types)
    e0, sm, bi, na = calc_cols
    msg_row, ids_rng, names_rng = lay.msg_row, lay.ids_rng, lay.names_rng
    a, c_, m = _ref(lay.sheets["answers"]), _ref(lay.sheets["calc"]), _ref(lay.sheets["model"])
    heads = [t["h_id"], t["h_type_id"], t["h_type_name"]] + [f"p_{ty['type_id']}" for ty in types]
    for j, h in enumerate(heads, 1):
        c = _text(typ, f"{col(j)}1", h, bold=True)
        c.fill = _HEAD
    typ.column_dimensions["A"].width = 16
    # the whole type name or message ("too few answers ..."): formula results do not wrap
    # to their height, so the column is as wide as the longest (trial 8: names were cut)
    shown = [str(ty["name"]) for ty in types] + [str(lay.texts[0]), str(lay.texts[1])]
    typ.column_dimensions["C"].width = min(100, max(60, 2 + max(map(len, shown))))
    typ.freeze_panes = "B2"
    for r in range(2, last + 1):
        blank, bad = f"{c_}$A{r}", f"{c_}$B{r}>0"
        few = f"{c_}${col(na)}{r}<{lay.need_ref}"
        none = f"OR({blank},{bad},{few})"  # no type for this row
        typ.cell(r, 1, f'=IF(ISBLANK({a}$A{r}),"",{a}$A{r})')
        typ.cell(r, 2, f'=IF({none},"",INDEX({ids_rng},{c_}${col(bi)}{r}))').alignment = _CENTER
        typ.cell(r, 3, f'=IF({blank},"",IF({bad},{m}$A${msg_row},IF({few},{lay.few_ref},'
                       f'INDEX({names_rng},{c_}${col(bi)}{r}))))')
        for q in range(k):
            c = typ.cell(r, 4 + q, f'=IF({none},"",{c_}{col(e0 + q)}{r}/{c_}${col(sm)}{r})')
            c.number_format = "0.0%"
    typ.protection.sheet = True


def _help_sheet(ws, t: dict, spec: TypingSpec, model: dict, lang: str, rows: int, need: int,
                sheets: dict) -> None:
    """Steps, the agreement note, the statements, the scale and the types."""
    items, types = model["items"], model["types"]
    lo, hi = spec.scale_min, spec.scale_max
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 70
    ws.column_dimensions["C"].width = 40
    _text(ws, "A1", t["wb_title"].format(study=spec.study or t["title"]), bold=True).font = Font(bold=True, size=14)
    r = 3
    _text(ws, f"A{r}", t["wb_steps"], bold=True)
    fmt = {"min": f"{lo:g}", "max": f"{hi:g}", "scale": _scale_text(spec), "rows": rows,
           "need": need, "n": len(items), **sheets}
    codes = ", ".join(f"{c:g}" for c in spec.missing_codes)  # every one, as --score blanks them
    for key in ("wb_step1", "wb_step2", "wb_step3", "wb_step4", "wb_step5"):
        r += 1
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
        said = t[key].format(**fmt) + (t["wb_step2_codes"].format(codes=codes) if key == "wb_step2" and codes else "")
        _text(ws, f"A{r}", said, wrap=True)
        _lines_height(ws, f"A{r}", 140)
    r += 2
    _text(ws, f"A{r}", t["wb_agreement"], bold=True)
    r += 1
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
    _text(ws, f"A{r}", agreement_note(spec.agreement_info(), lang), wrap=True)
    _lines_height(ws, f"A{r}", 140)
    if spec.weak_evidence:  # the report's "Read these types with care" (LEFT20)
        r += 1
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
        _text(ws, f"A{r}", t["weak_evidence"], wrap=True).font = Font(bold=True, color="B42318")
        _lines_height(ws, f"A{r}", 140)
    r += 2
    _text(ws, f"A{r}", t["wb_statements"], bold=True)
    r += 1
    _text(ws, f"A{r}", t["wb_id"], bold=True)
    _text(ws, f"B{r}", t["wb_text"], bold=True)
    for item, text in zip(items, model["texts"]):
        r += 1
        _text(ws, f"A{r}", item)
        _text(ws, f"B{r}", text, wrap=True)
        _lines_height(ws, f"B{r}", 80)
    r += 1
    _text(ws, f"A{r}", t["wb_scale"], bold=True)
    _text(ws, f"B{r}", _scale_text(spec), wrap=True)
    r += 2
    _text(ws, f"A{r}", t["wb_types"], bold=True)
    r += 1
    _text(ws, f"A{r}", t["h_type_id"], bold=True)
    _text(ws, f"B{r}", t["wb_name"], bold=True)
    _text(ws, f"C{r}", t["wb_tagline"], bold=True)
    for ty in types:
        r += 1
        ws.cell(r, 1, ty["type_id"]).alignment = Alignment(horizontal="left", vertical="top")
        _text(ws, f"B{r}", ty["name"], wrap=True)
        _text(ws, f"C{r}", ty["tagline"], wrap=True)
        _lines_height(ws, f"B{r}", 80, f"C{r}", 45)


#: Characters of column width that print at full size across a portrait A4 page (about
#: 7.3 inches at 7 pixels a character); a sheet wider than this prints landscape.
PORTRAIT_WIDTH = 100


def _sheet_width(ws) -> float:
    """The printed width of a sheet's used columns, in characters (default width 8.43)."""
    return sum(ws.column_dimensions[col(c)].width or 8.43 if col(c) in ws.column_dimensions else 8.43
               for c in range(1, ws.max_column + 1))


def _page(ws, *, title_rows: str | None = None, landscape: bool | None = None) -> None:
    """Printed: every column on one page width (portrait, landscape when wider than
    :data:`PORTRAIT_WIDTH`), the header row on every page, and the sheet's name and page
    number in the footer, so that a printed page says which sheet it is."""
    if landscape is None:
        landscape = _sheet_width(ws) > PORTRAIT_WIDTH
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.3
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.right.text = "&P / &N"
    ws.oddFooter.left.size = ws.oddFooter.right.size = 8


def _print_setup(wb, help_ws, ans, typ, mod, calc, k: int, last: int) -> None:
    """Printed, the workbook is what a person reads: the help sheet (its text, on one page
    width), ``answers`` and ``types`` with their header row on every page, ``types`` up to
    the last row with answers (a print area by formula, which Excel follows; not its 1,000
    formula rows: 14 pages of headers in trial 8), ``model`` every column on one landscape
    page width; ``calc`` is hidden, so it is never printed. Each page's footer names its
    sheet and page.

    LibreOffice (7.4) reads a print area only as a fixed range and drops one by formula, so
    there ``types`` prints all its formula rows (the help sheet's step 3 says how to print
    only the rows with answers)."""
    from openpyxl.workbook.defined_name import DefinedName

    # the last row of answers (0: none yet), from the hidden sheet's blank-row column
    spare = calc.max_column + 1
    _text(calc, f"{col(spare)}1", "last_row", bold=True)
    calc.cell(2, spare, f"=SUMPRODUCT(MAX((A2:A{last}=FALSE)*ROW(A2:A{last})))")
    area = f"OFFSET({_ref(typ.title)}$A$1,0,0,MAX(1,{_ref(calc.title)}${col(spare)}$2),{3 + k})"
    typ.defined_names["_xlnm.Print_Area"] = DefinedName("_xlnm.Print_Area", attr_text=area,
                                                        localSheetId=wb.sheetnames.index(typ.title))
    help_ws.print_area = f"A1:C{help_ws.max_row}"  # the text, not the columns' formatting beyond it
    _page(help_ws, landscape=False)
    _page(ans, title_rows="1:1")
    _page(typ, title_rows="1:1", landscape=False)  # portrait: more rows a page where all print
    _page(mod, title_rows="1:1", landscape=True)


def write_typing_xlsx(tool: str | Path | TypingSpec, path: str | Path, lang: str | None = None,
                      *, rows: int = DEFAULT_ROWS, min_answered: int | None = None) -> Path:
    """Write the typing tool as an Excel workbook computing each type by formulas.

    Parameters
    ----------
    tool : path or TypingSpec
        A discovery folder, a ``typing_tool.yaml`` or a loaded spec.
    path : path
        The ``.xlsx`` file to write (atomically).
    lang : {"en", "sv"}, optional
        Language of the help sheet and messages (default: the study's language, else
        English). Type names and taglines the tool suggested and the analyst left as
        they were follow it (:meth:`TypingSpec.in_language`); what the analyst wrote in
        ``types.yaml`` and the statements stay as the study wrote them.
    rows : int, default=1000
        Respondent rows with formulas (from row 2 of ``answers``).
    min_answered : int, optional
        Fewest answered statements for a type (default: half of them, as ``--score``,
        :func:`~behaviortypes.deliver.score_answers`); a row with fewer shows why
        instead of a type.

    Returns
    -------
    Path
    """
    spec = tool if isinstance(tool, TypingSpec) else load_typing_spec(tool)
    lang = lang or (spec.language if spec.language in ("en", "sv") else "en")
    spec = spec.in_language(lang)  # the type names and taglines the tool generated, in lang
    t = ui_text(lang)
    if spec.id_column and spec.id_column != "respondent_id":
        t["h_id"] = spec.id_column  # the survey's own id column, as in the file the answers come from
    model = spec.model_dict()
    last = rows + 1
    lo, hi = spec.scale_min, spec.scale_max

    need = default_min_answered(len(spec.items)) if min_answered is None else int(min_answered)
    if not 1 <= need <= len(spec.items):
        raise InputError(code="problem_workbook_min_answered", values={"n": len(spec.items)}, value=need)
    sheets = {key: t[f"sh_{key}"] for key in ("answers", "types", "model", "calc")}

    wb = Workbook()
    wb.properties.creator = TOOL_MARK  # how a re-run knows the file is ours to replace
    help_ws = wb.active
    help_ws.title = t["help_sheet"]
    ans = wb.create_sheet(sheets["answers"])
    typ = wb.create_sheet(sheets["types"])
    mod = wb.create_sheet(sheets["model"])
    calc = wb.create_sheet(sheets["calc"])

    lay = _model_sheet(mod, t, model, lo, hi, need, sheets)
    _answers_sheet(ans, t, model, lo, hi, last)
    calc_cols = _calc_sheet(calc, model, lay, last, whole=_whole_scale(lo, hi),
                            codes=list(spec.missing_codes))
    _types_sheet(typ, t, model, lay, last, calc_cols)
    _help_sheet(help_ws, t, spec, model, lang, rows, need, sheets)
    _print_setup(wb, help_ws, ans, typ, mod, calc, len(model["types"]), last)
    wb.active = 0

    path = Path(path)
    with atomic_path(path, suffix=".xlsx") as tmp:
        wb.save(tmp)
    return path
