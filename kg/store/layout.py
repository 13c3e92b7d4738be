"""Where the graph is stored: the embedded Oxigraph store on disk (default) or a remote SPARQL 1.1 engine.

A store spec chooses (``--store`` / ``AMURKG_STORE``): a path or ``oxigraph:PATH`` for the embedded store,
``sparql+http://HOST/PATH`` for a remote engine (kg/store/remote.py). This module holds the embedded store's layout
on disk; kg/store/backend.py turns a spec into a backend with the same methods for both.

Embedded layout: ``data/store`` is a symlink to one finished build in ``data/stores/<build-id>/``. A build
writes a new directory and then swaps the symlink with one atomic rename, so readers always see a
complete store and a failed build leaves the previous one serving.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import config

MANIFEST = "BUILD.json"
# what a build says of itself (BUILD.json): id, key, sources, graphs, classes, species yields, SHACL verdict
Manifest = dict[str, Any]


class StoreMissing(Exception):
    """No finished build exists at the store path."""


def disk_full(exc: OSError) -> bool:
    """Whether an error means the filesystem is full; Oxigraph (RocksDB) gives the reason only in its message."""
    return exc.errno in (errno.ENOSPC, errno.EDQUOT) or "No space left on device" in str(exc)


def builds_dir(store_path: Path) -> Path:
    return store_path.parent / "stores"


def current_build(store_path: Path) -> Path | None:
    """The finished build the store path points to, or None. Asked on every request (os.path: a third of pathlib's
    cost)."""
    link = os.fspath(store_path)
    if os.path.islink(link) or os.path.isdir(link):
        target = os.path.realpath(link)
        if os.path.exists(os.path.join(target, MANIFEST)):
            return Path(target)
    return None


def manifest(store_path: Path) -> Manifest | None:
    build = current_build(store_path)
    if build is None:
        return None
    found: Manifest = json.loads((build / MANIFEST).read_text())
    return found


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
    removed: list[Path] = []
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


def is_remote(spec: str | Path | None) -> bool:
    return str(spec or "").startswith("sparql+")


def embedded_path(spec: str | Path | None) -> Path:
    """The embedded store's path of a spec (a path, or oxigraph:PATH); the default when none is given."""
    if spec is None or str(spec) == "":
        return config.store_path()
    text = str(spec)
    if is_remote(text):
        raise ValueError(f"{text} is a remote store, not a path")
    return Path(text[len("oxigraph:") :] if text.startswith("oxigraph:") else text)
