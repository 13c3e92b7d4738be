"""What the server may reuse because the graph is immutable between builds (docs/decisions/0009-per-build-caching.md).

- ``BuildMemo``: values computed from the store once per build and worker (home page figures, the map, the search
  index), dropped as soon as the store link points to another build;
- ``etag`` and ``not_modified``/``validated``: an ETag names the build and the representation (path, arguments,
  media type), so it is known before any work is done and a matching ``If-None-Match`` costs no query at all;
- ``ResponseCache``: the answers themselves by ETag, least recently used out first, bounded in bytes per worker.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, g, request

from kg.store import layout as kgstore
from server import i18n

# Browsers and proxies may keep a copy but must ask before reusing it: a new build can be swapped in at any moment
# (docs/decisions/0004-atomic-store-swap.md), and asking costs one 304 without a query.
CACHE_CONTROL = "public, no-cache"


class BuildMemo:
    """Values that depend only on the build, computed on first use; a new build id empties the memo.

    One per worker process (the app's extensions): a worker serves one build at a time, so the memo holds at most
    one build's values."""

    def __init__(self):
        self._lock = threading.Lock()
        self._build: str | None = None
        self._values: dict[str, Any] = {}

    def get(self, build: str, name: str, compute: Callable[[], Any]) -> Any:
        # computed under the lock: concurrent first requests of a worker wait for one computation, not run several
        with self._lock:
            if build != self._build:
                self._build, self._values = build, {}
            if name not in self._values:
                self._values[name] = compute()
            return self._values[name]


class ResponseCache:
    """Answers (status 200) by ETag, bounded in bytes: the least recently used go first. One per worker process.

    The ETag names the build, so an entry can never be served for another build; entries of an older build are
    dropped as soon as one of a newer build is stored."""

    def __init__(self, max_bytes: int, max_entry_bytes: int):
        self.max_bytes, self.max_entry_bytes = max_bytes, max_entry_bytes
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[list[tuple[str, str]], bytes]] = OrderedDict()
        self._bytes = 0
        self._build: str | None = None

    def get(self, tag: str) -> Response | None:
        with self._lock:
            entry = self._entries.get(tag)
            if entry is None:
                return None
            self._entries.move_to_end(tag)
        headers, body = entry
        return Response(body, status=200, headers=headers)

    def put(self, tag: str, build: str, response: Response) -> None:
        if response.status_code != 200 or response.is_streamed or response.direct_passthrough:
            return
        body = response.get_data()
        if len(body) > self.max_entry_bytes:
            return
        # Content-Length is set again from the body when the copy is made; a copy is run in no query lane
        headers = [(k, v) for k, v in response.headers.items() if k.lower() not in ("content-length", "x-query-lane")]
        with self._lock:
            if build != self._build:
                self._build, self._entries, self._bytes = build, OrderedDict(), 0
            if tag in self._entries:
                return
            self._entries[tag] = (headers, body)
            self._bytes += len(body)
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= len(dropped)

    @property
    def size(self) -> int:
        return self._bytes


def response_cache() -> ResponseCache:
    """This worker's cache of answers (RESPONSE_CACHE_BYTES in all, RESPONSE_CACHE_ENTRY_BYTES at most per answer)."""
    cache = current_app.extensions.get("amurkg.responses")
    if cache is None:
        cache = current_app.extensions.setdefault(
            "amurkg.responses",
            ResponseCache(
                int(current_app.config["RESPONSE_CACHE_BYTES"]), int(current_app.config["RESPONSE_CACHE_ENTRY_BYTES"])
            ),
        )
    return cache


def etag(build: str, *representation: str) -> str:
    """The (unquoted) ETag of one representation of one build: the build id, and a digest of what picks the bytes."""
    digest = hashlib.sha256("\x00".join(representation).encode()).hexdigest()[:20]
    return f"{build}-{digest}"


def not_modified(tag: str) -> Response | None:
    """A 304 when the client's If-None-Match names ``tag`` (or is ``*``), before the response is computed.

    If-None-Match compares weakly (RFC 9110 13.1.2): W/"x" matches "x"."""
    if request.if_none_match.contains_weak(tag):
        return validated(Response(status=304), tag)
    return None


def validated(response: Response, tag: str, weak: bool = False) -> Response:
    """The response with its ETag and Cache-Control, when it is a 200 (an error is not a representation).

    ``weak``: the same answer, not necessarily the same bytes (a query's blank node labels or row order may differ
    between runs)."""
    if response.status_code in (200, 304):
        response.set_etag(tag, weak=weak)
        response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def validate_by_build(
    bp: Blueprint, negotiated: Callable[[], str] = lambda: "", skip: frozenset[str] = frozenset()
) -> None:
    """Give every GET answer of ``bp`` an ETag (build id, view, path with arguments, ``negotiated()``: the media
    type chosen where the view negotiates) and answer a matching If-None-Match with 304 before the view runs.
    Views named in ``skip`` (endpoints) are left alone: their answer is not a function of the build and the URL."""

    @bp.before_request
    def answer_not_modified():
        g.build_etag = g.build_id = None
        if request.method not in ("GET", "HEAD") or request.endpoint in skip:
            return None
        try:
            build = current_app.extensions["amurkg.store"].build_id
        except (kgstore.StoreMissing, OSError):
            return None  # the view answers 503 (or the remote's failure) itself
        if not build:
            return None
        # the host too: a page may name itself by its absolute URL, and the cached copy must not name another
        # and the interface language (?lang=, cookie, Accept-Language): one URL serves three languages
        g.build_etag, g.build_id = (
            etag(
                build, request.host_url, request.endpoint or "", request.full_path, negotiated(), i18n.language_code()
            ),
            build,
        )
        return not_modified(g.build_etag) or response_cache().get(g.build_etag)

    @bp.after_request
    def add_validators(response: Response) -> Response:
        tag = g.get("build_etag")
        if not tag:
            return response
        validated(response, tag)
        if request.method == "GET":
            response_cache().put(tag, g.build_id, response)
        return response
