"""The ledger under several programs at once: readers never wait for writers, writers queue and give up with exit 3,
nothing is recorded twice or lost, and files that are not greencli ledgers are refused untouched."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from greencli.adapters.ledger import APPLICATION_ID, LedgerBusy, LedgerError
from greencli.adapters.rubric_file import load_standards
from greencli.cli.app import app
from greencli.jobs import rollup as rollup_job
from greencli.jobs import score as score_job
from greencli.jobs.score import run_score
from typer.testing import CliRunner

from tests.errors import error_code

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ROSTER = str(SAMPLES / "roster.xlsx")
GREENCLI = [sys.executable, "-m", "greencli"]
runner = CliRunner()


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger holding the sample 2022 batch."""
    db = tmp_path_factory.mktemp("scored") / "l.db"
    result = runner.invoke(app, ["score", str(SAMPLES / "inspections" / "2022"), "--roster", ROSTER, "--db", str(db),
                                 "--out", str(db.with_suffix(".xlsx")), "--json"])  # fmt: skip
    assert result.exit_code == 1, result.output  # the samples hold three invalid workbooks
    return db


def readers(db: Path, out: Path) -> dict[str, list[str]]:
    """One call of every reading command."""
    return {
        "progress": ["progress", "--year", "2022", "--roster", ROSTER, "--db", str(db), "--json"],
        "history": ["history", "ZJ-01", "--db", str(db), "--json"],
        "export": ["export", "--year", "2022", "--db", str(db), "--out", str(out / "export.xlsx"), "--json"],
        "notice": ["notice", "--year", "2022", "--kind", "认定名单", "--roster", ROSTER, "--db", str(db),
                   "--out", str(out / "认定名单.docx"), "--json"],
        "rescore preview": ["rescore", "--year", "2022", "--version", "2021.1", "--db", str(db), "--json"],
    }  # fmt: skip


@pytest.fixture
def writer_holding(scored: Path, tmp_path: Path) -> Iterator[tuple[Path, sqlite3.Connection]]:
    """A copy of the ledger with another program in the middle of a write transaction."""
    db = tmp_path / "busy.db"
    shutil.copy(scored, db)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE evaluations SET reviewers = reviewers WHERE id = 1")
    yield db, other
    other.execute("ROLLBACK")
    other.close()


def test_every_reading_command_works_while_another_program_writes(
    writer_holding: tuple[Path, sqlite3.Connection], tmp_path: Path
) -> None:
    db, _ = writer_holding
    for name, args in readers(db, tmp_path).items():
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (name, result.output)


def test_a_writer_gives_up_with_exit_3_and_changes_nothing(
    writer_holding: tuple[Path, sqlite3.Connection], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, _ = writer_holding
    with pytest.raises(LedgerBusy) as raised:
        run_score(load_standards(), [str(SAMPLES / "inspections" / "2023" / "珠江道街道")], db=db,
                  out=tmp_path / "out.xlsx", wait=0.2, jobs=1)  # fmt: skip
    assert raised.value.exit_code == 3 and raised.value.code == "ledger-busy"
    assert not (tmp_path / "out.xlsx").exists()
    monkeypatch.setattr(rollup_job, "LEDGER_GRACE", 0.2)
    result = runner.invoke(app, ["rollup", "--inbox", str(SAMPLES / "inspections" / "2023" / "渤海乡"),
                                 "--db", str(db), "--out", str(tmp_path / "r.xlsx"), "--log", str(tmp_path / "r.log"),
                                 "--json"])  # fmt: skip
    assert result.exit_code == 3 and error_code(result) == "ledger-busy", result.output
    assert not (tmp_path / "r.xlsx").exists()


def test_scores_read_phase_holds_no_lock(scored: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While workbooks are read, another writer can take the ledger at once: the batch waits in its spool."""
    db = tmp_path / "l.db"
    shutil.copy(scored, db)
    real = score_job.assess_all  # type: ignore[attr-defined]
    took: list[bool] = []

    def reading(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for assessment in real(*args, **kwargs):
            other = sqlite3.connect(db, timeout=0, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            other.close()
            took.append(True)
            yield assessment

    monkeypatch.setattr(score_job, "assess_all", reading)
    report = run_score(load_standards(), [str(SAMPLES / "inspections" / "2023" / "渤海乡")], roster=None, db=db,
                       out=tmp_path / "o.xlsx", jobs=1)  # fmt: skip
    assert len(took) == 3 and report.recorded == 3


def test_two_scores_and_a_rollup_at_once_record_each_evaluation_once(tmp_path: Path) -> None:
    box = tmp_path / "inbox"
    for n in range(3):
        shutil.copytree(SAMPLES / "inspections" / "2022", box / f"copy{n}")
    db = tmp_path / "l.db"
    runs = [
        subprocess.Popen([*GREENCLI, "score", str(box), "--db", str(db), "--out", str(tmp_path / f"s{n}.xlsx"),
                          "--json", "--jobs", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for n in range(2)
    ] + [
        subprocess.Popen([*GREENCLI, "rollup", "--inbox", str(box), "--db", str(db), "--out", str(tmp_path / "r.xlsx"),
                          "--log", str(tmp_path / "r.log"), "--jobs", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ]  # fmt: skip
    said = [run.communicate(timeout=300)[1].decode() for run in runs]
    assert [run.returncode for run in runs] == [1, 1, 1], said
    with sqlite3.connect(db) as connection:
        twice = connection.execute(
            "SELECT community_id, year, file_sha256 FROM evaluations GROUP BY 1, 2, 3 HAVING COUNT(*) > 1"
        ).fetchall()
        current = connection.execute(
            "SELECT community_id, year, COUNT(*) FROM evaluations WHERE superseded_by IS NULL GROUP BY 1, 2"
        ).fetchall()
        distinct = connection.execute("SELECT COUNT(DISTINCT file_sha256) FROM evaluations").fetchone()[0]
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert twice == []
    assert all(n == 1 for _, _, n in current)
    assert distinct == len(current) + 1  # ZJ-01 has two workbooks in 2022 (初评 superseded by the later one)


# ── files that are not greencli ledgers ──


def _foreign_text_version(path: Path) -> None:
    with sqlite3.connect(path) as c:
        c.execute("CREATE TABLE schema_migrations (version TEXT, name TEXT, applied_at TEXT)")
        c.execute("INSERT INTO schema_migrations VALUES ('v1', 'init', 'now')")


def _foreign_tables(path: Path) -> None:
    with sqlite3.connect(path) as c:
        c.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")


def _foreign_user_version(path: Path) -> None:
    with sqlite3.connect(path) as c:
        c.execute("PRAGMA user_version = 42")


def _foreign_application(path: Path) -> None:
    with sqlite3.connect(path) as c:
        c.execute(f"PRAGMA application_id = {APPLICATION_ID + 1}")
        c.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)")


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _not_sqlite(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04 this is a workbook, not a ledger" * 10)


@pytest.mark.parametrize(
    "make", [_foreign_text_version, _foreign_tables, _foreign_user_version, _foreign_application, _empty, _not_sqlite]
)
@pytest.mark.parametrize("command", ["score", "progress", "history", "export", "void"])
def test_a_file_that_is_not_a_greencli_ledger_is_exit_2_and_left_as_it_was(
    tmp_path: Path, make: Any, command: str
) -> None:
    db = tmp_path / "other.db"
    make(db)
    before = db.read_bytes()
    args = {
        "score": ["score", str(SAMPLES / "inspections" / "2023" / "渤海乡"), "--out", str(tmp_path / "o.xlsx")],
        "progress": ["progress", "--year", "2022", "--roster", ROSTER],
        "history": ["history", "ZJ-01"],
        "export": ["export", "--year", "2022", "--out", str(tmp_path / "e.xlsx")],
        "void": ["void", "1", "--reason", "测试"],
    }[command]
    result = runner.invoke(app, [*args, "--db", str(db), "--json"])
    assert result.exit_code == 2, result.output
    assert error_code(result) == {_empty: "ledger-empty-file", _not_sqlite: "ledger-unusable"}.get(
        make, "ledger-foreign"
    )
    assert "Traceback" not in result.output
    assert db.read_bytes() == before
    assert not (tmp_path / "o.xlsx").exists()


def test_the_ledger_is_marked_and_in_wal_mode(scored: Path) -> None:
    with sqlite3.connect(scored) as c:
        assert c.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_missing_ledger_for_a_reading_command_is_exit_2_and_not_created(tmp_path: Path) -> None:
    db = tmp_path / "none.db"
    result = runner.invoke(app, ["history", "ZJ-01", "--db", str(db), "--json"])
    assert result.exit_code == 2 and error_code(result) == "ledger-missing"
    assert not db.exists()


def test_ledger_errors_carry_exit_2() -> None:
    assert (
        LedgerError("ledger-missing", path="x").exit_code == 2
        and LedgerBusy("ledger-busy", path="x", wait=1).exit_code == 3
    )


def test_json_of_a_reader_during_a_write_is_the_committed_state(
    writer_holding: tuple[Path, sqlite3.Connection], scored: Path
) -> None:
    db, other = writer_holding
    other.execute("UPDATE evaluations SET total = '0' WHERE community_id = 'ZJ-01'")
    busy = runner.invoke(app, ["history", "ZJ-01", "--db", str(db), "--json"])
    calm = runner.invoke(app, ["history", "ZJ-01", "--db", str(scored), "--json"])
    assert json.loads(busy.stdout) == json.loads(calm.stdout)
