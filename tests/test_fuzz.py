"""Fuzzing the reader and the engine: whatever a file holds, the answer is issues or a score, never an exception.

Bounded and reproducible in `make test` (the `ci` profile: fixed seed, a few hundred inputs); `make fuzz` runs the
same tests with the `long` profile. Any input that ever crashes goes into tests/data/fuzz/ as a regression test.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from greencli.adapters.container import sniff_workbook
from greencli.adapters.rubric_file import load_rubric
from greencli.adapters.xlsx_reader import read_workbook
from greencli.core.assess import assess
from greencli.core.model import Verdict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.builders import FIRST_READING
from tests.hostile import parts, rezip, valid

RUBRIC = load_rubric(version=FIRST_READING)
PARTS = sorted(parts(valid()))
SCORE_SHEET = "xl/worksheets/sheet2.xml"
FUZZ = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)


def survives(data: bytes) -> None:
    """Container check, reader and engine on `data`: never an exception, always a verdict with explained issues."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.xlsx"
        path.write_bytes(data)
        sniff_workbook(path)
        raw = read_workbook(path, RUBRIC)
        evaluation = assess(RUBRIC, raw.info, raw.entries, raw.stamp, raw.issues, 2030).evaluation
    assert evaluation.verdict in set(Verdict)
    assert (evaluation.verdict is Verdict.INVALID) == any(i.is_error for i in evaluation.issues)
    assert all(i.code and i.message for i in evaluation.issues)


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes(data: bytes) -> None:
    survives(data)


@FUZZ
@given(st.data())
def test_damaged_files(data: st.DataObject) -> None:
    blob = bytearray(valid())
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(blob) - 1))
        action = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip":
            blob[at] ^= data.draw(st.integers(1, 255))
        elif action == "cut":
            del blob[at:]
            if not blob:
                break
        else:
            blob[at:at] = data.draw(st.binary(min_size=1, max_size=64))
    survives(bytes(blob))


@FUZZ
@given(st.sampled_from(PARTS), st.data())
def test_damaged_parts(name: str, data: st.DataObject) -> None:
    body = bytearray(parts(valid())[name])
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, max(0, len(body) - 1)))
        size = data.draw(st.integers(0, 200))
        body[at : at + size] = data.draw(st.binary(max_size=80) | st.text(max_size=40).map(str.encode))
    survives(rezip({name: bytes(body)}))


def cell_xml(ref: str, kind: str, value: object) -> str:
    match kind:
        case "text":
            return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'
        case "number":
            return f'<c r="{ref}"><v>{value}</v></c>'
        case "bool":
            return f'<c r="{ref}" t="b"><v>{int(bool(value))}</v></c>'
        case "error":
            return f'<c r="{ref}" t="e"><v>#DIV/0!</v></c>'
        case "formula":
            return f'<c r="{ref}"><f>{escape(str(value))}</f></c>'
    return f'<c r="{ref}"/>'


values = st.one_of(
    st.tuples(st.just("text"), st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)),
    st.tuples(st.just("number"), st.one_of(st.integers(-10**20, 10**20), st.floats(allow_nan=False, allow_infinity=False),
                                           st.sampled_from(["1e308", "-0", "1E-300", "NaN", "INF"]))),
    st.tuples(st.just("bool"), st.booleans()),
    st.tuples(st.just("error"), st.none()),
    st.tuples(st.just("formula"), st.sampled_from(["1+1", "K6*2", "SUM(A1:A3)", ""])),
    st.tuples(st.just("empty"), st.none()),
)  # fmt: skip


@FUZZ
@given(st.lists(st.tuples(st.integers(5, 76), values), min_size=1, max_size=12))
def test_random_values_in_input_cells(changes: list[tuple[int, tuple[str, object]]]) -> None:
    sheet = parts(valid())[SCORE_SHEET].decode()
    for row, (kind, value) in changes:
        ref = f"K{row}"
        pattern = re.compile(rf'<c r="{ref}"(?:[^>]*/>|[^>]*>.*?</c>)', re.S)
        replacement = cell_xml(ref, kind, value).replace("\\", "\\\\")  # a literal for re.sub
        sheet, found = pattern.subn(replacement, sheet, count=1)
        if not found:  # the cell is absent: put it at the end of its row
            sheet = re.sub(
                rf'(<row r="{row}"[^>]*>.*?)(</row>)', rf"\g<1>{replacement}\g<2>", sheet, count=1, flags=re.S
            )
    survives(rezip({SCORE_SHEET: sheet.encode()}))


@FUZZ
@given(
    st.lists(
        st.tuples(st.sampled_from(["delete", "duplicate", "swap-code"]), st.integers(1, 80)), min_size=1, max_size=8
    )
)
def test_deleted_and_duplicated_rows(edits: list[tuple[str, int]]) -> None:
    sheet = parts(valid())[SCORE_SHEET].decode()
    for action, row in edits:
        match = re.search(rf'<row r="{row}"[^>]*>.*?</row>', sheet, re.S)
        if match is None:
            continue
        if action == "delete":
            sheet = sheet[: match.start()] + sheet[match.end() :]
        elif action == "duplicate":
            sheet = sheet[: match.end()] + match[0] + sheet[match.end() :]
        else:
            sheet = sheet.replace(match[0], re.sub(r"<t>\d+\.\d</t>", "<t>7.3</t>", match[0], count=1), 1)
    survives(rezip({SCORE_SHEET: sheet.encode()}))


def test_the_valid_workbook_itself_scores() -> None:
    survives(valid())
