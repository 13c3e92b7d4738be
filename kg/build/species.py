"""Species records -> RDF: taxa with their evidence, assessments and qualified links.

Readers (plants, birds, mammals, fishes, amphibians, reptiles) select rows and return plain records;
here they are merged on the accepted name, placed in ecoregions by range box, linked to threats
(curated direct links, and inferred exposure through their ecoregions) and written as triples.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from ingest import threat_applicability
from ingest.places import rangebox
from ingest.places.geography import CONFIDENCE_RANK
from ingest.records import Assessment, Placement, Selection, SpeciesReader, SpeciesRecord
from kg import progress
from kg.namespaces import AMUR, DWC, HIGHER_RANKS, higher_taxon_iri, iri, is_recorded, slug, source_iri, taxon_iri
from kg.progress import Echo
from kg.sources import registry

if TYPE_CHECKING:
    from ingest.basin import SpeciesThreat
    from ingest.regions import Regions
    from kg.build.calibration import Calibration


def species_readers(sources: list[registry.Source] | None = None) -> tuple[str, ...]:
    """The species reader modules in registry order: each source names its reader (kg/sources/registry.py), and a reader
    with ``SOURCES`` and ``read`` is a species reader (ingest/records.py ``SpeciesReader``)."""
    names: list[str] = []
    for source in sources or registry.SOURCES:
        module = importlib.import_module(source.reader)
        if source.reader not in names and hasattr(module, "SOURCES") and hasattr(module, "read"):
            names.append(source.reader)
    return tuple(names)


# Reader modules in build order; the first record of a name is the primary one (its taxonomy wins).
READERS = species_readers()

# Country lists of the sources span the world; the graph keeps the basin's countries and neighbours.
REGION_COUNTRIES = {"RU", "CN", "MN", "KP", "KR", "JP"}

RANKS = HIGHER_RANKS
DWC_RANK_TERMS = {
    "kingdom": DWC.kingdom,
    "phylum": DWC.phylum,
    "class": DWC["class"],
    "order": DWC.order,
    "family": DWC.family,
    "genus": DWC.genus,
}

# scheme -> (identifier property, resolver URL template or None)
IDENTIFIERS = {
    "col-china": (AMUR.colChinaId, None),
    "avibase": (AMUR.avibaseId, "https://avibase.bsc-eoc.org/species.jsp?avibaseid={}"),
    "ebird": (AMUR.ebirdCode, "https://ebird.org/species/{}"),
    "mdd": (AMUR.mddId, "https://www.mammaldiversity.org/taxon/{}"),
    "fishbase": (AMUR.fishbaseSpecCode, "https://www.fishbase.se/summary/{}"),
    "amphibiaweb": (AMUR.amphibiawebId, "https://amphibiaweb.org/cgi/amphib_query?where-uid={}"),
}
ASSESSORS = {"IUCN": "iucn", "MEE-CAS": "mee-cas"}

# Range-box placement: the box must cover at least this share of an ecoregion's area, so a box that only
# grazes an ecoregion's edge does not place the species there. It is the smallest share measured against
# WildFinder; the build raises it to the share the measurement chooses (kg.build.calibration).
RANGE_BOX_MIN_SHARE = 0.2
# Confidence of an inferred threat exposure, from the confidence of the occurrence it goes through.
INFERRED_CONFIDENCE = {"high": "medium", "medium": "low", "low": None}
LEVEL = CONFIDENCE_RANK


def shortcut_of(confidence: str) -> URIRef:
    """The direct property of a species-ecoregion pair whose best placement has this confidence."""
    return AMUR.occursIn if is_recorded(confidence) else AMUR.possiblyOccursIn


@dataclass
class Taxon:
    """All records of one accepted name, merged: the first is primary."""

    name: str
    records: list[SpeciesRecord] = field(default_factory=list)

    @property
    def primary(self) -> SpeciesRecord:
        return self.records[0]


def read_all(located: dict[str, dict[str, Path]], cache_dir: Path | None, echo: Echo = print) -> dict[str, Selection]:
    """Run every species reader on its verified files: reader module name -> (records, report)."""
    results = {}
    for done, module_name in enumerate(READERS):
        progress.count(echo, done, len(READERS))
        module: SpeciesReader = importlib.import_module(module_name)
        files = {sid: _file_of(located, sid) for sid in module.SOURCES}
        selection = module.read(files, cache_dir=cache_dir)
        echo(f"  {module_name.split('.')[-1]}: {len(selection.records)} species")
        results[module_name] = selection
    progress.count(echo, len(READERS), len(READERS))
    return results


def _file_of(located: dict[str, dict[str, Path]], source_id: str) -> Path:
    paths = list(located[source_id].values())
    return paths[0] if len(paths) == 1 else paths[0].parent


def merge(records: list[SpeciesRecord]) -> dict[str, Taxon]:
    """Group records on the accepted name (slug), keeping reader order."""
    taxa: dict[str, Taxon] = {}
    for record in records:
        key = slug(record.scientific_name)
        taxa.setdefault(key, Taxon(record.scientific_name)).records.append(record)
    return taxa


def range_box_placements(
    record: SpeciesRecord, polygons: dict[str, Any], min_share: float = RANGE_BOX_MIN_SHARE
) -> list[Placement]:
    """The ecoregions the species' range box covers by ``min_share`` of their area or more.

    The box is tested in geographic coordinates (a bird box in Mollweide metres is unprojected first,
    ``ingest.places.rangebox``), shares are of area (equal-area), and a box spanning more than half the globe's
    longitudes places nothing (Cervus canadensis: -151..171° E).
    The build raises the share to the measured rule (``kg.build.calibration``); ``share`` is kept for that.
    """
    if record.range_box is None:
        return []
    if rangebox.lon_span(record.range_box, record.range_box_projection) > rangebox.MAX_LON_SPAN:
        return []
    placements = []
    shares = rangebox.box_shares(record.range_box, record.range_box_projection, polygons)
    for code, share in sorted(shares.items()):
        if share >= min_share:
            placements.append(
                Placement(
                    ecoregion=code,
                    method="range-box",
                    confidence="low",
                    matched=f"{_box_text(record)} covers {share:.0%}",
                    source=_box_source(record),
                    share=round(share, 4),
                )
            )
    return placements


def _box_text(record: SpeciesRecord) -> str:
    assert record.range_box is not None  # only placed records have a box to describe
    lon_min, lon_max, lat_min, lat_max = rangebox.geographic(record.range_box, record.range_box_projection)
    text = f"box {lon_min:.1f}..{lon_max:.1f} E, {lat_min:.1f}..{lat_max:.1f} N"
    return text + " (unprojected from Mollweide)" if record.range_box_projection == rangebox.MOLLWEIDE else text


def _box_source(record: SpeciesRecord) -> str:
    # boxes come from rangeBuilder, except where a reader took them from its own source (PanTHERIA)
    return "pantheria-1.0" if record.rule.startswith("pantheria") else "rangebuilder-2022"


def best_placements(
    placements: list[Placement], calibration: Calibration | None = None, taxon: Taxon | None = None
) -> dict[tuple[str, str], Placement]:
    """One placement per (ecoregion, method): the most confident, after the measured calibration if given."""
    if calibration is not None:
        placements = calibration.apply(placements, taxon)
    best: dict[tuple[str, str], Placement] = {}
    for p in placements:
        key = (p.ecoregion, p.method)
        if key not in best or LEVEL[p.confidence] > LEVEL[best[key].confidence]:
            best[key] = p
    return best


def stated_ranks(record: SpeciesRecord) -> dict[str, str]:
    """rank -> name as the record states them, in RANKS order; the kingdom defaults from the group and the genus
    from the name, so every species has both."""
    values = {
        "kingdom": record.kingdom or ("Plantae" if record.group == "plant" else "Animalia"),
        "phylum": record.phylum,
        "class": record.class_,
        "order": record.order,
        "family": record.family,
        "genus": record.genus or record.scientific_name.split()[0],
    }
    return {rank: name for rank in RANKS if (name := values[rank])}


HigherTaxon = tuple[str, str, str]  # (kingdom, rank, name): the key of higher_taxon_iri


def backbone(taxa: dict[str, Taxon]) -> dict[HigherTaxon, tuple[HigherTaxon, str]]:
    """One parent for every higher taxon the primary records name: higher taxon -> (parent, the source stating it).

    Every primary record states, for each higher taxon it names, the next rank it names above it. Of these
    statements the first source's wins (sources in the order their records come: the registered readers first,
    then the checklist archives given to the build), and of one source's the one naming the closest rank (a
    family's order rather than its kingdom). So an archive that gives only kingdom and family keeps the
    backbone's order for a family the backbone holds, and a family only it names hangs from its kingdom."""
    order: dict[str, int] = {}
    best: dict[HigherTaxon, tuple[tuple[int, int], HigherTaxon, str]] = {}
    for taxon in taxa.values():
        record = taxon.primary
        priority = order.setdefault(record.source, len(order))
        stated = list(stated_ranks(record).items())
        kingdom = stated[0][1]
        for (parent_rank, parent_name), (rank, name) in zip(stated, stated[1:], strict=False):
            child, parent = (kingdom, rank, name), (kingdom, parent_rank, parent_name)
            rank_key = (priority, -RANKS.index(parent_rank))
            if child not in best or rank_key < best[child][0]:
                best[child] = (rank_key, parent, record.source)
    return {child: (parent, source) for child, (_, parent, source) in best.items()}


class ThreatReport(TypedDict):
    """The inferred threat links: as the ecoregions alone would give them, as written, and removed per rule and
    group (rule -> taxon group -> links)."""

    before: int
    after: int
    removed: defaultdict[str, defaultdict[str, int]]


class SpeciesLayer:
    """Builds the per-source species graphs and the derived links of all merged taxa."""

    def __init__(
        self,
        taxa: dict[str, Taxon],
        polygons: dict[str, Any],
        ecoregion_threats: dict[str, set[str]],
        curated_threats: list[SpeciesThreat],
        threat_parents: dict[str, str],
        applicability: threat_applicability.Applicability | None = None,
    ):
        self.taxa = taxa
        # the measured placement calibration, set by the build (kg.build.calibration)
        self.calibration: Calibration | None = None
        self.regions: Regions | None = None  # the basin's administrative regions (ingest.regions), set by the build
        # taxon slug -> why no ecoregion placement (ingest.regions.no_placement_reason), for the build report
        self.unplaced: dict[str, str] = {}
        self.applicability = applicability or threat_applicability.load()
        # inferred threat links: as the ecoregions alone would give them, as written, and removed per rule and group
        self.threat_report: ThreatReport = {"before": 0, "after": 0, "removed": defaultdict(lambda: defaultdict(int))}
        self.polygons = polygons
        self.ecoregion_threats = ecoregion_threats  # ecoregion code -> IUCN threat codes
        self.curated_threats = curated_threats
        self.threat_parents = threat_parents
        self.graphs: dict[str, Graph] = defaultdict(Graph)  # source id -> graph
        self.derived = Graph()
        self.parents: dict[HigherTaxon, tuple[HigherTaxon, str]] = {}  # the backbone, set by build()
        self.occurrences: dict[str, dict[str, Placement]] = {}  # taxon slug -> ecoregion -> best placement
        # (group, method, confidence) -> [occurrences written, taxon slugs]: the placement tallies
        self.tallies: dict[tuple[str, str, str], list[Any]] = defaultdict(lambda: [0, set()])

    def build(self, occurrence_placements: dict[str, list[Placement]] | None = None) -> None:
        self.parents = backbone(self.taxa)
        for key, taxon in self.taxa.items():
            self._taxon(key, taxon, (occurrence_placements or {}).get(key, []))
        self._curated_threats()
        self._inferred_threats()
        self._placement_tallies()

    # --- taxa -------------------------------------------------------------------------------
    def _taxon(self, key: str, taxon: Taxon, extra: list[Placement]) -> None:
        primary = taxon.primary
        node = taxon_iri(primary.scientific_name)
        g = self.graphs[primary.source]
        full_name = (
            f"{primary.scientific_name} {primary.authorship}".strip()
            if primary.authorship
            else (primary.scientific_name)
        )
        g.add((node, RDF.type, DWC.Taxon))
        g.add((node, RDFS.label, Literal(primary.scientific_name)))
        g.add((node, DWC.scientificName, Literal(full_name)))
        g.add((node, AMUR.canonicalName, Literal(primary.scientific_name)))
        if primary.authorship:
            g.add((node, DWC.scientificNameAuthorship, Literal(primary.authorship)))
        g.add((node, DWC.taxonRank, Literal("species")))
        g.add((node, DWC.taxonomicStatus, Literal("accepted")))
        g.add((node, AMUR.group, iri("group", primary.group)))
        self._lineage(g, node, primary)

        placements: list[Placement] = list(extra)
        for record in taxon.records:
            rg = self.graphs[record.source]
            seen_names = set()
            for name, lang in record.vernacular:
                if (name, lang) not in seen_names:
                    seen_names.add((name, lang))
                    rg.add((node, DWC.vernacularName, Literal(name, lang=lang)))
                    if lang == "en":
                        rg.add((node, SKOS.altLabel, Literal(name, lang=lang)))
                    if lang.startswith("zh"):
                        rg.add((node, SKOS.altLabel, Literal(name, lang=lang)))
            for scheme, value in record.identifiers.items():
                prop, resolver = IDENTIFIERS[scheme]
                rg.add((node, prop, Literal(str(value))))
                rg.add((node, DCTERMS.identifier, Literal(f"{scheme}:{value}")))
                if resolver:
                    rg.add((node, RDFS.seeAlso, URIRef(resolver.format(quote(str(value), safe="")))))
            for country in record.countries:
                if country in REGION_COUNTRIES:
                    rg.add((node, AMUR.nativeTo, iri("country", country)))
            for assessment in record.assessments:
                self._assessment(rg, node, key, assessment)
            self._evidence(rg, node, key, record)
            placements.extend(record.placements)
            placements.extend(range_box_placements(record, self.polygons))

        best = best_placements(placements, self.calibration, taxon)
        self.occurrences[key] = {}
        for (eco, _method), p in sorted(best.items()):
            self._occurrence(node, key, p)
            current = self.occurrences[key].get(eco)
            if current is None or LEVEL[p.confidence] > LEVEL[current.confidence]:
                self.occurrences[key][eco] = p
        for p in self.occurrences[key].values():
            self._occurrence_shortcut(node, p)
        if self.regions is not None:
            from ingest import regions

            regions.add_region_records(lambda sid: self.graphs[sid], node, key, taxon.records, self.regions)
        if not self.occurrences[key]:
            from ingest import regions

            reason = regions.no_placement_reason(taxon.records, placements)
            self.unplaced[key] = reason
            self.derived.add((node, AMUR.noPlacementReason, Literal(reason)))

    def _lineage(self, g: Graph, node: URIRef, record: SpeciesRecord) -> None:
        """The record's ranks as its source states them (dwc:kingdom ... on the species, in its source's graph); the
        species' genus joins the backbone (``backbone``): one parent per higher taxon, stated by the source that
        gave the fullest classification first, so a sparse checklist (kingdom and family only) never gives a family
        a second parent beside the backbone's order."""
        values = stated_ranks(record)
        for rank, name in values.items():
            g.add((node, DWC_RANK_TERMS[rank], Literal(name)))
        kingdom = values["kingdom"]
        genus = (kingdom, "genus", values["genus"])
        g.add((node, AMUR.parentTaxon, higher_taxon_iri(*genus)))
        higher: tuple[str, str, str] | None = genus
        chain = []
        while higher is not None:
            chain.append(higher)
            higher_node = higher_taxon_iri(*higher)
            g.add((higher_node, RDF.type, DWC.Taxon))
            g.add((higher_node, RDFS.label, Literal(higher[2])))
            g.add((higher_node, DWC.scientificName, Literal(higher[2])))
            g.add((higher_node, DWC.taxonRank, Literal(higher[1])))
            stated = self.parents.get(higher)
            if stated is not None:
                # the parent edge belongs to the graph of the source that stated it
                self.graphs[stated[1]].add((higher_node, AMUR.parentTaxon, higher_taxon_iri(*stated[0])))
            higher = stated[0] if stated is not None else None
        ancestors = [higher_taxon_iri(*h) for h in chain]
        for i, ancestor in enumerate(ancestors):
            self.derived.add((node, AMUR.ancestorTaxon, ancestor))
            for above in ancestors[i + 1 :]:
                self.derived.add((ancestor, AMUR.ancestorTaxon, above))

    def _assessment(self, g: Graph, node: URIRef, key: str, assessment: Assessment) -> None:
        assessor = ASSESSORS.get(assessment.assessor, slug(assessment.assessor))
        scope = assessment.scope
        a = iri("taxon", key, "assessment", f"{assessor}-{slug(scope)}")
        category = iri("red-list-category", assessment.category)
        g.add((node, AMUR.assessment, a))
        g.add((a, RDF.type, AMUR.Assessment))
        g.add((a, AMUR.taxon, node))
        g.add((a, AMUR.category, category))
        g.add((a, AMUR.assessor, iri("agent", assessor)))
        g.add((a, AMUR.scope, iri("scope", "global") if scope == "global" else iri("country", scope)))
        if assessment.year:
            g.add((a, AMUR.year, Literal(str(assessment.year), datatype=XSD.gYear)))
        if assessment.criteria:
            g.add((a, AMUR.criteria, Literal(assessment.criteria)))
        g.add((a, PROV.wasDerivedFrom, source_iri(assessment.source)))
        g.add((a, RDFS.label, Literal(f"{assessment.category} ({assessment.assessor}, {scope})")))
        if assessment.assessor == "IUCN" and scope == "global":
            g.add((node, AMUR.redListCategory, category))

    def _evidence(self, g: Graph, node: URIRef, key: str, record: SpeciesRecord) -> None:
        e = iri("taxon", key, "evidence", record.source)
        g.add((node, AMUR.evidence, e))
        g.add((e, RDF.type, AMUR.Evidence))
        g.add((e, AMUR.method, iri("method", "checklist-rule")))
        g.add((e, AMUR.rule, Literal(record.rule)))
        if record.matched:
            g.add((e, AMUR.matched, Literal(record.matched)))
        g.add((e, AMUR.sourceRow, Literal(str(record.row_id))))
        g.add((e, AMUR.confidence, iri("confidence", record.confidence)))
        g.add((e, PROV.wasDerivedFrom, source_iri(record.source)))

    def _placement_graph(self, p: Placement) -> Graph:
        # range-box placements are computed by the build from two sources: they go to the derived graph
        return self.derived if p.method in ("range-box", "occurrence") else self.graphs[p.source]

    def _occurrence(self, node: URIRef, key: str, p: Placement) -> None:
        g = self._placement_graph(p)
        o = iri("occurrence", key, p.ecoregion, p.method)
        eco = iri("ecoregion", p.ecoregion)
        g.add((o, RDF.type, AMUR.Occurrence))
        g.add((o, AMUR.taxon, node))
        g.add((o, AMUR.ecoregion, eco))
        g.add((o, AMUR.method, iri("method", p.method)))
        g.add((o, AMUR.confidence, iri("confidence", p.confidence)))
        g.add((o, AMUR.matched, Literal(p.matched)))
        g.add((o, PROV.wasDerivedFrom, source_iri(p.source)))
        tally = self.tallies[(self.taxa[key].primary.group, p.method, p.confidence)]
        tally[0] += 1
        tally[1].add(key)

    def _placement_tallies(self) -> None:
        """Per taxon group, method and confidence level: how many occurrences were written and how many species
        they place (amur:PlacementTally, derived graph). The placement-confidence query reads these ~15 nodes
        instead of joining the ~20k occurrences' taxon, method and confidence at every request."""
        g = self.derived
        for (group, method, confidence), (links, species) in sorted(self.tallies.items()):
            node = iri("placement-tally", group, method, confidence)
            g.add((node, RDF.type, AMUR.PlacementTally))
            g.add((node, AMUR.tallyGroup, iri("group", group)))
            g.add((node, AMUR.tallyMethod, iri("method", method)))
            g.add((node, AMUR.tallyConfidence, iri("confidence", confidence)))
            g.add((node, AMUR.linkCount, Literal(links)))
            g.add((node, AMUR.speciesCount, Literal(len(species))))

    def _occurrence_shortcut(self, node: URIRef, p: Placement) -> None:
        """The direct triple of a species-ecoregion pair, from its most confident placement: amur:occursIn
        only where the placement is recorded (medium or high), amur:possiblyOccursIn where it is low."""
        self._placement_graph(p).add((node, shortcut_of(p.confidence), iri("ecoregion", p.ecoregion)))

    # --- threats ----------------------------------------------------------------------------
    def _curated_threats(self) -> None:
        from ingest.basin import add_species_threat

        for link in self.curated_threats:
            if slug(link.taxon) in self.taxa:
                add_species_threat(self.graphs["wwf-amur-heilong"], link)

    def _inferred_threats(self) -> None:
        """A species is exposed to a threat of an ecoregion it is recorded in (medium or high placement) where the
        threat can act on its kind of organism (ingest/curated/threat_applicability.yml): inferred, never direct."""
        for key, by_eco in self.occurrences.items():
            taxon = taxon_iri(self.taxa[key].name)
            record = self.taxa[key].primary
            genus = record.genus or record.scientific_name.split()[0]
            exposures = self._ecoregion_exposures(by_eco)
            applicable = {
                threat: found
                for threat, found in exposures.items()
                if self.applicability.applies(threat, record.group, record.family, genus)
            }
            self._count_removed(exposures, applicable, record.group)
            for threat, (level, ecos) in applicable.items():
                if self._broader_present(threat, applicable):
                    continue  # the broader code already carries the exposure
                self.threat_report["after"] += 1
                node = iri("inferred-threat", key, threat)
                g = self.derived
                g.add((node, RDF.type, AMUR.InferredThreatExposure))
                g.add((node, AMUR.taxon, taxon))
                g.add((node, AMUR.threat, iri("threat", threat)))
                g.add((node, AMUR.method, iri("method", "inferred-from-ecoregion")))
                g.add((node, AMUR.confidence, iri("confidence", level)))
                for eco in sorted(ecos):
                    g.add((node, AMUR.via, iri("ecoregion", eco)))
                g.add((node, PROV.wasDerivedFrom, source_iri("wwf-amur-heilong")))
                g.add((taxon, AMUR.inferredThreat, iri("threat", threat)))

    def threat_kinds(self, codes: Iterable[str]) -> None:
        """State on each IUCN threat the kind of organism the inference may link it to (amur:inferredOn, the
        label of its applicability row or its nearest broader code's), so that the read side (kg/analytics.py)
        and a remote engine read the table the build used. A code with no row gets no statement."""
        for code in sorted(codes):
            rule = self.applicability.rule_for(code)
            if rule is not None:
                self.derived.add((iri("threat", code), AMUR.inferredOn, Literal(rule.kind.label, lang="en")))

    def _ecoregion_exposures(self, by_eco: dict[str, Placement]) -> dict[str, tuple[str, list[str]]]:
        """Threat code -> (best inferred confidence, ecoregions): every threat of the recorded ecoregions."""
        exposures: dict[str, tuple[str, list[str]]] = {}
        for eco, placement in by_eco.items():
            level = INFERRED_CONFIDENCE[placement.confidence]
            if level is None:
                continue  # a possible (low) placement is no ground for an exposure
            for threat in self.ecoregion_threats.get(eco, ()):
                current = exposures.get(threat)
                if current is None:
                    exposures[threat] = (level, [eco])
                else:
                    best = level if LEVEL[level] > LEVEL[current[0]] else current[0]
                    exposures[threat] = (best, current[1] + [eco])
        return exposures

    def _count_removed(
        self,
        exposures: dict[str, tuple[str, list[str]]],
        applicable: dict[str, tuple[str, list[str]]],
        group: str,
    ) -> None:
        # counted on the links the ecoregions alone would give (each at its broadest code), so that
        # before - after = the sum of the removals; a narrower code of a removed one is removed with it
        for threat in exposures:
            if self._broader_present(threat, exposures):
                continue
            self.threat_report["before"] += 1
            if threat not in applicable:
                rule = self.applicability.rule_for(threat)
                self.threat_report["removed"][rule.name if rule else f"{threat} (no row)"][group] += 1

    def threat_yields(self) -> dict[str, Any]:
        """The inference's yield for the build report: links before and after the applicability rules."""
        removed = {rule: dict(sorted(groups.items())) for rule, groups in sorted(self.threat_report["removed"].items())}
        return {"before": self.threat_report["before"], "after": self.threat_report["after"], "removed": removed}

    def _broader_present(self, threat: str, codes: Container[str]) -> bool:
        parent = self.threat_parents.get(threat)
        while parent:
            if parent in codes:
                return True
            parent = self.threat_parents.get(parent)
        return False
