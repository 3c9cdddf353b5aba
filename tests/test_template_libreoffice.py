"""The generated workbook in a real spreadsheet program (LibreOffice Calc, headless)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import python_calamine
from greencli.adapters.rubric_file import load_rubric
from greencli.adapters.template.geometry import COL_VALUE as VALUE_COLUMN
from greencli.adapters.xlsx_fill import fill
from greencli.adapters.xlsx_reader import read_workbook
from greencli.core.assess import assess
from greencli.core.roster import Community
from greencli.core.rubric import RowKind, Rubric
from greencli.core.values import Raw, parse_yes_no, typed_spellings
from greencli.jobs.template import make_templates

from tests.builders import C, perfect_values
from tests.libreoffice import convert, convert_all, needs_libreoffice

pytestmark = [needs_libreoffice, pytest.mark.libreoffice]


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory, rubric: Rubric) -> Path:
    out = tmp_path_factory.mktemp("lo")
    return make_templates(rubric, 2022, out, [Community("ZJD-001", "海滨社区", "珠江道街道", "城市社区")]).made[0].path


def test_generated_workbook_loads_and_prints(workbook: Path, tmp_path: Path) -> None:
    pdf = convert(workbook, "pdf", tmp_path / "pdf", tmp_path / "profile")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


def test_resaved_filled_workbook_scores_the_same_and_live_formulas_agree(
    workbook: Path, tmp_path: Path, rubric: Rubric
) -> None:
    values = {**perfect_values(rubric), "1.2": 0.5, "9.1": 0, "7.3": 1.5, "15.2": 3, "11.0": "是", "11.1": None,
              "10.1": 97, "B": 1}  # fmt: skip
    filled = fill(workbook, tmp_path / "filled.xlsx", values, evidence={"B": "省级文明社区"},
                  compounds=[C(), C(green=2500, sort="否"), C(built=2018, area=5000, green=1500, prop="否")])  # fmt: skip
    resaved = convert(filled, "xlsx:Calc MS Excel 2007 XML", tmp_path / "resaved", tmp_path / "profile")
    results = []
    for path in (filled, resaved):
        raw = read_workbook(path, rubric)
        results.append(assess(rubric, raw.info, raw.entries, raw.stamp, raw.issues, 2030).evaluation)
    before, after = results
    assert after.issues == before.issues == ()
    assert (after.verdict, after.total, after.categories, after.vetoes) == (
        before.verdict, before.total, before.categories, before.vetoes)  # fmt: skip
    # LibreOffice recalculated the workbook's live subtotals on the way: they must show what the engine computed.
    grid = python_calamine.CalamineWorkbook.from_path(str(resaved)).get_sheet_by_name("评分表").to_python()
    shown = {
        str(row[0]).strip(): row[VALUE_COLUMN]
        for row in grid
        if row and isinstance(row[0], str) and row[0].endswith("小计")
    }
    shown_total = next(row[VALUE_COLUMN] for row in grid if row and str(row[0]).startswith("总分"))
    verdict = next(row[VALUE_COLUMN] for row in grid if row and str(row[0]).startswith("评审结论"))
    assert before.categories is not None and before.total is not None
    assert [Decimal(str(v)) for v in shown.values()] == list(before.categories.values())
    assert Decimal(str(shown_total)) == before.total and verdict == before.verdict.label


def _spelled(answer: bool) -> list[Raw]:
    """Every way the reader takes 是 (or 否): each spelling half- and full-width and in other cases, the Excel
    boolean and the number."""
    words = list(typed_spellings()) + [w.lower() for w in typed_spellings() if w.lower() != w]
    return [w for w in words if parse_yes_no(w) is answer] + [answer, int(answer)]


def test_every_accepted_spelling_is_counted_by_the_live_formulas_as_the_program_scores_it(tmp_path: Path) -> None:
    """Issue: the live subtotals counted only 是/否, so a workbook the program scored 98 showed （未填完） once a
    spreadsheet recalculated it. One list of spellings now makes the reader, the drop-downs and the formulas."""
    second = load_rubric(version="2021.2")
    blank = make_templates(second, 2022, tmp_path / "blank", [Community("ZJ-01", "珠江社区", "珠江道街道", "城市社区")])
    checks = [r for r in second.rows() if r.kind is RowKind.CHECK]
    nas = [r for r in second.rows() if r.kind is RowKind.NA]
    yes, no = _spelled(True), _spelled(False)
    files, expected = [], []
    for n in range(max(len(yes), len(no))):
        y, f = yes[n % len(yes)], no[n % len(no)]
        values: dict[str, Raw] = dict(perfect_values(second))
        for k, row in enumerate(checks):
            have = row.label.startswith("有")
            values[row.code] = (("有", "无", "没有")[n % 3] if have and n % 4 == 0 else y) if k % 2 else f
        for k, row in enumerate(nas):
            values[row.code] = y if (n + k) % 2 else f  # 是: the item counts in full; 否: its rows count
        path = fill(blank.made[0].path, tmp_path / "in" / f"s{n:02d}.xlsx", values, info={"评审日期": "2022-10-15"},
                    compounds=[C(prop=y, sort=f), C(name="二号院", prop=f, sort=y)])  # fmt: skip
        raw = read_workbook(path, second)
        evaluation = assess(second, raw.info, raw.entries, raw.stamp, raw.issues, 2030).evaluation
        assert evaluation.total is not None, (n, y, f, [i.message for i in evaluation.issues])
        files.append(path)
        expected.append(evaluation.total)
    recalculated = convert_all(files, "xlsx:Calc MS Excel 2007 XML", tmp_path / "out", tmp_path / "profile")
    for path, total in zip(recalculated, expected, strict=True):
        grid = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("评分表").to_python()
        shown = next(row[VALUE_COLUMN] for row in grid if row and str(row[0]).startswith("总分"))
        assert shown != "" and Decimal(str(shown)) == total, (path.name, shown, total)
