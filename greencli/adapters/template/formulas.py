"""The form's live formulas, as text: pure functions of the rubric and of where the layout put each cell.

They mirror the engine so the inspector sees the score as it is typed; the program never reads them back. Derived
rows and vetoes take their formulas from the rule registry (greencli.core.derived), beside the engine's own code.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from greencli.core.derived import ROW_RULES, VETO_RULES, Ranges, answer_test
from greencli.core.rubric import Item, Row, Veto
from greencli.core.values import HAVE_PREFIX, fmt

VETO_HOLDS, VETO_CLEAR = "否决", "—"


def multiple(cell: str, step: str) -> str:
    """Excel's test that `cell` is a multiple of `step` (rounded first: 2.5/0.5 in binary is not always 5)."""
    return f"MOD(ROUND({cell}/{step},9),1)=0"


# What a row adds to its item, from its value cell `v` (blank until something is entered): one builder per row kind,
# registered in greencli.adapters.template.kinds.


def score_formula(row: Row, v: str, ranges: Ranges) -> str:
    return f'=IF(ISNUMBER({v}),{v},"")'


def check_formula(row: Row, v: str, ranges: Ranges) -> str:
    p, have = fmt(row.points), row.label.startswith(HAVE_PREFIX)  # 有/无 answer a row phrased 有… (the reader's rule)
    return f'=IF({answer_test(v, True, have)},{p},IF({answer_test(v, False, have)},0,""))'


def count_formula(row: Row, v: str, ranges: Ranges) -> str:
    return f'=IF(ISNUMBER({v}),MAX(0,{fmt(row.points)}-{fmt(row.per)}*{v}),"")'


def deduct_formula(row: Row, v: str, ranges: Ranges) -> str:
    return f'=IF(ISNUMBER({v}),-{v},"")'


def measure_formula(row: Row, v: str, ranges: Ranges) -> str:
    tests = [f"{v}>={fmt(row.at_least)}"] if row.at_least is not None else []
    tests += [f"{v}<={fmt(row.at_most)}"] if row.at_most is not None else []
    return f'=IF(ISNUMBER({v}),IF(AND({",".join(tests)}),{fmt(row.points)},0),"")'


def na_formula(row: Row, v: str, ranges: Ranges) -> str:
    return f'=IF({answer_test(v, True)},"不适用","")'


def fact_formula(row: Row, v: str, ranges: Ranges) -> str:
    return f'=IF(ISNUMBER({v}),0,"")'  # recorded, never counted


def derived_formula(row: Row, v: str, ranges: Ranges) -> str:
    """From the 小区 sheet, by the row's rule (greencli.core.derived holds the rule's formula beside its score)."""
    return ROW_RULES[row.rule].formula(row, ranges)


def item_formula(item: Item, row_scores: str, count: int, na_flag: str | None) -> str:
    """The item's score: its rows clamped to 0 … its points; full points when its 不适用 row says 是."""
    top = fmt(item.points)
    body = f'IF(COUNT({row_scores})<{count},"",MIN({top},MAX(0,SUM({row_scores}))))'
    if na_flag is not None:
        body = f'IF({answer_test(na_flag, True)},{top},IF({answer_test(na_flag, False)},{body},""))'
    return "=" + body


def entered_veto_formula(veto: Veto, v: str) -> str:
    return f'=IF(ISNUMBER({v}),IF({v}>={fmt(veto.at_least)},"{VETO_HOLDS}","{VETO_CLEAR}"),"")'


def derived_veto_formula(veto: Veto, ranges: Ranges) -> str:
    assert veto.rule is not None  # the rubric loader accepts only registered rules
    holds = VETO_RULES[veto.rule].condition(veto, ranges)
    return f'=IF(COUNTA({ranges.name})=0,"",IF({holds},"{VETO_HOLDS}","{VETO_CLEAR}"))'


def subtotal_formula(item_cells: Sequence[str]) -> str:
    cells = ",".join(item_cells)
    return f'=IF(COUNT({cells})<{len(item_cells)},"",SUM({cells}))'


def total_formula(category_cells: Sequence[str], bonus_cell: str, max_total: Decimal) -> str:
    joined = ",".join(category_cells)
    return f'=IF(COUNT({joined})<{len(category_cells)},"",MIN({fmt(max_total)},SUM({joined})+{bonus_cell}))'


def any_veto_formula(veto_cells: Sequence[str]) -> str:
    vetoes = ",".join(f'{c}="{VETO_HOLDS}"' for c in veto_cells)
    return f'=IF(OR({vetoes}),"有否决项","无")'


def verdict_formula(veto_cell: str, total_cell: str, pass_mark: Decimal) -> str:
    return (
        f'=IF({veto_cell}="有否决项","否决",IF({total_cell}="","（未填完）",'
        f'IF({total_cell}>={fmt(pass_mark)},"达标","未达标")))'
    )


def compound_ratio_formula(area: str, green: str, decimals: int) -> str:
    return f'=IF(AND(ISNUMBER({area}),N({area})>0,ISNUMBER({green})),ROUND({green}*100/{area},{decimals}),"")'
