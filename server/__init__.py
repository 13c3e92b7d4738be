"""The Flask application: a factory, its configuration from one ``kg.config.Settings``, the blueprints.

Serve it with `amurkg serve` (server/wsgi.py), which gives gunicorn the settings the app relies on: threaded web
workers (the interactive lane's reserved threads), a worker timeout above the query timeout. A bare
`gunicorn 'server:create_app()'` has none of them, so the app refuses to start under it (``RefusedServer``)."""

from __future__ import annotations

import os
import sys
from typing import Any

from flask import Flask, Response, jsonify

from kg.config import Settings
from kg.store import backend


def sparql_queue(config) -> int | None:
    """How many SPARQL requests may wait for a worker of the SPARQL lane: what is left of the web worker's threads
    after the running ones and the reserved ones (None for a single-threaded server: nothing to reserve)."""
    threads = int(config["THREADS"])
    if threads <= 1:
        return None
    return max(0, threads - int(config["RESERVED_THREADS"]) - int(config["QUERY_PROCESSES"]))


class RefusedServer(RuntimeError):
    """The app was started by a server that lacks the settings it relies on."""


def refuse_bare_gunicorn() -> None:
    """Stop when the `gunicorn` command runs the app with its own defaults (one sync thread per worker, a 30 s worker
    timeout): no thread is kept for pages while user SPARQL queues, and gunicorn kills a worker before a query's
    timeout can answer. `amurkg serve` (server/wsgi.py ``GunicornApp``) sets both."""
    from server import wsgi

    if "gunicorn.app.wsgiapp" in sys.modules and not wsgi.configured():
        raise RefusedServer(
            "serve amurkg with `amurkg serve` (it configures gunicorn's threads and worker timeout "
            "for the query timeout and the interactive lane); a bare `gunicorn 'server:create_app()'` "
            "has none of them"
        )


def create_app(test_config: dict[str, Any] | None = None, settings: Settings | None = None) -> Flask:
    """The app of these settings (by default ``Settings.load()``: the environment); ``test_config`` overrides
    single config keys (``QUERY_TIMEOUT``, ``STORE``, ...)."""
    refuse_bare_gunicorn()
    settings = settings if settings is not None else Settings.load()
    app = Flask(__name__)
    app.config.from_mapping(settings.app_config())
    app.config["STORE_PATH"] = str(settings.store_dir)  # the embedded store when STORE names none
    if test_config:
        app.config.from_mapping(test_config)
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["MAX_REQUEST_BYTES"])
    handle = backend.open_handle(app.config["STORE"] or app.config["STORE_PATH"])
    app.extensions["amurkg.store"] = handle

    from server import i18n  # the interface in English, Chinese and Russian

    i18n.init_app(app)
    from server import gsp, sparql

    app.extensions["amurkg.query_pool"] = handle.query_runner(
        size=int(app.config["QUERY_PROCESSES"]),
        interactive=int(app.config["INTERACTIVE_PROCESSES"]),
        queue=sparql_queue(app.config),
        max_rss=int(app.config["QUERY_WORKER_MAX_RSS"]),
        cheap_seconds=float(app.config["CHEAP_QUERY_SECONDS"]),
        interactive_budget=float(app.config["INTERACTIVE_BUDGET"]),
    )
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
        return Response(
            f"the SPARQL engine behind this site failed: {exc.message}\n", status=exc.status, mimetype="text/plain"
        )

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
            return jsonify(
                {"status": "store unreachable", "store": handle.label, "error": str(exc), "pid": os.getpid()}
            ), 503
        status = 200 if info else 503
        return jsonify(
            {
                "status": "ok" if info else "no store",
                "build": info and info["build_id"],
                "store": handle.label,
                "pid": os.getpid(),
            }
        ), status

    return app
