"""The peers the mix runs against: our server, Oxigraph server, rdflib-endpoint, rdflib in-process.

Each peer is started from the same N-Quads dump, on a free loopback port, as a child process of the harness; its
memory is the resident set of that process and all its children (gunicorn workers, query workers), sampled.
Every peer is stopped by the harness when it is done, and on any error.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.closed_loop import closed_loop
from bench.mix import SPARQL_ACCEPT, SPARQL_TYPES, Item
from bench.serving import free_port

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
THROUGHPUT_TIMEOUT = 60.0  # seconds: the least client timeout during the throughput run
ACCEPT = SPARQL_ACCEPT


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (0 when it is gone)."""
    try:
        process = psutil.Process(pid)
        total = process.memory_info().rss
        for child in process.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return total
    except psutil.Error:
        return 0


class MemorySampler:
    """The peak resident memory of a process tree, sampled every 0.1 s in a thread until stopped."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self._stop.wait(0.1)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


@dataclass
class Sample:
    seconds: float
    error: str | None = None


class WrongResponse(Exception):
    """An answer that is not the one asked for (a status other than 200, another content type): never timed."""


def http_request(
    url: str, query: str | None, timeout: float, accept: str = ACCEPT, expect: tuple[str, ...] = ()
) -> None:
    """One request; a SPARQL query is POSTed as a form (SPARQL 1.1 Protocol). Raises on any failure, and
    WrongResponse when the status is not 200 or the content type is not one of ``expect`` (when given)."""
    data = urllib.parse.urlencode({"query": query}).encode() if query is not None else None
    request = urllib.request.Request(url, data=data, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        if response.status != 200:
            raise WrongResponse(f"HTTP {response.status}")
        mime = response.headers.get_content_type()
        if expect and mime not in expect:
            raise WrongResponse(f"{mime}, not {' or '.join(expect)}")
        while response.read(1 << 16):
            pass


def failed(started: float, exc: Exception) -> Sample:
    """The sample of a request that failed: its error, in the words the report uses."""
    seconds = time.perf_counter() - started
    if isinstance(exc, urllib.error.HTTPError):
        return Sample(seconds, f"HTTP {exc.code}")
    if isinstance(exc, WrongResponse):
        return Sample(seconds, f"wrong response: {exc}")
    if isinstance(exc, TimeoutError):
        return Sample(seconds, "timeout")
    reason = getattr(exc, "reason", exc)
    return Sample(seconds, "timeout" if "timed out" in str(reason) else str(reason))


def wait_until(ready, process: subprocess.Popen, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode} before it was ready")
        try:
            ready()
            return
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
    raise RuntimeError(f"{what} not ready after {timeout:.0f} s")


def stop_process(process: subprocess.Popen | None) -> None:
    """Stop a server we started, and its children (gunicorn workers), by its own process group."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, 15)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, 9)
        except ProcessLookupError:
            pass
        process.wait()


def child_rss_run(command: list[str]) -> tuple[float, int]:
    """Run a command to completion; its wall time and the peak resident memory of its process tree."""
    seconds, peak, _ = child_rss_output(command)
    return seconds, peak


def child_rss_output(command: list[str]) -> tuple[float, int, str]:
    """child_rss_run, and what the command wrote on stdout."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampler = MemorySampler(process.pid)
    stdout, stderr = process.communicate()
    peak = sampler.stop()
    if process.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {stderr.decode(errors='replace')[-500:]}")
    return time.perf_counter() - started, peak, stdout.decode(errors="replace")


class Peer:
    """A peer: ``start`` loads the dump (its load time and peak memory are kept), then requests, then ``stop``."""

    name = ""
    label = ""
    reps = 10
    timeout = 60.0
    in_throughput = False

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.load_seconds = 0.0
        self.load_peak = 0
        self.process: subprocess.Popen | None = None
        self.sampler: MemorySampler | None = None

    def start(self, dump: Path) -> None:
        raise NotImplementedError

    def run(self, item: Item) -> Sample:
        raise NotImplementedError

    def warm(self, item: Item) -> Sample:
        """The first, untimed run of an item (caches, search index, analytics view); it finds timeouts too."""
        return self.run(item)

    def answers(self, item: Item) -> bool:
        return bool(item.sparql)

    def throughput(self, items: list[Item], concurrency: int, requests: int, deadline: float) -> dict:
        """Requests from ``concurrency`` threads until ``requests`` are done or ``deadline`` seconds have passed
        (the requests then in flight finish). The client timeout is at least THROUGHPUT_TIMEOUT: requests queue
        behind each other here, and a timeout must not be counted as the peer's error."""
        saved, self.timeout = self.timeout, max(self.timeout, THROUGHPUT_TIMEOUT)
        self.in_throughput = True
        try:
            return self._throughput(items, concurrency, requests, deadline)
        finally:
            self.timeout, self.in_throughput = saved, False

    def _throughput(self, items: list[Item], concurrency: int, requests: int, deadline: float) -> dict:
        return closed_loop(lambda n: not self.run(items[n % len(items)]).error, concurrency, requests, deadline)

    def serving_peak(self) -> int:
        return self.sampler.peak if self.sampler else 0

    def stop(self) -> None:
        stop_process(self.process)
        if self.sampler:
            self.sampler.stop()


class HttpPeer(Peer):
    endpoint = ""

    def _spawn(self, command: list[str], log: str) -> None:
        out = open(self.workdir / f"{self.name}-{log}.log", "ab")  # noqa: SIM115 - kept open for the process
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.sampler = MemorySampler(self.process.pid)

    def _sparql(self, query: str) -> None:
        http_request(self.endpoint, query, self.timeout, expect=SPARQL_TYPES)

    def run(self, item: Item) -> Sample:
        started = time.perf_counter()
        try:
            for query in item.sparql:
                self._sparql(query)
        except (OSError, WrongResponse) as exc:  # urllib's errors are OSErrors
            return failed(started, exc)
        return Sample(time.perf_counter() - started)


class OurServer(HttpPeer):
    """`amurkg serve` in its production configuration, on a store loaded from the dump the way the build does."""

    name = "amurkg"
    label = "our server (`amurkg serve`)"

    def __init__(self, workdir: Path, manifest: dict):
        super().__init__(workdir)
        self.manifest = manifest
        self.web_workers = 1
        self._requests = itertools.count()

    def _unique(self) -> int:
        """A number of its own for each request: the server keeps answers by URL and query text for the build
        (docs/decisions/0009-per-build-caching.md), and the mix times what a first request costs, as on the peers."""
        return next(self._requests)

    def _sparql(self, query: str) -> None:
        http_request(self.endpoint, f"{query}\n# request {self._unique()}", self.timeout, expect=SPARQL_TYPES)

    def repeated(self, query: str, reps: int) -> list[float]:
        """The same query POSTed again and again as a form, as the query editor (YASGUI) or a notebook re-run sends
        it: the first request computes the answer (untimed), the timed ones are served from the per-build response
        cache, which keeps POSTed answers like GET ones (issue 24)."""
        http_request(self.endpoint, query, self.timeout, expect=SPARQL_TYPES)
        seconds = []
        for _ in range(reps):
            started = time.perf_counter()
            http_request(self.endpoint, query, self.timeout, expect=SPARQL_TYPES)
            seconds.append(time.perf_counter() - started)
        return seconds

    def start(self, dump: Path) -> None:
        build_id = self.manifest.get("build_id", "bench") + "-bench"
        build = self.workdir / "stores" / build_id
        shutil.rmtree(build, ignore_errors=True)
        build.mkdir(parents=True)
        # the build's last step: bulk load into the on-disk store (pyoxigraph), here in a child to measure its memory
        code = (
            "import pyoxigraph as ox, sys; store = ox.Store(sys.argv[1]); "
            "store.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_QUADS); store.optimize(); store.flush()"
        )
        self.load_seconds, self.load_peak = child_rss_run(
            [sys.executable, "-c", code, str(build / "oxigraph"), str(dump)]
        )
        self.serve(build)

    def serve(self, build: Path) -> None:
        """Serve an on-disk store already loaded at ``build``/oxigraph (made a build: manifest, store link)."""
        build_id = build.name
        (build / "BUILD.json").write_text(json.dumps({**self.manifest, "build_id": build_id}))
        link = self.workdir / "store"
        if link.is_symlink():
            link.unlink()
        link.symlink_to(build)
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.endpoint = self.base + "/sparql"
        self._spawn([str(BIN / "amurkg"), "serve", "--store", str(link), "--port", str(port)], "serve")
        wait_until(lambda: http_request(self.base + "/health", None, 5), self.process, 120, "amurkg serve")
        self.web_workers = self._count_web_workers()

    def _count_web_workers(self) -> int:
        """The gunicorn workers: the arbiter's children (query workers are their children), once their number
        has stopped changing."""
        counts: list[int] = []
        for _ in range(50):
            try:
                counts.append(len(psutil.Process(self.process.pid).children()))
            except psutil.Error:
                break
            if len(counts) >= 3 and counts[-1] == counts[-2] == counts[-3] > 0:
                break
            time.sleep(0.1)
        return max(1, counts[-1] if counts else 1)

    def warm(self, item: Item) -> Sample:
        """The untimed first run on every web worker: as many requests at once as there are gunicorn workers.

        Each worker has its own query worker, search index and analytics view, so a single warm-up would leave
        the other's first run (seconds for the search index on a large graph) among the timed ones; a sync worker
        busy with one request cannot take the next, so simultaneous requests reach different workers.
        """
        with ThreadPoolExecutor(self.web_workers) as pool:
            samples = list(pool.map(lambda _: self.run(item), range(self.web_workers)))
        return next((s for s in samples if s.error), max(samples, key=lambda s: s.seconds))

    def answers(self, item: Item) -> bool:
        return True

    def run(self, item: Item) -> Sample:
        if item.path is None:
            return super().run(item)
        started = time.perf_counter()
        try:
            separator = "&" if "?" in item.path else "?"
            http_request(
                f"{self.base}{item.path}{separator}request={self._unique()}",
                None,
                self.timeout,
                accept=item.accept,
                expect=item.expect,
            )
        except (OSError, WrongResponse) as exc:
            return failed(started, exc)
        return Sample(time.perf_counter() - started)


class OxigraphServer(HttpPeer):
    """`oxigraph load`, `oxigraph optimize`, then `oxigraph serve-read-only --union-default-graph` (the PyPI
    `oxigraph` command)."""

    name = "oxigraph"
    label = "Oxigraph server (`oxigraph serve-read-only`)"

    def start(self, dump: Path) -> None:
        location = self.workdir / "oxigraph-server"
        shutil.rmtree(location, ignore_errors=True)
        self.load_seconds, self.load_peak = child_rss_run(
            [str(BIN / "oxigraph"), "load", "--location", str(location), "--file", str(dump)]
        )
        # what `oxigraph load` advises before a read-heavy workload (serve-read-only cannot do it in the background);
        # our server's load ends with the same step (pyoxigraph `optimize`)
        seconds, peak = child_rss_run([str(BIN / "oxigraph"), "optimize", "--location", str(location)])
        self.load_seconds += seconds
        self.load_peak = max(self.load_peak, peak)
        self.serve(location)

    def serve(self, location: Path) -> None:
        """Serve an on-disk store already loaded at ``location`` (the same storage as pyoxigraph's)."""
        port = free_port()
        self.endpoint = f"http://127.0.0.1:{port}/query"
        self._spawn(
            [
                str(BIN / "oxigraph"),
                "serve-read-only",
                "--location",
                str(location),
                "--bind",
                f"127.0.0.1:{port}",
                "--union-default-graph",
                "--timeout-s",
                str(int(self.timeout)),
            ],
            "serve",
        )
        wait_until(lambda: http_request(self.endpoint, "ASK {}", 5), self.process, 60, "oxigraph serve")


class RdflibEndpoint(HttpPeer):
    """`rdflib-endpoint serve DUMP` (FastAPI + uvicorn on rdflib's own engine, default graph the union)."""

    name = "rdflib-endpoint"
    label = "rdflib-endpoint (`rdflib-endpoint serve`)"
    reps = 3
    timeout = 20.0

    def start(self, dump: Path) -> None:
        self.dump = dump
        port = free_port()
        self.endpoint = f"http://127.0.0.1:{port}/"
        started = time.perf_counter()
        self._spawn(
            [str(BIN / "rdflib-endpoint"), "serve", str(dump), "--host", "127.0.0.1", "--port", str(port)], "serve"
        )
        # parsing happens before the server listens: load time is until it first answers
        wait_until(lambda: http_request(self.endpoint, "ASK {}", 5), self.process, 900, "rdflib-endpoint")
        self.load_seconds = time.perf_counter() - started
        self.load_peak = self.sampler.peak if self.sampler else 0

    def run(self, item: Item) -> Sample:
        sample = super().run(item)
        if sample.error == "timeout" and not self.in_throughput:
            # the server goes on computing the abandoned query: start it afresh so the next request is fair
            # (not during the throughput run: the other clients' requests would fail while it restarts)
            peak, load = self.serving_peak(), self.load_seconds
            self.stop()
            self.start(self.dump)
            self.sampler.peak = max(self.sampler.peak, peak)
            self.load_seconds = load
        return sample


class RdflibInProcess(Peer):
    """rdflib's Dataset (default graph the union) in a child Python process, queried without HTTP."""

    name = "rdflib"
    label = "rdflib in-process (`Dataset(default_union=True)`)"
    reps = 3
    timeout = 20.0

    def start(self, dump: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.rdflib_worker"],  # from ROOT: it imports bench.closed_loop
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.sampler = MemorySampler(self.process.pid)
        answer = self._ask({"op": "load", "path": str(dump)})
        self.load_seconds = answer["seconds"]
        self.load_peak = self.sampler.peak

    def _ask(self, command: dict) -> dict:
        assert self.process and self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the rdflib worker exited")
        return json.loads(line)

    def warm(self, item: Item) -> Sample:
        answer = self._ask({"op": "probe", "queries": item.sparql, "timeout": self.timeout})
        return Sample(answer["seconds"], answer.get("error"))

    def run(self, item: Item) -> Sample:
        answer = self._ask({"op": "run", "queries": item.sparql})
        return Sample(answer["seconds"], answer.get("error"))

    def throughput(self, items: list[Item], concurrency: int, requests: int, deadline: float) -> dict:
        return self._ask(
            {
                "op": "throughput",
                "items": [i.sparql for i in items],
                "concurrency": concurrency,
                "requests": requests,
                "deadline": deadline,
            }
        )
