"""The package's shape: layers import only downward, and `import sora_widget` stays light."""

from __future__ import annotations

import ast
import json
import re
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


def test_the_engine_layers_import_downward() -> None:
    """The endpoints know no jobs, the poller no jobs, the library no jobs or polling (it is
    storage only), and what the widget shows is computed without the simulator."""
    forbidden = {
        "api": ("jobs", "library", "poller", "client"),
        "poller": ("jobs", "library", "client"),
        "library": ("jobs", "poller", "client", "resume"),
        "widget_state": ("simulator",),
    }
    graph = _graph()
    for module, names in forbidden.items():
        prefixes = tuple(f"sora_widget.{name}" for name in names)
        reached = sorted(t for t in graph[f"sora_widget.{module}"] if t.startswith(prefixes))
        assert not reached, f"{module} imports {reached}"


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
    from sora_widget import errors

    for path in PACKAGE.glob("*.py"):  # the simulator, a server of its own, has its own
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


def test_the_readmes_layers_import_only_from_the_rows_above() -> None:
    """The README's layout table is the layering: every module it names imports only modules
    of its own row or the rows above."""
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    table = readme.split("## How the code is laid out", 1)[1].split("\n\n", 2)[1]
    rank = {}
    for row, line in enumerate(table.splitlines()[2:]):
        modules = line.split("|")[2]
        for name in re.findall(r"`([a-z_]+)/?`", modules):
            rank.setdefault(name, row)
    assert {"api", "jobs", "library", "poller", "widget", "simulator"} <= set(rank)
    upward = []
    for module, targets in _graph().items():
        top = module.split(".")[1] if "." in module else ""
        for target in targets:
            other = target.split(".")[1] if "." in target else ""
            if top in rank and other in rank and rank[other] > rank[top]:
                upward.append(f"{module} -> {target}")
    assert upward == []
