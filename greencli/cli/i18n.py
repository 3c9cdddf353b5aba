"""Simplified Chinese for the parts of --help and of usage errors that Typer and its vendored click print."""

from __future__ import annotations

import re
from typing import Any

from typer import rich_utils
from typer._click.exceptions import BadParameter, UsageError
from typer._click.formatting import HelpFormatter
from typer.core import TyperCommand, TyperGroup

HELP_TEXT = "显示本帮助并退出。"

rich_utils.ARGUMENTS_PANEL_TITLE = "参数"
rich_utils.OPTIONS_PANEL_TITLE = "选项"
rich_utils.COMMANDS_PANEL_TITLE = "命令"
rich_utils.ERRORS_PANEL_TITLE = "错误"
rich_utils.DEFAULT_STRING = "[默认：{}]"
rich_utils.ENVVAR_STRING = "[环境变量：{}]"
rich_utils.REQUIRED_LONG_STRING = "[必填]"
rich_utils.ABORTED_TEXT = "已中止。"
rich_utils.RICH_HELP = "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。"

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^No such option: (.+?)(?: Did you mean (.+)\?)?$"), "没有这个选项：{0}"),
    (re.compile(r"^No such command '?(.+?)'?\.$"), "没有这个命令：{0}"),
    (re.compile(r"^Missing argument '(.+)'\.$"), "缺少参数：{0}"),
    (re.compile(r"^Missing option '(.+)'\.$"), "缺少必填选项：{0}"),
    (re.compile(r"^Missing command\.$"), "缺少命令"),
    (re.compile(r"^Option '(.+)' requires an argument\.$"), "选项 {0} 需要一个值"),
    (re.compile(r"^Option '(.+)' does not take a value\.$"), "选项 {0} 不接受值"),
    (re.compile(r"^Got unexpected extra arguments? \((.+)\)$"), "多余的参数：{0}"),
    (re.compile(r"^(?i:file|directory|dir|path) (.+) does not exist\.$"), "{0} 不存在"),
    (re.compile(r"^(?i:file|directory|dir|path) (.+) is a file\.$"), "{0} 是文件，不是文件夹"),
    (re.compile(r"^(?i:file|directory|dir|path) (.+) is a directory\.$"), "{0} 是文件夹，不是文件"),
    (re.compile(r"^(?i:file|directory|dir|path) (.+) is not readable\.$"), "{0} 无法读取"),
    (re.compile(r"^(?i:file|directory|dir|path) (.+) is not writable\.$"), "{0} 无法写入"),
]
_VALUE = re.compile(r"^'?(.+?)'? is not a valid (integer|float|path|int)\.?$")


def translate(message: str) -> str:
    """A Chinese rendering of a click usage message (unknown messages pass through unchanged)."""
    for pattern, text in _PATTERNS:
        match = pattern.match(message)
        if match:
            out = text.format(*match.groups())
            if match.lastindex == 2 and match.group(2):
                out += f"（是否想输入 {match.group(2)}？）"
            return out
    match = _VALUE.match(message.replace("Value ", ""))
    if match:
        return f"“{match.group(1)}”不是有效的{'整数' if match.group(2) in ('integer', 'int') else '值'}"
    return message


def _localised_usage_error(exc: UsageError) -> UsageError:
    if isinstance(exc, BadParameter):
        hint = exc.param.get_error_hint() if exc.param is not None else ""
        where = f"{hint} 的" if hint else ""
        return UsageError(f"{where}值无效：{translate(exc.message)}", exc.ctx)
    exc.message = translate(exc.message)
    return exc


class _Chinese:
    """Mixin: Chinese usage prefix, --help text and usage errors."""

    def format_usage(self, ctx: Any, formatter: HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix="用法：")

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_TEXT
        return option

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)  # type: ignore[misc]
        except UsageError as exc:
            raise _localised_usage_error(exc) from exc


class ChineseGroup(_Chinese, TyperGroup):
    pass


class ChineseCommand(_Chinese, TyperCommand):
    pass
