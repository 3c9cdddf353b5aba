"""Where the standard's files are, found without reading them: the bundled versions, or the file or folder a user
named. Apart from `rubric_file` so that a nightly rollup over an unchanged inbox can tell the standard by its bytes
without loading the standard's model (see `jobs.rollup.unchanged_rollup`)."""

from __future__ import annotations

import os
from pathlib import Path

BUNDLED_PATTERN = "qhd-etdz-green-community-*.toml"  # one file per released version, side by side
RUBRIC_ENV = "GREENCLI_RUBRIC"


def bundled_found() -> list[Path]:
    """The bundled standard's versions: inside the installed package, or templates/ of a source checkout; [] when
    neither holds any."""
    package = Path(__file__).resolve().parent.parent
    for folder in (package / "_templates", package.parent / "templates"):
        found = sorted(folder.glob(BUNDLED_PATTERN))
        if found:
            return found
    return []


def explicit_path(explicit: Path | None = None) -> Path | None:
    """A rubric file the user named (--rubric, else $GREENCLI_RUBRIC), or None for the bundled standard."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get(RUBRIC_ENV)
    return Path(from_env) if from_env else None


def standard_files(explicit: Path | None = None) -> list[Path]:
    """Every file the standard is read from: the file named, or a named folder's versions, and the bundled ones (a
    named version may inherit from a bundled one)."""
    named = explicit_path(explicit)
    if named is None:
        return bundled_found()
    own = sorted(named.glob("*.toml")) if named.is_dir() else [named]
    return [*own, *bundled_found()]
