"""Reading a filled scoring workbook into typed values with their sheet!cell positions.

Rows are found by their codes and header labels, never by position, so inserted or reordered rows, extra columns
and files re-saved by Excel, WPS or LibreOffice all read the same. The sheets' values come from the direct reader
(`xlsx_direct`: the rows down to each header, then the header's columns only) or, for a workbook it does not read
exactly as python-calamine would, from python-calamine itself; the two give the same grids. The few facts neither
gives (formulas without a value; the version stamp, when its part is not plain) come from the package's XML,
parsed with defusedxml.

Every text cell taken in is read under the one rule of `core.clean` (the roster is read under it too): 佐证 as a
multi-line text, every other cell as a single line. A cell it changed gets a `text-cleaned` warning at that cell.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import unicodedata
import zipfile
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

import python_calamine as calamine
from defusedxml import DefusedXmlException

from greencli.adapters import limits
from greencli.adapters.cells import a1, cell_text
from greencli.adapters.container import UNSAFE_XML, Inspection, inspect_package, open_package, part_name, read_whole
from greencli.adapters.oserrors import debug_detail
from greencli.adapters.xlsx_direct import DirectBook, HeaderTest, Unusual, stamp_properties
from greencli.core import layout as L
from greencli.core.clean import clean, clean_line
from greencli.core.errors import Problem
from greencli.core.issues import Issue, file_issue, make_issue
from greencli.core.model import CompoundEntry, Entries, Field, RawWorkbook
from greencli.core.rubric import Rubric, Standards
from greencli.core.values import show

# the identity fields, and 附件3's numbers (checked on read-back, never scored)
# What the reader takes from 基本信息: who and when (core.layout), and the application form's numbers (the rubric's).
IDENTITY_LABELS = (L.COMMUNITY_CODE, L.COMMUNITY_NAME, L.SUBDISTRICT, L.YEAR, L.REVIEW_DATE, L.REVIEWERS)
NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
NS_CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"

Grid = list[list[Any]]


# What a person is told when the spreadsheet library cannot make sense of a file that passed the container check.


def _label(value: object) -> str:
    """A label cell as a label: only text is one (a number or a date never names a field)."""
    return _label_text(value) if isinstance(value, str) else ""


# Labels and codes repeat from workbook to workbook (every form holds the same ones): each is normalised once per
# process, not once per cell.
@functools.lru_cache(maxsize=4096)
def _label_text(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().rstrip(":：").strip()


def _code(value: object) -> str:
    if value is None or value == "":
        return ""
    return _code_of(value) if isinstance(value, str | float | int) else _code_text(value)


@functools.lru_cache(maxsize=4096, typed=True)  # typed: the float 11.0 and the int 11 are different codes
def _code_of(value: str | float | int) -> str:
    return _code_text(value)


def _code_text(value: object) -> str:
    if isinstance(value, float):
        value = repr(value)  # 11.0 stays "11.0", the 不适用 row's code
    return unicodedata.normalize("NFKC", cell_text(value)).strip().upper()


def _grid(book: calamine.CalamineWorkbook, name: str, issues: list[Issue]) -> Grid | None:
    sheet = book.get_sheet_by_name(name)
    rows, cols = sheet.total_height, sheet.total_width
    if rows > limits.MAX_ROWS or cols > limits.MAX_COLUMNS:
        issues.append(make_issue("sheet-too-large", sheet=name, subject=name, rows=rows, cols=cols))
        return None
    return sheet.to_python(skip_empty_area=False)  # absolute positions: row i, column j is a1(i, j)


HEADER_ROWS = 50  # a sheet's header is looked for in its first 50 rows


def _find_header(grid: Grid, labels: Sequence[str]) -> tuple[int, dict[str, int]] | None:
    for r, row in enumerate(grid[:HEADER_ROWS]):
        found = _header_in(row, labels)
        if found is not None:
            return r, found
    return None


def _header_in(row: Sequence[Any], labels: Sequence[str]) -> dict[str, int] | None:
    """Each label's column, when the row holds every one of them (the first cell of each)."""
    found: dict[str, int] = {}
    for c, value in enumerate(row):
        text = _label(value)
        if text in labels and text not in found:
            found[text] = c
    return found if len(found) == len(labels) else None


def _header_test(labels: Sequence[str]) -> HeaderTest:
    """For the direct reader: the columns below a sheet's header that the reading functions look at (its labels')."""

    def test(r: int, row: list[Any]) -> Collection[int] | None:
        found = _header_in(row, labels) if r < HEADER_ROWS else None
        return set(found.values()) if found is not None else None

    return test


_SCORE_LABELS = (L.CODE_HEADER, L.VALUE_HEADER, L.EVIDENCE_HEADER)
# Each sheet read, and how the direct reader takes it: every cell, or whole rows down to the header and then only
# the header's columns (the only ones _read_scores and _read_compounds look at below it).
_SHEETS: dict[str, HeaderTest | None] = {
    L.INFO_SHEET: None,
    L.SCORE_SHEET: _header_test(_SCORE_LABELS),
    L.COMPOUND_SHEET: _header_test(L.COMPOUND_COLUMNS),
}


def _at(grid: Grid, r: int, c: int) -> Any:
    row = grid[r]
    return row[c] if c < len(row) else None


def _taken(found: Field, subject: str, label: str | Callable[[], str], issues: list[Issue],
           multiline: bool = False) -> Field:  # fmt: skip
    """The cell as read under `core.clean`, with a `text-cleaned` warning at it when that changed what it holds
    (`label`, or what makes it, names the field in that warning: made only then)."""
    value = found.value
    if not isinstance(value, str):
        return found
    cleaned = clean(value, multiline)
    if cleaned.text == value:
        return found
    if cleaned.changed:
        issues.append(make_issue("text-cleaned", sheet=found.sheet, cell=found.cell, subject=subject,
                                 label=label if isinstance(label, str) else label(), chars=cleaned.codes(),
                                 value=show(cleaned.text)))  # fmt: skip
    return Field(cleaned.text, found.sheet, found.cell)


def _read_scores(grid: Grid, rubric: Rubric, issues: list[Issue]) -> tuple[dict[str, Field], dict[str, Field]]:
    sheet = L.SCORE_SHEET
    labels = _SCORE_LABELS
    header = _find_header(grid, labels)
    if header is None:
        issues.append(make_issue("header-missing", sheet=sheet, labels="、".join(labels)))
        return {}, {}
    at, cols = header
    code_col, value_col, evidence_col = (cols[label] for label in labels)
    known, letters = rubric.entry_code_set, rubric.code_letters
    values: dict[str, Field] = {}
    evidence: dict[str, Field] = {}
    for r in range(at + 1, len(grid)):
        row = grid[r]
        code = _code(row[code_col]) if code_col < len(row) else ""
        if not code:
            continue
        if code not in known:
            if _looks_like_code(code, letters):
                issues.append(make_issue("row-unknown", sheet=sheet, cell=a1(r, code_col), subject=code))
            continue
        if code in values:
            issues.append(make_issue("row-duplicate", sheet=sheet, cell=a1(r, code_col), subject=code,
                                     other=f"{sheet}!{values[code].cell}"))  # fmt: skip
            continue

        def label(code: str = code) -> str:
            return f"{code} {rubric.label_of(code)}"

        def evidence_label(code: str = code) -> str:
            return f"{label(code)}（{L.EVIDENCE_HEADER}）"

        value = row[value_col] if value_col < len(row) else None
        values[code] = _taken(Field(value, sheet, a1(r, value_col)), code, label, issues)
        said = row[evidence_col] if evidence_col < len(row) else None
        evidence[code] = _taken(Field(said, sheet, a1(r, evidence_col)), code, evidence_label, issues, multiline=True)
    return values, evidence


def _looks_like_code(code: str, letters: frozenset[str]) -> bool:
    """Shaped like one of the rubric's codes (7.3; or a letter the rubric's codes begin with, as in B or V1)."""
    head, _, tail = code.partition(".")
    return (head.isdigit() and tail.isdigit() and len(code) <= 6) or (
        len(code) <= 3 and code[0] in letters and (code[1:].isdigit() or not code[1:])
    )


def _read_compounds(grid: Grid, issues: list[Issue]) -> list[CompoundEntry]:
    sheet = L.COMPOUND_SHEET
    header = _find_header(grid, L.COMPOUND_COLUMNS)
    if header is None:
        issues.append(make_issue("header-missing", sheet=sheet, labels="、".join(L.COMPOUND_COLUMNS)))
        return []
    at, cols = header
    inputs = [cols[label] for label in L.COMPOUND_COLUMNS]
    out = []
    for r in range(at + 1, len(grid)):
        row = grid[r]
        for c in inputs:  # a loop, not any(): most rows of the form are empty, and this runs for each of them
            if c < len(row) and row[c] not in ("", None):
                break
        else:
            continue  # an empty row of the form (the template has 200 of them)

        def get(label: str, r: int = r) -> Field:
            c = cols[label]
            return _taken(
                Field(_at(grid, r, c), sheet, a1(r, c)), f"小区第{r + 1}行", f"“小区”表第{r + 1}行{label}", issues
            )

        out.append(CompoundEntry(
            row=r + 1, name=get(L.COMPOUND_NAME), built=get(L.COMPOUND_BUILT), area=get(L.COMPOUND_AREA),
            green=get(L.COMPOUND_GREEN), property_service=get(L.COMPOUND_PROPERTY),
            garbage_sorting=get(L.COMPOUND_SORTING),
        ))  # fmt: skip
    return out


def _read_info(grid: Grid, rubric: Rubric, issues: list[Issue]) -> dict[str, Field]:
    labels = {*IDENTITY_LABELS, *(f.label for f in rubric.form.numbers)}
    found: dict[str, Field] = {}
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            text = _label(value)
            if text in labels and text not in found:
                found[text] = _taken(Field(_at(grid, r, c + 1), L.INFO_SHEET, a1(r, c + 1)), text, text, issues)
    return found


# ── the package's XML: only what the fast reader cannot tell ──


def _sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its part's path in the package."""
    from defusedxml import ElementTree  # noqa: PLC0415 - the XML parser: only where a formula lacks its value

    workbook = ElementTree.fromstring(package.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{NS_PKG_REL}Relationship")}
    parts = {}
    for sheet in workbook.iter(f"{NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{NS_REL}id"), "")
        parts[sheet.get("name", "")] = part_name(target)
    return parts


def formulas_without_value(data: bytes, sheet: str, cells: Iterable[str]) -> set[str]:
    """Which of `cells` of `sheet` hold a formula that has no computed value (the fast reader shows them as blank),
    in the workbook's bytes."""
    wanted = set(cells)
    if not wanted:
        return set()
    with open_package(io.BytesIO(data)) as package:
        part = _sheet_parts(package).get(sheet)
        if part is None or part not in package.namelist():
            return set()
        from defusedxml import ElementTree  # noqa: PLC0415 - see _sheet_parts

        with package.open(part) as stream:
            hits = set()
            for _, element in ElementTree.iterparse(stream, events=("end",), forbid_dtd=True):
                if element.tag == f"{NS_MAIN}c":
                    ref = element.get("r", "")
                    if ref in wanted and element.find(f"{NS_MAIN}f") is not None:
                        value = element.find(f"{NS_MAIN}v")
                        if value is None or not (value.text or "").strip():
                            hits.add(ref)
                    element.clear()
            return hits


def formula_issues(raw: RawWorkbook, rubric: Rubric, blank: Iterable[tuple[str, str]]) -> list[Issue]:
    """For 评分表 input cells that read as blank, those that are really a formula with no computed value: asked
    only about the cells the engine found missing, so a sound file never pays for the second look."""
    cells = dict(blank)  # cell → code
    return [
        make_issue("formula-no-value", sheet=L.SCORE_SHEET, cell=cell, subject=cells[cell],
                   label=f"{cells[cell]} {rubric.label_of(cells[cell])}")
        for cell in sorted(raw.uncomputed(cells))
    ]  # fmt: skip


def _probe(data: bytes) -> Callable[[Collection[str]], frozenset[str]]:
    """The second look at a workbook's 评分表, over the bytes already read; a look that fails finds nothing (the
    values were read, and a blank one is already an error)."""

    def uncomputed(cells: Collection[str]) -> frozenset[str]:
        try:
            return frozenset(formulas_without_value(data, L.SCORE_SHEET, cells))
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:
            return frozenset()

    return uncomputed


def _custom_properties(xml: bytes | None) -> dict[str, str]:
    """The version stamp in docProps/custom.xml: read directly when it is plain (as greencli, Excel, WPS and
    LibreOffice write it), else by the XML parser."""
    if xml is None:
        return {}
    direct = stamp_properties(xml, L.STAMP_PREFIX)
    if direct is not None:
        return {name: clean_line(value).strip() for name, value in direct.items()}
    from defusedxml import ElementTree  # noqa: PLC0415 - only for a part the direct reading declines

    root = ElementTree.fromstring(xml, forbid_dtd=True)
    out = {}
    for prop in root.iter(f"{NS_CUSTOM}property"):
        name = prop.get("name", "")
        if name.startswith(L.STAMP_PREFIX) and len(prop):
            out[name[len(L.STAMP_PREFIX) :]] = clean_line(prop[0].text or "").strip()
    return out


def _stamp(custom_properties: bytes | None, book: calamine.CalamineWorkbook) -> dict[str, str]:
    stamp = _custom_properties(custom_properties)
    if stamp or L.STAMP_SHEET not in book.sheet_names:
        return stamp
    rows = book.get_sheet_by_name(L.STAMP_SHEET).to_python()
    return {cell_text(r[0]): clean_line(cell_text(r[1])).strip() for r in rows[:20] if len(r) >= 2 and cell_text(r[0])}


def read_workbook(path: Path, rubric: Rubric | Standards, data: bytes | None = None) -> RawWorkbook:
    """Everything the file holds for scoring, read under the rubric version stamped in it (of `Standards`; the
    newest when it has no stamp); never raises for a bad file (its problems become issues). The file is read once:
    its bytes (`data`, when the caller already read them to hash them) serve the container check, the cells and
    the formula probe."""
    if data is None:
        whole = read_whole(path)
        if isinstance(whole, Problem):
            return _refused(whole)
        data = whole.data
    inspection = inspect_package(path, data)
    if inspection.problem is not None:
        return _refused(inspection.problem)
    try:
        return dataclasses.replace(_read(data, rubric, inspection), uncomputed=_probe(data))
    except (KeyboardInterrupt, SystemExit):
        raise
    except DefusedXmlException:
        return _refused(Problem(UNSAFE_XML))
    except BaseException as exc:  # a native reader may panic with an exception outside Exception
        # python-calamine never expands entities; it stops at the first one it does not know
        unsafe = isinstance(exc, calamine.XmlError) and "entity" in str(exc)
        return _refused(Problem(UNSAFE_XML) if unsafe else damaged(exc))


def damaged(exc: BaseException) -> Problem:
    """A workbook the spreadsheet library could not read: file-damaged, with the library's words under --debug."""
    return Problem.of("file-damaged", detail=debug_detail(f"{type(exc).__name__}: {exc}"))


def _refused(problem: Problem) -> RawWorkbook:
    """A workbook refused as a whole: one issue with the problem's own code, at the file level (no sheet, no cell)."""
    return RawWorkbook(info={}, entries=Entries(values={}), issues=(file_issue(problem.code, problem.params),))


class UnreadableWorkbook(ValueError):
    """The spreadsheet library could not read a workbook (the roster's): `problem` says so with its code."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.problem,))  # pickled and copied as itself, never from its message


def _read(data: bytes, standards: Rubric | Standards, inspection: Inspection) -> RawWorkbook:
    # The direct reader first: it reads a plain workbook as python-calamine would, faster; for anything it does not
    # read exactly so, python-calamine reads the whole workbook.
    custom_properties = inspection.custom_properties
    try:
        direct = DirectBook(inspection.package or open_package(io.BytesIO(data)))
        stamp = _custom_properties(custom_properties)
        if not stamp and L.STAMP_SHEET in direct.sheet_names:
            raise Unusual("the stamp is in its sheet")
        return _read_sheets(stamp, direct.sheet_names, direct.grid, standards, [])
    except Exception:  # Unusual, or anything else the direct reader met: the other reader decides
        pass
    issues: list[Issue] = []
    book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        stamp = _stamp(custom_properties, book)
        return _read_sheets(stamp, book.sheet_names, lambda name, _: _grid(book, name, issues), standards, issues)
    finally:
        book.close()


def _read_sheets(
    stamp: dict[str, str],
    sheet_names: Collection[str],
    grid: Callable[[str, HeaderTest | None], Grid | None],
    standards: Rubric | Standards,
    issues: list[Issue],
) -> RawWorkbook:
    """The workbook's fields from its three sheets' grids, read under the rubric version of its stamp."""
    if isinstance(standards, Standards):
        chosen = standards.for_stamp(stamp)
        if chosen is None:  # a version this program does not know: read under the newest, never scored
            issues.append(make_issue("rubric-version-unknown", other=stamp.get("rubric_version", ""),
                                     known="、".join(standards.known())))  # fmt: skip
            chosen = standards.newest
        rubric = chosen
    else:
        rubric = standards
    names = set(sheet_names)
    grids: dict[str, Grid | None] = {}
    for name, header in _SHEETS.items():
        if name not in names:
            issues.append(make_issue("sheet-missing", sheet=name, subject=name))
            grids[name] = None
        else:
            grids[name] = grid(name, header)
    info_grid, score_grid, compound_grid = (grids[n] for n in (L.INFO_SHEET, L.SCORE_SHEET, L.COMPOUND_SHEET))
    info = _read_info(info_grid, rubric, issues) if info_grid is not None else {}
    values, evidence = _read_scores(score_grid, rubric, issues) if score_grid is not None else ({}, {})
    compounds = _read_compounds(compound_grid, issues) if compound_grid is not None else []
    entries = Entries(values=values, evidence=evidence, compounds=compounds)
    return RawWorkbook(info=info, entries=entries, stamp=stamp, issues=tuple(issues), version=rubric.version)


def open_workbook_rows(path: Path) -> Grid:
    """The first sheet's cells (for the roster)."""
    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        raise UnreadableWorkbook(damaged(exc)) from None
    try:
        if not book.sheet_names:
            return []
        return book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    finally:
        book.close()
