"""Network analytics over HTTP: a JSON API under /api/analytics/ and explorer pages with charts under /analytics/."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l

from kg import analytics
from kg.namespaces import base_iri
from kg.store import backend
from kg.store import layout as kgstore
from server.caching import validate_by_build

bp = Blueprint("analytics", __name__)
# an analysis is a function of the build and its URL: an ETag, and 304 on a match (server/caching.py)
validate_by_build(bp)

ANALYSES = {
    "threats": "Threat exposure: IUCN threats ranked by the species they affect, weighted by red-list category",
    "gaps": "Conservation gaps: what no action or initiative addresses",
    "similarity": "Ecoregion similarity: Jaccard of species sets, with clusters",
    "centrality": "Key nodes: betweenness and degree centrality",
    "path": "Connection paths: how two things are linked",
}
# the same titles on the pages, in the interface language (ANALYSES stays the API's English description)
TITLES = {
    "threats": _l("Threat exposure: IUCN threats ranked by the species they affect, weighted by red-list category"),
    "gaps": _l("Conservation gaps: what no action or initiative addresses"),
    "similarity": _l("Ecoregion similarity: Jaccard of species sets, with clusters"),
    "centrality": _l("Key nodes: betweenness and degree centrality"),
    "path": _l("Connection paths: how two things are linked"),
}


def _graph():
    handle: backend.StoreHandle | backend.RemoteHandle = current_app.extensions["amurkg.store"]
    return analytics.load(handle)


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(request.args.get(name, default))
    except ValueError:
        value = default
    return max(low, min(high, value))


def _possible() -> bool:
    """?possible=true: count possible placements (amur:possiblyOccursIn) besides the recorded ones."""
    return request.args.get("possible", "").lower() in ("1", "true", "yes", "on")


def _analysis(name: str) -> tuple[analytics.Analysis, str]:
    graph, build_id = _graph()
    if name == "threats":  # inferred threats come from recorded placements only
        return analytics.run(graph, name), build_id
    if name == "centrality":
        return analytics.run(graph, name, top=_int_arg("top", 10, 1, 100), possible=_possible()), build_id
    if name == "path":
        start, end = request.args.get("from", ""), request.args.get("to", "")
        return analytics.run(graph, name, start, end, limit=_int_arg("limit", 5, 1, 20), possible=_possible()), build_id
    return analytics.run(graph, name, possible=_possible()), build_id


def _problem(status: int, message: str, html: bool) -> Response:
    if html:
        return Response(render_template("analytics/error.html", message=message), status=status)
    return jsonify({"error": message}), status


@bp.get("/api/analytics/")
def api_index():
    return jsonify({name: {"description": text, "url": f"/api/analytics/{name}"} for name, text in ANALYSES.items()})


@bp.get("/api/analytics/<name>")
def api(name: str):
    if name not in ANALYSES:
        return _problem(404, f"no analysis {name!r}; available: {', '.join(ANALYSES)}", html=False)
    if name == "path" and not (request.args.get("from") and request.args.get("to")):
        return _problem(400, "give both ?from= and ?to= (an IRI, a scientific name, a label or a notation)", False)
    try:
        result, build_id = _analysis(name)
    except kgstore.StoreMissing as exc:
        return _problem(503, str(exc), html=False)
    except analytics.NotFound as exc:
        return _problem(404, str(exc), html=False)
    response = jsonify({"build": build_id, **result.as_json()})
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/analytics/")
def index():
    return render_template("analytics/index.html", analyses=TITLES)


@bp.get("/analytics/<name>")
def page(name: str):
    if name not in ANALYSES:
        return _problem(404, f"no analysis {name!r}", html=True)
    if name == "path" and not (request.args.get("from") and request.args.get("to")):
        return render_template(
            "analytics/path.html",
            result=None,
            start=request.args.get("from", ""),
            end=request.args.get("to", ""),
            title=TITLES[name],
        )
    try:
        result, build_id = _analysis(name)
    except kgstore.StoreMissing as exc:
        return _problem(503, str(exc), html=True)
    except analytics.NotFound as exc:
        if name == "path":
            return render_template(
                "analytics/path.html",
                result=None,
                error=str(exc),
                title=TITLES[name],
                start=request.args.get("from", ""),
                end=request.args.get("to", ""),
            ), 404
        return _problem(404, str(exc), html=True)
    return render_template(
        f"analytics/{name}.html",
        result=result,
        build_id=build_id,
        title=TITLES[name],
        base=base_iri(),
        start=request.args.get("from", ""),
        end=request.args.get("to", ""),
    )
