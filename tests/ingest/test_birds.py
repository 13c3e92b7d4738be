"""Bird reader: selection rules on hand-made rows, then the real AviList and rangeBuilder files."""

from __future__ import annotations

import zlib

import pytest

from ingest import birds
from ingest.places import gazetteer
from ingest.records import CATEGORIES, CONFIDENCE


def mollweide_box(lon_min: float, lon_max: float, lat_min: float, lat_max: float) -> tuple[float, ...]:
    """A Mollweide box enclosing a small lon/lat box (corners projected)."""
    corners = [birds.mollweide(lon, lat) for lon in (lon_min, lon_max) for lat in (lat_min, lat_max)]
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    return min(xs), max(xs), min(ys), max(ys)


BASIN_BOX = mollweide_box(110, 140, 42, 56)  # covers all five core points
EUROPE_BOX = mollweide_box(-10, 60, 35, 65)
EDGE_BOX = mollweide_box(115, 124, 50, 56)  # reaches only the Argun-Shilka junction


def row(name: str, rank: str = "species", range_text: str | None = None, family: str = "Gruidae", **extra) -> dict:
    values = {
        "Sequence": 1.0,
        "Taxon_rank": rank,
        "Order": "Gruiformes",
        "Family": family,
        "Scientific_name": name,
        "Authority": "(Müller, PLS, 1776)",
        "English_name_AviList": f"{name} bird",
        "Range": range_text,
        "Extinct_or_possibly_extinct": None,
        "IUCN_Red_List_Category": "VU",
        "Species_code_Cornell_Lab": "code1",
        "AvibaseID": f"avibase-{zlib.crc32(name.encode()):08X}",
    }
    values.update(extra)
    return values


# --- small rules ---------------------------------------------------------------------------------


def test_core_points_covered():
    assert len(birds.core_points_covered(BASIN_BOX)) == 5
    assert birds.core_points_covered(EUROPE_BOX) == []
    assert birds.core_points_covered(EDGE_BOX) == ["Argun-Shilka junction"]
    assert birds.core_points_covered(None) == []


def test_mollweide_matches_rangebuilder_inverse():
    # the inverse used by ingest.rangebuilder must bring our forward projection back
    from ingest.rangebuilder import mollweide_box_to_lonlat

    x, y = birds.mollweide(135.0, 48.5)
    lon_min, lon_max, lat_min, lat_max = mollweide_box_to_lonlat(x, x, y, y)
    assert lon_min == pytest.approx(135.0, abs=1e-6) and lat_max == pytest.approx(48.5, abs=1e-6)


def test_range_texts_gather_subspecies_under_their_species():
    rows = [
        row("Grus japonensis", range_text="breeds Siberia"),
        row("Tetrastes bonasia"),
        row("Tetrastes bonasia amurensis", rank="subspecies", range_text="southern Amurland"),
    ]
    assert birds.range_texts(rows) == {
        "Grus japonensis": ["breeds Siberia"],
        "Tetrastes bonasia": ["southern Amurland"],
    }


def test_basin_places_skip_vagrant_introduced_and_former_clauses():
    places, skipped = birds.basin_places(["breeds Ussuriland; vagrant to Manchuria", "formerly Amurland"])
    assert places == [("Ussuri", "Ussuriland")]
    assert skipped == 2
    assert birds.basin_places(["introduced in Heilongjiang"]) == ([], 1)


def test_country_codes_unpack_r_vectors():
    assert birds.country_codes(["RUSSIA", "CHINA", "CASPIAN SEA"]) == ("CN", "RU")
    assert birds.country_codes(["['RUSSIA']", "['CYPRUS' 'NORTHERN CYPRUS']", "['MONGOLIA']"]) == ("CY", "MN", "RU")


def test_countries_fit():
    assert birds.countries_fit(["RU", "CN"])
    assert birds.countries_fit(["RU", "MN", "KZ"])
    assert not birds.countries_fit(["CN", "MN"])  # no Russia
    assert not birds.countries_fit(["RU", "KZ"])


def test_match_range_names_exact_then_epithet_within_family():
    species = {
        "Grus japonensis": "Gruidae",
        "Tetrastes bonasia": "Phasianidae",  # BirdLife 2017: Bonasa bonasia
        "Anser cygnoides": "Anatidae",  # BirdLife spells it cygnoid
        "Aphanapteryx bonasia": "Rallidae",
        "Pica serica": "Corvidae",  # lumped in Pica pica by BirdLife: no match
    }
    range_names = [
        "Grus japonensis",
        "Bonasa bonasia",
        "Bonasa umbellus",
        "Aphanapteryx bonasia",
        "Anser cygnoid",
        "Anser anser",
        "Pica pica",
    ]
    matched = birds.match_range_names(
        species | {"Bonasa umbellus": "Phasianidae", "Anser anser": "Anatidae"}, range_names
    )
    assert matched["Grus japonensis"] == "Grus japonensis"
    assert matched["Tetrastes bonasia"] == "Bonasa bonasia"
    assert matched["Anser cygnoides"] == "Anser cygnoid"
    assert matched["Aphanapteryx bonasia"] == "Aphanapteryx bonasia"
    assert "Pica serica" not in matched


def test_match_range_names_rejects_other_families_and_shared_targets():
    # Bonasa is only known as a grouse genus, so a rail with the same epithet can't take it
    matched = birds.match_range_names(
        {"Rallus bonasia": "Rallidae", "Bonasa umbellus": "Phasianidae"}, ["Bonasa bonasia", "Bonasa umbellus"]
    )
    assert "Rallus bonasia" not in matched
    # two split species claiming one lumped name: neither gets it
    matched = birds.match_range_names(
        {"Aus varius": "Xidae", "Bus varius": "Xidae", "Cus albus": "Xidae"}, ["Cus albus", "Cus varius"]
    )
    assert "Aus varius" not in matched and "Bus varius" not in matched


def test_decide_text_rule():
    specific = [("Ussuri", "Ussuriland")]
    decision = birds.decide(specific, ["Lake Khanka"], True, ("RU",), "Strigidae", ["Ussuriland"])
    assert (decision.rule, decision.confidence, decision.matched) == ("range-text:gazetteer", "high", "Ussuriland")
    # a broad place alone is medium unless the box confirms it
    broad = [("Northeast China", "northeastern China")]
    assert birds.decide(broad, ["Songhua at Harbin"], True, (), "X", []).confidence == "medium"
    assert birds.decide(broad, list(birds.CORE_POINTS), True, (), "X", []).confidence == "high"
    # without a range box the text alone decides
    assert birds.decide(specific, [], False, (), "X", []).rule == "range-text:gazetteer"
    # a box south of the basin contradicts a loose "Manchuria"
    assert birds.decide([("Manchuria", "Manchuria")], [], True, ("CN",), "X", []).rule == "exclude:text-box-disagree"


def test_decide_box_rule():
    core = list(birds.CORE_POINTS)
    east = ["breeds Siberia and Korea"]
    decision = birds.decide([], core, True, ("CN", "RU"), "Gruidae", east)
    assert (decision.rule, decision.confidence) == ("range-box:core-points", "medium")
    assert decision.matched == "box covers 5/5 core points"
    assert birds.decide([], core, True, ("CN", "RU"), "Gruidae", ["sub-Saharan Africa"]).confidence == "low"
    assert birds.decide([], core[:2], True, ("CN", "RU"), "Gruidae", east).rule == "exclude:box-few-core-points"
    assert birds.decide([], core, True, ("CN", "KZ"), "Gruidae", east).rule == "exclude:box-countries-mismatch"
    assert birds.decide([], core, True, ("CN", "RU"), "Diomedeidae", east).rule == "exclude:marine-box-only"
    assert birds.decide([], [], True, ("CN", "RU"), "Gruidae", east).rule == "exclude:no-basin-signal"


def test_authorship():
    assert birds.authorship("(Müller, PLS, 1776)") == "(Müller, 1776)"
    assert birds.authorship("Gould, J, 1864") == "Gould, 1864"
    assert birds.authorship("Salvin, O; Godman, FD, 1882") == "Salvin & Godman, 1882"
    assert birds.authorship("Pyle, P; Welch, AJ; Fleischer, RC, 2011") == "Pyle, Welch & Fleischer, 2011"
    assert birds.authorship(None) is None


def test_iucn_category_and_extinct_flags():
    assert birds.iucn_category("CR (PE)") == "CR"
    assert birds.iucn_category("LC") == "LC"
    assert birds.iucn_category(None) is None
    assert birds.is_extinct("Extinct") and birds.is_extinct("(extinct)") and birds.is_extinct("Extinct in the Wild")
    assert not birds.is_extinct("(possibly extinct)")
    assert not birds.is_extinct("Previously Extinct in the Wild, but reintroduced")
    assert not birds.is_extinct(None)


def test_select_on_hand_made_rows():
    rows = [
        row("Grus japonensis", range_text="breeds Siberia, Hokkaido and Mongolia; winters eastern China and Korea"),
        row("Ciconia boyciana", range_text="Siberia, Manchuria, and Korea", family="Ciconiidae"),
        row("Tetrastes bonasia", family="Phasianidae"),
        row("Tetrastes bonasia amurensis", rank="subspecies", range_text="southern Amurland and Little Khingan"),
        row("Luscinia megarhynchos", range_text="breeds western Europe; winters in tropical Africa", family="X"),
        row("Falco amurensis", range_text="breeds Transbaikalia", family="Falconidae", Range=None),
        row("Phoebastria nigripes", range_text="North Pacific", family="Diomedeidae"),
        row("Raphus cucullatus", range_text="formerly Amurland", Extinct_or_possibly_extinct="Extinct"),
        row("Garrulus lidthi", range_text="Amami Oshima (Ryukyu Islands)", family="Corvidae"),
    ]
    mollweide_boxes = {
        "Grus japonensis": BASIN_BOX,
        "Ciconia boyciana": BASIN_BOX,
        "Bonasa bonasia": BASIN_BOX,
        "Bonasa umbellus": EUROPE_BOX,
        "Luscinia megarhynchos": EUROPE_BOX,
        "Phoebastria nigripes": BASIN_BOX,
        "Raphus cucullatus": BASIN_BOX,
        "Garrulus lidthi": mollweide_box(129, 130, 28, 29),
    }
    countries = {name: ["RUSSIA", "CHINA", "JAPAN"] for name in mollweide_boxes}
    boxes = {"Grus japonensis": (95.2, 173.1, 27.3, 54.7)}
    rows.append(row("Bonasa umbellus", family="Phasianidae", range_text="North America"))
    selection = birds.select(rows, boxes, mollweide_boxes, countries)
    by_name = {r.scientific_name: r for r in selection.records}

    assert set(by_name) == {"Grus japonensis", "Ciconia boyciana", "Tetrastes bonasia"}
    crane = by_name["Grus japonensis"]
    assert (crane.rule, crane.confidence) == ("range-box:core-points", "medium")
    # the box is kept as its map has it (Mollweide metres) so that placements test it in that projection
    assert crane.range_box == BASIN_BOX and crane.range_box_projection == "mollweide"
    assert crane.countries == ("CN", "JP", "RU")
    assert crane.placements == []  # box placements are the core's job (it has the polygons)
    assert crane.authorship == "(Müller, 1776)"
    assert crane.vernacular == [("Grus japonensis bird", "en")]
    assert crane.identifiers["ebird"] == "code1" and crane.identifiers["avibase"].startswith("avibase-")
    assert crane.assessments[0].category == "VU" and crane.assessments[0].scope == "global"
    assert (crane.kingdom, crane.phylum, crane.class_, crane.genus) == ("Animalia", "Chordata", "Aves", "Grus")

    grouse = by_name["Tetrastes bonasia"]  # by its subspecies' text, boxed under BirdLife's Bonasa bonasia
    assert grouse.rule == "range-text:gazetteer" and grouse.confidence == "high"
    assert grouse.matched == "Amurland; Little Khingan"
    assert {p.matched for p in grouse.placements} == {"Amur", "Lesser Khingan"}
    assert all(p.method == "gazetteer" and p.source == "avilist-2025" for p in grouse.placements)
    assert {p.confidence for p in by_name["Ciconia boyciana"].placements} == {"medium"}  # Manchuria is broad

    report = selection.report
    assert report["range-text:gazetteer"] == 2 and report["range-box:core-points"] == 1
    assert report["exclude:marine-box-only"] == 1
    assert report["note:places-in-vagrant-or-former-clauses"] == 1
    assert "Raphus cucullatus" not in by_name and "Garrulus lidthi" not in by_name
    assert "Luscinia megarhynchos" not in by_name and "Falco amurensis" not in by_name


# --- the real files ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def selection(sources_dir, source_cache):
    files = {
        "avilist-2025": sources_dir / "avilist-2025" / "avilist_2025.rda",
        "rangebuilder-2022": sources_dir / "rangebuilder-2022" / "sysdata.rda",
    }
    return birds.read(files, cache_dir=source_cache)


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("Grus japonensis", "range-box:core-points"),  # its text names no basin place
        ("Ciconia boyciana", "range-text:gazetteer"),
        ("Antigone vipio", "range-text:gazetteer"),  # White-naped Crane, "Grus vipio" before AviList
        ("Mergus squamatus", "range-text:gazetteer"),
        ("Tetrastes bonasia", "range-text:gazetteer"),
        ("Falco amurensis", "range-box:core-points"),
        ("Emberiza jankowskii", "range-text:gazetteer"),
    ],
)
def test_real_basin_species_are_in(by_name, name, rule):
    assert name in by_name
    assert by_name[name].rule == rule


@pytest.mark.parametrize(
    "name",
    [
        "Garrulus lidthi",  # Amami Oshima
        "Rupicola peruvianus",  # Andes
        "Luscinia megarhynchos",  # western Palearctic: its degree box reaches 139 E, its Mollweide box does not
        "Phoebastria nigripes",  # pelagic
        "Crossoptilon mantchuricum",  # "northeastern China (Liaoning and Shanxi)"
        "Ibidorhyncha struthersii",  # "Hebei (northeastern China)"
    ],
)
def test_real_outside_species_are_out(by_name, name):
    assert name not in by_name


def test_real_counts_and_report(selection):
    count = len(selection.records)
    assert 250 <= count <= 450, count
    report = selection.report
    assert report["range-text:gazetteer"] + report["range-box:core-points"] == count
    assert report["range-text:gazetteer"] >= 150
    for exclusion in ("exclude:box-few-core-points", "exclude:box-countries-mismatch", "exclude:marine-box-only"):
        assert report.get(exclusion, 0) > 0, exclusion


def test_real_records_are_well_formed(selection):
    ids = [record.row_id for record in selection.records]
    assert len(ids) == len(set(ids))
    basin = set(gazetteer.BASIN_ECOREGIONS)
    for record in selection.records:
        assert record.group == "bird" and record.class_ == "Aves" and record.source == "avilist-2025"
        assert len(record.scientific_name.split()) == 2
        assert record.identifiers["avibase"].startswith("avibase-")
        assert record.confidence in CONFIDENCE
        assert all(a.category in CATEGORIES for a in record.assessments)
        assert all(len(code) == 2 for code in record.countries)
        assert all(p.ecoregion in basin for p in record.placements)
        if record.range_box is not None:
            lon_min, lon_max, lat_min, lat_max = record.range_box
            assert lon_min <= lon_max and lat_min <= lat_max
