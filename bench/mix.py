"""The query mix: the research questions of queries/*.rq, and the explorer's own requests.

Each item is what one user action costs. A SPARQL item is one query, sent as is to every peer. An explorer item is
one HTTP request to our server (search, a species page, its neighbourhood, an analytics table); on the peers,
which have no explorer, it is the sequence of SPARQL queries the explorer runs for that request (the same
queries/explorer/*.rq, with the resource's IRI bound by a VALUES block), or nothing where no SPARQL equivalent
exists (the analytics tables are computed in Python by networkx).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from kg.namespaces import BASE
from kg.query import QUERIES_DIR, bind, named_queries, with_prefixes

BENCH_QUERIES = Path(__file__).resolve().parent / "queries"
EXPLORER_QUERIES = QUERIES_DIR / "explorer"
# What a SPARQL client asks for, and what a browser sends for a page (Firefox's and Chromium's default): a page item
# must be timed as the HTML a user gets, not as whatever representation the server would negotiate for a client.
SPARQL_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, */*;q=0.1"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# a query's answer in any SPARQL representation (rdflib-endpoint labels its JSON results application/json)
SPARQL_TYPES = ("application/sparql-results+json", "application/json", "application/n-triples", "text/turtle")
HTML = ("text/html",)
JSON = ("application/json",)


@dataclass
class Item:
    """One request of the mix.

    ``sparql`` is what the peers run (one query or a sequence, summed); ``path`` is the explorer request on our
    server (None for a plain SPARQL item, which our server answers at /sparql like the others). ``accept`` is the
    request's Accept header and ``expect`` the content types a correct answer may have: any other type, or a
    status other than 200, makes the run an error instead of a timing.
    """

    name: str
    kind: str  # "sparql" or "explorer"
    sparql: list[str] = field(default_factory=list)
    path: str | None = None
    note: str = ""
    accept: str = SPARQL_ACCEPT
    expect: tuple[str, ...] = SPARQL_TYPES


def sparql_items() -> list[Item]:
    """Every queries/*.rq without parameters (its `# params:` header is empty)."""
    return [Item(q.name, "sparql", [with_prefixes(q.text)]) for q in named_queries() if not q.params]


def explorer_query(name: str, **values: str) -> str:
    return bind(with_prefixes((EXPLORER_QUERIES / f"{name}.rq").read_text(encoding="utf-8")), values)


def search_query(words: str) -> str:
    """What a peer without a search index would run for the explorer's search box."""
    text = with_prefixes((BENCH_QUERIES / "search-labels.rq").read_text(encoding="utf-8"))
    return bind(text, {"q": '"' + words.lower().replace("\\", "").replace('"', "") + '"'})


# the queries behind the home page's figures (server/explorer/__init__.py, home)
HOME_QUERIES = ("counts", "summary", "summary-national", "sources-list", "coverage", "placement-status")


def explorer_items(
    species: str, ecoregion: str, incoming_predicates: list[str], path_ends: tuple[str, str], routes: set[str]
) -> tuple[list[Item], list[str]]:
    """The explorer's requests that exist on the server now (``routes``: its URL rules) and the names of the missing.

    ``species`` and ``ecoregion`` are IRIs; ``incoming_predicates`` are the predicates linking to the species (the
    neighbourhood reads each of them); ``path_ends`` are two names for the analytics path.
    """
    iri = f"<{species}>"
    taxon_page = [
        "exists",
        "outgoing",
        "taxon-chain",
        "taxon-assessments",
        "taxon-ecoregions",
        "taxon-threats",
        "taxon-actions",
        "sources-of",
    ]
    neighbourhood = [explorer_query("neighbours-out", iri=iri), explorer_query("neighbours-in-predicates", iri=iri)]
    neighbourhood += [explorer_query("neighbours-in", iri=iri, p=f"<{p}>") for p in incoming_predicates]
    neighbourhood.append(explorer_query("outgoing", iri=iri))
    home = [with_prefixes((EXPLORER_QUERIES / f"{q}.rq").read_text(encoding="utf-8")) for q in HOME_QUERIES]
    page = {"accept": BROWSER_ACCEPT, "expect": HTML}
    as_json = {"accept": "application/json", "expect": JSON}
    wanted = [
        (Item("home page", "explorer", home, "/", "peers: the page's figures, without the map", **page), "/"),
        (
            Item(
                "search: tiger",
                "explorer",
                [search_query("tiger")],
                "/explore/search.json?q=tiger",
                "peers: a CONTAINS filter over the labels",
                **as_json,
            ),
            "/explore/search.json",
        ),
        (
            Item(
                "search: crane (typo 'crain')",
                "explorer",
                [search_query("crain")],
                "/explore/search.json?q=crain",
                "peers: a CONTAINS filter (finds nothing: no typo tolerance)",
                **as_json,
            ),
            "/explore/search.json",
        ),
        (
            Item(
                "species page",
                "explorer",
                [explorer_query(q, iri=iri) for q in taxon_page],
                "/" + species[len(BASE) :],
                "peers: the page's 8 queries",
                **page,
            ),
            "/taxon/<path:rest>",
        ),
        (
            Item(
                "species as Turtle",
                "explorer",
                [explorer_query("exists", iri=iri), explorer_query("describe", iri=iri)],
                "/" + species[len(BASE) :] + "?format=ttl",
                "peers: exists + describe",
                accept="text/turtle",
                expect=("text/turtle",),
            ),
            "/taxon/<path:rest>",
        ),
        (
            Item(
                "ecoregion page",
                "explorer",
                [
                    explorer_query(q, iri=f"<{ecoregion}>")
                    for q in (
                        "exists",
                        "outgoing",
                        "ecoregion-species-summary",
                        "ecoregion-threatened-species",
                        "ecoregion-threats",
                        "ecoregion-initiatives",
                    )
                ],
                "/" + ecoregion[len(BASE) :],
                "peers: the page's main queries, without the map",
                **page,
            ),
            "/ecoregion/<path:rest>",
        ),
        (
            Item(
                "neighbourhood",
                "explorer",
                neighbourhood,
                "/explore/neighbourhood.json?iri=" + quote(species, safe=""),
                f"peers: neighbours out, in by each of {len(incoming_predicates)} predicates",
                **as_json,
            ),
            "/explore/neighbourhood.json",
        ),
    ]
    for name in ("threats", "gaps", "similarity", "centrality"):
        wanted.append(
            (
                Item(
                    f"analytics: {name}",
                    "explorer",
                    [],
                    f"/api/analytics/{name}",
                    "no SPARQL equivalent on the peers (networkx)",
                    **as_json,
                ),
                "/api/analytics/<name>",
            )
        )
    start, end = path_ends
    wanted.append(
        (
            Item(
                "analytics: path",
                "explorer",
                [],
                f"/api/analytics/path?from={quote(start)}&to={quote(end)}",
                "no SPARQL equivalent on the peers (networkx)",
                **as_json,
            ),
            "/api/analytics/<name>",
        )
    )
    present = [item for item, rule in wanted if rule in routes]
    missing = [f"{item.name} ({rule})" for item, rule in wanted if rule not in routes]
    return present, missing
