"""The printable, guarded scoring workbook's layout: sheets, styles, print settings, protection.

Layout (the contract's part): sheets 基本信息 (label, value to its right), 评分表 (a header row with 编号 / 录入值 /
佐证, one row per code), 小区 (one header row, one compound per row). Everything else here is for the person
holding the form: guidance, validation, protection, live subtotals and print settings.
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Sequence
from datetime import date
from typing import Any, Final

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from greencli import __version__
from greencli.adapters.cells import a1, column_letter
from greencli.adapters.template.formulas import (
    any_veto_formula,
    compound_ratio_formula,
    derived_veto_formula,
    entered_veto_formula,
    item_formula,
    multiple,
    row_formula,
    subtotal_formula,
    total_formula,
    verdict_formula,
)
from greencli.adapters.template.personalise import (
    HEADER_CODE_LIMIT,
    HEADER_NAME_LIMIT,
    PLACEHOLDER,
    TOKEN_HEADER_CODE,
    TOKEN_HEADER_NAME,
    Identity,
    header_text,
)
from greencli.adapters.template.validations import row_validation, validation, yes_no
from greencli.core import layout as L
from greencli.core.derived import Ranges
from greencli.core.rubric import Item, Row, RowKind, Rubric, Veto, year_bounds
from greencli.core.values import fmt

STAMP_SHEET: Final = "_greencli"
STAMP_KEYS: Final = ("rubric_id", "rubric_version", "community_code", "year", "generator")
PROPERTY_PREFIX: Final = "greencli."

COMPOUND_ROWS: Final = 200
# The 小区 sheet prints on one A4 landscape page: its title, note and header rows, then as many rows for a site
# visit as fit at a height to write in by hand (a community rarely has more compounds); all 200 take input.
COMPOUND_TITLE_POINTS: Final = 24
COMPOUND_NOTE_POINTS: Final = 30
COMPOUND_HEADER_POINTS: Final = 20
COMPOUND_ROW_POINTS: Final = 18
# A4 landscape's 595 pt less 0.6-inch margins (86 pt), the rows above and a little room for rounding
COMPOUND_PRINT_ROWS: Final = int(
    (595 - 86 - COMPOUND_TITLE_POINTS - COMPOUND_NOTE_POINTS - COMPOUND_HEADER_POINTS - 8) // COMPOUND_ROW_POINTS
)
CHINESE_NUMERALS: Final = "一二三四五六七八九十"

# 评分表 columns (0-based)
COL_CATEGORY, COL_NUMBER, COL_CONTENT, COL_POINTS, COL_CRITERIA, COL_METHODS, COL_RESPONSIBLE, COL_SUPERVISORS = range(
    8
)
COL_CODE, COL_LABEL, COL_HINT, COL_VALUE, COL_EVIDENCE, COL_ROW_SCORE, COL_ITEM_SCORE = range(8, 15)
# The 评分表 is designed at its printed size: A4 landscape with 0.3-inch side margins holds about 1,065 pixels of
# column width; these columns take about 1,000 (width × 7 + 5 pixels each), so it prints at 100 % and its 9-point
# body stays 9 points on paper. (Fit-to-page would make Excel ignore the manual page breaks between items.)
SCORE_COLUMNS: Final = [
    ("类别", 4), ("序号", 3.5), ("内容", 11), ("分值", 4), ("考评标准", 27), ("考评方式", 7), ("责任部门", 6), ("监督指导部门", 7),
    (L.CODE_HEADER, 5), ("评分细则", 18), ("填写说明", 11), (L.VALUE_HEADER, 8), (L.EVIDENCE_HEADER, 11),
    ("行得分", 5), ("本项得分", 5),
]  # fmt: skip
SCORE_HEADER_ROW: Final = 3
COMPOUND_HEADER_ROW: Final = 2
LINE_HEIGHT: Final = 12.0  # points per wrapped line at the 9-point body font (its line is about 11.3 points)
SUMMARY_ROW_HEIGHT: Final = 18
# The page's height for item rows: A4 landscape (595 pt) less 0.6-inch margins (86 pt) and the repeated title and
# header rows (about 95 pt), with room for how spreadsheet programs round row heights.
PAGE_BODY_POINTS: Final = 395
GUIDE_WIDTH: Final = 88

# 附件3 (the application form): where the 县（区）, its bureaus and the city sign and seal
OPINION_BOXES: Final = (
    "县（区）创建机构推荐意见", "县（区）生态环境局意见（盖章）", "县（区）住建局意见（盖章）",
    "市创建机构审核意见", "市生态环境局意见（盖章）", "市住建局意见（盖章）",
)  # fmt: skip
INFO_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    # label, kind: id (pre-filled identity), year, date, text, count (whole ≥ 0), area (m², ≥ 0), long
    (L.COMMUNITY_CODE, "id"), (L.COMMUNITY_NAME, "id"), (L.SUBDISTRICT, "id"), (L.YEAR, "year"),
    (L.REVIEW_DATE, "date"), (L.REVIEWERS, "text"), ("联系电话", "text"), ("社区地址", "text"), ("县（区）", "text"),
    ("社区人口", "count"), ("社区户数", "count"), ("常住户数", "count"), ("占地面积", "area"),
    ("建筑面积", "area"), ("绿化面积", "area"),
    ("街道负责人", "text"), ("街道负责人职务", "text"), ("街道负责人电话", "text"),
    ("社区负责人", "text"), ("社区负责人职务", "text"), ("社区负责人电话", "text"),
    ("创建联系人", "text"), ("创建联系人职务", "text"), ("创建联系人电话", "text"),
    ("社区公共服务机构（设施）配置情况", "long"), ("创建绿色社区工作情况", "long"),
)  # fmt: skip


def page_footer(identity: Identity | None) -> str:
    """The footer of every printed page of the form: the community's code and name at the left (blanks to write
    them in on the blank form), so a loose page is never without them, and the page number in the middle; the two
    fit beside each other on a portrait page. The skeleton carries tokens that `personalise` swaps for each
    community. (A footer, not a header: each sheet's own title, with the year, stays the first line of its pages.)"""
    if identity is None:
        who = f"{L.COMMUNITY_CODE}：{'＿' * 4}　{L.COMMUNITY_NAME}：{'＿' * 6}"
    elif identity is PLACEHOLDER:
        who = f"{TOKEN_HEADER_CODE}　{TOKEN_HEADER_NAME}"
    else:
        who = f"{header_text(identity.code, HEADER_CODE_LIMIT)}　{header_text(identity.name, HEADER_NAME_LIMIT)}"
    # the space after each font size: "&9" then a digit would read as a larger size
    return f'&L&"宋体"&9 {who}&C&"宋体"&9 第 &P 页，共 &N 页'


def text_width(text: str) -> int:
    """Display width in Excel column units: CJK and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_lines(text: str, width: float) -> int:
    """How many wrapped lines `text` needs in a column `width` units wide (an estimate that errs long)."""
    usable = max(1.0, width - 1.5)
    return sum(max(1, math.ceil(text_width(part) / usable)) for part in (text or " ").split("\n"))


class _Styles:
    """The workbook's formats, made once."""

    def __init__(self, wb: Workbook) -> None:
        base: dict[str, Any] = {"font_name": "宋体", "font_size": 9, "valign": "vcenter", "text_wrap": True}
        edge = {**base, "border": 1}

        def add(**extra: Any) -> Format:
            return wb.add_format({**edge, **extra})

        self.title = wb.add_format({**base, "bold": True, "font_size": 15, "align": "center"})
        self.subtitle = wb.add_format({**base, "font_size": 10, "align": "center"})
        self.note = wb.add_format({**base, "font_color": "#595959", "align": "left"})
        self.header = add(bold=True, align="center", bg_color="#D9E1F2")
        self.text = add(align="left")
        self.opinion = add(align="left", valign="top", indent=1)
        self.center = add(align="center")
        self.category = add(
            bold=True, align="center", bg_color="#F2F2F2", rotation=270
        )  # stacked, one character a line
        self.code = add(align="center", num_format="@", bold=True)
        self.input = add(align="center", locked=False, bg_color="#FFF2CC")
        self.input_text = add(align="left", locked=False, bg_color="#FFF2CC", num_format="@")
        self.input_date = add(align="center", locked=False, bg_color="#FFF2CC", num_format="yyyy-mm-dd")
        self.auto = add(bg_color="#D9D9D9")  # derived rows: nothing to type, locked
        self.prefilled = add(align="left", bg_color="#EDEDED", num_format="@")
        self.formula = add(align="center", bg_color="#E2EFDA", num_format="0.0")
        self.formula_text = add(align="center", bg_color="#E2EFDA")
        self.sum_label = add(bold=True, align="right")
        self.sum_value = add(bold=True, align="center", bg_color="#E2EFDA", num_format="0.0")
        self.verdict = add(bold=True, align="center", bg_color="#E2EFDA", font_size=11)
        self.signature = wb.add_format({**base, "font_size": 11, "align": "left", "valign": "bottom"})
        self.guide_title = wb.add_format({**base, "bold": True, "font_size": 14})
        self.guide_head = wb.add_format({**base, "bold": True, "font_size": 11, "bg_color": "#D9E1F2"})
        self.guide = wb.add_format({**base, "font_size": 10})
        self.good = wb.add_format({"font_color": "#006100", "bg_color": "#C6EFCE"})
        self.bad = wb.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"})


def _merge(ws: Worksheet, r1: int, c1: int, r2: int, c2: int, value: str | float, style: Format) -> None:
    """Write `value` across a range (a single cell when the range is one cell). Text is always text."""
    if (r1, c1) == (r2, c2):
        if isinstance(value, str):
            ws.write_string(r1, c1, value, style)
        else:
            ws.write_number(r1, c1, value, style)
        return
    ws.merge_range(r1, c1, r2, c2, "", style)
    if isinstance(value, str):
        ws.write_string(r1, c1, value, style)
    else:
        ws.write_number(r1, c1, value, style)


class _ScoreSheet:
    """Builds the 评分表 and remembers where each item's score lands, for the subtotal formulas."""

    def __init__(self, wb: Workbook, s: _Styles, rubric: Rubric, year: int, identity: Identity | None) -> None:
        self.wb, self.s, self.rubric = wb, s, rubric
        self.ws = wb.add_worksheet(L.SCORE_SHEET)
        self.year, self.identity = year, identity
        self.item_cells: dict[int, str] = {}
        self.texts: dict[tuple[int, int], str] = {}
        self.row = SCORE_HEADER_ROW + 1
        self.ranges = _compound_ranges()
        self.heights: dict[int, float] = {}  # row → printed height in points
        self.breaks: list[int] = []  # rows that start a printed page
        self.page_used = 0.0

    def build(self) -> None:
        ws, s = self.ws, self.s
        for col, (_, width) in enumerate(SCORE_COLUMNS):
            ws.set_column(col, col, width)
        last_col = len(SCORE_COLUMNS) - 1
        name = self.identity.name if self.identity else ""
        _merge(ws, 0, 0, 0, last_col, f"{name}{self.year}年度绿色社区评审评分表", s.title)
        ws.set_row(0, 24)
        ident = self.identity
        line = (
            f"{L.COMMUNITY_CODE}：{ident.code}    {L.COMMUNITY_NAME}：{ident.name}    {L.SUBDISTRICT}：{ident.subdistrict}"
            if ident
            else f"{L.COMMUNITY_CODE}、{L.COMMUNITY_NAME}、{L.SUBDISTRICT}见“{L.INFO_SHEET}”表"
        )
        _merge(ws, 1, 0, 1, last_col, f"{line}    {L.YEAR}：{self.year}    依据：{self.rubric.title}", s.subtitle)
        _merge(
            ws, 2, 0, 2, last_col,
            "黄色单元格为录入项，只在“录入值”“佐证”列填写；“行得分”“本项得分”及下方汇总随录入自动计算，"
            "仅供现场参考，正式得分以区评审办公室程序计算为准。请勿修改“编号”列。",
            s.note,
        )  # fmt: skip
        ws.set_row(2, 26)
        for col, (title, _) in enumerate(SCORE_COLUMNS):
            ws.write_string(SCORE_HEADER_ROW, col, title, s.header)
        ws.set_row(1, 16)
        ws.set_row(SCORE_HEADER_ROW, 28)
        for category in self.rubric.categories:
            first = self.row
            for item in self.rubric.items_in(category.number):
                start = self.row
                self.write_item(item)
                self.keep_together(start)
            label = f"{CHINESE_NUMERALS[category.number - 1]}、{category.name}（{fmt(category.points)}分）"
            self.label_category(first, self.row - 1, label)
        start = self.row
        self.write_bonus_and_vetoes()
        self.keep_together(start)
        start = self.row
        self.write_summary()
        self.keep_together(start)  # the totals, verdict and signatures print together, never a lone row
        self.finish()

    def keep_together(self, first: int) -> None:
        """Rows first … self.row − 1 print on one page: a page break goes before them when they would not fit."""
        height = sum(self.heights.get(r, SUMMARY_ROW_HEIGHT) for r in range(first, self.row))
        if self.page_used and self.page_used + height > PAGE_BODY_POINTS:
            self.breaks.append(first)
            self.page_used = 0.0
        self.page_used += height

    def label_category(self, first: int, last: int, label: str) -> None:
        """The category's merged label cell, one per printed page it spans, so that every page shows it whole: the
        full label where the rows are tall enough for it (stacked, a character a line), else without its points, else
        its numeral alone."""
        numeral, _, rest = label.partition("、")
        name = rest.split("（")[0]
        starts = [first, *(b for b in self.breaks if first < b <= last)]
        for top, end in zip(starts, [*starts[1:], last + 1], strict=True):
            room = sum(self.heights.get(r, SUMMARY_ROW_HEIGHT) for r in range(top, end))
            shown = next((text for text in (label, f"{numeral}、{name}") if len(text) * LINE_HEIGHT <= room), numeral)
            _merge(self.ws, top, COL_CATEGORY, end - 1, COL_CATEGORY, shown, self.s.category)

    def write_item(self, item: Item) -> None:
        ws, s = self.ws, self.s
        first, last = self.row, self.row + len(item.rows) - 1
        for row in item.rows:
            self.write_row(row)
        spans = [
            (COL_NUMBER, str(item.number), s.center), (COL_CONTENT, item.content, s.text),
            (COL_POINTS, fmt(item.points), s.center), (COL_CRITERIA, item.criteria, s.text),
            (COL_METHODS, "\n".join(item.methods), s.text), (COL_RESPONSIBLE, "\n".join(item.responsible), s.text),
            (COL_SUPERVISORS, "\n".join(item.supervisors), s.text),
        ]  # fmt: skip
        for col, text, style in spans:
            _merge(ws, first, col, last, col, text, style)
        self.item_cells[item.number] = a1(first, COL_ITEM_SCORE)
        self.write_item_formula(item, first, last)
        self.fit_heights(first, last, [(text, SCORE_COLUMNS[col][1]) for col, text, _ in spans])

    def write_row(self, row: Row) -> None:
        ws, s, r = self.ws, self.s, self.row
        ws.write_string(r, COL_CODE, row.code, s.code)
        self.text(r, COL_LABEL, row.label, s.text)
        self.text(r, COL_HINT, row.hint(self.rubric.step), s.text)
        value = a1(r, COL_VALUE)
        if row.entered:
            ws.write_blank(r, COL_VALUE, None, s.input)
            ws.data_validation(r, COL_VALUE, r, COL_VALUE, row_validation(row, value, fmt(self.rubric.step)))
        else:
            ws.write_blank(r, COL_VALUE, None, s.auto)
        ws.write_blank(r, COL_EVIDENCE, None, s.input_text)
        ws.write_formula(r, COL_ROW_SCORE, row_formula(row, value, self.ranges), s.formula, "")
        self.row += 1

    def write_item_formula(self, item: Item, first: int, last: int) -> None:
        scored = [r for r in range(first, last + 1) if item.rows[r - first].kind is not RowKind.NA]
        cells = f"{a1(scored[0], COL_ROW_SCORE)}:{a1(scored[-1], COL_ROW_SCORE)}"
        na = item.na_row
        flag = a1(first + item.rows.index(na), COL_VALUE) if na is not None else None
        if first != last:
            self.ws.merge_range(first, COL_ITEM_SCORE, last, COL_ITEM_SCORE, "", self.s.formula)
        self.ws.write_formula(first, COL_ITEM_SCORE, item_formula(item, cells, len(scored), flag), self.s.formula, "")

    def fit_heights(self, first: int, last: int, spans: Sequence[tuple[str, float]]) -> None:
        """Set row heights so merged item cells print whole (spreadsheets do not auto-fit merged cells)."""
        own = [
            max(text_lines(self.ws_text(r, COL_LABEL), SCORE_COLUMNS[COL_LABEL][1]),
                text_lines(self.ws_text(r, COL_HINT), SCORE_COLUMNS[COL_HINT][1]))
            for r in range(first, last + 1)
        ]  # fmt: skip
        needed = max(text_lines(text, width) for text, width in spans)
        extra = max(0, needed - sum(own))
        for i, r in enumerate(range(first, last + 1)):
            lines = own[i] + math.ceil(extra / len(own))
            self.heights[r] = lines * LINE_HEIGHT + 4
            self.ws.set_row(r, self.heights[r])

    def ws_text(self, r: int, col: int) -> str:
        return self.texts.get((r, col), "")

    def text(self, r: int, col: int, value: str, style: Format) -> None:
        """Write text and remember it: row heights are sized from what each row holds."""
        self.ws.write_string(r, col, value, style)
        self.texts[(r, col)] = value

    def write_bonus_and_vetoes(self) -> None:
        ws, s, rubric = self.ws, self.s, self.rubric
        bonus = rubric.bonus
        step = fmt(rubric.step)
        r = self.row
        ws.write_string(r, COL_CODE, bonus.code, s.code)
        ws.write_string(r, COL_LABEL, bonus.label, s.text)
        ws.write_string(r, COL_HINT, f"填加分 0～{fmt(bonus.max)}，没有留空；佐证列填荣誉名称", s.text)
        value = a1(r, COL_VALUE)
        ws.write_blank(r, COL_VALUE, None, s.input)
        ws.data_validation(r, COL_VALUE, r, COL_VALUE, validation(
            "custom", "加分项", f"获国家、省命名表彰的可加分，最高{fmt(bonus.max)}分（{step}的倍数）；须在“佐证”列写明荣誉名称",
            f"加分须在0～{fmt(bonus.max)}之间，且为{step}的倍数",
            value=f"=AND(ISNUMBER({value}),{value}>=0,{value}<={fmt(bonus.max)},{multiple(value, step)})",
        ))  # fmt: skip
        ws.write_blank(r, COL_EVIDENCE, None, s.input_text)
        ws.write_formula(r, COL_ROW_SCORE, f"=IF(ISNUMBER({value}),{value},0)", s.formula, "")
        ws.write_blank(r, COL_ITEM_SCORE, None, s.formula)
        self.bonus_cell = a1(r, COL_ROW_SCORE)
        spans = [(COL_NUMBER, "", s.center), (COL_CONTENT, bonus.content, s.text),
                 (COL_POINTS, f"最高{fmt(bonus.max)}", s.center), (COL_CRITERIA, bonus.criteria, s.text),
                 (COL_METHODS, "\n".join(bonus.methods), s.text),
                 (COL_RESPONSIBLE, "\n".join(bonus.responsible), s.text),
                 (COL_SUPERVISORS, "\n".join(bonus.supervisors), s.text)]  # fmt: skip
        for col, text, style in spans:
            _merge(ws, r, col, r, col, text, style)
        _merge(ws, r, COL_CATEGORY, r, COL_CATEGORY, "加分", s.category)
        self.fit_heights(r, r, [(t, SCORE_COLUMNS[c][1]) for c, t, _ in spans])
        self.row += 1
        first = self.row
        self.veto_cells: list[str] = []
        for veto in rubric.vetoes:
            self.write_veto(veto)
        _merge(ws, first, COL_CATEGORY, self.row - 1, COL_CATEGORY, "否决项", s.category)

    def write_veto(self, veto: Veto) -> None:
        ws, s, r = self.ws, self.s, self.row
        ws.write_string(r, COL_CODE, veto.code, s.code)
        ws.write_string(r, COL_LABEL, veto.label, s.text)
        value = a1(r, COL_VALUE)
        if veto.entered:
            ws.write_string(r, COL_HINT, "填处数（整数，没有填0，不能留空）", s.text)
            ws.write_blank(r, COL_VALUE, None, s.input)
            ws.data_validation(r, COL_VALUE, r, COL_VALUE, validation(
                "integer", f"否决项 {veto.code}", f"填发现的处数（没有填0）；达到{fmt(veto.at_least)}处即否决，不能认定为绿色社区",
                "处数须为不小于0的整数", criteria=">=", value=0,
            ))  # fmt: skip
            formula = entered_veto_formula(veto, value)
        else:
            ws.write_string(r, COL_HINT, "自动计算，无需填写", s.text)
            ws.write_blank(r, COL_VALUE, None, s.auto)
            formula = derived_veto_formula(veto, self.ranges)
        ws.write_blank(r, COL_EVIDENCE, None, s.input_text)
        ws.write_formula(r, COL_ROW_SCORE, formula, s.formula_text, "")
        ws.write_blank(r, COL_ITEM_SCORE, None, s.formula)
        self.veto_cells.append(a1(r, COL_ROW_SCORE))
        spans = [(COL_NUMBER, "", s.center), (COL_CONTENT, veto.name, s.text), (COL_POINTS, "", s.center),
                 (COL_CRITERIA, veto.criteria, s.text), (COL_METHODS, "\n".join(veto.methods), s.text),
                 (COL_RESPONSIBLE, "\n".join(veto.responsible), s.text),
                 (COL_SUPERVISORS, "\n".join(veto.supervisors), s.text)]  # fmt: skip
        for col, text, style in spans:
            _merge(ws, r, col, r, col, text, style)
        self.fit_heights(r, r, [(t, SCORE_COLUMNS[c][1]) for c, t, _ in spans])
        self.row += 1

    def write_summary(self) -> None:
        ws, s, rubric = self.ws, self.s, self.rubric
        label_to, value_from, value_to = COL_EVIDENCE - 2, COL_VALUE, COL_ITEM_SCORE
        category_cells = []
        self.row += 1
        for category in rubric.categories:
            cells = [self.item_cells[i.number] for i in rubric.items_in(category.number)]
            r = self.row
            label = f"{CHINESE_NUMERALS[category.number - 1]}、{category.name}（{fmt(category.points)}分）小计"
            _merge(ws, r, 0, r, label_to, label, s.sum_label)
            ws.merge_range(r, value_from, r, value_to, "", s.sum_value)
            ws.write_formula(r, value_from, subtotal_formula(cells), s.sum_value, "")
            category_cells.append(a1(r, value_from))
            self.row += 1
        rows: list[tuple[str, str, Format]] = []
        total = total_formula(category_cells, self.bonus_cell, rubric.max_total)
        rows.append(("加分", f"={self.bonus_cell}", s.sum_value))
        rows.append((f"总分（不超过{fmt(rubric.max_total)}分）", total, s.sum_value))
        rows.append(("否决项", any_veto_formula(self.veto_cells), s.verdict))
        for label, formula, style in rows:
            r = self.row
            _merge(ws, r, 0, r, label_to, label, s.sum_label)
            ws.merge_range(r, value_from, r, value_to, "", style)
            ws.write_formula(r, value_from, formula, style, "")
            self.row += 1
        total_cell = a1(self.row - 2, value_from)
        veto_cell = a1(self.row - 1, value_from)
        r = self.row
        _merge(ws, r, 0, r, label_to, f"评审结论（总分≥{fmt(rubric.pass_mark)}分且无否决项为达标）", s.sum_label)
        ws.merge_range(r, value_from, r, value_to, "", s.verdict)
        ws.write_formula(r, value_from, verdict_formula(veto_cell, total_cell, rubric.pass_mark), s.verdict, "")
        verdict_cell = a1(r, value_from)
        ws.conditional_format(verdict_cell, {"type": "cell", "criteria": "==", "value": '"达标"', "format": s.good})
        ws.conditional_format(
            verdict_cell, {"type": "formula", "criteria": f'=OR({verdict_cell}="否决",{verdict_cell}="未达标")',
                           "format": s.bad})  # fmt: skip
        ws.set_row(r, 22)
        self.heights[r] = 22
        self.row += 2
        r = self.row
        ws.set_row(r, 30)
        self.heights[r] = 30
        _merge(ws, r, 0, r, COL_SUPERVISORS, "评审人员（签字）：", s.signature)
        _merge(ws, r, COL_LABEL, r, COL_VALUE, "审核人（签字）：", s.signature)
        _merge(ws, r, COL_EVIDENCE, r, COL_ITEM_SCORE, "日期：    年   月   日", s.signature)
        self.row += 1

    def finish(self) -> None:
        ws = self.ws
        last_col = len(SCORE_COLUMNS) - 1
        ws.freeze_panes(SCORE_HEADER_ROW + 1, 0)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.set_print_scale(100)  # designed at its printed size; fitting to a page would also drop the page breaks
        ws.repeat_rows(0, SCORE_HEADER_ROW)
        ws.print_area(0, 0, self.row - 1, last_col)
        ws.set_h_pagebreaks(self.breaks)  # at item boundaries (keep_together)
        ws.set_margins(left=0.3, right=0.3, top=0.6, bottom=0.6)
        ws.center_horizontally()
        ws.set_footer(page_footer(self.identity))
        _protect(ws)


def _compound_ranges() -> Ranges:
    first, last = COMPOUND_HEADER_ROW + 2, COMPOUND_HEADER_ROW + 1 + COMPOUND_ROWS
    sheet = f"'{L.COMPOUND_SHEET}'"

    def rng(col: int) -> str:
        letter = column_letter(col)
        return f"{sheet}!${letter}${first}:${letter}${last}"

    return Ranges(name=rng(0), area=rng(2), property_service=rng(4), garbage_sorting=rng(5), shortfall=rng(8),
                  status=rng(9))  # fmt: skip


def _protect(ws: Worksheet) -> None:
    # No password: the guard is against slips, and the office must be able to unlock a sheet when it needs to.
    ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True})


def _write_info(wb: Workbook, s: _Styles, rubric: Rubric, year: int, identity: Identity | None) -> None:
    ws = wb.add_worksheet(L.INFO_SHEET)
    # 88 units (636 pixels): inside A4 portrait's 698 between 0.5-inch margins at 100 %, with room for how programs
    # round widths (94 units printed at 97 %), so the 9-point text prints at 9 points
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 28)
    ws.set_column(2, 2, 16)
    ws.set_column(3, 3, 28)
    title = f"{identity.name if identity else ''}{year}年度绿色社区评审 基本信息（申报表）"
    _merge(ws, 0, 0, 0, 3, title, s.title)
    ws.set_row(0, 26)
    _merge(ws, 1, 0, 1, 3, "黄色单元格需要填写，灰色单元格为预填内容；数量填数字，面积单位为平方米。", s.note)
    values = {L.COMMUNITY_CODE: identity.code if identity else "", L.COMMUNITY_NAME: identity.name if identity else "",
              L.SUBDISTRICT: identity.subdistrict if identity else ""}  # fmt: skip
    # the one rule for years, as of the form's own year (a form is filled in its year, or the next one's first days)
    low, high = year_bounds(rubric.campaign, date(year, 1, 1))
    r, c = 3, 0
    for label, kind in INFO_FIELDS:
        if kind == "long":
            if c:
                r, c = r + 1, 0
            ws.write_string(r, 0, label, s.header)
            ws.merge_range(r, 1, r, 3, "", s.input_text)
            ws.set_row(r, 60)
            r += 1
            continue
        ws.write_string(r, c, label, s.header)
        value_col = c + 1
        if kind == "id":
            if identity is not None:
                ws.write_string(r, value_col, values[label], s.prefilled)
            else:
                ws.write_blank(r, value_col, None, s.input_text)
        elif kind == "year":
            ws.write_number(r, value_col, year, s.prefilled if identity else s.input)
            if identity is None:
                ws.data_validation(r, value_col, r, value_col, validation(
                    "integer", L.YEAR, f"填四位年份，如 {year}", f"请填写 {low}～{high} 之间的年份",
                    criteria="between", minimum=low, maximum=high))  # fmt: skip
        elif kind == "date":
            ws.write_blank(r, value_col, None, s.input_date)
            ws.data_validation(r, value_col, r, value_col, validation(
                "date", L.REVIEW_DATE, "填现场评审日期，如 2022-10-15", "请填写有效日期",
                criteria="between", minimum=date(low, 1, 1), maximum=date(high, 12, 31)))  # fmt: skip
        elif kind in ("count", "area"):
            ws.write_blank(r, value_col, None, s.input)
            whole = kind == "count"
            ws.data_validation(r, value_col, r, value_col, validation(
                "integer" if whole else "decimal", label, "填整数" if whole else "填面积（平方米）",
                "请填写不小于0的数字", criteria=">=", value=0))  # fmt: skip
        else:
            ws.write_blank(r, value_col, None, s.input_text)
        ws.set_row(r, 20)
        if c == 0:
            c = 2
        else:
            r, c = r + 1, 0
    r += 1 if c else 0
    # 附件3's six opinion boxes, printed for signatures and seals (never read back)
    _merge(ws, r + 1, 0, r + 1, 3, "推荐和审核意见（签字、盖章）", s.header)
    r += 2
    for n, title in enumerate(OPINION_BOXES):
        row, col = r + n // 2, (n % 2) * 2
        sign = "" if "盖章" in title else "（签字）"
        _merge(ws, row, col, row, col + 1, f"{title}\n\n\n\n\n{sign}          年    月    日", s.opinion)
        ws.set_row(row, 96)
    last = r + (len(OPINION_BOXES) + 1) // 2
    ws.set_portrait()
    ws.set_paper(9)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.print_area(0, 0, last, 3)
    ws.set_footer(page_footer(identity))
    _protect(ws)
    ws.activate()


COMPOUND_COLUMNS: Final = [
    (L.COMPOUND_NAME, 22), (L.COMPOUND_BUILT, 10), (L.COMPOUND_AREA, 12), (L.COMPOUND_GREEN, 12),
    (L.COMPOUND_PROPERTY, 10), (L.COMPOUND_SORTING, 10), ("绿地率（%）", 11), ("绿地率要求（%）", 13),
    ("不足（百分点）", 13), ("绿地率是否达标", 13),
]  # fmt: skip


def _write_compounds(wb: Workbook, s: _Styles, rubric: Rubric, year: int, identity: Identity | None) -> None:
    ws = wb.add_worksheet(L.COMPOUND_SHEET)
    for col, (_, width) in enumerate(COMPOUND_COLUMNS):
        ws.set_column(col, col, width)
    last_col = len(COMPOUND_COLUMNS) - 1
    name = identity.name if identity else ""
    _merge(ws, 0, 0, 0, last_col, f"{name}{year}年度 社区内居住小区情况", s.title)
    ws.set_row(0, COMPOUND_TITLE_POINTS)
    requirement_text = "，".join(
        f"{g.built_from}年以来建成的要求{fmt(g.required)}%" if g.built_from else f"其余要求{fmt(g.required)}%"
        for g in rubric.compounds.green_requirements
    )
    _merge(
        ws, 1, 0, 1, last_col,
        f"每个居住小区填一行（至少{rubric.compounds.min_count}个）。面积单位为平方米；物业服务、垃圾分类填 是/否。"
        f"绿地率由程序计算：{requirement_text}。右侧绿色列自动计算。打印时默认打印前{COMPOUND_PRINT_ROWS}行。",
        s.note,
    )  # fmt: skip
    ws.set_row(1, COMPOUND_NOTE_POINTS)
    for col, (title, _) in enumerate(COMPOUND_COLUMNS):
        ws.write_string(COMPOUND_HEADER_ROW, col, title, s.header)
    ws.set_row(COMPOUND_HEADER_ROW, COMPOUND_HEADER_POINTS)
    first, last = COMPOUND_HEADER_ROW + 1, COMPOUND_HEADER_ROW + COMPOUND_ROWS
    for r in range(first, last + 1):
        ws.set_row(r, COMPOUND_ROW_POINTS)
        ws.write_blank(r, 0, None, s.input_text)
        for col in range(1, 4):
            ws.write_blank(r, col, None, s.input)
        ws.write_blank(r, 4, None, s.input)
        ws.write_blank(r, 5, None, s.input)
        b, c, d = a1(r, 1), a1(r, 2), a1(r, 3)
        ws.write_formula(
            r,
            6,
            compound_ratio_formula(c, d, rubric.compounds.ratio_decimals),
            s.formula,
            "",
        )
        requirement = '""'
        for g in reversed(rubric.compounds.green_requirements):
            requirement = (
                f"IF({b}>={g.built_from},{fmt(g.required)},{requirement})" if g.built_from else fmt(g.required)
            )
        ws.write_formula(r, 7, f'=IF(ISNUMBER({b}),{requirement},"")', s.formula, "")
        g_, h_ = a1(r, 6), a1(r, 7)
        ws.write_formula(r, 8, f'=IF(AND(ISNUMBER({g_}),ISNUMBER({h_})),MAX(0,{h_}-{g_}),"")', s.formula, "")
        i_ = a1(r, 8)
        ws.write_formula(r, 9, f'=IF(ISNUMBER({i_}),IF({i_}>0,"不达标","达标"),"")', s.formula_text, "")
    span = (first, 0, last, 0)
    ws.data_validation(*span[:1], 1, last, 1, validation(
        "integer", L.COMPOUND_BUILT, "填建成年份（四位数字），如 2015",
        f"请填 {rubric.compounds.earliest_built}～{year} 之间的年份",
        criteria="between", minimum=rubric.compounds.earliest_built, maximum=year))  # fmt: skip
    ws.data_validation(first, 2, last, 2, validation(
        "decimal", L.COMPOUND_AREA, "填占地面积（平方米）", "占地面积须为大于0的数字", criteria=">", value=0))  # fmt: skip
    ws.data_validation(first, 3, last, 3, validation(
        "custom", L.COMPOUND_GREEN, "填绿地面积（平方米），不超过占地面积", "绿地面积须为0～占地面积之间的数字",
        value=f"=AND(ISNUMBER({a1(first, 3)}),{a1(first, 3)}>=0,{a1(first, 3)}<=N({a1(first, 2)}))"))  # fmt: skip
    for col, title in ((4, L.COMPOUND_PROPERTY), (5, L.COMPOUND_SORTING)):
        ws.data_validation(first, col, last, col, yes_no(title))
    ws.freeze_panes(COMPOUND_HEADER_ROW + 1, 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.center_horizontally()
    # one page: the rows are sized to fit it at 100 %; fitting to one page tall as well only guards against another
    # program's rounding, which spilled the last rows onto a near-empty second page
    ws.fit_to_pages(1, 1)
    ws.repeat_rows(0, COMPOUND_HEADER_ROW)
    ws.print_area(0, 0, COMPOUND_HEADER_ROW + COMPOUND_PRINT_ROWS, last_col)
    ws.set_footer(page_footer(identity))
    _protect(ws)


def guide_lines(rubric: Rubric) -> list[tuple[str, str]]:
    """The 说明 sheet as (style, text) lines, all drawn from the rubric."""
    vetoes = [f"{v.code} {v.name}：{v.criteria}" for v in rubric.vetoes]
    return [
        ("title", f"{rubric.title} — 填表说明"),
        ("head", "一、怎么填"),
        ("text", f"1. “{L.INFO_SHEET}”表：核对社区编码、名称、乡街、评审年度，填写评审日期、评审人员和申报表各项。"),
        ("text", f"2. “{L.SCORE_SHEET}”表：只在黄色的“{L.VALUE_HEADER}”列填写，每个编号一行；“{L.EVIDENCE_HEADER}”列可写备注或佐证材料名称。"),
        ("text", f"3. “{L.COMPOUND_SHEET}”表：社区内每个居住小区填一行，绿地率、物业服务和垃圾分类相关得分由此自动计算。"),
        ("text", "4. 填好后保存为 .xlsx 文件交回，不要改动工作表名称和“编号”列；可以插入行或调整行高列宽。"),
        ("head", "二、各类录入值的含义"),
        ("text", f"填得分：按考评标准给出的分数，0 到该行分值之间，须为 {fmt(rubric.step)} 分的倍数。"),
        ("text", "填 是/否：符合要求填“是”，否则填“否”；“是”得该行全部分值，“否”得 0 分。也可填 Y/N、√/×、1/0、"
                 "TRUE/FALSE；以“有”开头的行（如 有健身设施）也可填 有/无。"),
        ("text", "填处数：现场发现问题的处数（整数），没有问题填 0，不能留空；每处按标准扣分，扣完为止。"),
        ("text", "填扣分：按标准酌情扣除的分数，没有扣分填 0。"),
        ("text", "填数值：如照明设施完好率填百分数（98.5 表示 98.5%，不要填 0.985），服务人口填人数。"),
        ("text", "不适用：本社区没有该项任务或资源时填“是”，该项计满分，下面各行可不填；否则填“否”并填写各行。"),
        ("text", "自动计算：由“小区”表计算（绿地率、垃圾分类覆盖、物业服务面积占比、绿色空间否决），无需填写。"),
        ("head", "三、加分项"),
        ("text", f"{rubric.bonus.content}{rubric.bonus.criteria}加分须在“佐证”列写明荣誉名称，否则无效。"),
        ("head", "四、否决项（有任一项即不能认定为绿色社区）"),
        *(("text", v) for v in vetoes),
        ("text", "否决项的处数必须填写，没有发现填 0，留空视为未填完。"),
        ("head", "五、评审结论"),
        ("text", f"{rubric.pass_rule}即：总分（含加分，不超过{fmt(rubric.max_total)}分）≥ {fmt(rubric.pass_mark)} 分且无否决项为“达标”。"),
        ("text", "表中绿色单元格的得分随录入自动计算，仅供参考；正式得分由区评审办公室用程序统一计算。"),
        ("head", "六、版本"),
        ("text", f"评分标准：{rubric.id} 版本 {rubric.version}（{rubric.source}）；生成程序：greencli {__version__}。"),
    ]  # fmt: skip


def _write_guide(wb: Workbook, s: _Styles, rubric: Rubric, identity: Identity | None) -> None:
    ws = wb.add_worksheet(L.GUIDE_SHEET)
    # 88 units (621 pixels) inside A4 portrait's 698 between 0.5-inch margins: the text wraps within the page
    ws.set_column(0, 0, GUIDE_WIDTH)
    styles = {"title": s.guide_title, "head": s.guide_head, "text": s.guide}
    for r, (style, text) in enumerate(guide_lines(rubric)):
        ws.write_string(r, 0, text, styles[style])
        ws.set_row(r, max(18, text_lines(text, GUIDE_WIDTH * 0.9) * 15 + 4))  # 10-pt text: 0.9 of the 9-pt width
    ws.set_portrait()
    ws.set_paper(9)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.set_footer(page_footer(identity))
    _protect(ws)


def _write_stamp(wb: Workbook, stamp: dict[str, str]) -> None:
    ws = wb.add_worksheet(STAMP_SHEET)
    for r, key in enumerate(STAMP_KEYS):
        ws.write_string(r, 0, key)
        ws.write_string(r, 1, stamp[key])
        wb.set_custom_property(PROPERTY_PREFIX + key, stamp[key])
    ws.very_hidden()
    _protect(ws)


def build_workbook(rubric: Rubric, year: int, identity: Identity | None) -> bytes:
    """The complete workbook as xlsx bytes; `identity` None gives the blank form a community fills itself."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buffer,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    wb.set_properties({
        "title": f"{year}年度绿色社区评审评分表",
        "subject": rubric.title,
        "author": "greencli",
        "comments": f"评分标准 {rubric.id} {rubric.version}",
    })  # fmt: skip
    s = _Styles(wb)
    _write_info(wb, s, rubric, year, identity)
    _ScoreSheet(wb, s, rubric, year, identity).build()
    _write_compounds(wb, s, rubric, year, identity)
    _write_guide(wb, s, rubric, identity)
    _write_stamp(wb, {
        "rubric_id": rubric.id, "rubric_version": rubric.version,
        "community_code": identity.code if identity else "", "year": str(year), "generator": f"greencli {__version__}",
    })  # fmt: skip
    wb.close()
    return buffer.getvalue()


def build_skeleton(rubric: Rubric, year: int) -> bytes:
    """A workbook whose identity is placeholder tokens, to be personalised by `personalise`."""
    return build_workbook(rubric, year, PLACEHOLDER)
