"""One run at a time: an advisory lock on a file beside the ledger.

The operating system releases the lock when the process ends, however it ends (kill -9 included), so a crashed
run never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from greencli.core.errors import GreencliError, describe_os_error

POLL_SECONDS = 0.2


class Busy(GreencliError):
    """Another run holds the lock (exit code 3)."""

    exit_code = 3


def _try_lock(fd: int) -> bool:
    try:
        if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
            import msvcrt  # noqa: PLC0415 - exists on Windows only

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl  # noqa: PLC0415 - exists on POSIX only

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


@contextlib.contextmanager
def run_lock(path: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the lock at `path` for the block; wait up to `wait` seconds for another holder, then raise Busy."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # never inherited by a child process: a worker must not keep the lock of a run that has died
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOINHERIT", 0), 0o644)
    except OSError as exc:
        raise GreencliError(f"无法创建运行锁 {path}：{describe_os_error(exc)}") from exc
    try:
        deadline = time.monotonic() + max(0.0, wait)
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise Busy(f"另一个汇总任务正在运行（锁文件 {path}），已等待 {wait:g} 秒，本次未做任何改动")
            time.sleep(POLL_SECONDS)
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
