"""The scoring engine: entered values in, every row's contribution, item, category, total and verdict out.

Pure functions over `Entries` and a `Rubric`; every issue of the input is collected, none raises.
Arithmetic is exact (Decimal for entered points, Fraction for ratios).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from greencli.core.derived import ROW_RULES, VETO_RULES
from greencli.core.issues import Issue, make_issue
from greencli.core.kinds import KINDS, Report, RowKind, check_points, hint
from greencli.core.layout import COMPOUND_PROPERTY, COMPOUND_SHEET, COMPOUND_SORTING, SCORE_SHEET
from greencli.core.model import (
    BLANK,
    CompoundEntry,
    CompoundScore,
    Entries,
    Evaluation,
    Field,
    ItemScore,
    RowScore,
    Verdict,
)
from greencli.core.rubric import Item, Row, Rubric, Veto
from greencli.core.values import fmt as _fmt
from greencli.core.values import (
    is_blank,
    is_whole,
    parse_count,
    parse_number,
    parse_yes_no,
    round_half_up,
    show,
)

ZERO = Decimal(0)


def evaluate(rubric: Rubric, entries: Entries) -> Evaluation:
    """Score one community's entries against the rubric."""
    return _Scoring(rubric, entries).run()


class _Scoring:
    def __init__(self, rubric: Rubric, entries: Entries) -> None:
        self.rubric = rubric
        self.entries = entries
        self.issues: list[Issue] = []

    # ── reporting ──
    def report(self, code: str, where: Field, subject: str | None = None, **params: object) -> None:
        self.issues.append(make_issue(code, sheet=where.sheet, cell=where.cell, subject=subject, **params))

    # ── one entered value ──
    def read(self, code: str, kind: RowKind, label: str, row: Row | None = None) -> Decimal | bool | None:
        """Parse the value entered for `code` as `kind` (by the kind's registered reader); None (and an issue) when
        it cannot be used."""
        found = self.entries.values.get(code)
        if found is None:
            self.issues.append(make_issue("row-missing", sheet=SCORE_SHEET, subject=code, label=label))
            return None
        if is_blank(found.value):
            self.report("value-missing", found, code, label=label, hint=hint(kind, row, self.rubric.step))
            return None
        parse = KINDS[kind].parse
        assert parse is not None  # only kinds a person types are read
        return parse(found.value, row, self.rubric.step, self.reporter(found, code, label))

    def reporter(self, found: Field, code: str, label: str) -> Report:
        """Reports an issue at the value `found` for `code`, under its `label`."""

        def report(issue: str, /, **params: object) -> None:
            self.report(issue, found, code, label=label, **params)

        return report

    # ── the 小区 sheet ──
    def read_compounds(self) -> tuple[CompoundScore, ...] | None:
        rules = self.rubric.compounds
        present = [c for c in self.entries.compounds if not _empty_compound(c)]
        if len(present) < rules.min_count:
            self.issues.append(
                make_issue("compounds-missing", sheet=COMPOUND_SHEET, subject="小区", count=rules.min_count)
            )
            return None
        scores = [self.read_compound(c) for c in present]
        if any(s is None for s in scores):
            return None
        return tuple(s for s in scores if s is not None)

    def read_compound(self, c: CompoundEntry) -> CompoundScore | None:
        subject = f"小区第{c.row}行"
        ok = True
        if is_blank(c.name.value):
            self.report("compound-name-missing", c.name, subject, row=c.row)
            ok = False
        latest = self.entries.year if self.entries.year is not None else 9999
        built = parse_number(c.built.value, ("年",))
        if built is None or not is_whole(built) or not self.rubric.compounds.earliest_built <= built <= latest:
            self.report(
                "compound-year-invalid", c.built, subject, row=c.row, value=show(c.built.value),
                low=self.rubric.compounds.earliest_built, high=latest,
            )  # fmt: skip
            ok = False
        area = parse_number(c.area.value, ("㎡", "m2", "m²", "平方米"))
        if area is None or area <= 0:
            self.report("compound-area-invalid", c.area, subject, row=c.row, value=show(c.area.value))
            ok = False
        green = parse_number(c.green.value, ("㎡", "m2", "m²", "平方米"))
        if green is None or green < 0 or (area is not None and area > 0 and green > area):
            self.report(
                "compound-green-invalid", c.green, subject, row=c.row, value=show(c.green.value),
                area=_fmt(area) if area is not None else "?",
            )  # fmt: skip
            ok = False
        answers: list[bool] = []
        for column, found in ((COMPOUND_PROPERTY, c.property_service), (COMPOUND_SORTING, c.garbage_sorting)):
            label = f"“小区”表第{c.row}行{column}"
            answer = parse_yes_no(found.value)
            if is_blank(found.value):
                self.report("value-missing", found, subject, label=label, hint="填 是/否")
                ok = False
            elif answer is None:
                self.report("value-not-yes-no", found, subject, label=label, value=show(found.value))
                ok = False
            else:
                answers.append(answer)
        if not ok or built is None or area is None or green is None:
            return None
        ratio = round_half_up(Fraction(100) * Fraction(green) / Fraction(area), self.rubric.compounds.ratio_decimals)
        return CompoundScore(
            row=c.row,
            name=show(c.name.value),
            area=area,
            ratio=ratio,
            required=self.rubric.compounds.required_ratio(int(built)),
            property_service=answers[0],
            garbage_sorting=answers[1],
        )

    # ── derived rows ──
    def derived(self, row: Row, compounds: Sequence[CompoundScore]) -> Decimal:
        assert row.rule is not None  # the rubric loader accepts only registered rules
        return ROW_RULES[row.rule].score(row, compounds)

    def warn_if_typed(self, code: str, label: str, template: str, **params: object) -> None:
        """A value typed where nothing counts (a derived row, a row of an item that does not apply)."""
        found = self.entries.values.get(code, BLANK)
        if not is_blank(found.value):
            self.report(template, found, code, label=label, value=show(found.value), **params)

    # ── items ──
    def score_item(self, item: Item, compounds: Sequence[CompoundScore] | None) -> ItemScore | None:
        na = item.na_row
        not_applicable: bool | None = False
        if na is not None:
            answer = self.read(na.code, RowKind.NA, na.label, na)
            not_applicable = answer if isinstance(answer, bool) else None
        if not_applicable:
            assert na is not None
            for row in item.scored_rows:
                self.warn_if_typed(row.code, row.label, "na-rows-ignored", item=item.number)
            return ItemScore(
                item.number, item.category, item.points, item.points, False, (RowScore(na.code, True, None),)
            )
        rows: list[RowScore] = [] if na is None else [RowScore(na.code, False, None)]
        complete = not_applicable is not None
        for row in item.scored_rows:
            if row.kind is RowKind.DERIVED:
                self.warn_if_typed(row.code, row.label, "derived-value-ignored")
                contribution = self.derived(row, compounds) if compounds is not None else None
                rows.append(RowScore(row.code, None, contribution))
            else:
                value = self.read(row.code, row.kind, row.label, row)
                contribution = _contribution(row, value) if value is not None else None
                rows.append(RowScore(row.code, value, contribution))
            complete = complete and contribution is not None
        if not complete:
            return None
        self.check_facts(item, rows)
        raw_sum = sum((r.contribution for r in rows if r.contribution is not None), ZERO)
        return ItemScore(
            item.number, item.category, item.points, min(item.points, max(ZERO, raw_sum)), True, tuple(rows)
        )

    def check_facts(self, item: Item, rows: Sequence[RowScore]) -> None:
        """A fact beside a discretionary row (20.3 beside 20.2): the program never overrules the inspector, but says
        so at that row when the points and the fact disagree."""
        values = {r.code: r.value for r in rows}
        for fact in (row for row in item.rows if row.kind is RowKind.FACT):
            measured, awarded = values.get(fact.code), values.get(fact.checks)
            if not isinstance(measured, Decimal) or not isinstance(awarded, Decimal):
                continue
            assert fact.expect_min is not None and fact.expect_max is not None
            inside = fact.expect_min <= measured <= fact.expect_max
            full = self.rubric.row(fact.checks).points
            found = self.entries.values.get(fact.checks, BLANK)
            params = {"label": f"{fact.checks} {self.rubric.label_of(fact.checks)}", "fact": fact.code,
                      "value": _fmt(measured), "unit": fact.unit, "low": _fmt(fact.expect_min),
                      "high": _fmt(fact.expect_max), "points": _fmt(awarded), "full": _fmt(full)}  # fmt: skip
            if awarded == full and not inside:
                self.report("fact-full-outside", found, fact.checks, **params)
            elif awarded < full and inside:
                self.report("fact-short-inside", found, fact.checks, **params)

    # ── bonus and vetoes ──
    def read_bonus(self) -> Decimal | None:
        bonus = self.rubric.bonus
        found = self.entries.values.get(bonus.code)
        if found is None:
            self.issues.append(make_issue("row-missing", sheet=SCORE_SHEET, subject=bonus.code, label=bonus.label))
            return None
        if is_blank(found.value):
            return ZERO
        number = parse_number(found.value, ("分",))
        if number is None:
            hint = f"填加分 0～{_fmt(bonus.max)}，没有则留空"
            self.report("value-not-number", found, bonus.code, label="加分项", value=show(found.value), hint=hint)
            return None
        report = self.reporter(found, bonus.code, "加分项")
        value = check_points(found.value, number, bonus.max, None, self.rubric.step, report)
        if value is not None and value > 0:
            evidence = self.entries.evidence.get(bonus.code, BLANK)
            if is_blank(evidence.value):
                where = evidence if evidence.cell else found
                self.report("bonus-no-evidence", where, bonus.code, value=_fmt(value))
                return None
        return value

    def read_veto(self, veto: Veto, compounds: Sequence[CompoundScore] | None) -> bool | None:
        if veto.entered:
            count = self.read(veto.code, RowKind.COUNT, veto.label)
            if not isinstance(count, Decimal):
                return None
            assert veto.at_least is not None
            if veto.warn_row:
                self.cross_check(veto, count)
            return count >= veto.at_least
        self.warn_if_typed(veto.code, veto.label, "derived-value-ignored")
        if compounds is None:
            return None
        assert veto.rule is not None  # the rubric loader accepts only registered rules
        return VETO_RULES[veto.rule].holds(veto, compounds)

    def cross_check(self, veto: Veto, veto_count: Decimal) -> None:
        """A scored row that already reaches the veto threshold while the veto's own count does not."""
        assert veto.at_least is not None
        found = self.entries.values.get(veto.warn_row, BLANK)
        count = parse_count(found.value, KINDS[RowKind.COUNT].suffixes) if not is_blank(found.value) else None
        if count is not None and count >= veto.at_least > veto_count:
            self.report(
                "veto-inconsistent", self.entries.values.get(veto.code, BLANK), veto.code,
                row=veto.warn_row, count=_fmt(count), threshold=_fmt(veto.at_least), veto_count=_fmt(veto_count),
            )  # fmt: skip

    def warn_na_conflicts(self, compounds: Sequence[CompoundScore] | None) -> None:
        if compounds is None:
            return
        for row in self.rubric.rows():
            if not row.warn_na:
                continue
            na = self.entries.values.get(row.warn_na, BLANK)
            lost = row.points - self.derived(row, compounds)
            if parse_yes_no(na.value) is True and lost > 0:
                self.report("na-derived-conflict", na, row.warn_na, na_label=self.rubric.label_of(row.warn_na),
                            item=row.item, row_label=row.label, lost=_fmt(lost))  # fmt: skip

    # ── the whole ──
    def run(self) -> Evaluation:
        rubric = self.rubric
        compounds = self.read_compounds()
        items = {item.number: self.score_item(item, compounds) for item in rubric.items}
        bonus = self.read_bonus()
        held = {veto.code: self.read_veto(veto, compounds) for veto in rubric.vetoes}
        self.warn_na_conflicts(compounds)
        issues = tuple(self.issues)
        if any(i.is_error for i in issues):
            return Evaluation(Verdict.INVALID, None, None, None, None, (), issues, compounds or ())
        scored = {n: s for n, s in items.items() if s is not None}
        categories = {
            c.number: sum((s.score for s in scored.values() if s.category == c.number), ZERO) for c in rubric.categories
        }
        assert bonus is not None
        total = min(rubric.max_total, sum(categories.values(), ZERO) + bonus)
        vetoes = tuple(code for code, holds in held.items() if holds)
        if vetoes:
            verdict = Verdict.VETO
        elif total >= rubric.pass_mark:
            verdict = Verdict.PASS
        else:
            verdict = Verdict.FAIL
        return Evaluation(verdict, total, bonus, categories, scored, vetoes, issues, compounds or ())


def _contribution(row: Row, value: Decimal | bool) -> Decimal:
    score = KINDS[row.kind].score
    assert score is not None, f"row {row.code} of kind {row.kind} has no entered contribution"
    return score(row, value)


def _empty_compound(c: CompoundEntry) -> bool:
    return all(is_blank(f.value) for f in (c.name, c.built, c.area, c.green, c.property_service, c.garbage_sorting))
