"""Reader for fishes: FishBase species summaries (2013 snapshot packaged in rfishbase).

LICENCE: FishBase's descriptive text (distribution, habitat) is CC-BY-NC and may only be used to SELECT
species. It never enters a record: ``matched`` and the freshwater placement carry only our canonical
water-body names ("Amur; Ussuri"), the rest of a record is names, SpecCode and taxonomy.

Rules, first that applies:

1. ``water-body`` - a fresh- or brackish-water species whose distribution names a basin water body
   (WATER_BODIES, word boundaries). Each mention is judged in its own clause (split at . and ;):
   a mention that is negated ("Absent from the Amur"), doubtful ("needs better reference"), about an
   introduction, or only a coastal range limit ("mouth of the Amur", "Amur Liman", "from the Amur
   River southward") does not count. Hedged clauses ("Reported from", "possibly") give medium
   confidence, clean ones high.
2. ``region:far-east-and-neighbour`` - a freshwater (not marine) species with no basin water body
   named, whose distribution names Siberia, the Russian Far East or Manchuria together with China or
   Mongolia, i.e. a range spanning the Amur's two banks (Brachymystax lenok: "Siberia, Korea and North
   China"). Low: a third of such ranges reach the Amur only by their extent.
3. ``country:russia-and-china`` - a freshwater species whose native range names the countries Russia and
   China (Silurus asotus: "... Taiwan, China, and Russia"): the two share only the Amur, Argun and Ussuri
   and, through Kazakhstan, the Irtysh. Medium. Not admitted: ranges that also name Central Asia
   (``exclude:central-asian-link``: Kazakhstan, Xinjiang, the Altai, Balkhash ...), Russia named only in a
   hedged clause (``exclude:russia-reported-only``) or only with the Pacific coast (Primorye, Sakhalin ...;
   ``exclude:russia-coast-only``: their rivers drain to the sea), and Russia with Mongolia but no China
   (``exclude:russia-and-mongolia-only``: they share the Selenge to Lake Baikal and the endorheic basins of
   Tuva and western Mongolia; the basin's Onon and Kherlen are named when meant). "Former USSR" is not
   Russia (it stands for Central Asia as often).
4. ``region:circumpolar-freshwater`` - a freshwater species FishBase calls circumpolar or circumarctic
   (Lota lota: the northern rivers of Eurasia include the Amur). Low.
5. ``region:siberia-only`` - a freshwater species whose native range is given as Siberia and nothing
   narrower (Carassius gibelio: "Asia: Siberia", the rest of its text is about introductions). Low.

False hits removed before matching: "Amur Bay" / "Amurskiy Zaliv" (a bay of Peter the Great Gulf,
marine), "Sungari Kinarom" (a place in Sabah), and the Argun of the Caucasus (a Terek tributary).

FishBase rows are sometimes subspecies ("Thymallus grubii grubii"); records carry the binomial and rows
of one binomial are merged (the best-evidenced row gives the SpecCode).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.cache import cached_json
from ingest.formats.rserial import read_rda
from ingest.places.geography import CONFIDENCE_RANK
from ingest.records import Decision, Placement, Selection, SpeciesRecord, named_places

SOURCES = ("fishbase-2013",)
(FISHBASE,) = SOURCES
FRESHWATER_UNIT = "FW-RFE"  # Russian Far East rivers and wetlands (WWF freshwater unit)

Row = Mapping[str, Any]

# canonical water body -> regex variants (case-insensitive, between word boundaries)
WATER_BODIES: dict[str, tuple[str, ...]] = {
    "Amur": (r"Amur", r"Heilong[-\s]?jiang", r"Heilungkiang", r"Hei-?lung-?kiang"),
    "Songhua": (r"Sungari", r"Songhua(?:\s*jiang)?", r"Sunghua"),
    "Ussuri": (r"Ussuri",),
    "Khanka": (r"Khanka", r"Khank", r"Hanka", r"Xingkai(?:\s*hu)?"),
    "Argun": (r"Argun", r"Ergun[ae]?"),
    "Shilka": (r"Shilka",),
    "Zeya": (r"Zeya", r"Zeja"),
    "Bureya": (r"Bureya", r"Bureja"),
    "Onon": (r"Onon",),
    "Kherlen": (r"Kherlen", r"Kerulen", r"Herlen"),
    # Hulun Nur is also called Dalai Nor; the Dalai Nur of Hexigten (Inner Mongolia) is endorheic, but
    # FishBase only uses the name as a gloss of Hulun ("Hu-lun Lake (Dalai-Nor)")
    "Hulun": (r"Hu-?lun", r"Hulun\s*Nu+r", r"Dalai[-\s]?N[ou]+r"),
    "Buir": (r"Buir", r"Buyr"),
    "Nen": (r"Nenjiang", r"Nen\s+(?:River|Jiang)", r"Nonni"),
    "Amgun": (r"Amgun",),
}
# (?!-\w): a hyphen compound is no water body: "the Amur-Chinese and the European populations" compares
# zoogeographic groups (a carp of Viet Nam)
_WATER_RE = {
    name: re.compile(r"(?<!\w)(?:" + "|".join(sorted(v, key=len, reverse=True)) + r")(?!\w)(?!-\w)", re.IGNORECASE)
    for name, v in WATER_BODIES.items()
}

# Text that looks like a basin water body but is not one (replaced by blanks before matching).
FALSE_HITS = {
    "amur-bay": re.compile(r"\bAmur(?:skiy|sky|skii)?\s+(?:Bay|Zaliv|Gulf)\b", re.IGNORECASE),
    "sungari-kinarom": re.compile(r"\bSungari\s+Kinarom\b", re.IGNORECASE),
}
# a clause naming the Argun with these is about the Caucasian Argun (Chechnya), not the Amur's
_CAUCASUS = re.compile(r"\b(?:Terek|Sunzha|Chechn\w*|Caucas\w*|Dagestan)\b", re.IGNORECASE)

# Coastal range limits: they name the Amur's mouth, not the basin.
_COASTAL = re.compile(
    r"\b(?:mouths?|estuary|liman|lagoon)\s+of\s+the\s+Amur\b"
    r"|\bAmur\s+(?:Liman|estuary|lagoon)\b"
    r"|\b(?:from|to)\s+the\s+Amur(?:\s+River)?\s+(?:south|north)ward",
    re.IGNORECASE,
)
_DOUBTFUL = re.compile(
    r"needs?\s+(?:better\s+)?(?:reference|confirmation)|doubtful|questionable|erroneous|misidentif|unconfirmed",
    re.IGNORECASE,
)
_INTRODUCED = re.compile(r"introduc|transplant|acclimati|stocked|translocat", re.IGNORECASE)
_HEDGED = re.compile(r"\bpossibl|\bprobabl|\bexpected|\bmay\s+occur|\breported\s+from|\bperhaps", re.IGNORECASE)
_NEGATED = re.compile(r"\b(?:absent|not\s+(?:found\s+|known\s+|recorded\s+)?(?:in|from))\b", re.IGNORECASE)
# clause boundaries: . or ; followed by space, but not the dot of "Ref." or of an initial ("A. Smith")
_CLAUSE_END = re.compile(r"(?<!\bRef)(?<!\b[A-Z])[.;]\s+")

# Region rule: a Siberian / Far Eastern name together with China or Mongolia. Korea is no neighbour here
# (not in the basin: Siberia + Korea is the Sea of Japan coast) nor is Primorye (its coastal rivers
# drain to the sea). canonical name -> pattern
FAR_EAST = {
    "Siberia": re.compile(r"\bSiberia\b", re.IGNORECASE),
    "Russian Far East": re.compile(r"\b(?:Russian\s+)?Far\s+East\b", re.IGNORECASE),
    "Manchuria": re.compile(r"\bManchuria\b", re.IGNORECASE),
}
NEIGHBOURS = {
    "China": re.compile(r"\bChina\b", re.IGNORECASE),
    "Mongolia": re.compile(r"\bMongolia\b", re.IGNORECASE),
    "Manchuria": re.compile(r"\bManchuria\b", re.IGNORECASE),
}
_FRESHWATER = re.compile(r"\bfreshwater\b", re.IGNORECASE)
_MARINE = re.compile(r"\bmarine\b", re.IGNORECASE)
_FRESH_OR_BRACKISH = re.compile(r"\b(?:freshwater|brackish)\b", re.IGNORECASE)

# Country rule: the country names as FishBase writes them ("Russia", "Russia Fed."; not "Russian", which
# is "Russian Far East" or "the Russian republics adjacent to Europe"). canonical name -> pattern
COUNTRIES = {
    "Russia": re.compile(r"\bRussia\b"),
    "China": re.compile(r"\bChina\b"),
    "Mongolia": re.compile(r"\bMongolia\b"),
}
# Places that link Russia and China through Central Asia (the Irtysh, Ili and Tarim basins), not the Amur
_CENTRAL_ASIA = re.compile(
    r"\b(?:Kazakhstan|Xinjiang|Xijiang|Altai|Balkhash|Irtysh|Tarim|Ili|Issyk-?kul|Tibet|Uzbekistan|Kyrgyz\w*)\b",
    re.IGNORECASE,
)
# Russia named with its Pacific coast only: Primorye's coastal rivers, Sakhalin, Kamchatka drain to the sea
_RUSSIAN_COAST = re.compile(r"\b(?:Primor\w*|Sakhalin|Kamchatka|Kuril\w*|Vladivostok|Khasan|Tumen)\b", re.IGNORECASE)
_CIRCUMPOLAR = re.compile(r"\bcircum(?:polar|arctic)\b", re.IGNORECASE)
CIRCUMPOLAR = "circumpolar"  # the canonical word a circumpolar record carries
# a native range given as Siberia alone, after its region header ("Asia:  Siberia")
_SIBERIA_ONLY = re.compile(
    r"^\s*(?:(?:Asia|Eurasia|Former\s+USSR):\s*)?(?:endemic\s+to\s+|throughout\s+)?(?:eastern\s+)?Siberia\s*\.?\s*$",
    re.IGNORECASE,
)
# clauses that are conservation or impact notes, not range
_NOTE = re.compile(r"adverse ecological impact|Appendix|Convention|CITES", re.IGNORECASE)

# Species a rule admits by their extent alone although they do not live in the Amur.
KNOWN_FALSE_POSITIVES: dict[str, str] = {
    "Barbatula barbatula": "European stone loach ranging 'to China'; the Amur's stone loach is B. toni",
    "Esox lucius": "northern pike, circumpolar, but replaced in the Amur basin by the Amur pike E. reichertii",
}

RULE_WATER_BODY = "water-body"
RULE_REGION = "region:far-east-and-neighbour"
RULE_COUNTRY = "country:russia-and-china"
RULE_CIRCUMPOLAR = "region:circumpolar-freshwater"
RULE_SIBERIA = "region:siberia-only"
EXCLUDE_CENTRAL_ASIA = "exclude:central-asian-link"
EXCLUDE_REPORTED = "exclude:russia-reported-only"
EXCLUDE_RUSSIAN_COAST = "exclude:russia-coast-only"
EXCLUDE_MONGOLIA_ONLY = "exclude:russia-and-mongolia-only"
EXCLUDE_MARINE = "exclude:marine-habitat"
EXCLUDE_COASTAL = "exclude:coastal-range-limit-only"
EXCLUDE_DOUBTFUL = "exclude:doubtful-record-only"
EXCLUDE_INTRODUCED = "exclude:introduced-only"
EXCLUDE_NEGATED = "exclude:stated-absent"
EXCLUDE_KNOWN = "exclude:known-false-positive"
EXCLUDE_FALSE_HIT = "exclude:false-hit"  # e.g. only "Amur Bay" or "Sungari Kinarom"
MERGED_SUBSPECIES = "merged:rows-of-one-binomial"

# mention kinds
CLEAN, HEDGED, COASTAL = "clean", "hedged", "coastal"
DOUBTFUL, INTRODUCED, NEGATED = "doubtful", "introduced", "negated"


@dataclass(frozen=True)
class Mention:
    """One basin water body named in one clause of a distribution text."""

    water_body: str  # canonical name (WATER_BODIES key)
    kind: str  # CLEAN, HEDGED, COASTAL, DOUBTFUL, INTRODUCED or NEGATED


def text_of(row: Row, field_name: str) -> str:
    value = row.get(field_name)
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    return value or ""


def clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE_END.split(text) if c.strip()]


def _blank(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: " " * len(m.group()), text)


def mentions(distribution: str) -> tuple[list[Mention], set[str]]:
    """The basin water bodies a distribution text names, each judged in its clause, and the false-hit
    patterns that fired (their text is not matched)."""
    false_hits = {name for name, pattern in FALSE_HITS.items() if pattern.search(distribution)}
    found: list[Mention] = []
    for clause in clauses(distribution):
        for pattern in FALSE_HITS.values():
            clause = _blank(clause, pattern)
        coastal_spans = [m.span() for m in _COASTAL.finditer(clause)]
        in_clause: list[tuple[int, Mention]] = []
        for name, pattern in _WATER_RE.items():
            for match in pattern.finditer(clause):
                if name == "Argun" and _CAUCASUS.search(clause):
                    false_hits.add("caucasian-argun")
                    continue
                kind = _kind(clause, match.start(), match.end(), coastal_spans)
                in_clause.append((match.start(), Mention(name, kind)))
        found.extend(mention for _, mention in sorted(in_clause, key=lambda item: item[0]))  # text order
    return found, false_hits


def _kind(clause: str, start: int, end: int, coastal_spans: list[tuple[int, int]]) -> str:
    if _NEGATED.search(clause[:start]):
        return NEGATED
    if _DOUBTFUL.search(clause):
        return DOUBTFUL
    if _INTRODUCED.search(clause):
        return INTRODUCED
    if any(s <= start and end <= e for s, e in coastal_spans):
        return COASTAL
    if _HEDGED.search(clause):
        return HEDGED
    return CLEAN


def far_east_region(distribution: str) -> tuple[str, ...]:
    """(Far Eastern name, neighbour) that a distribution names together, as canonical names, else ()."""
    far_east = next((name for name, p in FAR_EAST.items() if p.search(distribution)), None)
    if far_east is None:
        return ()
    neighbour = next((name for name, p in NEIGHBOURS.items() if name != far_east and p.search(distribution)), None)
    return (far_east, neighbour) if neighbour else ()


def decide(row: Row) -> Decision | None:
    """The rule for one FishBase row, or None when its text names nothing of the basin."""
    distribution, habitat = text_of(row, "distribution"), text_of(row, "habitat")
    found, false_hits = mentions(distribution)
    if found:
        if not _FRESH_OR_BRACKISH.search(habitat):
            return Decision(EXCLUDE_MARINE)
        for kind, confidence in ((CLEAN, "high"), (HEDGED, "medium")):
            bodies = tuple(dict.fromkeys(m.water_body for m in found if m.kind == kind))
            if bodies:
                return Decision(RULE_WATER_BODY, confidence, places=named_places(*bodies))
        kinds = {m.kind for m in found}
        for kind, rule in (
            (NEGATED, EXCLUDE_NEGATED),
            (DOUBTFUL, EXCLUDE_DOUBTFUL),
            (INTRODUCED, EXCLUDE_INTRODUCED),
            (COASTAL, EXCLUDE_COASTAL),
        ):
            if kind in kinds:
                return Decision(rule)
    freshwater = _FRESHWATER.search(habitat) and not _MARINE.search(habitat)
    if freshwater:
        decision = range_decision(distribution)
        if decision is not None:
            admitted = not decision.excluded
            if admitted and binomial(text_of(row, "ScientificName")) in KNOWN_FALSE_POSITIVES:
                return Decision(EXCLUDE_KNOWN)
            return decision
    if false_hits:
        return Decision(EXCLUDE_FALSE_HIT)
    return None


def range_decision(distribution: str) -> Decision | None:
    """Rules 2-5 for a freshwater species whose text names no basin water body: its range as a whole."""
    region = far_east_region(distribution)
    if region:
        return Decision(RULE_REGION, "low", places=named_places(*region))
    native = [
        c
        for c in clauses(distribution)
        if not (_INTRODUCED.search(c) or _DOUBTFUL.search(c) or _NEGATED.search(c) or _NOTE.search(c))
    ]
    country = country_decision(native)
    if country is not None:
        return country
    if _CIRCUMPOLAR.search(distribution):
        return Decision(RULE_CIRCUMPOLAR, "low", places=named_places(CIRCUMPOLAR))
    if native and all(_SIBERIA_ONLY.match(_REF.sub("", c)) for c in native):
        return Decision(RULE_SIBERIA, "low", places=named_places("Siberia"))
    return None


_REF = re.compile(r"\(Ref\.\s*\d+\)")


def country_decision(native: list[str]) -> Decision | None:
    """Rule 3 on the native-range clauses: Russia and China named as countries."""
    named = {name for name, p in COUNTRIES.items() for c in native if p.search(c)}
    if "Russia" not in named:
        return None
    if any(_CENTRAL_ASIA.search(c) for c in native):
        return Decision(EXCLUDE_CENTRAL_ASIA)
    if "China" not in named:
        return Decision(EXCLUDE_MONGOLIA_ONLY) if "Mongolia" in named else None
    russian = [c for c in native if COUNTRIES["Russia"].search(c)]
    if all(_RUSSIAN_COAST.search(c) for c in russian):
        return Decision(EXCLUDE_RUSSIAN_COAST)
    if all(_HEDGED.search(c) for c in russian):
        return Decision(EXCLUDE_REPORTED)
    return Decision(RULE_COUNTRY, "medium", places=named_places(*(name for name in COUNTRIES if name in named)))


def binomial(name: str) -> str:
    """ "Thymallus grubii grubii" -> "Thymallus grubii"."""
    return " ".join(name.split()[:2])


def to_record(row: Row, decision: Decision) -> SpeciesRecord:
    """A record of names, SpecCode and taxonomy only: no FishBase prose."""
    spec_code = str(int(row["id"][0] if isinstance(row["id"], (list, tuple)) else row["id"]))
    matched = "; ".join(decision.place_names)  # canonical names only, never FishBase text
    return SpeciesRecord(
        source=FISHBASE,
        row_id=spec_code,
        group="fish",
        scientific_name=binomial(text_of(row, "ScientificName")),
        kingdom="Animalia",
        phylum="Chordata",
        class_=text_of(row, "Class") or None,
        order=text_of(row, "Order") or None,
        family=text_of(row, "Family") or None,
        genus=text_of(row, "Genus") or None,
        identifiers={"fishbase": spec_code},
        rule=decision.rule,
        matched=matched,
        confidence=decision.confidence,
        placements=[
            Placement(
                ecoregion=FRESHWATER_UNIT,
                method="freshwater",
                confidence=decision.confidence,
                matched=matched,
                source=FISHBASE,
            )
        ],
    )


_RANK = CONFIDENCE_RANK


def select(rows: list[Row]) -> Selection:
    """Select the basin fishes of FishBase rows, one record per binomial."""
    report: Counter[str] = Counter()
    best: dict[str, tuple[tuple[int, bool], SpeciesRecord]] = {}
    for row in rows:
        decision = decide(row)
        if decision is None:
            continue
        report[decision.rule] += 1
        if decision.excluded:
            continue
        record = to_record(row, decision)
        # prefer the better-evidenced row; on a tie the row named by the binomial itself
        preference = (_RANK[record.confidence], text_of(row, "ScientificName") == record.scientific_name)
        if record.scientific_name in best:
            report[MERGED_SUBSPECIES] += 1
            if best[record.scientific_name][0] >= preference:
                continue
        best[record.scientific_name] = (preference, record)
    return Selection(records=[record for _, record in best.values()], report=dict(report))


# --- reading ------------------------------------------------------------------------------------------

FIELDS = ("Genus", "Family", "ScientificName", "distribution", "habitat", "Class", "Order", "id")


def _extract(path: Path) -> list[dict[str, Any]]:
    """The fields we use of each fish.data record (an R list of named lists: ingest/formats/rserial.py reads it)."""
    (vector,) = read_rda(path).values()  # fish.data
    rows = []
    for record in vector.values:
        row: dict[str, Any] = {}
        for name, value in zip(record.attributes["names"].values, record.values, strict=True):
            if name not in FIELDS:
                continue
            if value is None:
                row[name] = None  # NULL: field missing in this record
            elif value.kind == "character":
                row[name] = value.values[0] if value.values else None
            elif value.kind in ("integer", "double"):
                row[name] = int(value.values[0])
            else:
                row[name] = None
        rows.append(row)
    return rows


def load(path: Path, cache_dir: Path | None = None) -> list[dict[str, Any]]:
    """FishBase rows through a checksum-keyed JSON cache (a local build cache, never published)."""
    return cached_json(path, cache_dir, "fishbase", _extract)


def read(files: Mapping[str, Path], cache_dir: Path | None = None) -> Selection:
    """Read FishBase from {source id: path}; cache_dir keeps the parsed extract."""
    return select(load(Path(files[FISHBASE]), cache_dir))
