"""What the SPARQL 1.1 Protocol and Graph Store Protocol blueprints share (server/sparql.py, server/gsp.py,
server/service_description.py): media types and negotiation, reading a request, the write token and fetch
allow-list, the query pool and its limits, short text/plain errors, CORS on the endpoints' paths."""

from __future__ import annotations

import hmac
import select
import socket
import ssl
from collections.abc import Callable

import pyoxigraph as ox
from flask import Flask, Response, current_app, g, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import HTTPException

from kg import formats, sparql_guard
from kg.store.answers import Outcome
from kg.store.pool import QueryPool

# Accepted media types, in order of preference, mapped to the media type served (the formats table,
# kg/formats.py: each syntax's own type, then its aliases and the generic types that ask for it).
RESULT_TYPES = {mime: f.media_type for mime, f in formats.media_types(formats.RESULT_SYNTAXES, generic=True).items()}
GRAPH_TYPES = {mime: f.media_type for mime, f in formats.media_types(formats.GRAPH_SYNTAXES, generic=True).items()}


def _format_names() -> dict[str, tuple[str | None, str | None]]:
    """format= values: a syntax's short names -> (its SELECT/ASK media type, its CONSTRUCT/DESCRIBE media type)."""
    names: dict[str, tuple[str | None, str | None]] = {}
    for index, offered in enumerate((formats.RESULT_SYNTAXES, formats.GRAPH_SYNTAXES)):
        for f in offered:
            for name in f.names:
                kinds = list(names.get(name, (None, None)))
                kinds[index] = f.media_type
                names[name] = (kinds[0], kinds[1])
    return names


FORMAT_NAMES = _format_names()
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Authorization, Content-Type",
    "Access-Control-Expose-Headers": "Content-Type, Location, X-Result-Cap-Bytes, X-Query-Timeout-Seconds",
}
ENDPOINT_PATHS = ("/sparql", "/rdf-graph-store")


class Refused(Exception):
    """A request the endpoint answers with an error status and a message for the client."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def error(status: int, message: str, headers: dict | None = None) -> Response:
    response = Response(message.rstrip() + "\n", status=status, mimetype="text/plain")
    response.headers.update(headers or {})
    return response


def outcome_response(outcome: Outcome) -> Response:
    if not outcome.ok:
        return error(outcome.status, outcome.message, outcome.headers)
    response = Response(outcome.body, status=outcome.status, mimetype=outcome.mimetype)
    response.headers.update(outcome.headers)
    return response


# --- configuration ------------------------------------------------------------------------------------------


def query_pool(app: Flask | None = None) -> QueryPool:
    app = app or current_app
    return app.extensions["amurkg.query_pool"]


def allowlist() -> set[str]:
    value = current_app.config.get("SERVICE_ALLOWLIST") or ""
    items = value if isinstance(value, (list, tuple, set)) else str(value).replace(",", " ").split()
    return {str(item) for item in items}


def write_token() -> str | None:
    token = current_app.config.get("WRITE_TOKEN")
    return str(token) if token not in (None, "") else None


def check_write_permission() -> None:
    """Writes need the configured bearer token: 403 when writes are off or the token is wrong, 401 without one."""
    token = write_token()
    if token is None:
        raise Refused(403, "writes are disabled on this server (no AMURKG_WRITE_TOKEN configured)")
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise Refused(
            401,
            "writes need a bearer token: Authorization: Bearer <token>",
            {"WWW-Authenticate": 'Bearer realm="amurkg"'},
        )
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise Refused(403, "the bearer token is not valid for writes")


def timeout() -> float:
    return float(current_app.config["QUERY_TIMEOUT"])


def max_result_bytes() -> int:
    return int(current_app.config["RESULT_MAX_BYTES"])


def client_gone_check() -> Callable[[], bool] | None:
    """A check whether the client of this request has hung up, for the query pool to stop its query early.

    gunicorn (and Werkzeug's development server) put the client's socket in the WSGI environ. The request has been
    read in full before a query runs, so the socket turning readable with nothing to read (EOF) or reset means the
    client is gone. None where there is no socket to look at (the test client, TLS terminated in the WSGI server).
    """
    sock = request.environ.get("gunicorn.socket") or request.environ.get("werkzeug.socket")
    if not isinstance(sock, socket.socket) or isinstance(sock, ssl.SSLSocket):
        return None  # no socket, or TLS, whose bytes cannot be peeked at
    poller = select.poll()
    poller.register(sock, select.POLLIN | select.POLLHUP | select.POLLERR)

    def gone() -> bool:
        try:
            if not poller.poll(0):
                return False
            # readable: either the client sent more (pipelining: still there) or it closed its side (EOF)
            return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except BlockingIOError:
            return False
        except OSError:  # reset by the peer, or already closed
            return True

    return gone


# --- content negotiation ------------------------------------------------------------------------------------


def negotiate(offered: dict[str, str], format_index: int | None = None) -> str | None:
    """The served media type: format= first, else the best Accept match by q-value (no Accept: the first)."""
    fmt = (request.values.get("format") or request.values.get("output") or "").strip().lower()
    if fmt in FORMAT_NAMES and format_index is not None:
        return FORMAT_NAMES[fmt][format_index]
    if fmt in offered:
        return offered[fmt]
    # an unknown format= (clients such as SPARQLWrapper send their own names) leaves the choice to Accept
    if not request.accept_mimetypes:
        return next(iter(offered.values()))
    best = accepted().best_match(list(offered))
    return offered[best] if best else None


# The answer of a query whose kind the client's Accept does not name, as Jena Fuseki answers it: a client that asks
# every query with one header (Rasqal's roqet sends Accept: application/sparql-results+xml for a CONSTRUCT too)
# gets the kind's usual syntax rather than a 406.
FALLBACK = (formats.RESULTS_XML.media_type, formats.TURTLE.media_type)  # SELECT/ASK, CONSTRUCT/DESCRIBE


def negotiate_answer(offered: dict[str, str], format_index: int) -> str | None:
    """The media type of a query's answer of one kind (``format_index``: 0 SELECT/ASK results, 1 CONSTRUCT/DESCRIBE
    graphs), leniently (docs/decisions/0013-lenient-negotiation.md):

    1. ``format=``, else the Accept header's best match among the kind's own types (no Accept: the first);
    2. else the kind's fallback (SPARQL XML results, Turtle) when the request names some SPARQL answer type of
       either kind with q > 0 (``format=csv`` or ``Accept: application/sparql-results+xml`` for a CONSTRUCT,
       ``Accept: text/turtle`` for a SELECT) and does not refuse the fallback itself with q=0
       (``text/turtle;q=0`` or ``*/*;q=0``);
    3. else None, a 406: the request names no SPARQL answer type at all (``Accept: image/png``, ``text/html``) or
       refuses every one it could get.
    """
    chosen = negotiate(offered, format_index)
    if chosen is not None:
        return chosen
    fallback = FALLBACK[format_index]
    fmt = (request.values.get("format") or request.values.get("output") or "").strip().lower()
    names_an_answer = fmt in FORMAT_NAMES or any(accepted()[mime] > 0 for mime in RESULT_TYPES | GRAPH_TYPES)
    return fallback if names_an_answer and not refuses(fallback) else None


def refuses(mime: str) -> bool:
    """Whether the Accept header gives ``mime`` q=0, by name or by a wildcard (type/* or */*)."""
    kind = mime.split("/")[0]
    return any(quality == 0 and value in (mime, f"{kind}/*", "*/*") for value, quality in accepted())


def accepted() -> MIMEAccept:
    """The Accept header without media type parameters ("text/turtle; charset=utf-8" matches text/turtle); parsed
    once per request (a query negotiates both kinds of answer)."""
    parsed = g.get("amurkg_accepted")
    if parsed is None:
        parsed = g.amurkg_accepted = MIMEAccept(
            [(value.split(";")[0].strip(), quality) for value, quality in request.accept_mimetypes]
        )
    return parsed


# --- reading the request ------------------------------------------------------------------------------------


def single(name: str, values: list[str]) -> str | None:
    if len(values) > 1:
        raise Refused(400, f"more than one '{name}' parameter")
    return values[0] if values else None


def direct_body(expected: str) -> str:
    charset = (request.mimetype_params.get("charset") or "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise Refused(400, f"the {expected} body must be UTF-8, not {charset}")
    try:
        return request.get_data().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(400, f"the {expected} body is not valid UTF-8: {exc}") from None


def read_operation() -> tuple[str, str | None]:
    """('query'|'update'|'none', text) from GET parameters, a form, or a direct POST body."""
    if request.method == "GET":
        if request.args.getlist("update"):
            raise Refused(400, "updates must be sent by POST")
        query = single("query", request.args.getlist("query"))
        return ("query", query) if query is not None else ("none", None)
    mimetype = (request.mimetype or "").lower()
    if mimetype == "application/x-www-form-urlencoded":
        try:
            form = request.form
        except UnicodeDecodeError:
            raise Refused(400, "the form is not valid UTF-8") from None
        query = single("query", form.getlist("query"))
        update = single("update", form.getlist("update"))
        if query is not None and update is not None:
            raise Refused(400, "a request carries either a query or an update, not both")
        if update is not None:
            return "update", update
        if query is not None:
            return "query", query
        raise Refused(400, "the form has no 'query' or 'update' field")
    if mimetype == "application/sparql-query":
        return "query", direct_body("query")
    if mimetype == "application/sparql-update":
        return "update", direct_body("update")
    raise Refused(
        415,
        f"unsupported media type {mimetype or '(none)'!r}: send application/sparql-query, "
        "application/sparql-update or an application/x-www-form-urlencoded form",
    )


def graph_iris(name: str) -> list[str] | None:
    values = request.args.getlist(name) + (
        request.form.getlist(name)
        if request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded"
        else []
    )
    if not values:
        return None
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError as exc:
            raise Refused(400, f"{name} {value!r} is not an IRI: {exc}") from None
    return values


def refuse_fetches(text: str) -> None:
    refused = sparql_guard.refused_urls(text, allowlist())
    if refused:
        raise Refused(
            403,
            "SERVICE and LOAD may only fetch URLs on the server's allow-list "
            f"(AMURKG_SERVICE_ALLOWLIST); refused: {', '.join(refused)}",
        )


# --- CORS and errors for the endpoint's paths ---------------------------------------------------------------


def _ours() -> bool:
    return request.path.startswith(ENDPOINT_PATHS)


def add_cors(response: Response) -> Response:
    if _ours():
        response.headers.update(CORS_HEADERS)
    return response


def http_error(exc: HTTPException):
    if not _ours():
        return exc
    if exc.code == 413:
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        return error(413, f"the request is larger than the server's limit of {limit} bytes")
    headers = {"Allow": ", ".join(exc.valid_methods)} if getattr(exc, "valid_methods", None) else None
    return error(exc.code or 500, exc.description or exc.name, headers)


def unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return http_error(exc)
    current_app.logger.exception("unexpected error")
    return error(500, "internal error; the server log has the details")
