"""What a person is told, and what is let through: limits by ratio (a pasted photo is not a zip bomb), sizes shown
as they are, numbers and dates read as typed, and 附件3's numbers checked on read-back."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest
from greencli.adapters import limits
from greencli.adapters.container import sniff_workbook
from greencli.adapters.rubric_file import load_rubric
from greencli.adapters.xlsx_reader import read_workbook
from greencli.core.assess import assess
from greencli.core.model import Verdict

from tests.builders import FIRST_READING
from tests.workbooks import filled

RUBRIC = load_rubric(version=FIRST_READING)
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
    assert problem is not None and "压缩炸弹" in problem and name in problem
    e = assessed(path)
    assert (e.verdict, [i.code for i in e.issues]) == (Verdict.INVALID, ["file-not-xlsx"])


def test_a_read_part_over_its_own_limit_is_refused_at_any_ratio(tmp_path: Path) -> None:
    # a stored sheet of 17 MB expands 1:1, but it would be parsed: its own size is bounded
    body = b"<worksheet>" + photo(17 * MB).hex().encode()[: 17 * MB] + b"</worksheet>"
    path = with_parts(filled(tmp_path, "ZJ-01"), {"xl/worksheets/sheet9.xml": (body, zipfile.ZIP_STORED)})
    problem = sniff_workbook(path)
    assert problem is not None and "过大" in problem and "sheet9.xml" in problem


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
    ("parts", "stored", "declared"),
    [
        (1, 1024, 0xFFFF_FFF0),  # one part declaring 4 GB from 1 KB
        (3, MB, 150 * MB),  # each within the ratio (150:1); together more than any workbook holds
    ],
)
def test_a_huge_declared_size_is_refused(tmp_path: Path, parts: int, stored: int, declared: int) -> None:
    path = tmp_path / "declared.xlsx"
    names = [f"xl/media/image{n}.png" for n in range(parts)]
    path.write_bytes(patched_sizes(filled(tmp_path, "ZJ-01"), names, stored, declared))
    problem = sniff_workbook(path)
    assert problem is not None and "压缩炸弹" in problem


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
    assert problem is not None and "重叠" in problem


@pytest.mark.parametrize(("size", "shown"), [(53 * MB, "53.0"), (50 * MB + 1, "50.1"), (int(53.46 * MB), "53.5")])
def test_a_file_over_the_size_limit_shows_its_real_size(tmp_path: Path, size: int, shown: str) -> None:
    path = tmp_path / "big.xlsx"
    with path.open("wb") as handle:
        handle.truncate(size)  # sparse: no 50 MB written
    problem = sniff_workbook(path)
    assert problem is not None and f"（{shown} MB）" in problem and "50 MB" in problem
