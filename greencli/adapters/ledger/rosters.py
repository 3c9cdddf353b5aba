"""The rosters the ledger keeps, one per year (migration 10): what a command given a roster for a year stores, and
what a later command for that year, given none, works with."""

from __future__ import annotations

from collections.abc import Sequence

from greencli.adapters.ledger.schema import Connected, Database, keyed, local_time, now
from greencli.core.roster import Community, KeptRoster, Rosters


class RosterBook(Connected):
    def rosters(self) -> Rosters:
        """Every roster kept, by year."""
        by_year: dict[int, list[Community]] = {}
        for year, code, name, subdistrict, kind in self.db.execute(
            "SELECT year, code, name, subdistrict, kind FROM roster_communities WHERE district = ?"
            " ORDER BY year, position",
            (self.district,),
        ):
            by_year.setdefault(int(year), []).append(Community(code, name, subdistrict, kind))
        return Rosters({year: tuple(communities) for year, communities in by_year.items()})

    def roster_stamps(self) -> list[tuple[int, str, str]]:
        """Each kept roster's year, source and time of keeping: what changes whenever a roster is kept, told
        without reading the communities."""
        rows = self.db.execute(
            "SELECT year, source, stored_at FROM rosters WHERE district = ? ORDER BY year", (self.district,)
        )
        return [(int(year), str(source), str(stored_at)) for year, source, stored_at in rows]

    def kept_rosters(self) -> list[KeptRoster]:
        """Every roster kept, oldest year first, with where each came from."""
        rosters = self.rosters()
        return [
            KeptRoster(year, source, local_time(stored_at) or "", rosters.by_year.get(year, ()))
            for year, source, stored_at in self.roster_stamps()
        ]

    def keep_roster(self, year: int, communities: Sequence[Community], source: str) -> bool:
        """`keep_roster` on this ledger's connection, in the caller's transaction."""
        return keep_roster(self.db, self.district, year, communities, source)


def keep_roster(db: Database, district: str, year: int, communities: Sequence[Community], source: str) -> bool:
    """Keep `communities` as the district's roster of `year`, replacing one kept for it before, in the caller's
    transaction. The same roster again changes nothing (its source and time stay those of the first time). Returns
    whether anything changed."""
    rows = db.execute(
        "SELECT code, name, subdistrict, kind FROM roster_communities WHERE district = ? AND year = ? ORDER BY position",
        (district, year),
    ).fetchall()
    known = db.execute("SELECT 1 FROM rosters WHERE district = ? AND year = ?", (district, year)).fetchone()
    if known is not None and tuple(Community(*row) for row in rows) == tuple(communities):
        return False
    db.execute("DELETE FROM roster_communities WHERE district = ? AND year = ?", (district, year))
    db.execute(
        f"INSERT INTO rosters (district, year, source, stored_at) VALUES (?, ?, ?, ?) ON CONFLICT ({keyed(db, 'year')})"
        " DO UPDATE SET source = excluded.source, stored_at = excluded.stored_at",
        (district, year, source, now()),
    )
    db.executemany(
        "INSERT INTO roster_communities (district, year, position, code, name, subdistrict, kind)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(district, year, n, c.code, c.name, c.subdistrict, c.kind) for n, c in enumerate(communities)],
    )
    return True
