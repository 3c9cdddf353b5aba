"""Finding and reading the rubric data file (TOML)."""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path

from greencli.core.errors import describe_os_error
from greencli.core.rubric import Rubric, RubricError
from greencli.core.rubric_loader import parse_rubric

DEFAULT_RUBRIC_NAME = "qhd-etdz-green-community.toml"
RUBRIC_ENV = "GREENCLI_RUBRIC"


def default_rubric_path() -> Path:
    """The bundled standard: inside the installed package, or templates/ of a source checkout."""
    package = Path(__file__).resolve().parent.parent
    for folder in (package / "_templates", package.parent / "templates"):
        candidate = folder / DEFAULT_RUBRIC_NAME
        if candidate.is_file():
            return candidate
    raise RubricError(DEFAULT_RUBRIC_NAME, ["找不到随程序安装的评分标准文件，请重新安装 greencli"])


def rubric_path(explicit: Path | None = None) -> Path:
    """The rubric to use: the one named, else $GREENCLI_RUBRIC, else the bundled standard."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get(RUBRIC_ENV)
    return Path(from_env) if from_env else default_rubric_path()


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


def load_rubric(path: Path | None = None) -> Rubric:
    """Read and check the rubric; `RubricError` lists every problem of a broken file."""
    return _load(rubric_path(path).resolve())
