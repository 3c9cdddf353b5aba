"""The shortcuts taken for speed (issue 24) give exactly what the long way gives."""

from __future__ import annotations

import io
import json
import os
import sys
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from greencli.adapters.container import inspect_package
from greencli.adapters.ledger import Ledger
from greencli.adapters.streams import print_json
from greencli.adapters.xlsx_report import print_lines, print_width
from greencli.core.values import is_multiple
from greencli.jobs.pipeline import Resolver, expand, scan
from hypothesis import given
from hypothesis import strategies as st

from tests.district import score_batches
from tests.hostile import parts, valid

decimals = st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**6), max_value=10**6, places=6)
steps = st.sampled_from([Decimal("0.5"), Decimal("0.25"), Decimal("1"), Decimal("0.1"), Decimal("3")])


@given(decimals, steps)
def test_exact_multiples_agree_with_fractions(number: Decimal, step: Decimal) -> None:
    assert is_multiple(number, step) == ((Fraction(number) / Fraction(step)).denominator == 1)


def test_a_multiple_with_forty_digits_is_told_exactly() -> None:
    assert not is_multiple(Decimal("0.5000000000000000000000000000000000000001"), Decimal("0.5"))
    assert is_multiple(Decimal("1E+30"), Decimal("0.5"))
    assert not is_multiple(Decimal("NaN"), Decimal("0.5"))


texts = st.text(alphabet=st.sampled_from(list("ab c-/_社区评分表（）\n1.5")), max_size=60)


@given(texts, st.floats(min_value=1, max_value=40))
def test_a_text_measured_whole_wraps_as_the_token_by_token_count(text: str, width: float) -> None:
    """print_lines' shortcut (the whole text fits) never changes its count: the long way, recomputed here."""
    import re

    from greencli.adapters.xlsx_report import _BREAKS

    usable, total = max(1.0, width), 0
    for part in (text or " ").split("\n"):
        lines, used = 1, 0.0
        for token in _BREAKS.findall(part) or [""]:
            wide = sum(1.9 if ch in "社区评分表（）" else 1.2 for ch in token)
            if used and used + sum(1.9 if ch in "社区评分表（）" else 1.2 for ch in token.rstrip()) > usable:
                lines, used = lines + 1, 0.0
            while wide > usable:
                lines, wide = lines + 1, wide - usable
            used += wide
        total += lines
    assert print_lines(text, width) == total
    assert re.sub(r"\s", "", text) == "" or print_width(text) > 0


def test_scanned_files_are_known_by_their_real_path(tmp_path: Path) -> None:
    real = tmp_path / "真的" / "乡街"
    real.mkdir(parents=True)
    (real / "a.xlsx").write_bytes(b"x")
    (tmp_path / "elsewhere.xlsx").write_bytes(b"x")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "b.xlsx").write_bytes(b"x")
    if sys.platform != "win32":
        (inbox / "linked").symlink_to(real, target_is_directory=True)  # a folder link is not followed by the scan
        (inbox / "c.xlsx").symlink_to(tmp_path / "elsewhere.xlsx")  # a file link: its target's path
    found = scan(inbox)
    for path in found.files:
        assert found.key(path) == str(path.resolve())
    relative = expand([os.path.relpath(inbox)]) if Path.cwd().anchor == inbox.anchor else found
    for path in relative.files:
        assert relative.key(path) == str(path.resolve())
    resolve = Resolver()
    assert resolve(real / "a.xlsx") == str((real / "a.xlsx").resolve())


def _zipped(files: dict[str, bytes], method: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as z:
        for name, body in files.items():
            z.writestr(name, body)
    return out.getvalue()


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_the_container_probe_reads_stored_and_deflated_parts_alike(tmp_path: Path, method: int) -> None:
    files = parts(valid())
    assert inspect_package(tmp_path / "x.xlsx", _zipped(files, method)).problem is None
    hostile = {**files, "xl/styles.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>'}
    problem = inspect_package(tmp_path / "x.xlsx", _zipped(hostile, method)).problem
    assert problem is not None and problem.code == "xml-unsafe"


def test_current_evaluations_are_counted_as_they_are_read(tmp_path: Path) -> None:
    folder = score_batches(tmp_path, ("2021", "2022"))
    with Ledger.open(folder / "l.db") as ledger:
        for year in (2021, 2022, 2030):
            assert ledger.count_current(year) == len(ledger.evaluations(year=year, current_only=True))


class _Results(Sequence[object]):
    """A sequence print_json writes item by item (as score's results)."""

    def __init__(self, items: list[object]) -> None:
        self.items = items

    def __getitem__(self, i: int) -> object:  # type: ignore[override]
        return self.items[i]

    def __len__(self) -> int:
        return len(self.items)


def test_json_results_one_line_each_and_the_same_document(capsys: pytest.CaptureFixture[str]) -> None:
    items: list[object] = [{"file": "a\n\x1b.xlsx", "total": 80.5, "issues": [{"code": "x"}]}, {"file": "乙.xlsx"}]
    print_json({"results": _Results(items), "summary": {"files": 2}})
    out = capsys.readouterr().out
    assert json.loads(out) == {"results": items, "summary": {"files": 2}}
    assert sum(1 for line in out.splitlines() if line.lstrip().startswith('{"file"')) == 2
    assert "\x1b" not in out and "\\u001b" in out
