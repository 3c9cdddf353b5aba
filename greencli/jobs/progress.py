"""`greencli progress` and `greencli history`: the campaign's standing from the ledger and the roster."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from greencli.adapters.ledger import Conferral, InvalidSubmission, Ledger, ledger_path
from greencli.core.errors import GreencliError
from greencli.core.outcome import Outcome
from greencli.core.progress import Progress, progress_json
from greencli.core.roster import Community
from greencli.core.rubric import Rubric
from greencli.core.values import as_float
from greencli.jobs.standing import YearStanding


@dataclass(frozen=True)
class ProgressReport:
    """The year's standing, and where its sheets were written: the table, `--json` and `--check` come from it."""

    rubric: Rubric
    standing: Progress
    out: str | None = None
    out_note: str | None = None

    @property
    def missed(self) -> bool:
        """The district missed the year's target (`--check` exits 1); never in a year without one."""
        return self.standing.district.met is False

    def to_json(self) -> dict[str, object]:
        document = progress_json(self.standing, self.rubric)
        if self.out is not None:
            document["out"] = self.out
            document["out_note"] = self.out_note
        return document


def run_progress(
    rubric: Rubric,
    year: int,
    roster: Sequence[Community] | None,
    db: Path | None,
    out: Path | None = None,
    as_of: date | None = None,
) -> ProgressReport:
    standing = YearStanding.load(rubric, year, roster, db, as_of, "统计达标进度")
    report = ProgressReport(rubric, standing.current)
    if out is not None:
        from greencli.adapters.xlsx_progress import write_progress  # heavy: only when writing

        write_progress(out, report.standing, progress_json(report.standing, rubric), rubric, standing.lists)
        report = ProgressReport(rubric, report.standing, str(out))
    return report


@dataclass(frozen=True)
class HistoryReport:
    """Every evaluation of one community over the years, and its invalid submissions."""

    community_id: str
    evaluations: tuple[Outcome, ...]  # each as the ledger holds it, with its `record`
    invalid_submissions: tuple[InvalidSubmission, ...]
    conferrals: tuple[Conferral, ...] = ()

    def to_json(self) -> dict[str, object]:
        by_id = {o.stored.id: o for o in self.evaluations}
        evaluations = [
            {
                "id": e.id, "year": o.year, "community": o.community, "subdistrict": o.subdistrict,
                "verdict": o.verdict.value, "total": as_float(o.total), "vetoes": list(o.vetoes),
                "current": e.current, "superseded_by": e.superseded_by,
                "superseded_reason": superseded_reason(o, by_id.get(e.superseded_by or -1)),
                "review_date": o.review_date.isoformat() if o.review_date else None,
                "dated_as": o.dated.isoformat() if o.dated else None, "reviewers": o.reviewers, "file": o.file,
                "sha256": o.source.sha256 if o.source else None, "rubric_id": e.rubric_id,
                "rubric_version": o.rubric_version, "scored_at": e.scored_at, "void_reason": e.void_reason,
                "voided_at": e.voided_at,
            }
            for o in self.evaluations
            for e in (o.stored,)
        ]  # fmt: skip
        submissions = [
            {"id": i.id, "year": i.year, "community": i.community, "subdistrict": i.subdistrict, "file": i.file_path,
             "sha256": i.file_sha256, "first_error": i.first_error, "errors": i.errors, "seen_at": i.seen_at}
            for i in self.invalid_submissions
        ]  # fmt: skip
        named = [{"year": c.year, "date": c.day.isoformat(), "doc": c.document, "recorded_at": c.recorded_at}
                 for c in self.conferrals]  # fmt: skip
        return {"community_id": self.community_id, "evaluations": evaluations, "invalid_submissions": submissions,
                "conferrals": named}  # fmt: skip


def superseded_reason(loser: Outcome, winner: Outcome | None) -> str | None:
    """Why an evaluation is not current for its year (standard.md: the later 评审日期 stands, a form without one
    counting as dated 31 December; on the same day, the one scored later)."""
    if winner is None:
        return None
    mine, theirs, number = loser.dated, winner.dated, winner.stored.id
    if mine is not None and theirs is not None and mine < theirs:
        if loser.review_date is None:
            return f"未填评审日期（按 {mine.isoformat()} 计），早于 #{number} 的评审日期 {theirs.isoformat()}"
        if winner.review_date is None:
            return f"评审日期 {mine.isoformat()} 早于 #{number}（未填评审日期，按 {theirs.isoformat()} 计）"
        return f"评审日期 {mine.isoformat()} 早于 #{number} 的 {theirs.isoformat()}"
    return f"评审日期相同，#{number} 评分在后"


def run_history(code: str, db: Path | None) -> HistoryReport:
    """Every evaluation of a community (codes compared without regard to case), and its invalid submissions."""
    with Ledger.open(ledger_path(db), create=False, write=False) as ledger:
        rows = ledger.evaluations(community_id=code.strip())
        invalid = ledger.invalid_submissions(community_id=code.strip())
        named = tuple(ledger.conferrals(code.strip()).values())
    if not rows and not invalid and not named:  # a code the ledger never saw: most likely mistyped (exit 2)
        raise GreencliError("history-community-unknown", path=str(ledger_path(db)), community=code.strip())
    known = rows[-1].community_id if rows else (invalid[-1].community_id if invalid else code.strip())
    return HistoryReport(known, tuple(rows), tuple(invalid), named)
