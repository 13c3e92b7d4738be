"""Queries in killable worker processes (writes, which run in a child process too, are kg/store/writes.py).

pyoxigraph cannot cancel a running query from Python, so every query runs in a small pool of long-lived
worker processes (started with ``spawn``: no inherited locks or store handles). Each worker opens the current
build read-only and reopens it when the store link moves. A query that outlives its timeout is stopped by
killing its worker; a fresh worker takes its place. So is a query whose client has hung up: while it waits, the
pool asks the request's ``cancelled`` check a few times a second (server/sparql.py looks at the client's socket).
Results are serialized in the worker, so the timeout and the result-size cap also cover serialization.
See docs/decisions/0005-query-timeouts-and-writes.md and docs/deployment.md (cancellation under gunicorn).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

import pyoxigraph as ox

from kg import formats
from kg.store import layout as kgstore
from kg.store.jobs import GraphReadJob, QueryJob, ReadJob
from kg.store.remote import RemoteError, RemoteStore

if TYPE_CHECKING:  # a type only: kg.store.backend builds on this module
    from kg.store.backend import RemoteHandle

# media type -> Oxigraph format, from the formats table (kg/formats.py), in the order offered
RESULT_FORMATS = {f.media_type: f.results_format for f in formats.RESULT_SYNTAXES}
GRAPH_FORMATS = {f.media_type: f.rdf_format for f in formats.GRAPH_SYNTAXES}
# Formats a client may send to the Graph Store Protocol (quads formats only for a whole dataset: not accepted).
UPLOAD_FORMATS = {mime: f.rdf_format for f in formats.UPLOAD_SYNTAXES for mime in f.media_types}
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
# Lanes of the query pool (docs/decisions/0011-interactive-lane.md): user SPARQL cannot take the interactive one.
SPARQL = "sparql"
INTERACTIVE = "interactive"
# The response header naming the lane that ran a query (for operators and the tests).
LANE_HEADER = "X-Query-Lane"
# A user query that took less than this when last run on the build is a cheap lookup: it runs in the interactive
# lane, where it may take at most INTERACTIVE_BUDGET_SECONDS before it is moved to the SPARQL lane.
CHEAP_SECONDS = 0.25
INTERACTIVE_BUDGET_SECONDS = 1.0
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


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
    return Outcome(
        422,
        message=(
            f"the result is larger than the server's cap of {limit} bytes; "
            "add a LIMIT (and OFFSET to page) or select fewer variables"
        ),
        headers={"X-Result-Cap-Bytes": str(limit)},
    )


def malformed(job: ReadJob) -> Outcome | None:
    """The 400 of a query job that does not parse, found without a worker: an empty in-memory store parses it
    (nothing is there to evaluate, and a SELECT's solutions are never asked for); None when it parses."""
    if not isinstance(job, QueryJob):
        return None
    try:
        ox.Store().query(job.query, base_iri=job.base_iri)
    except SyntaxError as exc:
        return Outcome(400, message=f"malformed query: {exc}")
    except Exception:  # noqa: BLE001 - anything else is for the worker that runs it to report
        return None
    return None


def run_query_job(store: ox.Store | RemoteStore, job: ReadJob) -> Outcome:
    """Run one query job on an open store (in a worker process) and serialize its result."""
    limit = job.max_bytes
    try:
        if isinstance(job, GraphReadJob):
            return _graph_job(store, job)
        default_graph: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None = None
        named_graphs: list[ox.NamedNode | ox.BlankNode] | None = None
        if job.default_graph is not None:
            default_graph = [ox.NamedNode(i) for i in job.default_graph]
        if job.named_graphs is not None:
            named_graphs = [ox.NamedNode(i) for i in job.named_graphs]
        if named_graphs is not None and default_graph is None:
            default_graph = []  # the protocol's dataset has only named graphs: its default graph is empty
        result = store.query(
            job.query,
            base_iri=job.base_iri,
            use_default_graph_as_union=default_graph is None and named_graphs is None,
            default_graph=default_graph,
            named_graphs=named_graphs,
        )
        buffer = _CappedBuffer(limit)
        sink = cast(IO[bytes], buffer)  # pyoxigraph only calls write()
        if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
            mime = job.results_mime
            if mime is None:
                return Outcome(
                    406, message="no acceptable format for SELECT/ASK results; available: " + ", ".join(RESULT_FORMATS)
                )
            result.serialize(sink, RESULT_FORMATS[mime])
        else:
            mime = job.graph_mime
            if mime is None:
                return Outcome(
                    406,
                    message="no acceptable format for CONSTRUCT/DESCRIBE results; available: "
                    + ", ".join(GRAPH_FORMATS),
                )
            ox.serialize(result, sink, GRAPH_FORMATS[mime])
        return Outcome(200, buffer.getvalue(), mime)
    except ResultTooLarge:
        return _too_large(limit)
    except RemoteError as exc:  # a remote engine's failure or timeout (kg/store/remote.py): 502 or 504
        return Outcome(exc.status, message=exc.message)
    except SyntaxError as exc:
        return Outcome(400, message=f"malformed query: {exc}")
    except ValueError as exc:  # e.g. an invalid IRI in default-graph-uri
        return Outcome(400, message=f"bad request: {exc}")
    except OSError as exc:  # evaluation errors raised by Oxigraph (failed SERVICE calls, store errors)
        return Outcome(500, message=f"query failed: {exc}")


def _graph_job(store: ox.Store | RemoteStore, job: GraphReadJob) -> Outcome:
    """A Graph Store Protocol read: one graph, serialized (the whole graph or an error, never a part)."""
    graph = ox.DefaultGraph() if job.graph is None else ox.NamedNode(job.graph)
    if isinstance(graph, ox.NamedNode) and not store.contains_named_graph(graph):
        return Outcome(404, message=f"no graph {job.graph} in the store")
    buffer = _CappedBuffer(job.max_bytes)
    try:
        store.dump(cast(IO[bytes], buffer), GRAPH_FORMATS[job.graph_mime], from_graph=graph)  # write() only
    except ResultTooLarge:
        return _too_large(job.max_bytes)
    return Outcome(200, buffer.getvalue(), job.graph_mime)


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
    writers in kg/store/writes.py).

    A plain subprocess rather than multiprocessing's spawn: it never re-imports the host's __main__ (gunicorn,
    pytest, a script), and it inherits no locks, threads or store handles.
    """
    parent, child = socket.socketpair()
    process = subprocess.Popen(
        [sys.executable, "-m", module, *args, str(child.fileno())], pass_fds=[child.fileno()], stdin=subprocess.DEVNULL
    )
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
        self.process, self.conn = start_child("kg.store.workers", "query")

    def alive(self) -> bool:
        return self.process.poll() is None

    def rss(self) -> int | None:
        """Resident bytes of the worker now (Linux /proc), or None where that cannot be read."""
        try:
            with open(f"/proc/{self.process.pid}/statm") as statm:
                return int(statm.read().split()[1]) * PAGE_BYTES
        except (OSError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        stop_child(self.process, self.conn)


class _Lane:
    """Worker processes that only one kind of work may use, and how many requests may wait for one of them."""

    def __init__(self, name: str, size: int, queue: int | None):
        self.name = name
        self.queue = queue  # None: no bound
        self.free = threading.Semaphore(max(1, size))
        self.idle: list[_Worker] = []
        self.waiting = 0


class _Costs:
    """How long each query took when last run on a build, so that a repeated cheap query can go to the
    interactive lane. Bounded (least recently used out); a new build starts afresh (its costs may differ)."""

    def __init__(self, size: int = 4096):
        self.size = size
        self._lock = threading.Lock()
        self._build: Path | None = None
        self._seconds: OrderedDict[str, float] = OrderedDict()

    @staticmethod
    def key(job: ReadJob) -> str:
        # all that shapes the work but the cap: the same query asked with another cap costs the same
        parts = {k: v for k, v in dataclasses.asdict(job).items() if k != "max_bytes"}
        return hashlib.sha256(json.dumps([type(job).__name__, parts], sort_keys=True).encode()).hexdigest()

    def cheap(self, build: Path, job: ReadJob) -> bool:
        with self._lock:
            seconds = self._seconds.get(self.key(job)) if build == self._build else None
        return seconds is not None and seconds < CHEAP_SECONDS

    def record(self, build: Path, job: ReadJob, seconds: float) -> None:
        key = self.key(job)
        with self._lock:
            if build != self._build:
                self._build, self._seconds = build, OrderedDict()
            self._seconds[key] = seconds
            self._seconds.move_to_end(key)
            while len(self._seconds) > self.size:
                self._seconds.popitem(last=False)


class QueryPool:
    """Long-lived query worker processes of one server process, in two lanes (created lazily: gunicorn forks
    after import; docs/decisions/0011-interactive-lane.md).

    - the SPARQL lane (``size`` workers): user queries and Graph Store reads. At most ``queue`` more requests wait
      for one of its workers; beyond that a request is refused at once (503, Retry-After), so user SPARQL can
      never hold every thread of the web server.
    - the interactive lane (``interactive`` workers): the server's own cheap lookups (``lane=INTERACTIVE``), and
      user queries that were cheap when last run on this build. Those get ``INTERACTIVE_BUDGET_SECONDS`` there;
      one that runs longer is stopped and run again in the SPARQL lane, so a mistaken guess costs the interactive
      lane at most that long.

    A worker above ``max_rss`` bytes while it runs a query is killed (503: a query that needs more memory than the
    server gives it); one above half of it after a query is replaced, so memory a big query left behind is given
    back before the next query.
    """

    def __init__(
        self,
        store_path: Path,
        size: int = 1,
        interactive: int = 1,
        queue: int | None = None,
        max_rss: int | None = None,
    ):
        self.store_path = Path(store_path)
        self.size = max(1, size)
        self.max_rss = max_rss or None
        self._lock = threading.Lock()
        self._lanes = {SPARQL: _Lane(SPARQL, self.size, queue), INTERACTIVE: _Lane(INTERACTIVE, interactive, None)}
        self._costs = _Costs()
        self._pid = os.getpid()

    def _take(self, lane: _Lane) -> _Worker:
        with self._lock:
            if self._pid != os.getpid():  # inherited from a parent process: its workers are not ours
                for each in self._lanes.values():
                    each.idle = []
                self._pid = os.getpid()
            while lane.idle:
                worker = lane.idle.pop()
                if worker.alive():
                    return worker
                worker.stop()
        return _Worker()

    def run(
        self, job: ReadJob, timeout: float, cancelled: Callable[[], bool] | None = None, lane: str = SPARQL
    ) -> Outcome:
        """Run a job in a worker of its lane; stop it at the timeout (which counts the wait for a worker too), or
        as soon as ``cancelled()`` says the client is gone. The outcome names the lane that answered it."""
        build = kgstore.current_build(self.store_path)
        if build is None:
            return Outcome(503, message=f"no graph built at {self.store_path}")
        outcome = self._dispatch(build, job, timeout, cancelled, lane)
        if outcome.status == 500 and not build.exists():
            # a write keeps the current build and the one before it: two writes in quick succession removed the
            # build this query was sent to before its worker read it. Not the client's fault: the current build
            current = kgstore.current_build(self.store_path)
            if current is not None and current != build:
                outcome = self._dispatch(current, job, timeout, cancelled, lane)
        return outcome

    def _dispatch(
        self, build: Path, job: ReadJob, timeout: float, cancelled: Callable[[], bool] | None, lane: str
    ) -> Outcome:
        deadline = time.monotonic() + timeout
        if lane == SPARQL and self._costs.cheap(build, job):
            budget = min(timeout, INTERACTIVE_BUDGET_SECONDS)
            outcome = self._run_on(INTERACTIVE, build, job, time.monotonic() + budget, cancelled)
            if outcome is not None:
                return outcome
            # no longer cheap (or the interactive lane was busy for the whole budget): not cheap until the SPARQL
            # lane has run it cheaply again
            self._costs.record(build, job, float("inf"))
        outcome = self._run_on(lane, build, job, deadline, cancelled) if time.monotonic() < deadline else None
        if outcome is None:
            return Outcome(
                503,
                message=(
                    f"the query did not finish within the server's timeout of {timeout:g} s "
                    "and was stopped; narrow it or add a LIMIT"
                ),
                headers={"X-Query-Timeout-Seconds": f"{timeout:g}", LANE_HEADER: lane},
            )
        return outcome

    def _run_on(
        self, name: str, build: Path, job: ReadJob, deadline: float, cancelled: Callable[[], bool] | None
    ) -> Outcome | None:
        """The job's outcome from a worker of lane ``name``, or None if the deadline passed first."""
        lane = self._lanes[name]
        if not lane.free.acquire(blocking=False):
            with self._lock:
                if lane.queue is not None and lane.waiting >= lane.queue:
                    # a malformed query is the client's error, busy or not: its 400 says what to fix
                    if (refused := malformed(job)) is not None:
                        return refused
                    return Outcome(
                        503,
                        message=(
                            "the server is running as many SPARQL queries as it allows and more are waiting; "
                            "the query was not started: retry it shortly"
                        ),
                        headers={"Retry-After": "2", LANE_HEADER: name},
                    )
                lane.waiting += 1
            try:
                while not lane.free.acquire(timeout=max(0.0, min(CANCEL_CHECK_SECONDS, deadline - time.monotonic()))):
                    if cancelled is not None and cancelled():
                        return _client_closed(name)
                    if time.monotonic() >= deadline:
                        return None
            finally:
                with self._lock:
                    lane.waiting -= 1
        try:
            return self._run_in_worker(lane, build, job, deadline, cancelled)
        finally:
            lane.free.release()

    def _run_in_worker(
        self, lane: _Lane, build: Path, job: ReadJob, deadline: float, cancelled: Callable[[], bool] | None
    ) -> Outcome | None:
        worker = self._take(lane)
        try:
            started = time.monotonic()
            worker.conn.send((str(build), job))
            while not worker.conn.poll(max(0.0, min(CANCEL_CHECK_SECONDS, deadline - time.monotonic()))):
                if cancelled is not None and cancelled():
                    worker.stop()  # killing the worker is the only way to stop Oxigraph mid-query
                    return _client_closed(lane.name)
                if time.monotonic() >= deadline:
                    worker.stop()
                    return None
                if self.max_rss and (worker.rss() or 0) > self.max_rss:
                    worker.stop()
                    return Outcome(
                        503,
                        message=(
                            f"the query needed more than the {self.max_rss >> 20} MiB of memory the server gives one "
                            "query and was stopped; narrow it or add a LIMIT"
                        ),
                        headers={"X-Query-Memory-Limit-Bytes": str(self.max_rss), LANE_HEADER: lane.name},
                    )
            outcome = worker.conn.recv()
            self._costs.record(build, job, time.monotonic() - started)
        except (EOFError, OSError):
            # the worker died under the query (killed, out of memory, crashed): the server is fine and the next
            # query gets a fresh worker, so this is "unavailable, try again", not an internal error
            worker.stop()
            return Outcome(
                503,
                message=(
                    "the query worker stopped unexpectedly (killed or out of memory) and "
                    "the query was not answered; retry it, or narrow it if it was heavy"
                ),
                headers={"Retry-After": "1", LANE_HEADER: lane.name},
            )
        if self.max_rss and (worker.rss() or 0) > self.max_rss // 2:
            worker.stop()  # give back what a big query left allocated; the next query starts a fresh worker
        else:
            with self._lock:
                lane.idle.append(worker)
        outcome.headers[LANE_HEADER] = lane.name
        return outcome

    def close(self) -> None:
        with self._lock:
            for lane in self._lanes.values():
                for worker in lane.idle:
                    worker.stop()
                lane.idle = []


def _client_closed(lane: str) -> Outcome:
    return Outcome(
        CLIENT_CLOSED, message="the client closed the connection; the query was stopped", headers={LANE_HEADER: lane}
    )


class RemoteQueries:
    """Query jobs on a remote SPARQL engine, run in the request's thread: the engine does the work, and the HTTP
    request to it carries the timeout (a remote engine keeps its own pool; there is nothing here to kill)."""

    def __init__(self, handle: RemoteHandle):
        self.handle = handle

    def run(
        self, job: ReadJob, timeout: float, cancelled: Callable[[], bool] | None = None, lane: str = SPARQL
    ) -> Outcome:
        # ``cancelled`` and ``lane`` are not consulted: the request to the engine is synchronous and carries the
        # timeout, and the engine schedules its own work
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
    # run the functions of the importable module, so that what they send unpickles as kg.store.workers.Outcome
    from kg.store import workers

    workers.run_child(workers._worker_main, "amurkg-query")
