"""The campaign's standing read from the ledger: one place for progress, the rollup's sheets, export and notices."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from greencli.adapters.ledger import Evaluations, Ledger, LedgerAt, ledger_at
from greencli.core.errors import GreencliError
from greencli.core.listings import Listing, listings
from greencli.core.progress import Current, Progress, currents, progress
from greencli.core.roster import Community
from greencli.core.rubric import Rubric


class NeedsRoster(GreencliError):
    """The targets count urban communities of the roster; without it there is no denominator (exit code 2)."""


def ledger_standing(
    ledger: Evaluations, rubric: Rubric, roster: Sequence[Community], year: int, as_of: date | None = None
) -> Progress:
    """Every community's standing at the end of `year` from the ledger's current evaluations and its record of
    invalid submissions."""
    return YearStanding.read(ledger, rubric, roster, year, as_of).current


@dataclass(frozen=True)
class YearStanding:
    """The standing at the end of a year; the year before's (which the 应复审名单 is drawn from) only when asked."""

    current: Progress
    rubric: Rubric
    roster: Sequence[Community]
    evaluations: Sequence[Current]
    invalid: Collection[tuple[str, int]]
    named: Mapping[tuple[str, int], date]

    @classmethod
    def read(
        cls, ledger: Evaluations, rubric: Rubric, roster: Sequence[Community], year: int, as_of: date | None = None
    ) -> YearStanding:
        evaluations = currents(ledger.evaluations(current_only=True))
        invalid = ledger.outstanding_invalid()
        named = {key: c.day for key, c in ledger.conferrals().items()}
        now = progress(rubric, roster, evaluations, year, invalid, as_of, named)
        return cls(now, rubric, roster, evaluations, invalid, named)

    @classmethod
    def load(
        cls, rubric: Rubric, year: int, roster: Sequence[Community] | None, db: LedgerAt | None, as_of: date | None,
        purpose: str,
    ) -> YearStanding:  # fmt: skip
        """`read` for a command: the roster is required (its urban communities are the denominator) and `as_of`
        may not precede the year; `purpose` says what the roster is needed for."""
        if roster is None:
            raise NeedsRoster("roster-needed", purpose=purpose, year=year)
        if as_of is not None and as_of < date(year, 1, 1):
            raise GreencliError("as-of-before-year", date=as_of.isoformat(), year=year)
        with Ledger.open(ledger_at(db), create=False, write=False) as ledger:
            return cls.read(ledger, rubric, roster, year, as_of)

    @cached_property
    def previous(self) -> Progress:
        year = self.current.year - 1
        return progress(self.rubric, self.roster, self.evaluations, year, self.invalid, None, self.named)

    @property
    def lists(self) -> list[Listing]:
        return listings(self.current, self.previous, self.rubric)
