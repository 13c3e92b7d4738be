"""Concurrent writes (issue 17): SPARQL updates and Graph Store writes from several clients at once, against
`amurkg serve` with several gunicorn workers, end in a store some serial order of them would give, and readers
never see a half-applied write.

Designed so that serializability can be checked from the final state alone:
- every update reads a counter, writes counter + 1 and records the value it read (one DELETE/INSERT WHERE): a
  lost update shows as two updates that read the same value, or a counter below the number of updates;
- every write inserts a pair of triples (ex:left, ex:right with the same object): a half-applied write shows as a
  left without its right;
- every PUT replaces one graph with three triples naming its writer: a mix of two PUTs, or an empty graph, shows;
- the counter and the log of values read change together: a reader must always see counter = number of entries.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest
from sparql_live import make_store, serve

from kg.store.jobs import QueryJob, UpdateJob

EX = "http://example.org/"
TOKEN = "writes-test-token"
CLIENTS = 4
ROUNDS = 3
HANG_GUARD = 120.0  # seconds; only ever reached if something hangs
PREFIX = f"PREFIX ex: <{EX}>\n"

INCREMENT = (
    PREFIX
    + """
DELETE {{ GRAPH ex:counter {{ ex:counter ex:value ?v }} }}
INSERT {{ GRAPH ex:counter {{ ex:counter ex:value ?next }}
         GRAPH ex:log {{ ex:{op} ex:saw ?v ; ex:left "{op}" ; ex:right "{op}" }} }}
WHERE {{ GRAPH ex:counter {{ ex:counter ex:value ?v }} BIND(?v + 1 AS ?next) }}
"""
)

# one reader query checks every invariant a half-applied write would break
INVARIANTS = (
    PREFIX
    + """
SELECT ?counter ?logged ?halves ?put_triples ?put_writers WHERE {
  { SELECT ?counter WHERE { GRAPH ex:counter { ex:counter ex:value ?counter } } }
  { SELECT (COUNT(?op) AS ?logged) WHERE { GRAPH ex:log { ?op ex:saw ?v } } }
  { SELECT (COUNT(*) AS ?halves) WHERE {
      { ?s ex:left ?o FILTER NOT EXISTS { ?s ex:right ?o } }
      UNION { ?s ex:right ?o FILTER NOT EXISTS { ?s ex:left ?o } } } }
  { SELECT (COUNT(*) AS ?put_triples) (COUNT(DISTINCT ?by) AS ?put_writers) WHERE {
      GRAPH ex:put { ?s ?p ?o OPTIONAL { ?s ex:by ?by } } } }
}
"""
)


def put_body(writer: str) -> bytes:
    return (
        f'<{EX}put> <{EX}by> "{writer}" .\n<{EX}put> <{EX}left> "{writer}" .\n<{EX}put> <{EX}right> "{writer}" .\n'
    ).encode()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    counter, put = ox.NamedNode(EX + "counter"), ox.NamedNode(EX + "put")
    quads = [
        ox.Quad(
            counter,
            ox.NamedNode(EX + "value"),
            ox.Literal("0", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
            counter,
        )
    ]
    quads += [
        ox.Quad(t.subject, t.predicate, t.object, put) for t in ox.parse(put_body("initial"), ox.RdfFormat.N_TRIPLES)
    ]
    store = make_store(tmp_path_factory.mktemp("writes"), quads)
    with serve(store, env={"AMURKG_WRITE_TOKEN": TOKEN}, workers=3, timeout=60) as base:
        yield base


def send(url: str, data: bytes | None = None, method: str = "GET", headers: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=HANG_GUARD) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def update(base: str, text: str) -> tuple[int, str]:
    return send(
        base + "/sparql",
        urllib.parse.urlencode({"update": text}).encode(),
        "POST",
        {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/x-www-form-urlencoded"},
    )


def gsp(base: str, method: str, graph: str, body: bytes) -> tuple[int, str]:
    url = base + "/rdf-graph-store?" + urllib.parse.urlencode({"graph": graph})
    return send(url, body, method, {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/n-triples"})


def invariants(base: str) -> dict[str, int]:
    status, text = send(
        base + "/sparql?" + urllib.parse.urlencode({"query": INVARIANTS}),
        headers={"Accept": "application/sparql-results+json"},
    )
    assert status == 200, text
    (row,) = json.loads(text)["results"]["bindings"]
    return {name: int(value["value"]) for name, value in row.items()}


def writer(base: str, client: int, failures: list) -> None:
    for round_ in range(ROUNDS):
        op = f"op-{client}-{round_}"
        pair = f'<{EX}post-{client}-{round_}> <{EX}left> "{op}" .\n<{EX}post-{client}-{round_}> <{EX}right> "{op}" .\n'
        for status, text in (
            update(base, INCREMENT.format(op=op)),
            gsp(base, "POST", f"{EX}posted-{client}", pair.encode()),
            gsp(base, "PUT", f"{EX}put", put_body(op)),
        ):
            if status not in (201, 204):
                failures.append((op, status, text))


def reader(base: str, stop: threading.Event, seen: list, failures: list) -> None:
    last = -1
    while not stop.is_set():
        try:
            state = invariants(base)
        except AssertionError as exc:
            failures.append(str(exc))
            continue
        seen.append(state)
        if state["counter"] < last:  # the store link only moves forward: a later read never sees an older store
            failures.append(f"counter went back from {last} to {state['counter']}")
        last = state["counter"]


def test_concurrent_writes_are_serializable_and_never_seen_half_applied(site):
    before = invariants(site)
    assert before == {"counter": 0, "logged": 0, "halves": 0, "put_triples": 3, "put_writers": 1}
    write_failures: list = []
    read_failures: list = []
    seen: list[dict] = []
    stop = threading.Event()
    readers = [threading.Thread(target=reader, args=(site, stop, seen, read_failures)) for _ in range(2)]
    writers = [threading.Thread(target=writer, args=(site, c, write_failures)) for c in range(CLIENTS)]
    for thread in readers + writers:
        thread.start()
    for thread in writers:
        thread.join(HANG_GUARD)
    stop.set()
    for thread in readers:
        thread.join(HANG_GUARD)
    assert not any(t.is_alive() for t in readers + writers), "a client hung"
    assert write_failures == []
    assert read_failures == []

    # readers: every state they saw was a whole one
    seen.append(invariants(site))
    for state in seen:
        assert state["counter"] == state["logged"] and state["halves"] == 0, state
        assert state["put_triples"] == 3 and state["put_writers"] == 1, state

    # the final store: the counter was incremented once per update and each update read a different value,
    # so the updates ran one after another; every POST is there whole; the PUT graph is one writer's
    updates = CLIENTS * ROUNDS
    final = seen[-1]
    assert final["counter"] == updates
    status, text = send(
        site
        + "/sparql?"
        + urllib.parse.urlencode({"query": PREFIX + "SELECT ?v WHERE { GRAPH ex:log { ?op ex:saw ?v } }"}),
        headers={"Accept": "application/sparql-results+json"},
    )
    assert status == 200
    assert sorted(int(b["v"]["value"]) for b in json.loads(text)["results"]["bindings"]) == list(range(updates))
    status, text = send(
        site
        + "/sparql?"
        + urllib.parse.urlencode(
            {
                "query": PREFIX + "SELECT ?s WHERE { GRAPH ?g { ?s ex:left ?o } "
                "FILTER(STRSTARTS(STR(?g), STR(ex:posted-))) }"
            }
        ),
        headers={"Accept": "application/sparql-results+json"},
    )
    posted = {b["s"]["value"] for b in json.loads(text)["results"]["bindings"]}
    assert posted == {f"{EX}post-{c}-{r}" for c in range(CLIENTS) for r in range(ROUNDS)}
    status, text = send(
        site
        + "/sparql?"
        + urllib.parse.urlencode({"query": PREFIX + "SELECT ?by WHERE { GRAPH ex:put { ex:put ex:by ?by } }"}),
        headers={"Accept": "application/sparql-results+json"},
    )
    (by,) = [b["by"]["value"] for b in json.loads(text)["results"]["bindings"]]
    assert by in {f"op-{c}-{r}" for c in range(CLIENTS) for r in range(ROUNDS)}


def test_a_query_sent_to_a_build_that_two_writes_removed_runs_on_the_current_one(tmp_path, monkeypatch):
    """The race behind a reader's 500 under frequent writes, made deterministic: the query resolves the store link
    to a build, and before its worker opens that build two writes swap in newer ones and remove it."""
    from kg.store import layout as kgstore
    from kg.store import pool as kgpool
    from kg.store import writes as kgwrites

    store_path = make_store(tmp_path, [])
    stale = kgstore.current_build(store_path)
    for n in range(2):
        outcome = kgwrites.write(store_path, UpdateJob(update=f"INSERT DATA {{ <{EX}s> <{EX}p> {n} }}"), HANG_GUARD)
        assert outcome.status == 204
    assert not stale.exists()  # pruned: writes keep the current build and the one before it
    resolved = iter([stale])
    real = kgstore.current_build
    monkeypatch.setattr(kgpool.kgstore, "current_build", lambda path: next(resolved, None) or real(path))
    pool = kgpool.QueryPool(store_path, 1)
    try:
        outcome = pool.run(
            QueryJob(
                query="SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                results_mime="application/sparql-results+json",
                graph_mime=None,
                max_bytes=100_000,
            ),
            HANG_GUARD,
        )
    finally:
        pool.close()
    assert outcome.status == 200, outcome.message
    assert json.loads(outcome.body)["results"]["bindings"][0]["n"]["value"] == "2"


def test_a_write_that_waits_for_others_longer_than_its_timeout_is_a_503_and_not_applied(tmp_path):
    """A write queued behind others gives up at its timeout with a clear answer, before gunicorn's worker timeout
    (timeout + 30 s) would kill the worker and drop the connection."""
    from kg.store import layout as kgstore
    from kg.store import writes as kgwrites

    store_path = make_store(tmp_path, [])
    before = kgstore.current_build(store_path)
    outcomes = []
    waiting = threading.Thread(
        target=lambda: outcomes.append(
            kgwrites.write(store_path, UpdateJob(update=f"INSERT DATA {{ <{EX}s> <{EX}p> 1 }}"), timeout=1)
        )
    )
    with kgwrites.write_lock(store_path):  # another writer holds the store throughout
        waiting.start()
        waiting.join(HANG_GUARD)
        assert not waiting.is_alive(), "the write waited for the lock past its timeout"
    (outcome,) = outcomes
    assert outcome.status == 503 and "other writes held the store" in outcome.message
    assert kgstore.current_build(store_path) == before
    assert (
        kgwrites.write(store_path, UpdateJob(update=f"INSERT DATA {{ <{EX}s> <{EX}p> 1 }}"), timeout=HANG_GUARD).status
        == 204
    )
