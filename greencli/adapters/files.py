"""Writing files so that no reader ever sees half of one, and paths derived from data stay where they belong."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from greencli.core.clean import visible
from greencli.core.errors import GreencliError, describe_os_error


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
        raise OutputError(f"无法写入 {path}：{describe_os_error(exc)}") from exc
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
        raise OutputError(f"无法写入 {path}：{describe_os_error(exc)}") from exc


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
        raise OutputError(f"无法写入 {path}：{describe_os_error(exc)}") from exc
    temporary = Path(tmp)
    try:
        yield temporary
        with temporary.open("rb+") as handle:
            os.fsync(handle.fileno())
        _give_mode(temporary, path)
        os.replace(temporary, path)
    except OSError as exc:
        raise OutputError(f"无法写入 {path}：{describe_os_error(exc)}") from exc
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
        raise OutputError(f"无法写入 {path}：{describe_os_error(exc)}") from exc


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
        raise OutputError("输出位置不能为空")
    path = Path(text)
    if text.endswith(("/", "\\", os.sep)) or path.is_dir():
        return OutputChoice(path / default_name, f"{raw} 是文件夹，汇总工作簿写入其中的 {default_name}")
    suffix = path.suffix.lower()
    if suffix == WORKBOOK_SUFFIX:
        return OutputChoice(path)
    if not suffix or not re.fullmatch(r"\.[A-Za-z][A-Za-z0-9]{0,5}", path.suffix):
        chosen = path.with_name(path.name + WORKBOOK_SUFFIX)
        return OutputChoice(chosen, f"输出文件名没有扩展名，已写为 {chosen}")
    raise OutputError(f"无法写入 {raw}：汇总工作簿只能保存为 .xlsx 文件（不能是 {path.suffix}），请改用 .xlsx 扩展名")


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
