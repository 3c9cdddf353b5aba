"""The progress report as a workbook: 年度进度 (with a native chart of each 乡街's rate against the target),
社区状态, 冲刺名单 and 名单 (the year's lists the office hands out). Written new, or added to an existing consolidated
workbook without losing its other sheets. Every sheet prints on A4 landscape, one page wide, its header repeated."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from greencli.adapters.files import OutputError, atomic_target
from greencli.adapters.template import text_width
from greencli.core.errors import with_detail
from greencli.core.listings import Listing
from greencli.core.progress import Progress
from greencli.core.rubric import Rubric

RATE_COL, TARGET_COL = 9, 10  # 达标率 and 目标 in 年度进度 (1-based), the chart's two series
SHEETS = ("年度进度", "社区状态", "冲刺名单", "名单")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
BODY_FONT = Font(name="宋体", size=10)
FOOTER = "第 &P 页，共 &N 页"


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


def _table(ws: Worksheet, headers: list[str], rows: list[list[Any]], formats: dict[int, str] | None = None) -> None:
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for row in rows:
        ws.append(row)
    for r in ws.iter_rows(min_row=2):
        for cell in r:
            if isinstance(cell.value, str):
                # openpyxl takes text starting with "=" for a formula; user text must stay text
                cell.data_type = "s"
            if formats and cell.column in formats:
                cell.number_format = formats[cell.column]
    for col, header in enumerate(headers, start=1):
        widest = max([text_width(header) + 2, *(text_width(_shown(r[col - 1])) + 2 for r in rows)])
        ws.column_dimensions[get_column_letter(col)].width = min(50, max(8, widest))
    ws.row_dimensions[1].height = 30  # two lines of header
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def _shown(value: Any) -> str:
    """A value as the sheet shows it (numbers to one decimal), for column widths."""
    if isinstance(value, float):
        return f"{value:.1f}"
    return "" if value is None else str(value)


def _met_label(met: bool | None, has_target: bool) -> str:
    if met is None:
        return "无城市社区" if has_target else "无目标"
    return "达到" if met else "未达到"


def write_progress(
    path: Path, result: Progress, doc: dict[str, Any], rubric: Rubric, lists: Sequence[Listing] = ()
) -> None:
    """Write the progress sheets to `path`: a new workbook, or added to the workbook already there."""
    with atomic_target(path) as temporary:
        add_progress_sheets(path if path.exists() else None, temporary, result, doc, rubric, lists)


def _sprint_note(c: dict[str, Any], pass_mark: float) -> str:
    if c.get("invalid_submission"):
        return "本年交来的评分表无效，改正后重新提交"
    if c["total"] is None:
        return "从未评审"
    return "先消除否决项" if c["vetoes"] else f"距{pass_mark:g}分"


def add_progress_sheets(
    source: Path | None,
    target: Path,
    result: Progress,
    doc: dict[str, Any],
    rubric: Rubric,
    lists: Sequence[Listing] = (),
) -> None:
    """Add (or replace) the four progress sheets of `source` (or of a new workbook) and save them to `target`."""
    if source is not None:
        try:
            wb = openpyxl.load_workbook(source)
        except Exception as exc:
            raise OutputError(
                f"无法把进度表加入 {source}："
                + with_detail("该文件不是可读取的 .xlsx 工作簿", f"{type(exc).__name__}: {exc}")
            ) from exc
        for name in SHEETS:
            if name in wb.sheetnames:
                del wb[name]
    else:
        wb = openpyxl.Workbook()
        assert wb.active is not None
        wb.remove(wb.active)
    goal = result.target
    year_sheet = wb.create_sheet(SHEETS[0])
    rows = []
    for t in (*result.subdistricts, result.district):
        rows.append([t.name, t.urban, t.evaluated, t.passed, t.holders, t.pending, t.lapsed, t.revoked,
                     float(t.rate) if t.rate is not None else None, float(goal) if goal is not None else None,
                     _met_label(t.met, goal is not None), t.gap, t.nominations, t.nominations_passed])  # fmt: skip
    headers = ["乡街", "城市社区", "本年评审", "本年达标", "持有称号", "待复审", "逾期未复审", "撤销", "达标率", "目标",
               "是否达到", "还差（个）", "本年新申报", "其中达标"]  # fmt: skip
    _table(year_sheet, headers, rows, {RATE_COL: "0.0%", TARGET_COL: "0%"})
    for row in year_sheet.iter_rows(min_row=2, min_col=TARGET_COL, max_col=TARGET_COL + 1):
        for cell in row:  # 目标 and 是否达到 side by side read as one ("60% 未达到"): centre both
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=cell.row == 1)
    year_sheet.insert_rows(1)
    goal_text = "无" if goal is None else f"{float(goal):.0%}"
    title = f"{result.year}年度绿色社区创建进度（目标：{goal_text}；统计截至{result.year}年12月31日）"
    year_sheet["A1"] = title
    year_sheet["A1"].font = Font(bold=True, size=13)
    note_row = len(rows) + 4
    note = year_sheet.cell(note_row, 1, "说明：本表只统计名单中的城市社区（村和农村社区不计入），并按历年记录计算复审、撤销和"
                                        "逾期未复审；“乡街统计”表统计本批全部有效评分表，两表的达标数可能不同。")  # fmt: skip
    # within the table's width and wrapped: a note running past the last column would widen the printed page
    year_sheet.merge_cells(start_row=note_row, start_column=1, end_row=note_row, end_column=len(headers))
    note.alignment = Alignment(wrap_text=True, vertical="top")
    year_sheet.row_dimensions[note_row].height = 30
    year_sheet.freeze_panes = "A3"
    year_sheet.auto_filter.ref = f"A2:{get_column_letter(len(headers))}{len(rows) + 2}"
    print_setup(year_sheet, f"{result.year}年度绿色社区创建进度", "1:2")
    chart = BarChart()
    chart.type = "col"
    chart.title = f"{result.year}年各乡街达标率与目标"
    chart.y_axis.title = "达标率"
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    categories = Reference(year_sheet, min_col=1, min_row=3, max_row=len(rows) + 2)
    chart.add_data(Reference(year_sheet, min_col=RATE_COL, min_row=2, max_row=len(rows) + 2), titles_from_data=True)
    # each bar carries its rate (the value alone), readable on paper without the table
    chart.dataLabels = DataLabelList(showVal=True, showCatName=False, showSerName=False, showLegendKey=False,
                                     showPercent=False, dLblPos="outEnd", numFmt="0.0%")  # fmt: skip
    chart.set_categories(categories)
    if goal is not None:
        line = LineChart()
        line.add_data(
            Reference(year_sheet, min_col=TARGET_COL, min_row=2, max_row=len(rows) + 2), titles_from_data=True
        )
        line.set_categories(categories)
        chart += line
    chart.height, chart.width = 9, 18
    year_sheet.add_chart(chart, f"A{len(rows) + 6}")

    status_rows = [[s["subdistrict"], s["community_id"], s["community"], "城市社区" if s["urban"] else "非城市（不计入）",
                    s["display_label"], s["total"], s["latest_year"], s["first_passed"], s["title_date"] or "",
                    "是" if s["nominated"] else "", "是" if s["provincial_eligible"] else ""]
                   for s in doc["communities"]]  # fmt: skip
    status_sheet = wb.create_sheet(SHEETS[1])
    _table(status_sheet, ["乡街", "社区编码", "社区名称", "类型", "年末状态", "最近总分", "最近评审年度", "首次达标年度",
                          "命名日期", "本年新申报", f"可申报省级（{doc['as_of']}）"], status_rows, {6: "0.0"})  # fmt: skip
    print_setup(status_sheet, f"{result.year}年末各社区创建状态", "1:1")
    pass_mark = float(rubric.pass_mark)
    sprint = [[c["subdistrict"], c["community_id"], c["community"], c["display_label"], c["total"],
               "、".join(c["vetoes"]), c["points_short"] if c["total"] is not None else None, _sprint_note(c, pass_mark)]
              for c in doc["candidates"]]  # fmt: skip
    sprint_sheet = wb.create_sheet(SHEETS[2])
    _table(sprint_sheet, ["乡街", "社区编码", "社区名称", "年末状态", "最近总分", "否决项", "还差（分）", "说明"], sprint,
           {5: "0.0", 7: "0.0"})  # fmt: skip
    print_setup(sprint_sheet, f"{result.year}年冲刺名单（未持有称号的城市社区，按距离达标由近到远）", "1:1")
    _lists_sheet(wb.create_sheet(SHEETS[3]), result.year, lists)
    wb.save(target)


def _lists_sheet(ws: Worksheet, year: int, lists: Sequence[Listing]) -> None:
    """The year's 名单 one below the other: title, the line that dates it, header and rows (or 无)."""
    widths: dict[int, int] = {}
    row = 1
    span = max((len(listing.columns) for listing in lists), default=1)
    for listing in lists:
        ws.cell(row, 1, listing.title).font = Font(bold=True, size=12)
        dated = ws.cell(row + 1, 1, listing.dated + (f"　{listing.note}" if listing.note else ""))
        dated.font = BODY_FONT
        dated.alignment = Alignment(wrap_text=True, vertical="top")
        # across the table's width, so that the date and the note print whole in the narrow 序号 column's row
        ws.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=span)
        ws.row_dimensions[row + 1].height = 30 if listing.note else 16
        row += 2
        for col, header in enumerate(listing.columns, start=1):
            cell = ws.cell(row, col, header)
            cell.font, cell.fill = Font(name="宋体", size=10, bold=True), HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            widths[col] = max(widths.get(col, 0), text_width(header))
        for values in listing.rows or (("无",),):
            row += 1
            for col, value in enumerate(values, start=1):
                cell = ws.cell(row, col, value)
                cell.data_type = "s"  # text stays text, never a formula
                cell.font = BODY_FONT
                cell.alignment = Alignment(wrap_text=True, vertical="top")  # a long reason wraps in its column
                widths[col] = max(widths.get(col, 0), text_width(value))
        row += 3
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(40, max(8, width + 2))
    print_setup(ws, f"{year}年度绿色社区名单", "")
