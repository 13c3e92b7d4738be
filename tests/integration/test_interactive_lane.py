"""Interactive work never waits behind heavy SPARQL (issue 15 part 3, docs/decisions/0011-interactive-lane.md).

The SPARQL lane is saturated with queries that run until their client goes (a three-way cartesian product on 2000
triples runs for minutes; the server's timeout is 600 s). Saturation is established by what the server answers
(a further SPARQL request is refused as busy), never by waiting a while; then pages and cheap lookups must still
be answered, by the interactive lane. No assertion depends on how fast anything runs.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import psutil
import pytest
from sparql_live import RUNAWAY, hold_query, query_job, runaway_store, serve

from kg.store import pool as kgpool
from kg.store.answers import Outcome

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
CARTESIAN = RUNAWAY
SERVER_TIMEOUT = 600.0
HANG_GUARD = 120.0  # seconds; only ever reached if something hangs


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return runaway_store(tmp_path_factory.mktemp("lanes"))


job = query_job


def count_of(outcome: Outcome) -> str:
    return json.loads(outcome.body)["results"]["bindings"][0]["n"]["value"]


def wait_for_busy_worker(root: psutil.Process) -> psutil.Process:
    """The query worker (under ``root``) that is evaluating the runaway (it has used CPU time), once it is."""
    deadline = time.monotonic() + HANG_GUARD
    while time.monotonic() < deadline:
        for process in root.children(recursive=True):
            try:
                if "kg.store.pool" in process.cmdline() and sum(process.cpu_times()[:2]) > 1.0:  # start-up: far less
                    return process
            except psutil.NoSuchProcess:
                pass
        time.sleep(0.2)
    raise AssertionError("the runaway never started in a query worker")


def test_a_cheap_lookup_is_answered_by_the_interactive_lane_while_user_sparql_holds_its_lane(store):
    # what counts as cheap is learnt from a run's time, which includes opening the store in a fresh worker: on a
    # loaded machine that alone can pass 0.25 s, so the routing is tested with thresholds no run here reaches
    pool = kgpool.QueryPool(store, size=1, interactive=1, queue=0, cheap_seconds=60.0, interactive_budget=60.0)
    stop = threading.Event()
    runaway: list[Outcome] = []
    heavy = threading.Thread(target=lambda: runaway.append(pool.run(job(CARTESIAN), SERVER_TIMEOUT, stop.is_set)))
    try:
        first = pool.run(job(COUNT), SERVER_TIMEOUT)  # first seen: the SPARQL lane, and now known to be cheap
        assert first.status == 200 and first.headers[kgpool.LANE_HEADER] == kgpool.SPARQL
        heavy.start()
        wait_for_busy_worker(psutil.Process())
        busy = pool.run(job("ASK { ?s ?p 'never seen' }"), SERVER_TIMEOUT)  # not known cheap: its lane is full
        assert busy.status == 503 and "as many SPARQL queries as it allows" in busy.message
        assert busy.headers.get("Retry-After")
        malformed = pool.run(job("SELEC * { ?s ?p ?o }"), SERVER_TIMEOUT)  # busy or not: the client's error
        assert malformed.status == 400 and malformed.message.startswith("malformed query: ")

        repeated = pool.run(job(COUNT), SERVER_TIMEOUT)
        assert repeated.status == 200 and count_of(repeated) == "2000"
        assert repeated.headers[kgpool.LANE_HEADER] == kgpool.INTERACTIVE
        own = pool.run(job("ASK { ?s ?p ?o }"), SERVER_TIMEOUT, lane=kgpool.INTERACTIVE)  # the server's own
        assert own.status == 200 and own.headers[kgpool.LANE_HEADER] == kgpool.INTERACTIVE
    finally:
        stop.set()  # the runaway's client goes: the pool kills its worker
        heavy.join(HANG_GUARD)
        pool.close()
    assert runaway and runaway[0].status == kgpool.CLIENT_CLOSED


def test_a_cheap_guess_that_runs_past_its_budget_is_answered_by_the_sparql_lane(store):
    """A budget of 0 s: no worker can answer within it, so the interactive attempt is always stopped."""
    # the first run counts as cheap however loaded the machine
    pool = kgpool.QueryPool(store, size=1, interactive=1, cheap_seconds=60.0, interactive_budget=0.0)
    try:
        assert pool.run(job(COUNT), SERVER_TIMEOUT).headers[kgpool.LANE_HEADER] == kgpool.SPARQL
        moved = pool.run(job(COUNT), SERVER_TIMEOUT)  # known cheap: tried in the interactive lane first
        assert moved.status == 200 and count_of(moved) == "2000"
        assert moved.headers[kgpool.LANE_HEADER] == kgpool.SPARQL
    finally:
        pool.close()


def _query_workers() -> list[psutil.Process]:
    return [
        p
        for p in psutil.Process().children(recursive=True)
        if p.is_running() and p.status() != psutil.STATUS_ZOMBIE and "kg.store.pool" in p.cmdline()
    ]


def test_a_query_over_the_memory_cap_is_stopped_with_a_503_naming_the_cap(store):
    """A cap of 1 MiB, far below any worker: the runaway is stopped at the first look at its memory."""
    pool = kgpool.QueryPool(store, size=1, max_rss=1 << 20)
    try:
        outcome = pool.run(job(CARTESIAN), SERVER_TIMEOUT)
    finally:
        pool.close()
    assert outcome.status == 503 and "1 MiB of memory" in outcome.message
    assert outcome.headers["X-Query-Memory-Limit-Bytes"] == str(1 << 20)


def test_a_worker_left_above_half_the_cap_after_a_query_is_replaced(store):
    others = {p.pid for p in _query_workers()}  # other tests' pools in this process (a session app's)
    pool = kgpool.QueryPool(store, size=1)
    lane = kgpool.INTERACTIVE  # one lane throughout, so that every query goes to the same worker while it lives
    try:
        assert pool.run(job(COUNT), SERVER_TIMEOUT, lane=lane).status == 200
        (worker,) = [p for p in _query_workers() if p.pid not in others]
        pool.max_rss = worker.memory_info().rss * 3 // 2  # not reached while it runs; half of it is exceeded after
        assert pool.run(job(COUNT), SERVER_TIMEOUT, lane=lane).status == 200
        worker.wait(HANG_GUARD)  # the worker was stopped rather than kept
        pool.max_rss = None
        after = pool.run(job(COUNT), SERVER_TIMEOUT, lane=lane)
        assert after.status == 200 and count_of(after) == "2000"
        assert [p.pid for p in _query_workers() if p.pid not in others] != [worker.pid]
    finally:
        pool.close()


def _post(base: str, query: str):
    request = urllib.request.Request(
        base + "/sparql",
        data=query.encode(),
        method="POST",
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    try:
        return urllib.request.urlopen(request, timeout=HANG_GUARD)
    except urllib.error.HTTPError as exc:
        return exc


def test_pages_and_cheap_lookups_are_served_while_user_sparql_holds_every_thread_it_may(store):
    """gunicorn with 2 threads, 1 of them reserved: the runaway holds the only SPARQL worker and the only thread
    user SPARQL may have, so a further SPARQL request is refused as busy; pages and cheap lookups are answered."""
    # no answer kept (a POSTed query is cached like a GET's): every request here is run in a lane
    env = {
        "AMURKG_QUERY_PROCESSES": "1",
        "AMURKG_THREADS": "2",
        "AMURKG_RESERVED_THREADS": "1",
        "AMURKG_RESPONSE_CACHE_ENTRY_BYTES": "0",
        # the cheap lookup below runs while the runaway holds a core: on a loaded machine it may take more than the
        # default second in the interactive lane, which would move it to the busy SPARQL lane (a 503)
        "AMURKG_INTERACTIVE_BUDGET": "10",
    }
    with serve(store, env=env, workers=1, timeout=SERVER_TIMEOUT) as base:
        with urllib.request.urlopen(base + "/health", timeout=HANG_GUARD) as health:
            server = psutil.Process(json.loads(health.read())["pid"]).parent()
        with _post(base, COUNT) as first:
            assert first.status == 200 and first.headers["X-Query-Lane"] == "sparql"
        # until the query is known cheap and the interactive worker has opened the store: on a loaded machine the
        # first runs (each opening the store in a fresh worker) may be too slow to count as cheap
        lanes = []
        for _ in range(10):
            with _post(base, COUNT) as again:
                assert again.status == 200
                lanes.append(again.headers["X-Query-Lane"])
            if lanes[-1] == "interactive":
                break
        assert lanes[-1] == "interactive", lanes
        held = hold_query(base, CARTESIAN, HANG_GUARD)
        try:
            wait_for_busy_worker(server)
            with _post(base, "ASK { ?s ?p 'never seen' }") as refused:
                assert refused.status == 503 and "as many SPARQL queries" in refused.read().decode()

            with urllib.request.urlopen(
                urllib.request.Request(base + "/sparql", headers={"Accept": "text/html"}), timeout=HANG_GUARD
            ) as page:
                assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
            with urllib.request.urlopen(base + "/health", timeout=HANG_GUARD) as health:
                assert health.status == 200
            with _post(base, COUNT) as cheap:
                assert cheap.status == 200 and cheap.headers["X-Query-Lane"] == "interactive", cheap.read()
                assert json.loads(cheap.read())["results"]["bindings"][0]["n"]["value"] == "2000"
        finally:
            held.close()
