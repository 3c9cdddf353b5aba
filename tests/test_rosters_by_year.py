"""Rosters kept by year (issue 25, item 5; contract.md "The shared ledger"): the roster given for a year is stored as
that year's, later commands for the year need none, and a later year's roster (a merger, a rename) leaves the
earlier years' rates, lists, notices and district workbook exactly as they were."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from greencli.adapters.ledger import Ledger, ledger_at
from greencli.cli.app import app
from greencli.core.roster import Community, Rosters
from typer.testing import CliRunner

from tests.district import ROOT, SampleDistrict

runner = CliRunner()
SAMPLES = ROOT / "samples"
ROSTER_CSV = SAMPLES / "roster.csv"


def cli(*args: str | Path, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "120", "GREENCLI_ROSTER": "", **(env or {})})


def community(code: str, name: str = "", subdistrict: str = "甲街道", kind: str = "城市社区") -> Community:
    return Community(code, name or f"{code}社区", subdistrict, kind)


A, B, C = (community("A"),), (community("B"),), (community("C"),)


@pytest.mark.parametrize(
    ("by_year", "given", "year", "expected", "from_year"),
    [
        ({}, None, 2022, None, None),  # nothing kept: none
        ({2022: A}, None, 2022, A, 2022),  # the year's own
        ({2021: A}, None, 2022, A, 2021),  # the latest before it
        ({2021: A, 2023: C}, None, 2022, A, 2021),  # never a later year's
        ({2021: A, 2022: B, 2023: C}, None, 2022, B, 2022),
        ({2021: A, 2022: B}, None, 2030, B, 2022),
        ({2023: C}, None, 2022, None, None),  # only later years kept: none
        ({2022: A}, B, 2022, B, None),  # a roster given stands for every year
        ({2022: A}, B, 2019, B, None),
        ({2022: A}, None, None, None, None),  # a workbook without a 评审年度 is held against none
    ],
)
def test_the_roster_of_a_year(
    by_year: dict[int, tuple[Community, ...]],
    given: tuple[Community, ...] | None,
    year: int | None,
    expected: tuple[Community, ...] | None,
    from_year: int | None,
) -> None:
    rosters = Rosters(by_year, given)
    assert rosters.for_year(year) == expected
    assert rosters.source_year(year) == from_year
    index = rosters.index(year)
    assert (index is None) == (expected is None)
    assert index is None or list(index) == [c.code for c in expected or ()]


def test_keeping_a_roster_replaces_the_years_and_the_same_one_again_changes_nothing(ledger_db: str) -> None:
    db = ledger_at(ledger_db)
    with Ledger.open(db) as ledger, ledger.transaction():
        assert ledger.keep_roster(2022, A + B, "a.csv")
        assert ledger.keep_roster(2023, C, "c.csv")
    with Ledger.open(db) as ledger:
        first = {k.year: (k.source, k.stored_at) for k in ledger.kept_rosters()}
        with ledger.transaction():
            assert not ledger.keep_roster(2022, A + B, "elsewhere.csv")  # the same communities: nothing written
        assert {k.year: (k.source, k.stored_at) for k in ledger.kept_rosters()} == first
        with ledger.transaction():
            assert ledger.keep_roster(2022, B, "b.csv")  # replaced, order kept
        rosters = ledger.rosters()
    assert rosters.by_year == {2022: B, 2023: C}
    with Ledger.open(db, create=False, write=False) as ledger:  # no row of the replaced roster is left behind
        left = ledger.db.execute("SELECT COUNT(*) FROM roster_communities WHERE year = 2022").fetchone()
    assert left[0] == 1


def write_roster(path: Path, communities: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["社区编码", "社区名称", "乡街", "类型"])
        writer.writerows(communities)
    return path


def roster_rows() -> list[list[str]]:
    with ROSTER_CSV.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))[1:]


def roster_2024(path: Path) -> Path:
    """2024's roster: 海岸社区 (BH-02) merged into 渤海社区 (BH-01), 新港社区 (BH-03) renamed, 金沙社区 (BH-04) split in
    two (BH-04 and the new BH-05)."""
    rows = []
    for code, name, subdistrict, kind in roster_rows():
        if code == "BH-02":
            continue
        rows.append([code, "新港湾社区" if code == "BH-03" else name, subdistrict, kind])
        if code == "BH-04":
            rows.append(["BH-05", "金沙北社区", subdistrict, kind])
    return write_roster(path, rows)


def sheets(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet's cell values, row by row."""
    book = openpyxl.load_workbook(path)
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def document_text(path: Path) -> list[str]:
    document = docx.Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return [p.text for p in document.paragraphs] + cells


def year_views(folder: Path, db: str | Path, name: str) -> dict[str, Any]:
    """What the office shows for 2022, from the ledger alone (no --roster): progress, two notices, the district
    workbook (rolled up from the 2022 inbox, nothing new in it)."""
    progress = cli("progress", "--year", "2022", "--as-of", "2022-12-31", "--db", db, "--json")
    assert progress.exit_code == 0, progress.output
    views: dict[str, Any] = {"progress": json.loads(progress.stdout)}
    for kind in ("通报", "认定名单"):
        out = folder / f"{name}-{kind}.docx"
        made = cli("notice", "--year", "2022", "--kind", kind, "--as-of", "2022-12-31", "--db", db, "--out", out)
        assert made.exit_code == 0, made.output
        views[kind] = document_text(out)
    workbook = folder / f"{name}.xlsx"
    rolled = cli("rollup", "--inbox", SAMPLES / "inspections" / "2022", "--year", "2022", "--db", db, "--out", workbook,
                 "--json")  # fmt: skip
    assert rolled.exit_code in (0, 1), rolled.output
    views["workbook"] = sheets(workbook)
    return views


def test_a_later_years_merger_and_rename_leave_2022_as_it_was(sample_ledger: str, tmp_path: Path) -> None:
    db = sample_ledger  # scored 2021–2023 with the roster: kept as each year's (SQLite, or copied into PostgreSQL)
    before = year_views(tmp_path, db, "before")
    assert before["progress"]["district"]["urban"] == 46
    r2024 = roster_2024(tmp_path / "名单2024.csv")
    given = cli("progress", "--year", "2024", "--db", db, "--roster", r2024, "--json")
    assert given.exit_code == 0, given.output
    assert json.loads(given.stdout)["district"]["urban"] == 46  # one merged away, one split off
    after = year_views(tmp_path, db, "after")
    assert after == before
    # 2024 and every later year without a roster: the 2024 one
    shown = json.loads(cli("roster", "show", "--year", "2025", "--db", db, "--json").stdout)
    assert shown["roster_year"] == 2024 and shown["source"] == str(r2024)
    codes = [c["community_id"] for c in shown["communities"]]
    assert "BH-02" not in codes and "BH-05" in codes
    names = {c["community_id"]: c["community"] for c in shown["communities"]}
    assert names["BH-03"] == "新港湾社区"
    later = json.loads(cli("progress", "--year", "2024", "--db", db, "--json").stdout)
    assert {s["community_id"] for s in later["communities"]} == set(codes)
    # 2022 still reads its own
    kept = json.loads(cli("roster", "show", "--year", "2022", "--db", db, "--json").stdout)
    assert kept["roster_year"] == 2022 and "BH-02" in [c["community_id"] for c in kept["communities"]]


def test_score_holds_each_workbook_against_its_own_years_roster(tmp_path: Path) -> None:
    """Kept for 2021 without BH-01, for 2022 with it: BH-01's 2022 workbook is scored without --roster as in the
    roster, its 2021 workbook as unknown to that year's roster."""
    db = tmp_path / "l.db"
    rows = roster_rows()
    without = write_roster(tmp_path / "r2021.csv", [r for r in rows if r[0] != "BH-01"])
    with Ledger.open(db) as ledger, ledger.transaction():
        ledger.keep_roster(2021, read(without), str(without))
        ledger.keep_roster(2022, read(ROSTER_CSV), str(ROSTER_CSV))
    files = {year: next((SAMPLES / "inspections" / year).rglob("BH-01*.xlsx")) for year in ("2021", "2022")}
    results = {}
    for year, path in files.items():
        done = cli("score", path, "--db", db, "--out", tmp_path / f"{year}.xlsx", "--json")
        results[year] = json.loads(done.stdout)
    codes_2021 = {e["issue"] for r in results["2021"]["results"] for e in r["errors"]}
    codes_2022 = {e["issue"] for r in results["2022"]["results"] for e in r["errors"] + r["warnings"]}
    assert "roster-unknown" in codes_2021
    assert not codes_2022 & {"roster-unknown", "roster-mismatch"}
    assert results["2022"]["roster_checked"] is True


def read(path: Path) -> list[Community]:
    from greencli.adapters.roster import read_roster

    return read_roster(path)


def test_a_roster_given_to_score_or_rollup_is_kept_for_the_batch_year(tmp_path: Path) -> None:
    db = tmp_path / "l.db"
    done = cli("score", SAMPLES / "inspections" / "2022", "--roster", ROSTER_CSV, "--db", db, "--out",
               tmp_path / "s.xlsx", "--json")  # fmt: skip
    assert done.exit_code == 1, done.output
    listed = json.loads(cli("roster", "show", "--db", db, "--json").stdout)["rosters"]
    assert [(r["year"], r["communities"], r["urban"]) for r in listed] == [(2022, 52, 46)]
    r2023 = write_roster(tmp_path / "r2023.csv", roster_rows()[:10])
    inbox = SAMPLES / "inspections" / "2023"
    first = cli("rollup", "--inbox", inbox, "--year", "2023", "--roster", r2023, "--db", db, "--out",
                tmp_path / "r.xlsx", "--json")  # fmt: skip
    assert first.exit_code in (0, 1), first.output
    listed = json.loads(cli("roster", "show", "--db", db, "--json").stdout)["rosters"]
    assert [(r["year"], r["communities"]) for r in listed] == [(2022, 52), (2023, 10)]
    # the same roster again: nothing new to keep, nothing to rewrite
    again = cli("rollup", "--inbox", inbox, "--year", "2023", "--roster", r2023, "--db", db, "--out",
                tmp_path / "r.xlsx", "--json")  # fmt: skip
    assert json.loads(again.stdout)["recorded"] == 0
    # another roster for 2023, nothing else changed: kept, and the workbook is rewritten for it
    r2023b = write_roster(tmp_path / "r2023b.csv", roster_rows()[:12])
    third = cli("rollup", "--inbox", inbox, "--year", "2023", "--roster", r2023b, "--db", db, "--out",
                tmp_path / "r.xlsx", "--json")  # fmt: skip
    assert third.exit_code in (0, 1), third.output
    assert json.loads(cli("roster", "show", "--year", "2023", "--db", db, "--json").stdout)["source"] == str(r2023b)
    # a dry run keeps nothing
    dry = cli("score", SAMPLES / "inspections" / "2021", "--roster", ROSTER_CSV, "--db", db, "--dry-run", "--json")
    assert dry.exit_code == 1
    assert [r["year"] for r in json.loads(cli("roster", "show", "--db", db, "--json").stdout)["rosters"]] == [
        2022,
        2023,
    ]


def test_a_reading_command_never_waits_to_keep_a_roster(sample_district: SampleDistrict, tmp_path: Path) -> None:
    """progress given a new roster while a writer holds the ledger: it reports with the roster given at once, says
    on stderr it was not kept, and the ledger keeps what it had."""
    db = sample_district.copy_ledger(tmp_path)
    smaller = write_roster(tmp_path / "r.csv", roster_rows()[:20])
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        busy = runner.invoke(app, ["progress", "--year", "2022", "--db", str(db), "--roster", str(smaller), "--json"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert busy.exit_code == 0, busy.output
    assert json.loads(busy.stdout)["district"]["urban"] == sum(1 for r in roster_rows()[:20] if r[3] == "城市社区")
    assert "社区名单未存入评分记录库" in busy.stderr
    kept = json.loads(cli("roster", "show", "--year", "2022", "--db", db, "--json").stdout)
    assert len(kept["communities"]) == 52
    # free again: kept, said nothing
    free = runner.invoke(app, ["progress", "--year", "2022", "--db", str(db), "--roster", str(smaller), "--json"])
    assert free.exit_code == 0 and "未存入" not in free.stderr
    assert len(json.loads(cli("roster", "show", "--year", "2022", "--db", db, "--json").stdout)["communities"]) == 20


def test_roster_show_as_a_table_and_when_nothing_is_kept(sample_district: SampleDistrict, tmp_path: Path) -> None:
    db = sample_district.db
    table = runner.invoke(app, ["roster", "show", "--db", str(db)], env={"COLUMNS": "80"})
    assert table.exit_code == 0 and "2021" in table.stdout and "2023" in table.stdout
    assert all(len(line) <= 80 for line in table.stdout.splitlines())
    year = runner.invoke(app, ["roster", "show", "--year", "2022", "--db", str(db)], env={"COLUMNS": "80"})
    assert year.exit_code == 0 and "ZJ-01" in year.stdout and "沿用" not in year.stdout
    empty = tmp_path / "e.db"
    with Ledger.open(empty):
        pass
    none = runner.invoke(app, ["roster", "show", "--year", "2022", "--db", str(empty), "--json"])
    assert none.exit_code == 0 and json.loads(none.stdout)["roster_year"] is None
    said = runner.invoke(app, ["roster", "show", "--db", str(empty)])
    assert said.exit_code == 0 and "还没有存入社区名单" in said.stdout
    missing = runner.invoke(app, ["roster", "show", "--db", str(tmp_path / "absent.db"), "--json"])
    assert missing.exit_code == 2 and json.loads(missing.stdout)["error"]["code"] == "ledger-missing"
