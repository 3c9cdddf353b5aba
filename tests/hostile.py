"""Hostile and broken workbooks, built from a valid one, for the tests that must survive them."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET = "root:x:0:0"  # what /etc/passwd starts with: must never appear in any output
OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")


@cache
def valid() -> bytes:
    return sorted((ROOT / "samples" / "inspections" / "2021").rglob("ZJ-01_*.xlsx"))[0].read_bytes()


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def rezip(replace: dict[str, bytes], data: bytes | None = None, level: int = 6) -> bytes:
    out = io.BytesIO()
    source = parts(data if data is not None else valid())
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, body in {**source, **replace}.items():
            z.writestr(name, body)
    return out.getvalue()


def with_doctype(xml: bytes, doctype: str, cell_text: str) -> bytes:
    """Put a DOCTYPE before the root element and an entity reference into the first inline string."""
    text = xml.decode()
    root = re.search(r"<(?!\?)[A-Za-z]", text)
    assert root is not None
    text = text[: root.start()] + doctype + text[root.start() :]
    text = re.sub(r"<t>", f"<t>{cell_text}", text, count=1)
    return text.encode()


def empty() -> bytes:
    return b""


def plain_text() -> bytes:
    return "社区编码,社区名称\nZJ-01,珠江社区\n".encode()


def truncated() -> bytes:
    return valid()[: len(valid()) // 2]


def compound_file(*streams: str) -> bytes:
    """An OLE2 compound file (512-byte sectors, its directory in sector 0) whose directory names `streams`."""
    header = bytearray(OLE2 + b"\0" * 504)
    header[0x1E:0x20] = (9).to_bytes(2, "little")  # sector size 2**9
    header[0x30:0x34] = (0).to_bytes(4, "little")  # the directory starts at sector 0
    entries = b"".join((name + "\0").encode("utf-16-le").ljust(128, b"\0") for name in ("Root Entry", *streams))
    return bytes(header) + entries.ljust(4096, b"\0")


def encrypted() -> bytes:
    # a password set in Excel or WPS turns the package into an OLE2 compound file, like a legacy .xls
    return compound_file("\x06DataSpaces", "EncryptionInfo", "EncryptedPackage")


def legacy_xls() -> bytes:
    return compound_file("Workbook", "\x05SummaryInformation")


def ole2_unknown() -> bytes:
    return OLE2 + b"\0" * 4096


def ods() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def zip_bomb() -> bytes:
    return rezip({"xl/worksheets/sheet2.xml": b" " * (64 * 1024 * 1024)}, level=1)


def huge_sheet() -> bytes:
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(1, 1_000_001))
    xml = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           b'<dimension ref="A1:A1000000"/><sheetData>' + rows + b"</sheetData></worksheet>")  # fmt: skip
    return rezip({"xl/worksheets/sheet3.xml": xml}, level=1)


def huge_dimension() -> bytes:
    sheet = parts(valid())["xl/worksheets/sheet2.xml"]
    xml, found = re.subn(rb'<dimension ref="[A-Z0-9:]+"', b'<dimension ref="A1:XFD1048576"', sheet, count=1)
    assert found == 1, "the valid sample's 评分表 declares its dimension"
    return rezip({"xl/worksheets/sheet2.xml": xml})


LAUGHS = "<!DOCTYPE lolz [<!ENTITY lol0 \"lol\">" + "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
) + "]>"  # fmt: skip


def billion_laughs() -> bytes:
    sheet = parts(valid())["xl/worksheets/sheet2.xml"]
    return rezip({"xl/worksheets/sheet2.xml": with_doctype(sheet, LAUGHS, "&lol9;")})


XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def xxe_in_sheet() -> bytes:
    info = parts(valid())["xl/worksheets/sheet1.xml"]
    return rezip({"xl/worksheets/sheet1.xml": with_doctype(info, XXE, "&xxe;")})


def xxe_in_properties() -> bytes:
    props = parts(valid())["docProps/custom.xml"].decode()
    props = props.replace("<Properties", XXE + "<Properties", 1).replace("<vt:lpwstr>", "<vt:lpwstr>&xxe;", 1)
    return rezip({"docProps/custom.xml": props.encode()})


def xxe_in_workbook() -> bytes:
    book = parts(valid())["xl/workbook.xml"].decode()
    return rezip({"xl/workbook.xml": book.replace("<workbook", XXE + "<workbook", 1).encode()})


HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    # file name → (builder, the code of the one whole-file issue it gets)
    "empty.xlsx": (empty, "file-empty"),
    "text.xlsx": (plain_text, "file-text"),
    "truncated.xlsx": (truncated, "file-truncated"),
    "encrypted.xlsx": (encrypted, "file-encrypted"),
    "legacy.xls": (legacy_xls, "file-legacy-xls"),
    "ole2.xlsx": (ole2_unknown, "file-ole2"),
    "sheet.ods": (ods, "file-ods"),
    "bomb.xlsx": (zip_bomb, "zip-bomb"),
    "huge.xlsx": (huge_sheet, "zip-part-too-large"),
    "huge-dimension.xlsx": (huge_dimension, "sheet-dimension-too-large"),
    "laughs.xlsx": (billion_laughs, "xml-unsafe"),
    "xxe-sheet.xlsx": (xxe_in_sheet, "xml-unsafe"),
    "xxe-properties.xlsx": (xxe_in_properties, "xml-unsafe"),
    "xxe-workbook.xlsx": (xxe_in_workbook, "xml-unsafe"),
}
