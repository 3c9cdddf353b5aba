"""`greencli notice` and `greencli confer`: the documents the office hands out, and the city's naming of titles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from greencli.adapters.files import OutputError, check_length, path_text
from greencli.adapters.ledger import Ledger, ledger_path
from greencli.core.errors import GreencliError
from greencli.core.listings import BULLETIN, NOTICE_KINDS, ListKind, bulletin, listing
from greencli.core.progress import Status, currents, statuses
from greencli.core.roster import Community
from greencli.core.rubric import Rubric
from greencli.jobs.standing import YearStanding


@dataclass(frozen=True)
class NoticeReport:
    year: int
    kind: str
    out: str
    communities: tuple[str, ...]  # the codes listed, each once (a 通报 may list one in several attachments)

    def to_json(self) -> dict[str, object]:
        return {"year": self.year, "kind": self.kind, "out": self.out, "communities": list(self.communities)}


def notice_out(raw: str) -> Path:
    """--out of `notice`: a .docx file (the extension added when missing; another one is refused)."""
    path = Path(raw)
    check_length(path)
    if path.name.lower() == ".docx":
        raise OutputError(f"--out {raw} 没有文件名：请写成如 通报.docx")
    if raw.endswith(("/", "\\")) or path.is_dir():
        raise OutputError(f"--out {raw} 是文件夹：请给出要写入的 Word 文件名，如 {Path(raw) / '通报.docx'}")
    if not path.suffix:
        path = path.with_name(path.name + ".docx")
    elif path.suffix.lower() != ".docx":
        raise OutputError(f"--out {raw}：只能写出 Word 文档（.docx），请把扩展名改为 .docx")
    check_length(path)
    return path


def run_notice(
    rubric: Rubric,
    year: int,
    kind: str,
    out: Path,
    roster: Sequence[Community] | None,
    db: Path | None,
    as_of: date | None = None,
) -> NoticeReport:
    """Write one 名单 or the 通报 of `year` as a Word document."""
    if kind not in NOTICE_KINDS:
        raise GreencliError(f"--kind {kind} 不是可生成的文书；可选：{'、'.join(NOTICE_KINDS)}")
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


@dataclass(frozen=True)
class Conferred:
    community_id: str
    community: str
    subdistrict: str
    year: int
    day: date
    document: str
    review_date: date | None  # the 评审日期 the title dated from until now


@dataclass(frozen=True)
class ConferReport:
    conferred: tuple[Conferred, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "conferred": [
                {"community_id": c.community_id, "community": c.community, "subdistrict": c.subdistrict,
                 "year": c.year, "date": c.day.isoformat(), "doc": c.document,
                 "review_date": c.review_date.isoformat() if c.review_date else None}
                for c in self.conferred
            ]
        }  # fmt: skip


def run_confer(
    rubric: Rubric, year: int, day: date, document: str, codes: Sequence[str], db: Path | None
) -> ConferReport:
    """Record the city's naming of each community's title of `year`; every code must have a 达标 evaluation in that
    year (a new title, not a re-review), else nothing is recorded."""
    if not document.strip():
        raise GreencliError("--doc 不能为空：请填写市里命名文件的文号")
    if day > date.today():
        raise GreencliError(f"--date {day.isoformat()} 晚于今天：请填写市里已发文命名的日期")
    wanted: list[str] = []
    for code in (c.strip() for c in codes):
        if code and code.casefold() not in {w.casefold() for w in wanted}:  # ZJ-04 and zj-04 are one community
            wanted.append(code)
    if not wanted:
        raise GreencliError("请给出要记录命名的社区编码")
    with Ledger.open(ledger_path(db), create=False) as ledger:
        evaluations = currents(ledger.evaluations(current_only=True))
        stored = {o.community_id.casefold(): o for o in ledger.evaluations(current_only=True, year=year)}
        problems, done = [], []
        for code in wanted:
            outcome = stored.get(code.casefold())
            if outcome is None:
                problems.append(f"{code}：{year} 年度没有有效的评审记录")
                continue
            community = Community(outcome.community_id, outcome.community, outcome.subdistrict, "城市社区")
            (standing,) = statuses([community], evaluations, year, rubric.campaign.first_year)
            if standing.status is not Status.PASS:
                why = ("该年度是复审通过，称号在此前已命名" if standing.status is Status.REPASS
                       else f"该年度评审结论为{outcome.verdict.label}")  # fmt: skip
                problems.append(f"{code}（{outcome.community}）：{year} 年度没有“达标”的评审记录（{why}）")
                continue
            # the city names after the district has scored: not before the 评审日期 (an evaluation recorded under
            # 2021.1 may have none: then not before the year itself)
            floor, what = (outcome.review_date, "评审日期") if outcome.review_date else (date(year, 1, 1), "该年度")
            if day < floor:
                problems.append(
                    f"{code}（{outcome.community}）：命名日期 {day.isoformat()} 早于{what} {floor.isoformat()}"
                )
                continue
            done.append(Conferred(outcome.community_id, outcome.community, outcome.subdistrict, year, day,
                                  document.strip(), outcome.review_date))  # fmt: skip
        if problems:
            raise GreencliError("未记录任何命名：\n  " + "\n  ".join(problems))
        for c in done:
            ledger.confer(c.community_id, c.year, c.day, c.document)
    return ConferReport(tuple(done))
