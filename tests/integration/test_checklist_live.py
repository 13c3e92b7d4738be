"""A checklist archive declared in the registry file, end to end: the build verifies and reads it, gunicorn
serves the store, and the SPARQL endpoint answers for the species it adds, their evidence and placements; a
declared archive that no longer matches its sha256 stops the next build, naming the file, and the old store
keeps serving.

The build here is made of only what the test needs, with the real code over a smaller registry: the ecoregions
and the IUCN schemes every build reads, and the mammal sources with WildFinder, which measure the gazetteer
levels that checklist regions take (kg/build/calibration.py ``INHERITS``). It reuses the session's parse cache and
costs a fraction of the full build (no plants, birds or fishes); the full test store is not touched.
"""

from __future__ import annotations

import json
import os
import urllib.parse
import urllib.request

import pytest
import yaml
from checklist_archives import TAXA, archive_meta, taxon, write_archive, write_members
from sparql_live import serve

from ingest.places import gazetteer
from kg.build import species as species_layer
from kg.namespaces import sparql_prefixes
from kg.sources import registry
from kg.store import layout as kgstore

# a build from the real sources and a gunicorn server: out of the fast core (`-m "not slow"`)
pytestmark = pytest.mark.slow

SUBSET = ("wwf-teow-2001", "iucn-redlist-api-v4", "mdd-1.13", "pantheria-1.0", "rangebuilder-2022", "wildfinder-2006")
TIGER = taxon("6", "Panthera tigris", "(Linnaeus, 1758)", "Animalia Chordata Mammalia Carnivora Felidae Panthera")
DISTRIBUTIONS = [
    ["1", "ISO3166-2:RU-PRI", "Primorsky Krai", "RU", "present", "native"],
    ["1", "TDWG:AMU", "Amur", "RU", "present", ""],
    ["3", "ISO3166-2:RU-PRI", "Primorsky Krai", "RU", "present", "introduced"],  # not native: not admitted
    ["6", "ISO3166-2:RU-PRI", "Primorsky Krai", "RU", "present", "native"],  # a species the graph holds
]
TITLE = "Vascular plants and vertebrates of Primorye (declared, test)"
LICENCE = "CC-BY-4.0"
ORIGIN = "https://ipt.example.org/archive.do?r=primorye-flora"
SOURCE = "https://w3id.org/amurkg/source/checklist-primorye-flora"


@pytest.fixture(scope="module")
def served(sources_dir, source_cache, tmp_path_factory):
    """The small build with the declared archive, served by `amurkg serve`: (base URL, store, build report,
    archive, registry file, sources directory)."""
    from kg.build.pipeline import build

    root = tmp_path_factory.mktemp("checklist-live")
    sources = root / "sources"
    (sources / "checklists").mkdir(parents=True)
    for source_id in SUBSET:
        os.symlink(sources_dir / source_id, sources / source_id)
    archive = write_archive(
        sources / "checklists" / "primorye-flora.zip", taxa=TAXA + [TIGER], distributions=DISTRIBUTIONS
    )
    declared = root / "checklists.yml"
    declared.write_text(
        yaml.safe_dump(
            {
                "checklists": [
                    {
                        "file": "checklists/primorye-flora.zip",
                        "title": TITLE,
                        "origin": ORIGIN,
                        "sha256": registry.sha256_of(archive),
                        "licence": LICENCE,
                    }
                ]
            }
        )
    )
    subset = [registry.BY_ID[source_id] for source_id in SUBSET]
    store = root / "data" / "store"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AMURKG_CHECKLISTS", str(declared))
        patch.setattr(registry, "SOURCES", subset)
        patch.setattr(species_layer, "READERS", species_layer.species_readers(subset))
        # and, given to the build, an archive as most are published: kingdom and family only, no URL (issue 24)
        report = build(
            sources,
            store,
            echo=lambda message: None,
            cache_dir=source_cache,
            checklists=(sparse_archive(root / "irises.zip"),),
        )
    with serve(store) as base:
        yield base, store, report, archive, declared, sources


def sparse_archive(path):
    """Iris sanguinea with kingdom and family only, beside the declared archive's Iris laevigata (Asparagales)."""
    dwc = "http://rs.tdwg.org/dwc/terms/"
    return write_members(
        path,
        {
            "meta.xml": archive_meta(
                dwc + "Taxon", [dwc + "scientificName", dwc + "kingdom", dwc + "family"], [dwc + "locationID"], eml=True
            ),
            "eml.xml": '<eml:eml xmlns:eml="https://eml.ecoinformatics.org/eml-2.2.0"><dataset>'
            "<title>Irises of Primorye</title><intellectualRights><para>CC0-1.0</para></intellectualRights>"
            "</dataset></eml:eml>",
            "taxon.txt": "id\tscientificName\tkingdom\tfamily\n1\tIris sanguinea Hornem. ex Donn\tPlantae\tIridaceae\n",
            "distribution.txt": "id\tlocationID\n1\tISO3166-2:RU-PRI\n",
        },
    )


def ask(base: str, body: str) -> list[dict[str, str]]:
    """SELECT over HTTP at /sparql: rows of variable -> value."""
    url = base + "/sparql?" + urllib.parse.urlencode({"query": sparql_prefixes() + body})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.loads(response.read())
    return [{k: v["value"] for k, v in row.items()} for row in answer["results"]["bindings"]]


def health(base: str) -> dict:
    with urllib.request.urlopen(base + "/health", timeout=5) as response:
        return json.loads(response.read())


def test_the_endpoint_answers_for_the_species_the_archive_adds(served):
    base, _, report, *_ = served
    # Oxytropis, Carex and Carabus have no distribution row here; Solidago is introduced
    assert not report.skipped and report.species["checklist-primorye-flora"] == {
        "checklist:native-in-basin-region": 2,
        "exclude:no-basin-region": 3,
        "exclude:not-native-or-absent": 1,
        "selected": 2,
    }
    rows = ask(
        base,
        """SELECT DISTINCT ?name ?author ?family ?group WHERE {
        ?t amur:canonicalName "Iris laevigata" ; dwc:scientificName ?name ; dwc:scientificNameAuthorship ?author ;
           dwc:family ?family ; amur:group/skos:notation ?group }""",
    )
    assert rows == [{"name": "Iris laevigata Fisch.", "author": "Fisch.", "family": "Iridaceae", "group": "plant"}]
    # introduced in Primorye: not admitted
    assert ask(base, 'SELECT ?t WHERE { ?t amur:canonicalName "Solidago canadensis" }') == []


def test_its_evidence_is_the_declared_archive_with_its_licence(served):
    base, *_ = served
    rows = ask(
        base,
        """SELECT DISTINCT ?source ?title ?licence ?rule ?method ?confidence ?row ?sha ?url ?reader
    WHERE {
        ?t amur:canonicalName "Iris laevigata" ; amur:evidence ?e .
        ?e prov:wasDerivedFrom ?source ; amur:rule ?rule ; amur:method/skos:notation ?method ;
           amur:confidence/skos:notation ?confidence ; amur:sourceRow ?row .
        ?source dcterms:title ?title ; dcterms:license ?licence ; amur:sha256 ?sha ; dcat:downloadURL ?url ;
                amur:reader ?reader }""",
    )
    assert len(rows) == 1
    (row,) = rows
    assert row == {
        "source": SOURCE,
        "title": TITLE,
        "licence": LICENCE,
        "rule": "checklist:native-in-basin-region",
        "method": "checklist-rule",
        "confidence": "medium",
        "row": "1",
        "sha": registry.sha256_of(served[3]),
        "url": ORIGIN,
        "reader": "ingest.checklists",
    }
    # the EML's DOI is the source's landing page (the registry entry gives no homepage)
    assert ask(base, f"SELECT ?page WHERE {{ <{SOURCE}> dcat:landingPage ?page }}") == [
        {"page": "https://doi.org/10.15468/abc123"}
    ]


def test_its_placements_take_the_calibrated_levels(served):
    base, _, report, *_ = served
    placement = report.species["placement"]
    # nothing of the archive's is measured enough to judge the method itself: it takes the gazetteer's levels
    inherited = placement["inherited"]
    assert inherited["checklist-region:specific"]["from"] == "gazetteer:specific"
    assert inherited["checklist-region:broad"]["from"] == "gazetteer:broad"
    levels = {
        "specific": inherited["checklist-region:specific"]["level"],
        "broad": inherited["checklist-region:broad"]["level"],
    }
    assert levels == {"specific": "low", "broad": "low"}  # both gazetteer variants measure ~44 % (docs/data.md)
    rows = ask(
        base,
        """SELECT DISTINCT ?eco ?method ?confidence ?matched ?source WHERE {
        ?t amur:canonicalName "Iris laevigata" . ?o a amur:Occurrence ; amur:taxon ?t ;
        amur:ecoregion/skos:notation ?eco ; amur:method/skos:notation ?method ;
        amur:confidence/skos:notation ?confidence ; amur:matched ?matched ; prov:wasDerivedFrom ?source }""",
    )
    primorye, amur = set(gazetteer.PLACES["Primorye"]), set(gazetteer.PLACES["Amur"])
    assert {r["eco"] for r in rows} == primorye | amur
    for row in rows:
        assert (row["method"], row["source"]) == ("checklist-region", SOURCE)
        variant = "specific" if row["matched"].endswith("(ISO3166-2:RU-PRI)") else "broad"
        assert row["confidence"] == levels[variant], row
    # the direct triples follow the levels: recorded (occursIn) only for medium or high, else possible
    recorded = {
        r["eco"]
        for r in ask(
            base,
            """SELECT ?eco WHERE {
        ?t amur:canonicalName "Iris laevigata" ; amur:occursIn/skos:notation ?eco }""",
        )
    }
    possible = {
        r["eco"]
        for r in ask(
            base,
            """SELECT ?eco WHERE {
        ?t amur:canonicalName "Iris laevigata" ; amur:possiblyOccursIn/skos:notation ?eco }""",
        )
    }
    assert recorded == set() and possible == primorye | amur


def test_a_species_the_graph_holds_gains_the_archive_as_evidence(served):
    base, *_ = served
    sources = {
        r["source"].rsplit("/", 1)[-1]
        for r in ask(
            base,
            """SELECT ?source WHERE {
        ?t amur:canonicalName "Panthera tigris" ; amur:evidence/prov:wasDerivedFrom ?source }""",
        )
    }
    assert {"mdd-1.13", "checklist-primorye-flora"} <= sources
    # MDD's record stays primary: one taxon, its authorship as MDD writes it
    assert len(ask(base, 'SELECT ?t WHERE { ?t amur:canonicalName "Panthera tigris" }')) == 1
    methods = {
        r["method"]
        for r in ask(
            base,
            """SELECT ?method WHERE {
        ?t amur:canonicalName "Panthera tigris" . ?o amur:taxon ?t ; amur:method/skos:notation ?method }""",
        )
    }
    assert {"wildfinder", "checklist-region"} <= methods


def test_a_declared_archive_that_changed_stops_the_build_and_the_old_store_serves_on(served, source_cache):
    from kg.build.pipeline import build

    base, store, report, archive, declared, sources = served
    serving = kgstore.current_build(store)
    assert health(base)["build"] == report.build_id
    original = archive.read_bytes()
    write_archive(archive)  # another archive under the declared name: its sha256 is not the declared one
    assert archive.read_bytes() != original
    subset = [registry.BY_ID[source_id] for source_id in SUBSET]
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("AMURKG_CHECKLISTS", str(declared))
            patch.setattr(registry, "SOURCES", subset)
            patch.setattr(species_layer, "READERS", species_layer.species_readers(subset))
            with pytest.raises(registry.SourceError) as raised:
                build(sources, store, force=True, echo=lambda message: None, cache_dir=source_cache)
    finally:
        archive.write_bytes(original)
    assert f"{archive}: sha256 mismatch (source checklist-primorye-flora)" in str(raised.value)
    assert kgstore.current_build(store) == serving
    assert health(base)["build"] == report.build_id
    assert ask(base, 'SELECT ?t WHERE { ?t amur:canonicalName "Iris laevigata" }')


def test_an_archive_with_kingdom_and_family_only_and_no_url_answers_over_sparql(served):
    base, store, report, *_ = served
    assert report.species["checklist-irises"]["selected"] == 1
    rows = ask(
        base,
        """SELECT DISTINCT ?family ?parent WHERE { ?t amur:canonicalName "Iris sanguinea" ;
        amur:parentTaxon/amur:parentTaxon ?f . ?f dwc:scientificName ?family ;
        amur:parentTaxon/dwc:scientificName ?parent }""",
    )
    # one parent for Iridaceae: the declared archive's order, not the sparse archive's kingdom
    assert rows == [{"family": "Iridaceae", "parent": "Asparagales"}]
    source = "https://w3id.org/amurkg/source/checklist-irises"
    assert ask(base, f"SELECT DISTINCT ?f ?g WHERE {{ <{source}> amur:fileName ?f ; amur:givenAs ?g }}") == [
        {"f": "irises.zip", "g": "amurkg build --checklist irises.zip"}
    ]
