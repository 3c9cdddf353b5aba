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
