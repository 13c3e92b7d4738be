"""The lexer-level checks of kg.sparql_guard: SERVICE/LOAD targets, update datasets, USING insertion."""

from __future__ import annotations

import pyoxigraph as ox

from kg.sparql_guard import add_using, fetched_urls, names_own_dataset, refused_urls


def test_service_and_load_targets_are_found_and_literals_ignored():
    query = """PREFIX e: <http://e.example/>
    SELECT * { BIND("SERVICE <http://in-a-string/>" AS ?a)  # SERVICE <http://in-a-comment/>
      SERVICE SILENT <http://a.example/sparql> { ?s ?p ?o } SERVICE e:sparql { } SERVICE ?endpoint { } }"""
    assert fetched_urls(query) == ["http://a.example/sparql", "http://e.example/sparql", None]
    assert fetched_urls("LOAD SILENT <http://b.example/data.ttl> INTO GRAPH <http://g/>") == [
        "http://b.example/data.ttl"
    ]
    assert refused_urls(query, {"http://a.example/sparql"}) == ["http://e.example/sparql", "(a variable)"]
    assert refused_urls("SELECT * { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }", set()) == []


def test_update_dataset_clauses():
    assert names_own_dataset("WITH <http://g/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert names_own_dataset("DELETE { ?s ?p ?o } USING <http://g/> WHERE { ?s ?p ?o }")
    assert not names_own_dataset("INSERT { ?s ?p 'WITH' } WHERE { ?s ?p ?o }")


def test_using_is_added_to_every_modify_operation_and_the_engine_accepts_it():
    update = (
        "DELETE { ?s ?p ?o } INSERT { GRAPH <http://out/> { ?s ?p ?o } } WHERE { ?s ?p ?o } ; "
        "INSERT DATA { <http://a/> <http://b/> <http://c/> } ; "
        "INSERT { <http://a/> <http://b/> ?c } WHERE { { SELECT ?c WHERE { ?c ?d ?e } } }"
    )
    rewritten = add_using(update, ["http://u/"], ["http://n/"])
    assert rewritten.count("USING <http://u/> USING NAMED <http://n/> WHERE") == 2
    ox.Store().update(rewritten)  # still valid SPARQL Update
    assert add_using(update, [], []) == update
