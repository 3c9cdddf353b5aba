"""`greencli evidence`: the binder's index (台账目录) of a year — each community's evidence files as the ledger
recorded them with its current evaluation, by item, and the items whose 考评方式 asks for documents but that have
none."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from greencli.adapters.files import path_text
from greencli.adapters.ledger import Ledger, LedgerAt
from greencli.core.errors import GreencliError
from greencli.core.evidence import binder
from greencli.core.reports import CommunityBinder, EvidenceReport
from greencli.core.roster import Community
from greencli.core.rubric import Standards


def run_evidence(
    standards: Standards,
    year: int,
    codes: Sequence[str],
    db: LedgerAt,
    roster: Sequence[Community] | None,
    out: Path | None,
) -> EvidenceReport:
    """The index of `year` (every community with a current evaluation, or those of `codes`), in the roster's order
    when there is one, else by 乡街 and code; written to `out` (.docx) when given."""
    with Ledger.open(db, create=False, write=False) as ledger:
        current = ledger.evaluations(year=year, current_only=True, evidence=True)
    if not current:
        raise GreencliError("evidence-year-empty", path=str(db), year=year)
    wanted = list(dict.fromkeys(c.strip().casefold() for c in codes if c.strip()))
    if wanted:
        held = {o.community_id.casefold() for o in current}
        unknown = [c for c in dict.fromkeys(c.strip() for c in codes if c.strip()) if c.casefold() not in held]
        if unknown:
            raise GreencliError("evidence-community-unknown", path=str(db), year=year, communities=unknown)
        current = [o for o in current if o.community_id.casefold() in wanted]
    position = {c.code.casefold(): n for n, c in enumerate(roster or ())}
    current.sort(key=lambda o: (position.get(o.community_id.casefold(), len(position)), o.subdistrict, o.community_id))
    communities = []
    for o in current:
        rubric = standards.get(o.rubric_version or "") or standards.newest
        communities.append(CommunityBinder(o, rubric, binder(rubric, o.evidence)))
    report = EvidenceReport(year, tuple(communities), path_text(out) if out is not None else None)
    if out is not None:
        from greencli.adapters.docx_evidence import write_evidence_index  # python-docx: only when writing one

        write_evidence_index(out, report)
    return report
