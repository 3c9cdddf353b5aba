"""File and folder names derived from data (community names, 乡街) that are safe on Windows and Linux."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from greencli.core.clean import clean_line

# Windows forbids these characters and names; Linux forbids "/" and NUL. Control characters confuse both.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED: Final = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", *(f"{d}{i}" for d in ("COM", "LPT") for i in "0123456789¹²³")}
)
# Windows paths traditionally stop at 260 characters; a component of 80 leaves room for the folders above it.
MAX_COMPONENT: Final = 80


def safe_component(text: str, fallback: str = "未命名") -> str:
    """One path component: no separators, no forbidden or control characters, no leading dots, bounded length."""
    cleaned = clean_line(_FORBIDDEN.sub("_", unicodedata.normalize("NFC", text)))  # then no C1, bidi, noncharacter
    cleaned = cleaned.strip().lstrip(".").strip().rstrip(". ")
    if len(cleaned) > MAX_COMPONENT:
        cleaned = cleaned[:MAX_COMPONENT].rstrip(". ")
    if not cleaned or cleaned.strip("_") == "":
        cleaned = fallback
    if cleaned.split(".")[0].rstrip(" ").upper() in _RESERVED:  # Windows ignores spaces before the extension
        cleaned = "_" + cleaned
    return cleaned


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Text that XML 1.0 (and so every xlsx part) can hold: illegal control characters removed."""
    return _XML_ILLEGAL.sub("", text)
