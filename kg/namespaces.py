"""Namespaces and the IRIs the graph mints.

``AMUR`` is a closed namespace: a misspelt term fails at import instead of minting a new IRI
(the ontology test checks that every term here is declared in ``ontology/amurkg.ttl``).
"""

from __future__ import annotations

import re
import unicodedata

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD, DefinedNamespace

from kg import config

# Base under which every resource IRI is minted (AMURKG_BASE, kg/config.py); the explorer serves {base}x at /x.
DEFAULT_BASE = config.DEFAULT_BASE


def base_iri() -> str:
    """The configured base, read when asked (never at import): a caller or test that sets AMURKG_BASE sees it."""
    return config.base()


ONTOLOGY_IRI = "https://w3id.org/amurkg/ontology"
ONTOLOGY_VERSION = "0.1.0"

DWC = Namespace("http://rs.tdwg.org/dwc/terms/")
DWCIRI = Namespace("http://rs.tdwg.org/dwc/iri/")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
SCHEMA = Namespace("https://schema.org/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


class AMUR(DefinedNamespace):
    """The amurkg ontology (ontology/amurkg.ttl)."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    # classes
    Ecoregion: URIRef
    TerrestrialEcoregion: URIRef
    FreshwaterEcoregion: URIRef
    Global200Ecoregion: URIRef
    EcoregionComplex: URIRef
    Biome: URIRef
    Realm: URIRef
    RiverBasin: URIRef
    River: URIRef
    Country: URIRef
    Threat: URIRef
    ConservationAction: URIRef
    Habitat: URIRef
    Stress: URIRef
    RedListCategory: URIRef
    TaxonGroup: URIRef
    Assessment: URIRef
    Evidence: URIRef
    Method: URIRef
    ConfidenceLevel: URIRef
    QualifiedLink: URIRef
    Occurrence: URIRef
    ThreatExposure: URIRef
    InferredThreatExposure: URIRef
    EcoregionThreat: URIRef
    ThreatFactor: URIRef
    ConservationInitiative: URIRef
    Source: URIRef
    ProtectionList: URIRef
    ProtectionClass: URIRef
    ProtectionStatus: URIRef

    # ecoregions and places
    biome: URIRef
    realm: URIRef
    areaKm2: URIRef
    global200: URIRef
    global200Number: URIRef
    conservationStatus: URIRef
    hasEcoregion: URIRef
    inBasin: URIRef
    country: URIRef
    tributaryOf: URIRef
    lengthKm: URIRef

    # taxa
    group: URIRef
    parentTaxon: URIRef
    ancestorTaxon: URIRef
    canonicalName: URIRef
    colChinaId: URIRef
    avibaseId: URIRef
    ebirdCode: URIRef
    mddId: URIRef
    fishbaseSpecCode: URIRef
    amphibiawebId: URIRef
    nativeTo: URIRef

    # assessments
    assessment: URIRef
    category: URIRef
    assessor: URIRef
    scope: URIRef
    year: URIRef
    criteria: URIRef
    redListCategory: URIRef
    categoryRank: URIRef

    # evidence and qualified links
    evidence: URIRef
    method: URIRef
    confidence: URIRef
    rule: URIRef
    matched: URIRef
    sourceRow: URIRef
    taxon: URIRef
    ecoregion: URIRef
    threat: URIRef
    via: URIRef
    occursIn: URIRef
    possiblyOccursIn: URIRef
    threatenedBy: URIRef
    inferredThreat: URIRef
    inferredOn: URIRef
    confidenceScore: URIRef

    # build-time summaries (derived graph)
    PlacementTally: URIRef
    tallyGroup: URIRef
    tallyMethod: URIRef
    tallyConfidence: URIRef
    linkCount: URIRef
    speciesCount: URIRef

    # WWF threats and initiatives
    mappedTo: URIRef
    addressesThreat: URIRef
    implementsAction: URIRef
    concernsEcoregion: URIRef
    actionAddresses: URIRef

    # administrative regions and names (issue 26)
    AdministrativeRegion: URIRef
    RegionRecord: URIRef
    RegionShare: URIRef
    NameRecord: URIRef
    region: URIRef
    recordedInRegion: URIRef
    overlapsEcoregion: URIRef
    share: URIRef
    nameOf: URIRef
    nameText: URIRef
    noPlacementReason: URIRef
    # legal protection and trade listings (ingest/protection.py)
    protectionStatus: URIRef
    protectionList: URIRef
    protectionClass: URIRef
    validOn: URIRef
    scopeNote: URIRef
    scopeCountry: URIRef
    wildPopulationsOnly: URIRef
    instanceOfAction: URIRef
    jurisdiction: URIRef

    # sources
    sha256: URIRef
    reader: URIRef
    fileName: URIRef
    givenAs: URIRef
    retrieved: URIRef


# Methods by which a species is placed in an ecoregion or linked to a threat.
METHODS = {
    "wildfinder": "WWF WildFinder lists the species in the ecoregion",
    "range-box": "range box intersects the ecoregion polygon",
    "gazetteer": "place name in the source's range text names the ecoregion",
    "province": "province of the distribution mapped to ecoregions",
    "freshwater": "freshwater species of a basin water body, placed in the freshwater unit",
    "occurrence": "occurrence point (GBIF download) inside the ecoregion polygon",
    "curated": "stated by a cited source and entered by hand",
    "inferred-from-ecoregion": "inferred: the species occurs in an ecoregion exposed to the threat",
    "checklist-rule": "selected from a checklist by a named rule",
    "checklist-region": "region of a checklist archive's distribution mapped to the ecoregions of its gazetteer place",
    "region-polygon": "share of the region's area in the ecoregion, from the region's and the ecoregion's polygons",
    "region-gazetteer": "ecoregions of the region's gazetteer place (no polygon of the region staged)",
    "list-join": "a protection list's row joined to the species by name, synonym or a higher-taxon row",
}
CONFIDENCE_SCORES = {"high": 1.0, "medium": 0.6, "low": 0.3}
# A placement of medium or high confidence records a species in an ecoregion (amur:occursIn); low ones alone
# only say it possibly occurs there (amur:possiblyOccursIn).
RECORDED_CONFIDENCE = ("medium", "high")


def is_recorded(confidence: str) -> bool:
    return confidence in RECORDED_CONFIDENCE


def rebase(text: str) -> str:
    """Move resource IRIs written under the default base (vocabularies, shapes) to the configured base.

    The ontology and shapes namespaces keep their IRIs: they name the vocabulary, not our resources.
    """
    base = base_iri()
    if base == DEFAULT_BASE:
        return text
    return re.sub(re.escape(DEFAULT_BASE) + r"(?!ontology|shapes)", base, text)


def iri(*parts: str) -> URIRef:
    """An IRI under the base: iri("ecoregion", "PA0443")."""
    return URIRef(base_iri() + "/".join(parts))


def slug(text: str) -> str:
    """A stable, readable IRI segment: 'Panthera tigris' -> 'panthera-tigris'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def graph_iri(source_id: str) -> URIRef:
    return iri("graph", source_id)


def source_iri(source_id: str) -> URIRef:
    return iri("source", source_id)


def taxon_iri(scientific_name: str) -> URIRef:
    return iri("taxon", slug(scientific_name))


# A taxon's higher classification, kingdom to genus: each rank's name is also its Darwin Core term (dwc:class ...).
HIGHER_RANKS = ("kingdom", "phylum", "class", "order", "family", "genus")


def higher_taxon_iri(kingdom: str, rank: str, name: str) -> URIRef:
    # Homonyms across kingdoms exist (Oenanthe is a plant and a bird genus): qualify by kingdom.
    if rank == "kingdom":
        return iri("taxon", "kingdom", slug(name))
    return iri("taxon", slug(kingdom), rank, slug(name))


def iucn_code(code: str) -> str:
    """IUCN API codes use '_' between levels ('5_1_1'); the published notation uses dots."""
    return code.replace("_", ".")


_VOCABULARY_PREFIXES = {
    "amur": str(AMUR._NS),
    "dwc": str(DWC),
    "dwciri": str(DWCIRI),
    "geo": str(GEO),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "void": str(VOID),
    "dcat": str(DCAT),
    "schema": str(SCHEMA),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "sh": str(SH),
}


def prefix_map() -> dict[str, str]:
    """Prefix -> namespace: the vocabularies, and ak: for the configured base."""
    return {"amur": _VOCABULARY_PREFIXES["amur"], "ak": base_iri()} | _VOCABULARY_PREFIXES


def sparql_prefixes() -> str:
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefix_map().items())


def __getattr__(name: str) -> object:
    # kg.namespaces.BASE and .PREFIXES for scripts and tests: computed when asked, like base_iri() and prefix_map()
    if name == "BASE":
        return base_iri()
    if name == "PREFIXES":
        return prefix_map()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
