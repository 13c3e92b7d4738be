"""Issue 26 on the real graph: Pinus koraiensis recorded in Heilongjiang and Jilin over /sparql, the named query of a
region's species, region pages in en/zh/ru, both red lists counted (a plant with a CBRL category is not "not
assessed"), names in Chinese and Russian found by search and shown with a visible English fallback, and why a
species has no placement."""

from __future__ import annotations

import re

import pytest

from kg.namespaces import BASE, sparql_prefixes
from server.explorer import pages

PINUS = BASE + "taxon/pinus-koraiensis"
HEILONGJIANG, JILIN = BASE + "region/CN-HL", BASE + "region/CN-JL"
PA0426 = BASE + "ecoregion/PA0426"


def test_summary_counts_each_list_and_not_assessed_means_neither():
    rows = [
        {"group": "g/plant", "group_label": "plants", "category": None, "national": "VU", "scope": "CN", "n": "5"},
        {"group": "g/plant", "group_label": "plants", "category": "LC", "national": "EN", "scope": "CN", "n": "2"},
        {"group": "g/plant", "group_label": "plants", "category": None, "national": None, "scope": None, "n": "3"},
    ]
    summary = pages.summary_table(rows)
    assert [lst["key"] for lst in summary["lists"]] == ["IUCN", "CN", ""]
    assert summary["groups"][0]["total"] == 10
    assert pages.count_of(summary, "plants", "CN:VU") == 5 and pages.count_of(summary, "plants", "CN:EN") == 2
    assert pages.count_of(summary, "plants", "IUCN:LC") == 2
    assert pages.count_of(summary, "plants", ":not assessed") == 3


# --- on the real graph ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(real_app):
    return real_app.test_client()


def sparql(client, query: str) -> list[dict]:
    response = client.get(
        "/sparql",
        query_string={"query": sparql_prefixes() + query},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return [{k: v["value"] for k, v in b.items()} for b in response.get_json()["results"]["bindings"]]


def test_pinus_koraiensis_is_recorded_in_heilongjiang_and_jilin_and_possible_in_their_ecoregions(client):
    rows = sparql(
        client,
        f"""SELECT ?region ?method ?confidence ?source WHERE {{
        <{PINUS}> amur:recordedInRegion ?region .
        ?r a amur:RegionRecord ; amur:taxon <{PINUS}> ; amur:region ?region ; amur:method/skos:notation ?method ;
           amur:confidence/skos:notation ?confidence ; prov:wasDerivedFrom/dcterms:identifier ?source }}""",
    )
    assert {r["region"] for r in rows} >= {HEILONGJIANG, JILIN}
    assert all(r["method"] == "province" and r["source"] == "col-china-2023" and r["confidence"] for r in rows)
    # possible (not recorded) in the ecoregions the provinces place it in, as before
    possible = sparql(
        client,
        f"""SELECT DISTINCT ?eco WHERE {{
        VALUES ?region {{ <{HEILONGJIANG}> <{JILIN}> }}
        ?region amur:overlapsEcoregion ?eco . <{PINUS}> amur:possiblyOccursIn ?eco }}""",
    )
    assert {r["eco"] for r in possible} >= {BASE + "ecoregion/PA0426", BASE + "ecoregion/PA0430"}
    assert not sparql(client, f"SELECT ?eco WHERE {{ <{PINUS}> amur:occursIn ?eco }}")


def test_region_shares_come_from_polygons_or_say_they_have_none(client):
    rows = sparql(
        client,
        """SELECT ?code ?eco ?share ?method WHERE { ?l a amur:RegionShare ;
        amur:region/skos:notation ?code ; amur:ecoregion/skos:notation ?eco ; amur:method/skos:notation ?method
        OPTIONAL { ?l amur:share ?share } }""",
    )
    by = {(r["code"], r["eco"]): r for r in rows}
    assert by[("CN-HL", "PA0426")]["method"] == "region-polygon" and 0.4 < float(by[("CN-HL", "PA0426")]["share"]) < 0.5
    assert by[("RU-PRI", "PA0443")]["method"] == "region-gazetteer" and "share" not in by[("RU-PRI", "PA0443")]
    for code in ("CN-HL", "CN-JL"):
        assert 0.95 < sum(float(r["share"]) for r in rows if r["code"] == code) <= 1.0001


def test_named_query_lists_a_regions_recorded_species_by_group(client):
    from kg.query import named_queries

    query = next(q for q in named_queries() if q.name == "region-species")
    response = client.get(
        "/sparql", query_string={"query": query.text}, headers={"Accept": "application/sparql-results+json"}
    )
    rows = [{k: v["value"] for k, v in b.items()} for b in response.get_json()["results"]["bindings"]]
    groups = {r["group"] for r in rows}
    assert {"plant", "bird"} <= groups
    assert any(r["name"] == "Pinus koraiensis" and r["methods"] == "province" for r in rows)
    assert [r["group"] for r in rows] == sorted(r["group"] for r in rows)


def test_plants_with_a_china_red_list_category_are_not_counted_as_not_assessed(client, real_app):
    # the page's own figures: the Manchurian mixed forests' possible plants by list
    store = real_app.extensions["amurkg.store"].get()
    with real_app.test_request_context("/ecoregion/PA0426"):  # the page labels its tables in the reader's language
        sections = pages.ecoregion_sections(store, PA0426)
    summary = sections["possible_summary"]
    cbrl = sum(
        count
        for column, count in next(g for g in summary["groups"] if g["label"] == "plants")["counts"].items()
        if column.startswith("CN:")
    )
    assessed = sparql(
        client,
        f"""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s amur:possiblyOccursIn <{PA0426}> ;
        amur:group <{BASE}group/plant> ; amur:assessment/amur:scope <{BASE}country/CN> }}""",
    )
    neither = sparql(
        client,
        f"""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s amur:possiblyOccursIn <{PA0426}> ;
        amur:group <{BASE}group/plant> . FILTER NOT EXISTS {{ ?s amur:assessment ?a }} }}""",
    )
    assert cbrl == int(assessed[0]["n"]) > 1000
    assert pages.count_of(summary, "plants", ":not assessed") == int(neither[0]["n"])
    page = client.get("/ecoregion/PA0426").get_data(as_text=True)
    assert "China Red List (CBRL 2020, national)" in page and 'data-column="CN:VU"' in page


@pytest.mark.parametrize("code,heading", [("en", "Heilongjiang"), ("zh", "黑龙江省"), ("ru", "Хэйлунцзян")])
def test_region_page_renders_in_each_language(client, code, heading):
    page = client.get(f"/region/CN-HL?lang={code}").get_data(as_text=True)
    assert heading in re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert 'class="basin-map' in page or "<svg" in page
    assert 'data-column="CN:' in page  # plants by China Red List category


def test_tiger_page_in_russian_names_its_ecoregions_in_russian(client):
    page = client.get("/taxon/panthera-tigris?lang=ru").get_data(as_text=True)
    assert "Маньчжурские смешанные леса" in page


def test_tiger_page_in_chinese_shows_the_official_name_of_chinas_2021_list(client):
    # the name is stated in the list's own named graph, whose provenance is the 2021 list
    rows = sparql(
        client,
        f"""SELECT ?name ?source WHERE {{
        GRAPH ?g {{ <{BASE}taxon/panthera-tigris> dwc:vernacularName ?name FILTER (lang(?name) = "zh") }}
        ?g prov:wasDerivedFrom/dcterms:identifier ?source }}""",
    )
    assert {"name": "虎", "source": "cn-key-protected-2021"} in rows
    page = client.get("/taxon/panthera-tigris?lang=zh").get_data(as_text=True)
    # beside the scientific name in the page's header, the names in the reader's language
    names = re.search(r'<p class="vernacular" lang="zh-Hans">(.*?)</p>', page, re.S).group(1)
    assert "虎" in names.split(", ")


def test_a_missing_name_falls_back_to_english_visibly(client):
    page = client.get("/threat/5.1.1?lang=ru").get_data(as_text=True)
    assert 'class="lang-fallback"' in page


@pytest.mark.parametrize(
    "query,target",
    [
        ("东北红豆杉", "taxon/taxus-cuspidata"),
        ("Маньчжурские", "ecoregion/PA0426"),
        ("Хэйлунцзян", "region/CN-HL"),
        ("黑龙江省", "region/CN-HL"),
    ],
)
def test_search_finds_by_chinese_or_russian_name(client, query, target):
    results = client.get("/explore/search.json", query_string={"q": query}).get_json()["results"]
    assert results[0]["iri"] == BASE + target


def test_taxus_cuspidatas_chinese_name_comes_from_the_plant_checklist(client):
    rows = sparql(
        client,
        f"""SELECT ?g WHERE {{ GRAPH ?g {{ <{BASE}taxon/taxus-cuspidata> dwc:vernacularName
        "东北红豆杉"@zh }} }}""",
    )
    assert [r["g"] for r in rows] == [BASE + "graph/col-china-2023"]


def test_search_filters_by_region(client):
    page = client.get("/search", query_string={"q": "pinus", "region": "CN-NM"}).get_data(as_text=True)
    assert "Pinus sylvestris" in page and "Pinus koraiensis" not in page


def test_a_species_without_placement_says_why(client):
    rows = sparql(
        client,
        f"""SELECT ?s ?reason WHERE {{ ?s amur:group <{BASE}group/reptile> ;
        amur:noPlacementReason ?reason }}""",
    )
    assert len(rows) == 18 and {r["reason"] for r in rows} == {"no-range-data"}
    page = client.get(rows[0]["s"][len(BASE) - 1 :]).get_data(as_text=True)
    assert 'data-reason="no-range-data"' in page
    placed = sparql(
        client,
        "SELECT (COUNT(*) AS ?n) WHERE { ?s amur:noPlacementReason ?r ; amur:possiblyOccursIn|amur:occursIn ?e }",
    )
    assert placed[0]["n"] == "0"
