"""Reading workers that never outlive the run that started them, and never hold its lock.

A process pool started with `fork` copies every open descriptor of the parent into each worker, the run lock's
among them, and its workers wait on a queue whose other end they hold themselves: when the parent is killed
(kill -9, the OOM killer, a systemd stop timeout), the workers block for ever and keep the lock, so every later
nightly run exits 3. Workers here are started without inheriting descriptors (`forkserver` where the platform has
it, else `spawn`, the only method on Windows), and each watches its parent's sentinel, which becomes ready when the
parent dies, and exits at once.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import sys
import threading
from collections.abc import Callable
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
    _watch_parent()
    initializer(*initargs)


def process_pool(workers: int, initializer: Callable[..., None], initargs: tuple[Any, ...]) -> ProcessPoolExecutor:
    """A pool of `workers` processes, each run through `initializer(*initargs)` first (see the module's docstring)."""
    # The resource tracker that multiprocessing starts outlives a killed run by a moment and would print an English
    # warning about the run's semaphores; it inherits this process's warning options.
    if QUIET_TRACKER not in sys.warnoptions:
        sys.warnoptions.append(QUIET_TRACKER)
    context = multiprocessing.get_context(start_method())
    if context.get_start_method() == "forkserver":
        # the server imports the reader once; each worker forks from it ready to work
        context.set_forkserver_preload(["greencli.jobs.score"])
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_start, initargs=(initializer, initargs))
