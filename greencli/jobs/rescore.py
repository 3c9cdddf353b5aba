"""`greencli rescore`: a year's recorded entries re-scored under another version of the standard."""

from __future__ import annotations

import dataclasses

from greencli.adapters.ledger import Ledger, LedgerAt, ledger_at
from greencli.core.errors import GreencliError
from greencli.core.outcome import Outcome
from greencli.core.reports import Change, RescoreReport
from greencli.core.rescore import rescore
from greencli.core.rubric import Standards

# the reports are defined in greencli.core.reports (the terminal renders them); importable from here as before
__all__ = ["Change", "RescoreReport", "run_rescore"]


def run_rescore(standards: Standards, year: int, version: str, db: LedgerAt | None, apply: bool) -> RescoreReport:
    """Re-score the year's current evaluations recorded under another version; with `apply`, record the results
    (each supersedes the evaluation it re-scores; history keeps both)."""
    target = standards.get(version)
    if target is None:
        raise GreencliError("rubric-version-missing", version=version, known=list(standards.known()))
    changes: list[Change] = []
    rescored: list[Outcome] = []
    with Ledger.open(ledger_at(db), create=False, write=apply) as ledger:  # a preview changes nothing
        for o in ledger.evaluations(year=year, current_only=True, entries=True, evidence=True):
            if o.rubric_version == version:
                continue
            source = standards.get(o.rubric_version or "")
            if source is None or o.entries is None:
                changes.append(Change(o, None, (("*", f"记录的评分标准版本 {o.rubric_version} 本程序不认识"),)))
                continue
            # the entries and the 评审日期 as recorded when it was scored, never read again from text
            result = rescore(o.entries, source, target, year, o.review_date)
            if result.evaluation is None:
                changes.append(Change(o.lean, None, result.missing))
                continue
            # the same file under another version: its own record in the ledger, beside the original
            after = dataclasses.replace(
                Outcome.of(o.file, None, result.evaluation, None, version, o.source, o.entries),
                community_id=o.community_id, community=o.community, subdistrict=o.subdistrict, year=o.year,
                review_date=o.review_date, reviewers=o.reviewers, evidence=o.evidence,
            )  # fmt: skip
            changes.append(Change(o.lean, after.lean, ()))
            if after.scored:
                rescored.append(after)
        recorded = 0
        if apply and rescored:
            with ledger.transaction():
                recorded = sum(
                    1
                    for new_id in ledger.insert(rescored, standards.id, standards.newest.campaign.year_end)
                    if new_id is not None
                )
    return RescoreReport(year, version, apply, tuple(changes), recorded)
