"""The SPARQL 1.1 Service Description of /sparql, with VoID statistics of the default dataset's named graphs."""

from __future__ import annotations

import json
from typing import cast

from flask import current_app
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, VOID, XSD

from kg import formats
from kg.namespaces import SD
from kg.store.answers import GRAPH_FORMATS, RESULT_FORMATS
from kg.store.jobs import QueryJob
from kg.store.pool import INTERACTIVE
from server import protocol as sparql

FORMATS = URIRef("http://www.w3.org/ns/formats/")
# W3C format IRIs and rdflib names of what the endpoint serves (the formats table, kg/formats.py)
FORMAT_IRIS = {f.media_type: f.w3c for f in formats.RESULT_SYNTAXES + formats.GRAPH_SYNTAXES}
RDFLIB_FORMATS = {f.media_type: cast(str, f.rdflib) for f in formats.GRAPH_SYNTAXES}

# Named graphs with their triple count as recorded by the build in the meta graph (VoID), when it has one.
GRAPHS_QUERY = """
PREFIX void: <http://rdfs.org/ns/void#>
SELECT ?graph ?triples WHERE {
  GRAPH ?graph { }
  OPTIONAL { GRAPH ?meta { ?graph void:triples ?triples } }
}
"""


def named_graphs() -> list[tuple[str, int | None]]:
    job = QueryJob(
        query=GRAPHS_QUERY,
        results_mime=formats.RESULTS_JSON.media_type,
        graph_mime=None,
        max_bytes=sparql.max_result_bytes(),
    )
    outcome = sparql.query_pool().run(job, sparql.timeout(), lane=INTERACTIVE)  # the server's own lookup
    if not outcome.ok:
        current_app.logger.warning("service description without graph statistics: %s", outcome.message)
        return []
    rows = json.loads(outcome.body)["results"]["bindings"]
    counts: dict[str, int | None] = {}
    for row in rows:
        value = row.get("triples", {}).get("value")
        counts[row["graph"]["value"]] = int(value) if value is not None else counts.get(row["graph"]["value"])
    return sorted(counts.items())


def describe(endpoint: str, mime: str) -> bytes:
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    service = URIRef(endpoint + "#service")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, URIRef(endpoint)))
    graph.add((service, SD.supportedLanguage, SD.SPARQL10Query))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if sparql.write_token() is not None:
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    for served in list(RESULT_FORMATS) + list(GRAPH_FORMATS):
        graph.add((service, SD.resultFormat, URIRef(FORMATS + FORMAT_IRIS[served])))
    if sparql.write_token() is not None:
        for accepted in formats.UPLOAD_SYNTAXES:
            if accepted in formats.GRAPH_SYNTAXES:  # N3 is read as an upload but not described
                graph.add((service, SD.inputFormat, URIRef(FORMATS + accepted.w3c)))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    graph.add((service, SD.feature, SD.EmptyGraphs))
    if sparql.allowlist():
        graph.add((service, SD.feature, SD.BasicFederatedQuery))

    dataset = BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    for name, triples in named_graphs():
        named = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
        described = BNode()
        graph.add((named, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        if triples is not None:
            graph.add((described, VOID.triples, Literal(triples, datatype=XSD.integer)))
    if mime in (formats.TRIG.media_type, formats.N_QUADS.media_type):
        dataset = Dataset()
        dataset.default_context += graph  # the description is in the default graph
        return dataset.serialize(format=RDFLIB_FORMATS[mime], encoding="utf-8")
    return graph.serialize(format=RDFLIB_FORMATS[mime], encoding="utf-8")
