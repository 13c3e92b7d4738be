"""GBIF occurrence downloads (Darwin Core Archive) -> species placed in ecoregions by point in polygon.

Given with `amurkg build --occurrences FILE.zip`. The archive's core file and its columns are read from
meta.xml, so both the "simple" and the "Darwin Core Archive" download formats work. Only species the
checklists already hold are placed (an occurrence alone does not add a species to the basin list).
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from shapely import STRtree
from shapely.geometry import Point

from ingest.records import Placement
from kg.namespaces import slug

TEXT_NS = "{http://rs.tdwg.org/dwc/text/}"
# A species is placed in an ecoregion with high confidence from this many distinct points there.
HIGH_CONFIDENCE_POINTS = 3


@dataclass(frozen=True)
class Occurrence:
    species: str
    latitude: float
    longitude: float
    record_id: str


def source_id(archive: Path) -> str:
    """A source id for the archive: its file name (GBIF download keys are unique)."""
    return "gbif-" + slug(archive.stem)


def read_archive(archive: Path) -> list[Occurrence]:
    with zipfile.ZipFile(archive) as z:
        names = z.namelist()
        if "meta.xml" in names:
            core = ET.fromstring(z.read("meta.xml")).find(f"{TEXT_NS}core")
            if core is None:
                raise ValueError(f"{archive}: meta.xml has no core")
            location = core.find(f"{TEXT_NS}files/{TEXT_NS}location").text
            delimiter = core.get("fieldsTerminatedBy", "\t").encode().decode("unicode_escape")
            skip = int(core.get("ignoreHeaderLines", "0"))
            columns = {int(f.get("index")): f.get("term") for f in core.findall(f"{TEXT_NS}field") if f.get("index")}
            text = z.read(location).decode("utf-8")
            rows = list(csv.reader(io.StringIO(text), delimiter=delimiter, quoting=csv.QUOTE_NONE))[skip:]
            # terms come from several namespaces (dwc:, gbif:): the local name is the column
            records = [{columns[i].rsplit("/", 1)[-1]: v for i, v in enumerate(row) if i in columns} for row in rows]
        else:  # GBIF "simple" download: one tab-separated file with a header of term names
            member = next((n for n in names if n.endswith((".csv", ".txt"))), None)
            if member is None:
                raise ValueError(f"{archive}: neither meta.xml nor a data file found")
            text = z.read(member).decode("utf-8")
            records = list(csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
    occurrences = []
    for r in records:
        name = r.get("species") or " ".join((r.get("scientificName") or "").split()[:2])
        try:
            lat, lon = float(r.get("decimalLatitude", "")), float(r.get("decimalLongitude", ""))
        except ValueError:
            continue
        if name and -90 <= lat <= 90 and -180 <= lon <= 180:
            occurrences.append(Occurrence(name, lat, lon, r.get("gbifID") or r.get("occurrenceID") or ""))
    return occurrences


def placements(archive: Path, ecoregions: dict, known_taxa: set[str]) -> dict[str, list[Placement]]:
    """Taxon slug -> occurrence placements, for the taxa the graph already holds."""
    codes = list(ecoregions)
    geometries = [ecoregions[c].geometry for c in codes]
    tree = STRtree(geometries)
    points: dict[tuple[str, str], set[tuple[float, float]]] = defaultdict(set)
    examples: dict[tuple[str, str], str] = {}
    for occ in read_archive(archive):
        key = slug(occ.species)
        if key not in known_taxa:
            continue
        point = Point(occ.longitude, occ.latitude)
        for index in tree.query(point, predicate="intersects"):
            pair = (key, codes[int(index)])
            points[pair].add((occ.latitude, occ.longitude))
            examples.setdefault(pair, occ.record_id)
    result: dict[str, list[Placement]] = defaultdict(list)
    source = source_id(archive)
    for (key, code), found in points.items():
        n = len(found)
        result[key].append(
            Placement(
                ecoregion=code,
                method="occurrence",
                confidence="high" if n >= HIGH_CONFIDENCE_POINTS else "medium",
                matched=f"{n} occurrence point{'s' if n != 1 else ''} (e.g. record {examples[(key, code)]})",
                source=source,
            )
        )
    return dict(result)


def summary(archive: Path, known_taxa: set[str]) -> Counter:
    counts: Counter = Counter()
    for occ in read_archive(archive):
        counts["in graph" if slug(occ.species) in known_taxa else "species not in graph"] += 1
    return counts
