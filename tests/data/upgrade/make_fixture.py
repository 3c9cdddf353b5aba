"""Rebuild the upgrade fixture: a ledger written by the release before migration 4 (schema 3, commit 22736df: its successor 1d63daa cannot run a rollup).

Run from the repository root with the project's venv:  python tests/data/upgrade/make_fixture.py
It makes the inbox workbooks with today's test builders (rubric 2021.1, which that release scored), checks the old
release out into a temporary git worktree, and runs *its* `rollup` over 2021 and then 2022, so `ledger-v3.db` holds
exactly what an office upgrading from that release has: evaluations, and invalid workbooks only in the rollup's
file cache. tests/test_upgrade.py compares every reading command on it, upgraded, with a ledger built fresh.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from tests.builders import C  # noqa: E402
from tests.workbooks import filled  # noqa: E402

HERE = Path(__file__).resolve().parent
OLD_RELEASE = "22736df"


def make_inbox(inbox: Path) -> None:
    """Two years of one 乡街: passes, a fail, a veto, invalid workbooks (one corrected the next year, one not)."""
    y21, y22 = inbox / "2021", inbox / "2022"
    filled(y21, "ZJ-01", "珠江社区", year=2021)
    filled(y21, "ZJ-02", "海滨社区", year=2021, values={"5.1": 9, "6.1": 4, "9.1": 0, "12.1": 0})
    filled(y21, "ZJ-03", "山海社区", year=2021, values={"V3": 6})
    filled(y21, "ZJ-04", "翠苑社区", year=2021, values={"7.3": None})  # invalid: a blank required entry
    filled(y21, "ZJ-05", "长江东社区", year=2021, values={"1.1": "abc"})  # invalid, corrected in 2022
    filled(y21, "ZJ-06", "长江西社区", year=2021, compounds=(C(green=100),))
    filled(y22, "ZJ-01", "珠江社区", year=2022, values={"5.1": 4, "6.1": 4, "9.1": 0, "12.1": 0, "11.1": 0})
    filled(y22, "ZJ-02", "海滨社区", year=2022)
    filled(y22, "ZJ-03", "山海社区", year=2022, values={"V1": None})  # invalid in 2022
    filled(y22, "ZJ-05", "长江东社区", year=2022)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="greencli-upgrade-"))
    old = work / "release"
    subprocess.run(["git", "worktree", "add", "--detach", str(old), OLD_RELEASE], cwd=ROOT, check=True)
    try:
        shutil.rmtree(HERE / "inbox", ignore_errors=True)
        make_inbox(HERE / "inbox")
        for blank in (HERE / "inbox").rglob(".blank-*"):
            blank.unlink()
        db = HERE / "ledger-v3.db"
        db.unlink(missing_ok=True)
        env = {**os.environ, "PYTHONPATH": str(old)}
        for year in (2021, 2022):
            subprocess.run(
                [sys.executable, "-m", "greencli", "rollup", "--inbox", str(HERE / "inbox" / str(year)),
                 "--year", str(year), "--roster", str(HERE / "roster.csv"), "--db", str(db),
                 "--out", str(work / f"{year}.xlsx")],
                env=env, cwd=old, check=False,
            )  # fmt: skip
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, check=False)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
