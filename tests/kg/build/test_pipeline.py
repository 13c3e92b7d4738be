"""The build on the real sources, into temporary directories: content, skipping, and failure safety."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg.build import pipeline as kgbuild
from kg.namespaces import AMUR, graph_iri, sparql_prefixes
from kg.store import layout as kgstore


def ask_count(store: ox.Store, body: str) -> int:
    rows = list(
        store.query(sparql_prefixes() + f"SELECT (COUNT(*) AS ?n) WHERE {{ {body} }}", use_default_graph_as_union=True)
    )
    return int(rows[0]["n"].value)


def test_terrestrial_ecoregions_with_wkt(built_store):
    store = kgstore.open_read_only(built_store)
    assert (
        ask_count(
            store,
            "?e a amur:TerrestrialEcoregion ; geo:hasGeometry/geo:asWKT ?w . "
            "FILTER(datatype(?w) = geo:wktLiteral && STRSTARTS(STR(?w), 'MULTIPOLYGON'))",
        )
        == 15
    )
    codes = {
        r["c"].value
        for r in store.query(
            sparql_prefixes() + "SELECT ?c WHERE { ?e a amur:TerrestrialEcoregion ; skos:notation ?c }",
            use_default_graph_as_union=True,
        )
    }
    assert "PA1314" in codes and "PA0816" not in codes and "PA0443" in codes


K = "https://w3id.org/amurkg/"
# What the curated sources and the IUCN schemes state, as (graph pattern, number of solutions)
FACTS = {
    "freshwater unit": ("?e a amur:FreshwaterEcoregion ; skos:notation 'FW-RFE'", 1),
    "Global 200 units": ("?u a amur:Global200Ecoregion", 4),
    "Global 200 of PA0443": (
        f"<{K}ecoregion/PA0443> amur:global200/rdfs:label 'Russian Far East broadleaf and mixed forests'@en",
        1,
    ),
    "IUCN threats": (f"?t a amur:Threat ; skos:inScheme <{K}scheme/threats>", 130),
    "IUCN actions": ("?a a amur:ConservationAction ; skos:notation ?n", 42),
    "threat broader": (f"<{K}threat/5.1.1> skos:broader <{K}threat/5.1>", 1),
    # the closure is materialised so that queries need no unbounded path
    "threat closure": (f"<{K}threat/5.1.1> skos:broaderTransitive <{K}threat/5>", 1),
    "work lines": ("?i a amur:ConservationInitiative", 7),
    "work lines without threat": (
        "?i a amur:ConservationInitiative FILTER NOT EXISTS { ?i amur:addressesThreat ?t }",
        0,
    ),
    "work lines without action": (
        "?i a amur:ConservationInitiative FILTER NOT EXISTS { ?i amur:implementsAction ?t }",
        0,
    ),
    "Econet implements 1.1": (f"<{K}initiative/econet-green-belt> amur:implementsAction <{K}action/1.1>", 1),
    "basin countries": (f"<{K}place/amur-heilong-basin> amur:country ?c", 3),
    "rivers": ("?r a amur:River", 8),
    "Zeya into the Amur": (f"<{K}river/zeya> amur:tributaryOf <{K}river/amur>", 1),
    "ecoregion complexes": ("?c a amur:EcoregionComplex ; amur:hasEcoregion ?e", 16),
}


@pytest.mark.parametrize("pattern, count", FACTS.values(), ids=FACTS.keys())
def test_curated_facts_and_iucn_schemes(built_store, pattern, count):
    assert ask_count(kgstore.open_read_only(built_store), pattern) == count


def test_threat_factors_are_mapped_to_iucn_threats(built_store):
    assert ask_count(kgstore.open_read_only(built_store), "?f a amur:ThreatFactor ; amur:mappedTo ?t") >= 5


def test_every_named_graph_has_provenance(built_store):
    store = kgstore.open_read_only(built_store)
    graphs = {g.value for g in store.named_graphs()}
    assert graph_iri("wwf-teow-2001") in {URIRef(g) for g in graphs}
    for name in graphs:
        if name.endswith("/meta") or name.endswith("/ontology"):
            continue
        assert (
            ask_count(
                store,
                f"GRAPH <{graph_iri('meta')}> {{ <{name}> prov:wasDerivedFrom ?s ; "
                f"prov:generatedAtTime ?t ; dcterms:license ?l ; void:triples ?n }}",
            )
            >= 1
        ), name
    # every source is described with its licence, citation and checksum
    assert (
        ask_count(store, "?s a amur:Source ; dcterms:license ?l ; dcterms:bibliographicCitation ?c ; amur:sha256 ?h")
        >= 11
    )


def test_build_kept_its_shacl_verdict(built_store):
    """The build validated the whole graph before writing it; its verdict is in the manifest (validation itself is
    tested on small stores in tests/kg/test_cli.py and both engines in tests/kg/build/test_ontology.py)."""
    manifest = kgstore.manifest(built_store)
    shacl = manifest["shacl"]
    assert shacl["conforms"] is True and shacl["engine"] in kgbuild.SHACL_ENGINES
    # the union of the named graphs: a triple stated in two graphs is validated once
    assert 0 < shacl["triples"] <= sum(manifest["graphs"].values())


def test_unchanged_rebuild_is_skipped(built_store, sources_dir, source_cache):
    before = kgstore.current_build(built_store)
    report = kgbuild.build(sources_dir, built_store, echo=lambda m: None, cache_dir=source_cache)
    assert report.skipped
    assert kgstore.current_build(built_store) == before


def _small_graphs(valid: bool):
    """Stand-in ingest output for the failure tests (the mechanics, not the readers, are under test)."""
    graph = Graph()
    eco = URIRef("https://w3id.org/amurkg/ecoregion/PA0443")
    graph.add((eco, RDF.type, AMUR.TerrestrialEcoregion))
    if valid:
        return {graph_iri("wwf-teow-2001"): Graph()}, {}
    # an ecoregion without notation, label or geometry violates the shapes
    graph.add((eco, AMUR.areaKm2, Literal(-5)))
    return {graph_iri("wwf-teow-2001"): graph}, {}


def _query_ok(store_path) -> int:
    store = kgstore.open_read_only(store_path)
    return ask_count(store, "?e a amur:TerrestrialEcoregion")


@pytest.fixture
def copy_of_store(built_store, tmp_path):
    """A private copy of the built store link and its builds, so failures can be provoked safely."""
    import shutil

    target = tmp_path / "data"
    shutil.copytree(built_store.parent, target, symlinks=True)
    return target / built_store.name


def test_failed_validation_keeps_old_store(copy_of_store, sources_dir, monkeypatch):
    before = kgstore.current_build(copy_of_store)
    builds = sorted(p.name for p in kgstore.builds_dir(copy_of_store).iterdir())
    monkeypatch.setattr(kgbuild, "ingest", lambda *a, **k: _small_graphs(valid=False))
    with pytest.raises(kgbuild.BuildError, match="SHACL validation failed"):
        kgbuild.build(sources_dir, copy_of_store, force=True, echo=lambda m: None)
    assert kgstore.current_build(copy_of_store) == before
    assert _query_ok(copy_of_store) == 15
    # nothing of the failed build is left beside the builds that were there
    assert sorted(p.name for p in kgstore.builds_dir(copy_of_store).iterdir()) == builds


def test_interrupted_build_keeps_old_store(copy_of_store, sources_dir, monkeypatch):
    before = kgstore.current_build(copy_of_store)
    builds = sorted(p.name for p in kgstore.builds_dir(copy_of_store).iterdir())
    monkeypatch.setattr(kgbuild, "ingest", lambda *a, **k: _small_graphs(valid=True))
    monkeypatch.setattr(kgbuild, "validate", lambda data, engine=None: (True, ""))

    def interrupted(target, graphs, echo=None):
        ox.Store(str(target)).add(ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:y"), ox.Literal("half")))
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C while the store was being written

    monkeypatch.setattr(kgbuild, "write_store", interrupted)
    with pytest.raises(KeyboardInterrupt):
        kgbuild.build(sources_dir, copy_of_store, force=True, echo=lambda m: None)
    assert kgstore.current_build(copy_of_store) == before
    assert _query_ok(copy_of_store) == 15
    # nothing of the failed build is left beside the builds that were there
    assert sorted(p.name for p in kgstore.builds_dir(copy_of_store).iterdir()) == builds


def test_tampered_sources_write_nothing(sources_dir, tmp_path):
    import shutil

    from kg.sources.registry import SourceError

    copied = tmp_path / "sources"
    shutil.copytree(sources_dir, copied)
    victim = copied / "mdd-1.13" / "MDD.zip"
    victim.chmod(0o644)
    victim.write_bytes(victim.read_bytes() + b"\0")
    store_path = tmp_path / "data" / "store"
    with pytest.raises(SourceError, match="MDD.zip: sha256 mismatch"):
        kgbuild.build(copied, store_path, echo=lambda m: None)
    assert not store_path.parent.exists()


def test_successful_rebuild_swaps_and_keeps_previous(copy_of_store, sources_dir, monkeypatch):
    before = kgstore.current_build(copy_of_store)
    monkeypatch.setattr(kgbuild, "ingest", lambda *a, **k: _small_graphs(valid=True))
    report = kgbuild.build(sources_dir, copy_of_store, force=True, echo=lambda m: None)
    after = kgstore.current_build(copy_of_store)
    assert after != before and after.name == report.build_id
    # the previous build stays on disk for servers that still have it open
    assert sorted(p.name for p in kgstore.builds_dir(copy_of_store).iterdir()) == sorted([before.name, after.name])


def test_custom_base_moves_vocabulary_and_shape_iris(tmp_path):
    """With AMURKG_BASE set, minted IRIs in vocabularies and shapes follow it; the ontology IRI does not."""
    import os
    import subprocess
    import sys

    script = (
        "from kg.build.pipeline import load_ontology, load_shapes\n"
        "text = load_ontology().serialize(format='nt') + load_shapes().serialize(format='nt')\n"
        "print('https://example.org/kg/method/inferred-from-ecoregion' in text,"
        " 'https://w3id.org/amurkg/method/' in text, 'https://w3id.org/amurkg/ontology#Taxon' in text"
        " or 'https://w3id.org/amurkg/ontology#Occurrence' in text)\n"
    )
    env = dict(os.environ, AMURKG_BASE="https://example.org/kg/")
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False", "True"]
