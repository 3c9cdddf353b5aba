"""Every command of greencli as a function: the same work, the same checks, the same typed report.

The command line (greencli.cli) parses its options, calls one of these and renders what it returns; a script or a
notebook calls them directly:

    from greencli import api
    report = api.score(["收件箱/2022"], roster="社区名单.xlsx", db="greencli.db")
    report.exit_code, report.summary, report.outcomes[0].total

Paths may be given as text or `Path`. Before any work each command refuses an output that would overwrite one of
its inputs or another output (OutputError, exit code 2), and clears the temporary files that runs which are gone
left beside its outputs. Failures are `GreencliError`s with a code of the one registry (core.issues) and their
parameters; their messages never name a command-line option (the command line words those codes itself).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from greencli.adapters.files import (
    OutputChoice,
    OutputError,
    PathsGiven,
    clear_stale,
    path_text,
    refuse_overlap,
    workbook_output,
)
from greencli.adapters.ledger import BUSY_TIMEOUT, LedgerAt, PostgresUrl, ledger_at, ledger_file
from greencli.adapters.runtime import interruption_behind
from greencli.core.errors import GreencliError, interrupt_note
from greencli.core.roster import Community, Rosters
from greencli.jobs.readers import start_readers_early

if TYPE_CHECKING:
    from greencli.core.batch import ScoreReport
    from greencli.core.reports import BookletReport, CityReport, CopyReport, EvidenceReport, RosterReport
    from greencli.core.rubric import Campaign, Rubric, Standards
    from greencli.jobs.export import ExportReport
    from greencli.jobs.notice import ConferReport, NoticeReport
    from greencli.jobs.progress import HistoryReport, ProgressReport
    from greencli.jobs.records import VoidReport
    from greencli.jobs.rescore import RescoreReport
    from greencli.jobs.rollup import RollupReport
    from greencli.jobs.score import Watcher
    from greencli.jobs.template import TemplateReport

PathLike = str | Path
UNKNOWN_YEAR = "年度不明"  # a batch in which no workbook says its 评审年度


def _path(value: PathLike | None) -> Path | None:
    return None if value is None else Path(value)


# The standard's and the roster's stacks, loaded by the first command that reads them: a nightly rollup over an
# unchanged inbox never does (jobs.rollup.unchanged_rollup).
def load_standards(path: Path | None = None) -> Standards:
    """Every version of the standard to score with (adapters.rubric_file.load_standards)."""
    from greencli.adapters.rubric_file import load_standards as load

    return load(path)


def load_rubric(path: Path | None = None, version: str | None = None) -> Rubric:
    """One version of the standard (adapters.rubric_file.load_rubric)."""
    from greencli.adapters.rubric_file import load_rubric as load

    return load(path, version)


def _db(value: PathLike | None, district: str | None = None) -> LedgerAt:
    """The ledger named (else $GREENCLI_DB, else ./greencli.db): an SQLite file, or a postgresql:// URL (kept whole:
    a Path would fold its //) with the district to work on."""
    return ledger_at(value, district)


def _db_file(value: PathLike | None) -> Path | None:
    """The ledger's file, for the checks that no output overwrites an input (a shared ledger is no file)."""
    return ledger_file(ledger_at(value))


def _roster(roster: PathLike | Sequence[Community] | None) -> Sequence[Community] | None:
    if roster is None or (isinstance(roster, Sequence) and not isinstance(roster, str)):
        return roster
    from greencli.adapters.roster import read_roster

    return read_roster(Path(roster))


def _given(roster: PathLike | Sequence[Community] | None) -> Rosters | None:
    """The roster a command was given, with the file it came from (kept in the ledger as the year's)."""
    source = path_text(Path(roster)) if isinstance(roster, str | Path) else ""
    return Rosters.of(_roster(roster), source)


def _for_year(
    roster: PathLike | Sequence[Community] | None, db: PathLike | None, district: str | None, year: int
) -> Sequence[Community] | None:
    """The roster a reading command works with for `year`: the one given (then kept as the year's), else the one
    the ledger keeps for the year or the latest year before it."""
    from greencli.jobs.rosters import roster_for

    return roster_for(_db(db, district), year, _given(roster))


def _inputs(**given: PathLike | Sequence[Community] | None) -> dict[str, PathsGiven]:
    """The inputs a command reads, by role, for guard_outputs (a roster given as communities is no file)."""
    return {role: Path(p) for role, p in given.items() if isinstance(p, str | Path)}


def guard_outputs(outputs: Mapping[str, PathsGiven], inputs: Mapping[str, PathsGiven]) -> None:
    """Before any work: no output over an input or over another output (exit 2), and the temporary files that runs
    which are gone left beside the outputs removed. Keys are the roles of the paths (out, db, roster, …)."""
    refuse_overlap(outputs, inputs)
    for folder in {path.parent for path in outputs.values() if isinstance(path, Path)}:
        clear_stale(folder)


def check_year(campaign: Campaign, year: int | None) -> None:
    """A year any command works on keeps the one rule for years (core.rubric.year_bounds), in the words a
    workbook's 评审年度 is refused with."""
    if year is None:
        return
    from greencli.core.rubric import year_bounds

    low, high = year_bounds(campaign, date.today())
    if not low <= year <= high:
        raise GreencliError("year-out-of-range", year=year, low=low, high=high)


def district_workbook_name(campaign: Campaign, year: int | None) -> str:
    """The district workbook's default name for `year`: 绿色社区汇总_2022.xlsx (the campaign's own name)."""
    return f"{campaign.name}汇总_{UNKNOWN_YEAR if year is None else year}.xlsx"


@dataclass(frozen=True)
class DistrictOutput:
    """Where the district workbook goes: the file named, or the year's default name (in the current folder, or in
    the folder named). score and rollup learn their year only once the batch is read: `at` gives the path for it,
    and `by_year` says whether the path depends on it."""

    raw: str | None
    campaign: Campaign

    def at(self, year: int | None) -> OutputChoice:
        name = district_workbook_name(self.campaign, year)
        return OutputChoice(Path(name)) if self.raw is None else workbook_output(self.raw, name)

    @property
    def by_year(self) -> bool:
        return self.raw is None or self.at(2000).path != self.at(2001).path

    def path_for(self, year: int | None) -> Path:
        return self.at(year).path

    @property
    def target(self) -> Path | Callable[[int | None], Path]:
        """What score and rollup write to: one path, or the path for the year they find."""
        return self.path_for if self.by_year else self.at(None).path


def district_output(raw: PathLike | None, campaign: Campaign) -> DistrictOutput:
    """The district workbook's place, checked before any work (see files.workbook_output)."""
    chosen = DistrictOutput(None if raw is None else str(raw), campaign)
    chosen.at(None)  # an unusable place is refused now
    return chosen


def _notes(*notes: str | None) -> str | None:
    return "；".join(n for n in notes if n) or None


def standard(rubric: PathLike | None = None, version: str | None = None) -> Rubric:
    """The scoring standard (checked as it loads): the bundled one, or the TOML file or folder at `rubric`; its
    newest version, or `version`."""
    return load_rubric(_path(rubric), version)


def standard_booklet(out: PathLike, *, rubric: PathLike | None = None, version: str | None = None) -> BookletReport:
    """The whole standard of a version as a printable Word booklet (A4), written to `out` (.docx)."""
    from greencli.jobs.notice import notice_out
    from greencli.jobs.standard import run_booklet

    target = notice_out(str(out), "评审标准.docx")
    guard_outputs({"out": target}, _inputs(rubric=rubric))
    return run_booklet(load_rubric(_path(rubric), version), target)


def template(
    *,
    out: PathLike = "评分表",
    roster: PathLike | Sequence[Community] | None = None,
    year: int | None = None,
    force: bool = False,
    rubric: PathLike | None = None,
    rubric_version: str | None = None,
) -> TemplateReport:
    """Printable, guarded scoring workbooks: one per urban community of the roster, else one blank form."""
    from greencli.jobs.template import make_templates

    standard = load_rubric(_path(rubric), rubric_version)
    year = year if year is not None else date.today().year
    check_year(standard.campaign, year)
    communities = _roster(roster)
    inputs = _inputs(roster=roster, rubric=rubric)
    return make_templates(standard, year, Path(out), communities, force=force, inputs=inputs)


def score(
    files: Sequence[PathLike],
    *,
    roster: PathLike | Sequence[Community] | None = None,
    db: PathLike | None = None,
    district: str | None = None,
    out: PathLike | None = None,
    year: int | None = None,
    dry_run: bool = False,
    jobs: int = 0,
    rubric: PathLike | None = None,
    wait: float = BUSY_TIMEOUT,
    progress: Callable[[int], Watcher] | None = None,
) -> ScoreReport:
    """Check and score workbooks (files, folders or glob patterns), record the valid ones in the ledger and write
    the district workbook (its year's default name unless `out` names one); `dry_run` writes nothing."""
    start_readers_early([str(f) for f in files], jobs)  # before the scoring stack is imported (see jobs.readers)
    from greencli.jobs.score import run_score

    standards = load_standards(_path(rubric))
    target = district_output(out, standards.newest.campaign)
    first = target.at(year)  # the name of `year`, else a name in the folder the year's name will be in
    if not dry_run:  # the workbooks scored are checked by run_score, once it has expanded the patterns
        guard_outputs({"out": first.path}, _inputs(db=_db_file(db), roster=roster, rubric=rubric))
    check_year(standards.newest.campaign, year)
    report = run_score(standards, [str(f) for f in files], roster=_given(roster), db=_db(db, district), out=target.target,
                       dry_run=dry_run, jobs=jobs, year=year, progress=progress, wait=wait)  # fmt: skip
    return replace(report, out_note=_notes(target.at(report.year.year).note, report.out_note))


def progress(
    year: int,
    *,
    roster: PathLike | Sequence[Community] | None = None,
    db: PathLike | None = None,
    district: str | None = None,
    out: PathLike | None = None,
    as_of: date | None = None,
    rubric: PathLike | None = None,
) -> ProgressReport:
    """Every community's and 乡街's standing at the end of `year` against its target; with `out`, also the year's
    progress sheets (added to an existing district workbook; a folder gets the year's default name)."""
    from greencli.jobs.progress import run_progress

    standard = load_rubric(_path(rubric))
    target = district_output(out, standard.campaign).at(year) if out is not None else None
    if target is not None:
        guard_outputs({"out": target.path}, _inputs(db=_db_file(db), roster=roster, rubric=rubric))
    check_year(standard.campaign, year)
    report = run_progress(
        standard, year, _for_year(roster, db, district, year), _db(db, district), target.path if target else None, as_of
    )
    return replace(report, out_note=target.note) if target is not None else report


def city_progress(
    year: int, *, db: PathLike | None = None, as_of: date | None = None, rubric: PathLike | None = None
) -> CityReport:
    """Every district of a shared (PostgreSQL) ledger at the end of `year`, side by side, each against its own
    stored roster, and the city as a whole."""
    from greencli.jobs.progress import run_city

    standard = load_rubric(_path(rubric))
    check_year(standard.campaign, year)
    return run_city(standard, year, _db(db), as_of)


def notice(
    year: int,
    kind: str,
    out: PathLike,
    *,
    as_of: date | None = None,
    roster: PathLike | Sequence[Community] | None = None,
    db: PathLike | None = None,
    district: str | None = None,
    rubric: PathLike | None = None,
) -> NoticeReport:
    """A document the office hands out (Word .docx): one of the year's lists, or the 通报."""
    from greencli.jobs.notice import notice_out, run_notice

    target = notice_out(str(out))
    guard_outputs({"out": target}, _inputs(db=_db_file(db), roster=roster, rubric=rubric))
    standard = load_rubric(_path(rubric))
    check_year(standard.campaign, year)
    return run_notice(
        standard, year, kind.strip(), target, _for_year(roster, db, district, year), _db(db, district), as_of
    )


def confer(
    codes: Sequence[str],
    year: int,
    day: date,
    document: str,
    *,
    db: PathLike | None = None,
    district: str | None = None,
    rubric: PathLike | None = None,
) -> ConferReport:
    """Record the city's naming (命名) of communities' titles of `year`, on `day`, by its document number."""
    from greencli.jobs.notice import run_confer

    standard = load_rubric(_path(rubric))
    check_year(standard.campaign, year)
    return run_confer(standard, year, day, document, codes, _db(db, district))


def history(
    code: str, *, db: PathLike | None = None, district: str | None = None, rubric: PathLike | None = None
) -> HistoryReport:
    """Every evaluation of one community over the years (superseded and voided ones too), its invalid workbooks and
    the city's namings."""
    from greencli.jobs.progress import run_history

    return run_history(code, _db(db, district), load_rubric(_path(rubric)).campaign)


def evidence(
    year: int,
    codes: Sequence[str] = (),
    *,
    out: PathLike | None = None,
    roster: PathLike | Sequence[Community] | None = None,
    db: PathLike | None = None,
    district: str | None = None,
    rubric: PathLike | None = None,
) -> EvidenceReport:
    """The binder's index (台账目录) of a year: every community's evidence files as recorded with its current
    evaluation (or only those of `codes`), by item, and the items asking for documents that have none; written as a
    Word document to `out` when given."""
    from greencli.jobs.evidence import run_evidence
    from greencli.jobs.notice import notice_out

    target = notice_out(str(out), "台账目录.docx") if out is not None else None
    if target is not None:
        guard_outputs({"out": target}, _inputs(db=_db_file(db), roster=roster, rubric=rubric))
    standards = load_standards(_path(rubric))
    check_year(standards.newest.campaign, year)
    order = _for_year(roster, db, district, year)
    return run_evidence(standards, year, codes, _db(db, district), order, target)


def rescore(
    year: int,
    version: str,
    *,
    apply: bool = False,
    db: PathLike | None = None,
    district: str | None = None,
    rubric: PathLike | None = None,
) -> RescoreReport:
    """Re-score a year's recorded entries under another version of the standard: a preview, or with `apply` new
    records that supersede the old ones (kept in history)."""
    from greencli.jobs.rescore import run_rescore

    standards = load_standards(_path(rubric))
    check_year(standards.newest.campaign, year)
    return run_rescore(standards, year, version, _db(db, district), apply)


def void(
    record: int | str,
    reason: str,
    *,
    db: PathLike | None = None,
    district: str | None = None,
    rubric: PathLike | None = None,
) -> VoidReport:
    """Void a wrongly recorded evaluation (kept in history with the reason and the day); `record` as history shows
    it (25 or "#25")."""
    from greencli.jobs.records import parse_record, run_void

    number = record if isinstance(record, int) else parse_record(record)
    return run_void(number, reason, _db(db, district), load_rubric(_path(rubric)).campaign)


def rollup(
    inbox: PathLike,
    *,
    year: int | None = None,
    roster: PathLike | Sequence[Community] | None = None,
    db: PathLike | None = None,
    district: str | None = None,
    out: PathLike | None = None,
    log: PathLike | None = None,
    wait: float = 0.0,
    jobs: int = 0,
    rubric: PathLike | None = None,
    describe: Callable[[BaseException], str] | None = None,
) -> RollupReport:
    """The nightly run: score only the workbooks of the inbox that are new or changed, then rewrite the district
    workbook (and the year's progress) from the ledger. Its log is appended to `log` (else standard error), and
    ends with what happened to the run: 完成, 中断 or 失败 (its reason as `describe` words it; the command line
    passes its own wording, which names its options)."""
    from greencli.jobs.rollup import event, input_digest, open_log, run_rollup, unchanged_rollup

    sources = input_digest(_path(rubric), Path(roster) if isinstance(roster, str | Path) else roster)
    inputs = _inputs(db=_db_file(db), roster=roster, rubric=rubric, inbox=inbox)
    # the nightly command as documented (the year and the workbook named): an unchanged inbox is told at once
    if year is not None and sources is not None and (plain := _plain_workbook(out)) is not None:
        guard_outputs({"out": plain, "log": _path(log)}, inputs)
        quick = unchanged_rollup(Path(inbox), year=year, out=plain, sources=sources, db=_db(db, district))
        if quick is not None:
            report, lines = quick
            with _logged(open_log(_path(log)), describe) as logger:
                for line in lines:
                    logger.info(line)
            return report
    standards = load_standards(_path(rubric))
    target = district_output(out, standards.newest.campaign)
    first = target.at(year)  # the name of `year`, else a name in the folder the year's name will be in
    guard_outputs({"out": first.path, "log": _path(log)}, inputs)
    check_year(standards.newest.campaign, year)
    communities = _given(roster)
    with _logged(open_log(_path(log)), describe) as logger:
        report = run_rollup(standards, Path(inbox), year=year, roster=communities, db=_db(db, district), log=logger,
                            wait=wait, jobs=jobs, out=target.target, sources=sources or "")  # fmt: skip
        said = target.at(report.year).note  # what was made of `out`, for the year the run reported
        if said:
            logger.info(event("提示", 说明=said))
    return report


def _plain_workbook(out: PathLike | None) -> Path | None:
    """`--out` when it names a workbook as it stands (no folder, no name to complete): the place a rollup's quick
    look (`unchanged_rollup`) needs no standard to find; else None."""
    if out is None:
        return None
    try:
        chosen = workbook_output(str(out), "")
    except OutputError:
        return None  # the whole run says what is wrong with it
    return chosen.path if chosen.note is None else None


@contextmanager
def _logged(logger: logging.Logger, describe: Callable[[BaseException], str] | None) -> Iterator[logging.Logger]:
    """A rollup's log around its run: it ends with 中断 or 失败 (the reason as `describe` words it) when the run
    does, and is closed whatever happens."""
    from greencli.jobs.rollup import close_log, event

    try:
        yield logger
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: the log never stops at 扫描完成
        logger.info(event("中断", 说明=interrupt_note(exc)))
        raise
    except Exception as exc:
        interrupted = interruption_behind(exc)  # a failure the signal itself caused is the interruption
        if interrupted is not None:
            logger.info(event("中断", 说明=interrupt_note(interrupted)))
        else:
            reason = describe(exc) if describe is not None else (str(exc).splitlines() or [type(exc).__name__])[0]
            logger.info(event("失败", 原因=reason))
        raise
    finally:
        close_log(logger)


def export(
    year: int,
    out: PathLike,
    *,
    roster: PathLike | Sequence[Community] | None = None,
    db: PathLike | None = None,
    district: str | None = None,
    rubric: PathLike | None = None,
) -> ExportReport:
    """The year's data tables (evaluations, item scores, and with a roster the standings): a .xlsx workbook, or a
    folder of CSV files (UTF-8 with BOM)."""
    from greencli.jobs.export import export_out, run_export

    target = export_out(Path(out))
    guard_outputs({"out": target}, _inputs(db=_db_file(db), roster=roster, rubric=rubric))
    standard = load_rubric(_path(rubric))
    check_year(standard.campaign, year)
    return run_export(standard, year, target, _db(db, district), _for_year(roster, db, district, year))


def roster_show(
    year: int | None = None, *, db: PathLike | None = None, district: str | None = None, rubric: PathLike | None = None
) -> RosterReport:
    """The rosters the ledger keeps: with `year`, the one a command for that year works with when given none (the
    year's own, else the latest kept for a year before it); without, every year's."""
    from greencli.jobs.rosters import run_roster_show

    if year is not None:
        check_year(load_rubric(_path(rubric)).campaign, year)
    return run_roster_show(_db(db, district), year)


def ledger_copy(
    source: PathLike,
    target: str,
    *,
    district: str | None = None,
    wait: float = BUSY_TIMEOUT,
    rubric: PathLike | None = None,
) -> CopyReport:
    """Copy an SQLite ledger into a shared PostgreSQL one as `district` (else $GREENCLI_DISTRICT); running it again
    adds nothing."""
    from greencli.jobs.ledger_copy import run_copy

    at = ledger_at(str(target), district)
    if not isinstance(at, PostgresUrl):
        raise GreencliError("copy-to-not-shared", path=str(target))
    origin = ledger_at(source)
    if not isinstance(origin, Path):
        raise GreencliError("copy-from-shared", path=str(origin))
    return run_copy(origin, at, load_rubric(_path(rubric)).campaign, wait)
