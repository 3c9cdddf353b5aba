"""Build the offline installation folders (wheelhouses) for PCs with no route to a package index.

    python deploy/wheelhouse.py [--out dist/wheelhouse] [--target windows --target linux] [--python 3.11 ...]
                                [--with-analysis]

For each target platform it makes one self-sufficient folder holding greencli's wheel and a wheel of every
dependency for every supported Python version, pinned to the versions this environment was tested with, plus
安装说明.txt, the office's manual 使用说明.docx (built by deploy/manual.py from docs/使用说明.md) and 文件清单.txt.
With --with-analysis the folder also carries the `analysis` extra (pandas and what it needs). It then proves each
folder complete: pip resolves greencli (greencli[analysis] with --with-analysis) from the folder alone (--no-index)
for every platform and Python version. On the isolated PC:

    pip install --no-index --find-links 文件夹 greencli
    pip install --no-index --find-links 文件夹 "greencli[analysis]"
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from importlib import metadata
from pathlib import Path

from manual import build as build_manual

ROOT = Path(__file__).resolve().parent.parent
PYTHONS = ("3.11", "3.12", "3.13", "3.14")
TARGETS: dict[str, tuple[str, tuple[str, ...]]] = {
    # folder name, pip platform tags (newest manylinux first: domestic Linux desktops have glibc 2.28 or later)
    "windows": ("windows-x64", ("win_amd64",)),
    "linux": ("linux-x86_64", ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64")),
}
GUIDE = ROOT / "deploy" / "安装说明.txt"
MANUAL_NAME = "使用说明.docx"
ANALYSIS = "analysis"


def run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"failed: {' '.join(command)}")


def runtime_pins(extras: tuple[str, ...] = ()) -> list[str]:
    """`name==version` of every runtime dependency of greencli (and of the extras named) as installed here (what
    `make test` tested)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *(r for extra in extras for r in project["optional-dependencies"][extra])]
    todo = [re.split(r"[ ;<>=!~\[]", r, maxsplit=1)[0] for r in wanted]
    pins: dict[str, str] = {}
    while todo:
        name = todo.pop()
        key = name.lower().replace("_", "-")
        if key in pins:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # a dependency of another platform only (its own wheel is resolved by pip below)
        pins[key] = dist.version
        for requirement in dist.requires or []:
            if "extra ==" in requirement:
                continue
            todo.append(re.split(r"[ ;<>=!~\[(]", requirement, maxsplit=1)[0])
    return [f"{name}=={version}" for name, version in sorted(pins.items())]


def build_greencli(into: Path) -> Path:
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(into), str(ROOT)])
    return next(into.glob("greencli-*.whl"))


def platform_args(platforms: tuple[str, ...], python: str) -> list[str]:
    args = ["--only-binary=:all:", "--implementation", "cp", "--python-version", python]
    for tag in platforms:
        args += ["--platform", tag]
    return args


def with_extras(name: str, extras: tuple[str, ...]) -> str:
    """A requirement with its extras: greencli[analysis] (a wheel's path takes them the same way)."""
    return f"{name}[{','.join(extras)}]" if extras else name


def fill(folder: Path, wheel: Path, constraints: Path, platforms: tuple[str, ...], pythons: list[str],
         extras: tuple[str, ...] = ()) -> None:  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy2(wheel, folder / wheel.name)
    for python in pythons:
        run([sys.executable, "-m", "pip", "download", "--quiet", "--dest", str(folder), "--constraint",
             str(constraints), *platform_args(platforms, python), with_extras(str(wheel), extras)])  # fmt: skip


def verify(folder: Path, platforms: tuple[str, ...], pythons: list[str], extras: tuple[str, ...] = ()) -> None:
    """Resolve greencli (with its extras) from the folder alone, as the isolated PC will, for every platform and
    Python version."""
    for python in pythons:
        with tempfile.TemporaryDirectory() as target:
            run([sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed", "--no-index",
                 "--find-links", str(folder), "--target", target, *platform_args(platforms, python),
                 with_extras("greencli", extras)])  # fmt: skip


def manifest(folder: Path) -> dict[str, object]:
    files = sorted(p for p in folder.iterdir() if p.suffix == ".whl")
    lines = [f"{p.name}\t{p.stat().st_size}\t{hashlib.sha256(p.read_bytes()).hexdigest()}" for p in files]
    (folder / "文件清单.txt").write_text("文件\t字节\tSHA-256\n" + "\n".join(lines) + "\n", encoding="utf-8-sig")
    return {"folder": str(folder), "files": [p.name for p in files], "bytes": sum(p.stat().st_size for p in files)}


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "wheelhouse")
    parser.add_argument("--target", action="append", choices=sorted(TARGETS), help="default: windows and linux")
    parser.add_argument("--python", action="append", help=f"default: {', '.join(PYTHONS)}")
    parser.add_argument(
        "--with-analysis",
        action="store_true",
        help='also carry the analysis extra (pandas): pip install --no-index --find-links FOLDER "greencli[analysis]"',
    )
    return parser


def main() -> None:
    args = parser().parse_args()
    targets = args.target or sorted(TARGETS, reverse=True)
    pythons = args.python or list(PYTHONS)
    extras = (ANALYSIS,) if args.with_analysis else ()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        wheel = build_greencli(Path(scratch))
        manual = build_manual(out=Path(scratch) / MANUAL_NAME)
        constraints = Path(scratch) / "constraints.txt"
        constraints.write_text("\n".join(runtime_pins(extras)) + "\n", encoding="utf-8")
        report = []
        for name in targets:
            folder_name, platforms = TARGETS[name]
            folder = out / folder_name
            shutil.rmtree(folder, ignore_errors=True)
            fill(folder, wheel, constraints, platforms, pythons, extras)
            verify(folder, platforms, pythons, extras)
            # with a BOM and CRLF line ends, so Notepad on an older Windows shows it right too
            (folder / GUIDE.name).write_text(GUIDE.read_text(encoding="utf-8"), encoding="utf-8-sig", newline="\r\n")
            shutil.copy2(manual, folder / MANUAL_NAME)
            report.append({"target": name, "pythons": pythons, "extras": list(extras), **manifest(folder)})
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
