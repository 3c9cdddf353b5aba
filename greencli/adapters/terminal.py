"""Rendering to the terminal with rich. Colours and progress only on a terminal; plain text elsewhere."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.table import Table


def console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def print_json(document: Any) -> None:
    """Machine output: UTF-8 JSON with Chinese kept readable, one document on stdout."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


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
