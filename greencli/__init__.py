"""greencli: score, consolidate and track Green Community (绿色社区) inspection workbooks.

The public Python API is `greencli.api` (every command as a function, and the analysts' DataFrames); its names are
also available here (`greencli.open_ledger`, `greencli.score`, …), loaded on first use so that the command line
starts without them.
"""

from __future__ import annotations

import importlib
from typing import Any

from greencli.core.version import __version__

__all__ = ["__version__"]


def __getattr__(name: str) -> Any:
    # loaded on first use, so the command line starts without it (importlib: `from greencli import api` here would
    # ask this very function for "api" while the submodule is not yet imported)
    api = importlib.import_module("greencli.api")
    if name in api.__all__:
        return getattr(api, name)
    raise AttributeError(f"module 'greencli' has no attribute {name!r}")
