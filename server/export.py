"""Downloads: the build's dumps with sizes, sha256, triple counts, licence and citation; the VoID/DCAT
description at /.well-known/void; the stable JSON-LD @context at /context.jsonld (kg/export/)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import cast

from flask import Blueprint, Response, abort, current_app, render_template, request, send_file, url_for

from kg import export as kx
from kg import formats
from kg.store import backend
from kg.store import layout as kgstore
from server import schemaorg

bp = Blueprint("export", __name__)

VOID_TYPES = {f.media_type: cast(str, f.rdflib) for f in formats.DOCUMENT_SYNTAXES}  # the formats table


def _handle() -> backend.StoreHandle | backend.RemoteHandle:
    return current_app.extensions["amurkg.store"]


# build directory -> the thread writing its dumps (one per build and server process; a lock file in the backend
# keeps other processes from writing the same dumps at once)
_WRITERS: dict[str, threading.Thread] = {}


def _write_dumps_in_background(handle) -> bool:
    """Start writing the build's dumps unless they exist or are being written; True while they are to come."""
    if not kx.dumps_pending(handle):
        return False
    key = str(handle.build_dir())
    if key not in _WRITERS or not _WRITERS[key].is_alive():
        _WRITERS[key] = threading.Thread(
            target=kx.ensure_dumps, args=(handle,), name=f"dumps {Path(key).name}", daemon=True
        )
        _WRITERS[key].start()
    return True


def _build_dir() -> Path | None:
    """The build's own files; for a remote engine, a local cache whose dumps are written when first needed."""
    handle = _handle()
    build = handle.build_dir()
    _write_dumps_in_background(handle)
    return build


def _citation(build: Path | None, manifest: dict | None) -> str:
    return manifest["citation"] if manifest else kx.dataset_citation(kx.dataset_version(), build and build.name)


def dataset_jsonld() -> dict:
    """The schema.org Dataset of the home and downloads pages: the graph with its dumps (once written)."""
    build = _handle().build_dir()
    manifest = kx.read_dumps_manifest(build)
    return schemaorg.dataset(
        kx.dataset_iri(),
        url_for("export.downloads", _external=True),
        manifest,
        _citation(build, manifest),
        kx.citation_metadata(),
        lambda name: url_for("export.download", name=name, _external=True),
    )


@bp.get("/downloads")
def downloads():
    build = _build_dir()
    manifest = kx.read_dumps_manifest(build)
    sources = []
    if build is not None:
        columns, rows = kx.table(_handle().get(), "sources")
        sources = [dict(zip(columns, row, strict=True)) for row in rows]
    return render_template(
        "export/downloads.html",
        manifest=manifest,
        build=build and build.name,
        dumps_coming=_write_dumps_in_background(_handle()),
        sources=sources,
        citation=_citation(build, manifest),
        licence=kx.citation_metadata().get("license"),
        jsonld=dataset_jsonld(),
    )


@bp.get("/downloads/<name>")
def download(name: str):
    build = _build_dir()
    manifest = kx.read_dumps_manifest(build)
    if manifest is None:
        abort(404)
    if name == kx.DUMPS_MANIFEST:
        return send_file(build / kx.DUMPS_DIR / name, mimetype="application/json", conditional=True)
    entry = next((f for f in manifest["files"] if f["file"] == name), None)
    if entry is None:  # only files of the manifest: no path ever comes from the request
        abort(404)
    # gzip dumps are files to keep, not a transfer encoding: served as application/gzip so Range stays exact
    mimetype = "application/gzip" if entry.get("compress_format") == "gzip" else entry["media_type"]
    response = send_file(
        build / kx.DUMPS_DIR / entry["file"],
        mimetype=mimetype,
        as_attachment=True,
        download_name=entry["file"],
        conditional=True,
        etag=entry["sha256"],
        max_age=3600,
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/.well-known/void")
def void():
    handle = _handle()
    try:
        store = handle.get()
    except kgstore.StoreMissing as exc:
        return Response(str(exc) + "\n", status=503, mimetype="text/plain")
    build = _build_dir()
    mime = request.accept_mimetypes.best_match(list(VOID_TYPES), default=formats.TURTLE.media_type)
    if not request.accept_mimetypes or request.accept_mimetypes.best == "*/*":
        mime = formats.TURTLE.media_type
    cache = current_app.extensions.setdefault("amurkg.void", {})
    key = (build.name if build else None, mime)
    if key not in cache:
        written = build / kx.DUMPS_DIR / f"void.{formats.TURTLE.extension}" if build else None
        if written is not None and written.is_file():
            from rdflib import Graph

            graph = Graph().parse(written, format="turtle")
        else:  # a build without dumps: describe the store alone
            graph = kx.void_graph(store, [], build.name if build else None)
        cache.clear()
        cache[key] = graph.serialize(format=VOID_TYPES[mime], encoding="utf-8")
    response = Response(cache[key], mimetype=mime)
    response.headers["Vary"] = "Accept"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/context.jsonld")
def context():
    body = current_app.extensions.get("amurkg.jsonld_context")
    if body is None:
        import json

        body = json.dumps(kx.jsonld_context(), indent=2, ensure_ascii=False)
        current_app.extensions["amurkg.jsonld_context"] = body
    response = Response(body, mimetype=formats.JSON_LD.media_type)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
