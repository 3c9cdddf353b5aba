"""How the command line words the codes whose library wording cannot name a flag or a command: the same
parameters, today's command-line sentence. Every other code reads as the registry (core.issues) words it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from greencli import api

if TYPE_CHECKING:
    from greencli.api import GreencliError

REGISTRY = api.REGISTRY

CLI_WORDING: Final[dict[str, str]] = {
    "ledger-busy": REGISTRY["ledger-busy"].text + "（score 和 rollup 可用 --wait 等待更久）",
    "ledger-missing": "评分记录库 {path} 不存在（请先用 greencli score 评分）",
    "ledger-foreign": REGISTRY["ledger-foreign"].text + "：请检查 --db",
    "record-missing": "评分记录库中没有记录 #{record}（用 greencli history 社区编码 查看记录号）",
    "record-number-invalid": "“{text}”不是记录号：请写 history 中显示的编号，如 25 或 #25",
    "void-reason-missing": "请用 --reason 写明作废原因（会记入历史）",
    "history-community-unknown": (
        "评分记录库 {path} 中没有社区编码“{community}”的评审记录或交来的评分表：请核对编码"
        "（不区分大小写；全部社区可用 greencli progress --year 年份 查看）"
    ),
    "district-needed": (
        "共用评分记录库 {path} 中还没有县（区）：请用 --district 指定本县（区）的代码（或设置环境变量 GREENCLI_DISTRICT）"
    ),
    "district-ambiguous": "共用评分记录库 {path} 中有多个县（区）：{known}；请用 --district 指定（或设置环境变量 GREENCLI_DISTRICT）",
    "city-needs-shared": (
        "评分记录库 {path} 是本机的 SQLite 文件，只有一个县（区）：--city 需要共用的 PostgreSQL 评分记录库（--db postgresql://…）"
    ),
    "city-options": "--city 不能与 {options} 同用：全市视图按各县（区）自己存入的名单统计，不写文件",
    "copy-to-not-shared": "--to {path} 不是 PostgreSQL 数据库地址：请写成 postgresql://用户@服务器/数据库",
    "copy-from-shared": "--from {path} 应是本机的 SQLite 评分记录库文件（如 greencli.db）",
    "roster-needed": (
        "{purpose}需要社区名单：评分记录库中没有 {year} 年及以前的名单；请用 --roster 指定"
        "（指定后存入评分记录库，作为该年度的名单，以后同一年度无需再指定），或设置环境变量 GREENCLI_ROSTER"
    ),
    "as-of-before-year": "--as-of {date} 早于 {year} 年 1 月 1 日：省级推荐资格在该年度内或之后判断",
    "notice-kind-unknown": "--kind {kind} 不是可生成的文书；可选：{kinds}",
    "confer-document-missing": "--doc 不能为空：请填写市里命名文件的文号",
    "confer-date-future": "--date {date} 晚于今天：请填写市里已发文命名的日期",
    "notice-out-no-name": "--out {path} 没有文件名：请写成如 通报.docx",
    "notice-out-folder": "--out {path} 是文件夹：请给出要写入的 Word 文件名，如 {example}",
    "notice-out-not-docx": "--out {path}：只能写出 Word 文档（.docx），请把扩展名改为 .docx",
    "export-out-kind": (
        "--out {path}：{why}。请给出一个文件夹（如 {folder}，每张表一个 CSV 文件），"
        "或一个 .xlsx 工作簿（如 {workbook}，每张表一个工作表）"
    ),
    "output-foreign-sheets": (
        "{path} 中有不是 greencli 写出的工作表 {sheets}：重写汇总工作簿会丢失它们，因此未写入。"
        "请把它们移到另一个工作簿，或用 --out 把汇总工作簿写到别的文件"
    ),
    "internal-error": "greencli 内部错误（{error}）。请加 --debug 重新运行，并把输出报告给维护人员。",
}


# A path's role (greencli.adapters.files.ROLE_NAMES) as the command line names it: by its option.
ROLE_OPTIONS: Final[dict[str, str]] = {"out": "--out", "db": "--db", "roster": "--roster", "rubric": "--rubric",
                                       "inbox": "--inbox", "log": "--log"}  # fmt: skip


def cli_message(code: str, params: dict[str, object]) -> str:
    """A code's message as the command line says it: a path named by its role is named by its option."""
    named = dict(params)
    for key, value in params.items():
        if key.endswith("_role") and isinstance(value, str) and value in ROLE_OPTIONS:
            named[key.removesuffix("_role") + "_label"] = ROLE_OPTIONS[value]
    return api.render(code, named, CLI_WORDING.get(code))


def error_message(exc: GreencliError) -> str:
    """A library error as the command line says it."""
    return cli_message(exc.code, exc.params)
