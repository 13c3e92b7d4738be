"""RDF dumps: the formats, the union of the named graphs, and the JSON-LD context."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from kg import formats
from kg.export.citation import ONTOLOGY_FILE
from kg.namespaces import AMUR, HIGHER_RANKS, base_iri, prefix_map


@dataclass(frozen=True)
class RdfDump:
    """One RDF serialisation: its name on the command line, Oxigraph format, file extension and media type."""

    name: str
    format: ox.RdfFormat
    extension: str
    media_type: str
    quads: bool  # keeps the named graphs; the others hold the union of all graphs


# the dumps, from the formats table (kg/formats.py): CLI name -> dump, quads syntaxes first
RDF_FORMATS = {f.name: RdfDump(f.name, f.rdf_format, f.extension, f.media_type, f.quads) for f in formats.DUMP_SYNTAXES}


FORMATS = [*RDF_FORMATS, "dwca", "csv"]


def named_graphs(store: ox.Store) -> list[str]:
    return sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))


def resolve_graph(store: ox.Store, graph: str) -> ox.NamedNode:
    """A named graph by IRI or by source id ('mdd-1.13' -> ak:graph/mdd-1.13); ValueError if absent."""
    name = graph if "://" in graph else base_iri() + "graph/" + graph
    if name not in named_graphs(store):
        raise ValueError(f"no named graph {name}; the graphs are: {', '.join(named_graphs(store))}")
    return ox.NamedNode(name)


def union_triples(store: ox.Store) -> Iterator[ox.Triple]:
    """The triples of all named graphs, each once (a triple stated by two sources is one triple)."""
    seen: set[ox.Triple] = set()
    for quad in store.quads_for_pattern(None, None, None, None):
        triple = quad.triple
        if triple not in seen:
            seen.add(triple)
            yield triple


def write_rdf(
    store: ox.Store, fmt: str, output: IO[bytes], graph: str | None = None, union: list[ox.Triple] | None = None
) -> None:
    """One RDF dump: the whole dataset (quad formats keep the named graphs) or one named graph.

    ``union`` is the union of the graphs when the caller already has it (the build writes three such dumps)."""
    dump = RDF_FORMATS[fmt]
    # not ak: (the base): local names with slashes would be escaped (ak:taxon\/x), full IRIs read better
    prefixes = {p: ns for p, ns in prefix_map().items() if p not in {"sh", "ak"}}
    if graph is not None:
        name = resolve_graph(store, graph)
        if dump.quads:
            ox.serialize(store.quads_for_pattern(None, None, None, name), output, dump.format, prefixes=prefixes)
        else:
            store.dump(output, dump.format, from_graph=name, prefixes=prefixes)
    elif dump.quads:
        store.dump(output, dump.format, prefixes=prefixes)
    else:
        ox.serialize(union if union is not None else union_triples(store), output, dump.format, prefixes=prefixes)


def _iri_valued(term: str) -> dict[str, str]:
    """A JSON-LD term whose values are IRIs, not strings (an object property)."""
    return {"@id": term, "@type": "@id"}


def jsonld_context() -> dict[str, object]:
    """The stable JSON-LD @context of the graph: its prefixes, and a short term for every amur: term and the
    Darwin Core, SKOS and provenance terms the graph uses (object properties coerced to IRIs)."""
    ontology = Graph().parse(ONTOLOGY_FILE, format="turtle")
    context: dict[str, object] = {"id": "@id", "type": "@type"}
    context.update({p: ns for p, ns in sorted(prefix_map().items()) if p not in {"sh", "owl"}})
    for term in sorted(AMUR.__annotations__):
        node = URIRef(str(AMUR) + term)
        if (node, RDF.type, OWL.ObjectProperty) in ontology:
            context[term] = _iri_valued(f"amur:{term}")
        else:
            context[term] = f"amur:{term}"
    for term in (
        "scientificName",
        "scientificNameAuthorship",
        "taxonRank",
        *HIGHER_RANKS,
        "taxonomicStatus",
        "vernacularName",
    ):
        context[term] = f"dwc:{term}"
    context.update(
        {
            "label": "rdfs:label",
            "prefLabel": "skos:prefLabel",
            "altLabel": "skos:altLabel",
            "notation": "skos:notation",
            "definition": "skos:definition",
            "broader": _iri_valued("skos:broader"),
            "broaderTransitive": _iri_valued("skos:broaderTransitive"),
            "inScheme": _iri_valued("skos:inScheme"),
            "seeAlso": _iri_valued("rdfs:seeAlso"),
            "source": _iri_valued("dcterms:source"),
            "identifier": "dcterms:identifier",
            "title": "dcterms:title",
            "license": "dcterms:license",
            "bibliographicCitation": "dcterms:bibliographicCitation",
            "wasDerivedFrom": _iri_valued("prov:wasDerivedFrom"),
            "hasGeometry": _iri_valued("geo:hasGeometry"),
            "asWKT": {"@id": "geo:asWKT", "@type": "geo:wktLiteral"},
        }
    )
    return {"@context": context}
