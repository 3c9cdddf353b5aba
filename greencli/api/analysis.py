"""The public Python API, for the people who analyse the campaign.

    import greencli
    rubric = greencli.load_rubric()
    outcome = greencli.assess_workbook("收件箱/ZJ-01_珠江社区.xlsx")
    with greencli.open_ledger("greencli.db") as ledger:
        results = ledger.evaluations(2022)              # a pandas DataFrame, one row per evaluation
        items = ledger.item_scores(2022)                # one row per community and item
        standing = ledger.standings(2022, "社区名单.xlsx")  # every community at the end of the year

Everything the command line does is built on the same functions; pandas is imported only here, when a DataFrame
is asked for (the command line never imports it).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from greencli.adapters.ledger import Ledger, ledger_at
from greencli.adapters.roster import read_roster
from greencli.adapters.rubric_file import load_rubric as _load_rubric
from greencli.adapters.rubric_file import load_standards
from greencli.core.errors import GreencliError
from greencli.core.outcome import Outcome
from greencli.core.roster import Community, Rosters
from greencli.core.rubric import Rubric, Standards
from greencli.jobs.export import DataTable, evaluations_table, items_table, standings_table
from greencli.jobs.pipeline import assess_file

if TYPE_CHECKING:
    import pandas

__all__ = ["LedgerView", "Outcome", "Rubric", "assess_workbook", "load_rubric", "open_ledger"]


def load_rubric(path: str | Path | None = None) -> Rubric:
    """The scoring standard: the bundled one, or the TOML file at `path`."""
    return _load_rubric(Path(path) if path is not None else None)


def assess_workbook(
    path: str | Path, rubric: Rubric | None = None, roster: str | Path | Sequence[Community] | None = None
) -> Outcome:
    """Read, validate and score one workbook, exactly as `greencli score` does (under the version stamped in it,
    or under `rubric` when given); nothing is recorded."""
    standards = Standards.of([rubric]) if rubric is not None else load_standards()
    return assess_file(Path(path), standards, Rosters.of(_roster(roster)), date.today().year + 1)


def _roster(roster: str | Path | Sequence[Community] | None) -> Sequence[Community] | None:
    if roster is None or (isinstance(roster, Sequence) and not isinstance(roster, str)):
        return roster
    return read_roster(Path(roster))


def _frame(table: DataTable) -> pandas.DataFrame:
    try:
        import pandas
    except ImportError as exc:
        raise GreencliError("pandas-missing") from exc
    return pandas.DataFrame(list(table.rows), columns=list(table.columns))


class LedgerView:
    """A ledger opened for reading: the year's evaluations, item scores and standings as DataFrames."""

    def __init__(self, ledger: Ledger, rubric: Rubric) -> None:
        self._ledger, self.rubric = ledger, rubric

    def records(self, year: int | None = None, current_only: bool = False) -> list[Outcome]:
        """The stored evaluations themselves, each an `Outcome` with the ledger's facts about it in `record`."""
        return self._ledger.evaluations(year=year, current_only=current_only)

    def evaluations(self, year: int | None = None, current_only: bool = True) -> pandas.DataFrame:
        """One row per evaluation (current ones only, unless `current_only=False`)."""
        return _frame(evaluations_table(self.rubric, self.records(year, current_only)))

    def item_scores(self, year: int | None = None) -> pandas.DataFrame:
        """One row per current evaluation and item: points, score and points lost."""
        return _frame(items_table(self.rubric, self.records(year, current_only=True)))

    def standings(self, year: int, roster: str | Path | Sequence[Community]) -> pandas.DataFrame:
        """Every community of the roster at the end of `year`: status, latest total, eligibility."""
        communities = _roster(roster)
        assert communities is not None
        return _frame(standings_table(self.rubric, communities, self._ledger, year))


@contextmanager
def open_ledger(
    path: str | Path = "greencli.db", rubric: Rubric | None = None, district: str | None = None
) -> Iterator[LedgerView]:
    """The ledger at `path` (an SQLite file, or a postgresql:// URL with the `district` to read), for reading (it
    must exist)."""
    with Ledger.open(ledger_at(path, district), create=False, write=False) as ledger:
        yield LedgerView(ledger, rubric or load_rubric())
