"""Range boxes against ecoregion polygons, in geographic coordinates.

rangeBuilder keeps its bird boxes in the Mollweide metres of the BirdLife maps and its mammal and
amphibian boxes in degrees (``ingest.rangebuilder``). A Mollweide box is no longitude/latitude rectangle:
an edge at a fixed x lies ever further east (or west) towards the poles, so read as a lon/lat rectangle -
or enclosed by one - it reaches far beyond the range (Ichthyaetus ichthyaetus: its east edge is 104° E at
the equator and 138° E at 50° N, so the Relict Gull of Crimea to Inner Mongolia "covered" the Amur forests).

``unproject`` turns a Mollweide box into the geographic box it surely holds: latitudes by the inverse
projection, and each longitude edge where the box is narrowest in degrees (at the latitude nearest the
equator). A share is then measured in Mollweide, an equal-area projection, so that it is a share of the
ground and not of square degrees.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import shapely
from shapely.geometry import box as shapely_box
from shapely.geometry.base import BaseGeometry

# the sphere of rangeBuilder's maps (as ingest.rangebuilder and ingest.birds)
EARTH_RADIUS = 6371007.181
_SQRT2 = math.sqrt(2)
DEGREES = "degrees"
MOLLWEIDE = "mollweide"
# A box spanning more longitude than this is a circumpolar or multi-continent range (Cervus canadensis:
# -151..171° E, Eurasia and North America): it cannot say where in the basin's latitudes the species is.
MAX_LON_SPAN = 180.0


def mollweide_xy(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Forward Mollweide (metres) of arrays of degrees; Newton on 2θ + sin 2θ = π sin φ."""
    phi = np.radians(lat)
    theta = phi.copy()
    for _ in range(40):
        step = -(2 * theta + np.sin(2 * theta) - math.pi * np.sin(phi)) / np.maximum(2 + 2 * np.cos(2 * theta), 1e-12)
        theta = theta + step
        if np.all(np.abs(step) < 1e-12):
            break
    x = 2 * _SQRT2 / math.pi * EARTH_RADIUS * np.radians(lon) * np.cos(theta)
    y = _SQRT2 * EARTH_RADIUS * np.sin(theta)
    return x, y


def to_mollweide(geometry: BaseGeometry) -> BaseGeometry:
    def project(coords: np.ndarray) -> np.ndarray:
        x, y = mollweide_xy(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometry, project)


@lru_cache(maxsize=64)
def _projected(code: str, wkb: bytes) -> BaseGeometry:
    return to_mollweide(shapely.from_wkb(wkb))


def projected(code: str, geometry: BaseGeometry) -> BaseGeometry:
    """An ecoregion polygon in Mollweide, cached (15 polygons, projected once per build)."""
    return _projected(code, shapely.to_wkb(geometry))


def latitude(y: float) -> float:
    """Inverse Mollweide: the latitude (degrees) of a y in metres."""
    theta = math.asin(max(-1.0, min(1.0, y / (_SQRT2 * EARTH_RADIUS))))
    return math.degrees(math.asin((2 * theta + math.sin(2 * theta)) / math.pi))


def unproject(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The geographic box (lon_min, lon_max, lat_min, lat_max) that a Mollweide box (x_min, x_max, y_min,
    y_max) surely holds: its longitude edges taken where they are narrowest in degrees."""
    x_min, x_max, y_min, y_max = box
    lat_min, lat_max = latitude(y_min), latitude(y_max)
    nearest_equator = 0.0 if lat_min <= 0 <= lat_max else min(lat_min, lat_max, key=abs)
    x, _ = mollweide_xy(np.array([1.0]), np.array([nearest_equator]))
    metres_per_degree = float(x[0])

    def lon(value: float) -> float:
        return max(-180.0, min(180.0, value / metres_per_degree))

    return lon(x_min), lon(x_max), lat_min, lat_max


def geographic(box: tuple[float, float, float, float], projection: str) -> tuple[float, float, float, float]:
    return unproject(box) if projection == MOLLWEIDE else box


def lon_span(box: tuple[float, float, float, float], projection: str = DEGREES) -> float:
    """Degrees of longitude a box spans, in geographic coordinates."""
    lon_min, lon_max, _, _ = geographic(box, projection)
    return lon_max - lon_min


def box_shares(
    box: tuple[float, float, float, float], projection: str, polygons: dict[str, BaseGeometry]
) -> dict[str, float]:
    """Ecoregion code -> share of its area (equal-area) that the box covers; only the codes it touches."""
    lon_min, lon_max, lat_min, lat_max = geographic(box, projection)
    # densified so that its projected edges follow the meridians and parallels
    area = to_mollweide(shapely.segmentize(shapely_box(lon_min, lat_min, lon_max, lat_max), 0.5))
    shares = {}
    for code, geometry in polygons.items():
        polygon = projected(code, geometry)
        if not polygon.intersects(area):
            continue
        shares[code] = polygon.intersection(area).area / polygon.area
    return shares
