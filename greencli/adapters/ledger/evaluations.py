"""Evaluations in the ledger: recording them (a run's `Batch`), settling which one stands, voiding, reading them back
as `Outcome`s; beside them the invalid submissions and the city's naming of titles (conferrals).

Writers keep their write transactions short: a batch is spooled to a private file while its workbooks are read,
then recorded in one transaction, so a run that dies leaves the ledger as it was before the batch or with the batch
whole, and a writer that cannot get the lock within its wait gives up (exit 3) having changed nothing.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from greencli.adapters.ledger.postgres import PgConnection
from greencli.adapters.ledger.schema import Connected, Database, LedgerError, local_time, now, shown_time

if TYPE_CHECKING:
    from greencli.core.outcome import Conferral, InvalidSubmission, Outcome


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


EVALUATION_COLUMNS = (
    "community_id", "community", "subdistrict", "year", "verdict", "total", "bonus", "categories", "items", "vetoes",
    "warnings", "entries", "rubric_id", "rubric_version", "file_path", "file_sha256", "file_size", "file_mtime",
    "review_date", "reviewers", "scored_at", "evidence", "evidence_sha256",
)  # fmt: skip
INVALID_COLUMNS = (
    "community_id", "community", "subdistrict", "year", "file_path", "file_sha256", "first_error", "errors", "seen_at",
    "first_error_code",
)  # fmt: skip
# Spooled rows are written this many at a time (one statement each): a statement per row cost the run's main
# process a quarter of a millisecond a workbook.
SPOOL_CHUNK = 256
# The evaluations that stand: neither superseded by a later one nor voided.
CURRENT = "superseded_by IS NULL AND void_reason IS NULL"
# One evaluation per community, year, file content, evidence and version of the standard in a district (migrations
# 8, 11, 13).
ONE_PER_CONTENT = "district, community_id, year, file_sha256, evidence_sha256, rubric_version"
# One invalid submission per community, year and file content in a district (invalid_submissions_once).
SUBMITTED_ONCE = "district, community_id, year, file_sha256"
_READ = (
    "id, community_id, community, subdistrict, year, verdict, total, bonus, categories, items, vetoes, rubric_id,"
    " rubric_version, file_path, file_sha256, file_size, file_mtime, review_date, scored_at, superseded_by, warnings,"
    " reviewers, void_reason, voided_at"
)


def same_code(db: Database, column: str = "community_id") -> str:
    """`column` equal to the `?` that follows, a community code in any case (ZJ-01 and zj-01 are one community)."""
    return f"lower({column}) = lower(?)" if isinstance(db, PgConnection) else f"{column} = ? COLLATE NOCASE"


def named_once(db: Database) -> str:
    """The conflict target of a naming (conferrals_once): one per district, community code in any case, and year."""
    code = "lower(community_id)" if isinstance(db, PgConnection) else "community_id COLLATE NOCASE"
    return f"district, {code}, year"


def settle(db: Database, district: str, community_id: str, year: int, year_end: tuple[int, int]) -> None:
    """Within the caller's transaction: which evaluation of a community and year is current. The later 评审日期
    (none, under 2021.1, counts as the end of its year: the campaign's `year_end`, month and day), then the one
    scored later (a batch shares one time, and within it the newer file wins); every other one is marked superseded
    by it, a voided one never."""
    undated = f"{year:04d}-{year_end[0]:02d}-{year_end[1]:02d}"  # one year: the same day for every row
    rows = db.execute(
        "SELECT id FROM evaluations WHERE district = ? AND community_id = ? AND year = ? AND void_reason IS NULL"
        " ORDER BY COALESCE(review_date, ?) DESC, scored_at DESC, file_mtime DESC, id DESC",
        (district, community_id, year, undated),
    ).fetchall()
    current = rows[0][0] if rows else None  # none left when every evaluation of that year was voided
    db.execute(
        "UPDATE evaluations SET superseded_by ="
        " CASE WHEN id = ? OR void_reason IS NOT NULL THEN NULL ELSE CAST(? AS BIGINT) END"
        " WHERE district = ? AND community_id = ? AND year = ?",
        (current, current, district, community_id, year),
    )


class Evaluations(Connected):
    """The ledger's evaluations, invalid submissions and conferrals (a part of `Ledger`)."""

    # ── writing ──
    def insert(self, outcomes: Sequence[Outcome], rubric_id: str, year_end: tuple[int, int]) -> list[int | None]:
        """Record within the caller's transaction: each outcome's new record number, or None if already held; each
        community and year touched is settled afterwards."""
        scored_at = now()
        out = [self.add(o, rubric_id, scored_at) for o in outcomes]
        touched = {(o.community_id, o.year) for o, new in zip(outcomes, out, strict=True) if new}
        for community_id, year in sorted(touched, key=lambda t: (t[0], t[1] or 0)):
            if year is not None:
                settle(self.db, self.district, community_id, year, year_end)
        return out

    @contextmanager
    def batch(self, rubric_id: str, year_end: tuple[int, int]) -> Iterator[Batch]:
        """A run's records, spooled to a private file while its workbooks are read (the ledger stays unlocked and
        memory flat); `Batch.commit` records them in one short transaction. Left uncommitted, nothing is recorded."""
        batch = Batch(self, rubric_id, year_end)
        try:
            yield batch
        finally:
            batch.close()

    def add(self, o: Outcome, rubric_id: str, scored_at: str) -> int | None:
        """Insert one valid evaluation under its rubric version (the caller settles its community and year). The
        same file under the same version already held: None when that record stands; when another record had
        superseded it (re-scored under another version, and now back), it is scored again — its time renewed, so
        it stands again once settled — and its number is returned. A voided record stays void."""
        from greencli.adapters.ledger.rows import evaluation_row

        row = (self.district, *evaluation_row(o, rubric_id, scored_at))
        found = self.db.execute(
            f"INSERT INTO evaluations (district, {', '.join(EVALUATION_COLUMNS)}) VALUES ({', '.join('?' * len(row))})"
            f" ON CONFLICT ({ONE_PER_CONTENT}) DO UPDATE SET scored_at = excluded.scored_at"
            " WHERE evaluations.superseded_by IS NOT NULL AND evaluations.void_reason IS NULL RETURNING id",
            row,
        ).fetchone()
        return int(found[0]) if found is not None else None

    def settle(self, community_id: str, year: int, year_end: tuple[int, int]) -> None:
        """`settle` on this ledger, within the caller's transaction."""
        settle(self.db, self.district, community_id, year, year_end)

    def void(self, record: int, reason: str, year_end: tuple[int, int]) -> tuple[Outcome, Outcome | None]:
        """Mark an evaluation void (kept, with the reason and the day); the next valid one of that community and
        year becomes current. Returns the voided record and the one now current (if any)."""
        found = self.evaluations(record=record)
        if not found:
            raise LedgerError("record-missing", record=record)
        voided = found[0]
        if voided.stored.void_reason is not None:
            facts = voided.stored
            raise LedgerError("record-already-void", record=record, at=shown_time(facts.voided_at),
                              reason=facts.void_reason)  # fmt: skip
        year = voided.year
        assert year is not None  # a recorded evaluation has its year
        with self.transaction():
            self.db.execute("UPDATE evaluations SET void_reason = ?, voided_at = ? WHERE district = ? AND id = ?",
                            (reason, now(), self.district, record))  # fmt: skip
            settle(self.db, self.district, voided.community_id, year, year_end)
        current = self.evaluations(community_id=voided.community_id, year=year, current_only=True)
        return self.evaluations(record=record)[0], (current[0] if current else None)

    # ── reading ──
    def evaluations(
        self,
        *,
        community_id: str | None = None,
        year: int | None = None,
        current_only: bool = False,
        record: int | None = None,
        entries: bool = False,
        evidence: bool = False,
    ) -> list[Outcome]:
        """Evaluations, oldest first, each with its `record`; `current_only` leaves out superseded and voided ones;
        `entries` reads every value as entered too (for re-scoring), `evidence` the evidence files."""
        from greencli.adapters.ledger.rows import outcome_of

        clauses: list[str] = ["district = ?"]
        params: list[str | int] = [self.district]
        if community_id is not None:
            clauses.append(same_code(self.db))  # ZJ-01 and zj-01 are one community
            params.append(community_id)
        if year is not None:
            clauses.append("year = ?")
            params.append(year)
        if current_only:
            clauses.append(CURRENT)
        if record is not None:
            clauses.append("id = ?")
            params.append(record)
        where = f"WHERE {' AND '.join(clauses)}"
        columns = _READ + (", entries" if entries else ", NULL") + (", evidence" if evidence else ", NULL")
        rows = self.db.execute(
            f"SELECT {columns} FROM evaluations {where} ORDER BY year, community_id, scored_at, id", params
        )  # each row made into its outcome as it is fetched: never every row and every outcome at once
        return [outcome_of(row[:24], row[24], row[25]) for row in rows]

    def file_years(self) -> dict[str, int]:
        """file path → the 评审年度 of the evaluations recorded from it (the latest, should a path hold several)."""
        rows = self.db.execute(
            "SELECT file_path, MAX(year) FROM evaluations WHERE district = ? GROUP BY file_path", (self.district,)
        ).fetchall()
        return {r[0]: int(r[1]) for r in rows}

    def count(self) -> int:
        return int(
            self.db.execute("SELECT COUNT(*) FROM evaluations WHERE district = ?", (self.district,)).fetchone()[0]
        )

    def count_current(self, year: int) -> int:
        """How many evaluations of `year` are current (`evaluations(year=…, current_only=True)`, counted, not read)."""
        return int(
            self.db.execute(
                f"SELECT COUNT(*) FROM evaluations WHERE district = ? AND year = ? AND {CURRENT}", (self.district, year)
            ).fetchone()[0]
        )

    # ── invalid submissions (recorded by a Batch) ──
    def invalid_submissions(
        self, *, community_id: str | None = None, year: int | None = None
    ) -> list[InvalidSubmission]:
        from greencli.core.outcome import InvalidSubmission

        clauses: list[str] = ["district = ?"]
        params: list[object] = [self.district]
        if community_id is not None:
            clauses.append(same_code(self.db))
            params.append(community_id)
        if year is not None:
            clauses.append("year = ?")
            params.append(year)
        where = f"WHERE {' AND '.join(clauses)}"
        rows = self.db.execute(
            "SELECT community_id, community, subdistrict, year, file_path, file_sha256, first_error, errors, seen_at, id,"
            f" first_error_code FROM invalid_submissions {where} ORDER BY year, community_id, seen_at, id",
            params,
        ).fetchall()
        return [
            InvalidSubmission(code, name, sub, int(year), path, sha, first, int(errors), local_time(seen) or "", id_,
                              issue)
            for code, name, sub, year, path, sha, first, errors, seen, id_, issue in rows
        ]  # fmt: skip

    def outstanding_invalid(self) -> set[tuple[str, int]]:
        """(community, year) whose latest submission was invalid: no valid evaluation was scored after it."""
        rows = self.db.execute(
            "SELECT i.community_id, i.year FROM invalid_submissions i WHERE i.district = ?"
            " GROUP BY i.community_id, i.year"
            " HAVING MAX(i.seen_at) > COALESCE((SELECT MAX(e.scored_at) FROM evaluations e"
            " WHERE e.district = ? AND e.community_id = i.community_id AND e.year = i.year), '')",
            (self.district, self.district),
        ).fetchall()
        return {(r[0], int(r[1])) for r in rows}

    # ── the city's naming (confer) ──
    def confer(self, community_id: str, year: int, day: date, document: str) -> None:
        """Record the city's naming of a community's title of `year` (replacing an earlier record of it)."""
        with self.transaction():
            self.db.execute(
                "INSERT INTO conferrals (district, community_id, year, conferred_on, document, recorded_at)"
                f" VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT ({named_once(self.db)}) DO UPDATE SET"
                " community_id = excluded.community_id, conferred_on = excluded.conferred_on,"
                " document = excluded.document, recorded_at = excluded.recorded_at",
                (self.district, community_id, year, day.isoformat(), document, now()),
            )

    def conferrals(self, community_id: str | None = None) -> dict[tuple[str, int], Conferral]:
        """Every recorded naming, by (community code folded to one case, year)."""
        from greencli.core.outcome import Conferral

        where, params = (
            (f"WHERE district = ? AND {same_code(self.db)}", (self.district, community_id))
            if community_id
            else ("WHERE district = ?", (self.district,))
        )
        rows = self.db.execute(
            f"SELECT community_id, year, conferred_on, document, recorded_at FROM conferrals {where}"
            " ORDER BY year, community_id",
            params,
        ).fetchall()
        return {(r[0].casefold(), int(r[1])): Conferral(r[0], int(r[1]), date.fromisoformat(r[2]), r[3],
                                                        local_time(r[4]) or "")
                for r in rows}  # fmt: skip


class Batch:
    """The records of one run. They are written to a private spool as they arrive (SQLite: a scratch file attached
    to the ledger's connection; PostgreSQL: temporary tables of the run's own session) and moved into the ledger by
    `commit` in one short write transaction: the ledger is never locked while workbooks are read, and a run that
    stops before the commit leaves it untouched."""

    SPOOL = "greencli_spool"

    def __init__(self, ledger: Evaluations, rubric_id: str, year_end: tuple[int, int]) -> None:
        self.ledger = ledger
        self.rubric_id = rubric_id
        self.year_end = year_end  # the campaign's: an evaluation without a 评审日期 counts as made that day
        self.scored_at = now()
        self.committed: Recorded | None = None
        self.file: Path | None = None
        self.attached = False
        self.open = False
        self.spooled = 0
        self._pending: list[tuple[object, ...]] = []
        db = ledger.db
        if isinstance(db, PgConnection):
            for table, source, columns in (("evaluations", "evaluations", EVALUATION_COLUMNS),
                                           ("invalid", "invalid_submissions", INVALID_COLUMNS)):  # fmt: skip
                db.execute(
                    f"CREATE TEMPORARY TABLE {self.spool(table)} AS SELECT {', '.join(columns)} FROM {source} WHERE false"
                )
                db.execute(f"ALTER TABLE {self.spool(table)} ADD COLUMN rowid BIGSERIAL")  # the order rows came in
            return
        fd, name = tempfile.mkstemp(prefix=f"greencli-spool-{os.getpid()}-", suffix=".db")
        os.close(fd)
        self.file = Path(name)
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

    def spool(self, table: str) -> str:
        """The spool's table of that name (evaluations, invalid), as a statement names it."""
        return f"pg_temp.{self.SPOOL}_{table}" if isinstance(self.ledger.db, PgConnection) else f"{self.SPOOL}.{table}"

    @staticmethod
    def main(table: str, db: Database) -> str:
        """A ledger table as a statement beside the spool names it."""
        return table if isinstance(db, PgConnection) else f"main.{table}"

    @property
    def stamp(self) -> tuple[str, str]:
        """What every row of the batch carries besides the evaluation (`evaluation_row`'s rubric_id and scored_at),
        for the processes that prepare rows where they read the workbooks."""
        return self.rubric_id, self.scored_at

    def add_row(self, row: tuple[object, ...]) -> None:
        """A valid evaluation as `evaluation_row` gave it (under this batch's `stamp`), written with the next few
        hundred in one statement."""
        self._pending.append(row)
        self.spooled += 1
        if len(self._pending) >= SPOOL_CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            marks = ", ".join("?" * len(EVALUATION_COLUMNS))
            self.ledger.db.executemany(
                f"INSERT INTO {self.spool('evaluations')} ({', '.join(EVALUATION_COLUMNS)}) VALUES ({marks})",
                self._pending,
            )
            self._pending.clear()

    def add_invalid(self, s: InvalidSubmission) -> None:
        from greencli.adapters.ledger.rows import invalid_row

        self.ledger.db.execute(
            f"INSERT INTO {self.spool('invalid')} ({', '.join(INVALID_COLUMNS)})"
            f" VALUES ({', '.join('?' * len(INVALID_COLUMNS))})",
            invalid_row(s, self.scored_at),
        )

    def commit(self, *, then: Callable[[dict[str, Elsewhere]], None] | None = None) -> Recorded:
        """Record the spooled batch in one transaction (evaluations the ledger already holds are counted, not
        recorded again; each community and year touched is settled). `then` runs inside the transaction, after the
        records are in, told which of the batch's workbooks do not stand: if it raises, nothing is recorded."""
        db = self.ledger.db
        self._flush()
        if self.open:
            db.execute("COMMIT")  # the spool's own rows; the ledger itself is not touched yet
            self.open = False
        spool, evaluations = self.spool("evaluations"), self.main("evaluations", db)
        columns = ", ".join(EVALUATION_COLUMNS)
        with self.ledger.transaction():
            # A file already held is not recorded again, whatever version it was scored under this time (a workbook
            # without a stamp is read under the newest version): only rescore records a file under another version.
            district = self.ledger.district
            new = db.execute(
                f"INSERT INTO {evaluations} (district, {columns}) SELECT ?, {columns} FROM {spool} s WHERE NOT EXISTS"
                f" (SELECT 1 FROM {evaluations} e WHERE e.district = ? AND e.community_id = s.community_id"
                " AND e.year = s.year AND e.file_sha256 = s.file_sha256 AND e.evidence_sha256 = s.evidence_sha256)"
                f" ORDER BY rowid ON CONFLICT ({ONE_PER_CONTENT}) DO NOTHING",
                (district, district),
            ).rowcount
            touched = db.execute(f"SELECT DISTINCT s.community_id, s.year FROM {spool} s ORDER BY 1, 2").fetchall()
            for community_id, year in touched:
                settle(db, district, community_id, int(year), self.year_end)
            invalid = ", ".join(INVALID_COLUMNS)
            db.execute(
                f"INSERT INTO {self.main('invalid_submissions', db)} (district, {invalid}) SELECT ?, {invalid}"
                f" FROM {self.spool('invalid')} WHERE true"
                f" ORDER BY rowid ON CONFLICT ({SUBMITTED_ONCE}) DO NOTHING",
                (district,),
            )
            elsewhere = self._elsewhere()
            if then is not None:
                then(elsewhere)
        self.committed = Recorded(new, self.spooled - new, elsewhere)
        return self.committed

    def _elsewhere(self) -> dict[str, Elsewhere]:
        """The batch's evaluations that are not current because of a record from outside the batch (a workbook of
        the batch superseded by another of the batch is the batch's own business, and already said)."""
        db = self.ledger.db
        spool, evaluations = self.spool("evaluations"), self.main("evaluations", db)
        rows = db.execute(
            f"SELECT s.file_sha256, e.id, e.void_reason, w.id, w.review_date, e.year FROM {spool} s"
            f" JOIN {evaluations} e ON e.district = ? AND e.community_id = s.community_id AND e.year = s.year"
            " AND e.file_sha256 = s.file_sha256 AND e.evidence_sha256 = s.evidence_sha256"
            f" LEFT JOIN {evaluations} w ON w.id = e.superseded_by"
            " WHERE (e.void_reason IS NOT NULL OR e.superseded_by IS NOT NULL) AND NOT EXISTS ("
            f"  SELECT 1 FROM {spool} t WHERE t.community_id = w.community_id AND t.year = w.year"
            "   AND t.file_sha256 = w.file_sha256 AND t.evidence_sha256 = w.evidence_sha256)",
            (self.ledger.district,),
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
        if isinstance(db, PgConnection):
            with suppress(Exception):  # a connection already broken drops its temporary tables itself
                for table in ("evaluations", "invalid"):
                    db.execute(f"DROP TABLE IF EXISTS {self.spool(table)}")
            return
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
            if self.file is not None:
                for leftover in (self.file, self.file.with_name(self.file.name + "-journal")):
                    with suppress(OSError):
                        leftover.unlink()
