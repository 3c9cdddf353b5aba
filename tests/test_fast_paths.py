"""The shortcuts taken for speed (issue 24) give exactly what the long way gives."""

from __future__ import annotations

import gc
import io
import json
import os
import sys
import zipfile
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from greencli.adapters.container import Package, _head, inspect_package, open_package, read_part
from greencli.adapters.ledger import Ledger
from greencli.adapters.ledger.evaluations import CURRENT
from greencli.adapters.rubric_file import load_rubric
from greencli.adapters.streams import print_json
from greencli.adapters.xlsx_direct import DirectBook
from greencli.adapters.xlsx_report import (
    gaps_table,
    issues_table,
    items_table,
    print_lines,
    print_width,
    summary_table,
)
from greencli.core.model import Verdict
from greencli.core.outcome import Outcome, SourceFile
from greencli.core.values import is_multiple
from greencli.jobs.inputs import Resolver, expand, scan
from greencli.jobs.pipeline import compact
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
    assert resolve.child(real, "a.xlsx", real / "a.xlsx", None) == str((real / "a.xlsx").resolve())


def test_the_scan_tells_each_files_size_time_and_evidence_folder_from_its_listing(tmp_path: Path) -> None:
    """What the rollup takes from the scan instead of looking at each file again: the file's own stat, and which
    workbooks have no folder of their name beside them (a folder named in another case may be theirs)."""
    inbox = tmp_path / "inbox"
    (inbox / "乡街").mkdir(parents=True)
    for name in ("a.xlsx", "b.xlsx", "c.xlsx"):
        (inbox / "乡街" / name).write_bytes(name.encode())
    (inbox / "乡街" / "a").mkdir()  # a's evidence folder
    (inbox / "乡街" / "C").mkdir()  # c's, on a file system that ignores case
    (inbox / "乡街" / "b.xlsx.d").mkdir()  # not b's
    found = scan(inbox)
    for path in found.files:
        assert (found.stats[path].st_size, found.stats[path].st_mtime_ns) == (path.stat().st_size,
                                                                             path.stat().st_mtime_ns)  # fmt: skip
    assert {p.name for p in found.no_evidence_folder} == {"b.xlsx"}


def test_the_scan_lists_depth_first_in_name_order_and_leaves_nothing_for_the_collector(tmp_path: Path) -> None:
    """A folder's workbooks, then each folder below it in name order, all the way down (as the recursive scan did);
    and nothing of a listing of thousands is left in a reference cycle, waiting for the garbage collector."""
    inbox = tmp_path / "inbox"
    for folder in ("b", "a/y", "a/x", "a", "c/z"):
        (inbox / folder).mkdir(parents=True, exist_ok=True)
    names = ["2.xlsx", "1.xlsx", "b/3.xlsx", "a/5.xlsx", "a/4.xlsx", "a/y/7.xlsx", "a/x/6.xlsx", "c/z/8.xlsx"]
    for name in names:
        (inbox / name).write_bytes(b"x")
    gc.collect()
    gc.disable()
    try:
        found = scan(inbox)
        assert gc.collect() == 0
    finally:
        gc.enable()
    expected = ["1.xlsx", "2.xlsx", "a/4.xlsx", "a/5.xlsx", "a/x/6.xlsx", "a/y/7.xlsx", "b/3.xlsx", "c/z/8.xlsx"]
    assert [p.relative_to(inbox).as_posix() for p in found.files] == expected


def test_outcomes_kept_for_the_reports_share_what_repeats(tmp_path: Path) -> None:
    """Thousands of outcomes are held until the reports are written: dates, versions, reviewers and names are one
    object each across them, and a file's real path is the listing's own string."""
    day = date(2022, 10, 17)
    listed = str(tmp_path / "乡街" / "a.xlsx")

    def read(code: str) -> Outcome:  # as a worker's outcome arrives: every value a fresh copy
        return Outcome(file="".join(listed), community_id="".join(code), community="".join("第一社区"),
                       subdistrict="".join("乡街"), year=2022, verdict=Verdict.PASS, total=Decimal("85.0"),
                       bonus=Decimal("0"), categories={1: Decimal("20")}, items={1: Decimal("5")}, vetoes=(),
                       review_date=date(day.year, day.month, day.day), reviewers="".join("张三、李四"),
                       rubric_version="".join("2021.2"),
                       source=SourceFile("".join(listed), "0" * 64, 1, 1))  # fmt: skip

    a, b = compact(read("C1"), listed), compact(read("C2"), listed)
    assert a.review_date is b.review_date and a.rubric_version is b.rubric_version and a.reviewers is b.reviewers
    assert a.subdistrict is b.subdistrict and a.total is b.total
    assert a.source is not None and a.source.path is listed
    assert (a.review_date, a.reviewers, a.source.path) == (day, "张三、李四", listed)


def test_a_report_sheets_rows_walked_twice_are_the_same_rows(tmp_path: Path) -> None:
    """The district workbook's big sheets make their rows afresh for the widths and for the writing: both walks,
    and the count, agree."""
    folder = score_batches(tmp_path, ("2021", "2022"))
    with Ledger.open(folder / "l.db") as ledger:
        outcomes = ledger.evaluations(current_only=True)
    rubric = load_rubric()
    for make in (summary_table, items_table, gaps_table, issues_table):
        table = make(outcomes, rubric)
        first, second = list(table.rows), list(table.rows)
        assert first == second and len(first) == len(table.rows), make.__name__
    failing = [o for o in outcomes if o.counts and o.verdict in (Verdict.FAIL, Verdict.VETO)]
    assert len(gaps_table(outcomes, rubric).rows) == len(failing)


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


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_each_part_is_inflated_once_and_is_what_zipfile_reads(
    tmp_path: Path, method: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check inflates the parts it looks into whole and the reader takes them from the package: every part as
    zipfile reads it, none inflated twice, in memory and from disk alike."""
    import deflate

    data = _zipped(parts(valid()), method)
    inflated: list[int] = []
    real = deflate.deflate_decompress

    def counted(raw: memoryview, size: int) -> bytearray:
        inflated.append(size)
        return real(raw, size)

    monkeypatch.setattr(deflate, "deflate_decompress", counted)
    inspection = inspect_package(tmp_path / "x.xlsx", data)
    assert inspection.problem is None and isinstance(inspection.package, Package)
    expected = zipfile.ZipFile(io.BytesIO(data))
    names = expected.namelist()
    for name in names:
        assert read_part(inspection.package, name) == expected.read(name)
    book = DirectBook(inspection.package)
    for sheet in book.sheet_names:
        book.grid(sheet)
    assert len(inflated) <= len(names) and (method == zipfile.ZIP_STORED) == (not inflated)
    (tmp_path / "x.xlsx").write_bytes(data)
    with open_package(tmp_path / "x.xlsx") as on_disk:
        assert [read_part(on_disk, name) for name in names] == [expected.read(name) for name in names]


def test_a_part_that_inflates_beyond_its_declared_size_is_never_followed(tmp_path: Path) -> None:
    """libdeflate inflates into the size the directory declares: a part whose data says more is refused (the reader
    meets it as damage), and the check looks at its head as it always did."""
    files = parts(valid())
    assert len(files["xl/styles.xml"]) > 2048
    data = bytearray(_zipped(files, zipfile.ZIP_DEFLATED))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/styles.xml")
    # the declared size, in the central directory and the local header, one kilobyte less than the data inflates to
    smaller = (info.file_size - 1024).to_bytes(4, "little")
    data[info.header_offset + 22 : info.header_offset + 26] = smaller
    for at in _central_entries(bytes(data)):
        if bytes(data[at + 46 : at + 46 + int.from_bytes(data[at + 28 : at + 30], "little")]) == b"xl/styles.xml":
            data[at + 24 : at + 28] = smaller
    lying = open_package(io.BytesIO(bytes(data)))
    assert lying.getinfo("xl/styles.xml").file_size == info.file_size - 1024
    with pytest.raises(zipfile.BadZipFile):
        read_part(lying, "xl/styles.xml")
    assert _head(lying, lying.getinfo("xl/styles.xml"), 1024) == files["xl/styles.xml"][:1024]
    assert "xl/styles.xml" not in lying.inflated


def _central_entries(data: bytes) -> list[int]:
    """Where each entry of a zip's central directory starts."""
    found, at = [], data.find(b"PK\x01\x02")
    while at >= 0:
        found.append(at)
        at = data.find(b"PK\x01\x02", at + 46)
    return found


def test_current_evaluations_are_counted_as_they_are_read(tmp_path: Path) -> None:
    folder = score_batches(tmp_path, ("2021", "2022"))
    with Ledger.open(folder / "l.db") as ledger:
        for year in (2021, 2022, 2030):
            assert ledger.count_current(year) == len(ledger.evaluations(year=year, current_only=True))


def test_what_a_rollup_counts_is_read_from_an_index_and_follows_every_change(tmp_path: Path) -> None:
    """A rollup fingerprints the ledger on every run: from one index, not from every evaluation's (large) row, and
    the fingerprint still changes with a void (an evaluation's void_reason, through the index)."""
    folder = score_batches(tmp_path, ("2021", "2022"))
    with Ledger.open(folder / "l.db") as ledger:
        for query, parameters in (
            ("SELECT COUNT(*), MAX(id), COUNT(superseded_by), COUNT(void_reason) FROM evaluations WHERE district = ?",
             (ledger.district,)),
            (f"SELECT COUNT(*) FROM evaluations WHERE district = ? AND year = ? AND {CURRENT}", (ledger.district, 2022)),
        ):  # fmt: skip
            plan = ledger.db.execute(f"EXPLAIN QUERY PLAN {query}", parameters).fetchall()
            assert any("COVERING INDEX evaluations_state" in str(row) for row in plan), plan
        before = ledger.state()
        count = ledger.count_current(2022)
        with ledger.transaction():
            ledger.db.execute("UPDATE evaluations SET void_reason = 'x' WHERE id = (SELECT MIN(id) FROM evaluations)")
        assert ledger.state() != before
        assert ledger.count_current(2022) == len(ledger.evaluations(year=2022, current_only=True)) <= count


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


def _width(ws: Any, col: int) -> float:
    """A column's width as stored (a writer may store neighbours of one width as one range)."""
    for dimension in ws.column_dimensions.values():
        if (dimension.min or 0) <= col <= (dimension.max or 0) and dimension.customWidth:
            return float(dimension.width)
    return -1.0


@pytest.mark.parametrize("year", [2021, 2022])
def test_progress_sheets_written_in_the_district_workbook_are_those_progress_out_writes(
    tmp_path: Path, year: int
) -> None:
    """Score and rollup write the progress sheets with xlsxwriter inside the workbook they write; `progress --out`
    writes them with openpyxl: the same plan, the same sheets (values, merges, sizes, filters, print setup)."""
    import openpyxl
    from greencli.adapters.progress_plan import SHEETS, plan_progress
    from greencli.adapters.roster import read_roster
    from greencli.adapters.rubric_file import load_rubric
    from greencli.adapters.xlsx_progress import add_progress_sheets
    from greencli.adapters.xlsx_report import build_district_workbook
    from greencli.jobs.standing import YearStanding

    from tests.district import ROOT, ROSTER

    folder = score_batches(tmp_path, ("2021", "2022"))
    rubric = load_rubric()
    roster = read_roster(ROOT / ROSTER)
    with Ledger.open(folder / "l.db") as ledger:
        standing = YearStanding.read(ledger, rubric, roster, year)
    by_openpyxl, by_xlsxwriter = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    add_progress_sheets(None, by_openpyxl, standing.current, rubric, standing.lists)
    build_district_workbook(by_xlsxwriter, [], rubric, progress=plan_progress(standing.current, rubric, standing.lists))
    a, b = openpyxl.load_workbook(by_openpyxl), openpyxl.load_workbook(by_xlsxwriter)
    assert [n for n in b.sheetnames if n in SHEETS] == list(SHEETS)

    def blank(value: object) -> object:
        return None if value == "" else value

    for name in SHEETS:
        x, y = a[name], b[name]
        assert [[blank(v) for v in row] for row in x.iter_rows(values_only=True)] == [
            [blank(v) for v in row] for row in y.iter_rows(values_only=True)
        ], name
        assert sorted(map(str, x.merged_cells.ranges)) == sorted(map(str, y.merged_cells.ranges)), name
        assert x.freeze_panes == y.freeze_panes and x.auto_filter.ref == y.auto_filter.ref, name
        assert x.print_title_rows == y.print_title_rows, name
        for ws in (x, y):  # fitToWidth 1 is the default a writer may leave out
            assert (ws.page_setup.orientation, ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (
                "landscape",
                1,
                0,
            ), name
            fit = ws.sheet_properties.pageSetUpPr
            assert fit is not None and fit.fitToPage, name
        assert x.oddHeader is not None and y.oddHeader is not None
        assert x.oddHeader.center.text == y.oddHeader.center.text, name
        for col in range(1, x.max_column + 1):
            assert abs(_width(x, col) - _width(y, col)) < 0.15, (name, col)
        for number, dimension in x.row_dimensions.items():
            if dimension.height is not None:
                assert abs(y.row_dimensions[number].height - dimension.height) <= 0.75, (name, number)  # whole pixels
        for cells in x.iter_rows():
            for cell in cells:
                other = y[cell.coordinate]
                if cell.value not in (None, ""):
                    assert cell.number_format == other.number_format, (name, cell.coordinate)
                    look = (cell.font.b, cell.font.name or "Calibri", cell.font.sz or 11, cell.alignment.wrap_text)
                    other_look = (
                        other.font.b,
                        other.font.name or "Calibri",
                        other.font.sz or 11,
                        other.alignment.wrap_text,
                    )
                    assert look == other_look, (name, cell.coordinate)
    props = {p.name: p.value for p in b.custom_doc_props}  # type: ignore[attr-defined]
    assert props["greencli.progress_year"] == str(year)
    with zipfile.ZipFile(by_xlsxwriter) as package:
        assert any(n.startswith("xl/charts/chart") for n in package.namelist())


@pytest.mark.parametrize(
    ("patterns", "jobs", "expected"),
    [
        (["{folder}"], 0, True),  # a folder may hold any number of workbooks
        (["{folder}/*.xlsx"], 0, True),  # so may a glob
        (["a.xlsx"], 0, False),  # one named workbook is read in this process
        ([f"{n}.xlsx" for n in range(15)], 0, False),  # below the batch size that pays for workers
        ([f"{n}.xlsx" for n in range(16)], 0, True),
        (["a.xlsx", "b.xlsx"], 2, True),  # workers asked for: two files are enough
        (["{folder}"], 1, False),  # --jobs 1: never
    ],
)
def test_the_readers_start_early_only_for_a_batch_that_will_use_them(
    tmp_path: Path, patterns: list[str], jobs: int, expected: bool
) -> None:
    from greencli.jobs.readers import likely_parallel

    given = [p.format(folder=tmp_path) for p in patterns]
    assert likely_parallel(given, jobs) is expected


FORKSERVER_PID = """
import json, sys
from multiprocessing import forkserver
from greencli import api
work, patterns = sys.argv[1], sys.argv[2:]
api.start_readers_early(patterns, 0)
started = forkserver._forkserver._forkserver_pid
report = api.score(patterns, db=work + "/l.db", out=work + "/d.xlsx")
print(json.dumps([started, forkserver._forkserver._forkserver_pid, report.to_json()["summary"]]))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="workers are spawned on Windows: there is no server to start")
@pytest.mark.parametrize("many", [True, False])
def test_a_batch_read_by_workers_forks_them_from_the_server_started_early(tmp_path: Path, many: bool) -> None:
    """A folder starts the workers' server before the batch is listed, and the batch's workers come from that very
    server (its scores as ever); one named workbook starts nothing."""
    import subprocess

    from tests.district import ROOT

    inbox = ROOT / "samples" / "inspections" / "2022"
    named = [str(inbox)] if many else [str(sorted(inbox.rglob("*.xlsx"))[0])]
    done = subprocess.run([sys.executable, "-c", FORKSERVER_PID, str(tmp_path), *named], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    started, after, summary = json.loads(done.stdout.splitlines()[-1])
    if many:
        assert started is not None and after == started
        assert summary["files"] > 16
    else:
        assert started is None and after is None
