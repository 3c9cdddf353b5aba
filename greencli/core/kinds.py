"""The kinds of scoring row, each registered once: its Chinese name, what the inspector is told to enter, how an
entered value is read, how it counts toward its item, what the rubric file must give for it, and its line on the
form's 说明 sheet.

The engine, the rubric loader, the template's hints and its guide all look kinds up here, as they look derived rules
up in `greencli.core.derived`. The spreadsheet's own parts of a kind (its live formula and its data validation) are
registered per kind in `greencli.adapters.template.kinds`, whose test checks that it covers every kind here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Final, Protocol

from greencli.core.derived import ROW_RULES, VETO_RULES
from greencli.core.errors import Problem
from greencli.core.values import (
    HAVE_PREFIX,
    Raw,
    fmt,
    is_have_word,
    is_multiple,
    is_whole,
    parse_count,
    parse_number,
    parse_yes_no,
    show,
)

if TYPE_CHECKING:
    from greencli.core.rubric import Row, Rubric

ZERO = Decimal(0)


class RowKind(StrEnum):
    SCORE = "score"
    CHECK = "check"
    COUNT = "count"
    DEDUCT = "deduct"
    MEASURE = "measure"
    NA = "na"
    DERIVED = "derived"
    FACT = "fact"

    @property
    def label(self) -> str:
        """The kind's Chinese name, as people see it (the value stays the stable code for scripts)."""
        return KINDS[self].label


class Report(Protocol):
    """Reports an issue at the value being read (its cell, code and label are the caller's)."""

    def __call__(self, issue: str, /, **params: object) -> None: ...


Value = Decimal | bool
# Reads a non-blank raw value for a row of the kind (None for a veto count, which has no rubric row), with the
# rubric's step; None, after reporting why, when it cannot be used.
Parse = Callable[[Raw, "Row | None", Decimal, Report], "Value | None"]


@dataclass(frozen=True)
class KindRule:
    """One row kind. `parse` is None for a kind nobody types (derived: its rule computes it from the 小区 sheet);
    `score` is None for a kind that adds nothing by itself (na decides whether its item applies; derived is scored by
    its rule). `guide` is the kind's line on the 说明 sheet, None when its rows are explained by `guide_under`'s."""

    label: str
    hint: str  # what the inspector is told in the row, with {points}, {unit} and {step}
    parse: Parse | None
    score: Callable[[Row, Value], Decimal] | None
    guide: Callable[[Rubric], str] | None
    points_required: bool = True  # whether the rubric file must give the row's points
    problems: Callable[[Row, str], list[Problem]] = lambda row, where: []  # what the rubric file must give besides
    suffixes: tuple[str, ...] = ()  # units a person may type after the number (a measure's own unit is added)
    guide_under: RowKind | None = None

    @property
    def entered(self) -> bool:
        """Whether a person types a value for rows of this kind."""
        return self.parse is not None


# ───────────────────────────── reading an entered value ─────────────────────────────


def read_yes_no(raw: Raw, row: Row | None, step: Decimal, report: Report) -> Value | None:
    """是/否 (and 有/无 on a row phrased 有…), by the one list of spellings in `greencli.core.values`."""
    answer = parse_yes_no(raw, have=row is not None and row.label.startswith(HAVE_PREFIX))
    if answer is None and is_have_word(raw):
        report("value-have-not-allowed", value=show(raw))
    elif answer is None:
        report("value-not-yes-no", value=show(raw))
    return answer


def _number(raw: Raw, row: Row, suffixes: tuple[str, ...], report: Report, step: Decimal) -> Decimal | None:
    number = parse_number(raw, suffixes)
    if number is None:
        report("value-not-number", value=show(raw), hint=hint(row.kind, row, step))
    return number


def check_points(
    raw: Raw, number: Decimal, points: Decimal, floor: Decimal | None, step: Decimal, report: Report
) -> Decimal | None:
    """Points entered (a score, a deduction, the bonus): 0 … `points`, a multiple of `step`, and not between 0 and
    `floor` when there is one. The value quoted is the value as entered (1e-300, 3.5分), never a reformatted number."""
    if not ZERO <= number <= points:
        report("value-out-of-range", value=show(raw), low="0", high=fmt(points))
        return None
    if not is_multiple(number, step):
        report("value-off-step", value=show(raw), step=fmt(step))
        return None
    if floor is not None and ZERO < number < floor:
        report("deduct-below-minimum", value=show(raw), low=fmt(floor), high=fmt(points))
        return None
    return number


def _read_points(raw: Raw, row: Row | None, step: Decimal, report: Report) -> Value | None:
    assert row is not None  # scores and deductions are rubric rows
    number = _number(raw, row, KINDS[row.kind].suffixes, report, step)
    if number is None:
        return None
    return check_points(raw, number, row.points, row.min_nonzero, step, report)


def read_count(raw: Raw, row: Row | None, step: Decimal, report: Report) -> Value | None:
    """A number of places found (a count row, or a veto's count, which has no row): whole, ≥ 0, 一处/两处 too."""
    number = parse_count(raw, KINDS[RowKind.COUNT].suffixes)
    if number is None:
        report("value-not-number", value=show(raw), hint=hint(RowKind.COUNT, row, step))
        return None
    if number < 0:
        report("value-negative", value=show(raw))
        return None
    if not is_whole(number):
        report("value-not-whole", value=show(raw))
        return None
    return number


def _in_range(raw: Raw, number: Decimal, row: Row, report: Report) -> Decimal | None:
    low, high = row.valid_min, row.valid_max
    if (low is not None and number < low) or (high is not None and number > high):
        report(
            "value-out-of-range", value=show(raw),
            low=fmt(low) if low is not None else "", high=fmt(high) if high is not None else "∞",
        )  # fmt: skip
        return None
    if row.unit == "%" and number <= 1:
        report("percent-looks-fractional", value=fmt(number))
    return number


def _read_measure(raw: Raw, row: Row | None, step: Decimal, report: Report) -> Value | None:
    assert row is not None
    number = _number(raw, row, (row.unit,) if row.unit else (), report, step)
    return None if number is None else _in_range(raw, number, row, report)


def _read_fact(raw: Raw, row: Row | None, step: Decimal, report: Report) -> Value | None:
    assert row is not None
    number = _number(raw, row, (), report, step)
    if number is None:
        return None
    if not is_whole(number):
        report("value-not-whole", value=show(raw))
        return None
    return _in_range(raw, number, row, report)


def hint(kind: RowKind, row: Row | None, step: Decimal) -> str:
    """What to enter, for the form and for a message (a veto's count has no rubric row: the bare hint)."""
    if row is None:
        return KINDS[kind].hint
    return KINDS[kind].hint.format(points=fmt(row.points), unit=row.unit, step=fmt(step))


# ───────────────────────────── what a row adds to its item ─────────────────────────────


def _check_score(row: Row, value: Value) -> Decimal:
    return row.points if value is True else ZERO


def _score_score(row: Row, value: Value) -> Decimal:
    assert isinstance(value, Decimal)
    return value


def _count_score(row: Row, value: Value) -> Decimal:
    assert isinstance(value, Decimal) and row.per is not None
    return max(ZERO, row.points - row.per * value)


def _deduct_score(row: Row, value: Value) -> Decimal:
    assert isinstance(value, Decimal)
    return -value


def _measure_score(row: Row, value: Value) -> Decimal:
    assert isinstance(value, Decimal)
    meets = (row.at_least is None or value >= row.at_least) and (row.at_most is None or value <= row.at_most)
    return row.points if meets else ZERO


def _fact_score(row: Row, value: Value) -> Decimal:
    return ZERO  # recorded and checked against its row, never counted


# ───────────────────────────── what the rubric file must give ─────────────────────────────


def _count_problems(row: Row, where: str) -> list[Problem]:
    return [Problem.of("rubric-count-per", where=where)] if row.per is None or row.per <= 0 else []


def _measure_problems(row: Row, where: str) -> list[Problem]:
    problems = []
    if row.at_least is None and row.at_most is None:
        problems.append(Problem.of("rubric-measure-threshold", where=where))
    if not row.unit:
        problems.append(Problem.of("rubric-measure-unit", where=where))
    return problems


def _deduct_problems(row: Row, where: str) -> list[Problem]:
    if row.min_nonzero is not None and not 0 < row.min_nonzero <= row.points:
        return [Problem.of("rubric-deduct-min-nonzero", where=where)]
    return []


def _fact_problems(row: Row, where: str) -> list[Problem]:
    if (not row.unit or not row.checks or row.expect_min is None or row.expect_max is None
            or row.valid_max is None or row.points):  # fmt: skip
        return [Problem.of("rubric-fact-fields", where=where)]
    return []


def _derived_problems(row: Row, where: str) -> list[Problem]:
    rule = ROW_RULES.get(row.rule)
    if rule is None:
        return [Problem.of("rubric-rule-unknown", where=where, value=row.rule, known=list(ROW_RULES))]
    return [
        Problem.of("rubric-rule-parameter-missing", where=where, rule=row.rule, key=name)
        for name in rule.parameters
        if getattr(row, name) is None
    ]


# ───────────────────────────── the 说明 sheet ─────────────────────────────


def _check_guide(rubric: Rubric) -> str:
    have = next((r.label for r in rubric.rows() if r.kind is RowKind.CHECK and r.label.startswith(HAVE_PREFIX)), None)
    also = f"；以“{HAVE_PREFIX}”开头的行（如 {have}）也可填 有/无" if have else ""
    return f"填 是/否：符合要求填“是”，否则填“否”；“是”得该行全部分值，“否”得 0 分。也可填 Y/N、√/×、1/0、TRUE/FALSE{also}。"


def _derived_guide(rubric: Rubric) -> str:
    names = [ROW_RULES[r.rule].name for r in rubric.rows() if r.kind is RowKind.DERIVED]
    names += [VETO_RULES[v.rule].name for v in rubric.vetoes if not v.entered]
    return f"自动计算：由“小区”表计算（{'、'.join(dict.fromkeys(names))}），无需填写。"


KINDS: Final[Mapping[RowKind, KindRule]] = {
    RowKind.SCORE: KindRule(
        "评分", "填得分 0～{points}（{step}的倍数）", _read_points, _score_score,
        lambda rubric: f"填得分：按考评标准给出的分数，0 到该行分值之间，须为 {fmt(rubric.step)} 分的倍数。",
        suffixes=("分",),
    ),
    RowKind.CHECK: KindRule("是/否", "填 是/否", read_yes_no, _check_score, _check_guide),
    RowKind.COUNT: KindRule(
        "处数", "填处数（整数，没有填0）", read_count, _count_score,
        lambda rubric: "填处数：现场发现问题的处数（整数），没有问题填 0，不能留空；每处按标准扣分，扣完为止。",
        problems=_count_problems, suffixes=("处", "个"),
    ),
    RowKind.DEDUCT: KindRule(
        "扣分", "填扣分 0～{points}", _read_points, _deduct_score,
        lambda rubric: "填扣分：按标准酌情扣除的分数，没有扣分填 0。",
        problems=_deduct_problems, suffixes=("分",),
    ),
    RowKind.MEASURE: KindRule(
        "测量值", "填数值（{unit}）", _read_measure, _measure_score,
        lambda rubric: "填数值：按该行括号中的单位填写；百分数填 98.5 表示 98.5%，不要填 0.985。",
        problems=_measure_problems,
    ),
    RowKind.NA: KindRule(
        "不适用", "不适用填“是”，否则填“否”", read_yes_no, None,
        lambda rubric: "不适用：本社区没有该项任务或资源时填“是”，该项计满分，下面各行可不填；否则填“否”并填写各行。",
        points_required=False,
    ),
    RowKind.DERIVED: KindRule(
        "自动计算", "自动计算，无需填写", None, None, _derived_guide, problems=_derived_problems
    ),
    RowKind.FACT: KindRule(
        "事实", "填{unit}数（整数）", _read_fact, _fact_score, None,
        points_required=False, problems=_fact_problems, guide_under=RowKind.MEASURE,
    ),
}  # fmt: skip


def guide_lines(rubric: Rubric) -> list[str]:
    """The 说明 sheet's line for each kind the rubric uses, in the kinds' order; the rubric's own wording for a kind
    (its [guide] table) replaces the registry's."""
    used = {row.kind for row in rubric.rows()}
    used |= {rule.guide_under for kind, rule in KINDS.items() if kind in used and rule.guide_under is not None}
    lines = []
    for kind, rule in KINDS.items():
        if kind not in used or rule.guide is None:
            continue
        lines.append(rubric.guide.get(kind) or rule.guide(rubric))
    return lines
