"""The rules computed from the 小区 (residential compounds) sheet, each registered once.

A rule names the rubric parameters it needs, computes its value exactly (the engine), and writes the same rule as
an Excel formula (the template's live subtotals); the rubric loader, the engine and the template all look rules up
here, so a rule cannot exist in one place and not another.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Final

from greencli.core.values import fmt, spellings

if TYPE_CHECKING:
    from greencli.core.model import CompoundScore
    from greencli.core.rubric import Row, Veto

ZERO = Decimal(0)


@dataclass(frozen=True)
class Ranges:
    """Where the template's 小区 sheet keeps each column, as absolute Excel ranges."""

    name: str
    area: str
    property_service: str
    garbage_sorting: str
    shortfall: str  # each compound's shortfall against its green-space requirement, in percent points
    status: str  # each compound's 达标 / 不达标 against its requirement


@dataclass(frozen=True)
class RowRule:
    """A derived row of an item: its name on the form's 说明 sheet, its parameters, its score, and its formula."""

    name: str
    parameters: tuple[str, ...]
    score: Callable[[Row, Sequence[CompoundScore]], Decimal]
    formula: Callable[[Row, Ranges], str]


@dataclass(frozen=True)
class VetoRule:
    """A veto computed from the compounds: its parameters, whether it holds, and the same test as an Excel condition
    (TRUE when the veto holds; evaluated only when the 小区 sheet has compounds), and its name on the 说明 sheet."""

    name: str
    parameters: tuple[str, ...]
    holds: Callable[[Veto, Sequence[CompoundScore]], bool]
    condition: Callable[[Veto, Ranges], str]


def answer_test(ref: str, answer: bool, have: bool = False) -> str:
    """Excel's test that a cell (or, inside SUMPRODUCT, each cell of a range) reads as `answer` (是 or 否) by the
    reader's own list of spellings: full-width folded (ASC), spaces trimmed, case-blind (MATCH); an Excel boolean
    and the numbers 1/0 become their words on the way. One list for reader, drop-down and formula."""
    words = ",".join(f'"{w}"' for w in spellings(answer, have))
    return f"ISNUMBER(MATCH(TRIM(ASC({ref})),{{{words}}},0))"


def _area(compounds: Sequence[CompoundScore]) -> Fraction:
    return sum((Fraction(c.area) for c in compounds), Fraction(0))


def _green_ratio(row: Row, compounds: Sequence[CompoundScore]) -> Decimal:
    """Each compound counts by its area; one's surplus never offsets another's shortfall; any shortfall costs at
    least one step."""
    assert row.shortfall_step is not None and row.per_step is not None
    shortfall = sum((Fraction(c.area) * c.shortfall for c in compounds), Fraction(0)) / _area(compounds)
    steps = math.ceil(shortfall / Fraction(row.shortfall_step))
    return max(ZERO, row.points - row.per_step * steps)


def _green_ratio_formula(row: Row, r: Ranges) -> str:
    shortfall = f"SUMPRODUCT({r.area},{r.shortfall})/SUM({r.area})"
    # ROUND(…,9) before CEILING: binary floating point must not turn an exact 10.0 into 10.000000001
    steps = f"CEILING(ROUND({shortfall}/{fmt(row.shortfall_step)},9),1)"
    return f'=IF(N(SUM({r.area}))=0,"",MAX(0,{fmt(row.points)}-{fmt(row.per_step)}*{steps}))'


def _garbage_sorting(row: Row, compounds: Sequence[CompoundScore]) -> Decimal:
    assert row.per is not None
    missing = sum(1 for c in compounds if not c.garbage_sorting)
    return max(ZERO, row.points - row.per * missing)


def _garbage_sorting_formula(row: Row, r: Ranges) -> str:
    missing = f"SUMPRODUCT(--{answer_test(r.garbage_sorting, False)})"
    return f'=IF(COUNTA({r.name})=0,"",MAX(0,{fmt(row.points)}-{fmt(row.per)}*{missing}))'


def _property_share(row: Row, compounds: Sequence[CompoundScore]) -> Decimal:
    assert row.above is not None
    served = sum((Fraction(c.area) for c in compounds if c.property_service), Fraction(0))
    return row.points if Fraction(100) * served / _area(compounds) > Fraction(row.above) else ZERO


def _property_share_formula(row: Row, r: Ranges) -> str:
    share = f"SUMPRODUCT(--{answer_test(r.property_service, True)},{r.area})*100/SUM({r.area})"
    return f'=IF(N(SUM({r.area}))=0,"",IF({share}>{fmt(row.above)},{fmt(row.points)},0))'


def _failing_compounds(veto: Veto, compounds: Sequence[CompoundScore]) -> bool:
    assert veto.above is not None
    failing = sum(1 for c in compounds if c.fails)
    return Fraction(100 * failing, len(compounds)) > Fraction(veto.above)


def _failing_compounds_condition(veto: Veto, r: Ranges) -> str:
    return f'COUNTIF({r.status},"不达标")*100/COUNTA({r.name})>{fmt(veto.above)}'


ROW_RULES: Final[Mapping[str, RowRule]] = {
    "green_ratio": RowRule("绿地率", ("shortfall_step", "per_step"), _green_ratio, _green_ratio_formula),
    "garbage_sorting": RowRule("垃圾分类覆盖", ("per",), _garbage_sorting, _garbage_sorting_formula),
    "property_share": RowRule("物业服务面积占比", ("above",), _property_share, _property_share_formula),
}
VETO_RULES: Final[Mapping[str, VetoRule]] = {
    "failing_compounds": VetoRule("绿色空间否决", ("above",), _failing_compounds, _failing_compounds_condition),
}
