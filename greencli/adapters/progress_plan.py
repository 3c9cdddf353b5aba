"""The four progress sheets (年度进度, 社区状态, 冲刺名单, 名单) as data: every cell with its value and style, the
column widths, row heights, merged cells, filter, frozen panes, print setup and chart. Two writers render the same
plan: xlsxwriter, inside the consolidated workbook as score and rollup write it (in one pass, never reopened), and
openpyxl, for `progress --out` on a workbook that is already there (greencli.adapters.xlsx_progress).

Widths are as openpyxl stores them; xlsxwriter is given each `PADDING` less, which it adds back."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeAlias

from greencli.adapters.cells import text_width
from greencli.adapters.files import OutputError
from greencli.adapters.xlsx_report import (
    LINE_POINTS,
    PADDING,
    header_lines,
    header_width,
    print_lines,
    print_width,
)
from greencli.core.listings import Listing, chinese_date
from greencli.core.progress import Progress, points_short
from greencli.core.progress import Standing as CommunityStanding
from greencli.core.rubric import Rubric
from greencli.core.values import as_float

RATE_COL, TARGET_COL = 9, 10  # 达标率 and 目标 in 年度进度 (1-based), the chart's two series
SHEETS = ("年度进度", "社区状态", "冲刺名单", "名单")
# what the workbook's progress sheets were made for, among its custom properties
MADE_FOR_YEAR, MADE_FOR_AS_OF = "greencli.progress_year", "greencli.progress_as_of"
# The 名单's columns that hold numbers and dates (the lists carry them as printed text): stored as numbers and dates,
# so that a spreadsheet sorts and sums them and shows no "number stored as text" marks.
LIST_NUMBERS = {"序号": "0", "推荐顺序": "0", "最近评审年度": "0", "总分": "0.0", "复审得分": "0.0", "最近总分": "0.0"}
LIST_DATES = frozenset({"命名日期"})
DATE_FORMAT = "yyyy-mm-dd"
Cell: TypeAlias = str | int | float | date | None  # a value written to a cell of the progress sheets


@dataclass(frozen=True, slots=True)
class Style:
    """How a cell looks, in terms both writers have."""

    bold: bool = False
    size: float | None = None  # points; None: the workbook's default
    font: str | None = None  # None: the workbook's default
    fill: str | None = None  # RGB, e.g. "D9E1F2"
    align: str | None = None  # left | center
    valign: str | None = None  # top | center
    wrap: bool = False
    grid: bool = False  # a thin grey border all round


HEADER = Style(bold=True, fill="D9E1F2", wrap=True, align="center", valign="center")
BODY = Style()
CENTRE = Style(align="center", valign="center")
TITLE = Style(bold=True, size=13)
NOTE = Style(wrap=True, valign="top")
LIST_TITLE = Style(bold=True, size=12)
LIST_DATED = Style(font="宋体", size=10, wrap=True, valign="top")
LIST_HEADER = Style(font="宋体", size=10, bold=True, fill="D9E1F2", grid=True, align="center", valign="center",
                    wrap=True)  # fmt: skip
LIST_BODY = Style(font="宋体", size=10, grid=True, align="left", valign="top", wrap=True)


@dataclass(frozen=True, slots=True)
class PlannedCell:
    """One cell of a progress sheet as planned: where it goes, its value and how it looks."""

    row: int  # 1-based, as spreadsheets number rows
    col: int
    value: Cell
    style: Style = BODY
    number_format: str | None = None


@dataclass(frozen=True, slots=True)
class Span:
    """A block of cells by 1-based first and last row and column."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int


@dataclass(frozen=True, slots=True)
class PlannedChart:
    """年度进度's chart: each 乡街's rate as a bar (its value printed on it), the target as a line."""

    title: str
    anchor_row: int
    categories: Span  # the 乡街 names
    rates: Span  # the rate column, its header first (the series' name)
    target: Span | None  # the target column likewise, when the year has one
    width_cm: int = 18
    height_cm: int = 9


@dataclass(frozen=True, slots=True)
class PlannedRows:
    """Rows of values from `first_row` down, from column 1: each cell styled by its column (`styles`, else the
    body's) and formatted by its column (`formats`; a date without one as DATE_FORMAT). A table of thousands of
    communities is held as its rows, its cells made one row at a time as they are written."""

    first_row: int
    rows: Sequence[Sequence[Cell]]
    formats: Mapping[int, str] = field(default_factory=dict)
    styles: Mapping[int, Style] = field(default_factory=dict)

    def row(self, n: int) -> list[PlannedCell]:
        """The cells of sheet row `n`."""
        out = []
        for col, value in enumerate(self.rows[n - self.first_row], start=1):
            number = self.formats.get(col)
            if number is None and isinstance(value, date):
                number = DATE_FORMAT
            out.append(PlannedCell(n, col, value, self.styles.get(col, BODY), number))
        return out


@dataclass
class PlannedSheet:
    """One progress sheet as planned: its cells and tables, column widths, row heights, merged ranges and the
    title printed on every page."""

    name: str
    page_title: str  # printed at the top of every page
    title_rows: tuple[int, int] | None  # the rows repeated on every page
    cells: list[PlannedCell] = field(default_factory=list)  # cells one by one, besides the `tables`
    tables: list[PlannedRows] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)  # column → width as openpyxl stores it
    heights: dict[int, float] = field(default_factory=dict)  # row → points
    merged: list[Span] = field(default_factory=list)
    freeze: tuple[int, int] | None = None  # the first row and column that scroll (1-based)
    filtered: Span | None = None
    chart: PlannedChart | None = None

    def rows(self) -> Iterator[tuple[int, list[PlannedCell]]]:
        """Every row that holds cells or has a height, top to bottom, with its cells left to right (how a streaming
        writer takes them)."""
        single: dict[int, list[PlannedCell]] = {}
        for cell in self.cells:
            single.setdefault(cell.row, []).append(cell)
        spans = {n: t for t in self.tables for n in range(t.first_row, t.first_row + len(t.rows))}
        for n in sorted({*single, *spans, *self.heights}):
            cells = [*single.get(n, ()), *(spans[n].row(n) if n in spans else ())]
            yield n, sorted(cells, key=lambda c: c.col)


@dataclass(frozen=True)
class ProgressPlan:
    """The four sheets of one standing, each planned when a writer asks for it (`sheets`): a sheet of thousands of
    communities is held while it is written, not all four at once."""

    result: Progress
    rubric: Rubric
    lists: Sequence[Listing]

    @property
    def made_for(self) -> dict[str, str]:
        """Custom properties: the year and --as-of the sheets were made for."""
        return {MADE_FOR_YEAR: str(self.result.year), MADE_FOR_AS_OF: self.result.as_of.isoformat()}

    def sheets(self) -> Iterator[PlannedSheet]:
        result, rubric = self.result, self.rubric
        yield _year_sheet(result, rubric)
        status_rows = [[s.community.subdistrict, s.community.code, s.community.name,
                        "城市社区" if s.community.urban else "非城市（不计入）", s.display_label, as_float(s.total),
                        s.latest_year, s.first_passed, s.title_date, "是" if s.nominated else "",
                        "是" if s.provincial_eligible else ""]
                       for s in result.standings]  # fmt: skip
        yield _listed_sheet(SHEETS[1], f"{result.year}年末各社区创建状态",
                            [*STATUS_HEADERS, f"可申报省级（{result.as_of.isoformat()}）"], status_rows,
                            {6: "0.0", 9: DATE_FORMAT})  # fmt: skip
        del status_rows
        pass_mark = float(rubric.pass_mark)
        sprint = [[c.community.subdistrict, c.community.code, c.community.name, c.display_label, as_float(c.total),
                   "、".join(c.vetoes), as_float(points_short(c, rubric.pass_mark)), _sprint_note(c, pass_mark)]
                  for c in result.candidates]  # fmt: skip
        yield _listed_sheet(SHEETS[2], f"{result.year}年冲刺名单（未持有称号的城市社区，按距离达标由近到远）",
                            SPRINT_HEADERS, sprint, {5: "0.0", 7: "0.0"})  # fmt: skip
        del sprint
        yield _lists_sheet(f"{result.year}年度{rubric.campaign.name}名单", self.lists)


def _shown(value: Cell) -> str:
    """A value as the sheet shows it (numbers to one decimal), for column widths."""
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def _table(sheet: PlannedSheet, headers: Sequence[str], rows: Sequence[Sequence[Cell]], at: int = 1,
           formats: dict[int, str] | None = None, styles: dict[int, Style] | None = None) -> None:  # fmt: skip
    """A header row at row `at` and the rows below it, each column as wide as its widest value (8 to 50)."""
    sheet.cells += [PlannedCell(at, col, header, HEADER) for col, header in enumerate(headers, start=1)]
    if rows:
        sheet.tables.append(PlannedRows(at + 1, rows, formats or {}, styles or {}))
    for col, header in enumerate(headers, start=1):
        widest = max([text_width(header) + 2, *(text_width(_shown(r[col - 1])) + 2 for r in rows)])
        sheet.widths[col] = min(50, max(8, widest))


def _met_label(met: bool | None, has_target: bool) -> str:
    if met is None:
        return "无城市社区" if has_target else "无目标"
    return "达到" if met else "未达到"


def _sprint_note(s: CommunityStanding, pass_mark: float) -> str:
    if s.invalid_submission:
        return "本年交来的评分表无效，改正后重新提交"
    if s.total is None:
        return "从未评审"
    return "先消除否决项" if s.vetoes else f"距{pass_mark:g}分"


YEAR_HEADERS = ["乡街", "城市社区", "本年评审", "本年达标", "持有称号", "待复审", "逾期未复审", "撤销", "达标率", "目标",
                "是否达到", "还差（个）", "本年新申报", "其中达标"]  # fmt: skip
YEAR_NOTE = ("说明：本表只统计名单中的城市社区（村和农村社区不计入），并按历年记录计算复审、撤销和逾期未复审；"
             "“乡街统计”表统计本批全部有效评分表，两表的达标数可能不同。")  # fmt: skip


def _year_sheet(result: Progress, rubric: Rubric) -> PlannedSheet:
    goal = result.target
    campaign = rubric.campaign
    rows: list[list[Cell]] = []
    for t in (*result.subdistricts, result.district):
        rows.append([t.name, t.urban, t.evaluated, t.passed, t.holders, t.pending, t.lapsed, t.revoked,
                     float(t.rate) if t.rate is not None else None, float(goal) if goal is not None else None,
                     _met_label(t.met, goal is not None), t.gap, t.nominations, t.nominations_passed])  # fmt: skip
    goal_text = "无" if goal is None else f"{float(goal):.0%}"
    end = chinese_date(campaign.end_of(result.year))
    sheet = PlannedSheet(SHEETS[0], f"{result.year}年度{campaign.name}创建进度", (1, 2))
    sheet.cells.append(PlannedCell(1, 1, f"{result.year}年度{campaign.name}创建进度（目标：{goal_text}；统计截至{end}）",
                                   TITLE))  # fmt: skip
    # 目标 and 是否达到 side by side read as one ("60% 未达到"): both centred
    _table(sheet, YEAR_HEADERS, rows, at=2, formats={RATE_COL: "0.0%", TARGET_COL: "0%"},
           styles=dict.fromkeys((TARGET_COL, TARGET_COL + 1), CENTRE))  # fmt: skip
    last = len(rows) + 2
    note_row = len(rows) + 4
    # within the table's width and wrapped: a note running past the last column would widen the printed page
    sheet.cells.append(PlannedCell(note_row, 1, YEAR_NOTE, NOTE))
    sheet.merged.append(Span(note_row, 1, note_row, len(YEAR_HEADERS)))
    sheet.heights = {1: 30, note_row: 30}
    sheet.freeze = (3, 1)
    sheet.filtered = Span(2, 1, last, len(YEAR_HEADERS))
    sheet.chart = PlannedChart(
        title=f"{result.year}年各乡街达标率与目标", anchor_row=len(rows) + 6, categories=Span(3, 1, last, 1),
        rates=Span(2, RATE_COL, last, RATE_COL), target=Span(2, TARGET_COL, last, TARGET_COL) if goal is not None else None,
    )  # fmt: skip
    return sheet


STATUS_HEADERS = ["乡街", "社区编码", "社区名称", "类型", "年末状态", "最近总分", "最近评审年度", "首次达标年度", "命名日期",
                  "本年新申报"]  # fmt: skip
SPRINT_HEADERS = ["乡街", "社区编码", "社区名称", "年末状态", "最近总分", "否决项", "还差（分）", "说明"]


def _listed_sheet(name: str, page_title: str, headers: Sequence[str], rows: Sequence[Sequence[Cell]],
                  formats: dict[int, str]) -> PlannedSheet:  # fmt: skip
    """A table sheet: header frozen and filtered, one row a community."""
    sheet = PlannedSheet(name, page_title, (1, 1))
    _table(sheet, headers, rows, formats=formats)
    sheet.heights = {1: 30}  # two lines of header
    sheet.freeze = (2, 1)
    sheet.filtered = Span(1, 1, len(rows) + 1, len(headers))
    return sheet


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


def _lists_sheet(title: str, lists: Sequence[Listing]) -> PlannedSheet:
    """The year's 名单 one below the other: title, the line that dates it, header and rows (or 无). The lists share
    the sheet's columns, so each column is as wide as its widest cell in any list (up to 40, then it wraps) and
    each row as tall as its wrapped cells need (a program opening the file does not fit heights itself)."""
    sheet = PlannedSheet(SHEETS[3], title, None)
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
        sheet.cells.append(PlannedCell(row, 1, listing.title, LIST_TITLE))
        dated = listing.dated + (f"　{listing.note}" if listing.note else "")
        sheet.cells.append(PlannedCell(row + 1, 1, dated, LIST_DATED))
        # across the table's width, so that the date and the note print whole in the narrow 序号 column's row
        sheet.merged.append(Span(row + 1, 1, row + 1, span))
        sheet.heights[row + 1] = print_lines(dated, across - PADDING) * LINE_POINTS + 2
        row += 2
        sheet.cells += [
            PlannedCell(row, col, header, LIST_HEADER) for col, header in enumerate(listing.columns, start=1)
        ]
        sheet.heights[row] = max(header_lines(h, widths[c] - PADDING)
                                 for c, h in enumerate(listing.columns, start=1)) * LINE_POINTS + 2  # fmt: skip
        for values in listing.rows or (("无",),):
            row += 1
            lines = 1
            for col, value in enumerate(values, start=1):
                header = listing.columns[col - 1]
                typed = _typed(header, value) if listing.rows else value
                number = DATE_FORMAT if isinstance(typed, date) else LIST_NUMBERS.get(header)
                if isinstance(typed, str):
                    lines = max(lines, print_lines(typed, widths[col] - PADDING))
                    number = None
                # a long reason wraps in its column; numbers and dates read from the left like the codes beside them
                sheet.cells.append(PlannedCell(row, col, typed, LIST_BODY, number))
            if lines > 1:
                sheet.heights[row] = lines * LINE_POINTS + 2
        row += 3
    sheet.widths = widths
    return sheet


def plan_progress(result: Progress, rubric: Rubric, lists: Sequence[Listing] = ()) -> ProgressPlan:
    """The four progress sheets of `result` (and the year's `lists`), as either writer renders them."""
    return ProgressPlan(result, rubric, lists)


# ── the progress sheets of a consolidated workbook that score or rollup rewrite ──


@dataclass(frozen=True)
class Before:
    """What a consolidated workbook about to be rewritten by score or rollup holds beside the six sheets they write:
    the progress sheets (with the year and --as-of they were made for) and any sheet no greencli command wrote."""

    path: Path
    progress: tuple[int, date | None] | None
    others: tuple[str, ...]


def refuse_to_lose(before: Before | None) -> None:
    """A sheet no greencli command wrote (a person's own, added to the workbook) is never dropped: the workbook is
    not rewritten (exit 2), and the message says which sheets and what to do."""
    if before is not None and before.others:
        shown = "、".join(f"“{n}”" for n in before.others)
        raise OutputError("output-foreign-sheets", path=str(before.path), sheets=shown)


Made = Callable[[int, date | None], tuple[Progress, Sequence[Listing]] | None]


def carried(before: Before | None, rubric: Rubric, standing: Made) -> tuple[ProgressPlan | None, str | None]:
    """The progress sheets `before` held, made again from the ledger for the year and --as-of they were made for,
    so that they agree with the new 汇总 (copies of the old ones would not), to be written into the new workbook.
    `standing` gives them, or None when they cannot be made (no roster: the rates have no denominator); then the
    workbook goes without them and the note says so and how to add them back. Returns the plan (None: no progress
    sheets) and what the user should be told (None: nothing)."""
    if before is None or before.progress is None:
        return None, None
    year, as_of = before.progress
    made = standing(year, as_of)
    listed = "、".join(SHEETS)
    if made is None:
        on = f" --as-of {as_of.isoformat()}" if as_of is not None and as_of != rubric.campaign.end_of(year) else ""
        return None, (f"原汇总工作簿中的进度工作表（{listed}）需要社区名单才能重新生成，本次未保留；"
                      f"可运行 greencli progress --year {year}{on} --roster 名单 --out {before.path} 重新加入")  # fmt: skip
    now, lists = made
    return plan_progress(
        now, rubric, lists
    ), f"原汇总工作簿中的进度工作表（{listed}）已按评分记录库重新生成（{year} 年度）"
