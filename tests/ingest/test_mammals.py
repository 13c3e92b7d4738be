"""Mammal reader: box and place rules on hand-made MDD rows, then the real MDD, PanTHERIA and rangeBuilder."""

from __future__ import annotations

import pytest

from ingest import mammals
from ingest.places import gazetteer
from ingest.records import CATEGORIES, CONFIDENCE

BASIN_BOX = (100.0, 145.0, 40.0, 57.0)  # holds all five core points
SICHUAN_BOX = (102.0, 108.0, 28.0, 34.0)  # giant panda country
EUROPE_BOX = (-10.0, 60.0, 35.0, 65.0)
NEAR_BOX = (100.0, 123.0, 40.0, 46.0)  # reaches between the core points, holds none
HARBIN_SPECK = (128.1, 128.3, 44.9, 45.0)  # Murina fusca: a tiny range in Heilongjiang
HOKKAIDO_BOX = (139.7, 147.6, 41.1, 51.4)  # Craseomys rex: Hokkaido, Sakhalin, Kurils
DATELINE_BOX = (-216.0, 219.6, 41.9, 94.8)  # IUCN box of a circumpolar range


def row(name: str = "Panthera tigris", countries: str = "India|China|Russia", **extra) -> dict:
    genus = name.split()[0]
    values = {
        "sciName": name.replace(" ", "_"),
        "id": "1006023",
        "mainCommonName": "Tiger",
        "otherCommonNames": None,
        "order": "Carnivora",
        "family": "Felidae",
        "genus": genus,
        "specificEpithet": name.split()[1],
        "authoritySpeciesAuthor": "Linnaeus",
        "authoritySpeciesYear": "1758",
        "authorityParentheses": "1",
        "typeLocality": "Bengal, India.",
        "subregionDistribution": None,
        "distributionNotes": None,
        "countryDistribution": countries,
        "iucnStatus": "EN",
        "extinct": "0",
        "domestic": "0",
        "taxonomyNotes": None,
        "MSW3_sciName": name.replace(" ", "_"),
    }
    values.update(extra)
    return values


# --- small rules ---------------------------------------------------------------------------------


def test_candidates_are_species_of_russia_china_or_mongolia():
    assert mammals.is_candidate(row(countries="India|China"))
    assert mammals.is_candidate(row(countries="Kazakhstan|Mongolia?"))  # doubtful entries count
    assert not mammals.is_candidate(row(countries="United States|Canada"))
    assert not mammals.is_candidate(row(countries="North Korea|South Korea"))  # no basin country by itself
    assert mammals.countries("Russia|North Korea?| China ") == ["Russia", "North Korea", "China"]


@pytest.mark.parametrize(
    ("box", "reach"),
    [
        (BASIN_BOX, mammals.CORE),
        (DATELINE_BOX, mammals.CORE),  # clipped to -180..180 first
        (HARBIN_SPECK, mammals.INSIDE),
        (NEAR_BOX, mammals.NEAR),
        (HOKKAIDO_BOX, None),
        (SICHUAN_BOX, None),
        (EUROPE_BOX, None),
        (None, None),
    ],
)
def test_box_reach(box, reach):
    assert mammals.box_reach(box) == reach


def test_core_points_and_figures():
    assert len(mammals.core_points_in(BASIN_BOX)) == 5
    assert mammals.core_points_in((120.0, 123.0, 52.0, 54.0)) == ["Argun-Shilka"]
    assert mammals.box_figures("pantheria", DATELINE_BOX) == "pantheria -180.0..180.0 E, 41.9..94.8 N (5 core points)"


def test_both_boxes_in_the_basin_admit_tiger():
    decision = mammals.decide(row(), BASIN_BOX, BASIN_BOX)
    assert decision.rule == mammals.RULE_BOTH_BOXES and decision.confidence == "high"
    assert decision.range_box == BASIN_BOX and "rangebuilder" in decision.matched and "pantheria" in decision.matched


def test_giant_panda_is_out():
    panda = row("Ailuropoda melanoleuca", countries="China", family="Ursidae")
    assert mammals.decide(panda, SICHUAN_BOX, SICHUAN_BOX).rule == mammals.EXCLUDE_NO_EVIDENCE


def test_boxes_that_disagree_exclude():
    # Muntiacus reevesi: the IUCN box is stretched to England by an introduction, PanTHERIA's is south China
    muntjac = row("Muntiacus reevesi", countries="China|Taiwan", family="Cervidae")
    decision = mammals.decide(muntjac, (-17.9, 136.1, 17.9, 61.6), (104.7, 122.1, 20.2, 34.1))
    assert decision.rule == mammals.EXCLUDE_DISAGREE


def test_one_box_alone():
    only_rb = mammals.decide(row(), BASIN_BOX, None)
    assert (only_rb.rule, only_rb.confidence) == (mammals.RULE_RANGEBUILDER_BOX, "medium")
    near = mammals.decide(row(), BASIN_BOX, NEAR_BOX)  # Otocolobus manul: PanTHERIA's box stops at the Argun
    assert (near.rule, near.confidence) == (mammals.RULE_RANGEBUILDER_BOX, "low")
    only_pan = mammals.decide(row(), None, BASIN_BOX)
    assert only_pan.rule == mammals.RULE_PANTHERIA_BOX and only_pan.range_box == BASIN_BOX
    assert only_pan.rule.startswith("pantheria")  # how kg.build.species attributes the box to PanTHERIA


def test_small_range_centred_in_the_basin():
    murina = row("Murina fusca", countries="China", typeLocality=None)
    assert mammals.decide(murina, HARBIN_SPECK, None).rule == mammals.RULE_RANGEBUILDER_BOX
    rex = row("Craseomys rex", countries="Russia|Japan", typeLocality=None)
    assert mammals.decide(rex, HOKKAIDO_BOX, HOKKAIDO_BOX).rule == mammals.EXCLUDE_NO_EVIDENCE


def test_type_locality_in_the_basin():
    lemming = row(
        "Lemmus amurensis",
        countries="Russia",
        typeLocality="Pikan, on Zeya River, a tributary of Amur River, Siberia, Russia.",
    )
    decision = mammals.decide(lemming, None, None)
    assert decision.rule == mammals.RULE_PLACE and decision.confidence == "high"  # Zeya is a specific place
    assert "Zeya" in decision.matched and "Pikan" not in decision.matched  # place names only, no prose
    record = mammals.to_record(lemming, decision)
    codes = {p.ecoregion for p in record.placements}
    assert set(gazetteer.ecoregions_for("Zeya")) <= codes
    assert all(p.method == "gazetteer" and p.source == "mdd-1.13" for p in record.placements)


def test_broad_type_locality_is_medium():
    decision = mammals.decide(row(typeLocality="Amur region, former USSR."), None, None)
    assert (decision.rule, decision.confidence) == (mammals.RULE_PLACE, "medium")


def test_lumped_box_kept_in_one_basin_country_is_no_evidence():
    # Rhinolophus ferrumequinum: its old box covers the Far East, MDD now lists it in Russia (the Caucasus) only
    bat = row(
        "Rhinolophus ferrumequinum",
        countries="United Kingdom|Georgia|Russia",
        family="Rhinolophidae",
        taxonomyNotes="previously included R. nippon",
    )
    assert mammals.decide(bat, BASIN_BOX, BASIN_BOX).rule == mammals.EXCLUDE_LUMPED
    widespread = dict(bat, countryDistribution="Russia|China|Mongolia")
    assert mammals.decide(widespread, BASIN_BOX, BASIN_BOX).rule == mammals.RULE_BOTH_BOXES


def test_split_without_box_takes_its_parents_boxes():
    petax = row(
        "Myotis petax",
        countries="Kazakhstan|Russia|Mongolia|China",
        family="Vespertilionidae",
        taxonomyNotes="split from M. daubentonii; includes abei",
        typeLocality=None,
    )
    assert mammals.parent_name(petax) == "Myotis daubentonii"
    decision = mammals.decide(petax, None, None, (BASIN_BOX, BASIN_BOX))
    assert (decision.rule, decision.confidence) == (mammals.RULE_PARENT_BOX, "low")
    assert decision.range_box is None  # the parent's box is not the split's range
    southern = dict(petax, countryDistribution="China|Vietnam")  # no Russia: not admitted
    assert mammals.decide(southern, None, None, (BASIN_BOX, BASIN_BOX)).rule == mammals.EXCLUDE_NO_EVIDENCE


def test_parent_name():
    priapomys = row("Priapomys leonardi", taxonomyNotes="split from Hylopetes alboniger and moved to Priapomys")
    assert mammals.parent_name(priapomys) == "Hylopetes alboniger"
    assert mammals.parent_name(row("Myotis petax", taxonomyNotes="split from P. daubentonii")) is None
    assert mammals.parent_name(row()) is None


@pytest.mark.parametrize(
    ("extra", "rule"),
    [
        ({"extinct": "1"}, mammals.EXCLUDE_EXTINCT),
        ({"domestic": "1"}, mammals.EXCLUDE_DOMESTIC),
        ({"family": "Phocidae"}, mammals.EXCLUDE_MARINE),
        ({"sciName": "Ursus_maritimus"}, mammals.EXCLUDE_MARINE),
        ({"sciName": "Vulpes_lagopus"}, mammals.EXCLUDE_KNOWN),
    ],
)
def test_exclusions_win_over_boxes(extra, rule):
    assert mammals.decide(row(**extra), BASIN_BOX, BASIN_BOX).rule == rule


def test_lookup_names_include_the_iucn_and_msw3_names():
    bat = row("Cnephaeus nilssonii", iucnStatus="LC (as Eptesicus nilssonii)", MSW3_sciName="Eptesicus_nilssonii")
    assert mammals.lookup_names(bat) == ["Cnephaeus nilssonii", "Eptesicus nilssonii"]
    assert mammals.first_box({"Eptesicus nilssonii": BASIN_BOX}, mammals.lookup_names(bat)) == BASIN_BOX


def test_record_fields():
    tiger = row(countries="India|China|Russia|North Korea?", otherCommonNames="Amur Tiger|Tiger")
    record = mammals.to_record(tiger, mammals.decide(tiger, DATELINE_BOX, BASIN_BOX))
    assert record.scientific_name == "Panthera tigris" and record.authorship == "(Linnaeus, 1758)"
    assert (record.kingdom, record.phylum, record.class_, record.order, record.family, record.genus) == (
        "Animalia",
        "Chordata",
        "Mammalia",
        "Carnivora",
        "Felidae",
        "Panthera",
    )
    assert record.vernacular == [("Tiger", "en"), ("Amur Tiger", "en")]
    assert record.identifiers == {"mdd": "1006023"} and record.row_id == "1006023"
    (assessment,) = record.assessments
    assert (assessment.category, assessment.assessor, assessment.scope, assessment.year, assessment.source) == (
        "EN",
        "IUCN",
        "global",
        None,
        "mdd-1.13",
    )
    assert record.countries == ("RU", "CN", "IN")  # every country, the basin's first; "North Korea?" is doubtful
    assert record.range_box == (-180.0, 180.0, 41.9, 94.8)  # clipped
    assert record.placements == []  # box placements are the build's


def test_assessment_codes():
    assert mammals.assessment(row(iucnStatus="LC (as Eptesicus nilssonii)")).category == "LC"
    assert mammals.assessment(row(iucnStatus="NE")) is None
    assert mammals.assessment(row(iucnStatus=None)) is None
    assert mammals.authorship(row(authorityParentheses="0")) == "Linnaeus, 1758"


# --- the real files ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def selection(sources_dir, source_cache):
    files = {
        "mdd-1.13": sources_dir / "mdd-1.13" / "MDD.zip",
        "pantheria-1.0": sources_dir / "pantheria-1.0" / "PanTHERIA_1-0_WR05_Aug2008.txt",
        "rangebuilder-2022": sources_dir / "rangebuilder-2022" / "sysdata.rda",
    }
    return mammals.read(files, cache_dir=source_cache)


def test_real_yield(selection):
    assert 80 <= len(selection.records) <= 140
    admitted = sum(n for rule, n in selection.report.items() if not rule.startswith("exclude:"))
    assert admitted == len(selection.records)
    assert len({r.scientific_name for r in selection.records}) == len(selection.records)


@pytest.mark.parametrize(
    "name",
    [
        "Panthera tigris",
        "Panthera pardus",
        "Ursus thibetanus",
        "Ursus arctos",
        "Moschus moschiferus",
        "Lemmus amurensis",
        "Myotis petax",
        "Murina ussuriensis",
        "Procapra gutturosa",
        "Ochotona dauurica",
    ],
)
def test_real_basin_mammals_are_in(by_name, name):
    assert name in by_name


@pytest.mark.parametrize(
    "name",
    [
        "Ailuropoda melanoleuca",
        "Rhinolophus ferrumequinum",
        "Muntiacus reevesi",
        "Suncus etruscus",
        "Enhydra lutris",
        "Vulpes lagopus",
        "Camelus bactrianus",
        "Pipistrellus pipistrellus",
    ],
)
def test_real_non_basin_mammals_are_out(by_name, name):
    assert name not in by_name


def test_real_records_are_well_formed(selection):
    rules = {
        mammals.RULE_PLACE,
        mammals.RULE_BOTH_BOXES,
        mammals.RULE_RANGEBUILDER_BOX,
        mammals.RULE_PANTHERIA_BOX,
        mammals.RULE_PARENT_BOX,
    }
    for record in selection.records:
        assert record.group == "mammal" and record.class_ == "Mammalia" and record.kingdom == "Animalia"
        assert record.rule in rules and record.confidence in CONFIDENCE
        assert record.identifiers == {"mdd": record.row_id}
        assert " " in record.scientific_name and "_" not in record.scientific_name
        assert all(len(code) == 2 and code.isupper() for code in record.countries)
        assert all(a.category in CATEGORIES and a.category != "NE" for a in record.assessments)
        assert all(p.method == "gazetteer" for p in record.placements)
        assert bool(record.placements) == (record.rule == mammals.RULE_PLACE)
        if record.range_box:
            assert -180 <= record.range_box[0] <= record.range_box[1] <= 180
        assert len(record.matched) < 200


def test_real_known_false_positives_are_candidates(sources_dir):
    """The named exclusions still name candidates of this MDD version (the list is not stale)."""
    rows = {mammals.canonical_name(r): r for r in mammals.read_mdd(sources_dir / "mdd-1.13" / "MDD.zip")}
    for name in mammals.KNOWN_FALSE_POSITIVES:
        assert name in rows and mammals.is_candidate(rows[name]), name


def test_real_south_korea_is_kept(by_name):
    # MDD: Lasiopodomys mandarinus in Russia, Mongolia, China, North and South Korea
    assert "KR" in by_name["Lasiopodomys mandarinus"].countries
