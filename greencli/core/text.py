"""Plain-text layout by display width: a Chinese character takes two terminal cells, an ASCII letter one."""

from __future__ import annotations

import re
import unicodedata

# A line may not begin with these (they close a phrase), nor end with the opening ones (标点禁则).
NO_LINE_START = frozenset("，。、；：？！）》」』〕】〉］｝”’%…,.;:?!)]}")
NO_LINE_END = frozenset("（《「『〔【〈［｛“‘([{")  # 〔〕 as in a document number: 秦开管办发〔2021〕18号
# Runs of these stay whole: an option, a path, a number, an English word.
_TOKEN = re.compile(r"\s+|[A-Za-z0-9_\-./\\:*?'\"=<>@$%#+~\[\]{}|]+|.", re.DOTALL)


def char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


def _split_long(token: str, first: int, width: int) -> list[str]:
    """`token` cut into pieces: the first at most `first` cells wide, the others at most `width`."""
    parts: list[str] = []
    current, used, room = "", 0, max(1, first)
    for ch in token:
        w = char_width(ch)
        if current and used + w > room:
            parts.append(current)
            current, used, room = "", 0, width
        current += ch
        used += w
    return [*parts, current] if current else parts


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` cells; Chinese breaks between characters, ASCII runs between words."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line: list[str] = []
        used = 0
        for found in _TOKEN.findall(paragraph):
            token = found
            if token.isspace():
                if line:
                    line.append(" ")
                    used += 1
                continue
            w = display_width(token)
            if used + w > width and line:
                while line and line[-1] == " ":
                    line.pop()
                    used -= 1
                carry: list[str] = []
                # keep closing punctuation with the character before it, opening punctuation with the one after
                if token[0] in NO_LINE_START and len(line) > 1:
                    carry.append(line.pop())
                while len(line) > 1 and line[-1][-1] in NO_LINE_END:
                    carry.insert(0, line.pop())
                lines.append("".join(line))
                line, used = carry, display_width("".join(carry))
            if w > width:
                pieces = _split_long(token, width - used, width)
                for piece in pieces[:-1]:
                    line.append(piece)
                    lines.append("".join(line))
                    line, used = [], 0
                token, w = pieces[-1], display_width(pieces[-1])
            line.append(token)
            used += w
        lines.append("".join(line).rstrip())
    return lines
