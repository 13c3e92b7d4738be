"""Legal protection and trade listings on the real graph, read back over /sparql of the live server (`amurkg serve`):
the issue's done-when species, the three named queries, the build report and `amurkg stats`."""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request

import pytest

from kg import query as kq
from kg.store import layout as kgstore

STATUSES = """
PREFIX amur: <https://w3id.org/amurkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?name ?list ?class ?asOf ?wild ?scope ?country ?rule ?row WHERE {
  ?species amur:canonicalName ?name ; amur:protectionStatus ?status .
  VALUES ?name { "Panthera tigris" "Grus japonensis" "Huso dauricus" "Pinus koraiensis" "Taxus cuspidata"
                 "Panax ginseng" }
  ?status amur:protectionList ?l ; amur:protectionClass/skos:notation ?class ; amur:validOn ?asOf ;
          amur:wildPopulationsOnly ?wild ; amur:evidence ?e .
  ?e amur:rule ?rule ; amur:sourceRow ?row .
  BIND(REPLACE(STR(?l), "^.*/", "") AS ?list)
  OPTIONAL { ?status amur:scopeNote ?scope }
  OPTIONAL { ?status amur:scopeCountry/skos:notation ?country }
}
"""


def sparql(base: str, query: str) -> list[dict[str, str]]:
    data = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(base + "/sparql", data=data, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        body = json.load(response)
    return [{k: v["value"] for k, v in row.items()} for row in body["results"]["bindings"]]


@pytest.fixture(scope="module")
def statuses(live_server) -> dict[tuple[str, str, str], dict[str, str]]:
    rows = sparql(live_server, STATUSES)
    found: dict[tuple[str, str, str], dict[str, str]] = {}
    for row in rows:
        key = (row["name"], row["list"], row["class"])
        found.setdefault(key, row)
        if "country" in row:
            found[key].setdefault("countries", set()).add(row["country"])  # type: ignore[union-attr]
    return found


def test_the_issues_species_carry_class_appendix_and_scope(statuses) -> None:
    keys = set(statuses)
    assert {
        ("Panthera tigris", "cn-key-animals-2021", "I"),
        ("Panthera tigris", "cites", "I"),
        ("Grus japonensis", "cn-key-animals-2021", "I"),
        ("Grus japonensis", "cites", "I"),
        ("Huso dauricus", "cn-key-animals-2021", "I"),
        ("Huso dauricus", "cites", "II"),
        ("Pinus koraiensis", "cn-key-plants-2021", "II"),
        ("Pinus koraiensis", "cites", "III"),
        ("Taxus cuspidata", "cn-key-plants-2021", "I"),
        ("Taxus cuspidata", "cites", "II"),
        ("Panax ginseng", "cn-key-plants-2021", "II"),
        ("Panax ginseng", "cites", "II"),
    } <= keys
    # nothing more for these species: no class or appendix widened from another row
    assert not [
        k
        for k in keys
        if k[1] == "cites" and k[0] in ("Panax ginseng", "Pinus koraiensis") and k[2] not in ("II", "III")
    ]
    kaluga = statuses[("Huso dauricus", "cn-key-animals-2021", "I")]
    assert kaluga["wild"] == "true" and "wild populations only" in kaluga["scope"]
    ginseng = statuses[("Panax ginseng", "cites", "II")]
    assert ginseng["countries"] == {"RU"} and "Only the population of the Russian Federation" in ginseng["scope"]
    pine = statuses[("Pinus koraiensis", "cites", "III")]
    assert pine["countries"] == {"RU"} and "listed by Russian Federation" in pine["scope"]
    yew = statuses[("Taxus cuspidata", "cn-key-plants-2021", "I")]
    assert yew["rule"] == "genus-row" and "Taxus spp." in yew["row"]
    assert statuses[("Panax ginseng", "cn-key-plants-2021", "II")]["rule"] == "genus-row"
    tiger = statuses[("Panthera tigris", "cites", "I")]
    assert "scope" not in tiger and "countries" not in tiger  # the whole species
    for (_, list_id, _), row in statuses.items():
        expected = {"cites": "2017-04-21", "cn-key-animals-2021": "2021-02-05", "cn-key-plants-2021": "2021-09-07"}
        assert row["asOf"] == expected[list_id]


def test_lists_are_instances_of_iucn_conservation_actions(live_server) -> None:
    rows = sparql(
        live_server,
        """
        PREFIX amur: <https://w3id.org/amurkg/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?list ?code WHERE { ?list a amur:ProtectionList ; amur:instanceOfAction ?a .
                                   ?a a amur:ConservationAction ; skos:notation ?code }""",
    )
    got = {(row["list"].rsplit("/", 1)[-1], row["code"]) for row in rows}
    assert got == {
        ("cn-key-animals-2021", "5.1.2"),
        ("cn-key-plants-2021", "5.1.2"),
        ("cites", "5.1.1"),
        ("cites", "3.1.2"),
    }


def test_the_official_chinese_name_is_a_vernacular_name(live_server) -> None:
    rows = sparql(
        live_server,
        """
        PREFIX amur: <https://w3id.org/amurkg/ontology#>
        PREFIX dwc: <http://rs.tdwg.org/dwc/terms/>
        SELECT ?name WHERE { GRAPH <https://w3id.org/amurkg/graph/cn-key-protected-2021> {
            <https://w3id.org/amurkg/taxon/huso-dauricus> dwc:vernacularName ?name } }""",
    )
    assert [row["name"] for row in rows] == ["鳇"]


def named(live_server: str, name: str) -> list[dict[str, str]]:
    return sparql(live_server, kq.with_prefixes(kq.read_named_query(kq.QUERIES_DIR / f"{name}.rq").text))


def recorded_species(live_server: str) -> set[str]:
    rows = sparql(
        live_server, "PREFIX amur: <https://w3id.org/amurkg/ontology#> SELECT DISTINCT ?s WHERE { ?s amur:occursIn ?e }"
    )
    return {row["s"] for row in rows}


def test_named_query_class_i_without_recorded_ecoregion(live_server) -> None:
    rows = named(live_server, "protected-class-i-without-recorded-ecoregion")
    assert rows and all(row["class"] == "I" for row in rows)
    assert not {row["species"] for row in rows} & recorded_species(live_server)
    assert all("Special State Protection" in row["list"] for row in rows)
    assert "Panthera tigris" not in {row["name"] for row in rows}  # recorded in the basin's forests


def test_named_query_cites_appendix_i_in_the_daurian_forest_steppe(live_server) -> None:
    rows = named(live_server, "cites-appendix-i-daurian-forest-steppe")
    names = {row["name"]: row for row in rows}
    assert "Grus japonensis" in names and names["Grus japonensis"]["asOf"] == "2017-04-21"
    assert {row["presence"] for row in rows} <= {"recorded", "possible"}
    placed = sparql(
        live_server,
        """
        PREFIX amur: <https://w3id.org/amurkg/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?s ?p WHERE { ?e skos:notation "PA0804" . ?s ?p ?e
                             FILTER (?p IN (amur:occursIn, amur:possiblyOccursIn)) }""",
    )
    recorded = {row["s"] for row in placed if row["p"].endswith("#occursIn")}
    assert all((row["presence"] == "recorded") == (row["species"] in recorded) for row in rows)


def test_named_query_protected_plants_possibly_present(live_server) -> None:
    rows = named(live_server, "protected-plants-possibly-present")
    assert rows and all(int(row["possibleEcoregions"]) >= 1 for row in rows)
    assert not {row["species"] for row in rows} & recorded_species(live_server)
    groups = sparql(
        live_server,
        "PREFIX amur: <https://w3id.org/amurkg/ontology#> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT DISTINCT ?g WHERE { VALUES ?s { "
        + " ".join(f"<{row['species']}>" for row in rows)
        + " } ?s amur:group/skos:notation ?g }",
    )
    assert {row["g"] for row in groups} == {"plant"}


def test_build_report_and_stats_give_each_lists_yield(built_store) -> None:
    from click.testing import CliRunner

    from kg.cli import main

    manifest = kgstore.manifest(built_store)
    protection = manifest["species"]["protection"]
    assert set(protection) == {"cites", "cn-key-animals-2021", "cn-key-plants-2021"}
    for found in protection.values():
        assert found["joined_rows"].get("exact", 0) > 0 and found["species"] > 0
        assert found["not_joined"] == len(found["not_joined_rows"])
        assert all(row["reason"] for row in found["not_joined_rows"])
    assert protection["cn-key-plants-2021"]["joined_rows"]["genus-row"] >= 2  # Taxus, Panax ...
    text = CliRunner().invoke(main, ["stats", "--store", str(built_store)]).output
    assert "protection list cn-key-animals-2021" in text and "rows joined: genus-row" in text
    assert "cites I as of 2017-04-21" in text and "cn-key-plants-2021 II in force 2021-09-07" in text


def test_search_filters_by_protection_status(real_client) -> None:
    def names(**args: str) -> set[str]:
        page = real_client.get("/search", query_string={"lang": "en", **args}).get_data(as_text=True)
        return set(re.findall(r'<i lang="la">([^<]+)</i>', page))

    appendix_i = names(protection="cites-I")
    assert {"Panthera tigris", "Grus japonensis"} <= appendix_i and "Huso dauricus" not in appendix_i
    cranes_ii = names(q="Grus", protection="cites-II")
    assert "Grus grus" in cranes_ii and "Grus japonensis" not in cranes_ii
    assert "Grus japonensis" in names(q="Grus", protection="cn-I")
    assert names(q="Grus", protection="nonsense") == names(q="Grus")  # an unknown filter is no filter
    protected = names(protection="any")
    assert "Pinus koraiensis" in protected and "Taxus cuspidata" in protected
