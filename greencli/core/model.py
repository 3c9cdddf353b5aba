"""The typed structures the engine works on: entered values with their sheet!cell positions, and results."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import TypeAlias

from greencli.core import layout as L
from greencli.core.issues import Issue
from greencli.core.values import Raw


@dataclass(frozen=True, slots=True)
class Field:
    """A raw value as read from a cell, and where it came from (None when not read from a file)."""

    value: Raw = None
    sheet: str | None = None
    cell: str | None = None


BLANK = Field()


@dataclass(frozen=True, slots=True)
class CompoundEntry:
    """One row of the 小区 sheet; `row` is its 1-based sheet row (for messages)."""

    row: int
    name: Field = BLANK
    built: Field = BLANK
    area: Field = BLANK
    green: Field = BLANK
    property_service: Field = BLANK
    garbage_sorting: Field = BLANK


@dataclass(frozen=True)
class Entries:
    """What the inspector entered: 录入值 and 佐证 by row code, and the 小区 table.

    A code absent from `values` means the 评分表 has no row for it at all (an error); a row that exists but
    was left empty is present with a blank value.
    """

    values: Mapping[str, Field]
    evidence: Mapping[str, Field] = field(default_factory=dict)
    compounds: Sequence[CompoundEntry] = ()
    year: int | None = None


JsonValue: TypeAlias = "str | int | float | bool | list[JsonValue] | dict[str, JsonValue] | None"
JsonObject: TypeAlias = dict[str, JsonValue]


@dataclass(frozen=True)
class RawWorkbook:
    """What one file holds, before any judgement: identity fields, entries, the version stamp, and the problems
    found reading it (each at its sheet and cell)."""

    info: Mapping[str, Field]
    entries: Entries
    stamp: Mapping[str, str] = field(default_factory=dict)
    issues: tuple[Issue, ...] = ()
    version: str | None = None  # the rubric version it was read (and is to be scored) under
    # Which of the given 评分表 cells hold a formula with no computed value (read as blank): the reader's second
    # look at the bytes it already holds, asked only about the cells the engine found missing.
    uncomputed: Callable[[Collection[str]], frozenset[str]] = field(default=lambda _: frozenset(), compare=False)


Entered: TypeAlias = str | int | float | bool | None
"""A value as the ledger records it: as typed, in JSON's own kinds (a date in ISO form, a decimal as its text)."""


def _entered(found: Field) -> Entered:
    value = found.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


@dataclass(frozen=True, slots=True)
class RecordedCompound:
    """One 小区 row as entered (the columns of the 小区 sheet, by name)."""

    name: Entered = None
    built: Entered = None
    area: Entered = None
    green: Entered = None
    property_service: Entered = None
    garbage_sorting: Entered = None

    def values(self) -> tuple[Entered, ...]:
        """In the sheet's column order, which is also the order of its stored JSON form (a list)."""
        return (self.name, self.built, self.area, self.green, self.property_service, self.garbage_sorting)


@dataclass(frozen=True)
class RecordedEntries:
    """Every value entered in one workbook, kept with its evaluation so a later version of the standard can
    re-score it: the 基本信息 fields, 录入值 and 佐证 by row code, and the 小区 rows that hold anything.

    评审日期 is not among `info`: its one home is the evaluation's `review_date` (a date), which re-scoring uses.
    `to_json`/`from_json` are the stored form (the ledger's `entries` column, unchanged since migration 1: a 小区 row
    is a list in column order). An older ledger's rows still carry 评审日期 in `info`; it is dropped on reading.
    """

    info: Mapping[str, Entered]
    values: Mapping[str, Entered]
    evidence: Mapping[str, Entered] = field(default_factory=dict)
    compounds: tuple[RecordedCompound, ...] = ()

    @classmethod
    def of(cls, raw: RawWorkbook) -> RecordedEntries:
        compounds = tuple(
            RecordedCompound(*(_entered(f) for f in _compound_fields(c)))
            for c in raw.entries.compounds
            if any(f.value not in ("", None) for f in (c.name, c.built, c.area, c.green))
        )
        return cls(
            info={k: _entered(f) for k, f in raw.info.items() if k != L.REVIEW_DATE},
            values={k: _entered(f) for k, f in raw.entries.values.items()},
            evidence={k: _entered(f) for k, f in raw.entries.evidence.items() if f.value not in ("", None)},
            compounds=compounds,
        )

    def to_json(self) -> JsonObject:
        return {
            "info": dict(self.info),
            "values": dict(self.values),
            "evidence": dict(self.evidence),
            "compounds": [list(c.values()) for c in self.compounds],
        }

    @classmethod
    def from_json(cls, data: object) -> RecordedEntries:
        """The inverse of `to_json`; anything malformed in a stored form reads as nothing entered there."""
        whole = data if isinstance(data, dict) else {}

        def table(key: str) -> dict[str, Entered]:
            found = whole.get(key)
            return {k: _stored(v) for k, v in found.items()} if isinstance(found, dict) else {}

        rows = whole.get("compounds")
        compounds = tuple(
            RecordedCompound(*(_stored(v) for v in row[:6])) for row in (rows if isinstance(rows, list) else [])
            if isinstance(row, list)
        )  # fmt: skip
        info = {k: v for k, v in table("info").items() if k != L.REVIEW_DATE}
        return cls(info=info, values=table("values"), evidence=table("evidence"), compounds=compounds)

    def info_fields(self) -> dict[str, Field]:
        """The 基本信息 fields as a reader would give them (no cell: they are not read from a file now)."""
        return {k: Field(v, L.INFO_SHEET, None) for k, v in self.info.items()}

    def entries(self, values: Mapping[str, Entered] | None = None) -> Entries:
        """What the engine scores: these entries, or `values` in place of the recorded 录入值 (re-scoring maps
        codes between versions)."""
        chosen = self.values if values is None else values
        return Entries(
            values={k: Field(v, L.SCORE_SHEET, None) for k, v in chosen.items()},
            evidence={k: Field(v, L.SCORE_SHEET, None) for k, v in self.evidence.items()},
            compounds=[
                CompoundEntry(n, *(Field(v, L.COMPOUND_SHEET, None) for v in c.values()))
                for n, c in enumerate(self.compounds, start=2)
            ],
        )


def _compound_fields(c: CompoundEntry) -> tuple[Field, ...]:
    return (c.name, c.built, c.area, c.green, c.property_service, c.garbage_sorting)


def _stored(value: JsonValue) -> Entered:
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    VETO = "veto"
    INVALID = "invalid"

    @property
    def label(self) -> str:
        return _VERDICT_LABELS[self]


_VERDICT_LABELS = {
    Verdict.PASS: "达标",
    Verdict.FAIL: "未达标",
    Verdict.VETO: "否决",
    Verdict.INVALID: "无效",
}


@dataclass(frozen=True, slots=True)
class RowScore:
    """A row's parsed value and what it adds to its item (None where the row could not be read)."""

    code: str
    value: Decimal | bool | None
    contribution: Decimal | None


@dataclass(frozen=True, slots=True)
class ItemScore:
    """One item's score: its number and category, its maximum, the points, whether it applies, and the rows it was
    scored from."""

    number: int
    category: int
    maximum: Decimal
    score: Decimal
    applicable: bool
    rows: tuple[RowScore, ...]

    @property
    def lost(self) -> Decimal:
        return self.maximum - self.score


@dataclass(frozen=True, slots=True)
class CompoundScore:
    """A compound's green-space ratio against its requirement (percent, exact)."""

    row: int
    name: str
    area: Decimal
    ratio: Fraction
    required: Decimal
    property_service: bool
    garbage_sorting: bool

    @property
    def fails(self) -> bool:
        return self.ratio < self.required

    @property
    def shortfall(self) -> Fraction:
        return Fraction(self.required) - self.ratio if self.fails else Fraction(0)


@dataclass(frozen=True)
class Evaluation:
    """The outcome of scoring one workbook. Scores are None when the verdict is invalid."""

    verdict: Verdict
    total: Decimal | None
    bonus: Decimal | None
    categories: Mapping[int, Decimal] | None
    items: Mapping[int, ItemScore] | None
    vetoes: tuple[str, ...]
    issues: tuple[Issue, ...]
    compounds: tuple[CompoundScore, ...] = ()

    @classmethod
    def invalid(cls, issues: Sequence[Issue], compounds: tuple[CompoundScore, ...] = ()) -> Evaluation:
        """A workbook that cannot be scored: no scores, every issue."""
        return cls(Verdict.INVALID, None, None, None, None, (), tuple(issues), compounds)

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.is_error)

    @property
    def warnings(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if not i.is_error)

    @property
    def item_total(self) -> Decimal | None:
        return sum(self.categories.values(), Decimal(0)) if self.categories is not None else None
