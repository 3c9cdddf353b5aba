"""Where the ledger is: an SQLite file (the embedded default), or a shared PostgreSQL database named by a URL in
libpq's form (postgresql://user@host:5432/dbname?sslmode=require; a password from PGPASSWORD or .pgpass as libpq
reads them). `--db`, else $GREENCLI_DB, else greencli.db in the current folder."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

DB_ENV = "GREENCLI_DB"
DISTRICT_ENV = "GREENCLI_DISTRICT"
DEFAULT_DB = "greencli.db"
SCHEMES = ("postgresql://", "postgres://")
_PASSWORD = re.compile(r"(?<=://)([^:/@?#]*):[^@/?#]*@")


@dataclass(frozen=True)
class PostgresUrl:
    """A shared ledger's address, and the district (县（区）) a command works on in it (None: the ledger's only
    one). Shown (`str`) with any password in it masked: it is printed in reports and logs."""

    url: str
    district: str | None = None

    def __str__(self) -> str:
        return _PASSWORD.sub(r"\1:***@", self.url)


LedgerAt = Path | PostgresUrl


def is_postgres(text: str) -> bool:
    return text.strip().lower().startswith(SCHEMES)


def ledger_at(given: str | Path | PostgresUrl | None, district: str | None = None) -> LedgerAt:
    """The ledger named (`--db`), else by $GREENCLI_DB, else ./greencli.db; for a shared one, the district named
    (`--district`), else by $GREENCLI_DISTRICT. An SQLite ledger holds one district: a district named for it is
    not needed, and changes nothing."""
    if isinstance(given, PostgresUrl | Path):
        return given
    text = given if given is not None else os.environ.get(DB_ENV) or DEFAULT_DB
    if not is_postgres(text):
        return Path(text)
    named = (district if district is not None else os.environ.get(DISTRICT_ENV, "")).strip()
    return PostgresUrl(text.strip(), named or None)


def ledger_file(at: LedgerAt) -> Path | None:
    """The ledger's file, for the checks that compare files (an output may never overwrite it); None for a shared
    ledger, which is no file of ours."""
    return at if isinstance(at, Path) else None
