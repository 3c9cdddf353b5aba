"""Rubric 2021.2, the standard's second reading, from standard.md's new text: discretionary rows as scores, the fact
20.3 and its two warnings, 评审日期 required, and the versions side by side."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from greencli.adapters.rubric_file import load_rubric, load_standards
from greencli.adapters.template import Identity, build_skeleton, personalise
from greencli.adapters.xlsx_fill import fill
from greencli.cli.app import app
from greencli.core.assess import assess
from greencli.core.identity import read_identity
from greencli.core.model import Field
from greencli.core.rubric import RowKind, Rubric
from greencli.core.values import Raw
from typer.testing import CliRunner

from tests.builders import C, entries, perfect_values
from tests.errors import error_code, message_of
from tests.workbooks import filled

runner = CliRunner()
SECOND = load_rubric(version="2021.2")
TODAY = date(2026, 11, 30)


def test_both_versions_side_by_side_and_the_newest_is_the_default() -> None:
    standards = load_standards()
    assert standards.known() == ("2021.1", "2021.2") and load_rubric().version == "2021.2"
    first = standards.get("2021.1")
    assert first is not None and first.row("20.2").kind is RowKind.MEASURE  # 2021.1 unchanged
    for code in ("18.2", "20.1", "20.2", "22.2", "22.3", "27.1"):
        assert SECOND.row(code).kind is RowKind.SCORE, code
    fact = SECOND.row("20.3")
    assert (fact.kind, fact.checks, fact.expect_min, fact.expect_max) == (RowKind.FACT, "20.2", 30000, 100000)
    assert SECOND.review_date_required and not first.review_date_required


def assess_second(values: dict[str, Any], info_date: Raw = "2022-10-15") -> Any:
    e = entries(SECOND, values, (C(),))
    info = {
        "社区编码": Field("ZJ-01", "基本信息", "B4"), "社区名称": Field("珠江社区", "基本信息", "D4"),
        "乡街": Field("珠江道街道", "基本信息", "B5"), "评审年度": Field(2022, "基本信息", "D5"),
        "评审日期": Field(info_date, "基本信息", "B6"),
    }  # fmt: skip
    return assess(SECOND, info, e, {}, (), 2027, None, TODAY).evaluation


@pytest.mark.parametrize(
    ("values", "codes"),
    [
        ({"20.2": 2, "20.3": 50000}, []),  # full marks for a centre in range: agree
        ({"20.2": 1.5, "20.3": 28000}, []),  # partial credit below the range: the inspector's call, agreed
        ({"20.2": 1.5, "20.3": 50000}, ["fact-short-inside"]),  # in range but short of full marks
        ({"20.2": 2, "20.3": 28000}, ["fact-full-outside"]),  # full marks outside the range
        ({"20.2": 2, "20.3": 100001}, ["fact-full-outside"]),
        ({"20.2": 2, "20.3": 30000}, []),  # the range includes both ends (3～10万)
    ],
)  # fmt: skip
def test_the_fact_is_checked_against_its_row_never_overruling_it(values: dict[str, Any], codes: list[str]) -> None:
    e = assess_second(values)
    assert [i.code for i in e.warnings] == codes
    assert e.items is not None and e.items[20].score == 1 + values["20.2"]  # the points stand as entered
    for issue in e.warnings:
        assert (issue.subject, issue.cell) == ("20.2", e.issues[0].cell)


@pytest.mark.parametrize(("value", "code"), [(None, "value-missing"), (1.5, "value-not-whole"),
                                             (20_000_000, "value-out-of-range"), ("很多", "value-not-number")])  # fmt: skip
def test_the_fact_is_required_and_whole_and_in_range(value: object, code: str) -> None:
    e = assess_second({"20.3": value})
    assert [i.code for i in e.errors] == [code] and e.errors[0].subject == "20.3"


def test_discretionary_rows_take_half_points_where_2021_1_took_yes_or_no() -> None:
    e = assess_second({"18.2": 1.5, "20.1": 0.5, "22.2": 0.5, "27.1": 0.5})
    assert e.verdict.value == "pass" and e.items is not None
    assert (e.items[18].score, e.items[20].score, e.items[22].score, e.items[27].score) == (3.5, 2.5, 3.5, 1.5)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "review-date-missing"), ("下周", "review-date-unreadable"), ("2026-12-01", "review-date-future"),
        ("2021-12-31", "review-date-before-year"), ("2023-01-05", "review-date-after-year"),
        (date(2022, 10, 15), None), ("2022年10月15日", None), ("2022/10/15", None), ("2022.10.15", None),
    ],
)  # fmt: skip
def test_review_date_is_required_from_2021_2(value: Raw, code: str | None) -> None:
    info = {"社区编码": Field("A", "基本信息", "B4"), "社区名称": Field("甲", "基本信息", "D4"),
            "乡街": Field("乙", "基本信息", "B5"), "评审年度": Field(2022, "基本信息", "D5"),
            "评审日期": Field(value, "基本信息", "B6")}  # fmt: skip
    _, issues = read_identity(info, SECOND, 2027, today=TODAY)
    assert [i.code for i in issues] == ([code] if code else [])
    if code:
        assert (issues[0].sheet, issues[0].cell) == ("基本信息", "B6")
        assert issues[0].is_error is (code != "review-date-after-year")


def second_workbook(folder: Path, code: str, values: dict[str, Any], info: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    blank = folder / f".blank-{code}.xlsx"
    blank.write_bytes(personalise(build_skeleton(SECOND, 2022), Identity(code, f"{code}社区", "珠江道街道")))
    path = fill(blank, folder / f"{code}.xlsx", {**perfect_values(SECOND), **values}, compounds=(C(),), info=info)
    blank.unlink()
    return path


def test_one_batch_scores_each_workbook_by_its_own_version(tmp_path: Path, rubric: Rubric) -> None:
    folder = tmp_path / "batch"
    filled(folder, "OLD-1", values={"20.2": 28000}, info={"评审日期": "2022-10-15"})  # 2021.1: a measured 20.2
    second_workbook(folder, "NEW-1", {"20.2": 1.5, "20.3": 28000}, {"评审日期": "2022-10-16"})
    result = runner.invoke(app, ["score", str(folder), "--db", str(tmp_path / "l.db"), "--out",
                                 str(tmp_path / "o.xlsx"), "--json"])  # fmt: skip
    got = {r["community_id"]: r for r in json.loads(result.stdout)["results"]}
    assert result.exit_code == 0, result.output
    assert (got["OLD-1"]["rubric_version"], got["NEW-1"]["rubric_version"]) == ("2021.1", "2021.2")
    assert got["OLD-1"]["items"]["20"] == 1.0  # 2021.1: a population below 30,000 earns nothing for 20.2
    assert got["NEW-1"]["items"]["20"] == 2.5  # 2021.2: the inspector's 1.5 for it stands
    history = json.loads(runner.invoke(app, ["history", "NEW-1", "--db", str(tmp_path / "l.db"), "--json"]).stdout)
    assert history["evaluations"][0]["rubric_version"] == "2021.2"


def test_a_workbook_without_a_stamp_is_scored_under_the_newest(tmp_path: Path) -> None:
    path = second_workbook(tmp_path, "NS-1", {}, {"评审日期": "2022-10-16"})
    wb: Any = openpyxl.load_workbook(path)
    for prop in list(wb.custom_doc_props.props):
        if prop.name.startswith("greencli."):
            prop.value = ""
    del wb["_greencli"]
    wb.save(path)
    result = json.loads(runner.invoke(app, ["score", str(path), "--dry-run", "--json"]).stdout)["results"][0]
    assert result["rubric_version"] == "2021.2" and result["verdict"] == "pass"


def test_template_writes_the_newest_unless_told(tmp_path: Path) -> None:
    def stamped(args: list[str]) -> str:
        done = runner.invoke(app, ["template", "--out", str(tmp_path / args[-1]), *args[:-1], "--json"])
        path = Path(json.loads(done.stdout)["files"][0]["path"])
        book: Any = openpyxl.load_workbook(path)
        props = {p.name: p.value for p in book.custom_doc_props.props}
        return str(props["greencli.rubric_version"])

    assert stamped(["a"]) == "2021.2"
    assert stamped(["--rubric-version", "2021.1", "b"]) == "2021.1"
    bad = runner.invoke(app, ["template", "--rubric-version", "2019.1", "--out", str(tmp_path / "c"), "--json"])
    assert bad.exit_code == 2 and error_code(bad) == "rubric-version-missing"
    assert "2021.1、2021.2" in message_of(bad)  # it names the versions the user can choose from


def test_a_future_review_date_is_judged_against_the_day_of_scoring(tmp_path: Path) -> None:
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    path = second_workbook(tmp_path, "F-1", {}, {"评审日期": tomorrow, "评审年度": date.today().year})
    result = json.loads(runner.invoke(app, ["score", str(path), "--dry-run", "--json"]).stdout)["results"][0]
    assert [e["issue"] for e in result["errors"]] == ["review-date-future"]


def test_void_keeps_the_record_and_lets_the_next_valid_one_stand(tmp_path: Path) -> None:
    db = str(tmp_path / "l.db")
    filled(tmp_path / "a", "ZJ-01", values={"1.2": 0}, info={"评审日期": "2022-09-01"})  # 99
    filled(tmp_path / "b", "ZJ-01", values={"V3": 6}, info={"评审日期": "2022-10-01"}, file_name="ZJ-01-b.xlsx")
    for folder in ("a", "b"):
        runner.invoke(app, ["score", str(tmp_path / folder), "--db", db, "--out", str(tmp_path / f"{folder}.xlsx")])
    history = json.loads(runner.invoke(app, ["history", "ZJ-01", "--db", db, "--json"]).stdout)["evaluations"]
    first, second = history[0]["id"], history[1]["id"]
    assert [e["current"] for e in history] == [False, True] and history[1]["verdict"] == "veto"
    done = runner.invoke(app, ["void", f"#{second}", "--reason", "否决项录错了社区", "--db", db, "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["current"] == first
    history = json.loads(runner.invoke(app, ["history", "ZJ-01", "--db", db, "--json"]).stdout)["evaluations"]
    assert [(e["current"], e["void_reason"]) for e in history] == [(True, None), (False, "否决项录错了社区")]
    table = runner.invoke(app, ["history", "ZJ-01", "--db", db], env={"COLUMNS": "240"}).output  # unwrapped
    assert "已作废" in table and "否决项录错了社区" in table
    again = runner.invoke(app, ["void", str(second), "--reason", "再次", "--db", db, "--json"])
    assert again.exit_code == 2 and error_code(again) == "record-already-void"
    left = runner.invoke(app, ["void", str(first), "--reason", "两份都作废", "--db", db])
    assert left.exit_code == 0 and "已没有有效的评审记录" in left.output
    refused = {"record-missing": ["void", "999", "--reason", "x"], "record-number-invalid": ["void", "abc", "--reason", "x"],
               "void-reason-missing": ["void", "1", "--reason", " "]}  # fmt: skip
    for code, args in refused.items():
        result = runner.invoke(app, [*args, "--db", db, "--json"])
        assert result.exit_code == 2 and error_code(result) == code and "Traceback" not in result.output
    without = runner.invoke(app, ["void", "1", "--db", db])  # --reason is required: the parser's usage error
    assert without.exit_code == 2 and "Traceback" not in without.output


def test_the_nomination_deadline_is_campaign_data() -> None:
    import tomllib

    from greencli.adapters.rubric_file import bundled_paths
    from greencli.core.rubric import RubricError
    from greencli.core.rubric_loader import parse_rubric

    assert SECOND.campaign.deadline(2022) == date(2022, 3, 31)
    data = tomllib.loads(bundled_paths()[-1].read_text(encoding="utf-8"))
    data["campaign"]["nomination_deadline"] = "02-29"
    with pytest.raises(RubricError, match="nomination_deadline") as refused:  # it names the key to fix
        parse_rubric(data, "x.toml")
    assert refused.value.code == "rubric-invalid"


def test_rescore_reports_what_a_version_needs_and_never_guesses(tmp_path: Path) -> None:
    db = str(tmp_path / "l.db")
    filled(tmp_path / "in", "ZJ-01", values={"1.2": 0}, info={"评审日期": "2022-09-01"})
    runner.invoke(app, ["score", str(tmp_path / "in"), "--db", db, "--out", str(tmp_path / "o.xlsx")])
    preview = runner.invoke(app, ["rescore", "--year", "2022", "--version", "2021.2", "--db", db, "--json"])
    assert preview.exit_code == 0, preview.output
    (community,) = json.loads(preview.stdout)["communities"]
    missing = {m["code"] for m in community["missing"]}
    assert {"18.2", "20.1", "20.2", "22.2", "22.3", "27.1"} <= missing and "20.3" not in missing  # 20.3 is mapped
    assert community["verdict_after"] is None and community["verdict_before"] == "pass"
    assert "18.2" in runner.invoke(app, ["rescore", "--year", "2022", "--version", "2021.2", "--db", db]).output
    history = json.loads(runner.invoke(app, ["history", "ZJ-01", "--db", db, "--json"]).stdout)["evaluations"]
    assert len(history) == 1  # a preview records nothing
    unknown = runner.invoke(app, ["rescore", "--year", "2022", "--version", "2030.1", "--db", db, "--json"])
    assert unknown.exit_code == 2 and error_code(unknown) == "rubric-version-missing"
    assert "2021.1、2021.2" in message_of(unknown)  # it names the versions the user can choose from


def test_rescore_apply_records_the_new_evaluation_and_keeps_the_old(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    from greencli.adapters.rubric_file import bundled_paths

    first = bundled_paths()[0].read_text(encoding="utf-8")
    (versions / "a.toml").write_text(first, encoding="utf-8")
    stricter = first.replace('version = "2021.1"', 'version = "2021.9"').replace("pass_mark = 80", "pass_mark = 99")
    (versions / "b.toml").write_text(stricter, encoding="utf-8")
    db, rubric = str(tmp_path / "l.db"), str(versions)
    filled(tmp_path / "in", "ZJ-01", values={"1.2": 0}, info={"评审日期": "2022-09-01"})  # 99: passes either way
    filled(tmp_path / "in", "ZJ-02", values={"1.2": 0, "2.1": 1}, info={"评审日期": "2022-09-01"})  # 97
    runner.invoke(app, ["score", str(tmp_path / "in"), "--db", db, "--out", str(tmp_path / "o.xlsx"), "--rubric",
                        rubric])  # fmt: skip
    done = runner.invoke(app, ["rescore", "--year", "2022", "--version", "2021.9", "--apply", "--db", db, "--rubric",
                               rubric, "--json"])  # fmt: skip
    assert done.exit_code == 0, done.output
    doc = json.loads(done.stdout)
    after = {c["community_id"]: (c["verdict_after"], c["total_after"]) for c in doc["communities"]}
    assert after == {"ZJ-01": ("pass", 99.0), "ZJ-02": ("fail", 97.0)} and doc["recorded"] == 2
    history = json.loads(runner.invoke(app, ["history", "ZJ-02", "--db", db, "--json"]).stdout)["evaluations"]
    assert [(e["rubric_version"], e["verdict"], e["current"]) for e in history] == [
        ("2021.1", "pass", False), ("2021.9", "fail", True)]  # fmt: skip
    assert "@" not in history[1]["sha256"] and history[0]["sha256"] == history[1]["sha256"]  # its own version column
    again = json.loads(runner.invoke(app, ["rescore", "--year", "2022", "--version", "2021.9", "--db", db,
                                           "--rubric", rubric, "--json"]).stdout)  # fmt: skip
    assert again["communities"] == []  # everything of that year is now under 2021.9

    # and back: the file's own 2021.1 record stands again (it is the same evaluation, never recorded twice)
    back = runner.invoke(app, ["rescore", "--year", "2022", "--version", "2021.1", "--apply", "--db", db, "--rubric",
                               rubric, "--json"])  # fmt: skip
    assert back.exit_code == 0 and json.loads(back.stdout)["recorded"] == 2, back.output
    history = json.loads(runner.invoke(app, ["history", "ZJ-02", "--db", db, "--json"]).stdout)["evaluations"]
    assert [(e["rubric_version"], e["verdict"], e["current"]) for e in history] == [
        ("2021.9", "fail", False),
        ("2021.1", "pass", True),
    ]  # fmt: skip (the 2021.1 record scored again, so listed last)

    # scoring the same file again, whichever version it is read under, records nothing new and changes nothing
    again_scored = runner.invoke(app, ["score", str(tmp_path / "in"), "--db", db, "--out", str(tmp_path / "o.xlsx"),
                                       "--rubric", rubric, "--json"])  # fmt: skip
    doc = json.loads(again_scored.stdout)
    assert (doc["recorded"], doc["already"]) == (0, 2), again_scored.output
    history = json.loads(runner.invoke(app, ["history", "ZJ-02", "--db", db, "--json"]).stdout)["evaluations"]
    assert [(e["rubric_version"], e["current"]) for e in history] == [("2021.9", False), ("2021.1", True)]


def test_recorded_entries_are_typed_round_trip_and_hold_the_review_date_once(tmp_path: Path) -> None:
    from greencli.adapters.xlsx_reader import read_workbook
    from greencli.core.model import RecordedCompound, RecordedEntries
    from greencli.core.rescore import rescore

    path = filled(tmp_path, "ZJ-01", values={"B": 1}, evidence={"B": "省级文明社区"},
                  compounds=(C(), C(name="第二小区", green=2600, sort="否")), info={"评审日期": "2022-10-01"})  # fmt: skip
    standards = load_standards()
    raw = read_workbook(path, standards)
    recorded = RecordedEntries.of(raw)
    assert "评审日期" not in recorded.info and recorded.info["社区编码"] == "ZJ-01"  # its home: review_date
    assert recorded.compounds[1] == RecordedCompound("第二小区", 2010, 10000, 2600, "是", "否")
    assert recorded.evidence == {"B": "省级文明社区"} and recorded.values["B"] == 1
    assert RecordedEntries.from_json(json.loads(json.dumps(recorded.to_json()))) == recorded
    older = {**recorded.to_json(), "info": {**recorded.info, "评审日期": "2022年10月1日"}}  # as rows before this change
    assert RecordedEntries.from_json(older) == recorded
    # re-scored from the typed entries and the date as recorded: what scoring the file gave
    rubric = standards.get(raw.version or "") or standards.newest
    scored = assess(rubric, raw.info, raw.entries, raw.stamp, raw.issues, 2030).evaluation
    again = rescore(recorded, rubric, rubric, 2022, date(2022, 10, 1)).evaluation
    assert again is not None and (again.verdict, again.total, again.items) == (
        scored.verdict,
        scored.total,
        scored.items,
    )
