"""One registry of codes: every code has a title, Chinese text and renders with its parameters; every code the
package raises or emits is in it; errors are typed by code, and the command line words them with its flags."""

from __future__ import annotations

import ast
import json
import re
import string
from pathlib import Path

import pytest
from greencli.cli.app import app
from greencli.cli.wording import CLI_WORDING, cli_message
from greencli.core.errors import GreencliError, Problem, problems_of
from greencli.core.issues import LEGACY, REGISTRY, Severity, UnknownIssueCode, render
from typer.testing import CliRunner

PACKAGE = Path(__file__).resolve().parent.parent / "greencli"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
runner = CliRunner()


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("code", sorted(REGISTRY))
def test_every_code_has_a_title_chinese_text_and_renders_with_its_parameters(code: str) -> None:
    entry = REGISTRY[code]
    assert CODE.fullmatch(code) and entry.title and CHINESE.search(entry.title)
    assert CHINESE.search(entry.text) or entry.text in ("{message}", "{reason}")
    params: dict[str, object] = {name: 1.5 if name == "wait" else f"〈{name}〉" for name in fields(entry.text)}
    message = render(code, params)
    assert "{" not in message and all(str(v) in message for k, v in params.items() if k != "wait")


def test_library_wording_names_no_command_line_flag() -> None:
    flagged = {code: e.text for code, e in REGISTRY.items() if re.search(r"(?<![\w-])--[a-z]", e.text)}
    assert flagged == {}


@pytest.mark.parametrize("code", sorted(CLI_WORDING))
def test_the_command_lines_wording_takes_the_same_parameters(code: str) -> None:
    assert code in REGISTRY and REGISTRY[code].severity is Severity.FATAL
    assert fields(CLI_WORDING[code]) <= fields(REGISTRY[code].text)


def literal_codes() -> dict[str, set[str]]:
    """Every string literal passed first to an error constructor, make_issue, Problem or a report (the engine's,
    a row kind's, the rubric loader's), by file."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            wanted = name in ("make_issue", "Problem", "of", "file_issue", "report") or name.endswith(("Error", "Busy"))
            first = node.args[0]
            if wanted and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.setdefault(str(path.relative_to(PACKAGE)), set()).add(first.value)
    return found


def test_every_code_raised_or_emitted_is_in_the_registry() -> None:
    codes = {c for values in literal_codes().values() for c in values if CODE.fullmatch(c)}
    assert codes and codes - set(REGISTRY) == set()


def test_every_code_in_the_registry_is_emitted_somewhere() -> None:
    """No dead entries: each code is named by the package outside the registry, or kept for old ledgers (LEGACY)."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py") if p.name != "issues.py")
    unused = {code for code in REGISTRY if f'"{code}"' not in source}
    assert unused == set(LEGACY)


def test_greenclis_own_error_sites_pass_codes_not_messages() -> None:
    """Every error site in the package passes a code of the registry, never a Chinese message of its own."""
    messages = {f: sorted(c for c in v if CHINESE.search(c)) for f, v in literal_codes().items()}
    assert {f: m for f, m in messages.items() if m} == {}


def test_an_error_carries_its_code_params_and_exit_code() -> None:
    from greencli.adapters.lock import Busy
    from greencli.adapters.roster import RosterError

    busy = Busy(path="l.db.lock", wait=2)
    assert (busy.code, busy.params, busy.exit_code) == ("lock-busy", {"path": "l.db.lock", "wait": 2}, 3)
    roster = RosterError(Path("r.csv"), [Problem.of("roster-row-duplicate", row=3, value="a-01", other=2)])
    assert roster.code == "roster-unusable" and [p.code for p in roster.parts] == ["roster-row-duplicate"]
    with pytest.raises(KeyError):
        GreencliError("ledger-mising", path="x")  # a misspelt code is a bug, never a message


@pytest.mark.parametrize("text", ["评分记录库不存在", "ledger-mising"])
def test_a_message_in_words_is_a_programming_error_not_an_error(text: str) -> None:
    with pytest.raises(UnknownIssueCode):
        GreencliError(text)
    with pytest.raises(UnknownIssueCode):
        problems_of([text])
    with pytest.raises(UnknownIssueCode):
        Problem.of(text)
    assert problems_of(["roster-empty"]) == [Problem("roster-empty")]  # a code alone is its problem


def test_the_command_line_words_a_code_with_its_flags() -> None:
    error = GreencliError("void-reason-missing")
    assert "--" not in str(error) and "--reason" in cli_message(error.code, error.params)


def test_a_fatal_error_with_json_is_also_a_json_object_on_stdout(tmp_path: Path) -> None:
    result = runner.invoke(app, ["progress", "--year", "1900", "--db", str(tmp_path / "l.db"), "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout) == {
        "error": {"code": "year-out-of-range", "message": result.stderr.removeprefix("错误：").strip(), "exit_code": 2}
    }
    plain = runner.invoke(app, ["progress", "--year", "1900", "--db", str(tmp_path / "l.db")])
    assert plain.exit_code == 2 and plain.stdout == ""


def test_a_noted_error_keeps_its_class_code_and_exit_code() -> None:
    """What score says it had saved when it stopped is added to the error, never in place of its code."""
    from greencli.adapters.ledger import LedgerBusy

    busy = LedgerBusy(path="l.db", wait=2)
    noted = busy.noted("本批未记录，评分记录库未改动")
    assert (type(noted), noted.code, noted.exit_code) == (LedgerBusy, "ledger-busy", 3)
    assert str(noted) == f"{busy}（本批未记录，评分记录库未改动）" and "note" not in busy.params


def test_an_error_survives_pickling_as_itself() -> None:
    """Errors cross process boundaries (worker pools) and are copied: code, parameters and class stay."""
    import pickle

    from greencli.adapters.roster import RosterError

    roster = RosterError(Path("r.csv"), [Problem.of("roster-row-duplicate", row=3, value="a-01", other=2)])
    again = pickle.loads(pickle.dumps(roster))
    assert (type(again), again.code, str(again), again.parts) == (RosterError, roster.code, str(roster), roster.parts)
