"""The office's first week (issue 22, items 3, 4 and 7): local time wherever a person reads one, one rule for years,
tables that read whole at 80 and 60 columns, and each message said once, in Chinese, with the right exit code."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from greencli.adapters.rubric_file import load_rubric
from greencli.adapters.terminal import bar
from greencli.cli.app import app
from greencli.core.engine import evaluate
from greencli.core.issues import YEAR_RULE
from greencli.core.listings import NOTICE_KINDS
from greencli.core.rubric import Rubric, year_bounds
from greencli.core.text import display_width
from greencli.core.values import parse_count
from typer.testing import CliRunner, Result

from tests.builders import entries
from tests.district import score_batches
from tests.errors import error_code, message_of, problem_codes
from tests.workbooks import filled

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ROSTER = str(SAMPLES / "roster.xlsx")
SHANGHAI = timezone(timedelta(hours=8))
runner = CliRunner()


def cli(*args: str, columns: int = 80) -> Result:
    return runner.invoke(app, list(args), env={"COLUMNS": str(columns)}, prog_name="greencli")


def as_json(*args: str) -> Any:
    result = cli(*args, "--json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample district's 2022 and 2023 batches in one ledger."""
    return score_batches(tmp_path_factory.mktemp("first-week"), ("2022", "2023"))


@pytest.fixture
def ledger(district: Path, tmp_path: Path) -> str:
    """A copy of the district's ledger that a test may change."""
    shutil.copy(district / "l.db", tmp_path / "l.db")
    return str(tmp_path / "l.db")


@pytest.fixture
def shanghai() -> Iterator[None]:
    """The office's clock: Asia/Shanghai (UTC+8, no summer time)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Shanghai"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def stored(db: str, query: str) -> list[Any]:
    with sqlite3.connect(db) as connection:
        return [row[0] for row in connection.execute(query)]


def local(utc_text: str) -> datetime:
    moment = datetime.fromisoformat(utc_text)
    assert moment.utcoffset() == timedelta(0)  # the ledger keeps UTC
    return moment.astimezone(SHANGHAI)


def fits(output: str, width: int) -> None:
    for line in output.splitlines():
        assert display_width(line.rstrip()) <= width or "：" in line, f"wider than {width}: {line!r}"


# ── times: local where a person reads them, with the offset in JSON ──


def test_history_and_export_show_the_local_time_json_keeps_the_offset(shanghai: None, ledger: str,
                                                                     tmp_path: Path) -> None:  # fmt: skip
    record, utc_text = stored(ledger, "SELECT id || ' ' || scored_at FROM evaluations WHERE community_id = 'ZJ-09'"
                                      " ORDER BY id DESC LIMIT 1")[0].split(" ")  # fmt: skip
    when = local(utc_text)
    doc = as_json("history", "ZJ-09", "--db", ledger)
    scored = {e["id"]: e["scored_at"] for e in doc["evaluations"]}[int(record)]
    assert scored == when.isoformat(timespec="seconds") and scored.endswith("+08:00")
    table = cli("history", "ZJ-09", "--db", ledger, columns=200)
    assert table.exit_code == 0 and when.strftime("%Y-%m-%d %H:%M") in table.output
    assert cli("export", "--year", "2023", "--db", ledger, "--out", str(tmp_path / "csv")).exit_code == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "csv" / "评审记录.csv").read_text(encoding="utf-8-sig"))))
    assert {r["记录号"]: r["评分时间"] for r in rows}[record] == when.strftime("%Y-%m-%d %H:%M:%S")
    assert cli("export", "--year", "2023", "--db", ledger, "--out", str(tmp_path / "x.xlsx")).exit_code == 0
    sheet = openpyxl.load_workbook(tmp_path / "x.xlsx")["评审记录"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == int(record))
    # a date-time cell, as the office clock showed it
    assert row[header.index("评分时间")] == when.replace(microsecond=0, tzinfo=None)
    assert isinstance(row[header.index("评审日期")], datetime)


def test_void_and_conferral_times_are_local(shanghai: None, ledger: str) -> None:
    record = stored(ledger, "SELECT id FROM evaluations WHERE community_id = 'ZJ-01' AND year = 2023")[0]
    voided = as_json("void", str(record), "--reason", "录错社区", "--db", ledger)
    assert voided["voided_at"].endswith("+08:00")
    when = local(stored(ledger, f"SELECT voided_at FROM evaluations WHERE id = {record}")[0])
    assert voided["voided_at"] == when.isoformat(timespec="seconds")
    again = cli("void", str(record), "--reason", "再次", "--db", ledger, "--json")
    assert again.exit_code == 2 and error_code(again) == "record-already-void"
    # The point is the time the message names: the office's local time, without an offset.
    assert f"{when:%Y-%m-%d %H:%M}" in message_of(again) and "+00:00" not in again.output
    named = cli("confer", "ZJ-09", "--year", "2023", "--date", "2023-11-20", "--doc", "秦开绿创〔2023〕12号", "--db",
                ledger)  # fmt: skip
    assert named.exit_code == 0, named.output
    recorded_at = as_json("history", "ZJ-09", "--db", ledger)["conferrals"][0]["recorded_at"]
    assert recorded_at == local(stored(ledger, "SELECT recorded_at FROM conferrals")[0]).isoformat(timespec="seconds")


# ── one rule for years ──


def year_calls(tmp: Path, db: str, year: str) -> dict[str, list[str]]:
    inbox = str(SAMPLES / "inspections" / "2023" / "渤海乡")
    return {
        "template": ["template", "--year", year, "--out", str(tmp / "forms")],
        "score": ["score", inbox, "--year", year, "--db", db, "--out", str(tmp / "s.xlsx")],
        "rollup": ["rollup", "--inbox", inbox, "--year", year, "--db", db, "--out", str(tmp / "r.xlsx")],
        "progress": ["progress", "--year", year, "--db", db],
        "notice": ["notice", "--year", year, "--kind", "通报", "--out", str(tmp / "n.docx"), "--db", db],
        "export": ["export", "--year", year, "--db", db, "--out", str(tmp / "e.xlsx")],
        "confer": ["confer", "ZJ-09", "--year", year, "--date", "2023-11-20", "--doc", "文号", "--db", db],
        "rescore": ["rescore", "--year", year, "--version", "2021.1", "--db", db],
    }


@pytest.mark.parametrize(
    "command", ["template", "score", "rollup", "progress", "notice", "export", "confer", "rescore"]
)
def test_every_command_takes_the_years_of_one_rule_with_one_message(ledger: str, tmp_path: Path, command: str) -> None:
    campaign = load_rubric().campaign
    low, high = year_bounds(campaign, date.today())
    assert (low, high) == (2020, date.today().year + 1)
    for year in (low - 1, high + 1, 1999, 2099):
        result = cli(*year_calls(tmp_path, ledger, str(year))[command], "--json")
        assert result.exit_code == 2 and error_code(result) == "year-out-of-range", result.output
        # One rule for every command: the message states the same bounds, which are what the user must keep to.
        assert YEAR_RULE.format(low=low, high=high) in message_of(result)
    assert not [p for p in tmp_path.iterdir() if p.name != "l.db"]  # refused before any work


def test_the_rule_holds_at_both_ends_and_for_a_workbooks_review_year(ledger: str, tmp_path: Path) -> None:
    low, high = year_bounds(load_rubric().campaign, date.today())
    for year in (low, high):
        assert cli("progress", "--year", str(year), "--db", ledger, "--roster", ROSTER).exit_code == 0
    late = filled(tmp_path / "in", "ZJ-01", year=high + 1)
    ahead = filled(tmp_path / "in", "ZJ-02", year=high)
    doc = as_json("score", str(late), str(ahead), "--dry-run")
    issues = {Path(r["file"]).name: [e["issue"] for e in r["errors"]] for r in doc["results"]}
    assert "year-invalid" in issues[late.name] and "year-invalid" not in issues[ahead.name]
    message = next(e["message"] for r in doc["results"] for e in r["errors"] if e["issue"] == "year-invalid")
    assert YEAR_RULE.format(low=low, high=high) in message


# ── the terminal ──


def header_text(output: str) -> str:
    """A table's header (possibly folded on two lines): everything above its rule."""
    lines = output.splitlines()
    rule = next(n for n, line in enumerate(lines) if set(line.strip()) <= {"─", "-"} and line.strip())
    return " ".join(lines[:rule])


def test_confer_keeps_names_whole_at_80_columns(ledger: str) -> None:
    result = cli("confer", "ZJ-09", "BH-02", "--year", "2023", "--date", "2023-11-20", "--doc", "秦开绿创〔2023〕12号",
                 "--db", ledger)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "嘉陵江社区" in result.output and "海岸社区" in result.output
    fits(result.output, 80)


@pytest.mark.parametrize("width", [60, 80, 120])
def test_score_shows_every_part_of_the_total_or_none(width: int) -> None:
    result = cli("score", str(SAMPLES / "inspections" / "2023" / "珠江道街道"), "--roster", ROSTER, "--dry-run",
                 columns=width)  # fmt: skip
    header = header_text(result.output)
    parts = [part in header for part in ("一", "二", "三", "四", "五", "加分")]
    assert "总分" in header and (all(parts) or not any(parts)), header
    assert all(parts) == (width >= 80)
    fits(result.output, width)


def test_rescore_says_what_is_missing_once_and_ends_as_a_preview_or_a_record(ledger: str) -> None:
    preview = cli("rescore", "--year", "2023", "--version", "2021.1", "--db", ledger)
    assert preview.exit_code == 0, preview.output
    blocked = [c for c in as_json("rescore", "--year", "2023", "--version", "2021.1", "--db", ledger)["communities"]
               if c["verdict_after"] is None]  # fmt: skip
    assert len(blocked) > 1
    assert preview.output.count("评分方式不同，且没有对应关系") == 1
    assert "--apply" in preview.output.splitlines()[-1] and "0 条" not in preview.output
    applied = cli("rescore", "--year", "2023", "--version", "2021.1", "--db", ledger, "--apply")
    assert applied.exit_code == 0 and "0 条" not in applied.output and "--apply" not in applied.output.splitlines()[-1]
    fits(preview.output, 80)


@pytest.mark.parametrize("plain", [False, True])
@pytest.mark.parametrize("width", [10, 14, 20])
def test_the_bar_tells_a_rate_below_the_target_from_one_at_it(width: int, plain: bool) -> None:
    for below, at in ((0.583, 0.6), (0.59, 0.6), (0.29, 0.3)):
        assert bar(below, at, width, plain) != bar(at, at, width, plain)
        assert bar(at + 0.01, at, width, plain).count("[bold]") == bar(at, at, width, plain).count("[bold]") == 1
    assert bar(0.6, None, width, plain) and bar(None, 0.6, width, plain) == ""


def test_the_sprint_list_follows_the_roster_among_equals(district: Path) -> None:
    doc = as_json("progress", "--year", "2023", "--roster", ROSTER, "--db", str(district / "l.db"))
    order = [c["community_id"] for c in doc["communities"]]
    absent = [c["community_id"] for c in doc["candidates"] if c["total"] is None]
    assert len(absent) > 3 and absent == [code for code in order if code in absent]


# ── messages ──


def test_a_file_that_is_not_a_workbook_is_said_once(tmp_path: Path) -> None:
    (tmp_path / "名单.xlsx").write_text("社区编码,社区名称\nZJ-01,珠江社区\n", encoding="utf-8")
    result = cli("score", str(tmp_path / "名单.xlsx"), "--dry-run")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "✗" in line]
    assert len(lines) == 1 and lines[0].count("不是") == 1, lines  # said once: the wording is what is under test
    doc = as_json("score", str(tmp_path / "名单.xlsx"), "--dry-run")
    assert [e["issue"] for e in doc["results"][0]["errors"]] == [
        "file-text"
    ]  # a text file named .xlsx, by its own code


def test_a_workbook_that_is_not_a_form_names_its_missing_sheets_on_one_line(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.create_sheet("签到")["A1"] = "会议签到表"
    book.save(tmp_path / "签到.xlsx")
    result = cli("score", str(tmp_path / "签到.xlsx"), "--dry-run")
    lines = [line for line in result.output.splitlines() if "缺少工作表" in line]  # the line under test: its wording
    assert result.exit_code == 1 and len(lines) == 1 and all(s in lines[0] for s in ("基本信息", "评分表", "小区"))
    doc = as_json("score", str(tmp_path / "签到.xlsx"), "--dry-run")
    assert [e["issue"] for e in doc["results"][0]["errors"]].count("sheet-missing") == 3


def test_an_empty_list_is_said_without_brackets_in_brackets(district: Path, tmp_path: Path) -> None:
    db = str(district / "l.db")
    for kind in NOTICE_KINDS:
        out = str(tmp_path / f"{kind}.docx")
        if as_json("notice", "--year", "2022", "--kind", kind, "--out", out, "--db", db, "--roster", ROSTER)[
            "communities"
        ]:
            continue
        result = cli("notice", "--year", "2022", "--kind", kind, "--out", out, "--db", db, "--roster", ROSTER)
        assert result.exit_code == 0 and "无" in result.output
        assert not re.search(r"（[^）]*（", result.output), result.output
        return
    pytest.fail("no empty 名单 in 2022")


def test_a_toml_mistake_is_chinese_with_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "x"\nversion = \n', encoding="utf-8")
    # The point is the line the message names, where the user must fix the file, in Chinese (not TOML's English).
    result = cli("standard", "--rubric", str(bad), "--json")
    assert (
        result.exit_code == 2 and error_code(result) == "rubric-invalid" and problem_codes(result) == ["rubric-syntax"]
    )
    assert "第 2 行" in message_of(result) and "Invalid" not in result.output
    bad.write_text('id = "x"\nversion = ', encoding="utf-8")  # the end of the file
    result = cli("standard", "--rubric", str(bad), "--json")
    assert (
        result.exit_code == 2 and error_code(result) == "rubric-invalid" and problem_codes(result) == ["rubric-syntax"]
    )
    assert "第 2 行" in message_of(result) and "end of document" not in result.output
    debug = cli("--debug", "standard", "--rubric", str(bad))
    assert debug.exit_code == 2 and "Invalid value" in debug.output and "Traceback" in debug.output


def test_rubric_problems_are_spaced_and_worded(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[campaign]\nfirst_year = 2020\n", encoding="utf-8")
    result = cli("standard", "--rubric", str(bad))
    assert result.exit_code == 2 and "campaign 缺少 targets" in result.output  # the wording is what is under test
    assert not re.search(r"[A-Za-z0-9_\]][\u4e00-\u9fff]", result.output.replace("greencli", "")), result.output


def test_the_standards_title_is_chinese() -> None:
    first = cli("standard").output.splitlines()[0]
    assert "2021.2" in first and "qhd-etdz-green-community" not in first


def test_history_of_a_code_never_seen_is_a_usage_error(district: Path) -> None:
    db = str(district / "l.db")
    unknown = cli("history", "XX-99", "--db", db, "--json")
    assert unknown.exit_code == 2 and error_code(unknown) == "history-community-unknown"
    assert "XX-99" in message_of(unknown)  # the message names the code the user typed
    assert cli("history", "TF-09", "--db", db).exit_code == 0  # only an invalid workbook came in: it is known


@pytest.mark.parametrize(
    "args", [["history", "XX-99"], ["progress", "--year", "1999"], ["export", "--year", "2022", "--out", "x.csv"]]
)
def test_debug_keeps_the_exit_code_and_adds_the_traceback(district: Path, args: list[str]) -> None:
    db = ["--db", str(district / "l.db")]
    plain, debug = cli(*args, *db), cli("--debug", *args, *db)
    assert plain.exit_code == debug.exit_code == 2
    assert "Traceback" in debug.output and "Traceback" not in plain.output
    assert debug.output.rstrip().splitlines()[-1] == plain.output.rstrip().splitlines()[-1]  # the same message


def test_score_without_a_roster_says_that_no_code_was_checked(tmp_path: Path) -> None:
    form = filled(tmp_path / "in", "ZJ-99", year=2023)
    doc = as_json("score", str(form), "--dry-run")
    assert doc["results"][0]["verdict"] == "pass"
    assert doc["roster_checked"] is False and doc["notes"]
    table = cli("score", str(form), "--dry-run")
    assert doc["notes"][0][:12] in table.output.replace("\n", "")
    checked = as_json("score", str(form), "--dry-run", "--roster", ROSTER)
    assert checked["roster_checked"] is True and checked["notes"] == []
    assert [e["issue"] for e in checked["results"][0]["errors"]] == ["roster-unknown"]


@pytest.mark.parametrize("name", ["数据.csv", "数据.xls", "数据.json", "数据.TXT"])
def test_export_refuses_a_file_name_that_is_no_workbook(district: Path, tmp_path: Path, name: str) -> None:
    result = cli("export", "--year", "2022", "--db", str(district / "l.db"), "--out", str(tmp_path / name), "--json")
    assert result.exit_code == 2 and error_code(result) == "export-out-kind"
    assert not (tmp_path / name).exists()


def test_export_to_a_folder_with_a_dot_and_to_an_existing_folder(district: Path, tmp_path: Path) -> None:
    db = str(district / "l.db")
    assert cli("export", "--year", "2022", "--db", db, "--out", str(tmp_path / "导出.2022")).exit_code == 0
    assert (tmp_path / "导出.2022" / "评审记录.csv").is_file()
    (tmp_path / "旧.csv").mkdir()
    assert cli("export", "--year", "2022", "--db", db, "--out", str(tmp_path / "旧.csv")).exit_code == 0


@pytest.mark.parametrize(
    ("text", "count"),
    [("一处", 1), ("两处", 2), ("二处", 2), ("三个", 3), ("十处", 10), ("零", 0), ("〇处", 0), ("两", 2), ("3处", 3),
     (" 两 处 ", 2), ("十一处", None), ("多处", None), ("两处半", None), ("半处", None), ("处", None)],
)  # fmt: skip
def test_counts_read_chinese_numerals_exactly(text: str, count: int | None) -> None:
    assert parse_count(text, ("处", "个")) == (None if count is None else Decimal(count))


def test_a_count_in_words_scores_as_the_number(rubric: Rubric) -> None:
    count_row = next(r for r in rubric.rows() if r.kind.value == "count")
    words = evaluate(rubric, entries(rubric, {count_row.code: "两处"}))
    digits = evaluate(rubric, entries(rubric, {count_row.code: 2}))
    assert not [i for i in words.issues if i.is_error]
    assert (words.total, words.categories) == (digits.total, digits.categories)
    assert words.total is not None and words.total < 100
    veto = next(v for v in rubric.vetoes if v.entered)
    vetoed = evaluate(rubric, entries(rubric, {veto.code: "十处"}))
    assert veto.code in vetoed.vetoes


def test_stored_times_stay_utc(ledger: str) -> None:
    """Storage is unchanged: UTC to the microsecond, so older and newer ledgers order the same way."""
    for text in stored(ledger, "SELECT scored_at FROM evaluations LIMIT 5"):
        assert datetime.fromisoformat(text).tzinfo == UTC or datetime.fromisoformat(text).utcoffset() == timedelta(0)
