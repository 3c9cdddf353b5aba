"""The record sheet an inspector carries (issue 26, item 1; contract: `template` writes `<workbook>_现场评审记录`
beside each workbook): at most 4 A4 pages at ≥ 9 pt with every entry code, in the workbook's own order, so that a
filled sheet typed in straight down the 录入值 column scores."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import openpyxl
import pdfplumber
import pytest
from greencli.adapters.rubric_file import load_rubric
from greencli.adapters.xlsx_fill import fill
from greencli.cli.app import app
from typer.testing import CliRunner

from tests.builders import C, perfect_values
from tests.libreoffice import convert_all, needs_libreoffice

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
ROSTER = str(ROOT / "samples" / "roster.csv")


@pytest.fixture(scope="module", params=["2021.1", "2021.2"])
def forms(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp(f"forms-{request.param}")
    made = runner.invoke(app, ["template", "--roster", ROSTER, "--year", "2022", "--out", str(out), "--json",
                               "--rubric-version", request.param])  # fmt: skip
    assert made.exit_code == 0, made.output
    return request.param, out


def record_rows(path: Path) -> list[tuple[str, bool]]:
    """The record sheet's entry rows, top to bottom: (code, whether it is typed in)."""
    table = docx.Document(str(path)).tables[1]
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    return [(r[0], r[3] != "不填") for r in rows]


def workbook_codes(path: Path) -> list[str]:
    ws = openpyxl.load_workbook(path)["评分表"]
    header = next(row for row in ws.iter_rows() if any(c.value == "编号" for c in row))
    col = next(c.column for c in header if c.value == "编号")
    codes = []
    first = header[0].row
    assert first is not None
    for r in range(first + 1, ws.max_row + 1):
        value = ws.cell(r, col).value
        if isinstance(value, str) and value.strip():
            codes.append(value.strip())
    return codes


def test_every_workbook_has_its_record_sheet_in_the_workbooks_order(forms: tuple[str, Path]) -> None:
    version, out = forms
    rubric = load_rubric(version=version)
    workbooks = sorted(p for p in out.rglob("*.xlsx"))
    records = sorted(out.rglob("*_现场评审记录.docx"))
    assert len(records) == len(workbooks) == 46
    for workbook in workbooks[:3]:
        record = workbook.with_name(f"{workbook.stem}_现场评审记录.docx")
        rows = record_rows(record)
        assert [code for code, _ in rows] == list(rubric.entry_codes) == workbook_codes(workbook)
        assert {code for code, typed in rows if not typed} == {
            *(r.code for r in rubric.rows() if not r.entered),
            *(v.code for v in rubric.vetoes if not v.entered),
        }
        text = "\n".join(p.text for p in docx.Document(str(record)).paragraphs)
        code, name = workbook.stem.split("_", 1)
        assert code in docx.Document(str(record)).tables[0].rows[0].cells[1].text
        assert name in docx.Document(str(record)).tables[0].rows[0].cells[3].text
        assert "2022" in text


def test_a_filled_record_sheet_typed_in_straight_down_scores(forms: tuple[str, Path], tmp_path: Path) -> None:
    version, out = forms
    rubric = load_rubric(version=version)
    workbook = next(out.rglob("ZJ-01_*.xlsx"))
    record = workbook.with_name(f"{workbook.stem}_现场评审记录.docx")
    answers = perfect_values(rubric)  # what the inspector wrote in the boxes, row by row
    typed = [(code, answers.get(code)) for code, typing in record_rows(record) if typing]
    filled = fill(workbook, tmp_path / workbook.name, dict(typed), compounds=(C(),), info={"评审日期": "2022-10-15"})
    done = runner.invoke(app, ["score", str(filled), "--roster", ROSTER, "--dry-run", "--json"])
    assert done.exit_code == 0, done.output
    (result,) = json.loads(done.stdout)["results"]
    assert result["verdict"] == "pass" and result["rubric_version"] == version and result["total"] == 100


@needs_libreoffice
def test_the_record_sheet_prints_on_at_most_four_a4_pages_at_nine_points(
    forms: tuple[str, Path], tmp_path: Path
) -> None:
    version, out = forms
    rubric = load_rubric(version=version)
    records = sorted(out.rglob("*_现场评审记录.docx"))[:2]
    for pdf in convert_all(records, "pdf", tmp_path / "pdf", tmp_path / "profile"):
        with pdfplumber.open(pdf) as opened:
            assert 1 <= len(opened.pages) <= 4, (pdf.name, len(opened.pages))
            for page in opened.pages:
                assert (round(page.width), round(page.height)) == (595, 842)
                assert min(c["size"] for c in page.chars) >= 8.95
            text = "\n".join(page.extract_text() or "" for page in opened.pages)
        for code in rubric.entry_codes:
            assert code in text, (pdf.name, code)
