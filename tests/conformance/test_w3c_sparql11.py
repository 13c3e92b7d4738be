"""The W3C SPARQL 1.1 Protocol, Graph Store Protocol and Service Description manifests, run over real HTTP.

Each test is read from its manifest (name, graph data, the ht:Request list with method, path, headers and body, and
the expected ht:Response) and sent with http.client to `amurkg serve` on a temporary writable store. Before each
test the store is reset to the test's graph data. Paths are mapped to this server's (`/sparql/` stays, `/gsp` is
`/rdf-graph-store`), the Host header is the manifest's connection authority (so directly identified graphs get the
manifest's IRIs), and every request carries the write token (the manifests assume an open store).
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS
from sparql_live import make_store, serve

MANIFESTS = Path(__file__).resolve().parents[3] / "shared" / "conformance" / "w3c-sparql11"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
TOKEN = "conformance-token"
PATHS = {"/sparql/": "/sparql/", "/gsp": "/rdf-graph-store"}
STATUS = {
    HTS.OK: {200},
    HTS.Created: {201},
    HTS.NoContent: {204},
    HTS.NotFound: {404},
    HTS.StatusCode2xx: set(range(200, 300)),
    HTS.StatusCode3xx: set(range(300, 400)),
    HTS.StatusCode4xx: set(range(400, 500)),
}
RESULT_TYPES = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
}
# Tests expected to fail here, with the reason. Empty: every test of the three manifests passes.
EXPECTED_FAILURES: dict[str, str] = {}


def _manifest_entries(path: Path) -> list[tuple[Graph, URIRef]]:
    graph = Graph().parse(path, format="turtle", publicID=path.as_uri())
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    entries = []
    for include in graph.objects(manifest, MF.include):
        for item in Collection(graph, include):
            entries += _manifest_entries(Path(urllib.parse.urlparse(str(item)).path))
    for entries_list in graph.objects(manifest, MF.entries):
        entries += [(graph, test) for test in Collection(graph, entries_list)]
    return entries


def _test_id(entry: tuple[Graph, URIRef]) -> str:
    return str(entry[1]).rsplit("#", 1)[-1]


PROTOCOL = _manifest_entries(MANIFESTS / "protocol" / "manifest.ttl")
GRAPH_STORE = _manifest_entries(MANIFESTS / "graph-store-protocol" / "manifest.ttl")
SERVICE_DESCRIPTION = _manifest_entries(MANIFESTS / "service-description" / "manifest.ttl")


def test_the_manifests_have_the_expected_tests():
    assert len(PROTOCOL) == 34
    assert len(GRAPH_STORE) == 13
    assert {_test_id(e) for e in SERVICE_DESCRIPTION} == {"has-endpoint-triple", "returns-rdf", "conforms-to-schema"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = make_store(tmp_path_factory.mktemp("conformance"))
    with serve(store, env={"AMURKG_WRITE_TOKEN": TOKEN}) as base:
        yield urllib.parse.urlparse(base)


def send(server, method: str, path: str, headers: dict[str, str], body: bytes | None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection(server.hostname, server.port, timeout=60)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def reset(server, graph: Graph, test: URIRef) -> None:
    """Empty the store and load the test's ut:graphData, each file into the graph named by its label."""
    inserts = []
    for data in graph.objects(test, UT.graphData):
        source = Path(urllib.parse.urlparse(str(graph.value(data, UT.graph))).path)
        inserts.append(f"GRAPH <{graph.value(data, RDFS.label)}> {{ {source.read_text()} }}")
    update = "DROP ALL" + (f" ; INSERT DATA {{ {' '.join(inserts)} }}" if inserts else "")
    status, _, body = send(
        server,
        "POST",
        "/sparql",
        {"Host": "localhost", "Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
        update.encode(),
    )
    assert status == 204, body


def run_requests(server, graph: Graph, test: URIRef) -> None:
    action = graph.value(test, MF.action)
    authority = str(graph.value(action, HT.connectionAuthority))
    variables: dict[str, str] = {}
    for number, request in enumerate(Collection(graph, graph.value(action, HT.requests)), start=1):
        path = str(graph.value(request, HT.absolutePath))
        for prefix, ours in PATHS.items():
            if path.startswith(prefix):
                path = ours + path[len(prefix) :]
                break
        headers = {"Host": authority, "Authorization": f"Bearer {TOKEN}"}
        for header in _list(graph, graph.value(request, HT.headers)):
            headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
        body_node = graph.value(request, HT.body)
        body = None
        if body_node is not None:
            encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
            text = str(graph.value(body_node, CNT.chars))
            for name, value in variables.items():
                text = text.replace(name, value)
            body = text.encode("utf-16" if encoding.upper() == "UTF-16" else "utf-8")
        for name, value in variables.items():
            path = path.replace(name, value)
        method = str(graph.value(request, HT.methodName))
        status, response_headers, content = send(server, method, path, headers, body)
        where = f"request {number} ({method} {path}): {status} {content[:300]!r}"
        check_response(
            graph,
            graph.value(request, HT.resp),
            status,
            response_headers,
            content,
            f"http://{authority}{path}",
            where,
            variables,
        )


def _list(graph: Graph, node) -> list:
    return list(Collection(graph, node)) if node is not None else []


def check_response(graph, expected, status, headers, content, url, where, variables) -> None:
    allowed = set().union(*(STATUS[s] for s in graph.objects(expected, MF.expectedStatus)))
    assert status in allowed, f"{where}: status not in {sorted(allowed)[:3]}..."
    mime = headers.get("content-type", "").split(";")[0].strip().lower()
    fmt = graph.value(expected, MF.expectedFormat)
    if fmt is not None and str(fmt) == "boolean":
        assert mime in {"application/sparql-results+json", "application/sparql-results+xml"}, where
    if fmt is not None and str(fmt) == "tabular":
        assert mime in RESULT_TYPES, where
    if fmt is not None and str(fmt) == "RDF":
        assert mime in RDF_TYPES, where
        Graph().parse(data=content, format=RDF_TYPES[mime])
    boolean = graph.value(expected, MF.expectedBoolean)
    if boolean is not None:
        assert boolean_result(mime, content) is boolean.toPython(), where
    for header in _list(graph, graph.value(expected, HT.headers)):
        name = str(graph.value(header, HT.fieldName)).lower()
        want = str(graph.value(header, HT.fieldValue))
        assert _normal_type(headers.get(name, "")) == _normal_type(want), f"{where}: {name} {headers.get(name)}"
    body_node = graph.value(expected, HT.body)
    if body_node is not None:
        want_graph = Graph().parse(data=str(graph.value(body_node, CNT.chars)), format="turtle", publicID=url)
        got_graph = Graph().parse(data=content, format=RDF_TYPES[mime], publicID=url)
        assert isomorphic(want_graph, got_graph), f"{where}: graph differs:\n{got_graph.serialize(format='nt')}"
    location = graph.value(expected, MF.expectedLocation)
    if location is not None:
        assert "location" in headers, f"{where}: no Location header"
        variables[str(location)] = headers["location"]


def _normal_type(value: str) -> tuple[str, str]:
    mime, _, params = value.partition(";")
    return mime.strip().lower(), params.replace(" ", "").lower()


def boolean_result(mime: str, content: bytes) -> bool:
    if mime == "application/sparql-results+json":
        return json.loads(content)["boolean"]
    root = ElementTree.fromstring(content)
    return root.find("{http://www.w3.org/2005/sparql-results#}boolean").text.strip() == "true"


def _param(entries):
    return [
        pytest.param(e, id=_test_id(e), marks=pytest.mark.xfail(reason=EXPECTED_FAILURES[_test_id(e)], strict=True))
        if _test_id(e) in EXPECTED_FAILURES
        else pytest.param(e, id=_test_id(e))
        for e in entries
    ]


@pytest.mark.parametrize("entry", _param(PROTOCOL))
def test_protocol(server, entry):
    graph, test = entry
    reset(server, graph, test)
    run_requests(server, graph, test)


@pytest.mark.parametrize("entry", _param(GRAPH_STORE))
def test_graph_store_protocol(server, entry):
    graph, test = entry
    reset(server, graph, test)
    run_requests(server, graph, test)


def service_description(server) -> tuple[int, str, Graph | None, str]:
    endpoint = f"http://{server.hostname}:{server.port}/sparql"
    status, headers, content = send(
        server,
        "GET",
        "/sparql",
        {"Host": f"{server.hostname}:{server.port}", "Accept": "text/turtle, application/rdf+xml;q=0.9"},
        None,
    )
    mime = headers.get("content-type", "").split(";")[0].strip()
    parsed = Graph().parse(data=content, format=RDF_TYPES[mime]) if mime in RDF_TYPES else None
    return status, mime, parsed, endpoint


def check_service_description(name: str, server) -> None:
    status, mime, graph, endpoint = service_description(server)
    if name == "returns-rdf":
        assert status == 200 and mime in RDF_TYPES and graph is not None and len(graph) > 0
    elif name == "has-endpoint-triple":
        assert (None, SD.endpoint, URIRef(endpoint)) in graph
    elif name == "conforms-to-schema":
        services = list(graph.subjects(RDF.type, SD.Service))
        assert len(services) == 1
        service = services[0]
        assert all(isinstance(e, URIRef) for e in graph.objects(service, SD.endpoint))
        languages = set(graph.objects(service, SD.supportedLanguage))
        assert languages and languages <= {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}
        for prop in (SD.resultFormat, SD.inputFormat, SD.feature, SD.extensionFunction):
            assert all(isinstance(v, URIRef) for v in graph.objects(service, prop)), prop
        for dataset in graph.objects(service, SD.defaultDataset):
            assert (dataset, RDF.type, SD.Dataset) in graph
            for default in graph.objects(dataset, SD.defaultGraph):
                assert (default, RDF.type, SD.Graph) in graph
            for named in graph.objects(dataset, SD.namedGraph):
                assert (named, RDF.type, SD.NamedGraph) in graph
                assert isinstance(graph.value(named, SD.name), URIRef)
                for described in graph.objects(named, SD.graph):
                    assert (described, RDF.type, SD.Graph) in graph
    else:
        raise AssertionError(f"no check implemented for service description test {name}")


@pytest.mark.parametrize("entry", _param(SERVICE_DESCRIPTION))
def test_service_description(server, entry):
    graph, test = entry
    reset(server, graph, test)
    check_service_description(_test_id(entry), server)
