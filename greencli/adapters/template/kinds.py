"""The spreadsheet's part of each row kind: its live formula and the data validation of its value cell.

The kinds themselves (how a value is read, how it counts, what the inspector is told) are registered once in
`greencli.core.kinds`; this registry adds what only a spreadsheet needs, keyed by the same kinds. `check_covered`
(run by the tests) fails when a kind lacks a part here: a formula for every kind, a validation exactly for the kinds
a person types.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from greencli.adapters.template import formulas as F
from greencli.adapters.template import validations as V
from greencli.core.derived import Ranges
from greencli.core.kinds import KINDS, RowKind
from greencli.core.rubric import Row


@dataclass(frozen=True)
class SheetKind:
    """`formula(row, value_cell, ranges)`: what the row adds to its item, live; `validation(row, value_cell, step)`:
    what its value cell accepts (None for a kind nobody types)."""

    formula: Callable[[Row, str, Ranges], str]
    validation: Callable[[Row, str, str], V.Validation] | None


SHEET_KINDS: Final[Mapping[RowKind, SheetKind]] = {
    RowKind.SCORE: SheetKind(F.score_formula, V.score_validation),
    RowKind.CHECK: SheetKind(F.check_formula, V.check_validation),
    RowKind.COUNT: SheetKind(F.count_formula, V.count_validation),
    RowKind.DEDUCT: SheetKind(F.deduct_formula, V.deduct_validation),
    RowKind.MEASURE: SheetKind(F.measure_formula, V.measure_validation),
    RowKind.NA: SheetKind(F.na_formula, V.na_validation),
    RowKind.DERIVED: SheetKind(F.derived_formula, None),
    RowKind.FACT: SheetKind(F.fact_formula, V.fact_validation),
}


def check_covered() -> list[str]:
    """Every kind of `greencli.core.kinds` with every part here; the problems, empty when none."""
    problems = [f"{kind}: no formula or validation registered" for kind in RowKind if kind not in SHEET_KINDS]
    for kind, sheet in SHEET_KINDS.items():
        if (sheet.validation is not None) != KINDS[kind].entered:
            problems.append(f"{kind}: a validation exactly when a person types the kind")
    return problems


def row_formula(row: Row, value_cell: str, ranges: Ranges) -> str:
    return SHEET_KINDS[row.kind].formula(row, value_cell, ranges)


def row_validation(row: Row, value_cell: str, step: str) -> V.Validation:
    build = SHEET_KINDS[row.kind].validation
    assert build is not None, f"row {row.code} has no input"
    return build(row, value_cell, step)
