"""Making filled scoring workbooks for tests: the real template, filled through the contract only."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from greencli.adapters.rubric_file import load_rubric
from greencli.adapters.template import Identity, build_skeleton, personalise
from greencli.adapters.xlsx_fill import fill

from tests.builders import FIRST_READING, C, perfect_values


@cache
def skeleton(year: int) -> bytes:
    return build_skeleton(load_rubric(version=FIRST_READING), year)


def filled(
    folder: Path,
    code: str,
    name: str = "",
    subdistrict: str = "珠江道街道",
    *,
    year: int = 2022,
    values: Mapping[str, Any] | None = None,
    compounds: tuple[C, ...] = (C(),),
    evidence: Mapping[str, Any] | None = None,
    info: Mapping[str, Any] | None = None,
    file_name: str | None = None,
) -> Path:
    """A workbook for one community: the perfect answers with `values` over them, filled like a person would."""
    folder.mkdir(parents=True, exist_ok=True)
    blank = folder / f".blank-{code}-{year}.xlsx"
    blank.write_bytes(personalise(skeleton(year), Identity(code, name or f"{code}社区", subdistrict)))
    target = folder / (file_name or f"{code}.xlsx")
    fill(blank, target, {**perfect_values(load_rubric(version=FIRST_READING)), **(values or {})}, evidence=evidence,
         compounds=compounds, info=info)  # fmt: skip
    blank.unlink()
    return target
