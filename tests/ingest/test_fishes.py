"""Fish reader: water-body rules on hand-made FishBase rows, then the real FishBase snapshot.

FishBase's distribution and habitat text may select species but must never enter a record: the tests
check that a record carries only names, SpecCode, taxonomy and our canonical water-body names.
"""

from __future__ import annotations

import dataclasses

import pytest

from ingest import fishes
from ingest.records import CONFIDENCE

FRESH = "demersal; anadromous (Ref. 51243); freshwater; brackish; marine"


def row(
    distribution: str,
    habitat: str = "benthopelagic; freshwater",
    name: str = "Huso dauricus",
    code: int = 4633,
    family: str = "Acipenseridae",
    order: str = "Acipenseriformes",
    class_: str = "Actinopterygii",
) -> dict:
    return {
        "ScientificName": name,
        "Genus": name.split()[0],
        "Family": family,
        "Order": order,
        "Class": class_,
        "id": code,
        "distribution": distribution,
        "habitat": habitat,
    }


def allowed_strings(record) -> set[str]:
    """Every string a fish record may carry: names, ids, rule words and canonical place names."""
    places = (
        set(fishes.WATER_BODIES)
        | set(fishes.FAR_EAST)
        | set(fishes.NEIGHBOURS)
        | set(fishes.COUNTRIES)
        | {fishes.CIRCUMPOLAR}
    )
    matched_ok = all(part in places for part in record.matched.split("; "))
    assert matched_ok, record.matched
    return {
        record.source,
        record.row_id,
        record.group,
        record.scientific_name,
        record.kingdom,
        record.phylum,
        record.class_,
        record.order,
        record.family,
        record.genus,
        record.rule,
        record.matched,
        record.confidence,
        "fishbase",
        fishes.FRESHWATER_UNIT,
        "freshwater",
        "fishbase-2013",
        record.range_box_projection,
    }


def strings_of(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value):
        return strings_of(dataclasses.asdict(value))
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_of(v)]  # keys are field or scheme names
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in strings_of(v)]
    return []


def assert_no_fishbase_text(record) -> None:
    allowed = allowed_strings(record)
    for text in strings_of(dataclasses.asdict(record)):
        assert text in allowed, f"{record.scientific_name}: unexpected text {text!r}"


# --- small rules ---------------------------------------------------------------------------------


def test_kaluga_is_in_with_its_water_bodies():
    kaluga = row(
        "Asia:  Amur basin, ascending far up to the Argun, Shilka, and Onon.  In the Amur Liman to the "
        "Amur estuary in the Sea of Okhotsk.  Also in the Ussuri and Sungari, China.",
        FRESH,
    )
    decision = fishes.decide(kaluga)
    assert (decision.rule, decision.confidence) == (fishes.RULE_WATER_BODY, "high")
    assert decision.place_names == ("Amur", "Argun", "Shilka", "Onon", "Ussuri", "Songhua")
    record = fishes.to_record(kaluga, decision)
    (placement,) = record.placements
    assert (placement.ecoregion, placement.method, placement.confidence, placement.source) == (
        "FW-RFE",
        "freshwater",
        "high",
        "fishbase-2013",
    )
    assert placement.matched == record.matched == "Amur; Argun; Shilka; Onon; Ussuri; Songhua"
    assert_no_fishbase_text(record)


def test_chinese_sturgeon_is_out():
    sinensis = row(
        "Northwest Pacific:  China and Japan (Sagami Sea) (Ref. 4537).  Reported from Korea (Ref. 12218).  "
        "Pearl River and Chinese sea (Ref. 42845).",
        FRESH,
        name="Acipenser sinensis",
    )
    assert fishes.decide(sinensis) is None


@pytest.mark.parametrize(
    ("distribution", "water_bodies"),
    [
        ("Asia:  Endemic to the Amur River system.", ("Amur",)),
        ("Asia:  Basin of lake Khank, Sungari River; southwest Korea.", ("Khanka", "Songhua")),
        ("Asia:  Hu-lun Lake (Dalai-Nor), China.", ("Hulun",)),
        ("Asia:  Heilongjiang River, China.", ("Amur",)),
        ("Asia:  Lake Buir, Onon and Kherlen drainages in Mongolia.", ("Onon", "Kherlen", "Buir")),
        ("Asia:  Lower and middle part of the Amur, Zeya, Ussuri, Lake Khanka.", ("Amur", "Ussuri", "Khanka", "Zeya")),
    ],
)
def test_water_body_names(distribution, water_bodies):
    decision = fishes.decide(row(distribution))
    assert decision.rule == fishes.RULE_WATER_BODY and set(decision.place_names) == set(water_bodies)


@pytest.mark.parametrize(
    ("distribution", "habitat", "rule"),
    [
        # Amur Bay = Amurskiy Zaliv, a bay of Peter the Great Gulf: marine, not the river
        (
            "Northwest Pacific:  Peter the Great Bay, Amurskiy Zaliv and Ussuriyskiy Bay.",
            "demersal; brackish; marine",
            fishes.EXCLUDE_FALSE_HIT,
        ),
        ("Asia:  Amur Bay near Vladivostok.", "demersal; brackish", fishes.EXCLUDE_FALSE_HIT),
        ("Asia:  Sungari Kinarom in Sabah, Malaysia.", "demersal; freshwater", fishes.EXCLUDE_FALSE_HIT),
        (
            "Europe:  Terek basin, including the Argun River in Chechnya.",
            "benthopelagic; freshwater",
            fishes.EXCLUDE_FALSE_HIT,
        ),
        # coastal range limits
        (
            "Northwest Pacific:  Japan; and from the Amur River southward to Xiamen through the Korean Peninsula.",
            "pelagic-neritic; catadromous; freshwater; brackish; marine",
            fishes.EXCLUDE_COASTAL,
        ),
        (
            "Asia:  Amur Liman, Peter the Great Bay and South Sakhalin.",
            "demersal; freshwater; brackish; marine",
            fishes.EXCLUDE_COASTAL,
        ),
        # marine species naming the Amur's mouth
        (
            "North Pacific:  Sea of Okhotsk from mouth of Amur River to Aniva Bay.",
            "demersal; marine; depth range 0 - 761 m",
            fishes.EXCLUDE_MARINE,
        ),
        (
            "Asia:  southern Korea.  Occurrence in the Amur basin needs better reference.",
            "demersal; freshwater",
            fishes.EXCLUDE_DOUBTFUL,
        ),
        ("Europe:  Volga.  Introduced into the Amur basin.", "benthopelagic; freshwater", fishes.EXCLUDE_INTRODUCED),
        ("Former USSR:  Lake Baikal.  Absent from the Amur.", "benthopelagic; freshwater", fishes.EXCLUDE_NEGATED),
    ],
)
def test_false_hits_and_unfit_mentions_are_excluded(distribution, habitat, rule):
    assert fishes.decide(row(distribution, habitat)).rule == rule


def test_word_boundaries():
    epithets = row("Asia:  type locality of Rhodeus amurensis and Pelteobagrus ussuriensis in Japan.")
    assert fishes.decide(epithets) is None
    # a hyphen compound compares zoogeographic groups: a carp of Viet Nam
    assert (
        fishes.decide(
            row(
                "Asia:  Viet Nam and southern China.  Differs from both the Amur-Chinese and the European "
                "populations in counts of vertebrae."
            )
        )
        is None
    )


def test_clean_clause_wins_over_hedged_and_introduced_ones():
    macropodus = row(
        "Asia:  between the rivers Zhujiang (Pearl river) and Heilongjiang (River Amur).  "
        "Europe:  occurrence in the Russian part of Amur basin is probably the result of introductions."
    )
    assert (fishes.decide(macropodus).rule, fishes.decide(macropodus).confidence) == (fishes.RULE_WATER_BODY, "high")
    # "Ref." does not end a clause: the hedge stays with its water body
    choii = row("Asia:  southern Korean Peninsula.  Reported from the Amur basin, Russia (Ref. 26334).")
    assert (fishes.decide(choii).rule, fishes.decide(choii).confidence) == (fishes.RULE_WATER_BODY, "medium")
    anudarini = row("Asia:  Lake Buir, Mongolia; probably Lake Hu-Lun, China and possibly elsewhere in the upper Amur.")
    decision = fishes.decide(anudarini)
    assert decision.confidence == "high" and decision.place_names == ("Buir",)


def test_region_rule_for_ranges_spanning_the_amur():
    lenok = row(
        "Asia:  Siberia, Korea and North China.",
        "benthopelagic; anadromous (Ref. 51243); freshwater",
        name="Brachymystax lenok",
        code=2079,
        family="Salmonidae",
        order="Salmoniformes",
    )
    decision = fishes.decide(lenok)
    assert (decision.rule, decision.confidence) == (fishes.RULE_REGION, "low")
    assert decision.place_names == ("Siberia", "China")
    assert fishes.to_record(lenok, decision).matched == "Siberia; China"
    assert fishes.decide(row("Asia:  Japan, Korea and Siberia.")) is None  # Korea is not across the Amur
    assert fishes.decide(row("Asia:  eastern Siberia, China.", "demersal; brackish; marine")) is None
    # coastal Primorye: its rivers drain to the sea
    assert fishes.decide(row("Asia:  Primorskii Krai, Russia to Korea and China.")).rule == fishes.EXCLUDE_RUSSIAN_COAST
    stone_loach = row("Eurasia:  Ireland across Europe and Asia to China; Siberia.", name="Barbatula barbatula")
    assert fishes.decide(stone_loach).rule == fishes.EXCLUDE_KNOWN


@pytest.mark.parametrize(
    ("distribution", "habitat", "expected"),
    [
        # Russia and China named as countries: they share the Amur, Argun and Ussuri
        (
            "Europe and Asia:  Honshu, Shikoku and  Kyushu in Japan, the Korean Peninsula, Taiwan, China, and Russia.",
            "demersal; freshwater",
            (fishes.RULE_COUNTRY, "medium", ("Russia", "China")),
        ),
        (
            "Asia:  China and Mongolia (Ref. 57778).  Europe:  Russia (Ref. 53210).",
            "demersal; freshwater",
            (fishes.RULE_COUNTRY, "medium", ("Russia", "China", "Mongolia")),
        ),
        # ... not through Central Asia, not when Russia is only reported, not Russia with Mongolia alone
        (
            "Europe and Asia:  Russia, Kazakhstan, Mongolia and China.",
            "benthopelagic; freshwater",
            (fishes.EXCLUDE_CENTRAL_ASIA, "", ()),
        ),
        (
            "Asia:  Sakhalin, Japan, and Korea.  Reported from Russia (Ref. 26334) and China (Ref. 33783).",
            "benthopelagic; freshwater",
            (fishes.EXCLUDE_REPORTED, "", ()),
        ),
        ("Asia: Mongolia.  Former USSR:  Russia.", "benthopelagic; freshwater", (fishes.EXCLUDE_MONGOLIA_ONLY, "", ())),
        # "Former USSR" and "Russian" are not the country
        ("Asia:  China (Ref. 33800) and former USSR (Ref. 1441).", "benthopelagic; freshwater", None),
        ("Eurasia:  the Russian republics adjacent to Europe; China.", "benthopelagic; freshwater", None),
        # an introduction into Russia is no native range; a marine species is no candidate
        ("Asia:  China.  Introduced to Russia.", "benthopelagic; freshwater", None),
        ("Northwest Pacific:  Russia, Korea and China.", "demersal; marine", None),
        # circumpolar in fresh water
        (
            "Circumarctic in freshwater.",
            "demersal; potamodromous (Ref. 51243); freshwater; brackish",
            (fishes.RULE_CIRCUMPOLAR, "low", (fishes.CIRCUMPOLAR,)),
        ),
        ("Circumpolar:  Arctic seas.", "demersal; marine", None),
        # a native range of Siberia and nothing narrower
        (
            "Asia:  Siberia.  Introduced and now widely distributed throughout Europe.",
            "benthopelagic; freshwater",
            (fishes.RULE_SIBERIA, "low", ("Siberia",)),
        ),
        ("Asia:  Endemic to Siberia.  Known from the Ob to the Yana rivers.", "benthopelagic; freshwater", None),
        ("Siberia:  endemic to Lake Baikal.", "benthopelagic; freshwater", None),
        ("Eastern Europe and Siberia.", "benthopelagic; freshwater", None),
    ],
)
def test_range_rules_without_a_water_body(distribution, habitat, expected):
    decision = fishes.decide(row(distribution, habitat, name="Silurus asotus", family="Siluridae"))
    assert (None if decision is None else (decision.rule, decision.confidence, decision.place_names)) == expected


def test_range_rules_keep_the_named_false_positives_out():
    pike = row(
        "Circumpolar in fresh water.  Eurasia:  France to eastern Siberia.",
        "demersal; freshwater; brackish",
        name="Esox lucius",
        family="Esocidae",
    )
    assert fishes.decide(pike).rule == fishes.EXCLUDE_KNOWN
    # an exclusion of a range rule stays that exclusion, named or not
    assert fishes.decide(row("Asia: Mongolia.  Former USSR:  Russia.", name="Esox lucius")).rule == (
        fishes.EXCLUDE_MONGOLIA_ONLY
    )


def test_subspecies_rows_merge_into_one_binomial():
    rows = [
        row(
            "Europe and Asia:  Amur drainage in Russia and China; Onon and Kherlen drainages in Mongolia.",
            name="Thymallus grubii grubii",
            code=46544,
            family="Salmonidae",
        ),
        row(
            "Asia:  Russia:  Upper reaches of the large tributaries of the Lower Amur basin.",
            name="Thymallus grubii flavomaculatus",
            code=63055,
            family="Salmonidae",
        ),
        row("Asia:  Japan.", name="Thymallus japonicus", code=1),
    ]
    selection = fishes.select(rows)
    (record,) = selection.records
    assert record.scientific_name == "Thymallus grubii" and record.row_id == "46544"
    assert record.identifiers == {"fishbase": "46544"}
    assert selection.report == {fishes.RULE_WATER_BODY: 2, fishes.MERGED_SUBSPECIES: 1}


def test_record_carries_no_fishbase_text():
    lamprey = row(
        "Northwest Pacific:  Amur basin, Sakhalin Island, Primorskii Kraii, Korea and Japan.",
        FRESH,
        name="Lampetra reissneri",
        code=17205,
        family="Petromyzontidae",
        order="Petromyzontiformes",
        class_="Cephalaspidomorphi",
    )
    record = fishes.to_record(lamprey, fishes.decide(lamprey))
    assert (record.kingdom, record.phylum, record.class_, record.order, record.family, record.genus) == (
        "Animalia",
        "Chordata",
        "Cephalaspidomorphi",
        "Petromyzontiformes",
        "Petromyzontidae",
        "Lampetra",
    )
    assert record.authorship is None and record.vernacular == [] and record.assessments == []
    assert_no_fishbase_text(record)


# --- the real file -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rows(sources_dir, source_cache):
    return fishes.load(sources_dir / "fishbase-2013" / "fishbase.rda", source_cache)


@pytest.fixture(scope="module")
def selection(sources_dir, source_cache):
    return fishes.read({"fishbase-2013": sources_dir / "fishbase-2013" / "fishbase.rda"}, cache_dir=source_cache)


def test_real_rows(rows):
    assert len(rows) == 30970
    assert {"Actinopterygii", "Cephalaspidomorphi", "Elasmobranchii"} <= {r["Class"] for r in rows}


def test_real_yield(selection):
    assert 70 <= len(selection.records) <= 130
    assert selection.report[fishes.RULE_WATER_BODY] >= 70
    # the range rules admit a handful and reject more than they admit
    admitted = sum(
        selection.report.get(rule, 0) for rule in (fishes.RULE_COUNTRY, fishes.RULE_CIRCUMPOLAR, fishes.RULE_SIBERIA)
    )
    rejections = (
        fishes.EXCLUDE_CENTRAL_ASIA,
        fishes.EXCLUDE_REPORTED,
        fishes.EXCLUDE_RUSSIAN_COAST,
        fishes.EXCLUDE_MONGOLIA_ONLY,
    )
    rejected = sum(selection.report.get(rule, 0) for rule in rejections)
    assert 3 <= admitted <= 20 and rejected >= 5


def test_real_named_false_positives_are_real_candidates(rows):
    """Every named false positive is admitted by a range rule when unnamed (so the list is not stale)."""
    for name in fishes.KNOWN_FALSE_POSITIVES:
        (candidate,) = [r for r in rows if r["ScientificName"] == name]
        decision = fishes.range_decision(candidate["distribution"])
        assert decision is not None and not decision.rule.startswith("exclude:"), name


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("Huso dauricus", fishes.RULE_WATER_BODY),
        ("Acipenser schrenckii", fishes.RULE_WATER_BODY),
        ("Hucho taimen", fishes.RULE_WATER_BODY),
        ("Esox reichertii", fishes.RULE_WATER_BODY),
        ("Perccottus glenii", fishes.RULE_WATER_BODY),
        ("Thymallus grubii", fishes.RULE_WATER_BODY),
        ("Lampetra reissneri", fishes.RULE_WATER_BODY),
        ("Brachymystax lenok", fishes.RULE_REGION),
        ("Hypophthalmichthys molitrix", fishes.RULE_REGION),
        ("Lota lota", fishes.RULE_CIRCUMPOLAR),
        ("Silurus asotus", fishes.RULE_COUNTRY),
        ("Carassius gibelio", fishes.RULE_SIBERIA),
        ("Misgurnus mohoity", fishes.RULE_COUNTRY),
        ("Acanthorhodeus chankaensis", fishes.RULE_COUNTRY),
    ],
)
def test_real_basin_fishes_are_in(by_name, name, rule):
    assert by_name[name].rule == rule


@pytest.mark.parametrize(
    "name",
    [
        "Acipenser sinensis",
        "Liparis ochotensis",
        "Chelon haematocheilus",
        "Gastromyzon cornusaccus",
        "Iksookimia koreensis",
        "Oncorhynchus mykiss",
        "Barbatula barbatula",
        # range rules' rejections: the Amur pike replaces the northern pike; Tuva and western Mongolia; Sakhalin;
        # the Altai and Irtysh
        "Esox lucius",
        "Oreoleuciscus potanini",
        "Thymallus brevirostris",
        "Gymnogobius laevis",
        "Phoxinus ujmonensis",
    ],
)
def test_real_non_basin_fishes_are_out(by_name, name):
    assert name not in by_name


def test_real_records_carry_no_fishbase_text(selection, rows):
    texts = {str(r["id"]): (r.get("distribution") or "") + " " + (r.get("habitat") or "") for r in rows}
    for record in selection.records:
        assert_no_fishbase_text(record)
        assert record.class_ in ("Actinopterygii", "Cephalaspidomorphi") and record.confidence in CONFIDENCE
        (placement,) = record.placements
        assert (placement.ecoregion, placement.method, placement.source) == ("FW-RFE", "freshwater", "fishbase-2013")
        assert placement.matched == record.matched and placement.confidence == record.confidence
        # a record's matched is our canonical names, never a stretch of the row's own text
        if "; " in record.matched:
            assert record.matched not in texts[record.row_id]
