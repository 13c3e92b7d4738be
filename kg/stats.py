"""What the graph holds: counts for `amurkg stats` and the home page, all by SPARQL on the store."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from kg.namespaces import iri, sparql_prefixes


def counts() -> dict[str, str]:
    """Title -> query of each count; the China red list's assessor is minted under the configured base."""
    mee_cas = iri("agent/mee-cas")
    return {
        "graphs": "SELECT ?key (COUNT(*) AS ?n) WHERE { GRAPH ?key { ?s ?p ?o } } GROUP BY ?key ORDER BY ?key",
        "classes": "SELECT ?key (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?key } GROUP BY ?key ORDER BY DESC(?n)",
        "species by group": """SELECT ?key (COUNT(DISTINCT ?t) AS ?n) WHERE {
            ?t amur:group/skos:notation ?key } GROUP BY ?key ORDER BY DESC(?n)""",
        "species by global IUCN category": """SELECT ?key (COUNT(DISTINCT ?t) AS ?n) WHERE {
            ?t amur:redListCategory/skos:notation ?key } GROUP BY ?key ORDER BY DESC(?n)""",
        "species by China red-list category (plants, CBRL 2020)": f"""SELECT ?key (COUNT(DISTINCT ?t) AS ?n) WHERE {{
            ?a a amur:Assessment ; amur:taxon ?t ; amur:assessor <{mee_cas}> ;
               amur:category/skos:notation ?key }} GROUP BY ?key ORDER BY DESC(?n)""",
        "species-ecoregion links by method and confidence": """SELECT ?key (COUNT(*) AS ?n) WHERE {
            ?o a amur:Occurrence ; amur:method/skos:notation ?m ; amur:confidence/skos:notation ?c .
            BIND(CONCAT(?m, " / ", ?c) AS ?key) } GROUP BY ?key ORDER BY ?key""",
        # a species-ecoregion pair has exactly one of the two shortcuts (medium/high confidence: recorded)
        "recorded species-ecoregion links (amur:occursIn) by group": """SELECT ?key (COUNT(*) AS ?n) WHERE {
            { SELECT DISTINCT ?t ?e WHERE { ?t amur:occursIn ?e } } ?t amur:group/skos:notation ?key }
            GROUP BY ?key ORDER BY DESC(?n)""",
        "possible species-ecoregion links (amur:possiblyOccursIn) by group": """SELECT ?key (COUNT(*) AS ?n) WHERE {
            { SELECT DISTINCT ?t ?e WHERE { ?t amur:possiblyOccursIn ?e } } ?t amur:group/skos:notation ?key }
            GROUP BY ?key ORDER BY DESC(?n)""",
        "species-threat links by kind and confidence": """SELECT ?key (COUNT(*) AS ?n) WHERE {
            { ?l a amur:ThreatExposure . BIND("direct" AS ?kind) } UNION
            { ?l a amur:InferredThreatExposure . BIND("inferred" AS ?kind) }
            ?l amur:confidence/skos:notation ?c . BIND(CONCAT(?kind, " / ", ?c) AS ?key) }
            GROUP BY ?key ORDER BY ?key""",
        # legal protection and trade listings (ingest/protection.py): CITES statuses are as of the Index's date
        "species by protection list and class (date in force)": """SELECT ?key (COUNT(DISTINCT ?t) AS ?n) WHERE {
            ?s a amur:ProtectionStatus ; amur:taxon ?t ; amur:protectionList ?l ; amur:validOn ?d ;
               amur:protectionClass/skos:notation ?c .
            BIND(CONCAT(REPLACE(STR(?l), "^.*/", ""), " ", ?c, IF(CONTAINS(STR(?l), "cites"), " as of ", " in force "),
                        STR(?d)) AS ?key) } GROUP BY ?key ORDER BY ?key""",
        "protection statuses by list and join route": """SELECT ?key (COUNT(*) AS ?n) WHERE {
            ?s a amur:ProtectionStatus ; amur:protectionList ?l ; amur:evidence/amur:rule ?r .
            BIND(CONCAT(REPLACE(STR(?l), "^.*/", ""), " / ", ?r) AS ?key) } GROUP BY ?key ORDER BY ?key""",
        "species evidence by source and confidence": """SELECT ?key (COUNT(*) AS ?n) WHERE {
            ?e a amur:Evidence ; prov:wasDerivedFrom/dcterms:identifier ?s ; amur:confidence/skos:notation ?c .
            BIND(CONCAT(?s, " / ", ?c) AS ?key) } GROUP BY ?key ORDER BY ?key""",
    }


def collect(store: ox.Store) -> dict[str, dict[str, int]]:
    numbers = {}
    for title, body in counts().items():
        rows = store.query(sparql_prefixes() + body, use_default_graph_as_union=True)
        assert isinstance(rows, ox.QuerySolutions)
        numbers[title] = {_text(r["key"]): int(r["n"].value) for r in rows}
    return numbers


def protection_yields(manifest: dict[str, Any] | None) -> dict[str, dict[str, int]]:
    """The protection lists' join yields of the build report (BUILD.json ``species.protection``): per list, rows
    read, rows joined by route, species with a status, and basin-relevant rows not joined (listed with their reason
    in BUILD.json and docs/data.md)."""
    found = ((manifest or {}).get("species") or {}).get("protection") or {}
    numbers: dict[str, dict[str, int]] = {}
    for list_id, report in sorted(found.items()):
        title = f"protection list {list_id}" + (" (CITES Index as of 2017-04-21)" if list_id == "cites" else "")
        numbers[title] = (
            {"rows read": report["rows"]}
            | {f"rows joined: {route}": n for route, n in report["joined_rows"].items()}
            | {"species with a status": report["species"], "basin-relevant rows not joined": report["not_joined"]}
        )
    return numbers


def _text(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    return term.value if term is not None else "(none)"


def render(numbers: dict[str, dict[str, int]]) -> str:
    from kg.query import shorten

    out = []
    for title, counts in numbers.items():
        out.append(f"== {title}")
        if not counts:
            out.append("  (none)")
        for key, n in counts.items():
            out.append(f"  {shorten(key):<60} {n:>8}")
    out.append(
        "Protection: China's 2021 lists (cn-key-protected-2021) and CITES (cites-2017, as of 2017-04-21): "
        "statuses of the graph's species only; rows not joined and why are in BUILD.json and docs/data.md."
    )
    out.append(
        "Coverage: plants come from Chinese checklists only (Heilongjiang, Jilin, Northeast China): "
        "the Russian and Mongolian flora is not included. See docs/data.md."
    )
    return "\n".join(out)
