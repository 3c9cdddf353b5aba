"""Standard output and error that never crash a run: not on a closed pipe, not on the console's encoding.

`greencli score … | head -3` closes the pipe early; the batch must still complete and be recorded, so a write to a
closed pipe silences that stream instead of raising, and the command ends with `EXIT_PIPE` (141, what a shell
reports for a process stopped by SIGPIPE) once its work is done. A Chinese Windows console or a zh_CN.GBK
terminal cannot show every character (✗, █, …): each is replaced by one the encoding has (×, #, …) rather than
aborting the run half-way. Files, the ledger and JSON written to files are untouched by any of this.
"""

from __future__ import annotations

import codecs
import errno
import io
import os
import sys
from typing import TextIO

EXIT_PIPE = 141
ERRORS = "greencli-fallback"

# What a narrower encoding shows instead (each tried in order; '?' when none can be encoded).
FALLBACK: dict[str, tuple[str, ...]] = {
    "✗": ("×", "x"), "✘": ("×", "x"), "✓": ("√", "v"), "✔": ("√", "v"),
    "█": ("■", "#"), "▓": ("■", "#"), "░": ("□", "."), "│": ("|",), "┃": ("|",),
    "…": ("...",), "—": ("-",), "–": ("-",), "“": ('"',), "”": ('"',), "‘": ("'",), "’": ("'",),
    "～": ("~",), "≥": (">=",), "≤": ("<=",), "\u3000": (" ",), "·": (".",), "￥": ("¥", "Y"),
}  # fmt: skip
# Pipe closed: EPIPE on POSIX; Windows reports EINVAL for a write to a pipe whose reader has gone.
_CLOSED = (errno.EPIPE, errno.EINVAL)


def _encodable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def _fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    out = []
    for ch in error.object[error.start : error.end]:
        choices = FALLBACK.get(ch, ())
        out.append(next((c for c in choices if _encodable(c, error.encoding)), "?"))
    return "".join(out), error.end


codecs.register_error(ERRORS, _fallback)


class GuardedStream(io.TextIOBase):
    """A text stream that writes what its encoding can show and goes quiet when its reader has gone."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.broken = False

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return ERRORS

    def isatty(self) -> bool:
        return not self.broken and self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    def writable(self) -> bool:
        return True

    # No `buffer`: click, finding an ASCII stream "misconfigured", would write UTF-8 bytes past the guard to it.

    def _silence(self) -> None:
        """The reader has gone: point the descriptor at the null device so that nothing flushed later fails."""
        self.broken = True
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, self.stream.fileno())
            os.close(null)
        except (OSError, ValueError, io.UnsupportedOperation):
            pass

    def write(self, text: str) -> int:
        if self.broken:
            return len(text)
        try:
            try:
                self.stream.write(text)
            except UnicodeEncodeError:
                encoding = self.encoding
                self.stream.write(text.encode(encoding, ERRORS).decode(encoding))
        except OSError as exc:
            if exc.errno not in _CLOSED and not isinstance(exc, BrokenPipeError):
                raise
            self._silence()
        return len(text)

    def flush(self) -> None:
        if self.broken:
            return
        try:
            self.stream.flush()
        except OSError as exc:
            if exc.errno not in _CLOSED and not isinstance(exc, BrokenPipeError):
                raise
            self._silence()


def install() -> tuple[GuardedStream, GuardedStream]:
    """Guard sys.stdout and sys.stderr (idempotent); returns the two guards."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        # pythonw (a scheduled task without a console) gives no streams at all: write into the void, quietly
        setattr(sys, name, stream if isinstance(stream, GuardedStream) else GuardedStream(stream or io.StringIO()))
    assert isinstance(sys.stdout, GuardedStream) and isinstance(sys.stderr, GuardedStream)
    return sys.stdout, sys.stderr


def stdout_closed() -> bool:
    """Whether standard output's reader went away during the run (after a final flush)."""
    out = sys.stdout
    if isinstance(out, GuardedStream):
        out.flush()
        return out.broken
    return False
