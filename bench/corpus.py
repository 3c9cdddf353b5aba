"""The bench's corpora: N filled workbooks of the newest rubric, in the two shapes offices send them.

  openpyxl     greencli's blank form (xlsxwriter) filled and saved through openpyxl, by the contract's fill path, as
               many offices' tools fill them: inline strings, the 小区 sheet's 800 formulas without cached values;
  libreoffice  the same workbooks re-saved by LibreOffice Calc, as a spreadsheet program saves them: shared
               strings, its own styles and part layout, every formula's value computed and cached.

Forty distinct filled masters with varied answers and compounds are made through the real template and the fill
path, re-saved in the chosen shape, then personalised per community exactly as `template` personalises its
skeleton (the placeholder tokens survive a re-save, as plain text or character references).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from greencli.adapters.rubric_file import load_rubric  # noqa: E402
from greencli.adapters.template import Identity, build_skeleton, personalise  # noqa: E402
from greencli.adapters.xlsx_fill import fill  # noqa: E402
from samples.generate import NEWEST, SUBDISTRICTS, Plan, answers  # noqa: E402

KINDS = ("openpyxl", "libreoffice")
YEAR = 2022
MASTERS = 40
SCENARIOS = ["pass", "pass", "pass", "near", "fail", "bonus", "na", "green", "veto:V1", "veto:V2", "veto:V3", "veto:V4"]


def masters(folder: Path) -> list[Path]:
    """The forty filled masters, filled through openpyxl (placeholder tokens still in place of the identity)."""
    out = folder / "masters-openpyxl"
    made = sorted(out.glob("*.xlsx"))
    if len(made) == MASTERS:
        return made
    rubric = load_rubric(version=NEWEST)
    skeleton = folder / "skeleton.xlsx"
    skeleton.write_bytes(build_skeleton(rubric, YEAR))
    paths = []
    for k in range(MASTERS):
        plan = Plan(f"M{k:02d}", SCENARIOS[k % len(SCENARIOS)], f"{YEAR}-10-{k % 28 + 1:02d}")
        values, compounds, evidence, info = answers(rubric, plan, YEAR)
        paths.append(fill(skeleton, out / f"{k:02d}.xlsx", values, evidence=evidence, compounds=compounds, info=info))
    return paths


def resaved(folder: Path, kind: str) -> list[Path]:
    """The masters in the shape `kind` writes."""
    own = masters(folder)
    if kind == "openpyxl":
        return own
    out = folder / f"masters-{kind}"
    made = sorted(out.glob("*.xlsx"))
    if len(made) == MASTERS:
        return made
    out.mkdir(parents=True, exist_ok=True)
    if kind == "libreoffice":
        with tempfile.TemporaryDirectory(prefix="greencli-bench-lo-") as profile:
            subprocess.run(
                ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                 "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), *map(str, own)],
                check=True, capture_output=True, timeout=600,
            )  # fmt: skip
    else:
        raise ValueError(kind)
    return sorted(out.glob("*.xlsx"))


def build(folder: Path, n: int, kind: str) -> tuple[Path, Path, list[Path]]:
    """A roster of n communities and one filled workbook each, in the shape `kind`, under folder/<kind>-<n>/ (kept
    and reused when already whole). Returns the roster, the corpus folder and its files."""
    sources = [p.read_bytes() for p in resaved(folder, kind)]
    home = folder / f"{kind}-{n}"
    roster, corpus = home / "roster.csv", home / "corpus"
    subdistricts = list(SUBDISTRICTS)
    plan = [(f"C{i:05d}", f"第{i}社区", subdistricts[i % len(subdistricts)]) for i in range(n)]
    files = [corpus / sub / f"{code}.xlsx" for code, _, sub in plan]
    if roster.exists() and all(f.exists() for f in files):
        return roster, corpus, files
    shutil.rmtree(home, ignore_errors=True)
    for (code, name, sub), path in zip(plan, files, strict=True):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(personalise(sources[int(code[1:]) % len(sources)], Identity(code, name, sub)))
    lines = ["社区编码,社区名称,乡街,类型", *(f"{code},{name},{sub},城市社区" for code, name, sub in plan)]
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")  # written last: its presence marks a whole corpus
    return roster, corpus, files
