"""Selection rules of the plant reader on hand-made rows, then the real checklist and red list."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import ecoregions, plants
from ingest.records import CATEGORIES, Selection

# the plants are placed through Heilongjiang and Jilin: in the ecoregions lying mainly in the basin, never in the
# marginal fifteenth (the Eastern Gobi, docs/decisions/0003)
BASIN_ECOREGIONS = set(ecoregions.BASIN_ECOREGIONS) - {"PA1314"}


def row(distribution: str | None = "黑龙江、吉林、辽宁", **overrides) -> dict:
    """A checklist row of a wild vascular species, changed by ``overrides``."""
    base = {
        "name_code": "T0001",
        "canonical_name": "Tilia amurensis",
        "kingdom": "Plantae",
        "phylum": "Tracheophyta",
        "class": "Magnoliopsida",
        "order": "Malvales",
        "family": "Malvaceae",
        "genus": "Tilia",
        "species": "amurensis",
        "infraspecies_marker": None,
        "infraspecies": None,
        "author": "Rupr.",
        "species_c": "紫椴",
        "species_c_py": "zǐ duàn",
        "distribution_c": distribution,
        "is_accepted_name": 1.0,
    }
    base.update(overrides)
    return base


def statuses(text: str) -> dict[str, str]:
    return {o.place: o.status for o in plants.parse_distribution(text)}


# --- distribution text ---------------------------------------------------------------------------------


def test_plain_list_is_wild():
    assert statuses("黑龙江、吉林、内蒙古") == {"heilongjiang": "wild", "jilin": "wild", "inner-mongolia": "wild"}


def test_list_prefix_covers_every_entry():
    assert set(statuses("栽培：黑龙江、吉林、北京").values()) == {"cultivated"}
    assert set(statuses("逸生：黑龙江、吉林").values()) == {"escaped"}
    assert set(statuses("存疑：新疆").values()) == {"doubtful"}


def test_forward_marker_covers_later_entries_only():
    # Pinus sylvestris
    assert statuses("黑龙江、吉林、内蒙古、栽培于辽宁、北京") == {
        "heilongjiang": "wild",
        "jilin": "wild",
        "inner-mongolia": "wild",
        "liaoning": "cultivated",
        "beijing": "cultivated",
    }
    assert statuses("栽培或逸生于黑龙江、辽宁")["heilongjiang"] == "escaped"


def test_wild_and_cultivated_in_one_province_stays_wild_somewhere():
    # Sauromatum giganteum lists Jilin twice
    occurrences = plants.parse_distribution("北京、吉林、甘肃、栽培于吉林、广东")
    assert {o.status for o in occurrences if o.place == "jilin"} == {"wild", "cultivated"}


def test_backward_marker_covers_the_list_before_it():
    # Nicotiana alata, Glebionis coronaria
    assert set(statuses("黑龙江、北京、江苏有栽培").values()) == {"cultivated"}
    assert set(statuses("在吉林、河北、海南等地栽培").values()) == {"cultivated"}
    assert statuses("东北、华北、西北各地区均有栽培") == {"northeast-china": "cultivated"}


def test_marker_without_place_is_a_note_about_elsewhere():
    # Callistephus chinensis: wild in the listed provinces, grown everywhere
    assert statuses("北京、黑龙江、吉林、各地广泛栽培")["heilongjiang"] == "wild"
    assert statuses("吉林、辽宁、山东、广泛栽培于中国的其它地区")["jilin"] == "wild"


def test_question_mark_doubts_one_entry():
    assert statuses("黑龙江、吉林、辽宁？、？内蒙古") == {
        "heilongjiang": "wild",
        "jilin": "wild",
        "liaoning": "doubtful",
        "inner-mongolia": "doubtful",
    }


def test_except_names_absent_provinces():
    assert statuses("除黑龙江、吉林、宁夏外、全国广布") == {
        "heilongjiang": "absent",
        "jilin": "absent",
        "ningxia": "absent",
    }
    assert statuses("全国除甘肃、青海外均产") == {"gansu": "absent", "qinghai": "absent"}


def test_northeast_china_forms():
    for text in ("东北", "中国东北部", "中国东北地区", "东北各省", "内蒙古、中国东北部和西北部"):
        assert statuses(text)["northeast-china"] == "wild", text
    assert "northeast-china" not in statuses("云南东北部")
    assert statuses("栽培于中国东北部") == {"northeast-china": "cultivated"}
    assert statuses("主产中国黄河流域、北部和东北部") == {"northeast-china": "cultivated"}


def test_empty_text():
    assert plants.parse_distribution(None) == []
    assert plants.parse_distribution("台湾\u3000") == [plants.Occurrence("taiwan", "wild", "台湾")]


# --- row rules -----------------------------------------------------------------------------------------


def test_wild_heilongjiang_or_jilin_is_selected_high():
    assert plants.select_row(row("黑龙江、吉林、辽宁")) == (plants.RULE_PROVINCE, "黑龙江、吉林", "high")
    assert plants.select_row(row("吉林、辽宁")) == (plants.RULE_PROVINCE, "吉林", "high")


def test_northeast_only_is_selected_medium():
    assert plants.select_row(row("辽宁、中国东北部")) == (plants.RULE_REGION, "中国东北部", "medium")


NATIONWIDE = "、".join(name for name in plants.PROVINCES if name != "内蒙")  # the 34 province-level units


def test_nationwide_list_is_selected_medium():
    assert len(NATIONWIDE.split("、")) == 34
    assert plants.select_row(row(NATIONWIDE)) == (plants.RULE_NATIONWIDE, "黑龙江、吉林", "medium")


@pytest.mark.parametrize(
    ("name", "text", "rule"),
    [
        ("cultivated-only", "栽培：黑龙江、吉林、北京", plants.EXCLUDE_CULTIVATED),
        ("cultivated-from-here", "栽培于黑龙江、天津", plants.EXCLUDE_CULTIVATED),
        ("cultivated-backward", "黑龙江、北京、江苏有栽培", plants.EXCLUDE_CULTIVATED),
        ("escaped-only", "逸生：黑龙江、吉林、辽宁", plants.EXCLUDE_ESCAPED),
        ("naturalised", "吉林、河北、福建归化", plants.EXCLUDE_ESCAPED),
        ("doubtful-only", "黑龙江？、新疆", plants.EXCLUDE_DOUBTFUL),
        ("stated-absent", "除黑龙江、吉林、辽宁外、全国广布", plants.EXCLUDE_ABSENT),
        ("northeast-cultivated", "东北有栽培", plants.EXCLUDE_CULTIVATED),
    ],
)
def test_non_wild_northeast_is_excluded(name, text, rule):
    assert plants.select_row(row(text)) == (rule, "", "")


@pytest.mark.parametrize("text", ["辽宁、内蒙古、河北", "云南、广西", "国内各省栽培", "遍布全国", None, ""])
def test_wrong_or_no_province_is_out_of_scope(text):
    assert plants.select_row(row(text)) is None


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({"phylum": "Bryophyta", "class": "Bryopsida"}, plants.EXCLUDE_NON_VASCULAR),
        ({"phylum": "Marchantiophyta"}, plants.EXCLUDE_NON_VASCULAR),
        (
            {
                "canonical_name": "Tilia amurensis var. taquetii",
                "infraspecies_marker": "var.",
                "infraspecies": "taquetii",
            },
            plants.EXCLUDE_INFRASPECIFIC,
        ),
        (
            {"canonical_name": "Acer tataricum subsp. ginnala", "infraspecies_marker": "subsp."},
            plants.EXCLUDE_INFRASPECIFIC,
        ),
        (
            {"canonical_name": "Platycladus orientalis 'Sieboldii'", "infraspecies": "'Sieboldii'"},
            plants.EXCLUDE_CULTIVAR,
        ),
        ({"canonical_name": "Sorghum bicolor cv. Nervosum"}, plants.EXCLUDE_CULTIVAR),
        (
            {"canonical_name": "Bolbitis angustipinna × sinensis", "infraspecies_marker": "×"},
            plants.EXCLUDE_HYBRID_FORMULA,
        ),
        ({"is_accepted_name": 0.0}, plants.EXCLUDE_NOT_ACCEPTED),
    ],
)
def test_not_a_vascular_species_is_excluded(overrides, rule):
    assert plants.select_row(row("黑龙江", **overrides)) == (rule, "", "")


def test_nothospecies_is_a_species():
    hybrid = row("东北", canonical_name="Circaea × dubia", genus="Circaea", species="dubia")
    assert plants.select_row(hybrid) == (plants.RULE_REGION, "东北", "medium")
    spiraea = row("黑龙江", canonical_name="Spiraea × vanhouttei", species=None, infraspecies_marker="×")
    assert plants.select_row(spiraea)[0] == plants.RULE_PROVINCE


def test_species_promoted_through_its_subspecies():
    species = row("甘肃、安徽、广东", canonical_name="Acer tataricum", genus="Acer", species="tataricum")
    ginnala = row(
        "黑龙江、吉林、辽宁",
        canonical_name="Acer tataricum subsp. ginnala",
        genus="Acer",
        species="tataricum",
        infraspecies_marker="subsp.",
    )
    assert plants.promote_infraspecies(species, [ginnala]) == (
        plants.RULE_INFRASPECIES,
        "Acer tataricum subsp. ginnala: 黑龙江、吉林",
        "medium",
    )


def test_crop_is_not_promoted_through_its_varieties():
    grown = row("台湾、栽培于全中国", canonical_name="Vigna angularis")
    variety = row("黑龙江、吉林", canonical_name="Vigna angularis var. angularis", infraspecies_marker="var.")
    assert plants.promote_infraspecies(grown, [variety]) is None
    # the nationwide boilerplate of a cultivated variety (Cucumis sativus var. sativus) does not promote
    wild_elsewhere = row("广西、贵州、云南", canonical_name="Cucumis sativus")
    nationwide = row(NATIONWIDE, infraspecies_marker="var.")
    assert plants.promote_infraspecies(wild_elsewhere, [nationwide]) is None


# made-up shares: Heilongjiang mostly PA0426 with a sliver of PA0443; Jilin almost wholly PA0414
SHARES = {
    "heilongjiang": {"PA0426": 0.6, "PA0505": 0.39, "PA0443": 0.01},
    "jilin": {"PA0414": 0.95, "PA0426": 0.05},
    "northeast-china": {"PA0426": 0.97, "PA0414": 0.03},
}


def test_placements_are_weighed_by_the_province_share():
    heilongjiang = {p.ecoregion: p for p in plants.placements(plants.parse_distribution("黑龙江"), SHARES)}
    # a province spread over several ecoregions is only possibly in each; a sliver places nothing
    assert {code: p.confidence for code, p in heilongjiang.items()} == {"PA0426": "low", "PA0505": "low"}
    assert heilongjiang["PA0426"].matched == "黑龙江 60% of the province's area"
    assert all(p.method == "province" for p in heilongjiang.values())
    # almost wholly in one ecoregion: recorded there (medium)
    jilin = {p.ecoregion: p.confidence for p in plants.placements(plants.parse_distribution("吉林"), SHARES)}
    assert jilin == {"PA0414": "medium", "PA0426": "low"}
    both = {p.ecoregion: p for p in plants.placements(plants.parse_distribution("黑龙江、吉林"), SHARES)}
    assert both["PA0426"].matched == "黑龙江 60%、吉林 5% of the province's area"
    assert both["PA0414"].confidence == "medium"
    # a province wins over the vaguer Northeast China; the Northeast alone is low, however concentrated
    mixed = plants.placements(plants.parse_distribution("吉林、中国东北部"), SHARES)
    assert {p.matched.split(" ")[0] for p in mixed} == {"吉林"}
    northeast = plants.placements(plants.parse_distribution("中国东北部"), SHARES)
    assert northeast and {p.confidence for p in northeast} == {"low"}
    assert plants.placements(plants.parse_distribution("栽培：黑龙江"), SHARES) == []
    assert plants.placements(plants.parse_distribution("黑龙江"), None) == []


def test_real_province_shares(sources_dir, source_cache):
    shares = plants.province_shares(
        sources_dir / "wwf-teow-2001" / "pytsammalex-0.1.0-py2.py3-none-any.whl", source_cache
    )
    for place in ("heilongjiang", "jilin"):
        assert set(shares[place]) <= BASIN_ECOREGIONS, place
        # the basin's ecoregions cover the two provinces: their shares add up to the whole
        assert abs(sum(shares[place].values()) - 1) < 0.01, place
        # no province lies almost wholly in one ecoregion, so no province placement is recorded
        assert max(shares[place].values()) < 0.9, place
    assert shares["jilin"]["PA0414"] > 0.15  # Changbai Shan
    assert shares["jilin"].get("PA0903", 0) < 0.02  # a sliver of the Nenjiang grassland: no placement


def test_record_fields():
    record = plants.to_record(row("黑龙江"), plants.RULE_PROVINCE, "黑龙江", "high")
    assert record.scientific_name == "Tilia amurensis" and record.authorship == "Rupr."
    assert (record.kingdom, record.phylum, record.family, record.genus) == (
        "Plantae",
        "Tracheophyta",
        "Malvaceae",
        "Tilia",
    )
    assert record.identifiers == {"col-china": "T0001"} and record.row_id == "T0001"
    assert record.vernacular == [("紫椴", "zh"), ("zǐ duàn", "zh-Latn-pinyin")]
    assert record.group == "plant" and record.countries == ("CN",)


# --- red list ------------------------------------------------------------------------------------------


def redlist_row(name: str, category: str | None, criteria: str | None = None, chinese: str = "") -> dict:
    return {
        "species": name,
        "iucn_red_list_category": category,
        "iucn_red_list_criteria": criteria,
        "species_cn": chinese,
    }


def test_redlist_names_are_cleaned():
    assert (
        plants.redlist_name("Diphyscium chiapense var._x000D_\nunipapillosum")
        == "Diphyscium chiapense var. unipapillosum"
    )
    assert plants.redlist_name("Bupleurum Chinense") == "Bupleurum chinense"


def test_redlist_assessment():
    assessment = plants.redlist_assessment(redlist_row("Panax ginseng", "CR", "A2c"))
    assert (
        assessment.category,
        assessment.assessor,
        assessment.scope,
        assessment.year,
        assessment.source,
        assessment.criteria,
    ) == ("CR", "MEE-CAS", "CN", 2020, "cbrl-2020", "A2c")
    assert plants.redlist_assessment(redlist_row("Abies nephrolepis", "易危")).category == "VU"
    assert plants.redlist_assessment(redlist_row("学名", "评估等级")) is None  # a repeated header row
    assert plants.redlist_assessment(redlist_row("Abies nephrolepis", None)) is None
    assert set(plants.REDLIST_CATEGORIES.values()) <= set(CATEGORIES)


def test_redlist_lookup():
    redlist = plants.redlist_index(
        [
            redlist_row("Panax ginseng", "CR", "A2c", "人参"),
            redlist_row("Cimicifuga simplex", "LC", None, "单穗升麻"),
            redlist_row("Lysimachia barystachys", "LC", None, "虎尾草"),
            redlist_row("Tilia amurensis var. amurensis", "VU", None, "紫椴（原变种）"),
            redlist_row("Adiantum hispidulum", "NT"),
            redlist_row("Adiantum hispidulum", "LC"),
        ]
    )
    assert redlist.lookup("Panax ginseng", "人参")[1] == "name"
    assert redlist.lookup("Actaea simplex", "单穗升麻")[1] == "synonym"
    assert redlist.lookup("Chloris virgata", "虎尾草") == (None, "")  # same Chinese name, another plant
    assert redlist.lookup("Tilia amurensis", "紫椴") == (None, "")
    assert redlist.has_infraspecific("Tilia amurensis")
    assert redlist.lookup("Adiantum hispidulum", None)[0].category == "NT"
    assert redlist.conflicts == {"Adiantum hispidulum"}


def test_select_reports_each_rule():
    checklist = [
        row("黑龙江、吉林", name_code="T1", canonical_name="Panax ginseng", species_c="人参"),
        row("中国东北部", name_code="T2", canonical_name="Diarrhena mandshurica", species_c=None),
        row("栽培：黑龙江", name_code="T3", canonical_name="Ficus carica"),
        row("黑龙江", name_code="T4", phylum="Bryophyta"),
        row("云南", name_code="T5", canonical_name="Cyclea longgangensis"),
    ]
    selection = plants.select(checklist, [redlist_row("Panax ginseng", "CR", "A2c", "人参")])
    assert isinstance(selection, Selection)
    assert [r.row_id for r in selection.records] == ["T1", "T2"]
    assert selection.report == {
        plants.RULE_PROVINCE: 1,
        plants.RULE_REGION: 1,
        plants.EXCLUDE_CULTIVATED: 1,
        plants.EXCLUDE_NON_VASCULAR: 1,
        plants.JOIN_REDLIST: 1,
    }
    assert selection.records[0].assessments[0].category == "CR"


# --- real files ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_files(sources_dir: Path) -> dict[str, Path]:
    return {
        "col-china-2023": sources_dir / "col-china-2023" / "dat_all_accepted_sp2023.rda",
        "cbrl-2020": sources_dir / "cbrl-2020" / "dat_CBRL2020_higher_plants.rda",
        "wwf-teow-2001": sources_dir / "wwf-teow-2001" / "pytsammalex-0.1.0-py2.py3-none-any.whl",
    }


@pytest.fixture(scope="module")
def selection(real_files, source_cache) -> Selection:
    return plants.read(real_files, cache_dir=source_cache)


def test_cached_read_is_the_same(selection, real_files, source_cache, monkeypatch):
    """The second read comes from the checksum-keyed cache: the R parser is not called again."""
    assert len(list(source_cache.glob("plants-*.json"))) >= 2

    def no_parse(*args, **kwargs):
        raise AssertionError("the cache was bypassed: the .rda file was parsed again")

    monkeypatch.setattr(plants, "_parse_rda", no_parse)
    again = plants.read(real_files, cache_dir=source_cache)
    assert again.report == selection.report
    assert again.records == selection.records


@pytest.mark.parametrize(
    "name",
    [
        "Panax ginseng",
        "Pinus koraiensis",
        "Fraxinus mandshurica",
        "Juglans mandshurica",
        "Phellodendron amurense",
        "Quercus mongolica",
        "Tilia amurensis",
    ],
)
def test_known_basin_species_are_in(by_name, name):
    record = by_name[name]
    assert record.rule == plants.RULE_PROVINCE and record.confidence == "high"
    assert record.placements


@pytest.mark.parametrize("name", ["Ginkgo biloba", "Ficus carica", "Ailanthus altissima", "Petunia hybrida"])
def test_cultivated_or_absent_species_are_out(by_name, name):
    assert name not in by_name


def test_count_and_report(selection):
    assert 1800 <= len(selection.records) <= 3000
    admitted = sum(n for rule, n in selection.report.items() if not rule.startswith(("exclude:", "join:")))
    assert admitted == len(selection.records)
    assert selection.report[plants.EXCLUDE_NON_VASCULAR] > 0
    assert selection.report[plants.EXCLUDE_INFRASPECIFIC] > 0
    assert selection.report[plants.EXCLUDE_CULTIVATED] > 0
    assert selection.report[plants.EXCLUDE_ESCAPED] > 0


def test_every_record_is_complete(selection):
    assert len({r.row_id for r in selection.records}) == len(selection.records)
    assert len({r.scientific_name for r in selection.records}) == len(selection.records)
    for record in selection.records:
        assert record.phylum == "Tracheophyta" and record.kingdom == "Plantae"
        assert record.family and record.genus and record.class_ and record.order, record.scientific_name
        assert record.scientific_name.startswith(record.genus) or record.scientific_name.startswith("×")
        assert record.identifiers["col-china"] == record.row_id
        assert record.placements and {p.ecoregion for p in record.placements} <= BASIN_ECOREGIONS
        assert record.matched and record.confidence in ("high", "medium")


def test_redlist_joins(selection, by_name):
    assert by_name["Panax ginseng"].assessments[0].category == "CR"
    assert by_name["Panax ginseng"].assessments[0].criteria == "A2c"
    assert by_name["Phellodendron amurense"].assessments[0].category == "VU"
    assert by_name["Actaea simplex"].assessments[0].category == "LC"  # listed as Cimicifuga simplex
    joined = selection.report[plants.JOIN_REDLIST] + selection.report[plants.JOIN_REDLIST_SYNONYM]
    assert joined == sum(1 for r in selection.records if r.assessments) > 1000
    threatened = {
        r.scientific_name for r in selection.records for a in r.assessments if a.category in ("CR", "EN", "VU")
    }
    assert len(threatened) > 20


def test_province_placements_are_possible_not_recorded(by_name):
    # an alpine plant of Changbai Shan (Jilin) is not "recorded" in the Nenjiang River or Mongolian-Manchurian
    # grasslands because Jilin touches them: a province placement is possible (low) unless the province lies
    # almost wholly in one ecoregion, and the Nenjiang grassland holds a mere sliver of Jilin (no placement)
    placements = {p.ecoregion: p.confidence for p in by_name["Bupleurum euphorbioides"].placements}
    assert placements and set(placements.values()) == {"low"}
    assert "PA0903" not in placements and placements.get("PA0813") == "low"
    assert all(p.confidence == "low" for r in by_name.values() for p in r.placements if p.method == "province")
