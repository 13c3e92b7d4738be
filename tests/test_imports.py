"""The package structure: the layer table, and no import cycle among the modules of kg, ingest and server.

Data flows one way (docs/architecture.md): the foundation -> the sources -> the readers (ingest/) -> the build ->
the store -> the read side -> the server, and the CLI above all. LAYERS says which module is in which layer (the
longest matching prefix wins) and MAY_IMPORT which layers each may import, besides its own. Every import counts for
the layer table: deferred ones inside functions, and those under `if TYPE_CHECKING:` (an annotation that names a
module above is still a dependency on it). For cycles, imports for annotations only do not count (they never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("kg", "ingest", "server")

LAYERS = {
    "kg": "foundation",
    "kg.config": "foundation",
    "kg.namespaces": "foundation",
    "kg.progress": "foundation",
    "kg.formats": "foundation",
    "kg.sources": "sources",
    "ingest": "readers",
    "kg.build": "build",
    "kg.store": "store",
    "kg.query": "read",
    "kg.analytics": "read",
    "kg.export": "read",
    "kg.stats": "read",
    "kg.sparql_guard": "read",
    "server": "server",
    "kg.cli": "cli",
}
MAY_IMPORT = {
    "foundation": set(),
    "sources": {"foundation"},
    "readers": {"foundation", "sources"},
    "store": {"foundation"},
    "read": {"foundation", "sources", "store"},
    # the build writes the store and its dumps (kg/export) before the swap
    "build": {"foundation", "sources", "readers", "store", "read"},
    "server": {"foundation", "sources", "store", "read"},
    "cli": {"foundation", "sources", "readers", "build", "store", "read", "server"},
}
# Known back-edges, each with its reason; the list only shrinks.
# (The last one, kg.analytics -> ingest.threat_applicability, went when the build began to state each threat's
# applicability row in the graph, amur:inferredOn, which the threat analysis reads from the store.)
EXCEPTIONS: dict[tuple[str, str], str] = {}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_nodes(tree: ast.AST):
    """Every node but those under `if TYPE_CHECKING:` (imports for annotations only, never executed)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            continue
        yield node
        yield from _runtime_nodes(node)


def _all_nodes(tree: ast.AST):
    return ast.walk(tree)


def imports_of(path: Path, modules: set[str], type_checking: bool = False) -> set[str]:
    """The project modules a file imports, anywhere in it ("from kg import store" names kg.store);
    ``type_checking``: those under `if TYPE_CHECKING:` too."""
    found = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in _all_nodes(tree) if type_checking else _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # "from kg import store" imports the module kg.store; "from kg.export import write_dumps" the package
            names = [f"{node.module}.{alias.name}" for alias in node.names if f"{node.module}.{alias.name}" in modules]
            if len(names) < len(node.names):
                names.append(node.module)
        else:
            continue
        found |= {name for name in names if name in modules}
    return found


def import_graph(type_checking: bool = False) -> nx.DiGraph:
    files = {module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    graph = nx.DiGraph()
    graph.add_nodes_from(files)
    for name, path in files.items():
        for target in imports_of(path, set(files), type_checking):
            # a package's __init__ importing its own submodules is how packages are built, not a cycle
            if target != name and not target.startswith(name + "."):
                graph.add_edge(name, target)
    return graph


def layer_of(module: str) -> str:
    """The layer of a module or package: its longest prefix in LAYERS."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in LAYERS:
            return LAYERS[".".join(parts[:end])]
    raise KeyError(f"{module} is in no layer: add it to LAYERS (tests/test_imports.py) and docs/architecture.md")


def back_edges(graph: nx.DiGraph) -> list[str]:
    """The imports the layer table does not allow, as "module (layer) -> module (layer)"."""
    found = []
    for source, target in graph.edges:
        have, want = layer_of(source), layer_of(target)
        if want != have and want not in MAY_IMPORT[have] and (source, target) not in EXCEPTIONS:
            found.append(f"{source} ({have}) -> {target} ({want})")
    return sorted(found)


def test_the_walk_sees_the_imports():
    graph = import_graph()
    assert graph.has_edge("kg.build.pipeline", "kg.store.layout")
    assert graph.has_edge("server.sparql", "kg.store.answers")
    # imports for annotations only count for the layers
    assert not graph.has_edge("kg.build.calibration", "kg.build.species")
    assert import_graph(type_checking=True).has_edge("kg.build.calibration", "kg.build.species")


def test_every_module_is_in_a_layer():
    for module in import_graph():
        assert layer_of(module) in MAY_IMPORT, module


def test_imports_follow_the_layers():
    assert back_edges(import_graph(type_checking=True)) == []


def test_only_the_cli_and_the_build_import_the_readers():
    graph = import_graph(type_checking=True)
    importers = {
        source for source, target in graph.edges if layer_of(target) == "readers" and (source, target) not in EXCEPTIONS
    }
    assert {layer_of(m) for m in importers} <= {"readers", "build", "cli"}
    assert {m for m in importers if m.startswith("kg")} == {
        "kg.cli",
        "kg.build.pipeline",
        "kg.build.species",
        "kg.build.calibration",
        "kg.build.protection",
    } - ({"kg.cli"} - importers)


def test_the_exceptions_are_still_needed():
    """An exception the code no longer needs is removed from the table (it would hide the next such import)."""
    graph = import_graph(type_checking=True)
    assert [edge for edge in EXCEPTIONS if not graph.has_edge(*edge)] == []


@pytest.mark.parametrize(
    "source, target, kind",
    [
        ("kg.store.layout", "kg.build.pipeline", "runtime"),  # the store knowing the build
        ("kg.stats", "ingest.basin", "runtime"),  # the read side reading the source tree
        ("kg.sources.registry", "ingest.checklists", "runtime"),  # the registry knowing a reader
        ("kg.store.backend", "server", "type_checking"),  # an annotation naming a module above
    ],
)
def test_a_back_edge_fails_the_layer_test(tmp_path, monkeypatch, source, target, kind):
    """A deliberate back-edge, written into a copy of the module, is found by the same walk the test uses."""
    import sys

    module = sys.modules[__name__]
    copy = tmp_path / "root"
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            dest = copy / path.relative_to(ROOT)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(path.read_bytes())
    path = copy / (source.replace(".", "/") + ".py")
    line = f"import {target}\n"
    if kind == "type_checking":
        line = f"from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import {target}\n"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + line, encoding="utf-8")
    monkeypatch.setattr(module, "ROOT", copy)
    assert back_edges(import_graph(type_checking=True)) != []
    assert any(
        edge.startswith(f"{source} (") and f"-> {target} (" in edge
        for edge in back_edges(import_graph(type_checking=True))
    )


def test_no_import_cycle():
    cycles = sorted(sorted(c) for c in nx.simple_cycles(import_graph()))
    assert cycles == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_environment_is_read_in_one_place():
    """Settings come from kg/config.py (and the CLI's own options): no other module reads os.environ."""
    readers = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if module_name(path) in ("kg.config", "kg.cli"):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Attribute)
                    and node.attr in ("environ", "getenv")
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "os"
                ):
                    readers.append(f"{module_name(path)}:{node.lineno}")
    assert readers == []


def test_no_framework_reads_the_environment_on_its_own():
    """Neither click (``envvar=``) nor Flask (``from_prefixed_env``) reads AMURKG_* behind kg/config.py's back."""
    found = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.keyword) and node.arg in ("envvar", "auto_envvar_prefix"):
                    found.append(f"{module_name(path)}:{node.value.lineno} {node.arg}=")
                if isinstance(node, ast.Attribute) and node.attr in ("from_prefixed_env", "from_envvar"):
                    found.append(f"{module_name(path)}:{node.lineno} {node.attr}")
    assert found == []


def test_no_setting_is_read_at_import():
    """Importing every module of kg, ingest and server reads no AMURKG_* variable: settings are read when used
    (kg/config.py), so a caller or test that sets one is never shadowed by a value fixed at import."""
    import subprocess
    import sys

    modules = sorted(module_name(p) for package in PACKAGES for p in (ROOT / package).rglob("*.py"))
    probe = (
        "import os, importlib, sys\n"
        "class Watched(dict):\n"
        "    def __getitem__(self, key):\n"
        "        if key.startswith('AMURKG_'): print(key)\n"
        "        return dict.__getitem__(self, key)\n"
        "    def get(self, key, default=None):\n"
        "        if key.startswith('AMURKG_'): print(key)\n"
        "        return dict.get(self, key, default)\n"
        "    def __contains__(self, key):\n"
        "        if isinstance(key, str) and key.startswith('AMURKG_'): print(key)\n"
        "        return dict.__contains__(self, key)\n"
        "os.environ = Watched(os.environ)\n"
        "for name in sys.argv[1:]:\n"
        "    print('import', name); importlib.import_module(name)\n"
    )
    run = subprocess.run([sys.executable, "-c", probe, *modules], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    reads, module = [], None
    for line in run.stdout.splitlines():
        if line.startswith("import "):
            module = line.split()[1]
        elif line.startswith("AMURKG_"):
            reads.append(f"{line} while importing {module}")
    assert len([line for line in run.stdout.splitlines() if line.startswith("import ")]) == len(modules)
    assert reads == []


def test_the_store_layer_has_no_cycle_even_in_annotations():
    """The store's modules build on each other one way (jobs, answers, child processes -> the pool, writes -> the
    backend), annotations included: none names a module that imports it."""
    graph = import_graph(type_checking=True).subgraph(n for n in import_graph() if n.startswith("kg.store"))
    assert sorted(sorted(c) for c in nx.simple_cycles(graph)) == []
    assert graph.has_edge("kg.store.backend", "kg.store.pool") and graph.has_edge("kg.store.pool", "kg.store.answers")
