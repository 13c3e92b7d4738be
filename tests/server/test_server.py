"""The first SPARQL endpoint: the Flask app in-process, and `amurkg serve` (gunicorn) over real HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest


@pytest.fixture
def client(real_client):
    return real_client


QUERY = (
    "PREFIX amur: <https://w3id.org/amurkg/ontology#> SELECT (COUNT(*) AS ?n) WHERE { ?e a amur:TerrestrialEcoregion }"
)


def test_get_json(client):
    response = client.get(
        "/sparql", query_string={"query": QUERY}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    assert response.get_json()["results"]["bindings"][0]["n"]["value"] == "15"


def test_post_form_and_direct(client):
    form = client.post("/sparql", data={"query": QUERY})
    direct = client.post("/sparql", data=QUERY.encode(), content_type="application/sparql-query")
    assert form.status_code == direct.status_code == 200
    assert json.loads(form.data) == json.loads(direct.data)


def test_malformed_query_is_400_with_parser_message(client):
    response = client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x"})
    assert response.status_code == 400
    assert b"malformed query" in response.data


def test_wrong_media_type_is_415(client):
    response = client.post("/sparql", data=QUERY, content_type="text/plain")
    assert response.status_code == 415


def test_browser_without_query_gets_a_page(client):
    response = client.get("/sparql", headers={"Accept": "text/html"})
    assert response.status_code == 200 and b"<form" in response.data


def test_serve_runs_gunicorn_over_http(live_server):
    url = live_server + "/sparql?" + urllib.parse.urlencode({"query": QUERY})
    with urllib.request.urlopen(url, timeout=30) as response:
        body = json.loads(response.read())
    assert body["results"]["bindings"][0]["n"]["value"] == "15"
    with urllib.request.urlopen(live_server + "/health", timeout=5) as response:
        assert json.loads(response.read())["status"] == "ok"
    output = live_server.log.read_text(errors="replace")
    assert "gunicorn" in output.lower() or "Booting worker" in output
