"""Reading the roster of communities (xlsx or csv) with the columns 社区编码/社区名称/乡街/类型."""

from __future__ import annotations

import contextlib
import csv
import io
import sys
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from greencli.adapters.cells import cell_text
from greencli.adapters.files import path_text
from greencli.adapters.oserrors import describe_os_error
from greencli.core.clean import clean, clean_line, has_forbidden
from greencli.core.errors import GreencliError, Problem, problems_of
from greencli.core.issues import Issue, make_issue
from greencli.core.roster import KINDS, Community
from greencli.core.values import show

CODE, NAME, SUBDISTRICT, KIND = "社区编码", "社区名称", "乡街", "类型"
REQUIRED = (CODE, NAME, SUBDISTRICT, KIND)
ROSTER_ENV = "GREENCLI_ROSTER"
# CSV files saved by Chinese Excel or WPS are often GBK (a subset of GB 18030), not UTF-8.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
# A roster is a list of communities, not a data dump: a district has dozens, a province thousands.
MAX_ROSTER_ROWS = 100_000


class RosterError(GreencliError):
    """The roster cannot be used (exit code 2, code roster-unusable); every problem is listed, each with its code
    (`parts`; `problems` gives their texts)."""

    def __init__(self, path: Path, problems: Sequence[Problem | str]) -> None:
        super().__init__("roster-unusable", path=path_text(path), problems=problems_of(problems))

    @property
    def problems(self) -> list[str]:
        return [p.message for p in self.parts]


def _rows_from_csv(path: Path) -> list[list[object]]:
    data = path.read_bytes()
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        dialect: type[csv.Dialect] | csv.Dialect = csv.excel
        with contextlib.suppress(csv.Error):  # one column, or odd quoting: plain comma-separated
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
        return [list(row) for row in csv.reader(io.StringIO(text), dialect)]
    raise RosterError(path, [Problem("roster-encoding")])


def _rows_from_xlsx(path: Path) -> list[list[object]]:
    # the spreadsheet reader, loaded only for a roster kept as a workbook (a CSV one, the usual, never needs it)
    from greencli.adapters.container import sniff_workbook  # noqa: PLC0415
    from greencli.adapters.xlsx_reader import UnreadableWorkbook, open_workbook_rows  # noqa: PLC0415

    problem = sniff_workbook(path)
    if problem is not None:
        raise RosterError(path, [problem])
    try:
        return open_workbook_rows(path)
    except UnreadableWorkbook as exc:  # the spreadsheet library could not read it
        raise RosterError(path, [exc.problem]) from exc


@dataclass(frozen=True)
class RosterRead:
    """The communities of a usable roster, and the warnings about it (each naming the roster's row)."""

    communities: list[Community]
    warnings: list[Issue]


def load_roster(path: Path) -> RosterRead:
    """All communities of the roster, in file order, with its warnings; `RosterError` lists every problem of an
    unusable one. Every cell is read under the one rule of `core.clean`, as workbooks are."""
    try:
        suffix = path.suffix.lower()
        if suffix == ".csv":
            rows = _rows_from_csv(path)
        elif suffix in (".xlsx", ".xlsm"):
            rows = _rows_from_xlsx(path)
        else:
            raise RosterError(path, [Problem.of("roster-file-type", suffix=path.suffix)])
    except OSError as exc:
        raise RosterError(path, [Problem.of("roster-unreadable", reason=describe_os_error(exc))]) from exc
    return _communities(path, rows)


def warn_on_stderr(path: Path) -> Callable[[Issue], None]:
    """The roster's warnings for a person: one Chinese line each on stderr (stdout stays the command's output)."""

    def warn(issue: Issue) -> None:
        print(f"提醒：名单文件 {path_text(path)}：{issue.message}", file=sys.stderr)

    return warn


def read_roster(path: Path, warn: Callable[[Issue], None] | None = None) -> list[Community]:
    """All communities of the roster (see `load_roster`); each warning goes to `warn`, by default to stderr."""
    read = load_roster(path)
    report = warn or warn_on_stderr(path)
    for issue in read.warnings:
        report(issue)
    return read.communities


def _header_text(value: object) -> str:
    return clean_line(cell_text(value)).strip()


def _communities(path: Path, rows: list[list[object]]) -> RosterRead:
    header_at = next(
        (i for i, row in enumerate(rows[:20]) if {CODE, NAME} <= {_header_text(v) for v in row}),
        None,
    )
    if header_at is None:
        raise RosterError(path, [Problem.of("roster-header-missing", code_column=CODE, name_column=NAME)])
    header = [_header_text(v) for v in rows[header_at]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RosterError(path, [Problem.of("roster-columns-missing", columns=missing)])
    if len(rows) - header_at > MAX_ROSTER_ROWS:
        raise RosterError(path, [Problem.of("roster-too-long", limit=MAX_ROSTER_ROWS)])
    col = {name: header.index(name) for name in REQUIRED}
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    out: list[Community] = []
    warnings: list[Issue] = []
    for n, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        values: dict[str, str] = {}
        for name, i in col.items():
            text = cell_text(row[i]) if i < len(row) else ""
            if not has_forbidden(text):  # nearly every cell: nothing to clean (a nightly run reads 4,000)
                values[name] = text.strip()
                continue
            cleaned = clean(text)
            values[name] = cleaned.text.strip()
            if cleaned.changed:
                warnings.append(make_issue("roster-text-cleaned", subject=name, row=n, field=name,
                                           chars=cleaned.codes(), value=show(values[name])))  # fmt: skip
        if not any(values.values()):
            continue
        empty = [name for name in REQUIRED if not values[name]]
        if empty:
            problems.append(Problem.of("roster-row-empty", row=n, fields=empty))
            continue
        code = values[CODE]
        kind = unicodedata.normalize("NFKC", values[KIND]).strip()
        if kind not in KINDS:
            problems.append(Problem.of("roster-row-kind", row=n, value=values[KIND], kinds=list(KINDS)))
            continue
        folded = code.casefold()  # ZJ-01 and zj-01 would be one community everywhere else
        if folded in seen:
            problems.append(Problem.of("roster-row-duplicate", row=n, value=code, other=seen[folded]))
            continue
        seen[folded] = n
        out.append(Community(code, values[NAME], values[SUBDISTRICT], kind))
    if problems:
        raise RosterError(path, problems)
    if not out:
        raise RosterError(path, [Problem("roster-empty")])
    return RosterRead(out, warnings)
