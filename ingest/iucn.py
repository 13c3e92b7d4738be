"""IUCN Red List API v4 classification schemes -> SKOS concept schemes.

The files are recorded HTTP exchanges (YAML); the API's JSON body is a string inside them.
Codes come as '5_1_1' and are published as '5.1.1'; a code's parent is the code without its last part.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from ingest.records import Reference
from kg.namespaces import AMUR, iri, iucn_code, source_iri

SOURCE_ID = "iucn-redlist-api-v4"

# scheme key -> (file, JSON key, IRI segment of its concepts, class, scheme title)
SCHEMES = {
    "threats": ("rl_threats-def.yml", "threats", "threat", AMUR.Threat, "IUCN Threats Classification Scheme 3.3"),
    "actions": (
        "rl_actions-def.yml",
        "conservation_actions",
        "action",
        AMUR.ConservationAction,
        "IUCN Conservation Actions Classification Scheme 2.0",
    ),
    "habitats": ("rl_habitats-def.yml", "habitats", "habitat", AMUR.Habitat, "IUCN Habitats Classification Scheme 3.1"),
    "stresses": ("rl_stresses-def.yml", "stresses", "stress", AMUR.Stress, "IUCN Stresses Classification Scheme"),
}
CATEGORY_FILE = "rl_categories-def.yml"
COUNTRY_FILE = "rl_countries-def.yml"

# Red List Categories and Criteria 3.1; the rank orders categories by extinction risk for weighting.
CATEGORY_VERSION = "3.1"
CATEGORY_RANK = {"LC": 0, "NT": 1, "VU": 2, "EN": 3, "CR": 4, "RE": 5, "EW": 5, "EX": 6}


def api_records(path: Path, key: str) -> list[dict]:
    """All records under ``key`` across the recorded responses of one file."""
    recording = yaml.safe_load(path.read_text(encoding="utf-8"))
    records: list[dict] = []
    for interaction in recording["http_interactions"]:
        body = json.loads(interaction["response"]["body"]["string"])
        records.extend(body[key])
    return records


def scheme_iri(key: str) -> URIRef:
    return iri("scheme", key)


def concept_iri(segment: str, code: str) -> URIRef:
    return iri(segment, iucn_code(code))


def _concept_scheme(graph: Graph, scheme: URIRef, title: str, sourced: bool = True) -> None:
    """A SKOS concept scheme with its title (and, when ``sourced``, the IUCN API as its source)."""
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, SKOS.prefLabel, Literal(title, lang="en")))
    graph.add((scheme, RDFS.label, Literal(title, lang="en")))
    if sourced:
        graph.add((scheme, DCTERMS.source, source_iri(SOURCE_ID)))


def add_scheme(graph: Graph, key: str, records: list[dict]) -> None:
    _, _, segment, cls, title = SCHEMES[key]
    scheme = scheme_iri(key)
    _concept_scheme(graph, scheme, title)
    codes = {r["code"] for r in records}
    for record in records:
        code = record["code"]
        concept = concept_iri(segment, code)
        label = record["description"]["en"].strip()  # the source has stray spaces ("... States of ")
        graph.add((concept, RDF.type, SKOS.Concept))
        graph.add((concept, RDF.type, cls))
        graph.add((concept, SKOS.inScheme, scheme))
        graph.add((concept, SKOS.notation, Literal(iucn_code(code))))
        graph.add((concept, SKOS.prefLabel, Literal(label, lang="en")))
        graph.add((concept, RDFS.label, Literal(f"{iucn_code(code)} {label}", lang="en")))
        parent = code.rsplit("_", 1)[0] if "_" in code else None
        if parent is None:
            graph.add((concept, SKOS.topConceptOf, scheme))
            graph.add((scheme, SKOS.hasTopConcept, concept))
        elif parent in codes:
            graph.add((concept, SKOS.broader, concept_iri(segment, parent)))
            graph.add((concept_iri(segment, parent), SKOS.narrower, concept))
        else:
            raise ValueError(f"{key}: code {code} has no parent {parent} in the scheme")


def add_categories(graph: Graph, records: list[dict]) -> None:
    scheme = iri("scheme", "red-list-categories")
    _concept_scheme(graph, scheme, "IUCN Red List Categories (version 3.1)")
    for record in records:
        label = record["description"]["en"].strip()  # the source has stray spaces ("... States of ")
        # the API also lists historic codes (2.3, pre-1994) and placeholders labelled "Unknown"
        if record.get("version") != CATEGORY_VERSION or label == "Unknown":
            continue
        concept = category_iri(record["code"])
        graph.add((concept, RDF.type, SKOS.Concept))
        graph.add((concept, RDF.type, AMUR.RedListCategory))
        graph.add((concept, SKOS.inScheme, scheme))
        graph.add((concept, SKOS.topConceptOf, scheme))
        graph.add((concept, SKOS.notation, Literal(record["code"])))
        graph.add((concept, SKOS.prefLabel, Literal(label, lang="en")))
        graph.add((concept, RDFS.label, Literal(label, lang="en")))
        if record["code"] in CATEGORY_RANK:
            graph.add((concept, AMUR.categoryRank, Literal(CATEGORY_RANK[record["code"]], datatype=XSD.integer)))


def category_iri(code: str) -> URIRef:
    return iri("red-list-category", code)


def country_iri(code: str) -> URIRef:
    return iri("country", code)


def add_countries(graph: Graph, records: list[dict]) -> None:
    scheme = iri("scheme", "countries")
    _concept_scheme(graph, scheme, "IUCN Red List countries (ISO 3166-1 alpha-2)", sourced=False)
    for record in records:
        concept = country_iri(record["code"])
        label = record["description"]["en"].strip()  # the source has stray spaces ("... States of ")
        graph.add((concept, RDF.type, SKOS.Concept))
        graph.add((concept, RDF.type, AMUR.Country))
        graph.add((concept, SKOS.inScheme, scheme))
        graph.add((concept, SKOS.notation, Literal(record["code"])))
        graph.add((concept, SKOS.prefLabel, Literal(label, lang="en")))
        graph.add((concept, RDFS.label, Literal(label, lang="en")))


LABEL = "IUCN schemes"


def read_reference(files: Mapping[str, Path]) -> Reference:
    """The schemes' graph, and the codes of each scheme's concepts by class (threats, actions, habitats, stresses)."""
    folder = Path(files[SOURCE_ID])
    graph = Graph()
    codes: dict[str, set[str]] = {}
    for key, (file, json_key, _, cls, _) in SCHEMES.items():
        records = api_records(folder / file, json_key)
        add_scheme(graph, key, records)
        codes[str(cls)] = {iucn_code(r["code"]) for r in records}  # the notations add_scheme gives them
    add_categories(graph, api_records(folder / CATEGORY_FILE, "red_list_categories"))
    add_countries(graph, api_records(folder / COUNTRY_FILE, "countries"))
    return Reference(SOURCE_ID, graph, codes=codes)
