"""The consolidated district workbook (e.g. 绿色社区汇总_2022.xlsx), streamed and written to a temporary file first.

Printed whole: every text cell wraps within its column and each row is as tall as its longest cell needs (spreadsheet
programs do not fit row heights to wrapped text in a file they open), so no cell is cut on paper; dates are date
cells and numbers number cells."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from greencli.adapters.cells import text_width
from greencli.adapters.files import atomic_target
from greencli.adapters.xlsx_rows import DATE, NUMBER, TEXT, RowStream
from greencli.core.batch import gap, gap_order, ranks, subdistrict_stats, unit_losses
from greencli.core.issues import issue_title
from greencli.core.outcome import Outcome
from greencli.core.rubric import Rubric
from greencli.core.values import fmt, points_of

if TYPE_CHECKING:  # the plan's module measures text with this one's functions: its types only, to avoid a cycle
    from greencli.adapters.progress_plan import PlannedCell, PlannedChart, PlannedSheet, ProgressPlan, Span, Style

CHINESE_NUMERALS = "一二三四五六七八九十"
MAX_WIDTH = 60
# Printing: A4 landscape with 0.5-inch side margins holds about 1,026 pixels of column width at 100 %. A sheet fitted
# to one page wide stays legible while its 10-pt body prints at 8 pt or more, i.e. while it is at most 1,283 pixels
# wide; 1,200 leaves room for how spreadsheet programs round column widths (LibreOffice measured 7.6 pt at 1,283). A
# wider sheet keeps a fixed scale of 80 % (8-pt body) and splits across pages with its identity columns
# repeated.
PAGE_PIXELS = 1026
LEGIBLE_PIXELS = 1200
SPLIT_SCALE = 80
WRAP_MIN_WIDTH = 12  # a column of long text may narrow to this (it wraps) so that its sheet fits one page wide
# The height of one line of 10-pt text: 13.5 pt in 宋体, 14.5 in Noto Sans CJK (the CJK font LibreOffice and WPS use
# where 宋体 is missing); rows sized for the taller print whole in both.
LINE_POINTS = 14.5
# openpyxl stores a column width as given; xlsxwriter (whose widths `print_lines` measures) adds this much padding.
PADDING = 0.7
FOOTER = "第 &P 页，共 &N 页"  # the page numbers printed below every progress sheet
SUPERSEDED = "被取代"  # the 结论 of a workbook another of the same batch stands for, as the terminal says it


class _Rows:
    """A sheet's rows, made afresh each time they are walked (once for the column widths, once to write them):
    thousands of outcomes' rows are never all held at once, so the workbook's memory does not grow with the batch."""

    def __init__(self, count: int, make: Callable[[], Iterator[list[Any]]]) -> None:
        self._count = count
        self._make = make

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[list[Any]]:
        return self._make()


@dataclass
class _Table:
    """A sheet as data: headers, rows of cells, and per-column kinds for formatting."""

    name: str
    headers: list[str]
    rows: list[list[Any]] | _Rows
    kinds: list[str]  # text | wrap (may narrow to fit the page) | number | score | percent | int | date
    freeze_cols: int = 0
    note: str = ""  # printed two rows below the table, outside its filter
    title: str = ""  # printed at the top of every page
    unprinted: int = 0  # how many of the last columns stay on screen only (e.g. the source file's path)
    header_lines: int = 3  # header cells wrap to this many lines (the header row is as tall)


class _Writer:
    def __init__(self, wb: Any) -> None:
        self.wb = wb
        base = {"font_name": "宋体", "font_size": 10, "valign": "top"}
        self.formats: dict[str, Format] = {
            "header": wb.add_format({**base, "bold": True, "bg_color": "#D9E1F2", "text_wrap": True, "border": 1,
                                     "valign": "vcenter", "align": "center"}),
            "text": wb.add_format({**base, "num_format": "@", "text_wrap": True}),  # never cut: wraps if need be
            "screen": wb.add_format({**base, "num_format": "@"}),  # an unprinted last column: runs on to the right
            "wrap": wb.add_format({**base, "num_format": "@", "text_wrap": True}),
            "score": wb.add_format({**base, "num_format": "0.0"}),
            "number": wb.add_format({**base, "num_format": "0.00"}),
            "int": wb.add_format({**base, "num_format": "0"}),
            "percent": wb.add_format({**base, "num_format": "0.0%"}),
            "date": wb.add_format({**base, "num_format": "yyyy-mm-dd", "align": "left"}),
        }  # fmt: skip
        self.good = wb.add_format({"font_color": "#006100", "bg_color": "#C6EFCE"})
        self.bad = wb.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"})
        self.grey = wb.add_format({"font_color": "#595959", "bg_color": "#EDEDED"})

    def table(self, t: _Table) -> Worksheet:
        ws = self.wb.add_worksheet(t.name)
        widths = _widths(t)
        printed = len(t.headers) - t.unprinted
        styles = [self.formats["screen" if col >= printed else kind] if kind in ("text", "wrap") else None
                  for col, kind in enumerate(t.kinds)]  # fmt: skip
        for col, width in enumerate(widths):
            ws.set_column(col, col, width, styles[col])
        _print_setup(ws, t, widths)
        ws.set_row(0, max(header_lines(h, widths[col]) for col, h in enumerate(t.headers)) * LINE_POINTS + 2)
        for col, header in enumerate(t.headers):
            ws.write_string(0, col, header, self.formats["header"])
        texts = [col for col, kind in enumerate(t.kinds[:printed]) if kind in ("text", "wrap")]
        # each column's kind of cell and format, once: text is text, never a formula
        how = [(TEXT, styles[col]) if kind in ("text", "wrap") else (DATE, self.formats["date"]) if kind == "date"
               else (NUMBER, self.formats[kind]) for col, kind in enumerate(t.kinds)]  # fmt: skip
        stream = RowStream(ws)
        for r, row in enumerate(t.rows, start=1):
            lines = max((print_lines(str(row[col]), widths[col]) for col in texts if row[col] not in (None, "")),
                        default=1)  # fmt: skip
            cells = [(col, how[col][0], value, how[col][1]) for col, value in enumerate(row)
                     if value is not None and value != ""]  # fmt: skip
            stream.write(r, cells, lines * LINE_POINTS + 2 if lines > 1 else None)
        ws.freeze_panes(1, t.freeze_cols)
        ws.autofilter(0, 0, max(1, len(t.rows)), len(t.headers) - 1)
        if t.note:  # across the printed columns and wrapped: a note running past them would widen the page
            at, last = len(t.rows) + 2, len(t.headers) - t.unprinted - 1
            ws.set_row(at, print_lines(t.note, sum(widths[: last + 1])) * LINE_POINTS + 2)
            if last > 0:
                ws.merge_range(at, 0, at, last, "", self.formats["text"])
            ws.write_string(at, 0, t.note, self.formats["text"])
        return ws

    def verdict_colours(self, ws: Worksheet, col: int, rows: int) -> None:
        if rows == 0:
            return
        span = (1, col, rows, col)
        ws.conditional_format(*span, {"type": "cell", "criteria": "==", "value": '"达标"', "format": self.good})
        for word in ("未达标", "否决"):
            ws.conditional_format(*span, {"type": "cell", "criteria": "==", "value": f'"{word}"', "format": self.bad})
        for word in ("无效", SUPERSEDED):
            ws.conditional_format(*span, {"type": "cell", "criteria": "==", "value": f'"{word}"', "format": self.grey})


@functools.lru_cache(maxsize=8192)  # the same words (乡街, verdicts, one CJK character) are measured again and again
def print_width(text: str) -> float:
    """The printed width of `text` in column units at the 10-pt body: a CJK or full-width character is 10 pt, 1.9
    units (Excel: 7 pixels a unit; LibreOffice prints a unit as 5.55 pt, and 1.8 would do), any other taken as 1.2:
    宋体's half-width characters take 0.95, and 1.2 covers the wider Latin font a program without 宋体 falls back to
    (DejaVu Sans under LibreOffice on Linux). A column of width w holds w units of text: the padding xlsxwriter adds
    to every width (0.71) covers the cell's margins."""
    return sum(1.9 if unicodedata.east_asian_width(ch) in "WF" else 1.2 for ch in text)


def print_lines(text: str, width: float) -> int:
    """How many lines `text` takes wrapped in a column `width` units wide, as spreadsheet programs wrap: between
    any two CJK characters, else at a space or after a separator (/ \\ _ -), a word longer than a line broken
    anywhere. Errs long, as `print_width` does."""
    usable = max(1.0, width)
    text = text or " "  # an empty cell is measured as one space
    if "\n" not in text and print_width(text) < usable - _SLACK:
        return 1  # the whole text fits (the common case): no need to wrap it token by token
    total = 0
    for part in text.split("\n"):
        lines, used = 1, 0.0
        for token in _BREAKS.findall(part) or [""]:
            wide = print_width(token)
            if used and used + print_width(token.rstrip()) > usable:
                lines, used = lines + 1, 0.0
            while wide > usable:  # a word longer than a line
                lines, wide = lines + 1, wide - usable
            used += wide
        total += lines
    return total


# Below the room by more than rounding can account for: summed token by token, the widths could differ in the last
# bits from the whole text's.
_SLACK = 1e-9
# a CJK character, or a run of other characters up to and including a space or separator
_BREAKS = re.compile(
    r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]|[^\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\s/\\_-]*[\s/\\_-]*"
)


# How a line fills in a column w units wide, in `print_width` units, in the two programs an office prints with:
# Excel (7-pixel units, 宋体 at 1.905 a character) about w + 0.3; LibreOffice (5.55-pt units, its CJK font at 10 pt
# a character, 1.8 units) about 1.056 w + 0.95. Measured by printing columns of widths 6 to 12 through each.
PROGRAMS = ((1.0, 0.3), (1.056, 0.95))


def wrap(text: str, room: float) -> list[str]:
    """`text` as a program wraps it in lines of `room` units: between CJK characters, at a space or after a
    separator, never before closing punctuation or after an opening bracket; its own line breaks kept."""
    lines: list[str] = []
    for part in text.split("\n"):
        tokens = _tokens(part)
        starts = _fill([print_width(t) for t in tokens], room)
        lines.extend("".join(tokens[a:b]).strip() for a, b in zip(starts, [*starts[1:], len(tokens)], strict=True))
    return lines


def header_lines(header: str, width: float) -> int:
    """How many lines `header` takes in a column `width` wide, in whichever program wraps it into more."""
    return max(len(wrap(header, a * width + b)) for a, b in PROGRAMS)


def header_width(headers: Sequence[str], width: float) -> float:
    """The narrowest width from `width` up at which none of `headers` wraps to a line of one character in either
    program (严重/程度, never 严重程/度): header text stays as it is (a script finds its column by it), and its
    column is made a little wider instead."""

    def lone(header: str, w: float) -> bool:
        return any(
            len(lines) > 1 and any(len(line) == 1 for line in lines)
            for lines in (wrap(header, a * w + b) for a, b in PROGRAMS)
        )

    for step in range(25):
        if not any(lone(h, width + step / 4) for h in headers):
            return width + step / 4
    return width


_OPENING = frozenset("（([「『“‘《")
_CLOSING = frozenset("、，。；：！？）)]」』”’》%")


def _tokens(text: str) -> list[str]:
    """The pieces a line may break between: CJK characters one by one, other words whole, an opening bracket held
    to what follows it and closing punctuation to what precedes it."""
    tokens: list[str] = []
    glue = False
    for piece in (t for t in _BREAKS.findall(text) if t):
        if tokens and (glue or piece[0] in _CLOSING):
            tokens[-1] += piece
        else:
            tokens.append(piece)
        glue = piece[-1] in _OPENING
    return tokens or [""]


def _fill(widths: Sequence[float], room: float) -> list[int]:
    """Where each line starts when tokens of `widths` fill lines of `room` one after another."""
    starts, used = [0], 0.0
    for i, wide in enumerate(widths):
        if used and used + wide > room + 1e-9:
            starts.append(i)
            used = 0.0
        used += wide
    return starts


def _pixels(width: float) -> int:
    """Excel's column width in pixels (default font, 7-pixel digits)."""
    return int(width * 7 + 5)


def _widths(t: _Table) -> list[float]:
    """Column widths: text as wide as its longest value, numbers as wide as their header wrapped to three lines; the
    long-text columns narrow (and wrap) as far as needed for the printed sheet to fit one page wide legibly; a
    column widens a little where its header would wrap to a line of one character."""
    texts = [col for col, kind in enumerate(t.kinds) if kind in ("text", "wrap")]
    longest = dict.fromkeys(texts, 0.0)
    for r in t.rows:  # one walk over the rows for every text column
        for col in texts:
            longest[col] = max(longest[col], print_width(_shown(r[col])))
    widths: list[float] = []
    for col, header in enumerate(t.headers):
        kind = t.kinds[col]
        # a header wraps to the table's header lines; the lines it breaks itself stay whole, except the last
        lines = header.split("\n")
        head = max([-(-text_width(header.replace("\n", "")) // t.header_lines), *(text_width(x) for x in lines[:-1])])
        if kind in ("text", "wrap"):
            widest = max(head + 2, longest[col] + 2)
        elif kind == "date":
            widest = max(head + 2, 12)
        else:
            widest = max(head + 2, 7)
        widths.append(header_width([header], float(min(MAX_WIDTH, max(6, widest)))))
    printed = len(widths) - t.unprinted
    excess = sum(_pixels(w) for w in widths[:printed]) - (LEGIBLE_PIXELS - printed)  # room for rounding
    wraps = [i for i in range(printed) if t.kinds[i] == "wrap" and widths[i] > WRAP_MIN_WIDTH]
    room = sum(widths[i] - WRAP_MIN_WIDTH for i in wraps) * 7
    if excess > 0 and room > 0:
        share = min(1.0, excess / room)
        for i in wraps:
            widths[i] -= (widths[i] - WRAP_MIN_WIDTH) * share
    return widths


def _print_setup(ws: Worksheet, t: _Table, widths: Sequence[float]) -> None:
    """A4 landscape; one page wide when legible there, else split across pages at 80 % with the identity columns on
    each; the header row on every page; the title at the top and page numbers at the bottom."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.center_horizontally()
    ws.repeat_rows(0)
    printed = len(widths) - t.unprinted
    rows = max(1, len(t.rows)) + (3 if t.note else 0)
    ws.print_area(0, 0, rows, printed - 1)
    if sum(_pixels(w) for w in widths[:printed]) <= LEGIBLE_PIXELS:
        ws.fit_to_pages(1, 0)
    else:
        ws.set_print_scale(SPLIT_SCALE)
        if t.freeze_cols:
            ws.repeat_columns(0, t.freeze_cols - 1)
    title = (t.title or t.name).replace("&", "&&")
    ws.set_header(f'&C&"宋体,Bold"&12 {title}')  # the space ends the font size: "&12" then "2023" would read "&122023"
    ws.set_footer('&C&"宋体"&9第 &P 页，共 &N 页')


def _shown(value: Any) -> str:
    if isinstance(value, float | int | Decimal):
        return f"{value:.1f}"
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value).split("\n")[0]


def _category_headers(rubric: Rubric) -> list[str]:
    return [f"{CHINESE_NUMERALS[c.number - 1]}、{c.name}（{fmt(c.points)}）" for c in rubric.categories]


def summary_table(outcomes: Sequence[Outcome], rubric: Rubric) -> _Table:
    ranked = ranks(outcomes)
    headers = ["乡街", "社区编码", "社区名称", "评审年度", "评审日期", "评审人员", *_category_headers(rubric), "加分", "总分", "结论",
               "否决项", "乡街排名", "全区排名", "说明", "源文件"]  # fmt: skip

    def row(o: Outcome) -> list[Any]:
        local, district = ranked.get(o.file, (None, None))
        cats = [(o.categories or {}).get(c.number) if o.scored else None for c in rubric.categories]
        if o.superseded_in_batch:
            note = "本批另有更新的评分表，本份不计入"
        elif o.off_year:
            note = "评审年度与本批统计年度不同，已记入该年度，不计入本表统计和排名"
        elif not o.scored:
            note = f"{sum(1 for i in o.issues if i.is_error)} 处错误，见“问题清单”"
        elif o.ledger_current is not None:
            note = f"已记录，但该社区该年度以评分记录 #{o.ledger_current} 为准，见“问题清单”"
        else:
            note = ""
        # a superseded workbook was scored, but its verdict is not the community's: on paper, as on the terminal,
        # it reads 被取代, never 达标/未达标 beside the verdict that stands
        verdict = SUPERSEDED if o.superseded_in_batch else o.verdict.label
        return [o.subdistrict, o.community_id, o.community, o.year, o.review_date, o.reviewers, *cats, o.bonus, o.total,
                verdict, "、".join(o.vetoes), local, district, note, o.file]  # fmt: skip

    rows = _Rows(len(outcomes), lambda: map(row, outcomes))
    n = len(rubric.categories)
    kinds = ["text", "text", "text", "int", "date", "wrap", *["score"] * n, "score", "score", "text", "text", "int", "int",
             "wrap", "text"]  # fmt: skip
    return _Table("汇总", headers, rows, kinds, freeze_cols=3, title=_titled("评审汇总", outcomes, rubric), unprinted=1,
                  header_lines=6)  # fmt: skip


def _titled(what: str, outcomes: Sequence[Outcome], rubric: Rubric) -> str:
    """A printed title with the batch's year(s) and the campaign's name: 2023年度绿色社区评审汇总."""
    years = sorted({o.year for o in outcomes if o.year is not None and o.counts})
    span = f"{years[0]}年度" if len(years) == 1 else (f"{years[0]}—{years[-1]}年度" if years else "")
    return f"{span}{rubric.campaign.name}{what}"


def items_table(outcomes: Sequence[Outcome], rubric: Rubric) -> _Table:
    # every header keeps the item's number and its maximum on lines of their own; the content follows, shortened
    headers = ["乡街", "社区编码", "社区名称", *(f"{i.number}\n{fmt(i.points)}分\n{i.content[:10]}" for i in rubric.items),
               f"总分\n（{fmt(sum(i.points for i in rubric.items))}分）"]  # fmt: skip
    counted = [o for o in outcomes if o.counts]
    numbers = tuple(i.number for i in rubric.items)
    rows = _Rows(len(counted), lambda: ([o.subdistrict, o.community_id, o.community, *points_of(o.items, numbers),
                                         o.total]
                                        for o in counted))  # fmt: skip
    return _Table("分项得分", headers, rows, ["text"] * 3 + ["score"] * (len(rubric.items) + 1), freeze_cols=3,
                  title=_titled("分项得分", outcomes, rubric), header_lines=7)  # fmt: skip


def stats_table(outcomes: Sequence[Outcome], order: Sequence[str], rubric: Rubric) -> _Table:
    headers = ["乡街", "有效评分", "达标", "未达标", "否决", "无效", "平均分", "中位数", "达标率"]
    rows = [[s.name, s.scored, s.passed, s.failed, s.vetoed, s.invalid, s.mean, s.median, s.pass_rate]
            for s in subdistrict_stats(outcomes, order)]  # fmt: skip
    note = ("说明：本表统计本批全部有效评分表，含村和农村社区；“年度进度”表只统计名单中的城市社区（达标率的分母），"
            "并按历年记录计算复审和撤销，因此两表的达标数可能不同。")  # fmt: skip
    kinds = ["text", "int", "int", "int", "int", "int", "number", "number", "percent"]
    return _Table("乡街统计", headers, rows, kinds, note=note, title=_titled("评审乡街统计", outcomes, rubric))


def units_table(outcomes: Sequence[Outcome], rubric: Rubric) -> _Table:
    headers = ["监督指导部门", "负责项目", "全区失分", "可得总分", "失分率", "失分最多的项目"]
    rows = []
    for u in unit_losses(outcomes, rubric):
        weakest = "；".join(f"{n}.{rubric.item(n).content}（失{fmt(lost)}分）" for n, lost in u.weakest)
        rate = u.lost / u.possible if u.possible else None
        rows.append([u.unit, "、".join(str(n) for n in u.items), u.lost, u.possible, rate, weakest])
    return _Table("部门失分", headers, rows, ["text", "wrap", "score", "score", "percent", "wrap"],
                  title=_titled("评审各部门失分", outcomes, rubric))  # fmt: skip


def gaps_table(outcomes: Sequence[Outcome], rubric: Rubric) -> _Table:
    headers = ["乡街", "社区编码", "社区名称", "总分", "结论", "需先消除的否决项", f"距{fmt(rubric.pass_mark)}分还差",
               "提分空间最大的项目"]  # fmt: skip
    short = gap_order(outcomes, rubric)

    def row(o: Outcome) -> list[Any]:
        g = gap(o, rubric)
        vetoes = "；".join(f"{code} {rubric.veto(code).name}" for code in g.vetoes)
        gain = "；".join(f"{n}.{rubric.item(n).content}（可提{fmt(pts)}分）" for n, pts in g.to_gain)
        return [o.subdistrict, o.community_id, o.community, o.total, o.verdict.label, vetoes, g.short, gain]

    rows = _Rows(len(short), lambda: map(row, short))
    return _Table("达标差距", headers, rows, ["text", "text", "text", "score", "text", "wrap", "score", "wrap"],
                  title=_titled("评审达标差距", outcomes, rubric))  # fmt: skip


def issues_table(outcomes: Sequence[Outcome], rubric: Rubric) -> _Table:
    # the English issue code (for a script's filter) is the last column, on screen only: paper gets the Chinese title
    headers = ["文件", "社区编码", "工作表", "单元格", "编号", "问题类型", "严重程度", "说明", "问题代码"]
    rows = _Rows(sum(len(o.issues) for o in outcomes),
                 lambda: ([o.file, o.community_id, i.sheet or "", i.cell or "", i.subject or "", issue_title(i.code),
                           "错误" if i.is_error else "提醒", i.message, i.code] for o in outcomes for i in o.issues))  # fmt: skip
    kinds = ["wrap", "text", "text", "text", "text", "wrap", "text", "wrap", "text"]
    return _Table("问题清单", headers, rows, kinds, title=_titled("评分表问题清单", outcomes, rubric), unprinted=1)


def write_district_workbook(path: Path, outcomes: Sequence[Outcome], rubric: Rubric, order: Sequence[str] = ()) -> None:
    """Write all six sheets; readers never see a half-written file."""
    with atomic_target(path) as target:
        build_district_workbook(target, outcomes, rubric, order)


def build_district_workbook(
    target: Path,
    outcomes: Sequence[Outcome],
    rubric: Rubric,
    order: Sequence[str] = (),
    progress: ProgressPlan | None = None,
) -> None:
    """Write the six sheets straight to `target` (a temporary file the caller renames into place), and after them
    the progress sheets when there is a `progress` plan (greencli.adapters.progress_plan): one pass, the workbook is
    never opened again to add them."""
    with DistrictWorkbook(target, rubric) as book:
        book.district(outcomes, order)
        if progress is not None:
            book.progress(progress)


class DistrictWorkbook:
    """The consolidated workbook, written in one pass: the six sheets of the outcomes, then the progress sheets.
    Between the two a caller may let the outcomes go (a rollup's thousands, read from the ledger) before the
    progress sheets are planned."""

    def __init__(self, target: Path, rubric: Rubric) -> None:
        self.rubric = rubric
        self.wb = xlsxwriter.Workbook(str(target), {"constant_memory": True, "strings_to_formulas": False,
                                                    "strings_to_numbers": False, "strings_to_urls": False})  # fmt: skip
        self.wb.set_properties(
            {"title": f"{rubric.campaign.name}评审汇总", "subject": rubric.title, "author": "greencli"}
        )

    def __enter__(self) -> DistrictWorkbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.wb.close()

    def district(self, outcomes: Sequence[Outcome], order: Sequence[str] = ()) -> None:
        """The six sheets, every outcome in roster order of 乡街, then code and file."""
        rubric = self.rubric
        ordered = sorted(outcomes, key=lambda o: (_sub_key(o.subdistrict, order), o.community_id, o.file))
        writer = _Writer(self.wb)
        # each sheet's rows are let go once it is written: thousands of rows of one sheet are held at a time, not all
        summary = summary_table(ordered, rubric)
        ws = writer.table(summary)
        writer.verdict_colours(ws, summary.headers.index("结论"), len(summary.rows))
        del summary
        items = items_table(ordered, rubric)
        ws = writer.table(items)
        count = len(items.rows)
        del items
        for col, item in enumerate(rubric.items, start=3):
            if count:
                ws.conditional_format(1, col, count, col, {
                    "type": "3_color_scale", "min_type": "num", "min_value": 0, "mid_type": "num",
                    "mid_value": float(item.points) / 2, "max_type": "num", "max_value": float(item.points),
                    "min_color": "#F8696B", "mid_color": "#FFEB84", "max_color": "#63BE7B"})  # fmt: skip
        writer.table(stats_table(ordered, order, rubric))
        writer.table(units_table(ordered, rubric))
        writer.table(gaps_table(ordered, rubric))
        writer.table(issues_table(ordered, rubric))

    def progress(self, plan: ProgressPlan) -> None:
        """The four progress sheets after the six."""
        _Planned(self.wb).write(plan)


class _Planned:
    """The progress plan's sheets, written by xlsxwriter as openpyxl writes them for `progress --out`."""

    def __init__(self, wb: Any) -> None:
        self.wb = wb
        self.formats: dict[tuple[Style, str | None], Format] = {}

    def format(self, style: Style, number: str | None) -> Format | None:
        if number is None and not any(getattr(style, name) for name in style.__slots__):  # the default look
            return None
        key = (style, number)
        if key not in self.formats:
            look: dict[str, Any] = {"bold": style.bold, "text_wrap": style.wrap}
            if style.size:
                look["font_size"] = style.size
            if style.font:
                look["font_name"] = style.font
            if style.fill:
                look |= {"bg_color": f"#{style.fill}", "pattern": 1}
            if style.align:
                look["align"] = style.align
            if style.valign:
                look["valign"] = "vcenter" if style.valign == "center" else style.valign
            if style.grid:
                look |= {"border": 1, "border_color": "#808080"}
            if number:
                look["num_format"] = number
            self.formats[key] = self.wb.add_format(look)
        return self.formats[key]

    def write(self, plan: ProgressPlan) -> None:
        for sheet in plan.sheets():
            self.sheet(sheet)
        for name, value in plan.made_for.items():
            self.wb.set_custom_property(name, value)

    def sheet(self, planned: PlannedSheet) -> None:
        ws = self.wb.add_worksheet(planned.name)
        for col, width in planned.widths.items():
            ws.set_column(col - 1, col - 1, max(0.0, width - PADDING))
        merged = {(m.first_row, m.first_col): m for m in planned.merged}
        for row, cells in planned.rows():  # row by row: the sheet is streamed, each row's height before its cells
            if row in planned.heights:
                ws.set_row(row - 1, planned.heights[row])
            for cell in cells:
                self.cell(ws, cell, merged.get((cell.row, cell.col)))
        if planned.freeze is not None:
            ws.freeze_panes(planned.freeze[0] - 1, planned.freeze[1] - 1)
        if planned.filtered is not None:
            f = planned.filtered
            ws.autofilter(f.first_row - 1, f.first_col - 1, f.last_row - 1, f.last_col - 1)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.set_margins(left=0.5, right=0.5, top=0.75, bottom=0.75)
        if planned.title_rows is not None:
            ws.repeat_rows(planned.title_rows[0] - 1, planned.title_rows[1] - 1)
        # the size ends at a space, as openpyxl writes it: a title beginning with a year is no font size
        ws.set_header(f'&C&"宋体,Bold"&12 {planned.page_title.replace("&", "&&")}')
        ws.set_footer(f"&C&9 {FOOTER}")
        if planned.chart is not None:
            self.chart(ws, planned.name, planned.chart)

    def cell(self, ws: Worksheet, cell: PlannedCell, merged: Span | None) -> None:
        r, c, value = cell.row - 1, cell.col - 1, cell.value
        style = self.format(cell.style, cell.number_format)
        if merged is not None:
            ws.merge_range(r, c, merged.last_row - 1, merged.last_col - 1, "", style)
        if value is None or value == "":
            if style is not None:
                ws.write_blank(r, c, None, style)
        elif isinstance(value, str):
            ws.write_string(r, c, value, style)  # text is text, never a formula
        elif isinstance(value, date):
            ws.write_datetime(r, c, datetime.combine(value, time()), style)
        else:
            ws.write_number(r, c, value, style)

    def chart(self, ws: Worksheet, name: str, planned: PlannedChart) -> None:
        def series(span: Span) -> dict[str, Any]:
            first, col = span.first_row - 1, span.first_col - 1
            c = planned.categories
            return {"name": [name, first, col], "values": [name, first + 1, col, span.last_row - 1, col],
                    "categories": [name, c.first_row - 1, c.first_col - 1, c.last_row - 1, c.first_col - 1]}  # fmt: skip

        chart = self.wb.add_chart({"type": "column"})
        # each bar carries its rate (the value alone), readable on paper without the table
        chart.add_series({**series(planned.rates),
                          "data_labels": {"value": True, "position": "outside_end", "num_format": "0.0%"}})  # fmt: skip
        chart.set_title({"name": planned.title})
        chart.set_y_axis({"name": "达标率", "num_format": "0%", "min": 0, "max": 1})
        if planned.target is not None:
            line = self.wb.add_chart({"type": "line"})
            line.add_series(series(planned.target))
            chart.combine(line)
        chart.set_size({"width": round(planned.width_cm * 96 / 2.54), "height": round(planned.height_cm * 96 / 2.54)})
        ws.insert_chart(planned.anchor_row - 1, 0, chart)


def _sub_key(name: str, order: Sequence[str]) -> tuple[int, str]:
    return (order.index(name), "") if name in order else (len(order), name)
