"""Ctrl-C and SIGTERM end every command within two seconds, workers included, with one Chinese line, exit 130 or
143, no traceback, nothing left behind, and a ledger that holds none or all of the batch.

The batch is a few hundred distinct workbooks (the sample batch copied, each copy made a different file); a long
run (each kind and signal 20 times at seeded random moments, GREENCLI_INTERRUPT_SEED to vary them):
GREENCLI_INTERRUPT_FILES=1000 GREENCLI_INTERRUPT_TRIALS=20 pytest -m slow tests/test_interrupts.py
"""

from __future__ import annotations

import os
import pty
import random
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.test_processes import env_with, run_processes

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ROSTER = str(SAMPLES / "roster.xlsx")
GREENCLI = [sys.executable, "-m", "greencli"]
FILES = int(os.environ.get("GREENCLI_INTERRUPT_FILES", "306"))
LONG_RUN = "GREENCLI_INTERRUPT_TRIALS" in os.environ
TRIALS = int(os.environ.get("GREENCLI_INTERRUPT_TRIALS", "2"))
SEED = int(os.environ.get("GREENCLI_INTERRUPT_SEED", "20"))
BOUND = 2.0  # seconds from the signal to the end of the run

pytestmark = pytest.mark.skipif(
    sys.platform == "win32" or not Path("/proc/self/environ").exists(), reason="POSIX signals; /proc to find processes"
)


@dataclass(frozen=True)
class Batch:
    inbox: Path
    files: int
    evaluations: int  # what a complete run records
    seconds: float  # how long a complete score run takes


def distinct_copies(target: Path, count: int) -> int:
    """`count` workbooks: the 2022 sample batch over and over, each copy a different file (its zip comment)."""
    sources = sorted((SAMPLES / "inspections" / "2022").rglob("*.xlsx"))
    made = 0
    while made < count:
        for source in sources[: count - made]:
            copy = target / f"c{made // len(sources)}" / source.name
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, copy)
            with zipfile.ZipFile(copy, "a") as archive:
                archive.comment = f"copy {made}".encode()
            made += 1
    return made


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    base = tmp_path_factory.mktemp("interrupts")
    inbox = base / "inbox"
    files = distinct_copies(inbox, FILES)
    started = time.monotonic()
    subprocess.run([*GREENCLI, "score", str(inbox), "--roster", ROSTER, "--db", str(base / "full.db"), "--out",
                    str(base / "full.xlsx"), "--jobs", "2"], capture_output=True, check=False)  # fmt: skip
    seconds = time.monotonic() - started
    return Batch(inbox, files, evaluations(base / "full.db"), seconds)


@pytest.fixture
def scratch() -> Iterator[Path]:
    """The runs' TMPDIR (short: their own folder goes in it, see runtime._base), empty when they are done."""
    folder = Path(tempfile.mkdtemp(prefix="gi-", dir="/tmp" if os.path.isdir("/tmp") else None))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def evaluations(db: Path) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        if connection.execute("SELECT name FROM sqlite_master WHERE name = 'evaluations'").fetchone() is None:
            return 0
        return int(connection.execute("SELECT COUNT(*) FROM evaluations").fetchone()[0])


def command(kind: str, batch: Batch, work: Path) -> list[str]:
    common = ["--roster", ROSTER, "--db", str(work / "l.db"), "--out", str(work / "out" / "汇总.xlsx"), "--jobs", "2"]
    if kind == "score":
        return [*GREENCLI, "score", str(batch.inbox), *common]
    return [*GREENCLI, "rollup", "--inbox", str(batch.inbox), "--year", "2022", "--log", str(work / "run.log"), *common]


def wait_started(scratch: Path, proc: subprocess.Popen[bytes]) -> None:
    """Until the run has its own folder: its signal handlers are in place (before that, Python itself is still
    starting, and a signal there is Python's to report)."""
    deadline = time.monotonic() + 30
    while not any(scratch.glob("greencli-run-*")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)


def no_processes_left(marker: str) -> list[int]:
    """The run's processes still alive a moment after it ended (forkserver and tracker see their pipe close)."""
    deadline = time.monotonic() + 1.0
    while (left := run_processes(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in left:  # never leave them running for the rest of the suite, whatever the assertion says
        os.kill(pid, signal.SIGKILL)
    return left


def interrupt_once(kind: str, signum: int, delay: float, batch: Batch, work: Path, scratch: Path) -> None:
    marker = uuid.uuid4().hex
    env = {**env_with(marker), "TMPDIR": str(scratch)}
    proc = subprocess.Popen(command(kind, batch, work), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    wait_started(scratch, proc)
    time.sleep(delay)
    if proc.poll() is not None:  # finished before the signal: nothing to learn from this trial
        proc.communicate()
        return
    sent = time.monotonic()
    proc.send_signal(signum)
    _, stderr_bytes = proc.communicate(timeout=30)
    took = time.monotonic() - sent
    stderr = stderr_bytes.decode(errors="replace")
    where = f"{kind} {signal.Signals(signum).name} after {delay:.2f}s"
    left = no_processes_left(marker)
    if proc.returncode in (0, 1):  # it had just finished its work as the signal came: a normal end
        assert "Traceback" not in stderr, (where, stderr)
    else:
        assert proc.returncode == 128 + signum, (where, proc.returncode, stderr)
        lines = stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("已中断："), (where, stderr)
    assert took < BOUND, (where, took)
    assert left == [], (where, left)
    assert list(scratch.iterdir()) == [], (where, list(scratch.iterdir()))
    assert not list(work.rglob(".~greencli-*")), where
    assert evaluations(work / "l.db") in (0, batch.evaluations), where
    log = (work / "run.log").read_text(encoding="utf-8").splitlines() if (work / "run.log").exists() else []
    if log:  # none when the signal came before the log was opened; else it never stops at 扫描完成
        assert log[-1].split(" ")[1] in ("中断", "结束"), (where, log[-1])


def trials(kind: str, signum: int, count: int, batch: Batch, tmp_path: Path, scratch: Path) -> None:
    chance = random.Random(f"{SEED}-{kind}-{signum}")
    for n in range(count):
        work = tmp_path / f"{kind}-{n}"
        work.mkdir()
        interrupt_once(kind, signum, chance.uniform(0, batch.seconds), batch, work, scratch)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("kind", ["score", "rollup"])
def test_a_signal_at_a_random_moment_ends_the_run_cleanly(
    batch: Batch, tmp_path: Path, scratch: Path, kind: str, signum: int
) -> None:
    assert batch.evaluations > 0.8 * batch.files  # the batch is distinct files, nearly all of them valid
    trials(kind, signum, min(TRIALS, 2), batch, tmp_path, scratch)


@pytest.mark.slow
@pytest.mark.skipif(not LONG_RUN, reason="the long run: set GREENCLI_INTERRUPT_TRIALS (and GREENCLI_INTERRUPT_FILES)")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("kind", ["score", "rollup"])
def test_many_signals_at_random_moments(batch: Batch, tmp_path: Path, scratch: Path, kind: str, signum: int) -> None:
    trials(kind, signum, TRIALS, batch, tmp_path, scratch)


def test_other_commands_end_on_a_signal_too(tmp_path: Path, scratch: Path) -> None:
    """A command without workers stopped while it writes: one line, 130, its folder and temporaries gone."""
    env = {**os.environ, "TMPDIR": str(scratch)}
    proc = subprocess.Popen([*GREENCLI, "template", "--roster", ROSTER, "--year", "2022", "--out",
                             str(tmp_path / "表"), "--force"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env)  # fmt: skip
    wait_started(scratch, proc)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=10)
    if proc.returncode != 0:
        assert proc.returncode == 130 and stderr.decode().splitlines() == ["已中断：未完成的工作没有保存"]
    assert list(scratch.iterdir()) == [] and not list((tmp_path / "表").rglob(".~greencli-*"))


def in_a_terminal(args: list[str], delay: float, env: dict[str, str]) -> tuple[int, str, float]:
    """Run in a new pseudo-terminal and type Ctrl-C after `delay`: the terminal sends SIGINT to the whole foreground
    process group (the run, the forkserver, every worker). Returns the exit code, what the terminal showed, and
    how long the run took to end after the keypress."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: becomes the run
        try:
            os.execve(sys.executable, [sys.executable, "-m", "greencli", *args], env)
        finally:
            os._exit(127)
    shown = b""
    started, pressed = time.monotonic(), None
    while True:
        if pressed is None and time.monotonic() - started > delay:
            os.write(fd, b"\x03")
            pressed = time.monotonic()
        ready, _, _ = select.select([fd], [], [], 0.02)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # the terminal closed: the run has ended
                break
            if not data:
                break
            shown += data
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    took = time.monotonic() - (pressed or started)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace"), took


@pytest.mark.parametrize("kind", ["score", "rollup"])
def test_ctrl_c_in_a_terminal_shows_no_worker_traceback(batch: Batch, tmp_path: Path, scratch: Path, kind: str) -> None:
    chance = random.Random(f"{SEED}-pty-{kind}")
    for n in range(2):
        work = tmp_path / f"{n}"
        work.mkdir()
        marker = uuid.uuid4().hex
        env = {**env_with(marker), "TMPDIR": str(scratch)}
        delay = 0.8 + chance.uniform(0, max(0.1, batch.seconds - 1.5))  # well inside the reading of the batch
        code, shown, took = in_a_terminal(command(kind, batch, work)[3:], delay, env)
        left = no_processes_left(marker)
        assert code == 130, shown
        assert "Traceback" not in shown and "KeyboardInterrupt" not in shown and "Error" not in shown, shown
        assert sum(1 for line in shown.splitlines() if "已中断：" in line) == 1, shown
        assert took < BOUND and left == []
        assert list(scratch.iterdir()) == []
        assert evaluations(work / "l.db") in (0, batch.evaluations)
