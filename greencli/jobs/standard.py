"""`greencli standard --out 评审标准.docx`: the whole standard of a version as a booklet, printed once per inspector."""

from __future__ import annotations

from pathlib import Path

from greencli.core.reports import BookletReport
from greencli.core.rubric import Rubric


def run_booklet(rubric: Rubric, out: Path) -> BookletReport:
    from greencli.adapters.docx_standard import write_standard_booklet  # python-docx: only when writing one

    write_standard_booklet(out, rubric)
    return BookletReport(str(out), rubric)
