"""The progress sheets (greencli.adapters.progress_plan) written by openpyxl: a workbook of their own, or added to a
workbook already there (`progress --out`) without losing its other sheets. Every sheet prints on A4 landscape, one
page wide, its header repeated. Score and rollup write them with xlsxwriter instead, inside the consolidated
workbook they write (`xlsx_report.build_district_workbook`), so that workbook is never opened again.

`before_rewrite` looks at a consolidated workbook about to be rewritten: the progress sheets in it are made again
(`progress_plan.carried`), a sheet a person added is never dropped."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from greencli.adapters.files import OutputError, atomic_target
from greencli.adapters.oserrors import with_detail
from greencli.adapters.progress_plan import (
    MADE_FOR_AS_OF,
    MADE_FOR_YEAR,
    SHEETS,
    Before,
    PlannedChart,
    PlannedSheet,
    Style,
    plan_progress,
)
from greencli.adapters.xlsx_report import FOOTER
from greencli.core.listings import Listing
from greencli.core.progress import Progress
from greencli.core.rubric import Rubric

DISTRICT_SHEETS = ("汇总", "分项得分", "乡街统计", "部门失分", "达标差距", "问题清单")  # xlsx_report's
THIN = Side(style="thin", color="808080")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def print_setup(ws: Worksheet, title: str, header_rows: str) -> None:
    """A4 landscape, one page wide, the header rows on every page, the title and page numbers in the margins."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[union-attr]
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    if header_rows:
        ws.print_title_rows = header_rows
    header, footer = ws.oddHeader, ws.oddFooter
    assert header is not None and footer is not None  # a new or loaded openpyxl sheet always has both
    header.center.text, header.center.size, header.center.font = title, 12, "宋体,Bold"
    footer.center.text, footer.center.size = FOOTER, 9


_LOOKS: dict[Style, tuple[Font, PatternFill | None, Alignment | None, Border | None]] = {}


def _look(style: Style) -> tuple[Font, PatternFill | None, Alignment | None, Border | None]:
    if style not in _LOOKS:
        font = Font(name=style.font, size=style.size, bold=style.bold or None)
        fill = PatternFill("solid", fgColor=style.fill) if style.fill else None
        alignment = (Alignment(horizontal=style.align, vertical=style.valign, wrap_text=style.wrap or None)
                     if style.align or style.valign or style.wrap else None)  # fmt: skip
        _LOOKS[style] = (font, fill, alignment, GRID if style.grid else None)
    return _LOOKS[style]


def _span(first_row: int, first_col: int, last_row: int, last_col: int) -> str:
    return f"{get_column_letter(first_col)}{first_row}:{get_column_letter(last_col)}{last_row}"


def _chart(ws: Worksheet, planned: PlannedChart) -> None:
    chart = BarChart()
    chart.type = "col"
    chart.title = planned.title
    chart.y_axis.title = "达标率"
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    c, r = planned.categories, planned.rates
    categories = Reference(ws, min_col=c.first_col, min_row=c.first_row, max_row=c.last_row)
    chart.add_data(Reference(ws, min_col=r.first_col, min_row=r.first_row, max_row=r.last_row), titles_from_data=True)
    # each bar carries its rate (the value alone), readable on paper without the table
    chart.dataLabels = DataLabelList(showVal=True, showCatName=False, showSerName=False, showLegendKey=False,
                                     showPercent=False, dLblPos="outEnd", numFmt="0.0%")  # fmt: skip
    chart.set_categories(categories)
    if planned.target is not None:
        t = planned.target
        line = LineChart()
        line.add_data(
            Reference(ws, min_col=t.first_col, min_row=t.first_row, max_row=t.last_row), titles_from_data=True
        )
        line.set_categories(categories)
        chart += line
    chart.height, chart.width = planned.height_cm, planned.width_cm
    ws.add_chart(chart, f"A{planned.anchor_row}")


def render_sheet(ws: Worksheet, planned: PlannedSheet) -> None:
    """One planned sheet, cell by cell, onto an openpyxl sheet."""
    for cell in (cell for _, cells in planned.rows() for cell in cells):
        target = ws.cell(cell.row, cell.col, cell.value)
        if isinstance(cell.value, str):
            target.data_type = "s"  # openpyxl takes text starting with "=" for a formula; text stays text
        if cell.number_format is not None:
            target.number_format = cell.number_format
        font, fill, alignment, border = _look(cell.style)
        if cell.style.bold or cell.style.size or cell.style.font:
            target.font = font
        if fill is not None:
            target.fill = fill
        if alignment is not None:
            target.alignment = alignment
        if border is not None:
            target.border = border
    for span in planned.merged:
        ws.merge_cells(start_row=span.first_row, start_column=span.first_col, end_row=span.last_row,
                       end_column=span.last_col)  # fmt: skip
    for row, height in planned.heights.items():
        ws.row_dimensions[row].height = height
    for col, width in planned.widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    if planned.freeze is not None:
        ws.freeze_panes = f"{get_column_letter(planned.freeze[1])}{planned.freeze[0]}"
    if planned.filtered is not None:
        f = planned.filtered
        ws.auto_filter.ref = _span(f.first_row, f.first_col, f.last_row, f.last_col)
    rows = f"{planned.title_rows[0]}:{planned.title_rows[1]}" if planned.title_rows else ""
    print_setup(ws, planned.page_title, rows)
    if planned.chart is not None:
        _chart(ws, planned.chart)


def write_progress(path: Path, result: Progress, rubric: Rubric, lists: Sequence[Listing] = ()) -> None:
    """Write the progress sheets to `path`: a new workbook, or added to the workbook already there."""
    with atomic_target(path) as temporary:
        add_progress_sheets(path if path.exists() else None, temporary, result, rubric, lists)


def add_progress_sheets(
    source: Path | None, target: Path, result: Progress, rubric: Rubric, lists: Sequence[Listing] = ()
) -> None:
    """Add (or replace) the four progress sheets of `source` (or of a new workbook) and save them to `target`."""
    if source is not None:
        try:
            wb = openpyxl.load_workbook(source)
        except Exception as exc:
            reason = with_detail("该文件不是可读取的 .xlsx 工作簿", f"{type(exc).__name__}: {exc}")
            raise OutputError("output-workbook-unreadable", path=str(source), reason=reason) from exc
        for name in SHEETS:
            if name in wb.sheetnames:
                del wb[name]
    else:
        wb = openpyxl.Workbook()
        assert wb.active is not None
        wb.remove(wb.active)
    plan = plan_progress(result, rubric, lists)
    for planned in plan.sheets():
        render_sheet(wb.create_sheet(planned.name), planned)
    props = _custom(wb)
    for prop in [p for p in props if p.name in plan.made_for]:
        props.props.remove(prop)
    for name, value in plan.made_for.items():
        props.append(StringProperty(name=name, value=value))
    wb.save(target)


def _custom(wb: openpyxl.Workbook) -> Any:
    """The workbook's custom document properties (openpyxl 3.1 has them; its type stubs do not)."""
    return wb.custom_doc_props  # type: ignore[attr-defined]


def before_rewrite(path: Path, year: int | None) -> Before | None:
    """Look at the workbook at `path` before it is rewritten; None when there is none, or nothing in it but the six
    sheets (an unreadable file is replaced as before: it holds no sheet to lose). `year` stands for the year of
    progress sheets that do not say theirs (written before they did)."""
    try:
        wb = openpyxl.load_workbook(path, read_only=True)
    except Exception:  # missing, not a workbook, unreadable: nothing to keep
        return None
    try:
        names = list(wb.sheetnames)
        props = {p.name: str(p.value) for p in _custom(wb)}
        progress: tuple[int, date | None] | None = None
        if SHEETS[0] in names:
            made = props.get(MADE_FOR_YEAR) or _title_year(wb[SHEETS[0]]["A1"].value) or str(year)
            as_of = props.get(MADE_FOR_AS_OF) or ""
            progress = (int(made), date.fromisoformat(as_of) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", as_of) else None)
    except Exception:
        return None
    finally:
        wb.close()
    others = tuple(n for n in names if n not in DISTRICT_SHEETS and n not in SHEETS)
    return Before(path, progress, others) if progress is not None or others else None


def _title_year(title: object) -> str | None:
    found = re.match(r"(\d{4})年度", str(title or ""))
    return found.group(1) if found else None
