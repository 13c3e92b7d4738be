"""Reader for amphibians: the AmphibiaWeb species list with rangeBuilder's amphibian boxes and countries.

A species is a candidate when it lives in Russia together with China, Mongolia or North Korea: the
Russia-China border is almost all Amur, Argun and Ussuri, so such a range usually spans the basin.
Countries are AmphibiaWeb's ISO codes (isocc), completed by rangeBuilder's IUCN 2017 country list
(Bufo gargarizans is "CN" only in AmphibiaWeb, Onychodactylus fischeri "RU" only).

Rules, first that applies:

- ``exclude:known-false-positive`` - the candidates of KNOWN_FALSE_POSITIVES (named with the reason).
- ``country+box`` - the species' range box (rangeBuilder, looked up by its name and AmphibiaWeb's
  synonyms, e.g. Hyla japonica = Dryophytes japonicus) reaches the basin (ingest.places.geography.box_reach).
  When the border-spanning countries come only from combining the two lists, the box must hold two
  core points (Bufo bufo: AmphibiaWeb "KZ,RU", IUCN adds China; its box only touches the Argun).
- ``country:no-box`` - no box (species described or revalidated after 2017, Salamandrella tridactyla):
  the country rule alone, medium for Russia + China, low for Russia + Mongolia or North Korea only.
- ``exclude:box-outside-basin`` - the box exists and does not reach the basin.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ingest.places import gazetteer
from ingest.places.geography import (
    CORE,
    INSIDE,
    NEIGHBOURS,
    RECORD_COUNTRIES,
    Box,
    box_figures,
    box_reach,
    clip_box,
    core_points_in,
    native_countries,
)
from ingest.records import CATEGORIES, Assessment, Decision, Selection, SpeciesRecord, chordate_classification

SOURCES = ("amphibiaweb-2025", "rangebuilder-2022")
AMPHIBIAWEB, RANGEBUILDER = SOURCES

Row = Mapping[str, Any]


RULE_BOX = "country+box"
RULE_NO_BOX = "country:no-box"
EXCLUDE_KNOWN = "exclude:known-false-positive"
EXCLUDE_OUTSIDE = "exclude:box-outside-basin"
EXCLUDE_WEAK = "exclude:combined-countries-weak-box"

# Candidates (Russia + a neighbour) that do not live in the basin, checked by hand.
KNOWN_FALSE_POSITIVES: dict[str, str] = {
    "Rana arvalis": "moor frog of Europe to Yakutia and the Altai: its China is Xinjiang, its box ends in Yakutia "
    "(Aldan, Lena basin) north of the Amur",
    "Bufo bufo": "common toad of Europe to the Baikal region; IUCN 2017 lists China for the old concept, and the box "
    "only touches the Argun at its eastern edge",
}

_IUCN_CODE = re.compile(r"\(([A-Z]{2})\)")


def canonical_name(row: Row) -> str:
    return f"{(row.get('genus') or '').strip()} {(row.get('species') or '').strip()}".strip()


def iso_codes(text: str | None) -> list[str]:
    return [c.strip() for c in (text or "").split(",") if c.strip()]


def lookup_names(row: Row) -> list[str]:
    """The species' name and its AmphibiaWeb synonyms (rangeBuilder uses IUCN 2017 names)."""
    names = [canonical_name(row)] + [s.strip() for s in (row.get("synonymies") or "").split(",")]
    return [n for i, n in enumerate(names) if n and n not in names[:i]]


def spans_border(codes: set[str]) -> bool:
    return "RU" in codes and bool(codes & set(NEIGHBOURS))


def decide(row: Row, box: Box | None, iucn_countries: list[str]) -> Decision | None:
    """The rule for one AmphibiaWeb row given its box and rangeBuilder's country codes; None for a
    species that is no candidate."""
    own = set(iso_codes(row.get("isocc")))
    combined = own | set(iucn_countries)
    if not spans_border(combined):
        return None
    if canonical_name(row) in KNOWN_FALSE_POSITIVES:
        return Decision(EXCLUDE_KNOWN)
    countries = ", ".join(c for c in RECORD_COUNTRIES if c in combined)
    if box is None:
        confidence = "medium" if "CN" in combined else "low"
        return Decision(RULE_NO_BOX, confidence, f"countries {countries}; no range box")
    if box_reach(box) not in (CORE, INSIDE):
        return Decision(EXCLUDE_OUTSIDE)
    points = len(core_points_in(box))
    if not spans_border(own) and points < 2:
        return Decision(EXCLUDE_WEAK)
    confidence = "high" if spans_border(own) and points >= 2 else "medium"
    return Decision(RULE_BOX, confidence, f"countries {countries}; {box_figures('rangebuilder', box)}", box)


def assessment(row: Row) -> Assessment | None:
    """The global IUCN category of "Least Concern (LC)"; NE is no assessment."""
    match = _IUCN_CODE.search(row.get("iucn") or "")
    if not match or match.group(1) not in CATEGORIES or match.group(1) == "NE":
        return None
    return Assessment(category=match.group(1), assessor="IUCN", scope="global", year=None, source=AMPHIBIAWEB)


def vernacular_names(row: Row) -> list[tuple[str, str]]:
    names = (row.get("common_name") or "").split(",")
    return [(n, "en") for n in dict.fromkeys(n.strip() for n in names) if n]


def to_record(row: Row, decision: Decision, countries: set[str]) -> SpeciesRecord:
    assessed = assessment(row)
    uid = str(row["aweb_uid"]).strip()
    return SpeciesRecord(
        source=AMPHIBIAWEB,
        row_id=uid,
        group="amphibian",
        scientific_name=canonical_name(row),
        authorship=(row.get("spauthor") or "").strip() or None,
        **chordate_classification("Amphibia", row),
        vernacular=vernacular_names(row),
        identifiers={"amphibiaweb": uid},
        assessments=[assessed] if assessed else [],
        rule=decision.rule,
        matched=decision.matched,
        confidence=decision.confidence,
        range_box=clip_box(decision.range_box) if decision.range_box else None,
        countries=native_countries(countries),
    )


def select(rows: list[Row], boxes: Mapping[str, Box], iucn_countries: Mapping[str, list[str]]) -> Selection:
    """Select the basin amphibians; ``iucn_countries`` maps a name to ISO codes (rangeBuilder)."""
    report: Counter[str] = Counter()
    records = []
    for row in rows:
        names = lookup_names(row)
        box = next((boxes[n] for n in names if n in boxes), None)
        extra = next((iucn_countries[n] for n in names if n in iucn_countries), [])
        decision = decide(row, box, extra)
        if decision is None:
            continue
        report[decision.rule] += 1
        if not decision.excluded:
            records.append(to_record(row, decision, set(iso_codes(row.get("isocc"))) | set(extra)))
    return Selection(records=records, report=dict(report))


# --- reading ------------------------------------------------------------------------------------------


def read_rows(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(handle, delimiter="\t")]


def country_codes(names: list[str]) -> list[str]:
    """ISO codes of rangeBuilder's upper-case country names ("CASPIAN SEA" has none)."""
    return [code for code in map(gazetteer.country_code, names) if code]


def read(files: Mapping[str, Path], cache_dir: Path | None = None) -> Selection:
    """Read AmphibiaWeb and rangeBuilder from {source id: path}; cache_dir speeds up rangeBuilder."""
    from ingest import rangebuilder

    rows = read_rows(Path(files[AMPHIBIAWEB]))
    ranges = rangebuilder.load(Path(files[RANGEBUILDER]), cache_dir)
    boxes = ranges.boxes.get("amphibian", {})
    iucn_countries = {name: country_codes(names) for name, names in ranges.countries.get("amphibian", {}).items()}
    return select(rows, boxes, iucn_countries)
