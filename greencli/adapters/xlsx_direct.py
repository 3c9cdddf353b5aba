"""Reading a sheet's cells straight from its XML, for the plain workbooks that nearly every office sends.

python-calamine parses every cell of a sheet; scoring needs the rows down to a sheet's header and, below it, only the
few columns the header names (three of the 评分表's fifteen, six of the 小区 sheet's ten). This reader takes those
by lookup: one regular expression walks the sheet, and only the wanted cells are decoded. The grid it gives is the
one python-calamine gives (`to_python(skip_empty_area=False)`) in every cell a reader looks at.

It reads only what it can read exactly as python-calamine does: plain text (entities, rich-text runs), numbers,
booleans, and dates under a plain date format. Anything else (a namespace prefix, a cell without its reference, an
error value, a date with a time, CDATA, phonetic runs, `_x000D_` escapes, a formula's text with edge spaces, the
1904 date system, a format it cannot class beyond doubt, a sheet cut short) raises `Unusual`, and the caller reads
the workbook with python-calamine instead. tests/test_xlsx_direct.py holds the two readers to the same grids.

Two differences, both about cells it never reads: a far-away cell in a column it does not read is not measured
(python-calamine would refuse the sheet as too large, when its <dimension> understated it; the size bounds protect
memory, and this reader keeps only what it reads), and it is no validating XML parser (a sheet whose XML is broken
between the cells it reads reads here; its size and CRC are checked, so a damaged download is still refused).
"""

from __future__ import annotations

import functools
import re
import zipfile
from collections.abc import Callable, Collection
from datetime import date, timedelta
from typing import Any

from greencli.adapters import limits
from greencli.adapters.cells import column_index, column_letter
from greencli.adapters.container import part_name, read_part

Grid = list[list[Any]]
# Given a row's cells (its index, its values), the columns wanted below it, or None to keep reading whole rows.
HeaderTest = Callable[[int, list[Any]], Collection[int] | None]


class Unusual(Exception):  # a signal, not an error: the workbook is read the other way
    """Something this reader does not read exactly as python-calamine does."""


_SHEET = re.compile(rb"<sheet\b([^>]*)>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_RELATIONSHIP = re.compile(rb"<Relationship\b([^>]*)>")
# A cell with something in it (a value, an inline string, a formula): the styled empty cells of a form's blank rows,
# most of a sheet, are passed over inside the regular expression engine.
_CELL_PATTERN = rb'<c r="(%s)([0-9]{1,7})"([^>/]*)>(?=<[vif])(.*?)</c>'
_CELL = re.compile(_CELL_PATTERN % rb"[A-Z]{1,3}", re.S)
_TYPE = re.compile(rb'\bt="([^"]*)"')
_STYLE = re.compile(rb'\bs="([0-9]+)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>|<v/>")
_TEXT = re.compile(rb"<t(\s[^>]*)?>([^<]*)</t>")
_NUMBER = re.compile(rb"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_ENTITY = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z]+);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
# A cell whose reference is not its first attribute, or that has none (the spreadsheet format allows both; this
# reader finds cells by their reference's text).
_NO_REFERENCE = re.compile(rb'<c(?:>|\s(?!r="))')
_XF = re.compile(rb"<xf\b([^>]*)>")
_NUM_FMT = re.compile(rb"<numFmt\b([^>]*)>")
_FORMAT_ID = re.compile(rb'\bnumFmtId="([^"]*)"')
_EPOCH = date(1899, 12, 30)  # serial 61 is 1900-03-01 (Excel's 1900-02-29, serial 60, does not exist)
_WHITESPACE = " \t\r\n"

# Built-in number formats every version of python-calamine classes alike: plain numbers and text, and dates.
_BUILTIN_NUMBER = frozenset({0, 1, 2, 3, 4, 9, 10, 11, 12, 13, 37, 38, 39, 40, 48, 49})
_BUILTIN_DATE = frozenset({14, 15, 16, 17})
_PLAIN_NUMBER_CODE = re.compile(r"[0#?.,%@ +\-()E]*|General|@")
_DATE_LETTERS = frozenset("yYmMdD")
_DATE_SEPARATORS = frozenset(" -/.,")
_LOCALE_TAG = re.compile(r"^\[\$-[0-9A-Fa-f]{1,8}\]")


def _attrs(element: bytes) -> dict[bytes, bytes]:
    return dict(_ATTR.findall(element))


def _unescape(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Unusual("encoding") from None
    if "&" not in text:
        return text
    if text.count("&") != len(_ENTITY.findall(text)):
        raise Unusual("a bare ampersand")
    return _ENTITY.sub(_entity, text)


def _entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name[0] == "#":
        code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
        if not 0 < code <= 0x10FFFF:
            raise Unusual("character reference")
        return chr(code)
    if name not in _NAMED:
        raise Unusual("entity")
    return _NAMED[name]


@functools.lru_cache(maxsize=8192)  # labels and codes repeat from workbook to workbook: each decoded once
def _text(element: bytes) -> str:
    """The text of a rich or plain string (an <si> or an <is>): every run's <t>, in order, each without its edge
    spaces unless it says xml:space="preserve" (as python-calamine reads them)."""
    if b"<rPh" in element or b"<![CDATA[" in element:
        raise Unusual("phonetic run or CDATA")
    runs = []
    for attrs, raw in _TEXT.findall(element):
        run = _unescape(raw)
        runs.append(run if b'xml:space="preserve"' in attrs else run.strip(_WHITESPACE))
    text = "".join(runs)
    if "_x" in text or "\r" in text:
        raise Unusual("an _xHHHH_ escape or a carriage return")  # readers differ here: the other reader decides
    return text


def _value_text(raw: bytes) -> str:
    """A formula's text result (<v> of a t="str" cell)."""
    text = _unescape(raw)
    if "_x" in text or "\r" in text or (text and (text[0] in _WHITESPACE or text[-1] in _WHITESPACE)):
        raise Unusual("an escape or edge spaces in a formula's text")
    return text


@functools.lru_cache(maxsize=1024)  # a district's workbooks share their few formats
def date_format_kind(code: str) -> bool | None:
    """Whether a custom number format shows a date (True), a plain number (False), or neither beyond doubt (None).
    A date: only y/m/d letters and separators outside quotes (quoted text such as 年 may hold no Latin letter), after
    a locale tag such as [$-804] and before a text section ;@ (Excel's Chinese date formats carry both); no time,
    no colour, no other section."""
    if _PLAIN_NUMBER_CODE.fullmatch(code):
        return False
    outside = _LOCALE_TAG.sub("", code.removesuffix(";@"))
    outside = re.sub(r'"[^"A-Za-z]*"', "", outside)
    outside = re.sub(r"\\([^A-Za-z])", "", outside)
    if not outside or any(ch in '"\\' for ch in outside):
        return None
    if set(outside) <= _DATE_LETTERS | _DATE_SEPARATORS and set(outside) & _DATE_LETTERS:
        return True
    return None


class DirectBook:
    """A workbook's package, read directly: sheet names, and each sheet's cells as python-calamine gives them."""

    def __init__(self, package: zipfile.ZipFile) -> None:
        self._package = package
        names = package.NameToInfo
        if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
            raise Unusual("layout")
        workbook = read_part(package, "xl/workbook.xml")
        if b"<workbook" not in workbook or b"<sheets>" not in workbook:
            raise Unusual("prefixed workbook")
        pr = re.search(rb"<workbookPr\b([^>]*)>", workbook)
        if pr is not None and _attrs(pr.group(1)).get(b"date1904", b"0") not in (b"0", b"false"):
            raise Unusual("1904 dates")
        rels = read_part(package, "xl/_rels/workbook.xml.rels")
        targets = {}
        for rel in _RELATIONSHIP.finditer(rels):
            attrs = _attrs(rel.group(1))
            targets[attrs.get(b"Id", b"")] = part_name(_unescape(attrs.get(b"Target", b"")))
        self.parts: dict[str, str] = {}
        for sheet in _SHEET.finditer(workbook):
            attrs = _attrs(sheet.group(1))
            part = targets.get(attrs.get(b"r:id", b""))
            if part is None or part not in names:
                raise Unusual("sheet part")
            self.parts[_unescape(attrs.get(b"name", b""))] = part
        self.sheet_names = list(self.parts)
        self._strings: list[bytes] | None = None
        self._decoded: dict[int, str] = {}
        self._formats: list[bool | None] | None = None
        self._kinds: dict[bytes, tuple[bytes, int]] = {}  # a cell's attributes → its type and style

    # ── shared strings and styles: read when a cell first needs them ──

    def _string(self, index: bytes) -> str:
        if not index.isdigit():
            raise Unusual("string index")
        i = int(index)
        found = self._decoded.get(i)
        if found is not None:
            return found
        if self._strings is None:
            self._strings = self._load_strings()
        if i + 1 >= len(self._strings):
            raise Unusual("string index")
        text = self._decoded[i] = _text(self._strings[i + 1])
        return text

    def _load_strings(self) -> list[bytes]:
        """The shared strings' XML, one piece a string (after the part's head): cut in one call, decoded when a
        cell asks for one."""
        if "xl/sharedStrings.xml" not in self._package.NameToInfo:
            raise Unusual("no shared strings")
        xml = read_part(self._package, "xl/sharedStrings.xml")
        if b"<sst" not in xml or b"<si/>" in xml or b"<si " in xml or b"</sst>" not in xml:
            raise Unusual("shared strings")
        return xml.split(b"<si>")

    def _is_date(self, style: int) -> bool:
        if self._formats is None:
            self._formats = self._load_formats()
        if style >= len(self._formats):
            raise Unusual("style index")
        kind = self._formats[style]
        if kind is None:
            raise Unusual("number format")
        return kind

    def _load_formats(self) -> list[bool | None]:
        if "xl/styles.xml" not in self._package.NameToInfo:
            raise Unusual("no styles")
        xml = read_part(self._package, "xl/styles.xml")
        if b"<styleSheet" not in xml:
            raise Unusual("prefixed styles")
        custom = {}
        for fmt in _NUM_FMT.finditer(xml):
            attrs = _attrs(fmt.group(1))
            custom[attrs.get(b"numFmtId", b"")] = _unescape(attrs.get(b"formatCode", b""))
        start, end = xml.find(b"<cellXfs"), xml.find(b"</cellXfs>")
        if start < 0 or end < 0:
            raise Unusual("cellXfs")
        kinds: list[bool | None] = []
        for xf in _XF.finditer(xml, start, end):
            found = _FORMAT_ID.search(xf.group(1))
            number = found.group(1) if found is not None else b"0"
            if number in custom:
                kinds.append(date_format_kind(custom[number]))
            elif number.isdigit():
                n = int(number)
                kinds.append(False if n in _BUILTIN_NUMBER else True if n in _BUILTIN_DATE else None)
            else:
                kinds.append(None)
        return kinds

    # ── a sheet ──

    def grid(self, name: str, header: HeaderTest | None = None, header_rows: int = 50) -> Grid:
        """The sheet's cells: every cell when `header` is None; otherwise whole rows until `header` names the
        columns wanted (or `header_rows` rows were read without), then only those columns."""
        xml = read_part(self._package, self.parts[name])
        start = xml.find(b"<sheetData")
        if start < 0 or b"<![CDATA[" in xml:  # an unprefixed <sheetData>: so are its rows and cells
            raise Unusual("sheet layout")
        if not xml.rstrip().endswith(b"</worksheet>"):  # cut short: the other reader says how it is damaged
            raise Unusual("sheet ends early")
        cells: dict[tuple[int, int], Any] = {}
        wanted: Collection[int] | None = None
        row: dict[int, Any] = {}
        current = -1
        rest = len(xml)  # where reading whole rows stopped
        for match in _CELL.finditer(xml, start):
            r = int(match.group(2)) - 1
            if header is not None and r != current:
                if r < current:
                    raise Unusual("rows out of order")
                if current >= 0:
                    wanted = self._test(header, current, row)
                    if wanted is not None or current + 1 >= header_rows:
                        rest = match.start()
                        break
                current, row = r, {}
            c = column_index(match.group(1))
            value = self._put(cells, r, c, match)
            if value is not None and header is not None:
                row[c] = value
        else:
            if header is not None and current >= 0:
                self._test(header, current, row)  # the last row read: the header may be the sheet's last row
        if _NO_REFERENCE.search(xml, start):
            raise Unusual("a cell without its reference first")
        if wanted is None:
            return _as_grid(cells)
        # The rest, by lookup: one pass finds the wanted columns' non-empty cells; the others are passed over inside
        # the regular expression engine.
        for found in _wanted(b"|".join(column_letter(c).encode() for c in sorted(wanted))).finditer(xml, rest):
            cell = _CELL.match(xml, found.start())
            if cell is None:
                raise Unusual("cell")
            self._put(cells, int(cell.group(2)) - 1, column_index(cell.group(1)), cell)
        return _as_grid(cells)

    def _put(self, cells: dict[tuple[int, int], Any], r: int, c: int, match: re.Match[bytes]) -> Any:
        value = self._value(match)
        if value is not None:
            if (r, c) in cells:
                raise Unusual("a cell twice")
            cells[(r, c)] = value
        return value

    @staticmethod
    def _test(header: HeaderTest, r: int, row: dict[int, Any]) -> Collection[int] | None:
        values = [""] * (max(row) + 1) if row else []
        for c, v in row.items():
            values[c] = v
        return header(r, values)

    def _value(self, match: re.Match[bytes]) -> Any:
        """A cell's value as python-calamine gives it, or None for a cell it reads as empty."""
        attrs, body = match.group(3, 4)
        kind = self._kinds.get(attrs)
        if kind is None:  # a form's cells share a few attribute strings: each is looked at once
            found = _TYPE.search(attrs)
            style = _STYLE.search(attrs)
            kind = self._kinds[attrs] = (found.group(1) if found else b"n", int(style.group(1)) if style else 0)
        t = kind[0]
        if t == b"inlineStr":
            at = body.find(b"<is>")
            if at < 0:
                raise Unusual("inline string")
            return _text(body[at:])
        end = body.find(b"<", 3)
        if body.startswith(b"<v>") and body.startswith(b"</v>", end):  # a plain value, no formula before it
            raw: bytes | None = body[3:end]
        else:
            value = _VALUE.search(body)
            raw = value.group(1) if value is not None else None
        if not raw:
            if t in (b"n", b"str") and b"<is" not in body:
                return None
            raise Unusual("empty value")
        if t == b"s":
            return self._string(raw)
        if t == b"n":
            if not _NUMBER.fullmatch(raw):
                raise Unusual("number")
            number = float(raw)
            if not self._is_date(kind[1]):
                return number
            if number < 61 or not number.is_integer():
                raise Unusual("date with a time, or before March 1900")
            day = _EPOCH + timedelta(days=int(number))
            if day.year > 9999:
                raise Unusual("date")
            return day
        if t == b"str":
            return _value_text(raw)
        if t == b"b" and raw in (b"0", b"1"):
            return raw == b"1"
        raise Unusual("cell type")


@functools.lru_cache(maxsize=64)
def _wanted(letters: bytes) -> re.Pattern[bytes]:
    """Where the wanted columns' non-empty cells begin (no groups: the engine finds those faster)."""
    return re.compile(rb'<c r="(?:%s)[0-9]+"[^>/]*>(?=<[vif])' % letters)


def _as_grid(cells: dict[tuple[int, int], Any]) -> Grid:
    if not cells:
        return []
    height = max(r for r, _ in cells) + 1
    width = max(c for _, c in cells) + 1
    if height > limits.MAX_ROWS or width > limits.MAX_COLUMNS:
        raise Unusual("size")
    grid: Grid = [[""] * width for _ in range(height)]
    for (r, c), value in cells.items():
        grid[r][c] = value
    return grid


# ── the version stamp: the custom properties a greencli workbook carries ──

_PROPERTIES = re.compile(
    rb'<Properties\b[^>]*\sxmlns="http://schemas\.openxmlformats\.org/officeDocument/2006/custom-properties"'
)
_PROPERTY = re.compile(rb"<property\b([^>]*?)(/?)>")
_FIRST_CHILD = re.compile(rb"\s*<([\w:]+)\b[^>]*?(?:/>|>([^<]*)</\1>)")


def stamp_properties(xml: bytes, prefix: str) -> dict[str, str] | None:
    """The custom properties whose names start with `prefix` (without it), each its first child's text, as an XML
    parser reads them from docProps/custom.xml; None for a part it does not read exactly so (prefixed elements,
    single-quoted or multi-line attributes, CDATA, a stamp value that is not plain text)."""
    if not _PROPERTIES.search(xml) or b":property" in xml or b"<![CDATA[" in xml or b"='" in xml or b"\r" in xml:
        return None
    found: dict[str, str] = {}
    try:
        for element in _PROPERTY.finditer(xml):
            attributes = element.group(1)
            if b"\n" in attributes or b"\t" in attributes:
                return None  # an XML parser turns them into spaces
            name = _unescape(_attrs(attributes).get(b"name", b""))
            if not name.startswith(prefix) or element.group(2):
                continue  # not ours, or a property without a value
            child = _FIRST_CHILD.match(xml, element.end())
            if child is None:
                return None  # a value that is more than text
            found[name[len(prefix) :]] = _unescape(child.group(2) or b"")
    except Unusual:
        return None
    return found
