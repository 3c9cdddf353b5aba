"""The form's other sheets: 小区 (one residential compound a row, with its green-space arithmetic live), 说明 (how
to fill the form, all drawn from the rubric) and the very hidden stamp.
"""

from __future__ import annotations

from xlsxwriter.workbook import Workbook

from greencli.adapters.cells import a1
from greencli.adapters.template.formulas import compound_ratio_formula
from greencli.adapters.template.geometry import (
    COMPOUND_COLUMNS,
    COMPOUND_HEADER_POINTS,
    COMPOUND_HEADER_ROW,
    COMPOUND_NOTE_POINTS,
    COMPOUND_PRINT_ROWS,
    COMPOUND_ROW_POINTS,
    COMPOUND_ROWS,
    COMPOUND_TITLE_POINTS,
    GUIDE_WIDTH,
    Styles,
    compound_page,
    guide_page,
    merge,
    protect,
    set_columns,
    text_lines,
)
from greencli.adapters.template.personalise import Identity
from greencli.adapters.template.validations import validation, yes_no
from greencli.core import layout as L
from greencli.core.kinds import guide_lines as kind_guide
from greencli.core.rubric import Rubric
from greencli.core.values import fmt
from greencli.core.version import __version__


def write_compounds(wb: Workbook, s: Styles, rubric: Rubric, year: int, identity: Identity | None) -> None:
    ws = wb.add_worksheet(L.COMPOUND_SHEET)
    set_columns(ws, COMPOUND_COLUMNS)
    last_col = len(COMPOUND_COLUMNS) - 1
    name = identity.name if identity else ""
    merge(ws, 0, 0, 0, last_col, f"{name}{year}年度 社区内居住小区情况", s.title)
    ws.set_row(0, COMPOUND_TITLE_POINTS)
    requirement_text = "，".join(
        f"{g.built_from}年以来建成的要求{fmt(g.required)}%" if g.built_from else f"其余要求{fmt(g.required)}%"
        for g in rubric.compounds.green_requirements
    )
    merge(
        ws, 1, 0, 1, last_col,
        f"每个居住小区填一行（至少{rubric.compounds.min_count}个）。面积单位为平方米；物业服务、垃圾分类填 是/否。"
        f"绿地率由程序计算：{requirement_text}。右侧绿色列自动计算。打印时默认打印前{COMPOUND_PRINT_ROWS}行。",
        s.note,
    )  # fmt: skip
    ws.set_row(1, COMPOUND_NOTE_POINTS)
    for col, (title, _) in enumerate(COMPOUND_COLUMNS):
        ws.write_string(COMPOUND_HEADER_ROW, col, title, s.header)
    ws.set_row(COMPOUND_HEADER_ROW, COMPOUND_HEADER_POINTS)
    first, last = COMPOUND_HEADER_ROW + 1, COMPOUND_HEADER_ROW + COMPOUND_ROWS
    for r in range(first, last + 1):
        ws.set_row(r, COMPOUND_ROW_POINTS)
        ws.write_blank(r, 0, None, s.input_text)
        for col in range(1, 4):
            ws.write_blank(r, col, None, s.input)
        ws.write_blank(r, 4, None, s.input)
        ws.write_blank(r, 5, None, s.input)
        b, c, d = a1(r, 1), a1(r, 2), a1(r, 3)
        ws.write_formula(
            r,
            6,
            compound_ratio_formula(c, d, rubric.compounds.ratio_decimals),
            s.formula,
            "",
        )
        requirement = '""'
        for g in reversed(rubric.compounds.green_requirements):
            requirement = (
                f"IF({b}>={g.built_from},{fmt(g.required)},{requirement})" if g.built_from else fmt(g.required)
            )
        ws.write_formula(r, 7, f'=IF(ISNUMBER({b}),{requirement},"")', s.formula, "")
        g_, h_ = a1(r, 6), a1(r, 7)
        ws.write_formula(r, 8, f'=IF(AND(ISNUMBER({g_}),ISNUMBER({h_})),MAX(0,{h_}-{g_}),"")', s.formula, "")
        i_ = a1(r, 8)
        ws.write_formula(r, 9, f'=IF(ISNUMBER({i_}),IF({i_}>0,"不达标","达标"),"")', s.formula_text, "")
    span = (first, 0, last, 0)
    ws.data_validation(*span[:1], 1, last, 1, validation(
        "integer", L.COMPOUND_BUILT, "填建成年份（四位数字），如 2015",
        f"请填 {rubric.compounds.earliest_built}～{year} 之间的年份",
        criteria="between", minimum=rubric.compounds.earliest_built, maximum=year))  # fmt: skip
    ws.data_validation(first, 2, last, 2, validation(
        "decimal", L.COMPOUND_AREA, "填占地面积（平方米）", "占地面积须为大于0的数字", criteria=">", value=0))  # fmt: skip
    ws.data_validation(first, 3, last, 3, validation(
        "custom", L.COMPOUND_GREEN, "填绿地面积（平方米），不超过占地面积", "绿地面积须为0～占地面积之间的数字",
        value=f"=AND(ISNUMBER({a1(first, 3)}),{a1(first, 3)}>=0,{a1(first, 3)}<=N({a1(first, 2)}))"))  # fmt: skip
    for col, title in ((4, L.COMPOUND_PROPERTY), (5, L.COMPOUND_SORTING)):
        ws.data_validation(first, col, last, col, yes_no(title))
    compound_page(ws, identity)
    protect(ws)


def guide_lines(rubric: Rubric) -> list[tuple[str, str]]:
    """The 说明 sheet as (style, text) lines, all drawn from the rubric."""
    vetoes = [f"{v.code} {v.name}：{v.criteria}" for v in rubric.vetoes]
    return [
        ("title", f"{rubric.title} — 填表说明"),
        ("head", "一、怎么填"),
        ("text", f"1. “{L.INFO_SHEET}”表：核对社区编码、名称、乡街、评审年度，填写评审日期、评审人员和{rubric.form.title}各项。"),
        ("text", f"2. “{L.SCORE_SHEET}”表：只在黄色的“{L.VALUE_HEADER}”列填写，每个编号一行；“{L.EVIDENCE_HEADER}”列可写备注或佐证材料文件名。"),
        ("text", f"3. “{L.COMPOUND_SHEET}”表：社区内每个居住小区填一行，绿地率、物业服务和垃圾分类相关得分由此自动计算。"),
        ("text", "4. 填好后保存为 .xlsx 文件交回，不要改动工作表名称和“编号”列；可以插入行或调整行高列宽。"),
        ("head", "二、各类录入值的含义"),
        *(("text", line) for line in kind_guide(rubric)),
        ("head", "三、加分项"),
        ("text", f"{rubric.bonus.content}{rubric.bonus.criteria}加分须在“佐证”列写明荣誉名称，否则无效。"),
        ("head", f"四、否决项（有任一项即不能认定为{rubric.campaign.name}）"),
        *(("text", v) for v in vetoes),
        ("text", "否决项的处数必须填写，没有发现填 0，留空视为未填完。"),
        ("head", "五、评审结论"),
        ("text", f"{rubric.pass_rule}即：总分（含加分，不超过{fmt(rubric.max_total)}分）≥ {fmt(rubric.pass_mark)} 分且无否决项为“达标”。"),
        ("text", "表中绿色单元格的得分随录入自动计算，仅供参考；正式得分由区评审办公室用程序统一计算。"),
        ("head", "六、版本"),
        ("text", f"评分标准：{rubric.id} 版本 {rubric.version}（{rubric.source}）；生成程序：greencli {__version__}。"),
    ]  # fmt: skip


def write_guide(wb: Workbook, s: Styles, rubric: Rubric, identity: Identity | None) -> None:
    ws = wb.add_worksheet(L.GUIDE_SHEET)
    ws.set_column(0, 0, GUIDE_WIDTH)
    styles = {"title": s.guide_title, "head": s.guide_head, "text": s.guide}
    for r, (style, text) in enumerate(guide_lines(rubric)):
        ws.write_string(r, 0, text, styles[style])
        ws.set_row(r, max(18, text_lines(text, GUIDE_WIDTH * 0.9) * 15 + 4))  # 10-pt text: 0.9 of the 9-pt width
    guide_page(ws, identity)
    protect(ws)


def write_stamp(wb: Workbook, stamp: dict[str, str]) -> None:
    ws = wb.add_worksheet(L.STAMP_SHEET)
    for r, key in enumerate(L.STAMP_KEYS):
        ws.write_string(r, 0, key)
        ws.write_string(r, 1, stamp[key])
        wb.set_custom_property(L.STAMP_PREFIX + key, stamp[key])
    ws.very_hidden()
    protect(ws)
