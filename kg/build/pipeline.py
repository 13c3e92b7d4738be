"""The build: verify sources -> ingest (one named graph per source, with PROV) -> SHACL -> store swap.

Nothing is written until every source is verified and the whole graph validates; the new store is
written beside the old one and swapped in atomically (kg/store/layout.py).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import secrets
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, RDFS, SKOS, VOID, XSD

from kg import config, export, progress
from kg.namespaces import AMUR, ONTOLOGY_VERSION, base_iri, graph_iri, iri, rebase, slug, source_iri
from kg.sources import fetch as kgfetch
from kg.sources import registry
from kg.sources.registry import ROOT
from kg.store import layout as kgstore

if TYPE_CHECKING:
    from ingest.checklists import ChecklistSource
    from ingest.ecoregions import Ecoregion
    from ingest.records import Reference, Selection
    from ingest.regions import Regions
    from ingest.wildfinder import WildFinderSelection
    from kg.build.calibration import Calibration
    from kg.progress import Echo

    # a checklist archive the build read: (the archive, what its EML says, its checklists.yml entry when declared
    # there), and the basin species it selects
    ReadChecklist = tuple[tuple[Path, ChecklistSource, registry.Source | None], Selection]

ONTOLOGY_DIR = ROOT / "ontology"
# What the build reads, and so what its key hashes (a change forces a rebuild): the foundation, the sources, the
# readers, the build itself, the store's layout and the dumps it writes with the queries they run, the ontology.
# The serve side (server/, kg/store's pool, workers and writes, the analyses, kg/query.py) is not in it: editing it
# never forces a rebuild (tests/kg/build/test_build_key.py checks both halves against the import graph).
BUILD_INPUTS = (
    "kg/__init__.py",
    "kg/config.py",
    "kg/namespaces.py",
    "kg/formats.py",
    "kg/progress.py",
    "kg/sources",
    "kg/build",
    "kg/store/__init__.py",
    "kg/store/layout.py",
    "kg/export",
    "ingest",
    "ontology",
    "queries/export",
)
CODE_SUFFIXES = {".py", ".ttl", ".yml", ".yaml", ".json", ".rq"}
CACHE_DIR = ROOT / "data" / "cache"


class BuildError(Exception):
    """The build stopped; the previous store (if any) is untouched."""


@dataclass
class BuildReport:
    build_id: str
    skipped: bool
    store: Path
    seconds: float = 0.0
    graphs: dict[str, int] = field(default_factory=dict)  # graph IRI -> triples
    classes: dict[str, int] = field(default_factory=dict)  # class IRI -> instances
    species: dict[str, dict[str, Any]] = field(default_factory=dict)  # reader -> rule yields
    shacl: dict[str, Any] = field(default_factory=dict)  # engine, conforms, triples, seconds of the build's validation


def build_input_files(root: Path = ROOT) -> list[Path]:
    """The files of BUILD_INPUTS under ``root``, in a stable order."""
    files: list[Path] = []
    for name in BUILD_INPUTS:
        top = root / name
        for path in sorted([top] if top.is_file() else top.rglob("*")):
            if path.suffix in CODE_SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
                files.append(path)
    return files


def code_fingerprint(root: Path = ROOT) -> str:
    """Hash of the code and ontology that shape the graph and its files: a change forces a rebuild."""
    digest = hashlib.sha256()
    for path in build_input_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build_key(
    sources: list[registry.Source],
    occurrences: Path | None,
    located: dict[str, dict[str, Path]] | None = None,
    checklists: tuple[Path, ...] = (),
) -> str:
    digest = hashlib.sha256()
    for source in sources:
        digest.update(repr(source).encode())  # a declared checklist's title or licence is in the graph too
        for file, sha in sorted(source.files.items()):
            digest.update(f"{file}={sha}\n".encode())
            # a full file read in place of its extract may give a few more links: another graph, another key
            used = (located or {}).get(source.id, {}).get(file)
            if file in source.alternates and used is not None and used.name != Path(file).name:
                digest.update(f"{file}<-{source.alternates[file][1]}\n".encode())
    digest.update(code_fingerprint().encode())
    digest.update(base_iri().encode())
    if occurrences:
        digest.update(registry.sha256_of(occurrences).encode())
    for archive in checklists:
        digest.update(f"checklist={registry.sha256_of(archive)}\n".encode())
    return digest.hexdigest()[:16]


def _parse_rebased(paths: list[Path]) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(data=rebase(path.read_text(encoding="utf-8")), format="turtle")
    return graph


def load_ontology() -> Graph:
    return _parse_rebased([ONTOLOGY_DIR / "amurkg.ttl"] + sorted((ONTOLOGY_DIR / "vocab").glob("*.ttl")))


def load_shapes() -> Graph:
    return _parse_rebased(sorted((ONTOLOGY_DIR / "shapes").glob("*.ttl")))


def date_literal(text: str) -> Literal:
    """'2024-09-17', '2008-08' or '2001' as xsd:date, xsd:gYearMonth or xsd:gYear."""
    datatype = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}.get(len(text))
    if datatype is None:
        raise ValueError(f"not an ISO date, year-month or year: {text!r}")
    return Literal(text, datatype=datatype)


def describe_source(graph: Graph, source: registry.Provenance) -> None:
    """A source as a dataset: title, licence, citation, where it comes from, its checksums and the reader that reads
    it. Every kind of source (registered, curated, an archive given to the build) is stated this one way."""
    node = source_iri(source.id)
    for cls in (AMUR.Source, DCAT.Dataset, PROV.Entity):
        graph.add((node, RDF.type, cls))
    graph.add((node, DCTERMS.title, Literal(source.title, lang="en")))
    graph.add((node, RDFS.label, Literal(source.title, lang="en")))
    graph.add((node, DCTERMS.identifier, Literal(source.id)))
    graph.add((node, DCTERMS.license, Literal(source.licence)))
    graph.add((node, DCTERMS.bibliographicCitation, Literal(source.citation)))
    if source.publisher:
        graph.add((node, DCTERMS.publisher, Literal(source.publisher)))
    if source.landing_page:
        graph.add((node, DCAT.landingPage, URIRef(source.landing_page)))
    for url in source.downloads:
        graph.add((node, DCAT.downloadURL, URIRef(url)))
    for sha in source.sha256:
        graph.add((node, AMUR.sha256, Literal(sha)))
    graph.add((node, AMUR.reader, Literal(source.reader)))
    if source.retrieved:
        graph.add((node, AMUR.retrieved, date_literal(source.retrieved)))
    if source.file_name:
        graph.add((node, AMUR.fileName, Literal(source.file_name)))
    if source.given_as:
        graph.add((node, AMUR.givenAs, Literal(source.given_as)))


def curated_provenance(facts: dict[str, Any]) -> registry.Provenance:
    """The curated facts of ingest/curated/amur_heilong.yml, described by their own ``source`` entry."""
    from ingest import basin

    return _curated(facts["source"], basin.__name__, [basin.CURATED_FILE], facts["source"]["origin"])


def _curated(meta: dict[str, Any], reader: str, files: list[Path], landing_page: str) -> registry.Provenance:
    """A curated file set described by its own ``source`` entry (id, title, licence, citation, publisher,
    retrieved), with the checksum of each file."""
    return registry.Provenance(
        id=meta["id"],
        title=meta["title"],
        licence=meta["licence"],
        citation=meta["citation"],
        reader=reader,
        sha256=tuple(registry.sha256_of(path) for path in files),
        publisher=meta["publisher"],
        landing_page=landing_page,
        retrieved=str(meta["retrieved"]),
    )


OCCURRENCE_LICENCE = "per record, as given in the GBIF download (CC0-1.0, CC-BY-4.0 or CC-BY-NC-4.0)"


def occurrence_provenance(archive: Path) -> registry.Provenance:
    """A user-supplied GBIF download is a source too: described with its checksum."""
    from ingest import occurrences

    title = f"GBIF occurrence download {archive.name}"
    return registry.Provenance(
        id=occurrences.source_id(archive),
        title=title,
        licence=OCCURRENCE_LICENCE,
        citation=f"GBIF.org occurrence download {archive.name}",
        reader=occurrences.__name__,
        sha256=(registry.sha256_of(archive),),
        landing_page="https://www.gbif.org/occurrence/download",
    )


def checklist_provenance(archive: Path, source: ChecklistSource) -> registry.Provenance:
    """A checklist archive given to the build is a source: described from its EML, with its checksum, and by its file
    name and how it was given (an archive whose EML names no DOI or URL is known by these alone)."""
    doi = f"https://doi.org/{source.doi}" if source.doi else ""
    page = doi or source.url
    return registry.Provenance(
        id=source.id,
        title=source.title,
        licence=source.licence,
        citation=f"{source.title}. Darwin Core checklist archive {archive.name}" + (f". {page}" if page else ""),
        reader="ingest.checklists",
        sha256=(registry.sha256_of(archive),),
        landing_page=page,
        file_name=archive.name,
        given_as=f"amurkg build --checklist {archive.name}",
    )


def describe_graph(
    meta: Graph, name: URIRef, graph: Graph, derived_from: list[str], licence: str, built: Literal, label: str
) -> None:
    meta.add((name, RDF.type, VOID.Dataset))
    meta.add((name, RDF.type, PROV.Entity))
    meta.add((name, RDFS.label, Literal(label, lang="en")))
    meta.add((name, VOID.triples, Literal(len(graph), datatype=XSD.integer)))
    meta.add((name, PROV.generatedAtTime, built))
    meta.add((name, DCTERMS.license, Literal(licence)))
    for sid in derived_from:
        meta.add((name, PROV.wasDerivedFrom, source_iri(sid)))


def read_references(located: dict[str, dict[str, Path]], echo: Echo) -> list[Reference]:
    """Run the reference readers, in registry order: each source names its reader (kg/sources/registry.py), and a
    reader with
    ``read_reference`` is one (ingest/records.py ``ReferenceReader``: the ecoregions, the IUCN schemes)."""
    references: list[Reference] = []
    for source in registry.SOURCES:
        module = importlib.import_module(source.reader)
        if hasattr(module, "read_reference"):
            echo(f"ingest: {module.LABEL} ({source.id})")
            references.append(module.read_reference({source.id: registry.main_file(located, source.id)}))
    return references


def ingest(
    located: dict[str, dict[str, Path]],
    occurrences: Path | None,
    echo: Echo,
    cache_dir: Path = CACHE_DIR,
    checklists: dict[str, ReadChecklist] | None = None,
    facts: dict[str, Any] | None = None,
) -> tuple[dict[URIRef, Graph], dict[str, Any]]:
    """Run every reader: named graph IRI -> graph, and the species rule yields. ``facts`` are the curated basin facts
    (``ingest.basin.load()``, read once by the build)."""
    from ingest import basin
    from kg.build import species

    graphs: dict[URIRef, Graph] = {}
    graphs[graph_iri("ontology")] = load_ontology()

    polygons: dict[str, Ecoregion] = {}
    codes: dict[str, set[str]] = {}
    for reference in read_references(located, echo):
        graphs[graph_iri(reference.source_id)] = reference.graph
        polygons |= reference.ecoregions
        for cls, found in reference.codes.items():
            codes.setdefault(cls, set()).update(found)
    threat_codes, action_codes = codes[str(AMUR.Threat)], codes[str(AMUR.ConservationAction)]

    echo("ingest: curated basin facts (wwf-amur-heilong)")
    facts = facts if facts is not None else basin.load()
    graphs[graph_iri(basin.SOURCE_ID)] = basin.to_graph(facts, set(polygons), threat_codes, action_codes)

    echo("ingest: regions and names (ingest/curated/regions.yml, names.yml)")
    from ingest import regions as basin_regions

    regions = basin_regions.load()
    graphs[graph_iri(basin_regions.SOURCE_ID)] = region_graph(located, cache_dir, regions, polygons)

    echo("ingest: species")
    selections = species.read_all(located, cache_dir, echo)
    for sid, (_, selection) in (checklists or {}).items():
        # after the registered readers: a species they hold keeps its record as primary and gains the archive's
        echo(f"  {sid}: {len(selection.records)} species")
        selections[sid] = selection
    records = [r for sel in selections.values() for r in sel.records]
    taxa = species.merge(records)
    ecoregion_threats = basin.ecoregion_threats(facts, set(polygons))
    threat_parents = {c: c.rsplit(".", 1)[0] for c in threat_codes if "." in c}  # IUCN codes: "5.1.1" -> "5.1"
    missing = sorted(n for n in basin.curated_taxa(facts) if slug(n) not in taxa)
    if missing:
        # a curated name the checklists do not hold loses its facts: say so (tests require none on the real build)
        echo(f"warning: {basin.CURATED_FILE.name} names species no checklist selected: {', '.join(missing)}")
    extra_placements = basin.species_places(facts)
    if occurrences:
        from ingest import occurrences as occ

        echo(f"ingest: occurrences ({occurrences.name})")
        for key, placed in occ.placements(occurrences, polygons, set(taxa)).items():
            extra_placements.setdefault(key, []).extend(placed)
    layer = species.SpeciesLayer(
        taxa,
        {k: v.geometry for k, v in polygons.items()},
        ecoregion_threats,
        basin.species_threats(facts),
        threat_parents,
    )
    # measure every placement method against WildFinder and calibrate them all (kg/build/calibration.py)
    from ingest.wildfinder import WildFinderSelection
    from kg.build import calibration as placement_calibration

    wildfinder = selections.get("ingest.wildfinder")
    assert wildfinder is None or isinstance(wildfinder, WildFinderSelection)
    calibration = placement_calibration.calibrate(
        taxa, layer.polygons, wildfinder.boxes if wildfinder else {}, extra_placements
    )
    layer.calibration = calibration
    layer.regions = regions
    layer.build(extra_placements)
    placement = placement_report(calibration, wildfinder)
    echo_placement_report(placement, calibration, echo)
    for sid, graph in layer.graphs.items():
        graphs.setdefault(graph_iri(sid), Graph())
        graphs[graph_iri(sid)] += graph
    protection_yields = ingest_protection(located, taxa, graphs, echo, cache_dir)
    layer.threat_kinds(threat_codes)  # the applicability table's kind per threat, for the read side
    derived = layer.derived
    derived += closure_of_broader(graphs)
    graphs[graph_iri("derived")] = derived
    yields: dict[str, Any] = {
        name.split(".")[-1]: dict(sel.report) | {"selected": len(sel.records)} for name, sel in selections.items()
    }
    yields["merged"] = {"species": len(taxa), "records": len(records)}
    # species without any ecoregion placement, by group and why (amur:noPlacementReason on each)
    unplaced: dict[str, dict[str, int]] = {}
    for key, reason in layer.unplaced.items():
        group = unplaced.setdefault(taxa[key].primary.group, {})
        group[reason] = group.get(reason, 0) + 1
    yields["unplaced"] = unplaced
    yields["placement"] = placement
    yields["protection"] = protection_yields
    # the species each reader's concept rules removed, by rule (ingest/birds.py: box of a lumped concept)
    placement["removed_by_readers"] = {
        name.split(".")[-1]: sel.removed for name, sel in selections.items() if getattr(sel, "removed", None)
    }
    for reader, rules in placement["removed_by_readers"].items():
        for rule, names in rules.items():
            echo(f"  {reader} {rule}: {len(names)} ({', '.join(names)})")
    # inferred threats before and after the applicability table (ingest/curated/threat_applicability.yml)
    inferred = yields["inferred-threats"] = layer.threat_yields()
    echo(
        f"  inferred threats: {inferred['before']} from the ecoregions, "
        f"{inferred['after']} kept where the threat can act on the species"
    )
    for rule, groups in inferred["removed"].items():
        echo(f"    removed by {rule}: {sum(groups.values())} ({', '.join(f'{g} {n}' for g, n in groups.items())})")
    return graphs, yields


def region_graph(
    located: dict[str, dict[str, Path]], cache_dir: Path | None, regions: Regions, polygons: dict[str, Any]
) -> Graph:
    """The basin's administrative regions with their shares of the ecoregions, and the curated names
    (ingest/regions.py); the Chinese provinces' shares from their polygons, cached by the ecoregion file."""
    from ingest import regions as basin_regions

    adcodes = [r.adcode for r in regions.regions.values() if r.adcode]
    table = basin_regions.cached_polygon_shares(registry.main_file(located, "wwf-teow-2001"), cache_dir, adcodes)
    shares = basin_regions.ecoregion_shares(regions, table, set(polygons))
    return basin_regions.to_graph(regions, shares, basin_regions.load_names(), set(polygons))


def regions_provenance(regions: Regions) -> registry.Provenance:
    """The curated regions and names (ingest/curated/regions.yml, names.yml), described by their ``source`` entry."""
    from ingest import regions as basin_regions

    # the curated files ship with the graph's own code and dumps: the graph is their landing page
    files = [basin_regions.REGIONS_FILE, basin_regions.NAMES_FILE]
    return _curated(regions.meta, basin_regions.__name__, files, str(iri("dataset")))


def ingest_protection(
    located: dict[str, dict[str, Path]],
    taxa: dict[str, Any],
    graphs: dict[URIRef, Graph],
    echo: Callable[[str], object],
    cache_dir: Path | None,
) -> dict[str, Any]:
    """China's 2021 protection lists and the CITES Index (2017-04-21), joined to the merged species: their graphs
    are added to ``graphs``; returns the join's yield per list (BUILD.json ``species.protection``). A list file
    of another shape stops the build naming the file and the row."""
    from ingest import protection
    from kg.build import protection as protection_graph

    if not all(sid in located for sid in (protection.CN_SOURCE, protection.CITES_SOURCE)):
        # a build of a subset of the registry (a test's small build): no lists, no statuses
        echo("ingest: protection lists not among the sources: skipped")
        return {}
    echo("ingest: protection lists (cn-key-protected-2021, cites-2017)")
    files = {
        name: path for sid in (protection.CN_SOURCE, protection.CITES_SOURCE) for name, path in located[sid].items()
    }
    try:
        listings = protection.read_all(files, cache_dir)
        parties = protection.appendix_iii_parties()
    except protection.ProtectionListError as error:
        raise BuildError(f"protection list: {error}; the store was not changed") from error
    graph_taxa: list[protection.GraphTaxon] = []
    zh_names: dict[str, set[str]] = {}
    for key, taxon in taxa.items():
        record = taxon.primary
        graph_taxa.append(
            protection.GraphTaxon(
                key=key,
                name=record.scientific_name,
                kingdom=record.kingdom or ("Plantae" if record.group == "plant" else "Animalia"),
                genus=record.genus or record.scientific_name.split()[0],
                family=record.family or "",
                order=record.order or "",
                class_=record.class_ or "",
            )
        )
        zh_names[key] = {name for r in taxon.records for name, lang in r.vernacular if lang == "zh"}
    report = protection.join(listings, graph_taxa, parties)
    for sid, graph in protection_graph.to_graphs(report, zh_names).items():
        graphs.setdefault(graph_iri(sid), Graph())
        graphs[graph_iri(sid)] += graph
    summary = report.summary()
    for list_id, found in summary.items():
        routes = ", ".join(f"{route} {n}" for route, n in found["joined_rows"].items())
        echo(
            f"  {list_id}: {found['rows']} rows; joined {routes or 'none'}; {found['species']} species; "
            f"{found['not_joined']} basin-relevant rows not joined"
        )
    return summary


def placement_report(calibration: Calibration, wildfinder: WildFinderSelection | None) -> dict[str, Any]:
    """The placement part of the build report: the measured table, the calibration and its rules' yields,
    and the WildFinder name join (every name that did not join, with its reason)."""
    report = calibration.summary()
    if wildfinder is not None:
        report["wildfinder"] = {
            "joined": {
                route: sorted(
                    f"{j.species.name} -> {j.mdd_name}" for j in wildfinder.joins.joined() if j.route == route
                )
                for route in sorted({j.route for j in wildfinder.joins.joined()})
            },
            "unjoined": [
                {"name": j.species.name, "species_id": j.species.species_id, "reason": j.reason}
                for j in wildfinder.joins.unjoined()
            ],
            "admissions": {rule: sorted(names) for rule, names in sorted(wildfinder.admissions.items())},
            "marginal_ecoregions": {code: round(share, 3) for code, share in sorted(wildfinder.marginal.items())},
        }
    return report


def echo_placement_report(report: dict[str, Any], calibration: Calibration, echo: Echo) -> None:
    from kg.build.calibration import markdown

    ref = report["reference"]
    echo(f"  placement methods measured against WildFinder ({ref['mammals']} mammals, {ref['links']} links):")
    for line in markdown(calibration).splitlines():
        echo("    " + line)
    echo(f"  range-box rule: {', '.join(f'{k} share >= {v:.0%}' for k, v in report['box_share'].items())}")
    for rule, found in report["rules"].items():
        names = found["species"]
        echo(f"  rule {rule}: {found['placements']} placements, {len(names)} species (e.g. {', '.join(names[:5])})")
    if "wildfinder" in report:
        wf = report["wildfinder"]
        echo(
            "  WildFinder names joined: "
            + ", ".join(f"{r} {len(n)}" for r, n in wf["joined"].items())
            + f"; not joined: {len(wf['unjoined'])}"
        )
        for rule, names in wf["admissions"].items():
            echo(f"  WildFinder {rule}: {len(names)} ({', '.join(names)})")


def closure_of_broader(graphs: dict[URIRef, Graph]) -> Graph:
    """skos:broaderTransitive, materialised: Oxigraph is slow on unbounded property paths."""
    closure = Graph()
    for graph in graphs.values():
        parents = {s: o for s, o in graph.subject_objects(SKOS.broader)}
        for concept in parents:
            parent = parents.get(concept)
            while parent is not None:
                closure.add((concept, SKOS.broaderTransitive, parent))
                parent = parents.get(parent)
    return closure


def union(graphs: dict[URIRef, Graph]) -> Graph:
    merged = Graph()
    for graph in graphs.values():
        merged += graph
    return merged


# pyshacl-turbo (a Rust engine with pyshacl's API) validates the full graph in ~10 s where pyshacl takes
# ~50 s; tests/kg/build/test_ontology.py runs every valid and invalid case through both engines so they judge alike.
SHACL_ENGINES = ("pyshacl-turbo", "pyshacl")


def validate(data: Graph, engine: str | None = None) -> tuple[bool, str]:
    """SHACL validation of the whole graph; returns (conforms, readable report)."""
    engine = engine or config.shacl_engine()
    if engine == "pyshacl-turbo":
        from pyshacl_turbo import validate as shacl_validate
    elif engine == "pyshacl":
        from pyshacl import validate as shacl_validate
    else:
        raise BuildError(f"unknown SHACL engine {engine!r}; choose one of {', '.join(SHACL_ENGINES)}")
    conforms, _, text = shacl_validate(
        data, shacl_graph=load_shapes(), inference="none", advanced=False, allow_warnings=True
    )
    return bool(conforms), text


def count_classes(data: Graph) -> dict[str, int]:
    counts = Counter(str(o) for o in data.objects(None, RDF.type))
    # ties by IRI: rdflib's iteration order changes from run to run, the report should not
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def write_store(target: Path, graphs: dict[URIRef, Graph], echo: Echo = lambda message: None) -> None:
    store = ox.Store(str(target))
    for done, (name, graph) in enumerate(graphs.items()):
        progress.count(echo, done, len(graphs))
        data = graph.serialize(format="nt", encoding="utf-8")
        store.bulk_load(input=data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(name)))
    progress.count(echo, len(graphs), len(graphs))
    store.flush()
    store.optimize()
    del store


def build(
    sources_dir: str | Path | None = None,
    store_path: Path | None = None,
    occurrences: Path | None = None,
    force: bool = False,
    echo: Echo = print,
    cache_dir: Path = CACHE_DIR,
    checklists: tuple[Path, ...] = (),
    settings: config.Settings | None = None,
) -> BuildReport:
    """Build the graph from the sources into a new store and swap it in (``settings``: the run's, by default the
    environment's; the CLI passes the ones it loaded once)."""
    started = time.perf_counter()
    settings = settings if settings is not None else config.Settings.load()
    store_path = kgstore.embedded_path(store_path) if store_path is not None else settings.store_dir
    # the registered sources and the checklist archives declared in checklists.yml, verified alike
    sources = registry.all_sources(settings.checklists_file)
    # fetches into the cache if no directory is complete
    directory = kgfetch.resolve_dir(sources_dir, sources, echo=echo, settings=settings)
    echo(f"sources: {directory}")
    located = registry.verify(directory, sources)
    echo(f"verified {sum(len(f) for f in located.values())} files of {len(located)} sources (sha256)")
    if occurrences is not None and not Path(occurrences).is_file():
        raise BuildError(f"{occurrences}: occurrence archive not found")

    # checklist archives are read before anything is built: a bad one stops the build, the old store serves on
    from ingest.checklists import ChecklistError
    from ingest.checklists import read as read_checklist

    read_checklists: dict[str, ReadChecklist] = {}
    declared = [(registry.main_file(located, s.id), s) for s in sources if s.reader == registry.CHECKLIST_READER]
    for archive, entry in declared + [(Path(a), None) for a in checklists]:
        try:
            source, selection = read_checklist(archive)
        except ChecklistError as error:
            raise BuildError(str(error)) from error
        if source.id in read_checklists:
            raise BuildError(
                f"{archive}: checklist {source.id} is given twice (declared in "
                f"{settings.checklists_file} or by --checklist): give each archive once"
            )
        if entry is not None and source.doi and not entry.homepage:
            entry = replace(entry, homepage=f"https://doi.org/{source.doi}")  # the EML's DOI as its landing page
        read_checklists[source.id] = ((archive, source, entry), selection)
    key = build_key(sources, occurrences, located, tuple(Path(a) for a in checklists))
    current = kgstore.manifest(store_path)
    if current and current.get("key") == key and not force:
        echo(f"store {store_path} is up to date (build {current['build_id']}); nothing to do (use --force)")
        return BuildReport(
            build_id=current["build_id"],
            skipped=True,
            store=store_path,
            graphs=current.get("graphs", {}),
            classes=current.get("classes", {}),
            species=current.get("species", {}),
            shacl=current.get("shacl", {}),
        )

    from ingest import basin

    facts = basin.load()  # the curated facts: read once, for their graph and their source's description
    graphs, yields = ingest(
        located, Path(occurrences) if occurrences else None, echo, cache_dir, read_checklists, facts=facts
    )

    # PROV and VoID of every named graph, and the sources they come from
    now = datetime.now(UTC)
    # the canonical form of a UTC time ("Z"): engines that normalise dateTimes (Virtuoso) give back the same text
    built = Literal(now.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime)
    build_id = now.strftime("%Y%m%dT%H%M%SZ") + "-" + key[:8]
    if (kgstore.builds_dir(store_path) / build_id).exists():
        # a forced rebuild in the same second, or the remains of a build killed in it (pruned by this one)
        build_id += "-" + secrets.token_hex(2)
    from ingest import regions as basin_regions

    provenances = [source.provenance() for source in registry.SOURCES] + [
        curated_provenance(facts),
        regions_provenance(basin_regions.load()),
    ]
    if occurrences:
        provenances.append(occurrence_provenance(Path(occurrences)))
    for (archive, source, entry), _ in read_checklists.values():
        # declared in checklists.yml: described as its registry entry says, like every registered source
        provenances.append(entry.provenance() if entry is not None else checklist_provenance(archive, source))
    meta = Graph()
    for provenance in provenances:
        describe_source(meta, provenance)
    licences = {provenance.id: provenance.licence for provenance in provenances}
    source_of = {graph_iri(provenance.id): provenance.id for provenance in provenances}
    for name, graph in graphs.items():
        if name == graph_iri("ontology"):
            describe_graph(meta, name, graph, [], "CC-BY-4.0", built, "amurkg ontology and vocabularies")
        elif name == graph_iri("derived"):
            describe_graph(
                meta,
                name,
                graph,
                sorted(licences),
                "CC-BY-4.0 for the links; see each source",
                built,
                "Links computed by the build (range boxes, inferred threats, closures)",
            )
        else:
            sid = source_of[name]  # every other graph is one source's
            describe_graph(meta, name, graph, [sid], licences[sid], built, f"Graph of source {sid}")
    meta_name = graph_iri("meta")
    meta.add((meta_name, RDF.type, VOID.Dataset))
    meta.add((meta_name, RDFS.label, Literal("Description of the named graphs and their sources", lang="en")))
    dataset = iri("dataset")
    meta.add((dataset, RDF.type, VOID.Dataset))
    meta.add((dataset, RDF.type, DCAT.Dataset))
    meta.add((dataset, DCTERMS.title, Literal("Amur-Heilong Biodiversity Knowledge Graph", lang="en")))
    meta.add((dataset, RDFS.label, Literal("Amur-Heilong Biodiversity Knowledge Graph", lang="en")))
    meta.add((dataset, DCTERMS.hasVersion, Literal(ONTOLOGY_VERSION)))
    meta.add((dataset, PROV.generatedAtTime, built))
    # the build in the data itself: servers over a remote engine know which build it holds (kg/store/remote.py)
    meta.add((dataset, DCTERMS.identifier, Literal(build_id)))
    for name in list(graphs) + [meta_name]:
        meta.add((dataset, VOID.subset, name))
    graphs[meta_name] = meta

    echo("validate: SHACL")
    data = union(graphs)
    shacl_started = time.perf_counter()
    conforms, text = validate(data, settings.shacl_engine)
    # the verdict is kept in the manifest: the store is never re-validated to learn what the build already knows
    shacl = {
        "engine": settings.shacl_engine,
        "conforms": conforms,
        "triples": len(data),
        "seconds": round(time.perf_counter() - shacl_started, 1),
    }
    if not conforms:
        raise BuildError("SHACL validation failed, the store was not changed:\n" + _shorten(text))
    classes = count_classes(data)

    target = kgstore.builds_dir(store_path) / build_id
    echo(f"store: writing {target}")
    target.mkdir(parents=True, exist_ok=False)
    try:
        write_store(target / "oxigraph", graphs, echo)
        echo("dumps: writing the downloads")
        export.write_dumps(target, target / "oxigraph", echo=echo)  # gzip dumps + dumps.json (kg/export/dumps.py)
        graph_sizes = {str(n): len(g) for n, g in graphs.items()}
        report = {
            "build_id": build_id,
            "key": key,
            "built": str(built),
            "base": base_iri(),
            "sources": {s.id: s.files for s in sources},
            "graphs": graph_sizes,
            "classes": classes,
            "species": yields,
            "shacl": shacl,
            "occurrences": str(occurrences) if occurrences else None,
            "checklists": [str(archive) for (archive, _, _), _ in read_checklists.values()],
        }
        # the manifest is written last: a build directory without it is unfinished and never served
        (target / kgstore.MANIFEST).write_text(json.dumps(report, indent=2, ensure_ascii=False))
    except BaseException as exc:
        shutil.rmtree(target, ignore_errors=True)
        if isinstance(exc, OSError) and kgstore.disk_full(exc):
            raise BuildError(
                f"no space left on the device holding {target.parent} while writing the new store "
                f"({exc}); the half-written build was removed and the store was not changed: free "
                "space there and build again"
            ) from exc
        raise
    previous = kgstore.current_build(store_path)
    try:
        kgstore.swap_in(store_path, target)
    except BaseException:
        # stopped before the link moved: the finished build is not serving, remove it (after the rename the new
        # build is serving and is kept)
        if kgstore.current_build(store_path) != target:
            shutil.rmtree(target, ignore_errors=True)
        raise
    kgstore.prune(store_path, keep={target} | ({previous} if previous else set()))
    return BuildReport(
        build_id=build_id,
        skipped=False,
        store=store_path,
        seconds=time.perf_counter() - started,
        graphs=graph_sizes,
        classes=classes,
        species=yields,
        shacl=shacl,
    )


def _shorten(text: str, lines: int = 80) -> str:
    parts = text.splitlines()
    return "\n".join(parts[:lines]) + (f"\n... ({len(parts) - lines} more lines)" if len(parts) > lines else "")
