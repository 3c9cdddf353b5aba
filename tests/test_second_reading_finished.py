"""The second reading, finished (standard.md's sections on 评审日期, provincial eligibility and "Re-reviews due in
Y"; contract.md's 应复审名单): dates checked on every version, an undated form counted as of 31 December, 待复审
never put forward, the overdue first on the 应复审名单, and a recorded workbook that does not stand says so."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from greencli.adapters.rubric_file import load_rubric
from greencli.adapters.template import Identity, build_skeleton, personalise
from greencli.adapters.xlsx_fill import fill
from greencli.cli.app import app
from typer.testing import CliRunner

from tests.builders import C, perfect_values
from tests.workbooks import filled

runner = CliRunner()
SECOND = load_rubric(version="2021.2")
FAILING = {"2.1": 0, "3.1": 0, "9.1": 0, "11.1": 0, "12.1": 0, "22.1": 0, "1.2": 0.5, "1.1": 0}


def second(folder: Path, code: str, year: int, review: str, values: dict[str, Any] | None = None,
           name: str = "") -> Path:  # fmt: skip
    """A workbook of rubric 2021.2, dated."""
    folder.mkdir(parents=True, exist_ok=True)
    blank = folder / f".blank-{code}.xlsx"
    blank.write_bytes(personalise(build_skeleton(SECOND, year), Identity(code, f"{code}社区", "珠江道街道")))
    target = folder / (name or f"{code}-{review}.xlsx")
    fill(blank, target, {**perfect_values(SECOND), **(values or {})}, compounds=(C(),), info={"评审日期": review})
    blank.unlink()
    return target


def score(*paths: Path, db: Path, extra: tuple[str, ...] = ()) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["score", *map(str, paths), "--db", str(db), "--out", str(db.parent / "o.xlsx"),
                                 "--json", *extra])  # fmt: skip
    return result.exit_code, json.loads(result.stdout)


def history(db: Path, code: str) -> dict[str, Any]:
    return json.loads(runner.invoke(app, ["history", code, "--db", str(db), "--json"]).stdout)  # type: ignore[no-any-return]


def roster(folder: Path, *codes: str) -> Path:
    path = folder / "roster.csv"
    path.write_text("社区编码,社区名称,乡街,类型\n" + "".join(f"{c},{c}社区,珠江道街道,城市社区\n" for c in codes),
                    encoding="utf-8")  # fmt: skip
    return path


# ── 1. a 评审日期 present is checked whatever the version ──


@pytest.mark.parametrize(
    ("review", "code"),
    [
        ("2019-06-01", "review-date-before-year"),  # would backdate a title
        ((date.today() + timedelta(days=3)).isoformat(), "review-date-future"),
        ("明天", "review-date-unreadable"),
        (None, None),  # absent: allowed under 2021.1 only
        ("2022-10-15", None),
    ],
)
def test_a_2021_1_review_date_is_range_checked_at_its_cell(tmp_path: Path, review: str | None, code: str) -> None:
    year = date.today().year if code == "review-date-future" else 2022
    path = filled(tmp_path, "ZJ-01", year=year, info={"评审日期": review} if review else None)
    _, doc = score(path, db=tmp_path / "l.db", extra=("--dry-run",))
    (result,) = doc["results"]
    assert result["rubric_version"] == "2021.1"
    if code is None:
        assert result["verdict"] == "pass" and result["errors"] == []
    else:
        assert result["verdict"] == "invalid"
        assert [(e["issue"], e["sheet"]) for e in result["errors"]] == [(code, "基本信息")]
        assert result["errors"][0]["cell"]


# ── 2. an undated 2021.1 evaluation counts as dated 31 December ──


@pytest.mark.parametrize("order", ["undated first", "dated first", "one batch"])
def test_an_undated_2021_1_pass_stands_over_a_2021_2_fail_dated_1_november(tmp_path: Path, order: str) -> None:
    undated = filled(tmp_path / "a", "ZJ-01", year=2022)  # 2021.1, no 评审日期: counts as 2022-12-31
    dated_fail = second(tmp_path / "b", "ZJ-01", 2022, "2022-11-01", FAILING)
    db = tmp_path / "l.db"
    batches = {"undated first": [[undated], [dated_fail]], "dated first": [[dated_fail], [undated]],
               "one batch": [[undated, dated_fail]]}[order]  # fmt: skip
    for batch in batches:
        score(*batch, db=db)
    records = history(db, "ZJ-01")["evaluations"]
    current = [e for e in records if e["current"]]
    assert [(e["verdict"], e["rubric_version"], e["dated_as"]) for e in current] == [("pass", "2021.1", "2022-12-31")]
    (loser,) = [e for e in records if not e["current"]]
    assert loser["verdict"] == "fail" and "2022-12-31" in loser["superseded_reason"]
    standing = json.loads(runner.invoke(app, ["progress", "--year", "2022", "--roster", str(roster(tmp_path, "ZJ-01")),
                                              "--db", str(db), "--json"]).stdout)  # fmt: skip
    assert standing["district"]["holders"] == 1 and standing["communities"][0]["title_date"] == "2022-12-31"


# ── 4. 应复审名单: the overdue first, marked 逾期; the same in progress and the 名单 sheet ──


@pytest.fixture(scope="module")
def due_district(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """ZJ-01 titled 2021 and not re-reviewed in 2022 (待复审 at 2022); ZJ-02 titled 2022; ZJ-03 failed 2022."""
    base = tmp_path_factory.mktemp("due")
    db = base / "l.db"
    score(second(base / "w", "ZJ-01", 2021, "2021-10-10"), db=db)
    score(second(base / "w", "ZJ-02", 2022, "2022-09-09"), second(base / "w", "ZJ-03", 2022, "2022-09-09",
                                                                   FAILING), db=db)  # fmt: skip
    return db, roster(base, "ZJ-01", "ZJ-02", "ZJ-03")


@pytest.fixture
def due_ledger(due_district: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """A copy of that ledger a test may change, and the roster."""
    db = tmp_path / "l.db"
    shutil.copyfile(due_district[0], db)
    return db, due_district[1]


def test_the_overdue_come_first_on_the_due_list_marked_overdue(due_ledger: tuple[Path, Path], tmp_path: Path) -> None:
    db, names = due_ledger
    out = tmp_path / "应复审名单.docx"
    result = runner.invoke(app, ["notice", "--year", "2023", "--kind", "应复审名单", "--roster", str(names),
                                 "--db", str(db), "--out", str(out), "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["communities"] == ["ZJ-01", "ZJ-02"]
    table = docx.Document(str(out)).tables[0]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    header, first, then = rows[0], rows[1], rows[2]
    assert "ZJ-01" in first and "待复审" in first and "逾期" in first
    assert "ZJ-02" in then and not any("逾期" in text for text in then)
    assert "说明" in header


def test_progress_says_who_is_due_and_who_is_overdue(due_ledger: tuple[Path, Path], tmp_path: Path) -> None:
    db, names = due_ledger
    args = ["progress", "--year", "2023", "--roster", str(names), "--db", str(db)]
    doc = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert [(d["community_id"], d["overdue"], d["reviewed"]) for d in doc["due"]] == [
        ("ZJ-01", True, False), ("ZJ-02", False, False)
    ]  # fmt: skip
    table = runner.invoke(app, args, env={"COLUMNS": "200"}).output
    assert "2023年应复审" in table and "逾期 1 个" in table and "ZJ-01" in table
    book_path = tmp_path / "进度.xlsx"
    assert runner.invoke(app, [*args, "--out", str(book_path)]).exit_code == 0
    sheet = openpyxl.load_workbook(book_path)["名单"]
    lines = [[str(v) for v in row if v is not None] for row in sheet.iter_rows(values_only=True)]
    start = next(n for n, line in enumerate(lines) if any("应复审名单" in v for v in line))
    codes = ("ZJ-01", "ZJ-02", "ZJ-03")
    listed = [line for line in lines[start:] if any(v in codes for v in line)]
    assert [next(v for v in line if v in codes) for line in listed[:2]] == ["ZJ-01", "ZJ-02"]
    assert "逾期" in listed[0] and "逾期" not in listed[1]


def test_a_pending_community_is_never_put_forward_to_the_province(due_ledger: tuple[Path, Path]) -> None:
    db, names = due_ledger
    for as_of in ("2022-12-31", "2023-06-30", "2025-01-01"):
        doc = json.loads(runner.invoke(app, ["progress", "--year", "2022", "--as-of", as_of, "--roster", str(names),
                                             "--db", str(db), "--json"]).stdout)  # fmt: skip
        by_code = {c["community_id"]: c for c in doc["communities"]}
        assert by_code["ZJ-01"]["status"] == "pending" and by_code["ZJ-01"]["provincial_eligible"] is False
        assert doc["district"]["holders"] == 2  # the 待复审 title still counts toward the rate
        assert "ZJ-01" not in doc["provincial"]


# ── 6. a recorded workbook that does not stand says so ──


def test_a_recorded_workbook_that_is_not_current_says_which_record_stands(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    _, first = score(second(tmp_path / "w", "ZJ-01", 2022, "2022-11-01", FAILING), db=db)
    assert first["results"][0]["current"] is True and first["results"][0]["current_record"] is None
    standing = history(db, "ZJ-01")["evaluations"][0]["id"]
    code, later = score(second(tmp_path / "w", "ZJ-01", 2022, "2022-10-01"), db=db)  # an earlier review, scored later
    (result,) = later["results"]
    assert code == 0 and later["recorded"] == 1
    assert (result["verdict"], result["current"], result["current_record"]) == ("pass", False, standing)
    assert [w["issue"] for w in result["warnings"]] == ["superseded-in-ledger"]
    table = runner.invoke(app, ["score", str(tmp_path / "w" / "ZJ-01-2022-10-01.xlsx"), "--db", str(db), "--out",
                                str(tmp_path / "t.xlsx")], env={"COLUMNS": "200"}).output  # fmt: skip
    assert "※" in table and "当前记录是另一份" in table


def test_a_workbook_whose_record_was_voided_says_so_when_scored_again(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    path = second(tmp_path / "w", "ZJ-01", 2022, "2022-10-01")
    score(path, db=db)
    record = history(db, "ZJ-01")["evaluations"][0]["id"]
    assert runner.invoke(app, ["void", str(record), "--reason", "录错", "--db", str(db)]).exit_code == 0
    _, again = score(path, db=db)
    (result,) = again["results"]
    assert (again["recorded"], result["current"], result["current_record"]) == (0, False, record)
    assert [w["issue"] for w in result["warnings"]] == ["voided-in-ledger"]


# ── 5. invalid_submission: true until a valid workbook for that community and year is scored after it ──


def test_invalid_submission_lasts_until_a_valid_workbook_follows(tmp_path: Path) -> None:
    db, names = tmp_path / "l.db", roster(tmp_path, "ZJ-01")

    def flagged() -> bool:
        doc = json.loads(runner.invoke(app, ["progress", "--year", "2022", "--roster", str(names), "--db", str(db),
                                             "--json"]).stdout)  # fmt: skip
        return bool(doc["communities"][0]["invalid_submission"])

    score(second(tmp_path / "w", "ZJ-01", 2022, "2022-10-01"), db=db)
    assert not flagged()
    score(second(tmp_path / "w", "ZJ-01", 2022, "2022-10-05", {"7.3": None}, name="bad.xlsx"), db=db)
    assert flagged()  # the valid one came before it
    (kept,) = history(db, "ZJ-01")["invalid_submissions"]
    assert kept["first_error_code"] == "value-missing"  # scripts match the code; first_error is its text
    score(second(tmp_path / "w", "ZJ-01", 2022, "2022-10-06", name="fixed.xlsx"), db=db)
    assert not flagged()
