"""The progress report as a workbook: 年度进度 (with a native chart of each 乡街's rate against the target),
社区状态 and 冲刺名单. Written new, or added to an existing consolidated workbook without losing its other sheets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from greencli.adapters.files import OutputError, atomic_target
from greencli.adapters.template import text_width
from greencli.core.errors import with_detail
from greencli.core.progress import Progress
from greencli.core.rubric import Rubric

SHEETS = ("年度进度", "社区状态", "冲刺名单")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")


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
        widest = max([text_width(header) + 2, *(text_width(str(r[col - 1] or "")) + 2 for r in rows)])
        ws.column_dimensions[get_column_letter(col)].width = min(50, max(8, widest))
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[union-attr]


def _met_label(met: bool | None, has_target: bool) -> str:
    if met is None:
        return "无城市社区" if has_target else "无目标"
    return "达到" if met else "未达到"


def write_progress(path: Path, result: Progress, doc: dict[str, Any], rubric: Rubric) -> None:
    """Write the progress sheets to `path`: a new workbook, or added to the workbook already there."""
    with atomic_target(path) as temporary:
        add_progress_sheets(path if path.exists() else None, temporary, result, doc, rubric)


def _sprint_note(c: dict[str, Any], pass_mark: float) -> str:
    if c.get("invalid_submission"):
        return "本年交来的评分表无效，改正后重新提交"
    if c["total"] is None:
        return "从未评审"
    return "先消除否决项" if c["vetoes"] else f"距{pass_mark:g}分"


def add_progress_sheets(
    source: Path | None, target: Path, result: Progress, doc: dict[str, Any], rubric: Rubric
) -> None:
    """Add (or replace) the three progress sheets of `source` (or of a new workbook) and save them to `target`."""
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
        rows.append([t.name, t.urban, t.evaluated, t.passed, t.holders, t.pending, t.revoked,
                     float(t.rate) if t.rate is not None else None, float(goal) if goal is not None else None,
                     _met_label(t.met, goal is not None), t.gap, t.nominations])  # fmt: skip
    _table(year_sheet, ["乡街", "城市社区", "本年评审", "本年达标", "持有称号", "待复审", "撤销", "达标率", "目标", "是否达到",
                        "还差（个）", "本年新申报"], rows, {8: "0.0%", 9: "0%"})  # fmt: skip
    year_sheet.insert_rows(1)
    year_sheet["A1"] = f"{result.year}年度绿色社区创建进度（目标：{'无' if goal is None else f'{float(goal):.0%}'}）"
    year_sheet["A1"].font = Font(bold=True, size=13)
    note_row = len(rows) + 4
    year_sheet.cell(note_row, 1, "说明：本表只统计名单中的城市社区（村和农村社区不计入），并按历年记录计算复审、撤销；"
                                 "“乡街统计”表统计本批全部有效评分表，两表的达标数可能不同。")  # fmt: skip
    year_sheet.freeze_panes = "A3"
    year_sheet.auto_filter.ref = f"A2:L{len(rows) + 2}"
    chart = BarChart()
    chart.type = "col"
    chart.title = f"{result.year}年各乡街达标率与目标"
    chart.y_axis.title = "达标率"
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    categories = Reference(year_sheet, min_col=1, min_row=3, max_row=len(rows) + 2)
    chart.add_data(Reference(year_sheet, min_col=8, min_row=2, max_row=len(rows) + 2), titles_from_data=True)
    chart.set_categories(categories)
    if goal is not None:
        line = LineChart()
        line.add_data(Reference(year_sheet, min_col=9, min_row=2, max_row=len(rows) + 2), titles_from_data=True)
        line.set_categories(categories)
        chart += line
    chart.height, chart.width = 9, 18
    year_sheet.add_chart(chart, f"A{len(rows) + 6}")

    status_rows = [[s["subdistrict"], s["community_id"], s["community"], "城市社区" if s["urban"] else "非城市（不计入）",
                    s["display_label"], s["total"], s["latest_year"], s["first_passed"],
                    "是" if s["provincial_eligible"] else ""] for s in doc["communities"]]  # fmt: skip
    _table(wb.create_sheet(SHEETS[1]), ["乡街", "社区编码", "社区名称", "类型", "年末状态", "最近总分", "最近评审年度",
                                        "首次达标年度", "可申报省级"], status_rows, {6: "0.0"})  # fmt: skip
    pass_mark = float(rubric.pass_mark)
    sprint = [[c["subdistrict"], c["community_id"], c["community"], c["display_label"], c["total"],
               "、".join(c["vetoes"]), c["points_short"] if c["total"] is not None else None, _sprint_note(c, pass_mark)]
              for c in doc["candidates"]]  # fmt: skip
    _table(wb.create_sheet(SHEETS[2]), ["乡街", "社区编码", "社区名称", "年末状态", "最近总分", "否决项", "还差（分）", "说明"],
           sprint, {5: "0.0", 7: "0.0"})  # fmt: skip
    wb.save(target)
