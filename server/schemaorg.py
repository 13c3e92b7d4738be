"""schema.org markup for harvesters (search engines, Bioschemas crawlers): one JSON-LD object per page.

Species and higher taxa are `Taxon` (Bioschemas Taxon profile), ecoregions `Place` with their outline, the home and
downloads pages the `Dataset` with its dumps as `DataDownload`s. The context is inline, so that a reader needs no
network to expand it; its @vocab is the one of schema.org's own context (http://schema.org/).
"""

from __future__ import annotations

import json
import re

from markupsafe import Markup

from kg import formats

# The properties whose values are links are IRIs in RDF, as schema.org's own context makes them.
CONTEXT = {
    "@vocab": "http://schema.org/",
    "dct": "http://purl.org/dc/terms/",
    "gsp": "http://www.opengis.net/ont/geosparql#",
    **{term: {"@type": "@id"} for term in ("url", "sameAs", "license", "contentUrl")},
}
TAXON_PROFILE = "https://bioschemas.org/profiles/Taxon/1.0-RELEASE"
DATASET_PROFILE = "https://bioschemas.org/profiles/Dataset/1.0-RELEASE"
DWC = "http://rs.tdwg.org/dwc/terms/"
AMUR = "https://w3id.org/amurkg/ontology#"
# ranks as the Darwin Core rank vocabulary names them (taxonRank takes a term or its text)
TAXON_RANK = "http://rs.tdwg.org/ontology/voc/TaxonRank#"
# ecoregion outlines longer than this are described by their bounding box only: the page stays small
MAX_WKT = 100_000


def script(data: dict | None) -> Markup:
    """The <script> element; '</' is escaped so that no name can close the element early."""
    if not data:
        return Markup("")
    text = json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return Markup(f'<script type="{formats.JSON_LD.media_type}">\n{text}\n</script>')


def _language(tag: str | None) -> str | None:
    # the graph's Chinese names are simplified characters
    return "zh-Hans" if tag == "zh" else tag or None


def taxon(iri: str, stmts: list[dict], sections: dict) -> dict:
    """Bioschemas Taxon: name, rank, parent, vernacular names by language, identifiers, sameAs the resolvers."""

    def texts(prop: str) -> list[dict]:
        return [v for group in stmts if group["property"] == prop for v in group["values"]]

    # the name without authorship ('Panthera tigris', not 'Panthera tigris (Linnaeus, 1758)')
    name = next((v["text"] for prop in (AMUR + "canonicalName", DWC + "scientificName") for v in texts(prop)), None)
    rank = sections.get("rank") or ""
    data: dict = {
        "@context": CONTEXT,
        "@type": "Taxon",
        "@id": iri,
        "dct:conformsTo": {"@id": TAXON_PROFILE},
        "name": name,
        "url": iri,
        # the rank as text and, as the profile prefers, as the TDWG TaxonRank term
        "taxonRank": [rank, {"@id": TAXON_RANK + rank.capitalize()}] if rank else None,
    }
    chain = sections.get("chain") or []
    if chain:  # the ancestors in rank order: the last is the parent
        parent = chain[-1]
        data["parentTaxon"] = {
            "@type": "Taxon",
            "@id": parent["ancestor"],
            "name": parent["name"],
            "taxonRank": parent["rank"],
        }
    data["alternateName"] = [
        {"@value": v["text"], "@language": _language(v["lang"])} if v["lang"] else v["text"]
        for v in texts(DWC + "vernacularName")
    ]
    data["identifier"] = [
        {"@type": "PropertyValue", "propertyID": i["name"], "value": i["value"]}
        for i in sections.get("identifiers", [])
    ]
    data["sameAs"] = [v["iri"] for v in sections.get("see_also", []) if v.get("iri")]
    return {key: value for key, value in data.items() if value not in (None, [], "")}


def _box(wkt: str) -> str | None:
    """The bounding box of a WKT geometry as schema.org writes it: 'south west north east' (lon lat in WKT)."""
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?(?:[eE]-?\d+)?", wkt.split("(", 1)[-1])]
    lons, lats = numbers[0::2], numbers[1::2]
    if not lons or len(lons) != len(lats):
        return None
    return f"{min(lats)} {min(lons)} {max(lats)} {max(lons)}"


def place(iri: str, name: str, code: str | None, wkt: str | None) -> dict:
    """schema.org Place: the ecoregion with its outline (GeoShape box, and the WKT itself when not too long)."""
    data: dict = {"@context": CONTEXT, "@type": "Place", "@id": iri, "name": name, "url": iri}
    if code:
        data["identifier"] = code
    if wkt:
        box = _box(wkt)
        if box:
            data["geo"] = {"@type": "GeoShape", "box": box}
        if len(wkt) <= MAX_WKT:
            data["gsp:hasGeometry"] = {"gsp:asWKT": {"@value": wkt, "@type": "gsp:wktLiteral"}}
    return data


def dataset(iri: str, url: str, manifest: dict | None, citation: str, cff: dict, download_url) -> dict:
    """schema.org Dataset: the graph (the IRI its VoID description uses), its licence and citation, its dumps as
    DataDownloads (download_url(file))."""
    licence = cff.get("license")
    data: dict = {
        "@context": CONTEXT,
        "@type": "Dataset",
        "@id": iri,
        "dct:conformsTo": {"@id": DATASET_PROFILE},
        "name": cff.get("title"),
        "url": url,
        "description": cff.get("abstract"),
        "license": f"https://spdx.org/licenses/{licence}" if licence else None,
        "citation": citation,
        "isAccessibleForFree": True,
        "keywords": cff.get("keywords"),
        "creator": [
            {
                "@type": "Person" if a.get("family-names") else "Organization",
                "name": a.get("name") or f"{a.get('given-names', '')} {a.get('family-names', '')}".strip(),
            }
            for a in cff.get("authors", [])
        ],
    }
    if manifest:
        data["version"] = manifest.get("version")
        data["dateModified"] = manifest.get("written")
        data["distribution"] = [
            {
                "@type": "DataDownload",
                "name": f["file"],
                "description": f.get("title"),
                "contentUrl": download_url(f["file"]),
                "encodingFormat": f["media_type"],
                "contentSize": f"{f['bytes']} B",
            }
            for f in manifest["files"]
        ]
    return {key: value for key, value in data.items() if value not in (None, [], "")}
