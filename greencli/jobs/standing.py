"""The campaign's standing read from the ledger: one place for progress, the rollup's sheets and export."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from greencli.adapters.ledger import Ledger
from greencli.core.progress import Progress, currents, progress
from greencli.core.roster import Community
from greencli.core.rubric import Rubric


def ledger_standing(
    ledger: Ledger, rubric: Rubric, roster: Sequence[Community], year: int, as_of: date | None = None
) -> Progress:
    """Every community's standing at the end of `year` from the ledger's current evaluations and its record of
    invalid submissions."""
    evaluations = currents(s.outcome for s in ledger.evaluations(current_only=True))
    return progress(rubric, roster, evaluations, year, ledger.outstanding_invalid(), as_of)
