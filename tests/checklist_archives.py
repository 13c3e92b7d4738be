"""Small Darwin Core checklist archives the tests write (Taxon core, Distribution extension, EML): valid, and
broken in each way. Written with a fixed timestamp, so the same archive has the same sha256 on every run."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ingest import checklists
from kg.namespaces import HIGHER_RANKS

DWC = "http://rs.tdwg.org/dwc/terms/"
TAXON_TERMS = [
    "taxonID",
    "scientificName",
    "scientificNameAuthorship",
    *HIGHER_RANKS,
    "specificEpithet",
    "taxonRank",
    "taxonomicStatus",
]
DIST_TERMS = ["locationID", "locality", "countryCode", "occurrenceStatus", "establishmentMeans"]


def taxon(taxon_id: str, canonical: str, authorship: str, classification: str, rank: str = "species") -> list[str]:
    """An accepted Taxon core row in TAXON_TERMS' order; ``classification``: kingdom to genus, space-separated."""
    epithet = canonical.split()[1] if rank == "species" else ""
    return [
        taxon_id,
        f"{canonical} {authorship}".strip(),
        authorship,
        *classification.split(),
        epithet,
        rank,
        "accepted",
    ]


TAXA = [
    taxon("1", "Iris laevigata", "Fisch.", "Plantae Tracheophyta Liliopsida Asparagales Iridaceae Iris"),
    taxon("2", "Oxytropis ochotensis", "Bunge", "Plantae Tracheophyta Magnoliopsida Fabales Fabaceae Oxytropis"),
    taxon("3", "Solidago canadensis", "L.", "Plantae Tracheophyta Magnoliopsida Asterales Asteraceae Solidago"),
    taxon("4", "Carex sp.", "", "Plantae Tracheophyta Liliopsida Poales Cyperaceae Carex", rank="genus"),
    taxon("5", "Carabus smaragdinus", "Fischer", "Animalia Arthropoda Insecta Coleoptera Carabidae Carabus"),
]
DISTRIBUTIONS = [
    ["1", "ISO3166-2:RU-PRI", "Primorsky Krai", "RU", "present", "native"],
    ["1", "TDWG:AMU", "Amur", "RU", "present", ""],
    ["2", "ISO3166-2:RU-MAG", "Magadan", "RU", "present", "native"],  # outside the basin
    ["3", "ISO3166-2:RU-PRI", "Primorsky Krai", "RU", "present", "introduced"],  # not native
    ["4", "ISO3166-2:RU-PRI", "Primorsky Krai", "RU", "present", "native"],  # not a species
    ["5", "ISO3166-2:RU-PRI", "Primorsky Krai", "RU", "present", "native"],  # a group the graph does not cover
]
EML = """<?xml version="1.0" encoding="UTF-8"?>
<eml:eml xmlns:eml="eml://ecoinformatics.org/eml-2.1.1" packageId="x" system="x">
<dataset><alternateIdentifier>https://doi.org/10.15468/abc123</alternateIdentifier>
<title>Vascular plants of Primorye (test)</title>
<intellectualRights><para>This work is licensed under a <ulink url="x"><citetitle>CC-BY 4.0</citetitle></ulink>.</para>
</intellectualRights></dataset></eml:eml>"""


def meta_xml(core_row_type: str = DWC + "Taxon", with_distribution: bool = True) -> str:
    core_fields = "".join(f'<field index="{i}" term="{DWC}{t}"/>' for i, t in enumerate(TAXON_TERMS))
    ext_fields = "".join(f'<field index="{i + 1}" term="{DWC}{t}"/>' for i, t in enumerate(DIST_TERMS))
    extension = (
        (
            f'<extension encoding="UTF-8" fieldsTerminatedBy="\\t" linesTerminatedBy="\\n" ignoreHeaderLines="1" '
            f'rowType="{checklists.DISTRIBUTION}"><files><location>distribution.txt</location></files>'
            f'<coreid index="0"/>{ext_fields}</extension>'
        )
        if with_distribution
        else ""
    )
    return (
        f'<archive xmlns="http://rs.tdwg.org/dwc/text/" metadata="eml.xml">'
        f'<core encoding="UTF-8" fieldsTerminatedBy="\\t" linesTerminatedBy="\\n" ignoreHeaderLines="1" '
        f'rowType="{core_row_type}"><files><location>taxon.txt</location></files><id index="0"/>{core_fields}'
        f"</core>{extension}</archive>"
    )


def table(header: list[str], rows: list[list[str]]) -> str:
    return "\n".join("\t".join(r) for r in [header, *rows]) + "\n"


def write_archive(path, meta: str | None = None, distributions=DISTRIBUTIONS, taxa=TAXA, eml: str = EML):
    members = {
        "meta.xml": meta if meta is not None else meta_xml(),
        "eml.xml": eml,
        "taxon.txt": table(["id", *TAXON_TERMS[1:]], taxa),
        "distribution.txt": table(["id", *DIST_TERMS], distributions),
    }
    with zipfile.ZipFile(path, "w") as z:
        for name, text in members.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0)), text)
    return path


def archive_meta(core_type: str, core_terms: list[str], dist_terms: list[str] | None, eml: bool) -> str:
    """meta.xml of a Taxon-core archive with these fields (after the id), and a Distribution extension unless
    ``dist_terms`` is None."""

    def fields(terms: list[str], first: int) -> str:
        return "".join(f'<field index="{first + i}" term="{t}"/>' for i, t in enumerate(terms))

    attributes = 'encoding="UTF-8" fieldsTerminatedBy="\\t" linesTerminatedBy="\\n" ignoreHeaderLines="1"'
    extension = (
        ""
        if dist_terms is None
        else (
            f'<extension {attributes} rowType="{checklists.DISTRIBUTION}"><files><location>distribution.txt</location>'
            f'</files><coreid index="0"/>{fields(dist_terms, 1)}</extension>'
        )
    )
    metadata = ' metadata="eml.xml"' if eml else ""
    return (
        f'<archive xmlns="http://rs.tdwg.org/dwc/text/"{metadata}><core {attributes} rowType="{core_type}">'
        f'<files><location>taxon.txt</location></files><id index="0"/>{fields(core_terms, 1)}</core>'
        f"{extension}</archive>"
    )


def write_members(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, text in members.items():
            z.writestr(zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0)), text)
    return path
