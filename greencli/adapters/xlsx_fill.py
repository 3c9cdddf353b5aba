"""Filling a scoring workbook through the contract only, the way another program (or a person) would.

Finds the 评分表 header row by its `编号` and `录入值` cells and writes values by code; finds the 小区 header by its
labels; writes 基本信息 values in the cell right of each label. It relies on nothing but the contract's layout, so
tests, the sample generator and any import from another system fill workbooks the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from greencli.core import layout as L


class CompoundRow(Protocol):
    """One 小区 row to write (tests' `C` and the sample generator's compounds both fit)."""

    @property
    def name(self) -> Any: ...
    @property
    def built(self) -> Any: ...
    @property
    def area(self) -> Any: ...
    @property
    def green(self) -> Any: ...
    @property
    def prop(self) -> Any: ...
    @property
    def sort(self) -> Any: ...


COMPOUND_HEADERS = L.COMPOUND_COLUMNS


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
    compounds: Sequence[CompoundRow] = (),
    info: Mapping[str, Any] | None = None,
) -> Path:
    wb = openpyxl.load_workbook(template)
    ws = wb[L.SCORE_SHEET]
    at, cols = _header(ws, (L.CODE_HEADER, L.VALUE_HEADER, L.EVIDENCE_HEADER))
    for r in range(at + 1, ws.max_row + 1):
        code = ws.cell(r, cols[L.CODE_HEADER]).value
        if not isinstance(code, str):
            continue
        if code in values and values[code] is not None:
            ws.cell(r, cols[L.VALUE_HEADER]).value = values[code]
        if evidence and code in evidence:
            ws.cell(r, cols[L.EVIDENCE_HEADER]).value = evidence[code]
    sheet = wb[L.COMPOUND_SHEET]
    at, cols = _header(sheet, COMPOUND_HEADERS)
    for n, c in enumerate(compounds, start=at + 1):
        for label, value in zip(COMPOUND_HEADERS, (c.name, c.built, c.area, c.green, c.prop, c.sort), strict=True):
            sheet.cell(n, cols[label]).value = value
    if info:
        base = wb[L.INFO_SHEET]
        for row in base.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.strip() in info:
                    base.cell(cell.row, cell.column + 1).value = info[cell.value.strip()]
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    return target
