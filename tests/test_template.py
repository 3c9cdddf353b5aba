"""`greencli template`: the generated workbook's structure and guards, names and paths, and the round trip."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from greencli.adapters.roster import RosterError, read_roster
from greencli.adapters.template import Identity, build_skeleton, personalise
from greencli.adapters.xlsx_fill import fill
from greencli.adapters.xlsx_reader import read_workbook
from greencli.cli.app import app
from greencli.core.assess import assess
from greencli.core.engine import evaluate
from greencli.core.issues import Issue
from greencli.core.model import Evaluation
from greencli.core.names import safe_component
from greencli.core.roster import Community
from greencli.core.rubric import RowKind, Rubric
from greencli.jobs.template import make_templates, plan_paths
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

from tests.builders import C, entries, perfect_values
from tests.errors import error_code, problem_codes
from tests.test_engine_properties import valid_inputs

runner = CliRunner()
ROSTER = "社区编码,社区名称,乡街,类型\n{rows}"


def write_roster(path: Path, rows: list[tuple[str, str, str, str]], encoding: str = "utf-8") -> Path:
    body = "\n".join(",".join(f'"{v}"' for v in row) for row in rows)
    path.write_text(ROSTER.format(rows=body) + "\n", encoding=encoding)
    return path


@pytest.fixture(scope="module")
def one_workbook(tmp_path_factory: pytest.TempPathFactory, rubric: Rubric) -> Path:
    out = tmp_path_factory.mktemp("tpl")
    report = make_templates(rubric, 2022, out, [Community("ZJD-001", "海滨社区", "珠江道街道", "城市社区")])
    return report.made[0].path


def test_sheets_header_and_codes(one_workbook: Path, rubric: Rubric) -> None:
    wb = openpyxl.load_workbook(one_workbook)
    assert wb.sheetnames[:4] == ["基本信息", "评分表", "小区", "说明"]
    assert wb["_greencli"].sheet_state == "veryHidden"
    ws = wb["评分表"]
    header = [c.value for c in ws[4]]
    assert {"编号", "录入值", "佐证", "考评标准", "考评方式", "监督指导部门", "内容", "分值"} <= set(header)
    code_col = header.index("编号") + 1
    codes = [ws.cell(r, code_col) for r in range(5, ws.max_row + 1) if ws.cell(r, code_col).value]
    assert [c.value for c in codes] == list(rubric.entry_codes)
    assert all(c.data_type == "s" for c in codes)  # 编号 stored as text
    criteria = {ws.cell(r, header.index("考评标准") + 1).value for r in range(5, ws.max_row + 1)}
    assert all(item.criteria in criteria for item in rubric.items)


def test_inputs_are_guarded_shaded_and_everything_else_locked(one_workbook: Path, rubric: Rubric) -> None:
    wb = openpyxl.load_workbook(one_workbook)
    ws = wb["评分表"]
    assert ws.protection.sheet and not ws.protection.password
    header = [c.value for c in ws[4]]
    code_col, value_col = header.index("编号") + 1, header.index("录入值") + 1
    validated: dict[str, Any] = {}
    for dv in ws.data_validations.dataValidation:
        for cell_range in dv.sqref.ranges:
            validated[cell_range.coord] = dv
    for r in range(5, ws.max_row + 1):
        code = str(ws.cell(r, code_col).value)
        if code not in rubric.entry_codes:
            continue
        cell = ws.cell(r, value_col)
        derived = code == "V2" or (code in {x.code for x in rubric.rows()} and rubric.row(code).kind is RowKind.DERIVED)
        if derived:
            assert cell.protection.locked
            continue
        assert not cell.protection.locked and cell.fill.fgColor.rgb.endswith("FFF2CC")
        dv = validated[cell.coordinate]
        assert dv.showErrorMessage and dv.showInputMessage and dv.error and dv.prompt
        if code in {x.code for x in rubric.rows()} and rubric.row(code).kind in (RowKind.CHECK, RowKind.NA):
            assert dv.type == "list" and "是" in dv.formula1
    assert ws.cell(5, code_col).protection.locked and ws.cell(5, code_col + 1).protection.locked
    for name in ("基本信息", "小区", "说明"):
        assert wb[name].protection.sheet


def test_print_setup(one_workbook: Path) -> None:
    ws = openpyxl.load_workbook(one_workbook)["评分表"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr is not None and ws.oddFooter is not None
    # designed at its printed size: 100 %, with its own page breaks between items (fit-to-page would drop them)
    assert not ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.scale in (None, 100)
    assert ws.row_breaks.brk
    assert ws.print_title_rows == "$1:$4"
    footer = str(ws.oddFooter.center.text)
    assert "&P" in footer and "&N" in footer
    texts = [c.value for row in ws.iter_rows(min_row=ws.max_row - 3) for c in row if isinstance(c.value, str)]
    assert any("评审人员（签字）" in t for t in texts) and any("日期" in t for t in texts)
    wrapped = [c for c in ws["E"][4:20] if c.value]
    assert all(c.alignment.wrap_text for c in wrapped)


def test_identity_and_stamp(one_workbook: Path, rubric: Rubric) -> None:
    wb = openpyxl.load_workbook(one_workbook)
    info = {c.value: wb["基本信息"].cell(c.row, c.column + 1).value for row in wb["基本信息"].iter_rows()
            for c in row if isinstance(c.value, str)}  # fmt: skip
    assert (info["社区编码"], info["社区名称"], info["乡街"], info["评审年度"]) == (
        "ZJD-001",
        "海滨社区",
        "珠江道街道",
        2022,
    )
    for label in ("评审日期", "评审人员", "联系电话", "社区地址", "社区人口", "社区户数", "常住户数", "占地面积", "建筑面积",
                  "绿化面积", "社区负责人", "社区负责人职务", "社区负责人电话", "创建联系人", "创建联系人电话"):  # fmt: skip
        assert label in info
    props = {p.name: p.value for p in wb.custom_doc_props.props}  # type: ignore[attr-defined]
    assert props["greencli.rubric_id"] == rubric.id and props["greencli.rubric_version"] == rubric.version
    assert props["greencli.community_code"] == "ZJD-001" and props["greencli.year"] == "2022"
    guide = " ".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert ("否决" in guide and "80" in guide and "不适用" in guide and "填处数" in guide) or "处数" in guide


@pytest.mark.parametrize("name", ["=1+2", "+SUM(A1:A2)", "-2+3", "@cmd", "\t=x", "\r=x", '=HYPERLINK("http://x","y")'])
def test_roster_text_is_never_a_formula(tmp_path: Path, rubric: Rubric, name: str) -> None:
    skeleton = build_skeleton(rubric, 2022)
    path = tmp_path / "x.xlsx"
    path.write_bytes(personalise(skeleton, Identity(name, name, name)))
    wb = openpyxl.load_workbook(path)
    core = name.strip("\t\r")
    every = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    holding = [c for c in every if core in str(c.value)]
    assert len(holding) >= 5  # 基本信息 ×3, titles, the stamp sheet
    assert all(c.data_type == "s" for c in holding)
    assert not any(c.data_type == "f" and core in str(c.value) for c in every)
    raw = read_workbook(path, rubric)
    assert str(raw.info["社区名称"].value).strip() == name.strip()


def test_xml_special_and_control_characters_survive(tmp_path: Path, rubric: Rubric) -> None:
    data = personalise(build_skeleton(rubric, 2022), Identity("A&B<1>", "海\x01滨\"社区'", "珠江道街道"))
    assert list(identity_tokens_left(data)) == []
    path = tmp_path / "x.xlsx"
    path.write_bytes(data)
    raw = read_workbook(path, rubric)
    assert raw.issues == () and raw.info["社区编码"].value == "A&B<1>" and raw.info["社区名称"].value == "海滨\"社区'"
    assert raw.stamp["community_code"] == "A&B<1>"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("a/b\\c", "a_b_c"), ("x:y*?", "x_y__"), ("..hidden", "hidden"), ("  . ", "未命名"), ("CON", "_CON"),
     ("con.txt", "_con.txt"), ("海滨社区", "海滨社区"), ("a\x00b\nc", "a_b_c"), ("名" * 200, "名" * 80)],
)  # fmt: skip
def test_safe_component(name: str, expected: str) -> None:
    assert safe_component(name) == expected


def test_paths_stay_inside_and_never_collide(tmp_path: Path) -> None:
    communities = [
        Community("A/1", "../../etc/passwd", "../..", "城市社区"),
        Community("A:1", "x", "/abs", "城市社区"),
        Community("A_1", "x", "/abs", "城市社区"),
        Community(".", "." * 300, "乡" * 300, "城市社区"),
    ]
    paths = plan_paths(tmp_path, communities)
    assert len({str(p).casefold() for p in paths}) == len(paths)
    assert all(p.resolve().is_relative_to(tmp_path.resolve()) for p in paths)
    assert all(len(part) <= 84 for p in paths for part in p.relative_to(tmp_path).parts)


def test_cli_writes_urban_only_and_keeps_existing_files(tmp_path: Path) -> None:
    roster = write_roster(tmp_path / "r.csv", [("ZJD-001", "海滨社区", "珠江道街道", "城市社区"),
                                                ("BH-001", "西河村", "渤海乡", "村"),
                                                ("HHD-002", "黄河/社区:一", "黄河道街道", "城市社区")])  # fmt: skip
    out = tmp_path / "out"
    first = runner.invoke(app, ["template", "--roster", str(roster), "--year", "2022", "--out", str(out), "--json"])
    assert first.exit_code == 0, first.output
    doc = json.loads(first.stdout)
    assert [f["community_id"] for f in doc["files"]] == ["ZJD-001", "HHD-002"] and doc["written"] == 2
    assert doc["not_urban"] == [{"community_id": "BH-001", "community": "西河村", "kind": "村"}]
    paths = [Path(f["path"]) for f in doc["files"]]
    assert all(p.exists() and p.parent.parent == out for p in paths)
    assert paths[0].parent.name == "珠江道街道" and paths[1].name == "HHD-002_黄河_社区_一.xlsx"
    paths[0].write_bytes(b"my notes")
    again = runner.invoke(app, ["template", "--roster", str(roster), "--year", "2022", "--out", str(out)])
    assert again.exit_code == 0 and "已存在" in again.output and paths[0].read_bytes() == b"my notes"
    quiet = runner.invoke(app, ["template", "--roster", str(roster), "--year", "2022", "--out", str(out), "--force",
                                "-q"])  # fmt: skip
    records = [p.with_name(f"{p.stem}_现场评审记录.docx") for p in paths]  # each workbook's record sheet after it
    assert quiet.exit_code == 0 and quiet.stdout.split() == [
        str(p) for pair in zip(paths, records, strict=True) for p in pair
    ]
    assert [f["record_sheet"] for f in doc["files"]] == [str(r) for r in records] and all(r.exists() for r in records)
    assert paths[0].read_bytes()[:2] == b"PK"
    assert not list(out.rglob(".~greencli-*"))


def test_blank_template_and_roster_from_environment(tmp_path: Path) -> None:
    blank = runner.invoke(app, ["template", "--year", "2021", "--out", str(tmp_path / "blank")])
    assert blank.exit_code == 0
    wb = openpyxl.load_workbook(tmp_path / "blank" / "绿色社区评分表_2021.xlsx")
    code = next(c for row in wb["基本信息"].iter_rows() for c in row if c.value == "社区编码")
    value = wb["基本信息"].cell(code.row, code.column + 1)
    assert value.value is None and not value.protection.locked
    roster = write_roster(tmp_path / "r.csv", [("X1", "一社区", "渤海乡", "城市社区")])
    env = runner.invoke(app, ["template", "--year", "2021", "--out", str(tmp_path / "env")],
                        env={"GREENCLI_ROSTER": str(roster)})  # fmt: skip
    assert env.exit_code == 0 and (tmp_path / "env" / "渤海乡" / "X1_一社区.xlsx").exists()


def test_year_defaults_to_this_year_and_is_checked(tmp_path: Path) -> None:
    from datetime import date

    result = runner.invoke(app, ["template", "--out", str(tmp_path)])
    assert result.exit_code == 0 and (tmp_path / f"绿色社区评分表_{date.today().year}.xlsx").exists()
    early = runner.invoke(app, ["template", "--year", "2019", "--out", str(tmp_path), "--json"])
    assert early.exit_code == 2 and error_code(early) == "year-out-of-range" and "Traceback" not in early.output


def test_roster_formats_and_errors(tmp_path: Path) -> None:
    gbk = write_roster(tmp_path / "gbk.csv", [("X1", "一社区", "渤海乡", "城市社区")], encoding="gb18030")
    assert read_roster(gbk) == [Community("X1", "一社区", "渤海乡", "城市社区")]
    xlsx = tmp_path / "r.xlsx"
    wb = openpyxl.Workbook()
    assert wb.active is not None
    wb.active.append(["名单"])
    wb.active.append(["序号", "社区编码", "社区名称", "乡街", "类型"])
    wb.active.append([1, 130302001, "海滨社区", "珠江道街道", "城市社区"])
    wb.active.append([None, None, None, None, None])
    wb.active.append([2, "BH-1", "西河村", "渤海乡", "村"])
    wb.save(xlsx)
    got = read_roster(xlsx)
    assert [c.code for c in got] == ["130302001", "BH-1"] and [c.urban for c in got] == [True, False]
    for rows, problem in [
        ([("X1", "一", "渤海乡", "城市社区"), ("X1", "二", "渤海乡", "城市社区")], "roster-row-duplicate"),
        ([("", "一", "渤海乡", "城市社区")], "roster-row-empty"),
    ]:
        with pytest.raises(RosterError) as refused:
            read_roster(write_roster(tmp_path / "bad.csv", rows))
        assert refused.value.code == "roster-unusable" and [p.code for p in refused.value.parts] == [problem]
    (tmp_path / "cols.csv").write_text("社区编码,社区名称\nX1,一\n", encoding="utf-8")
    result = runner.invoke(app, ["template", "--roster", str(tmp_path / "cols.csv"), "--out", str(tmp_path / "o"),
                                 "--json"])  # fmt: skip
    assert result.exit_code == 2 and error_code(result) == "roster-unusable" and "Traceback" not in result.output
    assert problem_codes(result) == ["roster-columns-missing"]
    (tmp_path / "r.xls").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 512)
    for bad, problem in (("r.xls", "roster-file-type"), ("missing.csv", "roster-unreadable")):
        result = runner.invoke(
            app, ["template", "--roster", str(tmp_path / bad), "--out", str(tmp_path / "o"), "--json"]
        )
        assert result.exit_code == 2 and error_code(result) == "roster-unusable" and problem_codes(result) == [problem]
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 512)
    result = runner.invoke(app, ["template", "--roster", str(fake), "--out", str(tmp_path / "o"), "--json"])
    assert result.exit_code == 2 and problem_codes(result) == ["file-ole2"]


def test_output_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    result = runner.invoke(app, ["template", "--out", str(tmp_path / "f"), "--json"])
    assert result.exit_code == 2 and error_code(result) == "output-not-folder" and "Traceback" not in result.output
    assert (tmp_path / "f").read_text() == "x"  # the file named is left as it was


# ── the round trip: template → fill through the contract → read → the engine's own prediction ──


def round_trip(
    workbook: Path, tmp: Path, rubric: Rubric, values: Mapping[str, Any], compounds: list[C],
    evidence: Mapping[str, Any] | None = None,
) -> tuple[Evaluation, Evaluation]:  # fmt: skip
    filled = fill(workbook, tmp / "filled.xlsx", values, evidence=evidence, compounds=compounds)
    raw = read_workbook(filled, rubric)
    got = assess(rubric, raw.info, raw.entries, raw.stamp, raw.issues, 2030).evaluation
    predicted = evaluate(rubric, entries(rubric, values, compounds, evidence))
    return got, predicted


def same(got: Evaluation, predicted: Evaluation) -> None:
    assert (got.verdict, got.total, got.bonus, got.vetoes) == (predicted.verdict, predicted.total, predicted.bonus,
                                                               predicted.vetoes)  # fmt: skip
    assert got.categories == predicted.categories
    assert ({n: i.score for n, i in got.items.items()} if got.items else None) == (
        {n: i.score for n, i in predicted.items.items()} if predicted.items else None)  # fmt: skip

    def key(i: Issue) -> tuple[str, str | None]:
        # compound rows are numbered by where they sit in the sheet, which the prediction does not know
        return i.code, "小区" if (i.subject or "").startswith("小区") else i.subject

    assert [key(i) for i in got.issues] == [key(i) for i in predicted.issues]
    assert all(i.sheet and i.cell for i in got.issues if i.code != "row-missing")


ROUND_TRIP_CASES: list[tuple[dict[str, Any], list[C], dict[str, Any] | None]] = [
    ({}, [C()], None),
    ({"1.2": 0.5, "9.1": 0, "11.1": 0, "12.1": 0, "2.1": 0, "3.1": 0, "22.1": 0}, [C()], None),
    ({"11.0": "是", "11.1": None, "14.0": "是", "14.1": None, "B": 3}, [C(sort="否"), C(green=2000)], {"B": "省文明社区"}),
    ({"V1": 5, "7.3": 1.5, "10.1": 97.5, "20.2": 100001}, [C(green=1000), C(green=1000), C()], None),
    ({"1.1": 2.5, "4.1": "也许", "V3": None, "B": 1}, [C(area=0)], None),
]  # fmt: skip


@pytest.mark.parametrize(("values", "compounds", "evidence"), ROUND_TRIP_CASES)
def test_round_trip_cases(
    one_workbook: Path, tmp_path: Path, rubric: Rubric, values: dict[str, Any], compounds: list[C],
    evidence: dict[str, Any] | None,
) -> None:  # fmt: skip
    got, predicted = round_trip(
        one_workbook, tmp_path, rubric, {**perfect_values(rubric), **values}, compounds, evidence
    )
    same(got, predicted)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(valid_inputs())
def test_round_trip_any_valid_input(
    one_workbook: Path, tmp_path_factory: pytest.TempPathFactory, rubric: Rubric,
    case: tuple[dict[str, Any], list[C], dict[str, Any]],
) -> None:  # fmt: skip
    values, compounds, evidence = case
    got, predicted = round_trip(one_workbook, tmp_path_factory.mktemp("rt"), rubric, values, compounds, evidence)
    same(got, predicted)


def identity_tokens_left(workbook: bytes) -> Iterator[str]:
    """Parts that still hold a placeholder (for tests: personalisation must leave none)."""
    with zipfile.ZipFile(io.BytesIO(workbook)) as package:
        for info in package.infolist():
            if b"\xe2\x9f\xa6GREENCLI:" in package.read(info):
                yield info.filename


def test_a_filled_workbook_resaved_by_openpyxl_is_personalised_too(tmp_path: Path, rubric: Rubric) -> None:
    """openpyxl writes the placeholders' ⟦ ⟧ as character references: personalising after filling (what the
    benchmark does to make thousands of distinct workbooks cheaply) must still swap them."""
    skeleton = tmp_path / "skeleton.xlsx"
    skeleton.write_bytes(build_skeleton(rubric, 2022))
    master = fill(skeleton, tmp_path / "master.xlsx", perfect_values(rubric), compounds=[C()])
    assert b"&#10214;GREENCLI:" in zipfile.ZipFile(master).read("xl/worksheets/sheet1.xml")
    made = tmp_path / "made.xlsx"
    made.write_bytes(personalise(master.read_bytes(), Identity("ZJ-07", "松花江社区", "珠江道街道")))
    raw = read_workbook(made, rubric)
    assert (raw.info["社区编码"].value, raw.info["社区名称"].value, raw.info["乡街"].value) == (
        "ZJ-07", "松花江社区", "珠江道街道")  # fmt: skip
    assert b"GREENCLI:" not in b"".join(zipfile.ZipFile(made).read(n) for n in zipfile.ZipFile(made).namelist())


def test_every_row_kind_has_every_part(monkeypatch: pytest.MonkeyPatch) -> None:
    """One registry per layer, keyed by the same kinds: core's (read, score, hint, guide) and the template's
    (formula, validation); a kind missing a part is found by check_covered."""
    from greencli.adapters.template import kinds as sheet
    from greencli.core.kinds import KINDS

    assert set(KINDS) == set(RowKind) == set(sheet.SHEET_KINDS)
    assert sheet.check_covered() == []
    for kind, rule in KINDS.items():
        assert rule.label and rule.hint, kind
        assert (rule.parse is None) == (kind is RowKind.DERIVED), kind  # only derived rows are never typed
        assert rule.guide is not None or rule.guide_under is not None, kind
    missing = {k: v for k, v in sheet.SHEET_KINDS.items() if k is not RowKind.FACT}
    monkeypatch.setattr(sheet, "SHEET_KINDS", missing)
    assert sheet.check_covered() == ["fact: no formula or validation registered"]


def test_the_guide_and_the_form_are_drawn_from_the_rubric(rubric: Rubric) -> None:
    """The 说明 sheet says one line per kind the standard uses (its own wording where it gives one), and 基本信息
    holds the rubric's form: its fields after the ones the program reads, its opinion boxes."""
    from greencli.adapters.template.form import READ_FIELDS, fields
    from greencli.adapters.template.sheets import guide_lines

    lines = [text for _, text in guide_lines(rubric)]
    assert rubric.guide[RowKind.MEASURE] in lines
    assert "自动计算：由“小区”表计算（绿地率、垃圾分类覆盖、物业服务面积占比、绿色空间否决），无需填写。" in lines
    assert any("（如 有健身设施）" in line for line in lines)
    assert [label for label, _ in fields(rubric)][: len(READ_FIELDS)] == [label for label, _ in READ_FIELDS]
    wb = openpyxl.load_workbook(io.BytesIO(build_skeleton(rubric, 2023)))
    texts = [c.value for row in wb["基本信息"].iter_rows() for c in row if isinstance(c.value, str)]
    assert all(f.label in texts for f in rubric.form.fields)
    assert all(any(t.startswith(box + "\n") for t in texts) for box in rubric.form.opinions)
