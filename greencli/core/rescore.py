"""Re-scoring recorded entries under another version of the standard, or saying exactly why they cannot be.

A row of the target version takes the recorded value of the same code when its kind is the same in both versions,
or of the code the versions' data maps it to ([rescore."2021.1"] in the newer file, read either way). Any other row
the target needs — new, or of another kind without a mapping — was never recorded: that community is reported with
those codes, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from greencli.core import layout as L
from greencli.core.assess import assess
from greencli.core.model import Entered, Evaluation, Field, RecordedEntries
from greencli.core.rubric import Rubric


@dataclass(frozen=True)
class Rescored:
    """An evaluation re-scored under another version, or None with the codes it needs that the record lacks."""

    evaluation: Evaluation | None  # None: it cannot be re-scored under the target
    missing: tuple[tuple[str, str], ...] = ()  # (code, why) the target needs and the record cannot give


def _mapping(source: Rubric, target: Rubric) -> dict[str, str]:
    """target code → source code, from whichever version's data declares it."""
    if source.version in target.maps:
        return dict(target.maps[source.version])
    return {there: here for here, there in source.maps.get(target.version, {}).items()}  # read the other way


def rescore(recorded: RecordedEntries, source: Rubric, target: Rubric, year: int, review: date | None) -> Rescored:
    """The recorded entries scored under `target`, or what stands in the way. `review` is the evaluation's 评审日期
    as recorded (parsed once, when it was scored); a record without one counts as dated 31 December of its year
    (standard.md) where the target requires it."""
    old_values = recorded.values
    mapping = _mapping(source, target)
    new_values: dict[str, Entered] = {}
    missing: list[tuple[str, str]] = []
    entered = [r for r in target.rows() if r.entered]
    codes = [*(r.code for r in entered), target.bonus.code, *(v.code for v in target.vetoes if v.entered)]
    for code in codes:
        old_code = mapping.get(code, code)
        here, there = target.kind_of(code), source.kind_of(old_code)
        same_kind = code in mapping or here == there or (here is None and old_code in old_values)
        if old_code not in old_values or not same_kind:
            why = "本版本新增" if there is None and here is not None else "评分方式不同，且没有对应关系"
            missing.append((code, why))
            continue
        new_values[code] = old_values[old_code]
    if missing:
        return Rescored(None, tuple(missing))
    fields = recorded.info_fields()
    dated = review if review is not None or not target.review_date_required else target.campaign.end_of(year)
    if dated is not None:
        fields[L.REVIEW_DATE] = Field(dated, L.INFO_SHEET, None)
    assessed = assess(target, fields, recorded.entries(new_values), {}, (), year + 1)
    return Rescored(assessed.evaluation)
