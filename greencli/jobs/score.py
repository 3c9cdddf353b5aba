"""`greencli score`: read, validate and score a batch of workbooks, record them, write the district workbook."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Protocol

from greencli.adapters.files import atomic_target, ensure_writable, path_text
from greencli.adapters.ledger import BUSY_TIMEOUT, Batch, Ledger, Recorded, ledger_path
from greencli.core.errors import GreencliError
from greencli.core.outcome import Outcome
from greencli.core.report import ScoreReport, batch_year
from greencli.core.roster import Community
from greencli.core.rubric import Rubric, Standards
from greencli.jobs.pipeline import (
    Assessment,
    assess_all,
    compact,
    expand,
    invalid_submission,
    mark_off_year,
    missing_outcome,
    order_key,
    settle,
)


class NoInput(GreencliError):
    """Nothing to score (exit code 2)."""


class Watcher(Protocol):
    """What `score` reports progress to (the terminal's bar): told the total, then each file as it is done."""

    def advance(self, done: Assessment) -> None: ...

    def close(self) -> None: ...


NOT_RECORDED = "本批未记录，评分记录库未改动"
RECORDED_NO_WORKBOOK = (
    "本批已记录入评分记录库，汇总工作簿未写出（可再次运行 greencli score 或 greencli rollup 从记录库重新生成）"
)


def run_score(
    standards: Standards,
    patterns: Sequence[str],
    *,
    roster: Sequence[Community] | None = None,
    db: Path | None = None,
    out: Path | None = None,
    dry_run: bool = False,
    jobs: int = 0,
    progress: Callable[[int], Watcher] | None = None,
    latest_year: int | None = None,
    year: int | None = None,
    wait: float = BUSY_TIMEOUT,
) -> ScoreReport:
    """The whole `score` command as data: what the table shows and what `--json` prints.

    The batch is recorded only once the district workbook is complete: read every file (records spooled, the
    ledger unlocked), write the workbook to a temporary file, record the batch in one short transaction, then
    rename the workbook into place. A full disk or an interrupt before the commit leaves the ledger and the old
    workbook untouched; after it, the batch is whole and the workbook can be rewritten from the ledger.
    """
    inputs = expand(patterns)
    if not inputs.files:
        shown = "、".join(patterns)
        raise NoInput(f"没有找到要评分的文件：{shown}" + ("（锁定/临时文件已跳过）" if inputs.skipped else ""))
    if out is not None and not dry_run:
        ensure_writable(out)
    rubric = standards.newest  # the reports' layout (categories, items); each workbook is scored under its own
    by_code = {c.code: c for c in roster} if roster is not None else None
    year_limit = latest_year if latest_year is not None else date.today().year + 1
    ledger_file = ledger_path(db)
    outcomes: list[Outcome] = []
    mtimes: list[int] = []
    recorded = already = 0
    bar = progress(len(inputs.files)) if progress is not None else None
    batch: Batch | None = None
    try:
        with contextlib.ExitStack() as stack:
            # Opened first: an unusable ledger is said before any workbook is read.
            batch = (
                None
                if dry_run
                else stack.enter_context(stack.enter_context(Ledger.open(ledger_file, wait=wait)).batch())
            )
            invalid: list[Assessment] = []
            try:
                for a in assess_all(inputs.files, standards, by_code, year_limit, jobs,
                                    on_done=bar.advance if bar is not None else None):  # fmt: skip
                    outcomes.append(compact(a.outcome))
                    mtimes.append(a.source.mtime_ns)
                    if batch is not None and a.outcome.scored:
                        batch.add(a.recording(standards))
                    elif a.outcome.community_id:
                        invalid.append(a)
            finally:
                if bar is not None:
                    bar.close()
            chosen = batch_year(outcomes, year)
            settled = mark_off_year(settle(outcomes, mtimes), chosen.year) + [
                missing_outcome(p) for p in inputs.unmatched
            ]
            order = list(dict.fromkeys(c.subdistrict for c in roster)) if roster is not None else []
            settled.sort(key=lambda o: order_key(o, order))
            if batch is not None:
                # remembered, so progress can say 待改正; a workbook without a year counts for the batch's year
                for submission in (invalid_submission(a, chosen.year) for a in invalid):
                    if submission is not None:
                        batch.add_invalid(submission)
                done = _record(batch, out, settled, rubric, order)
                recorded, already = done.new, done.already
    except KeyboardInterrupt as exc:
        exc.note = RECORDED_NO_WORKBOOK if batch is not None and batch.committed else NOT_RECORDED  # type: ignore[attr-defined]
        raise
    return ScoreReport(
        rubric=rubric, outcomes=settled, year=chosen, recorded=recorded, already=already, db=str(ledger_file),
        out=str(out) if out is not None else None, dry_run=dry_run, unmatched=inputs.unmatched,
        skipped=tuple(path_text(p) for p in inputs.skipped),
    )  # fmt: skip


def _record(
    batch: Batch, out: Path | None, outcomes: Sequence[Outcome], rubric: Rubric, order: Sequence[str]
) -> Recorded:
    """Write the district workbook to a temporary file, record the batch, then put the workbook in place."""
    if out is None:
        return batch.commit()
    from greencli.adapters.xlsx_report import write_district_workbook  # heavy: only when writing

    try:
        with atomic_target(out) as temporary:
            write_district_workbook(temporary, outcomes, rubric, order)
            done = batch.commit()
    except GreencliError as exc:
        said = RECORDED_NO_WORKBOOK if batch.committed else NOT_RECORDED
        raise type(exc)(f"{exc}（{said}）") from exc
    return done
