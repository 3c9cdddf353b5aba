"""Evaluations and invalid submissions as the ledger's rows, and back: the one place the ledger meets the outcome
model (`core.outcome`), imported by the methods that read or write such rows, so that opening a ledger to compare an
unchanged inbox does not load the scoring stack."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from sys import intern

from greencli.adapters.ledger.schema import local_time
from greencli.core.evidence import EvidenceFile, digest
from greencli.core.issues import Issue, Severity
from greencli.core.model import JsonValue, RecordedEntries, Verdict
from greencli.core.outcome import InvalidSubmission, Outcome, Record, SourceFile
from greencli.core.values import Scores, shared, shared_date


def _json(value: JsonValue) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def evaluation_row(o: Outcome, rubric_id: str, scored_at: str) -> tuple[object, ...]:
    """A valid outcome, with its source file and entries, as the ledger's columns hold it (EVALUATION_COLUMNS)."""
    if o.year is None or o.total is None or o.bonus is None or o.categories is None or o.items is None:
        raise ValueError(f"{o.file}: only a scored evaluation is recorded")
    if o.source is None or o.entries is None:
        raise ValueError(f"{o.file}: an evaluation is recorded with its file and entries")
    return (o.community_id, o.community, o.subdistrict, o.year, o.verdict.value, str(o.total), str(o.bonus),
            _json({str(k): str(v) for k, v in o.categories.items()}),
            _json({str(k): str(v) for k, v in o.items.items()}), _json(list(o.vetoes)),
            _json([dict(i.to_dict()) for i in o.issues]), _json(o.entries.to_json()), rubric_id,
            o.rubric_version or "", o.source.path, o.source.sha256, o.source.size, o.source.mtime,
            o.review_date.isoformat() if o.review_date else None, o.reviewers, scored_at,
            _json([f.to_json() for f in o.evidence]), digest(o.evidence))  # fmt: skip


def _numbers(text: str) -> Scores:
    return Scores({int(k): Decimal(str(v)) for k, v in json.loads(text).items()})


def outcome_of(row: Sequence[object], entries: object = None, evidence: object = None) -> Outcome:
    """An evaluation as the ledger returns it: the outcome as scored, its file, and the ledger's facts about it."""
    (id_, code, name, sub, year, verdict, total, bonus, categories, items, vetoes, rid, rver, path, sha, size, mtime,
     review, scored, superseded, warnings, reviewers, void_reason, voided_at) = row  # fmt: skip
    issues = tuple(Issue.from_dict(i, Severity.WARNING) for i in json.loads(str(warnings)) if isinstance(i, dict))
    file = str(path)
    # names, versions, reviewers, dates and batch times repeat across thousands of evaluations: one object each
    return Outcome(
        file=file, community_id=intern(str(code)), community=intern(str(name)), subdistrict=intern(str(sub)),
        year=int(str(year)), verdict=Verdict(str(verdict)), total=shared(Decimal(str(total))),
        bonus=shared(Decimal(str(bonus))), categories=_numbers(str(categories)), items=_numbers(str(items)),
        vetoes=tuple(str(v) for v in json.loads(str(vetoes))), issues=issues,
        review_date=shared_date(date.fromisoformat(review)) if isinstance(review, str) and review else None,
        reviewers=intern(str(reviewers or "")), rubric_version=intern(str(rver)) if rver else None,
        source=SourceFile(file, str(sha), int(str(size)), int(float(str(mtime)) * 1e9)),
        entries=RecordedEntries.from_json(json.loads(entries)) if isinstance(entries, str) else None,
        evidence=tuple(EvidenceFile.from_json(f) for f in json.loads(evidence) if isinstance(f, dict))
        if isinstance(evidence, str) else (),
        record=Record(id=int(str(id_)), rubric_id=intern(str(rid)), scored_at=intern(local_time(str(scored)) or ""),
                      superseded_by=int(str(superseded)) if superseded is not None else None,
                      void_reason=str(void_reason) if void_reason is not None else None,
                      voided_at=local_time(str(voided_at)) if voided_at is not None else None),
    )  # fmt: skip


def invalid_row(s: InvalidSubmission, seen_at: str) -> tuple[object, ...]:
    """An invalid submission as the ledger's row, in the order of INVALID_COLUMNS."""
    return (s.community_id, s.community, s.subdistrict, s.year, s.file_path, s.file_sha256, s.first_error, s.errors,
            seen_at, s.first_error_code)  # fmt: skip
