"""Helpers for the endpoint tests: small stores in the build layout, and `amurkg serve` on a free loopback port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from bench.serving import free_port, labelled_things, start_serve, stop_group
from kg.store.jobs import QueryJob

ROOT = Path(__file__).resolve().parents[1]


def make_store(root: Path, quads: list[ox.Quad] | None = None) -> Path:
    """A store link with one finished build holding ``quads``, laid out like `amurkg build` does."""
    build = root / "data" / "stores" / "test-build"
    build.mkdir(parents=True)
    store = ox.Store(str(build / "oxigraph"))
    store.extend(quads or [])
    store.flush()
    del store
    (build / "BUILD.json").write_text(json.dumps({"build_id": "test-build", "key": "test"}))
    link = root / "data" / "store"
    os.symlink("stores/test-build", link)
    return link


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def runaway_store(root: Path) -> Path:
    """A store of 2000 labelled things: RUNAWAY, their three-way cartesian product (8e9 rows), runs for minutes."""
    return make_store(root, labelled_things(ox.NamedNode("http://example.org/things")))


def query_job(query: str) -> QueryJob:
    """A query pool job (kg/store/jobs.py) asking for JSON results."""
    return QueryJob(query=query, results_mime="application/sparql-results+json", graph_mime=None, max_bytes=1_000_000)


@contextmanager
def serve(
    store_path: Path | str,
    env: dict[str, str] | None = None,
    workers: int = 2,
    timeout: float = 30.0,
    startup: float = 60.0,
) -> Iterator[str]:
    """Run `amurkg serve` (gunicorn) on the store; yield its base URL; stop the whole process group after."""
    port = free_port()
    log = tempfile.TemporaryFile()
    process = start_serve(store_path, port, workers, timeout, log, env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup
        while True:
            try:
                with urllib.request.urlopen(base + "/health", timeout=5):
                    break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the server did not start:\n" + _output(process, log)) from None
                time.sleep(0.2)
        yield base
    finally:
        _output(process, log)
        log.close()


def _output(process: subprocess.Popen, log) -> str:
    stop_group(process, grace=20)
    log.seek(0)
    return log.read().decode(errors="replace")


def hold_query(base: str, query: str, timeout: float) -> socket.socket:
    """A client that sends a query over a raw connection and keeps it open (closing it cancels the query)."""
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=timeout)
    target = "/sparql?" + urllib.parse.urlencode({"query": query})
    sock.sendall(
        f"GET {target} HTTP/1.1\r\nHost: {host}\r\nAccept: application/sparql-results+json\r\n"
        "Connection: close\r\n\r\n".encode()
    )
    return sock
