"""Exports of the graph for researchers: RDF dumps, CSV tables, a Darwin Core Archive, VoID/DCAT metadata.

The build writes every dump into ``<build>/dumps/`` (gzip) with a ``dumps.json`` manifest of sizes, sha256
and triple counts (``write_dumps``); ``amurkg export`` writes one format on demand, optionally of one named
graph. Tables are read from the store by the queries of ``queries/export/``; every row carries its source.
"""

from kg.export.citation import (  # noqa: F401
    BASIN_BBOX,
    CITATION_FILE,
    DUMPS_DIR,
    DUMPS_MANIFEST,
    EXPORT_QUERIES,
    ONTOLOGY_FILE,
    built_time,
    citation_metadata,
    dataset_citation,
    dataset_iri,
    dataset_version,
)
from kg.export.dumps import (  # noqa: F401
    _sha256,
    dumps_pending,
    ensure_dumps,
    read_dumps_manifest,
    write_dumps,
)
from kg.export.dwca import (  # noqa: F401
    DC,
    DWCA_FILES,
    dwca_rows,
    eml_xml,
    meta_xml,
    write_dwca,
)
from kg.export.rdf import (  # noqa: F401
    FORMATS,
    RDF_FORMATS,
    RdfDump,
    jsonld_context,
    named_graphs,
    resolve_graph,
    union_triples,
    write_rdf,
)
from kg.export.tables import (  # noqa: F401
    DATA_DICTIONARY,
    SOURCE_COLUMN,
    TABLES,
    all_tables,
    datapackage,
    table,
    table_query,
    write_csv,
)
from kg.export.void import (  # noqa: F401
    void_graph,
)

__all__ = [
    "FORMATS",
    "RDF_FORMATS",
    "TABLES",
    "DATA_DICTIONARY",
    "write_rdf",
    "write_csv",
    "write_dwca",
    "void_graph",
    "jsonld_context",
    "write_dumps",
    "read_dumps_manifest",
    "dumps_pending",
    "ensure_dumps",
]
