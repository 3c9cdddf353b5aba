"""Rendering to the terminal with rich. Colours and progress only on a terminal; plain text elsewhere.

Every render_* function takes a job's typed report and passes each text it shows through `_text` (or `_plain` where
nothing is rich markup): the text is put on one line without control or direction characters
(`core.clean.terminal_line`), so no value from a roster, a workbook, a file name or an older ledger can move the
cursor, colour the terminal, turn text around or break a table's rows, and its rich markup is escaped, so a name
such as "[/b]" is printed as typed (`streams.print_json`, for --json, writes those characters as \\u escapes).
Values are never cut here but by the table's own fitting.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, TimeRemainingColumn
from rich.progress import Progress as Bar

from greencli.adapters.tables import Column, FittedTable, cell_width, render_table, unicode_console
from greencli.core.batch import DISTRICT, ScoreReport, Summary, current_in_ledger, row_code
from greencli.core.clean import terminal_line, visible
from greencli.core.evidence import size_text
from greencli.core.issues import Issue
from greencli.core.model import Verdict
from greencli.core.outcome import Outcome
from greencli.core.progress import Standing, Tally, points_short
from greencli.core.reports import (
    BookletReport,
    CityReport,
    ConferReport,
    CopyReport,
    EvidenceReport,
    ExportReport,
    HistoryReport,
    NoticeReport,
    ProgressReport,
    RescoreReport,
    RosterReport,
    Status,
    TemplateReport,
    VoidReport,
)
from greencli.core.rollup_report import RollupReport
from greencli.core.rubric import Rubric
from greencli.core.values import as_float, percent_text

# Piped output (cron logs, files) has no terminal width; wide tables stay readable at this width.
PIPE_WIDTH = 160
ROW_CODE = re.compile(r"[0-9]+(\.[0-9]+)?|[A-Z][0-9]*")  # 7.3, 20, B, V1: what a problem line shows as its row


def console() -> Console:
    """The terminal's width (or $COLUMNS when set); a pipe without $COLUMNS gets PIPE_WIDTH."""
    columns = os.environ.get("COLUMNS", "")
    width: int | None = None
    if columns.isdigit() and int(columns) > 0:
        width = int(columns)
    elif not Console().is_terminal:
        width = PIPE_WIDTH
    return Console(highlight=False, soft_wrap=False, width=width)


def _plain(text: str | None) -> str:
    """A text from outside (a roster, a workbook, a file name, the ledger) on one safe line (see the docstring)."""
    return terminal_line(text) if text else ""


def _text(text: str | None) -> str:
    """`_plain`, with its rich markup escaped: for everything printed through rich."""
    return escape(_plain(text))


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else f"{value:g}"


def render_rubric(rubric: Rubric) -> None:
    out = console()
    out.print(f"[bold]{_text(rubric.title)}[/]  （版本 {_text(rubric.version)}，来源：{_text(rubric.source)}）",
              soft_wrap=True)  # fmt: skip
    rows: list[list[str]] = []
    sections: set[int] = set()
    for category in rubric.categories:
        sections.add(len(rows))
        for n, item in enumerate(rubric.items_in(category.number)):
            kinds = " ".join(f"{_text(r.code)}{_text(r.kind.label)}" for r in item.rows)
            label = f"{category.number}.{_text(category.name)}（{_num(as_float(category.points))}分）" if n == 0 else ""
            rows.append([label, str(item.number), _text(item.content), _num(as_float(item.points)), kinds])
    columns = [Column("类别", wrap=True, keep=2, min_width=10), Column("项", justify="right"),
               Column("内容", wrap=True, min_width=12), Column("分值", justify="right"),
               Column("评分行", wrap=True, keep=1, min_width=10)]  # fmt: skip
    render_table(out, FittedTable(columns, rows, sections))
    vetoes = "；".join(f"{_text(v.code)} {_text(v.name)}" for v in rubric.vetoes)
    targets = "，".join(f"{t.year}年 ≥{float(t.rate) * 100:g}%" for t in rubric.campaign.targets)
    out.print(
        f"加分项 {_text(rubric.bonus.code)}：最高 {_num(as_float(rubric.bonus.max))} 分，"
        f"总分不超过 {_num(as_float(rubric.max_total))} 分"
    )
    out.print(f"否决项：{vetoes}")
    out.print(f"达标线：总分 ≥ {_num(as_float(rubric.pass_mark))} 且无否决项；年度目标：{targets}")


TEMPLATE_STATUS = {Status.WRITTEN: "[green]已生成[/]", Status.OVERWRITTEN: "[yellow]已覆盖[/]",
                   Status.EXISTS: "[dim]已存在，未覆盖[/]"}  # fmt: skip


def render_templates(report: TemplateReport, quiet: bool) -> None:
    if quiet:  # paths for a script: whole, one a line (a character kept out of outputs written as an escape)
        for m in report.made:
            if m.status is not Status.EXISTS:
                sys.stdout.write(visible(str(m.path)) + "\n")
                if m.record is not None:
                    sys.stdout.write(visible(str(m.record)) + "\n")
        return
    made = report.made
    out = console()
    if made and made[0].community is not None:
        columns = [Column("乡街", keep=1), Column("社区编码"), Column("社区名称", wrap=True, whole=True, min_width=8),
                   Column("文件", wrap=True, keep=2, min_width=16), Column("状态")]  # fmt: skip
        rows = [[_text(c.subdistrict), _text(c.code), _text(c.name), _text(str(m.path)), TEMPLATE_STATUS[m.status]]
                for m in made for c in (m.community,) if c is not None]  # fmt: skip
        render_table(out, FittedTable(columns, rows, title=f"{report.year}年度评分表"))
    else:
        for m in made:
            out.print(f"{TEMPLATE_STATUS[m.status]}  {_text(str(m.path))}")
    if any(m.record is not None for m in made):
        out.print("每份评分表旁另有一份现场评审记录（文件名加“_现场评审记录”），供评审人员打印带到现场填写")
    summary = f"共 {len(made)} 份：生成 {report.written}"
    if report.kept:
        summary += f"，已存在未覆盖 {report.kept}（加 --force 覆盖）"
    if report.skipped_non_urban:
        summary += f"；村和农村社区 {len(report.skipped_non_urban)} 个，不生成评分表"
    out.print(summary + f"。输出目录：{_text(str(report.out))}")


VERDICT_STYLE = {"pass": "bold green", "fail": "yellow", "veto": "bold red", "invalid": "dim"}
VERDICT_LABEL = {"pass": "达标", "fail": "未达标", "veto": "否决", "invalid": "无效"}
CHINESE_NUMERALS = "一二三四五六七八九十"


def _score(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _verdict_label(verdict: Verdict) -> str:
    return f"[{VERDICT_STYLE[verdict.value]}]{VERDICT_LABEL[verdict.value]}[/]"


def _verdict(o: Outcome) -> str:
    if o.superseded_in_batch:
        return "[dim]被取代[/]"
    return (
        _verdict_label(o.verdict)
        + ("[dim]*[/]" if o.off_year else "")
        + ("[dim]※[/]" if current_in_ledger(o) is False else "")
    )


def _category_heading(number: int) -> str:
    return CHINESE_NUMERALS[number - 1] if 0 < number <= len(CHINESE_NUMERALS) else str(number)


def render_score(report: ScoreReport) -> None:
    """The batch as a table grouped by 乡街, then each problem file's issues, then one summary line."""
    out = console()
    outcomes = report.outcomes
    categories = [c.number for c in report.rubric.categories]
    # the categories and the bonus add up to 总分: a narrow terminal shows them all or none
    columns = [
        Column("乡街", keep=1), Column("社区编码"), Column("社区名称", wrap=True, whole=True, keep=2, min_width=8),
        *(Column(_category_heading(c), justify="right", keep=3, group="总分") for c in categories),
        Column("加分", justify="right", keep=3, group="总分"), Column("总分", justify="right"), Column("结论"),
        Column("否决项", wrap=True, keep=1, min_width=6),
    ]  # fmt: skip
    rows: list[list[str]] = []
    sections: set[int] = set()
    previous: str | None = None
    for o in outcomes:
        subdistrict = o.subdistrict or None
        if previous is not None and subdistrict != previous:
            sections.add(len(rows))
        previous = subdistrict
        valid = o.scored
        cats = (o.categories or {}) if valid else {}
        rows.append([
            _text(o.subdistrict) or "?", _text(o.community_id) or "?", _text(o.community) or _text(_file_name(o.file)),
            *(_score(as_float(cats.get(c))) for c in categories), _score(as_float(o.bonus) if valid else None),
            _score(as_float(o.total) if valid else None), _verdict(o), "、".join(_text(v) for v in o.vetoes),
        ])  # fmt: skip
    render_table(out, FittedTable(columns, rows, sections))
    for o in outcomes:
        problems = [*o.errors, *(i for i in o.issues if not i.is_error)]
        if not problems:
            continue
        title = "[bold red]无效[/]" if o.verdict is Verdict.INVALID else "[yellow]提醒[/]"
        out.print(f"\n{title}  {_text(o.file)}", soft_wrap=True)
        for mark, where, code, message in _problem_lines(problems):
            out.print(f"  {mark} {_pad(where, 12)} {_pad(code, 6)} {message}".rstrip(), soft_wrap=True)
    out.print("\n" + summary_line(report.summary), soft_wrap=True)
    chosen = report.year
    if chosen.year is not None:
        how = "（--year 指定）" if chosen.source == "option" else "（本批多数评分表的评审年度）"
        line = f"统计年度：{chosen.year}{how}"
        others = {y: n for y, n in chosen.counts.items() if y != chosen.year}
        if others:
            shown = "，".join(f"{y} 年 {n} 份" for y, n in others.items())
            line += f"；[yellow]本批还有其他年度的评分表：{shown}，已按各自年度记录，不计入本批统计（结论后标 *）[/]"
        out.print(line, soft_wrap=True)
    elsewhere = [o for o in outcomes if current_in_ledger(o) is False and not o.superseded_in_batch]
    if elsewhere:
        out.print(f"[yellow]结论后标 ※ 的 {len(elsewhere)} 份已记录，但评分记录库中该社区该年度的当前记录是另一份"
                  "（见上方提醒），进度和名单以那一份为准[/]", soft_wrap=True)  # fmt: skip
    for names, text in ((report.unmatched, "没有匹配到文件"), (report.skipped, "已跳过锁定/临时文件")):
        if names:
            out.print(f"[yellow]{text}：[/]" + "、".join(_text(n) for n in names), soft_wrap=True)
    if report.out_note:
        out.print(f"[yellow]提示：[/]{_text(report.out_note)}", soft_wrap=True)
    for note in report.notes:
        out.print(f"[yellow]提示：[/]{_text(note)}", soft_wrap=True)
    if report.dry_run:
        out.print("[dim]试运行（--dry-run）：未写入评分记录库和汇总工作簿。[/]")
    else:
        out.print(
            f"评分记录：新增 {report.recorded} 条，已有 {report.already} 条（{_text(report.db)}）", soft_wrap=True
        )
        out.print(f"汇总工作簿：{_text(report.out) if report.out is not None else None}", soft_wrap=True)


def _pad(text: str, width: int) -> str:
    """Left-aligned in `width` terminal cells (a Chinese character takes two)."""
    return text + " " * max(0, width - cell_width(text))


def _problem_lines(problems: Sequence[Issue]) -> list[tuple[str, str, str, str]]:
    """A workbook's problems as lines: mark, where, row code and message, each text made safe to show. A problem of
    the whole file or sheet is said once, by its message (its Chinese title would repeat it); the sheets missing from
    a file that is not a form are named on one line."""
    lines = []
    missing = [p for p in problems if p.code == "sheet-missing"]
    for issue in problems:
        mark = "[red]✗[/]" if issue.is_error else "[yellow]![/]"
        if issue.code == "sheet-missing" and len(missing) > 1:
            if issue is missing[0]:
                sheets = "".join(f"“{_text(p.sheet or row_code(p))}”" for p in missing)
                lines.append(
                    (mark, "（文件）", "", f"缺少工作表{sheets}：不是评分表（评分表可用 greencli template 生成）")
                )
            continue
        if issue.sheet and issue.cell:
            where = f"{_text(issue.sheet)}!{_text(issue.cell)}"
        else:
            where = _text(issue.sheet) or "（文件）"
        # a row code (7.3, V1, B) says where; anything else (a sheet, a field) is said by the message itself
        code = row_code(issue)
        lines.append((mark, where, code if ROW_CODE.fullmatch(code) else "", _text(issue.message)))
    return lines


def summary_line(s: Summary) -> str:
    """`34 份：达标 26，未达标 2，否决 2，无效 3，被取代 1`: every file counted once, so the parts add up."""
    line = f"{s.files} 份：达标 {s.passed}，未达标 {s.failed}，否决 {s.vetoed}，无效 {s.invalid}"
    if s.superseded:
        line += f"，被同批更新的评分表取代 {s.superseded}"
    return line


def _file_name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


class Progress:
    """A progress bar on stderr, only when stderr is a terminal and there is enough work to watch."""

    def __init__(self, total: int, label: str = "评分") -> None:
        self.bar: Bar | None = None
        if total >= 5 and sys.stderr.isatty():
            self.bar = Bar(f"[bold]{label}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                           console=Console(stderr=True), transient=True)  # fmt: skip
            self.task = self.bar.add_task(label, total=total)
            self.bar.start()

    def advance(self, *_: object) -> None:
        if self.bar is not None:
            self.bar.advance(self.task)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


STATUS_STYLE = {"pass": "green", "repass": "bold green", "pending": "yellow", "revoked": "bold red", "fail": "red",
                "absent": "dim", "lapsed": "red", "correcting": "yellow"}  # fmt: skip


def bar(rate: float | None, target: float | None, width: int, plain: bool = False) -> str:
    """The achievement rate as a bar with the target marked, so that a rate below the target never looks like one
    that meets it: the target's cell is the last one a rate at the target fills, a rate below it stops short of
    that cell (drawn │, thin, on the unfilled part) and is drawn in a lighter fill; a rate that meets it fills the
    cell (drawn ┃, heavy). ▓▓▓▓▓▓▓▓▓▓▓│░░░░░░░░ is 58.3 % of a 60 % target, ███████████┃░░░░░░░░ is 60 %.
    Where block characters would be drawn two cells wide: ===========|-------- and ###########|--------."""
    if rate is None:
        return ""
    below = target is not None and rate < target
    empty, line, heavy = ("-", "|", "|") if plain else ("░", "│", "┃")
    full = ("=" if plain else "▓") if below else ("#" if plain else "█")
    filled = max(0, min(width, round(rate * width)))
    mark = None
    if target is not None:
        mark = max(0, min(width - 1, -(-round(target * width * 1000) // 1000) - 1))  # the cell the target ends in
        filled = min(filled, mark) if below else max(filled, mark + 1)
    cells = [full if i < filled else empty for i in range(width)]
    if mark is not None:
        cells[mark] = f"[bold]{line if below else heavy}[/]"
    colour = "green" if target is not None and not below else ("yellow" if target is not None else "cyan")
    return f"[{colour}]{''.join(cells)}[/]"


MET: dict[bool | None, str] = {True: "[green]达到[/]", False: "[red]未达到[/]"}  # against the target (none: not said)


def _tally_cells(t: Tally) -> list[str]:
    met = MET.get(t.met, "—")
    return [str(t.urban), str(t.evaluated), str(t.passed), str(t.holders), str(t.pending), str(t.lapsed),
            str(t.revoked), "" if t.rate is None else percent_text(t.rate), "", met,
            "" if t.gap is None else str(t.gap)]  # fmt: skip


def render_progress(report: ProgressReport) -> None:
    out = console()
    p = report.standing
    target = as_float(p.target)
    goal = "无（试点年）" if target is None else f"{target * 100:g}%"
    campaign = _text(report.rubric.campaign.name)
    out.print(f"[bold]{p.year}年度{campaign}创建进度[/]  目标：城市社区达标率 ≥ {goal}", soft_wrap=True)
    tallies = report.tallies
    warned = report.nomination_warnings
    wide = unicode_console(out)
    columns = [
        Column("乡街"), Column("城市社区", justify="right", keep=1), Column("本年评审", justify="right", keep=3),
        Column("本年达标", justify="right", keep=3), Column("持有称号", justify="right"),
        Column("待复审", justify="right", keep=2), Column("逾期未复审", justify="right", keep=2),
        Column("撤销", justify="right", keep=2), Column("达标率", justify="right"),
        Column(f"进度（{'│' if wide else '|'}目标）", keep=4,
               fill=lambda w, n: bar(as_float(tallies[n].rate), target, w, plain=not wide)),
        Column("是否达到"), Column("还差", justify="right"), Column("本年新申报", justify="right", keep=2),
    ]  # fmt: skip
    rows = []
    for t in p.subdistricts:
        flag = " [yellow]![/]" if warned.get(t.name) else ""
        rows.append([_text(t.name), *_tally_cells(t), f"{t.nominations}{flag}"])
    rows.append([f"[bold]{DISTRICT}[/]", *_tally_cells(p.district), str(p.district.nominations)])
    render_table(out, FittedTable(columns, rows, sections={len(rows) - 1}))
    urban = [s for s in p.standings if s.community.urban]
    for status, chosen in (("待复审（本年应复审而未复审，称号暂保留）", p.overdue), ("逾期未复审（称号失效）", p.lapsed),
                           ("复审未通过，撤销称号", p.revoked)):  # fmt: skip
        if chosen:
            out.print(f"\n[bold]{status}[/]：" + "、".join(_who(s) for s in chosen), soft_wrap=True)
    due = p.due
    if due:
        overdue = [s for s in due if s.overdue]
        late = (
            f"（逾期 {len(overdue)} 个，本年不复审则称号失效：" + "、".join(_who(s) for s in overdue) + "）"
            if overdue
            else ""
        )
        reviewed = sum(1 for s in due if s.evaluated_this_year)
        out.print(f"\n[bold]{p.year}年应复审[/] {len(due)} 个{late}，已复审 {reviewed} 个", soft_wrap=True)
    correcting = [s for s in urban if s.invalid_submission]
    if correcting:
        out.print("\n[bold]待改正[/]（本年交来的评分表无效，改正后重新提交）：" + "、".join(_who(s) for s in correcting),
                  soft_wrap=True)  # fmt: skip
    eligible = p.provincial
    if eligible:
        out.print(f"\n[bold]可申报省级{campaign}[/]（{p.as_of.isoformat()}，按择优推荐顺序）："
                  + "、".join(_who(s) for s in eligible), soft_wrap=True)  # fmt: skip
    if p.candidates:
        _render_candidates(out, report)
    villages = [s for s in p.standings if not s.community.urban]
    if villages:
        out.print(f"\n村和农村社区 {len(villages)} 个（不计入目标）：" + "、".join(_text(s.community.name) for s in villages),
                  soft_wrap=True)  # fmt: skip
    for warning in report.warnings:
        out.print(f"[yellow]提醒：[/]{_text(warning.message)}", soft_wrap=True)
    if report.out_note:
        out.print(f"[yellow]提示：[/]{_text(report.out_note)}", soft_wrap=True)
    if report.out:
        out.print(f"\n进度工作簿：{_text(report.out)}", soft_wrap=True)


def _who(s: Standing) -> str:
    return f"{_text(s.community.code)}（{_text(s.community.name)}）"


def _render_candidates(out: Console, report: ProgressReport) -> None:
    gap = report.standing.district.gap
    out.print(
        "\n[bold]冲刺名单[/]（未持有称号的城市社区，按距离达标由近到远" + (f"；全区还差 {gap} 个" if gap else "") + "）"
    )
    pass_mark = report.rubric.pass_mark
    columns = [Column("乡街", keep=1), Column("社区编码"), Column("社区名称", wrap=True, whole=True, keep=2, min_width=8),
               Column("年末状态"), Column("最近总分", justify="right"), Column("需消除的否决项", keep=1),
               Column(f"距{float(pass_mark):g}分还差", justify="right")]  # fmt: skip
    rows = []
    for s in report.standing.candidates:
        short = points_short(s, pass_mark)
        style = STATUS_STYLE.get(s.display_status, "")
        label = _text(s.display_label)
        rows.append([_text(s.community.subdistrict), _text(s.community.code), _text(s.community.name),
                     f"[{style}]{label}[/]" if style else label, _score(as_float(s.total)),
                     "、".join(_text(v) for v in s.vetoes), "" if short is None else f"{float(short):g}"])  # fmt: skip
    render_table(out, FittedTable(columns, rows))


def _minute(moment: str | None) -> str:
    """A stored time (2023-05-01T09:30:12+08:00) to the minute, as a person reads it."""
    return _text(moment)[:16].replace("T", " ")


def render_history(report: HistoryReport) -> None:
    out = console()
    entries = report.entries
    invalid = report.invalid_submissions
    if not entries and not invalid:
        out.print(f"评分记录中没有社区 {_text(report.community_id)} 的评审")
        return
    latest = entries[-1].outcome if entries else invalid[-1]
    out.print(f"[bold]{_text(report.community_id)} {_text(latest.community)}[/]（{_text(latest.subdistrict)}）评审记录")
    if entries:
        columns = [Column("记录号", justify="right"), Column("年度"), Column("结论"), Column("总分", justify="right"),
                   Column("否决项", keep=2), Column("是否有效"), Column("评审日期", keep=1),
                   Column("说明", wrap=True, keep=2, min_width=12), Column("评分时间", keep=3),
                   Column("标准版本", keep=3), Column("SHA-256", keep=4), Column("佐证材料", keep=3),
                   Column("文件", wrap=True, keep=4, min_width=16)]  # fmt: skip
        table = []
        for entry in entries:
            o, record = entry.outcome, entry.outcome.stored
            # the state stays on one line (scripts and people look for 已被 #N 取代); why goes in 说明
            if record.void_reason:
                state, why = "[red]已作废[/]", _text(record.void_reason)
            else:
                state = "[green]当前[/]" if record.current else f"[dim]已被 #{record.superseded_by} 取代[/]"
                why = _text(entry.superseded_reason)
            dated = (
                o.review_date.isoformat()
                if o.review_date
                else (f"未填（按 {entry.dated.isoformat()} 计）" if entry.dated else "")
            )
            table.append([f"#{record.id}", str(o.year), _verdict_label(o.verdict), f"{as_float(o.total):.1f}",
                          "、".join(_text(v) for v in o.vetoes), state, dated, why, _minute(record.scored_at),
                          _text(o.rubric_version), _text(entry.sha256)[:12],
                          f"{len(o.evidence)} 个" if o.evidence else "无", _text(o.file)])  # fmt: skip
        render_table(out, FittedTable(columns, table))
        for entry in entries:
            o, record = entry.outcome, entry.outcome.stored
            if record.current and o.evidence:
                out.print(f"\n[bold]佐证材料[/]（#{record.id}，{o.year} 年度当前评审，共 {len(o.evidence)} 个文件）")
                columns = [Column("编号", keep=1), Column("文件", wrap=True, min_width=16), Column("大小", justify="right"),
                           Column("修改时间", keep=2), Column("SHA-256", keep=3)]  # fmt: skip
                rows = [["、".join(f.codes) or "—", _text(f.path), size_text(f.size), _minute(f.modified),
                         f.sha256[:12]] for f in o.evidence]  # fmt: skip
                render_table(out, FittedTable(columns, rows))
    if invalid:
        out.print("\n[bold]无效的评分表[/]（未计入评审记录）")
        columns = [Column("年度"), Column("提交时间", keep=2), Column("第一个错误", wrap=True, min_width=16),
                   Column("文件", wrap=True, keep=1, min_width=16)]  # fmt: skip
        table = [[str(i.year or "?"), _minute(i.seen_at), _text(i.first_error), _text(i.file_path)]
                 for i in invalid]  # fmt: skip
        render_table(out, FittedTable(columns, table))
    named = report.conferrals
    if named:
        out.print("\n[bold]市级命名[/]（命名日期即称号日期）")
        columns = [
            Column("年度"),
            Column("命名日期"),
            Column("文号", wrap=True, min_width=16),  # a 文号 such as 秦创绿〔2023〕5号 reads whole
            Column("记录时间", keep=2),
        ]
        table = [[str(c.year), c.day.isoformat(), _text(c.document), _minute(c.recorded_at)] for c in named]
        render_table(out, FittedTable(columns, table))


def render_notice(report: NoticeReport) -> None:
    out = console()
    listed = report.communities
    count = f"列出 {len(listed)} 个社区" if listed else "名单为空，文书中写明“无”"
    out.print(f"已写出 {report.year} 年度{_text(report.kind)}：{_text(report.out)}（{count}）", soft_wrap=True)


def render_confer(report: ConferReport) -> None:
    out = console()
    columns = [
        Column("乡街"),
        Column("社区编码"),
        Column("社区名称", wrap=True, whole=True, keep=2, min_width=8),
        Column("年度"),
        Column("命名日期"),
        Column("文号", wrap=True, min_width=16),  # a 文号 such as 秦创绿〔2023〕5号 reads whole
        Column("原称号日期", keep=1),
    ]
    rows = [[_text(c.subdistrict), _text(c.community_id), _text(c.community), str(c.year), c.day.isoformat(),
             _text(c.document), c.review_date.isoformat() if c.review_date else ""] for c in report.conferred]  # fmt: skip
    out.print(f"[bold]已记录市级命名 {len(rows)} 个[/]：此后这些社区的称号日期为命名日期")
    render_table(out, FittedTable(columns, rows))


def render_rollup(report: RollupReport) -> None:
    """One line for a person reading cron's mail; the log has the details."""
    r = report
    sys.stdout.write(
        f"{r.year} 年度，找到 {r.found} 份：新增 {r.new}，修改 {r.changed}，未变 {r.unchanged}，无效 {r.invalid}，"
        f"跳过 {r.skipped}；汇总工作簿：{_plain(r.out)}\n"
    )


def render_export(report: ExportReport) -> None:
    out = console()
    for table in report.tables:
        out.print(f"{_text(table.name)}：{table.rows} 行 → {_text(table.path)}", soft_wrap=True)
    out.print(f"{report.year} 年度数据已导出：{_text(report.out)}", soft_wrap=True)


def render_void(report: VoidReport) -> None:
    out = console()
    o, record = report.voided, report.voided.stored
    when = _minute(record.voided_at) if record.voided_at else ""
    out.print(f"已作废记录 #{record.id}（{_text(o.community_id)} {_text(o.community)}，{o.year} 年）："
              f"{_text(record.void_reason)}" + (f"（{when} 作废）" if when else ""), soft_wrap=True)  # fmt: skip
    if report.current is not None:
        out.print(f"该社区 {o.year} 年的当前记录现为 #{report.current.stored.id}")
    else:
        out.print(f"该社区 {o.year} 年已没有有效的评审记录")


def _missing_text(missing: Sequence[tuple[str, str]]) -> str:
    """缺少 18.2、20.1（评分方式不同，且没有对应关系）: each reason once, with the codes it concerns."""
    by_why: dict[str, list[str]] = {}
    for code, why in missing:
        by_why.setdefault(_text(why), []).append(_text(code))
    return "；".join(why if codes == ["*"] else f"缺少 {'、'.join(codes)}（{why}）" for why, codes in by_why.items())


def render_rescore(report: RescoreReport) -> None:
    out = console()
    version = _text(report.version)
    columns = [Column("社区编码"), Column("社区名称", wrap=True, whole=True, keep=2, min_width=8), Column("原版本", keep=1),
               Column("原结论"), Column("原总分", justify="right"), Column("新结论"), Column("新总分", justify="right"),
               Column("说明", wrap=True, keep=1, min_width=12)]  # fmt: skip
    changes = report.changes
    blocked = [c for c in changes if c.after is None]
    shared = {_missing_text(c.missing) for c in blocked}
    once = len(blocked) > 1 and len(shared) == 1 and "" not in shared  # the same gap everywhere: said once, below
    rows = []
    for c in changes:
        before, after = c.before, c.after
        note = (
            "见表下" if once and after is None
            else _missing_text(c.missing) or "；".join(_text(i) for i in c.issues_after)
        )  # fmt: skip
        rows.append([_text(before.community_id), _text(before.community), _text(before.rubric_version),
                     VERDICT_LABEL[before.verdict.value], _score(as_float(before.total)),
                     VERDICT_LABEL[after.verdict.value] if after else "无法评分",
                     _score(as_float(after.total) if after else None), note])  # fmt: skip
    out.print(f"[bold]{report.year} 年度按评分标准 {version} 重新评分[/]")
    if not rows:
        out.print("该年度没有按其他版本记录的当前评审，无需重新评分")
        return
    render_table(out, FittedTable(columns, rows))
    if once:
        out.print(f"表中 {len(blocked)} 个社区无法评分，原因相同：{shared.pop()}", soft_wrap=True)
    scorable = len(changes) - len(blocked)
    cannot = f"{len(blocked)} 个无法按 {version} 评分，原记录不变" if blocked else ""
    if report.applied:
        if report.recorded:
            done = f"已记录新的评分 {report.recorded} 条（原记录保留在历史中，已被取代）"
        elif scorable:
            done = f"可重新评分的 {scorable} 个此前已按 {version} 记录过，未重复记录"
        else:
            done = "没有记录新的评分"
        out.print(done + (f"；{cannot}" if cannot else ""), soft_wrap=True)
    elif scorable:
        out.print(f"预览：可重新评分 {scorable} 个" + (f"，{cannot}" if cannot else "")
                  + f"；未记录任何内容，确认后加 --apply 记录这 {scorable} 条新评分", soft_wrap=True)  # fmt: skip
    else:
        out.print(f"预览：{cannot}；没有可记录的新评分（加 --apply 也不会记录）", soft_wrap=True)


def render_roster(report: RosterReport) -> None:
    out = console()
    if report.year is None:
        if not report.kept:
            out.print(
                "评分记录库中还没有存入社区名单（score、rollup、progress 等命令用 --roster 指定名单时存入，作为该年度的名单）"
            )
            return
        columns = [Column("年度"), Column("社区数", justify="right"), Column("城市社区", justify="right"),
                   Column("存入时间", keep=1), Column("名单文件", wrap=True, keep=2, min_width=16)]  # fmt: skip
        rows = [[str(k.year), str(len(k.communities)), str(k.urban), _minute(k.stored_at), _text(k.source)]
                for k in report.kept]  # fmt: skip
        out.print(f"[bold]评分记录库存有 {len(rows)} 个年度的社区名单[/]")
        out.print("某年度没有存入名单时，沿用之前最近一年的名单")
        render_table(out, FittedTable(columns, rows))
        return
    kept = report.serving
    if kept is None:
        out.print(f"评分记录库中没有 {report.year} 年及以前的社区名单：请在该年度的命令中用 --roster 指定")
        return
    out.print(f"[bold]{report.year} 年度的社区名单[/]：{len(kept.communities)} 个社区，其中城市社区 {kept.urban} 个")
    if kept.year != report.year:
        out.print(f"{report.year} 年没有存入名单，沿用 {kept.year} 年的名单")
    out.print(f"存入时间：{_minute(kept.stored_at)}；名单文件：{_text(kept.source) or '（由 Python 接口给出）'}")
    columns = [Column("序号", justify="right"), Column("乡街"), Column("社区编码"),
               Column("社区名称", wrap=True, whole=True, keep=2, min_width=8), Column("类型")]  # fmt: skip
    rows = [[str(n), _text(c.subdistrict), _text(c.code), _text(c.name), _text(c.kind)]
            for n, c in enumerate(kept.communities, start=1)]  # fmt: skip
    render_table(out, FittedTable(columns, rows))


def render_city(report: CityReport) -> None:
    out = console()
    target = f"目标：城市社区达标率 ≥ {percent_text(report.target)}" if report.target is not None else "本年度没有目标"
    out.print(f"[bold]{report.year}年度全市绿色社区创建进度[/]  {target}")
    columns = [Column("县（区）"), Column("城市社区", justify="right"), Column("持有称号", justify="right"),
               Column("达标率", justify="right"), Column("是否达到"), Column("还差", justify="right")]  # fmt: skip
    rows = []
    for d in report.districts:
        t = d.tally
        if t is None:
            rows.append([_text(d.district), "—", "—", "—", "未存入名单", "—"])
            continue
        rows.append([_text(d.district), str(t.urban), str(t.holders), percent_text(t.rate), MET.get(t.met, ""),
                     "" if t.gap is None else str(t.gap)])  # fmt: skip
    rows.append(["[bold]全市[/]", str(report.urban), str(report.holders), percent_text(report.rate), "", ""])
    render_table(out, FittedTable(columns, rows))
    if any(d.tally is None for d in report.districts):
        out.print("未存入名单的县（区）不计入全市合计：请该县（区）在本年度的命令中用 --roster 指定一次名单")


TABLE_NAMES = {"evaluations": "评审记录", "invalid_submissions": "无效评分表", "conferrals": "市级命名",
               "rosters": "各年度名单", "files": "收件箱文件", "outputs": "汇总工作簿"}  # fmt: skip


def render_copy(report: CopyReport) -> None:
    out = console()
    out.print(f"[bold]已复制到共用评分记录库[/]（县（区）{_text(report.district)}）：新增 {report.added} 条")
    out.print(f"来源：{_text(report.source)}")
    out.print(f"目标：{_text(report.target)}")
    columns = [Column("内容"), Column("新增", justify="right"), Column("已有", justify="right")]
    rows = [[TABLE_NAMES.get(name, name), str(added), str(already)] for name, added, already in report.tables]
    render_table(out, FittedTable(columns, rows))


def render_booklet(report: BookletReport) -> None:
    r = report.rubric
    sys.stdout.write(f"已写出评分标准手册（{r.version} 版，{len(r.items)} 项）：{_plain(report.out)}\n")


def render_evidence(report: EvidenceReport) -> None:
    out = console()
    columns = [Column("乡街"), Column("社区编码"), Column("社区名称", wrap=True, whole=True, keep=2, min_width=8),
               Column("记录号", justify="right", keep=3), Column("佐证材料", justify="right"),
               Column("合计大小", justify="right", keep=3),
               Column("缺少资料的项目", wrap=True, min_width=12)]  # fmt: skip
    rows = []
    for c in report.communities:
        o = c.outcome
        lacking = (c.lacking_text or "无") if o.evidence else "未登记佐证材料"
        rows.append([_text(o.subdistrict), _text(o.community_id), _text(o.community), f"#{o.stored.id}",
                     f"{len(o.evidence)} 个", size_text(c.size) if o.evidence else "—", lacking])  # fmt: skip
    out.print(f"[bold]{report.year} 年度佐证材料台账[/]（{len(report.communities)} 个社区）")
    render_table(out, FittedTable(columns, rows))
    files = sum(len(c.outcome.evidence) for c in report.communities)
    short = sum(1 for c in report.communities if c.binder.lacking)
    out.print(f"共 {files} 个佐证材料文件；{short} 个社区有考评方式要求查阅资料、但没有佐证材料的项目")
    if report.out is not None:
        out.print(f"台账目录：{_text(report.out)}", soft_wrap=True)
