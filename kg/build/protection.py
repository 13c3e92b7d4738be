"""Legal protection and trade listings as RDF: the lists (each an instance of an IUCN conservation action), their
classes, one amur:ProtectionStatus per species and listing with its evidence, and the official Chinese names
(docs/decisions/0014-protection-status.md). The rows and the join are ingest/protection.py's (pure records)."""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from ingest import protection
from kg.namespaces import AMUR, DWC, iri, source_iri

_ZH_NUMERAL = {"I": "一", "II": "二", "III": "三"}
ROUTE_CONFIDENCE = {
    "exact": "high",
    "synonym": "medium",
    "genus-row": "high",
    "family-row": "medium",
    "order-row": "medium",
}


def list_iri(list_id: str) -> URIRef:
    return iri("protection-list", list_id)


def class_iri(list_id: str, level: str) -> URIRef:
    return iri("protection-class", list_id, level)


def status_iri(taxon_key: str, list_id: str, level: str) -> URIRef:
    return iri("taxon", taxon_key, "protection", list_id, level)


def to_graphs(report: protection.JoinReport, zh_names: Mapping[str, set[str]] | None = None) -> dict[str, Graph]:
    """Source id -> rdflib Graph: the lists (with the IUCN action each is an instance of), their classes, one
    amur:ProtectionStatus per species and listing with its evidence, and the official Chinese name of every species
    a Chinese list names by its own row (dwc:vernacularName @zh), unless the graph already gives that name
    (``zh_names``: taxon key -> Chinese names the checklists give)."""
    graphs: dict[str, Graph] = {protection.CN_SOURCE: Graph(), protection.CITES_SOURCE: Graph()}
    for info in protection.LISTS.values():
        g = graphs[info.source]
        node = list_iri(info.id)
        g.add((node, RDF.type, AMUR.ProtectionList))
        g.add((node, RDF.type, SKOS.ConceptScheme))
        for text, lang in info.labels:
            g.add((node, RDFS.label, Literal(text, lang=lang)))
            g.add((node, SKOS.prefLabel, Literal(text, lang=lang)))
        g.add((node, AMUR.validOn, Literal(info.valid_on, datatype=XSD.date)))
        g.add((node, DCTERMS.source, source_iri(info.source)))
        for code in info.actions:
            g.add((node, AMUR.instanceOfAction, iri("action", code)))
        if info.jurisdiction:
            g.add((node, AMUR.jurisdiction, iri("country", info.jurisdiction)))
        for level in ("I", "II") + (("III",) if info.id == "cites" else ()):
            concept = class_iri(info.id, level)
            g.add((concept, RDF.type, AMUR.ProtectionClass))
            g.add((concept, RDF.type, SKOS.Concept))
            g.add((concept, SKOS.inScheme, node))
            g.add((concept, SKOS.notation, Literal(level)))
            for template, lang in info.class_labels:
                text = template.format(level=level, zh=_ZH_NUMERAL[level])
                g.add((concept, RDFS.label, Literal(text, lang=lang)))
                g.add((concept, SKOS.prefLabel, Literal(text, lang=lang)))
    for status in report.statuses:
        listing = status.listing
        info = protection.LISTS[listing.list_id]
        g = graphs[info.source]
        taxon = iri("taxon", status.taxon)
        node = status_iri(status.taxon, listing.list_id, status.level)
        evidence = iri("taxon", status.taxon, "protection", listing.list_id, status.level, "evidence")
        g.add((taxon, AMUR.protectionStatus, node))
        g.add((node, RDF.type, AMUR.ProtectionStatus))
        g.add((node, AMUR.taxon, taxon))
        g.add((node, AMUR.protectionList, list_iri(listing.list_id)))
        g.add((node, AMUR.protectionClass, class_iri(listing.list_id, status.level)))
        g.add((node, AMUR.validOn, Literal(info.valid_on, datatype=XSD.date)))
        g.add((node, AMUR.wildPopulationsOnly, Literal(listing.wild_only)))
        label = next(t for t, lang in info.class_labels if lang == "en").format(level=status.level, zh="")
        g.add((node, RDFS.label, Literal(label + (f"; {status.scope}" if status.scope else ""), lang="en")))
        if status.scope:
            g.add((node, AMUR.scopeNote, Literal(status.scope, lang="en")))
        for code in status.scope_countries:
            g.add((node, AMUR.scopeCountry, iri("country", code)))
        g.add((node, PROV.wasDerivedFrom, source_iri(info.source)))
        g.add((node, AMUR.evidence, evidence))
        g.add((evidence, RDF.type, AMUR.Evidence))
        g.add((evidence, AMUR.method, iri("method", "list-join")))
        g.add((evidence, AMUR.rule, Literal(status.route)))
        g.add((evidence, AMUR.matched, Literal(status.matched)))
        row = f"{protection.file_of(listing.list_id)} {listing.row}: {listing.text()}"
        g.add((evidence, AMUR.sourceRow, Literal(row)))
        g.add((evidence, AMUR.confidence, iri("confidence", ROUTE_CONFIDENCE[status.route])))
        g.add((evidence, PROV.wasDerivedFrom, source_iri(info.source)))
        if (
            listing.chinese_name
            and status.route in ("exact", "synonym")
            and listing.chinese_name not in (zh_names or {}).get(status.taxon, set())
        ):
            g.add((taxon, DWC.vernacularName, Literal(listing.chinese_name, lang="zh")))
            g.add((taxon, SKOS.altLabel, Literal(listing.chinese_name, lang="zh")))
    return graphs
