"""The lifetime of one run: who owns a temporary file, the run's own temporary folder, and how a signal ends it.

Every temporary thing a run makes carries its owner in its name, so that a later run can tell the leftovers of a
run that died (process gone) from the live files of a run still going, and remove only the former: `<host>-<pid>`
for a temporary beside an output (an output folder may be shared between machines), `<pid>` for the run's own
folder. The command line (`begin`, from main()) gives the run that folder, `greencli-run-<pid>-…`, inside the
system's temporary folder and makes it the temporary folder of the process and of every process it starts
(tempfile.tempdir and TMPDIR/TEMP/TMP), so multiprocessing's `pymp-*` folders and xlsxwriter's scratch files land
in it and go with it.

SIGINT (Ctrl-C) and SIGTERM (a service stop) raise `Interrupted` in the main thread; the run unwinds (temporary
files removed, the ledger's transaction rolled back), says one Chinese line on stderr and ends with 130 or 143
(`stop`). A watchdog ends the process anyway `GRACE_SECONDS` after the signal, should anything be stuck.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import NoReturn

from greencli.core.errors import Interrupted, interrupt_note

RUN_FOLDER_PREFIX = "greencli-run-"
TEMP_ENV = ("TMPDIR", "TEMP", "TMP")
# After a signal the run ends within this many seconds, whatever is stuck (the promise is two).
GRACE_SECONDS = 1.5
# A leftover whose owner cannot be checked (another host, or named before owners were) is removed after a day:
# no run lasts that long.
UNKNOWN_OWNER_AGE = 24 * 3600
_OWNER = re.compile(r"^(?P<host>[A-Za-z0-9.-]+)-(?P<pid>\d+)-")
_RUN_OWNER = re.compile(r"^(?P<pid>\d+)-")
# A forkserver listens on a UNIX socket at <run folder>/pymp-XXXXXXXX/listener-XXXXXXXX, and such a path holds at
# most 107 bytes (103 on macOS): a temporary folder longer than this leaves no room for it (`_base`).
SOCKET_ROOM = 40
SHORT_BASES = ("/tmp", "/var/tmp", "/dev/shm")


def machine_name() -> str:
    """This machine's network name, as gethostname() gives it ('' when it cannot be had)."""
    try:
        if hasattr(os, "uname"):  # POSIX: the same name, without loading the socket module (a few ms at start-up)
            return os.uname().nodename
        import socket  # noqa: PLC0415

        return socket.gethostname()
    except OSError:
        return ""


def host_name() -> str:
    """This machine's name as it may appear in a file name (letters, digits, '.' and '-'; at most 40)."""
    name = machine_name()
    return (re.sub(r"[^A-Za-z0-9.-]", "_", name).strip("._-") or "host")[:40].replace("_", "-")


def owner_tag(pid: int | None = None) -> str:
    """`<host>-<pid>`: what a temporary name starts with (after its own prefix)."""
    return f"{host_name()}-{os.getpid() if pid is None else pid}"


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists on this machine."""
    if pid <= 0:
        return False
    if sys.platform == "win32":  # os.kill(pid, 0) would end the process on Windows
        import ctypes  # noqa: PLC0415

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return bool(ctypes.GetLastError() == 5)  # access denied: it exists
        code = ctypes.c_ulong()
        try:
            return bool(kernel32.GetExitCodeProcess(handle, ctypes.byref(code))) and code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)  # signal 0: checks, sends nothing
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def owner_gone(rest: str, path: Path) -> bool:
    """Whether the owner of a leftover named `<prefix><rest>` is gone: `rest` starts `<host>-<pid>-` for names that
    carry their owner; a name without one (older greencli) or of another host is gone once it is a day old."""
    match = _OWNER.match(rest)
    if match is not None and match["host"] == host_name():
        pid = int(match["pid"])
        return pid != os.getpid() and not process_alive(pid)
    try:
        age = time.time() - path.lstat().st_mtime
    except OSError:
        return False
    return age > UNKNOWN_OWNER_AGE


def remove_quietly(path: Path) -> bool:
    """Remove a file or a whole folder; False when it could not be (or was already gone)."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except OSError:
        return False
    return True


@dataclass
class _State:
    """What the running command holds until it ends: its own temporary folder, the environment it changed, the
    signal that stopped it and the outputs being written, each to be cleaned up once."""

    folder: Path | None = None  # the run's own temporary folder
    saved_env: dict[str, str | None] = field(default_factory=dict)
    saved_tempdir: str | None = None
    signum: int | None = None  # the first signal received
    interrupt: BaseException | None = None  # the interruption the command reported (with its note)
    live: dict[Path, Path] = field(default_factory=dict)  # temporary outputs being written now → their final path
    ending: threading.Lock = field(default_factory=threading.Lock)
    said: bool = False


STATE = _State()


def track(path: Path, final: Path) -> None:
    """A temporary output being written for `final`: removed at the end whatever happens, unless `untrack`ed."""
    STATE.live[path] = final


def untrack(path: Path) -> None:
    STATE.live.pop(path, None)


def final_path(path: Path) -> Path:
    """What a temporary output is for (itself when it is none): a message names the file the user asked for."""
    return STATE.live.get(path, path)


def run_folder() -> Path | None:
    """The run's own temporary folder (None outside the command line, e.g. in the Python API)."""
    return STATE.folder


def _run_owner_gone(entry: Path) -> bool:
    match = _RUN_OWNER.match(entry.name[len(RUN_FOLDER_PREFIX) :])
    if match is None:
        return False
    pid = int(match["pid"])
    return pid != os.getpid() and not process_alive(pid)


def clear_stale_run_folders(base: Path) -> int:
    """Remove the per-run folders (`greencli-run-<pid>-…`) of runs whose process is gone."""
    removed = 0
    try:
        entries = list(base.iterdir())
    except OSError:
        return 0
    for entry in entries:
        if entry.name.startswith(RUN_FOLDER_PREFIX) and _run_owner_gone(entry):
            removed += remove_quietly(entry)
    return removed


def _base(system: Path) -> Path:
    """Where the run's folder goes: the system's temporary folder, unless its path is too long for the forkserver's
    socket inside it (a deep TMPDIR), then the first short one that can be written to."""
    if sys.platform == "win32" or len(os.fsencode(str(system))) <= SOCKET_ROOM:
        return system
    for short in SHORT_BASES:
        if os.path.isdir(short) and os.access(short, os.W_OK | os.X_OK):
            return Path(short)
    return system


def begin(signals: bool = True) -> None:
    """At the start of a command-line run: clear dead runs' folders, make this run's own and point every temporary
    file of this process and of its workers into it, and (`signals`) turn SIGINT and SIGTERM into `Interrupted`."""
    if signals:
        install_signal_handlers()
    if STATE.folder is not None:
        return
    system = Path(tempfile.gettempdir())
    base = _base(system)
    for folder in dict.fromkeys((system, base)):
        clear_stale_run_folders(folder)
    try:
        folder = Path(tempfile.mkdtemp(prefix=f"{RUN_FOLDER_PREFIX}{os.getpid()}-", dir=base))
    except OSError:
        return  # a read-only or full temporary folder: the run goes on with the system's, as before
    STATE.folder = folder
    STATE.saved_tempdir = tempfile.tempdir
    STATE.saved_env = {name: os.environ.get(name) for name in TEMP_ENV}
    tempfile.tempdir = str(folder)
    for name in TEMP_ENV:  # inherited by every worker and helper process started from now on
        os.environ[name] = str(folder)
    # registered before anything imports multiprocessing: atexit runs last-registered first, so multiprocessing
    # removes its own folder (inside this one) before this one goes
    atexit.register(end)


def end() -> None:
    """Remove the run's folder and what is left of its temporary outputs; the environment as it was."""
    for path in list(STATE.live):
        remove_quietly(path)
    STATE.live.clear()
    folder, STATE.folder = STATE.folder, None
    if folder is None:
        return
    tempfile.tempdir = STATE.saved_tempdir
    for name, value in STATE.saved_env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    remove_quietly(folder)


@contextlib.contextmanager
def own_run(signals: bool = True) -> Iterator[None]:
    """`begin` … `end` as a block (tests; callers other than main())."""
    begin(signals)
    try:
        yield
    finally:
        end()


# ── signals ──

HANDLED_SIGNALS = tuple(s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None)) if s)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    if STATE.signum is not None:
        return  # already ending: a second Ctrl-C must not break the cleanup under way
    STATE.signum = signum
    _ignore_signals()
    with contextlib.suppress(RuntimeError):  # no new thread while the interpreter shuts down
        threading.Thread(target=_watchdog, name="greencli-interrupt-watchdog", daemon=True).start()
    raise Interrupted(signum)


def install_signal_handlers() -> None:
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in HANDLED_SIGNALS:
        with contextlib.suppress(OSError, ValueError):
            if signal.getsignal(signum) is not signal.SIG_IGN:  # ignored from the start (`cmd &` in a script): stays so
                signal.signal(signum, _on_signal)


def _ignore_signals() -> None:
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in HANDLED_SIGNALS:
        with contextlib.suppress(OSError, ValueError):
            signal.signal(signum, signal.SIG_IGN)


def finishing() -> None:
    """The command's work is done and said: a signal from now on changes nothing, so it is ignored (the
    interpreter would otherwise restore the default action for its last moments and die of it, without a word)."""
    _ignore_signals()


def remember(exc: BaseException) -> None:
    """The command was interrupted: keep the exception (and the note its job attached) for main() to report, since
    the command-line library turns an interruption into a bare exit status on its way out."""
    if STATE.interrupt is None:
        STATE.interrupt = exc


def interruption() -> BaseException | None:
    """The interruption to report at the end of main(), if the run was interrupted."""
    if STATE.interrupt is not None:
        return STATE.interrupt
    if STATE.signum is not None:
        return Interrupted(STATE.signum)
    return None


def interruption_behind(exc: BaseException) -> BaseException | None:
    """The Ctrl-C or SIGTERM behind a failure, if one is: the KeyboardInterrupt in its chain of causes (Python wraps
    one raised while a class is being made — a signal arriving during an import — in RuntimeError, and a library
    may turn it into its own error), else a signal this run has received. An earlier command's interruption in the
    same process (tests run many) is not one."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return Interrupted(STATE.signum) if STATE.signum is not None else None


def exit_code(exc: BaseException) -> int:
    if isinstance(exc, Interrupted):
        return exc.exit_code
    return 128 + (STATE.signum or signal.SIGINT)


def _kill_children() -> None:
    """Workers still running (a pool torn down mid-way already killed its own): ended now, not left to notice."""
    if "multiprocessing" not in sys.modules:
        return
    import multiprocessing  # noqa: PLC0415

    for child in multiprocessing.active_children():
        with contextlib.suppress(Exception):
            child.kill()


def _flush_streams() -> None:
    """Both standard streams written out before the process ends by os._exit (which flushes nothing)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()


def _final(code: int, line: str | None) -> NoReturn:
    """Say the line once, remove what this run left, and end the process now.

    os._exit and not sys.exit: a library thread that is stuck (a pool's manager joining a worker, a queue's feeder
    on a full pipe) would keep sys.exit waiting in the interpreter's shutdown for ever; everything worth keeping is
    already written (the ledger commits or rolls back on its own, files are renamed into place or not at all).
    """
    if line is not None and not STATE.said:
        STATE.said = True
        with contextlib.suppress(Exception):
            print(line, file=sys.stderr)
    with contextlib.suppress(Exception):
        _kill_children()
    with contextlib.suppress(Exception):
        end()
    _flush_streams()
    os._exit(code)


def leave(code: object) -> NoReturn:
    """End a finished run with `code` as sys.exit would (None is 0, an int itself, anything else is said on stderr
    and 1), without the interpreter's teardown: freeing every module and object one by one takes 20–40 ms after a
    command whose work took less (an unchanged nightly rollup), and nothing in it is the run's. The atexit functions
    still run (the run's folder, logging's and multiprocessing's own) and both streams are flushed; while a thread
    that is not a daemon is alive, the interpreter's own exit (which waits for it) is taken instead."""
    main = threading.main_thread()
    if any(t is not main and not t.daemon and t.is_alive() for t in threading.enumerate()):
        raise SystemExit(code)
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        with contextlib.suppress(Exception):
            print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    _flush_streams()
    os._exit(status)


def stop(exc: BaseException, debug: bool = False) -> NoReturn:
    """End an interrupted run: the traceback only with --debug, one line `已中断：<note>`, exit 130 or 143."""
    _ignore_signals()
    STATE.signum = STATE.signum or (exc.signum if isinstance(exc, Interrupted) else signal.SIGINT)
    code = exit_code(exc)
    STATE.ending.acquire(timeout=GRACE_SECONDS)
    if debug:
        with contextlib.suppress(Exception):
            traceback.print_exception(exc, file=sys.stderr)
    _final(code, f"已中断：{interrupt_note(exc)}")


def _watchdog() -> None:
    """The run has not ended GRACE_SECONDS after the signal: end it (see `_final`)."""
    time.sleep(GRACE_SECONDS)
    STATE.ending.acquire(timeout=0.3)
    _final(128 + (STATE.signum or signal.SIGINT), f"已中断：{interrupt_note(STATE.interrupt or KeyboardInterrupt())}")
