"""Who a workbook is for: the 基本信息 fields, checked, and held against the roster and the rubric stamp."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from greencli.core import layout as L
from greencli.core.clean import clean_line
from greencli.core.issues import Issue, make_issue
from greencli.core.model import BLANK, Field
from greencli.core.roster import Community
from greencli.core.rubric import Campaign, Rubric
from greencli.core.values import is_blank, is_whole, parse_date, parse_number, show, show_entered

REQUIRED = (L.COMMUNITY_CODE, L.COMMUNITY_NAME, L.SUBDISTRICT, L.YEAR)


@dataclass(frozen=True, slots=True)
class WorkbookIdentity:
    """Whom and when a workbook evaluates: the community (code, name, 乡街), 评审年度, 评审日期 and reviewers."""

    code: str
    name: str
    subdistrict: str
    year: int | None
    review_date: date | None
    reviewers: str


def text_of(found: Field) -> str:
    """An identity field as kept (ledger, JSON, workbooks): whole, never cut; on one line, under the one rule of
    `core.clean` that the roster is read with too, so `template` and `score` accept the same codes and names."""
    value = found.value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if is_blank(value):
        return ""
    return clean_line(value).strip() if isinstance(value, str) else show(value).strip()


def _review_date_issues(
    found: Field, review: date | None, year: int | None, today: date | None, sheet: str, campaign: Campaign
) -> list[Issue]:
    """评审日期 is required (rubric 2021.2): superseding and the title date depend on it. Errors at its cell when
    blank, unreadable, after the day of scoring or before the 评审年度 began; a warning after the year ended (a
    review in the first days of the next year is normal)."""
    where = {"sheet": found.sheet or sheet, "cell": found.cell, "subject": L.REVIEW_DATE}
    if is_blank(found.value):
        return [make_issue("review-date-missing", **where)]
    if review is None:
        return [make_issue("review-date-unreadable", value=show_entered(found.value), **where)]
    if today is not None and review > today:
        return [make_issue("review-date-future", value=review.isoformat(), today=today.isoformat(), **where)]
    if year is not None and review < date(year, 1, 1):
        return [make_issue("review-date-before-year", value=review.isoformat(), year=year, **where)]
    if year is not None and review > campaign.end_of(year):
        return [make_issue("review-date-after-year", value=review.isoformat(), year=year, **where)]
    return []


def read_identity(
    fields: Mapping[str, Field], rubric: Rubric, latest_year: int, sheet: str = L.INFO_SHEET, today: date | None = None
) -> tuple[WorkbookIdentity, list[Issue]]:
    """The identity fields of 基本信息, with an issue for each one missing or implausible."""
    issues: list[Issue] = []
    for label in REQUIRED:
        found = fields.get(label)
        if found is None or is_blank(found.value):
            where = found or Field(None, sheet, None)
            issues.append(make_issue("identity-missing", sheet=where.sheet, cell=where.cell, subject=label))
    year_field = fields.get(L.YEAR, BLANK)
    year: int | None = None
    if not is_blank(year_field.value):
        number = parse_number(year_field.value, ("年",))
        low = rubric.campaign.first_year
        if number is not None and is_whole(number) and low <= number <= latest_year:
            year = int(number)
        else:
            issues.append(make_issue(
                "year-invalid", sheet=year_field.sheet, cell=year_field.cell, subject=L.YEAR,
                value=show(year_field.value), low=low, high=latest_year,
            ))  # fmt: skip
    date_field = fields.get(L.REVIEW_DATE, BLANK)
    review_date = parse_date(date_field.value)
    # Required from 2021.2; a date present is checked in a workbook of any version (a 2021.1 form dated before its
    # 评审年度 would otherwise backdate a title, one dated after today would win every tie).
    if rubric.review_date_required or not is_blank(date_field.value):
        issues += _review_date_issues(date_field, review_date, year, today, sheet, rubric.campaign)
    identity = WorkbookIdentity(
        code=text_of(fields.get(L.COMMUNITY_CODE, BLANK)),
        name=text_of(fields.get(L.COMMUNITY_NAME, BLANK)),
        subdistrict=text_of(fields.get(L.SUBDISTRICT, BLANK)),
        year=year,
        review_date=review_date,
        reviewers=text_of(fields.get(L.REVIEWERS, BLANK)),
    )
    return identity, issues


def check_stamp(stamp: Mapping[str, str], rubric: Rubric, identity: WorkbookIdentity, code_field: Field) -> list[Issue]:
    """A workbook generated for another standard cannot be scored; another version of this one is only noted."""
    issues: list[Issue] = []
    stamped_id, stamped_version = stamp.get("rubric_id", ""), stamp.get("rubric_version", "")
    if stamped_id and stamped_id != rubric.id:
        issues.append(make_issue("rubric-other", other=f"{stamped_id} {stamped_version}",
                                 expected=f"{rubric.id} {rubric.version}"))  # fmt: skip
    stamped_code = stamp.get("community_code", "")
    if stamped_code and identity.code and stamped_code != identity.code:
        issues.append(make_issue("stamp-mismatch", sheet=code_field.sheet, cell=code_field.cell,
                                 subject=identity.code, other=stamped_code))  # fmt: skip
    return issues


def check_roster(
    identity: WorkbookIdentity, fields: Mapping[str, Field], roster: Mapping[str, Community]
) -> list[Issue]:
    """The workbook's code must be in the roster, and its name and 乡街 must agree with it."""
    if not identity.code:
        return []
    code_field = fields.get(L.COMMUNITY_CODE, BLANK)
    known = roster.get(identity.code)
    if known is None:
        return [make_issue("roster-unknown", sheet=code_field.sheet, cell=code_field.cell, subject=identity.code)]
    issues = []
    for label, value, expected in ((L.COMMUNITY_NAME, identity.name, known.name),
                                   (L.SUBDISTRICT, identity.subdistrict, known.subdistrict)):  # fmt: skip
        if value and value != expected:
            found = fields.get(label, BLANK)
            issues.append(make_issue("roster-mismatch", sheet=found.sheet, cell=found.cell, subject=identity.code,
                                     field=label, value=value, expected=expected))  # fmt: skip
    return issues
