"""One workbook's outcome: the one record of an evaluation after scoring, valid or not, from the pipeline through
the ledger and back.

The reports, the terminal, the district workbook, the ledger (which stores and returns it) and worker processes
(which send it back) all use this one type. Beside the scores it carries, when known, the file it was read from
(`source`), every value as entered (`entries`, for re-scoring) and the ledger's own facts about it (`record`: its
number, when it was scored, what superseded or voided it), present only on an outcome read back from the ledger.

Numbers: exact `Decimal` everywhere inside; text (`str(Decimal)`) in the ledger and in `to_dict`; `float` only where
JSON or a spreadsheet is written (`core.values.as_float`), as the contract's outputs have always shown them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from greencli.core.evidence import EvidenceFile
from greencli.core.identity import WorkbookIdentity
from greencli.core.issues import Issue, Severity
from greencli.core.model import Evaluation, JsonObject, JsonValue, RecordedEntries, Verdict
from greencli.core.roster import Community
from greencli.core.rubric import Campaign

__all__ = [
    "Conferral",
    "InvalidSubmission",
    "JsonObject",
    "JsonValue",
    "Outcome",
    "Record",
    "RecordedEntries",
    "SourceFile",
]


@dataclass(frozen=True, slots=True)
class SourceFile:
    """The file an outcome was read from: its path as shown and stored, and what identifies its content."""

    path: str
    sha256: str
    size: int
    mtime_ns: int

    @property
    def mtime(self) -> float:
        return self.mtime_ns / 1e9

    def to_dict(self) -> JsonObject:
        return {"path": self.path, "sha256": self.sha256, "size": self.size, "mtime_ns": self.mtime_ns}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> SourceFile:
        return cls(str(data.get("path", "")), str(data.get("sha256", "")), int(str(data.get("size") or 0)),
                   int(str(data.get("mtime_ns") or 0)))  # fmt: skip


@dataclass(frozen=True, slots=True)
class Record:
    """The ledger's facts about a recorded evaluation. `superseded_by` is the ledger's notion (another record of
    the same community and year stands), never the batch's `Outcome.superseded_in_batch`."""

    id: int
    rubric_id: str
    scored_at: str  # local time with its offset, as the ledger gives times out
    superseded_by: int | None = None
    void_reason: str | None = None  # voided by the office (greencli void), with this reason
    voided_at: str | None = None

    @property
    def current(self) -> bool:
        return self.superseded_by is None and self.void_reason is None


@dataclass(frozen=True, slots=True)
class Outcome:
    """One workbook's outcome, as every report shows it and the ledger keeps it (kept for every file of a batch:
    lean). Scores are None when the verdict is invalid."""

    file: str
    community_id: str
    community: str
    subdistrict: str
    year: int | None
    verdict: Verdict
    total: Decimal | None
    bonus: Decimal | None
    categories: Mapping[int, Decimal] | None
    items: Mapping[int, Decimal] | None
    vetoes: tuple[str, ...]
    issues: tuple[Issue, ...] = ()
    review_date: date | None = None
    reviewers: str = ""
    rubric_version: str | None = None
    superseded_in_batch: bool = False  # another workbook of the same batch stands for this community and year
    off_year: bool = False  # scored and recorded, but of another 评审年度 than the batch's: outside its statistics
    # Recorded, but the ledger's current record for its community and year is another one, from outside the batch
    # (a later 评审日期, or scored later), or its own record was voided: the number of the record that stands.
    # Kept apart from `superseded_in_batch`, which is the batch's own choice between two of its workbooks.
    ledger_current: int | None = None
    source: SourceFile | None = None  # the file it was read from (None: a pattern that matched no file)
    entries: RecordedEntries | None = None  # every value as entered; only on a valid outcome on its way to the ledger
    record: Record | None = None  # the ledger's facts, on an outcome read from the ledger
    # the evidence files (佐证材料) submitted with it: on a valid outcome on its way to the ledger, and on one read
    # back when asked for (history, the binder's index)
    evidence: tuple[EvidenceFile, ...] = ()

    @property
    def stored(self) -> Record:
        """The ledger's facts about this outcome, which must have been read from the ledger."""
        if self.record is None:
            raise ValueError(f"{self.file}: not an evaluation read from the ledger")
        return self.record

    @property
    def read_from(self) -> SourceFile:
        """The file this outcome was read from, which it must have been (every outcome a batch reads has one)."""
        if self.source is None:
            raise ValueError(f"{self.file}: not read from a file")
        return self.source

    @property
    def lean(self) -> Outcome:
        """Without its entries and evidence, as thousands of outcomes are kept for the reports once recorded."""
        return (
            dataclasses.replace(self, entries=None, evidence=()) if self.entries is not None or self.evidence else self
        )

    @property
    def tallied(self) -> Outcome:
        """A valid outcome without its scores and issues: what a run keeps of a workbook it read and recorded when
        its reports are made from the ledger (rollup), so that thousands are not held twice."""
        if not self.scored:
            return self
        return dataclasses.replace(self, categories=None, items=None, issues=(), entries=None, evidence=())

    @property
    def scored(self) -> bool:
        return self.verdict is not Verdict.INVALID

    @property
    def counts(self) -> bool:
        """Whether it stands for its community in the batch's statistics: scored, not superseded by another file of
        the batch, and of the batch's 评审年度."""
        return self.scored and not self.superseded_in_batch and not self.off_year

    def dated_in(self, campaign: Campaign) -> date | None:
        """The day the evaluation counts as made (Campaign.dated); None for a workbook with neither 评审日期 nor
        评审年度."""
        if self.year is None:
            return self.review_date
        return campaign.dated(self.review_date, self.year)

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.is_error)

    @property
    def first_error(self) -> Issue | None:
        return next((i for i in self.issues if i.is_error), None)

    @classmethod
    def of(
        cls,
        file: str,
        identity: WorkbookIdentity | None,
        evaluation: Evaluation,
        known: Community | None = None,
        rubric_version: str | None = None,
        source: SourceFile | None = None,
        entries: RecordedEntries | None = None,
    ) -> Outcome:
        """The outcome of scoring `file`: who it is for (the roster fills a name or 乡街 the workbook lacks)."""
        return cls(
            file=file,
            community_id=identity.code if identity is not None else "",
            community=(identity.name if identity else "") or (known.name if known else ""),
            subdistrict=(identity.subdistrict if identity else "") or (known.subdistrict if known else ""),
            year=identity.year if identity else None,
            verdict=evaluation.verdict,
            total=evaluation.total,
            bonus=evaluation.bonus,
            categories=evaluation.categories,
            items={n: s.score for n, s in evaluation.items.items()} if evaluation.items is not None else None,
            vetoes=evaluation.vetoes,
            issues=evaluation.issues,
            review_date=identity.review_date if identity else None,
            reviewers=identity.reviewers if identity else "",
            rubric_version=rubric_version,
            source=source,
            entries=entries,
        )

    def to_dict(self) -> JsonObject:
        """Exact and complete but for the ledger's facts (its columns are their stored form): decimals as text,
        dates in ISO form, issues by `Issue.to_dict`, entries by `RecordedEntries.to_json`. The rollup's file cache (an
        invalid file) keeps an outcome so."""

        def numbers(values: Mapping[int, Decimal] | None) -> JsonValue:
            return None if values is None else {str(k): str(v) for k, v in values.items()}

        return {
            "file": self.file, "community_id": self.community_id, "community": self.community,
            "subdistrict": self.subdistrict, "year": self.year, "verdict": self.verdict.value,
            "total": None if self.total is None else str(self.total),
            "bonus": None if self.bonus is None else str(self.bonus),
            "categories": numbers(self.categories), "items": numbers(self.items), "vetoes": list(self.vetoes),
            "issues": [dict(i.to_dict()) for i in self.issues],
            "review_date": self.review_date.isoformat() if self.review_date else None, "reviewers": self.reviewers,
            "rubric_version": self.rubric_version, "superseded": self.superseded_in_batch, "off_year": self.off_year,
            "source": None if self.source is None else self.source.to_dict(),
            "entries": None if self.entries is None else self.entries.to_json(),
            "evidence": [f.to_json() for f in self.evidence],
        }  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Outcome:
        """The inverse of `to_dict`. An entry written by an older greencli (no verdict: an invalid file's summary)
        reads as invalid; its issues as errors."""
        verdict = Verdict(str(data.get("verdict", Verdict.INVALID.value)))
        default = Severity.ERROR if verdict is Verdict.INVALID else Severity.WARNING

        def number(key: str) -> Decimal | None:
            value = data.get(key)
            return None if value is None else Decimal(str(value))

        def numbers(key: str) -> dict[int, Decimal] | None:
            value = data.get(key)
            return None if not isinstance(value, Mapping) else {int(k): Decimal(str(v)) for k, v in value.items()}

        def sequence(key: str) -> list[object]:
            value = data.get(key)
            return list(value) if isinstance(value, list | tuple) else []

        year, review = data.get("year"), data.get("review_date")
        source, entries, evidence = data.get("source"), data.get("entries"), data.get("evidence")
        version = data.get("rubric_version")
        return cls(
            file=str(data.get("file", "")), community_id=str(data.get("community_id") or ""),
            community=str(data.get("community") or ""), subdistrict=str(data.get("subdistrict") or ""),
            year=year if isinstance(year, int) else None, verdict=verdict, total=number("total"),
            bonus=number("bonus"), categories=numbers("categories"), items=numbers("items"),
            vetoes=tuple(str(v) for v in sequence("vetoes")),
            issues=tuple(Issue.from_dict(i, default) for i in sequence("issues") if isinstance(i, Mapping)),
            review_date=date.fromisoformat(review) if isinstance(review, str) else None,
            reviewers=str(data.get("reviewers") or ""), rubric_version=str(version) if version else None,
            superseded_in_batch=bool(data.get("superseded")), off_year=bool(data.get("off_year")),
            source=SourceFile.from_dict(source) if isinstance(source, Mapping) else None,
            entries=RecordedEntries.from_json(entries) if isinstance(entries, dict) else None,
            evidence=tuple(EvidenceFile.from_json(f) for f in evidence if isinstance(f, Mapping))
            if isinstance(evidence, list) else (),
        )  # fmt: skip


@dataclass(frozen=True)
class InvalidSubmission:
    """A workbook for a community and year that came in and was invalid: what the ledger keeps of it (never an
    evaluation, but progress says 待改正 until a valid one follows)."""

    community_id: str
    community: str
    subdistrict: str
    year: int
    file_path: str
    file_sha256: str
    first_error: str  # where and what, as shown to people
    errors: int
    seen_at: str = ""
    id: int | None = None
    first_error_code: str | None = None  # its issue code (None in rows recorded before ledger migration 9)


@dataclass(frozen=True)
class Conferral:
    """The city's naming (命名) of a community's title of one year."""

    community_id: str
    year: int
    day: date
    document: str  # the city's 文号
    recorded_at: str
