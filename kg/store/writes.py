"""Writes (SPARQL Update, Graph Store Protocol PUT/POST/DELETE) as new builds swapped in under a lock.

Every reader has the build open read-only, and Oxigraph's read-only opening is undefined while another process
writes the same files, so a write is made like a build: under an exclusive lock on the store's builds directory a
writer child process checkpoints the current build into a new one, applies the change there in one transaction,
and the link is swapped. A failed, refused or timed-out write deletes the copy (docs/decisions/0005).
A remote engine applies writes itself (``apply_write_job`` on a ``RemoteStore``, kg/store/backend.py).
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from kg import formats
from kg.store import layout as kgstore
from kg.store.answers import Outcome
from kg.store.child import run_child, start_child, stop_child
from kg.store.jobs import UpdateJob, WriteJob
from kg.store.remote import RemoteError, RemoteStore

# Formats a client may send to the Graph Store Protocol (quads formats only for a whole dataset: not accepted).
UPLOAD_FORMATS = {mime: f.rdf_format for f in formats.UPLOAD_SYNTAXES for mime in f.media_types}


class WriteBusy(Exception):
    """Other writes held the store for longer than a write may wait."""


# how often a waiting writer tries the lock again
LOCK_RETRY_SECONDS = 0.05


@contextmanager
def write_lock(store_path: Path, wait: float | None = None) -> Iterator[None]:
    """Serialize writers across processes; the kernel releases the lock if a writer dies.

    With ``wait``, give up (WriteBusy) after that many seconds: a write queued behind many others must answer
    before gunicorn's worker timeout, which would otherwise kill the worker and drop the connection."""
    root = kgstore.builds_dir(Path(store_path))
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".write.lock", "w") as handle:
        deadline = None if wait is None else time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if deadline is None else fcntl.LOCK_NB))
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    raise WriteBusy from None
                time.sleep(LOCK_RETRY_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def apply_write_job(store: ox.Store | RemoteStore, job: WriteJob) -> Outcome:
    """Apply a SPARQL Update or a Graph Store Protocol write to a writable copy of the store."""
    try:
        if isinstance(job, UpdateJob):
            store.update(job.update, base_iri=job.base_iri)
            return Outcome(204)
        kind = job.method
        graph = ox.DefaultGraph() if job.graph is None else ox.NamedNode(job.graph)
        existed = isinstance(graph, ox.DefaultGraph) or store.contains_named_graph(graph)
        if kind == "delete":
            if not existed:
                return Outcome(404, message=f"no graph {job.graph} in the store")
            if isinstance(graph, ox.DefaultGraph):
                store.clear_graph(graph)
            else:
                store.remove_graph(graph)
            return Outcome(204)
        quads = []
        for part, mime in job.parts:
            for triple in ox.parse(part, UPLOAD_FORMATS[mime], base_iri=job.base_iri, without_named_graphs=True):
                quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, graph))
        if kind == "put" and existed:
            store.clear_graph(graph)
        if isinstance(graph, ox.NamedNode) and not existed:
            store.add_graph(graph)
        store.extend(quads)
        created = not existed
        return Outcome(201 if created else 204, created=created)
    except RemoteError as exc:
        return Outcome(exc.status, message=exc.message)
    except SyntaxError as exc:
        return Outcome(400, message=f"malformed {'update' if isinstance(job, UpdateJob) else 'RDF'}: {exc}")
    except ValueError as exc:
        return Outcome(400, message=f"bad request: {exc}")
    except OSError as exc:
        if kgstore.disk_full(exc):
            return _disk_full(exc)
        return Outcome(500, message=f"update failed: {exc}")


def _disk_full(exc: OSError) -> Outcome:
    return Outcome(
        507, message=f"the server's disk is full; the write was not applied and the store is unchanged ({exc})"
    )


def _writer_main(conn: Connection) -> None:
    source, target, job = conn.recv()
    try:
        ox.Store.read_only(str(Path(source) / "oxigraph")).backup(str(Path(target) / "oxigraph"))
        store = ox.Store(str(Path(target) / "oxigraph"))
        outcome = apply_write_job(store, job)
        store.flush()
        del store
    except OSError as exc:
        outcome = _disk_full(exc) if kgstore.disk_full(exc) else Outcome(500, message=f"update failed: {exc}")
    except Exception as exc:
        outcome = Outcome(500, message=f"update failed: {type(exc).__name__}: {exc}")
    conn.send(outcome)


def write(store_path: Path, job: WriteJob, timeout: float) -> Outcome:
    """Apply a write as a new build: checkpoint the current build, change the copy, swap the link.

    A failed, refused or timed-out write leaves the serving store untouched; writers are serialized.
    """
    store_path = Path(store_path)
    deadline = time.monotonic() + timeout
    try:
        with write_lock(store_path, wait=timeout):
            return _write_locked(store_path, job, max(1.0, deadline - time.monotonic()))
    except WriteBusy:
        return Outcome(
            503,
            message=(
                f"other writes held the store for the whole {timeout:g} s this write may take; "
                "it was not applied: retry it later"
            ),
            headers={"Retry-After": "5"},
        )


def _write_locked(store_path: Path, job: WriteJob, timeout: float) -> Outcome:
    source = kgstore.current_build(store_path)
    if source is None:
        return Outcome(503, message=f"no graph built at {store_path}")
    build_id = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-update-" + uuid.uuid4().hex[:8]
    target = kgstore.builds_dir(store_path) / build_id
    target.mkdir(parents=True)
    process, conn = start_child("kg.store.writes")
    finished = False
    try:
        conn.send((str(source), str(target), job))
        if not conn.poll(timeout):
            outcome = Outcome(503, message=f"the update did not finish within {timeout:.0f} s and was not applied")
        else:
            outcome = conn.recv()
            finished = True
    except (EOFError, OSError):
        outcome = Outcome(
            503,
            message="the update worker stopped unexpectedly; nothing was applied: retry it",
            headers={"Retry-After": "1"},
        )
    finally:
        if finished:
            try:
                process.wait(30)  # let the writer close its store cleanly
            except subprocess.TimeoutExpired:
                pass
        stop_child(process, conn)
    if not outcome.ok:
        shutil.rmtree(target, ignore_errors=True)
        return outcome
    previous = json.loads((source / kgstore.MANIFEST).read_text())
    manifest = {k: v for k, v in previous.items() if k != "key"}  # no build key: a rebuild replaces edits
    manifest.update(
        {
            "build_id": build_id,
            "updated_from": previous.get("build_id"),
            "updated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
    )
    try:
        (target / kgstore.MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        kgstore.swap_in(store_path, target)
    except OSError as exc:  # the new build is not serving: remove it
        shutil.rmtree(target, ignore_errors=True)
        return _disk_full(exc) if kgstore.disk_full(exc) else Outcome(500, message=f"update failed: {exc}")
    kgstore.prune(store_path, keep={target, source})
    return outcome


if __name__ == "__main__":
    # run the function of the importable module (what it sends must unpickle as kg.store.answers.Outcome)
    from kg.store import writes

    run_child(writes._writer_main, "amurkg-write")
