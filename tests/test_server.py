"""The first SPARQL endpoint: the Flask app in-process, and `amurkg serve` (gunicorn) over real HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from server import create_app


@pytest.fixture
def client(built_store):
    return create_app({"STORE_PATH": str(built_store), "TESTING": True}).test_client()


QUERY = ("PREFIX amur: <https://w3id.org/amurkg/ontology#> "
         "SELECT (COUNT(*) AS ?n) WHERE { ?e a amur:TerrestrialEcoregion }")


def test_get_json(client):
    response = client.get("/sparql", query_string={"query": QUERY},
                          headers={"Accept": "application/sparql-results+json"})
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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_runs_gunicorn_over_http(built_store):
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--store", str(built_store), "--port", str(port), "--workers", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/sparql?" + urllib.parse.urlencode({"query": QUERY})
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    body = json.loads(response.read())
                    break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.3)
        assert body["results"]["bindings"][0]["n"]["value"] == "15"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as response:
            assert json.loads(response.read())["status"] == "ok"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate(timeout=20)[0].decode()
    assert "gunicorn" in output.lower() or "Booting worker" in output
