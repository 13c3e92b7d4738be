"""The SPARQL endpoint: /sparql by GET and POST (form or direct), SPARQL 1.1 results by Accept or format=."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, jsonify, render_template, request

from kg import store as kgstore

bp = Blueprint("sparql", __name__)

SELECT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
FORMAT_ALIASES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                  "csv": "text/csv", "tsv": "text/tab-separated-values", "ttl": "text/turtle",
                  "turtle": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
                  "rdfxml": "application/rdf+xml"}


def error(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def query_text() -> tuple[str | None, Response | None]:
    if request.method == "GET":
        return request.args.get("query"), None
    content_type = (request.mimetype or "").lower()
    if content_type == "application/x-www-form-urlencoded":
        return request.form.get("query"), None
    if content_type == "application/sparql-query":
        try:
            return request.get_data().decode("utf-8"), None
        except UnicodeDecodeError:
            return None, error(400, "the query is not valid UTF-8")
    return None, error(415, f"unsupported media type {content_type!r}: use application/sparql-query or a form")


def choose(types: dict) -> str | None:
    fmt = request.args.get("format") or request.form.get("format") if request.method == "POST" else (
        request.args.get("format"))
    if fmt:
        mime = FORMAT_ALIASES.get(fmt, fmt)
        return mime if mime in types else None
    if not request.accept_mimetypes or request.accept_mimetypes.best == "*/*":
        return next(iter(types))
    return request.accept_mimetypes.best_match(list(types))


@bp.route("/sparql", methods=["GET", "POST"])
def sparql():
    query, problem = query_text()
    if problem:
        return problem
    if not query:
        if request.accept_mimetypes.accept_html:
            return render_template("sparql.html")
        return error(400, "missing 'query' parameter")
    handle: kgstore.StoreHandle = current_app.extensions["amurkg.store"]
    try:
        store = handle.get()
    except kgstore.StoreMissing as exc:
        return error(503, str(exc))
    try:
        result = store.query(query, use_default_graph_as_union=True)
    except SyntaxError as exc:
        return error(400, f"malformed query: {exc}")
    except OSError as exc:  # evaluation errors raised by Oxigraph
        return error(500, f"query failed: {exc}")
    types = SELECT_TYPES if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)) else GRAPH_TYPES
    mime = choose(types)
    if mime is None:
        return error(406, "no acceptable result format; available: " + ", ".join(types))
    body = result.serialize(format=types[mime])
    response = Response(body, mimetype=mime)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Vary"] = "Accept"
    return response


@bp.errorhandler(413)
def too_large(_exc):
    return jsonify({"error": "request too large"}), 413
