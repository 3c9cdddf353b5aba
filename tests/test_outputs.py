"""No output over an input, no half-written output on a full disk, no name the system refuses reaching it, and no
temporary file or folder that outlives its run."""

from __future__ import annotations

import errno
import gc
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from greencli.adapters import files, runtime
from greencli.adapters.files import OutputError, clear_stale, refuse_overlap, same_file
from greencli.adapters.oserrors import OS_ERRORS
from greencli.cli.app import app
from typer.testing import CliRunner, Result

from tests.errors import error_code, message_of

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
INSPECTIONS = SAMPLES / "inspections" / "2022"
ROSTER = SAMPLES / "roster.xlsx"
GREENCLI = [sys.executable, "-m", "greencli"]
runner = CliRunner()


def cli(*args: object) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def one_workbook(folder: Path) -> Path:
    source = next(INSPECTIONS.rglob("TF-01_*.xlsx"))
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(source, folder / source.name))


@pytest.fixture
def scored(tmp_path: Path) -> dict[str, Path]:
    """A ledger with one evaluation, a roster copy and an inspection workbook, each with its bytes on record."""
    workbook = one_workbook(tmp_path / "in")
    roster = Path(shutil.copy2(ROSTER, tmp_path / "roster.xlsx"))
    result = cli("score", workbook, "--db", tmp_path / "l.db", "--out", tmp_path / "汇总.xlsx", "--roster", roster)
    assert result.exit_code == 0, result.output
    return {"workbook": workbook, "roster": roster, "db": tmp_path / "l.db", "tmp": tmp_path}


def alias(kind: str, target: Path, where: Path, suffix: str | None = None) -> Path:
    """`target` itself, or a symbolic or hard link to it at `where` (with `suffix`, else the target's)."""
    if kind == "same":
        return target
    link = where.with_suffix(suffix or target.suffix)
    if kind == "symlink":
        link.symlink_to(target)
    else:
        os.link(target, link)
    return link


def refused_and_untouched(result: Result, *untouched: tuple[Path, bytes], code: str = "output-is-input") -> None:
    """A run with --json that stopped on `code`, leaving each file with the bytes it had."""
    assert result.exit_code == 2, result.output
    assert error_code(result) == code and "Traceback" not in result.output
    for path, data in untouched:
        assert path.read_bytes() == data


# ── A. no output over an input ──


@pytest.mark.parametrize("kind", ["same", "symlink", "hardlink"])
@pytest.mark.parametrize("victim", ["workbook", "roster", "db"])
def test_score_out_onto_an_input_is_refused_and_leaves_it_as_it_was(
    scored: dict[str, Path], kind: str, victim: str
) -> None:
    tmp = scored["tmp"]
    db = scored["db"]
    if victim == "db":  # a ledger named .xlsx, as --out must be
        db = Path(shutil.copy2(db, tmp / "记录库.xlsx"))
        scored = {**scored, "db": db}
    before = {name: scored[name].read_bytes() for name in ("workbook", "roster", "db")}
    out = alias(kind, scored[victim], tmp / "别名", ".xlsx")
    result = cli("score", scored["workbook"], "--db", db, "--out", out, "--roster", scored["roster"], "--json")
    refused_and_untouched(result, *((scored[name], data) for name, data in before.items()))


def test_score_db_and_out_the_same_new_file_is_refused(tmp_path: Path) -> None:
    workbook = one_workbook(tmp_path / "in")
    result = cli("score", workbook, "--db", tmp_path / "same.xlsx", "--out", tmp_path / "same.xlsx", "--json")
    assert result.exit_code == 2 and error_code(result) == "output-is-input"
    assert not (tmp_path / "same.xlsx").exists()


@pytest.mark.parametrize("kind", ["same", "symlink", "hardlink"])
def test_progress_export_and_notice_never_write_over_the_roster_or_the_ledger(
    scored: dict[str, Path], kind: str
) -> None:
    tmp, roster, db = scored["tmp"], scored["roster"], scored["db"]
    before = [(roster, roster.read_bytes()), (db, db.read_bytes())]
    common = ["--year", "2022", "--roster", roster, "--db", db, "--json"]
    out = alias(kind, roster, tmp / "进度")
    refused_and_untouched(cli("progress", *common, "--out", out), *before)
    refused_and_untouched(cli("export", *common, "--out", out), *before)
    if kind != "same":  # a link to the ledger under a name export would write
        refused_and_untouched(cli("export", *common, "--out", alias(kind, db, tmp / "导出", suffix=".xlsx")), *before)
    refused_and_untouched(cli("export", *common, "--out", db), *before, code="export-out-kind")  # refused anyway
    notice = tmp / "通报.docx"
    notice.symlink_to(roster if kind != "hardlink" else db)
    refused_and_untouched(cli("notice", *common, "--kind", "通报", "--out", notice), *before)


def test_template_never_writes_over_the_roster_even_inside_its_folder(tmp_path: Path) -> None:
    out = tmp_path / "评分表"
    made = cli("template", "--roster", ROSTER, "--year", "2022", "--out", out, "--json")
    assert made.exit_code == 0, made.output
    generated = next(out.rglob("*.xlsx"))
    shutil.copy2(ROSTER, generated)  # the roster kept where a generated workbook goes
    before = generated.read_bytes()
    refused = cli("template", "--roster", generated, "--year", "2022", "--out", out, "--force", "--json")
    assert refused.exit_code == 2 and error_code(refused) == "output-is-input"
    assert generated.read_bytes() == before
    elsewhere = Path(shutil.copy2(ROSTER, out / "名单.xlsx"))  # in the folder but no generated file's name: fine
    again = cli("template", "--roster", elsewhere, "--year", "2022", "--out", out, "--force")
    assert again.exit_code == 0, again.output
    assert elsewhere.read_bytes() == ROSTER.read_bytes()


def test_rollup_log_and_out_never_land_on_an_input(scored: dict[str, Path]) -> None:
    tmp, db = scored["tmp"], scored["db"]
    inbox = scored["workbook"].parent
    base = ["rollup", "--inbox", inbox, "--db", db, "--year", "2022", "--json"]
    before = db.read_bytes()
    on_ledger = cli(*base, "--out", tmp / "r.xlsx", "--log", db)
    refused_and_untouched(on_ledger, (db, before))
    on_out = cli(*base, "--out", tmp / "r.xlsx", "--log", tmp / "r.xlsx")
    assert on_out.exit_code == 2 and error_code(on_out) == "output-twice"
    in_inbox = cli(*base, "--out", inbox / "汇总.xlsx")  # an output in a folder read is no clash: rollup skips it
    assert in_inbox.exit_code == 0, in_inbox.output


@pytest.mark.parametrize("command", ["score", "rollup"])
def test_out_a_hard_link_to_a_workbook_of_a_folder_read_is_refused(scored: dict[str, Path], command: str) -> None:
    """The folder's listing tells each workbook's device and inode (no second look at each file): an --out outside
    the folder that is a hard link to one of its workbooks is still that workbook."""
    tmp, workbook = scored["tmp"], scored["workbook"]
    before = workbook.read_bytes()
    (tmp / "别处").mkdir()
    out = alias("hardlink", workbook, tmp / "别处" / "汇总", ".xlsx")
    folder = (
        ["rollup", "--inbox", workbook.parent, "--year", "2022"] if command == "rollup" else ["score", workbook.parent]
    )
    result = cli(*folder, "--db", scored["db"], "--out", out, "--roster", scored["roster"], "--json")
    refused_and_untouched(result, (workbook, before))


def test_same_file_by_path_link_and_case() -> None:
    here = ROOT / "pyproject.toml"
    assert same_file(here, ROOT / "tests" / ".." / "pyproject.toml")
    assert not same_file(here, ROOT / "README.md")
    missing = ROOT / "tests" / "data" / "不存在.xlsx"
    assert same_file(missing, ROOT / "tests" / "data" / "." / "不存在.xlsx")


def test_names_differing_in_case_clash_where_the_file_system_ignores_case(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = tmp_path / "Out.xlsx", tmp_path / "out.XLSX"
    assert not same_file(a, b) or files.case_insensitive(tmp_path)
    monkeypatch.setattr(files, "case_insensitive", lambda folder: True)
    assert same_file(a, b)
    with pytest.raises(OutputError) as refused:
        refuse_overlap({"--out": a}, {"--db": [b]})
    assert refused.value.code == "output-is-input"
    refuse_overlap({"--out": a}, {"--inbox": tmp_path})  # a folder input holds outputs without clashing


# ── B. long names and stray system errors ──

LONG_NAME = "长" * 90  # 270 bytes in UTF-8
LONG_PATH = "a/" * 2100  # 4,200 bytes


@pytest.mark.parametrize(
    ("out", "too_long"),
    [(f"{LONG_NAME}.xlsx", "output-name-too-long"), (f"{LONG_PATH}x.xlsx", "output-path-too-long"),
     (LONG_PATH, "output-path-too-long")],
    ids=["name", "path", "folder"],
)  # fmt: skip
@pytest.mark.parametrize("command", ["score", "progress", "notice", "export", "template"])
def test_a_name_or_path_too_long_is_exit_2_with_a_chinese_reason(
    scored: dict[str, Path], monkeypatch: pytest.MonkeyPatch, command: str, out: str, too_long: str
) -> None:
    monkeypatch.chdir(scored["tmp"])
    db, roster = scored["db"], scored["roster"]
    args = {
        "score": ["score", scored["workbook"], "--db", db],
        "progress": ["progress", "--year", "2022", "--db", db, "--roster", roster],
        "notice": ["notice", "--year", "2022", "--kind", "通报", "--db", db, "--roster", roster],
        "export": ["export", "--year", "2022", "--db", db],
        "template": ["template", "--roster", roster, "--year", "2022"],
    }[command]
    if command == "notice":
        out = out.replace(".xlsx", ".docx")
    result = cli(*args, "--out", out, "--json")
    assert result.exit_code == 2, result.output
    assert error_code(result) == too_long and "Errno" not in result.output


def test_any_stray_os_error_is_exit_2_naming_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.EIO, "Input/output error", "盘上/某文件.xlsx")

    monkeypatch.setattr("greencli.jobs.progress.run_progress", broken)
    result = cli("progress", "--year", "2022", "--db", tmp_path / "l.db", "--json")
    assert result.exit_code == 2 and error_code(result) == "file-operation-refused"
    # The point is the file it names and the system's reason for it, both in the message.
    assert "盘上/某文件.xlsx" in message_of(result) and OS_ERRORS[errno.EIO] in message_of(result)


# ── B. full disks ──


class _FullFile(io.FileIO):
    """A file on a disk that fills after `room` bytes."""

    room = 2048

    def write(self, data: Any) -> int:
        if self.tell() + len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device", self.name)
        return super().write(data)


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], None]]:
    """`full_disk(folder)`: every file opened for writing in `folder` (through io.open, as zipfile and python-docx
    open theirs) runs out of space after 2 KB. Yields after installing a hook that records any exception a
    finaliser swallowed (ZipFile.__del__ on the full disk)."""
    folders: list[Path] = []
    real_open = io.open
    unraisable: list[Any] = []

    def where(file: Any) -> Path | None:
        if isinstance(file, str | os.PathLike):
            return Path(file).resolve()
        if isinstance(file, int) and Path(f"/proc/self/fd/{file}").exists():  # os.fdopen: the path behind it
            return Path(os.readlink(f"/proc/self/fd/{file}"))
        return None

    def fake_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        path = where(file) if any(c in mode for c in "wxa+") else None
        if path is not None and any(path.is_relative_to(f) for f in folders):
            raw = _FullFile(file, mode.replace("b", "").replace("t", ""), closefd=kwargs.get("closefd", True))
            return io.BufferedRandom(raw) if "+" in mode else io.BufferedWriter(raw)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(io, "open", fake_open)
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    yield lambda folder: folders.append(folder.resolve())
    gc.collect()
    assert not unraisable, [u.exc_value for u in unraisable]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".~greencli-*"))


def test_a_full_disk_leaves_every_output_as_it_was_and_no_temporary(
    scored: dict[str, Path], full_disk: Callable[[Path], None]
) -> None:
    tmp, db, roster = scored["tmp"], scored["db"], scored["roster"]
    out = tmp / "out"
    out.mkdir()
    old = {name: b"yesterday " + name.encode() for name in ("汇总.xlsx", "通报.docx", "数据.xlsx")}
    for name, data in old.items():
        (out / name).write_bytes(data)
    (out / "数据").mkdir()
    (out / "数据" / "评审记录.csv").write_bytes(b"yesterday")
    full_disk(out)
    common = ["--year", "2022", "--db", db, "--roster", roster, "--json"]
    results = {
        "score": cli("score", scored["workbook"], "--db", db, "--out", out / "汇总.xlsx", "--json"),
        "progress": cli("progress", *common, "--out", out / "进度.xlsx"),
        "notice": cli("notice", *common, "--kind", "通报", "--out", out / "通报.docx"),
        "export-xlsx": cli("export", *common, "--out", out / "数据.xlsx"),
        "export-csv": cli("export", *common, "--out", out / "数据"),
    }
    for command, result in results.items():
        assert result.exit_code == 2, (command, result.output)
        assert error_code(result) == "output-unwritable", (command, result.output)
        assert "Traceback" not in result.output, (command, result.output)
        # The system's reason is what the user acts on; the file named is the one asked for, not a temporary.
        assert OS_ERRORS[errno.ENOSPC] in message_of(result), (command, result.output)
        assert ".~greencli-" not in result.output, (command, result.output)
    for name, data in old.items():
        assert (out / name).read_bytes() == data
    assert not (out / "进度.xlsx").exists()
    assert (out / "数据" / "评审记录.csv").read_bytes() == b"yesterday"
    assert sorted(p.name for p in (out / "数据").iterdir()) == ["评审记录.csv"]
    assert leftovers(out) == []


def test_export_to_a_csv_name_is_refused_and_a_folder_export_keeps_other_files(scored: dict[str, Path]) -> None:
    tmp, db = scored["tmp"], scored["db"]
    refused = cli("export", "--year", "2022", "--db", db, "--out", tmp / "数据.csv", "--json")
    assert refused.exit_code == 2 and error_code(refused) == "export-out-kind"
    assert not (tmp / "数据.csv").exists()
    folder = tmp / "数据"
    first = cli("export", "--year", "2022", "--db", db, "--out", folder)
    assert first.exit_code == 0, first.output
    assert oct(folder.stat().st_mode & 0o777) == oct(0o777 & ~files._umask())
    (folder / "说明.txt").write_text("办公室自己的文件")
    again = cli("export", "--year", "2022", "--db", db, "--out", folder)
    assert again.exit_code == 0, again.output
    # 年度状态 from the roster the ledger keeps for 2022 (the batch was scored with one)
    assert sorted(p.name for p in folder.iterdir()) == ["分项得分.csv", "年度状态.csv", "评审记录.csv", "说明.txt"]
    assert leftovers(tmp) == []


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real file system that is nearly full: a 256 KB tmpfs with 8 KB left (needs root; skipped otherwise)."""
    if sys.platform != "linux" or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root on Linux")
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)],
                             capture_output=True, check=False)  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        free = shutil.disk_usage(folder).free
        (folder / "填充").write_bytes(b"\0" * max(0, free - 8192))
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A temporary folder for the runs under test, short enough to hold their own folder (see runtime._base)."""
    folder = Path(tempfile.mkdtemp(prefix="gt-", dir="/tmp" if os.path.isdir("/tmp") else None))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_really_full_disk_in_a_real_run_is_exit_2_with_nothing_left(
    scored: dict[str, Path], small_disk: Path, scratch: Path
) -> None:
    db, roster = scored["db"], scored["roster"]
    (small_disk / "汇总.xlsx").write_bytes(b"old")
    env = {**os.environ, "TMPDIR": str(scratch)}
    common = ["--year", "2022", "--db", str(db), "--roster", str(roster), "--json"]
    runs = {
        "score": [
            "score",
            str(INSPECTIONS),
            "--db",
            str(db),
            "--out",
            str(small_disk / "汇总.xlsx"),
            "--jobs",
            "2",
            "--json",
        ],
        "progress": ["progress", *common, "--out", str(small_disk / "进度.xlsx")],
        "notice": ["notice", *common, "--kind", "通报", "--out", str(small_disk / "通报.docx")],
        "export": ["export", *common, "--out", str(small_disk / "数据")],
        "template": ["template", "--roster", str(roster), "--year", "2022", "--out", str(small_disk / "表"), "--json"],
    }
    for command, args in runs.items():
        done = subprocess.run([*GREENCLI, *args], capture_output=True, env=env, check=False, encoding="utf-8")
        stderr = done.stderr
        assert done.returncode == 2, (command, stderr)
        assert error_code(done) == "output-unwritable", (command, done.stdout)
        assert OS_ERRORS[errno.ENOSPC] in message_of(done), (command, done.stdout)  # the system's reason
        assert "Traceback" not in stderr and "Exception ignored" not in stderr, (command, stderr)
    assert (small_disk / "汇总.xlsx").read_bytes() == b"old"
    assert leftovers(small_disk) == [] and not (small_disk / "进度.xlsx").exists()
    assert not (small_disk / "数据").exists() and not (small_disk / "通报.docx").exists()
    assert list(scratch.iterdir()) == []  # each run's own temporary folder went with it


# ── C. temporaries named for their owner ──


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_clear_stale_removes_only_what_runs_that_are_gone_left(tmp_path: Path) -> None:
    host = runtime.host_name()
    gone, alive = dead_pid(), os.getppid()
    names = {
        f".~greencli-{host}-{gone}-abcd1234.tmp.xlsx": True,  # its run died
        f".~greencli-{host}-{gone}-abcd5678.tmp": True,  # a folder of CSV files of a run that died
        f".~greencli-{host}-{alive}-abcd1234.tmp.xlsx": False,  # a run still writing
        f".~greencli-{host}-{os.getpid()}-abcd1234.tmp.xlsx": False,  # this very process's
        ".~greencli-other-host-1-abcd1234.tmp.xlsx": False,  # another machine's, fresh
        ".~greencli-abcdefgh.tmp.xlsx": False,  # before owners were named, fresh
        ".~greencli-old12345.tmp.xlsx": True,  # before owners were named, two days old
        ".~greencli-far-host-7-abcd1234.tmp": True,  # another machine's, two days old
        "汇总.xlsx": False,
    }
    for name in names:
        if name.endswith(".tmp") and "abcd5678" in name:
            (tmp_path / name).mkdir()
            (tmp_path / name / "评审记录.csv").write_text("x")
        else:
            (tmp_path / name).write_text("x")
    two_days_ago = time.time() - 2 * 24 * 3600
    for name in (".~greencli-old12345.tmp.xlsx", ".~greencli-far-host-7-abcd1234.tmp"):
        os.utime(tmp_path / name, (two_days_ago, two_days_ago))
    assert clear_stale(tmp_path) == sum(names.values())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(n for n, stale in names.items() if not stale)


def test_a_temporary_is_named_for_its_owner_and_gone_after_the_write(tmp_path: Path) -> None:
    seen: list[str] = []
    with files.atomic_target(tmp_path / "汇总.xlsx") as temporary:
        seen.append(temporary.name)
        temporary.write_bytes(b"data")
    assert seen[0].startswith(f".~greencli-{runtime.host_name()}-{os.getpid()}-")
    assert [p.name for p in tmp_path.iterdir()] == ["汇总.xlsx"]
    with pytest.raises(KeyboardInterrupt), files.atomic_target(tmp_path / "二.xlsx") as temporary:
        with zipfile.ZipFile(temporary, "w") as archive:
            archive.writestr("a", "b")
        raise KeyboardInterrupt
    assert [p.name for p in tmp_path.iterdir()] == ["汇总.xlsx"]


def test_each_run_has_its_own_temporary_folder_and_the_next_run_clears_a_dead_ones(scratch: Path) -> None:
    dead = scratch / f"greencli-run-{dead_pid()}-abcd1234"
    (dead / "pymp-xyz").mkdir(parents=True)
    live = scratch / f"greencli-run-{os.getpid()}-abcd1234"
    live.mkdir()
    probe = "import os, tempfile; print(tempfile.gettempdir(), os.environ['TMPDIR'], os.environ['TEMP'])"
    env = {**os.environ, "TMPDIR": str(scratch)}
    done = subprocess.run([*GREENCLI, "standard", "--json"], capture_output=True, env=env, check=False)
    assert done.returncode == 0, done.stderr.decode()
    assert sorted(p.name for p in scratch.iterdir()) == [live.name]  # the dead run's folder went, with its pymp-*
    base = tempfile.gettempdir()
    with runtime.own_run(signals=False):  # here too: tempfile and the workers' environment point into its folder
        folder = runtime.run_folder()
        assert folder is not None and folder.name.startswith(f"greencli-run-{os.getpid()}-")
        assert tempfile.gettempdir() == str(folder) and os.environ["TMPDIR"] == str(folder)
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
        assert out == [str(folder)] * 3
    assert not folder.exists() and tempfile.gettempdir() == base and os.environ.get("TMPDIR") != str(folder)


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc to find a run's processes")
def test_a_deep_temporary_folder_leaves_room_for_the_workers_socket(tmp_path: Path) -> None:
    deep = tmp_path / ("深" * 30)
    deep.mkdir()
    inbox = tmp_path / "box"
    shutil.copytree(INSPECTIONS, inbox)
    env = {**os.environ, "TMPDIR": str(deep)}
    done = subprocess.run([*GREENCLI, "score", str(inbox), "--db", str(tmp_path / "l.db"), "--out",
                           str(tmp_path / "o.xlsx"), "--jobs", "2"], capture_output=True, env=env, check=False)  # fmt: skip
    assert done.returncode == 1, done.stderr.decode()  # the samples hold invalid workbooks on purpose
    assert list(deep.iterdir()) == []


def test_a_killed_run_leaves_its_workers_temporaries_only_in_its_folder_and_the_next_run_removes_it(
    tmp_path: Path, scratch: Path
) -> None:
    inbox = tmp_path / "box"
    for n in range(2):
        shutil.copytree(INSPECTIONS, inbox / f"c{n}")
    env = {**os.environ, "TMPDIR": str(scratch)}
    run = subprocess.Popen([*GREENCLI, "score", str(inbox), "--db", str(tmp_path / "l.db"), "--out",
                            str(tmp_path / "o.xlsx"), "--jobs", "2"], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any(scratch.glob("greencli-run-*/pymp-*")):
        time.sleep(0.02)
    run.kill()
    run.wait()
    assert [p.name.startswith("greencli-run-") for p in scratch.iterdir()] == [True]  # no pymp-* beside it
    time.sleep(0.5)  # its workers notice their parent has gone
    subprocess.run([*GREENCLI, "standard", "--json"], capture_output=True, env=env, check=True)
    assert list(scratch.iterdir()) == []
