"""Statuses, tallies and gaps exactly as standard.md defines them, table-driven over hand-made histories."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from greencli.adapters.rubric_file import load_rubric
from greencli.core.progress import Current, Status, Tally, candidates, progress, statuses
from greencli.core.roster import Community
from greencli.core.rubric import Rubric

URBAN = Community("A", "甲社区", "珠江道街道", "城市社区")
# the bundled campaign, walked from 2020 so that the histories below can start there
CAMPAIGN = dataclasses.replace(load_rubric().campaign, first_year=2020)


def history(*years: tuple[int, str]) -> list[Current]:
    return [Current("A", y, verdict, Decimal(90 if verdict == "pass" else 70)) for y, verdict in years]


# (history as (year, verdict), year asked, expected status) — every transition of standard.md
TRANSITIONS = [
    ((), 2021, Status.ABSENT),
    (((2021, "pass"),), 2021, Status.PASS),
    (((2021, "fail"),), 2021, Status.FAIL),
    (((2021, "veto"),), 2021, Status.FAIL),
    (((2021, "pass"), (2022, "pass")), 2022, Status.REPASS),
    (((2021, "pass"), (2022, "fail")), 2022, Status.REVOKED),
    (((2021, "pass"), (2022, "veto")), 2022, Status.REVOKED),
    (((2021, "pass"),), 2022, Status.PENDING),  # the title stands through the year its re-review falls due
    (((2021, "pass"),), 2023, Status.LAPSED),  # a second year without the re-review ends it
    (((2021, "pass"),), 2024, Status.FAIL),  # ever evaluated, holds nothing
    (((2021, "pass"), (2024, "fail")), 2024, Status.FAIL),  # after a lapse a failure is 未达标, not 撤销
    (((2021, "pass"), (2024, "pass")), 2024, Status.PASS),  # a lapsed title coming back is a new title
    (((2021, "pass"), (2022, "pass")), 2023, Status.PENDING),
    (((2021, "pass"), (2022, "pass")), 2024, Status.LAPSED),
    (((2021, "pass"), (2023, "pass")), 2023, Status.REPASS),  # held through 2022 as pending
    (((2021, "pass"), (2023, "fail")), 2023, Status.REVOKED),
    (((2021, "fail"),), 2022, Status.FAIL),  # ever evaluated, never held
    (((2021, "pass"), (2022, "fail"), (2023, "pass")), 2023, Status.PASS),  # lost the title, passes again: 达标
    (((2021, "pass"), (2022, "fail")), 2023, Status.FAIL),
    (((2022, "pass"),), 2021, Status.ABSENT),  # the future does not count
    (((2020, "pass"), (2021, "pass")), 2021, Status.REPASS),
]


@pytest.mark.parametrize(("years", "asked", "expected"), TRANSITIONS)
def test_status_transitions(years: tuple[tuple[int, str], ...], asked: int, expected: Status) -> None:
    (standing,) = statuses([URBAN], history(*years), asked, CAMPAIGN)
    assert standing.status is expected
    assert (standing.title_date is not None) is expected.holds


def test_latest_total_first_pass_and_evaluated_flag() -> None:
    (s,) = statuses([URBAN], history((2021, "fail"), (2022, "pass")), 2023, CAMPAIGN)
    assert (s.total, s.latest_year, s.first_passed, s.first_evaluated, s.evaluated_this_year) == (
        90,
        2022,
        2022,
        2021,
        False,
    )


@pytest.mark.parametrize(
    ("target", "urban", "holders", "gap", "met"),
    [("0.3", 10, 3, 0, True), ("0.3", 10, 2, 1, False), ("0.3", 7, 2, 1, False), ("0.3", 7, 3, 0, True),
     ("0.6", 48, 28, 1, False), ("0.6", 48, 29, 0, True), ("0.6", 5, 3, 0, True), ("0.6", 5, 2, 1, False),
     ("0.3", 1, 0, 1, False), ("0.6", 10, 10, 0, True)],
)  # fmt: skip
def test_gap_rounds_up_exactly(target: str, urban: int, holders: int, gap: int, met: bool) -> None:
    t = Tally("x", urban, 0, 0, holders, 0, 0, Decimal(target))
    assert (t.gap, t.met, t.rate) == (gap, met, Fraction(holders, urban))


def test_no_target_and_no_urban() -> None:
    assert (Tally("x", 10, 0, 0, 3, 0, 0, None).met, Tally("x", 10, 0, 0, 3, 0, 0, None).gap) == (None, None)
    assert Tally("x", 0, 0, 0, 0, 0, 0, Decimal("0.3")).met is None


def test_targets_by_year(rubric: Rubric) -> None:
    roster = [URBAN]
    assert [progress(rubric, roster, [], y).target for y in (2020, 2021, 2022, 2025)] == [
        None, Decimal("0.3"), Decimal("0.6"), Decimal("0.6")]  # fmt: skip


def test_villages_are_listed_but_never_counted(rubric: Rubric) -> None:
    village = Community("V", "西河村", "渤海乡", "村")
    evaluations = [*history((2021, "pass")), Current("V", 2021, "pass", Decimal(95))]
    p = progress(rubric, [URBAN, village], evaluations, 2021)
    assert (p.district.urban, p.district.holders, p.district.evaluated, p.district.passed) == (1, 1, 1, 1)
    assert {s.community.code: s.status for s in p.standings} == {"A": Status.PASS, "V": Status.PASS}
    assert [t.name for t in p.subdistricts] == ["珠江道街道", "渤海乡"] and p.subdistricts[1].urban == 0


def test_candidates_closest_first_vetoes_before_points(rubric: Rubric) -> None:
    roster = [Community(c, c, "s", "城市社区") for c in "BCDEF"]
    evaluations = [
        Current("B", 2022, "fail", Decimal("79.5")),
        Current("C", 2022, "veto", Decimal(95), ("V1",)),
        Current("D", 2022, "fail", Decimal(60)),
        Current("E", 2022, "veto", Decimal(90), ("V1", "V3")),
    ]
    ordered = [s.community.code for s in candidates(statuses(roster, evaluations, 2022, CAMPAIGN), rubric.pass_mark)]
    assert ordered == ["B", "D", "C", "E", "F"]


def test_nominations_count_first_valid_evaluations_of_the_year(rubric: Rubric) -> None:
    roster = [Community(c, c, "珠江道街道", "城市社区") for c in "ABC"] + [
        Community("D", "D", "黄河道街道", "城市社区")
    ]
    evaluations = [Current("A", 2021, "pass", Decimal(90)), Current("A", 2022, "pass", Decimal(90)),
                   Current("B", 2022, "fail", Decimal(50)), Current("C", 2022, "veto", Decimal(85), ("V2",))]  # fmt: skip
    p = progress(rubric, roster, evaluations, 2022)
    assert [(t.name, t.nominations) for t in p.subdistricts] == [("珠江道街道", 2), ("黄河道街道", 0)]


def dated(*years: tuple[int, str, str]) -> list[Current]:
    return [Current("A", y, v, Decimal(90), (), date.fromisoformat(d)) for y, v, d in years]


@pytest.mark.parametrize(
    ("evaluations", "year", "as_of", "title", "eligible"),
    [
        (((2021, "pass", "2021-10-12"), (2022, "pass", "2022-09-01")), 2022, "2022-10-11", "2021-10-12", False),  # the day before
        (((2021, "pass", "2021-10-12"), (2022, "pass", "2022-09-01")), 2022, "2022-10-12", "2021-10-12", True),  # the anniversary itself
        (((2021, "pass", "2021-10-12"),), 2021, "2021-12-31", "2021-10-12", False),  # not a year old
        (((2020, "pass", "2020-02-29"), (2021, "pass", "2021-02-01")), 2021, "2021-02-27", "2020-02-29", False),
        (((2020, "pass", "2020-02-29"), (2021, "pass", "2021-02-01")), 2021, "2021-02-28", "2020-02-29", True),  # 29 Feb: on 28 Feb
        # 待复审 (the year's re-review missed): the title counts toward the rate but is never put forward, whatever
        # the as-of day
        (((2021, "pass", "2021-10-12"),), 2022, "2022-10-12", "2021-10-12", False),
        (((2021, "pass", "2021-01-04"),), 2022, "2022-12-31", "2021-01-04", False),
        (((2021, "pass", "2021-01-04"),), 2022, "2025-06-30", "2021-01-04", False),
        (((2021, "pass", "2021-06-01"), (2022, "pass", "2022-06-01")), 2022, "2022-12-31", "2021-06-01", True),
        (((2021, "pass", "2021-06-01"), (2022, "fail", "2022-06-01"), (2023, "pass", "2023-05-01")), 2023,
         "2023-12-31", "2023-05-01", False),  # the title regained in 2023 is a new one: not a year old
        (((2021, "pass", "2021-06-01"),), 2023, "2023-12-31", None, False),  # lapsed: no title
    ],
)  # fmt: skip
def test_title_date_and_provincial_eligibility_on_the_as_of_day(
    evaluations: tuple[tuple[int, str, str], ...], year: int, as_of: str, title: str | None, eligible: bool
) -> None:
    (s,) = statuses([URBAN], dated(*evaluations), year, CAMPAIGN, date.fromisoformat(as_of))
    assert (s.title_date.isoformat() if s.title_date else None, s.provincial_eligible) == (title, eligible)


def test_a_title_without_a_review_date_counts_from_31_december() -> None:
    (s,) = statuses([URBAN], history((2021, "pass"), (2022, "pass")), 2022, CAMPAIGN)
    assert s.title_date == date(2021, 12, 31) and s.provincial_eligible  # eligible on 2022-12-31, the default


def test_the_year_ends_where_the_campaign_says() -> None:
    """A campaign whose year ends on 30 June: a title without a 评审日期 dates from then, and eligibility is judged
    then by default."""
    june = dataclasses.replace(CAMPAIGN, year_end=(6, 30))
    (s,) = statuses([URBAN], history((2021, "pass"), (2022, "pass")), 2022, june)
    assert s.title_date == date(2021, 6, 30) and s.provincial_eligible
    (early,) = statuses([URBAN], dated((2021, "pass", "2021-10-12"), (2022, "pass", "2022-09-01")), 2022, june)
    assert not early.provincial_eligible  # 30 June 2022 is before the title's first anniversary


def test_nominations_are_the_evaluated_who_did_not_hold_the_title(rubric: Rubric) -> None:
    roster = [Community(c, c, "珠江道街道", "城市社区") for c in "ABCD"]
    evaluations = [
        Current("A", 2021, "fail", Decimal(70)), Current("A", 2022, "pass", Decimal(85)),  # applies again, passes
        Current("B", 2021, "pass", Decimal(90)), Current("B", 2022, "pass", Decimal(91)),  # a re-review
        Current("C", 2022, "veto", Decimal(95)),  # first time, vetoed
    ]  # fmt: skip
    p = progress(rubric, roster, evaluations, 2022)
    (zj,) = p.subdistricts
    assert (zj.nominations, zj.nominations_passed) == (2, 1)
    assert [s.community.code for s in p.standings if s.nominated] == ["A", "C"]


def test_no_nomination_warning_when_every_community_holds_the_title(rubric: Rubric) -> None:
    from greencli.core.progress import nomination_warning

    roster = [Community("A", "A", "珠江道街道", "城市社区")]
    held = progress(rubric, roster, [Current("A", 2021, "pass", Decimal(90))], 2022)
    assert nomination_warning(held.subdistricts[0], 1, 2) is None
    absent = progress(rubric, roster, [], 2022)
    assert nomination_warning(absent.subdistricts[0], 1, 2) is not None


def test_provincial_order_is_total_then_title_date_then_code(rubric: Rubric) -> None:
    roster = [Community(c, c, "珠江道街道", "城市社区") for c in "ABC"]
    evaluations = [Current("A", 2021, "pass", Decimal(90), (), date(2021, 5, 1)),
                   Current("B", 2021, "pass", Decimal(95), (), date(2021, 6, 1)),
                   Current("C", 2021, "pass", Decimal(90), (), date(2021, 4, 1))]  # fmt: skip
    evaluations += [Current(e.community_id, 2022, "pass", e.total, (), date(2022, 3, 1)) for e in evaluations]
    p = progress(rubric, roster, evaluations, 2022)
    assert [s.community.code for s in p.provincial] == ["B", "C", "A"]
