"""Plain tables to files people open in Excel or WPS: one .xlsx with a sheet per table, or a folder of CSV files.

CSV files are UTF-8 with a byte-order mark, which Excel and WPS need to show Chinese. Dates and times are the
spreadsheet's own (a CSV writes them as 2022-10-15 and 2026-12-01 04:52:55, which Excel reads as such). Text is always read back as
text: in the workbook it is written as a string, and in a CSV a text cell that Excel would take for a formula
(beginning with = + - @ or a tab) is prefixed with an apostrophe, as OWASP advises against CSV injection.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

from greencli.adapters.files import atomic_target, write_atomic

Cell = str | int | float | bool | date | datetime | None
Table = tuple[str, Sequence[str], Sequence[Sequence[Cell]]]


def write_xlsx_tables(path: Path, tables: Sequence[Table]) -> list[str]:
    """One sheet per table, header frozen and filtered; returns where each table went (`path#sheet`)."""
    with atomic_target(path) as target:
        wb = xlsxwriter.Workbook(str(target), {"strings_to_formulas": False, "strings_to_numbers": False,
                                               "strings_to_urls": False, "constant_memory": True})  # fmt: skip
        header = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
        day = wb.add_format({"num_format": "yyyy-mm-dd"})
        moment = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        for name, columns, rows in tables:
            ws = wb.add_worksheet(name)
            for c, column in enumerate(columns):
                ws.write_string(0, c, column, header)
                ws.set_column(c, c, max(8, min(40, 2 * len(column) + 2), _clock_width(rows, c)))
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row):
                    if value is None:
                        continue
                    if isinstance(value, bool):
                        ws.write_string(r, c, "是" if value else "否")
                    elif isinstance(value, datetime):
                        ws.write_datetime(r, c, value, moment)
                    elif isinstance(value, date):
                        ws.write_datetime(r, c, datetime.combine(value, datetime.min.time()), day)
                    elif isinstance(value, int | float):
                        ws.write_number(r, c, value)
                    else:
                        ws.write_string(r, c, value)
            ws.freeze_panes(1, 0)
            ws.autofilter(0, 0, max(1, len(rows)), max(0, len(columns) - 1))
        wb.close()
    return [f"{path}#{name}" for name, _, _ in tables]


def _clock_width(rows: Sequence[Sequence[Cell]], column: int) -> int:
    """The width a date (or date and time) column needs to show its values whole, not as ####."""
    for row in rows:
        value = row[column]
        if isinstance(value, datetime):
            return 20
        if isinstance(value, date):
            return 11
        if value is not None:
            return 0
    return 0


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv_folder(folder: Path, tables: Sequence[Table]) -> list[str]:
    """One `<table>.csv` per table in `folder`; returns the files written."""
    written = []
    for name, columns, rows in tables:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_cell(v) for v in row])
        target = folder / f"{name}.csv"
        write_atomic(target, buffer.getvalue().encode("utf-8-sig"))
        written.append(str(target))
    return written
