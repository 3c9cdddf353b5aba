"""What users see on the sample district stays as it is: `score --json`, `progress --json`, the terminal tables,
every sheet of the district workbooks, a community's history and the text of every notice, compared by meaning
with the golden files in tests/data/golden/.

This test only compares. A deliberate change renews the files with `make golden` (tests/update_golden.py), and the
diff is reviewed in the commit; the test then passes against what was written, in a separate run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest

from tests.district import ROSTER, YEARS, SampleDistrict, in_root, invoke

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "data" / "golden"
# Keys that name where or when this run wrote (temporary folders, the time of scoring), not what it found.
VOLATILE = {"db", "out", "scored_at", "modified"}  # modified: an evidence file's time, the checkout's
NOTICE_KINDS = (
    "上报名单",
    "认定名单",
    "复审通过名单",
    "撤销名单",
    "逾期未复审名单",
    "省级推荐名单",
    "应复审名单",
    "通报",
)
HISTORY_OF = ("ZJ-01", "HH-03")


def stable(value: Any) -> Any:
    """Without the volatile keys, and with the checkout's own folder (in stored absolute paths) as ROOT."""
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [stable(v) for v in value]
    if isinstance(value, str):
        return value.replace(str(ROOT), "ROOT")
    return value


def sheets(path: Path) -> dict[str, list[list[Any]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def document_text(path: Path) -> str:
    """A Word document as read: its paragraphs, then each table's rows (cells joined by |)."""
    document = docx.Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += [" | ".join(cell.text for cell in row.cells) for row in table.rows]
    return "\n".join(lines) + "\n"


def observe(district: SampleDistrict, tmp: Path) -> dict[str, Any]:
    """Everything the golden files hold, from the sample district scored once (`district`), its ledger copied to
    `tmp` for the commands that follow."""
    db = str(district.copy_ledger(tmp))

    def text(*args: str) -> str:
        return invoke(*args)[1].replace(str(tmp), "TMP").replace(str(district.folder), "TMP")

    out: dict[str, Any] = {}
    with in_root():
        for year in YEARS:
            out[f"score-{year}.json"] = stable(district.score_json[year])
            out[f"workbook-{year}.json"] = sheets(district.workbooks[year])
            # The table of the same batch scored again (the ledger already holds it), as an office re-runs a day.
            out[f"score-{year}.txt"] = text("score", f"samples/inspections/{year}", "--roster", ROSTER, "--db", db,
                                            "--out", str(tmp / f"{year}.xlsx"))  # fmt: skip
        for year in YEARS:
            args = ["progress", "--year", year, "--roster", ROSTER, "--db", db]
            out[f"progress-{year}.json"] = stable(json.loads(invoke(*args, "--json")[1]))
            out[f"progress-{year}.txt"] = text(*args)
        for year in ("2022", "2023"):
            invoke("progress", "--year", year, "--roster", ROSTER, "--db", db, "--out", str(tmp / f"{year}.xlsx"))
            out[f"workbook-{year}-progress.json"] = sheets(tmp / f"{year}.xlsx")
        early = ["progress", "--year", "2023", "--as-of", "2023-09-30", "--roster", ROSTER, "--db", db, "--json"]
        out["progress-2023-as-of-0930.json"] = stable(json.loads(invoke(*early)[1]))
        out["evidence-2023.json"] = stable(json.loads(invoke("evidence", "--year", "2023", "--db", db, "--json")[1]))
        for code in HISTORY_OF:
            out[f"history-{code}.json"] = stable(json.loads(invoke("history", code, "--db", db, "--json")[1]))
        for n, kind in enumerate(NOTICE_KINDS):
            target = tmp / f"notice-{n}.docx"
            invoke("notice", "--year", "2023", "--kind", kind, "--as-of", "2023-12-31", "--roster", ROSTER, "--db",
                   db, "--out", str(target))  # fmt: skip
            out[f"notice-2023-{kind}.txt"] = document_text(target)
    return out


def serialise(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=1, default=str)


@pytest.fixture(scope="module")
def observed(sample_district: SampleDistrict, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return observe(sample_district, tmp_path_factory.mktemp("golden"))


NAMES = sorted(p.name for p in GOLDEN.iterdir())


def test_every_golden_file_is_observed(observed: dict[str, Any]) -> None:
    assert set(NAMES) == set(observed), "renew the golden files with `make golden` and review the diff"


@pytest.mark.parametrize("name", NAMES)
def test_the_samples_look_as_they_did(observed: dict[str, Any], name: str) -> None:
    expected = (GOLDEN / name).read_text(encoding="utf-8")
    value = observed[name]
    if name.endswith(".txt"):
        assert value.splitlines() == expected.splitlines()
    else:
        assert json.loads(json.dumps(value, ensure_ascii=False, default=str)) == json.loads(expected)
