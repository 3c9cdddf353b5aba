"""Filling a scoring workbook through the contract only, the way another program (or a person) would.

Finds the 评分表 header row by its `编号` and `录入值` cells and writes values by code; finds the 小区 header by its
labels; writes 基本信息 values in the cell right of each label. Knows nothing of greencli's internals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from tests.builders import C

COMPOUND_HEADERS = ("小区名称", "建成年份", "占地面积", "绿地面积", "物业服务", "垃圾分类")


def _header(ws: Worksheet, labels: Sequence[str]) -> tuple[int, dict[str, int]]:
    for row in ws.iter_rows(max_row=60):
        found = {str(c.value).strip(): c.column for c in row if isinstance(c.value, str) and c.value.strip() in labels}
        if len(found) == len(labels):
            return int(row[0].row or 0), found
    raise AssertionError(f"{ws.title}: no header with {labels}")


def fill(
    template: Path,
    target: Path,
    values: Mapping[str, Any],
    *,
    evidence: Mapping[str, Any] | None = None,
    compounds: Sequence[C] = (),
    info: Mapping[str, Any] | None = None,
) -> Path:
    wb = openpyxl.load_workbook(template)
    ws = wb["评分表"]
    at, cols = _header(ws, ("编号", "录入值", "佐证"))
    for r in range(at + 1, ws.max_row + 1):
        code = ws.cell(r, cols["编号"]).value
        if not isinstance(code, str):
            continue
        if code in values and values[code] is not None:
            ws.cell(r, cols["录入值"]).value = values[code]
        if evidence and code in evidence:
            ws.cell(r, cols["佐证"]).value = evidence[code]
    sheet = wb["小区"]
    at, cols = _header(sheet, COMPOUND_HEADERS)
    for n, c in enumerate(compounds, start=at + 1):
        for label, value in zip(COMPOUND_HEADERS, (c.name, c.built, c.area, c.green, c.prop, c.sort), strict=True):
            sheet.cell(n, cols[label]).value = value
    if info:
        base = wb["基本信息"]
        for row in base.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.strip() in info:
                    base.cell(cell.row, cell.column + 1).value = info[cell.value.strip()]
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    return target
