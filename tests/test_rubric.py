"""The bundled rubric holds standard.md exactly, matches the seed's wording, and broken rubrics fail clearly."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from greencli.adapters import rubric_file
from greencli.adapters.rubric_file import bundled_paths, load_rubric
from greencli.core.rubric import RowKind, Rubric, RubricError
from greencli.core.rubric_loader import parse_rubric

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "docs" / "source" / "秦开管办发〔2021〕18号.txt"

# standard.md, "The 31 items, as rows": code, kind, P, r (per instance) — transcribed independently of the rubric.
STANDARD_ROWS: list[tuple[str, str, float | None, float | None]] = [
    ("1.1", "score", 2, None), ("1.2", "score", 1, None), ("2.1", "score", 3, None), ("3.1", "score", 3, None),
    ("4.1", "check", 1, None),
    ("5.1", "count", 4, 1), ("6.1", "count", 4, 1), ("7.1", "check", 2, None), ("7.2", "check", 2, None),
    ("7.3", "deduct", 2, None), ("8.1", "check", 1, None), ("8.2", "check", 2, None), ("8.3", "check", 1, None),
    ("9.1", "score", 4, None), ("10.1", "measure", 4, None), ("10.2", "deduct", 4, None), ("11.0", "na", None, None),
    ("11.1", "score", 4, None), ("12.1", "score", 4, None), ("13.1", "check", 4, None), ("14.0", "na", None, None),
    ("14.1", "count", 4, 1),
    ("15.1", "derived", 2, None), ("15.2", "count", 2, 0.5), ("16.1", "check", 2, None), ("16.2", "check", 2, None),
    ("17.1", "score", 2, None), ("17.2", "check", 1, None), ("18.1", "count", 2, 0.5), ("18.2", "check", 2, None),
    ("19.1", "count", 3, 1), ("20.1", "check", 1, None), ("20.2", "measure", 2, None), ("21.1", "check", 1, None),
    ("21.2", "check", 1, None), ("21.3", "check", 1, None), ("22.1", "score", 2, None), ("22.2", "check", 1, None),
    ("22.3", "check", 1, None), ("23.1", "derived", 2, None),
    ("24.1", "derived", 4, None), ("25.0", "na", None, None), ("25.1", "score", 3, None), ("26.1", "check", 2, None),
    ("26.2", "check", 1, None),
    ("27.1", "check", 1, None), ("27.2", "score", 1, None), ("28.1", "score", 1, None), ("28.2", "score", 1, None),
    ("28.3", "score", 1, None), ("29.1", "count", 1, 0.5), ("29.2", "check", 1, None), ("30.0", "na", None, None),
    ("30.1", "check", 2, None), ("31.1", "check", 1, None),
]  # fmt: skip
ITEM_MAXIMA = [3, 3, 3, 1, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3, 4, 3, 3, 3, 4, 2, 4, 3, 3, 2, 3, 2, 2, 1]
CATEGORIES = [("建立健全人居环境建设和整治机制", 10), ("打造绿色安全社区基础设施", 40), ("营造社区宜居环境", 30),
              ("提高社区信息化智能化水平", 10), ("培育社区绿色文化", 10)]  # fmt: skip


def newest_path() -> Path:
    """The newest bundled version's file (versions sit side by side in templates/)."""
    return bundled_paths()[-1]


def test_bundled_rubric_loads_with_identity(rubric: Rubric) -> None:
    assert rubric.id == "qhd-etdz-green-community"
    assert rubric.version
    assert rubric.max_total == 100 and rubric.pass_mark == 80 and rubric.step == Decimal("0.5")
    assert newest_path().name.endswith(".toml")


def test_rows_are_exactly_those_of_standard_md(rubric: Rubric) -> None:
    got = [
        (r.code, r.kind.value, float(r.points) if r.kind is not RowKind.NA else None,
         float(r.per) if r.kind is RowKind.COUNT and r.per is not None else None)
        for r in rubric.rows()
    ]  # fmt: skip
    assert got == STANDARD_ROWS


def test_items_and_categories_match_standard_md(rubric: Rubric) -> None:
    assert [int(i.points) for i in rubric.items] == ITEM_MAXIMA
    assert [(c.name, int(c.points)) for c in rubric.categories] == CATEGORIES
    assert sum(c.points for c in rubric.categories) == 100


def test_measure_derived_veto_and_campaign_thresholds(rubric: Rubric) -> None:
    lighting, population = rubric.row("10.1"), rubric.row("20.2")
    assert (lighting.at_least, lighting.at_most, lighting.unit) == (98, None, "%")
    assert (population.at_least, population.at_most, population.unit) == (30000, 100000, "人")
    assert rubric.row("7.3").min_nonzero == 1
    assert rubric.row("15.1").rule == "green_ratio" and rubric.row("15.1").shortfall_step == 5
    assert rubric.row("23.1").per == Decimal("0.5") and rubric.row("24.1").above == 30
    assert {v.code: (v.kind, v.at_least, v.above) for v in rubric.vetoes} == {
        "V1": ("count", 5, None), "V2": ("derived", None, 50), "V3": ("count", 5, None), "V4": ("count", 5, None),
    }  # fmt: skip
    assert rubric.veto("V1").warn_row == "19.1" and rubric.veto("V4").warn_row == "6.1"
    assert rubric.bonus.code == "B" and rubric.bonus.max == 3
    assert rubric.compounds.required_ratio(2017) == 35 and rubric.compounds.required_ratio(2016) == 30
    campaign = rubric.campaign
    assert [campaign.target_for(y) for y in (2019, 2020, 2021, 2022, 2023, 2030)] == [
        None, None, Decimal("0.3"), Decimal("0.6"), Decimal("0.6"), Decimal("0.6"),
    ]  # fmt: skip
    assert (campaign.nominations_min, campaign.nominations_max) == (1, 2)


def test_entry_codes_cover_rows_bonus_and_vetoes(rubric: Rubric) -> None:
    codes = rubric.entry_codes
    assert len(codes) == len(set(codes)) == 55 + 1 + 4
    assert codes[-5:] == ("B", "V1", "V2", "V3", "V4")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_official_text_matches_the_seed_wording(rubric: Rubric) -> None:
    seed = _squash(SEED.read_text(encoding="utf-8"))
    annex = seed[seed.index("附件2秦皇岛经济技术开发区“绿色社区”评审标准") :]
    texts = [rubric.pass_rule, rubric.bonus.content, rubric.bonus.criteria]
    texts += [t for i in rubric.items for t in (i.content, i.criteria)]
    texts += [t for v in rubric.vetoes for t in (v.name, v.criteria)]
    missing = [t for t in texts if _squash(t) not in annex]
    assert missing == []
    for category in rubric.categories:
        assert _squash("".join(category.name)) in re.sub(r"[^\u4e00-\u9fff]", "", annex)


def test_units_named_in_the_rubric_appear_in_the_seed(rubric: Rubric) -> None:
    seed = _squash(SEED.read_text(encoding="utf-8")).replace("(", "（").replace(")", "）")
    units = {u for i in rubric.items for u in (*i.supervisors, *i.responsible, *i.methods)}
    assert [u for u in sorted(units) if u not in seed] == []


def test_vendored_seed_is_the_shared_one() -> None:
    shared = ROOT.parent / "shared" / "seed" / "000_19e74f7518abefb9.txt"
    if not shared.exists():
        pytest.skip("../shared is not beside this checkout")
    assert shared.read_bytes() == SEED.read_bytes()


# ── broken rubric files ──


def _data() -> dict[str, Any]:
    return tomllib.loads(newest_path().read_text(encoding="utf-8"))


def _refused(mutate: Any) -> RubricError:
    data = _data()
    mutate(data)
    with pytest.raises(RubricError) as caught:
        parse_rubric(data, "broken.toml")
    assert caught.value.code == "rubric-invalid"
    return caught.value


def _broken(mutate: Any) -> list[str]:
    """The codes of the problems a broken rubric is refused with, in order."""
    return [p.code for p in _refused(mutate).parts]


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda d: d["items"][1]["rows"][0].update(code="1.1"), "rubric-code-duplicate"),
        (lambda d: d["items"][0]["rows"][0].update(points=3), "rubric-item-sum"),
        (lambda d: d["items"][0].update(points=4), "rubric-category-sum"),
        (lambda d: d["categories"][0].update(points=11), "rubric-total-sum"),
        (lambda d: d["categories"][0].update(number=9), "rubric-numbering"),
        (lambda d: d["items"][0].update(category=9), "rubric-category-unknown"),
        (lambda d: d["items"][4]["rows"][0].update(kind="counts"), "rubric-kind-unknown"),
        (lambda d: d["items"][4]["rows"][0].pop("per"), "rubric-count-per"),
        (lambda d: d["items"][9]["rows"][0].pop("at_least"), "rubric-measure-threshold"),
        (lambda d: d["items"][9]["rows"][0].pop("unit"), "rubric-measure-unit"),
        (lambda d: d["items"][6]["rows"][2].update(min_nonzero=9), "rubric-deduct-min-nonzero"),
        (lambda d: d["items"][6]["rows"][2].update(points=5), "rubric-deduct-over-item"),
        (lambda d: d["items"][0]["rows"][0].update(kind="fact"), "rubric-fact-fields"),
        (lambda d: d["items"][14]["rows"][0].pop("shortfall_step"), "rubric-rule-parameter-missing"),
        (lambda d: d["items"][14]["rows"][0].update(rule="green"), "rubric-rule-unknown"),
        (lambda d: d["items"][14]["rows"][0].update(warn_na="1.1"), "rubric-warn-na"),
        (lambda d: d["items"][10]["rows"].append(dict(d["items"][10]["rows"][0], code="11.9")), "rubric-na-rows"),
        (lambda d: d["items"][0].pop("rows"), "rubric-rows-missing"),
        (lambda d: d["vetoes"][0].pop("at_least"), "rubric-veto-threshold"),
        (lambda d: d["vetoes"][1].pop("above"), "rubric-rule-parameter-missing"),
        (lambda d: d["vetoes"][1].update(kind="other"), "rubric-veto-kind"),
        (lambda d: d["vetoes"][0].update(warn_row="7.1"), "rubric-warn-row"),
        (lambda d: d["items"][0].update(critera="x"), "rubric-field-unknown"),
        (lambda d: d["items"][0].update(methods=[]), "rubric-texts-required"),
        (lambda d: d.pop("pass_mark"), "rubric-number-required"),
        (lambda d: d.update(pass_mark=101), "rubric-pass-mark"),
        (lambda d: d["bonus"].update(max=1.3), "rubric-bonus-max"),
        (lambda d: d.update(rescore=3), "rubric-rescore-shape"),
        (lambda d: d["campaign"]["targets"][0].update(rate=30), "rubric-target-rate"),
        (lambda d: d["campaign"]["targets"][0].update(year=2000), "rubric-target-year"),
        (lambda d: d["campaign"].update(nominations_min=5), "rubric-nominations"),
        (lambda d: d["campaign"].update(first_year="x"), "rubric-integer-required"),
        (lambda d: d["compounds"]["green_requirements"].pop(), "rubric-green-requirements"),
        (lambda d: d["compounds"].pop("green_requirements"), "rubric-array-missing"),
        (lambda d: d["items"][0]["rows"][0].update(points=1.3), "rubric-row-points"),
        (lambda d: d["campaign"].pop("name"), "rubric-text-required"),
        (lambda d: d["campaign"].update(year_end="12-32"), "rubric-month-day"),
        (lambda d: d.pop("form"), "rubric-table-missing"),
        (lambda d: d["form"]["fields"][0].update(kind="phone"), "rubric-form-kind-unknown"),
        (lambda d: d.update(guide=3), "rubric-guide-shape"),
        (lambda d: d["guide"].update(total="x"), "rubric-guide-entry"),
    ],
)
def test_broken_rubric_is_refused_with_the_problems_code(mutate: Any, code: str) -> None:
    assert code in _broken(mutate)


def test_a_rubric_problem_fixes_a_check_to_what_it_found() -> None:
    (problem,) = _refused(lambda d: d["items"][0]["rows"][0].update(points=3)).parts
    assert (problem.code, dict(problem.params)) == ("rubric-item-sum", {"where": "第1项", "total": "4", "points": "3"})


def test_a_rubric_problem_names_where_to_fix_it() -> None:
    # The wording is the feature here: the message shows how to write the missing TOML tables, and sets a Latin
    # locator apart from the Chinese text after it (行 5.1 的 …) but not a Chinese one (第1项的 …).
    messages = _refused(lambda d: (d["campaign"].pop("targets"), d["items"][4]["rows"][0].pop("label"))).problems
    assert "campaign 缺少 targets 数组（每项写成一个 [[campaign.targets]] 表）" in messages
    assert "行 5.1 的 label 须为非空文字" in messages
    assert _refused(lambda d: d["items"][0].update(methods=[])).problems == ["第1项的 methods 须为非空文字列表"]


def test_every_problem_is_reported_at_once() -> None:
    def two(d: dict[str, Any]) -> None:
        d["items"][4]["rows"][0]["kind"] = "nope"
        d["vetoes"][0].pop("at_least")

    assert _broken(two) == ["rubric-kind-unknown", "rubric-veto-threshold"]


def test_unreadable_and_malformed_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("id = [unclosed", encoding="utf-8")
    with pytest.raises(RubricError, match="TOML"):
        load_rubric(bad)
    with pytest.raises(RubricError, match="无法读取"):
        load_rubric(tmp_path / "absent.toml")
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b"id = '\xff'")
    with pytest.raises(RubricError, match="UTF-8"):
        load_rubric(latin)


def test_a_new_version_is_a_new_data_file(tmp_path: Path) -> None:
    text = newest_path().read_text(encoding="utf-8").replace('version = "2021.2"', 'version = "2023.1"')
    text = text.replace(
        "{ year = 2022, rate = 0.60 },", "{ year = 2022, rate = 0.60 },\n  { year = 2023, rate = 0.8 },"
    )
    path = tmp_path / "next.toml"
    path.write_text(text, encoding="utf-8")
    rubric = load_rubric(path)
    assert rubric.version == "2023.1" and rubric.campaign.target_for(2023) == Decimal("0.8")


def test_a_copy_of_the_bundled_standard_made_before_the_form_was_data_still_loads(tmp_path: Path) -> None:
    """An office's edited copy of release 2021.2's file has no [form], [guide], campaign name or year end: it takes
    them from the bundled file of the same standard (same id). Another standard must give its own."""
    from greencli.adapters.rubric_file import bundled_paths, load_rubric

    newest = bundled_paths()[-1].read_text(encoding="utf-8")
    old = re.sub(r"(?ms)^\[(form|guide)\].*?(?=^\[(?!form\.|guide\.)|\Z)", "", newest)
    old = re.sub(r'(?m)^(name = "绿色社区"|year_end = "12-31")\n', "", old)
    assert "[form]" not in old and 'name = "绿色社区"' not in old
    (tmp_path / "copy.toml").write_text(old.replace("pass_mark = 80", "pass_mark = 85"), encoding="utf-8")
    loaded = load_rubric(tmp_path / "copy.toml")
    bundled = load_rubric()
    assert (loaded.pass_mark, loaded.campaign.name, loaded.campaign.year_end) == (85, "绿色社区", (12, 31))
    assert loaded.form == bundled.form
    foreign = old.replace('id = "qhd-etdz-green-community"', 'id = "another-district"')
    (tmp_path / "foreign.toml").write_text(foreign, encoding="utf-8")
    with pytest.raises(RubricError) as refused:
        load_rubric(tmp_path / "foreign.toml")
    assert {"rubric-table-missing", "rubric-text-required"} <= {p.code for p in refused.value.parts}


# ── the parsed copies kept beside the bundled versions ──


@pytest.mark.parametrize("path", bundled_paths(), ids=lambda p: p.name)
def test_each_bundled_version_has_a_current_parsed_copy_holding_exactly_its_data(path: Path) -> None:
    """`make rubric-json` after editing a bundled version: until then it is parsed from its TOML (slower, the same)."""
    raw = path.read_bytes()
    copy = rubric_file._parsed_copy(path, raw)
    assert copy is not None, "run `make rubric-json`"
    assert copy == tomllib.loads(raw.decode("utf-8"))


def test_an_edited_version_is_read_from_its_toml_not_from_a_stale_copy(tmp_path: Path) -> None:
    source = bundled_paths()[-1]
    edited = tmp_path / source.name
    text = source.read_text(encoding="utf-8")
    edited.write_text(text.replace('title = "', 'title = "（修订）', 1), encoding="utf-8")
    rubric_file.parsed_copy_path(edited).write_bytes(rubric_file.parsed_copy_path(source).read_bytes())  # stale
    assert rubric_file._parsed_copy(edited, edited.read_bytes()) is None
    assert load_rubric(edited).title.startswith("（修订）")
    assert load_rubric(source) == parse_rubric(tomllib.loads(text), str(source.resolve()))  # the copy reads the same
