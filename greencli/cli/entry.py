"""The console script's first code: Ctrl-C and SIGTERM are answered before the command line's libraries load.

Loading typer, click and rich takes a noticeable moment; a signal in it would otherwise print Python's own
KeyboardInterrupt traceback (SIGINT) or end the process without a word (SIGTERM). Nothing has been read or
written yet, so there is nothing to undo: one line, and 130 or 143. The run's own handlers replace these as soon as
it starts (greencli.adapters.runtime).
"""

from __future__ import annotations

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
    os._exit(128 + signum)


def main() -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _before_start)
    from greencli.cli.app import main as run

    try:
        run()
    except SystemExit as exc:  # the run is over: end the process without tearing the interpreter down
        from greencli.adapters.runtime import leave

        leave(exc.code)
