"""The office's manual (docs/使用说明.md → 使用说明.docx): every command and option it names exists in the program,
the Word document holds every section and picture on A4, and printed through LibreOffice nothing leaves the page."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from docx import Document
from docx.shared import Length, Mm
from greencli.cli.app import app
from greencli.core.listings import NOTICE_KINDS
from typer.core import TyperGroup

from tests.libreoffice import convert, needs_libreoffice

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))
from manual import (  # noqa: E402
    MARGIN_SIDE,
    MARGIN_TOP,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    SOURCE,
    TYPE_WIDTH,
    Block,
    build,
    parse,
    picture_size,
    plain,
)
from wheelhouse import parser as wheelhouse_parser  # noqa: E402

BLOCKS = parse(SOURCE.read_text(encoding="utf-8"))
PIP_OPTIONS = {"--no-index", "--find-links", "--upgrade"}
NOT_OPTIONS = {"-wal", "-shm"}  # SQLite's files beside the ledger (greencli.db-wal, greencli.db-shm)
CLOSING = "、。，；：！？）」』”’"
PHRASE_END = re.compile(r"[，。；：、（）“”！？|]")


def options_of(command: Any) -> set[str]:
    """A command's options, as click registered them (an argument's names carry no dash); a group's (greencli
    roster) with those of its commands (greencli roster show --year)."""
    names = {"-h", "--help"}  # the app's help_option_names, on every command
    for param in command.params:
        names.update(o for o in [*param.opts, *param.secondary_opts] if o.startswith("-"))
    for sub in getattr(command, "commands", {}).values():
        names |= options_of(sub)
    return names


CLI = typer.main.get_command(app)
assert isinstance(CLI, TyperGroup)
COMMANDS = {name: options_of(command) for name, command in CLI.commands.items()}
ROOT_OPTIONS = options_of(CLI)
WHEELHOUSE_OPTIONS = {o for action in wheelhouse_parser()._actions for o in action.option_strings}


def mentions(text: str) -> list[tuple[str, str]]:
    """(context, option) for every option the text names. The context is the command the option follows in the
    same phrase (`greencli score … --out`, or `score --dry-run` in prose), 'greencli' for the program's own options,
    'pip', 'python' or 'wheelhouse' for those programs, and '' when the option stands alone in a sentence."""
    found: list[tuple[str, str]] = []
    for line in text.replace("`", " ").splitlines():
        for phrase in PHRASE_END.split(line):
            context = ""
            for token in phrase.split():
                word = token.strip("\"'")
                if word == "greencli" or word.endswith("/greencli"):
                    context = "greencli"
                elif word in COMMANDS and context in ("", "greencli"):
                    context = word
                elif word == "pip" or word.endswith("/pip"):
                    context = "pip"
                elif word in ("py", "python", "python3"):
                    context = "python"
                elif word.endswith("wheelhouse.py"):
                    context = "wheelhouse"
                elif re.fullmatch(r"--?[A-Za-z][\w-]*(=.*)?", word) and word not in NOT_OPTIONS:
                    found.append((context, word.split("=", 1)[0]))
    return found


def named_commands(text: str) -> set[str]:
    return {m.group(1) for m in re.finditer(r"greencli\s+([a-z]+)\b", text.replace("`", " ")) if m.group(1)}


def test_every_command_the_manual_names_exists_and_every_command_is_in_the_manual() -> None:
    text = SOURCE.read_text(encoding="utf-8")
    named = named_commands(text)
    assert named <= set(COMMANDS), named - set(COMMANDS)
    assert set(COMMANDS) <= named, f"the manual never shows: {sorted(set(COMMANDS) - named)}"


def test_every_option_the_manual_names_exists_where_it_is_used() -> None:
    text = SOURCE.read_text(encoding="utf-8")
    found = mentions(text)
    assert len(found) > 60  # the manual's commands really were read
    everywhere = set().union(ROOT_OPTIONS, *COMMANDS.values())
    wrong = []
    for context, option in found:
        if context == "greencli":
            ok = option in ROOT_OPTIONS
        elif context in COMMANDS:
            ok = option in COMMANDS[context]
        elif context == "pip":
            ok = option in PIP_OPTIONS
        elif context == "wheelhouse":
            ok = option in WHEELHOUSE_OPTIONS
        elif context == "python":
            ok = option in ("-m", "--version")
        else:  # a sentence naming an option on its own: greencli's, or pip's in the chapter on installing
            ok = option in everywhere or option in PIP_OPTIONS
        if not ok:
            wrong.append((context or "（句中）", option))
    assert not wrong, wrong


def test_the_option_reader_sees_what_a_wrong_manual_would_get_wrong() -> None:
    found = mentions("执行 `greencli score 收回 --roster 名单.xlsx --bogus`，然后 progress --check，另加 --nothing。")
    assert found == [("score", "--roster"), ("score", "--bogus"), ("progress", "--check"), ("", "--nothing")]
    assert "--bogus" not in COMMANDS["score"] and "--nothing" not in set().union(*COMMANDS.values())


def test_the_notice_kinds_in_the_manual_are_the_programs() -> None:
    tables = [b for b in BLOCKS if b.kind == "table" and b.rows[0][0] == "种类"]
    assert len(tables) == 1
    assert [row[0] for row in tables[0].rows[1:]] == list(NOTICE_KINDS)


def test_the_manual_covers_the_years_cycle_backups_and_exit_codes() -> None:
    headings = [plain(b.text) for b in BLOCKS if b.kind == "heading"]
    for topic in (
        "安装",
        "名单",
        "评分表",
        "收回评分表",
        "进度",
        "命名",
        "名单与通报",
        "复审",
        "次年",
        "备份",
        "退出码",
        "提示",
    ):
        assert any(topic in h for h in headings), topic
    exit_table = next(b for b in BLOCKS if b.kind == "table" and b.rows[0][0] == "退出码")
    assert {row[0] for row in exit_table.rows[1:]} >= {"0", "1", "2", "3", "130", "143", "141"}
    text = SOURCE.read_text(encoding="utf-8")
    assert "greencli.db-wal" in text and "greencli.db-shm" in text and "已中断" in text
    assert '"greencli[analysis]"' in text and "'greencli[analysis]'" not in text
    assert {b.path for b in BLOCKS if b.kind == "picture"} == {p.name for p in (ROOT / "docs").glob("*.png")}


def paragraphs_of(blocks: list[Block]) -> list[str]:
    """The text of each block as the Word document writes it (markup removed)."""
    out: list[str] = []
    for b in blocks:
        if b.kind in ("title", "note", "heading", "para"):
            out.append(plain(b.text))
        elif b.kind == "item":
            out.append(f"{b.marker}\t{plain(b.text)}")
        elif b.kind == "code":
            out.extend(line if line else " " for line in b.lines)
    return out


@pytest.fixture(scope="module")
def manual(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(SOURCE, tmp_path_factory.mktemp("manual") / "使用说明.docx")


def test_the_word_document_holds_every_section_picture_and_table_on_a4(manual: Path) -> None:
    doc = Document(str(manual))
    section = doc.sections[0]

    def mm(length: Length | None) -> int:
        assert length is not None
        value: float = length.mm
        return round(value)

    assert (mm(section.page_width), mm(section.page_height)) == (PAGE_WIDTH, PAGE_HEIGHT)
    assert mm(section.left_margin) == mm(section.right_margin) == MARGIN_SIDE
    headings = [
        (p.style.name, p.text) for p in doc.paragraphs if p.style is not None and p.style.name.startswith("Heading")
    ]
    wanted = [(f"Heading {b.level - 1}", plain(b.text)) for b in BLOCKS if b.kind == "heading"]
    assert headings == wanted
    texts = [p.text for p in doc.paragraphs]
    missing = [t for t in paragraphs_of(BLOCKS) if t not in texts]
    assert not missing, missing
    source_tables = [b.rows for b in BLOCKS if b.kind == "table"]
    assert [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables] == [
        [list(row) for row in rows] for rows in source_tables
    ]
    for table in doc.tables:
        assert sum(c.width.mm for c in table.columns) <= TYPE_WIDTH + 0.5
    pictures = [b for b in BLOCKS if b.kind == "picture"]
    assert len(doc.inline_shapes) == len(pictures) == 3
    for shape, block in zip(doc.inline_shapes, pictures, strict=True):
        width, height = picture_size(SOURCE.parent / block.path)
        assert abs(shape.width.mm - width) < 0.5 and shape.width <= Mm(TYPE_WIDTH)
        assert height <= PAGE_HEIGHT - 2 * MARGIN_TOP - 20  # with its caption, on one page
    props = doc.core_properties
    assert props.title == "greencli 使用说明" and props.author == "" and props.language == "zh-CN"
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "宋体"


@needs_libreoffice
@pytest.mark.libreoffice
def test_printed_the_manual_keeps_text_tables_and_pictures_inside_the_margins(manual: Path, tmp_path: Path) -> None:
    import pdfplumber

    pdf_path = convert(manual, "pdf", tmp_path / "pdf", tmp_path / "profile")
    points = 72 / 25.4
    left, right = MARGIN_SIDE * points - 1, (PAGE_WIDTH - MARGIN_SIDE) * points + 1
    text = ""
    images = 0
    with pdfplumber.open(pdf_path) as pdf:
        assert 8 <= len(pdf.pages) <= 20
        for page in pdf.pages:
            assert (round(page.width), round(page.height)) == (595, 842)
            # LibreOffice hangs a closing 。，、 past a full line's end, as Chinese typesetting allows (标点悬挂; the
            # document asks Word not to, w:overflowPunct): it prints inside the page, nothing else may leave the type area
            outside = [c["text"] for c in page.chars
                       if c["x0"] < left or c["x1"] > right + (c["size"] if c["text"] in CLOSING else 0)]  # fmt: skip
            assert not outside, (page.page_number, "".join(outside))
            for shape in [*page.images, *page.rects, *page.lines]:
                assert shape["x0"] >= left and shape["x1"] <= right, (page.page_number, shape["x0"], shape["x1"])
            images += len(page.images)
            body = page.crop((0, MARGIN_TOP * points - 2, page.width, page.height - MARGIN_TOP * points + 2))
            text += body.extract_text() or ""
    assert images == 3
    flat = re.sub(r"\s+", "", text)
    for block in BLOCKS:
        if block.kind in ("heading", "para", "item", "note"):
            assert re.sub(r"\s+", "", plain(block.text)) in flat, block.text
        elif block.kind == "code":
            for line in block.lines:
                assert re.sub(r"\s+", "", line) in flat, line


def test_the_offline_guide_points_to_the_manual_and_quotes_the_extra_for_cmd() -> None:
    guide = (ROOT / "deploy" / "安装说明.txt").read_text(encoding="utf-8")
    assert "使用说明.docx" in guide and "README" not in guide
    assert '"greencli[analysis]"' in guide and "'greencli[analysis]'" not in guide
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/使用说明.md" in readme and "'greencli[analysis]'" not in readme
