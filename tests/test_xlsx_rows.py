"""Rows streamed straight into a worksheet are byte for byte the rows xlsxwriter writes itself."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from greencli.adapters import xlsx_rows
from greencli.adapters.xlsx_rows import DATE, NUMBER, TEXT, RowStream
from hypothesis import given, settings
from hypothesis import strategies as st

Row = tuple[int, list[tuple[int, str, Any]], float | None]  # row, (column, kind, value) cells, height


def workbook(rows: Sequence[Row], direct: bool) -> dict[str, bytes]:
    """Every part of a one-sheet workbook holding `rows` (under a header row, with a note after them), written
    with or without the direct stream; the properties part left out (it holds the time of writing)."""
    with tempfile.TemporaryDirectory() as folder:  # constant_memory streams rows through a file: no in_memory
        out = Path(folder) / "rows.xlsx"
        _write(out, rows, direct)
        with zipfile.ZipFile(out) as package:
            return {n: package.read(n) for n in package.namelist() if n != "docProps/core.xml"}


def _write(out: Path, rows: Sequence[Row], direct: bool) -> None:
    wb = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    formats = {TEXT: wb.add_format({"num_format": "@", "text_wrap": True}), NUMBER: wb.add_format({"num_format": "0.0"}),
               DATE: wb.add_format({"num_format": "yyyy-mm-dd"})}  # fmt: skip
    extra = wb.add_format({"bold": True})  # numbered only where a row uses it first
    ws = wb.add_worksheet("表")
    ws.write_string(0, 0, "表头", extra)
    stream = RowStream(ws, direct=direct)
    assert stream.direct is direct
    last = 0
    for row, cells, height in rows:
        stream.write(row, [(c, kind, v, extra if c == 5 else formats[kind]) for c, kind, v in cells], height)
        last = row
    ws.write_string(last + 2, 0, "注：以上为示例")
    ws.autofilter(0, 0, max(1, last), 6)
    wb.close()


def assert_same(rows: Sequence[Row]) -> None:
    assert workbook(rows, direct=True) == workbook(rows, direct=False)


TEXTS = ["社区", " 前导空格", "末尾空格 ", "a & b < c > d \"q\"", "多行\n文本", "控制\x01字符", "_x0041_ 转义",
         "<r>富文本样子</r>", "😀", "x" * 20_000, ""]  # fmt: skip


def test_text_numbers_and_dates_of_every_shape_write_alike() -> None:
    rows: list[Row] = [
        (r + 1, [(0, TEXT, text), (1, NUMBER, r / 3), (2, DATE, date(2022, 10, r + 1)), (5, TEXT, "格式在后")], None)
        for r, text in enumerate(TEXTS)
    ]
    assert_same(rows)


@pytest.mark.parametrize("height", [None, 15, 16.5, 30.5, 0.1, 409])
def test_row_heights_write_alike(height: float | None) -> None:
    assert_same([(1, [(0, TEXT, "甲")], height), (2, [(1, NUMBER, 1)], height)])


@pytest.mark.parametrize(
    "cells",
    [
        [(0, NUMBER, float("nan"))], [(0, NUMBER, float("inf"))], [(3, TEXT, "后"), (1, TEXT, "前")],  # out of order
        [(0, DATE, datetime(2022, 10, 4, 9, 30))], [(0, NUMBER, 10**20)], [(0, NUMBER, -0.0)],
    ],
)  # fmt: skip
def test_what_the_stream_does_not_write_itself_xlsxwriter_writes(cells: list[tuple[int, str, Any]]) -> None:
    try:
        expected = workbook([(1, cells, None), (2, [(0, TEXT, "下一行")], None)], direct=False)
    except Exception:  # a row xlsxwriter itself refuses (NaN) is no case here
        return
    assert workbook([(1, cells, None), (2, [(0, TEXT, "下一行")], None)], direct=True) == expected


def test_rows_out_of_order_or_gaps_write_alike() -> None:
    assert_same([(1, [(0, TEXT, "一")], None), (5, [(0, TEXT, "五")], 30), (6, [], None), (9, [(6, NUMBER, 2)], None)])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.tuples(st.integers(0, 6), st.sampled_from([TEXT, NUMBER]),
                               st.one_of(st.text(max_size=8), st.floats(-1e9, 1e9))), max_size=6),
            st.one_of(st.none(), st.floats(1, 100)),
        ),
        max_size=8,
    )
)  # fmt: skip
def test_any_rows_write_alike(rows: list[tuple[list[tuple[int, str, Any]], float | None]]) -> None:
    made: list[Row] = []
    for n, (cells, height) in enumerate(rows, start=1):
        ordered = sorted({c: (c, kind, v if kind == TEXT and isinstance(v, str) else (v if not isinstance(v, str) else 0))
                          for c, kind, v in cells}.values())  # fmt: skip
        made.append((n, [(c, TEXT if isinstance(v, str) else NUMBER, v) for c, _, v in ordered], height))
    assert_same(made)


def test_another_xlsxwriter_version_goes_through_its_own_methods(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(xlsx_rows, "KNOWN_VERSION", "0.0.0")
    wb = xlsxwriter.Workbook(str(tmp_path / "other.xlsx"), {"constant_memory": True})
    assert not RowStream(wb.add_worksheet()).direct
    wb.close()


def test_the_district_workbook_is_the_same_written_either_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from greencli.adapters.xlsx_report import write_district_workbook
    from greencli.api import score

    from tests.workbooks import filled

    inbox = tmp_path / "inbox"
    for n in range(6):
        filled(inbox, f"C{n:05d}", evidence={"1.1": " 前导空格的佐证"} if n == 2 else None)
    report = score([str(inbox)], db=tmp_path / "ledger.db", dry_run=True)
    parts = []
    for version in (xlsx_rows.KNOWN_VERSION, "0.0.0"):
        monkeypatch.setattr(xlsx_rows, "KNOWN_VERSION", version)
        out = tmp_path / f"{version}.xlsx"
        write_district_workbook(out, report.outcomes, report.rubric)
        with zipfile.ZipFile(out) as package:
            parts.append({n: package.read(n) for n in package.namelist() if n != "docProps/core.xml"})
    assert parts[0] == parts[1]
