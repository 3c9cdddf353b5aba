"""`greencli score`: read, validate and score a batch of workbooks, record them, write the district workbook."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Protocol

from greencli.adapters.files import atomic_target, ensure_writable, path_text, refuse_overlap
from greencli.adapters.ledger import BUSY_TIMEOUT, Batch, Ledger, LedgerAt, Recorded, ledger_at, ledger_file
from greencli.adapters.ledger.rosters import keep_roster
from greencli.core.batch import ScoreReport, batch_year
from greencli.core.errors import RECORDED_NO_WORKBOOK, GreencliError
from greencli.core.listings import Listing
from greencli.core.outcome import Outcome
from greencli.core.progress import Progress
from greencli.core.roster import Rosters
from greencli.core.rubric import Rubric, Standards, year_bounds
from greencli.jobs.inputs import expand
from greencli.jobs.pipeline import (
    assess_all,
    mark_off_year,
    missing_outcome,
    order_key,
    record,
    settle,
)
from greencli.jobs.rosters import kept_rosters


class NoInput(GreencliError):
    """Nothing to score (exit code 2)."""


class Watcher(Protocol):
    """What `score` reports progress to (the terminal's bar): told the total, then each file as it is done."""

    def advance(self, done: Outcome) -> None: ...

    def close(self) -> None: ...


NOT_RECORDED = "本批未记录，评分记录库未改动"


def run_score(
    standards: Standards,
    patterns: Sequence[str],
    *,
    roster: Rosters | None = None,
    db: LedgerAt | None = None,
    out: Path | Callable[[int | None], Path] | None = None,
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

    `out` is a path, or gives the path for the batch's year (the year's own default name: scoring 2022 never
    replaces 2021's workbook); that year is known once the batch is read, and the path is checked again then.

    `roster`, the roster the command was given, is kept in the ledger as the batch year's; without one, each
    workbook is held against the roster the ledger keeps for its own 评审年度 (or the latest year before).
    """
    inputs = expand(patterns)
    if not inputs.files:
        shown = "、".join(patterns)
        raise NoInput("no-input-skipped" if inputs.skipped else "no-input", inputs=shown)
    first_out = out(year) if callable(out) else out  # the path itself, or the default name of --year if given
    at = ledger_at(db)
    if not dry_run:  # before any work: no output may land on a workbook being scored (same file, link or case)
        refuse_overlap({"out": first_out, "db": ledger_file(at)}, {"评分表": list(inputs.files)}, inputs.stats)
    if first_out is not None and not dry_run:
        ensure_writable(first_out)
        if not callable(out) or year is not None:
            _refuse_to_lose(first_out, year)
    rubric = standards.newest  # the reports' layout (categories, items); each workbook is scored under its own
    year_limit = latest_year if latest_year is not None else year_bounds(rubric.campaign, date.today())[1]
    outcomes: list[Outcome] = []
    recorded = already = 0
    kept: str | None = None  # what became of sheets another command had added to the workbook
    bar = progress(len(inputs.files)) if progress is not None else None
    batch: Batch | None = None
    try:
        with contextlib.ExitStack() as stack:
            # Opened first: an unusable ledger is said before any workbook is read.
            if dry_run:
                rosters = roster if roster is not None else kept_rosters(at)
            else:
                opened = stack.enter_context(Ledger.open(at, wait=wait))
                rosters = roster if roster is not None else opened.rosters()
                batch = stack.enter_context(opened.batch(standards.id, standards.newest.campaign.year_end))
            try:
                outcomes.extend(assess_all(inputs.files, standards, rosters, year_limit, jobs,
                                           on_done=bar.advance if bar is not None else None, batch=batch,
                                           resolved=inputs.resolved))  # fmt: skip
            finally:
                if bar is not None:
                    bar.close()
            chosen = batch_year(outcomes, year)
            settled = mark_off_year(settle(outcomes, standards.newest.campaign), chosen.year)
            target = out(chosen.year) if callable(out) else out
            if target is not None and target != first_out and not dry_run:  # the year's name: checked now
                refuse_overlap({"out": target, "db": ledger_file(at)}, {"评分表": list(inputs.files)}, inputs.stats)
                ensure_writable(target)
                _refuse_to_lose(target, chosen.year)
            communities = rosters.for_year(chosen.year) if rosters is not None else None
            order = list(dict.fromkeys(c.subdistrict for c in communities)) if communities is not None else []
            if batch is not None:
                settled, done, kept = _record(batch, target, settled, inputs.unmatched, rubric, order, rosters,
                                              chosen.year)  # fmt: skip
                recorded, already = done.new, done.already
            else:
                settled = _in_order(settled, inputs.unmatched, order)
    except KeyboardInterrupt as exc:
        exc.note = RECORDED_NO_WORKBOOK if batch is not None and batch.committed else NOT_RECORDED  # type: ignore[attr-defined]
        raise
    return ScoreReport(
        rubric=rubric, outcomes=settled, year=chosen, recorded=recorded, already=already, db=str(at),
        out=str(target) if target is not None else None, dry_run=dry_run, unmatched=inputs.unmatched,
        skipped=tuple(path_text(p) for p in inputs.skipped), roster_checked=communities is not None,
        out_note=kept,
    )  # fmt: skip


def _refuse_to_lose(out: Path, year: int | None) -> None:
    """No sheet a person added to the workbook at `out` is dropped by rewriting it (see xlsx_progress.before_rewrite)."""
    if out.exists():
        from greencli.adapters.progress_plan import refuse_to_lose
        from greencli.adapters.xlsx_progress import before_rewrite  # heavy: only when one is there

        refuse_to_lose(before_rewrite(out, year))


def _in_order(outcomes: Sequence[Outcome], unmatched: Sequence[str], order: Sequence[str]) -> list[Outcome]:
    """The batch as every report lists it, with a line for each pattern that matched nothing."""
    listed = [*outcomes, *(missing_outcome(p) for p in unmatched)]
    return sorted(listed, key=lambda o: order_key(o, order))


def _record(
    batch: Batch,
    out: Path | None,
    outcomes: Sequence[Outcome],
    unmatched: Sequence[str],
    rubric: Rubric,
    order: Sequence[str],
    rosters: Rosters | None,
    year: int | None,
) -> tuple[list[Outcome], Recorded, str | None]:
    """Record the batch (`pipeline.record`, as the rollup does) and, inside the same transaction, write the
    district workbook to a temporary file (so it can say which workbooks do not stand in the ledger); the workbook
    is put in place after the commit. If the workbook cannot be written, nothing is recorded.

    The workbook at `out` may hold sheets another command added: `progress --out`'s are made again from the ledger
    (with this batch) and kept, as they would be stale copied; a person's own sheet is never dropped (the workbook
    is refused before anything is recorded). A roster the command was given is kept as the batch year's, in the
    same transaction. Returns what to tell the user about them."""
    shown: list[list[Outcome]] = []
    kept: list[str | None] = [None]
    before = None
    if out is not None and out.exists():
        from greencli.adapters.xlsx_progress import before_rewrite

        before = before_rewrite(out, year)

    def write(noted: Sequence[Outcome]) -> None:
        if rosters is not None and rosters.given is not None and year is not None:
            keep_roster(batch.ledger.db, batch.ledger.district, year, rosters.given, rosters.source)
        shown.append(_in_order(noted, unmatched, order))
        if temporary is not None:
            from greencli.adapters.progress_plan import carried, refuse_to_lose
            from greencli.adapters.xlsx_report import build_district_workbook  # heavy: only when writing

            refuse_to_lose(before)
            plan, kept[0] = carried(before, rubric, lambda y, as_of: _standing(batch, rubric, rosters, y, as_of))
            build_district_workbook(temporary, shown[0], rubric, order, progress=plan)

    temporary: Path | None = None
    if out is None:
        _, done = record(batch, outcomes, year, rubric.campaign, then=write)
        return shown[0], done, None
    try:
        with atomic_target(out) as temporary:
            _, done = record(batch, outcomes, year, rubric.campaign, then=write)
    except GreencliError as exc:
        said = RECORDED_NO_WORKBOOK if batch.committed else NOT_RECORDED
        raise exc.noted(said) from exc
    return shown[0], done, kept[0]


def _standing(
    batch: Batch, rubric: Rubric, rosters: Rosters | None, year: int, as_of: date | None
) -> tuple[Progress, list[Listing]] | None:
    """The standing of `year` as the ledger holds it with this batch (inside its transaction), against `year`'s
    roster; None without one, which the rates need."""
    roster = rosters.for_year(year) if rosters is not None else None
    if roster is None:
        return None
    from greencli.jobs.standing import YearStanding

    standing = YearStanding.read(batch.ledger, rubric, roster, year, as_of)
    return standing.current, standing.lists
