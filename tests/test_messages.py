"""What a person is told, and what is let through: limits by ratio (a pasted photo is not a zip bomb), sizes shown
as they are, numbers and dates read as typed, and 附件3's numbers checked on read-back."""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from greencli.adapters import limits
from greencli.adapters.container import Whole, read_whole, sniff_workbook
from greencli.adapters.rubric_file import load_rubric
from greencli.adapters.xlsx_reader import read_workbook
from greencli.core.assess import assess
from greencli.core.engine import evaluate
from greencli.core.errors import Problem
from greencli.core.identity import read_identity
from greencli.core.model import Field, Verdict
from greencli.core.values import Raw, fmt, is_multiple, is_whole, parse_date, parse_number, show_entered

from tests.builders import FIRST_READING, entries
from tests.workbooks import filled

RUBRIC = load_rubric(version=FIRST_READING)
SECOND = load_rubric(version="2021.2")  # 评审日期 required
MB = limits.MB


def assessed(path: Path) -> Any:
    raw = read_workbook(path, RUBRIC)
    return assess(RUBRIC, raw.info, raw.entries, raw.stamp, raw.issues, 2030).evaluation


def with_parts(path: Path, extra: dict[str, tuple[bytes, int]]) -> Path:
    """The workbook at `path` with more parts, each written with its own compression (as Excel or WPS writes a
    pasted picture: stored, or deflated)."""
    source = zipfile.ZipFile(path)
    out = path.with_name(f"{path.stem}-more.xlsx")
    with source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info), zipfile.ZIP_DEFLATED)
        for name, (body, compression) in extra.items():
            target.writestr(name, body, compression)
    return out


def photo(size: int) -> bytes:
    """Bytes that do not compress, as a photo's do not (a fixed pseudo-random sequence: the test is reproducible)."""
    block = bytes((i * 2654435761 >> 13) & 0xFF for i in range(65521))  # a prime length: no short period
    return b"\x89PNG\r\n\x1a\n" + (block * (size // len(block) + 1))[: size - 8]


# ── limits by ratio, not by size alone ──


def test_a_20_mb_stored_photo_scores_normally(tmp_path: Path) -> None:
    path = with_parts(filled(tmp_path, "ZJ-01"), {"xl/media/image1.png": (photo(20 * MB), zipfile.ZIP_STORED)})
    assert path.stat().st_size > 20 * MB and sniff_workbook(path) is None
    e = assessed(path)
    assert (e.verdict, [i.code for i in e.issues]) == (Verdict.PASS, [])


def test_a_photo_deflated_at_its_own_small_ratio_scores_normally(tmp_path: Path) -> None:
    path = with_parts(filled(tmp_path, "ZJ-01"), {"xl/media/image1.png": (photo(18 * MB), zipfile.ZIP_DEFLATED)})
    assert sniff_workbook(path) is None and assessed(path).verdict is Verdict.PASS


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("xl/media/image1.png", b"\0" * (17 * MB)),  # a picture's name on a part built to expand
        ("xl/worksheets/sheet9.xml", b" " * (17 * MB)),  # a sheet built to expand
        ("xl/media/image1.png", b"\0" * (2 * MB)),  # small, but 1000:1
    ],
)
def test_a_deflated_bomb_part_is_still_refused(tmp_path: Path, name: str, body: bytes) -> None:
    path = with_parts(filled(tmp_path, "ZJ-01"), {name: (body, zipfile.ZIP_DEFLATED)})
    problem = sniff_workbook(path)
    assert problem is not None and (problem.code, problem.params["part"]) == ("zip-bomb", name)
    e = assessed(path)
    assert (e.verdict, [i.code for i in e.issues]) == (Verdict.INVALID, ["zip-bomb"])
    assert e.issues[0].cell is None  # a whole-file problem


def test_a_read_part_over_its_own_limit_is_refused_at_any_ratio(tmp_path: Path) -> None:
    # a stored sheet of 17 MB expands 1:1, but it would be parsed: its own size is bounded
    body = b"<worksheet>" + photo(17 * MB).hex().encode()[: 17 * MB] + b"</worksheet>"
    path = with_parts(filled(tmp_path, "ZJ-01"), {"xl/worksheets/sheet9.xml": (body, zipfile.ZIP_STORED)})
    problem = sniff_workbook(path)
    assert problem is not None and (problem.code, problem.params["part"]) == (
        "zip-part-too-large",
        "xl/worksheets/sheet9.xml",
    )


def patched_sizes(path: Path, names: list[str], stored: int, declared: int) -> bytes:
    """The workbook with more parts of `stored` bytes each, stored, whose central-directory entries claim that
    each expands to `declared` bytes (the local headers and the data stay as written)."""
    blob = bytearray(with_parts(path, dict.fromkeys(names, (b"x" * stored, zipfile.ZIP_STORED))).read_bytes())
    at = blob.find(b"PK\x01\x02")
    while at != -1:
        length = struct.unpack_from("<H", blob, at + 28)[0]
        if blob[at + 46 : at + 46 + length].decode() in names:
            struct.pack_into("<I", blob, at + 24, declared)  # the uncompressed size
        at = blob.find(b"PK\x01\x02", at + 4)
    return bytes(blob)


@pytest.mark.parametrize(
    ("parts", "stored", "declared", "code"),
    [
        (1, 1024, 0xFFFF_FFF0, "zip-bomb"),  # one part declaring 4 GB from 1 KB
        (3, MB, 150 * MB, "zip-unzipped-too-large"),  # each within the ratio (150:1); together more than any holds
    ],
)
def test_a_huge_declared_size_is_refused(tmp_path: Path, parts: int, stored: int, declared: int, code: str) -> None:
    path = tmp_path / "declared.xlsx"
    names = [f"xl/media/image{n}.png" for n in range(parts)]
    path.write_bytes(patched_sizes(filled(tmp_path, "ZJ-01"), names, stored, declared))
    problem = sniff_workbook(path)
    assert problem is not None and problem.code == code


def overlapping(data: bytes, name: str, copies: int) -> bytes:
    """`data` with `copies` more central-directory entries that all point at the local header of `name`: the
    overlapping-entry construction of zip bombs, where many parts share one compressed kernel."""
    end = data.rfind(b"PK\x05\x06")
    count, size, offset = struct.unpack_from("<HII", data, end + 10)
    directory = data[offset : offset + size]
    at = directory.find(b"PK\x01\x02")
    while at != -1:
        length, extra, comment = struct.unpack_from("<HHH", directory, at + 28)
        record = directory[at : at + 46 + length + extra + comment]
        if record[46 : 46 + length] == name.encode():
            break
        at = directory.find(b"PK\x01\x02", at + 4)
    assert at != -1
    added = b""
    for n in range(copies):
        other = f"xl/media/copy{n:04d}.png".encode()
        head = bytearray(record[:46])
        struct.pack_into("<HHH", head, 28, len(other), 0, 0)
        added += bytes(head) + other
    tail = bytearray(data[end:])
    struct.pack_into("<HHI", tail, 8, count + copies, count + copies, size + len(added))
    return data[: offset + size] + added + bytes(tail)


def test_overlapping_entries_are_refused(tmp_path: Path) -> None:
    source = with_parts(filled(tmp_path, "ZJ-01"), {"xl/media/image1.png": (photo(MB), zipfile.ZIP_STORED)})
    path = tmp_path / "overlap.xlsx"
    path.write_bytes(overlapping(source.read_bytes(), "xl/media/image1.png", 40))
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as z:
        assert len(z.infolist()) > 40  # the directory itself reads as sound
    problem = sniff_workbook(path)
    assert problem is not None and problem.code == "zip-overlap"


@pytest.mark.parametrize(("size", "shown"), [(53 * MB, "53.0"), (50 * MB + 1, "50.1"), (int(53.46 * MB), "53.5")])
def test_a_file_over_the_size_limit_shows_its_real_size(tmp_path: Path, size: int, shown: str) -> None:
    path = tmp_path / "big.xlsx"
    with path.open("wb") as handle:
        handle.truncate(size)  # sparse: no 50 MB written
    problem = sniff_workbook(path)
    assert problem is not None and (problem.code, problem.params) == ("file-too-large", {"size": shown, "limit": 50})
    assert f"（{shown} MB）" in problem.message  # the size as shown, rounded up: over the limit reads as over


def test_a_file_that_grew_after_its_size_was_listed_is_read_whole_or_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "growing.xlsx"
    data = bytes(range(256)) * 40
    path.write_bytes(data)
    real = os.fstat

    def listed_smaller(fd: int) -> os.stat_result:  # the share listed the file before the copy finished
        listed = list(real(fd))
        listed[stat.ST_SIZE] = 100
        return os.stat_result(listed)

    monkeypatch.setattr("greencli.adapters.container.os.fstat", listed_smaller)
    whole = read_whole(path)
    assert isinstance(whole, Whole) and whole.data == data  # read on past the listed size
    monkeypatch.setattr("greencli.adapters.limits.MAX_FILE_BYTES", 5000)
    refused = read_whole(path)
    assert isinstance(refused, Problem) and refused.code == "file-too-large"


# ── numbers: exponent notation is a number, within Excel's range, judged exactly ──


def value_of(evaluation: Any, item: int, code: str) -> object:
    assert evaluation.items is not None
    return next(r.value for r in evaluation.items[item].rows if r.code == code)


@pytest.mark.parametrize(
    ("row", "item", "entered", "code", "value"),
    [
        ("5.1", 5, "1e3", None, Decimal(1000)),  # a count of 1000: Excel turns a typed 1e3 into 1000
        ("5.1", 5, 1000.0, None, Decimal(1000)),
        ("5.1", 5, "1E+2处", None, Decimal(100)),
        ("5.1", 5, "1e300", None, Decimal("1e300")),  # whole and ≥ 0: counted (item floored at 0), no overflow
        ("5.1", 5, "1e-300", "value-not-whole", None),  # a number, not a whole one
        ("5.1", 5, 1e-300, "value-not-whole", None),  # as Excel stores a typed 1e-300
        ("5.1", 5, "-1e3", "value-negative", None),
        ("5.1", 5, "1e999999", "value-not-number", None),  # beyond Excel's range: Excel keeps it as text
        ("5.1", 5, "1e-999999", "value-not-number", None),
        ("5.1", 5, "1e99999999999999999999", "value-not-number", None),  # beyond what Decimal can hold
        ("5.1", 5, "1_000", "value-not-number", None),  # Python's digit grouping is not Excel's
        ("5.1", 5, "３", None, Decimal(3)),
        ("1.1", 1, "1e-300", "value-off-step", None),  # a number, not a multiple of 0.5
        ("1.1", 1, 1e-300, "value-off-step", None),
        ("1.1", 1, "0.5" + "0" * 40 + "1", "value-off-step", None),  # exactly, past Decimal's 28 digits
        ("1.1", 1, "1e300", "value-out-of-range", None),
        ("1.1", 1, 1e16, "value-out-of-range", None),
        ("1.1", 1, "15e-1", None, Decimal("1.5")),
        ("1.1", 1, "１．５分", None, Decimal("1.5")),
        ("1.1", 1, "0e999999999", None, Decimal(0)),  # zero, whatever its exponent
        ("10.1", 10, "1e-300", "percent-looks-fractional", Decimal("1e-300")),  # a measure: taken as entered
        ("10.1", 10, "9.85e1", None, Decimal("98.5")),
    ],
)  # fmt: skip
def test_one_rule_for_numbers(row: str, item: int, entered: object, code: str | None, value: object) -> None:
    e = evaluate(RUBRIC, entries(RUBRIC, {row: entered}))
    assert [i.code for i in e.issues] == ([code] if code else [])
    if value is not None:
        assert value_of(e, item, row) == value
    for issue in e.issues:
        assert issue.cell is not None and len(issue.message) < 200  # quoted as entered, never in 300 digits


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1e3", Decimal(1000)), ("1E-300", Decimal("1e-300")), (1e-300, Decimal("1e-300")), (1e16, Decimal("1e16")),
     ("1e308", None), ("1e-309", None), ("-1e307", Decimal("-1e307")), (".5", Decimal("0.5")),
     ("１ｅ３", Decimal(1000)), ("1,000e3", None), ("e3", None), ("1e", None), ("0x10", None)],
)  # fmt: skip
def test_parse_number_takes_what_excel_takes(raw: Raw, expected: Decimal | None) -> None:
    assert parse_number(raw) == expected


def test_every_accepted_number_is_safe_for_exact_arithmetic() -> None:
    for text in ("9.99e307", "1e-308", "-9.99e307", "1" + "0" * 300, "0." + "0" * 300 + "1"):
        number = parse_number(text)
        assert number is not None
        assert not is_multiple(number, Decimal("0.5")) or is_whole(number)
        assert len(fmt(number)) < 40  # shown as Excel shows it (1E+300), never in hundreds of digits
        assert max(Decimal(0), Decimal(4) - number) >= 0  # a count's arithmetic: no Overflow raised


# ── dates: full-width forms read as their ASCII forms; what a date cell holds quoted as typed ──


def identity_issues(review: Raw) -> list[Any]:
    info = {"社区编码": Field("A", "基本信息", "B4"), "社区名称": Field("甲", "基本信息", "D4"),
            "乡街": Field("乙", "基本信息", "B5"), "评审年度": Field(2022, "基本信息", "D5"),
            "评审日期": Field(review, "基本信息", "B6")}  # fmt: skip
    return read_identity(info, SECOND, 2027, today=date(2026, 6, 1))[1]


@pytest.mark.parametrize(
    ("entered", "parsed", "code"),
    [
        ("２０２２－１０－１５", date(2022, 10, 15), None), ("２０２２／１０／１５", date(2022, 10, 15), None),
        ("２０２２．１０．１５", date(2022, 10, 15), None), ("２０２２年１０月１５日", date(2022, 10, 15), None),
        ("2022 年 10 月 15 日", date(2022, 10, 15), None), ("　2022-10-15　", date(2022, 10, 15), None),
        ("2022-10-15", date(2022, 10, 15), None), (datetime(2022, 10, 15, 9, 30), date(2022, 10, 15), None),
        ("２０２２－１３－０１", None, "review-date-unreadable"), ("２０２２－１０", None, "review-date-unreadable"),
        ("2022-10-15 9:30", None, "review-date-unreadable"), (0, None, "review-date-unreadable"),
        (time(0, 0), None, "review-date-unreadable"), (time(9, 30), None, "review-date-unreadable"),
    ],
)  # fmt: skip
def test_review_dates(entered: Raw, parsed: date | None, code: str | None) -> None:
    assert parse_date(entered) == parsed
    issues = identity_issues(entered)
    assert [i.code for i in issues] == ([code] if code else [])
    if code:
        assert show_entered(entered) in issues[0].message


@pytest.mark.parametrize(
    ("raw", "shown"),
    [(time(0, 0), "0"), (time(9, 30), "9:30"), (time(9, 30, 15), "9:30:15"), (timedelta(0), "0"),
     (timedelta(hours=30), "30:00"), (0, "0"), (0.0, "0"), ("２０２２－１０", "２０２２－１０"), (1e-300, "1E-300")],
)  # fmt: skip
def test_an_entered_value_is_quoted_as_typed(raw: Raw, shown: str) -> None:
    assert show_entered(raw) == shown


def test_an_excel_zero_in_the_date_cell_is_quoted_as_zero(tmp_path: Path) -> None:
    # the template's 评审日期 cell is formatted as a date: a 0 typed there reads back as midnight
    path = filled(tmp_path, "ZJ-01", info={"评审日期": 0})
    raw = read_workbook(path, RUBRIC)
    assert raw.info["评审日期"].value == time(0, 0)
    e = assessed(path)
    assert e.verdict is Verdict.INVALID and [i.code for i in e.issues] == ["review-date-unreadable"]  # any version
    assert "“0”" in e.issues[0].message and "00:00" not in e.issues[0].message


# ── 附件3's numbers: checked on read-back, a warning at the cell, the evaluation stands ──


@pytest.mark.parametrize(
    ("label", "entered", "warned"),
    [
        ("社区人口", 12000, False), ("社区人口", 12000.0, False), ("社区人口", "12000", False),
        ("社区人口", "12000人", False), ("社区人口", "1.2万人", False), ("社区人口", "1.2万", False),
        ("社区人口", "１２０００", False), ("社区人口", "12,000", False), ("社区人口", 0, False), ("社区人口", "1e4", False),
        ("社区人口", -5, True), ("社区人口", "abc", True), ("社区人口", 12000.5, True), ("社区人口", "12000户", True),
        ("社区人口", "1.23456万人", True), ("社区人口", "约12000", True), ("社区人口", date(2022, 1, 1), True),
        ("社区户数", "3000户", False), ("社区户数", -1, True), ("常住户数", "2800", False), ("常住户数", 2.5, True),
        ("占地面积", 123456.7, False), ("占地面积", "3.5万平方米", False), ("占地面积", "１２３４５㎡", False),
        ("占地面积", "12345m²", False), ("占地面积", "12345平米", False), ("占地面积", "5公顷", True),
        ("建筑面积", "-10", True), ("建筑面积", "1e-300", False), ("绿化面积", "很多", True),
        ("绿化面积", None, False), ("绿化面积", "", False), ("绿化面积", " ", False),
    ],
)  # fmt: skip
def test_the_application_form_numbers(label: str, entered: Raw, warned: bool) -> None:
    e = assess_info({label: Field(entered, "基本信息", "B9")})
    assert e.verdict is Verdict.PASS
    assert [(i.code, i.cell, i.subject, i.is_error) for i in e.issues] == (
        [("info-number", "B9", label, False)] if warned else []
    )


def assess_info(extra: dict[str, Field]) -> Any:
    info = {"社区编码": Field("A", "基本信息", "B4"), "社区名称": Field("甲", "基本信息", "D4"),
            "乡街": Field("乙", "基本信息", "B5"), "评审年度": Field(2022, "基本信息", "D5"), **extra}  # fmt: skip
    return assess(RUBRIC, info, entries(RUBRIC), {}, (), 2030).evaluation


def test_the_application_form_numbers_are_read_back_from_the_workbook(tmp_path: Path) -> None:
    path = filled(tmp_path, "ZJ-01", info={"社区人口": -5, "占地面积": "abc", "社区户数": "3000户", "建筑面积": 5e4})
    e = assessed(path)
    assert e.verdict is Verdict.PASS and e.total == 100
    warned = [(i.code, i.sheet, i.subject) for i in e.issues]
    assert warned == [("info-number", "基本信息", "社区人口"), ("info-number", "基本信息", "占地面积")]
    assert all(i.cell for i in e.issues)
