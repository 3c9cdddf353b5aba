"""A year's results as plain tables: what `greencli export` writes and what the Python API turns into DataFrames.

Three tables, each a header and rows of plain values (text, numbers, booleans, None):
- 评审记录: every evaluation of the year recorded in the ledger (superseded ones too, marked), one row each;
- 分项得分: for each current evaluation, one row per item (long form, ready to pivot or group);
- 年度状态: every community of the roster at the end of the year (needs the roster).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from greencli.adapters.files import OutputError, atomic_folder, check_length, shown
from greencli.adapters.ledger import Ledger, LedgerAt, ledger_at
from greencli.core.errors import Problem
from greencli.core.outcome import Outcome
from greencli.core.reports import ExportReport, Written
from greencli.core.roster import Community
from greencli.core.rubric import Rubric
from greencli.core.values import as_float
from greencli.jobs.standing import ledger_standing

# the reports are defined in greencli.core.reports (the terminal renders them); importable from here as before
__all__ = ["DataTable", "ExportReport", "Written", "export_out", "run_export", "year_tables"]

Cell = str | int | float | bool | date | datetime | None

EVALUATIONS, ITEMS, STANDINGS = "评审记录", "分项得分", "年度状态"


@dataclass(frozen=True)
class DataTable:
    """One table of an export: its name, column headings and rows."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def evaluations_table(rubric: Rubric, stored: Sequence[Outcome]) -> DataTable:
    categories = tuple(f"{c.number}.{c.name}" for c in rubric.categories)
    columns = ("记录号", "评审年度", "乡街", "社区编码", "社区名称", "结论", "结论代码", "总分", "加分", *categories,
               "否决项", "评审日期", "评审人员", "是否当前", "标准版本", "评分时间", "文件")  # fmt: skip
    rows = []
    for o in stored:
        s = o.stored
        cats = tuple(as_float((o.categories or {}).get(c.number)) for c in rubric.categories)
        rows.append((s.id, o.year, o.subdistrict, o.community_id, o.community, o.verdict.label, o.verdict.value,
                     as_float(o.total), as_float(o.bonus), *cats, "、".join(o.vetoes),
                     o.review_date, o.reviewers, s.current, o.rubric_version, _wall_clock(s.scored_at),
                     o.file))  # fmt: skip
    return DataTable(EVALUATIONS, columns, tuple(rows))


def _wall_clock(moment: str) -> datetime | None:
    """The ledger's local time (with its offset) as the clock on the office wall showed it: a spreadsheet's
    date-time has no offset, and a person reads the hour they scored at."""
    try:
        return datetime.fromisoformat(moment).replace(tzinfo=None)
    except ValueError:
        return None


def items_table(rubric: Rubric, stored: Sequence[Outcome]) -> DataTable:
    columns = ("评审年度", "乡街", "社区编码", "社区名称", "类别", "项", "内容", "满分", "得分", "失分")
    rows = []
    for o in stored:
        if not o.stored.current or o.items is None:
            continue
        for item in rubric.items:
            got = o.items.get(item.number)
            rows.append((o.year, o.subdistrict, o.community_id, o.community, rubric.category(item.category).name,
                         item.number, item.content, float(item.points), as_float(got),
                         None if got is None else float(item.points - got)))  # fmt: skip
    return DataTable(ITEMS, columns, tuple(rows))


def standings_table(rubric: Rubric, roster: Sequence[Community], ledger: Ledger, year: int) -> DataTable:
    standing = ledger_standing(ledger, rubric, roster, year)
    columns = ("乡街", "社区编码", "社区名称", "类型", "计入目标", "年末状态", "状态代码", "最近总分", "最近评审年度",
               "本年评审", "待改正", "可申报省级")  # fmt: skip
    rows = tuple(
        (s.community.subdistrict, s.community.code, s.community.name, s.community.kind, s.community.urban,
         s.status.label, s.status.value, as_float(s.total), s.latest_year, s.evaluated_this_year,
         s.invalid_submission, s.provincial_eligible)
        for s in standing.standings
    )  # fmt: skip
    return DataTable(STANDINGS, columns, rows)


def year_tables(rubric: Rubric, year: int, db: LedgerAt | None, roster: Sequence[Community] | None) -> list[DataTable]:
    """The year's tables from the ledger (年度状态 only with a roster)."""
    with Ledger.open(ledger_at(db), create=False, write=False) as ledger:
        stored = ledger.evaluations(year=year)
        tables = [evaluations_table(rubric, stored), items_table(rubric, stored)]
        if roster is not None:
            tables.append(standings_table(rubric, roster, ledger, year))
    return tables


# What reads as a file's extension (.csv, .xls, .json, .txt), as the district workbook's --out reads one: a name with
# one is a file, never a folder to create. A folder name with a dot in it ("导出.2023") has no such extension.
FILE_SUFFIX = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,5}")


def export_out(out: Path) -> Path:
    """--out of `export`: an .xlsx file, or a folder for the CSV files. A name with another file extension (.csv,
    .xls, .txt…) is refused unless it is a folder that already exists: an export has several tables, and a folder
    named 数据.csv is not what anyone asked for."""
    check_length(out)
    if out.suffix.lower() == ".xlsx" or out.is_dir() or not FILE_SUFFIX.fullmatch(out.suffix):
        return out
    if out.suffix.lower() == ".csv":
        why = Problem.of("export-csv-file")
    elif out.suffix.lower() == ".xls":
        why = Problem.of("export-xls-file")
    else:
        why = Problem.of("export-other-file", suffix=out.suffix)
    raise OutputError("export-out-kind", path=shown(out), why=why.message, folder=shown(out.with_suffix("")),
                      workbook=shown(out.with_suffix(".xlsx")))  # fmt: skip


def run_export(
    rubric: Rubric, year: int, out: Path, db: LedgerAt | None, roster: Sequence[Community] | None
) -> ExportReport:
    """Write the year's tables: to an .xlsx (one sheet each) or to a folder (one CSV each, UTF-8 with BOM)."""
    from greencli.adapters.table_files import write_csv_folder, write_xlsx_tables  # only when writing

    tables = year_tables(rubric, year, db, roster)
    rows = [(t.name, t.columns, t.rows) for t in tables]
    if out.suffix.lower() == ".xlsx":
        written = write_xlsx_tables(out, rows)
    else:  # all the tables written into a folder beside, then moved into place: never half an export
        with atomic_folder(out) as staging:
            written = [str(out / Path(w).name) for w in write_csv_folder(staging, rows)]
    return ExportReport(
        year, str(out), tuple(Written(t.name, len(t.rows), where) for t, where in zip(tables, written, strict=True))
    )
