"""How a cell's raw value is read as a person meant it. Decided here, once, for every caller.

A raw value is what a spreadsheet reader hands over: text, a number (whole numbers often arrive as floats),
an Excel boolean, a date, or nothing.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Final

from greencli.core.clean import terminal_line

Raw = str | int | float | bool | Decimal | date | datetime | time | timedelta | None

# The one list of accepted spellings of a yes/no answer (standard.md, "check"): the reader, the form's drop-downs
# and its live formulas are all made from it, so whatever the program accepts the form lets a person type and counts.
# Compared after NFKC folding and case folding, so full-width Ｙ and ＴＲＵＥ count too; an Excel boolean or the
# number 1/0 is read as the word. The first of each is what the form offers first.
YES_SPELLINGS: Final = ("是", "Y", "√", "1", "TRUE", "YES", "✓", "✔")
NO_SPELLINGS: Final = ("否", "N", "×", "0", "FALSE", "NO", "✗", "✘", "X")
# 有/无 answer only a row phrased "有…" (16.1 有健身设施); on a row phrased "无…" they would invert its meaning.
HAVE_SPELLINGS: Final = ("有",)
HAVE_NOT_SPELLINGS: Final = ("无", "没有")
HAVE_PREFIX: Final = "有"
YES_WORDS: Final = frozenset(w.casefold() for w in YES_SPELLINGS)
NO_WORDS: Final = frozenset(w.casefold() for w in NO_SPELLINGS)
HAVE_WORDS: Final = frozenset(HAVE_SPELLINGS)
HAVE_NOT_WORDS: Final = frozenset(HAVE_NOT_SPELLINGS)


def spellings(answer: bool, have: bool = False) -> tuple[str, ...]:
    """Every spelling that reads as `answer` (是 or 否) on a row, half-width, canonical first; with `have`, on a row
    phrased 有… (where 有/无 answer too)."""
    words = YES_SPELLINGS if answer else NO_SPELLINGS
    extra = (HAVE_SPELLINGS if answer else HAVE_NOT_SPELLINGS) if have else ()
    return (words[0], *extra, *words[1:])


def _full_width(word: str) -> str:
    """The full-width form of an ASCII word (what a Chinese input method types in 全角 mode): Ｙ, ＴＲＵＥ, １."""
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in word)


def typed_spellings(have: bool = False) -> tuple[str, ...]:
    """What a person may type into a yes/no cell, as a drop-down lists it: 是, 否 (有, 无) first, then each other
    spelling with its 是/否 partner, then the full-width forms of the ASCII ones (an Excel list is not width-blind;
    it is case-blind, so one case suffices)."""
    words = [YES_SPELLINGS[0], NO_SPELLINGS[0], *((*HAVE_SPELLINGS, *HAVE_NOT_SPELLINGS) if have else ())]
    words += [w for pair in zip(YES_SPELLINGS[1:], NO_SPELLINGS[1:], strict=False) for w in pair]
    words += [w for w in (*YES_SPELLINGS, *NO_SPELLINGS) if w not in words]
    wide = [_full_width(w) for w in words if w.isascii() and _full_width(w) != w]
    return tuple(dict.fromkeys([*words, *wide]))


# A number is what Excel itself takes for one when it is typed: an optional sign, digits with at most one decimal
# point, grouping commas (30,000), and exponent notation (Excel turns a typed 1e3 into 1000; 1e-300 is a number too,
# neither whole nor a multiple of 0.5), within Excel's range: 0, or 10^-308 ≤ |x| < 10^308. Outside that range
# Excel keeps what was typed as text, and so does greencli: 1e999999 is not a number. The range also bounds exact
# arithmetic: no accepted number can overflow Decimal's exponent limits or make a huge integer in a Fraction.
MIN_EXPONENT: Final = -308
MAX_EXPONENT: Final = 307
_NUMERAL = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
_GROUPED = re.compile(r"^[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?$")
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
    """A number (see `_NUMERAL`) exactly as entered; None when the value is not one."""
    number = _parse_number(raw, suffixes)
    if number is None:
        return None
    if number.is_zero():
        return Decimal(0)  # 0e999999999 and -0 are 0, without an exponent to carry into arithmetic
    # adjusted() needs no decimal context, so it cannot overflow
    return number if MIN_EXPONENT <= number.adjusted() <= MAX_EXPONENT else None


# Counts (处数) as people write them in words: 一处, 两处, 三个 … 十处, and 零/〇 for none. Exact: a word is a whole
# number, nothing else is guessed (十一 and beyond are written in digits, as the form's hint says).
CHINESE_COUNTS: Final[dict[str, int]] = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
}  # fmt: skip


def parse_count(raw: Raw, suffixes: tuple[str, ...] = ()) -> Decimal | None:
    """A count: a number (see `parse_number`: 3, 3处), or one of `CHINESE_COUNTS` with an optional suffix (两处);
    None when the value is neither. The reader's one rule for every count it reads."""
    number = parse_number(raw, suffixes)
    if number is not None or not isinstance(raw, str):
        return number
    text = _without_suffix(raw, suffixes)
    return Decimal(CHINESE_COUNTS[text]) if text in CHINESE_COUNTS else None


def _without_suffix(text: str, suffixes: tuple[str, ...]) -> str:
    """Typed text as a number is read: folded (NFKC), spaces gone, and one of `suffixes` (a unit) taken off."""
    folded = _fold(text).replace(" ", "")
    for suffix in suffixes:
        if folded.endswith(suffix) and len(folded) > len(suffix):
            return folded[: -len(suffix)]
    return folded


def parse_amount(raw: Raw, units: tuple[str, ...]) -> Decimal | None:
    """A quantity with an optional trailing unit of `units`, which may be counted in 万 (ten thousands): 12000人,
    1.2万人, 3.5万平方米, 30,000. None when the value is not such a number."""
    number = parse_number(raw, units)
    if number is not None:
        return number
    tens_of_thousands = parse_number(raw, (*(f"万{unit}" for unit in units), "万"))
    return None if tens_of_thousands is None else tens_of_thousands * 10_000


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
    text = _without_suffix(raw, suffixes)
    if _GROUPED.match(text):
        text = text.replace(",", "")
    if not _NUMERAL.match(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # an exponent beyond what Decimal can hold
        return None


# Dates as standard.md accepts them as text: 2022-10-15, 2022/10/15, 2022.10.15, 2022年10月15日, read after NFKC
# folding (full-width ２０２２－１０－１５, ２０２２／１０／１５ and ２０２２．１０．１５ are the same dates) and without spaces.
_DATE = re.compile(r"^([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?$")


def parse_date(raw: Raw) -> date | None:
    """A date from an Excel date or date-time, or from text in one of the accepted forms; None otherwise (a time of
    day is no date: an Excel 0 in a date cell reads as midnight)."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if not isinstance(raw, str):
        return None
    match = _DATE.match(re.sub(r"\s+", "", _fold(raw)))
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def show_entered(raw: Raw) -> str:
    """A raw value quoted back as the person typed it, as `show` does, except that a time of day is given back as
    typed, never as a formatted time: a date cell holding the Excel number 0 reads as midnight and is quoted as 0,
    another time as 9:30 (or 9:30:15)."""
    if isinstance(raw, time):
        return _clock(raw.hour, raw.minute, raw.second)
    if isinstance(raw, timedelta):  # a duration format ([h]:mm): hours may pass 24
        seconds = int(raw.total_seconds())
        sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
        return sign + _clock(seconds // 3600, seconds // 60 % 60, seconds % 60)
    return show(raw)


def _clock(hours: int, minutes: int, seconds: int) -> str:
    if not (hours or minutes or seconds):
        return "0"
    return f"{hours}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")


def is_whole(number: Decimal) -> bool:
    """Exactly, whatever the number's size (no decimal context is involved)."""
    return number.is_finite() and number.as_integer_ratio()[1] == 1


def is_multiple(number: Decimal, step: Decimal) -> bool:
    """Exactly, whatever the number's size (no decimal context: 0.5000…01 with 40 digits is not a multiple)."""
    if not number.is_finite():
        return False
    top, bottom = number.as_integer_ratio()
    step_top, step_bottom = step.as_integer_ratio()  # number / step is whole when top·sb is a multiple of bottom·st
    return (top * step_bottom) % (bottom * step_top) == 0


def round_half_up(value: Fraction, places: int) -> Fraction:
    """Round a non-negative exact value to `places` decimals, half up (0.005 → 0.01)."""
    scale = 10**places
    return Fraction(math.floor(value * scale + Fraction(1, 2)), scale)


def as_float(value: Decimal | Fraction | int | None) -> float | None:
    """A number for JSON and spreadsheets (None stays None); exact arithmetic stops here."""
    return None if value is None else float(value)


def fmt(number: Decimal | Fraction | int | None) -> str:
    """A number as a person writes it: 8, 7.5, 33.33 (no trailing zeros), and as Excel shows one too large or too
    small for that (from 10^15, below 10^-9): 1E+16, 1E-300, never hundreds of digits."""
    if number is None:
        return ""
    if isinstance(number, Fraction):
        number = Decimal(number.numerator) / Decimal(number.denominator)
    value = Decimal(number)
    if not value.is_zero() and not -10 < value.adjusted() < 15:
        return str(value.normalize())
    if is_whole(value):
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def show(raw: Raw) -> str:
    """A raw value quoted back to the person who typed it, in a message: on one line, without control or direction
    characters, cut at `_SHOW_LIMIT` characters. Never for a value that is kept (see `core.clean`)."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float | int | Decimal):
        number = parse_number(raw)
        return fmt(number) if number is not None else str(raw)
    if isinstance(raw, datetime | date | time):
        return raw.isoformat()
    return terminal_line(str(raw), _SHOW_LIMIT)


def percent_text(value: Decimal | Fraction | float | None) -> str:
    """A rate as people read it, to one decimal, halves rounded up as spreadsheets show them: 9/16 → 56.3%."""
    if value is None:
        return "—"
    exact = (
        Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, Fraction) else Decimal(str(value))
    )
    return f"{(exact * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


_SHARED: dict[str, Decimal] = {}
SHARED_LIMIT = 100_000  # distinct values kept; a score has a few hundred (0, 0.5, … 100), so this is never reached


def shared(value: Decimal) -> Decimal:
    """One object per value across thousands of outcomes (scores repeat: 0, 0.5, 1, … 100): memory that does not
    grow with the batch. Keyed by the written form, so 1.0 and 1.00 (equal, but printed differently) stay apart."""
    key = str(value)
    found = _SHARED.get(key)
    if found is not None:
        return found
    if len(_SHARED) < SHARED_LIMIT:
        _SHARED[key] = value
    return value


_DATES: dict[date, date] = {}


def shared_date(day: date) -> date:
    """One object per date across thousands of outcomes (a batch's 评审日期 are a few dozen days)."""
    return _DATES.setdefault(day, day) if len(_DATES) < SHARED_LIMIT else day


# Each standard's numbers, with where each is among them: one table shared by every outcome of that standard.
_KEYS: dict[tuple[int, ...], dict[int, int]] = {}
_KEPT: set[int] = set()  # the ids of those tables: kept as long as the process, so an id names one table for good


def _positions(keys: tuple[int, ...]) -> dict[int, int]:
    found = _KEYS.get(keys)
    if found is None:
        found = {k: i for i, k in enumerate(keys)}
        if len(_KEYS) < SHARED_LIMIT:
            _KEYS[keys] = found
            _KEPT.add(id(found))
    return found


_PICKS: dict[tuple[int, tuple[int, ...]], tuple[int | None, ...]] = {}


def _picks(table: int, at: dict[int, int], keys: tuple[int, ...]) -> tuple[int | None, ...]:
    """Where each of `keys` is in a position table (`table`, its id), remembered for the shared tables only (an
    unshared table's id may name another table once it is gone)."""
    found = _PICKS.get((table, keys))
    if found is None:
        found = tuple(at.get(k) for k in keys)
        if table in _KEPT and len(_PICKS) < SHARED_LIMIT:
            _PICKS[(table, keys)] = found
    return found


def points_of(scores: Mapping[int, Decimal] | None, keys: tuple[int, ...]) -> list[Decimal | None]:
    """The points of each of `keys` in turn, None where there are none (all None without `scores`):
    `Scores.values_of`, or a mapping's."""
    if scores is None:
        return [None] * len(keys)
    if isinstance(scores, Scores):
        return scores.values_of(keys)
    return [scores.get(k) for k in keys]


class Scores(Mapping[int, Decimal]):
    """Points by item or category number, held as a table of where each number is (one, in the numbers' order,
    shared by every outcome of a standard) and a tuple of the points (each value `shared`). A third of a dict's
    memory, for thousands of outcomes, and a dict's lookup (the district workbook asks for every item of every
    outcome, twice)."""

    __slots__ = ("_at", "_values")

    def __init__(self, points: Mapping[int, Decimal]) -> None:
        self._at = _positions(tuple(points))
        self._values: tuple[Decimal, ...] = tuple(shared(points[k]) for k in self._at)

    def __getitem__(self, key: int) -> Decimal:
        at = self._at.get(key)
        if at is None:
            raise KeyError(key)
        return self._values[at]

    def get(self, key: int, default: Any = None) -> Any:
        at = self._at.get(key)
        return default if at is None else self._values[at]

    def __contains__(self, key: object) -> bool:
        return key in self._at

    def values_of(self, keys: tuple[int, ...]) -> list[Decimal | None]:
        """The points of each of `keys` in turn, None where there are none (a table's row of an outcome)."""
        where = _picks(id(self._at), self._at, keys)
        values = self._values
        return [None if at is None else values[at] for at in where]

    def __iter__(self) -> Iterator[int]:
        return iter(self._at)

    def __len__(self) -> int:
        return len(self._at)

    def __repr__(self) -> str:
        return f"Scores({dict(self)!r})"

    def __reduce__(self) -> tuple[object, ...]:
        return (Scores, (dict(self),))
