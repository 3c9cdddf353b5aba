"""`greencli notice` and `greencli confer`: the documents the office hands out, and the city's naming of titles."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from greencli.adapters.files import OutputError, check_length, path_text
from greencli.adapters.ledger import Ledger, LedgerAt, ledger_at
from greencli.core.errors import GreencliError, Problem
from greencli.core.listings import BULLETIN, NOTICE_KINDS, ListKind, bulletin, listing
from greencli.core.progress import Status, currents, statuses
from greencli.core.reports import Conferred, ConferReport, NoticeReport
from greencli.core.roster import Community
from greencli.core.rubric import Rubric
from greencli.jobs.standing import YearStanding

# the reports are defined in greencli.core.reports (the terminal renders them); importable from here as before
__all__ = ["ConferReport", "Conferred", "NoticeReport", "notice_out", "run_confer", "run_notice"]


def notice_out(raw: str, example: str = "通报.docx") -> Path:
    """--out of a command writing a Word document (notice, standard): a .docx file (the extension added when
    missing; another one is refused)."""
    path = Path(raw)
    check_length(path)
    if path.name.lower() == ".docx":
        raise OutputError("notice-out-no-name", path=raw)
    if raw.endswith(("/", "\\")) or path.is_dir():
        raise OutputError("notice-out-folder", path=raw, example=str(Path(raw) / example))
    if not path.suffix:
        path = path.with_name(path.name + ".docx")
    elif path.suffix.lower() != ".docx":
        raise OutputError("notice-out-not-docx", path=raw)
    check_length(path)
    return path


def run_notice(
    rubric: Rubric,
    year: int,
    kind: str,
    out: Path,
    roster: Sequence[Community] | None,
    db: LedgerAt | None,
    as_of: date | None = None,
) -> NoticeReport:
    """Write one 名单 or the 通报 of `year` as a Word document."""
    if kind not in NOTICE_KINDS:
        raise GreencliError("notice-kind-unknown", kind=kind, kinds=list(NOTICE_KINDS))
    standing = YearStanding.load(rubric, year, roster, db, as_of, "生成名单和通报")
    from greencli.adapters.docx_notice import write_bulletin, write_listing  # heavy: only when writing

    if kind == BULLETIN:
        document = bulletin(standing.current, standing.previous, rubric)
        write_bulletin(out, document)
        codes = tuple(dict.fromkeys(code for attached in document.attachments for code in attached.codes))
    else:
        chosen = listing(ListKind(kind), standing.current, standing.previous, rubric)
        write_listing(out, chosen)
        codes = chosen.codes
    return NoticeReport(year, kind, path_text(out), codes)


def run_confer(
    rubric: Rubric, year: int, day: date, document: str, codes: Sequence[str], db: LedgerAt | None
) -> ConferReport:
    """Record the city's naming of each community's title of `year`; every code must have a 达标 evaluation in that
    year (a new title, not a re-review), else nothing is recorded."""
    if not document.strip():
        raise GreencliError("confer-document-missing")
    if day > date.today():
        raise GreencliError("confer-date-future", date=day.isoformat())
    wanted: list[str] = []
    for code in (c.strip() for c in codes):
        if code and code.casefold() not in {w.casefold() for w in wanted}:  # ZJ-04 and zj-04 are one community
            wanted.append(code)
    if not wanted:
        raise GreencliError("confer-no-codes")
    with Ledger.open(ledger_at(db), create=False) as ledger:
        evaluations = currents(ledger.evaluations(current_only=True))
        stored = {o.community_id.casefold(): o for o in ledger.evaluations(current_only=True, year=year)}
        problems: list[Problem] = []
        done: list[Conferred] = []
        for code in wanted:
            outcome = stored.get(code.casefold())
            if outcome is None:
                problems.append(Problem.of("confer-no-record", community=code, year=year))
                continue
            community = Community(outcome.community_id, outcome.community, outcome.subdistrict, "城市社区")
            (standing,) = statuses([community], evaluations, year, rubric.campaign)
            if standing.status is not Status.PASS:
                why = ("该年度是复审通过，称号在此前已命名" if standing.status is Status.REPASS
                       else f"该年度评审结论为{outcome.verdict.label}")  # fmt: skip
                problems.append(Problem.of("confer-not-passed", community=code, name=outcome.community, year=year,
                                           why=why))  # fmt: skip
                continue
            # the city names after the district has scored: not before the 评审日期 (an evaluation recorded under
            # 2021.1 may have none: then not before the year itself)
            floor, what = (outcome.review_date, "评审日期") if outcome.review_date else (date(year, 1, 1), "该年度")
            if day < floor:
                problems.append(Problem.of("confer-too-early", community=code, name=outcome.community,
                                           date=day.isoformat(), what=what, floor=floor.isoformat()))  # fmt: skip
                continue
            done.append(Conferred(outcome.community_id, outcome.community, outcome.subdistrict, year, day,
                                  document.strip(), outcome.review_date))  # fmt: skip
        if problems:
            raise GreencliError("confer-refused", problems=problems)
        for c in done:
            ledger.confer(c.community_id, c.year, c.day, c.document)
    return ConferReport(tuple(done))
