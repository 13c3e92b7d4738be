"""The endpoint on the real graph (the session's full build): service description statistics and union default."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import VOID

from kg.namespaces import SD, graph_iri


@pytest.fixture
def client(real_client):
    return real_client


def test_service_description_has_void_statistics_per_named_graph(client):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    description = Graph().parse(data=response.data, format="turtle")
    counts = {}
    for named in description.objects(None, SD.namedGraph):
        described = description.value(named, SD.graph)
        counts[description.value(named, SD.name)] = description.value(described, VOID.triples)
    teow = URIRef(str(graph_iri("wwf-teow-2001")))
    assert teow in counts and counts[teow] is not None and int(counts[teow]) > 0
    # the statistics are the build's own VoID counts
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{teow}> {{ ?s ?p ?o }} }}"
    live = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert int(json.loads(live.data)["results"]["bindings"][0]["n"]["value"]) == int(counts[teow])
    assert (None, SD.supportedLanguage, SD.SPARQL11Update) not in description  # no write token configured


def test_writes_are_refused_on_the_real_graph_without_a_token(client, built_store):
    response = client.post(
        "/sparql",
        data="CLEAR ALL",
        content_type="application/sparql-update",
        headers={"Authorization": "Bearer anything"},
    )
    assert response.status_code == 403
    assert client.get("/health").get_json()["status"] == "ok"
