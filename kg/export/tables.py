"""CSV tables read from the store by the queries of queries/export/, with their data dictionary and datapackage."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.export.citation import EXPORT_QUERIES, citation_metadata, dataset_version
from kg.query import solutions

# CSV tables: file name -> (query in queries/export/, what one row is). Column meanings: DATA_DICTIONARY.
TABLES = {
    "species": ("species.rq", "a species (dwc:Taxon of rank species)"),
    "vernacular_names": ("vernacular-names.rq", "a vernacular name of a species in one language"),
    "ecoregions": ("ecoregions.rq", "an ecoregion of the basin (15 terrestrial, 1 freshwater)"),
    "species_ecoregions": ("species-ecoregions.rq", "a species-ecoregion link (amur:Occurrence) with its evidence"),
    "threats": ("threats.rq", "an IUCN threat class"),
    "species_threats_direct": ("species-threats-direct.rq", "a curated species-threat link (amur:ThreatExposure)"),
    "species_threats_inferred": (
        "species-threats-inferred.rq",
        "an inferred species-threat link (amur:InferredThreatExposure)",
    ),
    "actions": ("actions.rq", "an IUCN conservation action class"),
    "assessments": ("assessments.rq", "a red-list assessment of a species"),
    "native_countries": ("native-countries.rq", "a country a species is native to (amur:nativeTo)"),
    "species_regions": (
        "species-regions.rq",
        "a record of a species in an administrative region (amur:RegionRecord) with its evidence",
    ),
    "sources": ("sources.rq", "a source of the graph, with its licence and citation"),
    "protection_statuses": (
        "protection-statuses.rq",
        "a listing of a species on a protection list (China 2021, CITES as of 2017-04-21)",
    ),
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
    "protection_statuses": {
        "statusID": "IRI of the listing (amur:ProtectionStatus)",
        "taxonID": "IRI of the species",
        "scientificName": "canonical name of the species",
        "list": "the list: `cn-key-animals-2021`, `cn-key-plants-2021` (China) or `cites` (CITES Appendices)",
        "class": "class (China: `I`, `II`) or appendix (CITES: `I`, `II`, `III`)",
        "validOn": "date the listing is in force as of (CITES: `2017-04-21`, the Index's date; later CoPs changed "
        "listings)",
        "wildPopulationsOnly": "`true` where the list protects wild populations only (仅限野外种群)",
        "scope": "the population the listing covers where not the whole species, as the source states it",
        "scopeCountries": "ISO 3166-1 codes of a population-specific scope or of the Appendix III listing Party, "
        "`|`-separated",
        "joinRoute": "how the list's row reached the species: `exact`, `synonym`, `genus-row`, `family-row`, "
        "`order-row`",
        "sourceRow": "the list's file and row that gives the listing",
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
        "method": "how the species was placed: range-box, gazetteer, province, freshwater, occurrence, curated, "
        "checklist-region",
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
    "species_regions": {
        "linkID": "IRI of the record (amur:RegionRecord)",
        "taxonID": "IRI of the species",
        "scientificName": "scientific name without authorship",
        "regionID": "IRI of the administrative region",
        "regionCode": "ISO 3166-2 code of the region (CN-HL, RU-PRI, MN-061)",
        "regionName": "English name of the region",
        "countryCode": "ISO 3166-1 alpha-2 code of the region's country",
        "method": "how the source names the region: `province` (plant checklist), `checklist-region` (a checklist "
        "archive's location code), `gazetteer` (a place of a range text inside the region)",
        "confidence": "high, medium or low",
        "matched": "what matched in the source (the province, the region code, the place name)",
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


def table_query(name: str) -> str:
    return (EXPORT_QUERIES / TABLES[name][0]).read_text(encoding="utf-8")


def _cell(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    return "" if term is None else term.value


# export tables by name: (columns, rows), every cell as text
Tables = dict[str, tuple[list[str], list[list[str]]]]

_LISTS = re.compile(r'GROUP_CONCAT\(\s*(?:DISTINCT\s+)?\?\w+\s*;\s*separator\s*=\s*"([^"]+)"\s*\)\s*AS\s+\?(\w+)', re.I)


def table(store: ox.Store, name: str) -> tuple[list[str], list[list[str]]]:
    """The columns and rows of one export table, every cell as text.

    List cells (GROUP_CONCAT) are sorted: SPARQL leaves their order to the engine, a download should not change
    with it."""
    text = table_query(name)
    lists = {column: separator for separator, column in _LISTS.findall(text)}
    result = solutions(store.query(text, use_default_graph_as_union=True))
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


def datapackage(tables: Tables, version: str) -> dict[str, Any]:
    """A Frictionless data package descriptor: the machine-readable data dictionary of the CSV tables."""
    cff = citation_metadata()
    return {
        "name": "amurkg",
        "title": cff["title"],
        "version": version,
        "licenses": [
            {
                "name": cff.get("license", "CC-BY-4.0"),
                "title": "the compilation; each row stays under the licence of its source (table sources)",
            }
        ],
        "resources": [
            {
                "name": name,
                "path": f"{name}.csv",
                "format": "csv",
                "encoding": "utf-8",
                "description": f"One row per {TABLES[name][1]}.",
                "schema": {
                    "fields": [{"name": c, "type": "string", "description": DATA_DICTIONARY[name][c]} for c in columns]
                },
            }
            for name, (columns, _) in tables.items()
        ],
    }


def write_csv(store: ox.Store, out: Path, tables: Tables | None = None) -> dict[str, int]:
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
