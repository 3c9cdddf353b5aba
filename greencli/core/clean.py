"""The one rule for text that comes in from outside: roster cells, workbook cells and file names.

Whatever an office types, pastes from Word or names a file, these characters never reach an output (ledger, JSON,
workbook, Word document, CSV), a terminal, a log line or a generated path:

- C0 controls U+0000–U+001F and DEL U+007F, C1 controls U+0080–U+009F (ESC starts terminal escape sequences; most of
  them cannot be written to XML at all, so openpyxl and python-docx refuse them);
- the line and paragraph separators U+2028 and U+2029 (they end a line for many readers, a log's too);
- noncharacters: U+FDD0–U+FDEF and the last two code points of every plane (U+FFFE, U+FFFF, U+1FFFE … U+10FFFF);
- surrogate code points U+D800–U+DFFF (a Python string can hold them only unpaired, and UTF-8 cannot);
- bidirectional controls: U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069 (they reorder what is shown after
  them, so a name or a path can read as something else);
- invisible format characters that make two equal-looking codes differ: U+200B, U+2060–U+2065, U+206A–U+206F,
  U+FEFF, U+FFF9–U+FFFB.

What happens to them (`clean`):

- Kept: every other character, including CJK of every plane, emoji with their joiners (U+200D) and variation
  selectors, U+200C, private-use characters, ideographic and no-break spaces.
- Line breaks and tabs: in a single-line field (codes, names, 乡街, 类型, 评审人员, 录入值, every 小区 cell) TAB, LF,
  CR, VT, FF, the separators U+001C–U+001F, NEL U+0085 and U+2028/U+2029 become one space each. In a multi-line free
  text (佐证) CR LF and CR become LF; VT, FF, NEL, U+2028 and U+2029 (a line break pasted from Word) become LF; TAB a
  space; LF is kept.
- Everything else above is removed.
- A value is reported (`Cleaned.changed`, which the callers turn into a `text-cleaned` or `roster-text-cleaned`
  warning) when a character was removed or a control other than TAB, LF and CR was replaced. Folding TAB, LF and CR
  (an Alt+Enter in a cell) to a space or LF is not reported.
- Refused: nothing here. A value left empty by cleaning is then missing as any empty value is (a required field's
  error), and two roster codes made equal are the roster's duplicate-code error.

Nothing is ever cut: shortening is for the terminal only (`values.show`, `terminal_line`).

File names are not cleaned but escaped (`visible`): each such character is written as ``\\n``, ``\\r``, ``\\t``,
``\\xNN`` or ``\\uNNNN`` (``\\UNNNNNNNN`` beyond the BMP), so two files whose names differ only there stay two files,
and the person can still find the file. Log values are escaped the same way and quoted (`log_value`) so one event is
one line and a value cannot pose as another ``key=value``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

_BIDI: Final = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_INVISIBLE: Final = r"\u200b\u2060-\u2065\u206a-\u206f\ufeff\ufff9-\ufffb"
_NONCHARACTERS: Final = r"\ufdd0-\ufdef" + "".join(rf"\U{p:04x}fffe\U{p:04x}ffff" for p in range(17))
_OTHERS: Final = rf"\x7f-\x9f\ud800-\udfff\u2028\u2029{_BIDI}{_INVISIBLE}{_NONCHARACTERS}"
# Every character the rule keeps out of outputs (TAB, LF and CR included: callers decide what they become).
FORBIDDEN: Final = re.compile(rf"[\x00-\x1f{_OTHERS}]")
# The same but for TAB, LF and CR: what may not appear even in a multi-line text.
FORBIDDEN_IN_TEXT: Final = re.compile(rf"[\x00-\x08\x0b\x0c\x0e-\x1f{_OTHERS}]")

_FOLDED: Final = frozenset("\t\n\r")  # replaced without a warning
_LINE_BREAKS: Final = frozenset("\n\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029")  # a space in a line, LF in a text


@dataclass(frozen=True, slots=True)
class Cleaned:
    """A text after the one cleaning rule: the text, whether a warning is due, the characters taken out."""

    text: str
    changed: bool  # something other than TAB/LF/CR folding happened: worth a warning
    removed: tuple[str, ...] = ()  # the characters removed or replaced, once each, in order of appearance

    def codes(self) -> str:
        """The characters for a message: U+000B、U+202E."""
        return "、".join(f"U+{ord(ch):04X}" for ch in self.removed)


def has_forbidden(text: str) -> bool:
    """Whether `text` holds a character the rule keeps out. Every such character is a control, format, surrogate,
    separator or unassigned one, none of which Python counts printable (tests/test_text_boundary.py checks each
    code point), so a printable text holds none, and Python tells that ten times faster than the expression (a
    form's every cell and every file name pass here)."""
    return not text.isprintable() and FORBIDDEN.search(text) is not None


def clean(text: str, multiline: bool = False) -> Cleaned:
    """`text` under the rule above, as a single-line field or (with `multiline`) a free text."""
    if not has_forbidden(text):
        return Cleaned(text, False)
    text = text.replace("\r\n", "\n")
    out: list[str] = []
    removed: list[str] = []
    for ch in text:
        if not FORBIDDEN.match(ch):
            out.append(ch)
            continue
        if ch not in _FOLDED and ch not in removed:
            removed.append(ch)
        if ch == "\r" or ch in _LINE_BREAKS:
            out.append("\n" if multiline else " ")
        elif ch == "\t":
            out.append(" ")
    return Cleaned("".join(out), bool(removed), tuple(removed))


def clean_line(text: str) -> str:
    """A single-line field's text under the rule (nothing reported)."""
    return clean(text).text


def clean_text(text: str) -> str:
    """A multi-line free text under the rule (nothing reported)."""
    return clean(text, multiline=True).text


def scrub(text: str) -> str:
    """For writers handed text that should already be clean (a ledger written by an older version): every forbidden
    character removed, TAB, LF and CR kept as they are."""
    return FORBIDDEN_IN_TEXT.sub("", text)


def _escape(ch: str) -> str:
    special = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if ch in special:
        return special[ch]
    n = ord(ch)
    if n <= 0xFF:
        return f"\\x{n:02x}"
    if n <= 0xFFFF:
        return f"\\u{n:04x}"
    return f"\\U{n:08x}"


def visible(text: str) -> str:
    """`text` with every forbidden character written as an escape (\\n, \\x1b, \\u202e): for file names."""
    return FORBIDDEN.sub(lambda m: _escape(m.group()), text) if has_forbidden(text) else text


_QUOTE_WHEN: Final = re.compile(r'[\s="]')


def log_value(value: object) -> str:
    """One value of a `key=value` log line: escaped as `visible`, and in double quotes (with \\" inside) when it is
    empty or holds white space, = or a quote, so it can neither end the line nor pose as another pair."""
    text = visible(str(value))
    if text and not _QUOTE_WHEN.search(text):
        return text
    return '"' + text.replace('"', '\\"') + '"'


def terminal_line(text: str, limit: int | None = None) -> str:
    """Text for one line of a terminal: cleaned as a single-line field, cut to `limit` characters with … if given."""
    line = clean_line(text)
    if limit is not None and len(line) > limit:
        return line[: limit - 1] + "…"
    return line
