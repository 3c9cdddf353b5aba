"""Issue 22: what the office prints and keeps, checked as printed (LibreOffice → PDF → text, as the documents tests
do) and as stored (openpyxl, python-docx): no cell cut on paper in 汇总, 问题清单 and 名单; a superseded workbook
prints 被取代; the blank form prints without a near-empty page and names its community on every page; numbers and
dates are stored as numbers and dates; Word documents carry no python-docx author and no header or cell wrapped to
one character a line; one district workbook per year, and the sheets another command added are never lost
silently."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import openpyxl
import pdfplumber
import pytest
from docx import Document
from greencli.adapters.docx_notice import write_listing
from greencli.cli.app import app
from greencli.core.listings import NOTICE_KINDS, Listing, ListKind
from openpyxl.utils import column_index_from_string
from typer.testing import CliRunner

from tests.district import forget_rosters, score_batches
from tests.libreoffice import convert_all, needs_libreoffice

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ROSTER = str(SAMPLES / "roster.xlsx")
runner = CliRunner()
PRINTED = {
    "汇总": "2022年度绿色社区评审汇总",
    "问题清单": "2022年度绿色社区评分表问题清单",
    "名单": "2022年度绿色社区名单",
}


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), env={"COLUMNS": "120"})


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two years of the sample district in one ledger; 2022's workbook with the progress sheets added."""
    base = score_batches(tmp_path_factory.mktemp("printed"), ("2021", "2022"))
    result = invoke("progress", "--year", "2022", "--roster", ROSTER, "--db", str(base / "l.db"), "--out",
                    str(base / "2022.xlsx"))  # fmt: skip
    assert result.exit_code == 0, result.output
    return base


@pytest.fixture(scope="module")
def printed(district: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2022 workbook printed (only tests marked needs_libreoffice ask for it)."""
    out = tmp_path_factory.mktemp("printed-pdf")
    (pdf,) = convert_all([district / "2022.xlsx"], "pdf", out / "pdf", out / "profile")
    return pdf


# ── the district workbook on paper ──


def _shown(cell: Any) -> str | None:
    """A cell as the sheet shows it: text as it is, a date as yyyy-mm-dd, a number in its number format."""
    value = cell.value
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, int | float) and not isinstance(value, bool):
        decimals = cell.number_format.split(".")[1].count("0") if "." in cell.number_format else 0
        return f"{value:.{decimals}f}"
    return str(value)


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _columns(page: Any) -> list[tuple[float, float]]:
    """The page's columns, from the vertical rules of its bordered header (and, on the 名单, bordered cells)."""
    xs: list[float] = []
    for edge in sorted(e["x0"] for e in page.edges if e["orientation"] == "v"):
        if not xs or edge - xs[-1] > 2:
            xs.append(edge)
    return list(pairwise(xs))


def _column_texts(pdf: Path, title: str) -> Iterator[list[str]]:
    """For each page of the sheet printed under `title`: the text inside each of its columns, lines joined."""
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            lines = (page.extract_text() or "").splitlines()
            if not lines or lines[0] != title:
                continue
            yield [
                _squeezed(page.within_bbox((left - 0.5, 0, right + 0.5, page.height)).extract_text() or "")
                for left, right in _columns(page)
            ]


@needs_libreoffice
@pytest.mark.libreoffice
@pytest.mark.parametrize("sheet", list(PRINTED))
def test_no_cell_is_cut_on_paper(district: Path, printed: Path, sheet: str) -> None:
    """Issue 22, finding 4: 汇总's 说明 printed `本批另有更新的评…`, 问题清单's 文件 and 说明 were cut mid-path and
    mid-sentence. Every cell of every printed column must be on paper whole, inside its own column (wrapped lines
    joined)."""
    pages = list(_column_texts(printed, PRINTED[sheet]))
    assert pages, sheet
    ws = openpyxl.load_workbook(district / "2022.xlsx")[sheet]
    area = re.findall(r"\$([A-Z]+)\$\d+", str(ws.print_area or ""))
    last = column_index_from_string(area[-1]) if area else ws.max_column  # 汇总's 源文件 and the code stay on screen
    wanted: dict[int, list[str]] = {}
    row: Any
    for row in ws.iter_rows(max_col=last):
        if sheet == "名单" and (row[0].font.sz == 12 or any(c.coordinate in ws.merged_cells for c in row)):
            continue  # a list's title and its dated line run across the columns
        for cell in row:
            shown = _shown(cell)
            if shown is not None:
                wanted.setdefault(cell.column - 1, []).append(_squeezed(shown))
    for col, values in wanted.items():
        on_paper = "".join(page[col] for page in pages if col < len(page))
        for value in set(values):
            assert on_paper.count(value) >= values.count(value), (sheet, col, value)
    if sheet == "问题清单":  # the English code stays on screen: the Chinese title is what prints
        header = [c.value for c in ws[1]]
        assert header[-1] == "问题代码" and "问题类型" in header
        codes = {str(r[-1]) for r in ws.iter_rows(min_row=2, values_only=True)}
        assert codes and not any(code in "".join(page) for code in codes for page in pages)


@needs_libreoffice
@pytest.mark.libreoffice
def test_a_superseded_workbook_prints_as_superseded(district: Path, printed: Path) -> None:
    """Issue 22: a superseded row printed 结论 未达标 in pink beside the 达标 that stands; it prints 被取代, as the
    terminal says, and is not coloured as a verdict."""
    ws = openpyxl.load_workbook(district / "2022.xlsx")["汇总"]
    header = [c.value for c in ws[1]]
    rows: list[dict[Any, Any]] = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    superseded = [r for r in rows if r["说明"] and "本批另有更新" in r["说明"]]
    assert superseded and all(r["结论"] == "被取代" for r in superseded)
    colours: list[Any] = [rule for rules in ws.conditional_formatting for rule in rules.rules]
    assert not any('"被取代"' in f and (rule.dxf.fill is not None and "FFC7CE" in str(rule.dxf.fill.bgColor.rgb))
                   for rule in colours for f in rule.formula)  # fmt: skip
    with pdfplumber.open(printed) as document:
        text = "\n".join(p.extract_text() or "" for p in document.pages)
    total = f"{superseded[0]['总分']:.1f}"
    line = next(x for x in text.splitlines() if superseded[0]["社区编码"] in x and total in x)
    assert "被取代" in line and "未达标" not in line and "达标" not in line.replace("被取代", "")


def test_numbers_and_dates_are_stored_as_numbers_and_dates(district: Path) -> None:
    """Issue 22, finding 5: the 名单 sheet's 序号 and 总分 were text ('97.0', green triangles in Excel), 汇总's
    评审日期 too."""
    wb = openpyxl.load_workbook(district / "2022.xlsx")
    summary = wb["汇总"]
    header = [c.value for c in summary[1]]
    dates: list[Any] = [
        row[header.index("评审日期")] for row in summary.iter_rows(min_row=2) if row[header.index("评审日期")].value
    ]
    assert dates and all(c.is_date and "yy" in c.number_format for c in dates)
    lists = wb["名单"]
    typed = {"序号": 0, "总分": 0, "命名日期": 0, "复审得分": 0}
    columns: list[str] = []
    row: Any
    for row in lists.iter_rows():
        if row[0].value == "序号":
            columns = [str(c.value) for c in row]
            continue
        if not isinstance(row[0].value, int) or row[0].font.b:
            continue
        for cell, name in zip(row, columns, strict=False):
            if name in ("序号", "总分", "复审得分") and cell.value not in (None, ""):
                assert cell.data_type == "n" and not isinstance(cell.value, str), (name, cell.value)
                typed[name] += 1
            if name == "命名日期" and cell.value not in (None, ""):
                assert cell.is_date, cell.value
                typed[name] += 1
    assert all(typed.values()), typed
    status = wb["社区状态"]
    named: list[Any] = [c for (c,) in status.iter_rows(min_row=2, min_col=9, max_col=9) if c.value is not None]
    assert named and all(c.is_date for c in named)


# ── the blank form ──


@needs_libreoffice
@pytest.mark.libreoffice
def test_the_form_prints_without_a_near_empty_page_and_names_its_community_on_every_page(tmp_path: Path) -> None:
    """Issue 22: the form's 小区 sheet spilled two rows onto a near-empty 17th page (46 extra sheets a district), and
    its pages did not name the community. Each sheet prints whole pages, and every page names the community (the
    blank form leaves room to write it in)."""
    forms = tmp_path / "forms"
    assert invoke("template", "--roster", ROSTER, "--year", "2023", "--out", str(forms), "--quiet").exit_code == 0
    assert invoke("template", "--year", "2023", "--out", str(tmp_path / "blank"), "--quiet").exit_code == 0
    named = next(forms.rglob("HH-01_*.xlsx"))
    blank = next((tmp_path / "blank").rglob("*.xlsx"))
    pdfs = convert_all([named, blank], "pdf", tmp_path / "pdf", tmp_path / "profile")
    for pdf, who in zip(pdfs, (("HH-01", named.stem.split("_", 1)[1]), ("社区编码：", "社区名称：")), strict=True):
        with pdfplumber.open(pdf) as document:
            texts = [page.extract_text() or "" for page in document.pages]
        firsts = [text.splitlines()[0] for text in texts]
        compounds = [t for t in firsts if "社区内居住小区情况" in t]
        forms_pages = [t for t in firsts if "评分表" in t]
        assert len(compounds) == 1, firsts  # the 小区 sheet: one page, its rows sized to fit it
        assert len(texts) == len(forms_pages) + 3, firsts  # 基本信息, 小区 and 说明 one page each
        assert len(forms_pages) <= 14
        for number, text in enumerate(texts, start=1):
            footer = text.splitlines()[-1]
            assert all(part in footer for part in who), (pdf.name, number, footer)
            assert f"第 {number} 页" in footer


def test_the_footer_keeps_a_name_as_it_is_and_within_the_page(tmp_path: Path) -> None:
    """The footer's name is swapped in per community: an & in it is not a footer code, a long one is shortened
    there only (the sheets keep it whole)."""
    roster = tmp_path / "roster.csv"
    long_name = "和平&友谊" + "长" * 30 + "社区"
    roster.write_text(f"社区编码,社区名称,乡街,类型\nX-1,{long_name},甲街道,城市社区\n", encoding="utf-8")
    assert invoke("template", "--roster", str(roster), "--year", "2023", "--out", str(tmp_path / "t")).exit_code == 0
    wb = openpyxl.load_workbook(next((tmp_path / "t").rglob("*.xlsx")))
    for name in ("基本信息", "评分表", "小区", "说明"):
        footer = wb[name].oddFooter
        assert footer is not None
        left = str(footer.left.text)
        assert left.startswith("X-1") and "和平&&友谊" in left and left.endswith("…") and len(left) < 40, left
        assert "&P" in str(footer.center.text)
    assert long_name in [c.value for row in wb["基本信息"].iter_rows() for c in row]  # whole where it is read


# ── Word documents ──


@pytest.fixture(scope="module")
def notices(district: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("printed-notices")
    made = {}
    for kind in NOTICE_KINDS:
        path = out / f"{kind}.docx"
        result = invoke("notice", "--year", "2022", "--kind", kind, "--out", str(path), "--roster", ROSTER, "--db",
                        str(district / "l.db"))  # fmt: skip
        assert result.exit_code == 0, result.output
        made[kind] = path
    long_reason = Listing(
        ListKind.REVOKED, "2022年度绿色社区撤销名单", "统计截至：2022年12月31日", ("序号", "乡街", "社区名称", "社区编码", "撤销原因"),
        tuple((str(i), "腾飞路街道", "海滨花园东里社区", f"TF-{i:02d}",
               "复审触及否决项：V1 较严重私搭乱建、V3 社区容貌脏乱差、V4 发生较大安全事故，且复审得分 71.5 分，低于 80 分")
              for i in range(1, 4)),
        ("TF-01", "TF-02", "TF-03"),
    )  # fmt: skip
    write_listing(out / "长原因.docx", long_reason)
    made["长原因"] = out / "长原因.docx"
    return made


def test_word_documents_carry_no_python_docx_author(notices: dict[str, Path]) -> None:
    """Issue 22, finding 6: the author was `python-docx`. No setting names the office yet: blank."""
    for kind, path in notices.items():
        props = Document(str(path)).core_properties
        assert props.author == "" and props.last_modified_by == "", kind
        assert "python-docx" not in " ".join(str(getattr(props, k) or "") for k in ("comments", "title", "subject"))
        assert props.title and props.created is not None and props.created.year >= 2024


@needs_libreoffice
@pytest.mark.libreoffice
def test_no_word_table_wraps_one_character_a_line(notices: dict[str, Path], tmp_path: Path) -> None:
    """Issue 22, finding 6: table headers wrapped one character a line (城市社/区, 社区编/码, 还差/（个）). No header
    or cell of any kind's tables, long reasons included, leaves one character on a line (a 乡街 stays whole beside
    a long reason: 腾飞路街/道 was one)."""
    pdfs = convert_all(list(notices.values()), "pdf", tmp_path / "pdf", tmp_path / "profile")
    tables = 0
    for kind, pdf in zip(notices, pdfs, strict=True):
        with pdfplumber.open(pdf) as document:
            for page in document.pages:
                for table in page.extract_tables():
                    tables += 1
                    for row in table:
                        for cell in row:
                            lines = [x.strip() for x in (cell or "").split("\n") if x.strip()]
                            assert len(lines) == 1 or all(len(x) > 1 for x in lines), (kind, cell)
    assert tables >= len(notices) - 2  # every kind has a table in 2022, but the lists that are 无


# ── one workbook per year; the sheets another command wrote ──


def _sheets(path: Path) -> list[str]:
    return list(openpyxl.load_workbook(path, read_only=True).sheetnames)


def test_each_year_has_its_own_district_workbook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 22, finding 1: scoring 2022 after 2021 with no --out replaced the 2021 workbook, with the sheets
    `progress --out` had added to it."""
    monkeypatch.chdir(tmp_path)
    db = str(tmp_path / "l.db")
    assert invoke("score", str(SAMPLES / "inspections" / "2021"), "--roster", ROSTER, "--db", db).exit_code == 1
    assert invoke("progress", "--year", "2021", "--roster", ROSTER, "--db", db, "--out", ".").exit_code == 0
    first = tmp_path / "绿色社区汇总_2021.xlsx"
    assert "年度进度" in _sheets(first)
    before = first.read_bytes()
    doc = json.loads(invoke("score", str(SAMPLES / "inspections" / "2022"), "--roster", ROSTER, "--db", db,
                            "--json").stdout)  # fmt: skip
    assert doc["out"] == "绿色社区汇总_2022.xlsx"
    assert first.read_bytes() == before  # 2021's workbook, with its progress sheets, untouched
    summary = openpyxl.load_workbook(tmp_path / "绿色社区汇总_2022.xlsx")["汇总"]
    assert {row[3] for row in summary.iter_rows(min_row=2, values_only=True)} - {None} == {2022}
    # --out as the contract has it: the file given, whatever its name
    assert invoke("score", str(SAMPLES / "inspections" / "2022"), "--db", db, "--out", "汇总.xlsx").exit_code == 1
    assert (tmp_path / "汇总.xlsx").is_file()
    # a folder: the year's own name inside it; rollup likewise names its workbook by the year it reports
    assert invoke("score", str(SAMPLES / "inspections" / "2021"), "--db", db, "--out", "书/").exit_code == 1
    assert (tmp_path / "书" / "绿色社区汇总_2021.xlsx").is_file()
    cron = tmp_path / "cron"
    (cron / "inbox").mkdir(parents=True)
    for source in list((SAMPLES / "inspections" / "2022" / "渤海乡").glob("*.xlsx")):
        (cron / "inbox" / source.name).write_bytes(source.read_bytes())
    monkeypatch.chdir(cron)
    assert invoke("rollup", "--inbox", "inbox", "--db", "r.db", "--log", "r.log").exit_code == 0
    assert [p.name for p in cron.glob("*.xlsx")] == ["绿色社区汇总_2022.xlsx"]


def test_score_keeps_the_progress_sheets_or_says_it_could_not(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 22, finding 1: a later `score` to the same workbook dropped the sheets `progress --out` had added. They
    are made again from the ledger (with the new batch) for the year and --as-of they were made for; without a
    roster they cannot be, and the run says so and how to add them back."""
    monkeypatch.chdir(tmp_path)
    db = str(tmp_path / "l.db")
    batch = str(SAMPLES / "inspections" / "2021")
    out = tmp_path / "绿色社区汇总_2021.xlsx"
    invoke("score", batch, "--roster", ROSTER, "--db", db)
    assert invoke("progress", "--year", "2021", "--as-of", "2021-10-01", "--roster", ROSTER, "--db", db, "--out",
                  str(out)).exit_code == 0  # fmt: skip
    doc = json.loads(invoke("score", batch, "--roster", ROSTER, "--db", db, "--json").stdout)
    assert "重新生成" in doc["out_note"]
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[-4:] == ["年度进度", "社区状态", "冲刺名单", "名单"]
    assert "2021-10-01" in str(wb["社区状态"]["K1"].value)  # the --as-of they were made for
    doc = json.loads(invoke("score", batch, "--db", db, "--json").stdout)  # the roster the ledger keeps for 2021
    assert "重新生成" in doc["out_note"] and "年度进度" in _sheets(out)
    forget_rosters(db)  # a ledger that keeps none (upgraded from before rosters were kept): they cannot be made
    doc = json.loads(invoke("score", batch, "--db", db, "--json").stdout)
    assert "未保留" in doc["out_note"] and "greencli progress --year 2021 --as-of 2021-10-01" in doc["out_note"]
    assert "年度进度" not in _sheets(out)
    table = invoke("score", batch, "--db", db).output
    assert "汇总工作簿：绿色社区汇总_2021.xlsx" in table


def test_a_sheet_a_person_added_is_never_dropped(tmp_path: Path) -> None:
    """Issue 22: a sheet no greencli command wrote is never lost to a rewrite: score and rollup refuse the workbook
    (exit 2) before recording anything, and say which sheet and what to do."""
    db = tmp_path / "l.db"
    out = tmp_path / "汇总.xlsx"
    batch = str(SAMPLES / "inspections" / "2022" / "渤海乡")
    assert invoke("score", batch, "--db", str(db), "--out", str(out)).exit_code == 0
    wb = openpyxl.load_workbook(out)
    wb.create_sheet("备注")["A1"] = "区里的备注"
    wb.save(out)
    before = out.read_bytes()
    fresh = tmp_path / "fresh.db"
    result = invoke("score", batch, "--db", str(fresh), "--out", str(out))
    assert (
        result.exit_code == 2 and "备注" in result.output and "--out" in result.output
    )  # the sheet it names and the option to use: the wording is the feature
    assert out.read_bytes() == before and not fresh.exists()
    result = invoke("rollup", "--inbox", batch, "--db", str(fresh), "--out", str(out), "--log", str(tmp_path / "r.log"))
    assert result.exit_code == 2 and out.read_bytes() == before and "备注" in _sheets(out)
    assert "备注" in (tmp_path / "r.log").read_text(encoding="utf-8")
