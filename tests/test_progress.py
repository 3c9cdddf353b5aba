"""`greencli progress` and `history` over ledgers built by `greencli score` across three campaign years."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from greencli import api
from greencli.cli.app import app
from typer.testing import CliRunner

from tests.district import forget_rosters
from tests.workbooks import filled

runner = CliRunner()

ROSTER = [
    ("ZJD-01", "海滨社区", "珠江道街道", "城市社区"), ("ZJD-02", "山海社区", "珠江道街道", "城市社区"),
    ("ZJD-03", "河畔社区", "珠江道街道", "城市社区"), ("ZJD-04", "长江社区", "珠江道街道", "城市社区"),
    ("HHD-01", "黄河社区", "黄河道街道", "城市社区"), ("HHD-02", "泰山社区", "黄河道街道", "城市社区"),
    ("HHD-03", "华山社区", "黄河道街道", "城市社区"), ("TFL-01", "腾飞社区", "腾飞路街道", "城市社区"),
    ("TFL-02", "金港社区", "腾飞路街道", "城市社区"), ("TFL-03", "银滩社区", "腾飞路街道", "城市社区"),
    ("BH-01", "西河村", "渤海乡", "村"), ("BH-02", "东河村", "渤海乡", "村"),
]  # fmt: skip
FAIL = {"2.1": 0, "3.1": 0, "9.1": 0, "11.1": 0, "12.1": 0, "22.1": 0, "1.2": 0.5}  # 79.5
VETO = {"V3": 6}
PASS: dict[str, Any] = {}
# year → community → answers
YEARS: dict[int, dict[str, dict[str, Any]]] = {
    2021: {"ZJD-01": PASS, "ZJD-02": PASS, "ZJD-03": FAIL, "HHD-01": VETO, "TFL-01": PASS, "BH-01": PASS},
    2022: {"ZJD-01": PASS, "ZJD-02": FAIL, "ZJD-03": PASS, "HHD-02": PASS, "HHD-03": FAIL, "TFL-02": VETO},
    2023: {"ZJD-02": PASS, "TFL-01": FAIL},
}
EXPECTED = {
    2021: {"ZJD-01": "pass", "ZJD-02": "pass", "ZJD-03": "fail", "ZJD-04": "absent", "HHD-01": "fail",
           "HHD-02": "absent", "HHD-03": "absent", "TFL-01": "pass", "TFL-02": "absent", "TFL-03": "absent"},
    2022: {"ZJD-01": "repass", "ZJD-02": "revoked", "ZJD-03": "pass", "ZJD-04": "absent", "HHD-01": "fail",
           "HHD-02": "pass", "HHD-03": "fail", "TFL-01": "pending", "TFL-02": "fail", "TFL-03": "absent"},
    2023: {"ZJD-01": "pending", "ZJD-02": "pass", "ZJD-03": "pending", "ZJD-04": "absent", "HHD-01": "fail",
           "HHD-02": "pending", "HHD-03": "fail", "TFL-01": "revoked", "TFL-02": "fail", "TFL-03": "absent"},
}  # fmt: skip
# Titles date from their 评审日期 (all 10-15 here) and reach their first anniversary a year later; judged on 31 December.
# Only 达标/复审通过 at the end of the year are put forward: a 待复审 title (TFL-01 in 2022, every holder in 2023 but
# ZJD-02, whose new title is not a year old) still counts toward the rate, never toward the province.
ELIGIBLE: dict[int, set[str]] = {2021: set(), 2022: {"ZJD-01"}, 2023: set()}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def campaign(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Three years of a small district scored into an SQLite ledger (`db`); `ledger` is what the commands are
    pointed at: that file, or a PostgreSQL database it was copied into (every test here runs on both)."""
    base = tmp_path_factory.mktemp("campaign")
    roster = base / "roster.csv"
    roster.write_text("社区编码,社区名称,乡街,类型\n" + "\n".join(",".join(r) for r in ROSTER) + "\n", encoding="utf-8")
    names = {r[0]: r for r in ROSTER}
    db = base / "ledger.db"
    for year, plan in YEARS.items():
        folder = base / str(year)
        for code, answers in plan.items():
            _, name, sub, _ = names[code]
            filled(folder, code, name, sub, year=year, values=answers, info={"评审日期": f"{year}-10-15"})
        result = runner.invoke(app, ["score", str(folder), "--roster", str(roster), "--db", str(db),
                                     "--out", str(base / f"汇总{year}.xlsx"), "--json"])  # fmt: skip
        assert result.exit_code == 0, result.output
    ledger: str = str(db)
    if request.param == "postgresql":
        ledger = request.getfixturevalue("postgres_server").new_database()
        api.ledger_copy(db, ledger, district="130302")  # its only district: no --district needed
    return {"roster": roster, "db": db, "base": base, "ledger": ledger}


def progress(campaign: dict[str, Path], *args: str) -> Any:
    return runner.invoke(app, ["progress", "--roster", str(campaign["roster"]), "--db", str(campaign["ledger"]), *args],
                         env={"COLUMNS": "160"})  # a pipe's width, whatever the console running the tests  # fmt: skip


@pytest.mark.parametrize("year", [2021, 2022, 2023])
def test_every_status_per_year(campaign: dict[str, Path], year: int) -> None:
    result = progress(campaign, "--year", str(year), "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    urban = {c["community_id"]: c["status"] for c in doc["communities"] if c["urban"]}
    assert urban == EXPECTED[year]
    villages = [c for c in doc["communities"] if not c["urban"]]
    assert {c["community_id"] for c in villages} == {"BH-01", "BH-02"}
    eligible = {c["community_id"] for c in doc["communities"] if c["provincial_eligible"]}
    assert eligible == ELIGIBLE[year] and set(doc["provincial"]) == ELIGIBLE[year]
    titles = {c["community_id"]: c["title_date"] for c in doc["communities"] if c["title_date"] and c["urban"]}
    assert set(titles) == {code for code, status in EXPECTED[year].items() if status in ("pass", "repass", "pending")}


def test_2021_meets_30_percent(campaign: dict[str, Path]) -> None:
    doc = json.loads(progress(campaign, "--year", "2021", "--json").stdout)
    assert doc["target"] == 0.3
    assert doc["district"] == {"urban": 10, "evaluated": 5, "passed": 3, "holders": 3, "pending": 0, "revoked": 0,
                               "lapsed": 0, "nominations": 5, "nominations_passed": 3, "rate": 0.3, "met": True,
                               "gap": 0}  # fmt: skip
    subs = {s["name"]: s for s in doc["subdistricts"]}
    assert subs["珠江道街道"]["nominations"] == 3 and subs["黄河道街道"]["nominations"] == 1
    assert subs["渤海乡"]["urban"] == 0 and subs["渤海乡"]["met"] is None
    assert any(w["subdistrict"] == "珠江道街道" and "超过" in w["message"] for w in doc["warnings"])
    assert progress(campaign, "--year", "2021", "--check").exit_code == 0


def test_2022_misses_60_percent_and_check_alerts(campaign: dict[str, Path]) -> None:
    doc = json.loads(progress(campaign, "--year", "2022", "--json").stdout)
    # holders: ZJD-01 repass, ZJD-03 pass, HHD-02 pass, TFL-01 pending = 4 of 10; ⌈0.6 × 10⌉ − 4 = 2
    assert doc["district"] == {"urban": 10, "evaluated": 6, "passed": 3, "holders": 4, "pending": 1, "revoked": 1,
                               "lapsed": 0, "nominations": 4, "nominations_passed": 2, "rate": 0.4, "met": False,
                               "gap": 2}  # fmt: skip
    assert doc["overdue"] == ["TFL-01"] and doc["revoked"] == ["ZJD-02"]
    # equally close: in the roster's order, as every other list (ZJD-02 before HHD-03)
    assert [c["community_id"] for c in doc["candidates"]][:4] == ["ZJD-02", "HHD-03", "HHD-01", "TFL-02"]
    assert doc["candidates"][0]["points_short"] == 0.5
    subs = {s["name"]: s for s in doc["subdistricts"]}
    # ZJD-03 failed in 2021 and applied again: a 2022 nomination (the case), and it passed
    assert (subs["珠江道街道"]["nominations"], subs["珠江道街道"]["nominations_passed"]) == (1, 1)
    assert subs["腾飞路街道"]["nominations"] == 1 and subs["黄河道街道"]["nominations"] == 2
    nominated = {c["community_id"] for c in doc["communities"] if c["nominated"]}
    assert nominated == {"ZJD-03", "HHD-02", "HHD-03", "TFL-02"}
    assert not any("没有新申报" in w["message"] for w in doc["warnings"])
    check = progress(campaign, "--year", "2022", "--check")
    assert check.exit_code == 1 and "未达到" in check.output


def test_2020_has_no_target_and_a_future_year_is_a_plan(campaign: dict[str, Path]) -> None:
    doc = json.loads(progress(campaign, "--year", "2020", "--json").stdout)
    assert doc["target"] is None and doc["district"]["met"] is None and doc["district"]["gap"] is None
    assert progress(campaign, "--year", "2020", "--check").exit_code == 0
    plan = json.loads(progress(campaign, "--year", "2024", "--json").stdout)
    assert plan["target"] == 0.6 and plan["district"]["evaluated"] == 0
    # a second year without re-review ends a title: 2023's 待复审 become 逾期未复审 in 2024
    assert plan["overdue"] == ["ZJD-02"] and set(plan["lapsed"]) == {"ZJD-01", "ZJD-03", "HHD-02"}
    assert (plan["district"]["holders"], plan["district"]["lapsed"], plan["district"]["gap"]) == (1, 3, 5)


def test_as_of_moves_eligibility_only(campaign: dict[str, Path]) -> None:
    before = json.loads(progress(campaign, "--year", "2022", "--as-of", "2022-10-14", "--json").stdout)
    on = json.loads(progress(campaign, "--year", "2022", "--as-of", "2022-10-15", "--json").stdout)
    assert before["provincial"] == [] and set(on["provincial"]) == {"ZJD-01"}
    assert [c["status"] for c in before["communities"]] == [c["status"] for c in on["communities"]]
    for bad in ("2021-12-31", "2022-13-01", "明天"):
        result = progress(campaign, "--year", "2022", "--as-of", bad)
        assert result.exit_code == 2 and "错误" in result.output


def test_table_shows_bars_lists_and_candidates(campaign: dict[str, Path]) -> None:
    result = progress(campaign, "--year", "2022")
    assert result.exit_code == 0
    out = result.output
    assert "│" in out and "40.0%" in out and "全区" in out and "冲刺名单" in out and "撤销称号" in out
    assert "逾期未复审" in out and "可申报省级绿色社区" in out and "西河村" in out


def test_workbook_output_alone_and_added_to_the_consolidated_one(campaign: dict[str, Path]) -> None:
    alone = campaign["base"] / "progress.xlsx"
    assert progress(campaign, "--year", "2022", "--out", str(alone)).exit_code == 0
    wb = openpyxl.load_workbook(alone)
    assert wb.sheetnames == ["年度进度", "社区状态", "冲刺名单", "名单"]
    sheet = wb["年度进度"]
    assert len(sheet._charts) == 1  # type: ignore[attr-defined]
    header = [c.value for c in sheet[2]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=3, values_only=True) if r[0]}
    assert rows["全区"]["持有称号"] == 4 and rows["全区"]["达标率"] == 0.4 and rows["全区"]["还差（个）"] == 2
    assert {"逾期未复审", "目标", "是否达到", "本年新申报", "其中达标"} <= set(header)
    consolidated = campaign["base"] / "汇总2022.xlsx"
    before = openpyxl.load_workbook(consolidated).sheetnames
    for _ in range(2):  # twice: the sheets are replaced, never duplicated
        assert progress(campaign, "--year", "2022", "--out", str(consolidated)).exit_code == 0
    assert openpyxl.load_workbook(consolidated).sheetnames == [*before, "年度进度", "社区状态", "冲刺名单", "名单"]


def test_history_traces_every_evaluation(campaign: dict[str, Path]) -> None:
    result = runner.invoke(app, ["history", "ZJD-02", "--db", str(campaign["ledger"]), "--json"])
    doc = json.loads(result.stdout)
    assert [(e["year"], e["verdict"], e["current"]) for e in doc["evaluations"]] == [
        (2021, "pass", True), (2022, "fail", True), (2023, "pass", True)]  # fmt: skip
    assert all(len(e["sha256"]) == 64 and e["rubric_version"] and e["file"] for e in doc["evaluations"])
    table = runner.invoke(app, ["history", "ZJD-02", "--db", str(campaign["ledger"])])
    assert table.exit_code == 0 and "山海社区" in table.output and "2021" in table.output
    none = runner.invoke(app, ["history", "NOPE", "--db", str(campaign["ledger"])])
    assert none.exit_code == 2 and "没有" in none.output  # a code never seen: most likely mistyped


def test_unusable_calls(campaign: dict[str, Path], tmp_path: Path) -> None:
    bare = tmp_path / "bare.db"  # a ledger that keeps no roster (one upgraded from before rosters were kept)
    shutil.copy(campaign["db"], bare)
    forget_rosters(bare)
    no_roster = runner.invoke(app, ["progress", "--year", "2022", "--db", str(bare)], env={"GREENCLI_ROSTER": ""})
    assert no_roster.exit_code == 2 and "社区名单" in no_roster.output
    no_db = progress(campaign, "--year", "2022", "--db", str(tmp_path / "absent.db"))
    assert no_db.exit_code == 2 and "不存在" in no_db.output and not (tmp_path / "absent.db").exists()
    missing_year = runner.invoke(app, ["progress"])
    assert missing_year.exit_code == 2 and "--year" in missing_year.output
