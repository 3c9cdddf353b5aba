"""Simplified Chinese for everything Typer and its vendored click would print: help, usage and usage errors.

Help is rendered here rather than by Typer's rich panels, which cut Chinese text that has no spaces to break at
("默认今…"). The layout is plain text wrapped by display width, so it reads the same at 60, 80 or 160 columns, in a
pipe, and on a GBK console. Usage errors are rebuilt from the exception's structured fields (the option, its
suggestions, the pydantic error type behind a bad value), never by matching English prose alone.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
from difflib import get_close_matches
from typing import IO, Any

from typer._click import Context, Parameter
from typer._click.exceptions import (
    BadParameter,
    ClickException,
    MissingParameter,
    NoArgsIsHelpError,
    NoSuchOption,
    UsageError,
)
from typer._click.formatting import HelpFormatter
from typer.core import TyperArgument, TyperCommand, TyperGroup

from greencli.cli.coercion import install as install_conversions
from greencli.core.text import display_width, wrap

HELP_TEXT = "显示本帮助并退出。"
OPTIONS_METAVAR = "[选项]"
MIN_WIDTH, MAX_WIDTH = 40, 100  # help lines longer than this are hard to read, even on a wide terminal

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Option '(.+)' requires an argument\.$"), "选项 {0} 需要一个值"),
    (re.compile(r"^Option '(.+)' requires (\d+) arguments\.$"), "选项 {0} 需要 {1} 个值"),
    (re.compile(r"^Option '(.+)' does not take a value\.$"), "选项 {0} 不接受值"),
    (re.compile(r"^Got unexpected extra arguments? \((.+)\)$"), "多余的参数：{0}"),
    (re.compile(r"^Missing command\.$"), "缺少命令"),
    (re.compile(r"^(?i:file|directory|dir|path) '?(.+?)'? does not exist\.$"), "{0} 不存在"),
    (re.compile(r"^(?i:file|directory|dir|path) '?(.+?)'? is a file\.$"), "{0} 是文件，不是文件夹"),
    (re.compile(r"^(?i:file|directory|dir|path) '?(.+?)'? is a directory\.$"), "{0} 是文件夹，不是文件"),
    (re.compile(r"^(?i:file|directory|dir|path) '?(.+?)'? is not readable\.$"), "{0} 无法读取"),
    (re.compile(r"^(?i:file|directory|dir|path) '?(.+?)'? is not writable\.$"), "{0} 无法写入"),
    (re.compile(r"^'?(.+?)'? is not a valid (?:integer|int)\.?$"), "“{0}”不是整数"),
    (re.compile(r"^'?(.+?)'? is not a valid float\.?$"), "“{0}”不是数字"),
    (re.compile(r"^'?(.+?)'? is not one of (.+)\.$"), "“{0}”不是可选值之一：{1}"),
]

# pydantic error types (what Typer 0.29 validates option values with) → Chinese, with the error's own context.
_PYDANTIC: dict[str, str] = {
    "greater_than_equal": "应不小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "应不大于 {le}",
    "less_than": "应小于 {lt}",
    "int_parsing": "不是整数",
    "int_from_float": "不是整数",
    "int_type": "不是整数",
    "float_parsing": "不是数字",
    "float_type": "不是数字",
    "bool_parsing": "不是“是/否”值",
    "date_from_datetime_parsing": "不是日期（应为 YYYY-MM-DD）",
    "date_parsing": "不是日期（应为 YYYY-MM-DD）",
    "literal_error": "不是可选值之一",
    "enum": "不是可选值之一",
}


def translate(message: str) -> str:
    """A Chinese rendering of one of click's fixed English messages; anything else is returned unchanged."""
    for pattern, text in _PATTERNS:
        match = pattern.match(message.strip())
        if match:
            return text.format(*match.groups())
    return message


def _name_of(param: Parameter | None, hint: str | None = None) -> str:
    if param is None:
        return hint or "参数"
    if isinstance(param, TyperArgument) or param.param_type_name == "argument":
        return str(param.metavar or param.name or "参数").rstrip(".")
    opts = sorted(param.opts, key=len, reverse=True)
    return opts[0] if opts else str(param.name)


def _bad_value(exc: BadParameter) -> str:
    """Why a value was refused, in Chinese, from the pydantic error behind it when there is one."""
    cause = exc.__cause__
    errors = getattr(cause, "errors", None)
    if callable(errors):
        try:
            first = errors()[0]
        except Exception:  # a foreign error object: fall back to its text
            first = None
        if isinstance(first, dict) and first.get("type") in _PYDANTIC:
            context = {k: _plain(v) for k, v in (first.get("ctx") or {}).items()}
            reason = _PYDANTIC[str(first["type"])].format_map(_Default(context))
            value = first.get("input")
            return f"“{value}”{reason}" if value is not None and not isinstance(value, list | dict) else reason
    return translate(exc.message)


def _plain(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


class _Default(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "？"


def chinese_message(exc: UsageError) -> str:
    """The whole usage error as one Chinese sentence."""
    if isinstance(exc, MissingParameter):
        param = exc.param
        if param is not None and param.param_type_name == "option":
            return f"缺少必填选项：{_name_of(param)}"
        return f"缺少参数：{_name_of(param, str(exc.param_hint or ''))}"
    if isinstance(exc, NoSuchOption):
        text = f"没有这个选项：{exc.option_name}"
        if exc.possibilities:
            text += f"（是否想输入 {'、'.join(sorted(exc.possibilities))}？）"
        return text
    if isinstance(exc, BadParameter):
        return f"{_name_of(exc.param, str(exc.param_hint or ''))} 的值无效：{_bad_value(exc)}"
    match = re.match(r"^No such command '?(.+?)'?\.(?: Did you mean (.+)\?)?$", exc.message)
    if match:
        text = f"没有这个命令：{match.group(1)}"
        if match.group(2):
            text += f"（是否想输入 {match.group(2).replace(chr(39), '').replace(', ', '、')}？）"
        return text
    return translate(exc.message)


class ChineseUsageError(UsageError):
    """A usage error that shows itself in Chinese: usage line, the error, where to find help."""

    def __init__(self, message: str, ctx: Context | None) -> None:
        super().__init__(message, ctx)

    def format_message(self) -> str:
        return self.message

    def show(self, file: IO[Any] | None = None) -> None:
        stream = file if file is not None else sys.stderr
        if self.ctx is not None:
            stream.write(self.ctx.get_usage() + "\n")
        stream.write(f"错误：{self.message}\n")
        if self.ctx is not None:
            stream.write(f"运行“{self.ctx.command_path} -h”查看帮助。\n")
        stream.flush()


def localised(exc: ClickException) -> ClickException:
    """The Chinese form of a click exception (help shown for a missing command stays help)."""
    if isinstance(exc, ChineseUsageError | NoArgsIsHelpError) or not isinstance(exc, UsageError):
        return exc
    return ChineseUsageError(chinese_message(exc), exc.ctx)


# ── help ──


def terminal_width() -> int:
    """The width help is wrapped to: the terminal's (or $COLUMNS), kept between readable bounds."""
    columns = shutil.get_terminal_size(fallback=(80, 24)).columns
    if "COLUMNS" in os.environ:
        with contextlib.suppress(ValueError):
            columns = int(os.environ["COLUMNS"])
    return max(MIN_WIDTH, min(MAX_WIDTH, columns - 1))


def _param_label(param: Parameter) -> str:
    if param.param_type_name == "argument":
        return _name_of(param)
    names = sorted(param.opts + param.secondary_opts, key=lambda s: (s.startswith("--"), s))
    label = ", ".join(names)
    if not getattr(param, "is_flag", False) and param.metavar:
        label += f" {param.metavar}"
    return label


def _param_notes(param: Parameter, ctx: Context) -> list[str]:
    notes = []
    default = param.default
    shown = getattr(param, "show_default", True)
    if (
        param.param_type_name == "option"
        and not getattr(param, "is_flag", False)
        and shown is not False
        and default is not None
        and not callable(default)
        and str(default) != ""
    ):
        notes.append(f"[默认：{default}]")
    envvar = getattr(param, "envvar", None)
    if envvar:
        notes.append(f"[环境变量：{envvar if isinstance(envvar, str) else '、'.join(envvar)}]")
    if param.required:
        notes.append("[必填]")
    return notes


def _body(text: str, notes: list[str], width: int) -> list[str]:
    """The help text wrapped, its notes ([默认：…]) after it on the last line if they fit whole, else below."""
    body = wrap(text, width) if text else []
    tail = " ".join(notes)
    if not tail:
        return body or [""]
    if body and display_width(body[-1]) + 1 + display_width(tail) <= width:
        body[-1] += " " + tail
        return body
    return body + wrap(tail, width)


def _table(rows: list[tuple[str, str, list[str]]], width: int) -> list[str]:
    """Two columns: names on the left; text wrapped on the right, or below the name when names are long."""
    if not rows:
        return []
    left = min(max(display_width(name) for name, _, _ in rows), max(12, width // 3))
    column = 2 + left + 2
    lines = []
    for name, text, notes in rows:
        body = _body(text, notes, max(20, width - column))
        if display_width(name) > left:
            lines.append(f"  {name}")
            lines.extend(" " * column + part for part in body)
        else:
            lines.append(f"  {name}" + " " * (left - display_width(name) + 2) + body[0])
            lines.extend(" " * column + part for part in body[1:])
    return lines


def render_help(command: TyperCommand | TyperGroup, ctx: Context, width: int | None = None) -> str:
    """The whole --help text of a command or of the group."""
    width = width or terminal_width()
    out = [_usage(command, ctx), ""]
    if command.help:
        for paragraph in command.help.split("\n\n"):
            out.extend(wrap(" ".join(line.strip() for line in paragraph.splitlines()), width))
            out.append("")
    params = command.get_params(ctx)
    arguments = [(_param_label(p), getattr(p, "help", "") or "", _param_notes(p, ctx))
                 for p in params if p.param_type_name == "argument"]  # fmt: skip
    options = [(_param_label(p), getattr(p, "help", "") or "", _param_notes(p, ctx))
               for p in params if p.param_type_name == "option" and not getattr(p, "hidden", False)]  # fmt: skip
    if arguments:
        out += ["参数：", *_table(arguments, width), ""]
    if options:
        out += ["选项：", *_table(options, width), ""]
    if isinstance(command, TyperGroup):
        rows: list[tuple[str, str, list[str]]] = []
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                rows.append((name, (sub.help or "").split("\n")[0].split("。")[0] + "。", []))
        out += ["命令：", *_table(rows, width), "", f"运行“{ctx.command_path} 命令 -h”查看某个命令的帮助。", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _usage(command: TyperCommand | TyperGroup, ctx: Context) -> str:
    pieces = [OPTIONS_METAVAR]
    for param in command.get_params(ctx):
        if param.param_type_name == "argument":
            pieces.append(_name_of(param) + ("..." if param.nargs != 1 else ""))
    if isinstance(command, TyperGroup):
        pieces.append("命令 ...")
    return f"用法：{ctx.command_path} {' '.join(pieces)}"


class _Chinese:
    """Mixin: Chinese usage line, help and usage errors."""

    def format_usage(self, ctx: Context, formatter: HelpFormatter) -> None:
        formatter.write(_usage(self, ctx) + "\n")  # type: ignore[arg-type]

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        formatter.write(render_help(self, ctx))  # type: ignore[arg-type]

    def get_help_option(self, ctx: Context) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_TEXT
            install_conversions([option])
        return option

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        install_conversions(self.params)  # type: ignore[attr-defined]
        try:
            return super().make_context(*args, **kwargs)  # type: ignore[misc]
        except ClickException as exc:
            raise localised(exc) from exc


class ChineseGroup(_Chinese, TyperGroup):
    def resolve_command(self, ctx: Context, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except UsageError as exc:
            if args and not exc.message.rstrip("?").endswith("?") and "Did you mean" not in exc.message:
                matches = get_close_matches(args[0], list(self.commands))
                if matches:
                    exc.message = exc.message.rstrip(".") + f". Did you mean {', '.join(matches)}?"
            raise localised(exc) from exc


class ChineseCommand(_Chinese, TyperCommand):
    pass
