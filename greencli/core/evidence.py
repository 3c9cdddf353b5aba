"""Evidence files (佐证材料): which entry of the standard each file is for, and what a 佐证 cell names that is not
there.

The convention (README, the 说明 sheet): a workbook's evidence is the folder beside it with the workbook's name
(`BH-01_渤海社区.xlsx` → `BH-01_渤海社区/`). A file is for an entry when its name, or the name of a folder it is in,
begins with the entry's 编号 (`1.1_工作计划.pdf`, `3/议事记录.jpg`, `B 荣誉证书.png`: a row code, an item's number, the
bonus's or a veto's code), or when a 佐证 cell names it (`工作计划.pdf`). Files are hashed, never opened.

Pure: the folder is listed and hashed by `greencli.adapters.evidence_folder`; here a listing is matched to the
rubric's codes and the workbook's 佐证 cells.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from greencli.core.issues import Issue, make_issue
from greencli.core.model import Field, JsonObject
from greencli.core.rubric import Rubric

# What a 佐证 cell must say for a word in it to be taken as a file's name: it ends in one of these (case aside).
# Documents, scans, photos, recordings and archives an office keeps in a binder; OFD is China's e-document format,
# WPS/ET/DPS the WPS Office ones.
FILE_EXTENSIONS = frozenset({
    "pdf", "ofd", "doc", "docx", "wps", "rtf", "odt", "txt", "xls", "xlsx", "et", "ods", "csv", "ppt", "pptx", "dps",
    "odp", "jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "heic", "webp", "mp4", "mov", "avi", "wmv", "mkv",
    "mp3", "wav", "m4a", "amr", "zip", "rar", "7z",
})  # fmt: skip
# Characters that end a file's name in a 佐证 cell: white space and the punctuation that lists or quotes names.
_SEPARATORS = " \t\n\r，,；;、：:“”‘’\"'《》<>|。\u3000"
_NAMED = re.compile(
    rf"[^{re.escape(_SEPARATORS)}]+?\.(?:{'|'.join(sorted(FILE_EXTENSIONS, key=len, reverse=True))})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# Words people put before a name (见 工作计划.pdf, （详见会议记录.docx）): not part of it when the file is missing.
_LEADING = re.compile(r"^[（(【\[]*(?:详见|参见|另见|见|附件|附)?[：:]?")
# An entry's 编号 at the start of a name: a row code or item number (1.1, 01.1, 1), or a letter code (B, V1).
_NUMBER_CODE = re.compile(r"^0*(\d{1,3})(?:\.0*(\d{1,3}))?(?!\d)(?!\.\d)")
_LETTER_CODE = re.compile(r"^([A-Za-z]\d{0,2})(?![A-Za-z0-9])")


def folded(name: str) -> str:
    """A name as names are compared: full-width forms made plain (１．１ → 1.1) and case ignored, as Windows does."""
    return unicodedata.normalize("NFKC", name).casefold()


@dataclass(frozen=True, slots=True)
class ListedFile:
    """One file of an evidence folder as listed and hashed: its path inside the folder ('/' between folders)."""

    path: str
    size: int
    sha256: str
    modified: str  # the file's time, local with its offset (ISO 8601)


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    """An evidence file recorded with its evaluation, and the entries it is for (none: a file for no entry)."""

    path: str
    size: int
    sha256: str
    modified: str
    codes: tuple[str, ...] = ()

    def to_json(self) -> JsonObject:
        return {"path": self.path, "size": self.size, "sha256": self.sha256, "modified": self.modified,
                "codes": list(self.codes)}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> EvidenceFile:
        codes = data.get("codes")
        return cls(str(data.get("path", "")), int(str(data.get("size") or 0)), str(data.get("sha256", "")),
                   str(data.get("modified", "")),
                   tuple(str(c) for c in codes) if isinstance(codes, list) else ())  # fmt: skip


@dataclass(frozen=True)
class Listing:
    """What the evidence folder of one workbook holds: the files taken (hashed), and each one refused (a link out of
    the folder, a file over the size limit, one that cannot be read) or left out (past the count limit) as a
    warning. `folder` is the folder's name as messages show it."""

    folder: str
    exists: bool = False
    files: tuple[ListedFile, ...] = ()
    issues: tuple[Issue, ...] = ()


def size_text(size: int) -> str:
    """A file's size as Windows Explorer shows it to people: KB below a megabyte (rounded up), else MB."""
    if size < 1024 * 1024:
        return f"{max(1, -(-size // 1024)) if size else 0} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def code_of(path: str, codes: Mapping[str, str]) -> str | None:
    """The entry code a file's path begins with: its first folder's name, else its own name (`codes`: folded code →
    code, see `codes_of`). None when neither begins with a code of the standard."""
    for part in path.split("/"):
        name = folded(part)
        number = _NUMBER_CODE.match(name)
        if number is not None:
            key = number[1] if number[2] is None else f"{number[1]}.{number[2]}"
            if key in codes:
                return codes[key]
        letter = _LETTER_CODE.match(name)
        if letter is not None and letter[1] in codes:
            return codes[letter[1]]
    return None


def codes_of(rubric: Rubric) -> dict[str, str]:
    """Every code a file may be named by, folded → as the standard writes it: row codes, item numbers, the bonus's
    and the vetoes' codes."""
    out = {str(item.number): str(item.number) for item in rubric.items}
    out.update({folded(code): code for code in rubric.entry_codes})
    return out


def named_in(text: str) -> list[str]:
    """The file names a 佐证 cell's text names (words ending in a file extension), each as written."""
    return [match.group(0) for match in _NAMED.finditer(text)]


def _found(name: str, by_name: Mapping[str, list[ListedFile]], by_path: Mapping[str, ListedFile]) -> list[ListedFile]:
    """The files a name in a 佐证 cell stands for: by its path in the folder, else by file name; words written
    before the name (见, 附件：) are tried away one character at a time."""
    key = folded(name.replace("\\", "/")).strip("/")
    for start in range(len(key)):
        tail = key[start:]
        if tail in by_path:
            return [by_path[tail]]
        if tail in by_name:
            return by_name[tail]
    return []


@dataclass(frozen=True)
class Matched:
    """A listing matched to a workbook: the files with their entries, and the warnings (the listing's own and one
    per file a 佐证 cell names that is not there)."""

    files: tuple[EvidenceFile, ...] = ()
    issues: tuple[Issue, ...] = ()


def match(rubric: Rubric, listing: Listing, cells: Mapping[str, Field]) -> Matched:
    """Which entries each listed file is for (by its name's code, and by every 佐证 cell that names it), and a
    warning at each 佐证 cell that names a file not in the folder."""
    if not listing.files and not any(isinstance(c.value, str) and "." in c.value for c in cells.values()):
        return Matched((), listing.issues)  # most workbooks: no folder and no file named (a name holds a dot)
    codes = codes_of(rubric)
    by_path = {folded(f.path): f for f in listing.files}
    by_name: dict[str, list[ListedFile]] = {}
    for f in listing.files:
        by_name.setdefault(folded(f.path.rsplit("/", 1)[-1]), []).append(f)
    attached: dict[str, list[str]] = {f.path: [] for f in listing.files}
    for f in listing.files:
        code = code_of(f.path, codes)
        if code is not None:
            attached[f.path].append(code)
    issues: list[Issue] = list(listing.issues)
    for code in rubric.entry_codes:
        cell = cells.get(code)
        if cell is None or not isinstance(cell.value, str):
            continue
        for name in named_in(cell.value):
            found = _found(name, by_name, by_path)
            for f in found:
                if code not in attached[f.path]:
                    attached[f.path].append(code)
            if not found:
                shown = _LEADING.sub("", name) or name
                issues.append(make_issue("evidence-missing", sheet=cell.sheet, cell=cell.cell, subject=code,
                                         label=rubric.label_of(code), name=shown, folder=listing.folder,
                                         note=None if listing.exists else "该文件夹不存在"))  # fmt: skip
    order = {code: n for n, code in enumerate(codes.values())}
    files = tuple(
        EvidenceFile(
            f.path, f.size, f.sha256, f.modified, tuple(sorted(attached[f.path], key=lambda c: order.get(c, 0)))
        )
        for f in listing.files
    )
    return Matched(files, tuple(issues))


def digest(files: Iterable[EvidenceFile]) -> str:
    """What identifies a submission's evidence: each file's path and content, in path order ('' for none). A
    workbook sent again with one evidence file added, changed or renamed is a new submission."""
    listed = sorted((f.path, f.sha256) for f in files)
    if not listed:
        return ""
    text = "\n".join(f"{path}\0{sha}" for path, sha in listed)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def item_of(code: str, rubric: Rubric) -> int | None:
    """The item a code belongs to: an item's number, or the item of a row code; None for the bonus and vetoes."""
    if code.isdigit():
        return int(code)
    row_item = code.split(".", 1)[0]
    return int(row_item) if row_item.isdigit() and rubric.kind_of(code) is not None else None


def asks_documents(methods: Sequence[str], rubric: Rubric) -> bool:
    """Whether a 考评方式 asks for documents (查阅资料, 查看…档案资料): one of the rubric's `document_methods`."""
    return any(m in rubric.document_methods for m in methods)


@dataclass(frozen=True)
class Binder:
    """One evaluation's evidence as the binder's index shows it: files by the item (or bonus, veto) they are for, the
    files for no entry, and the items whose 考评方式 asks for documents but that have none."""

    by_section: Mapping[str, tuple[EvidenceFile, ...]] = field(default_factory=dict)
    other: tuple[EvidenceFile, ...] = ()
    lacking: tuple[str, ...] = ()


def binder(rubric: Rubric, files: Sequence[EvidenceFile]) -> Binder:
    """Files grouped by section — an item's number, the bonus's code, a veto's code — in the standard's order (a file
    for two items is under both), and the sections that ask for documents and have none."""
    sections: list[tuple[str, Sequence[str]]] = [(str(i.number), i.methods) for i in rubric.items]
    sections.append((rubric.bonus.code, rubric.bonus.methods))
    sections.extend((v.code, v.methods) for v in rubric.vetoes)
    grouped: dict[str, list[EvidenceFile]] = {key: [] for key, _ in sections}
    other: list[EvidenceFile] = []
    for f in files:
        keys = dict.fromkeys(section_of(code, rubric) for code in f.codes)
        keys.pop(None, None)
        for key in keys:
            grouped[str(key)].append(f)
        if not keys:
            other.append(f)
    lacking = tuple(key for key, methods in sections if asks_documents(methods, rubric) and not grouped[key])
    return Binder({k: tuple(v) for k, v in grouped.items() if v}, tuple(other), lacking)


def section_of(code: str, rubric: Rubric) -> str | None:
    """The binder section of an entry code: its item's number, or the code itself for the bonus and a veto."""
    item = item_of(code, rubric)
    if item is not None:
        return str(item)
    if code == rubric.bonus.code or any(v.code == code for v in rubric.vetoes):
        return code
    return None
