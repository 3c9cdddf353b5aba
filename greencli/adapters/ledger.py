"""The ledger: every valid evaluation, in SQLite, with its entered values, so history can be re-scored.

The schema is created and upgraded by numbered migrations recorded in the database itself. The file runs in WAL
mode, so reading commands (progress, history, export, notice, the API) never wait for a writer: they open without
the write lock and never migrate (an older schema is read through an upgraded copy in memory; the file itself is
upgraded by the next writing command). Writers keep their write transactions short: a batch is spooled to a private
file while its workbooks are read, then recorded in one transaction, so a run that dies leaves the ledger as it was
before the batch or with the batch whole, and a writer that cannot get the lock within its wait gives up (exit 3)
having changed nothing.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from greencli.adapters.files import clear_stale, temp_prefix
from greencli.adapters.limits import LEDGER_WAIT_SECONDS
from greencli.core.errors import GreencliError, describe_os_error, with_detail
from greencli.core.outcome import JsonObject, Outcome, Recording, SourceFile

DB_ENV = "GREENCLI_DB"
DEFAULT_DB = "greencli.db"
BUSY_TIMEOUT = LEDGER_WAIT_SECONDS  # a writer's wait for another writer's transaction (see limits.py)
# "GCLI": marks the file as a greencli ledger, so another program's SQLite file is refused rather than written into.
APPLICATION_ID = 0x47434C49

# A migration is SQL, or a function of the connection (inside the migration's transaction).
Migration = str | Callable[[sqlite3.Connection], None]


def _carry_invalid_files(db: sqlite3.Connection) -> None:
    """Invalid workbooks the rollup had seen before migration 4 live only in its file cache (`files`, valid = 0):
    carry each into invalid_submissions, so 待改正 and history survive the upgrade. Idempotent."""
    rows = db.execute("SELECT path, sha256, outcome, seen_at FROM files WHERE valid = 0").fetchall()
    for path, sha, outcome_json, seen_at in rows:
        try:
            o = Outcome.from_dict(json.loads(outcome_json))
        except (ValueError, TypeError, KeyError):
            continue  # an unreadable cache entry: the file is read again by the next rollup
        if not o.community_id or o.year is None:
            continue  # nobody to place it on: the 待改正 list names communities of a year
        first = o.first_error
        db.execute(
            "INSERT INTO invalid_submissions (community_id, community, subdistrict, year, file_path, file_sha256,"
            " first_error, errors, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (community_id, year, file_sha256) DO NOTHING",
            (o.community_id, o.community, o.subdistrict, o.year, o.file or path, sha,
             f"{first.where} {first.message}".strip() if first is not None else "", len(o.errors), seen_at),
        )  # fmt: skip


MIGRATIONS: tuple[tuple[int, str, Migration], ...] = (
    (
        1,
        "evaluations",
        """
        CREATE TABLE evaluations (
            id              INTEGER PRIMARY KEY,
            community_id    TEXT NOT NULL,
            community       TEXT NOT NULL,
            subdistrict     TEXT NOT NULL,
            year            INTEGER NOT NULL,
            verdict         TEXT NOT NULL CHECK (verdict IN ('pass', 'fail', 'veto')),
            total           TEXT NOT NULL,      -- exact decimals are kept as text
            bonus           TEXT NOT NULL,
            categories      TEXT NOT NULL,      -- JSON {"1": "9.5", ...}
            items           TEXT NOT NULL,      -- JSON {"1": "3", ... "31": "1"}
            vetoes          TEXT NOT NULL,      -- JSON ["V2"]
            warnings        TEXT NOT NULL,      -- JSON [{"code", "sheet", "cell", "message"}]
            entries         TEXT NOT NULL,      -- JSON: every entered value, evidence, compound and identity field
            rubric_id       TEXT NOT NULL,
            rubric_version  TEXT NOT NULL,
            file_path       TEXT NOT NULL,
            file_sha256     TEXT NOT NULL,
            file_size       INTEGER NOT NULL,
            file_mtime      REAL NOT NULL,
            review_date     TEXT,
            reviewers       TEXT NOT NULL DEFAULT '',
            scored_at       TEXT NOT NULL,
            superseded_by   INTEGER REFERENCES evaluations (id)
        );
        CREATE UNIQUE INDEX evaluations_one_per_content ON evaluations (community_id, year, file_sha256);
        CREATE INDEX evaluations_by_community ON evaluations (community_id, year);
        """,
    ),
    (
        2,
        "inbox files",
        """
        CREATE TABLE files (
            path        TEXT PRIMARY KEY,   -- absolute path as seen by the rollup
            size        INTEGER NOT NULL,
            mtime_ns    INTEGER NOT NULL,
            sha256      TEXT NOT NULL,
            valid       INTEGER NOT NULL,   -- 1: scored and recorded; 0: invalid, its issues below
            outcome     TEXT NOT NULL,      -- JSON: what the reports need to show for this file
            seen_at     TEXT NOT NULL
        )
        """,
    ),
    (
        3,
        "outputs written",
        """
        CREATE TABLE outputs (
            path        TEXT PRIMARY KEY,   -- absolute path of a workbook a rollup wrote
            fingerprint TEXT NOT NULL,      -- what it was built from: ledger state, roster, rubric, year, version
            size        INTEGER NOT NULL,
            mtime_ns    INTEGER NOT NULL,
            written_at  TEXT NOT NULL
        )
        """,
    ),
    (
        4,
        "invalid submissions",
        """
        -- A workbook that came in and was invalid: never an evaluation, but the office must know the community
        -- sent one (progress shows it as 待改正 until a valid workbook follows).
        CREATE TABLE invalid_submissions (
            id           INTEGER PRIMARY KEY,
            community_id TEXT NOT NULL,
            community    TEXT NOT NULL,
            subdistrict  TEXT NOT NULL,
            year         INTEGER NOT NULL,
            file_path    TEXT NOT NULL,
            file_sha256  TEXT NOT NULL,
            first_error  TEXT NOT NULL,   -- where and what, as shown to people
            errors       INTEGER NOT NULL,
            seen_at      TEXT NOT NULL
        );
        CREATE UNIQUE INDEX invalid_submissions_once ON invalid_submissions (community_id, year, file_sha256);
        CREATE INDEX invalid_submissions_by_year ON invalid_submissions (year, community_id);
        """,
    ),
    (
        5,
        "void evaluations",
        """
        -- A wrongly recorded evaluation is voided, never deleted: it stays in history with the reason and the day.
        ALTER TABLE evaluations ADD COLUMN void_reason TEXT;
        ALTER TABLE evaluations ADD COLUMN voided_at TEXT;
        """,
    ),
    (
        6,
        "conferrals",
        """
        -- The district scores; the city names (命名). The naming of a community's title of a year, with its date and
        -- the city's document number; recorded again for the same community and year, the newer record replaces it.
        CREATE TABLE conferrals (
            id           INTEGER PRIMARY KEY,
            community_id TEXT NOT NULL,
            year         INTEGER NOT NULL,
            conferred_on TEXT NOT NULL,   -- YYYY-MM-DD, the 命名日期
            document     TEXT NOT NULL,   -- the city's 文号
            recorded_at  TEXT NOT NULL
        );
        CREATE UNIQUE INDEX conferrals_once ON conferrals (community_id COLLATE NOCASE, year);
        """,
    ),
    (7, "invalid files carried from the rollup's cache", _carry_invalid_files),
)
NEWEST = max(version for version, _, _ in MIGRATIONS)


# SQLite's own English messages, as an office user needs to read them.
SQLITE_REASONS: tuple[tuple[str, str], ...] = (
    ("unable to open database file", "无法打开（所在文件夹不存在，或没有读写权限）"),
    ("database is locked", "正被另一个程序占用，请稍后再试"),
    ("file is not a database", "它不是 greencli 的评分记录库，或已损坏"),
    ("database disk image is malformed", "文件已损坏"),
    ("readonly database", "文件或所在文件夹是只读的"),
    ("database or disk is full", "磁盘空间不足"),
    ("disk i/o error", "磁盘读写错误"),
)


def sqlite_reason(exc: sqlite3.Error) -> str:
    """A Chinese reason for an SQLite error; the original text only with --debug."""
    text = str(exc).lower()
    reason = next((chinese for english, chinese in SQLITE_REASONS if english in text),
                  "它可能不是 greencli 的记录库或已损坏")  # fmt: skip
    return with_detail(reason, str(exc))


class LedgerError(GreencliError):
    """The ledger cannot be opened or written (exit code 2)."""


class LedgerBusy(LedgerError):
    """Another writer held the ledger for longer than this one would wait; nothing was changed (exit code 3)."""

    exit_code = 3


@dataclass(frozen=True)
class Stored:
    """An evaluation as the ledger holds it: the outcome as scored, and the ledger's own facts about it."""

    id: int
    outcome: Outcome
    rubric_id: str
    file_sha256: str
    scored_at: str
    superseded_by: int | None
    void_reason: str | None = None  # voided by the office (greencli void), with this reason
    voided_at: str | None = None

    @property
    def current(self) -> bool:
        return self.superseded_by is None and self.void_reason is None


@dataclass(frozen=True)
class KnownFile:
    """A file a rollup has seen in its inbox: how it was when last read, and, if invalid, what was wrong."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    valid: bool
    outcome: Outcome | None  # kept for an invalid file only (a valid one is an evaluation)


@dataclass(frozen=True)
class Conferral:
    """The city's naming (命名) of a community's title of one year."""

    community_id: str
    year: int
    day: date
    document: str  # the city's 文号
    recorded_at: str


@dataclass(frozen=True)
class InvalidSubmission:
    """A workbook for a community and year that came in and was invalid (recorded, never scored)."""

    community_id: str
    community: str
    subdistrict: str
    year: int
    file_path: str
    file_sha256: str
    first_error: str
    errors: int
    seen_at: str = ""
    id: int | None = None


def ledger_path(explicit: Path | None) -> Path:
    if explicit is not None:
        return explicit
    from_env = os.environ.get(DB_ENV)
    return Path(from_env) if from_env else Path(DEFAULT_DB)


def _json(value: Any) -> str:
    def default(o: object) -> object:
        if isinstance(o, Decimal):
            return str(o)
        if isinstance(o, datetime | date):
            return o.isoformat()
        return str(o)

    return json.dumps(value, ensure_ascii=False, default=default, sort_keys=True)


class Ledger:
    """An open ledger. Use `Ledger.open(path)` as a context manager."""

    def __init__(self, connection: sqlite3.Connection, path: Path, wait: float = BUSY_TIMEOUT) -> None:
        self.db = connection
        self.path = path
        self.wait = wait

    @classmethod
    @contextmanager
    def open(
        cls, path: Path, *, create: bool = True, write: bool = True, wait: float = BUSY_TIMEOUT
    ) -> Iterator[Ledger]:
        """The ledger at `path`. A writer (`write`) creates it when `create`, upgrades its schema, and waits up to
        `wait` seconds for another writer's transaction; a reader takes no lock and changes nothing."""
        _refuse_unusable(path, must_exist=not (create and write))
        try:
            if create and write and not path.exists():
                _create(path)
            connection = sqlite3.connect(path, timeout=max(wait, 0.0), isolation_level=None)
        except OSError as exc:
            raise LedgerError(f"无法打开评分记录库 {path}：{describe_os_error(exc)}") from exc
        except sqlite3.Error as exc:
            raise LedgerError(f"无法打开评分记录库 {path}：{sqlite_reason(exc)}") from exc
        try:
            _refuse_foreign(connection, path)
            connection.execute("PRAGMA foreign_keys = ON")
            if write:
                connection.execute("PRAGMA synchronous = FULL")
                ledger = cls(connection, path, wait)
                ledger.migrate()
                _use_wal(connection)
            else:
                ledger = cls(_readable(connection, path), path, wait)
            try:
                yield ledger
            finally:
                if ledger.db is not connection:
                    ledger.db.close()
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc).lower() or "busy" in str(exc).lower():
                raise LedgerBusy(
                    f"评分记录库 {path} 正被另一个程序写入，已等待 {wait:g} 秒仍未轮到：本次未改动评分记录库，请稍后再运行"
                    "（score 和 rollup 可用 --wait 等待更久）"
                ) from exc
            raise LedgerError(f"评分记录库 {path} 无法使用：{sqlite_reason(exc)}") from exc
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"评分记录库 {path} 无法使用：{sqlite_reason(exc)}") from exc
        finally:
            connection.close()

    # ── schema ──
    def migrate(self) -> None:
        """Bring the schema up to date (only a writer does this; the check alone takes no write lock)."""
        if self.schema_version() == NEWEST and self._marked():
            return
        with self.transaction():
            _migrate(self.db, self.path)

    def _marked(self) -> bool:
        return int(self.db.execute("PRAGMA application_id").fetchone()[0]) == APPLICATION_ID

    def schema_version(self) -> int:
        return _schema_version(self.db)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # ── writing ──
    def insert(self, records: Sequence[Recording]) -> list[int | None]:
        """Record within the caller's transaction: each record's new id, or None if already held; each community
        and year touched is settled afterwards."""
        scored_at = _now()
        out = [self.add(r.outcome, r.source, r.entries, r.rubric_id, scored_at) for r in records]
        touched = {(r.outcome.community_id, r.outcome.year) for r, new in zip(records, out, strict=True) if new}
        for community_id, year in sorted(touched):
            assert year is not None
            self._settle(community_id, year)
        return out

    @contextmanager
    def batch(self) -> Iterator[Batch]:
        """A run's records, spooled to a private file while its workbooks are read (the ledger stays unlocked and
        memory flat); `Batch.commit` records them in one short transaction. Left uncommitted, nothing is recorded."""
        batch = Batch(self)
        try:
            yield batch
        finally:
            batch.close()

    def add(self, o: Outcome, source: SourceFile, entries: JsonObject, rubric_id: str, scored_at: str) -> int | None:
        """Insert one valid evaluation (its community's current one is settled by the batch); None if already held."""
        assert o.year is not None
        exists = self.db.execute(
            "SELECT id FROM evaluations WHERE community_id = ? AND year = ? AND file_sha256 = ?",
            (o.community_id, o.year, source.sha256),
        ).fetchone()
        if exists:
            return None
        cursor = self.db.execute(
            f"INSERT INTO evaluations ({', '.join(EVALUATION_COLUMNS)}) VALUES ({', '.join('?' * len(EVALUATION_COLUMNS))})",
            _evaluation_row(o, source, entries, rubric_id, scored_at),
        )
        return cursor.lastrowid

    def _settle(self, community_id: str, year: int) -> None:
        """The current evaluation of a community and year: the later 评审日期 (none, under 2021.1, counts as
        31 December of the year), then the one scored later (a batch shares one time, and within it the newer file
        wins)."""
        rows = self.db.execute(
            "SELECT id FROM evaluations WHERE community_id = ? AND year = ? AND void_reason IS NULL"
            " ORDER BY COALESCE(review_date, printf('%04d-12-31', year)) DESC, scored_at DESC, file_mtime DESC, id DESC",
            (community_id, year),
        ).fetchall()
        current = rows[0][0] if rows else None  # none left when every evaluation of that year was voided
        self.db.execute(
            "UPDATE evaluations SET superseded_by = CASE WHEN id = ? OR void_reason IS NOT NULL THEN NULL ELSE ? END"
            " WHERE community_id = ? AND year = ?",
            (current, current, community_id, year),
        )

    def void(self, record: int, reason: str) -> tuple[Stored, Stored | None]:
        """Mark an evaluation void (kept, with the reason and the day); the next valid one of that community and
        year becomes current. Returns the voided record and the one now current (if any)."""
        found = self.evaluations(record=record)
        if not found:
            raise LedgerError(f"评分记录库中没有记录 #{record}（用 greencli history 社区编码 查看记录号）")
        voided = found[0]
        if voided.void_reason is not None:
            raise LedgerError(f"记录 #{record} 已于 {shown_time(voided.voided_at)} 作废（{voided.void_reason}）")
        o = voided.outcome
        assert o.year is not None
        with self.transaction():
            self.db.execute("UPDATE evaluations SET void_reason = ?, voided_at = ? WHERE id = ?",
                            (reason, _now(), record))  # fmt: skip
            self._settle(o.community_id, o.year)
        now = self.evaluations(community_id=o.community_id, year=o.year, current_only=True)
        return self.evaluations(record=record)[0], (now[0] if now else None)

    # ── reading ──
    def evaluations(
        self,
        *,
        community_id: str | None = None,
        year: int | None = None,
        current_only: bool = False,
        record: int | None = None,
    ) -> list[Stored]:
        """Evaluations, oldest first; `current_only` leaves out superseded and voided ones."""
        clauses: list[str] = []
        params: list[str | int] = []
        if community_id is not None:
            clauses.append("community_id = ? COLLATE NOCASE")  # ZJ-01 and zj-01 are one community
            params.append(community_id)
        if year is not None:
            clauses.append("year = ?")
            params.append(year)
        if current_only:
            clauses.append("superseded_by IS NULL AND void_reason IS NULL")
        if record is not None:
            clauses.append("id = ?")
            params.append(record)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.db.execute(
            "SELECT id, community_id, community, subdistrict, year, verdict, total, bonus, categories, items, vetoes,"
            " rubric_id, rubric_version, file_path, file_sha256, review_date, scored_at, superseded_by, warnings,"
            " reviewers, void_reason, voided_at"
            f" FROM evaluations {where} ORDER BY year, community_id, scored_at, id",
            params,
        ).fetchall()
        return [_stored(row) for row in rows]

    def recorded(self, record: int) -> tuple[JsonObject, SourceFile]:
        """Every value as entered for an evaluation, and the file it came from (for re-scoring)."""
        row = self.db.execute(
            "SELECT entries, file_path, file_sha256, file_size, file_mtime FROM evaluations WHERE id = ?", (record,)
        ).fetchone()
        if row is None:
            raise LedgerError(f"评分记录库中没有记录 #{record}")
        return json.loads(row[0]), SourceFile(row[1], row[2], int(row[3]), int(float(row[4]) * 1e9))

    def file_years(self) -> dict[str, int]:
        """file path → the 评审年度 of the evaluations recorded from it (the latest, should a path hold several)."""
        rows = self.db.execute("SELECT file_path, MAX(year) FROM evaluations GROUP BY file_path").fetchall()
        return {r[0]: int(r[1]) for r in rows}

    # ── invalid submissions ──
    def add_invalid(self, s: InvalidSubmission, seen_at: str) -> bool:
        """Within the caller's transaction; False when this very file was already recorded for that community/year."""
        cursor = self.db.execute(
            "INSERT INTO invalid_submissions (community_id, community, subdistrict, year, file_path, file_sha256,"
            " first_error, errors, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (community_id, year, file_sha256) DO NOTHING",
            (s.community_id, s.community, s.subdistrict, s.year, s.file_path, s.file_sha256, s.first_error, s.errors,
             seen_at),
        )  # fmt: skip
        return cursor.rowcount > 0

    def invalid_submissions(
        self, *, community_id: str | None = None, year: int | None = None
    ) -> list[InvalidSubmission]:
        clauses, params = [], []
        if community_id is not None:
            clauses.append("community_id = ? COLLATE NOCASE")
            params.append(community_id)
        if year is not None:
            clauses.append("year = ?")
            params.append(str(year))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.db.execute(
            "SELECT community_id, community, subdistrict, year, file_path, file_sha256, first_error, errors, seen_at, id"
            f" FROM invalid_submissions {where} ORDER BY year, community_id, seen_at, id",
            params,
        ).fetchall()
        return [
            dataclasses.replace(InvalidSubmission(*row[:8]), seen_at=local_time(row[8]) or "", id=row[9])
            for row in rows
        ]

    def outstanding_invalid(self) -> set[tuple[str, int]]:
        """(community, year) whose latest submission was invalid: no valid evaluation was scored after it."""
        rows = self.db.execute(
            "SELECT i.community_id, i.year FROM invalid_submissions i GROUP BY i.community_id, i.year"
            " HAVING MAX(i.seen_at) > COALESCE((SELECT MAX(e.scored_at) FROM evaluations e"
            " WHERE e.community_id = i.community_id AND e.year = i.year), '')"
        ).fetchall()
        return {(r[0], int(r[1])) for r in rows}

    # ── the city's naming (confer) ──
    def confer(self, community_id: str, year: int, day: date, document: str) -> None:
        """Record the city's naming of a community's title of `year` (replacing an earlier record of it)."""
        with self.transaction():
            self.db.execute(
                "INSERT INTO conferrals (community_id, year, conferred_on, document, recorded_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (community_id COLLATE NOCASE, year) DO UPDATE SET"
                " community_id = excluded.community_id, conferred_on = excluded.conferred_on,"
                " document = excluded.document, recorded_at = excluded.recorded_at",
                (community_id, year, day.isoformat(), document, _now()),
            )

    def conferrals(self, community_id: str | None = None) -> dict[tuple[str, int], Conferral]:
        """Every recorded naming, by (community code folded to one case, year)."""
        where, params = ("WHERE community_id = ? COLLATE NOCASE", (community_id,)) if community_id else ("", ())
        rows = self.db.execute(
            f"SELECT community_id, year, conferred_on, document, recorded_at FROM conferrals {where}"
            " ORDER BY year, community_id",
            params,
        ).fetchall()
        return {(r[0].casefold(), int(r[1])): Conferral(r[0], int(r[1]), date.fromisoformat(r[2]), r[3],
                                                        local_time(r[4]) or "")
                for r in rows}  # fmt: skip

    # ── the inbox's files (rollup) ──
    def known_files(self) -> dict[str, KnownFile]:
        """Every file a rollup has seen, by path."""
        rows = self.db.execute("SELECT path, size, mtime_ns, sha256, valid, outcome FROM files").fetchall()
        return {
            r[0]: KnownFile(r[0], r[1], r[2], r[3], bool(r[4]), None if r[4] else Outcome.from_dict(json.loads(r[5])))
            for r in rows
        }

    def remember_files(self, files: Sequence[KnownFile]) -> None:
        """Within the caller's transaction."""
        self.db.executemany(
            "INSERT INTO files (path, size, mtime_ns, sha256, valid, outcome, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,"
            " sha256 = excluded.sha256, valid = excluded.valid, outcome = excluded.outcome, seen_at = excluded.seen_at",
            [(f.path, f.size, f.mtime_ns, f.sha256, int(f.valid), _json(f.outcome.to_dict() if f.outcome else {}),
              _now()) for f in files],
        )  # fmt: skip

    def forget_files(self, paths: Sequence[str]) -> None:
        self.db.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in paths])

    def state(self) -> str:
        """A fingerprint of everything recorded: it changes whenever an evaluation or an inbox file does."""
        evaluations = self.db.execute(
            "SELECT COUNT(*), MAX(id), COUNT(superseded_by), COUNT(void_reason) FROM evaluations"
        ).fetchone()
        files = self.db.execute("SELECT COUNT(*), MAX(seen_at), SUM(valid) FROM files").fetchone()
        named = self.db.execute("SELECT COUNT(*), MAX(recorded_at) FROM conferrals").fetchone()
        return json.dumps([*evaluations, *files, *named])

    def output_unchanged(self, path: Path, fingerprint: str) -> bool:
        """Whether `path` is still exactly the workbook written from `fingerprint` (nobody replaced it since)."""
        row = self.db.execute("SELECT fingerprint, size, mtime_ns FROM outputs WHERE path = ?", (str(path),)).fetchone()
        if row is None or row[0] != fingerprint:
            return False
        try:
            st = path.stat()
        except OSError:
            return False
        return (st.st_size, st.st_mtime_ns) == (row[1], row[2])

    def remember_output(self, path: Path, fingerprint: str) -> None:
        st = path.stat()
        self.db.execute(
            "INSERT INTO outputs (path, fingerprint, size, mtime_ns, written_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (path) DO UPDATE SET fingerprint = excluded.fingerprint, size = excluded.size,"
            " mtime_ns = excluded.mtime_ns, written_at = excluded.written_at",
            (str(path), fingerprint, st.st_size, st.st_mtime_ns, _now()),
        )

    def output_paths(self) -> set[str]:
        """Every workbook a rollup wrote (absolute paths as recorded)."""
        return {row[0] for row in self.db.execute("SELECT path FROM outputs")}

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0])

    def integrity(self) -> str:
        return str(self.db.execute("PRAGMA integrity_check").fetchone()[0])


EVALUATION_COLUMNS = (
    "community_id", "community", "subdistrict", "year", "verdict", "total", "bonus", "categories", "items", "vetoes",
    "warnings", "entries", "rubric_id", "rubric_version", "file_path", "file_sha256", "file_size", "file_mtime",
    "review_date", "reviewers", "scored_at",
)  # fmt: skip
INVALID_COLUMNS = (
    "community_id", "community", "subdistrict", "year", "file_path", "file_sha256", "first_error", "errors", "seen_at",
)  # fmt: skip


def _evaluation_row(
    o: Outcome, source: SourceFile, entries: JsonObject, rubric_id: str, scored_at: str
) -> tuple[object, ...]:
    """An evaluation as the ledger's columns hold it (EVALUATION_COLUMNS, in order)."""
    assert o.year is not None and o.total is not None and o.bonus is not None
    stored = o.to_dict()
    return (o.community_id, o.community, o.subdistrict, o.year, o.verdict.value, str(o.total), str(o.bonus),
            _json(stored["categories"]), _json(stored["items"]), _json(list(o.vetoes)),
            _json([i.to_dict() for i in o.issues]), _json(entries), rubric_id, o.rubric_version or "",
            source.path, source.sha256, source.size, source.mtime, o.review_date.isoformat() if o.review_date else None,
            o.reviewers, scored_at)  # fmt: skip


@dataclass(frozen=True)
class Elsewhere:
    """A workbook of the batch whose evaluation is not the one that stands in the ledger for its community and year:
    another record is current (a later 评审日期, or scored later), or its own record was voided."""

    record: int  # the record that stands (or, voided, this file's own record)
    review_date: date | None  # the standing record's 评审日期
    year: int
    void_reason: str | None = None


@dataclass(frozen=True)
class Recorded:
    """What one batch's commit did: evaluations newly recorded, those the ledger already held, and, by file SHA-256,
    the batch's workbooks that do not stand in the ledger because of a record outside the batch."""

    new: int
    already: int
    elsewhere: dict[str, Elsewhere] = field(default_factory=dict)


class Batch:
    """The records of one run. They are written to a private spool file (attached to the ledger's connection) as
    they arrive, and moved into the ledger by `commit` in one short write transaction: the ledger is never locked
    while workbooks are read, and a run that stops before the commit leaves it untouched."""

    SPOOL = "greencli_spool"

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.scored_at = _now()
        self.committed: Recorded | None = None
        fd, name = tempfile.mkstemp(prefix=f"greencli-spool-{os.getpid()}-", suffix=".db")
        os.close(fd)
        self.file = Path(name)
        db = ledger.db
        db.execute(f"ATTACH DATABASE ? AS {self.SPOOL}", (str(self.file),))
        self.attached = True
        db.execute(f"PRAGMA {self.SPOOL}.journal_mode = OFF")  # a scratch file: nothing to recover if we die
        db.execute(f"PRAGMA {self.SPOOL}.synchronous = OFF")
        db.execute(
            f"CREATE TABLE {self.SPOOL}.evaluations AS SELECT {', '.join(EVALUATION_COLUMNS)} FROM main.evaluations WHERE 0"
        )
        db.execute(
            f"CREATE TABLE {self.SPOOL}.invalid AS SELECT {', '.join(INVALID_COLUMNS)} FROM main.invalid_submissions WHERE 0"
        )
        db.execute("BEGIN")  # deferred: it touches only the spool until commit() ends it
        self.open = True
        self.spooled = 0

    def add(self, record: Recording) -> None:
        o = record.outcome
        row = _evaluation_row(o, record.source, record.entries, record.rubric_id, self.scored_at)
        self.ledger.db.execute(
            f"INSERT INTO {self.SPOOL}.evaluations VALUES ({', '.join('?' * len(EVALUATION_COLUMNS))})", row
        )
        self.spooled += 1

    def add_invalid(self, s: InvalidSubmission) -> None:
        self.ledger.db.execute(
            f"INSERT INTO {self.SPOOL}.invalid VALUES ({', '.join('?' * len(INVALID_COLUMNS))})",
            (s.community_id, s.community, s.subdistrict, s.year, s.file_path, s.file_sha256, s.first_error, s.errors,
             self.scored_at),
        )  # fmt: skip

    def commit(self, *, then: Callable[[dict[str, Elsewhere]], None] | None = None) -> Recorded:
        """Record the spooled batch in one transaction (evaluations the ledger already holds are counted, not
        recorded again; each community and year touched is settled). `then` runs inside the transaction, after the
        records are in, told which of the batch's workbooks do not stand: if it raises, nothing is recorded."""
        db = self.ledger.db
        db.execute("COMMIT")  # the spool's own rows; the ledger itself is not touched yet
        self.open = False
        spool = self.SPOOL
        columns = ", ".join(EVALUATION_COLUMNS)
        with self.ledger.transaction():
            before = db.total_changes
            db.execute(
                f"INSERT INTO main.evaluations ({columns}) SELECT {columns} FROM {spool}.evaluations WHERE true"
                " ORDER BY rowid ON CONFLICT (community_id, year, file_sha256) DO NOTHING"
            )
            new = db.total_changes - before
            touched = db.execute(
                f"SELECT DISTINCT s.community_id, s.year FROM {spool}.evaluations s ORDER BY 1, 2"
            ).fetchall()
            for community_id, year in touched:
                self.ledger._settle(community_id, int(year))
            invalid = ", ".join(INVALID_COLUMNS)
            db.execute(
                f"INSERT INTO main.invalid_submissions ({invalid}) SELECT {invalid} FROM {spool}.invalid WHERE true"
                " ORDER BY rowid ON CONFLICT (community_id, year, file_sha256) DO NOTHING"
            )
            elsewhere = self._elsewhere()
            if then is not None:
                then(elsewhere)
        self.committed = Recorded(new, self.spooled - new, elsewhere)
        return self.committed

    def _elsewhere(self) -> dict[str, Elsewhere]:
        """The batch's evaluations that are not current because of a record from outside the batch (a workbook of
        the batch superseded by another of the batch is the batch's own business, and already said)."""
        rows = self.ledger.db.execute(
            f"SELECT s.file_sha256, e.id, e.void_reason, w.id, w.review_date, e.year FROM {self.SPOOL}.evaluations s"
            " JOIN main.evaluations e ON e.community_id = s.community_id AND e.year = s.year"
            " AND e.file_sha256 = s.file_sha256"
            " LEFT JOIN main.evaluations w ON w.id = e.superseded_by"
            " WHERE (e.void_reason IS NOT NULL OR e.superseded_by IS NOT NULL) AND NOT EXISTS ("
            f"  SELECT 1 FROM {self.SPOOL}.evaluations t WHERE t.community_id = w.community_id AND t.year = w.year"
            "   AND t.file_sha256 = w.file_sha256)"
        ).fetchall()
        out: dict[str, Elsewhere] = {}
        for sha, own, void_reason, winner, review, year in rows:
            if void_reason is not None:
                out[sha] = Elsewhere(int(own), None, int(year), str(void_reason))
            elif winner is not None:
                out[sha] = Elsewhere(int(winner), date.fromisoformat(review) if review else None, int(year))
        return out

    def close(self) -> None:
        """Detach and remove the spool (whether or not it was committed)."""
        db = self.ledger.db
        try:
            if self.open:
                db.execute("ROLLBACK")
                self.open = False
            if self.attached:
                db.execute(f"DETACH DATABASE {self.SPOOL}")
                self.attached = False
        except sqlite3.Error:
            pass
        finally:
            for leftover in (self.file, self.file.with_name(self.file.name + "-journal")):
                with suppress(OSError):
                    leftover.unlink()


def _stored(row: Sequence[Any]) -> Stored:
    (id_, code, name, sub, year, verdict, total, bonus, categories, items, vetoes, rid, rver, path, sha, review,
     scored, superseded, warnings, reviewers, void_reason, voided_at) = row  # fmt: skip
    outcome = Outcome.from_dict({
        "file": path, "community_id": code, "community": name, "subdistrict": sub, "year": year, "verdict": verdict,
        "total": total, "bonus": bonus, "categories": json.loads(categories), "items": json.loads(items),
        "vetoes": json.loads(vetoes), "issues": json.loads(warnings), "review_date": review, "reviewers": reviewers,
        "rubric_version": rver, "superseded": superseded is not None,
    })  # fmt: skip
    return Stored(id=id_, outcome=outcome, rubric_id=rid, file_sha256=sha, scored_at=local_time(scored) or "",
                  superseded_by=superseded, void_reason=void_reason, voided_at=local_time(voided_at))  # fmt: skip


def _refuse_unusable(path: Path, *, must_exist: bool) -> None:
    """A missing ledger where one is needed, a folder, or an empty file: exit 2 before SQLite sees it (SQLite would
    silently make an empty file into a new ledger, and every community would read 未参与)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        if must_exist:
            raise LedgerError(f"评分记录库 {path} 不存在（请先用 greencli score 评分）") from None
        return
    except OSError as exc:
        raise LedgerError(f"无法打开评分记录库 {path}：{describe_os_error(exc)}") from exc
    if path.is_dir():
        raise LedgerError(f"无法打开评分记录库 {path}：这是一个文件夹")
    if st.st_size == 0:
        raise LedgerError(
            f"评分记录库 {path} 是空文件（0 字节），可能复制不完整或已损坏：请从备份恢复；如要从头建立新的记录库，"
            "请先删除或改名这个空文件"
        )


def _create(path: Path) -> None:
    """A new ledger, made whole beside `path` and then put in place: a run that dies while creating it never leaves
    an empty file that later runs would have to refuse. If another run created it meanwhile, theirs stands."""
    path.parent.mkdir(parents=True, exist_ok=True)
    clear_stale(path.parent)  # a ledger half-made by a run that was killed here before
    fd, name = tempfile.mkstemp(prefix=f"{temp_prefix()}new-", suffix=".db", dir=path.parent)
    os.close(fd)
    temporary = Path(name)
    try:
        connection = sqlite3.connect(temporary, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            _migrate(connection, path)
            connection.execute("COMMIT")
            connection.execute("PRAGMA journal_mode = WAL")  # born in WAL mode: no switch under other programs later
        finally:
            connection.close()
        try:
            os.link(temporary, path)  # never replaces a ledger another run created meanwhile
        except FileExistsError:
            pass
        except OSError:
            if not path.exists():  # a file system without hard links
                os.replace(temporary, path)
    finally:
        with suppress(OSError):
            temporary.unlink()


def _use_wal(db: sqlite3.Connection) -> None:
    """WAL mode, so readers never wait for a writer: set once, it stays with the file. A ledger made by an older
    greencli switches on its first writer; the switch needs every other program out of the file, so if one is
    reading right now the switch waits for a later run rather than making this one wait."""
    if db.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
        return
    timeout = db.execute("PRAGMA busy_timeout").fetchone()[0]
    try:
        db.execute("PRAGMA busy_timeout = 0")
        db.execute("PRAGMA journal_mode = WAL")
    except sqlite3.OperationalError:
        pass
    finally:
        db.execute(f"PRAGMA busy_timeout = {int(timeout)}")


def _refuse_foreign(db: sqlite3.Connection, path: Path) -> None:
    """Another program's SQLite file is never read as, or turned into, a ledger."""
    application_id = int(db.execute("PRAGMA application_id").fetchone()[0])
    if application_id == APPLICATION_ID:
        return
    foreign = f"评分记录库 {path} 不是 greencli 的评分记录库（是其他程序的 SQLite 数据库），未作任何改动：请检查 --db"
    if application_id != 0:
        raise LedgerError(foreign)
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        if int(db.execute("PRAGMA user_version").fetchone()[0]) != 0:
            raise LedgerError(foreign)
        return  # a new, empty database
    if "schema_migrations" not in tables:
        raise LedgerError(foreign)
    kinds = {row[0] for row in db.execute("SELECT DISTINCT typeof(version) FROM schema_migrations")}
    if kinds - {"integer"}:
        raise LedgerError(foreign)


def _schema_version(db: sqlite3.Connection) -> int:
    exists = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").fetchone()
    if not exists:
        return 0
    row = db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    """Every migration not yet applied, inside the caller's transaction."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    applied = {int(row[0]) for row in db.execute("SELECT version FROM schema_migrations")}
    if applied and max(applied) > NEWEST:
        raise LedgerError(f"评分记录库 {path} 由更新版本的 greencli 创建（结构版本 {max(applied)}），请升级 greencli")
    for version, name, step in MIGRATIONS:
        if version in applied:
            continue
        if callable(step):
            step(db)
        else:
            for statement in _statements(step):
                db.execute(statement)
        db.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", (version, name, _now())
        )
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def _readable(db: sqlite3.Connection, path: Path) -> sqlite3.Connection:
    """A reader's connection: the file itself when its schema is current (no write is ever possible through it),
    else an upgraded copy in memory, so a reading command neither waits for the write lock nor changes the file."""
    version = _schema_version(db)
    if version > NEWEST:
        raise LedgerError(f"评分记录库 {path} 由更新版本的 greencli 创建（结构版本 {version}），请升级 greencli")
    if version == NEWEST:
        db.execute("PRAGMA query_only = ON")
        return db
    copy = sqlite3.connect(":memory:", isolation_level=None)
    db.backup(copy)
    copy.execute("BEGIN")
    try:
        _migrate(copy, path)
    except BaseException:
        copy.execute("ROLLBACK")
        copy.close()
        raise
    copy.execute("COMMIT")
    copy.execute("PRAGMA query_only = ON")
    return copy


def _statements(script: str) -> Iterator[str]:
    """Split a migration into statements; a ';' inside a comment or string does not end one."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""
    if buffer.strip():
        yield buffer.strip()


def _now() -> str:
    """A time to store: UTC, to the microsecond (what orders a ledger's rows; never shown as it is)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def shown_time(moment: str | None, seconds: bool = False) -> str:
    """A time the ledger gave out (`local_time`) as a person reads it: 2026-12-01 04:52 (with `seconds`, :55)."""
    if not moment:
        return ""
    return moment[: 19 if seconds else 16].replace("T", " ")


def local_time(stored: str | None) -> str | None:
    """A stored time as the ledger gives it out: the computer's local time, to the second, with its offset from UTC
    (2026-12-01T04:52:55+08:00), so a person reads the hour on their clock and JSON keeps the instant. A stored
    value that is not a time (an older ledger's oddity) is given back as it is."""
    if not stored:
        return stored
    try:
        moment = datetime.fromisoformat(stored)
    except ValueError:
        return stored
    if moment.tzinfo is None:  # every greencli ledger stores UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().isoformat(timespec="seconds")
