"""Finding and reading the rubric data file (TOML)."""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path

from greencli.core.errors import GreencliError, describe_os_error
from greencli.core.rubric import Rubric, RubricError, Standards
from greencli.core.rubric_loader import parse_rubric

BUNDLED_PATTERN = "qhd-etdz-green-community-*.toml"  # one file per released version, side by side
RUBRIC_ENV = "GREENCLI_RUBRIC"


def bundled_paths() -> list[Path]:
    """The bundled standard's versions: inside the installed package, or templates/ of a source checkout."""
    package = Path(__file__).resolve().parent.parent
    for folder in (package / "_templates", package.parent / "templates"):
        found = sorted(folder.glob(BUNDLED_PATTERN))
        if found:
            return found
    raise RubricError(BUNDLED_PATTERN, ["找不到随程序安装的评分标准文件，请重新安装 greencli"])


def explicit_path(explicit: Path | None = None) -> Path | None:
    """A rubric file the user named (--rubric, else $GREENCLI_RUBRIC), or None for the bundled standard."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get(RUBRIC_ENV)
    return Path(from_env) if from_env else None


@lru_cache(maxsize=8)
def _load(path: Path) -> Rubric:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RubricError(str(path), [f"无法读取：{describe_os_error(exc)}"]) from exc
    except UnicodeDecodeError as exc:
        raise RubricError(str(path), ["不是 UTF-8 编码的文本文件"]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise RubricError(str(path), [f"TOML 格式错误：{exc}"]) from exc
    return parse_rubric(data, str(path))


def load_standards(path: Path | None = None) -> Standards:
    """Every version to score with: the file named (alone), else all bundled versions side by side."""
    named = explicit_path(path)
    if named is not None and named.is_dir():  # a folder of versions of one standard, side by side
        files = sorted(named.glob("*.toml"))
        if not files:
            raise RubricError(str(named), ["文件夹中没有评分标准文件（.toml）"])
        return Standards.of(_load(p.resolve()) for p in files)
    if named is not None:
        return Standards.of([_load(named.resolve())])
    return Standards.of(_load(p.resolve()) for p in bundled_paths())


def load_rubric(path: Path | None = None, version: str | None = None) -> Rubric:
    """One rubric: the file named, else the bundled standard's newest version (or the `version` asked for);
    `RubricError` lists every problem of a broken file, or names the known versions."""
    standards = load_standards(path)
    if version is None:
        return standards.newest
    chosen = standards.get(version)
    if chosen is None:
        raise GreencliError(f"没有评分标准版本 {version}；可用的版本：{'、'.join(standards.known())}")
    return chosen
