"""Rendering to the terminal with rich. Colours and progress only on a terminal; plain text elsewhere.

Every render_* function first passes its document through `_shown`: each string in it is put on one line without
control or direction characters (`core.clean.terminal_line`), so no value from a roster, a workbook, a file name or
an older ledger can move the cursor, colour the terminal, turn text around or break a table's rows, and its rich
markup is escaped, so a name such as "[/b]" is printed as typed. `print_json` writes those characters as \\u
escapes. Values are never cut here but by the table's own fitting.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, TimeRemainingColumn
from rich.progress import Progress as Bar

from greencli.adapters.tables import Column, FittedTable, cell_width, render_table, unicode_console
from greencli.core.clean import FORBIDDEN_IN_TEXT, terminal_line, visible
from greencli.core.values import percent_text

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


def _shown(value: Any, markup: bool = True) -> Any:
    """A document for the terminal (see the module's docstring): its dict keys and non-text values as they are."""
    if isinstance(value, str):
        line = terminal_line(value)
        return escape(line) if markup else line
    if isinstance(value, dict):
        return {k: _shown(v, markup) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_shown(v, markup) for v in value]
    if _lazy(value):
        return _Shown(value, markup)
    return value


class _Shown(Sequence[Any]):
    """A lazy sequence (score's results) shown item by item as it is read, never all at once."""

    def __init__(self, items: Sequence[Any], markup: bool) -> None:
        self.items, self.markup = items, markup

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: Any) -> Any:
        return _shown(self.items[index], self.markup)

    def __iter__(self) -> Iterator[Any]:
        return (_shown(item, self.markup) for item in self.items)


def _json_escape(ch: str) -> str:
    n = ord(ch)
    if n > 0xFFFF:  # a noncharacter beyond the BMP, as JSON writes it: a surrogate pair
        n -= 0x10000
        return f"\\u{0xD800 + (n >> 10):04x}\\u{0xDC00 + (n & 0x3FF):04x}"
    return f"\\u{n:04x}"


def _dumps(value: Any, indent: str = "", ascii_only: bool = False) -> str:
    text = json.dumps(value, ensure_ascii=ascii_only, indent=2).replace("\n", "\n" + indent)
    # json leaves DEL, C1, direction controls, noncharacters and lone surrogates raw; they can only be inside strings
    return FORBIDDEN_IN_TEXT.sub(lambda m: _json_escape(m.group()), text)


def _lazy(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, list | tuple | str | bytes)


def print_json(document: Any) -> None:
    """Machine output: one JSON document on stdout, Chinese kept readable on a UTF-8 stream. On any other stream
    (a GBK console, an ASCII pipe) every non-ASCII character is written as a \\uXXXX escape, so the document stays
    valid UTF-8 and loses nothing, whatever the console's encoding.

    A lazy sequence in the document (score's results) is written item by item, so thousands of results are
    never held as one string or one list.
    """
    out = sys.stdout
    encoding = (getattr(out, "encoding", None) or "utf-8").lower().replace("-", "").replace("_", "")
    ascii_only = not encoding.startswith("utf8")

    def dumps(value: Any, indent: str = "") -> str:
        return _dumps(value, indent, ascii_only)

    if not (isinstance(document, dict) and any(_lazy(v) for v in document.values())):
        out.write(dumps(document) + "\n")
        return
    out.write("{")
    for n, (key, value) in enumerate(document.items()):
        out.write(("," if n else "") + f"\n  {dumps(key)}: ")
        if _lazy(value):
            out.write("[")
            for i, item in enumerate(value):
                out.write(("," if i else "") + "\n    " + dumps(item, "    "))
            out.write("\n  ]")
        else:
            out.write(dumps(value, "  "))
    out.write("\n}\n")


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else f"{value:g}"


def render_rubric(doc: dict[str, Any]) -> None:
    doc = _shown(doc)
    out = console()
    out.print(f"[bold]{doc['title']}[/]  （版本 {doc['version']}，来源：{doc['source']}）", soft_wrap=True)
    rows: list[list[str]] = []
    sections: set[int] = set()
    for category in doc["categories"]:
        sections.add(len(rows))
        for n, item in enumerate(category["items"]):
            kinds = " ".join(f"{r['code']}{r['kind_label']}" for r in item["rows"])
            label = f"{category['number']}.{category['name']}（{_num(category['points'])}分）" if n == 0 else ""
            rows.append([label, str(item["number"]), item["content"], _num(item["points"]), kinds])
    columns = [Column("类别", wrap=True, keep=2, min_width=10), Column("项", justify="right"),
               Column("内容", wrap=True, min_width=12), Column("分值", justify="right"),
               Column("评分行", wrap=True, keep=1, min_width=10)]  # fmt: skip
    render_table(out, FittedTable(columns, rows, sections))
    vetoes = "；".join(f"{v['code']} {v['name']}" for v in doc["vetoes"])
    targets = "，".join(f"{t['year']}年 ≥{t['rate'] * 100:g}%" for t in doc["targets"])
    out.print(
        f"加分项 {doc['bonus']['code']}：最高 {_num(doc['bonus']['max'])} 分，总分不超过 {_num(doc['max_total'])} 分"
    )
    out.print(f"否决项：{vetoes}")
    out.print(f"达标线：总分 ≥ {_num(doc['pass_mark'])} 且无否决项；年度目标：{targets}")


def render_templates(doc: dict[str, Any], quiet: bool) -> None:
    if quiet:  # paths for a script: whole, one a line (a character kept out of outputs written as an escape)
        for f in doc["files"]:
            if f["status"] != "exists":
                sys.stdout.write(visible(f["path"]) + "\n")
        return
    doc = _shown(doc)
    files = doc["files"]
    out = console()
    labels = {"written": "[green]已生成[/]", "overwritten": "[yellow]已覆盖[/]", "exists": "[dim]已存在，未覆盖[/]"}
    if files and files[0]["community_id"] is not None:
        columns = [Column("乡街", keep=1), Column("社区编码"), Column("社区名称", wrap=True, whole=True, min_width=8),
                   Column("文件", wrap=True, keep=2, min_width=16), Column("状态")]  # fmt: skip
        rows = [[f["subdistrict"], f["community_id"], f["community"], f["path"], labels[f["status"]]] for f in files]
        render_table(out, FittedTable(columns, rows, title=f"{doc['year']}年度评分表"))
    else:
        for f in files:
            out.print(f"{labels[f['status']]}  {f['path']}")
    summary = f"共 {len(files)} 份：生成 {doc['written']}"
    if doc["kept"]:
        summary += f"，已存在未覆盖 {doc['kept']}（加 --force 覆盖）"
    if doc["not_urban"]:
        summary += f"；村和农村社区 {len(doc['not_urban'])} 个，不生成评分表"
    out.print(summary + f"。输出目录：{doc['out']}")


VERDICT_STYLE = {"pass": "bold green", "fail": "yellow", "veto": "bold red", "invalid": "dim"}
VERDICT_LABEL = {"pass": "达标", "fail": "未达标", "veto": "否决", "invalid": "无效"}
CHINESE_NUMERALS = "一二三四五六七八九十"


def _score(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _verdict(r: dict[str, Any]) -> str:
    if r["superseded"]:
        return "[dim]被取代[/]"
    label = f"[{VERDICT_STYLE[r['verdict']]}]{VERDICT_LABEL[r['verdict']]}[/]"
    return label + ("[dim]*[/]" if r.get("off_year") else "") + ("[dim]※[/]" if r.get("current") is False else "")


def render_score(doc: dict[str, Any]) -> None:
    """The batch as a table grouped by 乡街, then each problem file's issues, then one summary line."""
    doc = _shown(doc)
    out = console()
    results = doc["results"]
    categories = doc.get("categories") or [str(n) for n in range(1, 6)]
    # the categories and the bonus add up to 总分: a narrow terminal shows them all or none
    columns = [
        Column("乡街", keep=1), Column("社区编码"), Column("社区名称", wrap=True, whole=True, keep=2, min_width=8),
        *(Column(CHINESE_NUMERALS[int(c) - 1] if c.isdigit() and 0 < int(c) <= 10 else c, justify="right", keep=3,
                 group="总分") for c in categories),
        Column("加分", justify="right", keep=3, group="总分"), Column("总分", justify="right"), Column("结论"),
        Column("否决项", wrap=True, keep=1, min_width=6),
    ]  # fmt: skip
    rows, sections, previous = [], set(), None
    for r in results:
        if previous is not None and r["subdistrict"] != previous:
            sections.add(len(rows))
        previous = r["subdistrict"]
        cats = r["categories"] or {}
        rows.append([
            r["subdistrict"] or "?", r["community_id"] or "?", r["community"] or _file_name(r["file"]),
            *(_score(cats.get(c)) for c in categories), _score(r["bonus"]), _score(r["total"]), _verdict(r),
            "、".join(r["vetoes"]),
        ])  # fmt: skip
    render_table(out, FittedTable(columns, rows, sections))
    for r in results:
        problems = r["errors"] + r["warnings"]
        if not problems:
            continue
        title = "[bold red]无效[/]" if r["verdict"] == "invalid" else "[yellow]提醒[/]"
        out.print(f"\n{title}  {r['file']}", soft_wrap=True)
        for mark, where, code, message in _problem_lines(problems):
            out.print(f"  {mark} {_pad(where, 12)} {_pad(code, 6)} {message}".rstrip(), soft_wrap=True)
    out.print("\n" + summary_line(doc["summary"]), soft_wrap=True)
    if doc.get("year") is not None:
        years = doc.get("years") or {}
        how = "（--year 指定）" if doc.get("year_source") == "option" else "（本批多数评分表的评审年度）"
        line = f"统计年度：{doc['year']}{how}"
        others = {y: n for y, n in years.items() if str(y) != str(doc["year"])}
        if others:
            shown = "，".join(f"{y} 年 {n} 份" for y, n in others.items())
            line += f"；[yellow]本批还有其他年度的评分表：{shown}，已按各自年度记录，不计入本批统计（结论后标 *）[/]"
        out.print(line, soft_wrap=True)
    elsewhere = [r for r in results if r.get("current") is False and not r["superseded"]]
    if elsewhere:
        out.print(f"[yellow]结论后标 ※ 的 {len(elsewhere)} 份已记录，但评分记录库中该社区该年度的当前记录是另一份"
                  "（见上方提醒），进度和名单以那一份为准[/]", soft_wrap=True)  # fmt: skip
    for key, text in (("unmatched", "没有匹配到文件"), ("skipped", "已跳过锁定/临时文件")):
        if doc.get(key):
            out.print(f"[yellow]{text}：[/]" + "、".join(doc[key]), soft_wrap=True)
    if doc.get("out_note"):
        out.print(f"[yellow]提示：[/]{doc['out_note']}", soft_wrap=True)
    for note in doc.get("notes", []):
        out.print(f"[yellow]提示：[/]{note}", soft_wrap=True)
    if doc.get("dry_run"):
        out.print("[dim]试运行（--dry-run）：未写入评分记录库和汇总工作簿。[/]")
    else:
        out.print(f"评分记录：新增 {doc['recorded']} 条，已有 {doc['already']} 条（{doc['db']}）", soft_wrap=True)
        out.print(f"汇总工作簿：{doc['out']}", soft_wrap=True)


def _pad(text: str, width: int) -> str:
    """Left-aligned in `width` terminal cells (a Chinese character takes two)."""
    return text + " " * max(0, width - cell_width(text))


def _problem_lines(problems: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    """A workbook's problems as lines: mark, where, row code and message. A problem of the whole file or sheet is
    said once, by its message (its Chinese title would repeat it); the sheets missing from a file that is not a form
    are named on one line."""
    lines = []
    missing = [p for p in problems if p["issue"] == "sheet-missing"]
    for issue in problems:
        mark = "[red]✗[/]" if issue["severity"] == "error" else "[yellow]![/]"
        if issue["issue"] == "sheet-missing" and len(missing) > 1:
            if issue is missing[0]:
                sheets = "".join(f"“{p['sheet'] or p['code']}”" for p in missing)
                lines.append(
                    (mark, "（文件）", "", f"缺少工作表{sheets}：不是评分表（评分表可用 greencli template 生成）")
                )
            continue
        if issue["sheet"] and issue["cell"]:
            where = f"{issue['sheet']}!{issue['cell']}"
        else:
            where = issue["sheet"] or "（文件）"
        # a row code (7.3, V1, B) says where; anything else (a sheet, a field) is said by the message itself
        code = issue["code"] if ROW_CODE.fullmatch(issue["code"] or "") else ""
        lines.append((mark, where, code, issue["message"]))
    return lines


def summary_line(s: dict[str, int]) -> str:
    """`34 份：达标 26，未达标 2，否决 2，无效 3，被取代 1`: every file counted once, so the parts add up."""
    line = f"{s['files']} 份：达标 {s['pass']}，未达标 {s['fail']}，否决 {s['veto']}，无效 {s['invalid']}"
    if s.get("superseded"):
        line += f"，被同批更新的评分表取代 {s['superseded']}"
    return line


def _file_name(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


class Progress:
    """A progress bar on stderr, only when stderr is a terminal and there is enough work to watch."""

    def __init__(self, total: int, label: str = "评分") -> None:
        self.bar: Any = None
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


def _percent(rate: float | None) -> str:
    return "" if rate is None else percent_text(rate)


def _tally_cells(t: dict[str, Any]) -> list[str]:
    met = {True: "[green]达到[/]", False: "[red]未达到[/]", None: "—"}[t["met"]]
    return [str(t["urban"]), str(t["evaluated"]), str(t["passed"]), str(t["holders"]), str(t["pending"]),
            str(t.get("lapsed", 0)), str(t["revoked"]), _percent(t["rate"]), "", met,
            "" if t["gap"] is None else str(t["gap"])]  # fmt: skip


def render_progress(doc: dict[str, Any]) -> None:
    doc = _shown(doc)
    out = console()
    target = doc["target"]
    goal = "无（试点年）" if target is None else f"{target * 100:g}%"
    out.print(f"[bold]{doc['year']}年度绿色社区创建进度[/]  目标：城市社区达标率 ≥ {goal}", soft_wrap=True)
    tallies = [*doc["subdistricts"], {**doc["district"], "name": "全区"}]
    wide = unicode_console(out)
    columns = [
        Column("乡街"), Column("城市社区", justify="right", keep=1), Column("本年评审", justify="right", keep=3),
        Column("本年达标", justify="right", keep=3), Column("持有称号", justify="right"),
        Column("待复审", justify="right", keep=2), Column("逾期未复审", justify="right", keep=2),
        Column("撤销", justify="right", keep=2), Column("达标率", justify="right"),
        Column(f"进度（{'│' if wide else '|'}目标）", keep=4,
               fill=lambda w, n: bar(tallies[n]["rate"], target, w, plain=not wide)),
        Column("是否达到"), Column("还差", justify="right"), Column("本年新申报", justify="right", keep=2),
    ]  # fmt: skip
    rows = []
    for t in tallies:
        nominations = t.get("nominations")
        flag = " [yellow]![/]" if t.get("nomination_warning") else ""
        name = "[bold]全区[/]" if t is tallies[-1] else t["name"]
        rows.append([name, *_tally_cells(t), "" if nominations is None else f"{nominations}{flag}"])
    render_table(out, FittedTable(columns, rows, sections={len(rows) - 1}))
    communities = [c for c in doc["communities"] if c["urban"]]
    for status, title in (("pending", "待复审（本年应复审而未复审，称号暂保留）"), ("lapsed", "逾期未复审（称号失效）"),
                          ("revoked", "复审未通过，撤销称号")):  # fmt: skip
        chosen = [c for c in communities if c["status"] == status]
        if chosen:
            out.print(f"\n[bold]{title}[/]：" + "、".join(_who(c) for c in chosen), soft_wrap=True)
    due = doc.get("due", [])
    if due:
        overdue = [d for d in due if d["overdue"]]
        late = (
            f"（逾期 {len(overdue)} 个，本年不复审则称号失效：" + "、".join(_who(d) for d in overdue) + "）"
            if overdue
            else ""
        )
        reviewed = sum(1 for d in due if d["reviewed"])
        out.print(f"\n[bold]{doc['year']}年应复审[/] {len(due)} 个{late}，已复审 {reviewed} 个", soft_wrap=True)
    correcting = [c for c in communities if c.get("invalid_submission")]
    if correcting:
        out.print("\n[bold]待改正[/]（本年交来的评分表无效，改正后重新提交）：" + "、".join(_who(c) for c in correcting),
                  soft_wrap=True)  # fmt: skip
    by_code = {c["community_id"]: c for c in communities}
    eligible = [by_code[code] for code in doc.get("provincial", []) if code in by_code]
    if eligible:
        out.print(f"\n[bold]可申报省级绿色社区[/]（{doc['as_of']}，按择优推荐顺序）："
                  + "、".join(_who(c) for c in eligible), soft_wrap=True)  # fmt: skip
    if doc["candidates"]:
        _render_candidates(out, doc)
    villages = [c for c in doc["communities"] if not c["urban"]]
    if villages:
        out.print(f"\n村和农村社区 {len(villages)} 个（不计入目标）：" + "、".join(c["community"] for c in villages),
                  soft_wrap=True)  # fmt: skip
    for warning in doc["warnings"]:
        text = warning["message"] if isinstance(warning, dict) else warning
        out.print(f"[yellow]提醒：[/]{text}", soft_wrap=True)
    if doc.get("out_note"):
        out.print(f"[yellow]提示：[/]{doc['out_note']}", soft_wrap=True)
    if doc.get("out"):
        out.print(f"\n进度工作簿：{doc['out']}", soft_wrap=True)


def _who(c: dict[str, Any]) -> str:
    return f"{c['community_id']}（{c['community']}）"


def _render_candidates(out: Console, doc: dict[str, Any]) -> None:
    gap = doc["district"]["gap"]
    out.print(
        "\n[bold]冲刺名单[/]（未持有称号的城市社区，按距离达标由近到远" + (f"；全区还差 {gap} 个" if gap else "") + "）"
    )
    pass_mark = doc.get("pass_mark", 80)
    columns = [Column("乡街", keep=1), Column("社区编码"), Column("社区名称", wrap=True, whole=True, keep=2, min_width=8),
               Column("年末状态"), Column("最近总分", justify="right"), Column("需消除的否决项", keep=1),
               Column(f"距{pass_mark:g}分还差", justify="right")]  # fmt: skip
    rows = []
    for c in doc["candidates"]:
        short = "" if c["points_short"] is None else f"{c['points_short']:g}"
        label = c.get("display_label") or c["status_label"]
        style = STATUS_STYLE.get(c.get("display_status") or c["status"], "")
        rows.append([c["subdistrict"], c["community_id"], c["community"], f"[{style}]{label}[/]" if style else label,
                     "" if c["total"] is None else f"{c['total']:.1f}", "、".join(c["vetoes"]), short])  # fmt: skip
    render_table(out, FittedTable(columns, rows))


def render_history(doc: dict[str, Any]) -> None:
    doc = _shown(doc)
    out = console()
    rows = doc["evaluations"]
    invalid = doc.get("invalid_submissions", [])
    if not rows and not invalid:
        out.print(f"评分记录中没有社区 {doc['community_id']} 的评审")
        return
    latest = rows[-1] if rows else invalid[-1]
    out.print(f"[bold]{doc['community_id']} {latest['community']}[/]（{latest['subdistrict']}）评审记录")
    if rows:
        columns = [Column("记录号", justify="right"), Column("年度"), Column("结论"), Column("总分", justify="right"),
                   Column("否决项", keep=2), Column("是否有效"), Column("评审日期", keep=1),
                   Column("说明", wrap=True, keep=2, min_width=12), Column("评分时间", keep=3),
                   Column("标准版本", keep=3), Column("SHA-256", keep=4),
                   Column("文件", wrap=True, keep=4, min_width=16)]  # fmt: skip
        table = []
        for e in rows:
            # the state stays on one line (scripts and people look for 已被 #N 取代); why goes in 说明
            if e.get("void_reason"):
                state, why = "[red]已作废[/]", e["void_reason"]
            else:
                state = "[green]当前[/]" if e["current"] else f"[dim]已被 #{e['superseded_by']} 取代[/]"
                why = e.get("superseded_reason") or ""
            dated = e["review_date"] or (f"未填（按 {e['dated_as']} 计）" if e.get("dated_as") else "")
            table.append([f"#{e['id']}", str(e["year"]), f"[{VERDICT_STYLE[e['verdict']]}]{VERDICT_LABEL[e['verdict']]}[/]",
                          f"{e['total']:.1f}", "、".join(e["vetoes"]), state, dated, why,
                          e["scored_at"][:16].replace("T", " "), e["rubric_version"], e["sha256"][:12], e["file"]])  # fmt: skip
        render_table(out, FittedTable(columns, table))
    if invalid:
        out.print("\n[bold]无效的评分表[/]（未计入评审记录）")
        columns = [Column("年度"), Column("提交时间", keep=2), Column("第一个错误", wrap=True, min_width=16),
                   Column("文件", wrap=True, keep=1, min_width=16)]  # fmt: skip
        table = [[str(i["year"] or "?"), i["seen_at"][:16].replace("T", " "), i["first_error"], i["file"]]
                 for i in invalid]  # fmt: skip
        render_table(out, FittedTable(columns, table))
    named = doc.get("conferrals", [])
    if named:
        out.print("\n[bold]市级命名[/]（命名日期即称号日期）")
        columns = [
            Column("年度"),
            Column("命名日期"),
            Column("文号", wrap=True, min_width=16),  # a 文号 such as 秦创绿〔2023〕5号 reads whole
            Column("记录时间", keep=2),
        ]
        table = [[str(c["year"]), c["date"], c["doc"], c["recorded_at"][:16].replace("T", " ")] for c in named]
        render_table(out, FittedTable(columns, table))


def render_notice(doc: dict[str, Any]) -> None:
    doc = _shown(doc)
    out = console()
    listed = doc["communities"]
    count = f"列出 {len(listed)} 个社区" if listed else "名单为空，文书中写明“无”"
    out.print(f"已写出 {doc['year']} 年度{doc['kind']}：{doc['out']}（{count}）", soft_wrap=True)


def render_confer(doc: dict[str, Any]) -> None:
    doc = _shown(doc)
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
    rows = [[c["subdistrict"], c["community_id"], c["community"], str(c["year"]), c["date"], c["doc"],
             c["review_date"] or ""] for c in doc["conferred"]]  # fmt: skip
    out.print(f"[bold]已记录市级命名 {len(rows)} 个[/]：此后这些社区的称号日期为命名日期")
    render_table(out, FittedTable(columns, rows))


def render_rollup(doc: dict[str, Any]) -> None:
    """One line for a person reading cron's mail; the log has the details."""
    doc = _shown(doc, markup=False)
    sys.stdout.write(
        f"{doc['year']} 年度，找到 {doc['found']} 份：新增 {doc['new']}，修改 {doc['changed']}，未变 {doc['unchanged']}，无效 {doc['invalid']}，"
        f"跳过 {doc['skipped']}；汇总工作簿：{doc['out']}\n"
    )


def render_export(doc: dict[str, Any]) -> None:
    doc = _shown(doc)
    out = console()
    for table in doc["tables"]:
        out.print(f"{table['name']}：{table['rows']} 行 → {table['path']}", soft_wrap=True)
    out.print(f"{doc['year']} 年度数据已导出：{doc['out']}", soft_wrap=True)


def render_void(doc: dict[str, Any]) -> None:
    doc = _shown(doc)
    out = console()
    when = doc["voided_at"][:16].replace("T", " ") if doc.get("voided_at") else ""
    out.print(f"已作废记录 #{doc['record']}（{doc['community_id']} {doc['community']}，{doc['year']} 年）：{doc['reason']}"
              + (f"（{when} 作废）" if when else ""), soft_wrap=True)  # fmt: skip
    if doc["current"] is not None:
        out.print(f"该社区 {doc['year']} 年的当前记录现为 #{doc['current']}")
    else:
        out.print(f"该社区 {doc['year']} 年已没有有效的评审记录")


def _missing_text(missing: list[dict[str, str]]) -> str:
    """缺少 18.2、20.1（评分方式不同，且没有对应关系）: each reason once, with the codes it concerns."""
    by_why: dict[str, list[str]] = {}
    for m in missing:
        by_why.setdefault(m["why"], []).append(m["code"])
    return "；".join(why if codes == ["*"] else f"缺少 {'、'.join(codes)}（{why}）" for why, codes in by_why.items())


def render_rescore(doc: dict[str, Any]) -> None:
    doc = _shown(doc)
    out = console()
    version = doc["version"]
    columns = [Column("社区编码"), Column("社区名称", wrap=True, whole=True, keep=2, min_width=8), Column("原版本", keep=1),
               Column("原结论"), Column("原总分", justify="right"), Column("新结论"), Column("新总分", justify="right"),
               Column("说明", wrap=True, keep=1, min_width=12)]  # fmt: skip
    communities = doc["communities"]
    blocked = [c for c in communities if not c["verdict_after"]]
    shared = {_missing_text(c["missing"]) for c in blocked}
    once = len(blocked) > 1 and len(shared) == 1 and "" not in shared  # the same gap everywhere: said once, below
    rows = []
    for c in communities:
        note = (
            "见表下" if once and not c["verdict_after"] else _missing_text(c["missing"]) or "；".join(c["issues_after"])
        )
        rows.append([c["community_id"], c["community"], c["from_version"] or "", VERDICT_LABEL[c["verdict_before"]],
                     _score(c["total_before"]), VERDICT_LABEL[c["verdict_after"]] if c["verdict_after"] else "无法评分",
                     _score(c["total_after"]), note])  # fmt: skip
    out.print(f"[bold]{doc['year']} 年度按评分标准 {version} 重新评分[/]")
    if not rows:
        out.print("该年度没有按其他版本记录的当前评审，无需重新评分")
        return
    render_table(out, FittedTable(columns, rows))
    if once:
        out.print(f"表中 {len(blocked)} 个社区无法评分，原因相同：{shared.pop()}", soft_wrap=True)
    scorable = len(communities) - len(blocked)
    cannot = f"{len(blocked)} 个无法按 {version} 评分，原记录不变" if blocked else ""
    if doc["applied"]:
        if doc["recorded"]:
            done = f"已记录新的评分 {doc['recorded']} 条（原记录保留在历史中，已被取代）"
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
