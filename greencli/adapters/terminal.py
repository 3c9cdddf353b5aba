"""Rendering to the terminal with rich. Colours and progress only on a terminal; plain text elsewhere."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TimeRemainingColumn
from rich.progress import Progress as Bar
from rich.table import Table

# Piped output (cron logs, files) has no terminal width; wide tables stay readable at this width.
PIPE_WIDTH = 160


def console() -> Console:
    probe = Console()
    width = None if probe.is_terminal else max(PIPE_WIDTH, probe.width if "COLUMNS" in os.environ else 0)
    return Console(highlight=False, soft_wrap=False, width=width)


def _dumps(value: Any, indent: str = "") -> str:
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)


def _lazy(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, list | tuple | str | bytes)


def print_json(document: Any) -> None:
    """Machine output: UTF-8 JSON with Chinese kept readable, one document on stdout.

    A lazy sequence in the document (score's results) is written item by item, so thousands of results are
    never held as one string or one list.
    """
    out = sys.stdout
    if not (isinstance(document, dict) and any(_lazy(v) for v in document.values())):
        out.write(_dumps(document) + "\n")
        return
    out.write("{")
    for n, (key, value) in enumerate(document.items()):
        out.write(("," if n else "") + f"\n  {_dumps(key)}: ")
        if _lazy(value):
            out.write("[")
            for i, item in enumerate(value):
                out.write(("," if i else "") + "\n    " + _dumps(item, "    "))
            out.write("\n  ]")
        else:
            out.write(_dumps(value, "  "))
    out.write("\n}\n")


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else f"{value:g}"


def render_rubric(doc: dict[str, Any]) -> None:
    out = console()
    out.print(f"[bold]{doc['title']}[/]  （{doc['id']} 版本 {doc['version']}，来源：{doc['source']}）")
    table = Table(show_lines=False, header_style="bold")
    for column in ("类别", "项", "内容", "分值", "评分行"):
        table.add_column(column, overflow="fold")
    for category in doc["categories"]:
        for n, item in enumerate(category["items"]):
            rows = " ".join(f"{r['code']}({r['kind']})" for r in item["rows"])
            label = f"{category['number']}. {category['name']}（{_num(category['points'])}分）" if n == 0 else ""
            table.add_row(label, str(item["number"]), item["content"], _num(item["points"]), rows)
    out.print(table)
    vetoes = "；".join(f"{v['code']} {v['name']}" for v in doc["vetoes"])
    targets = "，".join(f"{t['year']}年 ≥{t['rate'] * 100:g}%" for t in doc["targets"])
    out.print(
        f"加分项 {doc['bonus']['code']}：最高 {_num(doc['bonus']['max'])} 分，总分不超过 {_num(doc['max_total'])} 分"
    )
    out.print(f"否决项：{vetoes}")
    out.print(f"达标线：总分 ≥ {_num(doc['pass_mark'])} 且无否决项；年度目标：{targets}")


def render_templates(doc: dict[str, Any], quiet: bool) -> None:
    files = doc["files"]
    if quiet:
        for f in files:
            if f["status"] != "exists":
                sys.stdout.write(f["path"] + "\n")
        return
    out = console()
    labels = {"written": "[green]已生成[/]", "overwritten": "[yellow]已覆盖[/]", "exists": "[dim]已存在，未覆盖[/]"}
    if files and files[0]["community_id"] is not None:
        table = Table(title=f"{doc['year']}年度评分表", header_style="bold")
        for column in ("乡街", "社区编码", "社区名称", "文件", "状态"):
            table.add_column(column, overflow="fold")
        for f in files:
            table.add_row(f["subdistrict"], f["community_id"], f["community"], f["path"], labels[f["status"]])
        out.print(table)
    else:
        for f in files:
            out.print(f"{labels[f['status']]}  {f['path']}")
    summary = f"共 {len(files)} 份：生成 {doc['written']}"
    if doc["kept"]:
        summary += f"，已存在未覆盖 {doc['kept']}（加 --force 覆盖）"
    if doc["not_urban"]:
        summary += f"；非城市社区 {len(doc['not_urban'])} 个，不生成评分表"
    out.print(summary + f"。输出目录：{doc['out']}")


VERDICT_STYLE = {"pass": "bold green", "fail": "yellow", "veto": "bold red", "invalid": "dim"}
VERDICT_LABEL = {"pass": "达标", "fail": "未达标", "veto": "否决", "invalid": "无效"}
CATEGORY_COLUMNS = ("一", "二", "三", "四", "五")


def _score(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def render_score(doc: dict[str, Any]) -> None:
    """The batch as a table grouped by 乡街, then each problem file's issues, then one summary line."""
    out = console()
    results = doc["results"]
    table = Table(header_style="bold", show_lines=False)
    for column in ("乡街", "社区编码", "社区名称", *CATEGORY_COLUMNS, "加分", "总分", "结论", "否决项"):
        numeric = column in CATEGORY_COLUMNS or column in ("加分", "总分")
        table.add_column(column, justify="right" if numeric else "left", overflow="fold")
    previous = None
    for r in results:
        if previous is not None and r["subdistrict"] != previous:
            table.add_section()
        previous = r["subdistrict"]
        cats = r["categories"] or {}
        verdict = r["verdict"]
        label = f"[{VERDICT_STYLE[verdict]}]{VERDICT_LABEL[verdict]}[/]" + ("（被取代）" if r["superseded"] else "")
        table.add_row(
            r["subdistrict"] or "?", r["community_id"] or "?", r["community"] or _file_name(r["file"]),
            *(_score(cats.get(str(n))) for n in range(1, 6)), _score(r["bonus"]), _score(r["total"]), label,
            "、".join(r["vetoes"]),
        )  # fmt: skip
    out.print(table)
    for r in results:
        problems = r["errors"] + r["warnings"]
        if not problems:
            continue
        title = "[bold red]无效[/]" if r["verdict"] == "invalid" else "[yellow]提醒[/]"
        out.print(f"\n{title}  {r['file']}")
        for issue in problems:
            where = (
                f"{issue['sheet']}!{issue['cell']}"
                if issue["sheet"] and issue["cell"]
                else issue["sheet"] or "（文件）"
            )
            mark = "[red]✗[/]" if issue["severity"] == "error" else "[yellow]![/]"
            out.print(f"  {mark} {where:<12} {issue['code']:<6} {issue['message']}", soft_wrap=True)
    s = doc["summary"]
    line = f"\n{s['files']} 份：达标 {s['pass']}，未达标 {s['fail']}，否决 {s['veto']}，无效 {s['invalid']}"
    if s["superseded"]:
        line += f"（其中 {s['superseded']} 份被同批更新的评分表取代）"
    out.print(line)
    for key, text in (("unmatched", "没有匹配到文件"), ("skipped", "已跳过锁定/临时文件")):
        if doc.get(key):
            out.print(f"[yellow]{text}：[/]" + "、".join(doc[key]))
    if doc.get("dry_run"):
        out.print("[dim]试运行（--dry-run）：未写入评分记录库和汇总工作簿。[/]")
    else:
        out.print(f"评分记录：新增 {doc['recorded']} 条，已有 {doc['already']} 条（{doc['db']}）")
        out.print(f"汇总工作簿：{doc['out']}")


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
                "absent": "dim"}  # fmt: skip
BAR_WIDTH = 20


def rate_bar(rate: float | None, target: float | None, width: int = BAR_WIDTH) -> str:
    """The achievement rate as a bar with the target marked: ██████░░░│░░░ 45%."""
    if rate is None:
        return ""
    filled = round(rate * width)
    cells = ["█" if i < filled else "░" for i in range(width)]
    if target is not None:
        mark = min(width - 1, round(target * width))
        cells[mark] = "[bold]│[/]" if cells[mark] == "░" else "[bold]┃[/]"
    colour = "green" if target is not None and rate >= target else ("yellow" if target is not None else "cyan")
    return f"[{colour}]{''.join(cells)}[/] {rate:.0%}"


def _tally_row(t: dict[str, Any], target: float | None) -> list[str]:
    met = {True: "[green]达到[/]", False: "[red]未达到[/]", None: "—"}[t["met"]]
    return [str(t["urban"]), str(t["evaluated"]), str(t["passed"]), str(t["holders"]), str(t["pending"]),
            str(t["revoked"]), rate_bar(t["rate"], target), met, "" if t["gap"] is None else str(t["gap"])]  # fmt: skip


def render_progress(doc: dict[str, Any]) -> None:
    out = console()
    target = doc["target"]
    goal = "无（试点年）" if target is None else f"{target:.0%}"
    out.print(f"[bold]{doc['year']}年度绿色社区创建进度[/]  目标：城市社区达标率 ≥ {goal}")
    table = Table(header_style="bold")
    for column in ("乡街", "城市社区", "本年评审", "本年达标", "持有称号", "待复审", "撤销", "达标率（│为目标）", "是否达到",
                   "还差", "本年新申报"):  # fmt: skip
        table.add_column(column, justify="left" if column in ("乡街", "达标率（│为目标）") else "right")
    for t in doc["subdistricts"]:
        nominations = t.get("nominations")
        flag = " [yellow]![/]" if t.get("nomination_warning") else ""
        table.add_row(t["name"], *_tally_row(t, target), f"{nominations}{flag}")
    table.add_section()
    table.add_row("[bold]全区[/]", *_tally_row(doc["district"], target), "")
    out.print(table)
    by_code = {c["community_id"]: c for c in doc["communities"]}
    for key, title in (("overdue", "逾期未复审（称号暂保留）"), ("revoked", "复审未通过，撤销称号")):
        if doc[key]:
            out.print(f"\n[bold]{title}[/]：" + "、".join(f"{c}（{by_code[c]['community']}）" for c in doc[key]))
    eligible = [c for c in doc["communities"] if c["provincial_eligible"]]
    if eligible:
        out.print(
            "\n[bold]可申报省级绿色社区[/]：" + "、".join(f"{c['community_id']}（{c['community']}）" for c in eligible)
        )
    if doc["candidates"]:
        gap = doc["district"]["gap"]
        head = (
            "\n[bold]冲刺名单[/]（未持有称号的城市社区，按距离达标由近到远"
            + (f"；全区还差 {gap} 个" if gap else "")
            + "）"
        )
        out.print(head)
        sprint = Table(header_style="bold")
        for column in ("乡街", "社区编码", "社区名称", "年末状态", "最近总分", "需消除的否决项", "距80分还差"):
            sprint.add_column(column)
        for c in doc["candidates"]:
            short = "" if c["points_short"] is None else f"{c['points_short']:g}"
            sprint.add_row(c["subdistrict"], c["community_id"], c["community"],
                           f"[{STATUS_STYLE[c['status']]}]{c['status_label']}[/]",
                           "" if c["total"] is None else f"{c['total']:.1f}", "、".join(c["vetoes"]), short)  # fmt: skip
        out.print(sprint)
    villages = [c for c in doc["communities"] if not c["urban"]]
    if villages:
        out.print(f"\n非城市社区 {len(villages)} 个（不计入目标）：" + "、".join(c["community"] for c in villages))
    for warning in doc["warnings"]:
        out.print(f"[yellow]提醒：[/]{warning}")
    if doc.get("out"):
        out.print(f"\n进度工作簿：{doc['out']}")


def render_history(doc: dict[str, Any]) -> None:
    out = console()
    rows = doc["evaluations"]
    if not rows:
        out.print(f"评分记录中没有社区 {doc['community_id']} 的评审")
        return
    out.print(f"[bold]{doc['community_id']} {rows[-1]['community']}[/]（{rows[-1]['subdistrict']}）评审记录")
    table = Table(header_style="bold")
    for column in ("年度", "结论", "总分", "否决项", "是否有效", "评审日期", "评分时间", "标准版本", "SHA-256", "文件"):
        table.add_column(column, overflow="fold")
    for e in rows:
        state = "[green]当前[/]" if e["current"] else f"[dim]已被 #{e['superseded_by']} 取代[/]"
        table.add_row(str(e["year"]), f"[{VERDICT_STYLE[e['verdict']]}]{VERDICT_LABEL[e['verdict']]}[/]",
                      f"{e['total']:.1f}", "、".join(e["vetoes"]), state, e["review_date"] or "",
                      e["scored_at"][:19].replace("T", " "), e["rubric_version"], e["sha256"][:12], e["file"])  # fmt: skip
    out.print(table)


def render_rollup(doc: dict[str, Any]) -> None:
    """One line for a person reading cron's mail; the log has the details."""
    sys.stdout.write(
        f"找到 {doc['found']} 份：新增 {doc['new']}，修改 {doc['changed']}，未变 {doc['unchanged']}，无效 {doc['invalid']}，"
        f"跳过 {doc['skipped']}；汇总工作簿：{doc['out']}\n"
    )
