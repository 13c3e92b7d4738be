"""The store behind the app, the CLI and the analytics: one seam, two backends.

``open_handle(spec)`` gives a backend with the same methods whichever store the spec names, so callers never ask
which it is:
- ``get()``: a store with pyoxigraph's query interface; ``manifest()``, ``build_id``, ``build_dir()`` (where a
  build's own files live: dumps, cached views), ``label``;
- ``query_runner(...)``: where queries run (killable worker processes in two lanes, or the remote engine itself);
- ``write(job, timeout)``: a SPARQL Update or Graph Store write;

``StoreHandle`` is the embedded Oxigraph store on disk (kg/store/layout.py), ``RemoteHandle`` a SPARQL 1.1 engine
(kg/store/remote.py, ADR 0007). The build's downloads of a remote engine are written on first need by the read side
(kg/export/dumps.py ``ensure_dumps``): the store layer imports nothing above it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import config
from kg.store import writes
from kg.store.answers import Outcome, run_query_job
from kg.store.jobs import ReadJob, WriteJob
from kg.store.layout import Manifest, StoreMissing, current_build, embedded_path, is_remote, manifest
from kg.store.pool import SPARQL, QueryPool
from kg.store.remote import RemoteError, RemoteStore


class StoreHandle:
    """A read-only store that follows the store link: after a rebuild, the next request sees the new build."""

    def __init__(self, store_path: Path):
        self.store_path = Path(store_path)
        self._lock = threading.Lock()
        self._build: Path | None = None
        self._store: ox.Store | None = None

    def get(self) -> ox.Store:
        build = current_build(self.store_path)
        if build is None:
            raise StoreMissing(f"no graph built at {self.store_path}: run `amurkg build` first")
        with self._lock:
            if build != self._build or self._store is None:
                self._store = ox.Store.read_only(str(build / "oxigraph"))
                self._build = build
            return self._store

    @property
    def build_id(self) -> str | None:
        self.get()
        return self._build.name if self._build else None

    @property
    def label(self) -> str:
        return f"oxigraph:{self.store_path}"

    def manifest(self) -> Manifest | None:
        return manifest(self.store_path)

    def build_dir(self) -> Path | None:
        return current_build(self.store_path)

    def query_runner(self, **pool: Any) -> QueryPool:
        """Queries in killable worker processes of this server process, in a SPARQL and an interactive lane
        (kg/store/pool.py, docs/decisions/0011-interactive-lane.md); ``pool``: the QueryPool's sizes and limits."""
        return QueryPool(self.store_path, **pool)

    def write(self, job: WriteJob, timeout: float) -> Outcome:
        """A SPARQL Update or Graph Store write: applied to a copy of the build, swapped in (kg/store/writes.py)."""
        return writes.write(self.store_path, job, timeout)


class RemoteHandle:
    """A dataset in a remote SPARQL engine; the build id comes from the engine (checked every few seconds), local
    files of that build (dumps, analytics view) live in a cache directory named after the engine and the build."""

    def __init__(self, spec: str, cache_root: Path | None = None):
        self.store = RemoteStore(spec)
        # files kept for a remote engine's build (dumps, analytics view), by engine and build id
        self.cache_root = Path(cache_root) if cache_root else config.remote_cache()
        self._lock = threading.Lock()
        self._manifest: tuple[float, Manifest | None] | None = None

    @property
    def label(self) -> str:
        return self.store.config.label

    def manifest(self) -> Manifest | None:
        import time

        with self._lock:
            now = time.monotonic()
            if self._manifest is None or now - self._manifest[0] > 5:
                self._manifest = (now, self.store.manifest())
            return self._manifest[1]

    def forget(self) -> None:
        """Drop the remembered manifest: the engine failed, so /health and the next request ask it again."""
        with self._lock:
            self._manifest = None

    def get(self) -> RemoteStore:
        if self.manifest() is None:
            raise StoreMissing(f"no amurkg build is loaded in {self.label}: run `amurkg build --store {self.label}`")
        return self.store

    @property
    def build_id(self) -> str | None:
        info = self.manifest()
        return info["build_id"] if info else None

    def build_dir(self) -> Path | None:
        import hashlib

        build_id = self.build_id
        if build_id is None:
            return None
        engine = hashlib.sha256(self.store.config.query_url.encode()).hexdigest()[:12]
        path = self.cache_root / engine / build_id
        path.mkdir(parents=True, exist_ok=True)
        return path

    def query_runner(self, **pool: Any) -> RemoteQueries:
        """Queries in the request's thread: the engine does the work and keeps its own pool (the lanes and
        limits of the embedded store's pool do not apply)."""
        return RemoteQueries(self)

    def write(self, job: WriteJob, timeout: float) -> Outcome:
        """Writes go to the engine itself (it has its own transactions): one update request per write."""
        outcome = writes.apply_write_job(self.store.with_timeout(timeout), job)
        self._manifest = None
        return outcome


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
        except StoreMissing as exc:
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


def open_handle(spec: str | Path | None = None) -> StoreHandle | RemoteHandle:
    """The handle of a store spec (path, oxigraph:PATH or sparql+http://...)."""
    if is_remote(spec):
        return RemoteHandle(str(spec))
    return StoreHandle(embedded_path(spec))
