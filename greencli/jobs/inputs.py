"""The inputs of a batch: the workbooks named, matched or found in a folder (the one inbox rule), each with what its
folder's listing told (size, time, device and inode, whether an evidence folder is beside it).

Kept apart from the reading pipeline (`jobs.pipeline`) so that a rollup over an unchanged inbox lists and compares
its files without importing the scoring stack.
"""

from __future__ import annotations

import dataclasses
import glob
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from greencli.adapters.files import path_text
from greencli.jobs.readers import GLOB_CHARS

# What a folder is searched for: workbooks, and the spreadsheet kinds people drop by mistake (reported, not skipped).
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".et", ".ods"})


# ── discover ──


class FileStat(NamedTuple):
    """A file's size and time as its folder's listing gave them (all a rollup compares; a whole `os.stat_result`
    is ten times the memory, for thousands of files), and its device and inode (what tells that no output is one
    of the inputs; 0 on Windows, whose listing gives none)."""

    st_size: int
    st_mtime_ns: int
    st_dev: int
    st_ino: int


@dataclass(frozen=True)
class Inputs:
    """The files of a batch, the patterns that matched none and the files skipped, with what their folders'
    listings told."""

    files: tuple[Path, ...]
    unmatched: tuple[str, ...] = ()
    skipped: tuple[Path, ...] = ()  # lock files of Excel/WPS, hidden and temporary files, other kinds of file
    resolved: Mapping[Path, str] = dataclasses.field(default_factory=dict)  # each file's absolute real path, as text
    # What a folder's listing already told (`scan`), so a rollup over an unchanged inbox looks at each file once:
    # the file's size and time, and the workbooks with no folder of their name beside them (no evidence folder).
    stats: Mapping[Path, FileStat] = dataclasses.field(default_factory=dict)
    no_evidence_folder: frozenset[Path] = frozenset()

    def key(self, path: Path) -> str:
        """The file's absolute real path as text: what the ledger and the inbox cache know it by."""
        return self.resolved.get(path) or path_text(path.resolve())


class Resolver:
    """Absolute real paths of many files listed from a few folders (their names as the folder lists them): each
    folder resolved once (a file's own resolve looks at every folder above it again), a link resolved whole."""

    def __init__(self) -> None:
        self._folders: dict[Path, str] = {}

    def child(self, parent: Path, name: str, path: Path, link: bool | None) -> str:
        """`path`, the entry `name` of folder `parent`: its folder's real path joined as text (no Path is made);
        `link`: whether the path is a symbolic link, when the folder's listing already said (None: look)."""
        if path.is_symlink() if link is None else link:
            return path_text(path.resolve())
        folder = self._folders.get(parent)
        if folder is None:
            folder = self._folders[parent] = str(parent.resolve())
        return path_text(os.path.join(folder, name))


def is_lock_or_temp(path: Path) -> bool:
    return _is_lock_or_temp_name(path.name)


def _is_lock_or_temp_name(name: str) -> bool:
    return name.startswith(("~$", ".~", ".")) or name.endswith((".tmp", "#"))


def _is_workbook_name(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in WORKBOOK_SUFFIXES


class _EvidenceFolders:
    """Whether a path a pattern matched lies in some workbook's evidence folder (a folder beside a workbook with its
    name) below the pattern's fixed start (`inspections/**/*.xlsx`: below inspections): each folder's listing looked
    at once, however many files the pattern matched in it."""

    def __init__(self, pattern: str) -> None:
        fixed = []
        for part in Path(pattern).parts:
            if GLOB_CHARS & set(part):
                break
            fixed.append(part)
        self._base = Path(*fixed).absolute() if fixed else Path.cwd()
        self._stems: dict[Path, frozenset[str]] = {}

    def _stems_in(self, folder: Path) -> frozenset[str]:
        found = self._stems.get(folder)
        if found is None:
            try:
                names = os.listdir(folder)
            except OSError:
                names = []
            found = self._stems[folder] = frozenset(os.path.splitext(n)[0].casefold() for n in names
                                                    if _is_workbook_name(n))  # fmt: skip
        return found

    def __call__(self, path: Path) -> bool:
        folder = path.absolute().parent
        while folder != self._base and folder.is_relative_to(self._base) and folder.parent != folder:
            if folder.name.casefold() in self._stems_in(folder.parent):
                return True
            folder = folder.parent
        return False


def scan(folder: Path, resolver: Resolver | None = None) -> Inputs:
    """Every workbook under `folder`, recursively (the one inbox rule): lock, hidden and temporary files and
    files of other kinds skipped; hidden folders not entered. Each file is looked at once, through its folder's
    listing (its size and time, whether it is a link, whether a folder of its name is beside it)."""
    resolve = resolver or Resolver()
    found: list[Path] = []
    skipped: list[Path] = []
    resolved: dict[Path, str] = {}
    stats: dict[Path, FileStat] = {}
    bare: set[Path] = set()
    # Depth first, a folder's files before its folders, in name order; by a stack rather than a recursive inner
    # function, which would hold everything listed (thousands of paths) in a reference cycle until the collector ran.
    waiting = [folder]
    while waiting:
        parent = waiting.pop()
        try:
            with os.scandir(parent) as listing:
                entries = list(listing)
        except OSError:
            continue  # a folder that cannot be listed is passed over, as os.walk does
        dirs: dict[str, os.DirEntry[str]] = {}
        files: dict[str, os.DirEntry[str]] = {}
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            (dirs if is_dir else files)[entry.name] = entry
        split = {name: os.path.splitext(name) for name in files}  # (stem, suffix): each name split once
        stems = {stem.casefold() for stem, suffix in split.values() if suffix.lower() in WORKBOOK_SUFFIXES}
        folded = {name.casefold() for name in dirs}
        # by the names as text (a Path's name, suffix and stem are parsed again on each look): thousands of files
        for name in sorted(files):
            path = parent / name
            stem, suffix = split[name]
            if _is_lock_or_temp_name(name) or suffix.lower() not in WORKBOOK_SUFFIXES:
                skipped.append(path)
                continue
            found.append(path)
            entry = files[name]
            try:
                link = entry.is_symlink()
                st = entry.stat()
                stats[path] = FileStat(st.st_size, st.st_mtime_ns, st.st_dev, st.st_ino)
            except OSError:
                link = None
            resolved[path] = resolve.child(parent, name, path, link)
            if stem.casefold() not in folded:
                bare.add(path)
        # a workbook's evidence folder (佐证材料) holds its documents, never another workbook to score
        below = []
        for name in sorted(d for d in dirs if not d.startswith(".") and d.casefold() not in stems):
            try:
                if dirs[name].is_symlink():
                    continue  # listed, never entered (as os.walk leaves links to folders)
            except OSError:
                continue
            below.append(parent / name)
        waiting.extend(reversed(below))  # the first in name order is listed next
    return Inputs(tuple(found), (), tuple(skipped), resolved, stats, frozenset(bare))


def expand(patterns: Sequence[str]) -> Inputs:
    """Files named or matched by glob patterns (expanded here: a Windows shell does not); folders by `scan`."""
    found: dict[str, Path] = {}
    unmatched: list[str] = []
    skipped: list[Path] = []
    resolve = Resolver()
    for pattern in patterns:
        if GLOB_CHARS & set(pattern) and not Path(pattern).is_file():  # a file named [东]… is itself
            matches = [Path(m) for m in sorted(glob.glob(pattern, recursive=True))]
            in_evidence = _EvidenceFolders(pattern)
            matches = [m for m in matches if not m.is_dir() and not in_evidence(m)]
        elif Path(pattern).is_dir():
            inside = scan(Path(pattern), resolve)
            matches, skipped = list(inside.files), [*skipped, *inside.skipped]
            if not matches and not inside.skipped:
                unmatched.append(pattern)
            for match in matches:
                found.setdefault(inside.resolved[match], match)
            continue
        else:
            matches = [Path(pattern)] if Path(pattern).exists() and not Path(pattern).is_dir() else []
        if not matches:
            unmatched.append(pattern)
        for match in matches:
            if is_lock_or_temp(match):
                skipped.append(match)
            else:  # a name as typed (its case, a short name): resolved whole, as the file system has it
                found.setdefault(path_text(match.resolve()), match)
    return Inputs(tuple(found.values()), tuple(unmatched), tuple(skipped), {path: key for key, path in found.items()})


def sha256_of(path: Path) -> str:
    """The file's SHA-256, read in chunks (a workbook is never held whole for it)."""
    from greencli.adapters.evidence_folder import sha256_file

    return sha256_file(path)
