"""The public Python API and `greencli export`: the same tables, as DataFrames and as files; pandas stays off the
command line's path; the README documents every command and option and shows the API's real output."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import greencli
import openpyxl
import pytest
from greencli.cli.app import app
from typer.main import get_command
from typer.testing import CliRunner

from tests.district import SampleDistrict

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ROSTER = str(SAMPLES / "roster.xlsx")
runner = CliRunner()


@pytest.fixture(scope="module")
def demo(sample_district: SampleDistrict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ledger `make demo` builds (the sample district's 2021, 2022 and 2023 batches), where it puts it."""
    base = tmp_path_factory.mktemp("demo") / "demo-out"
    sample_district.copy_ledger(base).rename(base / "greencli.db")
    return base


def test_assess_workbook_scores_like_the_command_line(demo: Path) -> None:
    path = SAMPLES / "inspections" / "2022" / "珠江道街道" / "ZJ-09_嘉陵江社区.xlsx"
    outcome = greencli.assess_workbook(path)
    cli = json.loads(runner.invoke(app, ["score", str(path), "--dry-run", "--json"]).stdout)["results"][0]
    assert outcome.verdict.value == cli["verdict"] == "fail" and float(outcome.total or 0) == cli["total"] == 79.5
    assert {str(k): float(v) for k, v in (outcome.items or {}).items()} == cli["items"]
    assert greencli.Outcome.from_dict(outcome.to_dict()) == outcome


def test_ledger_dataframes(demo: Path) -> None:
    with greencli.open_ledger(demo / "greencli.db") as ledger:
        results = ledger.evaluations(2022)
        everything = ledger.evaluations(2022, current_only=False)
        items = ledger.item_scores(2022)
        standing = ledger.standings(2022, ROSTER)
    assert len(results) == 30 and len(everything) == 31 and everything["是否当前"].sum() == 30
    assert results.loc[results["社区编码"] == "ZJ-09", "总分"].item() == 79.5
    assert len(items) == 30 * 31 and (items["得分"] + items["失分"] == items["满分"]).all()
    assert len(standing) == 52 and int(standing["计入目标"].sum()) == 46
    assert standing.loc[standing["社区编码"] == "ZJ-10", "待改正"].item()


def test_export_to_a_workbook_and_to_csv_folder(demo: Path) -> None:
    db = str(demo / "greencli.db")
    result = runner.invoke(app, ["export", "--year", "2022", "--out", str(demo / "x.xlsx"), "--db", db,
                                 "--roster", ROSTER])  # fmt: skip
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(demo / "x.xlsx")
    assert wb.sheetnames == ["评审记录", "分项得分", "年度状态"] and wb["评审记录"].max_row == 32
    # no --roster: the roster the ledger keeps for 2022 (the demo scored it with one)
    result = runner.invoke(app, ["export", "--year", "2022", "--out", str(demo / "csv"), "--db", db, "--json"])
    assert result.exit_code == 0 and [t["name"] for t in json.loads(result.stdout)["tables"]] == [
        "评审记录",
        "分项得分",
        "年度状态",
    ]
    raw = (demo / "csv" / "分项得分.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel and WPS show the Chinese
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    with greencli.open_ledger(db) as ledger:
        frame = ledger.item_scores(2022)
    assert rows[0] == list(frame.columns) and len(rows) == len(frame) + 1


def test_export_never_writes_a_formula_into_csv(tmp_path: Path) -> None:
    from greencli.adapters.table_files import write_csv_folder

    write_csv_folder(tmp_path, [("t", ["名称"], [['=HYPERLINK("http://x")'], ["-1+2"], ["普通"]])])
    rows = list(csv.reader(io.StringIO((tmp_path / "t.csv").read_text(encoding="utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ['\'=HYPERLINK("http://x")', "'-1+2", "普通"]


@pytest.mark.parametrize("args", [["--help"], ["score", "-h"], ["template", "-h"], ["rollup", "-h"], ["score", "S"],
                                  ["template", "T"], ["rollup", "R"]])  # fmt: skip
def test_the_command_line_never_imports_pandas(tmp_path: Path, args: list[str]) -> None:
    real = {"S": [str(SAMPLES / "inspections" / "2022" / "渤海乡"), "--db", "l.db", "--out", "o.xlsx"],
            "T": ["--roster", ROSTER, "--out", "forms"],
            "R": ["--inbox", str(SAMPLES / "inspections" / "2022" / "渤海乡"), "--db", "l.db", "--out", "r.xlsx"]}  # fmt: skip
    argv = [*args[:1], *real.get(args[-1], args[1:])] if args[-1] in real else args
    code = ("import sys; from greencli.cli.app import main; sys.argv = ['greencli', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('PANDAS' if 'pandas' in sys.modules else 'CLEAN', file=sys.stderr)")  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", code, *argv], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.stderr.strip().endswith("CLEAN"), done.stderr


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_documents_every_command_and_option() -> None:
    text = readme()
    root = get_command(app)
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        assert f"greencli {name}" in text, name
        for param in command.params:
            for opt in param.opts:
                if opt.startswith("--") and opt != "--help":
                    assert opt in text, (name, opt)


def test_readme_api_example_prints_what_it_shows(demo: Path) -> None:
    block = readme().split("<!-- api-example:start -->")[1].split("<!-- api-example:end -->")[0]
    code, shown = re.findall(r"```(?:python|text)\n(.*?)```", block, flags=re.DOTALL)
    output = io.StringIO()
    cwd = Path.cwd()
    os.chdir(demo.parent)  # the example opens demo-out/greencli.db, as after `make demo`
    try:
        with contextlib.redirect_stdout(output):
            exec(compile(code, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    assert output.getvalue().splitlines() == shown.splitlines()
