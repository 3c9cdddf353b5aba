"""The command line's shared behaviour: Chinese help, clean errors, exit codes, a pure core."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from greencli.cli.app import app
from typer.testing import CliRunner

from tests.errors import error_code, problem_codes

runner = CliRunner()


def test_help_is_chinese_and_lists_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "用法" in result.output and "显示本帮助并退出" in result.output and "standard" in result.output


def test_python_dash_m_works() -> None:
    done = subprocess.run([sys.executable, "-m", "greencli", "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.startswith("greencli ")


def test_unknown_option_is_a_usage_error_in_chinese() -> None:
    result = runner.invoke(app, ["standard", "--bogus"])
    assert result.exit_code == 2
    assert "没有这个选项" in result.output  # the parser's usage error has no code: its translation is under test


def test_standard_json_is_the_rubric(tmp_path: Path) -> None:
    result = runner.invoke(app, ["standard", "--json"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["id"] == "qhd-etdz-green-community" and len(doc["categories"]) == 5
    assert sum(len(c["items"]) for c in doc["categories"]) == 31
    table = runner.invoke(app, ["standard"])
    assert table.exit_code == 0 and "否决项" in table.output


def test_broken_rubric_exits_2_with_message_and_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "x"\n', encoding="utf-8")
    result = runner.invoke(app, ["standard", "--rubric", str(bad), "--json"])
    assert result.exit_code == 2
    assert error_code(result) == "rubric-invalid" and "Traceback" not in result.output
    codes = problem_codes(result)  # every problem at once, each with its own code
    assert {"rubric-table-missing", "rubric-text-required", "rubric-array-missing"} <= set(codes), codes
    debug = runner.invoke(app, ["--debug", "standard", "--rubric", str(bad)])
    assert debug.exit_code != 0 and debug.exception is not None


def test_rubric_from_environment(tmp_path: Path) -> None:
    result = runner.invoke(app, ["standard", "--json"], env={"GREENCLI_RUBRIC": str(tmp_path / "none.toml")})
    assert result.exit_code == 2 and error_code(result) == "rubric-invalid"
    assert problem_codes(result) == ["rubric-unreadable"]


def test_core_loads_no_io_library() -> None:
    code = (
        "import sys, greencli.core.engine, greencli.core.rubric, greencli.core.values;"
        "print([m for m in ('openpyxl', 'python_calamine', 'pandas', 'rich', 'sqlite3', 'typer') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_failure_the_signal_caused_is_the_interruption_not_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A SIGTERM that lands while a class is being made (during an import) reaches us wrapped in RuntimeError: it is
    still the interruption (exit 143 in a real run, one 已中断 line), never 内部错误."""
    from greencli import api
    from greencli.core.errors import Interrupted

    def stopped_during_import(*_: object, **__: object) -> None:
        try:
            raise Interrupted(15)
        except Interrupted as exc:
            raise RuntimeError("Error calling __set_name__ on 'Field' instance 'evidence' in 'Entries'") from exc

    monkeypatch.setattr(api, "history", stopped_during_import)
    result = runner.invoke(app, ["history", "ZJ-01"])
    assert result.exit_code != 70 and "内部错误" not in result.output
    assert isinstance(result.exception, KeyboardInterrupt) or result.exit_code in (1, 130, 143), result.output


def test_an_interruption_does_not_outlive_its_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests (and any caller) run many commands in one process: the next failure is judged on its own."""
    from greencli import api
    from greencli.core.errors import Interrupted

    def stopped(*_: object, **__: object) -> None:
        raise RuntimeError("wrapped") from Interrupted(15)

    monkeypatch.setattr(api, "history", stopped)
    runner.invoke(app, ["history", "ZJ-01"])
    monkeypatch.undo()
    after = runner.invoke(app, ["void", "abc", "--reason", "x", "--json"])
    assert after.exit_code == 2 and error_code(after) == "record-number-invalid"


def test_the_rollup_log_says_an_interruption_behind_a_failure_and_words_failures_as_the_screen(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from greencli.core.errors import Interrupted
    from greencli.jobs import rollup

    def stopped(*_: object, **__: object) -> None:
        raise RuntimeError("Error calling __set_name__") from Interrupted(15)

    monkeypatch.setattr(rollup, "run_rollup", stopped)
    (tmp_path / "in").mkdir()
    log = tmp_path / "r.log"
    runner.invoke(app, ["rollup", "--inbox", str(tmp_path / "in"), "--db", str(tmp_path / "l.db"), "--log", str(log)])
    last = log.read_text(encoding="utf-8").splitlines()[-1]
    assert "中断" in last and "失败" not in last, last
