"""The layers, enforced: core ← adapters ← jobs ← api ← cli. Every import in the package (at the top of a module or
inside a function) is checked here, so a back-edge fails the tests even where ruff's per-folder banned-api rules
(greencli/*/ruff.toml, which give the same answer in an editor) were bypassed with a noqa."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "greencli"

# What each layer may import from the package (besides itself). The command line sees the library only through
# greencli.api; besides it, only the rendering it drives: the terminal adapters, the process plumbing of its entry
# point (streams, runtime), and the pure text rules both the terminal and the help screens follow (display width,
# what may be shown of a text).
CONSOLE = frozenset({"greencli.adapters.terminal", "greencli.adapters.tables", "greencli.adapters.streams",
                     "greencli.adapters.runtime", "greencli.core.text", "greencli.core.clean"})  # fmt: skip
ALLOWED: dict[str, frozenset[str]] = {
    "core": frozenset({"greencli.core"}),
    "adapters": frozenset({"greencli.core", "greencli.adapters"}),
    "jobs": frozenset({"greencli.core", "greencli.adapters", "greencli.jobs"}),
    "api": frozenset({"greencli.core", "greencli.adapters", "greencli.jobs", "greencli.api"}),
    "cli": frozenset({"greencli.api", "greencli.cli", *CONSOLE}),
}
# Third-party libraries a layer must never reach for (the core is pure; only the command line knows typer).
FORBIDDEN: dict[str, frozenset[str]] = {
    "core": frozenset({"openpyxl", "python_calamine", "pandas", "rich", "typer", "click", "sqlite3", "docx", "lxml",
                       "xlsxwriter", "psycopg", "errno"}),
    "adapters": frozenset({"typer", "click"}),
    "jobs": frozenset({"typer", "click", "rich"}),
    "api": frozenset({"typer", "click", "rich"}),
}  # fmt: skip


def layer_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def imports(path: Path) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Every import in `path`, with its line: what it may be taking (`from a.b import c` takes module a.b.c, or
    the name c of module a.b — either is enough to be allowed)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, (alias.name,)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: relative import"
            base = node.module or ""
            for alias in node.names:
                # the package root is no layer: `from greencli import x` is allowed only as the submodule x
                yield node.lineno, (f"{base}.{alias.name}",) if base == "greencli" else (base, f"{base}.{alias.name}")


def within(name: str, prefixes: frozenset[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if layer_of(p) in ALLOWED)


def crossings(path: Path) -> list[str]:
    """The imports in `path` its layer may not make: another layer of ours it may not see, the package root
    (`from greencli import x`: not a layer), or a library forbidden to it."""
    layer = layer_of(path)
    wrong = []
    for line, names in imports(path):
        top = names[0].partition(".")[0]
        ours = top == "greencli" and not any(within(name, ALLOWED[layer]) for name in names)
        if ours or top in FORBIDDEN.get(layer, frozenset()):
            wrong.append(f"{line}: {names[-1]}")
    return wrong


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_against_the_layers(path: Path) -> None:
    wrong = crossings(path)
    assert not wrong, f"{path.relative_to(PACKAGE)} ({layer_of(path)}) imports across the layers: {wrong}"


def test_a_back_edge_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check itself fails where it should: an adapter imported inside a function of core, a job in the command
    line, the package root anywhere."""
    planted = {"core/planted.py": "def f():\n    from greencli.adapters.ledger import Ledger\n    return Ledger\n",
               "cli/planted.py": "import greencli.jobs.score\n",
               "adapters/planted.py": "from greencli import __version__\n",
               "jobs/planted.py": "from greencli.cli.app import app\n"}  # fmt: skip
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path)
    for name, source in planted.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(source, encoding="utf-8")
        assert crossings(tmp_path / name), name
    (tmp_path / "core" / "fine.py").write_text("from greencli.core.issues import Issue\nimport decimal\n")
    assert crossings(tmp_path / "core" / "fine.py") == []
