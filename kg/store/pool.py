"""The query pool: queries in killable worker processes, in two lanes (writes, which run in a child process too, are
kg/store/writes.py).

pyoxigraph cannot cancel a running query from Python, so every query runs in a small pool of long-lived
worker processes (kg/store/child.py: fresh interpreters, no inherited locks or store handles). Each worker opens the
current build read-only and reopens it when the store link moves, and answers its jobs with kg/store/answers.py. A
query that outlives its timeout is stopped by killing its worker; a fresh worker takes its place. So is a query
whose client has hung up: while it waits, the pool asks the request's ``cancelled`` check a few times a second
(server/sparql.py looks at the client's socket).
See docs/decisions/0005-query-timeouts-and-writes.md, 0011-interactive-lane.md and docs/deployment.md
(cancellation under gunicorn).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from kg.config import Settings
from kg.store import layout as kgstore
from kg.store.answers import Outcome, malformed, run_query_job
from kg.store.child import run_child, start_child, stop_child
from kg.store.jobs import ReadJob

# How often a waiting query asks whether its client is still there: a query is stopped well within a second of
# the client hanging up, and the check (one poll of a socket) costs nothing next to a query.
CANCEL_CHECK_SECONDS = 0.2
# The status of a query stopped because its client closed the connection (nginx's convention); nobody receives
# the response, it is only written to the access log.
CLIENT_CLOSED = 499
# Lanes of the query pool (docs/decisions/0011-interactive-lane.md): user SPARQL cannot take the interactive one.
SPARQL = "sparql"
INTERACTIVE = "interactive"
# The response header naming the lane that ran a query (for operators and the tests).
LANE_HEADER = "X-Query-Lane"
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


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


class _Worker:
    def __init__(self) -> None:
        self.process, self.conn = start_child("kg.store.pool", "query")

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

    def cheap(self, build: Path, job: ReadJob, below: float) -> bool:
        """Whether the job took less than ``below`` seconds when last run on this build."""
        with self._lock:
            seconds = self._seconds.get(self.key(job)) if build == self._build else None
        return seconds is not None and seconds < below

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
      user queries that were cheap when last run on this build (``cheap_seconds``). Those get ``interactive_budget``
      seconds there;
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
        cheap_seconds: float = Settings.cheap_query_seconds,
        interactive_budget: float = Settings.interactive_budget,
    ):
        self.store_path = Path(store_path)
        self.size = max(1, size)
        self.max_rss = max_rss or None
        self.cheap_seconds = cheap_seconds
        self.interactive_budget = interactive_budget
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
        as soon as ``cancelled()`` says the client is gone. The outcome names the lane and the build that answered
        it: a rebuild may have swapped in another build since the caller looked."""
        build = kgstore.current_build(self.store_path)
        if build is None:
            return Outcome(503, message=f"no graph built at {self.store_path}")
        outcome = self._dispatch(build, job, timeout, cancelled, lane)
        if outcome.status == 500 and not build.exists():
            # a write keeps the current build and the one before it: two writes in quick succession removed the
            # build this query was sent to before its worker read it. Not the client's fault: the current build
            current = kgstore.current_build(self.store_path)
            if current is not None and current != build:
                build, outcome = current, self._dispatch(current, job, timeout, cancelled, lane)
        outcome.build = build.name
        return outcome

    def _dispatch(
        self, build: Path, job: ReadJob, timeout: float, cancelled: Callable[[], bool] | None, lane: str
    ) -> Outcome:
        deadline = time.monotonic() + timeout
        if lane == SPARQL and self._costs.cheap(build, job, self.cheap_seconds):
            budget = min(timeout, self.interactive_budget)
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
            outcome: Outcome = worker.conn.recv()
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


if __name__ == "__main__":
    # run the function of the importable module, so that what it sends unpickles as kg.store.answers.Outcome
    from kg.store import pool

    run_child(pool._worker_main, "amurkg-query")
