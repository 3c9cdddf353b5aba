"""What a new office user meets first: narrow terminals, Chinese everywhere, usage mistakes, the year, the roster,
invalid submissions, Windows zip paths, `--out`, and the small things (issue "Field-ready")."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from greencli.cli.app import app
from greencli.core.issues import CATALOGUE, TITLES
from greencli.core.text import display_width
from typer.testing import CliRunner, Result

from tests.district import score_batches
from tests.errors import error_code, problem_codes
from tests.workbooks import filled

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ROSTER = str(SAMPLES / "roster.xlsx")
runner = CliRunner()


def cli(*args: str, columns: int = 120, **env: str) -> Result:
    return runner.invoke(app, list(args), env={"COLUMNS": str(columns), **env}, prog_name="greencli")


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger with the sample district's 2021 and 2022 batches, as `make demo` builds it."""
    return score_batches(tmp_path_factory.mktemp("district"), ("2021", "2022"))


# ── terminal output fits ──

NUMBER = re.compile(r"^\d+(\.\d+)?%?$")


def table_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.strip()]


def assert_fits(output: str, width: int) -> None:
    for line in table_lines(output):
        if "：" in line and not line.startswith(" "):
            continue  # a sentence (a list, a warning) is wrapped by the terminal, not laid out in columns
        assert display_width(line.rstrip()) <= width, f"wider than {width}: {line!r}"
    assert "…" not in output


@pytest.mark.parametrize("width", [60, 80, 120])
def test_score_table_keeps_numbers_codes_and_verdicts_whole(tmp_path: Path, width: int) -> None:
    args = ["score", str(SAMPLES / "inspections" / "2022"), "--roster", ROSTER, "--db", str(tmp_path / "l.db"),
            "--out", str(tmp_path / "o.xlsx")]  # fmt: skip
    doc = json.loads(cli(*args, "--json").stdout)
    out = cli(*args, columns=width).output
    table = out.split("\n\n提醒")[0].split("\n\n无效")[0]
    assert_fits(table, width)
    words = {w for line in table_lines(table) for w in line.split()}
    for r in doc["results"]:
        if r["total"] is not None:
            assert f"{r['total']:.1f}" in words, (width, r["community_id"], r["total"])
        assert r["community_id"] in words
        assert r["subdistrict"] in words
    for label in ("达标", "未达标", "否决", "无效", "被取代"):
        assert label in words
    assert "34 份：达标 26，未达标 2，否决 2，无效 3，被同批更新的评分表取代 1" in out


@pytest.mark.parametrize("width", [60, 80, 120])
def test_progress_table_keeps_subdistricts_rates_and_verdicts_whole(district: Path, width: int) -> None:
    args = ["progress", "--year", "2022", "--roster", ROSTER, "--db", str(district / "l.db")]
    doc = json.loads(cli(*args, "--json").stdout)
    out = cli(*args, columns=width).output
    head = out.split("\n\n")[0]
    assert_fits(head, width)
    words = {w for line in table_lines(head) for w in line.split()}
    for t in doc["subdistricts"]:
        assert t["name"] in words
        assert f"{t['rate'] * 100:.1f}%" in words
        assert {True: "达到", False: "未达到"}[t["met"]] in words
    assert "全区" in words and f"{doc['district']['rate'] * 100:.1f}%" in words


@pytest.mark.parametrize("width", [60, 80, 120])
def test_history_standard_and_template_tables_fit(district: Path, tmp_path: Path, width: int) -> None:
    history = cli("history", "ZJ-01", "--db", str(district / "l.db"), columns=width).output
    assert_fits(history, width)
    assert "#" in history and "96.5" in history
    standard = cli("standard", columns=width).output
    assert_fits(standard.split("加分项")[0], width)
    templates = cli("template", "--roster", ROSTER, "--year", "2022", "--out", str(tmp_path / "t"), columns=width)
    assert_fits(templates.output.split("共 ")[0], width)
    assert "ZJ-12" in templates.output


def test_a_very_narrow_terminal_gets_a_list(tmp_path: Path) -> None:
    out = cli("score", str(SAMPLES / "inspections" / "2022" / "珠江道街道"), "--db", str(tmp_path / "l.db"),
              "--out", str(tmp_path / "o.xlsx"), columns=16).output  # fmt: skip
    assert "珠江道街道 ZJ-05" in out and "总分：97.0" in out and "结论：达标" in out


def help_text(output: str) -> str:
    return re.sub(r"\s+", "", output)


@pytest.mark.parametrize("command", ["", *(c.name or "" for c in app.registered_commands)])
def test_help_at_80_columns_shows_every_option_whole(command: str) -> None:
    args = [command, "-h"] if command else ["-h"]
    out = cli(*args, columns=80).output
    assert all(display_width(line) <= 80 for line in out.splitlines())
    assert "…" not in out and "<" not in out and "{" not in out and "OPTIONS" not in out
    from typer.main import get_command

    root = get_command(app)
    target = root if not command else root.commands[command]  # type: ignore[attr-defined]
    for param in target.params:
        text = getattr(param, "help", None)
        if text:
            assert help_text(text) in help_text(out), (command, param.name)
    if not command:  # the root's help lists every command (each by its name, with its first line of help)
        assert all(f" {c.name} " in out for c in app.registered_commands), out


# ── Chinese everywhere ──

ALLOWED_ASCII = {
    "greencli", "python", "xlsx", "xlsm", "csv", "json", "toml", "sqlite", "wps", "excel", "sha", "yyyy", "mm", "dd",
    "db", "id", "url", "utf", "gbk", "debug", "help", "roster", "rubric", "true", "false", "null", "version", "word",
    "docx", "postgresql", "ledger",
}  # fmt: skip
ALLOWED_ASCII |= {c.name or "" for c in app.registered_commands}  # the commands' own names
ENGLISH_WORD = re.compile(r"(?<![\w/.\\-])([A-Za-z]{3,})(?![\w/.\\-])")


def english_words(text: str) -> list[str]:
    """English words a user would read: option names, paths, environment variables and codes aside."""
    words = []
    for line in text.splitlines():
        line = re.sub(  # noqa: PLW2901
            r"(?<!\w)--?[A-Za-z][\w-]*|\b[a-z]+(?:-[a-z]+)+\b|\S*[/\\]\S*|\S+\.(?:xlsx|db|csv|toml|log)\b|GREENCLI_\w+|\$\w+",
            " ",
            line,
        )
        words += [w for w in ENGLISH_WORD.findall(line) if w.lower() not in ALLOWED_ASCII]
    return words


def english_leaks(tmp: Path) -> Iterator[tuple[str, Result]]:
    damaged = tmp / "damaged.xlsx"
    with zipfile.ZipFile(damaged, "w") as package:  # a package calamine cannot make sense of
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(
            "xl/workbook.xml", "<workbook><sheets><sheet name='基本信息' r:id='rId9'/></sheets></workbook>"
        )
    (tmp / "junk.db").write_bytes(b"not a database" * 50)
    calls: list[list[str]] = [
        ["scor"], ["score", "--rooster", "x"], ["progress", "--year", "22"], ["progress", "--year", "abc"],
        ["score", "--jobs", "100", "x"], ["score"], ["history"], ["progress"], ["rollup"],
        ["score", "x.xlsx", "--roster", str(tmp / "no-such-roster.csv")],
        ["progress", "--year", "2022", "--roster", ROSTER, "--db", str(tmp / "no" / "such" / "folder.db")],
        ["history", "ZJ-01", "--db", str(tmp / "junk.db")],
        ["score", str(damaged), "--db", str(tmp / "d.db"), "--out", str(tmp / "d.xlsx")],
        ["standard"], ["-h"], ["score", "-h"], ["rollup", "-h"], ["template", "-h"],
        ["rollup", "--inbox", str(tmp / "nowhere")],
        ["score", str(damaged), "--out", str(tmp / "汇总.xls")],
    ]  # fmt: skip
    for args in calls:
        yield " ".join(args), cli(*args, columns=80)


CJK = re.compile(r"[\u4e00-\u9fff]")
# What a line may hold without any Chinese: paths, file names, codes, numbers, option names, rules and marks.
NOT_WORDS = re.compile(
    r"\S*[/\\]\S*|\S+\.(?:xlsx|db|csv|toml|log)\b|(?<!\w)--?[A-Za-z][\w-]*|[A-Z]{1,3}-?\d+|\d+(?:\.\d+)?%?|"
    r"[\s\-─│┃|+#=*.,:;!?()\[\]{}<>~✗×√!]+|\b[a-z]+(?:-[a-z]+)+\b|greencli|GREENCLI_\w+"
)


def lines_without_chinese(text: str, typed: set[str]) -> list[str]:
    out = []
    for line in text.splitlines():
        rest = NOT_WORDS.sub("", line)
        rest = " ".join(w for w in rest.split() if w.lower() not in typed)
        if rest and not CJK.search(rest):
            out.append(line)
    return out


def test_every_message_is_chinese(tmp_path: Path) -> None:
    for call, result in english_leaks(tmp_path):
        assert lines_without_chinese(result.output, {w.lower() for w in call.split()}) == [], (call, result.output)
        assert "Traceback" not in result.output, call
        typed = {w.lower() for w in call.split()}  # what the user typed is echoed back, as it was typed
        assert [w for w in english_words(result.output) if w.lower() not in typed] == [], (call, result.output)
        assert result.exit_code in (0, 1, 2), (call, result.exit_code, result.output)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["score"], "缺少参数：文件"),
        (["history"], "缺少参数：社区编码"),
        (["progress"], "缺少必填选项：--year"),
        (["rollup"], "缺少必填选项：--inbox"),
        (["scor"], "没有这个命令：scor（是否想输入 score"),
        (["score", "--rooster", "x"], "没有这个选项：--rooster（是否想输入 --roster？）"),
        (["progress", "--year", "22"], "“22”不是 2020～"),
        (["progress", "--year", "abc"], "“abc”不是整数"),
    ],
)
def test_usage_mistakes_say_what_is_wrong_and_exit_2(args: list[str], expected: str) -> None:
    """The command line's own usage errors (the parser's, translated) have no code: their Chinese words, naming the
    argument or option to fix, are what is under test."""
    result = cli(*args)
    assert result.exit_code == 2 and expected in result.output, result.output


def test_every_issue_code_has_a_chinese_title_in_the_problem_sheet(tmp_path: Path) -> None:
    assert set(TITLES) == set(CATALOGUE)
    assert all(re.search(r"[\u4e00-\u9fff]", t) for t in TITLES.values())
    cli(
        "score",
        str(SAMPLES / "inspections" / "2022"),
        "--db",
        str(tmp_path / "l.db"),
        "--out",
        str(tmp_path / "o.xlsx"),
    )
    sheet = openpyxl.load_workbook(tmp_path / "o.xlsx")["问题清单"]
    header = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    title, code = header.index("问题类型"), header.index("问题代码")
    assert rows and all(r[title] == TITLES[str(r[code])] for r in rows)


def test_standard_names_row_kinds_in_chinese() -> None:
    out = cli("standard").output
    assert "1.1评分" in out and "4.1是/否" in out and "15.1自动计算" in out and "(score)" not in out


# ── the year ──


def test_score_takes_the_year_most_workbooks_carry_and_warns_of_others(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    shutil.copytree(SAMPLES / "inspections" / "2022" / "珠江道街道", batch)
    shutil.copy(SAMPLES / "inspections" / "2021" / "黄河道街道" / "HH-01_黄河社区.xlsx", batch / "HH-01_2021.xlsx")
    args = ["score", str(batch), "--roster", ROSTER, "--db", str(tmp_path / "l.db"), "--out", str(tmp_path / "o.xlsx")]
    doc = json.loads(cli(*args, "--json").stdout)
    assert doc["year"] == 2022 and doc["year_source"] == "files" and doc["years"] == {"2022": 11, "2021": 1}
    old = next(r for r in doc["results"] if r["community_id"] == "HH-01")
    assert old["off_year"] and any(w["issue"] == "year-other" for w in old["warnings"])
    out = cli(*args).output
    assert "统计年度：2022" in out and "2021 年 1 份" in out
    summary = openpyxl.load_workbook(tmp_path / "o.xlsx")["汇总"]
    notes = [row for row in summary.iter_rows(min_row=2, values_only=True) if row[1] == "HH-01"]
    assert notes and "评审年度" in str(notes[0][-2])
    chosen = json.loads(cli(*args, "--json", "--year", "2021").stdout)
    assert chosen["year"] == 2021 and chosen["year_source"] == "option"


def test_rollup_in_january_reports_the_inbox_year_not_the_calendar_year(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES / "inspections" / "2021", inbox)
    result = cli("rollup", "--inbox", str(inbox), "--roster", ROSTER, "--db", str(tmp_path / "l.db"),
                 "--out", str(tmp_path / "o.xlsx"), "--json", "--log", str(tmp_path / "r.log"))  # fmt: skip
    doc = json.loads(result.stdout)
    assert doc["year"] == 2021 and doc["year_source"] == "inbox"
    assert openpyxl.load_workbook(tmp_path / "o.xlsx")["汇总"].max_row > 20
    assert "评审年度 年度=2021" in (tmp_path / "r.log").read_text(encoding="utf-8")


def test_readme_cron_line_names_the_year() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    entry = re.compile(r"^[\d*/,-]+ [\d*/,-]+ [\d*/,-]+ [\d*/,-]+ [\d*/,-]+ ")
    cron = [line for line in readme.splitlines() if "greencli rollup" in line and entry.match(line)]
    assert cron and all("--year" in line for line in cron)


# ── the roster ──


def roster(tmp: Path, rows: list[tuple[str, str, str, str]]) -> str:
    path = tmp / "roster.csv"
    lines = ["社区编码,社区名称,乡街,类型", *(",".join(r) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return str(path)


@pytest.mark.parametrize(
    ("kind", "problem"),
    [("社区", "roster-row-kind"), ("", "roster-row-empty"), ("城市 社区", "roster-row-kind")],
)
def test_an_unknown_community_kind_is_an_error_naming_the_row(tmp_path: Path, kind: str, problem: str) -> None:
    path = roster(tmp_path, [("A-01", "甲社区", "珠江道街道", "城市社区"), ("A-02", "乙社区", "珠江道街道", kind)])
    result = cli("template", "--roster", path, "--out", str(tmp_path / "t"), "--json")
    assert result.exit_code == 2 and error_code(result) == "roster-unusable"
    assert problem_codes(result) == [problem]
    assert not (tmp_path / "t").exists()


def test_villages_of_both_spellings_are_listed_never_counted_and_codes_are_unique_whatever_the_case(
    tmp_path: Path,
) -> None:
    path = roster(tmp_path, [("A-01", "甲社区", "渤海乡", "城市社区"), ("A-02", "乙村", "渤海乡", "村"),
                             ("A-03", "丙社区", "渤海乡", "农村社区")])  # fmt: skip
    doc = json.loads(cli("template", "--roster", path, "--out", str(tmp_path / "t"), "--json").stdout)
    assert doc["written"] == 1 and {c["kind"] for c in doc["not_urban"]} == {"村", "农村社区"}
    twice = roster(tmp_path, [("A-01", "甲社区", "渤海乡", "城市社区"), ("a-01", "乙社区", "渤海乡", "城市社区")])
    result = cli("template", "--roster", twice, "--out", str(tmp_path / "u"), "--json")
    assert result.exit_code == 2 and error_code(result) == "roster-unusable"
    assert problem_codes(result) == ["roster-row-duplicate"]


# ── invalid submissions ──


def test_an_invalid_submission_is_remembered_as_waiting_for_correction(district: Path) -> None:
    args = ["progress", "--year", "2022", "--roster", ROSTER, "--db", str(district / "l.db")]
    doc = json.loads(cli(*args, "--json").stdout)
    by_code = {c["community_id"]: c for c in doc["communities"]}
    for code in ("ZJ-10", "HH-09", "CC-08"):  # their only 2022 workbooks are invalid
        assert by_code[code]["invalid_submission"] is True
        assert by_code[code]["status"] in ("absent", "fail", "pending")  # computed from valid evaluations only
    assert not any(c["invalid_submission"] for code, c in by_code.items() if code not in ("ZJ-10", "HH-09", "CC-08"))
    candidates = {c["community_id"]: c for c in doc["candidates"]}
    assert candidates["ZJ-10"]["display_label"] == "待改正"
    out = cli(*args).output
    assert "待改正" in out and "ZJ-10（秦皇西社区）" in out
    history = cli("history", "ZJ-10", "--db", str(district / "l.db"))
    assert "无效的评分表" in history.output and "L5" in history.output  # the formula typed into 1.1's 录入值
    data = json.loads(cli("history", "ZJ-10", "--db", str(district / "l.db"), "--json").stdout)
    # The ledger keeps an invalid submission's first error as its text (no code): its words are all there is to check.
    assert data["invalid_submissions"][0]["year"] == 2022 and "公式" in data["invalid_submissions"][0]["first_error"]


def test_a_title_holder_with_an_invalid_workbook_stays_pending_with_a_note(tmp_path: Path) -> None:
    db = str(tmp_path / "l.db")
    filled(tmp_path / "y2021", "ZJ-01", "珠江社区", year=2021)
    cli("score", str(tmp_path / "y2021"), "--roster", ROSTER, "--db", db, "--out", str(tmp_path / "a.xlsx"))
    filled(tmp_path / "y2022", "ZJ-01", "珠江社区", year=2022, values={"7.3": 9})
    result = cli("score", str(tmp_path / "y2022"), "--roster", ROSTER, "--db", db, "--out", str(tmp_path / "b.xlsx"))
    assert result.exit_code == 1
    doc = json.loads(cli("progress", "--year", "2022", "--roster", ROSTER, "--db", db, "--json").stdout)
    zj = next(c for c in doc["communities"] if c["community_id"] == "ZJ-01")
    assert zj["status"] == "pending" and zj["invalid_submission"] is True and "待改正" in zj["display_label"]
    filled(tmp_path / "fixed", "ZJ-01", "珠江社区", year=2022)  # corrected and sent again
    cli("score", str(tmp_path / "fixed"), "--roster", ROSTER, "--db", db, "--out", str(tmp_path / "c.xlsx"))
    doc = json.loads(cli("progress", "--year", "2022", "--roster", ROSTER, "--db", db, "--json").stdout)
    zj = next(c for c in doc["communities"] if c["community_id"] == "ZJ-01")
    assert zj["status"] == "repass" and zj["invalid_submission"] is False


# ── Windows zip paths ──


def backslash_copy(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename.replace("/", "\\"), old.read(info))
    return target


def test_zip_entries_with_backslashes_read_as_the_same_workbook(tmp_path: Path) -> None:
    source = SAMPLES / "inspections" / "2022" / "珠江道街道" / "ZJ-09_嘉陵江社区.xlsx"
    copy = backslash_copy(source, tmp_path / "windows" / "ZJ-09.xlsx")
    assert any("\\" in n for n in zipfile.ZipFile(copy).namelist())
    one = json.loads(cli("score", str(source), "--dry-run", "--json").stdout)["results"][0]
    two = json.loads(cli("score", str(copy), "--dry-run", "--json").stdout)["results"][0]
    assert two["verdict"] == one["verdict"] == "fail" and two["total"] == one["total"] == 79.5 and not two["errors"]


def test_a_formula_without_value_is_still_found_behind_backslash_paths(tmp_path: Path) -> None:
    source = SAMPLES / "inspections" / "2022" / "珠江道街道" / "ZJ-10_秦皇西社区.xlsx"
    copy = backslash_copy(source, tmp_path / "ZJ-10.xlsx")
    result = json.loads(cli("score", str(copy), "--dry-run", "--json").stdout)["results"][0]
    assert [e["issue"] for e in result["errors"]] == ["formula-no-value"]


# ── --out ──


@pytest.mark.parametrize("command", ["score", "rollup", "progress"])
def test_out_folder_missing_extension_and_wrong_extension(tmp_path: Path, command: str) -> None:
    db = str(tmp_path / "l.db")
    cli("score", str(SAMPLES / "inspections" / "2022" / "渤海乡"), "--roster", ROSTER, "--db", db,
        "--out", str(tmp_path / "seed.xlsx"))  # fmt: skip

    def run(out: str, *more: str) -> Result:
        head = {
            "score": ["score", str(SAMPLES / "inspections" / "2022" / "渤海乡")],
            "rollup": ["rollup", "--inbox", str(SAMPLES / "inspections" / "2022" / "渤海乡"), "--log",
                       str(tmp_path / "r.log")],
            "progress": ["progress", "--year", "2022"],
        }[command]  # fmt: skip
        return cli(*head, "--roster", ROSTER, "--db", db, "--out", out, *more)

    result = run(str(tmp_path / "outdir") + "/")
    assert result.exit_code in (0, 1), result.output
    assert (tmp_path / "outdir" / "绿色社区汇总_2022.xlsx").is_file()  # the year's own name
    (tmp_path / "existing").mkdir()
    assert run(str(tmp_path / "existing")).exit_code in (0, 1)
    assert (tmp_path / "existing" / "绿色社区汇总_2022.xlsx").is_file()
    result = run(str(tmp_path / "汇总"))
    assert (tmp_path / "汇总.xlsx").is_file() and not (tmp_path / "汇总").exists()
    if command != "rollup":
        assert "汇总.xlsx" in result.output
    for wrong in ("汇总.xls", "汇总.csv"):
        result = run(str(tmp_path / wrong), "--json")
        assert result.exit_code == 2 and error_code(result) == "output-not-xlsx" and not (tmp_path / wrong).exists()


# ── the small ones ──


def test_the_two_sheets_that_count_differently_say_so(district: Path) -> None:
    out = district / "p.xlsx"
    shutil.copy(district / "2022.xlsx", out)
    cli("progress", "--year", "2022", "--roster", ROSTER, "--db", str(district / "l.db"), "--out", str(out))
    wb = openpyxl.load_workbook(out)
    texts = {name: " ".join(str(c.value) for row in wb[name].iter_rows() for c in row if c.value) for name in
             ("乡街统计", "年度进度")}  # fmt: skip
    assert "含村和农村社区" in texts["乡街统计"] and "只统计名单中的城市社区" in texts["年度进度"]


def test_codes_are_found_whatever_their_case(district: Path) -> None:
    doc = json.loads(cli("history", "zj-01", "--db", str(district / "l.db"), "--json").stdout)
    assert doc["community_id"] == "ZJ-01" and len(doc["evaluations"]) >= 2


def test_history_shows_record_numbers_that_supersession_refers_to(district: Path) -> None:
    out = cli("history", "ZJ-01", "--db", str(district / "l.db")).output
    numbers = set(re.findall(r"#(\d+)", out))
    referred = set(re.findall(r"已被 #(\d+) 取代", out))
    assert referred and referred <= numbers


def test_rollup_with_a_log_keeps_stdout_quiet_for_cron(tmp_path: Path) -> None:
    args = ["rollup", "--inbox", str(SAMPLES / "inspections" / "2022" / "渤海乡"), "--roster", ROSTER,
            "--db", str(tmp_path / "l.db"), "--out", str(tmp_path / "o.xlsx"), "--year", "2022"]  # fmt: skip
    quiet = cli(*args, "--log", str(tmp_path / "r.log"))
    assert quiet.exit_code == 0 and quiet.stdout == ""
    assert "结束" in (tmp_path / "r.log").read_text(encoding="utf-8")
    assert json.loads(cli(*args, "--log", str(tmp_path / "r.log"), "--json").stdout)["found"] == 2
    assert "2022 年度，找到 2 份" in cli(*args).stdout


@pytest.mark.parametrize(("code", "value", "ok"), [("16.1", "有", True), ("16.2", "无", True), ("4.1", "有", False),
                                                   ("8.1", "无", False)])  # fmt: skip
def test_have_and_have_not_only_on_rows_phrased_have(tmp_path: Path, code: str, value: str, ok: bool) -> None:
    path = filled(tmp_path, "ZJ-02", values={code: value})
    result: dict[str, Any] = json.loads(cli("score", str(path), "--dry-run", "--json").stdout)["results"][0]
    if ok:
        assert result["verdict"] != "invalid"
        assert result["items"][code.split(".", maxsplit=1)[0]] == (4.0 if value == "有" else 2.0)
    else:
        assert [e["issue"] for e in result["errors"]] == ["value-have-not-allowed"]


@pytest.mark.parametrize(
    ("text", "width"),
    [("秦创绿〔2023〕5号", 12), ("秦创绿〔2023〕5号", 8), ("评审标准（试行）说明", 16), ("荣誉【全国】文明社区", 10)],
)
def test_wrapped_text_keeps_brackets_with_what_they_enclose(text: str, width: int) -> None:
    from greencli.core.text import wrap

    lines = wrap(text, width)
    assert "".join(lines) == text and all(display_width(line) <= width for line in lines)
    assert not any(line[0] in "）〕】" for line in lines[1:]), lines  # 标点禁则: no closing mark starts a line
    assert not any(line[-1] in "（〔【" for line in lines[:-1]), lines  # nor an opening one ends a line
