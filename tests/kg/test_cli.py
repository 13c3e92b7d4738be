"""The `amurkg` console script: --help everywhere, and the commands over a built store."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from kg.cli import main

COMMANDS = ["build", "validate", "query", "stats", "fetch", "serve"]


@pytest.mark.parametrize("command", [[]] + [[c] for c in COMMANDS])
def test_help(command):
    result = CliRunner().invoke(main, command + ["--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_console_script_is_installed():
    out = subprocess.run([sys.executable, "-m", "kg.cli", "--help"], capture_output=True, text=True, check=True)
    assert "build" in out.stdout and "serve" in out.stdout


def test_query_json_is_sparql_results(built_store):
    result = CliRunner().invoke(
        main,
        [
            "query",
            "--store",
            str(built_store),
            "--format",
            "json",
            "SELECT (COUNT(*) AS ?n) WHERE { ?e a amur:TerrestrialEcoregion }",
        ],
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["head"]["vars"] == ["n"]
    assert body["results"]["bindings"][0]["n"]["value"] == "15"


def test_query_named_file_as_table(built_store):
    result = CliRunner().invoke(main, ["query", "--store", str(built_store), "queries/ecoregions.rq"])
    assert result.exit_code == 0, result.output
    assert "PA0443" in result.output and "(16 rows)" in result.output


def test_query_csv_and_tsv(built_store):
    for fmt, sep in (("csv", ","), ("tsv", "\t")):
        result = CliRunner().invoke(main, ["query", "--store", str(built_store), "--format", fmt, "work-lines"])
        assert result.exit_code == 0, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 8 and sep in lines[0]


def test_malformed_query_is_a_clear_error(built_store):
    result = CliRunner().invoke(main, ["query", "--store", str(built_store), "SELEC ?x WHERE {"])
    assert result.exit_code == 2
    assert "malformed query" in result.output


def test_query_without_store_says_build_first(tmp_path):
    result = CliRunner().invoke(main, ["query", "--store", str(tmp_path / "none"), "ASK {}"])
    assert result.exit_code == 1
    assert "amurkg build" in result.output


def test_stats(built_store):
    result = CliRunner().invoke(main, ["stats", "--store", str(built_store), "--format", "json"])
    assert result.exit_code == 0, result.output
    numbers = json.loads(result.output)
    assert numbers["classes"]["https://w3id.org/amurkg/ontology#TerrestrialEcoregion"] == 15


def _small_store(root, built_store, extra: list | None = None):
    """The ecoregion graph of the real build in a store of its own: valid data, seconds to validate."""
    import pyoxigraph as ox
    from sparql_live import make_store

    from kg.namespaces import graph_iri
    from kg.store import layout as kgstore

    graph = ox.NamedNode(str(graph_iri("wwf-teow-2001")))
    quads = list(kgstore.open_read_only(built_store).quads_for_pattern(None, None, None, graph))
    return make_store(root, quads + (extra or []))


def test_validate_conforms(built_store, tmp_path):
    result = CliRunner().invoke(main, ["validate", "--store", str(_small_store(tmp_path, built_store))])
    assert result.exit_code == 0, result.output
    assert "conforms: True" in result.output


def test_validate_reports_violations(built_store, tmp_path):
    import pyoxigraph as ox

    from kg.namespaces import AMUR, graph_iri

    eco = ox.NamedNode("https://w3id.org/amurkg/ecoregion/PA0443")
    negative_area = ox.Quad(
        eco,
        ox.NamedNode(str(AMUR.areaKm2)),
        ox.Literal("-5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
        ox.NamedNode(str(graph_iri("wwf-teow-2001"))),
    )
    result = CliRunner().invoke(
        main, ["validate", "--store", str(_small_store(tmp_path, built_store, [negative_area]))]
    )
    assert result.exit_code == 1, result.output
    assert "conforms: False" in result.output and "areaKm2" in result.output
