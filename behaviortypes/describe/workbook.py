"""The banner workbook: types as columns, levels as rows, significant cells marked as in Q.

One sheet per descriptor, an ``outcomes`` sheet and a ``notes`` sheet (``utfall`` and
``läsanvisning`` in Swedish: every text of the workbook is in the study's language or the
one asked for, from ``report/i18n``). Shares are real
numbers formatted as percentages; a cell significantly above the rest of the sample is
red with ``▲``, one below is blue with ``▼`` — the report's convention (its heatmaps and
banner page: red above, blue below). The arrow is in the cell's number format, so the
value stays a number; a lower bound on a count ("at least 374" when cells are hidden) is a
number formatted ``≥374``. Suppressed cells show ``*``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Said
from ..files import atomic_path, check_output_file, refuse_unmarked_files, xlsx_is_marked
from ..plots import amount_digits, fixed, grouped, interval_digits

__all__ = ["BANNER_MARK", "write_banner_workbook", "refuse_foreign_banner_workbook"]

# red above, blue below: the same convention as the report's heatmaps and banner page
_UP, _DOWN = "B42318", "1F4E9A"  # font colours
_UP_FILL, _DOWN_FILL = "FBE1DE", "DCE8F7"
_COL_WIDTH = 18  # characters per type column
_LABEL_WIDTH = 40  # at most this wide, the outcome labels (column A) wrap beyond it
_AT_LEAST = '"≥"#,##0'  # a lower bound: some of the type's cells are hidden


def _header_height(head: list[str], width: int = _COL_WIDTH) -> float:
    """Row height (points) that shows every wrapped header line (11 pt text)."""
    import textwrap

    lines = max((len(textwrap.wrap(h, width=max(4, width - 2))) for h in head), default=1)
    return 15.0 * max(2, lines) + 4
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(name: str, used: set[str]) -> str:
    base = _BAD_SHEET.sub("_", str(name))[:31] or "sheet"
    cand, i = base, 2
    while cand.lower() in used:
        suffix = f" ({i})"
        cand = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(cand.lower())
    return cand


def _styles():
    """Shared styles: bold, a thin grey side, wrapped centred header text."""
    from openpyxl.styles import Alignment, Font, Side

    return Font(bold=True), Side(style="thin", color="999999"), Alignment(
        wrap_text=True, vertical="top", horizontal="center")


def _decimals(text: str, lang: str) -> str:
    """A number written in ``lang``: ``0.05`` / ``0,05`` (``%`` after a space in Swedish)."""
    return text.replace(".", ",").replace("%", "\u00a0%") if lang == "sv" else text


def _p_text(p: float, lang: str) -> str:
    return _decimals("p < 0.001" if p < 0.001 else f"p = {p:.3g}", lang)  # never "p = 0"


def _banner_sheet(ws, var: str, table: pd.DataFrame, label: str, head: list[str], type_ids: list[int],
                  tests: pd.DataFrame, meta: dict, cell_min, tx: dict, lang: str) -> None:
    """One descriptor's banner table: column % per type, its base row and its test."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill

    bold, thin, wrap = _styles()
    ws["A1"] = label
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = tx["banner_wb_column_pct"]
    ws.append([])
    ws.append(["", tx["banner_wb_all"], *head])
    for c in ws[4]:
        c.font, c.alignment, c.border = bold, wrap, Border(bottom=thin)
    ws.row_dimensions[4].height = _header_height(head)
    for level, rows in table.groupby("level", sort=False):
        rows = rows.set_index("type_id")
        overall = rows["overall_share"].iloc[0]
        ws.append([str(level), None if pd.isna(overall) else float(overall)])
        r = ws.max_row
        ws.cell(r, 2).number_format = "0%"
        if pd.isna(overall):
            ws.cell(r, 2).value = "*"
            ws.cell(r, 2).alignment = Alignment(horizontal="right")
        for j, t in enumerate(type_ids, start=3):
            cell = ws.cell(r, j)
            row = rows.loc[t] if t in rows.index else None
            if row is None or pd.isna(row["share"]):
                cell.value = "*"
                cell.alignment = Alignment(horizontal="right")
                continue
            cell.value = float(row["share"])
            cell.number_format = "0%"
            if bool(row["significant"]):
                up = row["share"] > (rows.loc[t, "overall_share"] if pd.notna(overall) else 0)
                cell.number_format = '0%" ▲"' if up else '0%" ▼"'
                cell.font = Font(bold=True, color=_UP if up else _DOWN)
                cell.fill = PatternFill("solid", fgColor=_UP_FILL if up else _DOWN_FILL)
    # base row: respondents per type with an answer
    ws.append([tx["banner_wb_base"], None, *[None] * len(type_ids)])
    r = ws.max_row
    ws.cell(r, 1).font = Font(italic=True)
    for c in ws[r]:
        c.border = Border(top=thin)
    bases = (meta.get("bases") or {}).get(var) or {}
    for j, t in enumerate(type_ids, start=3):
        ns = table.loc[table["type_id"] == t, "n"]
        cell = ws.cell(r, j)
        cell.alignment = Alignment(horizontal="right")
        if str(t) in bases:  # the type's size is not disclosive: the report prints it
            cell.value, cell.number_format = int(bases[str(t)]), "#,##0"
        elif ns.isna().all():
            cell.value = "*"
        else:  # a number; with hidden cells a lower bound shown as ≥ by its format
            cell.value = int(ns.sum())
            cell.number_format = _AT_LEAST if ns.isna().any() else "#,##0"
    # everyone who answered (banner_tests.csv), else the sum when nothing is hidden
    n_all = tests.loc[var, "n"] if var in tests.index and "n" in tests.columns else np.nan
    if pd.isna(n_all) and not table["n"].isna().any():
        n_all = table["n"].sum()
    all_cell = ws.cell(r, 2)
    all_cell.alignment = Alignment(horizontal="right")
    if pd.notna(n_all):
        all_cell.value, all_cell.number_format = int(n_all), "#,##0"
    elif table["n"].notna().any():
        all_cell.value, all_cell.number_format = int(table["n"].sum()), _AT_LEAST
    if var in tests.index:
        tr = tests.loc[var]
        ws.append([])
        # unweighted the numerator df is whole ("6", not "6.0"); a weighted design's
        # Satterthwaite df keeps one decimal
        df1 = float(tr["df1_rs2"])
        df1_text = f"{df1:.0f}" if abs(df1 - round(df1)) < 0.05 else f"{df1:.1f}"
        ws.append([tx["banner_wb_association"].format(
            f=_decimals(f"{tr['f_rs2']:.2f}", lang), df1=_decimals(df1_text, lang),
            df2=f"{tr['df2_rs2']:.0f}", p=_p_text(tr["p_value"], lang))])
    # one short note a line, so that printing to one page width keeps the table readable
    alpha = _decimals(f"{fixed(meta.get('alpha', 0.05), scale=100)}%", lang)
    ws.append([tx["banner_wb_marks"].format(alpha=alpha)])
    ws.append([tx["banner_wb_suppressed_hidden"].format(min=cell_min)])
    from .profile import protected_level_lines  # a small level that hid a large one (trial 22)

    for line in protected_level_lines(meta, tx, {var: label}, only=var):
        ws.append([line])
    hidden = int(table["n"].isna().sum())
    if hidden > len(table) / 2:  # most of the table hidden: say why and what to do
        ws.append([tx["banner_wb_mostly_hidden"].format(hidden=hidden, cells=len(table), min=cell_min)])
    if table["n"].isna().any() and not bases:
        ws.append([tx["banner_wb_at_least"]])
    ws.column_dimensions["A"].width = 28
    for j in range(2, len(type_ids) + 3):
        ws.column_dimensions[ws.cell(4, j).column_letter].width = _COL_WIDTH
    ws.freeze_panes = "B5"


def _outcomes_sheet(ws, result, head: list[str], type_ids: list[int], meta: dict, cell_min,
                    tx: dict, lang: str) -> None:
    """Bias-adjusted outcome means per type, their intervals and the assigned types' means."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill

    from .profile import implausible_notes

    bold, thin, wrap = _styles()
    ws["A1"] = tx["banner_wb_outcomes_title"]
    ws["A1"].font = Font(bold=True, size=13)
    if not len(result.outcomes):  # the sheet said nothing (user trial 21): say why
        ws["A2"] = tx["banner_wb_no_outcomes"]
        ws.column_dimensions["A"].width = 110
        return
    ws["A2"] = tx["banner_wb_outcomes_lead"]
    ws.append([])
    ws.append(["", "", tx["banner_wb_all"], *head])
    for c in ws[4]:
        c.font, c.alignment, c.border = bold, wrap, Border(bottom=thin)
    ws.row_dimensions[4].height = _header_height(head)
    olabels = {o["column"]: o.get("label") or o["column"] for o in meta.get("outcomes", [])}
    binary = {o["column"]: bool(o.get("binary")) for o in meta.get("outcomes", [])}
    ranges = {o["column"]: tuple(o["range"]) for o in meta.get("outcomes", []) if o.get("range")}
    marks = {"cut": {}, "none": False}  # notes below the table, when they apply
    import math
    import textwrap

    # the label of an outcome is never cut: column A as wide as the longest word needs (up to
    # _LABEL_WIDTH) and the label wrapped over its three rows (merged), taller rows if need be
    labels = [str(olabels.get(v, v)) for v in result.outcomes["variable"].unique()]
    width_a = max(30, min(_LABEL_WIDTH, max((len(w) for t in labels for w in t.split()), default=0) + 2))
    for var, table in result.outcomes.groupby("variable", sort=False):
        # kronor as 118,754 (grouped, whole from AMOUNT_WHOLE up), not 118753.50 (trial 10)
        whole = not binary.get(var) and amount_digits(*table["mean"], table["overall_mean"].iloc[0]) == 0
        fmt = "0%" if binary.get(var) else "#,##0" if whole else "0.00"
        overall = table["overall_mean"].iloc[0]
        label = str(olabels.get(var, var))
        lines = len(textwrap.wrap(label, width=max(4, width_a - 2))) or 1
        for method, title in (("bch", tx["banner_wb_bch"]), ("ci", tx["banner_wb_ci"]),
                              ("modal", tx["banner_wb_modal"])):
            ws.append([olabels.get(var, var) if method == "bch" else "", title,
                       float(overall) if method == "bch" else None])
            r = ws.max_row
            first = r if method == "bch" else first  # the label's row (merged over three)
            ws.cell(r, 3).number_format = fmt
            for j, t in enumerate(type_ids, start=4):
                sel = table[(table["type_id"] == t) & (table["method"] == ("bch" if method == "ci" else method))]
                cell = ws.cell(r, j)
                if sel.empty or pd.isna(sel["mean"].iloc[0]):
                    # "–": no estimate (far outside the outcome's values); "*": too few
                    none = not sel.empty and pd.notna(sel["n"].iloc[0])
                    cell.value = "–" if none else "*"
                    marks["none"] = marks["none"] or none
                    cell.alignment = Alignment(horizontal="right")
                    continue
                row = sel.iloc[0]
                if method == "ci" and ranges.get(var) and row["se"] > 0 and (
                        row["ci_low"] in ranges[var] or row["ci_high"] in ranges[var]):
                    marks["cut"] = marks["cut"] or _range_text(ranges[var], binary.get(var), lang)
                if method == "ci":
                    # more decimals when the ends would read as one number ("28% – 28%")
                    scale, unit = (100, "%") if binary.get(var) else (1, "")
                    d = interval_digits(row["ci_low"], row["ci_high"], 0 if unit or whole else 2, scale=scale)
                    sep = "\u202f" if lang == "sv" else ","
                    cell.value = " – ".join(_decimals(grouped(fixed(v, d, scale=scale), sep) + unit, lang)
                                            for v in (row["ci_low"], row["ci_high"]))
                    cell.font = Font(italic=True, color="666666")
                    cell.alignment = Alignment(horizontal="right")
                else:
                    cell.value = float(row["mean"])
                    cell.number_format = fmt
                    if method == "bch" and np.isfinite(overall) and (
                            row["ci_low"] > overall or row["ci_high"] < overall):
                        up = row["mean"] > overall
                        cell.number_format = fmt + ('" ▲"' if up else '" ▼"')
                        cell.font = Font(bold=True, color=_UP if up else _DOWN)
                        cell.fill = PatternFill("solid", fgColor=_UP_FILL if up else _DOWN_FILL)
        ws.merge_cells(start_row=first, start_column=1, end_row=first + 2, end_column=1)
        ws.cell(first, 1).alignment = Alignment(wrap_text=True, vertical="top")
        if lines > 3:  # three rows of 15 pt show three lines
            for r in range(first, first + 3):
                ws.row_dimensions[r].height = 15.0 * math.ceil(lines / 3)
        ws.append([])
    ws.append([tx["banner_wb_outcome_marks"]])
    if marks["cut"]:
        ws.append([tx["banner_wb_interval_cut"].format(**marks["cut"])])
    if marks["none"]:
        ws.append([tx["banner_wb_no_estimate"]])
    ws.append([tx["banner_wb_suppressed"].format(min=cell_min)])
    for line in implausible_notes(meta, tx, olabels):  # the means include them (trial 23)
        ws.append([line])
    ws.column_dimensions["A"].width = width_a
    ws.column_dimensions["B"].width = 16
    for j in range(3, len(type_ids) + 4):
        ws.column_dimensions[ws.cell(4, j).column_letter].width = _COL_WIDTH


def _range_text(bounds: tuple, binary: bool, lang: str) -> dict[str, str]:
    """``{"low": "1", "high": "10"}`` as the sheet writes them (``0%``/``100%`` for a 0/1 outcome)."""
    scale, unit = (100, "%") if binary else (1, "")
    low, high = (_decimals(fixed(v, 0 if float(v * scale).is_integer() else 2, scale=scale) + unit, lang)
                 for v in bounds)
    return {"low": low, "high": high}


#: the creator recorded in every banner workbook behaviortypes writes (its ownership mark)
BANNER_MARK = "behaviortypes banner tables"


def _banner_xlsx_is_ours(path: Path) -> bool:
    return xlsx_is_marked(path, BANNER_MARK, ("outcomes", "notes"))


def refuse_foreign_banner_workbook(path: str | Path) -> None:
    """Refuse, with one line, to replace an existing file that is not a banner workbook
    behaviortypes wrote (``profile --xlsx``).

    Raises
    ------
    InputError
        When ``path`` exists (or is a link) and is not such a workbook, or cannot be
        written (a folder, a read-only or locked file, a read-only folder:
        :func:`behaviortypes.files.check_output_file`).
    """
    refuse_unmarked_files([path], {".xlsx": _banner_xlsx_is_ours}, what=Said("problem_what_a_banner_workbook"),
                          hint=Said("problem_not_ours_banner_fix"))
    check_output_file(path)  # a folder, a read-only or locked file, a folder not ours to write in


def write_banner_workbook(result, path: str | Path, *, lang: str | None = None) -> Path:
    """Write ``result`` (a :class:`~behaviortypes.describe.profile.ProfileResult`) as ``.xlsx``.

    Parameters
    ----------
    result : ProfileResult
    path : str or Path
        The workbook to write (atomically). An existing file is replaced only when
        behaviortypes wrote it (:func:`refuse_foreign_banner_workbook`).
    lang : {"en", "sv"}, optional
        Language of the sheet names, headers, notes and legends (``report/i18n``);
        default: the study's (``profile.json`` ``language``, the instrument's), else English.

    Returns
    -------
    Path
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from ..i18n import output_language
    from ..texts import load_texts

    refuse_foreign_banner_workbook(path)  # never a file of the user's
    meta = result.meta
    lang = output_language(lang, meta.get("language"))
    tx = load_texts(lang)
    names = {int(k): v for k, v in meta.get("type_names", {}).items()}
    if Path(result.out).is_dir():  # the names the report and typing tool of the folder show in lang
        from .profile import type_names_in

        names.update(type_names_in(result.out, lang))
    type_ids = sorted(int(t) for t in pd.unique(result.banner["type_id"])) if len(result.banner) else \
        sorted(int(t) for t in pd.unique(result.outcomes["type_id"]))
    head = [f"{i} · {' '.join(str(names.get(i) or tx['banner_wb_type'].format(id=i)).split())}" for i in type_ids]
    cell_min = meta.get("min_cell")
    wb = Workbook()
    wb.properties.creator = BANNER_MARK
    wb.remove(wb.active)
    sheet_outcomes, sheet_notes = tx["banner_wb_sheet_outcomes"], tx["banner_wb_sheet_notes"]
    used: set[str] = {sheet_outcomes.lower(), sheet_notes.lower()}
    labels = {d["column"]: d.get("label") or d["column"] for d in meta.get("descriptors", [])}
    tests = result.tests.set_index("variable") if len(result.tests) else pd.DataFrame()

    for var, table in result.banner.groupby("variable", sort=False):
        # a sheet per descriptor, named by its label as its header is (Kön, not kon; user trial 12)
        sheet = wb.create_sheet(_sheet_name(labels.get(var, var), used))
        _banner_sheet(sheet, var, table, labels.get(var, var), head, type_ids, tests, meta, cell_min, tx, lang)
    _outcomes_sheet(wb.create_sheet(sheet_outcomes), result, head, type_ids, meta, cell_min, tx, lang)

    notes = wb.create_sheet(sheet_notes)
    for key in ("title", "column", "all", "marks", "outcomes", "colours", "suppressed", "at_least"):
        notes.append([tx[f"banner_wb_notes_{key}"].format(min=cell_min)])
    notes["A1"].font = Font(bold=True, size=13)
    notes.column_dimensions["A"].width = 110
    for sheet in wb.worksheets:  # print (and PDF) each sheet on one landscape page width
        sheet.page_setup.orientation = "landscape"
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
    path = Path(path)
    with atomic_path(path, suffix=".xlsx") as tmp:
        wb.save(tmp)
    return path
