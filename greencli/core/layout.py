"""Names of the scoring workbook's sheets and header cells, as the contract fixes them.

The template writer and the reader both use these, so the two can never drift apart.
"""

from typing import Final

INFO_SHEET: Final = "基本信息"
SCORE_SHEET: Final = "评分表"
COMPOUND_SHEET: Final = "小区"
GUIDE_SHEET: Final = "说明"

CODE_HEADER: Final = "编号"
VALUE_HEADER: Final = "录入值"
EVIDENCE_HEADER: Final = "佐证"

# 基本信息 labels the program needs; the value sits in the cell to the label's right.
COMMUNITY_CODE: Final = "社区编码"
COMMUNITY_NAME: Final = "社区名称"
SUBDISTRICT: Final = "乡街"
YEAR: Final = "评审年度"
REVIEW_DATE: Final = "评审日期"
REVIEWERS: Final = "评审人员"

# 小区 columns, in the order the template writes them.
COMPOUND_NAME: Final = "小区名称"
COMPOUND_BUILT: Final = "建成年份"
COMPOUND_AREA: Final = "占地面积"
COMPOUND_GREEN: Final = "绿地面积"
COMPOUND_PROPERTY: Final = "物业服务"
COMPOUND_SORTING: Final = "垃圾分类"
COMPOUND_COLUMNS: Final = (
    COMPOUND_NAME,
    COMPOUND_BUILT,
    COMPOUND_AREA,
    COMPOUND_GREEN,
    COMPOUND_PROPERTY,
    COMPOUND_SORTING,
)

# The stamp a generated workbook carries (the standard and version it was made under, for whom and when): custom
# document properties named with the prefix, and the same keys on a very hidden sheet for programs that drop them.
STAMP_SHEET: Final = "_greencli"
STAMP_PREFIX: Final = "greencli."
STAMP_KEYS: Final = ("rubric_id", "rubric_version", "community_code", "year", "generator")
