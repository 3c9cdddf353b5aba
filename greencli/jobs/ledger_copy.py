"""`greencli ledger copy`: moving an office's SQLite ledger into the shared PostgreSQL one, as a district of it."""

from __future__ import annotations

from pathlib import Path

from greencli.adapters.ledger import Ledger, LedgerError, PostgresUrl
from greencli.adapters.ledger.copy import copy_ledger
from greencli.core.reports import CopyReport
from greencli.core.rubric import Campaign

TABLE_ORDER = ("evaluations", "invalid_submissions", "conferrals", "rosters", "files", "outputs")


def run_copy(source: Path, target: PostgresUrl, campaign: Campaign, wait: float) -> CopyReport:
    """Copy the SQLite ledger at `source` into `target`'s district (named: a shared ledger's district is never
    guessed for a copy), in one transaction: a copy that fails adds nothing, and a second one adds nothing new."""
    if target.district is None:
        raise LedgerError("district-needed", path=str(target))
    with (
        Ledger.open(source, create=False, write=False) as original,
        Ledger.open(target, create=True, write=True, wait=wait) as shared,
        shared.transaction(),
    ):
        copied = copy_ledger(original, shared, campaign.year_end)
        district = shared.district
    tables = tuple((name, copied[name].added, copied[name].already) for name in TABLE_ORDER)
    return CopyReport(str(source), str(target), district, tables)
