"""The roster a command works with for a year: the one it was given (kept in the ledger as that year's), else the
one the ledger keeps for the year or the latest year before it (contract.md, "The shared ledger")."""

from __future__ import annotations

import sys
from pathlib import Path

from greencli.adapters.ledger import Ledger, LedgerAt, LedgerError, ledger_at
from greencli.core.issues import make_issue
from greencli.core.reports import RosterReport
from greencli.core.roster import Community, Rosters


def kept_rosters(at: LedgerAt) -> Rosters | None:
    """Every roster the ledger at `at` keeps, read without waiting for a writer; None when there is no ledger there
    yet (a dry run before the first batch)."""
    if isinstance(at, Path) and not at.exists():
        return None
    try:
        with Ledger.open(at, create=False, write=False) as ledger:
            return ledger.rosters()
    except LedgerError as exc:
        if exc.code == "ledger-missing":
            return None
        raise


def roster_for(at: LedgerAt, year: int, given: Rosters | None) -> tuple[Community, ...] | None:
    """The communities a reading command (progress, notice, export) works with for `year`. A roster it was given is
    kept as `year`'s first (unless the ledger already keeps that very roster for it: then nothing is written). A
    ledger that cannot take it now (busy with a writer, read-only) does not stop the command: it works with the
    roster given and says on stderr that it was not kept; so does a ledger of an older schema, which only writing
    commands upgrade."""
    if given is not None and given.given is not None:
        _keep(at, year, given)
        return given.given
    rosters = kept_rosters(at)
    return rosters.for_year(year) if rosters is not None else None


def _keep(at: LedgerAt, year: int, given: Rosters) -> None:
    assert given.given is not None
    try:
        with Ledger.open(at, create=False, write=False) as reader:
            if reader.rosters().by_year.get(year) == given.given:
                return  # kept already: nothing to write
            current = reader.file_current
    except LedgerError as exc:
        if exc.code == "ledger-missing":
            return  # the command itself says the ledger is missing
        raise
    if not current:  # a reading command never upgrades a ledger: the next score or rollup does
        _not_kept("评分记录库是旧版本，下次 score 或 rollup 运行时升级")
        return
    try:
        with Ledger.open(at, create=False, write=True, wait=0.0) as ledger, ledger.transaction():
            ledger.keep_roster(year, given.given, given.source)
    except LedgerError as exc:  # busy (LedgerBusy) or unwritable
        _not_kept((str(exc).splitlines() or [type(exc).__name__])[0])


def _not_kept(reason: str) -> None:
    warning = make_issue("roster-not-kept", reason=reason)
    print(f"提醒：{warning.message}", file=sys.stderr)


def run_roster_show(db: LedgerAt | None, year: int | None) -> RosterReport:
    """The rosters the ledger keeps: the one serving `year`, or every one (the ledger must exist)."""
    with Ledger.open(ledger_at(db), create=False, write=False) as ledger:
        kept = ledger.kept_rosters()
    if year is None:
        return RosterReport(None, tuple(kept))
    serving = Rosters({k.year: k.communities for k in kept}).source_year(year)
    return RosterReport(year, tuple(k for k in kept if k.year == serving))
