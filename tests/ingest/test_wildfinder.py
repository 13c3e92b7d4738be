"""WildFinder 2006: names joined to MDD 1.13 by named routes, rows as high-confidence placements, admissions."""

from __future__ import annotations

import csv
import random

import pytest

from ingest import wildfinder
from ingest.wildfinder import WildFinderSpecies

TIGER_BOX = (66.9, 147.5, -11.6, 57.3)  # reaches every core point of the basin
EUROPE_BOX = (-10.0, 60.0, 35.0, 70.0)  # stays away from the basin


def mdd(name: str, countries: str = "Russia|China", **extra) -> dict:
    genus, epithet = name.split()
    row = {
        "sciName": name.replace(" ", "_"),
        "id": str(abs(hash(name)) % 100000),
        "genus": genus,
        "specificEpithet": epithet,
        "order": "Carnivora",
        "family": "Felidae",
        "countryDistribution": countries,
        "originalNameCombination": name,
        "nominalNames": f"{epithet} Author, 1800",
        "taxonomyNotes": "NA",
        "MSW3_sciName": name.replace(" ", "_"),
        "iucnStatus": "LC",
        "extinct": "0",
        "domestic": "0",
    }
    row.update(extra)
    return row


def wf(name: str, *ecoregions: str, order: str = "Carnivora", family: str = "Felidae") -> WildFinderSpecies:
    return WildFinderSpecies(
        species_id=str(abs(hash(name)) % 100000),
        name=name,
        order=order,
        family=family,
        ecoregions=ecoregions or ("PA0443",),
    )


def index(rows, held=(), boxes=None):
    names = [r["sciName"].replace("_", " ") for r in rows]
    rb = {n: TIGER_BOX for n in names} if boxes is None else boxes
    return wildfinder.MddIndex(rows, set(held), rb, {})


def test_exact_name_of_a_basin_species():
    rows = [mdd("Panthera tigris")]
    assert wildfinder.join(wf("Panthera tigris"), index(rows, held={"Panthera tigris"})).route == "exact"
    # not held but listed in a basin country with a box reaching the basin: still exact (admission decides)
    assert wildfinder.join(wf("Panthera tigris"), index(rows)).mdd_name == "Panthera tigris"


def test_msw3_name_and_spelling():
    manul = mdd("Otocolobus manul", MSW3_sciName="Otocolobus_manul", originalNameCombination="Felis manul")
    join = wildfinder.join(wf("Felis manul"), index([manul], held={"Otocolobus manul"}))
    assert (join.mdd_name, join.route) == ("Otocolobus manul", "original-combination")
    fortis = mdd(
        "Alexandromys fortis",
        MSW3_sciName="Microtus_fortis",
        order="Rodentia",
        family="Cricetidae",
        originalNameCombination="Microtus fortis pelliceus",
    )  # a trinomial original is another taxon's
    join = wildfinder.join(wf("Microtus fortis", order="Rodentia", family="Cricetidae"), index([fortis]))
    assert (join.mdd_name, join.route) == ("Alexandromys fortis", "msw3")
    polecat = mdd("Mustela eversmanii", nominalNames="eversmanii Lesson, 1827")
    join = wildfinder.join(wf("Mustela eversmannii"), index([polecat]))
    assert (join.mdd_name, join.route) == ("Mustela eversmanii", "spelling")


def test_nominal_name_needs_a_tie_to_the_genus_and_the_same_order():
    vole = mdd(
        "Craseomys rufocanus",
        order="Rodentia",
        family="Cricetidae",
        MSW3_sciName="Myodes_rufocanus",
        nominalNames="rufocanus (Sundevall, 1847)|shanseius O. Thomas, 1908",
        taxonomyNotes="includes shanseius; moved from Myodes (now Clethrionomys) to Craseomys",
    )
    deer = mdd(
        "Cervus canadensis",
        order="Artiodactyla",
        family="Cervidae",
        nominalNames="canadensis Erxleben, 1777|alashanicus Bobrinski & Flerov, 1935",
        taxonomyNotes="includes alashanicus",
    )
    idx = index([vole, deer], held={"Craseomys rufocanus", "Cervus canadensis"})
    rodent = {"order": "Rodentia", "family": "Cricetidae"}
    assert wildfinder.join(wf("Clethrionomys rufocanus", **rodent), idx).mdd_name == "Craseomys rufocanus"
    assert wildfinder.join(wf("Eothenomys shanseius", **rodent), idx).mdd_name == "Craseomys rufocanus"
    # a ground squirrel does not join a deer because the deer's synonyms hold its epithet
    squirrel = wildfinder.join(wf("Spermophilus alashanicus", order="Rodentia", family="Sciuridae"), idx)
    assert squirrel.mdd_name is None and squirrel.reason


def test_split_and_congener_follow_the_narrowed_concept():
    elaphus = mdd("Cervus elaphus", countries="United Kingdom|Russia", taxonomyNotes="previously included ...")
    canadensis = mdd("Cervus canadensis", taxonomyNotes="split from C. elaphus")
    idx = index([elaphus, canadensis], held={"Cervus canadensis"})
    join = wildfinder.join(wf("Cervus elaphus"), idx)
    assert (join.mdd_name, join.route) == ("Cervus canadensis", "split")
    meles = mdd("Meles meles", countries="United Kingdom|Russia", taxonomyNotes="previously included M. canescens")
    leucurus = mdd("Meles leucurus")
    idx = index(
        [meles, leucurus], held={"Meles leucurus"}, boxes={"Meles meles": EUROPE_BOX, "Meles leucurus": TIGER_BOX}
    )
    join = wildfinder.join(wf("Meles meles"), idx)
    assert (join.mdd_name, join.route) == ("Meles leucurus", "congener")


def test_unjoined_names_say_why():
    marten = mdd("Martes melampus", countries="Japan|South Korea?")
    join = wildfinder.join(wf("Martes melampus"), index([marten]))
    assert join.mdd_name is None and "outside Russia, China and Mongolia" in join.reason
    join = wildfinder.join(wf("Uncia uncia"), index([marten]))
    assert join.mdd_name is None and join.reason.startswith("no MDD 1.13 species")
    bats = [
        mdd(
            f"Myotis {e}",
            order="Chiroptera",
            family="Vespertilionidae",
            nominalNames=f"{e} A, 1900|mystacinus B, 1800",
            taxonomyNotes="NA",
        )
        for e in ("petax", "ikonnikovi")
    ]
    join = wildfinder.join(
        wf("Myotis mystacinus", order="Chiroptera", family="Vespertilionidae"),
        index(bats, held={"Myotis petax", "Myotis ikonnikovi"}),
    )
    assert join.mdd_name is None and join.reason.startswith("ambiguous")


def test_admission_rules():
    row = mdd("Vormela peregusna")
    assert wildfinder.admission(row, ["PA0804"], {"PA1314": 0.67}, TIGER_BOX) == wildfinder.RULE_ADMIT
    # placed only in marginal ecoregions: the Gobi part of PA1314, the Baikal side of PA0816
    assert (
        wildfinder.admission(row, ["PA1314", "PA0816"], {"PA1314": 0.67, "PA0816": 0.07}, TIGER_BOX)
        == wildfinder.EXCLUDE_MARGINAL
    )
    # a box that only comes near the basin's core is the edge of a steppe or desert range
    assert wildfinder.admission(row, ["PA0813"], {}, (90.0, 121.0, 40.0, 47.0)) == wildfinder.EXCLUDE_BOX_NEAR
    assert wildfinder.admission(mdd("Ursus maritimus"), ["PA0443"], {}, TIGER_BOX) == "exclude:marine"


def test_placements_are_high_and_point_at_the_row():
    species = [wf("Panthera tigris", "PA0443", "PA0816")]
    (placement,) = wildfinder.placements(species)  # PA0816 is not an ecoregion of the graph
    assert (placement.ecoregion, placement.method, placement.confidence) == ("PA0443", "wildfinder", "high")
    assert placement.source == "wildfinder-2006"
    assert placement.matched == f"{wildfinder.LINKS_FILE} row PA0443,{species[0].species_id} (Panthera tigris)"


# --- the real files ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def selection(sources_dir, source_cache):
    files = {
        "wildfinder-2006": sources_dir / "wildfinder-2006",
        "mdd-1.13": sources_dir / "mdd-1.13" / "MDD.zip",
        "pantheria-1.0": sources_dir / "pantheria-1.0" / "PanTHERIA_1-0_WR05_Aug2008.txt",
        "rangebuilder-2022": sources_dir / "rangebuilder-2022" / "sysdata.rda",
        "wwf-teow-2001": sources_dir / "wwf-teow-2001" / "pytsammalex-0.1.0-py2.py3-none-any.whl",
    }
    return wildfinder.read(files, cache_dir=source_cache)


def test_real_every_name_is_joined_or_reported(selection):
    joins = selection.joins.joins
    assert len(joins) == 155  # the species of the extract
    assert all(j.mdd_name or j.reason for j in joins)
    assert sum(v for k, v in selection.report.items() if k.startswith("join:")) == 155
    assert selection.report["rows"] == 634


@pytest.mark.parametrize(
    "name, mdd_name",
    [
        ("Felis manul", "Otocolobus manul"),
        ("Clethrionomys rufocanus", "Craseomys rufocanus"),
        ("Meles meles", "Meles leucurus"),
        ("Arvicola terrestris", "Arvicola amphibius"),
        ("Cervus elaphus", "Cervus canadensis"),
        ("Myotis daubentonii", "Myotis petax"),
        ("Panthera tigris", "Panthera tigris"),
    ],
)
def test_real_readme_cases_join(selection, name, mdd_name):
    (join,) = [j for j in selection.joins.joins if j.species.name == name]
    assert join.mdd_name == mdd_name


def test_real_marginal_ecoregions_are_computed(selection):
    assert set(selection.marginal) == {"PA0601", "PA0816", "PA1112", "PA1314"}


def test_real_placements_match_the_source_rows(selection, sources_dir):
    """A sample of source rows, each found as a high-confidence wildfinder placement of the joined species."""
    folder = sources_dir / "wildfinder-2006"
    with open(folder / wildfinder.MAMMALS_FILE, encoding="utf-8") as handle:
        names = {r["species_id"]: r["sci_name"] for r in csv.DictReader(handle)}
    with open(folder / wildfinder.LINKS_FILE, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    joined = {j.species.name: j.mdd_name for j in selection.joins.joined()}
    records = {r.scientific_name: r for r in selection.records if r.source == "wildfinder-2006"}
    sample = random.Random(13).sample(rows, 60)
    checked = 0
    for row in sample:
        name = names[row["species_id"]]
        if name not in joined or row["ecoregion_id"] == "PA0816" or joined[name] not in records:
            continue
        found = {
            (p.ecoregion, p.confidence, p.method)
            for p in records[joined[name]].placements
            if f",{row['species_id']} " in p.matched
        }
        assert (row["ecoregion_id"], "high", "wildfinder") in found, (name, row)
        checked += 1
    assert checked >= 40


def test_real_full_origin_file_reads_as_the_extract(sources_dir, tmp_path):
    """`amurkg fetch` gets the origin's full link file (the extract is nowhere online): filtered to the extract's
    ecoregions, it gives the same species and rows. The stand-in full file adds rows the filter must drop."""
    import shutil

    staged = sources_dir / "wildfinder-2006"
    full = tmp_path / "wildfinder-2006"
    full.mkdir()
    shutil.copy(staged / wildfinder.MAMMALS_FILE, full / wildfinder.MAMMALS_FILE)
    rows = (staged / wildfinder.LINKS_FILE).read_text(encoding="utf-8").splitlines()
    mammal = rows[1].split(",")[1]
    rows += ['"NA0517",' + mammal, '"PA0443",999999999']  # another ecoregion; a species that is no mammal
    (full / wildfinder.FULL_LINKS_FILE).write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert wildfinder.read_species(full) == wildfinder.read_species(staged)
