"""The same app on a remote SPARQL engine: a real Virtuoso Open Source server (tests/virtuoso.py) loaded from the
session's real build, compared with the embedded store — every named query, the explorer's and the export's
queries, the pages, the endpoint's errors, the downloads and the analytics."""

from __future__ import annotations

import collections
import gzip
import io
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox
import pytest
import virtuoso
from rdflib import Graph
from rdflib.compare import isomorphic
from sparql_live import serve

from kg import analytics
from kg import export as kx
from kg import query as kq
from kg.namespaces import BASE
from kg.store import backend
from kg.store import layout as kgstore
from kg.store import remote as kr

QUERIES = kq.QUERIES_DIR
TIGER = BASE + "taxon/panthera-tigris"
TOKEN = "remote-write-token"
BOUND = {
    "explorer/ecoregion": BASE + "ecoregion/PA0443",
    "explorer/threat": BASE + "threat/5.1.1",
    "explorer/action": BASE + "action/1",
    "explorer/concept": BASE + "threat/5.1",
}


# --- units: the store spec and the query rewriting ----------------------------------------------------------


def test_a_store_spec_names_the_endpoints_and_takes_credentials_from_the_environment():
    config = kr.RemoteConfig.parse(
        "sparql+http://db.example:8890/sparql?update=/sparql-auth&gsp=/crud&gsp-param=graph-uri&auth=digest&timeout=12",
        env={"AMURKG_STORE_USER": "loader", "AMURKG_STORE_PASSWORD": "s3cret"},
    )
    assert config.query_url == "http://db.example:8890/sparql"
    assert config.update_url == "http://db.example:8890/sparql-auth"
    assert config.gsp_url == "http://db.example:8890/crud" and config.gsp_param == "graph-uri"
    assert (config.user, config.password, config.auth, config.timeout) == ("loader", "s3cret", "digest", 12.0)
    assert "s3cret" not in config.label
    plain = kr.RemoteConfig.parse("sparql+https://u:p%40ss@fuseki.example/ds/query", env={})
    assert plain.update_url == plain.query_url == "https://fuseki.example/ds/query"
    assert (plain.user, plain.password, plain.gsp_url) == ("u", "p@ss", None)


@pytest.mark.parametrize(
    "spec, message",
    [
        ("http://db.example/sparql", r"sparql\+http://HOST"),
        ("sparql+http://db.example/sparql?updat=/x", "unknown option"),
        ("sparql+http://db.example/sparql?auth=ntlm", "auth must be"),
    ],
)
def test_a_bad_store_spec_is_refused_with_a_reason(spec, message):
    with pytest.raises(ValueError, match=message):
        kr.RemoteConfig.parse(spec, env={})


def test_the_store_spec_chooses_the_store():
    assert isinstance(backend.open_handle("oxigraph:/tmp/x/store"), backend.StoreHandle)
    assert backend.open_handle("oxigraph:/tmp/x/store").store_path == Path("/tmp/x/store")
    assert isinstance(backend.open_handle("sparql+http://127.0.0.1:1/sparql"), backend.RemoteHandle)


def test_bound_variables_become_a_values_block_opening_the_where_group():
    iri = {ox.Variable("iri"): ox.NamedNode(TIGER)}
    text = kr.bind_values("# about ?iri {\nSELECT ?iri ?p WHERE { ?iri ?p ?o }", iri)
    assert text.strip() == f"SELECT ?iri ?p WHERE {{ VALUES (?iri) {{ (<{TIGER}>) }}  ?iri ?p ?o }}"
    assert "VALUES" in kr.bind_values("CONSTRUCT { ?iri ?p ?o } WHERE { ?iri ?p ?o }", iri).split("WHERE")[1]
    assert kr.query_form("PREFIX a: <x:>\nBASE <y:>\n# SELECT\nASK { ?s ?p ?o }") == "ASK"
    assert kr.with_base("SELECT * {}", "http://h/sparql").startswith("BASE <http://h/sparql>")


# --- a Virtuoso server loaded with the session's build --------------------------------------------------------


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    if not virtuoso.available():
        pytest.fail("virtuoso-t is not installed: `make test` installs the Debian package virtuoso-opensource-7-bin")
    with virtuoso.running(tmp_path_factory.mktemp("virtuoso")) as port:
        yield port


@pytest.fixture(scope="module")
def credentials(monkeypatch_module):
    monkeypatch_module.setenv("AMURKG_STORE_USER", virtuoso.USER)
    monkeypatch_module.setenv("AMURKG_STORE_PASSWORD", virtuoso.PASSWORD)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def embedded(built_store):
    return kgstore.open_read_only(built_store)


@pytest.fixture(scope="module")
def build_id(built_store):
    return kgstore.manifest(built_store)["build_id"]


@pytest.fixture(scope="module")
def remote(engine, credentials, embedded, build_id):
    store = kr.RemoteStore(virtuoso.spec(engine))
    # another dataset in the same engine: loading ours must never touch it
    store.put_graph(
        "urn:other:dataset", [ox.Triple(ox.NamedNode("urn:other:a"), ox.NamedNode("urn:other:p"), ox.Literal("kept"))]
    )
    report = kr.load_dataset(store, embedded, build_id, echo=lambda m: None)
    assert not report["skipped"]
    return store


def test_loading_puts_every_named_graph_with_its_size_and_the_build_id(remote, embedded, build_id):
    local = {g.value: sum(1 for _ in embedded.quads_for_pattern(None, None, None, g)) for g in embedded.named_graphs()}
    assert remote.manifest()["build_id"] == build_id
    assert set(remote.graph_iris(refresh=True)) == set(local)
    for graph, size in local.items():
        assert remote.graph_size(graph) == size, graph
    assert len(remote) == len(embedded)
    # no staging graph is left behind, the other dataset is untouched
    leftovers = remote.query(
        f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{kr.STAGING_PREFIX}")) }}',
        default_graph=[],
        named_graphs=[],
    )
    assert list(leftovers) == []
    assert remote.graph_size("urn:other:dataset") == 1


def test_loading_the_same_build_again_does_nothing(remote, embedded, build_id):
    assert kr.load_dataset(remote, embedded, build_id, echo=lambda m: None)["skipped"]


def test_a_failed_load_leaves_the_previous_dataset_serving(remote, embedded, build_id, monkeypatch):
    before = remote.graph_size(BASE + "graph/col-china-2023")
    calls = []
    original = remote.put_graph

    def failing(graph, triples, timeout=None):
        calls.append(graph)
        if len(calls) == 3:
            raise kr.RemoteError("the engine went away (simulated)")
        return original(graph, triples, timeout)

    monkeypatch.setattr(remote, "put_graph", failing)
    with pytest.raises(kr.RemoteError, match="simulated"):
        kr.load_dataset(remote, embedded, "20990101T000000Z-newbuild", echo=lambda m: None)
    monkeypatch.undo()
    assert remote.manifest()["build_id"] == build_id
    assert remote.graph_size(BASE + "graph/col-china-2023") == before
    assert all(remote.graph_size(graph) == 0 for graph in calls)  # staging copies dropped


def test_a_graph_the_new_build_no_longer_has_is_dropped_and_nothing_else(remote, embedded, build_id):
    stale = BASE + "graph/retired-source"
    remote.put_graph(stale, [ox.Triple(ox.NamedNode(BASE + "x"), ox.NamedNode(BASE + "y"), ox.Literal("z"))])
    remote.add_graph(ox.NamedNode(stale))
    assert stale in remote.graph_iris(refresh=True)
    kr.load_dataset(remote, embedded, build_id, echo=lambda m: None, force=True)
    assert stale not in remote.graph_iris(refresh=True)
    assert remote.graph_size(stale) == 0
    assert remote.graph_size("urn:other:dataset") == 1
    assert remote.manifest()["build_id"] == build_id


# --- the same answers -------------------------------------------------------------------------------------------

_CONCAT = re.compile(
    r'GROUP_CONCAT\(\s*(?:DISTINCT\s+)?\?\w+\s*(?:;\s*separator\s*=\s*"([^"]*)")?\s*\)\s*\)?\s*'
    r"AS\s+\?(\w+)",
    re.I,
)
NUMERIC = {
    "http://www.w3.org/2001/XMLSchema#" + t
    for t in ("integer", "decimal", "double", "float", "int", "long", "short", "nonNegativeInteger")
}


def _cell(term, separator: str | None):
    """A result cell compared by what SPARQL fixes: numbers by value (engines choose the numeric type and the
    decimals of a division), GROUP_CONCAT as the set of its parts (the order is unspecified; over no values one
    engine answers "" and another leaves it unbound)."""
    if separator is not None:
        text = term.value if isinstance(term, ox.Literal) else ""
        return ("concat", tuple(sorted(p for p in text.split(separator or " ") if p)))
    if term is None:
        return None
    if isinstance(term, ox.Literal) and term.datatype.value in NUMERIC:
        try:
            return ("number", round(Decimal(term.value), 9))
        except InvalidOperation:
            return ("number", term.value)
    return str(term)


def comparable(result, query: str):
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        concat = {m.group(2): m.group(1) for m in _CONCAT.finditer(query)}
        names = sorted(v.value for v in result.variables)
        return collections.Counter(tuple((n, _cell(row[n], concat.get(n))) for n in names) for row in result)
    return collections.Counter(str(t) for t in result)


def _named(path: Path) -> str:
    return kq.with_prefixes(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", sorted(QUERIES.glob("*.rq")), ids=lambda p: p.stem)
def test_every_named_query_answers_the_same_on_virtuoso(path, remote, embedded):
    text = _named(path)
    expected = comparable(kq.run(embedded, text), text)
    answered = comparable(remote.query(text, use_default_graph_as_union=True), text)
    assert answered == expected


def _bound_iri(path: Path) -> str:
    name = f"{path.parent.name}/{path.stem}"
    return next((iri for prefix, iri in BOUND.items() if name.startswith(prefix)), TIGER)


@pytest.mark.parametrize(
    "path",
    sorted(QUERIES.glob("explorer/*.rq")) + sorted(QUERIES.glob("export/*.rq")),
    ids=lambda p: f"{p.parent.name}-{p.stem}",
)
def test_the_explorer_and_export_queries_answer_the_same_on_virtuoso(path, remote, embedded):
    text = _named(path)
    substitutions = (
        {ox.Variable("iri"): ox.NamedNode(_bound_iri(path))}
        if re.search(r"\?iri\b", text) and "VALUES ?iri" not in text
        else None
    )
    expected = comparable(embedded.query(text, use_default_graph_as_union=True, substitutions=substitutions), text)
    answered = comparable(remote.query(text, use_default_graph_as_union=True, substitutions=substitutions), text)
    assert answered == expected


def test_the_analytics_view_is_the_same_from_either_store(remote, built_store, engine, tmp_path):
    local, _ = analytics.load(backend.StoreHandle(built_store))
    handle = backend.RemoteHandle(virtuoso.spec(engine), cache_root=tmp_path)
    view, build = analytics.load(handle)
    assert build == kgstore.manifest(built_store)["build_id"]
    assert sorted(view.nodes) == sorted(local.nodes)
    assert view.number_of_edges() == local.number_of_edges()
    for name in ("threats", "gaps"):
        assert analytics.run(view, name).as_json() == analytics.run(local, name).as_json(), name


# --- the app served over the engine -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(remote, engine, tmp_path_factory):
    env = {
        "AMURKG_STORE_USER": virtuoso.USER,
        "AMURKG_STORE_PASSWORD": virtuoso.PASSWORD,
        "AMURKG_WRITE_TOKEN": TOKEN,
        "AMURKG_REMOTE_CACHE": str(tmp_path_factory.mktemp("remote-cache")),
    }
    with serve(virtuoso.spec(engine), env=env, timeout=5, startup=300) as base:
        yield base


def _get(url: str, accept: str | None = None) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


@pytest.mark.parametrize(
    "path, text",
    [
        ("/", "Amur-Heilong"),
        ("/taxon/panthera-tigris", "Panthera tigris"),
        ("/ecoregion/PA0443", "Ussuri broadleaf"),
        ("/threat/5.1.1", "5.1.1"),
        ("/action/1", "Land/water protection"),
        ("/initiative/econet-green-belt", "Econet"),
        ("/map", "PA0443"),
        ("/downloads", "amurkg.nq.gz"),
        ("/analytics/threats", "5.1.1"),
        ("/analytics/gaps", "Conservation gaps"),
        ("/explore/search.json?q=ginseng", "Panax"),
        ("/query", "sparql"),
    ],
)
def test_the_explorer_pages_render_from_virtuoso(site, path, text):
    status, body, _ = _get(site + path)
    assert status == 200, body[:500]
    assert text.lower() in body.decode().lower()


def test_health_names_the_remote_store_and_its_build(site, build_id):
    status, body, _ = _get(site + "/health")
    info = json.loads(body)
    assert status == 200 and info["build"] == build_id and info["store"].startswith("sparql+http://127.0.0.1")


def test_the_endpoint_answers_like_the_embedded_one(site, embedded):
    query = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a <https://w3id.org/amurkg/ontology#TerrestrialEcoregion> }"
    status, body, headers = _get(
        site + "/sparql?" + urllib.parse.urlencode({"query": query}), "application/sparql-results+json"
    )
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+json")
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "15"
    status, body, headers = _get(
        site + "/sparql?" + urllib.parse.urlencode({"query": f"DESCRIBE <{TIGER}>"}), "text/turtle"
    )
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert len(list(ox.parse(body, ox.RdfFormat.TURTLE))) > 10
    status, body, _ = _get(
        site + "/sparql?" + urllib.parse.urlencode({"query": f"ASK {{ <{TIGER}> ?p ?o }}"}),
        "application/sparql-results+json",
    )
    assert status == 200 and json.loads(body)["boolean"] is True


def test_a_malformed_query_is_a_400_with_the_engines_message(site):
    status, body, _ = _get(site + "/sparql?" + urllib.parse.urlencode({"query": "SELECT ?s WHERE { ?s ?p }"}))
    assert status == 400
    assert "SPARQL" in body.decode() and "Traceback" not in body.decode()


def test_a_query_over_the_timeout_is_a_504_naming_the_timeout(site):
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    status, body, headers = _get(site + "/sparql?" + urllib.parse.urlencode({"query": heavy}))
    assert status == 504, body[:300]
    assert headers.get("X-Query-Timeout-Seconds") == "5"


def _send(method: str, url: str, body: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_graph_store_writes_go_to_the_engine_and_join_the_dataset(site, remote):
    graph = BASE + "graph/field-notes"
    url = site + "/rdf-graph-store?" + urllib.parse.urlencode({"graph": graph})
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"}
    note = f'<{TIGER}> <http://www.w3.org/2000/01/rdf-schema#comment> "seen near Lazovsky, 2026"@en .'
    status, _ = _send("PUT", url, note.encode(), auth)
    assert status == 201
    comment = "<http://www.w3.org/2000/01/rdf-schema#comment>"
    ask = {"query": f'ASK {{ <{TIGER}> {comment} "seen near Lazovsky, 2026"@en }}'}
    status, body, _ = _get(site + "/sparql?" + urllib.parse.urlencode(ask), "application/sparql-results+json")
    assert status == 200 and json.loads(body)["boolean"] is True  # in the union: part of the dataset
    status, body, _ = _get(url, "text/turtle")
    assert status == 200 and b"Lazovsky" in body
    status, _ = _send("DELETE", url, headers={"Authorization": f"Bearer {TOKEN}"})
    assert status == 204
    assert _get(url, "text/turtle")[0] == 404
    assert graph not in remote.graph_iris(refresh=True)
    status, _ = _send("PUT", url, note.encode(), {"Content-Type": "text/turtle"})
    assert status == 401  # no token, no write


def test_an_unreachable_engine_is_a_clear_error(tmp_path):
    from server import create_app

    app = create_app({"STORE": "sparql+http://127.0.0.1:9/sparql"})
    client = app.test_client()
    health = client.get("/health")
    assert health.status_code == 503 and "cannot be reached" in health.get_json()["error"]
    answer = client.get("/sparql", query_string={"query": "ASK {}"})
    assert answer.status_code == 502 and b"cannot be reached" in answer.data


# --- the downloads: the same data as the embedded build's ----------------------------------------------------------


def _quads(data: bytes) -> tuple[set[str], Graph]:
    """The quads without blank nodes as a set, and those with blank nodes (OWL lists and restrictions of the
    ontology graph) as a graph to compare up to the renaming of blank nodes."""
    plain, blank = set(), []
    for quad in ox.parse(gzip.decompress(data), ox.RdfFormat.N_QUADS):
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            blank.append(f"{quad.subject} {quad.predicate} {quad.object} .")
        else:
            plain.add(str(quad))
    return plain, Graph().parse(data="\n".join(blank), format="nt")


def _zip_texts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_the_downloads_hold_the_same_data_as_the_embedded_builds(site, built_store):
    local = kgstore.current_build(built_store) / kx.DUMPS_DIR
    status, body, _ = _get(site + "/downloads/amurkg.nq.gz")
    assert status == 200
    served, built = _quads(body), _quads((local / "amurkg.nq.gz").read_bytes())
    assert served[0] == built[0]
    assert len(served[1]) == len(built[1]) > 0 and isomorphic(served[1], built[1])
    for name in ("amurkg-csv.zip", "amurkg-dwca.zip"):
        status, body, _ = _get(site + "/downloads/" + name)
        assert status == 200, name
        served, built = _zip_texts(body), _zip_texts((local / name).read_bytes())
        assert sorted(served) == sorted(built), name
        for member in served:
            if member.endswith((".csv", ".txt", ".tsv")):
                assert sorted(served[member].splitlines()) == sorted(built[member].splitlines()), f"{name}:{member}"
