"""Reader for mammals: Mammal Diversity Database v1.13 with range boxes from rangeBuilder and PanTHERIA.

A species is a candidate when MDD's countryDistribution names Russia, China or Mongolia. A candidate is
selected on basin evidence, first rule that applies:

1. ``place:type-locality`` - MDD's typeLocality, subregionDistribution or distributionNotes names a basin
   place (``ingest.places.gazetteer``). A type locality is a collection point, so it is direct evidence.
2. ``box:rangebuilder+pantheria`` - both range boxes (rangeBuilder = IUCN 2017 maps, PanTHERIA = MSW3
   era maps) reach the basin. Two independent boxes agreeing removes most artefacts of one box.
3. ``box:rangebuilder`` / ``pantheria-box`` - one box reaches the basin and the other is missing or only
   near it (low confidence). The PanTHERIA rule name starts with "pantheria" because the build
   attributes a record's range box by that prefix (``kg.build.species._box_source``).
4. ``box:parent-concept`` - a recent split without a box of its own (Myotis petax, split from
   M. daubentonii) whose parent's two boxes reach the basin, listed in Russia and a neighbour (low).

A box "reaches" the basin when it contains one of the core points (CORE_POINTS) or is a small range
centred between them (Murina fusca near Harbin). When one box reaches the basin and the other stays
away from the core points' hull the boxes disagree and the species is excluded: that is a box stretched
by an introduced range (Muntiacus reevesi in England, Paguma larvata in Japan) or by an old lumped
concept. A box of a lumped concept ("previously included ..." in taxonomyNotes) is no evidence either
when MDD now lists the species in one basin country only (Rhinolophus ferrumequinum: Russia is the
Caucasus; the Far Eastern horseshoe bats are R. nippon).

Candidates are also excluded as extinct, domestic, marine, or as a known false positive (named below).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ingest.places import gazetteer

# the shared basin geometry; this reader's tests read NEAR and CORE_POINTS as mammals.*
from ingest.places.geography import (  # noqa: F401
    CONFIDENCE_RANK,
    CORE,
    CORE_POINTS,
    INSIDE,
    NEAR,
    Box,
    box_figures,
    box_reach,
    clip_box,
    core_points_in,
    native_countries,
)
from ingest.records import (
    CATEGORIES,
    Assessment,
    Decision,
    Placement,
    Selection,
    SpeciesRecord,
    chordate_classification,
)

SOURCES = ("mdd-1.13", "pantheria-1.0", "rangebuilder-2022")
MDD, PANTHERIA, RANGEBUILDER = SOURCES
MDD_MEMBER = "MDD/MDD_v1.13_6753species.csv"

Row = Mapping[str, Any]


def gazetteer_placements(places: list[tuple[str, str]], source: str) -> list[Placement]:
    """One gazetteer placement per ecoregion of the named places: medium, low for broad places."""
    rank = CONFIDENCE_RANK
    best: dict[str, Placement] = {}
    for place, matched in places:
        confidence = "low" if place in gazetteer.BROAD_PLACES else "medium"
        for code in gazetteer.ecoregions_for(place):
            if code not in best or rank[confidence] > rank[best[code].confidence]:
                best[code] = Placement(
                    ecoregion=code, method="gazetteer", confidence=confidence, matched=matched, source=source
                )
    return list(best.values())


# --- rules --------------------------------------------------------------------------------------------

RULE_PLACE = "place:type-locality"
RULE_BOTH_BOXES = "box:rangebuilder+pantheria"
RULE_RANGEBUILDER_BOX = "box:rangebuilder"
RULE_PANTHERIA_BOX = "pantheria-box"  # the prefix tells the build the range box is PanTHERIA's
RULE_PARENT_BOX = "box:parent-concept"
EXCLUDE_EXTINCT = "exclude:extinct"
EXCLUDE_DOMESTIC = "exclude:domestic"
EXCLUDE_MARINE = "exclude:marine"
EXCLUDE_KNOWN = "exclude:known-false-positive"
EXCLUDE_DISAGREE = "exclude:boxes-disagree"
EXCLUDE_LUMPED = "exclude:lumped-box-one-country"
EXCLUDE_NO_EVIDENCE = "exclude:no-basin-evidence"

GATE_COUNTRIES = ("Russia", "China", "Mongolia")
# countries recorded on a record: the basin countries and North Korea (ISO 3166 alpha-2)
RECORD_COUNTRIES = {"Russia": "RU", "China": "CN", "Mongolia": "MN", "North Korea": "KP"}

# The basin has no sea coast (the Amur liman is its only outlet): marine mammals are not basin species
# even where their boxes cover it.
MARINE_FAMILIES = frozenset(
    {
        "Balaenidae",
        "Balaenopteridae",
        "Eschrichtiidae",
        "Neobalaenidae",
        "Delphinidae",
        "Phocoenidae",
        "Monodontidae",
        "Physeteridae",
        "Kogiidae",
        "Ziphiidae",
        "Phocidae",
        "Otariidae",
        "Odobenidae",
        "Dugongidae",
        "Trichechidae",
    }
)
MARINE_SPECIES = frozenset({"Enhydra lutris", "Ursus maritimus"})

# Candidates whose boxes reach the basin although the species does not live there; checked by hand.
KNOWN_FALSE_POSITIVES: dict[str, str] = {
    "Vulpes lagopus": "Arctic tundra; the circumpolar box reaches the basin latitudes only on the Pacific coast",
    "Urocitellus parryii": "Chukotka and Kolyma; the circumpolar box crosses the dateline",
    "Dicrostonyx torquatus": "Arctic tundra lemming; the circumpolar box crosses the dateline",
    "Ovis nivicola": "snow sheep of Yakutia, Kamchatka and the Okhotsk coast, north of the basin",
    "Rattus rattus": "introduced worldwide: the box is global; not established in the basin",
    "Rattus tanezumi": "south-east Asian rat; the box is stretched by introductions",
    "Alticola lemminus": "north-east Siberian vole; its circumpolar box says nothing of longitude",
    "Crocidura suaveolens": "MDD 1.13 gives the Far Eastern populations to C. shantungensis; the IUCN 2017 box "
    "is of the lumped concept",
}

# "split from M. daubentonii" / "split from Myotis daubentonii" in taxonomyNotes
_SPLIT_FROM = re.compile(r"\bsplit from ([A-Z][a-z]*\.?) ([a-z]+)")


def canonical_name(row: Row) -> str:
    return (row.get("sciName") or "").replace("_", " ").strip()


def countries(text: str | None) -> list[str]:
    """Country names of countryDistribution ("Russia|China|North Korea?") without the doubt marks."""
    return [c.strip().rstrip("?").strip() for c in (text or "").split("|") if c.strip()]


def is_candidate(row: Row) -> bool:
    """MDD lists the species in Russia, China or Mongolia (doubtful entries "China?" included)."""
    return any(c in GATE_COUNTRIES for c in countries(row.get("countryDistribution")))


def basin_countries(row: Row) -> list[str]:
    """The basin countries and North Korea that MDD lists for the species."""
    return [c for c in dict.fromkeys(countries(row.get("countryDistribution"))) if c in RECORD_COUNTRIES]


def iucn_name(status: str | None) -> str | None:
    """The IUCN name of "LC (as Eptesicus nilssonii)", the name the IUCN range maps use."""
    if status and "(as " in status:
        return status.split("(as ", 1)[1].rstrip(")").strip()
    return None


def lookup_names(row: Row) -> list[str]:
    """Names to look a species up by in the box tables: MDD name, its IUCN name, its MSW3 name."""
    names = [canonical_name(row), iucn_name(row.get("iucnStatus")), (row.get("MSW3_sciName") or "").replace("_", " ")]
    return [n for i, n in enumerate(names) if n and n not in names[:i]]


def first_box(table: Mapping[str, Box], names: list[str]) -> Box | None:
    return next((table[n] for n in names if n in table), None)


def parent_name(row: Row) -> str | None:
    """The species a taxon was split from ("split from M. daubentonii" -> "Myotis daubentonii")."""
    match = _SPLIT_FROM.search(row.get("taxonomyNotes") or "")
    if not match:
        return None
    genus, epithet = match.groups()
    if genus.endswith("."):
        own = row.get("genus") or ""
        if not own.startswith(genus[0]):
            return None  # an abbreviated other genus: cannot be resolved
        genus = own
    return f"{genus} {epithet}"


def is_lumped(row: Row) -> bool:
    """MDD notes that the species "previously included" others: old boxes are of the wider concept."""
    return "previously included" in (row.get("taxonomyNotes") or "")


def exclusion(row: Row) -> str | None:
    """Why a candidate is not a basin species whatever its boxes say, else None."""
    if row.get("extinct") == "1":
        return EXCLUDE_EXTINCT
    if row.get("domestic") == "1":
        return EXCLUDE_DOMESTIC
    if row.get("family") in MARINE_FAMILIES or canonical_name(row) in MARINE_SPECIES:
        return EXCLUDE_MARINE
    if canonical_name(row) in KNOWN_FALSE_POSITIVES:
        return EXCLUDE_KNOWN
    return None


def place_text(row: Row) -> str:
    """The MDD texts that may name a basin place (only place names are kept from them)."""
    return " | ".join(row.get(col) or "" for col in ("typeLocality", "subregionDistribution", "distributionNotes"))


def box_decision(rb_box: Box | None, pan_box: Box | None) -> Decision:
    """The box rule for a pair of range boxes (either may be missing)."""
    rb, pan = box_reach(rb_box), box_reach(pan_box)
    strong = (CORE, INSIDE)
    if rb in strong and pan in strong:
        many = len(core_points_in(rb_box)) >= 2 and len(core_points_in(pan_box)) >= 2
        matched = f"{box_figures('rangebuilder', rb_box)}; {box_figures('pantheria', pan_box)}"
        return Decision(RULE_BOTH_BOXES, "high" if many else "medium", matched, rb_box)
    for reach, box, other_reach, other_box, rule, label in (
        (rb, rb_box, pan, pan_box, RULE_RANGEBUILDER_BOX, "rangebuilder"),
        (pan, pan_box, rb, rb_box, RULE_PANTHERIA_BOX, "pantheria"),
    ):
        if reach not in strong:
            continue
        if other_box is not None and other_reach is None:
            # the other box stays away from the basin: this box is stretched (introductions, old concept)
            return Decision(EXCLUDE_DISAGREE)
        # alone: medium when the box holds several core points; low when the other box is only near
        confidence = "medium" if other_box is None and len(core_points_in(box)) >= 2 else "low"
        return Decision(rule, confidence, box_figures(label, box), box)
    return Decision(EXCLUDE_NO_EVIDENCE)


def decide(
    row: Row, rb_box: Box | None, pan_box: Box | None, parent_boxes: tuple[Box | None, Box | None] = (None, None)
) -> Decision:
    """The rule (and evidence) for one candidate row given its range boxes and its parent's (if split)."""
    excluded = exclusion(row)
    if excluded:
        return Decision(excluded)

    places = tuple(gazetteer.find_places(place_text(row)))
    if places:
        specific = any(p not in gazetteer.BROAD_PLACES for p, _ in places)
        matched = "; ".join(dict.fromkeys(m for _, m in places))
        return Decision(RULE_PLACE, "high" if specific else "medium", matched, rb_box, places)

    if rb_box is not None or pan_box is not None:
        decision = box_decision(rb_box, pan_box)
        # A box of a lumped concept that MDD now keeps in one basin country only (Rhinolophus
        # ferrumequinum: Russia = the Caucasus; its Far Eastern bats are R. nippon) is not evidence.
        if not decision.excluded and is_lumped(row) and len(basin_countries(row)) < 2:
            return Decision(EXCLUDE_LUMPED)
        return decision

    # A recent split has no box of its own: its parent's boxes cover it. Admitted (low) only when the
    # parent's boxes agree on the basin and MDD lists the split in Russia together with China, Mongolia
    # or North Korea (Myotis petax, split from M. daubentonii). Its range box is not the parent's.
    parent = box_decision(*parent_boxes)
    shared = "Russia" in basin_countries(row) and len(basin_countries(row)) >= 2
    if parent.rule == RULE_BOTH_BOXES and shared:
        return Decision(RULE_PARENT_BOX, "low", f"{parent_name(row)}: {parent.matched}")
    return Decision(EXCLUDE_NO_EVIDENCE)


# --- records ------------------------------------------------------------------------------------------


def authorship(row: Row) -> str | None:
    author, year = (row.get("authoritySpeciesAuthor") or "").strip(), (row.get("authoritySpeciesYear") or "").strip()
    if not author:
        return None
    text = f"{author}, {year}" if year else author
    return f"({text})" if row.get("authorityParentheses") == "1" else text


def vernacular_names(row: Row) -> list[tuple[str, str]]:
    names = [row.get("mainCommonName") or ""] + (row.get("otherCommonNames") or "").split("|")
    return [(n, "en") for n in dict.fromkeys(n.strip() for n in names) if n]


def assessment(row: Row) -> Assessment | None:
    """The global IUCN category of iucnStatus ("EN", "LC (as X y)"); NE is no assessment."""
    code = (row.get("iucnStatus") or "").split(" ")[0].strip()
    if code not in CATEGORIES or code == "NE":
        return None
    return Assessment(category=code, assessor="IUCN", scope="global", year=None, source=MDD)


def record_countries(row: Row) -> tuple[str, ...]:
    """ISO codes of every country MDD lists without doubt ("North Korea?" is left out), the basin's first.

    Every country is kept: the species layer keeps the region's for amur:nativeTo (South Korea was dropped
    before: Lasiopodomys mandarinus)."""
    listed = [c.strip() for c in (row.get("countryDistribution") or "").split("|")]
    return native_countries(code for code in (gazetteer.country_code(c) for c in listed) if code)


def to_record(row: Row, decision: Decision) -> SpeciesRecord:
    assessed = assessment(row)
    return SpeciesRecord(
        source=MDD,
        row_id=row["id"],
        group="mammal",
        scientific_name=canonical_name(row),
        authorship=authorship(row),
        **chordate_classification("Mammalia", row),
        vernacular=vernacular_names(row),
        identifiers={"mdd": row["id"]},
        assessments=[assessed] if assessed else [],
        rule=decision.rule,
        matched=decision.matched,
        confidence=decision.confidence,
        placements=gazetteer_placements(list(decision.places), MDD),
        range_box=clip_box(decision.range_box) if decision.range_box else None,
        countries=record_countries(row),
    )


def select(rows: list[Row], rb_boxes: Mapping[str, Box], pan_boxes: Mapping[str, Box]) -> Selection:
    """Select the basin mammals of MDD rows given the two box tables (species name -> box)."""
    report: Counter[str] = Counter()
    records = []
    for row in rows:
        if not is_candidate(row):
            continue
        names = lookup_names(row)
        parent = parent_name(row)
        parent_boxes = (rb_boxes.get(parent), pan_boxes.get(parent)) if parent else (None, None)
        decision = decide(row, first_box(rb_boxes, names), first_box(pan_boxes, names), parent_boxes)
        report[decision.rule] += 1
        if not decision.excluded:
            records.append(to_record(row, decision))
    return Selection(records=records, report=dict(report))


# --- reading ------------------------------------------------------------------------------------------


def read_mdd(path: Path) -> list[dict[str, Any]]:
    """MDD rows as dicts (empty cells as None) from the zip."""
    with zipfile.ZipFile(path) as archive, archive.open(MDD_MEMBER) as raw:
        reader = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8-sig"))
        return [{k: (v if v != "" else None) for k, v in row.items() if k} for row in reader]


PANTHERIA_BOX_COLUMNS = ("26-6_GR_MinLong_dd", "26-5_GR_MaxLong_dd", "26-3_GR_MinLat_dd", "26-2_GR_MaxLat_dd")


def read_pantheria_boxes(path: Path) -> dict[str, Box]:
    """PanTHERIA range extents by MSW05 binomial (rows with any -999 = missing are left out)."""
    boxes = {}
    with open(path, encoding="latin-1", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            values = [float(row[c]) for c in PANTHERIA_BOX_COLUMNS]
            if all(v != -999 for v in values):
                boxes[row["MSW05_Binomial"].strip()] = tuple(values)
    return boxes


def read(files: Mapping[str, Path], cache_dir: Path | None = None) -> Selection:
    """Read MDD, PanTHERIA and rangeBuilder from {source id: path}; cache_dir speeds up rangeBuilder."""
    from ingest import rangebuilder

    rows = read_mdd(Path(files[MDD]))
    pan_boxes = read_pantheria_boxes(Path(files[PANTHERIA])) if PANTHERIA in files else {}
    rb_boxes = rangebuilder.load(Path(files[RANGEBUILDER]), cache_dir).boxes.get("mammal", {})
    return select(rows, rb_boxes, pan_boxes)
