"""A query whose client hangs up is stopped and its worker freed (issue 17).

The server's query timeout is set far beyond what the tests wait for the next answer (600 s against 60 s), so the
next query can only be answered if the abandoned one was stopped: without cancellation these tests fail, with it
they pass; no assertion depends on how fast anything runs.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.parse
import urllib.request

import psutil
import pytest
from sparql_live import RUNAWAY, hold_query, query_job, runaway_store, serve

from kg.store import pool as kgpool

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
# 2000 triples: the three-way cartesian product has 8e9 rows and runs for minutes
CARTESIAN = RUNAWAY
SERVER_TIMEOUT = 600.0
CLIENT_WAIT = 60.0


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return runaway_store(tmp_path_factory.mktemp("cancel"))


job = query_job


def test_pool_stops_a_cancelled_query_and_serves_the_next(store):
    pool = kgpool.QueryPool(store, 1)
    checks = []

    def cancelled() -> bool:  # the client "hangs up" at the third look
        checks.append(1)
        return len(checks) >= 3

    try:
        outcome = pool.run(job(CARTESIAN), SERVER_TIMEOUT, cancelled)
        assert outcome.status == kgpool.CLIENT_CLOSED and "closed the connection" in outcome.message
        assert len(checks) == 3
        following = pool.run(job(COUNT), SERVER_TIMEOUT, lambda: False)
        assert following.status == 200
        assert json.loads(following.body)["results"]["bindings"][0]["n"]["value"] == "2000"
    finally:
        pool.close()


def test_a_connected_client_gets_its_answer(store):
    """The check is asked while the query runs, and a client that stays gets the result."""
    pool = kgpool.QueryPool(store, 1)
    try:
        outcome = pool.run(job(COUNT), SERVER_TIMEOUT, lambda: False)
        assert outcome.status == 200
    finally:
        pool.close()


def test_the_socket_check_tells_a_hang_up_from_a_pipelined_request():
    from server import create_app
    from server.sparql import client_gone_check

    app = create_app({"STORE_PATH": "/nonexistent/amurkg-cancel/store"})
    with app.test_request_context("/sparql"):
        assert client_gone_check() is None  # no socket in the environ: nothing to check
    server_side, client_side = socket.socketpair()
    pipelined_server, pipelined_client = socket.socketpair()
    try:
        with app.test_request_context("/sparql", environ_overrides={"gunicorn.socket": server_side}):
            gone = client_gone_check()
            assert gone is not None and gone() is False  # connected and quiet
            client_side.close()
            assert gone() is True
        with app.test_request_context("/sparql", environ_overrides={"gunicorn.socket": pipelined_server}):
            pipelined_client.sendall(b"GET /health HTTP/1.1\r\n\r\n")
            assert client_gone_check()() is False  # more bytes to read: the client is still there
    finally:
        for sock in (server_side, pipelined_server, pipelined_client):
            sock.close()


def _query_workers(server_pid: int) -> list[psutil.Process]:
    processes = psutil.Process(server_pid).children(recursive=True)
    found = []
    for process in processes:
        try:
            if "kg.store.pool" in process.cmdline() and "query" in process.cmdline():
                found.append(process)
        except psutil.NoSuchProcess:
            pass
    return found


def _busy_worker(server_pid: int, wait: float = CLIENT_WAIT) -> psutil.Process:
    """The query worker that is evaluating the heavy query (it has used CPU time), once it is."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        for process in _query_workers(server_pid):
            try:
                if sum(process.cpu_times()[:2]) > 1.0:  # interpreter start-up is well under this
                    return process
            except psutil.NoSuchProcess:
                pass
        time.sleep(0.2)
    raise AssertionError("the heavy query never started in a query worker")


def _server_pid(base: str) -> int:
    """The gunicorn arbiter: the parent of the worker that answers /health."""
    with urllib.request.urlopen(base + "/health", timeout=CLIENT_WAIT) as response:
        return psutil.Process(json.loads(response.read())["pid"]).ppid()


def test_a_disconnected_client_frees_the_only_worker_under_gunicorn(store):
    """One gunicorn worker with one query process: the next query is served only if the abandoned one stopped."""
    env = {"AMURKG_QUERY_PROCESSES": "1"}
    with serve(store, env=env, workers=1, timeout=SERVER_TIMEOUT) as base:
        server_pid = _server_pid(base)
        heavy = hold_query(base, CARTESIAN, CLIENT_WAIT)
        worker = _busy_worker(server_pid)
        heavy.close()  # the client hangs up while its query runs

        url = base + "/sparql?" + urllib.parse.urlencode({"query": COUNT})
        request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=CLIENT_WAIT) as response:
            assert response.status == 200
            assert json.loads(response.read())["results"]["bindings"][0]["n"]["value"] == "2000"
        # the abandoned query's worker was killed before the next query was taken
        assert not worker.is_running() or worker.status() == psutil.STATUS_ZOMBIE


def test_a_client_that_waits_still_gets_a_slow_answer(store):
    """Cancellation must not fire for a client that is still there: a query that runs for a while is answered."""
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER(STR(?c) < STR(?f)) }"
    with serve(store, env={"AMURKG_QUERY_PROCESSES": "1"}, workers=1, timeout=SERVER_TIMEOUT) as base:
        url = base + "/sparql?" + urllib.parse.urlencode({"query": slow})
        request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=SERVER_TIMEOUT) as response:
            assert response.status == 200
            assert int(json.loads(response.read())["results"]["bindings"][0]["n"]["value"]) > 0
