"""Properties that must hold for every valid input, not just the cases we thought of."""

from __future__ import annotations

from decimal import Decimal

from greencli.adapters.rubric_file import load_rubric
from greencli.core.engine import evaluate
from greencli.core.model import Evaluation, Verdict
from greencli.core.rubric import Row, RowKind
from greencli.core.values import Raw
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.builders import FIRST_READING, C, entries

RUBRIC = load_rubric(version=FIRST_READING)
YES = ["是", "Y", "yes", "TRUE", 1, True, "√"]
NO = ["否", "N", "no", "FALSE", 0, False, "×"]
RANK = {Verdict.PASS: 2, Verdict.FAIL: 1, Verdict.VETO: 0}


def halves(low: Decimal, high: Decimal) -> st.SearchStrategy[float]:
    return st.integers(int(low * 2), int(high * 2)).map(lambda n: n / 2)


def value_for(row: Row) -> st.SearchStrategy[Raw]:
    match row.kind:
        case RowKind.SCORE:
            return halves(Decimal(0), row.points)
        case RowKind.CHECK | RowKind.NA:
            return st.sampled_from(YES + NO)
        case RowKind.COUNT:
            return st.integers(0, 12)
        case RowKind.DEDUCT:
            low = row.min_nonzero or Decimal("0.5")
            return st.one_of(st.just(0), halves(low, row.points))
        case RowKind.MEASURE:
            if row.unit == "%":
                return st.decimals(Decimal("1.01"), Decimal(100), places=2).map(float)
            return st.integers(0, 200_000)
        case _:
            return st.none()


compound = st.builds(
    lambda built, area, share, prop, sort: C(
        built=built, area=area, green=round(area * share, 2), prop=prop, sort=sort
    ),
    st.integers(1950, 2022),
    st.integers(1, 100_000),
    st.floats(0, 1),
    st.sampled_from(YES + NO),
    st.sampled_from(YES + NO),
)


@st.composite
def valid_inputs(draw: st.DrawFn) -> tuple[dict[str, object], list[C], dict[str, Raw]]:
    values: dict[str, object] = {row.code: draw(value_for(row)) for row in RUBRIC.rows()}
    bonus = draw(halves(Decimal(0), RUBRIC.bonus.max))
    values[RUBRIC.bonus.code] = bonus
    for veto in RUBRIC.vetoes:
        values[veto.code] = draw(st.integers(0, 8)) if veto.entered else None
    compounds = draw(st.lists(compound, min_size=1, max_size=6))
    return values, compounds, {RUBRIC.bonus.code: "省级文明社区"}


def score(values: dict[str, object], compounds: list[C], evidence: dict[str, Raw]) -> Evaluation:
    return evaluate(RUBRIC, entries(RUBRIC, values, compounds, evidence))


@given(valid_inputs())
def test_valid_input_scores_within_bounds(case: tuple[dict[str, object], list[C], dict[str, Raw]]) -> None:
    e = score(*case)
    assert e.errors == () and e.verdict is not Verdict.INVALID
    assert e.total is not None and e.items is not None and e.categories is not None and e.bonus is not None
    assert 0 <= e.total <= RUBRIC.max_total
    for item in RUBRIC.items:
        assert 0 <= e.items[item.number].score <= item.points
    for category in RUBRIC.categories:
        assert 0 <= e.categories[category.number] <= category.points
    assert e.total == min(RUBRIC.max_total, sum(e.categories.values()) + e.bonus)
    assert (e.total * 2) == (e.total * 2).to_integral_value()
    assert (e.verdict is Verdict.VETO) == bool(e.vetoes)
    assert e.verdict is not Verdict.PASS or e.total >= RUBRIC.pass_mark


COUNTED = [r.code for r in RUBRIC.rows() if r.kind is RowKind.COUNT] + [v.code for v in RUBRIC.vetoes if v.entered]
CHECKS = [r.code for r in RUBRIC.rows() if r.kind is RowKind.CHECK]


def no_better(before: Evaluation, after: Evaluation) -> None:
    assert before.total is not None and after.total is not None and before.items and after.items
    assert after.total <= before.total
    assert all(after.items[n].score <= before.items[n].score for n in before.items)
    assert RANK[after.verdict] <= RANK[before.verdict]


@given(valid_inputs(), st.sampled_from(COUNTED))
def test_one_more_defect_never_raises_a_score(
    case: tuple[dict[str, object], list[C], dict[str, Raw]], code: str
) -> None:
    values, compounds, evidence = case
    worse = {**values, code: int(values[code]) + 1}  # type: ignore[call-overload]
    no_better(score(values, compounds, evidence), score(worse, compounds, evidence))


@given(valid_inputs(), st.sampled_from(CHECKS))
def test_a_no_never_beats_a_yes(case: tuple[dict[str, object], list[C], dict[str, Raw]], code: str) -> None:
    values, compounds, evidence = case
    no_better(score({**values, code: "是"}, compounds, evidence), score({**values, code: "否"}, compounds, evidence))


@given(valid_inputs(), st.data())
def test_a_worse_compound_never_raises_a_score(
    case: tuple[dict[str, object], list[C], dict[str, Raw]], data: st.DataObject
) -> None:
    values, compounds, evidence = case
    i = data.draw(st.integers(0, len(compounds) - 1))
    c = compounds[i]
    assume(isinstance(c.green, float | int) and c.green > 0)
    worse = C(c.name, c.built, c.area, round(float(c.green) * 0.5, 2), "否", "否")  # type: ignore[arg-type]
    no_better(score(values, compounds, evidence), score(values, [*compounds[:i], worse, *compounds[i + 1 :]], evidence))


anything = st.one_of(st.none(), st.text(max_size=5), st.integers(-5, 500), st.floats(allow_nan=True), st.booleans())


@given(valid_inputs(), st.sampled_from([i for i in RUBRIC.items if i.na_row is not None]), st.data())
def test_not_applicable_always_gives_full_marks(
    case: tuple[dict[str, object], list[C], dict[str, Raw]], item: object, data: st.DataObject
) -> None:
    values, compounds, evidence = case
    assert hasattr(item, "na_row") and hasattr(item, "scored_rows")
    junk = {row.code: data.draw(anything) for row in item.scored_rows}
    e = score({**values, **junk, item.na_row.code: "是"}, compounds, evidence)
    assert e.errors == () and e.items is not None
    assert e.items[item.number].score == item.points  # type: ignore[attr-defined]


@given(st.dictionaries(st.sampled_from(list(RUBRIC.entry_codes)), anything, max_size=12))
def test_any_input_yields_issues_or_a_score_and_never_raises(junk: dict[str, object]) -> None:
    e = score(junk, [C()], {})
    assert (e.verdict is Verdict.INVALID) == bool(e.errors)
    assert all(i.message and i.code for i in e.issues)
