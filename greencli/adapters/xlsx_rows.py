"""A table's rows streamed into an xlsxwriter worksheet as one string a row, byte for byte what xlsxwriter writes.

The district workbook holds tens of thousands of cells (4,000 communities: about 220,000), and xlsxwriter spends
most of the workbook's time on each cell (its argument checks, a cell record, then the cell's XML from that record
with every attribute escaped in turn). In constant_memory mode xlsxwriter writes each finished row's XML to the
worksheet's stream and keeps nothing else of it; `RowStream` writes a row's XML to that stream itself, made in one
pass from the row's values and their formats, and keeps xlsxwriter's own account (its dimensions, its row in
progress) as its own methods would.

It writes only rows it writes exactly as xlsxwriter does: text, finite numbers and dates, each with a format, on a
row given at most a height. A row with anything else (a string over Excel's length, text xlsxwriter would write as
rich text, a NaN) goes through xlsxwriter's own methods, as every row does when the worksheet is not what this
module knows (another xlsxwriter version: pyproject pins 3.3.1; tests/test_xlsx_rows.py compares the two byte for
byte).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name
from xlsxwriter.worksheet import Worksheet
from xlsxwriter.xmlwriter import XMLwriter

KNOWN_VERSION = "3.3.1"
TEXT, NUMBER, DATE = "text", "number", "date"
Cell = tuple[int, str, Any, Format]  # column, kind (TEXT, NUMBER or DATE), value, format
_STRING_MAX = 32767  # Excel's longest string (UTF-16 units), xlsxwriter's xls_strmax
_escape_data = XMLwriter()._escape_data  # a method that uses nothing of its writer


class RowStream:
    """Rows of one worksheet, written straight to its stream where it is a constant_memory worksheet of the
    xlsxwriter version whose output this module reproduces (`direct`), else through xlsxwriter's own methods."""

    def __init__(self, ws: Worksheet, direct: bool = True) -> None:
        self.ws = ws
        self.direct = direct and xlsxwriter.__version__ == KNOWN_VERSION and bool(getattr(ws, "constant_memory", 0))

    def write(self, row: int, cells: Sequence[Cell], height: float | None = None) -> None:
        """Write `row` (0-based; later than any row written before): `cells` in column order, the row `height` tall
        in points when given (as `set_row` would have it)."""
        ws = self.ws
        if not self.direct or not cells or row <= ws.previous_row or row in ws.row_info or row >= ws.xls_rowmax:
            write_cells(ws, row, cells, height)
            return
        # The row before, still in xlsxwriter's table, is written out first (its formats numbered before this
        # row's, as xlsxwriter numbers them).
        ws._write_single_row(row)
        xml = self._xml(row, cells, height)
        if xml is None:
            write_cells(ws, row, cells, height)
            return
        ws._check_dimensions(row, cells[0][0])  # what each write_* call records, for the first and last column
        ws._check_dimensions(row, cells[-1][0])
        ws.fh.write(xml)

    def _xml(self, row: int, cells: Sequence[Cell], height: float | None) -> str | None:
        ws = self.ws
        parts = [f'<row r="{row + 1}"']
        if height is not None:
            pixels = int(height * 4.0 / 3.0 + 0.5)  # set_row's rounding
            if pixels == 0:
                return None
            if pixels != ws.original_row_height or pixels != ws.default_row_height:
                parts.append(f' ht="{pixels * 0.75:.16g}" customHeight="1"')
        parts.append(">")
        number_row = str(row + 1)
        last = -1
        for col, kind, value, cell_format in cells:
            if col <= last or col >= ws.xls_colmax or cell_format is None:
                return None
            last = col
            head = f'<c r="{_column_letters(col)}{number_row}" s="{cell_format._get_xf_index()}"'
            if kind == TEXT:
                inline = _inline(value if type(value) is str else str(value))
                if inline is None:
                    return None
                parts.append(f'{head} t="inlineStr">{inline}</c>')
            else:
                if kind == DATE and not isinstance(value, date | datetime):
                    return None
                number = ws._convert_date_time(value) if kind == DATE else float(value)
                if not math.isfinite(number):
                    return None
                parts.append(f"{head}><v>{number:.16G}</v></c>")
        parts.append("</row>")
        return "".join(parts)


@functools.lru_cache(maxsize=256)
def _column_letters(col: int) -> str:
    return str(xl_col_to_name(col))


@functools.lru_cache(maxsize=1024)  # 乡街, verdicts and item names repeat down a table; names and paths do not
def _inline(text: str) -> str | None:
    """A text cell's <is> element as xlsxwriter writes it in constant_memory mode, or None where it does not write
    one (text near Excel's length, which it cuts; text it takes for rich text)."""
    if len(text) > _STRING_MAX // 2:
        return None
    text = XMLwriter._escape_control_characters(text)
    if text.startswith("<r>") and text.endswith("</r>"):
        return None
    space = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
    return f"<is><t{space}>{_escape_data(text)}</t></is>"


def write_cells(ws: Worksheet, row: int, cells: Sequence[Cell], height: float | None = None) -> None:
    """Write a row through xlsxwriter's own methods: its height first (a streamed sheet writes a row once)."""
    if height is not None:
        ws.set_row(row, height)
    for col, kind, value, cell_format in cells:
        if kind == TEXT:
            ws.write_string(row, col, str(value), cell_format)
        elif kind == DATE:
            ws.write_datetime(row, col, value, cell_format)
        else:
            ws.write_number(row, col, float(value), cell_format)
