"""curate's own modules import each other one way only: no import circles.

The graph is read from the source with ``ast``: every ``import curate.x``, ``from curate.x import y``
and relative import counts, function-local ones included (a local import that hides a circle is
still a circle), except those under ``if TYPE_CHECKING:`` (annotations only, never executed).
``from curate.pkg import name`` is an edge to ``curate.pkg.name`` when that is a module. Importing a
submodule runs its packages' ``__init__`` first, so ``curate.gating`` importing
``curate.report.json_report`` is an edge to ``curate.report`` too (a package the importer is inside
is already being imported: no edge).

Check families are found by name at run time (``curate.checks.family`` imports
``curate.checks.<name>`` with importlib): that is plugin loading, not an import statement, and the
registry package imports no curate module itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO, write

SRC = REPO / "src"


def module_names(root: Path) -> dict[str, Path]:
    """Dotted name → file for every module under ``root`` (a folder holding top-level packages)."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def is_type_checking(test: ast.expr) -> bool:
    """``if TYPE_CHECKING:`` or ``if typing.TYPE_CHECKING:``."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def executed_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement that can run, at any depth, leaving out ``if TYPE_CHECKING:`` bodies."""
    found: list[ast.Import | ast.ImportFrom] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        if isinstance(node, ast.If) and is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))
    return found


def imported(module: str, path: Path, node: ast.Import | ast.ImportFrom, known: dict[str, Path]) -> set[str]:
    """The modules of ``known`` that statement ``node`` in ``module`` imports."""
    def nearest(name: str) -> str | None:  # `import curate.x.Y` where Y is not a module: curate.x
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    if isinstance(node, ast.Import):
        return {m for alias in node.names if (m := nearest(alias.name))}
    if node.level:
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    targets = set()
    for alias in node.names:
        target = f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else nearest(base)
        if target:
            targets.add(target)
    return targets


def packages(module: str) -> set[str]:
    """The packages ``module`` is inside: ``a.b.c`` → {``a``, ``a.b``}."""
    parts = module.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Module → the modules of ``package`` it imports, with the packages that importing them initialises."""
    known = {name: path for name, path in module_names(root).items() if name.split(".")[0] == package}
    graph = {}
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets = {target for node in executed_imports(tree) for target in imported(module, path, node, known)}
        targets |= {package for target in targets for package in packages(target)} - packages(module)
        graph[module] = targets - {module}
    return graph


def components(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components larger than one module: each is one or more import circles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def connect(node: str) -> None:  # Tarjan; curate's graph is far too shallow for the recursion limit
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def circle_in(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """The shortest circle through the component's first module (breadth-first), as a closed path."""
    start = min(component)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(graph[node] & component):
                if nxt == start:
                    return paths[node] + [start]
                if nxt not in paths:
                    paths[nxt] = paths[node] + [nxt]
                    following.append(nxt)
        frontier = following
    raise AssertionError(f"{sorted(component)} is not strongly connected")


def test_curate_has_no_import_circles() -> None:
    graph = import_graph(SRC, "curate")
    found = components(graph)
    assert not found, "import circles in src/curate:\n" + "\n".join(
        f"{' -> '.join(circle_in(graph, c))}  (modules in circles with it: {', '.join(sorted(c))})" for c in found)


def test_the_check_registry_imports_no_curate_module() -> None:
    """The registry loads families by name (importlib), and every family imports the contract and the
    layers below it: one curate import in the registry could close a circle through any family."""
    assert import_graph(SRC, "curate")["curate.checks"] == set()


# the duplicate families share duplicates.py's content rules (what is compared, how texts are normalised)
# and leakage near_duplicates' verified pairs; every other family stands alone
SHARED_FAMILY_MODULES = {"curate.checks.duplicates", "curate.checks.near_duplicates"}
CURATE_MODULES_IN_CHECKS = {"curate.checks", "curate.checks.base"}


def test_a_family_imports_no_other_family() -> None:
    """Adding or removing a family touches one file: families meet through the contract (base.py),
    the run context and the layers below, not through each other's modules."""
    graph = import_graph(SRC, "curate")
    families = {m for m in graph if m.startswith("curate.checks.") and m not in CURATE_MODULES_IN_CHECKS}
    others = {m: graph[m] & families - SHARED_FAMILY_MODULES for m in families}
    crossing = {m: sorted(found) for m, found in others.items() if found}
    assert not crossing, f"families importing other families: {crossing}"
    sharing = {m for m in families if graph[m] & SHARED_FAMILY_MODULES} - SHARED_FAMILY_MODULES
    duplicate_families = {f"curate.checks.{name}" for name in ("conflicting_labels", "leakage", "near_duplicates")}
    assert sharing <= duplicate_families, sharing


def test_the_graph_sees_local_and_relative_imports_but_not_type_checking(tmp_path: Path) -> None:
    """A toy package: a function-local import closes one circle, a relative one another; an import under
    ``if TYPE_CHECKING:`` does not count, ``from pkg import sub`` points at the submodule, and importing
    ``pkg.sub.c`` initialises ``pkg.sub``."""
    write(tmp_path / "pkg/__init__.py", "")
    write(tmp_path / "pkg/a.py", "from pkg import b\n")
    write(tmp_path / "pkg/b.py", "def f():\n    import pkg.a\n")
    write(tmp_path / "pkg/sub/__init__.py", "from .c import x\n")
    write(tmp_path / "pkg/sub/c.py", "from .. import sub\nx = 1\n")
    write(tmp_path / "pkg/d.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.a\n")
    write(tmp_path / "pkg/e.py", "import pkg.d\nfrom pkg.a import name\nfrom pkg.sub.c import x\n")
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg.a"] == {"pkg.b"} and graph["pkg.b"] == {"pkg.a"}
    assert graph["pkg.sub"] == {"pkg.sub.c"} and graph["pkg.sub.c"] == {"pkg.sub"}
    assert graph["pkg.d"] == set() and graph["pkg.e"] == {"pkg.d", "pkg.a", "pkg.sub.c", "pkg.sub"}
    assert sorted(map(sorted, components(graph))) == [["pkg.a", "pkg.b"], ["pkg.sub", "pkg.sub.c"]]
    assert circle_in(graph, {"pkg.a", "pkg.b"}) == ["pkg.a", "pkg.b", "pkg.a"]
