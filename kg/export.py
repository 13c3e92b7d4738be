"""Exports of the graph for researchers: RDF dumps, CSV tables, a Darwin Core Archive, VoID/DCAT metadata.

The build writes every dump into ``<build>/dumps/`` (gzip) with a ``dumps.json`` manifest of sizes, sha256
and triple counts (``write_dumps``); ``amurkg export`` writes one format on demand, optionally of one named
graph. Tables are read from the store by the queries of ``queries/export/``; every row carries its source.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
import shutil
import threading
import time
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
import yaml
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, VOID, XSD

from kg import progress
from kg.namespaces import AMUR, BASE, DWC, ONTOLOGY_VERSION, PREFIXES, iri, is_recorded
from kg.sources import ROOT

EXPORT_QUERIES = ROOT / "queries" / "export"
CITATION_FILE = ROOT / "CITATION.cff"
ONTOLOGY_FILE = ROOT / "ontology" / "amurkg.ttl"
DUMPS_DIR = "dumps"
DUMPS_MANIFEST = "dumps.json"
DATASET = iri("dataset")
# The basin's bounding box (degrees): the geographic coverage of the EML and the DCAT description.
BASIN_BBOX = {"west": 107.0, "east": 141.0, "south": 41.0, "north": 56.0}


@dataclass(frozen=True)
class RdfDump:
    """One RDF serialisation: its name on the command line, Oxigraph format, file extension and media type."""

    name: str
    format: ox.RdfFormat
    extension: str
    media_type: str
    quads: bool  # keeps the named graphs; the others hold the union of all graphs


RDF_FORMATS = {
    "nq": RdfDump("nq", ox.RdfFormat.N_QUADS, "nq", "application/n-quads", True),
    "trig": RdfDump("trig", ox.RdfFormat.TRIG, "trig", "application/trig", True),
    "jsonld": RdfDump("jsonld", ox.RdfFormat.JSON_LD, "jsonld", "application/ld+json", True),
    "ttl": RdfDump("ttl", ox.RdfFormat.TURTLE, "ttl", "text/turtle", False),
    "nt": RdfDump("nt", ox.RdfFormat.N_TRIPLES, "nt", "application/n-triples", False),
    "rdfxml": RdfDump("rdfxml", ox.RdfFormat.RDF_XML, "rdf", "application/rdf+xml", False),
}
FORMATS = [*RDF_FORMATS, "dwca", "csv"]

# CSV tables: file name -> (query in queries/export/, what one row is). Column meanings: DATA_DICTIONARY.
TABLES = {
    "species": ("species.rq", "a species (dwc:Taxon of rank species)"),
    "vernacular_names": ("vernacular-names.rq", "a vernacular name of a species in one language"),
    "ecoregions": ("ecoregions.rq", "an ecoregion of the basin (15 terrestrial, 1 freshwater)"),
    "species_ecoregions": ("species-ecoregions.rq", "a species-ecoregion link (amur:Occurrence) with its evidence"),
    "threats": ("threats.rq", "an IUCN threat class"),
    "species_threats_direct": ("species-threats-direct.rq", "a curated species-threat link (amur:ThreatExposure)"),
    "species_threats_inferred": ("species-threats-inferred.rq",
                                 "an inferred species-threat link (amur:InferredThreatExposure)"),
    "actions": ("actions.rq", "an IUCN conservation action class"),
    "assessments": ("assessments.rq", "a red-list assessment of a species"),
    "native_countries": ("native-countries.rq", "a country a species is native to (amur:nativeTo)"),
    "sources": ("sources.rq", "a source of the graph, with its licence and citation"),
}

SOURCE_COLUMN = "source id(s) of the source(s) stating the row, `|`-separated (see table `sources`)"
DATA_DICTIONARY: dict[str, dict[str, str]] = {
    "species": {
        "taxonID": "IRI of the species in the graph",
        "scientificName": "scientific name with authorship (dwc:scientificName)",
        "canonicalName": "scientific name without authorship",
        "scientificNameAuthorship": "authorship of the name, empty when the source gives none",
        "taxonRank": "always `species`",
        "kingdom": "kingdom (dwc:kingdom)",
        "phylum": "phylum (dwc:phylum)",
        "class": "class (dwc:class)",
        "order": "order (dwc:order)",
        "family": "family (dwc:family), empty when the source gives none",
        "genus": "genus (dwc:genus)",
        "taxonomicStatus": "taxonomic status in the source checklist (`accepted`)",
        "group": "taxon group of the graph: plant, bird, mammal, fish, amphibian, reptile",
        "iucnGlobalCategory": "global IUCN Red List category code (LC, NT, VU, EN, CR, EW, EX, DD), when known",
        "references": "resolver page of the species at its source (rdfs:seeAlso), when there is one",
        "source": SOURCE_COLUMN,
    },
    "vernacular_names": {
        "taxonID": "IRI of the species",
        "vernacularName": "the vernacular name",
        "language": "BCP 47 language tag of the name (en, zh, zh-Latn-pinyin)",
        "source": SOURCE_COLUMN,
    },
    "ecoregions": {
        "ecoregionID": "IRI of the ecoregion",
        "code": "WWF ecoregion code (eco_code), or FW-RFE for the freshwater unit",
        "name": "English name",
        "kind": "`terrestrial` or `freshwater`",
        "biome": "WWF biome",
        "realm": "biogeographic realm",
        "areaKm2": "area in square kilometres (terrestrial ecoregions)",
        "global200": "Global 200 unit the ecoregion belongs to",
        "conservationStatus": "WWF conservation status (GBL_STAT)",
        "source": SOURCE_COLUMN,
    },
    "species_ecoregions": {
        "linkID": "IRI of the qualified link (amur:Occurrence)",
        "taxonID": "IRI of the species",
        "scientificName": "canonical name of the species",
        "ecoregionID": "IRI of the ecoregion",
        "ecoregionCode": "code of the ecoregion",
        "ecoregionName": "name of the ecoregion",
        "method": "how the species was placed: range-box, gazetteer, province, freshwater, occurrence, curated",
        "confidence": "confidence of the placement: high, medium, low",
        "matched": "what matched in the source (the range box, place name or province)",
        "source": SOURCE_COLUMN,
    },
    "threats": {
        "threatID": "IRI of the IUCN threat class",
        "code": "IUCN threat code (e.g. 5.1.1)",
        "label": "English label",
        "broaderCode": "code of the broader class, empty for top classes",
        "source": SOURCE_COLUMN,
    },
    "species_threats_direct": {
        "linkID": "IRI of the qualified link (amur:ThreatExposure)",
        "taxonID": "IRI of the species",
        "scientificName": "canonical name of the species",
        "threatID": "IRI of the IUCN threat class",
        "threatCode": "IUCN threat code",
        "threatLabel": "English label of the threat",
        "method": "always `curated`: stated by a cited source",
        "confidence": "confidence: high, medium, low",
        "matched": "the threat as the source words it",
        "source": SOURCE_COLUMN,
    },
    "species_threats_inferred": {
        "linkID": "IRI of the qualified link (amur:InferredThreatExposure)",
        "taxonID": "IRI of the species",
        "scientificName": "canonical name of the species",
        "threatID": "IRI of the IUCN threat class",
        "threatCode": "IUCN threat code",
        "method": "always `inferred-from-ecoregion`",
        "confidence": "confidence of the inference (low)",
        "viaEcoregions": "codes of the ecoregions exposed to the threat it was inferred through (`|`-separated)",
        "source": SOURCE_COLUMN,
    },
    "actions": {
        "actionID": "IRI of the IUCN conservation action class",
        "code": "IUCN action code (e.g. 1.1)",
        "label": "English label",
        "broaderCode": "code of the broader class, empty for top classes",
        "addressesThreats": "IUCN threat codes the action addresses in the basin (`|`-separated)",
        "source": SOURCE_COLUMN,
    },
    "assessments": {
        "assessmentID": "IRI of the assessment",
        "taxonID": "IRI of the species",
        "scientificName": "canonical name of the species",
        "assessor": "`iucn` (IUCN Red List) or `mee-cas` (China Biodiversity Red List)",
        "scope": "`global` or the ISO 3166-1 code of the country assessed",
        "category": "red-list category code",
        "year": "year of the assessment, when known",
        "criteria": "red-list criteria, when given",
        "source": SOURCE_COLUMN,
    },
    "native_countries": {
        "taxonID": "IRI of the species",
        "countryID": "IRI of the country",
        "countryCode": "ISO 3166-1 alpha-2 code of the country",
        "source": SOURCE_COLUMN,
    },
    "sources": {
        "source": "source id, as used in the `source` column of the other tables",
        "sourceIRI": "IRI of the source in the graph",
        "title": "title",
        "publisher": "publisher",
        "licence": "licence or terms of use",
        "citation": "how to cite the source",
        "landingPage": "home page of the source",
        "retrieved": "date the file was retrieved or exported",
    },
}


# ---------------------------------------------------------------- dataset description and citation


def citation_metadata() -> dict:
    """CITATION.cff as a mapping (title, version, authors, licence, url)."""
    return yaml.safe_load(CITATION_FILE.read_text(encoding="utf-8"))


def dataset_citation(version: str, build_id: str | None) -> str:
    cff = citation_metadata()
    authors = ", ".join(a.get("name") or f"{a.get('family-names')}, {a.get('given-names')}"
                        for a in cff.get("authors", []))
    build = f", build {build_id}" if build_id else ""
    return f"{authors}. {cff['title']}, version {version}{build}. {cff.get('url', BASE)}"


def dataset_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("amurkg")
    except PackageNotFoundError:
        return ONTOLOGY_VERSION


def built_time(store: ox.Store) -> str | None:
    rows = list(store.query(f"SELECT ?t WHERE {{ <{DATASET}> <{PROV.generatedAtTime}> ?t }}",
                            use_default_graph_as_union=True))
    return rows[0]["t"].value if rows else None


# ---------------------------------------------------------------- RDF


def named_graphs(store: ox.Store) -> list[str]:
    return sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))


def resolve_graph(store: ox.Store, graph: str) -> ox.NamedNode:
    """A named graph by IRI or by source id ('mdd-1.13' -> ak:graph/mdd-1.13); ValueError if absent."""
    name = graph if "://" in graph else BASE + "graph/" + graph
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


def write_rdf(store: ox.Store, fmt: str, output: BinaryIO, graph: str | None = None,
              union: list[ox.Triple] | None = None) -> None:
    """One RDF dump: the whole dataset (quad formats keep the named graphs) or one named graph.

    ``union`` is the union of the graphs when the caller already has it (the build writes three such dumps)."""
    dump = RDF_FORMATS[fmt]
    # not ak: (the base): local names with slashes would be escaped (ak:taxon\/x), full IRIs read better
    prefixes = {p: ns for p, ns in PREFIXES.items() if p not in {"sh", "ak"}}
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


def jsonld_context() -> dict:
    """The stable JSON-LD @context of the graph: its prefixes, and a short term for every amur: term and the
    Darwin Core, SKOS and provenance terms the graph uses (object properties coerced to IRIs)."""
    ontology = Graph().parse(ONTOLOGY_FILE, format="turtle")
    context: dict[str, object] = {"id": "@id", "type": "@type"}
    context.update({p: ns for p, ns in sorted(PREFIXES.items()) if p not in {"sh", "owl"}})
    for term in sorted(AMUR.__annotations__):
        node = AMUR[term]
        if (node, RDF.type, OWL.ObjectProperty) in ontology:
            context[term] = {"@id": f"amur:{term}", "@type": "@id"}
        else:
            context[term] = f"amur:{term}"
    for term in ("scientificName", "scientificNameAuthorship", "taxonRank", "kingdom", "phylum", "class", "order",
                 "family", "genus", "taxonomicStatus", "vernacularName"):
        context[term] = f"dwc:{term}"
    context.update({
        "label": "rdfs:label", "prefLabel": "skos:prefLabel", "altLabel": "skos:altLabel",
        "notation": "skos:notation", "definition": "skos:definition",
        "broader": {"@id": "skos:broader", "@type": "@id"},
        "broaderTransitive": {"@id": "skos:broaderTransitive", "@type": "@id"},
        "inScheme": {"@id": "skos:inScheme", "@type": "@id"},
        "seeAlso": {"@id": "rdfs:seeAlso", "@type": "@id"},
        "source": {"@id": "dcterms:source", "@type": "@id"},
        "identifier": "dcterms:identifier", "title": "dcterms:title", "license": "dcterms:license",
        "bibliographicCitation": "dcterms:bibliographicCitation",
        "wasDerivedFrom": {"@id": "prov:wasDerivedFrom", "@type": "@id"},
        "hasGeometry": {"@id": "geo:hasGeometry", "@type": "@id"},
        "asWKT": {"@id": "geo:asWKT", "@type": "geo:wktLiteral"},
    })
    return {"@context": context}


# ---------------------------------------------------------------- tables (CSV and Darwin Core)


def table_query(name: str) -> str:
    return (EXPORT_QUERIES / TABLES[name][0]).read_text(encoding="utf-8")


def _cell(term) -> str:
    return "" if term is None else term.value


_LISTS = re.compile(r'GROUP_CONCAT\(\s*(?:DISTINCT\s+)?\?\w+\s*;\s*separator\s*=\s*"([^"]+)"\s*\)\s*AS\s+\?(\w+)', re.I)


def table(store, name: str) -> tuple[list[str], list[list[str]]]:
    """The columns and rows of one export table, every cell as text.

    List cells (GROUP_CONCAT) are sorted: SPARQL leaves their order to the engine, a download should not change
    with it."""
    text = table_query(name)
    lists = {column: separator for separator, column in _LISTS.findall(text)}
    result = store.query(text, use_default_graph_as_union=True)
    columns = [v.value for v in result.variables]
    rows = [[_cell(solution[c]) for c in columns] for solution in result]
    for index, column in enumerate(columns):
        if column in lists:
            separator = lists[column]
            for row in rows:
                row[index] = separator.join(sorted(p for p in row[index].split(separator) if p))
    return columns, rows


def all_tables(store: ox.Store) -> dict[str, tuple[list[str], list[list[str]]]]:
    return {name: table(store, name) for name in TABLES}


def _csv_bytes(columns: list[str], rows: Iterable[list[str]], delimiter: str = ",") -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def datapackage(tables: dict[str, tuple[list[str], list[list[str]]]], version: str) -> dict:
    """A Frictionless data package descriptor: the machine-readable data dictionary of the CSV tables."""
    cff = citation_metadata()
    return {
        "name": "amurkg", "title": cff["title"], "version": version,
        "licenses": [{"name": cff.get("license", "CC-BY-4.0"),
                      "title": "the compilation; each row stays under the licence of its source (table sources)"}],
        "resources": [{
            "name": name, "path": f"{name}.csv", "format": "csv", "encoding": "utf-8",
            "description": f"One row per {TABLES[name][1]}.",
            "schema": {"fields": [{"name": c, "type": "string", "description": DATA_DICTIONARY[name][c]}
                                  for c in columns]},
        } for name, (columns, _) in tables.items()],
    }


def write_csv(store: ox.Store, out: Path, tables: dict | None = None) -> dict[str, int]:
    """The CSV tables and datapackage.json into a zip file (``out`` ends in .zip) or a directory; returns rows."""
    tables = tables if tables is not None else all_tables(store)
    files = {f"{name}.csv": _csv_bytes(columns, rows) for name, (columns, rows) in tables.items()}
    files["datapackage.json"] = json.dumps(datapackage(tables, dataset_version()), indent=2).encode()
    _write_files(out, files)
    return {name: len(rows) for name, (_, rows) in tables.items()}


def _write_files(out: Path, files: dict[str, bytes]) -> None:
    out = Path(out)
    if out.suffix == ".zip":
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
    else:
        out.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (out / name).write_bytes(data)


# Darwin Core Archive: file -> (row type, [(column, term IRI)]); the first column is the id / core id.
DC = "http://purl.org/dc/terms/"
DWCA_FILES = {
    "taxon.txt": ("http://rs.tdwg.org/dwc/terms/Taxon", [
        ("taxonID", f"{DWC}taxonID"), ("scientificName", f"{DWC}scientificName"),
        ("scientificNameAuthorship", f"{DWC}scientificNameAuthorship"), ("taxonRank", f"{DWC}taxonRank"),
        ("kingdom", f"{DWC}kingdom"), ("phylum", f"{DWC}phylum"), ("class", f"{DWC}class"),
        ("order", f"{DWC}order"), ("family", f"{DWC}family"), ("genus", f"{DWC}genus"),
        ("taxonomicStatus", f"{DWC}taxonomicStatus"), ("references", f"{DC}references"),
        ("source", f"{DC}source"), ("bibliographicCitation", f"{DC}bibliographicCitation"),
    ]),
    "vernacularname.txt": ("http://rs.gbif.org/terms/1.0/VernacularName", [
        ("taxonID", f"{DWC}taxonID"), ("vernacularName", f"{DWC}vernacularName"), ("language", f"{DC}language"),
        ("source", f"{DC}source"),
    ]),
    "distribution.txt": ("http://rs.gbif.org/terms/1.0/Distribution", [
        ("taxonID", f"{DWC}taxonID"), ("locationID", f"{DWC}locationID"), ("locality", f"{DWC}locality"),
        ("countryCode", f"{DWC}countryCode"), ("occurrenceStatus", f"{DWC}occurrenceStatus"),
        ("establishmentMeans", f"{DWC}establishmentMeans"), ("occurrenceRemarks", f"{DWC}occurrenceRemarks"),
        ("source", f"{DC}source"),
    ]),
    "reference.txt": ("http://rs.gbif.org/terms/1.0/Reference", [
        ("taxonID", f"{DWC}taxonID"), ("bibliographicCitation", f"{DC}bibliographicCitation"),
        ("identifier", f"{DC}identifier"), ("title", f"{DC}title"), ("type", f"{DC}type"),
        ("source", f"{DC}source"),
    ]),
}


def _records(columns: list[str], rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(columns, row, strict=True)) for row in rows]


def dwca_rows(tables: dict[str, tuple[list[str], list[list[str]]]]) -> dict[str, list[list[str]]]:
    """The rows of every file of the Darwin Core Archive, from the export tables."""
    sources = {r["source"]: r for r in _records(*tables["sources"])}

    def source_iris(ids: str) -> str:
        return "|".join(sources[i]["sourceIRI"] for i in ids.split("|") if i)

    def citations(ids: str) -> str:
        return " | ".join(sources[i]["citation"] for i in ids.split("|") if i)

    taxa, references = [], []
    for r in _records(*tables["species"]):
        taxa.append([r["taxonID"], r["scientificName"], r["scientificNameAuthorship"], r["taxonRank"], r["kingdom"],
                     r["phylum"], r["class"], r["order"], r["family"], r["genus"], r["taxonomicStatus"],
                     r["references"], source_iris(r["source"]), citations(r["source"])])
        for sid in r["source"].split("|"):
            references.append([r["taxonID"], sources[sid]["citation"], sources[sid]["sourceIRI"],
                               sources[sid]["title"], "checklist", sources[sid]["landingPage"]])
    vernacular = [[r["taxonID"], r["vernacularName"], r["language"], source_iris(r["source"])]
                  for r in _records(*tables["vernacular_names"])]
    # a link of medium or high confidence records the species there ("present"); a low one alone does not
    # ("doubtful", the graph's amur:possiblyOccursIn); each row carries its method and confidence
    distribution = [
        [r["taxonID"], r["ecoregionID"], f"{r['ecoregionName']} ({r['ecoregionCode']})", "",
         "present" if is_recorded(r["confidence"]) else "doubtful", "",
         f"method: {r['method']}; confidence: {r['confidence']}; matched: {r['matched']}",
         source_iris(r["source"])]
        for r in _records(*tables["species_ecoregions"])]
    # countries a species is native to (amur:nativeTo): the one place the sources state establishment means
    distribution += [[r["taxonID"], r["countryID"], "", r["countryCode"], "present", "native", "",
                      source_iris(r["source"])]
                     for r in _records(*tables["native_countries"])]
    return {"taxon.txt": taxa, "vernacularname.txt": vernacular, "distribution.txt": distribution,
            "reference.txt": references}


def _tsv_cell(text: str) -> str:
    # the archive is tab-separated without quoting: tabs and line breaks inside values become spaces
    return " ".join(text.split("\t")).replace("\r", " ").replace("\n", " ")


def meta_xml() -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<archive xmlns="http://rs.tdwg.org/dwc/text/" metadata="eml.xml">']
    for file, (row_type, columns) in DWCA_FILES.items():
        tag = "core" if file == "taxon.txt" else "extension"
        lines.append(f'  <{tag} encoding="UTF-8" fieldsTerminatedBy="\\t" linesTerminatedBy="\\n" '
                     f'fieldsEnclosedBy="" ignoreHeaderLines="1" rowType="{row_type}">')
        lines.append(f"    <files><location>{file}</location></files>")
        lines.append('    <id index="0"/>' if tag == "core" else '    <coreid index="0"/>')
        lines += [f'    <field index="{i}" term="{term}"/>' for i, (_, term) in enumerate(columns)]
        lines.append(f"  </{tag}>")
    lines.append("</archive>")
    return "\n".join(lines) + "\n"


def eml_xml(tables: dict, version: str, build_id: str | None, built: str | None) -> str:
    """EML 2.1.1 metadata: title, licence, citation, geographic (the basin's box) and taxonomic coverage."""
    import xml.etree.ElementTree as ET

    cff = citation_metadata()
    root = ET.Element("eml:eml", {
        "xmlns:eml": "eml://ecoinformatics.org/eml-2.1.1", "xmlns:dc": "http://purl.org/dc/terms/",
        "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
        "xsi:schemaLocation": "eml://ecoinformatics.org/eml-2.1.1 http://rs.gbif.org/schema/eml-gbif-profile/1.1/eml.xsd",
        "packageId": f"{DATASET}/{version}/{build_id or 'unbuilt'}", "system": "https://w3id.org/amurkg/",
        "scope": "system", "xml:lang": "en"})
    dataset = ET.SubElement(root, "dataset")
    ET.SubElement(dataset, "alternateIdentifier").text = str(DATASET)
    ET.SubElement(dataset, "title", {"xml:lang": "en"}).text = f"{cff['title']} (checklist, version {version})"
    for author in cff.get("authors", []):
        creator = ET.SubElement(dataset, "creator")
        if author.get("name"):
            ET.SubElement(creator, "organizationName").text = author["name"]
        else:
            name = ET.SubElement(creator, "individualName")
            ET.SubElement(name, "givenName").text = author.get("given-names", "")
            ET.SubElement(name, "surName").text = author.get("family-names", "")
    if built:
        ET.SubElement(dataset, "pubDate").text = built[:10]
    ET.SubElement(dataset, "language").text = "en"
    abstract = ET.SubElement(dataset, "abstract")
    ET.SubElement(abstract, "para").text = cff.get("abstract", "")
    ET.SubElement(abstract, "para").text = (
        "Every record carries its source (dc:source); the sources, their licences and citations are listed in "
        "the Reference extension and in the graph's VoID description.")
    rights = ET.SubElement(dataset, "intellectualRights")
    ET.SubElement(rights, "para").text = (
        f"The compilation is licensed {cff.get('license', 'CC-BY-4.0')}; each record remains under the licence "
        "of its source: " + "; ".join(f"{r['source']}: {r['licence']}" for r in _records(*tables["sources"])))
    coverage = ET.SubElement(dataset, "coverage")
    geographic = ET.SubElement(coverage, "geographicCoverage")
    ET.SubElement(geographic, "geographicDescription").text = (
        "The Amur-Heilong river basin (Russia, China, Mongolia): its 15 terrestrial WWF ecoregions and the "
        "freshwater Global 200 unit.")
    bounds = ET.SubElement(geographic, "boundingCoordinates")
    for tag, key in (("westBoundingCoordinate", "west"), ("eastBoundingCoordinate", "east"),
                     ("northBoundingCoordinate", "north"), ("southBoundingCoordinate", "south")):
        ET.SubElement(bounds, tag).text = f"{BASIN_BBOX[key]:g}"
    taxonomic = ET.SubElement(coverage, "taxonomicCoverage")
    kingdoms = sorted({r["kingdom"] for r in _records(*tables["species"]) if r["kingdom"]})
    classes = sorted({r["class"] for r in _records(*tables["species"]) if r["class"]})
    ET.SubElement(taxonomic, "generalTaxonomicCoverage").text = (
        f"{len(tables['species'][1])} species of the basin: vascular plants, birds, mammals, fishes, amphibians "
        "and reptiles.")
    for rank, names in (("kingdom", kingdoms), ("class", classes)):
        for name in names:
            classification = ET.SubElement(taxonomic, "taxonomicClassification")
            ET.SubElement(classification, "taxonRankName").text = rank
            ET.SubElement(classification, "taxonRankValue").text = name
    contact = ET.SubElement(dataset, "contact")
    ET.SubElement(contact, "organizationName").text = "amurkg contributors"
    ET.SubElement(contact, "onlineUrl").text = cff.get("url", BASE)
    additional = ET.SubElement(root, "additionalMetadata")
    metadata = ET.SubElement(additional, "metadata")
    gbif = ET.SubElement(metadata, "gbif")
    ET.SubElement(gbif, "citation").text = dataset_citation(version, build_id)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_dwca(store: ox.Store, out: Path, tables: dict | None = None, build_id: str | None = None) -> dict[str, int]:
    """A Darwin Core Archive (zip): Taxon core, Vernacular Name, Distribution, Reference; meta.xml, eml.xml."""
    tables = tables if tables is not None else all_tables(store)
    rows = dwca_rows(tables)
    # tab-separated without quoting (fieldsEnclosedBy=""), as most Darwin Core readers expect
    files = {file: _tsv_bytes([c for c, _ in DWCA_FILES[file][1]], rows[file]) for file in DWCA_FILES}
    files["meta.xml"] = meta_xml().encode()
    files["eml.xml"] = eml_xml(tables, dataset_version(), build_id, built_time(store)).encode()
    out = Path(out)
    if out.suffix != ".zip":
        out = out.with_suffix(".zip")
    _write_files(out, files)
    return {file: len(r) for file, r in rows.items()}


def _tsv_bytes(columns: list[str], rows: list[list[str]]) -> bytes:
    lines = ["\t".join(columns)] + ["\t".join(_tsv_cell(cell) for cell in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---------------------------------------------------------------- VoID and DCAT


def void_graph(store: ox.Store, dumps: list[dict] | None = None, build_id: str | None = None) -> Graph:
    """VoID + DCAT description: triples per named graph, class and property partitions, licence and
    provenance of every source (the graph's own meta graph), version, citation and the downloads."""
    version = dataset_version()
    cff = citation_metadata()
    void = Graph()
    for prefix, ns in PREFIXES.items():
        void.bind(prefix, ns)
    meta = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(BASE + "graph/meta"))
    void.parse(data=meta.decode("utf-8"), format="nt")
    dataset = URIRef(str(DATASET))
    void.add((dataset, DCTERMS.description, Literal(cff.get("abstract", ""), lang="en")))
    void.add((dataset, DCTERMS.license, URIRef("https://spdx.org/licenses/" + cff.get("license", "CC-BY-4.0"))))
    void.add((dataset, DCTERMS.bibliographicCitation, Literal(dataset_citation(version, build_id))))
    void.add((dataset, URIRef(str(DCAT) + "version"), Literal(version)))  # DCAT 3, not in rdflib's DCAT
    void.add((dataset, VOID.sparqlEndpoint, URIRef(BASE + "sparql")))
    void.add((dataset, VOID.uriSpace, Literal(BASE)))
    void.add((dataset, DCAT.landingPage, URIRef(cff.get("url", BASE))))
    void.add((dataset, DCAT.keyword, Literal("biodiversity", lang="en")))
    void.add((dataset, DCAT.keyword, Literal("Amur-Heilong", lang="en")))
    west, east, south, north = (BASIN_BBOX[k] for k in ("west", "east", "south", "north"))
    spatial = URIRef(BASE + "place/amur-heilong-basin")
    void.add((dataset, DCTERMS.spatial, spatial))
    void.add((spatial, DCAT.bbox, Literal(
        f"POLYGON(({west} {south}, {east} {south}, {east} {north}, {west} {north}, {west} {south}))",
        datatype=URIRef("http://www.opengis.net/ont/geosparql#wktLiteral"))))
    total = 0
    for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        name, n = URIRef(row["g"].value), int(row["n"].value)
        total += n
        void.set((name, VOID.triples, Literal(n, datatype=XSD.integer)))
        void.add((dataset, VOID.subset, name))
    void.add((dataset, VOID.triples, Literal(total, datatype=XSD.integer)))
    for row in store.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c",
                           use_default_graph_as_union=True):
        partition = BNode()
        void.add((dataset, VOID.classPartition, partition))
        void.add((partition, VOID["class"], URIRef(row["c"].value)))
        void.add((partition, VOID.entities, Literal(int(row["n"].value), datatype=XSD.integer)))
    for row in store.query("SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?p ORDER BY ?p"):
        partition = BNode()
        void.add((dataset, VOID.propertyPartition, partition))
        void.add((partition, VOID.property, URIRef(row["p"].value)))
        void.add((partition, VOID.triples, Literal(int(row["n"].value), datatype=XSD.integer)))
    for dump in dumps or []:
        url = URIRef(BASE + "downloads/" + dump["file"])
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
    void.add((dataset, PROV.wasGeneratedBy, URIRef(BASE + "build/" + (build_id or "unknown"))))
    void.add((URIRef(BASE + "build/" + (build_id or "unknown")), RDFS.label, Literal(f"amurkg build {build_id}")))
    return void


# ---------------------------------------------------------------- the build's dumps


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _entry(path: Path, kind: str, title: str, media_type: str, compress: str | None, triples: int | None,
           seconds: float) -> dict:
    return {"file": path.name, "kind": kind, "title": title, "media_type": media_type, "compress_format": compress,
            "bytes": path.stat().st_size, "sha256": _sha256(path), "triples": triples,
            "seconds": round(seconds, 2)}


def write_dumps(build_dir: Path, store: ox.Store | Path, echo=lambda message: None) -> dict:
    """Write every dump of a build into ``<build_dir>/dumps/`` with the manifest ``dumps.json``.

    Called by the build after the store is written and before it is swapped in."""
    build_dir = Path(build_dir)
    if isinstance(store, (str, Path)):
        store = ox.Store.read_only(str(store))
    out = build_dir / DUMPS_DIR
    tmp = build_dir / (DUMPS_DIR + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    quads = len(store)
    union: list[ox.Triple] = []
    entries = []
    for done, (fmt, dump) in enumerate(RDF_FORMATS.items()):
        progress.count(echo, done, len(RDF_FORMATS) + 1)  # the RDF dumps, then the tables
        started = time.perf_counter()
        if not dump.quads and not union:
            union = list(union_triples(store))  # once for the three triple formats
        path = tmp / f"amurkg.{dump.extension}.gz"
        # level 6: a third smaller than level 1 for about a second more on the largest dump
        with gzip.open(path, "wb", compresslevel=6) as handle:
            write_rdf(store, fmt, handle, union=None if dump.quads else union)
        triples = quads if dump.quads else len(union)
        kind_title = "all named graphs" if dump.quads else "union of all graphs"
        entries.append(_entry(path, "rdf", f"{dump.format.name} dump ({kind_title})", dump.media_type, "gzip",
                              triples, time.perf_counter() - started))
        echo(f"  dump: {path.name} {entries[-1]['bytes']:,} bytes in {entries[-1]['seconds']} s")
    progress.count(echo, len(RDF_FORMATS), len(RDF_FORMATS) + 1)
    started = time.perf_counter()
    tables = all_tables(store)
    tables_seconds = time.perf_counter() - started
    started = time.perf_counter()
    csv_path = tmp / "amurkg-csv.zip"
    write_csv(store, csv_path, tables)
    entries.append(_entry(csv_path, "csv", "CSV tables with a data dictionary (datapackage.json)", "application/zip",
                          None, None, time.perf_counter() - started + tables_seconds))
    started = time.perf_counter()
    dwca_path = tmp / "amurkg-dwca.zip"
    write_dwca(store, dwca_path, tables, build_id=build_dir.name)
    entries.append(_entry(dwca_path, "dwca", "Darwin Core Archive (checklist)", "application/zip", None, None,
                          time.perf_counter() - started))
    void_path = tmp / "void.ttl"
    void_path.write_bytes(void_graph(store, entries, build_dir.name).serialize(format="turtle", encoding="utf-8"))
    progress.count(echo, len(RDF_FORMATS) + 1, len(RDF_FORMATS) + 1)
    entries.append(_entry(void_path, "void", "VoID and DCAT description", "text/turtle", None, None, 0.0))
    version = dataset_version()
    manifest = {
        "build_id": build_dir.name, "version": version, "written": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "licence": citation_metadata().get("license", "CC-BY-4.0"),
        "citation": dataset_citation(version, build_dir.name),
        "quads": quads, "triples": len(union), "files": entries,
    }
    (tmp / DUMPS_MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return manifest


_WRITERS: dict[str, threading.Thread] = {}


def write_dumps_in_background(build_dir: Path, store) -> None:
    """Write a build's dumps in a background thread unless they exist or are being written (by this process or,
    through a lock file, by another): a server over a remote engine writes them when they are first asked for."""
    key = str(build_dir)
    if key in _WRITERS and _WRITERS[key].is_alive():
        return

    def work():
        import fcntl

        with open(Path(build_dir) / ".dumps.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if read_dumps_manifest(build_dir) is None:
                write_dumps(build_dir, store)

    _WRITERS[key] = threading.Thread(target=work, name=f"dumps {Path(build_dir).name}", daemon=True)
    _WRITERS[key].start()


def read_dumps_manifest(build_dir: Path | None) -> dict | None:
    if build_dir is None:
        return None
    path = Path(build_dir) / DUMPS_DIR / DUMPS_MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


__all__ = ["FORMATS", "RDF_FORMATS", "TABLES", "DATA_DICTIONARY", "write_rdf", "write_csv", "write_dwca",
           "void_graph", "jsonld_context", "write_dumps", "read_dumps_manifest"]
