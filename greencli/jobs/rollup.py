"""`greencli rollup`: the unattended form of `score` for cron.

Finds workbooks under an inbox, reads only those new or changed since the ledger last saw them, records them,
then rewrites the consolidated workbook (and the progress sheets, when the year has a target) from the ledger.
One run at a time. The new workbook is written to a temporary file inside the ledger transaction and renamed
into place only after the transaction commits, so a run killed at any moment leaves yesterday's workbook and a
consistent ledger, and the next run completes normally.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import sys
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from greencli.adapters.evidence_folder import evidence_stamp
from greencli.adapters.files import OutputError, atomic_target, clear_stale, ensure_writable, path_text, refuse_overlap
from greencli.adapters.ledger import NEWEST, Batch, KnownFile, Ledger, LedgerAt, PostgresUrl, ledger_at
from greencli.adapters.lock import database_lock, run_lock
from greencli.adapters.oserrors import describe_os_error
from greencli.core.errors import RECORDED_NO_WORKBOOK, GreencliError
from greencli.core.rollup_report import RollupReport
from greencli.core.roster import Community, Rosters
from greencli.core.version import __version__
from greencli.jobs.inputs import FileStat, Inputs, scan, sha256_of

if TYPE_CHECKING:
    from greencli.adapters.progress_plan import Before, ProgressPlan
    from greencli.core.listings import Listing
    from greencli.core.outcome import Outcome
    from greencli.core.progress import Progress
    from greencli.core.rubric import Rubric, Standards

# RollupReport is defined in greencli.core.rollup_report (the terminal renders it); importable from here as before
__all__ = ["RollupReport", "close_log", "event", "input_digest", "open_log", "run_rollup", "unchanged_rollup"]

LOGGER = "greencli.rollup"
# However short --wait is, a rollup waits this long for another writer's transaction (a score recording its batch
# holds the ledger for a moment, not a run): within it the rollup queues; beyond it, exit 3 with nothing changed.
LEDGER_GRACE = 10.0


class _Formatter(logging.Formatter):
    """`2026-11-30T02:30:00+08:00 事件 键=值 …`: one line per event, local time with its offset, never colours."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="seconds")
        return f"{stamp} {record.getMessage()}"


def open_log(path: Path | None) -> logging.Logger:
    """The rollup's log: appended to `path` (UTF-8), or written to stderr."""
    logger = logging.getLogger(LOGGER)
    close_log(logger)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler: logging.Handler = logging.FileHandler(path, mode="a", encoding="utf-8")
        else:
            handler = logging.StreamHandler(sys.stderr)
    except OSError as exc:
        raise OutputError("log-unwritable", path=str(path), reason=describe_os_error(exc)) from exc
    handler.setFormatter(_Formatter())
    logger.addHandler(handler)
    return logger


def close_log(logger: logging.Logger) -> None:
    for handler in list(logger.handlers):
        handler.close()
        logger.removeHandler(handler)


def event(name: str, **fields: object) -> str:
    """`事件 键=值 …` on one line, whatever the values hold: each value escaped (\\n, \\x1b, \\u202e) and quoted when
    it holds white space, = or a quote (`core.clean.log_value`), so a file name can neither end the line nor forge
    a pair."""
    from greencli.core.clean import log_value, visible

    details = " ".join(f"{k}={log_value(path_text(v) if isinstance(v, Path) else v)}" for k, v in fields.items())
    return visible(name) + (f" {details}" if details else "")


def _fingerprint(ledger: Ledger, sources: str, year: int, out: Path) -> str:
    """Everything the consolidated workbook is built from; the same fingerprint gives the same workbook: the ledger's
    records and kept rosters, the year, the standard's and the roster's files by their bytes (`input_digest`), this
    program's version and the place."""
    return json.dumps([ledger.state(), ledger.roster_stamps(), year, sources, __version__, str(out.resolve())],
                      ensure_ascii=False)  # fmt: skip


def input_digest(rubric: Path | None, roster: Path | Sequence[Community] | None) -> str | None:
    """What a district workbook is made from besides the ledger, told by the bytes of the files read, nothing
    parsed: each file of the standard (the bundled versions, or the file or folder named) and the roster given (a
    file, or communities handed over by the Python API), each by its size and CRC-32, as the parsed copy beside a
    bundled TOML is known (what tells an edited file; zlib is loaded anyway, OpenSSL's hashing is not). None when
    one cannot be read: the run then reads them the long way and says what is wrong."""
    from greencli.adapters.rubric_sources import standard_files

    def told(data: bytes) -> list[int]:
        return [len(data), zlib.crc32(data)]

    try:
        told_files = [[path_text(path), *told(path.read_bytes())] for path in standard_files(rubric)]
        if isinstance(roster, Path):
            told_roster: object = told(roster.read_bytes())
        else:
            told_roster = None if roster is None else [(c.code, c.name, c.subdistrict, c.kind) for c in roster]
    except OSError:
        return None
    return json.dumps([told_files, told_roster], ensure_ascii=False)


def _one_run_at_a_time(at: LedgerAt, wait: float) -> contextlib.AbstractContextManager[None]:
    """The rollup's lock: a file beside an SQLite ledger; in a shared ledger, the database's own (released by the
    server when a killed run's session ends)."""
    if isinstance(at, PostgresUrl):
        with Ledger.open(at, wait=max(wait, LEDGER_GRACE)) as ledger:  # the district (the only one, if none named)
            district = ledger.district
        return database_lock(at.url, district, f"{at}（{district}）", wait)
    return run_lock(at.with_name(at.name + ".lock"), wait)


def _write_outputs(target: Path, ledger: Ledger, rubric: Rubric, rosters: Rosters, year: int,
                   invalid: Sequence[Outcome], before: Before | None) -> tuple[int, str | None]:  # fmt: skip
    """The consolidated workbook of the year, from the ledger, with its progress sheets when the year has a target,
    or when the workbook being replaced had them (`progress --out` added them: made again for the year and --as-of
    they were made for, as score does), all in one pass. Returns how many communities it shows evaluated, and what
    to tell the user about the progress sheets, or None."""
    from greencli.adapters.progress_plan import carried, plan_progress, refuse_to_lose
    from greencli.adapters.xlsx_report import DistrictWorkbook  # heavy: only here
    from greencli.jobs.standing import YearStanding

    refuse_to_lose(before)  # a person's own sheet is never dropped: nothing is recorded, exit 2
    roster = rosters.for_year(year)
    order = list(dict.fromkeys(c.subdistrict for c in roster)) if roster is not None else []
    note: str | None = None
    plan: ProgressPlan | None
    with DistrictWorkbook(target, rubric) as book:
        current = ledger.evaluations(year=year, current_only=True)
        communities = len(current)
        book.district([*current, *(o for o in invalid if o.year in (year, None))], order)
        del current  # thousands of evaluations, let go before the progress sheets are planned
        if rubric.campaign.target_for(year) is not None and roster is not None:
            standing = YearStanding.read(ledger, rubric, roster, year)
            plan = plan_progress(standing.current, rubric, standing.lists)
        else:

            def made(when: int, as_of: date | None) -> tuple[Progress, list[Listing]] | None:
                communities = rosters.for_year(when)  # each year's sheets against that year's roster
                if communities is None:
                    return None
                standing = YearStanding.read(ledger, rubric, communities, when, as_of)
                return standing.current, standing.lists

            plan, note = carried(before, rubric, made)
        if plan is not None:
            book.progress(plan)
    return communities, note


def _before(out: Path, year: int) -> Before | None:
    """What the workbook about to be replaced holds beside the sheets a rollup writes (see xlsx_progress)."""
    if not out.exists():
        return None
    from greencli.adapters.xlsx_progress import before_rewrite  # heavy: only when there is one

    return before_rewrite(out, year)


def _without_own_outputs(found: Inputs, ledger: Ledger, outs: Sequence[Path]) -> Inputs:
    """The inbox less every workbook a greencli run wrote (this --out, every name it takes by year, and any output
    the ledger remembers), so a rollup never reads its own district workbook as an inspection, wherever it is."""
    own = {*(path_text(out.resolve()) for out in outs), *ledger.output_paths()}
    dropped = tuple(p for p in found.files if found.key(p) in own)
    if not dropped:  # the usual inbox: its own outputs kept elsewhere
        return found
    kept = tuple(p for p in found.files if found.key(p) not in own)
    return dataclasses.replace(found, files=kept, skipped=(*found.skipped, *dropped))


def _run_year(
    given: int | None, ledger: Ledger, known: dict[str, KnownFile], present: set[str], assessed: Sequence[Outcome]
) -> tuple[int, str]:
    """The year a rollup reports: the one given, else the latest 评审年度 of the workbooks now in the inbox (as
    recorded, or as just read), else this calendar year. Returns it with how it was chosen."""
    if given is not None:
        return given, "option"
    years = {y for path, y in ledger.file_years().items() if path in present}
    years |= {o.year for o in assessed if o.year is not None}
    years |= {f.outcome.year for p, f in known.items() if p in present and f.outcome and f.outcome.year is not None}
    if years:
        return max(years), "inbox"
    return date.today().year, "today"


def _read(
    fresh: Sequence[Path], standards: Standards, rosters: Rosters, latest: int, jobs: int, hashes: dict[Path, str],
    batch: Batch, resolved: Mapping[Path, str],
) -> list[Outcome]:  # fmt: skip
    """The new and changed workbooks read, assessed and settled, each valid one spooled into the batch. The workbook
    is made from the ledger: of each valid workbook read, only what the run says is kept. The reading and scoring
    stack is imported here, so a rollup over an unchanged inbox never loads it."""
    if not fresh:
        return []
    from greencli.jobs.pipeline import assess_all, settle

    reading = assess_all(fresh, standards, rosters, latest, jobs, hashes=hashes, batch=batch, resolved=resolved)
    return settle([o.tallied for o in reading], standards.newest.campaign)


def _evidence_of(found: Inputs, path: Path) -> str:
    """A workbook's evidence folder as listed now ('' when there is none beside it)."""
    return "" if path in found.no_evidence_folder else evidence_stamp(path)


def _as_seen(seen: KnownFile | None, stamp: str, st: FileStat | os.stat_result) -> bool:
    """Whether a workbook is as the ledger saw it last: its size, time and evidence folder (never read again)."""
    if seen is None or seen.evidence_stamp != stamp:
        return False
    return (seen.size, seen.mtime_ns) == (st.st_size, st.st_mtime_ns)


def _gone(known: Mapping[str, KnownFile], present: set[str], inbox: Path) -> list[str]:
    """The workbooks the ledger saw in this inbox that it no longer holds."""
    within = path_text(inbox.resolve()).rstrip("/\\") + ("\\" if sys.platform == "win32" else "/")
    return [p for p in known if p not in present and p.startswith(within)]


def unchanged_rollup(
    inbox: Path, *, year: int, out: Path, sources: str, db: LedgerAt
) -> tuple[RollupReport, list[str]] | None:
    """The nightly run over an unchanged inbox, told from the inbox's listing and the ledger alone, before the
    standard or the roster is loaded: every workbook as the ledger saw it, none gone, and the district workbook
    still the one written from the same ledger, rosters kept, year, place and standard's and roster's files
    (`sources`, by their bytes). Returns the report and the log's lines of such a run, as `run_rollup` reports and
    logs it. None, with nothing made, written or waited for, whenever anything differs or stands in the way (a
    ledger no rollup has run on, on another schema or shared, another run holding the lock, an output that clashes
    with an input): `run_rollup` then does the whole run, its checks and its errors in their order."""
    started = time.monotonic()
    if isinstance(db, PostgresUrl) or not inbox.is_dir():
        return None
    lock = db.with_name(db.name + ".lock")
    if not (db.is_file() and lock.is_file()):
        return None  # no rollup has run on this ledger yet; and a refused call leaves no lock file behind
    try:
        with run_lock(lock), Ledger.open(db, create=False, write=False) as ledger:
            if ledger.schema_version() != NEWEST:
                return None  # a reader would see an upgraded copy: the writer's run upgrades the file itself
            found = _without_own_outputs(scan(inbox), ledger, [out])
            refuse_overlap({"out": out}, {"评分表": list(found.files)}, found.stats)
            known = ledger.known_files()
            present: set[str] = set()
            for path in found.files:
                key = found.key(path)
                st = found.stats.get(path)
                if st is None or not _as_seen(known.get(key), _evidence_of(found, path), st):
                    return None
                present.add(key)
            if _gone(known, present, inbox):
                return None
            ledger.db.execute("BEGIN")  # one snapshot of the records, the rosters and the workbook's fingerprint
            try:
                if not ledger.output_unchanged(out.resolve(), _fingerprint(ledger, sources, year, out)):
                    return None
                communities, invalid_now = ledger.count_current(year), _invalid_now(known, present)
            finally:
                ledger.db.execute("ROLLBACK")  # a reader's: nothing to keep
    except Exception:  # a look, not the run: whatever stops it (busy, locked, unreadable), the run says so
        return None
    duration = time.monotonic() - started
    report = RollupReport(
        year=year, year_source="option", found=len(found.files), new=0, changed=0, unchanged=len(found.files),
        invalid=len(invalid_now), skipped=len(found.skipped), recorded=0, removed=0, communities=communities,
        other_year=0, out=str(out), db=str(db), duration_seconds=round(duration, 3),
    )  # fmt: skip
    return report, [
        event("开始", 收件箱=inbox, 年度=year, 记录库=db, 输出=out),
        event("扫描完成", 找到=len(found.files), 新增=0, 修改=0, 未变=len(found.files), 跳过=len(found.skipped)),
        event("汇总工作簿无变化，未重写", 汇总工作簿=out),
        event("结束", 用时=f"{duration:.2f}s", 无效=report.invalid, 退出码=report.exit_code),
    ]


def _invalid_now(known: dict[str, KnownFile], present: set[str]) -> list[Outcome]:
    """The invalid files now in the inbox, as the workbook shows them."""
    return [f.outcome for p, f in known.items() if p in present and f.outcome is not None]


def run_rollup(
    standards: Standards,
    inbox: Path,
    *,
    year: int | None,
    roster: Rosters | None,
    db: LedgerAt | None,
    out: Path | Callable[[int | None], Path],
    log: logging.Logger,
    wait: float = 0.0,
    jobs: int = 0,
    sources: str = "",
) -> RollupReport:
    """One rollup, logged event by event. `out` is a path, or gives the path for the run's year (the year's own
    default name), which is known once the inbox is read. `roster`, the roster the command was given, is kept in the
    ledger as the run year's; without one, the ledger's roster of each year serves (see `core.roster.Rosters`).
    `sources`: the standard's and the roster's files as `input_digest` tells them, kept in the workbook's
    fingerprint so that the next unchanged run knows it without loading them (`unchanged_rollup`)."""
    started = time.monotonic()
    if not inbox.is_dir():
        raise GreencliError("inbox-missing", path=str(inbox))
    ledger = ledger_at(db)
    shown = out if not callable(out) else out(year) if year is not None else "按统计年度命名"
    log.info(event("开始", 收件箱=inbox, 年度=year if year is not None else "自动", 记录库=ledger, 输出=shown))
    recording: list[Batch] = []  # the run's batch, for what an interrupt says was recorded
    try:
        return _locked_run(standards, inbox, year, roster, ledger, out, log, wait, jobs, started, recording, sources)
    except KeyboardInterrupt as exc:
        exc.note = (  # type: ignore[attr-defined]
            RECORDED_NO_WORKBOOK if recording and recording[0].committed else "本次汇总未记录，评分记录库未改动"
        )
        raise


def _locked_run(
    standards: Standards, inbox: Path, year: int | None, roster: Rosters | None, at: LedgerAt,
    named: Path | Callable[[int | None], Path], log: logging.Logger, wait: float, jobs: int, started: float,
    recording: list[Batch], sources: str,
) -> RollupReport:  # fmt: skip
    from greencli.core.rubric import year_bounds

    rubric = standards.newest  # the workbook's layout and the campaign's rules; each file is scored under its own
    out = named(year) if callable(named) else named  # by year: in the folder it will be in, checked again below
    if callable(named):  # every name the year's workbook may take, for leaving them out of the inbox
        low, high = year_bounds(rubric.campaign, date.today())
        names = [named(y) for y in (None, *range(low, high + 1))]
    else:
        names = [named]
    with _one_run_at_a_time(at, wait):
        ensure_writable(out)
        stale = clear_stale(out.parent)  # only runs that are gone: a running score's temporary stays
        if stale:
            log.info(event("清理上次中断留下的临时文件", 数量=stale))
        with (
            Ledger.open(at, wait=max(wait, LEDGER_GRACE)) as ledger,
            ledger.batch(standards.id, standards.newest.campaign.year_end) as batch,
        ):
            recording.append(batch)
            kept_rosters = ledger.rosters()
            rosters = roster if roster is not None else kept_rosters
            found = _without_own_outputs(scan(inbox), ledger, names)
            # e.g. --out a hard link to an inspection
            refuse_overlap({"out": out}, {"评分表": list(found.files)}, found.stats)
            known = ledger.known_files()
            fresh: list[Path] = []
            hashes: dict[Path, str] = {}
            same_content: list[KnownFile] = []
            stamps: dict[str, str] = {}  # each workbook's evidence folder as listed now
            new = changed = unchanged = 0
            for path in found.files:
                key = found.key(path)
                try:
                    st = found.stats.get(path) or path.stat()
                except OSError:
                    continue  # gone since the scan: read as a file that disappeared, next run
                seen = known.get(key)
                stamps[key] = stamp = _evidence_of(found, path)
                same_evidence = seen is not None and seen.evidence_stamp == stamp
                if _as_seen(seen, stamp, st):
                    unchanged += 1
                    continue
                digest = sha256_of(path) if seen is not None else None
                if seen is not None and same_evidence and seen.sha256 == digest:  # touched, not changed
                    unchanged += 1
                    same_content.append(KnownFile(key, st.st_size, st.st_mtime_ns, seen.sha256, seen.valid,
                                                  seen.outcome, stamp))  # fmt: skip
                    continue
                fresh.append(path)
                if digest is not None:
                    hashes[path] = digest  # hashed once: the reader does not hash it again
                if seen is None:
                    new += 1
                else:
                    changed += 1
            log.info(event("扫描完成", 找到=len(found.files), 新增=new, 修改=changed, 未变=unchanged,
                           跳过=len(found.skipped)))  # fmt: skip
            latest = year_bounds(standards.newest.campaign, date.today())[1]
            assessed = _read(fresh, standards, rosters, latest, jobs, hashes, batch, found.resolved)
            present = {found.key(p) for p in found.files}
            year, year_source = _run_year(year, ledger, known, present, assessed)
            if callable(named) and named(year) != out:  # the year's own name, now that the year is known
                out = named(year)
                ensure_writable(out)
                refuse_overlap({"out": out}, {"评分表": list(found.files)}, found.stats)
            if year_source == "inbox":
                log.info(event("评审年度", 年度=year, 依据="收件箱中最新的评审年度（未指定 --year）"))
            elif year_source == "today":
                log.info(event("评审年度", 年度=year, 依据="收件箱中没有可识别年度的评分表，取今年"))
            off_year = [o for o in assessed if o.year is not None and o.year != year]
            for o in off_year:
                log.info(
                    event("提醒", 文件=o.file, 说明=f"评审年度为 {o.year}，不是本次汇总的 {year} 年；已按其年度记录")
                )
            gone = _gone(known, present, inbox)
            files = list(same_content)
            for o in assessed:
                read = o.read_from
                files.append(KnownFile(read.path, read.size, read.mtime_ns, read.sha256, o.scored,
                                       None if o.scored else o, stamps.get(read.path, "")))  # fmt: skip
                if not o.scored:
                    first = o.first_error
                    log.info(event("无效", 文件=o.file, 问题=f"{first.where} {first.message}" if first else ""))
            # Left to record of what was read: the invalid workbooks (the valid ones are in the batch's spool). The
            # rest is let go before the workbook is written from the ledger, so that thousands are not held twice.
            invalid_read = [o for o in assessed if not o.scored]
            other_year, found_count, skipped_count = len(off_year), len(found.files), len(found.skipped)
            read_any = bool(fresh)
            del assessed, off_year, found, fresh, hashes, stamps
            new_roster = rosters.given is not None and kept_rosters.by_year.get(year) != rosters.given
            quiet = not (read_any or files or gone or new_roster)
            if quiet and ledger.output_unchanged(out.resolve(), _fingerprint(ledger, sources, year, out)):
                recorded = 0
                communities, invalid_now = ledger.count_current(year), _invalid_now(known, present)
                log.info(event("汇总工作簿无变化，未重写", 汇总工作簿=out))
            else:
                shown: list[tuple[int, list[Outcome], str]] = []
                before = _before(out, year)
                kept: list[str | None] = [None]
                with atomic_target(out) as temporary:

                    def write(_: object) -> None:
                        """Inside the batch's transaction, after its records: the workbook from the ledger as
                        it will be committed; if writing fails, nothing is recorded."""
                        ledger.remember_files(files)
                        ledger.forget_files(gone)
                        if rosters.given is not None:
                            ledger.keep_roster(year, rosters.given, rosters.source)
                        now_known = {**known, **{f.path: f for f in files}}  # the inbox as just recorded
                        invalid_now = _invalid_now(now_known, present)
                        count, kept[0] = _write_outputs(temporary, ledger, rubric, rosters, year, invalid_now, before)
                        shown.append((count, invalid_now,
                                      _fingerprint(ledger, sources, year, out)))  # fmt: skip

                    # the same path as score's: the run's invalid workbooks remembered as invalid submissions
                    from greencli.jobs.pipeline import record

                    recorded = record(batch, invalid_read, year, standards.newest.campaign, then=write)[1].new
                communities, invalid_now, fingerprint = shown.pop()
                # after the rename; a run killed before this line merely rewrites the workbook next time
                with ledger.transaction():
                    ledger.remember_output(out.resolve(), fingerprint)
                log.info(event("已写入", 汇总工作簿=out, 社区=communities, 新记录=recorded))
                if kept[0]:
                    log.info(event("提示", 说明=kept[0]))
    duration = time.monotonic() - started
    report = RollupReport(
        year=year, year_source=year_source, found=found_count, new=new, changed=changed, unchanged=unchanged,
        invalid=len(invalid_now), skipped=skipped_count, recorded=recorded, removed=len(gone),
        communities=communities, other_year=other_year, out=str(out), db=str(at),
        duration_seconds=round(duration, 3),
    )  # fmt: skip
    log.info(event("结束", 用时=f"{duration:.2f}s", 无效=report.invalid, 退出码=report.exit_code))
    return report
