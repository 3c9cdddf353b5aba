"""The shared ledger in PostgreSQL (psycopg 3), behind the same few calls the ledger makes of sqlite3.

The ledger's tables live in their own schema, `greencli`, so the database may hold other programs' tables beside it.
Its numbered migrations are the SQLite ledger's, each with its PostgreSQL form (`POSTGRES_MIGRATIONS`); a writer
applies them under a transaction-scoped advisory lock, so two programs upgrading at once cannot both apply one.
Writers take their district's write lock the same way (held to the end of the transaction): one writer's transaction
at a time in a district, as on SQLite, so settling a community's current evaluation never races another batch and no
two writers can deadlock, while districts write side by side; `--wait` bounds how long a writer waits for it (then
exit 3, nothing changed).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from greencli.adapters.oserrors import worded

if TYPE_CHECKING:
    import psycopg

SCHEMA = "greencli"
# Advisory locks (pg_advisory_*) are keyed by a 64-bit hash of what they guard: the schema's migrations, and per
# district its writers' transactions and its one running rollup.
MIGRATION_LOCK = "greencli migrate"
WRITE_LOCK = "greencli write "  # + the district
ROLLUP_LOCK = "greencli rollup "  # + the district
LOCK_KEY = "hashtextextended(?, 0)"  # the lock's bigint key, from its name


class PgRows:
    """A statement's result, as the ledger reads sqlite3's cursors."""

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self._cursor = cursor

    def fetchone(self) -> Any:
        return self._cursor.fetchone() if self._cursor.description is not None else None

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall() if self._cursor.description is not None else []

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cursor) if self._cursor.description is not None else iter(())

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)


@functools.lru_cache(maxsize=512)
def to_postgres(sql: str) -> str:
    """sqlite3's `?` parameters as psycopg's `%s` (a literal % doubled); a `?` inside a quoted string is text."""
    out: list[str] = []
    quote: str | None = None
    for ch in sql:
        if quote is not None:
            out.append("%%" if ch == "%" else ch)
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        else:
            out.append(ch)
    return "".join(out)


class PgConnection:
    """psycopg's connection in autocommit mode (transactions are begun and ended by statements, as the ledger does
    with sqlite3's `isolation_level=None`), taking sqlite3's `?` parameters."""

    dialect = "postgresql"

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self.connection = connection

    def execute(self, sql: str, parameters: Sequence[object] = ()) -> PgRows:
        cursor = self.connection.cursor()
        cursor.execute(to_postgres(sql), tuple(parameters))  # a tuple even when empty: then %% is read as %
        return PgRows(cursor)

    def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        batch = [tuple(r) for r in rows]
        if batch:
            with self.connection.cursor() as cursor:
                cursor.executemany(to_postgres(sql), batch)

    def close(self) -> None:
        self.connection.close()


# libpq's and the server's own English, as an office user needs to read it.
POSTGRES_REASONS: tuple[tuple[str, str], ...] = (
    ("password authentication failed", "用户名或密码不对"),
    ("no password supplied", "需要密码（可用 PGPASSWORD 或 .pgpass 提供）"),
    ("does not exist", "数据库或用户不存在"),
    ("connection refused", "连接被拒绝（数据库服务器没有运行，或地址、端口不对）"),
    ("could not translate host name", "找不到该服务器（地址写错，或网络不通）"),
    ("timeout", "连接超时（网络不通，或服务器没有响应）"),
    ("no pg_hba.conf entry", "服务器不允许从本机连接（请数据库管理员在 pg_hba.conf 中放行）"),
    ("row-level security", "该数据库角色无权写入这个县（区）的数据"),
    ("permission denied", "没有权限（该数据库角色不能读写这些数据）"),
    ("ssl", "SSL 连接失败（请检查 sslmode 等参数）"),
    ("invalid connection option", "连接地址中有无法识别的参数"),
    ("invalid port", "连接地址中的端口不对"),
    ("invalid integer value", "连接地址中的端口不对"),
    ("invalid dsn", "连接地址格式不对（应为 postgresql://用户@服务器:端口/数据库）"),
    ('missing "="', "连接地址格式不对（应为 postgresql://用户@服务器:端口/数据库）"),
)


def postgres_reason(exc: BaseException) -> str:
    """A Chinese reason for a PostgreSQL error; the server's own text only with --debug."""
    return worded(exc, POSTGRES_REASONS, "数据库返回了错误")


def connect(url: str, wait: float) -> PgConnection:
    """A connection to the shared ledger (raises psycopg's errors; the caller words them)."""
    import psycopg  # only when a shared ledger is named: never on the SQLite path

    connection = psycopg.connect(url, autocommit=True, connect_timeout=max(5, min(int(wait) + 5, 60)),
                                 application_name="greencli")  # fmt: skip
    connection.execute(f"SET search_path TO {SCHEMA}")
    return PgConnection(connection)


def is_lock_timeout(exc: BaseException) -> bool:
    """A statement that gave up waiting for a lock (lock_timeout), or was cancelled by the server meanwhile."""
    import psycopg  # only when a shared ledger is named

    return isinstance(exc, psycopg.errors.LockNotAvailable | psycopg.errors.QueryCanceled)


def lock_timeout_ms(wait: float) -> int:
    """`--wait` as PostgreSQL's lock_timeout: 0 there means forever, so no wait at all is one millisecond."""
    return max(1, int(wait * 1000))


# ── the schema: the SQLite ledger's migrations, each in PostgreSQL's words ──
# Integers are BIGINT (sizes and nanosecond times overflow INTEGER), ids identity columns, a code compared in any
# case an index on lower(). Migrations 7 and 8 carry data from SQLite ledgers written by older greencli versions: a
# shared ledger never held such data (`ledger copy` copies from an upgraded SQLite ledger), so they do nothing here.
POSTGRES_MIGRATIONS: dict[int, str] = {
    1: """
        CREATE TABLE evaluations (
            id              BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            community_id    TEXT NOT NULL,
            community       TEXT NOT NULL,
            subdistrict     TEXT NOT NULL,
            year            INTEGER NOT NULL,
            verdict         TEXT NOT NULL CHECK (verdict IN ('pass', 'fail', 'veto')),
            total           TEXT NOT NULL,
            bonus           TEXT NOT NULL,
            categories      TEXT NOT NULL,
            items           TEXT NOT NULL,
            vetoes          TEXT NOT NULL,
            warnings        TEXT NOT NULL,
            entries         TEXT NOT NULL,
            rubric_id       TEXT NOT NULL,
            rubric_version  TEXT NOT NULL,
            file_path       TEXT NOT NULL,
            file_sha256     TEXT NOT NULL,
            file_size       BIGINT NOT NULL,
            file_mtime      DOUBLE PRECISION NOT NULL,
            review_date     TEXT,
            reviewers       TEXT NOT NULL DEFAULT '',
            scored_at       TEXT NOT NULL,
            superseded_by   BIGINT REFERENCES evaluations (id)
        );
        CREATE UNIQUE INDEX evaluations_one_per_content ON evaluations (community_id, year, file_sha256);
        CREATE INDEX evaluations_by_community ON evaluations (community_id, year);
        """,
    2: """
        CREATE TABLE files (
            path        TEXT PRIMARY KEY,
            size        BIGINT NOT NULL,
            mtime_ns    BIGINT NOT NULL,
            sha256      TEXT NOT NULL,
            valid       INTEGER NOT NULL,
            outcome     TEXT NOT NULL,
            seen_at     TEXT NOT NULL
        )
        """,
    3: """
        CREATE TABLE outputs (
            path        TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL,
            size        BIGINT NOT NULL,
            mtime_ns    BIGINT NOT NULL,
            written_at  TEXT NOT NULL
        )
        """,
    4: """
        CREATE TABLE invalid_submissions (
            id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            community_id TEXT NOT NULL,
            community    TEXT NOT NULL,
            subdistrict  TEXT NOT NULL,
            year         INTEGER NOT NULL,
            file_path    TEXT NOT NULL,
            file_sha256  TEXT NOT NULL,
            first_error  TEXT NOT NULL,
            errors       INTEGER NOT NULL,
            seen_at      TEXT NOT NULL
        );
        CREATE UNIQUE INDEX invalid_submissions_once ON invalid_submissions (community_id, year, file_sha256);
        CREATE INDEX invalid_submissions_by_year ON invalid_submissions (year, community_id);
        """,
    5: """
        ALTER TABLE evaluations ADD COLUMN void_reason TEXT;
        ALTER TABLE evaluations ADD COLUMN voided_at TEXT;
        """,
    6: """
        CREATE TABLE conferrals (
            id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            community_id TEXT NOT NULL,
            year         INTEGER NOT NULL,
            conferred_on TEXT NOT NULL,
            document     TEXT NOT NULL,
            recorded_at  TEXT NOT NULL
        );
        CREATE UNIQUE INDEX conferrals_once ON conferrals (lower(community_id), year);
        """,
    7: "",
    8: """
        DROP INDEX evaluations_one_per_content;
        CREATE UNIQUE INDEX evaluations_one_per_content ON evaluations (community_id, year, file_sha256, rubric_version);
        """,
    9: "ALTER TABLE invalid_submissions ADD COLUMN first_error_code TEXT;",
    10: """
        CREATE TABLE rosters (
            year       INTEGER PRIMARY KEY,
            source     TEXT NOT NULL,
            stored_at  TEXT NOT NULL
        );
        CREATE TABLE roster_communities (
            year        INTEGER NOT NULL REFERENCES rosters (year) ON DELETE CASCADE,
            position    INTEGER NOT NULL,
            code        TEXT NOT NULL,
            name        TEXT NOT NULL,
            subdistrict TEXT NOT NULL,
            kind        TEXT NOT NULL,
            PRIMARY KEY (year, position)
        );
        """,
    11: """
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
        CREATE UNIQUE INDEX conferrals_once ON conferrals (district, lower(community_id), year);
        ALTER TABLE files DROP CONSTRAINT files_pkey, ADD PRIMARY KEY (district, path);
        ALTER TABLE outputs DROP CONSTRAINT outputs_pkey, ADD PRIMARY KEY (district, path);
        ALTER TABLE roster_communities DROP CONSTRAINT roster_communities_year_fkey;
        ALTER TABLE roster_communities DROP CONSTRAINT roster_communities_pkey, ADD PRIMARY KEY (district, year, position);
        ALTER TABLE rosters DROP CONSTRAINT rosters_pkey, ADD PRIMARY KEY (district, year);
        ALTER TABLE roster_communities ADD FOREIGN KEY (district, year) REFERENCES rosters (district, year)
            ON DELETE CASCADE;
        """,
    # Row-level security: a role mapped to a district in district_roles reads and writes that district's rows only;
    # one mapped to '*' (the city) reads every district. The tables' owner (who ran the migrations, and copies
    # offices in) is not subject to it. A role sees what it may of district_roles itself, through the functions.
    12: """
        CREATE TABLE district_roles (
            role_name  TEXT NOT NULL,
            district   TEXT NOT NULL,
            PRIMARY KEY (role_name, district)
        );
        CREATE FUNCTION may_read(d TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE SECURITY DEFINER
            SET search_path = greencli, pg_catalog AS $$
            SELECT EXISTS (SELECT 1 FROM district_roles r JOIN pg_roles p ON p.rolname = r.role_name
                           WHERE (r.district = d OR r.district = '*') AND pg_has_role(session_user, p.oid, 'MEMBER'))
        $$;
        CREATE FUNCTION may_write(d TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE SECURITY DEFINER
            SET search_path = greencli, pg_catalog AS $$
            SELECT EXISTS (SELECT 1 FROM district_roles r JOIN pg_roles p ON p.rolname = r.role_name
                           WHERE r.district = d AND pg_has_role(session_user, p.oid, 'MEMBER'))
        $$;
        ALTER TABLE evaluations ENABLE ROW LEVEL SECURITY;
        ALTER TABLE files ENABLE ROW LEVEL SECURITY;
        ALTER TABLE outputs ENABLE ROW LEVEL SECURITY;
        ALTER TABLE invalid_submissions ENABLE ROW LEVEL SECURITY;
        ALTER TABLE conferrals ENABLE ROW LEVEL SECURITY;
        ALTER TABLE rosters ENABLE ROW LEVEL SECURITY;
        ALTER TABLE roster_communities ENABLE ROW LEVEL SECURITY;
        ALTER TABLE districts ENABLE ROW LEVEL SECURITY;
        CREATE POLICY by_district ON evaluations USING (may_read(district)) WITH CHECK (may_write(district));
        CREATE POLICY by_district ON files USING (may_read(district)) WITH CHECK (may_write(district));
        CREATE POLICY by_district ON outputs USING (may_read(district)) WITH CHECK (may_write(district));
        CREATE POLICY by_district ON invalid_submissions USING (may_read(district)) WITH CHECK (may_write(district));
        CREATE POLICY by_district ON conferrals USING (may_read(district)) WITH CHECK (may_write(district));
        CREATE POLICY by_district ON rosters USING (may_read(district)) WITH CHECK (may_write(district));
        CREATE POLICY by_district ON roster_communities USING (may_read(district)) WITH CHECK (may_write(district));
        CREATE POLICY by_district ON districts USING (may_read(code)) WITH CHECK (may_write(code));
        """,
    13: """
        ALTER TABLE evaluations ADD COLUMN evidence TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE evaluations ADD COLUMN evidence_sha256 TEXT NOT NULL DEFAULT '';
        ALTER TABLE files ADD COLUMN evidence_stamp TEXT NOT NULL DEFAULT '';
        DROP INDEX evaluations_one_per_content;
        CREATE UNIQUE INDEX evaluations_one_per_content
            ON evaluations (district, community_id, year, file_sha256, evidence_sha256, rubric_version);
        """,
    14: """
        CREATE INDEX evaluations_state ON evaluations (district, year, superseded_by, void_reason);
        """,
}


def statements(script: str) -> list[str]:
    """A migration's statements (none of greencli's PostgreSQL migrations holds a ';' inside a literal)."""
    return [s.strip() for s in re.split(r";\s*(?:\n|$)", script) if s.strip() and not s.strip().startswith("--")]
