"""The SPARQL 1.1 Graph Store Protocol at /rdf-graph-store: ?default, ?graph=IRI, and direct identification
(/rdf-graph-store/<path> names the graph whose IRI is that request URL).

Reads (GET, HEAD) are always on and run in the query workers; writes (PUT, POST, DELETE) need the bearer token and
become a new build swapped in atomically, like SPARQL Update.
"""

from __future__ import annotations

import uuid
from typing import Literal

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request

from kg.store.answers import GRAPH_FORMATS
from kg.store.jobs import GraphReadJob, GraphWriteJob
from kg.store.writes import UPLOAD_FORMATS
from server.protocol import (
    GRAPH_TYPES,
    Refused,
    check_write_permission,
    client_gone_check,
    error,
    max_result_bytes,
    negotiate,
    outcome_response,
    query_pool,
    timeout,
    unexpected,
)

bp = Blueprint("gsp", __name__)
bp.register_error_handler(Exception, unexpected)
METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]


def target_graph(direct: bool) -> str | None:
    """The graph IRI a request names; None for the default graph."""
    if direct:
        return request.base_url
    graphs = request.args.getlist("graph")
    if "default" in request.args and graphs:
        raise Refused(400, "give either ?default or ?graph=IRI, not both")
    if "default" in request.args:
        return None
    if len(graphs) != 1:
        raise Refused(400, "name one graph: ?default or ?graph=IRI")
    try:
        ox.NamedNode(graphs[0])
    except ValueError as exc:
        raise Refused(400, f"graph {graphs[0]!r} is not an IRI: {exc}") from None
    return graphs[0]


def uploaded_parts() -> list[tuple[bytes, str]]:
    """The RDF payload: one body in an RDF media type, or the files of a multipart/form-data request."""
    mimetype = (request.mimetype or "").lower()
    if mimetype == "multipart/form-data":
        parts = []
        for upload in request.files.values():
            part_type = (upload.mimetype or "").lower()
            if part_type not in UPLOAD_FORMATS:
                raise Refused(415, f"unsupported media type {part_type!r} in part {upload.name!r}")
            parts.append((upload.read(), part_type))
        return parts
    if mimetype not in UPLOAD_FORMATS:
        raise Refused(
            415,
            f"unsupported media type {mimetype or '(none)'!r}; send one of "
            + ", ".join(UPLOAD_FORMATS)
            + " or multipart/form-data",
        )
    return [(request.get_data(), mimetype)]


def graph_store(direct: bool) -> Response:
    try:
        if request.method in ("GET", "HEAD"):
            graph = target_graph(direct)
            mime = negotiate(GRAPH_TYPES, 1)
            if mime is None:
                raise Refused(406, "no acceptable RDF format; available: " + ", ".join(GRAPH_FORMATS))
            job = GraphReadJob(graph=graph, graph_mime=mime, max_bytes=max_result_bytes())
            response = outcome_response(query_pool().run(job, timeout(), client_gone_check()))
            response.vary.add("Accept")
            return response
        check_write_permission()
        location = None
        if request.method == "POST" and not direct and not request.args:
            # POST to the store itself creates a new graph and answers with its IRI
            location = request.base_url.rstrip("/") + "/" + uuid.uuid4().hex
            graph: str | None = location
        else:
            graph = target_graph(direct)
        method: Literal["put", "post", "delete"] = (
            "put" if request.method == "PUT" else "post" if request.method == "POST" else "delete"
        )
        parts = tuple(uploaded_parts()) if method != "delete" else ()
        write = GraphWriteJob(method=method, graph=graph, base_iri=graph or request.base_url, parts=parts)
        outcome = current_app.extensions["amurkg.store"].write(write, timeout())
        response = outcome_response(outcome)
        if location and outcome.ok:
            response.status_code = 201
            response.headers["Location"] = location
        return response
    except Refused as exc:
        return error(exc.status, exc.message, exc.headers)


@bp.route("/rdf-graph-store", methods=METHODS)
def indirect():
    return graph_store(direct=False)


@bp.route("/rdf-graph-store/<path:name>", methods=METHODS)
def direct(name: str):
    return graph_store(direct=True)
