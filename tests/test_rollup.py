"""`greencli rollup`: incremental, one run at a time, never half-written, clear about what needs a person."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from greencli.adapters.ledger import MIGRATIONS, Ledger, ledger_at
from greencli.adapters.lock import run_lock
from greencli.adapters.xlsx_reader import read_workbook
from greencli.cli.app import app
from typer.testing import CliRunner, Result

from tests.errors import error_code
from tests.workbooks import filled

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ROSTER = str(SAMPLES / "roster.xlsx")
runner = CliRunner()


def rollup(tmp: Path, *args: str, inbox: Path | None = None, db: str | None = None) -> tuple[Result, dict[str, Any]]:
    result = runner.invoke(app, ["rollup", "--inbox", str(inbox or tmp / "inbox"), "--year", "2022", "--roster", ROSTER,
                                 "--db", db or str(tmp / "l.db"), "--out", str(tmp / "out" / "汇总.xlsx"), "--json",
                                 "--log", str(tmp / "run.log"), "--jobs", "1", *args])  # fmt: skip
    try:
        return result, json.loads(result.stdout)
    except json.JSONDecodeError:
        return result, {}


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    box = tmp_path / "inbox"
    shutil.copytree(SAMPLES / "inspections" / "2022", box / "2022")
    (box / "2022" / "~$ZJ-01_珠江社区.xlsx").write_bytes(b"owner lock")
    (box / ".hidden.xlsx").write_bytes(b"x")
    (box / "notes.docx").write_bytes(b"x")
    (box / "draft.xlsx.tmp").write_bytes(b"x")
    return box


def count_reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    calls = {"n": 0}
    real = read_workbook

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr("greencli.adapters.xlsx_reader.read_workbook", counting)  # imported by each read
    return calls


def test_first_run_then_an_unchanged_rerun_reads_no_workbook(tmp_path: Path, inbox: Path, ledger_db: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    reads = count_reads(monkeypatch)
    first, a = rollup(tmp_path, db=ledger_db)
    assert first.exit_code == 1  # the samples include invalid workbooks on purpose
    assert (a["found"], a["new"], a["changed"], a["unchanged"], a["invalid"], a["skipped"]) == (34, 34, 0, 0, 3, 4)
    assert reads["n"] == 34 and a["recorded"] == 31
    reads["n"] = 0
    second, b = rollup(tmp_path, db=ledger_db)
    assert second.exit_code == 1 and reads["n"] == 0
    assert (b["new"], b["changed"], b["unchanged"], b["invalid"], b["recorded"]) == (0, 0, 34, 3, 0)
    wb = openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx")
    assert wb.sheetnames == [
        "汇总",
        "分项得分",
        "乡街统计",
        "部门失分",
        "达标差距",
        "问题清单",
        "年度进度",
        "社区状态",
        "冲刺名单",
        "名单",
    ]
    header, *problems = list(wb["问题清单"].iter_rows(values_only=True))
    severity = header.index("严重程度")
    assert {Path(str(r[0])).name for r in problems if r[severity] == "错误"} == {
        "ZJ-10_秦皇西社区.xlsx", "HH-09_昆仑社区.xlsx", "CC-08_锚地社区.xlsx"}  # fmt: skip
    touched = next((inbox / "2022").rglob("TF-01_*.xlsx"))
    os.utime(touched, (time.time() + 5, time.time() + 5))  # a new time, the same content: still not re-scored
    third, c = rollup(tmp_path, db=ledger_db)
    assert third.exit_code == 1 and (c["unchanged"], reads["n"]) == (34, 0)


def test_a_changed_file_is_picked_up_and_supersedes(tmp_path: Path, inbox: Path, ledger_db: str) -> None:
    rollup(tmp_path, db=ledger_db)
    target = next((inbox / "2022").rglob("ZJ-09_*.xlsx"))  # the 79.5 near miss, fixed by its inspector
    filled(target.parent, "ZJ-09", "嘉陵江社区", "珠江道街道", values={"9.1": 4}, info={"评审日期": "2022-12-01"},
           file_name=target.name)  # fmt: skip
    result, doc = rollup(tmp_path, db=ledger_db)
    assert result.exit_code == 1 and (doc["changed"], doc["recorded"]) == (1, 1)
    with Ledger.open(ledger_at(ledger_db)) as ledger:
        history = ledger.evaluations(community_id="ZJ-09")
        assert [(float(h.total or 0), h.stored.current) for h in history] == [(79.5, False), (100.0, True)]
    wb = openpyxl.load_workbook(tmp_path / "out" / "汇总.xlsx")
    totals = {r[1]: r[12] for r in wb["汇总"].iter_rows(min_row=2, values_only=True)}
    assert totals["ZJ-09"] == 100


def test_the_workbook_covers_the_whole_year_from_the_ledger(tmp_path: Path, inbox: Path, ledger_db: str) -> None:
    rollup(tmp_path, db=ledger_db)
    shutil.rmtree(inbox / "2022" / "黄河道街道")  # files leave the inbox; their evaluations stay on record
    result, doc = rollup(tmp_path, db=ledger_db)
    assert result.exit_code == 1 and doc["removed"] > 0 and doc["communities"] == 30


def test_a_second_run_waits_or_exits_3_touching_nothing(tmp_path: Path, inbox: Path) -> None:
    rollup(tmp_path)
    out = tmp_path / "out" / "汇总.xlsx"
    before = (out.read_bytes(), (tmp_path / "l.db").read_bytes())
    with run_lock(tmp_path / "l.db.lock"):
        busy, _ = rollup(tmp_path)
        assert busy.exit_code == 3 and error_code(busy) == "lock-busy"
    assert (out.read_bytes(), (tmp_path / "l.db").read_bytes()) == before
    assert not list((tmp_path / "out").glob(".~greencli-*"))

    def hold_briefly() -> None:
        with run_lock(tmp_path / "l.db.lock"):
            time.sleep(0.6)

    holder = threading.Thread(target=hold_briefly)
    holder.start()
    time.sleep(0.1)
    waited, doc = rollup(tmp_path, "--wait", "5")
    holder.join()
    assert waited.exit_code == 1 and doc["unchanged"] == 34


def test_two_real_processes_never_both_write(tmp_path: Path, inbox: Path) -> None:
    command = [sys.executable, "-m", "greencli", "rollup", "--inbox", str(inbox), "--year", "2022", "--roster", ROSTER,
               "--db", str(tmp_path / "l.db"), "--out", str(tmp_path / "out" / "汇总.xlsx"), "--json"]  # fmt: skip
    with run_lock(tmp_path / "l.db.lock"):
        procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
        codes = [p.wait(timeout=60) for p in procs]
    assert codes == [3, 3]
    first = subprocess.Popen([*command, "--wait", "30"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    second = subprocess.Popen([*command, "--wait", "30"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    outputs = [json.loads(p.communicate(timeout=120)[0]) for p in (first, second)]
    assert sorted(o["new"] for o in outputs) == [0, 34]  # one did the work, the other waited and found it done
    with Ledger.open(tmp_path / "l.db") as ledger:
        assert ledger.count() == 31 and ledger.integrity() == "ok"


def test_killed_at_any_moment_leaves_yesterdays_workbook_and_a_consistent_ledger(tmp_path: Path, inbox: Path) -> None:
    shutil.copytree(SAMPLES / "inspections" / "2021", inbox / "2021")
    out = tmp_path / "out" / "汇总.xlsx"
    base = [sys.executable, "-m", "greencli", "rollup", "--inbox", str(inbox), "--year", "2022", "--roster", ROSTER,
            "--out", str(out), "--jobs", "1"]  # fmt: skip
    assert (
        subprocess.run([*base, "--db", str(tmp_path / "yesterday.db")], capture_output=True, check=False).returncode
        == 1
    )
    yesterday = out.read_bytes()
    db = tmp_path / "today.db"
    for delay in (0.3, 0.8, 1.3, 1.8, 2.4):
        proc = subprocess.Popen([*base, "--db", str(db)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        wb = openpyxl.load_workbook(out)  # whatever moment it died, the workbook there is whole
        assert "汇总" in wb.sheetnames
        if db.exists():
            with sqlite3.connect(db) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    done = subprocess.run([*base, "--db", str(db), "--json"], capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr
    summary = json.loads(done.stdout)
    assert summary["found"] == 58 and summary["invalid"] == 5
    with Ledger.open(db) as ledger:
        assert ledger.integrity() == "ok" and len(ledger.evaluations(current_only=True)) == 22 + 30
    rows = list(openpyxl.load_workbook(out)["汇总"].iter_rows(min_row=2, values_only=True))
    assert len([r for r in rows if r[13] != "无效"]) == 30 and len(yesterday) > 0
    assert not list(out.parent.glob(".~greencli-*"))


def test_read_only_or_full_output_is_exit_2_with_the_ledger_unchanged(tmp_path: Path, inbox: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    rollup(tmp_path)
    extra = filled(inbox / "2022" / "新收", "ZJ-11", "华山社区", values={"9.1": 3})
    assert extra.exists()
    with Ledger.open(tmp_path / "l.db") as ledger:
        before = ledger.count()

    def read_only(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("greencli.adapters.files.tempfile.mkstemp", read_only)
    result, _ = rollup(tmp_path)
    assert result.exit_code == 2 and error_code(result) == "output-unwritable" and "Traceback" not in result.output
    monkeypatch.undo()

    def disk_full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("greencli.adapters.xlsx_report.DistrictWorkbook.district", disk_full)
    workbook = (tmp_path / "out" / "汇总.xlsx").read_bytes()
    result, _ = rollup(tmp_path)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert (tmp_path / "out" / "汇总.xlsx").read_bytes() == workbook
    with Ledger.open(tmp_path / "l.db") as ledger:
        assert ledger.count() == before and ledger.integrity() == "ok"
    monkeypatch.undo()
    result, doc = rollup(tmp_path)
    assert doc["new"] == 1 and doc["recorded"] == 1


def test_log_lines_have_timestamps_and_no_colours(tmp_path: Path, inbox: Path) -> None:
    rollup(tmp_path)
    lines = (tmp_path / "run.log").read_text(encoding="utf-8").splitlines()
    assert lines[0].split(" ")[1] == "开始" and lines[-1].split(" ")[1] == "结束"
    assert all(line[:4].isdigit() and "T" in line.split(" ")[0] for line in lines)
    assert any("扫描完成" in line and "找到=34" in line for line in lines)
    assert any(line.split(" ")[1] == "无效" for line in lines) and not any("\x1b[" in line for line in lines)


def test_unusable_calls(tmp_path: Path) -> None:
    missing, _ = rollup(tmp_path, inbox=tmp_path / "nope")
    assert missing.exit_code == 2 and error_code(missing) == "inbox-missing"
    result = runner.invoke(app, ["rollup"])
    assert result.exit_code == 2 and "--inbox" in result.output  # a usage error names the option that is missing


def test_an_older_ledger_is_upgraded_in_place(tmp_path: Path, inbox: Path) -> None:
    db = tmp_path / "l.db"
    version, name, script = MIGRATIONS[0]
    assert isinstance(script, str)
    with sqlite3.connect(db) as conn:
        conn.executescript(script)
        conn.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        conn.execute("INSERT INTO schema_migrations VALUES (?, ?, 'then')", (version, name))
    result, doc = rollup(tmp_path)
    assert result.exit_code == 1 and doc["recorded"] == 31
    with Ledger.open(db) as ledger:
        assert ledger.schema_version() == len(MIGRATIONS)
        rows = ledger.db.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
        assert [r[0] for r in rows] == [m[0] for m in MIGRATIONS]


def test_an_unchanged_inbox_does_not_rewrite_the_workbook_unless_it_was_replaced(tmp_path: Path, inbox: Path) -> None:
    rollup(tmp_path)
    out = tmp_path / "out" / "汇总.xlsx"
    stamp = out.stat().st_mtime_ns
    rollup(tmp_path)
    assert out.stat().st_mtime_ns == stamp
    assert "汇总工作簿无变化" in (tmp_path / "run.log").read_text(encoding="utf-8")
    out.unlink()  # someone deleted (or replaced) it: the next run writes it again
    result, doc = rollup(tmp_path)
    assert result.exit_code == 1 and out.exists() and doc["unchanged"] == 34
    assert "汇总" in openpyxl.load_workbook(out).sheetnames
    other = tmp_path / "out" / "其他.xlsx"  # another output path is another workbook
    runner.invoke(app, ["rollup", "--inbox", str(inbox), "--year", "2022", "--roster", ROSTER, "--db", str(tmp_path / "l.db"),
                        "--out", str(other)])  # fmt: skip
    assert other.exists()


def _runs(log: Path) -> list[list[str]]:
    """Each run of a rollup log, its lines without their times and durations."""
    runs: list[list[str]] = []
    for line in log.read_text(encoding="utf-8").splitlines():
        words = line.split(" ", 1)[1]
        if words.startswith("开始"):
            runs.append([])
        runs[-1].append(" ".join(w for w in words.split(" ") if not w.startswith("用时=")))
    return runs


def test_an_unchanged_run_is_told_before_the_standard_loads_and_says_what_the_whole_run_says(
    tmp_path: Path, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The nightly command over an unchanged inbox (the year and the workbook named) is answered from the listing
    and the ledger alone: its summary, exit code and log are those of the whole run that finds nothing to do."""
    rollup(tmp_path)
    loads: list[str] = []
    monkeypatch.setattr("greencli.api.commands.load_standards", lambda *a: loads.append("standard"))
    quick, told = rollup(tmp_path)
    assert loads == [] and quick.exit_code == 1 and told["unchanged"] == 34
    monkeypatch.undo()
    monkeypatch.setattr("greencli.jobs.rollup.unchanged_rollup", lambda *a, **k: None)  # the whole run, as before
    whole, found = rollup(tmp_path)
    assert whole.exit_code == quick.exit_code
    assert {**told, "duration_seconds": 0} == {**found, "duration_seconds": 0}
    second, third = _runs(tmp_path / "run.log")[1:]
    assert second == third and second[-2].startswith("汇总工作簿无变化")


def _write_roster(path: Path, rows: list[list[str]], newline: str = "\n") -> None:
    path.write_text(newline.join(",".join(r) for r in rows) + newline, encoding="utf-8")


def test_a_roster_or_standard_edited_or_another_roster_kept_is_never_passed_over(tmp_path: Path, inbox: Path) -> None:
    """What the quick look takes for unchanged is what the whole run would: an edited roster is kept and the workbook
    written again; the same communities saved anew rewrite the workbook once; a roster another command kept for
    the year is replaced by the one given again; an edited standard rewrites the workbook."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO((SAMPLES / "roster.csv").read_text(encoding="utf-8-sig"))))
    roster = tmp_path / "社区名单.csv"
    _write_roster(roster, rows)
    standard = tmp_path / "标准.toml"
    shutil.copy(sorted((ROOT / "templates").glob("qhd-etdz-green-community-*.toml"))[-1], standard)
    log = tmp_path / "run.log"

    def run() -> list[str]:
        result, _ = rollup(tmp_path, "--roster", str(roster), "--rubric", str(standard))
        assert result.exit_code == 1, result.output
        return _runs(log)[-1]

    def kept() -> tuple[tuple[str, ...], ...]:
        with Ledger.open(ledger_at(str(tmp_path / "l.db"))) as ledger:
            return tuple((c.code, c.name) for c in ledger.rosters().by_year[2022])

    run()
    assert run()[-2].startswith("汇总工作簿无变化")
    renamed = [rows[0], [rows[1][0], rows[1][1] + "（新）", *rows[1][2:]], *rows[2:]]
    _write_roster(roster, renamed)
    assert run()[-2].startswith("已写入") and kept()[0][1].endswith("（新）")
    assert run()[-2].startswith("汇总工作簿无变化")
    _write_roster(roster, renamed, newline="\r\n")  # the same communities, other bytes: written once more
    assert run()[-2].startswith("已写入") and run()[-2].startswith("汇总工作簿无变化")
    with Ledger.open(ledger_at(str(tmp_path / "l.db"))) as ledger, ledger.transaction():
        ledger.keep_roster(2022, ledger.rosters().by_year[2022][1:], "another")  # as another command keeps one
    assert run()[-2].startswith("已写入") and kept()[0][1].endswith("（新）")
    standard.write_text(standard.read_text(encoding="utf-8") + "\n# 编辑过\n", encoding="utf-8")
    assert run()[-2].startswith("已写入") and run()[-2].startswith("汇总工作簿无变化")


def test_a_year_out_of_range_is_refused_before_anything_is_made(tmp_path: Path, inbox: Path) -> None:
    """The quick look makes nothing: a year the standard refuses is refused as ever, with no ledger, lock or log
    left behind; on a ledger already made, it stays as it was."""
    result, doc = rollup(tmp_path, "--year", "1900")
    assert result.exit_code == 2 and error_code(result) == "year-out-of-range" and doc["error"]["exit_code"] == 2
    assert not (tmp_path / "l.db").exists() and not (tmp_path / "run.log").exists()
    rollup(tmp_path)
    before = (tmp_path / "l.db").read_bytes()
    result, doc = rollup(tmp_path, "--year", "1900")
    assert result.exit_code == 2 and error_code(result) == "year-out-of-range" and doc["error"]["exit_code"] == 2
    assert (tmp_path / "l.db").read_bytes() == before
