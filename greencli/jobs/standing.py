"""The campaign's standing read from the ledger: one place for progress, the rollup's sheets, export and notices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from greencli.adapters.ledger import Ledger
from greencli.core.listings import Listing, listings
from greencli.core.progress import Progress, currents, progress
from greencli.core.roster import Community
from greencli.core.rubric import Rubric


def ledger_standing(
    ledger: Ledger, rubric: Rubric, roster: Sequence[Community], year: int, as_of: date | None = None
) -> Progress:
    """Every community's standing at the end of `year` from the ledger's current evaluations and its record of
    invalid submissions."""
    return YearStanding.read(ledger, rubric, roster, year, as_of).current


@dataclass(frozen=True)
class YearStanding:
    """The standing at the end of a year and of the year before (which the 应复审名单 is drawn from)."""

    current: Progress
    previous: Progress
    rubric: Rubric

    @classmethod
    def read(
        cls, ledger: Ledger, rubric: Rubric, roster: Sequence[Community], year: int, as_of: date | None = None
    ) -> YearStanding:
        evaluations = currents(s.outcome for s in ledger.evaluations(current_only=True))
        invalid = ledger.outstanding_invalid()
        conferred = {key: c.day for key, c in ledger.conferrals().items()}
        now = progress(rubric, roster, evaluations, year, invalid, as_of, conferred)
        before = progress(rubric, roster, evaluations, year - 1, invalid, None, conferred)
        return cls(now, before, rubric)

    @property
    def lists(self) -> list[Listing]:
        return listings(self.current, self.previous, self.rubric)
