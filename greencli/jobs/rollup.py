"""`greencli rollup`: the unattended form of `score` for cron.

Finds workbooks under an inbox, reads only those new or changed since the ledger last saw them, records them,
then rewrites the consolidated workbook (and the progress sheets, when the year has a target) from the ledger.
One run at a time. The new workbook is written to a temporary file inside the ledger transaction and renamed
into place only after the transaction commits, so a run killed at any moment leaves yesterday's workbook and a
consistent ledger, and the next run completes normally.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

from greencli import __version__
from greencli.adapters.files import OutputError, atomic_target, ensure_writable, path_text
from greencli.adapters.ledger import InvalidSubmission, Ledger, Stored, ledger_path
from greencli.adapters.lock import run_lock
from greencli.core.errors import GreencliError, describe_os_error
from greencli.core.issues import Issue, Severity
from greencli.core.model import Verdict
from greencli.core.progress import progress, progress_json
from greencli.core.report import Outcome
from greencli.core.roster import Community
from greencli.core.rubric import Rubric
from greencli.jobs.progress import current_evaluations
from greencli.jobs.score import Assessment, assess_all, invalid_submission, is_lock_or_temp, settle_batch, to_record

# What a rollup looks at: workbooks, and the spreadsheet kinds people drop by mistake (reported, not skipped).
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".et", ".ods"})
STALE_TEMP_PREFIX = ".~greencli-"


class Log:
    """One line per event, with a timestamp: to a file (appended) or to stderr. Never colours."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.handle: TextIO | None = None
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.handle = path.open("a", encoding="utf-8")
            except OSError as exc:
                raise OutputError(f"无法写入日志 {path}：{describe_os_error(exc)}") from exc

    def __call__(self, event: str, **fields: object) -> None:
        stamp = datetime.now().astimezone().isoformat(timespec="seconds")
        details = " ".join(f"{k}={path_text(v) if isinstance(v, Path) else v}" for k, v in fields.items())
        line = f"{stamp} {event}" + (f" {details}" if details else "") + "\n"
        stream = self.handle or sys.stderr
        stream.write(line)
        stream.flush()

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


@dataclass
class Scan:
    found: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)


def scan(inbox: Path) -> Scan:
    """Every workbook under `inbox`, recursively; lock files of Excel/WPS, hidden and temporary files skipped."""
    result = Scan()
    for folder, dirs, files in os.walk(inbox):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(folder) / name
            if name.startswith(".") or is_lock_or_temp(path):
                result.skipped.append(path)
            elif path.suffix.lower() in WORKBOOK_SUFFIXES:
                result.found.append(path)
            else:
                result.skipped.append(path)
    return result


def _issue_json(i: Issue) -> dict[str, Any]:
    return {"code": i.code, "severity": i.severity.value, "sheet": i.sheet, "cell": i.cell, "message": i.message,
            "subject": i.subject}  # fmt: skip


def _issue(d: dict[str, Any], default: Severity = Severity.WARNING) -> Issue:
    return Issue(d["code"], Severity(d.get("severity", default.value)), d.get("sheet"), d.get("cell"), d["message"],
                 d.get("subject"))  # fmt: skip


def _invalid_json(o: Outcome) -> str:
    return json.dumps({"file": o.file, "community_id": o.community_id, "community": o.community,
                       "subdistrict": o.subdistrict, "year": o.year, "issues": [_issue_json(i) for i in o.issues]},
                      ensure_ascii=False)  # fmt: skip


def _invalid_outcome(text: str) -> Outcome:
    d = json.loads(text)
    return Outcome(d["file"], d["community_id"], d["community"], d["subdistrict"], d["year"], Verdict.INVALID, None,
                   None, None, None, (), tuple(_issue(i, Severity.ERROR) for i in d["issues"]))  # fmt: skip


def outcome_of(e: Stored) -> Outcome:
    """A ledger evaluation as the reports show it."""
    return Outcome(
        file=e.file_path, community_id=e.community_id, community=e.community, subdistrict=e.subdistrict, year=e.year,
        verdict=Verdict(e.verdict), total=e.total, bonus=e.bonus,
        categories={int(k): v for k, v in e.categories.items()}, items={int(k): v for k, v in e.items.items()},
        vetoes=tuple(e.vetoes), issues=tuple(_issue(w) for w in e.warnings if w.get("code") != "superseded-in-batch"),
        review_date=e.review_date, superseded=not e.current,
    )  # fmt: skip


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _clear_stale_temporaries(folder: Path) -> int:
    """Temporary outputs left by a run that was killed (safe to remove: we hold the lock)."""
    removed = 0
    if folder.is_dir():
        for stale in folder.glob(f"{STALE_TEMP_PREFIX}*"):
            try:
                stale.unlink()
                removed += 1
            except OSError:
                pass
    return removed


def _fingerprint(ledger: Ledger, rubric: Rubric, roster: Sequence[Community] | None, year: int, out: Path) -> str:
    """Everything the consolidated workbook is built from; the same fingerprint gives the same workbook."""
    communities = [(c.code, c.name, c.subdistrict, c.kind) for c in roster] if roster is not None else None
    return json.dumps([ledger.state(), year, rubric.id, rubric.version, __version__, communities, str(out.resolve())],
                      ensure_ascii=False)  # fmt: skip


def _invalid_in_inbox(ledger: Ledger, present: set[str]) -> list[str]:
    """The outcome JSON of every file now in the inbox that the ledger knows to be invalid."""
    return [v[4] for p, v in ledger.known_files().items() if p in present and not v[3]]


def _write_outputs(target: Path, ledger: Ledger, rubric: Rubric, roster: Sequence[Community] | None, year: int,
                   current: Sequence[Stored], invalid_json: Sequence[str]) -> None:  # fmt: skip
    """The consolidated workbook of the year, from the ledger, plus progress sheets when the year has a target."""
    from greencli.adapters.xlsx_progress import add_progress_sheets  # heavy: only when a workbook is written
    from greencli.adapters.xlsx_report import build_district_workbook

    invalid = [_invalid_outcome(text) for text in invalid_json]
    shown = [outcome_of(e) for e in current] + [o for o in invalid if o.year in (year, None)]
    order = list(dict.fromkeys(c.subdistrict for c in roster)) if roster is not None else []
    build_district_workbook(target, shown, rubric, order)
    if rubric.campaign.target_for(year) is not None and roster is not None:
        standing = progress(rubric, roster, current_evaluations(ledger), year, ledger.outstanding_invalid())
        add_progress_sheets(target, target, standing, progress_json(standing, rubric), rubric)


def _run_year(
    given: int | None,
    ledger: Ledger,
    known: dict[str, tuple[int, int, str, bool, str]],
    present: set[str],
    assessed: Sequence[Assessment],
) -> tuple[int, str]:
    """The year a rollup reports: the one given, else the latest 评审年度 of the workbooks now in the inbox (as
    recorded, or as just read), else this calendar year. Returns it with how it was chosen."""
    if given is not None:
        return given, "option"
    years = {y for path, y in ledger.file_years().items() if path in present}
    years |= {a.outcome.year for a in assessed if a.outcome.year is not None}
    for path, seen in known.items():
        if path in present and not seen[3]:
            stored_year = json.loads(seen[4]).get("year")
            if isinstance(stored_year, int):
                years.add(stored_year)
    if years:
        return max(years), "inbox"
    return date.today().year, "today"


def run_rollup(
    rubric: Rubric,
    inbox: Path,
    *,
    year: int | None,
    roster: Sequence[Community] | None,
    db: Path | None,
    out: Path,
    log: Log,
    wait: float = 0.0,
    jobs: int = 0,
) -> dict[str, Any]:
    """One rollup; returns the machine summary (what `--json` prints)."""
    started = time.monotonic()
    if not inbox.is_dir():
        raise GreencliError(f"收件箱 {inbox} 不存在或不是文件夹")
    ledger_file = ledger_path(db)
    log("开始", 收件箱=inbox, 年度=year if year is not None else "自动", 记录库=ledger_file, 输出=out)
    with run_lock(ledger_file.with_name(ledger_file.name + ".lock"), wait):
        ensure_writable(out)
        stale = _clear_stale_temporaries(out.parent)
        if stale:
            log("清理上次中断留下的临时文件", 数量=stale)
        found = scan(inbox)
        with Ledger.open(ledger_file) as ledger:
            known = ledger.known_files()
            fresh: list[Path] = []
            same_content: list[tuple[str, int, int, str, bool, str]] = []
            new = changed = unchanged = 0
            for path in found.found:
                key = path_text(path.resolve())
                st = path.stat()
                seen = known.get(key)
                if seen is not None and seen[0] == st.st_size and seen[1] == st.st_mtime_ns:
                    unchanged += 1
                    continue
                if seen is not None and seen[2] == _sha256(path):  # touched, not changed
                    unchanged += 1
                    same_content.append((key, st.st_size, st.st_mtime_ns, seen[2], seen[3], seen[4]))
                    continue
                fresh.append(path)
                if seen is None:
                    new += 1
                else:
                    changed += 1
            log("扫描完成", 找到=len(found.found), 新增=new, 修改=changed, 未变=unchanged, 跳过=len(found.skipped))
            by_code = {c.code: c for c in roster} if roster is not None else None
            assessed: list[Assessment] = settle_batch(
                list(assess_all(fresh, rubric, by_code, date.today().year + 1, jobs))
            )
            present = {path_text(p.resolve()) for p in found.found}
            year, year_source = _run_year(year, ledger, known, present, assessed)
            if year_source == "inbox":
                log("评审年度", 年度=year, 依据="收件箱中最新的评审年度（未指定 --year）")
            elif year_source == "today":
                log("评审年度", 年度=year, 依据="收件箱中没有可识别年度的评分表，取今年")
            off_year = [a for a in assessed if a.outcome.year is not None and a.outcome.year != year]
            for a in off_year:
                log("提醒", 文件=a.path, 说明=f"评审年度为 {a.outcome.year}，不是本次汇总的 {year} 年；已按其年度记录")
            within = path_text(inbox.resolve()).rstrip(os.sep) + os.sep
            gone = [p for p in known if p not in present and p.startswith(within)]
            rows = list(same_content)
            invalid_subs: list[InvalidSubmission] = []
            for a in assessed:
                valid = a.outcome.scored
                rows.append((path_text(a.path.resolve()), a.size, a.path.stat().st_mtime_ns, a.sha256, valid,
                             "{}" if valid else _invalid_json(a.outcome)))  # fmt: skip
                if not valid and (submission := invalid_submission(a, year)) is not None:
                    invalid_subs.append(submission)
                if not valid:
                    first = next((i for i in a.outcome.issues if i.is_error), None)
                    log("无效", 文件=a.path, 问题=f"{first.where} {first.message}" if first else "")
            records = [
                to_record(a, rubric)
                for a in sorted(
                    (a for a in assessed if a.outcome.scored),
                    key=lambda a: (a.outcome.review_date or date.min, a.mtime),
                )
            ]
            quiet = not (fresh or rows or gone)
            if quiet and ledger.output_unchanged(out.resolve(), _fingerprint(ledger, rubric, roster, year, out)):
                recorded = 0
                current = ledger.evaluations(year=year, current_only=True)
                invalid_now = _invalid_in_inbox(ledger, present)
                log("汇总工作簿无变化，未重写", 汇总工作簿=out)
            else:
                with atomic_target(out) as temporary, ledger.transaction():
                    inserted = ledger.insert(records)
                    seen_at = datetime.now(UTC).isoformat(timespec="microseconds")
                    for submission in invalid_subs:
                        ledger.add_invalid(submission, seen_at)
                    ledger.remember_files(rows)
                    ledger.forget_files(gone)
                    recorded = sum(1 for _, id_ in inserted if id_ is not None)
                    current = ledger.evaluations(year=year, current_only=True)
                    invalid_now = _invalid_in_inbox(ledger, present)
                    _write_outputs(temporary, ledger, rubric, roster, year, current, invalid_now)
                    fingerprint = _fingerprint(ledger, rubric, roster, year, out)
                # after the rename; a run killed before this line merely rewrites the workbook next time
                with ledger.transaction():
                    ledger.remember_output(out.resolve(), fingerprint)
            log("已写入", 汇总工作簿=out, 社区=len(current), 新记录=recorded)
    duration = time.monotonic() - started
    invalid = len(invalid_now)
    summary = {
        "found": len(found.found), "new": new, "changed": changed, "unchanged": unchanged, "invalid": invalid,
        "skipped": len(found.skipped), "recorded": recorded, "removed": len(gone), "year": year,
        "communities": len(current), "out": str(out), "db": str(ledger_file), "duration_seconds": round(duration, 3),
        "year_source": year_source, "other_year": len(off_year), "exit_code": 1 if invalid else 0,
    }  # fmt: skip
    log("结束", 用时=f"{duration:.2f}s", 无效=invalid, 退出码=summary["exit_code"])
    return summary
