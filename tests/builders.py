"""Building engine inputs for tests: a perfect community, then the overrides a case needs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from greencli.core.model import CompoundEntry, Entries, Field
from greencli.core.rubric import RowKind, Rubric
from greencli.core.values import Raw

DROP = object()  # an override that removes the row from the 评分表 altogether
# The first reading of the standard, which these table-driven tests transcribe; 2021.2 has tests of its own.
FIRST_READING = "2021.1"


def perfect_values(rubric: Rubric) -> dict[str, Raw]:
    """Every entered row at its best: full points, 是, no defects, in-range measures, items applicable."""
    values: dict[str, Raw] = {}
    for row in rubric.rows():
        match row.kind:
            case RowKind.SCORE:
                values[row.code] = float(row.points)
            case RowKind.CHECK:
                values[row.code] = "是"
            case RowKind.COUNT | RowKind.DEDUCT:
                values[row.code] = 0
            case RowKind.NA:
                values[row.code] = "否"
            case RowKind.MEASURE:
                values[row.code] = 100 if row.unit == "%" else 50000
            case RowKind.DERIVED:
                values[row.code] = None
            case RowKind.FACT:
                values[row.code] = float(row.expect_min or 0)  # a fact that agrees with full marks
    values[rubric.bonus.code] = None
    for veto in rubric.vetoes:
        values[veto.code] = 0 if veto.entered else None
    return values


@dataclass(frozen=True)
class C:
    """A compound row in short: name, built, area, green, property service, garbage sorting."""

    name: Raw = "幸福家园"
    built: Raw = 2010
    area: Raw = 10000
    green: Raw = 4000
    prop: Raw = "是"
    sort: Raw = "是"


def compound_entries(compounds: Sequence[C]) -> list[CompoundEntry]:
    out = []
    for n, c in enumerate(compounds, start=2):

        def at(col: str, value: Raw, n: int = n) -> Field:
            return Field(value, "小区", f"{col}{n}")

        out.append(
            CompoundEntry(
                row=n,
                name=at("A", c.name),
                built=at("B", c.built),
                area=at("C", c.area),
                green=at("D", c.green),
                property_service=at("E", c.prop),
                garbage_sorting=at("F", c.sort),
            )
        )
    return out


def entries(
    rubric: Rubric,
    overrides: Mapping[str, object] | None = None,
    compounds: Sequence[C] = (C(),),
    evidence: Mapping[str, Raw] | None = None,
    year: int | None = 2022,
) -> Entries:
    """Entries of a perfect community with `overrides` applied; each value sits at 评分表!H<n>."""
    values = perfect_values(rubric)
    for code, value in (overrides or {}).items():
        if value is DROP:
            values.pop(code, None)
        else:
            values[code] = value  # type: ignore[assignment]
    codes = list(rubric.entry_codes)
    fields = {code: Field(value, "评分表", f"H{codes.index(code) + 5}") for code, value in values.items()}
    notes = {code: Field(text, "评分表", f"J{codes.index(code) + 5}") for code, text in (evidence or {}).items()}
    return Entries(values=fields, evidence=notes, compounds=compound_entries(compounds), year=year)


def d(text: str | int | float) -> Decimal:
    return Decimal(str(text))
