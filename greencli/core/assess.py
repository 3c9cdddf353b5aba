"""One workbook's verdict from everything known about it: layout problems, identity, stamp, roster, scores."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from greencli.core import layout as L
from greencli.core.engine import evaluate
from greencli.core.identity import WorkbookIdentity, check_roster, check_stamp, read_identity
from greencli.core.issues import Issue
from greencli.core.model import BLANK, Entries, Evaluation, Field, Verdict
from greencli.core.roster import Community
from greencli.core.rubric import Rubric

# When the file or a whole sheet cannot be read, row-by-row checks would only echo that one problem many times.
LAYOUT_FATAL = frozenset({"file-not-xlsx", "file-unreadable", "sheet-missing", "header-missing", "sheet-too-large"})


def _unreadable(file_issues: Sequence[Issue], sheet: str) -> bool:
    return any(
        i.code in ("file-not-xlsx", "file-unreadable") or (i.code in LAYOUT_FATAL and i.sheet == sheet)
        for i in file_issues
    )


@dataclass(frozen=True)
class Assessed:
    identity: WorkbookIdentity
    evaluation: Evaluation


def assess(
    rubric: Rubric,
    info: Mapping[str, Field],
    entries: Entries,
    stamp: Mapping[str, str],
    file_issues: Sequence[Issue],
    latest_year: int,
    roster: Mapping[str, Community] | None = None,
) -> Assessed:
    """Merge every check of one workbook; any error makes it invalid, and all issues are reported together."""
    identity, identity_issues = read_identity(info, rubric, latest_year)
    if _unreadable(file_issues, L.INFO_SHEET):
        identity_issues = []  # the file or its 基本信息 sheet could not be read: that one issue says it all
    issues: list[Issue] = [*file_issues, *identity_issues]
    issues += check_stamp(stamp, rubric, identity, info.get(L.COMMUNITY_CODE, BLANK))
    if roster is not None:
        issues += check_roster(identity, info, roster)
    fatal = any(i.code in LAYOUT_FATAL for i in file_issues)
    if fatal:
        evaluation = Evaluation(Verdict.INVALID, None, None, None, None, (), ())
    else:
        evaluation = evaluate(rubric, dataclasses.replace(entries, year=identity.year))
    flagged = {i.cell for i in file_issues if i.code == "formula-no-value"}
    engine_issues = [i for i in evaluation.issues if not (i.code == "value-missing" and i.cell in flagged)]
    issues += engine_issues
    if any(i.is_error for i in issues) and evaluation.verdict is not Verdict.INVALID:
        evaluation = Evaluation(Verdict.INVALID, None, None, None, None, (), (), evaluation.compounds)
    return Assessed(identity, dataclasses.replace(evaluation, issues=tuple(issues)))
