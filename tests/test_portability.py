"""Where the office works: GBK, GB18030 and ASCII consoles, a zh_CN.GBK locale, workers started with spawn (as on
Windows), and a run lock without the POSIX-only fcntl module."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ROSTER = str(SAMPLES / "roster.xlsx")
ENCODINGS = ["gbk", "gb18030", "ascii"]
NO_FCNTL = (
    "import sys; sys.modules['fcntl'] = None; from greencli.cli.app import main; sys.argv[0] = 'greencli'; main()"
)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHONIOENCODING", "LC_", "LANG", "PYTHONUTF8"))}
    return {**env, "COLUMNS": "80", **extra}


def greencli(
    args: list[str], cwd: Path, env: dict[str, str], code: str | None = None
) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "greencli", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False, timeout=300)


def commands(base: Path) -> list[tuple[list[str], int]]:
    """Every command on the samples, invalid workbooks included, with the exit code each must end with."""
    db = ["--db", str(base / "l.db")]
    return [
        (["template", "--roster", ROSTER, "--year", "2022", "--out", str(base / "forms")], 0),
        (["score", str(SAMPLES / "inspections" / "2022"), "--roster", ROSTER, *db, "--out", str(base / "o.xlsx")], 1),
        (["progress", "--year", "2022", "--roster", ROSTER, *db], 0),
        (["history", "ZJ-01", *db], 0),
        (["standard"], 0),
        (
            [
                "rollup",
                "--inbox",
                str(SAMPLES / "inspections" / "2021"),
                "--roster",
                ROSTER,
                *db,
                "--out",
                str(base / "r.xlsx"),
                "--year",
                "2021",
            ],
            1,
        ),
        (["-h"], 0),
        (["score", "-h"], 0),
    ]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_every_command_prints_what_the_console_encoding_can_show(tmp_path: Path, encoding: str) -> None:
    env = clean_env(PYTHONIOENCODING=encoding)
    for args, expected in commands(tmp_path):
        done = greencli(args, tmp_path, env)
        assert done.returncode == expected, (args, done.stderr.decode(encoding, "replace"))
        text = done.stdout.decode(encoding) + done.stderr.decode(encoding)  # strict: raises if it does not decode
        assert "Traceback" not in text and "内部错误" not in done.stdout.decode(encoding, "replace")
        assert text.strip()


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_json_loses_nothing_whatever_the_console(tmp_path: Path, encoding: str) -> None:
    args = ["score", str(SAMPLES / "inspections" / "2022" / "黄河道街道"), "--dry-run", "--json"]
    utf8 = json.loads(greencli(args, tmp_path, clean_env(PYTHONIOENCODING="utf-8")).stdout.decode("utf-8"))
    narrow = greencli(args, tmp_path, clean_env(PYTHONIOENCODING=encoding)).stdout
    assert json.loads(narrow.decode("utf-8")) == utf8  # valid UTF-8 (ASCII with \\u escapes) and the same data
    assert utf8["results"][0]["community"] == "黄河社区"


def gbk_locale_available() -> bool:
    try:
        listed = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False).stdout.lower()
    except OSError:
        return False
    return "zh_cn.gbk" in listed


@pytest.mark.skipif(not gbk_locale_available(), reason="the zh_CN.GBK locale is not generated here (.ci/run does)")
def test_a_zh_cn_gbk_locale_console(tmp_path: Path) -> None:
    env = clean_env(LANG="zh_CN.GBK", LC_ALL="zh_CN.GBK")
    probe = subprocess.run([sys.executable, "-c", "import sys; print(sys.stdout.encoding)"], env=env,
                           capture_output=True, text=True, check=True)  # fmt: skip
    assert probe.stdout.strip().lower() in ("gbk", "cp936")
    for args, expected in commands(tmp_path):
        done = greencli(args, tmp_path, env)
        assert done.returncode == expected, args
        shown = done.stdout.decode("gbk")  # strict: raises if it is not GBK
        assert re.search(r"[\u4e00-\u9fff]", shown) and "?" not in shown.replace("？", ""), args  # Chinese, none lost


def results(done: subprocess.CompletedProcess[bytes]) -> list[tuple[Any, ...]]:
    doc = json.loads(done.stdout)
    return sorted((r["file"], r["verdict"], r["total"], json.dumps(r["items"])) for r in doc["results"])


def test_parallel_score_under_spawn_gives_the_serial_result(tmp_path: Path) -> None:
    args = ["score", str(SAMPLES / "inspections" / "2022"), "--roster", ROSTER, "--dry-run", "--json"]
    serial = greencli([*args, "--jobs", "1"], tmp_path, clean_env())
    spawned = greencli([*args, "--jobs", "2"], tmp_path, clean_env(GREENCLI_START_METHOD="spawn"))
    assert spawned.returncode == serial.returncode == 1
    assert results(spawned) == results(serial) and len(results(serial)) == 34


def test_parallel_rollup_under_spawn_records_the_serial_result(tmp_path: Path) -> None:
    def run(name: str, jobs: str, env: dict[str, str]) -> dict[str, Any]:
        done = greencli(["rollup", "--inbox", str(SAMPLES / "inspections" / "2022"), "--roster", ROSTER, "--year", "2022",
                         "--db", str(tmp_path / f"{name}.db"), "--out", str(tmp_path / f"{name}.xlsx"), "--json",
                         "--jobs", jobs, "--log", str(tmp_path / f"{name}.log")], tmp_path, env)  # fmt: skip
        assert done.returncode == 1, done.stderr.decode()
        summary: dict[str, Any] = json.loads(done.stdout)
        return summary

    serial = run("serial", "1", clean_env())
    spawned = run("spawned", "2", clean_env(GREENCLI_START_METHOD="spawn"))
    keys = ("found", "new", "invalid", "recorded", "communities")
    assert [spawned[k] for k in keys] == [serial[k] for k in keys] == [34, 34, 3, 31, 30]


def rollup_args(tmp: Path, *extra: str) -> list[str]:
    return ["rollup", "--inbox", str(SAMPLES / "inspections" / "2022"), "--roster", ROSTER, "--year", "2022",
            "--db", str(tmp / "l.db"), "--out", str(tmp / "o.xlsx"), "--json", "--log", str(tmp / "r.log"), *extra]  # fmt: skip


def test_without_fcntl_one_run_at_a_time_and_exit_3(tmp_path: Path) -> None:
    holder = subprocess.Popen(  # holds the lock while it sleeps inside the locked block
        [sys.executable, "-c", "import sys, time; sys.modules['fcntl'] = None\n"
         "from pathlib import Path\nfrom greencli.adapters.lock import run_lock\n"
         f"with run_lock(Path({str(tmp_path / 'l.db.lock')!r})):\n    print('held', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
        started = time.monotonic()
        busy = greencli(rollup_args(tmp_path, "--wait", "1"), tmp_path, clean_env(), NO_FCNTL)
        assert busy.returncode == 3 and time.monotonic() - started >= 1
        assert json.loads(busy.stdout)["error"]["code"] == "lock-busy" and not (tmp_path / "o.xlsx").exists()
        assert busy.stderr.decode().startswith("错误：")  # the message stays on stderr
    finally:
        holder.send_signal(signal.SIGKILL)  # dies holding the lock: its owner file stays behind
        holder.wait()
    assert (tmp_path / "l.db.lock.owner").exists()
    done = greencli(rollup_args(tmp_path), tmp_path, clean_env(), NO_FCNTL)
    assert done.returncode == 1 and json.loads(done.stdout)["recorded"] == 31  # the dead owner's lock was taken over
    assert not (tmp_path / "l.db.lock.owner").exists()


def test_without_fcntl_two_real_runs_never_both_write(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES / "inspections" / "2022", inbox)
    args = [
        a if a != str(SAMPLES / "inspections" / "2022") else str(inbox) for a in rollup_args(tmp_path, "--wait", "60")
    ]
    procs = [subprocess.Popen([sys.executable, "-c", NO_FCNTL, *args], cwd=tmp_path, env=clean_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]  # fmt: skip
    outputs = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    assert sorted(o["new"] for o in outputs) == [0, 34]  # one did the work, the other waited and found it done


def rollup_options() -> set[str]:
    from greencli.cli.app import app
    from typer.main import get_command

    command = get_command(app).commands["rollup"]  # type: ignore[attr-defined]
    return {opt for param in command.params for opt in param.opts}


def assert_valid_rollup(arguments: str) -> None:
    words = arguments.split()
    start = words.index("rollup")
    used = {w for w in words[start:] if w.startswith("--")}
    assert used <= rollup_options() and {"--inbox", "--year", "--log", "--wait"} <= used, used


def test_the_windows_task_and_batch_file_run_a_valid_rollup() -> None:
    from xml.etree import ElementTree

    raw = (ROOT / "deploy" / "windows" / "greencli-每晚汇总.xml").read_bytes()
    assert raw.startswith(b"\xff\xfe")  # UTF-16 LE with a byte-order mark, as Task Scheduler exports and imports
    ns = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
    task = ElementTree.fromstring(raw.decode("utf-16").replace('encoding="UTF-16"', ""))
    assert task.findtext("t:Actions/t:Exec/t:Command", namespaces=ns) == "py"
    assert_valid_rollup(task.findtext("t:Actions/t:Exec/t:Arguments", namespaces=ns) or "")
    assert task.findtext("t:Settings/t:MultipleInstancesPolicy", namespaces=ns) == "IgnoreNew"
    batch = (ROOT / "deploy" / "windows" / "每晚汇总.cmd").read_bytes()
    assert b"\r\n" in batch and b"\n" not in batch.replace(b"\r\n", b"")
    line = next(x for x in batch.decode("gbk").splitlines() if x.startswith("py -m greencli"))
    assert_valid_rollup(line)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "schtasks /Create" in readme and "每晚汇总.cmd" in readme
