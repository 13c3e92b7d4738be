"""The Darwin Core Archive: taxa, distribution and threat rows, meta.xml and EML."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.export.citation import BASIN_BBOX, built_time, citation_metadata, dataset_citation, dataset_iri, dataset_version
from kg.export.tables import Tables, _write_files, all_tables
from kg.namespaces import DWC, base_iri, is_recorded

# Darwin Core Archive: file -> (row type, [(column, term IRI)]); the first column is the id / core id.
DC = "http://purl.org/dc/terms/"
AMUR_NS = "https://w3id.org/amurkg/ontology#"


DWCA_FILES = {
    "taxon.txt": (
        "http://rs.tdwg.org/dwc/terms/Taxon",
        [
            ("taxonID", f"{DWC}taxonID"),
            ("scientificName", f"{DWC}scientificName"),
            ("scientificNameAuthorship", f"{DWC}scientificNameAuthorship"),
            ("taxonRank", f"{DWC}taxonRank"),
            ("kingdom", f"{DWC}kingdom"),
            ("phylum", f"{DWC}phylum"),
            ("class", f"{DWC}class"),
            ("order", f"{DWC}order"),
            ("family", f"{DWC}family"),
            ("genus", f"{DWC}genus"),
            ("taxonomicStatus", f"{DWC}taxonomicStatus"),
            ("references", f"{DC}references"),
            ("source", f"{DC}source"),
            ("bibliographicCitation", f"{DC}bibliographicCitation"),
        ],
    ),
    "vernacularname.txt": (
        "http://rs.gbif.org/terms/1.0/VernacularName",
        [
            ("taxonID", f"{DWC}taxonID"),
            ("vernacularName", f"{DWC}vernacularName"),
            ("language", f"{DC}language"),
            ("source", f"{DC}source"),
        ],
    ),
    "distribution.txt": (
        "http://rs.gbif.org/terms/1.0/Distribution",
        [
            ("taxonID", f"{DWC}taxonID"),
            ("locationID", f"{DWC}locationID"),
            ("locality", f"{DWC}locality"),
            ("countryCode", f"{DWC}countryCode"),
            ("occurrenceStatus", f"{DWC}occurrenceStatus"),
            ("establishmentMeans", f"{DWC}establishmentMeans"),
            ("occurrenceRemarks", f"{DWC}occurrenceRemarks"),
            ("source", f"{DC}source"),
        ],
    ),
    # legal protection and trade listings, one row per listing, in the manner of GBIF's Species Profile extension:
    # appendixCITES is the GBIF term; the list, class, date and scope are amurkg terms (ontology/amurkg.ttl)
    "protectionstatus.txt": (
        AMUR_NS + "ProtectionStatus",
        [
            ("taxonID", f"{DWC}taxonID"),
            ("protectionList", AMUR_NS + "protectionList"),
            ("protectionClass", AMUR_NS + "protectionClass"),
            ("appendixCITES", "http://rs.gbif.org/terms/1.0/appendixCITES"),
            ("validOn", AMUR_NS + "validOn"),
            ("wildPopulationsOnly", AMUR_NS + "wildPopulationsOnly"),
            ("scope", AMUR_NS + "scopeNote"),
            ("countryCode", f"{DWC}countryCode"),
            ("remarks", f"{DWC}taxonRemarks"),
            ("source", f"{DC}source"),
        ],
    ),
    "reference.txt": (
        "http://rs.gbif.org/terms/1.0/Reference",
        [
            ("taxonID", f"{DWC}taxonID"),
            ("bibliographicCitation", f"{DC}bibliographicCitation"),
            ("identifier", f"{DC}identifier"),
            ("title", f"{DC}title"),
            ("type", f"{DC}type"),
            ("source", f"{DC}source"),
        ],
    ),
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
        taxa.append(
            [
                r["taxonID"],
                r["scientificName"],
                r["scientificNameAuthorship"],
                r["taxonRank"],
                r["kingdom"],
                r["phylum"],
                r["class"],
                r["order"],
                r["family"],
                r["genus"],
                r["taxonomicStatus"],
                r["references"],
                source_iris(r["source"]),
                citations(r["source"]),
            ]
        )
        for sid in r["source"].split("|"):
            references.append(
                [
                    r["taxonID"],
                    sources[sid]["citation"],
                    sources[sid]["sourceIRI"],
                    sources[sid]["title"],
                    "checklist",
                    sources[sid]["landingPage"],
                ]
            )
    vernacular = [
        [r["taxonID"], r["vernacularName"], r["language"], source_iris(r["source"])]
        for r in _records(*tables["vernacular_names"])
    ]
    # a link of medium or high confidence records the species there ("present"); a low one alone does not
    # ("doubtful", the graph's amur:possiblyOccursIn); each row carries its method and confidence
    distribution = [
        [
            r["taxonID"],
            r["ecoregionID"],
            f"{r['ecoregionName']} ({r['ecoregionCode']})",
            "",
            "present" if is_recorded(r["confidence"]) else "doubtful",
            "",
            f"method: {r['method']}; confidence: {r['confidence']}; matched: {r['matched']}",
            source_iris(r["source"]),
        ]
        for r in _records(*tables["species_ecoregions"])
    ]
    # countries a species is native to (amur:nativeTo): the one place the sources state establishment means
    distribution += [
        [r["taxonID"], r["countryID"], "", r["countryCode"], "present", "native", "", source_iris(r["source"])]
        for r in _records(*tables["native_countries"])
    ]
    # regions a source names for the species (amur:recordedInRegion), by their ISO 3166-2 code as Darwin Core
    # writes it (locationID "ISO3166-2:CN-HL"): recorded, so "present"
    distribution += [
        [
            r["taxonID"],
            f"ISO3166-2:{r['regionCode']}",
            r["regionName"],
            r["countryCode"],
            "present",
            "",
            f"method: {r['method']}; confidence: {r['confidence']}; matched: {r['matched']}",
            source_iris(r["source"]),
        ]
        for r in _records(*tables["species_regions"])
    ]
    protection = [
        [
            r["taxonID"],
            r["list"],
            r["class"],
            r["class"] if r["list"] == "cites" else "",
            r["validOn"],
            r["wildPopulationsOnly"],
            r["scope"],
            r["scopeCountries"],
            f"joined by {r['joinRoute']}: {r['sourceRow']}",
            source_iris(r["source"]),
        ]
        for r in _records(*tables["protection_statuses"])
    ]
    return {
        "taxon.txt": taxa,
        "vernacularname.txt": vernacular,
        "distribution.txt": distribution,
        "protectionstatus.txt": protection,
        "reference.txt": references,
    }


def _tsv_cell(text: str) -> str:
    # the archive is tab-separated without quoting: tabs and line breaks inside values become spaces
    return " ".join(text.split("\t")).replace("\r", " ").replace("\n", " ")


def meta_xml() -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<archive xmlns="http://rs.tdwg.org/dwc/text/" metadata="eml.xml">',
    ]
    for file, (row_type, columns) in DWCA_FILES.items():
        tag = "core" if file == "taxon.txt" else "extension"
        lines.append(
            f'  <{tag} encoding="UTF-8" fieldsTerminatedBy="\\t" linesTerminatedBy="\\n" '
            f'fieldsEnclosedBy="" ignoreHeaderLines="1" rowType="{row_type}">'
        )
        lines.append(f"    <files><location>{file}</location></files>")
        lines.append('    <id index="0"/>' if tag == "core" else '    <coreid index="0"/>')
        lines += [f'    <field index="{i}" term="{term}"/>' for i, (_, term) in enumerate(columns)]
        lines.append(f"  </{tag}>")
    lines.append("</archive>")
    return "\n".join(lines) + "\n"


def eml_xml(tables: Tables, version: str, build_id: str | None, built: str | None) -> str:
    """EML 2.1.1 metadata: title, licence, citation, geographic (the basin's box) and taxonomic coverage."""
    import xml.etree.ElementTree as ET

    cff = citation_metadata()
    root = ET.Element(
        "eml:eml",
        {
            "xmlns:eml": "eml://ecoinformatics.org/eml-2.1.1",
            "xmlns:dc": "http://purl.org/dc/terms/",
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "xsi:schemaLocation": "eml://ecoinformatics.org/eml-2.1.1 http://rs.gbif.org/schema/eml-gbif-profile/1.1/eml.xsd",
            "packageId": f"{dataset_iri()}/{version}/{build_id or 'unbuilt'}",
            "system": "https://w3id.org/amurkg/",
            "scope": "system",
            "xml:lang": "en",
        },
    )
    dataset = ET.SubElement(root, "dataset")
    ET.SubElement(dataset, "alternateIdentifier").text = dataset_iri()
    ET.SubElement(dataset, "title", {"xml:lang": "en"}).text = f"{cff['title']} (checklist, version {version})"
    for author in cff.get("authors", []):
        creator = ET.SubElement(dataset, "creator")
        if author.get("name"):
            ET.SubElement(creator, "organizationName").text = author["name"]
        else:
            person = ET.SubElement(creator, "individualName")
            ET.SubElement(person, "givenName").text = author.get("given-names", "")
            ET.SubElement(person, "surName").text = author.get("family-names", "")
    if built:
        ET.SubElement(dataset, "pubDate").text = built[:10]
    ET.SubElement(dataset, "language").text = "en"
    abstract = ET.SubElement(dataset, "abstract")
    ET.SubElement(abstract, "para").text = cff.get("abstract", "")
    ET.SubElement(abstract, "para").text = (
        "Every record carries its source (dc:source); the sources, their licences and citations are listed in "
        "the Reference extension and in the graph's VoID description."
    )
    rights = ET.SubElement(dataset, "intellectualRights")
    ET.SubElement(rights, "para").text = (
        f"The compilation is licensed {cff.get('license', 'CC-BY-4.0')}; each record remains under the licence "
        "of its source: " + "; ".join(f"{r['source']}: {r['licence']}" for r in _records(*tables["sources"]))
    )
    coverage = ET.SubElement(dataset, "coverage")
    geographic = ET.SubElement(coverage, "geographicCoverage")
    ET.SubElement(geographic, "geographicDescription").text = (
        "The Amur-Heilong river basin (Russia, China, Mongolia): its 15 terrestrial WWF ecoregions and the "
        "freshwater Global 200 unit."
    )
    bounds = ET.SubElement(geographic, "boundingCoordinates")
    for tag, key in (
        ("westBoundingCoordinate", "west"),
        ("eastBoundingCoordinate", "east"),
        ("northBoundingCoordinate", "north"),
        ("southBoundingCoordinate", "south"),
    ):
        ET.SubElement(bounds, tag).text = f"{BASIN_BBOX[key]:g}"
    taxonomic = ET.SubElement(coverage, "taxonomicCoverage")
    kingdoms = sorted({r["kingdom"] for r in _records(*tables["species"]) if r["kingdom"]})
    classes = sorted({r["class"] for r in _records(*tables["species"]) if r["class"]})
    ET.SubElement(taxonomic, "generalTaxonomicCoverage").text = (
        f"{len(tables['species'][1])} species of the basin: vascular plants, birds, mammals, fishes, amphibians "
        "and reptiles."
    )
    for rank, names in (("kingdom", kingdoms), ("class", classes)):
        for name in names:
            classification = ET.SubElement(taxonomic, "taxonomicClassification")
            ET.SubElement(classification, "taxonRankName").text = rank
            ET.SubElement(classification, "taxonRankValue").text = name
    contact = ET.SubElement(dataset, "contact")
    ET.SubElement(contact, "organizationName").text = "amurkg contributors"
    ET.SubElement(contact, "onlineUrl").text = cff.get("url", base_iri())
    additional = ET.SubElement(root, "additionalMetadata")
    metadata = ET.SubElement(additional, "metadata")
    gbif = ET.SubElement(metadata, "gbif")
    ET.SubElement(gbif, "citation").text = dataset_citation(version, build_id)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_dwca(store: ox.Store, out: Path, tables: Tables | None = None, build_id: str | None = None) -> dict[str, int]:
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
