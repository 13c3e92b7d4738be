"""Reader for WWF WildFinder (Jan-06, mammals): species x ecoregion presence, joined to MDD 1.13.

WildFinder is WWF's own table of which mammal occurs in which terrestrial ecoregion (the same TEOW
``eco_code`` as the rest of the graph), so each of its basin rows is direct evidence: it becomes a
placement with method ``wildfinder`` and high confidence, and it is the reference against which the
build measures every other placement method (``kg.build.calibration``).

Its names are of 2006. A WildFinder name joins one MDD 1.13 species by the first route that gives a
single basin species (``JOIN_ROUTES``, in order):

1. ``exact`` - MDD has the name, and MDD's concept of it is a basin one (the graph holds it, or MDD lists
   it in Russia, China or Mongolia and its range boxes, if any, reach the basin).
2. ``split`` - the name's MDD species is not a basin concept and exactly one species the graph holds
   was split from it ("split from C. elaphus" in taxonomyNotes) or was "previously included" in it
   (Myotis daubentonii -> M. petax, Cervus elaphus -> C. canadensis).
3. ``msw3`` - MDD's MSW3_sciName is the name (Felis manul -> Otocolobus manul).
4. ``original-combination`` - MDD's originalNameCombination is the name.
5. ``nominal-name`` - the epithet is a nominal name (synonym) of one basin species
   (Clethrionomys rufocanus and Eothenomys shanseius -> Craseomys rufocanus, Arvicola terrestris ->
   A. amphibius).
6. ``spelling`` - as 5 with the epithet's spelling normalised (eversmannii / eversmanii).
7. ``congener`` - the name's MDD species is not a basin concept and the graph holds exactly one species
   of its genus (Meles meles of East Asia -> Meles leucurus).

A basin species here is an MDD species the graph holds, or one MDD lists in Russia, China or Mongolia
whose range boxes do not stay away from the basin. Every name that does not join is reported with its
reason.

Admission: a joined species the graph lacks enters it (rule ``wildfinder:basin-ecoregion``) when
WildFinder places it in at least one of the basin's core ecoregions and it is not excluded as extinct,
domestic, marine or a known false positive (``ingest.mammals``). A species placed only in the marginal
ecoregions (``MARGINAL_ECOREGIONS``: the endorheic Eastern Gobi PA1314, the Baikal-draining Selenge-
Orkhon PA0816) is not admitted: WildFinder says the species is somewhere in the ecoregion, and most of
those ecoregions lie outside the Amur drainage, so such a row is no evidence of the basin.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest import mammals
from ingest.ecoregions import BASIN_ECOREGIONS
from ingest.places import geography
from ingest.records import Placement, Selection, SpeciesRecord, chordate_classification

SOURCES = ("wildfinder-2006", "mdd-1.13", "pantheria-1.0", "rangebuilder-2022", "wwf-teow-2001")
WILDFINDER = SOURCES[0]
MAMMALS_FILE = "wildfinder-mammals_list.csv"
LINKS_FILE = "wildfinder-ecoregions_species.basin-mammals.csv"
# the origin's full link file, which `amurkg fetch` downloads in place of the extract (nowhere online)
FULL_LINKS_FILE = "wildfinder-ecoregions_species.csv"
# the ecoregions of the staged extract: the basin's 15 and the Daurian forest steppe (PA0816) whose edge it touches;
# the full file is filtered to them, so that either file gives the same rows (the extract's README says how it was cut)
EXTRACT_ECOREGIONS = frozenset(BASIN_ECOREGIONS) | {"PA0816"}

# what MDD 1.13's species of a name is to the basin (MddIndex.concept)
HELD, BASIN, OLD, OUTSIDE = "held", "basin", "old", "outside"
JOIN_ROUTES = ("exact", "split", "msw3", "original-combination", "nominal-name", "spelling", "congener")
RULE_ADMIT = "wildfinder:basin-ecoregion"
EXCLUDE_MARGINAL = "exclude:wildfinder-marginal-only"
EXCLUDE_BOX_NEAR = "exclude:wildfinder-box-short-of-core"

# An ecoregion is marginal when less than this share of its polygon lies in the basin's bounding box
# (107-141 E, 41-56 N; the measure of docs/decisions/0003): PA0601 East Siberian taiga (9 %), PA0816
# Selenge-Orkhon forest steppe (7 %), PA1112 Trans-Baikal Bald Mountain tundra (44 %).
MARGINAL_SHARE = 0.5
BASIN_BOX = (107.0, 41.0, 141.0, 56.0)  # lon_min, lat_min, lon_max, lat_max
# Marginal whatever its share: the Gobi part of the Eastern Gobi desert steppe is endorheic (decision 0003).
ENDORHEIC_ECOREGIONS = ("PA1314",)

Row = Mapping[str, Any]


@dataclass(frozen=True)
class WildFinderSpecies:
    """A WildFinder mammal with its basin rows (ecoregion codes, in file order)."""

    species_id: str
    name: str
    order: str
    family: str
    ecoregions: tuple[str, ...]


@dataclass(frozen=True)
class Join:
    """How a WildFinder name joins MDD: the MDD name and route, or None and the reason it does not."""

    species: WildFinderSpecies
    mdd_name: str | None
    route: str
    reason: str = ""


@dataclass
class JoinReport:
    joins: list[Join] = field(default_factory=list)

    def joined(self) -> list[Join]:
        return [j for j in self.joins if j.mdd_name]

    def unjoined(self) -> list[Join]:
        return [j for j in self.joins if not j.mdd_name]


# --- reading ------------------------------------------------------------------------------------------


def read_species(folder: Path) -> list[WildFinderSpecies]:
    """The WildFinder mammals that have basin rows, with their ecoregions."""
    with open(folder / MAMMALS_FILE, encoding="utf-8", newline="") as handle:
        names = {row["species_id"]: row for row in csv.DictReader(handle)}
    ecoregions: dict[str, list[str]] = defaultdict(list)
    links = folder / LINKS_FILE if (folder / LINKS_FILE).exists() else folder / FULL_LINKS_FILE
    with open(links, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            # the extract holds the basin's mammals only; the full file holds every species of every ecoregion
            if row["species_id"] in names and row["ecoregion_id"] in EXTRACT_ECOREGIONS:
                ecoregions[row["species_id"]].append(row["ecoregion_id"])
    return [
        WildFinderSpecies(
            species_id=sid,
            name=names[sid]["sci_name"].strip(),
            order=names[sid]["order"],
            family=names[sid]["family"],
            ecoregions=tuple(dict.fromkeys(codes)),
        )
        for sid, codes in sorted(ecoregions.items(), key=lambda kv: names[kv[0]]["sci_name"])
    ]


# --- the MDD side -------------------------------------------------------------------------------------

_PREVIOUSLY = re.compile(r"previously included ([^;]*)")
_BINOMIAL = re.compile(r"\b([A-Z][a-z]*\.?) ([a-z]{3,})")
_NOMINAL = re.compile(r"(?:^|\|)\s*([a-z][a-z-]+)")


def epithet_key(epithet: str) -> str:
    """A spelling-tolerant key of an epithet: doubled letters collapsed, a final -ii read as -i."""
    text = re.sub(r"(.)\1+", r"\1", epithet.lower())
    return text


def binomial(text: str | None) -> str:
    return " ".join((text or "").replace("_", " ").split()[:2])


class MddIndex:
    """MDD 1.13 rows indexed for the join, with the species the graph holds and their range boxes."""

    def __init__(self, rows: list[Row], held: set[str], rb_boxes: Mapping, pan_boxes: Mapping):
        self.rows = {mammals.canonical_name(r): r for r in rows}
        self.held = held
        self.rb_boxes, self.pan_boxes = rb_boxes, pan_boxes
        self.by_msw3: dict[str, list[str]] = defaultdict(list)
        self.by_original: dict[str, list[str]] = defaultdict(list)
        self.by_nominal: dict[str, list[str]] = defaultdict(list)
        self.by_nominal_key: dict[str, list[str]] = defaultdict(list)
        self.daughters: dict[str, set[str]] = defaultdict(set)
        for name, row in self.rows.items():
            msw3 = binomial(row.get("MSW3_sciName"))
            if msw3 and msw3 != "NA":
                self.by_msw3[msw3].append(name)
            original = (row.get("originalNameCombination") or "").split()
            if len(original) == 2:  # a trinomial names a subspecies of another species, not this one
                self.by_original[" ".join(original)].append(name)
            for epithet in set(_NOMINAL.findall(row.get("nominalNames") or "")) | {row.get("specificEpithet") or ""}:
                if epithet:
                    self.by_nominal[epithet].append(name)
                    self.by_nominal_key[epithet_key(epithet)].append(name)
            parent = mammals.parent_name(row)
            if parent:
                self.daughters[parent].add(name)
            for included in _PREVIOUSLY.findall(row.get("taxonomyNotes") or ""):
                for genus, epithet in _BINOMIAL.findall(included):
                    if genus.endswith("."):
                        genus = row.get("genus") or ""
                    self.daughters[name].add(f"{genus} {epithet}")

    def boxes(self, name: str):
        names = mammals.lookup_names(self.rows[name])
        return mammals.first_box(self.rb_boxes, names), mammals.first_box(self.pan_boxes, names)

    def concept(self, name: str) -> str:
        """HELD, BASIN, OLD or OUTSIDE: what MDD 1.13's species of this name is to the basin.

        OLD is a concept placed elsewhere: its most recent range box (rangeBuilder = IUCN 2017, else
        PanTHERIA = MSW3) stays away from the basin, or MDD says it "previously included" others and keeps
        it in one basin country only (the rule of ``ingest.mammals`` for lumped boxes).
        """
        if name in self.held:
            return HELD
        row = self.rows.get(name)
        if row is None or not mammals.is_candidate(row):
            return OUTSIDE
        rb, pan = self.boxes(name)
        recent = rb if rb is not None else pan
        if recent is not None and geography.box_reach(recent) is None:
            return OLD
        if mammals.is_lumped(row) and len(mammals.basin_countries(row)) < 2:
            return OLD
        return BASIN

    def related(self, name: str, species: WildFinderSpecies) -> bool:
        """MDD ties this species to the WildFinder name's genus, or names the epithet among those it includes."""
        row = self.rows[name]
        genus, epithet = (species.name.split() + [""])[:2]
        tied = " ".join(
            row.get(c) or "" for c in ("genus", "MSW3_sciName", "originalNameCombination", "taxonomyNotes")
        ).replace("_", " ")
        return (
            genus in tied.split()
            or genus in re.findall(r"[A-Z][a-z]+", tied)
            or bool(re.search(rf"\bincludes\b[^;]*\b{re.escape(epithet)}\b", row.get("taxonomyNotes") or ""))
        )

    def basin_among(self, names: Iterable[str], species: WildFinderSpecies) -> list[str]:
        """The related basin species among ``names``; the held ones alone when some are held."""
        basin = [
            n
            for n in dict.fromkeys(names)
            if n in self.rows
            and self.concept(n) in (HELD, BASIN)
            and self.related(n, species)
            and (self.rows[n].get("order") == species.order or self.rows[n].get("family") == species.family)
        ]
        held = [n for n in basin if n in self.held]
        return held or basin


def join(species: WildFinderSpecies, index: MddIndex) -> Join:
    """The MDD species of a WildFinder name, by the first route of ``JOIN_ROUTES`` that gives one."""
    name = species.name
    genus, epithet = (name.split() + [""])[:2]
    concept = index.concept(name)
    if concept == HELD:
        return Join(species, name, "exact")
    daughters = sorted(d for d in index.daughters.get(name, ()) if d in index.held)
    if len(daughters) == 1:
        return Join(species, daughters[0], "split")
    if concept == BASIN:
        return Join(species, name, "exact")
    narrowed = concept == OLD and mammals.is_lumped(index.rows[name])
    tried: dict[str, list[str]] = {
        "split": daughters,
        "msw3": index.basin_among(index.by_msw3.get(name, []), species),
        "original-combination": index.basin_among(index.by_original.get(name, []), species),
        "nominal-name": index.basin_among(index.by_nominal.get(epithet, []), species),
        "spelling": index.basin_among(index.by_nominal_key.get(epithet_key(epithet), []), species),
        # only a concept MDD has narrowed ("previously included") can have left its basin part to a congener
        "congener": sorted(n for n in index.held if n.split()[0] == genus) if narrowed else [],
    }
    for route in JOIN_ROUTES[2:]:
        if len(tried[route]) == 1:
            return Join(species, tried[route][0], route)
    # what the synonym routes found before the basin filter, for the reason
    found = [
        n
        for names in (index.by_msw3.get(name, []), index.by_original.get(name, []), index.by_nominal.get(epithet, []))
        for n in names
        if index.related(n, species)
    ]
    return Join(species, None, "unjoined", unjoined_reason(species, index, tried, found))


def unjoined_reason(
    species: WildFinderSpecies, index: MddIndex, tried: dict[str, list[str]], found: list[str] = ()
) -> str:
    name = species.name
    several = next((names for names in tried.values() if len(names) > 1), None)
    if several:
        return f"ambiguous: the 2006 concept is now several basin species ({', '.join(sorted(several))})"
    if name not in index.rows and found:
        names = ", ".join(sorted(set(found)))
        return (
            f"MDD 1.13 has it as {names}, outside Russia, China and Mongolia or a concept its range boxes "
            "place away from the basin"
        )
    if name in index.rows:
        row = index.rows[name]
        if not mammals.is_candidate(row):
            where = "|".join(mammals.countries(row.get("countryDistribution"))[:6])
            return f"MDD 1.13 keeps {name} outside Russia, China and Mongolia ({where})"
        return (
            f"MDD 1.13's {name} is a concept its range boxes place away from the basin, and no single basin "
            "species took the name over"
        )
    return "no MDD 1.13 species holds the name as its name, MSW3 name, original combination or nominal name"


# --- selection ----------------------------------------------------------------------------------------


def placements(
    species: Iterable[WildFinderSpecies], graph_ecoregions: Iterable[str] = BASIN_ECOREGIONS
) -> list[Placement]:
    """One high-confidence placement per WildFinder row in an ecoregion of the graph."""
    known = set(graph_ecoregions)
    return [
        Placement(
            ecoregion=code,
            method="wildfinder",
            confidence="high",
            matched=f"{LINKS_FILE} row {code},{s.species_id} ({s.name})",
            source=WILDFINDER,
        )
        for s in species
        for code in s.ecoregions
        if code in known
    ]


def marginal_ecoregions(wheel: Path, codes: Iterable[str]) -> dict[str, float]:
    """The ecoregions (of ``codes``) with a small share in the basin: code -> share in the basin box."""
    from shapely.geometry import box

    from ingest import ecoregions

    found = ecoregions.basin_ecoregions(ecoregions.read_features(wheel), tuple(sorted(set(codes))))
    basin = box(*BASIN_BOX)
    shares = {code: e.geometry.intersection(basin).area / e.geometry.area for code, e in found.items()}
    return {code: share for code, share in shares.items() if share < MARGINAL_SHARE or code in ENDORHEIC_ECOREGIONS}


def admission(row: Row, ecoregions: Iterable[str], marginal: Iterable[str], recent_box) -> str:
    """The rule for a joined species the graph lacks: admitted, or why not.

    Two independent sources must agree: WildFinder's ecoregion and a range box reaching the basin's core
    (a box that only comes near it is the edge of a steppe or desert range: Rhombomys opimus, Myotis blythii).
    """
    excluded = mammals.exclusion(row)
    if excluded:
        return excluded
    if not set(ecoregions) - set(marginal):
        return EXCLUDE_MARGINAL
    if recent_box is not None and geography.box_reach(recent_box) not in (geography.CORE, geography.INSIDE):
        return EXCLUDE_BOX_NEAR
    return RULE_ADMIT


@dataclass
class WildFinderSelection(Selection):
    joins: JoinReport = field(default_factory=JoinReport)
    admissions: dict[str, list[str]] = field(default_factory=dict)  # rule -> MDD names
    marginal: dict[str, float] = field(default_factory=dict)  # marginal ecoregion -> share in the basin box
    # MDD name -> (rangeBuilder box, PanTHERIA box) of every joined species: the build measures each box
    # source against WildFinder on all of them (kg.build.calibration), not only where a reader used the box
    boxes: dict[str, tuple] = field(default_factory=dict)


def select(
    species: list[WildFinderSpecies],
    mdd_rows: list[Row],
    held: set[str],
    rb_boxes: Mapping,
    pan_boxes: Mapping,
    marginal: Mapping[str, float],
) -> WildFinderSelection:
    """Join every WildFinder mammal to MDD; records carry the placements (and admit the missing species)."""
    index = MddIndex(mdd_rows, held, rb_boxes, pan_boxes)
    report: Counter[str] = Counter()
    joins = JoinReport([join(s, index) for s in species])
    grouped: dict[str, list[WildFinderSpecies]] = defaultdict(list)
    for j in joins.joins:
        report[f"join:{j.route}"] += 1
        if j.mdd_name:
            grouped[j.mdd_name].append(j.species)
    admissions: dict[str, list[str]] = defaultdict(list)
    records: list[SpeciesRecord] = []
    for mdd_name, found in sorted(grouped.items()):
        row = index.rows[mdd_name]
        ecoregions = [code for s in found for code in s.ecoregions]
        if mdd_name not in held:
            rb, pan = index.boxes(mdd_name)
            rule = admission(row, ecoregions, marginal, rb if rb is not None else pan)
            admissions[rule].append(mdd_name)
            report[rule] += 1
            if rule != RULE_ADMIT:
                continue
            matched = "WildFinder 2006 places it in " + ", ".join(sorted(set(ecoregions)))
            records.append(mammals.to_record(row, mammals.Decision(RULE_ADMIT, "medium", matched)))
        found_placements = placements(found)
        report["placements"] += len(found_placements)
        names = ", ".join(f"{s.name} (species_id {s.species_id})" for s in found)
        routes = "+".join(sorted({j.route for j in joins.joins if j.mdd_name == mdd_name}))
        records.append(
            SpeciesRecord(
                source=WILDFINDER,
                row_id="|".join(s.species_id for s in found),
                group="mammal",
                scientific_name=mdd_name,
                **chordate_classification("Mammalia", row),
                rule=f"wildfinder:join-{routes}",
                matched=f"WildFinder 2006 name {names}",
                confidence="high",
                placements=found_placements,
            )
        )
    report["rows"] = sum(len(s.ecoregions) for s in species)
    report["rows:outside-graph-ecoregions"] = sum(
        1 for s in species for code in s.ecoregions if code not in BASIN_ECOREGIONS
    )
    boxes = {name: index.boxes(name) for name in grouped}
    return WildFinderSelection(
        records=records,
        report=dict(report),
        joins=joins,
        admissions=dict(admissions),
        marginal=dict(marginal),
        boxes=boxes,
    )


def read(files: Mapping[str, Path], cache_dir: Path | None = None) -> WildFinderSelection:
    """Read WildFinder and join it to MDD; the mammals the graph holds are those ``ingest.mammals`` selects."""
    from ingest import rangebuilder

    folder = Path(files[WILDFINDER])
    species = read_species(folder)
    rows = mammals.read_mdd(Path(files[mammals.MDD]))
    pan_boxes = mammals.read_pantheria_boxes(Path(files[mammals.PANTHERIA]))
    rb_boxes = rangebuilder.load(Path(files[mammals.RANGEBUILDER]), cache_dir).boxes.get("mammal", {})
    held = {r.scientific_name for r in mammals.select(rows, rb_boxes, pan_boxes).records}
    marginal = marginal_ecoregions(Path(files["wwf-teow-2001"]), {c for s in species for c in s.ecoregions})
    return select(species, rows, held, rb_boxes, pan_boxes, marginal)
