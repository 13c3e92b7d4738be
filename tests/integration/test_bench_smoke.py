"""A smoke pass of the benchmark harness (bench/) on a tiny graph: every peer starts, answers the mix, stops.

Figures are never asserted here: `make bench` reports them in docs/benchmarks.md.
"""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # bench/ is not an installed package

from bench import harness, mix, report, synthetic  # noqa: E402
from bench.peers import OurServer, tree_rss  # noqa: E402

PEERS = {"amurkg", "oxigraph", "rdflib", "rdflib-endpoint"}


@pytest.fixture(scope="module")
def smoke(built_store, tmp_path_factory) -> dict:
    workdir = tmp_path_factory.mktemp("bench")
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    data = harness.run_bench(
        built_store, workdir, harness.smoke_settings(), smoke=True, build=False, echo=lambda message: None
    )
    data["children_left"] = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
    data["workdir"] = workdir
    return data


def test_every_peer_answers_the_sparql_mix(smoke):
    results = {r.name: r for r in smoke["results"]}
    assert set(results) == PEERS
    sparql = [i.name for i in smoke["items"] if i.kind == "sparql"]
    assert len(sparql) == len(mix.sparql_items()) > 10
    for name in ("amurkg", "oxigraph"):
        for item in sparql:
            outcome = results[name].items[item]
            assert outcome.samples and not outcome.errors, (name, item, outcome.errors)
    for name in ("rdflib", "rdflib-endpoint"):
        answered = [i for i in sparql if results[name].items[i].samples]
        assert len(answered) > len(sparql) // 2, name  # rdflib may time out or fail on a few; they are reported
    for result in results.values():
        assert result.load_seconds > 0 and result.serving_peak > 0


def test_explorer_requests_run_on_our_server(smoke):
    ours = next(r for r in smoke["results"] if r.name == "amurkg")
    explorer = [i for i in smoke["items"] if i.kind == "explorer"]
    names = {i.name for i in explorer}
    assert {"search: tiger", "species page", "neighbourhood"} <= names
    for item in explorer:
        assert ours.items[item.name].samples and not ours.items[item.name].errors, item.name


def test_throughput_and_scale_curve_ran(smoke):
    assert smoke["shared"]
    for result in smoke["results"]:
        assert result.throughput["completed"] > 0 and result.throughput["errors"] == 0, result.name
    assert {row["factor"] for row in smoke["scales"]} == {2}
    assert {row["result"].name for row in smoke["scales"]} == {"amurkg", "oxigraph"}
    assert smoke["scales"][0]["quads"] > smoke["quads"]


def test_interactive_items_were_timed_under_load(smoke):
    ours = next(r for r in smoke["results"] if r.name == "amurkg")
    load = ours.under_load
    assert load["clients"] == 2 and len(load["heavy"]) == 3 and load["heavy_completed"] > 0
    assert {"home page", "species page", "cranes"} <= set(load["samples"])
    for name, samples in load["samples"].items():
        assert samples and not load["item_errors"][name], (name, load["item_errors"][name])


def test_peers_stopped_by_themselves(smoke):
    left = [p for p in smoke["children_left"] if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert left == []
    for result in smoke["results"]:
        assert result.name in PEERS


def test_report_has_the_tables(smoke):
    text = report.markdown(smoke)
    for heading in (
        "## Aims (issue 15: fast pages and queries, also under load)",
        "## Aims (issue 8)",
        "## Peers: load and memory",
        "## Latency at concurrency 1",
        "## Interactive latency under analytical load (our server)",
        "## Ratios against Oxigraph server",
        "## Throughput at concurrency 8",
        "## Scale curve (synthetic species)",
    ):
        assert heading in text
    assert "smoke run" in text and "Synthetic data" in text
    aims = text.split("## Aims (issue 15", 1)[1].split("## Aims (issue 8)", 1)[0]
    for aim in (
        "p50 ≤ 50 ms and p95 ≤ 100 ms",
        "page p50 ≤ 2× idle",
        "repeated query ≥ 10×",
        "every named query ≤ 300 ms",
        "within 1.2× of Oxigraph",
        "serving peak ≤ 1 GiB",
        "cold build ≤ 90 s",
    ):
        row = next(line for line in aims.splitlines() if aim in line)
        assert row.rstrip().endswith(("| yes |", "| no |")), row


def test_repeated_queries_are_the_costly_sparql_items():
    """Only SPARQL items costing Oxigraph > 5 ms are asked again, each the given number of times."""
    items = [
        mix.Item("costly", "sparql", ["SELECT 1 {}"]),
        mix.Item("cheap", "sparql", ["SELECT 2 {}"]),
        mix.Item("page", "explorer", ["SELECT 3 {}"], "/"),
    ]
    reference = harness.PeerResult(
        "oxigraph",
        "Oxigraph",
        items={
            "costly": harness.ItemResult("costly", "sparql", samples=[0.02, 0.03]),
            "cheap": harness.ItemResult("cheap", "sparql", samples=[0.001]),
            "page": harness.ItemResult("page", "explorer", samples=[0.5]),
        },
    )
    asked = []

    class Peer:
        def repeated(self, query, reps):
            asked.append(query)
            return [0.001] * reps

    found = harness.repeated_queries(Peer(), items, reference, 4)
    assert found == {"costly": [0.001] * 4} and asked == ["SELECT 1 {}"]


def test_synthetic_copies_are_marked(tmp_path):
    dump = tmp_path / "in.nq"
    base = "https://w3id.org/amurkg/"
    dump.write_text(
        f'<{base}taxon/panthera-tigris> <http://rs.tdwg.org/dwc/terms/taxonRank> "species" <{base}graph/mdd-1.13> .\n'
        f'<{base}taxon/panthera-tigris> <http://www.w3.org/2000/01/rdf-schema#label> "Panthera tigris" '
        f"<{base}graph/mdd-1.13> .\n"
        f"<{base}occurrence/panthera-tigris/PA0443/range-box> <{base}ontology#taxon> <{base}taxon/panthera-tigris> "
        f"<{base}graph/derived> .\n"
        f'<{base}ecoregion/PA0443> <http://www.w3.org/2000/01/rdf-schema#label> "Ussuri" <{base}graph/teow> .\n'
    )
    scaled = tmp_path / "x3.nq"
    assert synthetic.write_scaled(dump, scaled, 3) == 4 + 2 * 3
    lines = scaled.read_text().splitlines()
    clones = lines[4:]
    assert all(line.endswith(f"<{base}graph/bench-synthetic> .") for line in clones)
    assert (
        f"<{base}taxon/panthera-tigris-synthetic-2> <http://www.w3.org/2000/01/rdf-schema#label> "
        f'"Panthera tigris (synthetic 2)" <{base}graph/bench-synthetic> .' in clones
    )
    assert (
        f"<{base}occurrence/panthera-tigris-synthetic-1/PA0443/range-box> <{base}ontology#taxon> "
        f"<{base}taxon/panthera-tigris-synthetic-1> <{base}graph/bench-synthetic> ." in clones
    )
    assert not any("ecoregion/PA0443>" in line and "synthetic" in line.split()[0] for line in clones)
    sliced = tmp_path / "slice.nq"
    assert synthetic.write_slice(scaled, sliced, species_count=1) == 4  # the first species and the ecoregion


def test_bind_puts_values_in_the_where_group():
    query = mix.bind("SELECT ?o WHERE { ?iri ?p ?o }", {"iri": "<https://w3id.org/amurkg/taxon/x>"})
    assert query == "SELECT ?o WHERE { VALUES (?iri) { (<https://w3id.org/amurkg/taxon/x>) }  ?iri ?p ?o }"
    assert "ASK { VALUES (?iri)" in mix.bind("ASK { ?iri ?p ?o }", {"iri": "<x>"})


def test_tree_rss_of_a_gone_process_is_zero():
    assert tree_rss(2**22 + 12345) == 0


class _FixedAnswer(BaseHTTPRequestHandler):
    """Answers every request with the status and content type the test set on the server, and records Accept."""

    def _answer(self):
        self.server.accepts.append(self.headers.get("Accept"))
        status, mime = self.server.answer
        body = b"<html></html>" if mime == "text/html" else b"x"
        self.send_response(status)
        self.send_header("Content-Type", mime)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def fixed_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FixedAnswer)
    server.accepts = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _page_and_query(server, tmp_path):
    peer = OurServer(tmp_path, {})
    peer.base = f"http://127.0.0.1:{server.server_address[1]}"
    peer.endpoint = peer.base + "/sparql"
    peer.timeout = 5
    page = mix.Item("species page", "explorer", [], "/taxon/x", accept=mix.BROWSER_ACCEPT, expect=mix.HTML)
    query = mix.Item("q", "sparql", ["SELECT * { ?s ?p ?o }"])
    return peer, page, query


@pytest.mark.parametrize(
    ("status", "mime", "page_ok", "query_ok"),
    [
        (200, "text/html", True, False),
        (200, "application/sparql-results+json", False, True),
        (200, "application/n-triples", False, True),  # a page negotiated to N-Triples is not what a browser gets
        (406, "text/plain", False, False),
        (404, "text/html", False, False),
        (203, "text/html", False, False),
    ],
)
def test_items_fail_on_a_wrong_status_or_content_type(fixed_server, tmp_path, status, mime, page_ok, query_ok):
    peer, page, query = _page_and_query(fixed_server, tmp_path)
    fixed_server.answer = (status, mime)
    page_sample, query_sample = peer.run(page), peer.run(query)
    assert (page_sample.error is None) == page_ok, page_sample.error
    assert (query_sample.error is None) == query_ok, query_sample.error
    # a page is asked for as a browser asks, a query as a SPARQL client does
    assert fixed_server.accepts == [mix.BROWSER_ACCEPT, mix.SPARQL_ACCEPT]


def test_explorer_pages_ask_for_html():
    items, _ = mix.explorer_items(
        f"{mix.BASE}taxon/x",
        f"{mix.BASE}ecoregion/PA0443",
        [],
        ("a", "b"),
        {"/", "/taxon/<path:rest>", "/ecoregion/<path:rest>", "/explore/search.json"},
    )
    pages = {i.name: i for i in items if i.expect == mix.HTML}
    assert set(pages) == {"home page", "species page", "ecoregion page"}
    assert all(i.accept == mix.BROWSER_ACCEPT for i in pages.values())
    assert all(i.expect for i in items)
