"""`greencli template`: one guarded workbook per urban community of the roster, or one blank workbook."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from greencli.adapters.files import (
    OutputError,
    PathsGiven,
    check_length,
    clear_stale,
    inside,
    refuse_overlap,
    write_atomic,
)
from greencli.adapters.template import Identity, build_skeleton, build_workbook, personalise
from greencli.core.model import JsonObject
from greencli.core.names import MAX_COMPONENT, safe_component
from greencli.core.reports import Made, Status, TemplateReport
from greencli.core.roster import Community
from greencli.core.rubric import Rubric

# the reports are defined in greencli.core.reports (the terminal renders them); importable from here as before
__all__ = ["Made", "Status", "TemplateReport", "blank_name", "file_name", "make_templates", "plan_paths", "to_document"]


def file_name(community: Community) -> str:
    """`<code>_<name>.xlsx`, safe on Windows and Linux; the code keeps names unique."""
    code = safe_component(community.code, "无编码")
    name = safe_component(community.name)
    stem = f"{code}_{name}"[:MAX_COMPONENT].rstrip(". _")
    return f"{stem}.xlsx"


def blank_name(rubric: Rubric, year: int) -> str:
    """The blank form's file name: 绿色社区评分表_2023.xlsx, by the campaign's own name."""
    return f"{safe_component(rubric.campaign.name)}评分表_{year}.xlsx"


def plan_paths(out: Path, communities: Sequence[Community]) -> list[Path]:
    """Where each community's workbook goes: out/<乡街>/<file>; never outside `out`, never two in one place."""
    used: set[str] = set()
    paths = []
    for community in communities:
        folder = out / safe_component(community.subdistrict, "未分乡街")
        path = folder / file_name(community)
        n = 2
        while str(path).casefold() in used:  # Windows file names ignore case
            path = folder / f"{path.stem.rsplit('~', 1)[0]}~{n}.xlsx"
            n += 1
        used.add(str(path).casefold())
        if not inside(out, path):
            raise OutputError("output-outside-folder", name=community.name, path=str(out))
        paths.append(path)
    return paths


def make_templates(
    rubric: Rubric,
    year: int,
    out: Path,
    roster: Sequence[Community] | None,
    *,
    force: bool = False,
    inputs: Mapping[str, PathsGiven] | None = None,
) -> TemplateReport:
    """Write the workbooks; existing files are kept unless `force`. No workbook is written over one of `inputs`
    (the roster may sit in `out`, but no generated file may be it): checked for every path before any is written."""
    check_length(out)
    if out.exists() and not out.is_dir():
        raise OutputError("output-not-folder", path=str(out))
    from greencli.adapters.docx_record import build_record_skeleton  # python-docx: only when forms are made

    if roster is None:
        path = out / blank_name(rubric, year)
        _guard([path, record_path(path)], inputs)
        blank = Identity("", "", "")
        one = _write(path, lambda: build_workbook(rubric, year, None), None, force,
                     lambda: build_record_skeleton(rubric, year, blank))  # fmt: skip
        return TemplateReport(year, out, (one,), ())
    urban = [c for c in roster if c.urban]
    skipped = tuple(c for c in roster if not c.urban)
    paths = plan_paths(out, urban)
    _guard([*paths, *map(record_path, paths)], inputs)
    skeleton = build_skeleton(rubric, year) if urban else b""
    record = build_record_skeleton(rubric, year) if urban else b""  # built once, personalised as the workbooks
    made = []
    for community, path in zip(urban, paths, strict=True):
        identity = Identity(community.code, community.name, community.subdistrict)
        made.append(_write(path, functools.partial(personalise, skeleton, identity), community, force,
                           functools.partial(personalise, record, identity)))  # fmt: skip
    return TemplateReport(year, out, tuple(made), skipped)


def record_path(workbook: Path) -> Path:
    """The community's record sheet for the field, beside its workbook (contract.md: `_现场评审记录` added)."""
    from greencli.adapters.docx_record import record_name

    return workbook.with_name(record_name(workbook.stem))


def _guard(paths: Sequence[Path], inputs: Mapping[str, PathsGiven] | None) -> None:
    if inputs:
        refuse_overlap({"生成的评分表": list(paths)}, inputs)
    for folder in {p.parent for p in paths}:
        clear_stale(folder)


def _write(path: Path, build: Callable[[], bytes], community: Community | None, force: bool,
           build_record: Callable[[], bytes]) -> Made:  # fmt: skip
    """The workbook and its record sheet; existing ones kept unless `force` (a record sheet missing beside a kept
    workbook, from a greencli that wrote none, is written)."""
    record = record_path(path)
    if force or not record.exists():
        write_atomic(record, build_record())
    existed = path.exists()
    if existed and not force:
        return Made(community, path, Status.EXISTS, record)
    write_atomic(path, build())
    return Made(community, path, Status.OVERWRITTEN if existed else Status.WRITTEN, record)


def to_document(report: TemplateReport) -> JsonObject:
    """`report.to_json()`, by its former name (the command line calls it until it moves onto the library)."""
    return report.to_json()
