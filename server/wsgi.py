"""Production serving: gunicorn with threaded workers, each opening the on-disk store read-only.

The app is created in each worker, after the fork, not in the arbiter: the arbiter then holds only gunicorn and
the CLI (~40 MB instead of ~90 MB with Flask, the blueprints and an open store), and no worker inherits anything
but a clean interpreter state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn.app.base import BaseApplication

from kg.config import Settings

try:  # how much of a body the application did not read gunicorn drains before it reuses the connection
    from gunicorn.http.parser import _DRAIN_MAX_BYTES as DRAIN_BYTES
except ImportError:  # an older gunicorn drains without a cap
    DRAIN_BYTES = 64 * 1024

# gunicorn replaces a worker silent for longer than the query timeout plus this margin: a query past its timeout is
# answered (503) before, and a worker stuck for another reason is still replaced
WORKER_TIMEOUT_MARGIN = 30

_CONFIGURED = False


def configured() -> bool:
    """Whether gunicorn was set up by GunicornApp (server/__init__.py refuses a bare `gunicorn` run)."""
    return _CONFIGURED


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

        return KeepAliveGuard(create_app(settings=self.settings))


# The request gunicorn is handling on this thread (gthread runs one request per thread from start to end), so that the
# application can ask gunicorn to close the connection and say so (``Connection: close``).
_handling = threading.local()


def remember_request(worker: Any, req: Any) -> None:
    """gunicorn's pre_request hook: its default logs the request line; this keeps the request for KeepAliveGuard."""
    worker.log.debug("%s %s", req.method, req.path)
    _handling.request = req


class CountingInput:
    """wsgi.input, counting what the application reads of the body."""

    def __init__(self, stream: Any):
        self.stream, self.read_bytes, self.ended = stream, 0, False

    def _counted(self, data: bytes, asked: int | None) -> bytes:
        self.read_bytes += len(data)
        if not data or asked is None or asked < 0:
            self.ended = True
        return data

    def read(self, size: int | None = None) -> bytes:
        return self._counted(self.stream.read() if size is None else self.stream.read(size), size)

    def readline(self, size: int | None = None) -> bytes:
        data = self.stream.readline() if size is None else self.stream.readline(size)
        return self._counted(data, 1 if data.endswith(b"\n") else None)

    def readlines(self, hint: int | None = None) -> list[bytes]:
        lines = self.stream.readlines() if hint is None else self.stream.readlines(hint)
        self.read_bytes += sum(len(line) for line in lines)
        self.ended = hint is None
        return lines

    def __getattr__(self, name: str) -> Any:  # anything else of the stream (close, fileno ...) as it is
        return getattr(self.stream, name)

    def __iter__(self) -> Iterable[bytes]:
        for line in self.stream:
            self.read_bytes += len(line)
            yield line
        self.ended = True


class KeepAliveGuard:
    """No silently dropped keep-alive connection (issue 24).

    gunicorn drains at most DRAIN_BYTES of a body the application did not read (a 413 refuses a body before reading
    it) and then closes the connection, after a response that promised to keep it open: the client's next request
    on it fails. Where more than that is left unread, or a chunked body was not read to its end, the request is
    marked to close, so gunicorn's response says ``Connection: close`` and the client opens a new connection.
    A smaller remainder is drained by gunicorn and the connection stays open."""

    def __init__(self, app: Callable[..., Iterable[bytes]]):
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        counting = environ["wsgi.input"] = CountingInput(environ["wsgi.input"])
        request = getattr(_handling, "request", None)
        _handling.request = None

        def guarded_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if request is not None and left_unread(environ, counting) > DRAIN_BYTES:
                request.must_close = True
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return self.app(environ, guarded_start_response)


def left_unread(environ: dict[str, Any], counting: CountingInput) -> float:
    """Bytes of the request body the application did not read (infinite for an unfinished chunked body)."""
    if "chunked" in (environ.get("HTTP_TRANSFER_ENCODING") or "").lower():
        return 0 if counting.ended else float("inf")
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return float("inf")
    return max(length - counting.read_bytes, 0)


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
        "pre_request": remember_request,  # KeepAliveGuard: a response that leaves a body unread closes, and says so
    }


def serve(settings: Settings) -> None:
    """Serve the app of these settings (built once by the CLI from its options and the environment)."""
    GunicornApp(settings).run()
