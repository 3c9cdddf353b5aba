"""The direct sheet reader gives python-calamine's grid, or declines: it never gives a different value.

Every case is a real file written by a spreadsheet library (openpyxl, xlsxwriter) or rewritten at the XML level the
way other programs write it; each is read both ways and compared. Where the direct reader declines (`Unusual`), the
workbook is read by python-calamine, so declining is always allowed and a differing value never is.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine
import xlsxwriter
from greencli.adapters import xlsx_reader
from greencli.adapters.container import open_package
from greencli.adapters.rubric_file import load_standards
from greencli.adapters.xlsx_direct import DirectBook, Unusual, date_format_kind, stamp_properties
from greencli.core import layout as L
from greencli.core.clean import clean_line
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from tests.libreoffice import convert, needs_libreoffice
from tests.workbooks import filled

ROOT = Path(__file__).resolve().parent.parent
STANDARDS = load_standards()


def calamine_grid(data: bytes, sheet: str) -> list[list[Any]]:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def direct_grid(data: bytes, sheet: str, header: Any = None) -> list[list[Any]] | None:
    """The direct reader's grid, or None where it declines."""
    try:
        with open_package(io.BytesIO(data)) as package:
            return DirectBook(package).grid(sheet, header)
    except Unusual:
        return None


def same_or_declined(data: bytes, sheet: str = "Sheet1") -> bool:
    """True when the direct reader read the sheet (and then asserts it read what python-calamine reads)."""
    got = direct_grid(data, sheet)
    if got is None:
        return False
    assert got == calamine_grid(data, sheet)
    return True


def openpyxl_book(fill: Callable[[Any], None]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    fill(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsxwriter_book(cells: dict[tuple[int, int], Any], formats: dict[tuple[int, int], str] | None = None) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Sheet1")
    for (r, c), value in cells.items():
        code = (formats or {}).get((r, c))
        style = book.add_format({"num_format": code}) if code else None
        if isinstance(value, datetime | date):
            sheet.write_datetime(r, c, value, style or book.add_format({"num_format": "yyyy-mm-dd"}))
        else:
            sheet.write(r, c, value, style)
    book.close()
    return out.getvalue()


def rewrite(data: bytes, part: str, change: Callable[[bytes], bytes]) -> bytes:
    """The same package with one part's XML changed, as another program might have written it."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            target.writestr(info.filename, change(body) if info.filename == part else body)
    return out.getvalue()


SHEET1 = "xl/worksheets/sheet1.xml"


# ── number formats: a date, a number, or neither beyond doubt ──


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("0.0", False), ("@", False), ("General", False), ("#,##0.00", False), ("0%", False), ("0.00E+00", False),
        ("yyyy-mm-dd", True), ("yyyy/m/d", True), ('yyyy"年"m"月"d"日"', True), ("YYYY\\-MM\\-DD", True),
        ("m/d/yy", True), ("d-mmm-yy", True), ("yyyy/m/d;@", True), ('[$-804]yyyy"年"m"月"d"日";@', True),
        ("h:mm", None), ("yyyy-mm-dd hh:mm", None), ("[h]:mm:ss", None), ("0.00_);[Red](0.00)", None),
        ('"Y: "0.00', None), ("yyyy-mm-dd;0", None), ("mm:ss", None), ("[Red]yyyy-mm-dd", None),
    ],
)  # fmt: skip
def test_a_number_format_is_classed_only_beyond_doubt(code: str, kind: bool | None) -> None:
    assert date_format_kind(code) is kind


# ── values, one kind at a time ──


@pytest.mark.parametrize(
    "value",
    ["plain", "多行\n文本", "a & b < c > d \"q\" 'a'", "😀 astral", "tab\tinside", "  leading", "trailing  ",
     "_x000D_ escaped", "x" * 3000, 0, 1, -2.5, 1e-20, 1.7976931348623157e308, 123456789012345, 0.1 + 0.2, True,
     False, "#N/A", "=1+1"],
)  # fmt: skip
def test_each_kind_of_value_reads_as_python_calamine_reads_it(value: Any) -> None:
    def put(sheet: Any) -> None:
        sheet["B2"] = value
        sheet["A1"] = "label"

    assert_reads_alike(openpyxl_book(put))
    assert_reads_alike(xlsxwriter_book({(1, 1): value, (0, 0): "label"}))


def assert_reads_alike(data: bytes) -> None:
    same_or_declined(data)


@pytest.mark.parametrize(
    ("value", "code", "read"),
    [
        (date(2022, 10, 4), "yyyy-mm-dd", True), (date(2022, 10, 4), 'yyyy"年"m"月"d"日"', True),
        (date(2022, 10, 4), "m/d/yy", True), (datetime(2022, 10, 4, 9, 30), "yyyy-mm-dd hh:mm", False),
        (datetime(2022, 10, 4, 9, 30), "yyyy-mm-dd", False), (time(9, 30), "h:mm", False),
        (date(1900, 2, 1), "yyyy-mm-dd", False), (44838, "0.0", True), (44838, "General", True),
    ],
)  # fmt: skip
def test_dates_under_plain_date_formats_are_read_and_the_rest_declined(value: Any, code: str, read: bool) -> None:
    data = xlsxwriter_book({(0, 0): "评审日期", (0, 1): value}, {(0, 1): code})
    assert same_or_declined(data) is read


def test_a_builtin_date_format_reads_as_a_date() -> None:
    def put(sheet: Any) -> None:
        sheet["A1"] = date(2022, 10, 4)
        sheet["A1"].number_format = "mm-dd-yy"  # openpyxl writes it as built-in format 14

    data = openpyxl_book(put)
    assert same_or_declined(data)
    assert direct_grid(data, "Sheet1") == [[date(2022, 10, 4)]]


def test_the_1904_date_system_is_declined() -> None:
    data = xlsxwriter_book({(0, 0): date(2022, 10, 4)})
    data = rewrite(data, "xl/workbook.xml", lambda xml: xml.replace(b"<workbookPr", b'<workbookPr date1904="1"'))
    assert direct_grid(data, "Sheet1") is None


def test_rich_text_reads_as_its_runs_joined() -> None:
    def put(sheet: Any) -> None:
        sheet["A1"] = CellRichText("第一", TextBlock(InlineFont(b=True), "加粗"), "之后")

    data = openpyxl_book(put)
    assert same_or_declined(data)


def test_a_formula_reads_as_its_cached_value_and_one_without_as_empty() -> None:
    data = xlsxwriter_book({(0, 0): 2})
    with_value = rewrite(data, SHEET1, lambda xml: xml.replace(b"<v>2</v>", b"<f>1+1</f><v>2</v>"))
    without = rewrite(data, SHEET1, lambda xml: xml.replace(b"<v>2</v>", b"<f>1+1</f><v></v>"))
    text = rewrite(data, SHEET1, lambda xml: xml.replace(b'<c r="A1"', b'<c r="A1" t="str"').replace(
        b"<v>2</v>", b'<f>"a"&amp;"b"</f><v>ab</v>'))  # fmt: skip
    for each in (with_value, without, text):
        assert same_or_declined(each)


# ── what other programs write: read alike, or declined ──


@pytest.mark.parametrize(
    "change",
    [
        lambda xml: xml.replace(b'<c r="A1" s="1"', b'<c s="1" r="A1"'),  # the reference not first
        lambda xml: re.sub(rb' r="[A-Z]+[0-9]+"', b"", xml),  # cells without references
        lambda xml: re.sub(rb"<(/?)(\w)", rb"<\1x:\2", xml).replace(b"xmlns=", b"xmlns:x="),  # prefixed elements
        lambda xml: xml.replace(b'r="B2"', b'r="XFD1048576"'),  # a cell far beyond the bounds, read in full
        lambda xml: xml[: xml.index(b"</sheetData>")],  # cut short
        lambda xml: xml.replace(b'r="B2"', b'r="A1"'),  # one cell twice
    ],
)
def test_what_it_does_not_read_exactly_it_declines(change: Callable[[bytes], bytes]) -> None:
    data = xlsxwriter_book({(0, 0): "甲", (1, 1): "乙"}, {(0, 0): "@"})
    changed = rewrite(data, SHEET1, change)
    assert direct_grid(changed, "Sheet1") is None


@pytest.mark.parametrize(
    "change",
    [
        lambda xml: xml.replace(b"</t></si>", b'</t><rPh sb="0" eb="1"><t>jia</t></rPh></si>'),  # phonetic runs
        lambda xml: xml.replace(b"<t>", b"<t><![CDATA[").replace(b"</t>", b"]]></t>"),  # CDATA
        lambda xml: xml.replace(b"<t>", b"<t>_x000D_"),  # an escaped carriage return
        lambda xml: xml.replace(b"<t>", b"<t>&nbsp;"),  # an entity XML does not define
    ],
)
def test_shared_strings_it_does_not_read_exactly_it_declines(change: Callable[[bytes], bytes]) -> None:
    data = xlsxwriter_book({(0, 0): "甲"})
    changed = rewrite(data, "xl/sharedStrings.xml", change)
    assert direct_grid(changed, "Sheet1") is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.tuples(st.integers(0, 30), st.integers(0, 12)),
        st.one_of(
            st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=12),
            st.floats(allow_nan=False, allow_infinity=False), st.integers(-(10**15), 10**15), st.booleans(),
            st.dates(date(1900, 3, 1), date(2100, 1, 1)),
        ),
        max_size=40,
    )
)  # fmt: skip
def test_any_sheet_reads_alike_or_is_declined(cells: dict[tuple[int, int], Any]) -> None:
    try:
        data = xlsxwriter_book(cells)
    except Exception:  # a value the writer itself refuses is no case for the reader
        return
    same_or_declined(data)


# ── the whole workbook: the direct reader and python-calamine read the same fields ──


def read_both(path: Path) -> tuple[Any, Any, bool]:
    """read_workbook with the direct reader, then with python-calamine alone; and whether the first used it."""
    used: list[bool] = []
    real = DirectBook.grid

    def counting(self: DirectBook, name: str, header: Any = None, header_rows: int = 50) -> Any:
        grid = real(self, name, header, header_rows)
        used.append(True)
        return grid

    def refuse(self: DirectBook, package: Any) -> None:
        raise Unusual("refused for the comparison")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DirectBook, "grid", counting)
        direct = xlsx_reader.read_workbook(path, STANDARDS)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DirectBook, "__init__", refuse)
        calamine = xlsx_reader.read_workbook(path, STANDARDS)
    return direct, calamine, len(used) == 3


def fields(raw: Any) -> tuple[Any, ...]:
    return (raw.info, raw.entries, raw.stamp, raw.issues, raw.version)


SAMPLES = sorted((ROOT / "samples" / "inspections").rglob("*.xlsx")) + sorted((ROOT / "tests" / "data").rglob("*.xlsx"))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_bundled_workbook_reads_the_same_both_ways(path: Path) -> None:
    direct, calamine, _ = read_both(path)
    assert fields(direct) == fields(calamine)


def test_the_bundled_samples_are_read_directly() -> None:
    """The fast path is the one taken for the workbooks greencli writes and offices fill."""
    assert all(read_both(path)[2] for path in sorted((ROOT / "samples" / "inspections").rglob("*.xlsx")))


def test_filled_workbooks_with_dates_and_odd_text_read_the_same_both_ways(tmp_path: Path) -> None:
    info = {L.REVIEW_DATE: date(2022, 10, 4), L.REVIEWERS: "  陈静、赵磊 "}
    path = filled(tmp_path, "130302001001", info=info, evidence={"1.1": "会议纪要\n第二行 & <附件>"})
    direct, calamine, used = read_both(path)
    assert used and fields(direct) == fields(calamine)


@pytest.mark.parametrize("text", [" 前后空格 ", "\t制表", "行尾\n", "_x000D_", "a\rb", "&amp;", "😀"])
def test_edge_spaces_and_escapes_in_shared_strings_read_the_same(text: str) -> None:
    data = xlsxwriter_book({(0, 0): text, (1, 0): "甲"})
    same_or_declined(data)
    preserved = rewrite(data, "xl/sharedStrings.xml", lambda xml: xml.replace(b"<t>", b'<t xml:space="preserve">'))
    same_or_declined(preserved)
    bare = rewrite(data, "xl/sharedStrings.xml", lambda xml: xml.replace(b'<t xml:space="preserve">', b"<t>"))
    same_or_declined(bare)


@needs_libreoffice
def test_workbooks_resaved_by_libreoffice_read_the_same_both_ways(tmp_path: Path) -> None:
    info = {L.REVIEW_DATE: date(2022, 10, 4)}
    source = filled(tmp_path / "in", "130302001001", info=info, evidence={"1.1": "会议纪要 & 照片"})
    resaved = convert(source, "xlsx:Calc MS Excel 2007 XML", tmp_path / "out", tmp_path / "profile")
    direct, calamine, used = read_both(resaved)
    assert used and fields(direct) == fields(calamine)


# ── a sheet with a header: whole rows down to it, then only its columns ──


def score_sheet(extra: dict[tuple[int, int], Any] | None = None) -> bytes:
    """A small 评分表: a title, the header (编号, 录入值, 佐证 among other columns), and rows under it."""
    cells: dict[tuple[int, int], Any] = {(0, 0): "标题", (1, 0): "类别", (1, 2): L.CODE_HEADER, (1, 3): "评分细则",
                                         (1, 4): L.VALUE_HEADER, (1, 5): L.EVIDENCE_HEADER, (1, 6): "行得分"}  # fmt: skip
    for r in range(2, 12):
        cells.update({(r, 0): "说明文字", (r, 2): f"{r}.1", (r, 3): "细则", (r, 4): r / 2, (r, 6): r})
    cells[(5, 5)] = "会议纪要"
    cells.update(extra or {})
    return xlsxwriter_book(cells)


def header_grid(data: bytes) -> list[list[Any]] | None:
    return direct_grid(data, "Sheet1", xlsx_reader._SHEETS[L.SCORE_SHEET])


def test_below_the_header_only_its_columns_are_read_and_they_read_as_python_calamine_reads_them() -> None:
    data = score_sheet()
    got, full = header_grid(data), calamine_grid(data, "Sheet1")
    assert got is not None
    assert got[:2] == [row[: len(got[0])] for row in full[:2]]  # the rows down to the header, whole
    for r in range(2, len(full)):
        for c in (2, 4, 5):  # 编号, 录入值, 佐证
            assert got[r][c] == full[r][c]
        assert got[r][0] == got[r][3] == got[r][6] == ""  # the other columns are never read


def test_a_far_cell_in_a_column_read_is_declined_and_one_elsewhere_is_not_read() -> None:
    assert header_grid(score_sheet({(30_000, 4): 1})) is None  # python-calamine refuses the sheet as too large
    elsewhere = header_grid(score_sheet({(30_000, 6): 1}))
    assert elsewhere is not None and len(elsewhere) == 12


def test_a_sheet_without_its_header_is_read_whole_to_the_fiftieth_row() -> None:
    cells = {(r, 0): f"第{r}行" for r in range(80)}
    got = header_grid(xlsxwriter_book(cells))
    assert got is not None and len(got) == 50  # _find_header looks no further; nothing below is needed


# ── the version stamp in docProps/custom.xml ──

NS = 'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" ' \
     'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"'  # fmt: skip
FMTID = 'fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"'


def by_parser(xml: bytes) -> dict[str, str]:
    from defusedxml import ElementTree

    out = {}
    for prop in ElementTree.fromstring(xml).iter(f"{xlsx_reader.NS_CUSTOM}property"):
        name = prop.get("name", "")
        if name.startswith(L.STAMP_PREFIX) and len(prop):
            out[name[len(L.STAMP_PREFIX) :]] = prop[0].text or ""
    return out


def properties(*inner: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?><Properties {NS}>{"".join(inner)}</Properties>'.encode()


PROPERTY_CASES = [
    properties(f'<property {FMTID} pid="2" name="greencli.rubric_version"><vt:lpwstr>2021.2</vt:lpwstr></property>'),
    properties(f'<property name="greencli.year" {FMTID} pid="2"><vt:lpwstr xmlns:vt="urn:x">2022</vt:lpwstr></property>',
               f'<property {FMTID} pid="3" name="other"><vt:vector size="1"><vt:lpwstr>x</vt:lpwstr></vt:vector></property>'),
    properties(f'<property {FMTID} pid="2" name="greencli.a"><vt:lpwstr>&amp;&lt;&#x4E2D;&#25991;</vt:lpwstr></property>'),
    properties(f'<property {FMTID} pid="2" name="greencli.a"><vt:lpwstr/></property>'),
    properties(f'<property {FMTID} pid="2" name="greencli.a">\n  <vt:lpwstr> 空格 </vt:lpwstr>\n</property>'),
    properties(f'<property {FMTID} pid="2" name="greencli.a"><vt:lpwstr><![CDATA[2021.2]]></vt:lpwstr></property>'),
    properties(f"<property {FMTID} pid='2' name='greencli.a'><vt:lpwstr>1</vt:lpwstr></property>"),
    properties(f'<property {FMTID} pid="2" name="greencli.a"><vt:vector size="1"><vt:lpwstr>1</vt:lpwstr></vt:vector></property>'),
    properties(f'<property {FMTID} pid="2" name="greencli.a"><vt:lpwstr>a\r\nb</vt:lpwstr></property>'),
    properties(f'<property {FMTID} pid="2" name="greencli.a"><vt:lpwstr>1</vt:lpwstr></property>',
               f'<property {FMTID} pid="3" name="greencli.a"><vt:lpwstr>2</vt:lpwstr></property>'),
    b'<op:Properties xmlns:op="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties">'
    b'<op:property name="greencli.a"><vt:lpwstr xmlns:vt="urn:x">1</vt:lpwstr></op:property></op:Properties>',
]  # fmt: skip


@pytest.mark.parametrize("xml", PROPERTY_CASES)
def test_the_stamp_reads_as_the_xml_parser_reads_it_or_is_left_to_it(xml: bytes) -> None:
    direct = stamp_properties(xml, L.STAMP_PREFIX)
    assert direct is None or direct == by_parser(xml)
    assert xlsx_reader._custom_properties(xml) == {k: clean_line(v).strip() for k, v in by_parser(xml).items()}


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_bundled_workbooks_stamp_is_read_directly(path: Path) -> None:
    with zipfile.ZipFile(path) as package:
        if "docProps/custom.xml" not in package.namelist():
            return
        xml = package.read("docProps/custom.xml")
    assert stamp_properties(xml, L.STAMP_PREFIX) == by_parser(xml)
