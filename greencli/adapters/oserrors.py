"""What the operating system and libraries said, as an office user needs to read it, and the --debug detail.

Adapters turn an OSError into a Chinese reason (`describe_os_error`) that they pass as the `reason` parameter of a
coded error or issue; `with_detail`/`debug_detail` add a library's original (English) text only when running with
--debug (the environment variable DEBUG_ENV, inherited by worker processes).
"""

from __future__ import annotations

import errno
import os

# What the operating system said, by errno (the English text varies by OS).
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


def debug_detail(original: str) -> str:
    """A library's original (English) text as a suffix, `（原始信息：…）`, only when running with --debug; else ""."""
    if os.environ.get(DEBUG_ENV) and original:
        return f"（原始信息：{original.strip()[:300]}）"
    return ""


def with_detail(reason: str, original: str) -> str:
    """A Chinese reason, followed by a library's original (English) text only when running with --debug."""
    return reason + debug_detail(original)


def worded(exc: BaseException, reasons: tuple[tuple[str, str], ...], otherwise: str) -> str:
    """A library's English error as an office user reads it: the Chinese of the first of `reasons` (English words,
    Chinese reason) whose words the error's text holds, else `otherwise`; the original only with --debug."""
    text = str(exc).lower()
    return with_detail(next((chinese for english, chinese in reasons if english in text), otherwise), str(exc).strip())
