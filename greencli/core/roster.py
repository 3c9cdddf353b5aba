"""Communities of the district as the roster lists them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

URBAN = "城市社区"
RURAL = ("村", "农村社区")  # listed, never counted toward the targets
KINDS = (URBAN, *RURAL)


@dataclass(frozen=True, slots=True)
class Community:
    """One community of the roster: its code, name, 乡街 and kind."""

    code: str
    name: str
    subdistrict: str
    kind: str

    @property
    def urban(self) -> bool:
        """Only urban communities count toward the targets; villages (村) are listed but never counted."""
        return self.kind == URBAN


@dataclass(frozen=True)
class KeptRoster:
    """A roster as a ledger keeps it for a year: where it was read from and when it was stored."""

    year: int
    source: str  # the file, as the command was given it ("" when given through the Python API)
    stored_at: str  # local time, as the ledger gives times out
    communities: tuple[Community, ...]

    @property
    def urban(self) -> int:
        return sum(1 for c in self.communities if c.urban)


@dataclass(frozen=True)
class Rosters:
    """The communities of the district, year by year. A ledger keeps the roster given for each year (`by_year`): a
    command for year Y uses Y's, else the latest kept for a year before Y, else none, so a merger or a rename in a
    later year leaves the earlier years as they were. A roster given to a command (`given`) stands for every year
    that command works on."""

    by_year: Mapping[int, tuple[Community, ...]] = field(default_factory=dict)
    given: tuple[Community, ...] | None = None
    source: str = ""  # the file the given roster was read from, as the command was given it
    _indexes: dict[int | None, Mapping[str, Community] | None] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, communities: Sequence[Community] | None, source: str = "") -> Rosters | None:
        """The roster a command was given (read from `source`), for every year; None when it was given none."""
        return None if communities is None else cls(given=tuple(communities), source=source)

    def source_year(self, year: int | None) -> int | None:
        """The year whose kept roster serves `year` (None: a given roster, or none kept for it)."""
        if self.given is not None or year is None:
            return None
        earlier = [kept for kept in self.by_year if kept <= year]
        return max(earlier) if earlier else None

    def for_year(self, year: int | None) -> tuple[Community, ...] | None:
        """The communities of `year`: the given roster, else the one kept for it or for the latest year before."""
        if self.given is not None:
            return self.given
        kept = self.source_year(year)
        return None if kept is None else self.by_year[kept]

    def index(self, year: int | None) -> Mapping[str, Community] | None:
        """`for_year` by 社区编码 (made once per year)."""
        if year not in self._indexes:
            communities = self.for_year(year)
            self._indexes[year] = None if communities is None else {c.code: c for c in communities}
        return self._indexes[year]
