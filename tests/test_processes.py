"""Real processes: a killed run leaves no worker behind and no lock held; a closed pipe never fails a batch."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import openpyxl
import pytest
from greencli.adapters.streams import EXIT_PIPE

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ROSTER = str(SAMPLES / "roster.xlsx")
GREENCLI = [sys.executable, "-m", "greencli"]


@pytest.fixture(scope="module")
def big_inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Eight copies of the sample 2022 batch: long enough (272 files, two workers) to be killed mid-read."""
    box = tmp_path_factory.mktemp("big") / "inbox"
    for n in range(8):
        shutil.copytree(SAMPLES / "inspections" / "2022", box / f"copy{n}")
    return box


def run_processes(marker: str) -> list[int]:
    """Every live process started with GREENCLI_TEST_RUN=marker in its environment (the run and its children)."""
    found = []
    needle = f"GREENCLI_TEST_RUN={marker}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in environ.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def env_with(marker: str) -> dict[str, str]:
    return {**os.environ, "GREENCLI_TEST_RUN": marker, "COLUMNS": "120"}


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc to find a run's processes")
@pytest.mark.parametrize("command", ["rollup", "score"])
def test_a_killed_run_leaves_no_process_and_the_next_run_starts_at_once(
    tmp_path: Path, big_inbox: Path, command: str
) -> None:
    db = tmp_path / "l.db"
    args = {
        "rollup": ["rollup", "--inbox", str(big_inbox), "--year", "2022"],
        "score": ["score", str(big_inbox)],
    }[command]
    base = [*GREENCLI, *args, "--roster", ROSTER, "--db", str(db), "--out", str(tmp_path / "汇总.xlsx"), "--jobs", "2"]
    for delay in (0.4, 0.9, 1.5):
        marker = uuid.uuid4().hex
        proc = subprocess.Popen(base, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env_with(marker))
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        time.sleep(2)
        left = run_processes(marker)
        for pid in left:  # do not leave them running for the rest of the suite, whatever the assertion says
            os.kill(pid, signal.SIGKILL)
        assert left == [], f"{command} killed after {delay}s left processes {left}"
    started = time.monotonic()
    final = subprocess.run(
        [*base, *(["--wait", "0"] if command == "rollup" else [])],
        capture_output=True,
        env=env_with(uuid.uuid4().hex),
        check=False,
    )
    assert final.returncode == 1, final.stderr.decode()  # the samples hold invalid workbooks on purpose; not 3
    assert time.monotonic() - started < 60
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def closed_pipe_run(args: list[str], cwd: Path) -> tuple[int, bytes]:
    """Run greencli with a stdout pipe whose reader has already gone; returns the exit code and stderr."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before greencli writes its first byte
    try:
        proc = subprocess.run([*GREENCLI, *args], stdout=write_end, stderr=subprocess.PIPE, cwd=cwd, check=False,
                              env={**os.environ, "COLUMNS": "80"})  # fmt: skip
    finally:
        os.close(write_end)
    return proc.returncode, proc.stderr


@pytest.mark.parametrize("args", [["standard"], ["--help"], ["score", "-h"]], ids=["standard", "help", "score-h"])
def test_a_closed_pipe_ends_quietly_with_141(tmp_path: Path, args: list[str]) -> None:
    code, stderr = closed_pipe_run(args, tmp_path)
    assert code == EXIT_PIPE and stderr == b""


def test_score_json_into_a_closed_pipe_still_records_and_writes(tmp_path: Path) -> None:
    args = ["score", str(SAMPLES / "inspections" / "2022"), "--roster", ROSTER, "--db", "l.db", "--out", "汇总.xlsx",
            "--json"]  # fmt: skip
    code, stderr = closed_pipe_run(args, tmp_path)
    assert code == EXIT_PIPE and stderr == b""  # not 1 (invalid workbooks), which a script would misread
    with sqlite3.connect(tmp_path / "l.db") as connection:
        assert connection.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0] == 31
    assert len(openpyxl.load_workbook(tmp_path / "汇总.xlsx")["汇总"]["A"]) == 35


def test_progress_through_head_exits_141_in_a_shell_pipeline(tmp_path: Path) -> None:
    subprocess.run([*GREENCLI, "score", str(SAMPLES / "inspections" / "2022"), "--roster", ROSTER, "--db", "l.db",
                    "--out", "o.xlsx"], cwd=tmp_path, capture_output=True, check=False)  # fmt: skip
    line = f"{' '.join(GREENCLI)} progress --year 2022 --roster {ROSTER} --db l.db --json | head -c 10"
    shell = subprocess.run(["bash", "-o", "pipefail", "-c", line], cwd=tmp_path, capture_output=True, check=False)
    assert shell.stderr == b"" and shell.returncode in (0, EXIT_PIPE)  # 0 only if it all fit in the pipe's buffer
    assert json.loads(subprocess.run([*GREENCLI, "progress", "--year", "2022", "--roster", ROSTER, "--db", "l.db",
                                      "--json"], cwd=tmp_path, capture_output=True, check=True).stdout)["year"] == 2022  # fmt: skip


def test_a_finished_run_ends_without_teardown_yet_keeps_its_log_status_and_cleanup(tmp_path: Path) -> None:
    """The console script ends a finished run by `runtime.leave` (no interpreter teardown): the log file is whole,
    the exit status is the command's own, and the run's temporary folder is gone."""
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp), "TEMP": str(temp), "TMP": str(temp)}
    args = ["rollup", "--inbox", str(SAMPLES / "inspections" / "2022"), "--year", "2022", "--roster", ROSTER,
            "--db", "l.db", "--out", "汇总.xlsx", "--log", "run.log"]  # fmt: skip
    for _ in range(2):  # a first run, then an unchanged one
        proc = subprocess.run([*GREENCLI, *args], cwd=tmp_path, capture_output=True, env=env, check=False)
        assert proc.returncode == 1  # the 2022 samples hold invalid workbooks: 1, as the contract says
    log = (tmp_path / "run.log").read_text(encoding="utf-8").splitlines()
    assert sum(" 结束 " in line for line in log) == 2 and " 结束 " in log[-1] and log[-1].endswith("退出码=1")
    assert list(temp.iterdir()) == []
    missing = subprocess.run([*GREENCLI, "rollup", "--inbox", "nowhere", "--db", "l.db"], cwd=tmp_path,
                             capture_output=True, env=env, check=False)  # fmt: skip
    assert missing.returncode == 2 and "nowhere" in missing.stderr.decode("utf-8")


@pytest.mark.parametrize(("code", "status", "said"), [("None", 0, ""), ("3", 3, ""), ("'停止'", 1, "停止")])
def test_leave_exits_as_sys_exit_would_after_the_atexit_functions(code: str, status: int, said: str) -> None:
    script = ("import atexit, sys\nfrom greencli.adapters.runtime import leave\n"
              "atexit.register(lambda: print('atexit ran', flush=False))\nsys.stdout.write('unflushed')\n"
              f"leave({code})\n")  # fmt: skip
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, check=False)
    assert proc.returncode == status
    assert proc.stdout.decode("utf-8").split() == ["unflushedatexit", "ran"]
    assert proc.stderr.decode("utf-8").strip() == said


def test_leave_waits_like_sys_exit_while_a_thread_that_is_not_a_daemon_runs() -> None:
    import threading

    from greencli.adapters.runtime import leave

    release = threading.Event()
    worker = threading.Thread(target=release.wait, daemon=False)
    worker.start()
    try:
        with pytest.raises(SystemExit) as raised:
            leave(4)
        assert raised.value.code == 4
    finally:
        release.set()
        worker.join()
