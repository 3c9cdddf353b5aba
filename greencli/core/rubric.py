"""The scoring standard as typed data, built from the rubric file and checked as a whole on load.

Nothing here knows the numbers of any particular standard: they all come from the data file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from greencli.core.errors import GreencliError, Problem
from greencli.core.kinds import KINDS, RowKind, hint

if TYPE_CHECKING:
    from greencli.core.model import JsonObject  # the model itself is not loaded for a type

__all__ = ["RowKind"]  # the kinds are registered in greencli.core.kinds; importable from here as before


class RubricError(GreencliError):
    """The rubric file cannot be used (code rubric-invalid): `parts` lists every reason at once, each a Problem
    with its code (rubric-…); `problems` their Chinese texts."""

    default_code = "rubric-invalid"

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = [p.message for p in problems]
        super().__init__(source=source, problems=list(problems))


@dataclass(frozen=True, slots=True)
class Row:
    """One entry of the 评分表: what the inspector enters and how it counts toward its item."""

    code: str
    item: int
    kind: RowKind
    label: str
    points: Decimal = Decimal(0)
    per: Decimal | None = None
    min_nonzero: Decimal | None = None
    unit: str = ""
    valid_min: Decimal | None = None
    valid_max: Decimal | None = None
    at_least: Decimal | None = None
    at_most: Decimal | None = None
    rule: str = ""
    shortfall_step: Decimal | None = None
    per_step: Decimal | None = None
    above: Decimal | None = None
    warn_na: str = ""
    # a fact: the discretionary row it stands beside, and the range in which that row should get full marks
    checks: str = ""
    expect_min: Decimal | None = None
    expect_max: Decimal | None = None

    def hint(self, step: Decimal) -> str:
        """What the inspector is told to enter in this row (scores in multiples of the rubric's `step`)."""
        return hint(self.kind, self, step)

    @property
    def entered(self) -> bool:
        """Whether a person types a value for this row."""
        return KINDS[self.kind].entered


@dataclass(frozen=True, slots=True)
class Item:
    """One of the standard's numbered items: its category, content, points, criteria, methods and units."""

    number: int
    category: int
    content: str
    points: Decimal
    criteria: str
    methods: tuple[str, ...]
    responsible: tuple[str, ...]
    supervisors: tuple[str, ...]
    rows: tuple[Row, ...]
    # the 不适用 row and the others, told apart once: every workbook's scoring asks for them
    na_row: Row | None = field(init=False, repr=False, compare=False)
    scored_rows: tuple[Row, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "na_row", next((r for r in self.rows if r.kind is RowKind.NA), None))
        object.__setattr__(self, "scored_rows", tuple(r for r in self.rows if r.kind is not RowKind.NA))


@dataclass(frozen=True, slots=True)
class Category:
    """One of the standard's categories of items, with the points it carries."""

    number: int
    name: str
    points: Decimal


@dataclass(frozen=True, slots=True)
class Bonus:
    """The bonus item (加分项): what it rewards, its cap, methods and units."""

    code: str
    label: str
    content: str
    criteria: str
    max: Decimal
    methods: tuple[str, ...]
    responsible: tuple[str, ...]
    supervisors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Veto:
    """A veto item (否决项): what it checks, whether it is entered or derived, methods and units."""

    code: str
    name: str
    criteria: str
    kind: str  # "count" (entered) or "derived" (from the 小区 sheet)
    label: str
    methods: tuple[str, ...]
    responsible: tuple[str, ...]
    supervisors: tuple[str, ...]
    at_least: Decimal | None = None
    rule: str = ""
    above: Decimal | None = None
    warn_row: str = ""

    @property
    def entered(self) -> bool:
        return self.kind == "count"


@dataclass(frozen=True, slots=True)
class GreenRequirement:
    """The green-space ratio a 小区 must reach, for those built from a year on (or all)."""

    required: Decimal
    built_from: int | None = None


@dataclass(frozen=True, slots=True)
class CompoundRules:
    """The rules for the 小区 sheet: how many 小区, the ratio's decimals, green-space requirements, the earliest
    plausible 建成年份."""

    min_count: int
    ratio_decimals: int
    green_requirements: tuple[GreenRequirement, ...]
    earliest_built: int  # a 建成年份 before it is a typing slip

    def required_ratio(self, built: int) -> Decimal:
        for requirement in self.green_requirements:
            if requirement.built_from is None or built >= requirement.built_from:
                return requirement.required
        raise AssertionError("validated: the last requirement has no built_from")


@dataclass(frozen=True, slots=True)
class Target:
    """A year's target: the share of urban communities that must hold the standard."""

    year: int
    rate: Decimal


@dataclass(frozen=True, slots=True)
class Campaign:
    """The campaign the standard serves: its title, years and targets, nominations and the year's deadlines."""

    name: str  # what the title is called (绿色社区): in every title, file name and notice the program writes
    first_year: int
    targets: tuple[Target, ...]
    nominations_min: int
    nominations_max: int
    nomination_deadline: tuple[int, int] = (3, 31)  # month, day: each year's 上报名单 is due by then ("3月底前")
    year_end: tuple[int, int] = (12, 31)  # month, day: a year's standing is taken on this day ("年底")

    def deadline(self, year: int) -> date:
        month, day = self.nomination_deadline
        return date(year, month, day)

    def end_of(self, year: int) -> date:
        """The day `year`'s standing is taken on: its targets, its title dates and a workbook without a 评审日期."""
        month, day = self.year_end
        return date(year, month, day)

    def dated(self, review_date: date | None, year: int) -> date:
        """The day an evaluation of `year` counts as made wherever dates are compared: its 评审日期, else (a form of
        2021.1, where it was optional) the end of its 评审年度 (standard.md)."""
        return review_date if review_date is not None else self.end_of(year)

    def target_for(self, year: int) -> Decimal | None:
        """The share of urban communities that must hold the standard at the end of `year`, if any."""
        current: Decimal | None = None
        for target in sorted(self.targets, key=lambda t: t.year):
            if target.year <= year:
                current = target.rate
        return current


class FieldKind(StrEnum):
    """What a field of the application form takes: text, a whole number, an area (m²), or a long text box."""

    TEXT = "text"
    COUNT = "count"
    AREA = "area"
    LONG = "long"


@dataclass(frozen=True, slots=True)
class FormField:
    """One field of the workbook's 基本信息 sheet: its label, kind and unit."""

    label: str
    kind: FieldKind
    unit: str = ""  # a count's unit (人, 户): typed after the number, it is read as the number


@dataclass(frozen=True, slots=True)
class Form:
    """The campaign's application form (附件3) on the 基本信息 sheet, after the identity and review fields the
    program reads (core.layout): its fields, all optional, and the opinion boxes printed for signatures and seals
    (a box whose title says 盖章 is sealed, any other signed), never read back."""

    title: str  # the sheet's name for it: 申报表
    fields: tuple[FormField, ...]
    opinions: tuple[str, ...]

    @property
    def numbers(self) -> tuple[FormField, ...]:
        """The fields that take a number (checked on read-back, never scored)."""
        return tuple(f for f in self.fields if f.kind in (FieldKind.COUNT, FieldKind.AREA))


def year_bounds(campaign: Campaign, today: date) -> tuple[int, int]:
    """The one rule for years, for every command's year and every workbook's 评审年度: from the campaign's first
    year to next year (forms are prepared ahead for next year's round; no later year can be inspected or reported)."""
    return campaign.first_year, today.year + 1


@dataclass(frozen=True)
class Rubric:
    """One version of the standard, as data: items, bonus, vetoes, the 小区 rules, the campaign and the form."""

    id: str
    version: str
    title: str
    source: str
    max_total: Decimal
    step: Decimal
    pass_mark: Decimal
    pass_rule: str
    review_date_required: bool  # 评审日期 must be given, plausible and not in the future (from 2021.2)
    categories: tuple[Category, ...]
    items: tuple[Item, ...]
    bonus: Bonus
    vetoes: tuple[Veto, ...]
    compounds: CompoundRules
    campaign: Campaign
    form: Form
    # the 说明 sheet's own wording for a kind of row, where the registry's general line would say less
    guide: Mapping[RowKind, str] = field(default_factory=dict)
    # re-scoring an older version's entries: version → {code here: the code whose recorded value it takes there}
    maps: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # the 考评方式 that ask for documents (查阅资料): an item judged so should have evidence files in the binder
    document_methods: tuple[str, ...] = ()
    _rows: dict[str, Row] = field(init=False, repr=False, compare=False)
    # every entry code, and the letters such codes begin with (B, V): the reader asks of every 评分表 row
    entry_code_set: frozenset[str] = field(init=False, repr=False, compare=False)
    code_letters: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_rows", {r.code: r for i in self.items for r in i.rows})
        codes = frozenset(self.entry_codes)
        object.__setattr__(self, "entry_code_set", codes)
        object.__setattr__(self, "code_letters", frozenset(c.rstrip("0123456789") for c in codes if c[:1].isalpha()))

    def rows(self) -> Iterator[Row]:
        for item in self.items:
            yield from item.rows

    def row(self, code: str) -> Row:
        return self._rows[code]

    def kind_of(self, code: str) -> RowKind | None:
        """The kind of an item row's code; None for a code that is no item row here (bonus, vetoes, unknown)."""
        row = self._rows.get(code)
        return row.kind if row is not None else None

    def item(self, number: int) -> Item:
        return self.items[number - 1]

    def category(self, number: int) -> Category:
        return self.categories[number - 1]

    def items_in(self, category: int) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.category == category)

    def label_of(self, code: str) -> str:
        """The row label of any entry code: an item's row, the bonus or a veto."""
        if code in self._rows:
            return self._rows[code].label
        if code == self.bonus.code:
            return self.bonus.label
        return next((v.label for v in self.vetoes if v.code == code), code)

    def veto(self, code: str) -> Veto:
        return next(v for v in self.vetoes if v.code == code)

    @property
    def entry_codes(self) -> tuple[str, ...]:
        """Every code the 评分表 must hold a row for, in sheet order: items' rows, the bonus, the vetoes."""
        return (
            *(r.code for r in self.rows()),
            self.bonus.code,
            *(v.code for v in self.vetoes),
        )


# ───────────────────────────── building and checking ─────────────────────────────


def describe(rubric: Rubric) -> JsonObject:
    """The rubric as plain data, for `greencli standard --json` and its table."""

    def num(value: Decimal | None) -> float | None:
        return float(value) if value is not None else None

    return {
        "id": rubric.id,
        "version": rubric.version,
        "title": rubric.title,
        "source": rubric.source,
        "max_total": num(rubric.max_total),
        "pass_mark": num(rubric.pass_mark),
        "categories": [
            {
                "number": c.number,
                "name": c.name,
                "points": num(c.points),
                "items": [
                    {
                        "number": i.number,
                        "content": i.content,
                        "points": num(i.points),
                        "supervisors": list(i.supervisors),
                        "rows": [
                            {
                                "code": r.code,
                                "kind": r.kind.value,
                                "kind_label": r.kind.label,
                                "points": num(r.points),
                                "label": r.label,
                            }
                            for r in i.rows
                        ],
                    }
                    for i in rubric.items_in(c.number)
                ],
            }
            for c in rubric.categories
        ],
        "bonus": {"code": rubric.bonus.code, "max": num(rubric.bonus.max)},
        "vetoes": [
            {
                "code": v.code,
                "name": v.name,
                "kind": v.kind,
                "at_least": num(v.at_least),
                "above": num(v.above),
            }
            for v in rubric.vetoes
        ],
        "targets": [{"year": t.year, "rate": num(t.rate)} for t in rubric.campaign.targets],
    }


@dataclass(frozen=True)
class Standards:
    """Every released version of one standard, side by side: a workbook is scored under the version stamped in it,
    a workbook without a stamp under the newest; the campaign's rules are always the newest version's."""

    versions: tuple[Rubric, ...]  # oldest first

    @property
    def newest(self) -> Rubric:
        return self.versions[-1]

    @property
    def id(self) -> str:
        return self.newest.id

    def known(self) -> tuple[str, ...]:
        return tuple(r.version for r in self.versions)

    def get(self, version: str) -> Rubric | None:
        return next((r for r in self.versions if r.version == version), None)

    def for_stamp(self, stamp: Mapping[str, str]) -> Rubric | None:
        """The version a workbook is scored under; None when it names a version (of this standard) not known here."""
        stamped_id, stamped_version = stamp.get("rubric_id", ""), stamp.get("rubric_version", "")
        if not stamped_version or (stamped_id and stamped_id != self.id):
            return self.newest  # no stamp, or another standard altogether (reported by check_stamp)
        return self.get(stamped_version)

    @classmethod
    def of(cls, rubrics: Iterable[Rubric]) -> Standards:
        ordered = sorted(rubrics, key=lambda r: tuple(int(p) if p.isdigit() else 0 for p in r.version.split(".")))
        return cls(tuple(ordered))
