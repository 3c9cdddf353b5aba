"""One run at a time: a lock on a file beside the ledger, on Linux and on Windows.

The lock is the operating system's own, taken on an open file: `fcntl.flock` on POSIX, `msvcrt.locking` on Windows.
The system releases it when the process ends, however it ends (kill -9, the OOM killer, a closed console window),
so a crashed run never leaves a stale lock behind, and no child process inherits the descriptor. Where neither
primitive exists, an owner file records the holder's process id and host, and a lock whose owner is no longer alive
is taken over.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from greencli.adapters.oserrors import describe_os_error
from greencli.adapters.runtime import machine_name, process_alive
from greencli.core.errors import GreencliError

POLL_SECONDS = 0.2
# Never inherited by a child process: a worker must not keep the lock of a run that has died.
OPEN_FLAGS = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOINHERIT", 0)


class Busy(GreencliError):
    """Another run holds the lock (exit code 3)."""

    exit_code = 3
    default_code = "lock-busy"


def _module(name: str) -> ModuleType | None:
    """A platform module (fcntl on POSIX, msvcrt on Windows), or None where the platform lacks it."""
    try:
        return __import__(name)
    except ImportError:
        return None


class _OsLock:
    """The operating system's lock on an open descriptor: released by the system when the holder dies."""

    def __init__(self, path: Path, fcntl: ModuleType | None, msvcrt: ModuleType | None) -> None:
        self.path, self.fcntl, self.msvcrt = path, fcntl, msvcrt
        self.fd = os.open(path, OPEN_FLAGS, 0o644)

    def acquire(self) -> bool:
        try:
            if self.fcntl is not None:
                self.fcntl.flock(self.fd, self.fcntl.LOCK_EX | self.fcntl.LOCK_NB)
            else:
                assert self.msvcrt is not None
                os.lseek(self.fd, 0, os.SEEK_SET)
                self.msvcrt.locking(self.fd, self.msvcrt.LK_NBLCK, 1)  # byte 0; the owner's pid is written after it
        except OSError:
            return False
        with contextlib.suppress(OSError):
            os.lseek(self.fd, 1, os.SEEK_SET)
            os.write(self.fd, f"{os.getpid()}\n".encode())
            os.ftruncate(self.fd, os.lseek(self.fd, 0, os.SEEK_CUR))
        return True

    def release(self) -> None:
        os.close(self.fd)  # closing the descriptor releases the lock


class _OwnerFile:
    """Where the platform has no file lock: a file created exclusively, naming its owner (pid and host); a lock
    whose owner on this host is no longer alive is taken over."""

    def __init__(self, path: Path) -> None:
        self.path = path.with_name(path.name + ".owner")
        self.owned = False

    def acquire(self) -> bool:
        me = f"{os.getpid()} {machine_name()}"
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o644)
            except FileExistsError:
                if not self._stale():
                    return False
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()
                continue
            with os.fdopen(fd, "w") as handle:
                handle.write(me + "\n")
            self.owned = True
            return True
        return False

    def _stale(self) -> bool:
        try:
            pid_text, _, host = self.path.read_text().strip().partition(" ")
            pid = int(pid_text)
        except (OSError, ValueError):
            return False  # being written right now, or unreadable: not ours to break
        if host != machine_name():
            return False  # another machine's run: its liveness cannot be checked from here
        return not process_alive(pid)

    def release(self) -> None:
        if self.owned:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()


def _make(path: Path) -> _OsLock | _OwnerFile:
    fcntl = _module("fcntl")
    msvcrt = _module("msvcrt") if sys.platform == "win32" else None
    if fcntl is not None or msvcrt is not None:
        return _OsLock(path, fcntl, msvcrt)
    return _OwnerFile(path)


@contextlib.contextmanager
def run_lock(path: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the lock at `path` for the block; wait up to `wait` seconds for another holder, then raise Busy."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = _make(path)
    except OSError as exc:
        raise GreencliError("lock-unavailable", path=str(path), reason=describe_os_error(exc)) from exc
    try:
        deadline = time.monotonic() + max(0.0, wait)
        while not lock.acquire():
            if time.monotonic() >= deadline:
                raise Busy(path=str(path), wait=wait)
            time.sleep(POLL_SECONDS)
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def database_lock(url: str, district: str, shown: str, wait: float = 0.0) -> Iterator[None]:
    """`run_lock` for a district of a shared PostgreSQL ledger: a session-level advisory lock on a connection of its
    own, which the server releases when the session ends, however the holder ends (kill -9 included); `shown` names
    the ledger in messages. Rollups of other districts take other locks and run at once."""
    import psycopg  # noqa: PLC0415  # only when a shared ledger is named

    from greencli.adapters.ledger import postgres as pg  # noqa: PLC0415

    try:
        session = pg.connect(url, wait)
    except psycopg.Error as exc:
        raise GreencliError("lock-unavailable", path=shown, reason=pg.postgres_reason(exc)) from exc
    try:
        deadline = time.monotonic() + max(0.0, wait)
        while True:
            try:
                row = session.execute(f"SELECT pg_try_advisory_lock({pg.LOCK_KEY})", (pg.ROLLUP_LOCK + district,))
                taken = bool(row.fetchone()[0])
            except psycopg.Error as exc:  # only the lock's own statement: the run's errors are the run's
                raise GreencliError("lock-unavailable", path=shown, reason=pg.postgres_reason(exc)) from exc
            if taken:
                break
            if time.monotonic() >= deadline:
                raise Busy(path=shown, wait=wait)
            time.sleep(POLL_SECONDS)
        yield
    finally:
        session.close()  # ends the session: the lock goes with it
