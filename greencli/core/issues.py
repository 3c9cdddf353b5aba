"""Errors are values: every problem has a stable code in one registry, `REGISTRY`.

Each entry has a code (what tests and scripts match on), a severity, a short Chinese title and a Chinese message
template. A problem found in a workbook is an `Issue` (severity error or warning); a problem that stops a whole
command is a `core.errors.GreencliError` (severity fatal), and the parts of one (a roster's bad rows) are
`core.errors.Problem`s. Wording may change; codes do not. The library's wording never names a command-line flag:
the command line words the few codes that need one from its own table (`greencli.cli.wording`). A parameter written
`{where:spaced}` is set before Chinese text with the space a Latin word takes there (行 1.1 的 …, 第1项的 …).
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Severity(StrEnum):
    """An error makes a workbook invalid; a warning is shown but does not change the score; a fatal problem stops
    the command."""

    ERROR = "error"
    WARNING = "warning"
    FATAL = "fatal"  # stops the command (a GreencliError), never an Issue of a workbook


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem, located as precisely as the input allows.

    `subject` is what the problem concerns: a row code (``7.3``, ``B``, ``V1``), a 小区 row, or a field label.
    """

    code: str
    severity: Severity
    sheet: str | None
    cell: str | None
    message: str
    subject: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def where(self) -> str:
        """``评分表!H14``, ``评分表`` or an empty string, for people."""
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}"
        return self.sheet or ""

    def to_dict(self) -> dict[str, str | None]:
        """The issue as stored (ledger) and sent between processes: every field, by name."""
        return {"code": self.code, "severity": self.severity.value, "sheet": self.sheet, "cell": self.cell,
                "message": self.message, "subject": self.subject}  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping[str, object], default: Severity = Severity.WARNING) -> Issue:
        """The inverse of `to_dict`; an old ledger's entries without a severity get `default`."""
        severity = data.get("severity")

        def text(key: str) -> str | None:
            value = data.get(key)
            return None if value is None else str(value)

        return cls(
            code=str(data["code"]),
            severity=Severity(severity) if isinstance(severity, str) else default,
            sheet=text("sheet"),
            cell=text("cell"),
            message=str(data.get("message", "")),
            subject=text("subject"),
        )


@dataclass(frozen=True, slots=True)
class Entry:
    """One code of the registry: its severity, its short Chinese title (shown beside the code wherever codes are
    listed for people, e.g. 问题清单) and its Chinese message template. A list or tuple parameter is rendered as its
    items' texts joined with `joiner`."""

    severity: Severity
    title: str
    text: str
    joiner: str = "、"


E, W, F = Severity.ERROR, Severity.WARNING, Severity.FATAL

# The rule for years (core.rubric.year_bounds) as people read it: the same words for a workbook's 评审年度 and for
# every command's --year.
YEAR_RULE: Final = "不是 {low}～{high} 之间的年份（创建行动自 {low} 年开始，最晚到明年）"

REGISTRY: Final[dict[str, Entry]] = {
    # ── entered values (the engine) ──
    "row-missing": Entry(E, "缺少评分行", "评分表缺少编号为 {subject} 的行（{label}）"),
    "value-missing": Entry(E, "未填写", "{label}：未填写，{hint}"),
    "value-not-number": Entry(E, "不是数字", "{label}：“{value}”不是数字，{hint}"),
    "value-not-yes-no": Entry(E, "不是是/否", "{label}：“{value}”不是“是/否”，请填“是”或“否”"),
    "value-have-not-allowed": Entry(
        E,
        "本行不能填有/无",
        "{label}：本行不能填“{value}”（“有/无”只用于以“有”开头的行，在其他行会把意思说反），请填“是”或“否”",
    ),
    "value-not-whole": Entry(E, "不是整数", "{label}：处数须为不小于0的整数，填写的是 {value}"),
    "value-negative": Entry(E, "负数", "{label}：不能为负数，填写的是 {value}"),
    "value-out-of-range": Entry(E, "超出范围", "{label}：{value} 超出允许范围 {low}～{high}"),
    "value-off-step": Entry(E, "分值步长不符", "{label}：{value} 不是 {step} 分的整数倍"),
    "deduct-below-minimum": Entry(E, "扣分不符合规定", "{label}：扣分只能为 0，或 {low}～{high} 分，填写的是 {value}"),
    "fact-full-outside": Entry(
        W,
        "满分但事实不符",
        "{label}：给了满分 {full} 分，但 {fact} 填的是 {value}{unit}，不在 {low}～{high}{unit} 之间，请核对",
    ),
    "fact-short-inside": Entry(
        W,
        "事实达标但未给满分",
        "{label}：{fact} 填的是 {value}{unit}，已在 {low}～{high}{unit} 之间，但只给了 {points} 分（满分 {full}），请核对",
    ),
    "percent-looks-fractional": Entry(
        W, "疑似漏乘100", "{label}：{value} 看起来是小数形式的比例，是否漏乘100？已按 {value}% 计分"
    ),
    "derived-value-ignored": Entry(
        W, "自动计算行的录入值未计入", "{label}：本行由“小区”表自动计算，录入值“{value}”不计入"
    ),
    "na-rows-ignored": Entry(W, "不适用项的录入值未计入", "{label}：第{item}项已填“不适用”，本行录入值“{value}”不计入"),
    "bonus-no-evidence": Entry(E, "加分缺少佐证", "加分项填了 {value} 分，但“佐证”列未填写所获荣誉名称"),
    "veto-inconsistent": Entry(
        W,
        "否决项与评分不一致",
        "{row} 记录了 {count} 处（达到{threshold}处），但否决项 {subject} 只填了 {veto_count} 处，请核对",
    ),
    "na-derived-conflict": Entry(
        W, "不适用与小区表矛盾", "{subject} 填了“{na_label}”，但按“小区”表第{item}项“{row_label}”仍扣 {lost} 分，请核对"
    ),
    # ── evidence files (佐证材料, the folder beside the workbook with its name) ──
    "evidence-missing": Entry(W, "佐证材料缺失", "{label}：“佐证”列写明的“{name}”不在佐证材料文件夹“{folder}”中"),
    "evidence-link-outside": Entry(
        W, "佐证材料链接到文件夹外", "佐证材料“{name}”是指向文件夹“{folder}”以外的链接（快捷方式），已拒绝，未登记"
    ),
    "evidence-too-large": Entry(
        W, "佐证材料过大", "佐证材料“{name}”有 {size} MB，超过单个文件 {limit} MB 的上限，未登记"
    ),
    "evidence-too-many": Entry(W, "佐证材料过多", "佐证材料文件夹“{folder}”{what}，其余文件未登记"),
    "evidence-unreadable": Entry(W, "佐证材料无法读取", "佐证材料“{name}”无法读取（{reason}），未登记"),
    # ── the file and its layout (the reader) ──
    "file-not-xlsx": Entry(E, "不是 xlsx 工作簿", "{reason}"),  # no longer emitted: rows of older ledgers (LEGACY)
    "file-unreadable": Entry(E, "文件无法读取", "无法读取工作簿：{reason}"),
    "sheet-missing": Entry(E, "缺少工作表", "缺少工作表“{subject}”"),
    "sheet-too-large": Entry(
        E, "工作表过大", "工作表“{subject}”有 {rows} 行 × {cols} 列，超出评分表的合理大小，未读取"
    ),
    "header-missing": Entry(E, "缺少表头", "工作表中找不到表头行（应包含：{labels}）"),
    "row-duplicate": Entry(E, "编号重复", "编号 {subject} 出现了两次（另一处在 {other}），请删除多余的一行"),
    "row-unknown": Entry(W, "未知编号", "编号“{subject}”不是评分标准中的编号，该行未读取"),
    "formula-no-value": Entry(E, "公式没有计算结果", "{label}：录入单元格中是公式且没有计算结果，请直接填写数值"),
    "text-cleaned": Entry(
        W, "已去除控制字符", "{label}：含有不可见的控制字符或文字方向控制符（{chars}），已去除，按“{value}”读取，请核对"
    ),
    "roster-text-cleaned": Entry(
        W,
        "名单已去除控制字符",
        "名单第{row}行{field}：含有不可见的控制字符或文字方向控制符（{chars}），已去除，按“{value}”读取",
    ),
    "roster-not-kept": Entry(
        W, "名单未存入记录库", "社区名单未存入评分记录库（{reason}），本次仍按所给名单统计；下次请再指定该名单"
    ),
    "file-missing": Entry(E, "文件不存在", "没有找到文件（{reason}）"),
    "year-other": Entry(
        W,
        "其他评审年度",
        "评审年度为 {value} 年，与本批统计的 {expected} 年不同：已评分并记入 {value} 年的评分记录，不计入本批统计",
    ),
    "superseded-in-batch": Entry(
        W, "被同批评分表取代", "同一社区同一年度本批还有另一份评分表 {other}；本份{why}，以那一份为准，本份不计入"
    ),
    "superseded-in-ledger": Entry(
        W,
        "非当前记录",
        "已记入评分记录，但 {subject} 的 {year} 年度当前记录是此前记录的 #{record}（{why}），进度和名单以那一份为准；详见 greencli history {subject}",
    ),
    "voided-in-ledger": Entry(
        W,
        "记录已作废",
        "这份评分表此前已记录为 #{record}，并已作废（{reason}），本次没有重新记录；如确需重新记录，请先改正评分表再评分",
    ),
    # ── identity (基本信息) ──
    "identity-missing": Entry(E, "基本信息缺项", "基本信息缺少“{subject}”"),
    "year-invalid": Entry(E, "评审年度无效", "评审年度“{value}”" + YEAR_RULE),
    "review-date-missing": Entry(E, "评审日期未填", "评审日期未填写：请填写现场评审的日期，如 2022-10-15"),
    "review-date-unreadable": Entry(
        E, "评审日期无法识别", "评审日期“{value}”无法识别，请写成 2022-10-15、2022/10/15 或 2022年10月15日"
    ),
    "review-date-future": Entry(E, "评审日期在今天之后", "评审日期 {value} 晚于今天（{today}），请核对"),
    "review-date-before-year": Entry(
        E, "评审日期早于评审年度", "评审日期 {value} 早于评审年度 {year} 年，会使称号日期提前，请核对"
    ),
    "review-date-after-year": Entry(
        W, "评审日期晚于评审年度", "评审日期 {value} 已过评审年度 {year} 年年底，请核对评审年度是否填对"
    ),
    "info-number": Entry(W, "基本信息数字无效", "{subject}“{value}”不是{expected}，请核对（不影响评分）"),
    "rubric-other": Entry(
        E, "评分标准不同", "此工作簿按另一评分标准（{other}）生成，与当前标准 {expected} 不同，不能评分"
    ),
    "rubric-version-unknown": Entry(
        E,
        "未知的评分标准版本",
        "此工作簿按评分标准版本 {other} 生成，本程序只认识版本 {known}，不能评分，请升级 greencli",
    ),
    "stamp-mismatch": Entry(
        W,
        "社区编码与生成时不一致",
        "工作簿生成时的社区编码为“{other}”，与基本信息中的“{subject}”不一致，请核对是否复制了其他社区的表",
    ),
    "roster-unknown": Entry(E, "不在社区名单中", "社区编码“{subject}”不在社区名单中"),
    "roster-mismatch": Entry(E, "与社区名单不一致", "{field}“{value}”与社区名单中编码 {subject} 的“{expected}”不一致"),
    # ── the 小区 sheet ──
    "compounds-missing": Entry(E, "小区表为空", "“小区”表至少需要填写 {count} 个居住小区"),
    "compound-name-missing": Entry(E, "小区名称未填", "“小区”表第{row}行：未填写小区名称"),
    "compound-year-invalid": Entry(
        E, "建成年份无效", "“小区”表第{row}行：建成年份“{value}”不是 {low}～{high} 之间的年份"
    ),
    "compound-area-invalid": Entry(E, "占地面积无效", "“小区”表第{row}行：占地面积“{value}”须为大于0的数字（平方米）"),
    "compound-green-invalid": Entry(
        E, "绿地面积无效", "“小区”表第{row}行：绿地面积“{value}”须为 0～占地面积（{area}）之间的数字（平方米）"
    ),
    # ── the file itself: what the container check finds before any parser sees it ──
    "file-empty": Entry(E, "空文件", "文件为空（0 字节）"),
    "file-too-large": Entry(E, "文件过大", "文件过大（{size} MB），超过 {limit} MB 上限"),
    "file-access": Entry(E, "无法读取文件", "无法读取文件：{reason}"),
    "file-legacy-xls": Entry(E, "旧版 xls 文件", "旧版 Excel（.xls）文件，请在 Excel/WPS 中另存为 .xlsx"),
    "file-encrypted": Entry(E, "加密工作簿", "设置了打开密码的加密工作簿，请在 Excel/WPS 中取消密码后另存为 .xlsx"),
    "file-ole2": Entry(
        E,
        "旧版或加密文件",
        "旧版 Excel（.xls）文件或设置了打开密码的加密工作簿，请在 Excel/WPS 中另存为 .xlsx（并取消密码）",
    ),
    "file-empty-zip": Entry(E, "空压缩包", "空的压缩包，不是 Excel 工作簿"),
    "file-pdf": Entry(E, "PDF 文件", "PDF 文件，不是 Excel 工作簿"),
    "file-markup": Entry(E, "网页或 XML 文件", "网页或 XML 文件，不是 .xlsx 工作簿"),
    "file-text": Entry(E, "文本文件", "文本文件（如 CSV），不是 .xlsx 工作簿"),
    "file-unknown-format": Entry(E, "无法识别的文件", "无法识别的文件，不是 .xlsx 工作簿"),
    "file-truncated": Entry(E, "文件不完整", "文件不完整或已损坏（可能下载或复制中断），请重新获取该文件"),
    "file-ods": Entry(E, "ods 表格", "OpenDocument 表格（.ods），请在 WPS/LibreOffice 中另存为 .xlsx"),
    "file-docx": Entry(E, "Word 文档", "Word 文档，不是 Excel 工作簿"),
    "file-zip-other": Entry(E, "不是 xlsx 的压缩包", "压缩包中没有 Excel 工作簿内容，不是 .xlsx 文件"),
    "file-damaged": Entry(
        E,
        "工作簿已损坏",
        "无法读取工作簿：文件内容已损坏，或不是 Excel/WPS 保存的标准 .xlsx 工作簿，请在 Excel 或 WPS 中打开后重新另存为 .xlsx"
        "{detail}",
    ),
    "zip-too-many-parts": Entry(E, "部件过多", "文件包含 {parts} 个部件，超过 {limit} 的上限，疑似恶意构造"),
    "zip-encrypted-part": Entry(E, "有加密部件", "工作簿中有加密部件，请取消密码后另存为 .xlsx"),
    "zip-bomb": Entry(E, "疑似压缩炸弹", "部件 {part} 压缩比异常（{ratio}:1），疑似压缩炸弹"),
    "zip-overlap": Entry(E, "部件相互重叠", "工作簿中的部件相互重叠或超出文件范围，疑似恶意构造的压缩炸弹"),
    "zip-unzipped-too-large": Entry(
        E, "解压后过大", "工作簿解压后总大小 {size} MB，超过 {limit} MB 上限，疑似压缩炸弹"
    ),
    "zip-part-too-large": Entry(
        E, "部件解压后过大", "部件 {part} 解压后过大（{size} MB，上限 {limit} MB），不是正常的评分表，疑似压缩炸弹"
    ),
    "zip-read-too-large": Entry(E, "表格内容过大", "工作簿中的表格内容解压后总大小超过上限，疑似压缩炸弹"),
    "xml-unsafe": Entry(E, "不安全的 XML", "工作簿中含有不安全的 XML（实体或文档类型声明），已拒绝读取"),
    "sheet-dimension-too-large": Entry(
        E, "工作表声明过大", "工作表 {part} 声明了 {rows} 行 × {cols} 列，远超评分表的合理大小，未读取"
    ),
    # ── fatal: problems that stop a whole command (GreencliError and its subclasses) ──
    # calls
    "year-out-of-range": Entry(F, "年度无效", "年度“{year}”" + YEAR_RULE),
    "date-unreadable": Entry(F, "日期无法识别", "日期“{text}”无法识别，请写成 YYYY-MM-DD，如 2022-12-31"),
    "no-input": Entry(F, "没有要评分的文件", "没有找到要评分的文件：{inputs}"),
    "no-input-skipped": Entry(F, "没有要评分的文件", "没有找到要评分的文件：{inputs}（锁定/临时文件已跳过）"),
    "inbox-missing": Entry(F, "收件箱不存在", "收件箱 {path} 不存在或不是文件夹"),
    "record-number-invalid": Entry(F, "记录号无效", "“{text}”不是记录号：请写记录号，如 25 或 #25"),
    "void-reason-missing": Entry(F, "缺少作废原因", "作废须写明原因（会记入历史）"),
    "roster-needed": Entry(
        F,
        "需要社区名单",
        "{purpose}需要社区名单：评分记录库中没有 {year} 年及以前的名单，请指定社区名单，或设置环境变量 GREENCLI_ROSTER",
    ),
    "as-of-before-year": Entry(
        F, "判断日期早于年度", "判断日期 {date} 早于 {year} 年 1 月 1 日：省级推荐资格在该年度内或之后判断"
    ),
    "history-community-unknown": Entry(
        F,
        "没有该社区的记录",
        "评分记录库 {path} 中没有社区编码“{community}”的评审记录或交来的评分表：请核对编码（不区分大小写）",
    ),
    "notice-kind-unknown": Entry(F, "文书种类无效", "“{kind}”不是可生成的文书；可选：{kinds}"),
    "confer-document-missing": Entry(F, "缺少命名文号", "命名文件的文号不能为空：请填写市里命名文件的文号"),
    "confer-date-future": Entry(F, "命名日期晚于今天", "命名日期 {date} 晚于今天：请填写市里已发文命名的日期"),
    "confer-no-codes": Entry(F, "缺少社区编码", "请给出要记录命名的社区编码"),
    "confer-refused": Entry(F, "未记录任何命名", "未记录任何命名：\n  {problems}", joiner="\n  "),
    "confer-no-record": Entry(F, "没有有效的评审记录", "{community}：{year} 年度没有有效的评审记录"),
    "confer-not-passed": Entry(
        F, "没有达标的评审记录", "{community}（{name}）：{year} 年度没有“达标”的评审记录（{why}）"
    ),
    "confer-too-early": Entry(F, "命名日期过早", "{community}（{name}）：命名日期 {date} 早于{what} {floor}"),
    "pandas-missing": Entry(F, "需要 pandas", "DataFrame 需要 pandas：请安装 pip install 'greencli[analysis]'"),
    "file-operation-failed": Entry(F, "文件操作失败", "文件操作失败：{reason}"),
    "file-operation-refused": Entry(F, "无法读写文件", "无法读写 {target}：{reason}"),
    "internal-error": Entry(F, "内部错误", "greencli 内部错误（{error}）。请把这条信息报告给维护人员。"),
    # the run lock
    "lock-unavailable": Entry(F, "无法创建运行锁", "无法创建运行锁 {path}：{reason}"),
    "lock-busy": Entry(
        F, "另一个汇总任务正在运行", "另一个汇总任务正在运行（锁文件 {path}），已等待 {wait:g} 秒，本次未做任何改动"
    ),
    # the ledger
    "ledger-missing": Entry(F, "评分记录库不存在", "评分记录库 {path} 不存在"),
    "ledger-unopenable": Entry(F, "无法打开评分记录库", "无法打开评分记录库 {path}：{reason}"),
    "ledger-is-folder": Entry(F, "评分记录库是文件夹", "无法打开评分记录库 {path}：这是一个文件夹"),
    "ledger-empty-file": Entry(
        F,
        "评分记录库是空文件",
        "评分记录库 {path} 是空文件（0 字节），可能复制不完整或已损坏：请从备份恢复；如要从头建立新的记录库，"
        "请先删除或改名这个空文件",
    ),
    "ledger-foreign": Entry(
        F, "不是评分记录库", "评分记录库 {path} 不是 greencli 的评分记录库（是其他程序的数据库），未作任何改动"
    ),
    "district-needed": Entry(
        F,
        "需要指定县（区）",
        "共用评分记录库 {path} 中还没有县（区）：请指定本县（区）的代码，或设置环境变量 GREENCLI_DISTRICT",
    ),
    "district-ambiguous": Entry(
        F,
        "需要指定县（区）",
        "共用评分记录库 {path} 中有多个县（区）：{known}；请指定其中一个，或设置环境变量 GREENCLI_DISTRICT",
    ),
    "district-unknown": Entry(
        F, "没有该县（区）", "共用评分记录库 {path} 中没有县（区）“{district}”的数据；已有：{known}"
    ),
    "city-needs-shared": Entry(
        F,
        "全市视图需要共用记录库",
        "评分记录库 {path} 是本机的 SQLite 文件，只有一个县（区）：全市视图需要共用的 PostgreSQL 评分记录库",
    ),
    "city-options": Entry(
        F, "全市视图不接受该选项", "全市视图不能与 {options} 同用：它按各县（区）自己存入的名单统计，不写文件"
    ),
    "copy-to-not-shared": Entry(
        F,
        "复制目标不是共用记录库",
        "复制目标 {path} 不是 PostgreSQL 数据库地址：请写成 postgresql://用户@服务器/数据库",
    ),
    "copy-from-shared": Entry(
        F, "复制来源不是 SQLite 文件", "复制来源 {path} 应是本机的 SQLite 评分记录库文件（如 greencli.db）"
    ),
    "district-invalid": Entry(F, "县（区）代码无效", "县（区）代码“{district}”无效：请写县（区）代码，如 130302"),
    "ledger-needs-upgrade": Entry(
        F,
        "评分记录库需要升级",
        "共用评分记录库 {path} 的结构是旧版本（{version}）：读取命令不升级它，请先以有写入权限的角色运行一次"
        " greencli score 或 greencli rollup",
    ),
    "ledger-too-new": Entry(
        F, "评分记录库版本过新", "评分记录库 {path} 由更新版本的 greencli 创建（结构版本 {version}），请升级 greencli"
    ),
    "ledger-unusable": Entry(F, "评分记录库无法使用", "评分记录库 {path} 无法使用：{reason}"),
    "ledger-busy": Entry(
        F,
        "评分记录库正被写入",
        "评分记录库 {path} 正被另一个程序写入，已等待 {wait:g} 秒仍未轮到：本次未改动评分记录库，请稍后再运行",
    ),
    "record-missing": Entry(F, "没有该记录", "评分记录库中没有记录 #{record}"),
    "record-already-void": Entry(F, "记录已作废", "记录 #{record} 已于 {at} 作废（{reason}）"),
    # the roster (RosterError: roster-unusable, listing its problems)
    "roster-unusable": Entry(F, "社区名单无法使用", "名单文件 {path} 无法使用：\n  - {problems}", joiner="\n  - "),
    "roster-encoding": Entry(F, "名单编码无法识别", "无法识别文件编码（应为 UTF-8 或 GBK）"),
    "roster-file-type": Entry(F, "名单文件类型不支持", "不支持的文件类型“{suffix}”，名单应为 .xlsx 或 .csv"),
    "roster-unreadable": Entry(F, "名单无法读取", "无法读取：{reason}"),
    "roster-header-missing": Entry(F, "名单缺少表头", "前20行中找不到包含“{code_column}”“{name_column}”的表头行"),
    "roster-columns-missing": Entry(F, "名单缺少列", "表头缺少列：{columns}"),
    "roster-too-long": Entry(F, "名单过长", "名单超过 {limit} 行，请检查文件"),
    "roster-row-empty": Entry(F, "名单行缺项", "第{row}行：{fields}为空"),
    "roster-row-kind": Entry(F, "名单类型无效", "第{row}行：类型“{value}”不是可用的类型，应为{kinds}之一"),
    "roster-row-duplicate": Entry(F, "名单编码重复", "第{row}行：社区编码“{value}”与第{other}行重复"),
    "roster-empty": Entry(F, "名单为空", "名单中没有任何社区"),
    # the rubric (RubricError: rubric-invalid, listing its problems)
    "rubric-invalid": Entry(F, "评分标准文件有误", "评分标准文件 {source} 有误：\n  - {problems}", joiner="\n  - "),
    "rubric-bundled-missing": Entry(F, "找不到评分标准文件", "找不到随程序安装的评分标准文件，请重新安装 greencli"),
    "rubric-unreadable": Entry(F, "评分标准文件无法读取", "无法读取：{reason}"),
    "rubric-not-utf8": Entry(F, "评分标准文件编码无效", "不是 UTF-8 编码的文本文件"),
    "rubric-syntax": Entry(F, "评分标准文件格式有误", "{reason}"),
    "rubric-folder-empty": Entry(F, "文件夹中没有评分标准", "文件夹中没有评分标准文件（.toml）"),
    "rubric-version-missing": Entry(F, "没有该评分标准版本", "没有评分标准版本 {version}；可用的版本：{known}"),
    # the rubric file's content (parts of rubric-invalid): `where` names the table, row or item, `key` the field
    "rubric-field-unknown": Entry(F, "评分标准有未知字段", "{where:spaced}有未知字段 {key}（是否拼写错误？）"),
    "rubric-table-missing": Entry(F, "评分标准缺少表", "{where:spaced}缺少 [{key}] 表"),
    "rubric-array-missing": Entry(F, "评分标准缺少数组", "{where:spaced}缺少 {key} 数组（每项写成一个 [[{path}]] 表）"),
    "rubric-rows-missing": Entry(F, "评分项缺少评分行", "{where:spaced}缺少 {key} 数组"),
    "rubric-text-required": Entry(F, "须为非空文字", "{where:spaced}的 {key} 须为非空文字"),
    "rubric-texts-required": Entry(F, "须为非空文字列表", "{where:spaced}的 {key} 须为非空文字列表"),
    "rubric-integer-required": Entry(F, "须为整数", "{where:spaced}的 {key} 须为整数"),
    "rubric-number-required": Entry(F, "须为数字", "{where:spaced}的 {key} 须为数字"),
    "rubric-rescore-shape": Entry(
        F, "rescore 表格式有误", 'rescore 须为 [rescore."版本"] 表，每项为 "本版编号" = "旧版编号"'
    ),
    "rubric-month-day": Entry(F, "日期须为 MM-DD", "campaign 的 {key} “{value}”须为 MM-DD 形式的日期，如 {example}"),
    "rubric-form-kind-unknown": Entry(
        F, "表单字段类型未知", "form.fields {label} 的 kind “{value}”未知，应为 {known}", joiner=", "
    ),
    "rubric-guide-shape": Entry(F, "guide 表格式有误", 'guide 须为 [guide] 表，每项为 kind = "说明文字"'),
    "rubric-guide-entry": Entry(
        F, "guide 项有误", "guide 的 {key} 须为行类型（{known}）之一，值为非空文字", joiner=", "
    ),
    "rubric-kind-unknown": Entry(F, "行类型未知", "{where:spaced}的 kind “{value}”未知，应为 {known}", joiner=", "),
    "rubric-rule-unknown": Entry(
        F, "自动计算规则未知", "{where:spaced}的 rule “{value}”未知，应为 {known}", joiner=", "
    ),
    "rubric-rule-parameter-missing": Entry(F, "自动计算规则缺少参数", "{where}（{rule}）缺少 {key}"),
    "rubric-veto-kind": Entry(F, "否决项类型无效", "{where:spaced}的 kind 须为 count 或 derived"),
    "rubric-veto-threshold": Entry(F, "否决项缺少阈值", "{where}（count）须给出否决阈值 at_least > 0"),
    "rubric-count-per": Entry(F, "处数行缺少每处扣分", "{where}（count）须给出每处扣分 per > 0"),
    "rubric-measure-threshold": Entry(
        F, "数值行缺少达标阈值", "{where}（measure）须给出达标阈值 at_least 和/或 at_most"
    ),
    "rubric-measure-unit": Entry(F, "数值行缺少单位", "{where}（measure）须给出单位 unit"),
    "rubric-deduct-min-nonzero": Entry(F, "最小扣分无效", "{where:spaced}的 min_nonzero 须在 0 与 points 之间"),
    "rubric-fact-fields": Entry(
        F,
        "事实行缺项",
        "{where}（fact）须给出 unit、checks、expect_min、expect_max、valid_max，且不计分（无 points）",
    ),
    # the rubric as a whole (checked once every field reads)
    "rubric-code-duplicate": Entry(F, "评分标准编号重复", "编号 {code} 重复（{first} 与 {other}）"),
    "rubric-numbering": Entry(F, "编号不连续", "{key} 须按 1、2、3… 连续编号"),
    "rubric-category-unknown": Entry(F, "所属类别不存在", "{where:spaced}的 category {value} 不存在"),
    "rubric-na-rows": Entry(F, "多个不适用行", "{where:spaced}有多于一个“不适用”行"),
    "rubric-item-sum": Entry(F, "各行分值之和不符", "{where:spaced}各行分值之和 {total} 与本项分值 {points} 不符"),
    "rubric-category-sum": Entry(
        F, "各项分值之和不符", "第{category}类“{name}”各项之和 {total} 与其分值 {points} 不符"
    ),
    "rubric-total-sum": Entry(F, "各类分值之和不符", "各类分值之和 {total} 与总分 {max_total} 不符"),
    "rubric-row-points": Entry(F, "行分值无效", "行 {code} 的分值 {points} 须为非负且为 {step} 的倍数"),
    "rubric-deduct-over-item": Entry(F, "扣分超过本项分值", "行 {code} 的最大扣分超过本项分值"),
    "rubric-fact-checks": Entry(F, "事实行核对的行无效", "行 {code} 的 checks “{value}”须为本项的评分（score）行"),
    "rubric-warn-na": Entry(F, "warn_na 不是不适用行", "行 {code} 的 warn_na {value} 不是“不适用”行"),
    "rubric-warn-row": Entry(F, "warn_row 不是处数行", "否决项 {code} 的 warn_row {value} 不是处数行"),
    "rubric-pass-mark": Entry(F, "达标分数无效", "pass_mark 须在 0 与 max_total 之间"),
    "rubric-bonus-max": Entry(F, "加分上限无效", "加分项 max 须为非负且为 step 的倍数"),
    "rubric-green-requirements": Entry(
        F, "绿地率要求缺少默认条", "compounds.green_requirements 的最后一条须不带 built_from（其余年份的要求）"
    ),
    "rubric-target-rate": Entry(F, "年度目标比例无效", "{year}年目标 {rate} 须在 0 与 1 之间"),
    "rubric-target-year": Entry(F, "年度目标年份过早", "{year}年目标早于或等于起始年 {first_year}"),
    "rubric-nominations": Entry(F, "推荐名额范围无效", "nominations_min 不能大于 nominations_max"),
    # outputs (OutputError)
    "output-unwritable": Entry(F, "无法写入", "无法写入 {path}：{reason}"),
    "output-name-too-long": Entry(
        F, "文件名太长", "无法写入 {path}：文件名太长（“{name}”有 {size} 字节，最多 {limit} 字节），请改短"
    ),
    "output-path-too-long": Entry(F, "路径太长", "无法写入 {path}：路径太长（{size} 字节，最多 {limit} 字节），请改短"),
    "output-file-in-the-way": Entry(F, "已有同名文件", "无法写入 {path}：已有同名的文件（不是文件夹）"),
    "output-is-folder": Entry(F, "输出是文件夹", "无法写入 {path}：这是一个文件夹"),
    "output-is-input": Entry(
        F,
        "输出会覆盖输入",
        "{out_label} {out} 与 {in_label} {source} 是同一个文件：写出会覆盖它。本次未做任何改动，请给 {out_label} 换一个文件",
    ),
    "output-twice": Entry(
        F,
        "两个输出是同一文件",
        "{other_label} {other} 与 {out_label} {out} 是同一个文件：两个输出不能写在一处。本次未做任何改动",
    ),
    "output-empty": Entry(F, "输出位置为空", "输出位置不能为空"),
    "output-not-xlsx": Entry(
        F,
        "汇总工作簿须为 xlsx",
        "无法写入 {path}：汇总工作簿只能保存为 .xlsx 文件（不能是 {suffix}），请改用 .xlsx 扩展名",
    ),
    "output-workbook-unreadable": Entry(F, "无法加入进度表", "无法把进度表加入 {path}：{reason}"),
    "output-foreign-sheets": Entry(
        F,
        "汇总工作簿中有其他工作表",
        "{path} 中有不是 greencli 写出的工作表 {sheets}：重写汇总工作簿会丢失它们，因此未写入。"
        "请把它们移到另一个工作簿，或把汇总工作簿写到别的文件",
    ),
    "output-outside-folder": Entry(F, "路径超出输出目录", "社区“{name}”的文件路径超出输出目录 {path}，已停止"),
    "output-not-folder": Entry(F, "输出位置不是文件夹", "输出位置 {path} 已存在且不是文件夹"),
    "export-out-kind": Entry(
        F,
        "导出位置无效",
        "输出位置 {path}：{why}。请给出一个文件夹（如 {folder}，每张表一个 CSV 文件），"
        "或一个 .xlsx 工作簿（如 {workbook}，每张表一个工作表）",
    ),
    "export-csv-file": Entry(F, "导出不能是 csv 文件", "导出有多张表，不能写成一个 .csv 文件"),
    "export-xls-file": Entry(F, "导出不能是 xls 文件", "不能写成旧版 Excel（.xls）文件"),
    "export-other-file": Entry(F, "导出文件类型无效", "不能写成 {suffix} 文件"),
    "evidence-year-empty": Entry(
        F,
        "该年度没有评审记录",
        "评分记录库 {path} 中没有 {year} 年度的有效评审记录，无法编制台账目录：请先评分（greencli score）",
    ),
    "evidence-community-unknown": Entry(
        F,
        "该社区没有该年度的评审记录",
        "评分记录库 {path} 中以下社区没有 {year} 年度的有效评审记录：{communities}（编码不区分大小写）",
    ),
    "notice-out-no-name": Entry(F, "文书没有文件名", "输出位置 {path} 没有文件名：请写成如 通报.docx"),
    "notice-out-folder": Entry(
        F, "文书输出是文件夹", "输出位置 {path} 是文件夹：请给出要写入的 Word 文件名，如 {example}"
    ),
    "notice-out-not-docx": Entry(
        F, "文书须为 docx", "输出位置 {path}：只能写出 Word 文档（.docx），请把扩展名改为 .docx"
    ),
    "log-unwritable": Entry(F, "无法写入日志", "无法写入日志 {path}：{reason}"),
}


# The workbook problems (errors and warnings), and every code's title: views of REGISTRY kept for their importers.
CATALOGUE: Final[dict[str, Entry]] = {code: e for code, e in REGISTRY.items() if e.severity is not Severity.FATAL}
TITLES: Final[dict[str, str]] = {code: e.title for code, e in CATALOGUE.items()}
Template = Entry  # the former name of an entry


def issue_title(code: str) -> str:
    """The Chinese name of a code (the code itself for one this version does not know, e.g. from an older
    ledger)."""
    entry = REGISTRY.get(code)
    return entry.title if entry is not None else code


class UnknownIssueCode(KeyError):
    """A programming error: the code is not in the registry."""


NOTE = "note"  # a parameter every fatal message may carry: what the command had already done, said after it


def spaced(where: str) -> str:
    """`where` before Chinese text, with the space Chinese typesetting puts after a Latin word: 行 1.1 的 …"""
    return f"{where} " if (where[-1:].isascii() and where[-1:].isalnum()) or where.endswith("]") else where


class _Formatter(string.Formatter):
    """`str.format`, and `{where:spaced}`: a parameter set before Chinese text (`spaced`), e.g. the rubric's
    "{where:spaced}的 {key} 须为整数" renders 行 1.1 的 … and 第1项的 … alike."""

    def format_field(self, value: object, format_spec: str) -> str:
        if format_spec == "spaced":
            return spaced(str(value))
        return str(super().format_field(value, format_spec))


_FORMATTER: Final = _Formatter()


def render(code: str, params: Mapping[str, object], text: str | None = None) -> str:
    """The Chinese message of `code` with its `params` (a list or tuple parameter: its items' texts joined); `text`
    words it otherwise with the same parameters (the command line's wording, which may name its flags). A `note`
    parameter (what was already done when the command stopped) follows the message in brackets."""
    try:
        entry = REGISTRY[code]
    except KeyError as exc:
        raise UnknownIssueCode(code) from exc
    shown = {k: entry.joiner.join(map(str, v)) if isinstance(v, list | tuple) else v for k, v in params.items()}
    message = _FORMATTER.format(entry.text if text is None else text, **shown)
    note = params.get(NOTE)
    return f"{message}（{note}）" if note else message


def make_issue(
    code: str,
    *,
    sheet: str | None = None,
    cell: str | None = None,
    subject: str | None = None,
    **params: object,
) -> Issue:
    """Build an issue from the registry, filling its Chinese template with `params`."""
    entry = REGISTRY.get(code)
    if entry is None or entry.severity is Severity.FATAL:
        raise UnknownIssueCode(code)
    return Issue(code, entry.severity, sheet, cell, render(code, {"subject": subject, **params}), subject)


# The problems that make a whole file unreadable (no sheet, no cell): row-by-row checks would only echo them.
# Codes no longer emitted, kept because older ledgers and rollup caches hold issues under them.
LEGACY: Final = frozenset({"file-not-xlsx"})
WHOLE_FILE_CODES: Final = frozenset(
    {"file-not-xlsx", "file-unreadable"}
    | {code for code in REGISTRY if code.startswith(("file-", "zip-")) and code not in ("file-missing",)}
    | {"xml-unsafe", "sheet-dimension-too-large"}
)


def file_issue(code: str, params: Mapping[str, object]) -> Issue:
    """A whole-file problem (the container check's, the reader's) as the file's issue: no sheet, no cell."""
    entry = REGISTRY.get(code)
    if entry is None or entry.severity is Severity.FATAL:
        raise UnknownIssueCode(code)
    return Issue(code, entry.severity, None, None, render(code, {"subject": None, **params}), None)
