"""The way through the Python code: no import cycles, and Dagster wiring on top of the domain.

Read from the source (``ast``), so it needs no database. Every ``import`` counts, also those
inside functions: a deferred import only hides a cycle from the interpreter, not from the reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

from bankperf.settings import REPO_ROOT

PACKAGES = ("bankperf", "loaders", "orchestration", "benchmarks")
# The command line is the one domain module allowed to reach into the Dagster code location:
# `bankperf run` starts the nightly job (orchestration.headless).
ENTRY_POINTS = {"bankperf.cli"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in sorted((REPO_ROOT / package).rglob("*.py"))
    }


def _imports(path: Path, known: set[str]) -> set[str]:
    """The first-party modules a file imports (``from package import module`` names the module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        else:
            continue
        for name in names:
            while name and name not in known:  # `from a.b import f` is an import of module a.b
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module → the first-party modules it imports (a package's ``__init__`` left out as a target)."""
    modules = _modules()
    known = set(modules)
    packages = {name for name, path in modules.items() if path.name == "__init__.py"}
    return {
        name: {target for target in _imports(path, known) if target != name and target not in packages}
        for name, path in modules.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as the modules along it (first repeated at the end), or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = "open"
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        stack.pop()
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state:
            cycle = visit(module)
            if cycle:
                return cycle
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_no_module_imports_itself_back() -> None:
    graph = import_graph()
    assert "orchestration.definitions" in graph and "bankperf.publication" in graph  # the walk sees the code
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_domain_never_imports_the_dagster_wiring() -> None:
    graph = import_graph()
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        if module.split(".")[0] in ("bankperf", "loaders") and module not in ENTRY_POINTS
        for target in targets
        if target.split(".")[0] == "orchestration"
    )
    assert upward == []


def test_private_dagster_imports_stay_in_one_module() -> None:
    private = sorted(
        name
        for name, path in _modules().items()
        if name != "orchestration.dagster_internals" and "dagster._core" in path.read_text(encoding="utf-8")
        and any(
            (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dagster._"))
            or (isinstance(node, ast.Import) and any(alias.name.startswith("dagster._") for alias in node.names))
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        )
    )
    assert private == []
