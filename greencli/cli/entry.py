"""The console script's first code: Ctrl-C and SIGTERM are answered before the command line's libraries load.

Loading typer, click and rich takes a noticeable moment; a signal in it would otherwise print Python's own
KeyboardInterrupt traceback (SIGINT) or end the process without a word (SIGTERM). Nothing has been read or
written yet, so there is nothing to undo: one line, and 130 or 143. The run's own handlers replace these as soon as
it starts (greencli.adapters.runtime).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import sys
from types import FrameType


def _before_start(signum: int, _frame: FrameType | None) -> None:
    try:
        sys.stderr.write("已中断：尚未开始，未做任何改动\n")
        sys.stderr.flush()
    except (OSError, ValueError, UnicodeError, AttributeError):
        pass
    runtime = sys.modules.get("greencli.adapters.runtime")
    if runtime is not None:  # the run's folder was made for readers started early (_readers_for): it goes
        with contextlib.suppress(Exception):
            runtime.end()
    os._exit(128 + signum)


# score's options that take no value (every other option takes one): told apart from its files below
_SCORE_FLAGS = frozenset({"--json", "--dry-run"})


def _readers_for(argv: list[str]) -> None:
    """`score` of a folder or many files reads them in worker processes: their server starts loading the reading
    stack now, while this process loads the command line's libraries (about 0.1 s), not after. A guess from the
    arguments alone; the command itself starts the server all the same when it was not started here."""
    argv = [argv[0], *itertools.dropwhile(lambda arg: arg == "--debug", argv[1:])]  # the one option before it
    if len(argv) < 3 or argv[1] != "score":
        return
    files: list[str] = []
    jobs = 0
    args = iter(argv[2:])
    for arg in args:
        if arg in ("--help", "-h"):
            return
        name, equals, value = arg.partition("=")
        if name in ("--jobs", "-j"):
            text = value if equals else next(args, "")
            if not text.isdigit():
                return  # the command says what is wrong with it
            jobs = int(text)
        elif arg.startswith("-") and arg != "-":
            if not equals and arg not in _SCORE_FLAGS:
                next(args, None)  # the option's value
        else:
            files.append(arg)
    from greencli import api
    from greencli.adapters import runtime

    runtime.begin(signals=False)  # the run's own folder first (main() makes it anyway): the workers' files go in it
    api.start_readers_early(files, jobs)


def main() -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _before_start)
    with contextlib.suppress(Exception):  # only a head start: the command starts its readers itself, or says why not
        _readers_for(sys.argv)
    from greencli.cli.app import main as run

    try:
        run()
    except SystemExit as exc:  # the run is over: end the process without tearing the interpreter down
        from greencli.adapters.runtime import leave

        leave(exc.code)
