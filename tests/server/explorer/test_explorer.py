"""The explorer on the real graph: dereferenceable IRIs with content negotiation, pages, search, graph and queries."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from kg.namespaces import BASE
from kg.query import named_queries, run, with_prefixes
from server.explorer.graphdata import query_files

TIGER = BASE + "taxon/panthera-tigris"
# One IRI of each kind the issue names, deeper ones included.
IRIS = [
    "taxon/panthera-tigris",
    "taxon/panthera-tigris/assessment/iucn-global",
    "taxon/animalia/family/felidae",
    "taxon/kingdom/animalia",
    "ecoregion/PA0443",
    "ecoregion/FW-RFE",
    "threat/5.1.1",
    "action/1.1",
    "initiative/econet-green-belt",
    "source/avilist-2025",
    "graph/meta",
    "red-list-category/EN",
    "country/RU",
    "river/amur",
    "place/amur-heilong-basin",
    "threat-factor/floods-and-climate-change",
    "group/bird",
    "occurrence/panthera-tigris/PA0443/range-box",
    "threat-exposure/panthera-tigris/5.1.1",
    "habitat/1",
]
RDF_FORMATS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}


@pytest.fixture(scope="module")
def client(real_app):
    return real_app.test_client()


@pytest.fixture(scope="module")
def store(built_store):
    from kg.store import layout as kgstore

    return kgstore.open_read_only(built_store)


# --- queries -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", named_queries(), ids=lambda q: q.name)
def test_every_named_query_returns_rows(store, query):
    assert query.title and query.description, f"{query.name}.rq needs a # title: and a # description:"
    result = run(store, with_prefixes(query.text))
    if isinstance(result, ox.QueryBoolean):
        assert bool(result)
    else:
        assert len(list(result)) > 0, f"{query.name}.rq returned no rows"


def test_there_are_at_least_twelve_research_questions():
    research = [q for q in named_queries() if not q.name.startswith("analytics-")]
    assert len(research) >= 12


# the resource each page query is asked about, by the query's name (the tiger for the rest): one the page shows
PAGE_IRIS = {
    "ecoregion": BASE + "ecoregion/PA0443",
    "threat": BASE + "threat/5.1.1",
    "action": BASE + "action/1",
    "concept": BASE + "threat/5.1",
    "source": BASE + "source/mdd-1.13",
    "sources-of": TIGER,
    "incoming": BASE + "ecoregion/PA0443",
    "neighbours-in-predicates": BASE + "ecoregion/PA0443",
    "taxon-children": BASE + "taxon/plantae/genus/rhodiola",
    "taxon-species": BASE + "taxon/plantae/genus/rhodiola",
    "region": BASE + "region/CN-HL",
    "region-records": BASE + "taxon/veronica-anagallis-aquatica",
}


def _answer(store, name: str, iri: str | None) -> int:
    """The number of answers of an explorer query with ?iri bound as the pages bind it (a VALUES block)."""
    from server.explorer.graphdata import bound_query

    result = store.query(bound_query(name, {"iri": iri}), use_default_graph_as_union=True)
    return int(bool(result)) if isinstance(result, ox.QueryBoolean) else len(list(result))


@pytest.mark.parametrize("path", query_files(), ids=lambda p: p.stem)
def test_explorer_queries_answer_about_their_resource(store, path):
    """A page query answers about the resource it is bound to (rows, or true), and nothing about an IRI the graph
    does not hold; a query of the whole graph (not bound) answers rows."""
    if "Bound: ?iri" not in path.read_text():
        assert _answer(store, path.stem, None) > 0, path.stem
        return
    iri = next(
        (i for prefix, i in sorted(PAGE_IRIS.items(), key=lambda kv: -len(kv[0])) if path.stem.startswith(prefix)),
        TIGER,
    )
    assert _answer(store, path.stem, iri) > 0, (path.stem, iri)
    assert _answer(store, path.stem, BASE + "nothing/here") == 0, path.stem


# --- dereferenceable IRIs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", IRIS)
def test_iri_serves_html_with_alternates(client, path):
    response = client.get("/" + path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200, path
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    for mime in RDF_FORMATS:
        assert f'<link rel="alternate" type="{mime}"' in html
    assert BASE + path in html
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize("mime", RDF_FORMATS)
@pytest.mark.parametrize(
    "path",
    [
        "taxon/panthera-tigris",
        "ecoregion/PA0443",
        "threat/5.1.1",
        "graph/meta",
        "taxon/panthera-tigris/assessment/iucn-global",
    ],
)
def test_iri_serves_rdf_by_accept(client, path, mime):
    response = client.get("/" + path, headers={"Accept": mime})
    assert response.status_code == 200
    assert response.mimetype == mime
    graph = Graph().parse(data=response.get_data(as_text=True), format=RDF_FORMATS[mime])
    subject = URIRef(BASE + path)
    assert len(list(graph.triples((subject, None, None)))) > 0


def test_rdf_description_carries_labels_of_linked_resources(client):
    graph = Graph().parse(data=client.get("/taxon/panthera-tigris?format=ttl").get_data(as_text=True), format="turtle")
    ecoregion = URIRef(BASE + "ecoregion/PA0443")
    assert (URIRef(TIGER), URIRef("https://w3id.org/amurkg/ontology#occursIn"), ecoregion) in graph
    labels = [str(o) for o in graph.objects(ecoregion, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))]
    assert "Ussuri broadleaf and mixed forests" in labels


def test_format_parameter_overrides_accept(client):
    response = client.get("/threat/5.1.1?format=nt", headers={"Accept": "text/html"})
    assert response.mimetype == "application/n-triples"
    assert f"<{BASE}threat/5.1.1>" in response.get_data(as_text=True)


def test_unknown_iri_is_a_404_page(client):
    response = client.get("/taxon/no-such-taxon", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "Not in the graph" in response.get_data(as_text=True)
    assert client.get("/taxon/no-such-taxon", headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get("/ecoregion/PA9999").status_code == 404


def test_unacceptable_type_is_406(client):
    assert client.get("/taxon/panthera-tigris", headers={"Accept": "image/png"}).status_code == 406


def test_other_blueprints_are_not_shadowed(client):
    endpoints = {rule.rule: rule.endpoint for rule in client.application.url_map.iter_rules()}
    assert not endpoints.get("/sparql", "sparql").startswith("explorer")
    assert "/<path:path>" not in endpoints and "/<path>" not in endpoints
    assert (
        client.get("/sparql?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"}).status_code == 200
    )


# --- pages -------------------------------------------------------------------------------------------------------


def test_home_states_coverage_and_counts(client):
    html = client.get("/").get_data(as_text=True)
    assert "Chinese side only" in html
    assert "National red lists" in html  # plants' China Red List categories shown apart from IUCN global ones
    assert "species" in html and "IUCN threats" in html
    assert 'href="/ecoregion/PA0443"' in html  # the map links each ecoregion
    assert "<svg" in html


def test_species_page(client):
    html = client.get("/taxon/panthera-tigris").get_data(as_text=True)
    assert "badge cat-EN" in html  # assessment badge
    assert "Carnivora" in html and "Felidae" in html  # taxonomy chain
    assert "Ussuri broadleaf and mixed forests" in html and "range box" in html  # ecoregions with method
    assert "Cited for this species" in html and "Inferred from its ecoregions" in html  # threats apart
    assert "5.1.1" in html
    assert "Site/area protection" in html  # an action answering its threat
    assert "mddId" in html and "mammaldiversity.org" in html  # external identifiers
    assert "CC-BY-4.0" in html and "Mammal Diversity Database" in html  # source with licence
    # its ecoregions on the map, in the tone of their placement: the curated and WildFinder forests are recorded
    assert 'class="region highlight tone-recorded" data-code="PA0443" data-tone="recorded"' in html
    assert "recorded:" in html and "possible" in html


def distinct_species(store, pattern: str) -> int:
    query = with_prefixes(f"SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {{ {pattern} }}")
    return int(next(iter(store.query(query, use_default_graph_as_union=True)))["n"].value)


@pytest.mark.parametrize("code", ["PA0443", "PA0804"])
def test_ecoregion_page_shows_recorded_and_possible_species_apart(client, store, code):
    html = client.get(f"/ecoregion/{code}").get_data(as_text=True)
    recorded = distinct_species(store, f"?t amur:occursIn <{BASE}ecoregion/{code}> ; amur:group ?g")
    possible = distinct_species(store, f"?t amur:possiblyOccursIn <{BASE}ecoregion/{code}> ; amur:group ?g")
    assert recorded + possible > 0
    # counts formatted for the interface language (English: 1,234)
    assert f'Recorded species <small>(<span class="count">{recorded:,}</span>)' in html
    assert f'Possible species <small>(<span class="count">{possible:,}</span>)' in html


def test_home_reports_recorded_and_possible_links_per_group(client, store):
    html = client.get("/").get_data(as_text=True)
    table = html.split('class="placement-status"')[1].split("</table>")[0]
    recorded = int(
        next(
            iter(
                store.query(
                    with_prefixes(
                        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?t ?e WHERE { ?t amur:occursIn ?e } }"
                    ),
                    use_default_graph_as_union=True,
                )
            )
        )["n"].value
    )
    possible = int(
        next(
            iter(
                store.query(
                    with_prefixes(
                        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?t ?e WHERE { ?t amur:possiblyOccursIn ?e } }"
                    ),
                    use_default_graph_as_union=True,
                )
            )
        )["n"].value
    )
    assert (f'<th>all groups</th><td class="num">{recorded:,}</td><td class="num">{possible:,}</td>') in table
    assert "birds" in table and "plants" in table


def test_species_with_inferred_threats_shows_them_apart(client, store):
    row = next(
        iter(
            store.query(
                "SELECT ?t WHERE { ?t <https://w3id.org/amurkg/ontology#inferredThreat> ?x } LIMIT 1",
                use_default_graph_as_union=True,
            )
        )
    )
    html = client.get(row["t"].value[len(BASE) - 1 :]).get_data(as_text=True)
    inferred = html.split("Inferred from its ecoregions")[1]
    assert "via " in inferred and "/threat/" in inferred


def test_higher_taxon_page_lists_children(client):
    html = client.get("/taxon/animalia/family/felidae").get_data(as_text=True)
    assert "/taxon/animalia/genus/panthera" in html
    assert "/taxon/panthera-tigris" in html


def test_ecoregion_page(client):
    html = client.get("/ecoregion/PA0804").get_data(as_text=True)
    assert "Daurian forest steppe" in html
    assert 'class="region highlight" data-code="PA0804"' in html
    assert "Threatened species" in html and "badge cat-" in html
    assert "/threat/" in html and "/initiative/" in html


def test_threat_page(client):
    html = client.get("/threat/5.1.1").get_data(as_text=True)
    assert "/threat/5.1" in html and "/threat/5" in html  # broader chain
    assert "Actions answering this threat" in html and "/action/" in html
    assert "/taxon/panthera-tigris" in html  # species cited as threatened
    assert "Ecoregions exposed" in html


def test_action_page(client):
    html = client.get("/action/1.1").get_data(as_text=True)
    assert "Threats this action answers" in html and "/threat/" in html and "/initiative/" in html


def test_source_page_lists_contribution(client):
    html = client.get("/source/avilist-2025").get_data(as_text=True)
    assert "What this source contributed" in html and "/graph/avilist-2025" in html


def test_map_page_links_every_ecoregion(client):
    html = client.get("/map").get_data(as_text=True)
    assert html.count('class="region') >= 15


def test_query_page_lists_the_research_questions(client):
    html = client.get("/query").get_data(as_text=True)
    for query in named_queries():
        assert f'data-name="{query.name}"' in html
    assert "/vendor/yasgui.min.js" in html


def test_vendor_assets_are_served_locally(client):
    for name in ("cytoscape.min.js", "yasgui.min.js", "yasgui.min.css"):
        assert client.get(f"/vendor/{name}").status_code == 200
    assert client.get("/vendor/../package.json").status_code == 404
    assert client.get("/vendor/other.js").status_code == 404


# --- search ------------------------------------------------------------------------------------------------------


def first_species(client, q: str) -> str:
    results = client.get("/explore/search.json", query_string={"q": q}).get_json()["results"]
    return next(r["iri"] for r in results if r["kind"] == "species")


def test_search_by_scientific_english_and_chinese_names(client, store):
    assert first_species(client, "Panthera tigris") == TIGER
    assert first_species(client, "Tiger") == TIGER
    crane = BASE + "taxon/grus-japonensis"
    chinese = next(
        iter(
            store.query(
                f"SELECT ?n WHERE {{ <{crane}> <http://rs.tdwg.org/dwc/terms/vernacularName> ?n "
                'FILTER(lang(?n) = "zh") }',
                use_default_graph_as_union=True,
            )
        ),
        None,
    )
    plant = next(
        iter(
            store.query(
                "SELECT ?s ?n WHERE { ?s <http://rs.tdwg.org/dwc/terms/vernacularName> ?n "
                'FILTER(lang(?n) = "zh") } LIMIT 1',
                use_default_graph_as_union=True,
            )
        )
    )
    results = client.get("/explore/search.json", query_string={"q": plant["n"].value}).get_json()["results"]
    assert plant["s"].value in [r["iri"] for r in results]
    if chinese is not None:
        assert first_species(client, chinese["n"].value) == crane


def test_search_prefix_and_typos(client):
    assert first_species(client, "Grus japon") == BASE + "taxon/grus-japonensis"
    assert first_species(client, "Panthera tigirs") == TIGER  # transposed letters
    assert first_species(client, "red-crowned cr") == BASE + "taxon/grus-japonensis"


def test_search_page_groups_results_by_type(client):
    html = client.get("/search", query_string={"q": "amur"}).get_data(as_text=True)
    assert 'data-kind="species"' in html and 'data-kind="river"' in html
    assert html.index('data-kind="species"') < html.index('data-kind="river"')


def test_autocomplete_shape(client):
    data = client.get("/explore/search.json", query_string={"q": "daur", "limit": 5}).get_json()
    assert data["query"] == "daur" and 0 < len(data["results"]) <= 5
    assert {"iri", "href", "label", "kind", "kind_title"} <= set(data["results"][0])
    assert client.get("/explore/search.json").get_json()["results"] == []


# --- interactive graph -------------------------------------------------------------------------------------------


def test_neighbourhood_json(client):
    data = client.get("/explore/neighbourhood.json", query_string={"iri": TIGER}).get_json()
    ids = {n["id"] for n in data["nodes"]}
    assert TIGER in ids and BASE + "ecoregion/PA0443" in ids
    assert all(e["source"] in ids and e["target"] in ids for e in data["edges"])
    assert any(e["label"] == "amur:occursIn" for e in data["edges"])
    assert client.get("/explore/neighbourhood.json", query_string={"iri": "http://example.org/x"}).status_code == 400


def test_path_between_two_nodes(client):
    data = client.get(
        "/explore/path.json", query_string={"from": TIGER, "to": BASE + "initiative/econet-green-belt"}
    ).get_json()
    assert data["found"]
    assert data["nodes"][0]["id"] == TIGER and data["nodes"][-1]["id"] == BASE + "initiative/econet-green-belt"
    assert len(data["edges"]) == len(data["nodes"]) - 1


def test_json_ld_is_valid_json(client):
    body = client.get("/ecoregion/PA0443", headers={"Accept": "application/ld+json"}).get_data(as_text=True)
    assert isinstance(json.loads(body), (list, dict))
