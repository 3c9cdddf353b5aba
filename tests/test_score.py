"""`greencli score` end to end: JSON, table and workbook agree with the engine; the ledger; the mistakes people make."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from greencli.adapters.ledger import MIGRATIONS, Ledger, ledger_at
from greencli.cli.app import app
from greencli.core.engine import evaluate
from greencli.core.rubric import Rubric
from typer.testing import CliRunner, Result

from tests.builders import C, entries, perfect_values
from tests.errors import error_code, problem_codes
from tests.libreoffice import convert, needs_libreoffice
from tests.workbooks import filled

runner = CliRunner()

CASES: dict[str, dict[str, Any]] = {
    "ZJD-001": {"values": {"9.1": 0, "1.2": 0.5}, "compounds": (C(), C(green=2500, sort="否"))},
    "ZJD-002": {"values": {"2.1": 0, "3.1": 0, "9.1": 0, "11.1": 0, "12.1": 0, "22.1": 0, "1.2": 0.5}},  # 79.5
    "HHD-001": {"values": {"V4": 5, "B": 2}, "evidence": {"B": "全国文明社区"}, "subdistrict": "黄河道街道"},
}


def make_batch(folder: Path) -> dict[str, Path]:
    return {
        code: filled(
            folder,
            code,
            subdistrict=case.get("subdistrict", "珠江道街道"),
            values=case.get("values"),
            compounds=case.get("compounds", (C(),)),
            evidence=case.get("evidence"),
            info={"评审日期": "2022-10-01"},
        )
        for code, case in CASES.items()
    }


def score(*args: str, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(app, ["score", *args], env=env)


@pytest.fixture
def batch(tmp_path: Path) -> dict[str, Path]:
    return make_batch(tmp_path / "inspections")


def run_json(tmp_path: Path, *args: str, db: str | None = None) -> tuple[Result, dict[str, Any]]:
    result = score(*args, "--db", db or str(tmp_path / "ledger.db"), "--out", str(tmp_path / "汇总.xlsx"), "--json")
    return result, json.loads(result.stdout)


def test_json_equals_the_engine(tmp_path: Path, batch: dict[str, Path], rubric: Rubric) -> None:
    result, doc = run_json(tmp_path, str(tmp_path / "inspections" / "*.xlsx"))
    assert result.exit_code == 0, result.output
    got = {r["community_id"]: r for r in doc["results"]}
    assert set(got) == set(CASES)
    for code, case in CASES.items():
        values = {**perfect_values(rubric), **case.get("values", {})}
        e = evaluate(rubric, entries(rubric, values, case.get("compounds", (C(),)), case.get("evidence")))
        r = got[code]
        assert r["verdict"] == e.verdict.value and r["total"] == float(e.total or 0)
        assert r["bonus"] == float(e.bonus or 0) and r["vetoes"] == list(e.vetoes)
        assert r["categories"] == {str(k): float(v) for k, v in (e.categories or {}).items()}
        assert r["items"] == {str(k): float(v.score) for k, v in (e.items or {}).items()}
        assert r["year"] == 2022 and r["errors"] == []
    assert [got[c]["verdict"] for c in CASES] == ["pass", "fail", "veto"]
    assert got["ZJD-002"]["total"] == 79.5 and got["HHD-001"]["total"] == 100
    assert doc["summary"] == {"files": 3, "pass": 1, "fail": 1, "veto": 1, "invalid": 0, "superseded": 0,
                              "off_year": 0}  # fmt: skip


def test_table_and_workbook_show_the_same_numbers(tmp_path: Path, batch: dict[str, Path]) -> None:
    _, doc = run_json(tmp_path, str(tmp_path / "inspections"))
    table = score(str(tmp_path / "inspections"), "--db", str(tmp_path / "l2.db"), "--out", str(tmp_path / "t.xlsx"))
    assert table.exit_code == 0
    lines = table.output.splitlines()
    for r in doc["results"]:
        row = next(line for line in lines if r["community_id"] in line)
        assert f"{r['total']:.1f}" in row and ("达标" in row or "否决" in row or "未达标" in row)
    assert "3 份：达标 1，未达标 1，否决 1，无效 0" in table.output
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert wb.sheetnames == ["汇总", "分项得分", "乡街统计", "部门失分", "达标差距", "问题清单"]
    summary = wb["汇总"]
    header = [c.value for c in summary[1]]
    rows = {row[1]: dict(zip(header, row, strict=True)) for row in summary.iter_rows(min_row=2, values_only=True)}
    for r in doc["results"]:
        assert rows[r["community_id"]]["总分"] == r["total"] and rows[r["community_id"]]["结论"] in (
            "达标",
            "未达标",
            "否决",
        )
    assert rows["HHD-001"]["否决项"] == "V4" and rows["ZJD-001"]["全区排名"] == 2 and rows["HHD-001"]["乡街排名"] == 1
    assert summary.freeze_panes == "D2" and summary.auto_filter.ref
    stats = {row[0]: row for row in wb["乡街统计"].iter_rows(min_row=2, values_only=True)}
    assert stats["全区"][1:6] == (3, 1, 1, 1, 0) and stats["珠江道街道"][8] == 0.5
    gaps = {row[1]: row for row in wb["达标差距"].iter_rows(min_row=2, values_only=True)}
    assert set(gaps) == {"ZJD-002", "HHD-001"} and gaps["ZJD-002"][6] == 0.5 and "V4" in str(gaps["HHD-001"][5])
    items = list(wb["分项得分"].iter_rows(min_row=2, values_only=True))
    assert len(items) == 3 and all(len(r) == 3 + 31 + 1 for r in items)
    units = list(wb["部门失分"].iter_rows(min_row=2, values_only=True))
    lost = [float(str(u[2])) for u in units]
    assert lost[0] == max(lost) > 0


def test_second_run_records_nothing_new_and_a_changed_file_supersedes(
    tmp_path: Path, batch: dict[str, Path], ledger_db: str
) -> None:
    folder = str(tmp_path / "inspections")
    _, first = run_json(tmp_path, folder, db=ledger_db)
    assert (first["recorded"], first["already"]) == (3, 0)
    _, second = run_json(tmp_path, folder, db=ledger_db)
    assert (second["recorded"], second["already"]) == (0, 3)
    with Ledger.open(ledger_at(ledger_db)) as ledger:
        assert ledger.count() == 3 and ledger.schema_version() == len(MIGRATIONS)
    filled(tmp_path / "inspections", "ZJD-001", values={"9.1": 4}, info={"评审日期": "2022-11-01"})
    _, third = run_json(tmp_path, folder, db=ledger_db)
    assert (third["recorded"], third["already"]) == (1, 2)
    with Ledger.open(ledger_at(ledger_db)) as ledger:
        history = ledger.evaluations(community_id="ZJD-001")
        assert len(history) == 2 and [h.stored.current for h in history] == [False, True]
        assert history[0].stored.superseded_by == history[1].stored.id and history[1].total == 100
        assert len(ledger.evaluations(year=2022, current_only=True)) == 3


def test_dry_run_writes_nothing(tmp_path: Path, batch: dict[str, Path]) -> None:
    result = score(str(tmp_path / "inspections"), "--db", str(tmp_path / "l.db"), "--out", str(tmp_path / "o.xlsx"),
                   "--dry-run")  # fmt: skip
    assert result.exit_code == 0 and "试运行" in result.output
    assert not (tmp_path / "l.db").exists() and not (tmp_path / "o.xlsx").exists()


def test_two_files_for_one_community_the_later_review_date_is_current(tmp_path: Path, ledger_db: str) -> None:
    folder = tmp_path / "in"
    filled(folder, "ZJD-001", values={"9.1": 0}, info={"评审日期": "2022-11-20"}, file_name="late.xlsx")
    filled(folder, "ZJD-001", values={"9.1": 4}, info={"评审日期": "2022-10-01"}, file_name="early.xlsx")
    result, doc = run_json(tmp_path, str(folder), db=ledger_db)
    assert result.exit_code == 0
    by_file = {Path(r["file"]).name: r for r in doc["results"]}
    assert by_file["early.xlsx"]["superseded"] and not by_file["late.xlsx"]["superseded"]
    assert [w["issue"] for w in by_file["early.xlsx"]["warnings"]] == ["superseded-in-batch"]
    with Ledger.open(ledger_at(ledger_db)) as ledger:
        (current,) = ledger.evaluations(community_id="ZJD-001", current_only=True)
        assert current.total == 96 and len(ledger.evaluations(community_id="ZJD-001")) == 2
    wb = openpyxl.load_workbook(tmp_path / "汇总.xlsx")
    ranked = [row for row in wb["汇总"].iter_rows(min_row=2, values_only=True) if row[16] is not None]
    assert len(ranked) == 1 and ranked[0][12] == 96 and ranked[0][13] == "达标"


# ── the mistakes inspectors really make ──


def _edit(path: Path, change: Any) -> Path:
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)
    return path


def _cell(wb: Any, sheet: str, text: str, right: int = 0) -> Any:
    ws = wb[sheet]
    found = next(c for row in ws.iter_rows() for c in row if c.value == text)
    return ws.cell(found.row, found.column + right)


def _value_cell(wb: Any, code: str) -> Any:
    ws = wb["评分表"]
    header = next(row for row in ws.iter_rows() if any(c.value == "录入值" for c in row))
    col = next(c.column for c in header if c.value == "录入值")
    code_cell = next(c for row in ws.iter_rows() for c in row if c.value == code)
    return ws.cell(code_cell.row, col)


MISTAKES: list[tuple[str, Any, str, str | None, str | None]] = [
    # (name, edit, issue code, sheet, cell or None when the issue concerns the whole sheet or file)
    ("no compounds sheet", lambda wb: wb.remove(wb["小区"]), "sheet-missing", "小区", None),
    ("no header row", lambda wb: setattr(_cell(wb, "评分表", "录入值"), "value", "值"), "header-missing", "评分表", None),
    ("row deleted", lambda wb: setattr(_cell(wb, "评分表", "7.2"), "value", None), "row-missing", "评分表", None),
    ("row duplicated", lambda wb: setattr(_cell(wb, "评分表", "7.3"), "value", "7.2"), "row-duplicate", "评分表", "I14"),
    ("code cleared", lambda wb: setattr(_cell(wb, "基本信息", "社区编码", 1), "value", None), "identity-missing",
     "基本信息", "B4"),
    ("year 1999", lambda wb: setattr(_cell(wb, "基本信息", "评审年度", 1), "value", 1999), "year-invalid", "基本信息", "D5"),
    ("year as words", lambda wb: setattr(_cell(wb, "基本信息", "评审年度", 1), "value", "今年"), "year-invalid",
     "基本信息", "D5"),
    ("text in a count", lambda wb: setattr(_value_cell(wb, "5.1"), "value", "多处"), "value-not-number", "评分表", "L10"),
    ("blank veto count", lambda wb: setattr(_value_cell(wb, "V1"), "value", None), "value-missing", "评分表", None),
    ("formula without value", lambda wb: setattr(_value_cell(wb, "1.1"), "value", "=1+1"), "formula-no-value",
     "评分表", "L5"),
    ("deduction too big", lambda wb: setattr(_value_cell(wb, "7.3"), "value", 7.3), "value-out-of-range", "评分表", "L14"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "edit", "code", "sheet", "cell"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_mistake_is_reported_at_its_cell_and_the_rest_is_scored(
    tmp_path: Path, name: str, edit: Any, code: str, sheet: str | None, cell: str | None
) -> None:
    folder = tmp_path / "in"
    good = filled(folder, "ZJD-001")
    bad = _edit(filled(folder, "ZJD-009"), edit)
    before = good.read_bytes(), bad.read_bytes()
    result, doc = run_json(tmp_path, str(folder))
    assert result.exit_code == 1, result.output
    by_file = {Path(r["file"]).name: r for r in doc["results"]}
    assert by_file["ZJD-001.xlsx"]["verdict"] == "pass" and by_file["ZJD-001.xlsx"]["total"] == 100
    broken = by_file["ZJD-009.xlsx"]
    assert broken["verdict"] == "invalid" and broken["total"] is None and broken["items"] is None
    hits = [e for e in broken["errors"] if e["issue"] == code]
    assert hits, broken["errors"]
    assert hits[0]["sheet"] == sheet
    if cell is not None:
        assert hits[0]["cell"] == cell
    assert (good.read_bytes(), bad.read_bytes()) == before  # inputs are never changed
    with Ledger.open(tmp_path / "ledger.db") as ledger:
        assert [e.community_id for e in ledger.evaluations()] == ["ZJD-001"]


def test_rubric_stamp_other_standard_and_unknown_version_are_errors(tmp_path: Path) -> None:
    def stamp(key: str, value: str) -> Any:
        def change(wb: Any) -> None:
            for prop in wb.custom_doc_props.props:
                if prop.name == f"greencli.{key}":
                    prop.value = value

        return change

    folder = tmp_path / "in"
    _edit(filled(folder, "A1"), stamp("rubric_id", "another-district"))
    _edit(filled(folder, "A2"), stamp("rubric_version", "2020.9"))
    _edit(filled(folder, "A3"), stamp("community_code", "A9"))
    result, doc = run_json(tmp_path, str(folder))
    by_code = {r["community_id"]: r for r in doc["results"]}
    assert result.exit_code == 1
    assert [e["issue"] for e in by_code["A1"]["errors"]] == ["rubric-other"]
    # versions sit side by side: one this program does not know cannot be scored, and the message names those it knows
    assert [e["issue"] for e in by_code["A2"]["errors"]] == ["rubric-version-unknown"]
    assert "2021.1、2021.2" in by_code["A2"]["errors"][0]["message"]  # the versions it names are the point
    assert [w["issue"] for w in by_code["A3"]["warnings"]] == ["stamp-mismatch"]


def test_roster_checks_code_name_and_subdistrict(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    filled(folder, "ZJD-001", "海滨社区")
    filled(folder, "ZJD-002", "山海社区", "黄河道街道")
    filled(folder, "XXX-404", "不存在社区")
    roster = tmp_path / "roster.csv"
    roster.write_text("社区编码,社区名称,乡街,类型\nZJD-001,海滨社区,珠江道街道,城市社区\n"
                      "ZJD-002,山海社区,珠江道街道,城市社区\n", encoding="utf-8")  # fmt: skip
    result, doc = run_json(tmp_path, str(folder), "--roster", str(roster))
    by_code = {r["community_id"]: r for r in doc["results"]}
    assert result.exit_code == 1 and by_code["ZJD-001"]["verdict"] == "pass"
    assert [(e["issue"], e["cell"]) for e in by_code["ZJD-002"]["errors"]] == [("roster-mismatch", "B5")]
    assert [(e["issue"], e["cell"]) for e in by_code["XXX-404"]["errors"]] == [("roster-unknown", "B4")]


def test_inserted_reordered_rows_and_extra_columns_read_the_same(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    plain = filled(folder, "ZJD-001", values={"7.3": 1, "15.2": 3})

    def shuffle(wb: Any) -> None:
        ws = wb["评分表"]
        ws.protection.sheet = False
        for merged in list(ws.merged_cells.ranges):
            ws.unmerge_cells(str(merged))
        ws.insert_rows(2, 3)
        ws.insert_cols(1, 2)
        ws["A1"] = "inserted"
        rows = [[c.value for c in row] for row in ws.iter_rows(min_row=8, max_row=20)]
        for offset, row in enumerate(reversed(rows)):
            for col, value in enumerate(row, start=1):
                ws.cell(8 + offset, col).value = value
        compounds = wb["小区"]
        compounds.insert_cols(1)
        compounds.insert_rows(1, 2)

    moved = _edit(filled(tmp_path / "moved", "ZJD-001", values={"7.3": 1, "15.2": 3}), shuffle)
    _, a = run_json(tmp_path, str(plain))
    (tmp_path / "b").mkdir()
    _, b = run_json(tmp_path / "b", str(moved))
    ra, rb = a["results"][0], b["results"][0]
    assert rb["errors"] == [] and (ra["total"], ra["items"], ra["verdict"]) == (rb["total"], rb["items"], rb["verdict"])


# ── unusable calls: exit code 2, a message, no traceback ──


def test_no_file_matched(tmp_path: Path) -> None:
    result = score(str(tmp_path / "nothing" / "*.xlsx"), "--db", str(tmp_path / "l.db"), "--json")
    assert result.exit_code == 2 and error_code(result) == "no-input" and "Traceback" not in result.output


def test_unreadable_roster_ledger_or_output(tmp_path: Path, batch: dict[str, Path]) -> None:
    folder = str(tmp_path / "inspections")
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    result = score(folder, "--roster", str(tmp_path / "bad.csv"), "--db", str(tmp_path / "l.db"), "--json")
    assert result.exit_code == 2 and error_code(result) == "roster-unusable"
    assert problem_codes(result) == ["roster-header-missing"]
    (tmp_path / "junk.db").write_bytes(b"this is not a database" * 100)
    result = score(folder, "--db", str(tmp_path / "junk.db"), "--out", str(tmp_path / "o.xlsx"), "--json")
    assert result.exit_code == 2 and error_code(result) == "ledger-unusable" and "Traceback" not in result.output
    assert (tmp_path / "junk.db").read_bytes() == b"this is not a database" * 100
    (tmp_path / "afile").write_text("x")
    result = score(folder, "--db", str(tmp_path / "l.db"), "--out", str(tmp_path / "afile" / "o.xlsx"), "--json")
    assert result.exit_code == 2 and error_code(result) == "output-unwritable" and "Traceback" not in result.output
    assert not (tmp_path / "l.db").exists()  # nothing was recorded for a run whose output cannot be written


def test_ledger_from_environment(tmp_path: Path, batch: dict[str, Path]) -> None:
    result = score(str(tmp_path / "inspections"), "--out", str(tmp_path / "o.xlsx"),
                   env={"GREENCLI_DB": str(tmp_path / "env.db")})  # fmt: skip
    assert result.exit_code == 0 and (tmp_path / "env.db").exists()


def test_a_newer_ledger_schema_is_refused(tmp_path: Path, batch: dict[str, Path]) -> None:
    db = tmp_path / "l.db"
    run_json(tmp_path, str(tmp_path / "inspections"))
    with sqlite3.connect(tmp_path / "ledger.db") as conn:
        conn.execute("INSERT INTO schema_migrations VALUES (99, 'future', 'x')")
    result = score(
        str(tmp_path / "inspections"),
        "--db",
        str(tmp_path / "ledger.db"),
        "--out",
        str(db.with_suffix(".xlsx")),
        "--json",
    )
    assert result.exit_code == 2 and error_code(result) == "ledger-too-new"


def test_a_failed_batch_leaves_the_ledger_as_it_was(tmp_path: Path, batch: dict[str, Path], rubric: Rubric,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    from greencli.adapters.ledger import evaluations

    run_json(tmp_path, str(tmp_path / "inspections"))
    filled(tmp_path / "inspections", "NEW-1")
    filled(tmp_path / "inspections", "NEW-2")
    calls = {"n": 0}
    real = evaluations.settle

    def explode(db: sqlite3.Connection, district: str, community_id: str, year: int, year_end: tuple[int, int]) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise sqlite3.OperationalError("disk I/O error")
        real(db, district, community_id, year, year_end)

    monkeypatch.setattr(evaluations, "settle", explode)
    result = score(
        str(tmp_path / "inspections"), "--db", str(tmp_path / "ledger.db"), "--out", str(tmp_path / "x.xlsx")
    )
    assert result.exit_code == 2 and "Traceback" not in result.output
    with Ledger.open(tmp_path / "ledger.db") as ledger:
        assert ledger.count() == 3 and ledger.integrity() == "ok"


@needs_libreoffice
@pytest.mark.libreoffice
def test_a_workbook_resaved_by_libreoffice_scores_like_the_original(tmp_path: Path) -> None:
    original = filled(tmp_path / "a", "ZJD-001", values={"7.3": 1.5, "10.1": 98, "B": 1}, evidence={"B": "省级文明社区"},
                      compounds=(C(), C(green=2600, sort="否")), info={"评审日期": "2022-10-01"})  # fmt: skip
    resaved = convert(original, "xlsx:Calc MS Excel 2007 XML", tmp_path / "b", tmp_path / "profile")
    _, a = run_json(tmp_path / "a", str(original))
    _, b = run_json(tmp_path / "b", str(resaved))
    ra, rb = a["results"][0], b["results"][0]
    assert rb["errors"] == rb["warnings"] == [] and ra["verdict"] == rb["verdict"] == "pass"
    assert (ra["total"], ra["categories"], ra["items"], ra["review_date"]) == (
        rb["total"], rb["categories"], rb["items"], rb["review_date"])  # fmt: skip


def test_parallel_reading_gives_the_serial_result(tmp_path: Path, batch: dict[str, Path]) -> None:
    folder = str(tmp_path / "inspections")
    _, serial = run_json(tmp_path, folder, "--jobs", "1", "--dry-run")
    _, parallel = run_json(tmp_path, folder, "--jobs", "2", "--dry-run")
    assert serial["results"] == parallel["results"] and len(serial["results"]) == 3


def test_no_progress_bar_or_colour_codes_when_not_a_terminal(tmp_path: Path, batch: dict[str, Path]) -> None:
    result = score(str(tmp_path / "inspections"), "--db", str(tmp_path / "l.db"), "--out", str(tmp_path / "o.xlsx"))
    assert "\x1b[" not in result.output
    assert not any(line.startswith("评分 ") for line in result.output.splitlines())  # the progress bar's line
