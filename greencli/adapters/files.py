"""Writing files so that no reader ever sees half of one, and paths derived from data stay where they belong."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from greencli.core.errors import GreencliError


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


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, flush it to disk, then rename it into place."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".~greencli-", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"无法写入 {path}：{exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _give_mode(Path(tmp), path)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(f"无法写入 {path}：{exc.strerror or exc}") from exc


def inside(folder: Path, candidate: Path) -> bool:
    """Whether `candidate` resolves to a place inside `folder` (no '..' or link escapes)."""
    return candidate.resolve().is_relative_to(folder.resolve())


@contextlib.contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` to write to; renamed over `path` only if the block succeeds."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".~greencli-", suffix=".tmp" + path.suffix, dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"无法写入 {path}：{exc.strerror or exc}") from exc
    temporary = Path(tmp)
    try:
        yield temporary
        with temporary.open("rb+") as handle:
            os.fsync(handle.fileno())
        _give_mode(temporary, path)
        os.replace(temporary, path)
    except OSError as exc:
        raise OutputError(f"无法写入 {path}：{exc.strerror or exc}") from exc
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()


def ensure_writable(path: Path) -> None:
    """Fail early, before any work, when `path` could not be written: its folder can't be made or written to."""
    if path.is_dir():
        raise OutputError(f"无法写入 {path}：这是一个文件夹")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".~greencli-probe-", dir=path.parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(f"无法写入 {path}：{exc.strerror or exc}") from exc
