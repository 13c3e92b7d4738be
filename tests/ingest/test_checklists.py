"""Checklist archives: small Darwin Core Archives written by the tests, valid and broken in each way."""

from __future__ import annotations

import pytest
from checklist_archives import DWC, meta_xml, write_archive

from ingest import checklists


def test_a_valid_archive_adds_its_native_basin_species(tmp_path):
    source, selection = checklists.read(write_archive(tmp_path / "primorye-flora.zip"))
    assert source.id == "checklist-primorye-flora" and source.title == "Vascular plants of Primorye (test)"
    assert source.doi == "10.15468/abc123" and "CC-BY 4.0" in source.licence
    (record,) = selection.records
    assert (record.scientific_name, record.authorship, record.family, record.group, record.source, record.row_id) == (
        "Iris laevigata",
        "Fisch.",
        "Iridaceae",
        "plant",
        "checklist-primorye-flora",
        "1",
    )
    assert record.rule == checklists.RULE and record.confidence == "medium"
    assert record.matched == "Primorsky Krai (ISO3166-2:RU-PRI); Amur (TDWG:AMU)"
    # the reader's own levels, before the build calibrates them (test_region_placements_take_the_calibrated_levels)
    by_eco = {(p.ecoregion, p.confidence) for p in record.placements}
    assert ("PA0443", "medium") in by_eco and ("PA0907", "medium") in by_eco  # Primorye
    assert ("PA0901", "low") in by_eco  # Amur Oblast: only partly in the basin's lowland steppe, a broad region
    assert all(p.method == "checklist-region" and p.source == source.id for p in record.placements)
    assert selection.report == {
        checklists.RULE: 1,
        checklists.EXCLUDE_OUTSIDE: 1,
        checklists.EXCLUDE_NOT_NATIVE: 1,
        checklists.EXCLUDE_RANK: 1,
        checklists.EXCLUDE_GROUP: 1,
    }


def test_every_region_maps_to_gazetteer_ecoregions():
    from ingest.places import gazetteer

    for code, region in checklists.REGIONS.items():
        assert checklists._CODE.match(code), code
        assert gazetteer.PLACES[region.place], code


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b"not a zip at all"), "not a zip file"),
        (lambda p: write_archive(p, meta=meta_xml(core_row_type=DWC + "Occurrence")), "not http://rs.tdwg.org/dwc"),
        (lambda p: write_archive(p, meta=meta_xml(with_distribution=False)), "no Distribution extension"),
        (lambda p: write_archive(p, distributions=[]), "Distribution extension has no rows"),
        (
            lambda p: write_archive(p, distributions=[["1", "Primorye", "", "RU", "present", "native"]]),
            "unknown location code 'Primorye'",
        ),
    ],
)
def test_broken_archives_are_refused_with_the_file_and_the_fault(tmp_path, make, message):
    archive = tmp_path / "broken.zip"
    make(archive)
    with pytest.raises(checklists.ChecklistError) as caught:
        checklists.read(archive)
    assert str(archive) in str(caught.value) and message in str(caught.value)


def test_a_missing_archive_is_refused(tmp_path):
    with pytest.raises(checklists.ChecklistError, match="not found"):
        checklists.read(tmp_path / "nowhere.zip")


def test_build_stops_on_a_bad_archive_before_touching_the_store(tmp_path, sources_dir):
    from kg.build.pipeline import BuildError, build

    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"broken")
    store = tmp_path / "store"
    with pytest.raises(BuildError, match="bad.zip: not a zip file"):
        build(sources_dir, store, checklists=(bad,), echo=lambda m: None, cache_dir=tmp_path / "cache")
    assert not store.exists()


def iris_placements(tmp_path):
    _, selection = checklists.read(write_archive(tmp_path / "primorye-flora.zip"))
    (record,) = selection.records
    return record


def layer_graph(record, levels: dict[str, str]):
    """The species layer's graph of one checklist record under a calibration with these measured levels."""
    from rdflib import Graph

    from kg.build.calibration import Calibration
    from kg.build.species import SpeciesLayer, merge

    layer = SpeciesLayer(merge([record]), {}, {}, [], {})
    layer.calibration = Calibration(table=[], levels=levels, box_share={})
    layer.build()
    union = Graph()
    for graph in [*layer.graphs.values(), layer.derived]:
        union += graph
    return union, layer.calibration


def linked(graph, prop) -> set[str]:
    from kg.namespaces import taxon_iri

    return {str(o).rsplit("/", 1)[-1] for o in graph.objects(taxon_iri("Iris laevigata"), prop)}


def test_region_placements_take_the_calibrated_levels(tmp_path):
    from ingest.places import gazetteer
    from kg.build import calibration
    from kg.namespaces import AMUR

    record = iris_placements(tmp_path)
    primorye, amur = set(gazetteer.PLACES["Primorye"]), set(gazetteer.PLACES["Amur"])
    assert {calibration.variant(p) for p in record.placements if p.ecoregion in primorye - amur} == {
        "checklist-region:specific"
    }
    assert {calibration.variant(p) for p in record.placements if p.ecoregion in amur - primorye} == {
        "checklist-region:broad"
    }

    # as measured on the real sources: both gazetteer variants low -> every region placement is only possible
    graph, cal = layer_graph(record, {"gazetteer:specific": "low", "gazetteer:broad": "low"})
    assert linked(graph, AMUR.occursIn) == set()
    assert linked(graph, AMUR.possiblyOccursIn) == primorye | amur
    assert cal.rules["calibrated:checklist-region:specific:lowered"] == {"Iris laevigata": len(primorye)}
    assert cal.summary()["inherited"] == {
        "checklist-region:specific": {"from": "gazetteer:specific", "level": "low"},
        "checklist-region:broad": {"from": "gazetteer:broad", "level": "low"},
    }
    methods = {
        (str(o).rsplit("/", 1)[-1])
        for n in graph.subjects(AMUR.taxon, None)
        for o in graph.objects(n, AMUR.method)
        if (n, AMUR.ecoregion, None) in graph
    }
    assert methods == {"checklist-region"}

    # a gazetteer that earned medium for specific places: the Primorye placements are recorded, Amur stays low
    graph, _ = layer_graph(record, {"gazetteer:specific": "medium", "gazetteer:broad": "low"})
    assert linked(graph, AMUR.occursIn) == primorye
    assert linked(graph, AMUR.possiblyOccursIn) == amur - primorye

    # measured on the archive's own mammals, the method's own level wins over the gazetteer's
    graph, cal = layer_graph(record, {"gazetteer:specific": "low", "checklist-region:specific": "high"})
    assert linked(graph, AMUR.occursIn) == primorye
    assert "checklist-region:specific" not in cal.summary()["inherited"]


def test_unmeasured_region_placements_keep_the_readers_levels_at_most_medium(tmp_path):
    from kg.namespaces import AMUR

    record = iris_placements(tmp_path)
    graph, _ = layer_graph(record, {})  # nothing measured (a build without WildFinder)
    assert linked(graph, AMUR.occursIn) == set(p.ecoregion for p in record.placements if p.confidence == "medium")
    assert linked(graph, AMUR.occursIn) and linked(graph, AMUR.possiblyOccursIn)
