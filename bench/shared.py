"""The shared ledger under load (issue 25): 8 processes score N workbooks across 4 districts into one PostgreSQL at
once, then the same 8 processes into 4 separate SQLite ledgers (one per district, two writers each); counts exact,
no duplicates, each district's progress the same on both; throughput side by side."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import psycopg
from tests.postgres import start_server

from bench.corpus import KINDS, build

DISTRICTS = ("130302", "130303", "130304", "130321")
PROCESSES = 8


def _run_all(greencli: str, slices: list[tuple[str, list[Path]]], db_for: Any, roster: Path, out: Path) -> float:
    """The 8 processes at once; wall seconds until the last ends (each must exit 0 or 1)."""
    start = time.perf_counter()
    procs = []
    for n, (district, files) in enumerate(slices):
        command = [greencli, "score", *map(str, files), "--roster", str(roster), "--db", db_for(district),
                   "--district", district, "--out", str(out / f"{n}.xlsx"), "--jobs", "1", "--wait", "600", "--json"]  # fmt: skip
        procs.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    errors = [p.communicate()[1] for p in procs]
    elapsed = time.perf_counter() - start
    bad = [(p.returncode, e[-300:]) for p, e in zip(procs, errors, strict=True) if p.returncode not in (0, 1)]
    if bad:
        raise RuntimeError(f"a writer failed: {bad}")
    return elapsed


def measure_shared(greencli: str, n: int, corpora: Path, work: Path) -> dict[str, Any]:
    server = start_server()
    if isinstance(server, str):
        return {"skipped": server}
    try:
        roster, _, files = build(corpora, n, KINDS[0])
        ordered = sorted(files)
        per = -(-len(ordered) // PROCESSES)
        slices = [(DISTRICTS[k % len(DISTRICTS)], ordered[k * per : (k + 1) * per]) for k in range(PROCESSES)]
        url = server.new_database()
        folder = work / "shared"
        (folder / "pg").mkdir(parents=True)
        (folder / "sqlite").mkdir()
        pg_seconds = _run_all(greencli, slices, lambda _d: url, roster, folder / "pg")
        sqlite_seconds = _run_all(greencli, slices, lambda d: str(folder / "sqlite" / f"{d}.db"), roster,
                                  folder / "sqlite")  # fmt: skip
        with psycopg.connect(url) as admin:
            rows = admin.execute(
                "SELECT district, count(*), count(DISTINCT (community_id, year, file_sha256, rubric_version))"
                " FROM greencli.evaluations GROUP BY district ORDER BY district"
            ).fetchall()
        same_progress = {}
        for district in DISTRICTS:
            shared = subprocess.run([greencli, "progress", "--year", "2022", "--db", url, "--district", district,
                                     "--json"], capture_output=True, text=True, check=False)  # fmt: skip
            alone = subprocess.run([greencli, "progress", "--year", "2022", "--db",
                                    str(folder / "sqlite" / f"{district}.db"), "--json"], capture_output=True,
                                   text=True, check=False)  # fmt: skip
            same_progress[district] = json.loads(shared.stdout) == json.loads(alone.stdout)
        expected = {d: sum(len(f) for dd, f in slices if dd == d) for d in DISTRICTS}
        return {
            "n": len(ordered), "processes": PROCESSES, "districts": len(DISTRICTS),
            "postgresql_seconds": round(pg_seconds, 2), "sqlite_seconds": round(sqlite_seconds, 2),
            "postgresql_per_second": round(len(ordered) / pg_seconds, 1),
            "sqlite_per_second": round(len(ordered) / sqlite_seconds, 1),
            "postgresql_vs_sqlite": round(sqlite_seconds / pg_seconds, 2),
            "recorded": {d: int(c) for d, c, _ in rows}, "expected": expected,
            "duplicates": sum(int(c) - int(u) for _, c, u in rows),
            "counts_exact": {d: int(c) for d, c, _ in rows} == expected,
            "progress_same_as_sqlite": same_progress,
        }  # fmt: skip
    finally:
        server.stop()
