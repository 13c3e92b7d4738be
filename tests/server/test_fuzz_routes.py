"""Every route of the app, every bad byte (issue 17): Hypothesis drives each rule of ``app.url_map`` with hostile
path segments, query strings, headers and bodies, and checks what a client may never see: a 5xx (other than a 503
for a query timeout), a stack trace, or script echoed into a page.

The routes come from the app itself, so a new route is fuzzed without touching this file. The app runs over a
small store (tests/data/analytics/small.ttl) without TESTING, so errors are handled as in production.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, quote_from_bytes
from urllib.parse import unquote as urllib_unquote

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from repeatable import REPEATABLE
from sparql_live import make_store

from server import create_app

DATA = Path(__file__).resolve().parents[1] / "data" / "analytics" / "small.ttl"
BASE = "https://w3id.org/amurkg/"
TOKEN = "fuzz-test-token"
REQUEST_CAP = 200_000
SCRIPT = "<script>alert(17)</script>"
# Examples per route: bounded and derandomized, so the test is repeatable and takes seconds per route family.
EXAMPLES = 12


def _rules() -> list:
    """The app's routes, read from an app over a store that does not exist (routing needs no store)."""
    app = create_app({"STORE_PATH": "/nonexistent/amurkg-fuzz/store"})
    return sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule)


RULES = _rules()


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    graph = ox.NamedNode(BASE + "graph/fuzz")
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, graph) for t in ox.parse(path=str(DATA), format=ox.RdfFormat.TURTLE)
    ]
    store = make_store(tmp_path_factory.mktemp("fuzz"), quads)
    app = create_app(
        {"STORE_PATH": str(store), "QUERY_TIMEOUT": 10.0, "WRITE_TOKEN": TOKEN, "MAX_REQUEST_BYTES": REQUEST_CAP}
    )
    yield app
    app.extensions["amurkg.query_pool"].close()


# --- hostile pieces -----------------------------------------------------------------------------------------

# Percent-encoded strings as they arrive on the wire: invalid UTF-8, NUL, overlong forms, broken escapes.
HOSTILE_SEGMENTS = [
    "%ff",
    "a%00b",
    "%00",
    "%",
    "%zz",
    "%e2%82",
    "%c0%af",
    "%c0%ae%c0%ae%c0%af",
    "%ed%a0%80",
    "%ef%bf%bd",
    "..%2f..%2fetc%2fpasswd",
    "..",
    "%2e%2e",
    quote(SCRIPT, safe=""),
    "a b",
    "%0d%0aSet-Cookie:%20x=1",
    "99999999999999999999999999999999",
    "-1",
    "1e308",
    "NaN",
    "x" * 5000,
    quote("\u202e\ufeff\U0001f600"),
    "alpha-one",
    "alpha-one/assessment/iucn-global",
    "plantae/genus/alpha",
]
HOSTILE_VALUES = HOSTILE_SEGMENTS + [
    quote(BASE + "taxon/alpha-one", safe=""),
    quote(BASE, safe="") + "%ff",
    quote(BASE, safe="") + "a%00b",
    quote(BASE + "taxon/", safe="") + quote(SCRIPT, safe=""),
    "SELECT%20*%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D",
    "ASK%7B%7D",
    "CONSTRUCT%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%201",
    "INSERT%20DATA%20%7B%7D",
    "SELECT%20*%20%7B%20SERVICE%20%3Chttp%3A%2F%2F127.0.0.1%3A1%2F%3E%20%7B%3Fs%20%3Fp%20%3Fo%7D%7D",
    "LOAD%20%3Cfile%3A%2F%2F%2Fetc%2Fpasswd%3E",
    "json",
    "ttl",
    "html",
    "nt",
    "rdf",
    "jsonld",
    "csv",
    "",
]
PARAMETERS = [
    "q",
    "limit",
    "iri",
    "from",
    "to",
    "format",
    "output",
    "query",
    "update",
    "default-graph-uri",
    "named-graph-uri",
    "using-graph-uri",
    "using-named-graph-uri",
    "graph",
    "default",
    "top",
    "example",
    "name",
    "%ff",
    "a%00b",
]
ACCEPTS = [
    "text/html",
    "*/*",
    "application/sparql-results+json",
    "text/turtle",
    "application/ld+json",
    "application/n-triples",
    "text/csv",
    "image/png",
    "text/html;q=0.1, text/turtle;q=abc",
    ";;;,,",
    "application/sparql-results+xml; charset=utf-16",
    "\u00ff\u00fe",
]
CONTENT_TYPES = [
    "application/sparql-query",
    "application/sparql-update",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "multipart/form-data",
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "text/plain",
    "application/sparql-query; charset=latin-1",
    "application/x-www-form-urlencoded; charset=utf-16",
    "application/json",
    "",
]
HOSTILE_BODIES = [
    b"\xff\xfe\x00",
    b"SELECT * WHERE { ?s ?p ?o }\x00",
    b"query=%ff",
    b"query=%",
    b"update=%zz&query=x",
    b"query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D&query=ASK%7B%7D",
    b"\xc0\xaf" * 100,
    b'--xyz\r\nContent-Disposition: form-data; name="f"; filename="a.ttl"\r\nContent-Type: text/turtle\r\n\r\n'
    b"<a> <b> <c> .\r\n--xyz--\r\n",
    b"--xyz\r\nbroken",
    b'<http://x/a> <http://x/b> "\xff" .',
    b"@prefix : <%ff> . :a :b :c .",
    b"{" * 5000,
    b"x" * (REQUEST_CAP + 1),
    SCRIPT.encode(),
    b"",
]


def encoded(text_or_bytes: str | bytes) -> str:
    data = text_or_bytes.encode("utf-8", "surrogatepass") if isinstance(text_or_bytes, str) else text_or_bytes
    return quote_from_bytes(data, safe="")


segment = st.one_of(
    st.sampled_from(HOSTILE_SEGMENTS), st.text(max_size=40).map(encoded), st.binary(max_size=40).map(encoded)
)
value = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    st.text(max_size=60).map(encoded),
    st.binary(max_size=60).map(encoded),
    st.integers().map(str),
)
query_string = st.lists(st.tuples(st.one_of(st.sampled_from(PARAMETERS), segment), value), max_size=4).map(
    lambda pairs: "&".join(f"{k}={v}" for k, v in pairs)
)
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\x7f"), max_size=60)
headers = st.fixed_dictionaries(
    {},
    optional={
        "Accept": st.one_of(st.sampled_from(ACCEPTS), header_text),
        "Content-Type": st.one_of(st.sampled_from(CONTENT_TYPES), header_text),
        "Authorization": st.one_of(
            st.sampled_from(["Bearer wrong", "Bearer ", "Basic eA==", f"bearer {TOKEN}x"]), header_text
        ),
        "Accept-Language": header_text,
        "If-None-Match": header_text,
        "Range": st.sampled_from(["bytes=0-0", "bytes=99999999999999999999-", "bytes=-", "bytes=5-1", "lines=1-2"]),
    },
)
body = st.one_of(st.sampled_from(HOSTILE_BODIES), st.binary(max_size=300))
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]


def fill(rule, data) -> str:
    """The rule's path with each variable part replaced by a drawn segment (several for a path converter)."""

    def replace(match: re.Match) -> str:
        converter = match.group(1) or "default"
        if converter == "path":
            return "/".join(data.draw(st.lists(segment, min_size=1, max_size=3)))
        return data.draw(segment)

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>", replace, rule.rule)


# --- what a client may never see -------------------------------------------------------------------------------

HTML_TYPES = {"text/html", "application/xhtml+xml", "image/svg+xml"}


def check(response, what: str) -> None:
    status = response.status_code
    if status >= 500:
        # the one 5xx a client may get: a query stopped at the server's timeout (or no store at all)
        assert status == 503 and "X-Query-Timeout-Seconds" in response.headers, f"{status} for {what}"
    data = response.get_data()
    assert b"Traceback (most recent call last)" not in data, f"stack trace for {what}"
    assert not re.search(rb'File "[^"]+\.py", line \d+', data), f"stack frame for {what}"
    assert response.headers.get("Content-Type") or not data, f"body without a media type for {what}"
    assert response.headers.get("X-Content-Type-Options") == "nosniff", f"sniffable response for {what}"
    if response.mimetype in HTML_TYPES:
        assert SCRIPT.encode() not in data, f"script echoed unescaped for {what}"


@pytest.mark.parametrize("rule", RULES, ids=[r.rule for r in RULES])
@settings(REPEATABLE, max_examples=EXAMPLES)
@given(data=st.data())
def test_route_survives_hostile_requests(app, rule, data):
    path = fill(rule, data)
    method = data.draw(st.sampled_from(sorted(rule.methods | {"PATCH"})), label="method")
    query = data.draw(query_string, label="query")
    sent_headers = data.draw(headers, label="headers")
    payload = data.draw(body, label="body") if method in ("POST", "PUT", "PATCH", "DELETE") else b""
    client = app.test_client()
    response = client.open(path, method=method, query_string=query, headers=sent_headers, data=payload)
    check(response, f"{method} {path}?{query} {sent_headers} {payload[:80]!r}")


# The SPARQL protocol's forms, each fuzzed on its own so that every one is reached whatever Hypothesis draws.
VALID_QUERIES = [
    "SELECT * WHERE { ?s ?p ?o } LIMIT 5",
    "ASK {}",
    "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3",
    f"DESCRIBE <{BASE}taxon/alpha-one>",
    "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }",
    f'SELECT ?x {{ BIND("{SCRIPT}" AS ?x) }}',
    'SELECT ?x { BIND("\u0000\uffff" AS ?x) }',
    "SELECT ?x { BIND(9999999999999999999999999999999999999 * 99999999999999999999999 AS ?x) }",
    f"SELECT * FROM <{BASE}graph/fuzz> WHERE {{ ?s ?p ?o }} LIMIT 2",
    "INSERT DATA { <http://x/a> <http://x/b> 1 }",
]
# valid queries as sent, with bytes appended (often still valid: a comment, a LIMIT), hostile values, any text
query_text = st.one_of(
    st.sampled_from(VALID_QUERIES),
    st.tuples(st.sampled_from(VALID_QUERIES), st.text(max_size=20)).map("".join),
    st.sampled_from([urllib_unquote(v) for v in HOSTILE_VALUES]),
    st.text(max_size=200),
)
PROTOCOL_FORMS = [
    "GET query",
    "POST form query",
    "POST form update",
    "POST direct query",
    "POST direct update",
    "GSP read",
    "GSP write",
]


@pytest.mark.parametrize("form", PROTOCOL_FORMS)
@settings(REPEATABLE, max_examples=25)
@given(data=st.data())
def test_sparql_protocol_forms_survive_hostile_input(app, form, data):
    raw = data.draw(st.one_of(query_text.map(lambda t: t.encode("utf-8", "surrogatepass")), body), label="text")
    extra = data.draw(query_string, label="extra parameters")
    sent_headers = data.draw(headers, label="headers")
    token = data.draw(st.sampled_from([None, "Bearer wrong", f"Bearer {TOKEN}-not"]), label="token")
    if token:
        sent_headers["Authorization"] = token
    method, path, query, payload = "GET", "/sparql", extra, b""
    if form == "GET query":
        query = f"query={encoded(raw)}&{extra}"
    elif form.startswith("POST form"):
        field = form.rsplit(" ", 1)[1]
        method, payload = "POST", f"{field}={encoded(raw)}&{extra}".encode()
        sent_headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif form.startswith("POST direct"):
        method, payload = "POST", raw
        sent_headers["Content-Type"] = f"application/sparql-{form.rsplit(' ', 1)[1]}"
    else:
        path = "/rdf-graph-store" + data.draw(
            st.one_of(st.sampled_from(["", "/"]), segment.map(lambda x: "/" + x)), label="path"
        )
        method = "GET" if form == "GSP read" else data.draw(st.sampled_from(["PUT", "POST", "DELETE"]))
        graph = data.draw(
            st.one_of(
                st.sampled_from(["default", "graph=" + quote(BASE + "graph/fuzz", safe="")]),
                value.map(lambda v: "graph=" + v),
            ),
            label="graph",
        )
        query, payload = f"{graph}&{extra}", raw if method != "GET" else b""
    response = app.test_client().open(path, method=method, query_string=query, headers=sent_headers, data=payload)
    check(response, f"{form}: {method} {path}?{query[:200]} {sent_headers} {payload[:80]!r}")
    if form.endswith("update") or form == "GSP write":
        assert response.status_code in (400, 401, 403, 404, 405, 413, 415), "a write without the token got through"


# Found by the soak: queries that recurse deeper than a thread's default stack in Oxigraph killed the query worker.
DEEP_QUERIES = {
    "5000 nested groups": "SELECT * WHERE " + "{ " * 5000 + "?s ?p ?o" + " }" * 5000,
    "5000 nested brackets": "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "5000 BINDs": "SELECT * { " + " ".join(f"BIND(1 AS ?v{i})" for i in range(5000)) + " }",
}


@pytest.mark.parametrize("name", DEEP_QUERIES)
def test_deep_queries_are_answered_not_crashed(app, name):
    response = app.test_client().post(
        "/sparql", data=DEEP_QUERIES[name].encode(), content_type="application/sparql-query"
    )
    check(response, name)  # a 503 at the timeout would be allowed; a dead query worker (500) is not
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/taxon/%ff", "/taxon/a%00b", "/ecoregion/%ff", "/threat/%ed%a0%80", "/dataset/%00"])
def test_a_path_that_is_no_iri_is_a_short_404(app, path):
    for accept in ("text/html", "text/turtle"):
        response = app.test_client().get(path, headers={"Accept": accept})
        assert response.status_code == 404
        assert response.mimetype == "text/plain" and len(response.data) < 100


@pytest.mark.parametrize(
    "url",
    [
        "/explore/neighbourhood.json?iri=" + quote(BASE, safe="") + "taxon/a%20b",
        "/explore/neighbourhood.json?iri=" + quote(BASE, safe="") + "a%00b",
        "/explore/path.json?from=" + quote(BASE, safe="") + "a%20b&to=" + quote(BASE + "taxon/alpha-one", safe=""),
    ],
)
def test_a_parameter_that_is_no_iri_is_a_400(app, url):
    response = app.test_client().get(url)
    assert response.status_code == 400
    assert "valid IRI" in response.get_json()["error"]


def test_known_resources_still_answer(app):
    """The validation lets real IRIs through (a fuzz test that only sees 404s proves little)."""
    client = app.test_client()
    assert client.get("/taxon/alpha-one").status_code == 200
    assert client.get("/taxon/alpha-one", headers={"Accept": "text/turtle"}).status_code == 200
    neighbours = client.get("/explore/neighbourhood.json", query_string={"iri": BASE + "taxon/alpha-one"})
    assert neighbours.status_code == 200 and neighbours.get_json()["edges"]


def test_hostile_requests_wrote_nothing(app):
    """The fuzzing above sent updates and Graph Store writes with wrong tokens: the store is the one built."""
    client = app.test_client()
    assert client.get("/health").get_json()["build"] == "test-build"
    response = client.get(
        "/sparql",
        query_string={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    expected = sum(1 for _ in ox.parse(path=str(DATA), format=ox.RdfFormat.TURTLE))
    assert int(response.get_json()["results"]["bindings"][0]["n"]["value"]) == expected
