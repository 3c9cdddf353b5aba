"""Failures that stop a whole command (not one workbook): each carries a Chinese message and an exit code."""

from __future__ import annotations

import errno
import os


class GreencliError(Exception):
    """Unrecoverable for the command: an unusable call, roster, ledger, rubric or output. Exit code 2."""

    exit_code = 2


# What the operating system said, as an office user needs to read it (by errno: the English text varies by OS).
OS_ERRORS: dict[int, str] = {
    errno.ENOENT: "文件或文件夹不存在",
    errno.EACCES: "没有访问权限",
    errno.EPERM: "操作不被允许（没有权限）",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EEXIST: "已存在同名的文件或文件夹",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "所在磁盘是只读的",
    errno.EBUSY: "文件正被其他程序占用",
    errno.ENAMETOOLONG: "文件名或路径太长",
    errno.EMFILE: "打开的文件太多",
    errno.EINVAL: "文件名或参数无效",
    errno.EIO: "磁盘读写错误",
    errno.EXDEV: "不能跨磁盘移动文件",
    errno.ENOTEMPTY: "文件夹不是空的",
    errno.ELOOP: "路径中的链接循环",
    errno.EFBIG: "文件太大",
    errno.EDQUOT: "超出磁盘配额",
}
# Windows reports a file open in Excel as a sharing violation (winerror 32/33), with errno EACCES.
WINDOWS_ERRORS: dict[int, str] = {
    32: "文件正被其他程序（如 Excel、WPS）打开，请关闭后重试",
    33: "文件的一部分被其他程序锁定",
}


def describe_os_error(exc: OSError) -> str:
    """A Chinese reason for an operating-system error; the path, when the error names one, is added by the caller."""
    winerror = getattr(exc, "winerror", None)
    if isinstance(winerror, int) and winerror in WINDOWS_ERRORS:
        return WINDOWS_ERRORS[winerror]
    if exc.errno is not None and exc.errno in OS_ERRORS:
        return OS_ERRORS[exc.errno]
    if exc.errno is not None:
        return f"系统错误（错误号 {exc.errno}）"
    return "系统错误"


DEBUG_ENV = "GREENCLI_DEBUG"  # set by --debug; inherited by worker processes


def with_detail(reason: str, original: str) -> str:
    """A Chinese reason, followed by a library's original (English) text only when running with --debug."""
    if os.environ.get(DEBUG_ENV) and original:
        return f"{reason}（原始信息：{original.strip()[:300]}）"
    return reason


DEFAULT_INTERRUPT_NOTE = "未完成的工作没有保存"


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal: SIGINT (Ctrl-C, exit 130) or SIGTERM (a service stop, exit 143).

    A KeyboardInterrupt, so every `except KeyboardInterrupt` that cleans up or records also sees a SIGTERM. A job
    that knows what was already saved says so by setting `note` on the exception it re-raises (on a plain
    KeyboardInterrupt too): e.g. "本批未记录，评分记录库未改动".
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def interrupt_note(exc: BaseException) -> str:
    """What an interrupted command says it saved (`exc.note`, set by the job), else that nothing unfinished was."""
    note = getattr(exc, "note", None)
    return note.strip() if isinstance(note, str) and note.strip() else DEFAULT_INTERRUPT_NOTE
