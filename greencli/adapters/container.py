"""Check that a file is an xlsx package before any parser sees it, and name its real kind when it is not: each
whole-file problem is a `Problem` with its own code (file-empty, file-legacy-xls, file-encrypted, zip-bomb, …)."""

from __future__ import annotations

import io
import itertools
import os
import posixpath
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import deflate

from greencli.adapters import limits
from greencli.adapters.cells import column_index
from greencli.adapters.oserrors import describe_os_error
from greencli.core.errors import Problem

ZIP_MAGIC = b"PK\x03\x04"
CUSTOM_PROPERTIES = "docProps/custom.xml"
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


class Package(zipfile.ZipFile):
    """A zip package that keeps each part it inflated whole, for the rest of its reading: the container check
    inflates the parts it looks into (their heads are what it checks) and the reader takes them from here, so no
    part is inflated twice."""

    def __init__(self, file: Path | IO[bytes]) -> None:
        super().__init__(file)
        self.inflated: dict[str, bytes] = {}


def open_package(path: Path | IO[bytes]) -> Package:
    """The zip package (a file, or its bytes already read), with entry names that some Windows tools write with
    `\\` read as the same names with `/` (as Excel and python-calamine read them)."""
    package = Package(path)
    if any("\\" in name for name in package.NameToInfo):
        renamed = {}
        for info in package.infolist():
            info.filename = info.filename.replace("\\", "/")  # orig_filename still matches the local header
            renamed[info.filename] = info
        package.NameToInfo = renamed
    return package


def _kind_of(data: bytes) -> Problem:
    """What a file that is no zip package really is, told by its first bytes."""
    head = data[:512]
    if head.startswith(OLE2_MAGIC):
        return Problem(_ole2_kind(data))
    if head.startswith(b"PK\x05\x06"):
        return Problem("file-empty-zip")
    if head.startswith(b"%PDF"):
        return Problem("file-pdf")
    if head.lstrip().startswith((b"<", b"<?xml")):
        return Problem("file-markup")
    if _looks_like_text(head):
        return Problem("file-text")
    return Problem("file-unknown-format")


# Stream names in an OLE2 compound file's directory (UTF-16): a password-protected xlsx holds its package encrypted
# in EncryptedPackage (with EncryptionInfo); a legacy .xls holds a Workbook (BIFF8) or Book (BIFF5) stream.
_ENCRYPTED_STREAMS = tuple(name.encode("utf-16-le") for name in ("EncryptedPackage", "EncryptionInfo"))
_XLS_STREAMS = tuple((name + "\0").encode("utf-16-le") for name in ("Workbook", "Book"))
DIRECTORY_PROBE_BYTES = 16 * 1024


def _ole2_kind(data: bytes) -> str:
    """file-encrypted or file-legacy-xls, told by the stream names at the start of the compound file's directory;
    file-ole2 (either) when the directory cannot be read there."""
    try:
        with io.BytesIO(data) as handle:
            header = handle.read(512)
            shift = int.from_bytes(header[0x1E:0x20], "little")
            first = int.from_bytes(header[0x30:0x34], "little")
            if not 7 <= shift <= 16 or first >= 0xFFFFFFFA:
                return "file-ole2"
            handle.seek((first + 1) << shift)
            directory = handle.read(DIRECTORY_PROBE_BYTES)
    except OSError:
        return "file-ole2"
    if any(name in directory for name in _ENCRYPTED_STREAMS):
        return "file-encrypted"
    if any(name in directory for name in _XLS_STREAMS):
        return "file-legacy-xls"
    return "file-ole2"


def _looks_like_text(head: bytes) -> bool:
    if b"\0" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        for cut in range(4):  # the probe may end inside a multi-byte character
            try:
                head[: len(head) - cut].decode(encoding)
            except UnicodeDecodeError:
                continue
            return True
    return False


@dataclass(frozen=True)
class Inspection:
    """What the container check found: a reason to refuse the file, or the package's custom properties (the
    version stamp), read while the package was open anyway, and the package itself (its directory read once: the
    reader goes on with it)."""

    problem: Problem | None
    custom_properties: bytes | None = None
    package: zipfile.ZipFile | None = field(default=None, compare=False, repr=False)


def sniff_workbook(path: Path) -> Problem | None:
    """None when `path` looks like a sound xlsx package within limits; else the problem (its code and params)."""
    return inspect_package(path).problem


@dataclass(frozen=True)
class Whole:
    """A file's bytes, read once (the reader, the hash and the container check all work on them), with the size and
    time of that very read (a file still being copied in is described by what was read, never by a later look)."""

    data: bytes
    mtime_ns: int

    @property
    def size(self) -> int:
        return len(self.data)


def read_whole(path: Path) -> Whole | Problem:
    """The file's bytes, read once; a file that is empty, too large to read (checked on what the read returns, not
    only on what the file system said before it) or cannot be read is its problem instead."""
    limit = limits.MAX_FILE_BYTES
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a pipe or a device named .xlsx: opening it could wait forever
            return Problem.of("file-access", reason="这不是一个普通文件")
        with path.open("rb") as handle:
            before = os.fstat(handle.fileno())
            if before.st_size > limit:
                return Problem.of("file-too-large", size=megabytes(before.st_size), limit=limit // limits.MB)
            # Asked for its listed size and one byte more (a buffer of the limit itself costs more than reading a
            # workbook); only a file that grew since is read on, up to the limit.
            data = handle.read(before.st_size + 1)
            if len(data) > before.st_size:
                data += handle.read(limit + 1 - len(data))
    except OSError as exc:
        return Problem.of("file-access", reason=describe_os_error(exc))
    if not data:
        return Problem("file-empty")
    if len(data) > limit:  # it grew while being read, or the share reported a stale size
        return Problem.of("file-too-large", size=megabytes(len(data)), limit=limit // limits.MB)
    return Whole(data, before.st_mtime_ns)


def inspect_package(path: Path, data: bytes | None = None) -> Inspection:
    """Check the container before any parser sees it (see `sniff_workbook`): the bytes of the file at `path`
    (`data`, when the caller already read them)."""
    if data is None:
        whole = read_whole(path)
        if isinstance(whole, Problem):
            return Inspection(whole)
        data = whole.data
    problem = _inspect(data)
    return problem if isinstance(problem, Inspection) else Inspection(problem)


def _inspect(data: bytes) -> Inspection | Problem | None:
    if not data:
        return Problem("file-empty")
    if not data.startswith(ZIP_MAGIC):
        return _kind_of(data)
    try:
        package = open_package(io.BytesIO(data))  # in memory: nothing to close but the directory it holds
        problem = _check_package(package)
        if problem is not None:
            return problem
        properties = read_part(package, CUSTOM_PROPERTIES) if CUSTOM_PROPERTIES in package.NameToInfo else None
        return Inspection(None, properties, package)
    except OSError as exc:
        return Problem.of("file-access", reason=describe_os_error(exc))
    except Exception:  # a damaged zip fails in many ways: BadZipFile, zlib.error, EOFError, NotImplementedError…
        return Problem("file-truncated")


def _check_package(package: zipfile.ZipFile) -> Problem | None:
    infos = package.infolist()
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        if "mimetype" in names and "content.xml" in names:
            return Problem("file-ods")
        if "word/document.xml" in names:
            return Problem("file-docx")
        return Problem("file-zip-other")
    if len(infos) > limits.MAX_PARTS:
        return Problem.of("zip-too-many-parts", parts=len(infos), limit=limits.MAX_PARTS)
    # First what the zip directory alone tells, for every part: nothing is decompressed yet.
    for info in infos:
        if info.flag_bits & 0x1:
            return Problem("zip-encrypted-part")
        if info.file_size > limits.RATIO_CHECK_FROM and info.file_size > limits.MAX_RATIO * info.compress_size:
            ratio = info.file_size // max(info.compress_size, 1)
            return Problem.of("zip-bomb", part=info.filename, ratio=ratio)
    if _overlapping(package, infos):
        return Problem("zip-overlap")
    total = sum(info.file_size for info in infos)
    if total > limits.MAX_UNZIPPED_BYTES:
        return Problem.of("zip-unzipped-too-large", size=megabytes(total), limit=limits.MAX_UNZIPPED_BYTES // limits.MB)
    # Then the parts some reader decompresses and parses, by their own sizes and first bytes: XML by name, and
    # whatever the workbook's relationships name (python-calamine opens those, whatever their names end with).
    # Pictures and embedded objects are never decompressed: the directory checks above are all they need.
    named = _relationship_targets(package)
    read = [i for i in infos if i.filename.lower().endswith(_XML_SUFFIXES) or i.filename in named]
    for info in read:
        if info.file_size > limits.MAX_PART_BYTES:
            return Problem.of("zip-part-too-large", part=info.filename, size=megabytes(info.file_size),
                              limit=limits.MAX_PART_BYTES // limits.MB)  # fmt: skip
    if sum(info.file_size for info in read) > limits.MAX_READ_BYTES:
        return Problem("zip-read-too-large")
    sheets = {name for name, sheet in named.items() if sheet}
    for info in read:
        head = _head(package, info, limits.DIMENSION_PROBE_BYTES)
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            # no part of a workbook needs a document type; entity declarations are how XML bombs and XXE begin
            return Problem(UNSAFE_XML)
        if info.filename.startswith("xl/worksheets/") or info.filename in sheets:
            problem = _dimension_problem(info.filename, head)
            if problem:
                return problem
    return None


def read_part(package: zipfile.ZipFile, name: str) -> bytes:
    """A part's bytes, checked as zipfile checks them (its declared size and CRC), inflated whole in one call when
    the package is in memory (zipfile's stream inflates a part in pieces and checks each), and kept by a `Package`
    for whoever reads the part next."""
    kept = package.inflated if isinstance(package, Package) else None
    if kept is not None and name in kept:
        return kept[name]
    info = package.getinfo(name)
    data = _whole(package, info) if info.file_size else b""
    if len(data) != info.file_size or deflate.crc32(data) != info.CRC:
        raise zipfile.BadZipFile(f"{name}: size or CRC does not match the directory")
    if kept is not None:
        kept[name] = data
    return data


def _whole(package: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A part inflated whole: by libdeflate into a buffer of its declared size, so a part that inflates to more
    than its directory says is refused, never followed."""
    raw = _raw(package, info)
    if raw is None:
        with package.open(info) as stream:
            return stream.read(info.file_size + 1)
    with raw:
        if info.compress_type == zipfile.ZIP_STORED:
            return bytes(raw)
        try:
            return bytes(deflate.deflate_decompress(raw, info.file_size))
        except deflate.DeflateError as exc:
            raise zipfile.BadZipFile(f"{info.filename}: {exc}") from exc


def _head(package: zipfile.ZipFile, info: zipfile.ZipInfo, size: int) -> bytes:
    """The first `size` bytes of a part: of the part inflated whole when it is small enough (the reader will want
    most such parts whole, and libdeflate inflates a whole form part faster than zlib a kilobyte of it), else
    decompressed from the start of its data. A part that does not inflate whole is looked at only in its head, as
    ever: the reader meets the rest of its damage."""
    if isinstance(package, Package) and info.file_size <= limits.WHOLE_PART_BYTES:
        try:
            return read_part(package, info.filename)[:size]
        except zipfile.BadZipFile:
            pass
    raw = _raw(package, info)
    if raw is None:
        with package.open(info) as stream:
            return stream.read(size)
    with raw:
        if info.compress_type == zipfile.ZIP_STORED:
            return bytes(raw[:size])
        return zlib.decompressobj(-zlib.MAX_WBITS).decompress(raw, size)


def _raw(package: zipfile.ZipFile, info: zipfile.ZipInfo) -> memoryview | None:
    """A part's stored or deflated data, straight from the package's bytes when they are in memory (as they are for
    every workbook read: a zipfile stream per part costs ten times the inflating of a kilobyte); None when only
    zipfile's own stream reads it (a package on disk, another method, an encrypted part)."""
    data = getattr(package.fp, "getbuffer", None)
    if data is None or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 0x1:
        return None
    whole: memoryview = data()
    local = bytes(whole[info.header_offset : info.header_offset + 30])
    if len(local) < 30 or not local.startswith(ZIP_MAGIC):
        whole.release()
        raise zipfile.BadZipFile(f"{info.filename}: no local header")
    start = info.header_offset + 30 + int.from_bytes(local[26:28], "little") + int.from_bytes(local[28:30], "little")
    raw = whole[start : start + info.compress_size]
    whole.release()  # the slice keeps the buffer exported until it is released itself
    return raw


def megabytes(size: int) -> str:
    """A size in MB (of 1,048,576 bytes) to one decimal, rounded up, so that a size over a limit always reads as
    more than the limit: 50 MB and one byte is 50.1 MB."""
    tenths = -(-size * 10 // limits.MB)
    return f"{tenths // 10}.{tenths % 10}"


# Parts parsed as XML by their names; any other part only when the workbook's relationships name it.
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_TARGET = re.compile(rb"""\bTarget\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_WORKSHEET_TYPE = re.compile(rb"""\bType\s*=\s*["'][^"']*/worksheet["']""")


def _relationship_targets(package: zipfile.ZipFile) -> dict[str, bool]:
    """Every part the workbook's relationships name (resolved to its name in the package) → whether it is a
    worksheet."""
    if _WORKBOOK_RELS not in package.NameToInfo:
        return {}
    info = package.getinfo(_WORKBOOK_RELS)
    if info.file_size > limits.MAX_PART_BYTES:
        return {}  # refused for its size before it is read
    with package.open(info) as stream:
        xml = stream.read(limits.MAX_PART_BYTES)
    targets: dict[str, bool] = {}
    for element in _RELATIONSHIP.finditer(xml):
        found = _TARGET.search(element.group())
        if not found:
            continue
        target = (found.group(1) or found.group(2) or b"").decode("utf-8", "replace")
        name = part_name(target)
        targets[name] = targets.get(name, False) or bool(_WORKSHEET_TYPE.search(element.group()))
    return targets


def part_name(target: str) -> str:
    """A target of the workbook's relationships (xl/_rels/workbook.xml.rels) as the name of its part in the package."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def _overlapping(package: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> bool:
    """Whether two parts' data overlap, or a part's data runs past the zip directory: how overlapping-entry zip
    bombs make many parts of one compressed kernel, and how a part declares more data than the file holds. Judged
    from the directory: each local header is at least 30 bytes and its name."""
    end_of_data = getattr(package, "start_dir", None)
    spans = []
    for info in infos:
        try:
            name_length = len(info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437"))
        except UnicodeEncodeError:
            name_length = 0
        spans.append((info.header_offset, info.header_offset + 30 + name_length + info.compress_size))
    spans.sort()
    for (_, end), (next_start, _) in itertools.pairwise(spans):
        if end > next_start:
            return True
    return bool(spans) and isinstance(end_of_data, int) and spans[-1][1] > end_of_data


UNSAFE_XML = "xml-unsafe"  # the code of a part with an entity or document type declaration


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?"')


def _dimension_problem(name: str, head: bytes) -> Problem | None:
    """A sheet that declares a million rows is refused from its first bytes, before any parser reads it."""
    match = _DIMENSION.search(head)
    if not match or not match.group(4):
        return None
    rows, cols = int(match.group(4)), column_index(match.group(3)) + 1
    if rows > limits.MAX_ROWS or cols > limits.MAX_COLUMNS:
        return Problem.of("sheet-dimension-too-large", part=name, rows=rows, cols=cols)
    return None
