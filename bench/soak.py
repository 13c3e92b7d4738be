"""A soak of `amurkg serve` (issue 17): N clients for M minutes on loopback, then a verdict.

The clients mix the named queries (queries/*.rq without parameters), explorer pages and JSON, hostile requests
(bad bytes, bad IRIs, oversize and malformed bodies, writes without a token, SERVICE/LOAD aimed at local
addresses, script in the search box), runaway queries that the server must stop at its timeout, and runaway
queries whose client hangs up (the server must stop those at once). It reports requests, status counts, latency
percentiles, the resident memory of the whole server process tree (start, warm, peak, end) and the triple count
before and after, and exits 1 on any 5xx other than a 503 of a server limit (the query timeout, or the memory cap
of a query worker), any dropped connection, memory growth over 10 % from warm-up to end, or a changed triple count
or build.

    python -m bench.soak --clients 8 --minutes 10          # `make soak`
    python -m bench.soak --clients 2 --minutes 1 --store data/store --json soak.json

Loopback only: the server is started here on 127.0.0.1 and stopped at the end. Latencies are reported, never
judged (this is a shared machine); only correctness and memory growth decide the exit status.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pyoxigraph as ox

from bench.serving import HOST, free_port, start_serve, stop_group
from kg import config
from kg.namespaces import BASE
from kg.query import named_queries, with_prefixes
from kg.store import layout as kgstore

ROOT = Path(__file__).resolve().parents[1]
MAX_MEMORY_GROWTH = 0.10
# 3 patterns over the whole graph: far more rows than any timeout allows
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SCRIPT = "<script>alert(17)</script>"
# Share of each kind of request in the mix. A runaway holds a server worker (and up to a few GB) until the timeout,
# so a few of them already dominate the server's time.
WEIGHTS = {"named-query": 30, "page": 37, "hostile": 25, "runaway": 3, "abandoned": 5}


@dataclass
class Request:
    kind: str
    name: str
    method: str = "GET"
    target: str = "/"
    headers: dict = field(default_factory=dict)
    body: bytes | None = None


def sparql_get(kind: str, name: str, query: str, accept: str = "application/sparql-results+json") -> Request:
    return Request(kind, name, target="/sparql?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept})


def named_requests() -> list[Request]:
    return [sparql_get("named-query", q.name, with_prefixes(q.text)) for q in named_queries() if not q.params]


def page_requests(iris: list[str]) -> list[Request]:
    pages = [
        Request("page", "home"),
        Request("page", "search", target="/search?q=crane"),
        Request("page", "search.json", target="/explore/search.json?q=tigr"),
        Request("page", "map", target="/map"),
        Request("page", "query editor", target="/query"),
        Request("page", "downloads", target="/downloads"),
        Request("page", "void", target="/.well-known/void"),
        Request("page", "analytics threats", target="/api/analytics/threats"),
        Request("page", "analytics page", target="/analytics/gaps"),
        Request("page", "sparql page", target="/sparql", headers={"Accept": "text/html"}),
    ]
    for iri in iris:
        path = "/" + iri[len(BASE) :]
        pages.append(Request("page", "resource", target=path))
        pages.append(Request("page", "resource as Turtle", target=path, headers={"Accept": "text/turtle"}))
        pages.append(
            Request(
                "page", "neighbourhood", target="/explore/neighbourhood.json?iri=" + urllib.parse.quote(iri, safe="")
            )
        )
    return pages


def hostile_requests() -> list[Request]:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    direct = {"Content-Type": "application/sparql-query"}
    return [
        Request("hostile", "path not an IRI", target="/taxon/%ff"),
        Request("hostile", "NUL in path", target="/taxon/a%00b"),
        Request("hostile", "surrogate in path", target="/ecoregion/%ed%a0%80"),
        Request("hostile", "path traversal", target="/downloads/..%2f..%2fetc%2fpasswd"),
        Request("hostile", "script in search", target="/search?q=" + urllib.parse.quote(SCRIPT)),
        Request("hostile", "huge number", target="/explore/search.json?q=a&limit=" + "9" * 400),
        Request("hostile", "long URL", target="/search?q=" + "x" * 200_000),
        Request(
            "hostile",
            "bad IRI parameter",
            target="/explore/neighbourhood.json?iri=" + urllib.parse.quote(BASE, safe="") + "a%00b",
        ),
        Request("hostile", "malformed query", target="/sparql?query=SELECT%20%3Fx%20WHERE%20%7B"),
        Request(
            "hostile",
            "deep nesting",
            "POST",
            "/sparql",
            direct,
            ("SELECT * WHERE " + "{ " * 5000 + "?s ?p ?o" + " }" * 5000).encode(),
        ),
        Request("hostile", "invalid UTF-8 body", "POST", "/sparql", direct, b"SELECT * WHERE { ?s ?p \xff\xfe }"),
        Request("hostile", "invalid UTF-8 form", "POST", "/sparql", form, b"query=%ff%fe"),
        Request("hostile", "oversize body", "POST", "/sparql", direct, b"#" * 1_100_000),
        Request("hostile", "wrong media type", "POST", "/sparql", {"Content-Type": "image/png"}, b"\x89PNG"),
        Request(
            "hostile",
            "update without token",
            "POST",
            "/sparql",
            {"Content-Type": "application/sparql-update"},
            b"INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
        ),
        Request(
            "hostile",
            "update with a wrong token",
            "POST",
            "/sparql",
            {"Content-Type": "application/sparql-update", "Authorization": "Bearer guessed"},
            b"DROP ALL",
        ),
        Request(
            "hostile",
            "GSP write without token",
            "PUT",
            "/rdf-graph-store?graph=http://x/g",
            {"Content-Type": "text/turtle"},
            b"<http://x/a> <http://x/b> <http://x/c> .",
        ),
        Request("hostile", "GSP delete", "DELETE", "/rdf-graph-store?default"),
        Request(
            "hostile",
            "SERVICE to loopback",
            target="/sparql?"
            + urllib.parse.urlencode({"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:22/> { ?s ?p ?o } }"}),
        ),
        Request(
            "hostile",
            "LOAD a local file",
            "POST",
            "/sparql",
            {"Content-Type": "application/sparql-update"},
            b"LOAD <file:///etc/passwd>",
        ),
        Request("hostile", "unknown analysis", target="/api/analytics/%3Cscript%3E"),
        Request("hostile", "bad Accept", target="/sparql?query=ASK%7B%7D", headers={"Accept": "image/png"}),
    ]


# --- the server and its memory ---------------------------------------------------------------------------------


def start_server(store: Path, port: int, workers: int, timeout: float, log: Path) -> subprocess.Popen:
    # no AMURKG_* from the caller's environment (bench/serving.py): in particular no write token, so nothing may
    # change the store
    with open(log, "wb") as out:
        process = start_serve(store, port, workers, timeout, out)
    deadline = time.monotonic() + 120
    while True:
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=10)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop_group(process)
            raise RuntimeError(f"the server did not start; see {log}")
        time.sleep(0.3)


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (gunicorn arbiter, workers, query workers)."""
    return sum(tree_parts(pid).values())


def tree_parts(pid: int) -> dict[str, int]:
    """Resident bytes of the server's tree by role: the arbiter, its web workers, their query workers (and
    writers)."""
    parts = {"arbiter": 0, "web workers": 0, "query workers": 0}
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return parts
    for process in processes:
        try:
            role = (
                "arbiter"
                if process.pid == pid
                else "query workers"
                if "kg.store.pool" in process.cmdline() or "kg.store.writes" in process.cmdline()
                else "web workers"
            )
            parts[role] += process.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return parts


class MemoryMonitor(threading.Thread):
    def __init__(self, pid: int, every: float = 1.0):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.samples: list[tuple[float, int]] = []
        self.peak_parts: dict[str, int] = {}  # where the memory was at the peak sample
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            parts = tree_parts(self.pid)
            total = sum(parts.values())
            if not self.samples or total > max(rss for _, rss in self.samples):
                self.peak_parts = parts
            self.samples.append((time.monotonic(), total))
            self.stopped.wait(self.every)

    def median_between(self, start: float, end: float) -> int:
        values = [rss for t, rss in self.samples if start <= t <= end]
        return int(statistics.median(values)) if values else 0


def store_facts(store: Path) -> tuple[str | None, int]:
    """The build the store link names and its number of quads, read from disk (not through the server)."""
    build = kgstore.current_build(store)
    if build is None:
        raise SystemExit(f"no graph built at {store}: run `amurkg build` first")
    return build.name, len(ox.Store.read_only(str(build / "oxigraph")))


def sample_iris(store: Path, per_class: int = 8) -> list[str]:
    """A few taxa, ecoregions and IUCN concepts to request pages of."""
    read = ox.Store.read_only(str(kgstore.current_build(store) / "oxigraph"))
    iris = []
    for kind in ("taxon", "ecoregion", "threat", "action", "source"):
        query = f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{BASE}{kind}/')) }} LIMIT {per_class}"
        iris += [solution["s"].value for solution in read.query(query, use_default_graph_as_union=True)]
    return iris


# --- the clients ---------------------------------------------------------------------------------------------


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.unexpected: list[str] = []
        self.dropped: list[str] = []
        self.limits: Counter = Counter()  # queries stopped by a server limit, by limit

    def record(self, request: Request, answer: Answer, seconds: float) -> None:
        with self.lock:
            self.statuses[request.kind][answer.status] += 1
            self.latencies[request.kind].append(seconds)
            where = f"{request.kind}: {request.name} ({request.method} {request.target[:120]})"
            if answer.limit:
                self.limits[answer.limit] += 1
            if answer.status >= 500 and not (answer.status == 503 and answer.limit):
                self.unexpected.append(f"{answer.status} {where}")
            if answer.echoed_script:
                self.unexpected.append(f"script echoed unescaped into HTML by {where}")

    def drop(self, request: Request, error: Exception, after: str = "") -> None:
        with self.lock:
            self.dropped.append(
                f"{type(error).__name__} {request.kind}: {request.name}"
                + (f", after {after} on the same connection" if after else "")
            )


@dataclass
class Answer:
    status: int
    # a 503 of a server limit: "timeout" (X-Query-Timeout-Seconds) or "memory" (X-Query-Memory-Limit-Bytes)
    limit: str | None
    echoed_script: bool


def send(port: int, request: Request, timeout: float, connection: http.client.HTTPConnection | None = None) -> Answer:
    """One request; on ``connection`` (kept alive between requests, as browsers and SPARQL libraries do) when given,
    else on a connection of its own. A kept connection is closed by http.client when the answer says
    ``Connection: close`` (and reopened by the next request); one the server drops without saying so fails here."""
    own = connection is None
    connection = connection or http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(request.method, request.target, body=request.body, headers=request.headers)
        response = connection.getresponse()
        body = response.read()
        html = (response.headers.get("Content-Type") or "").startswith("text/html")
        limit = (
            "timeout"
            if "X-Query-Timeout-Seconds" in response.headers
            else "memory"
            if "X-Query-Memory-Limit-Bytes" in response.headers
            else None
        )
        return Answer(response.status, limit, html and SCRIPT.encode() in body)
    finally:
        if own:
            connection.close()


def abandon(port: int, after: float) -> None:
    """Start a runaway query and hang up while it runs: the server must stop it
    (tests/integration/test_cancellation.py)."""
    target = "/sparql?" + urllib.parse.urlencode({"query": RUNAWAY})
    with socket.create_connection((HOST, port), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
        time.sleep(after)


def client(
    port: int, until: float, mix: dict[str, list[Request]], tally: Tally, seed: int, request_timeout: float
) -> None:
    chooser = random.Random(seed)
    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
    # one keep-alive connection per client: a request that follows a hostile one on the same connection fails if
    # the server closed it without saying so (issue 24)
    connection = http.client.HTTPConnection(HOST, port, timeout=request_timeout)
    previous = "(first request)"
    while time.monotonic() < until:
        kind = chooser.choices(kinds, weights)[0]
        if kind == "abandoned":
            try:
                abandon(port, chooser.uniform(0.2, 1.0))
            except OSError as exc:
                tally.drop(Request("abandoned", "runaway, hung up"), exc)
                continue
            with tally.lock:
                tally.statuses["abandoned"]["hung up"] += 1
            continue
        request = chooser.choice(mix[kind])
        started = time.monotonic()
        try:
            answer = send(port, request, request_timeout, connection)
        except (OSError, http.client.HTTPException) as exc:  # no status: a reset, a hang-up, a client timeout
            tally.drop(request, exc, after=previous)
            connection.close()  # the next request opens a new one
            previous = f"{request.kind}: {request.name} (dropped)"
            continue
        tally.record(request, answer, time.monotonic() - started)
        previous = f"{request.kind}: {request.name}"
    connection.close()


def warm_up(port: int, mix: dict[str, list[Request]], workers: int, request_timeout: float) -> None:
    """Every page and named query once per server worker (sent concurrently, so each worker gets some): each
    gunicorn worker builds its search index, map and analytics view, each query worker opens and reads the store.
    Memory is judged from the end of this, not from a cold start."""
    for request in mix["page"] + mix["named-query"]:
        threads = [threading.Thread(target=_quietly, args=(port, request, request_timeout)) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


def _quietly(port: int, request: Request, request_timeout: float) -> None:
    try:
        send(port, request, request_timeout)
    except (OSError, http.client.HTTPException):
        pass  # the measured run judges drops; the warm-up only loads caches


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


# --- the run -------------------------------------------------------------------------------------------------


def run_soak(
    store: Path,
    clients: int,
    seconds: float,
    workers: int = 1,
    timeout: float = 10.0,
    seed: int = 17,
    log: Path | None = None,
) -> dict:
    """Run the soak and return its report (a dict; ``failures`` lists what makes it fail).

    Memory: the tree's resident size swings by hundreds of MB as query workers are killed (timeouts, hang-ups)
    and restarted, and by GBs while a runaway query runs. Growth is therefore judged on medians over a window
    at the start of the measured run (after an explicit warm-up) and at its end, each max(10 s, 20 % of the run).
    """
    store = Path(store)
    build_before, quads_before = store_facts(store)
    mix = {
        "named-query": named_requests(),
        "page": page_requests(sample_iris(store)),
        "hostile": hostile_requests(),
        "runaway": [sparql_get("runaway", "cartesian product", RUNAWAY)],
    }
    port = free_port()
    log = log or Path(tempfile.mkdtemp(prefix="amurkg-soak-")) / "server.log"
    server = start_server(store, port, workers, timeout, log)
    monitor = MemoryMonitor(server.pid)
    tally = Tally()
    request_timeout = timeout * clients + 120  # queued behind other clients' runaways, never longer than this
    try:
        monitor.start()
        time.sleep(1.5)
        warm_up(port, mix, workers, request_timeout)
        started = time.monotonic()
        until = started + seconds
        threads = [
            threading.Thread(target=client, args=(port, until, mix, tally, seed + i, request_timeout))
            for i in range(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        ended = time.monotonic()
        time.sleep(1.5)  # let the last killed query workers go before the end sample
        monitor.stopped.set()
        monitor.join()
    finally:
        stop_group(server)
    build_after, quads_after = store_facts(store)

    window = max(10.0, 0.2 * seconds)
    memory = {
        "start": monitor.samples[0][1] if monitor.samples else 0,
        "warm": monitor.median_between(started, started + window),
        "peak": max((rss for _, rss in monitor.samples), default=0),
        "end": monitor.median_between(ended - window, ended),
    }
    growth = (memory["end"] - memory["warm"]) / memory["warm"] if memory["warm"] else 0.0
    all_latencies = [s for kind, values in tally.latencies.items() for s in values]
    failures = [f"unexpected: {line}" for line in tally.unexpected[:20]]
    failures += [f"dropped connection: {line}" for line in tally.dropped[:20]]
    if growth > MAX_MEMORY_GROWTH:
        failures.append(f"memory grew {growth:.1%} from warm-up to end (limit {MAX_MEMORY_GROWTH:.0%})")
    if (build_before, quads_before) != (build_after, quads_after):
        failures.append(f"the store changed: {build_before} {quads_before} quads -> {build_after} {quads_after}")
    return {
        "clients": clients,
        "seconds": seconds,
        "server_workers": workers,
        "query_timeout": timeout,
        "requests": sum(len(v) for v in tally.latencies.values()),
        "abandoned": tally.statuses["abandoned"]["hung up"],
        "statuses": {kind: dict(sorted(c.items(), key=lambda kv: str(kv[0]))) for kind, c in tally.statuses.items()},
        "latency": {
            kind: {
                "n": len(v),
                "p50": percentile(v, 50),
                "p95": percentile(v, 95),
                "p99": percentile(v, 99),
                "max": max(v),
            }
            for kind, v in sorted(tally.latencies.items())
        }
        | {
            "all": {
                "n": len(all_latencies),
                "p50": percentile(all_latencies, 50),
                "p95": percentile(all_latencies, 95),
                "p99": percentile(all_latencies, 99),
                "max": max(all_latencies, default=0.0),
            }
        },
        "memory": memory,
        "memory_growth": growth,
        "memory_window": window,
        "peak_parts": monitor.peak_parts,
        "limits": dict(tally.limits),
        "quads_before": quads_before,
        "quads_after": quads_after,
        "build_before": build_before,
        "build_after": build_after,
        "unexpected": len(tally.unexpected),
        "dropped": len(tally.dropped),
        "failures": failures,
        "server_log": str(log),
    }


def markdown(report: dict) -> str:
    mb = {k: v / 2**20 for k, v in report["memory"].items()}
    parts = ", ".join(f"{role} {rss / 2**20:.0f}" for role, rss in report.get("peak_parts", {}).items())
    limits = report.get("limits", {})
    lines = [
        f"{report['clients']} clients for {report['seconds'] / 60:g} min against `amurkg serve` "
        f"({report['server_workers']} gunicorn workers, query timeout {report['query_timeout']:g} s), loopback.",
        "",
        f"- requests answered: {report['requests']}, plus {report['abandoned']} runaway queries whose client hung up",
        f"- unexpected answers (5xx other than a 503 of a server limit, script echoed into HTML): "
        f"{report['unexpected']}; dropped connections: {report['dropped']}",
        f"- queries stopped by a server limit: {limits.get('timeout', 0)} at the query timeout, "
        f"{limits.get('memory', 0)} at a query worker's memory cap",
        f"- resident memory of the server process tree (MiB): start {mb['start']:.0f} (idle), after warm-up "
        f"{mb['warm']:.0f}, peak {mb['peak']:.0f} ({parts}), end {mb['end']:.0f} "
        f"(warm-up to end {report['memory_growth']:+.1%}; warm-up and end are medians over "
        f"{report['memory_window']:g} s windows of the load)",
        f"- quads before {report['quads_before']}, after {report['quads_after']} "
        f"(build {report['build_before']} before and {report['build_after']} after)",
        f"- verdict: {'FAIL: ' + '; '.join(report['failures']) if report['failures'] else 'pass'}",
        "",
        "| kind | requests | statuses | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind, stats in report["latency"].items():
        statuses = ", ".join(f"{s}: {n}" for s, n in report["statuses"].get(kind, {}).items()) or "—"
        lines.append(
            f"| {kind} | {stats['n']} | {statuses} | {stats['p50'] * 1000:.0f} | {stats['p95'] * 1000:.0f} "
            f"| {stats['p99'] * 1000:.0f} | {stats['max'] * 1000:.0f} |"
        )
    return "\n".join(lines) + "\n"


SECTION = "## Soak"


def soak_section(text: str, heading: str = SECTION) -> str:
    """The Soak section (or another, by its ``heading``) of docs/benchmarks.md (to its end or the next section),
    or ''."""
    start = text.find("\n" + heading + "\n")
    if start < 0:
        return ""
    end = text.find("\n## ", start + 1)
    return text[start + 1 :] if end < 0 else text[start + 1 : end + 1]


def write_section(path: Path, report: dict) -> None:
    """Put this run's report into the Soak section of ``path`` (replacing the last run's); `make bench` keeps it."""
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    section = (
        f"{SECTION}\n\nWritten by `make soak` (`bench/soak.py`) on {when}: "
        + markdown(report)
        + "\nThe soak fails on any 5xx other than a 503 of a server limit (timeout, memory cap), script echoed "
        "into HTML, a dropped connection (each client keeps one connection alive, so a connection the server "
        "closes without saying `Connection: close` fails the next request on it), "
        "memory growth over 10 % from warm-up to end, or a changed store. Latencies are reported, not judged.\n"
    )
    text = path.read_text() if path.exists() else ""
    old = soak_section(text)
    # a section followed by another keeps the blank line between them
    text = (
        text.replace(old, section + ("\n" if old.endswith("\n\n") else ""))
        if old
        else text.rstrip("\n") + "\n\n" + section
    )
    path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--store", type=Path, default=config.store_path())
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers of the server (its default: 1)")
    parser.add_argument("--timeout", type=float, default=10.0, help="the server's query timeout (s)")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--json", type=Path, help="also write the report as JSON")
    parser.add_argument("--write", type=Path, help="put the report into the Soak section of this file")
    args = parser.parse_args(argv)
    report = run_soak(args.store, args.clients, args.minutes * 60, args.workers, args.timeout, args.seed)
    print(markdown(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    if args.write:
        write_section(args.write, report)
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
