"""Plain records that source readers produce and the RDF mapping consumes.

Readers (one module per source in ``ingest/``) turn raw rows into these records with pure
functions and no RDF; ``kg/build/species.py`` maps them to triples. Keeping the readers free of
RDF lets each selection rule be tested on rows alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypedDict

GROUPS = ("plant", "bird", "mammal", "fish", "amphibian", "reptile")
CONFIDENCE = ("high", "medium", "low")
# IUCN-style red-list category codes used by the sources (global and national lists).
CATEGORIES = ("EX", "EW", "RE", "CR", "EN", "VU", "NT", "LC", "DD", "NE")


@dataclass(frozen=True)
class Assessment:
    """A red-list category given to a taxon by an assessor."""

    category: str  # one of CATEGORIES
    assessor: str  # "IUCN" or e.g. "MEE-CAS" (China Biodiversity Red List)
    scope: str  # "global" or an ISO 3166 code for a national list ("CN")
    year: int | None
    source: str  # source id of the registry (kg/sources/registry.py)
    criteria: str | None = None  # e.g. "A2cd+3cd" where the source gives it


@dataclass(frozen=True)
class Placement:
    """Why a species is placed in one ecoregion (or the freshwater unit)."""

    ecoregion: str  # WWF eco_code ("PA0443") or "FW-RFE" for the freshwater unit
    method: str  # one of kg.namespaces.METHODS keys, e.g. "gazetteer", "province", "range-box"
    confidence: str  # one of CONFIDENCE
    matched: str  # what matched: place name, province, box figures ...
    source: str  # source id whose data supports it
    share: float | None = None  # range box: the share of the ecoregion's area the box covers (equal-area)


@dataclass(frozen=True)
class Decision:
    """How a reader judged one candidate row: an admitting rule with its evidence, or an ``exclude:`` rule.

    ``matched`` says what in the source admitted it; ``range_box`` (lon_min, lon_max, lat_min, lat_max) and
    ``places`` ((place, matched text) pairs for the gazetteer) are the geographic evidence it carries."""

    rule: str
    confidence: str = ""
    matched: str = ""
    range_box: tuple[float, float, float, float] | None = None
    places: tuple[tuple[str, str], ...] = ()

    @property
    def excluded(self) -> bool:
        return self.rule.startswith("exclude:")

    @property
    def place_names(self) -> tuple[str, ...]:
        return tuple(place for place, _ in self.places)


def named_places(*names: str) -> tuple[tuple[str, str], ...]:
    """Places known by their canonical name only (a reader that may not copy its source's text, e.g. FishBase)."""
    return tuple((name, name) for name in names)


class Classification(TypedDict):
    """A SpeciesRecord's ranks, kingdom to genus (keyword arguments of SpeciesRecord)."""

    kingdom: str | None
    phylum: str | None
    class_: str | None
    order: str | None
    family: str | None
    genus: str | None


def chordate_classification(class_: str, row: Mapping[str, Any]) -> Classification:
    """A vertebrate's ranks where the reader's taxon group fixes the class and the row gives order, family and
    genus (MDD, AmphibiaWeb): an empty cell is no rank."""
    return Classification(
        kingdom="Animalia",
        phylum="Chordata",
        class_=class_,
        order=row.get("order") or None,
        family=row.get("family") or None,
        genus=row.get("genus") or None,
    )


@dataclass
class SpeciesRecord:
    """One species row of one source, selected as occurring in the Amur-Heilong basin."""

    source: str  # source id (kg/sources/registry.py)
    row_id: str  # stable id of the row in its source (CoL China id, AvibaseID, MDD id, SpecCode ...)
    group: str  # one of GROUPS
    scientific_name: str  # canonical name without authorship: "Panthera tigris"
    authorship: str | None = None  # "(Linnaeus, 1758)"
    kingdom: str | None = None
    phylum: str | None = None
    class_: str | None = None
    order: str | None = None
    family: str | None = None
    genus: str | None = None
    vernacular: list[tuple[str, str]] = field(default_factory=list)  # (name, BCP47 language)
    identifiers: dict[str, str] = field(default_factory=dict)  # scheme -> id, see kg.namespaces.RESOLVERS
    assessments: list[Assessment] = field(default_factory=list)
    rule: str = ""  # name of the selection rule that admitted the row
    matched: str = ""  # the text or figures the rule matched (never copied licensed prose)
    confidence: str = "medium"  # how surely the species is in the basin
    placements: list[Placement] = field(default_factory=list)
    range_box: tuple[float, float, float, float] | None = None  # lon_min, lon_max, lat_min, lat_max
    # "degrees", or "mollweide" for a box kept in the metres of its map (x_min, x_max, y_min, y_max)
    range_box_projection: str = "degrees"
    countries: tuple[str, ...] = ()  # ISO 3166 alpha-2 codes where the source gives them
    # provinces (the plant checklist's slugs: "heilongjiang", "inner-mongolia") where the source has the species wild;
    # ingest/regions.py records the species in the basin's regions among them
    provinces: tuple[str, ...] = ()


@dataclass
class Selection:
    """What a species reader returns: the selected records and each rule's yield.

    ``report`` maps a rule name to how many rows it admitted or excluded, e.g.
    {"province:heilongjiang-or-jilin": 1830, "exclude:cultivated-only": 212}; exclusions are named
    ``exclude:<why>`` so the build can report false positives removed.
    """

    records: list[SpeciesRecord]
    report: dict[str, int] = field(default_factory=dict)
    removed: dict[str, list[str]] = field(default_factory=dict)  # exclusion rule -> names, where a reader lists them


class SpeciesReader(Protocol):
    """What every species reader module offers (``kg.build.species.READERS``): the registry ids of the sources it
    reads, and a pure ``read`` from their verified files (source id -> path) to a Selection. ``cache_dir`` holds the
    parse cache (``ingest/cache.py``); a reader that parses nothing slow may ignore it."""

    SOURCES: tuple[str, ...]

    def read(self, files: Mapping[str, Path], cache_dir: Path | None = None) -> Selection: ...


@dataclass
class Reference:
    """What a reference reader returns (``ingest.ecoregions``, ``ingest.iucn``): the graph of its source, and the
    codes it defines by class IRI, which the curated facts and the species layer are checked and linked against."""

    source_id: str
    graph: Any  # rdflib Graph: the records stay free of RDF, the reference readers map straight to it
    codes: dict[str, set[str]] = field(default_factory=dict)  # class IRI -> codes (skos:notation) of its concepts
    ecoregions: dict[str, Any] = field(default_factory=dict)  # code -> ingest.ecoregions.Ecoregion (its polygon)


class ReferenceReader(Protocol):
    """A reader whose source defines the codes the rest refers to: the build runs it for the source that names it in
    the registry (kg/sources/registry.py), before the curated facts and the species readers."""

    LABEL: str  # what the build's progress calls it ("ecoregions")

    def read_reference(self, files: Mapping[str, Path]) -> Reference: ...
