"""The graph explorer: home, search, resource pages behind dereferenceable IRIs, map, graph view, query editor.

Every IRI minted under the base (``{base}taxon/x``) is served at the same path (``/taxon/x``): HTML for browsers,
RDF (Turtle, JSON-LD, N-Triples, RDF/XML) by ``Accept`` or ``?format=``. The namespaces are registered one by one
so the routes of the other blueprints (/sparql, /downloads, /analytics, ...) are never shadowed.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, send_from_directory
from flask_babel import gettext
from markupsafe import Markup
from werkzeug.exceptions import HTTPException

from kg import formats
from kg.namespaces import AMUR, base_iri, prefix_map
from kg.query import named_queries
from kg.store import backend
from kg.store import layout as kgstore
from server import i18n, schemaorg
from server.caching import BuildMemo, validate_by_build
from server.explorer import pages
from server.explorer.basinmap import BasinMap, build_map, region_href
from server.explorer.graphdata import NAMESPACES, SINGLE_IRIS, ask, construct, kind_of, minted_iri, select, short
from server.explorer.search import KIND_TITLES, PROTECTION_FILTERS, SearchIndex, grouped
from server.export import dataset_jsonld
from server.i18n import KIND_TITLES as KIND_NAMES  # the same titles in the interface language

bp = Blueprint("explorer", __name__)

NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
# Browser libraries served from node_modules (installed by `make setup` from package.json).
VENDOR_FILES = {
    "cytoscape.min.js": "cytoscape/dist/cytoscape.min.js",
    "yasgui.min.js": "@zazuko/yasgui/build/yasgui.min.js",
    "yasgui.min.css": "@zazuko/yasgui/build/yasgui.min.css",
}
# a resource's RDF alternates: media type -> (its format= name, the file extension; Oxigraph format), from the
# formats table (kg/formats.py)
RDF_TYPES = {f.media_type: (f.extension, f.rdf_format) for f in formats.DOCUMENT_SYNTAXES}
FORMAT_ALIASES = {alias: mime for mime, (alias, _) in RDF_TYPES.items()} | {
    "turtle": formats.TURTLE.media_type,
    "json": formats.JSON_LD.media_type,
    "xml": formats.RDF_XML.media_type,
    "html": "text/html",
}


class BuildCache(BuildMemo):
    """The search index, the map and the home page's figures of one store build (server/caching.py)."""

    def index(self, store: ox.Store, build: str) -> SearchIndex:
        return self.get(build, "search-index", lambda: SearchIndex.from_store(store))

    def basin_map(self, store: ox.Store, build: str) -> BasinMap:
        return self.get(build, "map", lambda: build_map(store))

    def regions(self, store: ox.Store, build: str) -> dict[str, dict]:
        """ISO 3166-2 code -> {"iri", "label", "species": the IRIs of the species recorded in the region}."""

        def load() -> dict[str, dict]:
            found: dict[str, dict] = {}
            for row in select(store, "region-members"):
                region = found.setdefault(row["code"], {"iri": row["region"], "label": row["label"], "species": set()})
                if row["species"]:
                    region["species"].add(row["species"])
            return dict(sorted(found.items()))

        return self.get(build, "regions", load)

    def names(self, store: ox.Store, build: str) -> dict[str, dict[str, str]]:
        """IRI -> {language: name}: the Chinese and Russian names of places and work lines (amur:NameRecord)."""

        def load() -> dict[str, dict[str, str]]:
            names: dict[str, dict[str, str]] = {}
            result = store.query(pages.bound_query("localised-names", {}), use_default_graph_as_union=True)
            for solution in result:
                name = solution["name"]
                names.setdefault(solution["s"].value, {})[(name.language or "").split("-")[0]] = name.value
            return names

        return self.get(build, "names", load)


def _handle() -> backend.StoreHandle | backend.RemoteHandle:
    return current_app.extensions["amurkg.store"]


def _store() -> tuple[ox.Store, str]:
    handle = _handle()
    try:
        store = handle.get()
    except kgstore.StoreMissing:
        abort(503)
    return store, handle.build_id or ""


def _cache() -> BuildCache:
    return current_app.extensions.setdefault("amurkg.explorer", BuildCache())


def _map_context(highlight: set[str] | None = None) -> dict:
    store, build = _store()
    return {"basin_map": _cache().basin_map(store, build), "highlight": highlight or set(), "region_href": region_href}


def _negotiated() -> str:
    # only the dereferenceable IRIs negotiate; the other views have one representation
    return _wanted_type() if (request.endpoint or "").startswith("explorer.iri_") else ""


# pages and JSON views: an ETag of build and representation, 304 on a match (server/caching.py); the vendored
# browser libraries have their own max-age
validate_by_build(bp, _negotiated, skip=frozenset({"explorer.vendor"}))


def local_name(iri: str | None, english: str | None) -> Markup:
    """The resource's name in the reader's language where the graph has one (a curated name, ingest/regions.py);
    else the English name, visibly marked as a fallback."""
    text = english or short(iri or "")
    code = i18n.language_code()
    if code == "en" or not iri:
        return Markup.escape(text)
    store, build = _store()
    name = _cache().names(store, build).get(iri, {}).get(code)
    if name:
        return Markup('<span lang="{}" class="local-name">{}</span>').format(i18n.LANGUAGES[code][2], name)
    return Markup('<span lang="en">{}</span> <abbr class="lang-fallback" title="{}">EN</abbr>').format(
        text, gettext("No name in this language in the graph: the English name is shown.")
    )


@bp.app_context_processor
def explorer_helpers() -> dict:
    return {
        "link": pages.link,
        "short": short,
        "kind_of": kind_of,
        "base": base_iri(),
        "lang_attr": pages.lang_attr,
        "jsonld_script": schemaorg.script,
        "local_name": local_name,
        "no_placement_reasons": pages.NO_PLACEMENT_REASONS,
    }


# --- home, search, map, query editor -------------------------------------------------------------------------


@bp.get("/")
def home():
    handle = _handle()
    info = handle.manifest()
    if info is None:
        return render_template("explorer/empty.html"), 503
    store, build = _store()
    figures = _cache().get(build, "home", lambda: home_figures(store))
    return render_template("explorer/home.html", info=info, **figures, jsonld=dataset_jsonld(), **_map_context())


def home_figures(store: ox.Store) -> dict:
    """The home page's tables: seconds of queries over the whole graph, so computed once per build."""
    return {
        "counts": {short(r["class"]): int(r["n"]) for r in select(store, "counts")},
        "summary": pages.summary_table(select(store, "summary")),
        "national": pages.summary_table(select(store, "summary-national")),
        "sources": select(store, "sources-list"),
        "coverage": select(store, "coverage"),
        "placements": [
            {
                **row,
                "recorded_links": int(row["recorded_links"] or 0),
                "possible_links": int(row["possible_links"] or 0),
            }
            for row in select(store, "placement-status")
        ],
    }


@bp.get("/search")
def search_page():
    q = request.args.get("q", "").strip()
    region = request.args.get("region", "").strip()
    # the filter by legal protection or trade status (China's 2021 lists, CITES as of 2017-04-21); unknown = none
    protection = request.args.get("protection", "")
    protection = protection if protection in PROTECTION_FILTERS else ""
    groups = []
    if q or region or protection:
        store, build = _store()
        regions = _cache().regions(store, build)
    else:  # the empty form needs no store; its region list is offered once the store answers
        try:
            store, build = _store()
            regions = _cache().regions(store, build)
        except HTTPException:
            regions = {}
    if region and region not in regions:
        region = ""  # an unknown code filters nothing (the form offers the known ones)
    if q or protection:
        index = _cache().index(store, build)
        filtered = bool(region or protection)
        hits = index.search(q, limit=2000 if filtered else 60) if q else None
        if protection:
            hits = index.with_protection(protection, hits) if hits is not None else index.with_protection(protection)
        if region:
            # species recorded in the region (amur:recordedInRegion); the other kinds are not in a region
            members = regions[region]["species"]
            hits = [h for h in hits if h.entry.iri in members]
        groups = grouped(hits[:60] if filtered and q else hits)
    # typo matches come only when nothing else matches, so one fuzzy hit means all are
    fuzzy = any(hit.fuzzy for _, _, hits in groups for hit in hits)
    return render_template(
        "explorer/search.html",
        q=q,
        groups=groups,
        fuzzy=fuzzy,
        regions=regions,
        region=region,
        protection=protection,
        protection_filters=PROTECTION_FILTERS,
    )


@bp.get("/explore/search.json")
def search_json():
    """Autocomplete: the best matches of a name, each with its kind, label and page."""
    q = request.args.get("q", "").strip()
    try:
        limit = min(int(request.args.get("limit", 12)), 50)
    except ValueError:
        limit = 12
    store, build = _store()
    hits = _cache().index(store, build).search(q, limit=limit) if q else []
    return jsonify(
        {
            "query": q,
            "results": [
                {
                    "iri": h.entry.iri,
                    "href": pages.link(h.entry.iri),
                    "label": h.entry.label,
                    "matched": h.matched,
                    "kind": h.entry.kind,
                    "kind_title": str(KIND_NAMES.get(h.entry.kind, KIND_TITLES[h.entry.kind])),
                    "category": h.entry.category,
                    "fuzzy": h.fuzzy,
                }
                for h in hits
            ],
        }
    )


@bp.get("/map")
def map_page():
    return render_template("explorer/map.html", **_map_context())


@bp.get("/query")
def query_page():
    examples = [
        {"name": q.name, "title": q.title, "description": q.description, "text": q.text} for q in named_queries()
    ]
    selected = request.args.get("example")
    return render_template("explorer/query.html", examples=examples, prefixes=prefix_map(), selected=selected)


@bp.get("/vendor/<name>")
def vendor(name: str):
    if name not in VENDOR_FILES:
        abort(404)
    relative = Path(VENDOR_FILES[name])
    return send_from_directory(NODE_MODULES / relative.parent, relative.name, max_age=86400)


# --- interactive graph -----------------------------------------------------------------------------------------


def neighbourhood(store: ox.Store, iri: str, per_property: int = 25) -> tuple[list[dict], list[dict]]:
    """Nodes and edges around one node, at most a few per property so hubs (an ecoregion) stay readable."""
    rows = [{**row, "dir": "out"} for row in select(store, "neighbours-out", iri)]
    for predicate in select(store, "neighbours-in-predicates", iri):
        rows += [{**row, "dir": "in"} for row in select(store, "neighbours-in", iri, p=predicate["p"])]
    seen_per_property: dict[tuple[str, str], int] = {}
    nodes: dict[str, dict] = {}
    edges: dict[str, dict] = {}
    for row in rows:
        key = (row["dir"], row["p"])
        other = row["other"]
        if other not in nodes:
            if seen_per_property.get(key, 0) >= per_property:
                continue
            seen_per_property[key] = seen_per_property.get(key, 0) + 1
            nodes[other] = _node(other, row["label"], row["type"])
        elif row["type"] and nodes[other]["type"] == "other":
            nodes[other]["type"] = short(row["type"])
        source, target = (iri, other) if row["dir"] == "out" else (other, iri)
        edge_id = f"{source} {row['p']} {target}"
        edges[edge_id] = {"id": edge_id, "source": source, "target": target, "label": short(row["p"])}
    return list(nodes.values()), list(edges.values())


def _node(iri: str, label: str | None, rdf_type: str | None) -> dict:
    return {
        "id": iri,
        "label": label or short(iri),
        "href": pages.link(iri),
        "type": short(rdf_type) if rdf_type else "other",
        "kind": kind_of(iri),
    }


def own_node(store: ox.Store, iri: str) -> dict:
    """A node described by its own label and type (the centre of a view, the start of a path)."""
    own = select(store, "outgoing", iri)
    label = next((r["o"] for r in own if r["p"] == pages.RDFS_LABEL), None)
    rdf_type = next(
        (
            r["o"]
            for r in own
            if r["p"] == pages.RDF_TYPE
            and r["o"]
            and (r["o"].startswith(str(AMUR._NS)) or r["o"] == pages.DWC + "Taxon")
        ),
        None,
    )
    return _node(iri, label, rdf_type)


@bp.get("/explore/neighbourhood.json")
def neighbourhood_json():
    iri = minted_iri(request.args.get("iri", ""))
    if iri is None:
        return jsonify({"error": "iri must be a valid IRI minted under " + base_iri()}), 400
    store, _ = _store()
    nodes, edges = neighbourhood(store, iri)
    centre = own_node(store, iri)
    return jsonify({"centre": centre, "nodes": [centre] + [n for n in nodes if n["id"] != iri], "edges": edges})


@bp.get("/explore/path.json")
def path_json():
    """A shortest path between two nodes (breadth-first over the same neighbourhoods, a bounded search)."""
    start, goal = minted_iri(request.args.get("from", "")), minted_iri(request.args.get("to", ""))
    if start is None or goal is None:
        return jsonify({"error": "from and to must be valid IRIs minted under " + base_iri()}), 400
    store, _ = _store()
    parents: dict[str, tuple[str, dict] | None] = {start: None}
    frontier = deque([(start, 0)])
    visited_nodes: dict[str, dict] = {start: own_node(store, start)}
    found = start == goal
    expansions = 0
    while frontier and not found and expansions < 300:
        node, depth = frontier.popleft()
        if depth >= 4:
            continue
        expansions += 1
        nodes, edges = neighbourhood(store, node)
        for n in nodes:
            visited_nodes.setdefault(n["id"], n)
        for edge in edges:
            other = edge["target"] if edge["source"] == node else edge["source"]
            if other not in parents:
                parents[other] = (node, edge)
                if other == goal:
                    found = True
                    break
                frontier.append((other, depth + 1))
    if not found:
        return jsonify({"found": False, "nodes": [], "edges": []})
    path_nodes, path_edges = [], []
    current = goal
    while current is not None:
        path_nodes.append(visited_nodes.get(current) or _node(current, None, None))
        step = parents[current]
        if step is None:
            break
        current, edge = step
        path_edges.append(edge)
    return jsonify({"found": True, "nodes": path_nodes[::-1], "edges": path_edges[::-1]})


# --- dereferenceable IRIs --------------------------------------------------------------------------------------


def _wanted_type() -> str:
    fmt = request.args.get("format")
    if fmt:
        return FORMAT_ALIASES.get(fmt, fmt)
    offered = ["text/html", *RDF_TYPES]
    if not request.accept_mimetypes or request.accept_mimetypes.best == "*/*":
        return "text/html"
    return request.accept_mimetypes.best_match(offered) or ""


def resource(path: str):
    iri = minted_iri(base_iri() + path)
    if iri is None:  # e.g. /taxon/%ff or /taxon/a%00b: no IRI, so no resource
        return Response("no resource here: the path is not a valid IRI\n", status=404, mimetype="text/plain")
    store, _ = _store()
    wanted = _wanted_type()
    if wanted != "text/html" and wanted not in RDF_TYPES:
        return Response(
            "not acceptable; available: text/html, " + ", ".join(RDF_TYPES) + "\n", status=406, mimetype="text/plain"
        )
    if not ask(store, "exists", iri):
        if wanted == "text/html":
            return render_template("explorer/404.html", iri=iri), 404
        return Response(f"no resource {iri} in the graph\n", status=404, mimetype="text/plain")
    alternates = [(mime, f"/{path}?format={alias}") for mime, (alias, _) in RDF_TYPES.items()]
    if wanted in RDF_TYPES:
        triples = construct(store, "describe", iri)
        prefixes = {p: ns for p, ns in prefix_map().items() if p != "ak"}
        fmt = RDF_TYPES[wanted][1]
        body = (
            ox.serialize(triples, format=fmt, prefixes=prefixes)
            if fmt == formats.TURTLE.rdf_format
            else (ox.serialize(triples, format=fmt))
        )
        response = Response(body, mimetype=wanted)
    else:
        response = Response(render_resource(store, iri, path, alternates), mimetype="text/html")
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = ", ".join(f'<{href}>; rel="alternate"; type="{mime}"' for mime, href in alternates)
    return response


def render_resource(store: ox.Store, iri: str, path: str, alternates: list[tuple[str, str]]) -> str:
    stmts = pages.statements(store, iri)
    kind = pages.page_kind(iri, stmts)
    sections: dict = {}
    highlight: set[str] = set()
    if kind == "taxon":
        sections = pages.taxon_sections(store, iri, stmts)
    elif kind == "ecoregion":
        sections = pages.ecoregion_sections(store, iri)
    elif kind == "region":
        sections = pages.region_sections(store, iri)
    elif kind == "concept":
        sections = pages.concept_sections(store, iri, kind_of(iri))
    elif kind == "source":
        sections = pages.source_sections(store, iri)
    highlight = sections.get("highlight", set())
    context = _map_context(highlight) if highlight else {}
    title = pages.title_of(stmts, iri)
    jsonld = None
    if kind == "taxon":
        jsonld = schemaorg.taxon(iri, stmts, sections)
    elif kind == "ecoregion":
        wkt = next((row["wkt"] for row in select(store, "ecoregion-wkt", iri)), None)
        jsonld = schemaorg.place(iri, title, pages.first_text(stmts, pages.SKOS + "notation"), wkt)
    return render_template(
        "explorer/resource.html",
        iri=iri,
        path=path,
        kind=kind,
        ns=kind_of(iri),
        stmts=stmts,
        title=title,
        incoming=pages.incoming(store, iri) if kind == "generic" else [],
        s=sections,
        alternates=alternates,
        jsonld=jsonld,
        **context,
    )


def _register_iri_routes() -> None:
    for namespace in NAMESPACES:

        def view(rest: str, _namespace: str = namespace):
            return resource(f"{_namespace}/{rest}")

        bp.add_url_rule(f"/{namespace}/<path:rest>", endpoint=f"iri_{namespace}", view_func=view)
    for name in SINGLE_IRIS:

        def single(_name: str = name):
            return resource(_name)

        bp.add_url_rule(f"/{name}", endpoint=f"iri_{name}_itself", view_func=single)


_register_iri_routes()


@bp.errorhandler(503)
def no_store(_exc):
    return render_template("explorer/empty.html"), 503
