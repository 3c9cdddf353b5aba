"""The binder's index (台账目录, `greencli evidence --out`): per community the evidence files the ledger recorded with
its current evaluation of the year, by item of the standard, each with its size, time and the start of its SHA-256
(enough to check a file against the ledger by eye), then the items whose 考评方式 asks for documents but that have
none. A4 portrait, the booklet's type (宋体 10.5 pt, tables 9 pt)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm
from docx.table import _Cell

from greencli.adapters.docx_notice import set_properties
from greencli.adapters.docx_record import grid, repeat_header, shade, write_cell
from greencli.adapters.docx_standard import (
    BODY_FONT,
    HEADING_FONT,
    HEADING_SIZE,
    SMALL_SIZE,
    TITLE_SIZE,
    page_setup,
    para,
)
from greencli.adapters.files import atomic_target
from greencli.core.evidence import EvidenceFile, size_text
from greencli.core.reports import CommunityBinder, EvidenceReport

WIDTHS = (Mm(46), Mm(62), Mm(16), Mm(25), Mm(21))  # 项目, 文件, 大小, 修改日期, SHA-256: 170 mm
HEADER = ("项目", "文件", "大小", "修改日期", "SHA-256")
SHA_SHOWN = 8  # hex digits of each file's SHA-256 printed: enough to tell a file by eye (the ledger holds all 64)
OTHER = "未对应编号的材料"


def _cell(cell: _Cell, text: str, width: Mm, *, bold: bool = False) -> None:
    cell.width = width
    write_cell(cell, text, bold=bold, font=HEADING_FONT if bold else BODY_FONT)


def _files_table(doc: object, community: CommunityBinder) -> None:
    """One row per file under its section; a section's title cell spans its files."""
    sections: list[tuple[str, tuple[EvidenceFile, ...]]] = [
        (community.section_title(key), files) for key, files in community.binder.by_section.items()
    ]
    if community.binder.other:
        sections.append((OTHER, community.binder.other))
    table = grid(doc, WIDTHS)
    header = table.add_row().cells  # type: ignore[no-untyped-call]
    for cell, text, width in zip(header, HEADER, WIDTHS, strict=True):
        _cell(cell, text, width, bold=True)
        shade(cell, "D9E1F2")
    repeat_header(table)
    for title, files in sections:
        first = None
        for n, f in enumerate(files):
            cells = table.add_row().cells  # type: ignore[no-untyped-call]
            texts = (title if n == 0 else "", f.path, size_text(f.size), f.modified[:10], f.sha256[:SHA_SHOWN])
            for cell, text, width in zip(cells, texts, WIDTHS, strict=True):
                _cell(cell, text, width)
            if n == 0:
                first = cells[0]
            elif first is not None:
                first = first.merge(cells[0])


def _community(doc: object, community: CommunityBinder) -> None:
    o = community.outcome
    para(doc, (f"{o.community_id} {o.community}（{o.subdistrict}）", True), size=HEADING_SIZE, font=HEADING_FONT,
         keep=True)  # fmt: skip
    dated = o.review_date.isoformat() if o.review_date else "未填"
    files = o.evidence
    summary = f"佐证材料 {len(files)} 个，合计 {size_text(community.size)}" if files else "未登记佐证材料"
    para(doc, (f"评审记录 #{o.stored.id}　评审日期 {dated}　{summary}", False), keep=bool(files))
    para(doc, (f"评分表：{Path(o.file).name}", False), size=SMALL_SIZE, keep=bool(files))
    if files:
        _files_table(doc, community)
    lacking = community.binder.lacking
    if not files:
        para(doc, (f"考评方式要求查阅资料的 {len(lacking)} 个项目均没有佐证材料。", False))
    elif lacking:
        para(doc, ("考评方式要求查阅资料、但没有佐证材料的项目：", True), (community.lacking_text, False))
    else:
        para(doc, ("考评方式要求查阅资料的项目均有佐证材料。", False))
    para(doc, ("", False))


def write_evidence_index(path: Path, report: EvidenceReport) -> None:
    """The year's binder index at `path` (written whole, then put in place)."""
    doc = Document()
    page_setup(doc)
    campaign = report.communities[0].rubric.campaign.name if report.communities else ""
    title = f"{report.year}年度{campaign}评审台账目录"
    set_properties(doc, title)
    para(doc, (title, True), size=TITLE_SIZE, font=HEADING_FONT, align=WD_ALIGN_PARAGRAPH.CENTER)
    count = sum(len(c.outcome.evidence) for c in report.communities)
    para(doc, (f"共 {len(report.communities)} 个社区、{count} 个佐证材料文件；按评分记录库中各社区本年度的当前评审"
               f"记录编制，{date.today().isoformat()}。SHA-256 列出前 {SHA_SHOWN} 位，可据此核对文件是否与评分时一致。", False),
         align=WD_ALIGN_PARAGRAPH.CENTER)  # fmt: skip
    para(doc, ("", False))
    for community in report.communities:
        _community(doc, community)
    with atomic_target(path) as temporary:
        doc.save(str(temporary))
