"""The consolidated district workbook (绿色社区汇总.xlsx), streamed and written to a temporary file first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from greencli.adapters.files import atomic_target
from greencli.adapters.template import text_width
from greencli.core.issues import issue_title
from greencli.core.outcome import Outcome
from greencli.core.report import gaps, ranks, subdistrict_stats, unit_losses
from greencli.core.rubric import Rubric
from greencli.core.values import fmt

CHINESE_NUMERALS = "一二三四五六七八九十"
MAX_WIDTH = 60


@dataclass
class _Table:
    """A sheet as data: headers, rows of cells, and per-column kinds for formatting."""

    name: str
    headers: list[str]
    rows: list[list[Any]]
    kinds: list[str]  # text | number | score | percent | int
    freeze_cols: int = 0
    note: str = ""  # printed two rows below the table, outside its filter


class _Writer:
    def __init__(self, wb: Any) -> None:
        self.wb = wb
        base = {"font_name": "宋体", "font_size": 10, "valign": "top"}
        self.formats: dict[str, Format] = {
            "header": wb.add_format({**base, "bold": True, "bg_color": "#D9E1F2", "text_wrap": True, "border": 1,
                                     "valign": "vcenter", "align": "center"}),
            "text": wb.add_format({**base, "num_format": "@"}),
            "wrap": wb.add_format({**base, "num_format": "@", "text_wrap": True}),
            "score": wb.add_format({**base, "num_format": "0.0"}),
            "number": wb.add_format({**base, "num_format": "0.00"}),
            "int": wb.add_format({**base, "num_format": "0"}),
            "percent": wb.add_format({**base, "num_format": "0.0%"}),
        }  # fmt: skip
        self.good = wb.add_format({"font_color": "#006100", "bg_color": "#C6EFCE"})
        self.bad = wb.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"})
        self.grey = wb.add_format({"font_color": "#595959", "bg_color": "#EDEDED"})

    def table(self, t: _Table) -> Worksheet:
        ws = self.wb.add_worksheet(t.name)
        for col, header in enumerate(t.headers):
            kind = t.kinds[col]
            widest = text_width(header.split("\n")[0]) + 2
            if kind in ("text", "wrap"):  # numbers print at a fixed width; only text needs measuring
                widest = max([widest, *(text_width(_shown(r[col])) + 2 for r in t.rows)])
            else:
                widest = max(widest, 9)
            ws.set_column(col, col, min(MAX_WIDTH, max(6, widest)), self.formats["wrap" if kind == "wrap" else "text"]
                          if kind in ("text", "wrap") else None)  # fmt: skip
        ws.set_row(0, 32)
        for col, header in enumerate(t.headers):
            ws.write_string(0, col, header, self.formats["header"])
        for r, row in enumerate(t.rows, start=1):
            for col, value in enumerate(row):
                kind = t.kinds[col]
                if value is None or value == "":
                    continue
                if kind in ("text", "wrap"):
                    ws.write_string(r, col, str(value), self.formats[kind])  # text is text, never a formula
                else:
                    ws.write_number(r, col, float(value), self.formats[kind])
        ws.freeze_panes(1, t.freeze_cols)
        ws.autofilter(0, 0, max(1, len(t.rows)), len(t.headers) - 1)
        if t.note:
            ws.write_string(len(t.rows) + 2, 0, t.note, self.formats["text"])
        return ws

    def verdict_colours(self, ws: Worksheet, col: int, rows: int) -> None:
        if rows == 0:
            return
        span = (1, col, rows, col)
        ws.conditional_format(*span, {"type": "cell", "criteria": "==", "value": '"达标"', "format": self.good})
        for word in ("未达标", "否决"):
            ws.conditional_format(*span, {"type": "cell", "criteria": "==", "value": f'"{word}"', "format": self.bad})
        ws.conditional_format(*span, {"type": "cell", "criteria": "==", "value": '"无效"', "format": self.grey})


def _shown(value: Any) -> str:
    if isinstance(value, float | int | Decimal):
        return f"{value:.1f}"
    return "" if value is None else str(value).split("\n")[0]


def _category_headers(rubric: Rubric) -> list[str]:
    return [f"{CHINESE_NUMERALS[c.number - 1]}、{c.name}（{fmt(c.points)}）" for c in rubric.categories]


def summary_table(outcomes: Sequence[Outcome], rubric: Rubric) -> _Table:
    ranked = ranks(outcomes)
    headers = ["乡街", "社区编码", "社区名称", "评审年度", "评审日期", "评审人员", *_category_headers(rubric), "加分", "总分", "结论",
               "否决项", "乡街排名", "全区排名", "说明", "源文件"]  # fmt: skip
    rows = []
    for o in outcomes:
        local, district = ranked.get(o.file, (None, None))
        cats = [(o.categories or {}).get(c.number) if o.scored else None for c in rubric.categories]
        if o.superseded:
            note = "本批另有更新的评分表，本份不计入"
        elif o.off_year:
            note = "评审年度与本批统计年度不同，已记入该年度，不计入本表统计和排名"
        elif not o.scored:
            note = f"{sum(1 for i in o.issues if i.is_error)} 处错误，见“问题清单”"
        else:
            note = ""
        rows.append([o.subdistrict, o.community_id, o.community, o.year, o.review_date.isoformat() if o.review_date else "",
                     o.reviewers, *cats, o.bonus, o.total, o.verdict.label, "、".join(o.vetoes), local, district, note, o.file])  # fmt: skip
    n = len(rubric.categories)
    kinds = ["text", "text", "text", "int", "text", "text", *["score"] * n, "score", "score", "text", "text", "int", "int",
             "text", "text"]  # fmt: skip
    return _Table("汇总", headers, rows, kinds, freeze_cols=3)


def items_table(outcomes: Sequence[Outcome], rubric: Rubric) -> _Table:
    headers = ["乡街", "社区编码", "社区名称", *(f"{i.number}\n{i.content[:12]}（{fmt(i.points)}）" for i in rubric.items),
               "总分"]  # fmt: skip
    rows = [[o.subdistrict, o.community_id, o.community, *((o.items or {}).get(i.number) for i in rubric.items), o.total]
            for o in outcomes if o.counts]  # fmt: skip
    return _Table("分项得分", headers, rows, ["text"] * 3 + ["score"] * (len(rubric.items) + 1), freeze_cols=3)


def stats_table(outcomes: Sequence[Outcome], order: Sequence[str]) -> _Table:
    headers = ["乡街", "有效评分", "达标", "未达标", "否决", "无效", "平均分", "中位数", "达标率"]
    rows = [[s.name, s.scored, s.passed, s.failed, s.vetoed, s.invalid, s.mean, s.median, s.pass_rate]
            for s in subdistrict_stats(outcomes, order)]  # fmt: skip
    note = ("说明：本表统计本批全部有效评分表，含村和农村社区；“年度进度”表只统计名单中的城市社区（达标率的分母），"
            "并按历年记录计算复审和撤销，因此两表的达标数可能不同。")  # fmt: skip
    kinds = ["text", "int", "int", "int", "int", "int", "number", "number", "percent"]
    return _Table("乡街统计", headers, rows, kinds, note=note)


def units_table(outcomes: Sequence[Outcome], rubric: Rubric) -> _Table:
    headers = ["监督指导部门", "负责项目", "全区失分", "可得总分", "失分率", "失分最多的项目"]
    rows = []
    for u in unit_losses(outcomes, rubric):
        weakest = "；".join(f"{n}.{rubric.item(n).content}（失{fmt(lost)}分）" for n, lost in u.weakest)
        rate = u.lost / u.possible if u.possible else None
        rows.append([u.unit, "、".join(str(n) for n in u.items), u.lost, u.possible, rate, weakest])
    return _Table("部门失分", headers, rows, ["text", "text", "score", "score", "percent", "wrap"])


def gaps_table(outcomes: Sequence[Outcome], rubric: Rubric) -> _Table:
    headers = ["乡街", "社区编码", "社区名称", "总分", "结论", "需先消除的否决项", f"距{fmt(rubric.pass_mark)}分还差",
               "提分空间最大的项目"]  # fmt: skip
    rows = []
    for g in gaps(outcomes, rubric):
        vetoes = "；".join(f"{code} {rubric.veto(code).name}" for code in g.vetoes)
        gain = "；".join(f"{n}.{rubric.item(n).content}（可提{fmt(pts)}分）" for n, pts in g.to_gain)
        o = g.outcome
        rows.append([o.subdistrict, o.community_id, o.community, o.total, o.verdict.label, vetoes, g.short, gain])
    return _Table("达标差距", headers, rows, ["text", "text", "text", "score", "text", "wrap", "score", "wrap"])


def issues_table(outcomes: Sequence[Outcome]) -> _Table:
    headers = ["文件", "社区编码", "工作表", "单元格", "编号", "问题类型", "问题代码", "严重程度", "说明"]
    rows = [[o.file, o.community_id, i.sheet or "", i.cell or "", i.subject or "", issue_title(i.code), i.code,
             "错误" if i.is_error else "提醒", i.message] for o in outcomes for i in o.issues]  # fmt: skip
    return _Table("问题清单", headers, rows, ["text"] * 8 + ["wrap"])


def write_district_workbook(path: Path, outcomes: Sequence[Outcome], rubric: Rubric, order: Sequence[str] = ()) -> None:
    """Write all six sheets; readers never see a half-written file."""
    with atomic_target(path) as target:
        build_district_workbook(target, outcomes, rubric, order)


def build_district_workbook(
    target: Path, outcomes: Sequence[Outcome], rubric: Rubric, order: Sequence[str] = ()
) -> None:
    """Write the six sheets straight to `target` (a temporary file the caller renames into place)."""
    ordered = sorted(outcomes, key=lambda o: (_sub_key(o.subdistrict, order), o.community_id, o.file))
    wb = xlsxwriter.Workbook(str(target), {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_numbers": False, "strings_to_urls": False})  # fmt: skip
    wb.set_properties({"title": "绿色社区评审汇总", "subject": rubric.title, "author": "greencli"})
    writer = _Writer(wb)
    summary = summary_table(ordered, rubric)
    ws = writer.table(summary)
    writer.verdict_colours(ws, summary.headers.index("结论"), len(summary.rows))
    items = items_table(ordered, rubric)
    ws = writer.table(items)
    for col, item in enumerate(rubric.items, start=3):
        if items.rows:
            ws.conditional_format(1, col, len(items.rows), col, {
                "type": "3_color_scale", "min_type": "num", "min_value": 0, "mid_type": "num",
                "mid_value": float(item.points) / 2, "max_type": "num", "max_value": float(item.points),
                "min_color": "#F8696B", "mid_color": "#FFEB84", "max_color": "#63BE7B"})  # fmt: skip
    writer.table(stats_table(ordered, order))
    writer.table(units_table(ordered, rubric))
    writer.table(gaps_table(ordered, rubric))
    writer.table(issues_table(ordered))
    wb.close()


def _sub_key(name: str, order: Sequence[str]) -> tuple[int, str]:
    return (order.index(name), "") if name in order else (len(order), name)
