"""Per-build caching (server/caching.py, docs/decisions/0009-per-build-caching.md) on a tiny store: what depends only
on the build is computed once per build, and pages and SPARQL GET answers are validated by ETag."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyoxigraph as ox
import pytest
from sparql_live import make_store

import server.explorer as explorer
from kg.namespaces import BASE
from server import create_app
from server.caching import BuildMemo

TIGER = f"{BASE}taxon/panthera-tigris"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
GRAPH = ox.NamedNode(f"{BASE}graph/test")


def quads(label: str) -> list[ox.Quad]:
    return [ox.Quad(ox.NamedNode(TIGER), LABEL, ox.Literal(label), GRAPH)]


def swap_in_new_build(link: Path, build_id: str, label: str) -> None:
    """A second build beside the first and the store link moved to it, as `amurkg build` does."""
    build = link.parent / "stores" / build_id
    build.mkdir(parents=True)
    store = ox.Store(str(build / "oxigraph"))
    store.extend(quads(label))
    store.flush()
    del store
    (build / "BUILD.json").write_text(json.dumps({"build_id": build_id, "key": "test"}))
    temporary = link.parent / "store.new"
    os.symlink(f"stores/{build_id}", temporary)
    os.replace(temporary, link)


@pytest.fixture
def app(tmp_path):
    link = make_store(tmp_path, quads("Panthera tigris"))
    app = create_app({"STORE_PATH": str(link), "TESTING": True})
    app.store_link = link
    yield app
    app.extensions["amurkg.query_pool"].close()


@pytest.fixture
def select_calls(monkeypatch) -> list[str]:
    """The names of the explorer's queries run from now on (its SELECTs, and the ASK a resource page starts with)."""
    calls: list[str] = []

    def counting(original):
        def run(store, name, *args, **kwargs):
            calls.append(name)
            return original(store, name, *args, **kwargs)

        return run

    monkeypatch.setattr(explorer, "select", counting(explorer.select))
    monkeypatch.setattr(explorer, "ask", counting(explorer.ask))
    return calls


@pytest.fixture
def query_runs(app, monkeypatch) -> list[dict]:
    """The SPARQL jobs sent to the query workers from now on."""
    runs: list[dict] = []
    pool = app.extensions["amurkg.query_pool"]
    original = pool.run

    def counting(job, *args, **kwargs):
        runs.append(job)
        return original(job, *args, **kwargs)

    monkeypatch.setattr(pool, "run", counting)
    return runs


def test_build_memo_computes_once_per_build():
    memo, computed = BuildMemo(), []

    def compute():
        computed.append(1)
        return len(computed)

    assert memo.get("b1", "x", compute) == 1
    assert memo.get("b1", "x", compute) == 1
    assert memo.get("b2", "x", compute) == 2  # a new build empties the memo
    assert memo.get("b2", "x", compute) == 2
    assert len(computed) == 2


def test_home_figures_are_computed_once_per_build(app, select_calls):
    client = app.test_client()
    first = client.get("/", headers={"Accept": "text/html"})
    assert first.status_code == 200 and "counts" in select_calls
    select_calls.clear()
    second = client.get("/", headers={"Accept": "text/html"})
    assert second.status_code == 200 and second.data == first.data
    assert select_calls == []  # the same answer, kept by its ETag: no query
    other_url = client.get("/?from=elsewhere", headers={"Accept": "text/html"})
    assert other_url.status_code == 200 and other_url.headers["ETag"] != first.headers["ETag"]
    assert select_calls == []  # another URL, so not the kept answer: the figures come from the build's memo

    swap_in_new_build(app.store_link, "second-build", "Tiger")
    third = client.get("/", headers={"Accept": "text/html"})
    assert third.status_code == 200 and "counts" in select_calls  # a new build invalidates
    assert third.headers["ETag"] != first.headers["ETag"]


def test_pages_carry_an_etag_and_a_matching_if_none_match_gets_304(app, select_calls):
    client = app.test_client()
    page = client.get("/taxon/panthera-tigris", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.mimetype == "text/html"
    tag = page.headers["ETag"]
    assert "test-build" in tag and page.headers["Cache-Control"] == "public, no-cache"
    asked = len(select_calls)
    assert asked > 0

    again = client.get("/taxon/panthera-tigris", headers={"Accept": "text/html", "If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
    assert len(select_calls) == asked  # answered before any query ran
    other = client.get("/taxon/panthera-tigris", headers={"Accept": "text/html", "If-None-Match": '"other"'})
    assert other.status_code == 200

    turtle = client.get("/taxon/panthera-tigris", headers={"Accept": "text/turtle", "If-None-Match": tag})
    assert turtle.status_code == 200 and turtle.mimetype == "text/turtle"  # another representation, another tag
    assert turtle.headers["ETag"] != tag

    swap_in_new_build(app.store_link, "second-build", "Tiger")
    after = client.get("/taxon/panthera-tigris", headers={"Accept": "text/html", "If-None-Match": tag})
    assert after.status_code == 200 and b"Tiger" in after.data  # the old build's tag no longer matches


def test_errors_carry_no_etag(app):
    missing = app.test_client().get("/taxon/no-such-taxon", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and "ETag" not in missing.headers


def test_sparql_get_is_validated_without_running_the_query(app, query_runs):
    client = app.test_client()
    query = {"query": "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }"}
    json_answer = client.get("/sparql", query_string=query, headers={"Accept": "application/sparql-results+json"})
    assert json_answer.status_code == 200 and b"Panthera tigris" in json_answer.data
    tag = json_answer.headers["ETag"]
    assert tag.startswith('W/"test-build-') and json_answer.headers["Cache-Control"] == "public, no-cache"
    assert len(query_runs) == 1

    unchanged = client.get(
        "/sparql", query_string=query, headers={"Accept": "application/sparql-results+json", "If-None-Match": tag}
    )
    assert unchanged.status_code == 304 and len(query_runs) == 1  # not sent to the query workers

    csv = client.get("/sparql", query_string=query, headers={"Accept": "text/csv", "If-None-Match": tag})
    assert csv.status_code == 200 and csv.headers["ETag"] != tag and len(query_runs) == 2

    swap_in_new_build(app.store_link, "second-build", "Tiger")
    after = client.get(
        "/sparql", query_string=query, headers={"Accept": "application/sparql-results+json", "If-None-Match": tag}
    )
    assert after.status_code == 200 and b"Tiger" in after.data and after.headers["ETag"] != tag


def test_a_rebuild_between_the_tag_and_the_run_tags_the_answer_with_the_build_that_gave_it(app, monkeypatch):
    """The endpoint names the build in the ETag before it runs the query; when a rebuild swaps in another build in
    between, the answer (the new build's) is tagged and cached as the new build's, never as the old one's."""
    client = app.test_client()
    query = {"query": "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }"}
    accept = {"Accept": "application/sparql-results+json"}
    pool = app.extensions["amurkg.query_pool"]
    original = pool.run

    def swapped_first(job, *args, **kwargs):  # the rebuild lands while the request is on its way to a worker
        swap_in_new_build(app.store_link, "second-build", "Tiger")
        return original(job, *args, **kwargs)

    monkeypatch.setattr(pool, "run", swapped_first)
    answer = client.get("/sparql", query_string=query, headers=accept)
    assert answer.status_code == 200 and b"Tiger" in answer.data
    assert answer.headers["ETag"].startswith('W/"second-build-')
    monkeypatch.setattr(pool, "run", original)
    # the old build's tag was not given to the new answer: a client holding the old build's answer revalidates
    again = client.get("/sparql", query_string=query, headers=accept | {"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304


def test_sparql_answers_not_fixed_by_the_build_get_no_etag(app):
    client = app.test_client()
    now = client.get("/sparql", query_string={"query": "SELECT (NOW() AS ?t) {}"})
    assert now.status_code == 200 and "ETag" not in now.headers
    posted = client.post("/sparql", data={"query": "SELECT (RAND() AS ?r) { ?s ?p ?o }"})
    assert posted.status_code == 200 and "ETag" not in posted.headers


def test_a_repeated_page_is_served_from_the_response_cache(app, select_calls):
    client = app.test_client()
    first = client.get("/taxon/panthera-tigris", headers={"Accept": "text/html"})
    assert first.status_code == 200 and select_calls
    select_calls.clear()
    second = client.get("/taxon/panthera-tigris", headers={"Accept": "text/html"})
    assert second.status_code == 200 and second.data == first.data and select_calls == []
    assert second.headers["ETag"] == first.headers["ETag"]
    assert {"Accept", "Accept-Language", "Cookie"} <= {v.strip() for v in second.headers["Vary"].split(",")}
    assert second.headers.get_all("X-Content-Type-Options") == ["nosniff"]  # the app's headers are not doubled

    turtle = client.get("/taxon/panthera-tigris", headers={"Accept": "text/turtle"})
    assert turtle.mimetype == "text/turtle" and b"Panthera tigris" in turtle.data and select_calls == ["exists"]


def test_a_repeated_sparql_get_is_served_from_the_response_cache(app, query_runs):
    client = app.test_client()
    query = {"query": "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }"}
    first = client.get("/sparql", query_string=query, headers={"Accept": "application/sparql-results+json"})
    second = client.get("/sparql", query_string=query, headers={"Accept": "application/sparql-results+json"})
    assert first.status_code == second.status_code == 200 and second.data == first.data
    assert second.mimetype == "application/sparql-results+json" and len(query_runs) == 1
    assert second.headers.get_all("Access-Control-Allow-Origin") == first.headers.get_all("Access-Control-Allow-Origin")


def test_a_posted_query_shares_the_response_cache_with_get(app, query_runs):
    client = app.test_client()
    text = "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
    json_type = {"Accept": "application/sparql-results+json"}
    first = client.post("/sparql", data={"query": text}, headers=json_type)  # the query editor's form
    direct = client.post(
        "/sparql", data=text.encode(), headers=json_type | {"Content-Type": "application/sparql-query"}
    )
    got = client.get("/sparql", query_string={"query": text}, headers=json_type)
    assert first.status_code == direct.status_code == got.status_code == 200 and len(query_runs) == 1
    assert first.data == direct.data == got.data and b"Panthera tigris" in first.data
    # a GET keeps its validators; a POST's answer has none (no HTTP cache keeps it)
    assert got.headers["ETag"].startswith('W/"test-build-') and "ETag" not in first.headers
    assert "ETag" not in direct.headers and "Cache-Control" not in first.headers
    # the key holds the negotiated type, the dataset and the query
    client.post("/sparql", data={"query": text}, headers={"Accept": "text/csv"})
    client.post("/sparql", data={"query": text, "default-graph-uri": "http://example.org/g"}, headers=json_type)
    client.post("/sparql", data={"query": text + " LIMIT 1"}, headers=json_type)
    assert len(query_runs) == 4
    swap_in_new_build(app.store_link, "second-build", "Tiger")  # a new build: asked again
    again = client.post("/sparql", data={"query": text}, headers=json_type)
    assert b"Tiger" in again.data and len(query_runs) == 5


def test_response_cache_is_bounded_in_bytes_and_holds_one_build():
    from flask import Response

    from server.caching import ResponseCache

    cache = ResponseCache(max_bytes=25, max_entry_bytes=12)
    cache.put("a", "b1", Response(b"x" * 10, mimetype="text/plain"))
    cache.put("b", "b1", Response(b"y" * 10, mimetype="text/plain"))
    cache.put("big", "b1", Response(b"z" * 13, mimetype="text/plain"))  # over the per-answer bound: not kept
    cache.put("error", "b1", Response(b"e", status=404))
    assert cache.get("big") is None and cache.get("error") is None
    assert cache.get("a").get_data() == b"x" * 10  # now the most recently used
    cache.put("c", "b1", Response(b"w" * 10, mimetype="text/plain"))  # 30 bytes > 25: the least recent goes
    assert cache.get("b") is None and cache.get("a") is not None and cache.size == 20
    assert cache.get("c").mimetype == "text/plain"
    cache.put("d", "b2", Response(b"v", mimetype="text/plain"))  # a new build: the old one's answers go
    assert cache.get("a") is None and cache.get("d").get_data() == b"v" and cache.size == 1


def test_each_interface_language_has_its_own_tag_and_cached_copy(app, select_calls):
    """One URL serves three languages (server/i18n.py): a cached page or a 304 must never cross languages."""
    client = app.test_client()
    english = client.get("/taxon/panthera-tigris", headers={"Accept": "text/html", "Accept-Language": "en"})
    chinese = client.get("/taxon/panthera-tigris", headers={"Accept": "text/html", "Accept-Language": "zh-CN"})
    assert english.status_code == chinese.status_code == 200
    assert english.headers["ETag"] != chinese.headers["ETag"] and english.data != chinese.data
    assert b'lang="zh-Hans"' in chinese.data and b'<html lang="en"' in english.data
    again = client.get(
        "/taxon/panthera-tigris",
        headers={"Accept": "text/html", "Accept-Language": "zh-CN", "If-None-Match": english.headers["ETag"]},
    )
    assert again.status_code == 200 and again.data == chinese.data
