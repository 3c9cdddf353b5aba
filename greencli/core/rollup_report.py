"""What one `greencli rollup` found and did.

In a module of its own, not with the other reports in `core.reports`: an unchanged nightly re-run imports only
this, never the reports' many classes it has no use for (start-up is most of such a run).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from greencli.core.model import JsonObject  # the model itself is not loaded for a type


@dataclass(frozen=True)
class RollupReport:
    """What one rollup found and did: `--json` prints it, the one-line summary and the exit code come from it."""

    year: int
    year_source: str  # option | inbox | today
    found: int
    new: int
    changed: int
    unchanged: int
    invalid: int
    skipped: int
    recorded: int
    removed: int
    communities: int
    other_year: int
    out: str
    db: str
    duration_seconds: float

    @property
    def exit_code(self) -> int:
        return 1 if self.invalid else 0

    def to_json(self) -> JsonObject:
        return {
            "found": self.found, "new": self.new, "changed": self.changed, "unchanged": self.unchanged,
            "invalid": self.invalid, "skipped": self.skipped, "recorded": self.recorded, "removed": self.removed,
            "year": self.year, "communities": self.communities, "out": self.out, "db": self.db,
            "duration_seconds": self.duration_seconds, "year_source": self.year_source,
            "other_year": self.other_year, "exit_code": self.exit_code,
        }  # fmt: skip
