"""Production serving: gunicorn with threaded workers, each opening the on-disk store read-only.

The app is created in each worker, after the fork, not in the arbiter: the arbiter then holds only gunicorn and
the CLI (~40 MB instead of ~90 MB with Flask, the blueprints and an open store), and no worker inherits anything
but a clean interpreter state.
"""

from __future__ import annotations

from pathlib import Path

from gunicorn.app.base import BaseApplication

# Threads per web worker: a SPARQL request waits for its query worker on a thread, so threads are what lets pages
# be served meanwhile. RESERVED_THREADS of them (server/__init__.py) user SPARQL may never hold.
DEFAULT_THREADS = 32


class GunicornApp(BaseApplication):
    def __init__(self, app_config: dict, options: dict):
        self.app_config = app_config
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from server import create_app  # in the worker (see the module's docstring)

        return create_app(self.app_config)


def serve(store_path: Path | str, host: str = "127.0.0.1", port: int = 5000, workers: int = 1,
          query_timeout: float = 30.0, threads: int = DEFAULT_THREADS) -> None:
    app_config = {"STORE": str(store_path), "QUERY_TIMEOUT": query_timeout, "THREADS": threads}
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        # threads, not processes, for concurrency within a worker: one search index, analytics view and answer
        # cache serve them all (docs/decisions/0011-interactive-lane.md)
        "worker_class": "gthread",
        "threads": threads,
        # a worker stuck longer than the query timeout plus a margin is replaced by the arbiter
        "timeout": int(query_timeout) + 30,
        "accesslog": "-",
        "errorlog": "-",
        "graceful_timeout": 10,
        # SPARQL clients send queries by GET: allow the longest request line gunicorn permits
        "limit_request_line": 8190,
    }
    GunicornApp(app_config, options).run()
