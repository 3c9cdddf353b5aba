"""Make the sample district: a roster and filled inspection workbooks for 2021, 2022 and 2023.

Deterministic: running it again reproduces the same workbooks (by meaning; file timestamps differ). The blank
forms come from greencli's own `template` job and are filled through the contract only, as an inspector would.

    python samples/generate.py            # rewrite samples/ in place
    python samples/generate.py OUT_DIR    # write somewhere else (tests compare the two)

Every path a user meets is here: clear passes, near misses at 79.5, each of the four vetoes, not-applicable
items, a bonus that takes a total past 100, compounds whose green-space ratio fails, re-reviews passed and failed,
overdue re-reviews, a 乡街 with no nomination in 2022, two workbooks for one community in one batch, and a
handful of the mistakes inspectors really make. 2021 ends above its 30 % target; 2022 lands just under 60 %; 2023
meets it again.

The walk over three years also shows the second reading of the standard (rubric 2021.2): a health centre's partial
20.2 beside the population it serves (20.3), with and without the consistency warning; a title that lapses after
two years without re-review (TF-03); a title regained after its revocation (ZJ-04); titles of autumn 2022 that become
eligible for the province only on their anniversary (`progress --year 2023 --as-of 2023-09-30`); communities
nominated again after failing; and a blank 评审日期. 船厂路街道 filled its 2021 and 2022 forms on the first reading
(2021.1), so those batches show both versions side by side.
"""

from __future__ import annotations

import csv
import random
import shutil
import struct
import sys
import tempfile
import zlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from greencli.adapters.rubric_file import load_rubric
from greencli.adapters.xlsx_fill import fill
from greencli.core.engine import evaluate
from greencli.core.model import CompoundEntry, Entries, Field
from greencli.core.roster import Community
from greencli.core.rubric import RowKind, Rubric
from greencli.jobs.template import make_templates, plan_paths

HERE = Path(__file__).resolve().parent
YEARS = (2021, 2022, 2023)
NEWEST = "2021.2"
# 船厂路街道 printed its forms early and kept using them: its 2021 and 2022 workbooks carry the first reading.
FIRST_READING = ("2021.1", "船厂路街道", (2021, 2022))

SUBDISTRICTS: dict[str, tuple[str, list[str]]] = {
    "渤海乡": ("BH", ["渤海社区", "海岸社区", "新港社区", "金沙社区"]),
    "珠江道街道": ("ZJ", ["珠江社区", "海滨社区", "山海社区", "翠苑社区", "长江东社区", "长江西社区", "松花江社区",
                     "黑龙江社区", "嘉陵江社区", "秦皇西社区", "华山社区", "峨眉山社区"]),
    "黄河道街道": ("HH", ["黄河社区", "泰山社区", "嵩山社区", "衡山社区", "恒山社区", "燕山社区", "太行社区", "天山社区",
                     "昆仑社区", "祁连社区", "长白社区"]),
    "腾飞路街道": ("TF", ["腾飞社区", "龙海社区", "金港社区", "银滩社区", "海韵社区", "丽港社区", "碧水社区", "蓝天社区",
                     "朝阳社区", "星河社区"]),
    "船厂路街道": ("CC", ["船厂社区", "造船社区", "海港社区", "渔港社区", "灯塔社区", "海鸥社区", "帆影社区", "锚地社区",
                     "码头社区"]),
}  # fmt: skip
VILLAGES = ["西河村", "东河村", "南庄村", "北戴村", "李庄村", "王各庄村"]
COMPOUND_NAMES = ["阳光花园", "海景家园", "金色港湾", "滨海新城", "绿洲小区", "和平里", "幸福里", "春晖苑", "秋实苑",
                  "康乐园", "锦绣华庭", "富民小区", "建设里", "东方明珠苑", "碧海蓝天"]  # fmt: skip
REVIEWERS = ["王建国、李红", "张伟、刘洋", "陈静、赵磊", "杨帆、孙丽", "周强、吴敏"]


def roster() -> list[Community]:
    out = []
    for subdistrict, (prefix, names) in SUBDISTRICTS.items():
        out += [Community(f"{prefix}-{n:02d}", name, subdistrict, "城市社区") for n, name in enumerate(names, 1)]
    out += [Community(f"BH-V{n}", name, "渤海乡", "村") for n, name in enumerate(VILLAGES, 1)]
    return out


@dataclass(frozen=True)
class Plan:
    code: str
    scenario: str  # pass | near | fail | veto:Vn | na | bonus | green | mistake:<kind>
    date: str
    low: float = 84  # for pass: the total lands in [low, high]
    high: float = 97
    file_suffix: str = ""
    fixed: tuple[tuple[str, Any], ...] = ()  # entries set on purpose, never touched by the random findings


def rubric_version(plan: Plan, year: int) -> str:
    """The version of the standard the community's blank form was generated for."""
    version, subdistrict, years = FIRST_READING
    prefix = SUBDISTRICTS[subdistrict][0]
    return version if plan.code.startswith(f"{prefix}-") and year in years else NEWEST


PLANS: dict[int, list[Plan]] = {
    2021: [
        Plan("ZJ-01", "pass", "2021-09-14"), Plan("ZJ-02", "pass", "2021-09-15"), Plan("ZJ-03", "bonus", "2021-09-16"),
        Plan("ZJ-04", "pass", "2021-09-17", 80, 83), Plan("ZJ-05", "near", "2021-09-18"),
        Plan("ZJ-06", "veto:V1", "2021-09-22"),
        Plan("HH-01", "pass", "2021-10-08"), Plan("HH-02", "na", "2021-10-09"), Plan("HH-03", "pass", "2021-10-11"),
        Plan("HH-04", "veto:V2", "2021-10-12"), Plan("HH-05", "pass", "2021-10-13", 80, 84),
        Plan("TF-01", "pass", "2021-10-18"), Plan("TF-02", "pass", "2021-10-19"), Plan("TF-03", "pass", "2021-10-20"),
        Plan("TF-04", "veto:V3", "2021-10-21"), Plan("TF-05", "mistake:bonus-evidence", "2021-10-22"),
        Plan("CC-01", "pass", "2021-11-02"), Plan("CC-02", "pass", "2021-11-03"), Plan("CC-03", "veto:V4", "2021-11-04"),
        Plan("CC-04", "green", "2021-11-05"), Plan("CC-05", "mistake:text-count", "2021-11-08"),
        Plan("BH-01", "pass", "2021-11-15"), Plan("BH-02", "fail", "2021-11-16"), Plan("BH-V1", "pass", "2021-11-17"),
    ],
    2022: [
        # re-reviews of the 2021 titles: most pass, two fail (revoked), TF-03 is never re-reviewed (overdue)
        Plan("ZJ-01", "pass", "2022-09-20"), Plan("ZJ-01", "fail", "2022-09-06", file_suffix="_初评"),
        Plan("ZJ-02", "pass", "2022-09-21"), Plan("ZJ-03", "pass", "2022-09-22"), Plan("ZJ-04", "fail", "2022-09-23"),
        Plan("HH-01", "pass", "2022-10-10"), Plan("HH-02", "na", "2022-10-11"), Plan("HH-03", "pass", "2022-10-12"),
        Plan("HH-05", "veto:V3", "2022-10-13"), Plan("TF-01", "pass", "2022-10-17"), Plan("TF-02", "pass", "2022-10-18"),
        Plan("CC-01", "pass", "2022-11-01"), Plan("CC-02", "pass", "2022-11-02"), Plan("CC-04", "pass", "2022-11-03"),
        Plan("BH-01", "pass", "2022-11-14"), Plan("BH-V1", "pass", "2022-11-15"),
        # communities that failed or were vetoed in 2021 try again
        Plan("ZJ-05", "pass", "2022-09-26"), Plan("ZJ-06", "pass", "2022-09-27"), Plan("HH-04", "pass", "2022-10-14"),
        Plan("TF-04", "pass", "2022-10-19"), Plan("CC-05", "pass", "2022-11-04"),
        # nominations of the year (渤海乡 puts forward none)
        Plan("ZJ-07", "pass", "2022-09-28"), Plan("ZJ-08", "bonus", "2022-09-29"), Plan("ZJ-09", "near", "2022-09-30"),
        Plan("ZJ-10", "mistake:formula", "2022-10-08"),
        Plan("HH-06", "pass", "2022-10-20"), Plan("HH-07", "green", "2022-10-21"), Plan("HH-08", "veto:V4", "2022-10-24"),
        Plan("HH-09", "mistake:out-of-range", "2022-10-25"),
        Plan("TF-06", "pass", "2022-10-26"), Plan("TF-07", "na", "2022-10-27"),
        Plan("CC-06", "pass", "2022-11-07"), Plan("CC-07", "pass", "2022-11-08"), Plan("CC-08", "mistake:year", "2022-11-09"),
    ],
    2023: [
        # re-reviews of the 2022 holders; HH-07 is not re-reviewed this year (待复审), TF-07 fails its re-review.
        # TF-03, not re-reviewed in 2022 either, lapses (逾期未复审).
        Plan("ZJ-01", "pass", "2023-09-12"), Plan("ZJ-02", "pass", "2023-09-13"), Plan("ZJ-03", "bonus", "2023-09-14"),
        Plan("ZJ-05", "pass", "2023-09-15"), Plan("ZJ-06", "pass", "2023-09-18"), Plan("ZJ-07", "pass", "2023-09-19"),
        Plan("ZJ-08", "pass", "2023-09-20"),
        Plan("HH-01", "pass", "2023-10-09"), Plan("HH-02", "na", "2023-10-10"), Plan("HH-03", "pass", "2023-10-11"),
        Plan("HH-04", "pass", "2023-10-12"), Plan("HH-06", "green", "2023-10-13"),
        Plan("TF-01", "pass", "2023-10-16"), Plan("TF-02", "pass", "2023-10-17"), Plan("TF-04", "pass", "2023-10-18"),
        Plan("TF-06", "pass", "2023-10-19"), Plan("TF-07", "fail", "2023-10-20"),
        Plan("CC-01", "pass", "2023-10-30"), Plan("CC-02", "pass", "2023-10-31"), Plan("CC-04", "pass", "2023-11-01"),
        Plan("CC-05", "pass", "2023-11-02"), Plan("CC-06", "pass", "2023-11-03"), Plan("CC-07", "pass", "2023-11-06"),
        Plan("BH-01", "pass", "2023-11-13"), Plan("BH-V1", "pass", "2023-11-14"),
        # nominations: ZJ-04 regains the title it lost in 2022; ZJ-09 (79.5 in 2022) and BH-02 (failed 2021) try again;
        # 珠江道街道 puts forward three (above the plan's two); CC-08's 2022 workbook was never corrected.
        Plan("ZJ-04", "pass", "2023-09-21"), Plan("ZJ-09", "pass", "2023-09-22"), Plan("ZJ-11", "fail", "2023-09-25"),
        Plan("HH-08", "pass", "2023-10-23"),
        # the health centre serves 26,000 people, yet 20.2 got full marks: a warning
        Plan("HH-10", "pass", "2023-10-24", fixed=(("20.2", 2.0), ("20.3", 26000))),
        # a centre serving 45,000 (inside 3~10万) with 1.5 of 2: the inspector's call, with a warning to look again
        Plan("TF-08", "pass", "2023-10-25", fixed=(("20.2", 1.5), ("20.3", 45000))),
        Plan("TF-09", "mistake:date", "2023-10-26"),
        Plan("CC-08", "pass", "2023-11-07"), Plan("CC-09", "pass", "2023-11-08"),
        # the example: a centre serving 28,000, given 1 of 2 at the inspector's discretion (no warning)
        Plan("BH-02", "pass", "2023-11-15", 80, 90, fixed=(("20.2", 1.0), ("20.3", 28000))),
    ],
}  # fmt: skip


def rng_for(*parts: object) -> random.Random:
    return random.Random(zlib.crc32("|".join(map(str, parts)).encode()))


@dataclass(frozen=True)
class Compound:
    name: Any
    built: Any
    area: Any
    green: Any
    prop: Any
    sort: Any


def compounds_for(
    rng: random.Random, *, failing: int = 0, unsorted: int = 0, count: int | None = None
) -> list[Compound]:
    """Residential compounds; `failing` of them short of their green-space requirement."""
    n = count if count is not None else rng.randint(2, 5)
    names = rng.sample(COMPOUND_NAMES, n)
    out = []
    for i, name in enumerate(names):
        built = rng.randint(1988, 2020)
        area = rng.randrange(8000, 60000, 100)
        required = 35 if built >= 2017 else 30
        share = rng.uniform(required - 9, required - 2) if i < failing else rng.uniform(required + 0.5, required + 9)
        out.append(Compound(name, built, area, round(area * share / 100), "是" if rng.random() < 0.85 or i == 0 else "否",
                            "否" if i < unsorted else "是"))  # fmt: skip
    return out


def _entries(rubric: Rubric, values: dict[str, Any], compounds: list[Compound], evidence: dict[str, Any]) -> Entries:
    fields = {code: Field(v) for code, v in values.items()}
    rows = [CompoundEntry(i, *(Field(getattr(c, k)) for k in ("name", "built", "area", "green", "prop", "sort")))
            for i, c in enumerate(compounds, 2)]  # fmt: skip
    return Entries(fields, {k: Field(v) for k, v in evidence.items()}, rows, 2022)


def perfect(rubric: Rubric) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for row in rubric.rows():
        values[row.code] = {
            RowKind.SCORE: float(row.points), RowKind.CHECK: "是", RowKind.COUNT: 0, RowKind.DEDUCT: 0, RowKind.NA: "否",
            RowKind.MEASURE: 99.2 if row.unit == "%" else 52000, RowKind.DERIVED: None, RowKind.FACT: 52000,
        }[row.kind]  # fmt: skip
    values.update({"B": None, "V1": 0, "V3": 0, "V4": 0})
    return values


def defects(rubric: Rubric) -> list[tuple[str, Any]]:
    """Typical findings: a score a little short, a 否, a few defects, a small deduction.

    A row checked against a fact (20.2 against the population 20.3) is left alone: the samples set such pairs on
    purpose (Plan.fixed), so the consistency warnings appear where the story puts them and nowhere else.
    """
    checked = {row.checks for row in rubric.rows() if row.checks}
    out: list[tuple[str, Any]] = []
    for row in rubric.rows():
        if row.code in checked:
            continue
        if row.kind is RowKind.SCORE:
            out += [(row.code, float(row.points) - 0.5), (row.code, float(row.points) - 1)] if row.points >= 1 else []
        elif row.kind is RowKind.CHECK and row.points <= 2:
            out.append((row.code, "否"))
        elif row.kind is RowKind.COUNT:
            out += [(row.code, 1), (row.code, 2)]
    extra: list[tuple[str, Any]] = [("7.3", 1), ("10.2", 0.5), ("10.1", 96.5)]
    if rubric.kind_of("20.2") is RowKind.MEASURE:  # the first reading measured the population itself
        extra.append(("20.2", 28500))
    return [*out, *extra]


def shape(rubric: Rubric, rng: random.Random, values: dict[str, Any], compounds: list[Compound],
          evidence: dict[str, Any], low: float, high: float, fixed: frozenset[str] = frozenset()) -> dict[str, Any]:  # fmt: skip
    """Apply random findings, never to the `fixed` codes, until the total lands in [low, high]."""
    pool = [(code, value) for code, value in defects(rubric) if code not in fixed]
    rng.shuffle(pool)
    current = dict(values)
    for code, value in pool:
        if current.get(code) is None:
            continue  # a row left blank on purpose (an item that does not apply)
        total = evaluate(rubric, _entries(rubric, current, compounds, evidence)).total
        assert total is not None
        if total <= Decimal(str(high)):
            break
        trial = {**current, code: value}
        trial_total = evaluate(rubric, _entries(rubric, trial, compounds, evidence)).total
        if trial_total is not None and trial_total >= Decimal(str(low)):
            current = trial
    return current


NEAR_MISS = {"2.1": 0, "3.1": 0, "9.1": 0, "11.1": 0, "12.1": 0, "22.1": 0, "1.2": 0.5}  # exactly 79.5


def pdf(text: str) -> bytes:
    """A one-page PDF saying `text` (ASCII): a stand-in for a scanned document, the same bytes on every run."""
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, start)
    return bytes(out)


def png(seed: str, size: int = 48) -> bytes:
    """A small picture (a stand-in for a site photo), coloured by `seed`, the same bytes on every run."""
    rng = rng_for("png", seed)
    colour = bytes(rng.randrange(80, 220) for _ in range(3))
    raw = b"".join(b"\x00" + colour * size for _ in range(size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


# Evidence folders (佐证材料) for a few communities of 2023: files named by their entry's 编号 (a file, or a folder
# named by an item's number), and files a 佐证 cell names. HH-03's 佐证 names a meeting record that is not in its
# folder: the demo shows the warning. Each: the folder's files, and the 佐证 cells written in the workbook.
EVIDENCE: dict[tuple[int, str], tuple[dict[str, bytes], dict[str, str]]] = {
    (2023, "ZJ-01"): (
        {
            "1.1_创建领导小组文件.pdf": pdf("ZJ-01 2023 leading group"),
            "1.2_2023年度工作计划.pdf": pdf("ZJ-01 2023 work plan"),
            "2/双报到活动签到表.pdf": pdf("ZJ-01 2023 sign-in sheet"),
            "2/双报到活动照片.png": png("ZJ-01-2"),
            "3.1_党建联席会议记录.pdf": pdf("ZJ-01 2023 joint meetings"),
            "道路巡查照片.png": png("ZJ-01-roads"),
        },
        {"5.1": "巡查记录见 道路巡查照片.png"},
    ),
    (2023, "ZJ-03"): (
        {"B_全国文明社区证书.png": png("ZJ-03-B"), "1.2_2023年度工作计划.pdf": pdf("ZJ-03 2023 work plan")},
        {"B": "全国文明社区（2020年），证书见 B_全国文明社区证书.png"},
    ),
    (2023, "HH-03"): (
        {"1.1_创建领导小组文件.pdf": pdf("HH-03 2023 leading group"), "2/双报到活动照片.png": png("HH-03-2")},
        {"3.1": "党建联席会议记录.pdf"},  # not in the folder
    ),
}


def write_evidence(workbook: Path, files: dict[str, bytes]) -> list[Path]:
    """The evidence folder beside `workbook` (its name without .xlsx), holding exactly `files`."""
    folder = workbook.with_name(workbook.stem)
    if folder.exists():
        shutil.rmtree(folder)
    written = []
    for name, data in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written.append(target)
    return written


def answers(
    rubric: Rubric, plan: Plan, year: int
) -> tuple[dict[str, Any], list[Compound], dict[str, Any], dict[str, Any]]:
    """Values, compounds, evidence and extra 基本信息 for one planned workbook."""
    rng = rng_for(plan.code, year, plan.scenario, plan.file_suffix)
    values = perfect(rubric)
    evidence: dict[str, Any] = {}
    info: dict[str, Any] = {}
    compounds = compounds_for(rng)
    kind, _, detail = plan.scenario.partition(":")
    values.update(plan.fixed)
    if kind == "pass":
        fixed = frozenset(code for code, _ in plan.fixed)
        values = shape(rubric, rng, values, compounds, evidence, plan.low, plan.high, fixed)
    elif kind == "near":
        values.update(NEAR_MISS)
    elif kind == "fail":
        values = shape(rubric, rng, values, compounds, evidence, 62, 72)
    elif kind == "bonus":
        values.update({"9.1": 3, "B": 3})
        evidence = {"B": "全国文明社区（2020年）"}
    elif kind == "na":
        values.update({"11.0": "是", "11.1": None, "14.0": "是", "14.1": None, "25.0": "是", "25.1": None,
                       "30.0": "是", "30.1": None})  # fmt: skip
        compounds = [Compound(c.name, c.built, c.area, c.green, c.prop, "是") for c in compounds]
        values = shape(rubric, rng, values, compounds, evidence, 85, 95)
    elif kind == "green":
        compounds = compounds_for(rng, failing=1, unsorted=1, count=4)
        values = shape(rubric, rng, values, compounds, evidence, 82, 90)
    elif kind == "veto":
        if detail == "V2":
            compounds = compounds_for(rng, failing=3, count=4)
        else:
            values[detail] = rng.randint(5, 8)
            values[{"V1": "19.1", "V4": "6.1"}.get(detail, "18.1")] = 3
        values = shape(rubric, rng, values, compounds, evidence, 80, 92)
    elif kind == "mistake":
        values = shape(rubric, rng, values, compounds, evidence, 82, 94)
        match detail:
            case "bonus-evidence":
                values["B"] = 2
            case "text-count":
                values["5.1"] = "多处"  # words that are no count (一处, 两处 are read as 1 and 2)
                values["18.1"] = "若干处"
            case "formula":
                values["1.1"] = "=K6*2"
            case "out-of-range":
                values["7.3"] = 3
                values["V1"] = None
            case "year":
                info["评审年度"] = year - 10
            case "date":
                info["评审日期"] = None  # required from 2021.2: the workbook is invalid until it is filled in
    evidence = {**evidence, **EVIDENCE.get((year, plan.code), ({}, {}))[1]}
    info = {"评审日期": plan.date, "评审人员": rng.choice(REVIEWERS), "联系电话": f"0335-{rng.randint(5000000, 8999999)}",
            "社区人口": rng.randrange(3000, 16000, 10), "社区户数": rng.randrange(1200, 5200, 5), **info}  # fmt: skip
    return values, compounds, evidence, info


def write_roster(folder: Path, communities: list[Community]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    header = ["社区编码", "社区名称", "乡街", "类型"]
    with (folder / "roster.csv").open("w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel opens it right
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([c.code, c.name, c.subdistrict, c.kind] for c in communities)
    wb = xlsxwriter.Workbook(str(folder / "roster.xlsx"), {"strings_to_formulas": False, "strings_to_numbers": False})
    ws = wb.add_worksheet("社区名单")
    bold = wb.add_format({"bold": True, "bg_color": "#D9E1F2"})
    for col, (title, width) in enumerate(zip(header, (12, 16, 14, 10), strict=True)):
        ws.write_string(0, col, title, bold)
        ws.set_column(col, col, width)
    for r, c in enumerate(communities, 1):
        for col, value in enumerate((c.code, c.name, c.subdistrict, c.kind)):
            ws.write_string(r, col, value)
    ws.freeze_panes(1, 0)
    wb.close()


def generate(target: Path) -> list[Path]:
    """Write roster.{csv,xlsx} and inspections/<year>/<乡街>/<code>_<name>.xlsx under `target`."""
    rubrics = {version: load_rubric(version=version) for version in (NEWEST, FIRST_READING[0])}
    communities = roster()
    by_code = {c.code: c for c in communities}
    write_roster(target, communities)
    written = []
    for year in YEARS:
        with tempfile.TemporaryDirectory() as blank_dir:
            blank_of: dict[tuple[str, str], Path] = {}
            blank: dict[str, Path] = {}
            for version, rubric in rubrics.items():
                folder = Path(blank_dir) / version
                wanted = [by_code[p.code] for p in PLANS[year] if rubric_version(p, year) == version]
                made = make_templates(rubric, year, folder, wanted, force=True).made if wanted else []
                blank_of |= {(version, m.community.code): m.path for m in made if m.community is not None}
                # villages get no form from `template`; a village that asks to be assessed fills the blank one
                blank[version] = make_templates(rubric, year, folder / "blank", None).made[0].path
            out = target / "inspections" / str(year)
            for plan in PLANS[year]:
                community = by_code[plan.code]
                version = rubric_version(plan, year)
                (path,) = plan_paths(out, [community])
                path = path.with_name(path.stem + plan.file_suffix + path.suffix)
                values, compounds, evidence, info = answers(rubrics[version], plan, year)
                source = blank_of.get((version, plan.code))
                if source is None:
                    source = blank[version]
                    info = {
                        "社区编码": community.code,
                        "社区名称": community.name,
                        "乡街": community.subdistrict,
                        **info,
                    }
                written.append(fill(source, path, values, evidence=evidence, compounds=compounds, info=info))
                if (year, plan.code) in EVIDENCE and not plan.file_suffix:
                    write_evidence(path, EVIDENCE[(year, plan.code)][0])
    return written


def main(argv: list[str]) -> None:
    target = Path(argv[1]) if len(argv) > 1 else HERE
    paths = generate(target)
    print(f"wrote roster and {len(paths)} inspection workbooks under {target}")


if __name__ == "__main__":
    main(sys.argv)
