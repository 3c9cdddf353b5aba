"""The ledger: every valid evaluation, in SQLite, with its entered values, so history can be re-scored.

The schema is created and upgraded by numbered migrations recorded in the database itself. Writes happen in one
transaction per batch: a run that dies leaves the ledger as it was before or after it, never between.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from greencli.core.errors import GreencliError, describe_os_error, with_detail
from greencli.core.outcome import JsonObject, Outcome, Recording, SourceFile

DB_ENV = "GREENCLI_DB"
DEFAULT_DB = "greencli.db"
# A lock held by another writer is waited for this long before the run gives up (seconds).
BUSY_TIMEOUT = 30.0

MIGRATIONS: tuple[tuple[int, str, str], ...] = (
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
)


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

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.db = connection
        self.path = path

    @classmethod
    @contextmanager
    def open(cls, path: Path, *, create: bool = True) -> Iterator[Ledger]:
        if not create and not path.exists():
            raise LedgerError(f"评分记录库 {path} 不存在（请先用 greencli score 评分）")
        try:
            if create:
                path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
        except OSError as exc:
            raise LedgerError(f"无法打开评分记录库 {path}：{describe_os_error(exc)}") from exc
        except sqlite3.Error as exc:
            raise LedgerError(f"无法打开评分记录库 {path}：{sqlite_reason(exc)}") from exc
        try:
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA synchronous = FULL")
            ledger = cls(connection, path)
            ledger.migrate()
            yield ledger
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"评分记录库 {path} 无法使用：{sqlite_reason(exc)}") from exc
        finally:
            connection.close()

    # ── schema ──
    def migrate(self) -> None:
        with self.transaction():
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            applied = {row[0] for row in self.db.execute("SELECT version FROM schema_migrations")}
            newest = max((v for v, _, _ in MIGRATIONS), default=0)
            if applied and max(applied) > newest:
                raise LedgerError(
                    f"评分记录库 {self.path} 由更新版本的 greencli 创建（结构版本 {max(applied)}），请升级 greencli"
                )
            for version, name, script in MIGRATIONS:
                if version in applied:
                    continue
                for statement in _statements(script):
                    self.db.execute(statement)
                self.db.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (version, name, _now()),
                )

    def schema_version(self) -> int:
        row = self.db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

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
        """Record within the caller's transaction, as one batch: each record's new id, or None if already held."""
        batch = Batch(self)
        out = [batch.add(r) for r in records]
        batch.settle()
        return out

    @contextmanager
    def batch(self) -> Iterator[Batch]:
        """One transaction for a whole run: records are added as they arrive, settled and committed at the end."""
        with self.transaction():
            batch = Batch(self)
            yield batch
            batch.settle()

    def add(self, o: Outcome, source: SourceFile, entries: JsonObject, rubric_id: str, scored_at: str) -> int | None:
        """Insert one valid evaluation (its community's current one is settled by the batch); None if already held."""
        assert o.year is not None and o.total is not None and o.bonus is not None
        exists = self.db.execute(
            "SELECT id FROM evaluations WHERE community_id = ? AND year = ? AND file_sha256 = ?",
            (o.community_id, o.year, source.sha256),
        ).fetchone()
        if exists:
            return None
        stored = o.to_dict()
        cursor = self.db.execute(
            "INSERT INTO evaluations (community_id, community, subdistrict, year, verdict, total, bonus,"
            " categories, items, vetoes, warnings, entries, rubric_id, rubric_version, file_path,"
            " file_sha256, file_size, file_mtime, review_date, reviewers, scored_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (o.community_id, o.community, o.subdistrict, o.year, o.verdict.value, str(o.total), str(o.bonus),
             _json(stored["categories"]), _json(stored["items"]), _json(list(o.vetoes)),
             _json([i.to_dict() for i in o.issues]), _json(entries), rubric_id, o.rubric_version or "",
             source.path, source.sha256, source.size, source.mtime, o.review_date.isoformat() if o.review_date else None,
             o.reviewers, scored_at),
        )  # fmt: skip
        return cursor.lastrowid

    def _settle(self, community_id: str, year: int) -> None:
        """The current evaluation of a community and year: the later 评审日期, then the one scored later (a batch
        shares one time, and within it the newer file wins)."""
        rows = self.db.execute(
            "SELECT id FROM evaluations WHERE community_id = ? AND year = ? AND void_reason IS NULL"
            " ORDER BY COALESCE(review_date, '') DESC, scored_at DESC, file_mtime DESC, id DESC",
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
            raise LedgerError(f"记录 #{record} 已于 {voided.voided_at} 作废（{voided.void_reason}）")
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
        return [InvalidSubmission(*row) for row in rows]

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
        return {(r[0].casefold(), int(r[1])): Conferral(r[0], int(r[1]), date.fromisoformat(r[2]), r[3], r[4])
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

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0])

    def integrity(self) -> str:
        return str(self.db.execute("PRAGMA integrity_check").fetchone()[0])


class Batch:
    """Records added during one run: they share one scoring time and are settled together at the end."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.scored_at = _now()
        self.touched: set[tuple[str, int]] = set()
        self.new = 0
        self.already = 0

    def add(self, record: Recording) -> int | None:
        o = record.outcome
        assert o.year is not None
        new_id = self.ledger.add(o, record.source, record.entries, record.rubric_id, self.scored_at)
        if new_id is None:
            self.already += 1
        else:
            self.new += 1
            self.touched.add((o.community_id, o.year))
        return new_id

    def add_invalid(self, submission: InvalidSubmission) -> bool:
        return self.ledger.add_invalid(submission, self.scored_at)

    def settle(self) -> None:
        for community_id, year in sorted(self.touched):
            self.ledger._settle(community_id, year)


def _stored(row: Sequence[Any]) -> Stored:
    (id_, code, name, sub, year, verdict, total, bonus, categories, items, vetoes, rid, rver, path, sha, review,
     scored, superseded, warnings, reviewers, void_reason, voided_at) = row  # fmt: skip
    outcome = Outcome.from_dict({
        "file": path, "community_id": code, "community": name, "subdistrict": sub, "year": year, "verdict": verdict,
        "total": total, "bonus": bonus, "categories": json.loads(categories), "items": json.loads(items),
        "vetoes": json.loads(vetoes), "issues": json.loads(warnings), "review_date": review, "reviewers": reviewers,
        "rubric_version": rver, "superseded": superseded is not None,
    })  # fmt: skip
    return Stored(id=id_, outcome=outcome, rubric_id=rid, file_sha256=sha, scored_at=scored, superseded_by=superseded,
                  void_reason=void_reason, voided_at=voided_at)  # fmt: skip


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
    return datetime.now(UTC).isoformat(timespec="microseconds")
