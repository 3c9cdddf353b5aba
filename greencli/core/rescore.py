"""Re-scoring recorded entries under another version of the standard, or saying exactly why they cannot be.

A row of the target version takes the recorded value of the same code when its kind is the same in both versions,
or of the code the versions' data maps it to ([rescore."2021.1"] in the newer file, read either way). Any other row
the target needs — new, or of another kind without a mapping — was never recorded: that community is reported with
those codes, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from greencli.core import layout as L
from greencli.core.assess import assess
from greencli.core.model import CompoundEntry, Entries, Evaluation, Field, JsonObject, JsonValue
from greencli.core.rubric import Rubric
from greencli.core.values import Raw


@dataclass(frozen=True)
class Rescored:
    evaluation: Evaluation | None  # None: it cannot be re-scored under the target
    missing: tuple[tuple[str, str], ...] = ()  # (code, why) the target needs and the record cannot give


def _mapping(source: Rubric, target: Rubric) -> dict[str, str]:
    """target code → source code, from whichever version's data declares it."""
    if source.version in target.maps:
        return dict(target.maps[source.version])
    return {there: here for here, there in source.maps.get(target.version, {}).items()}  # read the other way


def _raw(value: JsonValue) -> Raw:
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def rescore(recorded: JsonObject, source: Rubric, target: Rubric, year: int, review: date | None) -> Rescored:
    """The recorded entries (as the ledger keeps them) scored under `target`, or what stands in the way."""
    values = recorded.get("values")
    evidence = recorded.get("evidence")
    info = recorded.get("info")
    compounds = recorded.get("compounds")
    old_values = values if isinstance(values, dict) else {}
    mapping = _mapping(source, target)
    new_values: dict[str, Field] = {}
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
        new_values[code] = Field(_raw(old_values[old_code]), L.SCORE_SHEET, None)
    if missing:
        return Rescored(None, tuple(missing))
    notes = evidence if isinstance(evidence, dict) else {}
    rows = compounds if isinstance(compounds, list) else []
    compound_entries = [
        CompoundEntry(n, *(Field(_raw(v), L.COMPOUND_SHEET, None) for v in (row if isinstance(row, list) else [])))
        for n, row in enumerate(rows, start=2)
    ]
    fields: Mapping[str, Field] = {
        k: Field(_raw(v), L.INFO_SHEET, None) for k, v in (info if isinstance(info, dict) else {}).items()
    }
    if target.review_date_required and not fields.get(L.REVIEW_DATE, Field()).value:
        # a record without 评审日期 counts as dated 31 December of its year (standard.md)
        fields = {**fields, L.REVIEW_DATE: Field((review or date(year, 12, 31)).isoformat(), L.INFO_SHEET, None)}
    entries = Entries(
        values=new_values,
        evidence={k: Field(_raw(v), L.SCORE_SHEET, None) for k, v in notes.items()},
        compounds=compound_entries,
    )
    assessed = assess(target, fields, entries, {}, (), year + 1)
    return Rescored(assessed.evaluation)
