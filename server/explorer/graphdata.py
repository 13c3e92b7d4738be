"""Reading the store for the explorer: the app's queries (queries/explorer/*.rq) run with bound IRIs."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import base_iri
from kg.query import QUERIES_DIR, bind_iris, shorten, with_prefixes

EXPLORER_QUERIES = QUERIES_DIR / "explorer"

# IRI namespaces minted under the base that the explorer serves at the same path.
NAMESPACES = (
    "taxon",
    "ecoregion",
    "threat",
    "action",
    "habitat",
    "stress",
    "red-list-category",
    "country",
    "river",
    "place",
    "initiative",
    "threat-factor",
    "global200",
    "biome",
    "realm",
    "group",
    "method",
    "confidence",
    "agent",
    "scope",
    "scheme",
    "source",
    "graph",
    "occurrence",
    "threat-exposure",
    "inferred-threat",
    "ecoregion-threat",
    "dataset",
    "region",
    "region-record",
    "region-share",
    "name",
)
# IRIs that are a single path segment (the dataset and the ontology document).
SINGLE_IRIS = ("dataset", "ontology")

RANK_ORDER = ["kingdom", "phylum", "class", "order", "family", "genus", "species"]
CATEGORY_ORDER = ["EX", "EW", "RE", "CR", "EN", "VU", "NT", "LC", "DD", "NE", "NA", "NR"]


@cache
def query_text(name: str) -> str:
    return with_prefixes((EXPLORER_QUERIES / f"{name}.rq").read_text(encoding="utf-8"))


def bound_query(name: str, iris: dict[str, str | None]) -> str:
    """An explorer query with the given IRIs bound (kg.query.bind_iris: in the plan, unlike substitutions)."""
    given = {k: v for k, v in iris.items() if v}
    return bind_iris(query_text(name), given) if given else query_text(name)


def value(term) -> str | None:
    if term is None:
        return None
    return term.value


def select(store: ox.Store, name: str, iri: str | None = None, **bound: str) -> list[dict[str, str | None]]:
    """Rows of an explorer query as dicts of plain strings; ?iri (and other IRIs) bound by a VALUES block."""
    result = store.query(bound_query(name, {"iri": iri} | bound), use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    return [{n: value(solution[n]) for n in names} for solution in result]


def ask(store: ox.Store, name: str, iri: str) -> bool:
    return bool(store.query(bound_query(name, {"iri": iri}), use_default_graph_as_union=True))


def construct(store: ox.Store, name: str, iri: str) -> list[ox.Triple]:
    return list(store.query(bound_query(name, {"iri": iri}), use_default_graph_as_union=True))


def minted_iri(text: str) -> str | None:
    """``text`` when it is a valid IRI minted under the base, else None.

    Paths and parameters come from clients: an invalid IRI (a NUL, an unpaired surrogate, U+FFFD from a bad
    percent-escape) would make pyoxigraph's NamedNode raise, so the explorer checks here before any query.
    """
    if not text.startswith(base_iri()):
        return None
    try:
        ox.NamedNode(text)
    except ValueError:
        return None
    return text


def local_path(iri: str) -> str | None:
    """The server path of an IRI minted under the base, else None (an external IRI)."""
    if iri.startswith(base_iri()):
        return "/" + iri[len(base_iri()) :]
    return None


def kind_of(iri: str) -> str:
    """The namespace of a minted IRI: 'taxon', 'ecoregion', ... ('external' for others)."""
    path = local_path(iri)
    if path is None:
        return "external"
    return path.strip("/").split("/", 1)[0] or "home"


def short(iri: str) -> str:
    return shorten(iri)


def query_files() -> list[Path]:
    return sorted(EXPLORER_QUERIES.glob("*.rq"))
