"""The species layer on the real graph: selection examples, evidence on every species and link, inferred
threats kept apart from direct ones, and placement by GBIF occurrence points."""

from __future__ import annotations

import zipfile

import pytest

from kg.build import pipeline as kgbuild
from kg.build import species as species_layer
from kg.namespaces import graph_iri, sparql_prefixes
from kg.store import layout as kgstore


def select(store, body: str) -> list[dict]:
    rows = store.query(sparql_prefixes() + body, use_default_graph_as_union=True)
    return [{v.value: (r[v].value if r[v] is not None else None) for v in rows.variables} for r in rows]


def count(store, body: str) -> int:
    """Distinct solutions: the union default graph repeats a triple that several named graphs assert."""
    return int(select(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT * WHERE {{ {body} }} }}")[0]["n"])


@pytest.fixture(scope="module")
def store(built_store):
    return kgstore.open_read_only(built_store)


@pytest.mark.parametrize(
    "name", ["Panax ginseng", "Pinus koraiensis", "Grus japonensis", "Panthera tigris", "Huso dauricus"]
)
def test_basin_species_are_in(store, name):
    assert count(store, f"?t amur:canonicalName '{name}' ; dwc:taxonRank 'species' ; amur:evidence ?e") >= 1


@pytest.mark.parametrize("name", ["Ginkgo biloba", "Ailuropoda melanoleuca", "Acipenser sinensis"])
def test_non_basin_species_are_out(store, name):
    assert count(store, f"?t amur:canonicalName '{name}'") == 0


def test_counts_by_group(store):
    groups = {
        r["g"]: int(r["n"])
        for r in select(store, "SELECT ?g (COUNT(?t) AS ?n) WHERE { ?t amur:group/skos:notation ?g } GROUP BY ?g")
    }
    assert groups["plant"] >= 2000
    animals = sum(n for g, n in groups.items() if g != "plant")
    assert 400 <= animals <= 700
    assert len([g for g in groups if g != "plant"]) >= 5


def test_every_species_has_evidence_with_source_method_confidence(store):
    # one EXISTS per property of the same ?e: as strict as one pattern, and seconds instead of minutes in Oxigraph
    assert (
        count(
            store,
            """?t dwc:taxonRank 'species' FILTER NOT EXISTS { ?t amur:evidence ?e .
        FILTER EXISTS { ?e prov:wasDerivedFrom ?s } FILTER EXISTS { ?e amur:method ?m }
        FILTER EXISTS { ?e amur:confidence ?c } FILTER EXISTS { ?e amur:rule ?r } }""",
        )
        == 0
    )
    assert count(store, "?t dwc:taxonRank 'species'") > 2000


def test_every_link_has_source_method_confidence(store):
    for cls in ("amur:Occurrence", "amur:ThreatExposure", "amur:InferredThreatExposure", "amur:EcoregionThreat"):
        assert (
            count(
                store,
                f"?l a {cls} FILTER NOT EXISTS {{ ?l prov:wasDerivedFrom ?s ; amur:method ?m ; amur:confidence ?c }}",
            )
            == 0
        ), cls
        assert count(store, f"?l a {cls}") > 0, cls


def distinct_pairs(store, pattern: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?a ?b WHERE {{ {pattern} }} }}"
    return int(select(store, query)[0]["n"])


def pair_set(store, pattern: str) -> set[tuple[str, str]]:
    return {(r["a"], r["b"]) for r in select(store, f"SELECT DISTINCT ?a ?b WHERE {{ {pattern} }}")}


def test_occurs_in_returns_no_low_confidence_placement(store):
    # what every user writes first: each pair it returns rests on a placement of medium or high confidence,
    # and each such pair is returned; a pair placed by low-confidence evidence alone is possible, never recorded
    recorded = pair_set(store, "?a amur:occursIn ?b")
    possible = pair_set(store, "?a amur:possiblyOccursIn ?b")
    confident = pair_set(
        store,
        """?o a amur:Occurrence ; amur:confidence ?c ; amur:taxon ?a ; amur:ecoregion ?b
        FILTER(?c IN (<https://w3id.org/amurkg/confidence/medium>, <https://w3id.org/amurkg/confidence/high>))""",
    )
    low = pair_set(
        store,
        """?o a amur:Occurrence ; amur:taxon ?a ; amur:ecoregion ?b ;
        amur:confidence <https://w3id.org/amurkg/confidence/low>""",
    )
    assert recorded == confident and recorded
    assert possible == low - confident and possible


def test_every_occurrence_pair_has_exactly_one_shortcut(store):
    # recorded and possible pairs together are the qualified-link pairs, and no pair is both
    recorded = pair_set(store, "?a amur:occursIn ?b")
    possible = pair_set(store, "?a amur:possiblyOccursIn ?b")
    qualified = pair_set(store, "?o a amur:Occurrence ; amur:taxon ?a ; amur:ecoregion ?b")
    assert not recorded & possible
    assert recorded | possible == qualified and len(qualified) > 10000


def test_placement_tallies_count_the_occurrences(store):
    # the build-time summary read by queries/placement-confidence.rq: one tally per group, method and confidence,
    # holding exactly what counting the occurrences gives
    def table(body: str) -> dict:
        return {(r["g"], r["m"], r["c"]): (int(r["links"]), int(r["species"])) for r in select(store, body)}

    tallies = table("""SELECT ?g ?m ?c ?links ?species WHERE {
        ?t a amur:PlacementTally ; amur:tallyGroup ?g ; amur:tallyMethod ?m ; amur:tallyConfidence ?c ;
           amur:linkCount ?links ; amur:speciesCount ?species }""")
    counted = table("""SELECT ?g ?m ?c (COUNT(DISTINCT ?o) AS ?links) (COUNT(DISTINCT ?s) AS ?species) WHERE {
        ?o a amur:Occurrence ; amur:taxon ?s ; amur:method ?m ; amur:confidence ?c . ?s amur:group ?g
        } GROUP BY ?g ?m ?c""")
    assert tallies == counted and len(tallies) > 5


def test_inferred_threats_are_labelled_and_never_mixed_with_direct(store):
    assert count(store, "?l a amur:InferredThreatExposure, amur:ThreatExposure") == 0
    assert (
        count(
            store,
            "?l a amur:InferredThreatExposure ; amur:method ?m "
            "FILTER(?m != <https://w3id.org/amurkg/method/inferred-from-ecoregion>)",
        )
        == 0
    )
    # every inferred exposure goes through an ecoregion that the species occurs in and that faces the threat
    # (DISTINCT: the union default graph repeats a triple asserted in several named graphs)
    vias = distinct_pairs(store, "?a a amur:InferredThreatExposure ; amur:via ?b")
    grounded = distinct_pairs(
        store,
        """?a a amur:InferredThreatExposure ; amur:taxon ?t ; amur:threat ?x ;
        amur:via ?b . ?t amur:occursIn ?b . ?b amur:threatenedBy ?x""",
    )
    assert vias == grounded > 0
    # the direct property on species holds only curated links
    direct = distinct_pairs(store, "?a amur:threatenedBy ?b ; dwc:taxonRank 'species'")
    curated = distinct_pairs(
        store,
        "?a amur:threatenedBy ?b ; dwc:taxonRank 'species' . ?l a amur:ThreatExposure ; amur:taxon ?a ; amur:threat ?b",
    )
    assert direct == curated > 0


def test_inferred_threats_act_on_the_kind_of_organism(store):
    # no plant hunted or fished, no animal gathered, no "species is the target" code (5.x.1) inferred at all
    def inferred(condition: str) -> int:
        return count(
            store,
            f"""?l a amur:InferredThreatExposure ; amur:taxon ?t ; amur:threat/skos:notation ?code .
            ?t amur:group/skos:notation ?group FILTER({condition})""",
        )

    assert inferred('?group = "plant" && (STRSTARTS(?code, "5.1") || STRSTARTS(?code, "5.4"))') == 0
    assert inferred('?group != "plant" && STRSTARTS(?code, "5.2")') == 0
    assert inferred('REGEX(?code, "^5[.][0-9]+[.]1$")') == 0
    assert count(store, "?t amur:inferredThreat/skos:notation ?code FILTER(REGEX(?code, '^5[.][0-9]+[.]1$'))") == 0
    # and every inferred link is one the applicability table allows, for the species' group, family and genus
    from ingest import threat_applicability

    table = threat_applicability.load()
    rows = select(
        store,
        """SELECT DISTINCT ?t ?code ?group ?family ?genus WHERE {
        ?l a amur:InferredThreatExposure ; amur:taxon ?t ; amur:threat/skos:notation ?code .
        ?t amur:group/skos:notation ?group ; dwc:genus ?genus . OPTIONAL { ?t dwc:family ?family } }""",
    )
    assert rows
    refused = [r for r in rows if not table.applies(r["code"], r["group"], r["family"], r["genus"])]
    assert refused == []


def test_each_threat_states_the_kind_it_is_inferred_on(store):
    # the build writes the applicability table's row on every IUCN threat (amur:inferredOn, the row of its code or
    # of its nearest broader code) into the derived graph, so the read side needs no access to the source tree
    from ingest import threat_applicability

    table = threat_applicability.load()
    rows = select(
        store,
        f"""SELECT DISTINCT ?code ?kind WHERE {{ ?t a amur:Threat ; skos:notation ?code .
        OPTIONAL {{ GRAPH <{graph_iri("derived")}> {{ ?t amur:inferredOn ?kind }} }} }}""",
    )
    assert len(rows) == len({r["code"] for r in rows}) > 100  # one value at most per threat
    expected = {r["code"]: (rule.kind.label if (rule := table.rule_for(r["code"])) else None) for r in rows}
    assert {r["code"]: r["kind"] for r in rows} == expected
    assert expected["5.1"] == table.kinds["terrestrial-animal"].label and expected["5.1.1"] == "no species by inference"
    assert None in expected.values()  # a code without a row gets no statement


def test_inferred_threat_yields_are_reported(store, built_store):
    # the build report says how many inferred links each rule removed; the figures add up and match the graph
    report = kgstore.manifest(built_store)["species"]["inferred-threats"]
    removed = sum(n for groups in report["removed"].values() for n in groups.values())
    assert report["before"] - report["after"] == removed
    assert report["after"] == count(store, "?l a amur:InferredThreatExposure")
    assert all(rule.split(" on ")[0] and " on " in rule for rule in report["removed"])


def test_curated_species_threats(store):
    rows = select(
        store,
        """SELECT ?code WHERE { ?l a amur:ThreatExposure ; amur:taxon ?t ;
        amur:threat/skos:notation ?code . ?t amur:canonicalName 'Panthera tigris' }""",
    )
    assert {r["code"] for r in rows} == {"5.1.1"}
    assert (
        count(store, "?t amur:canonicalName 'Panax ginseng' ; amur:threatenedBy <https://w3id.org/amurkg/threat/5.2.1>")
        == 1
    )


def test_every_curated_species_is_in_the_graph(store):
    from ingest import basin

    for name in sorted(basin.curated_taxa(basin.load())):
        assert count(store, f"?t amur:canonicalName '{name}'") == 1, name


def test_curated_placements(store):
    rows = select(
        store,
        """SELECT DISTINCT ?eco WHERE { ?o a amur:Occurrence ; amur:taxon ?t ;
        amur:method <https://w3id.org/amurkg/method/curated> ; amur:ecoregion/skos:notation ?eco ;
        prov:wasDerivedFrom <https://w3id.org/amurkg/source/wwf-amur-heilong> .
        ?t amur:canonicalName 'Panthera tigris' }""",
    )
    assert {r["eco"] for r in rows} == {"PA0443", "PA0426"}
    # through the curated placement the tiger is exposed (inferred) to the threats of its forests
    assert count(store, "?t amur:canonicalName 'Panthera tigris' ; amur:inferredThreat ?x") > 0


def test_assessments_and_identifiers(store):
    assert (
        count(
            store,
            """?t amur:canonicalName 'Panax ginseng' ; amur:assessment ?a . ?a amur:assessor
        <https://w3id.org/amurkg/agent/mee-cas> ; amur:scope <https://w3id.org/amurkg/country/CN> ;
        amur:category/skos:notation 'CR'""",
        )
        == 1
    )
    assert (
        count(
            store,
            "?t amur:canonicalName 'Grus japonensis' ; amur:redListCategory ?c ; amur:avibaseId ?id ; "
            "rdfs:seeAlso ?url",
        )
        >= 1
    )
    assert (
        count(
            store,
            "?t amur:canonicalName 'Panthera tigris' ; amur:mddId ?id ; dwc:vernacularName ?v FILTER(lang(?v) = 'en')",
        )
        >= 1
    )
    assert count(store, "?t amur:canonicalName 'Pinus koraiensis' ; dwc:vernacularName ?v FILTER(lang(?v) = 'zh')") >= 1


def test_higher_taxa_chain_to_kingdom(store):
    assert (
        count(
            store,
            """?t amur:canonicalName 'Panthera tigris' ; amur:ancestorTaxon ?k .
        ?k dwc:taxonRank 'kingdom' ; dwc:scientificName 'Animalia'""",
        )
        == 1
    )
    assert (
        count(
            store,
            """?t amur:canonicalName 'Panthera tigris' ; amur:parentTaxon ?g .
        ?g dwc:taxonRank 'genus' ; amur:parentTaxon/dwc:scientificName 'Felidae'""",
        )
        == 1
    )


def test_no_fishbase_text_in_the_graph(store):
    # FishBase prose may select species but never enters the graph: fish evidence holds water-body names only
    rows = select(
        store,
        """SELECT ?m WHERE { ?e prov:wasDerivedFrom <https://w3id.org/amurkg/source/fishbase-2013> ;
        amur:matched ?m }""",
    )
    assert rows and all(len(r["m"]) < 80 for r in rows)


# --- occurrences: a small GBIF-style archive written by the test ---------------------------------------

META = """<archive xmlns="http://rs.tdwg.org/dwc/text/">
  <core encoding="UTF-8" fieldsTerminatedBy="\\t" linesTerminatedBy="\\n" ignoreHeaderLines="1"
        rowType="http://rs.tdwg.org/dwc/terms/Occurrence">
    <files><location>occurrence.txt</location></files>
    <id index="0"/>
    <field index="0" term="http://rs.gbif.org/terms/1.0/gbifID"/>
    <field index="1" term="http://rs.tdwg.org/dwc/terms/species"/>
    <field index="2" term="http://rs.tdwg.org/dwc/terms/decimalLatitude"/>
    <field index="3" term="http://rs.tdwg.org/dwc/terms/decimalLongitude"/>
  </core>
</archive>
"""
ROWS = [
    # Sikhote-Alin, inside Ussuri broadleaf and mixed forests (PA0443)
    ("1001", "Panthera tigris", "45.5", "136.0"),
    ("1002", "Panthera tigris", "45.9", "136.4"),
    ("1003", "Panthera tigris", "44.8", "135.6"),
    ("1004", "Ailuropoda melanoleuca", "45.5", "136.0"),  # not selected by the checklists: not added
    ("1005", "Panthera tigris", "-33.9", "18.4"),  # Cape Town: outside every basin ecoregion
    ("1006", "Panthera tigris", "", "136.0"),  # no latitude: skipped
]


def write_archive(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("meta.xml", META)
        z.writestr(
            "occurrence.txt",
            "gbifID\tspecies\tdecimalLatitude\tdecimalLongitude\n" + "".join("\t".join(r) + "\n" for r in ROWS),
        )
    return path


def test_occurrence_archive_reader(tmp_path):
    from ingest import occurrences

    found = occurrences.read_archive(write_archive(tmp_path / "0001234-gbif.zip"))
    assert [o.record_id for o in found] == ["1001", "1002", "1003", "1004", "1005"]


def test_build_with_occurrences_places_by_point_in_polygon(sources_dir, source_cache, tmp_path, monkeypatch):
    # the mammal reader alone keeps this build short; the mechanics are the same for every group
    monkeypatch.setattr(species_layer, "READERS", ("ingest.mammals",))
    archive = write_archive(tmp_path / "0001234-gbif.zip")
    store_path = tmp_path / "data" / "store"
    kgbuild.build(sources_dir, store_path, occurrences=archive, echo=lambda m: None, cache_dir=source_cache)
    store = kgstore.open_read_only(store_path)
    rows = select(
        store,
        """SELECT ?eco ?conf ?src ?m WHERE { ?o a amur:Occurrence ; amur:taxon ?t ;
        amur:method <https://w3id.org/amurkg/method/occurrence> ; amur:ecoregion/skos:notation ?eco ;
        amur:confidence/skos:notation ?conf ; prov:wasDerivedFrom ?src ; amur:matched ?m .
        ?t amur:canonicalName 'Panthera tigris' }""",
    )
    assert [(r["eco"], r["conf"]) for r in rows] == [("PA0443", "high")]
    assert rows[0]["src"].endswith("/source/gbif-0001234-gbif")
    assert "3 occurrence points" in rows[0]["m"]
    assert count(store, "?t amur:canonicalName 'Ailuropoda melanoleuca'") == 0
    assert count(store, f"<{rows[0]['src']}> a amur:Source ; amur:sha256 ?h ; dcterms:license ?l") == 1
