"""The rollup's memory of its inbox and of what it wrote: the `files` table (each workbook as it was when last read,
an invalid one with its outcome) and the `outputs` table (the fingerprint of each workbook a rollup wrote), so an
unchanged inbox is neither read nor written again."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from greencli.adapters.ledger.schema import Connected, now

if TYPE_CHECKING:
    from greencli.core.outcome import Outcome


class KnownFile(NamedTuple):
    """A file a rollup has seen in its inbox: how it was when last read, and, if invalid, what was wrong. A tuple,
    not a dataclass: a rollup makes one for every file of its inbox on every run, and a tuple is made in a third of
    the time."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    valid: bool
    outcome: Outcome | None  # kept for an invalid file only (a valid one is an evaluation)
    evidence_stamp: str = ""  # its evidence folder's listing when it was read ('' without one; evidence_folder)


def _invalid_outcome(text: str) -> Outcome:
    """An invalid file's outcome as the cache keeps it (the outcome model is loaded only when there is one)."""
    from greencli.core.outcome import Outcome

    return Outcome.from_dict(json.loads(text))


class FileCache(Connected):
    """The rollup's file cache and output fingerprints (a part of `Ledger`)."""

    def known_files(self) -> dict[str, KnownFile]:
        """Every file a rollup has seen, by path."""
        rows = self.db.execute(
            "SELECT path, size, mtime_ns, sha256, valid, outcome, evidence_stamp FROM files WHERE district = ?",
            (self.district,),
        ).fetchall()
        return {
            r[0]: KnownFile(r[0], r[1], r[2], r[3], bool(r[4]), None if r[4] else _invalid_outcome(r[5]), r[6])
            for r in rows
        }  # fmt: skip

    def remember_files(self, files: Sequence[KnownFile]) -> None:
        """Within the caller's transaction."""
        self.db.executemany(
            "INSERT INTO files (district, path, size, mtime_ns, sha256, valid, outcome, seen_at, evidence_stamp)"
            f" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT ({self.keyed('path')}) DO UPDATE SET size = excluded.size,"
            " mtime_ns = excluded.mtime_ns, sha256 = excluded.sha256, valid = excluded.valid,"
            " outcome = excluded.outcome, seen_at = excluded.seen_at, evidence_stamp = excluded.evidence_stamp",
            [(self.district, f.path, f.size, f.mtime_ns, f.sha256, int(f.valid),
              json.dumps(f.outcome.to_dict() if f.outcome else {}, ensure_ascii=False, sort_keys=True), now(),
              f.evidence_stamp)
             for f in files],
        )  # fmt: skip

    def forget_files(self, paths: Sequence[str]) -> None:
        self.db.executemany("DELETE FROM files WHERE district = ? AND path = ?", [(self.district, p) for p in paths])

    def output_unchanged(self, path: Path, fingerprint: str) -> bool:
        """Whether `path` is still exactly the workbook written from `fingerprint` (nobody replaced it since)."""
        row = self.db.execute(
            "SELECT fingerprint, size, mtime_ns FROM outputs WHERE district = ? AND path = ?",
            (self.district, str(path)),
        ).fetchone()
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
            "INSERT INTO outputs (district, path, fingerprint, size, mtime_ns, written_at) VALUES (?, ?, ?, ?, ?, ?)"
            f" ON CONFLICT ({self.keyed('path')}) DO UPDATE SET fingerprint = excluded.fingerprint,"
            " size = excluded.size, mtime_ns = excluded.mtime_ns, written_at = excluded.written_at",
            (self.district, str(path), fingerprint, st.st_size, st.st_mtime_ns, now()),
        )

    def output_paths(self) -> set[str]:
        """Every workbook a rollup wrote (absolute paths as recorded)."""
        return {row[0] for row in self.db.execute("SELECT path FROM outputs WHERE district = ?", (self.district,))}
