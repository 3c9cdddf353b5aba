"""The 评分表: every item's rows with what to enter and a live score, the bonus, the vetoes, the subtotals, the
verdict and the signatures, kept whole across printed pages.

Contract: one header row holding 编号, 录入值 and 佐证; below it one row per code, found by its code. Each row's live
formula and validation come from its kind (greencli.adapters.template.kinds).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

from greencli.adapters.cells import a1, column_letter
from greencli.adapters.template.formulas import (
    any_veto_formula,
    derived_veto_formula,
    entered_veto_formula,
    item_formula,
    multiple,
    subtotal_formula,
    total_formula,
    verdict_formula,
)
from greencli.adapters.template.geometry import (
    COL_CATEGORY,
    COL_CODE,
    COL_CONTENT,
    COL_CRITERIA,
    COL_EVIDENCE,
    COL_HINT,
    COL_ITEM_SCORE,
    COL_LABEL,
    COL_METHODS,
    COL_NUMBER,
    COL_POINTS,
    COL_RESPONSIBLE,
    COL_ROW_SCORE,
    COL_SUPERVISORS,
    COL_VALUE,
    COMPOUND_HEADER_ROW,
    COMPOUND_ROWS,
    LINE_HEIGHT,
    PAGE_BODY_POINTS,
    SCORE_COLUMNS,
    SCORE_HEADER_ROW,
    SUMMARY_ROW_HEIGHT,
    Styles,
    merge,
    protect,
    score_page,
    set_columns,
    text_lines,
)
from greencli.adapters.template.kinds import row_formula, row_validation
from greencli.adapters.template.personalise import Identity
from greencli.adapters.template.validations import validation
from greencli.core import layout as L
from greencli.core.derived import Ranges
from greencli.core.rubric import Item, Row, RowKind, Rubric, Veto
from greencli.core.values import fmt

CHINESE_NUMERALS: Final = "一二三四五六七八九十"


class ScoreSheet:
    """Builds the 评分表 and remembers where each item's score lands, for the subtotal formulas."""

    def __init__(self, wb: Workbook, s: Styles, rubric: Rubric, year: int, identity: Identity | None) -> None:
        self.wb, self.s, self.rubric = wb, s, rubric
        self.ws = wb.add_worksheet(L.SCORE_SHEET)
        self.year, self.identity = year, identity
        self.item_cells: dict[int, str] = {}
        self.texts: dict[tuple[int, int], str] = {}
        self.row = SCORE_HEADER_ROW + 1
        self.ranges = compound_ranges()
        self.heights: dict[int, float] = {}  # row → printed height in points
        self.breaks: list[int] = []  # rows that start a printed page
        self.page_used = 0.0

    def build(self) -> None:
        ws, s = self.ws, self.s
        set_columns(ws, SCORE_COLUMNS)
        last_col = len(SCORE_COLUMNS) - 1
        name = self.identity.name if self.identity else ""
        merge(ws, 0, 0, 0, last_col, f"{name}{self.year}年度{self.rubric.campaign.name}评审评分表", s.title)
        ws.set_row(0, 24)
        ident = self.identity
        line = (
            f"{L.COMMUNITY_CODE}：{ident.code}    {L.COMMUNITY_NAME}：{ident.name}    {L.SUBDISTRICT}：{ident.subdistrict}"
            if ident
            else f"{L.COMMUNITY_CODE}、{L.COMMUNITY_NAME}、{L.SUBDISTRICT}见“{L.INFO_SHEET}”表"
        )
        merge(ws, 1, 0, 1, last_col, f"{line}    {L.YEAR}：{self.year}    依据：{self.rubric.title}", s.subtitle)
        merge(
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
            merge(self.ws, top, COL_CATEGORY, end - 1, COL_CATEGORY, shown, self.s.category)

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
            merge(ws, first, col, last, col, text, style)
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
            merge(ws, r, col, r, col, text, style)
        merge(ws, r, COL_CATEGORY, r, COL_CATEGORY, "加分", s.category)
        self.fit_heights(r, r, [(t, SCORE_COLUMNS[c][1]) for c, t, _ in spans])
        self.row += 1
        first = self.row
        self.veto_cells: list[str] = []
        for veto in rubric.vetoes:
            self.write_veto(veto)
        merge(ws, first, COL_CATEGORY, self.row - 1, COL_CATEGORY, "否决项", s.category)

    def write_veto(self, veto: Veto) -> None:
        ws, s, r = self.ws, self.s, self.row
        ws.write_string(r, COL_CODE, veto.code, s.code)
        ws.write_string(r, COL_LABEL, veto.label, s.text)
        value = a1(r, COL_VALUE)
        if veto.entered:
            ws.write_string(r, COL_HINT, "填处数（整数，没有填0，不能留空）", s.text)
            ws.write_blank(r, COL_VALUE, None, s.input)
            ws.data_validation(r, COL_VALUE, r, COL_VALUE, validation(
                "integer", f"否决项 {veto.code}", f"填发现的处数（没有填0）；达到{fmt(veto.at_least)}处即否决，不能认定为{self.rubric.campaign.name}",
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
            merge(ws, r, col, r, col, text, style)
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
            merge(ws, r, 0, r, label_to, label, s.sum_label)
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
            merge(ws, r, 0, r, label_to, label, s.sum_label)
            ws.merge_range(r, value_from, r, value_to, "", style)
            ws.write_formula(r, value_from, formula, style, "")
            self.row += 1
        total_cell = a1(self.row - 2, value_from)
        veto_cell = a1(self.row - 1, value_from)
        r = self.row
        merge(ws, r, 0, r, label_to, f"评审结论（总分≥{fmt(rubric.pass_mark)}分且无否决项为达标）", s.sum_label)
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
        merge(ws, r, 0, r, COL_SUPERVISORS, "评审人员（签字）：", s.signature)
        merge(ws, r, COL_LABEL, r, COL_VALUE, "审核人（签字）：", s.signature)
        merge(ws, r, COL_EVIDENCE, r, COL_ITEM_SCORE, "日期：    年   月   日", s.signature)
        self.row += 1

    def finish(self) -> None:
        score_page(self.ws, self.row - 1, self.breaks, self.identity)
        protect(self.ws)


def compound_ranges() -> Ranges:
    first, last = COMPOUND_HEADER_ROW + 2, COMPOUND_HEADER_ROW + 1 + COMPOUND_ROWS
    sheet = f"'{L.COMPOUND_SHEET}'"

    def rng(col: int) -> str:
        letter = column_letter(col)
        return f"{sheet}!${letter}${first}:${letter}${last}"

    return Ranges(name=rng(0), area=rng(2), property_service=rng(4), garbage_sorting=rng(5), shortfall=rng(8),
                  status=rng(9))  # fmt: skip
