"""Placements in the built graph: WildFinder's rows, the measured table in docs/data.md, the named defects."""

from __future__ import annotations

import csv
import random
import re
from collections import defaultdict

import pytest

from ingest import wildfinder
from kg.build import calibration
from kg.namespaces import sparql_prefixes
from kg.sources.registry import ROOT
from kg.store import layout as kgstore

DOC = ROOT / "docs" / "data.md"
TABLE_START, TABLE_END = "<!-- placement-table:start -->", "<!-- placement-table:end -->"


@pytest.fixture(scope="module")
def store(built_store):
    return kgstore.open_read_only(built_store)


@pytest.fixture(scope="module")
def report(built_store) -> dict:
    return kgstore.manifest(built_store)["species"]["placement"]


@pytest.fixture(scope="module")
def occurrences(store) -> dict[str, set[tuple[str, str, str, str]]]:
    """Canonical name -> {(ecoregion, method, confidence, matched)} of every amur:Occurrence."""
    found: dict[str, set] = defaultdict(set)
    query = (
        sparql_prefixes()
        + """
        SELECT ?name ?e ?m ?c ?matched WHERE {
          ?o a amur:Occurrence ; amur:taxon ?t ; amur:ecoregion ?e ; amur:method ?m ; amur:confidence ?c ;
             amur:matched ?matched .
          ?t amur:canonicalName ?name .
        }"""
    )
    for row in store.query(query, use_default_graph_as_union=True):
        found[row["name"].value].add(
            tuple(row[k].value.rsplit("/", 1)[-1] for k in ("e", "m", "c")) + (row["matched"].value,)
        )
    return found


def recorded(places) -> set[str]:
    return {eco for eco, _method, confidence, _ in places if confidence in ("medium", "high")}


# --- the table: computed by the build, not typed ---------------------------------------------------------


def test_docs_table_is_the_builds(report):
    text = DOC.read_text(encoding="utf-8")
    start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
    assert text[start:end].strip() == calibration.markdown(report)


def test_gazetteer_and_curated_rows_recomputed_from_the_graph(report, occurrences):
    """The rows that the graph holds unchanged (gazetteer, curated) counted again from its occurrences."""
    reference = {name: {eco for eco, m, _, _ in places if m == "wildfinder"} for name, places in occurrences.items()}
    reference = {name: ecos for name, ecos in reference.items() if ecos}
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for name, ecos in reference.items():
        for eco, method, confidence, matched in occurrences[name]:
            if method in ("gazetteer", "curated"):
                key = calibration.variant(calibration.Placement(eco, method, confidence, matched, ""))
                counts[key][0] += 1
                counts[key][1] += eco in ecos
    table = {row["key"]: row for row in report["table"] if row["share"] is None}
    assert report["reference"]["mammals"] == len(reference)
    for key in ("gazetteer:specific", "gazetteer:broad", "curated"):
        assert [table[key]["placements"], table[key]["agree"]] == counts[key], key


def test_levels_follow_the_measured_precision(report):
    for row in report["table"]:
        if row["share"] is None and row["key"] in report["levels"]:
            assert report["levels"][row["key"]] == calibration.level_for(row["precision"]), row
    for key, share in report["box_share"].items():
        (chosen,) = [r for r in report["table"] if r["key"] == key and r["share"] == share]
        assert report["levels"][key] == calibration.level_for(chosen["precision"])


# --- WildFinder in the graph -----------------------------------------------------------------------------


def test_mammals_recorded_where_wildfinder_lists_them(occurrences):
    """For every mammal WildFinder and the graph both hold, the recorded ecoregions are WildFinder's."""
    checked = 0
    for name, places in occurrences.items():
        listed = {eco for eco, method, _, _ in places if method == "wildfinder"}
        if listed:
            assert recorded(places) == listed, name
            checked += 1
    assert checked > 100


def test_sample_of_source_rows_is_in_the_graph(occurrences, report, sources_dir):
    folder = sources_dir / "wildfinder-2006"
    with open(folder / wildfinder.MAMMALS_FILE, encoding="utf-8") as handle:
        names = {r["species_id"]: r["sci_name"] for r in csv.DictReader(handle)}
    with open(folder / wildfinder.LINKS_FILE, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    joined = dict(pair.split(" -> ") for pairs in report["wildfinder"]["joined"].values() for pair in pairs)
    checked = 0
    for row in random.Random(2006).sample(rows, 80):
        name = joined.get(names[row["species_id"]])
        if name is None or name not in occurrences or row["ecoregion_id"] == "PA0816":
            continue  # not joined, not admitted (both reported), or an ecoregion outside the graph
        matched = f"{wildfinder.LINKS_FILE} row {row['ecoregion_id']},{row['species_id']} "
        assert any(
            m == "wildfinder" and c == "high" and e == row["ecoregion_id"] and t.startswith(matched)
            for e, m, c, t in occurrences[name]
        ), (name, row)
        checked += 1
    assert checked >= 50


def test_name_join_report_lists_every_unjoined_name_with_a_reason(report):
    unjoined = report["wildfinder"]["unjoined"]
    assert unjoined and all(u["reason"] and u["species_id"] for u in unjoined)
    joined = sum(len(v) for v in report["wildfinder"]["joined"].values())
    assert joined + len(unjoined) == 155


# --- the named defects, fixed by rules --------------------------------------------------------------------


def test_lepus_mandshuricus_is_recorded_where_wildfinder_has_it(occurrences):
    places = occurrences["Lepus mandshuricus"]
    assert "PA0443" in recorded(places)
    assert not recorded(places) & {"PA0606", "PA0901"}  # "Bureya" is no longer a recorded placement


def test_cervus_canadensis_is_not_placed_by_its_circumpolar_box(occurrences):
    assert not [p for p in occurrences["Cervus canadensis"] if p[1] == "range-box"]


def test_relict_gull_is_not_placed_in_forests_or_tundra(store, occurrences):
    assert bool(
        store.query(
            sparql_prefixes() + 'ASK { ?t amur:canonicalName "Ichthyaetus ichthyaetus" }',
            use_default_graph_as_union=True,
        )
    )  # still in the graph: its box holds core points
    forests_and_tundra = re.compile(r"PA(04|05|06|11)\d\d")
    assert not [p for p in occurrences.get("Ichthyaetus ichthyaetus", ()) if forests_and_tundra.match(p[0])]


def test_split_lark_is_not_admitted_by_its_parents_box(store, occurrences):
    assert "Alaudala rufescens" not in occurrences and "Alaudala cheleensis" in occurrences
    assert not bool(
        store.query(
            sparql_prefixes() + 'ASK { ?t amur:canonicalName "Alaudala rufescens" }', use_default_graph_as_union=True
        )
    )


def test_changbai_alpine_plant_is_not_recorded_in_the_grasslands(occurrences):
    places = occurrences["Bupleurum euphorbioides"]
    assert places and not recorded(places) & {"PA0903", "PA0813"}


@pytest.mark.parametrize("name", ["Bombina orientalis", "Lasiopodomys mandarinus", "Gloydius intermedius"])
def test_south_korea_is_kept(store, name):
    rows = store.query(
        sparql_prefixes()
        + f"""
        SELECT ?c WHERE {{ ?t amur:canonicalName "{name}" ; amur:nativeTo ?c }}""",
        use_default_graph_as_union=True,
    )
    countries = {row["c"].value.rsplit("/", 1)[-1] for row in rows}
    assert {"KR", "CN", "RU"} <= countries, countries
