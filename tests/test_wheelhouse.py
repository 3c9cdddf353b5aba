"""Offline installation: the wheelhouse installs greencli on a PC with no package index, and runs it."""

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
from wheelhouse import PYTHONS  # noqa: E402


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
            native.setdefault(dist, set()).add(name.split("-")[2])
    assert set(native) == {"pydantic_core", "python_calamine", "lxml"}  # lxml: python-docx writes the notices
    for dist, tags in native.items():
        assert tags == {f"cp{v.replace('.', '')}" for v in PYTHONS}, dist
    assert any(n.startswith("greencli-") for n in wheels)


def test_installs_offline_into_a_fresh_environment_and_runs(
    wheelhouse: tuple[Path, list[dict[str, object]]], tmp_path: Path
) -> None:
    folder = wheelhouse[0] / "linux-x86_64"
    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = offline_env()
    install = subprocess.run([str(venv / "bin" / "pip"), "install", "--no-index", "--find-links", str(folder),
                              "greencli"], capture_output=True, text=True, env=env, check=False)  # fmt: skip
    assert install.returncode == 0, install.stdout + install.stderr
    greencli = str(venv / "bin" / "greencli")
    work = tmp_path / "office"
    work.mkdir()
    template = subprocess.run([greencli, "template", "--roster", str(SAMPLES / "roster.xlsx"), "--year", "2022",
                               "--out", "评分表", "--quiet"], cwd=work, capture_output=True, text=True, env=env,
                              check=False)  # fmt: skip
    assert template.returncode == 0, template.stderr
    assert len(template.stdout.splitlines()) == 46
    score = subprocess.run([greencli, "score", str(SAMPLES / "inspections" / "2022"), "--roster",
                            str(SAMPLES / "roster.xlsx"), "--json"], cwd=work, capture_output=True, text=True,
                           env=env, check=False)  # fmt: skip
    assert score.returncode == 1, score.stderr  # the samples hold three invalid workbooks on purpose
    results = json.loads(score.stdout)["results"]
    assert len(results) == 34 and sum(r["verdict"] == "pass" for r in results) == 26
    assert (work / "greencli.db").is_file() and (work / "绿色社区汇总.xlsx").is_file()
    assert not (Path(sys.prefix) / "bin" / "greencli").samefile(greencli)
