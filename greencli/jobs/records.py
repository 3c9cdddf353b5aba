"""`greencli void`: an evaluation recorded by mistake is voided, never deleted."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from greencli.adapters.ledger import Ledger, ledger_path
from greencli.core.errors import GreencliError
from greencli.core.outcome import Outcome


@dataclass(frozen=True)
class VoidReport:
    voided: Outcome  # as the ledger now holds it (its `record` says why and when)
    current: Outcome | None  # what now stands for that community and year

    def to_json(self) -> dict[str, object]:
        o, facts = self.voided, self.voided.stored
        return {"record": facts.id, "community_id": o.community_id, "community": o.community, "year": o.year,
                "reason": facts.void_reason, "voided_at": facts.voided_at,
                "current": self.current.stored.id if self.current else None}  # fmt: skip


def parse_record(text: str) -> int:
    """A record number as history shows it (`#25`) or typed (`25`)."""
    digits = text.strip().lstrip("#＃")
    if not digits.isdigit():
        raise GreencliError("record-number-invalid", text=text)
    return int(digits)


def run_void(record: int, reason: str, db: Path | None) -> VoidReport:
    if not reason.strip():
        raise GreencliError("void-reason-missing")
    with Ledger.open(ledger_path(db), create=False) as ledger:
        voided, current = ledger.void(record, reason.strip())
    return VoidReport(voided, current)
