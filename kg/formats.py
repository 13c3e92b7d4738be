"""The one formats table: every RDF and SPARQL results syntax the project reads or writes, with its media type,
the other media types that name it, its file extension, its short names (``format=``, the CLI), its Oxigraph and
rdflib format and whether it holds quads.

Content negotiation (server/protocol.py), the Graph Store Protocol (server/gsp.py), the query worker
(kg/store/answers.py), the remote store (kg/store/remote.py), the dumps and exports (kg/export/), the service
description, the explorer's alternates and the CLI's ``--format`` choices all read their media types here; the
tuples below name the subsets each of them offers, in the order offered (the first is the default)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    """One syntax. ``aliases`` are other media types meaning the same syntax (``application/x-turtle``);
    ``generic`` are broader media types a client may ask for and get this syntax (``application/json``);
    ``names`` are the short names clients use for it in ``format=`` (the first is its CLI and dump name)."""

    kind: Literal["rdf", "results"]
    media_type: str
    extension: str
    names: tuple[str, ...]
    w3c: str  # local name of its W3C format IRI (http://www.w3.org/ns/formats/)
    rdf: ox.RdfFormat | None = None
    results: ox.QueryResultsFormat | None = None
    rdflib: str | None = None
    quads: bool = False  # keeps named graphs
    aliases: tuple[str, ...] = ()
    generic: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.names[0]

    @property
    def rdf_format(self) -> ox.RdfFormat:
        """Its Oxigraph RDF format (an RDF syntax only)."""
        if self.rdf is None:
            raise ValueError(f"{self.media_type} is not an RDF syntax")
        return self.rdf

    @property
    def results_format(self) -> ox.QueryResultsFormat:
        """Its Oxigraph results format (a SPARQL results syntax only)."""
        if self.results is None:
            raise ValueError(f"{self.media_type} is not a SPARQL results syntax")
        return self.results

    @property
    def media_types(self) -> tuple[str, ...]:
        """Its own media type, then the aliases."""
        return (self.media_type, *self.aliases)


# --- SPARQL results syntaxes --------------------------------------------------------------------------------

RESULTS_JSON = Format(
    "results",
    "application/sparql-results+json",
    "srj",
    ("json",),
    "SPARQL_Results_JSON",
    results=ox.QueryResultsFormat.JSON,
    generic=("application/json",),
)
RESULTS_XML = Format(
    "results",
    "application/sparql-results+xml",
    "srx",
    ("xml",),
    "SPARQL_Results_XML",
    results=ox.QueryResultsFormat.XML,
    generic=("application/xml", "text/xml"),
)
RESULTS_CSV = Format("results", "text/csv", "csv", ("csv",), "SPARQL_Results_CSV", results=ox.QueryResultsFormat.CSV)
RESULTS_TSV = Format(
    "results", "text/tab-separated-values", "tsv", ("tsv",), "SPARQL_Results_TSV", results=ox.QueryResultsFormat.TSV
)

# --- RDF syntaxes -------------------------------------------------------------------------------------------

TURTLE = Format(
    "rdf",
    "text/turtle",
    "ttl",
    ("ttl", "turtle", "n3"),  # N3 clients get Turtle, which is N3
    "Turtle",
    rdf=ox.RdfFormat.TURTLE,
    rdflib="turtle",
    aliases=("application/x-turtle",),
)
N_TRIPLES = Format(
    "rdf",
    "application/n-triples",
    "nt",
    ("nt", "ntriples"),
    "N-Triples",
    rdf=ox.RdfFormat.N_TRIPLES,
    rdflib="nt",
    aliases=("text/plain",),
)
JSON_LD = Format(
    "rdf",
    "application/ld+json",
    "jsonld",
    ("jsonld", "json", "json-ld"),
    "JSON-LD",
    rdf=ox.RdfFormat.JSON_LD,
    rdflib="json-ld",
    quads=True,
    generic=("application/json",),
)
RDF_XML = Format(
    "rdf",
    "application/rdf+xml",
    "rdf",
    ("rdfxml", "xml", "rdf"),
    "RDF_XML",
    rdf=ox.RdfFormat.RDF_XML,
    rdflib="xml",
    generic=("application/xml", "text/xml"),
)
TRIG = Format("rdf", "application/trig", "trig", ("trig",), "TriG", rdf=ox.RdfFormat.TRIG, rdflib="trig", quads=True)
N_QUADS = Format(
    "rdf",
    "application/n-quads",
    "nq",
    ("nq", "nquads"),
    "N-Quads",
    rdf=ox.RdfFormat.N_QUADS,
    rdflib="nquads",
    quads=True,
    aliases=("text/x-nquads",),
)
N3 = Format("rdf", "text/n3", "n3", ("n3",), "N3", rdf=ox.RdfFormat.N3, rdflib="n3")

# --- who offers what, in the order offered ------------------------------------------------------------------

# SELECT/ASK answers of /sparql and the CLI (no Accept: the first)
RESULT_SYNTAXES = (RESULTS_JSON, RESULTS_XML, RESULTS_CSV, RESULTS_TSV)
# CONSTRUCT/DESCRIBE answers, GSP reads, the service description (no Accept: the first)
GRAPH_SYNTAXES = (TURTLE, N_TRIPLES, JSON_LD, RDF_XML, TRIG, N_QUADS)
# what a Graph Store Protocol body may be (quads syntaxes only for a whole dataset: not accepted)
UPLOAD_SYNTAXES = (TURTLE, N_TRIPLES, JSON_LD, RDF_XML, N3)
# the dumps, quads syntaxes first
DUMP_SYNTAXES = (N_QUADS, TRIG, JSON_LD, TURTLE, N_TRIPLES, RDF_XML)
# an explorer page's and the VoID description's alternates
DOCUMENT_SYNTAXES = (TURTLE, JSON_LD, N_TRIPLES, RDF_XML)
# what the remote store reads in a CONSTRUCT answer of another engine
REMOTE_SYNTAXES = (N_TRIPLES, TURTLE, RDF_XML)
# CONSTRUCT/DESCRIBE output of `amurkg query --format`
CLI_GRAPH_SYNTAXES = (TURTLE, N_TRIPLES)


def media_types(formats: tuple[Format, ...], generic: bool = False) -> dict[str, Format]:
    """Media type -> format: the formats' own media types in order, then each one's aliases (and, with
    ``generic``, the broader types a client may ask for it by), format by format."""
    table = {f.media_type: f for f in formats}
    for f in formats:
        for other in (*f.aliases, *(f.generic if generic else ())):
            table.setdefault(other, f)
    return table
