"""The year's lists the office hands out (名单), as data: who was nominated, named, re-reviewed, revoked, let lapse,
is due for re-review and may be recommended to the province. The 名单 sheet and `greencli notice` render them.

Every list is drawn from the same standings that `progress --json` reports (urban communities only), so a list and
the JSON never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from greencli.core.progress import Progress, Standing, Status, Tally
from greencli.core.rubric import Rubric
from greencli.core.values import fmt, percent_text


class ListKind(StrEnum):
    """The 名单 of contract.md, by the names the office uses (and `notice --kind` takes)."""

    NOMINATED = "上报名单"
    CONFERRED = "认定名单"
    REPASSED = "复审通过名单"
    REVOKED = "撤销名单"
    LAPSED = "逾期未复审名单"
    PROVINCIAL = "省级推荐名单"
    DUE = "应复审名单"


BULLETIN = "通报"
NOTICE_KINDS = (*(k.value for k in ListKind), BULLETIN)


@dataclass(frozen=True)
class Listing:
    """One 名单: a title, the line that dates it, and its rows (text as printed), one per community."""

    kind: ListKind
    title: str
    dated: str  # e.g. "报送截止日期：2023年3月31日"
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    codes: tuple[str, ...]  # the 社区编码 of the rows, in order
    note: str = ""

    @property
    def empty(self) -> bool:
        return not self.rows


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _title_date(s: Standing) -> str:
    return s.title_date.isoformat() if s.title_date else ""


def _total(s: Standing) -> str:
    return f"{s.total:.1f}" if s.total is not None else ""


def _revoked_reason(s: Standing, rubric: Rubric) -> str:
    if s.vetoes:
        known = {v.code for v in rubric.vetoes}
        names = "、".join(f"{code} {rubric.veto(code).name}" if code in known else code for code in s.vetoes)
        return f"复审触及否决项：{names}"
    return f"复审得分 {_total(s)} 分，低于 {fmt(rubric.pass_mark)} 分"


def _urban(p: Progress) -> list[Standing]:
    order = {name: i for i, name in enumerate(t.name for t in p.subdistricts)}
    return sorted((s for s in p.standings if s.community.urban),
                  key=lambda s: (order.get(s.community.subdistrict, len(order)), s.community.code))  # fmt: skip


def _listing(kind: ListKind, campaign: str, year: int, dated: str, columns: Sequence[str], chosen: Sequence[Standing],
             cells: Sequence[Sequence[str]], note: str = "") -> Listing:  # fmt: skip
    rows = tuple((str(i), s.community.subdistrict, s.community.name, s.community.code, *extra)
                 for i, (s, extra) in enumerate(zip(chosen, cells, strict=True), start=1))  # fmt: skip
    return Listing(kind, f"{year}年度{campaign}{kind.value}", dated, ("序号", "乡街", "社区名称", "社区编码", *columns),
                   rows, tuple(s.community.code for s in chosen), note)  # fmt: skip


def listing(kind: ListKind, current: Progress, previous: Progress, rubric: Rubric) -> Listing:
    """One 名单 for `current.year`; `previous` is the standing at the end of the year before (for 应复审名单)."""
    year = current.year
    urban = _urban(current)
    at_end = f"统计截至：{chinese_date(rubric.campaign.end_of(year))}"
    name = rubric.campaign.name
    match kind:
        case ListKind.NOMINATED:
            chosen = [s for s in urban if s.nominated]
            deadline = rubric.campaign.deadline(year)
            return _listing(kind, name, year, f"报送截止日期：{chinese_date(deadline)}", ("评审结果", "总分"), chosen,
                            [("达标" if s.status is Status.PASS else "未达标", _total(s)) for s in chosen],
                            "本年度评审的、上年末未持有称号的城市社区（首次申报、再次申报和称号失效后重新申报）。")  # fmt: skip
        case ListKind.CONFERRED:
            chosen = [s for s in urban if s.status is Status.PASS]
            return _listing(kind, name, year, at_end, ("总分", "命名日期"), chosen,
                            [(_total(s), _title_date(s)) for s in chosen])  # fmt: skip
        case ListKind.REPASSED:
            chosen = [s for s in urban if s.status is Status.REPASS]
            return _listing(kind, name, year, at_end, ("复审得分", "命名日期"), chosen,
                            [(_total(s), _title_date(s)) for s in chosen])  # fmt: skip
        case ListKind.REVOKED:
            chosen = [s for s in urban if s.status is Status.REVOKED]
            return _listing(
                kind, name, year, at_end, ("撤销原因",), chosen, [(_revoked_reason(s, rubric),) for s in chosen]
            )
        case ListKind.LAPSED:
            chosen = [s for s in urban if s.status is Status.LAPSED]
            return _listing(kind, name, year, at_end, ("最近评审年度", "说明"), chosen,
                            [(str(s.latest_year or ""), f"{year - 1}、{year}年连续两年未复审，称号失效")
                             for s in chosen])  # fmt: skip
        case ListKind.PROVINCIAL:
            chosen = list(current.provincial)
            listed = _listing(kind, name, year, f"推荐资格判断日期：{chinese_date(current.as_of)}", ("命名日期", "最近总分"),
                              chosen, [(_title_date(s), _total(s)) for s in chosen],
                              "获得市级称号满一年、年末仍持有称号的城市社区，按最近总分由高到低（同分按命名日期先后）"
                              "择优推荐。")  # fmt: skip
            return Listing(listed.kind, listed.title, listed.dated, ("推荐顺序", *listed.columns[1:]), listed.rows,
                           listed.codes, listed.note)  # fmt: skip
        case ListKind.DUE:
            # the overdue first, marked 逾期: without a re-review this year their title lapses at its end
            overdue = [s for s in _urban(previous) if s.status is Status.PENDING]
            on_time = [s for s in _urban(previous) if s.status in (Status.PASS, Status.REPASS)]
            chosen = overdue + on_time
            return _listing(kind, name, year, f"{year}年内应完成复审", ("命名日期", f"{year - 1}年末状态", "说明"), chosen,
                            [(_title_date(s), s.status.label, "逾期" if s in overdue else "") for s in chosen],
                            f"{year - 1}年达标或复审通过的社区，须在{year}年内完成年度复审。{year - 1}年应复审而未复审的"
                            f"（待复审）列在最前，标明“逾期”：{year}年底前仍不复审的，称号失效。")  # fmt: skip


def listings(current: Progress, previous: Progress, rubric: Rubric) -> list[Listing]:
    """All seven 名单 of the year, in the order the office hands them out."""
    return [listing(kind, current, previous, rubric) for kind in ListKind]


ATTACHED = (ListKind.CONFERRED, ListKind.REPASSED, ListKind.REVOKED, ListKind.LAPSED, ListKind.PROVINCIAL)


def percent(value: Decimal | None) -> str:
    """A target as the 通报 writes it: 60%, 32.5%."""
    return "—" if value is None else f"{fmt(value * 100)}%"


def _rate(t: Tally) -> str:
    return percent_text(t.rate)


def _met(t: Tally) -> str:
    if t.met is None:
        return "无目标" if t.target is None else "无城市社区"
    return "达到" if t.met else "未达到"


@dataclass(frozen=True)
class BulletinRow:
    """One line of the 通报's table of rates: a 乡街 or the district."""

    name: str
    urban: int
    holders: int
    rate: str  # "56.5%"
    target: str  # "60%"
    met: str  # 达到 | 未达到 | 无目标
    gap: str


@dataclass(frozen=True)
class Bulletin:
    """What the 通报 states: its paragraphs (already worded), the table of rates and the lists it attaches."""

    year: int
    title: str
    paragraphs: tuple[str, ...]
    rates: tuple[BulletinRow, ...]
    attachments: tuple[Listing, ...]


def bulletin(current: Progress, previous: Progress, rubric: Rubric) -> Bulletin:
    """The year's results as the office announces them: rates against the target, the gap, and the lists."""
    d, year = current.district, current.year
    repassed = sum(1 for s in current.standings if s.community.urban and s.status is Status.REPASS)
    conferred = sum(1 for s in current.standings if s.community.urban and s.status is Status.PASS)
    goal = percent(current.target) if current.target is not None else None
    if d.urban == 0:
        standing = "名单中没有城市社区，不计算达标率。"
    elif goal is None:
        standing = f"达标率{_rate(d)}（本年度未设目标）。"
    elif d.met:
        standing = f"达标率{_rate(d)}，达到{year}年度{goal}的目标。"
    else:
        standing = f"达标率{_rate(d)}，未达到{year}年度{goal}的目标，还差{d.gap}个社区。"
    # the standard's own name and source (rubric data), so another district's standard words its own 通报
    source = f"（{rubric.source.split()[0]}）" if rubric.source.strip() else ""
    name = rubric.campaign.name
    paragraphs = [
        f"按照《{rubric.title}》{source}要求，各乡街组织开展了{year}年度{name}创建和复审工作。现将有关情况通报如下。",
        f"{year}年度全区共评审城市社区{d.evaluated}个，其中{d.passed}个达到{name}创建标准（新认定{conferred}个、"
        f"复审通过{repassed}个）；复审未通过、撤销称号{d.revoked}个；连续两年未复审、称号失效{d.lapsed}个；"
        f"本年度应复审而未复审{d.pending}个。各乡街本年度新申报{d.nominations}个社区，其中{d.nominations_passed}个达标。",
        f"截至{year}年底，全区{d.urban}个城市社区中有{d.holders}个持有{name}称号，{standing}",
    ]
    behind = [t for t in current.subdistricts if t.met is False]
    if behind:
        names = "、".join(f"{t.name}（还差{t.gap}个）" for t in behind)
        paragraphs.append(f"{names}未达到年度目标，请相关乡街加快推进，做好下一年度的申报和复审工作。")
    eligible = len(current.provincial)
    paragraphs.append(
        f"获得市级称号满一年、可择优推荐申报省级{name}的社区{eligible}个（见附件{ATTACHED.index(ListKind.PROVINCIAL) + 1}）。"
        f"请各乡街对照名单，认真做好{name}的巩固提升工作，每年组织复审一次。"
        if eligible else f"请各乡街认真做好{name}的巩固提升工作，每年组织复审一次。"
    )  # fmt: skip
    rows = tuple(
        BulletinRow(t.name, t.urban, t.holders, _rate(t), goal or "—", _met(t), "—" if t.gap is None else str(t.gap))
        for t in (*current.subdistricts, d)
    )
    lists = tuple(listing(kind, current, previous, rubric) for kind in ATTACHED)
    return Bulletin(year, f"关于{year}年度{name}创建工作情况的通报", tuple(paragraphs), rows, lists)
