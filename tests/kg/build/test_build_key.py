"""The build key hashes what the build reads (kg/build/pipeline.py ``BUILD_INPUTS``), never the serve side: editing
a page, the SPARQL endpoint or an analysis must not force a rebuild, and editing anything the build runs must."""

from __future__ import annotations

import shutil
from pathlib import Path

import networkx as nx
import pytest
from test_imports import import_graph

from kg.build import pipeline
from kg.sources import registry

ROOT = pipeline.ROOT


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    for top in ("kg", "ingest", "server", "ontology", "queries"):
        shutil.copytree(ROOT / top, root / top, ignore=shutil.ignore_patterns("__pycache__", "static", "*.mo"))
    return root


def _edit(root: Path, name: str) -> None:
    path = root / name
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")


# files a developer edits: the serve side (pages, the endpoint, the pool, the analyses, user queries) and what the
# build runs (its code, the readers, the registry, the ontology, the export queries and dumps it writes)
SERVE_SIDE = (
    "server/sparql.py",
    "server/explorer/__init__.py",
    "server/templates/base.html",
    "kg/store/pool.py",
    "kg/analytics.py",
    "kg/query.py",
    "queries/cranes.rq",
)
BUILD_SIDE = (
    "kg/build/species.py",
    "ingest/birds.py",
    "kg/sources/registry.py",
    "kg/namespaces.py",
    "ontology/amurkg.ttl",
    "queries/export/actions.rq",
    "kg/export/dumps.py",
)


@pytest.mark.parametrize("names, rebuilds", [(SERVE_SIDE, False), (BUILD_SIDE, True)], ids=["serve", "build"])
def test_only_editing_what_the_build_runs_changes_the_build_key(tmp_path, names, rebuilds):
    root = _copy(tmp_path)
    key = pipeline.code_fingerprint(root)
    for name in names:
        before = pipeline.code_fingerprint(root)
        _edit(root, name)
        assert (root / name).read_text(encoding="utf-8").endswith("# edited\n")
        assert (pipeline.code_fingerprint(root) != before) is rebuilds, name
    assert (pipeline.code_fingerprint(root) != key) is rebuilds


def _file_of(module: str) -> Path:
    path = Path(*module.split("."))
    return path / "__init__.py" if (ROOT / path).is_dir() else path.with_suffix(".py")


def test_the_build_key_covers_every_module_the_build_imports():
    """Every module the build runs (the pipeline, what it imports, the readers the registry names, what they import)
    is hashed; so the list in BUILD_INPUTS cannot fall behind the code."""
    graph = import_graph()
    starts = {"kg.build.pipeline"} | {source.reader for source in registry.all_sources()}
    reached = set(starts)
    for start in starts:
        reached |= nx.descendants(graph, start)
    hashed = {path.relative_to(ROOT) for path in pipeline.build_input_files()}
    assert {str(_file_of(m)) for m in reached} - {str(p) for p in hashed} == set()
    assert not any(str(path).startswith("server/") for path in hashed)
