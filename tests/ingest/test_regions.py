"""Issue 26, the readers' side: the curated regions and names (ingest/curated/regions.yml, names.yml), the regions
a record's evidence names, and why a species has no placement."""

from __future__ import annotations

import pytest

from ingest import regions
from ingest.records import Placement, SpeciesRecord

# --- the curated files and the mapping, no build -------------------------------------------------------------


def test_regions_are_iso_codes_with_names_in_three_languages():
    loaded = regions.load()
    expected = {
        "CN-HL",
        "CN-JL",
        "CN-LN",
        "CN-NM",
        "RU-AMU",
        "RU-KHA",
        "RU-PRI",
        "RU-YEV",
        "RU-ZAB",
        "MN-061",
        "MN-039",
    }
    assert set(loaded.regions) == expected
    for region in loaded.regions.values():
        assert region.label and region.iso_name
        assert set(region.names) == {"zh", "ru"}
        assert all(source in loaded.sources for _, source in region.names.values())
    assert loaded.regions["CN-HL"].names["zh"] == ("黑龙江省", "pycountry")


def test_a_name_citing_pycountry_must_be_pycountrys(tmp_path):
    text = regions.REGIONS_FILE.read_text(encoding="utf-8").replace(
        "{name: 黑龙江省, source: pycountry}", "{name: 黑龙江, source: pycountry}"
    )
    bad = tmp_path / "regions.yml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(regions.RegionsError, match="CN-HL zh name '黑龙江' cites pycountry"):
        regions.load(bad)


def test_an_unknown_iso_code_stops_the_build(tmp_path):
    bad = tmp_path / "regions.yml"
    bad.write_text(
        regions.REGIONS_FILE.read_text(encoding="utf-8").replace("code: RU-YEV", "code: RU-XXX"), encoding="utf-8"
    )
    with pytest.raises(regions.RegionsError, match="RU-XXX is not an ISO 3166-2 code"):
        regions.load(bad)


def test_names_cover_the_ecoregions_the_rivers_and_the_work_lines_with_a_source():
    names = regions.load_names()
    assert len(names["ecoregions"]) == 16  # 15 terrestrial and the freshwater unit
    assert len(names["initiatives"]) == 7 and len(names["rivers"]) == 8
    for section in ("ecoregions", "rivers", "initiatives"):
        for by_lang in names[section].values():
            assert set(by_lang) == {"zh", "ru"}
            assert all(name["source"] in names["sources"] for name in by_lang.values())
    assert names["ecoregions"]["PA0426"]["ru"]["name"] == "Маньчжурские смешанные леса"


def record(**fields) -> SpeciesRecord:
    return SpeciesRecord(source="col-china-2023", row_id="1", group="plant", scientific_name="Pinus test", **fields)


def test_region_mentions_from_provinces_archive_codes_and_range_texts():
    loaded = regions.load()
    plant = record(provinces=("heilongjiang", "inner-mongolia", "yunnan"), confidence="high")
    assert [(m.region, m.method, m.confidence) for m in regions.region_mentions(plant, loaded)] == [
        ("CN-HL", "province", "high"),
        ("CN-NM", "province", "high"),
    ]
    archive = record(
        placements=[Placement("PA0443", "checklist-region", "low", "Primorsky Krai (ISO3166-2:RU-PRI)", "checklist-x")]
    )
    assert [(m.region, m.source) for m in regions.region_mentions(archive, loaded)] == [("RU-PRI", "checklist-x")]
    # "Amur" is the river as often as the oblast: no region; "Primorye" is the krai
    text = record(placements=[Placement("PA0443", "gazetteer", "low", "Amur and Primorye", "avilist-2025")])
    assert [m.region for m in regions.region_mentions(text, loaded)] == ["RU-PRI"]


def test_no_placement_reasons_follow_the_build_rules():
    assert regions.no_placement_reason([record()], []) == "no-range-data"
    wide = record(range_box=(-151.0, 171.0, 30.0, 70.0))
    assert regions.no_placement_reason([wide], []) == "box-too-wide"
    narrow = record(range_box=(100.0, 110.0, 20.0, 30.0))
    assert regions.no_placement_reason([narrow], []) == "box-too-narrow"
