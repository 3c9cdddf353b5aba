"""Data validation: what each input cell of the form accepts, with the Chinese prompt and error Excel shows.

Pure functions of the rubric (dicts in xlsxwriter's data_validation form); the layout applies them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from greencli.adapters.template.formulas import multiple
from greencli.core.rubric import Row
from greencli.core.values import HAVE_PREFIX, fmt, typed_spellings

Validation = dict[str, Any]  # xlsxwriter's data_validation options


def validation(kind: str, title: str, message: str, error: str, **options: Any) -> Validation:
    # Excel caps these texts (32 / 255 characters); the messages here are written to fit.
    return {
        "validate": kind,
        "input_title": title[:32],
        "input_message": message[:255],
        "error_title": "输入有误",
        "error_message": error[:255],
        "error_type": "stop",
        **options,
    }


ALSO: Final = "也可填 Y/N、√/×、1/0、TRUE/FALSE"


def yes_no(title: str, have: bool = False, prompt: str = "") -> Validation:
    """A drop-down of every spelling the reader accepts for 是/否 (是、否 first; 有、无 on a row phrased 有…): the
    form lets a person type exactly what the program reads, no more and no less."""
    offered = "是 / 否 / 有 / 无" if have else "是 / 否"
    return validation(
        "list",
        title,
        prompt or f"请从下拉列表选择：{offered}（{ALSO}）",
        f"只能填{offered}（{ALSO}）",
        source=list(typed_spellings(have)),
    )


# What a row's value cell accepts, from the cell's reference and the rubric's step: one builder per row kind a person
# types, registered in greencli.adapters.template.kinds.


def _title(row: Row) -> str:
    return f"{row.code} {row.kind.value}"


def check_validation(row: Row, cell: str, step: str) -> Validation:
    return yes_no(_title(row), have=row.label.startswith(HAVE_PREFIX))


def na_validation(row: Row, cell: str, step: str) -> Validation:
    return yes_no(_title(row), prompt="本项不适用于本社区时选“是”（本项计满分），否则选“否”并填写下面各行")


def count_validation(row: Row, cell: str, step: str) -> Validation:
    return validation(
        "integer", _title(row), f"填发现的处数（整数，没有填0）。每处扣{fmt(row.per)}分，扣完为止",
        "处数须为不小于0的整数", criteria=">=", value=0,
    )  # fmt: skip


def score_validation(row: Row, cell: str, step: str) -> Validation:
    points = fmt(row.points)
    return validation(
        "custom", _title(row), f"填得分：0～{points}分，须为{step}的倍数", f"得分须在0～{points}之间，且为{step}的倍数",
        value=f"=AND(ISNUMBER({cell}),{cell}>=0,{cell}<={points},{multiple(cell, step)})",
    )  # fmt: skip


def deduct_validation(row: Row, cell: str, step: str) -> Validation:
    points, floor = fmt(row.points), row.min_nonzero
    allowed = f"0，或{fmt(floor)}～{points}" if floor else f"0～{points}"
    low = f"OR({cell}=0,{cell}>={fmt(floor)})" if floor else f"{cell}>=0"
    return validation(
        "custom", _title(row), f"填扣分：{allowed}分；没有问题填0", f"扣分只能为{allowed}分，且为{step}的倍数",
        value=f"=AND(ISNUMBER({cell}),{low},{cell}<={points},{multiple(cell, step)})",
    )  # fmt: skip


def measure_validation(row: Row, cell: str, step: str) -> Validation:
    minimum = row.valid_min if row.valid_min is not None else Decimal(0)
    bounds = f"{fmt(minimum)}～{fmt(row.valid_max)}" if row.valid_max is not None else f"不小于{fmt(minimum)}"
    unit = "百分数（如98.5，不要填0.985）" if row.unit == "%" else f"数值（{row.unit}）"
    options: dict[str, Any] = (
        {"criteria": "between", "minimum": float(minimum), "maximum": float(row.valid_max)}
        if row.valid_max is not None
        else {"criteria": ">=", "value": float(minimum)}
    )
    return validation("decimal", _title(row), f"填{unit}，范围{bounds}", f"请填{bounds}之间的数值", **options)


def fact_validation(row: Row, cell: str, step: str) -> Validation:
    low, high = fmt(row.valid_min or Decimal(0)), fmt(row.valid_max)
    return validation(
        "integer", _title(row), f"填{row.unit}数（整数，{low}～{high}）；不计分，用于核对 {row.checks} 的给分",
        f"请填 {low}～{high} 之间的整数", criteria="between", minimum=int(row.valid_min or 0),
        maximum=int(row.valid_max or 0),
    )  # fmt: skip
