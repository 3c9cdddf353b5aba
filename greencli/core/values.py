"""How a cell's raw value is read as a person meant it. Decided here, once, for every caller.

A raw value is what a spreadsheet reader hands over: text, a number (whole numbers often arrive as floats),
an Excel boolean, a date, or nothing.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Final

Raw = str | int | float | bool | Decimal | date | datetime | time | timedelta | None

# Accepted spellings (compared after NFKC folding and case folding, so full-width Ｙ and ＴＲＵＥ count too).
YES_WORDS: Final = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "✔"})
NO_WORDS: Final = frozenset({"否", "n", "no", "false", "0", "×", "✗", "✘", "x"})
# 有/无 answer only a row phrased "有…" (16.1 有健身设施); on a row phrased "无…" they would invert its meaning.
HAVE_WORDS: Final = frozenset({"有"})
HAVE_NOT_WORDS: Final = frozenset({"无", "没有"})
HAVE_PREFIX: Final = "有"

# Excel keeps 15 significant digits: a number beyond 10^15, below 10^-15 (other than 0), or longer than
# 30 digits was not typed as a score, count or area, and would only make exact arithmetic slow or overflow.
MAX_EXPONENT: Final = 15
MAX_DIGITS: Final = 30
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_SHOW_LIMIT: Final = 40


def is_blank(raw: Raw) -> bool:
    """Nothing entered: an empty cell or only white space."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def parse_yes_no(raw: Raw, have: bool = False) -> bool | None:
    """是/否 and its accepted spellings (with `have`, 有/无 too); None when the value is not one of them."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float | Decimal):
        if raw == 1:
            return True
        if raw == 0:
            return False
        return None
    if isinstance(raw, str):
        word = _fold(raw).casefold()
        if word in YES_WORDS:
            return True
        if word in NO_WORDS:
            return False
        if have and word in HAVE_WORDS:
            return True
        if have and word in HAVE_NOT_WORDS:
            return False
    return None


def is_have_word(raw: Raw) -> bool:
    """Whether the value is 有 or 无 (accepted only on rows phrased 有…)."""
    return isinstance(raw, str) and _fold(raw).casefold() in HAVE_WORDS | HAVE_NOT_WORDS


def parse_number(raw: Raw, suffixes: tuple[str, ...] = ()) -> Decimal | None:
    """A finite, plausibly sized number exactly as entered; None when the value is not such a number."""
    number = _parse_number(raw, suffixes)
    if number is None or not _plausible(number):
        return None
    return number


def _plausible(number: Decimal) -> bool:
    # adjusted() and as_tuple() need no decimal context, so they cannot overflow.
    if number.is_zero():
        return True
    return -MAX_EXPONENT <= number.adjusted() < MAX_EXPONENT and len(number.as_tuple().digits) <= MAX_DIGITS


def _parse_number(raw: Raw, suffixes: tuple[str, ...]) -> Decimal | None:
    """Floats come from the file format, not from a person: ``7.3`` is read through its shortest repr so
    that it becomes Decimal('7.3'), never 7.29999…. Text may carry grouping commas (``30,000``) and one of
    the given unit suffixes (``3处``, ``98%``).
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw)) if math.isfinite(raw) else None
    if isinstance(raw, Decimal):
        return raw if raw.is_finite() else None
    if not isinstance(raw, str):
        return None
    text = _fold(raw).replace(" ", "")
    for suffix in suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    if _GROUPED.match(text):
        text = text.replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def is_whole(number: Decimal) -> bool:
    return number == number.to_integral_value()


def is_multiple(number: Decimal, step: Decimal) -> bool:
    return (number / step) == (number / step).to_integral_value()


def round_half_up(value: Fraction, places: int) -> Fraction:
    """Round a non-negative exact value to `places` decimals, half up (0.005 → 0.01)."""
    scale = 10**places
    return Fraction(math.floor(value * scale + Fraction(1, 2)), scale)


def as_float(value: Decimal | Fraction | int | None) -> float | None:
    """A number for JSON and spreadsheets (None stays None); exact arithmetic stops here."""
    return None if value is None else float(value)


def fmt(number: Decimal | Fraction | int | None) -> str:
    """A number as a person writes it: 8, 7.5, 33.33 (no exponent, no trailing zeros)."""
    if number is None:
        return ""
    if isinstance(number, Fraction):
        number = Decimal(number.numerator) / Decimal(number.denominator)
    value = Decimal(number)
    if is_whole(value):
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def show(raw: Raw) -> str:
    """A raw value quoted back to the person who typed it."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float | int | Decimal):
        number = parse_number(raw)
        return fmt(number) if number is not None else str(raw)
    if isinstance(raw, datetime | date | time):
        return raw.isoformat()
    text = str(raw).replace("\n", " ").replace("\r", " ")
    return text if len(text) <= _SHOW_LIMIT else text[: _SHOW_LIMIT - 1] + "…"


def percent_text(value: Decimal | Fraction | float | None) -> str:
    """A rate as people read it, to one decimal, halves rounded up as spreadsheets show them: 9/16 → 56.3%."""
    if value is None:
        return "—"
    exact = (
        Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, Fraction) else Decimal(str(value))
    )
    return f"{(exact * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"
