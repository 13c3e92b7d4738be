"""RDF and SPARQL clients as Debian ships them, against the build and the live server (issue 24): Raptor's `rapper`
parses every dump it has a parser for to the manifest's count and the IRIs the server dereferences, and Rasqal's
`roqet` runs SELECT, ASK and CONSTRUCT over the SPARQL protocol (it asks every query with
``Accept: application/sparql-results+xml``: a CONSTRUCT gets Turtle, docs/decisions/0013-lenient-negotiation.md).

`make test` installs both (`make clients`: Debian raptor2-utils, rasqal-utils)."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest

pytestmark = pytest.mark.skipif(
    not (shutil.which("rapper") and shutil.which("roqet")),
    reason="rapper and roqet are installed by `make clients` (make test does)",
)

# Raptor's parser of each dump's media type; JSON-LD has none in Raptor 2 (its "json" is RDF/JSON), so the JSON-LD
# dump is left to the export tests (tests/test_export.py parses it with pyoxigraph)
RAPTOR = {
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "application/n-triples": "ntriples",
    "text/turtle": "turtle",
    "application/rdf+xml": "rdfxml",
}
PARSED = re.compile(r"returned (\d+) (?:triples|statements)")


def rapper_count(syntax: str, data: bytes, base: str = "https://w3id.org/amurkg/") -> int:
    """Statements rapper parses from ``data`` (stdin); fails the test with rapper's own message on an error."""
    done = subprocess.run(["rapper", "--count", "-i", syntax, "-", base], input=data, capture_output=True, timeout=300)
    message = done.stderr.decode(errors="replace")
    assert done.returncode == 0 and "Error" not in message, message
    found = PARSED.search(message)
    assert found, message
    return int(found.group(1))


def test_rapper_parses_every_dump_to_the_manifests_count(built_store):
    dumps = built_store / "dumps"
    manifest = json.loads((dumps / "dumps.json").read_text())
    rdf = [entry for entry in manifest["files"] if entry["kind"] == "rdf"]
    assert {entry["media_type"] for entry in rdf} >= set(RAPTOR)
    for entry in rdf:
        if entry["media_type"] not in RAPTOR:
            continue
        data = gzip.decompress((dumps / entry["file"]).read_bytes())
        assert rapper_count(RAPTOR[entry["media_type"]], data) == entry["triples"], entry["file"]
    void = (dumps / "void.ttl").read_bytes()
    assert rapper_count("turtle", void) == len(ox.Dataset(ox.parse(void, ox.RdfFormat.TURTLE)))


@pytest.mark.parametrize(
    "path", ["taxon/panthera-tigris", "ecoregion/PA0443", "threat/5.1.1", "source/mdd-1.13", "dataset"]
)
@pytest.mark.parametrize("media_type", ["text/turtle", "application/rdf+xml", "application/n-triples"])
def test_rapper_parses_the_iris_the_server_dereferences(live_server, path, media_type):
    request = urllib.request.Request(f"{live_server}/{path}", headers={"Accept": media_type})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.headers["Content-Type"].split(";")[0] == media_type
        body = response.read()
    expected = len(ox.Dataset(ox.parse(body, ox.RdfFormat.from_media_type(media_type), base_iri=live_server)))
    assert expected > 0
    assert rapper_count(RAPTOR[media_type], body, f"{live_server}/{path}") == expected


def roqet(*arguments: str) -> tuple[int, str, str]:
    done = subprocess.run(["roqet", "-i", "sparql11-query", *arguments], capture_output=True, timeout=120)
    return done.returncode, done.stdout.decode(), done.stderr.decode(errors="replace")


TIGER = "<https://w3id.org/amurkg/taxon/panthera-tigris>"
NAME = "<https://w3id.org/amurkg/ontology#canonicalName>"


def test_roqet_runs_a_select_over_the_protocol(live_server):
    code, out, err = roqet(
        "-p", f"{live_server}/sparql", "-e", f"SELECT ?name WHERE {{ {TIGER} {NAME} ?name }}", "-r", "csv"
    )
    assert code == 0 and "rror" not in err, err
    assert out.splitlines() == ["name", "Panthera tigris"]


def test_roqet_runs_a_construct_over_the_protocol(live_server):
    """roqet asks a CONSTRUCT with ``Accept: application/sparql-results+xml``: the endpoint answers 200 with Turtle
    (it answered 406). Rasqal 0.9.33 reads every protocol answer as a result set (rasqal_service_execute makes a
    bindings result), so the graph itself is checked by Rasqal reading the same answer as data (-D)."""
    query = f"CONSTRUCT {{ {TIGER} ?p ?o }} WHERE {{ {TIGER} ?p ?o }}"
    log = live_server.log
    before = log.stat().st_size
    code, out, err = roqet("-p", f"{live_server}/sparql", "-e", query)
    assert "Failed to fetch" not in err and "Resolving URI failed" not in err, err  # an HTTP error (406) fails here
    answered = ""
    for _ in range(50):  # the access log is written after the answer
        answered = log.read_bytes()[before:].decode(errors="replace")
        if '"GET /sparql?query=' in answered:
            break
        time.sleep(0.1)
    assert re.search(r'"GET /sparql\?query=\S+ HTTP/1\.1" 200 ', answered), answered
    # the answer as roqet's data: Raptor fetches and parses it, Rasqal queries it
    url = f"{live_server}/sparql?" + urllib.parse.urlencode({"query": query})
    code, out, err = roqet("-e", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "-D", url, "-r", "csv")
    assert "rror" not in err, err
    request = urllib.request.Request(url, headers={"Accept": "application/n-triples"})
    with urllib.request.urlopen(request, timeout=60) as response:
        expected = len(ox.Dataset(ox.parse(response.read(), ox.RdfFormat.N_TRIPLES)))
    assert out.splitlines() == ["n", str(expected)] and expected > 5
