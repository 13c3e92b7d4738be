"""The basin's geography that every reader shares: core points, range boxes, countries, confidence ranks.

A box "reaches" the basin when it contains one of the core points or is a small range centred between them
(``box_reach``); the readers state their own rules on top of these figures.
"""

from __future__ import annotations

from collections.abc import Iterable

Box = tuple[float, float, float, float]  # lon_min, lon_max, lat_min, lat_max (degrees)

# (lon, lat) points that are certainly in the basin, spread over its parts
CORE_POINTS: dict[str, tuple[float, float]] = {
    "Amur-Ussuri confluence": (135.0, 48.5),
    "Zeya-Amur": (127.5, 50.3),
    "Songhua at Harbin": (126.6, 45.8),
    "Argun-Shilka": (121.5, 53.3),
    "Lake Khanka": (132.4, 44.9),
}
# The box spanned by the core points (121.5-135.0 E, 44.9-53.3 N). The basin's own envelope (107-141 E,
# 41-56 N) is not used: its west is the Gobi and Lake Baikal, its corners Korea, Sakhalin and Hokkaido.
CORE_HULL: Box = (
    min(lon for lon, _ in CORE_POINTS.values()),
    max(lon for lon, _ in CORE_POINTS.values()),
    min(lat for _, lat in CORE_POINTS.values()),
    max(lat for _, lat in CORE_POINTS.values()),
)

# Reach of a box into the basin, strongest first.
CORE = "core"  # contains a core point
INSIDE = "inside"  # a small range centred between the core points (Murina fusca near Harbin)
NEAR = "near"  # overlaps the core hull but holds no core point: not enough alone

# Countries a record keeps for amur:nativeTo: the basin's and its neighbours' first, then every other the
# source gives (South Korea was once dropped: Bombina orientalis is RU, KR, KP, CN in AmphibiaWeb).
NATIVE_ORDER = ("RU", "CN", "MN", "KP", "KR", "JP")
# The basin's neighbours of Russia (a species listed for Russia and one of them may live on the Amur), and the
# countries a country-list rule names in its evidence.
NEIGHBOURS = ("CN", "MN", "KP")
RECORD_COUNTRIES = ("RU", "CN", "MN", "KP")

# Confidence levels in order, for "the best placement of a pair" and calibration.
CONFIDENCE_RANK = {"low": 0, "medium": 1, "high": 2}


def clip_box(box: Box) -> Box:
    """A box with its longitudes clipped to -180..180 (IUCN boxes of circumpolar ranges run past the dateline)."""
    lon_min, lon_max, lat_min, lat_max = box
    return max(lon_min, -180.0), min(lon_max, 180.0), lat_min, lat_max


def core_points_in(box: Box) -> list[str]:
    lon_min, lon_max, lat_min, lat_max = clip_box(box)
    return [name for name, (lon, lat) in CORE_POINTS.items() if lon_min <= lon <= lon_max and lat_min <= lat <= lat_max]


def box_reach(box: Box | None) -> str | None:
    """CORE, INSIDE, NEAR or None: how far a range box reaches into the basin."""
    if box is None:
        return None
    if core_points_in(box):
        return CORE
    lon_min, lon_max, lat_min, lat_max = clip_box(box)
    h_lon_min, h_lon_max, h_lat_min, h_lat_max = CORE_HULL
    if h_lon_min <= (lon_min + lon_max) / 2 <= h_lon_max and h_lat_min <= (lat_min + lat_max) / 2 <= h_lat_max:
        return INSIDE
    if lon_min <= h_lon_max and lon_max >= h_lon_min and lat_min <= h_lat_max and lat_max >= h_lat_min:
        return NEAR
    return None


def box_figures(label: str, box: Box) -> str:
    """Short figures of a box for ``matched``: "rangebuilder 66.9..147.5 E, -11.6..57.3 N (5 core points)"."""
    lon_min, lon_max, lat_min, lat_max = clip_box(box)
    points = len(core_points_in(box))
    return f"{label} {lon_min:.1f}..{lon_max:.1f} E, {lat_min:.1f}..{lat_max:.1f} N ({points} core points)"


def native_countries(codes: Iterable[str]) -> tuple[str, ...]:
    """Every country code, the basin's and its neighbours' first (the species layer keeps the region's)."""
    codes = set(codes)
    return tuple(c for c in NATIVE_ORDER if c in codes) + tuple(sorted(codes - set(NATIVE_ORDER)))
