"""Queries in killable worker processes (writes, which run in a child process too, are kg/writes.py).

pyoxigraph cannot cancel a running query from Python, so every query runs in a small pool of long-lived
worker processes (started with ``spawn``: no inherited locks or store handles). Each worker opens the current
build read-only and reopens it when the store link moves. A query that outlives its timeout is stopped by
killing its worker; a fresh worker takes its place. So is a query whose client has hung up: while it waits, the
pool asks the request's ``cancelled`` check a few times a second (server/sparql.py looks at the client's socket).
Results are serialized in the worker, so the timeout and the result-size cap also cover serialization.
See docs/decisions/0005-query-timeouts-and-writes.md and docs/deployment.md (cancellation under gunicorn).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg import store as kgstore
from kg.remote import RemoteError

if TYPE_CHECKING:  # a type only: kg.backend builds on this module
    from kg.backend import RemoteHandle

RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
# Formats a client may send to the Graph Store Protocol (quads formats only for a whole dataset: not accepted).
UPLOAD_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "text/n3": ox.RdfFormat.N3,
}
# How often a waiting query asks whether its client is still there: a query is stopped well within a second of
# the client hanging up, and the check (one poll of a socket) costs nothing next to a query.
CANCEL_CHECK_SECONDS = 0.2
# Deeply nested or long-chained queries (5,000 nested groups, a 2,000-step property path, 20,000 terms joined by
# `+` or UNION) recurse in Oxigraph's parser and optimizer deeper than a main thread's 8 MB stack, and a stack
# overflow kills the worker: a 500 for the client. Worker jobs run on a thread with a 1 GiB stack instead; only
# the pages a query touches become resident, and the time such a query takes is bounded by the timeout.
WORKER_STACK_BYTES = 1 << 30
# The status of a query stopped because its client closed the connection (nginx's convention); nobody receives
# the response, it is only written to the access log.
CLIENT_CLOSED = 499


@dataclass
class Outcome:
    """What a job produced: a body and its media type, or an HTTP status with a message for the client."""

    status: int
    body: bytes = b""
    mimetype: str = "text/plain"
    message: str = ""
    created: bool = False
    headers: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status < 400


class ResultTooLarge(Exception):
    pass


class _CappedBuffer:
    """A write target that refuses to grow past the result cap, so a huge result stops early."""

    def __init__(self, limit: int):
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise ResultTooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


def _too_large(limit: int) -> Outcome:
    return Outcome(422, message=(f"the result is larger than the server's cap of {limit} bytes; "
                                 "add a LIMIT (and OFFSET to page) or select fewer variables"),
                   headers={"X-Result-Cap-Bytes": str(limit)})


def _named(iris: list[str] | None) -> list[ox.NamedNode] | None:
    return None if iris is None else [ox.NamedNode(i) for i in iris]


def run_query_job(store: ox.Store, job: dict) -> Outcome:
    """Run one query job on an open store (in a worker process) and serialize its result."""
    limit = job["max_bytes"]
    try:
        if job["kind"] == "graph":
            return _graph_job(store, job)
        default_graph = _named(job.get("default_graph"))
        named_graphs = _named(job.get("named_graphs"))
        if named_graphs is not None and default_graph is None:
            default_graph = []  # the protocol's dataset has only named graphs: its default graph is empty
        result = store.query(job["query"], base_iri=job.get("base_iri"),
                             use_default_graph_as_union=default_graph is None and named_graphs is None,
                             default_graph=default_graph, named_graphs=named_graphs)
        buffer = _CappedBuffer(limit)
        if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
            mime = job.get("results_mime")
            if mime is None:
                return Outcome(406, message="no acceptable format for SELECT/ASK results; available: "
                               + ", ".join(RESULT_FORMATS))
            result.serialize(buffer, RESULT_FORMATS[mime])
        else:
            mime = job.get("graph_mime")
            if mime is None:
                return Outcome(406, message="no acceptable format for CONSTRUCT/DESCRIBE results; available: "
                               + ", ".join(GRAPH_FORMATS))
            ox.serialize(result, buffer, GRAPH_FORMATS[mime])
        return Outcome(200, buffer.getvalue(), mime)
    except ResultTooLarge:
        return _too_large(limit)
    except RemoteError as exc:  # a remote engine's failure or timeout (kg/remote.py): 502 or 504
        return Outcome(exc.status, message=exc.message)
    except SyntaxError as exc:
        return Outcome(400, message=f"malformed query: {exc}")
    except ValueError as exc:  # e.g. an invalid IRI in default-graph-uri
        return Outcome(400, message=f"bad request: {exc}")
    except OSError as exc:  # evaluation errors raised by Oxigraph (failed SERVICE calls, store errors)
        return Outcome(500, message=f"query failed: {exc}")


def _graph_job(store: ox.Store, job: dict) -> Outcome:
    """A Graph Store Protocol read: one graph, serialized (the whole graph or an error, never a part)."""
    graph = ox.DefaultGraph() if job["graph"] is None else ox.NamedNode(job["graph"])
    if isinstance(graph, ox.NamedNode) and not store.contains_named_graph(graph):
        return Outcome(404, message=f"no graph {job['graph']} in the store")
    buffer = _CappedBuffer(job["max_bytes"])
    try:
        store.dump(buffer, GRAPH_FORMATS[job["graph_mime"]], from_graph=graph)
    except ResultTooLarge:
        return _too_large(job["max_bytes"])
    return Outcome(200, buffer.getvalue(), job["graph_mime"])


def _worker_main(conn: Connection) -> None:
    """A worker process: receive (build directory, job), answer an Outcome; keep the store open between jobs."""
    build: str | None = None
    store: ox.Store | None = None
    while True:
        try:
            build_dir, job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        try:
            if build_dir != build or store is None:
                store = None
                store = ox.Store.read_only(str(Path(build_dir) / "oxigraph"))
                build = build_dir
            outcome = run_query_job(store, job)
        except Exception as exc:  # never let a worker die on a bad job; the message goes to the client
            outcome = Outcome(500, message=f"query failed: {type(exc).__name__}: {exc}")
        conn.send(outcome)


def start_child(module: str, *args: str) -> tuple[subprocess.Popen, Connection]:
    """A fresh interpreter running ``python -m module *args FD``, connected by a socket pair (query workers here,
    writers in kg/writes.py).

    A plain subprocess rather than multiprocessing's spawn: it never re-imports the host's __main__ (gunicorn,
    pytest, a script), and it inherits no locks, threads or store handles.
    """
    parent, child = socket.socketpair()
    process = subprocess.Popen([sys.executable, "-m", module, *args, str(child.fileno())],
                               pass_fds=[child.fileno()], stdin=subprocess.DEVNULL)
    child.close()
    return process, Connection(parent.detach())


def run_child(main: Callable[[Connection], None], name: str) -> None:
    """The body of a child's ``__main__``: die with the server, then serve the socket pair on a big-stack thread."""
    try:  # Linux: die with the server process even while Oxigraph is busy (PR_SET_PDEATHSIG)
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    connection = Connection(int(sys.argv[-1]))
    threading.stack_size(WORKER_STACK_BYTES)
    thread = threading.Thread(target=main, args=(connection,), name=name)
    thread.start()
    thread.join()


def stop_child(process: subprocess.Popen, conn: Connection) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(10)
    conn.close()


class _Worker:
    def __init__(self):
        self.process, self.conn = start_child("kg.workers", "query")

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        stop_child(self.process, self.conn)


class QueryPool:
    """Long-lived query worker processes of one server process (created lazily: gunicorn forks after import)."""

    def __init__(self, store_path: Path, size: int = 1):
        self.store_path = Path(store_path)
        self.size = max(1, size)
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._free = threading.Semaphore(self.size)
        self._pid = os.getpid()

    def _take(self) -> _Worker:
        with self._lock:
            if self._pid != os.getpid():  # inherited from a parent process: its workers are not ours
                self._idle, self._pid = [], os.getpid()
            while self._idle:
                worker = self._idle.pop()
                if worker.alive():
                    return worker
                worker.stop()
        return _Worker()

    def run(self, job: dict, timeout: float, cancelled: Callable[[], bool] | None = None) -> Outcome:
        """Run a job in a worker; stop it at the timeout, or as soon as ``cancelled()`` says the client is gone."""
        build = kgstore.current_build(self.store_path)
        if build is None:
            return Outcome(503, message=f"no graph built at {self.store_path}")
        outcome = self._run_on(build, job, timeout, cancelled)
        if outcome.status == 500 and not build.exists():
            # a write keeps the current build and the one before it: two writes in quick succession removed the
            # build this query was sent to before its worker read it. Not the client's fault: the current build
            current = kgstore.current_build(self.store_path)
            if current is not None and current != build:
                outcome = self._run_on(current, job, timeout, cancelled)
        return outcome

    def _run_on(self, build: Path, job: dict, timeout: float, cancelled: Callable[[], bool] | None) -> Outcome:
        with self._free:
            worker = self._take()
            try:
                worker.conn.send((str(build), job))
                deadline = time.monotonic() + timeout
                while not worker.conn.poll(max(0.0, min(CANCEL_CHECK_SECONDS, deadline - time.monotonic()))):
                    if cancelled is not None and cancelled():
                        worker.stop()  # killing the worker is the only way to stop Oxigraph mid-query
                        return Outcome(CLIENT_CLOSED, message="the client closed the connection; the query was stopped")
                    if time.monotonic() >= deadline:
                        worker.stop()
                        return Outcome(503, message=(f"the query did not finish within the server's timeout of "
                                                     f"{timeout:g} s and was stopped; narrow it or add a LIMIT"),
                                       headers={"X-Query-Timeout-Seconds": f"{timeout:g}"})
                outcome = worker.conn.recv()
            except (EOFError, OSError):
                # the worker died under the query (killed, out of memory, crashed): the server is fine and the next
                # query gets a fresh worker, so this is "unavailable, try again", not an internal error
                worker.stop()
                return Outcome(503, message=("the query worker stopped unexpectedly (killed or out of memory) and "
                                             "the query was not answered; retry it, or narrow it if it was heavy"),
                               headers={"Retry-After": "1"})
            with self._lock:
                self._idle.append(worker)
            return outcome

    def close(self) -> None:
        with self._lock:
            for worker in self._idle:
                worker.stop()
            self._idle = []


class RemoteQueries:
    """Query jobs on a remote SPARQL engine, run in the request's thread: the engine does the work, and the HTTP
    request to it carries the timeout (a remote engine keeps its own pool; there is nothing here to kill)."""

    def __init__(self, handle: RemoteHandle):
        self.handle = handle

    def run(self, job: dict, timeout: float, cancelled: Callable[[], bool] | None = None) -> Outcome:
        # ``cancelled`` is not consulted: the request to the engine is synchronous and carries the timeout
        try:
            store = self.handle.get()
        except kgstore.StoreMissing as exc:
            return Outcome(503, message=str(exc))
        except RemoteError as exc:
            return Outcome(exc.status, message=exc.message)
        outcome = run_query_job(store.with_timeout(timeout), job)
        if outcome.status == 502:  # the engine failed or went away: /health must not vouch for it from memory
            self.handle.forget()
        if outcome.status == 504:
            outcome.headers["X-Query-Timeout-Seconds"] = f"{timeout:g}"
        return outcome

    def close(self) -> None:
        pass


if __name__ == "__main__":
    # run the functions of the importable module, so that what they send unpickles as kg.workers.Outcome
    from kg import workers

    workers.run_child(workers._worker_main, "amurkg-query")
