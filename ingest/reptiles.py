"""Reader for reptiles: the Reptile Database (letsRept 1.1.1) with its 2017 country lists packaged in rangeBuilder.

letsRept gives every reptile of the Reptile Database with its family and authorship (``allReptiles``), and the
trait tables ReptTraits 2024 (all reptiles: main biogeographic region, IUCN category) and SquamBase 2024
(squamates: synonyms, IUCN category with criteria and year of assessment, realm). Neither gives countries:
the selection takes them from rangeBuilder's ``repDBcountryList_bySp`` (the Reptile Database's country lists
of Nov 2017, squamates only).

Rules, first that applies:

- squamates (candidates: listed for Russia together with China, Mongolia or North Korea; the Russia-China
  border is the Amur, Argun and Ussuri):
  - ``exclude:marine-realm`` - ReptTraits' main region is Marine (sea snakes straying to the Russian coast).
  - ``exclude:saharo-sindian-realm`` - main region Saharo-Sindian: arid south-west and Central Asia, which
    shares Russia and China only through the Caspian lowland and Xinjiang.
  - ``exclude:known-false-positive`` - KNOWN_FALSE_POSITIVES, each with its reason (Palearctic species of
    Europe, the Altai, Tuva or the Gobi that the realm does not tell apart from the basin's).
  - ``country:russia-and-neighbour`` - the rest: medium with China, low with Mongolia or North Korea only
    (may be Tuva, Buryatia or the Tumen) and for DOUBTFUL records.
- turtles and other reptiles without country lists:
  - ``realm:palearctic-non-squamate`` - main region Palearctic (checked by hand: only the Amur softshell
    turtle is of the basin; the others are KNOWN_FALSE_POSITIVES); low confidence, as the realm is the only
    geographic fact the sources give. The basin's softshell, long called Pelodiscus sinensis, is
    P. maackii in the Reptile Database; P. sinensis in the current sense is Oriental and not admitted.

The 2017 lists use the names of their day: a name that is no longer a species of the Reptile Database is
joined to the current one through SquamBase's synonyms (the record carries the current name, ``matched`` the
listed one). The global IUCN assessment is SquamBase's (category, criteria, year assessed; October 2023),
else ReptTraits' category (no year given).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from ingest import letsrept
from ingest.letsrept import Reptile
from ingest.places import gazetteer
from ingest.places.geography import NEIGHBOURS, RECORD_COUNTRIES, native_countries
from ingest.records import CATEGORIES, Assessment, Decision, Selection, SpeciesRecord

SOURCES = ("letsrept-1.1.1", "rangebuilder-2022")
LETSREPT, RANGEBUILDER = SOURCES


RULE_COUNTRY = "country:russia-and-neighbour"
RULE_REALM = "realm:palearctic-non-squamate"
EXCLUDE_MARINE = "exclude:marine-realm"
EXCLUDE_ARID = "exclude:saharo-sindian-realm"
EXCLUDE_KNOWN = "exclude:known-false-positive"
RENAMED = "renamed:synonym"  # a 2017 name joined to the current species through its synonyms
MISSING_FAMILY = "missing:family"  # a listed name the Reptile Database does not know
MISSING_CATEGORY = "missing:iucn-category"
MISSING_YEAR = "missing:iucn-year"

# ReptTraits' main biogeographic regions that exclude a squamate candidate, by rule
EXCLUDED_REALMS = {"Marine": EXCLUDE_MARINE, "Saharo-Sindian": EXCLUDE_ARID}

# Candidates that are not basin species, by why.
_CENTRAL_ASIA = "arid Central Asia: shares Russia (lower Volga, Caspian, Altai or Tuva) and China only through Xinjiang"
_EUROPE = "Europe to western Siberia: shares Russia and China or Mongolia only through the Altai and Xinjiang"
KNOWN_FALSE_POSITIVES: dict[str, str] = {
    "Alsophylax pipiens": _CENTRAL_ASIA,
    "Eremias arguta": _CENTRAL_ASIA,
    "Eremias multiocellata": "Gobi and Central Asia: Russia is Tuva, far west of the basin",
    "Eremias przewalskii": "Gobi desert lizard: Russia is Tuva, far west of the basin",
    "Eryx miliaris": _CENTRAL_ASIA,
    "Phrynocephalus guttatus": _CENTRAL_ASIA,
    "Phrynocephalus versicolor": "Gobi toad-headed agama: Russia is Tuva, far west of the basin",
    "Vipera renardi": "steppe viper of Ukraine to the Altai and Xinjiang",
    "Natrix natrix": _EUROPE,
    "Lacerta agilis": _EUROPE + " (east to the Baikal region)",
    "Elaphe taeniura": "tropical and subtropical Asia; the Russian listing is an isolated record outside the basin",
    "Lycodon rosozonatus": "Hainan and northern Vietnam; the Russian listing confuses it with L. rufozonatus",
    # Palearctic turtles
    "Emys orbicularis": "European pond turtle: Europe, North Africa and western Asia to the Aral Sea",
    "Emys trinacris": "Sicilian pond turtle",
    "Mauremys japonica": "Japanese pond turtle: Honshu, Shikoku and Kyushu only",
}
# Candidates kept with low confidence: their record on one side of the border is doubtful.
DOUBTFUL: dict[str, str] = {
    "Eremias brenchleyi": "north China racerunner; its Russian record is doubtful",
    "Gloydius blomhoffii": "Japanese mamushi in the current sense; the mainland listing is of the older, wider concept",
}

# IUCN category names of ReptTraits and SquamBase -> codes. "Lower Risk/conservation dependent" (pre-2001)
# has no code in the current scheme; "NE" is no assessment.
CATEGORY_CODES = {
    "Extinct": "EX",
    "Extinct in the Wild": "EW",
    "Critically Endangered": "CR",
    "Endangered": "EN",
    "Vulnerable": "VU",
    "Near Threatened": "NT",
    "Least Concern": "LC",
    "Data Deficient": "DD",
}
# lower-case name particles of authorship ("de Queiroz", "van Denburgh") when another name follows
_PARTICLES = {"de", "da", "das", "del", "der", "den", "di", "do", "dos", "du", "la", "van", "von", "y"}


# --- names, authorship, assessment ----------------------------------------------------------------


def synonym_index(reptiles: Mapping[str, Reptile]) -> dict[str, str]:
    """Synonym -> current species, for synonyms that name one species only (a split leaves a name to several)."""
    species_of: dict[str, set[str]] = {}
    for reptile in reptiles.values():
        for synonym in reptile.synonyms:
            species_of.setdefault(synonym, set()).add(reptile.name)
    return {synonym: next(iter(names)) for synonym, names in species_of.items() if len(names) == 1}


def current_name(name: str, reptiles: Mapping[str, Reptile], synonyms: Mapping[str, str]) -> str | None:
    """The Reptile Database species a listed name stands for: itself, or the one species it is a synonym of."""
    if name in reptiles:
        return name
    return synonyms.get(name)


def authorship(author: str | None) -> str | None:
    """The species list's upper-case authorship in the usual case: "(DE FILIPPI, 1840)" -> "(de Filippi, 1840)"."""
    if not author:
        return None
    words = author.split(" ")
    out = []
    for i, word in enumerate(words):
        bare = word.strip("(),").lower()
        # a particle only before another name of the same author, not before "&" or as a name itself
        follows = words[i + 1] if i + 1 < len(words) else ""
        if bare in _PARTICLES and follows and follows not in ("&",) and not word.endswith(","):
            out.append(word.lower())
        else:
            out.append(_name_case(word))
    return " ".join(out)


def _name_case(word: str) -> str:
    # each part after a hyphen or apostrophe starts upper case (Ribeiro-Júnior, O'Shaughnessy); Mc keeps its cap
    cased = re.sub(r"[^\W\d_]+", lambda m: m.group(0).capitalize(), word)
    return re.sub(r"\bMc([a-z])", lambda m: "Mc" + m.group(1).upper(), cased)


def assessment(reptile: Reptile) -> Assessment | None:
    """The global IUCN assessment the trait tables give; None for no category, NE or a pre-2001 category."""
    code = CATEGORY_CODES.get((reptile.iucn_category or "").strip())
    if code is None or code not in CATEGORIES:
        return None
    return Assessment(
        category=code,
        assessor="IUCN",
        scope="global",
        year=reptile.iucn_year,
        source=LETSREPT,
        criteria=reptile.iucn_criteria,
    )


# --- selection ------------------------------------------------------------------------------------


def country_codes(names: list[str]) -> list[str]:
    return [code for code in (gazetteer.country_code(n) for n in names) if code]


def decide(name: str, codes: list[str], realm: str | None = None) -> Decision | None:
    """The rule for a squamate with these ISO country codes and ReptTraits realm; None for a non-candidate."""
    if "RU" not in codes or not set(codes) & set(NEIGHBOURS):
        return None
    if realm in EXCLUDED_REALMS:
        return Decision(EXCLUDED_REALMS[realm])
    if name in KNOWN_FALSE_POSITIVES:
        return Decision(EXCLUDE_KNOWN)
    if name in DOUBTFUL:
        return Decision(RULE_COUNTRY, "low")
    # Russia + China share the Amur, Argun and Ussuri; Russia + Mongolia or North Korea alone may be Tuva,
    # Buryatia or the Tumen
    return Decision(RULE_COUNTRY, "medium" if "CN" in codes else "low")


def decide_without_countries(reptile: Reptile) -> Decision | None:
    """The rule for a reptile the country lists do not cover (turtles, crocodiles); None for a non-candidate."""
    if reptile.order == "Squamata" or reptile.realm != "Palearctic":
        return None
    if reptile.name in KNOWN_FALSE_POSITIVES:
        return Decision(EXCLUDE_KNOWN)
    return Decision(RULE_REALM, "low")


def to_record(
    name: str, reptile: Reptile | None, decision: Decision, matched: str, codes: list[str] = ()
) -> SpeciesRecord:
    assessed = assessment(reptile) if reptile else None
    return SpeciesRecord(
        source=LETSREPT,
        row_id=name.replace(" ", "_"),  # the Reptile Database's key (its species URL is Genus/species)
        group="reptile",
        scientific_name=name,
        authorship=authorship(reptile.author) if reptile else None,
        kingdom="Animalia",
        phylum="Chordata",
        class_="Reptilia",
        order=(reptile.order if reptile else None) or "Squamata",
        family=reptile.family if reptile else None,
        genus=(reptile.genus if reptile else None) or name.split()[0],
        assessments=[assessed] if assessed else [],
        rule=decision.rule,
        matched=matched,
        confidence=decision.confidence,
        countries=native_countries(codes),  # every country kept (South Korea: Gloydius intermedius)
    )


def select(reptiles: Mapping[str, Reptile], country_lists: Mapping[str, list[str]]) -> Selection:
    """Select the basin reptiles of the Reptile Database and its {2017 name: country names (upper case)}."""
    report: Counter[str] = Counter()
    synonyms = synonym_index(reptiles)
    chosen: dict[str, SpeciesRecord] = {}

    def admit(record: SpeciesRecord, reptile: Reptile | None) -> None:
        chosen[record.scientific_name] = record
        if reptile is None:
            report[MISSING_FAMILY] += 1
        if not record.assessments:
            report[MISSING_CATEGORY] += 1
        elif record.assessments[0].year is None:
            report[MISSING_YEAR] += 1

    for listed, names in sorted(country_lists.items()):
        codes = country_codes(names)
        name = current_name(listed, reptiles, synonyms) or listed
        reptile = reptiles.get(name)
        decision = decide(name, codes, reptile.realm if reptile else None)
        if decision is None:
            continue
        report[decision.rule] += 1
        if decision.excluded or name in chosen:
            continue
        countries = ", ".join(c for c in RECORD_COUNTRIES if c in codes)
        matched = f"Reptile Database 2017 country lists: {countries}"
        if name != listed:
            report[RENAMED] += 1
            matched += f" (listed as {listed})"
        if reptile and reptile.realm:
            matched += f"; main region {reptile.realm} (ReptTraits)"
        admit(to_record(name, reptile, decision, matched, codes), reptile)

    for name, reptile in sorted(reptiles.items()):
        if name in chosen:
            continue
        decision = decide_without_countries(reptile)
        if decision is None:
            continue
        report[decision.rule] += 1
        if not decision.excluded:
            admit(
                to_record(name, reptile, decision, f"{reptile.order}; main region {reptile.realm} (ReptTraits)"),
                reptile,
            )
    return Selection(records=list(chosen.values()), report=dict(report))


def read(files: Mapping[str, Path], cache_dir: Path | None = None) -> Selection:
    """Read the letsRept folder and rangeBuilder's Reptile Database country lists; cache_dir holds the extracts."""
    from ingest import rangebuilder

    reptiles = letsrept.load(Path(files[LETSREPT]), cache_dir)
    country_lists = rangebuilder.load(Path(files[RANGEBUILDER]), cache_dir).countries.get("reptile", {})
    return select(reptiles, country_lists)
