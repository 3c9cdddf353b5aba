"""Reading raw cell values as a person meant them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from greencli.core import values
from greencli.core.values import Scores, fmt, is_blank, parse_number, parse_yes_no, round_half_up, show


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(3, Decimal(3)), (3.0, Decimal("3.0")), (7.3, Decimal("7.3")), ("7.3", Decimal("7.3")), (" 2 ", Decimal(2)),
     ("１２", Decimal(12)), ("30,000", Decimal(30000)), ("1,234.5", Decimal("1234.5")),
     (Decimal("2.5"), Decimal("2.5")),
     ("abc", None), ("", None), (True, None), (False, None), (float("nan"), None), (float("inf"), None),
     ("NaN", None), ("Infinity", None), ("1,23", None), (date(2021, 1, 1), None), (None, None),
     ("1e999999999", None), ("-1e999999999", None), ("1e-999999999", None), (1e16, Decimal("1e16")),
     (1e-20, Decimal("1e-20")), ("1." + "1" * 40, Decimal("1." + "1" * 40)), (0, Decimal(0)), ("0.0", Decimal("0.0"))],
)  # fmt: skip
def test_parse_number(raw: object, expected: Decimal | None) -> None:
    assert parse_number(raw) == expected  # type: ignore[arg-type]


def test_parse_number_suffixes() -> None:
    assert parse_number("3处", ("处",)) == 3
    assert parse_number("98%", ("%",)) == 98
    assert parse_number("98％", ("%",)) == 98  # full-width percent folds
    assert parse_number("3处") is None
    assert parse_number("处", ("处",)) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("是", True), ("否", False), ("Y", True), ("y", True), ("N", False), ("YES", True), ("No", False),
     ("TRUE", True), ("False", False), ("1", True), ("0", False), (1, True), (0, False), (1.0, True), (0.0, False),
     ("√", True), ("×", False), ("✓", True), ("✗", False), (True, True), (False, False), ("Ｙｅｓ", True),
     (" 是\n", True), ("是的", None), ("2", None), (2, None), (None, None), ("", None),
     (datetime(2021, 1, 1), None)],
)  # fmt: skip
def test_parse_yes_no(raw: object, expected: bool | None) -> None:
    assert parse_yes_no(raw) is expected  # type: ignore[arg-type]


def test_blank() -> None:
    assert is_blank(None) and is_blank("") and is_blank(" \t\n")
    assert not is_blank(0) and not is_blank("0") and not is_blank(False)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Fraction(29995, 1000), Fraction(30)), (Fraction(29994, 1000), Fraction(2999, 100)),
     (Fraction(5, 1000), Fraction(1, 100)), (Fraction(4999, 1000000), Fraction(0)),
     (Fraction(1, 3), Fraction(33, 100))],
)  # fmt: skip
def test_round_half_up(value: Fraction, expected: Fraction) -> None:
    assert round_half_up(value, 2) == expected


def test_fmt_and_show() -> None:
    assert [fmt(Decimal("8.0")), fmt(Decimal("7.50")), fmt(Fraction(100, 3)), fmt(Decimal("1E+3")), fmt(None)] == [
        "8", "7.5", "33.33333333333333333333333333", "1000", ""]  # fmt: skip
    assert show(7.3) == "7.3" and show(3.0) == "3" and show(True) == "TRUE" and show(None) == ""
    assert show("x" * 100).endswith("…") and len(show("x" * 100)) == 40
    assert show("a\nb") == "a b"


# ── Scores: points by item, a table's row of them ──


def test_scores_give_the_points_of_any_items_in_the_order_asked() -> None:
    scores = Scores({1: Decimal("1.5"), 2: Decimal("2"), 3: Decimal("0")})
    assert scores.values_of((3, 1, 9)) == [Decimal("0"), Decimal("1.5"), None]
    assert scores.values_of((3, 1, 9)) == [Decimal("0"), Decimal("1.5"), None]  # remembered, and the same
    assert dict(scores) == {1: Decimal("1.5"), 2: Decimal("2"), 3: Decimal("0")} and scores.get(9) is None


def test_the_points_asked_never_come_from_another_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(values, "SHARED_LIMIT", 0)  # no table kept: each outcome's is its own, and may be freed
    for n in range(50):  # ids of freed tables come back: a table remembered by id would answer for another
        first, second = Decimal(n), Decimal(n + 100)
        ordered = Scores({1: first, 2: second}) if n % 2 else Scores({2: second, 1: first})
        assert ordered.values_of((1, 2)) == [first, second]
