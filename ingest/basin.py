"""Curated facts of the WWF Amur-Heilong page -> basin, rivers, threat factors, initiatives, ecoregion threats.

The facts live in ``ingest/curated/amur_heilong.yml``; this module only maps them to RDF, checking
that every code they name exists (a typo in the curated file fails the build, not a query later).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from ingest.records import Placement
from kg.namespaces import AMUR, SCHEMA, iri, slug, source_iri, taxon_iri

CURATED_FILE = Path(__file__).parent / "curated" / "amur_heilong.yml"
SOURCE_ID = "wwf-amur-heilong"
CURATED_CONFIDENCE = "medium"  # a statement of a cited page, mapped by us to IUCN codes


@dataclass(frozen=True)
class SpeciesThreat:
    """A species the page names with a threat it gives it (linked by the species layer)."""

    taxon: str
    threat: str  # IUCN threat code "5.1.1"
    matched: str


def load(path: Path = CURATED_FILE) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def threat_iri(code: str) -> URIRef:
    return iri("threat", code)


def action_iri(code: str) -> URIRef:
    return iri("action", code)


def ecoregion_iri(code: str) -> URIRef:
    return iri("ecoregion", code)


def method_iri(key: str) -> URIRef:
    return iri("method", key)


def confidence_iri(level: str) -> URIRef:
    return iri("confidence", level)


def to_graph(facts: dict, ecoregion_codes: set[str], threat_codes: set[str], action_codes: set[str]) -> Graph:
    """Map the curated facts; the code sets are those of the ecoregion and IUCN graphs, for checking."""
    basin_node = iri("place", "amur-heilong-basin")
    complex_node = iri("place", "amur-heilong-ecoregion-complex")
    graph = Graph()
    source = source_iri(SOURCE_ID)
    freshwater = facts["freshwater_unit"]
    all_ecoregions = sorted(ecoregion_codes | {freshwater["code"]})

    def check(codes, known, what, where):
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ValueError(f"{CURATED_FILE.name}: {where} names unknown {what}: {unknown}")
        return codes

    def ecoregions_of(entry, where):
        codes = entry["ecoregions"]
        return all_ecoregions if codes == "all" else check(codes, set(all_ecoregions), "ecoregions", where)

    def labels(node, entry):
        graph.add((node, RDFS.label, Literal(entry["label"], lang="en")))
        graph.add((node, SKOS.prefLabel, Literal(entry["label"], lang="en")))
        for lang, text in (entry.get("labels") or {}).items():
            graph.add((node, SKOS.altLabel, Literal(text, lang=lang)))
        if entry.get("definition"):
            graph.add((node, SKOS.definition, Literal(entry["definition"].strip(), lang="en")))
        graph.add((node, DCTERMS.source, source))

    basin = facts["basin"]
    graph.add((basin_node, RDF.type, AMUR.RiverBasin))
    graph.add((basin_node, RDF.type, SCHEMA.Place))
    labels(basin_node, basin)
    for country in basin["countries"]:
        graph.add((basin_node, AMUR.country, iri("country", country)))
    complex_ = basin["complex"]
    graph.add((complex_node, RDF.type, AMUR.EcoregionComplex))
    labels(complex_node, complex_)
    graph.add((complex_node, AMUR.inBasin, basin_node))
    for code in all_ecoregions:
        graph.add((complex_node, AMUR.hasEcoregion, ecoregion_iri(code)))

    node = ecoregion_iri(freshwater["code"])
    graph.add((node, RDF.type, AMUR.FreshwaterEcoregion))
    labels(node, freshwater)
    graph.add((node, SKOS.notation, Literal(freshwater["code"])))
    graph.add((node, AMUR.inBasin, basin_node))
    unit = iri("global200", slug(freshwater["global200"]))
    graph.add((node, AMUR.global200, unit))
    graph.add((unit, RDF.type, AMUR.Global200Ecoregion))
    graph.add((unit, RDFS.label, Literal(freshwater["global200"], lang="en")))
    graph.add((unit, DCTERMS.source, source))

    for river in facts["rivers"]:
        node = iri("river", river["id"])
        graph.add((node, RDF.type, AMUR.River))
        labels(node, river)
        graph.add((node, AMUR.inBasin, basin_node))
        for country in river["countries"]:
            graph.add((node, AMUR.country, iri("country", country)))
        if river.get("tributary_of"):
            graph.add((node, AMUR.tributaryOf, iri("river", river["tributary_of"])))
        if river.get("note"):
            graph.add((node, RDFS.comment, Literal(river["note"], lang="en")))

    for factor in facts["threat_factors"]:
        node = iri("threat-factor", factor["id"])
        where = f"threat factor {factor['id']}"
        graph.add((node, RDF.type, AMUR.ThreatFactor))
        labels(node, factor)
        for code in check(factor["iucn"], threat_codes, "IUCN threats", where):
            graph.add((node, AMUR.mappedTo, threat_iri(code)))
        ecoregions_of(factor, where)  # checked here; the links are those of threat_links
    for eco, code, factor in threat_links(facts, ecoregion_codes):
        add_ecoregion_threat(graph, eco, code, factor["label"])

    for initiative in facts["initiatives"]:
        node = iri("initiative", initiative["id"])
        where = f"initiative {initiative['id']}"
        graph.add((node, RDF.type, AMUR.ConservationInitiative))
        graph.add((node, RDF.type, SCHEMA.Project))
        labels(node, initiative)
        for code in check(initiative["actions"], action_codes, "IUCN actions", where):
            graph.add((node, AMUR.implementsAction, action_iri(code)))
        for code in check(initiative["threats"], threat_codes, "IUCN threats", where):
            graph.add((node, AMUR.addressesThreat, threat_iri(code)))
        for eco in ecoregions_of(initiative, where):
            graph.add((node, AMUR.concernsEcoregion, ecoregion_iri(eco)))
        # the action -> threat answer, so "which actions answer this threat" needs no initiative hop
        for action in initiative["actions"]:
            for threat in initiative["threats"]:
                graph.add((action_iri(action), AMUR.actionAddresses, threat_iri(threat)))

    for entry in facts["species_threats"]:
        check(entry["iucn"], threat_codes, "IUCN threats", f"species threats {entry['taxa']}")
    for entry in facts.get("species_places", []):
        check(entry["ecoregions"], set(all_ecoregions), "ecoregions", f"species places {entry['taxa']}")
    return graph


def threat_links(facts: dict, ecoregion_codes: set[str]):
    """(ecoregion code, IUCN threat code, threat factor) of every ecoregion threat the curated factors state; a factor
    of "all" ecoregions covers the terrestrial ones given and the freshwater unit."""
    every = sorted(ecoregion_codes | {facts["freshwater_unit"]["code"]})
    for factor in facts["threat_factors"]:
        for eco in every if factor["ecoregions"] == "all" else factor["ecoregions"]:
            for code in factor["iucn"]:
                yield eco, code, factor


def ecoregion_threats(facts: dict, ecoregion_codes: set[str]) -> dict[str, set[str]]:
    """Ecoregion code -> the IUCN threat codes the curated facts give it (the amur:EcoregionThreat links)."""
    found: dict[str, set[str]] = {}
    for eco, code, _ in threat_links(facts, ecoregion_codes):
        found.setdefault(eco, set()).add(code)
    return found


def add_ecoregion_threat(graph: Graph, eco: str, code: str, matched: str) -> None:
    link = iri("ecoregion-threat", eco, code)
    graph.add((link, RDF.type, AMUR.EcoregionThreat))
    graph.add((link, AMUR.ecoregion, ecoregion_iri(eco)))
    graph.add((link, AMUR.threat, threat_iri(code)))
    graph.add((link, AMUR.method, method_iri("curated")))
    graph.add((link, AMUR.confidence, confidence_iri(CURATED_CONFIDENCE)))
    graph.add((link, AMUR.matched, Literal(matched)))
    graph.add((link, PROV.wasDerivedFrom, source_iri(SOURCE_ID)))
    graph.add((ecoregion_iri(eco), AMUR.threatenedBy, threat_iri(code)))


def species_places(facts: dict) -> dict[str, list[Placement]]:
    """Taxon slug -> the curated placements of the species the page names."""
    places: dict[str, list[Placement]] = {}
    for entry in facts.get("species_places", []):
        for name in entry["taxa"]:
            places.setdefault(slug(name), []).extend(
                Placement(
                    ecoregion=code,
                    method="curated",
                    confidence=CURATED_CONFIDENCE,
                    matched=entry["matched"],
                    source=SOURCE_ID,
                )
                for code in entry["ecoregions"]
            )
    return places


def curated_taxa(facts: dict) -> set[str]:
    """Every species name the curated facts use (the build reports those the checklists lack)."""
    names = {n for e in facts["species_threats"] for n in e["taxa"]}
    return names | {n for e in facts.get("species_places", []) for n in e["taxa"]}


def species_threats(facts: dict) -> list[SpeciesThreat]:
    return [
        SpeciesThreat(taxon=name, threat=code, matched=entry["matched"])
        for entry in facts["species_threats"]
        for name in entry["taxa"]
        for code in entry["iucn"]
    ]


def add_species_threat(graph: Graph, link: SpeciesThreat) -> None:
    """A direct, curated species -> threat link with its evidence."""
    taxon = taxon_iri(link.taxon)
    node = iri("threat-exposure", taxon.rsplit("/", 1)[-1], link.threat)
    graph.add((node, RDF.type, AMUR.ThreatExposure))
    graph.add((node, AMUR.taxon, taxon))
    graph.add((node, AMUR.threat, threat_iri(link.threat)))
    graph.add((node, AMUR.method, method_iri("curated")))
    graph.add((node, AMUR.confidence, confidence_iri("high")))
    graph.add((node, AMUR.matched, Literal(link.matched)))
    graph.add((node, PROV.wasDerivedFrom, source_iri(SOURCE_ID)))
    graph.add((taxon, AMUR.threatenedBy, threat_iri(link.threat)))
