"""Small helpers for spreadsheet cell values and A1 references."""

from __future__ import annotations

import functools
import unicodedata
from datetime import date, datetime, time


def column_letter(index: int) -> str:
    """0-based column index to letters: 0 → A, 27 → AB."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: bytes) -> int:
    """A reference's column letters (as a sheet's XML holds them) to a 0-based index: b"A" → 0, b"AB" → 27."""
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number - 1


@functools.lru_cache(maxsize=16384)  # every workbook of a batch names the same few thousand cells
def a1(row: int, col: int) -> str:
    """0-based row and column to an A1 reference."""
    return f"{column_letter(col)}{row + 1}"


def text_width(text: str) -> int:
    """Display width in Excel column units: CJK and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_TEMPORAL = (datetime, date, time)


def cell_text(value: object) -> str:
    """A cell as text the way a person reads it: 130302001.0 → '130302001', dates as ISO, blanks as ''."""
    if isinstance(value, str):  # most cells, and every cell of a CSV roster: asked first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, _TEMPORAL):
        return value.isoformat()
    return str(value).strip()
