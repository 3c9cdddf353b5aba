"""Which error a command stopped on, by its code: tests assert codes, not wording.

With --json a command that stops prints `{"error": {"code", "message", "exit_code"[, "problems"]}}` on stdout (its
Chinese message goes to stderr). tests/test_codes.py checks that every code has its Chinese text, once for all.
"""

from __future__ import annotations

import json
import subprocess

from typer.testing import Result


def error_of(result: Result | subprocess.CompletedProcess[str]) -> dict[str, object]:
    """The error of a command run with --json: stdout holds it and nothing else, with the run's own exit code."""
    stdout = result.stdout
    exit_code = result.exit_code if isinstance(result, Result) else result.returncode
    doc = json.loads(stdout)
    assert isinstance(doc, dict) and list(doc) == ["error"], stdout
    error = doc["error"]
    assert isinstance(error, dict) and error["exit_code"] == exit_code != 0, stdout
    return error


def error_code(result: Result | subprocess.CompletedProcess[str]) -> str:
    """The code of the error a command run with --json stopped on."""
    code = error_of(result)["code"]
    assert isinstance(code, str)
    return code


def problem_codes(result: Result | subprocess.CompletedProcess[str]) -> list[str]:
    """The codes of the problems an error lists (a roster's or a rubric's, each its own code), in order."""
    problems = error_of(result).get("problems", [])
    assert isinstance(problems, list)
    return [str(p["code"]) for p in problems]


def message_of(result: Result | subprocess.CompletedProcess[str]) -> str:
    """The error's message, for the few tests whose point is what it names (a file, a row, a flag)."""
    message = error_of(result)["message"]
    assert isinstance(message, str)
    return message
