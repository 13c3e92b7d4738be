"""Bird species of the Amur-Heilong basin from AviList 2025, with rangeBuilder range boxes.

Two selection rules, each a small pure function tested on hand-made rows:

``range-text:gazetteer``
    The AviList range text of the species or of one of its subspecies names a basin place
    (``ingest.places.gazetteer``): Amurland, Ussuriland, Manchuria, Heilongjiang, Transbaikalia ...
    Places in a vagrant/introduced/former clause do not count. Kept unless the species' range box
    covers none of the basin's core points (then the text used a broad name loosely, e.g. the
    source calls Hebei "northeastern China"): ``exclude:text-box-disagree``.
``range-box:core-points``
    The rangeBuilder box (BirdLife maps, 2017) contains at least ``MIN_CORE_POINTS`` of the five
    core points of the basin AND the species' countries include Russia and (China or Mongolia).
    Marine families admitted by the box alone are excluded (their boxes span oceans).

"Covers" is tested in the box's own Mollweide coordinates: the degree boxes of
``ingest.rangebuilder`` are conservative (they widen in longitude towards the poles, up to
±180°), so a core-point test on them admits Europe-to-Africa migrants such as the Common
Nightingale. One core point is not enough either: the species admitted by 1-2 points were all
west or south of the basin (Yellowhammer, Corn Crake, White Stork, Redwing ...), see the report's
``exclude:box-few-core-points``.

Confidence: high when the text names a specific basin place (or a broad one that the box
confirms); medium for a broad place alone, or for the box rule when the text names an East Asian
region; low for the box rule when the text names none (possibly a taxon-concept mismatch: AviList's
Saxicola torquatus is the African Stonechat, BirdLife's 2017 one spans Eurasia) and for possibly
extinct species.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

from ingest import rangebuilder
from ingest.cache import cached_json
from ingest.formats.rframes import data_frame
from ingest.places import gazetteer, geography
from ingest.records import Assessment, Decision, Placement, Selection, SpeciesRecord

SOURCES = ("avilist-2025", "rangebuilder-2022")
SOURCE = "avilist-2025"

# The basin's core points (ingest/places/geography.py) under the names this reader's evidence gives them: a box
# covering them reaches the basin itself, not its edge.
CORE_POINTS: dict[str, tuple[float, float]] = dict(
    zip(
        ("Amur-Ussuri confluence", "Zeya-Amur confluence", "Songhua at Harbin", "Argun-Shilka junction", "Lake Khanka"),
        geography.CORE_POINTS.values(),
        strict=True,
    )
)
MIN_CORE_POINTS = 3

# Families whose members live at sea; their range boxes span oceans and prove nothing inland.
MARINE_FAMILIES = frozenset(
    {
        "Diomedeidae",
        "Procellariidae",
        "Hydrobatidae",
        "Oceanitidae",
        "Pelecanoididae",
        "Spheniscidae",
        "Alcidae",
        "Stercorariidae",
        "Phaethontidae",
        "Fregatidae",
        "Sulidae",
    }
)

# East Asian regions (outside the gazetteer's basin places) that make a box-only match plausible.
EAST_ASIA = re.compile(
    r"\b(?:(?<!western )(?<!west-central )Siberia|Mongolia|Korean?|Japan|Honshu|Hokkaido|Sakhalin|Kuril\w*"
    r"|Kamchatka|Okhotsk|Chukot\w*|Anadyr|Kolyma|Yakut\w*|Lena|Baikal|Russian Far East|far eastern Russia"
    r"|(?:south-?)?eastern Russia|east(?:ern)? Asia|north-?eastern Asia|Palearctic|Holarctic|Eurasia"
    r"|(?:north|north-?east|east)(?:ern)? China|Hebei|Beijing|Liaoning|Nei Mongol|Yellow Sea|Bohai)\b",
    re.IGNORECASE,
)

# A clause about strays, introductions or a lost range does not put the species in the basin now.
NOT_RESIDENT = re.compile(
    r"\b(?:vagrant|accidental|casual|straggler|introduced|formerly|extinct|escape[sd]?)\b", re.IGNORECASE
)

# AviList columns we keep (the cache holds only these)
_COLUMNS = (
    "Sequence",
    "Taxon_rank",
    "Order",
    "Family",
    "Scientific_name",
    "Authority",
    "English_name_AviList",
    "Range",
    "Extinct_or_possibly_extinct",
    "IUCN_Red_List_Category",
    "Species_code_Cornell_Lab",
    "AvibaseID",
)

# Mollweide projection on the sphere of rangeBuilder's maps (same radius as ingest.rangebuilder)
_EARTH_RADIUS = 6371007.181
_SQRT2 = math.sqrt(2)


# --- reading -------------------------------------------------------------------------------------


def _extract_avilist(path: Path) -> list[dict]:
    frame = data_frame(path)[list(_COLUMNS)].astype(object)
    frame = frame.where(frame.notna(), None)  # pd.NA and NaN -> None, so rows are plain JSON
    return frame.to_dict("records")


def load_avilist(path: Path, cache_dir: Path | None = None) -> list[dict]:
    """AviList rows (species and subspecies; the columns of ``_COLUMNS``, None for missing)."""
    rows = cached_json(path, cache_dir, "avilist", _extract_avilist)
    return [row for row in rows if row["Taxon_rank"] in ("species", "subspecies")]


# --- geometry ------------------------------------------------------------------------------------


def mollweide(lon: float, lat: float) -> tuple[float, float]:
    """Forward Mollweide projection (metres) of a point in degrees."""
    phi = math.radians(lat)
    theta = phi
    if abs(lat) < 90:
        for _ in range(60):  # Newton on 2θ + sin 2θ = π sin φ
            step = -(2 * theta + math.sin(2 * theta) - math.pi * math.sin(phi)) / (2 + 2 * math.cos(2 * theta))
            theta += step
            if abs(step) < 1e-12:
                break
    else:
        theta = math.copysign(math.pi / 2, lat)
    x = 2 * _SQRT2 / math.pi * _EARTH_RADIUS * math.radians(lon) * math.cos(theta)
    return x, _SQRT2 * _EARTH_RADIUS * math.sin(theta)


_CORE_XY = {name: mollweide(lon, lat) for name, (lon, lat) in CORE_POINTS.items()}


def core_points_covered(mollweide_box: tuple[float, float, float, float] | None) -> list[str]:
    """Names of the core points inside a Mollweide box (x_min, x_max, y_min, y_max)."""
    if mollweide_box is None:
        return []
    x_min, x_max, y_min, y_max = mollweide_box
    return [name for name, (x, y) in _CORE_XY.items() if x_min <= x <= x_max and y_min <= y <= y_max]


# --- rules on rows -------------------------------------------------------------------------------


def species_of(name: str) -> str:
    """The binomial of a species or subspecies name."""
    return " ".join(name.split()[:2])


def range_texts(rows: Iterable[dict]) -> dict[str, list[str]]:
    """Range texts by species: the species row's own, then its subspecies' (AviList gives the
    range on the subspecies rows when a species has subspecies)."""
    texts: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row.get("Range"):
            texts[species_of(row["Scientific_name"])].append(row["Range"])
    return dict(texts)


def basin_places(texts: Iterable[str]) -> tuple[list[tuple[str, str]], int]:
    """Basin places named in range texts, once each, and how many were skipped as not resident.

    Texts are cut into clauses at ";" and "|": a place in a clause about vagrants,
    introductions or a former range ("formerly Ussuriland") does not count.
    """
    found: dict[str, str] = {}
    skipped = 0
    for text in texts:
        for clause in re.split(r"[;|]", text):
            places = gazetteer.find_places(clause)
            if places and NOT_RESIDENT.search(clause):
                skipped += len(places)
                continue
            for place, matched in places:
                found.setdefault(place, matched)
    return list(found.items()), skipped


def country_codes(names: Iterable[str]) -> tuple[str, ...]:
    """ISO alpha-2 codes of rangeBuilder country names, sorted.

    For ~160 wide-ranging birds the names come as the text of an R vector, "['CYPRUS' 'NORTHERN
    CYPRUS']" (a quirk of the extract), so quoted names inside brackets are unpacked.
    """
    codes = set()
    for raw in names:
        raw = str(raw)
        parts = re.findall(r"'([^']*)'", raw) if raw.startswith("[") else [raw]
        for part in parts:
            code = gazetteer.country_code(part)
            if code:
                codes.add(code)
    return tuple(sorted(codes))


def countries_fit(codes: Iterable[str]) -> bool:
    """The basin's countries: Russia and (China or Mongolia)."""
    codes = set(codes)
    return "RU" in codes and bool(codes & {"CN", "MN"})


def _epithet_stem(epithet: str) -> str:
    # gender endings change with the genus: cygnoides/cygnoid, erythroryncha/erythrorynchus
    return re.sub(r"(?:us|um|a|is|es|e|i|ae)$", "", epithet.lower())


def match_range_names(species: Mapping[str, str], range_names: Iterable[str]) -> dict[str, str]:
    """AviList species name -> rangeBuilder name, for the species that have one.

    ``species`` maps each AviList species to its family. Exact names first; then, for genus
    changes since BirdLife 2017 (Tetrastes bonasia = Bonasa bonasia, Thinornis dubius = Charadrius
    dubius), the one unclaimed rangeBuilder name with the same epithet stem whose genus is used
    by exact matches of the same AviList family. Ambiguous or shared candidates are dropped.
    """
    range_names = set(range_names)
    matched = {name: name for name in species if name in range_names}
    families_of_genus: dict[str, set[str]] = defaultdict(set)
    for name in matched:
        families_of_genus[name.split()[0]].add(species[name])
    unclaimed: dict[str, list[str]] = defaultdict(list)
    for name in sorted(range_names - set(matched)):
        unclaimed[_epithet_stem(name.split()[-1])].append(name)
    proposals: dict[str, str] = {}
    for name, family in species.items():
        if name in matched:
            continue
        candidates = [
            c
            for c in unclaimed.get(_epithet_stem(name.split()[-1]), [])
            if family in families_of_genus.get(c.split()[0], set())
        ]
        if len(candidates) == 1:
            proposals[name] = candidates[0]
    claims: dict[str, int] = defaultdict(int)
    for target in proposals.values():
        claims[target] += 1
    matched.update({name: target for name, target in proposals.items() if claims[target] == 1})
    return matched


def is_extinct(flag: str | None) -> bool:
    """Extinct or extinct in the wild (but not "possibly extinct", nor reintroduced)."""
    flag = (flag or "").lower()
    return "extinct" in flag and "possibly" not in flag and "reintroduced" not in flag


def decide(
    places: list[tuple[str, str]],
    covered: list[str],
    has_box: bool,
    codes: tuple[str, ...],
    family: str,
    texts: list[str],
) -> Decision:
    """Apply the two rules to one species (see the module docstring)."""
    if places:
        if has_box and not covered:
            return Decision("exclude:text-box-disagree")
        specific = [p for p, _ in places if p not in gazetteer.BROAD_PLACES]
        confidence = "high" if specific or len(covered) >= MIN_CORE_POINTS else "medium"
        return Decision(
            rule="range-text:gazetteer", confidence=confidence, matched="; ".join(matched for _, matched in places)
        )
    if not covered:
        return Decision("exclude:no-basin-signal")
    if len(covered) < MIN_CORE_POINTS:
        return Decision("exclude:box-few-core-points")
    if not countries_fit(codes):
        return Decision("exclude:box-countries-mismatch")
    if family in MARINE_FAMILIES:
        return Decision("exclude:marine-box-only")
    east = any(EAST_ASIA.search(text) for text in texts)
    return Decision(
        rule="range-box:core-points",
        confidence="medium" if east else "low",
        matched=f"box covers {len(covered)}/{len(CORE_POINTS)} core points",
    )


SPLIT_SINCE_2017 = "box-of-lumped-concept"


def genera_split_since_2017(
    species_rows: Iterable[dict], range_names: Mapping[str, str], texts: Mapping[str, list[str]]
) -> set[str]:
    """Genera with a species whose AviList text names the basin but that has no rangeBuilder (2017) box:
    a species split since 2017 (Alaudala cheleensis, Butorides atricapilla), whose basin range the 2017
    box of its parent still holds."""
    return {
        row["Scientific_name"].split()[0]
        for row in species_rows
        if row["Scientific_name"] not in range_names and basin_places(texts.get(row["Scientific_name"], []))[0]
    }


def is_lumped_box(decision: Decision, name: str, texts: list[str], split_genera: set[str]) -> bool:
    """A concept check between the sources: a species admitted by its 2017 box alone, whose AviList range
    names no East Asian region, in a genus with a basin species split since 2017, is admitted by its
    parent's lumped range (Alaudala rufescens, AviList's Mediterranean short-toed lark): the text wins."""
    return (
        decision.rule == "range-box:core-points"
        and name.split()[0] in split_genera
        and not any(EAST_ASIA.search(text) for text in texts)
    )


# --- records -------------------------------------------------------------------------------------


def authorship(authority: str | None) -> str | None:
    """ "(Müller, PLS, 1776)" -> "(Müller, 1776)"; "Salvin, O; Godman, FD, 1882" -> "Salvin & Godman, 1882"."""
    if not authority:
        return None
    text = authority.strip()
    parens = text.startswith("(") and text.endswith(")")
    body = text[1:-1] if parens else text
    year = re.search(r",\s*(\d{4})\s*$", body)
    people = body[: year.start()] if year else body
    surnames = [person.split(",")[0].strip() for person in people.split(";") if person.strip()]
    names = surnames[0] if len(surnames) == 1 else ", ".join(surnames[:-1]) + " & " + surnames[-1]
    result = f"{names}, {year.group(1)}" if year else names
    return f"({result})" if parens else result


def iucn_category(value: str | None) -> str | None:
    """ "CR (PE)" -> "CR"; None when absent or not a red-list code."""
    if not value:
        return None
    code = value.split()[0].strip().upper()
    return code if code in ("EX", "EW", "CR", "EN", "VU", "NT", "LC", "DD", "NE") else None


def placements(places: list[tuple[str, str]]) -> list[Placement]:
    """One placement per (ecoregion, place) from the gazetteer; broad places give medium confidence."""
    result = []
    for place, _ in places:
        confidence = "medium" if place in gazetteer.BROAD_PLACES else "high"
        for code in gazetteer.ecoregions_for(place):
            result.append(
                Placement(ecoregion=code, method="gazetteer", confidence=confidence, matched=place, source=SOURCE)
            )
    return result


def make_record(
    row: dict,
    decision: Decision,
    places: list[tuple[str, str]],
    box: tuple[float, float, float, float] | None,
    codes: tuple[str, ...],
) -> SpeciesRecord:
    name = row["Scientific_name"]
    identifiers = {"avibase": row["AvibaseID"]}
    if row.get("Species_code_Cornell_Lab"):
        identifiers["ebird"] = row["Species_code_Cornell_Lab"]
    category = iucn_category(row.get("IUCN_Red_List_Category"))
    assessments = (
        [Assessment(category=category, assessor="IUCN", scope="global", year=None, source=SOURCE)] if category else []
    )
    return SpeciesRecord(
        source=SOURCE,
        row_id=row["AvibaseID"],
        group="bird",
        scientific_name=name,
        authorship=authorship(row.get("Authority")),
        kingdom="Animalia",
        phylum="Chordata",
        class_="Aves",
        order=row.get("Order"),
        family=row.get("Family"),
        genus=name.split()[0],
        vernacular=[(row["English_name_AviList"], "en")] if row.get("English_name_AviList") else [],
        identifiers=identifiers,
        assessments=assessments,
        rule=decision.rule,
        matched=decision.matched,
        confidence=decision.confidence,
        placements=placements(places) if decision.rule == "range-text:gazetteer" else [],
        range_box=box,
        range_box_projection="mollweide",
        countries=codes,
    )


def select(
    rows: list[dict],
    boxes: Mapping[str, tuple[float, float, float, float]],
    mollweide_boxes: Mapping[str, tuple[float, float, float, float]],
    countries: Mapping[str, list[str]],
) -> Selection:
    """Select the basin's bird species from AviList rows and rangeBuilder data (all keyed by name)."""
    species_rows = [row for row in rows if row["Taxon_rank"] == "species"]
    texts = range_texts(rows)
    names = match_range_names({r["Scientific_name"]: r["Family"] or "" for r in species_rows}, mollweide_boxes)
    report: dict[str, int] = defaultdict(int)
    report["note:species-rows"] = len(species_rows)
    report["note:range-name-exact"] = sum(1 for a, b in names.items() if a == b)
    report["note:range-name-by-epithet"] = sum(1 for a, b in names.items() if a != b)
    records = []
    removed: dict[str, list[str]] = defaultdict(list)
    split_genera = genera_split_since_2017(species_rows, names, texts)
    for row in species_rows:
        name = row["Scientific_name"]
        range_name = names.get(name)
        species_texts = texts.get(name, [])
        places, skipped = basin_places(species_texts)
        if skipped:
            report["note:places-in-vagrant-or-former-clauses"] += skipped
        covered = core_points_covered(mollweide_boxes.get(range_name)) if range_name else []
        codes = country_codes(countries.get(range_name, [])) if range_name else ()
        decision = decide(places, covered, range_name is not None, codes, row["Family"] or "", species_texts)
        if is_lumped_box(decision, name, species_texts, split_genera):
            report[f"exclude:{SPLIT_SINCE_2017}"] += 1
            removed[f"exclude:{SPLIT_SINCE_2017}"].append(name)
            continue
        if decision.excluded:
            if decision.rule != "exclude:no-basin-signal":  # the other ~10,500 species of the world
                report[decision.rule] += 1
            continue
        if is_extinct(row.get("Extinct_or_possibly_extinct")):
            report["exclude:extinct"] += 1
            continue
        if "possibly" in (row.get("Extinct_or_possibly_extinct") or "").lower():
            decision = Decision(rule=decision.rule, confidence="low", matched=decision.matched + " (possibly extinct)")
            report["note:possibly-extinct"] += 1
        report[decision.rule] += 1
        report[f"note:confidence-{decision.confidence}"] += 1
        # the box is kept in the Mollweide metres of its map: placements test it there (ingest.places.rangebox)
        records.append(
            make_record(row, decision, places, mollweide_boxes.get(range_name) if range_name else None, codes)
        )
    return Selection(records=records, report=dict(report), removed=dict(removed))


def read(files: Mapping[str, Path], cache_dir: Path | None = None) -> Selection:
    """Read AviList and rangeBuilder (``files``: source id -> file) and select the basin's birds."""
    rows = load_avilist(files["avilist-2025"], cache_dir)
    range_data = rangebuilder.load(files["rangebuilder-2022"], cache_dir)
    # rangeBuilder stores bird boxes in Mollweide metres: core points are tested in that projection
    mollweide_boxes = range_data.native_boxes.get("bird", {})
    return select(rows, range_data.boxes.get("bird", {}), mollweide_boxes, range_data.countries.get("bird", {}))
