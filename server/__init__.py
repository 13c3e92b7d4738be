"""The Flask application: a factory, configuration from a mapping then AMURKG_* variables, blueprints."""

from __future__ import annotations

import os

from flask import Flask, Response, jsonify

from kg import config
from kg.store import backend

DEFAULTS = {
    # a store spec (kg/store/layout.py): a path, oxigraph:PATH or sparql+http://HOST/PATH; empty: STORE_PATH
    "STORE": "",
    "QUERY_TIMEOUT": 30.0,
    "MAX_REQUEST_BYTES": 1_000_000,
    # SPARQL endpoint (server/sparql.py, server/gsp.py; docs/decisions/0005-query-timeouts-and-writes.md)
    "RESULT_MAX_BYTES": 50_000_000,
    # the query pool's lanes (docs/decisions/0011-interactive-lane.md): worker processes for user SPARQL, and for
    # the server's own and cheap lookups
    "QUERY_PROCESSES": 2,
    "INTERACTIVE_PROCESSES": 1,
    # threads of this web worker (server/wsgi.py sets it; 1: no bound on waiting SPARQL requests); RESERVED_THREADS
    # of them user SPARQL may never hold, so pages are served while it queues
    "THREADS": 1,
    "RESERVED_THREADS": 4,
    # a query worker above this many bytes is stopped (503); 0: no cap
    "QUERY_WORKER_MAX_RSS": 256 << 20,
    "WRITE_TOKEN": None,
    "SERVICE_ALLOWLIST": "",
    # answers kept per worker by ETag (server/caching.py, docs/decisions/0009-per-build-caching.md)
    "RESPONSE_CACHE_BYTES": 64_000_000,
    # the analytics queries' JSON answers are 6-7 MB and cost ~200 ms each: worth keeping
    "RESPONSE_CACHE_ENTRY_BYTES": 8_000_000,
}


def sparql_queue(config) -> int | None:
    """How many SPARQL requests may wait for a worker of the SPARQL lane: what is left of the web worker's threads
    after the running ones and the reserved ones (None for a single-threaded server: nothing to reserve)."""
    threads = int(config["THREADS"])
    if threads <= 1:
        return None
    return max(0, threads - int(config["RESERVED_THREADS"]) - int(config["QUERY_PROCESSES"]))


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config["STORE_PATH"] = str(config.store_path())
    # AMURKG_STORE_PATH=... -> STORE_PATH, AMURKG_QUERY_TIMEOUT=... -> QUERY_TIMEOUT
    app.config.from_prefixed_env(prefix="AMURKG")
    if test_config:
        app.config.from_mapping(test_config)
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["MAX_REQUEST_BYTES"])
    handle = backend.open_handle(app.config["STORE"] or app.config["STORE_PATH"])
    app.extensions["amurkg.store"] = handle

    from server import i18n  # the interface in English, Chinese and Russian

    i18n.init_app(app)
    from server import gsp, sparql

    app.extensions["amurkg.query_pool"] = handle.query_runner(
        int(app.config["QUERY_PROCESSES"]), int(app.config["INTERACTIVE_PROCESSES"]), sparql_queue(app.config),
        int(app.config["QUERY_WORKER_MAX_RSS"]))
    app.register_blueprint(sparql.bp)
    app.register_blueprint(gsp.bp)
    from server import explorer

    app.register_blueprint(explorer.bp)
    from server import export as downloads  # /downloads, /.well-known/void, /context.jsonld

    app.register_blueprint(downloads.bp)
    from server import analytics  # /api/analytics/..., /analytics/...

    app.register_blueprint(analytics.bp)

    from kg.store.remote import RemoteError

    @app.errorhandler(RemoteError)
    def remote_failed(exc: RemoteError):
        """A page whose queries the remote engine failed or did not answer in time: its status, its reason."""
        return Response(f"the SPARQL engine behind this site failed: {exc.message}\n", status=exc.status,
                        mimetype="text/plain")

    @app.after_request
    def no_sniffing(response: Response) -> Response:
        # error messages quote what the client sent as text/plain: never let a browser sniff them into HTML
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @app.get("/health")
    def health():
        try:
            info = handle.manifest()
        except OSError as exc:  # a remote engine that cannot be reached
            return jsonify({"status": "store unreachable", "store": handle.label, "error": str(exc),
                            "pid": os.getpid()}), 503
        status = 200 if info else 503
        return jsonify({"status": "ok" if info else "no store", "build": info and info["build_id"],
                        "store": handle.label, "pid": os.getpid()}), status

    return app
