"""The record sheet an inspector carries (现场评审记录): per community only the boxes to fill, not the standard's text.

Every row of the 评分表 in the workbook's own order (so typing it in back at the office is straight down the 录入值
column; the rows the program computes are printed greyed, 不填), each with its code, its label (the rubric's own
short label), what may be written (the workbook's hint) and a box; the 小区 table with blank lines; who inspected,
when, and room to sign. A4 portrait, nothing under 9 pt, three pages or so.

A Word document (.docx): it prints the same from Word, WPS and LibreOffice, an inspector can add lines by hand in
any of them, and it is built once per run and personalised per community by swapping placeholder text in its XML,
as the workbooks are (`template.personalise`), so a district of a thousand communities costs one build.
"""

from __future__ import annotations

import io
import re
import zipfile

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell

from greencli.adapters.docx_notice import set_fonts
from greencli.adapters.docx_standard import what_to_write
from greencli.adapters.template.personalise import PLACEHOLDER, Identity
from greencli.core import layout as L
from greencli.core.clean import scrub
from greencli.core.kinds import RowKind, hint
from greencli.core.rubric import Rubric
from greencli.core.values import fmt

FONT = "宋体"
HEADING_FONT = "黑体"
SIZE = Pt(9)
TITLE_SIZE = Pt(15)
NOT_TYPED = "不填"
ROW_HEIGHT = Mm(7)  # a line to write in by hand, at least
COMPOUND_LINES = 6  # blank lines of the 小区 table; more are written by hand below it
RECORD_SUFFIX = "_现场评审记录"
WIDTHS = (Mm(11), Mm(86), Mm(45), Mm(18), Mm(20))  # 编号, 评分内容, 填写, 录入值, 佐证/备注: 180 mm


def record_name(workbook_stem: str) -> str:
    """The record sheet's file name beside its workbook: ZJ-01_珠江社区_现场评审记录.docx."""
    return f"{workbook_stem}{RECORD_SUFFIX}.docx"


def shade(cell: _Cell, fill: str = "E7E6E6") -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def write_cell(cell: _Cell, text: str, *, bold: bool = False, font: str = FONT) -> None:
    """A cell's text in the record's 9-pt type, with no space after it."""
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    if text:
        set_fonts(paragraph.add_run(scrub(text)), font, SIZE, bold)


def grid(doc: object, columns: tuple[Mm, ...]) -> Table:
    table: Table = doc.add_table(rows=0, cols=len(columns))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, columns, strict=True):
        column.width = width
    return table


def _row(table: Table, texts: tuple[str, ...], widths: tuple[Mm, ...], *, header: bool = False,
         greyed: bool = False) -> None:  # fmt: skip
    added = table.add_row()  # type: ignore[no-untyped-call]
    if not header:  # room to write by hand
        added.height, added.height_rule = ROW_HEIGHT, WD_ROW_HEIGHT_RULE.AT_LEAST
    cells = added.cells
    for cell, text, width in zip(cells, texts, widths, strict=True):
        cell.width = width
        write_cell(cell, text, bold=header, font=HEADING_FONT if header else FONT)
        if header or greyed:
            shade(cell, "D9E1F2" if header else "E7E6E6")


def repeat_header(table: Table) -> None:
    """The header row printed again at the top of every page the table runs on."""
    properties = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    properties.append(repeat)


def build_record_skeleton(rubric: Rubric, year: int, identity: Identity = PLACEHOLDER) -> bytes:
    """The record sheet of `year` for `identity` (by default the placeholder tokens `personalise` swaps)."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(14)
    section.left_margin = section.right_margin = Mm(15)
    normal = doc.styles["Normal"]
    set_fonts(normal, FONT, SIZE)
    normal.paragraph_format.space_after = Pt(0)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_fonts(footer.add_run(scrub(f"{identity.code}　{identity.name}　{year}年度现场评审记录")), FONT, SIZE)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_fonts(title.add_run(scrub(f"{rubric.campaign.name}现场评审记录（{year}年度）")), HEADING_FONT, TITLE_SIZE, True)
    who = grid(doc, (Mm(22), Mm(68), Mm(22), Mm(68)))
    fields = (("社区编码", identity.code, "社区名称", identity.name), ("乡街", identity.subdistrict, "评审年度", str(year)),
              ("评审日期", "", "评审人员", ""))  # fmt: skip
    for texts in fields:
        _row(who, texts, (Mm(22), Mm(68), Mm(22), Mm(68)))
    note = doc.add_paragraph()
    set_fonts(note.add_run("说明：每行在“录入值”格中填写；“填写”一列是可填的内容。回到办公室后按本表顺序，自上而下录入评分表的"
                        "“录入值”列（灰色“不填”的行由程序计算，录入时跳过）。各项的评分标准见《评审标准》手册。"),
           FONT, SIZE)  # fmt: skip

    table = grid(doc, WIDTHS)
    _row(table, ("编号", "评分内容", "填写", "录入值", "佐证/备注"), WIDTHS, header=True)
    repeat_header(table)
    for row in rubric.rows():
        typed = row.entered
        _row(table, (row.code, row.label, what_to_write(row, rubric.step), "" if typed else NOT_TYPED, ""), WIDTHS,
             greyed=not typed)  # fmt: skip
    bonus = rubric.bonus
    _row(table, (bonus.code, bonus.label, f"加分 0～{fmt(bonus.max)}，没有留空", "", "荣誉名称："), WIDTHS)
    for veto in rubric.vetoes:
        typed = veto.entered
        shown = hint(RowKind.COUNT, None, rubric.step) if typed else "不填（由程序按“小区”表判断）"
        _row(table, (veto.code, f"否决项：{veto.label}", shown, "" if typed else NOT_TYPED, ""), WIDTHS,
             greyed=not typed)  # fmt: skip

    heading = doc.add_paragraph()
    heading.paragraph_format.space_before = Pt(6)
    set_fonts(
        heading.add_run("社区内居住小区情况（每个小区一行；物业服务、垃圾分类填 是/否）"), HEADING_FONT, SIZE, True
    )
    columns = (Mm(50), Mm(22), Mm(28), Mm(28), Mm(26), Mm(26))
    compounds = grid(doc, columns)
    _row(compounds, L.COMPOUND_COLUMNS, columns, header=True)
    repeat_header(compounds)
    for _ in range(COMPOUND_LINES):
        _row(compounds, ("",) * len(columns), columns)
    sign = doc.add_paragraph()
    sign.paragraph_format.space_before = Pt(10)
    set_fonts(sign.add_run("评审人员（签字）：________________________　　日期：______年____月____日"), FONT, SIZE)
    buffer = io.BytesIO()
    doc.save(buffer)
    return slim(buffer.getvalue())


# Parts python-docx's own template carries that no printout needs: Word 2010's duplicate style sheet (430 KB), a
# thumbnail of python-docx's blank page, and its custom XML. Left out, each community's copy costs a third as much
# to personalise and to store.
_DROP = re.compile(r"^(word/stylesWithEffects\.xml|docProps/thumbnail\.jpeg|customXml/.*)$")


def slim(document: bytes) -> bytes:
    """`document` without the parts in `_DROP`, and without every relationship and content-type entry naming them."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(document)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        dropped = {info.filename for info in source.infolist() if _DROP.match(info.filename)}
        for info in source.infolist():
            if info.filename in dropped:
                continue
            data = source.read(info)
            if info.filename.endswith(".rels") or info.filename == "[Content_Types].xml":
                text = data.decode("utf-8")
                for name in dropped:
                    tail = re.escape(name.rsplit("/", 1)[-1])
                    text = re.sub(
                        rf"<(Relationship|Override)\b[^>]*\b(Target|PartName)=\"[^\"]*{tail}\"[^>]*/>", "", text
                    )
                data = text.encode("utf-8")
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
