"""Several writers on one shared (PostgreSQL) ledger at once, and writers killed mid-batch (issue 25, item 3), on a
real server: no evaluation lost or recorded twice, no deadlock, a killed batch absent or whole, and the next run of
that district starting at once."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ROSTER = str(SAMPLES / "roster.csv")
GREENCLI = [sys.executable, "-m", "greencli"]


def run(*args: str | Path, district: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GREENCLI_DISTRICT": district, "COLUMNS": "120"}
    return subprocess.run([*GREENCLI, *map(str, args)], capture_output=True, text=True, env=env, timeout=timeout,
                          check=False)  # fmt: skip


def evaluations(url: str) -> list[tuple[str, str, int, str, str, bool]]:
    with psycopg.connect(url) as admin:
        rows = admin.execute(
            "SELECT district, community_id, year, file_sha256, rubric_version, superseded_by IS NULL"
            " AND void_reason IS NULL FROM greencli.evaluations ORDER BY 1, 2, 3, 4"
        ).fetchall()
    return [tuple(r) for r in rows]


def consistent(url: str) -> None:
    """Each file content once per district and version, and one current evaluation per community and year."""
    rows = evaluations(url)
    keys = [(d, c, y, sha, v) for d, c, y, sha, v, _ in rows]
    assert len(keys) == len(set(keys))
    current: dict[tuple[str, str, int], int] = {}
    for d, c, y, _, _, standing in rows:
        current[(d, c, y)] = current.get((d, c, y), 0) + int(standing)
    assert set(current.values()) <= {1}, {k: v for k, v in current.items() if v != 1}


@pytest.fixture(scope="module")
def inboxes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample years as separate inboxes, and one long inbox (the three years, four times over) to kill mid-read."""
    root = tmp_path_factory.mktemp("inboxes")
    boxes = {year: SAMPLES / "inspections" / year for year in ("2021", "2022", "2023")}
    long = root / "long"
    for n in range(4):
        for year in ("2021", "2022", "2023"):
            shutil.copytree(SAMPLES / "inspections" / year, long / f"{year}-{n}")
    return {**boxes, "long": long}


def test_writers_of_two_districts_at_once_lose_nothing_and_record_nothing_twice(
    postgres_url: str, inboxes: dict[str, Path], tmp_path: Path
) -> None:
    # the same three years, twice each, by six processes at once, three per district
    jobs = [(district, year, n) for district in ("130302", "130303") for year in ("2021", "2022", "2023")
            for n in range(2)]  # fmt: skip
    env = {**os.environ, "COLUMNS": "120"}
    procs = [
        subprocess.Popen([*GREENCLI, "score", str(inboxes[year]), "--roster", ROSTER, "--db", postgres_url,
                          "--district", district, "--out", str(tmp_path / f"{district}-{year}-{n}.xlsx"), "--json",
                          "--jobs", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for district, year, n in jobs
    ]  # fmt: skip
    outputs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [1] * len(jobs), [o[1][-500:] for o in outputs]  # invalid samples: 1
    consistent(postgres_url)
    # exactly what one SQLite ledger fed the three years gives, in each district
    single = tmp_path / "single.db"
    for year in ("2021", "2022", "2023"):
        run("score", inboxes[year], "--roster", ROSTER, "--db", single, "--out", tmp_path / f"s{year}.xlsx",
            district="")  # fmt: skip
    for district in ("130302", "130303"):
        for year in ("2021", "2022", "2023"):
            shared = run("progress", "--year", year, "--db", postgres_url, "--json", district=district)
            alone = run("progress", "--year", year, "--db", single, "--json", district="")
            assert json.loads(shared.stdout) == json.loads(alone.stdout), (district, year)
    recorded = [json.loads(out)["recorded"] for out, _ in outputs]
    per_district = len(evaluations(postgres_url)) // 2
    assert sum(recorded) == 2 * per_district  # every evaluation recorded by exactly one of the writers


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_writer_killed_mid_batch_leaves_its_batch_absent_or_whole(
    postgres_url: str, inboxes: dict[str, Path], tmp_path: Path
) -> None:
    first = run("score", inboxes["2021"], "--roster", ROSTER, "--db", postgres_url, "--out", tmp_path / "a.xlsx",
                district="130302")  # fmt: skip
    assert first.returncode == 1, first.stderr
    before = len(evaluations(postgres_url))
    env = {**os.environ, "GREENCLI_DISTRICT": "130302", "COLUMNS": "120"}
    seen: set[int] = set()
    for delay in (0.5, 1.5, 3.0, 5.0):
        proc = subprocess.Popen([*GREENCLI, "score", str(inboxes["long"]), "--db", postgres_url, "--out",
                                 str(tmp_path / f"k{delay}.xlsx"), "--jobs", "2"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=env, start_new_session=True)  # fmt: skip
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)  # the run and its reading workers, as the OOM killer or kill -9 would
        proc.wait(timeout=30)
        consistent(postgres_url)
        seen.add(len(evaluations(postgres_url)))
    whole = run("score", inboxes["long"], "--db", postgres_url, "--out", tmp_path / "whole.xlsx", district="130302")
    assert whole.returncode == 1, whole.stderr
    after = len(evaluations(postgres_url))
    assert seen <= {before, after}  # each killed batch: absent, or whole
    started = time.monotonic()
    rolled = run("rollup", "--inbox", inboxes["2023"], "--db", postgres_url, "--out", tmp_path / "r.xlsx",
                 "--wait", "0", district="130302")  # fmt: skip
    assert rolled.returncode == 1, rolled.stderr  # not 3: nothing of the killed runs holds a lock
    assert time.monotonic() - started < 120
    consistent(postgres_url)
