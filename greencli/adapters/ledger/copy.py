"""`ledger copy`: an office's SQLite ledger into a shared one, as one of its districts, idempotently (a second copy
adds nothing). Each row goes in under the district named; what the shared ledger already holds of it is counted,
not added again; each community and year copied is settled by the one rule every ledger settles by, so the shared
ledger then gives what the file gave."""

from __future__ import annotations

from dataclasses import dataclass

from greencli.adapters.ledger.evaluations import (
    EVALUATION_COLUMNS,
    INVALID_COLUMNS,
    ONE_PER_CONTENT,
    SUBMITTED_ONCE,
    named_once,
    settle,
)
from greencli.adapters.ledger.rosters import keep_roster
from greencli.adapters.ledger.schema import Connected
from greencli.core.roster import Community

# Besides EVALUATION_COLUMNS, what an evaluation's history keeps: a voiding, with its reason and day.
_VOID = ("void_reason", "voided_at")
_FILES = ("path", "size", "mtime_ns", "sha256", "valid", "outcome", "seen_at", "evidence_stamp")
_OUTPUTS = ("path", "fingerprint", "size", "mtime_ns", "written_at")
_CONFERRALS = ("community_id", "year", "conferred_on", "document", "recorded_at")


@dataclass(frozen=True)
class Copied:
    """One table's rows: how many the copy added, and how many the shared ledger already held."""

    added: int
    already: int


def copy_ledger(source: Connected, target: Connected, year_end: tuple[int, int]) -> dict[str, Copied]:
    """Copy every row of `source` (an SQLite ledger, its one district) into `target`'s district, inside the
    caller's transaction on `target`. Returns, per table, what was added and what was already there."""
    into = target.district
    out: dict[str, Copied] = {}

    columns = (*EVALUATION_COLUMNS, *_VOID)
    rows = source.db.execute(f"SELECT {', '.join(columns)} FROM evaluations ORDER BY id").fetchall()
    marks = ", ".join("?" * (len(columns) + 1))
    added = 0
    for row in rows:
        added += target.db.execute(
            f"INSERT INTO evaluations (district, {', '.join(columns)}) VALUES ({marks})"
            f" ON CONFLICT ({ONE_PER_CONTENT}) DO NOTHING",
            (into, *row),
        ).rowcount
    out["evaluations"] = Copied(added, len(rows) - added)
    touched = sorted({(str(r[0]), int(r[3])) for r in rows})
    for community_id, year in touched:
        settle(target.db, into, community_id, year, year_end)

    invalid = source.db.execute(f"SELECT {', '.join(INVALID_COLUMNS)} FROM invalid_submissions ORDER BY id").fetchall()
    out["invalid_submissions"] = _insert(target, "invalid_submissions", INVALID_COLUMNS, invalid, SUBMITTED_ONCE)
    named = source.db.execute(f"SELECT {', '.join(_CONFERRALS)} FROM conferrals ORDER BY id").fetchall()
    out["conferrals"] = _insert(target, "conferrals", _CONFERRALS, named, named_once(target.db))
    files = source.db.execute(f"SELECT {', '.join(_FILES)} FROM files ORDER BY path").fetchall()
    out["files"] = _insert(target, "files", _FILES, files, target.keyed("path"))
    outputs = source.db.execute(f"SELECT {', '.join(_OUTPUTS)} FROM outputs ORDER BY path").fetchall()
    out["outputs"] = _insert(target, "outputs", _OUTPUTS, outputs, target.keyed("path"))

    kept_before = {int(r[0]) for r in target.db.execute("SELECT year FROM rosters WHERE district = ?", (into,))}
    sources = {int(r[0]): str(r[1]) for r in source.db.execute("SELECT year, source FROM rosters")}
    by_year: dict[int, list[Community]] = {}
    for year, code, name, subdistrict, kind in source.db.execute(
        "SELECT year, code, name, subdistrict, kind FROM roster_communities ORDER BY year, position"
    ):
        by_year.setdefault(int(year), []).append(Community(str(code), str(name), str(subdistrict), str(kind)))
    added = 0
    for year, source_path in sorted(sources.items()):
        if year in kept_before:  # the shared ledger's own roster of that year stands
            continue
        keep_roster(target.db, into, year, by_year.get(year, []), source_path)
        added += 1
    out["rosters"] = Copied(added, len(sources) - added)
    return out


def _insert(
    target: Connected, table: str, columns: tuple[str, ...], rows: list[tuple[object, ...]], key: str
) -> Copied:
    marks = ", ".join("?" * (len(columns) + 1))
    added = 0
    for row in rows:
        added += target.db.execute(
            f"INSERT INTO {table} (district, {', '.join(columns)}) VALUES ({marks}) ON CONFLICT ({key}) DO NOTHING",
            (target.district, *row),
        ).rowcount
    return Copied(added, len(rows) - added)
