"""When a batch is read by worker processes, what they import, and starting them before the batch is known.

A worker's first file waits for its process to start and import the reading stack (about 0.3 s). Started as soon
as a command sees it will read a folder or many files, that happens while the command is still importing, loading
its rubric and roster and listing the files, instead of after.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

GLOB_CHARS = frozenset("*?[")
# Below this many files a process pool costs more to start than it saves.
PARALLEL_FROM = 16
# What a reading worker imports before its first file (the fork server loads it once for all of them).
READER = (
    "greencli.jobs.pipeline",
    "greencli.adapters.xlsx_reader",
    "greencli.core.assess",
    "greencli.adapters.evidence_folder",
)


def worker_count(files: int, jobs: int) -> int:
    """How many processes read `files` files: `jobs` when given (> 0), else one per core (at most 8) for a batch
    large enough to be worth them; 1 means the batch is read in this process."""
    if files <= 1:
        return 1
    return jobs if jobs > 0 else (min(os.cpu_count() or 1, 8) if files >= PARALLEL_FROM else 1)


def likely_parallel(patterns: Sequence[str], jobs: int) -> bool:
    """Whether these patterns will probably be read by workers, judged before they are listed: a folder or a glob
    can hold any number of files; named files are counted."""
    if jobs == 1:
        return False
    if len(patterns) >= (2 if jobs > 1 else PARALLEL_FROM):
        return True
    return any(GLOB_CHARS & set(p) or os.path.isdir(p) for p in patterns)


def start_readers_early(patterns: Sequence[str], jobs: int) -> None:
    """Start the workers' server now when the batch will probably need it (see the module's docstring); a batch
    that turns out small leaves it unused, and it ends with this process."""
    if likely_parallel(patterns, jobs):
        from greencli.adapters.workers import prestart

        prestart(READER)
