"""What each command found and did, as typed values: the jobs return them, the terminal renders them and `--json`
serialises them with their `to_json` (the one place a report becomes JSON). `score`'s report is ScoreReport in
core.batch.

Everything a table and the JSON show alike (a superseded evaluation's reason, the year's warnings, the counts of
written files) is computed once here, and both read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from pathlib import Path

from greencli.core.evidence import Binder
from greencli.core.model import JsonObject, JsonValue
from greencli.core.outcome import Conferral, InvalidSubmission, Outcome
from greencli.core.progress import (
    Progress,
    ProgressWarning,
    Tally,
    nomination_warnings,
    progress_json,
    progress_warnings,
)
from greencli.core.roster import Community, KeptRoster
from greencli.core.rubric import Campaign, Rubric
from greencli.core.values import as_float


@dataclass(frozen=True)
class ProgressReport:
    """The year's standing, and where its sheets were written: the table, `--json` and `--check` come from it."""

    rubric: Rubric
    standing: Progress
    out: str | None = None
    out_note: str | None = None

    @property
    def missed(self) -> bool:
        """The district missed the year's target (`--check` exits 1); never in a year without one."""
        return self.standing.district.met is False

    @property
    def tallies(self) -> tuple[Tally, ...]:
        """Each 乡街, then the district (named 全区): the rows of the table and of 年度进度."""
        return (*self.standing.subdistricts, self.standing.district)

    @property
    def nomination_warnings(self) -> dict[str, str]:
        """乡街 name → what is wrong with its nominations this year."""
        return nomination_warnings(self.standing, self.rubric.campaign)

    @property
    def warnings(self) -> list[ProgressWarning]:
        return progress_warnings(self.standing, self.rubric.campaign)

    def to_json(self) -> JsonObject:
        document = progress_json(self.standing, self.rubric)
        if self.out is not None:
            document["out"] = self.out
            document["out_note"] = self.out_note
        return document


def superseded_reason(loser: Outcome, winner: Outcome | None, campaign: Campaign) -> str | None:
    """Why an evaluation is not current for its year (standard.md: the later 评审日期 stands, a form without one
    counting as dated the end of its year; on the same day, the one scored later)."""
    if winner is None:
        return None
    mine, theirs, number = loser.dated_in(campaign), winner.dated_in(campaign), winner.stored.id
    if mine is not None and theirs is not None and mine < theirs:
        if loser.review_date is None:
            return f"未填评审日期（按 {mine.isoformat()} 计），早于 #{number} 的评审日期 {theirs.isoformat()}"
        if winner.review_date is None:
            return f"评审日期 {mine.isoformat()} 早于 #{number}（未填评审日期，按 {theirs.isoformat()} 计）"
        return f"评审日期 {mine.isoformat()} 早于 #{number} 的 {theirs.isoformat()}"
    return f"评审日期相同，#{number} 评分在后"


@dataclass(frozen=True)
class HistoryEntry:
    """One evaluation as history shows it: the ledger's outcome, and why another stands for its year (if one does)."""

    outcome: Outcome  # as the ledger holds it, with its `record`
    superseded_reason: str | None
    dated: date | None  # the day it counts as made: its 评审日期, else the campaign's end of its year

    @property
    def sha256(self) -> str | None:
        return self.outcome.source.sha256 if self.outcome.source else None


@dataclass(frozen=True)
class HistoryReport:
    """Every evaluation of one community over the years, and its invalid submissions."""

    community_id: str
    campaign: Campaign  # whose year end dates an evaluation without a 评审日期
    evaluations: tuple[Outcome, ...]  # each as the ledger holds it, with its `record`
    invalid_submissions: tuple[InvalidSubmission, ...]
    conferrals: tuple[Conferral, ...] = ()

    @property
    def entries(self) -> tuple[HistoryEntry, ...]:
        """The evaluations, oldest first, each with why it is not current (the table and `--json` alike)."""
        by_id = {o.stored.id: o for o in self.evaluations}
        return tuple(
            HistoryEntry(
                o,
                superseded_reason(o, by_id.get(o.stored.superseded_by or -1), self.campaign),
                o.dated_in(self.campaign),
            )
            for o in self.evaluations
        )

    def to_json(self) -> JsonObject:
        evaluations: list[JsonValue] = [
            {
                "id": e.id, "year": o.year, "community": o.community, "subdistrict": o.subdistrict,
                "verdict": o.verdict.value, "total": as_float(o.total), "vetoes": list(o.vetoes),
                "current": e.current, "superseded_by": e.superseded_by,
                "superseded_reason": entry.superseded_reason,
                "review_date": o.review_date.isoformat() if o.review_date else None,
                "dated_as": entry.dated.isoformat() if entry.dated else None, "reviewers": o.reviewers, "file": o.file,
                "sha256": entry.sha256, "rubric_id": e.rubric_id,
                "rubric_version": o.rubric_version, "scored_at": e.scored_at, "void_reason": e.void_reason,
                "voided_at": e.voided_at, "evidence": [f.to_json() for f in o.evidence],
            }
            for entry in self.entries
            for o, e in ((entry.outcome, entry.outcome.stored),)
        ]  # fmt: skip
        submissions: list[JsonValue] = [
            {"id": i.id, "year": i.year, "community": i.community, "subdistrict": i.subdistrict, "file": i.file_path,
             "sha256": i.file_sha256, "first_error": i.first_error, "first_error_code": i.first_error_code,
             "errors": i.errors, "seen_at": i.seen_at}
            for i in self.invalid_submissions
        ]  # fmt: skip
        named: list[JsonValue] = [{"year": c.year, "date": c.day.isoformat(), "doc": c.document,
                                   "recorded_at": c.recorded_at} for c in self.conferrals]  # fmt: skip
        return {"community_id": self.community_id, "evaluations": evaluations, "invalid_submissions": submissions,
                "conferrals": named}  # fmt: skip


@dataclass(frozen=True)
class NoticeReport:
    """What `notice` wrote: the year, the kind of document, its file and the communities it lists."""

    year: int
    kind: str
    out: str
    communities: tuple[str, ...]  # the codes listed, each once (a 通报 may list one in several attachments)

    def to_json(self) -> JsonObject:
        return {"year": self.year, "kind": self.kind, "out": self.out, "communities": list(self.communities)}


@dataclass(frozen=True)
class Conferred:
    """One title conferred: the community, the year, the day and document, and the 评审日期 it dated from."""

    community_id: str
    community: str
    subdistrict: str
    year: int
    day: date
    document: str
    review_date: date | None  # the 评审日期 the title dated from until now


@dataclass(frozen=True)
class ConferReport:
    """What `confer` recorded: every title conferred."""

    conferred: tuple[Conferred, ...]

    def to_json(self) -> JsonObject:
        return {
            "conferred": [
                {"community_id": c.community_id, "community": c.community, "subdistrict": c.subdistrict,
                 "year": c.year, "date": c.day.isoformat(), "doc": c.document,
                 "review_date": c.review_date.isoformat() if c.review_date else None}
                for c in self.conferred
            ]
        }  # fmt: skip


@dataclass(frozen=True)
class VoidReport:
    """What `void` did: the record voided, and what now stands for that community and year."""

    voided: Outcome  # as the ledger now holds it (its `record` says why and when)
    current: Outcome | None  # what now stands for that community and year

    def to_json(self) -> JsonObject:
        o, facts = self.voided, self.voided.stored
        return {"record": facts.id, "community_id": o.community_id, "community": o.community, "year": o.year,
                "reason": facts.void_reason, "voided_at": facts.voided_at,
                "current": self.current.stored.id if self.current else None}  # fmt: skip


@dataclass(frozen=True)
class Change:
    """One community: its current evaluation, and what it becomes under the target version (or why it cannot)."""

    before: Outcome  # as the ledger holds it, with its `record`
    after: Outcome | None
    missing: tuple[tuple[str, str], ...]  # (row code, or * for the whole evaluation; why it cannot be scored)

    @property
    def issues_after(self) -> tuple[str, ...]:
        """What stops the evaluation under the target version, as its errors say it."""
        return tuple(i.message for i in self.after.errors) if self.after else ()


@dataclass(frozen=True)
class RescoreReport:
    """What `rescore` found (and recorded, when applied): each evaluation's change under the target version."""

    year: int
    version: str
    applied: bool
    changes: tuple[Change, ...]
    recorded: int = 0

    @property
    def blocked(self) -> int:
        return sum(1 for c in self.changes if c.after is None)

    def to_json(self) -> JsonObject:
        return {
            "year": self.year, "version": self.version, "applied": self.applied, "recorded": self.recorded,
            "communities": [
                {"community_id": c.before.community_id, "community": c.before.community,
                 "record": c.before.stored.id, "from_version": c.before.rubric_version,
                 "verdict_before": c.before.verdict.value, "total_before": as_float(c.before.total),
                 "verdict_after": c.after.verdict.value if c.after else None,
                 "total_after": as_float(c.after.total) if c.after else None,
                 "issues_after": list(c.issues_after),
                 "missing": [{"code": code, "why": why} for code, why in c.missing]}
                for c in self.changes
            ],
        }  # fmt: skip


@dataclass(frozen=True)
class Written:
    """One table as exported: its name, how many rows it has and where it was written."""

    name: str
    rows: int
    path: str


@dataclass(frozen=True)
class ExportReport:
    """What `export` wrote: the year, the folder or workbook, and each table with its row count."""

    year: int
    out: str
    tables: tuple[Written, ...]

    def to_json(self) -> JsonObject:
        return {"year": self.year, "out": self.out,
                "tables": [{"name": t.name, "rows": t.rows, "path": t.path} for t in self.tables]}  # fmt: skip


class Status(StrEnum):
    """What `template` did with one file."""

    WRITTEN = "written"
    OVERWRITTEN = "overwritten"
    EXISTS = "exists"

    @property
    def label(self) -> str:
        return {"written": "已生成", "overwritten": "已覆盖", "exists": "已存在，未覆盖"}[self.value]


@dataclass(frozen=True)
class Made:
    """One workbook `template` made (or found already there), for a community or blank, with its record sheet."""

    community: Community | None
    path: Path
    status: Status
    record: Path | None = None  # the record sheet beside the workbook (现场评审记录)


@dataclass(frozen=True)
class TemplateReport:
    """What `template` did: each workbook made, and the non-urban communities it made none for."""

    year: int
    out: Path
    made: tuple[Made, ...]
    skipped_non_urban: tuple[Community, ...]

    @property
    def written(self) -> int:
        return sum(1 for m in self.made if m.status is not Status.EXISTS)

    @property
    def kept(self) -> int:
        """Files that were there already and were left as they were (without `force`)."""
        return sum(1 for m in self.made if m.status is Status.EXISTS)

    def to_json(self) -> JsonObject:
        """`template --json`: what was written where, and the communities no form is made for."""
        return {
            "year": self.year,
            "out": str(self.out),
            "files": [
                {
                    "community_id": m.community.code if m.community else None,
                    "community": m.community.name if m.community else None,
                    "subdistrict": m.community.subdistrict if m.community else None,
                    "path": str(m.path),
                    "status": m.status.value,
                    "record_sheet": str(m.record) if m.record is not None else None,
                }
                for m in self.made
            ],
            "written": self.written,
            "kept": self.kept,
            "not_urban": [
                {"community_id": c.code, "community": c.name, "kind": c.kind} for c in self.skipped_non_urban
            ],
        }


@dataclass(frozen=True)
class RosterReport:
    """What `roster show` prints: for a year, the roster that serves it (kept for that year, else for the latest
    year before it; none when nothing is kept for it); without a year, every roster kept, a line each."""

    year: int | None
    kept: tuple[KeptRoster, ...]  # for a year: the one serving it, or none

    @property
    def serving(self) -> KeptRoster | None:
        return self.kept[0] if self.year is not None and self.kept else None

    def to_json(self) -> JsonObject:
        if self.year is None:
            return {"rosters": [{"year": k.year, "source": k.source, "stored_at": k.stored_at,
                                 "communities": len(k.communities), "urban": k.urban} for k in self.kept]}  # fmt: skip
        k = self.serving
        return {
            "year": self.year, "roster_year": k.year if k else None, "source": k.source if k else None,
            "stored_at": k.stored_at if k else None,
            "communities": [{"community_id": c.code, "community": c.name, "subdistrict": c.subdistrict, "kind": c.kind}
                            for c in (k.communities if k else ())],
        }  # fmt: skip


@dataclass(frozen=True)
class DistrictStanding:
    """One district of the city's view: its year's tally against its own stored roster (None: it keeps none)."""

    district: str
    tally: Tally | None


@dataclass(frozen=True)
class CityReport:
    """`progress --city`: every district of a shared ledger side by side, and the city as a whole."""

    year: int
    target: Decimal | None
    districts: tuple[DistrictStanding, ...]

    @property
    def urban(self) -> int:
        return sum(d.tally.urban for d in self.districts if d.tally is not None)

    @property
    def holders(self) -> int:
        return sum(d.tally.holders for d in self.districts if d.tally is not None)

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.holders, self.urban) if self.urban else None

    def to_json(self) -> JsonObject:
        rows: list[JsonValue] = []
        for d in self.districts:
            t = d.tally
            rows.append({
                "district": d.district, "urban": t.urban if t else 0, "holders": t.holders if t else 0,
                "rate": as_float(t.rate) if t else None, "target": as_float(self.target),
                "met": t.met if t else None, "gap": t.gap if t else None, "roster": t is not None,
            })  # fmt: skip
        return {"year": self.year, "target": as_float(self.target), "districts": rows,
                "city": {"urban": self.urban, "holders": self.holders, "rate": as_float(self.rate)}}  # fmt: skip


@dataclass(frozen=True)
class CopyReport:
    """`ledger copy`: per table, the rows added to the shared ledger and those it already held."""

    source: str
    target: str
    district: str
    tables: tuple[tuple[str, int, int], ...]  # (table, added, already)

    @property
    def added(self) -> int:
        return sum(added for _, added, _ in self.tables)

    def to_json(self) -> JsonObject:
        return {"from": self.source, "to": self.target, "district": self.district,
                "tables": {name: {"added": added, "already": already} for name, added, already in self.tables}}  # fmt: skip


@dataclass(frozen=True)
class BookletReport:
    """`standard --out`: the standard of a version written as a printable booklet."""

    out: str
    rubric: Rubric

    def to_json(self) -> JsonObject:
        r = self.rubric
        return {"out": self.out, "rubric_id": r.id, "version": r.version, "items": len(r.items),
                "rows": sum(len(i.rows) for i in r.items), "vetoes": len(r.vetoes)}  # fmt: skip


@dataclass(frozen=True)
class CommunityBinder:
    """One community's evidence in the binder's index: its current evaluation of the year, the files recorded with
    it grouped by the standard's sections, and the sections that ask for documents and have none."""

    outcome: Outcome  # the current evaluation, read with its evidence
    rubric: Rubric  # the version it was scored under: its sections and their 考评方式
    binder: Binder

    @property
    def size(self) -> int:
        return sum(f.size for f in self.outcome.evidence)

    def section_title(self, key: str) -> str:
        """第3项 开展多种形式基层协商 / 加分项 / V1 …: a section as the index names it."""
        if key.isdigit():
            return f"第{key}项 {self.rubric.item(int(key)).content}"
        if key == self.rubric.bonus.code:
            return f"加分项 {self.rubric.bonus.content}"
        veto = self.rubric.veto(key)
        return f"{veto.code} {veto.name}"

    @property
    def lacking_text(self) -> str:
        """The sections without documents in one line: 第 2、4、7 项，加分项，V1."""
        items = [key for key in self.binder.lacking if key.isdigit()]
        others = [
            "加分项" if key == self.rubric.bonus.code else key for key in self.binder.lacking if not key.isdigit()
        ]
        return "，".join([f"第 {'、'.join(items)} 项"] * bool(items) + others)

    def to_json(self) -> JsonObject:
        o = self.outcome
        return {
            "community_id": o.community_id, "community": o.community, "subdistrict": o.subdistrict,
            "record": o.stored.id, "review_date": o.review_date.isoformat() if o.review_date else None,
            "rubric_version": o.rubric_version, "file": o.file, "files": [f.to_json() for f in o.evidence],
            "size": self.size,
            "sections": {key: [f.path for f in files] for key, files in self.binder.by_section.items()},
            "other": [f.path for f in self.binder.other], "lacking": list(self.binder.lacking),
        }  # fmt: skip


@dataclass(frozen=True)
class EvidenceReport:
    """`greencli evidence`: the binder's index of a year, community by community (and where it was written)."""

    year: int
    communities: tuple[CommunityBinder, ...]
    out: str | None = None

    def to_json(self) -> JsonObject:
        return {"year": self.year, "out": self.out, "communities": [c.to_json() for c in self.communities]}
