"""Production serving: gunicorn with threaded workers, each opening the on-disk store read-only.

The app is created in each worker, after the fork, not in the arbiter: the arbiter then holds only gunicorn and
the CLI (~40 MB instead of ~90 MB with Flask, the blueprints and an open store), and no worker inherits anything
but a clean interpreter state.
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from kg.config import Settings

# gunicorn replaces a worker silent for longer than the query timeout plus this margin: a query past its timeout is
# answered (503) before, and a worker stuck for another reason is still replaced
WORKER_TIMEOUT_MARGIN = 30

_CONFIGURED = False


def configured() -> bool:
    """Whether gunicorn was set up by GunicornApp (server/__init__.py refuses a bare `gunicorn` run)."""
    return _CONFIGURED


def gunicorn_options(settings: Settings) -> dict[str, Any]:
    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": settings.workers,
        # threads, not processes, for concurrency within a worker: one search index, analytics view and answer
        # cache serve them all (docs/decisions/0011-interactive-lane.md)
        "worker_class": "gthread",
        "threads": settings.threads,
        # a worker stuck longer than the query timeout plus a margin is replaced by the arbiter
        "timeout": int(settings.query_timeout) + WORKER_TIMEOUT_MARGIN,
        "accesslog": "-",
        "errorlog": "-",
        "graceful_timeout": 10,
        # SPARQL clients send queries by GET: allow the longest request line gunicorn permits
        "limit_request_line": 8190,
    }


class GunicornApp(BaseApplication):  # type: ignore[misc]  # gunicorn has no type information
    def __init__(self, settings: Settings):
        self.settings = settings
        self.options = gunicorn_options(settings)
        super().__init__()

    def load_config(self) -> None:
        global _CONFIGURED
        _CONFIGURED = True
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from server import create_app  # in the worker (see the module's docstring)

        return create_app(settings=self.settings)


def serve(settings: Settings) -> None:
    """Serve the app of these settings (built once by the CLI from its options and the environment)."""
    GunicornApp(settings).run()
