"""Darwin Core checklist archives: taxa native and present in the basin's regions, added as species.

Given with `amurkg build --checklist FILE.zip` (repeatable), or declared in the registry file
``checklists.yml`` (kg/sources/registry.py ``declared_checklists``: verified and fetched like every source). The
archive's core must be Taxon, with the Distribution extension (GBIF's checklist datasets: a Russian Far East
or Mongolian flora, for instance).
A taxon is admitted when one of its distribution rows names a basin region (REGIONS, by ``locationID``:
``ISO3166-2:RU-PRI``, ``TDWG:PRM``) with an occurrence status that says present and an establishment
means that says native (an empty field counts as both). Each admitted species is placed in the ecoregions of
the region's gazetteer place (method ``checklist-region``). The reader states medium, low for the regions only
partly in the basin (the gazetteer's broad places); the build then gives these placements the level the
gazetteer's own place -> ecoregion table earned against WildFinder (kg/build/calibration.py ``INHERITS``: both
gazetteer variants measure about 44 %, low), unless the archive's own mammals measure the method. The species
merges with the species the other readers hold on its accepted name. An archive that cannot be read as
such a checklist raises ChecklistError naming the file and what is wrong, before anything is built.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from ingest.places import gazetteer
from ingest.records import Placement, Selection, SpeciesRecord
from kg.sources.registry import checklist_source_id as source_id

DWC = "http://rs.tdwg.org/dwc/terms/"
TAXON = DWC + "Taxon"
DISTRIBUTION = "http://rs.gbif.org/terms/1.0/Distribution"

RULE = "checklist:native-in-basin-region"
EXCLUDE_OUTSIDE = "exclude:no-basin-region"
EXCLUDE_NOT_NATIVE = "exclude:not-native-or-absent"
EXCLUDE_RANK = "exclude:not-a-species"
EXCLUDE_GROUP = "exclude:group-not-covered"


@dataclass(frozen=True)
class Region:
    label: str
    place: str  # the gazetteer place whose ecoregions the region takes


# The basin's regions by the codes checklists use. The Russian, Chinese and Mongolian units are only
# partly in the basin where the gazetteer calls them broad: their placements are low.
REGIONS: dict[str, Region] = {
    "ISO3166-2:RU-AMU": Region("Amur Oblast", "Amur"),
    "ISO3166-2:RU-KHA": Region("Khabarovsk Krai", "Khabarovsk"),
    "ISO3166-2:RU-PRI": Region("Primorsky Krai", "Primorye"),
    "ISO3166-2:RU-YEV": Region("Jewish Autonomous Oblast", "Jewish Autonomous Oblast"),
    "ISO3166-2:RU-ZAB": Region("Zabaykalsky Krai", "Transbaikalia"),
    "ISO3166-2:CN-HL": Region("Heilongjiang", "Heilongjiang"),
    "ISO3166-2:CN-23": Region("Heilongjiang", "Heilongjiang"),  # the code before 2017
    "ISO3166-2:CN-JL": Region("Jilin", "Jilin"),
    "ISO3166-2:CN-22": Region("Jilin", "Jilin"),
    "ISO3166-2:CN-NM": Region("Inner Mongolia", "Northeast Inner Mongolia"),
    "ISO3166-2:CN-15": Region("Inner Mongolia", "Northeast Inner Mongolia"),
    "ISO3166-2:MN-061": Region("Dornod", "Eastern Mongolia"),
    "ISO3166-2:MN-039": Region("Khentii", "Eastern Mongolia"),
    # TDWG World Geographical Scheme for Recording Plant Distributions, level 3
    "TDWG:AMU": Region("Amur", "Amur"),
    "TDWG:KHA": Region("Khabarovsk", "Khabarovsk"),
    "TDWG:PRM": Region("Primorye", "Primorye"),
    "TDWG:CTA": Region("Chita", "Transbaikalia"),
    "TDWG:MAN": Region("Manchuria", "Manchuria"),
    "TDWG:INM": Region("Inner Mongolia", "Northeast Inner Mongolia"),
}
# location schemes a checklist may use; a code of another scheme stops the build
_CODE = re.compile(r"^(?:ISO3166-2:[A-Z]{2}-[A-Z0-9]{1,3}|ISO3166-1:[A-Z]{2}|TDWG:[A-Z0-9-]+)$")
_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")  # an IRI the graph can state
_DOI = re.compile(r"10\.\d{4,9}/[^\s\"<>{}|\\^`]+")
ABSENT = {"absent", "excluded", "doubtful"}
NOT_NATIVE = {"introduced", "naturalised", "naturalized", "invasive", "managed", "vagrant", "uncertain"}
# Darwin Core class or kingdom -> the graph's group
GROUP_OF_CLASS = {
    "Aves": "bird",
    "Mammalia": "mammal",
    "Amphibia": "amphibian",
    "Reptilia": "reptile",
    "Actinopterygii": "fish",
    "Cephalaspidomorphi": "fish",
    "Petromyzonti": "fish",
}


class ChecklistError(Exception):
    """The archive is not a checklist the build can take; the message names the file and what is wrong."""


@dataclass(frozen=True)
class ChecklistSource:
    """What the archive says of itself (its EML), for the source description and evidence."""

    id: str
    title: str
    licence: str
    doi: str = ""
    url: str = ""  # the dataset's own http(s) URL from its EML (alternateIdentifier or distribution/online/url)


METHOD = "checklist-region"


def region_placements(codes: list[str], source: str) -> list[Placement]:
    """The ecoregions of each region's gazetteer place; ``matched`` ends with the code (``region_of``)."""
    placements = []
    for code in codes:
        region = REGIONS[code]
        confidence = "low" if is_broad(region) else "medium"
        for eco in gazetteer.PLACES[region.place]:
            placements.append(
                Placement(
                    ecoregion=eco,
                    method=METHOD,
                    confidence=confidence,
                    matched=f"{region.label} ({code})",
                    source=source,
                )
            )
    return placements


def is_broad(region: Region) -> bool:
    """A region whose gazetteer place is broad (only partly in the basin): its ecoregions are a guess."""
    return region.place in gazetteer.BROAD_PLACES


def region_of(placement: Placement) -> Region:
    """The region of a checklist-region placement, from the code its ``matched`` text ends with."""
    return REGIONS[placement.matched.rsplit("(", 1)[-1].rstrip(")")]


def group_of(data: dict[str, str]) -> str | None:
    if (data.get(DWC + "kingdom") or "").strip() == "Plantae":
        return "plant"
    return GROUP_OF_CLASS.get((data.get(DWC + "class") or "").strip())


def canonical(data: dict[str, str]) -> str | None:
    """The binomial of a species row: from genus + specificEpithet, else the first two words of its name."""
    genus, epithet = (data.get(DWC + "genus") or "").strip(), (data.get(DWC + "specificEpithet") or "").strip()
    if genus and epithet and not (data.get(DWC + "infraspecificEpithet") or "").strip():
        return f"{genus} {epithet}"
    words = (data.get(DWC + "scientificName") or "").split()
    return " ".join(words[:2]) if len(words) >= 2 and words[1][:1].islower() else None


def decide(distributions: list[dict[str, str]], archive: Path) -> tuple[str, list[str]]:
    """(rule, basin region codes) for one taxon's distribution rows; raises on a code of no known scheme."""
    in_basin, native_present = [], []
    for row in distributions:
        code = (row.get(DWC + "locationID") or "").strip()
        if not code:
            continue
        if not _CODE.match(code):
            raise ChecklistError(
                f"{archive}: unknown location code {code!r} (expected ISO3166-2:XX-YYY, ISO3166-1:XX or TDWG:XXX)"
            )
        if code not in REGIONS:
            continue
        in_basin.append(code)
        status = (row.get(DWC + "occurrenceStatus") or "present").strip().lower()
        means = (row.get(DWC + "establishmentMeans") or "native").strip().lower()
        if status not in ABSENT and means not in NOT_NATIVE:
            native_present.append(code)
    if native_present:
        return RULE, list(dict.fromkeys(native_present))
    return (EXCLUDE_NOT_NATIVE if in_basin else EXCLUDE_OUTSIDE), []


def describe(archive: Path, metadata) -> ChecklistSource:
    """Title, licence and DOI from the archive's EML (``metadata`` is its root element, or None)."""
    title, licence, doi, url = "", "", "", ""
    if metadata is not None:
        title = " ".join("".join(metadata.findtext(".//dataset/title") or "").split())
        rights = metadata.find(".//dataset/intellectualRights")
        if rights is not None:
            licence = " ".join(" ".join(rights.itertext()).split())
        if not licence:  # EML 2.2: <licensed><licenseName/><url/></licensed>
            licence = " ".join((metadata.findtext(".//dataset/licensed/licenseName") or "").split())
        for identifier in metadata.iter("alternateIdentifier"):
            text = (identifier.text or "").strip()
            found = _DOI.search(text)
            if found and not doi:
                doi = found.group(0)
            elif _URL.match(text) and not url:
                url = text
        online = (metadata.findtext(".//dataset/distribution/online/url") or "").strip()
        url = url or (online if _URL.match(online) else "")
    return ChecklistSource(
        id=source_id(archive),
        title=title or f"Checklist archive {Path(archive).name}",
        licence=licence or "as stated by the checklist's publisher",
        doi=doi,
        url=url,
    )


def read(archive: Path) -> tuple[ChecklistSource, Selection]:
    """The archive's description and its basin species; ChecklistError when it is no usable checklist."""
    from dwca.exceptions import InvalidArchive
    from dwca.read import DwCAReader

    archive = Path(archive)
    if not archive.is_file():
        raise ChecklistError(f"{archive}: checklist archive not found")
    if not zipfile.is_zipfile(archive):
        raise ChecklistError(f"{archive}: not a zip file (a Darwin Core Archive is a zip with meta.xml)")
    try:
        with DwCAReader(str(archive)) as dwca:
            core_type = dwca.descriptor.core.type if dwca.descriptor else None
            if core_type != TAXON:
                raise ChecklistError(f"{archive}: the core is {core_type or 'not declared'}, not {TAXON}")
            if DISTRIBUTION not in {e.type for e in dwca.descriptor.extensions}:
                raise ChecklistError(f"{archive}: no Distribution extension ({DISTRIBUTION})")
            terms = {field["term"] for field in dwca.descriptor.core.fields}
            if DWC + "scientificName" not in terms and not {DWC + "genus", DWC + "specificEpithet"} <= terms:
                raise ChecklistError(
                    f"{archive}: the Taxon core has no scientificName column (nor genus and "
                    "specificEpithet): its taxa have no names"
                )
            source = describe(archive, dwca.metadata)
            rows = [
                (row.id, dict(row.data), [dict(e.data) for e in row.extensions if e.rowtype == DISTRIBUTION])
                for row in dwca
            ]
    except ElementTree.ParseError as error:
        raise ChecklistError(f"{archive}: its meta.xml or EML is not well-formed XML ({error})") from error
    # a data file meta.xml names but the zip lacks surfaces as FileNotFoundError from the reader's extraction
    except (InvalidArchive, zipfile.BadZipFile, KeyError, ValueError, IndexError, FileNotFoundError) as error:
        raise ChecklistError(f"{archive}: cannot be read as a Darwin Core Archive ({error})") from error
    if not any(distributions for _, _, distributions in rows):
        raise ChecklistError(f"{archive}: the Distribution extension has no rows")
    return source, select(rows, source.id, archive)


def select(rows: list[tuple[str, dict[str, str], list[dict[str, str]]]], source: str, archive: Path) -> Selection:
    report: Counter[str] = Counter()
    records = []
    for row_id, data, distributions in rows:
        rule, codes = decide(distributions, archive)
        name = canonical(data)
        rank = (data.get(DWC + "taxonRank") or "species").strip().lower()
        status = (data.get(DWC + "taxonomicStatus") or "accepted").strip().lower()
        if rule == RULE and (name is None or rank != "species" or status not in ("accepted", "valid")):
            rule = EXCLUDE_RANK
        group = group_of(data)
        if rule == RULE and group is None:
            rule = EXCLUDE_GROUP
        report[rule] += 1
        if rule != RULE:
            continue
        matched = "; ".join(f"{REGIONS[c].label} ({c})" for c in codes)
        records.append(
            SpeciesRecord(
                source=source,
                row_id=str(data.get(DWC + "taxonID") or row_id),
                group=group,
                scientific_name=name,
                authorship=(data.get(DWC + "scientificNameAuthorship") or "").strip() or None,
                kingdom=(data.get(DWC + "kingdom") or "").strip() or None,
                phylum=(data.get(DWC + "phylum") or "").strip() or None,
                class_=(data.get(DWC + "class") or "").strip() or None,
                order=(data.get(DWC + "order") or "").strip() or None,
                family=(data.get(DWC + "family") or "").strip() or None,
                genus=name.split()[0],
                rule=RULE,
                matched=matched,
                confidence="medium",
                placements=region_placements(codes, source),
            )
        )
    return Selection(records=records, report=dict(report))
