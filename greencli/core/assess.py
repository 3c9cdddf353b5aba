"""One workbook's verdict from everything known about it: layout problems, identity, stamp, roster, scores."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from greencli.core import layout as L
from greencli.core.engine import evaluate
from greencli.core.identity import WorkbookIdentity, check_roster, check_stamp, read_identity
from greencli.core.issues import WHOLE_FILE_CODES, Issue, make_issue
from greencli.core.model import BLANK, Entries, Evaluation, Field, Verdict
from greencli.core.roster import Community, Rosters
from greencli.core.rubric import FieldKind, Form, Rubric
from greencli.core.values import is_blank, is_whole, parse_amount, show

# When the file or a whole sheet cannot be read, row-by-row checks would only echo that one problem many times.
# A workbook made for another standard, or for a version this program does not know, is never scored.
FOREIGN = frozenset({"rubric-other", "rubric-version-unknown"})
# A whole-file problem (file-empty, file-encrypted, zip-bomb, …, and file-not-xlsx/file-unreadable of older ledgers)
# makes the file unreadable; a layout problem, its sheet.
LAYOUT_FATAL = WHOLE_FILE_CODES | {"sheet-missing", "header-missing", "sheet-too-large"}


def _unreadable(file_issues: Sequence[Issue], sheet: str) -> bool:
    return any(i.code in WHOLE_FILE_CODES or (i.code in LAYOUT_FATAL and i.sheet == sheet) for i in file_issues)


# 附件3's numbers in 基本信息 (contract.md: "numbers validated ≥ 0"; the fields are the rubric's form data). They do
# not bear on the score, so a bad one is a warning at its cell and the evaluation stands. A trailing unit is accepted
# when it is the field's own, also counted in 万 (12000人, 1.2万人, 3.5万平方米): it says what the form asks for. Any
# other unit (公顷, 亩, 12000户 for a population) is warned about: the form is printed in its own units.
AREA_UNITS = ("平方米", "平米", "m2")  # NFKC folds ㎡ and m² into m2 before units are compared


def info_numbers(form: Form) -> dict[str, tuple[bool, tuple[str, ...]]]:
    """label → (whole, the units it may carry), for each number the application form asks for."""
    return {f.label: (True, (f.unit,) if f.unit else ()) if f.kind is FieldKind.COUNT else (False, AREA_UNITS)
            for f in form.numbers}  # fmt: skip


def check_info_numbers(info: Mapping[str, Field], form: Form) -> list[Issue]:
    """A warning at each 附件3 number that is present and is not a number ≥ 0 (a whole one for counts)."""
    issues = []
    for label, (whole, units) in info_numbers(form).items():
        found = info.get(label, BLANK)
        if is_blank(found.value):
            continue  # optional
        number = parse_amount(found.value, units)
        if number is None or number < 0 or (whole and not is_whole(number)):
            expected = "不小于0的整数" if whole else "不小于0的数字（平方米）"
            issues.append(make_issue("info-number", sheet=found.sheet or L.INFO_SHEET, cell=found.cell,
                                     subject=label, value=show(found.value), expected=expected))  # fmt: skip
    return issues


@dataclass(frozen=True)
class Assessed:
    """A workbook assessed: whom and when it evaluates, and its evaluation."""

    identity: WorkbookIdentity
    evaluation: Evaluation


def assess(
    rubric: Rubric,
    info: Mapping[str, Field],
    entries: Entries,
    stamp: Mapping[str, str],
    file_issues: Sequence[Issue],
    latest_year: int,
    roster: Mapping[str, Community] | Rosters | None = None,
    today: date | None = None,
) -> Assessed:
    """Merge every check of one workbook; any error makes it invalid, and all issues are reported together.
    `roster`: the communities by 社区编码, or the rosters by year (the workbook is held against its own 评审年度's).
    `today` is the day of scoring (a 评审日期 after it is an error)."""
    identity, identity_issues = read_identity(info, rubric, latest_year, today=today)
    identity_issues += check_info_numbers(info, rubric.form)
    if _unreadable(file_issues, L.INFO_SHEET):
        identity_issues = []  # the file or its 基本信息 sheet could not be read: that one issue says it all
    stamp_issues = check_stamp(stamp, rubric, identity, info.get(L.COMMUNITY_CODE, BLANK))
    foreign = any(i.code in FOREIGN for i in (*file_issues, *stamp_issues))
    if foreign:  # made for another standard or version: its entries mean other things, so only that is said
        identity_issues = [i for i in identity_issues if i.code in ("identity-missing", "year-invalid")]
    issues: list[Issue] = [*file_issues, *identity_issues, *stamp_issues]
    index = roster.index(identity.year) if isinstance(roster, Rosters) else roster
    if index is not None:
        issues += check_roster(identity, info, index)
    fatal = foreign or any(i.code in LAYOUT_FATAL for i in file_issues)
    evaluation = Evaluation.invalid(()) if fatal else evaluate(rubric, dataclasses.replace(entries, year=identity.year))
    flagged = {i.cell for i in file_issues if i.code == "formula-no-value"}
    engine_issues = [i for i in evaluation.issues if not (i.code == "value-missing" and i.cell in flagged)]
    issues += engine_issues
    if any(i.is_error for i in issues) and evaluation.verdict is not Verdict.INVALID:
        evaluation = Evaluation.invalid((), evaluation.compounds)
    return Assessed(identity, dataclasses.replace(evaluation, issues=tuple(issues)))


def missing_inputs(assessed: Assessed) -> list[tuple[str, str]]:
    """(cell, row code) of every 评分表 input the engine found blank: where a formula without a value may hide."""
    return [(i.cell, i.subject) for i in assessed.evaluation.issues
            if i.code == "value-missing" and i.sheet == L.SCORE_SHEET and i.cell and i.subject]  # fmt: skip


def with_formulas(assessed: Assessed, formulas: Sequence[Issue], after: int) -> Assessed:
    """A formula typed into an input cell, never computed: say so at that cell instead of "missing". The formula
    issues join the file's own issues (the first `after`); both are errors, so the verdict stands."""
    if not formulas:
        return assessed
    flagged = {i.cell for i in formulas}
    issues = [i for i in assessed.evaluation.issues if not (i.code == "value-missing" and i.cell in flagged)]
    merged = (*issues[:after], *formulas, *issues[after:])
    return Assessed(assessed.identity, dataclasses.replace(assessed.evaluation, issues=merged))
