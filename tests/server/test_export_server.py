"""The downloads blueprint: /downloads (files, sizes, sha256, licence, citation), the dump files with ETag,
Range and conditional requests, /.well-known/void (VoID + DCAT) and /context.jsonld."""

from __future__ import annotations

import hashlib
import json
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, Namespace, URIRef

from kg import export as kx
from kg.store import layout as kgstore
from server import create_app

BASE = "https://w3id.org/amurkg/"
# plain namespaces: rdflib's closed ones warn when pytest inspects the module's attributes
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
VOID = Namespace("http://rdfs.org/ns/void#")


@pytest.fixture(scope="module")
def build_dir(built_store) -> Path:
    return kgstore.current_build(built_store)


@pytest.fixture(scope="module")
def manifest(build_dir) -> dict:
    return kx.read_dumps_manifest(build_dir)


@pytest.fixture
def client(real_client):
    return real_client


def test_downloads_page_lists_dumps_with_sizes_checksums_licence_and_citation(client, manifest):
    response = client.get("/downloads")
    assert response.status_code == 200
    page = response.data.decode()
    for item in manifest["files"]:
        assert f'href="/downloads/{item["file"]}"' in page
        assert item["sha256"] in page
        assert f"{item['bytes']:,}" in page
    assert "CC-BY-4.0" in page and manifest["citation"] in page
    assert "fishbase-2013" in page and "CC-BY-NC-3.0" in page  # every source's licence


def test_dump_download_has_etag_and_honours_conditional_requests(client, manifest, build_dir):
    item = next(f for f in manifest["files"] if f["file"] == "amurkg.nq.gz")
    response = client.get("/downloads/amurkg.nq.gz")
    assert response.status_code == 200
    assert response.mimetype == "application/gzip"
    assert response.headers["ETag"] == f'"{item["sha256"]}"'
    assert response.headers["Accept-Ranges"] == "bytes"
    assert hashlib.sha256(response.data).hexdigest() == item["sha256"]
    response.close()
    again = client.get("/downloads/amurkg.nq.gz", headers={"If-None-Match": f'"{item["sha256"]}"'})
    assert again.status_code == 304 and again.data == b""
    changed = client.get("/downloads/amurkg.nq.gz", headers={"If-None-Match": '"something-else"'})
    assert changed.status_code == 200
    changed.close()


def test_dump_download_serves_byte_ranges(client, build_dir):
    data = (build_dir / kx.DUMPS_DIR / "amurkg.ttl.gz").read_bytes()
    response = client.get("/downloads/amurkg.ttl.gz", headers={"Range": "bytes=100-1099"})
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes 100-1099/{len(data)}"
    assert response.data == data[100:1100]
    response.close()
    tail = client.get("/downloads/amurkg.ttl.gz", headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.data == data[-10:]
    tail.close()
    beyond = client.get("/downloads/amurkg.ttl.gz", headers={"Range": f"bytes={len(data) + 10}-"})
    assert beyond.status_code == 416


def test_only_manifest_files_are_served(client, manifest):
    assert client.get("/downloads/BUILD.json").status_code == 404
    assert client.get("/downloads/..%2FBUILD.json").status_code == 404
    assert client.get("/downloads/amurkg.n3.gz").status_code == 404
    listed = client.get("/downloads/dumps.json")
    assert listed.status_code == 200 and json.loads(listed.data) == manifest


def test_void_describes_graphs_partitions_sources_and_downloads(client, built_store, manifest):
    response = client.get("/.well-known/void")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    void = Graph().parse(data=response.data, format="turtle")
    store = kgstore.open_read_only(built_store)
    dataset = URIRef(BASE + "dataset")
    for graph in store.named_graphs():
        n = sum(1 for _ in store.quads_for_pattern(None, None, None, graph))
        assert (URIRef(graph.value), VOID.triples, Literal(n)) in void
        assert (dataset, VOID.subset, URIRef(graph.value)) in void
    taxa = {
        void.value(p, VOID.entities)
        for p in void.objects(dataset, VOID.classPartition)
        if void.value(p, VOID["class"]) == URIRef("http://rs.tdwg.org/dwc/terms/Taxon")
    }
    assert taxa == {
        Literal(
            len(
                {
                    q.subject
                    for q in store.quads_for_pattern(
                        None,
                        ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                        ox.NamedNode("http://rs.tdwg.org/dwc/terms/Taxon"),
                        None,
                    )
                }
            )
        )
    }
    assert len(list(void.objects(dataset, VOID.propertyPartition))) > 30
    for source in void.subjects(
        URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef("https://w3id.org/amurkg/ontology#Source")
    ):
        assert void.value(source, DCTERMS.license) and void.value(source, DCTERMS.bibliographicCitation)
    assert void.value(dataset, DCTERMS.bibliographicCitation) == Literal(manifest["citation"])
    assert void.value(dataset, URIRef(str(DCAT) + "version")) == Literal(manifest["version"])
    for item in manifest["files"]:
        if item["file"] == "void.ttl":
            continue
        url = URIRef(BASE + "downloads/" + item["file"])
        assert (dataset, DCAT.distribution, url) in void
        assert int(void.value(url, DCAT.byteSize)) == item["bytes"]
        assert str(void.value(url, URIRef("https://w3id.org/amurkg/ontology#sha256"))) == item["sha256"]
    dumps = set(void.objects(dataset, VOID.dataDump))
    assert len(dumps) == len(kx.RDF_FORMATS)


def test_void_negotiates_json_ld(client):
    response = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    assert len(Graph().parse(data=response.data, format="json-ld")) > 100


def test_context_is_json_ld(client):
    response = client.get("/context.jsonld")
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    context = json.loads(response.data)["@context"]
    assert context["amur"] == "https://w3id.org/amurkg/ontology#"
    assert context["occursIn"] == {"@id": "amur:occursIn", "@type": "@id"}
    assert context["scientificName"] == "dwc:scientificName"


def test_build_without_dumps_still_serves_the_page_and_void(build_dir, tmp_path):
    """A store built before dumps existed: the page says so, files are 404, VoID is computed from the store."""
    old = tmp_path / "data" / "stores" / "old"
    old.mkdir(parents=True)
    (old / "oxigraph").symlink_to(build_dir / "oxigraph")
    shutil.copy(build_dir / kgstore.MANIFEST, old / kgstore.MANIFEST)
    (tmp_path / "data" / "store").symlink_to(Path("stores") / "old")
    client = create_app({"STORE_PATH": str(tmp_path / "data" / "store"), "TESTING": True}).test_client()
    page = client.get("/downloads")
    assert page.status_code == 200 and b"has no dumps" in page.data
    assert client.get("/downloads/amurkg.nq.gz").status_code == 404
    void = client.get("/.well-known/void")
    assert void.status_code == 200
    assert (URIRef(BASE + "dataset"), VOID.triples, None) in Graph().parse(data=void.data, format="turtle")


def test_downloads_over_real_http_with_gunicorn(live_server, build_dir, manifest):
    """Range and ETag through `amurkg serve` (gunicorn), not only the test client."""
    data = (build_dir / kx.DUMPS_DIR / "amurkg.trig.gz").read_bytes()
    sha = next(f["sha256"] for f in manifest["files"] if f["file"] == "amurkg.trig.gz")
    base = live_server
    ranged = urllib.request.Request(base + "/downloads/amurkg.trig.gz", headers={"Range": "bytes=10-19"})
    with urllib.request.urlopen(ranged, timeout=10) as response:
        assert response.status == 206 and response.read() == data[10:20]
        assert response.headers["ETag"] == f'"{sha}"'
    conditional = urllib.request.Request(base + "/downloads/amurkg.trig.gz", headers={"If-None-Match": f'"{sha}"'})
    with pytest.raises(urllib.error.HTTPError) as not_modified:
        urllib.request.urlopen(conditional, timeout=10)
    assert not_modified.value.code == 304
    with urllib.request.urlopen(base + "/downloads/amurkg.trig.gz", timeout=30) as response:
        assert hashlib.sha256(response.read()).hexdigest() == sha
