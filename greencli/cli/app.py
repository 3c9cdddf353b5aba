"""The `greencli` command line."""

from __future__ import annotations

from typing import Annotated

import typer

from greencli import __version__
from greencli.cli.common import STATE, JsonOption, RubricOption, handled
from greencli.cli.i18n import ChineseCommand, ChineseGroup

app = typer.Typer(
    cls=ChineseGroup,
    help="绿色社区评审工具：生成评分表、批量评分汇总、统计年度创建进度。",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"greencli {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    debug: Annotated[bool, typer.Option("--debug", help="出错时显示完整的 Python 错误堆栈（供维护人员排查）")] = False,
    version: Annotated[
        bool, typer.Option("--version", help="显示版本号并退出", callback=_version, is_eager=True)
    ] = False,
) -> None:
    """绿色社区评审工具：生成评分表、批量评分汇总、统计年度创建进度。"""
    STATE.debug = debug


@app.command("standard", cls=ChineseCommand)
@handled
def standard(rubric: RubricOption = None, as_json: JsonOption = False) -> None:
    """显示（并检查）评分标准：各类别、评分项、评分行、否决项和年度目标。"""
    from greencli.adapters.rubric_file import load_rubric
    from greencli.adapters.terminal import print_json, render_rubric
    from greencli.core.rubric import describe

    document = describe(load_rubric(rubric))
    if as_json:
        print_json(document)
    else:
        render_rubric(document)


def main() -> None:
    """Console-script entry point."""
    app()
