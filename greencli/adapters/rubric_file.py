"""Finding and reading the rubric data file (TOML)."""

from __future__ import annotations

import json
import re
import zlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from greencli.adapters.oserrors import describe_os_error, with_detail
from greencli.adapters.rubric_sources import BUNDLED_PATTERN, bundled_found, explicit_path
from greencli.core.errors import GreencliError, Problem
from greencli.core.rubric import Rubric, RubricError, Standards
from greencli.core.rubric_loader import parse_rubric

if TYPE_CHECKING:
    from tomllib import TOMLDecodeError


def bundled_paths() -> list[Path]:
    """The bundled standard's versions: inside the installed package, or templates/ of a source checkout."""
    found = bundled_found()
    if not found:
        raise RubricError(BUNDLED_PATTERN, [Problem.of("rubric-bundled-missing")])
    return found


# Beside each bundled version, its TOML parsed once and kept as JSON with the TOML's CRC-32 and size: parsing the
# TOML (tomllib is pure Python) is a tenth of an unchanged nightly rollup. Used only while the TOML is byte for byte
# the one it was made from; an edited TOML is parsed as it stands. `make rubric-json` writes them; a test keeps them
# current.
PARSED_SUFFIX = ".parsed.json"


def parsed_copy_path(path: Path) -> Path:
    return path.with_name(path.name + PARSED_SUFFIX)


def _parsed_copy(path: Path, raw: bytes) -> dict[str, object] | None:
    """The TOML's data from its parsed copy, when there is one made from exactly these bytes."""
    try:
        kept = json.loads(parsed_copy_path(path).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(kept, dict) or kept.get("toml_crc32") != zlib.crc32(raw) or kept.get("toml_size") != len(raw):
        return None
    data = kept.get("data")
    return data if isinstance(data, dict) else None


def write_parsed_copy(path: Path) -> Path:
    """Write `path`'s parsed copy (see PARSED_SUFFIX)."""
    raw = path.read_bytes()
    data = _parsed_toml(raw, path)
    kept = {"toml_crc32": zlib.crc32(raw), "toml_size": len(raw), "data": data}
    target = parsed_copy_path(path)
    target.write_text(json.dumps(kept, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return target


@lru_cache(maxsize=8)
def _load(path: Path) -> Rubric:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RubricError(str(path), [Problem.of("rubric-unreadable", reason=describe_os_error(exc))]) from exc
    data = _parsed_copy(path, raw)
    if data is None:
        data = _parsed_toml(raw, path)
    return parse_rubric(_inherited(data, path), str(path))


def _parsed_toml(raw: bytes, path: Path) -> dict[str, object]:
    import tomllib  # noqa: PLC0415 - only when no parsed copy serves (an unchanged rollup never loads it)

    try:
        text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as read_text reads it
        return tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise RubricError(str(path), [Problem.of("rubric-not-utf8")]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise RubricError(str(path), [Problem.of("rubric-syntax", reason=toml_problem(exc, text))]) from exc


# What a copy of the bundled standard made before these were data may lack: they are taken from the bundled file of
# the same standard (same `id`), so an office's edited copy keeps working. Another standard must give its own.
INHERITED_TABLES = ("form", "guide")
INHERITED_CAMPAIGN_KEYS = ("name", "year_end")


def _inherited(data: dict[str, object], path: Path) -> dict[str, object]:
    """`data`, with what an older copy of the bundled standard lacks filled in from the bundled file of its `id`."""
    campaign = data.get("campaign")
    lacking = [t for t in INHERITED_TABLES if t not in data] + (
        [k for k in INHERITED_CAMPAIGN_KEYS if k not in campaign] if isinstance(campaign, dict) else []
    )
    if not lacking:
        return data
    try:
        bundled = [p for p in bundled_paths() if p.resolve() != path.resolve()]
    except RubricError:
        return data
    for source in reversed(bundled):  # the newest bundled version of the same standard
        raw = source.read_bytes()
        base = _parsed_copy(source, raw) or _parsed_toml(raw, source)
        if base.get("id") != data.get("id"):
            continue
        merged = dict(data)
        for table in INHERITED_TABLES:
            if table not in merged and table in base:
                merged[table] = base[table]
        base_campaign = base.get("campaign")
        if isinstance(campaign, dict) and isinstance(base_campaign, dict):
            merged["campaign"] = {**{k: base_campaign[k] for k in INHERITED_CAMPAIGN_KEYS if k in base_campaign},
                                  **campaign}  # fmt: skip
        return merged
    return data


# tomllib's messages (Python 3.11–3.13), in Chinese; the English original is added only with --debug.
TOML_MESSAGES: dict[str, str] = {
    "Invalid value": '值的写法不对（文字须加英文双引号，如 "2021.2"；数字、true/false、日期、[数组] 不加）',
    "Invalid statement": "这一行不是“名称 = 值”，也不是 [表名]",
    "Invalid initial character for a key part": "名称以不允许的字符开头（名称用英文字母、数字、_ 或 -，其他须加双引号）",
    "Expected '=' after a key in a key/value pair": "名称后面缺少“=”",
    "Cannot overwrite a value": "同一名称写了两次",
    "Unclosed array": "数组缺少结尾的“]”",
    "Unclosed inline table": "内联表缺少结尾的“}”",
    "Unterminated string": "文字缺少结尾的引号",
    "Expected ']' at the end of a table declaration": "表名缺少结尾的“]”",
    "Expected ']]' at the end of an array declaration": "表数组名缺少结尾的“]]”",
    "Invalid date or datetime": "日期或时间无效",
    "Invalid hex value": "\\u 转义中的十六进制数无效",
    "Unescaped '\\' in a string": "文字中的“\\”须写成“\\\\”（或改用单引号文字）",
    "Escaped character is not a Unicode scalar value": "转义的字符不是有效的 Unicode 字符",
}
_TOML_AT = re.compile(r"^(?P<what>.*?)\s*\(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)$", re.S)


def toml_problem(exc: TOMLDecodeError, text: str) -> str:
    """A TOML syntax error in Chinese, with its line and column (at the end of the file, the last line's end)."""
    original = str(exc)
    found = _TOML_AT.match(original)
    what = found["what"] if found else original
    reason = next((text for english, text in TOML_MESSAGES.items() if what.startswith(english)), "格式不对")
    if found and found["line"]:
        where = f"第 {found['line']} 行第 {found['column']} 列"
    else:
        lines = text.split("\n")
        where = f"文件末尾，第 {len(lines)} 行第 {len(lines[-1]) + 1} 列"
    return with_detail(f"TOML 格式错误（{where}）：{reason}", original)


def load_standards(path: Path | None = None) -> Standards:
    """Every version to score with: the file named (alone), else all bundled versions side by side."""
    named = explicit_path(path)
    if named is not None and named.is_dir():  # a folder of versions of one standard, side by side
        files = sorted(named.glob("*.toml"))
        if not files:
            raise RubricError(str(named), [Problem.of("rubric-folder-empty")])
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
        raise GreencliError("rubric-version-missing", version=version, known=list(standards.known()))
    return chosen
