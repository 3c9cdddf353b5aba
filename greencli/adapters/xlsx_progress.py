"""The progress report as a workbook: 年度进度 (with a native chart of each 乡街's rate against the target),
社区状态, 冲刺名单 and 名单 (the year's lists the office hands out). Written new, or added to an existing consolidated
workbook without losing its other sheets. Every sheet prints on A4 landscape, one page wide, its header repeated.

Kept when score or rollup rewrite the consolidated workbook (`Before`, `carry_over`): the workbook remembers the
year and --as-of its progress sheets were made for, and they are made again from the ledger for them."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TypeAlias

import openpyxl
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from greencli.adapters.files import OutputError, atomic_target
from greencli.adapters.oserrors import with_detail
from greencli.adapters.template import text_width
from greencli.adapters.xlsx_report import LINE_POINTS, header_lines, header_width, print_lines, print_width
from greencli.core.listings import Listing, chinese_date
from greencli.core.progress import Progress, points_short
from greencli.core.progress import Standing as CommunityStanding
from greencli.core.rubric import Rubric
from greencli.core.values import as_float

RATE_COL, TARGET_COL = 9, 10  # 达标率 and 目标 in 年度进度 (1-based), the chart's two series
SHEETS = ("年度进度", "社区状态", "冲刺名单", "名单")
DISTRICT_SHEETS = ("汇总", "分项得分", "乡街统计", "部门失分", "达标差距", "问题清单")  # xlsx_report's
# what the workbook's progress sheets were made for, among its custom properties
MADE_FOR_YEAR, MADE_FOR_AS_OF = "greencli.progress_year", "greencli.progress_as_of"
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
BODY_FONT = Font(name="宋体", size=10)
FOOTER = "第 &P 页，共 &N 页"
THIN = Side(style="thin", color="808080")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
# The 名单's columns that hold numbers and dates (the lists carry them as printed text): stored as numbers and dates,
# so that a spreadsheet sorts and sums them and shows no "number stored as text" marks.
LIST_NUMBERS = {"序号": "0", "推荐顺序": "0", "最近评审年度": "0", "总分": "0.0", "复审得分": "0.0", "最近总分": "0.0"}
LIST_DATES = frozenset({"命名日期"})
DATE_FORMAT = "yyyy-mm-dd"
Cell: TypeAlias = str | int | float | date | None  # a value written to a cell of the progress sheets
PADDING = 0.7  # openpyxl stores a width as given; xlsxwriter (whose widths `print_lines` measures) adds 0.71


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


def _table(
    ws: Worksheet, headers: list[str], rows: Sequence[Sequence[Cell]], formats: dict[int, str] | None = None
) -> None:
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for row in rows:
        ws.append(list(row))
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


def _shown(value: Cell) -> str:
    """A value as the sheet shows it (numbers to one decimal), for column widths."""
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def _met_label(met: bool | None, has_target: bool) -> str:
    if met is None:
        return "无城市社区" if has_target else "无目标"
    return "达到" if met else "未达到"


def write_progress(path: Path, result: Progress, rubric: Rubric, lists: Sequence[Listing] = ()) -> None:
    """Write the progress sheets to `path`: a new workbook, or added to the workbook already there."""
    with atomic_target(path) as temporary:
        add_progress_sheets(path if path.exists() else None, temporary, result, rubric, lists)


def _sprint_note(s: CommunityStanding, pass_mark: float) -> str:
    if s.invalid_submission:
        return "本年交来的评分表无效，改正后重新提交"
    if s.total is None:
        return "从未评审"
    return "先消除否决项" if s.vetoes else f"距{pass_mark:g}分"


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
    goal = result.target
    year_sheet = wb.create_sheet(SHEETS[0])
    rows: list[list[Cell]] = []
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
    campaign = rubric.campaign
    end = chinese_date(campaign.end_of(result.year))
    title = f"{result.year}年度{campaign.name}创建进度（目标：{goal_text}；统计截至{end}）"
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
    print_setup(year_sheet, f"{result.year}年度{campaign.name}创建进度", "1:2")
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

    status_rows = [[s.community.subdistrict, s.community.code, s.community.name,
                    "城市社区" if s.community.urban else "非城市（不计入）", s.display_label, as_float(s.total),
                    s.latest_year, s.first_passed, s.title_date, "是" if s.nominated else "",
                    "是" if s.provincial_eligible else ""]
                   for s in result.standings]  # fmt: skip
    status_sheet = wb.create_sheet(SHEETS[1])
    _table(status_sheet, ["乡街", "社区编码", "社区名称", "类型", "年末状态", "最近总分", "最近评审年度", "首次达标年度",
                          "命名日期", "本年新申报", f"可申报省级（{result.as_of.isoformat()}）"], status_rows, {6: "0.0", 9: DATE_FORMAT})  # fmt: skip
    print_setup(status_sheet, f"{result.year}年末各社区创建状态", "1:1")
    pass_mark = float(rubric.pass_mark)
    sprint = [[c.community.subdistrict, c.community.code, c.community.name, c.display_label, as_float(c.total),
               "、".join(c.vetoes), as_float(points_short(c, rubric.pass_mark)), _sprint_note(c, pass_mark)]
              for c in result.candidates]  # fmt: skip
    sprint_sheet = wb.create_sheet(SHEETS[2])
    _table(sprint_sheet, ["乡街", "社区编码", "社区名称", "年末状态", "最近总分", "否决项", "还差（分）", "说明"], sprint,
           {5: "0.0", 7: "0.0"})  # fmt: skip
    print_setup(sprint_sheet, f"{result.year}年冲刺名单（未持有称号的城市社区，按距离达标由近到远）", "1:1")
    _lists_sheet(wb.create_sheet(SHEETS[3]), f"{result.year}年度{campaign.name}名单", lists)
    made_for = {MADE_FOR_YEAR: str(result.year), MADE_FOR_AS_OF: result.as_of.isoformat()}
    props = _custom(wb)
    for prop in [p for p in props if p.name in made_for]:
        props.props.remove(prop)
    for name, value in made_for.items():
        props.append(StringProperty(name=name, value=value))
    wb.save(target)


def _custom(wb: openpyxl.Workbook) -> Any:
    """The workbook's custom document properties (openpyxl 3.1 has them; its type stubs do not)."""
    return wb.custom_doc_props  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Before:
    """What a consolidated workbook about to be rewritten by score or rollup holds beside the six sheets they write:
    the progress sheets (with the year and --as-of they were made for) and any sheet no greencli command wrote."""

    path: Path
    progress: tuple[int, date | None] | None
    others: tuple[str, ...]


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


def refuse_to_lose(before: Before | None) -> None:
    """A sheet no greencli command wrote (a person's own, added to the workbook) is never dropped: the workbook is
    not rewritten (exit 2), and the message says which sheets and what to do."""
    if before is not None and before.others:
        shown = "、".join(f"“{n}”" for n in before.others)
        raise OutputError("output-foreign-sheets", path=str(before.path), sheets=shown)


Standing = Callable[[int, date | None], tuple[Progress, Sequence[Listing]] | None]


def carry_over(target: Path, before: Before | None, rubric: Rubric, standing: Standing) -> str | None:
    """Put back into the rewritten workbook at `target` the progress sheets `before` held, made again from the
    ledger for the year and --as-of they were made for, so that they agree with the new 汇总 (copies of the old
    ones would not). `standing` gives them, or None when they cannot be made (no roster: the rates have no
    denominator); then the workbook goes without them and the note returned says so and how to add them back.
    Returns what the user should be told, or None."""
    if before is None or before.progress is None:
        return None
    year, as_of = before.progress
    made = standing(year, as_of)
    listed = "、".join(SHEETS)
    if made is None:
        on = f" --as-of {as_of.isoformat()}" if as_of is not None and as_of != rubric.campaign.end_of(year) else ""
        return (f"原汇总工作簿中的进度工作表（{listed}）需要社区名单才能重新生成，本次未保留；"
                f"可运行 greencli progress --year {year}{on} --roster 名单 --out {before.path} 重新加入")  # fmt: skip
    now, lists = made
    add_progress_sheets(target, target, now, rubric, lists)
    return f"原汇总工作簿中的进度工作表（{listed}）已按评分记录库重新生成（{year} 年度）"


def _typed(header: str, value: str) -> str | int | float | date:
    """A 名单 cell as stored: numbers and dates as such, anything else (and anything unreadable) as its text."""
    try:
        if header in LIST_DATES and value:
            return date.fromisoformat(value)
        if header in LIST_NUMBERS and value:
            return int(value) if LIST_NUMBERS[header] == "0" else float(value)
    except ValueError:
        pass
    return value


def _lists_sheet(ws: Worksheet, title: str, lists: Sequence[Listing]) -> None:
    """The year's 名单 one below the other: title, the line that dates it, header and rows (or 无). The lists share
    the sheet's columns, so each column is as wide as its widest cell in any list (up to 40, then it wraps) and
    each row as tall as its wrapped cells need (a program opening the file does not fit heights itself)."""
    widths: dict[int, float] = {}
    for listing in lists:
        for col, header in enumerate(listing.columns, start=1):
            texts = [header, *(values[col - 1] for values in listing.rows if col <= len(values))]
            widths[col] = max(widths.get(col, 0.0), *(print_width(t) + 2 for t in texts))
    widths = {col: min(40.0, max(6.0, wide)) for col, wide in widths.items()}
    for col in widths:  # every list's header in the column wraps without a line of one character
        headers = [listing.columns[col - 1] for listing in lists if col <= len(listing.columns)]
        widths[col] = header_width(headers, widths[col] - PADDING) + PADDING
    span = max((len(listing.columns) for listing in lists), default=1)
    across = sum(widths.values())
    row = 1
    for listing in lists:
        ws.cell(row, 1, listing.title).font = Font(bold=True, size=12)
        dated = ws.cell(row + 1, 1, listing.dated + (f"　{listing.note}" if listing.note else ""))
        dated.font = BODY_FONT
        dated.alignment = Alignment(wrap_text=True, vertical="top")
        # across the table's width, so that the date and the note print whole in the narrow 序号 column's row
        ws.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=span)
        ws.row_dimensions[row + 1].height = print_lines(str(dated.value), across - PADDING) * LINE_POINTS + 2
        row += 2
        for col, header in enumerate(listing.columns, start=1):
            cell = ws.cell(row, col, header)
            cell.font, cell.fill, cell.border = Font(name="宋体", size=10, bold=True), HEADER_FILL, GRID
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.row_dimensions[row].height = max(header_lines(h, widths[c] - PADDING)
                                            for c, h in enumerate(listing.columns, start=1)) * LINE_POINTS + 2  # fmt: skip
        for values in listing.rows or (("无",),):
            row += 1
            lines = 1
            for col, value in enumerate(values, start=1):
                header = listing.columns[col - 1]
                cell = ws.cell(row, col, _typed(header, value) if listing.rows else value)
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text stays text, never a formula
                    lines = max(lines, print_lines(cell.value, widths[col] - PADDING))
                elif isinstance(cell.value, date):
                    cell.number_format = DATE_FORMAT
                elif header in LIST_NUMBERS:
                    cell.number_format = LIST_NUMBERS[header]
                cell.font, cell.border = BODY_FONT, GRID
                # a long reason wraps in its column; numbers and dates read from the left like the codes beside them
                cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
            if lines > 1:
                ws.row_dimensions[row].height = lines * LINE_POINTS + 2
        row += 3
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    print_setup(ws, title, "")
