"""The one batch pipeline that `score` and `rollup` both run.

discover (one inbox rule, `jobs.inputs`) → read each file once, hashing it streamed, the formula probe inside the reader → assess
once, each valid evaluation's ledger row made where it was read → settle (two files for one community and year;
files of another year) → record (valid evaluations spooled as read, invalid submissions, in one transaction, with
what stands elsewhere in the ledger said on each outcome).
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from greencli.adapters.container import Whole, read_whole
from greencli.adapters.files import path_text
from greencli.adapters.ledger import Batch, Elsewhere, Recorded
from greencli.adapters.ledger.rows import evaluation_row
from greencli.adapters.oserrors import describe_os_error, with_detail
from greencli.core.issues import make_issue
from greencli.core.model import Evaluation, RecordedEntries, Verdict
from greencli.core.outcome import InvalidSubmission, Outcome, SourceFile
from greencli.core.roster import Rosters
from greencli.core.rubric import Campaign, Standards
from greencli.core.values import Scores, shared, shared_date
from greencli.jobs.readers import READER, worker_count

# Files a worker is handed at a time: few enough that the workers finish together (a worker left with a long last
# chunk keeps the run going while the other core idles), enough that handing them out costs nothing.
CHUNK = 16
UNEXPECTED = (
    "读取时发生意外错误，请在 Excel 或 WPS 中打开该文件后重新另存为 .xlsx；如仍出错，请加 --debug 运行并报告维护人员"
)


# ── read and assess ──


def _failed(path: Path, reason: str) -> Outcome:
    issue = make_issue("file-unreadable", reason=reason)
    return Outcome.of(path_text(path), None, Evaluation.invalid((issue,)), source=SourceFile(path_text(path), "", 0, 0))


def assess_file(
    path: Path,
    standards: Standards,
    roster: Rosters | None,
    latest_year: int,
    sha256: str | None = None,
    resolved: str | None = None,
) -> Outcome:
    """Read and judge one file, once, under the rubric version stamped in it. Its SHA-256, size and time are those
    of the bytes read and scored (`sha256`, the caller's own hash, stands only for a file that could not be read);
    `resolved`, its absolute real path when the caller already has it. The outcome carries its source file and,
    when valid, its entries (for the ledger). Never raises for a bad file."""
    # the reading and scoring stack, loaded by the first file read (a rollup with nothing new never loads it)
    from greencli.adapters.evidence_folder import list_evidence
    from greencli.adapters.xlsx_reader import formula_issues, read_workbook
    from greencli.core.assess import assess, missing_inputs, with_formulas
    from greencli.core.evidence import match as match_evidence

    whole = read_whole(path)  # read once: hashed, checked and parsed from the same bytes
    if isinstance(whole, Whole):
        size, mtime_ns, digest = whole.size, whole.mtime_ns, hashlib.sha256(whole.data).hexdigest()
        raw = read_workbook(path, standards, whole.data)
    else:
        try:
            stat = path.stat()
        except OSError as exc:
            return _failed(path, describe_os_error(exc))
        size, mtime_ns, digest = stat.st_size, stat.st_mtime_ns, sha256 or ""
        raw = read_workbook(path, standards)
    rubric = standards.get(raw.version or "") or standards.newest
    assessed = assess(rubric, raw.info, raw.entries, raw.stamp, raw.issues, latest_year, roster, date.today())
    missing = missing_inputs(assessed)
    if missing:  # only then: a sound file never pays for the second look at its XML
        assessed = with_formulas(assessed, formula_issues(raw, rubric, missing), len(raw.issues))
    index = roster.index(assessed.identity.year) if roster is not None and assessed.identity.code else None
    known = index.get(assessed.identity.code) if index else None
    source = SourceFile(resolved or path_text(path.resolve()), digest, size, mtime_ns)
    scored = assessed.evaluation.verdict is not Verdict.INVALID
    entries = RecordedEntries.of(raw) if scored else None
    o = Outcome.of(path_text(path), assessed.identity, assessed.evaluation, known, raw.version, source, entries)
    evidence = match_evidence(rubric, list_evidence(path), raw.entries.evidence)
    if evidence.issues or evidence.files:
        o = dataclasses.replace(o, issues=(*o.issues, *evidence.issues), evidence=evidence.files if scored else ())
    return o


def guarded_assess(
    path: Path,
    standards: Standards,
    roster: Rosters | None,
    latest_year: int,
    sha256: str | None = None,
    resolved: str | None = None,
) -> Outcome:
    """`assess_file`, with any failure of ours turned into an issue on that file so the batch goes on."""
    try:
        return assess_file(path, standards, roster, latest_year, sha256, resolved)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        return _failed(path, with_detail(UNEXPECTED, f"{type(exc).__name__}: {exc}"))


@dataclass(frozen=True)
class _Context:
    """What every workbook of a batch is read against: the standards, the roster, the latest year and the
    batch's stamp."""

    standards: Standards
    roster: Rosters | None
    latest_year: int
    stamp: tuple[str, str] | None  # the batch's (rubric_id, scored_at): its ledger rows are prepared here


Row = tuple[object, ...]
_WORKER: list[_Context] = []


def _init_worker(context: _Context) -> None:
    _WORKER[:] = [context]


def _work(item: tuple[Path, str | None, str | None]) -> tuple[Outcome, Row | None]:
    return _assessed(_WORKER[0], *item)


def _assessed(context: _Context, path: Path, sha256: str | None, resolved: str | None) -> tuple[Outcome, Row | None]:
    """One file assessed, with its ledger row when it is valid and there is a batch: the row is made where the file
    was read, and the outcome travels back without its entries (the row holds them)."""
    o = guarded_assess(path, context.standards, context.roster, context.latest_year, sha256, resolved)
    row = evaluation_row(o, *context.stamp) if context.stamp is not None and o.scored else None
    return o.lean, row


def assess_all(
    files: Sequence[Path],
    standards: Standards,
    roster: Rosters | None,
    latest_year: int,
    jobs: int = 0,
    on_done: Callable[[Outcome], None] | None = None,
    hashes: Mapping[Path, str] | None = None,
    batch: Batch | None = None,
    resolved: Mapping[Path, str] | None = None,
) -> Iterator[Outcome]:
    """Assess every file, in parallel processes when there are enough of them; yields in input order, each outcome
    lean (`compact`), its valid evaluation spooled into `batch` as it comes (the ledger stays unlocked while files
    are read)."""
    work = [(path, (hashes or {}).get(path), (resolved or {}).get(path)) for path in files]
    workers = worker_count(len(files), jobs)
    context = _Context(standards, roster, latest_year, batch.stamp if batch is not None else None)

    def done(item: tuple[Path, str | None, str | None], result: tuple[Outcome, Row | None]) -> Outcome:
        outcome, row = result
        if batch is not None and row is not None:
            batch.add_row(row)
        outcome = compact(outcome, item[2])
        if on_done:
            on_done(outcome)
        return outcome

    if workers <= 1:
        for item in work:
            yield done(item, _assessed(context, *item))
        return
    from greencli.adapters.workers import process_pool

    with process_pool(workers, _init_worker, (context,), READER) as pool:
        for item, result in zip(work, pool.map(_work, work, chunksize=CHUNK), strict=True):
            yield done(item, result)


# ── settle ──


def settle(outcomes: Sequence[Outcome], campaign: Campaign) -> list[Outcome]:
    """Two valid files for one community and year: the later 评审日期 (none counts as the campaign's end of the
    year), then the later file time, is current; the others are marked superseded, with a warning that names the
    file that stands."""
    mtimes = [o.source.mtime_ns if o.source is not None else 0 for o in outcomes]
    groups: dict[tuple[str, int], list[int]] = defaultdict(list)
    for n, o in enumerate(outcomes):
        if o.scored and o.year is not None and o.community_id:
            groups[(o.community_id, o.year)].append(n)
    out = list(outcomes)
    for members in groups.values():
        if len(members) < 2:
            continue
        dated = {n: outcomes[n].dated_in(campaign) or date.min for n in members}
        ordered = sorted(members, key=lambda n: (dated[n], mtimes[n], outcomes[n].file))
        winner = ordered[-1]
        for n in ordered[:-1]:
            loser = outcomes[n]
            earlier = dated[n] < dated[winner]
            note = make_issue("superseded-in-batch", subject=loser.community_id, other=Path(outcomes[winner].file).name,
                              why="评审日期较早" if earlier else "文件较旧")  # fmt: skip
            out[n] = dataclasses.replace(loser, superseded_in_batch=True, issues=(*loser.issues, note))
    return out


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


def invalid_submission(o: Outcome, fallback_year: int | None) -> InvalidSubmission | None:
    """What the ledger remembers of an invalid workbook: whose it is, for which year, and its first error."""
    year = o.year if o.year is not None else fallback_year
    if o.scored or not o.community_id or year is None:
        return None
    first = o.first_error
    return InvalidSubmission(
        community_id=o.community_id, community=o.community, subdistrict=o.subdistrict, year=year,
        file_path=o.read_from.path, file_sha256=o.read_from.sha256,
        first_error=f"{first.where} {first.message}".strip() if first is not None else "", errors=len(o.errors),
        first_error_code=first.code if first is not None else None,
    )  # fmt: skip


# ── record ──


def record(
    batch: Batch,
    outcomes: Sequence[Outcome],
    year: int | None,
    campaign: Campaign,
    then: Callable[[list[Outcome]], None] | None = None,
) -> tuple[list[Outcome], Recorded]:
    """Record a run that `score` or `rollup` read, in one transaction: the valid evaluations spooled as they were
    read, and each invalid workbook as an invalid submission (one without a 评审年度 counts for `year`), so progress
    can say 待改正. Each recorded workbook that does not stand in the ledger because of a record from outside the
    run is said on its outcome. `then` runs inside the transaction with the outcomes so noted (to write a workbook
    from them); if it raises, nothing is recorded."""
    for o in outcomes:
        submission = invalid_submission(o, year)
        if submission is not None:
            batch.add_invalid(submission)
    noted: list[list[Outcome]] = []

    def inside(elsewhere: Mapping[str, Elsewhere]) -> None:
        noted.append(with_ledger(outcomes, elsewhere, campaign))
        if then is not None:
            then(noted[0])

    done = batch.commit(then=inside)
    return noted[0], done


def with_ledger(outcomes: Sequence[Outcome], elsewhere: Mapping[str, Elsewhere], campaign: Campaign) -> list[Outcome]:
    """Each recorded workbook that does not stand in the ledger, said where it happens (a warning, and the number of
    the record that stands), as a workbook superseded within the batch already is."""
    out = []
    for o in outcomes:
        found = (
            elsewhere.get(o.source.sha256) if o.scored and not o.superseded_in_batch and o.source is not None else None
        )
        if found is None:
            out.append(o)
            continue
        if found.void_reason is not None:
            note = make_issue("voided-in-ledger", subject=o.community_id, record=found.record, reason=found.void_reason)
        else:
            mine = o.dated_in(campaign)
            theirs = campaign.dated(found.review_date, found.year)
            why = (f"评审日期 {theirs.isoformat()} 晚于本份的 {mine.isoformat()}" if mine is not None and theirs > mine
                   else "评审日期相同，那一份评分在后")  # fmt: skip
            note = make_issue("superseded-in-ledger", subject=o.community_id, year=o.year, record=found.record, why=why)
        out.append(dataclasses.replace(o, ledger_current=found.record, issues=(*o.issues, note)))
    return out


def missing_outcome(pattern: str) -> Outcome:
    issue = make_issue("file-missing", reason=f"“{pattern}”没有匹配到任何文件")
    return Outcome.of(pattern, None, Evaluation.invalid((issue,)))


# ── keeping thousands of outcomes lean ──


def compact(o: Outcome, resolved: str | None = None) -> Outcome:
    """The outcome with its repeating numbers, names and dates shared and without its entries (recorded by then), as
    it is kept in memory for the reports; its source file's path is `resolved` itself when it is that text (the
    listing's own string, not a second copy of it from the worker)."""
    source = o.source
    if source is not None and resolved is not None and source.path == resolved:
        source = dataclasses.replace(source, path=resolved)
    return dataclasses.replace(
        o,
        entries=None,
        evidence=(),
        source=source,
        community_id=sys.intern(o.community_id),
        community=sys.intern(o.community),
        subdistrict=sys.intern(o.subdistrict),
        reviewers=sys.intern(o.reviewers),
        rubric_version=sys.intern(o.rubric_version) if o.rubric_version is not None else None,
        review_date=shared_date(o.review_date) if o.review_date is not None else None,
        total=shared(o.total) if o.total is not None else None,
        bonus=shared(o.bonus) if o.bonus is not None else None,
        categories=Scores(o.categories) if o.categories is not None else None,
        items=Scores(o.items) if o.items is not None else None,
    )


def order_key(o: Outcome, order: Sequence[str]) -> tuple[int, str, str, str]:
    """Roster order of 乡街, then code and file: the order every report lists outcomes in."""
    rank = order.index(o.subdistrict) if o.subdistrict in order else len(order)
    return (rank, o.subdistrict or "\uffff", o.community_id, o.file)
