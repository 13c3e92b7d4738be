"""Where the graph is stored: the embedded Oxigraph store on disk (default) or a remote SPARQL 1.1 engine.

A store spec chooses (``--store`` / ``AMURKG_STORE``): a path or ``oxigraph:PATH`` for the embedded store,
``sparql+http://HOST/PATH`` for a remote engine (kg/remote.py). ``open_handle`` gives a handle with the same
methods for both: ``get()`` (a store with pyoxigraph's query interface), ``manifest()``, ``build_id`` and
``build_dir()`` (where a build's own files live: dumps, cached views).

Embedded layout: ``data/store`` is a symlink to one finished build in ``data/stores/<build-id>/``. A build
writes a new directory and then swaps the symlink with one atomic rename, so readers always see a
complete store and a failed build leaves the previous one serving.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import threading
from pathlib import Path

import pyoxigraph as ox

from kg.sources import ROOT

DEFAULT_STORE = Path(os.environ.get("AMURKG_STORE_PATH", ROOT / "data" / "store"))
MANIFEST = "BUILD.json"
# files a server keeps for a remote engine's build (dumps, analytics view), by engine and build id
REMOTE_CACHE = Path(os.environ.get("AMURKG_REMOTE_CACHE", ROOT / "data" / "remote"))


class StoreMissing(Exception):
    """No finished build exists at the store path."""


def disk_full(exc: OSError) -> bool:
    """Whether an error means the filesystem is full; Oxigraph (RocksDB) gives the reason only in its message."""
    return exc.errno in (errno.ENOSPC, errno.EDQUOT) or "No space left on device" in str(exc)


def builds_dir(store_path: Path) -> Path:
    return store_path.parent / "stores"


def current_build(store_path: Path) -> Path | None:
    """The finished build the store path points to, or None."""
    if store_path.is_symlink() or store_path.is_dir():
        target = store_path.resolve()
        if (target / MANIFEST).exists():
            return target
    return None


def manifest(store_path: Path) -> dict | None:
    build = current_build(store_path)
    return json.loads((build / MANIFEST).read_text()) if build else None


def swap_in(store_path: Path, build: Path) -> None:
    """Point the store path at a finished build with one atomic rename."""
    if store_path.exists() and not store_path.is_symlink():
        raise RuntimeError(f"{store_path} is a directory, not a build link; move it away first")
    tmp_link = store_path.parent / f".{store_path.name}.swap-{os.getpid()}"
    if tmp_link.is_symlink():
        tmp_link.unlink()
    os.symlink(os.path.relpath(build, store_path.parent), tmp_link)
    os.replace(tmp_link, store_path)


def prune(store_path: Path, keep: set[Path]) -> list[Path]:
    """Remove builds other than ``keep`` (the current one and the one before it, still open by servers)."""
    removed = []
    root = builds_dir(store_path)
    if not root.is_dir():
        return removed
    for entry in root.iterdir():
        if entry.resolve() not in {k.resolve() for k in keep}:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def open_read_only(store_path: Path) -> ox.Store:
    build = current_build(store_path)
    if build is None:
        raise StoreMissing(f"no graph built at {store_path}: run `amurkg build` first")
    return ox.Store.read_only(str(build / "oxigraph"))


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

    remote = False

    @property
    def label(self) -> str:
        return f"oxigraph:{self.store_path}"

    def manifest(self) -> dict | None:
        return manifest(self.store_path)

    def build_dir(self) -> Path | None:
        return current_build(self.store_path)

    def write(self, job: dict, timeout: float):
        """A SPARQL Update or Graph Store write: applied to a copy of the build, swapped in (kg/workers.py)."""
        from kg import workers

        return workers.write(self.store_path, job, timeout)


class RemoteHandle:
    """A dataset in a remote SPARQL engine; the build id comes from the engine (checked every few seconds), local
    files of that build (dumps, analytics view) live in a cache directory named after the engine and the build."""

    remote = True

    def __init__(self, spec: str, cache_root: Path | None = None):
        from kg.remote import RemoteStore

        self.store = RemoteStore(spec)
        self.cache_root = Path(cache_root or REMOTE_CACHE)
        self._lock = threading.Lock()
        self._manifest: tuple[float, dict | None] | None = None

    @property
    def label(self) -> str:
        return self.store.config.label

    def manifest(self) -> dict | None:
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

    def get(self):
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

    def write(self, job: dict, timeout: float):
        """Writes go to the engine itself (it has its own transactions): one update request per write."""
        from kg import workers

        outcome = workers.apply_write_job(self.store.with_timeout(timeout), job)
        self._manifest = None
        return outcome


def is_remote(spec: str | Path | None) -> bool:
    return str(spec or "").startswith("sparql+")


def embedded_path(spec: str | Path | None) -> Path:
    """The embedded store's path of a spec (a path, or oxigraph:PATH); the default when none is given."""
    if spec is None or str(spec) == "":
        return DEFAULT_STORE
    text = str(spec)
    if is_remote(text):
        raise ValueError(f"{text} is a remote store, not a path")
    return Path(text[len("oxigraph:"):] if text.startswith("oxigraph:") else text)


def open_handle(spec: str | Path | None = None):
    """The handle of a store spec (path, oxigraph:PATH or sparql+http://...)."""
    if is_remote(spec):
        return RemoteHandle(str(spec))
    return StoreHandle(embedded_path(spec))
