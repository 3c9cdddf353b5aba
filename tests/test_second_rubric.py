"""A deliberately different standard (tests/data/rubrics/other-district.toml) end to end: four categories, whole-point
scores, a pass mark of 75, vetoes X1 (counted) and X2 (from the 小区 sheet), other derived parameters, bonus J.
template → fill through the contract → score → progress → district workbook, and LibreOffice's recalculation of
the live formulas agrees with the engine. Every expected figure below is worked out by hand from that file."""

from __future__ import annotations

import csv
import json
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine
from greencli.adapters.rubric_file import load_rubric
from greencli.adapters.template.geometry import COL_VALUE as VALUE_COLUMN
from greencli.adapters.xlsx_fill import fill
from greencli.cli.app import app
from typer.testing import CliRunner

from tests.builders import C
from tests.libreoffice import convert, needs_libreoffice

ROOT = Path(__file__).resolve().parent.parent
RUBRIC = str(ROOT / "tests" / "data" / "rubrics" / "other-district.toml")
runner = CliRunner()

# Four compounds: one (20 % green, built before 2020: needs 25 %) fails, 5 points short; one of four is 25 % ≤ 33.3 %
# (no X2); three of four (by area) have a property service: 75 % > 50 %; one sorts no garbage.
COMPOUNDS = [C(built=2010, green=3000), C(built=2010, green=3000), C(built=2021, green=4500),
             C(built=2010, green=2000, prop="否", sort="否")]  # fmt: skip
GOOD = [C(built=2010, green=3000), C(built=2012, green=3000)]
BASE: dict[str, Any] = {"1.1": 12, "1.2": "是", "2.1": 0, "2.2": 100, "5.0": "否", "6.1": 10, "6.2": 0, "X1": 0}
CASES: dict[str, tuple[dict[str, Any], list[C], dict[str, Any]]] = {
    # item1 10+8=18; item2 (15−3×2)+10=19; item3 15; item4 20−4×⌈1.25/10⌉=16; item5 10−5×1=5; item6 9−2=7 → 80; J 3
    "A-01": ({"1.1": 10, "2.1": 2, "2.2": 96, "6.1": 9, "6.2": 2, "J": 3}, COMPOUNDS,
             {"verdict": "pass", "total": 83.0, "categories": {"1": 18.0, "2": 34.0, "3": 21.0, "4": 7.0}}),
    # item1 5+0; item2 (15−15)+0 (90 < 95); item3 15; item4 16; item5 5; item6 10 → 51
    "A-02": ({"1.1": 5, "1.2": "否", "2.1": 5, "2.2": 90}, COMPOUNDS,
             {"verdict": "fail", "total": 51.0, "categories": {"1": 5.0, "2": 15.0, "3": 21.0, "4": 10.0}}),
    "A-03": ({"X1": 1}, GOOD, {"verdict": "veto", "total": 100.0, "vetoes": ["X1"]}),
}  # fmt: skip


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("other")
    with (base / "roster.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        rows = [("社区编码", "社区名称", "乡街", "类型"), ("A-01", "甲社区", "东街道", "城市社区"),
                ("A-02", "乙社区", "东街道", "城市社区"), ("A-03", "丙社区", "西街道", "城市社区"),
                ("V-01", "丁村", "西街道", "村")]  # fmt: skip
        csv.writer(handle).writerows(rows)
    result = runner.invoke(app, ["template", "--rubric", RUBRIC, "--roster", str(base / "roster.csv"), "--year",
                                 "2025", "--out", str(base / "forms"), "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    made = {f["community_id"]: Path(f["path"]) for f in json.loads(result.stdout)["files"]}
    assert set(made) == {"A-01", "A-02", "A-03"}  # the village gets no form
    for code, (values, compounds, _) in CASES.items():
        filled = {**BASE, **values}
        evidence = {"J": "市级文明社区"} if "J" in filled else None
        info = {"评审日期": "2025-06-01", "评审人员": "测试员"}
        fill(made[code], base / "filled" / f"{code}.xlsx", filled, evidence=evidence, compounds=compounds, info=info)
    return base


def run(*args: str) -> Any:
    return runner.invoke(app, [*args, "--rubric", RUBRIC])


def test_the_standard_loads_and_shows_its_own_numbers() -> None:
    rubric = load_rubric(Path(RUBRIC))
    assert [c.points for c in rubric.categories] == [20, 40, 30, 10] and rubric.step == 1 and rubric.pass_mark == 75
    out = runner.invoke(app, ["standard", "--rubric", RUBRIC]).output
    assert "总分 ≥ 75" in out and "X1 重大安全事故；X2 绿地严重不足" in out and "加分项 J" in out


def test_scores_match_the_hand_worked_figures(district: Path) -> None:
    result = run("score", str(district / "filled"), "--roster", str(district / "roster.csv"), "--db",
                 str(district / "l.db"), "--out", str(district / "汇总.xlsx"), "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    got = {r["community_id"]: r for r in json.loads(result.stdout)["results"]}
    for code, (_, _, expected) in CASES.items():
        for key, value in expected.items():
            assert got[code][key] == value, (code, key, got[code][key])
        assert set(got[code]["items"]) == {"1", "2", "3", "4", "5", "6"}
    assert got["A-01"]["items"] == {"1": 18.0, "2": 19.0, "3": 15.0, "4": 16.0, "5": 5.0, "6": 7.0}
    assert got["A-01"]["bonus"] == 3.0 and got["A-02"]["vetoes"] == []


def test_a_half_point_is_off_step_under_whole_point_scoring(district: Path, tmp_path: Path) -> None:
    blank = next((district / "forms").rglob("A-01_*.xlsx"))
    path = fill(blank, tmp_path / "half.xlsx", {**BASE, "1.1": 10.5}, compounds=GOOD, info={"评审日期": "2025-06-01"})
    result = json.loads(run("score", str(path), "--dry-run", "--json").stdout)["results"][0]
    assert [(e["code"], e["issue"]) for e in result["errors"]] == [("1.1", "value-off-step")]


def test_progress_and_the_district_workbook_follow_the_standard(district: Path) -> None:
    db, roster = str(district / "l.db"), str(district / "roster.csv")
    doc = json.loads(run("progress", "--year", "2025", "--roster", roster, "--db", db, "--json").stdout)
    assert doc["target"] == 0.5
    district_ = doc["district"]
    assert (district_["urban"], district_["holders"], district_["met"], district_["gap"]) == (3, 1, False, 1)
    assert [c["points_short"] for c in doc["candidates"] if c["community_id"] == "A-02"] == [24.0]  # 75 − 51
    run("progress", "--year", "2025", "--roster", roster, "--db", db, "--out", str(district / "汇总.xlsx"))
    wb = openpyxl.load_workbook(district / "汇总.xlsx")
    header = [c.value for c in wb["汇总"][1]]
    assert [h for h in header if h and "、" in str(h) and "（" in str(h)] == [
        "一、组织（20）", "二、设施（40）", "三、环境（30）", "四、文化（10）"]  # fmt: skip
    rows = {r[1]: dict(zip(header, r, strict=True)) for r in wb["汇总"].iter_rows(min_row=2, values_only=True)}
    assert rows["A-01"]["总分"] == 83 and rows["A-01"]["结论"] == "达标" and rows["A-03"]["否决项"] == "X1"
    gaps = {r[1]: r for r in wb["达标差距"].iter_rows(min_row=2, values_only=True)}
    assert gaps["A-02"][6] == 24  # points short of this standard's 75
    assert {"年度进度", "社区状态", "冲刺名单"} <= set(wb.sheetnames)


@needs_libreoffice
@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_live_formulas_to_the_engines_figures(district: Path, tmp_path: Path) -> None:
    for code in ("A-01", "A-02", "A-03"):
        resaved = convert(district / "filled" / f"{code}.xlsx", "xlsx:Calc MS Excel 2007 XML", tmp_path / code,
                          tmp_path / "profile")  # fmt: skip
        grid = python_calamine.CalamineWorkbook.from_path(str(resaved)).get_sheet_by_name("评分表").to_python()
        shown = [
            row[VALUE_COLUMN] for row in grid if row and isinstance(row[0], str) and row[0].strip().endswith("小计")
        ]
        total = next(row[VALUE_COLUMN] for row in grid if row and str(row[0]).startswith("总分"))
        verdict = next(row[VALUE_COLUMN] for row in grid if row and str(row[0]).startswith("评审结论"))
        engine = json.loads(run("score", str(resaved), "--dry-run", "--json").stdout)["results"][0]
        assert [Decimal(str(v)) for v in shown] == [Decimal(str(v)) for v in engine["categories"].values()], code
        assert Decimal(str(total)) == Decimal(str(engine["total"])) and verdict == {
            "pass": "达标", "fail": "未达标", "veto": "否决"}[engine["verdict"]], code  # fmt: skip


def _texts(path: Path) -> str:
    """Every part of an Office file (xlsx, docx) as text, as the program wrote it."""
    with zipfile.ZipFile(path) as package:
        return "".join(package.read(name).decode("utf-8", "replace") for name in package.namelist())


def test_nothing_it_produces_says_the_bundled_campaigns_name(district: Path, tmp_path: Path) -> None:
    """The campaign's name is rubric data: under 宜居社区 nothing it produces says 绿色社区 — no form, district
    workbook, progress sheet or notice, and no table or JSON any command prints."""
    rubric = load_rubric(Path(RUBRIC))
    assert rubric.campaign.name == "宜居社区" and [f.label for f in rubric.form.fields][-1] == "创建宜居社区工作情况"
    blank = runner.invoke(app, ["template", "--rubric", RUBRIC, "--year", "2025", "--out", str(tmp_path / "blank"),
                                "--json"])  # fmt: skip
    assert blank.exit_code == 0, blank.output
    (made,) = json.loads(blank.stdout)["files"]
    assert Path(made["path"]).name == "宜居社区评分表_2025.xlsx"
    forms = [Path(made["path"]), *(district / "forms").rglob("*.xlsx")]
    roster, db, out = str(district / "roster.csv"), str(tmp_path / "l.db"), tmp_path / "汇总.xlsx"
    scored = run("score", str(district / "filled"), "--roster", roster, "--db", db, "--out", str(out))
    assert scored.exit_code == 0, scored.output
    default = tmp_path / "default"  # the district workbook's default name is the campaign's too
    default.mkdir()
    assert run("score", str(district / "filled"), "--roster", roster, "--db", db, "--out", f"{default}/").exit_code == 0
    assert [p.name for p in default.iterdir()] == ["宜居社区汇总_2025.xlsx"]
    printed = [scored.output]
    for command in (["progress", "--year", "2025", "--roster", roster, "--db", db, "--out", str(out)],
                    ["history", "A-01", "--db", db], ["export", "--year", "2025", "--out", str(tmp_path / "x.xlsx"),
                     "--roster", roster, "--db", db], ["standard"]):  # fmt: skip
        for extra in ([], ["--json"]):
            result = run(*command, *extra)
            assert result.exit_code == 0, result.output
            printed.append(result.output)
    assert all("绿色社区" not in text for text in printed), printed
    assert "宜居社区" in printed[1]  # the progress table's title
    notices = []
    for kind in ("通报", "认定名单", "应复审名单"):
        notice = tmp_path / f"{kind}.docx"
        result = run("notice", "--year", "2025", "--kind", kind, "--roster", roster, "--db", db, "--out", str(notice))
        assert result.exit_code == 0, result.output
        notices.append(notice)
    for path in [*forms, out, *notices]:
        text = _texts(path)
        assert "绿色社区" not in text, path
        assert "宜居社区" in text, path
    form = openpyxl.load_workbook(forms[0])
    assert form["基本信息"]["A1"].value == "2025年度宜居社区评审 基本信息（登记表）"
    boxes = [
        c.value for row in form["基本信息"].iter_rows() for c in row if isinstance(c.value, str) and "意见" in c.value
    ]
    assert [b.split("\n")[0] for b in boxes[1:]] == ["街道意见", "区住建局意见（盖章）", "区创建办审核意见"]
