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
import json
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TextIO

from greencli.core.clean import FORBIDDEN_IN_TEXT

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


# ── machine output (--json): no terminal machinery, so a script's run never loads it ──


def _json_escape(ch: str) -> str:
    n = ord(ch)
    if n > 0xFFFF:  # a noncharacter beyond the BMP, as JSON writes it: a surrogate pair
        n -= 0x10000
        return f"\\u{0xD800 + (n >> 10):04x}\\u{0xDC00 + (n & 0x3FF):04x}"
    return f"\\u{n:04x}"


def _dumps(value: object, indent: str = "", ascii_only: bool = False, one_line: bool = False) -> str:
    if one_line:  # json's C encoder: it only runs without indentation, at a tenth of the pure-Python one's cost
        text = json.dumps(value, ensure_ascii=ascii_only, separators=(", ", ": "))
    else:
        text = json.dumps(value, ensure_ascii=ascii_only, indent=2).replace("\n", "\n" + indent)
    # json leaves DEL, C1, direction controls, noncharacters and lone surrogates raw; they can only be inside strings
    return FORBIDDEN_IN_TEXT.sub(lambda m: _json_escape(m.group()), text)


def _lazy(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, list | tuple | str | bytes)


def print_json(document: Mapping[str, object]) -> None:
    """Machine output: one JSON document on stdout, Chinese kept readable on a UTF-8 stream. On any other stream
    (a GBK console, an ASCII pipe) every non-ASCII character is written as a \\uXXXX escape, so the document stays
    valid UTF-8 and loses nothing, whatever the console's encoding.

    A lazy sequence in the document (score's results) is written item by item, one line each, so thousands of
    results are never held as one string or one list.
    """
    out = sys.stdout
    encoding = (getattr(out, "encoding", None) or "utf-8").lower().replace("-", "").replace("_", "")
    ascii_only = not encoding.startswith("utf8")

    def dumps(value: object, indent: str = "", one_line: bool = False) -> str:
        return _dumps(value, indent, ascii_only, one_line)

    if not any(_lazy(v) for v in document.values()):
        out.write(dumps(document) + "\n")
        return
    out.write("{")
    for n, (key, value) in enumerate(document.items()):
        out.write(("," if n else "") + f"\n  {dumps(key)}: ")
        if isinstance(value, Sequence) and _lazy(value):
            out.write("[")
            for i, item in enumerate(value):
                out.write(("," if i else "") + "\n    " + dumps(item, one_line=True))
            out.write("\n  ]")
        else:
            out.write(dumps(value, "  "))
    out.write("\n}\n")
