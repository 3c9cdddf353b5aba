"""Build the office's manual, 使用说明.docx, from its source docs/使用说明.md.

    python deploy/manual.py [--source docs/使用说明.md] [--out dist/使用说明.docx]

The manual ships in the offline installation folder (deploy/wheelhouse.py puts it beside 安装说明.txt), so it is a
Word document an office opens without tools: A4 portrait, Chinese fonts named as Word and WPS know them (宋体 for
text, 黑体 for headings; another machine substitutes its own CJK fonts), the README's pictures of printed pages
embedded, tables and pictures sized to the type area, page numbers in the footer.

The source is Markdown-ish, in Chinese, and uses only this much of Markdown:

    # title              the document's title (the first line)
    > text               the note under the title
    ## / ###             chapter and section headings (Word's 标题 1 / 标题 2, listed in the navigation pane)
    text lines           a paragraph (consecutive lines join)
    - item / 1. item     bullet and numbered items (the number is written as it stands)
    ``` … ```            commands, one a line, in a monospace font on a shaded band, kept on one page
    | a | b |            a table, its first row the header (repeated on each page); the |---| row is skipped
    ![caption](x.png)    a picture beside the source, scaled to the type area, its caption below

Inline `code` and **bold** are shown in a monospace font and in bold.
"""

from __future__ import annotations

import argparse
import os
import re
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.parfmt import CT_PPr
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import CharacterStyle, ParagraphStyle
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from greencli.core.version import __version__

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "docs" / "使用说明.md"
OUT = ROOT / "dist" / "使用说明.docx"

TEXT_FONT = "宋体"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
CODE_FONT = "Consolas"
BODY_SIZE = Pt(10.5)  # 五号
TABLE_SIZE = Pt(9.5)
CODE_SIZE = Pt(9)
TITLE_SIZE = Pt(22)  # 二号
CHAPTER_SIZE = Pt(15)  # 小三
SECTION_SIZE = Pt(12)  # 小四
CAPTION_SIZE = Pt(9)  # 小五
PAGE_WIDTH, PAGE_HEIGHT = 210, 297  # mm, A4 portrait
MARGIN_SIDE, MARGIN_TOP, MARGIN_BOTTOM = 25, 25, 25  # mm
TYPE_WIDTH = PAGE_WIDTH - 2 * MARGIN_SIDE  # 160 mm
PICTURE_WIDTH = 150  # mm, a landscape page's picture
PICTURE_HEIGHT = 150  # mm, at most: a portrait page's picture and its caption stay on one page
CELL_MARGINS = 2 * 1.9 + 0.6  # mm: Word's default cell margins, both sides, and a little air
GREY = RGBColor(0x59, 0x59, 0x59)


# ---------------------------------------------------------------------------------------------------------------
# The source


@dataclass(frozen=True)
class Block:
    """One block of the source: kind is title, note, heading, para, item, code, table or picture."""

    kind: str
    text: str = ""
    level: int = 0  # heading: 2 (chapter) or 3 (section)
    marker: str = ""  # item: "•" or "1."
    lines: tuple[str, ...] = ()  # code
    rows: tuple[tuple[str, ...], ...] = ()  # table, header first
    path: str = ""  # picture, relative to the source's folder


@dataclass
class _Pending:
    kind: str = ""
    parts: list[str] = field(default_factory=list)
    marker: str = ""


ITEM = re.compile(r"^(?:(-)|(\d+\.))\s+(.*)$")
PICTURE = re.compile(r"^!\[([^\]]*)\]\(([^)]+)\)$")
RULE_ROW = re.compile(r"^\|[\s:|-]+\|$")


def _join(parts: list[str]) -> str:
    """Consecutive source lines as one text: Chinese lines join without a space, Latin words with one."""
    text = ""
    for part in parts:
        if text and (text[-1].isascii() and part[0].isascii()):
            text += " "
        text += part
    return text


def parse(source: str) -> list[Block]:
    """The source's blocks, in order."""
    blocks: list[Block] = []
    pending = _Pending()
    code: list[str] | None = None
    table: list[tuple[str, ...]] = []

    def flush() -> None:
        nonlocal pending
        if pending.kind:
            blocks.append(Block(pending.kind, _join(pending.parts), marker=pending.marker))
        pending = _Pending()

    def flush_table() -> None:
        if table:
            blocks.append(Block("table", rows=tuple(table)))
            table.clear()

    for raw in source.splitlines():
        line = raw.rstrip()
        if code is not None:
            if line.strip() == "```":
                blocks.append(Block("code", lines=tuple(code)))
                code = None
            else:
                code.append(line)
            continue
        stripped = line.strip()
        if not stripped.startswith("|"):
            flush_table()
        if not stripped:
            flush()
            continue
        if stripped.startswith("```"):
            flush()
            code = []
        elif stripped.startswith("|"):
            flush()
            if not RULE_ROW.match(stripped):
                table.append(tuple(cell.strip() for cell in stripped.strip("|").split("|")))
        elif stripped.startswith("#"):
            flush()
            hashes, _, text = stripped.partition(" ")
            if len(hashes) == 1:
                blocks.append(Block("title", text.strip()))
            else:
                blocks.append(Block("heading", text.strip(), level=len(hashes)))
        elif stripped.startswith("> "):
            flush()
            pending = _Pending("note", [stripped[2:].strip()])
        elif picture := PICTURE.match(stripped):
            flush()
            blocks.append(Block("picture", picture.group(1), path=picture.group(2)))
        elif item := ITEM.match(stripped):
            flush()
            pending = _Pending("item", [item.group(3)], "•" if item.group(1) else item.group(2))
        elif pending.kind and (raw.startswith(" ") or pending.kind in ("para", "note")):
            pending.parts.append(stripped)  # a continuation line
        else:
            flush()
            pending = _Pending("para", [stripped])
    flush()
    flush_table()
    if code is not None:
        raise ValueError("a code block is not closed (```)")
    return blocks


def plain(text: str) -> str:
    """Text as it reads, inline markup removed."""
    return text.replace("`", "").replace("**", "")


# ---------------------------------------------------------------------------------------------------------------
# Fonts, paragraphs, runs


def _fonts(target: Run | CharacterStyle, east_asia: str, size: Pt | None = None, *, latin: str = LATIN_FONT,
           bold: bool | None = None) -> None:  # fmt: skip
    """Fonts of a run or a style: its Chinese font, its Latin font, and no theme font to override them."""
    font = target.font
    font.name = latin
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    rfonts = target.element.get_or_add_rPr().get_or_add_rFonts()
    for key in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(key), None)
    for key in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(key), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:hint"), "eastAsia")


INLINE = re.compile(r"(`[^`]+`|\*\*[^*]+\*\*|(?<![\w-])--?[A-Za-z][\w-]*)")


def _runs(paragraph: Paragraph, text: str, east_asia: str, size: Pt, *, bold: bool = False) -> None:
    """Text with its inline markup: `code` and options (--out, -h) in the monospace font, **bold** in bold."""
    for piece in INLINE.split(text):
        if not piece:
            continue
        if piece.startswith("`") and piece.endswith("`") and len(piece) > 1:
            _fonts(paragraph.add_run(piece[1:-1]), east_asia, size, latin=CODE_FONT, bold=bold)
        elif piece.startswith("-"):
            _fonts(paragraph.add_run(piece), east_asia, size, latin=CODE_FONT, bold=bold)
        elif piece.startswith("**") and piece.endswith("**") and len(piece) > 4:
            _fonts(paragraph.add_run(piece[2:-2]), east_asia, size, bold=True)
        else:
            _fonts(paragraph.add_run(piece), east_asia, size, bold=bold)


# The order of <w:pPr>'s children in the schema (ECMA-376 CT_PPr): Word refuses a file whose properties are out of it.
PPR_ORDER = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl", "w:numPr",
    "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
    "w:sectPr", "w:pPrChange",
)  # fmt: skip


def _property(p_pr: CT_PPr, element: BaseOxmlElement) -> None:
    """Put a paragraph property in its place in <w:pPr>, replacing one of its kind."""
    tags = PPR_ORDER
    name = next(tag for tag in tags if qn(tag) == element.tag)
    for old in p_pr.findall(element.tag):
        p_pr.remove(old)
    p_pr.insert_element_before(element, *tags[tags.index(name) + 1 :])


def _no_hanging(p_pr: CT_PPr) -> None:
    """No punctuation hung into the margin (Word and LibreOffice hang 、。， by default): the page keeps its edge."""
    hanging = OxmlElement("w:overflowPunct")
    hanging.set(qn("w:val"), "0")
    _property(p_pr, hanging)


def _shade(paragraph: Paragraph, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    _property(paragraph._p.get_or_add_pPr(), shading)


def _field(paragraph: Paragraph, instruction: str, size: Pt) -> None:
    """A field Word and LibreOffice compute when they lay the page out (PAGE, NUMPAGES)."""
    run = paragraph.add_run()
    _fonts(run, TEXT_FONT, size)
    for kind in ("begin", None, "separate", "1", "end"):
        if kind in ("begin", "separate", "end"):
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif kind is None:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._r.append(instr)
        else:
            shown = OxmlElement("w:t")
            shown.text = kind
            run._r.append(shown)


# ---------------------------------------------------------------------------------------------------------------
# The document


def _setup(doc: DocumentObject, title: str, version: str) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_WIDTH), Mm(PAGE_HEIGHT)
    section.left_margin = section.right_margin = Mm(MARGIN_SIDE)
    section.top_margin, section.bottom_margin = Mm(MARGIN_TOP), Mm(MARGIN_BOTTOM)
    section.header_distance = section.footer_distance = Mm(12)

    normal = cast(ParagraphStyle, doc.styles["Normal"])
    _fonts(normal, TEXT_FONT, BODY_SIZE)
    lang = OxmlElement("w:lang")  # Chinese line breaking (no 。 at a line's start) and proofing in Word and WPS
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)
    _no_hanging(normal.element.get_or_add_pPr())
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.MULTIPLE
    fmt.line_spacing = 1.25
    fmt.space_before, fmt.space_after = Pt(0), Pt(4)
    for name, size, before, after in (("Heading 1", CHAPTER_SIZE, 18, 8), ("Heading 2", SECTION_SIZE, 12, 4)):
        style = cast(ParagraphStyle, doc.styles[name])
        _fonts(style, HEADING_FONT, size, bold=False)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.italic = False
        heading = style.paragraph_format
        heading.space_before, heading.space_after = Pt(before), Pt(after)
        heading.keep_with_next = True
        heading.line_spacing = 1.15

    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _fonts(header.add_run(f"{title}（greencli {version}）"), TEXT_FONT, CAPTION_SIZE)
    for run in header.runs:
        run.font.color.rgb = GREY
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(footer.add_run("第 "), TEXT_FONT, CAPTION_SIZE)
    _field(footer, "PAGE", CAPTION_SIZE)
    _fonts(footer.add_run(" 页，共 "), TEXT_FONT, CAPTION_SIZE)
    _field(footer, "NUMPAGES", CAPTION_SIZE)
    _fonts(footer.add_run(" 页"), TEXT_FONT, CAPTION_SIZE)

    props = doc.core_properties
    props.title = title
    props.subject = "绿色社区评审工具 greencli 的使用说明"
    props.author = ""  # never "python-docx"
    props.last_modified_by = ""
    props.keywords = "绿色社区; greencli; 使用说明"
    props.language = "zh-CN"
    props.comments = f"greencli {version}；由 docs/使用说明.md 生成"
    props.revision = 1
    now = datetime.now(UTC).replace(microsecond=0)
    props.created = props.modified = now


def _title(doc: DocumentObject, text: str, version: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_before = Pt(24)
    paragraph.paragraph_format.space_after = Pt(6)
    _runs(paragraph, text, HEADING_FONT, TITLE_SIZE)
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub.paragraph_format.space_after = Pt(18)
    _runs(sub, f"适用于 greencli {version}", TEXT_FONT, BODY_SIZE)


def _note(doc: DocumentObject, text: str) -> None:
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = Mm(4)
    fmt.space_after = Pt(12)
    _shade(paragraph, "F2F2F2")
    _runs(paragraph, text, TEXT_FONT, BODY_SIZE)


def _contents(doc: DocumentObject, chapters: list[str]) -> None:
    """The chapters listed under the note (Word's navigation pane lists every heading)."""
    head = doc.add_paragraph()
    head.paragraph_format.space_before = Pt(6)
    _runs(head, "目录", HEADING_FONT, SECTION_SIZE)
    for chapter in chapters:
        line = doc.add_paragraph()
        line.paragraph_format.left_indent = Mm(8)
        line.paragraph_format.space_after = Pt(2)
        _runs(line, chapter, TEXT_FONT, BODY_SIZE)
    doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)


def _para(doc: DocumentObject, text: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.first_line_indent = BODY_SIZE * 2  # 首行缩进两字
    _runs(paragraph, text, TEXT_FONT, BODY_SIZE)


def _item(doc: DocumentObject, marker: str, text: str) -> None:
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.left_indent = Mm(8)
    fmt.first_line_indent = -Mm(5)
    fmt.tab_stops.add_tab_stop(Mm(8))
    fmt.space_after = Pt(2)
    _runs(paragraph, f"{marker}\t{text}", TEXT_FONT, BODY_SIZE)


def _code(doc: DocumentObject, lines: tuple[str, ...]) -> None:
    for n, line in enumerate(lines):
        paragraph = doc.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.left_indent, fmt.right_indent = Mm(4), Mm(0)
        fmt.first_line_indent = Pt(0)
        fmt.line_spacing = 1.0
        fmt.space_before = Pt(4) if n == 0 else Pt(0)
        fmt.space_after = Pt(6) if n == len(lines) - 1 else Pt(0)
        fmt.keep_with_next = n < len(lines) - 1
        _shade(paragraph, "EDEDED")
        run = paragraph.add_run(line if line else " ")
        _fonts(run, TEXT_FONT, CODE_SIZE, latin=CODE_FONT)


def _ems(text: str) -> float:
    """Printed width in ems: a Chinese character one em, a Latin letter or digit about half."""
    return sum(0.55 if ch.isascii() else 1.0 for ch in plain(text))


def column_widths(rows: tuple[tuple[str, ...], ...], width: float = TYPE_WIDTH) -> list[float]:
    """Column widths in mm that fill the type area: each column as wide as its longest cell, until the table is
    too wide; then the columns of long text give way (down to a header's width or six characters) and wrap."""
    columns = len(rows[0])
    em = TABLE_SIZE.pt * 25.4 / 72
    room = (width - CELL_MARGINS * columns) / em
    wanted = [max(_ems(row[col]) if col < len(row) else 0 for row in rows) for col in range(columns)]
    floors = [min(wanted[col], max(_ems(rows[0][col]), 6.0)) for col in range(columns)]
    excess = sum(wanted) - room
    give = sum(w - f for w, f in zip(wanted, floors, strict=True))
    if excess > 0 and give > 0:
        share = min(1.0, excess / give)
        wanted = [w - share * (w - f) for w, f in zip(wanted, floors, strict=True)]
    scale = room / sum(wanted)  # spare room shared out, or, as a last resort, every column narrower
    return [w * scale * em + CELL_MARGINS for w in wanted]


def _table(doc: DocumentObject, rows: tuple[tuple[str, ...], ...]) -> None:
    columns = len(rows[0])
    widths = column_widths(rows)
    table = doc.add_table(rows=len(rows), cols=columns)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # a fixed layout: the widths below hold in Word, WPS and LibreOffice
    for col, column in enumerate(table.columns):
        column.width = Mm(widths[col])
    for r, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        keep = OxmlElement("w:cantSplit")
        tr_pr.append(keep)
        if r == 0:
            tr_pr.append(OxmlElement("w:tblHeader"))  # repeated at the top of each page
        for col, cell in enumerate(row.cells):
            cell.width = Mm(widths[col])
            text = rows[r][col] if col < len(rows[r]) else ""
            paragraph = cell.paragraphs[0]
            fmt = paragraph.paragraph_format
            fmt.space_after = Pt(0)
            fmt.line_spacing = 1.1
            fmt.keep_with_next = r < min(2, len(rows) - 1)  # a table never starts on its header alone
            if r == 0:
                _runs(paragraph, text, HEADING_FONT, TABLE_SIZE)
                shading = OxmlElement("w:shd")
                shading.set(qn("w:val"), "clear")
                shading.set(qn("w:color"), "auto")
                shading.set(qn("w:fill"), "D9D9D9")
                cell._tc.get_or_add_tcPr().append(shading)
            else:
                _runs(paragraph, text, TEXT_FONT, TABLE_SIZE)
    after = doc.add_paragraph()
    after.paragraph_format.space_after = Pt(2)
    after.paragraph_format.line_spacing = 0.8


def png_size(path: Path) -> tuple[int, int]:
    """A PNG's width and height in pixels, from its header."""
    with path.open("rb") as handle:
        head = handle.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG picture")
    width, height = struct.unpack(">II", head[16:24])
    return int(width), int(height)


def picture_size(path: Path) -> tuple[float, float]:
    """Printed width and height in mm: a landscape page 150 mm wide, a portrait one at most 150 mm high."""
    width, height = png_size(path)
    shown = min(PICTURE_WIDTH, PICTURE_HEIGHT * width / height)
    return shown, shown * height / width


def _picture(doc: DocumentObject, path: Path, caption: str, number: int) -> None:
    width, _ = picture_size(path)
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = paragraph.paragraph_format
    fmt.keep_with_next = True
    fmt.space_before = Pt(6)
    fmt.space_after = Pt(2)
    fmt.line_spacing = 1.0
    paragraph.add_run().add_picture(str(path), width=Mm(width))
    shape = paragraph._p.xpath(".//pic:spPr")[0]  # a thin grey frame: the page's edge shows on white paper
    line = OxmlElement("a:ln")
    line.set("w", "6350")
    fill = OxmlElement("a:solidFill")
    colour = OxmlElement("a:srgbClr")
    colour.set("val", "A6A6A6")
    fill.append(colour)
    line.append(fill)
    shape.append(line)
    label = doc.add_paragraph()
    label.alignment = WD_ALIGN_PARAGRAPH.CENTER
    label.paragraph_format.space_after = Pt(10)
    _runs(label, f"图{number}　{caption}", HEADING_FONT, CAPTION_SIZE)


def build(source: Path = SOURCE, out: Path = OUT) -> Path:
    """Write the manual to `out` (a temporary beside it, renamed into place) and return its path."""
    blocks = parse(source.read_text(encoding="utf-8"))
    titles = [b.text for b in blocks if b.kind == "title"]
    if len(titles) != 1 or blocks[0].kind != "title":
        raise ValueError(f"{source}: the first line must be the one title (# …)")
    title = plain(titles[0])
    doc = Document()
    _setup(doc, title, __version__)
    chapters = [plain(b.text) for b in blocks if b.kind == "heading" and b.level == 2]
    pictures = 0
    for block in blocks:
        if block.kind == "title":
            _title(doc, block.text, __version__)
        elif block.kind == "note":
            _note(doc, block.text)
            _contents(doc, chapters)
        elif block.kind == "heading":
            doc.add_heading("", level=block.level - 1)
            _runs(doc.paragraphs[-1], block.text, HEADING_FONT, CHAPTER_SIZE if block.level == 2 else SECTION_SIZE)
        elif block.kind == "para":
            _para(doc, block.text)
        elif block.kind == "item":
            _item(doc, block.marker, block.text)
        elif block.kind == "code":
            _code(doc, block.lines)
        elif block.kind == "table":
            _table(doc, block.rows)
        elif block.kind == "picture":
            pictures += 1
            _picture(doc, source.parent / block.path, block.text, pictures)
    for paragraph in doc.element.body.iter(qn("w:p")):  # LibreOffice reads it from each paragraph, not the style
        _no_hanging(paragraph.get_or_add_pPr())
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        doc.save(str(partial))
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    print(build(args.source, args.out))


if __name__ == "__main__":
    main()
