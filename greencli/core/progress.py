"""The campaign's yearly standing, from the roster and the ledger's current evaluations (standard.md, 三 and 五).

Status at the end of year Y, where held(Y−1) means the status at Y−1 was 达标, 复审通过 or 待复审:
evaluated and passed → 复审通过 if held(Y−1) else 达标; evaluated and failed or vetoed → 撤销 if held(Y−1) else
未达标; not evaluated → 待复审 if the status at Y−1 was 达标 or 复审通过, 逾期未复审 if it was 待复审 (a second
year without the re-review ends the title), else 未达标 if ever evaluated, else 未参与.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from greencli.core.batch import DISTRICT
from greencli.core.model import JsonObject, JsonValue
from greencli.core.outcome import Outcome
from greencli.core.roster import Community
from greencli.core.rubric import Campaign, Rubric
from greencli.core.values import as_float


class Status(StrEnum):
    PASS = "pass"
    REPASS = "repass"
    REVOKED = "revoked"
    FAIL = "fail"
    PENDING = "pending"
    LAPSED = "lapsed"
    ABSENT = "absent"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def holds(self) -> bool:
        return self in (Status.PASS, Status.REPASS, Status.PENDING)


STATUS_LABELS = {
    Status.PASS: "达标",
    Status.REPASS: "复审通过",
    Status.REVOKED: "撤销",
    Status.FAIL: "未达标",
    Status.PENDING: "待复审",
    Status.LAPSED: "逾期未复审",
    Status.ABSENT: "未参与",
}
CORRECTING, CORRECTING_LABEL = "correcting", "待改正"


@dataclass(frozen=True)
class Current:
    """A community's current evaluation for one year, as the ledger holds it."""

    community_id: str
    year: int
    verdict: str  # pass | fail | veto
    total: Decimal
    vetoes: tuple[str, ...] = ()
    review_date: date | None = None  # None: counts as the end of its year (an evaluation recorded under 2021.1)

    @classmethod
    def of(cls, o: Outcome) -> Current:
        assert o.year is not None and o.total is not None, "a recorded evaluation has a year and a total"
        return cls(o.community_id, o.year, o.verdict.value, o.total, o.vetoes, o.review_date)

    def dated(self, campaign: Campaign) -> date:
        """The day it counts as made (Campaign.dated)."""
        return campaign.dated(self.review_date, self.year)


def currents(outcomes: Iterable[Outcome]) -> list[Current]:
    """The progress walk's view of the ledger's current evaluations."""
    return [Current.of(o) for o in outcomes]


@dataclass(frozen=True)
class Standing:
    """One community's standing in a year: its status, latest total and vetoes, the years it first passed and was
    first evaluated, whether it was evaluated this year."""

    community: Community
    status: Status
    total: Decimal | None  # of the latest current evaluation up to the year
    latest_year: int | None
    vetoes: tuple[str, ...]
    first_passed: int | None
    first_evaluated: int | None
    evaluated_this_year: bool
    invalid_submission: bool = False  # a workbook for this year came in invalid and no valid one followed it
    title_date: date | None = None  # 命名日期 of the title held at the end of the year
    held_before: bool = False  # held the title at the end of the year before
    provincial_eligible: bool = False  # judged on the progress report's as-of day
    status_before: Status = Status.ABSENT  # at the end of the year before

    @property
    def due(self) -> bool:
        """Its annual re-review falls due in the year: 达标 or 复审通过 at the end of the year before, or 待复审
        then (overdue: without a re-review this year the title lapses at its end)."""
        return self.community.urban and self.status_before in (Status.PASS, Status.REPASS, Status.PENDING)

    @property
    def overdue(self) -> bool:
        return self.due and self.status_before is Status.PENDING

    @property
    def nominated(self) -> bool:
        """A nomination of the year: evaluated in it without holding the title the year before (first-time
        applicants, those applying again, lapsed titles coming back); urban communities only."""
        return self.community.urban and self.evaluated_this_year and not self.held_before

    @property
    def display_status(self) -> str:
        """What the tables show: 待改正 for a community whose workbook this year was invalid, unless it holds the
        title (its status then stands, with a note)."""
        return CORRECTING if self.invalid_submission and not self.status.holds else self.status.value

    @property
    def display_label(self) -> str:
        if self.display_status == CORRECTING:
            return CORRECTING_LABEL
        return self.status.label + ("（本年评分表无效，待改正）" if self.invalid_submission else "")


@dataclass(frozen=True)
class Tally:
    """A 乡街's (or the district's) counts in a year against the year's target."""

    name: str
    urban: int
    evaluated: int
    passed: int
    holders: int
    pending: int
    revoked: int
    target: Decimal | None
    lapsed: int = 0
    nominations: int = 0
    nominations_passed: int = 0
    candidates: int = 0  # urban communities that did not hold the title the year before (could be nominated)

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.holders, self.urban) if self.urban else None

    @property
    def met(self) -> bool | None:
        """None when there is no target, or no urban community to measure (a 乡街 of villages only)."""
        if self.target is None or self.rate is None:
            return None
        return self.rate >= Fraction(self.target)

    @property
    def gap(self) -> int | None:
        """How many more communities must hold the title: ⌈target × urban⌉ − holders, exact, never below 0."""
        if self.target is None:
            return None
        return max(0, math.ceil(Fraction(self.target) * self.urban) - self.holders)


def anniversary(day: date) -> date:
    """The first anniversary of `day` (a title of 29 February reaches it on 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return date(day.year + 1, 2, 28)


def statuses(
    communities: Sequence[Community],
    evaluations: Sequence[Current],
    year: int,
    campaign: Campaign,
    as_of: date | None = None,
    named: Mapping[tuple[str, int], date] | None = None,
) -> list[Standing]:
    """Every community's standing at the end of `year`, walking the years from the campaign's first; provincial
    eligibility judged on `as_of` (default the end of `year`, as the campaign sets it). `named` holds the city's
    naming dates by (code folded to one case, year): a title begun that year dates from its naming, else from its
    评审日期."""
    named = named or {}
    judged_on = as_of or campaign.end_of(year)
    by_community: dict[str, dict[int, Current]] = {}
    for e in evaluations:
        by_community.setdefault(e.community_id.casefold(), {})[e.year] = e
    out = []
    for community in communities:
        history = by_community.get(community.code.casefold(), {})
        status, before = Status.ABSENT, Status.ABSENT
        ever = False
        first_passed: int | None = None
        title: date | None = None
        for y in range(campaign.first_year, year + 1):
            before = status
            found = history.get(y)
            if found is not None:
                ever = True
                if found.verdict == "pass":
                    status = Status.REPASS if before.holds else Status.PASS
                    first_passed = first_passed if first_passed is not None else y
                    if status is Status.PASS:  # a new title begins
                        title = named.get((community.code.casefold(), y), found.dated(campaign))
                else:
                    status = Status.REVOKED if before.holds else Status.FAIL
            elif before in (Status.PASS, Status.REPASS):
                status = Status.PENDING
            elif before is Status.PENDING:
                status = Status.LAPSED
            else:
                status = Status.FAIL if ever else Status.ABSENT
            if not status.holds:
                title = None
        past = [y for y in history if campaign.first_year <= y <= year]
        latest = history[max(past)] if past else None
        # 达标 or 复审通过 at the end of Y: a 待复审 title still counts toward the rate, but a community whose annual
        # re-review was missed is not put forward as 择优 (standard.md, provincial eligibility)
        reviewed = status in (Status.PASS, Status.REPASS)
        eligible = community.urban and reviewed and title is not None and judged_on >= anniversary(title)
        out.append(Standing(
            community=community, status=status, total=latest.total if latest else None,
            latest_year=latest.year if latest else None, vetoes=latest.vetoes if latest else (),
            first_passed=first_passed, first_evaluated=min(past) if past else None,
            evaluated_this_year=year in history, title_date=title, held_before=before.holds,
            provincial_eligible=eligible, status_before=before,
        ))  # fmt: skip
    return out


def tally(name: str, standings: Sequence[Standing], target: Decimal | None) -> Tally:
    urban = [s for s in standings if s.community.urban]
    return Tally(
        name=name,
        urban=len(urban),
        evaluated=sum(1 for s in urban if s.evaluated_this_year),
        passed=sum(1 for s in urban if s.evaluated_this_year and s.status in (Status.PASS, Status.REPASS)),
        holders=sum(1 for s in urban if s.status.holds),
        pending=sum(1 for s in urban if s.status is Status.PENDING),
        revoked=sum(1 for s in urban if s.status is Status.REVOKED),
        target=target,
        lapsed=sum(1 for s in urban if s.status is Status.LAPSED),
        nominations=sum(1 for s in urban if s.nominated),
        nominations_passed=sum(1 for s in urban if s.nominated and s.status is Status.PASS),
        candidates=sum(1 for s in urban if not s.held_before),
    )


def provincial_order(standings: Iterable[Standing]) -> list[Standing]:
    """The eligible, for 择优推荐: latest total (highest first), then the earlier title date, then code."""
    eligible = [s for s in standings if s.provincial_eligible]
    return sorted(eligible, key=lambda s: (-(s.total or Decimal(0)), s.title_date or date.max, s.community.code))


def candidates(standings: Sequence[Standing], pass_mark: Decimal) -> list[Standing]:
    """Urban communities without the title, closest first: fewest vetoes to clear, then fewest points short of the
    pass mark; never-evaluated ones last; otherwise in the order of `standings` (the roster's, as every other list)."""

    def key(s: Standing) -> tuple[int, int, Decimal]:
        if s.total is None:
            return (1, 0, Decimal(0))
        return (0, len(s.vetoes), max(Decimal(0), pass_mark - s.total))

    return sorted((s for s in standings if s.community.urban and not s.status.holds), key=key)  # sorted() is stable


@dataclass(frozen=True)
class Progress:
    """A year's progress: the district's and each 乡街's tally, each community's standing, the candidates for the
    provincial list, and ledger codes the roster does not know."""

    year: int
    as_of: date  # the day provincial eligibility is judged on
    target: Decimal | None
    district: Tally
    subdistricts: tuple[Tally, ...]
    standings: tuple[Standing, ...]
    candidates: tuple[Standing, ...]
    unknown: tuple[str, ...]  # community codes in the ledger but not in the roster

    @property
    def overdue(self) -> tuple[Standing, ...]:
        return tuple(s for s in self.standings if s.community.urban and s.status is Status.PENDING)

    @property
    def revoked(self) -> tuple[Standing, ...]:
        return tuple(s for s in self.standings if s.community.urban and s.status is Status.REVOKED)

    @property
    def lapsed(self) -> tuple[Standing, ...]:
        return tuple(s for s in self.standings if s.community.urban and s.status is Status.LAPSED)

    @property
    def provincial(self) -> tuple[Standing, ...]:
        """The eligible on the as-of day, in 择优推荐 order."""
        return tuple(provincial_order(self.standings))

    @property
    def due(self) -> tuple[Standing, ...]:
        """Whose re-review falls due in the year (应复审): the overdue first, then the others, in roster order."""
        due = [s for s in self.standings if s.due]
        return tuple(sorted(due, key=lambda s: not s.overdue))


def progress(
    rubric: Rubric,
    communities: Sequence[Community],
    evaluations: Sequence[Current],
    year: int,
    invalid: Collection[tuple[str, int]] = (),
    as_of: date | None = None,
    named: Mapping[tuple[str, int], date] | None = None,
) -> Progress:
    """The standing of every community and 乡街 at the end of `year` against that year's target; `invalid` names the
    (community, year) pairs whose latest workbook was invalid; provincial eligibility is judged on `as_of`
    (default the end of `year`, as the campaign sets it)."""
    target = rubric.campaign.target_for(year)
    judged_on = as_of or rubric.campaign.end_of(year)
    flagged = {code.casefold() for code, y in invalid if y == year}
    standings = [
        dataclasses.replace(s, invalid_submission=True) if s.community.code.casefold() in flagged else s
        for s in statuses(communities, evaluations, year, rubric.campaign, judged_on, named)
    ]
    order = list(dict.fromkeys(c.subdistrict for c in communities))
    subdistricts = tuple(
        tally(name, [s for s in standings if s.community.subdistrict == name], target) for name in order
    )
    known = {c.code.casefold() for c in communities}
    return Progress(
        year=year,
        as_of=judged_on,
        target=target,
        district=tally(DISTRICT, standings, target),
        subdistricts=subdistricts,
        standings=tuple(standings),
        candidates=tuple(candidates(standings, rubric.pass_mark)),
        unknown=tuple(sorted({e.community_id for e in evaluations if e.community_id.casefold() not in known})),
    )


def nomination_warning(t: Tally, low: int, high: int) -> str | None:
    """Above the most a 乡街 reports a year; at none only when it had a community that could have been reported."""
    if t.urban == 0:
        return None
    if t.nominations == 0 and t.candidates > 0:
        return f"{t.name}本年度没有新申报的社区（每个乡街每年应推荐{low}～{high}个）"
    if t.nominations > high:
        return f"{t.name}本年度新申报 {t.nominations} 个社区，超过每年{high}个的推荐数"
    return None


def nomination_warnings(p: Progress, campaign: Campaign) -> dict[str, str]:
    """乡街 name → what is wrong with its nominations this year, for the 乡街 with something wrong."""
    low, high = campaign.nominations_min, campaign.nominations_max
    found = {t.name: nomination_warning(t, low, high) for t in p.subdistricts}
    return {name: warning for name, warning in found.items() if warning}


@dataclass(frozen=True)
class ProgressWarning:
    """One line the progress report warns with: about a 乡街 (its nominations), or about the ledger (None)."""

    subdistrict: str | None
    message: str


def progress_warnings(p: Progress, campaign: Campaign) -> list[ProgressWarning]:
    """The 乡街 whose nominations are off, then the ledger's community codes the roster does not have."""
    warned = [ProgressWarning(name, message) for name, message in nomination_warnings(p, campaign).items()]
    return warned + [ProgressWarning(None, f"评分记录中的社区编码 {code} 不在社区名单中，未计入") for code in p.unknown]


def points_short(s: Standing, pass_mark: Decimal) -> Decimal | None:
    """Points between the latest total and the pass mark (0 when reached; None when never evaluated)."""
    return max(Decimal(0), pass_mark - s.total) if s.total is not None else None


def tally_json(t: Tally) -> JsonObject:
    return {
        "name": t.name, "urban": t.urban, "evaluated": t.evaluated, "passed": t.passed, "holders": t.holders,
        "pending": t.pending, "revoked": t.revoked, "lapsed": t.lapsed, "nominations": t.nominations,
        "nominations_passed": t.nominations_passed, "rate": as_float(t.rate), "target": as_float(t.target), "met": t.met,
        "gap": t.gap,
    }  # fmt: skip


def standing_json(s: Standing) -> JsonObject:
    return {
        "community_id": s.community.code,
        "community": s.community.name,
        "subdistrict": s.community.subdistrict,
        "urban": s.community.urban,
        "status": s.status.value,
        "status_label": s.status.label,
        "total": as_float(s.total),
        "latest_year": s.latest_year,
        "vetoes": list(s.vetoes),
        "first_passed": s.first_passed,
        "title_date": s.title_date.isoformat() if s.title_date else None,
        "provincial_eligible": s.provincial_eligible,
        "nominated": s.nominated,
        "invalid_submission": s.invalid_submission,
        "display_status": s.display_status,
        "display_label": s.display_label,
    }


def progress_json(p: Progress, rubric: Rubric) -> JsonObject:
    """`progress --json`, as the contract lays it out, with the lists the table shows added."""
    district = tally_json(p.district)
    district.pop("name")
    district.pop("target")
    flagged = nomination_warnings(p, rubric.campaign)
    subdistricts: list[JsonValue] = [
        {**tally_json(t), "nomination_warning": flagged.get(t.name)} for t in p.subdistricts
    ]
    warnings: list[JsonValue] = [
        {"subdistrict": w.subdistrict, "message": w.message} for w in progress_warnings(p, rubric.campaign)
    ]
    return {
        "year": p.year,
        "as_of": p.as_of.isoformat(),
        "nomination_deadline": rubric.campaign.deadline(p.year).isoformat(),
        "target": as_float(p.target),
        "pass_mark": float(rubric.pass_mark),
        "district": district,
        "subdistricts": subdistricts,
        "communities": [standing_json(s) for s in p.standings],
        "overdue": [s.community.code for s in p.overdue],
        "revoked": [s.community.code for s in p.revoked],
        "lapsed": [s.community.code for s in p.lapsed],
        "provincial": [s.community.code for s in p.provincial],
        "due": [
            {
                "community_id": s.community.code,
                "community": s.community.name,
                "subdistrict": s.community.subdistrict,
                "overdue": s.overdue,
                "reviewed": s.evaluated_this_year,
                "status": s.status.value,
            }
            for s in p.due
        ],
        "candidates": [
            {**standing_json(s), "points_short": as_float(points_short(s, rubric.pass_mark))} for s in p.candidates
        ],
        "warnings": warnings,
    }
