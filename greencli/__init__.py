"""greencli: score, consolidate and track Green Community (绿色社区) inspection workbooks.

The public Python API is `greencli.api`; its names are also available here (`greencli.open_ledger`, …), loaded on
first use so that the command line starts without them.
"""

from __future__ import annotations

from typing import Any

from greencli.core.version import __version__

__all__ = ["__version__"]
_API = frozenset({"LedgerView", "Outcome", "Rubric", "assess_workbook", "load_rubric", "open_ledger"})


def __getattr__(name: str) -> Any:
    if name in _API:
        from greencli import api  # noqa: PLC0415 - loaded on first use: the CLI starts without it

        return getattr(api, name)
    raise AttributeError(f"module 'greencli' has no attribute {name!r}")
