"""Keep README.md's demo section in step with what `make demo` prints today.

    python samples/readme_demo.py          # rewrite the block between the demo markers in README.md
A test runs the demo and compares its output with that block.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START, END = "<!-- demo-output:start -->", "<!-- demo-output:end -->"
WIDTH = "160"  # a fixed width so the tables are the same wherever the demo runs


def demo_output(out: Path | None = None) -> str:
    """Run samples/demo.sh and return what it printed, with its output folder shown as `demo-out`."""
    target = str(out) if out is not None else "demo-out"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "COLUMNS": WIDTH, "NO_COLOR": "1", "TERM": "dumb"}  # fmt: skip
    env.pop("GREENCLI_DB", None)
    env.pop("GREENCLI_ROSTER", None)
    done = subprocess.run(["bash", str(ROOT / "samples" / "demo.sh"), target], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"demo failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    text = done.stdout.replace(target, "demo-out")
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def readme_block(text: str | None = None) -> str:
    body = text if text is not None else README.read_text(encoding="utf-8")
    return (
        body[body.index(START) + len(START) : body.index(END)]
        .strip("\n")
        .removeprefix("```text\n")
        .removesuffix("\n```")
    )


def update() -> None:
    text = README.read_text(encoding="utf-8")
    block = f"{START}\n```text\n{demo_output()}\n```\n{END}"
    README.write_text(text[: text.index(START)] + block + text[text.index(END) + len(END) :], encoding="utf-8")


if __name__ == "__main__":
    update()
    print("README.md demo section updated")
