"""Reptile reader: country rule and named exclusions on hand-made lists, then the real Reptile Database lists."""

from __future__ import annotations

import pytest

from ingest import reptiles

# --- small rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "codes", "expected"),
    [
        ("Gloydius ussuriensis", ["CN", "MN", "KP", "RU", "KR"], (reptiles.RULE_COUNTRY, "medium")),
        ("Takydromus amurensis", ["CN", "JP", "RU"], (reptiles.RULE_COUNTRY, "medium")),
        ("Anyus mongolicus", ["MN", "RU"], (reptiles.RULE_COUNTRY, "low")),  # Russia + Mongolia may be Tuva
        ("Eremias brenchleyi", ["CN", "RU"], (reptiles.RULE_COUNTRY, "low")),  # doubtful Russian record
        ("Eremias velox", ["AF", "CN", "KZ", "MN", "RU"], (reptiles.EXCLUDE_KNOWN, "")),  # Central Asia
        ("Laticauda semifasciata", ["CN", "JP", "RU"], (reptiles.EXCLUDE_KNOWN, "")),  # sea snake
        ("Elaphe climacophora", ["JP", "RU"], None),  # no neighbour across the Amur
        ("Elaphe anomala", ["CN", "MN"], None),  # not listed for Russia
    ],
)
def test_decide(name, codes, expected):
    assert reptiles.decide(name, codes) == expected


def test_select_builds_records_without_family():
    lists = {
        "Elaphe schrenckii": ["CHINA", "MONGOLIA", "RUSSIA"],
        "Natrix natrix": ["CHINA", "GERMANY", "MONGOLIA", "RUSSIA"],
        "Gekko japonicus": ["CHINA", "JAPAN"],
    }
    selection = reptiles.select(lists)
    (record,) = selection.records
    assert record.scientific_name == "Elaphe schrenckii" and record.row_id == "Elaphe_schrenckii"
    assert (record.kingdom, record.phylum, record.class_, record.order, record.family, record.genus) == (
        "Animalia", "Chordata", "Reptilia", "Squamata", None, "Elaphe")
    assert record.countries == ("RU", "CN", "MN") and record.matched == "countries RU, CN, MN"
    assert record.authorship is None and record.identifiers == {}
    assert record.placements == [] and record.range_box is None
    assert selection.report == {reptiles.RULE_COUNTRY: 1, reptiles.EXCLUDE_KNOWN: 1, reptiles.MISSING_FAMILY: 1}


def test_named_lists_give_reasons():
    assert not set(reptiles.KNOWN_FALSE_POSITIVES) & set(reptiles.DOUBTFUL)
    assert all(reason.strip() for reason in [*reptiles.KNOWN_FALSE_POSITIVES.values(), *reptiles.DOUBTFUL.values()])


# --- the real file -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def country_lists(sources_dir, source_cache):
    from ingest import rangebuilder

    return rangebuilder.load(sources_dir / "rangebuilder-2022" / "sysdata.rda", source_cache).countries["reptile"]


@pytest.fixture(scope="module")
def selection(sources_dir, source_cache):
    files = {"rangebuilder-2022": sources_dir / "rangebuilder-2022" / "sysdata.rda"}
    return reptiles.read(files, cache_dir=source_cache)


@pytest.fixture(scope="module")
def by_name(selection):
    return {record.scientific_name: record for record in selection.records}


def test_real_yield(selection):
    assert 15 <= len(selection.records) <= 30
    assert selection.report[reptiles.MISSING_FAMILY] == len(selection.records)


@pytest.mark.parametrize(
    "name",
    ["Gloydius ussuriensis", "Elaphe schrenckii", "Takydromus amurensis", "Elaphe dione", "Vipera berus",
     "Zootoca vivipara", "Rhabdophis tigrinus", "Oocatochus rufodorsatus"],
)
def test_real_basin_reptiles_are_in(by_name, name):
    assert name in by_name


def test_real_named_exclusions_are_real_candidates(country_lists, by_name):
    """Every named false positive or doubtful species is a Russia + neighbour candidate of the real lists
    (so the lists are not stale), and no false positive is selected."""
    for name in [*reptiles.KNOWN_FALSE_POSITIVES, *reptiles.DOUBTFUL]:
        codes = reptiles.country_codes(country_lists[name])
        assert "RU" in codes and set(codes) & set(reptiles.NEIGHBOURS), name
    assert not set(reptiles.KNOWN_FALSE_POSITIVES) & set(by_name)
    assert all(by_name[name].confidence == "low" for name in reptiles.DOUBTFUL)


def test_real_records_are_well_formed(selection):
    for record in selection.records:
        assert record.group == "reptile" and record.class_ == "Reptilia" and record.order == "Squamata"
        assert record.family is None and "RU" in record.countries
        assert record.rule == reptiles.RULE_COUNTRY and record.confidence in ("medium", "low")


def test_real_south_korea_is_kept(by_name):
    assert {"KR", "RU", "CN"} <= set(by_name["Gloydius intermedius"].countries)
