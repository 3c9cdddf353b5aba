"""The README's pictures of what the office prints, made from the sample district (`make pictures`).

Runs greencli on the samples into a temporary folder, prints the outputs through LibreOffice (headless) to PDF, and
saves three pages as PNG under docs/: the scoring form's first 评分表 page, the 年度进度 page of the district
workbook, and the first page of the 通报.

    python samples/pictures.py [OUT_DIR]     # default: docs/
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pdfplumber

ROOT = Path(__file__).resolve().parent.parent
ROSTER = ROOT / "samples" / "roster.xlsx"
RESOLUTION = 72  # dots per inch: readable on a README page, small in the repository


def greencli(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "greencli", *args], capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"greencli {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")


def to_pdf(source: Path, out: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is needed to print the pages: apt-get install libreoffice-calc-nogui")
    profile = out / "profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--convert-to",
                    "pdf", "--outdir", str(out), str(source)], capture_output=True, check=True, timeout=300)  # fmt: skip
    return out / f"{source.stem}.pdf"


def save_page(pdf: Path, starts_with: str, target: Path) -> None:
    """Save the first page whose text begins with `starts_with` (its printed title) as a PNG."""
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            if (page.extract_text() or "").replace(" ", "").startswith(starts_with):
                page.to_image(resolution=RESOLUTION).save(target)
                print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
                return
    raise SystemExit(f"no page of {pdf.name} starts with {starts_with!r}")


def main(argv: list[str]) -> None:
    docs = Path(argv[1]) if len(argv) > 1 else ROOT / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = str(work / "greencli.db")
        greencli("template", "--roster", str(ROSTER), "--year", "2023", "--out", str(work / "forms"), "--quiet")
        form = next((work / "forms").rglob("ZJ-01_*.xlsx"))
        for year in ("2021", "2022", "2023"):
            greencli("score", str(ROOT / "samples" / "inspections" / year), "--roster", str(ROSTER), "--db", db,
                     "--out", str(work / f"汇总{year}.xlsx"))  # fmt: skip
        greencli(
            "progress", "--year", "2023", "--roster", str(ROSTER), "--db", db, "--out", str(work / "汇总2023.xlsx")
        )
        notice = work / "通报2023.docx"
        greencli(
            "notice", "--year", "2023", "--kind", "通报", "--roster", str(ROSTER), "--db", db, "--out", str(notice)
        )
        save_page(to_pdf(form, work), "珠江社区2023年度绿色社区评审评分表", docs / "form-page.png")
        save_page(to_pdf(work / "汇总2023.xlsx", work), "2023年度绿色社区创建进度", docs / "progress-page.png")
        save_page(to_pdf(notice, work), "××", docs / "notice-page.png")


if __name__ == "__main__":
    main(sys.argv)
