"""VoID and DCAT description of the dataset, its named graphs, partitions and downloads."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, RDFS, VOID, XSD

from kg import formats
from kg.export.citation import BASIN_BBOX, citation_metadata, dataset_citation, dataset_iri, dataset_version
from kg.namespaces import AMUR, base_iri, prefix_map
from kg.query import solutions


def void_graph(store: ox.Store, dumps: list[dict[str, Any]] | None = None, build_id: str | None = None) -> Graph:
    """VoID + DCAT description: triples per named graph, class and property partitions, licence and
    provenance of every source (the graph's own meta graph), version, citation and the downloads."""
    version = dataset_version()
    cff = citation_metadata()
    void = Graph()
    for prefix, ns in prefix_map().items():
        void.bind(prefix, ns)
    meta = store.dump(format=formats.N_TRIPLES.rdf_format, from_graph=ox.NamedNode(base_iri() + "graph/meta")) or b""
    void.parse(data=meta.decode("utf-8"), format="nt")
    dataset = URIRef(dataset_iri())
    void.add((dataset, DCTERMS.description, Literal(cff.get("abstract", ""), lang="en")))
    void.add((dataset, DCTERMS.license, URIRef("https://spdx.org/licenses/" + cff.get("license", "CC-BY-4.0"))))
    void.add((dataset, DCTERMS.bibliographicCitation, Literal(dataset_citation(version, build_id))))
    void.add((dataset, URIRef(str(DCAT) + "version"), Literal(version)))  # DCAT 3, not in rdflib's DCAT
    void.add((dataset, VOID.sparqlEndpoint, URIRef(base_iri() + "sparql")))
    void.add((dataset, VOID.uriSpace, Literal(base_iri())))
    void.add((dataset, DCAT.landingPage, URIRef(cff.get("url", base_iri()))))
    void.add((dataset, DCAT.keyword, Literal("biodiversity", lang="en")))
    void.add((dataset, DCAT.keyword, Literal("Amur-Heilong", lang="en")))
    west, east, south, north = (BASIN_BBOX[k] for k in ("west", "east", "south", "north"))
    spatial = URIRef(base_iri() + "place/amur-heilong-basin")
    void.add((dataset, DCTERMS.spatial, spatial))
    void.add(
        (
            spatial,
            DCAT.bbox,
            Literal(
                f"POLYGON(({west} {south}, {east} {south}, {east} {north}, {west} {north}, {west} {south}))",
                datatype=URIRef("http://www.opengis.net/ont/geosparql#wktLiteral"),
            ),
        )
    )
    total = 0
    for row in solutions(store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")):
        name, n = URIRef(row["g"].value), int(row["n"].value)
        total += n
        void.set((name, VOID.triples, Literal(n, datatype=XSD.integer)))
        void.add((dataset, VOID.subset, name))
    void.add((dataset, VOID.triples, Literal(total, datatype=XSD.integer)))
    for row in solutions(
        store.query(
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c",
            use_default_graph_as_union=True,
        )
    ):
        partition = BNode()
        void.add((dataset, VOID.classPartition, partition))
        void.add((partition, VOID["class"], URIRef(row["c"].value)))
        void.add((partition, VOID.entities, Literal(int(row["n"].value), datatype=XSD.integer)))
    properties = "SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?p ORDER BY ?p"
    for row in solutions(store.query(properties)):
        partition = BNode()
        void.add((dataset, VOID.propertyPartition, partition))
        void.add((partition, VOID.property, URIRef(row["p"].value)))
        void.add((partition, VOID.triples, Literal(int(row["n"].value), datatype=XSD.integer)))
    for dump in dumps or []:
        url = URIRef(base_iri() + "downloads/" + dump["file"])
        void.add((dataset, DCAT.distribution, url))
        if dump["kind"] == "rdf":
            void.add((dataset, VOID.dataDump, url))
        void.add((url, RDF.type, DCAT.Distribution))
        void.add((url, DCTERMS.title, Literal(dump["title"], lang="en")))
        void.add((url, DCAT.downloadURL, url))
        void.add((url, DCAT.mediaType, Literal(dump["media_type"])))
        if dump.get("compress_format"):
            void.add((url, DCAT.compressFormat, Literal(dump["compress_format"])))
        void.add((url, DCAT.byteSize, Literal(dump["bytes"], datatype=XSD.nonNegativeInteger)))
        void.add((url, AMUR.sha256, Literal(dump["sha256"])))
        void.add((url, DCTERMS.license, URIRef("https://spdx.org/licenses/" + cff.get("license", "CC-BY-4.0"))))
        if dump.get("triples") is not None:
            void.add((url, VOID.triples, Literal(dump["triples"], datatype=XSD.integer)))
    void.add((dataset, PROV.wasGeneratedBy, URIRef(base_iri() + "build/" + (build_id or "unknown"))))
    void.add((URIRef(base_iri() + "build/" + (build_id or "unknown")), RDFS.label, Literal(f"amurkg build {build_id}")))
    return void
