"""The standard as a booklet (`greencli standard --out 评审标准.docx`): printed once per inspector instead of beside
every entry box of every community's workbook.

A4 portrait, 宋体 10.5 pt (五号) with 黑体 headings: the title and source, how the score is made (full marks, the
pass mark, the bonus cap, the vetoes), then per category its items — each with its 内容, 分值, 考评标准, 考评方式,
责任部门 and 监督指导部门 in the seed's own words, and the rows an inspector fills in for it (code, what it asks, what
may be written) — then the bonus and the vetoes. Everything comes from the rubric's data; nothing item-specific is
written here.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from greencli.adapters.docx_notice import add_page_number, set_fonts, set_properties
from greencli.adapters.files import atomic_target
from greencli.core.clean import scrub
from greencli.core.kinds import hint
from greencli.core.rubric import Item, Row, Rubric
from greencli.core.values import fmt

BODY_FONT = "宋体"
HEADING_FONT = "黑体"
BODY_SIZE = Pt(10.5)  # 五号
SMALL_SIZE = Pt(9)  # the rows' table: never smaller
TITLE_SIZE = Pt(16)  # 三号
HEADING_SIZE = Pt(12)  # 小四
CHINESE_NUMBERS = "一二三四五六七八九十"


def what_to_write(row: Row, step: Decimal) -> str:
    """What an inspector may write in a row's box: the workbook's own hint for its kind (a derived row: nothing)."""
    return hint(row.kind, row, step) if row.entered else "不填（由程序按“小区”表计算）"


def page_setup(doc: object) -> None:
    section = doc.sections[0]  # type: ignore[attr-defined]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin = section.right_margin = Mm(20)
    normal = doc.styles["Normal"]  # type: ignore[attr-defined]
    set_fonts(normal, BODY_FONT, BODY_SIZE)
    paragraph = normal.paragraph_format
    paragraph.space_before, paragraph.space_after = Pt(0), Pt(2)
    paragraph.line_spacing = 1.15
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_page_number(footer, "第 ", " 页", BODY_FONT, SMALL_SIZE)


def para(doc: object, *parts: tuple[str, bool], size: Pt = BODY_SIZE, font: str = BODY_FONT,
          align: WD_ALIGN_PARAGRAPH | None = None, keep: bool = False) -> Paragraph:  # fmt: skip
    """A paragraph of (text, bold) runs."""
    paragraph: Paragraph = doc.add_paragraph()  # type: ignore[attr-defined]
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.keep_with_next = keep
    for text, bold in parts:
        set_fonts(paragraph.add_run(scrub(text)), font, size, bold)
    return paragraph


def _labelled(doc: object, label: str, text: str, keep: bool = False) -> None:
    para(doc, (f"{label}：", True), (text, False), keep=keep)


def _rows_table(doc: object, rows: tuple[Row, ...], step: Decimal) -> None:
    """The rows an inspector fills in for an item: kept on one page with the item's text above it."""
    table = doc.add_table(rows=1, cols=3)  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = (Mm(14), Mm(104), Mm(52))
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the grid LibreOffice and WPS lay the table out by
    lines = [("编号", "评分表中的录入行", "录入值填写")] + [(r.code, r.label, what_to_write(r, step)) for r in rows]
    for n, texts in enumerate(lines):
        cells = table.rows[0].cells if n == 0 else table.add_row().cells
        for cell, text, width in zip(cells, texts, widths, strict=True):
            cell.width = width
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.keep_with_next = n < len(lines) - 1  # a table never starts a page alone
            set_fonts(paragraph.add_run(scrub(text)), HEADING_FONT if n == 0 else BODY_FONT, SMALL_SIZE, n == 0)


def _item(doc: object, item: Item, step: Decimal) -> None:
    para(doc, (f"{item.number}. {item.content}", True), (f"（{fmt(item.points)}分）", True), keep=True)
    _labelled(doc, "考评标准", item.criteria, keep=True)
    _labelled(doc, "考评方式", "、".join(item.methods), keep=True)
    _labelled(
        doc, "责任部门", "、".join(item.responsible) + "；监督指导部门：" + "、".join(item.supervisors), keep=True
    )
    _rows_table(doc, item.rows, step)
    para(doc, ("", False))


def write_standard_booklet(path: Path, rubric: Rubric) -> None:
    """The whole standard of `rubric`'s version as a printable Word booklet at `path` (written whole, then put in
    place)."""
    doc = Document()
    page_setup(doc)
    set_properties(doc, f"{rubric.title}（{rubric.version}）")
    para(doc, (rubric.title, True), size=TITLE_SIZE, font=HEADING_FONT, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, (f"依据：{rubric.source}　评分标准版本：{rubric.version}", False), align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, ("", False))
    _labelled(doc, "满分", f"{fmt(rubric.max_total)} 分（{len(rubric.items)} 项，分 {len(rubric.categories)} 类）；"
              f"加分项最多加 {fmt(rubric.bonus.max)} 分，总分不超过 {fmt(rubric.max_total)} 分")  # fmt: skip
    _labelled(
        doc, "认定", rubric.pass_rule + f"有下列一票否决情形之一的，不予认定（共 {len(rubric.vetoes)} 项，见文末）。"
    )
    _labelled(doc, "用法", "现场评审时对照本标准，在每个社区的现场评审记录上填写各录入行；回到办公室后按记录上的顺序"
              "录入评分表的“录入值”列。")  # fmt: skip
    for category in rubric.categories:
        number = (
            CHINESE_NUMBERS[category.number - 1] if category.number <= len(CHINESE_NUMBERS) else str(category.number)
        )
        para(doc, (f"{number}、{category.name}（{fmt(category.points)}分）", True), size=HEADING_SIZE,
              font=HEADING_FONT, keep=True)  # fmt: skip
        for item in rubric.items:
            if item.category == category.number:
                _item(doc, item, rubric.step)
    bonus = rubric.bonus
    para(doc, (f"加分项（最多 {fmt(bonus.max)} 分）", True), size=HEADING_SIZE, font=HEADING_FONT, keep=True)
    _labelled(doc, "内容", bonus.content)
    _labelled(doc, "考评标准", bonus.criteria)
    _labelled(doc, "考评方式", "、".join(bonus.methods))
    _labelled(doc, "责任部门", "、".join(bonus.responsible) + "；监督指导部门：" + "、".join(bonus.supervisors))
    _labelled(doc, "评分表填写", f"{bonus.code} 行：{bonus.label}")
    para(doc, ("", False))
    para(doc, ("一票否决", True), size=HEADING_SIZE, font=HEADING_FONT, keep=True)
    for veto in rubric.vetoes:
        para(doc, (f"{veto.code}　{veto.name}", True), keep=True)
        _labelled(doc, "考评标准", veto.criteria)
        _labelled(doc, "考评方式", "、".join(veto.methods))
        _labelled(doc, "责任部门", "、".join(veto.responsible) + "；监督指导部门：" + "、".join(veto.supervisors))
        filled = f"{veto.code} 行填写{veto.label}" if veto.entered else f"{veto.code} 行不填（由程序按“小区”表判断）"
        _labelled(doc, "评分表填写", filled)
    with atomic_target(path) as temporary:
        doc.save(str(temporary))
