"""Writing files so that no reader ever sees half of one, no output lands on an input, and paths derived from data
stay where they belong.

Every temporary file or folder is made beside its final path and named for its owner
(`.~greencli-<host>-<pid>-<random>…`, see greencli.adapters.runtime): `clear_stale` removes those of runs that are
gone and never the live file of a run still writing.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from greencli.adapters import runtime
from greencli.adapters.oserrors import describe_os_error
from greencli.core.clean import visible
from greencli.core.errors import GreencliError

if TYPE_CHECKING:
    import zipfile

TEMP_PREFIX = ".~greencli-"
# What a file system takes when it does not say (Linux, and most others): one name, and one whole path, in bytes.
NAME_MAX, PATH_MAX = 255, 4096
SHOWN_CHARS = 120  # a path longer than this is shown shortened in messages


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Temporary files are created private (0600); what is renamed into place gets the mode a plain file would get.
PLAIN_MODE = 0o666 & ~_umask()


def _give_mode(temporary: Path, target: Path) -> None:
    try:
        mode = target.stat().st_mode & 0o777 if target.exists() else PLAIN_MODE
        os.chmod(temporary, mode)
    except OSError:
        pass


class OutputError(GreencliError):
    """An output cannot be written (exit code 2)."""


def shown(path: Path | str) -> str:
    """A path as a message shows it: whole, unless absurdly long (then its start and its end)."""
    text = path_text(path)
    return text if len(text) <= SHOWN_CHARS else f"{text[:60]}…{text[-40:]}"


def cannot_write(path: Path | str, exc: OSError) -> OutputError:
    """The message for an output the system refused, naming the file asked for (not a temporary of it)."""
    return OutputError("output-unwritable", path=shown(runtime.final_path(Path(path))), reason=describe_os_error(exc))


def temp_prefix() -> str:
    """`.~greencli-<host>-<pid>-`: a temporary's name says whose it is (see `clear_stale`)."""
    return f"{TEMP_PREFIX}{runtime.owner_tag()}-"


def clear_stale(folder: Path) -> int:
    """Remove the temporary files and folders that runs which are gone left in `folder` (killed mid-write); a
    live run's are kept. Returns how many were removed."""
    removed = 0
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    for name in names:
        if name.startswith(TEMP_PREFIX) and runtime.owner_gone(name[len(TEMP_PREFIX) :], folder / name):
            removed += runtime.remove_quietly(folder / name)
    return removed


def _limit(path: Path, name: str, default: int) -> int:
    """A file system's limit (os.pathconf) at the nearest existing folder of `path`, else `default`."""
    probe = path.parent
    for folder in (probe, *probe.parents):
        try:
            if folder.is_dir():
                return int(os.pathconf(folder, name))
        except (OSError, ValueError, AttributeError):
            break
    return default


def check_length(path: Path) -> None:
    """Refuse, before any work, a path the file system would refuse for its length (one name over 255 bytes, the
    whole over 4,096), with a message that says so instead of the system's 'File name too long'."""
    names = [part for part in path.parts if part not in (path.anchor, "")]
    longest = max(names, key=lambda part: len(os.fsencode(part)), default="")
    limit = _limit(path, "PC_NAME_MAX", NAME_MAX)
    size = len(os.fsencode(longest))
    if size > limit:
        raise OutputError("output-name-too-long", path=shown(path), name=shown(longest), size=size, limit=limit)
    total = len(os.fsencode(str(path)))
    limit = _limit(path, "PC_PATH_MAX", PATH_MAX)
    if total >= limit:
        raise OutputError("output-path-too-long", path=shown(path), size=total, limit=limit - 1)


# ── writing through a temporary ──


def os_error_of(exc: BaseException) -> OSError | None:
    """The operating system's error behind a library's exception (xlsxwriter wraps ENOSPC in FileCreateError)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError):
            return current
        for arg in getattr(current, "args", ()):
            if isinstance(arg, OSError):
                return arg
        current = current.__cause__ or current.__context__
    return None


def _discard_zip(archive: zipfile.ZipFile) -> None:
    """A zip file a library left open when its write failed: closed without writing its directory, so that its
    finaliser does not try again on a full disk and print 'Exception ignored in: ZipFile.__del__'."""
    handle, archive.fp = archive.fp, None  # close() and __del__ do nothing once fp is None
    if handle is not None and not getattr(archive, "_filePassed", 0):
        with contextlib.suppress(Exception):
            handle.close()


def discard_open_zips(exc: BaseException) -> None:
    """Every zip file still open in the frames the exception (or the ones it chains) went through: discarded."""
    zipfile = sys.modules.get("zipfile")
    if zipfile is None:
        return  # never imported: no zip file was ever opened (a run that writes no workbook does not load it)
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        tb = current.__traceback__
        while tb is not None:
            for value in list(tb.tb_frame.f_locals.values()):
                try:
                    held = (value, *vars(value).values()) if hasattr(value, "__dict__") else (value,)
                except TypeError:
                    held = (value,)
                for candidate in held:
                    if isinstance(candidate, zipfile.ZipFile):
                        _discard_zip(candidate)
            tb = tb.tb_next
        current = current.__cause__ or current.__context__


def _failed_write(path: Path, exc: BaseException) -> BaseException:
    """What a failure while writing `path` becomes: an OutputError when the system refused (a full disk, a disk
    error), else the failure itself (a bug, an interruption)."""
    discard_open_zips(exc)
    if isinstance(exc, GreencliError) or not isinstance(exc, Exception):
        return exc
    cause = os_error_of(exc)
    return cannot_write(path, cause) if cause is not None else exc


@contextlib.contextmanager
def _writing(path: Path) -> Iterator[None]:
    """A failure of the block becomes what `_failed_write` makes of it (raised from the original)."""
    try:
        yield
    except BaseException as exc:
        failure = _failed_write(path, exc)
        if failure is exc:
            raise
        raise failure from exc


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, flush it to disk, then rename it into place."""
    check_length(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(), suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise cannot_write(path, exc) from exc
    temporary = Path(tmp)
    runtime.track(temporary, runtime.final_path(path))
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _give_mode(temporary, path)
        os.replace(temporary, path)
    except OSError as exc:
        raise cannot_write(path, exc) from exc
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()
        runtime.untrack(temporary)


def inside(folder: Path, candidate: Path) -> bool:
    """Whether `candidate` resolves to a place inside `folder` (no '..' or link escapes)."""
    return candidate.resolve().is_relative_to(folder.resolve())


@contextlib.contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` to write to; renamed over `path` only if the block succeeds.

    However the block fails (a full disk, a disk error, Ctrl-C) the final path is untouched and the temporary
    removed; a refusal of the system becomes an OutputError (exit 2) that names `path`."""
    check_length(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(), suffix=".tmp" + path.suffix, dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise cannot_write(path, exc) from exc
    temporary = Path(tmp)
    runtime.track(temporary, runtime.final_path(path))
    try:
        with _writing(path):
            yield temporary
            with temporary.open("rb+") as handle:
                os.fsync(handle.fileno())
            _give_mode(temporary, path)
            os.replace(temporary, path)
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()
        runtime.untrack(temporary)


@contextlib.contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """A temporary folder beside `path` to fill; when the block succeeds, it becomes `path` (renamed whole when
    `path` does not exist, else its files are renamed into `path` one by one, each replacing its older self, so a
    folder that also holds other files keeps them). A failed block leaves `path` as it was."""
    check_length(path)
    try:
        if path.exists() and not path.is_dir():
            raise OutputError("output-file-in-the-way", path=shown(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=temp_prefix(), suffix=".tmp", dir=path.parent))
        os.chmod(staging, 0o777 & ~_umask())  # made private (0700); the folder it becomes is a plain one
    except OSError as exc:
        raise cannot_write(path, exc) from exc
    runtime.track(staging, path)
    try:
        with _writing(path):
            try:
                yield staging
            except OutputError as exc:  # a file of the block could not be written: named where it was to go
                staged, final = path_text(staging), path_text(path)
                params = {k: v.replace(staged, final) if isinstance(v, str) else v for k, v in exc.params.items()}
                raise OutputError(exc.code, **params) from exc
            if not path.exists():
                os.rename(staging, path)
            else:
                for entry in sorted(staging.iterdir()):
                    os.replace(entry, path / entry.name)
    finally:
        if staging.exists():
            runtime.remove_quietly(staging)
        runtime.untrack(staging)


def ensure_writable(path: Path) -> None:
    """Fail early, before any work, when `path` could not be written: its folder can't be made or written to, or
    its name is too long."""
    check_length(path)
    try:
        if path.is_dir():
            raise OutputError("output-is-folder", path=shown(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=temp_prefix(), suffix=".probe", dir=path.parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise cannot_write(path, exc) from exc


# ── no output over an input ──

PathsGiven = Path | Sequence[Path] | None


class Inode(Protocol):
    """What a listing already told of a file that makes it one file on disk (an `os.stat_result` has it)."""

    @property
    def st_dev(self) -> int: ...

    @property
    def st_ino(self) -> int: ...


# What the library calls the paths a command reads and writes (the command line names them by its options).
ROLE_NAMES: dict[str, str] = {"out": "输出文件", "db": "评分记录库", "roster": "社区名单", "rubric": "评分标准文件",
                              "inbox": "收件箱", "log": "日志文件"}  # fmt: skip


def role_name(role: str) -> str:
    """A path's role as the library's messages name it (输出文件); a name that is no role is already Chinese."""
    return ROLE_NAMES.get(role, role)


def _roles(**roles: str) -> dict[str, str]:
    """The parameters naming each path of a message: `<name>_label` as the library says it, and `<name>_role`,
    by which the command line names it by its option instead."""
    return {**{f"{k}_label": role_name(r) for k, r in roles.items()}, **{f"{k}_role": r for k, r in roles.items()}}


def _listed(given: Mapping[str, PathsGiven]) -> list[tuple[str, Path]]:
    out: list[tuple[str, Path]] = []
    for label, value in given.items():
        if value is None:
            continue
        for path in [value] if isinstance(value, Path) else value:
            if "://" not in str(path):  # a database URL is no file
                out.append((label, path))
    return out


def _real(path: Path) -> Path:
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError):
        return Path(os.path.abspath(path))


def _existing(path: Path) -> Path | None:
    for folder in (path, *path.parents):
        try:
            if folder.exists():
                return folder
        except OSError:
            continue
    return None


@functools.cache
def case_insensitive(folder: Path) -> bool:
    """Whether names in `folder`'s file system ignore case: `folder` (or an ancestor on the same disk) is looked
    up with its name's case swapped; where no name can be swapped, what the platform usually does."""
    try:
        device = os.stat(folder).st_dev
    except OSError:
        return sys.platform in ("win32", "darwin")
    for candidate in (folder, *folder.parents):
        name = candidate.name
        if not name or name.swapcase() == name:
            continue
        try:
            st = os.stat(candidate)
            if st.st_dev != device:
                break
            return os.path.samestat(st, os.stat(candidate.with_name(name.swapcase())))
        except FileNotFoundError:
            return False
        except OSError:
            break
    return sys.platform in ("win32", "darwin")


def identity(path: Path) -> frozenset[tuple[object, ...]]:
    """What makes `path` one file on disk, existing or not: its device and inode (hard links, symbolic links), its
    real path, and that path case-folded on a file system that ignores case. Two paths are one file when they share
    any of these (see `same_file`)."""
    keys: set[tuple[object, ...]] = set()
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        pass
    else:
        if st.st_ino:
            keys.add(("inode", st.st_dev, st.st_ino))
    real = _real(path)
    keys.add(("path", str(real)))
    base = _existing(real.parent)
    if base is not None and case_insensitive(base):
        keys.add(("folded", str(real).casefold()))
    return frozenset(keys)


def _one_file(a: frozenset[tuple[object, ...]], b: frozenset[tuple[object, ...]]) -> bool:
    """Two identities are one file: when both exist, by device and inode alone; else by a shared path."""
    inode_a = {k for k in a if k[0] == "inode"}
    inode_b = {k for k in b if k[0] == "inode"}
    if inode_a and inode_b:
        return inode_a == inode_b
    return not a.isdisjoint(b)


def _exists(path: Path) -> bool:
    try:
        os.stat(path)
    except (OSError, ValueError):
        return False
    return True


def _input_identity(path: Path, by_inode: bool, listed: Inode | None = None) -> frozenset[tuple[object, ...]]:
    """`identity`, or only the device and inode of an existing file when that is all an output can share with it
    (`listed`: its device and inode as its folder's listing gave them; Windows' listing gives none)."""
    if by_inode and listed is not None and listed.st_ino:
        return frozenset({("inode", listed.st_dev, listed.st_ino)})
    if by_inode:
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            return identity(path)
        if st.st_ino:
            return frozenset({("inode", st.st_dev, st.st_ino)})
    return identity(path)


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths are one file on disk, existing or not (see `identity`)."""
    return _one_file(identity(a), identity(b))


def refuse_overlap(
    outputs: Mapping[str, PathsGiven], inputs: Mapping[str, PathsGiven], inodes: Mapping[Path, Inode] | None = None
) -> None:
    """Refuse, before any work, an output that is one of the inputs (or another output): `score in/a.xlsx --out
    in/a.xlsx` would replace the inspector's workbook, `--out` on the ledger would replace the ledger.

    `outputs` and `inputs` map the role of each (out, db, roster, rubric, inbox, log — see ROLE_NAMES — or a
    Chinese name such as "评分表") to a path or paths, already expanded; compared by identity on disk (see `identity`), each path looked at once,
    so a thousand generated workbooks cost a thousand looks, not a million. A folder in `inputs` is compared as
    itself: an output inside it is no clash (rollup leaves its own outputs out of what it reads).
    `inodes`: what a folder's listing already gave of the inputs (`jobs.inputs.scan`), so they are not looked at
    again. Raises OutputError (exit 2) naming both paths."""
    Entry = tuple[str, Path, frozenset[tuple[object, ...]]]

    def index(entries: list[Entry]) -> dict[tuple[object, ...], list[Entry]]:
        found: dict[tuple[object, ...], list[Entry]] = {}
        for entry in entries:
            for key in entry[2]:
                found.setdefault(key, []).append(entry)
        return found

    def match(keys: frozenset[tuple[object, ...]], among: dict[tuple[object, ...], list[Entry]]) -> Entry | None:
        return next((e for k in keys for e in among.get(k, ()) if _one_file(keys, e[2])), None)

    listed = [(label, out, identity(out)) for label, out in _listed(outputs)]
    # An input that exists is one file with an output only if that output exists too, and then they share device
    # and inode: when every output that exists has an inode, an existing input is looked at once (stat), not
    # resolved folder by folder — a thousand inputs cost a thousand stats, or none when the listing gave them.
    by_inode = all(any(k[0] == "inode" for k in keys) or not _exists(out) for _, out, keys in listed)
    seen = inodes or {}
    outs: set[tuple[object, ...]] = set().union(*(keys for _, _, keys in listed))
    # only an input that shares a key with some output can be one file with it: the others are not indexed
    identities = (
        (label, source, _input_identity(source, by_inode, seen.get(source))) for label, source in _listed(inputs)
    )
    known = index([entry for entry in identities if not outs.isdisjoint(entry[2])])
    written: dict[tuple[object, ...], list[Entry]] = {}
    for out_label, out, keys in listed:
        clash = match(keys, known)
        if clash is not None:
            in_label, source, _ = clash
            raise OutputError("output-is-input", out=shown(out), source=shown(source),
                              **_roles(out=out_label, **{"in": in_label}))  # fmt: skip
        twin = match(keys, written)
        if twin is not None:
            other_label, other, _ = twin
            raise OutputError("output-twice", other=shown(other), out=shown(out),
                              **_roles(other=other_label, out=out_label))  # fmt: skip
        for key in keys:
            written.setdefault(key, []).append((out_label, out, keys))


WORKBOOK_SUFFIX = ".xlsx"


@dataclass(frozen=True)
class OutputChoice:
    """Where a workbook will be written, and what was made of the path the user gave (said to the user)."""

    path: Path
    note: str | None = None


def workbook_output(raw: str, default_name: str) -> OutputChoice:
    """`--out` for a workbook: an existing folder, or a path ending in a separator, means `default_name` inside it;
    a name without an extension gets `.xlsx`; any other extension is refused before any work is done."""
    text = raw.strip()
    if not text:
        raise OutputError("output-empty")
    path = Path(text)
    check_length(path)
    try:
        folder = text.endswith(("/", "\\", os.sep)) or path.is_dir()
    except OSError as exc:  # a name too long to look up, a loop of links
        raise cannot_write(path, exc) from exc
    if folder:
        check_length(path / default_name)
        return OutputChoice(path / default_name, f"{raw} 是文件夹，汇总工作簿写入其中的 {default_name}")
    suffix = path.suffix.lower()
    if suffix == WORKBOOK_SUFFIX:
        check_length(path)
        return OutputChoice(path)
    if not suffix or not re.fullmatch(r"\.[A-Za-z][A-Za-z0-9]{0,5}", path.suffix):
        chosen = path.with_name(path.name + WORKBOOK_SUFFIX)
        check_length(chosen)
        return OutputChoice(chosen, f"输出文件名没有扩展名，已写为 {chosen}")
    raise OutputError("output-not-xlsx", path=raw, suffix=path.suffix)


def path_text(path: Path | str) -> str:
    """A path as text to show, store and compare: never a string that cannot be written as UTF-8.

    Under a non-UTF-8 locale (zh_CN.GBK), a file name whose bytes are UTF-8 (copied from another machine) is decoded
    with the wrong codec and carries surrogate escapes, which SQLite, JSON and xlsx refuse. The bytes are decoded as
    UTF-8 when they are UTF-8, else kept as the system decoded them, with any undecodable byte shown as \\xNN.
    Control, direction and other characters kept out of outputs (`core.clean`) are written as escapes (\\n, \\x1b,
    \\u202e), so a name can neither break a line nor turn text around, and two names stay two.
    The Path itself is still what opens the file.
    """
    return visible(_decoded(str(path)))


def _decoded(text: str) -> str:
    if text.isascii():
        return text
    raw = os.fsencode(text)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return raw.decode("utf-8", "backslashreplace")
    return text
