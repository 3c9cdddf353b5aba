"""The engine against standard.md: every row kind, every rule, every boundary the standard names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import pytest
from greencli.core.engine import evaluate
from greencli.core.model import Evaluation, Verdict
from greencli.core.rubric import Rubric
from greencli.core.values import Raw

from tests.builders import DROP, C, d, entries


def run(
    rubric: Rubric,
    overrides: Mapping[str, object] | None = None,
    compounds: Sequence[C] = (C(),),
    evidence: Mapping[str, Raw] | None = None,
) -> Evaluation:
    return evaluate(rubric, entries(rubric, overrides, compounds, evidence))


def codes(evaluation: Evaluation) -> list[str]:
    return [i.code for i in evaluation.issues]


def test_perfect_community_scores_100(rubric: Rubric) -> None:
    e = run(rubric)
    assert (e.verdict, e.total, e.bonus, e.vetoes, e.issues) == (Verdict.PASS, 100, 0, (), ())
    assert e.categories == {1: 10, 2: 40, 3: 30, 4: 10, 5: 10}
    assert e.items is not None and all(e.items[i.number].score == i.points for i in rubric.items)


# ── each row kind: (row, entered, item, expected item score or issue code) ──
ROW_CASES: list[tuple[str, object, int, object]] = [
    # score: 0 … P in steps of 0.5
    ("1.1", 2, 1, 3), ("1.1", 1.5, 1, 2.5), ("1.1", 0, 1, 1), ("1.1", "1.5", 1, 2.5), ("1.1", 2.0, 1, 3),
    ("1.1", "１.５", 1, 2.5), ("1.1", "2分", 1, 3), ("1.1", 2.5, 1, "value-out-of-range"),
    ("1.1", -0.5, 1, "value-out-of-range"), ("1.1", 1.3, 1, "value-off-step"), ("1.1", "良好", 1, "value-not-number"),
    ("1.1", None, 1, "value-missing"), ("1.1", "  ", 1, "value-missing"), ("1.1", True, 1, "value-not-number"),
    # check: 是/否 and the accepted spellings
    ("4.1", "是", 4, 1), ("4.1", "否", 4, 0), ("4.1", "Y", 4, 1), ("4.1", "n", 4, 0), ("4.1", "yes", 4, 1),
    ("4.1", "No", 4, 0), ("4.1", "TRUE", 4, 1), ("4.1", "false", 4, 0), ("4.1", 1, 4, 1), ("4.1", 0, 4, 0),
    ("4.1", 1.0, 4, 1), ("4.1", "√", 4, 1), ("4.1", "×", 4, 0), ("4.1", True, 4, 1), ("4.1", False, 4, 0),
    ("4.1", " 是 ", 4, 1), ("4.1", "Ｙ", 4, 1), ("4.1", "有", 4, "value-have-not-allowed"), ("4.1", 2, 4, "value-not-yes-no"),
    ("4.1", None, 4, "value-missing"),
    # count, r = 1: P − r × count, floored at 0
    ("5.1", 0, 5, 4), ("5.1", 1, 5, 3), ("5.1", 3.0, 5, 1), ("5.1", "2处", 5, 2), ("5.1", 4, 5, 0), ("5.1", 5, 5, 0),
    ("5.1", 40, 5, 0), ("5.1", -1, 5, "value-negative"), ("5.1", 1.5, 5, "value-not-whole"),
    ("5.1", "两处", 5, 2), ("5.1", "多处", 5, "value-not-number"), ("6.1", 4, 6, 0), ("14.1", 2, 14, 2), ("19.1", 3, 19, 0),
    # count, r = 0.5
    ("15.2", 3, 15, 2.5), ("15.2", 4, 15, 2), ("15.2", 5, 15, 2), ("18.1", 1, 18, 3.5), ("29.1", 1, 29, 1.5),
    ("29.1", 2, 29, 1), ("29.1", 3, 29, 1),
    # deduct 7.3: 0, or 1 … 2
    ("7.3", 0, 7, 4), ("7.3", 1, 7, 3), ("7.3", 1.5, 7, 2.5), ("7.3", 2, 7, 2), ("7.3", 0.5, 7, "deduct-below-minimum"),
    ("7.3", 2.5, 7, "value-out-of-range"), ("7.3", 1.2, 7, "value-off-step"),
    # deduct 10.2: 0 … 4
    ("10.2", 0.5, 10, 3.5), ("10.2", 4, 10, 0), ("10.2", 4.5, 10, "value-out-of-range"),
    # measure 10.1: ≥ 98 → 4
    ("10.1", 97.99, 10, 0), ("10.1", 98, 10, 4), ("10.1", "98%", 10, 4), ("10.1", 100, 10, 4),
    ("10.1", 100.01, 10, "value-out-of-range"), ("10.1", -1, 10, "value-out-of-range"),
    # measure 20.2: 30 000 ≤ value ≤ 100 000 → 2
    ("20.2", 29999, 20, 1), ("20.2", 30000, 20, 3), ("20.2", "30,000", 20, 3), ("20.2", 100000, 20, 3),
    ("20.2", 100001, 20, 1), ("20.2", "3万", 20, "value-not-number"),
]  # fmt: skip


@pytest.mark.parametrize(("code", "entered", "item", "expected"), ROW_CASES)
def test_row_kinds(rubric: Rubric, code: str, entered: object, item: int, expected: object) -> None:
    e = run(rubric, {code: entered})
    if isinstance(expected, str):
        assert e.verdict is Verdict.INVALID
        assert codes(e) == [expected]
        (issue,) = e.issues
        assert (issue.sheet, issue.subject) == ("评分表", code) and issue.cell and issue.cell.startswith("H")
    else:
        assert e.errors == ()
        assert e.items is not None and e.items[item].score == d(str(expected))


def test_deductions_clamp_the_item_at_zero(rubric: Rubric) -> None:
    e = run(rubric, {"7.1": "否", "7.2": "否", "7.3": 2})
    assert e.items is not None and e.items[7].score == 0
    e = run(rubric, {"10.1": 90, "10.2": 2})
    assert e.items is not None and e.items[10].score == 0


def test_percent_entered_as_a_fraction_warns_and_is_taken_as_entered(rubric: Rubric) -> None:
    e = run(rubric, {"10.1": 0.985})
    assert codes(e) == ["percent-looks-fractional"] and e.verdict is Verdict.PASS
    assert e.items is not None and e.items[10].score == 0


# ── not applicable ──
NA_ITEMS = [("11.0", "11.1", 11, 4), ("14.0", "14.1", 14, 4), ("25.0", "25.1", 25, 3), ("30.0", "30.1", 30, 2)]


@pytest.mark.parametrize(("na", "scored", "item", "full"), NA_ITEMS)
def test_not_applicable_gives_full_marks_with_blank_rows(
    rubric: Rubric, na: str, scored: str, item: int, full: int
) -> None:
    e = run(rubric, {na: "是", scored: None, "1.1": 0})
    assert e.errors == () and e.warnings == ()
    assert e.items is not None and e.items[item].score == full and not e.items[item].applicable


def test_not_applicable_ignores_what_was_typed_with_a_warning(rubric: Rubric) -> None:
    e = run(rubric, {"11.0": "是", "11.1": 1})
    assert codes(e) == ["na-rows-ignored"] and e.issues[0].subject == "11.1"
    assert e.items is not None and e.items[11].score == 4


def test_applicable_item_still_needs_its_rows(rubric: Rubric) -> None:
    assert codes(run(rubric, {"11.0": "否", "11.1": None})) == ["value-missing"]
    assert codes(run(rubric, {"11.0": None})) == ["value-missing"]
    assert codes(run(rubric, {"11.0": "不适用"})) == ["value-not-yes-no"]
    e = run(rubric, {"11.0": "否", "11.1": 2.5})
    assert e.items is not None and e.items[11].score == 2.5


# ── total, bonus, pass mark ──
MINUS_20 = {"9.1": 0, "11.1": 0, "12.1": 0, "2.1": 0, "3.1": 0, "22.1": 0}


def test_pass_mark_boundary_79_5_and_80(rubric: Rubric) -> None:
    at_80 = run(rubric, MINUS_20)
    assert (at_80.total, at_80.verdict) == (80, Verdict.PASS)
    at_79_5 = run(rubric, {**MINUS_20, "1.2": 0.5})
    assert (at_79_5.total, at_79_5.verdict) == (d("79.5"), Verdict.FAIL)
    assert at_79_5.categories == {1: 3.5, 2: 28, 3: 28, 4: 10, 5: 10}


def test_bonus_lifts_a_near_miss_and_is_capped_at_100(rubric: Rubric) -> None:
    lifted = run(rubric, {**MINUS_20, "1.2": 0.5, "B": 0.5}, evidence={"B": "全国文明社区"})
    assert (lifted.total, lifted.bonus, lifted.verdict) == (80, d("0.5"), Verdict.PASS)
    capped = run(rubric, {"1.2": 0, "B": 3}, evidence={"B": "省级绿色社区"})
    assert (capped.total, capped.bonus, capped.item_total) == (100, 3, 99)
    full = run(rubric, {"B": 3}, evidence={"B": "省级文明社区"})
    assert full.total == 100


@pytest.mark.parametrize(
    ("bonus", "evidence", "expected"),
    [(None, None, 0), (0, None, 0), ("", None, 0), (1, "省级卫生社区", 1), (3, "x", 3), ("2.5", "全国示范", 2.5),
     (3.5, "x", "value-out-of-range"), (1.3, "x", "value-off-step"), (-1, "x", "value-out-of-range"),
     (1, None, "bonus-no-evidence"), (1, "  ", "bonus-no-evidence"), ("很多", "x", "value-not-number")],
)  # fmt: skip
def test_bonus_entry(rubric: Rubric, bonus: object, evidence: str | None, expected: object) -> None:
    e = run(rubric, {"B": bonus, "1.1": 0}, evidence={"B": evidence} if evidence is not None else None)
    if isinstance(expected, str):
        assert codes(e) == [expected] and e.issues[0].subject == "B"
    else:
        assert e.bonus == d(str(expected)) and e.total == min(100, 98 + d(str(expected)))


def test_bonus_without_evidence_points_at_the_evidence_cell(rubric: Rubric) -> None:
    e = run(rubric, {"B": 2}, evidence={"B": None})
    assert e.issues[0].cell is not None and e.issues[0].cell.startswith("J")


# ── vetoes ──
@pytest.mark.parametrize("veto", ["V1", "V3", "V4"])
def test_count_vetoes_hold_at_five(rubric: Rubric, veto: str) -> None:
    four = run(rubric, {veto: 4})
    assert (four.verdict, four.vetoes) == (Verdict.PASS, ())
    five = run(rubric, {veto: 5})
    assert (five.verdict, five.vetoes, five.total) == (Verdict.VETO, (veto,), 100)
    assert codes(run(rubric, {veto: None})) == ["value-missing"]
    assert codes(run(rubric, {veto: "无"})) == ["value-not-number"]
    assert codes(run(rubric, {veto: 2.5})) == ["value-not-whole"]


def test_several_vetoes_are_all_listed(rubric: Rubric) -> None:
    e = run(rubric, {"V1": 5, "V4": 9}, compounds=[C(green=1000)])
    assert e.vetoes == ("V1", "V2", "V4") and e.verdict is Verdict.VETO


@pytest.mark.parametrize(
    ("row", "count", "veto", "veto_count", "warns"),
    [("19.1", 5, "V1", 0, True), ("19.1", 4, "V1", 0, False), ("19.1", 5, "V1", 5, False),
     ("6.1", 5, "V4", 4, True), ("6.1", 7, "V4", 5, False)],
)  # fmt: skip
def test_veto_consistency_warnings(
    rubric: Rubric, row: str, count: int, veto: str, veto_count: int, warns: bool
) -> None:
    e = run(rubric, {row: count, veto: veto_count})
    assert (codes(e) == ["veto-inconsistent"]) is warns
    assert e.errors == ()


def _failing_share(failing: int, total: int) -> list[C]:
    return [C(green=1000)] * failing + [C()] * (total - failing)


def test_v2_holds_above_half_of_compounds_failing(rubric: Rubric) -> None:
    assert run(rubric, compounds=_failing_share(1, 2)).vetoes == ()
    assert run(rubric, compounds=_failing_share(2, 3)).vetoes == ("V2",)
    assert run(rubric, compounds=_failing_share(5000, 10000)).vetoes == ()  # 50 %
    assert run(rubric, compounds=_failing_share(5001, 10000)).vetoes == ("V2",)  # 50.01 %
    assert run(rubric, compounds=[C(green=1000)]).vetoes == ("V2",)


def test_a_value_typed_into_a_derived_row_is_ignored_with_a_warning(rubric: Rubric) -> None:
    e = run(rubric, {"15.1": 0, "V2": 3})
    assert codes(e) == ["derived-value-ignored", "derived-value-ignored"]
    assert e.total == 100 and e.vetoes == ()


# ── the 小区 sheet and the derived rows ──
@pytest.mark.parametrize(
    ("built", "green", "score_15_1"),
    [(2010, 3000, 2), (2010, "2999.5", 2),  # 29.995 rounds half up to 30.00: no shortfall
     (2010, 2999, 1),  # shortfall 0.01
     (2010, 2500, 1),  # 5.00
     (2010, 2499, 0),  # 5.01
     (2010, 1999, 0),  # 10.01
     (2017, 3500, 2), (2017, 3499, 1), (2016, 3000, 2), (2017, 3000, 1)],
)  # fmt: skip
def test_green_space_shortfall_steps(rubric: Rubric, built: int, green: Raw, score_15_1: int) -> None:
    e = run(rubric, compounds=[C(built=built, area=10000, green=green)])
    assert e.items is not None and e.items[15].rows[0].contribution == score_15_1


def test_green_shortfall_is_weighted_by_area_and_surplus_never_offsets(rubric: Rubric) -> None:
    # A: 1 000 m² at 20 % (short by 10); B: 9 000 m² at 40 %. S = 1 000 × 10 / 10 000 = 1 → 1 point off.
    e = run(rubric, compounds=[C(area=1000, green=200), C(area=9000, green=3600)])
    assert e.items is not None and e.items[15].rows[0].contribution == 1
    assert e.vetoes == ()  # 1 of 2 fails: 50 %, not above
    assert [float(c.ratio) for c in e.compounds] == [20.0, 40.0]


@pytest.mark.parametrize(("not_sorting", "score_23"), [(0, 2), (1, 1.5), (3, 0.5), (4, 0), (5, 0)])
def test_garbage_sorting_per_compound(rubric: Rubric, not_sorting: int, score_23: float) -> None:
    compounds = [C(sort="否")] * not_sorting + [C()] * 2
    e = run(rubric, compounds=compounds)
    assert e.items is not None and e.items[23].score == d(score_23)


@pytest.mark.parametrize(("served", "unserved", "score_24"), [(3000, 7000, 0), (3001, 6999, 4), (0, 1, 0), (1, 0, 4)])
def test_property_service_share_must_exceed_30_percent(
    rubric: Rubric, served: int, unserved: int, score_24: int
) -> None:
    compounds = [c for c in (C(area=served, green=served), C(area=unserved, green=unserved, prop="否")) if c.area]
    e = run(rubric, compounds=compounds)
    assert e.items is not None and e.items[24].score == score_24


def test_no_sorting_task_but_compounds_not_sorting_warns(rubric: Rubric) -> None:
    e = run(rubric, {"14.0": "是", "14.1": None}, compounds=[C(sort="否"), C()])
    assert codes(e) == ["na-derived-conflict"]
    assert e.items is not None and e.items[14].score == 4 and e.items[23].score == d("1.5")


@pytest.mark.parametrize(
    ("compound", "code", "column"),
    [(C(name=None), "compound-name-missing", "A"), (C(built=1899), "compound-year-invalid", "B"),
     (C(built=2023), "compound-year-invalid", "B"), (C(built="二〇一〇"), "compound-year-invalid", "B"),
     (C(built=2010.5), "compound-year-invalid", "B"), (C(area=0), "compound-area-invalid", "C"),
     (C(area=-5), "compound-area-invalid", "C"), (C(green=10001), "compound-green-invalid", "D"),
     (C(green=-1), "compound-green-invalid", "D"), (C(prop="有"), "value-not-yes-no", "E"),
     (C(sort=None), "value-missing", "F")],
)  # fmt: skip
def test_compound_errors_point_at_their_cell(rubric: Rubric, compound: C, code: str, column: str) -> None:
    e = run(rubric, compounds=[compound])
    assert codes(e) == [code] and e.verdict is Verdict.INVALID
    assert (e.issues[0].sheet, e.issues[0].cell) == ("小区", f"{column}2")


def test_compound_text_values_read_as_meant(rubric: Rubric) -> None:
    e = run(rubric, compounds=[C(built="2010年", area="10,000", green="4000㎡", prop="Y", sort=1)])
    assert e.errors == () and e.total == 100


def test_blank_compound_rows_are_skipped_and_at_least_one_is_required(rubric: Rubric) -> None:
    blank = C(name=None, built=None, area=None, green=None, prop=None, sort=None)
    assert run(rubric, compounds=[blank, C(), blank]).total == 100
    e = run(rubric, compounds=[blank])
    assert codes(e) == ["compounds-missing"] and e.issues[0].sheet == "小区"


# ── the whole file at once ──
def test_all_issues_are_reported_at_once_and_invalid_has_no_scores(rubric: Rubric) -> None:
    e = run(rubric, {"1.1": 7, "4.1": "也许", "7.3": 0.5, "V1": None, "B": 1, "7.2": DROP},
            compounds=[C(area=0)])  # fmt: skip
    assert sorted(codes(e)) == sorted(["value-out-of-range", "value-not-yes-no", "deduct-below-minimum",
                                       "value-missing", "bonus-no-evidence", "row-missing",
                                       "compound-area-invalid"])  # fmt: skip
    assert (e.verdict, e.total, e.bonus, e.categories, e.items, e.vetoes) == (
        Verdict.INVALID, None, None, None, None, ())  # fmt: skip
    missing = next(i for i in e.issues if i.code == "row-missing")
    assert (missing.sheet, missing.cell, missing.subject) == ("评分表", None, "7.2")


def test_messages_are_chinese_and_name_the_value(rubric: Rubric) -> None:
    (issue,) = run(rubric, {"7.3": 7.3}).issues
    assert "7.3" in issue.message and "超出" in issue.message
    assert issue.where == f"{issue.sheet}!{issue.cell}"


def test_exact_arithmetic_never_drifts(rubric: Rubric) -> None:
    halves = dict.fromkeys(("1.1", "2.1", "3.1", "9.1", "11.1", "12.1", "17.1", "22.1", "25.1"), 0.5)
    e = run(rubric, halves)
    assert e.total == Decimal("100") - sum(rubric.row(c).points - Decimal("0.5") for c in halves)
    assert isinstance(e.total, Decimal) and (e.total * 2) == (e.total * 2).to_integral_value()
