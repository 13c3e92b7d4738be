"""The SPARQL 1.1 Protocol endpoint at /sparql: queries (GET, POST form, POST direct), updates (POST, with a
bearer token), the service description and an HTML page when there is no query.

Queries run in killable worker processes (kg.store.pool); writes become a new build swapped in atomically
(kg.store.writes).
Errors are short text/plain messages, never stack traces.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from kg import formats, sparql_guard
from kg.store import layout as kgstore
from kg.store.answers import GRAPH_FORMATS
from kg.store.jobs import QueryJob, UpdateJob
from server import service_description
from server.caching import etag, not_modified, response_cache, validated
from server.protocol import (  # noqa: F401 - client_gone_check and the rest are the endpoint's toolkit
    CORS_HEADERS,
    ENDPOINT_PATHS,
    FORMAT_NAMES,
    GRAPH_TYPES,
    RESULT_TYPES,
    Refused,
    accepted,
    add_cors,
    allowlist,
    check_write_permission,
    client_gone_check,
    direct_body,
    error,
    graph_iris,
    http_error,
    max_result_bytes,
    negotiate,
    negotiate_answer,
    outcome_response,
    query_pool,
    read_operation,
    refuse_fetches,
    single,
    timeout,
    unexpected,
    write_token,
)

bp = Blueprint("sparql", __name__)
# CORS and short errors on the endpoints' paths (server/protocol.py)
bp.after_app_request(add_cors)
bp.app_errorhandler(HTTPException)(http_error)
bp.errorhandler(Exception)(unexpected)


# --- the endpoint -------------------------------------------------------------------------------------------


@bp.route("/sparql", methods=["GET", "POST"])
@bp.route("/sparql/", methods=["GET", "POST"])
def sparql():
    try:
        kind, text = read_operation()
        if kind == "none":
            return describe_service()
        if kind == "query":
            return run_query(text or "")
        return run_update(text or "")
    except Refused as exc:
        return error(exc.status, exc.message, exc.headers)


def run_query(query: str) -> Response:
    if graph_iris("using-graph-uri") or graph_iris("using-named-graph-uri"):
        raise Refused(400, "using-graph-uri and using-named-graph-uri are parameters of updates, not queries")
    refuse_fetches(query)
    default_graph, named_graphs = graph_iris("default-graph-uri"), graph_iris("named-graph-uri")
    job = QueryJob(
        query=query,
        base_iri=request.base_url,
        default_graph=tuple(default_graph) if default_graph is not None else None,
        named_graphs=tuple(named_graphs) if named_graphs is not None else None,
        results_mime=negotiate_answer(RESULT_TYPES, 0),
        graph_mime=negotiate_answer(GRAPH_TYPES, 1),
        max_bytes=max_result_bytes(),
    )
    # GET and POST (form or direct) share the per-build cache: the answer is keyed by what shapes it, not by how
    # the query came; only a GET may be answered 304 (a conditional POST is not a cache validation)
    tag, build = query_etag(job)
    posted = request.method == "POST"
    if tag and (known := (None if posted else not_modified(tag)) or response_cache().get(tag)) is not None:
        return unvalidated(known) if posted else known
    outcome = query_pool().run(job, timeout(), client_gone_check())
    if tag and outcome.build not in (None, build):
        # a rebuild swapped in another build between the tag and the run: the answer is that build's
        tag, build = query_etag(job, outcome.build)
    response = outcome_response(outcome)
    response.vary.add("Accept")
    if tag:
        validated(response, tag, weak=True)
        response_cache().put(tag, build, response)  # with its validators: a GET may be served this copy
    return unvalidated(response) if posted else response


def unvalidated(response: Response) -> Response:
    """A POST's answer without ETag and Cache-Control: no HTTP cache keeps or validates a POST's answer."""
    for header in ("ETag", "Cache-Control"):
        response.headers.pop(header, None)
    return response


# A query whose answer is not a function of the graph alone: a clock, randomness, fresh blank nodes or IRIs, or
# another endpoint's data. Such queries get no ETag.
UNSTABLE = re.compile(r"\b(NOW|RAND|UUID|STRUUID|BNODE)\s*\(|\bSERVICE\b", re.IGNORECASE)


def query_etag(job: QueryJob, build: str | None = None) -> tuple[str | None, str | None]:
    """The ETag of a query's answer and the build it names (by default the store's current build): the build, and
    everything of the request that shapes the answer (query, base, dataset, formats), whatever the method: a GET's
    answer is cached by browsers and proxies too, a POST's (the query editor, YASGUI, sends POST) only here."""
    if UNSTABLE.search(job.query):
        return None, None
    try:
        build = build or current_app.extensions["amurkg.store"].build_id
    except (kgstore.StoreMissing, OSError):
        return None, None  # the query itself reports the missing or unreachable store
    if not build:
        return None, None
    dataset = [" ".join(iris) if iris is not None else "-" for iris in (job.default_graph, job.named_graphs)]
    return etag(
        build, "sparql", job.query, job.base_iri or "", *dataset, job.results_mime or "", job.graph_mime or ""
    ), build


def run_update(update: str) -> Response:
    check_write_permission()
    if graph_iris("default-graph-uri") or graph_iris("named-graph-uri"):
        raise Refused(400, "default-graph-uri and named-graph-uri are parameters of queries, not updates")
    using, using_named = graph_iris("using-graph-uri") or [], graph_iris("using-named-graph-uri") or []
    if (using or using_named) and sparql_guard.names_own_dataset(update):
        raise Refused(
            400,
            "the update names its dataset (USING or WITH) and the request also gives "
            "using-graph-uri/using-named-graph-uri; give one or the other",
        )
    refuse_fetches(update)
    job = UpdateJob(update=sparql_guard.add_using(update, using, using_named), base_iri=request.base_url)
    return outcome_response(current_app.extensions["amurkg.store"].write(job, timeout()))


def describe_service() -> Response:
    offered = {"text/html": "text/html"} | GRAPH_TYPES
    # RDF clients get the description; browsers (text/html ranked above RDF) get the query page
    if (
        request.method == "GET"
        and not request.values.get("format")
        and accepted().best_match(list(offered), default=formats.TURTLE.media_type) == "text/html"
    ):
        return Response(render_template("sparql.html", writes=write_token() is not None))
    if request.method != "GET":
        raise Refused(400, "missing 'query' or 'update'")
    mime = negotiate(GRAPH_TYPES, 1)
    if mime is None:
        raise Refused(406, "no acceptable format for the service description; available: " + ", ".join(GRAPH_FORMATS))
    body = service_description.describe(request.base_url, mime)
    response = Response(body, mimetype=mime)
    response.vary.add("Accept")
    return response
