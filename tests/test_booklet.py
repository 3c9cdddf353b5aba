"""The standard as a booklet (issue 26, item 2; contract: `greencli standard --out FILE.docx [--rubric-version V]`):
printed through LibreOffice, A4 portrait, nothing under 9 pt, and every item, its 分值, 考评标准 and 考评方式, every
scoring row, the bonus and the vetoes in the standard's own words, for each version."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pdfplumber
import pytest
from greencli.adapters.rubric_file import load_rubric
from greencli.cli.app import app
from typer.testing import CliRunner

from tests.libreoffice import convert, needs_libreoffice

runner = CliRunner()


def squeeze(text: str) -> str:
    """Text as compared: no spaces or line breaks (a PDF breaks a long criterion anywhere)."""
    return re.sub(r"\s+", "", text)


@needs_libreoffice
@pytest.mark.parametrize("version", ["2021.1", "2021.2"])
def test_the_booklet_prints_every_item_in_the_standards_words(version: str, tmp_path: Path) -> None:
    out = tmp_path / "评审标准"
    made = runner.invoke(app, ["standard", "--out", str(out), "--rubric-version", version, "--json"])
    assert made.exit_code == 0, made.output
    doc = json.loads(made.stdout)
    assert doc["version"] == version and doc["out"].endswith("评审标准.docx")
    pdf = convert(tmp_path / "评审标准.docx", "pdf", tmp_path / "pdf", tmp_path / "profile")
    rubric = load_rubric(version=version)
    with pdfplumber.open(pdf) as opened:
        pages = opened.pages
        assert 4 <= len(pages) <= 12, len(pages)  # once per inspector, not 17 pages a community
        for page in pages:
            assert (round(page.width), round(page.height)) == (595, 842)  # A4 portrait
            assert min(c["size"] for c in page.chars) >= 8.95
        text = squeeze("\n".join(page.extract_text() or "" for page in pages))
    assert squeeze(rubric.title) in text
    for item in rubric.items:
        assert squeeze(item.content) in text, item.number
        assert squeeze(item.criteria) in text, item.number
        assert squeeze("、".join(item.methods)) in text, item.number
        for row in item.rows:  # a wrapped cell's lines come out between its neighbours': its first line at least
            assert row.code in text and squeeze(row.label)[:10] in text, row.code
    assert squeeze(rubric.bonus.criteria) in text
    for veto in rubric.vetoes:
        assert squeeze(veto.criteria) in text and veto.code in text


def test_the_booklet_refuses_what_it_cannot_write(tmp_path: Path) -> None:
    refused = runner.invoke(app, ["standard", "--out", str(tmp_path / "x.pdf"), "--json"])
    assert refused.exit_code == 2 and json.loads(refused.stdout)["error"]["code"] == "notice-out-not-docx"
    unknown = runner.invoke(app, ["standard", "--out", str(tmp_path / "x.docx"), "--rubric-version", "9.9", "--json"])
    assert unknown.exit_code == 2 and json.loads(unknown.stdout)["error"]["code"] == "rubric-version-missing"
    assert not list(tmp_path.iterdir())
