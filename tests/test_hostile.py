"""Hostile and broken input: nothing crashes, nothing is lost, nothing gets in."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from greencli.adapters.rubric_file import load_rubric
from greencli.adapters.xlsx_direct import DirectBook, Unusual
from greencli.adapters.xlsx_reader import read_workbook
from greencli.cli.app import app
from greencli.core.assess import assess
from typer.testing import CliRunner

from tests.builders import FIRST_READING
from tests.hostile import HOSTILE, SECRET, valid
from tests.workbooks import filled

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
RUBRIC = load_rubric(version=FIRST_READING)


def assess_path(path: Path) -> Any:
    raw = read_workbook(path, RUBRIC)
    return assess(RUBRIC, raw.info, raw.entries, raw.stamp, raw.issues, 2030).evaluation


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    for name, (build, _) in HOSTILE.items():
        (folder / name).write_bytes(build())
    (folder / "good.xlsx").write_bytes(valid())
    return folder


def hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*"))
            if p.is_file()}  # fmt: skip


def every_text(workbook: Path) -> str:
    wb = openpyxl.load_workbook(workbook)
    return " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None)


def test_score_refuses_each_hostile_file_clearly_and_scores_the_good_one(corpus: Path, tmp_path: Path) -> None:
    before = hashes(corpus)
    result = runner.invoke(app, ["score", *(str(corpus / n) for n in [*HOSTILE, "good.xlsx"]), "--db",
                                 str(tmp_path / "l.db"), "--out", str(tmp_path / "o.xlsx"), "--json"])  # fmt: skip
    assert result.exit_code == 1 and "Traceback" not in result.output
    doc = json.loads(result.stdout)
    by_file = {Path(r["file"]).name: r for r in doc["results"]}
    assert by_file["good.xlsx"]["verdict"] == "pass"
    for name, (_, code) in HOSTILE.items():
        r = by_file[name]
        assert r["verdict"] == "invalid" and len(r["errors"]) == 1, name
        assert r["errors"][0]["issue"] == code, (name, r["errors"][0])
        assert r["errors"][0]["cell"] is None  # a whole-file problem
    assert SECRET not in result.stdout and SECRET not in every_text(tmp_path / "o.xlsx")
    assert hashes(corpus) == before  # no input is ever written, renamed or moved


def test_rollup_over_a_hostile_inbox(corpus: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(corpus, inbox)
    (inbox / "~$good.xlsx").write_bytes(b"lock")
    result = runner.invoke(app, ["rollup", "--inbox", str(inbox), "--year", "2021", "--db", str(tmp_path / "l.db"),
                                 "--out", str(tmp_path / "o.xlsx"), "--json", "--jobs", "1"])  # fmt: skip
    doc = json.loads(result.stdout)
    assert result.exit_code == 1 and doc["invalid"] == len(HOSTILE) and doc["skipped"] == 1
    assert SECRET not in every_text(tmp_path / "o.xlsx")


def test_a_lock_file_alone_is_not_a_workbook(tmp_path: Path) -> None:
    (tmp_path / "~$x.xlsx").write_bytes(b"owner")
    result = runner.invoke(app, ["score", str(tmp_path / "~$x.xlsx"), "--db", str(tmp_path / "l.db")])
    assert result.exit_code == 2 and "锁定" in result.output


INJECTIONS = ["=1+1", "+SUM(1,2)", "-2+3", "@SUM(1)", "\t=1", "\r=1", '=HYPERLINK("http://x","点我")',
              "=cmd|' /C calc'!A0"]  # fmt: skip


def test_user_text_never_becomes_a_formula_in_any_output(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    rows = [(f"X{i}", name, "珠江道街道", "城市社区") for i, name in enumerate(INJECTIONS)]
    with roster.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([("社区编码", "社区名称", "乡街", "类型"), *rows])
    inbox = tmp_path / "in"
    for code, name, sub, _ in rows:
        filled(inbox, code, name, sub, values={"1.2": 0.5}, evidence={"1.1": name})
    assert (
        runner.invoke(
            app, ["template", "--roster", str(roster), "--year", "2022", "--out", str(tmp_path / "t")]
        ).exit_code
        == 0
    )
    out, db = tmp_path / "o.xlsx", tmp_path / "l.db"
    assert (
        runner.invoke(app, ["score", str(inbox), "--roster", str(roster), "--db", str(db), "--out", str(out)]).exit_code
        == 0
    )
    assert runner.invoke(app, ["progress", "--year", "2022", "--roster", str(roster), "--db", str(db), "--out",
                               str(out)]).exit_code == 0  # fmt: skip
    written = [out, *(tmp_path / "t").rglob("*.xlsx")]
    injected: set[str] = set()
    for workbook in written:
        wb = openpyxl.load_workbook(workbook)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.data_type == "f":  # our live formulas only: none of them is a user's text
                        assert str(cell.value).strip() not in {i.strip() for i in INJECTIONS}, (workbook, cell)
                    elif isinstance(cell.value, str) and cell.value.strip() in {i.strip() for i in INJECTIONS}:
                        injected.add(cell.value.strip())
    assert injected == {i.strip() for i in INJECTIONS}  # every one was written, as text
    summary = openpyxl.load_workbook(out)["汇总"]
    names = [c.value for c in summary["C"][1:]]
    assert sorted(str(n).strip() for n in names) == sorted(i.strip() for i in INJECTIONS)


def test_read_only_inputs_are_read_and_never_changed(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    filled(inbox, "ZJ-01")
    shutil.copy(ROOT / "samples" / "roster.xlsx", tmp_path / "roster.xlsx")
    for p in [*inbox.rglob("*"), inbox]:
        p.chmod(0o555 if p.is_dir() else 0o444)
    before = hashes(inbox)
    try:
        result = runner.invoke(
            app, ["score", str(inbox), "--db", str(tmp_path / "l.db"), "--out", str(tmp_path / "o.xlsx")]
        )
        assert result.exit_code == 0
        result = runner.invoke(app, ["rollup", "--inbox", str(inbox), "--year", "2022", "--db", str(tmp_path / "l2.db"),
                                     "--out", str(tmp_path / "o2.xlsx")])  # fmt: skip
        assert result.exit_code == 0
        assert hashes(inbox) == before and sorted(p.name for p in inbox.iterdir()) == ["ZJ-01.xlsx"]
    finally:
        for p in [inbox, *inbox.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)


class FakePanic(BaseException):
    """What a Rust panic inside the native reader looks like from Python: not an Exception."""


def test_a_native_reader_panic_is_an_issue_not_a_crash(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "ok.xlsx"
    path.write_bytes(valid())

    def panic(*args: Any, **kwargs: Any) -> Any:
        raise FakePanic("called `Option::unwrap()` on a `None` value")

    def decline(*args: Any, **kwargs: Any) -> Any:
        raise Unusual("a workbook the direct reader leaves to python-calamine")

    monkeypatch.setattr(DirectBook, "__init__", decline)
    monkeypatch.setattr("python_calamine.CalamineWorkbook.from_filelike", panic)
    evaluation = assess_path(path)
    message = evaluation.issues[0].message
    assert [i.code for i in evaluation.issues] == ["file-damaged"]
    assert "FakePanic" not in message
    monkeypatch.setenv("GREENCLI_DEBUG", "1")  # what --debug sets: the library's own words are added for a maintainer
    assert "FakePanic" in assess_path(path).issues[0].message

    def interrupt(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr("python_calamine.CalamineWorkbook.from_filelike", interrupt)
    with pytest.raises(KeyboardInterrupt):
        read_workbook(path, RUBRIC)


def test_a_renamed_legacy_file_fails_by_its_real_kind(tmp_path: Path) -> None:
    renamed = tmp_path / "looks-fine.xlsx"
    renamed.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 1024)
    (issue,) = assess_path(renamed).issues
    assert issue.code == "file-ole2"


CRASHES = sorted(p for p in (ROOT / "tests" / "data" / "fuzz").glob("*") if p.suffix != ".md")


@pytest.mark.parametrize("path", CRASHES, ids=[p.name for p in CRASHES])
def test_crash_corpus_stays_fixed(path: Path) -> None:
    from tests.test_fuzz import survives

    survives(path.read_bytes())
