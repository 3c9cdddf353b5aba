"""Reading a rubric file's data into the model, checking it whole: every problem is listed at once, each a
`Problem` with its code (the registry's rubric-… codes, severity fatal) and where it was found.

The checks: unknown and missing keys, kinds and rules the program knows (rules from the registry in
greencli.core.derived), codes unique, rows adding up to items, items to categories, categories to the total, every
threshold present and every score a multiple of the step.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Final

from greencli.core.derived import VETO_RULES
from greencli.core.errors import Problem
from greencli.core.kinds import KINDS
from greencli.core.rubric import (
    Bonus,
    Campaign,
    Category,
    CompoundRules,
    FieldKind,
    Form,
    FormField,
    GreenRequirement,
    Item,
    Row,
    RowKind,
    Rubric,
    RubricError,
    Target,
    Veto,
)
from greencli.core.values import fmt, is_multiple

VETO_PARAMETERS: Final[Mapping[str, tuple[str, ...]]] = {name: rule.parameters for name, rule in VETO_RULES.items()}


class _Reader:
    """Pulls typed fields out of the parsed file, collecting every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def report(self, code: str, /, **params: object) -> None:
        """One problem: a code of the registry (`core.issues`, the rubric's part) and where it was found."""
        self.problems.append(Problem.of(code, **params))

    def table(self, data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
        value = data.get(key)
        if not isinstance(value, Mapping):
            self.report("rubric-table-missing", where=where, key=key)
            return {}
        return value

    def tables(self, data: Mapping[str, Any], key: str, where: str) -> list[Mapping[str, Any]]:
        value = data.get(key)
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            path = key if where == "文件" else f"{where}.{key}" if where.isascii() else ""
            if path:  # a table of the file: how to write its [[path]] tables
                self.report("rubric-array-missing", where=where, key=key, path=path)
            else:  # an item's rows
                self.report("rubric-rows-missing", where=where, key=key)
            return []
        return value

    def text(self, data: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
        value = data.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            self.report("rubric-text-required", where=where, key=key)
            return ""
        return value.strip()

    def texts(self, data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = data.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            self.report("rubric-texts-required", where=where, key=key)
            return ()
        return tuple(value)

    def integer(self, data: Mapping[str, Any], key: str, where: str) -> int:
        value = data.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            self.report("rubric-integer-required", where=where, key=key)
            return 0
        return value

    def number(self, data: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> Decimal | None:
        value = data.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, int | float) or isinstance(value, bool):
            self.report("rubric-number-required", where=where, key=key)
            return None
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)

    def unknown_keys(self, data: Mapping[str, Any], allowed: set[str], where: str) -> None:
        for key in sorted(set(data) - allowed):
            self.report("rubric-field-unknown", where=where, key=key)


_ROW_KEYS: Final = {
    "code", "kind", "label", "points", "per", "min_nonzero", "unit", "valid_min", "valid_max",
    "at_least", "at_most", "rule", "shortfall_step", "per_step", "above", "warn_na", "checks", "expect_min",
    "expect_max",
}  # fmt: skip
_ITEM_KEYS: Final = {
    "number", "category", "content", "points", "criteria", "methods", "responsible", "supervisors", "rows",
}  # fmt: skip
_VETO_KEYS: Final = {
    "code", "name", "criteria", "kind", "at_least", "rule", "above", "warn_row", "label",
    "methods", "responsible", "supervisors",
}  # fmt: skip
_TOP_KEYS: Final = {
    "id", "version", "title", "source", "max_total", "step", "pass_mark", "pass_rule", "review_date_required", "rescore",
    "campaign", "compounds", "bonus", "categories", "items", "vetoes", "form", "guide", "document_methods",
}  # fmt: skip
_FORM_KEYS: Final = {"title", "fields", "opinions"}


def _maps(r: _Reader, data: object) -> dict[str, dict[str, str]]:
    """[rescore."2021.1"] "20.3" = "20.2": this version's 20.3 takes the value 2021.1 recorded for its 20.2."""
    if not isinstance(data, Mapping) or not all(isinstance(v, Mapping) for v in data.values()):
        r.report("rubric-rescore-shape")
        return {}
    return {str(version): {str(k): str(v) for k, v in table.items()} for version, table in data.items()}


def _month_day(r: _Reader, campaign: Mapping[str, Any], key: str, default: str) -> tuple[int, int]:
    """`MM-DD`, a day that exists in every year (so not 02-29)."""
    text = campaign.get(key, default)
    try:
        month, day = (int(p) for p in str(text).split("-"))
        date(2021, month, day)
    except ValueError:
        r.report("rubric-month-day", key=key, value=text, example=default)
        return (0, 0)
    return (month, day)


def _form(r: _Reader, data: Mapping[str, Any]) -> Form:
    """[form]: the application form's title, its fields ({ label, kind, unit }) and its opinion boxes."""
    r.unknown_keys(data, _FORM_KEYS, "form")
    fields = []
    for d in r.tables(data, "fields", "form"):
        label = r.text(d, "label", "form.fields")
        r.unknown_keys(d, {"label", "kind", "unit"}, f"form.fields {label or '?'}")
        kind_text = r.text(d, "kind", f"form.fields {label or '?'}")
        try:
            kind = FieldKind(kind_text)
        except ValueError:
            r.report("rubric-form-kind-unknown", label=label, value=kind_text, known=list(FieldKind))
            continue
        fields.append(FormField(label, kind, str(d.get("unit", ""))))
    return Form(title=r.text(data, "title", "form"), fields=tuple(fields), opinions=r.texts(data, "opinions", "form"))


def _guide(r: _Reader, data: object) -> dict[RowKind, str]:
    """[guide]: the 说明 sheet's own line for a kind of row, e.g. measure = "填数值：如…"."""
    if not isinstance(data, Mapping):
        r.report("rubric-guide-shape")
        return {}
    out = {}
    for key, text in data.items():
        if key not in set(RowKind) or not isinstance(text, str) or not text.strip():
            r.report("rubric-guide-entry", key=key, known=list(RowKind))
            continue
        out[RowKind(key)] = text.strip()
    return out


def _row(r: _Reader, data: Mapping[str, Any], item: int) -> Row | None:
    code = r.text(data, "code", f"第{item}项的行")
    where = f"行 {code or '?'}"
    r.unknown_keys(data, _ROW_KEYS, where)
    kind_text = r.text(data, "kind", where)
    try:
        kind = RowKind(kind_text)
    except ValueError:
        r.report("rubric-kind-unknown", where=where, value=kind_text, known=[k.value for k in RowKind])
        return None
    points = r.number(data, "points", where, required=KINDS[kind].points_required) or Decimal(0)
    row = Row(
        code=code,
        item=item,
        kind=kind,
        label=r.text(data, "label", where),
        points=points,
        per=r.number(data, "per", where, required=False),
        min_nonzero=r.number(data, "min_nonzero", where, required=False),
        unit=str(data.get("unit", "")),
        valid_min=r.number(data, "valid_min", where, required=False),
        valid_max=r.number(data, "valid_max", where, required=False),
        at_least=r.number(data, "at_least", where, required=False),
        at_most=r.number(data, "at_most", where, required=False),
        rule=str(data.get("rule", "")),
        shortfall_step=r.number(data, "shortfall_step", where, required=False),
        per_step=r.number(data, "per_step", where, required=False),
        above=r.number(data, "above", where, required=False),
        warn_na=str(data.get("warn_na", "")),
        checks=str(data.get("checks", "")),
        expect_min=r.number(data, "expect_min", where, required=False),
        expect_max=r.number(data, "expect_max", where, required=False),
    )
    r.problems.extend(KINDS[kind].problems(row, where))
    return row


def _item(r: _Reader, data: Mapping[str, Any]) -> Item:
    number = r.integer(data, "number", "items 中的一项")
    where = f"第{number}项"
    r.unknown_keys(data, _ITEM_KEYS, where)
    rows = tuple(row for d in r.tables(data, "rows", where) if (row := _row(r, d, number)) is not None)
    return Item(
        number=number,
        category=r.integer(data, "category", where),
        content=r.text(data, "content", where),
        points=r.number(data, "points", where) or Decimal(0),
        criteria=r.text(data, "criteria", where),
        methods=r.texts(data, "methods", where),
        responsible=r.texts(data, "responsible", where),
        supervisors=r.texts(data, "supervisors", where),
        rows=rows,
    )


def _veto(r: _Reader, data: Mapping[str, Any]) -> Veto:
    code = r.text(data, "code", "vetoes 中的一项")
    where = f"否决项 {code or '?'}"
    r.unknown_keys(data, _VETO_KEYS, where)
    veto = Veto(
        code=code,
        name=r.text(data, "name", where),
        criteria=r.text(data, "criteria", where),
        kind=r.text(data, "kind", where),
        label=r.text(data, "label", where),
        methods=r.texts(data, "methods", where),
        responsible=r.texts(data, "responsible", where),
        supervisors=r.texts(data, "supervisors", where),
        at_least=r.number(data, "at_least", where, required=False),
        rule=str(data.get("rule", "")),
        above=r.number(data, "above", where, required=False),
        warn_row=str(data.get("warn_row", "")),
    )
    if veto.kind == "count":
        if veto.at_least is None or veto.at_least <= 0:
            r.report("rubric-veto-threshold", where=where)
    elif veto.kind == "derived":
        needed = VETO_PARAMETERS.get(veto.rule)
        if needed is None:
            r.report("rubric-rule-unknown", where=where, value=veto.rule, known=list(VETO_PARAMETERS))
        else:
            for parameter in needed:
                if getattr(veto, parameter, None) is None:
                    r.report("rubric-rule-parameter-missing", where=where, rule=veto.rule, key=parameter)
    elif veto.kind:
        r.report("rubric-veto-kind", where=where)
    return veto


def _check_whole(r: _Reader, rubric: Rubric) -> None:
    """Cross-checks: codes unique, rows add up to items, items to categories, categories to the total."""
    step = rubric.step
    codes: dict[str, str] = {}
    for code, owner in [
        *((row.code, f"第{row.item}项") for row in rubric.rows()),
        (rubric.bonus.code, "加分项"),
        *((v.code, "否决项") for v in rubric.vetoes),
    ]:
        if code in codes:
            r.report("rubric-code-duplicate", code=code, first=codes[code], other=owner)
        codes[code] = owner

    if [c.number for c in rubric.categories] != list(range(1, len(rubric.categories) + 1)):
        r.report("rubric-numbering", key="categories")
    if [i.number for i in rubric.items] != list(range(1, len(rubric.items) + 1)):
        r.report("rubric-numbering", key="items")
    category_numbers = {c.number for c in rubric.categories}
    for item in rubric.items:
        where = f"第{item.number}项"
        if item.category not in category_numbers:
            r.report("rubric-category-unknown", where=where, value=item.category)
        na_rows = [row for row in item.rows if row.kind is RowKind.NA]
        if len(na_rows) > 1:
            r.report("rubric-na-rows", where=where)
        positive = sum((row.points for row in item.scored_rows if row.kind is not RowKind.DEDUCT), Decimal(0))
        if positive != item.points:
            r.report("rubric-item-sum", where=where, total=fmt(positive), points=fmt(item.points))
        for row in item.rows:
            if row.points < 0 or not _multiple(row.points, step):
                r.report("rubric-row-points", code=row.code, points=str(row.points), step=str(step))
            if row.kind is RowKind.DEDUCT and row.points > item.points:
                r.report("rubric-deduct-over-item", code=row.code)
            if row.kind is RowKind.FACT and row.checks not in {x.code for x in item.rows if x.kind is RowKind.SCORE}:
                r.report("rubric-fact-checks", code=row.code, value=row.checks)
    for category in rubric.categories:
        total = sum((i.points for i in rubric.items_in(category.number)), Decimal(0))
        if total != category.points:
            r.report(
                "rubric-category-sum",
                category=category.number,
                name=category.name,
                total=fmt(total),
                points=fmt(category.points),
            )
    whole = sum((c.points for c in rubric.categories), Decimal(0))
    if whole != rubric.max_total:
        r.report("rubric-total-sum", total=fmt(whole), max_total=fmt(rubric.max_total))
    if not 0 < rubric.pass_mark <= rubric.max_total:
        r.report("rubric-pass-mark")
    if rubric.bonus.max < 0 or not _multiple(rubric.bonus.max, step):
        r.report("rubric-bonus-max")
    count_rows = {row.code for row in rubric.rows() if row.kind is RowKind.COUNT}
    na_codes = {row.code for row in rubric.rows() if row.kind is RowKind.NA}
    for row in rubric.rows():
        if row.warn_na and row.warn_na not in na_codes:
            r.report("rubric-warn-na", code=row.code, value=row.warn_na)
    for veto in rubric.vetoes:
        if veto.warn_row and veto.warn_row not in count_rows:
            r.report("rubric-warn-row", code=veto.code, value=veto.warn_row)
    requirements = rubric.compounds.green_requirements
    if not requirements or requirements[-1].built_from is not None:
        r.report("rubric-green-requirements")
    for target in rubric.campaign.targets:
        if not 0 < target.rate <= 1:
            r.report("rubric-target-rate", year=target.year, rate=str(target.rate))
        if target.year <= rubric.campaign.first_year:
            r.report("rubric-target-year", year=target.year, first_year=rubric.campaign.first_year)
    if rubric.campaign.nominations_min > rubric.campaign.nominations_max:
        r.report("rubric-nominations")


def _multiple(number: Decimal, step: Decimal) -> bool:
    return step > 0 and is_multiple(number, step)


def parse_rubric(data: Mapping[str, Any], source: str) -> Rubric:
    """Build a rubric from the parsed data file; raise `RubricError` listing every problem found."""
    r = _Reader()
    r.unknown_keys(data, _TOP_KEYS, "文件顶层")
    campaign = r.table(data, "campaign", "文件")
    compounds = r.table(data, "compounds", "文件")
    bonus = r.table(data, "bonus", "文件")
    targets = tuple(
        Target(r.integer(t, "year", "campaign.targets"), r.number(t, "rate", "campaign.targets") or Decimal(0))
        for t in r.tables(campaign, "targets", "campaign")
    )
    requirements = tuple(
        GreenRequirement(
            required=r.number(g, "required", "green_requirements") or Decimal(0),
            built_from=int(g["built_from"]) if isinstance(g.get("built_from"), int) else None,
        )
        for g in r.tables(compounds, "green_requirements", "compounds")
    )
    rubric = Rubric(
        id=r.text(data, "id", "文件"),
        version=r.text(data, "version", "文件"),
        title=r.text(data, "title", "文件"),
        source=r.text(data, "source", "文件"),
        max_total=r.number(data, "max_total", "文件") or Decimal(0),
        step=r.number(data, "step", "文件") or Decimal(0),
        pass_mark=r.number(data, "pass_mark", "文件") or Decimal(0),
        pass_rule=r.text(data, "pass_rule", "文件"),
        review_date_required=data.get("review_date_required") is True,
        maps=_maps(r, data.get("rescore", {})),
        document_methods=r.texts(data, "document_methods", "文件") if "document_methods" in data else (),
        categories=tuple(
            Category(
                number=r.integer(c, "number", "categories"),
                name=r.text(c, "name", "categories"),
                points=r.number(c, "points", "categories") or Decimal(0),
            )
            for c in r.tables(data, "categories", "文件")
        ),
        items=tuple(_item(r, d) for d in r.tables(data, "items", "文件")),
        bonus=Bonus(
            code=r.text(bonus, "code", "加分项"),
            label=r.text(bonus, "label", "加分项"),
            content=r.text(bonus, "content", "加分项"),
            criteria=r.text(bonus, "criteria", "加分项"),
            max=r.number(bonus, "max", "加分项") or Decimal(0),
            methods=r.texts(bonus, "methods", "加分项"),
            responsible=r.texts(bonus, "responsible", "加分项"),
            supervisors=r.texts(bonus, "supervisors", "加分项"),
        ),
        vetoes=tuple(_veto(r, d) for d in r.tables(data, "vetoes", "文件")),
        compounds=CompoundRules(
            min_count=r.integer(compounds, "min_count", "compounds"),
            ratio_decimals=r.integer(compounds, "ratio_decimals", "compounds"),
            green_requirements=requirements,
            earliest_built=r.integer(compounds, "earliest_built", "compounds"),
        ),
        form=_form(r, form) if (form := r.table(data, "form", "文件")) else Form("", (), ()),
        guide=_guide(r, data.get("guide", {})),
        campaign=Campaign(
            name=r.text(campaign, "name", "campaign"),
            first_year=r.integer(campaign, "first_year", "campaign"),
            targets=targets,
            nominations_min=r.integer(campaign, "nominations_min", "campaign"),
            nominations_max=r.integer(campaign, "nominations_max", "campaign"),
            nomination_deadline=_month_day(r, campaign, "nomination_deadline", "03-31"),
            year_end=_month_day(r, campaign, "year_end", "12-31"),
        ),
    )
    if not r.problems:
        _check_whole(r, rubric)
    if r.problems:
        raise RubricError(source, r.problems)
    return rubric
