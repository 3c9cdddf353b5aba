"""What the office hands out (issue: print-ready workbook, 名单, 通报, the city's naming), checked as printed:
every document goes through LibreOffice to PDF and is read back with pdfplumber."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from docx import Document
from docx.shared import Mm, Pt
from greencli.cli.app import app
from greencli.core.listings import NOTICE_KINDS
from typer.testing import CliRunner

from tests.district import SampleDistrict, forget_rosters
from tests.errors import error_code, message_of, problem_codes
from tests.libreoffice import convert_all, needs_libreoffice

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ROSTER = str(SAMPLES / "roster.xlsx")
runner = CliRunner()
A4 = (595.3, 841.9)  # points
STATUS_OF_KIND = {"认定名单": "pass", "复审通过名单": "repass", "撤销名单": "revoked", "逾期未复审名单": "lapsed"}
CODE = re.compile(r"\b(?:BH|ZJ|HH|TF|CC)-(?:V?\d+)\b")


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), env={"COLUMNS": "120"})


@pytest.fixture(scope="module")
def ledger(sample_district: SampleDistrict) -> Path:
    """The sample district's three years, as `make demo` records them (l.db and each year's workbook; read only:
    a test that changes the ledger copies it)."""
    return sample_district.folder


def progress(ledger: Path, year: int, *extra: str) -> dict[str, Any]:
    result = invoke("progress", "--year", str(year), "--roster", ROSTER, "--db", str(ledger / "l.db"), "--json", *extra)
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def expected_codes(ledger: Path, year: int, kind: str) -> set[str]:
    """Who a 名单 must list, from `progress --json` alone (contract.md)."""
    doc = progress(ledger, year)
    urban = [c for c in doc["communities"] if c["urban"]]
    if kind in STATUS_OF_KIND:
        return {c["community_id"] for c in urban if c["status"] == STATUS_OF_KIND[kind]}
    if kind == "上报名单":
        return {c["community_id"] for c in urban if c["nominated"]}
    if kind == "省级推荐名单":
        return {c["community_id"] for c in urban if c["provincial_eligible"]}
    assert kind == "应复审名单"
    before = progress(ledger, year - 1)
    due = {
        c["community_id"] for c in before["communities"] if c["urban"] and c["status"] in ("pass", "repass", "pending")
    }
    assert due == {d["community_id"] for d in doc["due"]}  # progress says the same
    return due


def pdf_text(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


@pytest.fixture(scope="module")
def notices(ledger: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[int, str], Path]:
    out = tmp_path_factory.mktemp("notices")
    made = {}
    for year in (2022, 2023):
        for kind in NOTICE_KINDS:
            path = out / f"{year}-{kind}.docx"
            result = invoke("notice", "--year", str(year), "--kind", kind, "--out", str(path), "--roster", ROSTER,
                            "--db", str(ledger / "l.db"), "--json")  # fmt: skip
            assert result.exit_code == 0, result.output
            assert json.loads(result.stdout)["out"].endswith(path.name)
            made[(year, kind)] = path
    return made


@needs_libreoffice
@pytest.mark.libreoffice
def test_every_notice_converts_is_a4_and_lists_exactly_whom_progress_gives(
    ledger: Path, notices: dict[tuple[int, str], Path], tmp_path: Path
) -> None:
    pdfs = dict(zip(notices, convert_all(list(notices.values()), "pdf", tmp_path / "pdf", tmp_path / "profile"),
                    strict=True))  # fmt: skip
    roster_names = {c["community_id"]: c["community"] for c in progress(ledger, 2023)["communities"]}
    for (year, kind), pdf in pdfs.items():
        with pdfplumber.open(pdf) as document:
            assert all((round(p.width, 1), round(p.height, 1)) == A4 for p in document.pages), (year, kind)
        text = pdf_text(pdf)
        listed = set(CODE.findall(text))
        if kind == "通报":
            wanted: set[str] = set().union(*(expected_codes(ledger, year, k) for k in
                                             ("认定名单", "复审通过名单", "撤销名单", "逾期未复审名单", "省级推荐名单")))  # fmt: skip
        else:
            wanted = expected_codes(ledger, year, kind)
        assert listed == wanted, (year, kind)
        for code in wanted:
            assert roster_names[code] in text, (year, kind, code)
        if not wanted:
            assert "无" in text, (year, kind)


def test_the_lists_match_progress_and_are_not_empty_by_accident(ledger: Path) -> None:
    # the sample district gives every list someone in 2023, so the comparisons above test something
    for kind in ("上报名单", "认定名单", "复审通过名单", "撤销名单", "逾期未复审名单", "省级推荐名单", "应复审名单"):
        assert expected_codes(ledger, 2023, kind), kind
    assert expected_codes(ledger, 2022, "逾期未复审名单") == set()  # 2022 has none: its list says 无


@needs_libreoffice
@pytest.mark.libreoffice
def test_the_bulletin_states_rates_and_targets_in_the_official_layout(
    ledger: Path, notices: dict[tuple[int, str], Path], tmp_path: Path
) -> None:
    source = notices[(2022, "通报")]
    doc = Document(str(source))
    section = doc.sections[0]
    width, height = section.page_width or 0, section.page_height or 0
    left, right = section.left_margin or 0, section.right_margin or 0
    top, bottom = section.top_margin or 0, section.bottom_margin or 0
    assert (round(width / Mm(1)), round(height / Mm(1))) == (210, 297)
    assert (round((width - left - right) / Mm(1)), round((height - top - bottom) / Mm(1))) == (156, 225)
    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16) and normal.element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "仿宋_GB2312"  # fmt: skip
    title = next(p for p in doc.paragraphs if p.text.startswith("关于2022年度"))
    assert title.runs[0].font.size == Pt(22)
    (pdf,) = convert_all([source], "pdf", tmp_path / "pdf", tmp_path / "profile")
    text = pdf_text(pdf)
    p2022 = progress(ledger, 2022)
    assert "60%" in text and f"{p2022['district']['rate'] * 100:.1f}%" in text
    for s in p2022["subdistricts"]:
        assert s["name"] in text and f"{s['rate'] * 100:.1f}%" in text
    assert f"还差{p2022['district']['gap']}个" in re.sub(r"\s+", "", text)  # (the PDF spaces digits from CJK)
    with pdfplumber.open(pdf) as document:
        first = document.pages[0]
        body = [c for c in first.chars if 150 < c["top"] < first.height - 110]
        assert body and min(round(c["size"]) for c in body) == 16  # 三号 body
        lines: dict[int, list[dict[str, Any]]] = {}
        for c in document.pages[0].chars:
            if c["top"] > 300:  # below the 版头
                lines.setdefault(round(c["top"]), []).append(c)
        assert max(len(chars) for chars in lines.values()) <= 28 + 6  # 28 characters (digits are narrower)
        full_page = document.pages[1]
        tops = {round(c["top"] / 4) for c in full_page.chars if c["size"] > 15 and c["top"] < full_page.height - 100}
        assert len(tops) <= 22


def test_notice_refuses_what_it_cannot_write(ledger: Path, tmp_path: Path) -> None:
    db = str(ledger / "l.db")
    base = ["notice", "--year", "2023", "--roster", ROSTER, "--db", db]
    refused = {
        "notice-kind-unknown": ["--kind", "表扬名单", "--out", str(tmp_path / "a.docx")],
        "notice-out-not-docx": ["--kind", "通报", "--out", str(tmp_path / "a.pdf")],
        "notice-out-folder": ["--kind", "通报", "--out", str(tmp_path)],
        "as-of-before-year": ["--kind", "通报", "--out", str(tmp_path / "a.docx"), "--as-of", "2022-01-01"],
    }
    for code, args in refused.items():
        result = invoke(*base, *args, "--json")
        assert result.exit_code == 2 and error_code(result) == code, (code, result.output)
    bare = tmp_path / "bare.db"  # a ledger that keeps no roster (one upgraded from before rosters were kept)
    shutil.copy(db, bare)
    forget_rosters(bare)
    no_roster = invoke("notice", "--year", "2023", "--kind", "通报", "--out", str(tmp_path / "a.docx"), "--db",
                       str(bare), "--json")  # fmt: skip
    assert no_roster.exit_code == 2 and error_code(no_roster) == "roster-needed"
    assert not list(tmp_path.glob("*.docx")) and not list(tmp_path.glob("*.pdf"))
    plain = invoke(*base, "--kind", "认定名单", "--out", str(tmp_path / "认定"))
    assert plain.exit_code == 0 and (tmp_path / "认定.docx").exists()


def test_the_provincial_list_follows_as_of(ledger: Path, tmp_path: Path) -> None:
    early = tmp_path / "early.docx"
    args = ["notice", "--year", "2023", "--kind", "省级推荐名单", "--roster", ROSTER, "--db", str(ledger / "l.db"),
            "--json"]  # fmt: skip
    late = json.loads(invoke(*args, "--out", str(tmp_path / "late.docx")).stdout)["communities"]
    soon = json.loads(invoke(*args, "--out", str(early), "--as-of", "2023-09-30").stdout)["communities"]
    assert set(soon) < set(late) and "CC-06" in late and "CC-06" not in soon
    ordered = progress(ledger, 2023)["provincial"]
    assert late == ordered  # 择优推荐 order, as progress gives it


def test_confer_dates_the_title_from_the_citys_naming(ledger: Path, tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    db.write_bytes((ledger / "l.db").read_bytes())
    before = {c["community_id"]: c for c in progress(ledger, 2023)["communities"]}
    assert before["ZJ-09"]["title_date"] == "2023-09-22"
    result = invoke("confer", "ZJ-09", "zj-04", "--year", "2023", "--date", "2023-12-20", "--doc", "秦创绿〔2023〕5号",
                    "--db", str(db), "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert [c["community_id"] for c in json.loads(result.stdout)["conferred"]] == ["ZJ-09", "ZJ-04"]
    after = {c["community_id"]: c for c in progress(tmp_path, 2023)["communities"]}
    assert after["ZJ-09"]["title_date"] == "2023-12-20" and after["ZJ-04"]["title_date"] == "2023-12-20"
    assert after["CC-08"]["title_date"] == before["CC-08"]["title_date"]  # others untouched
    # the naming date starts the year before provincial eligibility: not yet on 2024-12-19, on 2024-12-20 (the status
    # is 2023's 达标; in 2024 itself, unreviewed, it would be 待复审 and never put forward)
    on_eve = {c["community_id"]: c for c in progress(tmp_path, 2023, "--as-of", "2024-12-19")["communities"]}
    on_day = {c["community_id"]: c for c in progress(tmp_path, 2023, "--as-of", "2024-12-20")["communities"]}
    assert on_eve["ZJ-09"]["provincial_eligible"] is False and on_day["ZJ-09"]["provincial_eligible"] is True
    history = invoke("history", "ZJ-09", "--db", str(db), "--json")
    assert json.loads(history.stdout)["conferrals"][0]["doc"] == "秦创绿〔2023〕5号"
    assert "市级命名" in invoke("history", "ZJ-09", "--db", str(db)).output


@pytest.mark.parametrize(
    ("codes", "day", "code", "problem", "named"),
    [
        (["ZJ-01"], "2023-12-20", "confer-refused", "confer-not-passed", "ZJ-01"),  # re-reviewed: named before
        (["TF-03"], "2023-12-20", "confer-refused", "confer-no-record", "TF-03"),  # not evaluated in 2023
        (["ZJ-11"], "2023-12-20", "confer-refused", "confer-not-passed", "ZJ-11"),  # evaluated and failed
        (["ZJ-09"], "2023-09-01", "confer-refused", "confer-too-early", "ZJ-09"),  # before its 评审日期
        (["ZJ-09"], (date.today().replace(year=date.today().year + 1)).isoformat(), "confer-date-future", None, None),
        (["ZJ-09", "XX-99"], "2023-12-20", "confer-refused", "confer-no-record", "XX-99"),  # one bad: none recorded
    ],
)  # fmt: skip
def test_confer_refuses_a_naming_without_a_pass(
    ledger: Path, tmp_path: Path, codes: list[str], day: str, code: str, problem: str | None, named: str | None
) -> None:
    db = tmp_path / "l.db"
    db.write_bytes((ledger / "l.db").read_bytes())
    result = invoke("confer", *codes, "--year", "2023", "--date", day, "--doc", "秦创绿〔2023〕5号", "--db", str(db),
                    "--json")  # fmt: skip
    assert result.exit_code == 2 and error_code(result) == code and "Traceback" not in result.output
    assert problem_codes(result) == ([problem] if problem else [])
    if named is not None:
        assert named in message_of(result)  # it names the community the office must look at
    assert json.loads(invoke("history", "ZJ-09", "--db", str(db), "--json").stdout)["conferrals"] == []


# ── the district workbook, printed ──


def pages_by_sheet(pdf: Path) -> dict[str, list[Any]]:
    """Each printed page under the title its page header carries (every sheet prints its own)."""
    pages: dict[str, list[Any]] = {}
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            lines = (page.extract_text() or "").splitlines()
            body = [c["size"] for c in page.chars if 45 < c["top"] < page.height - 45]
            pages.setdefault(lines[0] if lines else "", []).append((min(body) if body else 99, page.extract_text()))
    return pages


@needs_libreoffice
@pytest.mark.libreoffice
def test_the_district_workbook_prints_legibly_in_few_pages(ledger: Path, tmp_path: Path) -> None:
    workbook = tmp_path / "汇总2022.xlsx"
    workbook.write_bytes((ledger / "2022.xlsx").read_bytes())
    assert invoke("progress", "--year", "2022", "--roster", ROSTER, "--db", str(ledger / "l.db"), "--out",
                  str(workbook)).exit_code == 0  # fmt: skip
    (pdf,) = convert_all([workbook], "pdf", tmp_path / "pdf", tmp_path / "profile")
    pages = pages_by_sheet(pdf)
    titles = {title.split("年", 1)[1] if "年" in title else title: found for title, found in pages.items()}
    assert len(titles["度绿色社区评审汇总"]) <= 2  # 34 rows
    assert len(titles["度绿色社区评审各部门失分"]) == 1
    assert len(titles["度绿色社区分项得分"]) <= 4
    assert all("社区编码" in text for _, text in titles["度绿色社区分项得分"])  # identity columns on every page
    assert "度绿色社区创建进度" in titles and "度绿色社区名单" in titles
    for title, found in pages.items():
        for smallest, _ in found:
            assert smallest >= 7.95, (title, smallest)
    assert sum(len(found) for found in pages.values()) <= 20


# ── the scoring form, printed ──


@needs_libreoffice
@pytest.mark.libreoffice
def test_the_form_prints_at_a_readable_size_with_whole_items(tmp_path: Path) -> None:
    result = invoke("template", "--roster", ROSTER, "--year", "2023", "--out", str(tmp_path / "forms"), "--quiet")
    assert result.exit_code == 0
    form = next((tmp_path / "forms").rglob("HH-01_*.xlsx"))
    (pdf,) = convert_all([form], "pdf", tmp_path / "pdf", tmp_path / "profile")
    from greencli.adapters.rubric_file import load_rubric

    rubric = load_rubric()
    item_of = {row.code: item.number for item in rubric.items for row in item.rows}
    pages_of: dict[int, set[int]] = {}
    score_pages = []
    with pdfplumber.open(pdf) as document:
        for number, page in enumerate(document.pages):
            text = page.extract_text() or ""
            if "绿色社区评审评分表" not in text.splitlines()[0]:
                if "填表说明" in text:  # the 说明 sheet stays inside the page's margins
                    assert max(c["x1"] for c in page.chars) <= page.width - 20
                if "基本信息" in text.splitlines()[0]:  # the application form too prints at its 9-point size
                    assert min(c["size"] for c in page.chars if c["top"] < page.height - 40) >= 8.95
                continue
            score_pages.append(text)
            body = [c["size"] for c in page.chars if c["top"] < page.height - 40]
            assert min(body) >= 8.95, (number, min(body))  # 9-point body text on paper
            header = next(w for w in page.extract_words() if w["text"] == "编号")
            column = [w["text"] for w in page.extract_words()
                      if header["x0"] - 8 <= w["x0"] and w["x1"] <= header["x1"] + 8 and w["top"] > header["bottom"]]  # fmt: skip
            for code in column:
                if code in item_of:
                    pages_of.setdefault(item_of[code], set()).add(number)
    assert len(pages_of) == len(rubric.items)  # every item found in the 编号 column
    split = {item: pages for item, pages in pages_of.items() if len(pages) > 1}
    assert split == {}, split  # no item's rows on two pages
    last = score_pages[-1]
    assert "评审结论" in last and "小计" in last and "评审人员（签字）" in last  # the totals print together
    assert "V1" in score_pages[-1] or "V1" in score_pages[-2]
    assert len(score_pages) <= 16


def test_rates_read_as_spreadsheets_show_them() -> None:
    from fractions import Fraction

    from greencli.core.values import percent_text

    assert [percent_text(v) for v in (Fraction(9, 16), 0.5625, Fraction(1, 3), Fraction(32, 46), None)] == [
        "56.3%", "56.3%", "33.3%", "69.6%", "—"]  # fmt: skip


def test_a_naming_recorded_again_replaces_the_first_whatever_the_case(ledger: Path, tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    db.write_bytes((ledger / "l.db").read_bytes())
    for code, day in (("zj-04", "2023-12-01"), ("ZJ-04", "2023-12-20")):
        assert invoke("confer", code, "--year", "2023", "--date", day, "--doc", "x", "--db", str(db)).exit_code == 0
    named = json.loads(invoke("history", "ZJ-04", "--db", str(db), "--json").stdout)["conferrals"]
    assert [c["date"] for c in named] == ["2023-12-20"]
    assert {c["community_id"]: c for c in progress(tmp_path, 2023)["communities"]}["ZJ-04"][
        "title_date"
    ] == "2023-12-20"


def test_a_bulletin_for_villages_only_says_so(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("社区编码,社区名称,乡街,类型\nV-1,西河村,渤海乡,村\n", encoding="utf-8")
    db = tmp_path / "l.db"
    village = next((SAMPLES / "inspections" / "2023").rglob("BH-V1_*.xlsx"))
    invoke("score", str(village), "--roster", str(roster), "--db", str(db), "--out", str(tmp_path / "o.xlsx"))
    out = tmp_path / "通报.docx"
    result = invoke(
        "notice", "--year", "2023", "--kind", "通报", "--out", str(out), "--roster", str(roster), "--db", str(db)
    )
    assert result.exit_code == 0, result.output
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "没有城市社区" in text and "还差0个" not in text


def test_the_forms_page_breaks_survive_every_spreadsheet_program(tmp_path: Path) -> None:
    import openpyxl

    assert invoke("template", "--year", "2023", "--out", str(tmp_path)).exit_code == 0
    sheet = openpyxl.load_workbook(next(tmp_path.rglob("*.xlsx")))["评分表"]
    # Excel ignores manual page breaks on a sheet fitted to pages: the form prints at 100 % with its own breaks
    assert sheet.page_setup.scale in (None, 100)  # 100 % is the default, left unwritten
    assert not sheet.sheet_properties.pageSetUpPr.fitToPage  # type: ignore[union-attr]
    assert len(sheet.row_breaks.brk) >= 8
    labels = {str(cell.value) for (cell,) in sheet.iter_rows(min_row=5, max_col=1) if cell.value}
    for label in labels:  # whole: the full label, the name without its points, or the numeral; never cut mid-way
        assert label.count("（") == label.count("）"), label
        assert "、" not in label or (label.split("、")[1] and not label.endswith("、")), label
