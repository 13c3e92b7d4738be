"""The package structure: no import cycle among the modules of kg, ingest and server (deferred imports
inside functions count too: a cycle hidden in a function is still two modules that need each other; imports
for type annotations only, under `if TYPE_CHECKING:`, do not run and do not count)."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("kg", "ingest", "server")


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


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The project modules a file imports, anywhere in it ("from kg import store" names kg.store)."""
    found = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {name for name in names if name in modules}
    return found


def import_graph() -> nx.DiGraph:
    files = {module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    graph = nx.DiGraph()
    graph.add_nodes_from(files)
    for name, path in files.items():
        for target in imports_of(path, set(files)):
            # a package's __init__ importing its own submodules is how packages are built, not a cycle
            if target != name and not target.startswith(name + "."):
                graph.add_edge(name, target)
    return graph


def test_the_walk_sees_the_imports():
    graph = import_graph()
    assert graph.has_edge("kg.build", "kg.store") and graph.has_edge("server.sparql", "kg.workers")


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
                if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") and \
                        isinstance(node.value, ast.Name) and node.value.id == "os":
                    readers.append(f"{module_name(path)}:{node.lineno}")
    assert readers == []


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
    run = subprocess.run([sys.executable, "-c", probe, *modules], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    reads, module = [], None
    for line in run.stdout.splitlines():
        if line.startswith("import "):
            module = line.split()[1]
        elif line.startswith("AMURKG_"):
            reads.append(f"{line} while importing {module}")
    assert len([line for line in run.stdout.splitlines() if line.startswith("import ")]) == len(modules)
    assert reads == []
