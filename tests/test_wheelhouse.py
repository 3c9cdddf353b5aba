"""Offline installation: the wheelhouse installs greencli on a PC with no package index, and runs it; it carries the
office's manual, and on request the analysis extra (pandas)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
sys.path.insert(0, str(ROOT / "deploy"))
from wheelhouse import MANUAL_NAME, PYTHONS  # noqa: E402


def offline_env() -> dict[str, str]:
    """No index, no configured mirrors or find-links, and a proxy that refuses every connection."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    refuse = "http://127.0.0.1:9"
    return {**env, "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1", "http_proxy": refuse, "https_proxy": refuse,
            "HTTP_PROXY": refuse, "HTTPS_PROXY": refuse, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}  # fmt: skip


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, object]]]:
    out = tmp_path_factory.mktemp("wheelhouse")
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    windows = subprocess.run([sys.executable, str(ROOT / "deploy" / "wheelhouse.py"), "--out", str(out), "--target",
                              "windows"], capture_output=True, text=True, check=False)  # fmt: skip
    assert windows.returncode == 0, windows.stderr
    linux = subprocess.run([sys.executable, str(ROOT / "deploy" / "wheelhouse.py"), "--out", str(out), "--target",
                            "linux", "--python", here], capture_output=True, text=True, check=False)  # fmt: skip
    assert linux.returncode == 0, linux.stderr
    return out, json.loads(windows.stdout) + json.loads(linux.stdout)


def test_the_windows_set_has_a_windows_or_pure_wheel_of_everything_for_every_python(
    wheelhouse: tuple[Path, list[dict[str, object]]],
) -> None:
    folder = wheelhouse[0] / "windows-x64"
    wheels = [p.name for p in folder.glob("*.whl")]
    assert {p.name for p in folder.iterdir()} >= {"安装说明.txt", "文件清单.txt"}
    native: dict[str, set[str]] = {}
    for name in wheels:
        dist = name.partition("-")[0]
        platform = name[: -len(".whl")].rsplit("-", 1)[1]
        assert platform in ("any", "win_amd64"), name
        if platform == "win_amd64":
            python, abi = name.split("-")[2:4]
            native.setdefault(dist, set()).add(python if abi != "abi3" else "abi3")
    # lxml: python-docx writes the notices; psycopg_binary: the shared PostgreSQL ledger (libpq inside); deflate:
    # libdeflate, which inflates every workbook's parts (one abi3 wheel serves every Python)
    assert set(native) == {"pydantic_core", "python_calamine", "lxml", "psycopg_binary", "deflate"}
    for dist, tags in native.items():
        assert tags == ({"abi3"} if dist == "deflate" else {f"cp{v.replace('.', '')}" for v in PYTHONS}), dist
    assert any(n.startswith("greencli-") for n in wheels)


def offline_install(folder: Path, requirement: str, venv: Path) -> dict[str, str]:
    """A fresh environment at `venv` with `requirement` installed from `folder` alone (no index, no proxy that
    answers); the environment the installed program then runs in."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = offline_env()
    install = subprocess.run([str(venv / "bin" / "pip"), "install", "--no-index", "--find-links", str(folder),
                              requirement], capture_output=True, text=True, env=env, check=False)  # fmt: skip
    assert install.returncode == 0, install.stdout + install.stderr
    return env


def test_installs_offline_into_a_fresh_environment_and_runs(
    wheelhouse: tuple[Path, list[dict[str, object]]], tmp_path: Path
) -> None:
    venv = tmp_path / "fresh"
    env = offline_install(wheelhouse[0] / "linux-x86_64", "greencli", venv)
    greencli = str(venv / "bin" / "greencli")
    work = tmp_path / "office"
    work.mkdir()
    template = subprocess.run([greencli, "template", "--roster", str(SAMPLES / "roster.xlsx"), "--year", "2022",
                               "--out", "评分表", "--quiet"], cwd=work, capture_output=True, text=True, env=env,
                              check=False)  # fmt: skip
    assert template.returncode == 0, template.stderr
    written = template.stdout.splitlines()  # 46 workbooks, each with its record sheet (python-docx, lxml installed)
    assert len(written) == 2 * 46 and sum(line.endswith("_现场评审记录.docx") for line in written) == 46
    score = subprocess.run([greencli, "score", str(SAMPLES / "inspections" / "2022"), "--roster",
                            str(SAMPLES / "roster.xlsx"), "--json"], cwd=work, capture_output=True, text=True,
                           env=env, check=False)  # fmt: skip
    assert score.returncode == 1, score.stderr  # the samples hold three invalid workbooks on purpose
    results = json.loads(score.stdout)["results"]
    assert len(results) == 34 and sum(r["verdict"] == "pass" for r in results) == 26
    assert (work / "greencli.db").is_file() and len(list(work.glob("绿色社区汇总*.xlsx"))) == 1
    assert not (Path(sys.prefix) / "bin" / "greencli").samefile(greencli)


def test_each_folder_carries_the_manual_and_a_guide_that_points_to_it(
    wheelhouse: tuple[Path, list[dict[str, object]]],
) -> None:
    from docx import Document

    for name in ("windows-x64", "linux-x86_64"):
        folder = wheelhouse[0] / name
        manual = Document(str(folder / MANUAL_NAME))
        assert manual.core_properties.title == "greencli 使用说明"
        assert any(p.style is not None and p.style.name == "Heading 1" for p in manual.paragraphs)
        raw = (folder / "安装说明.txt").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM and CRLF: Notepad on any Windows reads it
        assert b"\n" not in raw.replace(b"\r\n", b"")
        guide = raw.decode("utf-8-sig")
        assert MANUAL_NAME in guide and "README" not in guide
        assert '"greencli[analysis]"' in guide and "'greencli[analysis]'" not in guide
    for entry in wheelhouse[1]:
        assert entry["extras"] == []
        assert not any(str(f).startswith(("pandas-", "numpy-")) for f in entry["files"])  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def analysis_wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheelhouse-analysis")
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    for target, pythons in (("windows", []), ("linux", ["--python", here])):
        built = subprocess.run([sys.executable, str(ROOT / "deploy" / "wheelhouse.py"), "--out", str(out),
                                "--target", target, *pythons, "--with-analysis"], capture_output=True, text=True,
                               check=False)  # fmt: skip
        assert built.returncode == 0, built.stderr
        assert json.loads(built.stdout)[0]["extras"] == ["analysis"]
    return out


@pytest.mark.slow
def test_with_analysis_the_windows_set_has_pandas_for_every_python(analysis_wheelhouse: Path) -> None:
    names = [p.name for p in (analysis_wheelhouse / "windows-x64").glob("*.whl")]
    for dist in ("pandas", "numpy"):
        tags = {n.split("-")[2] for n in names if n.startswith(f"{dist}-")}
        assert tags == {f"cp{v.replace('.', '')}" for v in PYTHONS}, dist
        assert all(n.endswith("win_amd64.whl") for n in names if n.startswith(f"{dist}-"))
    assert any(n.startswith("tzdata-") for n in names)  # pandas needs it on Windows only
    assert any(n.startswith("greencli-") for n in names)


@pytest.mark.slow
def test_with_analysis_the_extra_installs_offline_and_hands_out_dataframes(
    analysis_wheelhouse: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "fresh"
    env = offline_install(analysis_wheelhouse / "linux-x86_64", "greencli[analysis]", venv)
    work = tmp_path / "office"
    work.mkdir()
    score = subprocess.run([str(venv / "bin" / "greencli"), "score", str(SAMPLES / "inspections" / "2022"),
                            "--roster", str(SAMPLES / "roster.xlsx"), "--out", "汇总2022.xlsx", "--json"],
                           cwd=work, capture_output=True, text=True, env=env, check=False)  # fmt: skip
    assert score.returncode == 1, score.stderr
    code = (
        "import greencli\n"
        "with greencli.open_ledger('greencli.db') as ledger:\n"
        "    frame = ledger.evaluations(2022)\n"
        "print(type(frame).__module__.split('.')[0], len(frame))\n"
    )
    done = subprocess.run([str(venv / "bin" / "python"), "-c", code], cwd=work, capture_output=True, text=True,
                          env=env, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["pandas", "30"]  # as the README's API example counts them (26 + 2 + 2)
