"""Amphibian reader: country and box rules on hand-made AmphibiaWeb rows, then the real files."""

from __future__ import annotations

import pytest

from ingest import amphibians
from ingest.records import CATEGORIES, CONFIDENCE

BASIN_BOX = (116.9, 141.2, 32.6, 52.9)  # Bombina orientalis: four core points
EUROPE_BOX = (-9.3, 65.0, 40.0, 70.0)
ARGUN_EDGE_BOX = (-21.6, 121.52, 24.5, 73.6)  # Bufo bufo: touches the Argun-Shilka point only


def row(name: str = "Bombina orientalis", isocc: str | None = "RU,KR,KP,CN", **extra) -> dict:
    genus, species = name.split()
    values = {
        "order": "Anura",
        "family": "Bombinatoridae",
        "genus": genus,
        "species": species,
        "spauthor": "(Boulenger, 1890)",
        "common_name": "Oriental Fire-Bellied Toad",
        "synonymies": None,
        "iucn": "Least Concern (LC)",
        "isocc": isocc,
        "aweb_uid": "2045",
    }
    values.update(extra)
    return values


# --- small rules ---------------------------------------------------------------------------------


def test_species_of_russia_and_china_with_a_basin_box_is_in():
    decision = amphibians.decide(row(), BASIN_BOX, [])
    assert (decision.rule, decision.confidence) == (amphibians.RULE_BOX, "high")
    assert decision.matched == "countries RU, CN, KP; rangebuilder 116.9..141.2 E, 32.6..52.9 N (4 core points)"


def test_non_candidates():
    assert amphibians.decide(row(isocc="CN"), BASIN_BOX, []) is None  # China only
    assert amphibians.decide(row(isocc="RU,KZ"), BASIN_BOX, []) is None  # Russia without a neighbour
    assert amphibians.decide(row(isocc=None), None, []) is None


def test_box_outside_the_basin_excludes():
    # a species of European Russia that AmphibiaWeb also lists for China (Xinjiang)
    spadefoot = row("Pelobates fuscus", isocc="RU,CN,UA")
    assert amphibians.decide(spadefoot, EUROPE_BOX, []).rule == amphibians.EXCLUDE_OUTSIDE


def test_named_false_positives():
    # Rana arvalis: "CN,KZ,RU" and a box reaching the Zeya; China is Xinjiang, its east ends in Yakutia
    assert amphibians.decide(row("Rana arvalis", isocc="CN,KZ,RU"), (-9.3, 137.3, 42.9, 70.9), []).rule == (
        amphibians.EXCLUDE_KNOWN
    )
    common_toad = row("Bufo bufo", isocc="KZ,RU")
    assert amphibians.decide(common_toad, ARGUN_EDGE_BOX, ["CN", "RU"]).rule == amphibians.EXCLUDE_KNOWN


def test_countries_from_both_lists_need_a_strong_box():
    # Bufo gargarizans: AmphibiaWeb "CN", IUCN 2017 adds Russia and North Korea, box over the whole basin
    toad = amphibians.decide(row("Bufo gargarizans", isocc="CN"), (98.4, 148.4, 21.2, 57.7), ["CN", "KP", "RU"])
    assert (toad.rule, toad.confidence) == (amphibians.RULE_BOX, "medium")
    # a box that only touches one core point does not carry a border taken from two lists
    assert amphibians.decide(row("Bufo sp", isocc="KZ,RU"), ARGUN_EDGE_BOX, ["CN"]).rule == amphibians.EXCLUDE_WEAK


def test_no_box_keeps_the_country_rule():
    tridactyla = amphibians.decide(row("Salamandrella tridactyla", isocc="CN,KP,RU"), None, [])
    assert (tridactyla.rule, tridactyla.confidence) == (amphibians.RULE_NO_BOX, "medium")
    assert tridactyla.range_box is None
    mongolian = amphibians.decide(row("Rana sp", isocc="MN,RU"), None, [])
    assert (mongolian.rule, mongolian.confidence) == (amphibians.RULE_NO_BOX, "low")


def test_synonyms_find_the_iucn_box():
    # AmphibiaWeb's Hyla japonica is Dryophytes japonicus in the IUCN 2017 maps
    hyla = row(
        "Hyla japonica",
        isocc="MN,JP,KR,KP,RU,CN",
        family="Hylidae",
        aweb_uid="832",
        synonymies="Hyla ussuriensis, Dryophytes japonicus, Hyla stepheni",
    )
    assert amphibians.lookup_names(hyla) == [
        "Hyla japonica",
        "Hyla ussuriensis",
        "Dryophytes japonicus",
        "Hyla stepheni",
    ]
    selection = amphibians.select([hyla], {"Dryophytes japonicus": BASIN_BOX}, {})
    (record,) = selection.records
    assert record.rule == amphibians.RULE_BOX and record.range_box == BASIN_BOX
    assert selection.report == {amphibians.RULE_BOX: 1}


def test_record_fields():
    frog = row(
        "Rana dybowskii",
        isocc="CN,JP,KP,RU",
        family="Ranidae",
        spauthor="Günther, 1876",
        aweb_uid="5024",
        common_name="Dybovsky's Frog, Far Eastern Brown Frog",
        iucn="Near Threatened (NT)",
    )
    decision = amphibians.decide(frog, (122.3, 195.4, 30.2, 66.9), [])
    record = amphibians.to_record(frog, decision, {"CN", "JP", "KP", "RU"})
    assert (record.kingdom, record.phylum, record.class_, record.order, record.family, record.genus) == (
        "Animalia",
        "Chordata",
        "Amphibia",
        "Anura",
        "Ranidae",
        "Rana",
    )
    assert record.scientific_name == "Rana dybowskii" and record.authorship == "Günther, 1876"
    assert record.vernacular == [("Dybovsky's Frog", "en"), ("Far Eastern Brown Frog", "en")]
    assert record.identifiers == {"amphibiaweb": "5024"} and record.row_id == "5024"
    (assessment,) = record.assessments
    assert (assessment.category, assessment.assessor, assessment.scope, assessment.source) == (
        "NT",
        "IUCN",
        "global",
        "amphibiaweb-2025",
    )
    assert record.countries == ("RU", "CN", "KP", "JP")  # every country kept, the basin's first
    assert record.range_box == (122.3, 180.0, 30.2, 66.9)
    assert record.placements == []


def test_country_codes_and_missing_category():
    assert amphibians.country_codes(["RUSSIA", "CHINA", "CASPIAN SEA", "NORTH KOREA"]) == ["RU", "CN", "KP"]
    assert amphibians.assessment(row(iucn=None)) is None


# --- the real files ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def files(sources_dir):
    return {
        "amphibiaweb-2025": sources_dir / "amphibiaweb-2025" / "amphib_names.txt",
        "rangebuilder-2022": sources_dir / "rangebuilder-2022" / "sysdata.rda",
    }


@pytest.fixture(scope="module")
def selection(files, source_cache):
    return amphibians.read(files, cache_dir=source_cache)


def test_real_yield(selection):
    assert 8 <= len(selection.records) <= 20
    assert selection.report[amphibians.EXCLUDE_KNOWN] == len(amphibians.KNOWN_FALSE_POSITIVES)


@pytest.mark.parametrize(
    "name",
    [
        "Rana dybowskii",
        "Bombina orientalis",
        "Salamandrella keyserlingii",
        "Salamandrella tridactyla",
        "Hyla japonica",
        "Bufo gargarizans",
        "Strauchbufo raddei",
        "Rana amurensis",
        "Onychodactylus fischeri",
    ],
)
def test_real_basin_amphibians_are_in(by_name, name):
    assert name in by_name


@pytest.mark.parametrize("name", ["Rana arvalis", "Bufo bufo", "Pelophylax ridibundus", "Rana temporaria"])
def test_real_non_basin_amphibians_are_out(by_name, name):
    assert name not in by_name


def test_real_records_are_well_formed(selection):
    for record in selection.records:
        assert record.group == "amphibian" and record.class_ == "Amphibia" and record.order in ("Anura", "Caudata")
        assert record.rule in (amphibians.RULE_BOX, amphibians.RULE_NO_BOX) and record.confidence in CONFIDENCE
        assert record.identifiers == {"amphibiaweb": record.row_id}
        assert "RU" in record.countries and all(len(code) == 2 for code in record.countries)
        assert all(a.category in CATEGORIES for a in record.assessments)
        assert (record.range_box is None) == (record.rule == amphibians.RULE_NO_BOX)


def test_real_south_korea_is_kept(by_name):
    # AmphibiaWeb gives Bombina orientalis RU, KR, KP, CN: every country stays on the record (amur:nativeTo)
    assert set(by_name["Bombina orientalis"].countries) >= {"RU", "KR", "KP", "CN"}
