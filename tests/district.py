"""The bundled sample district, scored the way a user scores it: once per test session (the `sample_district`
fixture), and by `make golden` when the golden files are deliberately renewed."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from greencli.cli.app import app
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
YEARS = ("2021", "2022", "2023")  # the sample district's three batches, in the order they are scored
ROSTER = "samples/roster.xlsx"


@dataclass(frozen=True)
class SampleDistrict:
    """Its three years scored into one ledger, with one district workbook per year. Read it freely; a test that
    records, voids or confers works on `copy_ledger`."""

    folder: Path
    db: Path
    roster: Path
    workbooks: dict[str, Path]  # year → that batch's district workbook
    score_json: dict[str, dict[str, object]]  # year → `score --json` as printed

    def copy_ledger(self, to: Path) -> Path:
        """A private copy of the ledger, in the folder `to`."""
        to.mkdir(parents=True, exist_ok=True)
        target = to / self.db.name
        shutil.copyfile(self.db, target)
        return target


def invoke(*args: str) -> tuple[int, str]:
    """A command as typed at a 120-column console: its exit code and standard output."""
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "120"}, prog_name="greencli")
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, result.stdout


@contextmanager
def in_root() -> Iterator[None]:
    """From the repository's top folder, so sample paths are relative, as a user types them."""
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        yield
    finally:
        os.chdir(cwd)


def score_batches(folder: Path, years: tuple[str, ...]) -> Path:
    """Some of the sample district's years scored in turn (by absolute paths) into `folder`/l.db, each year's
    district workbook beside it as YEAR.xlsx; `folder` is returned. Every batch holds invalid workbooks on purpose
    (exit code 1)."""
    for year in years:
        code, _ = invoke("score", str(ROOT / "samples" / "inspections" / year), "--roster", str(ROOT / ROSTER),
                         "--db", str(folder / "l.db"), "--out", str(folder / f"{year}.xlsx"))  # fmt: skip
        assert code == 1, (year, code)
    return folder


def score_sample_district(folder: Path) -> SampleDistrict:
    """Score 2021, 2022 and 2023 in turn into `folder`/l.db, each year's district workbook beside it."""
    db = folder / "l.db"
    workbooks = {year: folder / f"{year}.xlsx" for year in YEARS}

    with in_root():
        scored = {
            year: json.loads(invoke("score", f"samples/inspections/{year}", "--roster", ROSTER, "--db", str(db),
                                    "--out", str(workbooks[year]), "--json")[1])
            for year in YEARS
        }  # fmt: skip
    connection = sqlite3.connect(db)  # WAL mode: checkpoint, so the file alone is the whole ledger for a copy
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    return SampleDistrict(folder, db, ROOT / ROSTER, workbooks, scored)


def forget_rosters(db: str | Path) -> None:
    """The ledger as one kept before it kept rosters (upgraded from an older greencli): no year has a roster."""
    with sqlite3.connect(db) as connection:
        connection.execute("DELETE FROM roster_communities")
        connection.execute("DELETE FROM rosters")
