"""Writing files so that no reader ever sees half of one, and paths derived from data stay where they belong."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from greencli.core.errors import GreencliError


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
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(f"无法写入 {path}：{exc.strerror or exc}") from exc


def inside(folder: Path, candidate: Path) -> bool:
    """Whether `candidate` resolves to a place inside `folder` (no '..' or link escapes)."""
    return candidate.resolve().is_relative_to(folder.resolve())
