"""The package's shape: no import cycle, and `import sora_widget` stays light.

The layers themselves are import-linter's contracts in `pyproject.toml` (`make lint`).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import sora_widget

PACKAGE = Path(sora_widget.__file__).parent
#: Loaded when a simulator starts or a video is decoded, never by `import sora_widget`.
HEAVY = ("starlette", "uvicorn", "av", "numpy")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module of the package that `path` imports, at any depth of its code."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            target = f"{base}.{node.module}" if node.module else base
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sora_widget"):
            found.add(node.module)
    return found


def _graph() -> dict[str, set[str]]:
    paths = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: _imports(path) & set(paths) - {name} for name, path in paths.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, if there is any (a package's `__init__` is its own node)."""
    state: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> list[str] | None:
        state[node] = "open"
        for target in sorted(graph[node]):
            if target.startswith(node + ".") and node.count(".") < target.count("."):
                continue  # a package importing its own submodules is not a cycle
            if state.get(target) == "open":
                return [*trail[trail.index(target) :], target] if target in trail else [target]
            if target not in state and (found := visit(target, [*trail, target])):
                return found
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_no_import_cycles_not_even_hidden() -> None:
    graph = _graph()
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])
    for path in PACKAGE.rglob("*.py"):
        assert "TYPE_CHECKING" not in path.read_text(), f"{path.name} hides an import"


def test_the_cycle_check_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert _cycle(graph) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_import_loads_no_web_server_or_video_stack() -> None:
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, sys, sora_widget; "
            f"print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(loaded.stdout) == []


def test_every_exception_lives_in_errors_and_the_public_ones_are_exported() -> None:
    from sora_widget.core import errors

    client_side = [
        p for layer in ("core", "engine", "ui", "cli") for p in (PACKAGE / layer).glob("*.py")
    ]
    for path in client_side:  # the simulator, a server of its own, has its own
        if path.name == "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                bases = {getattr(base, "id", getattr(base, "attr", "")) for base in node.bases}
                assert not any(base.endswith(("Error", "Exception")) for base in bases), (
                    f"{path.name} defines {node.name}"
                )
    public = {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, Exception) and not name.startswith("_")
    }
    assert public <= set(sora_widget.__all__), sorted(public - set(sora_widget.__all__))
    assert "LibraryEntry" in sora_widget.__all__
