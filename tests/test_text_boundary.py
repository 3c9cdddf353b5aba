"""Issue 20: nothing an office types, pastes or names a file stops a command or reaches an output unescaped.

Control characters (every C0, DEL, C1), noncharacters, lone surrogates and direction controls never reach a terminal,
a JSON document, a workbook, a Word document, a CSV file, the rollup log or a generated path; stored text is never
cut; `template` and `score` accept the same codes and names.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
import xlsxwriter
from greencli.adapters.roster import RosterError, load_roster
from greencli.adapters.rubric_file import load_rubric
from greencli.adapters.xlsx_fill import fill
from greencli.adapters.xlsx_reader import read_workbook
from greencli.cli.app import app
from greencli.core.clean import FORBIDDEN, clean, log_value, visible
from greencli.core.values import show
from greencli.jobs.rollup import event
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.builders import C, perfect_values

runner = CliRunner()
RUBRIC = load_rubric()  # the newest version: what `template` writes by default
YEAR = "2022"
KINDS = ("上报名单", "认定名单", "复审通过名单", "撤销名单", "逾期未复审名单", "省级推荐名单", "应复审名单", "通报")

# What may never be in an output (a newline may, between lines and in a multi-line cell).
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
NONCHARACTERS = "\ufdd0\ufdef\ufffe\uffff\U0001fffe\U0010ffff"
BAD_IN_OUTPUT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff\U0001fffe\U0010ffff" + BIDI + "]"
)
C0 = [chr(n) for n in range(0x20)]
# Every C0 character, DEL, a C1 (CSI), U+202E and U+FFFF, spread over the names and 乡街 of a few communities.
HOSTILE = [*C0, "\x7f", "\x9b", "\u202e", "\uffff", "\ufeff"]
REVIEWERS = "张三、李四、王五、赵六（市生态环境局）、钱七（市住建局）、孙八（街道办事处）、周九、吴十、郑十一、王十二"


def hostile_rows() -> list[list[str]]:
    rows = [["社区编码", "社区名称", "乡街", "类型"]]
    chunks = [HOSTILE[i : i + 8] for i in range(0, len(HOSTILE), 8)]
    for n, chunk in enumerate(chunks, start=1):
        name = "幸福" + "".join(f"{ch}{i}" for i, ch in enumerate(chunk)) + "社区\x1b[31m"
        street = ("东" if n % 2 else "西") + "\u202e街道" + chunk[0] + "\x1b"
        rows.append([f"HX-{n:02d}", name, street, "城市社区"])
    rows.append(["HX-LONG" + "9" * 38, "长" * 45, "东\u202e街道\x00\x1b", "城市社区"])  # 45 characters each
    rows.append(["HX-V1", "某\x0b村", "东\u202e街道\x00\x1b", "村"])
    return rows


def write_csv(path: Path, rows: Sequence[Sequence[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def xl(text: str) -> str:
    """openpyxl refuses control characters: a cell holds them as Excel's _xHHHH_ escapes, as Excel itself writes them."""
    return "".join(f"_x{ord(c):04X}_" if ord(c) < 0x20 and c not in "\t\n\r" else c for c in text)


def write_openpyxl(path: Path, rows: Sequence[Sequence[str]]) -> Path:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append([xl(v) for v in row])  # type: ignore[union-attr]
    wb.save(path)
    return path


def write_xlsxwriter(path: Path, rows: Sequence[Sequence[str]]) -> Path:
    """xlsxwriter writes control characters itself as _xHHHH_ escapes."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
    wb.close()
    return path


def cli(*args: str) -> Any:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output and result.exit_code != 70, (args, result.output)
    assert not BAD_IN_OUTPUT.search(result.output), (args, result.output)
    return result


def workbook_text(path: Path) -> Iterator[str]:
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        yield ws.title
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    yield cell.value


def docx_text(path: Path) -> Iterator[str]:
    document = docx.Document(str(path))
    for paragraph in document.paragraphs:
        yield paragraph.text
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                yield cell.text


def assert_clean(texts: Iterator[str] | Sequence[str], where: object) -> None:
    for text in texts:
        assert not BAD_IN_OUTPUT.search(text), (where, text)


def fill_all(paths: Sequence[Path], inbox: Path, reviewers: str = REVIEWERS) -> list[Path]:
    values = perfect_values(RUBRIC)
    out = []
    for path in paths:
        target = inbox / path.relative_to(path.parents[1])
        fill(path, target, values, compounds=(C(),), info={"评审日期": "2022-10-15", "评审人员": reviewers})
        out.append(target)
    return out


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A hostile roster through template → fill → score → rollup, with the files each step wrote."""
    tmp = tmp_path_factory.mktemp("boundary")
    rows = hostile_rows()
    roster = write_csv(tmp / "名单.csv", rows)
    made = cli("template", "--roster", str(roster), "--year", YEAR, "--out", str(tmp / "表"), "--json")
    assert made.exit_code == 0
    paths = [Path(f["path"]) for f in json.loads(made.stdout)["files"]]
    inbox = tmp / "收件箱"
    filled = fill_all(paths, inbox)
    db = str(tmp / "l.db")
    scored = cli(
        "score", *map(str, filled), "--roster", str(roster), "--db", db, "--out", str(tmp / "s.xlsx"), "--json"
    )
    rolled = cli("rollup", "--inbox", str(inbox), "--year", YEAR, "--roster", str(roster), "--db", db,
                 "--out", str(tmp / "r.xlsx"), "--log", str(tmp / "run.log"), "--json", "--jobs", "1")  # fmt: skip
    return {"tmp": tmp, "rows": rows, "roster": roster, "made": made, "paths": paths, "score": scored,
            "rollup": rolled, "db": db}  # fmt: skip


def test_template_writes_clean_names_and_paths(district: dict[str, Any]) -> None:
    doc = json.loads(district["made"].stdout)
    assert len(doc["files"]) == len(district["rows"]) - 2  # the village gets none
    for path in district["paths"]:
        assert path.is_file() and not FORBIDDEN.search(str(path.relative_to(district["tmp"]))), path
    for path in (district["tmp"] / "表").rglob("*"):
        assert not FORBIDDEN.search(path.name), path
    for path in district["paths"]:
        assert_clean(workbook_text(path), path)
    expected = {clean(r[0]).text: (clean(r[1]).text, clean(r[2]).text) for r in district["rows"][1:]}
    for f in doc["files"]:
        assert (f["community"], f["subdistrict"]) == expected[f["community_id"]]
    plain = cli("template", "--roster", str(district["roster"]), "--year", YEAR, "--out", str(district["tmp"] / "表"))
    assert plain.exit_code == 0


def test_roster_warns_by_row_and_every_form_reads_the_same(district: dict[str, Any], tmp_path: Path) -> None:
    rows = district["rows"]
    from_csv = load_roster(district["roster"])
    assert {w.code for w in from_csv.warnings} == {"roster-text-cleaned"}
    assert {w.subject for w in from_csv.warnings} == {"社区名称", "乡街"}
    warned_rows = {int(re.search(r"第(\d+)行", w.message)[1]) for w in from_csv.warnings}  # type: ignore[index]
    assert warned_rows == set(range(2, len(rows) + 1))
    # An .xlsx cannot hold U+FFFE/U+FFFF: lxml refuses them, xlsxwriter writes _xFFFF_, which is read back as those
    # seven characters (harmless text); every other character reads as from the .csv.
    xml_rows = [[v.replace("\uffff", "").replace("\ufffe", "") for v in row] for row in rows]
    expected = load_roster(write_csv(tmp_path / "x.csv", xml_rows))
    assert load_roster(write_xlsxwriter(tmp_path / "w.xlsx", xml_rows)) == expected
    assert load_roster(write_openpyxl(tmp_path / "o.xlsx", xml_rows)) == expected
    same = [(w.code, w.subject) for w in from_csv.warnings]
    assert [(w.code, w.subject) for w in expected.warnings] == same
    assert [(w.code, w.subject) for w in load_roster(write_xlsxwriter(tmp_path / "ffff.xlsx", rows)).warnings] == same
    for c in from_csv.communities:
        assert not FORBIDDEN.search(c.code + c.name + c.subdistrict + c.kind), c
    result = cli("template", "--roster", str(tmp_path / "o.xlsx"), "--year", YEAR, "--out", str(tmp_path / "t"))
    assert result.exit_code == 0 and "提醒" in result.stderr


def test_codes_equal_once_cleaned_are_the_duplicate_code_error(tmp_path: Path) -> None:
    rows = [
        ["社区编码", "社区名称", "乡街", "类型"],
        ["HX-1", "甲", "东", "城市社区"],
        ["HX\u202e-1\x1b", "乙", "东", "城市社区"],
    ]
    with pytest.raises(RosterError, match="重复"):
        load_roster(write_csv(tmp_path / "dup.csv", rows))
    result = cli("template", "--roster", str(tmp_path / "dup.csv"), "--year", YEAR, "--out", str(tmp_path / "t"))
    assert result.exit_code == 2


def test_score_accepts_what_template_wrote(district: dict[str, Any]) -> None:
    result = district["score"]
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {r["verdict"] for r in doc["results"]} == {"pass"}
    long = next(r for r in doc["results"] if r["community_id"].startswith("HX-LONG"))
    assert long["community_id"] == "HX-LONG" + "9" * 38 and long["community"] == "长" * 45
    assert all(r["reviewers"] == REVIEWERS for r in doc["results"])
    assert_clean([result.stdout], "score --json")
    assert_clean(workbook_text(district["tmp"] / "s.xlsx"), "score --out")
    table = cli("score", *map(str, sorted((district["tmp"] / "收件箱").rglob("*.xlsx"))), "--roster",
                str(district["roster"]), "--db", str(district["tmp"] / "other.db"), "--dry-run")  # fmt: skip
    assert table.exit_code == 0 and "HX-LONG" in table.output


def test_rollup_then_every_report(district: dict[str, Any]) -> None:
    tmp, db, roster = district["tmp"], district["db"], str(district["roster"])
    rolled = district["rollup"]
    assert rolled.exit_code == 0 and json.loads(rolled.stdout)["invalid"] == 0, rolled.output
    assert_clean(workbook_text(tmp / "r.xlsx"), "rollup --out")
    assert_clean((tmp / "run.log").read_text(encoding="utf-8").splitlines(), "rollup log")
    progress = cli("progress", "--year", YEAR, "--roster", roster, "--db", db, "--out", str(tmp / "p.xlsx"))
    assert progress.exit_code == 0
    assert_clean(workbook_text(tmp / "p.xlsx"), "progress --out")
    as_json = cli("progress", "--year", YEAR, "--roster", roster, "--db", db, "--json")
    assert as_json.exit_code == 0 and json.loads(as_json.stdout)["district"]["passed"] == len(district["paths"])
    for kind in KINDS:
        out = tmp / f"{kind}.docx"
        result = cli("notice", "--year", YEAR, "--kind", kind, "--out", str(out), "--roster", roster, "--db", db)
        assert result.exit_code == 0 and out.is_file(), (kind, result.output)
        assert_clean(docx_text(out), kind)
    for target in ("导出.xlsx", "导出"):
        result = cli("export", "--year", YEAR, "--out", str(tmp / target), "--roster", roster, "--db", db)
        assert result.exit_code == 0, result.output
    assert_clean(workbook_text(tmp / "导出.xlsx"), "export xlsx")
    for table in (tmp / "导出").glob("*.csv"):
        text = table.read_text(encoding="utf-8-sig")
        assert_clean([text], table)
        if table.stem == "评审记录":
            assert REVIEWERS in text and "长" * 45 in text
    history = cli("history", "HX-01", "--db", db, "--json")
    assert history.exit_code == 0
    assert {e["reviewers"] for e in json.loads(history.stdout)["evaluations"]} == {REVIEWERS}
    assert_clean([history.stdout], "history")


def test_workbook_cells_are_cleaned_with_a_warning_at_the_cell(tmp_path: Path) -> None:
    made = cli("template", "--year", YEAR, "--out", str(tmp_path / "t"), "--json")
    blank = Path(json.loads(made.stdout)["files"][0]["path"])
    values = {**perfect_values(RUBRIC), "4.1": "是\x0b", "1.1": "2\x1b"}
    evidence = {"1.2": "第一行\r\n第二行\x1b[31m\u2028第三行", "2.1": "照片\t两张"}
    info = {"社区编码": "HX\x1b-9", "社区名称": "\u202e甲社区", "乡街": "东街道\x00", "评审年度": 2022,
            "评审日期": "2022-10-15", "评审人员": "张三\n李四\x07"}  # fmt: skip
    target = tmp_path / "e.xlsx"
    fill(blank, target, {k: xl(v) if isinstance(v, str) else v for k, v in values.items()},
         evidence={k: xl(v) for k, v in evidence.items()}, compounds=(C(name=xl("花园\x1b小区")),),
         info={k: xl(v) if isinstance(v, str) else v for k, v in info.items()})  # fmt: skip
    raw = read_workbook(target, RUBRIC)
    warned = {(i.sheet, i.code) for i in raw.issues}
    assert ("基本信息", "text-cleaned") in warned and ("评分表", "text-cleaned") in warned
    assert ("小区", "text-cleaned") in warned and all(not i.is_error for i in raw.issues)
    assert raw.info["社区编码"].value == "HX-9" and raw.info["社区名称"].value == "甲社区"
    assert raw.info["评审人员"].value == "张三 李四"
    assert raw.entries.evidence["1.2"].value == "第一行\n第二行[31m\n第三行"
    assert raw.entries.evidence["2.1"].value == "照片 两张"
    assert raw.entries.values["4.1"].value == "是 " and raw.entries.values["1.1"].value == "2"
    cells = {i.cell for i in raw.issues if i.code == "text-cleaned"}
    assert raw.info["社区编码"].cell in cells and raw.entries.evidence["1.2"].cell in cells
    assert raw.entries.evidence["2.1"].cell not in cells  # a tab folded to a space is not worth a warning
    result = cli("score", str(target), "--db", str(tmp_path / "l.db"), "--out", str(tmp_path / "o.xlsx"), "--json")
    assert result.exit_code == 0, result.output
    r = json.loads(result.stdout)["results"][0]
    assert r["verdict"] == "pass" and r["community_id"] == "HX-9" and r["reviewers"] == "张三 李四"
    assert "text-cleaned" in {w["issue"] for w in r["warnings"]}
    assert_clean(workbook_text(tmp_path / "o.xlsx"), "score --out")
    shown = cli("score", str(target), "--db", str(tmp_path / "l2.db"), "--out", str(tmp_path / "o2.xlsx"))
    assert shown.exit_code == 0


def test_a_file_name_is_one_log_line_and_escaped_everywhere(tmp_path: Path) -> None:
    made = cli("template", "--year", YEAR, "--out", str(tmp_path / "t"), "--json")
    blank = Path(json.loads(made.stdout)["files"][0]["path"])
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    names = ["伪造\n2026-01-01T00:00:00+08:00 结束 退出码=0.xlsx", "颜色\x1b[31m.xlsx", "反向\u202excod.xlsx",
             "等号 年度=1999.xlsx"]  # fmt: skip
    for name in names:
        shutil.copy(blank, inbox / name)  # blank: invalid, so each is logged by name
    log = tmp_path / "run.log"
    result = cli("rollup", "--inbox", str(inbox), "--year", YEAR, "--db", str(tmp_path / "l.db"),
                 "--out", str(tmp_path / "o.xlsx"), "--log", str(log), "--json", "--jobs", "1")  # fmt: skip
    assert result.exit_code == 1 and json.loads(result.stdout)["invalid"] == len(names)
    lines = log.read_text(encoding="utf-8").splitlines()
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d"
    pair = r'\S+?=(?:"(?:[^"\\]|\\.)*"|[^\s"=]+)'
    for line in lines:
        assert re.fullmatch(rf"{stamp} \S+(?: {pair})*", line), line
        assert not BAD_IN_OUTPUT.search(line)
    assert [line.split(" ")[1] for line in lines].count("结束") == 1
    invalid = [line for line in lines if line.split(" ")[1] == "无效"]
    assert len(invalid) == len(names)
    assert sum("\\n2026-01-01" in line for line in invalid) == 1
    for line in invalid:  # the pairs as a reader splits them: a name cannot add one
        assert [k for k, _ in re.findall(rf"(\S+?)=({pair[5:]})", line.split(" ", 2)[2])] == ["文件", "问题"], line
    again = cli("score", *(str(inbox / n) for n in names), "--db", str(tmp_path / "l2.db"),
                "--out", str(tmp_path / "o2.xlsx"), "--json")  # fmt: skip
    files = [r["file"] for r in json.loads(again.stdout)["results"]]
    assert len(set(files)) == len(names) and not any(FORBIDDEN.search(f) for f in files)
    table = cli("score", *(str(inbox / n) for n in names), "--db", str(tmp_path / "l3.db"),
                "--out", str(tmp_path / "o3.xlsx"))  # fmt: skip
    assert table.exit_code == 1


def test_rich_markup_in_a_name_is_printed_as_typed(tmp_path: Path) -> None:
    rows = [["社区编码", "社区名称", "乡街", "类型"], ["M-1", "[/b]甲[bold]社区", "[/]东街道", "城市社区"]]
    result = cli("template", "--roster", str(write_csv(tmp_path / "m.csv", rows)), "--year", YEAR,
                 "--out", str(tmp_path / "t"))  # fmt: skip
    assert result.exit_code == 0 and "[/b]甲[bold]社区" in result.output


def test_the_rule_itself() -> None:
    assert clean("a\x0bb").text == "a b" and clean("a\x0bb").changed
    assert clean("a\x0bb", multiline=True).text == "a\nb"
    assert clean("a\r\nb").text == "a b" and not clean("a\r\nb").changed
    assert clean("a\r\nb", multiline=True).text == "a\nb"
    assert clean("\u202e\x1b[31m红\uffff\ud800").text == "[31m红"
    assert clean("😀\u200d🌱 𠀀").text == "😀\u200d🌱 𠀀"  # emoji with their joiner, CJK ext-B
    assert visible("a\nb\x1b\u202e\U0010ffff") == "a\\nb\\x1b\\u202e\\U0010ffff"
    assert log_value("a b") == '"a b"' and log_value('x"=y') == '"x\\"=y"' and log_value("") == '""'
    assert log_value("ok") == "ok"
    assert event("无效", 文件=Path("a\nb 年度=1.xlsx")) == '无效 文件="a\\nb 年度=1.xlsx"'
    assert show("长" * 60).endswith("…") and len(show("长" * 60)) == 40  # cut only when quoted in a message


USER_TEXT = st.lists(
    st.one_of(
        st.characters(codec="utf-8"),  # everything but lone surrogates: controls, noncharacters, bidi, CJK ext-B
        st.sampled_from([*HOSTILE, *BIDI, *NONCHARACTERS, "😀", "👩\u200d🌾", "𠀀", "=", '"', "[/]", "[bold]", "\\"]),
    ),
    min_size=1,
    max_size=20,
).map("".join)


@given(USER_TEXT, st.booleans())
def test_cleaning_is_total_and_stable(text: str, multiline: bool) -> None:
    cleaned = clean(text, multiline).text
    assert clean(cleaned, multiline).text == cleaned and not BAD_IN_OUTPUT.search(cleaned)
    assert "\n" not in cleaned or multiline
    line = visible(text)
    assert not FORBIDDEN.search(line) and "\n" not in log_value(text)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=USER_TEXT, street=USER_TEXT)
def test_any_pasted_name_goes_through_template_and_score(tmp_path: Path, name: str, street: str) -> None:
    folder = tmp_path / "run"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    rows = [["社区编码", "社区名称", "乡街", "类型"], ["P-1", name, street, "城市社区"]]
    roster = write_csv(folder / "r.csv", rows)
    made = cli("template", "--roster", str(roster), "--year", YEAR, "--out", str(folder / "t"), "--json")
    if not clean(name).text.strip() or not clean(street).text.strip():
        assert made.exit_code == 2  # nothing left of a required cell: the roster's empty-cell error
        return
    assert made.exit_code == 0, made.output
    paths = [Path(f["path"]) for f in json.loads(made.stdout)["files"]]
    assert not any(FORBIDDEN.search(str(p.relative_to(folder))) for p in paths)
    filled = fill_all(paths, folder / "in", reviewers="评审人员" * 20)
    scored = cli("score", *map(str, filled), "--roster", str(roster), "--db", str(folder / "l.db"),
                 "--out", str(folder / "o.xlsx"), "--json")  # fmt: skip
    assert scored.exit_code == 0, scored.output
    result = json.loads(scored.stdout)["results"][0]
    assert result["verdict"] == "pass" and result["community"] == clean(name).text.strip()
    assert result["reviewers"] == "评审人员" * 20
    assert_clean(workbook_text(folder / "o.xlsx"), "score --out")
    progress = cli("progress", "--year", YEAR, "--roster", str(roster), "--db", str(folder / "l.db"),
                   "--out", str(folder / "p.xlsx"))  # fmt: skip
    assert progress.exit_code == 0
    notice = cli("notice", "--year", YEAR, "--kind", "通报", "--out", str(folder / "n.docx"), "--roster", str(roster),
                 "--db", str(folder / "l.db"))  # fmt: skip
    assert notice.exit_code == 0
    assert_clean(docx_text(folder / "n.docx"), "通报")


def test_no_printable_character_is_forbidden_so_a_printable_text_needs_no_search() -> None:
    """`has_forbidden` answers a printable text at once: that holds only while every forbidden character is one
    Python counts unprintable, checked here for every code point (on each Python the tests run on)."""
    from greencli.core.clean import has_forbidden

    printable_yet_forbidden = [
        hex(n) for n in range(0x110000) if chr(n).isprintable() and FORBIDDEN.search(chr(n)) is not None
    ]
    assert printable_yet_forbidden == []
    for text in ("第1社区", "a\u3000b", "x\u00a0y", "\ue000", "tab\there", "rtl\u202eltr", "\ud800", "\U0010ffff"):
        assert has_forbidden(text) == (FORBIDDEN.search(text) is not None), repr(text)
