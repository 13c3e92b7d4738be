"""Shared fixtures: the real sources, the parse cache, one built store, one live server.

Expensive things exist once per test session and are reused across runs where that cannot go stale:
- the readers' parse cache is ``data/cache`` (keyed by file checksum and extractor code, shared with
  `amurkg build`), so only the first run on a machine parses the R files;
- the full build lives in ``data/test-store`` and is rebuilt only when its build key (sources, what the build reads:
  kg/build/pipeline.py ``BUILD_INPUTS``, base IRI) changes: the build itself skips an up-to-date store, and editing
  the serve side (server/, the analyses, the query pool) never rebuilds it;
- with pytest-xdist, a file lock lets one worker build while the others wait for it.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


# The modules that take longest once the build is there (`make test` prints the slowest): they start first, so that
# the two workers finish together instead of one running a long module alone at the end.
LONGEST_FIRST = (
    "test_remote.py",
    "test_bench_smoke.py",
    "test_faults.py",
    "test_export.py",
    "test_w3c_sparql11.py",
    "test_writes.py",
    "test_checklist_live.py",
)


@pytest.hookimpl(trylast=True)  # after -m/-k deselection: a run without slow tests starts no build
def pytest_collection_modifyitems(config, items):
    """Markers from where a test lives and what it needs, so `-m "not slow"` runs the fast core alone. Order: the
    modules that need no full build first (the readers' tests last among them: by then the build has parsed the
    sources into the cache), so they run while the full build is made in the background (start_background_build)."""
    needs_build: dict[str, bool] = {}
    for item in items:
        path = Path(str(item.fspath))
        if "browser" in path.parts:
            item.add_marker(pytest.mark.browser)
        if path.name == "test_remote.py":
            item.add_marker(pytest.mark.remote)
        if path.name == "test_bench_smoke.py":
            item.add_marker(pytest.mark.bench)
        uses_build = "built_store" in getattr(item, "fixturenames", ())
        if uses_build:
            item.add_marker(pytest.mark.slow)
        needs_build[item.module.__name__] = needs_build.get(item.module.__name__, False) or uses_build

    def order(item):
        path = Path(str(item.fspath))
        longest = LONGEST_FIRST.index(path.name) if path.name in LONGEST_FIRST else len(LONGEST_FIRST)
        return needs_build[item.module.__name__], "ingest" in path.parts, longest

    # stable: file order within each group; xdist keeps it with --no-loadscope-reorder (the Makefile), else it
    # sends the modules with most tests first, and both workers would wait for the build from the start
    items.sort(key=order)
    if any(needs_build.values()) and os.environ.get("PYTEST_XDIST_WORKER", "gw0") == "gw0":
        start_background_build(config)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session):
    process = getattr(session.config, "_amurkg_build", None)
    if process is not None and process.poll() is None:
        process.terminate()
        process.wait()


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    """The real sources directory (AMURKG_SOURCES, else ../shared/data/sources)."""
    candidates = [os.environ.get("AMURKG_SOURCES"), ROOT.parent / "shared" / "data" / "sources"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "sources.json").exists():
            return Path(candidate)
    pytest.fail("real sources not found: set AMURKG_SOURCES or put ../shared/data/sources beside the project")


@pytest.fixture(scope="session")
def source_cache() -> Path:
    """The readers' parse cache, the same as `amurkg build`'s: keyed by checksum and code, it cannot go stale."""
    from kg.build.pipeline import CACHE_DIR

    return CACHE_DIR


class _Lock:
    """An exclusive lock on a file, shared by the xdist workers of a run (and by concurrent runs)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(path, "w")  # noqa: SIM115 - closed in __exit__

    def __enter__(self):
        fcntl.flock(self.handle, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


TEST_STORE = DATA / "test-store" / "store"
BUILD_LOCK = DATA / "test-store.lock"
BUILD_LOG = DATA / "test-store.log"


def start_background_build(config) -> None:
    """Start the full build of the test store in a process of its own while the first tests run: it holds the
    build lock until the store is up to date, and `built_store` waits for the lock (a no-op when the store holds)."""
    sources = os.environ.get("AMURKG_SOURCES") or str(ROOT.parent / "shared" / "data" / "sources")
    if not (Path(sources) / "sources.json").exists():
        return  # `sources_dir` fails the tests that need them, with the reason
    from kg.build.pipeline import CACHE_DIR

    script = (
        "import fcntl, sys\n"
        "from pathlib import Path\n"
        "from kg.build.pipeline import build\n"
        f"lock = open({str(BUILD_LOCK)!r}, 'w')\n"
        "fcntl.flock(lock, fcntl.LOCK_EX)\n"
        f"build(Path({sources!r}), Path({str(TEST_STORE)!r}), echo=print, cache_dir=Path({str(CACHE_DIR)!r}))\n"
    )
    BUILD_LOCK.parent.mkdir(parents=True, exist_ok=True)
    with open(BUILD_LOG, "w") as log:
        config._amurkg_build = subprocess.Popen(
            [sys.executable, "-c", script], stdout=log, stderr=subprocess.STDOUT, cwd=ROOT
        )


@pytest.fixture(scope="session")
def built_store(sources_dir, source_cache) -> Path:
    """One full build of the real graph, reused while its build key holds (the build skips an up-to-date store).

    Tests read it and never change it; tests that provoke failures work on copies (tests/kg/build/test_pipeline.py)."""
    from kg.build.pipeline import build

    # waits for the background build, if one runs; then a no-op, or the build itself (its error shows here)
    with _Lock(BUILD_LOCK):
        build(sources_dir, TEST_STORE, echo=lambda message: None, cache_dir=source_cache)
    return TEST_STORE


def _wait_for(base: str, process: subprocess.Popen, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            pytest.fail(f"amurkg serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(base + "/health", timeout=5):
                return
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                pytest.fail("amurkg serve did not answer /health")
            time.sleep(0.2)


class LiveServer(str):
    """The base URL of a running `amurkg serve`, with its process and the file its output goes to."""

    process: subprocess.Popen
    log: Path


@pytest.fixture(scope="session")
def live_server(built_store, tmp_path_factory) -> Iterator[LiveServer]:
    """`amurkg serve` (gunicorn, 2 workers) on a free loopback port over the built store, once for the session."""
    from sparql_live import free_port

    port = free_port()
    log = tmp_path_factory.mktemp("live-server") / "serve.log"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AMURKG_")}
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kg.cli",
                "serve",
                "--store",
                str(built_store),
                "--port",
                str(port),
                "--workers",
                "2",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=environment,
            cwd=ROOT,
        )
    server = LiveServer(f"http://127.0.0.1:{port}")
    server.process, server.log = process, log
    try:
        _wait_for(server, process)
        yield server
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="session")
def real_app(built_store):
    """The Flask app over the built store, once for the session; its query workers are closed at the end."""
    from server import create_app

    app = create_app({"STORE_PATH": str(built_store), "TESTING": True})
    yield app
    app.extensions["amurkg.query_pool"].close()


@pytest.fixture
def real_client(real_app):
    return real_app.test_client()
