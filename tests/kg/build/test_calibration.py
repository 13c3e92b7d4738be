"""Placement methods measured against WildFinder, and the confidence each earns: rules on made-up figures."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from shapely.geometry import box

from ingest.places import rangebox
from ingest.records import Placement, SpeciesRecord
from kg.build import calibration
from kg.build.calibration import Calibration, Figures


def placement(
    eco: str, method: str, confidence: str = "medium", matched: str = "", source: str = "s", share: float | None = None
) -> Placement:
    return Placement(ecoregion=eco, method=method, confidence=confidence, matched=matched, source=source, share=share)


def test_precision_and_recall():
    reference = {"tiger": {"A", "B"}, "lynx": {"C"}}
    predictions = {"gazetteer:specific": {"tiger": {"A", "X"}, "lynx": {"C"}}}
    figures = calibration.measure(reference, predictions, "gazetteer:specific")
    assert (figures.placements, figures.agree, figures.reference, figures.species) == (3, 2, 3, 2)
    assert figures.precision == 2 / 3 and figures.recall == 2 / 3
    empty = calibration.measure(reference, predictions, "province")
    assert empty.precision is None and empty.recall == 0


def test_levels_follow_precision():
    assert [calibration.level_for(p) for p in (0.95, 0.9, 0.75, 0.6, 0.59, 0.1)] == [
        "high",
        "high",
        "medium",
        "medium",
        "low",
        "low",
    ]


def rows(*figures: tuple[float, int, int]) -> list[Figures]:
    return [
        Figures("range-box:rangebuilder", share, made, agree, reference=100, species=10)
        for share, made, agree in figures
    ]


def test_box_rule_is_the_lowest_share_that_is_precise_enough():
    chosen = calibration.choose_share(rows((0.2, 100, 40), (0.5, 60, 40), (0.75, 40, 30)))
    assert chosen.share == 0.5  # 67 % precise; 0.75 is more precise but finds fewer
    # none reaches 60 %: the share with the best balance of precision and recall
    chosen = calibration.choose_share(rows((0.2, 200, 60), (0.5, 100, 50), (0.75, 20, 10)))
    assert chosen.share == 0.5


@dataclass
class Taxon:
    name: str
    records: list = field(default_factory=list)


def test_apply_calibrates_filters_and_defers_to_the_reference():
    cal = Calibration(
        table=[],
        levels={"gazetteer:specific": "low", "range-box:rangebuilder": "low"},
        box_share={"range-box:rangebuilder": 0.5},
    )
    placements = [
        placement("PA0443", "wildfinder", "high"),
        placement("PA0606", "gazetteer", "medium", matched="Bureya"),  # specific place, measured low
        placement("PA0443", "range-box", "low", source="rangebuilder-2022", share=0.8),
        placement("PA0901", "range-box", "low", source="rangebuilder-2022", share=0.3),  # under the chosen share
        placement("PA0426", "curated", "medium"),  # not measured: kept, but the reference does not list PA0426
    ]
    result = {(p.ecoregion, p.method): p.confidence for p in cal.apply(placements, Taxon("Lepus mandshuricus"))}
    assert result == {
        ("PA0443", "wildfinder"): "high",
        ("PA0606", "gazetteer"): "low",
        ("PA0443", "range-box"): "low",
        ("PA0426", "curated"): "low",
    }
    assert cal.rules["range-box:below-measured-share"] == {"Lepus mandshuricus": 1}
    assert cal.rules["calibrated:gazetteer:specific:lowered"] == {"Lepus mandshuricus": 1}
    assert cal.rules["reference:wildfinder-does-not-list"] == {"Lepus mandshuricus": 1}


def test_a_method_measured_on_too_few_placements_earns_no_high():
    cal = Calibration(table=[], levels={}, box_share={})
    (p,) = cal.apply([placement("PA0443", "gazetteer", "high", matched="Bikin")], Taxon("Bird"))
    assert p.confidence == "medium"
    (p,) = cal.apply([placement("PA0443", "occurrence", "high")], Taxon("Bird"))
    assert p.confidence == "high"  # a method the reference cannot measure keeps its reader's level


def test_variants():
    assert calibration.variant(placement("A", "gazetteer", matched="Amurland")) == "gazetteer:broad"
    assert calibration.variant(placement("A", "gazetteer", matched="Ussuriland")) == "gazetteer:specific"
    assert calibration.variant(placement("A", "range-box", source="pantheria-1.0")) == "range-box:pantheria"
    assert calibration.variant(placement("A", "province")) == "province"
    assert calibration.variant(placement("A", "checklist-region", matched="Primorsky Krai (ISO3166-2:RU-PRI)")) == (
        "checklist-region:specific"
    )
    assert calibration.variant(placement("A", "checklist-region", matched="Amur (TDWG:AMU)")) == (
        "checklist-region:broad"
    )


def test_an_inherited_level_is_shown_in_the_table():
    table = [Figures("checklist-region:broad", None, placements=2, agree=1, reference=10, species=1)]
    cal = Calibration(table=table, levels={"gazetteer:broad": "low"}, box_share={})
    assert "| checklist region, broad place | 2 | 1 | 50% | 10% | 1 | low (as gazetteer, broad place) |" in (
        calibration.markdown(cal)
    )


def test_calibrate_measures_boxes_on_every_reference_mammal():
    polygons = {"A": box(120, 40, 130, 50), "B": box(130, 40, 140, 50), "C": box(100, 40, 110, 50)}
    wildfinder = [placement("A", "wildfinder", "high"), placement("B", "wildfinder", "high")]
    taxa = {
        "panthera-tigris": Taxon(
            "Panthera tigris",
            [
                SpeciesRecord(
                    source="x",
                    row_id="1",
                    group="mammal",
                    scientific_name="Panthera tigris",
                    placements=wildfinder + [placement("C", "gazetteer", "medium", matched="Ussuri")],
                )
            ],
        )
    }
    boxes = {"Panthera tigris": ((119.0, 131.0, 39.0, 51.0), None)}  # covers A wholly, B a tenth
    cal = calibration.calibrate(taxa, polygons, boxes, {})
    by_key = {(f.key, f.share): f for f in cal.table}
    at_20 = by_key[("range-box:rangebuilder", 0.2)]
    assert (at_20.placements, at_20.agree, at_20.recall) == (1, 1, 0.5)
    gazetteer = by_key[("gazetteer:specific", None)]
    assert (gazetteer.placements, gazetteer.agree) == (1, 0)
    assert cal.reference_species == 1 and cal.reference_links == 2
    assert "| gazetteer, specific place | 1 | 0 | 0% | 0% | 1 | not judged |" in calibration.markdown(cal)


def test_unprojected_box_is_the_one_the_map_surely_holds():
    # a Mollweide box whose east edge is 104° E at the equator reaches 138° E at 50° N when read as lon/lat
    x_east, _ = rangebox.mollweide_xy(np.array([104.0]), np.array([0.0]))
    _, y_south = rangebox.mollweide_xy(np.array([0.0]), np.array([-6.0]))
    _, y_north = rangebox.mollweide_xy(np.array([0.0]), np.array([61.0]))
    west, _ = rangebox.mollweide_xy(np.array([17.0]), np.array([0.0]))
    lon_min, lon_max, lat_min, lat_max = rangebox.unproject((west[0], x_east[0], y_south[0], y_north[0]))
    assert round(lon_min) == 17 and round(lon_max) == 104 and round(lat_min) == -6 and round(lat_max) == 61
    # a box north of the equator takes its edges at its southern latitude
    _, y20 = rangebox.mollweide_xy(np.array([0.0]), np.array([20.0]))
    x20, _ = rangebox.mollweide_xy(np.array([120.0]), np.array([20.0]))
    assert round(rangebox.unproject((0.0, x20[0], y20[0], y_north[0]))[1]) == 120


def test_circumpolar_boxes_place_nothing():
    from kg.build.species import range_box_placements

    polygons = {"PA0443": box(131.4, 42.7, 139.6, 50.5)}
    wapiti = SpeciesRecord(
        source="mdd-1.13",
        row_id="1",
        group="mammal",
        scientific_name="Cervus canadensis",
        range_box=(-151.4, 170.8, 24.0, 64.5),
    )
    assert range_box_placements(wapiti, polygons) == []
    tiger = SpeciesRecord(
        source="mdd-1.13",
        row_id="2",
        group="mammal",
        scientific_name="Panthera tigris",
        range_box=(66.9, 147.5, -11.6, 57.3),
    )
    (p,) = range_box_placements(tiger, polygons)
    assert p.share == 1.0 and p.method == "range-box" and "covers 100%" in p.matched


def test_boxes_wider_than_half_the_globe_are_measured_apart():
    polygons = {"A": box(120, 40, 130, 50), "B": box(130, 40, 140, 50)}
    taxa = {}
    boxes = {}
    for name, ecos, species_box in (
        ("Panthera tigris", ["A"], (119.0, 131.0, 39.0, 51.0)),
        ("Cervus canadensis", ["B"], (-151.4, 170.8, 24.0, 64.5)),
    ):
        taxa[name.lower().replace(" ", "-")] = Taxon(
            name,
            [
                SpeciesRecord(
                    source="x",
                    row_id=name,
                    group="mammal",
                    scientific_name=name,
                    placements=[placement(e, "wildfinder", "high") for e in ecos],
                )
            ],
        )
        boxes[name] = (species_box, None)
    cal = calibration.calibrate(taxa, polygons, boxes, {})
    by_key = {(f.key, f.share): f for f in cal.table}
    chosen = cal.box_share["range-box:rangebuilder"]
    assert (by_key[("range-box:rangebuilder", 0.2)].placements, by_key[("range-box:rangebuilder", 0.2)].agree) == (
        1,
        1,
    )  # the tiger's box only: the wapiti's circumpolar box is not among the boxes that place
    wide = by_key[("range-box:rangebuilder:wide", chosen)]
    assert (wide.placements, wide.agree) == (2, 1)  # it covers both ecoregions; WildFinder lists one
    assert "range-box:rangebuilder:wide" not in cal.levels
    assert "wider than 180° (not placed)" in calibration.markdown(cal)
