"""`greencli progress` and `greencli history`: the campaign's standing from the ledger and the roster."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from greencli.adapters.ledger import Ledger, LedgerAt, PostgresUrl, ledger_at
from greencli.core.errors import GreencliError
from greencli.core.reports import CityReport, DistrictStanding, HistoryReport, ProgressReport
from greencli.core.roster import Community
from greencli.core.rubric import Campaign, Rubric
from greencli.jobs.standing import YearStanding

# the reports are defined in greencli.core.reports (the terminal renders them); importable from here as before
__all__ = ["CityReport", "HistoryReport", "ProgressReport", "run_city", "run_history", "run_progress"]


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


def run_city(rubric: Rubric, year: int, db: LedgerAt | None, as_of: date | None = None) -> CityReport:
    """Every district of a shared ledger at the end of `year`, each against its own stored roster (the year's, else
    the latest before it), and the city as a whole."""
    at = ledger_at(db)
    if not isinstance(at, PostgresUrl):
        raise GreencliError("city-needs-shared", path=str(at))
    if as_of is not None and as_of < date(year, 1, 1):
        raise GreencliError("as-of-before-year", date=as_of.isoformat(), year=year)
    rows: list[DistrictStanding] = []
    with Ledger.open(at, create=False, write=False, every_district=True) as ledger:
        for code in ledger.districts():
            ledger.district = code
            roster = ledger.rosters().for_year(year)
            if roster is None:
                rows.append(DistrictStanding(code, None))
                continue
            standing = YearStanding.read(ledger, rubric, roster, year, as_of)
            rows.append(DistrictStanding(code, standing.current.district))
    return CityReport(year, rubric.campaign.target_for(year), tuple(rows))


def run_history(code: str, db: LedgerAt | None, campaign: Campaign) -> HistoryReport:
    """Every evaluation of a community (codes compared without regard to case), and its invalid submissions."""
    with Ledger.open(ledger_at(db), create=False, write=False) as ledger:
        rows = ledger.evaluations(community_id=code.strip(), evidence=True)
        invalid = ledger.invalid_submissions(community_id=code.strip())
        named = tuple(ledger.conferrals(code.strip()).values())
    if not rows and not invalid and not named:  # a code the ledger never saw: most likely mistyped (exit 2)
        raise GreencliError("history-community-unknown", path=str(ledger_at(db)), community=code.strip())
    known = rows[-1].community_id if rows else (invalid[-1].community_id if invalid else code.strip())
    return HistoryReport(known, campaign, tuple(rows), tuple(invalid), named)
