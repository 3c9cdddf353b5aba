"""The typed structures the engine works on: entered values with their sheet!cell positions, and results."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import TypeAlias

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

    def entries_json(self) -> JsonObject:
        """Every value as entered, so a later rubric version can re-score the history."""

        def raw(f: Field) -> JsonValue:
            value = f.value
            if isinstance(value, date):
                return value.isoformat()
            if isinstance(value, Decimal):
                return str(value)
            return value if isinstance(value, str | int | float | bool) or value is None else str(value)

        compounds: list[JsonValue] = [
            [raw(f) for f in (c.name, c.built, c.area, c.green, c.property_service, c.garbage_sorting)]
            for c in self.entries.compounds
            if any(f.value not in ("", None) for f in (c.name, c.built, c.area, c.green))
        ]
        return {
            "info": {k: raw(f) for k, f in self.info.items()},
            "values": {k: raw(f) for k, f in self.entries.values.items()},
            "evidence": {k: raw(f) for k, f in self.entries.evidence.items() if f.value not in ("", None)},
            "compounds": compounds,
        }


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
