"""The sample district matches its generator, the demo tells its story, and the README is true."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from greencli.adapters.roster import read_roster
from greencli.adapters.rubric_file import load_rubric
from greencli.adapters.xlsx_reader import read_workbook
from greencli.cli.app import app
from greencli.core.values import is_blank, parse_number
from greencli.jobs.template import plan_paths
from samples import generate
from samples.readme_demo import README, demo_output, readme_block
from typer.main import get_command
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
runner = CliRunner()


def same_value(read: Any, meant: Any) -> bool:
    """Equal by meaning: numbers as numbers, dates as dates, blanks as blanks."""
    if is_blank(meant) or (isinstance(meant, str) and meant.startswith("=")):
        return is_blank(read)  # a formula typed by the inspector has no computed value to read
    if isinstance(meant, int | float) and not isinstance(meant, bool):
        return parse_number(read) == parse_number(meant)
    if isinstance(read, datetime | date):
        return read.isoformat()[:10] == str(meant)
    return str(read) == str(meant)


def test_rosters_match_the_generator() -> None:
    expected = generate.roster()
    assert read_roster(SAMPLES / "roster.xlsx") == expected == read_roster(SAMPLES / "roster.csv")
    assert len(expected) == 52 and sum(c.urban for c in expected) == 46
    assert {c.subdistrict for c in expected} == {"渤海乡", "珠江道街道", "黄河道街道", "腾飞路街道", "船厂路街道"}
    assert all(c.subdistrict == "渤海乡" for c in expected if not c.urban)


@pytest.mark.parametrize("year", generate.YEARS)
def test_committed_workbooks_match_the_generator_by_meaning(year: int) -> None:
    by_code = {c.code: c for c in generate.roster()}
    rubrics = {v: load_rubric(version=v) for v in (generate.NEWEST, generate.FIRST_READING[0])}
    expected_paths = set()
    for plan in generate.PLANS[year]:
        (path,) = plan_paths(SAMPLES / "inspections" / str(year), [by_code[plan.code]])
        path = path.with_name(path.stem + plan.file_suffix + path.suffix)
        expected_paths.add(path)
        rubric = rubrics[generate.rubric_version(plan, year)]
        values, compounds, evidence, info = generate.answers(rubric, plan, year)
        raw = read_workbook(path, rubric)
        assert raw.version == rubric.version, path  # stamped with the version its blank form was made for
        assert raw.issues == (), path  # (a formula typed into an input is flagged by `score`, after scoring)
        for code, value in values.items():
            assert same_value(raw.entries.values[code].value, value), (path.name, code)
        for code, value in evidence.items():
            assert same_value(raw.entries.evidence[code].value, value), (path.name, code)
        got = [c for c in raw.entries.compounds if not is_blank(c.name.value)]
        assert len(got) == len(compounds)
        for read, meant in zip(got, compounds, strict=True):
            pairs = zip((read.name, read.built, read.area, read.green, read.property_service, read.garbage_sorting),
                        (meant.name, meant.built, meant.area, meant.green, meant.prop, meant.sort), strict=True)  # fmt: skip
            assert all(same_value(f.value, m) for f, m in pairs), path.name
        for label, value in info.items():
            if label in raw.info:
                assert same_value(raw.info[label].value, value), (path.name, label)
    on_disk = set((SAMPLES / "inspections" / str(year)).rglob("*.xlsx"))
    assert on_disk == expected_paths


@pytest.fixture(scope="module")
def demo() -> tuple[str, Path]:
    # exactly as `make demo` runs it (table widths depend on the paths shown), into the git-ignored demo-out/
    return demo_output(), ROOT / "demo-out"


def test_readme_shows_what_the_demo_prints_today(demo: tuple[str, Path]) -> None:
    text, _ = demo
    assert readme_block() == text, "README.md's demo output is stale: run `make readme`"


def test_the_demo_tells_the_story_the_readme_promises(demo: tuple[str, Path]) -> None:
    _, out = demo
    assert (out / "绿色社区汇总2023.xlsx").exists() and len(list((out / "评分表").rglob("*.xlsx"))) == 46
    roster, db = str(SAMPLES / "roster.xlsx"), str(out / "greencli.db")

    def progress(year: int, *extra: str) -> dict[str, Any]:
        args = ["progress", "--year", str(year), "--roster", roster, "--db", db, "--json", *extra]
        return dict(json.loads(runner.invoke(app, args).stdout))

    y2021, y2022, y2023 = progress(2021), progress(2022), progress(2023)
    assert y2021["district"]["met"] is True and y2021["district"]["rate"] > 0.3
    d = y2022["district"]
    assert d["met"] is False and 0.5 < d["rate"] < 0.6 and d["gap"] == 2
    statuses = {c["community_id"]: c["status"] for c in y2022["communities"]}
    assert {"pass", "repass", "revoked", "fail", "pending", "absent"} <= set(statuses.values())
    subs = {s["name"]: s for s in y2022["subdistricts"]}
    assert subs["渤海乡"]["nominations"] == 0
    assert any(c["points_short"] == 0.5 for c in y2022["candidates"])
    nominated_2022 = {c["community_id"] for c in y2022["communities"] if c["nominated"]}
    assert "ZJ-05" in nominated_2022  # failed in 2021 (79.5), applied again: a nomination, and it passed

    # 2023: the target met again; a lapsed title, a regained one, a re-review missed, one failed
    assert y2023["district"]["met"] is True and y2023["target"] == 0.6
    by_code = {c["community_id"]: c for c in y2023["communities"]}
    assert statuses["TF-03"] == "pending" and by_code["TF-03"]["status"] == "lapsed"
    assert by_code["TF-03"]["title_date"] is None and y2023["district"]["lapsed"] == 1
    assert statuses["ZJ-04"] == "revoked" and by_code["ZJ-04"]["status"] == "pass"
    assert by_code["ZJ-04"]["title_date"] == "2023-09-21" and by_code["ZJ-04"]["nominated"] is True
    assert by_code["ZJ-09"]["nominated"] is True and by_code["ZJ-09"]["status"] == "pass"  # 79.5 in 2022
    assert by_code["HH-07"]["status"] == "pending" and by_code["TF-07"]["status"] == "revoked"
    assert [w["subdistrict"] for w in y2023["warnings"]] == ["珠江道街道"]  # three nominations, above two
    # titles of autumn 2022 are eligible for the province only from their anniversary
    early = {c["community_id"]: c for c in progress(2023, "--as-of", "2023-09-30")["communities"]}
    assert by_code["CC-06"]["title_date"] == "2022-11-07"
    assert by_code["CC-06"]["provincial_eligible"] is True and early["CC-06"]["provincial_eligible"] is False
    assert early["ZJ-05"]["provincial_eligible"] is True  # titled 2022-09-26

    scored = json.loads(runner.invoke(app, ["score", str(SAMPLES / "inspections"), "--dry-run", "--json"]).stdout)
    results = scored["results"]
    assert {v for r in results for v in r["vetoes"]} == {"V1", "V2", "V3", "V4"}
    assert any(r["total"] == 79.5 for r in results) and any(r["bonus"] == 3 and r["total"] == 100 for r in results)
    assert any(r["superseded"] for r in results)
    assert sum(r["verdict"] == "invalid" for r in results) == 6
    assert any(r["items"] and r["items"]["15"] < 4 and not r["vetoes"] for r in results)
    # versions side by side: 船厂路街道's 2021 and 2022 forms are of the first reading
    versions = {(r["community_id"], r["year"]): r["rubric_version"] for r in results if r["year"] is not None}
    assert versions[("CC-01", 2022)] == "2021.1" and versions[("ZJ-01", 2022)] == "2021.2"
    assert versions[("CC-01", 2023)] == "2021.2"
    # the health centre's population beside its discretionary 20.2: two warnings where the story puts them
    warned = {r["community_id"] for r in results for w in r["warnings"] if w["code"] == "20.2"}
    assert warned == {"HH-10", "TF-08"}
    partial = next(r for r in results if r["community_id"] == "BH-02" and r["year"] == 2023)
    assert not [w for w in partial["warnings"] if w["code"] == "20.2"]


COMMAND = re.compile(r"`greencli ([a-z]+)([^`]*)`")


def test_every_command_and_option_the_readme_shows_exists() -> None:
    text = README.read_text(encoding="utf-8")
    shown: dict[str, set[str]] = {}
    for match in COMMAND.finditer(text):
        shown.setdefault(match[1], set()).update(re.findall(r"(--[a-z-]+)", match[2]))
    for block in re.findall(r"\$ greencli ([a-z]+)([^\n]*)", text):
        shown.setdefault(block[0], set()).update(re.findall(r"(--[a-z-]+)", block[1]))
    for line in re.findall(r"greencli ([a-z]+) ([^\n;>]*)", text):
        if line[0] in shown:
            shown[line[0]].update(re.findall(r"(--[a-z-]+)", line[1]))
    assert {"template", "score", "progress", "history", "standard"} <= set(shown)
    groups = {name for name, c in get_command(app).commands.items() if hasattr(c, "commands")}  # type: ignore[attr-defined]
    for command, options in shown.items():
        words = [command]
        if command in groups:  # greencli roster show --year: the options are the sub-command's
            words += re.findall(rf"greencli {command} ([a-z]+)", text)[:1]
        result = runner.invoke(app, [*words, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, command
        for option in options - {"--help"}:
            assert option in result.output, f"README shows {command} {option}, which does not exist"
    top = runner.invoke(app, ["--help"]).output
    assert "--debug" in top and "--version" in top
    assert "make demo" in text and "make test" in text and "中文快速上手" in text
