"""The protection-list readers (rows in, listings out), the join to the graph's species, and bad input: a malformed
or changed list file stops the build naming the file and the row, and the old store keeps serving."""

from __future__ import annotations

import csv
import gzip
import io
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from sparql_live import make_store

from ingest import protection as p
from kg.build import pipeline as kgbuild
from kg.build import protection as protection_graph
from kg.store import layout as kgstore

HEADER = list(p.CN_ANIMAL_COLUMNS)


def animal(name: str, chinese: str, level: str = "一级", remark: str = "") -> list[str]:
    return [
        "脊索动物门 CHORDATA",
        "哺乳纲 MAMMALIA",
        "食肉目",
        "\u3000猫科#",
        f"\u3000\u3000{chinese}",
        name,
        level,
        remark,
    ]


def graph_taxon(name: str, kingdom: str = "Animalia", family: str = "", order: str = "") -> p.GraphTaxon:
    return p.GraphTaxon(
        key=name.lower().replace(" ", "-"),
        name=name,
        kingdom=kingdom,
        genus=name.split()[0],
        family=family,
        order=order,
    )


# --- China's animal list ------------------------------------------------------------------------------------------
def test_animal_rows_give_name_class_chinese_name_and_wild_only() -> None:
    rows = [
        HEADER,
        animal("Panthera tigris", "虎"),
        animal("Huso dauricus", "*鳇", "一级", "仅限野外种群"),
        animal("Cuora spp.", "*闭壳龟属所有种", "二级", "仅限野外种群"),
    ]
    tiger, kaluga, cuora = p.cn_animal_rows(rows, "animals.csv")
    assert (tiger.name, tiger.rank, tiger.levels, tiger.chinese_name, tiger.wild_only) == (
        "Panthera tigris",
        "species",
        ("I",),
        "虎",
        False,
    )
    assert (kaluga.chinese_name, kaluga.wild_only, kaluga.row) == ("鳇", True, "row 3")
    assert (cuora.name, cuora.rank, cuora.levels) == ("Cuora", "genus", ("II",))


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["门", "纲", "目"], animal("Panthera tigris", "虎")], "animals.csv: row 1: expected the columns"),
        ([HEADER, animal("Panthera tigris", "虎", "三级")], "animals.csv: row 2: protection level '三级'"),
        (
            [HEADER, animal("Panthera tigris", "虎"), animal("", "狼")],
            "animals.csv: row 3: '' is not a scientific name",
        ),
        ([HEADER, animal("Panthera tigris", "虎")[:6]], "animals.csv: row 2: expected 8 columns, found 6"),
    ],
)
def test_a_malformed_animal_row_names_file_and_row(rows, message) -> None:
    with pytest.raises(p.ProtectionListError, match=message.replace("(", r"\(").replace(")", r"\)")):
        p.cn_animal_rows(rows, "animals.csv")


# --- China's plant list ---------------------------------------------------------------------------------------------
PLANT_HEADER = list(p.CN_PLANT_COLUMNS)


def test_plant_rows_skip_headings_and_expand_exceptions() -> None:
    rows = [
        PLANT_HEADER,
        ["裸子植物 Gymnosperms"] * 5,
        ["红豆杉科", "Taxaceae", "", "", ""],
        ["红豆杉属（所有种）", "Taxus\u00a0spp.", "一级", "", ""],
        [
            "杓兰属（所有种，被列入一级保护的暖地杓兰除外）",
            "Cypripedium\u00a0spp. （excl.\u00a0C. subtropicum，C. plectrochilum）",
            "",
            "二级",
            "",
        ],
        ["红松", "Pinus koraiensis", "", "二级", ""],
        ["芍药属牡丹组（所有种）*", "Paeonia sect.\u00a0Moutan\u00a0spp.", "", "二级", ""],
        ["泽泻科", "Alismataceae", "", "二级", ""],
    ]
    taxus, cypripedium, pine, paeonia, heading = p.cn_plant_rows(rows, "plants.docx")
    assert (taxus.name, taxus.rank, taxus.levels, taxus.chinese_name) == ("Taxus", "genus", ("I",), "红豆杉属")
    assert cypripedium.excluded == ("Cypripedium subtropicum", "Cypripedium plectrochilum")
    assert p._excluded_names("Alsophila metteniana & A. denticulata", "Cyatheaceae") == (
        "Alsophila metteniana",
        "Alsophila denticulata",
    )
    assert (pine.name, pine.rank, pine.levels, pine.row) == ("Pinus koraiensis", "species", ("II",), "table row 6")
    assert (paeonia.rank, paeonia.genus) == ("section", "Paeonia")
    assert heading.rank == "family-heading"


def test_a_malformed_plant_row_names_file_and_row() -> None:
    rows = [PLANT_HEADER, ["红松", "Pinus koraiensis", "一级", "二级", ""]]
    with pytest.raises(p.ProtectionListError, match="plants.docx: table row 2: both"):
        p.cn_plant_rows(rows, "plants.docx")
    with pytest.raises(p.ProtectionListError, match="plants.docx: table row 2: class cells '三级'"):
        p.cn_plant_rows([PLANT_HEADER, ["红松", "Pinus koraiensis", "三级", "", ""]], "plants.docx")


# --- the CITES Index ------------------------------------------------------------------------------------------------
def cites(
    name: str,
    listing: str,
    annotation: str = "",
    rank: str = "SPECIES",
    synonyms: str = "",
    countries: str = "CN, RU",
    kingdom: str = "Plantae",
    taxon_id: str = "1",
) -> dict[str, str]:
    row = dict.fromkeys(p.CITES_COLUMNS, "")
    row.update(
        TaxonId=taxon_id,
        Kingdom=kingdom,
        FullName=name,
        RankName=rank,
        CurrentListing=listing,
        FullAnnotationEnglish=annotation,
        SynonymsWithAuthors=synonyms,
        All_DistributionISOCodes=countries,
        Genus=name.split()[0],
    )
    return row


def test_cites_rows_parse_appendices_annotations_and_synonyms() -> None:
    rows = [
        cites(
            "Panax ginseng",
            "II/NC",
            "Appendix II:Only the population of the Russian Federation; no other "
            "population is included in the Appendices. ",
            synonyms="Aralia ginseng (C.A. Meyer) Baill., Panax schinseng Nees.",
        ),
        cites("Cervus elaphus", "I/II/III/NC", kingdom="Animalia"),
        cites("Nothing listed", "NC"),
    ]
    ginseng, deer = p.cites_rows(rows, "cites.csv.gz")
    assert ginseng.levels == ("II",) and ginseng.remark == "NC"
    assert ginseng.annotations[0][0] == "II" and "Russian Federation" in ginseng.annotations[0][1]
    assert ginseng.synonyms == ("Aralia ginseng", "Panax schinseng")
    assert p.cites_appendices(ginseng) == ("II",)
    assert p.cites_appendices(deer) == ()  # listed through its subspecies only: never widened to the species


def test_a_malformed_cites_row_names_file_and_row() -> None:
    with pytest.raises(p.ProtectionListError, match=r"cites.csv.gz: row 3 \(TaxonId 2\): CurrentListing 'IV'"):
        p.cites_rows([cites("Panax ginseng", "II"), cites("Pinus koraiensis", "IV", taxon_id="2")], "cites.csv.gz")
    row = cites("Panax ginseng", "II")
    del row["CurrentListing"]
    with pytest.raises(p.ProtectionListError, match="row 2: missing column"):
        p.cites_rows([row], "cites.csv.gz")


# --- the join -------------------------------------------------------------------------------------------------------
def test_join_exact_synonym_genus_row_scope_and_exceptions() -> None:
    listings = (
        p.cn_animal_rows([HEADER, animal("Panthera tigris", "虎"), animal("Buteo buteo", "普通鵟", "二级")], "a.csv")
        + p.cn_plant_rows(
            [
                PLANT_HEADER,
                ["红豆杉属（所有种）", "Taxus spp.", "一级", "", ""],
                ["杓兰属（所有种）", "Cypripedium spp. （excl. C. guttatum）", "", "二级", ""],
                ["人参属（所有种）", "Panax spp.", "", "二级", ""],
            ],
            "p.docx",
        )
        + p.cites_rows(
            [
                cites(
                    "Panax ginseng",
                    "II/NC",
                    "Appendix II:Only the population of the Russian Federation; "
                    "no other population is included in the Appendices. ",
                ),
                cites("Pinus koraiensis", "III", "Appendix III: ", taxon_id="2"),
                cites(
                    "Buteo buteo",
                    "II",
                    "Appendix II: ",
                    synonyms="Buteo japonicus Temminck & Schlegel, 1844",
                    kingdom="Animalia",
                    taxon_id="3",
                ),
                cites(
                    "Euphorbia",
                    "I/II/NC",
                    "Appendix II:Succulent species are included in Appendix II. "
                    "Other species are not included in the Appendices.",
                    rank="GENUS",
                    taxon_id="4",
                ),
            ],
            "c.csv.gz",
        )
    )
    taxa = [
        graph_taxon("Panthera tigris"),
        graph_taxon("Buteo japonicus"),
        graph_taxon("Taxus cuspidata", "Plantae"),
        graph_taxon("Panax ginseng", "Plantae"),
        graph_taxon("Pinus koraiensis", "Plantae"),
        graph_taxon("Cypripedium guttatum", "Plantae"),
        graph_taxon("Cypripedium macranthos", "Plantae"),
        graph_taxon("Euphorbia fischeriana", "Plantae"),
    ]
    report = p.join(listings, taxa, {"Pinus koraiensis": "RU"})
    got = {(s.taxon, s.listing.list_id, s.level): s for s in report.statuses}
    assert got[("panthera-tigris", "cn-key-animals-2021", "I")].route == "exact"
    buzzard = got[("buteo-japonicus", "cites", "II")]
    assert buzzard.route == "synonym" and "Buteo buteo = Buteo japonicus" in buzzard.matched
    yew = got[("taxus-cuspidata", "cn-key-plants-2021", "I")]
    assert yew.route == "genus-row" and "every species of the genus" in yew.matched
    ginseng = got[("panax-ginseng", "cites", "II")]
    assert ginseng.scope_countries == ("RU",) and "Only the population of the Russian Federation" in ginseng.scope
    pine = got[("pinus-koraiensis", "cites", "III")]
    assert pine.scope_countries == ("RU",) and "listed by Russian Federation" in pine.scope
    assert ("cypripedium-guttatum", "cn-key-plants-2021", "II") not in got  # excepted by the genus row
    assert ("cypripedium-macranthos", "cn-key-plants-2021", "II") in got
    assert not any(s.taxon == "euphorbia-fischeriana" for s in report.statuses)  # "succulent species" only
    summary = report.summary()
    assert summary["cites"]["joined_rows"] == {"exact": 2, "synonym": 1}
    assert summary["cn-key-plants-2021"]["joined_rows"] == {"genus-row": 3}
    reasons = {row["name"]: row["reason"] for row in summary["cites"]["not_joined_rows"]}
    assert "restricted by its annotation" in reasons["Euphorbia"]


def test_graph_statuses_carry_list_class_date_scope_evidence_and_chinese_name() -> None:
    from rdflib.namespace import XSD

    from kg.namespaces import AMUR, DWC, iri

    listings = p.cn_animal_rows([HEADER, animal("Huso dauricus", "*鳇", "一级", "仅限野外种群")], "a.csv")
    report = p.join(listings, [graph_taxon("Huso dauricus")])
    graph = protection_graph.to_graphs(report)[p.CN_SOURCE]
    status = protection_graph.status_iri("huso-dauricus", "cn-key-animals-2021", "I")
    assert (iri("taxon", "huso-dauricus"), AMUR.protectionStatus, status) in graph
    assert graph.value(status, AMUR.wildPopulationsOnly).toPython() is True
    assert graph.value(status, AMUR.validOn).datatype == XSD.date
    assert (protection_graph.list_iri("cn-key-animals-2021"), AMUR.instanceOfAction, iri("action", "5.1.2")) in graph
    evidence = graph.value(status, AMUR.evidence)
    assert "row 2" in str(graph.value(evidence, AMUR.sourceRow))
    assert str(graph.value(iri("taxon", "huso-dauricus"), DWC.vernacularName)) == "鳇"


# --- bad files: the build stops naming file and row, the old store keeps serving ------------------------------
@pytest.fixture
def list_copies(tmp_path: Path, sources_dir: Path) -> dict[str, Path]:
    copies = {}
    for sid in (p.CN_SOURCE, p.CITES_SOURCE):
        for path in (sources_dir / sid).iterdir():
            if path.name.startswith("LICENSE"):
                continue
            target = tmp_path / "lists" / sid / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
            copies[path.name] = target
    return copies


def located(copies: dict[str, Path]) -> dict[str, dict[str, Path]]:
    return {
        p.CN_SOURCE: {
            f"{p.CN_SOURCE}/{p.CN_ANIMALS_FILE}": copies[p.CN_ANIMALS_FILE],
            f"{p.CN_SOURCE}/{p.CN_PLANTS_FILE}": copies[p.CN_PLANTS_FILE],
        },
        p.CITES_SOURCE: {f"{p.CITES_SOURCE}/{p.CITES_FILE}": copies[p.CITES_FILE]},
    }


def corrupt_animal_level(path: Path) -> None:
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    rows[72][6] = "特级"  # Panthera tigris, row 73 of the file
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8-sig")


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize(
    ("file", "damage", "message"),
    [
        (p.CN_ANIMALS_FILE, corrupt_animal_level, r"cn_key_wild_animals_2021.csv: row 73: protection level '特级'"),
        (p.CN_PLANTS_FILE, truncate, r"cn_key_wild_plants_2021.docx: not a readable DOCX file"),
        (p.CITES_FILE, truncate, r"Index_of_CITES_Species_2017-04-21.csv.gz: not a readable gzip CSV file"),
    ],
)
def test_a_damaged_list_stops_the_build_naming_the_file_and_the_old_store_serves(
    file, damage, message, list_copies, tmp_path, sources_dir, monkeypatch
) -> None:
    damage(list_copies[file])
    old = make_store(
        tmp_path,
        [
            ox.Quad(
                ox.NamedNode("http://example.org/old"),
                ox.NamedNode("http://example.org/p"),
                ox.Literal("old"),
                ox.NamedNode("http://example.org/g"),
            )
        ],
    )
    before = kgstore.current_build(old)

    def ingest_with_damaged_lists(*args, **kwargs):
        # the real protection step on the damaged copies (the species readers are not under test)
        kgbuild.ingest_protection(located(list_copies), {}, {}, lambda m: None, tmp_path / "cache")
        raise AssertionError("the damaged list was read")

    monkeypatch.setattr(kgbuild, "ingest", ingest_with_damaged_lists)
    with pytest.raises(kgbuild.BuildError, match=message):
        kgbuild.build(sources_dir, old, force=True, echo=lambda m: None)
    assert kgstore.current_build(old) == before
    store = kgstore.open_read_only(old)
    assert len(list(store.quads_for_pattern(None, None, ox.Literal("old")))) == 1


def test_a_changed_list_file_fails_verification_naming_it(tmp_path: Path, sources_dir: Path) -> None:
    from kg.sources import registry

    staged = tmp_path / "sources"
    for source in registry.SOURCES:
        for file in source.files:
            (staged / file).parent.mkdir(parents=True, exist_ok=True)
            (staged / file).symlink_to(sources_dir / file)
    changed = staged / p.CN_SOURCE / p.CN_ANIMALS_FILE
    changed.unlink()
    changed.write_bytes((sources_dir / p.CN_SOURCE / p.CN_ANIMALS_FILE).read_bytes() + b"\n")
    with pytest.raises(registry.SourceError, match=r"cn_key_wild_animals_2021.csv: sha256 mismatch"):
        registry.verify(staged, [registry.BY_ID[p.CN_SOURCE]])


def test_the_cites_extract_is_cached(tmp_path: Path, sources_dir: Path) -> None:
    # the first 400 rows of the Index, gzipped again: the cache on a small file (the real one takes 10-50 s to parse)
    with gzip.open(sources_dir / p.CITES_SOURCE / p.CITES_FILE, "rt", encoding="utf-8", newline="") as handle:
        lines = [next(handle) for _ in range(401)]
    small = tmp_path / p.CITES_FILE
    with gzip.open(small, "wt", encoding="utf-8", newline="") as handle:
        handle.writelines(lines)
    first = p.read_cites(small, tmp_path / "cache")
    assert len(list((tmp_path / "cache").glob("cites-listings-*.json"))) == 1
    assert p.read_cites(small, tmp_path / "cache") == first == p.read_cites(small)
    assert len(first) == 400 and {listing.list_id for listing in first} == {"cites"}
