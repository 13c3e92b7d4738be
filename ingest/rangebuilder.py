"""Reader for rangeBuilder's internal data (``sysdata.rda``): range boxes and country lists.

The file is an R pairlist of named objects ending in byte code; ingest/formats/rserial.py reads the objects we use and
stops there. The extract is cached as JSON next to the other build caches, keyed by the file's sha256 (the cache
can never go stale).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ingest.cache import cached_json
from ingest.formats.rserial import RValue, read_rda

# objects of the pairlist we read, by taxon group
BOXES = {"bird": "birdCoordRange", "mammal": "mammalCoordRange", "amphibian": "amphibCoordRange"}
COUNTRIES = {
    "bird": "birdCountries_bySp",
    "mammal": "mammalCountries_bySp",
    "amphibian": "amphibCountries_bySp",
    "reptile": "repDBcountryList_bySp",
}

# birdCoordRange is in Mollweide metres, the others in degrees: checked on small known ranges
# (Garrulus lidthi, Amami Oshima 129.4° E 28.3° N; Apteryx australis, South Island of New Zealand).
_EARTH_RADIUS = 6371007.181
_SQRT2 = math.sqrt(2)


def _mollweide_theta(y: float) -> float:
    return math.asin(max(-1.0, min(1.0, y / (_SQRT2 * _EARTH_RADIUS))))


def mollweide_box_to_lonlat(
    x_min: float, x_max: float, y_min: float, y_max: float
) -> tuple[float, float, float, float]:
    """The lon/lat box enclosing a Mollweide box (longitude scales with the latitude)."""
    theta_min, theta_max = _mollweide_theta(y_min), _mollweide_theta(y_max)
    lat_min, lat_max = (math.degrees(math.asin((2 * t + math.sin(2 * t)) / math.pi)) for t in (theta_min, theta_max))
    thetas = [theta_min, theta_max] + ([0.0] if theta_min < 0 < theta_max else [])

    def lon(x: float, theta: float) -> float:
        cos = max(math.cos(theta), 1e-9)
        return max(-180.0, min(180.0, math.degrees(math.pi * x / (2 * _SQRT2 * _EARTH_RADIUS * cos))))

    lons = [lon(x, t) for x in (x_min, x_max) for t in thetas]
    return min(lons), max(lons), lat_min, lat_max


@dataclass
class RangeData:
    """Range boxes (lon_min, lon_max, lat_min, lat_max in degrees) and country names by species.

    Keys are rangeBuilder's species keys with the underscore replaced by a space; the mammal and
    amphibian keys repeat the name ("Abditomys_latidens-Abditomys_latidens"), so only the part
    before the dash is kept.
    """

    boxes: dict[str, dict[str, tuple[float, float, float, float]]]
    countries: dict[str, dict[str, list[str]]]
    # boxes as stored (bird boxes in Mollweide metres): a lon/lat box of a Mollweide box is wider than
    # the range, so tests of whether a box covers a point are made in the native projection
    native_boxes: dict[str, dict[str, tuple[float, float, float, float]]]

    def box(self, group: str, name: str) -> tuple[float, float, float, float] | None:
        return self.boxes.get(group, {}).get(name)

    def country_names(self, group: str, name: str) -> list[str]:
        return self.countries.get(group, {}).get(name, [])


def species_key(raw: str) -> str:
    return str(raw).split("-")[0].replace("_", " ").strip()


def _plain(value):
    """An R vector or list as Python lists (strings, numbers, nested lists)."""
    if isinstance(value, RValue):
        return [_plain(v) for v in value.values] if value.kind == "list" else list(value.values)
    return value


def _flatten(value) -> list[str]:
    """Country lists are arrays, some of them nested (an array per range polygon): flatten them."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        return [str(value)]
    return [name for item in value for name in _flatten(item)]


def _extract(path: Path) -> dict:
    objects = read_rda(path, set(BOXES.values()) | set(COUNTRIES.values()))  # RSerialError naming what is missing

    boxes: dict[str, dict] = {}
    native: dict[str, dict] = {}
    for group, name in BOXES.items():
        matrix = objects[name]  # a double matrix, species by column, stored column by column
        rows, columns = (value.values for value in matrix.attributes["dimnames"].values)
        order = [columns.index(c) for c in ("longMin", "longMax", "latMin", "latMax")]
        cells = matrix.values.reshape(matrix.attributes["dim"].values, order="F")
        table = {}
        native[group] = {}
        for key, row in zip(rows, cells, strict=True):
            lon_min, lon_max, lat_min, lat_max = (float(row[i]) for i in order)
            if any(math.isnan(v) for v in (lon_min, lon_max, lat_min, lat_max)):
                continue
            native[group][species_key(key)] = [lon_min, lon_max, lat_min, lat_max]
            if group == "bird":
                lon_min, lon_max, lat_min, lat_max = mollweide_box_to_lonlat(lon_min, lon_max, lat_min, lat_max)
            table[species_key(key)] = [round(v, 4) for v in (lon_min, lon_max, lat_min, lat_max)]
        boxes[group] = table
    countries = {
        group: {
            species_key(k): sorted({c for c in _flatten(_plain(v)) if c != "none"})
            for k, v in zip(objects[name].attributes["names"].values, objects[name].values, strict=True)
        }
        for group, name in COUNTRIES.items()
    }
    return {"boxes": boxes, "countries": countries, "native_boxes": native}


def load(path: Path, cache_dir: Path | None = None) -> RangeData:
    """Read the range boxes and country lists, through a checksum-keyed JSON cache if given."""
    data = cached_json(path, cache_dir, "rangebuilder-v2", _extract)
    boxes = {g: {k: tuple(v) for k, v in t.items()} for g, t in data["boxes"].items()}
    native = {g: {k: tuple(v) for k, v in t.items()} for g, t in data["native_boxes"].items()}
    return RangeData(boxes=boxes, countries=data["countries"], native_boxes=native)
