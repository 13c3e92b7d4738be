"""The embedded store on disk: Oxigraph through pyoxigraph.

Layout: ``data/store`` is a symlink to one finished build in ``data/stores/<build-id>/``. A build
writes a new directory and then swaps the symlink with one atomic rename, so readers always see a
complete store and a failed build leaves the previous one serving.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pyoxigraph as ox

from kg.sources import ROOT

DEFAULT_STORE = Path(os.environ.get("AMURKG_STORE_PATH", ROOT / "data" / "store"))
MANIFEST = "BUILD.json"


class StoreMissing(Exception):
    """No finished build exists at the store path."""


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
