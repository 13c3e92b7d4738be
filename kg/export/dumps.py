"""The build's dumps: every format written into <build>/dumps/ with the dumps.json manifest."""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox

from kg import formats, progress
from kg.export.citation import DUMPS_DIR, DUMPS_MANIFEST, citation_metadata, dataset_citation, dataset_version
from kg.export.dwca import write_dwca
from kg.export.rdf import RDF_FORMATS, union_triples, write_rdf
from kg.export.tables import all_tables, write_csv
from kg.export.void import void_graph
from kg.progress import Echo
from kg.store.backend import RemoteHandle, StoreHandle


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _entry(
    path: Path, kind: str, title: str, media_type: str, compress: str | None, triples: int | None, seconds: float
) -> dict[str, Any]:
    return {
        "file": path.name,
        "kind": kind,
        "title": title,
        "media_type": media_type,
        "compress_format": compress,
        "bytes": path.stat().st_size,
        "sha256": _sha256(path),
        "triples": triples,
        "seconds": round(seconds, 2),
    }


def write_dumps(build_dir: Path, store: ox.Store | Path, echo: Echo = lambda message: None) -> dict[str, Any]:
    """Write every dump of a build into ``<build_dir>/dumps/`` with the manifest ``dumps.json``.

    Called by the build after the store is written and before it is swapped in."""
    build_dir = Path(build_dir)
    if isinstance(store, (str, Path)):
        store = ox.Store.read_only(str(store))
    out = build_dir / DUMPS_DIR
    tmp = build_dir / (DUMPS_DIR + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    quads = len(store)
    union: list[ox.Triple] = []
    entries = []
    for done, (fmt, dump) in enumerate(RDF_FORMATS.items()):
        progress.count(echo, done, len(RDF_FORMATS) + 1)  # the RDF dumps, then the tables
        started = time.perf_counter()
        if not dump.quads and not union:
            union = list(union_triples(store))  # once for the three triple formats
        path = tmp / f"amurkg.{dump.extension}.gz"
        # level 6: a third smaller than level 1 for about a second more on the largest dump
        with gzip.open(path, "wb", compresslevel=6) as handle:
            # a GzipFile is a binary file, which typing.IO does not name
            write_rdf(store, fmt, cast(IO[bytes], handle), union=None if dump.quads else union)
        triples = quads if dump.quads else len(union)
        kind_title = "all named graphs" if dump.quads else "union of all graphs"
        entries.append(
            _entry(
                path,
                "rdf",
                f"{dump.format.name} dump ({kind_title})",
                dump.media_type,
                "gzip",
                triples,
                time.perf_counter() - started,
            )
        )
        echo(f"  dump: {path.name} {entries[-1]['bytes']:,} bytes in {entries[-1]['seconds']} s")
    progress.count(echo, len(RDF_FORMATS), len(RDF_FORMATS) + 1)
    started = time.perf_counter()
    tables = all_tables(store)
    tables_seconds = time.perf_counter() - started
    started = time.perf_counter()
    csv_path = tmp / "amurkg-csv.zip"
    write_csv(store, csv_path, tables)
    entries.append(
        _entry(
            csv_path,
            "csv",
            "CSV tables with a data dictionary (datapackage.json)",
            "application/zip",
            None,
            None,
            time.perf_counter() - started + tables_seconds,
        )
    )
    started = time.perf_counter()
    dwca_path = tmp / "amurkg-dwca.zip"
    write_dwca(store, dwca_path, tables, build_id=build_dir.name)
    entries.append(
        _entry(
            dwca_path,
            "dwca",
            "Darwin Core Archive (checklist)",
            "application/zip",
            None,
            None,
            time.perf_counter() - started,
        )
    )
    void_path = tmp / f"void.{formats.TURTLE.extension}"
    void_path.write_bytes(void_graph(store, entries, build_dir.name).serialize(format="turtle", encoding="utf-8"))
    progress.count(echo, len(RDF_FORMATS) + 1, len(RDF_FORMATS) + 1)
    entries.append(_entry(void_path, "void", "VoID and DCAT description", formats.TURTLE.media_type, None, None, 0.0))
    version = dataset_version()
    manifest = {
        "build_id": build_dir.name,
        "version": version,
        "written": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "licence": citation_metadata().get("license", "CC-BY-4.0"),
        "citation": dataset_citation(version, build_dir.name),
        "quads": quads,
        "triples": len(union),
        "files": entries,
    }
    (tmp / DUMPS_MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return manifest


def read_dumps_manifest(build_dir: Path | None) -> dict[str, Any] | None:
    if build_dir is None:
        return None
    path = Path(build_dir) / DUMPS_DIR / DUMPS_MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def dumps_pending(handle: StoreHandle | RemoteHandle) -> bool:
    """Whether the build behind a store handle still lacks its downloads: an embedded build wrote its own before it
    was swapped in (or, for an old build, has none: nothing is to come); a remote engine's are written on first need
    into the local cache."""
    if not isinstance(handle, RemoteHandle):
        return False
    build = handle.build_dir()
    return build is not None and read_dumps_manifest(build) is None


def ensure_dumps(handle: StoreHandle | RemoteHandle, echo: Callable[[str], None] | None = None) -> None:
    """Write the downloads of a remote engine's build into the local cache now, unless they exist; a lock file keeps
    two processes (gunicorn workers, `amurkg serve`) from writing them at once. Nothing to do for an embedded build."""
    if not isinstance(handle, RemoteHandle):
        return
    build = handle.build_dir()
    if build is None:
        return
    with open(build / ".dumps.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if read_dumps_manifest(build) is None:
            if echo:
                echo(f"writing the dumps of build {build.name} from {handle.label}")
            # one pull of the engine's graphs into a local store, and every dump and table from that copy: the
            # engine is asked once, not once per format and table (ADR 0007); the copy is removed afterwards
            with tempfile.TemporaryDirectory(dir=build, prefix=".copy-") as tmp:
                copy = ox.Store(tmp)
                copy.bulk_extend(handle.get().quads_for_pattern(None, None, None, None))
                write_dumps(build, copy, echo=echo or (lambda message: None))
                del copy  # closed before its directory goes
