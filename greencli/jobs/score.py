"""`greencli score`: read, validate and score a batch of workbooks, record them, write the district workbook."""

from __future__ import annotations

import contextlib
import dataclasses
import glob
import hashlib
import os
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from greencli.adapters.files import ensure_writable, path_text
from greencli.adapters.ledger import InvalidSubmission, Ledger, Record, ledger_path
from greencli.adapters.workers import process_pool
from greencli.adapters.xlsx_reader import formula_issues, read_workbook
from greencli.core.assess import assess
from greencli.core.errors import GreencliError, describe_os_error, with_detail
from greencli.core.issues import make_issue
from greencli.core.layout import SCORE_SHEET
from greencli.core.model import Entries, Evaluation, Verdict
from greencli.core.report import NO_EXTRA, Outcome, batch_year, outcome_json, summary_counts
from greencli.core.roster import Community
from greencli.core.rubric import Rubric

GLOB_CHARS = frozenset("*?[")
UNEXPECTED = (
    "读取时发生意外错误，请在 Excel 或 WPS 中打开该文件后重新另存为 .xlsx；如仍出错，请加 --debug 运行并报告维护人员"
)
# Below this many files a process pool costs more to start than it saves.
PARALLEL_FROM = 16


class NoInput(GreencliError):
    """Nothing to score (exit code 2)."""


@dataclass(frozen=True)
class Inputs:
    files: tuple[Path, ...]
    unmatched: tuple[str, ...] = ()
    skipped: tuple[Path, ...] = ()  # lock files of Excel/WPS and our own temporary files


def is_lock_or_temp(path: Path) -> bool:
    name = path.name
    return name.startswith(("~$", ".~")) or name.endswith((".tmp", "#"))


def expand(patterns: Sequence[str]) -> Inputs:
    """Files named or matched by glob patterns (expanded here: a Windows shell does not); folders are searched."""
    found: dict[str, Path] = {}
    unmatched: list[str] = []
    skipped: list[Path] = []
    for pattern in patterns:
        if GLOB_CHARS & set(pattern):
            matches = [Path(m) for m in sorted(glob.glob(pattern, recursive=True))]
        elif Path(pattern).is_dir():
            matches = sorted(p for p in Path(pattern).rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm"))
        else:
            matches = [Path(pattern)] if Path(pattern).exists() else []
        matches = [m for m in matches if not m.is_dir()]
        if not matches:
            unmatched.append(pattern)
        for match in matches:
            if is_lock_or_temp(match):
                skipped.append(match)
            else:
                found.setdefault(path_text(match.resolve()), match)
    return Inputs(tuple(found.values()), tuple(unmatched), tuple(skipped))


@dataclass(frozen=True)
class Assessment:
    """One file, read and judged."""

    path: Path
    outcome: Outcome  # all the reports and the ledger need: worker processes send back no more than this
    sha256: str
    size: int
    mtime: float
    entries: Mapping[str, Any] = field(default_factory=dict)


def _raw(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def _entries_json(info: Mapping[str, Any], entries: Entries) -> dict[str, Any]:
    """Every value as entered, so a later rubric version can re-score the history."""
    return {
        "info": {k: _raw(f.value) for k, f in info.items()},
        "values": {k: _raw(f.value) for k, f in entries.values.items()},
        "evidence": {k: _raw(f.value) for k, f in entries.evidence.items() if f.value not in ("", None)},
        "compounds": [
            [_raw(f.value) for f in (c.name, c.built, c.area, c.green, c.property_service, c.garbage_sorting)]
            for c in entries.compounds
            if any(f.value not in ("", None) for f in (c.name, c.built, c.area, c.green))
        ],
    }


def assess_file(path: Path, rubric: Rubric, roster: Mapping[str, Community] | None, latest_year: int) -> Assessment:
    """Read and judge one file; whatever the file holds, the result is an Assessment, never an exception."""
    try:
        data = path.read_bytes()
        stat = path.stat()
    except OSError as exc:
        issue = make_issue("file-unreadable", reason=describe_os_error(exc))
        evaluation = Evaluation(Verdict.INVALID, None, None, None, None, (), (issue,))
        return Assessment(path, _outcome(path, None, evaluation, roster), "", 0, 0.0)
    raw = read_workbook(path, rubric)
    assessed = assess(rubric, raw.info, raw.entries, raw.stamp, raw.issues, latest_year, roster)
    missing = [(i.cell, i.subject) for i in assessed.evaluation.issues
               if i.code == "value-missing" and i.sheet == SCORE_SHEET and i.cell and i.subject]  # fmt: skip
    formulas = formula_issues(path, rubric, missing) if missing else []
    if formulas:  # a formula typed into an input cell, never computed: say so at that cell instead of "missing"
        assessed = assess(rubric, raw.info, raw.entries, raw.stamp, (*raw.issues, *formulas), latest_year, roster)
    evaluation = assessed.evaluation
    return Assessment(
        path=path,
        outcome=_outcome(path, assessed.identity, evaluation, roster),
        sha256=hashlib.sha256(data).hexdigest(),
        size=stat.st_size,
        mtime=stat.st_mtime,
        entries=_entries_json(raw.info, raw.entries),
    )


def _outcome(path: Path, identity: Any, evaluation: Evaluation, roster: Mapping[str, Community] | None) -> Outcome:
    code = identity.code if identity is not None else ""
    known = roster.get(code) if roster and code else None
    return Outcome(
        file=path_text(path),
        community_id=code,
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
    )


# ── running a batch ──

_WORKER: dict[str, Any] = {}


def _init_worker(rubric: Rubric, roster: Mapping[str, Community] | None, latest_year: int) -> None:
    _WORKER.update(rubric=rubric, roster=roster, latest_year=latest_year)


def _work(path: Path) -> Assessment:
    return guarded_assess(path, _WORKER["rubric"], _WORKER["roster"], _WORKER["latest_year"])


def guarded_assess(path: Path, rubric: Rubric, roster: Mapping[str, Community] | None, latest_year: int) -> Assessment:
    """`assess_file`, with any failure of ours turned into an issue on that file so the batch goes on."""
    try:
        return assess_file(path, rubric, roster, latest_year)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        issue = make_issue("file-unreadable", reason=with_detail(UNEXPECTED, f"{type(exc).__name__}: {exc}"))
        evaluation = Evaluation(Verdict.INVALID, None, None, None, None, (), (issue,))
        return Assessment(path, _outcome(path, None, evaluation, roster), "", 0, 0.0)


def assess_all(
    files: Sequence[Path],
    rubric: Rubric,
    roster: Mapping[str, Community] | None,
    latest_year: int,
    jobs: int = 0,
    on_done: Callable[[Assessment], None] | None = None,
) -> Iterator[Assessment]:
    """Assess every file, in parallel processes when there are enough of them; yields in input order."""
    workers = jobs if jobs > 0 else (min(os.cpu_count() or 1, 8) if len(files) >= PARALLEL_FROM else 1)
    if workers <= 1 or len(files) <= 1:
        for path in files:
            result = guarded_assess(path, rubric, roster, latest_year)
            if on_done:
                on_done(result)
            yield result
        return
    with process_pool(workers, _init_worker, (rubric, roster, latest_year)) as pool:
        for result in pool.map(_work, files, chunksize=max(1, len(files) // (workers * 8))):
            if on_done:
                on_done(result)
            yield result


def settle_outcomes(outcomes: Sequence[Outcome], mtimes: Sequence[float]) -> list[Outcome]:
    """Two valid files for one community and year: the later 评审日期, then the later file time, is current;
    the others are marked superseded, with a warning that names the file that stands."""
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    for n, o in enumerate(outcomes):
        if o.scored and o.year is not None and o.community_id:
            groups[(o.community_id, o.year)].append(n)
    out = list(outcomes)
    for members in groups.values():
        if len(members) < 2:
            continue
        ordered = sorted(members, key=lambda n: (outcomes[n].review_date or date.min, mtimes[n], outcomes[n].file))
        winner = outcomes[ordered[-1]]
        for n in ordered[:-1]:
            loser = outcomes[n]
            earlier = (loser.review_date or date.min) < (winner.review_date or date.min)
            note = make_issue("superseded-in-batch", subject=loser.community_id, other=Path(winner.file).name,
                              why="评审日期较早" if earlier else "文件较旧")  # fmt: skip
            out[n] = dataclasses.replace(loser, superseded=True, issues=(*loser.issues, note))
    return out


def settle_batch(assessments: Sequence[Assessment]) -> list[Assessment]:
    """`settle_outcomes` for assessments still carrying their entries (the rollup's few changed files)."""
    settled = settle_outcomes([a.outcome for a in assessments], [a.mtime for a in assessments])
    return [dataclasses.replace(a, outcome=o) for a, o in zip(assessments, settled, strict=True)]


def to_record(a: Assessment, rubric: Rubric) -> Record:
    o = a.outcome
    assert o.year is not None and o.total is not None and o.bonus is not None
    assert o.categories is not None and o.items is not None
    return Record(
        community_id=o.community_id, community=o.community, subdistrict=o.subdistrict, year=o.year,
        verdict=o.verdict.value, total=o.total, bonus=o.bonus,
        categories={str(k): str(v) for k, v in o.categories.items()},
        items={str(k): str(v) for k, v in o.items.items()}, vetoes=list(o.vetoes),
        warnings=[{"code": i.code, "subject": i.subject, "sheet": i.sheet, "cell": i.cell, "message": i.message}
                  for i in o.issues],
        entries=dict(a.entries), rubric_id=rubric.id, rubric_version=rubric.version, file_path=path_text(a.path.resolve()),
        file_sha256=a.sha256, file_size=a.size, file_mtime=a.mtime, review_date=o.review_date,
        reviewers=str(a.entries.get("info", {}).get("评审人员") or ""),
    )  # fmt: skip


def run_score(
    rubric: Rubric,
    patterns: Sequence[str],
    *,
    roster: Sequence[Community] | None = None,
    db: Path | None = None,
    out: Path | None = None,
    dry_run: bool = False,
    jobs: int = 0,
    progress: Callable[[int], Any] | None = None,
    latest_year: int | None = None,
    year: int | None = None,
) -> dict[str, Any]:
    """The whole `score` command as data: what the table shows and what `--json` prints."""
    inputs = expand(patterns)
    if not inputs.files:
        shown = "、".join(patterns)
        raise NoInput(f"没有找到要评分的文件：{shown}" + ("（锁定/临时文件已跳过）" if inputs.skipped else ""))
    if out is not None and not dry_run:
        ensure_writable(out)
    by_code = {c.code: c for c in roster} if roster is not None else None
    year_limit = latest_year if latest_year is not None else date.today().year + 1
    ledger_file = ledger_path(db)
    outcomes: list[Outcome] = []
    mtimes: list[float] = []
    recorded = already = 0
    bar = progress(len(inputs.files)) if progress is not None else None
    try:
        with contextlib.ExitStack() as stack:
            # One transaction for the whole batch, fed as results stream in: each file's entered values go to
            # the ledger and are dropped, so memory holds only the compact outcomes the reports need.
            batch = None if dry_run else stack.enter_context(stack.enter_context(Ledger.open(ledger_file)).batch())
            invalid: list[Assessment] = []
            for a in assess_all(inputs.files, rubric, by_code, year_limit, jobs,
                                on_done=bar.advance if bar is not None else None):  # fmt: skip
                outcomes.append(compact(a.outcome))
                mtimes.append(a.mtime)
                if batch is not None and a.outcome.scored:
                    batch.add(to_record(a, rubric))
                elif a.outcome.community_id:
                    invalid.append(dataclasses.replace(a, entries={}))
            chosen = batch_year(outcomes, year)
            if batch is not None:
                for a in (
                    invalid
                ):  # remembered, so progress can say 待改正; a workbook without a year counts for the batch's
                    submission = invalid_submission(a, chosen.year)
                    if submission is not None:
                        batch.add_invalid(submission)
                recorded, already = batch.new, batch.already
    finally:
        if bar is not None:
            bar.close()
    settled = settle_outcomes(outcomes, mtimes)
    settled = mark_off_year(settled, chosen.year) + [_missing_outcome(p) for p in inputs.unmatched]
    order = list(dict.fromkeys(c.subdistrict for c in roster)) if roster is not None else []
    settled.sort(key=lambda o: _order_key(o, order))
    if not dry_run and out is not None:
        from greencli.adapters.xlsx_report import write_district_workbook  # heavy: only when writing

        write_district_workbook(out, settled, rubric, order)
    return {
        "results": Results(settled, rubric),
        "summary": summary_counts(settled),
        "recorded": recorded,
        "already": already,
        "db": str(ledger_file),
        "out": str(out) if out is not None else None,
        "dry_run": dry_run,
        "unmatched": list(inputs.unmatched),
        "skipped": [path_text(p) for p in inputs.skipped],
        "rubric": {"id": rubric.id, "version": rubric.version},
        "categories": [str(c.number) for c in rubric.categories],
        "year": chosen.year,
        "year_source": chosen.source,
        "years": {str(y): n for y, n in chosen.counts.items()},
    }


class Results(Sequence[dict[str, Any]]):
    """`results` of `score --json`, made one at a time as they are printed or shown, never all at once."""

    def __init__(self, outcomes: Sequence[Outcome], rubric: Rubric) -> None:
        self.outcomes, self.rubric = outcomes, rubric

    def __len__(self) -> int:
        return len(self.outcomes)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [outcome_json(o, self.rubric) for o in self.outcomes[index]]
        return outcome_json(self.outcomes[index], self.rubric)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (outcome_json(o, self.rubric) for o in self.outcomes)


_SHARED: dict[Decimal, Decimal] = {}


def _shared(value: Decimal) -> Decimal:
    """Scores repeat (0, 0.5, 1, … 100): keep one object per value across thousands of outcomes."""
    return _SHARED.setdefault(value, value)


def compact(o: Outcome) -> Outcome:
    """The outcome with its repeating numbers shared, as it is kept in memory for the reports."""
    return dataclasses.replace(
        o,
        extra=o.extra or NO_EXTRA,
        community_id=sys.intern(o.community_id),
        community=sys.intern(o.community),
        subdistrict=sys.intern(o.subdistrict),
        total=_shared(o.total) if o.total is not None else None,
        bonus=_shared(o.bonus) if o.bonus is not None else None,
        categories={k: _shared(v) for k, v in o.categories.items()} if o.categories is not None else None,
        items={k: _shared(v) for k, v in o.items.items()} if o.items is not None else None,
    )


def invalid_submission(a: Assessment, fallback_year: int | None) -> InvalidSubmission | None:
    """What the ledger remembers of an invalid workbook: whose it is, for which year, and its first error."""
    o = a.outcome
    year = o.year if o.year is not None else fallback_year
    if not o.community_id or year is None:
        return None
    errors = [i for i in o.issues if i.is_error]
    first = errors[0] if errors else None
    text = f"{first.where} {first.message}".strip() if first is not None else ""
    return InvalidSubmission(
        community_id=o.community_id, community=o.community, subdistrict=o.subdistrict, year=year,
        file_path=path_text(a.path.resolve()), file_sha256=a.sha256, first_error=text, errors=len(errors),
    )  # fmt: skip


def mark_off_year(outcomes: Sequence[Outcome], year: int | None) -> list[Outcome]:
    """Valid workbooks of another 评审年度 than the batch's: still scored and recorded (under their own year), but
    outside the batch's statistics and ranks, with a warning that says so."""
    if year is None:
        return list(outcomes)
    out = []
    for o in outcomes:
        if o.scored and o.year is not None and o.year != year:
            note = make_issue("year-other", subject=o.community_id or None, value=o.year, expected=year)
            o = dataclasses.replace(o, off_year=True, issues=(*o.issues, note))  # noqa: PLW2901
        out.append(o)
    return out


def _missing_outcome(pattern: str) -> Outcome:
    issue = make_issue("file-missing", reason=f"“{pattern}”没有匹配到任何文件")
    return Outcome(pattern, "", "", "", None, Verdict.INVALID, None, None, None, None, (), (issue,))


def _order_key(o: Outcome, order: Sequence[str]) -> tuple[int, str, str, str]:
    rank = order.index(o.subdistrict) if o.subdistrict in order else len(order)
    return (rank, o.subdistrict or "\uffff", o.community_id, o.file)
