"""The package's own import graph, read from the source with ``ast``: no import circles between
files or between packages, and no private names imported across modules.

Counted: imports at module level (top-level statements, including those under ``if``/``try``
such as ``if TYPE_CHECKING:``), since they are the graph a reader of a file sees and the order
Python executes. Importing ``rsi_sim.a.b`` also executes ``rsi_sim/a/__init__.py``, so it is an
edge to both (unless the importer is inside ``rsi_sim.a`` already).

Packages are the first level below ``rsi_sim`` (``rsi_sim.core``, ``rsi_sim.ensemble``, ...;
top-level modules such as ``rsi_sim.cli`` are their own node).

Private: a name ``_x`` defined in a module is used only there (imported by no other module,
at any level); a module ``P._m`` is imported only by modules inside package ``P``.

Function-level imports of the package's own modules hide the graph from a reader (and from
the circle tests), so they are allowed only in the modules of :data:`ALLOWED_FUNCTION_IMPORTS`,
each with its reason.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import rsi_sim

ROOT = Path(rsi_sim.__file__).parent

#: File-level circles that remain, each with why it is not fixed yet. A new circle fails.
ALLOWED_FILE_CYCLES: dict[frozenset[str], str] = {
    # load.py's Scenario.build_model (the method users call) runs build.build_model; build.py
    # names Scenario only in annotations (under TYPE_CHECKING). At run time the import is one
    # way, load -> build, where a function-level import used to hide it.
    frozenset({"rsi_sim.scenario.build", "rsi_sim.scenario.load"}): "typing only; Scenario.build_model",
}
#: Package-level circles that remain, with why. A new circle fails.
ALLOWED_PACKAGE_CYCLES: dict[frozenset[str], str] = {}
#: Private names still imported across modules, as (importer, module, name), with why.
ALLOWED_PRIVATE: dict[tuple[str, str, str], str] = {}
#: Modules that import rsi_sim's own modules inside functions, with why. Elsewhere imports of
#: our own modules sit at module level, where a reader (and the circle tests) see the graph;
#: inside functions only heavy optional third-party packages (Dask, SALib, zarr) are imported.
ALLOWED_FUNCTION_IMPORTS: dict[str, str] = {
    "rsi_sim.cli": "each command imports its implementation, so `rsi-sim --help` starts without "
                   "xarray, scipy or matplotlib (documented in the module docstring)",
    "rsi_sim.__main__": "imports the command line inside main(), so a Ctrl-C while it loads "
                        "ends with status 130 and one line",
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _target(importer: str, node: ast.ImportFrom) -> str:
    """The absolute module an ``ImportFrom`` names."""
    if not node.level:
        return node.module or ""
    package = importer.split(".")
    if MODULES[importer].name != "__init__.py":
        package.pop()
    if node.level > 1:
        package = package[: len(package) - (node.level - 1)]
    return ".".join(package + ([node.module] if node.module else []))


def _imports(importer: str, tree: ast.Module, *, top_level_only: bool):
    """(module imported, names taken from it) of rsi_sim's own modules."""
    if top_level_only:
        nodes: list[ast.AST] = []
        for stmt in tree.body:
            nodes.extend(ast.walk(stmt) if isinstance(stmt, ast.If | ast.Try) else [stmt])
    else:
        nodes = list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "rsi_sim":
                    yield alias.name, []
        elif isinstance(node, ast.ImportFrom):
            module = _target(importer, node)
            if module.split(".")[0] != "rsi_sim":
                continue
            names = [a.name for a in node.names]
            yield module, [n for n in names if f"{module}.{n}" not in MODULES]
            for n in names:
                if f"{module}.{n}" in MODULES:  # `from . import submodule`
                    yield f"{module}.{n}", []


def _edges() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for importer, path in MODULES.items():
        tree = ast.parse(path.read_text(), str(path))
        for module, _ in _imports(importer, tree, top_level_only=True):
            parts = module.split(".")
            for k in range(2, len(parts) + 1):  # the module and the packages it executes
                target = ".".join(parts[:k])
                if target in MODULES and target != importer and not importer.startswith(target + "."):
                    graph[importer].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                part.add(w)
                if w == v:
                    break
            if len(part) > 1:
                found.append(frozenset(part))

    for v in sorted(set(graph) | {w for ws in graph.values() for w in ws}):
        if v not in index:
            visit(v)
    return found


def _package(module: str) -> str:
    return ".".join(module.split(".")[:2])


def test_no_file_level_import_cycles():
    cycles = _cycles(_edges())
    new = [sorted(c) for c in cycles if c not in ALLOWED_FILE_CYCLES]
    assert new == [], "import circle between files (module-level imports)"
    gone = [sorted(c) for c in ALLOWED_FILE_CYCLES if c not in cycles]
    assert gone == [], "an allowed circle is gone: remove it from ALLOWED_FILE_CYCLES"


def test_no_package_level_import_cycles():
    packages: dict[str, set[str]] = defaultdict(set)
    for a, targets in _edges().items():
        for b in targets:
            if _package(a) != _package(b):
                packages[_package(a)].add(_package(b))
    cycles = _cycles(packages)
    new = [sorted(c) for c in cycles if c not in ALLOWED_PACKAGE_CYCLES]
    assert new == [], "import circle between packages (module-level imports)"
    gone = [sorted(c) for c in ALLOWED_PACKAGE_CYCLES if c not in cycles]
    assert gone == [], "an allowed circle is gone: remove it from ALLOWED_PACKAGE_CYCLES"


def test_no_private_names_across_modules():
    found = []
    for importer, path in MODULES.items():
        tree = ast.parse(path.read_text(), str(path))
        for module, names in _imports(importer, tree, top_level_only=False):
            for name in names:
                if name.startswith("_") and not name.startswith("__") and module != importer:
                    found.append((importer, module, name))
            *package, last = module.split(".")
            owner = ".".join(package)
            if last.startswith("_") and not last.startswith("__") \
                    and not (importer == owner or importer.startswith(owner + ".")):
                found.append((importer, owner, last))
    assert sorted(set(found) - set(ALLOWED_PRIVATE)) == []
    assert sorted(set(ALLOWED_PRIVATE) - set(found)) == [], "an allowed private import is gone"


def test_own_modules_are_imported_at_module_level():
    found: dict[str, list[str]] = defaultdict(list)
    for importer, path in MODULES.items():
        tree = ast.parse(path.read_text(), str(path))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    for module, _ in _imports(importer, ast.Module(body=[node], type_ignores=[]),
                                              top_level_only=False):
                        found[importer].append(f"line {node.lineno} ({fn.name}): {module}")
    new = {m: sorted(set(v)) for m, v in found.items() if m not in ALLOWED_FUNCTION_IMPORTS}
    assert new == {}, "import our own modules at module level (or list the module, with why)"
    gone = sorted(set(ALLOWED_FUNCTION_IMPORTS) - set(found))
    assert gone == [], "an allowed module has no function-level import left: remove it"


def test_the_walk_sees_the_graph():
    """Guards against a walk that finds nothing and so passes."""
    graph = _edges()
    assert "rsi_sim.core.params" in graph["rsi_sim.core.component"]
    assert "rsi_sim.scenario" in graph["rsi_sim.ensemble.run"]  # `from ..scenario import`
    assert "rsi_sim.scenario.load" in graph["rsi_sim.scenario"]  # the package's own imports
    assert "rsi_sim.scenario.load" in graph["rsi_sim.ensemble.batch"]  # and the package it runs
    assert "rsi_sim.components._vectorized" in graph["rsi_sim.components.horizon_trend"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset("abc")]
