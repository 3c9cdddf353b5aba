"""The 基本信息 sheet: the fields the program reads (identity, year, review date, reviewers), then the campaign's
application form from the rubric data (its fields and opinion boxes, `Rubric.form`), label and value side by side.

Contract: each label's value sits in the cell to its right.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from xlsxwriter.workbook import Workbook

from greencli.adapters.template.geometry import INFO_WIDTHS, Styles, info_page, merge, protect
from greencli.adapters.template.personalise import Identity
from greencli.adapters.template.validations import validation
from greencli.core import layout as L
from greencli.core.rubric import FieldKind, Rubric, year_bounds

# The fields the program itself reads, before the form's own: label, kind (id: pre-filled identity; year; date; text)
READ_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    (L.COMMUNITY_CODE, "id"), (L.COMMUNITY_NAME, "id"), (L.SUBDISTRICT, "id"), (L.YEAR, "year"),
    (L.REVIEW_DATE, "date"), (L.REVIEWERS, FieldKind.TEXT.value),
)  # fmt: skip
SEALED: Final = "盖章"  # an opinion box whose title says so is sealed; any other is signed


def fields(rubric: Rubric) -> tuple[tuple[str, str], ...]:
    """Every field of the sheet in order, as (label, kind)."""
    return (*READ_FIELDS, *((f.label, f.kind.value) for f in rubric.form.fields))


def write_info(wb: Workbook, s: Styles, rubric: Rubric, year: int, identity: Identity | None) -> None:
    ws = wb.add_worksheet(L.INFO_SHEET)
    for col, width in enumerate(INFO_WIDTHS):
        ws.set_column(col, col, width)
    campaign, form = rubric.campaign, rubric.form
    title = f"{identity.name if identity else ''}{year}年度{campaign.name}评审 基本信息（{form.title}）"
    merge(ws, 0, 0, 0, 3, title, s.title)
    ws.set_row(0, 26)
    merge(ws, 1, 0, 1, 3, "黄色单元格需要填写，灰色单元格为预填内容；数量填数字，面积单位为平方米。", s.note)
    values = {L.COMMUNITY_CODE: identity.code if identity else "", L.COMMUNITY_NAME: identity.name if identity else "",
              L.SUBDISTRICT: identity.subdistrict if identity else ""}  # fmt: skip
    # the one rule for years, as of the form's own year (a form is filled in its year, or the next one's first days)
    low, high = year_bounds(campaign, date(year, 1, 1))
    r, c = 3, 0
    for label, kind in fields(rubric):
        if kind == FieldKind.LONG:
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
                criteria="between", minimum=date(low, 1, 1), maximum=campaign.end_of(high)))  # fmt: skip
        elif kind in (FieldKind.COUNT, FieldKind.AREA):
            ws.write_blank(r, value_col, None, s.input)
            whole = kind == FieldKind.COUNT
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
    # the form's opinion boxes, printed for signatures and seals (never read back)
    merge(ws, r + 1, 0, r + 1, 3, "推荐和审核意见（签字、盖章）", s.header)
    r += 2
    for n, box in enumerate(form.opinions):
        row, col = r + n // 2, (n % 2) * 2
        sign = "" if SEALED in box else "（签字）"
        merge(ws, row, col, row, col + 1, f"{box}\n\n\n\n\n{sign}          年    月    日", s.opinion)
        ws.set_row(row, 96)
    info_page(ws, r + (len(form.opinions) + 1) // 2, identity)
    protect(ws)
    ws.activate()
