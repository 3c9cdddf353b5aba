"""Reading workers that never outlive the run that started them, and never hold its lock.

A process pool started with `fork` copies every open descriptor of the parent into each worker, the run lock's
among them, and its workers wait on a queue whose other end they hold themselves: when the parent is killed
(kill -9, the OOM killer, a systemd stop timeout), the workers block for ever and keep the lock, so every later
nightly run exits 3. Workers here are started without inheriting descriptors (`forkserver` where the platform has
it, else `spawn`, the only method on Windows), and each watches its parent's sentinel, which becomes ready when the
parent dies, and exits at once.

Ctrl-C in a terminal reaches every process of the foreground group, workers included: a worker ignores SIGINT (it
is the parent that stops the run, see greencli.adapters.runtime), so no worker prints a KeyboardInterrupt of its
own. When the block using the pool ends by an exception (an interruption, a failed write), the workers are killed
and the pool is left without waiting for them: nothing joins a busy worker, and the run ends at once.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

# Tests force a start method (e.g. spawn, as on Windows) with this variable.
START_METHOD_ENV = "GREENCLI_START_METHOD"
SAFE_METHODS = ("forkserver", "spawn")
EXIT_ORPHANED = 70
QUIET_TRACKER = "ignore::UserWarning:multiprocessing.resource_tracker"


def start_method() -> str:
    """The start method workers use: $GREENCLI_START_METHOD if it names a safe one, else forkserver or spawn."""
    available = multiprocessing.get_all_start_methods()
    wanted = os.environ.get(START_METHOD_ENV, "")
    if wanted in SAFE_METHODS and wanted in available:
        return wanted
    return "forkserver" if "forkserver" in available else "spawn"


def _watch_parent() -> None:
    """In a worker: exit as soon as the parent process is gone."""
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return
    sentinel = parent.sentinel

    def watch() -> None:
        multiprocessing.connection.wait([sentinel])
        os._exit(EXIT_ORPHANED)  # no cleanup to do: the parent that would receive results is gone

    threading.Thread(target=watch, name="greencli-parent-watch", daemon=True).start()


def _start(initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _watch_parent()
    initializer(*initargs)


def _ready() -> None:
    """A task that does nothing: submitted once per worker so that all of them start at once (see process_pool)."""


@contextlib.contextmanager
def _sigint_held() -> Iterator[None]:
    """SIGINT held back (blocked, not lost) while helper processes start: a process inherits the blocked mask
    across fork and exec, so the forkserver, the resource tracker and the workers forked from the server start
    with Ctrl-C blocked, before any code of theirs could ignore it; here it is delivered once the block ends."""
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = mask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        mask(signal.SIG_SETMASK, previous)


# The manager threads of pools torn down on purpose: whatever they raise while the pool falls apart (futures
# already cancelled, workers gone) is no news to anyone.
_ABANDONED: weakref.WeakSet[threading.Thread] = weakref.WeakSet()
_HOOKED: list[Callable[[threading.ExceptHookArgs], Any]] = []


def _quiet_abandoned(args: threading.ExceptHookArgs) -> None:
    if args.thread is not None and args.thread in _ABANDONED:
        return
    _HOOKED[0](args)


def _abandon(executor: ProcessPoolExecutor) -> None:
    """Stop the pool now: pending work cancelled, busy workers killed, nothing waited for."""
    manager = getattr(executor, "_executor_manager_thread", None)
    if manager is not None:
        if not _HOOKED:
            _HOOKED.append(threading.excepthook)
            threading.excepthook = _quiet_abandoned
        _ABANDONED.add(manager)
    # The executor offers no way to stop a worker in the middle of a task, and shutdown(wait=True) (or the
    # interpreter's exit, which joins the pool's manager thread) waits for every busy worker to finish its chunk:
    # the processes it keeps in `_processes` are killed instead, which is what its own handling of a broken
    # pool does.
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(Exception):
            process.kill()
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(timeout=1.0)
    if manager is not None:
        manager.join(timeout=1.0)


def _prepared(preload: Sequence[str]) -> multiprocessing.context.BaseContext:
    """The context workers start from, its fork server told to load `preload`, and the resource tracker running."""
    # The resource tracker that multiprocessing starts outlives a killed run by a moment and would print an English
    # warning about the run's semaphores; it inherits this process's warning options.
    if QUIET_TRACKER not in sys.warnoptions:
        sys.warnoptions.append(QUIET_TRACKER)
    context = multiprocessing.get_context(start_method())
    if context.get_start_method() == "forkserver":
        # the server imports `preload` (the reader) once; each worker forks from it ready to work
        context.set_forkserver_preload(list(preload))
    if sys.platform != "win32":
        # started first, outside the held block: starting it unblocks SIGINT in this thread when done (bpo-33613)
        from multiprocessing import resource_tracker  # noqa: PLC0415

        resource_tracker.ensure_running()
    return context


def prestart(preload: Sequence[str]) -> None:
    """Start the fork server now, where workers are forked from one: it imports `preload` while this process goes
    on with its own start-up, and a later `process_pool` forks its workers from it at once. Nothing to do where
    workers are spawned (Windows), as each of them imports what it needs itself."""
    context = _prepared(preload)
    if context.get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver  # noqa: PLC0415

    with _sigint_held():  # the server, and every worker forked from it, starts with Ctrl-C held back
        forkserver.ensure_running()


@contextlib.contextmanager
def process_pool(
    workers: int, initializer: Callable[..., None], initargs: tuple[Any, ...], preload: Sequence[str] = ()
) -> Iterator[ProcessPoolExecutor]:
    """A pool of `workers` processes, each run through `initializer(*initargs)` first (see the module's docstring),
    for the length of a `with` block; workers are killed, not waited for, when the block ends by an exception."""
    context = _prepared(preload)
    executor = None
    try:
        with _sigint_held():
            executor = ProcessPoolExecutor(
                workers, mp_context=context, initializer=_start, initargs=(initializer, initargs)
            )
            for _ in range(workers):
                executor.submit(_ready)
        yield executor
    except BaseException:
        if executor is not None:
            _abandon(executor)
        raise
    executor.shutdown(wait=True)
