"""Evidence files (佐证材料): the folder beside each workbook, matched to entries, checked, hashed into the ledger with
the evaluation, shown by history, a changed folder a changed submission for rollup, and the binder's index."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import docx
import pytest
from greencli.adapters import evidence_folder
from greencli.adapters.evidence_folder import evidence_stamp, folder_of, list_evidence
from greencli.adapters.rubric_file import load_rubric
from greencli.cli.app import app
from greencli.core.evidence import (
    EvidenceFile,
    ListedFile,
    Listing,
    binder,
    code_of,
    codes_of,
    digest,
    match,
    named_in,
    size_text,
)
from greencli.core.model import Field
from greencli.core.rubric import Rubric
from greencli.jobs.inputs import expand, scan
from typer.testing import CliRunner

from tests.errors import error_code
from tests.workbooks import filled

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent
ROSTER = str(ROOT / "samples" / "roster.xlsx")


@pytest.fixture(scope="module")
def newest() -> Rubric:
    return load_rubric()


# ── which entry a file is for (core) ──


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("1.1_工作计划.pdf", "1.1"),
        ("1.1.pdf", "1.1"),
        ("1.1 工作计划.pdf", "1.1"),
        ("01.1-工作计划.pdf", "1.1"),
        ("１．１工作计划.pdf", "1.1"),  # full-width, as a Chinese input method types it
        ("3、议事记录.jpg", "3"),
        ("3/议事记录.jpg", "3"),  # a folder named by the item's number
        ("3 议事平台/2023/议事记录.jpg", "3"),
        ("20.3_服务人口统计.xlsx", "20.3"),
        ("B_荣誉证书.png", "B"),
        ("b 荣誉证书.png", "B"),
        ("v1_整改记录.pdf", "V1"),
        ("2021年工作计划.pdf", None),  # a year, not an item
        ("1.9_没有这一行.pdf", None),  # no row 1.9 in item 1
        ("99_说明.pdf", None),
        ("Beijing.pdf", None),
        ("BV_x.pdf", None),
        ("工作计划.pdf", None),
        ("1.1.2_x.pdf", None),
    ],
)
def test_a_file_is_for_the_entry_its_name_begins_with(newest: Rubric, path: str, code: str | None) -> None:
    assert code_of(path, codes_of(newest)) == code


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("见 工作计划.pdf；会议记录.DOCX", ["工作计划.pdf", "会议记录.DOCX"]),
        ("全国文明社区（2020年）", []),
        ("得分 2.5，资料较全", []),
        ("证书见B_全国文明社区证书.png", ["证书见B_全国文明社区证书.png"]),
        ("照片：2/双报到.jpeg、签到表.ofd", ["2/双报到.jpeg", "签到表.ofd"]),
        ("www.example.com", []),
    ],
)
def test_a_cell_names_files_by_their_extension(text: str, names: list[str]) -> None:
    assert named_in(text) == names


def _listing(*paths: str, exists: bool = True) -> Listing:
    files = tuple(ListedFile(p, 10, hashlib.sha256(p.encode()).hexdigest(), "2023-09-01T10:00:00+08:00") for p in paths)
    return Listing("ZJ-01_珠江社区", exists, files)


def test_a_cell_attaches_the_files_it_names_and_warns_at_the_cell_for_those_missing(newest: Rubric) -> None:
    cells = {
        "2.1": Field("见双报到签到表.PDF", "评分表", "M7"),  # the word before the name and the case do not matter
        "3.1": Field("党建联席会议记录.pdf", "评分表", "M8"),  # not in the folder
        "B": Field("全国文明社区（2020年）", "评分表", "M90"),  # an honour's name, no file
    }
    matched = match(newest, _listing("1.1_工作计划.pdf", "资料/双报到签到表.pdf", "其他.txt"), cells)
    codes = {f.path: f.codes for f in matched.files}
    assert codes == {"1.1_工作计划.pdf": ("1.1",), "资料/双报到签到表.pdf": ("2.1",), "其他.txt": ()}
    [missing] = matched.issues
    assert (missing.code, missing.sheet, missing.cell, missing.subject) == ("evidence-missing", "评分表", "M8", "3.1")
    assert "党建联席会议记录.pdf" in missing.message


def test_without_a_folder_every_named_file_is_missing(newest: Rubric) -> None:
    matched = match(newest, _listing(exists=False), {"B": Field("证书.jpg", "评分表", "M90")})
    assert [(i.code, i.subject) for i in matched.issues] == [("evidence-missing", "B")]
    assert matched.files == ()


def test_the_digest_is_the_files_paths_and_contents_in_any_order() -> None:
    a = EvidenceFile("1.1_计划.pdf", 3, "aa" * 32, "", ("1.1",))
    b = EvidenceFile("3/记录.jpg", 3, "bb" * 32, "", ("3",))
    assert digest([]) == ""
    assert digest([a, b]) == digest([b, a])
    assert digest([a, b]) != digest([a])
    assert digest([a, b]) != digest([a, EvidenceFile("3/记录2.jpg", 3, "bb" * 32, "")])  # renamed
    assert digest([a, b]) != digest([a, EvidenceFile("3/记录.jpg", 3, "cc" * 32, "")])  # changed


def test_the_binder_lists_the_items_asking_for_documents_that_have_none(newest: Rubric) -> None:
    asking = [str(i.number) for i in newest.items if set(i.methods) & set(newest.document_methods)]
    assert "1" in asking and "5" not in asking  # 1 查看工作计划和档案资料; 5 现场查看 only
    files = [
        EvidenceFile("1.1_计划.pdf", 1, "a" * 64, "", ("1.1",)),
        EvidenceFile("x.pdf", 1, "b" * 64, "", ()),
        EvidenceFile("5.1_道路.png", 1, "c" * 64, "", ("5.1",)),
        EvidenceFile("B.png", 1, "d" * 64, "", ("B",)),
    ]
    book = binder(newest, files)
    assert list(book.by_section) == ["1", "5", "B"] and [f.path for f in book.other] == ["x.pdf"]
    assert book.lacking == tuple(n for n in asking if n != "1")  # the bonus has its document
    assert "B" in binder(newest, []).lacking


def test_sizes_read_as_explorer_shows_them() -> None:
    assert [size_text(n) for n in (0, 1, 1024, 1025, 5 * 1024 * 1024)] == ["0 KB", "1 KB", "1 KB", "2 KB", "5.0 MB"]


# ── the folder on disk (adapter) ──


def _workbook(tmp: Path, files: dict[str, bytes]) -> Path:
    book = tmp / "ZJ-01_珠江社区.xlsx"
    book.write_bytes(b"not read here")
    for name, data in files.items():
        target = folder_of(book) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return book


def test_every_plain_file_is_hashed_and_junk_is_ignored(tmp_path: Path) -> None:
    book = _workbook(tmp_path, {"1.1_计划.pdf": b"plan", "3/记录.jpg": b"photo", "Thumbs.db": b"x", "~$草稿.docx": b"x",
                                ".DS_Store": b"x"})  # fmt: skip
    listing = list_evidence(book)
    assert listing.exists and listing.issues == ()
    assert [(f.path, f.size, f.sha256) for f in listing.files] == [
        ("1.1_计划.pdf", 4, hashlib.sha256(b"plan").hexdigest()), ("3/记录.jpg", 5, hashlib.sha256(b"photo").hexdigest())]  # fmt: skip
    assert list_evidence(tmp_path / "没有文件夹.xlsx").exists is False


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_a_link_leaving_the_folder_is_refused_and_one_inside_it_is_taken(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"outside")
    book = _workbook(tmp_path, {"1.1_计划.pdf": b"plan"})
    (folder_of(book) / "2.1_外部.pdf").symlink_to(secret)
    (folder_of(book) / "3").symlink_to(tmp_path)  # a folder outside, with the workbook itself in it
    (folder_of(book) / "4.1_副本.pdf").symlink_to(folder_of(book) / "1.1_计划.pdf")
    (folder_of(book) / "快捷方式.lnk").write_bytes(b"L\0\0\0")  # a Windows shortcut: never followed
    listing = list_evidence(book)
    assert sorted(f.path for f in listing.files) == ["1.1_计划.pdf", "4.1_副本.pdf"]
    assert sorted((i.code, i.subject) for i in listing.issues) == [
        ("evidence-link-outside", "2.1_外部.pdf"), ("evidence-link-outside", "3"),
        ("evidence-link-outside", "快捷方式.lnk")]  # fmt: skip


def test_an_oversize_file_and_past_the_count_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(evidence_folder, "MAX_EVIDENCE_FILE_BYTES", 100)
    book = _workbook(tmp_path, {"1.1_大.pdf": b"x" * 101, "1.2_小.pdf": b"x" * 100})
    listing = list_evidence(book)
    assert [f.path for f in listing.files] == ["1.2_小.pdf"]
    assert [(i.code, i.subject) for i in listing.issues] == [("evidence-too-large", "1.1_大.pdf")]
    monkeypatch.setattr(evidence_folder, "MAX_EVIDENCE_FILES", 2)
    (folder_of(book) / "2.1_a.pdf").write_bytes(b"a")
    (folder_of(book) / "2.2_b.pdf").write_bytes(b"b")
    listing = list_evidence(book)  # the two first counted (one refused for its size), then the stop
    assert [f.path for f in listing.files] == ["1.2_小.pdf"]
    assert [i.code for i in listing.issues] == ["evidence-too-large", "evidence-too-many"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_is_no_evidence_and_never_blocks_the_read(tmp_path: Path) -> None:
    book = _workbook(tmp_path, {"1.1_计划.pdf": b"plan"})
    os.mkfifo(folder_of(book) / "1.2_管道.pdf")
    listing = list_evidence(book)
    assert [f.path for f in listing.files] == ["1.1_计划.pdf"]
    assert [(i.code, i.subject) for i in listing.issues] == [("evidence-unreadable", "1.2_管道.pdf")]


def test_the_stamp_changes_with_the_folder_and_only_then(tmp_path: Path) -> None:
    book = _workbook(tmp_path, {"1.1_计划.pdf": b"plan"})
    first = evidence_stamp(book)
    assert first and evidence_stamp(book) == first and evidence_stamp(tmp_path / "无.xlsx") == ""
    (folder_of(book) / "1.1_计划.pdf").rename(folder_of(book) / "1.1_年度计划.pdf")
    assert evidence_stamp(book) != first


def test_an_evidence_folder_is_never_searched_for_workbooks(tmp_path: Path) -> None:
    book = filled(tmp_path / "inbox", "ZJ-01", file_name="ZJ-01_珠江社区.xlsx")
    folder_of(book).mkdir()
    shutil.copy(book, folder_of(book) / "台账.xlsx")  # a spreadsheet kept as a document
    (tmp_path / "inbox" / "其他").mkdir()
    other = shutil.copy(book, tmp_path / "inbox" / "其他" / "ZJ-02.xlsx")  # an ordinary subfolder is searched
    assert set(scan(tmp_path / "inbox").files) == {book, Path(other)}
    assert set(expand([str(tmp_path / "inbox" / "**" / "*.xlsx")]).files) == {book, Path(other)}
    assert set(expand([str(folder_of(book) / "*.xlsx")]).files) == {folder_of(book) / "台账.xlsx"}  # asked for


# ── end to end: score, the ledger, history, rollup, the index ──


def _score(*paths: Path | str, db: str, out: Path) -> dict[str, Any]:
    result = runner.invoke(app, ["score", *map(str, paths), "--db", db, "--out", str(out), "--json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _history(code: str, db: str) -> dict[str, Any]:
    result = runner.invoke(app, ["history", code, "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _current_evidence(code: str, db: str) -> list[dict[str, Any]]:
    [current] = [e for e in _history(code, db)["evaluations"] if e["current"]]
    return current["evidence"]  # type: ignore[no-any-return]


def _community(folder: Path, code: str, files: dict[str, bytes], evidence: dict[str, str] | None = None) -> Path:
    book = filled(folder, code, file_name=f"{code}_{code}社区.xlsx", evidence=evidence)
    for name, data in files.items():
        target = folder_of(book) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return book


def test_scoring_records_each_file_and_warns_of_a_named_one_missing(tmp_path: Path, ledger_db: str) -> None:
    book = _community(tmp_path / "in", "ZJ-01", {"1.1_计划.pdf": b"plan", "3/记录.jpg": b"photo"},
                      {"2.1": "签到表.pdf", "3.1": "见记录.jpg"})  # fmt: skip
    report = _score(book, db=ledger_db, out=tmp_path / "out.xlsx")
    [result] = report["results"]
    assert result["verdict"] == "pass"  # a missing document warns; the inspector's score stands
    assert [(w["issue"], w["code"], w["sheet"]) for w in result["warnings"]] == [("evidence-missing", "2.1", "评分表")]
    recorded = _current_evidence("ZJ-01", ledger_db)
    assert [(f["path"], f["size"], f["sha256"], f["codes"]) for f in recorded] == [
        ("1.1_计划.pdf", 4, hashlib.sha256(b"plan").hexdigest(), ["1.1"]),
        ("3/记录.jpg", 5, hashlib.sha256(b"photo").hexdigest(), ["3", "3.1"])]  # fmt: skip
    table = runner.invoke(app, ["history", "ZJ-01", "--db", ledger_db], env={"COLUMNS": "200"})
    assert "佐证材料" in table.stdout and "3/记录.jpg" in table.stdout


def test_scoring_again_with_other_evidence_is_a_new_submission(tmp_path: Path, ledger_db: str) -> None:
    book = _community(tmp_path / "in", "ZJ-01", {"1.1_计划.pdf": b"plan"})
    first = _score(book, db=ledger_db, out=tmp_path / "o.xlsx")
    assert (first["recorded"], first["already"]) == (1, 0)
    assert _score(book, db=ledger_db, out=tmp_path / "o.xlsx")["already"] == 1  # the same again: held
    (folder_of(book) / "1.2_总结.pdf").write_bytes(b"summary")
    again = _score(book, db=ledger_db, out=tmp_path / "o.xlsx")
    assert (again["recorded"], again["already"]) == (1, 0)
    assert [f["path"] for f in _current_evidence("ZJ-01", ledger_db)] == ["1.1_计划.pdf", "1.2_总结.pdf"]


def _rollup(tmp: Path, db: str) -> dict[str, Any]:
    result = runner.invoke(app, ["rollup", "--inbox", str(tmp / "in"), "--year", "2022", "--db", db, "--out",
                                 str(tmp / "out.xlsx"), "--json", "--log", str(tmp / "run.log"), "--jobs", "1"])  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_rollup_rescores_a_workbook_whose_evidence_changed(tmp_path: Path, ledger_db: str) -> None:
    book = _community(tmp_path / "in", "ZJ-01", {"1.1_计划.pdf": b"plan", "3/记录.jpg": b"photo"},
                      {"1.1": "1.1_计划.pdf"})  # fmt: skip
    second = _community(tmp_path / "in", "ZJ-02", {})
    first = _rollup(tmp_path, ledger_db)
    assert (first["new"], first["recorded"]) == (2, 2)
    quiet = _rollup(tmp_path, ledger_db)
    assert (quiet["changed"], quiet["unchanged"], quiet["recorded"]) == (0, 2, 0)

    # changed: a document's content
    (folder_of(book) / "3/记录.jpg").write_bytes(b"another photo")
    changed = _rollup(tmp_path, ledger_db)
    assert (changed["changed"], changed["unchanged"], changed["recorded"]) == (1, 1, 1)
    assert _current_evidence("ZJ-01", ledger_db)[1]["sha256"] == hashlib.sha256(b"another photo").hexdigest()

    # renamed: the cell that named it now names a missing file (a warning), the ledger holds the new name
    (folder_of(book) / "1.1_计划.pdf").rename(folder_of(book) / "1.1_年度计划.pdf")
    renamed = _rollup(tmp_path, ledger_db)
    assert (renamed["changed"], renamed["recorded"]) == (1, 1)
    assert [f["path"] for f in _current_evidence("ZJ-01", ledger_db)] == ["1.1_年度计划.pdf", "3/记录.jpg"]
    assert len(_history("ZJ-01", ledger_db)["evaluations"]) == 3  # each submission kept
    checked = runner.invoke(app, ["score", str(book), "--dry-run", "--json"])
    [result] = json.loads(checked.stdout)["results"]
    assert [(w["issue"], w["code"]) for w in result["warnings"]] == [("evidence-missing", "1.1")]

    # removed: the whole folder
    shutil.rmtree(folder_of(book))
    removed = _rollup(tmp_path, ledger_db)
    assert (removed["changed"], removed["recorded"]) == (1, 1)
    assert _current_evidence("ZJ-01", ledger_db) == []
    assert _rollup(tmp_path, ledger_db)["changed"] == 0

    # added: a folder appears beside a workbook that had none (the scan's listing, not a look of its own, says so)
    folder_of(second).mkdir()
    (folder_of(second) / "2.1_协商记录.pdf").write_bytes(b"minutes")
    added = _rollup(tmp_path, ledger_db)
    assert (added["changed"], added["unchanged"], added["recorded"]) == (1, 1, 1)
    assert [f["path"] for f in _current_evidence("ZJ-02", ledger_db)] == ["2.1_协商记录.pdf"]


def test_the_index_lists_exactly_the_files_the_ledger_holds(tmp_path: Path, ledger_db: str) -> None:
    _community(tmp_path / "in", "ZJ-01", {"1.1_计划.pdf": b"plan", "3/记录.jpg": b"photo", "杂项.txt": b"misc"})
    _community(tmp_path / "in", "ZJ-02", {"B_证书.png": b"certificate"}, {"B": "全国文明社区"})
    _community(tmp_path / "in", "ZJ-03", {})
    _score(tmp_path / "in", db=ledger_db, out=tmp_path / "o.xlsx")
    out = tmp_path / "台账目录.docx"
    result = runner.invoke(app, ["evidence", "--year", "2022", "--db", ledger_db, "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    index = json.loads(result.stdout)
    for community in index["communities"]:
        ledger_files = _current_evidence(community["community_id"], ledger_db)
        assert community["files"] == ledger_files
    by_code = {c["community_id"]: c for c in index["communities"]}
    assert by_code["ZJ-01"]["sections"] == {"1": ["1.1_计划.pdf"], "3": ["3/记录.jpg"]}
    assert by_code["ZJ-01"]["other"] == ["杂项.txt"]
    assert "1" not in by_code["ZJ-01"]["lacking"] and "2" in by_code["ZJ-01"]["lacking"]
    assert "B" not in by_code["ZJ-02"]["lacking"] and "B" in by_code["ZJ-03"]["lacking"]

    # the document: every file of the ledger once, with the start of its hash, and nothing else
    document = docx.Document(str(out))
    rows = [[c.text for c in row.cells] for table in document.tables for row in table.rows[1:]]
    held = [f for c in index["communities"] for f in c["files"]]
    assert sorted(r[1] for r in rows) == sorted(f["path"] for f in held)
    assert {(r[1], r[4]) for r in rows} == {(f["path"], f["sha256"][:8]) for f in held}

    only = runner.invoke(app, ["evidence", "--year", "2022", "zj-02", "--db", ledger_db, "--json"])
    assert [c["community_id"] for c in json.loads(only.stdout)["communities"]] == ["ZJ-02"]
    table = runner.invoke(app, ["evidence", "--year", "2022", "--db", ledger_db], env={"COLUMNS": "80"})
    assert table.exit_code == 0 and "ZJ-01" in table.stdout
    assert all(len(line) <= 80 for line in table.stdout.splitlines())


def test_the_index_refuses_a_year_or_community_the_ledger_does_not_hold(tmp_path: Path) -> None:
    db = str(tmp_path / "l.db")
    _score(_community(tmp_path / "in", "ZJ-01", {}), db=db, out=tmp_path / "o.xlsx")
    empty = runner.invoke(app, ["evidence", "--year", "2021", "--db", db, "--json"])
    assert empty.exit_code == 2 and error_code(empty) == "evidence-year-empty"
    unknown = runner.invoke(app, ["evidence", "--year", "2022", "ZJ-01", "ZJ-99", "--db", db, "--json"])
    assert unknown.exit_code == 2 and error_code(unknown) == "evidence-community-unknown"
    not_docx = runner.invoke(
        app, ["evidence", "--year", "2022", "--db", db, "--out", str(tmp_path / "x.pdf"), "--json"]
    )
    assert not_docx.exit_code == 2 and error_code(not_docx) == "notice-out-not-docx"
    over_ledger = runner.invoke(app, ["evidence", "--year", "2022", "--db", db, "--out", db, "--json"])
    assert over_ledger.exit_code == 2
