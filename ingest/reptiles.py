"""Reader for reptiles: squamates of the Reptile Database country lists (Nov 2017) packaged in rangeBuilder.

rangeBuilder's ``repDBcountryList_bySp`` gives the countries of each squamate (lizards and snakes; no
turtles) and no range boxes. A species is a candidate when it lives in Russia together with China,
Mongolia or North Korea. Without boxes the false positives are removed by name: the species that share
Russia and China or Mongolia through the Caucasus, the Caspian lowland, the Altai, Tuva or Xinjiang,
and the sea snakes (KNOWN_FALSE_POSITIVES, each with its reason). Two candidates whose Russian or
Chinese record is doubtful are kept with low confidence (DOUBTFUL).

The lists carry no family, and rangeBuilder's ``squamTable`` (synonyms with authority and year) none
either: ``family`` and ``authorship`` are left empty (report key ``missing:family``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from ingest import gazetteer
from ingest.records import Selection, SpeciesRecord

SOURCES = ("rangebuilder-2022",)
(RANGEBUILDER,) = SOURCES

NEIGHBOURS = ("CN", "MN", "KP")
RECORD_COUNTRIES = ("RU", "CN", "MN", "KP")

RULE_COUNTRY = "country:russia-and-neighbour"
EXCLUDE_KNOWN = "exclude:known-false-positive"
MISSING_FAMILY = "missing:family"

# Candidates that are not basin species, by why.
_CENTRAL_ASIA = "arid Central Asia: shares Russia (lower Volga, Caspian, Altai or Tuva) and China only through Xinjiang"
_EUROPE = "Europe to western Siberia: shares Russia and China or Mongolia only through the Altai and Xinjiang"
_MARINE = "sea snake: marine, strays to the Russian coast"
KNOWN_FALSE_POSITIVES: dict[str, str] = {
    "Alsophylax pipiens": _CENTRAL_ASIA,
    "Eremias arguta": _CENTRAL_ASIA,
    "Eremias multiocellata": "Gobi and Central Asia: Russia is Tuva, far west of the basin",
    "Eremias przewalskii": "Gobi desert lizard: Russia is Tuva, far west of the basin",
    "Eremias velox": _CENTRAL_ASIA,
    "Eryx miliaris": _CENTRAL_ASIA,
    "Phrynocephalus guttatus": _CENTRAL_ASIA,
    "Phrynocephalus helioscopus": _CENTRAL_ASIA,
    "Phrynocephalus mystaceus": _CENTRAL_ASIA,
    "Phrynocephalus versicolor": "Gobi toad-headed agama: Russia is Tuva, far west of the basin",
    "Trapelus agilis": _CENTRAL_ASIA,
    "Trapelus sanguinolentus": _CENTRAL_ASIA,
    "Vipera renardi": "steppe viper of Ukraine to the Altai and Xinjiang",
    "Natrix natrix": _EUROPE,
    "Natrix tessellata": _EUROPE,
    "Lacerta agilis": _EUROPE + " (east to the Baikal region)",
    "Elaphe taeniura": "tropical and subtropical Asia; the Russian listing is an isolated record outside the basin",
    "Lycodon rosozonatus": "Hainan and northern Vietnam; the Russian listing confuses it with L. rufozonatus",
    "Hydrophis platurus": _MARINE,
    "Laticauda semifasciata": _MARINE,
}
# Candidates kept with low confidence: their record on one side of the border is doubtful.
DOUBTFUL: dict[str, str] = {
    "Eremias brenchleyi": "north China racerunner; its Russian record is doubtful",
    "Gloydius blomhoffii": "Japanese mamushi in the current sense; the mainland listing is of the older, wider concept",
}


def country_codes(names: list[str]) -> list[str]:
    return [code for code in (gazetteer.country_code(n) for n in names) if code]


def decide(name: str, codes: list[str]) -> tuple[str, str] | None:
    """(rule, confidence) for a species with these ISO country codes; None for a non-candidate."""
    if "RU" not in codes or not set(codes) & set(NEIGHBOURS):
        return None
    if name in KNOWN_FALSE_POSITIVES:
        return EXCLUDE_KNOWN, ""
    if name in DOUBTFUL:
        return RULE_COUNTRY, "low"
    # Russia + China share the Amur, Argun and Ussuri; Russia + Mongolia or North Korea alone may be Tuva,
    # Buryatia or the Tumen
    return RULE_COUNTRY, "medium" if "CN" in codes else "low"


def to_record(name: str, codes: list[str], confidence: str) -> SpeciesRecord:
    from ingest.amphibians import native_countries

    countries = tuple(c for c in RECORD_COUNTRIES if c in codes)
    return SpeciesRecord(
        source=RANGEBUILDER,
        row_id=name.replace(" ", "_"),  # the list's own key
        group="reptile",
        scientific_name=name,
        kingdom="Animalia",
        phylum="Chordata",
        class_="Reptilia",
        order="Squamata",
        family=None,
        genus=name.split()[0],
        rule=RULE_COUNTRY,
        matched="countries " + ", ".join(countries),
        confidence=confidence,
        countries=native_countries(codes),  # every country kept (South Korea: Gloydius intermedius)
    )


def select(country_lists: Mapping[str, list[str]]) -> Selection:
    """Select the basin squamates of {species name: country names (upper case)}."""
    report: Counter[str] = Counter()
    records = []
    for name, names in sorted(country_lists.items()):
        codes = country_codes(names)
        decision = decide(name, codes)
        if decision is None:
            continue
        rule, confidence = decision
        report[rule] += 1
        if not rule.startswith("exclude:"):
            records.append(to_record(name, codes, confidence))
            report[MISSING_FAMILY] += 1
    return Selection(records=records, report=dict(report))


def read(files: Mapping[str, Path], cache_dir: Path | None = None) -> Selection:
    """Read the Reptile Database country lists from rangeBuilder; cache_dir speeds up rangeBuilder."""
    from ingest import rangebuilder

    return select(rangebuilder.load(Path(files[RANGEBUILDER]), cache_dir).countries.get("reptile", {}))
