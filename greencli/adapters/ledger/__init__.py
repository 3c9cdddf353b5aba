"""The ledger: every valid evaluation, in SQLite, with its entered values, so history can be re-scored.

Split along its seams: `schema` (the file: creation, migrations, WAL, refusing a foreign file, SQLite's errors),
`evaluations` (evaluations and their `Batch`, invalid submissions, conferrals; `rows` turns them into outcomes and
back), `filecache` (the rollup's inbox
cache and output fingerprints) and `rosters` (the roster kept for each year). `Ledger` is all four on one connection; open it with `Ledger.open(path)`.
"""

from __future__ import annotations

import json

from greencli.adapters.ledger.evaluations import (
    EVALUATION_COLUMNS,
    Batch,
    Elsewhere,
    Evaluations,
    Recorded,
    settle,
)
from greencli.adapters.ledger.filecache import FileCache, KnownFile
from greencli.adapters.ledger.location import DB_ENV, DEFAULT_DB, LedgerAt, PostgresUrl, ledger_at, ledger_file
from greencli.adapters.ledger.rosters import RosterBook
from greencli.adapters.ledger.schema import (
    APPLICATION_ID,
    BUSY_TIMEOUT,
    MIGRATIONS,
    NEWEST,
    LedgerBusy,
    LedgerError,
    local_time,
    shown_time,
    sqlite_reason,
)

__all__ = [
    "APPLICATION_ID", "BUSY_TIMEOUT", "DB_ENV", "DEFAULT_DB", "EVALUATION_COLUMNS", "MIGRATIONS", "NEWEST", "Batch",
    "Elsewhere", "Evaluations", "KnownFile", "Ledger", "LedgerAt", "LedgerBusy",
    "LedgerError", "PostgresUrl", "Recorded", "ledger_at", "ledger_file", "local_time", "settle", "shown_time", "sqlite_reason",
]  # fmt: skip


class Ledger(Evaluations, FileCache, RosterBook):
    """An open ledger. Use `Ledger.open(path)` as a context manager."""

    def state(self) -> str:
        """A fingerprint of everything recorded: it changes whenever an evaluation, an inbox file or a naming does."""
        district = (self.district,)
        evaluations = self.db.execute(
            "SELECT COUNT(*), MAX(id), COUNT(superseded_by), COUNT(void_reason) FROM evaluations WHERE district = ?",
            district,
        ).fetchone()
        files = self.db.execute(
            "SELECT COUNT(*), MAX(seen_at), SUM(valid) FROM files WHERE district = ?", district
        ).fetchone()
        named = self.db.execute(
            "SELECT COUNT(*), MAX(recorded_at) FROM conferrals WHERE district = ?", district
        ).fetchone()
        return json.dumps([*evaluations, *files, *named])

    def integrity(self) -> str:
        """SQLite's own check of the file ("ok"); a shared ledger's server keeps its own integrity."""
        if self.postgres:
            return "ok"
        return str(self.db.execute("PRAGMA integrity_check").fetchone()[0])
