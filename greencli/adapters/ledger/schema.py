"""The ledger's file: creation, numbered migrations, WAL mode, refusal of another program's file, SQLite's errors.

The schema is created and upgraded by numbered migrations recorded in the database itself. The file runs in WAL
mode, so reading commands (progress, history, export, notice, the API) never wait for a writer: they open without
the write lock and never migrate (an older schema is read through an upgraded copy in memory; the file itself is
upgraded by the next writing command).
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from greencli.adapters.files import clear_stale, temp_prefix
from greencli.adapters.ledger import postgres as pg
from greencli.adapters.ledger.location import LedgerAt, PostgresUrl
from greencli.adapters.limits import LEDGER_WAIT_SECONDS
from greencli.adapters.oserrors import describe_os_error, worded
from greencli.core.clean import clean_line
from greencli.core.errors import GreencliError

BUSY_TIMEOUT = LEDGER_WAIT_SECONDS  # a writer's wait for another writer's transaction (see limits.py)
DISTRICT_CODE_LIMIT = 64  # a 县（区） code (130302) or name (北戴河区), never a paragraph
# "GCLI": marks the file as a greencli ledger, so another program's SQLite file is refused rather than written into.
APPLICATION_ID = 0x47434C49

# A migration is SQL, or a function of the connection (inside the migration's transaction).
Migration = str | Callable[[sqlite3.Connection], None]
# The ledger's connection: sqlite3's, or a PostgreSQL one taking the same calls (postgres.PgConnection).
Database = sqlite3.Connection | pg.PgConnection


def _carry_invalid_files(db: sqlite3.Connection) -> None:
    """Invalid workbooks the rollup had seen before migration 4 live only in its file cache (`files`, valid = 0):
    carry each into invalid_submissions, so 待改正 and history survive the upgrade. Idempotent."""
    from greencli.core.outcome import Outcome

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


def _plain_file_hashes(db: sqlite3.Connection) -> None:
    """`rescore --apply` records the same file under another version of the standard. Before migration 8 it stored
    `sha@version` in file_sha256 to get past the unique index (one row per file content); the version has its own
    column, and the index is on both. Each suffixed row gets its plain SHA-256 back unless a row of the same file and
    version already holds it (a file re-scored to another version and back to its own): that one keeps its suffix,
    still unique, and history shows it as it was."""
    db.execute("DROP INDEX evaluations_one_per_content")
    rows = db.execute(
        "SELECT id, community_id, year, file_sha256, rubric_version FROM evaluations"
        " WHERE instr(file_sha256, '@') > 0 ORDER BY id"
    ).fetchall()
    for record, community_id, year, sha, version in rows:
        plain = str(sha).split("@", 1)[0]
        taken = db.execute(
            "SELECT 1 FROM evaluations WHERE community_id = ? AND year = ? AND file_sha256 = ? AND rubric_version = ?",
            (community_id, year, plain, version),
        ).fetchone()
        if taken is None:
            db.execute("UPDATE evaluations SET file_sha256 = ? WHERE id = ?", (plain, record))
    db.execute(
        "CREATE UNIQUE INDEX evaluations_one_per_content ON evaluations (community_id, year, file_sha256, rubric_version)"
    )


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
    (8, "one evaluation per file and rubric version", _plain_file_hashes),
    (
        9,
        "the code of an invalid submission's first error",
        """
        -- Scripts match on codes, never on wording: the first error's issue code beside its text (NULL before).
        ALTER TABLE invalid_submissions ADD COLUMN first_error_code TEXT;
        """,
    ),
    (
        10,
        "rosters by year",
        """
        -- The roster given for a year, kept as that year's: later commands for the year need none, and a roster of a
        -- later year (a merger, a rename, a community split in two) leaves the earlier years as they were.
        CREATE TABLE rosters (
            year       INTEGER PRIMARY KEY,
            source     TEXT NOT NULL,   -- the file it was read from, as the command was given it
            stored_at  TEXT NOT NULL
        );
        CREATE TABLE roster_communities (
            year        INTEGER NOT NULL REFERENCES rosters (year) ON DELETE CASCADE,
            position    INTEGER NOT NULL,   -- its place in the roster: reports keep the roster's order
            code        TEXT NOT NULL,
            name        TEXT NOT NULL,
            subdistrict TEXT NOT NULL,
            kind        TEXT NOT NULL,
            PRIMARY KEY (year, position)
        );
        """,
    ),
    (
        11,
        "districts",
        """
        -- Everything belongs to a district (县（区）), so one shared database holds many. An SQLite ledger holds one,
        -- unnamed (''): its keys stay as they were; `ledger copy` names it on the way into a shared one.
        ALTER TABLE evaluations ADD COLUMN district TEXT NOT NULL DEFAULT '';
        ALTER TABLE files ADD COLUMN district TEXT NOT NULL DEFAULT '';
        ALTER TABLE outputs ADD COLUMN district TEXT NOT NULL DEFAULT '';
        ALTER TABLE invalid_submissions ADD COLUMN district TEXT NOT NULL DEFAULT '';
        ALTER TABLE conferrals ADD COLUMN district TEXT NOT NULL DEFAULT '';
        ALTER TABLE rosters ADD COLUMN district TEXT NOT NULL DEFAULT '';
        ALTER TABLE roster_communities ADD COLUMN district TEXT NOT NULL DEFAULT '';
        CREATE TABLE districts (
            code        TEXT PRIMARY KEY,
            created_at  TEXT NOT NULL
        );
        DROP INDEX evaluations_one_per_content;
        CREATE UNIQUE INDEX evaluations_one_per_content
            ON evaluations (district, community_id, year, file_sha256, rubric_version);
        DROP INDEX evaluations_by_community;
        CREATE INDEX evaluations_by_community ON evaluations (district, community_id, year);
        DROP INDEX invalid_submissions_once;
        CREATE UNIQUE INDEX invalid_submissions_once ON invalid_submissions (district, community_id, year, file_sha256);
        DROP INDEX invalid_submissions_by_year;
        CREATE INDEX invalid_submissions_by_year ON invalid_submissions (district, year, community_id);
        DROP INDEX conferrals_once;
        CREATE UNIQUE INDEX conferrals_once ON conferrals (district, community_id COLLATE NOCASE, year);
        """,
    ),
    (
        12,
        "roles see their districts",
        """
        -- Which database role works on which district ('*': reads every district, the city's). Row-level security
        -- acts on it in a shared ledger; an SQLite file has one district and no roles, so the table stays empty.
        CREATE TABLE district_roles (
            role_name  TEXT NOT NULL,
            district   TEXT NOT NULL,
            PRIMARY KEY (role_name, district)
        );
        """,
    ),
    (
        13,
        "evidence files",
        """
        -- The evidence files (佐证材料) submitted with an evaluation: each one's path in the folder, size, SHA-256,
        -- time and the entries it is for (never its content). A workbook sent again with other evidence is another
        -- submission: the evidence's digest is part of what makes an evaluation one.
        ALTER TABLE evaluations ADD COLUMN evidence TEXT NOT NULL DEFAULT '[]';   -- JSON [{"path", "size", ...}]
        ALTER TABLE evaluations ADD COLUMN evidence_sha256 TEXT NOT NULL DEFAULT '';
        -- the rollup tells a changed evidence folder by its listing (paths, sizes, times)
        ALTER TABLE files ADD COLUMN evidence_stamp TEXT NOT NULL DEFAULT '';
        DROP INDEX evaluations_one_per_content;
        CREATE UNIQUE INDEX evaluations_one_per_content
            ON evaluations (district, community_id, year, file_sha256, evidence_sha256, rubric_version);
        """,
    ),
    (
        14,
        "state at a glance",
        """
        -- What a rollup counts on every run, read from this index alone, not from every evaluation's row (which its
        -- results make large): its fingerprint of the ledger (Ledger.state, 3 ms of a 0.15 s unchanged run at
        -- 1,000) and the year's current evaluations (Ledger.count_current, 2 ms).
        CREATE INDEX evaluations_state ON evaluations (district, year, superseded_by, void_reason);
        """,
    ),
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
    return worded(exc, SQLITE_REASONS, "它可能不是 greencli 的记录库或已损坏")


class LedgerError(GreencliError):
    """The ledger cannot be opened or written (exit code 2)."""


class LedgerBusy(LedgerError):
    """Another writer held the ledger for longer than this one would wait; nothing was changed (exit code 3)."""

    exit_code = 3
    default_code = "ledger-busy"


class Connected:
    """An open ledger: its connection, where it is and a writer's wait. `open` gives one as a context manager."""

    def __init__(self, connection: Database, path: LedgerAt, wait: float = BUSY_TIMEOUT) -> None:
        self.db = connection
        self.path = path
        self.wait = wait
        self.file_current = True  # the schema in the file is the newest (a reader of an older one reads a copy)
        self.district = ""  # whose rows it works on: an SQLite ledger's one district is unnamed

    @property
    def postgres(self) -> bool:
        return isinstance(self.db, pg.PgConnection)

    def districts(self) -> list[str]:
        """The districts the ledger holds (as far as the role may see them); an SQLite ledger's one is unnamed."""
        if not self.postgres:
            return [""]
        return [str(row[0]) for row in self.db.execute("SELECT code FROM districts ORDER BY code")]

    def keyed(self, *columns: str) -> str:
        """A table's key as an upsert names it: with the district in a shared ledger; an SQLite ledger holds one
        district, and its older keys stand (migration 11)."""
        return keyed(self.db, *columns)

    @classmethod
    @contextmanager
    def open(
        cls,
        path: LedgerAt,
        *,
        create: bool = True,
        write: bool = True,
        wait: float = BUSY_TIMEOUT,
        every_district: bool = False,
    ) -> Iterator[Self]:
        """The ledger at `path`. A writer (`write`) creates it when `create`, upgrades its schema, and waits up to
        `wait` seconds for another writer's transaction; a reader takes no lock and changes nothing. A shared
        ledger is opened on the district named, else its only one; `every_district` (the city's view) on none: the
        caller sets `district` to each of `districts()` in turn."""
        if isinstance(path, PostgresUrl):
            with cls._open_postgres(path, create=create, write=write, wait=wait, every=every_district) as shared:
                yield shared
            return
        _refuse_unusable(path, must_exist=not (create and write))
        try:
            if create and write and not path.exists():
                _create(path)
            connection = sqlite3.connect(path, timeout=max(wait, 0.0), isolation_level=None)
        except OSError as exc:
            raise LedgerError("ledger-unopenable", path=str(path), reason=describe_os_error(exc)) from exc
        except sqlite3.Error as exc:
            raise LedgerError("ledger-unopenable", path=str(path), reason=sqlite_reason(exc)) from exc
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
                ledger.file_current = ledger.db is connection  # else an upgraded copy in memory
            try:
                yield ledger
            finally:
                if ledger.db is not connection:
                    ledger.db.close()
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc).lower() or "busy" in str(exc).lower():
                raise LedgerBusy(path=str(path), wait=wait) from exc
            raise LedgerError("ledger-unusable", path=str(path), reason=sqlite_reason(exc)) from exc
        except sqlite3.DatabaseError as exc:
            raise LedgerError("ledger-unusable", path=str(path), reason=sqlite_reason(exc)) from exc
        finally:
            connection.close()

    @classmethod
    @contextmanager
    def _open_postgres(cls, at: PostgresUrl, *, create: bool, write: bool, wait: float, every: bool) -> Iterator[Self]:
        """`open` for a shared ledger: a writer creates the schema in an empty database and upgrades it; a reader
        needs it there and current (it never upgrades: its role may not be allowed to)."""
        import psycopg  # only when a shared ledger is named

        try:
            connection = pg.connect(at.url, wait)
        except psycopg.Error as exc:
            raise LedgerError("ledger-unopenable", path=str(at), reason=pg.postgres_reason(exc)) from exc
        try:
            ledger = cls(connection, at, wait)
            version = ledger.schema_version()
            if version > NEWEST:
                raise LedgerError("ledger-too-new", path=str(at), version=version)
            if version == 0:
                _refuse_foreign_schema(connection, at)
                version = ledger.schema_version()  # another writer may have made it meanwhile
            if version == 0 and not (create and write):
                raise LedgerError("ledger-missing", path=str(at))
            if version < NEWEST:
                if not write:
                    raise LedgerError("ledger-needs-upgrade", path=str(at), version=version)
                ledger.migrate()
            if not every:
                ledger.district = _district(ledger, at, write)
            yield ledger
        except psycopg.Error as exc:
            if pg.is_lock_timeout(exc):
                raise LedgerBusy(path=str(at), wait=wait) from exc
            raise LedgerError("ledger-unusable", path=str(at), reason=pg.postgres_reason(exc)) from exc
        finally:
            connection.close()

    # ── schema ──
    def migrate(self) -> None:
        """Bring the schema up to date (only a writer does this; the check alone takes no write lock)."""
        if isinstance(self.db, pg.PgConnection):
            with self.transaction():
                self.db.execute(f"SELECT pg_advisory_xact_lock({pg.LOCK_KEY})", (pg.MIGRATION_LOCK,))
                _migrate(self.db, self.path)
            return
        if self.schema_version() == NEWEST and self._marked():
            return
        with self.transaction():
            _migrate(self.db, self.path)

    def _marked(self) -> bool:
        return int(self.db.execute("PRAGMA application_id").fetchone()[0]) == APPLICATION_ID

    def schema_version(self) -> int:
        if isinstance(self.db, pg.PgConnection):
            return _postgres_schema_version(self.db)
        return _schema_version(self.db)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction. On PostgreSQL, one writer's at a time (the write lock, waited for up to `wait`
        seconds), as SQLite's BEGIN IMMEDIATE gives."""
        if isinstance(self.db, pg.PgConnection):
            self.db.execute("BEGIN")
            try:
                self.db.execute(f"SET LOCAL lock_timeout = {pg.lock_timeout_ms(self.wait)}")
                self.db.execute(f"SELECT pg_advisory_xact_lock({pg.LOCK_KEY})", (pg.WRITE_LOCK + self.district,))
                self.db.execute("SET LOCAL lock_timeout = 0")
                yield
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")


def keyed(db: Database, *columns: str) -> str:
    """`Connected.keyed` for a connection."""
    return ", ".join(("district", *columns) if isinstance(db, pg.PgConnection) else columns)


def _postgres_schema_version(db: pg.PgConnection) -> int:
    found = db.execute(f"SELECT to_regclass('{pg.SCHEMA}.schema_migrations')").fetchone()
    if found is None or found[0] is None:
        return 0
    row = db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)


def _district(ledger: Connected, at: PostgresUrl, write: bool) -> str:
    """The district a command works on in a shared ledger: the one named (a writer registers a new one), else the
    only one the ledger holds (the only one the role may see, under row-level security); else exit 2, naming them."""
    held = ledger.districts()
    if at.district is not None:
        code = clean_line(at.district).strip()
        if not code or len(code) > DISTRICT_CODE_LIMIT:
            raise LedgerError("district-invalid", district=at.district)
        if code in held:
            return code
        if not write:
            raise LedgerError("district-unknown", path=str(at), district=code, known="、".join(held) or "无")
        ledger.db.execute(
            "INSERT INTO districts (code, created_at) VALUES (?, ?) ON CONFLICT (code) DO NOTHING", (code, now())
        )
        return code
    if len(held) == 1:
        return held[0]
    if not held:
        raise LedgerError("district-needed", path=str(at))
    raise LedgerError("district-ambiguous", path=str(at), known="、".join(held))


def _refuse_foreign_schema(db: pg.PgConnection, at: PostgresUrl) -> None:
    """A `greencli` schema holding tables but no migrations is another program's: never written into. Both are
    looked at in one statement (one snapshot): another writer creating the schema at this moment commits its
    tables and its migrations together, and is never taken for a stranger."""
    row = db.execute(
        f"SELECT to_regclass('{pg.SCHEMA}.schema_migrations') IS NOT NULL,"
        " (SELECT count(*) FROM pg_tables WHERE schemaname = ?)",
        (pg.SCHEMA,),
    ).fetchone()
    ours, tables = bool(row[0]), int(row[1])
    if tables > 0 and not ours:
        raise LedgerError("ledger-foreign", path=str(at))


def _refuse_unusable(path: Path, *, must_exist: bool) -> None:
    """A missing ledger where one is needed, a folder, or an empty file: exit 2 before SQLite sees it (SQLite would
    silently make an empty file into a new ledger, and every community would read 未参与)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        if must_exist:
            raise LedgerError("ledger-missing", path=str(path)) from None
        return
    except OSError as exc:
        raise LedgerError("ledger-unopenable", path=str(path), reason=describe_os_error(exc)) from exc
    if path.is_dir():
        raise LedgerError("ledger-is-folder", path=str(path))
    if st.st_size == 0:
        raise LedgerError("ledger-empty-file", path=str(path))


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
    foreign = LedgerError("ledger-foreign", path=str(path))
    if application_id != 0:
        raise foreign
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        if int(db.execute("PRAGMA user_version").fetchone()[0]) != 0:
            raise foreign
        return  # a new, empty database
    if "schema_migrations" not in tables:
        raise foreign
    kinds = {row[0] for row in db.execute("SELECT DISTINCT typeof(version) FROM schema_migrations")}
    if kinds - {"integer"}:
        raise foreign


def _schema_version(db: sqlite3.Connection) -> int:
    exists = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").fetchone()
    if not exists:
        return 0
    row = db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    return int(row[0] or 0)


def _migrate(db: Database, at: LedgerAt) -> None:
    """Every migration not yet applied, inside the caller's transaction: its SQLite form, or in a shared ledger its
    PostgreSQL form (in greencli's own schema)."""
    postgres = isinstance(db, pg.PgConnection)
    if postgres:
        db.execute(f"CREATE SCHEMA IF NOT EXISTS {pg.SCHEMA}")
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    applied = {int(row[0]) for row in db.execute("SELECT version FROM schema_migrations")}
    if applied and max(applied) > NEWEST:
        raise LedgerError("ledger-too-new", path=str(at), version=max(applied))
    for version, name, step in MIGRATIONS:
        if version in applied:
            continue
        if isinstance(db, pg.PgConnection):
            statements = pg.statements(pg.POSTGRES_MIGRATIONS[version])
        elif callable(step):
            step(db)
            statements = []
        else:
            statements = list(_statements(step))
        for statement in statements:
            db.execute(statement)
        db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", (version, name, now()))
    if not postgres:
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def _readable(db: sqlite3.Connection, path: Path) -> sqlite3.Connection:
    """A reader's connection: the file itself when its schema is current (no write is ever possible through it),
    else an upgraded copy in memory, so a reading command neither waits for the write lock nor changes the file."""
    version = _schema_version(db)
    if version > NEWEST:
        raise LedgerError("ledger-too-new", path=str(path), version=version)
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


def now() -> str:
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
