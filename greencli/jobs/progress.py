"""`greencli progress` and `greencli history`: the campaign's standing from the ledger and the roster."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from greencli.adapters.ledger import Ledger, LedgerAt, ledger_at
from greencli.core.errors import GreencliError
from greencli.core.reports import HistoryReport, ProgressReport
from greencli.core.roster import Community
from greencli.core.rubric import Campaign, Rubric
from greencli.jobs.standing import YearStanding

# the reports are defined in greencli.core.reports (the terminal renders them); importable from here as before
__all__ = ["HistoryReport", "ProgressReport", "run_history", "run_progress"]


def run_progress(
    rubric: Rubric,
    year: int,
    roster: Sequence[Community] | None,
    db: LedgerAt | None,
    out: Path | None = None,
    as_of: date | None = None,
) -> ProgressReport:
    standing = YearStanding.load(rubric, year, roster, db, as_of, "统计达标进度")
    report = ProgressReport(rubric, standing.current)
    if out is not None:
        from greencli.adapters.xlsx_progress import write_progress  # heavy: only when writing

        write_progress(out, report.standing, rubric, standing.lists)
        report = ProgressReport(rubric, report.standing, str(out))
    return report


def run_history(code: str, db: LedgerAt | None, campaign: Campaign) -> HistoryReport:
    """Every evaluation of a community (codes compared without regard to case), and its invalid submissions."""
    with Ledger.open(ledger_at(db), create=False, write=False) as ledger:
        rows = ledger.evaluations(community_id=code.strip())
        invalid = ledger.invalid_submissions(community_id=code.strip())
        named = tuple(ledger.conferrals(code.strip()).values())
    if not rows and not invalid and not named:  # a code the ledger never saw: most likely mistyped (exit 2)
        raise GreencliError("history-community-unknown", path=str(ledger_at(db)), community=code.strip())
    known = rows[-1].community_id if rows else (invalid[-1].community_id if invalid else code.strip())
    return HistoryReport(known, campaign, tuple(rows), tuple(invalid), named)
