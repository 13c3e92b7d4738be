"""A smoke pass of the soak (bench/soak.py) so its code cannot rot: 2 clients for 10 s against `amurkg serve` over
a small store. The soak's own verdict is checked, except memory growth, which 10 s cannot judge; `make soak` runs
the real thing (docs/benchmarks.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import psutil
import pyoxigraph as ox
import pytest
from sparql_live import make_store

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # bench/ is not an installed package

from bench import soak  # noqa: E402
from bench.serving import labelled_things  # noqa: E402

SMALL = Path(__file__).resolve().parents[1] / "data" / "analytics" / "small.ttl"


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    graph = ox.NamedNode("https://w3id.org/amurkg/graph/soak")
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, graph) for t in ox.parse(path=str(SMALL), format=ox.RdfFormat.TURTLE)
    ]
    # 2000 more triples, so that the runaway query (a three-way cartesian product) really runs away
    quads += labelled_things(graph)
    root = tmp_path_factory.mktemp("soak")
    store = make_store(root, quads)
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    result = soak.run_soak(store, clients=2, seconds=10, workers=2, timeout=2.0, log=root / "server.log")
    result["children_left"] = [
        p
        for p in psutil.Process().children(recursive=True)
        if p.pid not in before and p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    ]
    return result


@pytest.mark.soak
def test_soak_passes_on_a_small_store(report):
    assert [f for f in report["failures"] if not f.startswith("memory")] == []
    assert report["unexpected"] == 0 and report["dropped"] == 0
    assert (
        report["quads_before"]
        == report["quads_after"]
        == 2000 + sum(1 for _ in ox.parse(path=str(SMALL), format=ox.RdfFormat.TURTLE))
    )
    assert report["children_left"] == []


@pytest.mark.soak
def test_soak_exercises_every_kind_of_request(report):
    statuses = report["statuses"]
    assert statuses["named-query"].get(200, 0) > 0
    assert statuses["page"].get(200, 0) > 0
    assert any(400 <= status < 500 for status in statuses["hostile"])
    assert statuses["runaway"].get(503, 0) > 0  # stopped at the 2 s timeout
    assert report["abandoned"] > 0


@pytest.mark.soak
def test_soak_reports_memory_and_latency(report):
    memory = report["memory"]
    assert 0 < memory["start"] <= memory["peak"] and 0 < memory["end"] <= memory["peak"]
    assert report["latency"]["all"]["n"] == report["requests"] > 0
    text = soak.markdown(report)
    assert "verdict:" in text and "| runaway |" in text


@pytest.mark.soak
def test_the_report_replaces_the_soak_section_only(report, tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\n## Latency\nkept\n\n## Soak\n\nthe last run\n\n## Wall time\nkept too\n")
    soak.write_section(doc, report)
    soak.write_section(doc, report)
    text = doc.read_text()
    assert "the last run" not in text and text.count("## Soak") == 1 and "verdict:" in text
    assert "## Latency\nkept\n" in text and "## Wall time\nkept too\n" in text
