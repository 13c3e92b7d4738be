"""The basin map as inline SVG, drawn on the server from the ecoregions' WKT polygons.

No tile server (the machine is offline) and no JavaScript needed: each polygon is a link to its ecoregion page.
Projection: equirectangular with longitude scaled by the cosine of the map's middle latitude.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pyoxigraph as ox
from shapely import wkt as shapely_wkt
from shapely.geometry import MultiPolygon, Polygon

from server.explorer.graphdata import local_path, select

WIDTH = 800


@dataclass
class Region:
    iri: str
    code: str
    name: str
    path: str  # SVG path data
    label_x: float
    label_y: float


@dataclass
class BasinMap:
    width: int
    height: int
    regions: list[Region]


def _rings(geometry) -> list:
    polygons = geometry.geoms if isinstance(geometry, MultiPolygon) else [geometry]
    rings = []
    for polygon in polygons:
        if isinstance(polygon, Polygon):
            rings.append(polygon.exterior.coords)
            rings.extend(interior.coords for interior in polygon.interiors)
    return rings


def build_map(store: ox.Store) -> BasinMap:
    shapes = []
    for row in select(store, "ecoregions-wkt"):
        shapes.append((row, shapely_wkt.loads(row["wkt"])))
    if not shapes:
        return BasinMap(WIDTH, 10, [])
    min_x = min(g.bounds[0] for _, g in shapes)
    min_y = min(g.bounds[1] for _, g in shapes)
    max_x = max(g.bounds[2] for _, g in shapes)
    max_y = max(g.bounds[3] for _, g in shapes)
    x_scale = math.cos(math.radians((min_y + max_y) / 2))
    scale = WIDTH / ((max_x - min_x) * x_scale)
    height = int((max_y - min_y) * scale) + 1

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (lon - min_x) * x_scale * scale, (max_y - lat) * scale

    regions = []
    for row, geometry in shapes:
        parts = []
        for ring in _rings(geometry):
            points = [project(x, y) for x, y in ring]
            parts.append("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points) + " Z")
        point = geometry.representative_point()
        label_x, label_y = project(point.x, point.y)
        regions.append(Region(row["ecoregion"], row["code"], row["name"], " ".join(parts), label_x, label_y))
    return BasinMap(WIDTH, height, regions)


def region_href(region: Region) -> str:
    return local_path(region.iri) or region.iri
