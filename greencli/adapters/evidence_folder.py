"""A workbook's evidence folder (佐证材料) on disk: the folder beside it with its name, listed and hashed.

Files are hashed, never opened otherwise or parsed. What a folder may make greencli do is bounded as a workbook is
(`limits`): a link (a symbolic link, a junction, a Windows shortcut) that leads out of the folder is refused, as are a
file over the size limit and anything that is no plain file (a pipe would block the read); past the count, total or
depth limit the rest is left out. Each refusal is a warning on the workbook, never a failure of the run.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from greencli.adapters.files import path_text
from greencli.adapters.limits import (
    MAX_EVIDENCE_BYTES,
    MAX_EVIDENCE_DEPTH,
    MAX_EVIDENCE_FILE_BYTES,
    MAX_EVIDENCE_FILES,
    MB,
)
from greencli.adapters.oserrors import describe_os_error
from greencli.core.issues import Issue, make_issue

HASH_CHUNK = 1 << 20
# Files an operating system or an editor leaves in any folder: never evidence.
JUNK = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})
SHORTCUT = ".lnk"  # a Windows shortcut: a link whose target greencli would have to parse the file to know
WHERE = "佐证材料"  # an evidence issue's place, as the tables show it

if TYPE_CHECKING:
    from greencli.core.evidence import Listing


def folder_of(workbook: Path) -> Path:
    """The evidence folder of a workbook: beside it, with its name (`BH-01_渤海社区.xlsx` → `BH-01_渤海社区`)."""
    return workbook.with_name(workbook.stem)


def _existing_folder(workbook: Path) -> Path | None:
    """The workbook's evidence folder when there is one (a name that is no folder, or cannot be looked at: none)."""
    folder = folder_of(workbook)
    try:
        return folder if folder.is_dir() else None
    except OSError:
        return None


def _ignored(name: str) -> bool:
    """Lock, hidden and temporary files, and the ones Windows and macOS leave in folders."""
    return name.startswith(("~$", ".~", ".")) or name.endswith((".tmp", "#")) or name.casefold() in JUNK


@dataclass(frozen=True)
class _Found:
    """One plain file of the folder, or why it was refused (`issue`)."""

    relative: str
    path: Path
    st: os.stat_result | None = None
    issue: Issue | None = None


def _shown(parts: tuple[str, ...]) -> str:
    return "/".join(path_text(part) for part in parts)


def _walk(folder: Path) -> Iterator[_Found]:
    """Every file under `folder`, in name order, depth first; refusals as they are met; stops at the count limit."""
    root = Path(os.path.realpath(folder))
    name = path_text(folder.name)
    seen_dirs = {root}
    count = 0

    def refuse(code: str, parts: tuple[str, ...], path: Path, **params: str) -> _Found:
        return _Found(_shown(parts), path, issue=make_issue(code, sheet=WHERE, subject=_shown(parts), **params))

    def visit(at: Path, parts: tuple[str, ...]) -> Iterator[_Found]:
        nonlocal count
        try:
            with os.scandir(at) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            yield refuse("evidence-unreadable", parts, at, name=_shown(parts) or name, reason=describe_os_error(exc))
            return
        for entry in entries:
            if _ignored(entry.name):
                continue
            here = (*parts, entry.name)
            path = Path(entry.path)
            shown = _shown(here)
            if entry.name.casefold().endswith(SHORTCUT):
                yield refuse("evidence-link-outside", here, path, name=shown, folder=name)
                continue
            try:
                linked = entry.is_symlink() or bool(getattr(entry, "is_junction", lambda: False)())
                real = Path(os.path.realpath(path)) if linked else None
                if real is not None and not real.is_relative_to(root):
                    yield refuse("evidence-link-outside", here, path, name=shown, folder=name)
                    continue
                st = os.stat(path)
            except OSError as exc:
                yield refuse("evidence-unreadable", here, path, name=shown, reason=describe_os_error(exc))
                continue
            if stat.S_ISDIR(st.st_mode):
                real_dir = real or Path(os.path.realpath(path))
                if real_dir in seen_dirs:  # a link back up the tree: its files are listed where they are
                    continue
                seen_dirs.add(real_dir)
                if len(here) > MAX_EVIDENCE_DEPTH:
                    yield refuse("evidence-too-many", here, path, folder=name,
                                 what=f"的子文件夹超过 {MAX_EVIDENCE_DEPTH} 层（{shown}）")  # fmt: skip
                    continue
                yield from visit(path, here)
                if count > MAX_EVIDENCE_FILES:
                    return
                continue
            if not stat.S_ISREG(st.st_mode):
                yield refuse("evidence-unreadable", here, path, name=shown, reason="不是普通文件")
                continue
            count += 1
            if count > MAX_EVIDENCE_FILES:
                yield refuse("evidence-too-many", here, path, folder=name, what=f"中的文件超过 {MAX_EVIDENCE_FILES} 个")
                return
            yield _Found(shown, path, st)

    yield from visit(folder, ())


def sha256_file(path: Path) -> str:
    """A file's SHA-256, read in chunks (never held whole)."""
    import hashlib  # noqa: PLC0415 -- loads OpenSSL (a few ms): only when a file is hashed

    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(HASH_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _mb(size: int) -> str:
    return f"{size / MB:.1f}".rstrip("0").rstrip(".")


def list_evidence(workbook: Path) -> Listing:
    """The workbook's evidence folder, each file hashed (`exists` False when there is none)."""
    from greencli.core.evidence import ListedFile, Listing  # noqa: PLC0415 -- a rollup's comparison needs neither

    folder = _existing_folder(workbook)
    if folder is None:
        return Listing(path_text(folder_of(workbook).name))
    name = path_text(folder.name)
    files: list[ListedFile] = []
    issues: list[Issue] = []
    total = 0
    for found in _walk(folder):
        if found.issue is not None:
            issues.append(found.issue)
            continue
        assert found.st is not None
        size = found.st.st_size
        if size > MAX_EVIDENCE_FILE_BYTES:
            issues.append(make_issue("evidence-too-large", sheet=WHERE, subject=found.relative, name=found.relative,
                                     size=_mb(size), limit=MAX_EVIDENCE_FILE_BYTES // MB))  # fmt: skip
            continue
        if total + size > MAX_EVIDENCE_BYTES:
            issues.append(make_issue("evidence-too-many", sheet=WHERE, subject=found.relative, folder=name,
                                     what=f"中的文件合计超过 {MAX_EVIDENCE_BYTES // MB} MB"))  # fmt: skip
            break
        try:
            digest = sha256_file(found.path)
        except OSError as exc:
            issues.append(make_issue("evidence-unreadable", sheet=WHERE, subject=found.relative, name=found.relative,
                                     reason=describe_os_error(exc)))  # fmt: skip
            continue
        total += size
        modified = datetime.fromtimestamp(found.st.st_mtime).astimezone().isoformat(timespec="seconds")
        files.append(ListedFile(found.relative, size, digest, modified))
    return Listing(name, True, tuple(files), tuple(issues))


def evidence_stamp(workbook: Path) -> str:
    """What the rollup compares to tell a changed evidence folder: every file's path, size and time ('' when the
    workbook has no folder). Listed, never read: an unchanged inbox costs one look at each folder."""
    folder = _existing_folder(workbook)
    if folder is None:
        return ""
    import hashlib  # noqa: PLC0415 -- loads OpenSSL (a few ms): only for a workbook that has a folder

    digest = hashlib.sha256()
    for found in _walk(folder):
        st = found.st
        line = f"{found.relative}\0{st.st_size}\0{st.st_mtime_ns}" if st else f"{found.relative}\0!"
        digest.update(line.encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()
