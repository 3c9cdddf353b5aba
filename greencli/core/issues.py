"""Errors are values: every problem found in a workbook is an `Issue`, drawn from one catalogue.

Each catalogue entry has a stable code (what tests and scripts match on), a severity and a Chinese
message template. Wording may change; codes do not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Severity(StrEnum):
    """An error makes a workbook invalid; a warning is shown but does not change the score."""

    ERROR = "error"
    WARNING = "warning"


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
class Template:
    severity: Severity
    text: str


E, W = Severity.ERROR, Severity.WARNING

# The rule for years (core.rubric.year_bounds) as people read it: the same words for a workbook's 评审年度 and for
# every command's --year.
YEAR_RULE: Final = "不是 {low}～{high} 之间的年份（创建行动自 {low} 年开始，最晚到明年）"

CATALOGUE: Final[dict[str, Template]] = {
    # ── entered values (the engine) ──
    "row-missing": Template(E, "评分表缺少编号为 {subject} 的行（{label}）"),
    "value-missing": Template(E, "{label}：未填写，{hint}"),
    "value-not-number": Template(E, "{label}：“{value}”不是数字，{hint}"),
    "value-not-yes-no": Template(E, "{label}：“{value}”不是“是/否”，请填“是”或“否”"),
    "value-have-not-allowed": Template(
        E, "{label}：本行不能填“{value}”（“有/无”只用于以“有”开头的行，在其他行会把意思说反），请填“是”或“否”"
    ),
    "value-not-whole": Template(E, "{label}：处数须为不小于0的整数，填写的是 {value}"),
    "value-negative": Template(E, "{label}：不能为负数，填写的是 {value}"),
    "value-out-of-range": Template(E, "{label}：{value} 超出允许范围 {low}～{high}"),
    "value-off-step": Template(E, "{label}：{value} 不是 {step} 分的整数倍"),
    "deduct-below-minimum": Template(E, "{label}：扣分只能为 0，或 {low}～{high} 分，填写的是 {value}"),
    "fact-full-outside": Template(
        W, "{label}：给了满分 {full} 分，但 {fact} 填的是 {value}{unit}，不在 {low}～{high}{unit} 之间，请核对"
    ),
    "fact-short-inside": Template(
        W,
        "{label}：{fact} 填的是 {value}{unit}，已在 {low}～{high}{unit} 之间，但只给了 {points} 分（满分 {full}），请核对",
    ),
    "percent-looks-fractional": Template(W, "{label}：{value} 看起来是小数形式的比例，是否漏乘100？已按 {value}% 计分"),
    "derived-value-ignored": Template(W, "{label}：本行由“小区”表自动计算，录入值“{value}”不计入"),
    "na-rows-ignored": Template(W, "{label}：第{item}项已填“不适用”，本行录入值“{value}”不计入"),
    "bonus-no-evidence": Template(E, "加分项填了 {value} 分，但“佐证”列未填写所获荣誉名称"),
    "veto-inconsistent": Template(
        W, "{row} 记录了 {count} 处（达到{threshold}处），但否决项 {subject} 只填了 {veto_count} 处，请核对"
    ),
    "na-derived-conflict": Template(
        W, "{subject} 填了“{na_label}”，但按“小区”表第{item}项“{row_label}”仍扣 {lost} 分，请核对"
    ),
    # ── the file and its layout (the reader) ──
    "file-not-xlsx": Template(E, "{reason}"),  # the container check's own sentence: PDF 文件，不是 Excel 工作簿
    "file-unreadable": Template(E, "无法读取工作簿：{reason}"),
    "sheet-missing": Template(E, "缺少工作表“{subject}”"),
    "sheet-too-large": Template(E, "工作表“{subject}”有 {rows} 行 × {cols} 列，超出评分表的合理大小，未读取"),
    "header-missing": Template(E, "工作表中找不到表头行（应包含：{labels}）"),
    "row-duplicate": Template(E, "编号 {subject} 出现了两次（另一处在 {other}），请删除多余的一行"),
    "row-unknown": Template(W, "编号“{subject}”不是评分标准中的编号，该行未读取"),
    "formula-no-value": Template(E, "{label}：录入单元格中是公式且没有计算结果，请直接填写数值"),
    "text-cleaned": Template(
        W, "{label}：含有不可见的控制字符或文字方向控制符（{chars}），已去除，按“{value}”读取，请核对"
    ),
    "roster-text-cleaned": Template(
        W, "名单第{row}行{field}：含有不可见的控制字符或文字方向控制符（{chars}），已去除，按“{value}”读取"
    ),
    "file-missing": Template(E, "没有找到文件（{reason}）"),
    "year-other": Template(
        W, "评审年度为 {value} 年，与本批统计的 {expected} 年不同：已评分并记入 {value} 年的评分记录，不计入本批统计"
    ),
    "superseded-in-batch": Template(
        W, "同一社区同一年度本批还有另一份评分表 {other}；本份{why}，以那一份为准，本份不计入"
    ),
    "superseded-in-ledger": Template(
        W,
        "已记入评分记录，但 {subject} 的 {year} 年度当前记录是此前记录的 #{record}（{why}），进度和名单以那一份为准；"
        "详见 greencli history {subject}",
    ),
    "voided-in-ledger": Template(
        W,
        "这份评分表此前已记录为 #{record}，并已作废（{reason}），本次没有重新记录；如确需重新记录，请先改正评分表再评分",
    ),
    # ── identity (基本信息) ──
    "identity-missing": Template(E, "基本信息缺少“{subject}”"),
    "year-invalid": Template(E, "评审年度“{value}”" + YEAR_RULE),
    "review-date-missing": Template(E, "评审日期未填写：请填写现场评审的日期，如 2022-10-15"),
    "review-date-unreadable": Template(E, "评审日期“{value}”无法识别，请写成 2022-10-15、2022/10/15 或 2022年10月15日"),
    "review-date-future": Template(E, "评审日期 {value} 晚于今天（{today}），请核对"),
    "review-date-before-year": Template(E, "评审日期 {value} 早于评审年度 {year} 年，会使称号日期提前，请核对"),
    "review-date-after-year": Template(W, "评审日期 {value} 已过评审年度 {year} 年年底，请核对评审年度是否填对"),
    "info-number": Template(W, "{subject}“{value}”不是{expected}，请核对（不影响评分）"),
    "rubric-other": Template(E, "此工作簿按另一评分标准（{other}）生成，与当前标准 {expected} 不同，不能评分"),
    "rubric-version-unknown": Template(
        E, "此工作簿按评分标准版本 {other} 生成，本程序只认识版本 {known}，不能评分，请升级 greencli"
    ),
    "rubric-version": Template(W, "此工作簿按评分标准版本 {other} 生成，当前为 {expected}，已按当前版本评分"),
    "stamp-mismatch": Template(
        W, "工作簿生成时的社区编码为“{other}”，与基本信息中的“{subject}”不一致，请核对是否复制了其他社区的表"
    ),
    "roster-unknown": Template(E, "社区编码“{subject}”不在社区名单中"),
    "roster-mismatch": Template(E, "{field}“{value}”与社区名单中编码 {subject} 的“{expected}”不一致"),
    # ── the 小区 sheet ──
    "compounds-missing": Template(E, "“小区”表至少需要填写 {count} 个居住小区"),
    "compound-name-missing": Template(E, "“小区”表第{row}行：未填写小区名称"),
    "compound-year-invalid": Template(E, "“小区”表第{row}行：建成年份“{value}”不是 {low}～{high} 之间的年份"),
    "compound-area-invalid": Template(E, "“小区”表第{row}行：占地面积“{value}”须为大于0的数字（平方米）"),
    "compound-green-invalid": Template(
        E, "“小区”表第{row}行：绿地面积“{value}”须为 0～占地面积（{area}）之间的数字（平方米）"
    ),
}


# A short Chinese name for each code, shown beside it wherever codes are listed for people (问题清单).
TITLES: Final[dict[str, str]] = {
    "row-missing": "缺少评分行",
    "value-missing": "未填写",
    "value-not-number": "不是数字",
    "value-not-yes-no": "不是是/否",
    "value-have-not-allowed": "本行不能填有/无",
    "value-not-whole": "不是整数",
    "value-negative": "负数",
    "value-out-of-range": "超出范围",
    "value-off-step": "分值步长不符",
    "deduct-below-minimum": "扣分不符合规定",
    "percent-looks-fractional": "疑似漏乘100",
    "fact-full-outside": "满分但事实不符",
    "fact-short-inside": "事实达标但未给满分",
    "derived-value-ignored": "自动计算行的录入值未计入",
    "na-rows-ignored": "不适用项的录入值未计入",
    "bonus-no-evidence": "加分缺少佐证",
    "veto-inconsistent": "否决项与评分不一致",
    "na-derived-conflict": "不适用与小区表矛盾",
    "file-not-xlsx": "不是 xlsx 工作簿",
    "file-unreadable": "文件无法读取",
    "sheet-missing": "缺少工作表",
    "sheet-too-large": "工作表过大",
    "header-missing": "缺少表头",
    "row-duplicate": "编号重复",
    "row-unknown": "未知编号",
    "formula-no-value": "公式没有计算结果",
    "text-cleaned": "已去除控制字符",
    "roster-text-cleaned": "名单已去除控制字符",
    "file-missing": "文件不存在",
    "year-other": "其他评审年度",
    "superseded-in-batch": "被同批评分表取代",
    "superseded-in-ledger": "非当前记录",
    "voided-in-ledger": "记录已作废",
    "identity-missing": "基本信息缺项",
    "year-invalid": "评审年度无效",
    "info-number": "基本信息数字无效",
    "review-date-missing": "评审日期未填",
    "review-date-unreadable": "评审日期无法识别",
    "review-date-future": "评审日期在今天之后",
    "review-date-before-year": "评审日期早于评审年度",
    "review-date-after-year": "评审日期晚于评审年度",
    "rubric-other": "评分标准不同",
    "rubric-version": "评分标准版本不同",
    "rubric-version-unknown": "未知的评分标准版本",
    "stamp-mismatch": "社区编码与生成时不一致",
    "roster-unknown": "不在社区名单中",
    "roster-mismatch": "与社区名单不一致",
    "compounds-missing": "小区表为空",
    "compound-name-missing": "小区名称未填",
    "compound-year-invalid": "建成年份无效",
    "compound-area-invalid": "占地面积无效",
    "compound-green-invalid": "绿地面积无效",
}


def issue_title(code: str) -> str:
    """The Chinese name of an issue code (the code itself for one this version does not know, e.g. from an older
    ledger)."""
    return TITLES.get(code, code)


class UnknownIssueCode(KeyError):
    """A programming error: the code is not in the catalogue."""


def make_issue(
    code: str,
    *,
    sheet: str | None = None,
    cell: str | None = None,
    subject: str | None = None,
    **params: object,
) -> Issue:
    """Build an issue from the catalogue, filling its Chinese template with `params`."""
    try:
        template = CATALOGUE[code]
    except KeyError as exc:
        raise UnknownIssueCode(code) from exc
    message = template.text.format(subject=subject, **params)
    return Issue(code, template.severity, sheet, cell, message, subject)
