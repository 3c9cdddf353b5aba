"""A batch of evaluations, as data: the score report, ranks, 乡街 statistics, points lost per unit, gaps to a pass.

The terminal table, `--json` and the consolidated workbook all render these same structures.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeAlias, overload

from greencli.core.issues import Issue
from greencli.core.model import JsonObject, JsonValue, Verdict
from greencli.core.outcome import Outcome
from greencli.core.rubric import Category, Item, Rubric
from greencli.core.values import as_float, points_of

DISTRICT = "全区"
UNKNOWN_SUBDISTRICT = "（未识别乡街）"


def competition_ranks(totals: Sequence[tuple[str, Decimal]]) -> dict[str, int]:
    """Rank by total, highest first; ties share a rank and the next rank skips (1, 2, 2, 4)."""
    ordered = sorted(totals, key=lambda kv: -kv[1])
    ranks: dict[str, int] = {}
    for position, (key, total) in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        ranks[key] = ranks[previous[0]] if previous is not None and previous[1] == total else position
    return ranks


def ranks(outcomes: Iterable[Outcome]) -> dict[str, tuple[int, int]]:
    """file → (rank in its 乡街, rank in the district), for outcomes that count."""
    counted = [o for o in outcomes if o.counts and o.total is not None]
    district = competition_ranks([(o.file, o.total) for o in counted if o.total is not None])
    out: dict[str, tuple[int, int]] = {}
    by_sub: dict[str, list[Outcome]] = defaultdict(list)
    for o in counted:
        by_sub[o.subdistrict].append(o)
    for members in by_sub.values():
        local = competition_ranks([(o.file, o.total) for o in members if o.total is not None])
        for o in members:
            out[o.file] = (local[o.file], district[o.file])
    return out


@dataclass(frozen=True)
class Stats:
    """One line of the batch summary: a 乡街's (or the district's) workbooks scored, passed, failed, vetoed and
    invalid, with the mean and median total."""

    name: str
    scored: int
    passed: int
    failed: int
    vetoed: int
    invalid: int
    mean: Decimal | None
    median: Decimal | None

    @property
    def pass_rate(self) -> Decimal | None:
        return Decimal(self.passed) / Decimal(self.scored) if self.scored else None


def _stats(name: str, outcomes: Sequence[Outcome]) -> Stats:
    counted = [o for o in outcomes if o.counts]
    totals = [o.total for o in counted if o.total is not None]
    return Stats(
        name=name,
        scored=len(counted),
        passed=sum(1 for o in counted if o.verdict is Verdict.PASS),
        failed=sum(1 for o in counted if o.verdict is Verdict.FAIL),
        vetoed=sum(1 for o in counted if o.verdict is Verdict.VETO),
        invalid=sum(1 for o in outcomes if o.verdict is Verdict.INVALID),
        mean=(sum(totals, Decimal(0)) / len(totals)).quantize(Decimal("0.01")) if totals else None,
        median=Decimal(statistics.median(totals)) if totals else None,
    )


def subdistrict_stats(outcomes: Sequence[Outcome], order: Sequence[str] = ()) -> list[Stats]:
    """Per 乡街 (in `order` first, then by name), then the district as a whole."""
    names = list(dict.fromkeys([*order, *sorted({o.subdistrict for o in outcomes})]))
    present = {o.subdistrict for o in outcomes}
    rows = [
        _stats(n or UNKNOWN_SUBDISTRICT, [o for o in outcomes if o.subdistrict == n]) for n in names if n in present
    ]
    return [*rows, _stats(DISTRICT, outcomes)]


@dataclass(frozen=True)
class UnitLoss:
    """Points lost on one supervising unit's items across the district, of those it could lose, with the items
    that lost most."""

    unit: str
    items: tuple[int, ...]
    lost: Decimal
    possible: Decimal
    weakest: tuple[tuple[int, Decimal], ...]  # (item, points lost across the district), most lost first


def unit_losses(outcomes: Sequence[Outcome], rubric: Rubric, top: int = 3) -> list[UnitLoss]:
    """Points lost on each supervising unit's items across the evaluations that count, most lost first."""
    counted = [o.items for o in outcomes if o.counts and o.items is not None]
    every = tuple(item.number for item in rubric.items)
    lost_by_item = dict.fromkeys(every, Decimal(0))
    for items in counted:  # an outcome's points in one row of its shared table: not one lookup per item
        for item, points in zip(rubric.items, points_of(items, every), strict=True):
            if points is None:
                raise KeyError(item.number)  # a counted outcome is scored on every item
            lost_by_item[item.number] += item.points - points

    units: dict[str, list[int]] = defaultdict(list)
    for item in rubric.items:
        for unit in item.supervisors:
            units[unit].append(item.number)
    out = []
    for unit, numbers in units.items():
        weakest = sorted(((n, lost_by_item[n]) for n in numbers if lost_by_item[n] > 0), key=lambda x: (-x[1], x[0]))
        out.append(UnitLoss(
            unit=unit, items=tuple(numbers), lost=sum((lost_by_item[n] for n in numbers), Decimal(0)),
            possible=sum((rubric.item(n).points for n in numbers), Decimal(0)) * len(counted),
            weakest=tuple(weakest[:top]),
        ))  # fmt: skip
    return sorted(out, key=lambda u: (-u.lost, u.unit))


@dataclass(frozen=True)
class Gap:
    """How far a community is from passing: its vetoes, the points short of the pass mark and the items with most
    still to gain."""

    outcome: Outcome
    vetoes: tuple[str, ...]
    short: Decimal  # points short of the pass mark (0 when the total already reaches it)
    to_gain: tuple[tuple[int, Decimal], ...]  # (item, points still to gain), most first


def gap_order(outcomes: Sequence[Outcome], rubric: Rubric) -> list[Outcome]:
    """The failing and vetoed communities that count, nearest a pass first: the fewest vetoes, then the fewest points
    short, then by code (each one's `gap` is made when it is asked for, never all at once)."""
    failing = [(short, o) for o in outcomes if (short := _short_of(o, rubric)) is not None]
    return [o for _, o in sorted(failing, key=lambda f: (len(f[1].vetoes), f[0], f[1].community_id))]


def _short_of(o: Outcome, rubric: Rubric) -> Decimal | None:
    if not o.counts or o.verdict not in (Verdict.FAIL, Verdict.VETO) or o.items is None or o.total is None:
        return None
    return max(Decimal(0), rubric.pass_mark - o.total)


def gap(o: Outcome, rubric: Rubric, top: int = 5) -> Gap:
    """What stands between a failing or vetoed community (one of `gap_order`'s) and a pass: its vetoes, the points
    short, and the `top` items with the most points still to gain."""
    short = _short_of(o, rubric)
    if short is None or o.items is None:
        raise ValueError(f"{o.file}: neither failing nor vetoed")
    items = o.items
    gain = sorted(
        ((i.number, i.points - items[i.number]) for i in rubric.items if items[i.number] < i.points),
        key=lambda x: (-x[1], x[0]),
    )
    return Gap(o, o.vetoes, short, tuple(gain[:top]))


def row_code(issue: Issue) -> str:
    """What an issue concerns as the contract's `code` shows it: its row code (7.3, V1, B), a 小区 row or a field
    label, else the issue's own code."""
    return issue.subject or issue.code


def current_in_ledger(o: Outcome) -> bool | None:
    """Whether a scored workbook is the ledger's current evaluation of its community and year (None: not scored)."""
    return (not o.superseded_in_batch and o.ledger_current is None) if o.scored else None


def issue_json(issue: Issue) -> JsonObject:
    """An issue as the contract shows it: `code` is the row code it concerns (or the issue's own code)."""
    return {
        "sheet": issue.sheet,
        "cell": issue.cell,
        "code": row_code(issue),
        "issue": issue.code,
        "severity": issue.severity.value,
        "message": issue.message,
    }


def _points_json(points: Mapping[int, Decimal] | None, parts: Sequence[Category] | Sequence[Item]) -> JsonObject:
    """Points by number, as JSON (a number's key is its text): every category or item, null where none."""
    numbers = tuple(part.number for part in parts)
    return {str(n): as_float(v) for n, v in zip(numbers, points_of(points, numbers), strict=True)}


def outcome_json(o: Outcome, rubric: Rubric) -> JsonObject:
    """One entry of `score --json`'s `results`, exactly as the contract lays it out."""
    valid = o.scored
    return {
        "file": o.file,
        "community_id": o.community_id or None,
        "community": o.community or None,
        "subdistrict": o.subdistrict or None,
        "year": o.year,
        "rubric_version": o.rubric_version,
        "verdict": o.verdict.value,
        "total": as_float(o.total) if valid else None,
        "bonus": as_float(o.bonus) if valid else None,
        "categories": _points_json(o.categories, rubric.categories) if valid else None,
        "items": _points_json(o.items, rubric.items) if valid else None,
        "vetoes": list(o.vetoes),
        "errors": [issue_json(i) for i in o.issues if i.is_error],
        "warnings": [issue_json(i) for i in o.issues if not i.is_error],
        "superseded": o.superseded_in_batch,
        "current": current_in_ledger(o),
        "current_record": o.ledger_current,
        "off_year": o.off_year,
        "review_date": o.review_date.isoformat() if o.review_date else None,
        "reviewers": o.reviewers or None,
    }


@dataclass(frozen=True)
class Summary:
    """N 份: 达标 x, 未达标 y, 否决 z, 无效 w, 被取代 s — each file counted once, so the parts add up to N: a valid
    workbook superseded by a newer one of the batch counts as superseded, not under its verdict."""

    files: int
    passed: int
    failed: int
    vetoed: int
    invalid: int
    superseded: int
    off_year: int

    def to_json(self) -> dict[str, int]:
        return {"files": self.files, "pass": self.passed, "fail": self.failed, "veto": self.vetoed,
                "invalid": self.invalid, "superseded": self.superseded, "off_year": self.off_year}  # fmt: skip


def summary_counts(outcomes: Sequence[Outcome]) -> Summary:
    """The batch's counts (see Summary)."""
    standing = [o for o in outcomes if not o.superseded_in_batch]
    return Summary(
        files=len(outcomes),
        passed=sum(1 for o in standing if o.verdict is Verdict.PASS),
        failed=sum(1 for o in standing if o.verdict is Verdict.FAIL),
        vetoed=sum(1 for o in standing if o.verdict is Verdict.VETO),
        invalid=sum(1 for o in standing if o.verdict is Verdict.INVALID),
        superseded=sum(1 for o in outcomes if o.superseded_in_batch),
        off_year=sum(1 for o in outcomes if o.off_year),
    )


@dataclass(frozen=True)
class YearChoice:
    """The 评审年度 a batch is reported for, how it was chosen, and how many files of each year the batch holds."""

    year: int | None
    source: str  # "option" (given), "files" (most of the batch's workbooks), "none" (no workbook had a year)
    counts: Mapping[int, int]

    @property
    def mixed(self) -> bool:
        return len(self.counts) > 1 or (self.year is not None and bool(self.counts) and self.year not in self.counts)


def batch_year(outcomes: Iterable[Outcome], given: int | None) -> YearChoice:
    """The year a batch is about: the one given, else the one most of its workbooks carry (the later on a tie)."""
    counts: dict[int, int] = defaultdict(int)
    for o in outcomes:
        if o.year is not None:
            counts[o.year] += 1
    ordered = dict(sorted(counts.items(), key=lambda kv: (-kv[1], -kv[0])))
    if given is not None:
        return YearChoice(given, "option", ordered)
    if not ordered:
        return YearChoice(None, "none", ordered)
    return YearChoice(next(iter(ordered)), "files", ordered)


class Results(Sequence[JsonObject]):
    """`results` of `score --json`, made one at a time as they are printed or shown, never all at once."""

    def __init__(self, outcomes: Sequence[Outcome], rubric: Rubric) -> None:
        self.outcomes, self.rubric = outcomes, rubric

    def __len__(self) -> int:
        return len(self.outcomes)

    @overload
    def __getitem__(self, index: int) -> JsonObject: ...

    @overload
    def __getitem__(self, index: slice) -> list[JsonObject]: ...

    def __getitem__(self, index: int | slice) -> JsonObject | list[JsonObject]:
        if isinstance(index, slice):
            return [outcome_json(o, self.rubric) for o in self.outcomes[index]]
        return outcome_json(self.outcomes[index], self.rubric)

    def __iter__(self) -> Iterator[JsonObject]:
        return (outcome_json(o, self.rubric) for o in self.outcomes)


# `score --json`: JSON values, and `results` made one at a time as they are printed
ScoreDocument: TypeAlias = "dict[str, JsonValue | Results]"

NO_ROSTER_NOTE = (
    "未给出社区名单（--roster 或 GREENCLI_ROSTER）：社区编码、名称和乡街未与名单核对，编码写错的评分表也照常评分"
)


@dataclass(frozen=True)
class ScoreReport:
    """What one `score` run found and did; the terminal, `--json` and the exit code all come from it."""

    rubric: Rubric
    outcomes: Sequence[Outcome]
    year: YearChoice
    recorded: int
    already: int
    db: str
    out: str | None
    dry_run: bool
    unmatched: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    out_note: str | None = None  # what was made of the --out the user gave
    roster_checked: bool = True  # False: no roster was given, so no community code was checked against one

    @property
    def summary(self) -> Summary:
        return summary_counts(self.outcomes)

    @property
    def notes(self) -> tuple[str, ...]:
        """What the user is told besides the results (the table and `--json` alike)."""
        return () if self.roster_checked else (NO_ROSTER_NOTE,)

    @property
    def exit_code(self) -> int:
        """1 when any workbook is invalid (all the others are still scored, recorded and written)."""
        return 1 if any(o.verdict is Verdict.INVALID for o in self.outcomes) else 0

    def to_json(self) -> ScoreDocument:
        """`score --json`: the contract's `results`, with what the table shows around them."""
        summary: JsonObject = {**self.summary.to_json()}
        return {
            "results": Results(self.outcomes, self.rubric),
            "summary": summary,
            "recorded": self.recorded,
            "already": self.already,
            "db": self.db,
            "out": self.out,
            "dry_run": self.dry_run,
            "unmatched": list(self.unmatched),
            "skipped": list(self.skipped),
            "rubric": {"id": self.rubric.id, "version": self.rubric.version},
            "categories": [str(c.number) for c in self.rubric.categories],
            "year": self.year.year,
            "year_source": self.year.source,
            "years": {str(y): n for y, n in self.year.counts.items()},
            "out_note": self.out_note,
            "roster_checked": self.roster_checked,
            "notes": list(self.notes),
        }
