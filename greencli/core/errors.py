"""Failures that stop a whole command (not one workbook): each carries a code of the one registry
(`core.issues.REGISTRY`, severity fatal), its parameters, the Chinese message rendered from them, and an exit code.

The library's messages never name a command-line flag; the command line words the codes that need one
(`greencli.cli.wording`). How the operating system's errors read, and the --debug detail, live in
`greencli.adapters.oserrors` (core reads no environment).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from greencli.core.issues import NOTE, REGISTRY, Severity, UnknownIssueCode, render


@dataclass(frozen=True, slots=True)
class Problem:
    """One part of a fatal error that lists several (a roster's bad rows, the communities a confer refused): a code
    of the registry and its parameters."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in REGISTRY:
            raise UnknownIssueCode(self.code)

    @classmethod
    def of(cls, code: str, /, **params: object) -> Problem:
        return cls(code, params)

    @property
    def message(self) -> str:
        return render(self.code, self.params)

    def __str__(self) -> str:
        return self.message


def _rebuilt(cls: type[GreencliError], state: dict[str, object], args: tuple[object, ...]) -> GreencliError:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    error.args = args
    return error


class GreencliError(Exception):
    """Unrecoverable for the command: an unusable call, roster, ledger, rubric or output. Exit code 2.

    `GreencliError("ledger-missing", path="评分.db")`: the code must be in the registry (anything else, a misspelt
    code or a message in words, is a programming error). A subclass may name a `default_code`, used when none is
    given.
    """

    exit_code: ClassVar[int] = 2
    default_code: ClassVar[str | None] = None

    def __init__(self, code: str | None = None, /, **params: object) -> None:
        if code is None:
            if self.default_code is None:
                raise UnknownIssueCode(f"{type(self).__name__} needs a code")
            code = self.default_code
        elif code not in REGISTRY:
            raise UnknownIssueCode(code)
        elif REGISTRY[code].severity is not Severity.FATAL:
            raise UnknownIssueCode(f"{code} is not a fatal code")
        self.code = code
        self.params: dict[str, object] = {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}
        super().__init__(render(code, self.params))

    @property
    def message(self) -> str:
        """The Chinese message, as the library words it (the command line may word it with its flags)."""
        return str(self)

    def __reduce__(self) -> tuple[object, ...]:
        """Copied and pickled (to and from worker processes) as what it is, never by calling the class with its
        message (which is no code)."""
        return (_rebuilt, (type(self), dict(self.__dict__), self.args))

    def noted(self, note: str) -> GreencliError:
        """The same error (class, code and parameters) saying also what the command had already done when it
        stopped, e.g. 本批未记录，评分记录库未改动."""
        again = copy.copy(self)  # a subclass's own attributes (RubricError.source, …) come along
        again.params = {**self.params, NOTE: note}
        again.args = (render(self.code, again.params),)
        return again

    @property
    def parts(self) -> tuple[Problem, ...]:
        """The problems this error lists (a roster's, a rubric's, a confer's), each with its code."""
        return tuple(p for v in self.params.values() if isinstance(v, list) for p in v if isinstance(p, Problem))


def problems_of(items: Sequence[Problem | str]) -> list[Problem]:
    """Problems, a code given alone (no parameters) taken as its Problem; a text that is not a code of the
    registry is a programming error (UnknownIssueCode), as in GreencliError."""
    return [p if isinstance(p, Problem) else Problem(p) for p in items]


DEFAULT_INTERRUPT_NOTE = "未完成的工作没有保存"
# What an interrupted run says of the ledger, once its batch is recorded (score and rollup alike).
RECORDED_NO_WORKBOOK = (
    "本批已记录入评分记录库，汇总工作簿未写出（可再次运行 greencli score 或 greencli rollup 从记录库重新生成）"
)


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal: SIGINT (Ctrl-C, exit 130) or SIGTERM (a service stop, exit 143).

    A KeyboardInterrupt, so every `except KeyboardInterrupt` that cleans up or records also sees a SIGTERM. A job
    that knows what was already saved says so by setting `note` on the exception it re-raises (on a plain
    KeyboardInterrupt too): e.g. "本批未记录，评分记录库未改动".
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def interrupt_note(exc: BaseException) -> str:
    """What an interrupted command says it saved (`exc.note`, set by the job), else that nothing unfinished was."""
    note = getattr(exc, "note", None)
    return note.strip() if isinstance(note, str) and note.strip() else DEFAULT_INTERRUPT_NOTE


__all__ = [
    "DEFAULT_INTERRUPT_NOTE",
    "GreencliError",
    "Interrupted",
    "Problem",
    "interrupt_note",
    "problems_of",
]
