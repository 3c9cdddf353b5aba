"""The `greencli` command line: each command parses its options, calls one function of greencli.api and renders
the report it returns (or prints its JSON form).

No `from __future__ import annotations` here: typer reads every command's signature on every run, and string
annotations would be evaluated twice per parameter each time (about 10 ms of each run's start-up).
"""

import contextlib
import itertools
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from greencli import api
from greencli.cli.common import (
    STATE,
    AsOfOption,
    BatchYearOption,
    DbOption,
    DistrictOption,
    DistrictOutOption,
    JobsOption,
    JsonOption,
    QuietOption,
    RosterOption,
    RubricOption,
    WaitOption,
    YearOption,
    emit,
    emit_json,
    handled,
    parse_day,
    said,
)
from greencli.cli.i18n import ChineseCommand, ChineseGroup

if TYPE_CHECKING:
    from greencli.adapters.terminal import Progress

app = typer.Typer(
    cls=ChineseGroup,
    help="绿色社区评审工具：生成评分表、批量评分汇总、统计年度创建进度。",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help and usage errors are rendered by greencli.cli.i18n, in Chinese
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"greencli {api.__version__}")
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
    if debug:  # worker processes read it from the environment they inherit
        os.environ[api.DEBUG_ENV] = "1"
    else:
        os.environ.pop(api.DEBUG_ENV, None)


@app.command("standard", cls=ChineseCommand)
@handled
def standard(
    rubric: RubricOption = None,
    as_json: JsonOption = False,
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            help="把整套评分标准写成可打印的 Word 手册（A4，.docx），每位评审人员打印一份即可；没有扩展名时自动加 .docx",
            metavar="文件",
        ),
    ] = None,
    rubric_version: Annotated[
        str | None, typer.Option("--rubric-version", help="哪个版本的评分标准（默认最新版本）", metavar="版本")
    ] = None,
) -> None:
    """显示（并检查）评分标准：各类别、评分项、评分行、否决项和年度目标；加 --out 时写成可打印的手册。"""
    from greencli.adapters.streams import print_json

    if out is not None:
        from greencli.adapters.terminal import render_booklet

        emit(api.standard_booklet(out, rubric=rubric, version=rubric_version), as_json, render_booklet)
        return
    from greencli.adapters.terminal import render_rubric

    loaded = api.standard(rubric, rubric_version)
    if as_json:
        print_json(api.describe(loaded))
    else:
        render_rubric(loaded)


FORMS = Path("评分表")  # template's default output folder


@app.command("template", cls=ChineseCommand)
@handled
def template(
    roster: RosterOption = None,
    year: YearOption = None,
    out: Annotated[Path, typer.Option("--out", help="输出文件夹；按乡街分子文件夹存放", metavar="文件夹")] = FORMS,
    force: Annotated[bool, typer.Option("--force", help="覆盖已存在的评分表文件")] = False,
    quiet: QuietOption = False,
    as_json: JsonOption = False,
    rubric: RubricOption = None,
    rubric_version: Annotated[
        str | None,
        typer.Option("--rubric-version", help="按哪个版本的评分标准生成（默认最新版本）", metavar="版本"),
    ] = None,
) -> None:
    """生成可打印、带填写校验的评分表：有名单时每个城市社区一份，否则生成一份空白表。"""
    from greencli.adapters.terminal import render_templates

    report = api.template(out=out, roster=roster, year=year, force=force, rubric=rubric,
                          rubric_version=rubric_version)  # fmt: skip
    emit(report, as_json, lambda made: render_templates(made, quiet))


def _progress_bar(as_json: bool) -> "type[Progress] | None":
    """rich's progress bar on a person's terminal; none with --json (a script reads it, and rich is never loaded)."""
    if as_json:
        return None
    from greencli.adapters.terminal import Progress

    return Progress


@app.command("score", cls=ChineseCommand)
@handled
def score(
    files: Annotated[
        list[str], typer.Argument(help="评分表文件、文件夹或通配符（如 'inspections/*.xlsx'）", metavar="文件...")
    ],
    roster: RosterOption = None,
    db: DbOption = None,
    district: DistrictOption = None,
    out: DistrictOutOption = None,
    year: BatchYearOption = None,
    as_json: JsonOption = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查和计算，不写评分记录库和汇总工作簿")] = False,
    jobs: JobsOption = 0,
    rubric: RubricOption = None,
    wait: WaitOption = api.LEDGER_WAIT_SECONDS,
) -> None:
    """检查并计算一批评分表：显示结果表，写入评分记录库，生成全区汇总工作簿。有无效评分表时退出码为 1，
    评分记录库被其他程序占用超过 --wait 秒时退出码为 3（未做任何改动）。"""
    api.start_readers_early(files, jobs)  # first: the readers load while the command's own modules do
    report = api.score(files, roster=roster, db=db, district=district, out=out, year=year, dry_run=dry_run, jobs=jobs, rubric=rubric,
                       wait=wait, progress=_progress_bar(as_json))  # fmt: skip
    if as_json:
        emit_json(report)
    else:
        from greencli.adapters.terminal import render_score

        render_score(report)
    raise typer.Exit(report.exit_code)


@app.command("progress", cls=ChineseCommand)
@handled
def progress_command(
    year: Annotated[int, typer.Option("--year", help="统计哪一年年末的进度（四位年份）", metavar="年份")],
    roster: RosterOption = None,
    db: DbOption = None,
    district: DistrictOption = None,
    as_json: JsonOption = False,
    check: Annotated[bool, typer.Option("--check", help="未达到当年目标时退出码为 1（供定时任务报警）")] = False,
    as_of: AsOfOption = None,
    out: Annotated[
        str | None,
        typer.Option(
            "--out",
            help="同时写出进度工作簿；若为已有的汇总工作簿，则加入“年度进度”等工作表；为文件夹时写入其中该年度的"
            "汇总工作簿（如 绿色社区汇总_2022.xlsx）",
            metavar="文件",
        ),
    ] = None,
    rubric: RubricOption = None,
    city: Annotated[
        bool,
        typer.Option(
            "--city",
            help="全市视图：共用的 PostgreSQL 评分记录库中各县（区）并列（各按自己存入的名单统计），以及全市合计",
        ),
    ] = False,
) -> None:
    """各社区、各乡街在该年末的创建状态与年度目标对比：达标率、还差几个、逾期复审、撤销和冲刺名单。"""
    if city:
        from greencli.adapters.terminal import render_city

        given = [name for name, value in (("--roster", roster), ("--out", out), ("--check", check),
                                          ("--district", district)) if value]  # fmt: skip
        if given:  # the city's view takes each district's own stored roster, and writes nothing
            raise api.GreencliError("city-options", options="、".join(given))
        emit(api.city_progress(year, db=db, as_of=parse_day(as_of), rubric=rubric), as_json, render_city)
        return
    from greencli.adapters.terminal import render_progress

    report = api.progress(year, roster=roster, db=db, district=district, out=out, as_of=parse_day(as_of), rubric=rubric)
    emit(report, as_json, render_progress)
    if check and report.missed:
        raise typer.Exit(1)


@app.command("notice", cls=ChineseCommand)
@handled
def notice(
    year: Annotated[int, typer.Option("--year", help="哪一年度的名单或通报（四位年份）", metavar="年份")],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="文书种类：上报名单、认定名单、复审通过名单、撤销名单、逾期未复审名单、省级推荐名单、应复审名单、通报",
            metavar="种类",
        ),
    ],
    out: Annotated[
        str, typer.Option("--out", help="Word 文档（.docx）的保存位置；没有扩展名时自动加 .docx", metavar="文件")
    ],
    as_of: AsOfOption = None,
    roster: RosterOption = None,
    db: DbOption = None,
    district: DistrictOption = None,
    as_json: JsonOption = False,
    rubric: RubricOption = None,
) -> None:
    """生成办公室发出的文书（Word .docx，可在 Word/WPS 中编辑）：年度各类名单，或按公文格式（GB/T 9704）起草的通报。"""
    from greencli.adapters.terminal import render_notice

    report = api.notice(year, kind, out, as_of=parse_day(as_of), roster=roster, db=db, district=district, rubric=rubric)
    emit(report, as_json, render_notice)


@app.command("confer", cls=ChineseCommand)
@handled
def confer(
    codes: Annotated[list[str], typer.Argument(help="市里命名的社区编码（可列多个）", metavar="社区编码...")],
    year: Annotated[int, typer.Option("--year", help="命名的是哪一年度达标的称号", metavar="年份")],
    day: Annotated[str, typer.Option("--date", help="市里命名的日期（YYYY-MM-DD），此后即为称号日期", metavar="日期")],
    doc: Annotated[str, typer.Option("--doc", help="市里命名文件的文号", metavar="文号")],
    db: DbOption = None,
    district: DistrictOption = None,
    as_json: JsonOption = False,
    rubric: RubricOption = None,
) -> None:
    """记录市级命名：区里评审达标后由市里命名，命名日期成为称号日期（省级推荐的满一年从此日算起）。"""
    from greencli.adapters.terminal import render_confer

    named_on = parse_day(day)
    assert named_on is not None
    emit(api.confer(codes, year, named_on, doc, db=db, district=district, rubric=rubric), as_json, render_confer)


@app.command("history", cls=ChineseCommand)
@handled
def history(
    code: Annotated[str, typer.Argument(help="社区编码（不区分大小写）", metavar="社区编码")],
    db: DbOption = None,
    district: DistrictOption = None,
    as_json: JsonOption = False,
    rubric: RubricOption = None,
) -> None:
    """一个社区历年的全部评审记录（含已被取代的），附文件、SHA-256 和标准版本，便于追溯。"""
    from greencli.adapters.terminal import render_history

    emit(api.history(code, db=db, district=district, rubric=rubric), as_json, render_history)


@app.command("evidence", cls=ChineseCommand)
@handled
def evidence(
    year: Annotated[int, typer.Option("--year", help="哪一年度的台账（四位年份）", metavar="年份")],
    codes: Annotated[
        list[str] | None,
        typer.Argument(help="只列这些社区（社区编码，可列多个；不写则列出全部）", metavar="[社区编码...]"),
    ] = None,
    out: Annotated[
        str | None,
        typer.Option(
            "--out", help="把台账目录写成 Word 文档（.docx），可打印归档；没有扩展名时自动加 .docx", metavar="文件"
        ),
    ] = None,
    roster: RosterOption = None,
    db: DbOption = None,
    district: DistrictOption = None,
    as_json: JsonOption = False,
    rubric: RubricOption = None,
) -> None:
    """佐证材料台账目录：各社区本年度当前评审登记的佐证材料（按评分项列出文件、大小、日期和 SHA-256），以及考评方式要求查阅资料却没有材料的项目。"""
    from greencli.adapters.terminal import render_evidence

    report = api.evidence(year, codes or (), out=out, roster=roster, db=db, district=district, rubric=rubric)
    emit(report, as_json, render_evidence)


@app.command("rescore", cls=ChineseCommand)
@handled
def rescore_command(
    year: Annotated[int, typer.Option("--year", help="重新评分哪一年度", metavar="年份")],
    version: Annotated[str, typer.Option("--version", help="按哪个版本的评分标准重新评分", metavar="版本")],
    apply: Annotated[bool, typer.Option("--apply", help="记录新的评分（取代原记录，历史保留）；不加时只预览")] = False,
    db: DbOption = None,
    district: DistrictOption = None,
    as_json: JsonOption = False,
    rubric: RubricOption = None,
) -> None:
    """按另一版本的评分标准，对某年度已记录的录入值重新评分：预览每个社区前后的结论和总分；缺少的录入项如实列出，不作推测。"""
    from greencli.adapters.terminal import render_rescore

    emit(api.rescore(year, version, apply=apply, db=db, district=district, rubric=rubric), as_json, render_rescore)


@app.command("void", cls=ChineseCommand)
@handled
def void(
    record: Annotated[str, typer.Argument(help="要作废的记录号（history 中的 #编号）", metavar="记录号")],
    reason: Annotated[str, typer.Option("--reason", help="作废原因（必填，记入历史）", metavar="原因")],
    db: DbOption = None,
    district: DistrictOption = None,
    as_json: JsonOption = False,
    rubric: RubricOption = None,
) -> None:
    """作废一条录错的评审记录：保留在历史中并注明原因和日期，该社区该年度的下一条有效记录成为当前记录。"""
    from greencli.adapters.terminal import render_void

    emit(api.void(record, reason, db=db, district=district, rubric=rubric), as_json, render_void)


@app.command("rollup", cls=ChineseCommand)
@handled
def rollup(
    inbox: Annotated[
        Path,
        typer.Option(
            "--inbox", help="收件箱文件夹：其中（含子文件夹）的评分表都会被评分", file_okay=False, metavar="文件夹"
        ),
    ],
    year: Annotated[
        int | None,
        typer.Option("--year", help="评审年度（四位年份）；默认取收件箱中最新的评审年度", metavar="年份"),
    ] = None,
    roster: RosterOption = None,
    db: DbOption = None,
    district: DistrictOption = None,
    out: DistrictOutOption = None,
    log: Annotated[
        Path | None,
        typer.Option(
            "--log",
            help="日志文件（追加写入）；给出后结果摘要也只写入日志，标准输出保持安静；默认日志输出到标准错误",
            dir_okay=False,
            metavar="文件",
        ),
    ] = None,
    as_json: JsonOption = False,
    wait: WaitOption = 0.0,
    jobs: JobsOption = 0,
    rubric: RubricOption = None,
) -> None:
    """定时任务用：只评分收件箱中新增或修改过的评分表，再根据评分记录库重写汇总工作簿（及年度进度）。
    退出码：0 全部有效；1 有无效评分表；2 无法执行或无法写入；3 另一任务正在运行。"""
    report = api.rollup(inbox, year=year, roster=roster, db=db, district=district, out=out, log=log, wait=wait, jobs=jobs,
                        rubric=rubric, describe=said)  # fmt: skip
    if as_json:
        emit_json(report)
    elif log is None:  # with --log, cron's mail stays empty: the summary is in the log
        from greencli.adapters.terminal import render_rollup  # rich: loaded only for a person reading the summary

        render_rollup(report)
    raise typer.Exit(report.exit_code)


@app.command("export", cls=ChineseCommand)
@handled
def export(
    year: Annotated[int, typer.Option("--year", help="导出哪一年度（四位年份）", metavar="年份")],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="保存位置：以 .xlsx 结尾时写成一个工作簿（每张表一个工作表），否则写入该文件夹（每张表一个 CSV 文件，"
            "UTF-8 带 BOM，Excel 和 WPS 可直接打开）；其他扩展名（如 .csv、.xls）不接受",
            metavar="文件或文件夹",
        ),
    ],
    roster: RosterOption = None,
    db: DbOption = None,
    district: DistrictOption = None,
    as_json: JsonOption = False,
    rubric: RubricOption = None,
) -> None:
    """导出某年度的数据表（评审记录、分项得分，有名单时还有年度状态），供 Excel/WPS 或数据分析使用。"""
    from greencli.adapters.terminal import render_export

    emit(api.export(year, out, roster=roster, db=db, district=district, rubric=rubric), as_json, render_export)


def _group(name: str, text: str) -> typer.Typer:
    """A group of sub-commands (greencli roster show, greencli ledger copy), helped in Chinese as the rest."""
    group = typer.Typer(cls=ChineseGroup, help=text, no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(group, name=name)
    return group


roster_app = _group(
    "roster",
    "评分记录库中按年度存入的社区名单：命令用 --roster 指定名单时，存为该年度的名单；以后同一年度的命令无需再指定。",
)


@roster_app.command("show", cls=ChineseCommand)
@handled
def roster_show(
    year: Annotated[
        int | None,
        typer.Option(
            "--year", help="显示该年度所用的名单（该年度没有时为之前最近一年的）；不指定时列出各年度", metavar="年份"
        ),
    ] = None,
    db: DbOption = None,
    district: DistrictOption = None,
    as_json: JsonOption = False,
    rubric: RubricOption = None,
) -> None:
    """显示评分记录库中存入的社区名单。"""
    from greencli.adapters.terminal import render_roster

    emit(api.roster_show(year, db=db, district=district, rubric=rubric), as_json, render_roster)


ledger_app = _group("ledger", "评分记录库的维护：把本机的 SQLite 评分记录库复制进共用的 PostgreSQL 评分记录库。")


@ledger_app.command("copy", cls=ChineseCommand)
@handled
def ledger_copy(
    source: Annotated[
        str, typer.Option("--from", help="要复制的本机 SQLite 评分记录库文件（如 greencli.db）", metavar="文件")
    ],
    target: Annotated[
        str,
        typer.Option(
            "--to", help="共用的 PostgreSQL 评分记录库地址（postgresql://用户@服务器/数据库）", metavar="地址"
        ),
    ],
    district: DistrictOption = None,
    as_json: JsonOption = False,
    wait: WaitOption = api.LEDGER_WAIT_SECONDS,
    rubric: RubricOption = None,
) -> None:
    """把本机的 SQLite 评分记录库复制进共用的 PostgreSQL 评分记录库，作为一个县（区）的数据；再次运行不会重复添加。"""
    from greencli.adapters.terminal import render_copy

    emit(api.ledger_copy(source, target, district=district, wait=wait, rubric=rubric), as_json, render_copy)


# The root's own options that may come before a command's name (--version and --help end the run there).
_ROOT_FLAGS = frozenset({"--debug"})


@contextlib.contextmanager
def _only_the_command_run(argv: Sequence[str]) -> Iterator[None]:
    """typer makes every command's click form on every run (each signature read, each option built: about 6 ms
    for 14 commands); a run needs only the one it names. With the name of a command or group given, only that one
    is registered for this run; anything else (no name, a misspelt one, help of the whole) sees them all, so the
    listing and the suggestions of a wrong name are as ever."""
    words = list(itertools.dropwhile(lambda arg: arg in _ROOT_FLAGS, argv))
    name = words[0] if words else ""
    commands = [c for c in app.registered_commands if c.name == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if not commands and not groups:
        yield
        return
    every = app.registered_commands, app.registered_groups
    app.registered_commands, app.registered_groups = commands, groups
    try:
        yield
    finally:
        app.registered_commands, app.registered_groups = every


def main() -> None:
    """Console-script entry point: guarded output streams, 141 when the reader of stdout went away, the run's own
    temporary folder, and Ctrl-C or SIGTERM ending the run at once with one line (130 or 143)."""
    from greencli.adapters import runtime
    from greencli.adapters.streams import EXIT_PIPE, install, stdout_closed

    install()
    try:
        runtime.begin()
        try:
            with _only_the_command_run(sys.argv[1:]):
                app()
            code: int | str | None = 0
        except SystemExit as exc:
            code = exc.code
        interrupted = runtime.interruption()  # typer has turned it into a bare 130: say what happened
        if interrupted is not None:
            raise interrupted
        runtime.finishing()
        if stdout_closed():
            code = EXIT_PIPE
    except KeyboardInterrupt as exc:  # core.errors.Interrupted for SIGTERM
        runtime.stop(runtime.interruption() or exc, debug=STATE.debug)
    sys.exit(code)
