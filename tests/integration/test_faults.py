"""Faults (issue 17): a killed query worker, a build stopped at each stage, a full disk, a remote engine that goes away.

Each fault is provoked for real where that is cheap (SIGKILL of a worker or a build process, a small tmpfs that
fills up, a Virtuoso server stopped and started again) and otherwise by raising at the stage (KeyboardInterrupt or
SystemExit, as Ctrl-C or a signal handler would). Builds ingest small stand-in graphs, so each takes seconds.
"""

from __future__ import annotations

import gc
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psutil
import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS
from sparql_live import ROOT, free_port, make_store, serve

from kg.build import pipeline as kgbuild
from kg.namespaces import graph_iri
from kg.store import layout as kgstore
from kg.store import pool as kgpool
from kg.store.jobs import QueryJob

EX = "http://example.org/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
# over 2000 triples the three-way cartesian product has 8e9 rows: it runs until its worker is killed
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
OLD_TRIPLES = 2000
HANG_GUARD = 120.0  # seconds; only ever reached if something hangs


def old_quads(n: int = OLD_TRIPLES) -> list[ox.Quad]:
    graph = ox.NamedNode(EX + "things")
    return [
        ox.Quad(ox.NamedNode(f"{EX}thing/{i}"), ox.NamedNode(EX + "label"), ox.Literal(f"thing {i}"), graph)
        for i in range(n)
    ]


def count(store_path: Path) -> int:
    """The triple count of the build the store link points to, read as a server reads it."""
    store = kgstore.open_read_only(store_path)
    return int(next(iter(store.query(COUNT)))["n"].value)


def job(query: str) -> QueryJob:
    return QueryJob(query=query, results_mime="application/sparql-results+json", graph_mime=None, max_bytes=1_000_000)


def _command(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:  # gone, or a zombie not yet reaped
        return []


def query_workers(root: psutil.Process) -> list[psutil.Process]:
    return [p for p in root.children(recursive=True) if _command(p)[1:4] == ["-m", "kg.store.pool", "query"]]


def busy(process: psutil.Process, baseline: float) -> bool:
    """Whether a worker has spent CPU time beyond ``baseline`` (so it is running the query sent to it)."""
    times = process.cpu_times()
    return times.user + times.system > baseline + 0.3


def cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def kill_when_busy(process: psutil.Process) -> None:
    baseline = cpu(process)
    deadline = time.monotonic() + HANG_GUARD
    while not busy(process, baseline):
        assert time.monotonic() < deadline, "the worker never started the query"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)


# --- a query worker killed mid-query ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    return make_store(tmp_path_factory.mktemp("faults"), old_quads())


def test_a_killed_query_worker_is_a_503_and_the_next_query_is_served(small_store):
    pool = kgpool.QueryPool(small_store, 1)
    try:
        assert pool.run(job(COUNT), HANG_GUARD).status == 200  # the worker exists and has the store open
        (idle,) = pool._lanes[kgpool.SPARQL].idle  # the CARTESIAN query, never run before, goes there too
        worker = psutil.Process(idle.process.pid)
        killer = threading.Thread(target=kill_when_busy, args=(worker,))
        killer.start()
        outcome = pool.run(job(CARTESIAN), HANG_GUARD)
        killer.join()
        assert outcome.status == 503
        assert "worker stopped unexpectedly" in outcome.message and "retry" in outcome.message
        following = pool.run(job(COUNT), HANG_GUARD)
        assert following.status == 200
        assert json.loads(following.body)["results"]["bindings"][0]["n"]["value"] == str(OLD_TRIPLES)
    finally:
        pool.close()


def get(url: str, timeout: float = HANG_GUARD) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def sparql_url(base: str, query: str) -> str:
    return base + "/sparql?" + urllib.parse.urlencode({"query": query})


def _is_serve(process: psutil.Process, port: str) -> bool:
    """Whether a child is `amurkg serve` on this port; children of earlier tests may be gone or zombies."""
    command = _command(process)
    return "serve" in command and port in command


def test_kill_9_of_the_servers_query_worker_answers_503_and_the_server_goes_on(small_store):
    with serve(small_store, workers=1, timeout=600) as base:
        port = base.rsplit(":", 1)[1]
        (server,) = [p for p in psutil.Process().children() if _is_serve(p, port)]
        assert get(sparql_url(base, COUNT))[0] == 200
        (worker,) = query_workers(server)
        killer = threading.Thread(target=kill_when_busy, args=(worker,))
        killer.start()
        status, text = get(sparql_url(base, CARTESIAN))
        killer.join()
        assert status == 503 and "query worker stopped unexpectedly" in text and "Traceback" not in text
        status, text = get(sparql_url(base, COUNT))
        assert status == 200 and json.loads(text)["results"]["bindings"][0]["n"]["value"] == str(OLD_TRIPLES)
        assert get(base + "/health")[0] == 200


# --- a build stopped at each stage -----------------------------------------------------------------------------


def small_graphs(*args, **kwargs):
    """Stand-in ingest output (the build's mechanics are under test, not the readers): one valid graph."""
    graph = Graph()
    graph.add((URIRef(EX + "thing/new"), RDFS.label, Literal("new")))
    return {graph_iri("wwf-teow-2001"): graph}, {}


@pytest.fixture
def old_store(tmp_path, monkeypatch):
    monkeypatch.setattr(kgbuild, "ingest", small_graphs)
    return make_store(tmp_path, old_quads(10))


def interrupt(exc: type[BaseException]):
    def stage(*args, **kwargs):
        raise exc()

    return stage


def half_written(target, graphs, echo=None):
    """The store is half written when the build is stopped."""
    store = ox.Store(str(target))
    store.add(ox.Quad(ox.NamedNode(EX + "half"), ox.NamedNode(EX + "written"), ox.Literal("yes")))
    store.flush()
    raise KeyboardInterrupt


STAGES = {
    "verify": (kgbuild.registry, "verify", interrupt(KeyboardInterrupt)),
    "ingest": (kgbuild, "ingest", interrupt(SystemExit)),
    "shacl": (kgbuild, "validate", interrupt(KeyboardInterrupt)),
    "store write": (kgbuild, "write_store", half_written),
    "dumps": (kgbuild.export, "write_dumps", interrupt(SystemExit)),
    "swap": (kgstore, "swap_in", interrupt(KeyboardInterrupt)),
}


def builds(store_path: Path) -> list[str]:
    return sorted(p.name for p in kgstore.builds_dir(store_path).iterdir())


@pytest.mark.parametrize("stage", list(STAGES))
def test_a_build_stopped_at_any_stage_leaves_the_old_store_and_the_next_build_succeeds(
    stage, old_store, sources_dir, monkeypatch
):
    module, name, replacement = STAGES[stage]
    before = kgstore.current_build(old_store)
    with monkeypatch.context() as patch:
        patch.setattr(module, name, replacement)
        with pytest.raises((KeyboardInterrupt, SystemExit)):
            kgbuild.build(sources_dir, old_store, force=True, echo=lambda m: None)
    assert kgstore.current_build(old_store) == before and count(old_store) == 10
    assert builds(old_store) == [before.name]  # nothing half-made is left behind
    report = kgbuild.build(sources_dir, old_store, force=True, echo=lambda m: None)
    assert kgstore.current_build(old_store).name == report.build_id != before.name
    assert builds(old_store) == sorted([before.name, report.build_id])
    store = kgstore.open_read_only(old_store)
    assert (
        ox.Quad(
            ox.NamedNode(EX + "thing/new"),
            ox.NamedNode(str(RDFS.label)),
            ox.Literal("new"),
            ox.NamedNode(str(graph_iri("wwf-teow-2001"))),
        )
        in store
    )


def test_a_build_stopped_after_the_swap_serves_the_new_store_and_the_next_build_succeeds(
    old_store, sources_dir, monkeypatch
):
    before = kgstore.current_build(old_store)
    with monkeypatch.context() as patch:
        patch.setattr(kgstore, "prune", interrupt(KeyboardInterrupt))
        with pytest.raises(KeyboardInterrupt):
            kgbuild.build(sources_dir, old_store, force=True, echo=lambda m: None)
    swapped = kgstore.current_build(old_store)
    assert swapped != before and (swapped / kgstore.MANIFEST).exists() and count(old_store) > 0
    report = kgbuild.build(sources_dir, old_store, force=True, echo=lambda m: None)
    assert builds(old_store) == sorted([swapped.name, report.build_id])


BUILD_SCRIPT = """
import sys, time
from pathlib import Path
import pyoxigraph as ox
sys.path[:0] = [{tests!r}, {helpers!r}]
import test_faults
from kg.build import pipeline as kgbuild

def stalled(target, graphs, echo=None):
    store = ox.Store(str(target))
    store.add(ox.Quad(ox.NamedNode("http://example.org/half"), ox.NamedNode("http://example.org/w"), ox.Literal("x")))
    store.flush()
    print("writing", flush=True)
    time.sleep(600)

kgbuild.ingest = test_faults.small_graphs
kgbuild.write_store = stalled
kgbuild.build(Path({sources!r}), Path({store!r}), force=True, echo=lambda m: None)
"""


def test_kill_9_of_a_build_writing_its_store_leaves_the_old_store_and_the_next_build_clears_the_remains(
    old_store, sources_dir
):
    before = kgstore.current_build(old_store)
    script = BUILD_SCRIPT.format(
        tests=str(Path(__file__).parent),
        helpers=str(Path(__file__).parents[1]),
        sources=str(sources_dir),
        store=str(old_store),
    )
    process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline() == "writing\n"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.wait(HANG_GUARD)
    assert kgstore.current_build(old_store) == before and count(old_store) == 10
    (remains,) = [p for p in kgstore.builds_dir(old_store).iterdir() if p != before]
    assert not (remains / kgstore.MANIFEST).exists()  # unfinished: never served
    report = kgbuild.build(sources_dir, old_store, force=True, echo=lambda m: None)
    assert kgstore.current_build(old_store).name == report.build_id
    assert builds(old_store) == sorted([before.name, report.build_id])


# --- a full disk ------------------------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MB tmpfs. Only root can mount one: CI runs the tests as root (.ci/run says so when it is not), where a
    failed mount fails the test; anywhere else the disk-full tests skip, naming why in the summary (-ra)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("the disk-full tests need root to mount a 4 MB tmpfs (CI runs them as root)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.fail(f"running as root, yet a 4 MB tmpfs could not be mounted: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        gc.collect()  # a failed test's traceback may still hold a store open on it
        if subprocess.run(["umount", str(mount)]).returncode != 0:
            subprocess.run(["umount", "--lazy", str(mount)], check=True)


def big_graphs(*args, **kwargs):
    """More than the small disk holds once written to a store."""
    graph = Graph()
    for i in range(40_000):
        graph.add((URIRef(f"{EX}big/{i}"), RDFS.comment, Literal(f"{i} " + "filler " * 20)))
    return {graph_iri("wwf-teow-2001"): graph}, {}


def test_a_full_disk_fails_the_build_with_a_clear_message_and_keeps_the_old_store(small_disk, sources_dir, monkeypatch):
    old_store = make_store(small_disk, old_quads(10))
    before = kgstore.current_build(old_store)
    monkeypatch.setattr(kgbuild, "ingest", big_graphs)
    # not the stage under test; saves seconds
    monkeypatch.setattr(kgbuild, "validate", lambda data, engine=None: (True, ""))
    with pytest.raises(kgbuild.BuildError, match="no space left on the device") as failure:
        kgbuild.build(sources_dir, old_store, force=True, echo=lambda m: None)
    assert "store was not changed" in str(failure.value)
    del failure  # its traceback holds the half-written store open, and the small disk could not be unmounted
    assert kgstore.current_build(old_store) == before and count(old_store) == 10
    assert builds(old_store) == [before.name]  # the half-written build is gone: the space is free again
    monkeypatch.setattr(kgbuild, "ingest", small_graphs)
    report = kgbuild.build(sources_dir, old_store, force=True, echo=lambda m: None)
    assert kgstore.current_build(old_store).name == report.build_id


def test_the_cli_reports_a_full_disk_in_one_line(small_disk, sources_dir):
    old_store = make_store(small_disk, old_quads(10))
    tests = [str(Path(__file__).parent), str(Path(__file__).parents[1])]
    script = (
        f"import sys\nsys.path[:0] = {tests!r}\nimport test_faults\n"
        "from kg import cli\nfrom kg.build import pipeline\npipeline.ingest = test_faults.big_graphs\n"
        f"cli.main(['build', '--sources', {str(sources_dir)!r}, '--store', {str(old_store)!r}, '--force'])\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=HANG_GUARD)
    assert done.returncode != 0
    assert "no space left on the device" in done.stderr and "Traceback" not in done.stderr
    assert count(old_store) == 10


def test_a_full_disk_refuses_a_write_with_507_and_keeps_the_store(small_disk):
    from server import create_app

    store_path = make_store(small_disk, old_quads(10))
    room = os.statvfs(small_disk)
    (small_disk / "filler").write_bytes(b"\0" * (room.f_bavail * room.f_frsize - 600_000))  # leave ~600 kB
    client = create_app({"STORE": str(store_path), "WRITE_TOKEN": "t"}).test_client()
    headers = {"Authorization": "Bearer t", "Content-Type": "application/n-triples"}
    big = "".join(f'<{EX}big/{i}> <{EX}p> "{i} {"filler " * 10}" .\n' for i in range(7000)).encode()
    answer = client.put("/rdf-graph-store", query_string={"graph": EX + "big"}, data=big, headers=headers)
    assert answer.status_code == 507, answer.data
    assert b"disk is full; the write was not applied" in answer.data
    assert count(store_path) == 10 and builds(store_path) == [".write.lock", "test-build"]
    (small_disk / "filler").unlink()  # space again: writes go through
    small = b"".join(big.splitlines(keepends=True)[:1000])
    answer = client.put("/rdf-graph-store", query_string={"graph": EX + "big"}, data=small, headers=headers)
    assert answer.status_code == 201 and count(store_path) == 10 + 1000


# --- the remote engine going away -------------------------------------------------------------------------------

SMALL_BUILD = "small-remote-build"


class BreakingEngine(http.server.BaseHTTPRequestHandler):
    """A SPARQL engine that answers the build's metadata queries, then dies halfway through every other answer."""

    def do_POST(self):
        form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        query = form.get("query", [""])[0]
        if "void#subset" in query:
            self.answer(
                b'<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="g"/>'
                b'<variable name="n"/></head><results/></sparql>'
            )
        elif "terms/identifier" in query:
            self.answer(
                b'<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head><variable name="id"/>'
                b'<variable name="built"/></head><results><result><binding name="id"><literal>'
                + SMALL_BUILD.encode()
                + b"</literal></binding></result></results></sparql>"
            )
        else:  # a promised answer of 100 kB, cut off after a few bytes as the engine dies
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+xml")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b'<?xml version="1.0"?><sparql')
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)

    def answer(self, body: bytes):
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_an_engine_dying_in_the_middle_of_its_answer_is_a_502():
    from server import create_app

    engine = http.server.ThreadingHTTPServer(("127.0.0.1", 0), BreakingEngine)
    threading.Thread(target=engine.serve_forever, daemon=True).start()
    try:
        app = create_app({"STORE": f"sparql+http://127.0.0.1:{engine.server_address[1]}/sparql"})
        client = app.test_client()
        assert client.get("/health").status_code == 200
        answer = client.get(
            "/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": EX + "things"}
        )
        assert answer.status_code == 502, answer.data
        assert b"broke while it answered the query" in answer.data and b"Traceback" not in answer.data
    finally:
        engine.shutdown()
        engine.server_close()


@pytest.fixture
def virtuoso_root(tmp_path, monkeypatch):
    import virtuoso

    if not virtuoso.available():
        pytest.fail("virtuoso-t is not installed: `make test` installs the Debian package virtuoso-opensource-7-bin")
    monkeypatch.setenv("AMURKG_STORE_USER", virtuoso.USER)
    monkeypatch.setenv("AMURKG_STORE_PASSWORD", virtuoso.PASSWORD)
    return tmp_path / "virtuoso"


@pytest.mark.remote
def test_a_remote_engine_killed_mid_query_is_a_502_health_503_and_recovers_when_it_returns(virtuoso_root, tmp_path):
    import virtuoso

    from kg.store import remote as kr
    from server import create_app

    ports = (free_port(), free_port())
    spec = virtuoso.spec(ports[0])
    embedded = kgstore.open_read_only(make_store(tmp_path / "embedded", old_quads()))
    with virtuoso.running(virtuoso_root, ports):
        remote = kr.RemoteStore(spec)
        meta = ox.NamedNode(remote.meta_graph)
        embedded_copy = ox.Store()
        embedded_copy.extend(list(embedded.quads_for_pattern(None, None, None, None)))
        embedded_copy.add(
            ox.Quad(ox.NamedNode(remote.dataset_iri), ox.NamedNode(str(RDFS.label)), ox.Literal("small"), meta)
        )
        kr.load_dataset(remote, embedded_copy, SMALL_BUILD, echo=lambda m: None)
        app = create_app({"STORE": spec, "QUERY_TIMEOUT": HANG_GUARD})
        client = app.test_client()
        assert client.get("/health").get_json()["build"] == SMALL_BUILD
        counted = client.get(
            "/sparql", query_string={"query": COUNT}, headers={"Accept": "application/sparql-results+json"}
        ).get_json()
        (engine,) = [
            p
            for p in psutil.Process().children(recursive=True)
            if str(virtuoso_root / "virtuoso.ini") in _command(p) and p.name() == "virtuoso-t"
        ]
        killer = threading.Thread(target=kill_when_busy, args=(engine,))
        killer.start()
        answer = client.get("/sparql", query_string={"query": CARTESIAN})
        killer.join()
        assert answer.status_code == 502, answer.data
        assert b"remote engine" in answer.data and b"Traceback" not in answer.data
        health = client.get("/health")
        assert health.status_code == 503 and health.get_json()["status"] == "store unreachable"
        assert client.get("/sparql", query_string={"query": COUNT}).status_code == 502
    with virtuoso.running(virtuoso_root, ports):  # the engine comes back, with its data
        health = client.get("/health")
        assert health.status_code == 200 and health.get_json()["build"] == SMALL_BUILD
        answer = client.get(
            "/sparql", query_string={"query": COUNT}, headers={"Accept": "application/sparql-results+json"}
        )
        assert answer.status_code == 200
        assert answer.get_json() == counted
