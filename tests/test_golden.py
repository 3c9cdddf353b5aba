"""What users see on the sample district stays as it is: `score --json`, `progress --json`, the terminal tables and
every sheet of the district workbook, compared by meaning with the golden files in tests/data/golden/.

A deliberate change regenerates them: `UPDATE_GOLDEN=1 pytest tests/test_golden.py`, and the diff is reviewed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from greencli.cli.app import app
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "data" / "golden"
ROSTER = "samples/roster.xlsx"
runner = CliRunner()
YEARS = ("2021", "2022", "2023")  # the sample district's three batches, in order
# Keys that name where this run wrote (temporary folders), not what it found.
VOLATILE = {"db", "out"}


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "120"}, prog_name="greencli")
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


def sheets(path: Path) -> dict[str, list[list[Any]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def tables(text: str, tmp: Path) -> str:
    return text.replace(str(tmp), "TMP")


@pytest.fixture(scope="module")
def observed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("golden")
    cwd = Path.cwd()
    os.chdir(ROOT)  # relative sample paths, as a user types them
    try:
        db = str(tmp / "l.db")
        out: dict[str, Any] = {}
        for year in YEARS:
            args = ["score", f"samples/inspections/{year}", "--roster", ROSTER, "--db", db,
                    "--out", str(tmp / f"{year}.xlsx")]  # fmt: skip
            out[f"score-{year}.json"] = stable(json.loads(invoke(*args, "--json")))
            out[f"score-{year}.txt"] = tables(invoke(*args), tmp)
            out[f"workbook-{year}.json"] = sheets(tmp / f"{year}.xlsx")
        for year in YEARS:
            args = ["progress", "--year", year, "--roster", ROSTER, "--db", db]
            out[f"progress-{year}.json"] = stable(json.loads(invoke(*args, "--json")))
            out[f"progress-{year}.txt"] = invoke(*args)
        for year in ("2022", "2023"):
            invoke("progress", "--year", year, "--roster", ROSTER, "--db", db, "--out", str(tmp / f"{year}.xlsx"))
            out[f"workbook-{year}-progress.json"] = sheets(tmp / f"{year}.xlsx")
        early = ["progress", "--year", "2023", "--as-of", "2023-09-30", "--roster", ROSTER, "--db", db, "--json"]
        out["progress-2023-as-of-0930.json"] = stable(json.loads(invoke(*early)))
    finally:
        os.chdir(cwd)
    return out


NAMES = [f"{kind}-{year}.{ext}" for year in YEARS for kind, ext in
         (("score", "json"), ("score", "txt"), ("workbook", "json"), ("progress", "json"), ("progress", "txt"))]  # fmt: skip


EXTRA = ["workbook-2022-progress.json", "workbook-2023-progress.json", "progress-2023-as-of-0930.json"]


@pytest.mark.parametrize("name", [*NAMES, *EXTRA])
def test_the_samples_look_as_they_did(observed: dict[str, Any], name: str) -> None:
    path = GOLDEN / name
    value = observed[name]
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=1, default=str)
        path.write_text(text, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    if name.endswith(".txt"):
        assert value.splitlines() == expected.splitlines()
    else:
        assert json.loads(json.dumps(value, ensure_ascii=False, default=str)) == json.loads(expected)
