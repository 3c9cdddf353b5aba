"""The printable, guarded scoring workbook, put together from its sheets.

Layout (the contract's part): sheets 基本信息 (label, value to its right), 评分表 (a header row with 编号 / 录入值 /
佐证, one row per code), 小区 (one header row, one compound per row). Each sheet is its own module: form (基本信息,
the campaign's application form from the rubric data), score_sheet (评分表), sheets (小区, 说明 and the stamp);
geometry holds how they print (paper, margins, widths, heights, fonts, footers).
"""

from __future__ import annotations

import io

import xlsxwriter

from greencli.adapters.cells import text_width
from greencli.adapters.template.form import write_info
from greencli.adapters.template.geometry import COL_VALUE, Styles, text_lines
from greencli.adapters.template.personalise import PLACEHOLDER, Identity
from greencli.adapters.template.score_sheet import ScoreSheet
from greencli.adapters.template.sheets import write_compounds, write_guide, write_stamp
from greencli.core.rubric import Rubric
from greencli.core.version import __version__

__all__ = ["COL_VALUE", "build_skeleton", "build_workbook", "text_lines", "text_width"]


def build_workbook(rubric: Rubric, year: int, identity: Identity | None) -> bytes:
    """The complete workbook as xlsx bytes; `identity` None gives the blank form a community fills itself."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buffer,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    wb.set_properties({
        "title": f"{year}年度{rubric.campaign.name}评审评分表",
        "subject": rubric.title,
        "author": "greencli",
        "comments": f"评分标准 {rubric.id} {rubric.version}",
    })  # fmt: skip
    s = Styles(wb)
    write_info(wb, s, rubric, year, identity)
    ScoreSheet(wb, s, rubric, year, identity).build()
    write_compounds(wb, s, rubric, year, identity)
    write_guide(wb, s, rubric, identity)
    write_stamp(wb, {
        "rubric_id": rubric.id, "rubric_version": rubric.version,
        "community_code": identity.code if identity else "", "year": str(year), "generator": f"greencli {__version__}",
    })  # fmt: skip
    wb.close()
    return buffer.getvalue()


def build_skeleton(rubric: Rubric, year: int) -> bytes:
    """A workbook whose identity is placeholder tokens, to be personalised by `personalise`."""
    return build_workbook(rubric, year, PLACEHOLDER)
