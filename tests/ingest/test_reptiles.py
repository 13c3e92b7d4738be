"""Reptile reader: rules on hand-made rows, then the real Reptile Database (letsRept) with its 2017 country lists."""

from __future__ import annotations

import pytest

from ingest import letsrept, reptiles
from ingest.letsrept import Reptile

# --- small rules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "codes", "realm", "expected"),
    [
        ("Gloydius ussuriensis", ["CN", "MN", "KP", "RU", "KR"], "Palearctic", (reptiles.RULE_COUNTRY, "medium")),
        ("Takydromus amurensis", ["CN", "JP", "RU"], "Palearctic", (reptiles.RULE_COUNTRY, "medium")),
        ("Anyus mongolicus", ["MN", "RU"], None, (reptiles.RULE_COUNTRY, "low")),  # Russia + Mongolia may be Tuva
        ("Eremias brenchleyi", ["CN", "RU"], "Palearctic", (reptiles.RULE_COUNTRY, "low")),  # doubtful in Russia
        ("Eremias velox", ["AF", "CN", "KZ", "MN", "RU"], "Saharo-Sindian", (reptiles.EXCLUDE_ARID, "")),
        ("Laticauda semifasciata", ["CN", "JP", "RU"], "Marine", (reptiles.EXCLUDE_MARINE, "")),
        ("Lacerta agilis", ["CN", "DE", "MN", "RU"], "Palearctic", (reptiles.EXCLUDE_KNOWN, "")),  # Europe
        ("Elaphe climacophora", ["JP", "RU"], "Palearctic", None),  # no neighbour across the Amur
        ("Elaphe anomala", ["CN", "MN"], "Palearctic", None),  # not listed for Russia
    ],
)
def test_decide(name, codes, realm, expected):
    decision = reptiles.decide(name, codes, realm)
    assert (None if decision is None else (decision.rule, decision.confidence)) == expected


@pytest.mark.parametrize(
    ("reptile", "expected"),
    [
        (Reptile("Pelodiscus maackii", order="Testudines", realm="Palearctic"), (reptiles.RULE_REALM, "low")),
        (Reptile("Emys orbicularis", order="Testudines", realm="Palearctic"), (reptiles.EXCLUDE_KNOWN, "")),
        (Reptile("Pelodiscus sinensis", order="Testudines", realm="Oriental"), None),
        (Reptile("Elaphe schrenckii", order="Squamata", realm="Palearctic"), None),  # squamates need the lists
    ],
)
def test_decide_without_countries(reptile, expected):
    decision = reptiles.decide_without_countries(reptile)
    assert (None if decision is None else (decision.rule, decision.confidence)) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(PALLAS, 1773)", "(Pallas, 1773)"),
        ("STRAUCH, 1873", "Strauch, 1873"),
        ("GÜNTHER, 1872", "Günther, 1872"),
        ("HU & ZHAO, 1972", "Hu & Zhao, 1972"),
        ("(DE FILIPPI, 1840)", "(de Filippi, 1840)"),
        ("(O'SHAUGHNESSY, 1881)", "(O'Shaughnessy, 1881)"),
        ("(MCCRANIE, CRUZ & HOLM, 1993)", "(McCranie, Cruz & Holm, 1993)"),
        ("RIBEIRO-JÚNIOR, MEIRI & FOUQET, 2020", "Ribeiro-Júnior, Meiri & Fouqet, 2020"),
        ("PRATES, MELO-SAMPAIO, DE QUEIROZ & DRUMMOND, 2019", "Prates, Melo-Sampaio, de Queiroz & Drummond, 2019"),
        (None, None),
    ],
)
def test_authorship(raw, expected):
    assert reptiles.authorship(raw) == expected


@pytest.mark.parametrize(
    ("category", "year", "expected"),
    [
        ("Vulnerable", 2000, ("VU", 2000)),
        ("Least Concern", None, ("LC", None)),
        ("Critically Endangered", 2019, ("CR", 2019)),
        ("NE", None, None),  # not evaluated is no assessment
        ("Lower Risk/conservation dependent", 1996, None),  # pre-2001 category, no code in the scheme
        (None, None, None),
    ],
)
def test_assessment(category, year, expected):
    assessed = reptiles.assessment(Reptile("X y", iucn_category=category, iucn_year=year))
    assert (None if assessed is None else (assessed.category, assessed.year)) == expected
    if assessed:
        assert (assessed.assessor, assessed.scope, assessed.source) == ("IUCN", "global", reptiles.LETSREPT)


def test_combine_prefers_squambase_assessment_and_splits_synonyms():
    species = {
        "Elaphe dione": {"order": "Squamata", "family": "Colubridae", "genus": "Elaphe", "author": "(PALLAS, 1773)"},
        "Pelodiscus sinensis": {
            "order": "Testudines",
            "family": "Trionychidae",
            "genus": "Pelodiscus",
            "author": "(WIEGMANN, 1835)",
        },
    }
    traits = {
        "Elaphe dione": {"realm": "Palearctic", "iucn": "Near Threatened"},
        "Pelodiscus sinensis": {"realm": "Oriental", "iucn": "Vulnerable"},
    }
    squambase = {
        "Elaphe dione": {
            "realm": "Palearctic",
            "iucn": "Least Concern",
            "criteria": None,
            "year": "2016",
            "synonyms": "Coluber dione, Elaphis dione",
        }
    }
    combined = letsrept.combine(species, traits, squambase)
    dione, turtle = combined["Elaphe dione"], combined["Pelodiscus sinensis"]
    assert (dione.iucn_category, dione.iucn_year, dione.iucn_source) == ("Least Concern", 2016, "SquamBase")
    assert dione.synonyms == ("Coluber dione", "Elaphis dione") and dione.family == "Colubridae"
    assert (turtle.iucn_category, turtle.iucn_year, turtle.iucn_source) == ("Vulnerable", None, "ReptTraits")
    assert turtle.synonyms == () and turtle.realm == "Oriental"


def test_synonym_index_drops_names_shared_by_a_split():
    table = {"A b": Reptile("A b", synonyms=("Old b", "Old shared")), "A c": Reptile("A c", synonyms=("Old shared",))}
    assert reptiles.synonym_index(table) == {"Old b": "A b"}
    assert reptiles.current_name("A b", table, {}) == "A b"
    assert reptiles.current_name("Old b", table, reptiles.synonym_index(table)) == "A b"
    assert reptiles.current_name("Old shared", table, reptiles.synonym_index(table)) is None


def _table() -> dict[str, Reptile]:
    rows = [
        Reptile(
            "Elaphe schrenckii",
            "Squamata",
            "Colubridae",
            "Elaphe",
            "STRAUCH, 1873",
            "Palearctic",
            "Least Concern",
            2016,
            None,
            "SquamBase",
        ),
        Reptile(
            "Oocatochus rufodorsatus",
            "Squamata",
            "Colubridae",
            "Oocatochus",
            "(CANTOR, 1842)",
            "Palearctic",
            "Least Concern",
            2016,
            None,
            "SquamBase",
            synonyms=("Elaphe rufodorsata",),
        ),
        Reptile(
            "Laticauda semifasciata",
            "Squamata",
            "Elapidae",
            "Laticauda",
            "(REINWARDT, 1837)",
            "Marine",
            "Near Threatened",
            2009,
            None,
            "SquamBase",
        ),
        Reptile("Pelodiscus maackii", "Testudines", "Trionychidae", "Pelodiscus", "(BRANDT, 1858)", "Palearctic"),
        Reptile(
            "Emys orbicularis",
            "Testudines",
            "Emydidae",
            "Emys",
            "(LINNAEUS, 1758)",
            "Palearctic",
            "Near Threatened",
            None,
            None,
            "ReptTraits",
        ),
    ]
    return {r.name: r for r in rows}


def test_select_joins_names_and_builds_records():
    lists = {
        "Elaphe schrenckii": ["CHINA", "MONGOLIA", "RUSSIA"],
        "Elaphe rufodorsata": ["CHINA", "RUSSIA", "SOUTH KOREA"],  # a 2017 name of Oocatochus rufodorsatus
        "Laticauda semifasciata": ["CHINA", "JAPAN", "RUSSIA"],
        "Gekko japonicus": ["CHINA", "JAPAN"],
    }
    selection = reptiles.select(_table(), lists)
    by_name = {r.scientific_name: r for r in selection.records}
    assert set(by_name) == {"Elaphe schrenckii", "Oocatochus rufodorsatus", "Pelodiscus maackii"}
    snake = by_name["Elaphe schrenckii"]
    assert (snake.source, snake.row_id, snake.family, snake.order, snake.authorship) == (
        reptiles.LETSREPT,
        "Elaphe_schrenckii",
        "Colubridae",
        "Squamata",
        "Strauch, 1873",
    )
    assert [(a.category, a.year) for a in snake.assessments] == [("LC", 2016)]
    assert snake.countries == ("RU", "CN", "MN") and snake.confidence == "medium"
    assert snake.matched == "Reptile Database 2017 country lists: RU, CN, MN; main region Palearctic (ReptTraits)"
    renamed = by_name["Oocatochus rufodorsatus"]
    assert "listed as Elaphe rufodorsata" in renamed.matched and renamed.row_id == "Oocatochus_rufodorsatus"
    turtle = by_name["Pelodiscus maackii"]
    assert (turtle.rule, turtle.confidence, turtle.family, turtle.authorship, turtle.assessments) == (
        reptiles.RULE_REALM,
        "low",
        "Trionychidae",
        "(Brandt, 1858)",
        [],
    )
    assert selection.report == {
        reptiles.RULE_COUNTRY: 2,
        reptiles.RENAMED: 1,
        reptiles.EXCLUDE_MARINE: 1,
        reptiles.RULE_REALM: 1,
        reptiles.EXCLUDE_KNOWN: 1,
        reptiles.MISSING_CATEGORY: 1,
    }


def test_select_keeps_a_name_the_database_lacks_and_reports_it():
    selection = reptiles.select({}, {"Unknown species": ["CHINA", "RUSSIA"]})
    (record,) = selection.records
    assert record.family is None and record.authorship is None and record.genus == "Unknown"
    assert selection.report[reptiles.MISSING_FAMILY] == 1


def test_named_lists_give_reasons():
    assert not set(reptiles.KNOWN_FALSE_POSITIVES) & set(reptiles.DOUBTFUL)
    assert all(reason.strip() for reason in [*reptiles.KNOWN_FALSE_POSITIVES.values(), *reptiles.DOUBTFUL.values()])


# --- the real files ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def country_lists(sources_dir, source_cache):
    from ingest import rangebuilder

    return rangebuilder.load(sources_dir / "rangebuilder-2022" / "sysdata.rda", source_cache).countries["reptile"]


@pytest.fixture(scope="module")
def database(sources_dir, source_cache):
    return letsrept.load(sources_dir / "letsrept-1.1.1", source_cache)


@pytest.fixture(scope="module")
def selection(sources_dir, source_cache):
    files = {
        "letsrept-1.1.1": sources_dir / "letsrept-1.1.1",
        "rangebuilder-2022": sources_dir / "rangebuilder-2022" / "sysdata.rda",
    }
    return reptiles.read(files, cache_dir=source_cache)


def test_real_database_is_whole(database):
    assert 12_000 <= len(database) <= 13_000
    assert sum(r.order == "Testudines" for r in database.values()) > 300
    assert database["Gloydius ussuriensis"].synonyms  # SquamBase's synonyms are read


def test_real_yield(selection):
    assert 15 <= len(selection.records) <= 30
    assert reptiles.MISSING_FAMILY not in selection.report
    assert selection.report[reptiles.EXCLUDE_MARINE] >= 1 and selection.report[reptiles.EXCLUDE_ARID] >= 1


@pytest.mark.parametrize(
    "name",
    [
        "Gloydius ussuriensis",
        "Elaphe schrenckii",
        "Takydromus amurensis",
        "Elaphe dione",
        "Vipera berus",
        "Zootoca vivipara",
        "Rhabdophis tigrinus",
        "Oocatochus rufodorsatus",
        "Pelodiscus maackii",
    ],
)
def test_real_basin_reptiles_are_in(by_name, name):
    assert name in by_name


def test_real_every_reptile_has_family_authorship_and_the_assessment_its_sources_give(by_name, database):
    for name, record in by_name.items():
        reptile = database[name]
        assert record.family == reptile.family and record.family, name
        assert record.authorship and record.authorship == reptiles.authorship(reptile.author), name
        given = reptiles.assessment(reptile)
        assert record.assessments == ([given] if given else []), name
        if reptile.iucn_source == "SquamBase" and given:
            assert given.year and 1990 <= given.year <= 2024, name
    assert by_name["Gloydius ussuriensis"].authorship == "(Emelianov, 1929)"
    assert by_name["Pelodiscus maackii"].family == "Trionychidae"
    assert sum(bool(r.assessments) for r in by_name.values()) >= len(by_name) - 2


def test_real_named_exclusions_are_real_candidates(country_lists, database, by_name):
    """Every named false positive or doubtful species is a candidate of the real data (so the lists are not
    stale), none is already excluded by its realm (so the lists stay short), and no false positive is selected."""
    for name in [*reptiles.KNOWN_FALSE_POSITIVES, *reptiles.DOUBTFUL]:
        reptile = database[name]
        assert reptile.realm not in reptiles.EXCLUDED_REALMS, name
        if reptile.order == "Squamata":
            codes = reptiles.country_codes(country_lists[name])
            assert "RU" in codes and set(codes) & set(reptiles.NEIGHBOURS), name
        else:
            assert reptile.realm == "Palearctic", name
    assert not set(reptiles.KNOWN_FALSE_POSITIVES) & set(by_name)
    assert all(by_name[name].confidence == "low" for name in reptiles.DOUBTFUL)


def test_real_realm_exclusions_hold(by_name, database):
    assert not [n for n in by_name if database[n].realm in reptiles.EXCLUDED_REALMS]
    assert "Laticauda semifasciata" not in by_name and "Eremias velox" not in by_name


def test_real_records_are_well_formed(selection):
    for record in selection.records:
        assert record.group == "reptile" and record.class_ == "Reptilia" and record.source == reptiles.LETSREPT
        if record.order == "Squamata":
            assert record.rule == reptiles.RULE_COUNTRY and "RU" in record.countries
        else:
            assert record.rule == reptiles.RULE_REALM and record.confidence == "low"
        assert record.confidence in ("medium", "low") and record.matched


def test_real_south_korea_is_kept(by_name):
    assert {"KR", "RU", "CN"} <= set(by_name["Gloydius intermedius"].countries)
