"""`greencli rescore`: a year's recorded entries re-scored under another version of the standard."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from greencli.adapters.ledger import Ledger, Stored, ledger_path
from greencli.core.errors import GreencliError
from greencli.core.outcome import Outcome, Recording, SourceFile
from greencli.core.rescore import rescore
from greencli.core.rubric import Standards
from greencli.core.values import as_float


@dataclass(frozen=True)
class Change:
    """One community: its current evaluation, and what it becomes under the target version (or why it cannot)."""

    before: Stored
    after: Outcome | None
    missing: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class RescoreReport:
    year: int
    version: str
    applied: bool
    changes: tuple[Change, ...]
    recorded: int = 0

    @property
    def blocked(self) -> int:
        return sum(1 for c in self.changes if c.after is None)

    def to_json(self) -> dict[str, object]:
        return {
            "year": self.year, "version": self.version, "applied": self.applied, "recorded": self.recorded,
            "communities": [
                {"community_id": c.before.outcome.community_id, "community": c.before.outcome.community,
                 "record": c.before.id, "from_version": c.before.outcome.rubric_version,
                 "verdict_before": c.before.outcome.verdict.value, "total_before": as_float(c.before.outcome.total),
                 "verdict_after": c.after.verdict.value if c.after else None,
                 "total_after": as_float(c.after.total) if c.after else None,
                 "issues_after": [i.message for i in c.after.errors] if c.after else [],
                 "missing": [{"code": code, "why": why} for code, why in c.missing]}
                for c in self.changes
            ],
        }  # fmt: skip


def run_rescore(standards: Standards, year: int, version: str, db: Path | None, apply: bool) -> RescoreReport:
    """Re-score the year's current evaluations recorded under another version; with `apply`, record the results
    (each supersedes the evaluation it re-scores; history keeps both)."""
    target = standards.get(version)
    if target is None:
        raise GreencliError(f"没有评分标准版本 {version}；可用的版本：{'、'.join(standards.known())}")
    changes: list[Change] = []
    recordings: list[Recording] = []
    with Ledger.open(ledger_path(db), create=False, write=apply) as ledger:  # a preview changes nothing
        for stored in ledger.evaluations(year=year, current_only=True):
            o = stored.outcome
            source = standards.get(o.rubric_version or "")
            if o.rubric_version == version:
                continue
            entries, file = ledger.recorded(stored.id)
            if source is None:
                changes.append(Change(stored, None, (("*", f"记录的评分标准版本 {o.rubric_version} 本程序不认识"),)))
                continue
            result = rescore(entries, source, target, year, o.review_date)
            if result.evaluation is None:
                changes.append(Change(stored, None, result.missing))
                continue
            after = dataclasses.replace(
                Outcome.of(o.file, None, result.evaluation, None, version), community_id=o.community_id,
                community=o.community, subdistrict=o.subdistrict, year=o.year, review_date=o.review_date,
                reviewers=o.reviewers,
            )  # fmt: skip
            changes.append(Change(stored, after, ()))
            if after.scored:
                # the same file under another version: its own entry in the ledger, beside the original
                source_file = SourceFile(file.path, f"{file.sha256}@{version}", file.size, file.mtime_ns)
                recordings.append(Recording(after, source_file, entries, standards.id))
        recorded = 0
        if apply and recordings:
            with ledger.transaction():
                recorded = sum(1 for new_id in ledger.insert(recordings) if new_id is not None)
    return RescoreReport(year, version, apply, tuple(changes), recorded)
