"""What a command loads on its way to work: never pandas (only the analysis API asks for it), never rich's
Markdown machinery (help is rendered by greencli.cli.i18n), never pydantic for option values that are plainly
valid (greencli.cli.coercion converts them), and never psycopg on an SQLite ledger. Checked on real
processes with `-X importtime`, which lists every module a run imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
NEVER = ("pandas", "numpy", "rich.markdown", "markdown_it", "psycopg", "pydantic")  # psycopg: only for a shared ledger


def imported(*args: str, cwd: Path) -> set[str]:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "greencli", *args], capture_output=True,
                          text=True, encoding="utf-8", cwd=cwd, check=False)  # fmt: skip
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["score", "--help"],
        [
            "score",
            str(SAMPLES / "inspections" / "2022" / "渤海乡"),
            "--dry-run",
            "--roster",
            str(SAMPLES / "roster.csv"),
        ],
        ["template", "--out", "forms", "--roster", str(SAMPLES / "roster.csv"), "--quiet"],
    ],
    ids=["help", "score-help", "score", "template"],
)
def test_no_command_loads_pandas_or_rich_markdown(args: list[str], tmp_path: Path) -> None:
    modules = imported(*args, cwd=tmp_path)
    assert "greencli.cli.app" in modules  # the check sees the run's imports at all
    assert not {m for m in modules if m.startswith(NEVER)}, sorted(m for m in modules if m.startswith(NEVER))


def test_a_script_reading_json_never_loads_the_terminal_or_the_form_builder(tmp_path: Path) -> None:
    """score --json (a scheduled job, a script) writes the ledger and the district workbook: rich draws nothing for
    it, the blank form's builder has nothing to build, and nothing needs urllib, http or ssl."""
    modules = imported("score", str(SAMPLES / "inspections" / "2022" / "渤海乡"), "--roster",
                       str(SAMPLES / "roster.csv"), "--db", "l.db", "--out", "d.xlsx", "--json", cwd=tmp_path)  # fmt: skip
    assert "greencli.adapters.xlsx_report" in modules  # the district workbook was written in this run
    loaded = sorted(m for m in modules if m.startswith(("rich", "greencli.adapters.terminal",
                                                         "greencli.adapters.template", "ssl", "http", "urllib.request")))  # fmt: skip
    assert not loaded, loaded


def test_an_unchanged_rollup_never_loads_the_reading_and_scoring_stack(tmp_path: Path) -> None:
    """The nightly run over an inbox where nothing changed lists and compares, and says so: the reading pipeline,
    the outcome model, the workbook reader and writer, OpenSSL's hashing and the zip and socket modules are for runs
    that read, write or hash something; the standard's model and the roster's reader for runs that find something
    changed (the quick look tells the standard and the roster by their files' bytes)."""
    inbox = SAMPLES / "inspections" / "2022" / "渤海乡"
    args = ["rollup", "--inbox", str(inbox), "--year", "2022", "--roster", str(SAMPLES / "roster.csv"), "--db", "l.db",
            "--out", "d.xlsx", "--json"]  # fmt: skip
    first = imported(*args, cwd=tmp_path)
    assert {"greencli.jobs.pipeline", "greencli.core.outcome", "greencli.adapters.xlsx_report"} <= first
    again = imported(*args, cwd=tmp_path)
    assert "greencli.jobs.rollup" in again and "greencli.jobs.inputs" in again
    heavy = ("greencli.jobs.pipeline", "greencli.core.outcome", "greencli.core.model", "greencli.core.evidence",
             "greencli.core.assess", "greencli.adapters.xlsx_reader", "greencli.adapters.xlsx_report",
             "greencli.adapters.ledger.rows", "python_calamine", "xlsxwriter", "openpyxl", "hashlib", "zipfile",
             "socket", "greencli.core.rubric", "greencli.adapters.rubric_file", "greencli.adapters.roster", "csv",
             "tomllib")  # fmt: skip
    assert not {m for m in again if m.startswith(heavy)}, sorted(m for m in again if m.startswith(heavy))


@pytest.mark.parametrize(
    ("argv", "started"),
    [
        (["score", "inbox", "--roster", "r.csv", "--json"], (["inbox"], 0)),
        (["score", "--jobs=1", "a.xlsx"], (["a.xlsx"], 1)),
        (["score", "-j", "2", "--db", "x.db", "a.xlsx", "--dry-run", "b.xlsx"], (["a.xlsx", "b.xlsx"], 2)),
        (["--debug", "score", "inbox/*.xlsx"], (["inbox/*.xlsx"], 0)),
        (["score", "--out=x.xlsx", "inbox"], (["inbox"], 0)),
        (["score", "--help"], None), (["score", "-j", "x", "inbox"], None), (["rollup", "--inbox", "in"], None),
        (["progress", "--year", "2022"], None), (["score"], None),
    ],
)  # fmt: skip
def test_score_starts_its_readers_before_the_command_line_loads(
    argv: list[str], started: tuple[list[str], int] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers' server starts from the arguments alone (what `likely_parallel` then judges), for score only: an
    unchanged rollup must never pay for it."""
    from greencli import api
    from greencli.adapters import runtime
    from greencli.cli import entry

    calls: list[tuple[list[str], int]] = []
    monkeypatch.setattr(api, "start_readers_early", lambda files, jobs: calls.append((list(files), jobs)))
    monkeypatch.setattr(runtime, "begin", lambda signals: calls.append(([], -1)))  # the run's folder first
    entry._readers_for(["greencli", *argv])
    assert calls == ([([], -1), started] if started is not None else [])


def test_a_head_start_that_fails_leaves_the_command_to_start_its_readers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The early start is only a head start: whatever goes wrong in it, the command runs and says what it must."""
    from greencli.cli import entry

    def broken(argv: list[str]) -> None:
        raise OSError("no room for the run's folder")

    ran: list[bool] = []
    monkeypatch.setattr(entry, "_readers_for", broken)
    monkeypatch.setattr("greencli.cli.app.main", lambda: ran.append(True))
    monkeypatch.setattr("greencli.adapters.runtime.leave", lambda code: None)
    monkeypatch.setattr("signal.signal", lambda signum, handler: None)  # this process keeps its handlers
    entry.main()
    assert ran == [True]


def test_every_dataclass_says_what_it_is() -> None:
    """A dataclass with no docstring has one made at import, from `inspect.signature` (about 0.2 ms each, in every
    process, workers included): each says what it is instead."""
    import ast

    root = Path(__file__).resolve().parent.parent / "greencli"
    bare = [
        f"{path.relative_to(root.parent)}:{node.lineno} {node.name}"
        for path in sorted(root.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
        and any("dataclass" in ast.unparse(d) for d in node.decorator_list)
        and ast.get_docstring(node) is None
    ]
    assert bare == []


@pytest.mark.parametrize(
    ("argv", "commands", "groups"),
    [
        (["rollup", "--inbox", "x"], ["rollup"], []),
        (["--debug", "score", "a.xlsx"], ["score"], []),
        (["ledger", "copy", "--help"], [], ["ledger"]),
        (["rollx"], None, None),  # a wrong name: every command, for the suggestion
        (["--help"], None, None),
        ([], None, None),
        (["--version"], None, None),
    ],
)
def test_a_run_makes_only_the_command_it_names(
    argv: list[str], commands: list[str] | None, groups: list[str] | None
) -> None:
    from greencli.cli.app import _only_the_command_run, app

    every = [c.name for c in app.registered_commands], [g.name for g in app.registered_groups]
    with pytest.raises(RuntimeError), _only_the_command_run(argv):
        seen = [c.name for c in app.registered_commands], [g.name for g in app.registered_groups]
        raise RuntimeError  # whatever ends the run, every command is registered again after it
    assert seen == ((commands, groups) if commands is not None else every)
    assert ([c.name for c in app.registered_commands], [g.name for g in app.registered_groups]) == every
    assert "rollup" in every[0] and "ledger" in every[1]
