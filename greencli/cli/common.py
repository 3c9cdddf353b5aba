"""What every command shares: options defined once, the one place a report becomes a table or JSON, and the one
place errors become messages and exit codes. The work itself is greencli.api's."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn, ParamSpec, Protocol, TypeVar

import typer

from greencli import api
from greencli.cli.wording import cli_message, error_message

P = ParamSpec("P")
R = TypeVar("R")


class Report(Protocol):
    """What a command returns: a typed report that knows its JSON form."""

    def to_json(self) -> Mapping[str, object]: ...


ReportT = TypeVar("ReportT", bound=Report)

EXIT_INTERNAL = 70  # a bug in greencli itself (sysexits EX_SOFTWARE); never a verdict on the input


class _State:
    debug = False


STATE = _State()

RubricOption = Annotated[
    Path | None,
    typer.Option(
        "--rubric",
        help="评分标准文件（TOML），或存放同一标准各版本的文件夹；默认使用随程序安装的开发区标准（各版本并存）",
        envvar="GREENCLI_RUBRIC",
        metavar="文件",
    ),
]
RosterOption = Annotated[
    Path | None,
    typer.Option("--roster", help="社区名单（.xlsx 或 .csv，列：社区编码、社区名称、乡街、类型）", envvar="GREENCLI_ROSTER",
                 dir_okay=False, metavar="文件"),
]  # fmt: skip
YearOption = Annotated[int | None, typer.Option("--year", help="评审年度（四位年份）；默认今年", metavar="年份")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="只输出文件路径，每行一个（便于脚本处理）")]
DistrictOption = Annotated[
    str | None,
    typer.Option(
        "--district",
        help="共用的 PostgreSQL 评分记录库中本次处理的县（区）代码；默认 $GREENCLI_DISTRICT，否则为记录库中唯一的县（区）"
        "（SQLite 评分记录库只有一个县（区），无需指定）",
        metavar="代码",
    ),
]
DbOption = Annotated[
    str | None,  # text, not a Path: a postgresql:// address would lose a slash
    typer.Option(
        "--db",
        help="评分记录库：SQLite 文件，或共用的 PostgreSQL 数据库地址（postgresql://用户@服务器/数据库）；"
        "默认 $GREENCLI_DB，否则当前目录的 greencli.db",
        metavar="文件或地址",
    ),
]
BatchYearOption = Annotated[
    int | None,
    typer.Option(
        "--year",
        help="评审年度（四位年份）；默认取本批多数评分表的评审年度，并提示其他年度的评分表",
        metavar="年份",
    ),
]
DistrictOutOption = Annotated[
    str | None,
    typer.Option(
        "--out",
        help="汇总工作簿（.xlsx）的保存位置；默认为当前文件夹的“（评分标准的创建名称）汇总_年度.xlsx”（如 绿色社区汇总_2022.xlsx，"
        "每年一份）；为文件夹（或以 / 结尾）时写入其中的这个文件名，没有扩展名时自动加 .xlsx",
        metavar="文件",
        show_default=False,
    ),
]
JobsOption = Annotated[
    int, typer.Option("--jobs", "-j", help="并行读取的进程数；0 表示自动", min=0, max=64, metavar="数量")
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="判断省级推荐资格的日期（YYYY-MM-DD）；默认为该年 12 月 31 日", metavar="日期"),
]
WaitOption = Annotated[
    float,
    typer.Option(
        "--wait",
        help="另一个程序正在写入评分记录库（或另一汇总任务正在运行）时最多等待的秒数；超时退出码为 3，不做任何改动",
        min=0,
        metavar="秒数",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="以 JSON 格式输出到标准输出（供脚本使用），不显示表格")]


def parse_day(text: str | None) -> date | None:
    """A YYYY-MM-DD option value; an unreadable one is an unusable call (exit 2)."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise api.GreencliError("date-unreadable", text=text) from None


def emit(report: ReportT, as_json: bool, render: Callable[[ReportT], None]) -> None:
    """The report as its table, or with `--json` as its JSON form: the same report, never recomputed."""
    if as_json:
        emit_json(report)
    else:
        render(report)


def emit_json(report: Report) -> None:
    """The report's JSON form on stdout (no terminal machinery is loaded for it)."""
    from greencli.adapters.streams import print_json

    print_json(report.to_json())


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a Chinese message on stderr and return the Exit to raise. A path or value the user typed may hold
    control characters: they are shown escaped, line by line, so the message cannot drive the terminal."""
    from greencli.core.clean import visible  # the terminal's own rule for showing text (rendering)

    print("错误：" + "\n".join(visible(line) for line in message.split("\n")), file=sys.stderr)
    return typer.Exit(code)


def os_error_code(exc: OSError) -> tuple[str, dict[str, object]]:
    """An operating-system error no adapter translated: its code and parameters (naming its file, exc.filename,
    when it names one)."""

    def name(value: object) -> str:
        return api.shown(os.fsdecode(value) if isinstance(value, str | bytes) else str(value))

    reason = api.describe_os_error(exc)
    if exc.filename is None:
        return "file-operation-failed", {"reason": reason}
    target = f"{name(exc.filename)} → {name(exc.filename2)}" if exc.filename2 is not None else name(exc.filename)
    return "file-operation-refused", {"target": target, "reason": reason}


def os_error_message(exc: OSError) -> str:
    """An operating-system error as a Chinese sentence naming its file (exc.filename), when it names one."""
    return cli_message(*os_error_code(exc))


def _stopped(code: str, params: dict[str, object], exit_code: int, as_json: bool) -> typer.Exit:
    """A fatal error: its message on stderr; with --json also `{"error": {"code", "message", "exit_code"}}` on
    stdout (and "problems", each with its code and message, for an error that lists several)."""
    try:
        message = cli_message(code, params)
    except (KeyError, ValueError, IndexError):  # a wording that does not fit its parameters: the library's words
        message = api.render(code, params)
    if as_json:
        from greencli.adapters.streams import print_json

        error: dict[str, object] = {"code": code, "message": message, "exit_code": exit_code}
        listed = [p for v in params.values() if isinstance(v, list) for p in v if isinstance(p, api.Problem)]
        if listed:
            error["problems"] = [{"code": p.code, "message": p.message} for p in listed]
        print_json({"error": error})
    return fail(message, exit_code)


def _trace() -> None:
    """With --debug, the traceback of the failure being handled, on stderr, before its message: the exit code
    stays the one the message carries."""
    if STATE.debug:
        import traceback

        traceback.print_exc(file=sys.stderr)


def as_json(kwargs: dict[str, object]) -> bool:
    """Whether the command was asked for --json (its `as_json` parameter, as typer passes it by name)."""
    return kwargs.get("as_json") is True


def handled(command: Callable[P, R]) -> Callable[P, R]:
    """Translate unrecoverable failures into a message and exit code; with --debug the traceback is added, the
    exit code kept."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM (core.errors.Interrupted), with the job's note
            from greencli.adapters.runtime import remember

            remember(exc)  # reported by main(): typer turns it into a bare exit status 130 on its way out
            raise
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as exc:
            from greencli.adapters.runtime import interruption_behind

            interrupted = interruption_behind(exc)
            if interrupted is not None:  # a failure the signal itself caused: it is the interruption, said once
                from greencli.adapters.runtime import remember

                remember(interrupted)
                raise interrupted from None
            return _translated(exc, kwargs)

    return run


def _translated(exc: Exception, kwargs: dict[str, object]) -> NoReturn:
    """A failure as its message and exit code (called while it is being handled, so --debug's traceback is its)."""
    _trace()
    if isinstance(exc, api.GreencliError):
        raise _stopped(exc.code, exc.params, exc.exit_code, as_json(kwargs)) from None
    if isinstance(exc, OSError):  # a file the system refused that no adapter translated: still the user's to fix
        raise _stopped(*os_error_code(exc), 2, as_json(kwargs)) from None
    error = f"{type(exc).__name__}: {exc}"
    raise _stopped("internal-error", {"error": error}, EXIT_INTERNAL, as_json(kwargs)) from None


def said(exc: BaseException) -> str:
    """A failure's first line as the command line words it (a log names the same flags as the screen)."""
    if isinstance(exc, api.GreencliError):
        return error_message(exc)
    return (str(exc).splitlines() or [type(exc).__name__])[0]
