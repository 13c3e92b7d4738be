"""Production serving: gunicorn with several workers, each opening the on-disk store read-only."""

from __future__ import annotations

from pathlib import Path

from gunicorn.app.base import BaseApplication

from server import create_app


class GunicornApp(BaseApplication):
    def __init__(self, app, options: dict):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def serve(store_path: Path | str, host: str = "127.0.0.1", port: int = 5000, workers: int = 2,
          query_timeout: float = 30.0) -> None:
    app = create_app({"STORE": str(store_path), "QUERY_TIMEOUT": query_timeout})
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        # a worker stuck longer than the query timeout plus a margin is replaced by the arbiter
        "timeout": int(query_timeout) + 30,
        "accesslog": "-",
        "errorlog": "-",
        "graceful_timeout": 10,
        # SPARQL clients send queries by GET: allow the longest request line gunicorn permits
        "limit_request_line": 8190,
    }
    GunicornApp(app, options).run()
