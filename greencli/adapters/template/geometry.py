"""The form's print geometry: paper, margins, column widths, row heights, fonts and the page footer.

Every sheet is designed at its printed size (A4, 9-point 宋体 body) so that what a person writes on paper is where the
program reads it on screen. The sheets' contents are in form.py, score_sheet.py and sheets.py; this module holds how
they sit on a page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Final

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from greencli.adapters.cells import text_width
from greencli.adapters.template.personalise import (
    HEADER_CODE_LIMIT,
    HEADER_NAME_LIMIT,
    PLACEHOLDER,
    TOKEN_HEADER_CODE,
    TOKEN_HEADER_NAME,
    Identity,
    header_text,
)
from greencli.core import layout as L

A4: Final = 9  # xlsxwriter's paper code

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
LINE_HEIGHT: Final = 12.0  # points per wrapped line at the 9-point body font (its line is about 11.3 points)
SUMMARY_ROW_HEIGHT: Final = 18
# The page's height for item rows: A4 landscape (595 pt) less 0.6-inch margins (86 pt) and the repeated title and
# header rows (about 95 pt), with room for how spreadsheet programs round row heights.
PAGE_BODY_POINTS: Final = 395

# 基本信息: 88 units (636 pixels): inside A4 portrait's 698 between 0.5-inch margins at 100 %, with room for how
# programs round widths (94 units printed at 97 %), so the 9-point text prints at 9 points
INFO_WIDTHS: Final = (16, 28, 16, 28)

COMPOUND_HEADER_ROW: Final = 2
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
COMPOUND_COLUMNS: Final = [
    (L.COMPOUND_NAME, 22), (L.COMPOUND_BUILT, 10), (L.COMPOUND_AREA, 12), (L.COMPOUND_GREEN, 12),
    (L.COMPOUND_PROPERTY, 10), (L.COMPOUND_SORTING, 10), ("绿地率（%）", 11), ("绿地率要求（%）", 13),
    ("不足（百分点）", 13), ("绿地率是否达标", 13),
]  # fmt: skip

# 说明: 88 units (621 pixels) inside A4 portrait's 698 between 0.5-inch margins: the text wraps within the page
GUIDE_WIDTH: Final = 88


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


def text_lines(text: str, width: float) -> int:
    """How many wrapped lines `text` needs in a column `width` units wide (an estimate that errs long)."""
    usable = max(1.0, width - 1.5)
    return sum(max(1, math.ceil(text_width(part) / usable)) for part in (text or " ").split("\n"))


class Styles:
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


def merge(ws: Worksheet, r1: int, c1: int, r2: int, c2: int, value: str | float, style: Format) -> None:
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


def protect(ws: Worksheet) -> None:
    # No password: the guard is against slips, and the office must be able to unlock a sheet when it needs to.
    ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True})


def set_columns(ws: Worksheet, columns: Sequence[tuple[str, float]]) -> None:
    for col, (_, width) in enumerate(columns):
        ws.set_column(col, col, width)


# ───────────────────────────── each sheet's page ─────────────────────────────


def score_page(ws: Worksheet, last_row: int, breaks: list[int], identity: Identity | None) -> None:
    """The 评分表: A4 landscape at 100 %, its title and header rows on every page, broken between items."""
    ws.freeze_panes(SCORE_HEADER_ROW + 1, 0)
    ws.set_landscape()
    ws.set_paper(A4)
    ws.set_print_scale(100)  # designed at its printed size; fitting to a page would also drop the page breaks
    ws.repeat_rows(0, SCORE_HEADER_ROW)
    ws.print_area(0, 0, last_row, len(SCORE_COLUMNS) - 1)
    ws.set_h_pagebreaks(breaks)  # at item boundaries (keep_together)
    ws.set_margins(left=0.3, right=0.3, top=0.6, bottom=0.6)
    ws.center_horizontally()
    ws.set_footer(page_footer(identity))


def info_page(ws: Worksheet, last_row: int, identity: Identity | None) -> None:
    """基本信息: A4 portrait, one page wide."""
    ws.set_portrait()
    ws.set_paper(A4)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.print_area(0, 0, last_row, len(INFO_WIDTHS) - 1)
    ws.set_footer(page_footer(identity))


def compound_page(ws: Worksheet, identity: Identity | None) -> None:
    """小区: A4 landscape, its first COMPOUND_PRINT_ROWS rows on one page."""
    ws.freeze_panes(COMPOUND_HEADER_ROW + 1, 1)
    ws.set_landscape()
    ws.set_paper(A4)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.center_horizontally()
    # one page: the rows are sized to fit it at 100 %; fitting to one page tall as well only guards against another
    # program's rounding, which spilled the last rows onto a near-empty second page
    ws.fit_to_pages(1, 1)
    ws.repeat_rows(0, COMPOUND_HEADER_ROW)
    ws.print_area(0, 0, COMPOUND_HEADER_ROW + COMPOUND_PRINT_ROWS, len(COMPOUND_COLUMNS) - 1)
    ws.set_footer(page_footer(identity))


def guide_page(ws: Worksheet, identity: Identity | None) -> None:
    """说明: A4 portrait, one page wide."""
    ws.set_portrait()
    ws.set_paper(A4)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.set_footer(page_footer(identity))
