"""The SPARQL endpoint over real HTTP (`amurkg serve`, gunicorn): limits, write protection, errors, content
negotiation, and interoperability with real clients (SPARQLWrapper, rdflib's SPARQLStore and SPARQLUpdateStore)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from sparql_live import make_store, serve
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

TOKEN = "endpoint-test-token"
EX = "http://example.org/"
GRAPH = EX + "things"
TIMEOUT = 2.0
RESULT_CAP = 20_000
REQUEST_CAP = 20_000
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <http://example.org/things> { ?s ?p ?o } }"
# 2000 triples: the three-way cartesian product has 8e9 rows and runs for minutes
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def synthetic_quads() -> list[ox.Quad]:
    graph = ox.NamedNode(GRAPH)
    return [
        ox.Quad(ox.NamedNode(f"{EX}thing/{i}"), ox.NamedNode(EX + "label"), ox.Literal(f"thing {i}"), graph)
        for i in range(2000)
    ]


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    store = make_store(tmp_path_factory.mktemp("endpoint"), synthetic_quads())
    env = {
        "AMURKG_WRITE_TOKEN": TOKEN,
        "AMURKG_RESULT_MAX_BYTES": str(RESULT_CAP),
        "AMURKG_MAX_REQUEST_BYTES": str(REQUEST_CAP),
    }
    with serve(store, env=env, timeout=TIMEOUT) as base:
        yield base + "/sparql"


@pytest.fixture(scope="module")
def read_only_endpoint(tmp_path_factory):
    """No write token configured: writes are off."""
    store = make_store(tmp_path_factory.mktemp("read-only"), synthetic_quads())
    with serve(store) as base:
        yield base + "/sparql"


def call(url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None):
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def get(endpoint: str, query: str, accept: str | None = None, **params):
    url = endpoint + "?" + urllib.parse.urlencode({"query": query, **params})
    return call(url, headers={"Accept": accept} if accept else {})


def update(endpoint: str, text: str, token: str | None = TOKEN, **params):
    headers = {"Content-Type": "application/sparql-update"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    url = endpoint + ("?" + urllib.parse.urlencode(params) if params else "")
    return call(url, data=text.encode(), headers=headers)


def count(endpoint: str, query: str = COUNT) -> int:
    status, _, body = get(endpoint, query, "application/sparql-results+json")
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def build_id(endpoint: str) -> str:
    return json.loads(call(endpoint.replace("/sparql", "/health"))[2])["build"]


# --- limits -------------------------------------------------------------------------------------------------


def test_a_long_query_is_stopped_at_the_timeout_and_the_next_query_works(endpoint):
    status, headers, body = get(endpoint, CARTESIAN)
    assert status == 503
    assert b"timeout" in body and headers["X-Query-Timeout-Seconds"] == f"{TIMEOUT:g}"
    assert count(endpoint) == 2000  # a fresh worker replaced the killed one


def test_a_result_over_the_cap_is_an_error_naming_the_cap_never_a_truncation(endpoint):
    status, headers, body = get(endpoint, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert status == 422
    assert str(RESULT_CAP).encode() in body and b"LIMIT" in body
    assert headers["X-Result-Cap-Bytes"] == str(RESULT_CAP)
    status, _, body = get(endpoint, "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 10", "text/csv")
    assert status == 200 and body.count(b"\n") == 11


def test_a_request_over_the_size_limit_is_413(endpoint):
    query = "ASK {} #" + "x" * REQUEST_CAP
    status, _, body = call(endpoint, data=query.encode(), headers={"Content-Type": "application/sparql-query"})
    assert status == 413 and str(REQUEST_CAP).encode() in body


def test_service_is_refused_unless_allowed(endpoint):
    status, _, body = get(endpoint, f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}")
    assert status == 403 and endpoint.encode() in body
    query = "PREFIX x: <http://127.0.0.1/> SELECT * WHERE { SERVICE SILENT x:sparql { ?s ?p ?o } }"
    status, _, body = get(endpoint, query)
    assert status == 403 and b"http://127.0.0.1/sparql" in body
    # a keyword inside a literal is not a SERVICE call
    assert get(endpoint, 'SELECT * WHERE { BIND("SERVICE <http://x/>" AS ?s) }')[0] == 200


def test_service_on_the_allow_list_is_called(tmp_path):
    store = make_store(tmp_path, synthetic_quads())
    with serve(store) as remote:
        remote_endpoint = remote + "/sparql"
        other = make_store(tmp_path / "other", [])
        with serve(other, env={"AMURKG_SERVICE_ALLOWLIST": remote_endpoint}) as local:
            query = f"SELECT (COUNT(*) AS ?n) WHERE {{ SERVICE <{remote_endpoint}> {{ GRAPH ?g {{ ?s ?p ?o }} }} }}"
            assert count(local + "/sparql", query) == 2000


def test_load_is_refused_unless_allowed(endpoint):
    status, _, body = update(endpoint, "LOAD <http://169.254.169.254/latest/meta-data/> INTO GRAPH <http://x/>")
    assert status == 403 and b"169.254.169.254" in body


# --- writes -------------------------------------------------------------------------------------------------


def test_writes_are_off_without_a_configured_token(read_only_endpoint):
    before = build_id(read_only_endpoint)
    assert update(read_only_endpoint, "CLEAR ALL", token=None)[0] == 403
    assert update(read_only_endpoint, "CLEAR ALL", token="guess")[0] == 403
    graph_store = read_only_endpoint.replace("/sparql", "/rdf-graph-store") + "?default"
    assert call(graph_store, data=b"<a> <b> <c> .", headers={"Content-Type": "text/turtle"}, method="PUT")[0] == 403
    assert count(read_only_endpoint) == 2000 and build_id(read_only_endpoint) == before


def test_writes_need_the_bearer_token(endpoint):
    before = build_id(endpoint)
    status, headers, _ = update(endpoint, "CLEAR ALL", token=None)
    assert status == 401 and headers["WWW-Authenticate"].startswith("Bearer")
    assert update(endpoint, "CLEAR ALL", token="wrong")[0] == 403
    form = urllib.parse.urlencode({"update": "CLEAR ALL"}).encode()
    assert call(endpoint, data=form, headers={"Content-Type": "application/x-www-form-urlencoded"})[0] == 401
    assert count(endpoint) == 2000 and build_id(endpoint) == before


def test_an_update_is_a_new_build_and_a_failed_one_changes_nothing(endpoint):
    before = build_id(endpoint)
    status, _, body = update(endpoint, f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{EX}new> <{EX}label> 'new' }} }}")
    assert status == 204, body
    after = build_id(endpoint)
    assert after != before and count(endpoint) == 2001
    broken = f"DELETE DATA {{ GRAPH <{GRAPH}> {{ <{EX}new> <{EX}label> 'new' }} }} ; CLEAR XYZ"
    status, _, body = update(endpoint, broken)
    assert status == 400 and b"malformed update" in body
    assert build_id(endpoint) == after and count(endpoint) == 2001
    assert update(endpoint, f"DELETE DATA {{ GRAPH <{GRAPH}> {{ <{EX}new> <{EX}label> 'new' }} }}")[0] == 204
    assert count(endpoint) == 2000


def test_rdflib_sparql_update_store_writes_with_the_token(endpoint):
    store = SPARQLUpdateStore(endpoint, endpoint, headers={"Authorization": f"Bearer {TOKEN}"})
    graph = Graph(store=store, identifier=URIRef(EX + "rdflib"))
    graph.add((URIRef(EX + "a"), URIRef(EX + "b"), URIRef(EX + "c")))
    assert count(endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{EX}rdflib> {{ ?s ?p ?o }} }}") == 1
    graph.remove((None, None, None))
    assert count(endpoint, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{EX}rdflib> {{ ?s ?p ?o }} }}") == 0


# --- protocol errors ----------------------------------------------------------------------------------------


def test_malformed_query_is_400_with_the_parser_message(endpoint):
    status, headers, body = get(endpoint, "SELECT ?x WHERE { ?x")
    assert status == 400 and b"malformed query" in body and b"error at" in body
    assert headers["Content-Type"].startswith("text/plain") and b"Traceback" not in body


@pytest.mark.parametrize("content_type, status", [("text/plain", 415), ("application/json", 415)])
def test_wrong_media_type(endpoint, content_type, status):
    assert call(endpoint, data=b"ASK {}", headers={"Content-Type": content_type})[0] == status


def test_bad_method_is_405(endpoint):
    status, headers, _ = call(endpoint + "?query=ASK%7B%7D", method="PUT", data=b"")
    assert status == 405 and "POST" in headers["Allow"]


def test_non_utf8_body_is_400(endpoint):
    headers = {"Content-Type": "application/sparql-query"}
    assert call(endpoint, data="ASK { FILTER('é') }".encode("latin-1"), headers=headers)[0] == 400
    headers = {"Content-Type": "application/sparql-query; charset=UTF-16"}
    assert call(endpoint, data="ASK {}".encode("utf-16"), headers=headers)[0] == 400


def test_conflicting_dataset_parameters_are_400(endpoint):
    text = "WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert update(endpoint, text, **{"using-graph-uri": "http://example.org/g"})[0] == 400
    assert get(endpoint, "ASK {}", **{"using-graph-uri": "http://example.org/g"})[0] == 400
    assert get(endpoint, "ASK {}", **{"default-graph-uri": "not an iri"})[0] == 400


def test_protocol_dataset_replaces_the_union_default_graph(endpoint):
    assert count(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == 2000
    status, _, body = get(
        endpoint,
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "application/sparql-results+json",
        **{"default-graph-uri": EX + "nothing"},
    )
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "0"


def test_cors(endpoint):
    status, headers, _ = get(endpoint, "ASK {}")
    assert headers["Access-Control-Allow-Origin"] == "*"
    status, headers, _ = call(
        endpoint,
        method="OPTIONS",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert status == 200 and "POST" in headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in headers["Access-Control-Allow-Headers"]


# --- content negotiation (curl-style requests) --------------------------------------------------------------

SELECT = f"SELECT ?s ?o WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }} ORDER BY ?s LIMIT 3"
CONSTRUCT = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }} LIMIT 3"


@pytest.mark.parametrize(
    "accept, served",
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv, text/tab-separated-values;q=0.5", "text/csv"),
        ("application/json", "application/sparql-results+json"),
        ("text/html;q=0.9, application/sparql-results+xml;q=0.1", "application/sparql-results+xml"),
    ],
)
def test_select_negotiation(endpoint, accept, served):
    status, headers, _ = get(endpoint, SELECT, accept)
    assert status == 200 and headers["Content-Type"].split(";")[0] == served
    assert "Accept" in headers["Vary"]


@pytest.mark.parametrize(
    "accept, served",
    [
        (None, "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml;q=0.9, text/turtle;q=0.1", "application/rdf+xml"),
        ("application/trig", "application/trig"),
        ("application/n-quads", "application/n-quads"),
    ],
)
def test_construct_negotiation(endpoint, accept, served):
    status, headers, body = get(endpoint, CONSTRUCT, accept)
    assert status == 200 and headers["Content-Type"].split(";")[0] == served
    assert len(ox.Dataset(ox.parse(body, ox.RdfFormat.from_media_type(served)))) == 3


@pytest.mark.parametrize(
    "fmt, served",
    [("csv", "text/csv"), ("tsv", "text/tab-separated-values"), ("xml", "application/sparql-results+xml")],
)
def test_format_parameter_overrides_accept(endpoint, fmt, served):
    status, headers, _ = get(endpoint, SELECT, "application/sparql-results+json", format=fmt)
    assert status == 200 and headers["Content-Type"].split(";")[0] == served


@pytest.mark.parametrize(
    "query, accept, served",
    [
        # roqet asks every query with SPARQL XML results: a graph query gets Turtle (as Fuseki answers)
        (CONSTRUCT, "application/sparql-results+xml", "text/turtle"),
        (CONSTRUCT, "text/csv", "text/turtle"),
        (CONSTRUCT, "application/sparql-results+json, text/html;q=0.5", "text/turtle"),
        # a SELECT whose Accept names only RDF syntaxes gets SPARQL XML results
        (SELECT, "text/turtle", "application/sparql-results+xml"),
        (SELECT, "application/n-triples, application/rdf+xml;q=0.5", "application/sparql-results+xml"),
    ],
)
def test_an_accept_naming_only_the_other_kind_gets_the_kinds_default(endpoint, query, accept, served):
    status, headers, body = get(endpoint, query, accept)
    assert status == 200 and headers["Content-Type"].split(";")[0] == served
    if served == "text/turtle":
        assert len(ox.Dataset(ox.parse(body, ox.RdfFormat.TURTLE))) == 3


@pytest.mark.parametrize(
    "query, accept",
    [
        (SELECT, "image/png"),  # names no SPARQL answer at all
        (CONSTRUCT, "text/html"),
        (CONSTRUCT, "text/csv, text/turtle;q=0"),  # refuses the fallback by name
        (SELECT, "text/turtle, */*;q=0"),  # ... or by a wildcard
        (
            SELECT,
            "application/sparql-results+json;q=0, application/sparql-results+xml;q=0, text/csv;q=0, "
            "text/tab-separated-values;q=0",
        ),
    ],
)
def test_nothing_acceptable_is_406(endpoint, query, accept):
    status, _, body = get(endpoint, query, accept)
    assert status == 406
    assert (b"application/sparql-results+json" if query == SELECT else b"text/turtle") in body


def test_browsers_get_a_page_and_rdf_clients_the_service_description(endpoint):
    status, headers, body = call(endpoint, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert status == 200 and headers["Content-Type"].startswith("text/html") and b'href="/query"' in body
    status, headers, body = call(endpoint, headers={"Accept": "application/ld+json"})
    assert status == 200 and headers["Content-Type"].startswith("application/ld+json")
    description = Graph().parse(data=body, format="json-ld")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (None, URIRef(sd + "endpoint"), URIRef(endpoint)) in description
    assert (None, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Update")) in description
    assert (None, URIRef(sd + "name"), URIRef(GRAPH)) in description


# --- Graph Store Protocol reads -----------------------------------------------------------------------------


def test_graph_store_reads(endpoint):
    store = endpoint.replace("/sparql", "/rdf-graph-store")
    status, headers, body = call(
        store + "?graph=" + urllib.parse.quote(GRAPH, safe=""), headers={"Accept": "application/n-triples"}
    )
    assert status == 422  # 2000 triples of N-Triples are over this server's result cap
    status, headers, body = call(store + "?default", headers={"Accept": "application/n-triples"})
    assert status == 200 and body == b""
    assert call(store + "?graph=" + urllib.parse.quote(EX + "missing", safe=""))[0] == 404
    assert call(store)[0] == 400


# --- real clients -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("return_format", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select(endpoint, return_format):
    client = SPARQLWrapper(endpoint)
    client.setQuery(SELECT)
    client.setReturnFormat(return_format)
    result = client.query().convert()
    if return_format == JSON:
        assert len(result["results"]["bindings"]) == 3
    elif return_format == XML:
        assert len(result.getElementsByTagName("result")) == 3
    else:
        assert len(result.decode().strip().splitlines()) == 4


@pytest.mark.parametrize("return_format", [TURTLE, N3, RDFXML, JSONLD, XML])
def test_sparqlwrapper_construct(endpoint, return_format):
    client = SPARQLWrapper(endpoint)
    client.setQuery(CONSTRUCT)
    client.setReturnFormat(return_format)
    result = client.query().convert()
    graph = (
        result
        if isinstance(result, Graph)
        else Graph().parse(data=result, format={TURTLE: "turtle", N3: "turtle", JSONLD: "json-ld"}[return_format])
    )
    assert len(graph) == 3


def test_sparqlwrapper_ask_and_post(endpoint):
    client = SPARQLWrapper(endpoint)
    client.setQuery(f"ASK {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")
    client.setReturnFormat(JSON)
    client.setMethod("POST")
    assert client.query().convert()["boolean"] is True


def test_rdflib_sparql_store(endpoint):
    graph = Graph(store=SPARQLStore(endpoint))
    rows = list(graph.query(SELECT))
    assert len(rows) == 3 and str(rows[0][0]).startswith(EX + "thing/")
    assert graph.query(f"ASK {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}").askAnswer is True
