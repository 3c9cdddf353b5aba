"""greencli's public Python API: every command as a function returning its typed report, the analysts' DataFrames,
and what a caller needs to handle failures. The command line (greencli.cli) is built on exactly this surface.

    from greencli import api
    report = api.score(["收件箱/2022"], roster="社区名单.xlsx", db="greencli.db")   # a ScoreReport
    standing = api.progress(2022, roster="社区名单.xlsx", db="greencli.db")         # a ProgressReport
    with api.open_ledger("greencli.db") as ledger:
        frame = ledger.evaluations(2022)                                           # a pandas DataFrame

Commands: standard (standard_booklet to print it), template, score, progress (city_progress for every district of a shared ledger), notice,
confer, history, evidence (the binder's index), rescore, void, rollup, export, roster_show, ledger_copy
(greencli.api.commands). Analysis: load_rubric, assess_workbook, open_ledger, LedgerView (greencli.api.analysis).
Start-up: start_readers_early (the reading workers load while the caller's own imports run).
Failures: GreencliError (`.code`, `.params`, `.exit_code`, `str()` the Chinese message), Interrupted.

Names are loaded on first use, so that importing the package (and starting the command line) costs nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what a type checker sees: every name, explicitly re-exported
    from greencli.adapters.files import shown as shown
    from greencli.adapters.limits import LEDGER_WAIT_SECONDS as LEDGER_WAIT_SECONDS
    from greencli.adapters.oserrors import DEBUG_ENV as DEBUG_ENV
    from greencli.adapters.oserrors import describe_os_error as describe_os_error
    from greencli.api.analysis import LedgerView as LedgerView
    from greencli.api.analysis import assess_workbook as assess_workbook
    from greencli.api.analysis import load_rubric as load_rubric
    from greencli.api.analysis import open_ledger as open_ledger
    from greencli.api.commands import check_year as check_year
    from greencli.api.commands import city_progress as city_progress
    from greencli.api.commands import confer as confer
    from greencli.api.commands import evidence as evidence
    from greencli.api.commands import export as export
    from greencli.api.commands import history as history
    from greencli.api.commands import ledger_copy as ledger_copy
    from greencli.api.commands import notice as notice
    from greencli.api.commands import progress as progress
    from greencli.api.commands import rescore as rescore
    from greencli.api.commands import rollup as rollup
    from greencli.api.commands import roster_show as roster_show
    from greencli.api.commands import score as score
    from greencli.api.commands import standard as standard
    from greencli.api.commands import standard_booklet as standard_booklet
    from greencli.api.commands import template as template
    from greencli.api.commands import void as void
    from greencli.core.errors import GreencliError as GreencliError
    from greencli.core.errors import Interrupted as Interrupted
    from greencli.core.errors import Problem as Problem
    from greencli.core.errors import interrupt_note as interrupt_note
    from greencli.core.issues import REGISTRY as REGISTRY
    from greencli.core.issues import render as render
    from greencli.core.outcome import Outcome as Outcome
    from greencli.core.rubric import Rubric as Rubric
    from greencli.core.rubric import describe as describe
    from greencli.core.version import __version__ as __version__
    from greencli.jobs.readers import start_readers_early as start_readers_early

_WHERE: dict[str, str] = {
    **dict.fromkeys(("standard", "template", "score", "progress", "notice", "confer", "history", "rescore", "void",
                     "rollup", "export", "check_year", "roster_show", "city_progress", "ledger_copy", "standard_booklet",
                     "evidence"),
                    "greencli.api.commands"),
    **dict.fromkeys(("LedgerView", "assess_workbook", "load_rubric", "open_ledger"), "greencli.api.analysis"),
    **dict.fromkeys(("GreencliError", "Interrupted", "Problem", "interrupt_note"), "greencli.core.errors"),
    **dict.fromkeys(("REGISTRY", "render"), "greencli.core.issues"),
    **dict.fromkeys(("Rubric", "describe"), "greencli.core.rubric"),
    "Outcome": "greencli.core.outcome",
    "__version__": "greencli.core.version",
    "DEBUG_ENV": "greencli.adapters.oserrors",
    "describe_os_error": "greencli.adapters.oserrors",
    "LEDGER_WAIT_SECONDS": "greencli.adapters.limits",
    "shown": "greencli.adapters.files",
    "start_readers_early": "greencli.jobs.readers",
}  # fmt: skip
__all__ = [  # noqa: RUF022 - grouped as _WHERE is
    "DEBUG_ENV",
    "GreencliError",
    "Interrupted",
    "LEDGER_WAIT_SECONDS",
    "LedgerView",
    "Outcome",
    "Problem",
    "REGISTRY",
    "Rubric",
    "__version__",
    "assess_workbook",
    "check_year",
    "city_progress",
    "confer",
    "describe",
    "describe_os_error",
    "evidence",
    "export",
    "history",
    "interrupt_note",
    "ledger_copy",
    "load_rubric",
    "notice",
    "open_ledger",
    "progress",
    "render",
    "rescore",
    "rollup",
    "roster_show",
    "score",
    "shown",
    "standard",
    "standard_booklet",
    "start_readers_early",
    "template",
    "void",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value  # once loaded, an ordinary attribute
        return value
    raise AttributeError(f"module 'greencli.api' has no attribute {name!r}")
