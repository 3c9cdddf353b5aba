"""Driving LibreOffice headless from tests: real spreadsheet programs rewrite files, and the reader must cope."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed; .ci/run installs libreoffice-calc-nogui so CI always runs these",
)


def convert(source: Path, to: str, out: Path, profile: Path) -> Path:
    """Convert with a private profile (parallel runs would fight over the default one)."""
    assert SOFFICE is not None
    out.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--convert-to", to,
         "--outdir", str(out), str(source)],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    target = out / f"{source.stem}.{to.split(':', maxsplit=1)[0]}"
    assert done.returncode == 0 and target.exists(), done.stdout + done.stderr
    return target


def convert_all(sources: list[Path], to: str, out: Path, profile: Path) -> list[Path]:
    """Convert several files in one LibreOffice start (each start costs seconds)."""
    assert SOFFICE is not None
    out.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--convert-to", to,
         "--outdir", str(out), *map(str, sources)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    targets = [out / f"{s.stem}.{to.split(':', maxsplit=1)[0]}" for s in sources]
    assert done.returncode == 0 and all(t.exists() for t in targets), done.stdout + done.stderr
    return targets
