"""Upgrading from the release before migration 4: every reading command gives what a ledger built fresh gives.

The fixture (tests/data/upgrade, rebuilt by its make_fixture.py) is a ledger written by that release's own
`rollup` over two years, with invalid workbooks known only to its file cache. It is read as it is (a reading command
never writes it), then upgraded by a writing command; both must agree with a fresh ledger from the same inbox.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from greencli.adapters.ledger import NEWEST, Ledger
from greencli.adapters.roster import read_roster
from greencli.adapters.rubric_file import load_rubric
from greencli.cli.app import app
from greencli.jobs.export import year_tables
from typer.testing import CliRunner

FIXTURE = Path(__file__).parent / "data" / "upgrade"
YEARS = (2021, 2022)
CODES = ("ZJ-01", "ZJ-02", "ZJ-03", "ZJ-04", "ZJ-05", "ZJ-06", "ZJ-07")
# What differs between two ledgers holding the same evaluations: when and from where they were recorded.
VOLATILE = {"id", "scored_at", "seen_at", "file", "superseded_by", "记录号", "评分时间", "文件"}
# What a ledger made by an older greencli never recorded, and so cannot give after the upgrade (null there).
NOT_RECORDED_BEFORE = {"first_error_code"}


def cli(*args: str) -> tuple[int, Any]:
    """The exit code and the JSON document (None when the command printed none: exit 2 and a message)."""
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else None


def schema(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return int(connection.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0])


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("upgrade")
    shutil.copytree(FIXTURE / "inbox", base / "inbox")
    shutil.copy(FIXTURE / "roster.csv", base / "roster.csv")
    shutil.copy(FIXTURE / "ledger-v3.db", base / "old.db")
    for year in YEARS:
        code, _ = cli("rollup", "--inbox", str(base / "inbox" / str(year)), "--year", str(year),
                      "--roster", str(base / "roster.csv"), "--db", str(base / "fresh.db"),
                      "--out", str(base / f"fresh-{year}.xlsx"))  # fmt: skip
        assert code == 1  # each year has an invalid workbook
    return base


def views(place: Path, db: Path) -> dict[str, Any]:
    """Everything the reading commands show, less what records when and where."""
    roster = str(place / "roster.csv")
    shown: dict[str, Any] = {}
    for year in YEARS:
        shown[f"progress {year}"] = cli("progress", "--year", str(year), "--roster", roster, "--db", str(db))
        for table in year_tables(load_rubric(), year, db, read_roster(place / "roster.csv")):
            keep = [n for n, c in enumerate(table.columns) if c not in VOLATILE]
            shown[f"export {year} {table.name}"] = [[row[n] for n in keep] for row in table.rows]
    for code in CODES:
        exit_code, history = cli("history", code, "--db", str(db))
        if exit_code == 2:  # a code the ledger never saw (ZJ-07): exit 2, on both ledgers alike
            shown[f"history {code}"] = (exit_code, history["error"]["code"] if history else None)
            continue
        for group in ("evaluations", "invalid_submissions"):
            dropped = VOLATILE | NOT_RECORDED_BEFORE
            history[group] = [{k: v for k, v in e.items() if k not in dropped} for e in history[group]]
        shown[f"history {code}"] = history
    return shown


def test_the_fixture_is_the_old_schema_with_invalid_files_only_in_the_cache() -> None:
    assert schema(FIXTURE / "ledger-v3.db") == 3
    with sqlite3.connect(FIXTURE / "ledger-v3.db") as connection:
        assert connection.execute("SELECT COUNT(*) FROM files WHERE valid = 0").fetchone()[0] == 3


def test_reading_commands_read_an_old_ledger_as_it_is_and_never_write_it(place: Path) -> None:
    old = place / "old.db"
    before = old.read_bytes()
    shown = views(place, old)
    assert old.read_bytes() == before
    assert schema(old) == 3
    assert shown == views(place, place / "fresh.db")


def test_after_the_upgrade_every_reading_command_agrees_with_a_fresh_ledger(place: Path) -> None:
    upgraded = place / "upgraded.db"
    shutil.copy(FIXTURE / "ledger-v3.db", upgraded)
    with Ledger.open(upgraded):  # what every writing command does first
        pass
    assert schema(upgraded) == NEWEST
    assert views(place, upgraded) == views(place, place / "fresh.db")


def test_the_invalid_workbooks_survive_the_upgrade_as_to_be_corrected(place: Path) -> None:
    """The finding: on a migrated ledger, 2022 lost 待改正 and history said the community was never evaluated."""
    upgraded = place / "upgraded-2.db"
    shutil.copy(FIXTURE / "ledger-v3.db", upgraded)
    _, document = cli("progress", "--year", "2022", "--roster", str(place / "roster.csv"), "--db", str(upgraded))
    flagged = {c["community_id"] for c in document["communities"] if c["invalid_submission"]}
    assert flagged == {"ZJ-03"}  # ZJ-04's 2021 workbook is of another year; ZJ-05 was corrected in 2022
    _, history = cli("history", "ZJ-04", "--db", str(upgraded))
    assert [s["year"] for s in history["invalid_submissions"]] == [2021]


def test_a_rollup_after_the_upgrade_records_nothing_twice(place: Path) -> None:
    upgraded = place / "upgraded-3.db"
    shutil.copy(FIXTURE / "ledger-v3.db", upgraded)
    for year in YEARS:
        code, summary = cli("rollup", "--inbox", str(place / "inbox" / str(year)), "--year", str(year),
                            "--roster", str(place / "roster.csv"), "--db", str(upgraded),
                            "--out", str(place / f"up-{year}.xlsx"))  # fmt: skip
        assert (code, summary["recorded"]) == (1, 0)
    with sqlite3.connect(upgraded) as connection:
        assert connection.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0] == 7
        assert connection.execute("SELECT COUNT(*) FROM invalid_submissions").fetchone()[0] == 3
    assert views(place, upgraded) == views(place, place / "fresh.db")


def rescored_as_then(connection: sqlite3.Connection, record: int, version: str, scored_at: str) -> int:
    """A copy of `record` under `version`, as `rescore --apply` stored it before migration 8: `sha@version`."""
    columns = [r[1] for r in connection.execute("PRAGMA table_info(evaluations)") if r[1] != "id"]
    chosen = ", ".join(
        f"file_sha256 || '@{version}'" if c == "file_sha256" else f"'{version}'" if c == "rubric_version"
        else f"'{scored_at}'" if c == "scored_at" else c
        for c in columns
    )  # fmt: skip
    cursor = connection.execute(
        f"INSERT INTO evaluations ({', '.join(columns)}) SELECT {chosen} FROM evaluations WHERE id = ?", (record,)
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def at_schema_7(place: Path, file_name: str = "schema7.db") -> Path:
    """The release fixture brought to schema 7 (the last before migration 8), holding what `rescore --apply` stored
    then: ZJ-01's 2022 evaluation again under another version, its file_sha256 written `sha@version`."""
    from greencli.adapters.ledger import MIGRATIONS

    db = (
        place / file_name
    )  # a file of its own per test: an upgraded one is in WAL mode, with its -wal and -shm beside it
    shutil.copy(FIXTURE / "ledger-v3.db", db)
    connection = sqlite3.connect(db, isolation_level=None)
    try:
        connection.execute("BEGIN")
        for version, name, step in MIGRATIONS:
            if 3 < version <= 7:
                if callable(step):
                    step(connection)
                else:
                    for statement in (s for s in step.split(";\n") if s.strip()):
                        connection.execute(statement)
                connection.execute("INSERT INTO schema_migrations VALUES (?, ?, '2023-01-01T00:00:00+00:00')",
                                   (version, name))  # fmt: skip
        (original,) = connection.execute(
            "SELECT id FROM evaluations WHERE community_id = 'ZJ-01' AND year = 2022"
        ).fetchone()
        rescored = rescored_as_then(connection, original, "2021.2", "2099-01-01T00:00:00+00:00")
        connection.execute("UPDATE evaluations SET superseded_by = ? WHERE id = ?", (rescored, original))
        connection.execute("COMMIT")
    finally:
        connection.close()
    return db


def test_migration_8_stores_a_rescored_files_plain_sha_beside_its_version(place: Path) -> None:
    db = at_schema_7(place)
    with sqlite3.connect(db) as connection:
        stored = [r[0] for r in connection.execute("SELECT file_sha256 FROM evaluations WHERE community_id = 'ZJ-01'"
                                                   " AND year = 2022 ORDER BY id")]  # fmt: skip
    plain = stored[0]
    assert schema(db) == 7 and stored == [plain, f"{plain}@2021.2"]

    # a reader sees the upgraded copy in memory, and leaves the file as it was
    with Ledger.open(db, create=False, write=False) as ledger:
        read = ledger.evaluations(community_id="ZJ-01", year=2022)
    assert [(o.rubric_version, o.source.sha256 if o.source else None, o.stored.current) for o in read] == [
        ("2021.1", plain, False), ("2021.2", plain, True)]  # fmt: skip
    assert schema(db) == 7

    # a writer upgrades the file: the plain sha, and one evaluation per file and version
    with Ledger.open(db) as ledger:
        again = ledger.evaluations(community_id="ZJ-01", year=2022, entries=True)
        with ledger.transaction():
            current = [o for o in again if o.stored.current]
            assert ledger.insert(current, current[0].stored.rubric_id, (12, 31)) == [None]  # already held
    assert schema(db) == NEWEST
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT COUNT(*) FROM evaluations WHERE instr(file_sha256, '@')").fetchone()[0] == 0
        index = [r[2] for r in connection.execute("PRAGMA index_info('evaluations_one_per_content')")]
    # the district: migration 11; the evidence: migration 13
    assert index == ["district", "community_id", "year", "file_sha256", "evidence_sha256", "rubric_version"]
    code, history = cli("history", "ZJ-01", "--db", str(db))
    assert code == 0 and [e["sha256"] for e in history["evaluations"] if e["year"] == 2022] == [plain, plain]


def test_migration_8_keeps_apart_a_file_rescored_to_another_version_and_back(place: Path) -> None:
    """Before migration 8, rescoring a file to another version and back stored sha, sha@v2 and sha@v2@v1: the third is
    the file under its own version again. Its plain SHA-256 is taken (by the first), so it keeps its suffix: the
    upgrade succeeds and readers and writers alike see all three records."""
    db = at_schema_7(place, "there-and-back.db")
    with sqlite3.connect(db, isolation_level=None) as connection:
        (rescored,) = connection.execute(
            "SELECT id FROM evaluations WHERE community_id = 'ZJ-01' AND year = 2022 AND instr(file_sha256, '@')"
        ).fetchone()
        rescored_as_then(connection, rescored, "2021.1", "2099-06-01T00:00:00+00:00")  # and back: sha@2021.2@2021.1
    with Ledger.open(db, create=False, write=False) as ledger:
        read = ledger.evaluations(community_id="ZJ-01", year=2022)
    assert [o.rubric_version for o in read] == ["2021.1", "2021.2", "2021.1"]
    with Ledger.open(db) as ledger:
        assert len(ledger.evaluations(community_id="ZJ-01", year=2022)) == 3
    assert schema(db) == NEWEST
    code, history = cli("history", "ZJ-01", "--db", str(db))
    assert code == 0 and len([e for e in history["evaluations"] if e["year"] == 2022]) == 3
