"""`greencli void`: an evaluation recorded by mistake is voided, never deleted."""

from __future__ import annotations

from greencli.adapters.ledger import Ledger, LedgerAt, ledger_at
from greencli.core.errors import GreencliError
from greencli.core.reports import VoidReport
from greencli.core.rubric import Campaign

# the reports are defined in greencli.core.reports (the terminal renders them); importable from here as before
__all__ = ["VoidReport", "parse_record", "run_void"]


def parse_record(text: str) -> int:
    """A record number as history shows it (`#25`) or typed (`25`)."""
    digits = text.strip().lstrip("#＃")
    if not digits.isdigit():
        raise GreencliError("record-number-invalid", text=text)
    return int(digits)


def run_void(record: int, reason: str, db: LedgerAt | None, campaign: Campaign) -> VoidReport:
    """Void a record; the campaign's year end dates an evaluation without a 评审日期 when the next one is chosen."""
    if not reason.strip():
        raise GreencliError("void-reason-missing")
    with Ledger.open(ledger_at(db), create=False) as ledger:
        voided, current = ledger.void(record, reason.strip(), campaign.year_end)
    return VoidReport(voided, current)
