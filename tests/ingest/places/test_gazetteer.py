"""The basin gazetteer: place names in range text -> WWF ecoregions."""

from __future__ import annotations

import pytest

from ingest.places import gazetteer
from ingest.places.gazetteer import find_places


def places(text: str) -> list[str]:
    return [place for place, _ in find_places(text)]


def test_every_place_maps_to_basin_ecoregions():
    assert gazetteer.PLACES
    for place, codes in gazetteer.PLACES.items():
        assert codes, place
        assert set(codes) <= set(gazetteer.BASIN_ECOREGIONS), place
    assert gazetteer.BROAD_PLACES <= set(gazetteer.PLACES)


def test_every_basin_ecoregion_is_reachable_except_the_bald_mountain_tundra():
    used = {code for codes in gazetteer.PLACES.values() for code in codes}
    # PA0601 and PA1112 are only the basin's rims; no range text place names them alone
    assert set(gazetteer.BASIN_ECOREGIONS) - used <= {"PA0601", "PA1112"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("breeds Ussuriland (southeastern Russia)", ["Ussuri"]),
        ("southern Amurland and Little Khingan Mountains", ["Amur", "Lesser Khingan"]),
        ("lower Amur River and Sakhalin", ["Amur"]),
        ("Amurskaya Oblast and Primorskiy Kray", ["Amur", "Primorye"]),
        ("Lake Khanka (Heilongjiang, northeastern China)", ["Khanka", "Heilongjiang", "Northeast China"]),
        ("the Zeya-Bureya plain", ["Zeya", "Bureya"]),
        ("Greater Khingan Mountains", ["Greater Khingan"]),
        ("Sikhote Alin Mountains", ["Sikhote-Alin"]),
        ("breeds Manchuria and Korea", ["Manchuria"]),
        ("breeds northeastern China; winters to Korea", ["Northeast China"]),
        ("NE China and Jilin", ["Northeast China", "Jilin"]),
        ("Transbaikalia to eastern Mongolia", ["Transbaikalia", "Eastern Mongolia"]),
        ("northeastern Mongolia", ["Eastern Mongolia"]),
        ("Daurian steppes", ["Dauria"]),
        ("Hulun Nur and the Argun River", ["Hulun Buir", "Argun"]),
        ("USSURILAND", ["Ussuri"]),
        ("northeastern China (Heilongjiang southward to eastern Hebei)", ["Northeast China", "Heilongjiang"]),
        ("Manchuria (northeastern China)", ["Manchuria"]),
    ],
)
def test_finds_basin_places(text, expected):
    assert places(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Korean Peninsula and Japan",  # Korea is not a basin place
        "Sakhalin, Hokkaido and Sea of Okhotsk",
        "Lake Baikal to Inner Mongolia",
        "Dryobates minor amurensis; Otus semitorques ussuriensis",  # epithets are not places
        "winters south to the range of the Amur Falcon",  # English bird names are not places
        "Daurian Jackdaw and Manchurian Bush Warbler",
        "southeastern Mongolia",
        "Hebei (northeastern China)",  # a gloss of a place outside the basin
        "montane forest of northeastern China (Liaoning and Shanxi)",  # narrowed to outside the basin
        "Russian Far East and southeastern Siberia",  # too broad to place anything
        "",
    ],
)
def test_ignores_non_basin_text(text):
    assert places(text) == []


def test_returns_the_exact_matched_substring_in_text_order():
    assert find_places("Heilongjiang and Ussuriland, then Amur R.") == [
        ("Heilongjiang", "Heilongjiang"),
        ("Ussuri", "Ussuriland"),
        ("Amur", "Amur"),
    ]


def test_ecoregions_for():
    assert gazetteer.ecoregions_for("Ussuri")[0] == "PA0443"
    assert gazetteer.ecoregions_for("Khanka") == ("PA0907",)
    assert gazetteer.ecoregions_for("Changbai") == ("PA0414",)
    assert "PA0505" in gazetteer.ecoregions_for("Greater Khingan")
    assert "PA0426" in gazetteer.ecoregions_for("Lesser Khingan")
    assert set(gazetteer.ecoregions_for("Transbaikalia")) == {"PA0804", "PA0609"}
    with pytest.raises(KeyError):
        gazetteer.ecoregions_for("Korea")


def test_country_code():
    assert gazetteer.country_code("RUSSIA") == "RU"
    assert gazetteer.country_code("China") == "CN"
    assert gazetteer.country_code("MONGOLIA") == "MN"
    assert gazetteer.country_code("NORTH KOREA") == "KP"
    assert gazetteer.country_code("SOUTH KOREA") == "KR"
    assert gazetteer.country_code("CASPIAN SEA") is None
    assert all(len(code) == 2 and code.isupper() for code in gazetteer.COUNTRY_CODES.values())
