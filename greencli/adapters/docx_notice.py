"""Word documents the office hands out: the year's 名单 and a 通报 draft in the national 公文 layout (GB/T 9704).

GB/T 9704-2012 as applied here: A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (a type area of
156 × 225 mm); body in 仿宋_GB2312 三号 (16 pt) on a grid of 22 lines of 28 characters; the title in 方正小标宋简体
二号 (22 pt); level-1 headings in 黑体, level-2 in 楷体_GB2312; page numbers in 宋体 四号 as "— 1 —", odd pages on the
right and even pages on the left, one character in from the edge. Fonts are named as Word and WPS know them, so they
are used where installed; another machine substitutes its own CJK fonts.

Every text put in passes through `core.clean.scrub`: names come from the roster and the ledger, and a ledger written
by an older version may still hold a character that XML (and so Word) cannot take.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import BaseStyle
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from greencli.adapters.files import atomic_target
from greencli.core.clean import scrub
from greencli.core.listings import Bulletin, Listing
from greencli.core.text import char_width

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
TABLE_SIZE = Pt(12)  # 小四: tables of names and codes stay on the page's width
PAGE_NUMBER_SIZE = Pt(14)  # 四号
LINE_PITCH = Pt(28.95)  # 225 mm / 22 lines
TYPE_AREA_WIDTH = 156  # mm
CELL_MARGINS = 4.4  # mm of a table cell's margins, both sides (Word's default 1.9 mm each), and a little air
RED = RGBColor(0xE6, 0x00, 0x12)


def set_fonts(run_or_style: Run | BaseStyle, east_asia: str, size: Pt, bold: bool = False) -> None:
    font = run_or_style.font  # type: ignore[union-attr]
    font.name = LATIN_FONT
    font.size = size
    font.bold = bold
    fonts = run_or_style.element.get_or_add_rPr().get_or_add_rFonts()
    for key in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(key), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def _page_setup(doc: object) -> None:
    section = doc.sections[0]  # type: ignore[attr-defined]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(28) - Mm(7)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    # A line grid only: a character grid is drawn differently by Word, WPS and LibreOffice, while 28 characters of
    # 三号 in 156 mm follow from the font size and a spacing of −0.25 pt, the same everywhere.
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), "579")  # 28.95 pt in twentieths of a point: 22 lines in 225 mm
    normal = doc.styles["Normal"]  # type: ignore[attr-defined]
    set_fonts(normal, BODY_FONT, BODY_SIZE)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), "-5")  # twentieths of a point: 28 × 15.75 pt = 441 pt ≤ 156 mm
    normal.element.get_or_add_rPr().append(spacing)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    fmt.space_before = fmt.space_after = Pt(0)
    doc.settings.odd_and_even_pages_header_footer = True  # type: ignore[attr-defined]
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def set_properties(doc: object, title: str) -> None:
    """The document's properties (Word's 文件 → 信息): its title, made now, and no author. The author would be the
    office, from the setting that names the 通报's issuing office; there is none yet (the 通报 leaves ×××× for the
    office to fill), so it stays blank, never python-docx's own name from the template."""
    props = doc.core_properties  # type: ignore[attr-defined]
    props.author = props.last_modified_by = ""
    props.title = scrub(title)
    props.comments = props.keywords = props.category = props.subject = ""
    props.created = props.modified = datetime.now(UTC).replace(microsecond=0)
    props.revision = 1


def _page_number(paragraph: Paragraph, align: WD_ALIGN_PARAGRAPH) -> None:
    """ "— N —" in 宋体 四号, one character in from the outer edge."""
    paragraph.alignment = align
    if align is WD_ALIGN_PARAGRAPH.RIGHT:
        paragraph.paragraph_format.right_indent = PAGE_NUMBER_SIZE
    else:
        paragraph.paragraph_format.left_indent = PAGE_NUMBER_SIZE
    add_page_number(paragraph, "— ", " —", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)


def add_page_number(paragraph: Paragraph, before: str, after: str, font: str, size: Pt) -> None:
    """`before`, the page's number as a PAGE field (Word, WPS and LibreOffice compute it), `after`."""
    set_fonts(paragraph.add_run(before), font, size)
    run = paragraph.add_run()
    set_fonts(run, font, size)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
            run._r.append(field)
        elif text == "PAGE":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = " PAGE "
            run._r.append(instr)
        else:
            shown = OxmlElement("w:t")
            shown.text = text
            run._r.append(shown)
    set_fonts(paragraph.add_run(after), font, size)


def _para(doc: object, text: str = "", *, font: str = BODY_FONT, size: Pt = BODY_SIZE, bold: bool = False,
          align: WD_ALIGN_PARAGRAPH | None = None, indent: bool = False, colour: RGBColor | None = None,
          line: Pt | None = None) -> Paragraph:  # fmt: skip
    paragraph: Paragraph = doc.add_paragraph()  # type: ignore[attr-defined]
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = size * 2  # 首行缩进两字
    if line is not None:
        paragraph.paragraph_format.line_spacing = line
    if text:
        run = paragraph.add_run(scrub(text))
        set_fonts(run, font, size, bold)
        if colour is not None:
            run.font.color.rgb = colour
    return paragraph


def _title(doc: object, text: str) -> None:
    _para(doc, text, font=TITLE_FONT, size=TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(36))
    _para(doc)


def _cell_text(cell: object, text: str, width: Mm, bold: bool = False) -> None:
    cell.width = width  # type: ignore[attr-defined]
    paragraph = cell.paragraphs[0]  # type: ignore[attr-defined]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.line_spacing = Pt(18)
    paragraph.paragraph_format.first_line_indent = Pt(0)
    snap = OxmlElement("w:snapToGrid")  # table lines keep their own spacing, not the body's 22-line grid
    snap.set(qn("w:val"), "0")
    paragraph._p.get_or_add_pPr().append(snap)
    lines = _header_lines(scrub(text), width) if bold else [scrub(text)]
    for n, line in enumerate(lines):
        run = paragraph.add_run(line)
        if n < len(lines) - 1:
            run.add_break()
        set_fonts(run, HEADING_FONT if bold else BODY_FONT, TABLE_SIZE)


def _header_lines(text: str, width: Mm) -> list[str]:
    """A header too wide for its column, broken into two even halves (社区/编码, never 社区编/码)."""
    if _ems(text) * TABLE_SIZE.mm <= width.mm - CELL_MARGINS or len(text) < 2:
        return [text]
    half = min(range(1, len(text)), key=lambda n: abs(_ems(text[:n]) - _ems(text[n:])))
    return [text[:half], text[half:]]


def _ems(text: str) -> float:
    """The printed width of `text` in ems, with a little room: a Chinese character one em, a Latin capital 0.72, a
    digit or other character 0.56 (so 'BH-01' and '2021-10-20' never break)."""
    return sum(1.0 if char_width(ch) == 2 else 0.72 if ch.isupper() else 0.56 for ch in text)


def _widths(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[Mm]:
    """Column widths: each column's longest cell on one line and its header on at most two lines (never one
    character a line). When that is wider than the 156 mm type area, only columns of Chinese text (乡街, names,
    reasons) give way, the widest first and down to four characters, and wrap: a long reason wraps while a 乡街
    beside it stays whole (never 腾飞路街/道); codes, dates and numbers never wrap."""
    em = TABLE_SIZE.mm
    margins = CELL_MARGINS
    wanted = [max([_ems(head) / 2, *(_ems(r[col]) for r in rows)]) for col, head in enumerate(header)]
    wanted = [max(w, _ems(head[:2])) for w, head in zip(wanted, header, strict=True)]  # two characters a line at least
    floors = [
        max(_ems(head) / 2, 4.0) if any(not r[col].isascii() for r in rows) else wanted[col]
        for col, head in enumerate(header)
    ]
    room = (TYPE_AREA_WIDTH - margins * len(header)) / em  # ems the type area holds, margins aside
    if sum(wanted) > room:
        # the widest give way first: every column that gives is cut to one width (or its floor), found by halving
        low, high = 0.0, max(wanted)
        for _ in range(50):
            cap = (low + high) / 2
            if sum(min(w, max(f, cap)) for w, f in zip(wanted, floors, strict=True)) > room:
                high = cap
            else:
                low = cap
        wanted = [min(w, max(f, low)) for w, f in zip(wanted, floors, strict=True)]
    # the spare width, if any, shared out (up to a third more each: fonts differ between Word, WPS and LibreOffice);
    # the last resort when even the Chinese columns cannot give enough: every column a little narrower
    scale = min(4 / 3, room / sum(wanted))
    return [Mm(w * scale * em + margins) for w in wanted]


def _table(doc: object, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
    table: Table = doc.add_table(rows=1 + len(rows), cols=len(header))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = _widths(header, rows)
    for col, width in enumerate(widths):
        table.columns[col].width = width
    for col, text in enumerate(header):
        _cell_text(table.rows[0].cells[col], text, widths[col], bold=True)
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on every page the table reaches
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    for r, row in enumerate(rows, start=1):
        for col, text in enumerate(row):
            _cell_text(table.rows[r].cells[col], text, widths[col])
    return table


def _listing_body(doc: object, listing: Listing) -> None:
    _para(doc, listing.dated, align=WD_ALIGN_PARAGRAPH.CENTER)
    if listing.note:
        _para(doc, listing.note, indent=True)
    if listing.empty:
        _para(doc, "无", align=WD_ALIGN_PARAGRAPH.CENTER)
    else:
        _table(doc, listing.columns, listing.rows)


def write_listing(path: Path, listing: Listing) -> None:
    """One 名单 as a Word document: title, the line that dates it, and its table (or 无)."""
    doc = Document()
    _page_setup(doc)
    set_properties(doc, listing.title)
    _title(doc, listing.title)
    _listing_body(doc, listing)
    with atomic_target(path) as target:
        doc.save(str(target))


def write_bulletin(path: Path, bulletin: Bulletin) -> None:
    """The 通报 draft: 发文机关标识, 文号, title, 主送, body, the table of rates, 附件 list, 署名 and 成文日期
    placeholders, then each attached 名单 on its own page."""
    doc = Document()
    _page_setup(doc)
    set_properties(doc, bulletin.title)
    _para(
        doc, "××××××文件", font=TITLE_FONT, size=Pt(36), align=WD_ALIGN_PARAGRAPH.CENTER, colour=RED, line=Pt(60)
    )  # fmt: skip (发文机关标识: the office puts its own name, size set to fit one line)
    _para(doc)
    number = _para(doc, f"××〔{bulletin.year + 1}〕×号", align=WD_ALIGN_PARAGRAPH.CENTER)
    _red_rule(number)
    _para(doc)
    _title(doc, bulletin.title)
    _para(doc, "各乡（街道）：")
    for text in bulletin.paragraphs:
        _para(doc, text, indent=True)
    _para(doc, "各乡街创建情况如下：", indent=True)
    _table(doc, ("乡街", "城市社区", "持有称号", "达标率", "目标", "是否达到", "还差（个）"),
           [(r.name, str(r.urban), str(r.holders), r.rate, r.target, r.met, r.gap) for r in bulletin.rates])  # fmt: skip
    _para(doc)
    for i, listing in enumerate(bulletin.attachments, start=1):
        lead = "附件：" if i == 1 else "　　　"
        _para(doc, f"{lead}{i}.{listing.title}", indent=True)
    _para(doc)
    _para(doc)
    _para(doc, "××××××××（发文机关署名）", align=WD_ALIGN_PARAGRAPH.RIGHT).paragraph_format.right_indent = BODY_SIZE * 4
    _para(doc, f"{bulletin.year + 1}年×月×日", align=WD_ALIGN_PARAGRAPH.RIGHT).paragraph_format.right_indent = (
        BODY_SIZE * 4
    )
    for i, listing in enumerate(bulletin.attachments, start=1):
        _para(doc, f"附件{i}", font=HEADING_FONT).paragraph_format.page_break_before = True
        _para(doc)
        _title(doc, listing.title)
        _listing_body(doc, listing)
    with atomic_target(path) as target:
        doc.save(str(target))


def _red_rule(paragraph: Paragraph) -> None:
    """The red separator line under the 文号 (版头中的分隔线)."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "8"), ("w:color", "E60012")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)
