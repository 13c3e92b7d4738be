"""Checklist archives: small Darwin Core Archives written by the tests, valid and broken in each way."""

from __future__ import annotations

import zipfile

import pytest

from ingest import checklists

DWC = "http://rs.tdwg.org/dwc/terms/"
TAXON_TERMS = ["taxonID", "scientificName", "scientificNameAuthorship", "kingdom", "phylum", "class", "order",
               "family", "genus", "specificEpithet", "taxonRank", "taxonomicStatus"]
DIST_TERMS = ["locationID", "locality", "countryCode", "occurrenceStatus", "establishmentMeans"]

TAXA = [
    ["1", "Iris laevigata Fisch.", "Fisch.", "Plantae", "Tracheophyta", "Liliopsida", "Asparagales", "Iridaceae",
     "Iris", "laevigata", "species", "accepted"],
    ["2", "Oxytropis ochotensis Bunge", "Bunge", "Plantae", "Tracheophyta", "Magnoliopsida", "Fabales", "Fabaceae",
     "Oxytropis", "ochotensis", "species", "accepted"],
    ["3", "Solidago canadensis L.", "L.", "Plantae", "Tracheophyta", "Magnoliopsida", "Asterales", "Asteraceae",
     "Solidago", "canadensis", "species", "accepted"],
    ["4", "Carex sp.", "", "Plantae", "Tracheophyta", "Liliopsida", "Poales", "Cyperaceae", "Carex", "", "genus",
     "accepted"],
    ["5", "Carabus smaragdinus Fischer", "Fischer", "Animalia", "Arthropoda", "Insecta", "Coleoptera", "Carabidae",
     "Carabus", "smaragdinus", "species", "accepted"],
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
    extension = (f'<extension encoding="UTF-8" fieldsTerminatedBy="\\t" linesTerminatedBy="\\n" ignoreHeaderLines="1" '
                 f'rowType="{checklists.DISTRIBUTION}"><files><location>distribution.txt</location></files>'
                 f'<coreid index="0"/>{ext_fields}</extension>') if with_distribution else ""
    return (f'<archive xmlns="http://rs.tdwg.org/dwc/text/" metadata="eml.xml">'
            f'<core encoding="UTF-8" fieldsTerminatedBy="\\t" linesTerminatedBy="\\n" ignoreHeaderLines="1" '
            f'rowType="{core_row_type}"><files><location>taxon.txt</location></files><id index="0"/>{core_fields}'
            f'</core>{extension}</archive>')


def table(header: list[str], rows: list[list[str]]) -> str:
    return "\n".join("\t".join(r) for r in [header, *rows]) + "\n"


def write_archive(path, meta: str | None = None, distributions=DISTRIBUTIONS, taxa=TAXA):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("meta.xml", meta if meta is not None else meta_xml())
        z.writestr("eml.xml", EML)
        z.writestr("taxon.txt", table(["id", *TAXON_TERMS[1:]], taxa))
        z.writestr("distribution.txt", table(["id", *DIST_TERMS], distributions))
    return path


def test_a_valid_archive_adds_its_native_basin_species(tmp_path):
    source, selection = checklists.read(write_archive(tmp_path / "primorye-flora.zip"))
    assert source.id == "checklist-primorye-flora" and source.title == "Vascular plants of Primorye (test)"
    assert source.doi == "10.15468/abc123" and "CC-BY 4.0" in source.licence
    (record,) = selection.records
    assert (record.scientific_name, record.authorship, record.family, record.group, record.source, record.row_id) == (
        "Iris laevigata", "Fisch.", "Iridaceae", "plant", "checklist-primorye-flora", "1")
    assert record.rule == checklists.RULE and record.confidence == "medium"
    assert record.matched == "Primorsky Krai (ISO3166-2:RU-PRI); Amur (TDWG:AMU)"
    by_eco = {(p.ecoregion, p.confidence) for p in record.placements}
    assert ("PA0443", "medium") in by_eco and ("PA0907", "medium") in by_eco  # Primorye
    assert ("PA0901", "low") in by_eco  # Amur Oblast: only partly in the basin's lowland steppe, a broad region
    assert all(p.method == "gazetteer" and p.source == source.id for p in record.placements)
    assert selection.report == {checklists.RULE: 1, checklists.EXCLUDE_OUTSIDE: 1, checklists.EXCLUDE_NOT_NATIVE: 1,
                                checklists.EXCLUDE_RANK: 1, checklists.EXCLUDE_GROUP: 1}


def test_every_region_maps_to_gazetteer_ecoregions():
    from ingest import gazetteer

    for code, region in checklists.REGIONS.items():
        assert checklists._CODE.match(code), code
        assert gazetteer.PLACES[region.place], code


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b"not a zip at all"), "not a zip file"),
        (lambda p: write_archive(p, meta=meta_xml(core_row_type=DWC + "Occurrence")), "not http://rs.tdwg.org/dwc"),
        (lambda p: write_archive(p, meta=meta_xml(with_distribution=False)), "no Distribution extension"),
        (lambda p: write_archive(p, distributions=[]), "Distribution extension has no rows"),
        (lambda p: write_archive(p, distributions=[["1", "Primorye", "", "RU", "present", "native"]]),
         "unknown location code 'Primorye'"),
    ],
)
def test_broken_archives_are_refused_with_the_file_and_the_fault(tmp_path, make, message):
    archive = tmp_path / "broken.zip"
    make(archive)
    with pytest.raises(checklists.ChecklistError) as caught:
        checklists.read(archive)
    assert str(archive) in str(caught.value) and message in str(caught.value)


def test_a_missing_archive_is_refused(tmp_path):
    with pytest.raises(checklists.ChecklistError, match="not found"):
        checklists.read(tmp_path / "nowhere.zip")


def test_build_stops_on_a_bad_archive_before_touching_the_store(tmp_path, sources_dir):
    from kg.build import BuildError, build

    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"broken")
    store = tmp_path / "store"
    with pytest.raises(BuildError, match="bad.zip: not a zip file"):
        build(sources_dir, store, checklists=(bad,), echo=lambda m: None, cache_dir=tmp_path / "cache")
    assert not store.exists()
